//! Fixing an intent before confirming it (issue 9, point 2), driven by keys
//! through the real core and drawn on a TestBackend: `+` / `-`, the product
//! picker (`e` / Tab: link number, name, pinyin initials), teaching the
//! engine the misread word (asked, one key), the evidence highlighted in
//! the message, and the selection moving on after a decision.

mod tui_support;

use crossterm::event::KeyCode;
use livestall::app::model::{Bulk, Mode};
use livestall::app::{Effect, Msg};
use livestall::config::Language;
use livestall::store::{IntentKey, StoreJob};
use tui_support::*;

fn confirm_request(fx: &[Effect]) -> Option<(String, Option<u32>)> {
    fx.iter().find_map(|e| match e {
        Effect::Store(StoreJob::Confirm(req)) => Some((req.sku.clone()?, req.qty)),
        _ => None,
    })
}

fn typed(text: &str) -> Vec<Msg> {
    text.chars().map(ch).collect()
}

#[test]
fn plus_and_minus_fix_the_quantity_before_confirming() {
    let mut m = model(Language::Zh);
    busy_stream(&mut m);
    // 李姐 "小米来两袋": two bags, one more, two fewer, never below one.
    feed(&mut m, [ch('+'), ch('+'), ch('-')]);
    assert_eq!(m.inbox[0].qty, Some(3));
    feed(&mut m, [ch('-'), ch('-'), ch('-'), ch('-')]);
    assert_eq!(m.inbox[0].qty, Some(1));
    feed(&mut m, [ch('+')]);
    let fx = update(&mut m, ch('y'));
    assert_eq!(
        confirm_request(&fx),
        Some(("millet-5jin".to_string(), Some(2)))
    );
}

#[test]
fn the_picker_finds_products_by_link_name_and_pinyin_initials() {
    let mut m = model(Language::Zh);
    busy_stream(&mut m);
    let matches = |m: &livestall::app::Model, q: &str| -> Vec<String> {
        livestall::app::update::picker_matches(m, q)
            .into_iter()
            .map(|i| m.products[i].sku.clone())
            .collect()
    };
    assert_eq!(matches(&m, "7"), ["walnut"]);
    assert_eq!(matches(&m, "锅巴"), ["crackers"]);
    // 小米礼盒 → xmlh; 小米 is also in 武乡小米 (wxxm) and 小米锅巴 (xmgb).
    assert_eq!(matches(&m, "xmlh"), ["gift-box"]);
    assert_eq!(matches(&m, "xm"), ["millet-5jin", "gift-box", "crackers"]);
    // Initials of any part of a name: 核桃 in 薄皮核桃 (bpht).
    assert_eq!(matches(&m, "ht"), ["walnut"]);
    assert_eq!(matches(&m, "hetao"), ["walnut"]);
    assert_eq!(matches(&m, "gift"), ["gift-box"]);
    assert!(matches(&m, "caviar").is_empty());
    assert_eq!(matches(&m, "").len(), m.products.len());
}

#[test]
fn picking_another_product_asks_to_teach_the_misread_word() {
    let mut m = model(Language::Zh);
    busy_stream(&mut m);
    // Tab on 李姐's "小米来两袋" (read as 武乡小米), type 2 for the gift box.
    update(&mut m, key(KeyCode::Tab));
    assert_eq!(m.mode, Mode::Picker);
    let s = screen(&m, 80, 24);
    assert!(s.contains("改商品") && s.contains("小米礼盒"), "{s}");
    feed(&mut m, typed("2"));
    update(&mut m, key(KeyCode::Enter));
    assert_eq!(m.inbox[0].sku.as_deref(), Some("gift-box"));
    // The engine read "小米" as millet: teach it that 小米 means the box?
    assert!(matches!(
        &m.question,
        Some(Bulk::TeachAlias { phrase, .. }) if phrase == "小米"
    ));
    let s = screen(&m, 80, 24);
    assert!(s.contains("以后把「小米」读作「小米礼盒」？"), "{s}");
    let fx = update(&mut m, ch('y'));
    assert!(fx.iter().any(|e| matches!(
        e,
        Effect::Store(StoreJob::Learn { phrase, sku, msg_id: Some(id), .. })
            if phrase == "小米" && sku == "gift-box" && id == "m1"
    )));
    // The fixed intent is confirmed as fixed.
    let fx = update(&mut m, ch('y'));
    assert_eq!(
        confirm_request(&fx),
        Some(("gift-box".to_string(), Some(2)))
    );
}

#[test]
fn the_word_to_teach_is_the_product_word_wherever_it_stands() {
    // The verb and the quantity come before the product here: the
    // question names the product word, never "我要" or "can I get".
    for (text, word) in [
        ("我要一袋小米🌾", "小米"),
        ("can I get 2 bags of walnuts", "walnuts"),
    ] {
        let mut m = model(Language::Zh);
        feed(
            &mut m,
            [connected(), chat("m1", "阿花", text, at(14, 32, 0))],
        );
        assert_eq!(m.inbox.len(), 1, "{text}");
        update(&mut m, ch('e'));
        feed(&mut m, typed("2"));
        update(&mut m, key(KeyCode::Enter));
        assert_eq!(m.inbox[0].sku.as_deref(), Some("gift-box"), "{text}");
        assert!(
            matches!(
                &m.question,
                Some(Bulk::TeachAlias { phrase, .. }) if phrase == word
            ),
            "{text}: {:?}",
            m.question
        );
    }
}

