//! The chat record and its replay: messages recorded by the recorder (and
//! by the driver, before the core reads them) come back from `replay` as
//! they were, at their pace; files rotate by day; a torn last line is
//! skipped; a record that cannot be written stops without stopping the
//! run; the ids recorded last keep a relay's history from being read twice
//! after a restart; `livestall replay --headless` and `parse` read a
//! session file; `[record]` and replay sources are checked like the rest
//! of the config.

use futures_util::SinkExt;
use livestall::app::{headless, Model, Session};
use livestall::chat::record::{
    read_line, recent_ids, session_files, utc_day, Claim, Record, Recorder,
};
use livestall::chat::replay::{run_replay, Speed};
use livestall::chat::{ChatMessage, JsonSourceOptions, OutageKind, SourceEvent};
use livestall::config::{FieldMap, SourceConfig, SourceKind};
use livestall::intent::Engine;
use livestall::store::{SeedReport, Store};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};
use tokio::time::{timeout, Instant};
use tokio_tungstenite::tungstenite::Message;

/// 2026-12-07 00:00:00 UTC.
const DAY_MS: i64 = 1_796_601_600_000;
const LIMIT: Duration = Duration::from_secs(20);

fn message(id: &str, user: &str, text: &str) -> ChatMessage {
    ChatMessage {
        id: id.into(),
        user: user.into(),
        user_id: Some(format!("u-{user}")),
        text: text.into(),
        ts: Some(DAY_MS - 5),
    }
}

