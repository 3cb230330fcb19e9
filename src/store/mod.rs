//! The order store: one thread owns the SQLite connection; everyone else talks
//! to it over a channel and gets answers on one-shot replies. Nothing outside
//! src/store knows it is SQLite.
//!
//! Contract (issue 2):
//! - WAL mode, `synchronous=FULL`.
//! - Products are seeded from config on first open; after that the database
//!   owns stock. An edit of a product's stock in config is *reported* once
//!   (`SeedReport::stock_differs`), never applied; sales are not edits.
//!   Name, price, link, unit and limit follow config on every open.
//! - Detected intents are batched: `record_intents` returns at once and the
//!   thread writes everything queued in one transaction.
//! - `confirm` commits at once and replies only after the commit.
//! - Confirming an order decrements stock in the same transaction and is
//!   refused when stock is short; stock is never negative.
//! - A message id yields at most one order per product, ever (unique
//!   constraint), so replayed chat never doubles an order.
//!
//! Two ways to hear back: the CLI verbs and tests take a one-shot `Reply`
//! per call; the app's driver hands over `StoreJob`s with `submit` and hears
//! every answer as a `StoreEvent` on one bounded channel it reads like its
//! sources.
//!
//! Files: `schema.rs` (pragmas, migrations, seeding, error mapping),
//! `worker.rs` (the thread and its writes), `reader.rs` (read-only opening
//! for reports, and the queries both share), `answer.rs` (how answers are
//! delivered), `export.rs` (CSV; the xlsx workbook is `commands::xlsx`, so
//! that the store knows rows, not spreadsheets).

mod answer;
mod book;
mod coop;
mod export;
mod reader;
mod schema;
mod worker;

pub use answer::{StoreEvent, StoreEvents};
pub use coop::{
    AppliedDecisions, Ledger, LedgerRow, OutboxBatch, OutboxDecision, OutboxEvent, OutboxOrder,
    RemoteDecision,
};
pub use export::{text_field as csv_text_field, write_orders_csv, ORDERS_CSV_HEADER};
pub use reader::Reader;
pub use schema::SCHEMA_VERSION;
pub use worker::rfc3339_local;

use crate::catalog::{Catalog, Fen};
use crate::intent::suggest::Note;
use crate::intent::IntentKind;
use answer::Answer;
use std::path::Path;
use std::sync::mpsc::{self, SendError, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;
use tokio::sync::oneshot;
use worker::{CoopRequest, Request};

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
    /// The name of the chat source it came from.
    pub source: String,
    pub user: String,
    pub user_id: Option<String>,
    pub text: String,
    pub kind: IntentKind,
    pub sku: Option<String>,
    pub qty: Option<u32>,
    pub confidence: f32,
    /// Unix milliseconds when livestall received the message.
    pub received_at_ms: i64,
    /// Why it waits for a helper: an uncertain reading, or a suggestion
    /// for a message the engine read as no intent.
    pub note: Option<Note>,
}

/// An undecided intent as kept in the database (restored into the inbox on
/// start): pending, or waiting on the waitlist for stock.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingIntent {
    pub intent: NewIntent,
    /// On its product's waitlist (stock could not cover it when confirmed).
    pub waitlisted: bool,
}

/// Which undecided intents a bulk rejection takes: all of a product, all
/// received before a time, or both.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RejectFilter {
    pub sku: Option<String>,
    /// Unix ms: only intents received before it.
    pub received_before: Option<i64>,
}

/// The oldest undecided intents, as many as the inbox holds in memory, and
/// how many the database holds in all: however long a stream's backlog,
/// the screen loads a page of it, not all of it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PendingPage {
    /// Oldest first.
    pub rows: Vec<PendingIntent>,
    /// Undecided (pending or waitlisted) intents in the database.
    pub undecided: u64,
}

/// Where an intent stands in the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntentStatus {
    Pending,
    Waitlisted,
    Confirmed,
    Rejected,
    Refused,
    /// Decided on another laptop of this co-op station (the shared inbox).
    ConfirmedElsewhere,
    RejectedElsewhere,
}

impl IntentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            IntentStatus::Pending => "pending",
            IntentStatus::Waitlisted => "waitlisted",
            IntentStatus::Confirmed => "confirmed",
            IntentStatus::Rejected => "rejected",
            IntentStatus::Refused => "refused",
            IntentStatus::ConfirmedElsewhere => "confirmed_elsewhere",
            IntentStatus::RejectedElsewhere => "rejected_elsewhere",
        }
    }

    fn parse(status: &str) -> Option<IntentStatus> {
        Some(match status {
            "pending" => IntentStatus::Pending,
            "waitlisted" => IntentStatus::Waitlisted,
            "confirmed" => IntentStatus::Confirmed,
            "rejected" => IntentStatus::Rejected,
            "refused" => IntentStatus::Refused,
            "confirmed_elsewhere" => IntentStatus::ConfirmedElsewhere,
            "rejected_elsewhere" => IntentStatus::RejectedElsewhere,
            _ => return None,
        })
    }

    /// Still the helpers' to decide (in an inbox).
    pub fn undecided(self) -> bool {
        matches!(self, IntentStatus::Pending | IntentStatus::Waitlisted)
    }
}

/// How far a run has read the database's changes: the last audit event and
/// the last intent row it has seen. Several helpers on one database follow
/// each other's decisions by asking for what came after (`StoreJob::Sync`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SyncCursor {
    pub event_id: i64,
    pub intent_rowid: i64,
}