#[test]
fn a_bare_order_picks_another_product_without_a_question() {
    let mut m = model(Language::En);
    busy_stream(&mut m);
    // 兰兰's "扣1" was read as the product on air; nothing to teach.
    feed(&mut m, [ch('j'), ch('j'), ch('j'), ch('e')]);
    assert_eq!(
        m.inbox[3].key,
        IntentKey {
            msg_id: "m5".into(),
            index: 0
        }
    );
    feed(&mut m, typed("hetao"));
    update(&mut m, key(KeyCode::Enter));
    assert_eq!(m.inbox[3].sku.as_deref(), Some("walnut"));
    assert_eq!(m.mode, Mode::Inbox);
    assert!(m.question.is_none());
    // Esc leaves the picker without changing anything.
    update(&mut m, ch('e'));
    feed(&mut m, typed("1"));
    update(&mut m, key(KeyCode::Esc));
    assert_eq!(m.inbox[3].sku.as_deref(), Some("walnut"));
}

#[test]
fn the_words_read_are_highlighted_in_the_message() {
    let mut m = model(Language::Zh);
    busy_stream(&mut m);
    let buffer = draw(&m, 80, 24);
    // Row 5 of the screen (under the title, the column headers and the
    // selected row) is the selected row's message: "小米来两袋" with 小米,
    // 来 and 两袋 read; the quote marks are not.
    let y = 5;
    let styled: Vec<(String, bool)> = (0..80)
        .map(|x| {
            let cell = &buffer[(x, y)];
            let evidence = livestall::ui::theme::evidence();
            (
                cell.symbol().to_string(),
                cell.fg == evidence.fg.unwrap_or_default()
                    && cell.modifier.contains(evidence.add_modifier),
            )
        })
        .filter(|(s, _)| !s.trim().is_empty())
        .collect();
    let highlighted: String = styled
        .iter()
        .filter(|(_, h)| *h)
        .map(|(s, _)| s.as_str())
        .collect();
    assert_eq!(highlighted, "小米来两袋");
    assert!(styled.iter().any(|(s, h)| s == "\"" && !h));
}

#[test]
fn after_a_decision_the_selection_moves_to_the_next_undecided_row() {
    let mut m = model(Language::Zh);
    busy_stream(&mut m);
    update(&mut m, ch('y'));
    assert_eq!(m.selected, 1, "on to Tom's order");
    update(&mut m, ch('n'));
    assert_eq!(m.selected, 2);
}

#[test]
fn p_toggles_the_product_pane_on_a_wide_screen() {
    let mut m = model(Language::En);
    busy_stream(&mut m);
    for size in [(120, 40), (160, 48)] {
        // The screen's shell tells the core its size (on start and resize).
        update(
            &mut m,
            Msg::Resize {
                width: size.0,
                height: size.1,
            },
        );
        assert!(screen(&m, size.0, size.1).contains("Products"));
        update(&mut m, ch('p'));
        let hidden = screen(&m, size.0, size.1);
        assert!(!hidden.contains("Products"), "{hidden}");
        assert!(hidden.contains("Pending (4)"));
        update(&mut m, ch('p'));
        assert!(screen(&m, size.0, size.1).contains("Products"));
    }
}

#[test]
fn an_order_changed_after_it_was_confirmed_shows_once_in_the_recent_line() {
    let mut m = model(Language::Zh);
    busy_stream(&mut m);
    update(
        &mut m,
        confirmed("m1", 126, "millet-5jin", 2, "李姐", 298, 2),
    );
    let changed = livestall::store::Confirmed {
        action: livestall::store::OrderAction::Changed,
        order_id: 126,
        sku: "millet-5jin".into(),
        qty: 3,
        before_qty: Some(2),
        user: "李姐".into(),
        stock_left: 297,
        sold: 3,
        unit_price_fen: 3990,
        revenue_fen: 11970,
    };
    update(
        &mut m,
        Msg::Store(livestall::store::StoreEvent::Amended {
            order_id: 126,
            result: Ok(changed),
        }),
    );
    let recent: Vec<(i64, u32)> = m
        .recent_orders
        .iter()
        .map(|o| (o.order_id, o.qty))
        .collect();
    assert_eq!(recent, [(126, 3)]);
    assert!(screen(&m, 120, 40).contains("#126 李姐 武乡小米×3 ¥119.70"));
}

#[test]
fn low_stock_is_warned_before_it_runs_out() {
    let mut m = model(Language::En);
    busy_stream(&mut m);
    let row = |sku: &str, stock: i64| livestall::store::StockRow {
        sku: sku.into(),
        name: sku.into(),
        link: 2,
        price_fen: 8800,
        stock,
        sold: 50 - stock,
        revenue_fen: 0,
        retired: false,
        sale: None,
    };
    // The gift box started with 50: five left is a tenth, six is not.
    update(
        &mut m,
        Msg::Store(livestall::store::StoreEvent::Inventory(vec![row(
            "gift-box", 6,
        )])),
    );
    update(&mut m, ch(']'));
    assert!(!screen(&m, 120, 40).contains("LOW"));
    update(
        &mut m,
        Msg::Store(livestall::store::StoreEvent::Inventory(vec![row(
            "gift-box", 5,
        )])),
    );
    let s = screen(&m, 120, 40);
    assert!(s.contains("left 5 (LOW)"), "{s}");
    assert!(
        s.lines()
            .any(|l| l.contains("小米礼盒") && l.contains("LOW")),
        "{s}"
    );
}