fn lines_of(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

/// Everything a source sends until it ends, with when it came.
async fn collect(mut rx: mpsc::Receiver<SourceEvent>) -> Vec<(Instant, SourceEvent)> {
    let mut seen = Vec::new();
    while let Some(event) = timeout(LIMIT, rx.recv())
        .await
        .expect("the source ends in time")
    {
        seen.push((Instant::now(), event));
    }
    seen
}

#[tokio::test]
async fn a_recorded_session_replays_as_it_was_received() {
    let dir = tempfile::tempdir().unwrap();
    let mut recorder = Recorder::with_days(dir.path(), utc_day);
    // Four seconds of chat; the product on air changes twice.
    let chat = [
        ("m0", "李姐", "主播好", None, 1_000),
        ("m1", "Tom", "小米来两袋", Some("MILLET"), 2_000),
        ("m2", "阿强", "扣1", Some("MILLET"), 3_000),
        ("m3", "北京吃货", "\"核桃\" 一袋\\n", Some("WALNUT"), 4_000),
        ("m4", "兰兰", "+1", Some("WALNUT"), 5_000),
    ];
    for (id, user, text, on_air, at) in chat {
        recorder
            .record("", &message(id, user, text), DAY_MS + at, on_air)
            .unwrap();
    }
    recorder.flush().unwrap();
    let path = dir.path().join("2026-12-07.jsonl");
    let lines = lines_of(&path);
    assert_eq!(lines.len(), 5);
    let first: Value = serde_json::from_str(&lines[0]).unwrap();
    let keys: Vec<&str> = first
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut want = vec![
        "id",
        "on_air",
        "received_at_ms",
        "source",
        "text",
        "ts",
        "user",
        "user_id",
    ];
    want.sort();
    let mut keys = keys;
    keys.sort();
    assert_eq!(keys, want, "{first}");
    assert_eq!(first["on_air"], Value::Null);

    let (tx, rx) = mpsc::channel(4);
    let (_stop_tx, stop) = watch::channel(false);
    let started = Instant::now();
    let replay = tokio::spawn(run_replay(path.clone(), Speed::Times(10.0), tx, stop));
    let seen = collect(rx).await;
    replay.await.unwrap();

    let events: Vec<&SourceEvent> = seen.iter().map(|(_, e)| e).collect();
    let msg = |i: usize| {
        let (id, user, text, _, _) = chat[i];
        SourceEvent::Message(message(id, user, text))
    };
    let expected = [
        SourceEvent::Connected,
        msg(0),
        SourceEvent::OnAir("MILLET".into()),
        msg(1),
        msg(2),
        SourceEvent::OnAir("WALNUT".into()),
        msg(3),
        msg(4),
    ];
    assert_eq!(events.len(), expected.len() + 1, "{events:#?}");
    for (got, want) in events.iter().zip(&expected) {
        assert_eq!(*got, want);
    }
    match events.last().unwrap() {
        SourceEvent::Disconnected(outage) => {
            assert_eq!(outage.kind, OutageKind::Finished);
            assert_eq!(outage.retry_in, None);
            assert_eq!(outage.url, path.display().to_string());
        }
        other => panic!("expected the end of the replay, got {other:?}"),
    }
    // Four recorded seconds at ten times: 400 ms. A sleep never ends early,
    // so the lower bound holds on any machine; the upper one only catches
    // a replay that ignored the speed.
    let last_message = seen
        .iter()
        .rev()
        .find(|(_, e)| matches!(e, SourceEvent::Message(_)))
        .unwrap()
        .0;
    let took = last_message - started;
    assert!(took >= Duration::from_millis(390), "{took:?}");
    assert!(took < Duration::from_secs(3), "{took:?}");
}

#[tokio::test]
async fn max_speed_does_not_wait() {
    let dir = tempfile::tempdir().unwrap();
    let mut recorder = Recorder::with_days(dir.path(), utc_day);
    // An hour apart as recorded.
    for (i, at) in [0, 3_600_000].into_iter().enumerate() {
        let m = message(&format!("m{i}"), "x", "扣1");
        recorder.record("", &m, DAY_MS + at, None).unwrap();
    }
    drop(recorder);
    let (tx, rx) = mpsc::channel(4);
    let (_stop_tx, stop) = watch::channel(false);
    let path = dir.path().join("2026-12-07.jsonl");
    tokio::spawn(run_replay(path, Speed::Max, tx, stop));
    let seen = collect(rx).await;
    let messages = seen
        .iter()
        .filter(|(_, e)| matches!(e, SourceEvent::Message(_)))
        .count();
    assert_eq!(messages, 2);
}

#[test]
fn files_rotate_when_the_day_changes() {
    let dir = tempfile::tempdir().unwrap();
    let mut recorder = Recorder::with_days(dir.path(), utc_day);
    recorder
        .record("", &message("late", "a", "晚上好"), DAY_MS - 100, None)
        .unwrap();
    recorder
        .record("", &message("early", "b", "早上好"), DAY_MS + 100, None)
        .unwrap();
    recorder
        .record("", &message("later", "c", "小米"), DAY_MS + 200, None)
        .unwrap();
    drop(recorder);
    let files = session_files(dir.path());
    let names: Vec<String> = files
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["2026-12-06.jsonl", "2026-12-07.jsonl"]);
    assert_eq!(lines_of(&files[0]).len(), 1);
    let ids: Vec<String> = lines_of(&files[1])
        .iter()
        .map(|l| read_line(l.as_bytes()).unwrap().id)
        .collect();
    assert_eq!(ids, ["early", "later"]);
    // The ids of both days, oldest first.
    assert_eq!(recent_ids(dir.path(), "", 100), ["late", "early", "later"]);
    assert_eq!(recent_ids(dir.path(), "", 2), ["early", "later"]);
    assert!(recent_ids(dir.path(), "bilibili", 100).is_empty());
}

/// A power cut mid-write leaves half a line: reading skips it, and the
/// next run's first line starts on a line of its own.
#[tokio::test]
async fn a_torn_last_line_is_skipped_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("2026-12-07.jsonl");
    let mut recorder = Recorder::with_days(dir.path(), utc_day);
    for i in 0..3 {
        let m = message(&format!("m{i}"), "x", "扣1");
        recorder.record("", &m, DAY_MS + i, None).unwrap();
    }
    drop(recorder);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.extend_from_slice(br#"{"source":"","id":"torn","user":"x","te"#);
    std::fs::write(&path, &bytes).unwrap();

    assert_eq!(recent_ids(dir.path(), "", 100), ["m0", "m1", "m2"]);

    let (tx, rx) = mpsc::channel(16);
    let (_stop_tx, stop) = watch::channel(false);
    tokio::spawn(run_replay(path.clone(), Speed::Max, tx, stop));
    let ids: Vec<String> = collect(rx)
        .await
        .into_iter()
        .filter_map(|(_, e)| match e {
            SourceEvent::Message(m) => Some(m.id),
            _ => None,
        })
        .collect();
    assert_eq!(ids, ["m0", "m1", "m2"]);

    // The next run appends after the torn line, not onto it.
    let mut recorder = Recorder::with_days(dir.path(), utc_day);
    recorder
        .record("", &message("m3", "x", "扣1"), DAY_MS + 10, None)
        .unwrap();
    drop(recorder);
    let readable: Vec<String> = lines_of(&path)
        .iter()
        .filter_map(|l| read_line(l.as_bytes()))
        .map(|r| r.id)
        .collect();
    assert_eq!(readable, ["m0", "m1", "m2", "m3"]);
}

