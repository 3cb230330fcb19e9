//! The JSON websocket source against websocket servers started in the test:
//! delivery, reconnect after a drop, replay dedupe, silent death, shutdown,
//! and what each kind of failure is called (from real failures: a closed
//! port, a name that does not resolve, a server that never answers, …).

use futures_util::{SinkExt, StreamExt};
use livestall::chat::{run_json_source_with, JsonSourceOptions, Outage, OutageKind, SourceEvent};
use livestall::config::{FieldMap, SourceConfig, SourceKind};
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{accept_async, WebSocketStream};

const LIMIT: Duration = Duration::from_secs(10);
/// How soon a stop must end the source. Far above what a stop takes even on
/// a loaded machine (milliseconds), far below what a stop that waited for
/// the next backoff or read timeout would take (15 s and more below).
const PROMPT: Duration = Duration::from_secs(5);

fn test_opts() -> JsonSourceOptions {
    JsonSourceOptions {
        read_timeout: Duration::from_secs(5),
        connect_timeout: Duration::from_secs(2),
        backoff_min: Duration::from_millis(20),
        backoff_max: Duration::from_millis(100),
        stable_after: Duration::from_secs(30),
        dedupe_capacity: 1_000,
        quick_for: Duration::from_secs(60),
        quick_max: Duration::from_millis(100),
        seen: Vec::new(),
    }
}

fn source(addr: std::net::SocketAddr) -> SourceConfig {
    SourceConfig {
        name: "json".into(),
        kind: SourceKind::Json,
        url: format!("ws://{addr}/chat"),
        fields: FieldMap::default(),
    }
}

/// A listener on a free port and the JSON source started on it (test
/// options), its events on a channel of `capacity`.
async fn started(
    capacity: usize,
) -> (
    TcpListener,
    mpsc::Receiver<SourceEvent>,
    watch::Sender<bool>,
    tokio::task::JoinHandle<()>,
) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (tx, rx) = mpsc::channel(capacity);
    let (stop_tx, stop_rx) = watch::channel(false);
    let task = tokio::spawn(run_json_source_with(source(addr), test_opts(), tx, stop_rx));
    (listener, rx, stop_tx, task)
}

async fn accept(listener: &TcpListener) -> WebSocketStream<TcpStream> {
    let (tcp, _) = listener.accept().await.expect("accept");
    accept_async(tcp).await.expect("handshake")
}

fn frame(i: u32) -> Message {
    Message::text(
        serde_json::json!({"id": format!("m{i}"), "user": format!("user{i}"), "text": format!("扣{i}")})
            .to_string(),
    )
}

async fn next_event(rx: &mut mpsc::Receiver<SourceEvent>) -> SourceEvent {
    timeout(LIMIT, rx.recv())
        .await
        .expect("event in time")
        .expect("source still running")
}

async fn next_message_id(rx: &mut mpsc::Receiver<SourceEvent>) -> String {
    match next_event(rx).await {
        SourceEvent::Message(m) => m.id,
        other => panic!("expected a message, got {other:?}"),
    }
}

