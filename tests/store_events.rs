//! The store's answers to the app's driver: jobs handed over with
//! `Store::submit`, every answer a `StoreEvent` on one bounded channel, in
//! the order the jobs were given.

use livestall::catalog::{Catalog, Product};
use livestall::intent::IntentKind;
use livestall::store::{
    ConfirmRequest, IntentKey, NewIntent, OrderAction, Refusal, Store, StoreEvent, StoreJob,
};
use std::time::Duration;
use tokio::sync::mpsc;

fn catalog() -> Catalog {
    Catalog::new(vec![Product {
        sku: "millet".into(),
        name: "小米".into(),
        aliases: vec![],
        link: 1,
        unit: "袋".into(),
        price_fen: 3990,
        stock: 3,
        limit_per_buyer: None,
    }])
}

fn key(msg_id: &str) -> IntentKey {
    IntentKey {
        msg_id: msg_id.into(),
        index: 0,
    }
}

fn intent(msg_id: &str, qty: u32) -> NewIntent {
    NewIntent {
        key: key(msg_id),
        source: "json".into(),
        user: "ann".into(),
        user_id: None,
        text: "小米".into(),
        kind: IntentKind::Order,
        sku: Some("millet".into()),
        qty: Some(qty),
        confidence: 0.9,
        received_at_ms: 1,
        note: None,
    }
}

fn confirm(msg_id: &str, qty: u32) -> StoreJob {
    StoreJob::Confirm(ConfirmRequest {
        key: key(msg_id),
        kind: IntentKind::Order,
        user: "ann".into(),
        user_id: None,
        sku: Some("millet".into()),
        qty: Some(qty),
        helper: "tester".into(),
    })
}

async fn next(events: &mut mpsc::Receiver<StoreEvent>) -> StoreEvent {
    tokio::time::timeout(Duration::from_secs(30), events.recv())
        .await
        .expect("the store answers")
        .expect("the channel is open")
}

#[tokio::test]
async fn every_job_is_answered_on_the_one_channel_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = Store::open(&dir.path().join("o.db"), &catalog()).unwrap();
    let (tx, mut events) = mpsc::channel(8);

    store.submit(StoreJob::Record(vec![intent("a", 2), intent("b", 2)]), &tx);
    store.submit(confirm("a", 2), &tx);
    store.submit(confirm("b", 2), &tx);
    store.submit(
        StoreJob::Reject {
            key: key("b"),
            helper: "tester".into(),
        },
        &tx,
    );
    store.submit(StoreJob::Inventory, &tx);
    store.submit(StoreJob::Flush, &tx);

    let StoreEvent::Confirmed(k, done) = next(&mut events).await else {
        panic!("a is confirmed first");
    };
    assert_eq!(
        (k, done.action, done.qty, done.stock_left),
        (key("a"), OrderAction::Created, 2, 1)
    );
    assert_eq!(
        next(&mut events).await,
        StoreEvent::Refused(key("b"), Refusal::Waitlisted { place: 1, left: 1 })
    );
    // A waitlisted intent stays undecided, so a helper may still reject it.
    assert_eq!(next(&mut events).await, StoreEvent::Rejected(key("b")));
    let StoreEvent::Inventory(rows) = next(&mut events).await else {
        panic!("inventory");
    };
    assert_eq!((rows[0].stock, rows[0].sold), (1, 2));
    assert_eq!(next(&mut events).await, StoreEvent::Flushed(Ok(())));

    // Recording the same chat again (a replay) says what was decided before.
    store.submit(StoreJob::Record(vec![intent("a", 2), intent("c", 1)]), &tx);
    store.submit(StoreJob::Pending, &tx);
    assert_eq!(
        next(&mut events).await,
        StoreEvent::AlreadyDecided(vec![key("a")])
    );
    let StoreEvent::Pending(pending) = next(&mut events).await else {
        panic!("pending");
    };
    let keys: Vec<_> = pending.iter().map(|p| p.intent.key.clone()).collect();
    assert_eq!(keys, [key("c")]);
}

