//! The JSON websocket source: one task that owns the connection to a chat
//! relay (or the simulator), decodes its frames, drops replayed ids, and
//! reconnects with backoff until shutdown. It never gives up on its own.
//! Each failure is classified (`classify`) into an `Outage` carrying the url,
//! so the screen can say "refused" or "address not found" in its own language.

use super::dedupe::{RecentIds, DEFAULT_CAPACITY};
use super::frame::decode_frame;
use super::outage::{Outage, OutageKind};
use super::SourceEvent;
use crate::config::{FieldMap, SourceConfig};
use futures_util::{SinkExt, StreamExt};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::error::{Error as WsError, ProtocolError};
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
    Dropped(Failure),
}

/// One failure before the url and the retry are added to make an `Outage`.
struct Failure {
    kind: OutageKind,
    /// The library's words, prefixed with what was being done.
    detail: String,
}

impl Failure {
    fn new(kind: OutageKind, detail: impl Into<String>) -> Failure {
        Failure {
            kind,
            detail: detail.into(),
        }
    }

    /// `error` met while doing `doing` ("connect failed", "read failed").
    fn of(doing: &str, error: &WsError) -> Failure {
        Failure::new(classify(error), format!("{doing}: {error}"))
    }
}

/// The kind of a websocket library error, in the terms a helper can act on.
pub(crate) fn classify(error: &WsError) -> OutageKind {
    match error {
        WsError::Io(io) => classify_io(io),
        WsError::Http(response) => OutageKind::Handshake {
            status: Some(response.status().as_u16()),
        },
        WsError::Tls(_) => OutageKind::Handshake { status: None },
        WsError::Protocol(ProtocolError::ResetWithoutClosingHandshake) => OutageKind::Lost,
        // The server hung up before answering the upgrade.
        WsError::Protocol(ProtocolError::HandshakeIncomplete) => {
            OutageKind::Handshake { status: None }
        }
        WsError::Protocol(_)
        | WsError::HttpFormat(_)
        | WsError::Capacity(_)
        | WsError::Utf8(_)
        | WsError::AttackAttempt => OutageKind::Protocol,
        WsError::ConnectionClosed | WsError::AlreadyClosed => OutageKind::Closed {
            code: None,
            reason: String::new(),
        },
        WsError::Url(_) | WsError::WriteBufferFull(_) => OutageKind::Other,
    }
}

fn classify_io(error: &std::io::Error) -> OutageKind {
    use std::io::ErrorKind;
    match error.kind() {
        ErrorKind::ConnectionRefused => OutageKind::Refused,
        ErrorKind::TimedOut => OutageKind::TimedOut { after: None },
        ErrorKind::HostUnreachable | ErrorKind::NetworkUnreachable | ErrorKind::NetworkDown => {
            OutageKind::Unreachable
        }
        ErrorKind::ConnectionReset
        | ErrorKind::ConnectionAborted
        | ErrorKind::BrokenPipe
        | ErrorKind::UnexpectedEof => OutageKind::Lost,
        ErrorKind::NotFound => OutageKind::NotFound,
        // The standard library reports a failed name lookup (getaddrinfo)
        // with a kind that cannot be matched on stable Rust, only with
        // these words.
        _ if error
            .to_string()
            .starts_with("failed to lookup address information") =>
        {
            OutageKind::NotFound
        }
        _ => OutageKind::Other,
    }
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
        let failure = match attempt {
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
                    SessionEnd::Dropped(failure) => {
                        if started.elapsed() >= opts.stable_after {
                            backoff.reset();
                        }
                        failure
                    }
                }
            }
            Ok(Err(e)) => Failure::of("connect failed", &e),
            Err(_) => Failure::new(
                OutageKind::TimedOut {
                    after: Some(opts.connect_timeout),
                },
                format!(
                    "connect timed out after {:.1} s",
                    opts.connect_timeout.as_secs_f64()
                ),
            ),
        };
        let delay = backoff.next_delay();
        tracing::warn!(
            url = %cfg.url,
            kind = failure.kind.name(),
            reason = %failure.detail,
            retry_in_ms = delay.as_millis() as u64,
            "chat source disconnected"
        );
        let outage = Outage {
            kind: failure.kind,
            url: cfg.url.clone(),
            detail: failure.detail,
            retry_in: Some(delay),
        };
        let send = tokio::select! {
            biased;
            _ = wait_shutdown(&mut shutdown) => return,
            r = tx.send(SourceEvent::Disconnected(outage)) => r,
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
                    return SessionEnd::Dropped(Failure::of("ping failed", &e));
                }
                continue;
            }
            Err(_elapsed) => {
                return SessionEnd::Dropped(Failure::new(
                    OutageKind::NoData {
                        after: opts.read_timeout,
                    },
                    format!("no data for {:.1} s", opts.read_timeout.as_secs_f64()),
                ));
            }
            Ok(None) => {
                return SessionEnd::Dropped(Failure::new(
                    OutageKind::Closed {
                        code: None,
                        reason: String::new(),
                    },
                    "connection closed",
                ))
            }
            Ok(Some(Err(e))) => return SessionEnd::Dropped(Failure::of("read failed", &e)),
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
                    return SessionEnd::Dropped(Failure::of("pong failed", &e));
                }
                continue;
            }
            Message::Pong(_) | Message::Frame(_) => continue,
            Message::Close(frame) => {
                let detail = match &frame {
                    Some(f) if !f.reason.is_empty() => {
                        format!("server closed ({}): {}", u16::from(f.code), f.reason)
                    }
                    Some(f) => format!("server closed ({})", u16::from(f.code)),
                    None => "server closed".to_string(),
                };
                let kind = OutageKind::Closed {
                    code: frame.as_ref().map(|f| u16::from(f.code)),
                    reason: frame.map(|f| f.reason.to_string()).unwrap_or_default(),
                };
                // Let tungstenite finish the close handshake; errors do not matter now.
                let _ = tokio::time::timeout(Duration::from_secs(1), ws.flush()).await;
                return SessionEnd::Dropped(Failure::new(kind, detail));
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

    #[test]
    fn io_errors_are_classified_by_what_a_helper_can_do() {
        use std::io::{Error, ErrorKind};
        let io = |kind| classify(&WsError::Io(Error::from(kind)));
        assert_eq!(io(ErrorKind::ConnectionRefused), OutageKind::Refused);
        assert_eq!(io(ErrorKind::NetworkUnreachable), OutageKind::Unreachable);
        assert_eq!(io(ErrorKind::ConnectionReset), OutageKind::Lost);
        assert_eq!(
            io(ErrorKind::TimedOut),
            OutageKind::TimedOut { after: None }
        );
        assert_eq!(io(ErrorKind::PermissionDenied), OutageKind::Other);
        assert_eq!(
            classify(&WsError::Protocol(
                ProtocolError::ResetWithoutClosingHandshake
            )),
            OutageKind::Lost
        );
        assert_eq!(
            classify(&WsError::ConnectionClosed),
            OutageKind::Closed {
                code: None,
                reason: String::new()
            }
        );
    }

    /// The standard library's words for a failed name lookup, from a real
    /// one: the classification depends on them.
    #[test]
    fn a_failed_name_lookup_is_not_found() {
        use std::net::ToSocketAddrs;
        let error = "nosuch.invalid:9001"
            .to_socket_addrs()
            .expect_err("`.invalid` never resolves");
        assert_eq!(classify(&WsError::Io(error)), OutageKind::NotFound);
    }
}
