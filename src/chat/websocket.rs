//! The JSON websocket source: one task that owns the connection to a chat
//! relay (or the simulator), decodes its frames, drops replayed ids, and
//! reconnects with backoff until shutdown. It never gives up on its own.

use super::dedupe::{RecentIds, DEFAULT_CAPACITY};
use super::frame::decode_frame;
use super::SourceEvent;
use crate::config::{FieldMap, SourceConfig};
use futures_util::{SinkExt, StreamExt};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Largest websocket message accepted. Chat frames are a few hundred bytes;
/// tungstenite's default (64 MiB) would let a broken relay eat memory.
const MAX_MESSAGE_BYTES: usize = 4 << 20;
/// Bad frames logged at warn level per connection; the rest only counted, so
/// a relay sending garbage cannot flood the log.
const BAD_FRAMES_LOGGED: u32 = 10;

/// Timing of the source. The defaults suit a real relay; tests shorten them.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonSourceOptions {
    /// With no frame at all for this long the connection is taken as dead.
    /// Halfway through the silence the client sends its own ping, so a live
    /// server that never pings still answers with a pong in time.
    pub read_timeout: Duration,
    /// Giving up on one connection attempt (TCP + websocket handshake).
    pub connect_timeout: Duration,
    /// First reconnect delay; it doubles after each failure up to `backoff_max`.
    pub backoff_min: Duration,
    pub backoff_max: Duration,
    /// A connection that lasted this long resets the backoff to `backoff_min`.
    pub stable_after: Duration,
    /// How many recent message ids are remembered to drop replays.
    pub dedupe_capacity: usize,
}

impl Default for JsonSourceOptions {
    fn default() -> Self {
        JsonSourceOptions {
            read_timeout: Duration::from_secs(20),
            connect_timeout: Duration::from_secs(10),
            backoff_min: Duration::from_millis(500),
            backoff_max: Duration::from_secs(10),
            stable_after: Duration::from_secs(30),
            dedupe_capacity: DEFAULT_CAPACITY,
        }
    }
}

/// Runs the source with default timing until `shutdown` turns true (or its
/// sender is dropped) or `tx`'s receiver is dropped.
pub async fn run_json_source(
    cfg: SourceConfig,
    tx: mpsc::Sender<SourceEvent>,
    shutdown: watch::Receiver<bool>,
) {
    run_json_source_with(cfg, JsonSourceOptions::default(), tx, shutdown).await
}

/// Why one connection ended.
enum SessionEnd {
    /// Stop the task: shutdown was asked for or nobody listens any more.
    Stop,
    /// The connection was lost; reconnect.
    Dropped(String),
}

/// `run_json_source` with explicit timing.
pub async fn run_json_source_with(
    cfg: SourceConfig,
    opts: JsonSourceOptions,
    tx: mpsc::Sender<SourceEvent>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut backoff = Backoff::new(opts.backoff_min, opts.backoff_max);
    let mut seen = RecentIds::new(opts.dedupe_capacity);
    let mut fallback = FallbackSeq::new();

    loop {
        if *shutdown.borrow() {
            return;
        }
        tracing::info!(url = %cfg.url, "connecting to chat source");
        let attempt = tokio::select! {
            biased;
            _ = wait_shutdown(&mut shutdown) => return,
            r = tokio::time::timeout(opts.connect_timeout, connect(&cfg.url)) => r,
        };
        let reason = match attempt {
            Ok(Ok(ws)) => {
                tracing::info!(url = %cfg.url, "chat source connected");
                let sent = tokio::select! {
                    biased;
                    _ = wait_shutdown(&mut shutdown) => return,
                    r = tx.send(SourceEvent::Connected) => r,
                };
                if sent.is_err() {
                    return;
                }
                let started = Instant::now();
                let end = session(
                    ws,
                    &cfg.fields,
                    &opts,
                    &tx,
                    &mut shutdown,
                    &mut seen,
                    &mut fallback,
                )
                .await;
                match end {
                    SessionEnd::Stop => return,
                    SessionEnd::Dropped(reason) => {
                        if started.elapsed() >= opts.stable_after {
                            backoff.reset();
                        }
                        reason
                    }
                }
            }
            Ok(Err(e)) => format!("connect failed: {e}"),
            Err(_) => format!(
                "connect timed out after {:.1} s",
                opts.connect_timeout.as_secs_f64()
            ),
        };
        let delay = backoff.next_delay();
        tracing::warn!(url = %cfg.url, %reason, retry_in_ms = delay.as_millis() as u64, "chat source disconnected");
        let send = tokio::select! {
            biased;
            _ = wait_shutdown(&mut shutdown) => return,
            r = tx.send(SourceEvent::Disconnected { reason }) => r,
        };
        if send.is_err() {
            return;
        }
        tokio::select! {
            biased;
            _ = wait_shutdown(&mut shutdown) => return,
            _ = tokio::time::sleep(delay) => {}
        }
    }
}