#[tokio::test]
async fn delivers_every_message_in_order_through_a_small_channel() {
    let (listener, mut rx, stop_tx, task) = started(1).await;

    let server = tokio::spawn(async move {
        let mut ws = accept(&listener).await;
        // Noise the source must skip without stopping.
        ws.send(Message::text("not json")).await.expect("send");
        ws.send(Message::text(r#"{"id":"gift","user":"x"}"#))
            .await
            .expect("send");
        for i in 0..50 {
            ws.send(frame(i)).await.expect("send");
        }
        ws
    });

    assert_eq!(next_event(&mut rx).await, SourceEvent::Connected);
    for i in 0..50 {
        // A channel of 1 forces backpressure on the source for every message.
        assert_eq!(next_message_id(&mut rx).await, format!("m{i}"));
    }
    let _ws = server.await.expect("server");
    stop_tx.send(true).expect("stop");
    timeout(LIMIT, task).await.expect("ends").expect("no panic");
}

#[tokio::test]
async fn reconnects_after_a_drop_and_drops_replayed_history() {
    let (listener, mut rx, stop_tx, task) = started(16).await;

    let server = tokio::spawn(async move {
        let mut first = accept(&listener).await;
        for i in 0..5 {
            first.send(frame(i)).await.expect("send");
        }
        // A frame without id but with ts: its derived id must dedupe too.
        let no_id = r#"{"user":"阿强","text":"小米来两袋","ts":1700000000123}"#;
        first.send(Message::text(no_id)).await.expect("send");
        first.flush().await.expect("flush");
        // Drop the TCP connection without a close handshake, as a flaky relay does.
        drop(first);

        let mut second = accept(&listener).await;
        // A relay replaying its history after the reconnect, then new chat.
        for i in 0..5 {
            second.send(frame(i)).await.expect("send");
        }
        second.send(Message::text(no_id)).await.expect("send");
        for i in 5..8 {
            second.send(frame(i)).await.expect("send");
        }
        second
    });

    assert_eq!(next_event(&mut rx).await, SourceEvent::Connected);
    for i in 0..5 {
        assert_eq!(next_message_id(&mut rx).await, format!("m{i}"));
    }
    let derived = next_message_id(&mut rx).await;
    assert!(derived.starts_with("d-"), "{derived}");
    match next_event(&mut rx).await {
        // The relay dropped TCP without a close handshake.
        SourceEvent::Disconnected(outage) => {
            assert_eq!(outage.kind, OutageKind::Lost, "{outage:?}")
        }
        other => panic!("expected Disconnected, got {other:?}"),
    }
    assert_eq!(next_event(&mut rx).await, SourceEvent::Connected);
    // Only the new messages: the replayed m0..m4 and the id-less frame are
    // dropped, and told as six skipped.
    assert_eq!(next_event(&mut rx).await, SourceEvent::SkippedReplays(6));
    for i in 5..8 {
        assert_eq!(next_message_id(&mut rx).await, format!("m{i}"));
    }
    let _second = server.await.expect("server");
    stop_tx.send(true).expect("stop");
    timeout(LIMIT, task).await.expect("ends").expect("no panic");
    assert!(rx.try_recv().is_err(), "nothing after the new messages");
}

#[tokio::test]
async fn a_silent_server_is_detected_and_replaced() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (tx, mut rx) = mpsc::channel(16);
    let (stop_tx, stop_rx) = watch::channel(false);
    let opts = JsonSourceOptions {
        read_timeout: Duration::from_millis(600),
        ..test_opts()
    };
    let task = tokio::spawn(run_json_source_with(source(addr), opts, tx, stop_rx));

    let server = tokio::spawn(async move {
        // Accept, then never read or write: no pongs, as a half-dead link.
        let frozen = accept(&listener).await;
        let mut second = accept(&listener).await;
        second.send(frame(1)).await.expect("send");
        (frozen, second)
    });

    assert_eq!(next_event(&mut rx).await, SourceEvent::Connected);
    match next_event(&mut rx).await {
        SourceEvent::Disconnected(outage) => {
            assert!(outage.detail.contains("no data"), "{outage:?}");
            assert_eq!(
                outage.kind,
                OutageKind::NoData {
                    after: Duration::from_millis(600)
                }
            );
        }
        other => panic!("expected Disconnected, got {other:?}"),
    }
    assert_eq!(next_event(&mut rx).await, SourceEvent::Connected);
    assert_eq!(next_message_id(&mut rx).await, "m1");
    let _conns = server.await.expect("server");
    stop_tx.send(true).expect("stop");
    timeout(LIMIT, task).await.expect("ends").expect("no panic");
}

#[tokio::test]
async fn a_quiet_server_that_answers_pings_is_kept() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (tx, mut rx) = mpsc::channel(16);
    let (stop_tx, stop_rx) = watch::channel(false);
    // The ping goes out half a read timeout into the silence, leaving the
    // other half (a second) for its pong, even on a loaded machine.
    let opts = JsonSourceOptions {
        read_timeout: Duration::from_millis(2_000),
        ..test_opts()
    };
    let task = tokio::spawn(run_json_source_with(source(addr), opts, tx, stop_rx));

    let server = tokio::spawn(async move {
        let mut ws = accept(&listener).await;
        // Reading lets tungstenite answer the client's pings; send chat only
        // after several read timeouts have passed.
        let quiet = tokio::time::sleep(Duration::from_millis(5_000));
        tokio::pin!(quiet);
        loop {
            tokio::select! {
                _ = &mut quiet => break,
                m = ws.next() => if m.is_none() { panic!("client hung up") },
            }
        }
        ws.send(frame(9)).await.expect("send");
        ws
    });

    assert_eq!(next_event(&mut rx).await, SourceEvent::Connected);
    // The next event is the message itself: no Disconnected in between.
    assert_eq!(next_message_id(&mut rx).await, "m9");
    let _ws = server.await.expect("server");
    stop_tx.send(true).expect("stop");
    timeout(LIMIT, task).await.expect("ends").expect("no panic");
}

