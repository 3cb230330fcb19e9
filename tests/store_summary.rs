//! The orders view's figures (`StoreJob::OrdersSummary`) read by the real
//! store from a real SQLite file: orders a minute in the window, totals and
//! buyers' carts added up, cancelled orders left out, a changed order
//! counted at its new quantity. Orders are confirmed by the store, then put
//! at known times (the store stamps them with the wall clock).

use livestall::catalog::{Catalog, Product};
use livestall::intent::IntentKind;
use livestall::store::{
    wait, AmendTo, BuyerTotal, ConfirmRequest, IntentKey, NewIntent, OrderAmend, Store,
};
use std::path::Path;

fn product(sku: &str, link: u32, price_fen: i64) -> Product {
    Product {
        sku: sku.into(),
        name: sku.to_lowercase(),
        aliases: vec![],
        link,
        unit: "袋".into(),
        price_fen,
        stock: 100,
        limit_per_buyer: None,
    }
}

fn catalog() -> Catalog {
    Catalog::new(vec![
        product("MILLET", 1, 3990),
        product("WALNUT", 2, 3500),
        product("HONEY", 3, 5800),
    ])
}

/// One message with one order, recorded and confirmed.
fn order(store: &Store, msg_id: &str, user: &str, user_id: Option<&str>, sku: &str, qty: u32) {
    let key = IntentKey {
        msg_id: msg_id.into(),
        index: 0,
    };
    store.record_intents(vec![NewIntent {
        key: key.clone(),
        source: "json".into(),
        user: user.into(),
        user_id: user_id.map(str::to_string),
        text: format!("{sku} x{qty}"),
        kind: IntentKind::Order,
        sku: Some(sku.into()),
        qty: Some(qty),
        confidence: 0.95,
        received_at_ms: 0,
        note: None,
    }]);
    wait(store.confirm(ConfirmRequest {
        key,
        kind: IntentKind::Order,
        user: user.into(),
        user_id: user_id.map(str::to_string),
        sku: Some(sku.into()),
        qty: Some(qty),
        helper: "小王".into(),
    }))
    .unwrap_or_else(|e| panic!("{msg_id}: {e}"));
}

/// A minute-aligned start of the window (10:00 UTC on a day in 2026).
const T0: i64 = 1_790_000_000_000 / 60_000 * 60_000;

/// Five orders in confirming order:
/// 1 李姐 (id u1) MILLET x2     5 minutes before the window
/// 2 李姐 (id u1) WALNUT x1     minute 0
/// 3 Tom (no id)  MILLET x1     minute 1, changed to x4
/// 4 阿强         HONEY x1      minute 1, cancelled
/// 5 兰兰         MILLET x1     minute 29
fn evening(db: &Path) -> Store {
    let (store, _) = Store::open(db, &catalog()).unwrap();
    order(&store, "m1", "李姐", Some("u1"), "MILLET", 2);
    order(&store, "m2", "李姐·改名", Some("u1"), "WALNUT", 1);
    order(&store, "m3", "Tom", None, "MILLET", 1);
    order(&store, "m4", "阿强", None, "HONEY", 1);
    order(&store, "m5", "兰兰", None, "MILLET", 1);
    for (order_id, to) in [(3, AmendTo::Qty(4)), (4, AmendTo::Cancel)] {
        wait(store.amend_order(OrderAmend {
            order_id,
            to,
            helper: "小王".into(),
        }))
        .unwrap();
    }
    drop(store);
    let conn = rusqlite::Connection::open(db).unwrap();
    for (order_id, at) in [
        (1, T0 - 5 * 60_000),
        (2, T0 + 30_000),
        (3, T0 + 95_000),
        (4, T0 + 100_000),
        (5, T0 + 29 * 60_000 + 10_000),
    ] {
        conn.execute(
            "UPDATE orders SET confirmed_at = ?2 WHERE order_id = ?1",
            [order_id, at],
        )
        .unwrap();
    }
    drop(conn);
    Store::open(db, &catalog()).unwrap().0
}

#[test]
fn orders_a_minute_totals_and_buyers() {
    let dir = tempfile::tempdir().unwrap();
    let store = evening(&dir.path().join("shop.db"));

    let summary = wait(store.orders_summary(T0, 30, 200)).unwrap();
    assert_eq!(summary.since_ms, T0);
    assert_eq!(summary.per_minute.len(), 30);
    let mut want = vec![0u32; 30];
    want[0] = 1; // order 2
    want[1] = 1; // order 3; order 4 was cancelled
    want[29] = 1; // order 5
    assert_eq!(summary.per_minute, want);

    // Order 1 is before the window but still the shop's.
    assert_eq!(summary.orders, 4);
    assert_eq!(summary.units, 2 + 1 + 4 + 1, "order 3 counts as changed");
    assert_eq!(summary.revenue_fen, 2 * 3990 + 3500 + 4 * 3990 + 3990);
    assert_eq!(summary.buyer_count, 3, "阿强's only order was cancelled");
    assert_eq!(
        summary.buyers,
        vec![
            BuyerTotal {
                buyer: "name:Tom".into(),
                user: "Tom".into(),
                orders: 1,
                units: 4,
                total_fen: 4 * 3990,
            },
            BuyerTotal {
                buyer: "id:u1".into(),
                // The name on the buyer's latest order.
                user: "李姐·改名".into(),
                orders: 2,
                units: 3,
                total_fen: 2 * 3990 + 3500,
            },
            BuyerTotal {
                buyer: "name:兰兰".into(),
                user: "兰兰".into(),
                orders: 1,
                units: 1,
                total_fen: 3990,
            },
        ]
    );
}

#[test]
fn a_later_window_and_the_biggest_buyers_only() {
    let dir = tempfile::tempdir().unwrap();
    let store = evening(&dir.path().join("shop.db"));

    // From minute 1: order 2 falls before it, order 5 in its minute 28.
    let summary = wait(store.orders_summary(T0 + 60_000, 30, 2)).unwrap();
    let mut want = vec![0u32; 30];
    want[0] = 1;
    want[28] = 1;
    assert_eq!(summary.per_minute, want);
    assert_eq!(summary.buyer_count, 3);
    let buyers: Vec<&str> = summary.buyers.iter().map(|b| b.buyer.as_str()).collect();
    assert_eq!(buyers, ["name:Tom", "id:u1"]);
    assert_eq!(summary.orders, 4, "the totals are every buyer's");

    // A window after every order: all minutes empty, the totals the same.
    let later = wait(store.orders_summary(T0 + 120 * 60_000, 30, 200)).unwrap();
    assert_eq!(later.per_minute, vec![0u32; 30]);
    assert_eq!(later.orders, 4);
}

#[test]
fn an_empty_shop_has_nothing_to_add_up() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = Store::open(&dir.path().join("shop.db"), &catalog()).unwrap();
    let summary = wait(store.orders_summary(T0, 30, 200)).unwrap();
    assert_eq!(summary.per_minute, vec![0u32; 30]);
    assert_eq!(
        (summary.orders, summary.units, summary.revenue_fen),
        (0, 0, 0)
    );
    assert!(summary.buyers.is_empty());
}
