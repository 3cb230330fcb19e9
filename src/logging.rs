//! Logging goes to a file (the TUI owns the screen; headless owns stdout).
//! `LIVESTALL_LOG` sets the level: error, warn, info (the default), debug,
//! trace or off. A level rather than per-module filter directives keeps the
//! regex engine out of the build.

use anyhow::Context;
use std::path::Path;
use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::filter::LevelFilter;

fn level() -> LevelFilter {
    std::env::var("LIVESTALL_LOG")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(LevelFilter::INFO)
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
        .with_max_level(level())
        .with_ansi(false)
        .with_writer(writer)
        .try_init();
    Ok(guard)
}

/// Logs to stderr, for the servers (`sim`) that have no screen to protect.
pub fn to_stderr() -> Option<WorkerGuard> {
    let (writer, guard) = tracing_appender::non_blocking(std::io::stderr());
    tracing_subscriber::fmt()
        .with_max_level(level())
        .with_writer(writer)
        .try_init()
        .ok()
        .map(|_| guard)
}
