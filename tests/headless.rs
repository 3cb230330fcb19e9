//! `livestall run --headless --auto-confirm` end to end: a websocket chat
//! server started inside the test, the real binary, a real SQLite file.
//! Replaying the same chat must not double any order.

use futures_util::SinkExt;
use serde_json::{json, Value};
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;

const CHAT: &[(&str, &str, &str)] = &[
    ("m1", "李姐", "小米来两袋"),
    ("m2", "Tom", "2 bags of walnuts please"),
    ("m3", "阿强", "包邮吗"),
    ("m4", "老王", "小米来五袋"),
    ("m5", "蜂蜜控", "蜂蜜来三瓶"),
    ("m6", "尾巴", "核桃一袋"),
];

/// Serves CHAT to every client that connects, then holds the connection open.
async fn chat_server(listener: TcpListener) {
    loop {
        let Ok((tcp, _)) = listener.accept().await else {
            return;
        };
        tokio::spawn(async move {
            let Ok(mut ws) = tokio_tungstenite::accept_async(tcp).await else {
                return;
            };
            for (id, user, text) in CHAT {
                let frame =
                    json!({"id": id, "user": user, "text": text, "ts": 1_700_000_000_000i64});
                if ws.send(Message::text(frame.to_string())).await.is_err() {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_secs(60)).await;
        });
    }
}

fn write_config(dir: &Path, port: u16) -> PathBuf {
    let shop = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/shop-small.toml"),
    )
    .unwrap();
    let shop = shop.replace(
        "ws://127.0.0.1:9/chat",
        &format!("ws://127.0.0.1:{port}/chat"),
    );
    let path = dir.join("shop.toml");
    std::fs::write(&path, shop).unwrap();
    path
}

struct Headless {
    child: Child,
    lines: mpsc::Receiver<Value>,
}

impl Headless {
    fn start(config: &Path, db: &Path) -> Headless {
        let mut child = Command::new(env!("CARGO_BIN_EXE_livestall"))
            .args(["run", "--headless", "--auto-confirm", "--helper", "tester"])
            .args([
                "--config",
                config.to_str().unwrap(),
                "--db",
                db.to_str().unwrap(),
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout).lines() {
                let Ok(line) = line else { return };
                let v: Value =
                    serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON: {line}: {e}"));
                if tx.send(v).is_err() {
                    return;
                }
            }
        });
        Headless { child, lines }
    }

    /// Collects events until one matches `done`, or panics after a while.
    fn until(&self, done: impl Fn(&Value) -> bool) -> Vec<Value> {
        let mut seen = Vec::new();
        loop {
            match self.lines.recv_timeout(Duration::from_secs(20)) {
                Ok(v) => {
                    let stop = done(&v);
                    seen.push(v);
                    if stop {
                        return seen;
                    }
                }
                Err(_) => panic!("timed out; events so far: {seen:#?}"),
            }
        }
    }

    fn terminate(mut self) -> std::process::ExitStatus {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        for _ in 0..100 {
            if let Some(s) = self.child.try_wait().unwrap() {
                return s;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        panic!("headless run did not end on SIGTERM");
    }
}

fn events<'a>(seen: &'a [Value], name: &str) -> Vec<&'a Value> {
    seen.iter().filter(|v| v["event"] == name).collect()
}

fn by_msg<'a>(seen: &'a [Value], name: &str, msg: &str) -> Option<&'a Value> {
    seen.iter()
        .find(|v| v["event"] == name && v["msg_id"] == msg)
}

fn run_cli(config: &Path, db: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_livestall"))
        .args(args)
        .args([
            "--config",
            config.to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn headless_auto_confirm_end_to_end_and_replay() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let listener = rt.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
    let port = listener.local_addr().unwrap().port();
    rt.spawn(chat_server(listener));

    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), port);
    let db = dir.path().join("orders.db");

    // First run: the chat as it happens.
    let run = Headless::start(&config, &db);
    let seen = run.until(|v| v["msg_id"] == "m6" && v["event"] != "intent");
    assert!(run.terminate().success(), "clean exit on SIGTERM");

    assert_eq!(seen[0]["event"], "connected", "{seen:#?}");
    let m1 = by_msg(&seen, "confirmed", "m1").expect("m1 confirmed");
    assert_eq!(
        (m1["sku"].as_str(), m1["qty"].as_u64(), m1["user"].as_str()),
        (Some("MILLET"), Some(2), Some("李姐"))
    );
    assert!(m1["order_id"].as_i64().is_some());
    let m2 = by_msg(&seen, "confirmed", "m2").expect("m2 confirmed");
    assert_eq!(
        (m2["sku"].as_str(), m2["qty"].as_u64()),
        (Some("WALNUT"), Some(2))
    );
    assert!(
        by_msg(&seen, "intent", "m3").is_none(),
        "a question is not an intent"
    );
    let m4 = by_msg(&seen, "refused", "m4").expect("m4 refused: 3 left, 5 wanted");
    assert_eq!(m4["reason"], "out_of_stock");
    let m5 = by_msg(&seen, "refused", "m5").expect("m5 refused: limit 2");
    assert_eq!(m5["reason"], "over_limit");
    // Each confirmation is printed after its intent.
    let pos = |name: &str, id: &str| {
        seen.iter()
            .position(|v| v["event"] == name && v["msg_id"] == id)
            .unwrap()
    };
    assert!(pos("intent", "m1") < pos("confirmed", "m1"));

    let inventory: Value =
        serde_json::from_str(&run_cli(&config, &db, &["inventory", "--format", "json"])).unwrap();
    let millet = inventory
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["sku"] == "MILLET")
        .unwrap();
    assert_eq!(
        (millet["stock"].as_i64(), millet["sold"].as_i64()),
        (Some(3), Some(2))
    );

    // Second run on the same database: the relay replays the same chat.
    let run = Headless::start(&config, &db);
    let replay = run.until(|v| v["msg_id"] == "m6" && v["event"] != "intent");
    assert!(run.terminate().success());
    assert!(
        events(&replay, "confirmed").is_empty(),
        "replayed chat confirmed again: {replay:#?}"
    );
    assert_eq!(
        by_msg(&replay, "refused", "m1").unwrap()["reason"],
        "duplicate"
    );

    let csv = run_cli(&config, &db, &["orders", "export"]);
    assert!(csv.starts_with('\u{feff}'), "BOM for Excel");
    let mut rows = csv.trim_start_matches('\u{feff}').lines();
    let header = rows.next().unwrap();
    for col in [
        "order_id",
        "msg_id",
        "user",
        "sku",
        "name",
        "qty",
        "unit_price",
        "total",
        "status",
        "confirmed_at",
    ] {
        assert!(
            header.split(',').any(|h| h == col),
            "header lacks {col}: {header}"
        );
    }
    let rows: Vec<&str> = rows.collect();
    assert_eq!(rows.len(), 3, "m1, m2, m6 once each: {rows:#?}");
    assert!(
        rows.iter()
            .any(|r| r.contains("李姐") && r.contains("79.80")),
        "{rows:#?}"
    );

    let inventory: Value =
        serde_json::from_str(&run_cli(&config, &db, &["inventory", "--format", "json"])).unwrap();
    let millet = inventory
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["sku"] == "MILLET")
        .unwrap();
    assert_eq!(millet["stock"], 3, "replay changed stock");
}
