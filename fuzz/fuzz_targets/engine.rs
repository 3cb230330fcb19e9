//! Fuzzes `livestall::intent::Engine::parse` on the built-in sample catalog.
//!
//! Input layout: byte 0 picks the product on air (`0` → `None`, `b` →
//! `Some((b - 1) % catalog.len())`); the remaining bytes, read as UTF-8
//! lossily, are the chat text. An empty input is parsed as "" with `None`.
//!
//! Asserted for every intent (see src/intent/mod.rs and numbers.rs):
//! - evidence ranges are non-empty, inside the text, on char boundaries,
//!   sorted by start and free of duplicates;
//! - confidence is finite and in [0, 1];
//! - product indices are < catalog.len();
//! - qty, when present, is in 1..=HARD_MAX_QTY ("beyond this nothing is a
//!   quantity");
//! - field docs of `Intent`: an order has a product and a qty, a cancel has
//!   no qty, a change has a qty;
//! - documented flagging: qty > MAX_QTY ⇒ confidence <= OVER_MAX_CONFIDENCE;
//!   qty > SUSPICIOUS_QTY ⇒ confidence < AUTO_CONFIRM_CONFIDENCE;
//! - parsing the same input twice gives identical results (determinism,
//!   including across the engine's reused thread-local scratch buffers).
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use livestall::catalog::Catalog;
use livestall::intent::numbers::{HARD_MAX_QTY, MAX_QTY, OVER_MAX_CONFIDENCE, SUSPICIOUS_QTY};
use livestall::intent::{Engine, Intent, IntentKind, AUTO_CONFIRM_CONFIDENCE};

struct Fixture {
    catalog: Catalog,
    engine: Engine,
    /// `FUZZ_ENGINE_PRINT=1`: print each input and what the engine read
    /// (for reproducing one input by hand; far too noisy while fuzzing).
    print: bool,
}

static FIXTURE: LazyLock<Fixture> = LazyLock::new(|| {
    let catalog = livestall::config::parse(
        livestall::config::SAMPLE_CONFIG,
        "config.toml",
        std::path::Path::new("."),
    )
    .expect("the built-in sample config parses")
    .catalog;
    assert!(!catalog.is_empty(), "the sample catalog has products");
    let engine = Engine::new(&catalog);
    let print = std::env::var_os("FUZZ_ENGINE_PRINT").is_some_and(|v| v != "0");
    Fixture {
        catalog,
        engine,
        print,
    }
});

fn check(text: &str, current: Option<usize>, n_products: usize, intents: &[Intent]) {
    let ctx = || format!("text={text:?} current={current:?} intents={intents:#?}");
    for intent in intents {
        // Evidence: byte ranges into the original text.
        for r in &intent.evidence {
            assert!(r.start < r.end, "empty/reversed evidence {r:?}; {}", ctx());
            assert!(r.end <= text.len(), "evidence {r:?} past end {}; {}", text.len(), ctx());
            assert!(
                text.get(r.clone()).is_some(),
                "evidence {r:?} not on char boundaries; {}",
                ctx()
            );
        }
        for w in intent.evidence.windows(2) {
            assert!(w[0].start <= w[1].start, "evidence not sorted; {}", ctx());
            assert!(w[0] != w[1], "duplicate evidence; {}", ctx());
        }

        // Confidence.
        let c = intent.confidence;
        assert!(c.is_finite(), "confidence not finite; {}", ctx());
        assert!((0.0..=1.0).contains(&c), "confidence {c} outside [0, 1]; {}", ctx());

        // Product index.
        if let Some(p) = intent.product {
            assert!(p < n_products, "product {p} >= catalog.len() {n_products}; {}", ctx());
        }

        // Quantity.
        if let Some(q) = intent.qty {
            assert!(q >= 1, "qty {q} < 1; {}", ctx());
            assert!(
                u64::from(q) <= HARD_MAX_QTY,
                "qty {q} > HARD_MAX_QTY {HARD_MAX_QTY}; {}",
                ctx()
            );
            if u64::from(q) > MAX_QTY {
                assert!(
                    c <= OVER_MAX_CONFIDENCE,
                    "qty {q} > MAX_QTY but confidence {c} > OVER_MAX_CONFIDENCE; {}",
                    ctx()
                );
            }
            if u64::from(q) > SUSPICIOUS_QTY {
                assert!(
                    c < AUTO_CONFIRM_CONFIDENCE,
                    "qty {q} > SUSPICIOUS_QTY but confidence {c} >= AUTO_CONFIRM_CONFIDENCE; {}",
                    ctx()
                );
            }
        }

        // Field docs of `Intent`.
        match intent.kind {
            IntentKind::Order => {
                assert!(intent.product.is_some(), "order without product; {}", ctx());
                assert!(intent.qty.is_some(), "order without qty; {}", ctx());
            }
            IntentKind::Cancel => {
                assert!(intent.qty.is_none(), "cancel with a qty; {}", ctx());
            }
            IntentKind::Change => {
                assert!(intent.qty.is_some(), "change without qty; {}", ctx());
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let fx = &*FIXTURE;
    let n = fx.catalog.len();
    let (current, rest) = match data.split_first() {
        None => (None, &[][..]),
        Some((0, rest)) => (None, rest),
        Some((&b, rest)) => (Some((usize::from(b) - 1) % n), rest),
    };
    let text = String::from_utf8_lossy(rest);

    let first = fx.engine.parse(&text, current);
    if fx.print {
        eprintln!("text={text:?} current={current:?} intents={first:#?}");
    }
    check(&text, current, n, &first);

    let second = fx.engine.parse(&text, current);
    assert_eq!(first, second, "parse is not deterministic; text={text:?} current={current:?}");
});
