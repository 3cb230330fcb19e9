//! The inbox at speed: the filter (`/`), grouping a buyer's rows (`G`),
//! jumping to an intent's chat line (`g`), and the selection that moves in
//! screen order and stays on a row the helper can see, whatever comes and goes.

use super::actionable;
use crate::app::model::*;
use crate::app::rows;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// The longest filter: a name or a phrase, not a paragraph.
const MAX_FILTER_CHARS: usize = 24;

/// `/`: type a filter, starting from the one set (to edit it).
pub(super) fn open_filter(model: &mut Model) {
    model.filter.get_or_insert_with(String::new);
    model.mode = Mode::Filter;
}

/// A key while the filter is typed; false leaves it to the keymap (Ctrl-C quits).
pub(super) fn filter_key(model: &mut Model, key: &KeyEvent) -> bool {
    if key.modifiers.contains(KeyModifiers::CONTROL) {
        return false;
    }
    let query = model.filter.get_or_insert_with(String::new);
    match key.code {
        KeyCode::Char(c) if !c.is_control() && query.chars().count() < MAX_FILTER_CHARS => {
            query.push(c);
        }
        KeyCode::Backspace => {
            query.pop();
        }
        KeyCode::Enter => {
            if query.trim().is_empty() {
                model.filter = None;
            }
            model.mode = Mode::Inbox;
        }
        KeyCode::Esc => {
            model.filter = None;
            model.mode = Mode::Inbox;
        }
        // The helper may pick a row while still typing.
        KeyCode::Up => step_selection(model, -1),
        KeyCode::Down => step_selection(model, 1),
        _ => {}
    }
    true
}

/// `G`: each buyer's rows together, or back to arrival order.
pub(super) fn toggle_group(model: &mut Model) {
    model.group_by_buyer = !model.group_by_buyer;
}

/// `g`: scrolls the chat so the selected intent's message is its newest
/// line on screen, and marks it; says so when the message is gone.
pub(super) fn jump_to_chat(model: &mut Model) {
    let Some(item) = model.selected_item() else {
        return;
    };
    let key = item.key.clone();
    // Newest first: a replayed message id is the one shown last.
    let at = model
        .chat
        .iter()
        .rposition(|entry| matches!(entry, ChatEntry::Message(line) if line.msg_id == key.msg_id));
    match at {
        Some(at) => {
            model.chat_scroll = model.chat.len() - 1 - at;
            model.chat_mark = Some(key);
        }
        None => {
            model.chat_mark = None;
            model.notice = Some((Notice::ChatLineGone, model.now_ms));
        }
    }
}

/// Moves the selection `step` rows in screen order, stopping at either end.
pub(super) fn step_selection(model: &mut Model, step: isize) {
    if !rows::arranged(model) {
        let next = model.selected.saturating_add_signed(step);
        if next < model.inbox.len() {
            model.selected = next;
        }
        return;
    }
    let order = rows::visible(model);
    let Some(last) = order.len().checked_sub(1) else {
        return;
    };
    let next = match order.iter().position(|&i| i == model.selected) {
        Some(at) => at.saturating_add_signed(step).min(last),
        None => 0,
    };
    model.selected = order[next];
}

/// After a decision, the next row below (in screen order) that is still
/// the helper's to decide, if there is one.
pub(super) fn select_next_undecided(model: &mut Model) {
    let order: Vec<usize> = if rows::arranged(model) {
        rows::visible(model)
    } else {
        (0..model.inbox.len()).collect()
    };
    let Some(at) = order.iter().position(|&i| i == model.selected) else {
        return;
    };
    if let Some(&next) = order[at + 1..]
        .iter()
        .find(|&&i| actionable(&model.inbox[i].state))
    {
        model.selected = next;
    }
}

/// The selected row at `pos` is about to leave: with the inbox filtered or
/// grouped, the row the selection should move to is the next one on screen
/// (else the one before), as an index into the inbox before the removal.
pub(super) fn successor_of_leaving(model: &Model, pos: usize) -> Option<usize> {
    if pos != model.selected || !rows::arranged(model) {
        return None;
    }
    let order = rows::visible(model);
    let at = order.iter().position(|&i| i == pos)?;
    order
        .get(at + 1)
        .or_else(|| at.checked_sub(1).and_then(|b| order.get(b)))
        .copied()
}

/// Keeps the selection on a row the filter shows: after rows came or left,
/// or the filter narrowed, a hidden selected row gives way to the first
/// shown row after it in the inbox (else the last shown row).
pub(super) fn settle_selection(model: &mut Model) {
    if model.filter.is_none() || rows::is_visible(model, model.selected) {
        return;
    }
    let order = rows::visible(model);
    if let Some(&next) = order
        .iter()
        .filter(|&&i| i >= model.selected)
        .min()
        .or_else(|| order.iter().max())
    {
        model.selected = next;
    }
}
