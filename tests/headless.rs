//! `livestall run --headless --auto-confirm` end to end: a websocket chat
//! server started inside the test, the real binary, a real SQLite file.
//! Replaying the same chat must not double any order.

use futures_util::SinkExt;
use serde_json::{json, Value};
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;

mod chat_server;
mod common;
use chat_server::chat_server;

const CHAT: &[(&str, &str, &str)] = &[
    ("m1", "李姐", "小米来两袋"),
    ("m2", "Tom", "2 bags of walnuts please"),
    ("m3", "阿强", "包邮吗"),
    ("m4", "老王", "小米来五袋"),
    ("m5", "蜂蜜控", "蜂蜜来三瓶"),
    ("m6", "尾巴", "核桃一袋"),
];

/// A chat relay on loopback, and a shop (config and database) in a
/// temporary folder whose config points at it.
struct Shop {
    rt: tokio::runtime::Runtime,
    dir: tempfile::TempDir,
    config: PathBuf,
    db: PathBuf,
}

fn shop_serving<F>(serve: impl FnOnce(TcpListener) -> F) -> Shop
where
    F: std::future::Future<Output = ()> + Send + 'static,
{
    let rt = tokio::runtime::Runtime::new().unwrap();
    let listener = rt.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
    let port = listener.local_addr().unwrap().port();
    rt.spawn(serve(listener));
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), port);
    let db = dir.path().join("orders.db");
    Shop {
        rt,
        dir,
        config,
        db,
    }
}

/// A shop whose relay serves `chat` to every client.
fn shop(chat: &'static [(&'static str, &'static str, &'static str)]) -> Shop {
    shop_serving(|listener| chat_server(listener, chat))
}