#[test]
fn a_folder_that_is_a_file_stops_the_record_once() {
    let dir = tempfile::tempdir().unwrap();
    let not_a_folder = dir.path().join("sessions");
    std::fs::write(&not_a_folder, "a file where the folder should be").unwrap();
    let Claim::Recorder(mut recorder) = Recorder::claim(&not_a_folder) else {
        panic!("nobody else holds it");
    };
    let failure = recorder
        .record("", &message("m0", "x", "扣1"), DAY_MS, None)
        .expect_err("told at the first message");
    assert!(recorder.is_stopped());
    assert_eq!(failure.path, not_a_folder);
    // Said once: later messages and flushes go on quietly.
    for i in 1..5 {
        let m = message(&format!("m{i}"), "x", "扣1");
        assert_eq!(recorder.record("", &m, DAY_MS + i, None), Ok(()));
    }
    assert_eq!(recorder.flush(), Ok(()));
}

/// A real full disk: the day's file is /dev/full, which takes the open and
/// refuses every write with ENOSPC.
#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_stops_the_record_at_the_flush() {
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink("/dev/full", dir.path().join("2026-12-07.jsonl")).unwrap();
    let mut recorder = Recorder::with_days(dir.path(), utc_day);
    recorder
        .record("", &message("m0", "x", "扣1"), DAY_MS, None)
        .expect("buffered");
    let failure = recorder.flush().expect_err("the disk is full");
    assert_eq!(failure.kind, std::io::ErrorKind::StorageFull, "{failure}");
    let words = livestall::ui::i18n::record_stopped(livestall::config::Language::Zh, &failure);
    assert!(words.contains("磁盘已满"), "{words}");
    let words = livestall::ui::i18n::record_stopped(livestall::config::Language::En, &failure);
    assert!(words.contains("the run goes on"), "{words}");
    assert_eq!(recorder.flush(), Ok(()));
}

#[test]
fn a_second_run_on_the_folder_does_not_record() {
    let dir = tempfile::tempdir().unwrap();
    let first = Recorder::claim(dir.path());
    assert!(matches!(first, Claim::Recorder(_)));
    assert!(matches!(Recorder::claim(dir.path()), Claim::Busy));
    drop(first);
    assert!(matches!(Recorder::claim(dir.path()), Claim::Recorder(_)));
}

/// Event lines a headless run writes.
#[derive(Clone, Default)]
struct Output(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Output {
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
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
}

fn small_shop() -> livestall::config::Config {
    livestall::config::load(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/shop-small.toml"),
    )
    .unwrap()
}

/// A headless run in process on `events` (then the chat ends) with
/// `record`; its event lines.
fn headless_run(events: Vec<SourceEvent>, record: Option<Recorder>) -> Vec<Value> {
    let config = small_shop();
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = Store::open(&dir.path().join("orders.db"), &config.catalog).unwrap();
    let (chat_tx, chat) = mpsc::channel(64);
    let (stop_tx, stop) = watch::channel(false);
    let session = Session {
        model: Model::new(&config, "tester"),
        engine: Engine::new(&config.catalog),
        store,
        seed: SeedReport::default(),
        chat,
        stop,
        flush_within: Duration::from_secs(10),
        record,
        coop: None,
    };
    let output = Output::default();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let out = output.clone();
    rt.block_on(async move {
        let run = tokio::spawn(headless::run(session, std::io::empty(), out));
        for event in events {
            let news = livestall::chat::SourceNews { source: 0, event };
            chat_tx.send(news).await.unwrap();
        }
        // The source ends: a headless run ends with it.
        drop(chat_tx);
        timeout(LIMIT, run).await.expect("ends").unwrap().unwrap();
        drop(stop_tx);
    });
    output.events()
}

#[test]
fn the_driver_records_each_message_with_the_product_on_air() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("sessions");
    let Claim::Recorder(recorder) = Recorder::claim(&folder) else {
        panic!("free folder");
    };
    let events = headless_run(
        vec![
            SourceEvent::Connected,
            SourceEvent::Message(message("m1", "李姐", "小米来两袋")),
            SourceEvent::OnAir("HONEY".into()),
            SourceEvent::Message(message("m2", "Tom", "扣1")),
        ],
        Some(recorder),
    );
    let on_air: Vec<&Value> = events.iter().filter(|v| v["event"] == "on_air").collect();
    assert_eq!(on_air.last().unwrap()["sku"], "HONEY", "{events:#?}");
    let m2 = events
        .iter()
        .find(|v| v["event"] == "intent" && v["msg_id"] == "m2")
        .expect("m2 read against HONEY");
    assert_eq!(m2["sku"], "HONEY");

    let files = session_files(&folder);
    assert_eq!(files.len(), 1, "{files:?}");
    let records: Vec<Record> = lines_of(&files[0])
        .iter()
        .map(|l| read_line(l.as_bytes()).unwrap())
        .collect();
    let seen: Vec<(&str, Option<&str>)> = records
        .iter()
        .map(|r| (r.id.as_str(), r.on_air.as_deref()))
        .collect();
    // MILLET is first in the queue, so on air from the start.
    assert_eq!(seen, [("m1", Some("MILLET")), ("m2", Some("HONEY"))]);
    assert_eq!(records[0].text, "小米来两袋");
    assert_eq!(records[0].user_id.as_deref(), Some("u-李姐"));
    assert!(records[0].received_at_ms > DAY_MS - 86_400_000 * 365 * 50);
}

