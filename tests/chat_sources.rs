//! Several chat sources in one run (`chat::spawn_all`), against relays
//! started in the test: each event tagged with its source, ids prefixed
//! with the source's name when there are several, one source's drop and
//! replayed history kept to that source while the other goes on.

use futures_util::{SinkExt, StreamExt};
use livestall::chat::{spawn_all, OutageKind, SourceEvent, SourceNews};
use livestall::config::{FieldMap, SourceConfig, SourceKind};
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{accept_async, WebSocketStream};

const LIMIT: Duration = Duration::from_secs(10);

fn json(name: &str, addr: std::net::SocketAddr) -> SourceConfig {
    SourceConfig {
        name: name.into(),
        kind: SourceKind::Json,
        url: format!("ws://{addr}/chat"),
        fields: FieldMap::default(),
    }
}

async fn accept(listener: &TcpListener) -> WebSocketStream<TcpStream> {
    let (tcp, _) = listener.accept().await.expect("accept");
    accept_async(tcp).await.expect("handshake")
}

fn say(id: &str, text: &str) -> Message {
    Message::text(serde_json::json!({"id": id, "user": "阿花", "text": text}).to_string())
}

async fn next(rx: &mut mpsc::Receiver<SourceNews>) -> SourceNews {
    timeout(LIMIT, rx.recv())
        .await
        .expect("news in time")
        .expect("sources still running")
}

/// The next news of `source`, setting aside (in `others`) the other's.
async fn next_of(
    rx: &mut mpsc::Receiver<SourceNews>,
    source: usize,
    others: &mut Vec<SourceNews>,
) -> SourceEvent {
    loop {
        let news = next(rx).await;
        if news.source == source {
            return news.event;
        }
        others.push(news);
    }
}

fn message_id(event: SourceEvent) -> String {
    match event {
        SourceEvent::Message(m) => m.id,
        other => panic!("expected a message, got {other:?}"),
    }
}

#[tokio::test]
async fn two_sources_are_told_apart_and_one_drop_stays_with_its_source() {
    let douyin = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let kuaishou = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let configs = [
        json("抖音", douyin.local_addr().unwrap()),
        json("快手", kuaishou.local_addr().unwrap()),
    ];
    let (tx, mut rx) = mpsc::channel(64);
    let (stop_tx, stop_rx) = watch::channel(false);
    let tasks = spawn_all(&configs, Vec::new(), tx, stop_rx);

    // 快手 stays up throughout; it is told to send its second message only
    // once 抖音 has dropped, so the drop cannot hold it back.
    let (go_tx, go_rx) = tokio::sync::oneshot::channel::<()>();
    let kuaishou_relay = tokio::spawn(async move {
        let mut ws = accept(&kuaishou).await;
        ws.send(say("1", "核桃来一袋")).await.unwrap();
        go_rx.await.unwrap();
        ws.send(say("2", "扣1")).await.unwrap();
        ws
    });
    let douyin_relay = tokio::spawn(async move {
        let mut first = accept(&douyin).await;
        // The same platform id as 快手's first message: another message.
        first.send(say("1", "小米来两袋")).await.unwrap();
        first.flush().await.unwrap();
        drop(first);
        let mut second = accept(&douyin).await;
        // Its history again, then something new.
        second.send(say("1", "小米来两袋")).await.unwrap();
        second.send(say("3", "再来一袋")).await.unwrap();
        second
    });

    let mut others = Vec::new();
    assert_eq!(
        next_of(&mut rx, 0, &mut others).await,
        SourceEvent::Connected
    );
    assert_eq!(message_id(next_of(&mut rx, 0, &mut others).await), "抖音:1");
    match next_of(&mut rx, 0, &mut others).await {
        SourceEvent::Disconnected(outage) => assert_eq!(outage.kind, OutageKind::Lost),
        other => panic!("expected 抖音 to drop, got {other:?}"),
    }
    go_tx.send(()).unwrap();
    assert_eq!(
        next_of(&mut rx, 0, &mut others).await,
        SourceEvent::Connected
    );
    assert_eq!(
        next_of(&mut rx, 0, &mut others).await,
        SourceEvent::SkippedReplays(1)
    );
    assert_eq!(message_id(next_of(&mut rx, 0, &mut others).await), "抖音:3");

    // 快手 never dropped, and its ids carry its own name.
    while others.len() < 3 {
        others.push(next(&mut rx).await);
    }
    let kuaishou_news: Vec<SourceEvent> = others.into_iter().map(|n| n.event).collect();
    assert_eq!(kuaishou_news[0], SourceEvent::Connected);
    assert_eq!(message_id(kuaishou_news[1].clone()), "快手:1");
    assert_eq!(message_id(kuaishou_news[2].clone()), "快手:2");

    stop_tx.send(true).unwrap();
    for task in tasks {
        timeout(LIMIT, task).await.expect("ends").expect("no panic");
    }
    let _ = (douyin_relay.await, kuaishou_relay.await);
}

#[tokio::test]
async fn one_source_keeps_the_platform_ids_and_a_source_that_ends_is_told() {
    let relay = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let configs = [json("json", relay.local_addr().unwrap())];
    let (tx, mut rx) = mpsc::channel(8);
    let (stop_tx, stop_rx) = watch::channel(false);
    let tasks = spawn_all(&configs, Vec::new(), tx, stop_rx);
    let server = tokio::spawn(async move {
        let mut ws = accept(&relay).await;
        ws.send(say("m7", "扣1")).await.unwrap();
        // Hold the connection until the test is done.
        let _ = ws.next().await;
    });
    assert_eq!(next(&mut rx).await.event, SourceEvent::Connected);
    let news = next(&mut rx).await;
    assert_eq!(news.source, 0);
    assert_eq!(
        message_id(news.event),
        "m7",
        "one source: ids as the platform sent them"
    );
    stop_tx.send(true).unwrap();
    for task in tasks {
        timeout(LIMIT, task).await.expect("ends").expect("no panic");
    }
    // Stopped by the run: no "stopped" news, and the channel closes.
    assert!(timeout(LIMIT, rx.recv()).await.expect("closes").is_none());
    server.abort();
}
