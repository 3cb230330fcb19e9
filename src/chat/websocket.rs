//! The websocket source loop: one task that owns the connection to a chat
//! server, speaks its `Protocol` (a JSON relay's, or a platform's), drops
//! replayed ids, and reconnects with backoff until shutdown. It never gives
//! up on its own.
//! Each failure is classified (`classify`) into an `Outage` carrying the url,
//! so the screen can say "refused" or "address not found" in its own language.

use super::dedupe::{RecentIds, DEFAULT_CAPACITY};
use super::frame::decode_frame;
use super::outage::{Outage, OutageKind};
use super::protocol::{Frame, Protocol, Step};
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

/// Largest websocket message read at all (tungstenite's default, 64 MiB,
/// would let a broken relay eat memory); past it the connection fails.
const MAX_MESSAGE_BYTES: usize = 16 << 20;
/// Largest frame handed to the protocol: chat frames are a few hundred
/// bytes (a Bilibili batch a few kilobytes); a bigger one is dropped and
/// counted, and the connection goes on.
const MAX_FRAME_BYTES: usize = 1 << 20;
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
    /// The first reconnect comes within this; each later one within a
    /// span that doubles up to `backoff_max` (full jitter: anywhere in it).
    pub backoff_min: Duration,
    pub backoff_max: Duration,
    /// For this long after a connection is lost, no wait is longer than
    /// `quick_max`: a relay that restarts is reached within a second of
    /// coming back. Past it the waits grow to `backoff_max`.
    pub quick_for: Duration,
    pub quick_max: Duration,
    /// A connection that lasted this long, or delivered a message, resets
    /// the backoff to `backoff_min`.
    pub stable_after: Duration,
    /// How many recent message ids are remembered to drop replays.
    pub dedupe_capacity: usize,
    /// Ids already read before this run (oldest first; see
    /// `record::recent_ids`): a relay that replays its history after
    /// livestall restarts has them skipped as replays.
    pub seen: Vec<String>,
}

