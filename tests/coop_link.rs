//! Two stations' links to one co-op on a real PostgreSQL server that is
//! killed (immediate shutdown) in the middle of selling and started again,
//! or cut off from one station by a partition (a proxy that stops
//! forwarding) and healed: the stations sell scarce shared stock as fast
//! as they can, each only from what it holds while it cannot reach the
//! co-op, and at the end every acknowledged order is in the co-op exactly
//! once and sold = initial − left, exactly.

mod pg_support;

use livestall::coop::link::{self, CoopStatus, LinkRequest, LinkSettings};
use livestall::store::{reply, Refusal, Store, StoreJob};
use pg_support::{coop_config, millet, runtime, sql as psql};
use std::time::Duration;
use tokio::sync::{mpsc, watch};

const INITIAL: i64 = 2000;

fn record(store: &Store, msg_id: &str) {
    pg_support::record_order(store, msg_id, &format!("买家{msg_id}"), 1);
}

async fn confirm(store: &Store, msg_id: &str) -> Result<u32, Refusal> {
    pg_support::confirm_order(store, msg_id, &format!("买家{msg_id}"), 1)
        .await
        .map(|()| 1)
}

struct Station {
    store: Store,
    requests: mpsc::Sender<LinkRequest>,
    status: watch::Receiver<CoopStatus>,
    link: tokio::task::JoinHandle<()>,
    _dir: tempfile::TempDir,
}

async fn station(url: &str, name: &str, stop: &watch::Receiver<bool>) -> Station {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = Store::open(&dir.path().join("shop.db"), &millet(INITIAL)).unwrap();
    let (tx, _rx) = mpsc::channel(16);
    store.submit(
        StoreJob::SetOnAir {
            sku: "XM-5J".into(),
            helper: "helper".into(),
        },
        &tx,
    );
    let mut settings = LinkSettings::new(coop_config(url, name), millet(INITIAL), "helper");
    settings.every = Duration::from_millis(50);
    // A partition is noticed within a second.
    settings.op_timeout = Duration::from_secs(1);
    // As `livestall` does: the products join before anything is sold
    // (a confirm before it would sell the station's own stock).
    link::join_all(&settings, &store).await.unwrap();
    let (requests, wants) = mpsc::channel(64);
    let (status_tx, status) = watch::channel(CoopStatus::Connecting);
    let link = tokio::spawn(link::run(
        settings,
        store.clone(),
        wants,
        status_tx,
        stop.clone(),
    ));
    Station {
        store,
        requests,
        status,
        link,
        _dir: dir,
    }
}

