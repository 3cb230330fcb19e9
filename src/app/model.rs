//! The model: everything the helper's screen shows and every policy the run
//! follows, in one plain struct. Only `update` changes it; views borrow it.
//! It holds no handles, no clock and no I/O, so tests can build one from a
//! config and drive it with messages. Text is kept as chat sent it (raw);
//! only views sanitize what they draw.

use crate::app::keymap::Keymap;
use crate::catalog::{Catalog, Fen};
use crate::chat::{Outage, SourceId};
use crate::config::{Config, Language};
use crate::intent::suggest::Note;
use crate::intent::IntentKind;
use crate::store::{
    IntentKey, OrderAction, OrdersSummary, Refusal, Sale, StockRow, StoreError, SyncCursor,
};
use std::collections::VecDeque;
use std::ops::Range;

/// Chat lines kept for scrolling; older lines fall off the front.
pub const CHAT_CAPACITY: usize = 2_000;
/// Undecided intents the inbox holds in memory: the oldest ones. However
/// long the stream and however far the helpers fall behind, the rest wait
/// in the database and are loaded as these are decided, so memory stays
/// bounded (a row is under a kilobyte).
pub const INBOX_WINDOW: usize = 2_000;
/// `O` rejects pending intents older than this.
pub const STALE_MINUTES: i64 = 10;
/// Auto-confirmations the store may be working on at once.
pub const AUTO_WINDOW: usize = 256;
/// Decisions kept for `u`, newest last.
pub const UNDO_DEPTH: usize = 100;
/// How often a run asks the database what other helpers did: each sees the
/// other's decisions within a second.
pub const SYNC_INTERVAL_MS: i64 = 500;
/// Recent confirmed orders kept for the orders line.
pub const RECENT_ORDERS_CAPACITY: usize = 50;
/// The window the message rate is averaged over.
pub const RATE_WINDOW_MS: i64 = 10_000;
/// How long a notice stays on screen.
pub const NOTICE_TTL_MS: i64 = 8_000;
/// Lines one PageUp/PageDown moves the chat.
pub const CHAT_SCROLL_STEP: usize = 5;
/// Below this confidence an intent is flagged for a closer look. The same
/// line as auto-confirmation: what a machine would not confirm alone, the
/// helper is asked to read twice.
pub const LOW_CONFIDENCE: f32 = crate::intent::AUTO_CONFIRM_CONFIDENCE;

/// One product of the queue with its inventory as the store last reported it.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductRow {
    pub sku: String,
    pub name: String,
    pub link: u32,
    pub unit: String,
    pub price_fen: Fen,
    /// Units this desk holds (in a co-op: its allocation).
    pub stock: i64,
    /// Units still in the co-op's pool, for any of its stations to take
    /// (0 without a co-op).
    pub pool: i64,
    pub sold: i64,
    /// Money taken for it so far (flash sale orders at their price).
    pub revenue_fen: Fen,
    /// The flash sale running now, as the store last reported it.
    pub sale: Option<Sale>,
}

impl ProductRow {
    /// Stock is running out: at or below a tenth of what the catalog
    /// started it with, and never less than 3 units (warned before it is
    /// gone, so the farmer can say "last few" or restock).
    pub fn low(&self, seeded: i64) -> bool {
        let left = self.for_sale();
        left > 0 && left <= (seeded / 10).max(3)
    }

    /// Units left to sell as the helper should see them: what this desk
    /// holds and, in a co-op, what its pool still has (a confirm beyond
    /// what the desk holds waits while a block is taken).
    pub fn for_sale(&self) -> i64 {
        self.stock + self.pool
    }

    /// Units an order can take now: the stock, or a running sale's count
    /// when that is smaller.
    pub fn available(&self) -> i64 {
        match &self.sale {
            Some(sale) => self.stock.min(i64::from(sale.left())),
            None => self.stock,
        }
    }
}

