//! The driver: the one loop every front end runs. It owns the model and the
//! engine, turns what arrives (keys or commands from the shell, chat and
//! connection news from the source, the store's answers, the clock, a stop
//! signal) into `Msg`s for `update`, and carries out the effects: jobs go to
//! the store thread, events to the shell, quit ends the run. Shells differ
//! only in how input arrives and how the run is shown (`Shell`).

use crate::app::event::Event;
use crate::app::model::Model;
use crate::app::msg::{Command, ProductRef};
use crate::app::msg::{Effect, Msg, SourceStatus};
use crate::app::update::update;
use crate::chat::record::Recorder;
use crate::chat::{ChatMessage, Outage, SourceEvent, SourceId, SourceNews};
use crate::clock::now_ms;
use crate::intent::Engine;
use crate::store::{SeedReport, Store, StoreError, StoreEvent, StoreJob};
use std::future::Future;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio::time::{interval, sleep_until, Instant, MissedTickBehavior};

/// The clock tick: drives the status clock, message rate and notice expiry.
const TICK: Duration = Duration::from_millis(250);
/// Store answers waiting for the driver. The store thread waits when it is
/// full, which only a driver far behind would let happen.
const STORE_EVENTS: usize = 1024;
/// How long chat waits at the start for the database to say which open
/// orders each buyer has (the context a message is read in: "算了" from a
/// buyer with no order is chat). A store that cannot say within it does
/// not hold the stream up: messages are then read alone.
const CONTEXT_WAIT: Duration = Duration::from_secs(3);
/// Chat events waiting for the driver (a source waits when it is full).
pub const CHAT_QUEUE: usize = 4096;

/// A front end: where input comes from and how the run is shown.
pub(crate) trait Shell {
    /// The next input (a key, a command line); `None` once input has ended
    /// for good. Must be cancel-safe: the driver races it with other events.
    fn input(&mut self) -> impl Future<Output = Option<anyhow::Result<Msg>>>;
    /// Whether the end of input ends the run (a terminal that closed) or not
    /// (a script that wrote its commands and closed stdin).
    fn input_end_stops(&self) -> bool;
    /// Whether a chat source that stopped for good ends the run (a service
    /// with nothing left to read) or not (a helper still has an inbox).
    fn chat_end_stops(&self) -> bool;
    /// Something happened (headless prints it; the screen shows the model).
    fn publish(&mut self, event: &Event) -> anyhow::Result<()>;
    /// The model changed; `present` shows it when the shell sees fit.
    fn changed(&mut self);
    /// Shows the model if it is due (the screen coalesces redraws).
    fn present(&mut self, model: &Model) -> anyhow::Result<()>;
    /// Rings the terminal bell (only a screen has one).
    fn bell(&mut self) {}
    /// When `present` wants to be called again with no news in between.
    fn wake_at(&self) -> Option<Instant>;
    /// The run is over: give the terminal back before the final flush.
    fn leave(&mut self) {}
}

/// How the last commit at the end of a run went.
#[derive(Debug, PartialEq)]
pub enum Flush {
    Done,
    Failed(StoreError),
    /// The store did not answer in time (a database locked by another
    /// program, a disk that does not answer). Its thread is left behind:
    /// SQLite rolls back what it had not committed, and nothing was
    /// reported confirmed that is not committed.
    TimedOut(Duration),
}

/// Everything one run needs besides its shell.
pub struct Session {
    pub model: Model,
    pub engine: Engine,
    pub store: Store,
    /// What opening the store did with config stock, to show or tell.
    pub seed: SeedReport,
    /// The chat sources' events (see `chat::spawn_all`).
    pub chat: mpsc::Receiver<SourceNews>,
    /// Turns true to stop the run (see `stop_on_signal`).
    pub stop: watch::Receiver<bool>,
    /// How long the end of the run waits for the store to commit.
    pub flush_within: Duration,
    /// Where every received message is appended before the core reads it
    /// (`None`: not recorded, as in tests and replays).
    pub record: Option<Recorder>,
    /// The link to the co-op database (`None` without `[coop]`).
    pub coop: Option<crate::coop::link::LinkHandle>,
}

