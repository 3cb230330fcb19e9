//! `update` alone: pure state changes and the effects it asks for, driven by
//! constructed messages (no terminal, no store, no clock). Chat is read by
//! the real engine inside `update`, as in every shell.

mod tui_support;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use livestall::app::model::{CHAT_CAPACITY, RECENT_ORDERS_CAPACITY};
use livestall::app::{
    ChatEntry, Connection, Effect, Event, IntentState, Mode, Msg, Notice, SourceStatus,
};
use livestall::chat::OutageKind;
use livestall::config::Language;
use livestall::intent::suggest::Note;
use livestall::intent::{Engine, IntentKind};
use livestall::store::{
    ConfirmRequest, IntentKey, NewIntent, PendingIntent, Refusal, StockRow, StoreError, StoreEvent,
    StoreJob,
};
use tui_support::*;

fn two_orders() -> livestall::app::Model {
    let mut m = model(Language::Zh);
    feed(
        &mut m,
        [
            chat("a", "李姐", "小米来两袋", at(10, 0, 0)),
            chat("b", "Tom", "walnut x3", at(10, 0, 1)),
        ],
    );
    m
}

#[test]
fn chat_records_intents_with_catalog_skus_and_keys() {
    let mut m = model(Language::Zh);
    let text = "小米两袋，核桃一袋";
    let effects = update(&mut m, chat("m1", "李姐", text, at(9, 0, 0)));
    let [StoreJob::Record(records)] = jobs(&effects).as_slice() else {
        panic!("expected one Record, got {effects:?}");
    };
    let summary: Vec<_> = records
        .iter()
        .map(|r: &NewIntent| (r.key.clone(), r.sku.as_deref(), r.qty, r.received_at_ms))
        .collect();
    assert_eq!(
        summary,
        vec![
            (
                intent_key("m1", 0),
                Some("millet-5jin"),
                Some(2),
                at(9, 0, 0)
            ),
            (intent_key("m1", 1), Some("walnut"), Some(1), at(9, 0, 0)),
        ]
    );
    assert_eq!(m.inbox.len(), 2);
    assert_eq!(m.chat.len(), 1);
    let ChatEntry::Message(line) = &m.chat[0] else {
        panic!("expected a message line");
    };
    assert_eq!(line.readings.len(), 2);
    assert!(line
        .evidence
        .iter()
        .any(|span| line.text.get(span.clone()) == Some("核桃")));
}

#[test]
fn chat_without_intents_only_joins_the_log() {
    let mut m = model(Language::En);
    assert!(update(&mut m, chat("q", "阿强", "包邮吗", 1)).is_empty());
    assert!(m.inbox.is_empty());
    assert_eq!(m.chat.len(), 1);
}

#[test]
fn replayed_message_adds_no_second_row() {
    let mut m = two_orders();
    let again = update(&mut m, chat("a", "李姐", "小米来两袋", at(10, 0, 5)));
    assert!(again.is_empty(), "{again:?}");
    assert_eq!(m.inbox.len(), 2);
}

#[test]
fn chat_log_is_a_bounded_ring() {
    let mut m = model(Language::Zh);
    for i in 0..CHAT_CAPACITY + 25 {
        update(
            &mut m,
            chat(&format!("m{i}"), "u", &format!("hello {i}"), i as i64),
        );
    }
    assert_eq!(m.chat.len(), CHAT_CAPACITY);
    let ChatEntry::Message(first) = &m.chat[0] else {
        panic!("expected a message line");
    };
    assert_eq!(
        first.received_at_ms, 25,
        "the oldest lines fall off the front"
    );
}

#[test]
fn confirm_marks_confirming_then_store_reply_removes_and_updates_stock() {
    let mut m = two_orders();
    let effects = update(&mut m, ch('y'));
    assert_eq!(
        effects,
        vec![Effect::Store(StoreJob::Confirm(ConfirmRequest {
            key: intent_key("a", 0),
            kind: IntentKind::Order,
            user: "李姐".into(),
            user_id: None,
            sku: Some("millet-5jin".into()),
            qty: Some(2),
            helper: "小王".into(),
        }))]
    );
    assert_eq!(m.inbox[0].state, IntentState::Confirming);
    assert_eq!(m.selected, 1, "the selection moved on");
    // Back on it, a second press while the store works sends nothing.
    update(&mut m, ch('k'));
    assert!(update(&mut m, key(KeyCode::Enter)).is_empty());
    assert_eq!(m.inbox.len(), 2, "the row stays until the store answers");

    update(
        &mut m,
        confirmed("a", 126, "millet-5jin", 2, "李姐", 298, 2),
    );
    assert_eq!(m.inbox.len(), 1);
    assert_eq!(m.inbox[0].key, intent_key("b", 0));
    assert_eq!((m.products[0].stock, m.products[0].sold), (298, 2));
    let order = m.recent_orders.back().expect("a recent order");
    assert_eq!((order.order_id, order.qty, order.total_fen), (126, 2, 7980));
    assert_eq!(m.sales_total(), (2, 7980));
}

#[test]
fn reject_waits_for_the_store() {
    let mut m = two_orders();
    update(&mut m, ch('j'));
    let effects = update(&mut m, key(KeyCode::Delete));
    assert_eq!(
        effects,
        vec![Effect::Store(StoreJob::Reject {
            key: intent_key("b", 0),
            helper: "小王".into()
        })]
    );
    assert_eq!(m.inbox[1].state, IntentState::Rejecting);
    assert!(update(&mut m, ch('n')).is_empty(), "no second reject");
    let effects = update(&mut m, Msg::Store(StoreEvent::Rejected(intent_key("b", 0))));
    assert_eq!(
        published(&effects),
        [&Event::Rejected {
            msg_id: "b".into(),
            index: 0
        }]
    );
    assert_eq!(m.inbox.len(), 1);
    assert_eq!(m.selected, 0, "the cursor stays inside the shorter inbox");
}

#[test]
fn refusal_keeps_the_row_with_its_reason_and_it_can_be_rejected() {
    let mut m = two_orders();
    update(&mut m, ch('y'));
    let refusal = Refusal::OutOfStock { left: 0 };
    update(
        &mut m,
        Msg::Store(StoreEvent::Refused(intent_key("a", 0), refusal.clone())),
    );
    assert_eq!(m.inbox.len(), 2);
    assert_eq!(
        m.inbox[0].state,
        IntentState::Failed(Notice::Refused(refusal.clone()))
    );
    assert_eq!(
        m.notice.as_ref().map(|(n, _)| n),
        Some(&Notice::Refused(refusal))
    );
    update(&mut m, ch('k'));
    let effects = update(&mut m, ch('n'));
    assert!(
        matches!(effects.as_slice(), [Effect::Store(StoreJob::Reject { key, .. })] if *key == intent_key("a", 0))
    );
}

#[test]
fn store_failure_keeps_the_row_and_allows_a_retry() {
    let mut m = two_orders();
    update(&mut m, ch('y'));
    update(
        &mut m,
        Msg::Store(StoreEvent::Failed(
            intent_key("a", 0),
            StoreError::DiskFull("full".into()),
        )),
    );
    assert!(matches!(
        m.inbox[0].state,
        IntentState::Failed(Notice::StoreFailed(_))
    ));
    assert!(matches!(
        update(&mut m, ch('y')).as_slice(),
        [Effect::Store(StoreJob::Confirm(_))]
    ));
}

#[test]
fn a_notice_expires_after_its_time() {
    let mut m = two_orders();
    update(&mut m, Msg::Tick(at(10, 0, 2)));
    update(&mut m, ch('y'));
    update(
        &mut m,
        Msg::Store(StoreEvent::Refused(intent_key("a", 0), Refusal::NoProduct)),
    );
    update(&mut m, Msg::Tick(at(10, 0, 5)));
    assert!(m.notice.is_some());
    update(&mut m, Msg::Tick(at(10, 0, 11)));
    assert!(m.notice.is_none());
    assert!(
        matches!(m.inbox[0].state, IntentState::Failed(_)),
        "the row keeps its reason"
    );
}

