//! Headless mode in process: `app::headless::run` (the driver and the same
//! `update` the screen runs) on a real store, with chat and command lines
//! fed by the test and an engine made to fail on one message.

use livestall::app::{headless, Model, Policy, Session};
use livestall::chat::{ChatMessage, SourceEvent};
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
        String::from_utf8(self.0.lock().unwrap().clone())
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

#[test]
fn an_engine_failure_costs_one_message_not_the_run() {
    let config = livestall::config::load(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/shop-small.toml"),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = Store::open(&dir.path().join("orders.db"), &config.catalog).unwrap();
    let mut model = Model::new(&config, "tester");
    model.policy = Policy { auto_confirm: true };
    let (chat_tx, chat) = tokio::sync::mpsc::channel(16);
    let (_stop_tx, stop) = tokio::sync::watch::channel(false);
    let session = Session {
        model,
        engine: Engine::new(&config.catalog).failing_on("炸"),
        store,
        seed: SeedReport::default(),
        chat,
        stop,
        flush_within: Duration::from_secs(10),
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

    rt.block_on(async {
        chat_tx.send(SourceEvent::Connected).await.unwrap();
        chat_tx
            .send(message("boom", "炸 小米来两袋"))
            .await
            .unwrap();
        chat_tx.send(message("ok", "小米来两袋")).await.unwrap();
    });
    let seen = output.until(|v| v["event"] == "confirmed" && v["msg_id"] == "ok");
    assert!(
        !seen.iter().any(|v| v["msg_id"] == "boom"),
        "the failed message gives no intent: {seen:#?}"
    );
    let ok = seen.iter().find(|v| v["event"] == "confirmed").unwrap();
    assert_eq!(
        (ok["sku"].as_str(), ok["qty"].as_u64()),
        (Some("MILLET"), Some(2))
    );

    commands.send(b"{\"cmd\":\"quit\"}\n".to_vec()).unwrap();
    let ended = rt.block_on(async { tokio::time::timeout(Duration::from_secs(30), run).await });
    ended
        .expect("quit ends the run")
        .unwrap()
        .expect("a clean end");
}
