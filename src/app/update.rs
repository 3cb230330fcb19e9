//! `update`: the only place the model changes, for every shell. Pure and
//! synchronous: it reads chat with the engine against the product on air,
//! reads no clock (time comes in `Msg::Tick` and with each chat message),
//! touches no network or disk, and returns the effects the driver carries out.

use crate::app::event::Event;
use crate::app::keymap::Action;
use crate::app::model::*;
use crate::app::msg::{Command, Effect, Msg, ProductRef, SourceStatus};
use crate::chat::{ChatMessage, OutageKind, SourceId};
use crate::intent::sender::SenderContext;
use crate::intent::suggest::{Anchor, Note, ANCHOR_WITHIN_MS, SUGGESTION_CONFIDENCE};
use crate::intent::{rounded_confidence, Engine, Intent, IntentKind, AUTO_CONFIRM_CONFIDENCE};
use crate::store::{
    buyer_key, AmendTo, ConfirmRequest, Confirmed, IntentKey, NewIntent, OrderAction, OrderAmend,
    PendingIntent, PendingPage, Refusal, RejectFilter, StockRow, StoreEvent, StoreJob,
};
use crossterm::event::{KeyEvent, KeyEventKind};
use std::fmt;

mod book;
mod coop;
mod fix;
mod inbox;
mod mouse;
mod queue;
mod views;

pub use fix::picker_matches;
pub use views::{window_start, SALES_MINUTES, TOP_BUYERS};

pub fn update(model: &mut Model, engine: &Engine, msg: Msg) -> Vec<Effect> {
    let mut fx = Vec::new();
    match msg {
        Msg::Started => on_started(model, &mut fx),
        Msg::Key(key) => on_key(model, engine, key, &mut fx),
        Msg::Command { line, command } => {
            if let Err(error) = run_command(model, command, &mut fx) {
                fx.push(Effect::Publish(Event::Error {
                    line,
                    error: error.to_string(),
                }));
            }
        }
        Msg::BadCommand { line, error } => fx.push(Effect::Publish(Event::Error { line, error })),
        Msg::Chat {
            source,
            message,
            received_at_ms,
        } => on_chat(model, engine, source, message, received_at_ms, &mut fx),
        Msg::Source { source, status } => on_source(model, source, status, &mut fx),
        Msg::RecordStopped(failure) => {
            fx.push(Effect::Publish(Event::RecordStopped {
                path: failure.path.display().to_string(),
                reason: failure.detail.clone(),
            }));
            model.notice = Some((Notice::RecordStopped(failure), model.now_ms));
        }
        Msg::Store(event) => {
            if views::moves_orders(&event) {
                model.summary_stale = true;
            }
            on_store(model, engine, event, &mut fx)
        }
        Msg::Tick(now_ms) => {
            on_tick(model, now_ms);
            coop::settle_claims(model, &mut fx);
            queue::expire_sales(model, &mut fx);
            book::maybe_sync(model, &mut fx);
            refill_inbox(model, &mut fx);
            views::maybe_summary(model, &mut fx);
        }
        Msg::Resize { width, height } => model.screen = (width, height),
        Msg::CoopPools(pools) => {
            for product in model.products.iter_mut() {
                product.pool = pools
                    .iter()
                    .find(|(sku, _)| *sku == product.sku)
                    .map_or(0, |(_, pool)| *pool);
            }
        }
        Msg::Coop(status) => {
            fx.push(Effect::Publish(Event::coop(&status)));
            model.coop = Some(status);
            coop::settle_claims(model, &mut fx);
        }
        Msg::CoopNews(news) => coop::on_news(model, news, &mut fx),
        Msg::Mouse(event) => mouse::on_mouse(model, event),
    }
    inbox::settle_selection(model);
    fx
}

/// Why a command was not carried out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandError {
    UnknownSku(String),
    UnknownLink(u32),
    /// No intent with that key waits in the inbox (never seen, or decided).
    NotPending(IntentKey),
    /// The intent waits in the database beyond the inbox's page (a long
    /// backlog): it can be confirmed once the older ones are decided.
    NotLoaded {
        key: IntentKey,
        loaded: usize,
    },
    /// The store is already working on that intent.
    Busy(IntentKey),
    /// An order naming no product cannot be confirmed.
    NoProduct(IntentKey),
    NothingToUndo,
    /// The store is still taking back the previous decision.
    UndoBusy,
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CommandError::UnknownSku(sku) => write!(f, "no product with sku {sku:?}"),
            CommandError::UnknownLink(link) => write!(f, "no product with link {link}"),
            CommandError::NotPending(key) => {
                write!(f, "no pending intent {}#{}", key.msg_id, key.index)
            }
            CommandError::NotLoaded { key, loaded } => write!(
                f,
                "intent {}#{} is not loaded yet: the inbox holds the oldest {loaded} \
                 undecided intents and loads the rest as those are decided \
                 (the bulk rejections reach it already)",
                key.msg_id, key.index
            ),
            CommandError::Busy(key) => write!(
                f,
                "intent {}#{} is already being decided",
                key.msg_id, key.index
            ),
            CommandError::NothingToUndo => write!(f, "nothing to undo"),
            CommandError::UndoBusy => write!(f, "the last undo is still being made"),
            CommandError::NoProduct(key) => write!(
                f,
                "intent {}#{} names no product; it cannot be confirmed",
                key.msg_id, key.index
            ),
        }
    }
}

fn on_started(model: &mut Model, fx: &mut Vec<Effect>) {
    // The inbox and stock as the database has them. Where the database is
    // is asked first: what other helpers do between the two answers comes
    // again with the first sync, and applying it twice changes nothing.
    fx.push(Effect::Store(StoreJob::Sync(None)));
    model.sync_in_flight = true;
    fx.push(Effect::Store(StoreJob::Inventory));
    // The oldest undecided intents: a page, however long the backlog.
    fx.push(Effect::Store(StoreJob::PendingPage {
        limit: INBOX_WINDOW,
    }));
    model.page_in_flight = true;
    // The product on air when the last run ended, and its latest orders.
    fx.push(Effect::Store(StoreJob::Resume));
    publish_on_air(model, fx);
}