#[test]
fn an_order_without_a_product_cannot_be_confirmed() {
    let mut m = model(Language::En);
    // The engine gives every order a product when one is on air; a row kept
    // in the database may still have none.
    let orphan = PendingIntent {
        intent: NewIntent {
            key: intent_key("x", 0),
            source: "json".into(),
            user: "u".into(),
            user_id: None,
            text: "来一个".into(),
            kind: IntentKind::Order,
            sku: None,
            qty: Some(1),
            confidence: 0.5,
            received_at_ms: 0,
            note: None,
        },
        waitlisted: false,
    };
    update(&mut m, Msg::Store(StoreEvent::Pending(vec![orphan])));
    assert!(update(&mut m, ch('y')).is_empty());
    assert_eq!(m.notice.as_ref().map(|(n, _)| n), Some(&Notice::NoProduct));
    assert_eq!(m.inbox[0].state, IntentState::Pending);
}

#[test]
fn on_air_moves_along_the_queue_and_stops_at_the_ends() {
    let mut m = model(Language::Zh);
    assert_eq!(m.on_air(), Some(0));
    update(&mut m, ch('['));
    assert_eq!(m.on_air(), Some(0));
    feed(&mut m, [ch(']'), ch(']')]);
    assert_eq!(m.on_air(), Some(2));
    feed(&mut m, (0..10).map(|_| ch(']')));
    assert_eq!(m.on_air(), Some(m.products.len() - 1));
    update(&mut m, ch('['));
    assert_eq!(m.on_air(), Some(m.products.len() - 2));
}

#[test]
fn selection_moves_within_the_inbox() {
    let mut m = two_orders();
    feed(&mut m, [ch('j'), ch('j'), key(KeyCode::Down)]);
    assert_eq!(m.selected, 1);
    feed(&mut m, [ch('k'), key(KeyCode::Up)]);
    assert_eq!(m.selected, 0);
}

#[test]
fn removing_a_row_above_keeps_the_cursor_on_its_row() {
    let mut m = two_orders();
    update(&mut m, ch('y')); // confirm "a"
    update(&mut m, ch('j')); // select "b"
    update(&mut m, confirmed("a", 1, "millet-5jin", 2, "李姐", 298, 2));
    assert_eq!(
        m.selected_item().map(|i| i.key.clone()),
        Some(intent_key("b", 0))
    );
}

#[test]
fn quit_keys_quit_at_once_and_releases_are_ignored() {
    let mut m = model(Language::Zh);
    assert_eq!(update(&mut m, ch('q')), vec![Effect::Quit]);
    let mut m = model(Language::Zh);
    let ctrl_c = Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
    assert_eq!(update(&mut m, ctrl_c), vec![Effect::Quit]);
    let mut m = two_orders();
    let mut release = KeyEvent::new(KeyCode::Char('y'), KeyModifiers::NONE);
    release.kind = KeyEventKind::Release;
    assert!(update(&mut m, Msg::Key(release)).is_empty());
    assert_eq!(m.inbox[0].state, IntentState::Pending);
}

#[test]
fn overlays_toggle_and_escape_closes_them() {
    let mut m = model(Language::Zh);
    update(&mut m, ch('p'));
    assert_eq!(m.mode, Mode::Products);
    update(&mut m, ch('?'));
    assert_eq!(m.mode, Mode::Help, "one overlay at a time");
    assert_eq!(
        m.help_under,
        Mode::Products,
        "the help lists the keys under it"
    );
    update(&mut m, ch('?'));
    assert_eq!(
        m.mode,
        Mode::Products,
        "closing the help goes back under it"
    );
    feed(&mut m, [ch('?'), key(KeyCode::Esc)]);
    assert_eq!(m.mode, Mode::Products, "Esc closes the help first");
    update(&mut m, key(KeyCode::Esc));
    assert_eq!(m.mode, Mode::Inbox);
}

#[test]
fn message_rate_is_averaged_over_ten_seconds_of_ticks_or_the_time_seen() {
    let mut m = model(Language::Zh);
    update(&mut m, Msg::Tick(0));
    for i in 0..20 {
        update(&mut m, chat(&format!("m{i}"), "u", "hi", 100));
    }
    update(&mut m, Msg::Tick(250));
    // Not 2 a second for the first ten seconds: the window is filling, so
    // the rate is over the time seen (at least a second).
    assert!((m.msg_rate - 20.0).abs() < 1e-6, "{}", m.msg_rate);
    update(&mut m, Msg::Tick(4_000));
    assert!((m.msg_rate - 5.0).abs() < 1e-6, "{}", m.msg_rate);
    for t in 16..40 {
        update(&mut m, Msg::Tick(250 + t * 250));
    }
    assert!(
        (m.msg_rate - 2.0).abs() < 1e-6,
        "still inside the window: {}",
        m.msg_rate
    );
    update(&mut m, Msg::Tick(10_250));
    assert_eq!(m.msg_rate, 0.0, "the burst has left the window");
}

#[test]
fn inventory_and_pending_from_the_store_fill_the_model() {
    let mut m = model(Language::Zh);
    update(&mut m, chat("live", "Tom", "小米礼盒来一盒", at(12, 0, 0)));
    update(
        &mut m,
        Msg::Store(StoreEvent::Inventory(vec![StockRow {
            sku: "gift-box".into(),
            name: "小米礼盒".into(),
            link: 2,
            price_fen: 8800,
            stock: 7,
            sold: 43,
            revenue_fen: 43 * 8800,
            retired: false,
            sale: None,
        }])),
    );
    assert_eq!((m.products[1].stock, m.products[1].sold), (7, 43));

    let pending = |id: &str, ms: i64| PendingIntent {
        intent: NewIntent {
            key: IntentKey {
                msg_id: id.into(),
                index: 0,
            },
            source: "json".into(),
            user: "老客\u{1b}[31m".into(),
            user_id: None,
            text: "昨天的".into(),
            kind: IntentKind::Order,
            sku: Some("crackers".into()),
            qty: Some(3),
            confidence: 0.8,
            received_at_ms: ms,
            note: None,
        },
        waitlisted: false,
    };
    update(
        &mut m,
        Msg::Store(StoreEvent::Pending(vec![
            pending("old", at(11, 0, 0)),
            pending("live", 0),
        ])),
    );
    let keys: Vec<_> = m.inbox.iter().map(|i| i.key.msg_id.as_str()).collect();
    assert_eq!(
        keys,
        ["old", "live"],
        "merged oldest first without duplicates"
    );
    assert_eq!(m.inbox[0].product, Some(2));
    // The model keeps what the database holds; the screen draws it sanitized.
    assert_eq!(m.inbox[0].user, "老客\u{1b}[31m");
    let text = screen(&m, 100, 30);
    assert!(text.contains("老客") && !text.contains('\u{1b}'), "{text}");
}

#[test]
fn a_drop_leaves_one_gap_marker_and_reconnect_is_noted() {
    let mut m = model(Language::Zh);
    update(&mut m, connected());
    assert_eq!(m.sources[0].connection, Connection::Connected);
    assert!(
        m.chat.is_empty(),
        "the first connect is not news in the chat"
    );
    for _ in 0..3 {
        update(&mut m, source_down(OutageKind::Lost));
    }
    assert!(
        matches!(
            &m.sources[0].connection,
            Connection::Reconnecting { reason, .. } if reason.kind == OutageKind::Lost
        ),
        "{:?}",
        m.sources[0].connection
    );
    update(&mut m, connected());
    let kinds: Vec<_> = m
        .chat
        .iter()
        .map(|e| match e {
            ChatEntry::Gap { .. } => "gap",
            ChatEntry::Reconnected { .. } => "back",
            ChatEntry::SkippedReplays { .. } => "skipped",
            ChatEntry::Message(_) => "msg",
        })
        .collect();
    assert_eq!(kinds, ["gap", "back"]);
}

