//! The help overlay and the hints line are read from the keymap: every key
//! of the mode the help was opened from is listed with what it does, in the
//! screen's language, configured keys included.

mod tui_support;

use crossterm::event::KeyCode;
use insta::assert_snapshot;
use livestall::app::keymap::parse_key;
use livestall::app::{Action, Keymap, Mode, Model, Msg};
use livestall::config::Language;
use livestall::ui::i18n;
use tui_support::*;

const SMALL: (u16, u16) = (80, 24);
const LARGE: (u16, u16) = (160, 48);

/// The modes the help can be opened from (typing modes take `?` as text).
const MODES: [Mode; 4] = [Mode::Inbox, Mode::Products, Mode::Cart, Mode::Ask];

fn name(mode: Mode) -> &'static str {
    match mode {
        Mode::Inbox => "inbox",
        Mode::Products => "products",
        Mode::Cart => "cart",
        Mode::Ask => "ask",
        _ => unreachable!("not a mode the help opens from"),
    }
}

/// A busy screen in `mode`, `width` x `height`, with the help opened on it.
fn help_over(mut m: Model, mode: Mode, (width, height): (u16, u16)) -> Model {
    update(&mut m, Msg::Resize { width, height });
    busy_stream(&mut m);
    match mode {
        Mode::Inbox => {}
        Mode::Products => {
            update(&mut m, ch('P'));
        }
        Mode::Cart => {
            update(&mut m, ch('c'));
        }
        Mode::Ask => {
            update(&mut m, ch('Y'));
        }
        _ => unreachable!(),
    }
    assert_eq!(m.mode, mode);
    update(&mut m, ch('?'));
    assert_eq!((m.mode, m.help_under), (Mode::Help, mode));
    m
}

#[test]
fn the_help_of_each_mode_in_both_languages_and_sizes() {
    for language in [Language::Zh, Language::En] {
        let lang = if language == Language::Zh { "zh" } else { "en" };
        for mode in MODES {
            for size in [SMALL, LARGE] {
                let m = help_over(model(language), mode, size);
                assert_rows_fit(&m, size.0, size.1);
                let s = screen(&m, size.0, size.1);
                assert_snapshot!(
                    format!("help_{}_{lang}_{}x{}", name(mode), size.0, size.1),
                    s
                );
            }
        }
    }
}

/// Every binding that holds in a mode is on its line of the help: the line
/// that says what the action does shows the key.
fn assert_every_binding_listed(m: &Model, mode: Mode, screen_text: &str) {
    let lines: Vec<&str> = screen_text.lines().collect();
    for (key, action) in m.keymap.bindings_in(mode) {
        let what = i18n::action_help(m.language, action);
        let key_name = i18n::key_name(m.language, key);
        let line = lines
            .iter()
            .find(|l| l.contains(what))
            .unwrap_or_else(|| panic!("{mode:?}: {action:?} ({what}) not listed:\n{screen_text}"));
        let keys_column = &line[..line.find(what).unwrap()];
        // (The `/` key itself reads like the separator: it ends the column.)
        assert!(
            keys_column
                .split(" / ")
                .any(|k| k.trim_matches([' ', '│']).ends_with(&key_name))
                || keys_column.trim_end().ends_with(&format!(" {key_name}")),
            "{mode:?}: {key_name} of {action:?} not on its line {line:?}"
        );
    }
}

#[test]
fn the_help_lists_every_binding_of_the_mode_under_it() {
    for language in [Language::Zh, Language::En] {
        for mode in MODES {
            let m = help_over(model(language), mode, LARGE);
            let s = screen(&m, LARGE.0, LARGE.1);
            assert_every_binding_listed(&m, mode, &s);
        }
    }
}

#[test]
fn the_help_of_the_inbox_names_the_paging_keys() {
    let m = help_over(model(Language::En), Mode::Inbox, LARGE);
    let s = screen(&m, LARGE.0, LARGE.1);
    for key in [
        "PgUp", "PgDn", "End", "Esc", "Enter", "Tab", "Ctrl+C", "↑", "↓",
    ] {
        assert!(s.contains(key), "{key}:\n{s}");
    }
}

