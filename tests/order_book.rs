//! The order book on real SQLite files (issue 8): the waitlist (first come,
//! first served), flash sales, undoing cancels and changes, the audit trail
//! with before and after, several helpers' stores on one database (sync, no
//! oversell under concurrent confirms), and the core's side of it: offers,
//! auto-confirm of offers, cancels waiting for their order, other helpers'
//! decisions leaving the inbox.

use livestall::app::event::Event;
use livestall::app::model::{IntentState, Model};
use livestall::app::msg::{Command, Effect, Msg, ProductRef};
use livestall::app::update::update;
use livestall::catalog::{Catalog, Product};
use livestall::config::Config;
use livestall::intent::{Engine, IntentKind};
use livestall::store::{
    wait, AmendTo, ConfirmRequest, IntentKey, IntentStatus, NewIntent, OrderAction, OrderAmend,
    Reader, Refusal, SaleStart, StockChange, StockTo, Store, StoreEvent, StoreJob,
};
use std::path::Path;

fn product(sku: &str, link: u32, price_fen: i64, stock: i64, limit: Option<u32>) -> Product {
    Product {
        sku: sku.into(),
        name: format!("{sku} 名"),
        aliases: vec![],
        link,
        unit: "盒".into(),
        price_fen,
        stock,
        limit_per_buyer: limit,
    }
}

fn catalog() -> Catalog {
    Catalog::new(vec![
        product("GIFT", 1, 8800, 3, None),
        product("MILLET", 2, 3990, 100, Some(5)),
    ])
}

fn key(msg_id: &str) -> IntentKey {
    IntentKey {
        msg_id: msg_id.into(),
        index: 0,
    }
}

fn intent(
    msg_id: &str,
    user: &str,
    kind: IntentKind,
    sku: Option<&str>,
    qty: u32,
    at: i64,
) -> NewIntent {
    NewIntent {
        key: key(msg_id),
        source: "json".into(),
        user: user.into(),
        user_id: None,
        text: format!("text of {msg_id}"),
        kind,
        sku: sku.map(str::to_string),
        qty: Some(qty),
        confidence: 0.95,
        received_at_ms: at,
        note: None,
    }
}

fn request(i: &NewIntent) -> ConfirmRequest {
    ConfirmRequest {
        key: i.key.clone(),
        kind: i.kind,
        user: i.user.clone(),
        user_id: i.user_id.clone(),
        sku: i.sku.clone(),
        qty: i.qty,
        helper: "tester".into(),
    }
}

fn open(path: &Path) -> Store {
    Store::open(path, &catalog()).expect("open").0
}

/// Records and confirms an order intent; the store's answer.
fn order(
    store: &Store,
    msg_id: &str,
    user: &str,
    sku: &str,
    qty: u32,
    at: i64,
) -> Result<livestall::store::Confirmed, Refusal> {
    let i = intent(msg_id, user, IntentKind::Order, Some(sku), qty, at);
    wait(store.record(vec![i.clone()])).expect("record");
    wait(store.confirm(request(&i)))
}

#[test]
fn short_stock_waitlists_first_come_first_served() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir.path().join("s.db"));
    assert!(order(&store, "a", "阿", "GIFT", 2, 1).is_ok());
    // One left: a two-box order waits first in line...
    assert_eq!(
        order(&store, "b", "宝", "GIFT", 2, 2),
        Err(Refusal::Waitlisted { place: 1, left: 1 })
    );
    // ...without blocking a one-box order the last box covers...
    assert!(order(&store, "c", "春", "GIFT", 1, 3).is_ok());
    // ...and the next one waits behind b.
    assert_eq!(
        order(&store, "d", "丁", "GIFT", 1, 4),
        Err(Refusal::Waitlisted { place: 2, left: 0 })
    );
    let reader = Reader::open(&dir.path().join("s.db")).unwrap();
    let line: Vec<(u32, String)> = reader
        .waitlist()
        .unwrap()
        .into_iter()
        .map(|w| (w.place, w.msg_id))
        .collect();
    assert_eq!(line, vec![(1, "b".to_string()), (2, "d".to_string())]);
    // A restock of two: b came first and takes both; d, though smaller,
    // may not have one of them.
    wait(store.change_stock(StockChange {
        sku: "GIFT".into(),
        to: StockTo::Add(2),
        helper: "tester".into(),
    }))
    .unwrap();
    let d = intent("d", "丁", IntentKind::Order, Some("GIFT"), 1, 4);
    assert_eq!(
        wait(store.confirm(request(&d))),
        Err(Refusal::Waitlisted { place: 2, left: 2 })
    );
    let b = intent("b", "宝", IntentKind::Order, Some("GIFT"), 2, 2);
    let done = wait(store.confirm(request(&b))).expect("b gets its boxes");
    assert_eq!(done.stock_left, 0);
    // The waitlisted intents are still undecided for the inbox.
    let pending = wait(store.pending()).unwrap();
    assert!(pending
        .iter()
        .any(|p| p.intent.key == key("d") && p.waitlisted));
    assert!(!pending.iter().any(|p| p.intent.key == key("b")));
}

