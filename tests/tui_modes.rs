//! Every mode of the screen in Chinese and English at 80x24 and 160x48,
//! driven by key strings (`snapshot!(ctx, "jj<tab>")`): the inbox, help,
//! products, a bulk question, a prompt, a cart, the product picker and the
//! inbox filter, plus grouping by buyer and the jump to a chat line. Each
//! script also asserts the words that matter, so a wrongly accepted
//! snapshot cannot hide a broken feature. The key-string parser's own
//! tests are here too.

mod tui_support;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use livestall::app::update::picker_matches;
use livestall::app::{Mode, Model, Msg};
use livestall::config::Language;
use livestall::store::{OrderRow, StoreEvent};
use tui_support::*;

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];
const LANGUAGES: [Language; 2] = [Language::Zh, Language::En];

/// The busy stream and a few more orders: 李姐 orders twice, and two
/// Douyin buyers whose default names differ only at the end.
pub fn shop(language: Language) -> Model {
    let mut m = model(language);
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

/// Runs `script` on the shop in both languages at both sizes.
fn each(scenario: &'static str, script: impl Fn(&mut Ctx, Language)) {
    for language in LANGUAGES {
        for size in SIZES {
            let mut ctx = Ctx::new(scenario, shop(language), size);
            script(&mut ctx, language);
        }
    }
}

fn zh_en(language: Language, zh: &'static str, en: &'static str) -> &'static str {
    match language {
        Language::Zh => zh,
        Language::En => en,
    }
}

// --- the key-string parser -------------------------------------------------

fn k(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

#[test]
fn key_strings_read_characters_named_keys_and_modifiers() {
    let keys = parse_keys("jj+<enter>/小米<enter><esc><pgup><s-tab><c-c>").unwrap();
    assert_eq!(
        keys,
        vec![
            k(KeyCode::Char('j')),
            k(KeyCode::Char('j')),
            k(KeyCode::Char('+')),
            k(KeyCode::Enter),
            k(KeyCode::Char('/')),
            k(KeyCode::Char('小')),
            k(KeyCode::Char('米')),
            k(KeyCode::Enter),
            k(KeyCode::Esc),
            k(KeyCode::PageUp),
            KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT),
            KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL),
        ]
    );
}

#[test]
fn key_strings_cover_the_rest_of_the_names() {
    let keys = parse_keys(
        "Y<lt><space><bs><del><up><down><left><right><pgdn><home><end><tab><f5><a-x><c-->",
    )
    .unwrap();
    assert_eq!(
        keys,
        vec![
            KeyEvent::new(KeyCode::Char('Y'), KeyModifiers::SHIFT),
            k(KeyCode::Char('<')),
            k(KeyCode::Char(' ')),
            k(KeyCode::Backspace),
            k(KeyCode::Delete),
            k(KeyCode::Up),
            k(KeyCode::Down),
            k(KeyCode::Left),
            k(KeyCode::Right),
            k(KeyCode::PageDown),
            k(KeyCode::Home),
            k(KeyCode::End),
            k(KeyCode::Tab),
            k(KeyCode::F(5)),
            KeyEvent::new(KeyCode::Char('x'), KeyModifiers::ALT),
            KeyEvent::new(KeyCode::Char('-'), KeyModifiers::CONTROL),
        ]
    );
    assert_eq!(parse_keys("").unwrap(), vec![]);
}

#[test]
fn bad_key_strings_say_what_is_wrong() {
    let err = parse_keys("j<enter").unwrap_err();
    assert!(err.contains("unclosed"), "{err}");
    let err = parse_keys("<nope>").unwrap_err();
    assert!(err.contains("unknown key <nope>"), "{err}");
    assert!(parse_keys("<f13>").is_err());
    assert!(parse_keys("<>").is_err());
}

