//! The mouse: a click on an inbox row selects it; the wheel scrolls the
//! chat under it, moves the inbox selection, or scrolls the help. Where the
//! panes are comes from `ui::layout`, the same function that draws them, on
//! the screen size the shell last told (`Model::screen`).

use super::scroll_help;
use crate::app::model::{Mode, Model};
use crate::app::msg::{Mouse, MouseKind};
use crate::ui;

/// Chat lines one notch of the wheel moves.
const WHEEL_LINES: usize = 3;

pub(super) fn on_mouse(model: &mut Model, event: Mouse) {
    let screen = ui::layout::screen_of(model);
    let at = ratatui::layout::Position::new(event.column, event.row);
    if !screen.contains(at) {
        return;
    }
    match model.mode {
        Mode::Help => match event.kind {
            MouseKind::WheelUp => scroll_help(model, -1),
            MouseKind::WheelDown => scroll_help(model, 1),
            MouseKind::Click => {}
        },
        // Other overlays cover the panes: the mouse does not reach under them.
        Mode::Inbox => {
            let panes = ui::layout::areas(screen, model);
            if panes.inbox.contains(at) {
                match event.kind {
                    MouseKind::Click => {
                        if let Some(row) = ui::inbox::row_at(model, panes.inbox, event.row) {
                            model.selected = row;
                        }
                    }
                    MouseKind::WheelUp => model.selected = model.selected.saturating_sub(1),
                    MouseKind::WheelDown => {
                        if model.selected + 1 < model.inbox.len() {
                            model.selected += 1;
                        }
                    }
                }
            } else if panes.chat.contains(at) {
                match event.kind {
                    MouseKind::WheelUp => {
                        model.chat_scroll = (model.chat_scroll + WHEEL_LINES)
                            .min(model.chat.len().saturating_sub(1));
                    }
                    MouseKind::WheelDown => {
                        model.chat_scroll = model.chat_scroll.saturating_sub(WHEEL_LINES);
                    }
                    MouseKind::Click => {}
                }
            }
        }
        _ => {}
    }
}
