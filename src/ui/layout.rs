//! Where each pane sits on a screen of a given size: one pure function used
//! by `render` to draw and by `update` to tell what the mouse points at, so
//! the two never disagree.
//!
//! From `WIDE_MIN` (120x30) two columns: the inbox top left and biggest, the
//! products right, the chat below, a recent-orders line and the key hints.
//! Smaller screens stack status, on-air, inbox, chat and hints, with the
//! products as an overlay (`p`).

use crate::app::model::Model;
use ratatui::layout::{Constraint, Layout, Rect};

/// The smallest screen that gets the two-column layout.
pub const WIDE_MIN: (u16, u16) = (120, 30);
/// Inbox height (with borders) on stacked screens: about 8 rows of intents.
const STACKED_INBOX_HEIGHT: u16 = 10;
/// Stacked screens show the recent-orders line only from this height.
const STACKED_ORDERS_MIN_HEIGHT: u16 = 28;

/// The panes of the main screen (overlays are drawn over them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    pub wide: bool,
    pub status: Rect,
    pub onair: Rect,
    pub inbox: Rect,
    /// The product pane beside the inbox (wide screens, unless hidden).
    pub products: Option<Rect>,
    pub chat: Rect,
    /// The recent-orders line, when there is room for it.
    pub orders: Option<Rect>,
    pub hints: Rect,
}

pub fn areas(screen: Rect, model: &Model) -> Areas {
    let wide = super::is_wide((screen.width, screen.height));
    if wide {
        let top_height = (screen.height.saturating_sub(4)) * 11 / 20;
        let [status, onair, top, chat, orders, hints] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(top_height),
            Constraint::Min(3),
            Constraint::Length(1),
            Constraint::Length(1),
        ])
        .areas(screen);
        // `p` on a wide screen hides the product pane (the inbox takes the
        // width) and shows it again.
        let (inbox, products) = if model.products_hidden {
            (top, None)
        } else {
            let [inbox, products] =
                Layout::horizontal([Constraint::Percentage(58), Constraint::Percentage(42)])
                    .areas(top);
            (inbox, Some(products))
        };
        Areas {
            wide,
            status,
            onair,
            inbox,
            products,
            chat,
            orders: Some(orders),
            hints,
        }
    } else {
        let orders_height = u16::from(screen.height >= STACKED_ORDERS_MIN_HEIGHT);
        let [status, onair, inbox, chat, orders, hints] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(STACKED_INBOX_HEIGHT),
            Constraint::Min(3),
            Constraint::Length(orders_height),
            Constraint::Length(1),
        ])
        .areas(screen);
        Areas {
            wide,
            status,
            onair,
            inbox,
            products: None,
            chat,
            orders: (orders_height > 0).then_some(orders),
            hints,
        }
    }
}

/// The screen the model was last told of, as a rectangle at the origin.
pub fn screen_of(model: &Model) -> Rect {
    Rect::new(0, 0, model.screen.0, model.screen.1)
}