async fn connect(url: &str) -> Result<Ws, tokio_tungstenite::tungstenite::Error> {
    let config = WebSocketConfig::default()
        .max_message_size(Some(MAX_MESSAGE_BYTES))
        .max_frame_size(Some(MAX_MESSAGE_BYTES));
    // Nagle off: chat frames are tiny and latency is what the helper sees.
    let (ws, _response) =
        tokio_tungstenite::connect_async_with_config(url, Some(config), true).await?;
    Ok(ws)
}

/// Reads one connection until it drops, shutdown, or the receiver goes away.
async fn session(
    mut ws: Ws,
    fields: &FieldMap,
    opts: &JsonSourceOptions,
    tx: &mpsc::Sender<SourceEvent>,
    shutdown: &mut watch::Receiver<bool>,
    seen: &mut RecentIds,
    fallback: &mut FallbackSeq,
) -> SessionEnd {
    let probe_after = opts.read_timeout / 2;
    let mut last_frame = Instant::now();
    let mut probe_sent = false;
    let mut bad_frames: u32 = 0;

    loop {
        let deadline = if probe_sent {
            last_frame + opts.read_timeout
        } else {
            last_frame + probe_after
        };
        let next = tokio::select! {
            biased;
            _ = wait_shutdown(shutdown) => {
                close_quietly(&mut ws).await;
                return SessionEnd::Stop;
            }
            r = tokio::time::timeout_at(deadline, ws.next()) => r,
        };
        let item = match next {
            Err(_elapsed) if !probe_sent => {
                // Quiet so far: ask the server to prove it is alive.
                probe_sent = true;
                if let Err(e) = ws.send(Message::Ping(Vec::new().into())).await {
                    return SessionEnd::Dropped(format!("ping failed: {e}"));
                }
                continue;
            }
            Err(_elapsed) => {
                return SessionEnd::Dropped(format!(
                    "no data for {:.1} s",
                    opts.read_timeout.as_secs_f64()
                ));
            }
            Ok(None) => return SessionEnd::Dropped("connection closed".into()),
            Ok(Some(Err(e))) => return SessionEnd::Dropped(format!("read failed: {e}")),
            Ok(Some(Ok(item))) => item,
        };
        last_frame = Instant::now();
        probe_sent = false;

        let payload = match item {
            Message::Text(text) => text,
            Message::Binary(bytes) => match std::str::from_utf8(&bytes) {
                // Some relays send JSON in binary frames.
                Ok(text) => text.into(),
                Err(_) => {
                    tracing::debug!(len = bytes.len(), "skipping non-UTF-8 binary frame");
                    continue;
                }
            },
            Message::Ping(_) => {
                // tungstenite queued the pong while reading; push it out now
                // rather than on the next read, which may be a while.
                if let Err(e) = ws.flush().await {
                    return SessionEnd::Dropped(format!("pong failed: {e}"));
                }
                continue;
            }
            Message::Pong(_) | Message::Frame(_) => continue,
            Message::Close(frame) => {
                let reason = match frame {
                    Some(f) if !f.reason.is_empty() => {
                        format!("server closed ({}): {}", u16::from(f.code), f.reason)
                    }
                    Some(f) => format!("server closed ({})", u16::from(f.code)),
                    None => "server closed".to_string(),
                };
                // Let tungstenite finish the close handshake; errors do not matter now.
                let _ = tokio::time::timeout(Duration::from_secs(1), ws.flush()).await;
                return SessionEnd::Dropped(reason);
            }
        };

        let message = match decode_frame(payload.as_str(), fields, fallback.next_seq()) {
            Ok(Some(message)) => message,
            Ok(None) => continue,
            Err(e) => {
                bad_frames = bad_frames.saturating_add(1);
                if bad_frames <= BAD_FRAMES_LOGGED {
                    let preview: String = payload.as_str().chars().take(80).collect();
                    tracing::warn!(error = %e, frame = %preview.escape_debug(), "skipping bad frame");
                    if bad_frames == BAD_FRAMES_LOGGED {
                        tracing::warn!("further bad frames on this connection are not logged");
                    }
                }
                continue;
            }
        };
        if !seen.insert(&message.id) {
            tracing::debug!(id = %message.id, "dropping replayed message");
            continue;
        }
        let sent = tokio::select! {
            biased;
            _ = wait_shutdown(shutdown) => {
                close_quietly(&mut ws).await;
                return SessionEnd::Stop;
            }
            r = tx.send(SourceEvent::Message(message)) => r,
        };
        if sent.is_err() {
            close_quietly(&mut ws).await;
            return SessionEnd::Stop;
        }
    }
}

