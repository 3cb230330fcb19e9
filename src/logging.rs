//! Logging goes to a file (the TUI owns the screen; headless owns stdout).
//! `LIVESTALL_LOG` sets the filter, e.g. `LIVESTALL_LOG=debug`.

use anyhow::Context;
use std::path::Path;
use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

fn filter() -> EnvFilter {
    EnvFilter::try_from_env("LIVESTALL_LOG").unwrap_or_else(|_| EnvFilter::new("info"))
}

/// Logs to `path` (appending). Keep the guard alive: dropping it flushes the log.
pub fn to_file(path: &Path) -> anyhow::Result<WorkerGuard> {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("cannot open the log file {}", path.display()))?;
    let (writer, guard) = tracing_appender::non_blocking(file);
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter())
        .with_ansi(false)
        .with_writer(writer)
        .try_init();
    Ok(guard)
}

/// Logs to stderr, for the servers (`sim`) that have no screen to protect.
pub fn to_stderr() -> Option<WorkerGuard> {
    let (writer, guard) = tracing_appender::non_blocking(std::io::stderr());
    tracing_subscriber::fmt()
        .with_env_filter(filter())
        .with_writer(writer)
        .try_init()
        .ok()
        .map(|_| guard)
}
