//! The store's contract on real SQLite files: pragmas, seeding across
//! reopen, batching, replay, limits, cancel and change, and the CSV export.

use livestall::catalog::{Catalog, Product};
use livestall::intent::suggest::Note;
use livestall::intent::IntentKind;
use livestall::store::{
    wait, write_orders_csv, ConfirmRequest, Confirmed, IntentKey, NewIntent, OrderAction, OrderRow,
    Refusal, Store, ORDERS_CSV_HEADER,
};
use std::path::Path;

fn product(sku: &str, link: u32, price_fen: i64, stock: i64, limit: Option<u32>) -> Product {
    Product {
        sku: sku.into(),
        name: format!("{sku} 名"),
        aliases: vec![],
        link,
        unit: "袋".into(),
        price_fen,
        stock,
        limit_per_buyer: limit,
    }
}

fn catalog() -> Catalog {
    Catalog::new(vec![
        product("millet", 1, 3990, 10, None),
        product("giftbox", 2, 8800, 5, Some(2)),
    ])
}

fn key(msg_id: &str, index: u32) -> IntentKey {
    IntentKey {
        msg_id: msg_id.into(),
        index,
    }
}

fn intent(
    msg_id: &str,
    user: &str,
    kind: IntentKind,
    sku: Option<&str>,
    qty: Option<u32>,
) -> NewIntent {
    NewIntent {
        key: key(msg_id, 0),
        source: "json".into(),
        user: user.into(),
        user_id: None,
        text: format!("text of {msg_id}"),
        kind,
        sku: sku.map(str::to_string),
        qty,
        confidence: 0.9,
        received_at_ms: 1_700_000_000_000,
        note: None,
    }
}

fn request(
    msg_id: &str,
    user: &str,
    kind: IntentKind,
    sku: Option<&str>,
    qty: Option<u32>,
) -> ConfirmRequest {
    ConfirmRequest {
        key: key(msg_id, 0),
        kind,
        user: user.into(),
        user_id: None,
        sku: sku.map(str::to_string),
        qty,
        helper: "tester".into(),
    }
}

fn order(
    store: &Store,
    msg_id: &str,
    user: &str,
    sku: &str,
    qty: u32,
) -> Result<Confirmed, Refusal> {
    wait(store.confirm(request(
        msg_id,
        user,
        IntentKind::Order,
        Some(sku),
        Some(qty),
    )))
}

fn stock_of(store: &Store, sku: &str) -> i64 {
    let rows = wait(store.inventory()).expect("inventory");
    rows.iter()
        .find(|r| r.sku == sku)
        .expect("sku in inventory")
        .stock
}

fn open(path: &Path, catalog: &Catalog) -> Store {
    Store::open(path, catalog).expect("open store").0
}

#[test]
fn pragmas_are_in_force() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("shop.db");
    let store = open(&path, &catalog());

    let settings = wait(store.settings()).expect("settings");
    assert_eq!(settings.journal_mode.to_lowercase(), "wal");
    assert_eq!(settings.synchronous, 2, "synchronous=FULL");
    assert!(settings.foreign_keys);
    assert!(settings.busy_timeout_ms >= 1000);

    // journal_mode and the schema version live in the file: a second
    // connection sees them.
    let other = rusqlite::Connection::open(&path).expect("second connection");
    let mode: String = other
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .expect("journal_mode");
    assert_eq!(mode.to_lowercase(), "wal");
    let version: i64 = other
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .expect("user_version");
    assert_eq!(version, livestall::store::SCHEMA_VERSION);
    assert!(version >= 1);
}

