//! `Msg`: everything that can happen to the app, grouped by origin; `Effect`:
//! everything `update` asks the driver to do on the tasks that own resources;
//! `Command`: what a helper can ask for, by key or by a JSON command line.

use crate::app::event::Event;
use crate::catalog::Fen;
use crate::chat::{ChatMessage, Outage, SourceId};
use crate::store::{IntentKey, StockTo, StoreEvent, StoreJob};
use crossterm::event::KeyEvent;

#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    /// The run has begun: the core asks for what the database holds and
    /// announces the product on air.
    Started,
    Key(KeyEvent),
    /// A command from a program driving the run (headless mode's stdin);
    /// `line` is its line number, for the error event that answers a bad one.
    Command {
        line: u64,
        command: Command,
    },
    /// A command line that could not be read as a command.
    BadCommand {
        line: u64,
        error: String,
    },
    /// A chat message as a source delivered it, read by the core against the
    /// product on air when it arrives.
    Chat {
        /// Which of the run's sources sent it.
        source: SourceId,
        message: ChatMessage,
        /// When livestall received it (Unix ms).
        received_at_ms: i64,
    },
    /// A source's connection news.
    Source {
        source: SourceId,
        status: SourceStatus,
    },
    /// The chat record failed and stopped (told once); chat goes on.
    RecordStopped(crate::chat::record::RecordFailure),
    Store(StoreEvent),
    /// How the station stands with the co-op (runs with `[coop]` only).
    Coop(crate::coop::link::CoopStatus),
    /// What the co-op's pool has of each product (runs with `[coop]`).
    CoopPools(crate::coop::link::Pools),
    /// A claim's answer, or a warning, from the co-op link.
    CoopNews(crate::coop::link::LinkNews),
    /// The clock, in Unix ms: the only way time enters the model.
    Tick(i64),
    /// The terminal's size, in cells: sent by the screen's shell at start
    /// and whenever it changes (`Model::screen`).
    Resize {
        width: u16,
        height: u16,
    },
    /// A mouse click or wheel turn at a cell of the screen.
    Mouse(Mouse),
}

/// What the mouse did, where (0-based cell column and row).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mouse {
    pub kind: MouseKind,
    pub column: u16,
    pub row: u16,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MouseKind {
    /// The left button went down.
    Click,
    /// The wheel turned away from the user (content moves to older lines).
    WheelUp,
    WheelDown,
}

/// What a helper asks for, whichever shell it came through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    OnAir(ProductRef),
    Confirm(IntentKey),
    Reject(IntentKey),
    /// Take back this run's last confirmation or rejection.
    Undo,
    /// Cancel a confirmed order; its units go back to stock.
    CancelOrder(i64),
    /// Set a confirmed order's quantity (0 cancels it).
    SetQty {
        order_id: i64,
        qty: u32,
    },
    /// Reject every undecided intent of a product.
    RejectProduct(ProductRef),
    /// Reject every undecided intent older than this many minutes.
    RejectOlder {
        minutes: u32,
    },
    /// Confirm every sure undecided order of the product on air, oldest first.
    ConfirmOnAir,
    /// Set (`StockTo::Set`) or add to (`StockTo::Add`, a restock) a product's stock.
    Stock {
        product: ProductRef,
        to: StockTo,
    },
    /// Start a flash sale: `qty` units at `price_fen` for `minutes`.
    SaleStart {
        product: ProductRef,
        qty: u32,
        price_fen: Fen,
        minutes: u32,
    },
    SaleEnd(ProductRef),
    /// Move a product to place `to` in the order of selling (0 sells
    /// first; past the end means last).
    MoveProduct {
        product: ProductRef,
        to: usize,
    },
    /// Set a product's stock to 0.
    SoldOut(ProductRef),
    Quit,
}

/// A product as a command names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProductRef {
    Sku(String),
    Link(u32),
}

/// A source's connection news (its messages arrive as `Msg::Chat`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceStatus {
    Connected,
    /// Not connected, and why (the source retries on its own).
    Disconnected(Outage),
    /// The source dropped this many replayed messages (history a relay sent
    /// again after a reconnect) before a new one.
    SkippedReplays(u32),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Hand a job to the store thread; it answers with `Msg::Store`.
    Store(StoreJob),
    /// Tell whoever watches the run what happened (headless mode's event
    /// lines; the screen shows the model instead).
    Publish(Event),
    /// Ring the terminal bell (the screen's shell does; others ignore it).
    Bell,
    /// Ask the co-op link (ignored without one).
    Coop(crate::coop::link::LinkRequest),
    Quit,
}
