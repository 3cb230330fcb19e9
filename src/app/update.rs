//! `update`: the only place the model changes. Pure and synchronous: it reads
//! no clock (time comes in `Msg::Tick` and with each chat message), touches no
//! network or disk, and returns the effects the loop must carry out.

use crate::app::keymap::Action;
use crate::app::model::*;
use crate::app::msg::{Effect, Msg, SourceStatus, StoreReply};
use crate::chat::ChatMessage;
use crate::intent::{Intent, IntentKind};
use crate::store::{ConfirmRequest, IntentKey, NewIntent, PendingIntent, StockRow};
use crate::ui::sanitize::{highlight_segments, sanitize};
use crossterm::event::{KeyEvent, KeyEventKind};

pub fn update(model: &mut Model, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Key(key) => on_key(model, key),
        Msg::Chat(message, intents, received_at_ms) => {
            on_chat(model, message, intents, received_at_ms)
        }
        Msg::Source(status) => {
            on_source(model, status);
            Vec::new()
        }
        Msg::Store(reply) => {
            on_store(model, reply);
            Vec::new()
        }
        Msg::Tick(now_ms) => {
            on_tick(model, now_ms);
            Vec::new()
        }
        Msg::Resize => Vec::new(),
    }
}

fn on_key(model: &mut Model, key: KeyEvent) -> Vec<Effect> {
    // Windows terminals also report releases; act once per press.
    if key.kind == KeyEventKind::Release {
        return Vec::new();
    }
    let Some(action) = model.keymap.action(&key) else {
        return Vec::new();
    };
    // An overlay covers the inbox: a key meant for it must not confirm or
    // reject a row the helper cannot see.
    if (model.show_help || model.show_products) && !works_over_overlay(action) {
        return Vec::new();
    }
    match action {
        Action::Quit => {
            model.quitting = true;
            return vec![Effect::Quit];
        }
        Action::ToggleHelp => model.show_help = !model.show_help,
        Action::ToggleProducts => model.show_products = !model.show_products,
        Action::CloseOverlay => {
            model.show_help = false;
            model.show_products = false;
        }
        Action::SelectUp => model.selected = model.selected.saturating_sub(1),
        Action::SelectDown => {
            if model.selected + 1 < model.inbox.len() {
                model.selected += 1;
            }
        }
        Action::ChatOlder => {
            model.chat_scroll =
                (model.chat_scroll + CHAT_SCROLL_STEP).min(model.chat.len().saturating_sub(1));
        }
        Action::ChatNewer => {
            model.chat_scroll = model.chat_scroll.saturating_sub(CHAT_SCROLL_STEP);
        }
        Action::ChatLatest => model.chat_scroll = 0,
        Action::NextProduct => step_on_air(model, 1),
        Action::PrevProduct => step_on_air(model, -1),
        Action::Confirm => return confirm_selected(model),
        Action::Reject => return reject_selected(model),
    }
    Vec::new()
}

/// Keys that still act while the help or the products overlay is open:
/// closing it, quitting, and moving the product on air (the products
/// overlay shows the queue, so the helper sees what goes on air).
fn works_over_overlay(action: Action) -> bool {
    matches!(
        action,
        Action::Quit
            | Action::ToggleHelp
            | Action::ToggleProducts
            | Action::CloseOverlay
            | Action::NextProduct
            | Action::PrevProduct
    )
}

/// Moves the product on air along the queue; stops at either end rather than
/// wrapping, so a held key never jumps from the last product to the first.
fn step_on_air(model: &mut Model, step: isize) {
    let Some(current) = model.on_air else {
        return;
    };
    let next = current.saturating_add_signed(step);
    if next < model.products.len() {
        model.on_air = Some(next);
    }
}

/// Whether the helper may act on an intent now: not while the store is busy with it.
fn actionable(state: &IntentState) -> bool {
    matches!(state, IntentState::Pending | IntentState::Failed(_))
}

