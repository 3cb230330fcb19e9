//! `livestall run --headless`: the production path without a screen. Chat in,
//! one JSON line per event out (flushed as each happens), intents persisted,
//! and with `--auto-confirm` every sure enough intent confirmed in arrival
//! order (the rest stay pending for a helper).

use crate::catalog::Catalog;
use crate::chat::{ChatMessage, SourceEvent};
use crate::config::Config;
use crate::intent::{IntentKind, AUTO_CONFIRM_CONFIDENCE};
use crate::store::{ConfirmRequest, IntentKey, NewIntent, OrderAction, Store};
use serde_json::json;
use std::io::Write;
use std::time::Duration;
use tokio::sync::{mpsc, watch};

/// How long a stopping run waits for the store to commit what it was given.
/// A service manager sends SIGKILL not long after SIGTERM; better to end on
/// our own terms with a clear message.
const FLUSH_ON_STOP: Duration = Duration::from_secs(5);

pub struct HeadlessOptions {
    pub auto_confirm: bool,
    pub helper: String,
}

/// Writes one event line and flushes it, so a reader sees each event as it happens.
fn emit(out: &mut impl Write, event: serde_json::Value) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, &event)?;
    out.write_all(b"\n")?;
    out.flush()
}

/// A confidence as `parse` prints it: three decimals, not the f32's binary
/// expansion (0.88, not 0.8799999952316284).
fn confidence_out(confidence: f32) -> f64 {
    (f64::from(confidence) * 1000.0).round() / 1000.0
}

pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// The intents of one message as the store keeps them.
pub fn new_intents(
    catalog: &Catalog,
    msg: &ChatMessage,
    intents: &[crate::intent::Intent],
    received_at_ms: i64,
) -> Vec<NewIntent> {
    intents
        .iter()
        .enumerate()
        .map(|(i, it)| NewIntent {
            key: IntentKey {
                msg_id: msg.id.clone(),
                index: i as u32,
            },
            user: msg.user.clone(),
            user_id: msg.user_id.clone(),
            text: msg.text.clone(),
            kind: it.kind,
            sku: it
                .product
                .and_then(|p| catalog.get(p))
                .map(|p| p.sku.clone()),
            qty: it.qty,
            confidence: it.confidence,
            received_at_ms,
        })
        .collect()
}

/// Whether the event loop goes on after a confirmation.
#[derive(Debug, PartialEq, Eq)]
enum Flow {
    Continue,
    Stop,
}

/// Runs until SIGINT/SIGTERM. Returns after the store has committed what it
/// was given, or with an error when it has not within [`FLUSH_ON_STOP`].
pub async fn run(config: Config, store: Store, opts: HeadlessOptions) -> anyhow::Result<()> {
    let source = config.require_source()?.clone();
    let engine = super::engine_with_learned(&config, &store).await;
    let catalog = &config.catalog;
    // The product on air is the first in the queue; headless has no key to move it.
    let on_air = if catalog.is_empty() { None } else { Some(0) };

    let (tx, mut rx) = mpsc::channel::<SourceEvent>(1024);
    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    let source_task = tokio::spawn(crate::chat::websocket::run_json_source(
        source,
        tx,
        shutdown_rx,
    ));
    // A watch rather than the signal future itself: it is asked both while
    // waiting for chat and while waiting for a confirm, and can be asked again
    // after it fired.
    let (stop_tx, mut stop) = watch::channel(false);
    tokio::spawn(async move {
        shutdown_signal().await;
        let _ = stop_tx.send(true);
    });
    let mut out = std::io::stdout().lock();

    'events: loop {
        let event = tokio::select! {
            biased;
            _ = stop.wait_for(|&stopped| stopped) => break,
            event = rx.recv() => match event {
                Some(e) => e,
                None => break,
            },
        };
        match event {
            SourceEvent::Connected => emit(&mut out, json!({"event": "connected"}))?,
            SourceEvent::Disconnected { reason } => {
                emit(&mut out, json!({"event": "disconnected", "reason": reason}))?
            }
            SourceEvent::Message(msg) => {
                let mut intents = Vec::new();
                if !engine.parse_guarded(&msg.text, on_air, &mut intents) {
                    tracing::error!(msg_id = %msg.id, "the intent engine failed on a message");
                }
                if intents.is_empty() {
                    continue;
                }
                let records = new_intents(catalog, &msg, &intents, now_ms());
                for r in &records {
                    emit(
                        &mut out,
                        json!({
                            "event": "intent",
                            "msg_id": r.key.msg_id,
                            "index": r.key.index,
                            "user": r.user,
                            "kind": r.kind.as_str(),
                            "sku": r.sku,
                            "qty": r.qty,
                            "confidence": confidence_out(r.confidence),
                        }),
                    )?;
                }
                store.record_intents(records.clone());
                if opts.auto_confirm {
                    for r in records {
                        let flow =
                            confirm_one(&store, r, &opts.helper, &mut out, &mut stop).await?;
                        if flow == Flow::Stop {
                            break 'events;
                        }
                    }
                }
            }
        }
    }

    let _ = shutdown_tx.send(true);
    let _ = tokio::time::timeout(Duration::from_secs(2), source_task).await;
    // Everything recorded is committed before we report a clean end.
    match tokio::time::timeout(FLUSH_ON_STOP, crate::store::reply(store.flush())).await {
        Ok(flushed) => Ok(flushed?),
        Err(_) => {
            // The store thread is stuck (a database locked by another program,
            // a disk that does not answer). Dropping the last handle would
            // join it and wait for as long as that lasts; leave it instead.
            // SQLite rolls back whatever it had not committed, and nothing was
            // reported confirmed that is not committed.
            std::mem::forget(store);
            anyhow::bail!(
                "the database did not finish writing within {} s; intents detected last may be \
                 missing from it (replaying the chat records them again)",
                FLUSH_ON_STOP.as_secs()
            )
        }
    }
}