fn run_command(
    model: &mut Model,
    command: Command,
    fx: &mut Vec<Effect>,
) -> Result<(), CommandError> {
    match command {
        Command::OnAir(product) => {
            let index = product_index(model, product)?;
            put_on_air(model, index, fx);
            Ok(())
        }
        Command::Confirm(key) => confirm(model, key, fx),
        Command::Reject(key) => reject(model, key, fx),
        Command::Undo => undo(model, fx),
        Command::CancelOrder(order_id) => {
            amend(model, order_id, AmendTo::Cancel, fx);
            Ok(())
        }
        Command::SetQty { order_id, qty } => {
            amend(model, order_id, AmendTo::Qty(qty), fx);
            Ok(())
        }
        Command::RejectProduct(product) => {
            let product = product_index(model, product)?;
            let keys = pending_keys(model, |item| item.product == Some(product));
            answer_yes_to(model, Bulk::RejectProduct { product, keys }, fx);
            Ok(())
        }
        Command::RejectOlder { minutes } => {
            let before = model.now_ms - i64::from(minutes) * 60_000;
            let keys = pending_keys(model, |item| item.received_at_ms < before);
            let minutes = i64::from(minutes);
            answer_yes_to(model, Bulk::RejectOlder { minutes, keys }, fx);
            Ok(())
        }
        Command::ConfirmOnAir => {
            if let Some(bulk) = confirm_on_air_question(model) {
                answer_yes_to(model, bulk, fx);
            }
            Ok(())
        }
        Command::Stock { product, to } => {
            let product = product_index(model, product)?;
            book::change_stock(model, product, to, fx);
            Ok(())
        }
        Command::SaleStart {
            product,
            qty,
            price_fen,
            minutes,
        } => {
            let product = product_index(model, product)?;
            book::start_sale(model, product, qty, price_fen, minutes, fx);
            Ok(())
        }
        Command::SaleEnd(product) => {
            let product = product_index(model, product)?;
            book::end_sale(model, product, fx);
            Ok(())
        }
        Command::MoveProduct { product, to } => {
            let product = product_index(model, product)?;
            queue::move_product(model, product, to, fx);
            Ok(())
        }
        Command::SoldOut(product) => {
            let product = product_index(model, product)?;
            answer_yes_to(model, Bulk::SoldOut { product }, fx);
            Ok(())
        }
        Command::Quit => {
            quit(model, fx);
            Ok(())
        }
    }
}

fn product_index(model: &Model, product: ProductRef) -> Result<usize, CommandError> {
    let index = match &product {
        ProductRef::Sku(sku) => model.products.iter().position(|p| &p.sku == sku),
        ProductRef::Link(link) => model.products.iter().position(|p| p.link == *link),
    };
    index.ok_or(match product {
        ProductRef::Sku(sku) => CommandError::UnknownSku(sku),
        ProductRef::Link(link) => CommandError::UnknownLink(link),
    })
}

/// The bulk confirmation of the product on air, counted now.
fn confirm_on_air_question(model: &Model) -> Option<Bulk> {
    let product = model.on_air?;
    let keys = pending_keys(model, |item| {
        item.kind == IntentKind::Order
            && item.product == Some(product)
            && item.confidence >= AUTO_CONFIRM_CONFIDENCE
    });
    let units = model
        .inbox
        .iter()
        .filter(|item| keys.contains(&item.key))
        .map(|item| u64::from(item.qty.unwrap_or(1)))
        .sum();
    let stock = model.products[product].available();
    Some(Bulk::ConfirmOnAir {
        product,
        keys,
        units,
        stock,
    })
}

fn on_key(model: &mut Model, engine: &Engine, key: KeyEvent, fx: &mut Vec<Effect>) {
    // Windows terminals also report releases; act once per press.
    if key.kind == KeyEventKind::Release {
        return;
    }
    if model.mode == Mode::Prompt && book::prompt_key(model, &key, fx) {
        return;
    }
    if model.mode == Mode::Picker && fix::picker_key(model, engine, &key) {
        return;
    }
    if model.mode == Mode::Board && views::board_key(model, &key) {
        return;
    }
    if model.mode == Mode::Filter && inbox::filter_key(model, &key) {
        return;
    }
    let Some(action) = model.keymap.action(model.mode, &key) else {
        return;
    };
    match action {
        Action::Quit => quit(model, fx),
        // The help lists the keys of the mode under it and goes back there.
        Action::ToggleHelp | Action::CloseOverlay if model.mode == Mode::Help => {
            model.mode = model.help_under;
        }
        Action::ToggleHelp => {
            model.help_under = model.mode;
            model.help_scroll = 0;
            model.mode = Mode::Help;
        }
        Action::SelectUp if model.mode == Mode::Help => scroll_help(model, -1),
        Action::SelectDown if model.mode == Mode::Help => scroll_help(model, 1),
        Action::ToggleProducts => queue::toggle_products(model),
        Action::FocusProducts => queue::focus_products(model),
        Action::SelectUp if model.mode == Mode::Products => queue::select(model, -1),
        Action::SelectDown if model.mode == Mode::Products => queue::select(model, 1),
        Action::PutOnAir => queue::put_selected_on_air(model, fx),
        Action::MoveProductUp => queue::move_selected(model, -1, fx),
        Action::MoveProductDown => queue::move_selected(model, 1, fx),
        Action::SoldOut => queue::ask_sold_out(model),
        // Esc in the inbox itself clears its filter.
        Action::CloseOverlay if model.mode == Mode::Inbox => model.filter = None,
        Action::CloseOverlay => views::close_overlay(model),
        Action::OpenOrders => views::toggle_orders(model, fx),
        Action::OpenWaitlist => views::toggle_waitlist(model),
        Action::ShowBoard => views::toggle_board(model, fx),
        Action::SelectUp if model.mode == Mode::Orders => views::orders_select(model, -1),
        Action::SelectDown if model.mode == Mode::Orders => views::orders_select(model, 1),
        Action::OpenCart if model.mode == Mode::Orders => views::open_buyer_cart(model, fx),
        Action::SelectUp if model.mode == Mode::Waitlist => views::waitlist_select(model, -1),
        Action::SelectDown if model.mode == Mode::Waitlist => views::waitlist_select(model, 1),
        Action::Confirm if model.mode == Mode::Waitlist => views::waitlist_decide(model, true, fx),
        Action::Reject if model.mode == Mode::Waitlist => views::waitlist_decide(model, false, fx),
        Action::SelectUp if model.mode == Mode::Cart => book::cart_select(model, -1),
        Action::SelectDown if model.mode == Mode::Cart => book::cart_select(model, 1),
        Action::OpenCart => book::open_cart(model, fx),
        Action::CancelOrder => book::cart_amend(model, None, fx),
        Action::QtyUp if model.mode == Mode::Cart => book::cart_amend(model, Some(1), fx),
        Action::QtyDown if model.mode == Mode::Cart => book::cart_amend(model, Some(-1), fx),
        Action::QtyUp => fix::step_qty(model, 1),
        Action::QtyDown => fix::step_qty(model, -1),
        Action::OpenPicker => fix::open_picker(model),
        Action::SelectUp => inbox::step_selection(model, -1),
        Action::SelectDown => inbox::step_selection(model, 1),
        Action::Filter => inbox::open_filter(model),
        Action::JumpToChat => inbox::jump_to_chat(model),
        Action::GroupByBuyer => inbox::toggle_group(model),
        Action::ChatOlder => {
            model.chat_scroll =
                (model.chat_scroll + CHAT_SCROLL_STEP).min(model.chat.len().saturating_sub(1));
        }
        Action::ChatNewer => {
            model.chat_scroll = model.chat_scroll.saturating_sub(CHAT_SCROLL_STEP);
        }
        Action::ChatLatest => model.chat_scroll = 0,
        Action::NextProduct => queue::step_on_air(model, 1, fx),
        Action::PrevProduct => queue::step_on_air(model, -1, fx),
        Action::RejectProductAll => {
            let product = model.selected_item().and_then(|item| item.product);
            match product {
                Some(product) => ask(
                    model,
                    Bulk::RejectProduct {
                        product,
                        keys: pending_keys(model, |item| item.product == Some(product)),
                    },
                ),
                None => model.notice = Some((Notice::NothingMatches, model.now_ms)),
            }
        }
        Action::RejectStale => {
            let before = model.now_ms - STALE_MINUTES * 60_000;
            let keys = pending_keys(model, |item| item.received_at_ms < before);
            ask(
                model,
                Bulk::RejectOlder {
                    minutes: STALE_MINUTES,
                    keys,
                },
            );
        }
        Action::ConfirmOnAirAll => {
            if let Some(bulk) = confirm_on_air_question(model) {
                ask(model, bulk);
            }
        }
        // In the queue on the selected product, else on the product on air.
        Action::Restock | Action::FlashSale => {
            let product = if model.mode == Mode::Products {
                Some(model.queue_selected).filter(|&p| p < model.products.len())
            } else {
                model.on_air
            };
            let kind = if action == Action::Restock {
                book::PromptKind::Restock
            } else {
                book::PromptKind::Sale
            };
            if let Some(product) = product {
                book::open_prompt(model, kind, product);
            }
        }
        // In a question, y means yes.
        Action::Confirm if model.mode == Mode::Ask => answer_yes(model, fx),
        Action::Undo => {
            if let Err(CommandError::NothingToUndo) = undo(model, fx) {
                model.notice = Some((Notice::NothingToUndo, model.now_ms));
            }
        }
        Action::Confirm | Action::Reject => {
            let Some(key) = model.selected_item().map(|item| item.key.clone()) else {
                return;
            };
            let done = if action == Action::Confirm {
                confirm(model, key, fx)
            } else {
                reject(model, key, fx)
            };
            // A row the store is busy with just ignores the key; an order
            // without a product says why it cannot go.
            match done {
                Err(CommandError::NoProduct(_)) => {
                    model.notice = Some((Notice::NoProduct, model.now_ms));
                }
                // The decided row waits for the store where it is; the
                // helper's eyes move on to the next one.
                Ok(()) => inbox::select_next_undecided(model),
                Err(_) => {}
            }
        }
    }
}

