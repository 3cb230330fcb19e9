//! Power loss, tested the way SQLite tests itself (issue 8, point 9): the
//! real store runs on a VFS that keeps every write in memory until its file
//! is synced (tests/crash_vfs), and the power goes at a random moment. Each
//! round: a fresh database, orders confirmed (by reply or by event) and some
//! cancelled or changed, the power cut between two decisions, from another
//! thread while one may be under way, or inside the Nth write or sync; then
//! every unsynced write is thrown away and the file is opened as after a
//! restart. Every acknowledged decision must be there, `PRAGMA
//! integrity_check` must say ok and stock plus units sold must equal the
//! starting stock.
//!
//! With `synchronous=FULL`, the store's contract, nothing acknowledged may be
//! lost. With `OFF`, the negative control, losses must be found: that proves
//! the harness bites.
//!
//! 40 rounds per mode by default; `LIVESTALL_POWER_LOSS_ROUNDS=N` for a
//! longer run, `LIVESTALL_POWER_LOSS_SEED=N` for other decisions.

mod crash_vfs;

use crash_vfs::Disk;
use livestall::catalog::{Catalog, Product};
use livestall::intent::IntentKind;
use livestall::store::{
    wait, AmendTo, ConfirmRequest, Confirmed, IntentKey, NewIntent, OrderAction, OrderAmend,
    Refusal, Store, StoreEvent, StoreJob, StoreOptions, Synchronous,
};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The products and their starting stock; the limit makes some refusals.
const PRODUCTS: [(&str, i64, Option<u32>); 2] = [("millet", 40, None), ("giftbox", 25, Some(6))];
const HELPER: &str = "power-loss";
/// Decisions in a round at most.
const MAX_DECISIONS: u64 = 30;
/// About how many writes, truncates and syncs one decision makes (its
/// intent's batch and its own commit), to aim `crash_at_io` inside the round.
const IO_PER_DECISION: u64 = 24;

fn rounds() -> u64 {
    std::env::var("LIVESTALL_POWER_LOSS_ROUNDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(40)
}

fn base_seed() -> u64 {
    std::env::var("LIVESTALL_POWER_LOSS_SEED")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(89)
}

fn catalog() -> Catalog {
    Catalog::new(
        PRODUCTS
            .iter()
            .enumerate()
            .map(|(i, &(sku, stock, limit))| Product {
                sku: sku.into(),
                name: format!("{sku} 名"),
                aliases: vec![],
                link: i as u32 + 1,
                unit: "袋".into(),
                price_fen: 1000,
                stock,
                limit_per_buyer: limit,
            })
            .collect(),
    )
}

/// Where in the round the power goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cut {
    /// Between two decisions; then a few more are made on the dead disk,
    /// and none of them may reach it.
    BetweenDecisions,
    /// From another thread after a random wait, often while a decision's
    /// commit is under way.
    FromAnotherThread,
    /// Inside the Nth write, truncate or sync of the round.
    InsideIo,
}

/// One decision of the workload, as a helper would make it.
#[derive(Debug, Clone)]
enum Decision {
    Order {
        msg_id: String,
        user: String,
        sku: &'static str,
        qty: u32,
        /// Heard as a `StoreEvent` (the screen's way) instead of a reply.
        by_event: bool,
    },
    Cancel {
        order_id: i64,
    },
    Change {
        order_id: i64,
        qty: u32,
    },
}

/// An order as the database keeps it, for comparing.
#[derive(Debug, Clone, PartialEq, Eq)]
struct OrderState {
    msg_id: String,
    sku: String,
    qty: u32,
    status: String,
}

type Orders = BTreeMap<i64, OrderState>;