#[test]
fn seeding_then_config_changes_on_reopen() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("shop.db");
    let (store, report) = Store::open(&path, &catalog()).expect("first open");
    assert_eq!(
        report.seeded,
        vec!["millet".to_string(), "giftbox".to_string()]
    );
    assert!(report.stock_differs.is_empty());
    order(&store, "m1", "ann", "millet", 3).expect("order");
    drop(store);

    // Reopen with edited config: new price and name, stock edited, a new SKU.
    let mut edited = catalog();
    edited.products[0].price_fen = 4200;
    edited.products[0].name = "武乡小米".into();
    edited.products[0].stock = 50;
    edited.products.push(product("walnut", 3, 2500, 7, None));
    let (store, report) = Store::open(&path, &edited).expect("reopen");
    assert_eq!(report.seeded, vec!["walnut".to_string()]);
    // The database owns stock: 10 - 3 = 7 stays, config's 50 is only reported.
    // giftbox is unchanged in config and database.
    assert_eq!(report.stock_differs, vec![("millet".to_string(), 50, 7)]);

    let inventory = wait(store.inventory()).expect("inventory");
    let skus: Vec<&str> = inventory.iter().map(|r| r.sku.as_str()).collect();
    assert_eq!(skus, ["millet", "giftbox", "walnut"]);
    assert_eq!(inventory[0].stock, 7);
    assert_eq!(inventory[0].sold, 3);
    assert_eq!(inventory[0].price_fen, 4200);
    assert_eq!(inventory[0].name, "武乡小米");
    assert_eq!(inventory[2].stock, 7);
    // Orders keep the price they were confirmed at.
    let orders = wait(store.orders()).expect("orders");
    assert_eq!(orders[0].unit_price_fen, 3990);
    assert_eq!(orders[0].total_fen, 3 * 3990);
}

#[test]
fn a_thousand_recorded_intents_are_all_written_by_flush() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("shop.db");
    let store = open(&path, &catalog());
    for i in 0..1000 {
        store.record_intents(vec![intent(
            &format!("m{i}"),
            "ann",
            IntentKind::Order,
            Some("millet"),
            Some(1),
        )]);
    }
    wait(store.flush()).expect("flush");

    let other = rusqlite::Connection::open(&path).expect("second connection");
    let rows: i64 = other
        .query_row(
            "SELECT COUNT(*) FROM intents WHERE status = 'pending'",
            [],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(rows, 1000);
    let pending = wait(store.pending()).expect("pending");
    assert_eq!(pending.len(), 1000);
    assert_eq!(pending[0].intent.text, "text of m0");
    assert_eq!(pending[0].intent.kind, IntentKind::Order);
}

/// Why an intent waits for the helper (a suggestion, an uncertain
/// reading) outlives a restart; a note a later build wrote and this one
/// does not know reads as none.
#[test]
fn an_intent_s_note_is_kept_across_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("shop.db");
    {
        let store = open(&path, &catalog());
        let mut suggested = intent("s1", "ann", IntentKind::Order, Some("millet"), Some(2));
        suggested.note = Some(Note::SameAsAbove);
        let mut uncertain = intent("c1", "bob", IntentKind::Cancel, None, None);
        uncertain.note = Some(Note::OldOrder);
        let plain = intent("p1", "cy", IntentKind::Order, Some("millet"), Some(1));
        let unknown = intent("u1", "dee", IntentKind::Order, Some("millet"), Some(1));
        store.record_intents(vec![suggested, uncertain, plain, unknown]);
        wait(store.flush()).expect("flush");
    }
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute(
            "UPDATE intents SET note = 'from_the_future' WHERE msg_id = 'u1'",
            [],
        )
        .unwrap();
    let store = open(&path, &catalog());
    let notes: Vec<(String, Option<Note>)> = wait(store.pending())
        .expect("pending")
        .into_iter()
        .map(|p| (p.intent.key.msg_id, p.intent.note))
        .collect();
    assert_eq!(
        notes,
        [
            ("c1".to_string(), Some(Note::OldOrder)),
            ("p1".to_string(), None),
            ("s1".to_string(), Some(Note::SameAsAbove)),
            ("u1".to_string(), None),
        ]
    );
}