impl Default for JsonSourceOptions {
    fn default() -> Self {
        JsonSourceOptions {
            read_timeout: Duration::from_secs(20),
            connect_timeout: Duration::from_secs(10),
            backoff_min: Duration::from_millis(250),
            backoff_max: Duration::from_secs(10),
            quick_for: Duration::from_secs(60),
            quick_max: Duration::from_secs(1),
            stable_after: Duration::from_secs(30),
            dedupe_capacity: DEFAULT_CAPACITY,
            seen: Vec::new(),
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
    /// The server asked the client to reconnect: at once, nothing lost.
    Reconnect,
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
    // rustls reports a failed TLS handshake (a server that does not speak
    // TLS, a certificate it cannot trust) inside an I/O error.
    if error
        .get_ref()
        .is_some_and(|inner| inner.downcast_ref::<rustls::Error>().is_some())
    {
        return OutageKind::Handshake { status: None };
    }
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
    shutdown: watch::Receiver<bool>,
) {
    let fields = cfg.fields.clone();
    let mut fallback = FallbackSeq::new();
    let first = fallback.next_seq();
    // One sequence across connections: ids made up for frames without one
    // never repeat.
    let seq = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(first));
    run_source_with(
        &cfg.url,
        move || JsonProtocol {
            fields: fields.clone(),
            seq: seq.clone(),
        },
        opts,
        tx,
        shutdown,
    )
    .await
}

/// A JSON relay's side: no login, no heartbeat; every text frame (or UTF-8
/// binary frame: some relays send those) is one message, read through the
/// config's field pointers.
struct JsonProtocol {
    fields: FieldMap,
    seq: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl Protocol for JsonProtocol {
    fn opening(&mut self) -> Vec<Frame> {
        Vec::new()
    }

    fn read(&mut self, frame: Frame, out: &mut Vec<Step>) -> Result<(), String> {
        let text = match frame {
            Frame::Text(text) => text,
            Frame::Binary(bytes) => String::from_utf8(bytes)
                .map_err(|_| "a binary frame that is not UTF-8 text".to_string())?,
        };
        let seq = self.seq.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        match decode_frame(&text, &self.fields, seq) {
            Ok(Some(message)) => out.push(Step::Chat(message)),
            Ok(None) => {}
            Err(e) => {
                let preview: String = text.chars().take(80).collect();
                return Err(format!("{e} in {}", preview.escape_debug()));
            }
        }
        Ok(())
    }
}

/// Runs a source speaking `P` at `url` until `shutdown` turns true (or its
/// sender is dropped) or `tx`'s receiver is dropped. `protocol` makes a
/// fresh protocol state for every connection.
pub async fn run_source_with<P: Protocol>(
    url: &str,
    protocol: impl Fn() -> P,
    opts: JsonSourceOptions,
    tx: mpsc::Sender<SourceEvent>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut backoff = Backoff::new(&opts);
    // Failed attempts since the last connection: told with each outage.
    let mut failures: u32 = 0;
    let mut seen = RecentIds::new(opts.dedupe_capacity);
    for id in &opts.seen {
        seen.insert(id);
    }

    loop {
        if *shutdown.borrow() {
            return;
        }
        tracing::info!(%url, "connecting to chat source");
        let attempt = tokio::select! {
            biased;
            _ = wait_shutdown(&mut shutdown) => return,
            r = tokio::time::timeout(opts.connect_timeout, connect(url)) => r,
        };
        let failure = match attempt {
            Ok(Ok(ws)) => {
                tracing::info!(%url, "chat source connected");
                failures = 0;
                let sent = tokio::select! {
                    biased;
                    _ = wait_shutdown(&mut shutdown) => return,
                    r = tx.send(SourceEvent::Connected) => r,
                };
                if sent.is_err() {
                    return;
                }
                let started = Instant::now();
                let mut heard = false;
                let end = session(
                    ws,
                    protocol(),
                    &opts,
                    &tx,
                    &mut shutdown,
                    &mut seen,
                    &mut heard,
                )
                .await;
                match end {
                    SessionEnd::Stop => return,
                    SessionEnd::Dropped(failure) => {
                        // A connection that carried chat (or lasted) was
                        // healthy: this drop is a new outage, retried at once.
                        if heard || started.elapsed() >= opts.stable_after {
                            backoff.reset();
                        }
                        failure
                    }
                    SessionEnd::Reconnect => {
                        // Asked by the server: back at once, no outage to tell.
                        backoff.reset();
                        continue;
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
        let delay = backoff.next_delay(Instant::now());
        tracing::warn!(
            %url,
            kind = failure.kind.name(),
            reason = %failure.detail,
            retry_in_ms = delay.as_millis() as u64,
            "chat source disconnected"
        );
        failures = failures.saturating_add(1);
        let outage = Outage {
            kind: failure.kind,
            url: url.to_string(),
            detail: failure.detail,
            retry_in: Some(delay),
            attempt: failures,
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

/// Makes ring rustls's crypto for the whole process, once, before the first
/// `wss://` handshake (rustls wants one chosen; a second call is a no-op).
fn install_tls() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    // ring, not aws-lc-rs: it builds with a C compiler alone on every
    // farmer's machine (Windows too, no cmake or NASM). rustls 0.23.48 marks
    // it deprecated for lacking post-quantum key exchange, which public
    // chat read over wss does not need.
    #[allow(deprecated)]
    let provider = rustls::crypto::ring::default_provider;
    ONCE.call_once(|| {
        let _ = provider().install_default();
    });
}

async fn connect(url: &str) -> Result<Ws, tokio_tungstenite::tungstenite::Error> {
    install_tls();
    let config = WebSocketConfig::default()
        .max_message_size(Some(MAX_MESSAGE_BYTES))
        .max_frame_size(Some(MAX_MESSAGE_BYTES));
    // Nagle off: chat frames are tiny and latency is what the helper sees.
    let (ws, _response) =
        tokio_tungstenite::connect_async_with_config(url, Some(config), true).await?;
    Ok(ws)
}

/// How long replayed messages wait, at most, to be told (`SkippedReplays`)
/// when no new message comes to tell them before.
const REPLAYS_TOLD_WITHIN: Duration = Duration::from_millis(500);

/// Reads one connection until it drops, shutdown, the server asks for a
/// reconnect, or the receiver goes away.
async fn session<P: Protocol>(
    mut ws: Ws,
    mut protocol: P,
    opts: &JsonSourceOptions,
    tx: &mpsc::Sender<SourceEvent>,
    shutdown: &mut watch::Receiver<bool>,
    seen: &mut RecentIds,
    heard: &mut bool,
) -> SessionEnd {
    for frame in protocol.opening() {
        if let Err(e) = ws.send(to_message(frame)).await {
            return SessionEnd::Dropped(Failure::of("login failed", &e));
        }
    }
    let heartbeat = protocol.heartbeat();
    let mut next_beat = heartbeat.as_ref().map(|(every, _)| Instant::now() + *every);
    let probe_after = opts.read_timeout / 2;
    let mut last_frame = Instant::now();
    let mut probe_sent = false;
    let mut bad_frames: u32 = 0;
    let mut oversized: u32 = 0;
    // Replayed messages dropped and not told yet, and since when: told
    // before the next new message, or once the replay pauses or has gone
    // on for a while, so a chat gone quiet after a reconnect says why.
    let mut replayed: u32 = 0;
    let mut replayed_since: Option<Instant> = None;
    let mut steps = Vec::new();

    loop {
        let silence = if probe_sent {
            last_frame + opts.read_timeout
        } else {
            last_frame + probe_after
        };
        let mut deadline = next_beat.map_or(silence, |beat| beat.min(silence));
        let tell_replays_at = replayed_since.map(|since| since + REPLAYS_TOLD_WITHIN);
        if let Some(at) = tell_replays_at {
            deadline = deadline.min(at);
        }
        let next = tokio::select! {
            biased;
            _ = wait_shutdown(shutdown) => {
                close_quietly(&mut ws).await;
                return SessionEnd::Stop;
            }
            r = tokio::time::timeout_at(deadline, ws.next()) => r,
        };
        if tell_replays_at.is_some_and(|at| Instant::now() >= at) {
            let told = std::mem::take(&mut replayed);
            replayed_since = None;
            if told > 0 && tx.send(SourceEvent::SkippedReplays(told)).await.is_err() {
                close_quietly(&mut ws).await;
                return SessionEnd::Stop;
            }
            if next.is_err() {
                continue;
            }
        }
        let item = match next {
            Err(_elapsed) if next_beat.is_some_and(|beat| Instant::now() >= beat) => {
                // The protocol's own heartbeat is due (the server answers it,
                // which also proves the connection alive).
                if let Some((every, frame)) = &heartbeat {
                    next_beat = Some(Instant::now() + *every);
                    if let Err(e) = ws.send(to_message(frame.clone())).await {
                        return SessionEnd::Dropped(Failure::of("heartbeat failed", &e));
                    }
                }
                continue;
            }
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

        let frame = match item {
            Message::Text(text) => Frame::Text(text.as_str().to_string()),
            Message::Binary(bytes) => Frame::Binary(bytes.to_vec()),
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

        let size = match &frame {
            Frame::Text(text) => text.len(),
            Frame::Binary(bytes) => bytes.len(),
        };
        if size > MAX_FRAME_BYTES {
            oversized = oversized.saturating_add(1);
            tracing::warn!(size, dropped = oversized, "dropping a frame over 1 MiB");
            continue;
        }
        steps.clear();
        if let Err(reason) = protocol.read(frame, &mut steps) {
            bad_frames = bad_frames.saturating_add(1);
            if bad_frames <= BAD_FRAMES_LOGGED {
                tracing::warn!(%reason, "skipping a frame the source could not read");
                if bad_frames == BAD_FRAMES_LOGGED {
                    tracing::warn!("further bad frames on this connection are not logged");
                }
            }
        }
        for step in steps.drain(..) {
            let mut message = match step {
                Step::Chat(message) => message,
                Step::Send(frame) => {
                    if let Err(e) = ws.send(to_message(frame)).await {
                        return SessionEnd::Dropped(Failure::of("reply failed", &e));
                    }
                    continue;
                }
                Step::Reconnect => {
                    close_quietly(&mut ws).await;
                    return SessionEnd::Reconnect;
                }
                Step::Refused(reason) => {
                    close_quietly(&mut ws).await;
                    return SessionEnd::Dropped(Failure::new(
                        OutageKind::Denied {
                            reason: reason.clone(),
                        },
                        format!("the server refused the login: {reason}"),
                    ));
                }
            };
            if !super::ingest(&mut message) {
                continue;
            }
            if !seen.insert(&message.id) {
                tracing::debug!(id = %message.id, "dropping replayed message");
                replayed = replayed.saturating_add(1);
                replayed_since.get_or_insert_with(Instant::now);
                continue;
            }
            *heard = true;
            replayed_since = None;
            if replayed > 0 {
                let told = std::mem::take(&mut replayed);
                if tx.send(SourceEvent::SkippedReplays(told)).await.is_err() {
                    close_quietly(&mut ws).await;
                    return SessionEnd::Stop;
                }
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
}

fn to_message(frame: Frame) -> Message {
    match frame {
        Frame::Text(text) => Message::Text(text.into()),
        Frame::Binary(bytes) => Message::Binary(bytes.into()),
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

/// Exponential backoff with full jitter: each wait is drawn from [0, d],
/// where d starts at `min` and doubles to `max`, so many clients dropped at
/// once do not all come back in the same instant. For `quick_for` after an
/// outage begins no wait is over `quick_max`: most outages are a relay
/// restarting or a network blinking, and the helper should not sit out
/// seconds after it is back.
struct Backoff {
    min: Duration,
    max: Duration,
    quick_for: Duration,
    quick_max: Duration,
    current: Duration,
    /// When the present outage began (`None` while connected).
    since: Option<Instant>,
    rng: SmallRng,
}

impl Backoff {
    fn new(opts: &JsonSourceOptions) -> Self {
        let max = opts.backoff_max.max(opts.backoff_min);
        Backoff {
            min: opts.backoff_min,
            max,
            quick_for: opts.quick_for,
            quick_max: opts.quick_max.max(opts.backoff_min),
            current: opts.backoff_min,
            since: None,
            rng: SmallRng::from_os_rng(),
        }
    }

    /// The wait before the next attempt, `now` being when the last failed.
    fn next_delay(&mut self, now: Instant) -> Duration {
        let since = *self.since.get_or_insert(now);
        let mut span = self.current;
        self.current = (self.current * 2).min(self.max);
        if now.duration_since(since) < self.quick_for {
            span = span.min(self.quick_max);
        }
        let span_ms = span.as_millis() as u64;
        Duration::from_millis(self.rng.random_range(0..=span_ms))
    }

    /// A healthy connection: the next outage starts over.
    fn reset(&mut self) {
        self.current = self.min;
        self.since = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_quick_for_a_minute_then_doubles_to_the_cap_and_resets() {
        let opts = JsonSourceOptions::default();
        let mut b = Backoff::new(&opts);
        let start = Instant::now();
        // The first retry within 250 ms; then within a second for a minute.
        let first = b.next_delay(start).as_millis() as u64;
        assert!(first <= 250, "{first}");
        for _ in 0..20 {
            let d = b.next_delay(start + Duration::from_secs(30)).as_millis() as u64;
            assert!(d <= 1_000, "{d} in the first minute");
        }
        // Past the minute the spans have doubled to the 10 s cap.
        let later: Vec<u64> = (0..200)
            .map(|_| b.next_delay(start + Duration::from_secs(90)).as_millis() as u64)
            .collect();
        assert!(later.iter().all(|&d| d <= 10_000));
        assert!(
            later.iter().any(|&d| d > 1_000),
            "full jitter reaches past 1 s"
        );
        b.reset();
        let d = b.next_delay(start + Duration::from_secs(200)).as_millis() as u64;
        assert!(d <= 250, "{d} after a reset");
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
