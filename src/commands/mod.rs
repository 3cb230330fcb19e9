//! The command-line verbs, as library functions so tests drive them too.
//! src/main.rs only parses arguments and calls these.

pub mod aliases;
pub mod board;
pub mod book;
pub mod export;
pub mod headless;
pub mod parse;
pub mod report;
pub mod sim;
pub mod tui;
pub mod xlsx;

use crate::app::driver::{stop_on_signal, Session, StopSignals, CHAT_QUEUE};
use crate::app::Model;
use crate::chat::dedupe::DEFAULT_CAPACITY;
use crate::chat::record::{recent_ids, Claim, Recorder};
use crate::chat::JsonSourceOptions;
use crate::config::{Config, SourceConfig, SourceKind};
use crate::intent::Engine;
use crate::store::{SeedReport, Store};
use std::path::Path;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

/// The engine for the catalog plus the phrases helpers taught it. A store
/// that cannot list them costs the learned phrases, not the session.
pub async fn engine_with_learned(config: &Config, store: &Store) -> Engine {
    match crate::store::reply(store.learned_aliases()).await {
        Ok(learned) => Engine::with_learned(
            &config.catalog,
            learned.iter().map(|a| (a.phrase.as_str(), a.sku.as_str())),
        ),
        Err(error) => {
            tracing::warn!(%error, "learned aliases unavailable; reading with the catalog alone");
            Engine::new(&config.catalog)
        }
    }
}

/// The ids `source` recorded last in `folder` (none for a replay, which
/// plays its file as it is). Read off the runtime's threads: a busy day's
/// file is read from its end, but it is still a file.
async fn seen_ids(folder: &Path, source: &SourceConfig) -> Vec<String> {
    if matches!(source.kind, SourceKind::Replay { .. }) {
        return Vec::new();
    }
    let folder = folder.to_path_buf();
    // Today one unnamed source; its name goes here once sources have names.
    let read = tokio::task::spawn_blocking(move || recent_ids(&folder, "", DEFAULT_CAPACITY));
    let seen = read.await.unwrap_or_default();
    if !seen.is_empty() {
        tracing::info!(
            ids = seen.len(),
            "ids read before this run, from the chat record"
        );
    }
    seen
}

/// A chat source running for a session.
pub struct RunningSource {
    shutdown: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl RunningSource {
    /// Asks the source to stop and waits a moment for it to close cleanly.
    pub async fn stop(self) {
        let _ = self.shutdown.send(true);
        let mut task = self.task;
        if tokio::time::timeout(Duration::from_secs(2), &mut task)
            .await
            .is_err()
        {
            task.abort();
        }
    }
}

/// A session on `source`, stopped by `signals`, with the source started.
/// Received chat is recorded as `[record]` says, and the ids recorded
/// last are the source's already-read ones, so a relay replaying its
/// history after a restart is not read twice.
pub async fn start(
    config: &Config,
    store: Store,
    source: SourceConfig,
    model: Model,
    seed: SeedReport,
    flush_within: Duration,
    signals: StopSignals,
) -> (Session, RunningSource) {
    let engine = engine_with_learned(config, &store).await;
    let (tx, chat) = mpsc::channel(CHAT_QUEUE);
    let (shutdown, shutdown_rx) = watch::channel(false);
    // Only the run that records to the folder takes its ids as read: a
    // second run on it at the same time reads the chat for itself.
    let (record, seen) = match config
        .record
        .enabled
        .then(|| Recorder::claim(config.record_folder()))
    {
        Some(Claim::Recorder(recorder)) => {
            let seen = seen_ids(recorder.folder(), &source).await;
            (Some(recorder), seen)
        }
        Some(Claim::Busy) | None => (None, Vec::new()),
    };
    let opts = JsonSourceOptions {
        seen,
        ..JsonSourceOptions::default()
    };
    let task = crate::chat::spawn_with(source, opts, tx, shutdown_rx);
    let session = Session {
        model,
        engine,
        store,
        seed,
        chat,
        stop: stop_on_signal(signals),
        flush_within,
        record,
    };
    (session, RunningSource { shutdown, task })
}
