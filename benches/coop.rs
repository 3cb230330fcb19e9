//! The co-op on a real PostgreSQL on loopback (a throwaway server, as the
//! tests start one; skipped with a notice without PostgreSQL):
//! - a confirm that needs the co-op: the desk holds none, the order waits,
//!   a block is taken and applied, the confirm goes through (p50/p99);
//! - taking a block alone;
//! - a helper's confirm as it is made online: claimed in the station's
//!   shared inbox, then confirmed from what the desk holds;
//! - sync lag: 1,000 confirms a second through a running link, each
//!   timed from its commit on the station to its arrival in the co-op;
//! - three stations confirming at once on scarce stock: none oversold.
//!
//! `cargo bench --bench coop`; figures are printed, not asserted (a
//! shared machine's timings are not a test).

#[path = "../tests/pg_support/mod.rs"]
mod pg_support;

use livestall::coop::link::{self, CoopStatus, LinkSettings};
use livestall::coop::{escrow, Coop};
use livestall::store::{reply, Refusal, Store, StoreJob};
use pg_support::{coop_config as coop, millet as catalog};

/// Records and confirms one bag for the buyer of `msg_id`.
async fn confirm(store: &Store, msg_id: &str) -> Result<(), Refusal> {
    pg_support::record_order(store, msg_id, &format!("买家{msg_id}"), 1);
    retry(store, msg_id).await
}

/// Confirms the order of `msg_id` again (it waited in line).
async fn retry(store: &Store, msg_id: &str) -> Result<(), Refusal> {
    pg_support::confirm_order(store, msg_id, &format!("买家{msg_id}"), 1).await
}

use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch};

fn percentiles(mut samples: Vec<Duration>) -> String {
    samples.sort();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q) as usize];
    format!(
        "p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms ({} samples)",
        at(0.5).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3,
        at(1.0).as_secs_f64() * 1e3,
        samples.len()
    )
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let Some(server) = pg_support::Server::start() else {
        return;
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        confirm_needing_the_coop(&server.database()).await;
        claimed_confirm(&server.database()).await;
        sync_lag(&server.database()).await;
        three_stations(&server.database()).await;
    });
}

/// Every confirm finds the desk empty: waits, a block of exactly one unit
/// is taken and applied, and the confirm goes through.
async fn confirm_needing_the_coop(url: &str) {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = Store::open(&dir.path().join("shop.db"), &catalog(1_000_000)).unwrap();
    let opened = Coop::open(&coop(url, "王家峪")).await.unwrap();
    let mut client = opened.client().await.unwrap();
    let desk = reply(store.desk()).await.unwrap();
    escrow::register_desk(&**client, "王家峪", &desk, "bench")
        .await
        .unwrap();
    escrow::seed(
        &**client,
        "王家峪",
        &[escrow::SeedProduct {
            sku: "XM-5J".into(),
            name: "太行小米 5斤装".into(),
            unit: "袋".into(),
            price_fen: 3990,
            stock: 1_000_000,
        }],
    )
    .await
    .unwrap();
    reply(store.coop_join(vec!["XM-5J".into()], "bench"))
        .await
        .unwrap();
    let (mut whole, mut blocks) = (Vec::new(), Vec::new());
    for n in 0..2_000 {
        let msg_id = format!("m{n}");
        let start = Instant::now();
        match confirm(&store, &msg_id).await {
            Err(Refusal::Waitlisted { .. }) => {}
            other => panic!("the desk held stock: {other:?}"),
        }
        let asked = Instant::now();
        let grant = escrow::take_block(&mut client, "王家峪", &desk, "XM-5J", 0.0, 1)
            .await
            .unwrap();
        blocks.push(asked.elapsed());
        reply(store.coop_grant("XM-5J", grant.granted, "bench"))
            .await
            .unwrap();
        retry(&store, &msg_id).await.unwrap();
        whole.push(start.elapsed());
    }
    println!(
        "a confirm that takes its unit from the co-op (wait, block, apply, confirm): {}",
        percentiles(whole)
    );
    println!(
        "taking a block alone (one statement): {}",
        percentiles(blocks)
    );
}

/// A helper's `y` while the co-op answers: the claim (one transaction in
/// the shared inbox), then the confirm from the desk's own stock.
async fn claimed_confirm(url: &str) {
    use livestall::coop::inbox::{self, Claim, ClaimAnswer};
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = Store::open(&dir.path().join("shop.db"), &catalog(1_000_000)).unwrap();
    let opened = Coop::open(&coop(url, "石门")).await.unwrap();
    let mut client = opened.client().await.unwrap();
    let desk = reply(store.desk()).await.unwrap();
    escrow::register_desk(&**client, "石门", &desk, "bench")
        .await
        .unwrap();
    let (mut claims, mut whole) = (Vec::new(), Vec::new());
    for n in 0..2_000 {
        let msg_id = format!("c{n}");
        pg_support::record_order(&store, &msg_id, "阿花", 1);
        let start = Instant::now();
        let claim = Claim {
            key: livestall::store::IntentKey {
                msg_id: msg_id.clone(),
                index: 0,
            },
            helper: "bench".into(),
            confirmed: true,
            user: "阿花".into(),
            kind: livestall::intent::IntentKind::Order,
            sku: Some("XM-5J".into()),
            qty: Some(1),
        };
        let answer = inbox::claim(&mut client, "石门", &desk, &claim)
            .await
            .unwrap();
        assert_eq!(answer, ClaimAnswer::Won);
        claims.push(start.elapsed());
        retry(&store, &msg_id).await.unwrap();
        whole.push(start.elapsed());
    }
    println!("a claim in the shared inbox: {}", percentiles(claims));
    println!(
        "a helper's confirm online (claim, then confirm from the desk's stock): {}",
        percentiles(whole)
    );
}

