//! The station's link to the co-op, one task beside the screen: it keeps
//! a connection (retrying with backoff while the co-op cannot be reached),
//! joins the station's products to the pool, applies what the co-op
//! granted and re-tells what the desk gave back (so a crash between the
//! two sides loses nothing), pushes the outbox as it grows, keeps a block
//! of the product on air in hand, takes one when a confirm waits on it,
//! gives back what leaves the air, and says how it stands (`CoopStatus`).
//!
//! Confirming never waits for it: the desk sells what it holds in its own
//! store, online or not.

use super::inbox::{self, Claim, ClaimAnswer};
use super::{escrow, push, Coop, CoopError};
use crate::catalog::Catalog;
use crate::config::CoopConfig;
use crate::store::{reply, IntentKey, Ledger, RemoteDecision, Store, StoreError};
use std::collections::HashMap;
use std::time::Duration;
use tokio::sync::{mpsc, watch};

/// How the station stands with the co-op, for the status bar and events.
#[derive(Debug, Clone, PartialEq)]
pub enum CoopStatus {
    /// Not reached yet since the start.
    Connecting,
    /// Every audit row is in the co-op.
    Synced,
    /// Online, with this many audit rows still to push.
    Waiting(i64),
    /// The co-op cannot be reached since `since_ms`; the desk sells from
    /// what it holds, and `waiting` rows wait to be pushed.
    Offline {
        since_ms: i64,
        why: CoopError,
        waiting: i64,
    },
}

/// Asks of the link from the core.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkRequest {
    /// A confirm of `sku` waits on `at_least` more units than the desk
    /// holds: take a block now.
    TopUp { sku: String, at_least: i64 },
    /// A helper is about to decide an intent: claim it for this desk in
    /// the station's shared inbox (answered with `LinkNews::Claimed`).
    Claim(Claim),
}

/// What the link tells the core besides its status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkNews {
    /// The answer to a claim: `None` when the co-op could not be asked
    /// (the desk decides alone, and the decision is claimed when pushed).
    Claimed {
        key: IntentKey,
        answer: Option<ClaimAnswer>,
    },
    /// Intents another laptop confirmed that this one confirmed too (both
    /// decided while the co-op could not be reached): a buyer may have two
    /// orders for one message.
    Doubled(Vec<RemoteDecision>),
}

/// What the link needs.
#[derive(Debug, Clone)]
pub struct LinkSettings {
    pub config: CoopConfig,
    /// The products as configured (names, units and prices for the pool).
    pub catalog: Catalog,
    /// Recorded as the helper of the link's own stock moves.
    pub helper: String,
    /// How often the outbox and the product on air are looked at.
    pub every: Duration,
    /// Audit rows pushed in one transaction at most.
    pub batch: usize,
    /// One exchange with the co-op (a push, a block) may take this long
    /// before the co-op counts as out of reach: a partition drops packets
    /// without closing anything, and a desk must not hang on it.
    pub op_timeout: Duration,
}

impl LinkSettings {
    pub fn new(config: CoopConfig, catalog: Catalog, helper: &str) -> LinkSettings {
        LinkSettings {
            config,
            catalog,
            helper: helper.to_string(),
            every: Duration::from_millis(200),
            batch: 500,
            op_timeout: Duration::from_secs(5),
        }
    }
}

/// The core's side of a running link.
#[derive(Debug)]
pub struct LinkHandle {
    pub status: watch::Receiver<CoopStatus>,
    pub requests: mpsc::Sender<LinkRequest>,
    /// What the co-op's pool has of each product, as last looked at.
    pub pools: watch::Receiver<Pools>,
    pub news: mpsc::Receiver<LinkNews>,
}

/// Units left in the co-op's pool, by SKU.
pub type Pools = Vec<(String, i64)>;

