//! Shared helpers for the integration tests: loading a catalog from a
//! config-style TOML file, reading labelled JSONL corpora, and scoring the
//! engine the way ../shared/corpus/score.py does (core F1 and false alarms).
#![allow(dead_code)]

use livestall::catalog::Catalog;
use livestall::intent::{Engine, IntentKind};
use std::collections::HashMap;
use std::path::Path;

/// Loads the catalog of a config file through the real config loader.
/// Panics with the loader's message on a bad file: test data is ours.
pub fn load_catalog(path: impl AsRef<Path>) -> Catalog {
    livestall::config::load(path.as_ref())
        .unwrap_or_else(|e| panic!("{e}"))
        .catalog
}

/// One intent as the scorer compares it: (kind, sku, qty; qty None for cancel).
pub type Key = (String, Option<String>, Option<u32>);

#[derive(serde::Deserialize)]
pub struct Expected {
    pub kind: String,
    pub sku: Option<String>,
    pub qty: Option<u32>,
}

#[derive(serde::Deserialize)]
pub struct Labelled {
    pub id: String,
    pub text: String,
    pub current: Option<String>,
    pub expect: Vec<Expected>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// The sender's earlier messages (LABELING.md, second edition).
    #[serde(default)]
    pub history: Option<Vec<SaidBefore>>,
    /// The sender's open orders when the message came.
    #[serde(default)]
    pub orders: Option<Vec<OrderBefore>>,
}

#[derive(serde::Deserialize)]
pub struct SaidBefore {
    pub text: String,
    #[serde(default)]
    pub ago_s: f64,
}

#[derive(serde::Deserialize)]
pub struct OrderBefore {
    pub sku: String,
    #[serde(default)]
    pub qty: Option<u32>,
    #[serde(default)]
    pub ago_s: f64,
}

/// Reads `r` as the app does: alone, or with the sender's context when the
/// row gives one.
fn read(engine: &Engine, catalog: &Catalog, r: &Labelled) -> Vec<livestall::intent::Intent> {
    use livestall::intent::sender::{OpenOrder, Said, SenderContext};
    let current = r.current.as_deref().and_then(|s| catalog.index_of_sku(s));
    let mut out = Vec::new();
    if r.history.is_none() && r.orders.is_none() {
        engine.parse_into(&r.text, current, &mut out);
        return out;
    }
    let secs = |s: f64| if s > 0.0 { s as u64 } else { 0 };
    let said: Vec<Said> = r
        .history
        .iter()
        .flatten()
        .map(|h| Said {
            text: &h.text,
            ago_s: secs(h.ago_s),
        })
        .collect();
    let orders: Vec<OpenOrder> = r
        .orders
        .iter()
        .flatten()
        .map(|o| OpenOrder {
            product: catalog.index_of_sku(&o.sku),
            qty: o.qty.unwrap_or(1),
            ago_s: secs(o.ago_s),
        })
        .collect();
    let sender = SenderContext {
        orders: &orders,
        history: &said,
    };
    engine.parse_in_context(&r.text, current, Some(&sender), &mut out);
    out
}

pub fn load_corpus(path: impl AsRef<Path>) -> Vec<Labelled> {
    let path = path.as_ref();
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, l)| {
            serde_json::from_str(l)
                .unwrap_or_else(|e| panic!("{} line {}: {e}", path.display(), i + 1))
        })
        .collect()
}

fn key(kind: &str, sku: Option<String>, qty: Option<u32>) -> Key {
    let qty = if kind == "cancel" { None } else { qty };
    (kind.to_string(), sku, qty)
}

#[derive(Debug, Default)]
pub struct Score {
    pub messages: usize,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub exact: f64,
    pub false_alarm: f64,
    /// Exact-match rate on the stretch rows (typos, pinyin), when there are any.
    pub stretch_exact: Option<f64>,
    /// Every row, core or stretch, whose reading is not exactly the label.
    pub misses: Vec<Miss>,
    /// Rows tagged `uncertain` (the helper decides them), and how many of
    /// them were read at or above the auto-confirm line.
    pub uncertain: usize,
    pub uncertain_sure: usize,
}

/// One message the engine reads differently from its label.
#[derive(Debug, Clone)]
pub struct Miss {
    pub id: String,
    pub text: String,
    /// The SKU on air when the message came, if the label gives one.
    pub current: Option<String>,
    /// A stretch row (typos, pinyin), held to a lower bar.
    pub stretch: bool,
    /// The label's and the engine's intents as sorted "kind:SKU:qty" strings.
    pub want: Vec<String>,
    pub got: Vec<String>,
}

