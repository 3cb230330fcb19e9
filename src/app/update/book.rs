//! The order book's side of `update`: the waitlist and its offers, cancels
//! and changes waiting for the order they are about, following other
//! helpers on the same database (sync), stock changes and flash sales, and
//! the one-line prompt they are typed in.

use super::{auto_confirm_next, confirm, fail_item, remove_item};
use crate::app::event::Event;
use crate::app::model::*;
use crate::app::msg::Effect;
use crate::catalog::{parse_yuan, yuan, Fen};
use crate::intent::{Engine, IntentKind, AUTO_CONFIRM_CONFIDENCE};
use crate::store::{
    buyer_key, AmendTo, IntentKey, IntentStatus, NewIntent, OrderAmend, OrderRow, Refusal, Sale,
    SaleRefusal, SaleStart, StockChange, StockChanged, StockRefusal, StockTo, StoreError, StoreJob,
    SyncReport,
};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Asks the store what changed since the last sync, every `SYNC_INTERVAL_MS`.
pub(super) fn maybe_sync(model: &mut Model, fx: &mut Vec<Effect>) {
    let Some(cursor) = model.sync_cursor else {
        return;
    };
    if model.quitting
        || model.sync_in_flight
        || model.now_ms - model.last_sync_ms < SYNC_INTERVAL_MS
    {
        return;
    }
    model.sync_in_flight = true;
    model.last_sync_ms = model.now_ms;
    fx.push(Effect::Store(StoreJob::Sync(Some(cursor))));
}

/// Applies what the database says changed: intents other helpers decided
/// leave this inbox, intents they recorded or took back join it, stock
/// follows. Rows this run is busy with hear the store's own answer instead.
pub(super) fn synced(
    model: &mut Model,
    engine: &Engine,
    result: Result<SyncReport, StoreError>,
    fx: &mut Vec<Effect>,
) {
    model.sync_in_flight = false;
    let report = match result {
        Ok(report) => report,
        // Followed again at the next tick; a locked database is ordinary
        // contention, not news for the helper.
        Err(_) => return,
    };
    let first = model.sync_cursor.is_none();
    model.sync_cursor = Some(report.cursor);
    if first {
        return;
    }
    let mut inserted = false;
    for (intent, status) in report.intents {
        let position = model.inbox.iter().position(|item| item.key == intent.key);
        match (position, status.undecided()) {
            (Some(at), true) => {
                let item = &mut model.inbox[at];
                match (&item.state, status) {
                    (IntentState::Pending | IntentState::Failed(_), IntentStatus::Waitlisted) => {
                        item.state = IntentState::Waitlisted { place: 0 }
                    }
                    (
                        IntentState::Waitlisted { .. } | IntentState::Offered,
                        IntentStatus::Pending,
                    ) => item.state = IntentState::Pending,
                    _ => {}
                }
            }
            (Some(at), false) => {
                let busy = matches!(
                    model.inbox[at].state,
                    IntentState::Confirming | IntentState::Rejecting
                );
                // A refusal leaves the row with whoever is looking at it.
                if !busy && status != IntentStatus::Refused {
                    fx.push(Effect::Publish(Event::DecidedElsewhere {
                        msg_id: intent.key.msg_id.clone(),
                        index: intent.key.index,
                        status: status.as_str(),
                    }));
                    let key = intent.key.clone();
                    remove_item(model, &key);
                    model.auto_queue.retain(|k| k != &key);
                    let created =
                        status == IntentStatus::Confirmed && intent.kind == IntentKind::Order;
                    order_decided(model, &key, created, fx);
                }
            }
            // Past the inbox's page it waits in the database, counted below.
            (None, true) if super::inbox_has_room(model) => {
                insert_row(model, engine, intent, status, fx);
                inserted = true;
            }
            (None, true) => {}
            (None, false) => {}
        }
    }
    if inserted {
        super::sort_inbox(model);
    }
    if let Some(undecided) = report.undecided {
        model.inbox_more = undecided.saturating_sub(model.inbox.len() as u64);
    }
    // A sync may have been read before this run's own move was written.
    let moved_lately = model
        .on_air_moved_ms
        .is_some_and(|at| model.now_ms - at < 2 * SYNC_INTERVAL_MS);
    if !moved_lately {
        super::follow_on_air(model, report.on_air.as_deref(), fx);
    }
    if let Some(skus) = report.queue.as_deref() {
        if super::queue::may_follow(model) {
            super::queue::follow_queue(model, skus, fx);
        }
    }
    if let Some(rows) = report.inventory {
        super::apply_inventory(model, rows);
        // Something changed: the cart on screen may be one of its orders.
        refresh_cart(model, fx);
    }
    refresh_offers(model, fx);
}

