//! The TUI loop: owns the terminal, turns keys, chat, store answers and the
//! clock into `Msg`s, runs `update`, hands the effects to the store, and
//! redraws at a coalesced pace (never one frame per chat message).

use crate::app::model::Model;
use crate::app::msg::{Effect, Msg, SourceStatus, StoreReply};
use crate::app::update::update;
use crate::chat::SourceEvent;
use crate::config::Config;
use crate::intent::Engine;
use crate::store::{Reply, SeedReport, Store, StoreError};
use crossterm::event::{Event, EventStream};
use futures_util::StreamExt;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::{interval, sleep_until, Instant, MissedTickBehavior};

/// The clock tick: drives the status clock, message rate and notice expiry.
const TICK: Duration = Duration::from_millis(250);
/// The shortest time between two frames (about 40 frames a second at most).
const FRAME: Duration = Duration::from_millis(25);
/// How long quitting waits for the store to commit what is queued.
const FLUSH_ON_QUIT: Duration = Duration::from_secs(3);
/// Store answers waiting to enter the loop.
const REPLY_QUEUE: usize = 256;

pub struct TuiSetup {
    pub config: Config,
    pub engine: Engine,
    pub store: Store,
    pub events: mpsc::Receiver<SourceEvent>,
    /// Who confirms from this screen (recorded with every decision).
    pub helper: String,
    /// What opening the store did with config stock, to show on the screen
    /// (stderr is hidden behind it).
    pub seed: SeedReport,
}

/// Runs the helper's screen until the helper quits. The terminal is restored
/// on return and on panic.
pub async fn run_tui(setup: TuiSetup) -> anyhow::Result<()> {
    let TuiSetup {
        config,
        engine,
        store,
        mut events,
        helper,
        seed,
    } = setup;
    let mut model = Model::new(&config, &helper);
    model.utc_offset_secs = chrono::Local::now().offset().local_minus_utc();
    update(&mut model, Msg::Tick(now_ms()));

    // The inbox and stock as the database has them, before any chat arrives.
    let inventory = match await_reply(store.inventory()).await {
        Ok(rows) => StoreReply::Inventory(rows),
        Err(error) => StoreReply::LoadFailed(error),
    };
    update(&mut model, Msg::Store(inventory));
    let pending = match await_reply(store.pending()).await {
        Ok(rows) => StoreReply::Pending(rows),
        Err(error) => StoreReply::LoadFailed(error),
    };
    update(&mut model, Msg::Store(pending));
    update(&mut model, Msg::Store(StoreReply::Seeded(seed)));

    let mut terminal = match ratatui::try_init() {
        Ok(terminal) => terminal,
        Err(error) => {
            // Setup may have stopped half way (raw mode on, no alternate screen).
            ratatui::restore();
            return Err(anyhow::Error::new(error).context("cannot set up the terminal"));
        }
    };
    let result = event_loop(&mut terminal, &mut model, &engine, &store, &mut events).await;
    ratatui::restore();

    // Pending intents must reach the database before the process ends.
    // The terminal is back to normal, so stderr reaches the helper. Orders
    // shown as confirmed were committed before they showed; only detected
    // intents still queued can be at risk here.
    match tokio::time::timeout(FLUSH_ON_QUIT, await_reply(store.flush())).await {
        Ok(Ok(())) => {}
        Ok(Err(error)) => {
            tracing::warn!(%error, "store flush on quit failed");
            eprintln!(
                "livestall: the last detected intents may not be saved: {error} \
                 (orders shown as confirmed are saved)"
            );
        }
        Err(_) => {
            tracing::warn!("store flush on quit timed out");
            eprintln!(
                "livestall: the database did not answer within {} s; the last detected \
                 intents may not be saved (orders shown as confirmed are saved)",
                FLUSH_ON_QUIT.as_secs()
            );
        }
    }
    result
}

async fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    model: &mut Model,
    engine: &Engine,
    store: &Store,
    events: &mut mpsc::Receiver<SourceEvent>,
) -> anyhow::Result<()> {
    let (reply_tx, mut replies) = mpsc::channel::<Msg>(REPLY_QUEUE);
    let mut keys = EventStream::new();
    let mut tick = interval(TICK);
    tick.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut source_open = true;
    let mut dirty = true;
    let mut last_draw: Option<Instant> = None;

    loop {
        let next_frame = last_draw.map_or_else(Instant::now, |at| at + FRAME);
        if dirty && Instant::now() >= next_frame {
            terminal.draw(|frame| crate::ui::render(model, frame))?;
            dirty = false;
            last_draw = Some(Instant::now());
        }

        // Keys first so the helper is never starved by a loud chat; the
        // source last so ticks and frames still come during a flood.
        let msg = tokio::select! {
            biased;
            event = keys.next() => match event {
                Some(Ok(Event::Key(key))) => Msg::Key(key),
                Some(Ok(Event::Resize(..))) => Msg::Resize,
                Some(Ok(_)) => continue,
                Some(Err(error)) => return Err(error.into()),
                None => return Ok(()),
            },
            _ = sleep_until(next_frame), if dirty => continue,
            Some(reply) = replies.recv() => reply,
            _ = tick.tick() => Msg::Tick(now_ms()),
            event = events.recv(), if source_open => match event {
                Some(SourceEvent::Message(message)) => {
                    let mut intents = Vec::new();
                    if !engine.parse_guarded(&message.text, model.on_air(), &mut intents) {
                        tracing::error!(msg_id = %message.id, "the intent engine failed on a message");
                    }
                    Msg::Chat(message, intents, now_ms())
                }
                Some(SourceEvent::Connected) => Msg::Source(SourceStatus::Connected),
                Some(SourceEvent::Disconnected { reason }) => {
                    Msg::Source(SourceStatus::Disconnected { reason })
                }
                None => {
                    source_open = false;
                    Msg::Source(SourceStatus::Disconnected { reason: "source stopped".into() })
                }
            },
        };
        dirty = true;
        for effect in update(model, msg) {
            if run_effect(effect, store, &reply_tx) {
                return Ok(());
            }
        }
    }
}

/// Hands one effect to the store; answers come back on `replies` as
/// `Msg::Store`. Returns true when the effect asks to quit.
fn run_effect(effect: Effect, store: &Store, replies: &mpsc::Sender<Msg>) -> bool {
    match effect {
        Effect::Quit => return true,
        Effect::RecordIntents(intents) => {
            let answer = store.record(intents);
            let replies = replies.clone();
            tokio::spawn(async move {
                // A failed write is reported by the confirm or flush that meets it.
                if let Ok(decided) = await_reply(answer).await {
                    if !decided.is_empty() {
                        let _ = replies
                            .send(Msg::Store(StoreReply::AlreadyDecided(decided)))
                            .await;
                    }
                }
            });
        }
        Effect::Confirm(request) => {
            let key = request.key.clone();
            let answer = store.confirm(request);
            let replies = replies.clone();
            tokio::spawn(async move {
                let reply = match answer.await {
                    Ok(Ok(confirmed)) => StoreReply::Confirmed(key, confirmed),
                    Ok(Err(refusal)) => StoreReply::Refused(key, refusal),
                    Err(_) => StoreReply::Failed(key, StoreError::Closed),
                };
                // The loop may have ended; then nobody needs the answer.
                let _ = replies.send(Msg::Store(reply)).await;
            });
        }
        Effect::Reject { key, helper } => {
            let answer = store.reject(key.clone(), helper);
            let replies = replies.clone();
            tokio::spawn(async move {
                let reply = match await_reply(answer).await {
                    Ok(()) => StoreReply::Rejected(key),
                    Err(error) => StoreReply::Failed(key, error),
                };
                let _ = replies.send(Msg::Store(reply)).await;
            });
        }
    }
    false
}

/// A store answer, with a dropped reply channel read as a stopped store.
async fn await_reply<T>(reply: Reply<T>) -> Result<T, StoreError> {
    reply.await.unwrap_or(Err(StoreError::Closed))
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
