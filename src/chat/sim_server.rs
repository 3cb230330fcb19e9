//! The simulated chat as a websocket server (`livestall sim`, and in-process
//! for `livestall demo`): one generator task feeds a broadcast channel, so
//! every client sees the same chat as flat JSON frames {"id","user","text","ts"}.

use super::sim::SimChat;
use crate::catalog::Catalog;
use futures_util::{SinkExt, StreamExt};
use std::net::SocketAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{broadcast, watch};
use tokio::task::JoinSet;
use tokio::time::{timeout, Instant};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};
use tokio_tungstenite::WebSocketStream;

/// Pings keep NAT and proxies from dropping a quiet link and let clients
/// detect a dead server by the absence of frames.
const PING_EVERY: Duration = Duration::from_secs(5);
/// Frames buffered per client before a slow client starts skipping.
const CLIENT_BUFFER: usize = 1024;
/// A client that cannot take one frame in this long is dropped.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// After the last message, how long clients get to drain and close.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);
/// At shutdown, how long clients get to close.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, PartialEq)]
pub struct SimOptions {
    /// Average messages per second.
    pub rate: f64,
    /// Stop after this many messages (then close every connection cleanly).
    pub count: Option<u64>,
    pub seed: u64,
}

impl Default for SimOptions {
    fn default() -> Self {
        SimOptions {
            rate: super::sim::DEFAULT_RATE,
            count: None,
            seed: 1,
        }
    }
}

/// Serves the simulated chat on `listener` until `count` messages are sent
/// (and clients closed) or `shutdown` turns true. Chat starts when the first
/// client connects, so that client sees every message; later clients join the
/// stream where it is, as on a real live stream. Any path is accepted.
pub async fn serve(
    listener: TcpListener,
    catalog: Catalog,
    opts: SimOptions,
    mut shutdown: watch::Receiver<bool>,
) -> std::io::Result<()> {
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, rate = opts.rate, count = ?opts.count, seed = opts.seed, "simulated chat listening");
    }
    let (frames_tx, _) = broadcast::channel::<Utf8Bytes>(CLIENT_BUFFER);
    let (started_tx, started_rx) = watch::channel(false);
    let mut generator = tokio::spawn(generate(
        catalog,
        opts,
        frames_tx.clone(),
        started_rx,
        shutdown.clone(),
    ));
    let mut frames_tx = Some(frames_tx);
    let mut clients = JoinSet::new();

    let finished = loop {
        tokio::select! {
            biased;
            _ = wait_shutdown(&mut shutdown) => break false,
            _ = &mut generator => break true,
            Some(joined) = clients.join_next(), if !clients.is_empty() => {
                if let Err(e) = joined {
                    tracing::warn!(error = %e, "simulated chat client task failed");
                }
            }
            accepted = listener.accept() => match accepted {
                Ok((tcp, peer)) => {
                    if let Some(tx) = &frames_tx {
                        // Subscribe before the handshake so nothing sent
                        // meanwhile is missed.
                        let rx = tx.subscribe();
                        clients.spawn(client(tcp, peer, rx, shutdown.clone()));
                        started_tx.send_replace(true);
                    }
                }
                Err(e) => {
                    // Usually out of file descriptors: wait instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
        }
    };
    drop(listener);

    if finished {
        // Every sender gone: clients drain what is buffered, then close.
        frames_tx = None;
        let drained = tokio::select! {
            biased;
            _ = wait_shutdown(&mut shutdown) => false,
            r = timeout(DRAIN_TIMEOUT, join_all(&mut clients)) => r.is_ok(),
        };
        if !drained {
            let _ = timeout(SHUTDOWN_GRACE, join_all(&mut clients)).await;
        }
    } else {
        generator.abort();
        let _ = timeout(SHUTDOWN_GRACE, join_all(&mut clients)).await;
    }
    drop(frames_tx);
    clients.abort_all();
    tracing::info!("simulated chat stopped");
    Ok(())
}

async fn join_all(clients: &mut JoinSet<()>) {
    while clients.join_next().await.is_some() {}
}

async fn wait_shutdown(shutdown: &mut watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|&stop| stop).await;
}

