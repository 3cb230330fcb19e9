//! The simulated chat server: exact counts, frame shape, one shared stream,
//! clean close, shutdown, and the JSON source reading from it.

use futures_util::StreamExt;
use livestall::catalog::{Catalog, Product};
use livestall::chat::{
    run_json_source_with, serve, JsonSourceOptions, SimChat, SimOptions, SourceEvent,
};
use livestall::config::{FieldMap, SourceConfig, SourceKind};
use std::net::SocketAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::Message;

const LIMIT: Duration = Duration::from_secs(20);

fn catalog() -> Catalog {
    let p = |sku: &str, name: &str, aliases: &[&str], link: u32, unit: &str| Product {
        sku: sku.into(),
        name: name.into(),
        aliases: aliases.iter().map(|a| a.to_string()).collect(),
        link,
        unit: unit.into(),
        price_fen: 2500,
        stock: 50,
        limit_per_buyer: None,
    };
    Catalog::new(vec![
        p("MILLET", "小米", &["黄小米", "millet"], 1, "袋"),
        p("APRICOT", "杏干", &["dried apricots"], 2, "袋"),
        p("JUJUBE", "红枣", &["枣", "jujubes"], 3, "盒"),
    ])
}

async fn start(
    opts: SimOptions,
) -> (
    SocketAddr,
    watch::Sender<bool>,
    JoinHandle<std::io::Result<()>>,
) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (stop_tx, stop_rx) = watch::channel(false);
    let server = tokio::spawn(serve(listener, catalog(), opts, stop_rx));
    (addr, stop_tx, server)
}

/// Reads text frames until the server closes; returns them and the close code.
async fn read_all(addr: SocketAddr, path: &str) -> (Vec<serde_json::Value>, Option<CloseCode>) {
    read_all_notifying(addr, path, None).await
}

/// `read_all`, telling `progress` once 5 frames have arrived.
async fn read_all_notifying(
    addr: SocketAddr,
    path: &str,
    mut progress: Option<tokio::sync::oneshot::Sender<()>>,
) -> (Vec<serde_json::Value>, Option<CloseCode>) {
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{addr}{path}"))
        .await
        .expect("connect");
    let mut frames = Vec::new();
    let mut code = None;
    while let Some(item) = timeout(LIMIT, ws.next()).await.expect("frame in time") {
        match item.expect("clean stream") {
            Message::Text(text) => {
                frames.push(serde_json::from_str(text.as_str()).expect("frame is JSON"));
                if frames.len() == 5 {
                    if let Some(tx) = progress.take() {
                        let _ = tx.send(());
                    }
                }
            }
            Message::Close(frame) => code = frame.map(|f| f.code),
            _ => {}
        }
    }
    (frames, code)
}