/// Confirms sent without waiting (an auto-confirm burst) are committed
/// together by the store thread; each must still end as if sent alone and
/// in order, and be answered only once another connection can read it.
#[test]
fn a_burst_of_confirms_ends_as_if_sent_one_by_one_and_each_answer_follows_its_commit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("shop.db");
    let store = open(&path, &catalog());
    let buyers: Vec<String> = (0..30).map(|i| format!("buyer{i}")).collect();
    for (i, buyer) in buyers.iter().enumerate() {
        let msg_id = format!("m{i}");
        store.record_intents(vec![intent(
            &msg_id,
            buyer,
            IntentKind::Order,
            Some("millet"),
            Some(1),
        )]);
    }
    let replies: Vec<_> = buyers
        .iter()
        .enumerate()
        .map(|(i, buyer)| {
            let msg_id = format!("m{i}");
            store.confirm(request(
                &msg_id,
                buyer,
                IntentKind::Order,
                Some("millet"),
                Some(1),
            ))
        })
        .collect();

    let other = rusqlite::Connection::open(&path).expect("second connection");
    let status_now = |msg_id: &str| -> String {
        other
            .query_row(
                "SELECT status FROM intents WHERE msg_id = ?1",
                [msg_id],
                |r| r.get(0),
            )
            .expect("intent row")
    };
    // millet has 10 in stock: the first ten are orders, the rest wait in line.
    for (i, reply) in replies.into_iter().enumerate() {
        let msg_id = format!("m{i}");
        let result = wait(reply);
        if i < 10 {
            let done = result.unwrap_or_else(|r| panic!("{msg_id}: {r:?}"));
            assert_eq!(done.stock_left, 9 - i as i64, "{msg_id}");
            assert_eq!(status_now(&msg_id), "confirmed", "{msg_id}");
        } else {
            let place = i as u32 - 9;
            assert_eq!(
                result,
                Err(Refusal::Waitlisted { place, left: 0 }),
                "{msg_id}"
            );
            assert_eq!(status_now(&msg_id), "waitlisted", "{msg_id}");
        }
    }
    assert_eq!(stock_of(&store, "millet"), 0);
    let orders = wait(store.orders()).expect("orders");
    let msg_ids: Vec<&str> = orders.iter().map(|o| o.msg_id.as_str()).collect();
    let first_ten: Vec<String> = (0..10).map(|i| format!("m{i}")).collect();
    assert_eq!(msg_ids, first_ten);
}

#[test]
fn replayed_chat_never_orders_a_message_twice() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("shop.db");
    let chat = vec![
        intent("a", "ann", IntentKind::Order, Some("millet"), Some(2)),
        intent("b", "bob", IntentKind::Order, Some("millet"), Some(1)),
    ];
    let store = open(&path, &catalog());
    store.record_intents(chat.clone());
    let first_a = order(&store, "a", "ann", "millet", 2).expect("a ordered");
    order(&store, "b", "bob", "millet", 1).expect("b ordered");
    // Within the same run, a second confirm is a duplicate.
    assert_eq!(
        order(&store, "a", "ann", "millet", 2),
        Err(Refusal::Duplicate {
            order_id: first_a.order_id
        })
    );
    drop(store);

    // After a reconnect or restart the same chat arrives again.
    let store = open(&path, &catalog());
    store.record_intents(chat);
    // Re-recording did not reset the decided intents to pending.
    assert!(wait(store.pending()).expect("pending").is_empty());
    for (msg, user, qty) in [("a", "ann", 2), ("b", "bob", 1)] {
        match order(&store, msg, user, "millet", qty) {
            Err(Refusal::Duplicate { .. }) => {}
            other => panic!("replayed {msg} gave {other:?}"),
        }
    }
    // Another intent index of the same message, same product: still refused
    // by the (msg_id, sku) uniqueness.
    let mut second = request("a", "ann", IntentKind::Order, Some("millet"), Some(1));
    second.key.index = 1;
    assert_eq!(
        wait(store.confirm(second)),
        Err(Refusal::Duplicate {
            order_id: first_a.order_id
        })
    );
    let orders = wait(store.orders()).expect("orders");
    assert_eq!(orders.len(), 2);
    assert_eq!(stock_of(&store, "millet"), 10 - 3);
}