/// Sells one unit at a time for `for_how_long`: when the desk holds none
/// the order waits in line, the link is asked for a block, and the same
/// order is confirmed again (it is first in line). Answers the units
/// acknowledged and the times an order had to wait.
async fn sell(s: &Station, prefix: &str, for_how_long: Duration) -> (u32, u32) {
    let start = tokio::time::Instant::now();
    let (mut sold, mut waited, mut n) = (0, 0, 0);
    let mut waiting: Option<String> = None;
    while start.elapsed() < for_how_long {
        let msg_id = match waiting.take() {
            Some(msg_id) => msg_id,
            None => {
                n += 1;
                let msg_id = format!("{prefix}-{n}");
                record(&s.store, &msg_id);
                msg_id
            }
        };
        match confirm(&s.store, &msg_id).await {
            Ok(qty) => sold += qty,
            Err(Refusal::Waitlisted { .. }) | Err(Refusal::OutOfStock { .. }) => {
                waited += 1;
                waiting = Some(msg_id);
                let _ = s.requests.try_send(LinkRequest::TopUp {
                    sku: "XM-5J".into(),
                    at_least: 1,
                });
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Err(other) => panic!("{other:?}"),
        }
    }
    (sold, waited)
}

/// Waits (20 s at most) until every station's link says what `ready`
/// looks for.
async fn settled(stations: &[&Station], ready: impl Fn(&CoopStatus) -> bool + Copy) {
    for s in stations {
        let mut status = s.status.clone();
        tokio::time::timeout(Duration::from_secs(20), status.wait_for(ready))
            .await
            .expect("the link settled in time")
            .unwrap();
    }
}

/// Units the stations hold, and were granted in all, by their ledgers.
async fn holdings(stations: [&Station; 2]) -> (i64, i64) {
    let (mut held, mut granted) = (0, 0);
    for s in stations {
        let row = reply(s.store.ledger()).await.unwrap().rows[0].clone();
        held += row.stock;
        granted += row.granted;
    }
    (held, granted)
}

#[test]
fn a_killed_co_op_loses_no_acknowledged_order_and_nothing_is_sold_twice() {
    let Some(server) = pg_support::Server::start() else {
        return;
    };
    let url = server.database();
    let rt = runtime();
    let (stop_tx, stop) = watch::channel(false);
    let (acknowledged, offline_seen) = rt.block_on(async {
        let a = station(&url, "王家峪", &stop).await;
        let b = station(&url, "砖壁", &stop).await;
        // Both online and holding a block.
        settled(&[&a, &b], |st| matches!(st, CoopStatus::Synced | CoopStatus::Waiting(_))).await;
        let (a1, _) = sell(&a, "a1", Duration::from_millis(400)).await;
        let (b1, _) = sell(&b, "b1", Duration::from_millis(400)).await;

        // The co-op goes down hard in the middle of the stream: each desk
        // can sell what it holds and no more. (A block the co-op granted
        // just before going down may still land: count after a moment.)
        server.kill();
        tokio::time::sleep(Duration::from_millis(300)).await;
        let (held_at_kill, granted_at_kill) = holdings([&a, &b]).await;
        let ((a2, _), (b2, _)) = tokio::join!(
            sell(&a, "a2", Duration::from_millis(1500)),
            sell(&b, "b2", Duration::from_millis(1500))
        );
        assert!(
            i64::from(a2 + b2) <= held_at_kill,
            "sold {} while the co-op was down, holding {held_at_kill}",
            a2 + b2
        );
        assert_eq!(
            holdings([&a, &b]).await.1,
            granted_at_kill,
            "nothing was granted while the co-op was down"
        );
        let offline_seen = [&a, &b]
            .iter()
            .all(|s| matches!(*s.status.borrow(), CoopStatus::Offline { .. }));
        server.start_again().unwrap();
        // Back: they sell the rest of the pool between them.
        let ((a3, _), (b3, _)) = tokio::join!(
            sell(&a, "a3", Duration::from_secs(4)),
            sell(&b, "b3", Duration::from_secs(4))
        );
        // Let the outboxes drain, then end the stream.
        settled(&[&a, &b], |st| *st == CoopStatus::Synced).await;
        stop_tx.send(true).unwrap();
        for s in [a, b] {
            s.link.await.unwrap();
        }
        eprintln!(
            "sold before the kill {a1}+{b1}, while down {a2}+{b2} (holding {held_at_kill}), after {a3}+{b3}"
        );
        assert!(a3 + b3 > 0, "selling went on once the co-op was back");
        (a1 + a2 + a3 + b1 + b2 + b3, offline_seen)
    });
    assert!(offline_seen, "both stations saw the co-op go offline");
    // Every unit sold once: the pool, the desks' holdings and the sales
    // add up to the initial stock, and the pool is never negative.
    let pool: i64 = psql(&url, "SELECT pool FROM products").parse().unwrap();
    let held: i64 = psql(
        &url,
        "SELECT COALESCE(sum(granted + added - returned), 0) FROM allocations",
    )
    .parse()
    .unwrap();
    let in_coop: i64 = psql(
        &url,
        "SELECT COALESCE(sum(qty), 0) FROM orders WHERE status = 'confirmed'",
    )
    .parse()
    .unwrap();
    assert_eq!(
        in_coop,
        i64::from(acknowledged),
        "every acknowledged order reached the co-op"
    );
    assert_eq!(
        psql(&url, "SELECT count(*) FROM (SELECT station, desk, order_id FROM orders GROUP BY 1, 2, 3 HAVING count(*) > 1) d"),
        "0"
    );
    assert!(pool >= 0);
    // The stream ended: the desks gave back what they held.
    assert_eq!(
        held, in_coop,
        "the desks hold nothing beyond what they sold"
    );
    // What the desks held unsold when the stream ended went back.
    assert_eq!(
        i64::from(acknowledged) + pool,
        INITIAL,
        "sold = initial − left"
    );
}

#[test]
fn a_partitioned_station_sells_its_allocation_and_no_further() {
    let Some(server) = pg_support::Server::start() else {
        return;
    };
    let direct = server.database();
    // 王家峪 reaches the co-op through a proxy that will stop forwarding;
    // 砖壁 reaches it directly and keeps selling from the pool.
    let proxy = pg_support::Proxy::start(server.port);
    let through_proxy = direct.replace(&format!(":{}/", server.port), &format!(":{}/", proxy.port));
    let rt = runtime();
    let (stop_tx, stop) = watch::channel(false);
    let acknowledged = rt.block_on(async {
        let a = station(&through_proxy, "王家峪", &stop).await;
        let b = station(&direct, "砖壁", &stop).await;
        settled(&[&a, &b], |st| {
            matches!(st, CoopStatus::Synced | CoopStatus::Waiting(_))
        })
        .await;
        let (a1, _) = sell(&a, "a1", Duration::from_millis(300)).await;
        let (b1, _) = sell(&b, "b1", Duration::from_millis(300)).await;

        proxy.partition();
        // The partition is noticed (no error, just silence) and 王家峪
        // sells what it holds; 砖壁 goes on with the pool.
        let mut status = a.status.clone();
        tokio::time::timeout(
            Duration::from_secs(10),
            status.wait_for(|st| matches!(st, CoopStatus::Offline { .. })),
        )
        .await
        .expect("the partition was noticed")
        .unwrap();
        let (held, granted) = holdings([&a, &a]).await;
        let ((a2, _), (b2, _)) = tokio::join!(
            sell(&a, "a2", Duration::from_millis(1500)),
            sell(&b, "b2", Duration::from_millis(1500))
        );
        assert!(
            i64::from(a2) <= held / 2,
            "王家峪 sold {a2} while cut off, holding {}",
            held / 2
        );
        assert_eq!(
            holdings([&a, &a]).await.1,
            granted,
            "nothing granted across the partition"
        );
        // The cut-off station holds no lock the others wait on.
        assert!(b2 > 0, "砖壁 went on selling from the pool");
        let pool: i64 = psql(&direct, "SELECT pool FROM products").parse().unwrap();
        assert!(pool >= 0);

        proxy.heal();
        let ((a3, _), (b3, _)) = tokio::join!(
            sell(&a, "a3", Duration::from_secs(3)),
            sell(&b, "b3", Duration::from_secs(3))
        );
        // The outboxes drain once the partition healed.
        settled(&[&a, &b], |st| *st == CoopStatus::Synced).await;
        stop_tx.send(true).unwrap();
        for s in [a, b] {
            s.link.await.unwrap();
        }
        eprintln!("partition: before {a1}+{b1}, during {a2}+{b2}, after {a3}+{b3}");
        a1 + a2 + a3 + b1 + b2 + b3
    });
    let pool: i64 = psql(&direct, "SELECT pool FROM products").parse().unwrap();
    let in_coop: i64 = psql(
        &direct,
        "SELECT COALESCE(sum(qty), 0) FROM orders WHERE status = 'confirmed'",
    )
    .parse()
    .unwrap();
    assert_eq!(
        in_coop,
        i64::from(acknowledged),
        "every acknowledged order reached the co-op"
    );
    assert_eq!(
        i64::from(acknowledged) + pool,
        INITIAL,
        "sold = initial − left"
    );
}

/// A station whose co-op cannot be reached goes on alone: it reads chat
/// and takes orders, which wait in line with the link offline and saying
/// why; it sells nothing from the stock it had on its own, which belongs
/// to the co-op's pool (another station may be selling it).
#[test]
fn a_station_that_never_reached_its_co_op_sells_nothing_shared() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("postgres://livestall:x@127.0.0.1:{port}/coop");
    let rt = runtime();
    let (stop_tx, stop) = watch::channel(false);
    rt.block_on(async {
        let a = station(&url, "王家峪", &stop).await;
        let mut status = a.status.clone();
        tokio::time::timeout(
            Duration::from_secs(10),
            status.wait_for(|st| matches!(st, CoopStatus::Offline { .. })),
        )
        .await
        .expect("offline is told")
        .unwrap();
        let CoopStatus::Offline { why, .. } = a.status.borrow().clone() else {
            unreachable!()
        };
        assert_eq!(why.kind(), "unreachable");
        let row = reply(a.store.ledger()).await.unwrap().rows[0].clone();
        assert!(row.joined);
        assert_eq!((row.stock, row.seed), (0, INITIAL));
        record(&a.store, "m1");
        let refused = confirm(&a.store, "m1").await;
        assert!(
            matches!(refused, Err(Refusal::Waitlisted { .. })),
            "{refused:?}"
        );
        stop_tx.send(true).unwrap();
        a.link.await.unwrap();
    });
}

