//! Scores the intent engine on labelled corpora with a Rust re-implementation
//! of score.py's core F1 and false-alarm rate: our own two corpora on two
//! different catalogs (a millet co-op and an orchard), and the shared dev
//! corpus when ../shared/corpus is present.

mod common;

use common::{load_catalog, load_corpus, score, Score};
use std::path::Path;

const MIN_F1: f64 = 0.85;
const MAX_FALSE_ALARM: f64 = 0.10;

fn report(name: &str, s: &Score) {
    for m in &s.misses {
        println!("{m}");
    }
    println!(
        "{name}: messages {} precision {:.3} recall {:.3} f1 {:.3} exact {:.3} false_alarm {:.3}",
        s.messages, s.precision, s.recall, s.f1, s.exact, s.false_alarm
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
fn shared_dev_corpus_scores() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if !dir.is_dir() {
        println!("skipped: {} not found", dir.display());
        return;
    }
    check(
        "dev",
        &dir.join("catalog-wuxiang.toml"),
        &dir.join("dev-messages.jsonl"),
    );
}
