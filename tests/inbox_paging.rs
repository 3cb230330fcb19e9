//! The inbox holds a page of the backlog, not all of it: the core on a real
//! store (every store job carried out, every answer fed back, as the driver
//! does), with more undecided intents than `INBOX_WINDOW`.

use livestall::app::model::INBOX_WINDOW;
use livestall::app::{update, Command, Effect, Event, Model, Msg};
use livestall::chat::ChatMessage;
use livestall::config::Config;
use livestall::intent::Engine;
use livestall::store::{Store, StoreEvent, StoreJob};
use std::collections::HashSet;
use std::path::Path;

fn config() -> Config {
    livestall::config::sample(Path::new("."))
}

/// Carries out the store jobs among `fx` on `store` and feeds the answers
/// back into the core until it asks for nothing more; returns every event
/// the core published on the way.
fn pump(model: &mut Model, engine: &Engine, store: &Store, fx: Vec<Effect>) -> Vec<Event> {
    let mut published = Vec::new();
    let mut fx = fx;
    loop {
        let (tx, mut rx) = tokio::sync::mpsc::channel(1 << 16);
        let mut asked = false;
        for effect in fx.drain(..) {
            match effect {
                Effect::Store(job) => {
                    asked = true;
                    store.submit(job, &tx);
                }
                Effect::Publish(event) => published.push(event),
                _ => {}
            }
        }
        if !asked {
            return published;
        }
        store.submit(StoreJob::Flush, &tx);
        loop {
            match rx.blocking_recv().expect("the store answers") {
                StoreEvent::Flushed(_) => break,
                event => fx.extend(update(model, engine, Msg::Store(event))),
            }
        }
    }
}

fn start(path: &Path) -> (Model, Engine, Store) {
    let config = config();
    let engine = Engine::new(&config.catalog);
    let (store, _) = Store::open(path, &config.catalog).unwrap();
    let mut model = Model::new(&config, "helper");
    let mut fx = update(&mut model, &engine, Msg::Tick(1_000_000));
    fx.extend(update(&mut model, &engine, Msg::Started));
    pump(&mut model, &engine, &store, fx);
    (model, engine, store)
}

/// `count` buyers each ordering millet, one message each; returns the events.
fn chat(
    model: &mut Model,
    engine: &Engine,
    store: &Store,
    first: usize,
    count: usize,
) -> Vec<Event> {
    let mut fx = Vec::new();
    for n in first..first + count {
        let message = ChatMessage {
            id: format!("m{n:06}"),
            user: format!("买家{n}"),
            user_id: Some(format!("u{n}")),
            text: "小米来两袋".into(),
            ts: None,
        };
        let received_at_ms = 1_000_000 + n as i64;
        fx.extend(update(
            model,
            engine,
            Msg::Chat {
                source: 0,
                message,
                received_at_ms,
            },
        ));
    }
    pump(model, engine, store, fx)
}

fn tick(model: &mut Model, engine: &Engine, store: &Store, at_ms: i64) {
    let fx = update(model, engine, Msg::Tick(at_ms));
    pump(model, engine, store, fx);
}

fn count_undecided(path: &Path) -> u64 {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.query_row(
        "SELECT COUNT(*) FROM intents WHERE status IN ('pending', 'waitlisted')",
        [],
        |row| row.get::<_, i64>(0),
    )
    .unwrap() as u64
}

fn assert_oldest_first_and_distinct(model: &Model) {
    let keys: HashSet<_> = model.inbox.iter().map(|i| i.key.clone()).collect();
    assert_eq!(keys.len(), model.inbox.len(), "a row twice in the inbox");
    assert!(
        model
            .inbox
            .windows(2)
            .all(|w| w[0].received_at_ms <= w[1].received_at_ms),
        "the inbox is oldest first"
    );
}