#[test]
fn a_flash_sale_sells_its_count_at_its_price_then_the_line_waits() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let store = open(&path);
    let sale = wait(store.start_sale(SaleStart {
        sku: "MILLET".into(),
        qty: 3,
        price_fen: 1990,
        minutes: 10,
        helper: "tester".into(),
    }))
    .expect("sale starts");
    assert_eq!(sale.left(), 3);
    assert!(wait(store.start_sale(SaleStart {
        sku: "MILLET".into(),
        qty: 3,
        price_fen: 1990,
        minutes: 10,
        helper: "tester".into(),
    }))
    .is_err());
    let a = order(&store, "a", "阿", "MILLET", 2, 1).unwrap();
    // The screen's money follows the sale price, not the catalog's.
    assert_eq!((a.unit_price_fen, a.revenue_fen), (1990, 3980));
    assert_eq!(
        order(&store, "b", "宝", "MILLET", 2, 2),
        Err(Refusal::Waitlisted { place: 1, left: 1 })
    );
    // The last sale unit goes to the one-bag order behind b.
    order(&store, "c", "春", "MILLET", 1, 3).expect("c fits the last sale unit");
    assert!(
        order(&store, "d", "丁", "MILLET", 1, 4).is_err(),
        "the sale is sold out"
    );
    let ended = wait(store.end_sale("MILLET", "tester")).unwrap();
    assert_eq!(ended.sold, 3);
    // After the sale, b is served at the normal price.
    let b = intent("b", "宝", IntentKind::Order, Some("MILLET"), 2, 2);
    wait(store.confirm(request(&b))).unwrap();
    drop(store);
    let orders = Reader::open(&path).unwrap().orders().unwrap();
    let prices: Vec<(String, i64)> = orders
        .iter()
        .map(|o| (o.msg_id.clone(), o.unit_price_fen))
        .collect();
    assert_eq!(
        prices,
        vec![
            ("a".to_string(), 1990),
            ("c".to_string(), 1990),
            ("b".to_string(), 3990)
        ]
    );
}

#[test]
fn limits_count_every_order_of_the_buyer() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir.path().join("s.db"));
    order(&store, "a", "阿", "MILLET", 3, 1).unwrap();
    order(&store, "b", "阿", "MILLET", 2, 2).unwrap();
    assert_eq!(
        order(&store, "c", "阿", "MILLET", 1, 3),
        Err(Refusal::OverLimit {
            limit: 5,
            already: 5
        })
    );
    order(&store, "d", "宝", "MILLET", 1, 4).expect("another buyer is not limited by 阿");
}

