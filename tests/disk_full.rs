//! A full disk (issue 8, point 9): the store runs on the crash VFS of
//! tests/crash_vfs with its disk made full (every write refused with
//! SQLITE_FULL). A confirm is refused with "the disk is full", the intents
//! seen meanwhile wait in memory, nothing confirmed before is lost, and
//! once there is room again the same confirm goes through and the
//! waiting intents are written.

mod crash_vfs;

use crash_vfs::Disk;
use livestall::catalog::{Catalog, Product};
use livestall::intent::IntentKind;
use livestall::store::{
    wait, ConfirmRequest, IntentKey, NewIntent, Reader, Refusal, Store, StoreError, StoreOptions,
};

fn catalog() -> Catalog {
    Catalog::new(vec![Product {
        sku: "WALNUT".into(),
        name: "核桃".into(),
        aliases: vec![],
        link: 1,
        unit: "袋".into(),
        price_fen: 3500,
        stock: 10,
        limit_per_buyer: None,
    }])
}

fn intent(msg_id: &str) -> NewIntent {
    NewIntent {
        key: IntentKey {
            msg_id: msg_id.into(),
            index: 0,
        },
        source: "json".into(),
        user: format!("u-{msg_id}"),
        user_id: None,
        text: "核桃一袋".into(),
        kind: IntentKind::Order,
        sku: Some("WALNUT".into()),
        qty: Some(1),
        confidence: 0.95,
        received_at_ms: 1,
        note: None,
    }
}

fn confirm(i: &NewIntent) -> ConfirmRequest {
    ConfirmRequest {
        key: i.key.clone(),
        kind: i.kind,
        user: i.user.clone(),
        user_id: None,
        sku: i.sku.clone(),
        qty: i.qty,
        helper: "tester".into(),
    }
}

#[test]
fn a_full_disk_refuses_with_its_reason_and_loses_nothing() {
    let disk = Disk::register("livestall-full-disk");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("orders.db");
    let options = StoreOptions {
        vfs: Some("livestall-full-disk".into()),
        ..StoreOptions::default()
    };
    let (store, _) = Store::open_with(&path, &catalog(), &options).unwrap();
    let a = intent("a");
    wait(store.record(vec![a.clone()])).unwrap();
    wait(store.confirm(confirm(&a))).expect("a is confirmed while there is room");

    disk.fill();
    let b = intent("b");
    store.record_intents(vec![b.clone()]);
    let refused = wait(store.confirm(confirm(&b)));
    match &refused {
        Err(Refusal::Storage(error @ StoreError::DiskFull(_))) => {
            assert!(error.to_string().contains("the disk is full"), "{error}");
        }
        other => panic!("a full disk must be said as such: {other:?}"),
    }
    // Intents seen while the disk is full wait in memory.
    let c = intent("c");
    store.record_intents(vec![c.clone()]);
    assert!(matches!(wait(store.flush()), Err(StoreError::DiskFull(_))));

    disk.empty();
    wait(store.confirm(confirm(&b))).expect("b goes through once there is room");
    wait(store.flush()).expect("the waiting intents are written");
    drop(store);

    let reader = Reader::open(&path).unwrap();
    let orders: Vec<String> = reader
        .orders()
        .unwrap()
        .into_iter()
        .map(|o| o.msg_id)
        .collect();
    assert_eq!(orders, ["a", "b"]);
    let walnut = &reader.inventory().unwrap()[0];
    assert_eq!((walnut.stock, walnut.sold), (8, 2));
    let conn = rusqlite::Connection::open(&path).unwrap();
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
    let c_status: String = conn
        .query_row("SELECT status FROM intents WHERE msg_id = 'c'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(c_status, "pending");
}
