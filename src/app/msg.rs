//! `Msg`: everything that can happen to the app, grouped by origin; `Effect`:
//! everything `update` asks the loop to do on the tasks that own resources.

use crate::chat::ChatMessage;
use crate::intent::Intent;
use crate::store::{
    ConfirmRequest, Confirmed, IntentKey, NewIntent, PendingIntent, Refusal, SeedReport, StockRow,
    StoreError,
};
use crossterm::event::KeyEvent;

#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    Key(KeyEvent),
    /// A chat message, the intents the engine read in it (parsed against the
    /// model's on-air product), and when livestall received it (Unix ms).
    Chat(ChatMessage, Vec<Intent>, i64),
    Source(SourceStatus),
    Store(StoreReply),
    /// The clock, in Unix ms: the only way time enters the model.
    Tick(i64),
    Resize,
}

/// A source's connection news (its messages arrive as `Msg::Chat`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceStatus {
    Connected,
    Disconnected { reason: String },
}

/// The store's answers, each tied to the intent it concerns.
#[derive(Debug, Clone, PartialEq)]
pub enum StoreReply {
    Confirmed(IntentKey, Confirmed),
    Refused(IntentKey, Refusal),
    Rejected(IntentKey),
    Failed(IntentKey, StoreError),
    Inventory(Vec<StockRow>),
    Pending(Vec<PendingIntent>),
    /// Intents just recorded that the database had decided before (replayed
    /// chat after a restart or reconnect): they leave the inbox.
    AlreadyDecided(Vec<IntentKey>),
    /// What opening the store did with config stock (shown when config and
    /// database disagree: the database's stock is kept).
    Seeded(SeedReport),
    /// Loading inventory or pending intents failed (no intent concerned).
    LoadFailed(StoreError),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Persist newly detected intents as pending (the store batches them);
    /// answer with `StoreReply::AlreadyDecided` for those decided before.
    RecordIntents(Vec<NewIntent>),
    /// Commit the helper's confirmation; answer with `StoreReply::Confirmed/Refused/Failed`.
    Confirm(ConfirmRequest),
    /// Mark an intent rejected; answer with `StoreReply::Rejected/Failed`.
    Reject {
        key: IntentKey,
        helper: String,
    },
    Quit,
}
