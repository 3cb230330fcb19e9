//! The websocket loop speaking a platform's `Protocol` against a loopback
//! server: the login frames go out first, the protocol's heartbeat is sent
//! on time, its replies go back, a server's "reconnect" is obeyed at once
//! with nothing told as lost, and a refused login is told as `denied`.

use futures_util::{SinkExt, StreamExt};
use livestall::chat::protocol::{Frame, Protocol, Step};
use livestall::chat::{run_source_with, ChatMessage, JsonSourceOptions, OutageKind, SourceEvent};
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{accept_async, WebSocketStream};

const LIMIT: Duration = Duration::from_secs(10);

/// A line protocol made up for the test: the client says `HELLO`, beats
/// `BEAT`; the server sends `SAY id text`, `PING x` (answered `PONG x`),
/// `MOVE` (reconnect) or `NO why` (refused).
struct Lines {
    beat: Duration,
}

impl Protocol for Lines {
    fn opening(&mut self) -> Vec<Frame> {
        vec![Frame::Text("HELLO".into())]
    }

    fn heartbeat(&self) -> Option<(Duration, Frame)> {
        Some((self.beat, Frame::Text("BEAT".into())))
    }

    fn read(&mut self, frame: Frame, out: &mut Vec<Step>) -> Result<(), String> {
        let Frame::Text(text) = frame else {
            return Err("binary".into());
        };
        let (word, rest) = text.split_once(' ').unwrap_or((text.as_str(), ""));
        match word {
            "SAY" => {
                let (id, said) = rest.split_once(' ').unwrap_or((rest, ""));
                out.push(Step::Chat(ChatMessage {
                    id: id.into(),
                    user: "u".into(),
                    user_id: None,
                    text: said.into(),
                    ts: None,
                }));
            }
            "PING" => out.push(Step::Send(Frame::Text(format!("PONG {rest}")))),
            "MOVE" => out.push(Step::Reconnect),
            "NO" => out.push(Step::Refused(rest.into())),
            _ => return Err(format!("unknown {word}")),
        }
        Ok(())
    }
}

fn opts() -> JsonSourceOptions {
    JsonSourceOptions {
        read_timeout: Duration::from_secs(5),
        connect_timeout: Duration::from_secs(2),
        backoff_min: Duration::from_millis(20),
        backoff_max: Duration::from_millis(100),
        quick_for: Duration::from_secs(60),
        quick_max: Duration::from_millis(100),
        stable_after: Duration::from_secs(30),
        dedupe_capacity: 100,
        seen: Vec::new(),
    }
}

async fn accept(listener: &TcpListener) -> WebSocketStream<TcpStream> {
    let (tcp, _) = listener.accept().await.expect("accept");
    accept_async(tcp).await.expect("handshake")
}

async fn next_text(ws: &mut WebSocketStream<TcpStream>) -> String {
    loop {
        match timeout(LIMIT, ws.next()).await.expect("in time") {
            Some(Ok(Message::Text(t))) => return t.as_str().to_string(),
            Some(Ok(_)) => continue,
            other => panic!("expected text, got {other:?}"),
        }
    }
}

async fn next_event(rx: &mut mpsc::Receiver<SourceEvent>) -> SourceEvent {
    timeout(LIMIT, rx.recv())
        .await
        .expect("event in time")
        .expect("source running")
}

/// The loop speaking `Lines` (beating every `beat`) at `url`: its events,
/// its stop switch and its task.
fn start_lines(
    url: String,
    beat: Duration,
) -> (
    mpsc::Receiver<SourceEvent>,
    watch::Sender<bool>,
    tokio::task::JoinHandle<()>,
) {
    let (tx, rx) = mpsc::channel(16);
    let (stop_tx, stop_rx) = watch::channel(false);
    let task = tokio::spawn(async move {
        run_source_with(&url, move || Lines { beat }, opts(), tx, stop_rx).await
    });
    (rx, stop_tx, task)
}

#[tokio::test]
async fn login_heartbeat_replies_reconnect_and_refusal() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("ws://{}/", listener.local_addr().unwrap());
    let (mut rx, stop_tx, task) = start_lines(url, Duration::from_millis(200));

    // First connection: login, a message, a ping answered, a heartbeat.
    let mut ws = accept(&listener).await;
    assert_eq!(next_text(&mut ws).await, "HELLO", "the login goes first");
    assert_eq!(next_event(&mut rx).await, SourceEvent::Connected);
    ws.send(Message::text("SAY a1 小米来两袋")).await.unwrap();
    match next_event(&mut rx).await {
        SourceEvent::Message(m) => {
            assert_eq!((m.id.as_str(), m.text.as_str()), ("a1", "小米来两袋"))
        }
        other => panic!("{other:?}"),
    }
    ws.send(Message::text("PING 42")).await.unwrap();
    assert_eq!(next_text(&mut ws).await, "PONG 42");
    assert_eq!(next_text(&mut ws).await, "BEAT", "the heartbeat is sent");

    // The server moves the client: it comes back at once, tells no outage,
    // and a replayed message is dropped.
    ws.send(Message::text("MOVE")).await.unwrap();
    let mut ws = accept(&listener).await;
    assert_eq!(next_text(&mut ws).await, "HELLO");
    assert_eq!(next_event(&mut rx).await, SourceEvent::Connected);
    ws.send(Message::text("SAY a1 小米来两袋")).await.unwrap();
    ws.send(Message::text("SAY a2 核桃一袋")).await.unwrap();
    assert_eq!(next_event(&mut rx).await, SourceEvent::SkippedReplays(1));
    match next_event(&mut rx).await {
        SourceEvent::Message(m) => assert_eq!(m.id, "a2", "a1 was a replay"),
        other => panic!("{other:?}"),
    }

    // A refused login is told in the server's words and retried.
    ws.send(Message::text("NO room 7 needs a token"))
        .await
        .unwrap();
    match next_event(&mut rx).await {
        SourceEvent::Disconnected(outage) => {
            assert_eq!(
                outage.kind,
                OutageKind::Denied {
                    reason: "room 7 needs a token".into()
                }
            );
            assert!(outage.retry_in.unwrap() <= Duration::from_millis(100));
        }
        other => panic!("{other:?}"),
    }
    let mut ws = accept(&listener).await;
    assert_eq!(next_text(&mut ws).await, "HELLO", "it tries again");
    stop_tx.send(true).unwrap();
    timeout(LIMIT, task).await.expect("ends").expect("no panic");
}