fn insert_row(
    model: &mut Model,
    engine: &Engine,
    intent: NewIntent,
    status: IntentStatus,
    fx: &mut Vec<Effect>,
) {
    // Another run recorded it and puts it to its own policy; this one does
    // not. It is told here, once: whoever watches this run hears of every
    // intent in its inbox, whichever run read the message first (its own
    // reading of the message, if it comes later, finds it told).
    let waitlisted = status == IntentStatus::Waitlisted;
    let item = super::stored_item(model, engine, intent, waitlisted, true);
    if !waitlisted {
        fx.push(Effect::Publish(super::intent_event(&item)));
    }
    model.inbox.push(item);
}

/// The store put an order on its product's waitlist.
pub(super) fn waitlisted(
    model: &mut Model,
    key: &IntentKey,
    place: u32,
    left: i64,
    fx: &mut Vec<Effect>,
) {
    let Some(item) = model.inbox.iter_mut().find(|item| &item.key == key) else {
        return;
    };
    item.state = IntentState::Waitlisted { place };
    fx.push(Effect::Publish(Event::Waitlisted {
        msg_id: key.msg_id.clone(),
        index: key.index,
        sku: item.sku.clone().unwrap_or_default(),
        place,
        left,
    }));
}

/// Walks each product's waitlist in arrival order and offers the orders
/// that what is available now covers, each taking its units in turn; one
/// too big for what is left keeps its place and the smaller ones behind it
/// may go (the store's rule, `store::book::turn`). Newly offered orders are
/// told, and with auto-confirm queued.
pub(super) fn refresh_offers(model: &mut Model, fx: &mut Vec<Effect>) {
    let mut offered = Vec::new();
    for (index, product) in model.products.iter().enumerate() {
        let mut room = product.available();
        let mut place = 0u32;
        for item in model.inbox.iter_mut() {
            let waiting = matches!(
                item.state,
                IntentState::Waitlisted { .. } | IntentState::Offered
            );
            if !waiting || item.product != Some(index) || item.kind != IntentKind::Order {
                continue;
            }
            place += 1;
            let units = i64::from(item.qty.unwrap_or(1).max(1));
            if units <= room {
                room -= units;
                if item.state != IntentState::Offered {
                    item.state = IntentState::Offered;
                    offered.push(item.key.clone());
                    fx.push(Effect::Publish(Event::Offered {
                        msg_id: item.key.msg_id.clone(),
                        index: item.key.index,
                        sku: product.sku.clone(),
                        qty: item.qty.unwrap_or(1).max(1),
                    }));
                }
            } else {
                item.state = IntentState::Waitlisted { place };
            }
        }
    }
    if model.policy.auto_confirm {
        for key in offered {
            let sure = model
                .inbox
                .iter()
                .any(|item| item.key == key && item.confidence >= AUTO_CONFIRM_CONFIDENCE);
            if sure && !model.auto_queue.contains(&key) {
                model.auto_queue.push_back(key);
            }
        }
        auto_confirm_next(model, fx);
    }
}

/// Whose order an intent is, as the store tells buyers apart.
fn same_buyer(a: &InboxItem, b: &InboxItem) -> bool {
    match (&a.user_id, &b.user_id) {
        (Some(x), Some(y)) if !x.is_empty() && !y.is_empty() => x == y,
        _ => a.user == b.user,
    }
}