/// A shop whose relay sends the frames the test hands over, when it does.
fn scripted_shop() -> (Shop, tokio::sync::mpsc::UnboundedSender<Value>) {
    let (frames, script) = tokio::sync::mpsc::unbounded_channel();
    (
        shop_serving(|listener| scripted_chat_server(listener, script)),
        frames,
    )
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
        Headless::start_with(config, db, Stdio::inherit())
    }

    fn start_with(config: &Path, db: &Path, stderr: Stdio) -> Headless {
        Headless::spawn(&["--auto-confirm"], config, db, Stdio::null(), stderr)
    }

    /// A run without auto-confirm, driven by commands on its stdin.
    fn start_driven(config: &Path, db: &Path) -> (Headless, std::process::ChildStdin) {
        let mut run = Headless::spawn(&[], config, db, Stdio::piped(), Stdio::inherit());
        let stdin = run.child.stdin.take().unwrap();
        (run, stdin)
    }

    fn spawn(extra: &[&str], config: &Path, db: &Path, stdin: Stdio, stderr: Stdio) -> Headless {
        let mut child = Command::new(env!("CARGO_BIN_EXE_livestall"))
            .args(["run", "--headless", "--helper", "tester"])
            .args(extra)
            .args([
                "--config",
                config.to_str().unwrap(),
                "--db",
                db.to_str().unwrap(),
            ])
            .stdin(stdin)
            .stdout(Stdio::piped())
            .stderr(stderr)
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

    fn terminate(self) -> std::process::ExitStatus {
        self.terminate_within(Duration::from_secs(15)).0
    }

    /// Sends SIGTERM and waits for the end, at most `limit`; returns the
    /// exit status, how long it took, and the child (for its stderr).
    fn terminate_within(mut self, limit: Duration) -> (std::process::ExitStatus, Duration, Child) {
        self.sigterm();
        let start = Instant::now();
        while start.elapsed() < limit {
            if let Some(s) = self.child.try_wait().unwrap() {
                return (s, start.elapsed(), self.child);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        panic!("headless run did not end within {limit:?} of SIGTERM");
    }

    fn sigterm(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
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
    let Shop {
        rt: _rt,
        dir: _dir,
        config,
        db,
    } = shop(CHAT);

    // First run: the chat as it happens.
    let run = Headless::start(&config, &db);
    let seen = run.until(|v| v["msg_id"] == "m6" && v["event"] != "intent");
    assert!(run.terminate().success(), "clean exit on SIGTERM");

    // The product on air is told first; the connection before any chat.
    assert_eq!(
        (seen[0]["event"].as_str(), seen[0]["sku"].as_str()),
        (Some("on_air"), Some("MILLET")),
        "{seen:#?}"
    );
    assert_eq!(seen[1]["event"], "connected", "{seen:#?}");
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
    let m4 = by_msg(&seen, "waitlisted", "m4").expect("m4 waitlisted: 3 left, 5 wanted");
    assert_eq!(
        (m4["place"].as_u64(), m4["left"].as_i64()),
        (Some(1), Some(3))
    );
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
    // With the chat record off, the database alone must refuse it (with
    // it on, the source skips it first: tests/chat_record.rs).
    let unrecorded = config.with_file_name("shop-unrecorded.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&unrecorded, text + "\n[record]\nenabled = false\n").unwrap();
    let run = Headless::start(&unrecorded, &db);
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

/// A bare number is a guess (which product? which quantity?): auto-confirm
/// leaves it to a person, while a named order goes through.
#[test]
fn auto_confirm_leaves_unsure_intents_pending() {
    // "2" alone means 2 of the product on air (the first, MILLET), at low confidence.
    const UNSURE: &[(&str, &str, &str)] = &[("b1", "阿花", "2"), ("n1", "李姐", "小米两袋")];
    let Shop {
        rt: _rt,
        dir: _dir,
        config,
        db,
    } = shop(UNSURE);

    let run = Headless::start(&config, &db);
    let seen = run.until(|v| v["msg_id"] == "n1" && v["event"] != "intent");
    assert!(run.terminate().success());

    let bare = by_msg(&seen, "intent", "b1").expect("b1 is an intent");
    assert_eq!(
        (bare["sku"].as_str(), bare["qty"].as_u64()),
        (Some("MILLET"), Some(2))
    );
    let refused = by_msg(&seen, "refused", "b1").expect("b1 refused");
    assert_eq!(refused["reason"], "low_confidence", "{refused}");
    assert_eq!(refused["index"], 0);
    let confidence = refused["confidence"].as_f64().unwrap();
    assert!(
        confidence < f64::from(livestall::intent::AUTO_CONFIRM_CONFIDENCE),
        "{refused}"
    );
    assert_eq!(bare["confidence"], refused["confidence"]);
    assert!(refused["detail"].as_str().is_some_and(|d| !d.is_empty()));
    assert!(by_msg(&seen, "confirmed", "b1").is_none(), "{seen:#?}");

    let named = by_msg(&seen, "confirmed", "n1").expect("n1 confirmed");
    assert_eq!(
        (named["sku"].as_str(), named["qty"].as_u64()),
        (Some("MILLET"), Some(2))
    );

    // The store still has the bare number waiting for a helper, undecided.
    let catalog = livestall::config::load(&config).unwrap().catalog;
    let (store, _) = livestall::store::Store::open(&db, &catalog).unwrap();
    let pending = livestall::store::wait(store.pending()).unwrap();
    let keys: Vec<(&str, u32)> = pending
        .iter()
        .map(|p| (p.intent.key.msg_id.as_str(), p.intent.key.index))
        .collect();
    assert_eq!(keys, [("b1", 0)]);
    let orders = livestall::store::wait(store.orders()).unwrap();
    assert_eq!(orders.len(), 1, "only n1 ordered: {orders:#?}");
    assert_eq!(orders[0].msg_id, "n1");
}

/// Serves one client the frames the test hands over, when it hands them over.
async fn scripted_chat_server(
    listener: TcpListener,
    mut frames: tokio::sync::mpsc::UnboundedReceiver<Value>,
) {
    let Ok((tcp, _)) = listener.accept().await else {
        return;
    };
    let Ok(mut ws) = tokio_tungstenite::accept_async(tcp).await else {
        return;
    };
    while let Some(frame) = frames.recv().await {
        if ws.send(Message::text(frame.to_string())).await.is_err() {
            return;
        }
    }
    tokio::time::sleep(Duration::from_secs(60)).await;
}

/// A headless auto-confirm run whose database another program holds locked
/// while one message with two orders comes in: the first confirm is then
/// stuck in the store when SIGTERM arrives.
struct StuckConfirm {
    _rt: tokio::runtime::Runtime,
    dir: tempfile::TempDir,
    db: PathBuf,
    run: Headless,
    lock: rusqlite::Connection,
}

fn stuck_confirm() -> StuckConfirm {
    let (
        Shop {
            rt,
            dir,
            config,
            db,
        },
        frames,
    ) = scripted_shop();

    let run = Headless::start_with(&config, &db, Stdio::piped());
    run.until(|v| v["event"] == "connected");
    let lock = rusqlite::Connection::open(&db).unwrap();
    lock.busy_timeout(Duration::from_secs(5)).unwrap();
    lock.execute_batch("BEGIN IMMEDIATE").unwrap();
    frames
        .send(json!({"id": "s1", "user": "李姐", "text": "小米两袋，核桃一袋", "ts": 0}))
        .unwrap();
    let seen = run.until(|v| v["event"] == "intent" && v["index"] == 1);
    assert_eq!(events(&seen, "intent").len(), 2, "{seen:#?}");
    // Give the first confirm time to reach the store and wait on the lock.
    std::thread::sleep(Duration::from_millis(200));
    StuckConfirm {
        _rt: rt,
        dir,
        db,
        run,
        lock,
    }
}

fn intent_status(db: &Path, index: u32) -> String {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row(
        "SELECT status FROM intents WHERE msg_id = 's1' AND idx = ?1",
        [index],
        |row| row.get(0),
    )
    .unwrap()
}

#[test]
fn sigterm_during_a_slow_confirm_finishes_what_was_sent() {
    let StuckConfirm {
        _rt,
        dir: _dir,
        db,
        run,
        lock,
    } = stuck_confirm();
    // The other program lets go a moment after the stop.
    let releaser = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(1));
        lock.execute_batch("ROLLBACK").unwrap();
    });
    let (status, _, _) = run.terminate_within(Duration::from_secs(10));
    releaser.join().unwrap();
    assert!(status.success(), "clean exit: {status:?}");
    // Both orders went to the store before the stop (auto-confirm sends a
    // window of them without waiting, so a burst shares commits): the store
    // finishes them; nothing new is sent after the stop (tui_update's
    // quitting tests).
    assert_eq!(intent_status(&db, 0), "confirmed");
    assert_eq!(intent_status(&db, 1), "confirmed");
}

#[test]
fn sigterm_while_the_database_stays_locked_ends_within_the_bound() {
    let StuckConfirm {
        _rt,
        dir: _dir,
        db: _db,
        run,
        lock,
    } = stuck_confirm();
    // Without the bound this waits out a busy timeout per store request.
    let (status, took, child) = run.terminate_within(Duration::from_secs(12));
    drop(lock);
    assert!(took < Duration::from_secs(9), "took {took:?}");
    assert!(!status.success(), "unsaved work is not a clean end");
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.unwrap(), &mut stderr).unwrap();
    assert!(stderr.contains("did not finish writing"), "{stderr}");
}

/// Writes one command line to a driven run.
fn send(stdin: &mut std::process::ChildStdin, line: &str) {
    use std::io::Write;
    stdin.write_all(line.as_bytes()).unwrap();
    stdin.write_all(b"\n").unwrap();
    stdin.flush().unwrap();
}

/// Headless mode driven by JSON commands on stdin: the product on air moves,
/// so a bare "+1" orders the new product; an intent is confirmed and another
/// rejected by id; bad lines get error events and the run goes on, also
/// after stdin closes; `quit` ends it cleanly.
#[test]
fn stdin_commands_drive_a_headless_run() {
    let (
        Shop {
            rt: _rt,
            dir: _dir,
            config,
            db,
        },
        frames,
    ) = scripted_shop();

    let (run, mut stdin) = Headless::start_driven(&config, &db);
    let seen = run.until(|v| v["event"] == "connected");
    assert_eq!(by_event(&seen, "on_air")["sku"], "MILLET", "{seen:#?}");

    send(&mut stdin, r#"{"cmd":"on_air","sku":"WALNUT"}"#);
    let seen = run.until(|v| v["event"] == "on_air");
    let on_air = seen.last().unwrap();
    assert_eq!(
        (on_air["sku"].as_str(), on_air["link"].as_u64()),
        (Some("WALNUT"), Some(2))
    );

    let chat = |id: &str, text: &str| json!({"id": id, "user": "李姐", "text": text, "ts": 0});
    frames.send(chat("p1", "+1")).unwrap();
    let seen = run.until(|v| v["event"] == "intent" && v["msg_id"] == "p1");
    let intent = seen.last().unwrap();
    assert_eq!(
        (intent["sku"].as_str(), intent["qty"].as_u64()),
        (Some("WALNUT"), Some(1)),
        "a bare +1 is the product on air: {intent}"
    );
    assert!(
        by_msg(&seen, "confirmed", "p1").is_none(),
        "nothing confirms by itself"
    );

    send(&mut stdin, r#"{"cmd":"confirm","msg_id":"p1","index":0}"#);
    let seen = run.until(|v| v["event"] == "confirmed");
    let done = seen.last().unwrap();
    assert_eq!(
        (
            done["msg_id"].as_str(),
            done["sku"].as_str(),
            done["qty"].as_u64(),
            done["stock_left"].as_i64()
        ),
        (Some("p1"), Some("WALNUT"), Some(1), Some(99))
    );

    // The order is put right by its number.
    let order_id = done["order_id"].as_i64().unwrap();
    send(
        &mut stdin,
        &format!(r#"{{"cmd":"set_qty","order_id":{order_id},"qty":3}}"#),
    );
    let seen = run.until(|v| v["event"] == "order_updated");
    let updated = seen.last().unwrap();
    assert_eq!(
        (
            updated["action"].as_str(),
            updated["qty"].as_u64(),
            updated["stock_left"].as_i64()
        ),
        (Some("changed"), Some(3), Some(97))
    );

    // By link too; then an order of the new product, rejected by id.
    send(&mut stdin, r#"{"cmd":"on_air","link":3}"#);
    run.until(|v| v["event"] == "on_air" && v["sku"] == "HONEY");
    frames.send(chat("p2", "扣1")).unwrap();
    run.until(|v| v["event"] == "intent" && v["msg_id"] == "p2" && v["sku"] == "HONEY");
    send(&mut stdin, r#"{"cmd":"reject","msg_id":"p2"}"#);
    run.until(|v| v["event"] == "rejected" && v["msg_id"] == "p2");

    // Lines 6 to 9: bad commands, each answered with its line number.
    send(&mut stdin, "{not json");
    send(&mut stdin, r#"{"cmd":"dance"}"#);
    send(
        &mut stdin,
        r#"{"cmd":"confirm","msg_id":"nobody","index":0}"#,
    );
    send(&mut stdin, r#"{"cmd":"on_air","sku":"NOPE"}"#);
    let seen = run.until(|v| v["event"] == "error" && v["line"] == 9);
    let errors: Vec<(u64, &str)> = events(&seen, "error")
        .iter()
        .map(|v| (v["line"].as_u64().unwrap(), v["error"].as_str().unwrap()))
        .collect();
    assert_eq!(errors.len(), 4, "{seen:#?}");
    assert_eq!(errors[0].0, 6);
    assert!(errors[0].1.contains("not JSON"), "{errors:?}");
    assert!(errors[1].1.contains("unknown command"), "{errors:?}");
    assert!(
        errors[2].1.contains("no pending intent nobody#0"),
        "{errors:?}"
    );
    assert!(errors[3].1.contains("NOPE"), "{errors:?}");

    // Closing stdin does not end the run: chat is still read.
    drop(stdin);
    frames.send(chat("p3", "蜂蜜来一瓶")).unwrap();
    run.until(|v| v["event"] == "intent" && v["msg_id"] == "p3");
    assert!(run.terminate().success(), "clean exit on SIGTERM");

    let orders: Value =
        serde_json::from_str(&run_cli(&config, &db, &["inventory", "--format", "json"])).unwrap();
    let walnut = orders
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["sku"] == "WALNUT")
        .unwrap();
    assert_eq!(
        walnut["sold"], 3,
        "the confirmed +1, set to 3, is in the database"
    );
}

#[test]
fn quit_command_ends_a_run_cleanly() {
    let Shop {
        rt: _rt,
        dir: _dir,
        config,
        db,
    } = shop(CHAT);

    let (mut run, mut stdin) = Headless::start_driven(&config, &db);
    run.until(|v| v["event"] == "intent" && v["msg_id"] == "m6");
    send(&mut stdin, r#"{"cmd":"quit"}"#);
    // Waits on the exit itself; the bound only catches a run that never ends.
    let status = common::wait_or_kill(&mut run.child, Duration::from_secs(30))
        .expect("the run ends on quit");
    assert!(status.success(), "{status:?}");
    // Every intent seen was recorded before the run ended.
    let catalog = livestall::config::load(&config).unwrap().catalog;
    let (store, _) = livestall::store::Store::open(&db, &catalog).unwrap();
    let pending = livestall::store::wait(store.pending()).unwrap();
    assert_eq!(pending.len(), 5, "m1, m2, m4, m5, m6: {pending:#?}");
}

fn by_event<'a>(seen: &'a [Value], name: &str) -> &'a Value {
    seen.iter()
        .find(|v| v["event"] == name)
        .unwrap_or_else(|| panic!("no {name} event in {seen:#?}"))
}

/// Two helpers' runs on one database (issue 8, point 7): what one decides
/// leaves the other's inbox within a second or two, and an intent both
/// confirm at once becomes one order.
#[test]
fn two_runs_on_one_database_share_one_inbox() {
    let Shop {
        rt: _rt,
        dir: _dir,
        config,
        db,
    } = shop(CHAT);
    let (first, mut first_in) = Headless::start_driven(&config, &db);
    first.until(|v| v["event"] == "intent" && v["msg_id"] == "m6");
    let (second, mut second_in) = Headless::start_driven(&config, &db);
    second.until(|v| v["event"] == "intent" && v["msg_id"] == "m6");

    send(
        &mut first_in,
        r#"{"cmd":"confirm","msg_id":"m1","index":0}"#,
    );
    first.until(|v| v["event"] == "confirmed" && v["msg_id"] == "m1");
    let told = Instant::now();
    let seen = second.until(|v| v["event"] == "decided_elsewhere" && v["msg_id"] == "m1");
    assert_eq!(seen.last().unwrap()["status"], "confirmed");
    // Generous for a loaded machine; the run asks every 500 ms.
    assert!(
        told.elapsed() < Duration::from_secs(5),
        "{:?}",
        told.elapsed()
    );

    // Both confirm m6 at once: one order, and the other run hears why not.
    send(
        &mut first_in,
        r#"{"cmd":"confirm","msg_id":"m6","index":0}"#,
    );
    send(
        &mut second_in,
        r#"{"cmd":"confirm","msg_id":"m6","index":0}"#,
    );
    let about_m6 = |v: &Value| {
        v["msg_id"] == "m6"
            && matches!(
                v["event"].as_str(),
                Some("confirmed" | "refused" | "decided_elsewhere")
            )
            || v["event"] == "error" && v["error"].as_str().is_some_and(|e| e.contains("m6"))
    };
    let a = first.until(about_m6);
    let b = second.until(about_m6);
    let outcomes = [a.last().unwrap(), b.last().unwrap()];
    let confirmed = outcomes
        .iter()
        .filter(|v| v["event"] == "confirmed")
        .count();
    assert_eq!(confirmed, 1, "{outcomes:#?}");
    assert!(first.terminate().success());
    assert!(second.terminate().success());

    let catalog = livestall::config::load(&config).unwrap().catalog;
    let (store, _) = livestall::store::Store::open(&db, &catalog).unwrap();
    let orders = livestall::store::wait(store.orders()).unwrap();
    let m6: Vec<_> = orders.iter().filter(|o| o.msg_id == "m6").collect();
    assert_eq!(m6.len(), 1, "{orders:#?}");
}