/// What the orders table must hold after `result` of `decision` committed.
fn apply(orders: &mut Orders, decision: &Decision, result: &Result<Confirmed, Refusal>) {
    let Ok(done) = result else { return };
    match (decision, done.action) {
        (Decision::Order { msg_id, .. }, OrderAction::Created) => {
            orders.insert(
                done.order_id,
                OrderState {
                    msg_id: msg_id.clone(),
                    sku: done.sku.clone(),
                    qty: done.qty,
                    status: "confirmed".into(),
                },
            );
        }
        (Decision::Cancel { .. } | Decision::Change { .. }, OrderAction::Cancelled) => {
            orders
                .get_mut(&done.order_id)
                .expect("an order we know")
                .status = "cancelled".into();
        }
        (Decision::Change { .. }, OrderAction::Changed) => {
            orders
                .get_mut(&done.order_id)
                .expect("an order we know")
                .qty = done.qty;
        }
        other => panic!("unexpected answer {other:?}"),
    }
}

fn next_decision(rng: &mut SmallRng, acked: &Orders, round: u64, i: u64) -> Decision {
    let open: Vec<i64> = acked
        .iter()
        .filter(|(_, o)| o.status == "confirmed")
        .map(|(id, _)| *id)
        .collect();
    let roll = rng.random_range(0..10);
    if !open.is_empty() && roll < 3 {
        let order_id = open[rng.random_range(0..open.len())];
        return if roll < 2 {
            Decision::Cancel { order_id }
        } else {
            Decision::Change {
                order_id,
                // 0 cancels the order.
                qty: rng.random_range(0..=4),
            }
        };
    }
    Decision::Order {
        msg_id: format!("r{round}-m{i}"),
        user: format!("buyer{}", rng.random_range(0..5)),
        sku: PRODUCTS[rng.random_range(0..PRODUCTS.len())].0,
        qty: rng.random_range(1..=3),
        by_event: rng.random_bool(0.3),
    }
}

/// The driver's side of the store's event channel.
struct Events {
    tx: tokio::sync::mpsc::Sender<StoreEvent>,
    rx: tokio::sync::mpsc::Receiver<StoreEvent>,
}

/// Makes `decision` through the store's public API, as the app does: the
/// order's intent recorded first (batched), then the helper's confirm.
fn decide(store: &Store, events: &mut Events, decision: &Decision) -> Result<Confirmed, Refusal> {
    match decision {
        Decision::Order {
            msg_id,
            user,
            sku,
            qty,
            by_event,
        } => {
            let key = IntentKey {
                msg_id: msg_id.clone(),
                index: 0,
            };
            store.record_intents(vec![NewIntent {
                key: key.clone(),
                source: "json".into(),
                user: user.clone(),
                user_id: None,
                text: format!("{sku} {qty}"),
                kind: IntentKind::Order,
                sku: Some(sku.to_string()),
                qty: Some(*qty),
                confidence: 0.9,
                received_at_ms: 1_700_000_000_000,
                note: None,
            }]);
            let request = ConfirmRequest {
                key,
                kind: IntentKind::Order,
                user: user.clone(),
                user_id: None,
                sku: Some(sku.to_string()),
                qty: Some(*qty),
                helper: HELPER.into(),
            };
            if !by_event {
                return wait(store.confirm(request));
            }
            store.submit(StoreJob::Confirm(request), &events.tx);
            match events.rx.blocking_recv() {
                Some(StoreEvent::Confirmed(_, confirmed)) => Ok(confirmed),
                Some(StoreEvent::Refused(_, refusal)) => Err(refusal),
                other => panic!("unexpected store event {other:?}"),
            }
        }
        Decision::Cancel { order_id } => wait(store.amend_order(OrderAmend {
            order_id: *order_id,
            to: AmendTo::Cancel,
            helper: HELPER.into(),
        })),
        Decision::Change { order_id, qty } => wait(store.amend_order(OrderAmend {
            order_id: *order_id,
            to: AmendTo::Qty(*qty),
            helper: HELPER.into(),
        })),
    }
}

