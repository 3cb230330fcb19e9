//! The order book's views on ratatui's TestBackend, driven by keys: the
//! orders view (`o`), the waitlist (`w`) and the board in the helper's
//! terminal (`b`), in Chinese and English at 80x24 and 160x48 (insta), and
//! at every size from 60x20 to 300x80 without a panic or a row of the
//! wrong width. Each script asserts the words that matter, so a wrongly
//! accepted snapshot cannot hide a broken view.

mod tui_support;

use insta::assert_snapshot;
use livestall::app::{Mode, Model};
use livestall::config::Language;
use tui_support::*;

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];

fn lang(language: Language) -> &'static str {
    match language {
        Language::Zh => "zh",
        Language::En => "en",
    }
}

fn orders_view(language: Language) -> Model {
    let mut m = model(language);
    shop_with_orders(&mut m);
    update(&mut m, ch('o'));
    update(&mut m, orders_summary(at(14, 32, 6)));
    update(&mut m, ch('j'));
    assert_eq!(m.mode, Mode::Orders);
    m
}

fn waitlist_view(language: Language) -> Model {
    let mut m = model(language);
    waitlisted_shop(&mut m);
    update(&mut m, ch('w'));
    update(&mut m, ch('j'));
    assert_eq!(m.mode, Mode::Waitlist);
    m
}

fn board_view(language: Language) -> Model {
    let mut m = model(language);
    shop_with_orders(&mut m);
    update(&mut m, ch('b'));
    update(&mut m, orders_summary(at(14, 32, 6)));
    assert_eq!(m.mode, Mode::Board);
    m
}

fn orders_script(language: Language, words: [&str; 5]) {
    let m = orders_view(language);
    for (w, h) in SIZES {
        let s = screen(&m, w, h);
        for word in words {
            assert!(s.contains(word), "{word} at {w}x{h}:\n{s}");
        }
        // The buyer's name sent with a bidi override reaches no cell.
        assert!(!s.contains('\u{202e}'), "{s}");
        assert!(s.contains("▸ 李姐"), "the second buyer is selected:\n{s}");
        assert_snapshot!(format!("orders_{}_{w}x{h}", lang(language)), s);
    }
}

#[test]
fn orders_zh() {
    orders_script(
        Language::Zh,
        ["订单 126", "¥4215.60", "北京吃货小王子", "¥478.80", "14:32"],
    );
}

#[test]
fn orders_en() {
    orders_script(
        Language::En,
        [
            "orders 126",
            "¥4215.60",
            "北京吃货小王子",
            "¥478.80",
            "14:32",
        ],
    );
}

fn waitlist_script(language: Language, waiting: &str, offered: &str) {
    let m = waitlist_view(language);
    for (w, h) in SIZES {
        let s = screen(&m, w, h);
        for word in ["兰兰", "阿强", "14:35:09", "×2", waiting, offered] {
            assert!(s.contains(word), "{word} at {w}x{h}:\n{s}");
        }
        let offered_row = s.lines().find(|l| l.contains("阿强")).unwrap_or("");
        assert!(
            offered_row.starts_with("│▸") && offered_row.contains(offered),
            "阿强's order is selected and offered:\n{s}"
        );
        assert_snapshot!(format!("waitlist_{}_{w}x{h}", lang(language)), s);
    }
}

#[test]
fn waitlist_zh() {
    waitlist_script(Language::Zh, "等补货", "有货了，y 确认");
}

#[test]
fn waitlist_en() {
    waitlist_script(Language::En, "waiting", "in stock: y confirms");
}

fn board_script(language: Language, words: [&str; 3]) {
    let m = board_view(language);
    for (w, h) in SIZES {
        let s = screen(&m, w, h);
        for word in words {
            assert!(s.contains(word), "{word} at {w}x{h}:\n{s}");
        }
        // Newest first: Tom's walnuts, then 李姐's millet.
        let tom = s.find("Tom").unwrap_or(usize::MAX);
        let li = s.find("李姐").unwrap_or(0);
        assert!(tom < li, "{s}");
        assert_snapshot!(format!("board_{}_{w}x{h}", lang(language)), s);
    }
}

#[test]
fn board_zh() {
    board_script(Language::Zh, ["讲解中", "刚刚下单", "订单 126"]);
}

#[test]
fn board_en() {
    board_script(Language::En, ["ON AIR", "Just ordered", "orders 126"]);
}

/// Every view at every size: no panic, every row exactly as wide as the
/// screen.
#[test]
fn the_views_fit_every_size() {
    for language in [Language::Zh, Language::En] {
        let mut cart = orders_view(language);
        update(&mut cart, key(crossterm::event::KeyCode::Enter));
        assert_eq!(cart.mode, Mode::Cart);
        let views = [
            orders_view(language),
            waitlist_view(language),
            board_view(language),
            cart,
        ];
        for m in &views {
            for w in (60..=300).step_by(30).chain([61, 79, 119, 121]) {
                for h in (20..=80).step_by(12).chain([21, 23]) {
                    assert_rows_fit(m, w, h);
                }
            }
        }
    }
}

/// Before the store answers, and with nothing to show, the views say so.
#[test]
fn empty_views_say_so() {
    let mut m = model(Language::Zh);
    update(&mut m, livestall::app::Msg::Tick(at(9, 0, 0)));
    update(&mut m, ch('o'));
    let s = screen(&m, 80, 24);
    assert!(s.contains("读取中…"), "{s}");
    update(&mut m, ch('o'));
    update(&mut m, ch('w'));
    let s = screen(&m, 80, 24);
    assert!(s.contains("没有在候补的订单"), "{s}");
    update(&mut m, ch('w'));
    update(&mut m, ch('b'));
    let s = screen(&m, 80, 24);
    assert!(s.contains("还没有订单"), "{s}");
}