/// A cancel or change found no open order: when the buyer's order it is
/// about is still undecided in the inbox (it came first but is not
/// confirmed yet), the cancel waits beside it instead of failing. Returns
/// whether it waits.
pub(super) fn wait_for_order(model: &mut Model, key: &IntentKey, fx: &mut Vec<Effect>) -> bool {
    let Some(at) = model.inbox.iter().position(|item| &item.key == key) else {
        return false;
    };
    let amend = &model.inbox[at];
    if amend.kind == IntentKind::Order {
        return false;
    }
    let order = model.inbox.iter().rev().find(|item| {
        item.kind == IntentKind::Order
            && item.key != amend.key
            && item.received_at_ms <= amend.received_at_ms
            && same_buyer(item, amend)
            && (amend.sku.is_none() || item.sku == amend.sku)
            && !matches!(item.state, IntentState::Waiting { .. })
    });
    let Some(order) = order.map(|item| item.key.clone()) else {
        return false;
    };
    fx.push(Effect::Publish(Event::Waiting {
        msg_id: key.msg_id.clone(),
        index: key.index,
        order_msg_id: order.msg_id.clone(),
        order_index: order.index,
    }));
    model.inbox[at].state = IntentState::Waiting { order };
    true
}

/// An intent was decided: cancels and changes waiting for it go to the
/// store now (they find the order when it was created, and are refused as
/// having no order to act on when it was not).
pub(super) fn order_decided(
    model: &mut Model,
    key: &IntentKey,
    created: bool,
    fx: &mut Vec<Effect>,
) {
    let waiting: Vec<IntentKey> = model
        .inbox
        .iter()
        .filter(|item| matches!(&item.state, IntentState::Waiting { order } if order == key))
        .map(|item| item.key.clone())
        .collect();
    for waiter in waiting {
        if created {
            let _ = confirm(model, waiter, fx);
        } else {
            fx.push(Effect::Publish(Event::refused(
                &waiter,
                &Refusal::NoOpenOrder,
            )));
            let now = model.now_ms;
            fail_item(model, &waiter, Notice::Refused(Refusal::NoOpenOrder), now);
        }
    }
}

pub(super) fn change_stock(model: &Model, product: usize, to: StockTo, fx: &mut Vec<Effect>) {
    fx.push(Effect::Store(StoreJob::Stock(StockChange {
        sku: model.products[product].sku.clone(),
        to,
        helper: model.helper.clone(),
    })));
}

pub(super) fn stock_changed(
    model: &mut Model,
    result: Result<StockChanged, StockRefusal>,
    fx: &mut Vec<Effect>,
) {
    let now = model.now_ms;
    match result {
        Ok(changed) => {
            if let Some(row) = model.products.iter_mut().find(|p| p.sku == changed.sku) {
                row.stock = changed.after;
            }
            fx.push(Effect::Publish(Event::StockChanged {
                sku: changed.sku.clone(),
                before: changed.before,
                after: changed.after,
            }));
            model.notice = Some((
                Notice::StockChanged(changed.sku, changed.before, changed.after),
                now,
            ));
            refresh_offers(model, fx);
        }
        Err(refusal) => {
            let sku = match &refusal {
                StockRefusal::UnknownProduct(sku) => sku.clone(),
                _ => String::new(),
            };
            fx.push(Effect::Publish(Event::CommandRefused {
                command: "stock",
                sku,
                detail: refusal.to_string(),
            }));
            model.notice = Some((Notice::StockRefused(refusal.to_string()), now));
        }
    }
}

pub(super) fn start_sale(
    model: &Model,
    product: usize,
    qty: u32,
    price_fen: Fen,
    minutes: u32,
    fx: &mut Vec<Effect>,
) {
    fx.push(Effect::Store(StoreJob::StartSale(SaleStart {
        sku: model.products[product].sku.clone(),
        qty,
        price_fen,
        minutes,
        helper: model.helper.clone(),
    })));
}