/// `wss://` is spoken (rustls, built in): a plain TCP listener where TLS is
/// expected is a failed handshake, told as such and retried, not a "TLS not
/// supported" error or a panic.
#[tokio::test]
async fn wss_is_spoken_and_a_server_without_tls_is_a_failed_handshake() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("wss://{}/", listener.local_addr().unwrap());
    let (mut rx, stop_tx, task) = start_lines(url, Duration::from_secs(30));
    // Accept and answer garbage where a TLS server hello should be.
    let server = tokio::spawn(async move {
        use tokio::io::AsyncWriteExt;
        let (mut tcp, _) = listener.accept().await.expect("accept");
        let _ = tcp.write_all(b"HTTP/1.1 400 not tls\r\n\r\n").await;
        tcp
    });
    match next_event(&mut rx).await {
        SourceEvent::Disconnected(outage) => {
            assert_eq!(
                outage.kind,
                OutageKind::Handshake { status: None },
                "{outage:?}"
            );
            assert!(outage.url.starts_with("wss://"));
        }
        other => panic!("{other:?}"),
    }
    let _tcp = server.await.unwrap();
    stop_tx.send(true).unwrap();
    timeout(LIMIT, task).await.expect("ends").expect("no panic");
}

fn json_source(url: String) -> livestall::config::SourceConfig {
    livestall::config::SourceConfig {
        name: "json".into(),
        kind: livestall::config::SourceKind::Json,
        url,
        fields: livestall::config::FieldMap::default(),
    }
}

fn say(id: &str, user: &str, text: &str) -> Message {
    Message::text(serde_json::json!({"id": id, "user": user, "text": text}).to_string())
}

/// At ingestion: hostile characters leave text and names before anything
/// sees them, a frame over 1 MiB is dropped while the connection goes on,
/// and history a relay replays after a reconnect is skipped and counted.
#[tokio::test]
async fn ingestion_cleans_drops_giant_frames_and_counts_skipped_replays() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("ws://{}/", listener.local_addr().unwrap());
    let (tx, mut rx) = mpsc::channel(64);
    let (stop_tx, stop_rx) = watch::channel(false);
    let task = tokio::spawn(livestall::chat::run_json_source_with(
        json_source(url),
        opts(),
        tx,
        stop_rx,
    ));
    let mut ws = accept(&listener).await;
    assert_eq!(next_event(&mut rx).await, SourceEvent::Connected);
    ws.send(say(
        "h1",
        "\u{202e}evil\u{1b}[31m",
        "小米\u{1b}]0;pwned\u{7}来两袋\u{200b}",
    ))
    .await
    .unwrap();
    match next_event(&mut rx).await {
        SourceEvent::Message(m) => {
            assert_eq!(m.user, "evil");
            assert_eq!(m.text, "小米来两袋");
        }
        other => panic!("{other:?}"),
    }
    // 1.5 MiB of text: dropped, and the next frame still comes.
    let giant = "扣".repeat(512 * 1024);
    ws.send(say("big", "x", &giant)).await.unwrap();
    ws.send(say("h2", "阿强", "核桃一袋")).await.unwrap();
    match next_event(&mut rx).await {
        SourceEvent::Message(m) => assert_eq!(m.id, "h2"),
        other => panic!("{other:?}"),
    }
    // The relay drops and replays its history: two skipped, then told.
    drop(ws);
    assert!(matches!(
        next_event(&mut rx).await,
        SourceEvent::Disconnected(_)
    ));
    let mut ws = accept(&listener).await;
    assert_eq!(next_event(&mut rx).await, SourceEvent::Connected);
    for (id, text) in [("h1", "小米来两袋"), ("h2", "核桃一袋"), ("h3", "杏干三袋")] {
        ws.send(say(id, "兰兰", text)).await.unwrap();
    }
    assert_eq!(next_event(&mut rx).await, SourceEvent::SkippedReplays(2));
    match next_event(&mut rx).await {
        SourceEvent::Message(m) => assert_eq!(m.id, "h3"),
        other => panic!("{other:?}"),
    }
    stop_tx.send(true).unwrap();
    timeout(LIMIT, task).await.expect("ends").expect("no panic");
}
