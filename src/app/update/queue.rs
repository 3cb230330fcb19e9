//! The product queue's side of `update`: the order of selling (kept in the
//! database, followed from other helpers), the queue worked by key (select,
//! put on air, move, sold out), `p` and `P`, and `]`/`[` along the order.
//! `Model::products` never moves (intents refer to products by index);
//! only `Model::queue`, the order, does.

use super::put_on_air;
use crate::app::event::Event;
use crate::app::model::*;
use crate::app::msg::Effect;
use crate::store::{StockTo, StoreJob};

/// `p`: on a small screen the queue is an overlay, opened and closed; on a
/// wide one the pane is always there to see, so `p` hides or shows it (and
/// hiding it gives the keys back to the inbox).
pub(super) fn toggle_products(model: &mut Model) {
    model.question = None;
    model.opened_from = Mode::Inbox;
    if crate::ui::is_wide(model.screen) {
        model.products_hidden = !model.products_hidden;
        if model.products_hidden && model.mode == Mode::Products {
            model.mode = Mode::Inbox;
        }
    } else if model.mode == Mode::Products {
        model.mode = Mode::Inbox;
    } else {
        enter(model);
    }
}

/// `P`: the keys go to the queue (the pane shown again if it was hidden),
/// or back to the inbox.
pub(super) fn focus_products(model: &mut Model) {
    if model.mode == Mode::Products {
        model.mode = Mode::Inbox;
    } else {
        model.products_hidden = false;
        enter(model);
    }
}

/// The queue takes the keys with the product on air selected: the one
/// the helper is most likely to act on, and where the eye already is.
fn enter(model: &mut Model) {
    model.mode = Mode::Products;
    if let Some(on_air) = model.on_air {
        model.queue_selected = on_air;
    }
}

/// Moves the selection along the order of selling; stops at either end.
pub(super) fn select(model: &mut Model, step: isize) {
    let Some(at) = model.queue_position(model.queue_selected) else {
        // A selection that names no product (an empty catalog) starts at the top.
        if let Some(&first) = model.queue.first() {
            model.queue_selected = first;
        }
        return;
    };
    if let Some(&next) = at
        .checked_add_signed(step)
        .and_then(|next| model.queue.get(next))
    {
        model.queue_selected = next;
    }
}

/// The selected product, if the selection names one.
fn selected(model: &Model) -> Option<usize> {
    (model.queue_selected < model.products.len()).then_some(model.queue_selected)
}

pub(super) fn put_selected_on_air(model: &mut Model, fx: &mut Vec<Effect>) {
    if let Some(product) = selected(model) {
        if model.on_air != Some(product) {
            put_on_air(model, product, fx);
        }
    }
}

/// `K`/`J`: the selected product one place earlier or later; the selection
/// moves with it.
pub(super) fn move_selected(model: &mut Model, step: isize, fx: &mut Vec<Effect>) {
    let Some(product) = selected(model) else {
        return;
    };
    let Some(at) = model.queue_position(product) else {
        return;
    };
    if let Some(to) = at.checked_add_signed(step) {
        move_product(model, product, to, fx);
    }
}

/// Puts `product` at place `to` of the order of selling (past the end:
/// last), tells it and keeps it. A move that changes nothing sends nothing.
pub(super) fn move_product(model: &mut Model, product: usize, to: usize, fx: &mut Vec<Effect>) {
    let Some(at) = model.queue_position(product) else {
        return;
    };
    let to = to.min(model.queue.len() - 1);
    if at == to {
        return;
    }
    model.queue.remove(at);
    model.queue.insert(to, product);
    model.queue_moved_ms = Some(model.now_ms);
    let skus = queue_skus(model);
    fx.push(Effect::Publish(Event::QueueChanged { skus: skus.clone() }));
    fx.push(Effect::Store(StoreJob::SetQueue {
        skus,
        helper: model.helper.clone(),
    }));
}

fn queue_skus(model: &Model) -> Vec<String> {
    model
        .queue
        .iter()
        .map(|&i| model.products[i].sku.clone())
        .collect()
}

/// The database's order of selling (the last run's, or another helper
/// changed it): followed without writing it back. Products it does not
/// know (gone from config) are dropped; products it does not list (new in
/// config) follow, in catalog order.
pub(super) fn follow_queue(model: &mut Model, skus: &[String], fx: &mut Vec<Effect>) {
    let mut queue: Vec<usize> = Vec::with_capacity(model.products.len());
    for sku in skus {
        if let Some(i) = model.products.iter().position(|p| &p.sku == sku) {
            if !queue.contains(&i) {
                queue.push(i);
            }
        }
    }
    for i in 0..model.products.len() {
        if !queue.contains(&i) {
            queue.push(i);
        }
    }
    if queue != model.queue {
        model.queue = queue;
        fx.push(Effect::Publish(Event::QueueChanged {
            skus: queue_skus(model),
        }));
    }
}

/// Whether a sync may move the queue: not right after this run moved it,
/// since the sync may have been read before the move was written.
pub(super) fn may_follow(model: &Model) -> bool {
    model
        .queue_moved_ms
        .is_none_or(|at| model.now_ms - at >= 2 * SYNC_INTERVAL_MS)
}

/// `]`/`[`: the product after or before the one on air in the order of
/// selling; stops at either end rather than wrapping, so a held key never
/// jumps from the last product to the first.
pub(super) fn step_on_air(model: &mut Model, step: isize, fx: &mut Vec<Effect>) {
    let Some(at) = model.on_air.and_then(|p| model.queue_position(p)) else {
        return;
    };
    if let Some(&next) = at
        .checked_add_signed(step)
        .and_then(|next| model.queue.get(next))
    {
        put_on_air(model, next, fx);
    }
}

/// `x`: asks before marking the selected product sold out (it cannot be
/// taken back with `u`; a restock can).
pub(super) fn ask_sold_out(model: &mut Model) {
    if let Some(product) = selected(model) {
        model.opened_from = model.mode;
        model.question = Some(Bulk::SoldOut { product });
        model.mode = Mode::Ask;
    }
}

/// Sets the product's stock to 0 through the audited stock path, so other
/// helpers and the board see it.
pub(super) fn sold_out(model: &Model, product: usize, fx: &mut Vec<Effect>) {
    super::book::change_stock(model, product, StockTo::Set(0), fx);
}

/// A flash sale whose time is up ends on screen at once (its countdown
/// would otherwise sit at 0:00 until something else changed), and the
/// store is asked what is available now; waiting orders may be offered.
pub(super) fn expire_sales(model: &mut Model, fx: &mut Vec<Effect>) {
    let now = model.now_ms;
    let mut ended = false;
    for product in &mut model.products {
        if product
            .sale
            .as_ref()
            .is_some_and(|sale| sale.ends_at_ms <= now)
        {
            product.sale = None;
            ended = true;
        }
    }
    if ended {
        fx.push(Effect::Store(StoreJob::Inventory));
        super::book::refresh_offers(model, fx);
    }
}