#[test]
fn replayed_history_the_source_skipped_is_said_in_the_chat_and_told() {
    let mut m = model(Language::Zh);
    let fx = update(
        &mut m,
        Msg::Source {
            source: 0,
            status: SourceStatus::SkippedReplays(100),
        },
    );
    assert!(
        fx.contains(&Effect::Publish(livestall::app::Event::SkippedReplays {
            source: "json".into(),
            count: 100
        }))
    );
    let s = screen(&m, 80, 24);
    assert!(s.contains("跳过了 100 条重复的弹幕"), "{s}");
}

#[test]
fn recent_orders_are_bounded() {
    let mut m = model(Language::Zh);
    for i in 0..RECENT_ORDERS_CAPACITY as i64 + 5 {
        update(
            &mut m,
            confirmed(&format!("m{i}"), i, "crackers", 1, "u", 10, i),
        );
    }
    assert_eq!(m.recent_orders.len(), RECENT_ORDERS_CAPACITY);
    assert_eq!(m.recent_orders.front().map(|o| o.order_id), Some(5));
}

#[test]
fn scrolled_back_chat_keeps_its_place_until_end() {
    let mut m = model(Language::Zh);
    for i in 0..20 {
        update(&mut m, chat(&format!("m{i}"), "u", "hi", i));
    }
    update(&mut m, key(KeyCode::PageUp));
    assert_eq!(m.chat_scroll, 5);
    update(&mut m, chat("new", "u", "later", 99));
    assert_eq!(m.chat_scroll, 6, "the view stays on the same lines");
    feed(&mut m, (0..10).map(|_| key(KeyCode::PageUp)));
    assert_eq!(
        m.chat_scroll,
        m.chat.len() - 1,
        "never past the oldest line"
    );
    update(&mut m, key(KeyCode::PageDown));
    assert_eq!(m.chat_scroll, m.chat.len() - 6);
    update(&mut m, key(KeyCode::End));
    assert_eq!(m.chat_scroll, 0);
    update(&mut m, chat("newer", "u", "x", 100));
    assert_eq!(m.chat_scroll, 0, "following again");
}

#[test]
fn keys_for_the_inbox_do_nothing_while_an_overlay_covers_it() {
    for overlay in ['?', 'p'] {
        let mut m = two_orders();
        update(&mut m, ch(overlay));
        for blocked in [
            ch('y'),
            key(KeyCode::Enter),
            ch('n'),
            key(KeyCode::Delete),
            ch('j'),
        ] {
            assert!(update(&mut m, blocked).is_empty(), "overlay {overlay}");
        }
        assert_eq!(m.selected, 0);
        assert!(m.inbox.iter().all(|i| i.state == IntentState::Pending));
        // Moving the product on air and closing still work.
        let before = m.on_air;
        update(&mut m, ch(']'));
        assert_ne!(m.on_air, before, "overlay {overlay}");
        update(&mut m, key(KeyCode::Esc));
        assert_eq!(m.mode, Mode::Inbox);
        assert!(matches!(
            update(&mut m, ch('y')).as_slice(),
            [Effect::Store(StoreJob::Confirm(_))]
        ));
    }
}

#[test]
fn replayed_intents_the_store_had_decided_leave_the_inbox() {
    let mut m = two_orders();
    update(&mut m, ch('j'));
    update(&mut m, ch('y'));
    assert_eq!(m.inbox[1].state, IntentState::Confirming);
    update(
        &mut m,
        Msg::Store(StoreEvent::AlreadyDecided(vec![
            intent_key("a", 0),
            intent_key("b", 0),
        ])),
    );
    // "a" goes; "b" has a confirm in flight, whose own answer settles it.
    assert_eq!(m.inbox.len(), 1);
    assert_eq!(m.inbox[0].key, intent_key("b", 0));
    assert_eq!(m.selected, 0);
}

#[test]
fn config_stock_that_differs_is_noted_on_screen() {
    let mut m = model(Language::Zh);
    update(
        &mut m,
        Msg::Store(StoreEvent::Seeded(livestall::store::SeedReport::default())),
    );
    assert!(
        m.notice.is_none(),
        "nothing to say when config and database agree"
    );
    let report = livestall::store::SeedReport {
        seeded: vec![],
        stock_differs: vec![("millet-5jin".into(), 300, 287), ("walnut".into(), 50, 41)],
    };
    update(&mut m, Msg::Store(StoreEvent::Seeded(report)));
    assert!(matches!(&m.notice, Some((Notice::StockKept(d), _)) if d.len() == 2));
    let text = screen(&m, 100, 30);
    assert!(text.contains("库存以数据库为准"), "{text}");
    assert!(text.contains("287"), "{text}");
}

#[test]
fn a_message_the_engine_fails_on_joins_the_chat_with_no_reading() {
    let mut m = model(Language::Zh);
    let engine = Engine::new(&m.catalog).failing_on("炸");
    let effects = update_with(&mut m, &engine, chat("boom", "u", "炸 小米来两袋", 1));
    assert!(effects.is_empty(), "{effects:?}");
    assert!(m.inbox.is_empty());
    let Some(ChatEntry::Message(line)) = m.chat.back() else {
        panic!("the message is kept in the chat log");
    };
    assert!(line.readings.is_empty() && line.evidence.is_empty());
    // The run goes on: the next message is read as usual.
    let effects = update_with(&mut m, &engine, chat("next", "u", "小米来两袋", 2));
    assert_eq!(jobs(&effects).len(), 1, "{effects:?}");
    assert_eq!(m.inbox.len(), 1);
}

fn auto_model() -> livestall::app::Model {
    let mut m = model(Language::Zh);
    m.policy.auto_confirm = true;
    m
}

fn confirms(effects: &[Effect]) -> Vec<IntentKey> {
    jobs(effects)
        .into_iter()
        .filter_map(|job| match job {
            StoreJob::Confirm(request) => Some(request.key.clone()),
            _ => None,
        })
        .collect()
}

fn refusal_reasons(effects: &[Effect]) -> Vec<&'static str> {
    published(effects)
        .into_iter()
        .filter_map(|event| match event {
            Event::Refused { reason, .. } => Some(*reason),
            _ => None,
        })
        .collect()
}

#[test]
fn auto_confirm_confirms_in_arrival_order_within_a_window() {
    use livestall::app::model::AUTO_WINDOW;
    let mut m = auto_model();
    let first = update(&mut m, chat("a", "李姐", "小米来两袋", 1));
    assert_eq!(confirms(&first), [intent_key("a", 0)]);
    // The record is handed over before the decision about it.
    assert!(matches!(
        jobs(&first).as_slice(),
        [StoreJob::Record(_), StoreJob::Confirm(_)]
    ));
    // A burst goes without waiting for answers (the store commits the
    // confirms it finds queued together), up to the window.
    let mut sent = confirms(&first);
    for n in 1..=AUTO_WINDOW {
        let fx = update(&mut m, chat(&format!("m{n}"), "Tom", "核桃来三袋", 2));
        sent.extend(confirms(&fx));
    }
    assert_eq!(sent.len(), AUTO_WINDOW, "the window is full");
    assert_eq!(sent[1], intent_key("m1", 0), "in arrival order");
    let last = intent_key(&format!("m{AUTO_WINDOW}"), 0);
    assert!(!sent.contains(&last));
    let answered = update(&mut m, confirmed("a", 1, "millet-5jin", 2, "李姐", 298, 2));
    assert_eq!(confirms(&answered), [last], "an answer frees a place");
    // A refusal answers too; nothing is left to send.
    let refused = update(
        &mut m,
        Msg::Store(StoreEvent::Refused(
            intent_key("m1", 0),
            Refusal::OutOfStock { left: 0 },
        )),
    );
    assert_eq!(refusal_reasons(&refused), ["out_of_stock"]);
    assert!(confirms(&refused).is_empty());
}