/// Resolves once shutdown is asked for or its sender is gone (the owner quit).
/// Cancel-safe, so it can sit in every `select!`.
async fn wait_shutdown(shutdown: &mut watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|&stop| stop).await;
}

async fn close_quietly(ws: &mut Ws) {
    let _ = tokio::time::timeout(Duration::from_millis(500), ws.close(None)).await;
}

/// Ids for frames that have neither id nor timestamp. They start at the
/// microsecond clock so they stay unique across connections and across runs
/// (the store never orders the same message id twice, ever).
struct FallbackSeq(u64);

impl FallbackSeq {
    fn new() -> Self {
        let micros = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_micros() as u64)
            .unwrap_or(0);
        FallbackSeq(micros)
    }
    /// A fresh number for every frame; those used by frames that had an id
    /// are simply skipped.
    fn next_seq(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(1);
        self.0
    }
}

/// Exponential backoff with jitter: each delay is drawn from [d/2, d] where d
/// doubles from `min` to `max`, so many clients dropped at once do not all
/// come back in the same instant.
struct Backoff {
    min: Duration,
    max: Duration,
    current: Duration,
    rng: SmallRng,
}

impl Backoff {
    fn new(min: Duration, max: Duration) -> Self {
        let max = max.max(min);
        Backoff {
            min,
            max,
            current: min,
            rng: SmallRng::from_os_rng(),
        }
    }

    fn next_delay(&mut self) -> Duration {
        let full = self.current;
        self.current = (self.current * 2).min(self.max);
        let half = full / 2;
        let jitter_ms = half.as_millis() as u64;
        let extra = if jitter_ms == 0 {
            0
        } else {
            self.rng.random_range(0..=jitter_ms)
        };
        half + Duration::from_millis(extra)
    }

    fn reset(&mut self) {
        self.current = self.min;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_the_cap_and_resets() {
        let mut b = Backoff::new(Duration::from_millis(500), Duration::from_secs(10));
        let expected_full = [500u64, 1000, 2000, 4000, 8000, 10_000, 10_000];
        for full in expected_full {
            let d = b.next_delay().as_millis() as u64;
            assert!(
                d >= full / 2 && d <= full,
                "delay {d} outside [{}, {full}]",
                full / 2
            );
        }
        b.reset();
        let d = b.next_delay().as_millis() as u64;
        assert!((250..=500).contains(&d));
    }
}