fn confirm_selected(model: &mut Model) -> Vec<Effect> {
    let now = model.now_ms;
    let helper = model.helper.clone();
    let Some(item) = model.inbox.get_mut(model.selected) else {
        return Vec::new();
    };
    if !actionable(&item.state) {
        return Vec::new();
    }
    if item.kind == IntentKind::Order && item.sku.is_none() {
        model.notice = Some((Notice::NoProduct, now));
        return Vec::new();
    }
    item.state = IntentState::Confirming;
    vec![Effect::Confirm(ConfirmRequest {
        key: item.key.clone(),
        kind: item.kind,
        user: item.user.clone(),
        user_id: item.user_id.clone(),
        sku: item.sku.clone(),
        qty: item.qty,
        helper,
    })]
}

fn reject_selected(model: &mut Model) -> Vec<Effect> {
    let Some(item) = model.inbox.get_mut(model.selected) else {
        return Vec::new();
    };
    if !actionable(&item.state) {
        return Vec::new();
    }
    item.state = IntentState::Rejecting;
    vec![Effect::Reject {
        key: item.key.clone(),
        helper: model.helper.clone(),
    }]
}

fn on_chat(
    model: &mut Model,
    message: ChatMessage,
    intents: Vec<Intent>,
    received_at_ms: i64,
) -> Vec<Effect> {
    model.arrivals_since_tick = model.arrivals_since_tick.saturating_add(1);
    let user = sanitize(&message.user);
    let text = sanitize(&message.text);
    let evidence: Vec<_> = intents
        .iter()
        .flat_map(|i| i.evidence.iter().cloned())
        .collect();
    push_chat(
        model,
        ChatEntry::Message(ChatLine {
            received_at_ms,
            user: user.clone(),
            segments: highlight_segments(&message.text, &evidence),
            readings: intents
                .iter()
                .map(|i| Reading {
                    kind: i.kind,
                    product: i.product,
                    qty: i.qty,
                })
                .collect(),
        }),
    );
    if intents.is_empty() {
        return Vec::new();
    }

    let mut records = Vec::with_capacity(intents.len());
    for (index, intent) in intents.into_iter().enumerate() {
        let key = IntentKey {
            msg_id: message.id.clone(),
            index: u32::try_from(index).unwrap_or(u32::MAX),
        };
        // A replayed message (after a reconnect) must not add a second row.
        if model.inbox.iter().any(|item| item.key == key) {
            continue;
        }
        let sku = model
            .catalog
            .get(intent.product.unwrap_or(usize::MAX))
            .map(|p| p.sku.clone());
        let words = intent
            .evidence
            .iter()
            .filter_map(|range| message.text.get(range.clone()))
            .map(sanitize)
            .filter(|w| !w.is_empty())
            .collect();
        records.push(NewIntent {
            key: key.clone(),
            user: message.user.clone(),
            user_id: message.user_id.clone(),
            text: message.text.clone(),
            kind: intent.kind,
            sku: sku.clone(),
            qty: intent.qty,
            confidence: intent.confidence,
            received_at_ms,
        });
        model.inbox.push(InboxItem {
            key,
            user: user.clone(),
            user_id: message.user_id.clone(),
            text: text.clone(),
            kind: intent.kind,
            product: sku.as_ref().and(intent.product),
            sku,
            qty: intent.qty,
            confidence: intent.confidence,
            evidence: words,
            received_at_ms,
            state: IntentState::Pending,
        });
    }
    if records.is_empty() {
        Vec::new()
    } else {
        vec![Effect::RecordIntents(records)]
    }
}

