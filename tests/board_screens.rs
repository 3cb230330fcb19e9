//! The broadcaster's board drawn from plain `BoardView`s on ratatui's
//! TestBackend and snapshot as text (insta), Chinese and English, from 80x24
//! to 160x48. Each test also asserts the words that matter, so a wrongly
//! accepted snapshot cannot hide a broken board.

use insta::assert_snapshot;
use livestall::config::Language;
use livestall::ui::board::{self, BoardView, BuyerView, OnAirView, SaleView};
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::Terminal;
use unicode_width::UnicodeWidthStr;

const SMALL: (u16, u16) = (80, 24);
const LARGE: (u16, u16) = (160, 48);
/// 2026-12-06 20:15:30 in China (UTC+8).
const NOW_MS: i64 = 1_796_559_330_000;
const CHINA: i32 = 8 * 3600;

/// Chat names as they come: a hostile one (escape sequences, a bell, a
/// right-to-left override, a zero-width joiner, a newline) and two Douyin
/// default names that differ only at their end.
const HOSTILE: &str = "\x1b[2J\x1b[31m坏人\u{202e}evil\u{200d}\x07\nname\x1b]0;pwned\x07";
const DOUYIN_A: &str = "抖音用户2958316704";
const DOUYIN_B: &str = "抖音用户2958399999";

fn buyers() -> Vec<BuyerView> {
    let names = [
        "李姐",
        HOSTILE,
        DOUYIN_A,
        DOUYIN_B,
        "Tom",
        "北京吃货",
        "阿强",
        "用户****05",
        "第九位不显示",
    ];
    names
        .iter()
        .enumerate()
        .map(|(i, name)| BuyerView {
            user: name.to_string(),
            product: if i % 3 == 1 {
                "薄皮核桃".into()
            } else {
                "武乡小米 5斤装".into()
            },
            qty: u32::try_from(i % 4 + 1).unwrap(),
            at_ms: Some(NOW_MS - 7_000 * i64::try_from(i).unwrap()),
        })
        .collect()
}

fn view(language: Language) -> BoardView {
    BoardView {
        language,
        shop_name: Some("武乡小米合作社".into()),
        now_ms: NOW_MS,
        utc_offset_secs: CHINA,
        on_air: Some(OnAirView {
            link: 1,
            name: "武乡小米 5斤装".into(),
            unit: "袋".into(),
            price_fen: 3990,
            stock: 212,
            sale: None,
        }),
        buyers: buyers(),
        orders: 126,
        revenue_fen: 421_560,
        unreadable: false,
    }
}

fn draw(view: &BoardView, (w, h): (u16, u16)) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal
        .draw(|frame| board::render(view, frame))
        .unwrap()
        .buffer
        .clone()
}