#[test]
fn auto_confirm_leaves_guesses_and_productless_cancels_to_a_helper() {
    let mut m = auto_model();
    // A bare number is a guess; "算了" may be about a song as well as an order.
    let guess = update(&mut m, chat("g", "u", "2", 1));
    assert_eq!(refusal_reasons(&guess), ["low_confidence"]);
    let cancel = update(&mut m, chat("c", "u", "算了不要了", 2));
    assert_eq!(
        m.inbox.last().map(|i| (i.kind, i.sku.clone())),
        Some((IntentKind::Cancel, None)),
        "the engine reads a cancel naming no product"
    );
    assert_eq!(refusal_reasons(&cancel), ["needs_helper"]);
    assert!(confirms(&guess).is_empty() && confirms(&cancel).is_empty());
    assert!(m.inbox.iter().all(|i| i.state == IntentState::Pending));
    // A helper may still confirm the cancel by hand.
    update(&mut m, ch('j'));
    assert_eq!(confirms(&update(&mut m, ch('y'))), [intent_key("c", 0)]);
}

#[test]
fn replayed_intents_queued_for_auto_confirm_hear_the_store_s_own_answer() {
    let mut m = auto_model();
    feed(
        &mut m,
        [
            chat("a", "李姐", "小米来两袋", 1),
            chat("b", "Tom", "核桃来三袋", 2),
        ],
    );
    update(
        &mut m,
        Msg::Store(StoreEvent::AlreadyDecided(vec![
            intent_key("a", 0),
            intent_key("b", 0),
        ])),
    );
    assert_eq!(m.inbox.len(), 2, "neither is dropped unanswered");
    let answered = update(
        &mut m,
        Msg::Store(StoreEvent::Refused(
            intent_key("a", 0),
            Refusal::Duplicate { order_id: 1 },
        )),
    );
    assert_eq!(refusal_reasons(&answered), ["duplicate"]);
    // b went to the store with a (auto-confirm does not wait for answers):
    // it too hears the store's own answer, not a second confirm.
    assert!(confirms(&answered).is_empty());
    assert_eq!(m.inbox[1].state, IntentState::Confirming);
}

#[test]
fn a_helper_or_a_script_decides_by_id_and_moves_the_product_on_air() {
    use livestall::app::{Command, ProductRef};
    let mut m = two_orders();
    let cmd = |command| Msg::Command { line: 7, command };
    let moved = update(&mut m, cmd(Command::OnAir(ProductRef::Link(7))));
    assert_eq!(m.on_air, Some(4));
    assert!(matches!(published(&moved).as_slice(), [Event::OnAir { sku, .. }] if sku == "walnut"));
    let bare = update(&mut m, chat("p", "u", "+1", 3));
    assert_eq!(
        m.inbox.last().and_then(|i| i.sku.as_deref()),
        Some("walnut")
    );
    assert_eq!(jobs(&bare).len(), 1);
    assert_eq!(
        confirms(&update(&mut m, cmd(Command::Confirm(intent_key("b", 0))))),
        [intent_key("b", 0)]
    );
    let again = update(&mut m, cmd(Command::Confirm(intent_key("b", 0))));
    assert!(matches!(
        published(&again).as_slice(),
        [Event::Error { line: 7, error }] if error.contains("already being decided")
    ));
    let unknown = update(&mut m, cmd(Command::OnAir(ProductRef::Sku("nope".into()))));
    assert!(matches!(
        published(&unknown).as_slice(),
        [Event::Error { .. }]
    ));
    assert_eq!(m.on_air, Some(4), "an unknown product changes nothing");
    assert_eq!(update(&mut m, cmd(Command::Quit)), vec![Effect::Quit]);
}

#[test]
fn an_intent_restored_from_the_database_is_told_and_decided_when_its_message_comes_again() {
    let mut m = auto_model();
    let restored = PendingIntent {
        intent: NewIntent {
            key: intent_key("r", 0),
            source: "json".into(),
            user: "李姐".into(),
            user_id: None,
            text: "小米来两袋".into(),
            kind: IntentKind::Order,
            sku: Some("millet-5jin".into()),
            qty: Some(2),
            confidence: 0.95,
            received_at_ms: 1,
            note: None,
        },
        waitlisted: false,
    };
    let loaded = update(&mut m, Msg::Store(StoreEvent::Pending(vec![restored])));
    assert!(loaded.is_empty(), "loading decides nothing: {loaded:?}");
    // The relay replays the chat after a restart.
    let replay = update(&mut m, chat("r", "李姐", "小米来两袋", 5));
    assert!(
        matches!(published(&replay).as_slice(), [Event::Intent { msg_id, .. }] if msg_id == "r")
    );
    assert_eq!(confirms(&replay), [intent_key("r", 0)]);
    assert!(jobs(&replay).len() == 1, "already recorded: {replay:?}");
    // Told once: another replay while it waits is nothing new.
    assert!(update(&mut m, chat("r", "李姐", "小米来两袋", 6)).is_empty());
}

#[test]
fn a_reject_the_database_could_not_commit_is_told_as_failed() {
    let mut m = two_orders();
    update(&mut m, ch('n'));
    let failed = update(
        &mut m,
        Msg::Store(StoreEvent::Failed(
            intent_key("a", 0),
            StoreError::Locked("busy".into()),
        )),
    );
    assert!(matches!(
        published(&failed).as_slice(),
        [Event::Failed {
            reason: "storage_error",
            ..
        }]
    ));
    assert!(matches!(m.inbox[0].state, IntentState::Failed(_)));
}

#[test]
fn orders_are_put_right_by_number_and_the_store_has_the_last_word() {
    use livestall::app::Command;
    use livestall::store::{AmendTo, OrderAction, OrderAmend};
    let mut m = model(Language::Zh);
    let cmd = |command| Msg::Command { line: 1, command };
    assert_eq!(
        jobs(&update(
            &mut m,
            cmd(Command::SetQty {
                order_id: 4,
                qty: 3
            })
        )),
        [&StoreJob::Amend(OrderAmend {
            order_id: 4,
            to: AmendTo::Qty(3),
            helper: "小王".into()
        })]
    );
    let changed = update(
        &mut m,
        Msg::Store(StoreEvent::Amended {
            order_id: 4,
            result: Ok(livestall::store::Confirmed {
                action: OrderAction::Changed,
                order_id: 4,
                sku: "walnut".into(),
                qty: 3,
                before_qty: None,
                user: "Tom".into(),
                stock_left: 117,
                sold: 3,
                unit_price_fen: 4500,
                revenue_fen: 13500,
            }),
        }),
    );
    assert!(matches!(
        published(&changed).as_slice(),
        [Event::OrderUpdated {
            order_id: 4,
            action: "changed",
            qty: 3,
            ..
        }]
    ));
    assert_eq!((m.products[4].stock, m.products[4].sold), (117, 3));
    let refused = update(
        &mut m,
        Msg::Store(StoreEvent::Amended {
            order_id: 9,
            result: Err(Refusal::UnknownOrder(9)),
        }),
    );
    assert!(matches!(
        published(&refused).as_slice(),
        [Event::OrderRefused {
            order_id: 9,
            reason: "unknown_order",
            ..
        }]
    ));
    assert!(matches!(
        &m.notice,
        Some((Notice::Refused(Refusal::UnknownOrder(9)), _))
    ));
    assert!(matches!(
        jobs(&update(&mut m, cmd(Command::CancelOrder(4)))).as_slice(),
        [StoreJob::Amend(OrderAmend {
            to: AmendTo::Cancel,
            ..
        })]
    ));
}