/// Runs `session` on `shell` until a quit, a stop, or an input end that
/// stops; then waits (bounded) for the store to commit what it was given.
/// An error of the loop itself (the terminal failed) comes first.
pub(crate) async fn run<S: Shell>(
    session: Session,
    shell: &mut S,
) -> (anyhow::Result<()>, Flush, Model) {
    let Session {
        mut model,
        engine,
        store,
        seed,
        chat,
        stop,
        flush_within,
        mut record,
        coop,
    } = session;
    let (events_tx, mut events) = mpsc::channel(STORE_EVENTS);
    let ran = drive(
        shell,
        &mut model,
        &engine,
        &store,
        seed,
        (chat, &mut record),
        stop,
        coop,
        &events_tx,
        &mut events,
    )
    .await;
    // The record's last lines reach the file however the run ended.
    if let Some(failure) = record.as_mut().and_then(|r| r.flush().err()) {
        tracing::warn!(%failure, "the end of the chat record was not written");
    }
    shell.leave();
    // Nothing new goes to the store from here; answers still coming are told.
    model.quitting = true;
    let flush = flush(
        shell,
        &mut model,
        &engine,
        store,
        &events_tx,
        &mut events,
        flush_within,
    )
    .await;
    (ran, flush, model)
}

/// The co-op link's next status; `None` once the link has ended.
async fn coop_changed<T: Clone>(status: &mut Option<watch::Receiver<T>>) -> Option<T> {
    let status = status.as_mut()?;
    status.changed().await.ok()?;
    let now = status.borrow_and_update().clone();
    Some(now)
}

/// The co-op link's next news; `None` once the link has ended.
async fn coop_heard(
    news: &mut Option<mpsc::Receiver<crate::coop::link::LinkNews>>,
) -> Option<crate::coop::link::LinkNews> {
    news.as_mut()?.recv().await
}

/// What a tick or an empty sync can change on screen: the clock's second
/// (and countdowns drawn from it), the chat rate, a notice expiring.
fn face(model: &Model) -> (i64, u32, bool) {
    (
        model.now_ms.div_euclid(1000),
        model.msg_rate.to_bits(),
        model.notice.is_some(),
    )
}