/// A block taken for an order of a product not on air (a viewer ordering
/// another link) stays in hand while the helper gets to it: it is given
/// back only once nobody has wanted the product for a while.
#[test]
fn a_block_for_a_product_off_the_air_stays_for_the_waiting_order() {
    let Some(url) = pg_support::database() else {
        return;
    };
    runtime().block_on(async {
        let dir = tempfile::tempdir().unwrap();
        // Nothing is put on air.
        let (store, _) = Store::open(&dir.path().join("shop.db"), &millet(INITIAL)).unwrap();
        let mut settings =
            LinkSettings::new(coop_config(&url, "王家峪"), millet(INITIAL), "helper");
        settings.every = Duration::from_millis(50);
        let (stop_tx, stop) = watch::channel(false);
        let (handle, task) = link::spawn(settings, store.clone(), stop);
        let mut status = handle.status.clone();
        status
            .wait_for(|st| matches!(st, CoopStatus::Synced | CoopStatus::Waiting(_)))
            .await
            .unwrap();
        handle
            .requests
            .send(LinkRequest::TopUp {
                sku: "XM-5J".into(),
                at_least: 3,
            })
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(200)).await;
        let held = reply(store.ledger()).await.unwrap().rows[0].stock;
        assert!(held >= 3, "a block was taken: {held}");
        // Twenty ticks later it is still in hand for the order.
        tokio::time::sleep(Duration::from_millis(1000)).await;
        assert_eq!(reply(store.ledger()).await.unwrap().rows[0].stock, held);
        // The stream ends: it goes back.
        stop_tx.send(true).unwrap();
        task.await.unwrap();
        assert_eq!(reply(store.ledger()).await.unwrap().rows[0].stock, 0);
    });
    assert_eq!(psql(&url, "SELECT pool FROM products"), INITIAL.to_string());
}
