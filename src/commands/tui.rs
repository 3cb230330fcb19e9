//! The TUI verbs: `livestall` (the configured source) and `livestall demo`
//! (the same program on an in-process simulated chat on loopback).

use crate::app::tui::FLUSH_ON_QUIT;
use crate::app::{Model, StopSignals};
use crate::chat::sim_server::{self, SimOptions};
use crate::config::{Config, FieldMap, SourceConfig, SourceKind};
use crate::store::{SeedReport, Store};
use anyhow::Context;
use tokio::sync::watch;

/// Who sits at this screen and what opening the store found.
pub struct Screen {
    /// Recorded with every decision taken on this screen.
    pub helper: String,
    /// Config stock that differs from the database's, shown on start.
    pub seed: SeedReport,
}

/// The TUI on the configured chat sources.
pub async fn run_live(config: Config, store: Store, screen: Screen) -> anyhow::Result<()> {
    config.require_sources()?;
    run_on_sources(config, store, screen).await
}

/// The TUI on the simulator, served on loopback by this process: the demo
/// goes through the real websocket client like any relay.
pub async fn run_demo(mut config: Config, store: Store, screen: Screen) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .context("cannot open a loopback port for the simulated chat")?;
    let addr = listener.local_addr()?;
    let (stop_tx, stop_rx) = watch::channel(false);
    let opts = SimOptions {
        rate: 6.0,
        count: None,
        seed: crate::clock::now_ms() as u64,
    };
    let server = tokio::spawn(sim_server::serve(
        listener,
        config.catalog.clone(),
        opts,
        stop_rx,
    ));
    config.sources = vec![SourceConfig {
        name: "demo".into(),
        kind: SourceKind::Json,
        url: format!("ws://{addr}/chat"),
        fields: FieldMap::default(),
    }];
    let result = run_on_sources(config, store, screen).await;
    let _ = stop_tx.send(true);
    server.abort();
    result
}

async fn run_on_sources(config: Config, store: Store, screen: Screen) -> anyhow::Result<()> {
    let model = Model::new(&config, &screen.helper);
    // A closed terminal (SIGHUP) ends the screen as a quit does.
    let (session, sources) = super::start(
        &config,
        store,
        model,
        screen.seed,
        FLUSH_ON_QUIT,
        StopSignals::Terminal,
    )
    .await;
    // The screen commits what the inbox recorded (bounded) before it returns.
    let result = crate::app::tui::run(session).await;
    sources.stop().await;
    result
}