#[test]
fn a_record_that_cannot_be_written_does_not_stop_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let not_a_folder = dir.path().join("sessions");
    std::fs::write(&not_a_folder, "").unwrap();
    let Claim::Recorder(recorder) = Recorder::claim(&not_a_folder) else {
        panic!("free folder");
    };
    let events = headless_run(
        vec![
            SourceEvent::Connected,
            SourceEvent::Message(message("m1", "李姐", "小米来两袋")),
            SourceEvent::Message(message("m2", "Tom", "核桃一袋")),
        ],
        Some(recorder),
    );
    let stopped: Vec<&Value> = events
        .iter()
        .filter(|v| v["event"] == "record_stopped")
        .collect();
    assert_eq!(stopped.len(), 1, "said once: {events:#?}");
    assert_eq!(stopped[0]["path"], not_a_folder.display().to_string());
    for id in ["m1", "m2"] {
        assert!(
            events
                .iter()
                .any(|v| v["event"] == "intent" && v["msg_id"] == id),
            "{id} still read: {events:#?}"
        );
    }
}

/// A relay that sends its whole history on every connection, then (after
/// the first) something new: the second run, seeded from the record,
/// skips the history as replays.
#[tokio::test]
async fn the_record_keeps_a_replayed_history_out_after_a_restart() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        for connection in 0.. {
            let (tcp, _) = listener.accept().await.unwrap();
            let mut ws = tokio_tungstenite::accept_async(tcp).await.unwrap();
            let mut ids: Vec<String> = (0..5).map(|i| format!("h{i}")).collect();
            if connection > 0 {
                ids.extend(["n0".to_string(), "n1".to_string()]);
            }
            for id in ids {
                let frame = serde_json::json!({"id": id, "user": "李姐", "text": "扣1"});
                ws.send(Message::text(frame.to_string())).await.unwrap();
            }
            // Held open until the client goes.
            tokio::spawn(async move {
                use futures_util::StreamExt;
                while let Some(Ok(_)) = ws.next().await {}
            });
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let source = SourceConfig {
        name: "json".into(),
        kind: SourceKind::Json,
        url: format!("ws://{addr}/chat"),
        fields: FieldMap::default(),
    };

    /// One run: the source started as every front end starts it, each
    /// message recorded as the driver does, until `until` has come.
    async fn run(source: &SourceConfig, folder: &Path, until: &str) -> Vec<SourceEvent> {
        let opts = JsonSourceOptions {
            seen: recent_ids(folder, "", 10_000),
            ..JsonSourceOptions::default()
        };
        let (tx, mut rx) = mpsc::channel(16);
        let (stop_tx, stop) = watch::channel(false);
        let task = livestall::chat::spawn_with(source.clone(), opts, tx, stop);
        let Claim::Recorder(mut recorder) = Recorder::claim(folder) else {
            panic!("one run at a time");
        };
        let mut seen = Vec::new();
        loop {
            let event = timeout(LIMIT, rx.recv()).await.expect("in time").unwrap();
            let done = matches!(&event, SourceEvent::Message(m) if m.id == until);
            if let SourceEvent::Message(m) = &event {
                recorder
                    .record("", m, livestall::clock::now_ms(), None)
                    .unwrap();
            }
            seen.push(event);
            if done {
                break;
            }
        }
        stop_tx.send(true).unwrap();
        timeout(LIMIT, task).await.unwrap().unwrap();
        seen
    }

    let first = run(&source, dir.path(), "h4").await;
    assert_eq!(first.len(), 6, "connected and h0..h4: {first:#?}");
    // livestall restarts; the relay replays h0..h4 before n0 and n1.
    let second = run(&source, dir.path(), "n1").await;
    let ids = |events: &[SourceEvent]| -> Vec<String> {
        events
            .iter()
            .filter_map(|e| match e {
                SourceEvent::Message(m) => Some(m.id.clone()),
                _ => None,
            })
            .collect()
    };
    assert_eq!(ids(&second), ["n0", "n1"], "{second:#?}");
    assert!(
        second.contains(&SourceEvent::SkippedReplays(5)),
        "the skip is told: {second:#?}"
    );
}