#[test]
fn key_slugs_are_file_name_safe_and_tell_scripts_apart() {
    assert_eq!(key_slug("jj<enter>"), "jj_enter");
    assert_eq!(key_slug("<s-tab>"), "stab");
    assert_eq!(key_slug("/小米"), "2f_5c0f_7c73");
    assert_ne!(key_slug("/6"), key_slug("/6<enter>"));
    for slug in [key_slug("?<esc>/x<c-c>"), key_slug("<lt>>")] {
        assert!(
            slug.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
            "{slug}"
        );
    }
}

#[test]
fn key_strings_drive_the_model() {
    let mut m = shop(Language::Zh);
    assert_eq!(m.selected, 0);
    press(&mut m, "jj");
    assert_eq!(m.selected, 2);
    press(&mut m, "?");
    assert_eq!(m.mode, Mode::Help);
    press(&mut m, "<esc>");
    assert_eq!(m.mode, Mode::Inbox);
}

// --- every mode ------------------------------------------------------------

#[test]
fn inbox_mode() {
    each("inbox", |ctx, language| {
        let s = snapshot!(ctx, "");
        assert!(
            s.contains(zh_en(language, "待确认 (7)", "Pending (7)")),
            "{s}"
        );
        // 李姐 has two rows: each carries "+1".
        assert!(s.contains("+1"), "{s}");
        let s = snapshot!(ctx, "jj");
        assert!(s.contains("2 bags of walnuts please"), "why line: {s}");
    });
}

#[test]
fn help_mode() {
    each("help", |ctx, language| {
        let s = snapshot!(ctx, "?");
        assert!(s.contains(zh_en(language, "帮助", "Help")), "{s}");
        // Generated from the keymap: the inbox's keys with their words.
        let confirm = livestall::ui::i18n::action_help(language, livestall::app::Action::Confirm);
        assert!(s.contains(confirm), "{s}");
    });
}

#[test]
fn products_mode() {
    each("products", |ctx, _| {
        let s = snapshot!(ctx, "P");
        assert_eq!(ctx.model.mode, Mode::Products);
        assert!(s.contains("薄皮核桃"), "{s}");
    });
}

#[test]
fn ask_mode() {
    each("ask", |ctx, _| {
        // N on 李姐's millet: both millet rows (李姐 and 兰兰's 扣1).
        let s = snapshot!(ctx, "N");
        assert_eq!(ctx.model.mode, Mode::Ask);
        assert_eq!(ctx.model.question.as_ref().unwrap().keys().len(), 2);
        assert!(s.contains('2'), "{s}");
    });
}

#[test]
fn prompt_mode() {
    each("prompt", |ctx, _| {
        let s = snapshot!(ctx, "R20");
        assert_eq!(ctx.model.mode, Mode::Prompt);
        assert!(s.contains("20"), "{s}");
    });
}

fn order_row(order_id: i64, user: &str, sku: &str, name: &str, qty: u32) -> OrderRow {
    OrderRow {
        order_id,
        msg_id: format!("old{order_id}"),
        user: user.into(),
        sku: sku.into(),
        name: name.into(),
        qty,
        unit_price_fen: 3990,
        total_fen: 3990 * i64::from(qty),
        status: "confirmed".into(),
        confirmed_at: "2025-12-06T14:20:00+08:00".into(),
        helper: "小王".into(),
        unit: "袋".into(),
        text: "小米来两袋".into(),
        buyer: format!("name:{user}"),
        source: String::new(),
        confirmed_at_ms: at(14, 20, 0),
        cancelled_at_ms: None,
        changed_at_ms: None,
    }
}

#[test]
fn cart_mode() {
    each("cart", |ctx, language| {
        let s = snapshot!(ctx, "c");
        assert_eq!(ctx.model.mode, Mode::Cart);
        assert!(s.contains(zh_en(language, "读取中…", "loading…")), "{s}");
        let rows = vec![
            order_row(101, "李姐", "millet-5jin", "武乡小米", 2),
            order_row(102, "李姐", "walnut", "薄皮核桃", 1),
        ];
        ctx.apply(
            Msg::Store(StoreEvent::Cart {
                buyer: "name:李姐".into(),
                result: Ok(rows),
            }),
            "loaded",
        );
        let s = snapshot!(ctx, "j");
        assert!(s.contains("#102") || s.contains("102"), "{s}");
    });
}