#[allow(clippy::too_many_arguments)] // the loop's inputs, named once here
async fn drive<S: Shell>(
    shell: &mut S,
    model: &mut Model,
    engine: &Engine,
    store: &Store,
    seed: SeedReport,
    (mut chat, record): (mpsc::Receiver<SourceNews>, &mut Option<Recorder>),
    mut stop: watch::Receiver<bool>,
    coop: Option<crate::coop::link::LinkHandle>,
    events_tx: &mpsc::Sender<StoreEvent>,
    events: &mut mpsc::Receiver<StoreEvent>,
) -> anyhow::Result<()> {
    let (mut coop_status, coop_requests, mut coop_pools, mut coop_news) = match coop {
        Some(link) => (
            Some(link.status),
            Some(link.requests),
            Some(link.pools),
            Some(link.news),
        ),
        None => (None, None, None, None),
    };
    let mut tick = interval(TICK);
    tick.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let read_alone_after = Instant::now() + CONTEXT_WAIT;
    let mut input_open = true;
    let mut chat_open = true;
    let mut chat_ended = false;
    // The source said it ended on its own (a replay at its end): its
    // channel closing then is no failure.
    let mut next = vec![
        Msg::Tick(now_ms()),
        Msg::Store(StoreEvent::Seeded(seed)),
        Msg::Started,
    ];

    loop {
        for msg in next.drain(..) {
            // Ticks (four a second) and syncs that found nothing (two a
            // second) mostly change nothing on screen: redraw only when what
            // they can change did, so an idle screen stays idle.
            let quiet = match &msg {
                Msg::Tick(_) => true,
                Msg::Store(StoreEvent::Synced(Ok(report))) => {
                    report.intents.is_empty() && report.inventory.is_none()
                }
                _ => false,
            };
            let before = quiet.then(|| face(model));
            let effects = update(model, engine, msg);
            if before.is_none_or(|before| before != face(model)) {
                shell.changed();
            }
            for effect in effects {
                match effect {
                    Effect::Store(job) => store.submit(job, events_tx),
                    Effect::Publish(event) => shell.publish(&event)?,
                    Effect::Bell => shell.bell(),
                    Effect::Coop(request) => {
                        // A full queue means the link is busy with the
                        // same asks; the next waitlisted confirm asks again.
                        if let Some(requests) = &coop_requests {
                            let _ = requests.try_send(request);
                        }
                    }
                    Effect::Quit => return Ok(()),
                }
            }
        }
        if chat_ended && shell.chat_end_stops() {
            return Ok(());
        }
        shell.present(model)?;
        let wake = shell.wake_at();

        // A stop first; then keys and commands, so the helper is never
        // starved by a loud chat; the source last, so ticks and frames
        // still come during a flood.
        let msg = tokio::select! {
            biased;
            _ = stop.wait_for(|&stopped| stopped) => return Ok(()),
            input = shell.input(), if input_open => match input {
                Some(Ok(msg)) => msg,
                Some(Err(error)) => return Err(error),
                None if shell.input_end_stops() => return Ok(()),
                None => {
                    input_open = false;
                    continue;
                }
            },
            _ = sleep_until(wake.unwrap_or_else(Instant::now)), if wake.is_some() => continue,
            Some(event) = events.recv() => Msg::Store(event),
            changed = coop_changed(&mut coop_status), if coop_status.is_some() => match changed {
                Some(status) => Msg::Coop(status),
                None => {
                    coop_status = None;
                    continue;
                }
            },
            changed = coop_changed(&mut coop_pools), if coop_pools.is_some() => match changed {
                Some(pools) => Msg::CoopPools(pools),
                None => {
                    coop_pools = None;
                    continue;
                }
            },
            news = coop_heard(&mut coop_news), if coop_news.is_some() => match news {
                Some(news) => Msg::CoopNews(news),
                None => {
                    coop_news = None;
                    continue;
                }
            },
            _ = tick.tick() => {
                if let Some(failure) = record.as_mut().and_then(|r| r.flush().err()) {
                    next.push(Msg::RecordStopped(failure));
                }
                Msg::Tick(now_ms())
            }
            // Chat waits (in its bounded channel) until messages can be
            // read in their senders' context; the tick wakes the loop to
            // look again.
            news = chat.recv(), if chat_open
                && (model.senders.is_known() || Instant::now() >= read_alone_after) => match news {
                Some(SourceNews { source, event }) => match event {
                    SourceEvent::Message(message) => {
                        let received_at_ms = now_ms();
                        // Recorded before the core reads it, so a message
                        // that trips the core is in the record to replay.
                        if let Some(failure) =
                            record_message(record, model, source, &message, received_at_ms)
                        {
                            next.push(Msg::RecordStopped(failure));
                        }
                        Msg::Chat {
                            source,
                            message,
                            received_at_ms,
                        }
                    }
                    SourceEvent::Connected => Msg::Source {
                        source,
                        status: SourceStatus::Connected,
                    },
                    SourceEvent::Disconnected(outage) => Msg::Source {
                        source,
                        status: SourceStatus::Disconnected(outage),
                    },
                    SourceEvent::SkippedReplays(count) => Msg::Source {
                        source,
                        status: SourceStatus::SkippedReplays(count),
                    },
                    // A recording's product on air, put on air as a helper would.
                    SourceEvent::OnAir(sku) => Msg::Command {
                        line: 0,
                        command: Command::OnAir(ProductRef::Sku(sku)),
                    },
                },
                None => {
                    // Every source has ended. Each is told as it stopped;
                    // one that could not say so is told now.
                    chat_open = false;
                    chat_ended = true;
                    for (source, state) in model.sources.iter().enumerate() {
                        if !state.has_ended() {
                            next.push(Msg::Source {
                                source,
                                status: SourceStatus::Disconnected(Outage::stopped()),
                            });
                        }
                    }
                    continue;
                }
            },
        };
        next.push(msg);
    }
}

/// Appends `message` to the record with the product on air; the failure
/// that stopped the record, the once it happens.
fn record_message(
    record: &mut Option<Recorder>,
    model: &Model,
    source: SourceId,
    message: &ChatMessage,
    received_at_ms: i64,
) -> Option<crate::chat::record::RecordFailure> {
    let recorder = record.as_mut()?;
    let on_air = model.on_air_product().map(|p| p.sku.as_str());
    let name = model.sources.get(source).map_or("", |s| s.name.as_str());
    recorder.record(name, message, received_at_ms, on_air).err()
}