/// Scrolls the help by `step` entries, as far as its last entry.
pub(crate) fn scroll_help(model: &mut Model, step: isize) {
    let most = crate::ui::help::max_scroll(model);
    model.help_scroll = model.help_scroll.saturating_add_signed(step).min(most);
}

fn quit(model: &mut Model, fx: &mut Vec<Effect>) {
    model.quitting = true;
    // Decisions waiting on a claim are made here before the run ends.
    coop::settle_claims(model, fx);
    fx.push(Effect::Quit);
}

/// A helper puts a product on air: told, and kept in the database for the
/// next run, the other helpers' screens and the board.
fn put_on_air(model: &mut Model, index: usize, fx: &mut Vec<Effect>) {
    model.on_air = Some(index);
    model.on_air_moved_ms = Some(model.now_ms);
    publish_on_air(model, fx);
    fx.push(Effect::Store(StoreJob::SetOnAir {
        sku: model.products[index].sku.clone(),
        helper: model.helper.clone(),
    }));
}

/// The database says `sku` is on air (the last run's product, or another
/// helper moved it): followed without writing it back.
fn follow_on_air(model: &mut Model, sku: Option<&str>, fx: &mut Vec<Effect>) {
    let index = sku.and_then(|sku| model.products.iter().position(|p| p.sku == sku));
    if let Some(index) = index.filter(|&i| model.on_air != Some(i)) {
        model.on_air = Some(index);
        publish_on_air(model, fx);
    }
}

fn publish_on_air(model: &Model, fx: &mut Vec<Effect>) {
    if let Some(p) = model.on_air_product() {
        fx.push(Effect::Publish(Event::OnAir {
            sku: p.sku.clone(),
            link: p.link,
            name: p.name.clone(),
        }));
    }
}

/// Whether the helper may act on an intent now: not while the store is busy with it.
fn actionable(state: &IntentState) -> bool {
    matches!(
        state,
        IntentState::Pending
            | IntentState::Failed(_)
            | IntentState::Waitlisted { .. }
            | IntentState::Offered
            | IntentState::Waiting { .. }
    )
}

fn pending_item<'m>(
    model: &'m mut Model,
    key: &IntentKey,
) -> Result<&'m mut InboxItem, CommandError> {
    let item = model
        .inbox
        .iter_mut()
        .find(|item| &item.key == key)
        .ok_or_else(|| CommandError::NotPending(key.clone()))?;
    if actionable(&item.state) {
        Ok(item)
    } else {
        Err(CommandError::Busy(key.clone()))
    }
}

/// Asks the store to confirm one intent of the inbox (a helper's key or
/// command, or the auto-confirm policy).
fn confirm(model: &mut Model, key: IntentKey, fx: &mut Vec<Effect>) -> Result<(), CommandError> {
    let helper = model.helper.clone();
    confirm_by(model, key, helper, fx)
}

/// Who the audit trail names for decisions the auto-confirm policy makes.
pub const AUTO_HELPER: &str = "auto";

fn confirm_by(
    model: &mut Model,
    key: IntentKey,
    helper: String,
    fx: &mut Vec<Effect>,
) -> Result<(), CommandError> {
    if model.inbox_more > 0 && !model.inbox.iter().any(|item| item.key == key) {
        let loaded = model.inbox.len();
        return Err(CommandError::NotLoaded { key, loaded });
    }
    let item = pending_item(model, &key)?;
    if item.kind == IntentKind::Order && item.sku.is_none() {
        return Err(CommandError::NoProduct(key));
    }
    item.state = IntentState::Confirming;
    let job = StoreJob::Confirm(ConfirmRequest {
        key: key.clone(),
        kind: item.kind,
        user: item.user.clone(),
        user_id: item.user_id.clone(),
        sku: item.sku.clone(),
        // An order that names no quantity is an order of one.
        qty: match item.kind {
            IntentKind::Order => Some(item.qty.unwrap_or(1)),
            _ => item.qty,
        },
        helper,
    });
    coop::decide(model, key, job, fx);
    Ok(())
}

/// The keys of the rows a helper may still decide that `keep` picks, oldest first.
fn pending_keys(model: &Model, keep: impl Fn(&InboxItem) -> bool) -> Vec<IntentKey> {
    model
        .inbox
        .iter()
        .filter(|item| actionable(&item.state) && keep(item))
        .map(|item| item.key.clone())
        .collect()
}

/// Puts a bulk decision to the helper, or says there is nothing to do.
fn ask(model: &mut Model, bulk: Bulk) {
    // Intents waiting in the database may match a bulk rejection.
    let maybe_unloaded = model.inbox_more > 0
        && matches!(bulk, Bulk::RejectProduct { .. } | Bulk::RejectOlder { .. });
    if bulk.keys().is_empty() && !maybe_unloaded {
        model.notice = Some((Notice::NothingMatches, model.now_ms));
    } else {
        model.opened_from = model.mode;
        model.question = Some(bulk);
        model.mode = Mode::Ask;
    }
}

/// Carries out the bulk decision asked about, on the rows still undecided.
fn answer_yes(model: &mut Model, fx: &mut Vec<Effect>) {
    model.mode = std::mem::take(&mut model.opened_from);
    if let Some(bulk) = model.question.take() {
        answer_yes_to(model, bulk, fx);
    }
}

