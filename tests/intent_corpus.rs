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

mod common;

use common::{load_catalog, load_corpus, score, Score};
use std::path::Path;

/// Issue 3's bar, held on every corpus.
const MIN_F1: f64 = 0.97;
const MAX_FALSE_ALARM: f64 = 0.02;
const MIN_STRETCH: f64 = 0.5;

fn report(name: &str, s: &Score) {
    for m in &s.misses {
        println!("{m}");
    }
    println!(
        "{name}: messages {} precision {:.3} recall {:.3} f1 {:.3} exact {:.3} false_alarm {:.3} stretch {:?}",
        s.messages, s.precision, s.recall, s.f1, s.exact, s.false_alarm, s.stretch_exact
    );
}

fn check(name: &str, catalog: &Path, corpus: &Path) {
    let s = score(&load_catalog(catalog), &load_corpus(corpus));
    report(name, &s);
    assert!(s.messages >= 60, "{name}: only {} messages", s.messages);
    assert!(s.f1 >= MIN_F1, "{name}: f1 {:.3} below {MIN_F1}", s.f1);
    assert!(
        s.false_alarm <= MAX_FALSE_ALARM,
        "{name}: false alarms {:.3} above {MAX_FALSE_ALARM}",
        s.false_alarm
    );
    if let Some(stretch) = s.stretch_exact {
        assert!(
            stretch >= MIN_STRETCH,
            "{name}: stretch {stretch:.2} below {MIN_STRETCH}"
        );
    }
}

fn data(file: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(file)
}

#[test]
fn millet_catalog_corpus_scores() {
    check(
        "millet",
        &data("catalog-millet.toml"),
        &data("millet-messages.jsonl"),
    );
}

#[test]
fn orchard_catalog_corpus_scores() {
    check(
        "orchard",
        &data("catalog-orchard.toml"),
        &data("orchard-messages.jsonl"),
    );
}

#[test]
fn forest_catalog_corpus_scores() {
    check(
        "forest",
        &data("catalog-forest.toml"),
        &data("forest-messages.jsonl"),
    );
}

#[test]
fn blind_written_corpora_score() {
    for name in [
        "fruit", "tea", "mountain", "grain", "herbs", "veg", "snack", "trad", "elder", "mix",
        "orders", "crab", "usfarm", "spicy", "traps", "apples", "links", "short", "group", "sizes",
        "meat", "garden", "promo",
    ] {
        check(
            name,
            &data(&format!("catalog-{name}.toml")),
            &data(&format!("{name}-messages.jsonl")),
        );
    }
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
    check(
        "dev",
        &dir.join("catalog-wuxiang.toml"),
        &dir.join("dev-messages.jsonl"),
    );
}