#[test]
fn undoing_a_cancel_or_a_change_puts_the_order_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let store = open(&path);
    let first = order(&store, "a", "阿", "MILLET", 2, 1).unwrap();
    // A change from chat: 2 → 4.
    let change = intent("b", "阿", IntentKind::Change, None, 4, 2);
    wait(store.record(vec![change.clone()])).unwrap();
    let changed = wait(store.confirm(request(&change))).unwrap();
    assert_eq!((changed.action, changed.qty), (OrderAction::Changed, 4));
    let undone = wait(store.undo(change.key.clone(), "tester")).unwrap();
    assert_eq!(undone.order.as_ref().map(|o| o.qty), Some(2));
    assert_eq!(undone.order.as_ref().map(|o| o.stock_left), Some(98));
    // A cancel from chat, then undone: the order is open again.
    let cancel = intent("c", "阿", IntentKind::Cancel, None, 1, 3);
    wait(store.record(vec![cancel.clone()])).unwrap();
    let cancelled = wait(store.confirm(request(&cancel))).unwrap();
    assert_eq!(cancelled.stock_left, 100);
    let undone = wait(store.undo(cancel.key.clone(), "tester")).unwrap();
    let reopened = undone.order.expect("the order");
    assert_eq!(
        (reopened.action, reopened.order_id, reopened.stock_left),
        (OrderAction::Reopened, first.order_id, 98)
    );
    // A cancel by number, taken back by reopening.
    wait(store.amend_order(OrderAmend {
        order_id: first.order_id,
        to: AmendTo::Cancel,
        helper: "tester".into(),
    }))
    .unwrap();
    let back = wait(store.amend_order(OrderAmend {
        order_id: first.order_id,
        to: AmendTo::Reopen,
        helper: "tester".into(),
    }))
    .unwrap();
    assert_eq!(back.stock_left, 98);
    drop(store);
    // Every step is in the audit trail with what it was and what it became.
    let audit = Reader::open(&path).unwrap().audit().unwrap();
    let actions: Vec<&str> = audit.iter().map(|a| a.action.as_str()).collect();
    assert_eq!(
        actions,
        vec![
            "created",
            "changed",
            "undone",
            "cancelled",
            "undone",
            "order_cancelled",
            "order_reopened"
        ]
    );
    for row in &audit {
        let before: serde_json::Value =
            serde_json::from_str(row.before.as_deref().expect("before")).unwrap();
        let after: serde_json::Value =
            serde_json::from_str(row.after.as_deref().expect("after")).unwrap();
        assert_ne!(before, after, "{row:?}");
    }
    assert_eq!(
        audit[1].before.as_deref(),
        Some(r#"{"order":"confirmed","qty":2}"#)
    );
}

#[test]
fn another_helpers_decisions_reach_this_store_through_sync() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let mine = open(&path);
    let theirs = open(&path);
    let cursor = wait(mine.sync(None)).unwrap().cursor;
    let a = intent("a", "阿", IntentKind::Order, Some("MILLET"), 1, 1);
    wait(mine.record(vec![a.clone()])).unwrap();
    wait(theirs.confirm(request(&a))).unwrap();
    let report = wait(mine.sync(Some(cursor))).unwrap();
    assert_eq!(report.intents.len(), 1);
    assert_eq!(report.intents[0].0.key, key("a"));
    assert_eq!(report.intents[0].1, IntentStatus::Confirmed);
    let millet = report
        .inventory
        .unwrap()
        .into_iter()
        .find(|r| r.sku == "MILLET")
        .unwrap();
    assert_eq!(millet.stock, 99);
    // Nothing new: nothing to say, and no inventory read.
    let again = wait(mine.sync(Some(report.cursor))).unwrap();
    assert!(again.intents.is_empty() && again.inventory.is_none());
    // Intents recorded by the other run join this one's inbox.
    let b = intent("b", "宝", IntentKind::Order, Some("GIFT"), 1, 2);
    wait(theirs.record(vec![b])).unwrap();
    let news = wait(mine.sync(Some(again.cursor))).unwrap();
    assert_eq!(news.intents.len(), 1);
    assert_eq!(news.intents[0].1, IntentStatus::Pending);
}

#[test]
fn two_stores_confirming_at_once_never_oversell_nor_decide_twice() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let first = open(&path);
    let second = open(&path);
    // 60 one-box orders (and each also confirmed by the other helper) for 3 boxes.
    let intents: Vec<NewIntent> = (0..60)
        .map(|n| {
            intent(
                &format!("m{n}"),
                &format!("u{n}"),
                IntentKind::Order,
                Some("GIFT"),
                1,
                n,
            )
        })
        .collect();
    wait(first.record(intents.clone())).unwrap();
    let run = |store: Store, intents: Vec<NewIntent>| {
        std::thread::spawn(move || {
            let replies: Vec<_> = intents.iter().map(|i| store.confirm(request(i))).collect();
            replies.into_iter().map(wait).collect::<Vec<_>>()
        })
    };
    let mut reversed = intents.clone();
    reversed.reverse();
    let a = run(first, intents);
    let b = run(second, reversed);
    let answers: Vec<_> = a
        .join()
        .unwrap()
        .into_iter()
        .chain(b.join().unwrap())
        .collect();
    let created = answers
        .iter()
        .filter(|r| matches!(r, Ok(c) if c.action == OrderAction::Created))
        .count();
    assert_eq!(created, 3, "three boxes, three orders");
    for answer in &answers {
        match answer {
            Ok(_) | Err(Refusal::Duplicate { .. }) | Err(Refusal::Waitlisted { .. }) => {}
            other => panic!("ordinary contention showed as {other:?}"),
        }
    }
    let reader = Reader::open(&path).unwrap();
    let orders = reader.orders().unwrap();
    assert_eq!(orders.len(), 3);
    let gift = reader
        .inventory()
        .unwrap()
        .into_iter()
        .find(|r| r.sku == "GIFT")
        .unwrap();
    assert_eq!((gift.stock, gift.sold), (0, 3));
}