/// Starts the link on this runtime; it ends (after giving back what the
/// desk holds) when `stop` turns true.
pub fn spawn(
    settings: LinkSettings,
    store: Store,
    stop: watch::Receiver<bool>,
) -> (LinkHandle, tokio::task::JoinHandle<()>) {
    let (requests, wants) = mpsc::channel(64);
    let (status_tx, status) = watch::channel(CoopStatus::Connecting);
    let (pools_tx, pools) = watch::channel(Pools::new());
    let (news_tx, news) = mpsc::channel(256);
    let outlets = Outlets {
        status: status_tx,
        pools: pools_tx,
        news: news_tx,
    };
    let task = tokio::spawn(run_with(settings, store, wants, outlets, stop));
    (
        LinkHandle {
            status,
            requests,
            pools,
            news,
        },
        task,
    )
}

/// A product off the air keeps what the desk holds of it this long after
/// it was last wanted (a viewer ordering another link, a product taken
/// off the air and put back), then it goes back to the pool.
const KEEP_AFTER: Duration = Duration::from_secs(120);

/// How often the link tells the co-op this station is here (and looks
/// at what its other laptops put on air).
const LOOK_IN_EVERY: Duration = Duration::from_secs(1);

/// How long a stopping run waits for the link's farewell.
pub const FAREWELL_WAIT: Duration = Duration::from_secs(4);

/// Waits before reconnecting: from 250 ms, doubling to 2 s (a desk out of
/// stock waits on the co-op, so it is looked for often).
const BACKOFF_MIN: Duration = Duration::from_millis(250);
const BACKOFF_MAX: Duration = Duration::from_secs(2);
/// Giving back at the end may take this long before the link lets go (the
/// reconcile of the next start tells the co-op what it missed).
const FAREWELL: Duration = Duration::from_secs(3);

/// Runs the link until `stop` turns true (or its sender goes), then gives
/// back what the desk holds and pushes what is left, if it can.
pub async fn run(
    settings: LinkSettings,
    store: Store,
    requests: mpsc::Receiver<LinkRequest>,
    status: watch::Sender<CoopStatus>,
    stop: watch::Receiver<bool>,
) {
    let (pools, _) = watch::channel(Pools::new());
    // Nobody listens: a full channel drops news rather than wait.
    let (news, _) = mpsc::channel(1);
    let outlets = Outlets {
        status,
        pools,
        news,
    };
    run_with(settings, store, requests, outlets, stop).await
}

/// Where the link tells the core how it stands and what it learned.
pub struct Outlets {
    pub status: watch::Sender<CoopStatus>,
    /// What the pool has of each product, as it changes.
    pub pools: watch::Sender<Pools>,
    pub news: mpsc::Sender<LinkNews>,
}

/// [`run`], with every outlet.
pub async fn run_with(
    settings: LinkSettings,
    store: Store,
    mut requests: mpsc::Receiver<LinkRequest>,
    outlets: Outlets,
    mut stop: watch::Receiver<bool>,
) {
    let status = &outlets.status;
    // Nothing shared is sold from stock this station had on its own.
    if let Err(error) = join_all(&settings, &store).await {
        tracing::warn!(%error, "the station's products could not join the co-op yet");
    }
    let mut backoff = BACKOFF_MIN;
    let mut offline_since: Option<i64> = None;
    // The last audit row known to be in the co-op: what waits is after it.
    let mut known_pushed: Option<i64> = None;
    loop {
        if *stop.borrow() {
            return;
        }
        let started =
            tokio::time::timeout(settings.op_timeout * 2, Session::start(&settings, &store))
                .await
                .unwrap_or_else(|_| Err(timed_out(&settings.config)));
        match started {
            Ok(mut session) => {
                backoff = BACKOFF_MIN;
                offline_since = None;
                match session
                    .serve(&store, &mut requests, &outlets, &mut stop)
                    .await
                {
                    Ok(()) => {
                        let _ = tokio::time::timeout(FAREWELL, session.farewell(&store)).await;
                        return;
                    }
                    Err(why) => {
                        tracing::warn!(error = %why, "the co-op link was lost");
                        known_pushed = Some(session.pushed);
                        let since = *offline_since.get_or_insert_with(crate::clock::now_ms);
                        tell_offline(status, &store, known_pushed, since, why).await;
                    }
                }
            }
            Err(why) => {
                let since = *offline_since.get_or_insert_with(crate::clock::now_ms);
                tracing::info!(error = %why, "the co-op cannot be reached");
                tell_offline(status, &store, known_pushed, since, why).await;
            }
        }
        // Claims asked while out of reach are answered at once: the desk
        // decides alone (the core does not wait on them either).
        while let Ok(request) = requests.try_recv() {
            if let LinkRequest::Claim(claim) = request {
                let _ = outlets.news.try_send(LinkNews::Claimed {
                    key: claim.key,
                    answer: None,
                });
            }
        }
        tokio::select! {
            biased;
            _ = stopped(&mut stop) => return,
            _ = tokio::time::sleep(backoff) => {}
        }
        backoff = (backoff * 2).min(BACKOFF_MAX);
    }
}

