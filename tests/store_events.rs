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
        user: "ann".into(),
        user_id: None,
        text: "小米".into(),
        kind: IntentKind::Order,
        sku: Some("millet".into()),
        qty: Some(qty),
        confidence: 0.9,
        received_at_ms: 1,
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
        StoreEvent::Refused(key("b"), Refusal::OutOfStock { left: 1 })
    );
    // A refused intent stays pending, so a helper may still reject it.
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
