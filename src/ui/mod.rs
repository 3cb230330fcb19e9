//! Views: functions of `&Model` that draw one pane each. They only borrow,
//! build only the rows that are visible, and take every word from `i18n`.
//!
//! Layout (../shared/SCREENS.md): from 120 columns and 30 rows, two columns
//! (inbox top left and biggest, products right, chat below, a recent-orders
//! line and key hints); smaller screens stack status, on-air, inbox, chat and
//! hints, with the products as an overlay (`p`).

pub mod ask;
pub mod board;
pub mod cart;
pub mod chat;
pub mod help;
pub mod hints;
pub mod i18n;
pub mod inbox;
pub mod onair;
pub mod orders;
pub mod picker;
pub mod products;
pub mod prompt;
pub mod sanitize;
pub mod status;
pub mod text;
pub mod theme;

use crate::app::model::{Mode, Model};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::Frame;

/// The smallest screen that gets the two-column layout.
pub const WIDE_MIN: (u16, u16) = (120, 30);
/// Inbox height (with borders) on stacked screens: about 8 rows of intents.
const STACKED_INBOX_HEIGHT: u16 = 10;
/// Stacked screens show the recent-orders line only from this height.
const STACKED_ORDERS_MIN_HEIGHT: u16 = 28;

pub fn render(model: &Model, frame: &mut Frame) {
    let area = frame.area();
    let wide = area.width >= WIDE_MIN.0 && area.height >= WIDE_MIN.1;
    if wide {
        render_wide(model, frame, area);
    } else {
        render_stacked(model, frame, area);
    }
    match model.mode {
        // The inbox's title shows the filter being typed.
        Mode::Inbox | Mode::Filter => {}
        Mode::Help => help::render(model, frame, area),
        Mode::Ask => ask::render(model, frame, area),
        Mode::Prompt => prompt::render(model, frame, area),
        Mode::Cart => cart::render(model, frame, area),
        Mode::Picker => picker::render(model, frame, area),
        // The wide layout shows the products beside the inbox already.
        Mode::Products if !wide => products::render_overlay(model, frame, area),
        Mode::Products => {}
    }
}

fn render_wide(model: &Model, frame: &mut Frame, area: Rect) {
    let top_height = (area.height.saturating_sub(4)) * 11 / 20;
    let [status_area, onair_area, top, chat_area, orders_area, hints_area] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(top_height),
        Constraint::Min(3),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    status::render(model, frame, status_area);
    onair::render(model, frame, onair_area);
    // `p` on a wide screen hides the product pane (the inbox takes the
    // width) and shows it again.
    if model.mode == Mode::Products {
        inbox::render(model, frame, top);
    } else {
        let [inbox_area, products_area] =
            Layout::horizontal([Constraint::Percentage(58), Constraint::Percentage(42)]).areas(top);
        inbox::render(model, frame, inbox_area);
        products::render(model, frame, products_area);
    }
    chat::render(model, frame, chat_area);
    orders::render(model, frame, orders_area);
    hints::render(model, frame, hints_area);
}

fn render_stacked(model: &Model, frame: &mut Frame, area: Rect) {
    let orders_height = u16::from(area.height >= STACKED_ORDERS_MIN_HEIGHT);
    let [status_area, onair_area, inbox_area, chat_area, orders_area, hints_area] =
        Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(STACKED_INBOX_HEIGHT),
            Constraint::Min(3),
            Constraint::Length(orders_height),
            Constraint::Length(1),
        ])
        .areas(area);
    status::render(model, frame, status_area);
    onair::render(model, frame, onair_area);
    inbox::render(model, frame, inbox_area);
    chat::render(model, frame, chat_area);
    if orders_height > 0 {
        orders::render(model, frame, orders_area);
    }
    hints::render(model, frame, hints_area);
}

/// A rectangle of at most `width` x `height` centred in `area`.
pub(crate) fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}

/// Clears `popup` for an overlay, including the halves of wide characters
/// (CJK, emoji) that straddle its left and right edges. Without this a
/// character under the edge is written whole by the terminal and shifts or
/// hides the overlay's border on that row.
pub(crate) fn clear_overlay(frame: &mut Frame, popup: Rect) {
    frame.render_widget(ratatui::widgets::Clear, popup);
    let screen = frame.area();
    let buf = frame.buffer_mut();
    for y in popup.top()..popup.bottom() {
        if popup.left() > screen.left() {
            if let Some(cell) = buf.cell_mut((popup.left() - 1, y)) {
                if unicode_width::UnicodeWidthStr::width(cell.symbol()) > 1 {
                    cell.set_symbol(" ");
                }
            }
        }
        if popup.right() < screen.right() {
            // The continuation cell of a wide character whose first half was cleared.
            if let Some(cell) = buf.cell_mut((popup.right(), y)) {
                if cell.symbol().is_empty() {
                    cell.set_symbol(" ");
                }
            }
        }
    }
}

#[cfg(test)]
mod overlay_tests {
    use super::*;
    use ratatui::backend::TestBackend;
    use ratatui::Terminal;

    #[test]
    fn wide_characters_under_the_overlay_edges_are_blanked() {
        let mut terminal = Terminal::new(TestBackend::new(20, 3)).unwrap();
        let popup = Rect::new(5, 0, 6, 3);
        let frame = terminal
            .draw(|frame| {
                // "杏" at column 4 spans 4-5: half under the overlay's left edge.
                // "枣" at column 10 spans 10-11: half under its right edge.
                frame
                    .buffer_mut()
                    .set_string(4, 1, "杏", ratatui::style::Style::new());
                frame
                    .buffer_mut()
                    .set_string(10, 1, "枣", ratatui::style::Style::new());
                clear_overlay(frame, popup);
            })
            .unwrap();
        let buf = frame.buffer;
        assert_eq!(buf[(4, 1)].symbol(), " ", "left straddler kept");
        assert_eq!(buf[(10, 1)].symbol(), " ", "cell inside the overlay kept");
        assert_ne!(buf[(11, 1)].symbol(), "", "a dangling half cell is left");
    }
}
