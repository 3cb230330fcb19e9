//! The order store: one thread owns the SQLite connection; everyone else talks
//! to it over a channel and gets answers on one-shot replies. Nothing outside
//! src/store knows it is SQLite.
//!
//! Contract (issue 2):
//! - WAL mode, `synchronous=FULL`.
//! - Products are seeded from config on first open; after that the database
//!   owns stock. Config stock that differs from the database is *reported*
//!   (`SeedReport::stock_differs`), never applied. Name, price, link, unit and
//!   limit follow config on every open.
//! - Detected intents are batched: `record_intents` returns at once and the
//!   thread writes everything queued in one transaction.
//! - `confirm` commits at once and replies only after the commit.
//! - Confirming an order decrements stock in the same transaction and is
//!   refused when stock is short; stock is never negative.
//! - A message id yields at most one order per product, ever (unique
//!   constraint), so replayed chat never doubles an order.

use crate::catalog::{Catalog, Fen};
use crate::intent::IntentKind;
use std::path::Path;
use tokio::sync::oneshot;

/// Identifies one intent: the chat message it came from and its position
/// among that message's intents.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IntentKey {
    pub msg_id: String,
    pub index: u32,
}

/// An intent the engine found, to be persisted as pending.
#[derive(Debug, Clone, PartialEq)]
pub struct NewIntent {
    pub key: IntentKey,
    pub user: String,
    pub user_id: Option<String>,
    pub text: String,
    pub kind: IntentKind,
    pub sku: Option<String>,
    pub qty: Option<u32>,
    pub confidence: f32,
    /// Unix milliseconds when livestall received the message.
    pub received_at_ms: i64,
}

/// A pending intent as kept in the database (restored into the inbox on start).
#[derive(Debug, Clone, PartialEq)]
pub struct PendingIntent {
    pub intent: NewIntent,
}

/// A helper's decision to act on an intent, possibly with a fixed product or qty.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfirmRequest {
    pub key: IntentKey,
    pub kind: IntentKind,
    pub user: String,
    pub user_id: Option<String>,
    pub sku: Option<String>,
    pub qty: Option<u32>,
    /// Who confirmed ("helper" by default, `--helper NAME`, or "auto").
    pub helper: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderAction {
    Created,
    Cancelled,
    Changed,
}

/// What a committed confirmation did.
#[derive(Debug, Clone, PartialEq)]
pub struct Confirmed {
    pub action: OrderAction,
    pub order_id: i64,
    pub sku: String,
    /// The order's quantity after the action (for a cancel: the quantity returned to stock).
    pub qty: u32,
    pub user: String,
    /// Stock left of that product after the commit.
    pub stock_left: i64,
    pub sold: i64,
}

/// Why a confirmation was not carried out. Nothing was written.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Refusal {
    #[error("out of stock: {left} left")]
    OutOfStock { left: i64 },
    #[error("over the per-buyer limit of {limit} (already has {already})")]
    OverLimit { limit: u32, already: u32 },
    #[error("message already ordered (order {order_id})")]
    Duplicate { order_id: i64 },
    #[error("no open order of this buyer to cancel or change")]
    NoOpenOrder,
    #[error("unknown product {0}")]
    UnknownProduct(String),
    #[error("no product given")]
    NoProduct,
    #[error("storage error: {0}")]
    Storage(#[from] StoreError),
}

impl Refusal {
    /// A short machine-friendly reason for headless output.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::OutOfStock { .. } => "out_of_stock",
            Refusal::OverLimit { .. } => "over_limit",
            Refusal::Duplicate { .. } => "duplicate",
            Refusal::NoOpenOrder => "no_open_order",
            Refusal::UnknownProduct(_) => "unknown_product",
            Refusal::NoProduct => "no_product",
            Refusal::Storage(_) => "storage_error",
        }
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StoreError {
    #[error("the database is locked by another program: {0}")]
    Locked(String),
    #[error("the disk is full: {0}")]
    DiskFull(String),
    #[error("cannot open the database {path}: {reason}")]
    Open { path: String, reason: String },
    #[error("database error: {0}")]
    Sqlite(String),
    #[error("the store thread has stopped")]
    Closed,
}

/// What opening the store did with the config's products.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SeedReport {
    /// SKUs inserted with their config stock (first run, or new products).
    pub seeded: Vec<String>,
    /// (sku, stock in config, stock in database) where they differ; the database wins.
    pub stock_differs: Vec<(String, i64, i64)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StockRow {
    pub sku: String,
    pub name: String,
    pub link: u32,
    pub price_fen: Fen,
    pub stock: i64,
    pub sold: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OrderRow {
    pub order_id: i64,
    pub msg_id: String,
    pub user: String,
    pub sku: String,
    pub name: String,
    pub qty: u32,
    pub unit_price_fen: Fen,
    pub total_fen: Fen,
    /// "confirmed" or "cancelled".
    pub status: String,
    /// RFC 3339 local time.
    pub confirmed_at: String,
    pub helper: String,
}

pub type Reply<T> = oneshot::Receiver<Result<T, StoreError>>;

/// Handle to the store thread. Cheap to clone; the thread ends when every
/// handle is dropped, after finishing what was queued.
#[derive(Clone)]
pub struct Store {
    _private: (),
}

impl Store {
    pub fn open(_path: &Path, _catalog: &Catalog) -> Result<(Store, SeedReport), StoreError> {
        todo!("store thread")
    }

    /// Queues intents to be written in the next batch; returns at once.
    pub fn record_intents(&self, _intents: Vec<NewIntent>) {
        todo!()
    }

    /// Commits the helper's decision now; the reply comes after the commit.
    pub fn confirm(&self, _req: ConfirmRequest) -> oneshot::Receiver<Result<Confirmed, Refusal>> {
        todo!()
    }

    pub fn reject(&self, _key: IntentKey, _helper: String) -> Reply<()> {
        todo!()
    }

    pub fn pending(&self) -> Reply<Vec<PendingIntent>> {
        todo!()
    }

    pub fn inventory(&self) -> Reply<Vec<StockRow>> {
        todo!()
    }

    pub fn orders(&self) -> Reply<Vec<OrderRow>> {
        todo!()
    }

    /// Waits until everything queued so far is committed.
    pub fn flush(&self) -> Reply<()> {
        todo!()
    }
}
