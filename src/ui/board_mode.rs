//! The broadcaster's board in the helper's own terminal (`b`,
//! `Mode::Board`): `ui::board` drawn from the model instead of a database
//! read, so a one-screen stall can turn the laptop round to the camera.

use crate::app::model::Model;
use crate::store::OrderAction;
use crate::ui::board::{self, BoardView, BuyerView, OnAirView, SaleView, MAX_BUYERS};
use ratatui::layout::Rect;
use ratatui::Frame;

pub fn render(model: &Model, frame: &mut Frame, area: Rect) {
    crate::ui::clear_overlay(frame, area);
    board::render_in(&view_of(model), area, frame.buffer_mut());
}

/// What the board shows, from what the model holds: the product on air,
/// the latest orders (cancelled ones left out), and the totals (the order
/// count from the store's summary, asked for when the board opened).
pub fn view_of(model: &Model) -> BoardView {
    let on_air = model.on_air_product().map(|p| OnAirView {
        link: p.link,
        name: p.name.clone(),
        unit: p.unit.clone(),
        price_fen: p.price_fen,
        stock: p.for_sale(),
        sale: p.sale.as_ref().map(|sale| SaleView {
            price_fen: sale.price_fen,
            left: sale.left(),
            ends_at_ms: sale.ends_at_ms,
        }),
    });
    let buyers = model
        .recent_orders
        .iter()
        .rev()
        .filter(|order| order.action != OrderAction::Cancelled)
        .take(MAX_BUYERS)
        .map(|order| BuyerView {
            user: order.user.clone(),
            product: order.name.clone(),
            qty: order.qty,
            // The model's recent orders carry no time.
            at_ms: None,
        })
        .collect();
    BoardView {
        language: model.language,
        shop_name: Some(model.shop_name.clone()),
        now_ms: model.now_ms,
        utc_offset_secs: model.utc_offset_secs,
        on_air,
        buyers,
        orders: model.summary.as_ref().map_or(0, |s| s.orders),
        revenue_fen: model.sales_total().1,
        unreadable: false,
    }
}
