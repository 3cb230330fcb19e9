//! `Event`: what happened in a run, as the core tells it to front ends that
//! do not draw the model (headless mode's event lines, later a board or a
//! web page). Serialized one JSON object a line, `"event"` naming the kind.

use crate::intent::rounded_confidence;
use crate::store::{Confirmed, IntentKey, OrderAction, Refusal};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// How the station stands with the co-op: `state` is `connecting`,
    /// `synced`, `waiting` (online, `waiting` audit rows to push) or
    /// `offline` (since `since_ms`, `reason` one of `CoopError::kind`).
    Coop {
        state: &'static str,
        waiting: i64,
        #[serde(skip_serializing_if = "Option::is_none")]
        since_ms: Option<i64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        reason: Option<&'static str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        detail: Option<String>,
    },
    /// `source` is the source's name (the config's `name`, else its kind).
    Connected {
        source: String,
    },
    /// The source dropped `count` messages it had delivered before (a
    /// relay's history, sent again after a reconnect).
    SkippedReplays {
        source: String,
        count: u32,
    },
    /// The chat record could not be written (`path`, the system's words in
    /// `reason`) and stopped; the run goes on without it.
    RecordStopped {
        path: String,
        reason: String,
    },
    /// The source is not connected. `reason` is the connection library's
    /// words (English, as it always was); `kind` says it as a name scripts
    /// can match (`refused`, `not_found`, `timeout`, … see `OutageKind::name`).
    Disconnected {
        source: String,
        reason: String,
        kind: &'static str,
        #[serde(skip_serializing_if = "String::is_empty")]
        url: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        retry_in_ms: Option<u64>,
        /// Failed attempts in a row, this one included (absent when the
        /// source does not retry).
        #[serde(skip_serializing_if = "is_zero")]
        attempt: u32,
    },
    /// The product chat's bare orders now refer to.
    OnAir {
        sku: String,
        link: u32,
        name: String,
    },
    /// The order of selling changed (this run or another helper moved a
    /// product): every product's SKU, first to sell first.
    QueueChanged {
        skus: Vec<String>,
    },
    Intent {
        msg_id: String,
        index: u32,
        /// The name of the source it came from.
        source: String,
        user: String,
        kind: &'static str,
        sku: Option<String>,
        qty: Option<u32>,
        confidence: f32,
        /// Why it waits for a helper (`intent::suggest::Note`): an
        /// uncertain reading or a suggestion; absent for a plain reading.
        #[serde(skip_serializing_if = "Option::is_none")]
        note: Option<&'static str>,
    },
    Confirmed {
        msg_id: String,
        index: u32,
        order_id: i64,
        sku: String,
        qty: u32,
        user: String,
        action: &'static str,
        stock_left: i64,
    },
    /// An intent not carried out: the store refused it, or the auto-confirm
    /// policy left it for a helper. It stays pending unless the reason says
    /// it was decided before.
    Refused {
        msg_id: String,
        index: u32,
        reason: &'static str,
        detail: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        confidence: Option<f32>,
    },
    Rejected {
        msg_id: String,
        index: u32,
    },
    /// A reject the database could not commit; the intent stays pending.
    Failed {
        msg_id: String,
        index: u32,
        reason: &'static str,
        detail: String,
    },
    /// A decision taken back: the intent is pending again, and the order it
    /// had created (if any) is gone, its units back in stock.
    Undone {
        msg_id: String,
        index: u32,
        order_id: Option<i64>,
        stock_left: Option<i64>,
    },
    /// An undo the store did not make.
    UndoRefused {
        msg_id: String,
        index: u32,
        reason: &'static str,
        detail: String,
    },
    /// Stock could not cover the order (or those waiting before it): it
    /// waits, `place` in its product's line, first come first served.
    Waitlisted {
        msg_id: String,
        index: u32,
        sku: String,
        place: u32,
        left: i64,
    },
    /// Stock freed up (a cancel, an undo, a restock) and now covers this
    /// waitlisted order: a helper may confirm it (with `--auto-confirm`,
    /// the run does).
    Offered {
        msg_id: String,
        index: u32,
        sku: String,
        qty: u32,
    },
    /// A cancel or change that came before the order it is about was
    /// confirmed: it is carried out when that order is.
    Waiting {
        msg_id: String,
        index: u32,
        order_msg_id: String,
        order_index: u32,
    },
    /// Another helper on the same database decided this intent.
    DecidedElsewhere {
        msg_id: String,
        index: u32,
        status: &'static str,
    },
    /// A helper set or added to a product's stock.
    StockChanged {
        sku: String,
        before: i64,
        after: i64,
    },
    /// A flash sale began: `qty` units at `price` until `ends_at` (Unix ms).
    SaleStarted {
        sku: String,
        qty: u32,
        price: String,
        ends_at: i64,
    },
    SaleEnded {
        sku: String,
        sold: u32,
        qty: u32,
    },
    /// A command about stock or a sale the store did not carry out.
    CommandRefused {
        command: &'static str,
        sku: String,
        detail: String,
    },
    /// A confirmed order a helper cancelled or changed by its number.
    OrderUpdated {
        order_id: i64,
        action: &'static str,
        sku: String,
        qty: u32,
        user: String,
        stock_left: i64,
    },
    /// A cancel or change of an order by its number that was not made.
    OrderRefused {
        order_id: i64,
        reason: &'static str,
        detail: String,
    },
    /// A command that could not be carried out; the run goes on.
    Error {
        line: u64,
        error: String,
    },
}