#[test]
fn per_buyer_limit_counts_confirmed_orders_per_buyer() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(&dir.path().join("shop.db"), &catalog());
    order(&store, "g1", "ann", "giftbox", 1).expect("first within limit");
    assert_eq!(
        order(&store, "g2", "ann", "giftbox", 2),
        Err(Refusal::OverLimit {
            limit: 2,
            already: 1
        })
    );
    order(&store, "g3", "ann", "giftbox", 1).expect("up to the limit");
    // Another buyer has their own allowance.
    order(&store, "g4", "bob", "giftbox", 2).expect("bob within limit");
    // A user id identifies the buyer even under a new display name.
    let mut renamed = request("g5", "ann2", IntentKind::Order, Some("giftbox"), Some(1));
    renamed.user_id = Some("uid-7".into());
    wait(store.confirm(renamed.clone())).expect("uid-7 first order");
    renamed.key.msg_id = "g6".into();
    renamed.user = "ann3".into();
    renamed.qty = Some(2);
    assert_eq!(
        wait(store.confirm(renamed)),
        Err(Refusal::OverLimit {
            limit: 2,
            already: 1
        })
    );
    // A cancelled order frees the allowance.
    let cancel = request("g7", "ann", IntentKind::Cancel, Some("giftbox"), None);
    wait(store.confirm(cancel)).expect("cancel");
    order(&store, "g8", "ann", "giftbox", 1).expect("after cancel");
    // 5 seeded; ann 1+1, bob 2, uid-7 1, ann's cancel returns 1, ann 1 again.
    assert_eq!(stock_of(&store, "giftbox"), 0);
}

#[test]
fn refusals_out_of_stock_unknown_and_missing_product() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("shop.db");
    let store = open(&path, &catalog());
    store.record_intents(vec![intent(
        "big",
        "ann",
        IntentKind::Order,
        Some("millet"),
        Some(11),
    )]);
    assert_eq!(
        order(&store, "big", "ann", "millet", 11),
        // More than stock holds: it waits first in line for a restock.
        Err(Refusal::Waitlisted { place: 1, left: 10 })
    );
    assert_eq!(
        order(&store, "x", "ann", "caviar", 1),
        Err(Refusal::UnknownProduct("caviar".into()))
    );
    assert_eq!(
        wait(store.confirm(request("y", "ann", IntentKind::Order, None, Some(1)))),
        Err(Refusal::NoProduct)
    );
    assert_eq!(
        wait(store.confirm(request("z", "ann", IntentKind::Cancel, None, None))),
        Err(Refusal::NoOpenOrder)
    );
    // Refusals leave stock alone and are recorded; the waitlisted order is
    // the only one still undecided.
    assert_eq!(stock_of(&store, "millet"), 10);
    let undecided = wait(store.pending()).expect("pending");
    assert_eq!(undecided.len(), 1);
    assert!(undecided[0].waitlisted && undecided[0].intent.key.msg_id == "big");
    let other = rusqlite::Connection::open(&path).expect("second connection");
    let status: String = other
        .query_row("SELECT status FROM intents WHERE msg_id = 'big'", [], |r| {
            r.get(0)
        })
        .expect("intent row");
    assert_eq!(status, "waitlisted");
    // Qty None orders one.
    let one = wait(store.confirm(request("n", "ann", IntentKind::Order, Some("millet"), None)))
        .expect("order");
    assert_eq!(one.qty, 1);
    assert_eq!(one.stock_left, 9);
}

#[test]
fn cancel_restores_stock_and_keeps_the_row() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(&dir.path().join("shop.db"), &catalog());
    let first = order(&store, "o1", "ann", "millet", 2).expect("o1");
    let second = order(&store, "o2", "ann", "giftbox", 1).expect("o2");
    order(&store, "o3", "bob", "millet", 4).expect("o3");
    assert_eq!(stock_of(&store, "millet"), 4);

    // No product named: the buyer's most recent order of any product.
    let cancelled =
        wait(store.confirm(request("c1", "ann", IntentKind::Cancel, None, None))).expect("cancel");
    assert_eq!(cancelled.action, OrderAction::Cancelled);
    assert_eq!(cancelled.order_id, second.order_id);
    assert_eq!(stock_of(&store, "giftbox"), 5);
    // Named product: that product's order; bob's order is untouched.
    let cancelled = wait(store.confirm(request(
        "c2",
        "ann",
        IntentKind::Cancel,
        Some("millet"),
        None,
    )))
    .expect("cancel");
    assert_eq!(cancelled.order_id, first.order_id);
    assert_eq!(cancelled.qty, 2);
    assert_eq!(cancelled.stock_left, 6);
    assert_eq!(cancelled.sold, 4);
    // Nothing left for ann; a replayed cancel does not touch bob.
    assert_eq!(
        wait(store.confirm(request("c3", "ann", IntentKind::Cancel, None, None))),
        Err(Refusal::NoOpenOrder)
    );
    assert_eq!(
        wait(store.confirm(request(
            "c2",
            "ann",
            IntentKind::Cancel,
            Some("millet"),
            None
        ))),
        Err(Refusal::Duplicate {
            order_id: first.order_id
        })
    );

    let orders = wait(store.orders()).expect("orders");
    let statuses: Vec<(&str, &str)> = orders
        .iter()
        .map(|o| (o.msg_id.as_str(), o.status.as_str()))
        .collect();
    assert_eq!(
        statuses,
        [
            ("o1", "cancelled"),
            ("o2", "cancelled"),
            ("o3", "confirmed")
        ]
    );
}