impl std::fmt::Display for Miss {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}MISS {} {:?} (on air {}) want {:?} got {:?}",
            if self.stretch { "stretch " } else { "" },
            self.id,
            self.text,
            self.current.as_deref().unwrap_or("-"),
            self.want,
            self.got
        )
    }
}

/// A multiset of keys as sorted "kind:SKU:qty" strings ("-" for none).
fn render(keys: &HashMap<Key, i64>) -> Vec<String> {
    let mut out: Vec<String> = keys
        .iter()
        .flat_map(|((kind, sku, qty), n)| {
            let one = format!(
                "{kind}:{}:{}",
                sku.as_deref().unwrap_or("-"),
                qty.map_or("-".to_string(), |q| q.to_string())
            );
            std::iter::repeat_n(one, usize::try_from(*n).unwrap_or(0))
        })
        .collect();
    out.sort();
    out
}

/// Scores the engine like score.py: F1, exact matches and false alarms on
/// the core rows of `rows`, exact matches alone on the stretch rows.
pub fn score(catalog: &Catalog, rows: &[Labelled]) -> Score {
    let engine = Engine::new(catalog);
    let (stretch, core): (Vec<&Labelled>, Vec<&Labelled>) = rows
        .iter()
        .partition(|r| r.tags.iter().any(|t| t == "stretch"));
    let mut s = score_rows(&engine, catalog, &core);
    if !stretch.is_empty() {
        let st = score_rows(&engine, catalog, &stretch);
        s.stretch_exact = Some(st.exact);
        s.misses
            .extend(st.misses.into_iter().map(|m| Miss { stretch: true, ..m }));
    }
    s
}

fn score_rows(engine: &Engine, catalog: &Catalog, core: &[&Labelled]) -> Score {
    let (mut tp, mut fp, mut fnn, mut exact, mut none_total, mut none_alarm) = (0, 0, 0, 0, 0, 0);
    let (mut uncertain, mut uncertain_sure) = (0, 0);
    let mut misses = Vec::new();
    for r in core {
        let mut want: HashMap<Key, i64> = HashMap::new();
        for e in &r.expect {
            *want.entry(key(&e.kind, e.sku.clone(), e.qty)).or_default() += 1;
        }
        let mut have: HashMap<Key, i64> = HashMap::new();
        let read = read(engine, catalog, r);
        if r.tags.iter().any(|t| t == "uncertain") {
            uncertain += 1;
            let line = livestall::intent::AUTO_CONFIRM_CONFIDENCE;
            uncertain_sure += usize::from(read.iter().any(|i| i.confidence >= line));
        }
        for i in read {
            let sku = i
                .product
                .and_then(|p| catalog.get(p))
                .map(|p| p.sku.clone());
            let kind = match i.kind {
                IntentKind::Order => "order",
                IntentKind::Cancel => "cancel",
                IntentKind::Change => "change",
            };
            *have.entry(key(kind, sku, i.qty)).or_default() += 1;
        }
        let hit: i64 = want
            .iter()
            .map(|(k, n)| (*n).min(*have.get(k).unwrap_or(&0)))
            .sum();
        let n_have: i64 = have.values().sum();
        let n_want: i64 = want.values().sum();
        tp += hit;
        fp += n_have - hit;
        fnn += n_want - hit;
        let ok = want == have;
        exact += i64::from(ok);
        if r.expect.is_empty() {
            none_total += 1;
            none_alarm += i64::from(n_have > 0);
        }
        if !ok {
            misses.push(Miss {
                id: r.id.clone(),
                text: r.text.clone(),
                current: r.current.clone(),
                stretch: false,
                want: render(&want),
                got: render(&have),
            });
        }
    }
    let ratio = |a: i64, b: i64| if b == 0 { 1.0 } else { a as f64 / b as f64 };
    let precision = ratio(tp, tp + fp);
    let recall = ratio(tp, tp + fnn);
    let f1 = if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    };
    Score {
        messages: core.len(),
        precision,
        recall,
        f1,
        exact: ratio(exact, core.len() as i64),
        false_alarm: if none_total == 0 {
            0.0
        } else {
            none_alarm as f64 / none_total as f64
        },
        stretch_exact: None,
        misses,
        uncertain,
        uncertain_sure,
    }
}

/// Waits up to `limit` for `child` to exit; past that kills it and gives
/// `None`, so a hung process fails the test instead of hanging it.
pub fn wait_or_kill(
    child: &mut std::process::Child,
    limit: std::time::Duration,
) -> Option<std::process::ExitStatus> {
    let start = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// Every file in `dir` with its bytes, sorted by name: what a reading verb
/// must leave exactly as it was.
pub fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}