/// Figures of a run of rounds in one mode.
#[derive(Debug, Default)]
struct Tally {
    rounds: u64,
    cuts: BTreeMap<&'static str, u64>,
    acked_orders: u64,
    acked_cancels: u64,
    acked_changes: u64,
    refused: u64,
    /// Decisions whose answer came after the power went (they may or may
    /// not have reached the disk), and how many of them had.
    across_cut: u64,
    across_cut_kept: u64,
    /// Decisions made on the dead disk (`Cut::BetweenDecisions`).
    after_cut: u64,
    lost_orders: u64,
    lost_cancels: u64,
    lost_changes: u64,
    /// Rounds whose orders are neither the acknowledged state nor that plus
    /// the decision across the cut.
    rounds_off_model: u64,
    integrity_failures: u64,
    stock_mismatches: u64,
    dropped_bytes: u64,
    /// Time the decisions took, to aim the other thread's cut.
    decision_time: Duration,
    decisions_timed: u32,
}

impl Tally {
    fn lost(&self) -> u64 {
        self.lost_orders + self.lost_cancels + self.lost_changes
    }

    fn mean_decision(&self) -> Duration {
        if self.decisions_timed == 0 {
            Duration::from_millis(1)
        } else {
            self.decision_time / self.decisions_timed
        }
    }
}

/// A round's store and what its acknowledged decisions left.
struct Workload<'a> {
    store: Store,
    events: Events,
    rng: SmallRng,
    round: u64,
    /// Decisions made so far (names the orders' messages).
    made: u64,
    /// The orders as the acknowledged decisions left them.
    acked: Orders,
    tally: &'a mut Tally,
}

impl Workload<'_> {
    /// Makes the next decision and waits for its answer.
    fn decide(&mut self) -> (Decision, Result<Confirmed, Refusal>) {
        let decision = next_decision(&mut self.rng, &self.acked, self.round, self.made);
        self.made += 1;
        let started = Instant::now();
        let result = decide(&self.store, &mut self.events, &decision);
        self.tally.decision_time += started.elapsed();
        self.tally.decisions_timed += 1;
        (decision, result)
    }

    /// Takes in an answer heard before the power went.
    fn acknowledge(&mut self, decision: &Decision, result: &Result<Confirmed, Refusal>) {
        let tally = &mut *self.tally;
        match (decision, result) {
            (_, Err(Refusal::Storage(e))) => {
                panic!("round {}: the store failed before the cut: {e}", self.round)
            }
            (_, Err(_)) => tally.refused += 1,
            (Decision::Order { .. }, Ok(_)) => tally.acked_orders += 1,
            // A change to no units is a cancel.
            (_, Ok(done)) if done.action == OrderAction::Cancelled => tally.acked_cancels += 1,
            (_, Ok(_)) => tally.acked_changes += 1,
        }
        apply(&mut self.acked, decision, result);
    }
}

/// One disk (registered VFS) per mode, so the two tests can run at once.
struct Harness {
    disk: &'static Disk,
    vfs: String,
    synchronous: Synchronous,
    seed: u64,
}

impl Harness {
    fn new(vfs: &str, synchronous: Synchronous) -> Harness {
        Harness {
            disk: Disk::register(vfs),
            vfs: vfs.into(),
            synchronous,
            seed: base_seed(),
        }
    }

    fn options(&self, synchronous: Synchronous) -> StoreOptions {
        StoreOptions {
            vfs: Some(self.vfs.clone()),
            synchronous,
            ..StoreOptions::default()
        }
    }

    fn run(&self) -> Tally {
        let mut tally = Tally::default();
        for round in 0..rounds() {
            self.round(round, &mut tally);
        }
        tally
    }

