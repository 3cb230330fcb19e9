//! Scores the intent engine on labelled corpora with a Rust re-implementation
//! of score.py (core F1, false alarms, stretch exact matches): our own
//! corpora on twenty-six catalogs, and the shared dev corpus when ../shared/corpus
//! is present.
//!
//! millet, orchard and forest were written beside the engine. The other
//! twenty-three were written blind, in eight rounds, by separate sessions that saw
//! LABELING.md and the dev corpus but never the engine, each with a catalog
//! of its own (English-heavy TikTok chat, traditional characters and
//! Cantonese, northern dialect, young Bilibili memes, elderly voice-typed
//! run-on messages, decorated and code-switched text, changes and number
//! forms, a flash sale, an all-English American audience, Sichuanese,
//! false-alarm traps, look-alike products, link numbers, very short
//! messages, orders for others, pack sizes, meat by weight and piece,
//! seedlings, promotions, heteronyms, misspellings). Their first scores measured how the
//! engine generalises (core F1 from 0.85 to 0.995); the rules they showed
//! missing were then added as rules, and the few misses left are kept as
//! labelled.
//!
//! Each corpus's misses are listed, each with why the engine misreads it, in
//! tests/data/NAME-misses.toml (dev-misses.toml for the shared corpus). A
//! miss not on the list fails, naming the message; so does a listed miss
//! that now reads right, until it is taken off the list.

mod common;

use common::{load_catalog, load_corpus, score, Miss, Score};
use std::collections::{BTreeMap, HashSet};
use std::path::Path;

/// Issue 3's bar, held on every corpus.
const MIN_F1: f64 = 0.97;
const MAX_FALSE_ALARM: f64 = 0.02;
const MIN_STRETCH: f64 = 0.5;

/// The misses a corpus is known to have, from tests/data/NAME-misses.toml:
/// groups of message ids that share one reason the engine misreads them.
/// The bars above leave room for a dozen new misses on a large corpus; this
/// list leaves room for none, so a rule that breaks one message shows.
#[derive(serde::Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct KnownMisses {
    #[serde(default)]
    miss: Vec<KnownGroup>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct KnownGroup {
    reason: String,
    ids: Vec<String>,
}

/// The known misses of `name`, by message id, with their reasons. No file
/// means none. Problems with the file itself go to `failures`.
fn known_misses(
    name: &str,
    ids: &HashSet<&str>,
    failures: &mut Vec<String>,
) -> BTreeMap<String, String> {
    let path = data(&format!("{name}-misses.toml"));
    let mut known = BTreeMap::new();
    if !path.exists() {
        return known;
    }
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let list: KnownMisses =
        toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    for group in list.miss {
        if group.reason.trim().is_empty() {
            failures.push(format!(
                "{name}: a group in {} has no reason",
                path.display()
            ));
        }
        for id in group.ids {
            if !ids.contains(id.as_str()) {
                failures.push(format!(
                    "{name}: {id} is listed in {} but is no message of the corpus",
                    path.display()
                ));
            }
            if known.insert(id.clone(), group.reason.clone()).is_some() {
                failures.push(format!(
                    "{name}: {id} is listed twice in {}",
                    path.display()
                ));
            }
        }
    }
    known
}

fn report(name: &str, s: &Score) {
    for m in &s.misses {
        println!("{m}");
    }
    println!(
        "{name}: messages {} precision {:.3} recall {:.3} f1 {:.3} exact {:.3} false_alarm {:.3} stretch {:?} misses {}",
        s.messages, s.precision, s.recall, s.f1, s.exact, s.false_alarm, s.stretch_exact, s.misses.len()
    );
}

/// Scores one corpus and returns what is wrong with it: a bar not met, a
/// miss not on its known list, or a listed miss that now reads right.
fn check(name: &str, catalog: &Path, corpus: &Path) -> Vec<String> {
    let rows = load_corpus(corpus);
    let s = score(&load_catalog(catalog), &rows);
    report(name, &s);
    let mut failures = Vec::new();
    let ids: HashSet<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    // The known list names messages by id, so an id must name one message.
    if ids.len() != rows.len() {
        failures.push(format!("{name}: message ids are not unique"));
    }
    let known = known_misses(name, &ids, &mut failures);
    if s.messages < 60 {
        failures.push(format!("{name}: only {} messages", s.messages));
    }
    if s.f1 < MIN_F1 {
        failures.push(format!("{name}: f1 {:.3} below {MIN_F1}", s.f1));
    }
    if s.false_alarm > MAX_FALSE_ALARM {
        failures.push(format!(
            "{name}: false alarms {:.3} above {MAX_FALSE_ALARM}",
            s.false_alarm
        ));
    }
    if let Some(stretch) = s.stretch_exact {
        if stretch < MIN_STRETCH {
            failures.push(format!("{name}: stretch {stretch:.2} below {MIN_STRETCH}"));
        }
    }
    let missed: HashSet<&str> = s.misses.iter().map(|m| m.id.as_str()).collect();
    for m in s.misses.iter().filter(|m| !known.contains_key(&m.id)) {
        failures.push(new_miss(name, m));
    }
    for (id, reason) in known
        .iter()
        .filter(|(id, _)| ids.contains(id.as_str()) && !missed.contains(id.as_str()))
    {
        failures.push(format!(
            "{name}: {id} now reads right (listed as \"{reason}\"): fixed, remove it from tests/data/{name}-misses.toml"
        ));
    }
    failures
}