/// What changed in the database since a cursor: intents recorded or decided
/// (by anyone, this run included: applying them is idempotent), and the
/// stock when anything happened.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SyncReport {
    pub cursor: SyncCursor,
    pub intents: Vec<(NewIntent, IntentStatus)>,
    /// `None` when nothing happened since the cursor.
    pub inventory: Option<Vec<StockRow>>,
    /// Undecided intents in the database, when anything happened since the
    /// cursor (an inbox that holds only a page of them shows the rest).
    pub undecided: Option<u64>,
    /// The product on air as the database has it (any helper may move it),
    /// when anything happened since the cursor.
    pub on_air: Option<String>,
    /// The order of selling (SKUs) as the database has it, when anything
    /// happened since the cursor and a helper has ever set it.
    pub queue: Option<Vec<String>>,
}

/// What a run starts from besides the inbox: the product on air when the
/// last run ended, and the latest orders for the recent-orders line.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Resume {
    pub on_air: Option<String>,
    /// The order of selling (SKUs, first to sell first); `None` until a
    /// helper has moved a product.
    pub queue: Option<Vec<String>>,
    /// Newest last.
    pub recent: Vec<RecentRow>,
    /// Orders still open (confirmed, not cancelled) from this stream's
    /// hours, for reading each buyer's cancels and changes in context.
    pub open_orders: Vec<OpenOrderRow>,
}

/// An open order, as the core remembers it for its buyer.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenOrderRow {
    pub order_id: i64,
    /// `buyer_key` of who ordered.
    pub buyer: String,
    pub sku: String,
    pub qty: u32,
    pub confirmed_at_ms: i64,
}

/// One order for the recent-orders line.
#[derive(Debug, Clone, PartialEq)]
pub struct RecentRow {
    pub order_id: i64,
    pub user: String,
    pub sku: String,
    pub qty: u32,
    pub unit_price_fen: Fen,
    pub cancelled: bool,
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
    /// A cancelled order open again (its cancel undone).
    Reopened,
}

impl OrderAction {
    pub fn as_str(self) -> &'static str {
        match self {
            OrderAction::Created => "created",
            OrderAction::Cancelled => "cancelled",
            OrderAction::Changed => "changed",
            OrderAction::Reopened => "reopened",
        }
    }
}

/// What a committed confirmation did.
#[derive(Debug, Clone, PartialEq)]
pub struct Confirmed {
    pub action: OrderAction,
    pub order_id: i64,
    pub sku: String,
    /// The order's quantity after the action (for a cancel: the quantity returned to stock).
    pub qty: u32,
    /// For a change: the quantity before it.
    pub before_qty: Option<u32>,
    pub user: String,
    /// Stock left of that product after the commit.
    pub stock_left: i64,
    pub sold: i64,
    /// What this order costs a unit (a flash sale's price inside one).
    pub unit_price_fen: Fen,
    /// Money taken for the product in confirmed orders, after the commit.
    pub revenue_fen: Fen,
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
    /// Stock cannot cover the order (or those waiting before it): it waits,
    /// `place` in its product's line, for stock to free up.
    #[error("waitlisted, number {place} in line ({left} left)")]
    Waitlisted { place: u32, left: i64 },
    /// No confirmed order with that number (none, or cancelled already).
    #[error("no confirmed order {0}")]
    UnknownOrder(i64),
    /// An undo asked of an intent that is not a rejection, nor a confirmed
    /// order still open (one cancelled or changed since must be put right
    /// by its number).
    #[error("this decision cannot be undone any more")]
    CannotUndo,
    #[error("unknown product {0}")]
    UnknownProduct(String),
    #[error("no product given")]
    NoProduct,
    /// The helper rejected this intent earlier (replayed chat brings it back).
    #[error("this intent was rejected earlier")]
    Rejected,
    /// Another laptop of this co-op station decided it first.
    #[error("{helper} already {decision} this on another laptop")]
    DecidedElsewhere {
        helper: String,
        /// `confirmed` or `rejected`.
        decision: String,
    },
    // Transparent: the CLI prints an error's whole chain, and a prefix
    // here would say the store's error twice.
    #[error(transparent)]
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
            Refusal::Waitlisted { .. } => "waitlisted",
            Refusal::UnknownOrder(_) => "unknown_order",
            Refusal::CannotUndo => "cannot_undo",
            Refusal::UnknownProduct(_) => "unknown_product",
            Refusal::NoProduct => "no_product",
            Refusal::Rejected => "rejected",
            Refusal::DecidedElsewhere { .. } => "decided_elsewhere",
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
    /// The file, or the folder it is in, cannot be written: SQLite needs
    /// both (it keeps a write-ahead log and an index beside the file).
    #[error("the database is read-only here ({0}): livestall needs to write the file and to create files beside it in its folder; check their permissions")]
    ReadOnly(String),
    #[error("cannot open the database {path}: {reason}")]
    Open { path: String, reason: String },
    /// The database as a whole cannot be written or read (I/O error,
    /// read-only or moved file, corruption): nothing can be stored until the
    /// cause is fixed.
    #[error("the database cannot be used: {0}")]
    Unavailable(String),
    /// SQLite refused one statement (a constraint, a value it cannot keep).
    #[error("database error: {0}")]
    Sqlite(String),
    #[error("the store thread has stopped")]
    Closed,
}

/// Why a database could not be opened, as `StoreError::Open` says it (the
/// screen and the CLI word them in the shop's language from these).
pub const NO_DATABASE: &str = "there is no database there (check --db or [store] path)";
pub const NOT_LIVESTALL: &str = "it is not a livestall database";
pub const WRITTEN_BY_NEWER: &str = "it was written by a newer livestall";

