//! The command-line verbs, as library functions so tests drive them too.
//! src/main.rs only parses arguments and calls these.

pub mod aliases;
pub mod headless;
pub mod parse;
pub mod report;
pub mod sim;
pub mod tui;

use crate::config::Config;
use crate::intent::Engine;
use crate::store::Store;

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
