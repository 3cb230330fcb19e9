//! The key-hints line at the bottom, read from the keymap for the mode on
//! screen (so configured keys show): the most important first, as many as
//! fit the width, with help and quit always at the end.

use crate::app::keymap::{Action, Key};
use crate::app::model::{Mode, Model};
use crate::ui::{i18n, text, theme};
use crossterm::event::KeyModifiers;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

/// Hints by importance: actions that read as one (up and down) share a hint.
/// Actions not named here follow in the keymap's order.
const IMPORTANCE: &[&[Action]] = &[
    &[Action::Confirm],
    &[Action::Reject],
    &[Action::SelectUp, Action::SelectDown],
    &[Action::PutOnAir],
    &[Action::MoveProductUp, Action::MoveProductDown],
    &[Action::SoldOut],
    &[Action::QtyUp, Action::QtyDown],
    &[Action::OpenPicker],
    &[Action::CancelOrder],
    &[Action::Undo],
    &[Action::NextProduct, Action::PrevProduct],
    &[Action::ToggleProducts],
    &[Action::OpenCart],
    &[Action::Restock],
    &[Action::FlashSale],
    &[Action::ConfirmOnAirAll],
    &[Action::ChatOlder, Action::ChatNewer],
    &[Action::ChatLatest],
    &[Action::Filter],
    &[Action::OpenOrders],
    &[Action::OpenWaitlist],
    &[Action::ShowBoard],
    &[Action::FocusProducts],
    &[Action::JumpToChat],
    &[Action::GroupByBuyer],
    &[Action::RejectProductAll],
    &[Action::RejectStale],
    &[Action::CloseOverlay],
];
/// Always shown, last, so a helper can find the rest.
const LAST: &[Action] = &[Action::ToggleHelp, Action::Quit];
const GAP: &str = "  ";

/// While a line is typed into, only keys with Ctrl or Alt reach the keymap.
pub(crate) fn reaches_keymap_while_typing(key: Key) -> bool {
    key.modifiers
        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
}

/// The keys that hold in the mode on screen, by action, in keymap order.
fn keys_by_action(model: &Model) -> Vec<(Action, Vec<Key>)> {
    let mut by_action: Vec<(Action, Vec<Key>)> = Vec::new();
    for (key, action) in model.keymap.bindings_in(model.mode) {
        if model.mode.takes_typing() && !reaches_keymap_while_typing(key) {
            continue;
        }
        match by_action.iter_mut().find(|(a, _)| *a == action) {
            Some((_, keys)) => keys.push(key),
            None => by_action.push((action, vec![key])),
        }
    }
    by_action
}

/// One hint: the first key of each action of `group` and its words
/// (`y 确认`, `↑/↓ 选择`); the help lists every key.
fn hint(model: &Model, bound: &[(Action, Vec<Key>)], group: &[Action]) -> Option<String> {
    let keys_of = |action: Action| {
        bound
            .iter()
            .find(|(a, _)| *a == action)
            .map(|(_, keys)| keys.as_slice())
    };
    let names: Vec<String> = group
        .iter()
        .filter_map(|a| keys_of(*a).and_then(|keys| keys.first()))
        .map(|k| i18n::key_name(model.language, *k))
        .collect();
    let first = group.iter().find(|a| keys_of(**a).is_some())?;
    Some(format!(
        "{} {}",
        names.join("/"),
        i18n::action_hint(model.language, *first)
    ))
}

/// The hints that fit in `width` columns, in the order they are shown.
pub fn hints(model: &Model, width: usize) -> Vec<String> {
    let bound = keys_by_action(model);
    let mut groups: Vec<Vec<Action>> = IMPORTANCE.iter().map(|g| g.to_vec()).collect();
    for (action, _) in &bound {
        let named = IMPORTANCE.iter().any(|g| g.contains(action)) || LAST.contains(action);
        if !named {
            groups.push(vec![*action]);
        }
    }
    let last: Vec<String> = LAST
        .iter()
        .filter_map(|a| hint(model, &bound, &[*a]))
        .collect();
    let mut used = last.iter().map(|h| h.width() + GAP.len()).sum::<usize>();
    let mut chosen = Vec::new();
    for group in &groups {
        // Over the inbox there is nothing to close.
        if model.mode == Mode::Inbox && group.contains(&Action::CloseOverlay) {
            continue;
        }
        let Some(words) = hint(model, &bound, group) else {
            continue;
        };
        // A hint that does not fit leaves room for a shorter one after it.
        if used + words.width() + GAP.len() <= width {
            used += words.width() + GAP.len();
            chosen.push(words);
        }
    }
    chosen.extend(last);
    chosen
}

/// "Esc 关闭": the keys that close the help, for its border.
pub fn close_words(model: &Model) -> String {
    let bound = model.keymap.bindings_in(Mode::Help);
    let keys: Vec<String> = bound
        .iter()
        .filter(|(_, a)| *a == Action::CloseOverlay)
        .map(|(k, _)| i18n::key_name(model.language, *k))
        .collect();
    format!(
        "{} {}",
        keys.join("/"),
        i18n::action_hint(model.language, Action::CloseOverlay)
    )
}

pub fn render(model: &Model, frame: &mut Frame, area: Rect) {
    let width = usize::from(area.width);
    // Typing the filter, the keys are the line's own (not the keymap's).
    let line = if model.mode == crate::app::model::Mode::Filter {
        i18n::filter_hints(model.language).to_string()
    } else {
        hints(model, width.saturating_sub(1)).join(GAP)
    };
    let line = Line::styled(text::truncate(&format!(" {line}"), width), theme::dim());
    frame.render_widget(Paragraph::new(line), area);
}