#[test]
fn change_sets_the_new_total_and_adjusts_stock() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(&dir.path().join("shop.db"), &catalog());
    let placed = order(&store, "o1", "ann", "millet", 2).expect("o1");
    let changed = wait(store.confirm(request("ch1", "ann", IntentKind::Change, None, Some(5))))
        .expect("change up");
    assert_eq!(changed.action, OrderAction::Changed);
    assert_eq!(changed.order_id, placed.order_id);
    assert_eq!(changed.qty, 5);
    assert_eq!(changed.stock_left, 5);
    let changed = wait(store.confirm(request(
        "ch2",
        "ann",
        IntentKind::Change,
        Some("millet"),
        Some(1),
    )))
    .expect("change down");
    assert_eq!(changed.stock_left, 9);
    // An increase the stock cannot cover is refused and changes nothing.
    assert_eq!(
        wait(store.confirm(request("ch3", "ann", IntentKind::Change, None, Some(11)))),
        Err(Refusal::OutOfStock { left: 9 })
    );
    // The per-buyer limit applies to changes too.
    order(&store, "g1", "ann", "giftbox", 1).expect("giftbox");
    assert_eq!(
        wait(store.confirm(request(
            "ch4",
            "ann",
            IntentKind::Change,
            Some("giftbox"),
            Some(3)
        ))),
        Err(Refusal::OverLimit {
            limit: 2,
            already: 1
        })
    );
    assert_eq!(
        wait(store.confirm(request("ch5", "bob", IntentKind::Change, None, Some(3)))),
        Err(Refusal::NoOpenOrder)
    );
    let orders = wait(store.orders()).expect("orders");
    assert_eq!(orders[0].qty, 1);
    assert_eq!(orders[0].total_fen, 3990);
    assert_eq!(stock_of(&store, "millet"), 9);
}

#[test]
fn reject_takes_an_intent_out_of_the_inbox_but_not_a_confirmed_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(&dir.path().join("shop.db"), &catalog());
    store.record_intents(vec![
        intent("r1", "ann", IntentKind::Order, Some("millet"), Some(1)),
        intent("r2", "bob", IntentKind::Order, Some("millet"), Some(1)),
    ]);
    wait(store.reject(key("r1", 0), "tester".into())).expect("reject");
    order(&store, "r2", "bob", "millet", 1).expect("confirm r2");
    wait(store.reject(key("r2", 0), "tester".into()))
        .expect("reject of a confirmed intent is a no-op");
    assert!(wait(store.pending()).expect("pending").is_empty());
    assert_eq!(wait(store.orders()).expect("orders")[0].status, "confirmed");
}

fn row(order_id: i64, user: &str, name: &str, status: &str) -> OrderRow {
    OrderRow {
        order_id,
        msg_id: format!("msg-{order_id}"),
        user: user.into(),
        sku: "millet".into(),
        name: name.into(),
        qty: 2,
        unit_price_fen: 3990,
        total_fen: 7980,
        status: status.into(),
        confirmed_at: "2026-11-29T12:30:05+08:00".into(),
        helper: "helper".into(),
        unit: "袋".into(),
        text: format!("{name} x2"),
        buyer: format!("name:{user}"),
        source: "抖音".into(),
        confirmed_at_ms: 1_796_099_405_000,
        cancelled_at_ms: None,
        changed_at_ms: None,
    }
}