/// 1,000 confirms a second for 10 s through a running link; each order's
/// lag from its commit here to its arrival in the co-op.
async fn sync_lag(url: &str) {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = Store::open(&dir.path().join("shop.db"), &catalog(1_000_000)).unwrap();
    let (stop_tx, stop) = watch::channel(false);
    let (jobs, _) = mpsc::channel(4);
    store.submit(
        StoreJob::SetOnAir {
            sku: "XM-5J".into(),
            helper: "bench".into(),
        },
        &jobs,
    );
    let (handle, task) = link::spawn(
        LinkSettings::new(coop(url, "王家峪"), catalog(1_000_000), "bench"),
        store.clone(),
        stop,
    );
    let mut status = handle.status.clone();
    status
        .wait_for(|s| matches!(s, CoopStatus::Synced | CoopStatus::Waiting(_)))
        .await
        .unwrap();
    // A block of a tenth of a million is in hand within a tick.
    tokio::time::sleep(Duration::from_millis(500)).await;

    let watcher = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    let (client, connection) = watcher;
    tokio::spawn(connection);
    let (seen_tx, mut seen_rx) = mpsc::unbounded_channel::<(Instant, i64)>();
    let polling = tokio::spawn(async move {
        loop {
            let count: i64 = client
                .query_one("SELECT count(*) FROM orders", &[])
                .await
                .unwrap()
                .get(0);
            if seen_tx.send((Instant::now(), count)).is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    });
    let mut committed = Vec::new();
    let start = Instant::now();
    let mut ticks = tokio::time::interval(Duration::from_millis(1));
    for n in 0..10_000 {
        ticks.tick().await;
        confirm(&store, &format!("lag{n}")).await.unwrap();
        committed.push(Instant::now());
    }
    let rate = committed.len() as f64 / start.elapsed().as_secs_f64();
    tokio::time::timeout(
        Duration::from_secs(30),
        status.wait_for(|s| *s == CoopStatus::Synced),
    )
    .await
    .unwrap()
    .unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    polling.abort();
    let mut seen = Vec::new();
    while let Ok(s) = seen_rx.try_recv() {
        seen.push(s);
    }
    let lags: Vec<Duration> = committed
        .iter()
        .enumerate()
        .filter_map(|(i, at)| {
            seen.iter()
                .find(|(_, count)| *count > i as i64)
                .map(|(when, _)| when.saturating_duration_since(*at))
        })
        .collect();
    println!(
        "sync lag at {rate:.0} confirms a second (link looking every 200 ms): {}",
        percentiles(lags)
    );
    stop_tx.send(true).unwrap();
    let _ = task.await;
}

/// Three stations, each confirming as fast as it can on 3,000 shared
/// units: sold = initial − left.
async fn three_stations(url: &str) {
    const INITIAL: i64 = 3_000;
    let (stop_tx, stop) = watch::channel(false);
    let mut stations = Vec::new();
    for name in ["王家峪", "砖壁", "县中心"] {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = Store::open(&dir.path().join("shop.db"), &catalog(INITIAL)).unwrap();
        let (jobs, _) = mpsc::channel(4);
        store.submit(
            StoreJob::SetOnAir {
                sku: "XM-5J".into(),
                helper: "bench".into(),
            },
            &jobs,
        );
        let settings = LinkSettings::new(coop(url, name), catalog(INITIAL), "bench");
        // As `livestall` does: the products join before anything is sold
        // (a confirm before it would sell the station's own stock).
        link::join_all(&settings, &store).await.unwrap();
        let (handle, task) = link::spawn(settings, store.clone(), stop.clone());
        stations.push((dir, store, handle, task, name));
    }
    let start = Instant::now();
    let mut sellers = Vec::new();
    for (_, store, handle, _, name) in &stations {
        let (store, requests, name) = (store.clone(), handle.requests.clone(), name.to_string());
        sellers.push(tokio::spawn(async move {
            let (mut sold, mut n, mut idle) = (0i64, 0, 0);
            let mut waiting: Option<String> = None;
            while idle < 50 {
                let result = match waiting.take() {
                    // First in line: the same order again.
                    Some(msg_id) => retry(&store, &msg_id).await.map_err(|e| (e, msg_id)),
                    None => {
                        n += 1;
                        let msg_id = format!("{name}-{n}");
                        confirm(&store, &msg_id).await.map_err(|e| (e, msg_id))
                    }
                };
                match result {
                    Ok(()) => {
                        sold += 1;
                        idle = 0;
                    }
                    Err((_, msg_id)) => {
                        idle += 1;
                        waiting = Some(msg_id);
                        let _ = requests.try_send(link::LinkRequest::TopUp {
                            sku: "XM-5J".into(),
                            at_least: 1,
                        });
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                }
            }
            sold
        }));
    }
    let mut sold = 0;
    for s in sellers {
        sold += s.await.unwrap();
    }
    let took = start.elapsed();
    stop_tx.send(true).unwrap();
    for (_, _, _, task, _) in stations {
        let _ = task.await;
    }
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    let pool: i64 = client
        .query_one("SELECT pool FROM products", &[])
        .await
        .unwrap()
        .get(0);
    let in_coop: i64 = client
        .query_one(
            "SELECT COALESCE(sum(qty), 0)::bigint FROM orders WHERE status = 'confirmed'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    println!(
        "three stations on {INITIAL} shared units: sold {sold} in {:.1} s, {in_coop} in the co-op, {pool} left in the pool: sold + left = {} ({})",
        took.as_secs_f64(),
        sold + pool,
        if sold + pool == INITIAL && in_coop == sold { "exact" } else { "WRONG" }
    );
}
