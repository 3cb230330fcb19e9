//! The JSON source against a relay as unreliable as a mountain connection
//! (issue 10's measurement): it sends `--rate` messages a second, drops the
//! connection every 300 messages and replays its last 100 on reconnect;
//! then it goes away for 5 s and comes back. Prints what arrived, what was
//! skipped as replayed, the slowest reconnect, and how long after coming
//! back the relay was reached.
//!
//! ```text
//! cargo run --release --example flaky_relay -- 3000 500
//! ```
//! (messages, rate a second)

use futures_util::SinkExt;
use livestall::chat::{run_json_source_with, JsonSourceOptions, SourceEvent};
use livestall::config::{FieldMap, SourceConfig, SourceKind};
use std::collections::HashSet;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::Message;

const DROP_EVERY: usize = 300;
const REPLAY: usize = 100;

fn frame(i: usize) -> Message {
    Message::text(
        serde_json::json!({"id": format!("m{i}"), "user": format!("u{}", i % 97), "text": "小米来两袋"})
            .to_string(),
    )
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let total: usize = args.next().map_or(3_000, |a| a.parse().expect("messages"));
    let rate: f64 = args.next().map_or(500.0, |a| a.parse().expect("rate"));
    let gap = Duration::from_secs_f64(1.0 / rate);

    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, mut rx) = mpsc::channel(4096);
    let (_stop_tx, stop_rx) = watch::channel(false);
    let source = SourceConfig {
        name: "json".into(),
        kind: SourceKind::Json,
        url: format!("ws://{addr}/chat"),
        fields: FieldMap::default(),
    };
    tokio::spawn(run_json_source_with(
        source,
        JsonSourceOptions::default(),
        tx,
        stop_rx,
    ));

    // The relay: drops every DROP_EVERY messages, replays REPLAY on reconnect.
    let relay = tokio::spawn(async move {
        let mut sent = 0usize;
        let mut drops = Vec::new();
        while sent < total {
            let (tcp, _) = listener.accept().await.unwrap();
            if let Some(dropped_at) = drops.last_mut() {
                let (at, back): &mut (Instant, Option<Duration>) = dropped_at;
                *back = Some(at.elapsed());
            }
            let mut ws = tokio_tungstenite::accept_async(tcp).await.unwrap();
            for i in sent.saturating_sub(REPLAY)..sent {
                let _ = ws.send(frame(i)).await;
            }
            let until = (sent + DROP_EVERY).min(total);
            while sent < until {
                if ws.send(frame(sent)).await.is_err() {
                    break;
                }
                sent += 1;
                tokio::time::sleep(gap).await;
            }
            // Gone without a goodbye, as a flaky link is.
            drop(ws);
            drops.push((Instant::now(), None));
        }
        // Then the relay restarts: away for 5 s, back on the same port.
        drop(listener);
        tokio::time::sleep(Duration::from_secs(5)).await;
        let listener = TcpListener::bind(addr).await.unwrap();
        let back = Instant::now();
        let (tcp, _) = listener.accept().await.unwrap();
        let reached = back.elapsed();
        let _ws = tokio_tungstenite::accept_async(tcp).await.unwrap();
        let slowest = drops
            .iter()
            .filter_map(|(_, back)| *back)
            .max()
            .unwrap_or_default();
        (slowest, reached)
    });

    let mut ids = HashSet::new();
    let mut skipped = 0u64;
    let mut connects = 0u32;
    let deadline = Instant::now() + Duration::from_secs_f64(total as f64 / rate * 2.0 + 30.0);
    while Instant::now() < deadline {
        match tokio::time::timeout(Duration::from_millis(200), rx.recv()).await {
            Ok(Some(SourceEvent::Message(m))) => {
                assert!(ids.insert(m.id), "a message delivered twice");
            }
            Ok(Some(SourceEvent::SkippedReplays(n))) => skipped += u64::from(n),
            Ok(Some(SourceEvent::Connected)) => {
                connects += 1;
                if relay.is_finished() {
                    break;
                }
            }
            Ok(Some(SourceEvent::Disconnected(_) | SourceEvent::OnAir(_))) => {}
            Ok(None) => break,
            Err(_) => {}
        }
    }
    let (slowest, reached) = relay.await.unwrap();
    println!(
        "{} of {total} messages arrived once each ({} lost), {skipped} replayed skipped, \
         {connects} connections; slowest reconnect after a drop {} ms; \
         the restarted relay was reached {} ms after it came back",
        ids.len(),
        total - ids.len(),
        slowest.as_millis(),
        reached.as_millis()
    );
}