#[test]
fn csv_has_bom_header_quoting_and_formula_guard() {
    let rows = vec![
        row(1, "李姐", "武乡小米", "confirmed"),
        row(2, "=HYPERLINK(\"http://x\",\"win\")", "a, b", "cancelled"),
        row(3, "+1 fan", "line\nbreak", "confirmed"),
        row(4, "@boss", "-minus", "confirmed"),
    ];
    let mut out = Vec::new();
    write_orders_csv(&rows, &mut out).expect("write");
    assert!(out.starts_with(&[0xEF, 0xBB, 0xBF]), "UTF-8 BOM");
    let text = String::from_utf8(out[3..].to_vec()).expect("utf-8");
    let mut lines = text.split("\r\n");
    assert_eq!(lines.next(), Some(ORDERS_CSV_HEADER));
    // The first eleven columns are as they always were; new ones only follow.
    assert!(ORDERS_CSV_HEADER.starts_with(
        "order_id,msg_id,user,sku,name,qty,unit_price,total,status,confirmed_at,helper,"
    ));
    assert_eq!(
        ORDERS_CSV_HEADER,
        "order_id,msg_id,user,sku,name,qty,unit_price,total,status,confirmed_at,helper,\
         unit,text,cancelled_at,changed_at,buyer,source"
    );
    assert_eq!(
        lines.next(),
        Some(
            "1,msg-1,李姐,millet,武乡小米,2,39.90,79.80,confirmed,2026-11-29T12:30:05+08:00,helper,\
             袋,武乡小米 x2,,,name:李姐,抖音"
        )
    );
    assert_eq!(
        lines.next(),
        Some("2,msg-2,\"'=HYPERLINK(\"\"http://x\"\",\"\"win\"\")\",millet,\"a, b\",2,39.90,79.80,cancelled,2026-11-29T12:30:05+08:00,helper,\
              袋,\"a, b x2\",,,\"name:=HYPERLINK(\"\"http://x\"\",\"\"win\"\")\",抖音")
    );
    assert_eq!(
        lines.next(),
        Some("3,msg-3,'+1 fan,millet,\"line\nbreak\",2,39.90,79.80,confirmed,2026-11-29T12:30:05+08:00,helper,\
              袋,\"line\nbreak x2\",,,name:+1 fan,抖音")
    );
    assert_eq!(
        lines.next(),
        Some("4,msg-4,'@boss,millet,'-minus,2,39.90,79.80,confirmed,2026-11-29T12:30:05+08:00,helper,\
              袋,'-minus x2,,,name:@boss,抖音")
    );
    assert_eq!(lines.next(), Some(""));
    assert_eq!(lines.next(), None);
}

#[test]
fn orders_from_the_store_export_with_local_times() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(&dir.path().join("shop.db"), &catalog());
    order(&store, "e1", "ann", "millet", 3).expect("order");
    let orders = wait(store.orders()).expect("orders");
    let parsed = chrono::DateTime::parse_from_rfc3339(&orders[0].confirmed_at).expect("rfc3339");
    let age = chrono::Utc::now().signed_duration_since(parsed);
    assert!(
        age.num_seconds().abs() < 60,
        "confirmed_at is now: {}",
        orders[0].confirmed_at
    );
    let mut out = Vec::new();
    write_orders_csv(&orders, &mut out).expect("write");
    let text = String::from_utf8_lossy(&out);
    assert!(
        text.contains(",e1,ann,millet,millet 名,3,39.90,119.70,confirmed,"),
        "{text}"
    );
}

#[test]
fn a_decision_that_overtakes_its_intent_is_not_undone_by_a_late_record() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(&dir.path().join("shop.db"), &catalog());
    // Confirmed straight from the chat pane, before (or without) a record.
    order(&store, "late", "ann", "millet", 1).expect("order");
    store.record_intents(vec![intent(
        "late",
        "ann",
        IntentKind::Order,
        Some("millet"),
        Some(1),
    )]);
    assert!(wait(store.pending()).expect("pending").is_empty());
}

