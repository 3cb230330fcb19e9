//! Key scripts on ratatui's TestBackend: feed messages and keys to `update`,
//! draw with `ui::render`, and snapshot the screen as text (insta). Each
//! script also asserts the words that matter, so a wrongly accepted snapshot
//! cannot hide a broken feature.

mod tui_support;

use insta::assert_snapshot;
use livestall::app::Msg;
use livestall::chat::OutageKind;
use livestall::config::Language;
use livestall::store::Refusal;
use livestall::store::StoreEvent;
use tui_support::*;
use unicode_width::UnicodeWidthStr;

const SMALL: (u16, u16) = (80, 24);
const LARGE: (u16, u16) = (120, 40);

fn lang_name(language: Language) -> &'static str {
    match language {
        Language::Zh => "zh",
        Language::En => "en",
    }
}

/// The helper confirms the first order: "confirming…" at once, then the
/// store's answer removes the row, decrements stock and shows the order.
fn confirm_script(language: Language, (w, h): (u16, u16), confirming: &str) {
    let name = format!("confirm_{}_{w}x{h}", lang_name(language));
    let mut m = model(language);
    busy_stream(&mut m);
    assert_snapshot!(format!("{name}_1_start"), screen(&m, w, h));

    update(&mut m, ch('y'));
    let after_key = screen(&m, w, h);
    assert!(after_key.contains(confirming), "{after_key}");
    assert_snapshot!(format!("{name}_2_confirming"), after_key);

    update(
        &mut m,
        confirmed("m1", 126, "millet-5jin", 2, "李姐", 298, 2),
    );
    let done = screen(&m, w, h);
    assert!(!done.contains(confirming), "{done}");
    assert!(done.contains("298"), "stock left is shown: {done}");
    assert!(done.contains("#126"), "the recent order is shown: {done}");
    assert_snapshot!(format!("{name}_3_confirmed"), done);
}

#[test]
fn confirm_zh_large() {
    confirm_script(Language::Zh, LARGE, "确认中…");
}

#[test]
fn confirm_en_large() {
    confirm_script(Language::En, LARGE, "confirming…");
}

#[test]
fn confirm_zh_small() {
    let mut m = model(Language::Zh);
    busy_stream(&mut m);
    update(&mut m, ch('y'));
    let s = screen(&m, SMALL.0, SMALL.1);
    assert!(s.contains("确认中…"), "{s}");
    assert_snapshot!("confirm_zh_80x24_confirming", s);
    update(
        &mut m,
        confirmed("m1", 126, "millet-5jin", 2, "李姐", 298, 2),
    );
    let s = screen(&m, SMALL.0, SMALL.1);
    assert!(s.contains("剩余 298"), "{s}");
    assert_snapshot!("confirm_zh_80x24_confirmed", s);
}

#[test]
fn confirm_en_small() {
    let mut m = model(Language::En);
    busy_stream(&mut m);
    update(&mut m, key(crossterm::event::KeyCode::Enter));
    update(
        &mut m,
        confirmed("m1", 126, "millet-5jin", 2, "李姐", 298, 2),
    );
    let s = screen(&m, SMALL.0, SMALL.1);
    assert!(s.contains("left 298"), "{s}");
    assert!(
        !s.contains("小米来两袋  ←"),
        "the confirmed row left the inbox: {s}"
    );
    assert_snapshot!("confirm_en_80x24_confirmed", s);
}

#[test]
fn reject_zh_small() {
    let mut m = model(Language::Zh);
    busy_stream(&mut m);
    update(&mut m, ch('j'));
    update(&mut m, ch('n'));
    let s = screen(&m, SMALL.0, SMALL.1);
    assert!(s.contains("拒绝中…"), "{s}");
    assert_snapshot!("reject_zh_80x24_rejecting", s);
    update(
        &mut m,
        Msg::Store(StoreEvent::Rejected(intent_key("m3", 0))),
    );
    let s = screen(&m, SMALL.0, SMALL.1);
    assert!(s.contains("待确认 (3)"), "{s}");
    assert!(!s.contains("拒绝中…"), "{s}");
    assert_snapshot!("reject_zh_80x24_rejected", s);
}