fn on_source(model: &mut Model, status: SourceStatus) {
    let at_ms = model.now_ms;
    match status {
        SourceStatus::Connected => {
            if matches!(model.connection, Connection::Reconnecting { .. }) {
                push_chat(model, ChatEntry::Reconnected { at_ms });
            }
            model.connection = Connection::Connected;
        }
        SourceStatus::Disconnected { reason } => {
            let reason = sanitize(&reason);
            // One gap marker per outage, not one per failed retry.
            if !matches!(model.connection, Connection::Reconnecting { .. }) {
                push_chat(
                    model,
                    ChatEntry::Gap {
                        at_ms,
                        reason: reason.clone(),
                    },
                );
            }
            model.connection = Connection::Reconnecting { reason };
        }
    }
}

fn on_store(model: &mut Model, reply: StoreReply) {
    let now = model.now_ms;
    match reply {
        StoreReply::Confirmed(key, confirmed) => {
            remove_item(model, &key);
            let product = model.products.iter_mut().find(|p| p.sku == confirmed.sku);
            let (name, price_fen) = match product {
                Some(row) => {
                    row.stock = confirmed.stock_left;
                    row.sold = confirmed.sold;
                    (row.name.clone(), row.price_fen)
                }
                None => (confirmed.sku.clone(), 0),
            };
            push_bounded(
                &mut model.recent_orders,
                RecentOrder {
                    order_id: confirmed.order_id,
                    action: confirmed.action,
                    user: sanitize(&confirmed.user),
                    name,
                    qty: confirmed.qty,
                    total_fen: price_fen.saturating_mul(i64::from(confirmed.qty)),
                },
                RECENT_ORDERS_CAPACITY,
            );
        }
        StoreReply::Rejected(key) => remove_item(model, &key),
        StoreReply::Refused(key, refusal) => fail_item(model, &key, Notice::Refused(refusal), now),
        StoreReply::Failed(key, error) => fail_item(model, &key, Notice::StoreFailed(error), now),
        StoreReply::Inventory(rows) => apply_inventory(model, rows),
        StoreReply::Pending(pending) => restore_pending(model, pending),
        StoreReply::AlreadyDecided(keys) => {
            for key in keys {
                // Only rows nobody is acting on: a confirm in flight answers itself.
                let idle = model
                    .inbox
                    .iter()
                    .any(|item| item.key == key && item.state == IntentState::Pending);
                if idle {
                    remove_item(model, &key);
                }
            }
        }
        StoreReply::LoadFailed(error) => model.notice = Some((Notice::StoreFailed(error), now)),
        StoreReply::Seeded(report) => {
            if !report.stock_differs.is_empty() {
                model.notice = Some((Notice::StockKept(report.stock_differs), now));
            }
        }
    }
}

fn remove_item(model: &mut Model, key: &IntentKey) {
    if let Some(pos) = model.inbox.iter().position(|item| &item.key == key) {
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
    // The queue follows the catalog; the store only tells how much is left and sold.
    for row in rows {
        if let Some(product) = model.products.iter_mut().find(|p| p.sku == row.sku) {
            product.stock = row.stock;
            product.sold = row.sold;
        }
    }
}

fn restore_pending(model: &mut Model, pending: Vec<PendingIntent>) {
    for PendingIntent { intent } in pending {
        if model.inbox.iter().any(|item| item.key == intent.key) {
            continue;
        }
        let product = intent
            .sku
            .as_deref()
            .and_then(|sku| model.catalog.index_of_sku(sku));
        model.inbox.push(InboxItem {
            key: intent.key,
            user: sanitize(&intent.user),
            user_id: intent.user_id,
            text: sanitize(&intent.text),
            kind: intent.kind,
            product,
            sku: intent.sku,
            qty: intent.qty,
            confidence: intent.confidence,
            evidence: Vec::new(),
            received_at_ms: intent.received_at_ms,
            state: IntentState::Pending,
        });
    }
    // Oldest first; a stable sort keeps a message's intents in their order.
    model.inbox.sort_by_key(|item| item.received_at_ms);
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
    model.msg_rate = count as f32 / (RATE_WINDOW_MS as f32 / 1000.0);
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