#[test]
fn a_help_too_long_for_the_screen_says_so_and_scrolls() {
    let mut m = help_over(model(Language::Zh), Mode::Inbox, SMALL);
    let s = screen(&m, SMALL.0, SMALL.1);
    let quit = i18n::action_help(Language::Zh, Action::Quit);
    assert!(s.contains("↓ 更多") && !s.contains(quit), "{s}");
    // Down to the end: the last keys show, and that more is above.
    for _ in 0..40 {
        update(&mut m, key(KeyCode::Down));
    }
    let s = screen(&m, SMALL.0, SMALL.1);
    assert!(s.contains(quit) && s.contains("↑ 上面还有"), "{s}");
    assert!(!s.contains("↓ 更多"), "{s}");
    assert_snapshot!("help_inbox_zh_80x24_scrolled", s);
    // Everything was seen along the way: each entry once at the top.
    let mut m = help_over(model(Language::Zh), Mode::Inbox, SMALL);
    let mut seen = String::new();
    for _ in 0..40 {
        seen.push_str(&screen(&m, SMALL.0, SMALL.1));
        update(&mut m, key(KeyCode::Down));
    }
    assert_every_binding_listed(&m, Mode::Inbox, &seen);
    // The wheel scrolls it back.
    for _ in 0..40 {
        update(
            &mut m,
            Msg::Mouse(livestall::app::Mouse {
                kind: livestall::app::MouseKind::WheelUp,
                column: 40,
                row: 12,
            }),
        );
    }
    assert_eq!(m.help_scroll, 0);
}

#[test]
fn a_wide_screen_shows_two_columns_rather_than_scroll() {
    // 140x24: too low for one column, wide enough for two.
    let m = help_over(model(Language::En), Mode::Inbox, (140, 24));
    let s = screen(&m, 140, 24);
    assert!(!s.contains("↓ more"), "{s}");
    assert_every_binding_listed(&m, Mode::Inbox, &s);
}

/// The fixture shop with `[keys]`-style overrides.
fn with_keys(language: Language, keys: &[(Action, &[&str])]) -> Model {
    let overrides: Vec<_> = keys
        .iter()
        .map(|(action, keys)| {
            (
                *action,
                keys.iter().map(|k| parse_key(k).unwrap()).collect(),
            )
        })
        .collect();
    let mut config = config(language);
    config.keymap = Keymap::default().with_overrides(&overrides);
    assert_eq!(config.keymap.conflict(), None);
    Model::new(&config, "小王")
}

#[test]
fn configured_keys_show_in_the_help_and_the_hints() {
    let keys: &[(Action, &[&str])] = &[
        (Action::Confirm, &["a", "ctrl+y"]),
        (Action::Quit, &["ctrl+q"]),
        (Action::Restock, &["F5"]),
    ];
    let m = with_keys(Language::En, keys);
    let mut m = help_over(m, Mode::Inbox, LARGE);
    let s = screen(&m, LARGE.0, LARGE.1);
    assert!(s.contains("a / Ctrl+Y  confirm the selected order"), "{s}");
    assert!(s.contains("Ctrl+Q"), "{s}");
    assert!(!s.contains("y / Enter"), "{s}");
    assert_every_binding_listed(&m, Mode::Inbox, &s);
    update(&mut m, key(KeyCode::Esc));
    let s = screen(&m, LARGE.0, LARGE.1);
    let hints = s.lines().last().unwrap();
    assert!(hints.starts_with(" a confirm  n reject"), "{hints}");
    assert!(
        hints.contains("F5 restock") && hints.ends_with("Ctrl+Q quit"),
        "{hints}"
    );
    // The configured key works, the default does nothing.
    let mut zh = with_keys(Language::Zh, keys);
    busy_stream(&mut zh);
    assert!(update(&mut zh, ch('y')).is_empty());
    assert_eq!(zh.inbox[0].state, livestall::app::IntentState::Pending);
    update(&mut zh, ch('a'));
    assert_eq!(zh.inbox[0].state, livestall::app::IntentState::Confirming);
    let s = screen(&zh, SMALL.0, SMALL.1);
    assert!(s.lines().last().unwrap().starts_with(" a 确认"), "{s}");
}

#[test]
fn the_hints_line_fits_and_keeps_help_and_quit() {
    for language in [Language::Zh, Language::En] {
        for width in [60u16, 80, 120, 160, 300] {
            let mut m = model(language);
            busy_stream(&mut m);
            let s = screen(&m, width, 24);
            let hints = s.lines().last().unwrap();
            let help = i18n::action_hint(language, Action::ToggleHelp);
            let quit = i18n::action_hint(language, Action::Quit);
            assert!(
                hints.contains(&format!("? {help}")) && hints.ends_with(&format!("q {quit}")),
                "{width}: {hints}"
            );
        }
        // At 160 the product keys are there too.
        let mut m = model(language);
        busy_stream(&mut m);
        let s = screen(&m, 160, 48);
        let hints = s.lines().last().unwrap();
        for action in [
            Action::Restock,
            Action::FlashSale,
            Action::OpenCart,
            Action::OpenPicker,
        ] {
            assert!(
                hints.contains(i18n::action_hint(language, action)),
                "{hints}"
            );
        }
    }
}