/// Joins every configured product to the co-op on this station (stock to
/// 0, kept as the seed): done before anything is sold, co-op reached or
/// not. Idempotent.
pub async fn join_all(settings: &LinkSettings, store: &Store) -> Result<(), StoreError> {
    let skus = settings
        .catalog
        .products
        .iter()
        .map(|p| p.sku.clone())
        .collect();
    reply(store.coop_join(skus, &settings.helper))
        .await
        .map(drop)
}

/// The co-op did not answer within the link's `op_timeout`.
fn timed_out(config: &CoopConfig) -> CoopError {
    let address = super::pg_config(config)
        .map(|c| super::address(&c))
        .unwrap_or_default();
    CoopError::Unreachable {
        address,
        why: super::Reach::Timeout,
    }
}

/// Until `stop` turns true or its sender goes (the guard `wait_for` hands
/// back is dropped here: it cannot be held across the link's awaits).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|&s| s).await;
}

/// Says the co-op is out of reach since `since_ms`, with the audit rows
/// waiting after `pushed` (all of them when no push is known this run).
async fn tell_offline(
    status: &watch::Sender<CoopStatus>,
    store: &Store,
    pushed: Option<i64>,
    since_ms: i64,
    why: CoopError,
) {
    // Only shown: a store that cannot count shows none.
    let waiting = reply(store.outbox_backlog(pushed.unwrap_or(0)))
        .await
        .unwrap_or(0);
    status.send_replace(CoopStatus::Offline {
        since_ms,
        why,
        waiting,
    });
}

/// One connected stretch.
struct Session {
    coop: Coop,
    client: deadpool_postgres::Object,
    desk: String,
    pushed: i64,
    /// The last block taken per SKU: the desk tops up at a third of it.
    last_block: HashMap<String, i64>,
    /// When each product was last wanted (on air, or a block asked for a
    /// waiting confirm): units are given back only after it has not been
    /// for `KEEP_AFTER`, so an order of another link keeps its block long
    /// enough for the helper to confirm it.
    wanted: HashMap<String, tokio::time::Instant>,
    /// When the co-op was last told this station is here (and what it
    /// has on air), for the hub.
    looked_in: Option<tokio::time::Instant>,
    /// The product on air this desk and its station last agreed on
    /// (`None` before the first look of the session). A local change
    /// since is told to the station; a station's change since (another
    /// laptop's) is followed here.
    on_air_agreed: Option<Option<String>>,
    /// The last decision of the station's other desks applied here.
    decisions_seen: i64,
    /// Each product's `added` total as the co-op has it.
    added: HashMap<String, i64>,
    /// `[coop] block`.
    block_share: f64,
    every: Duration,
    batch: usize,
    op_timeout: Duration,
    config: CoopConfig,
}

fn store_trouble(error: StoreError) -> CoopError {
    CoopError::Refused(format!("the station's own database: {error}"))
}