#[tokio::test]
async fn shutdown_ends_the_task_promptly_while_connected() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (tx, mut rx) = mpsc::channel(16);
    let (stop_tx, stop_rx) = watch::channel(false);
    // A read timeout far beyond PROMPT: a stop that only took effect at the
    // next read timeout would miss it.
    let opts = JsonSourceOptions {
        read_timeout: Duration::from_secs(60),
        ..test_opts()
    };
    let task = tokio::spawn(run_json_source_with(source(addr), opts, tx, stop_rx));
    let server = tokio::spawn(async move {
        let mut ws = accept(&listener).await;
        // Answer until the client closes.
        while let Some(Ok(_)) = ws.next().await {}
    });

    assert_eq!(next_event(&mut rx).await, SourceEvent::Connected);
    stop_tx.send(true).expect("stop");
    timeout(PROMPT, task)
        .await
        .expect("ends promptly")
        .expect("no panic");
    // The client closed the connection, so the server's read loop ended.
    timeout(LIMIT, server)
        .await
        .expect("server sees close")
        .expect("no panic");
}

#[tokio::test]
async fn shutdown_ends_the_task_promptly_while_retrying() {
    // A port with nobody listening: every attempt fails and the task backs off.
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    let (tx, mut rx) = mpsc::channel(16);
    let (stop_tx, stop_rx) = watch::channel(false);
    let opts = JsonSourceOptions {
        backoff_min: Duration::from_secs(30),
        backoff_max: Duration::from_secs(60),
        ..test_opts()
    };
    let task = tokio::spawn(run_json_source_with(source(addr), opts, tx, stop_rx));
    match next_event(&mut rx).await {
        SourceEvent::Disconnected(outage) => {
            assert!(outage.detail.contains("connect"), "{outage:?}")
        }
        other => panic!("expected Disconnected, got {other:?}"),
    }
    stop_tx.send(true).expect("stop");
    timeout(PROMPT, task)
        .await
        .expect("ends promptly despite a 15 s+ backoff")
        .expect("no panic");
}

#[tokio::test]
async fn keeps_retrying_until_a_server_appears() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    let (tx, mut rx) = mpsc::channel(16);
    let (stop_tx, stop_rx) = watch::channel(false);
    let task = tokio::spawn(run_json_source_with(source(addr), test_opts(), tx, stop_rx));
    // Each failure says how many attempts in a row have failed.
    for attempt in 1..=3 {
        match next_event(&mut rx).await {
            SourceEvent::Disconnected(outage) => assert_eq!(outage.attempt, attempt),
            other => panic!("expected Disconnected, got {other:?}"),
        }
    }
    let listener = TcpListener::bind(addr).await.expect("rebind the same port");
    let server = tokio::spawn(async move {
        let mut ws = accept(&listener).await;
        ws.send(frame(3)).await.expect("send");
        ws
    });
    loop {
        match next_event(&mut rx).await {
            SourceEvent::Disconnected { .. } => continue,
            SourceEvent::Connected => break,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(next_message_id(&mut rx).await, "m3");
    let _ws = server.await.expect("server");
    stop_tx.send(true).expect("stop");
    timeout(LIMIT, task).await.expect("ends").expect("no panic");
}

#[tokio::test]
async fn ends_when_the_receiver_is_dropped() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (tx, mut rx) = mpsc::channel(1);
    let (_stop_tx, stop_rx) = watch::channel(false);
    let task = tokio::spawn(run_json_source_with(source(addr), test_opts(), tx, stop_rx));
    let server = tokio::spawn(async move {
        let mut ws = accept(&listener).await;
        for i in 0..10 {
            if ws.send(frame(i)).await.is_err() {
                break;
            }
        }
        while let Some(Ok(_)) = ws.next().await {}
    });
    assert_eq!(next_event(&mut rx).await, SourceEvent::Connected);
    drop(rx);
    timeout(LIMIT, task).await.expect("ends").expect("no panic");
    timeout(LIMIT, server)
        .await
        .expect("server sees close")
        .expect("no panic");
}