#[test]
fn u_takes_back_the_last_decision_and_the_row_returns_selected() {
    let mut m = two_orders();
    update(&mut m, ch('y'));
    update(&mut m, confirmed("a", 7, "millet-5jin", 2, "李姐", 298, 2));
    update(&mut m, ch('n'));
    update(&mut m, Msg::Store(StoreEvent::Rejected(intent_key("b", 0))));
    assert!(m.inbox.is_empty());

    // Newest first: the rejection, then the confirmation.
    let effects = update(&mut m, ch('u'));
    assert_eq!(
        jobs(&effects),
        [&StoreJob::Undo {
            key: intent_key("b", 0),
            helper: "小王".into()
        }]
    );
    assert!(update(&mut m, ch('u')).is_empty(), "one undo at a time");
    let back = update(
        &mut m,
        Msg::Store(StoreEvent::Undone {
            key: intent_key("b", 0),
            result: Ok(livestall::store::Undone {
                key: intent_key("b", 0),
                order: None,
            }),
        }),
    );
    assert!(matches!(
        published(&back).as_slice(),
        [Event::Undone { order_id: None, .. }]
    ));
    assert_eq!(m.inbox.len(), 1);
    assert_eq!(m.inbox[0].state, IntentState::Pending);

    update(&mut m, ch('u'));
    update(
        &mut m,
        Msg::Store(StoreEvent::Undone {
            key: intent_key("a", 0),
            result: Ok(livestall::store::Undone {
                key: intent_key("a", 0),
                order: Some(livestall::store::Confirmed {
                    action: livestall::store::OrderAction::Cancelled,
                    order_id: 7,
                    sku: "millet-5jin".into(),
                    qty: 2,
                    before_qty: None,
                    user: "李姐".into(),
                    stock_left: 300,
                    sold: 0,
                    unit_price_fen: 3990,
                    revenue_fen: 0,
                }),
            }),
        }),
    );
    let keys: Vec<_> = m.inbox.iter().map(|i| i.key.msg_id.as_str()).collect();
    assert_eq!(keys, ["a", "b"], "back in arrival order");
    assert_eq!(m.selected, 0, "the undone row is selected");
    assert_eq!((m.products[0].stock, m.products[0].sold), (300, 0));

    update(&mut m, ch('u'));
    assert_eq!(
        m.notice.as_ref().map(|(n, _)| n),
        Some(&Notice::NothingToUndo)
    );
}

#[test]
fn bulk_decisions_are_asked_then_made_on_what_is_still_undecided() {
    use livestall::app::Mode;
    let mut m = model(Language::Zh);
    feed(
        &mut m,
        [
            chat("a", "李姐", "小米来两袋", at(10, 0, 0)),
            chat("b", "Tom", "核桃来三袋", at(10, 5, 0)),
            chat("c", "阿强", "小米来一袋", at(10, 20, 0)),
            chat("d", "u", "扣1", at(10, 21, 0)),
            Msg::Tick(at(10, 22, 0)),
        ],
    );
    // O: older than ten minutes (a and b), asked before anything happens.
    assert!(update(&mut m, ch('O')).is_empty());
    assert_eq!(m.mode, Mode::Ask);
    let asked: Vec<_> = m.question.as_ref().unwrap().keys().to_vec();
    assert_eq!(asked, [intent_key("a", 0), intent_key("b", 0)]);
    // n drops it; nothing was sent.
    assert!(update(&mut m, ch('n')).is_empty());
    assert_eq!((m.mode, m.question.is_none()), (Mode::Inbox, true));

    // Y: the sure orders of the product on air (c and a; d is a guess).
    update(&mut m, ch('Y'));
    let Some(livestall::app::model::Bulk::ConfirmOnAir { keys, units, .. }) = &m.question else {
        panic!("{:?}", m.question);
    };
    assert_eq!((keys.len(), *units), (2, 3));
    // One row is decided meanwhile: only the other is confirmed.
    update(&mut m, ch('y'));
    assert_eq!(m.mode, Mode::Inbox, "y answered the question");
    assert_eq!(m.inbox[0].state, IntentState::Confirming);

    m.selected = 1; // b, the walnuts
    update(&mut m, ch('N'));
    let effects = update(&mut m, key(KeyCode::Enter));
    assert_eq!(
        jobs(&effects),
        [&StoreJob::RejectMany {
            keys: vec![intent_key("b", 0)],
            helper: "小王".into()
        }]
    );
    let done = update(
        &mut m,
        Msg::Store(StoreEvent::RejectedMany {
            keys: vec![intent_key("b", 0)],
            result: Ok(()),
        }),
    );
    assert!(matches!(
        published(&done).as_slice(),
        [Event::Rejected { .. }]
    ));
    assert!(!m.inbox.iter().any(|i| i.key == intent_key("b", 0)));
    // Nothing of a product left: said, not asked.
    update(&mut m, ch('O'));
    update(&mut m, ch('O'));
    assert_eq!(m.mode, Mode::Inbox);
    assert_eq!(
        m.notice.as_ref().map(|(n, _)| n),
        Some(&Notice::NothingMatches)
    );
}

#[test]
fn a_run_that_is_quitting_sends_no_more_auto_confirmations() {
    use livestall::app::model::AUTO_WINDOW;
    let mut m = auto_model();
    for n in 0..=AUTO_WINDOW {
        update(&mut m, chat(&format!("m{n}"), "Tom", "核桃来三袋", 2));
    }
    update(&mut m, ch('q'));
    // An answer frees a place in the window, but the run is ending.
    let answered = update(&mut m, confirmed("m0", 1, "walnut", 3, "Tom", 117, 3));
    assert!(confirms(&answered).is_empty());
}

/// A source never reached in this run is not a gap in the chat: nothing can
/// have been missed. The model says it has not connected yet, and the
/// first connect is no "reconnected" news either.
#[test]
fn a_source_never_reached_is_no_gap() {
    let mut m = model(Language::Zh);
    assert_eq!(m.sources[0].connection, Connection::Connecting);
    for _ in 0..3 {
        let effects = update(&mut m, source_down(OutageKind::Refused));
        let told = published(&effects);
        assert!(
            matches!(
                told.as_slice(),
                [Event::Disconnected { kind: "refused", url, .. }] if url == "ws://127.0.0.1:9001/chat"
            ),
            "{told:?}"
        );
    }
    assert!(
        matches!(&m.sources[0].connection, Connection::NotReached { reason, .. } if reason.kind == OutageKind::Refused),
        "{:?}",
        m.sources[0].connection
    );
    assert!(m.chat.is_empty(), "{:?}", m.chat);
    update(&mut m, connected());
    assert_eq!(m.sources[0].connection, Connection::Connected);
    assert!(m.chat.is_empty(), "{:?}", m.chat);
}

fn mouse(kind: livestall::app::MouseKind, column: u16, row: u16) -> Msg {
    Msg::Mouse(livestall::app::Mouse { kind, column, row })
}

/// The screen row whose text contains `needle`.
fn row_of(m: &livestall::app::Model, (w, h): (u16, u16), needle: &str) -> u16 {
    let s = screen(m, w, h);
    let row = s.lines().position(|l| l.contains(needle));
    u16::try_from(row.unwrap_or_else(|| panic!("{needle} not on screen:\n{s}"))).unwrap()
}

#[test]
fn a_click_selects_the_inbox_row_under_it_at_every_layout() {
    use livestall::app::MouseKind::Click;
    for size in [(80, 24), (160, 48), (60, 20)] {
        let mut m = two_orders();
        update(
            &mut m,
            Msg::Resize {
                width: size.0,
                height: size.1,
            },
        );
        assert_eq!(m.screen, size);
        assert_eq!(m.selected, 0);
        // Tom's row is below 李姐's row and the explanation under it.
        let tom = row_of(&m, size, "10:00:01 Tom");
        update(&mut m, mouse(Click, 10, tom));
        assert_eq!(m.selected, 1, "{size:?}");
        // The explanation line under the selected row counts as its row.
        update(&mut m, mouse(Click, 10, tom + 1));
        assert_eq!(m.selected, 1, "{size:?}");
        let li = row_of(&m, size, "10:00:00 李姐");
        update(&mut m, mouse(Click, 10, li));
        assert_eq!(m.selected, 0, "{size:?}");
        // The column headers, the border and the status line select nothing.
        for row in [li - 1, li - 2, 0] {
            update(&mut m, mouse(Click, 10, row));
            assert_eq!(m.selected, 0, "{size:?} row {row}");
        }
        // Off the screen (a size not yet told) does nothing.
        update(&mut m, mouse(Click, size.0 + 5, tom));
        assert_eq!(m.selected, 0);
    }
}