/// Carries out a bulk decision (asked on screen, or a headless command) on
/// the rows still undecided.
fn answer_yes_to(model: &mut Model, bulk: Bulk, fx: &mut Vec<Effect>) {
    match bulk {
        Bulk::RejectProduct { ref keys, .. } | Bulk::RejectOlder { ref keys, .. } => {
            let keys: Vec<IntentKey> = keys
                .iter()
                .filter(|key| {
                    pending_item(model, key)
                        .map(|item| item.state = IntentState::Rejecting)
                        .is_ok()
                })
                .cloned()
                .collect();
            if model.inbox_more > 0 {
                // Some may wait in the database, not loaded: the store
                // picks them all by the same rule.
                let filter = match bulk {
                    Bulk::RejectProduct { product, .. } => RejectFilter {
                        sku: Some(model.products[product].sku.clone()),
                        received_before: None,
                    },
                    _ => RejectFilter {
                        sku: None,
                        received_before: Some(model.now_ms - bulk_minutes(&bulk) * 60_000),
                    },
                };
                fx.push(Effect::Store(StoreJob::RejectWhere {
                    filter,
                    loaded: keys,
                    helper: model.helper.clone(),
                }));
            } else if !keys.is_empty() {
                fx.push(Effect::Store(StoreJob::RejectMany {
                    keys,
                    helper: model.helper.clone(),
                }));
            }
        }
        // One confirmation each, oldest first (the store commits them
        // together): stock and limits are checked per order, so the last
        // ones are refused when stock runs out.
        Bulk::ConfirmOnAir { keys, .. } => {
            for key in keys {
                let _ = confirm(model, key, fx);
            }
        }
        Bulk::EndSale { product } => book::end_sale(model, product, fx),
        Bulk::SoldOut { product } => queue::sold_out(model, product, fx),
        Bulk::TeachAlias {
            phrase,
            product,
            msg_id,
        } => fix::teach(model, phrase, product, msg_id, fx),
    }
}

fn bulk_minutes(bulk: &Bulk) -> i64 {
    match bulk {
        Bulk::RejectOlder { minutes, .. } => *minutes,
        _ => 0,
    }
}

/// Asks the store to take back this run's last decision; the row comes back
/// to the inbox when the store has done it (`StoreEvent::Undone`).
fn undo(model: &mut Model, fx: &mut Vec<Effect>) -> Result<(), CommandError> {
    if model.undoing.is_some() {
        return Err(CommandError::UndoBusy);
    }
    let decision = model
        .decisions
        .pop_back()
        .ok_or(CommandError::NothingToUndo)?;
    match decision {
        Decision::Intent(item) => {
            fx.push(Effect::Store(StoreJob::Undo {
                key: item.key.clone(),
                helper: model.helper.clone(),
            }));
            model.undoing = Some(*item);
        }
        Decision::Order {
            order_id,
            before_qty,
        } => {
            let to = before_qty.map_or(AmendTo::Reopen, AmendTo::Qty);
            model.undoing_order = Some(order_id);
            amend(model, order_id, to, fx);
        }
    }
    Ok(())
}

/// Keeps a decided row for `u`.
fn remember_decision(model: &mut Model, key: &IntentKey) {
    if let Some(item) = model.inbox.iter().find(|item| &item.key == key) {
        let mut item = item.clone();
        item.state = IntentState::Pending;
        push_bounded(
            &mut model.decisions,
            Decision::Intent(Box::new(item)),
            UNDO_DEPTH,
        );
    }
}

/// Asks the store to put a confirmed order right; whether the order exists
/// and may change is the store's to say (`StoreEvent::Amended`).
fn amend(model: &Model, order_id: i64, to: AmendTo, fx: &mut Vec<Effect>) {
    fx.push(Effect::Store(StoreJob::Amend(OrderAmend {
        order_id,
        to,
        helper: model.helper.clone(),
    })));
}

fn reject(model: &mut Model, key: IntentKey, fx: &mut Vec<Effect>) -> Result<(), CommandError> {
    let helper = model.helper.clone();
    if model.inbox_more > 0 && !model.inbox.iter().any(|item| item.key == key) {
        let loaded = model.inbox.len();
        return Err(CommandError::NotLoaded { key, loaded });
    }
    let item = pending_item(model, &key)?;
    item.state = IntentState::Rejecting;
    let job = StoreJob::Reject {
        key: key.clone(),
        helper,
    };
    coop::decide(model, key, job, fx);
    Ok(())
}

