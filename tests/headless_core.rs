//! Headless mode in process: `app::headless::run` (the driver and the same
//! `update` the screen runs) on a real store, with chat and command lines
//! fed by the test and an engine made to fail on one message.

use livestall::app::{headless, Model, Policy, Session};
use livestall::chat::{ChatMessage, SourceEvent, SourceNews};
use livestall::intent::Engine;
use livestall::store::{SeedReport, Store};
use serde_json::Value;
use std::io::{Read, Write};
use std::path::Path;
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

/// Command lines as the test writes them; ends when the sender is dropped.
struct Lines {
    rx: mpsc::Receiver<Vec<u8>>,
    buf: Vec<u8>,
    pos: usize,
}

impl Read for Lines {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.pos == self.buf.len() {
            match self.rx.recv() {
                Ok(line) => {
                    self.buf = line;
                    self.pos = 0;
                }
                Err(_) => return Ok(0),
            }
        }
        let n = out.len().min(self.buf.len() - self.pos);
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// Event lines as the run writes them.
#[derive(Clone, Default)]
struct Output(Arc<Mutex<Vec<u8>>>);

impl Write for Output {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(data);
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Output {
    fn events(&self) -> Vec<Value> {
        let mut bytes = self.0.lock().unwrap().clone();
        // A line may be read while the run is still writing it: only
        // whole lines are events yet.
        let whole = bytes
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |at| at + 1);
        bytes.truncate(whole);
        String::from_utf8(bytes)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
            .collect()
    }