/// Where an intent in the inbox stands. A confirmed or rejected intent leaves
/// the inbox only when the store has answered.
#[derive(Debug, Clone, PartialEq)]
pub enum IntentState {
    Pending,
    Confirming,
    Rejecting,
    /// The store refused or failed; the intent stays so the helper can retry or reject it.
    Failed(Notice),
    /// Stock could not cover it: it waits, `place` in its product's line.
    Waitlisted {
        place: u32,
    },
    /// It was waitlisted and stock now covers it: the helper (or the
    /// auto-confirm policy) may confirm it.
    Offered,
    /// A cancel or change that came before the order it is about was
    /// confirmed: it goes to the store again once that order is.
    Waiting {
        order: IntentKey,
    },
}

/// A pending order intent: one row of the helper's inbox.
#[derive(Debug, Clone, PartialEq)]
pub struct InboxItem {
    pub key: IntentKey,
    /// The name of the source it came from (as stored: a source since
    /// removed from the config keeps its name).
    pub source: String,
    /// As chat sent it (raw: views sanitize).
    pub user: String,
    pub user_id: Option<String>,
    /// The chat text as sent (raw: views sanitize).
    pub text: String,
    pub kind: IntentKind,
    /// Index into the product queue; `None` for a cancel or change naming no product.
    pub product: Option<usize>,
    /// The SKU as recorded (kept even if the product left the catalog).
    pub sku: Option<String>,
    pub qty: Option<u32>,
    pub confidence: f32,
    /// The byte spans of `text` the reading rests on; empty for intents
    /// restored from the store.
    pub evidence: Vec<Range<usize>>,
    pub received_at_ms: i64,
    pub state: IntentState,
    /// Whether this run has told it as an `intent` event and put it to the
    /// auto-confirm policy: fresh intents are; those restored from the
    /// database are when their message comes again (a relay replaying chat
    /// after a restart).
    pub announced: bool,
    /// Why it waits for the helper: an uncertain reading, or a suggestion
    /// (the message read as no intent). Never auto-confirmed.
    pub note: Option<Note>,
}

/// One intent's reading, as the chat pane tags a message with it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reading {
    pub kind: IntentKind,
    pub product: Option<usize>,
    pub qty: Option<u32>,
}

/// A chat message with what the engine read in it.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatLine {
    /// Which of the run's sources sent it.
    pub source: SourceId,
    /// The source's message id: the key intents keep (`IntentKey::msg_id`),
    /// so `g` can find an intent's message.
    pub msg_id: String,
    pub received_at_ms: i64,
    /// Raw, as the source delivered it.
    pub user: String,
    /// Raw, as the source delivered it.
    pub text: String,
    /// Byte spans of `text` that the readings rest on.
    pub evidence: Vec<Range<usize>>,
    pub readings: Vec<Reading>,
    /// What the inbox suggests for a message read as no intent ("同上").
    pub suggestion: Option<Reading>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ChatEntry {
    Message(ChatLine),
    /// The source dropped: its messages may be missing from here.
    Gap {
        source: SourceId,
        at_ms: i64,
        reason: Outage,
    },
    /// The source came back after a drop at `since_ms`: chat between the
    /// two may be missing.
    Reconnected {
        source: SourceId,
        at_ms: i64,
        since_ms: i64,
    },
    /// The source dropped `count` replayed messages (already read) here.
    SkippedReplays {
        source: SourceId,
        at_ms: i64,
        count: u32,
    },
}

