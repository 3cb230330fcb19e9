//! The command-line verbs, as library functions so tests drive them too.
//! src/main.rs only parses arguments and calls these.

pub mod aliases;
pub mod board;
pub mod book;
pub mod export;
pub mod headless;
pub mod hub;
pub mod parse;
pub mod report;
pub mod sim;
pub mod tui;
pub mod xlsx;

use crate::app::driver::{stop_on_signal, Session, StopSignals, CHAT_QUEUE};
use crate::app::Model;
use crate::chat::dedupe::DEFAULT_CAPACITY;
use crate::chat::record::{recent_ids, Claim, Recorder};
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
    let name = source.name.clone();
    let read = tokio::task::spawn_blocking(move || {
        // With several sources the record holds ids as the run saw them,
        // prefixed with the source's name; the source dedupes the
        // platform's own.
        let prefix = format!("{name}:");
        let mut ids = recent_ids(&folder, &name, DEFAULT_CAPACITY);
        for id in &mut ids {
            if let Some(own) = id.strip_prefix(&prefix) {
                *id = own.to_string();
            }
        }
        ids
    });
    let seen = read.await.unwrap_or_default();
    if !seen.is_empty() {
        tracing::info!(
            ids = seen.len(),
            source = %source.name,
            "ids read before this run, from the chat record"
        );
    }
    seen
}

/// The chat sources running for a session.
pub struct RunningSources {
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
    /// The co-op link, given longer to say goodbye (it gives back what the
    /// desk holds and pushes what is left).
    coop: Option<JoinHandle<()>>,
}

impl RunningSources {
    /// Asks the sources to stop and waits a moment for them to close cleanly.
    pub async fn stop(self) {
        let _ = self.shutdown.send(true);
        let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
        for mut task in self.tasks {
            if tokio::time::timeout_at(deadline, &mut task).await.is_err() {
                task.abort();
            }
        }
        if let Some(mut link) = self.coop {
            let farewell = crate::coop::link::FAREWELL_WAIT;
            if tokio::time::timeout(farewell, &mut link).await.is_err() {
                // What it could not tell, the next start's reconcile does.
                link.abort();
            }
        }
    }
}

/// A session on the config's sources, stopped by `signals`, with the
/// sources started. Received chat is recorded as `[record]` says, and the
/// ids recorded last are each source's already-read ones, so a relay
/// replaying its history after a restart is not read twice.
pub async fn start(
    config: &Config,
    store: Store,
    model: Model,
    seed: SeedReport,
    flush_within: Duration,
    signals: StopSignals,
) -> (Session, RunningSources) {
    let engine = engine_with_learned(config, &store).await;
    let (tx, chat) = mpsc::channel(CHAT_QUEUE);
    let (shutdown, shutdown_rx) = watch::channel(false);
    // Only the run that records to the folder takes its ids as read: a
    // second run on it at the same time reads the chat for itself.
    let mut seen = Vec::with_capacity(config.sources.len());
    let record = match config
        .record
        .enabled
        .then(|| Recorder::claim(config.record_folder()))
    {
        Some(Claim::Recorder(recorder)) => {
            for source in &config.sources {
                seen.push(seen_ids(recorder.folder(), source).await);
            }
            Some(recorder)
        }
        Some(Claim::Busy) | None => None,
    };
    let (coop, coop_task) = match &config.coop {
        Some(coop) => {
            let settings = crate::coop::link::LinkSettings::new(
                coop.clone(),
                config.catalog.clone(),
                &model.helper,
            );
            // Before the screen can confirm anything: stock this station
            // had on its own goes to the co-op (told when it is reached).
            if let Err(error) = crate::coop::link::join_all(&settings, &store).await {
                tracing::warn!(%error, "the station's products could not join the co-op");
            }
            let (handle, task) =
                crate::coop::link::spawn(settings, store.clone(), shutdown_rx.clone());
            (Some(handle), Some(task))
        }
        None => (None, None),
    };
    let tasks = crate::chat::spawn_all(&config.sources, seen, tx, shutdown_rx);
    let session = Session {
        model,
        engine,
        store,
        seed,
        chat,
        stop: stop_on_signal(signals),
        flush_within,
        record,
        coop,
    };
    (
        session,
        RunningSources {
            shutdown,
            tasks,
            coop: coop_task,
        },
    )
}