fn on_chat(
    model: &mut Model,
    engine: &Engine,
    source: SourceId,
    message: ChatMessage,
    received_at_ms: i64,
    fx: &mut Vec<Effect>,
) {
    model.arrivals_since_tick = model.arrivals_since_tick.saturating_add(1);
    // The bell is for a helper who looked away from an inbox with nothing in it.
    let inbox_was_empty = model.inbox.is_empty();
    let mut intents = Vec::new();
    // Read in the sender's context: their open orders and recent words.
    let buyer = buyer_key(&message.user, message.user_id.as_deref());
    let (mut orders, mut said) = (Vec::new(), Vec::new());
    let known = model
        .senders
        .context(&buyer, received_at_ms, &mut orders, &mut said);
    let sender = SenderContext {
        orders: &orders,
        history: &said,
    };
    let read = engine.parse_guarded_in_context(
        &message.text,
        model.on_air,
        known.then_some(&sender),
        &mut intents,
    );
    // Why each reading waits for the helper, if it does: a cancel or change
    // naming no product is as sure as the sender's orders make it.
    let mut notes: Vec<Option<Note>> = intents
        .iter()
        .map(|i| {
            let unnamed_amendment = i.kind != IntentKind::Order && i.product.is_none();
            (known && unnamed_amendment)
                .then(|| sender.amendment_doubt())
                .flatten()
        })
        .collect();
    if read && intents.is_empty() {
        // Read as nothing: a suggestion, if the message is one a helper
        // would guess at ("同上", "来两袋" with nothing on air, "两斤").
        let anchor = chat_anchor(model, &message.user, received_at_ms);
        if let Some(s) = engine.suggest(&message.text, model.on_air, anchor) {
            intents.push(Intent {
                kind: IntentKind::Order,
                product: Some(s.product),
                qty: Some(s.qty),
                confidence: SUGGESTION_CONFIDENCE,
                evidence: s.evidence,
            });
            notes.push(Some(s.note));
        }
    }
    drop(said);
    model.senders.heard(&buyer, &message.text, received_at_ms);
    if !read {
        // The message still joins the chat log, with no reading.
        tracing::error!(msg_id = %message.id, "the intent engine failed on a message");
    }
    push_chat(
        model,
        ChatEntry::Message(ChatLine {
            source,
            msg_id: message.id.clone(),
            received_at_ms,
            user: message.user.clone(),
            text: message.text.clone(),
            evidence: intents
                .iter()
                .flat_map(|i| i.evidence.iter().cloned())
                .collect(),
            readings: intents
                .iter()
                .zip(&notes)
                .filter(|(_, note)| !note.is_some_and(Note::is_suggestion))
                .map(|(i, _)| Reading {
                    kind: i.kind,
                    product: i.product,
                    qty: i.qty,
                })
                .collect(),
            suggestion: intents
                .iter()
                .zip(&notes)
                .find(|(_, note)| note.is_some_and(Note::is_suggestion))
                .map(|(i, _)| Reading {
                    kind: i.kind,
                    product: i.product,
                    qty: i.qty,
                }),
        }),
    );
    if intents.is_empty() {
        return;
    }
    let source_name = model
        .sources
        .get(source)
        .map(|s| s.name.clone())
        .unwrap_or_default();

    let mut records = Vec::with_capacity(intents.len());
    let mut fresh = Vec::with_capacity(intents.len());
    for (index, (intent, note)) in intents.into_iter().zip(notes).enumerate() {
        let key = IntentKey {
            msg_id: message.id.clone(),
            index: u32::try_from(index).unwrap_or(u32::MAX),
        };
        // A replayed message (after a reconnect) must not add a second row;
        // one restored from the database is told now, as if it were new.
        if let Some(item) = model.inbox.iter_mut().find(|item| item.key == key) {
            if !item.announced {
                item.announced = true;
                fx.push(Effect::Publish(intent_event(item)));
                fresh.push(key);
            }
            continue;
        }
        let sku = intent
            .product
            .and_then(|p| model.catalog.get(p))
            .map(|p| p.sku.clone());
        records.push(NewIntent {
            key: key.clone(),
            source: source_name.clone(),
            user: message.user.clone(),
            user_id: message.user_id.clone(),
            text: message.text.clone(),
            kind: intent.kind,
            sku: sku.clone(),
            qty: intent.qty,
            confidence: intent.confidence,
            received_at_ms,
            note,
        });
        let item = InboxItem {
            key: key.clone(),
            source: source_name.clone(),
            user: message.user.clone(),
            user_id: message.user_id.clone(),
            text: message.text.clone(),
            kind: intent.kind,
            product: sku.as_ref().and(intent.product),
            sku,
            qty: intent.qty,
            confidence: intent.confidence,
            evidence: intent.evidence.to_vec(),
            received_at_ms,
            state: IntentState::Pending,
            announced: true,
            note,
        };
        fx.push(Effect::Publish(intent_event(&item)));
        // What the auto-confirm policy would say of it: `Some(None)` takes it.
        let auto = model.policy.auto_confirm.then(|| auto_refusal(&item));
        if inbox_has_room(model) || matches!(auto, Some(None)) {
            model.inbox.push(item);
            fresh.push(key);
        } else {
            // The inbox holds its page: this one waits in the database (it
            // is recorded below) and is loaded as older ones are decided.
            model.inbox_more = model.inbox_more.saturating_add(1);
            if let Some(Some(refused)) = auto {
                fx.push(Effect::Publish(refused));
            }
        }
    }
    if !records.is_empty() {
        // Recorded before any decision on them: the store keeps its queue in order.
        fx.push(Effect::Store(StoreJob::Record(records)));
        if model.bell && inbox_was_empty {
            fx.push(Effect::Bell);
        }
    }
    if model.policy.auto_confirm {
        for key in fresh {
            consider_auto_confirm(model, key, fx);
        }
    }
}

/// The latest order another buyer made in chat in the last two minutes: who
/// "同上" most likely copies, and what chat is ordering when nothing is on
/// air.
fn chat_anchor(model: &Model, user: &str, now_ms: i64) -> Option<Anchor> {
    model
        .chat
        .iter()
        .rev()
        .filter_map(|entry| match entry {
            ChatEntry::Message(line) => Some(line),
            _ => None,
        })
        .take_while(|line| now_ms.saturating_sub(line.received_at_ms) <= ANCHOR_WITHIN_MS)
        .filter(|line| line.user != user)
        .find_map(|line| {
            line.readings
                .iter()
                .find_map(|r| match (r.kind, r.product, r.qty) {
                    (IntentKind::Order, Some(product), Some(qty)) => Some(Anchor { product, qty }),
                    _ => None,
                })
        })
}

fn intent_event(item: &InboxItem) -> Event {
    Event::Intent {
        msg_id: item.key.msg_id.clone(),
        index: item.key.index,
        source: item.source.clone(),
        user: item.user.clone(),
        kind: item.kind.as_str(),
        sku: item.sku.clone(),
        qty: item.qty,
        confidence: rounded_confidence(item.confidence),
        note: item.note.map(Note::as_str),
    }
}

/// The auto-confirm policy on a fresh intent: sure enough and naming its
/// product, it joins the queue of confirmations; otherwise it stays pending
/// for a helper, and the run says why.
fn consider_auto_confirm(model: &mut Model, key: IntentKey, fx: &mut Vec<Effect>) {
    let Some(item) = model.inbox.iter().find(|item| item.key == key) else {
        return;
    };
    match auto_refusal(item) {
        Some(event) => fx.push(Effect::Publish(event)),
        None => {
            model.auto_queue.push_back(key);
            auto_confirm_next(model, fx);
        }
    }
}

/// Why the auto-confirm policy leaves an intent to a helper (the event
/// that says so), or `None` when it confirms it.
fn auto_refusal(item: &InboxItem) -> Option<Event> {
    let key = &item.key;
    // Asked this way round so that a NaN confidence is not sure enough either.
    let sure_enough = item.confidence >= AUTO_CONFIRM_CONFIDENCE;
    if let Some(note) = item.note {
        // An uncertain reading or a suggestion is the helper's to decide,
        // however sure it reads.
        let (reason, what) = if note.is_suggestion() {
            ("suggestion", "a suggestion")
        } else {
            ("uncertain", "an uncertain reading")
        };
        Some(Event::refused_because(
            key,
            reason,
            format!("{what} ({}) is left pending for a helper", note.as_str()),
            Some(item.confidence),
        ))
    } else if item.sku.is_none() && item.kind != IntentKind::Order {
        // "算了" or "改成两袋" naming nothing may be about a song or a
        // question as well as an order: a person reads it in context.
        Some(Event::refused_because(
            key,
            "needs_helper",
            format!(
                "a {} that names no product is left pending for a helper",
                item.kind.as_str()
            ),
            None,
        ))
    } else if !sure_enough {
        Some(Event::refused_because(
            key,
            "low_confidence",
            format!(
                "confidence {} is below {}: left pending for a helper",
                rounded_confidence(item.confidence),
                rounded_confidence(AUTO_CONFIRM_CONFIDENCE)
            ),
            Some(item.confidence),
        ))
    } else if item.sku.is_some() {
        None
    } else {
        Some(Event::refused(key, &Refusal::NoProduct))
    }
}

/// Keeps the sender book's open orders as the store's answers move them;
/// `key` is the intent a confirmation answers (its buyer orders).
fn note_order(model: &mut Model, key: Option<&IntentKey>, done: &Confirmed) {
    match done.action {
        OrderAction::Created | OrderAction::Reopened => {
            let Some(item) = key.and_then(|key| model.inbox.iter().find(|i| &i.key == key)) else {
                return;
            };
            let buyer = buyer_key(&item.user, item.user_id.as_deref());
            let product = model.catalog.index_of_sku(&done.sku);
            // The order dates from the message that made it: what the buyer
            // said after that message is what "said since" means.
            let at_ms = item.received_at_ms;
            model
                .senders
                .ordered(&buyer, Some(done.order_id), product, done.qty, at_ms);
        }
        OrderAction::Cancelled => model.senders.order_ended(done.order_id),
        OrderAction::Changed => model.senders.order_changed(done.order_id, done.qty),
    }
}

