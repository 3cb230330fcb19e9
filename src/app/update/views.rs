//! The order book's views' side of `update` (issue 9): opening and closing
//! the orders view, the waitlist and the board; moving their selections;
//! deciding a waitlisted order by key (the inbox's own confirm and reject);
//! and asking the store for the orders figures while a view shows them,
//! again when orders changed, never more often than `SUMMARY_MIN_INTERVAL_MS`.

use super::{confirm, reject};
use crate::app::keymap::Action;
use crate::app::model::*;
use crate::app::msg::Effect;
use crate::store::{OrdersSummary, StoreError, StoreEvent, StoreJob};
use crossterm::event::KeyEvent;

/// Minutes of sales a minute the orders view draws.
pub const SALES_MINUTES: u32 = 30;
/// Buyers the orders view lists (the biggest).
pub const TOP_BUYERS: usize = 200;
/// A view showing the figures asks for them again at most this often when
/// orders change: a loud sale confirms many orders a second, and each read
/// adds up every buyer.
pub const SUMMARY_MIN_INTERVAL_MS: i64 = 2_000;

pub(super) fn toggle_orders(model: &mut Model, fx: &mut Vec<Effect>) {
    if model.mode == Mode::Orders {
        close(model);
        return;
    }
    model.mode = Mode::Orders;
    model.orders_view = Some(OrdersView::default());
    ask_summary(model, fx);
}

pub(super) fn toggle_waitlist(model: &mut Model) {
    if model.mode == Mode::Waitlist {
        close(model);
        return;
    }
    model.mode = Mode::Waitlist;
    model.waitlist_selected = 0;
}

pub(super) fn toggle_board(model: &mut Model, fx: &mut Vec<Effect>) {
    if model.mode == Mode::Board {
        close(model);
        return;
    }
    model.mode = Mode::Board;
    // The board's order count comes with the figures.
    ask_summary(model, fx);
}

/// Any key but quit takes the board away: the helper glances at it and
/// goes back to work with whatever key is under the finger. Returns
/// whether the key was taken.
pub(super) fn board_key(model: &mut Model, key: &KeyEvent) -> bool {
    if model.keymap.action(Mode::Board, key) == Some(Action::Quit) {
        return false;
    }
    close(model);
    true
}

/// Where Esc goes: a cart opened from the orders view goes back to it,
/// anything else to the inbox (the orders view forgotten).
pub(super) fn close_overlay(model: &mut Model) {
    // A question goes back to where it was asked (the queue's `x`).
    if model.mode == Mode::Ask && model.opened_from != Mode::Inbox {
        model.question = None;
        model.mode = std::mem::take(&mut model.opened_from);
        return;
    }
    model.question = None;
    let back_to_orders = model.mode == Mode::Cart
        && model
            .orders_view
            .as_ref()
            .is_some_and(|view| view.cart_open);
    model.cart = None;
    if back_to_orders {
        if let Some(view) = model.orders_view.as_mut() {
            view.cart_open = false;
        }
        model.mode = Mode::Orders;
    } else {
        close(model);
    }
}

fn close(model: &mut Model) {
    model.mode = Mode::Inbox;
    model.orders_view = None;
}

pub(super) fn orders_select(model: &mut Model, step: isize) {
    let len = model.summary.as_ref().map_or(0, |s| s.buyers.len());
    if let Some(view) = model.orders_view.as_mut() {
        let next = view.selected.saturating_add_signed(step);
        if next < len {
            view.selected = next;
        }
    }
}

/// Opens the selected buyer's cart over the orders view.
pub(super) fn open_buyer_cart(model: &mut Model, fx: &mut Vec<Effect>) {
    let Some(view) = model.orders_view.as_mut() else {
        return;
    };
    let Some(buyer) = model
        .summary
        .as_ref()
        .and_then(|s| s.buyers.get(view.selected))
    else {
        return;
    };
    view.cart_open = true;
    model.cart = Some(CartView {
        buyer: buyer.buyer.clone(),
        user: buyer.user.clone(),
        rows: None,
        selected: 0,
    });
    model.mode = Mode::Cart;
    fx.push(Effect::Store(StoreJob::Cart {
        buyer: buyer.buyer.clone(),
    }));
}