impl Session {
    /// Connects, registers the desk, joins the station's products to the
    /// pool (seeding it with their stock when the co-op does not have them
    /// yet), and reconciles both sides' totals.
    async fn start(settings: &LinkSettings, store: &Store) -> Result<Session, CoopError> {
        let coop = Coop::open(&settings.config).await?;
        let mut client = coop.client().await?;
        let station = settings.config.station.clone();
        let desk = reply(store.desk()).await.map_err(store_trouble)?;
        escrow::register_desk(&**client, &station, &desk, &settings.helper).await?;

        // Products joined here (at the start, before any sale) seed the
        // pool with the stock they had, if this station is the first to
        // bring them; otherwise the co-op's count stands.
        join_all(settings, store).await.map_err(store_trouble)?;
        let ledger = reply(store.ledger()).await.map_err(store_trouble)?;
        let seeds: Vec<escrow::SeedProduct> = ledger
            .rows
            .iter()
            .filter(|row| row.joined)
            .filter_map(|row| {
                let p = settings
                    .catalog
                    .products
                    .iter()
                    .find(|p| p.sku == row.sku)?;
                Some(escrow::SeedProduct {
                    sku: p.sku.clone(),
                    name: p.name.clone(),
                    unit: p.unit.clone(),
                    price_fen: p.price_fen,
                    stock: row.seed,
                })
            })
            .collect();
        escrow::seed(&**client, &station, &seeds).await?;
        let mut added = HashMap::new();
        for (sku, allocation) in escrow::allocations(&**client, &station, &desk).await? {
            added.insert(sku.clone(), allocation.added);
            let Some(row) = ledger.row(&sku) else {
                continue;
            };
            // Before a give-back, which may return what helpers added.
            if row.added != allocation.added {
                escrow::set_added(&**client, &station, &desk, &sku, row.added).await?;
                added.insert(sku.clone(), row.added);
            }
            if allocation.granted > row.granted {
                reply(store.coop_grant(&sku, allocation.granted, &settings.helper))
                    .await
                    .map_err(store_trouble)?;
            }
            if row.returned > allocation.returned {
                escrow::give_back(&mut client, &station, &desk, &sku, row.returned).await?;
            }
        }
        let pushed = push::pushed_seq(&**client, &station, &desk).await?;
        let decisions_seen = reply(store.coop_decisions_seen())
            .await
            .map_err(store_trouble)?;
        Ok(Session {
            decisions_seen,
            added,
            coop,
            client,
            desk,
            pushed,
            last_block: HashMap::new(),
            wanted: HashMap::new(),
            looked_in: None,
            on_air_agreed: None,
            block_share: settings.config.block,
            every: settings.every,
            batch: settings.batch,
            op_timeout: settings.op_timeout,
            config: settings.config.clone(),
        })
    }

    /// Serves until stopped (`Ok`) or the co-op is lost (`Err`).
    async fn serve(
        &mut self,
        store: &Store,
        requests: &mut mpsc::Receiver<LinkRequest>,
        outlets: &Outlets,
        stop: &mut watch::Receiver<bool>,
    ) -> Result<(), CoopError> {
        let mut ticks = tokio::time::interval(self.every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            tokio::select! {
                biased;
                _ = stopped(stop) => return Ok(()),
                request = requests.recv() => match request {
                    Some(LinkRequest::TopUp { sku, at_least }) => {
                        let within = self.op_timeout;
                        let done = tokio::time::timeout(within, self.top_up(store, &sku, at_least)).await;
                        done.unwrap_or_else(|_| Err(timed_out(&self.config)))?;
                    }
                    Some(LinkRequest::Claim(claim)) => {
                        let within = self.op_timeout;
                        let done =
                            tokio::time::timeout(within, self.claim(store, &claim, outlets)).await;
                        let answer = done.unwrap_or_else(|_| Err(timed_out(&self.config)));
                        let _ = outlets.news.try_send(LinkNews::Claimed {
                            key: claim.key,
                            answer: answer.as_ref().ok().cloned(),
                        });
                        answer?;
                    }
                    None => return Ok(()),
                },
                _ = ticks.tick() => {
                    let within = self.op_timeout;
                    let done = tokio::time::timeout(within, self.tick(store, outlets)).await;
                    done.unwrap_or_else(|_| Err(timed_out(&self.config)))?;
                }
            }
        }
    }