/// What opening the store did with the config's products.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SeedReport {
    /// SKUs inserted with their config stock (first run, or new products).
    pub seeded: Vec<String>,
    /// (sku, stock in config, stock in database) for products whose config
    /// stock was edited since the last open; the database wins.
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
    /// Money taken in its confirmed orders (flash sales at their price).
    pub revenue_fen: Fen,
    /// No longer in config: kept because orders name it.
    pub retired: bool,
    /// The flash sale running now, if any.
    pub sale: Option<Sale>,
}

/// A flash sale (秒杀): `qty` units at `price_fen` until `ends_at_ms`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sale {
    pub sale_id: i64,
    pub sku: String,
    pub qty: u32,
    pub price_fen: Fen,
    pub starts_at_ms: i64,
    pub ends_at_ms: i64,
    /// Units sold at the sale price so far.
    pub sold: u32,
}

impl Sale {
    pub fn left(&self) -> u32 {
        self.qty.saturating_sub(self.sold)
    }
}

/// A helper starting a flash sale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaleStart {
    pub sku: String,
    pub qty: u32,
    pub price_fen: Fen,
    pub minutes: u32,
    pub helper: String,
}

/// Why a sale was not started or ended. Nothing was written.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SaleRefusal {
    #[error("unknown product {0}")]
    UnknownProduct(String),
    #[error("a flash sale of {0} is already running")]
    AlreadyRunning(String),
    #[error("no flash sale of {0} is running")]
    NotRunning(String),
    #[error("a flash sale needs a count and minutes above zero")]
    Empty,
    // Transparent: the CLI prints an error's whole chain, and a prefix
    // here would say the store's error twice.
    #[error(transparent)]
    Storage(#[from] StoreError),
}

/// One row of the audit trail: who did what, when, and what it changed.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRow {
    pub event_id: i64,
    pub at_ms: i64,
    pub helper: String,
    pub action: String,
    pub msg_id: Option<String>,
    pub index: Option<u32>,
    pub order_id: Option<i64>,
    pub detail: String,
    /// JSON objects (as text): the row as it was, and as it became.
    pub before: Option<String>,
    pub after: Option<String>,
}

/// One intent waiting for stock, in its product's line.
#[derive(Debug, Clone, PartialEq)]
pub struct WaitlistRow {
    pub place: u32,
    pub msg_id: String,
    pub index: u32,
    pub user: String,
    pub sku: String,
    pub name: String,
    pub qty: u32,
    pub received_at_ms: i64,
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
    /// The product's unit ("袋"); empty for a product the database no longer has.
    pub unit: String,
    /// The chat message the order was read from; empty when the intent is gone.
    pub text: String,
    /// Who the order belongs to: 'id:<user_id>' when the platform gave one,
    /// else 'name:<user>'.
    pub buyer: String,
    /// The name of the chat source the order came from ('' before sources
    /// were named).
    pub source: String,
    /// `confirmed_at` as Unix milliseconds (spreadsheets take real dates).
    pub confirmed_at_ms: i64,
    /// Unix milliseconds; set once the order is cancelled.
    pub cancelled_at_ms: Option<i64>,
    /// Unix milliseconds of the last change of quantity (a chat change or a
    /// helper's `set-qty`).
    pub changed_at_ms: Option<i64>,
}

/// A confirmed order as the broadcaster's board reads it aloud (报单).
#[derive(Debug, Clone, PartialEq)]
pub struct RecentOrder {
    pub order_id: i64,
    /// The name chat showed (unsanitized: draw it through `ui::sanitize`).
    pub user: String,
    pub sku: String,
    pub name: String,
    pub unit: String,
    pub qty: u32,
    pub unit_price_fen: Fen,
    pub confirmed_at_ms: i64,
}

/// Which orders a report reads; the default is every order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderQuery {
    /// Only orders confirmed at or after this (Unix ms).
    pub since_ms: Option<i64>,
    /// Only orders confirmed before this (Unix ms, exclusive).
    pub before_ms: Option<i64>,
    /// Only orders in this state: "confirmed" or "cancelled".
    pub status: Option<String>,
    /// Only this buyer's orders (`id:<user id>` or `name:<user>`): a cart.
    pub buyer: Option<String>,
}

/// A product as the database keeps it, retired ones too (orders still name them).
#[derive(Debug, Clone, PartialEq)]
pub struct ProductStock {
    pub sku: String,
    pub name: String,
    pub unit: String,
    pub price_fen: Fen,
    /// Stock left now.
    pub stock: i64,
    /// False once the product left the config.
    pub active: bool,
}

/// A phrase a helper taught the engine to read as a product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LearnedAlias {
    pub phrase: String,
    pub sku: String,
    /// Unix milliseconds.
    pub learned_at_ms: i64,
    pub helper: String,
    /// The chat message it was learned from, if any.
    pub msg_id: Option<String>,
}

/// What undoing a decision did: the intent is pending again, and the order
/// it had created, if any, is gone with its units back in stock.
#[derive(Debug, Clone, PartialEq)]
pub struct Undone {
    pub key: IntentKey,
    /// The order taken back (`action` is `Cancelled`, `stock_left` after it).
    pub order: Option<Confirmed>,
}

/// A helper putting a confirmed order right, by its number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderAmend {
    pub order_id: i64,
    pub to: AmendTo,
    pub helper: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AmendTo {
    /// Cancel the order; its units go back to stock.
    Cancel,
    /// Set the order's quantity (0 cancels it); stock moves by the difference.
    Qty(u32),
    /// Open a cancelled order again (undoing a cancel), if stock allows.
    Reopen,
}