pub(super) fn waitlist_select(model: &mut Model, step: isize) {
    let len = model.waitlist_rows().len();
    let next = model.waitlist_selected.saturating_add_signed(step);
    if next < len {
        model.waitlist_selected = next;
    }
}

/// `y` confirms the selected row when stock covers it (offered); `n`
/// rejects it, offered or not. The inbox's own paths decide it, so the
/// store's answer, undo and the other helpers' screens work as there.
pub(super) fn waitlist_decide(model: &mut Model, yes: bool, fx: &mut Vec<Effect>) {
    let rows = model.waitlist_rows();
    let Some(row) = rows.get(model.waitlist_selected.min(rows.len().saturating_sub(1))) else {
        return;
    };
    if yes && !row.offered {
        return;
    }
    let key = model.inbox[row.item].key.clone();
    // A row the store is busy with ignores the key, as in the inbox.
    let _ = if yes {
        confirm(model, key, fx)
    } else {
        reject(model, key, fx)
    };
    // The decided row leaves the list: keep the selection on a row.
    let len = model.waitlist_rows().len();
    model.waitlist_selected = model.waitlist_selected.min(len.saturating_sub(1));
}

/// Whether a store event may have changed the orders figures.
pub(super) fn moves_orders(event: &StoreEvent) -> bool {
    match event {
        StoreEvent::Confirmed(..) | StoreEvent::Inventory(_) => true,
        StoreEvent::Amended { result, .. } => result.is_ok(),
        StoreEvent::Undone { result, .. } => result.is_ok(),
        StoreEvent::Synced(Ok(report)) => report.inventory.is_some(),
        _ => false,
    }
}

/// The first minute of the sales window ending with the minute of `now_ms`.
pub fn window_start(now_ms: i64) -> i64 {
    (now_ms.div_euclid(60_000) - i64::from(SALES_MINUTES) + 1) * 60_000
}

/// On each tick: a view showing the figures asks again when orders changed
/// (at most every `SUMMARY_MIN_INTERVAL_MS`) or the minute turned (the
/// sparkline moves on).
pub(super) fn maybe_summary(model: &mut Model, fx: &mut Vec<Effect>) {
    if !matches!(model.mode, Mode::Orders | Mode::Board) || model.summary_in_flight {
        return;
    }
    let minute_turned = model
        .summary
        .as_ref()
        .is_none_or(|s| s.since_ms != window_start(model.now_ms));
    let changed =
        model.summary_stale && model.now_ms - model.last_summary_ms >= SUMMARY_MIN_INTERVAL_MS;
    if minute_turned || changed {
        ask_summary(model, fx);
    }
}

fn ask_summary(model: &mut Model, fx: &mut Vec<Effect>) {
    if model.summary_in_flight || model.quitting {
        // What changed meanwhile is asked for when this answer is in.
        return;
    }
    model.summary_in_flight = true;
    model.summary_stale = false;
    model.last_summary_ms = model.now_ms;
    fx.push(Effect::Store(StoreJob::OrdersSummary {
        since_ms: window_start(model.now_ms),
        minutes: SALES_MINUTES,
        top: TOP_BUYERS,
    }));
}

pub(super) fn summary_loaded(model: &mut Model, result: Result<OrdersSummary, StoreError>) {
    model.summary_in_flight = false;
    match result {
        Ok(summary) => {
            if let Some(view) = model.orders_view.as_mut() {
                view.selected = view.selected.min(summary.buyers.len().saturating_sub(1));
            }
            model.summary = Some(summary);
        }
        Err(error) => model.notice = Some((Notice::StoreFailed(error), model.now_ms)),
    }
}