/// Sends queued auto-confirmations, in arrival order, while the window has room.
fn auto_confirm_next(model: &mut Model, fx: &mut Vec<Effect>) {
    // A run that is ending sends nothing new to the store.
    if model.quitting {
        return;
    }
    while model.auto_in_flight.len() < AUTO_WINDOW {
        let Some(key) = model.auto_queue.pop_front() else {
            return;
        };
        // One a helper decided meanwhile is skipped.
        if confirm_by(model, key.clone(), AUTO_HELPER.to_string(), fx).is_ok() {
            model.auto_in_flight.insert(key);
        }
    }
}

/// The store answered about `key`: its place in the window is free.
fn answered(model: &mut Model, key: &IntentKey, fx: &mut Vec<Effect>) {
    if model.auto_in_flight.remove(key) {
        auto_confirm_next(model, fx);
    }
}

fn on_source(model: &mut Model, source: SourceId, status: SourceStatus, fx: &mut Vec<Effect>) {
    let at_ms = model.now_ms;
    let Some(state) = model.sources.get_mut(source) else {
        tracing::warn!(source, "news from a source the run does not know");
        return;
    };
    let name = state.name.clone();
    match status {
        SourceStatus::Connected => {
            let lost_since = match state.connection {
                Connection::Reconnecting { since_ms, .. } => Some(since_ms),
                _ => None,
            };
            state.connection = Connection::Connected;
            if let Some(since_ms) = lost_since {
                push_chat(
                    model,
                    ChatEntry::Reconnected {
                        source,
                        at_ms,
                        since_ms,
                    },
                );
            }
            fx.push(Effect::Publish(Event::Connected { source: name }));
        }
        SourceStatus::SkippedReplays(count) => {
            fx.push(Effect::Publish(Event::SkippedReplays {
                source: name,
                count,
            }));
            push_chat(
                model,
                ChatEntry::SkippedReplays {
                    source,
                    at_ms,
                    count,
                },
            );
        }
        SourceStatus::Disconnected(reason) => {
            fx.push(Effect::Publish(Event::disconnected(&name, &reason)));
            let mut gap = None;
            state.connection = match state.connection {
                // Never connected in this run: no chat can have been missed.
                Connection::Connecting | Connection::NotReached { .. } => {
                    Connection::NotReached { reason, at_ms }
                }
                // One gap marker per outage, not one per failed retry.
                Connection::Reconnecting { since_ms, .. } => Connection::Reconnecting {
                    reason,
                    at_ms,
                    since_ms,
                },
                // A replay that played to its end missed nothing: no gap.
                Connection::Connected if reason.kind == OutageKind::Finished => {
                    Connection::Reconnecting {
                        reason,
                        at_ms,
                        since_ms: at_ms,
                    }
                }
                Connection::Connected => {
                    gap = Some(ChatEntry::Gap {
                        source,
                        at_ms,
                        reason: reason.clone(),
                    });
                    Connection::Reconnecting {
                        reason,
                        at_ms,
                        since_ms: at_ms,
                    }
                }
            };
            if let Some(gap) = gap {
                push_chat(model, gap);
            }
        }
    }
}

