//! The TUI verbs: `livestall` (the configured source) and `livestall demo`
//! (the same program on an in-process simulated chat on loopback).

use crate::app::runtime::{run_tui, TuiSetup};
use crate::chat::sim_server::{self, SimOptions};
use crate::chat::SourceEvent;
use crate::config::{Config, FieldMap, SourceConfig, SourceKind};
use crate::intent::Engine;
use crate::store::Store;
use anyhow::Context;
use tokio::sync::{mpsc, watch};

/// The TUI on the configured chat source. `helper` is recorded with every
/// decision taken on this screen.
pub async fn run_live(config: Config, store: Store, helper: String) -> anyhow::Result<()> {
    let source = config.require_source()?.clone();
    run_with_source(config, store, source, helper).await
}

/// The TUI on the simulator, served on loopback by this process: the demo
/// goes through the real websocket client like any relay.
pub async fn run_demo(mut config: Config, store: Store, helper: String) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .context("cannot open a loopback port for the simulated chat")?;
    let addr = listener.local_addr()?;
    let (stop_tx, stop_rx) = watch::channel(false);
    let opts = SimOptions {
        rate: 6.0,
        count: None,
        seed: chrono::Utc::now().timestamp_millis() as u64,
    };
    let server = tokio::spawn(sim_server::serve(
        listener,
        config.catalog.clone(),
        opts,
        stop_rx,
    ));
    let source = SourceConfig {
        kind: SourceKind::Json,
        url: format!("ws://{addr}/chat"),
        fields: FieldMap::default(),
    };
    config.source = Some(source.clone());
    let result = run_with_source(config, store, source, helper).await;
    let _ = stop_tx.send(true);
    server.abort();
    result
}

async fn run_with_source(
    config: Config,
    store: Store,
    source: SourceConfig,
    helper: String,
) -> anyhow::Result<()> {
    let (tx, rx) = mpsc::channel::<SourceEvent>(4096);
    let (stop_tx, stop_rx) = watch::channel(false);
    let source_task = tokio::spawn(crate::chat::websocket::run_json_source(source, tx, stop_rx));
    let engine = Engine::new(&config.catalog);
    let setup = TuiSetup {
        config,
        engine,
        store: store.clone(),
        events: rx,
        helper,
    };
    let result = run_tui(setup).await;
    let _ = stop_tx.send(true);
    source_task.abort();
    // Whatever the inbox recorded is committed before the process ends.
    if let Err(e) = crate::store::reply(store.flush()).await {
        tracing::error!("store flush at exit failed: {e}");
    }
    result
}