#[test]
fn a_backlog_past_the_window_waits_in_the_database_and_is_loaded_as_rows_are_decided() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shop.db");
    let (mut model, engine, store) = start(&path);
    let extra = 600;
    let events = chat(&mut model, &engine, &store, 0, INBOX_WINDOW + extra);

    // Every intent is told and kept, whether or not the inbox holds it.
    let told = events
        .iter()
        .filter(|e| matches!(e, Event::Intent { .. }))
        .count();
    assert_eq!(told, INBOX_WINDOW + extra);
    assert_eq!(count_undecided(&path), (INBOX_WINDOW + extra) as u64);
    assert_eq!(model.inbox.len(), INBOX_WINDOW);
    assert_eq!(model.inbox_more, extra as u64);
    assert_eq!(model.pending_total(), (INBOX_WINDOW + extra) as u64);
    assert_eq!(model.inbox[0].key.msg_id, "m000000", "the oldest are held");

    // The helper rejects the oldest 700 rows, one by one, as from the keys.
    let mut fx = Vec::new();
    for n in 0..700 {
        let key = model.inbox[n as usize].key.clone();
        fx.extend(update(
            &mut model,
            &engine,
            Msg::Command {
                line: n,
                command: Command::Reject(key),
            },
        ));
    }
    pump(&mut model, &engine, &store, fx);
    assert_eq!(model.inbox.len(), INBOX_WINDOW - 700);

    // The next tick asks for the next page: the oldest undecided ones.
    tick(&mut model, &engine, &store, 1_000_250);
    assert_eq!(model.inbox.len(), INBOX_WINDOW + extra - 700);
    assert_eq!(model.inbox_more, 0);
    assert_eq!(model.inbox[0].key.msg_id, "m000700");
    assert_eq!(
        model.inbox.last().unwrap().key.msg_id,
        format!("m{:06}", INBOX_WINDOW + extra - 1)
    );
    assert_oldest_first_and_distinct(&model);
    assert_eq!(count_undecided(&path), model.pending_total());
}

#[test]
fn a_restart_on_a_long_backlog_loads_the_oldest_page_and_counts_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shop.db");
    let total = INBOX_WINDOW * 2 + 37;
    {
        let (mut model, engine, store) = start(&path);
        chat(&mut model, &engine, &store, 0, total);
        assert!(model.inbox.len() <= INBOX_WINDOW);
    }
    let (mut model, engine, store) = start(&path);
    assert_eq!(model.inbox.len(), INBOX_WINDOW);
    assert_eq!(model.inbox_more, (total - INBOX_WINDOW) as u64);
    assert_eq!(model.inbox[0].key.msg_id, "m000000");
    assert_oldest_first_and_distinct(&model);

    // Chat goes on while the backlog waits: new rows wait behind it.
    chat(&mut model, &engine, &store, total, 10);
    assert_eq!(model.inbox.len(), INBOX_WINDOW);
    assert_eq!(model.pending_total(), (total + 10) as u64);
    assert!(model
        .inbox
        .iter()
        .all(|i| i.key.msg_id.as_str() < "m002000"));
}

#[test]
fn memory_holds_a_page_however_long_the_stream() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shop.db");
    let (mut model, engine, store) = start(&path);
    let mut first = 0;
    for round in 0..10 {
        chat(&mut model, &engine, &store, first, 2_000);
        first += 2_000;
        // The store's count comes with the sync every half second.
        tick(&mut model, &engine, &store, 1_000_000 + (round + 1) * 500);
        assert!(model.inbox.len() <= INBOX_WINDOW);
        assert!(model.chat.len() <= livestall::app::model::CHAT_CAPACITY);
    }
    assert_eq!(model.pending_total(), first as u64);
    assert_eq!(count_undecided(&path), first as u64);
}

#[test]
fn a_bulk_rejection_takes_the_unloaded_backlog_too() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shop.db");
    let (mut model, engine, store) = start(&path);
    let total = INBOX_WINDOW + 300;
    chat(&mut model, &engine, &store, 0, total);
    assert_eq!(model.inbox_more, 300);
    let millet = model.inbox[0].product.expect("millet is read");
    let sku = model.products[millet].sku.clone();
    let fx = update(
        &mut model,
        &engine,
        Msg::Command {
            line: 1,
            command: Command::RejectProduct(livestall::app::ProductRef::Sku(sku)),
        },
    );
    let events = pump(&mut model, &engine, &store, fx);
    let rejected = events
        .iter()
        .filter(|e| matches!(e, Event::Rejected { .. }))
        .count();
    assert_eq!(rejected, total, "every one is told rejected");
    assert!(model.inbox.is_empty());
    assert_eq!(model.pending_total(), 0);
    assert_eq!(count_undecided(&path), 0);
}

#[test]
fn a_command_on_an_intent_not_loaded_yet_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shop.db");
    let (mut model, engine, store) = start(&path);
    chat(&mut model, &engine, &store, 0, INBOX_WINDOW + 5);
    let beyond = livestall::store::IntentKey {
        msg_id: format!("m{:06}", INBOX_WINDOW + 2),
        index: 0,
    };
    for command in [Command::Confirm(beyond.clone()), Command::Reject(beyond)] {
        let fx = update(&mut model, &engine, Msg::Command { line: 7, command });
        let error = fx
            .iter()
            .find_map(|e| match e {
                Effect::Publish(Event::Error { error, .. }) => Some(error.clone()),
                _ => None,
            })
            .expect("an error event");
        assert!(error.contains("not loaded yet"), "{error}");
        assert!(!fx.iter().any(|e| matches!(e, Effect::Store(_))));
    }
}