#[test]
fn no_click_reaches_under_an_overlay_and_none_before_the_size_is_known() {
    use livestall::app::MouseKind::Click;
    let mut m = two_orders();
    let tom = {
        let mut sized = m.clone();
        update(
            &mut sized,
            Msg::Resize {
                width: 80,
                height: 24,
            },
        );
        row_of(&sized, (80, 24), "10:00:01 Tom")
    };
    update(&mut m, mouse(Click, 10, tom));
    assert_eq!(m.selected, 0, "no screen size told yet");
    update(
        &mut m,
        Msg::Resize {
            width: 80,
            height: 24,
        },
    );
    update(&mut m, ch('?'));
    update(&mut m, mouse(Click, 10, tom));
    assert_eq!(m.selected, 0, "the help covers the inbox");
}

#[test]
fn the_wheel_scrolls_the_chat_under_it_and_moves_the_inbox_selection() {
    use livestall::app::MouseKind::{WheelDown, WheelUp};
    for size in [(80u16, 24u16), (160, 48)] {
        let mut m = two_orders();
        for i in 0..40 {
            update(
                &mut m,
                chat(
                    &format!("c{i}"),
                    "阿强",
                    &format!("包邮吗 {i}"),
                    at(10, 1, i),
                ),
            );
        }
        update(
            &mut m,
            Msg::Resize {
                width: size.0,
                height: size.1,
            },
        );
        let chat_row = row_of(&m, size, "包邮吗 39");
        update(&mut m, mouse(WheelUp, 20, chat_row));
        assert_eq!(m.chat_scroll, 3, "{size:?}");
        update(&mut m, mouse(WheelUp, 20, chat_row));
        assert_eq!(m.chat_scroll, 6);
        update(&mut m, mouse(WheelDown, 20, chat_row));
        assert_eq!(m.chat_scroll, 3);
        update(&mut m, mouse(WheelDown, 20, chat_row));
        update(&mut m, mouse(WheelDown, 20, chat_row));
        assert_eq!(m.chat_scroll, 0, "back to following");
        // Over the inbox the wheel moves the selection, within the rows.
        let inbox_row = row_of(&m, size, "10:00:00 李姐");
        update(&mut m, mouse(WheelDown, 20, inbox_row));
        assert_eq!(m.selected, 1);
        update(&mut m, mouse(WheelDown, 20, inbox_row));
        assert_eq!(m.selected, 1, "the last row");
        update(&mut m, mouse(WheelUp, 20, inbox_row));
        assert_eq!((m.selected, m.chat_scroll), (0, 0));
    }
}

#[test]
fn the_bell_rings_only_for_an_intent_into_an_empty_inbox_when_asked_for() {
    let bells = |effects: &[Effect]| effects.iter().filter(|e| **e == Effect::Bell).count();
    let mut config = config(Language::Zh);
    config.shop.bell = true;
    let mut m = livestall::app::Model::new(&config, "小王");
    assert_eq!(
        bells(&update(&mut m, chat("q", "阿强", "包邮吗", at(10, 0, 0)))),
        0,
        "no intent"
    );
    assert_eq!(
        bells(&update(
            &mut m,
            chat("a", "李姐", "小米来两袋", at(10, 0, 1))
        )),
        1
    );
    assert_eq!(
        bells(&update(&mut m, chat("b", "Tom", "walnut x3", at(10, 0, 2)))),
        0,
        "the inbox was not empty"
    );
    // Emptied (both confirmed), the next intent rings again.
    feed(
        &mut m,
        [
            confirmed("a", 1, "millet-5jin", 2, "李姐", 298, 2),
            confirmed("b", 2, "walnut", 3, "Tom", 117, 3),
        ],
    );
    assert!(m.inbox.is_empty(), "{:?}", m.inbox);
    assert_eq!(
        bells(&update(
            &mut m,
            chat("c", "兰兰", "小米来一袋", at(10, 0, 3))
        )),
        1
    );
    // Off by default.
    let mut quiet = model(Language::Zh);
    assert_eq!(
        bells(&update(
            &mut quiet,
            chat("a", "李姐", "小米来两袋", at(10, 0, 1))
        )),
        0
    );
}

// ---- The order book's views (issue 9): orders (o), waitlist (w), board (b). ----

fn summary_jobs(effects: &[Effect]) -> usize {
    jobs(effects)
        .iter()
        .filter(|job| matches!(job, StoreJob::OrdersSummary { .. }))
        .count()
}

#[test]
fn o_opens_the_orders_view_and_asks_for_its_figures_o_and_esc_close_it() {
    let mut m = model(Language::Zh);
    update(&mut m, Msg::Tick(at(14, 32, 30)));
    let effects = update(&mut m, ch('o'));
    assert_eq!(m.mode, Mode::Orders);
    assert_eq!(
        jobs(&effects),
        [&StoreJob::OrdersSummary {
            since_ms: at(14, 3, 0),
            minutes: 30,
            top: 200,
        }],
        "the last 30 minutes, ending with the minute of now"
    );
    update(&mut m, ch('o'));
    assert_eq!(m.mode, Mode::Inbox);
    update(&mut m, orders_summary(at(14, 32, 30)));
    update(&mut m, ch('o'));
    update(&mut m, key(KeyCode::Esc));
    assert_eq!(m.mode, Mode::Inbox);
    assert!(m.orders_view.is_none());
}

#[test]
fn orders_view_keys_do_not_decide_inbox_rows() {
    let mut m = two_orders();
    update(&mut m, Msg::Tick(at(10, 0, 5)));
    update(&mut m, ch('o'));
    for c in ['y', 'n', 'k'] {
        let effects = update(&mut m, ch(c));
        assert!(jobs(&effects).is_empty(), "{c}: {effects:?}");
    }
    assert!(m.inbox.iter().all(|i| i.state == IntentState::Pending));
}

#[test]
fn enter_on_a_buyer_opens_their_cart_and_esc_comes_back_to_the_orders_view() {
    let mut m = model(Language::En);
    update(&mut m, Msg::Tick(at(14, 32, 30)));
    update(&mut m, ch('o'));
    update(&mut m, orders_summary(at(14, 32, 30)));
    // Biggest first: 北京吃货小王子, then 李姐 (id u1).
    update(&mut m, ch('j'));
    update(&mut m, key(KeyCode::Down));
    update(&mut m, key(KeyCode::Up));
    let effects = update(&mut m, key(KeyCode::Enter));
    assert_eq!(
        jobs(&effects),
        [&StoreJob::Cart {
            buyer: "id:u1".into()
        }]
    );
    assert_eq!(m.mode, Mode::Cart);
    assert_eq!(m.cart.as_ref().map(|c| c.user.as_str()), Some("李姐"));
    update(&mut m, key(KeyCode::Esc));
    assert_eq!(m.mode, Mode::Orders, "back to the orders view");
    assert!(m.cart.is_none());
    assert_eq!(m.orders_view.as_ref().map(|v| v.selected), Some(1));
    update(&mut m, key(KeyCode::Esc));
    assert_eq!(m.mode, Mode::Inbox);

    // A cart opened from the inbox still closes to the inbox.
    let mut m = two_orders();
    update(&mut m, ch('c'));
    assert_eq!(m.mode, Mode::Cart);
    update(&mut m, key(KeyCode::Esc));
    assert_eq!(m.mode, Mode::Inbox);
}

#[test]
fn the_selection_stays_within_the_buyers() {
    let mut m = model(Language::Zh);
    update(&mut m, Msg::Tick(at(14, 32, 30)));
    update(&mut m, ch('o'));
    // Before the figures came there is nobody to select or open.
    update(&mut m, ch('j'));
    assert!(jobs(&update(&mut m, key(KeyCode::Enter))).is_empty());
    assert_eq!(m.mode, Mode::Orders);
    update(&mut m, orders_summary(at(14, 32, 30)));
    for _ in 0..10 {
        update(&mut m, ch('j'));
    }
    assert_eq!(m.orders_view.as_ref().map(|v| v.selected), Some(3));
    for _ in 0..10 {
        update(&mut m, ch('k'));
    }
    assert_eq!(m.orders_view.as_ref().map(|v| v.selected), Some(0));
}