    /// One look: push the outbox, say how it stands, keep the product on
    /// air in hand, and read the pool.
    async fn tick(&mut self, store: &Store, outlets: &Outlets) -> Result<(), CoopError> {
        let waiting = self.push_all(store).await?;
        self.follow_decisions(store, outlets).await?;
        outlets.status.send_if_modified(|now| {
            let next = if waiting == 0 {
                CoopStatus::Synced
            } else {
                CoopStatus::Waiting(waiting)
            };
            let changed = *now != next;
            *now = next;
            changed
        });
        self.keep_on_air(store, waiting).await?;
        let now = escrow::pools(&**self.client).await?;
        outlets.pools.send_if_modified(|known| {
            let changed = *known != now;
            *known = now;
            changed
        });
        Ok(())
    }

    /// Claims deciding an intent for this desk; one lost is kept here as
    /// decided elsewhere before the core hears of it.
    async fn claim(
        &mut self,
        store: &Store,
        claim: &Claim,
        outlets: &Outlets,
    ) -> Result<ClaimAnswer, CoopError> {
        let station = self.coop.station().to_string();
        let answer = inbox::claim(&mut self.client, &station, &self.desk, claim).await?;
        if let ClaimAnswer::Lost(decision) = &answer {
            // Not as followed: decisions before it may still be unread.
            let applied = reply(store.coop_decided_elsewhere(vec![decision.clone()], false))
                .await
                .map_err(store_trouble)?;
            // The core gave up waiting and decided it here too.
            if !applied.doubled.is_empty() {
                let _ = outlets.news.try_send(LinkNews::Doubled(applied.doubled));
            }
        }
        Ok(answer)
    }

    /// Applies what the station's other desks decided since the last look.
    async fn follow_decisions(
        &mut self,
        store: &Store,
        outlets: &Outlets,
    ) -> Result<(), CoopError> {
        const BATCH: i64 = 500;
        let station = self.coop.station().to_string();
        loop {
            let rows = inbox::decided_since(
                &**self.client,
                &station,
                &self.desk,
                self.decisions_seen,
                BATCH,
            )
            .await?;
            let Some(last) = rows.iter().map(|r| r.seq).max() else {
                return Ok(());
            };
            let full = rows.len() as i64 == BATCH;
            let applied = reply(store.coop_decided_elsewhere(rows, true))
                .await
                .map_err(store_trouble)?;
            self.decisions_seen = last;
            if !applied.doubled.is_empty() {
                tracing::warn!(
                    count = applied.doubled.len(),
                    "intents confirmed on two laptops of this station while the co-op was out of reach"
                );
                let _ = outlets.news.try_send(LinkNews::Doubled(applied.doubled));
            }
            if !full {
                return Ok(());
            }
        }
    }

    /// Pushes the outbox until it is empty (or a batch failed); answers
    /// the rows still waiting.
    async fn push_all(&mut self, store: &Store) -> Result<i64, CoopError> {
        let station = self.coop.station().to_string();
        loop {
            let batch = reply(store.outbox(self.pushed, self.batch))
                .await
                .map_err(store_trouble)?;
            if batch.events.is_empty() {
                return Ok(0);
            }
            let pushed = push::push(&mut self.client, &station, &self.desk, &batch).await?;
            self.pushed = pushed.seq;
        }
    }