/// Undo takes back a confirmation whose order is still open (the order
/// goes, its units come back, the intent is pending and may be confirmed
/// again) and a rejection; anything else is refused and changes nothing.
#[test]
fn decisions_are_undone_in_one_transaction() {
    use livestall::store::{wait, AmendTo, OrderAmend, Refusal};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("o.db");
    let (store, _) = Store::open(&db, &catalog()).unwrap();
    let rows = |sql: &str| -> i64 {
        rusqlite::Connection::open(&db)
            .unwrap()
            .query_row(sql, [], |r| r.get(0))
            .unwrap()
    };
    store.record_intents(vec![intent("a", 2), intent("b", 1)]);
    let StoreJob::Confirm(confirm_a) = confirm("a", 2) else {
        unreachable!()
    };
    let first = wait(store.confirm(confirm_a.clone())).unwrap();
    assert_eq!(first.stock_left, 1);

    let undone = wait(store.undo(key("a"), "小王")).unwrap();
    let order = undone.order.expect("the order is taken back");
    assert_eq!(
        (order.order_id, order.qty, order.stock_left, order.sold),
        (first.order_id, 2, 3, 0)
    );
    assert_eq!(rows("SELECT COUNT(*) FROM orders"), 0, "a slip is no sale");
    assert_eq!(
        rows("SELECT COUNT(*) FROM intents WHERE msg_id = 'a' AND status = 'pending'"),
        1
    );
    assert_eq!(
        rows("SELECT COUNT(*) FROM events WHERE action = 'undone' AND helper = '小王'"),
        1
    );
    assert_eq!(
        wait(store.undo(key("a"), "小王")),
        Err(Refusal::CannotUndo),
        "nothing left to undo"
    );

    // Confirmed again after the undo: a new order, not a duplicate.
    let again = wait(store.confirm(confirm_a)).unwrap();
    assert_ne!(again.order_id, first.order_id);
    // Once the order was put right by its number, undo no longer applies.
    wait(store.amend_order(OrderAmend {
        order_id: again.order_id,
        to: AmendTo::Qty(1),
        helper: "x".into(),
    }))
    .unwrap();
    wait(store.amend_order(OrderAmend {
        order_id: again.order_id,
        to: AmendTo::Cancel,
        helper: "x".into(),
    }))
    .unwrap();
    assert_eq!(wait(store.undo(key("a"), "x")), Err(Refusal::CannotUndo));
    assert_eq!(rows("SELECT stock FROM products"), 3);

    wait(store.reject(key("b"), "x".into())).unwrap();
    let undone = wait(store.undo(key("b"), "x")).unwrap();
    assert_eq!(undone.order, None);
    assert_eq!(
        rows("SELECT COUNT(*) FROM intents WHERE msg_id = 'b' AND status = 'pending'"),
        1
    );
    assert_eq!(
        wait(store.undo(key("never"), "x")),
        Err(Refusal::CannotUndo)
    );
}

#[test]
fn a_bulk_rejection_is_one_transaction_over_the_undecided() {
    use livestall::store::wait;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("o.db");
    let (store, _) = Store::open(&db, &catalog()).unwrap();
    store.record_intents((0..500).map(|i| intent(&format!("r{i}"), 1)).collect());
    let StoreJob::Confirm(first) = confirm("r0", 1) else {
        unreachable!()
    };
    wait(store.confirm(first)).unwrap();
    let keys: Vec<_> = (0..500).map(|i| key(&format!("r{i}"))).collect();
    wait(store.reject_many(keys, "小王".into())).unwrap();
    let conn = rusqlite::Connection::open(&db).unwrap();
    let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(
        count("SELECT COUNT(*) FROM intents WHERE status = 'rejected'"),
        499
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM intents WHERE status = 'confirmed'"),
        1,
        "a decided intent keeps its decision"
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM events WHERE action = 'rejected'"),
        499
    );
}