/// The same seed writes the same chat, but each run's ids are its own, as
/// a platform's are: a shop's record of an earlier run must not make this
/// run's messages look replayed.
#[tokio::test]
async fn two_runs_of_one_seed_send_the_same_chat_under_their_own_ids() {
    let mut runs = Vec::new();
    for _ in 0..2 {
        let opts = SimOptions {
            rate: 400.0,
            count: Some(5),
            seed: 7,
        };
        let (addr, _stop, server) = start(opts).await;
        let (frames, _) = read_all(addr, "/").await;
        timeout(LIMIT, server)
            .await
            .expect("in time")
            .unwrap()
            .unwrap();
        runs.push(frames);
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(runs[0].len(), 5);
    for (a, b) in runs[0].iter().zip(&runs[1]) {
        assert_eq!(a["text"], b["text"]);
        assert_ne!(a["id"], b["id"]);
    }
}

#[tokio::test]
async fn sends_exactly_count_frames_then_closes_cleanly() {
    let opts = SimOptions {
        rate: 400.0,
        count: Some(60),
        seed: 21,
    };
    let (addr, _stop, server) = start(opts).await;
    let (frames, code) = read_all(addr, "/any/path?x=1").await;
    assert_eq!(frames.len(), 60);
    assert_eq!(code, Some(CloseCode::Normal));

    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_millis() as i64;
    // The frames are the generator's messages, in order, for this seed.
    let mut sim = SimChat::new(&catalog(), 21);
    for frame in &frames {
        let object = frame.as_object().expect("an object");
        assert_eq!(object.len(), 4, "{frame}");
        let expected = sim.next_message();
        // The generator's id, stamped with this run (one stamp a run).
        let id = frame["id"].as_str().expect("an id");
        let run = id
            .strip_prefix(&format!("{}-", expected.id))
            .unwrap_or_else(|| panic!("{id} is not {}-<run>", expected.id));
        assert_eq!(
            run,
            frames[0]["id"]
                .as_str()
                .unwrap()
                .rsplit('-')
                .next()
                .unwrap()
        );
        assert_eq!(frame["user"], expected.user.as_str());
        assert_eq!(frame["text"], expected.text.as_str());
        let ts = frame["ts"].as_i64().expect("ts in ms");
        assert!((now_ms - 60_000..=now_ms + 1_000).contains(&ts), "ts {ts}");
    }
    timeout(LIMIT, server)
        .await
        .expect("server ends after count")
        .expect("no panic")
        .expect("no io error");
}

#[tokio::test]
async fn all_clients_see_the_same_chat() {
    let opts = SimOptions {
        rate: 100.0,
        count: Some(80),
        seed: 5,
    };
    let (addr, _stop, server) = start(opts).await;
    let (progress_tx, progress_rx) = tokio::sync::oneshot::channel();
    let first = tokio::spawn(read_all_notifying(addr, "/", Some(progress_tx)));
    timeout(LIMIT, progress_rx)
        .await
        .expect("in time")
        .expect("first client reads");
    let second = tokio::spawn(read_all(addr, "/chat"));
    let (a, _) = timeout(LIMIT, first)
        .await
        .expect("in time")
        .expect("no panic");
    let (b, _) = timeout(LIMIT, second)
        .await
        .expect("in time")
        .expect("no panic");
    assert_eq!(a.len(), 80);
    assert!(
        !b.is_empty() && b.len() < a.len(),
        "the late client joins mid-stream: {}",
        b.len()
    );
    // The late client's chat is exactly the tail of the first client's.
    assert_eq!(&a[a.len() - b.len()..], &b[..]);
    timeout(LIMIT, server)
        .await
        .expect("ends")
        .expect("no panic")
        .expect("ok");
}

#[tokio::test]
async fn shutdown_stops_the_server_and_closes_clients() {
    let opts = SimOptions {
        rate: 50.0,
        count: None,
        seed: 2,
    };
    let (addr, stop, server) = start(opts).await;
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/"))
        .await
        .expect("connect");
    let mut texts = 0;
    while texts < 3 {
        match timeout(LIMIT, ws.next()).await.expect("in time") {
            Some(Ok(Message::Text(_))) => texts += 1,
            Some(Ok(_)) => {}
            other => panic!("stream ended early: {other:?}"),
        }
    }
    // Keep reading, as a live client does, so the close handshake can finish.
    let reader = tokio::spawn(async move {
        let mut code = None;
        while let Some(Ok(item)) = ws.next().await {
            if let Message::Close(frame) = item {
                code = frame.map(|f| f.code);
            }
        }
        code
    });
    stop.send(true).expect("stop");
    // Generous for a loaded machine: a server that ignored the stop would
    // serve this client forever.
    timeout(Duration::from_secs(5), server)
        .await
        .expect("server stops promptly")
        .expect("no panic")
        .expect("ok");
    let code = timeout(LIMIT, reader)
        .await
        .expect("in time")
        .expect("no panic");
    assert_eq!(code, Some(CloseCode::Away));
}

#[tokio::test]
async fn the_json_source_reads_the_simulator() {
    let opts = SimOptions {
        rate: 300.0,
        count: Some(40),
        seed: 9,
    };
    let (addr, _stop, server) = start(opts).await;
    let cfg = SourceConfig {
        name: "json".into(),
        kind: SourceKind::Json,
        url: format!("ws://{addr}/"),
        fields: FieldMap::default(),
    };
    let (tx, mut rx) = mpsc::channel(8);
    let (source_stop, source_stop_rx) = watch::channel(false);
    let source = tokio::spawn(run_json_source_with(
        cfg,
        JsonSourceOptions::default(),
        tx,
        source_stop_rx,
    ));
    // Frames whose text is blank (some hostile ones) carry no chat and are skipped.
    let mut sim = SimChat::new(&catalog(), 9);
    let expected: Vec<_> = (0..40)
        .map(|_| sim.next_message())
        .filter(|m| !m.text.replace('\0', "").trim().is_empty())
        .collect();
    assert_eq!(
        timeout(LIMIT, rx.recv()).await.expect("in time"),
        Some(SourceEvent::Connected)
    );
    let mut received = Vec::new();
    loop {
        match timeout(LIMIT, rx.recv()).await.expect("in time") {
            Some(SourceEvent::Message(m)) => received.push(m),
            Some(SourceEvent::Disconnected(outage)) => {
                assert!(outage.detail.contains("closed"), "{outage:?}");
                break;
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(received.len(), expected.len());
    for (got, want) in received.iter().zip(&expected) {
        assert!(got.id.starts_with(&format!("{}-", want.id)), "{}", got.id);
        assert_eq!(got.user, want.user);
        // The source keeps text as data, only capped in length.
        assert_eq!(got.text, want.text.chars().take(2_000).collect::<String>());
    }
    source_stop.send(true).expect("stop");
    timeout(LIMIT, source)
        .await
        .expect("source ends")
        .expect("no panic");
    timeout(LIMIT, server)
        .await
        .expect("ends")
        .expect("no panic")
        .expect("ok");
}
