//! Chat sources: tasks that own a connection to a live chat and turn what it
//! sends into `SourceEvent`s on a bounded channel, plus the simulated chat
//! (generator and websocket server) that `livestall demo` and `livestall sim` run.
//!
//! Every front end starts a source through `spawn`, which picks the
//! implementation by the config's `kind`: a new platform is one new file
//! here, one arm there, and its recorded frames under tests/.

use crate::config::{SourceConfig, SourceKind};
use serde::Serialize;
use tokio::sync::{mpsc, watch};

pub mod dedupe;
pub mod frame;
pub mod outage;
pub mod protocol;
pub mod sim;
pub mod sim_server;
pub mod twitch;
pub mod websocket;

pub use dedupe::RecentIds;
pub use frame::{decode_frame, FrameError};
pub use outage::{Outage, OutageKind};
pub use sim::{SimChat, SimIntent, SimMessage, SimOrder};
pub use sim_server::{serve, SimOptions};
pub use websocket::{run_json_source, run_json_source_with, JsonSourceOptions};

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
    /// The connection dropped or could not be made, and why; the source
    /// retries with backoff.
    Disconnected(Outage),
    Message(ChatMessage),
}

/// Starts the chat source `config` describes. It sends `SourceEvent`s on
/// `events` (reconnecting on its own) until `shutdown` turns true or nobody
/// listens any more.
pub fn spawn(
    config: SourceConfig,
    events: mpsc::Sender<SourceEvent>,
    shutdown: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    match config.kind {
        SourceKind::Json => tokio::spawn(websocket::run_json_source(config, events, shutdown)),
    }
}
