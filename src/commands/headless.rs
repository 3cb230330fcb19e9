//! `livestall run --headless`: the production path without a screen. The
//! same core as the screen (`app::driver`), driven by JSON commands on stdin
//! and told as JSON event lines on stdout; with `--auto-confirm`, the
//! model's policy confirms every sure enough intent in arrival order (the
//! rest stay pending for a helper).

use crate::app::{Model, StopSignals};
use crate::config::Config;
use crate::store::{SeedReport, Store};
use std::io::IsTerminal;
use std::time::Duration;

/// How long a stopping run waits for the store to commit what it was given.
/// A service manager sends SIGKILL not long after SIGTERM; better to end on
/// our own terms with a clear message.
const FLUSH_ON_STOP: Duration = Duration::from_secs(5);

pub struct HeadlessOptions {
    pub auto_confirm: bool,
    pub helper: String,
}

/// Runs until SIGINT/SIGTERM or a `quit` command. Returns after the store
/// has committed what it was given, or with an error when it has not within
/// [`FLUSH_ON_STOP`].
pub async fn run(config: Config, store: Store, opts: HeadlessOptions) -> anyhow::Result<()> {
    config.require_sources()?;
    let mut model = Model::new(&config, &opts.helper);
    model.policy.auto_confirm = opts.auto_confirm;
    // Config stock notes went to stderr when the store was opened.
    let (session, sources) = super::start(
        &config,
        store,
        model,
        SeedReport::default(),
        FLUSH_ON_STOP,
        // A service keeps running under `nohup` when its terminal closes.
        StopSignals::Service,
    )
    .await;
    // Commands come from a pipe or a file. A terminal is not read: a run
    // started in the background of an interactive shell would be stopped by
    // the terminal (SIGTTIN) the moment it tried.
    let stdin = std::io::stdin();
    let result = if stdin.is_terminal() {
        eprintln!("livestall: stdin is a terminal; commands are read from a pipe (see README)");
        crate::app::headless::run(session, std::io::empty(), std::io::stdout()).await
    } else {
        let input = std::io::BufReader::new(stdin);
        crate::app::headless::run(session, input, std::io::stdout()).await
    };
    sources.stop().await;
    result
}