#[test]
fn reject_en_large() {
    let mut m = model(Language::En);
    busy_stream(&mut m);
    update(&mut m, ch('n'));
    update(
        &mut m,
        Msg::Store(StoreEvent::Rejected(intent_key("m1", 0))),
    );
    let s = screen(&m, LARGE.0, LARGE.1);
    assert!(s.contains("Pending (3)"), "{s}");
    assert_snapshot!("reject_en_120x40_rejected", s);
}

#[test]
fn next_product_on_air() {
    for (language, on_air_text) in [
        (Language::Zh, "讲解中 ▶ 2号链接 小米礼盒"),
        (Language::En, "ON AIR ▶ #2 小米礼盒"),
    ] {
        let mut m = model(language);
        busy_stream(&mut m);
        update(&mut m, ch(']'));
        for (w, h) in [SMALL, LARGE] {
            let s = screen(&m, w, h);
            assert!(s.contains(on_air_text), "{s}");
            assert_snapshot!(format!("next_product_{}_{w}x{h}", lang_name(language)), s);
        }
    }
}

#[test]
fn refusal_is_shown_on_the_row_and_the_notice_line() {
    for (language, reason, size) in [
        (Language::Zh, "库存不足：只剩 0", SMALL),
        (Language::En, "out of stock: 0 left", LARGE),
        (Language::Zh, "库存不足：只剩 0", LARGE),
    ] {
        let mut m = model(language);
        busy_stream(&mut m);
        // The apricot order ("6号链接拍一个") is the third row; apricots are sold out.
        feed(&mut m, [ch('j'), ch('j'), ch('y')]);
        update(
            &mut m,
            Msg::Store(StoreEvent::Refused(
                intent_key("m4", 0),
                Refusal::OutOfStock { left: 0 },
            )),
        );
        // The selection moved on after y; back on the refused row, its
        // reason and what to do next are under it.
        update(&mut m, ch('k'));
        let s = screen(&m, size.0, size.1);
        assert!(
            s.contains(match language {
                Language::Zh => "R 补货，或 n 拒绝",
                Language::En => "R restocks, n rejects",
            }),
            "what to do next: {s}"
        );
        assert!(
            s.matches(reason).count() >= 2,
            "row and notice both say why: {s}"
        );
        assert_snapshot!(
            format!("refused_{}_{}x{}", lang_name(language), size.0, size.1),
            s
        );
    }
}

#[test]
fn hostile_chat_is_drawn_safely() {
    let mut m = model(Language::Zh);
    busy_stream(&mut m);
    let hostile = "\u{1b}[2J\u{1b}[31m红字\u{1b}[0m\r覆盖\u{202e}反转文字\u{200b}\u{7}\u{1b}]0;标题\u{7}👨\u{200d}👩\u{200d}👧 e\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}";
    feed(
        &mut m,
        [
            chat("h1", "坏人\u{1b}[5m", hostile, at(14, 32, 4)),
            chat("h2", "\u{202e}nimda", "正常\n第二行\t完", at(14, 32, 4)),
        ],
    );
    let s = screen(&m, SMALL.0, SMALL.1);
    for bad in ['\u{1b}', '\r', '\u{7}', '\u{202e}', '\u{200b}', '\u{200d}'] {
        assert!(!s.contains(bad), "{bad:?} reached the screen");
    }
    assert!(s.contains("红字 覆盖反转文字👨👩👧"), "{s}");
    assert!(s.contains("正常 第二行 完"), "{s}");
    assert_rows_fit(&m, SMALL.0, SMALL.1);
    assert_snapshot!("hostile_zh_80x24", s);
}

#[test]
fn wide_characters_keep_inbox_columns_aligned() {
    for language in [Language::Zh, Language::En] {
        let mut m = model(language);
        busy_stream(&mut m);
        for (w, h) in [SMALL, LARGE] {
            let s = screen(&m, w, h);
            // The confidence column (ends in %) lines up across CJK, emoji and ASCII names.
            let columns: Vec<usize> = s
                .lines()
                .filter(|l| l.contains("%") && (l.starts_with("│▸") || l.starts_with("│ ")))
                .filter_map(|l| l.find('%').map(|at| l[..at].width()))
                .collect();
            assert_eq!(columns.len(), 4, "four inbox rows at {w}x{h}: {s}");
            assert!(
                columns.windows(2).all(|p| p[0] == p[1]),
                "{columns:?} at {w}x{h}\n{s}"
            );
            assert_rows_fit(&m, w, h);
        }
    }
}