/// A helper's change to a product's stock (a restock, a count).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockChange {
    pub sku: String,
    pub to: StockTo,
    pub helper: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StockTo {
    /// The stock is this many (a count of what is really there).
    Set(i64),
    /// This many more (a restock; negative takes some away).
    Add(i64),
}

/// What a stock change did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockChanged {
    pub sku: String,
    pub before: i64,
    pub after: i64,
}

/// Why a stock change was not made. Nothing was written.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StockRefusal {
    #[error("unknown product {0}")]
    UnknownProduct(String),
    #[error("stock cannot go below zero (it is {before})")]
    Negative { before: i64 },
    // Transparent: the CLI prints an error's whole chain, and a prefix
    // here would say the store's error twice.
    #[error(transparent)]
    Storage(#[from] StoreError),
}

/// Why an alias could not be learned. Nothing was written.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AliasRefusal {
    #[error("the phrase is empty")]
    Empty,
    #[error("unknown product {0}")]
    UnknownProduct(String),
    // Transparent: the CLI prints an error's whole chain, and a prefix
    // here would say the store's error twice.
    #[error(transparent)]
    Storage(#[from] StoreError),
}

/// What the orders view shows (`StoreJob::OrdersSummary`): confirmed orders
/// a minute over a recent window, the totals, and the biggest buyers.
/// Cancelled orders count nowhere; a changed order counts at its quantity now.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OrdersSummary {
    /// The start of the first minute (Unix ms).
    pub since_ms: i64,
    /// Orders confirmed in each minute from `since_ms`, oldest first.
    pub per_minute: Vec<u32>,
    /// Every confirmed order in the database.
    pub orders: u64,
    pub units: i64,
    pub revenue_fen: Fen,
    /// Buyers with a confirmed order (more than `buyers` may hold).
    pub buyer_count: u64,
    /// The biggest buyers by money, biggest first, at most the number asked for.
    pub buyers: Vec<BuyerTotal>,
}

/// One buyer's confirmed orders added up.
#[derive(Debug, Clone, PartialEq)]
pub struct BuyerTotal {
    /// `buyer_key` of the buyer (opens their cart).
    pub buyer: String,
    /// The name chat showed on their latest order (raw: views sanitize).
    pub user: String,
    pub orders: u64,
    pub units: i64,
    pub total_fen: Fen,
}

pub type Reply<T> = oneshot::Receiver<Result<T, StoreError>>;

/// Knobs for `Store::open_with`; `Store::open` uses the defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreOptions {
    /// How long a write waits for another program holding the database
    /// before giving up with `StoreError::Locked`.
    pub busy_timeout: Duration,
    /// Create the database when there is none. The verbs that change a
    /// database without taking orders (`inventory set`, `aliases remove`)
    /// say false, so a mistyped `--db` is an error instead of a fresh
    /// empty database.
    pub create: bool,
    /// Bring products in line with the config (names, prices, new
    /// products, retired ones). The verbs that work on `--db` alone say
    /// false: with no config, nothing is taken from one.
    pub seed: bool,
    /// The name of a registered SQLite VFS to open the database through;
    /// None is SQLite's default. There for the power-loss harness
    /// (tests/power_loss.rs), which opens the store through a VFS that
    /// throws away every write not yet synced at its "crash".
    pub vfs: Option<String>,
    /// Only the power-loss harness's negative control picks anything but
    /// FULL: with `Off` it proves the harness finds lost commits. Hidden,
    /// and on purpose reachable from no CLI flag and no config key.
    #[doc(hidden)]
    pub synchronous: Synchronous,
}

/// The `synchronous` pragma of the store's connection.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Synchronous {
    /// Every commit is synced before it is reported: the store's contract.
    #[default]
    Full,
    /// No sync at all: commits are lost on power loss. The harness's
    /// negative control, never for real use.
    Off,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            busy_timeout: Duration::from_secs(5),
            create: true,
            seed: true,
            vfs: None,
            synchronous: Synchronous::Full,
        }
    }
}

/// The store connection's own settings, read back from SQLite (diagnostics
/// and tests: `synchronous` and `foreign_keys` are per connection, so only the
/// store thread can tell what its connection really uses).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreSettings {
    pub journal_mode: String,
    /// 2 is FULL.
    pub synchronous: i64,
    pub foreign_keys: bool,
    pub busy_timeout_ms: i64,
    pub schema_version: i64,
}

/// Joins the store thread when the last handle goes, so dropping the store
/// means everything queued is on disk.
struct ThreadGuard(Mutex<Option<JoinHandle<()>>>);

impl Drop for ThreadGuard {
    fn drop(&mut self) {
        let handle = match self.0.get_mut() {
            Ok(slot) => slot.take(),
            Err(poisoned) => poisoned.into_inner().take(),
        };
        if let Some(handle) = handle {
            if handle.join().is_err() {
                tracing::error!("the store thread panicked");
            }
        }
    }
}

/// Handle to the store thread. Cheap to clone; the thread ends when every
/// handle is dropped, after finishing what was queued (dropping the last
/// handle waits for that).
#[derive(Clone)]
pub struct Store {
    // Declared before the guard, so it is dropped first: the thread sees the
    // channel close, drains it, and only then is joined.
    /// Unbounded on purpose: the senders are async code (the screen's loop,
    /// headless mode), and a sender blocked on a full queue while the disk
    /// is stuck would freeze the screen and miss Ctrl-C and SIGTERM. A
    /// request is one message's intents or one decision, so even an hour of
    /// busy chat against a locked database queues only megabytes.
    tx: Sender<Request>,
    _joins_on_last_drop: Arc<ThreadGuard>,
}

