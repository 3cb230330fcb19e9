//! Property tests: the engine never panics on arbitrary text, every evidence
//! range is a valid char-boundary range of the input, confidences stay in
//! [0, 1] and quantities stay within the cap.

mod common;

use livestall::intent::numbers::HARD_MAX_QTY;
use livestall::intent::Engine;
use proptest::prelude::*;
use std::path::Path;

fn engine() -> (Engine, usize) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/catalog-millet.toml");
    let catalog = common::load_catalog(path);
    (Engine::new(&catalog), catalog.len())
}

fn check(engine: &Engine, text: &str, current: Option<usize>) -> Result<(), TestCaseError> {
    for intent in engine.parse(text, current) {
        prop_assert!((0.0..=1.0).contains(&intent.confidence));
        prop_assert!(intent
            .qty
            .is_none_or(|q| (1..=HARD_MAX_QTY as u32).contains(&q)));
        for r in &intent.evidence {
            prop_assert!(r.start <= r.end && r.end <= text.len(), "{r:?} in {text:?}");
            prop_assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end));
        }
    }
    Ok(())
}

// Chat-like alphabet: product words, numerals, markers, emoji, full-width forms.
const PIECES: &[&str] = &[
    "小米",
    "煎饼",
    "要",
    "来",
    "两",
    "袋",
    "1",
    "2",
    "x",
    "×",
    "+",
    "扣",
    "不要",
    "了",
    "吗",
    "？",
    "，",
    "改成",
    "各",
    "号",
    "链接",
    "#",
    "11",
    "🙏",
    "❤️",
    "２",
    "兩",
    "來",
    "要要要",
    " ",
    "sold",
    "a",
    "bags",
    "of",
    "millet",
    "cancel",
    "make it",
    "666",
    "斤装",
    "年",
    "手机",
    "粥",
    "\u{301}",
    "\u{200d}",
    "\u{0}",
    "ｘ",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn never_panics_on_arbitrary_text(text in any::<String>(), current in proptest::option::of(0usize..12)) {
        let (engine, _) = engine();
        check(&engine, &text, current)?;
    }

    #[test]
    fn never_panics_on_chat_like_text(
        parts in proptest::collection::vec(proptest::sample::select(PIECES), 0..24),
        current in proptest::option::of(0usize..8),
    ) {
        let (engine, n) = engine();
        let text: String = parts.concat();
        check(&engine, &text, current.filter(|&c| c < n))?;
    }
}

#[test]
fn evidence_points_at_the_original_text() {
    let (engine, _) = engine();
    let text = "🔥來兩袋小米🔥";
    let intents = engine.parse(text, None);
    assert_eq!(intents.len(), 1);
    let shown: Vec<&str> = intents[0]
        .evidence
        .iter()
        .map(|r| &text[r.clone()])
        .collect();
    assert!(shown.contains(&"小米"), "{shown:?}");
    assert!(shown.contains(&"兩袋"), "{shown:?}");
    assert!(shown.contains(&"來"), "{shown:?}");
}