#[test]
fn overlays_on_a_small_screen() {
    let mut m = model(Language::Zh);
    busy_stream(&mut m);
    update(&mut m, ch('p'));
    let s = screen(&m, SMALL.0, SMALL.1);
    assert!(s.contains("武乡杏干") && s.contains("售罄"), "{s}");
    assert_snapshot!("products_overlay_zh_80x24", s);
    feed(&mut m, [ch('p'), ch('?')]);
    let s = screen(&m, SMALL.0, SMALL.1);
    assert!(
        s.contains("帮助") && s.contains("y / 回车") && s.contains("↓ 更多"),
        "{s}"
    );
    assert_snapshot!("help_zh_80x24", s);
    let mut m = model(Language::En);
    update(&mut m, ch('?'));
    let s = screen(&m, LARGE.0, LARGE.1);
    assert!(s.contains("reject the selected order"), "{s}");
    assert_snapshot!("help_en_120x40", s);
}

#[test]
fn disconnect_shows_in_status_and_chat() {
    let mut m = model(Language::En);
    busy_stream(&mut m);
    update(&mut m, source_down(OutageKind::Lost));
    let s = screen(&m, LARGE.0, LARGE.1);
    assert!(
        s.contains("✗ connection lost ws://127.0.0.1:9001/chat · retry in 3 s"),
        "{s}"
    );
    assert!(
        s.contains(
            "disconnected, messages may be missing (connection lost ws://127.0.0.1:9001/chat)"
        ),
        "{s}"
    );
    assert_snapshot!("disconnected_en_120x40", s);
}

/// The first run with the relay not running: the status line says why
/// first, with the address, and the chat pane says what to do instead of
/// claiming chat was missed. 80x24, the smallest screen.
fn refused_first_run(language: Language, word: &str, hint: &str) -> String {
    let mut m = model(language);
    update(&mut m, Msg::Tick(at(14, 32, 5)));
    update(&mut m, source_down(OutageKind::Refused));
    let s = screen(&m, SMALL.0, SMALL.1);
    let status = s.lines().next().unwrap_or_default();
    assert!(
        status.contains(&format!("✗ {word} 127.0.0.1:9001")),
        "{status}"
    );
    assert!(s.contains(hint), "{s}");
    assert!(!s.contains(ZH_GAP) && !s.contains(EN_GAP), "{s}");
    s
}

const ZH_GAP: &str = "可能漏掉弹幕";
const EN_GAP: &str = "may be missing";

#[test]
fn refused_first_run_zh_small() {
    let s = refused_first_run(Language::Zh, "拒绝连接", "弹幕中转程序开着吗");
    assert!(s.contains("3秒后重试"), "{s}");
    assert!(s.contains("还没连上弹幕"), "{s}");
    assert_snapshot!("refused_first_run_zh_80x24", s);
}

#[test]
fn refused_first_run_en_small() {
    let s = refused_first_run(Language::En, "refused", "is the chat relay running?");
    assert!(s.contains("retry in 3 s"), "{s}");
    assert!(s.contains("Not connected to the chat yet"), "{s}");
    assert_snapshot!("refused_first_run_en_80x24", s);
}

#[test]
fn long_inbox_keeps_the_selected_row_visible() {
    let mut m = model(Language::Zh);
    for i in 0..30 {
        let text = format!("要{}袋", i % 5 + 1);
        update(
            &mut m,
            chat(
                &format!("m{i}"),
                &format!("买家{i}"),
                &text,
                at(15, 0, i as i64),
            ),
        );
    }
    feed(&mut m, (0..25).map(|_| ch('j')));
    let s = screen(&m, SMALL.0, SMALL.1);
    assert!(s.contains("▸ 15:00:25 买家25"), "{s}");
    assert!(
        !s.contains("买家0 "),
        "rows above the window are not drawn: {s}"
    );
    assert_snapshot!("long_inbox_zh_80x24", s);
}

