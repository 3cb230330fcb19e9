//! The inbox at speed, through `update` and key strings: the filter (`/`)
//! never lets y/n reach a row the helper cannot see, the selection stays
//! right as rows come and go, bulk keys count what they say whatever the
//! filter, grouping by buyer (`G`) and the jump to a chat line (`g`).

mod tui_support;

use livestall::app::model::{Bulk, CHAT_CAPACITY};
use livestall::app::{Effect, Mode, Model, Msg, Notice};
use livestall::config::Language;
use livestall::store::{StoreEvent, StoreJob};
use tui_support::*;

/// busy_stream (m1 李姐 millet, m3 Tom walnuts, m4 apricots, m5 兰兰 扣1)
/// and m6 李姐 walnuts, m7/m8 two Douyin buyers named alike.
fn shop() -> Model {
    let mut m = model(Language::Zh);
    busy_stream(&mut m);
    feed(
        &mut m,
        [
            chat("m6", "李姐", "核桃也来一袋", at(14, 32, 6)),
            chat("m7", "抖音用户1234567", "礼盒要一个", at(14, 32, 7)),
            chat("m8", "抖音用户1234589", "锅巴两包", at(14, 32, 8)),
            Msg::Tick(at(14, 32, 9)),
        ],
    );
    m
}

fn selected_msg(m: &Model) -> Option<&str> {
    m.selected_item().map(|item| item.key.msg_id.as_str())
}

/// The intents the store is asked to confirm or reject.
fn decided(effects: &[Effect]) -> Vec<String> {
    jobs(effects)
        .into_iter()
        .filter_map(|job| match job {
            StoreJob::Confirm(request) => Some(format!("confirm {}", request.key.msg_id)),
            StoreJob::Reject { key, .. } => Some(format!("reject {}", key.msg_id)),
            _ => None,
        })
        .collect()
}

#[test]
fn y_acts_on_the_filtered_row_and_moves_on_within_the_filter() {
    let mut m = shop();
    assert_eq!(selected_msg(&m), Some("m1"));
    press(&mut m, "/核桃<enter>");
    assert_eq!(m.mode, Mode::Inbox);
    // m1 (millet) is hidden: the selection moved to the first shown row.
    assert_eq!(selected_msg(&m), Some("m3"));
    let effects = press(&mut m, "y");
    assert_eq!(decided(&effects), vec!["confirm m3"]);
    // The next undecided row on screen, not m4 (next in arrival order).
    assert_eq!(selected_msg(&m), Some("m6"));
    let effects = press(&mut m, "n");
    assert_eq!(decided(&effects), vec!["reject m6"]);
}

#[test]
fn with_nothing_shown_no_key_reaches_a_hidden_row() {
    let mut m = shop();
    let before = m.inbox.clone();
    press(&mut m, "/zzz<enter>");
    assert_eq!(m.selected_item(), None);
    for keys in ["y", "<enter>", "n", "<del>", "+", "-", "c", "N", "g"] {
        let effects = press(&mut m, keys);
        assert!(decided(&effects).is_empty(), "{keys}: {effects:?}");
        assert_eq!(m.mode, Mode::Inbox, "{keys}");
    }
    press(&mut m, "e");
    assert_eq!(m.mode, Mode::Inbox, "no picker for a hidden row");
    assert_eq!(m.inbox, before, "no row changed");
}

#[test]
fn typing_narrows_at_once_and_esc_or_slash_behave() {
    let mut m = shop();
    press(&mut m, "/li");
    assert_eq!(m.mode, Mode::Filter);
    assert_eq!(m.filter.as_deref(), Some("li"));
    // While typing, y is a letter of the filter, not a confirmation.
    let effects = press(&mut m, "y");
    assert!(decided(&effects).is_empty());
    assert_eq!(m.filter.as_deref(), Some("liy"));
    // "li" showed only the gift box (xiaomi*li*he): the selection went
    // there, and stays as the filter widens.
    press(&mut m, "<bs><bs><bs>小米");
    assert_eq!(selected_msg(&m), Some("m7"));
    press(&mut m, "<up>");
    assert_eq!(selected_msg(&m), Some("m5"), "arrows select while typing");
    // Esc while typing drops the filter.
    press(&mut m, "<esc>");
    assert_eq!((m.mode, m.filter.as_deref()), (Mode::Inbox, None));
    // Enter keeps it; / edits it; Esc in the inbox clears it.
    press(&mut m, "/Tom<enter>");
    assert_eq!(m.filter.as_deref(), Some("Tom"));
    assert_eq!(selected_msg(&m), Some("m3"));
    press(&mut m, "/<bs><bs><bs>兰兰<enter>");
    assert_eq!(m.filter.as_deref(), Some("兰兰"));
    assert_eq!(selected_msg(&m), Some("m5"));
    press(&mut m, "<esc>");
    assert_eq!((m.mode, m.filter.as_deref()), (Mode::Inbox, None));
    assert_eq!(selected_msg(&m), Some("m5"), "the row stays selected");
    // An empty filter kept is no filter.
    press(&mut m, "/<enter>");
    assert_eq!(m.filter, None);
}