/// The one generator: paces `SimChat` in real time and broadcasts each frame.
async fn generate(
    catalog: Catalog,
    opts: SimOptions,
    frames: broadcast::Sender<Utf8Bytes>,
    mut started: watch::Receiver<bool>,
    mut shutdown: watch::Receiver<bool>,
) {
    tokio::select! {
        biased;
        _ = wait_shutdown(&mut shutdown) => return,
        r = started.wait_for(|&s| s) => if r.is_err() { return },
    }
    let mut sim = SimChat::new(&catalog, opts.seed).with_rate(opts.rate);
    // Ids unique to this run, as a platform's are: the same seed again
    // writes the same chat, but a viewer's message from an earlier run
    // (kept in a shop's record) must not make this run's look replayed.
    let run = unix_ms();
    let mut sent: u64 = 0;
    // Absolute deadlines, so the pace does not drift with send time.
    let mut next_at = Instant::now();
    while opts.count.is_none_or(|count| sent < count) {
        let message = sim.next_message();
        next_at += Duration::from_millis(message.delay_ms);
        tokio::select! {
            biased;
            _ = wait_shutdown(&mut shutdown) => return,
            _ = tokio::time::sleep_until(next_at) => {}
        }
        let frame = serde_json::json!({
            "id": format!("{}-{run:x}", message.id),
            "user": message.user,
            "text": message.text,
            "ts": unix_ms(),
        });
        // An error only means no client is connected right now: the show goes on.
        let _ = frames.send(frame.to_string().into());
        sent += 1;
    }
    tracing::info!(sent, "simulated chat reached its message count");
}

fn unix_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// One websocket client: forwards the shared stream, pings, and closes
/// cleanly when the stream ends or at shutdown.
async fn client(
    tcp: TcpStream,
    peer: SocketAddr,
    mut frames: broadcast::Receiver<Utf8Bytes>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut ws = match timeout(HANDSHAKE_TIMEOUT, tokio_tungstenite::accept_async(tcp)).await {
        Ok(Ok(ws)) => ws,
        Ok(Err(e)) => {
            tracing::info!(%peer, error = %e, "websocket handshake failed");
            return;
        }
        Err(_) => {
            tracing::info!(%peer, "websocket handshake timed out");
            return;
        }
    };
    tracing::info!(%peer, "chat client connected");
    let mut ping = tokio::time::interval_at(Instant::now() + PING_EVERY, PING_EVERY);

    loop {
        tokio::select! {
            biased;
            _ = wait_shutdown(&mut shutdown) => {
                close(&mut ws, CloseCode::Away, "server shutting down").await;
                return;
            }
            incoming = ws.next() => match incoming {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => {
                    tracing::info!(%peer, "chat client left");
                    // Completes the close handshake if the client started one.
                    let _ = timeout(Duration::from_secs(1), ws.flush()).await;
                    return;
                }
                // Pongs and anything a client says are ignored.
                Some(Ok(_)) => {}
            },
            frame = frames.recv() => match frame {
                Ok(text) => {
                    if !send(&mut ws, Message::Text(text), peer).await {
                        return;
                    }
                }
                Err(broadcast::error::RecvError::Lagged(skipped)) => {
                    tracing::warn!(%peer, skipped, "slow chat client skipped messages");
                }
                Err(broadcast::error::RecvError::Closed) => {
                    close(&mut ws, CloseCode::Normal, "end of simulated chat").await;
                    return;
                }
            },
            _ = ping.tick() => {
                if !send(&mut ws, Message::Ping(Vec::new().into()), peer).await {
                    return;
                }
            }
        }
    }
}

async fn send(ws: &mut WebSocketStream<TcpStream>, message: Message, peer: SocketAddr) -> bool {
    match timeout(WRITE_TIMEOUT, ws.send(message)).await {
        Ok(Ok(())) => true,
        Ok(Err(e)) => {
            tracing::info!(%peer, error = %e, "chat client dropped");
            false
        }
        Err(_) => {
            tracing::warn!(%peer, "chat client stopped reading; dropping it");
            false
        }
    }
}

/// Sends a close frame and waits briefly for the client's answer, so the
/// close is a clean handshake rather than a reset.
async fn close(ws: &mut WebSocketStream<TcpStream>, code: CloseCode, reason: &str) {
    let frame = CloseFrame {
        code,
        reason: reason.into(),
    };
    if timeout(WRITE_TIMEOUT, ws.close(Some(frame))).await.is_err() {
        return;
    }
    let _ = timeout(Duration::from_secs(2), async {
        while let Some(Ok(_)) = ws.next().await {}
    })
    .await;
}