impl Store {
    pub fn open(path: &Path, catalog: &Catalog) -> Result<(Store, SeedReport), StoreError> {
        Store::open_with(path, catalog, &StoreOptions::default())
    }

    /// `open` with explicit options.
    pub fn open_with(
        path: &Path,
        catalog: &Catalog,
        options: &StoreOptions,
    ) -> Result<(Store, SeedReport), StoreError> {
        let mut conn = schema::open(path, options)?;
        let report = if options.seed {
            schema::seed(&mut conn, catalog)?
        } else {
            SeedReport::default()
        };
        let (tx, rx) = mpsc::channel();
        let handle = std::thread::Builder::new()
            .name("livestall-store".into())
            .spawn(move || worker::run(conn, rx))
            .map_err(|e| StoreError::Open {
                path: path.display().to_string(),
                reason: format!("cannot start the store thread: {e}"),
            })?;
        let store = Store {
            tx,
            _joins_on_last_drop: Arc::new(ThreadGuard(Mutex::new(Some(handle)))),
        };
        Ok((store, report))
    }

    fn send(&self, request: Request) {
        // The thread only stops when every handle is gone, or if it died;
        // either way the caller hears `Closed` instead of waiting forever.
        if let Err(SendError(request)) = self.tx.send(request) {
            request.fail(StoreError::Closed);
        }
    }

    /// `record_intents`, and once the batch is committed, answers with the
    /// keys among `intents` that the database had already decided (confirmed,
    /// refused or rejected before: replayed chat), so a screen can leave them
    /// out of its inbox.
    pub fn record(&self, intents: Vec<NewIntent>) -> Reply<Vec<IntentKey>> {
        let (reply, rx) = Answer::oneshot();
        if intents.is_empty() {
            reply.send(Ok(Vec::new()));
        } else {
            self.send(Request::Record(intents, Some(reply)));
        }
        rx
    }

    /// Queues intents to be written in the next batch; returns at once,
    /// never waiting for the disk. Re-recording an intent that exists
    /// changes nothing.
    pub fn record_intents(&self, intents: Vec<NewIntent>) {
        if !intents.is_empty() {
            self.send(Request::Record(intents, None));
        }
    }

    /// Commits the helper's decision now; the reply comes after the commit.
    pub fn confirm(&self, req: ConfirmRequest) -> oneshot::Receiver<Result<Confirmed, Refusal>> {
        let (reply, rx) = Answer::oneshot();
        self.send(Request::Confirm(req, reply));
        rx
    }

    /// Rejects every one of `keys` that is still undecided, in one transaction.
    pub fn reject_many(&self, keys: Vec<IntentKey>, helper: String) -> Reply<()> {
        let (reply, rx) = Answer::oneshot();
        self.send(Request::RejectMany(keys, helper, reply));
        rx
    }

    pub fn reject(&self, key: IntentKey, helper: String) -> Reply<()> {
        let (reply, rx) = Answer::oneshot();
        self.send(Request::Reject(key, helper, reply));
        rx
    }

    pub fn pending(&self) -> Reply<Vec<PendingIntent>> {
        let (reply, rx) = Answer::oneshot();
        self.send(Request::Pending(reply));
        rx
    }

    /// The oldest `limit` undecided intents and how many there are in all.
    pub fn pending_page(&self, limit: usize) -> Reply<PendingPage> {
        let (reply, rx) = Answer::oneshot();
        self.send(Request::PendingPage(limit, reply));
        rx
    }

    pub fn inventory(&self) -> Reply<Vec<StockRow>> {
        let (reply, rx) = Answer::oneshot();
        self.send(Request::Inventory(reply));
        rx
    }

    pub fn orders(&self) -> Reply<Vec<OrderRow>> {
        let (reply, rx) = Answer::oneshot();
        self.send(Request::Orders(reply));
        rx
    }

    /// Teaches the engine `phrase` as a name of `sku` (a helper reassigned an
    /// intent to that product). Learning a phrase again moves it to the new
    /// product. Engines built afterwards read it; see `intent::Engine::with_learned`.
    pub fn learn_alias(
        &self,
        phrase: &str,
        sku: &str,
        helper: &str,
        msg_id: Option<&str>,
    ) -> oneshot::Receiver<Result<LearnedAlias, AliasRefusal>> {
        let (reply, rx) = Answer::oneshot();
        let phrase = phrase.trim();
        if phrase.is_empty() {
            reply.send(Err(AliasRefusal::Empty));
            return rx;
        }
        self.send(Request::Learn(
            LearnedAlias {
                phrase: phrase.to_string(),
                sku: sku.to_string(),
                learned_at_ms: 0,
                helper: helper.to_string(),
                msg_id: msg_id.map(str::to_string),
            },
            reply,
        ));
        rx
    }

    /// Takes back the decision on an intent: a rejection, or a confirmation
    /// whose order is still open (the order is removed, its units go back).
    /// The intent is pending again; the reply comes after the commit.
    pub fn undo(&self, key: IntentKey, helper: &str) -> oneshot::Receiver<Result<Undone, Refusal>> {
        let (reply, rx) = Answer::oneshot();
        self.send(Request::Undo(key, helper.to_string(), reply));
        rx
    }

    /// Cancels a confirmed order or changes its quantity, with stock moved
    /// in the same transaction; the reply comes after the commit.
    pub fn amend_order(&self, amend: OrderAmend) -> oneshot::Receiver<Result<Confirmed, Refusal>> {
        let (reply, rx) = Answer::oneshot();
        self.send(Request::Amend(amend, reply));
        rx
    }