impl Event {
    /// The event line of a co-op status.
    pub fn coop(status: &crate::coop::link::CoopStatus) -> Event {
        use crate::coop::link::CoopStatus;
        let (state, waiting, since_ms, why) = match status {
            CoopStatus::Connecting => ("connecting", 0, None, None),
            CoopStatus::Synced => ("synced", 0, None, None),
            CoopStatus::Waiting(n) => ("waiting", *n, None, None),
            CoopStatus::Offline {
                since_ms,
                why,
                waiting,
            } => ("offline", *waiting, Some(*since_ms), Some(why)),
        };
        Event::Coop {
            state,
            waiting,
            since_ms,
            reason: why.map(|w| w.kind()),
            detail: why.map(|w| w.to_string()),
        }
    }

    pub fn disconnected(source: &str, outage: &crate::chat::Outage) -> Event {
        Event::Disconnected {
            source: source.to_string(),
            reason: outage.detail.clone(),
            kind: outage.kind.name(),
            url: outage.url.clone(),
            retry_in_ms: outage.retry_in.map(|d| d.as_millis() as u64),
            attempt: outage.attempt,
        }
    }

    pub fn confirmed(key: &IntentKey, done: &Confirmed) -> Event {
        Event::Confirmed {
            msg_id: key.msg_id.clone(),
            index: key.index,
            order_id: done.order_id,
            sku: done.sku.clone(),
            qty: done.qty,
            user: done.user.clone(),
            action: action_name(done.action),
            stock_left: done.stock_left,
        }
    }

    pub fn order_updated(done: &Confirmed) -> Event {
        Event::OrderUpdated {
            order_id: done.order_id,
            action: action_name(done.action),
            sku: done.sku.clone(),
            qty: done.qty,
            user: done.user.clone(),
            stock_left: done.stock_left,
        }
    }

    pub fn refused(key: &IntentKey, refusal: &Refusal) -> Event {
        Event::refused_because(key, refusal.code(), refusal.to_string(), None)
    }

    pub fn refused_because(
        key: &IntentKey,
        reason: &'static str,
        detail: String,
        confidence: Option<f32>,
    ) -> Event {
        Event::Refused {
            msg_id: key.msg_id.clone(),
            index: key.index,
            reason,
            detail,
            confidence: confidence.map(rounded_confidence),
        }
    }
}

fn action_name(action: OrderAction) -> &'static str {
    action.as_str()
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}
