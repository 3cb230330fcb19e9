//! `livestall run --headless`: the production path without a screen. Chat in,
//! one JSON line per event out (flushed as each happens), intents persisted,
//! and with `--auto-confirm` every intent confirmed in arrival order.

use crate::catalog::Catalog;
use crate::chat::{ChatMessage, SourceEvent};
use crate::config::Config;
use crate::intent::{Engine, IntentKind};
use crate::store::{ConfirmRequest, IntentKey, NewIntent, OrderAction, Store};
use serde_json::json;
use std::io::Write;
use tokio::sync::{mpsc, watch};

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

/// Runs until SIGINT/SIGTERM. Returns after the store has committed what it was given.
pub async fn run(config: Config, store: Store, opts: HeadlessOptions) -> anyhow::Result<()> {
    let source = config.require_source()?.clone();
    let engine = Engine::new(&config.catalog);
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
    let mut stop = Box::pin(shutdown_signal());
    let mut out = std::io::stdout().lock();

    loop {
        let event = tokio::select! {
            biased;
            _ = &mut stop => break,
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
                let intents = engine.parse(&msg.text, on_air);
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
                            "confidence": r.confidence,
                        }),
                    )?;
                }
                store.record_intents(records.clone());
                if opts.auto_confirm {
                    for r in records {
                        confirm_one(&store, r, &opts.helper, &mut out).await?;
                    }
                }
            }
        }
    }

    let _ = shutdown_tx.send(true);
    let _ = tokio::time::timeout(std::time::Duration::from_secs(2), source_task).await;
    // Everything recorded is committed before we report a clean end.
    store
        .flush()
        .await
        .map_err(|_| crate::store::StoreError::Closed)??;
    Ok(())
}

async fn confirm_one(
    store: &Store,
    r: NewIntent,
    helper: &str,
    out: &mut impl Write,
) -> anyhow::Result<()> {
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
    let reply = crate::store::reply(store.confirm(req)).await;
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
    Ok(())
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