fn on_store(model: &mut Model, engine: &Engine, event: StoreEvent, fx: &mut Vec<Effect>) {
    let now = model.now_ms;
    match event {
        StoreEvent::Confirmed(key, confirmed) => {
            fx.push(Effect::Publish(Event::confirmed(&key, &confirmed)));
            note_order(model, Some(&key), &confirmed);
            remember_decision(model, &key);
            let created = confirmed.action == OrderAction::Created;
            if created {
                model.confirmed_this_run += 1;
            }
            remove_item(model, &key);
            apply_order(model, confirmed);
            answered(model, &key, fx);
            book::order_decided(model, &key, created, fx);
            book::refresh_offers(model, fx);
        }
        StoreEvent::RejectedMany { keys, result } => match result {
            Ok(()) => {
                // A bulk rejection may name far more intents than the inbox
                // holds: only those loaded are looked for in it.
                for key in &keys {
                    fx.push(Effect::Publish(Event::Rejected {
                        msg_id: key.msg_id.clone(),
                        index: key.index,
                    }));
                }
                let loaded: std::collections::HashSet<&IntentKey> =
                    model.inbox.iter().map(|item| &item.key).collect();
                let (held, unloaded): (Vec<IntentKey>, Vec<IntentKey>) =
                    keys.into_iter().partition(|key| loaded.contains(key));
                model.inbox_more = model.inbox_more.saturating_sub(unloaded.len() as u64);
                for key in held {
                    remember_decision(model, &key);
                    remove_item(model, &key);
                    book::order_decided(model, &key, false, fx);
                }
                book::refresh_offers(model, fx);
            }
            Err(error) => {
                for key in &keys {
                    fail_item(model, key, Notice::StoreFailed(error.clone()), now);
                }
            }
        },
        StoreEvent::Undone { key, result } => {
            let item = model.undoing.take();
            match result {
                Ok(undone) => {
                    fx.push(Effect::Publish(Event::Undone {
                        msg_id: key.msg_id.clone(),
                        index: key.index,
                        order_id: undone.order.as_ref().map(|o| o.order_id),
                        stock_left: undone.order.as_ref().map(|o| o.stock_left),
                    }));
                    if let Some(order) = undone.order {
                        apply_order(model, order);
                    }
                    book::refresh_offers(model, fx);
                    // The row is back, pending, where it was in arrival
                    // order, and selected: the helper undid it to act again.
                    if let Some(item) = item.filter(|i| i.key == key) {
                        if !model.inbox.iter().any(|i| i.key == key) {
                            let at = model
                                .inbox
                                .partition_point(|i| i.received_at_ms <= item.received_at_ms);
                            model.inbox.insert(at, item);
                            model.selected = at;
                        }
                    }
                }
                Err(refusal) => {
                    fx.push(Effect::Publish(Event::UndoRefused {
                        msg_id: key.msg_id.clone(),
                        index: key.index,
                        reason: refusal.code(),
                        detail: refusal.to_string(),
                    }));
                    model.notice = Some((Notice::Refused(refusal), now));
                }
            }
        }
        StoreEvent::Amended {
            order_id,
            result: Ok(done),
        } => {
            fx.push(Effect::Publish(Event::order_updated(&done)));
            // An undo's own answer is not a decision to undo again.
            if model.undoing_order.take() != Some(order_id) {
                let before_qty = match done.action {
                    OrderAction::Cancelled => None,
                    _ => done.before_qty,
                };
                if done.action != OrderAction::Reopened {
                    push_bounded(
                        &mut model.decisions,
                        Decision::Order {
                            order_id,
                            before_qty,
                        },
                        UNDO_DEPTH,
                    );
                }
            }
            note_order(model, None, &done);
            apply_order(model, done);
            book::refresh_offers(model, fx);
            book::refresh_cart(model, fx);
        }
        StoreEvent::Amended {
            order_id,
            result: Err(refusal),
        } => {
            if model.undoing_order == Some(order_id) {
                model.undoing_order = None;
            }
            fx.push(Effect::Publish(Event::OrderRefused {
                order_id,
                reason: refusal.code(),
                detail: refusal.to_string(),
            }));
            model.notice = Some((Notice::Refused(refusal), now));
        }
        StoreEvent::Rejected(key) => {
            fx.push(Effect::Publish(Event::Rejected {
                msg_id: key.msg_id.clone(),
                index: key.index,
            }));
            remember_decision(model, &key);
            remove_item(model, &key);
            answered(model, &key, fx);
            book::order_decided(model, &key, false, fx);
            book::refresh_offers(model, fx);
        }
        StoreEvent::Refused(key, Refusal::Waitlisted { place, left }) => {
            // In a co-op the desk holds only its block: ask for more (the
            // line is offered the units as they arrive).
            if model.coop.is_some() {
                if let Some(item) = model.inbox.iter().find(|item| item.key == key) {
                    if let Some(sku) = item.sku.clone() {
                        let at_least = i64::from(item.qty.unwrap_or(1)) - left.max(0);
                        fx.push(Effect::Coop(crate::coop::link::LinkRequest::TopUp {
                            sku,
                            at_least: at_least.max(1),
                        }));
                    }
                }
            }
            book::waitlisted(model, &key, place, left, fx);
            answered(model, &key, fx);
        }
        StoreEvent::Refused(key, refusal) => {
            if !(refusal == Refusal::NoOpenOrder && book::wait_for_order(model, &key, fx)) {
                fx.push(Effect::Publish(Event::refused(&key, &refusal)));
                fail_item(model, &key, Notice::Refused(refusal), now);
            }
            answered(model, &key, fx);
        }
        StoreEvent::Failed(key, error) => {
            fx.push(Effect::Publish(Event::Failed {
                msg_id: key.msg_id.clone(),
                index: key.index,
                reason: Refusal::Storage(error.clone()).code(),
                detail: error.to_string(),
            }));
            fail_item(model, &key, Notice::StoreFailed(error), now);
            answered(model, &key, fx);
        }
        StoreEvent::Inventory(rows) => {
            apply_inventory(model, rows);
            book::refresh_offers(model, fx);
        }
        StoreEvent::Pending(pending) => {
            restore_pending(model, engine, pending);
            book::refresh_offers(model, fx);
        }
        StoreEvent::PendingPage(page) => {
            model.page_in_flight = false;
            load_page(model, engine, page, fx);
            book::refresh_offers(model, fx);
        }
        StoreEvent::StockChanged(result) => book::stock_changed(model, result, fx),
        StoreEvent::Cart { buyer, result } => book::cart_loaded(model, buyer, result),
        StoreEvent::Learned(result) => fix::learned(model, result),
        StoreEvent::Resumed(resume) => {
            let catalog = &model.catalog;
            let open = resume.open_orders.iter().map(|o| {
                (
                    o.order_id,
                    o.buyer.clone(),
                    catalog.index_of_sku(&o.sku),
                    o.qty,
                    o.confirmed_at_ms,
                )
            });
            let open: Vec<_> = open.collect();
            model.senders.seed(open);
            if let Some(skus) = &resume.queue {
                queue::follow_queue(model, skus, fx);
            }
            match resume.on_air.as_deref() {
                Some(sku) => follow_on_air(model, Some(sku), fx),
                // The first run on this database: what it shows on air is
                // kept, so the board and the other helpers see the same.
                None => {
                    if let Some(p) = model.on_air_product() {
                        fx.push(Effect::Store(StoreJob::SetOnAir {
                            sku: p.sku.clone(),
                            helper: model.helper.clone(),
                        }));
                    }
                }
            }
            for row in resume.recent {
                if model
                    .recent_orders
                    .iter()
                    .any(|o| o.order_id == row.order_id)
                {
                    continue;
                }
                let name = model
                    .products
                    .iter()
                    .find(|p| p.sku == row.sku)
                    .map_or(row.sku.clone(), |p| p.name.clone());
                push_bounded(
                    &mut model.recent_orders,
                    RecentOrder {
                        order_id: row.order_id,
                        action: if row.cancelled {
                            OrderAction::Cancelled
                        } else {
                            OrderAction::Created
                        },
                        user: row.user,
                        name,
                        qty: row.qty,
                        total_fen: row.unit_price_fen.saturating_mul(i64::from(row.qty)),
                    },
                    RECENT_ORDERS_CAPACITY,
                );
            }
            model
                .recent_orders
                .make_contiguous()
                .sort_by_key(|o| o.order_id);
        }
        StoreEvent::Sale(result) => book::sale_news(model, result, fx),
        StoreEvent::Synced(result) => book::synced(model, engine, result, fx),
        StoreEvent::AlreadyDecided(keys) => {
            for key in keys {
                // Only rows nobody is acting on: a confirm in flight, or one
                // the auto-confirm policy has queued, hears the store's own
                // answer (a duplicate, a rejection) instead.
                let idle = model
                    .inbox
                    .iter()
                    .any(|item| item.key == key && item.state == IntentState::Pending)
                    && !model.auto_queue.contains(&key);
                if idle {
                    remove_item(model, &key);
                }
            }
        }
        StoreEvent::LoadFailed(error) => {
            // Asked again at the next tick if it was a page.
            model.page_in_flight = false;
            model.notice = Some((Notice::StoreFailed(error), now));
        }
        StoreEvent::Seeded(report) => {
            if !report.stock_differs.is_empty() {
                model.notice = Some((Notice::StockKept(report.stock_differs), now));
            }
        }
        // The driver waits for this one itself when the run ends.
        StoreEvent::Flushed(_) => {}
        StoreEvent::OrdersSummary(result) => views::summary_loaded(model, result),
    }
}

/// What a committed order did to its product's stock and sales, and the
/// recent-orders line.
fn apply_order(model: &mut Model, done: Confirmed) {
    let product = model.products.iter_mut().find(|p| p.sku == done.sku);
    let name = match product {
        Some(row) => {
            row.stock = done.stock_left;
            row.sold = done.sold;
            row.revenue_fen = done.revenue_fen;
            row.name.clone()
        }
        None => done.sku.clone(),
    };
    // One entry an order, as it stands now: a change replaces it.
    model.recent_orders.retain(|o| o.order_id != done.order_id);
    push_bounded(
        &mut model.recent_orders,
        RecentOrder {
            order_id: done.order_id,
            action: done.action,
            user: done.user,
            name,
            qty: done.qty,
            total_fen: done.unit_price_fen.saturating_mul(i64::from(done.qty)),
        },
        RECENT_ORDERS_CAPACITY,
    );
}

