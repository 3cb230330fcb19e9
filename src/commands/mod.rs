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
use crate::config::Config;
use crate::intent::Engine;
use crate::store::{SeedReport, Store};
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

/// The chat sources running for a session.
pub struct RunningSources {
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
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
    }
}

/// A session on the config's sources, stopped by `signals`, with the
/// sources started.
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
    let tasks = crate::chat::spawn_all(&config.sources, tx, shutdown_rx);
    let session = Session {
        model,
        engine,
        store,
        seed,
        chat,
        stop: stop_on_signal(signals),
        flush_within,
    };
    (session, RunningSources { shutdown, tasks })
}