pub(super) fn end_sale(model: &Model, product: usize, fx: &mut Vec<Effect>) {
    fx.push(Effect::Store(StoreJob::EndSale {
        sku: model.products[product].sku.clone(),
        helper: model.helper.clone(),
    }));
}

pub(super) fn sale_news(
    model: &mut Model,
    result: Result<Sale, SaleRefusal>,
    fx: &mut Vec<Effect>,
) {
    match result {
        Ok(sale) => {
            let running = sale.ends_at_ms > model.now_ms && sale.sold < sale.qty;
            let ended = sale.ends_at_ms <= sale.starts_at_ms.max(model.now_ms);
            fx.push(Effect::Publish(if ended || !running {
                Event::SaleEnded {
                    sku: sale.sku.clone(),
                    sold: sale.sold,
                    qty: sale.qty,
                }
            } else {
                Event::SaleStarted {
                    sku: sale.sku.clone(),
                    qty: sale.qty,
                    price: yuan(sale.price_fen),
                    ends_at: sale.ends_at_ms,
                }
            }));
            // What the sale makes available is the store's to say.
            fx.push(Effect::Store(StoreJob::Inventory));
        }
        Err(refusal) => {
            let sku = match &refusal {
                SaleRefusal::UnknownProduct(sku)
                | SaleRefusal::AlreadyRunning(sku)
                | SaleRefusal::NotRunning(sku) => sku.clone(),
                _ => String::new(),
            };
            fx.push(Effect::Publish(Event::CommandRefused {
                command: "sale",
                sku,
                detail: refusal.to_string(),
            }));
            model.notice = Some((Notice::SaleRefused(refusal.to_string()), model.now_ms));
        }
    }
}

/// What a prompt is opened for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PromptKind {
    Restock,
    Sale,
}

/// Opens the prompt for `product` (the one on air, or the queue's selected
/// one); `F` on a product whose sale is running asks to end it instead.
/// Either closes back to the mode it was opened from.
pub(super) fn open_prompt(model: &mut Model, kind: PromptKind, product: usize) {
    model.opened_from = model.mode;
    if kind == PromptKind::Sale && model.products[product].sale.is_some() {
        model.question = Some(Bulk::EndSale { product });
        model.mode = Mode::Ask;
        return;
    }
    model.prompt = Some(Prompt {
        purpose: match kind {
            PromptKind::Restock => PromptFor::Restock(product),
            PromptKind::Sale => PromptFor::Sale(product),
        },
        input: String::new(),
        error: None,
    });
    model.mode = Mode::Prompt;
}

/// Longest line a prompt takes: numbers, not prose.
const PROMPT_MAX: usize = 32;

/// A key while the prompt is open; false leaves it to the keymap (quit).
pub(super) fn prompt_key(model: &mut Model, key: &KeyEvent, fx: &mut Vec<Effect>) -> bool {
    if key.modifiers.contains(KeyModifiers::CONTROL) {
        return false;
    }
    let Some(prompt) = model.prompt.as_mut() else {
        model.mode = std::mem::take(&mut model.opened_from);
        return true;
    };
    match key.code {
        KeyCode::Esc => {
            model.prompt = None;
            model.mode = std::mem::take(&mut model.opened_from);
        }
        KeyCode::Backspace => {
            prompt.input.pop();
            prompt.error = None;
        }
        KeyCode::Char(c) if prompt.input.chars().count() < PROMPT_MAX => {
            prompt.input.push(c);
            prompt.error = None;
        }
        KeyCode::Enter => {
            let purpose = prompt.purpose;
            match read_prompt(purpose, &prompt.input) {
                Ok(job) => {
                    model.prompt = None;
                    model.mode = std::mem::take(&mut model.opened_from);
                    match job {
                        PromptJob::Stock(product, to) => change_stock(model, product, to, fx),
                        PromptJob::Sale {
                            product,
                            qty,
                            price_fen,
                            minutes,
                        } => start_sale(model, product, qty, price_fen, minutes, fx),
                    }
                }
                Err(error) => prompt.error = Some(error),
            }
        }
        _ => {}
    }
    true
}