// --- the core ---------------------------------------------------------

fn config() -> Config {
    let mut config = livestall::config::sample(Path::new("."));
    config.catalog = catalog();
    config
}

fn model() -> (Model, Engine) {
    let config = config();
    let engine = Engine::new(&config.catalog);
    let mut model = Model::new(&config, "helper");
    update(&mut model, &engine, Msg::Tick(1_000_000));
    (model, engine)
}

fn chat(model: &mut Model, engine: &Engine, id: &str, user: &str, text: &str) -> Vec<Effect> {
    let message = livestall::chat::ChatMessage {
        id: id.into(),
        user: user.into(),
        user_id: None,
        text: text.into(),
        ts: None,
    };
    update(
        model,
        engine,
        Msg::Chat {
            source: 0,
            message,
            received_at_ms: model.now_ms,
        },
    )
}

fn published(fx: &[Effect]) -> Vec<&Event> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Publish(event) => Some(event),
            _ => None,
        })
        .collect()
}

fn confirms(fx: &[Effect]) -> Vec<IntentKey> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Store(StoreJob::Confirm(req)) => Some(req.key.clone()),
            _ => None,
        })
        .collect()
}

fn stock_row(sku: &str, stock: i64) -> livestall::store::StockRow {
    livestall::store::StockRow {
        sku: sku.into(),
        name: sku.into(),
        link: 1,
        price_fen: 8800,
        stock,
        sold: 0,
        revenue_fen: 0,
        retired: false,
        sale: None,
    }
}

#[test]
fn a_waitlisted_order_is_offered_when_stock_frees_up_and_auto_confirmed() {
    let (mut model, engine) = model();
    model.policy.auto_confirm = true;
    let fx = chat(&mut model, &engine, "m1", "阿", "1号链接 来两盒");
    let sent = confirms(&fx);
    assert_eq!(sent, vec![key("m1")]);
    let fx = update(
        &mut model,
        &engine,
        Msg::Store(StoreEvent::Refused(
            key("m1"),
            Refusal::Waitlisted { place: 1, left: 0 },
        )),
    );
    assert!(published(&fx)
        .iter()
        .any(|e| matches!(e, Event::Waitlisted { place: 1, .. })));
    assert_eq!(model.inbox[0].state, IntentState::Waitlisted { place: 1 });
    // One box back is not enough for two: still waiting, nothing sent.
    let fx = update(
        &mut model,
        &engine,
        Msg::Store(StoreEvent::Inventory(vec![stock_row("GIFT", 1)])),
    );
    assert!(confirms(&fx).is_empty());
    // A restock to two: offered, and the policy confirms it.
    let fx = update(
        &mut model,
        &engine,
        Msg::Store(StoreEvent::Inventory(vec![stock_row("GIFT", 2)])),
    );
    assert!(published(&fx)
        .iter()
        .any(|e| matches!(e, Event::Offered { qty: 2, .. })));
    assert_eq!(confirms(&fx), vec![key("m1")]);
}

#[test]
fn a_cancel_that_comes_before_its_order_is_confirmed_waits_for_it() {
    let (mut model, engine) = model();
    chat(&mut model, &engine, "m1", "阿", "2号链接 来两袋");
    chat(&mut model, &engine, "m2", "阿", "小米不要了");
    assert_eq!(model.inbox.len(), 2);
    update(
        &mut model,
        &engine,
        Msg::Command {
            line: 1,
            command: Command::Confirm(key("m2")),
        },
    );
    let fx = update(
        &mut model,
        &engine,
        Msg::Store(StoreEvent::Refused(key("m2"), Refusal::NoOpenOrder)),
    );
    assert!(published(&fx)
        .iter()
        .any(|e| matches!(e, Event::Waiting { .. })));
    assert!(matches!(model.inbox[1].state, IntentState::Waiting { .. }));
    // The order is confirmed: the cancel goes to the store by itself.
    update(
        &mut model,
        &engine,
        Msg::Command {
            line: 2,
            command: Command::Confirm(key("m1")),
        },
    );
    let done = livestall::store::Confirmed {
        action: OrderAction::Created,
        order_id: 1,
        sku: "MILLET".into(),
        qty: 2,
        before_qty: None,
        user: "阿".into(),
        stock_left: 98,
        sold: 2,
        unit_price_fen: 3990,
        revenue_fen: 7980,
    };
    let fx = update(
        &mut model,
        &engine,
        Msg::Store(StoreEvent::Confirmed(key("m1"), done)),
    );
    assert_eq!(confirms(&fx), vec![key("m2")]);
}