    /// Plays one round and adds it to `tally`. In FULL mode any loss or
    /// damage panics at once with the round's details.
    fn round(&self, round: u64, tally: &mut Tally) {
        let mut rng = SmallRng::seed_from_u64(self.seed.wrapping_mul(1_000_003) ^ round);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("orders.db");
        let catalog = catalog();
        // Made and seeded with FULL in both modes and closed cleanly, so the
        // two modes differ only in how the decisions are committed.
        drop(Store::open_with(&path, &catalog, &self.options(Synchronous::Full)).unwrap());
        let (store, _) =
            Store::open_with(&path, &catalog, &self.options(self.synchronous)).unwrap();
        let (tx, rx) = tokio::sync::mpsc::channel(8);

        let cut =
            [Cut::BetweenDecisions, Cut::FromAnotherThread, Cut::InsideIo][rng.random_range(0..3)];
        *tally.cuts.entry(cut_name(cut)).or_default() += 1;
        let decisions = rng.random_range(1..=MAX_DECISIONS);
        let mut work = Workload {
            store,
            events: Events { tx, rx },
            rng,
            round,
            made: 0,
            acked: Orders::new(),
            tally,
        };
        let across = match cut {
            Cut::BetweenDecisions => {
                self.cut_between_decisions(&mut work, decisions);
                None
            }
            Cut::FromAnotherThread | Cut::InsideIo => {
                self.cut_while_deciding(&mut work, decisions, cut)
            }
        };
        // The doomed store runs down; nothing it writes now reaches the disk.
        let Workload {
            store,
            events,
            acked,
            tally,
            ..
        } = work;
        drop(events);
        drop(store);
        tally.dropped_bytes += self.disk.recover();
        tally.rounds += 1;

        self.check(round, &path, &catalog, &acked, across, tally);
    }

    /// The power goes between two decisions; then a few more are made on
    /// the dead disk, and none of them may reach it.
    fn cut_between_decisions(&self, work: &mut Workload<'_>, decisions: u64) {
        let cut_after = work.rng.random_range(0..=decisions);
        let on_dead_disk = work.rng.random_range(0..=2);
        for _ in 0..cut_after {
            let (decision, result) = work.decide();
            work.acknowledge(&decision, &result);
        }
        self.disk.crash();
        for _ in 0..on_dead_disk {
            // Its answer counts for nothing: the power was already off.
            let _ = work.decide();
            work.tally.after_cut += 1;
        }
    }

    /// The power goes from another thread after a random wait, or inside
    /// the Nth write or sync: often while a decision is under way. Answers
    /// the decision whose answer came after the cut, if one did.
    fn cut_while_deciding(
        &self,
        work: &mut Workload<'_>,
        decisions: u64,
        cut: Cut,
    ) -> Option<(Decision, Result<Confirmed, Refusal>)> {
        let answered = AtomicUsize::new(0);
        let finished = AtomicBool::new(false);
        let wait_for = work.rng.random_range(0..decisions) as usize;
        // Up to about two decisions' time past the one waited for.
        let mean = work.tally.mean_decision().as_micros() as u64;
        let delay = Duration::from_micros(work.rng.random_range(0..=2 * mean.max(100)));
        if cut == Cut::InsideIo {
            let n = work.rng.random_range(1..=decisions * IO_PER_DECISION);
            self.disk.crash_at_io(n);
        }
        let mut across = None;
        std::thread::scope(|scope| {
            if cut == Cut::FromAnotherThread {
                scope.spawn(|| {
                    while answered.load(Ordering::SeqCst) < wait_for
                        && !finished.load(Ordering::SeqCst)
                    {
                        std::thread::sleep(Duration::from_micros(20));
                    }
                    std::thread::sleep(delay);
                    self.disk.crash();
                });
            }
            for _ in 0..decisions {
                let (decision, result) = work.decide();
                // Heard before the power went only if it is still on now:
                // then the commit's sync came before the cut.
                if self.disk.crashed() {
                    across = Some((decision, result));
                    break;
                }
                work.acknowledge(&decision, &result);
                answered.fetch_add(1, Ordering::SeqCst);
            }
            finished.store(true, Ordering::SeqCst);
        });
        // Every decision was made before the cut came: it comes now.
        self.disk.crash();
        across
    }

