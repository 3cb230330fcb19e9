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
//! does not list is not an order). The engine is not there yet: this test
//! reports the figures per file and holds the totals at or below where they
//! stand, so no change can add false alarms; lower the ceilings as rules
//! land, down to the bars.

use livestall::intent::{Engine, IntentKind, AUTO_CONFIRM_CONFIDENCE};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Today's totals over all files (the ceilings this test holds).
const MAX_ANY_OFF_AIR: usize = 24;
const MAX_SURE_OFF_AIR: usize = 21;
const MAX_WRONG_SURE_ON_AIR: usize = 7;

#[derive(serde::Deserialize)]
struct Line {
    id: String,
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

#[test]
fn real_chat_false_alarms_do_not_grow() {
    let Some(shared) = shared() else { return };
    let config = livestall::config::load(&shared.join("corpus/catalog-wuxiang.toml"))
        .expect("the shared catalog loads");
    let engine = Engine::new(&config.catalog);
    let labels: HashMap<String, serde_json::Value> =
        jsonl::<Label>(&shared.join("real-chat/onair-labels.jsonl"))
            .into_iter()
            .map(|l| (l.id, l.order))
            .collect();
    // What a helper would write down: labelled true, or left to judgement.
    let helper_would = |id: &str| {
        labels
            .get(id)
            .is_some_and(|o| o == &serde_json::Value::Bool(true) || o == "unsure")
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(shared.join("real-chat"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "jsonl") && !p.ends_with("onair-labels.jsonl")
        })
        .collect();
    files.sort();
    let (mut total, mut any_off, mut sure_off, mut wrong_on) = (0, 0, 0, 0);
    let mut out = Vec::new();
    for file in &files {
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
            wrong += usize::from(sure_order && !helper_would(&line.id));
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

/// The messages behind the figures above, for whoever works on the rules:
/// `cargo test --test real_chat -- --ignored --nocapture`. Prints (never
/// stores) each sure order on air a helper would not write down, and each
/// intent read with nothing on air, with its reading.
#[test]
#[ignore = "a listing for rule work, not a check"]
fn real_chat_false_alarms_listed() {
    let Some(shared) = shared() else { return };
    let config = livestall::config::load(&shared.join("corpus/catalog-wuxiang.toml"))
        .expect("the shared catalog loads");
    let engine = Engine::new(&config.catalog);
    let labels: HashMap<String, serde_json::Value> =
        jsonl::<Label>(&shared.join("real-chat/onair-labels.jsonl"))
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
    for file in &files {
        for line in jsonl::<Line>(file) {
            engine.parse_into(&line.text, Some(0), &mut out);
            let sure_order = out
                .iter()
                .any(|i| i.kind == IntentKind::Order && i.confidence >= AUTO_CONFIRM_CONFIDENCE);
            let label = labels.get(&line.id);
            let helper_would =
                label.is_some_and(|o| o == &serde_json::Value::Bool(true) || o == "unsure");
            if sure_order && !helper_would {
                println!("ON  {} {:?} => {}", line.id, line.text, show(&out));
            }
            engine.parse_into(&line.text, None, &mut out);
            if !out.is_empty() {
                println!("OFF {} {:?} => {}", line.id, line.text, show(&out));
            }
        }
    }
}