#[test]
fn a_database_from_a_newer_build_is_refused_by_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("future.db");
    drop(open(&path, &catalog()));
    let conn = rusqlite::Connection::open(&path).expect("connection");
    conn.pragma_update(None, "user_version", 99)
        .expect("bump version");
    drop(conn);
    match Store::open(&path, &catalog()) {
        Err(livestall::store::StoreError::Open { path, reason }) => {
            assert!(path.ends_with("future.db"));
            assert!(reason.contains("99"), "{reason}");
        }
        Err(other) => panic!("{other:?}"),
        Ok(_) => panic!("opened a database of an unknown schema"),
    }
}

fn intent_at(
    msg_id: &str,
    kind: IntentKind,
    sku: Option<&str>,
    qty: Option<u32>,
    at: i64,
) -> NewIntent {
    NewIntent {
        received_at_ms: at,
        ..intent(msg_id, "阿花", kind, sku, qty)
    }
}

#[test]
fn a_rejected_intent_never_becomes_an_order_even_when_confirmed_later() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(&dir.path().join("shop.db"), &catalog());
    store.record_intents(vec![intent(
        "m1",
        "阿花",
        IntentKind::Order,
        Some("millet"),
        Some(2),
    )]);
    wait(store.reject(key("m1", 0), "tester".into())).expect("reject");
    // Replayed chat under --auto-confirm would try exactly this.
    assert_eq!(
        order(&store, "m1", "阿花", "millet", 2),
        Err(Refusal::Rejected)
    );
    assert_eq!(stock_of(&store, "millet"), 10);
    assert!(wait(store.orders()).expect("orders").is_empty());
    assert!(wait(store.pending()).expect("pending").is_empty());
}

#[test]
fn a_cancel_said_before_an_order_does_not_undo_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(&dir.path().join("shop.db"), &catalog());
    let t0 = 1_700_000_000_000;
    // "不要了" at t0 (about nothing yet), then a fresh order at t0 + 5 s.
    store.record_intents(vec![
        intent_at("cancel-early", IntentKind::Cancel, None, None, t0),
        intent_at(
            "order-late",
            IntentKind::Order,
            Some("millet"),
            Some(3),
            t0 + 5_000,
        ),
    ]);
    order(&store, "order-late", "阿花", "millet", 3).expect("order");
    let cancel = wait(store.confirm(request(
        "cancel-early",
        "阿花",
        IntentKind::Cancel,
        None,
        None,
    )));
    assert_eq!(cancel, Err(Refusal::NoOpenOrder));
    // The same for a change.
    store.record_intents(vec![intent_at(
        "change-early",
        IntentKind::Change,
        Some("millet"),
        Some(1),
        t0 + 1_000,
    )]);
    let change = wait(store.confirm(request(
        "change-early",
        "阿花",
        IntentKind::Change,
        Some("millet"),
        Some(1),
    )));
    assert_eq!(change, Err(Refusal::NoOpenOrder));
    assert_eq!(stock_of(&store, "millet"), 7);

    // A cancel said after the order does act on it.
    store.record_intents(vec![intent_at(
        "cancel-late",
        IntentKind::Cancel,
        None,
        None,
        t0 + 9_000,
    )]);
    let done = wait(store.confirm(request(
        "cancel-late",
        "阿花",
        IntentKind::Cancel,
        None,
        None,
    )))
    .expect("cancel");
    assert_eq!(done.action, OrderAction::Cancelled);
    assert_eq!(stock_of(&store, "millet"), 10);
}

#[test]
fn record_reports_the_replayed_intents_already_decided() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(&dir.path().join("shop.db"), &catalog());
    let first = vec![
        intent("m1", "阿花", IntentKind::Order, Some("millet"), Some(1)),
        intent("m2", "老王", IntentKind::Order, Some("millet"), Some(1)),
        intent("m3", "小李", IntentKind::Order, Some("millet"), Some(1)),
    ];
    assert_eq!(wait(store.record(first.clone())).expect("record"), vec![]);
    order(&store, "m1", "阿花", "millet", 1).expect("confirm m1");
    wait(store.reject(key("m2", 0), "tester".into())).expect("reject m2");
    // The chat is replayed after a restart: m3 is still the helper's to decide.
    let decided = wait(store.record(first)).expect("record again");
    assert_eq!(decided, vec![key("m1", 0), key("m2", 0)]);
    let pending = wait(store.pending()).expect("pending");
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].intent.key, key("m3", 0));
}