#[test]
fn the_filter_reads_link_numbers_skus_and_pinyin() {
    let mut m = shop();
    let shown = |m: &Model| -> Vec<String> {
        livestall::app::rows::visible(m)
            .into_iter()
            .map(|i| m.inbox[i].key.msg_id.clone())
            .collect()
    };
    for (query, want) in [
        ("6号", vec!["m4"]),
        ("#6", vec!["m4"]),
        // Link 7 (walnuts), and a buyer whose name has a 7.
        ("7", vec!["m3", "m6", "m7"]),
        ("walnut", vec!["m3", "m6"]),
        ("bpht", vec!["m3", "m6"]),
        ("GUOBA", vec!["m8"]),
        ("抖音用户", vec!["m7", "m8"]),
        ("扣1", vec!["m5"]),
    ] {
        m.filter = Some(query.to_string());
        assert_eq!(shown(&m), want, "{query}");
    }
}

#[test]
fn the_selection_stays_right_as_rows_come_and_go() {
    let mut m = shop();
    press(&mut m, "/核桃<enter>j");
    assert_eq!(selected_msg(&m), Some("m6"));
    // A row above it leaves, rows arrive: still m6.
    update(
        &mut m,
        Msg::Store(StoreEvent::Rejected(intent_key("m1", 0))),
    );
    update(&mut m, chat("m9", "王五", "核桃三袋", at(14, 33, 0)));
    update(&mut m, chat("m10", "赵六", "小米一袋", at(14, 33, 1)));
    assert_eq!(selected_msg(&m), Some("m6"));
    // The selected row itself leaves: the next shown row, not m7 (next in
    // the inbox but hidden by the filter).
    update(
        &mut m,
        Msg::Store(StoreEvent::Rejected(intent_key("m6", 0))),
    );
    assert_eq!(selected_msg(&m), Some("m9"));
    // The last shown row leaves: the one before it on screen.
    update(
        &mut m,
        Msg::Store(StoreEvent::Rejected(intent_key("m9", 0))),
    );
    assert_eq!(selected_msg(&m), Some("m3"));
    update(
        &mut m,
        Msg::Store(StoreEvent::Rejected(intent_key("m3", 0))),
    );
    assert_eq!(selected_msg(&m), None, "nothing shown, nothing selected");
    assert!(decided(&press(&mut m, "y")).is_empty());
}

#[test]
fn bulk_keys_count_every_pending_row_whatever_the_filter() {
    let count = |m: &mut Model, keys: &str| -> usize {
        press(m, keys);
        let n = match &m.question {
            Some(Bulk::ConfirmOnAir { keys, .. })
            | Some(Bulk::RejectProduct { keys, .. })
            | Some(Bulk::RejectOlder { keys, .. }) => keys.len(),
            other => panic!("{keys}: {other:?}"),
        };
        press(m, "<esc>");
        n
    };
    let mut plain = shop();
    let mut filtered = shop();
    press(&mut filtered, "/Tom<enter>");
    // N on Tom's walnuts counts 李姐's walnuts too (hidden by the filter).
    assert_eq!(count(&mut plain, "jN"), 2);
    assert_eq!(count(&mut filtered, "N"), 2);
    // Y: every sure order of the product on air, shown or not.
    let on_air = count(&mut plain, "Y");
    assert_eq!(count(&mut filtered, "Y"), on_air);
    assert!(on_air >= 1);
    // O: older than ten minutes.
    for m in [&mut plain, &mut filtered] {
        update(m, Msg::Tick(at(14, 50, 0)));
    }
    assert_eq!(count(&mut plain, "O"), 7);
    assert_eq!(count(&mut filtered, "O"), 7);
    assert_eq!(
        filtered.filter.as_deref(),
        Some("Tom"),
        "Esc closed the question only"
    );
}

