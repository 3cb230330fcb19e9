//! The store under pressure, on real SQLite files: concurrent confirms never
//! oversell, a reply means the commit is on disk, and a database locked by
//! another program gives an error (not a hang) while nothing is lost.

use livestall::catalog::{Catalog, Product};
use livestall::intent::IntentKind;
use livestall::store::{
    wait, ConfirmRequest, IntentKey, NewIntent, Refusal, Store, StoreError, StoreOptions,
};
use std::time::{Duration, Instant};

fn catalog(stock: i64) -> Catalog {
    Catalog::new(vec![Product {
        sku: "millet".into(),
        name: "武乡小米".into(),
        aliases: vec![],
        link: 1,
        unit: "袋".into(),
        price_fen: 3990,
        stock,
        limit_per_buyer: None,
    }])
}

fn order_request(msg_id: &str, user: &str) -> ConfirmRequest {
    ConfirmRequest {
        key: IntentKey {
            msg_id: msg_id.into(),
            index: 0,
        },
        kind: IntentKind::Order,
        user: user.into(),
        user_id: None,
        sku: Some("millet".into()),
        qty: Some(1),
        helper: "tester".into(),
    }
}

#[test]
fn concurrent_confirms_never_oversell() {
    const STOCK: i64 = 25;
    const PER_THREAD: usize = 15;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("shop.db");
    // Two stores on one file: two store threads, two connections, so the
    // database itself (not just the one thread) has to keep them apart.
    let (first, _) = Store::open(&path, &catalog(STOCK)).expect("open");
    let (second, _) = Store::open(&path, &catalog(STOCK)).expect("open again");

    let handles: Vec<_> = (0..4)
        .map(|t| {
            let store = if t % 2 == 0 {
                first.clone()
            } else {
                second.clone()
            };
            std::thread::spawn(move || {
                let mut created = 0;
                let mut out_of_stock = 0;
                for i in 0..PER_THREAD {
                    match wait(
                        store.confirm(order_request(&format!("t{t}-m{i}"), &format!("u{t}-{i}"))),
                    ) {
                        Ok(_) => created += 1,
                        Err(Refusal::Waitlisted { left, .. }) => {
                            assert_eq!(left, 0);
                            out_of_stock += 1;
                        }
                        Err(other) => panic!("unexpected refusal {other:?}"),
                    }
                }
                (created, out_of_stock)
            })
        })
        .collect();
    let mut created = 0;
    let mut refused = 0;
    for handle in handles {
        let (c, r) = handle.join().expect("thread");
        created += c;
        refused += r;
    }
    assert_eq!(created, STOCK as usize);
    assert_eq!(refused, 4 * PER_THREAD - STOCK as usize);

    let conn = rusqlite::Connection::open(&path).expect("check connection");
    let (orders, units): (i64, i64) = conn
        .query_row(
            "SELECT COUNT(*), SUM(qty) FROM orders WHERE status = 'confirmed'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("count");
    assert_eq!((orders, units), (STOCK, STOCK));
    let stock: i64 = conn
        .query_row("SELECT stock FROM products WHERE sku = 'millet'", [], |r| {
            r.get(0)
        })
        .expect("stock");
    assert_eq!(stock, 0);
}

#[test]
fn a_confirm_reply_means_the_order_is_committed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("shop.db");
    let (store, _) = Store::open(&path, &catalog(10)).expect("open");
    for i in 0..20 {
        let msg = format!("m{i}");
        let reply = wait(store.confirm(order_request(&msg, "ann")));
        // Checked on a fresh connection the instant the reply arrives.
        let conn = rusqlite::Connection::open(&path).expect("fresh connection");
        let orders: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM orders WHERE msg_id = ?1",
                [&msg],
                |r| r.get(0),
            )
            .expect("count");
        let stock: i64 = conn
            .query_row("SELECT stock FROM products", [], |r| r.get(0))
            .expect("stock");
        match reply {
            Ok(done) => {
                assert_eq!(orders, 1);
                assert_eq!(stock, done.stock_left);
                let status: String = conn
                    .query_row(
                        "SELECT status FROM intents WHERE msg_id = ?1",
                        [&msg],
                        |r| r.get(0),
                    )
                    .expect("intent");
                assert_eq!(status, "confirmed");
            }
            Err(Refusal::Waitlisted { left: 0, .. }) => {
                assert!(i >= 10);
                assert_eq!((orders, stock), (0, 0));
            }
            Err(other) => panic!("{other:?}"),
        }
    }
}

fn pending_intent(msg_id: &str) -> NewIntent {
    NewIntent {
        key: IntentKey {
            msg_id: msg_id.into(),
            index: 0,
        },
        source: "json".into(),
        user: "ann".into(),
        user_id: None,
        text: "小米来一袋".into(),
        kind: IntentKind::Order,
        sku: Some("millet".into()),
        qty: Some(1),
        confidence: 0.95,
        received_at_ms: 1_700_000_000_000,
        note: None,
    }
}