/// The figures are asked again while the view is open when orders changed
/// (not more often than every 2 s, one at a time) and when the minute turns.
#[test]
fn the_orders_figures_follow_new_orders_off_the_hot_path() {
    let mut m = two_orders();
    update(&mut m, Msg::Tick(at(10, 0, 10)));
    assert_eq!(summary_jobs(&update(&mut m, ch('o'))), 1);
    // A second ask waits for the first answer.
    update(&mut m, confirmed("a", 1, "millet-5jin", 2, "李姐", 298, 2));
    assert_eq!(summary_jobs(&update(&mut m, Msg::Tick(at(10, 0, 13)))), 0);
    update(&mut m, orders_summary(at(10, 0, 13)));
    assert_eq!(
        summary_jobs(&update(&mut m, Msg::Tick(at(10, 0, 13)))),
        1,
        "the order confirmed meanwhile is asked for once the answer is in"
    );
    update(&mut m, orders_summary(at(10, 0, 13)));
    // Nothing changed: no more asks within the minute.
    assert_eq!(summary_jobs(&update(&mut m, Msg::Tick(at(10, 0, 14)))), 0);
    // Another order: asked at the first tick 2 s after the last ask.
    update(&mut m, confirmed("b", 2, "walnut", 3, "Tom", 117, 3));
    assert_eq!(
        summary_jobs(&update(&mut m, Msg::Tick(at(10, 0, 14) + 500))),
        0
    );
    assert_eq!(summary_jobs(&update(&mut m, Msg::Tick(at(10, 0, 15)))), 1);
    update(&mut m, orders_summary(at(10, 0, 15)));
    // The minute turns: the sparkline moves on.
    assert_eq!(summary_jobs(&update(&mut m, Msg::Tick(at(10, 1, 0)))), 1);
    update(&mut m, orders_summary(at(10, 1, 0)));
    // Closed: nothing is asked, whatever happens.
    update(&mut m, ch('o'));
    update(&mut m, confirmed("x", 3, "walnut", 1, "Tom", 116, 4));
    assert_eq!(summary_jobs(&update(&mut m, Msg::Tick(at(10, 5, 0)))), 0);
}

#[test]
fn the_waitlist_lists_waiting_and_offered_orders_in_line_order() {
    let mut m = model(Language::Zh);
    waitlisted_shop(&mut m);
    let rows = m.waitlist_rows();
    let summary: Vec<_> = rows
        .iter()
        .map(|r| (m.inbox[r.item].key.msg_id.as_str(), r.place, r.offered))
        .collect();
    assert_eq!(
        summary,
        [("w1", 1, false), ("w2", 2, true), ("w3", 3, false)],
        "one restocked apricot: 兰兰's two do not fit, 阿强's one does"
    );
}

#[test]
fn y_in_the_waitlist_confirms_an_offered_order_and_n_rejects_one() {
    let mut m = model(Language::Zh);
    waitlisted_shop(&mut m);
    update(&mut m, ch('w'));
    assert_eq!(m.mode, Mode::Waitlist);
    // 兰兰's order still waits: y does nothing with it.
    assert!(update(&mut m, ch('y')).is_empty());
    update(&mut m, ch('j'));
    let effects = update(&mut m, ch('y'));
    let [StoreJob::Confirm(request)] = jobs(&effects).as_slice() else {
        panic!("one confirm expected: {effects:?}");
    };
    assert_eq!(request.key, intent_key("w2", 0));
    assert_eq!(
        (request.sku.as_deref(), request.qty),
        (Some("apricot"), Some(1))
    );
    let w2 = m.inbox.iter().find(|i| i.key == intent_key("w2", 0));
    assert_eq!(w2.map(|i| &i.state), Some(&IntentState::Confirming));
    // The confirmed row left the list; the selection stays on a row.
    assert_eq!(m.waitlist_rows().len(), 2);
    assert_eq!(m.waitlist_selected, 1);
    let effects = update(&mut m, ch('n'));
    assert_eq!(
        jobs(&effects),
        [&StoreJob::Reject {
            key: intent_key("w3", 0),
            helper: "小王".into()
        }]
    );
    update(&mut m, ch('w'));
    assert_eq!(m.mode, Mode::Inbox);
}

#[test]
fn b_shows_the_board_and_any_key_goes_back() {
    let mut m = two_orders();
    update(&mut m, Msg::Tick(at(10, 0, 10)));
    let effects = update(&mut m, ch('b'));
    assert_eq!(m.mode, Mode::Board);
    assert_eq!(summary_jobs(&effects), 1, "the board's order count");
    // Any key goes back, and does nothing else (y decides nothing).
    assert!(update(&mut m, ch('y')).is_empty());
    assert_eq!(m.mode, Mode::Inbox);
    assert!(m.inbox.iter().all(|i| i.state == IntentState::Pending));
    update(&mut m, ch('b'));
    update(&mut m, ch('b'));
    assert_eq!(m.mode, Mode::Inbox);
    update(&mut m, ch('b'));
    update(&mut m, key(KeyCode::Esc));
    assert_eq!(m.mode, Mode::Inbox);
    // q still quits from the board.
    update(&mut m, ch('b'));
    assert!(update(&mut m, ch('q')).contains(&Effect::Quit));
}

#[test]
fn an_anonymous_bilibili_source_says_names_are_masked() {
    let mut config = config(Language::Zh);
    if let Some(source) = config.sources.first_mut() {
        source.kind = livestall::config::SourceKind::Bilibili {
            room: 1,
            key: String::new(),
            uid: 0,
            buvid: None,
        };
    }
    let m = livestall::app::Model::new(&config, "小王");
    assert!(screen(&m, 120, 40).contains("B站匿名连接：用户名被打码"));
    // With a uid, or another kind of source, nothing is said.
    let plain = livestall::app::Model::new(&config_of_json(), "小王");
    assert!(!screen(&plain, 120, 40).contains("B站匿名连接"));
}

fn config_of_json() -> livestall::config::Config {
    // The fixture shop reads a JSON relay.
    config(Language::Zh)
}