/// What the keyboard means and what covers the screen: keys are looked up
/// by (mode, key) and `render` matches on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Mode {
    /// The inbox has the keys: confirm, reject, select, move the product on air.
    #[default]
    Inbox,
    /// The key help covers the screen.
    Help,
    /// The keys are on the product queue (`P`, or `p` on a small screen):
    /// select a product, put it on air, move it in the order of selling,
    /// mark it sold out, restock it, start its flash sale. The pane shows it
    /// on wide screens, an overlay on small ones.
    Products,
    /// A question about a bulk decision covers the screen (`Model::question`):
    /// y carries it out, n or Esc drops it.
    Ask,
    /// A line of input covers the screen (`Model::prompt`): typed keys go
    /// into it, Enter carries it out, Esc drops it.
    Prompt,
    /// One buyer's orders cover the screen (`Model::cart`): select one,
    /// cancel it or change its quantity.
    Cart,
    /// The product picker covers the screen (`Model::picker`): typed keys
    /// narrow the list, Enter gives the selected intent that product.
    Picker,
    /// The orders view covers the screen (`Model::orders_view`): totals,
    /// sales a minute and a product, and every buyer's cart, biggest first.
    Orders,
    /// The waitlist covers the screen: per product, the orders waiting for
    /// stock in line order; offered ones can be confirmed.
    Waitlist,
    /// The broadcaster's board covers the screen; any key goes back.
    Board,
    /// The helper is typing the inbox filter (`Model::filter`): typed keys
    /// go into it and narrow the inbox as they come, Enter keeps it and
    /// gives the keys back to the inbox, Esc drops it.
    Filter,
}

impl Mode {
    /// Whether typed characters go into a line rather than to the keymap
    /// (only keys with Ctrl or Alt reach it then).
    pub fn takes_typing(self) -> bool {
        matches!(self, Mode::Prompt | Mode::Picker | Mode::Filter)
    }
}

/// Choosing the product of an intent before confirming it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picker {
    /// The intent being fixed.
    pub key: IntentKey,
    /// A link number, part of a name or SKU, or pinyin initials.
    pub query: String,
    /// Index into the products the query matches.
    pub selected: usize,
}

/// One buyer's orders, as the store last reported them.
#[derive(Debug, Clone, PartialEq)]
pub struct CartView {
    /// How the store tells the buyer apart (`id:…` or `name:…`).
    pub buyer: String,
    /// The name chat showed (raw: views sanitize).
    pub user: String,
    /// Oldest first; `None` until the store has answered.
    pub rows: Option<Vec<crate::store::OrderRow>>,
    pub selected: usize,
}

/// What a prompt's answer is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptFor {
    /// Units to add to a product's stock ("20"), or "=N" to set it.
    Restock(usize),
    /// A flash sale of a product: "count price minutes" ("50 19.9 10").
    Sale(usize),
}

/// A line the helper is typing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    pub purpose: PromptFor,
    pub input: String,
    /// Why the last Enter was not taken (shown under the input).
    pub error: Option<PromptError>,
}

/// A prompt's line that could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptError {
    /// A restock wants a whole number ("20", "-5", or "=50").
    Stock,
    /// A sale wants "count price minutes" ("50 19.9 10").
    Sale,
}

/// A decision this run can take back with `u`.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// A confirmed or rejected intent: the row as it was when decided.
    Intent(Box<InboxItem>),
    /// A confirmed order the helper cancelled or changed by its number:
    /// undoing sets it back.
    Order {
        order_id: i64,
        /// Its quantity before; `None` when the order was cancelled.
        before_qty: Option<u32>,
    },
}

/// A decision about many intents at once, asked before it is made so the
/// helper sees how many it concerns. The keys are those counted when asked.
#[derive(Debug, Clone, PartialEq)]
pub enum Bulk {
    /// Reject every pending intent of one product.
    RejectProduct {
        product: usize,
        keys: Vec<IntentKey>,
    },
    /// Reject every pending intent older than `minutes`.
    RejectOlder { minutes: i64, keys: Vec<IntentKey> },
    /// Confirm every sure pending order of the product on air, oldest first:
    /// `units` ordered in all against `stock` left.
    ConfirmOnAir {
        product: usize,
        keys: Vec<IntentKey>,
        units: u64,
        stock: i64,
    },
    /// End the flash sale running on a product.
    EndSale { product: usize },
    /// Set a product's stock to 0 (it sold out off the books, or the farmer
    /// stops selling it): audited, and every helper sees it.
    SoldOut { product: usize },
    /// Teach the engine `phrase` as a name of `product` (the helper picked
    /// that product for an intent the engine read `phrase` in).
    TeachAlias {
        phrase: String,
        product: usize,
        msg_id: String,
    },
}