#[test]
fn another_helpers_decision_leaves_this_inbox() {
    let (mut model, engine) = model();
    chat(&mut model, &engine, "m1", "阿", "2号链接 来两袋");
    let report = livestall::store::SyncReport::default();
    update(
        &mut model,
        &engine,
        Msg::Store(StoreEvent::Synced(Ok(report.clone()))),
    );
    let mut confirmed = report;
    confirmed.cursor.event_id = 1;
    confirmed.intents.push((
        intent("m1", "阿", IntentKind::Order, Some("MILLET"), 2, 0),
        IntentStatus::Confirmed,
    ));
    confirmed.inventory = Some(vec![stock_row("MILLET", 98)]);
    let fx = update(
        &mut model,
        &engine,
        Msg::Store(StoreEvent::Synced(Ok(confirmed))),
    );
    assert!(model.inbox.is_empty());
    assert!(published(&fx).iter().any(|e| matches!(
        e,
        Event::DecidedElsewhere {
            status: "confirmed",
            ..
        }
    )));
    assert_eq!(model.products[1].stock, 98);
    // And the run keeps asking, twice a second.
    let later = model.now_ms + 600;
    let fx = update(&mut model, &engine, Msg::Tick(later));
    assert!(fx
        .iter()
        .any(|e| matches!(e, Effect::Store(StoreJob::Sync(Some(_))))));
}

#[test]
fn headless_commands_restock_and_run_a_sale_by_product() {
    let (mut model, engine) = model();
    let fx = update(
        &mut model,
        &engine,
        Msg::Command {
            line: 1,
            command: Command::Stock {
                product: ProductRef::Sku("GIFT".into()),
                to: StockTo::Add(5),
            },
        },
    );
    assert!(matches!(
        &fx[..],
        [Effect::Store(StoreJob::Stock(StockChange { sku, to: StockTo::Add(5), .. }))] if sku == "GIFT"
    ));
    let fx = update(
        &mut model,
        &engine,
        Msg::Command {
            line: 2,
            command: Command::SaleStart {
                product: ProductRef::Link(2),
                qty: 50,
                price_fen: 1990,
                minutes: 10,
            },
        },
    );
    assert!(matches!(
        &fx[..],
        [Effect::Store(StoreJob::StartSale(SaleStart { sku, qty: 50, price_fen: 1990, minutes: 10, .. }))] if sku == "MILLET"
    ));
}

fn key_press(c: char) -> Msg {
    Msg::Key(crossterm::event::KeyEvent::new(
        crossterm::event::KeyCode::Char(c),
        crossterm::event::KeyModifiers::NONE,
    ))
}

fn order_row(order_id: i64, name: &str, qty: u32, status: &str) -> livestall::store::OrderRow {
    livestall::store::OrderRow {
        order_id,
        msg_id: format!("m{order_id}"),
        user: "阿".into(),
        sku: "MILLET".into(),
        name: name.into(),
        qty,
        unit_price_fen: 3990,
        total_fen: 3990 * i64::from(qty),
        status: status.into(),
        confirmed_at: String::new(),
        helper: "helper".into(),
        unit: "袋".into(),
        text: String::new(),
        buyer: "name:阿".into(),
        source: String::new(),
        confirmed_at_ms: 0,
        cancelled_at_ms: None,
        changed_at_ms: None,
    }
}

