//! The engine over real viewers' chat (../shared/real-chat: 30,074 messages
//! from public Douyin, Douyu, Bilibili, Taobao, Twitch and YouTube streams;
//! see its SOURCES.md), on the shared dev catalog, where almost nothing is
//! an order of the shop's. Read in place, never copied into the project;
//! skipped with a notice where ../shared is absent.
//!
//! Issue 11's bars: with nothing on air, at most 1 message in 10,000 read
//! at or above the auto-confirm line and 1 in 1,000 read as any intent;
//! with the first product on air, at most 1 in 1,000 read as a sure order
//! a practised helper would not write down (real-chat/onair-labels.jsonl
//! holds a helper's judgement of what the engine flagged; a message it
//! does not list is not an order).
//!
//! Two readings. `real_chat_through_the_live_core_is_under_the_bars` holds
//! the bars on what a helper would see: each file streamed through the live
//! core (`app::update`), which reads every message in its sender's context
//! (LABELING.md's second edition: "算了" from a viewer with no order is
//! chat, not a cancel) and adds suggestions. `real_chat_false_alarms_do_not_grow`
//! reads every message alone (as `parse` does a line without `history` or
//! `orders`) and holds its totals as ceilings, already under the bars:
//! lower them as rules land, never raise them.

use livestall::intent::{Engine, IntentKind, AUTO_CONFIRM_CONFIDENCE};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Today's totals over all files (the ceilings this test holds).
const MAX_ANY_OFF_AIR: usize = 24;
const MAX_SURE_OFF_AIR: usize = 1;
const MAX_WRONG_SURE_ON_AIR: usize = 7;

#[derive(serde::Deserialize)]
struct Line {
    id: String,
    #[serde(default)]
    user: String,
    text: String,
}

#[derive(serde::Deserialize)]
struct Label {
    id: String,
    order: serde_json::Value,
}

fn shared() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    if dir.join("real-chat").is_dir() && dir.join("corpus/catalog-wuxiang.toml").is_file() {
        return Some(dir);
    }
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr(),
        "real_chat skipped: {} not found (it sits beside the checkout in CI)",
        dir.join("real-chat").display()
    );
    None
}

fn jsonl<T: serde::de::DeserializeOwned>(path: &Path) -> Vec<T> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
        .collect()
}

/// The shared catalog, its engine, the helper's labels and the chat files.
struct RealChat {
    config: livestall::config::Config,
    engine: Engine,
    labels: HashMap<String, serde_json::Value>,
    files: Vec<PathBuf>,
}

impl RealChat {
    fn load() -> Option<RealChat> {
        let shared = shared()?;
        let config = livestall::config::load(&shared.join("corpus/catalog-wuxiang.toml"))
            .expect("the shared catalog loads");
        let engine = Engine::new(&config.catalog);
        let labels = jsonl::<Label>(&shared.join("real-chat/onair-labels.jsonl"))
            .into_iter()
            .map(|l| (l.id, l.order))
            .collect();
        let mut files: Vec<PathBuf> = std::fs::read_dir(shared.join("real-chat"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                p.extension().is_some_and(|e| e == "jsonl") && !p.ends_with("onair-labels.jsonl")
            })
            .collect();
        files.sort();
        Some(RealChat {
            config,
            engine,
            labels,
            files,
        })
    }

    /// What a helper would write down: labelled true, or left to judgement.
    fn helper_would(&self, id: &str) -> bool {
        self.labels
            .get(id)
            .is_some_and(|o| o == &serde_json::Value::Bool(true) || o == "unsure")
    }
}

#[test]
fn real_chat_false_alarms_do_not_grow() {
    let Some(chat) = RealChat::load() else { return };
    let (engine, files) = (&chat.engine, &chat.files);
    let (mut total, mut any_off, mut sure_off, mut wrong_on) = (0, 0, 0, 0);
    let mut out = Vec::new();
    for file in files {
        let lines: Vec<Line> = jsonl(file);
        let (mut any, mut sure, mut wrong) = (0, 0, 0);
        for line in &lines {
            engine.parse_into(&line.text, None, &mut out);
            any += usize::from(!out.is_empty());
            sure += usize::from(out.iter().any(|i| i.confidence >= AUTO_CONFIRM_CONFIDENCE));
            engine.parse_into(&line.text, Some(0), &mut out);
            let sure_order = out
                .iter()
                .any(|i| i.kind == IntentKind::Order && i.confidence >= AUTO_CONFIRM_CONFIDENCE);
            wrong += usize::from(sure_order && !chat.helper_would(&line.id));
        }
        println!(
            "{:<36} {:>6} messages; nothing on air: {any} read as an intent, {sure} as sure; \
             first product on air: {wrong} sure orders a helper would not write down",
            file.file_stem().unwrap().to_string_lossy(),
            lines.len()
        );
        total += lines.len();
        any_off += any;
        sure_off += sure;
        wrong_on += wrong;
    }
    println!(
        "total {total}: {any_off} intents ({:.2} in 1,000; bar 1), {sure_off} sure ({:.2} in 10,000; bar 1), \
         {wrong_on} wrong sure orders on air ({:.2} in 1,000; bar 1)",
        any_off as f64 * 1000.0 / total as f64,
        sure_off as f64 * 10000.0 / total as f64,
        wrong_on as f64 * 1000.0 / total as f64,
    );
    assert!(total > 30_000, "{total} messages: a file is missing");
    assert!(
        any_off <= MAX_ANY_OFF_AIR,
        "{any_off} intents with nothing on air"
    );
    assert!(
        sure_off <= MAX_SURE_OFF_AIR,
        "{sure_off} sure with nothing on air"
    );
    assert!(
        wrong_on <= MAX_WRONG_SURE_ON_AIR,
        "{wrong_on} wrong sure orders on air"
    );
}