fn new_miss(name: &str, m: &Miss) -> String {
    format!(
        "{name}: new {}miss {} {:?} (on air {})\n    want {:?}\n    got  {:?}",
        if m.stretch { "stretch " } else { "" },
        m.id,
        m.text,
        m.current.as_deref().unwrap_or("-"),
        m.want,
        m.got
    )
}

/// Fails with every problem of every corpus at once, so one run shows them all.
fn assert_clean(failures: Vec<String>) {
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

fn data(file: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(file)
}

#[test]
fn millet_catalog_corpus_scores() {
    assert_clean(check(
        "millet",
        &data("catalog-millet.toml"),
        &data("millet-messages.jsonl"),
    ));
}

#[test]
fn orchard_catalog_corpus_scores() {
    assert_clean(check(
        "orchard",
        &data("catalog-orchard.toml"),
        &data("orchard-messages.jsonl"),
    ));
}

#[test]
fn forest_catalog_corpus_scores() {
    assert_clean(check(
        "forest",
        &data("catalog-forest.toml"),
        &data("forest-messages.jsonl"),
    ));
}

#[test]
fn blind_written_corpora_score() {
    let mut failures = Vec::new();
    for name in [
        "fruit", "tea", "mountain", "grain", "herbs", "veg", "snack", "trad", "elder", "mix",
        "orders", "crab", "usfarm", "spicy", "traps", "apples", "links", "short", "group", "sizes",
        "meat", "garden", "promo",
    ] {
        failures.extend(check(
            name,
            &data(&format!("catalog-{name}.toml")),
            &data(&format!("{name}-messages.jsonl")),
        ));
    }
    assert_clean(failures);
}

/// Issue 11's context corpora: written blind (by sessions that saw
/// LABELING.md's second edition and the dev corpus, never the engine), each
/// line with the sender's `history` and open `orders`, on two catalogs of
/// their own. Their blind first reads, by the engine before it read context
/// (core F1 / false alarms / `uncertain` lines read as sure): ctxgoji 0.723 /
/// 0.245 / 28 of 29, ctxhive 0.693 / 0.336 / 31 of 31.
///
/// The context rules, then questions read by the grammar's mood ("辣不辣",
/// "有多辣") and counts in another product's unit, brought both to every
/// line read right: this holds them there, so no change can lose ground,
/// and no `uncertain` line may be read as sure.
#[test]
fn context_corpora_hold_their_ground() {
    // ctxsea was written blind after the rules these two taught; its first
    // reads (F1 0.952, false alarms 0.045, 1 uncertain line sure by the
    // engine of the day it came; 0.974 / 0.036 / 0 by the rules written
    // meanwhile without it) are the honest figures for chat the engine has
    // not seen. Its two misses are a weight the product is not sold by, in
    // a catalog that sells another product by that weight ("虾皮来一斤").
    const FLOORS: [(&str, f64, f64); 3] = [
        ("ctxgoji", 1.0, 0.0),
        ("ctxhive", 1.0, 0.0),
        ("ctxsea", 0.99, 0.019),
    ];
    let mut failures = Vec::new();
    for (name, min_f1, max_false_alarm) in FLOORS {
        let rows = load_corpus(data(&format!("{name}-messages.jsonl")));
        let s = score(&load_catalog(data(&format!("catalog-{name}.toml"))), &rows);
        report(name, &s);
        println!(
            "{name}: uncertain {} of {} read as sure",
            s.uncertain_sure, s.uncertain
        );
        if s.messages < 150 || s.uncertain < 25 {
            failures.push(format!(
                "{name}: only {} messages, {} uncertain",
                s.messages, s.uncertain
            ));
        }
        if s.f1 < min_f1 {
            failures.push(format!("{name}: f1 {:.3} below its floor {min_f1}", s.f1));
        }
        if s.false_alarm > max_false_alarm {
            failures.push(format!(
                "{name}: false alarms {:.3} above its ceiling {max_false_alarm}",
                s.false_alarm
            ));
        }
        if s.uncertain_sure > 0 {
            failures.push(format!(
                "{name}: {} uncertain lines read as sure (the helper decides those)",
                s.uncertain_sure
            ));
        }
    }
    assert_clean(failures);
}

#[test]
fn shared_dev_corpus_scores() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if !dir.is_dir() {
        // Straight to stderr: libtest does not capture it, so the skip shows.
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "shared_dev_corpus_scores skipped: {} not found (it sits beside the checkout in CI)",
            dir.display()
        );
        return;
    }
    // Its known misses live with ours: ../shared is not ours to write.
    assert_clean(check(
        "dev",
        &dir.join("catalog-wuxiang.toml"),
        &dir.join("dev-messages.jsonl"),
    ));
}

/// A known-misses file whose corpus was renamed or removed would never be
/// read, and its misses would come back unnoticed under the new name.
#[test]
fn every_known_misses_file_names_a_corpus() {
    let mut orphans = Vec::new();
    for entry in std::fs::read_dir(data("")).expect("tests/data") {
        let file = entry.expect("entry").file_name();
        let file = file.to_string_lossy();
        let Some(name) = file.strip_suffix("-misses.toml") else {
            continue;
        };
        if name != "dev" && !data(&format!("{name}-messages.jsonl")).is_file() {
            orphans.push(file.to_string());
        }
    }
    assert!(orphans.is_empty(), "no corpus for {orphans:?}");
}
