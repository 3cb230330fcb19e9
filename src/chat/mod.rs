//! Chat sources: tasks that own a connection to a live chat and turn what it
//! sends into `SourceEvent`s on a bounded channel.

use serde::Serialize;

/// One chat message, as every source delivers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChatMessage {
    /// The platform's message id (or a stable one derived from the frame).
    pub id: String,
    pub user: String,
    pub user_id: Option<String>,
    pub text: String,
    /// Sender's timestamp in Unix milliseconds, when the platform gives one.
    pub ts: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceEvent {
    Connected,
    /// The connection dropped or could not be made; the source retries with backoff.
    Disconnected {
        reason: String,
    },
    Message(ChatMessage),
}