#[test]
fn a_locked_database_is_an_error_not_a_hang_and_loses_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("shop.db");
    let options = StoreOptions {
        busy_timeout: Duration::from_millis(300),
        ..StoreOptions::default()
    };
    let (store, _) = Store::open_with(&path, &catalog(10), &options).expect("open");
    store.record_intents(vec![pending_intent("m1")]);
    wait(store.flush()).expect("flush");

    let locker = rusqlite::Connection::open(&path).expect("second connection");
    locker.execute_batch("BEGIN EXCLUSIVE").expect("lock");

    let started = Instant::now();
    let refused = wait(store.confirm(order_request("m1", "ann")));
    assert!(
        matches!(refused, Err(Refusal::Storage(StoreError::Locked(_)))),
        "{refused:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "gave up in time"
    );
    // Intents recorded while locked wait in memory; flush says they are not
    // on disk yet.
    store.record_intents(vec![pending_intent("m2")]);
    assert!(matches!(wait(store.flush()), Err(StoreError::Locked(_))));
    assert!(matches!(
        wait(store.reject(
            IntentKey {
                msg_id: "m1".into(),
                index: 0
            },
            "tester".into()
        )),
        Err(StoreError::Locked(_))
    ));

    locker.execute_batch("ROLLBACK").expect("unlock");
    // The refused confirm wrote nothing: m1 is still pending, m2 got written
    // once the lock went away, and confirming now works.
    wait(store.flush()).expect("flush after unlock");
    let pending: Vec<String> = wait(store.pending())
        .expect("pending")
        .into_iter()
        .map(|p| p.intent.key.msg_id)
        .collect();
    assert_eq!(pending, ["m1", "m2"]);
    let done = wait(store.confirm(order_request("m1", "ann"))).expect("confirm after unlock");
    assert_eq!(done.stock_left, 9);
}

#[test]
fn open_errors_name_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing_dir = dir.path().join("no such dir").join("shop.db");
    match Store::open(&missing_dir, &catalog(1)) {
        Err(StoreError::Open { path, .. }) => assert!(path.contains("no such dir")),
        Err(other) => panic!("{other:?}"),
        Ok(_) => panic!("opened a file in a missing folder"),
    }
    let garbage = dir.path().join("garbage.db");
    std::fs::write(&garbage, vec![b'x'; 4096]).expect("write garbage");
    match Store::open(&garbage, &catalog(1)) {
        Err(StoreError::Open { path, reason }) => {
            assert!(path.contains("garbage.db"));
            assert!(!reason.is_empty());
        }
        Err(other) => panic!("{other:?}"),
        Ok(_) => panic!("opened a file that is not a database"),
    }
}

#[test]
fn dropping_the_store_writes_what_was_queued() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("shop.db");
    let (store, _) = Store::open(&path, &catalog(1)).expect("open");
    let clone = store.clone();
    for i in 0..50 {
        clone.record_intents(vec![pending_intent(&format!("m{i}"))]);
    }
    drop(clone);
    drop(store);
    let conn = rusqlite::Connection::open(&path).expect("check connection");
    let rows: i64 = conn
        .query_row("SELECT COUNT(*) FROM intents", [], |r| r.get(0))
        .expect("count");
    assert_eq!(rows, 50);
}

#[test]
fn queuing_never_waits_for_a_stuck_database() {
    // A store that waits up to ten minutes for a lock. While its thread
    // waits, the screen and headless mode go on queuing chat from async
    // code: a send that blocked there would freeze the screen and miss
    // Ctrl-C. Far more than a screenful of chat is queued here.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("shop.db");
    let options = StoreOptions {
        busy_timeout: Duration::from_secs(600),
        ..StoreOptions::default()
    };
    let (store, _) = Store::open_with(&path, &catalog(10), &options).expect("open");
    let locker = rusqlite::Connection::open(&path).expect("second connection");
    locker.execute_batch("BEGIN EXCLUSIVE").expect("lock");
    // The store thread takes this batch and waits on the lock.
    store.record_intents(vec![pending_intent("first")]);

    let (done_tx, done_rx) = std::sync::mpsc::channel();
    let sender = store.clone();
    std::thread::spawn(move || {
        for i in 0..10_000 {
            sender.record_intents(vec![pending_intent(&format!("q{i}"))]);
        }
        let _ = done_tx.send(());
    });
    // Generous: queuing takes milliseconds; only a send that waits for the
    // database (ten minutes) misses it.
    let queued = done_rx.recv_timeout(Duration::from_secs(60));
    locker.execute_batch("ROLLBACK").expect("unlock");
    assert!(queued.is_ok(), "queuing waited for the locked database");

    wait(store.flush()).expect("flush after unlock");
    drop(store);
    let conn = rusqlite::Connection::open(&path).expect("check connection");
    let rows: i64 = conn
        .query_row("SELECT COUNT(*) FROM intents", [], |r| r.get(0))
        .expect("count");
    assert_eq!(rows, 10_001, "every queued intent reached the database");
}