    /// Sets or adds to a product's stock; the reply comes after the commit.
    pub fn change_stock(
        &self,
        change: StockChange,
    ) -> oneshot::Receiver<Result<StockChanged, StockRefusal>> {
        let (reply, rx) = Answer::oneshot();
        self.send(Request::Stock(change, reply));
        rx
    }

    /// Starts a flash sale of a product; the reply comes after the commit.
    pub fn start_sale(&self, start: SaleStart) -> oneshot::Receiver<Result<Sale, SaleRefusal>> {
        let (reply, rx) = Answer::oneshot();
        self.send(Request::StartSale(start, reply));
        rx
    }

    /// Ends the product's running flash sale early.
    pub fn end_sale(
        &self,
        sku: &str,
        helper: &str,
    ) -> oneshot::Receiver<Result<Sale, SaleRefusal>> {
        let (reply, rx) = Answer::oneshot();
        self.send(Request::EndSale(sku.to_string(), helper.to_string(), reply));
        rx
    }

    /// What changed since `after` (every intent recorded or decided, and the
    /// stock); with `None`, just where the database is now.
    pub fn sync(&self, after: Option<SyncCursor>) -> Reply<SyncReport> {
        let (reply, rx) = Answer::oneshot();
        self.send(Request::Sync(after, reply));
        rx
    }

    /// The orders view's figures: orders a minute for `minutes` minutes
    /// from `since_ms`, the totals, and the `top` biggest buyers.
    pub fn orders_summary(&self, since_ms: i64, minutes: u32, top: usize) -> Reply<OrdersSummary> {
        let (reply, rx) = Answer::oneshot();
        self.send(Request::OrdersSummary {
            since_ms,
            minutes,
            top,
            reply,
        });
        rx
    }

    /// This database's desk name in the co-op (made on first ask).
    pub fn desk(&self) -> Reply<String> {
        let (reply, rx) = Answer::oneshot();
        self.send(Request::Coop(CoopRequest::Desk(reply)));
        rx
    }

    /// Audit rows after `after` (at most `limit`) with the orders they
    /// name: the co-op's outbox.
    pub fn outbox(&self, after: i64, limit: usize) -> Reply<OutboxBatch> {
        let (reply, rx) = Answer::oneshot();
        self.send(Request::Coop(CoopRequest::Outbox(after, limit, reply)));
        rx
    }

    /// How many audit rows come after `after`.
    pub fn outbox_backlog(&self, after: i64) -> Reply<i64> {
        let (reply, rx) = Answer::oneshot();
        self.send(Request::Coop(CoopRequest::Backlog(after, reply)));
        rx
    }

    /// Every product's stock with its co-op ledger.
    pub fn ledger(&self) -> Reply<Ledger> {
        let (reply, rx) = Answer::oneshot();
        self.send(Request::Coop(CoopRequest::Ledger(reply)));
        rx
    }

    /// Joins `skus` to the co-op: their stock here goes to its pool (set to
    /// 0, audited). Answers those joined now, with the stock they had.
    pub fn coop_join(&self, skus: Vec<String>, helper: &str) -> Reply<Vec<(String, i64)>> {
        let (reply, rx) = Answer::oneshot();
        self.send(Request::Coop(CoopRequest::Join(
            skus,
            helper.to_string(),
            reply,
        )));
        rx
    }

    /// The co-op granted `granted` units of `sku` to this desk in all: the
    /// units not counted here yet go onto the stock. Answers how many.
    pub fn coop_grant(&self, sku: &str, granted: i64, helper: &str) -> Reply<i64> {
        let (reply, rx) = Answer::oneshot();
        self.send(Request::Coop(CoopRequest::Grant(
            sku.to_string(),
            granted,
            helper.to_string(),
            reply,
        )));
        rx
    }

    /// Gives back what this desk holds of `sku` beyond `keep` (here first,
    /// then tell the co-op the answer's total). Answers (the `returned`
    /// total, the units given back now).
    pub fn coop_give_back(&self, sku: &str, keep: i64, helper: &str) -> Reply<(i64, i64)> {
        let (reply, rx) = Answer::oneshot();
        self.send(Request::Coop(CoopRequest::GiveBack(
            sku.to_string(),
            keep,
            helper.to_string(),
            reply,
        )));
        rx
    }

    /// Puts `sku` on air (kept for every screen on this database).
    pub fn set_on_air(&self, sku: &str, helper: &str) -> Reply<()> {
        let (reply, rx) = Answer::oneshot();
        self.send(Request::SetOnAir(
            sku.to_string(),
            helper.to_string(),
            reply,
        ));
        rx
    }

    /// The number of the last decision of another laptop applied here.
    pub fn coop_decisions_seen(&self) -> Reply<i64> {
        let (reply, rx) = Answer::oneshot();
        self.send(Request::Coop(CoopRequest::DecisionsSeen(reply)));
        rx
    }

    /// Applies decisions other laptops of this station made (the co-op's
    /// shared inbox): their intents leave every screen on this database.
    /// `followed`: they are the next in the co-op's order, and the last
    /// one's number is kept as where following goes on.
    pub fn coop_decided_elsewhere(
        &self,
        rows: Vec<RemoteDecision>,
        followed: bool,
    ) -> Reply<AppliedDecisions> {
        let (reply, rx) = Answer::oneshot();
        self.send(Request::Coop(CoopRequest::DecidedElsewhere(
            rows, followed, reply,
        )));
        rx
    }