fn remove_item(model: &mut Model, key: &IntentKey) {
    if let Some(pos) = model.inbox.iter().position(|item| &item.key == key) {
        // A filtered or grouped inbox moves on to the next row on screen,
        // which need not be the next one in arrival order.
        if let Some(next) = inbox::successor_of_leaving(model, pos) {
            model.selected = next;
        }
        model.inbox.remove(pos);
        // Keep the cursor on the same row when one above it leaves.
        if pos < model.selected {
            model.selected -= 1;
        }
        model.selected = model.selected.min(model.inbox.len().saturating_sub(1));
    }
}

fn fail_item(model: &mut Model, key: &IntentKey, notice: Notice, now: i64) {
    if let Some(item) = model.inbox.iter_mut().find(|item| &item.key == key) {
        item.state = IntentState::Failed(notice.clone());
    }
    model.notice = Some((notice, now));
}

fn apply_inventory(model: &mut Model, rows: Vec<StockRow>) {
    // The queue follows the catalog; the store only tells how much is left
    // and sold, what sale runs, and which products retired.
    model.retired.clear();
    for row in rows {
        if let Some(product) = model.products.iter_mut().find(|p| p.sku == row.sku) {
            product.stock = row.stock;
            product.sold = row.sold;
            product.revenue_fen = row.revenue_fen;
            product.sale = row.sale;
        } else if row.retired {
            model.retired.push(row);
        }
    }
}

fn restore_pending(model: &mut Model, engine: &Engine, pending: Vec<PendingIntent>) {
    for PendingIntent { intent, waitlisted } in pending {
        if model.inbox.iter().any(|item| item.key == intent.key) {
            continue;
        }
        let item = stored_item(model, engine, intent, waitlisted, false);
        model.inbox.push(item);
    }
    sort_inbox(model);
}

/// A fresh intent joins the inbox in memory while it holds less than its
/// page and nothing older waits in the database; otherwise it waits there.
fn inbox_has_room(model: &Model) -> bool {
    model.inbox.len() < INBOX_WINDOW && model.inbox_more == 0
}

/// Fills the inbox from the database's oldest undecided intents: those not
/// in memory yet join it until it holds its page. Those an earlier run
/// received are told now (and put to the auto-confirm policy): their
/// message will not come again to tell them, since the chat record keeps
/// a relay's replayed history from being read twice. This run's own were
/// told when they arrived.
fn load_page(model: &mut Model, engine: &Engine, page: PendingPage, fx: &mut Vec<Effect>) {
    let loaded: std::collections::HashSet<IntentKey> =
        model.inbox.iter().map(|item| item.key.clone()).collect();
    let mut told = Vec::new();
    for PendingIntent { intent, waitlisted } in page.rows {
        if model.inbox.len() >= INBOX_WINDOW {
            break;
        }
        if loaded.contains(&intent.key) {
            continue;
        }
        let earlier = model
            .first_tick_ms
            .is_some_and(|started| intent.received_at_ms < started);
        let mut item = stored_item(model, engine, intent, waitlisted, false);
        if earlier && !waitlisted {
            item.announced = true;
            fx.push(Effect::Publish(intent_event(&item)));
            told.push(item.key.clone());
        }
        model.inbox.push(item);
    }
    sort_inbox(model);
    model.inbox_more = page.undecided.saturating_sub(model.inbox.len() as u64);
    if model.policy.auto_confirm {
        for key in told {
            consider_auto_confirm(model, key, fx);
        }
    }
}

/// Asks for the next page when the helpers have decided a quarter of the
/// inbox and more waits in the database. Ticks drive it, so a burst of
/// decisions asks once.
fn refill_inbox(model: &mut Model, fx: &mut Vec<Effect>) {
    if model.inbox_more > 0
        && !model.page_in_flight
        && !model.quitting
        && model.inbox.len() < INBOX_WINDOW * 3 / 4
    {
        model.page_in_flight = true;
        fx.push(Effect::Store(StoreJob::PendingPage {
            limit: INBOX_WINDOW,
        }));
    }
}

/// Oldest first (a stable sort keeps a message's intents in their order),
/// with the helper's row still selected.
pub(super) fn sort_inbox(model: &mut Model) {
    let selected = model.inbox.get(model.selected).map(|item| item.key.clone());
    model.inbox.sort_by_key(|item| item.received_at_ms);
    if let Some(key) = selected {
        if let Some(at) = model.inbox.iter().position(|item| item.key == key) {
            model.selected = at;
        }
    }
}

/// An inbox row for an intent the database holds (restored at the start,
/// or recorded by another helper's run). Its "why" is read again from its
/// text, with its own product as the one on air (a bare "+1" meant the
/// product on air then); a waitlisted one's place is counted by
/// `refresh_offers`.
fn stored_item(
    model: &Model,
    engine: &Engine,
    intent: NewIntent,
    waitlisted: bool,
    announced: bool,
) -> InboxItem {
    let product = intent
        .sku
        .as_deref()
        .and_then(|sku| model.catalog.index_of_sku(sku));
    let mut read = Vec::new();
    engine.parse_guarded(&intent.text, product, &mut read);
    let evidence = read
        .get(intent.key.index as usize)
        .filter(|again| again.kind == intent.kind && again.product == product)
        .map(|again| again.evidence.to_vec())
        .unwrap_or_default();
    InboxItem {
        key: intent.key,
        source: intent.source,
        user: intent.user,
        user_id: intent.user_id,
        text: intent.text,
        kind: intent.kind,
        product,
        sku: intent.sku,
        qty: intent.qty,
        confidence: intent.confidence,
        evidence,
        received_at_ms: intent.received_at_ms,
        note: intent.note,
        state: if waitlisted {
            IntentState::Waitlisted { place: 0 }
        } else {
            IntentState::Pending
        },
        announced,
    }
}

fn on_tick(model: &mut Model, now_ms: i64) {
    model.now_ms = now_ms;
    model
        .rate_buckets
        .push_back((now_ms, std::mem::take(&mut model.arrivals_since_tick)));
    while let Some(&(at, _)) = model.rate_buckets.front() {
        if now_ms - at >= RATE_WINDOW_MS {
            model.rate_buckets.pop_front();
        } else {
            break;
        }
    }
    let count: u32 = model.rate_buckets.iter().map(|(_, n)| n).sum();
    // In the first seconds of a run the window is not full yet: average over
    // the time seen so far (at least a second), not the whole window.
    let first_tick = *model.first_tick_ms.get_or_insert(now_ms);
    let span_ms = (now_ms - first_tick).clamp(1_000, RATE_WINDOW_MS);
    model.msg_rate = count as f32 / (span_ms as f32 / 1000.0);
    if let Some((_, raised_at)) = model.notice {
        if now_ms - raised_at >= NOTICE_TTL_MS {
            model.notice = None;
        }
    }
}

/// Appends to the chat ring; a helper reading back keeps their place.
fn push_chat(model: &mut Model, entry: ChatEntry) {
    push_bounded(&mut model.chat, entry, CHAT_CAPACITY);
    if model.chat_scroll > 0 {
        model.chat_scroll = (model.chat_scroll + 1).min(model.chat.len().saturating_sub(1));
    }
}

fn push_bounded<T>(ring: &mut std::collections::VecDeque<T>, value: T, capacity: usize) {
    if ring.len() >= capacity {
        ring.pop_front();
    }
    ring.push_back(value);
}
