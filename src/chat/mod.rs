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

pub mod bilibili;
pub mod dedupe;
pub mod frame;
pub mod outage;
pub mod protocol;
pub mod record;
pub mod replay;
pub mod sim;
pub mod sim_server;
pub mod twitch;
pub mod websocket;

pub use dedupe::RecentIds;
pub use frame::{decode_frame, FrameError};
pub use outage::{Outage, OutageKind};
pub use sim::{SimChat, SimIntent, SimMessage, SimOrder};
pub use sim_server::{serve, SimOptions};
pub use websocket::{run_json_source, run_json_source_with, run_source_with, JsonSourceOptions};

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

/// Makes a message safe before anything else sees it (the model, the
/// database, the screen, the record): escape sequences, controls, bidi
/// overrides and isolates, zero-width and tag characters removed from the
/// text, the name and the user id, whitespace folded, lengths capped.
/// Returns false when nothing readable is left of the text.
pub fn ingest(message: &mut ChatMessage) -> bool {
    use crate::sanitize::sanitize_capped;
    message.text = sanitize_capped(&message.text, frame::MAX_TEXT_CHARS);
    message.user = sanitize_capped(&message.user, frame::MAX_USER_CHARS);
    message.user_id = message
        .user_id
        .as_deref()
        .map(|id| sanitize_capped(id, frame::MAX_USER_CHARS))
        .filter(|id| !id.is_empty());
    !message.text.is_empty()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceEvent {
    Connected,
    /// The connection dropped or could not be made, and why; the source
    /// retries with backoff.
    Disconnected(Outage),
    Message(ChatMessage),
    /// Messages a relay sent again after a reconnect (its history), dropped
    /// as already read: told once the replay is over, so a quiet chat after
    /// a reconnect is not a mystery.
    SkippedReplays(u32),
    /// A recording put this product (a SKU) on air here (see `replay`).
    OnAir(String),
}

/// Which of a run's sources (its place in the config's list).
pub type SourceId = usize;

/// A source's event, with the source that sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceNews {
    pub source: SourceId,
    pub event: SourceEvent,
}

/// How many events one source may have in hand before the shared queue
/// takes them (the shared queue is the one that absorbs a flood).
const PER_SOURCE_QUEUE: usize = 256;

/// Starts every source of a run. Their events arrive on `news`, each told
/// by its place in `configs`; with several sources, a message's id is
/// prefixed with its source's name (`douyin:123`), so two platforms' ids
/// never meet. A source that ends on its own (not by `shutdown`) is told
/// as `Disconnected(Outage::stopped())`; `news` closes when all have ended.
/// `seen[i]` holds the platform ids source `i` read before this run (see
/// `record::recent_ids`); missing entries are none.
pub fn spawn_all(
    configs: &[SourceConfig],
    mut seen: Vec<Vec<String>>,
    news: mpsc::Sender<SourceNews>,
    shutdown: watch::Receiver<bool>,
) -> Vec<tokio::task::JoinHandle<()>> {
    let several = configs.len() > 1;
    seen.resize_with(configs.len(), Vec::new);
    let mut tasks = Vec::with_capacity(configs.len() * 2);
    for ((source, config), seen) in configs.iter().enumerate().zip(seen) {
        let prefix = several.then(|| config.name.clone());
        let (tx, mut rx) = mpsc::channel(PER_SOURCE_QUEUE);
        let opts = JsonSourceOptions {
            seen,
            ..JsonSourceOptions::default()
        };
        tasks.push(spawn_with(config.clone(), opts, tx, shutdown.clone()));
        let news = news.clone();
        let stopping = shutdown.clone();
        tasks.push(tokio::spawn(async move {
            // Whether the source said it ended (a replay that finished).
            let mut said_ended = false;
            while let Some(mut event) = rx.recv().await {
                if let (Some(prefix), SourceEvent::Message(message)) = (&prefix, &mut event) {
                    message.id = format!("{prefix}:{}", message.id);
                }
                said_ended = matches!(&event, SourceEvent::Disconnected(o) if o.retry_in.is_none());
                if news.send(SourceNews { source, event }).await.is_err() {
                    return;
                }
            }
            if !said_ended && !*stopping.borrow() {
                tracing::error!(source, "a chat source stopped");
                let event = SourceEvent::Disconnected(Outage::stopped());
                let _ = news.send(SourceNews { source, event }).await;
            }
        }));
    }
    tasks
}

/// Starts the chat source `config` describes. It sends `SourceEvent`s on
/// `events` (reconnecting on its own) until `shutdown` turns true or nobody
/// listens any more.
pub fn spawn(
    config: SourceConfig,
    events: mpsc::Sender<SourceEvent>,
    shutdown: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    spawn_with(config, JsonSourceOptions::default(), events, shutdown)
}

/// `spawn` with the websocket sources' options given: `opts.seen` carries
/// the ids read before this run (see `record::recent_ids`). A replay
/// plays its file as recorded and takes none of them.
pub fn spawn_with(
    config: SourceConfig,
    opts: JsonSourceOptions,
    events: mpsc::Sender<SourceEvent>,
    shutdown: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    match config.kind.clone() {
        SourceKind::Json => tokio::spawn(websocket::run_json_source_with(
            config, opts, events, shutdown,
        )),
        SourceKind::Replay { path, speed } => {
            tokio::spawn(replay::run_replay(path, speed, events, shutdown))
        }
        SourceKind::Bilibili {
            room,
            key,
            uid,
            buvid,
        } => tokio::spawn(async move {
            websocket::run_source_with(
                &config.url,
                move || bilibili::Bilibili::new(room, key.clone(), uid, buvid.clone()),
                opts,
                events,
                shutdown,
            )
            .await
        }),
        SourceKind::Twitch { channel } => tokio::spawn(async move {
            websocket::run_source_with(
                &config.url,
                move || {
                    // The channel was checked when the config was read.
                    twitch::Twitch::anonymous(&channel).expect("a checked channel name")
                },
                opts,
                events,
                shutdown,
            )
            .await
        }),
    }
}