    /// The product on air: a block in hand, topped up at a third of the
    /// last one; what the desk holds of a product nobody wanted for
    /// `KEEP_AFTER` goes back to the pool.
    async fn keep_on_air(&mut self, store: &Store, waiting: i64) -> Result<(), CoopError> {
        let ledger: Ledger = reply(store.ledger()).await.map_err(store_trouble)?;
        let now = tokio::time::Instant::now();
        if let Some(sku) = &ledger.on_air {
            self.wanted.insert(sku.clone(), now);
        }
        // The hub's "last seen" and the station's product on air: every
        // `LOOK_IN_EVERY`, or at once when a helper here changed it.
        let changed_here = self
            .on_air_agreed
            .as_ref()
            .is_some_and(|agreed| *agreed != ledger.on_air);
        let due = changed_here
            || self
                .looked_in
                .is_none_or(|at| now.duration_since(at) >= LOOK_IN_EVERY);
        if due {
            let station = self.coop.station().to_string();
            let station_on_air = super::hub::look_in(
                &**self.client,
                &station,
                &self.desk,
                ledger.on_air.as_deref(),
                changed_here,
                waiting,
            )
            .await?;
            self.looked_in = Some(now);
            // Another laptop of the station put this on air (or did before
            // this one started): its screens follow.
            let followable = station_on_air
                .as_deref()
                .is_some_and(|sku| ledger.row(sku).is_some());
            if station_on_air != ledger.on_air && followable {
                if let Some(sku) = &station_on_air {
                    reply(store.set_on_air(sku, "co-op"))
                        .await
                        .map_err(store_trouble)?;
                }
            }
            // A product this laptop does not sell is not followed (nor
            // fought over: what it has stays agreed until a helper here
            // changes it).
            self.on_air_agreed = Some(if followable || station_on_air == ledger.on_air {
                station_on_air
            } else {
                ledger.on_air.clone()
            });
        }
        self.tell_added(&ledger).await?;
        for row in ledger.rows.iter().filter(|row| row.joined) {
            let on_air = ledger.on_air.as_deref() == Some(row.sku.as_str());
            let idle = self
                .wanted
                .get(&row.sku)
                .is_none_or(|at| now.duration_since(*at) >= KEEP_AFTER);
            if on_air {
                let low = (self.last_block.get(&row.sku).copied().unwrap_or(0) / 3).max(1);
                if row.stock < low {
                    self.top_up(store, &row.sku, 1).await?;
                }
            } else if row.stock > 0 && idle {
                self.give_back(store, &row.sku).await?;
            }
        }
        Ok(())
    }

    /// Tells the co-op the stock helpers added here since it last heard
    /// (before anything of it is given back).
    async fn tell_added(&mut self, ledger: &Ledger) -> Result<(), CoopError> {
        let station = self.coop.station().to_string();
        for row in ledger.rows.iter().filter(|row| row.joined) {
            if self.added.get(&row.sku).copied().unwrap_or(0) != row.added {
                escrow::set_added(&**self.client, &station, &self.desk, &row.sku, row.added)
                    .await?;
                self.added.insert(row.sku.clone(), row.added);
            }
        }
        Ok(())
    }

    async fn top_up(&mut self, store: &Store, sku: &str, at_least: i64) -> Result<(), CoopError> {
        self.wanted
            .insert(sku.to_string(), tokio::time::Instant::now());
        let station = self.coop.station().to_string();
        let share = self.block_share;
        let grant =
            escrow::take_block(&mut self.client, &station, &self.desk, sku, share, at_least)
                .await?;
        if grant.taken > 0 {
            self.last_block.insert(sku.to_string(), grant.taken);
        }
        reply(store.coop_grant(sku, grant.granted, "co-op"))
            .await
            .map_err(store_trouble)?;
        Ok(())
    }

    async fn give_back(&mut self, store: &Store, sku: &str) -> Result<(), CoopError> {
        let station = self.coop.station().to_string();
        // Here first: once the units are off the desk's stock they can
        // only be sold through the pool.
        let (returned, _) = reply(store.coop_give_back(sku, 0, "co-op"))
            .await
            .map_err(store_trouble)?;
        escrow::give_back(&mut self.client, &station, &self.desk, sku, returned).await?;
        Ok(())
    }

    /// The stream ends: everything held goes back, the outbox is pushed.
    async fn farewell(&mut self, store: &Store) {
        if let Ok(ledger) = reply(store.ledger()).await {
            if self.tell_added(&ledger).await.is_err() {
                return;
            }
            for row in ledger.rows.iter().filter(|r| r.joined && r.stock > 0) {
                if self.give_back(store, &row.sku).await.is_err() {
                    break;
                }
            }
        }
        let _ = self.push_all(store).await;
    }
}