#[tokio::test]
async fn an_oversized_frame_drops_the_connection_not_the_memory() {
    let (listener, mut rx, stop_tx, task) = started(16).await;
    let server = tokio::spawn(async move {
        let mut first = accept(&listener).await;
        let huge = format!(
            r#"{{"id":"big","user":"x","text":"{}"}}"#,
            // Past what is read at all (16 MiB); a frame between 1 and
            // 16 MiB is dropped with the connection kept.
            "a".repeat(20 << 20)
        );
        // The client may hang up mid-send; that is the point.
        let _ = first.send(Message::text(huge)).await;
        let mut second = accept(&listener).await;
        second.send(frame(2)).await.expect("send");
        (first, second)
    });
    assert_eq!(next_event(&mut rx).await, SourceEvent::Connected);
    match next_event(&mut rx).await {
        SourceEvent::Disconnected(outage) => {
            assert!(outage.detail.contains("read failed"), "{outage:?}");
            assert_eq!(outage.kind, OutageKind::Protocol, "{outage:?}");
        }
        other => panic!("expected Disconnected, got {other:?}"),
    }
    assert_eq!(next_event(&mut rx).await, SourceEvent::Connected);
    assert_eq!(next_message_id(&mut rx).await, "m2");
    let _conns = server.await.expect("server");
    stop_tx.send(true).expect("stop");
    timeout(LIMIT, task).await.expect("ends").expect("no panic");
}

#[tokio::test]
async fn shutdown_is_prompt_even_when_the_channel_is_full() {
    let (listener, mut rx, stop_tx, task) = started(1).await;
    let server = tokio::spawn(async move {
        let mut ws = accept(&listener).await;
        for i in 0..20 {
            if ws.send(frame(i)).await.is_err() {
                break;
            }
        }
        while let Some(Ok(_)) = ws.next().await {}
    });
    assert_eq!(next_event(&mut rx).await, SourceEvent::Connected);
    // Nobody reads: the source fills the channel and waits on it. Wait for
    // the channel to be full (not for a fixed time, which a loaded machine
    // may not give the source), so the stop below finds it blocked.
    timeout(LIMIT, async {
        while rx.len() < rx.max_capacity() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("the source fills the channel");
    stop_tx.send(true).expect("stop");
    timeout(PROMPT, task)
        .await
        .expect("ends promptly")
        .expect("no panic");
    timeout(LIMIT, server)
        .await
        .expect("server sees close")
        .expect("no panic");
    drop(rx);
}

/// The first outage the source tells for `url` with `opts`, its task stopped.
async fn first_outage(url: String, opts: JsonSourceOptions) -> Outage {
    let (tx, mut rx) = mpsc::channel(16);
    let (stop_tx, stop_rx) = watch::channel(false);
    let cfg = SourceConfig {
        name: "json".into(),
        kind: SourceKind::Json,
        url,
        fields: FieldMap::default(),
    };
    let task = tokio::spawn(run_json_source_with(cfg, opts, tx, stop_rx));
    let event = timeout(Duration::from_secs(60), rx.recv())
        .await
        .expect("an event in time")
        .expect("source still running");
    stop_tx.send(true).expect("stop");
    timeout(PROMPT, task)
        .await
        .expect("ends promptly")
        .expect("no panic");
    match event {
        SourceEvent::Disconnected(outage) => outage,
        other => panic!("expected Disconnected, got {other:?}"),
    }
}

#[tokio::test]
async fn a_closed_port_is_refused_with_its_url() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    let url = format!("ws://{addr}/chat");
    let outage = first_outage(url.clone(), test_opts()).await;
    assert_eq!(outage.kind, OutageKind::Refused, "{outage:?}");
    assert_eq!(outage.url, url);
    assert!(outage.retry_in.is_some(), "{outage:?}");
    // Scripts reading headless events keep the library's words.
    assert!(outage.detail.starts_with("connect failed"), "{outage:?}");
}

#[tokio::test]
async fn a_name_that_does_not_resolve_is_not_found() {
    // `.invalid` never resolves (RFC 2606). A slow resolver could take a
    // while to say so: the connect timeout is long enough for it.
    let opts = JsonSourceOptions {
        connect_timeout: Duration::from_secs(45),
        ..test_opts()
    };
    let outage = first_outage("ws://nosuch.invalid:9001/chat".into(), opts).await;
    assert_eq!(outage.kind, OutageKind::NotFound, "{outage:?}");
    assert_eq!(outage.url, "ws://nosuch.invalid:9001/chat");
}

#[tokio::test]
async fn a_listener_that_never_answers_the_handshake_times_out() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    // Accepts TCP, then says nothing: the websocket upgrade never comes.
    let server = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.expect("accept");
        tokio::time::sleep(Duration::from_secs(30)).await;
        drop(tcp);
    });
    let opts = JsonSourceOptions {
        connect_timeout: Duration::from_millis(300),
        ..test_opts()
    };
    let outage = first_outage(format!("ws://{addr}/chat"), opts).await;
    assert_eq!(
        outage.kind,
        OutageKind::TimedOut {
            after: Some(Duration::from_millis(300))
        },
        "{outage:?}"
    );
    server.abort();
}

