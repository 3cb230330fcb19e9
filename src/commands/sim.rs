//! `livestall sim`: the simulated live chat as a standalone websocket server.

use crate::chat::sim_server::{self, SimOptions};
use crate::config::Config;
use anyhow::Context;
use tokio::net::TcpListener;
use tokio::sync::watch;

pub async fn run(
    listen: &str,
    config: Config,
    rate: f64,
    count: Option<u64>,
    seed: u64,
) -> anyhow::Result<()> {
    if !(rate.is_finite() && rate > 0.0) {
        anyhow::bail!("--rate must be a positive number of messages per second, not {rate}");
    }
    let listener = TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let addr = listener.local_addr()?;
    eprintln!("livestall sim: serving chat on ws://{addr}/ ({rate} messages/s, seed {seed})");
    let (stop_tx, stop_rx) = watch::channel(false);
    let server = tokio::spawn(sim_server::serve(
        listener,
        config.catalog,
        SimOptions { rate, count, seed },
        stop_rx,
    ));
    let mut signalled = crate::app::stop_on_signal(crate::app::StopSignals::Service);
    tokio::select! {
        result = server => { result.context("the simulator stopped")??; }
        _ = signalled.wait_for(|&stopped| stopped) => { let _ = stop_tx.send(true); }
    }
    Ok(())
}