/// `livestall replay FILE --headless` on a small recording: the intents as
/// they were read live (a bare "扣1" against the product recorded on air),
/// and the run ends by itself when the recording does.
#[test]
fn replay_headless_reads_a_recording_like_the_live_chat() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("2026-12-07.jsonl");
    let mut recorder = Recorder::with_days(dir.path(), utc_day);
    let chat = [
        ("m1", "李姐", "小米来两袋", "MILLET"),
        ("m2", "阿强", "包邮吗", "MILLET"),
        ("m3", "Tom", "扣1", "HONEY"),
    ];
    for (i, (id, user, text, on_air)) in chat.into_iter().enumerate() {
        recorder
            .record(
                "",
                &message(id, user, text),
                DAY_MS + i as i64 * 10,
                Some(on_air),
            )
            .unwrap();
    }
    drop(recorder);
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/shop-small.toml");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_livestall"))
        .arg("replay")
        .arg(&file)
        .args(["--headless", "--speed", "max", "--config"])
        .arg(&config)
        .arg("--db")
        .arg(dir.path().join("rehearsal.db"))
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let events: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let intent = |id: &str| {
        events
            .iter()
            .find(|v| v["event"] == "intent" && v["msg_id"] == id)
            .cloned()
    };
    let m1 = intent("m1").expect("m1");
    assert_eq!(
        (m1["sku"].as_str(), m1["qty"].as_u64()),
        (Some("MILLET"), Some(2))
    );
    assert!(intent("m2").is_none(), "a question is no intent");
    let m3 = intent("m3").expect("m3");
    assert_eq!(
        (m3["sku"].as_str(), m3["qty"].as_u64()),
        (Some("HONEY"), Some(1))
    );
    let last = events.last().unwrap();
    assert_eq!(
        (last["event"].as_str(), last["kind"].as_str()),
        (Some("disconnected"), Some("finished")),
        "{events:#?}"
    );
    // Nothing recorded from a replay.
    assert!(session_files(&dir.path().join("sessions")).is_empty());
}

#[test]
fn replay_of_a_missing_file_is_one_clear_line() {
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/shop-small.toml");
    let dir = tempfile::tempdir().unwrap();
    let missing: PathBuf = dir.path().join("nosuch.jsonl");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_livestall"))
        .arg("replay")
        .arg(&missing)
        .args(["--headless", "--config"])
        .arg(&config)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    // shop-small.toml is a Chinese shop.
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("找不到录制文件"), "{stderr}");
    assert!(stderr.contains("nosuch.jsonl"), "{stderr}");
}