#[test]
fn grouping_puts_a_buyers_rows_together_and_moves_in_screen_order() {
    let mut m = shop();
    press(&mut m, "G");
    assert!(m.group_by_buyer);
    let order: Vec<&str> = livestall::app::rows::visible(&m)
        .into_iter()
        .map(|i| m.inbox[i].key.msg_id.as_str())
        .collect();
    assert_eq!(order, ["m1", "m6", "m3", "m4", "m5", "m7", "m8"]);
    press(&mut m, "j");
    assert_eq!(selected_msg(&m), Some("m6"));
    press(&mut m, "j");
    assert_eq!(selected_msg(&m), Some("m3"));
    // A decision moves on in screen order.
    press(&mut m, "kky");
    assert_eq!(selected_msg(&m), Some("m6"));
    // The decided row leaves: the selection stays on m6.
    update(&mut m, confirmed("m1", 1, "millet-5jin", 2, "李姐", 298, 2));
    assert_eq!(selected_msg(&m), Some("m6"));
    press(&mut m, "G");
    assert!(!m.group_by_buyer);
    assert_eq!(selected_msg(&m), Some("m6"));
}

#[test]
fn badges_and_names_tell_buyers_apart() {
    let mut m = shop();
    let s = screen(&m, 80, 24);
    // 李姐 has two rows, each with the badge.
    let badged = |s: &str| {
        s.lines()
            .filter(|l| l.contains("李姐") && l.contains("+1 "))
            .count()
    };
    assert_eq!(badged(&s), 2, "{s}");
    press(&mut m, "jjjjjj");
    // With room, the Douyin buyers' whole names; on a narrow screen they
    // lose their middle, not the end where they differ.
    let s = screen(&m, 80, 24);
    assert!(s.contains("抖音用户1234567 小米礼盒"), "{s}");
    let s = screen(&m, 64, 20);
    assert!(s.contains("抖音…34567") && s.contains("抖音…34589"), "{s}");
    assert!(s.contains("李姐    +1 薄皮核桃"), "{s}");
    // The why line has the whole name.
    assert!(s.contains("抖音用户1234589 \"锅巴两包\""), "{s}");
    press(&mut m, "Gkkkkkk");
    for width in [64, 80, 160] {
        let s = screen(&m, width, 24);
        assert!(
            s.lines()
                .any(|l| l.contains("李姐") && l.contains("(2) 武乡小米")),
            "{s}"
        );
        assert!(
            s.lines()
                .any(|l| l.contains(":06   李姐") && l.contains("薄皮核桃")),
            "indented: {s}"
        );
    }
}

#[test]
fn g_scrolls_to_the_chat_line_and_marks_it_while_selected() {
    let mut m = shop();
    // Enough chatter after m3 that it is out of the pane at 80x24.
    for n in 0..40 {
        update(
            &mut m,
            chat(&format!("x{n}"), "路人", "主播好", at(14, 40, 0)),
        );
    }
    press(&mut m, "j");
    assert!(!screen(&m, 80, 24).contains("2 bags of walnuts please                 "));
    press(&mut m, "g");
    assert_eq!(m.chat_mark, Some(intent_key("m3", 0)));
    let s = screen(&m, 80, 24);
    let marked: Vec<&str> = s.lines().filter(|l| l.contains("│▸14:")).collect();
    assert_eq!(marked.len(), 1, "{s}");
    assert!(marked[0].contains("2 bags of walnuts please"), "{s}");
    // New chat does not move it away.
    update(&mut m, chat("y1", "路人", "来了来了", at(14, 41, 0)));
    assert!(screen(&m, 80, 24).contains("│▸14:32:01 Tom"));
    // Another row selected: the mark goes.
    press(&mut m, "j");
    assert!(!screen(&m, 80, 24).contains("│▸14:"));
    press(&mut m, "<end>");
    assert_eq!(m.chat_scroll, 0);
}

#[test]
fn g_says_so_when_the_message_fell_out_of_the_history() {
    let mut m = shop();
    for n in 0..CHAT_CAPACITY {
        update(
            &mut m,
            chat(&format!("x{n}"), "路人", "主播好", at(14, 40, 0)),
        );
    }
    press(&mut m, "g");
    assert_eq!(
        m.notice.as_ref().map(|(n, _)| n),
        Some(&Notice::ChatLineGone)
    );
    assert_eq!(m.chat_mark, None);
    assert_eq!(m.chat_scroll, 0);
    for language in [Language::Zh, Language::En] {
        m.language = language;
        let s = screen(&m, 80, 24);
        let words = match language {
            Language::Zh => "已不在弹幕记录里",
            Language::En => "no longer in the chat history",
        };
        assert!(s.contains(words), "{s}");
    }
}