/// Intents an earlier run left pending are told when the inbox loads them
/// (and put to auto-confirm): their message will not come again, since a
/// relay's replayed history is skipped as read. This run's own, loaded
/// back from beyond the page, were told when they came and are not again.
#[test]
fn intents_an_earlier_run_left_pending_are_told_when_loaded() {
    let row = |id: &str, received_at_ms: i64| PendingIntent {
        intent: NewIntent {
            key: intent_key(id, 0),
            source: "json".into(),
            user: "老客".into(),
            user_id: None,
            text: "小米来两袋".into(),
            kind: IntentKind::Order,
            sku: Some("millet-5jin".into()),
            qty: Some(2),
            confidence: 0.95,
            received_at_ms,
            note: None,
        },
        waitlisted: false,
    };
    let page = || {
        Msg::Store(StoreEvent::PendingPage(livestall::store::PendingPage {
            rows: vec![row("yesterday", at(9, 0, 0)), row("now", at(14, 0, 5))],
            undecided: 2,
        }))
    };
    let mut m = model(Language::Zh);
    update(&mut m, Msg::Tick(at(14, 0, 0)));
    let fx = update(&mut m, page());
    let told: Vec<&str> = published(&fx)
        .into_iter()
        .filter_map(|e| match e {
            Event::Intent { msg_id, .. } => Some(msg_id.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(told, ["yesterday"]);
    assert!(!fx
        .iter()
        .any(|e| matches!(e, Effect::Store(StoreJob::Confirm(_)))));

    // Under auto-confirm the earlier run's sure order is confirmed.
    let mut m = model(Language::Zh);
    m.policy.auto_confirm = true;
    update(&mut m, Msg::Tick(at(14, 0, 0)));
    let fx = update(&mut m, page());
    let confirmed: Vec<&str> = fx
        .iter()
        .filter_map(|e| match e {
            Effect::Store(StoreJob::Confirm(request)) => Some(request.key.msg_id.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(confirmed, ["yesterday"]);
}

/// The store's answer to a confirmation of two bags of millet.
fn created_millet(key: IntentKey, order_id: i64, user: &str) -> Msg {
    Msg::Store(StoreEvent::Confirmed(
        key,
        livestall::store::Confirmed {
            action: livestall::store::OrderAction::Created,
            order_id,
            sku: "millet-5jin".into(),
            qty: 2,
            before_qty: None,
            user: user.into(),
            stock_left: 298,
            sold: 2,
            unit_price_fen: 3990,
            revenue_fen: 7980,
        },
    ))
}

/// The core reads a sender's message in their context once the open orders
/// are known: "算了" from a buyer with no open order stays in the chat
/// only; after their order and other words since, it is uncertain (below
/// the auto-confirm line: the helper decides); right after the order it is
/// a cancel of it.
#[test]
fn cancels_naming_nothing_are_read_against_the_senders_orders() {
    let mut m = model(Language::Zh);
    update(&mut m, Msg::Tick(at(14, 0, 0)));
    update(
        &mut m,
        Msg::Store(StoreEvent::Resumed(livestall::store::Resume::default())),
    );
    update(&mut m, chat("s1", "阿花", "算了算了", at(14, 0, 1)));
    assert!(m.inbox.is_empty(), "nothing to cancel: chat only");
    assert_eq!(m.chat.len(), 1);

    update(&mut m, chat("o1", "阿花", "小米来两袋", at(14, 0, 2)));
    let key = m.inbox[0].key.clone();
    update(&mut m, created_millet(key, 11, "阿花"));
    assert!(m.inbox.is_empty());
    update(&mut m, chat("s2", "阿花", "这首歌真好听", at(14, 0, 30)));
    let fx = update(&mut m, chat("s3", "阿花", "算了 不唱了", at(14, 0, 40)));
    assert_eq!(m.inbox.len(), 1, "an order to act on: the helper sees it");
    assert_eq!(m.inbox[0].kind, IntentKind::Cancel);
    assert!(
        m.inbox[0].confidence < livestall::intent::AUTO_CONFIRM_CONFIDENCE,
        "words since the order: uncertain"
    );
    assert!(published(&fx)
        .iter()
        .any(|e| matches!(e, Event::Intent { msg_id, .. } if msg_id == "s3")));

    // Another buyer, straight after their order: a plain cancel.
    update(&mut m, chat("o2", "Tom", "2 bags of millet", at(14, 1, 0)));
    let key = m
        .inbox
        .iter()
        .find(|i| i.key.msg_id == "o2")
        .unwrap()
        .key
        .clone();
    update(&mut m, created_millet(key, 12, "Tom"));
    update(&mut m, chat("c2", "Tom", "cancel", at(14, 1, 20)));
    let cancel = m
        .inbox
        .iter()
        .find(|i| i.key.msg_id == "c2")
        .expect("Tom's cancel");
    assert!(cancel.confidence >= livestall::intent::AUTO_CONFIRM_CONFIDENCE);
    assert_eq!(cancel.note, None, "a plain cancel needs no explaining");
    let uncertain = m.inbox.iter().find(|i| i.key.msg_id == "s3").unwrap();
    assert_eq!(
        uncertain.note,
        Some(Note::SaidMoreSince),
        "the helper is told why it is uncertain"
    );
}

/// "同上", an order naming nothing with nothing on air, a weight the
/// product is not sold by: no intent, but a suggestion the helper takes
/// with one key, never the auto-confirm policy.
#[test]
fn messages_the_engine_cannot_decide_come_as_suggestions() {
    let mut m = auto_model();
    m.on_air = None;
    update(&mut m, Msg::Tick(at(14, 0, 0)));
    update(&mut m, chat("s0", "阿花", "同上", at(14, 0, 0)));
    assert!(m.inbox.is_empty(), "nothing above to copy");

    update(&mut m, chat("o1", "李姐", "小米来两袋", at(14, 0, 1)));
    let fx = update(&mut m, chat("s1", "阿花", "同上", at(14, 0, 5)));
    let row = m
        .inbox
        .iter()
        .find(|i| i.key.msg_id == "s1")
        .expect("a suggestion");
    assert_eq!(
        (row.note, row.sku.as_deref(), row.qty),
        (Some(Note::SameAsAbove), Some("millet-5jin"), Some(2))
    );
    assert_eq!(refusal_reasons(&fx), ["suggestion"]);
    assert!(confirms(&fx).is_empty());
    assert!(published(&fx).iter().any(|e| matches!(
        e,
        Event::Intent { msg_id, note: Some("same_as_above"), .. } if msg_id == "s1"
    )));
    let [StoreJob::Record(records)] = jobs(&fx).as_slice() else {
        panic!("the suggestion is recorded: {fx:?}");
    };
    assert_eq!(records[0].note, Some(Note::SameAsAbove));
    // The chat pane does not show it as a reading: the message is no intent.
    let Some(ChatEntry::Message(line)) = m.chat.back() else {
        panic!("the message joins the chat");
    };
    assert!(line.readings.is_empty());
    assert_eq!(
        line.suggestion.map(|r| (r.product, r.qty)),
        Some((Some(0), Some(2))),
        "the chat line shows it as a suggestion"
    );

    // Nothing on air: an order naming no product leans on what chat orders.
    update(&mut m, chat("s2", "王五", "来三袋", at(14, 0, 9)));
    let row = m.inbox.iter().find(|i| i.key.msg_id == "s2").unwrap();
    assert_eq!(
        (row.note, row.sku.as_deref(), row.qty),
        (Some(Note::NothingOnAir), Some("millet-5jin"), Some(3))
    );
    // A weight the product is not sold by.
    update(&mut m, chat("s3", "赵六", "杏干来两斤", at(14, 0, 10)));
    let row = m.inbox.iter().find(|i| i.key.msg_id == "s3").unwrap();
    assert_eq!(
        (row.note, row.sku.as_deref(), row.qty),
        (Some(Note::OtherUnit), Some("apricot"), Some(2))
    );
    // Two minutes on, "同上" copies nothing.
    update(&mut m, chat("s4", "钱七", "同上", at(14, 3, 0)));
    assert!(!m.inbox.iter().any(|i| i.key.msg_id == "s4"));

    // One key takes a suggestion.
    let at_row = m.inbox.iter().position(|i| i.key.msg_id == "s1").unwrap();
    m.selected = at_row;
    assert_eq!(confirms(&update(&mut m, ch('y'))), [intent_key("s1", 0)]);
}

/// Another run (a second helper's laptop) recorded an intent before this
/// run's own reading of the message came: the sync tells it, once, and the
/// own reading that follows finds it told (a script watching this run
/// hears of every intent in its inbox, whichever run read it first).
#[test]
fn an_intent_another_run_recorded_first_is_told_once() {
    let mut m = model(Language::Zh);
    update(&mut m, Msg::Tick(at(14, 0, 0)));
    // The first sync only says where the database is.
    update(
        &mut m,
        Msg::Store(StoreEvent::Synced(Ok(Default::default()))),
    );
    let theirs = livestall::store::SyncReport {
        intents: vec![(
            NewIntent {
                key: intent_key("m6", 0),
                source: "json".into(),
                user: "尾巴".into(),
                user_id: None,
                text: "核桃一袋".into(),
                kind: IntentKind::Order,
                sku: Some("walnut".into()),
                qty: Some(1),
                confidence: 0.95,
                received_at_ms: at(14, 0, 1),
                note: None,
            },
            livestall::store::IntentStatus::Pending,
        )],
        ..Default::default()
    };
    let fx = update(&mut m, Msg::Store(StoreEvent::Synced(Ok(theirs))));
    let told = |fx: &[Effect]| {
        published(fx)
            .iter()
            .filter(|e| matches!(e, Event::Intent { msg_id, .. } if msg_id == "m6"))
            .count()
    };
    assert_eq!(told(&fx), 1, "told from the sync");
    let fx = update(&mut m, chat("m6", "尾巴", "核桃一袋", at(14, 0, 2)));
    assert_eq!(told(&fx), 0, "not told again");
    assert_eq!(m.inbox.len(), 1);
}