/// `parse` reads a session file as it is: `on_air` is the product on air.
#[test]
fn parse_reads_a_session_file() {
    let config = small_shop();
    let engine = Engine::new(&config.catalog);
    let input = concat!(
        r#"{"source":"","id":"a","user":"x","user_id":null,"text":"扣1","ts":null,"received_at_ms":1,"on_air":"HONEY"}"#,
        "\n",
        r#"{"id":"b","text":"扣1","on_air":"HONEY","current":"WALNUT"}"#,
        "\n",
        r#" {"id":"c","text":"扣1","on_air":"HONEY"}"#,
        "\n",
        r#"{"id":"d","text":"扣1","on_air":7}"#,
        "\n",
    );
    let mut out = Vec::new();
    livestall::commands::parse::run(&config.catalog, &engine, input.as_bytes(), &mut out).unwrap();
    let lines: Vec<Value> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["intents"][0]["sku"], "HONEY");
    // `current` wins when a line has both.
    assert_eq!(lines[1]["intents"][0]["sku"], "WALNUT");
    // Not the fast path (a leading space): the same reading.
    assert_eq!(lines[2]["intents"][0]["sku"], "HONEY");
    assert_eq!(lines[3]["line"], 4, "{}", lines[3]);
}

fn config_error(extra: &str) -> livestall::config::ConfigError {
    let text = format!(
        "[shop]\nname = \"x\"\nlanguage = \"zh\"\n\n[[products]]\nsku = \"A\"\nname = \"小米\"\nlink = 1\nprice = 1\nstock = 1\n\n{extra}"
    );
    livestall::config::parse(&text, "shop.toml", Path::new("/shop")).expect_err(extra)
}

#[test]
fn record_and_replay_config_mistakes_name_line_and_key() {
    let line = 12;
    let e = config_error("[record]\nenable = false\n");
    assert_eq!((e.key.as_str(), e.line), ("record.enable", Some(line + 1)));
    assert!(e.message.contains("unknown field"), "{}", e.message);
    assert!(e.message_zh.contains("不认识的键"), "{}", e.message_zh);

    let e = config_error("[record]\nenabled = \"yes\"\n");
    assert_eq!((e.key.as_str(), e.line), ("record.enabled", Some(line + 1)));
    assert!(e.message_zh.contains("true 或 false"), "{}", e.message_zh);

    let e = config_error("[record]\nfolder = \" \"\n");
    assert_eq!((e.key.as_str(), e.line), ("record.folder", Some(line + 1)));
    assert!(
        e.to_string()
            .starts_with("shop.toml 第 13 行 record.folder："),
        "{e}"
    );

    let e = config_error("[source]\nkind = \"replay\"\n");
    assert_eq!(e.key, "source.path");
    assert!(e.message_zh.contains("录制文件"), "{}", e.message_zh);

    let e = config_error("[source]\nkind = \"replay\"\npath = \"a.jsonl\"\nspeed = -2\n");
    assert_eq!((e.key.as_str(), e.line), ("source.speed", Some(line + 3)));
    assert!(e.message.contains("\"max\""), "{}", e.message);
}

#[test]
fn record_and_replay_config_is_read() {
    let base = Path::new("/shop");
    let text = "[shop]\nname = \"x\"\n[[products]]\nsku = \"A\"\nname = \"小米\"\nlink = 1\nprice = 1\nstock = 1\n";
    let plain = livestall::config::parse(text, "shop.toml", base).unwrap();
    assert!(plain.record.enabled);
    assert_eq!(plain.record_folder(), base.join("sessions"));

    let with = format!(
        "{text}[record]\nenabled = false\nfolder = \"rec\"\n[source]\nkind = \"replay\"\npath = \"rec/2026-12-07.jsonl\"\nspeed = \"max\"\n"
    );
    let c = livestall::config::parse(&with, "shop.toml", base).unwrap();
    assert!(!c.record.enabled);
    assert_eq!(c.record_folder(), base.join("rec"));
    let source = c.sources.into_iter().next().unwrap();
    assert_eq!(
        source.kind,
        SourceKind::Replay {
            path: base.join("rec/2026-12-07.jsonl"),
            speed: Speed::Max
        }
    );
    for (written, speed) in [
        ("10", Speed::Times(10.0)),
        ("0.5", Speed::Times(0.5)),
        ("0", Speed::Max),
    ] {
        let text =
            format!("{text}[source]\nkind = \"replay\"\npath = \"a.jsonl\"\nspeed = {written}\n");
        let c = livestall::config::parse(&text, "shop.toml", base).unwrap();
        assert!(
            matches!(c.sources.into_iter().next().unwrap().kind, SourceKind::Replay { speed: s, .. } if s == speed),
            "{written}"
        );
    }
}
