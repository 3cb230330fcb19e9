//! Property (issue 9, point 8): whatever chat sends as a name or a message,
//! no control, escape, bidi or zero-width character reaches a cell of the
//! screen, at any size from 60x20 to 300x80, in either language, with the
//! inbox, the chat and every overlay that shows chat text open.

mod tui_support;

use livestall::app::Msg;
use livestall::config::Language;
use livestall::store::{BuyerTotal, OrdersSummary, StoreEvent};
use proptest::prelude::*;
use tui_support::*;

/// Characters that must never be drawn: C0 and C1 controls (ESC among
/// them), DEL, bidi embeddings, overrides, isolates and marks, zero-width
/// characters, the BOM and language tags.
fn forbidden(c: char) -> bool {
    let n = u32::from(c);
    c.is_control()
        || matches!(n, 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2069 | 0xFEFF)
        || matches!(n, 0xE0000..=0xE007F)
}

/// Text a hostile viewer might send: plain words and order words mixed
/// with escapes, controls, bidi and zero-width characters.
fn hostile_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("小米来两袋".to_string()),
        Just("扣1".to_string()),
        Just("\u{1b}[2J\u{1b}[31m".to_string()),
        Just("\u{1b}]0;title\u{7}".to_string()),
        Just("\u{202e}evil\u{202c}".to_string()),
        Just("\u{2066}x\u{2069}".to_string()),
        Just("\u{200b}\u{200d}\u{feff}".to_string()),
        Just("\r\n\t\u{8}\u{7f}\u{9b}".to_string()),
        Just("e\u{301}\u{301}\u{301}\u{301}\u{301}".to_string()),
        Just("\u{e0041}\u{e0042}".to_string()),
        "\\PC{0,8}",
        any::<char>().prop_map(|c| c.to_string()),
    ];
    prop::collection::vec(piece, 1..6).prop_map(|parts| parts.concat())
}

fn check(screen: &str) -> Result<(), TestCaseError> {
    if let Some(c) = screen
        .chars()
        .filter(|&c| c != '\n')
        .find(|&c| forbidden(c))
    {
        return Err(TestCaseError::fail(format!(
            "U+{:04X} reached the screen:\n{screen}",
            u32::from(c)
        )));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn no_hostile_character_reaches_a_cell(
        user in hostile_text(),
        text in hostile_text(),
        width in 60u16..=300,
        height in 20u16..=80,
        chinese in any::<bool>(),
    ) {
        let language = if chinese { Language::Zh } else { Language::En };
        let mut m = model(language);
        busy_stream(&mut m);
        // The hostile message, and an order from the same user so it lands
        // in the inbox with its why-line under it when selected.
        update(&mut m, chat("h1", &user, &text, at(14, 32, 4)));
        update(&mut m, chat("h2", &user, &format!("{text} 小米来两袋"), at(14, 32, 4)));
        let last = m.inbox.len().saturating_sub(1);
        m.selected = last;
        check(&screen(&m, width, height))?;
        // The picker and the cart show the message and the name too.
        update(&mut m, ch('e'));
        check(&screen(&m, width, height))?;
        update(&mut m, key(crossterm::event::KeyCode::Esc));
        update(&mut m, ch('c'));
        check(&screen(&m, width, height))?;
        update(&mut m, key(crossterm::event::KeyCode::Esc));
        // The chat line marked by `g`, and the filter typed from chat's own
        // words (its title shows the query).
        update(&mut m, ch('g'));
        check(&screen(&m, width, height))?;
        update(&mut m, ch('/'));
        for c in text.chars().take(12) {
            update(&mut m, ch(c));
        }
        check(&screen(&m, width, height))?;
        update(&mut m, key(crossterm::event::KeyCode::Esc));
        // The order confirmed: the recent line, the board (`b`) and the
        // orders view (`o`, the store's buyer totals) name the buyer.
        update(&mut m, confirmed("h2", 9, "millet-5jin", 2, &user, 298, 2));
        check(&screen(&m, width, height))?;
        update(&mut m, ch('b'));
        check(&screen(&m, width, height))?;
        update(&mut m, ch('b'));
        update(&mut m, ch('o'));
        update(&mut m, Msg::Store(StoreEvent::OrdersSummary(Ok(OrdersSummary {
            since_ms: at(14, 3, 0),
            per_minute: vec![1; 30],
            orders: 1,
            units: 2,
            revenue_fen: 7_980,
            buyer_count: 1,
            buyers: vec![BuyerTotal {
                buyer: format!("name:{user}"),
                user: user.clone(),
                orders: 1,
                units: 2,
                total_fen: 7_980,
            }],
        }))));
        check(&screen(&m, width, height))?;
        update(&mut m, ch('o'));
        update(&mut m, ch('w'));
        check(&screen(&m, width, height))?;
    }
}