#[test]
fn picker_mode() {
    each("picker", |ctx, _| {
        let s = snapshot!(ctx, "e");
        assert_eq!(ctx.model.mode, Mode::Picker);
        assert!(s.contains("小米锅巴"), "every product listed: {s}");
        let s = snapshot!(ctx, "bp");
        assert!(s.contains("> bp"), "{s}");
        let walnut = 4;
        assert_eq!(picker_matches(&ctx.model, "bp"), vec![walnut]);
    });
}

#[test]
fn filter_mode() {
    each("filter", |ctx, language| {
        let s = snapshot!(ctx, "/小米");
        assert_eq!(ctx.model.mode, Mode::Filter);
        // 李姐's millet, 兰兰's 扣1 (millet on air), the gift box and the
        // crackers (both 小米… by name).
        let title = zh_en(language, "待确认 4/7", "Pending 4 of 7");
        assert!(s.contains(title), "{s}");
        assert!(s.contains("/小米▏"), "cursor while typing: {s}");
        let s = snapshot!(ctx, "<enter>");
        assert_eq!(ctx.model.mode, Mode::Inbox);
        assert!(s.contains(title) && !s.contains("/小米▏"), "{s}");
        let s = snapshot!(ctx, "<esc>/6号<enter>");
        assert!(
            s.contains(zh_en(language, "待确认 1/7", "Pending 1 of 7")),
            "{s}"
        );
        assert!(s.contains("北京吃货"), "{s}");
        let s = snapshot!(ctx, "<esc>/zzz<enter>");
        assert!(
            s.contains(zh_en(language, "没有符合筛选", "no pending order")),
            "{s}"
        );
    });
}

#[test]
fn grouped_and_jumped() {
    each("group", |ctx, language| {
        let s = snapshot!(ctx, "G");
        assert!(s.contains(zh_en(language, "按买家", "by buyer")), "{s}");
        assert!(s.contains("(2)"), "the group's count: {s}");
        // The second row on screen is 李姐's walnuts, under her millet.
        let s = snapshot!(ctx, "jg");
        assert_eq!(ctx.model.selected_item().unwrap().key.msg_id, "m6");
        assert!(s.contains("▸ 14:32:06"), "the chat line is marked: {s}");
    });
}

/// Suggestions for messages the engine cannot decide, with nothing on air:
/// "同上" after another buyer's order and an order by weight sit in the
/// inbox marked as suggestions, the selected one saying why.
#[test]
fn suggestions_in_the_inbox() {
    for language in LANGUAGES {
        for size in SIZES {
            let mut m = model(language);
            m.on_air = None;
            feed(
                &mut m,
                [
                    Msg::Tick(at(14, 0, 0)),
                    chat("o1", "李姐", "小米来两袋", at(14, 0, 1)),
                    chat("s1", "阿花", "同上", at(14, 0, 5)),
                    chat("s2", "赵六", "杏干来两斤", at(14, 0, 9)),
                    Msg::Tick(at(14, 0, 10)),
                ],
            );
            let mut ctx = Ctx::new("suggestions", m, size);
            let s = snapshot!(&mut ctx, "j");
            let mark = zh_en(language, "   建议 ", "   hint ");
            assert_eq!(s.matches(mark).count(), 2, "two rows marked:\n{s}");
            assert!(
                s.contains(zh_en(language, "「同上」", "\"same\"")),
                "the selected row says why:\n{s}"
            );
            let s = snapshot!(&mut ctx, "j");
            assert!(
                s.contains(zh_en(language, "按袋卖", "sold by the 袋")),
                "{s}"
            );
        }
    }
}