#[test]
fn reading_verbs_do_not_create_a_database_at_a_wrong_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("typo.db");
    let options = livestall::store::StoreOptions {
        create: false,
        ..Default::default()
    };
    match Store::open_with(&path, &catalog(), &options) {
        Err(livestall::store::StoreError::Open { path: p, reason }) => {
            assert!(p.contains("typo.db"), "{p}");
            assert!(reason.contains("no database"), "{reason}");
        }
        Err(other) => panic!("unexpected error {other}"),
        Ok(_) => panic!("opened a database that does not exist"),
    }
    assert!(!path.exists(), "a database file was created");
    // An existing one opens as usual.
    drop(open(&path, &catalog()));
    assert!(Store::open_with(&path, &catalog(), &options).is_ok());
}

#[test]
fn learned_aliases_are_kept_moved_forgotten_and_read_back_read_only() {
    use livestall::store::{AliasRefusal, Reader};
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("shop.db");
    let store = open(&path, &catalog());
    let learned = wait(store.learn_alias(" 黄小米 ", "millet", "小王", Some("m7"))).expect("learn");
    assert_eq!(
        (learned.phrase.as_str(), learned.sku.as_str()),
        ("黄小米", "millet")
    );
    assert_eq!(
        wait(store.learn_alias("金米", "no-such-sku", "小王", None)),
        Err(AliasRefusal::UnknownProduct("no-such-sku".into()))
    );
    assert_eq!(
        wait(store.learn_alias("  ", "millet", "小王", None)),
        Err(AliasRefusal::Empty)
    );
    wait(store.learn_alias("礼包", "millet", "小王", None)).expect("learn");
    // Taught again: the phrase moves to the other product.
    wait(store.learn_alias("礼包", "giftbox", "小李", None)).expect("relearn");
    let list = wait(store.learned_aliases()).expect("list");
    let pairs: Vec<_> = list
        .iter()
        .map(|a| (a.phrase.as_str(), a.sku.as_str(), a.helper.as_str()))
        .collect();
    assert_eq!(
        pairs,
        vec![("黄小米", "millet", "小王"), ("礼包", "giftbox", "小李")]
    );
    assert!(wait(store.forget_alias("黄小米", "小王")).expect("forget"));
    assert!(!wait(store.forget_alias("黄小米", "小王")).expect("forget again"));
    drop(store);

    let before = std::fs::read(&path).expect("read db");
    let read = Reader::open(&path)
        .and_then(|reader| reader.learned_aliases())
        .expect("read-only");
    assert_eq!(read.len(), 1);
    assert_eq!(
        (read[0].phrase.as_str(), read[0].sku.as_str()),
        ("礼包", "giftbox")
    );
    assert_eq!(
        std::fs::read(&path).expect("read db"),
        before,
        "reading wrote"
    );
    assert!(Reader::open(&dir.path().join("missing.db")).is_err());
    assert!(!dir.path().join("missing.db").exists());
}

#[test]
fn sales_are_not_reported_as_config_edits_and_an_edit_is_reported_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("shop.db");
    let (store, _) = Store::open(&path, &catalog()).expect("first open");
    order(&store, "m1", "ann", "millet", 3).expect("order");
    drop(store);
    // Same config, stock sold down: nothing to report.
    let (store, report) = Store::open(&path, &catalog()).expect("reopen");
    assert!(report.stock_differs.is_empty(), "{report:?}");
    drop(store);
    // The config's stock edited: reported once, with the database's stock.
    let mut edited = catalog();
    edited.products[0].stock = 60;
    let (store, report) = Store::open(&path, &edited).expect("edited");
    assert_eq!(report.stock_differs, vec![("millet".to_string(), 60, 7)]);
    drop(store);
    let (store, report) = Store::open(&path, &edited).expect("again");
    assert!(report.stock_differs.is_empty(), "{report:?}");
    assert_eq!(stock_of(&store, "millet"), 7);
}
