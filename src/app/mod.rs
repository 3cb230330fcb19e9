//! The application core (The Elm Architecture): one `Model`, one `Msg`, a pure
//! `update`, and one driver loop that every front end (shell) runs.
//!
//! - `model`: everything the screen shows and the policies the run follows.
//! - `msg`: everything that happens (`Msg`), what a helper can ask (`Command`)
//!   and everything the driver must do (`Effect`).
//! - `event`: what happened, told to front ends that do not draw the model.
//! - `update`: the only place the model changes; pure and synchronous.
//! - `keymap`: key bindings as data, looked up by (mode, key).
//! - `rows`: which inbox rows are on screen, in what order (filter, grouping).
//! - `driver`: the `tokio::select!` loop: shell input, chat, store events,
//!   clock and stop in; effects out to the store and the shell.
//! - `tui`, `headless`: the two shells (keys and frames; JSON commands and
//!   event lines).

pub mod driver;
pub mod event;
pub mod headless;
pub mod keymap;
pub mod model;
pub mod msg;
pub mod rows;
pub mod senders;
pub mod tui;
pub mod update;

pub use driver::{stop_on_signal, Flush, Session, StopSignals};
pub use event::Event;
pub use keymap::{Action, Keymap, Scope};
pub use model::{
    ChatEntry, ChatLine, Connection, InboxItem, IntentState, Mode, Model, Notice, Policy,
    ProductRow, Reading, RecentOrder,
};
pub use msg::{Command, Effect, Mouse, MouseKind, Msg, ProductRef, SourceStatus};
pub use update::{update, CommandError};