    /// Every learned alias, oldest first.
    pub fn learned_aliases(&self) -> Reply<Vec<LearnedAlias>> {
        let (reply, rx) = Answer::oneshot();
        self.send(Request::LearnedAliases(reply));
        rx
    }

    /// Forgets a learned alias; answers whether there was one.
    pub fn forget_alias(&self, phrase: &str, helper: &str) -> Reply<bool> {
        let (reply, rx) = Answer::oneshot();
        self.send(Request::Forget(
            phrase.trim().to_string(),
            helper.to_string(),
            reply,
        ));
        rx
    }

    /// Hands the driver's `job` to the store thread; its answer comes back as
    /// a `StoreEvent` on `events`. Never waits for the disk.
    pub fn submit(&self, job: StoreJob, events: &StoreEvents) {
        match job {
            StoreJob::Record(intents) => {
                if intents.is_empty() {
                    return;
                }
                // A failed write is retried by the thread and reported by
                // the confirm or flush that meets it; only news is told.
                let answer = Answer::event(events, |decided: Result<Vec<IntentKey>, _>| {
                    decided
                        .ok()
                        .filter(|keys| !keys.is_empty())
                        .map(StoreEvent::AlreadyDecided)
                });
                self.send(Request::Record(intents, Some(answer)));
            }
            StoreJob::Confirm(request) => {
                let key = request.key.clone();
                let answer = Answer::event(events, move |result| {
                    Some(match result {
                        Ok(confirmed) => StoreEvent::Confirmed(key, confirmed),
                        Err(refusal) => StoreEvent::Refused(key, refusal),
                    })
                });
                self.send(Request::Confirm(request, answer));
            }
            StoreJob::Reject { key, helper } => {
                let answer = Answer::event(events, {
                    let key = key.clone();
                    move |result| {
                        Some(match result {
                            Ok(()) => StoreEvent::Rejected(key),
                            Err(error) => StoreEvent::Failed(key, error),
                        })
                    }
                });
                self.send(Request::Reject(key, helper, answer));
            }
            StoreJob::Inventory => {
                self.send(Request::Inventory(loaded(events, StoreEvent::Inventory)))
            }
            StoreJob::Pending => self.send(Request::Pending(loaded(events, StoreEvent::Pending))),
            StoreJob::PendingPage { limit } => self.send(Request::PendingPage(
                limit,
                loaded(events, StoreEvent::PendingPage),
            )),
            StoreJob::Amend(amend) => {
                let order_id = amend.order_id;
                let answer = Answer::event(events, move |result| {
                    Some(StoreEvent::Amended { order_id, result })
                });
                self.send(Request::Amend(amend, answer));
            }
            StoreJob::RejectMany { keys, helper } => {
                let answer = Answer::event(events, {
                    let keys = keys.clone();
                    move |result| Some(StoreEvent::RejectedMany { keys, result })
                });
                self.send(Request::RejectMany(keys, helper, answer));
            }
            StoreJob::RejectWhere {
                filter,
                loaded,
                helper,
            } => {
                let answer = Answer::event(events, move |result| {
                    Some(match result {
                        Ok(keys) => StoreEvent::RejectedMany {
                            keys,
                            result: Ok(()),
                        },
                        Err(error) => StoreEvent::RejectedMany {
                            keys: loaded,
                            result: Err(error),
                        },
                    })
                });
                self.send(Request::RejectWhere(filter, helper, answer));
            }
            StoreJob::Undo { key, helper } => {
                let answer = Answer::event(events, {
                    let key = key.clone();
                    move |result| Some(StoreEvent::Undone { key, result })
                });
                self.send(Request::Undo(key, helper, answer));
            }
            StoreJob::Learn {
                phrase,
                sku,
                helper,
                msg_id,
            } => {
                let answer = Answer::event(events, |result| Some(StoreEvent::Learned(result)));
                let phrase = phrase.trim().to_string();
                if phrase.is_empty() {
                    answer.send(Err(AliasRefusal::Empty));
                    return;
                }
                self.send(Request::Learn(
                    LearnedAlias {
                        phrase,
                        sku,
                        learned_at_ms: 0,
                        helper,
                        msg_id,
                    },
                    answer,
                ));
            }
            StoreJob::SetOnAir { sku, helper } => {
                let answer = Answer::event(events, |result: Result<(), StoreError>| {
                    result.err().map(StoreEvent::LoadFailed)
                });
                self.send(Request::SetOnAir(sku, helper, answer));
            }
            StoreJob::SetQueue { skus, helper } => {
                let answer = Answer::event(events, |result: Result<(), StoreError>| {
                    result.err().map(StoreEvent::LoadFailed)
                });
                self.send(Request::SetQueue(skus, helper, answer));
            }
            StoreJob::Resume => self.send(Request::Resume(loaded(events, StoreEvent::Resumed))),
            StoreJob::Cart { buyer } => {
                let answer = Answer::event(events, {
                    let buyer = buyer.clone();
                    move |result| Some(StoreEvent::Cart { buyer, result })
                });
                self.send(Request::Cart(buyer, answer));
            }
            StoreJob::Stock(change) => {
                let answer = Answer::event(events, |result| Some(StoreEvent::StockChanged(result)));
                self.send(Request::Stock(change, answer));
            }
            StoreJob::StartSale(start) => {
                let answer = Answer::event(events, |result| Some(StoreEvent::Sale(result)));
                self.send(Request::StartSale(start, answer));
            }
            StoreJob::EndSale { sku, helper } => {
                let answer = Answer::event(events, |result| Some(StoreEvent::Sale(result)));
                self.send(Request::EndSale(sku, helper, answer));
            }
            StoreJob::Sync(after) => {
                let answer = Answer::event(events, |result| Some(StoreEvent::Synced(result)));
                self.send(Request::Sync(after, answer));
            }
            StoreJob::OrdersSummary {
                since_ms,
                minutes,
                top,
            } => {
                let answer =
                    Answer::event(events, |result| Some(StoreEvent::OrdersSummary(result)));
                self.send(Request::OrdersSummary {
                    since_ms,
                    minutes,
                    top,
                    reply: answer,
                });
            }
            StoreJob::Flush => {
                let answer = Answer::event(events, |done| Some(StoreEvent::Flushed(done)));
                self.send(Request::Flush(answer));
            }
        }
    }