/// The screen as text, one line a row (the hidden half of a wide character skipped).
fn screen(view: &BoardView, size: (u16, u16)) -> String {
    let buffer = draw(view, size);
    let mut out = String::new();
    for row in buffer.content.chunks(usize::from(size.0)) {
        let mut line = String::new();
        let mut hidden = 0usize;
        for cell in row {
            if hidden > 0 {
                hidden -= 1;
                continue;
            }
            line.push_str(cell.symbol());
            hidden = cell.symbol().width().saturating_sub(1);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Every row is exactly the screen's width: nothing spills or falls short
/// because of wide characters, and nothing drawn can move the cursor.
fn assert_drawable(view: &BoardView, size: (u16, u16)) {
    let buffer = draw(view, size);
    for (y, row) in buffer.content.chunks(usize::from(size.0)).enumerate() {
        let mut columns = 0usize;
        let mut hidden = 0usize;
        for cell in row {
            let symbol = cell.symbol();
            assert!(
                !symbol
                    .chars()
                    .any(|c| c.is_control() || ('\u{202a}'..='\u{202e}').contains(&c)),
                "row {y} draws {symbol:?}"
            );
            if hidden > 0 {
                hidden -= 1;
                continue;
            }
            columns += symbol.width();
            hidden = symbol.width().saturating_sub(1);
        }
        assert_eq!(columns, usize::from(size.0), "row {y}");
    }
}

fn name(language: Language, (w, h): (u16, u16), what: &str) -> String {
    let language = match language {
        Language::Zh => "zh",
        Language::En => "en",
    };
    format!("{what}_{language}_{w}x{h}")
}

#[test]
fn the_board_in_both_languages_and_sizes() {
    for language in [Language::Zh, Language::En] {
        for size in [SMALL, LARGE] {
            let v = view(language);
            let s = screen(&v, size);
            let (on_air, left) = match language {
                Language::Zh => ("讲解中 ▶ 1号链接", "剩余"),
                Language::En => ("ON AIR ▶ #1", "left"),
            };
            assert!(s.contains(on_air), "{s}");
            assert!(s.contains(left), "{s}");
            assert!(s.contains("武乡小米 5斤装"), "{s}");
            assert!(s.contains("20:15:30"), "the clock: {s}");
            assert!(s.contains("李姐"), "the newest buyer: {s}");
            assert!(s.contains("126 · ¥4215.60"), "the totals: {s}");
            assert!(!s.contains("第九位"), "at most eight buyers: {s}");
            // Big digits: no price or stock in plain characters.
            assert!(!s.contains("39.90") && !s.contains("212"), "{s}");
            assert!(s.contains("██"), "{s}");
            assert_drawable(&v, size);
            assert_snapshot!(name(language, size, "board"), s);
        }
    }
}

#[test]
fn hostile_and_default_names_are_shown_safely_and_apart() {
    for size in [SMALL, LARGE] {
        let v = view(Language::Zh);
        let s = screen(&v, size);
        assert!(s.contains("坏人evil name"), "sanitized, not dropped: {s}");
        assert!(!s.contains("pwned"), "an OSC title is dropped whole: {s}");
        assert!(
            s.contains("2958316704") || s.contains("316704"),
            "the end of a default name is kept: {s}"
        );
        let a = s.lines().find(|l| l.contains("316704"));
        let b = s.lines().find(|l| l.contains("399999"));
        assert!(
            a.is_some() && b.is_some(),
            "both default names are told apart: {s}"
        );
        assert_drawable(&v, size);
    }
    // Where the name column is too narrow for them, their middle goes.
    let s = screen(&view(Language::Zh), (60, 20));
    assert!(
        s.contains("…8316704") && s.contains("…8399999"),
        "the distinguishing ends are kept: {s}"
    );
}

#[test]
fn sold_out_is_loud() {
    for (language, words) in [(Language::Zh, "售罄"), (Language::En, "SOLD OUT")] {
        let mut v = view(language);
        if let Some(p) = v.on_air.as_mut() {
            p.stock = 0;
        }
        let s = screen(&v, SMALL);
        assert!(s.contains(words), "{s}");
        let cell = draw(&v, SMALL)
            .content
            .iter()
            .find(|c| c.symbol() == words.chars().next().unwrap().to_string())
            .cloned()
            .unwrap();
        assert_eq!(
            cell.bg,
            ratatui::style::Color::Red,
            "on red, from two metres"
        );
        assert_drawable(&v, SMALL);
        assert_snapshot!(name(language, SMALL, "sold_out"), s);
    }
}

#[test]
fn a_running_flash_sale_shows_its_price_units_and_countdown() {
    for (language, size) in [(Language::Zh, LARGE), (Language::En, SMALL)] {
        let mut v = view(language);
        if let Some(p) = v.on_air.as_mut() {
            p.sale = Some(SaleView {
                price_fen: 1990,
                left: 12,
                ends_at_ms: NOW_MS + 7 * 60_000 + 42_000,
            });
        }
        let s = screen(&v, size);
        let (label, line) = match language {
            Language::Zh => ("秒杀价", "秒杀 还剩 12 袋 · 倒计时 7:42 · 原价 ¥39.90"),
            Language::En => (
                "FLASH SALE",
                "FLASH SALE: 12 left · ends in 7:42 · was ¥39.90",
            ),
        };
        assert!(s.contains(label) && s.contains(line), "{s}");
        assert_drawable(&v, size);
        assert_snapshot!(name(language, size, "flash_sale"), s);

        // Once it is over, the board says nothing of it (nothing in the
        // database changes when a sale runs out of time).
        v.now_ms = NOW_MS + 8 * 60_000;
        let after = screen(&v, size);
        assert!(!after.contains(label), "{after}");
    }
}

#[test]
fn the_units_left_in_a_sale_never_exceed_the_stock() {
    let mut v = view(Language::Zh);
    if let Some(p) = v.on_air.as_mut() {
        p.stock = 5;
        p.sale = Some(SaleView {
            price_fen: 1990,
            left: 12,
            ends_at_ms: NOW_MS + 60_000,
        });
    }
    let s = screen(&v, LARGE);
    assert!(s.contains("秒杀 还剩 5 袋"), "{s}");
}

#[test]
fn an_empty_shop_and_a_first_order_still_to_come() {
    let mut v = view(Language::Zh);
    v.buyers.clear();
    v.orders = 0;
    v.revenue_fen = 0;
    let s = screen(&v, SMALL);
    assert!(s.contains("还没有订单"), "{s}");
    assert_snapshot!("no_orders_zh_80x24", s);

    v.on_air = None;
    let s = screen(&v, SMALL);
    assert!(s.contains("没有商品") && s.contains("▶ —"), "{s}");
    assert_drawable(&v, SMALL);
}

#[test]
fn an_unreadable_database_is_said_without_hiding_the_board() {
    let mut v = view(Language::En);
    v.unreadable = true;
    let s = screen(&v, SMALL);
    assert!(s.contains("cannot read the database"), "{s}");
    assert!(s.contains("李姐"), "the last read stays: {s}");
}

#[test]
fn any_size_draws_without_spilling() {
    let mut big_numbers = view(Language::En);
    if let Some(p) = big_numbers.on_air.as_mut() {
        p.price_fen = 128_800;
        p.stock = 10_000;
        p.name = "Taihang Mountain Golden Millet, the 5 jin family bag".into();
    }
    for v in [view(Language::Zh), view(Language::En), big_numbers] {
        for size in [
            (80, 24),
            (100, 30),
            (120, 40),
            (160, 48),
            (200, 60),
            (60, 20),
            (40, 12),
            (20, 5),
        ] {
            assert_drawable(&v, size);
        }
    }
}