/// A server on loopback that reads one request, answers `reply` and then
/// keeps the connection open without a word (until aborted).
async fn answering_once(
    reply: &'static [u8],
) -> (std::net::SocketAddr, tokio::task::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let server = tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let (mut tcp, _) = listener.accept().await.expect("accept");
        let mut request = [0u8; 1024];
        let _ = tcp.read(&mut request).await;
        let _ = tcp.write_all(reply).await;
        tokio::time::sleep(Duration::from_secs(5)).await;
    });
    (addr, server)
}

/// Something that speaks HTTP but is no websocket relay at that path.
#[tokio::test]
async fn an_http_answer_is_a_refused_handshake_with_its_status() {
    let (addr, server) =
        answering_once(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n").await;
    let outage = first_outage(format!("ws://{addr}/wrong"), test_opts()).await;
    assert_eq!(
        outage.kind,
        OutageKind::Handshake { status: Some(404) },
        "{outage:?}"
    );
    server.abort();
}

/// Something that is not HTTP at all (another program on that port).
#[tokio::test]
async fn a_server_that_is_not_http_is_a_protocol_error() {
    let (addr, server) = answering_once(b"SSH-2.0-OpenSSH_9.2\r\n\r\n").await;
    let outage = first_outage(format!("ws://{addr}/chat"), test_opts()).await;
    assert_eq!(outage.kind, OutageKind::Protocol, "{outage:?}");
    server.abort();
}

#[tokio::test]
async fn a_close_frame_is_told_with_its_code_and_reason() {
    use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
    use tokio_tungstenite::tungstenite::protocol::CloseFrame;
    let (listener, mut rx, stop_tx, task) = started(16).await;
    let server = tokio::spawn(async move {
        let mut ws = accept(&listener).await;
        let _ = ws
            .close(Some(CloseFrame {
                code: CloseCode::Away,
                reason: "relay restarting".into(),
            }))
            .await;
        while let Some(Ok(_)) = ws.next().await {}
    });
    assert_eq!(next_event(&mut rx).await, SourceEvent::Connected);
    match next_event(&mut rx).await {
        SourceEvent::Disconnected(outage) => assert_eq!(
            outage.kind,
            OutageKind::Closed {
                code: Some(1001),
                reason: "relay restarting".into()
            },
            "{outage:?}"
        ),
        other => panic!("expected Disconnected, got {other:?}"),
    }
    stop_tx.send(true).expect("stop");
    timeout(PROMPT, task)
        .await
        .expect("ends promptly")
        .expect("no panic");
    server.abort();
}

/// A relay that replays its history after a reconnect and then has nothing
/// new: the skipped count is told anyway, so the quiet is not a mystery.
#[tokio::test]
async fn replays_followed_by_quiet_are_told_without_a_new_message() {
    let (listener, mut rx, stop_tx, task) = started(16).await;
    let server = tokio::spawn(async move {
        let mut first = accept(&listener).await;
        for i in 0..3 {
            first.send(frame(i)).await.expect("send");
        }
        first.flush().await.expect("flush");
        drop(first);
        let mut second = accept(&listener).await;
        for i in 0..3 {
            second.send(frame(i)).await.expect("send");
        }
        second.flush().await.expect("flush");
        // Then nothing: the connection stays open and quiet.
        let _ = second.next().await;
    });
    assert_eq!(next_event(&mut rx).await, SourceEvent::Connected);
    for i in 0..3 {
        assert_eq!(next_message_id(&mut rx).await, format!("m{i}"));
    }
    assert!(matches!(
        next_event(&mut rx).await,
        SourceEvent::Disconnected(_)
    ));
    assert_eq!(next_event(&mut rx).await, SourceEvent::Connected);
    assert_eq!(next_event(&mut rx).await, SourceEvent::SkippedReplays(3));
    stop_tx.send(true).expect("stop");
    timeout(LIMIT, task).await.expect("ends").expect("no panic");
    server.abort();
}