    /// Waits until everything queued so far is committed.
    pub fn flush(&self) -> Reply<()> {
        let (reply, rx) = Answer::oneshot();
        self.send(Request::Flush(reply));
        rx
    }

    /// The store connection's pragmas as SQLite reports them.
    pub fn settings(&self) -> Reply<StoreSettings> {
        let (reply, rx) = Answer::oneshot();
        self.send(Request::Settings(reply));
        rx
    }
}

/// The answer to a load the driver asked for: the rows, or why there are none.
fn loaded<T: Send + 'static>(
    events: &StoreEvents,
    wrap: fn(T) -> StoreEvent,
) -> Answer<Result<T, StoreError>> {
    Answer::event(events, move |rows: Result<T, StoreError>| {
        Some(rows.map_or_else(StoreEvent::LoadFailed, wrap))
    })
}

/// What the app's driver asks of the store (`Store::submit`); each is
/// answered with a `StoreEvent`.
#[derive(Debug, Clone, PartialEq)]
pub enum StoreJob {
    /// Persist newly detected intents as pending (batched); answered with
    /// `AlreadyDecided` when the database had decided some of them before.
    Record(Vec<NewIntent>),
    /// Commit a decision now; answered with `Confirmed` or `Refused` after the commit.
    Confirm(ConfirmRequest),
    /// Mark an intent rejected; answered with `Rejected` or `Failed`.
    Reject { key: IntentKey, helper: String },
    /// Answered with `Inventory` or `LoadFailed`.
    Inventory,
    /// Answered with `Pending` or `LoadFailed`.
    Pending,
    /// The oldest `limit` undecided intents and their count in all;
    /// answered with `PendingPage` or `LoadFailed`.
    PendingPage { limit: usize },
    /// Cancel or change a confirmed order; answered with `Amended`.
    Amend(OrderAmend),
    /// Take back a decision on an intent; answered with `Undone`.
    Undo { key: IntentKey, helper: String },
    /// Reject many intents in one transaction; answered with `RejectedMany`.
    RejectMany {
        keys: Vec<IntentKey>,
        helper: String,
    },
    /// Reject every undecided intent `filter` picks, loaded in an inbox or
    /// not, in one transaction; answered with `RejectedMany` naming them
    /// (or, when it fails, naming `loaded`: the ones the asker holds).
    RejectWhere {
        filter: RejectFilter,
        loaded: Vec<IntentKey>,
        helper: String,
    },
    /// Set or add to a product's stock; answered with `StockChanged`.
    Stock(StockChange),
    /// One buyer's orders (`buyer_key`); answered with `Cart`.
    Cart { buyer: String },
    /// Keep the product on air (by SKU) for the next run and the other
    /// helpers; answered with nothing unless it fails.
    SetOnAir { sku: String, helper: String },
    /// Keep the order of selling (SKUs, first to sell first) for the next
    /// run and the other helpers; answered with nothing unless it fails.
    SetQueue { skus: Vec<String>, helper: String },
    /// The product on air, the order of selling and the latest orders;
    /// answered with `Resumed`.
    Resume,
    /// Teach `phrase` as a name of `sku` (a helper picked another product
    /// for an intent); answered with `Learned`.
    Learn {
        phrase: String,
        sku: String,
        helper: String,
        msg_id: Option<String>,
    },
    /// Start a flash sale; answered with `Sale`.
    StartSale(SaleStart),
    /// End a product's flash sale; answered with `Sale`.
    EndSale { sku: String, helper: String },
    /// What other helpers did since the cursor; answered with `Synced`.
    Sync(Option<SyncCursor>),
    /// Answered with `Flushed` once everything queued before it is committed.
    Flush,
    /// The orders view's figures (`Store::orders_summary`); answered with
    /// `OrdersSummary`.
    OrdersSummary {
        since_ms: i64,
        minutes: u32,
        top: usize,
    },
}

/// How the store tells buyers apart, for limits, cancels, changes and
/// carts: platform user ids are stable; display names are all some chats give.
pub fn buyer_key(user: &str, user_id: Option<&str>) -> String {
    match user_id {
        Some(id) if !id.is_empty() => format!("id:{id}"),
        _ => format!("name:{user}"),
    }
}

/// Blocks the current (non-async) thread for a store reply: for the CLI verbs,
/// tests and benches. In async code use `reply(..).await` instead: tokio's
/// `blocking_recv` panics when called on a runtime thread.
pub fn wait<T, E: From<StoreError>>(reply: oneshot::Receiver<Result<T, E>>) -> Result<T, E> {
    reply
        .blocking_recv()
        .unwrap_or_else(|_| Err(E::from(StoreError::Closed)))
}

/// `.await`s a store reply, turning a vanished store thread into `Closed`.
pub async fn reply<T, E: From<StoreError>>(reply: oneshot::Receiver<Result<T, E>>) -> Result<T, E> {
    reply
        .await
        .unwrap_or_else(|_| Err(E::from(StoreError::Closed)))
}