impl Bulk {
    pub fn keys(&self) -> &[IntentKey] {
        match self {
            Bulk::RejectProduct { keys, .. }
            | Bulk::RejectOlder { keys, .. }
            | Bulk::ConfirmOnAir { keys, .. } => keys,
            Bulk::EndSale { .. } | Bulk::SoldOut { .. } | Bulk::TeachAlias { .. } => &[],
        }
    }
}

/// What the run may decide without a person.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Policy {
    /// Confirm sure enough intents as they arrive (headless `--auto-confirm`).
    pub auto_confirm: bool,
}

/// One chat source of the run: what the status bar and the chat pane say of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceState {
    /// The config's name for it (shown when the run has several sources).
    pub name: String,
    /// The address from the config, shown while connecting.
    pub url: String,
    /// The config's kind ("json", "bilibili", …).
    pub kind: &'static str,
    pub connection: Connection,
    /// The source masks buyers' names (Bilibili read anonymously), which
    /// the chat pane says.
    pub masked_names: bool,
}

impl SourceState {
    pub fn new(config: &crate::config::SourceConfig) -> Self {
        SourceState {
            name: config.name.clone(),
            url: config.url.clone(),
            kind: config.kind.name(),
            connection: Connection::Connecting,
            masked_names: matches!(
                config.kind,
                crate::config::SourceKind::Bilibili { uid: 0, .. }
            ),
        }
    }

    /// The source stopped for good (it will not retry).
    pub fn has_ended(&self) -> bool {
        match &self.connection {
            Connection::NotReached { reason, .. } | Connection::Reconnecting { reason, .. } => {
                reason.retry_in.is_none()
            }
            Connection::Connecting | Connection::Connected => false,
        }
    }

    /// A replay that played its recording to the end: not trouble.
    pub fn is_finished(&self) -> bool {
        match &self.connection {
            Connection::NotReached { reason, .. } | Connection::Reconnecting { reason, .. } => {
                reason.kind == crate::chat::OutageKind::Finished
            }
            Connection::Connecting | Connection::Connected => false,
        }
    }