    /// Waits for an event matching `done` (the bound only catches a hang).
    fn until(&self, done: impl Fn(&Value) -> bool) -> Vec<Value> {
        let start = Instant::now();
        loop {
            let events = self.events();
            if events.iter().any(&done) {
                return events;
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "timed out: {events:#?}"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

fn message(id: &str, text: &str) -> SourceEvent {
    SourceEvent::Message(ChatMessage {
        id: id.into(),
        user: "李姐".into(),
        user_id: None,
        text: text.into(),
        ts: None,
    })
}

struct Run {
    rt: tokio::runtime::Runtime,
    /// `None` once the test has closed it (the source died).
    chat: Option<tokio::sync::mpsc::Sender<SourceNews>>,
    commands: mpsc::Sender<Vec<u8>>,
    output: Output,
    run: tokio::task::JoinHandle<anyhow::Result<()>>,
    db: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

/// A headless run with auto-confirm on shop-small.toml, its engine failing
/// on "炸".
fn start() -> Run {
    let config = livestall::config::load(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/shop-small.toml"),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("orders.db");
    let (store, _) = Store::open(&db, &config.catalog).unwrap();
    let mut model = Model::new(&config, "tester");
    model.policy = Policy { auto_confirm: true };
    let (chat_tx, chat) = tokio::sync::mpsc::channel(64);
    let (stop_tx, stop) = tokio::sync::watch::channel(false);
    // Never stopped by the test: kept open for the whole run.
    std::mem::forget(stop_tx);
    let session = Session {
        model,
        engine: Engine::new(&config.catalog).failing_on("炸"),
        store,
        seed: SeedReport::default(),
        chat,
        stop,
        flush_within: Duration::from_secs(10),
        record: None,
        coop: None,
    };
    let (commands, rx) = mpsc::channel();
    let input = std::io::BufReader::new(Lines {
        rx,
        buf: Vec::new(),
        pos: 0,
    });
    let output = Output::default();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let run = rt.spawn(headless::run(session, input, output.clone()));
    Run {
        rt,
        chat: Some(chat_tx),
        commands,
        output,
        run,
        db,
        _dir: dir,
    }
}

impl Run {
    fn chat(&self, event: SourceEvent) {
        let chat = self.chat.as_ref().expect("the chat is open");
        let news = SourceNews { source: 0, event };
        self.rt.block_on(chat.send(news)).unwrap();
    }

    /// Waits for the run to end (the bound only catches a hang).
    fn ended(
        self,
    ) -> (
        anyhow::Result<()>,
        Output,
        std::path::PathBuf,
        tempfile::TempDir,
    ) {
        let Run {
            rt,
            run,
            output,
            db,
            _dir,
            ..
        } = self;
        let ended = rt.block_on(async { tokio::time::timeout(Duration::from_secs(30), run).await });
        (ended.expect("the run ends").unwrap(), output, db, _dir)
    }
}

#[test]
fn an_engine_failure_costs_one_message_not_the_run() {
    let run = start();
    run.chat(SourceEvent::Connected);
    run.chat(message("boom", "炸 小米来两袋"));
    run.chat(message("ok", "小米来两袋"));
    let seen = run
        .output
        .until(|v| v["event"] == "confirmed" && v["msg_id"] == "ok");
    assert!(
        !seen.iter().any(|v| v["msg_id"] == "boom"),
        "the failed message gives no intent: {seen:#?}"
    );
    let ok = seen.iter().find(|v| v["event"] == "confirmed").unwrap();
    assert_eq!(
        (ok["sku"].as_str(), ok["qty"].as_u64()),
        (Some("MILLET"), Some(2))
    );

    run.commands.send(b"{\"cmd\":\"quit\"}\n".to_vec()).unwrap();
    let (ended, ..) = run.ended();
    ended.expect("a clean end");
}

/// Every order the database committed is told, also those that were with
/// the store when `quit` came. (That none is sent after it is
/// tui_update's `a_run_that_is_quitting_sends_no_more_auto_confirmations`:
/// auto-confirm sends a window of confirms without waiting, so here all
/// twenty may be with the store before the quit.)
#[test]
fn quit_tells_every_committed_order() {
    let run = start();
    for i in 0..20 {
        run.chat(message(&format!("w{i}"), "核桃来一袋"));
    }
    run.output
        .until(|v| v["event"] == "confirmed" && v["msg_id"] == "w2");
    run.commands.send(b"{\"cmd\":\"quit\"}\n".to_vec()).unwrap();
    let (ended, output, db, _dir) = run.ended();
    ended.expect("a clean end");
    let told = output
        .events()
        .iter()
        .filter(|v| v["event"] == "confirmed")
        .count();
    let conn = rusqlite::Connection::open(db).unwrap();
    let committed: usize = conn
        .query_row("SELECT COUNT(*) FROM orders", [], |row| row.get(0))
        .unwrap();
    assert_eq!(told, committed, "every committed order is told");
    assert!(committed >= 3, "w0 to w2 were confirmed before the quit");
}

/// A chat source that dies ends a headless run (nothing is left to read),
/// after telling the disconnection.
#[test]
fn a_headless_run_ends_when_its_source_dies() {
    let run = start();
    run.chat(SourceEvent::Connected);
    run.chat(message("ok", "小米来两袋"));
    run.output
        .until(|v| v["event"] == "confirmed" && v["msg_id"] == "ok");
    let mut run = run;
    run.chat = None;
    let (ended, output, ..) = run.ended();
    ended.expect("a clean end");
    let last = output.events().pop().unwrap();
    assert_eq!(last["event"], "disconnected", "{last}");
}

/// `{"cmd":"undo"}` under auto-confirm: the order is taken back and the
/// intent stays pending for a person (the policy does not confirm it again).
#[test]
fn undo_takes_back_an_auto_confirmation_for_good() {
    let run = start();
    run.chat(message("u1", "小米来两袋"));
    run.output
        .until(|v| v["event"] == "confirmed" && v["msg_id"] == "u1");
    run.commands.send(b"{\"cmd\":\"undo\"}\n".to_vec()).unwrap();
    let seen = run.output.until(|v| v["event"] == "undone");
    let undone = seen.last().unwrap();
    assert_eq!(
        (undone["msg_id"].as_str(), undone["stock_left"].as_i64()),
        (Some("u1"), Some(5))
    );
    run.commands.send(b"{\"cmd\":\"quit\"}\n".to_vec()).unwrap();
    let (ended, output, db, _dir) = run.ended();
    ended.expect("a clean end");
    assert_eq!(
        output
            .events()
            .iter()
            .filter(|v| v["event"] == "confirmed")
            .count(),
        1,
        "not confirmed again"
    );
    let conn = rusqlite::Connection::open(db).unwrap();
    let (orders, pending): (i64, i64) = conn
        .query_row(
            "SELECT (SELECT COUNT(*) FROM orders), (SELECT COUNT(*) FROM intents WHERE status = 'pending')",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((orders, pending), (0, 1));
}

/// The queue by command: `move_product` reorders the selling and is told
/// as `queue_changed`, `put_on_air` moves the product on air, `sold_out`
/// sets the stock to 0; all three are in the database when the run ends.
#[test]
fn queue_commands_move_put_on_air_and_sell_out() {
    let run = start();
    let send = |line: &str| run.commands.send(format!("{line}\n").into_bytes()).unwrap();
    send(r#"{"cmd":"move_product","sku":"HONEY","to":0}"#);
    let seen = run.output.until(|v| v["event"] == "queue_changed");
    let changed = seen.iter().find(|v| v["event"] == "queue_changed").unwrap();
    assert_eq!(
        changed["skus"],
        serde_json::json!(["HONEY", "MILLET", "WALNUT"])
    );
    send(r#"{"cmd":"put_on_air","link":3}"#);
    run.output
        .until(|v| v["event"] == "on_air" && v["sku"] == "HONEY");
    send(r#"{"cmd":"sold_out","sku":"WALNUT"}"#);
    let seen = run
        .output
        .until(|v| v["event"] == "stock_changed" && v["sku"] == "WALNUT");
    let stock = seen.iter().find(|v| v["event"] == "stock_changed").unwrap();
    assert_eq!(
        (stock["before"].as_i64(), stock["after"].as_i64()),
        (Some(100), Some(0))
    );
    send(r#"{"cmd":"move_product","sku":"NOPE","to":0}"#);
    let seen = run.output.until(|v| v["event"] == "error");
    let error = seen.iter().find(|v| v["event"] == "error").unwrap();
    assert!(error["error"].as_str().unwrap().contains("NOPE"), "{error}");

    send(r#"{"cmd":"quit"}"#);
    let (ended, _, db, _dir) = run.ended();
    ended.expect("a clean end");
    let conn = rusqlite::Connection::open(db).unwrap();
    let state = |key: &str| -> String {
        conn.query_row(
            "SELECT value FROM shop_state WHERE key = ?1",
            [key],
            |row| row.get(0),
        )
        .unwrap()
    };
    assert_eq!(state("queue"), r#"["HONEY","MILLET","WALNUT"]"#);
    assert_eq!(state("on_air"), "HONEY");
    let walnuts: i64 = conn
        .query_row("SELECT stock FROM products WHERE sku = 'WALNUT'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(walnuts, 0);
}