/// Waits, at most `within`, until everything given to the store is
/// committed. Answers to earlier jobs come first (a confirmation that was
/// with the store when the run stopped): they are still told, so whoever
/// reads the events hears of every order committed.
async fn flush<S: Shell>(
    shell: &mut S,
    model: &mut Model,
    engine: &Engine,
    store: Store,
    events_tx: &mpsc::Sender<StoreEvent>,
    events: &mut mpsc::Receiver<StoreEvent>,
    within: Duration,
) -> Flush {
    // Decisions still waiting on a claim in the co-op are made here alone
    // (claimed when pushed), in the order they were asked.
    let mut claimed: Vec<_> = model.claims.drain().map(|(_, claim)| claim).collect();
    claimed.sort_by_key(|(_, at)| *at);
    for (job, _) in claimed {
        store.submit(job, events_tx);
    }
    store.submit(StoreJob::Flush, events_tx);
    let flushed = async {
        while let Some(event) = events.recv().await {
            if let StoreEvent::Flushed(done) = event {
                return done;
            }
            for effect in update(model, engine, Msg::Store(event)) {
                // A quitting model asks the store for nothing new.
                if let Effect::Publish(event) = effect {
                    if let Err(error) = shell.publish(&event) {
                        tracing::warn!(%error, "an event at the end of the run was not told");
                    }
                }
            }
        }
        Err(StoreError::Closed)
    };
    match tokio::time::timeout(within, flushed).await {
        Ok(Ok(())) => Flush::Done,
        Ok(Err(error)) => Flush::Failed(error),
        Err(_) => {
            // Dropping the last handle would join the stuck thread and wait
            // for as long as it is stuck.
            std::mem::forget(store);
            Flush::TimedOut(within)
        }
    }
}

/// Which signals end a run. Either way the run ends as a quit does: the
/// screen gives the terminal back, then the store gets its bounded flush.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopSignals {
    /// SIGINT and SIGTERM (Ctrl-C and Ctrl-Break on Windows). SIGHUP keeps
    /// what it was given, so a service started under `nohup` outlives the
    /// terminal it was started from.
    Service,
    /// Those and SIGHUP (on Windows, the console window closing): the
    /// terminal the screen draws on is gone, or someone closed it.
    Terminal,
}

/// A stop switch thrown by the first of `signals`.
pub fn stop_on_signal(signals: StopSignals) -> watch::Receiver<bool> {
    let (tx, rx) = watch::channel(false);
    tokio::spawn(async move {
        let name = shutdown_signal(signals).await;
        tracing::info!(signal = name, "stopping on a signal");
        let _ = tx.send(true);
    });
    rx
}

/// Resolves with the signal's name when one of `signals` arrives.
#[cfg(unix)]
async fn shutdown_signal(signals: StopSignals) -> &'static str {
    use tokio::signal::unix::{signal, SignalKind};
    // A signal that cannot be listened for (never seen in practice) only
    // loses that way to stop; the others still work.
    async fn on(kind: SignalKind, name: &'static str) -> &'static str {
        match signal(kind) {
            Ok(mut stream) => {
                stream.recv().await;
            }
            Err(error) => {
                tracing::warn!(%error, signal = name, "cannot listen for a signal");
                std::future::pending::<()>().await;
            }
        }
        name
    }
    let hangup = async {
        match signals {
            StopSignals::Terminal => on(SignalKind::hangup(), "SIGHUP").await,
            StopSignals::Service => std::future::pending().await,
        }
    };
    tokio::select! {
        name = on(SignalKind::interrupt(), "SIGINT") => name,
        name = on(SignalKind::terminate(), "SIGTERM") => name,
        name = hangup => name,
    }
}

/// Resolves with the event's name on Ctrl-C or Ctrl-Break, and for a
/// screen also when its console window is closed (Windows then allows a
/// few seconds, enough for the bounded flush).
#[cfg(windows)]
async fn shutdown_signal(signals: StopSignals) -> &'static str {
    use tokio::signal::windows::{ctrl_break, ctrl_close};
    let on_break = async {
        match ctrl_break() {
            Ok(mut stream) => {
                stream.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    // Only a screen listens: a listener keeps Windows from ending the
    // process at once when the console closes, which a service should not
    // change.
    let closed = async {
        if signals == StopSignals::Terminal {
            if let Ok(mut stream) = ctrl_close() {
                stream.recv().await;
                return;
            }
        }
        std::future::pending::<()>().await
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => "Ctrl-C",
        _ = on_break => "Ctrl-Break",
        _ = closed => "console closed",
    }
}