/// Issue 11's bars, on what reaches the helper's inbox: every file read by
/// the live core (`app::update`) as a stream, so each message is read in its
/// sender's context (their earlier words; no viewer here has an order with
/// the shop, as the database would say), and suggestions count as rows.
const BAR_ANY_PER_1000: f64 = 1.0;
const BAR_SURE_PER_10000: f64 = 1.0;
const BAR_WRONG_SURE_ON_AIR_PER_1000: f64 = 1.0;

/// The rows one message adds to the inbox, through the live core.
fn inbox_rows(
    model: &mut livestall::app::Model,
    engine: &Engine,
    line: &Line,
    at_ms: i64,
) -> Vec<livestall::store::NewIntent> {
    use livestall::app::{Effect, Msg};
    use livestall::store::StoreJob;
    let effects = livestall::app::update(
        model,
        engine,
        Msg::Chat {
            source: 0,
            message: livestall::chat::ChatMessage {
                id: line.id.clone(),
                user: line.user.clone(),
                user_id: None,
                text: line.text.clone(),
                ts: None,
            },
            received_at_ms: at_ms,
        },
    );
    effects
        .into_iter()
        .filter_map(|e| match e {
            Effect::Store(StoreJob::Record(rows)) => Some(rows),
            _ => None,
        })
        .flatten()
        .collect()
}

#[test]
fn real_chat_through_the_live_core_is_under_the_bars() {
    use livestall::app::Msg;
    use livestall::store::StoreEvent;
    let Some(chat) = RealChat::load() else { return };
    let (config, engine, files) = (&chat.config, &chat.engine, &chat.files);
    let (mut total, mut any_off, mut sure_off, mut wrong_on) = (0, 0, 0, 0);
    for file in files {
        let lines: Vec<Line> = jsonl(file);
        let (mut any, mut sure, mut wrong) = (0, 0, 0);
        for on_air in [None, Some(0)] {
            let mut model = livestall::app::Model::new(config, "helper");
            model.on_air = on_air;
            // The database's answer at start: no open orders, so the
            // sender book knows every viewer has none.
            livestall::app::update(
                &mut model,
                engine,
                Msg::Store(StoreEvent::Resumed(Default::default())),
            );
            for (n, line) in lines.iter().enumerate() {
                // The files keep order, not time: two messages a second.
                let at_ms = 1_700_000_000_000 + n as i64 * 500;
                let rows = inbox_rows(&mut model, engine, line, at_ms);
                let sure_row = |r: &livestall::store::NewIntent| {
                    r.note.is_none() && r.confidence >= AUTO_CONFIRM_CONFIDENCE
                };
                if on_air.is_none() {
                    any += usize::from(!rows.is_empty());
                    sure += usize::from(rows.iter().any(sure_row));
                } else {
                    let sure_order = rows
                        .iter()
                        .any(|r| r.kind == IntentKind::Order && sure_row(r));
                    wrong += usize::from(sure_order && !chat.helper_would(&line.id));
                }
            }
        }
        println!(
            "live core: {:<36} {:>6} messages; nothing on air: {any} inbox rows, {sure} sure; \
             first product on air: {wrong} sure orders a helper would not write down",
            file.file_stem().unwrap().to_string_lossy(),
            lines.len()
        );
        total += lines.len();
        any_off += any;
        sure_off += sure;
        wrong_on += wrong;
    }
    let per = |n: usize, scale: f64| n as f64 * scale / total as f64;
    println!(
        "live core: total {total}: {any_off} inbox rows ({:.2} in 1,000; bar 1), {sure_off} sure \
         ({:.2} in 10,000; bar 1), {wrong_on} wrong sure orders on air ({:.2} in 1,000; bar 1)",
        per(any_off, 1000.0),
        per(sure_off, 10000.0),
        per(wrong_on, 1000.0),
    );
    assert!(total > 30_000, "{total} messages: a file is missing");
    assert!(per(any_off, 1000.0) <= BAR_ANY_PER_1000, "{any_off} rows");
    assert!(
        per(sure_off, 10000.0) <= BAR_SURE_PER_10000,
        "{sure_off} sure"
    );
    assert!(
        per(wrong_on, 1000.0) <= BAR_WRONG_SURE_ON_AIR_PER_1000,
        "{wrong_on} wrong sure orders on air"
    );
}

/// The messages behind the figures above, for whoever works on the rules:
/// `cargo test --test real_chat -- --ignored --nocapture`. Prints (never
/// stores) each sure order on air a helper would not write down, and each
/// intent read with nothing on air, with its reading.
#[test]
#[ignore = "a listing for rule work, not a check"]
fn real_chat_false_alarms_listed() {
    let Some(chat) = RealChat::load() else { return };
    let (config, engine) = (&chat.config, &chat.engine);
    let mut out = Vec::new();
    let show = |out: &[livestall::intent::Intent]| {
        out.iter()
            .map(|i| {
                let sku = i
                    .product
                    .map_or("-", |p| config.catalog.products[p].sku.as_str());
                format!("{} {sku} {:?} {:.2}", i.kind.as_str(), i.qty, i.confidence)
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    for file in &chat.files {
        for line in jsonl::<Line>(file) {
            engine.parse_into(&line.text, Some(0), &mut out);
            let sure_order = out
                .iter()
                .any(|i| i.kind == IntentKind::Order && i.confidence >= AUTO_CONFIRM_CONFIDENCE);
            if sure_order && !chat.helper_would(&line.id) {
                println!("ON  {} {:?} => {}", line.id, line.text, show(&out));
            }
            engine.parse_into(&line.text, None, &mut out);
            if !out.is_empty() {
                println!("OFF {} {:?} => {}", line.id, line.text, show(&out));
            }
        }
    }
}