enum PromptJob {
    Stock(usize, StockTo),
    Sale {
        product: usize,
        qty: u32,
        price_fen: Fen,
        minutes: u32,
    },
}

fn read_prompt(purpose: PromptFor, input: &str) -> Result<PromptJob, PromptError> {
    let input = input.trim();
    match purpose {
        PromptFor::Restock(product) => {
            let to = if let Some(n) = input.strip_prefix('=') {
                StockTo::Set(n.trim().parse().map_err(|_| PromptError::Stock)?)
            } else {
                let n = input.strip_prefix('+').unwrap_or(input).trim();
                StockTo::Add(n.parse().map_err(|_| PromptError::Stock)?)
            };
            Ok(PromptJob::Stock(product, to))
        }
        PromptFor::Sale(product) => {
            let parts: Vec<&str> = input.split_whitespace().collect();
            let [qty, price, minutes] = parts[..] else {
                return Err(PromptError::Sale);
            };
            let qty = qty.parse().ok().filter(|&n: &u32| n > 0);
            let minutes = minutes.parse().ok().filter(|&n: &u32| n > 0);
            match (qty, parse_yuan(price), minutes) {
                (Some(qty), Some(price_fen), Some(minutes)) => Ok(PromptJob::Sale {
                    product,
                    qty,
                    price_fen,
                    minutes,
                }),
                _ => Err(PromptError::Sale),
            }
        }
    }
}

/// Opens the selected row's buyer's cart and asks the store for it.
pub(super) fn open_cart(model: &mut Model, fx: &mut Vec<Effect>) {
    let Some(item) = model.selected_item() else {
        return;
    };
    let buyer = buyer_key(&item.user, item.user_id.as_deref());
    model.cart = Some(CartView {
        buyer: buyer.clone(),
        user: item.user.clone(),
        rows: None,
        selected: 0,
    });
    model.mode = Mode::Cart;
    fx.push(Effect::Store(StoreJob::Cart { buyer }));
}

/// Asks again for the cart on screen (an order in it may have changed).
pub(super) fn refresh_cart(model: &Model, fx: &mut Vec<Effect>) {
    if let Some(cart) = &model.cart {
        fx.push(Effect::Store(StoreJob::Cart {
            buyer: cart.buyer.clone(),
        }));
    }
}

pub(super) fn cart_loaded(
    model: &mut Model,
    buyer: String,
    result: Result<Vec<OrderRow>, StoreError>,
) {
    let now = model.now_ms;
    let Some(cart) = model.cart.as_mut().filter(|c| c.buyer == buyer) else {
        return;
    };
    match result {
        Ok(rows) => {
            cart.selected = cart.selected.min(rows.len().saturating_sub(1));
            cart.rows = Some(rows);
        }
        Err(error) => model.notice = Some((Notice::StoreFailed(error), now)),
    }
}

pub(super) fn cart_select(model: &mut Model, step: isize) {
    if let Some(cart) = model.cart.as_mut() {
        let len = cart.rows.as_ref().map_or(0, Vec::len);
        let next = cart.selected.saturating_add_signed(step);
        if next < len {
            cart.selected = next;
        }
    }
}

/// Cancels (`None`) or changes by `step` units the selected confirmed order
/// of the cart; the store has the last word (stock, limits) and `u` takes
/// it back.
pub(super) fn cart_amend(model: &mut Model, step: Option<i64>, fx: &mut Vec<Effect>) {
    let Some(order) = model
        .cart
        .as_ref()
        .and_then(|c| c.rows.as_ref()?.get(c.selected))
        .filter(|o| o.status == "confirmed")
    else {
        return;
    };
    let to = match step {
        None => AmendTo::Cancel,
        Some(step) => {
            let qty = (i64::from(order.qty) + step).clamp(0, i64::from(u32::MAX));
            AmendTo::Qty(qty as u32)
        }
    };
    fx.push(Effect::Store(StoreJob::Amend(OrderAmend {
        order_id: order.order_id,
        to,
        helper: model.helper.clone(),
    })));
}