#[test]
fn a_buyers_cart_is_shown_and_its_orders_put_right_from_the_screen() {
    let (mut model, engine) = model();
    chat(&mut model, &engine, "m9", "阿", "2号链接 来两袋");
    let fx = update(&mut model, &engine, key_press('c'));
    assert!(matches!(
        &fx[..],
        [Effect::Store(StoreJob::Cart { buyer })] if buyer == "name:阿"
    ));
    assert_eq!(model.mode, livestall::app::model::Mode::Cart);
    update(
        &mut model,
        &engine,
        Msg::Store(StoreEvent::Cart {
            buyer: "name:阿".into(),
            result: Ok(vec![
                order_row(3, "小米", 2, "confirmed"),
                order_row(5, "小米", 1, "cancelled"),
            ]),
        }),
    );
    // + on the first: three bags; j then x on a cancelled one does nothing.
    let fx = update(&mut model, &engine, key_press('+'));
    assert!(matches!(
        &fx[..],
        [Effect::Store(StoreJob::Amend(OrderAmend {
            order_id: 3,
            to: AmendTo::Qty(3),
            ..
        }))]
    ));
    update(&mut model, &engine, key_press('j'));
    assert!(update(&mut model, &engine, key_press('x')).is_empty());
    update(&mut model, &engine, key_press('k'));
    let fx = update(&mut model, &engine, key_press('x'));
    assert!(matches!(
        &fx[..],
        [Effect::Store(StoreJob::Amend(OrderAmend {
            order_id: 3,
            to: AmendTo::Cancel,
            ..
        }))]
    ));
    // The store's answer refreshes the cart, and u sets the order back.
    let done = livestall::store::Confirmed {
        action: OrderAction::Cancelled,
        order_id: 3,
        sku: "MILLET".into(),
        qty: 2,
        before_qty: None,
        user: "阿".into(),
        stock_left: 100,
        sold: 0,
        unit_price_fen: 3990,
        revenue_fen: 0,
    };
    let fx = update(
        &mut model,
        &engine,
        Msg::Store(StoreEvent::Amended {
            order_id: 3,
            result: Ok(done),
        }),
    );
    assert!(fx
        .iter()
        .any(|e| matches!(e, Effect::Store(StoreJob::Cart { .. }))));
    let fx = update(&mut model, &engine, key_press('u'));
    assert!(matches!(
        &fx[..],
        [Effect::Store(StoreJob::Amend(OrderAmend {
            order_id: 3,
            to: AmendTo::Reopen,
            ..
        }))]
    ));
}

#[test]
fn a_restart_resumes_the_product_on_air_and_the_latest_orders() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    {
        let store = open(&path);
        order(&store, "a", "阿", "MILLET", 2, 1).unwrap();
        order(&store, "b", "宝", "GIFT", 1, 2).unwrap();
        let mut fx = Vec::new();
        let (mut model, engine) = model();
        // The helper moves the product on air: it goes to the store.
        fx.extend(update(
            &mut model,
            &engine,
            Msg::Command {
                line: 1,
                command: Command::OnAir(ProductRef::Sku("MILLET".into())),
            },
        ));
        let sku = fx.iter().find_map(|e| match e {
            Effect::Store(StoreJob::SetOnAir { sku, .. }) => Some(sku.clone()),
            _ => None,
        });
        assert_eq!(sku.as_deref(), Some("MILLET"));
        // As the driver would hand it over.
        let (tx, mut rx) = tokio::sync::mpsc::channel(8);
        store.submit(
            StoreJob::SetOnAir {
                sku: "MILLET".into(),
                helper: "helper".into(),
            },
            &tx,
        );
        store.submit(StoreJob::Resume, &tx);
        let Some(StoreEvent::Resumed(resume)) = rx.blocking_recv() else {
            panic!("resumed");
        };
        assert_eq!(resume.on_air.as_deref(), Some("MILLET"));
    }
    // A new run: the store says where the last one was.
    let store = open(&path);
    let (tx, mut rx) = tokio::sync::mpsc::channel(8);
    store.submit(StoreJob::Resume, &tx);
    let Some(StoreEvent::Resumed(resume)) = rx.blocking_recv() else {
        panic!("resumed");
    };
    let (mut model, engine) = model();
    assert_eq!(model.on_air, Some(0));
    let fx = update(&mut model, &engine, Msg::Store(StoreEvent::Resumed(resume)));
    assert_eq!(model.on_air, Some(1), "MILLET is on air again");
    assert!(published(&fx)
        .iter()
        .any(|e| matches!(e, Event::OnAir { sku, .. } if sku == "MILLET")));
    let recent: Vec<(i64, u32)> = model
        .recent_orders
        .iter()
        .map(|o| (o.order_id, o.qty))
        .collect();
    assert_eq!(recent, [(1, 2), (2, 1)]);
    assert_eq!(model.recent_orders[0].total_fen, 7980);
    drop(store);
    assert_eq!(
        Reader::open(&path).unwrap().on_air().unwrap().as_deref(),
        Some("MILLET")
    );
}