    /// Opens the database as after a restart and compares it with what was
    /// acknowledged.
    fn check(
        &self,
        round: u64,
        path: &Path,
        catalog: &Catalog,
        acked: &Orders,
        across: Option<(Decision, Result<Confirmed, Refusal>)>,
        tally: &mut Tally,
    ) {
        let full = self.synchronous == Synchronous::Full;
        let integrity: String = rusqlite::Connection::open(path)
            .unwrap()
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        if integrity != "ok" {
            tally.integrity_failures += 1;
            assert!(!full, "round {round} (seed {}): {integrity}", self.seed);
        }
        let (store, _) = Store::open(path, catalog).expect("reopen after the power cut");
        let found: Orders = wait(store.orders())
            .unwrap()
            .into_iter()
            .map(|o| {
                (
                    o.order_id,
                    OrderState {
                        msg_id: o.msg_id,
                        sku: o.sku,
                        qty: o.qty,
                        status: o.status,
                    },
                )
            })
            .collect();
        let inventory = wait(store.inventory()).unwrap();
        drop(store);

        for (sku, initial, _) in PRODUCTS {
            let row = inventory.iter().find(|r| r.sku == sku).expect("a product");
            if row.stock + row.sold != initial {
                tally.stock_mismatches += 1;
                assert!(
                    !full,
                    "round {round} (seed {}): {sku} stock {} + sold {} != {initial}",
                    self.seed, row.stock, row.sold
                );
            }
        }

        // The decision across the cut may have reached the disk or not;
        // either way, it alone.
        let mut with_across = acked.clone();
        if let Some((decision, result)) = &across {
            tally.across_cut += 1;
            apply(&mut with_across, decision, result);
        }
        if across.is_some() && found == with_across && with_across != *acked {
            tally.across_cut_kept += 1;
        }
        for (order_id, want) in acked {
            let alternative = with_across.get(order_id);
            match found.get(order_id) {
                Some(got) if got == want || Some(got) == alternative => {}
                None => tally.lost_orders += 1,
                Some(got) if got.status != want.status => tally.lost_cancels += 1,
                Some(_) => tally.lost_changes += 1,
            }
        }
        let on_model = found == *acked || found == with_across;
        if !on_model {
            tally.rounds_off_model += 1;
        }
        assert!(
            !full || on_model,
            "round {round} (seed {}): after the power cut the orders are\n{found:#?}\n\
             but the acknowledged decisions left\n{acked:#?}\n(or, with the decision across \
             the cut {across:?},\n{with_across:#?})",
            self.seed
        );
    }
}

fn cut_name(cut: Cut) -> &'static str {
    match cut {
        Cut::BetweenDecisions => "between decisions",
        Cut::FromAnotherThread => "from another thread",
        Cut::InsideIo => "inside a write or sync",
    }
}

fn report(mode: &str, tally: &Tally, took: Duration) {
    let cuts: Vec<String> = tally.cuts.iter().map(|(c, n)| format!("{n} {c}")).collect();
    eprintln!(
        "power loss, synchronous={mode}: {} rounds ({}) in {:.1} s\n  \
         acknowledged: {} orders, {} cancels, {} changes ({} refusals)\n  \
         across the cut: {} decisions, {} of them kept; {} made on the dead disk\n  \
         lost: {} (orders {}, cancels {}, changes {}); rounds off the model {}; \
         integrity failures {}; stock mismatches {}\n  \
         unsynced writes thrown away: {} KiB",
        tally.rounds,
        cuts.join(", "),
        took.as_secs_f64(),
        tally.acked_orders,
        tally.acked_cancels,
        tally.acked_changes,
        tally.refused,
        tally.across_cut,
        tally.across_cut_kept,
        tally.after_cut,
        tally.lost(),
        tally.lost_orders,
        tally.lost_cancels,
        tally.lost_changes,
        tally.rounds_off_model,
        tally.integrity_failures,
        tally.stock_mismatches,
        tally.dropped_bytes / 1024,
    );
}

#[test]
fn with_synchronous_full_no_acknowledged_decision_is_lost_at_power_loss() {
    let started = Instant::now();
    let tally = Harness::new("livestall-power-loss-full", Synchronous::Full).run();
    report("FULL", &tally, started.elapsed());
    assert_eq!(tally.lost(), 0);
    assert!(
        tally.acked_orders > 0 && tally.acked_cancels > 0,
        "the rounds must get to work"
    );
}

#[test]
fn with_synchronous_off_the_harness_finds_lost_orders() {
    let started = Instant::now();
    let tally = Harness::new("livestall-power-loss-off", Synchronous::Off).run();
    report("OFF", &tally, started.elapsed());
    assert!(
        tally.lost_orders > 0,
        "synchronous=OFF lost nothing: the harness does not bite"
    );
}
