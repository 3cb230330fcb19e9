//! The application core (The Elm Architecture): one `Model`, one `Msg`, a pure
//! `update`, and the loop that runs effects on the tasks owning resources.
//!
//! - `model`: everything the screen shows.
//! - `msg`: everything that happens (`Msg`) and everything the loop must do (`Effect`).
//! - `update`: the only place the model changes; pure and synchronous.
//! - `keymap`: key bindings as data.
//! - `runtime`: the `tokio::select!` loop that owns the terminal and runs effects.

pub mod keymap;
pub mod model;
pub mod msg;
pub mod runtime;
pub mod update;

pub use keymap::{Action, Keymap};
pub use model::{
    ChatEntry, ChatLine, Connection, InboxItem, IntentState, Model, Notice, ProductRow, Reading,
    RecentOrder,
};
pub use msg::{Effect, Msg, SourceStatus, StoreReply};
pub use runtime::{run_tui, TuiSetup};
pub use update::update;
