//! Views: functions of `&Model` that draw one pane each. They only borrow,
//! build only the rows that are visible, and take every word from `i18n`.
//! Where each pane goes is `layout`'s (../shared/SCREENS.md).

pub mod ask;
pub mod board;
pub mod board_mode;
pub mod cart;
pub mod chat;
pub mod help;
pub mod hints;
pub mod hub;
pub mod i18n;
pub mod inbox;
pub mod layout;
pub mod onair;
pub mod orders;
pub mod orders_view;
pub mod picker;
pub mod products;
pub mod prompt;
pub use crate::sanitize;
pub mod status;
pub mod text;
pub mod theme;
pub mod waitlist;

use crate::app::model::{Mode, Model};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::Frame;

pub use layout::WIDE_MIN;

/// Whether a screen of this size gets the two-column layout, with the
/// product pane beside the inbox. The core asks too: `p` hides that pane
/// where it is, and opens the queue overlay where it is not.
pub fn is_wide((width, height): (u16, u16)) -> bool {
    width >= WIDE_MIN.0 && height >= WIDE_MIN.1
}

pub fn render(model: &Model, frame: &mut Frame) {
    let area = frame.area();
    if render_view(model, frame, area) {
        return;
    }
    let panes = layout::areas(area, model);
    status::render(model, frame, panes.status);
    onair::render(model, frame, panes.onair);
    inbox::render(model, frame, panes.inbox);
    if let Some(products_area) = panes.products {
        products::render(model, frame, products_area);
    }
    chat::render(model, frame, panes.chat);
    if let Some(orders_area) = panes.orders {
        orders::render(model, frame, orders_area);
    }
    hints::render(model, frame, panes.hints);
    // The help covers the overlay it was opened from, which stays in view.
    if model.mode == Mode::Help {
        render_overlay(model, frame, area, model.help_under, panes.wide);
    }
    render_overlay(model, frame, area, model.mode, panes.wide);
}

fn render_overlay(model: &Model, frame: &mut Frame, area: Rect, mode: Mode, wide: bool) {
    match mode {
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
        // Drawn by `render_view`.
        Mode::Orders | Mode::Waitlist | Mode::Board => {}
    }
}

/// The order book's views (issue 9) take the whole screen, so the main
/// screen is not drawn under them: the board all of it, the orders view
/// and the waitlist all but the status line (notices, such as a refused
/// confirm, show there). A cart opened from the orders view sits over it.
/// Returns whether one was drawn.
fn render_view(model: &Model, frame: &mut Frame, area: Rect) -> bool {
    // The help shows over the view it was opened from.
    let shown = if model.mode == Mode::Help {
        model.help_under
    } else {
        model.mode
    };
    let cart_over_orders = shown == Mode::Cart
        && model
            .orders_view
            .as_ref()
            .is_some_and(|view| view.cart_open);
    if shown == Mode::Board {
        board_mode::render(model, frame, area);
        return true;
    }
    if !(matches!(shown, Mode::Orders | Mode::Waitlist) || cart_over_orders) {
        return false;
    }
    let [status_area, view_area] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(area);
    status::render(model, frame, status_area);
    if shown == Mode::Waitlist {
        waitlist::render(model, frame, view_area);
    } else {
        orders_view::render(model, frame, view_area);
    }
    if cart_over_orders {
        cart::render(model, frame, area);
    }
    if model.mode == Mode::Help {
        help::render(model, frame, area);
    }
    true
}

/// A full-screen view's frame (the orders view, the waitlist): cleared,
/// bordered in the accent colour with its title and its keys, both cut to
/// the width. Returns the inside, `None` when nothing fits in it.
pub(crate) fn framed_view(frame: &mut Frame, area: Rect, title: &str, keys: &str) -> Option<Rect> {
    clear_overlay(frame, area);
    let width = usize::from(area.width.saturating_sub(2));
    let block = ratatui::widgets::Block::bordered()
        .title(ratatui::text::Line::styled(
            text::truncate(&format!(" {title} "), width),
            theme::title(),
        ))
        .title_bottom(ratatui::text::Line::styled(
            text::truncate(&format!(" {keys} "), width),
            theme::on_air(),
        ))
        .border_style(theme::on_air());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    (inner.height > 0 && inner.width > 0).then_some(inner)
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