    /// Not connected and not trying for the first time (nor finished):
    /// why is worth saying.
    pub fn is_down(&self) -> bool {
        matches!(
            self.connection,
            Connection::NotReached { .. } | Connection::Reconnecting { .. }
        ) && !self.is_finished()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Connection {
    Connecting,
    Connected,
    /// Not connected once in this run: the attempts so far failed (told
    /// at `at_ms`), and nothing can have been missed yet.
    NotReached {
        reason: Outage,
        at_ms: i64,
    },
    /// The connection was lost at `since_ms`; the source is retrying (the
    /// latest failure told at `at_ms`).
    Reconnecting {
        reason: Outage,
        at_ms: i64,
        since_ms: i64,
    },
}

/// A confirmed order shown in the recent-orders line.
#[derive(Debug, Clone, PartialEq)]
pub struct RecentOrder {
    pub order_id: i64,
    pub action: OrderAction,
    pub user: String,
    pub name: String,
    pub qty: u32,
    pub total_fen: Fen,
}

/// Something the helper should read on the status/notice line. Kept as data
/// so the view words it in the screen's language.
#[derive(Debug, Clone, PartialEq)]
pub enum Notice {
    Refused(Refusal),
    StoreFailed(StoreError),
    /// The intent names no product and is not a cancel/change, so it cannot be confirmed.
    NoProduct,
    /// `u` with no decision of this run left to take back.
    NothingToUndo,
    /// A bulk key found no pending intent it applies to.
    NothingMatches,
    /// Config stock differs from the database's, which is kept:
    /// (sku, stock in config, stock in database).
    StockKept(Vec<(String, i64, i64)>),
    /// A stock change was not made.
    StockRefused(String),
    /// Stock of a product was changed: (sku, before, after).
    StockChanged(String, i64, i64),
    /// A flash sale was not started or ended.
    SaleRefused(String),
    /// A phrase was learned as a product's name: (phrase, product name).
    Learned(String, String),
    /// A phrase was not learned.
    LearnRefused(String),
    /// `g`: the selected intent's message is no longer in the chat history
    /// (older than the last `CHAT_CAPACITY` lines, or from an earlier run).
    ChatLineGone,
    /// The chat record could not be written and stopped; the run goes on.
    RecordStopped(crate::chat::record::RecordFailure),
    /// Intents this laptop and another of the station both confirmed while
    /// the co-op could not be reached: (buyer, product, quantity) of the
    /// first, and how many there were.
    DecidedTwice {
        user: String,
        product: String,
        qty: u32,
        count: usize,
    },
}

#[derive(Debug, Clone)]
pub struct Model {
    pub shop_name: String,
    pub language: Language,
    pub catalog: Catalog,
    /// Who confirms from this screen (goes into every confirm/reject).
    pub helper: String,
    pub keymap: Keymap,
    /// The products with their inventory, in catalog order (indices match
    /// `Catalog::products`, and intents refer to products by them).
    pub products: Vec<ProductRow>,
    /// The order of selling: every index of `products` once, first to sell
    /// first. Views list products in this order and `]`/`[` follow it; it
    /// is kept in the database so it outlives the run and other helpers
    /// follow it. Link numbers stay the platform's.
    pub queue: Vec<usize>,
    /// The product selected in the queue while `mode` is `Products` (an
    /// index into `products`, so it stays on its product when the order
    /// changes).
    pub queue_selected: usize,
    /// `p` on a wide screen hid the product pane (the inbox takes the width).
    pub products_hidden: bool,
    /// The terminal's size as the shell last said (`Msg::Resize`); (0, 0)
    /// where there is no screen (headless runs, tests that never say).
    pub screen: (u16, u16),
    /// Index into `products` of the product on air; `None` only when the catalog is empty.
    pub on_air: Option<usize>,
    /// The inbox, oldest first: at most `INBOX_WINDOW` undecided intents
    /// (the oldest the database holds, and those arriving while there is room).
    pub inbox: Vec<InboxItem>,
    /// Undecided intents the database holds beyond those in `inbox`, as far
    /// as this run knows (the store's count, kept up between its reports).
    pub inbox_more: u64,
    /// A page of undecided intents has been asked of the store.
    pub(crate) page_in_flight: bool,
    /// Index into `inbox` of the selected row (meaningless when the inbox is
    /// empty). With a filter set it is kept on a row the filter shows; when
    /// none does, nothing is selected (`selected_item` is `None`), so y/n
    /// never act on a row the helper cannot see.
    pub selected: usize,
    /// The inbox filter (`/`): rows whose text, buyer or product matches.
    /// `None` (or empty) shows every row.
    pub filter: Option<String>,
    /// `G`: each buyer's rows sit together, in the order of their first row.
    pub group_by_buyer: bool,
    /// `g`: the intent whose chat line is marked in the chat pane; the mark
    /// shows while that intent is the selected one.
    pub chat_mark: Option<IntentKey>,
    pub chat: VecDeque<ChatEntry>,
    /// How many lines the chat view sits above the newest; 0 follows new messages.
    pub chat_scroll: usize,
    /// Newest last.
    pub recent_orders: VecDeque<RecentOrder>,
    /// Orders this run confirmed (for the summary on quit).
    pub confirmed_this_run: u32,
    /// The run's chat sources, in the config's order (`SourceId` indexes it).
    pub sources: Vec<SourceState>,
    /// How the station stands with the co-op: `None` without `[coop]`.
    pub coop: Option<crate::coop::link::CoopStatus>,
    /// Decisions waiting on their claim in the station's shared inbox:
    /// the store job to run once this desk has it, and when it was asked.
    pub claims: std::collections::HashMap<IntentKey, (crate::store::StoreJob, i64)>,
    /// Each sender's recent words and open orders, for reading their next
    /// message in context.
    pub senders: crate::app::senders::SenderBook,
    /// The config file's name, for the hint when the source cannot be
    /// reached (`None` for the built-in sample).
    pub config_file: Option<String>,
    /// Chat messages a second, averaged over `RATE_WINDOW_MS`.
    pub msg_rate: f32,
    /// Messages counted since the last tick, folded into `rate_buckets` on the next tick.
    pub(crate) arrivals_since_tick: u32,
    /// (tick time, messages since the previous tick), oldest first.
    pub(crate) rate_buckets: VecDeque<(i64, u32)>,
    /// The time of the last tick (the screen's clock); 0 before the first tick.
    pub now_ms: i64,
    /// The time of the first tick: the message rate's window fills from it.
    pub(crate) first_tick_ms: Option<i64>,
    /// Local time offset for clock display, set by the runtime (tests keep UTC).
    pub utc_offset_secs: i32,
    pub mode: Mode,
    /// The mode the help was opened from while `mode` is `Help`: its keys
    /// are the ones listed, and closing the help goes back to it.
    pub help_under: Mode,
    /// How many entries the help is scrolled down (when it does not fit).
    pub help_scroll: usize,
    /// Ring the bell when an intent arrives into an empty inbox (`[shop] bell`).
    pub bell: bool,
    /// The bulk decision asked about while `mode` is `Ask`.
    pub question: Option<Bulk>,
    /// The mode a question or prompt was opened from, and goes back to when
    /// it closes (the queue's `x`, `R`, `F` return to the queue).
    pub(crate) opened_from: Mode,
    pub policy: Policy,
    /// Sure intents waiting for the auto-confirm policy, oldest first.
    /// They go to the store in arrival order, at most `AUTO_WINDOW` at a
    /// time: enough that a burst shares commits (the store commits the
    /// confirms it finds queued together), few enough that a run that stops
    /// while the store is slow has sent little it must still wait for.
    pub(crate) auto_queue: VecDeque<IntentKey>,
    /// The auto-confirmations the store is working on.
    pub(crate) auto_in_flight: std::collections::HashSet<IntentKey>,
    /// Decisions this run made that can be taken back, newest last: the
    /// rows as they were when decided (confirmed orders and rejections).
    pub(crate) decisions: VecDeque<Decision>,
    /// The decision the store is taking back.
    pub(crate) undoing: Option<InboxItem>,
    /// The order whose cancel or change the store is taking back.
    pub(crate) undoing_order: Option<i64>,
    /// The product picker while `mode` is `Picker`.
    pub picker: Option<Picker>,
    /// The buyer's cart shown while `mode` is `Cart`.
    pub cart: Option<CartView>,
    /// The line being typed while `mode` is `Prompt`.
    pub prompt: Option<Prompt>,
    /// The orders view, kept while a cart opened from it is on screen.
    pub orders_view: Option<OrdersView>,
    /// The store's latest orders figures (the orders view and the board).
    pub summary: Option<OrdersSummary>,
    /// A summary is with the store.
    pub(crate) summary_in_flight: bool,
    /// Orders changed since the summary was read.
    pub(crate) summary_stale: bool,
    /// The tick time of the last summary asked for.
    pub(crate) last_summary_ms: i64,
    /// The selected row of the waitlist view (among `waitlist_rows`).
    pub waitlist_selected: usize,
    /// Products no longer in config that the database still holds (their
    /// orders are kept), as the store last reported them.
    pub retired: Vec<StockRow>,
    /// How far this run has followed the database (other helpers'
    /// decisions); `None` until the store has said where it is.
    pub(crate) sync_cursor: Option<SyncCursor>,
    /// A sync is with the store.
    pub(crate) sync_in_flight: bool,
    /// The tick time of the last sync asked for.
    pub(crate) last_sync_ms: i64,
    /// When this run last moved the product on air: a sync read before the
    /// move was written must not move it back.
    pub(crate) on_air_moved_ms: Option<i64>,
    /// When this run last changed the order of selling: a sync read before
    /// the change was written must not undo it.
    pub(crate) queue_moved_ms: Option<i64>,
    /// The notice and the tick time it was raised at.
    pub notice: Option<(Notice, i64)>,
    /// The run is ending: nothing new is sent to the store (the auto-confirm
    /// queue stops), while answers still coming in are still told.
    pub quitting: bool,
}

impl Model {
    /// A model for the configured shop, before the store has reported anything:
    /// the queue shows the config's initial stock until `StoreEvent::Inventory` arrives.
    pub fn new(config: &Config, helper: &str) -> Model {
        let catalog = config.catalog.clone();
        let products = catalog
            .products
            .iter()
            .map(|p| ProductRow {
                sku: p.sku.clone(),
                name: p.name.clone(),
                link: p.link,
                unit: p.unit.clone(),
                price_fen: p.price_fen,
                stock: p.stock,
                pool: 0,
                sold: 0,
                revenue_fen: 0,
                sale: None,
            })
            .collect::<Vec<_>>();
        let on_air = if products.is_empty() { None } else { Some(0) };
        let queue = (0..products.len()).collect();
        Model {
            shop_name: config.shop.name.clone(),
            language: config.shop.language,
            catalog,
            helper: helper.to_string(),
            keymap: config.keymap.clone(),
            products,
            queue,
            queue_selected: 0,
            products_hidden: false,
            screen: (0, 0),
            on_air,
            inbox: Vec::new(),
            inbox_more: 0,
            page_in_flight: false,
            selected: 0,
            filter: None,
            group_by_buyer: false,
            chat_mark: None,
            chat: VecDeque::new(),
            chat_scroll: 0,
            recent_orders: VecDeque::new(),
            confirmed_this_run: 0,
            coop: config
                .coop
                .as_ref()
                .map(|_| crate::coop::link::CoopStatus::Connecting),
            claims: Default::default(),
            sources: config.sources.iter().map(SourceState::new).collect(),
            senders: Default::default(),
            config_file: config.path.as_ref().map(|p| p.display().to_string()),
            msg_rate: 0.0,
            arrivals_since_tick: 0,
            rate_buckets: VecDeque::new(),
            now_ms: 0,
            first_tick_ms: None,
            utc_offset_secs: 0,
            mode: Mode::Inbox,
            help_under: Mode::Inbox,
            help_scroll: 0,
            bell: config.shop.bell,
            question: None,
            opened_from: Mode::Inbox,
            policy: Policy::default(),
            auto_queue: VecDeque::new(),
            auto_in_flight: std::collections::HashSet::new(),
            decisions: VecDeque::new(),
            undoing: None,
            undoing_order: None,
            prompt: None,
            orders_view: None,
            summary: None,
            summary_in_flight: false,
            summary_stale: false,
            last_summary_ms: 0,
            waitlist_selected: 0,
            picker: None,
            cart: None,
            retired: Vec::new(),
            sync_cursor: None,
            sync_in_flight: false,
            last_sync_ms: 0,
            on_air_moved_ms: None,
            queue_moved_ms: None,
            notice: None,
            quitting: false,
        }
    }

    /// The index of the product on air, as the intent engine wants it for bare orders.
    pub fn on_air(&self) -> Option<usize> {
        self.on_air
    }

    pub fn on_air_product(&self) -> Option<&ProductRow> {
        self.on_air.and_then(|i| self.products.get(i))
    }

    /// Undecided intents in all: those loaded and those waiting in the database.
    pub fn pending_total(&self) -> u64 {
        (self.inbox.len() as u64).saturating_add(self.inbox_more)
    }

    /// Whether the queue is being worked: it has the keys, or a question
    /// or prompt opened from it (`x`, `R`, `F`) covers it for a moment, and
    /// its selection stays in view beneath.
    pub fn queue_in_use(&self) -> bool {
        match self.mode {
            Mode::Products => true,
            Mode::Ask | Mode::Prompt => self.opened_from == Mode::Products,
            _ => false,
        }
    }

    /// Where a product stands in the order of selling (0 sells first).
    pub fn queue_position(&self, product: usize) -> Option<usize> {
        self.queue.iter().position(|&p| p == product)
    }

    /// The selected row, if it is on screen (see `selected`).
    pub fn selected_item(&self) -> Option<&InboxItem> {
        self.selected_index().map(|i| &self.inbox[i])
    }

    /// Index into `inbox` of the selected row, if it is on screen.
    pub fn selected_index(&self) -> Option<usize> {
        crate::app::rows::is_visible(self, self.selected).then_some(self.selected)
    }

    /// Whether several sources feed the run: then each buyer's line names
    /// its source.
    pub fn several_sources(&self) -> bool {
        self.sources.len() > 1
    }

    /// The name of source `id`, for showing beside a buyer: `None` when the
    /// run has one source (the name would say nothing).
    pub fn source_tag(&self, id: SourceId) -> Option<&str> {
        if !self.several_sources() {
            return None;
        }
        self.sources.get(id).map(|s| s.name.as_str())
    }

    /// The sources that mask buyers' names (Bilibili read anonymously).
    pub fn masked_sources(&self) -> impl Iterator<Item = &SourceState> {
        self.sources.iter().filter(|s| s.masked_names)
    }

    pub fn product(&self, index: Option<usize>) -> Option<&ProductRow> {
        index.and_then(|i| self.products.get(i))
    }

    /// Sales so far as the store reports them: (units sold, money in fen).
    pub fn sales_total(&self) -> (i64, Fen) {
        self.products.iter().fold((0, 0), |(units, fen), p| {
            (units + p.sold, fen.saturating_add(p.revenue_fen))
        })
    }
}

// The order book's views (issue 9): the orders view's state and the
// waitlist's rows, read by `update` and the views alike.

/// The orders view's own state (the figures are `Model::summary`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OrdersView {
    /// Index into the summary's buyers.
    pub selected: usize,
    /// A buyer's cart was opened from the view: Esc there comes back here.
    pub cart_open: bool,
}

/// One row of the waitlist view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaitRow {
    /// Index into `Model::inbox`.
    pub item: usize,
    /// Index into `Model::products`.
    pub product: usize,
    /// Place in the product's line, from 1 (offered ones hold theirs).
    pub place: u32,
    /// Stock covers it now: it can be confirmed.
    pub offered: bool,
}

impl Model {
    /// The intents waiting for stock, per product in queue order, each
    /// product's in line order (arrival, as the store serves them). One
    /// pass over the inbox, then a sort of the few waiting.
    pub fn waitlist_rows(&self) -> Vec<WaitRow> {
        let mut rows: Vec<WaitRow> = self
            .inbox
            .iter()
            .enumerate()
            .filter_map(|(i, item)| {
                let offered = match item.state {
                    IntentState::Offered => true,
                    IntentState::Waitlisted { .. } => false,
                    _ => return None,
                };
                Some(WaitRow {
                    item: i,
                    product: item.product?,
                    place: 0,
                    offered,
                })
            })
            .collect();
        // Stable: the inbox is in arrival order already.
        rows.sort_by_key(|row| row.product);
        let mut place = 0;
        for i in 0..rows.len() {
            place = if i > 0 && rows[i - 1].product == rows[i].product {
                place + 1
            } else {
                1
            };
            rows[i].place = place;
        }
        rows
    }
}