#[test]
fn empty_screens_draw_at_odd_sizes() {
    // The sizes straddle the two-column layout's threshold (120x30) and go
    // down to a single cell; each must draw, fit, and say what it can.
    for (language, no_orders, no_chat, quit) in [
        // Not connected yet: the chat pane says what it is trying.
        (Language::Zh, "暂无待确认订单", "正在连接弹幕", "q 退出"),
        (Language::En, "No pending orders", "connecting", "q quit"),
    ] {
        let m = model(language);
        for (w, h) in [(1, 1), (20, 5), (80, 24), (119, 40), (120, 29), (200, 60)] {
            let s = screen(&m, w, h);
            let lines: Vec<&str> = s.lines().collect();
            assert_eq!(lines.len(), usize::from(h), "{w}x{h}");
            assert_rows_fit(&m, w, h);
            if w >= 20 {
                assert!(
                    lines[0].starts_with(" 武乡小米合作社 │"),
                    "the status line names the shop at {w}x{h}:\n{s}"
                );
                // Every box row that starts a border ends it: nothing spills
                // over or cuts the right edge.
                for line in &lines {
                    for (left, right) in [('┌', '┐'), ('│', '│'), ('└', '┘')] {
                        if line.starts_with(left) {
                            assert!(line.ends_with(right), "{w}x{h}: {line:?}\n{s}");
                        }
                    }
                }
                assert!(s.contains(no_chat), "the chat pane at {w}x{h}:\n{s}");
            }
            if h >= 24 {
                assert!(s.contains(no_orders), "the inbox at {w}x{h}:\n{s}");
                assert!(
                    lines[1].contains("▶") && lines[1].contains("武乡小米"),
                    "the product on air at {w}x{h}:\n{s}"
                );
                assert!(
                    lines[lines.len() - 1].contains(quit),
                    "the key hints are the last line at {w}x{h}:\n{s}"
                );
                // The products pane is part of the two-column layout only;
                // smaller screens show it as an overlay on `p`.
                let wide = w >= 120 && h >= 30;
                assert_eq!(
                    s.contains("薄皮核桃"),
                    wide,
                    "products listed only when wide, at {w}x{h}:\n{s}"
                );
            }
        }
    }
}

#[test]
fn chat_scrolls_back_and_says_so() {
    let mut m = model(Language::Zh);
    for i in 0..40 {
        update(
            &mut m,
            chat(&format!("m{i}"), "观众", &format!("第{i}条"), at(16, 0, i)),
        );
    }
    update(&mut m, key(crossterm::event::KeyCode::PageUp));
    let s = screen(&m, SMALL.0, SMALL.1);
    assert!(s.contains("第34条") && !s.contains("第35条"), "{s}");
    assert!(s.contains("5 条新弹幕在下面"), "{s}");
    assert_snapshot!("chat_scrolled_zh_80x24", s);
}

#[test]
fn a_bulk_decision_is_asked_with_its_count_first() {
    let mut m = model(Language::Zh);
    busy_stream(&mut m);
    // The product on air has two pending orders, one a guess (扣1 at 70%).
    update(&mut m, ch('Y'));
    let s = screen(&m, SMALL.0, SMALL.1);
    assert!(
        s.contains("确认「武乡小米」的 1 条订单（共 2 件，库存 300）？") && s.contains("y 确认"),
        "{s}"
    );
    assert_rows_fit(&m, SMALL.0, SMALL.1);
    assert_snapshot!("ask_confirm_on_air_zh_80x24", s);
    update(&mut m, key(crossterm::event::KeyCode::Esc));
    let mut m = model(Language::En);
    busy_stream(&mut m);
    update(&mut m, ch('N'));
    let s = screen(&m, LARGE.0, LARGE.1);
    assert!(
        s.contains("Reject all 2 pending intents for 武乡小米?"),
        "{s}"
    );
    assert_snapshot!("ask_reject_product_en_120x40", s);
}