/// Confirms one intent and reports the outcome, unless it is not sure enough
/// to confirm without a person, or the run is stopping. A stop while the
/// store works on the confirm does not wait for its answer: the store still
/// commits it, but the run confirms nothing more.
async fn confirm_one(
    store: &Store,
    r: NewIntent,
    helper: &str,
    out: &mut impl Write,
    stop: &mut watch::Receiver<bool>,
) -> anyhow::Result<Flow> {
    if *stop.borrow() {
        return Ok(Flow::Stop);
    }
    // Asked this way round so that a NaN confidence is not sure enough either.
    let sure_enough = r.confidence >= AUTO_CONFIRM_CONFIDENCE;
    if !sure_enough {
        // Left pending in the store: a helper decides it in the TUI later.
        emit(
            out,
            json!({
                "event": "refused",
                "msg_id": r.key.msg_id,
                "index": r.key.index,
                "reason": "low_confidence",
                "detail": format!(
                    "confidence {} is below {}: left pending for a helper",
                    confidence_out(r.confidence),
                    confidence_out(AUTO_CONFIRM_CONFIDENCE)
                ),
                "confidence": confidence_out(r.confidence),
            }),
        )?;
        return Ok(Flow::Continue);
    }
    let qty = match r.kind {
        IntentKind::Order => Some(r.qty.unwrap_or(1)),
        _ => r.qty,
    };
    let req = ConfirmRequest {
        key: r.key.clone(),
        kind: r.kind,
        user: r.user.clone(),
        user_id: r.user_id.clone(),
        sku: r.sku.clone(),
        qty,
        helper: helper.to_string(),
    };
    // A store thread that died answers nothing: report it as a storage refusal.
    let reply = tokio::select! {
        // An answer that is already there is still reported.
        biased;
        reply = crate::store::reply(store.confirm(req)) => reply,
        _ = stop.wait_for(|&stopped| stopped) => return Ok(Flow::Stop),
    };
    match reply {
        Ok(done) => emit(
            out,
            json!({
                "event": "confirmed",
                "msg_id": r.key.msg_id,
                "index": r.key.index,
                "order_id": done.order_id,
                "sku": done.sku,
                "qty": done.qty,
                "user": done.user,
                "action": match done.action {
                    OrderAction::Created => "created",
                    OrderAction::Cancelled => "cancelled",
                    OrderAction::Changed => "changed",
                },
                "stock_left": done.stock_left,
            }),
        )?,
        Err(refusal) => emit(
            out,
            json!({
                "event": "refused",
                "msg_id": r.key.msg_id,
                "index": r.key.index,
                "reason": refusal.code(),
                "detail": refusal.to_string(),
            }),
        )?,
    }
    Ok(Flow::Continue)
}

/// Resolves on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
