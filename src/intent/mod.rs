//! The order-intent engine: a pure function of (chat text, catalog, product on
//! air) to the order intents the text holds. No I/O, no clock, no globals, so
//! the TUI, `parse`, headless mode, benches and fuzzers all share it.
//! The rules it follows are ../shared/corpus/LABELING.md.
//!
//! Pipeline: `normalize` (NFKC, case, traditional→simplified, emoji, stammers,
//! with a byte map back to the original) → `fuzzy` (stretch: homophone typos
//! and pinyin rewritten into the catalog's words, at lower confidence) →
//! `matcher` (products and link
//! references, Aho-Corasick) + `lexicon` (verbs, question / past / future /
//! hypothetical markers…) + `numbers` → `grammar` (who wants what, how many).

pub mod fuzzy;
mod grammar;
pub mod lexicon;
pub mod matcher;
pub mod normalize;
pub mod numbers;
pub mod sender;
pub mod suggest;
mod words;

use crate::catalog::Catalog;
use std::cell::RefCell;
use std::ops::Range;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IntentKind {
    /// Wants to buy now (or more).
    Order,
    /// Withdraws an order (of the named product, else of their own open orders).
    Cancel,
    /// Sets a new total quantity for an order.
    Change,
}

impl IntentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            IntentKind::Order => "order",
            IntentKind::Cancel => "cancel",
            IntentKind::Change => "change",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Intent {
    pub kind: IntentKind,
    /// Index into `Catalog::products`; `None` for a cancel or change that names no product.
    pub product: Option<usize>,
    /// Units wanted (order), the new total (change); `None` for cancel.
    pub qty: Option<u32>,
    /// How sure the engine is, in [0, 1].
    pub confidence: f32,
    /// Byte ranges of the original text that the reading rests on (product
    /// words, link references, numbers, verbs), for highlighting and "why".
    pub evidence: Evidence,
}

/// The spans an intent rests on: a handful, so kept inline (no allocation
/// per intent on the hot path).
pub type Evidence = smallvec::SmallVec<[Range<usize>; 4]>;

/// Intents at or above this confidence may be auto-confirmed; below it they
/// reach the helper flagged. Bare numbers (0.7) and quantities above
/// [`numbers::SUSPICIOUS_QTY`] (halved) fall below it.
pub const AUTO_CONFIRM_CONFIDENCE: f32 = 0.8;

/// A confidence as livestall prints it (`parse`, event lines): three
/// decimals, so 0.88 prints as 0.88 rather than its binary expansion.
pub fn rounded_confidence(confidence: f32) -> f32 {
    (confidence * 1000.0).round() / 1000.0
}

/// Reusable buffers for one parse, so a parse allocates only its result.
#[derive(Default)]
pub(crate) struct Scratch {
    norm: normalize::Normalized,
    mentions: Vec<matcher::Mention>,
    markers: Vec<lexicon::MarkerHit>,
    nums: Vec<numbers::NumToken>,
    fuzzy: fuzzy::FuzzyScratch,
    grammar: grammar::GrammarScratch,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
    /// Set while this thread reads a message in `parse_guarded`.
    static GUARDED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f` on this thread's reusable buffers (fresh ones on re-entrant
/// use, which is not expected), so a message costs no allocation.
fn with_scratch<R>(f: impl FnOnce(&mut Scratch) -> R) -> R {
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut scratch) => f(&mut scratch),
        Err(_) => f(&mut Scratch::default()),
    })
}

/// Whether this thread is inside `Engine::parse_guarded`: a panic hook asks,
/// so that an engine bug the guard catches is logged rather than treated as
/// the end of the program (the screen's hook would give the terminal back).
pub fn in_guarded_parse() -> bool {
    GUARDED.with(|g| g.get())
}

/// The engine compiled for one catalog. Build once, parse many.
pub struct Engine {
    matcher: matcher::Matcher,
    fuzzy: fuzzy::Fuzzy,
    lexicon: &'static lexicon::Lexicon,
    product_count: usize,
    /// Test hook: `parse_guarded` panics on text containing this, so each
    /// live caller's handling of an engine bug can be tested (no real input
    /// is known to trip one).
    fault_on: Option<Box<str>>,
}

impl Engine {
    pub fn new(catalog: &Catalog) -> Self {
        Engine::with_learned(catalog, std::iter::empty())
    }

    /// The engine for `catalog` plus phrases helpers taught it, as
    /// (phrase, sku) pairs (the store's learned aliases). A taught phrase
    /// wins over a catalog alias spelled the same; one naming a SKU that is
    /// not in the catalog is ignored.
    pub fn with_learned<'a>(
        catalog: &Catalog,
        learned: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Self {
        let learned: Vec<(&str, usize)> = learned
            .into_iter()
            .filter_map(|(phrase, sku)| Some((phrase, catalog.index_of_sku(sku)?)))
            .collect();
        Engine {
            matcher: matcher::Matcher::with_learned(catalog, &learned),
            fuzzy: fuzzy::Fuzzy::new(catalog, &learned),
            lexicon: lexicon::Lexicon::shared(),
            product_count: catalog.len(),
            fault_on: None,
        }
    }

    /// This engine, made to fail in `parse_guarded` on any text containing
    /// `marker`: for tests of the callers' guard only.
    #[doc(hidden)]
    pub fn failing_on(mut self, marker: &str) -> Self {
        self.fault_on = Some(marker.into());
        self
    }

    /// Reads one chat message. `current` is the index of the product on air.
    pub fn parse(&self, text: &str, current: Option<usize>) -> Vec<Intent> {
        let mut out = Vec::new();
        self.parse_into(text, current, &mut out);
        out
    }

    /// `parse` into `out` (cleared first), so a caller reading many messages
    /// can reuse one list.
    ///
    /// Read alone, a cancel or change naming no product is below the
    /// auto-confirm line: what it acts on, or whether it means an order at
    /// all ("算了" about a song), only the sender's orders can say
    /// (`parse_in_context` reads it against them).
    pub fn parse_into(&self, text: &str, current: Option<usize>, out: &mut Vec<Intent>) {
        self.parse_raw(text, current, out);
        for intent in out.iter_mut() {
            if intent.kind != IntentKind::Order && intent.product.is_none() {
                intent.confidence = intent.confidence.min(sender::UNCERTAIN_CONFIDENCE);
            }
        }
    }

    /// The grammar's reading, before any word on what context would add.
    fn parse_raw(&self, text: &str, current: Option<usize>, out: &mut Vec<Intent>) {
        out.clear();
        with_scratch(|scratch| self.parse_with(scratch, text, current, out));
    }

    /// `parse_into` for the live paths (the screen, headless mode, `parse`):
    /// a message that trips a bug in the engine gives no intents instead of
    /// ending the program in the middle of a stream. Returns `false` when
    /// that happened, for the caller to report. (Tests and the fuzzer call
    /// `parse`, where such a bug still panics and is seen.)
    pub fn parse_guarded(&self, text: &str, current: Option<usize>, out: &mut Vec<Intent>) -> bool {
        self.parse_guarded_in_context(text, current, None, out)
    }

    /// `parse_guarded` with the sender's context (`sender::SenderContext`;
    /// `None` reads the message alone).
    pub fn parse_guarded_in_context(
        &self,
        text: &str,
        current: Option<usize>,
        sender: Option<&sender::SenderContext<'_>>,
        out: &mut Vec<Intent>,
    ) -> bool {
        GUARDED.with(|g| g.set(true));
        let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            if let Some(marker) = self.fault_on.as_deref() {
                if text.contains(marker) {
                    panic!("test hook: the engine fails on {marker:?}");
                }
            }
            self.parse_in_context(text, current, sender, out)
        }));
        GUARDED.with(|g| g.set(false));
        if read.is_err() {
            out.clear();
        }
        read.is_ok()
    }

    /// The one product `text` asks about, whatever else it says
    /// ([`grammar::asked_about`]); the sender's context asks.
    fn question_about(&self, text: &str) -> Option<usize> {
        with_scratch(|scratch| {
            normalize::normalize_into(text, &mut scratch.norm);
            scratch.mentions.clear();
            let link_chars = scratch.norm.link_chars;
            self.matcher
                .find(&scratch.norm.text, link_chars, &mut scratch.mentions);
            grammar::asked_about(self, scratch)
        })
    }

    /// The words of `text` the engine reads as products (names, aliases,
    /// learned phrases, near misspellings of them; not link numbers), as
    /// spans of the original text with the product each names: what a
    /// helper who picks another product could teach it instead.
    pub fn product_words(&self, text: &str) -> Vec<(Range<usize>, usize)> {
        with_scratch(|scratch| {
            self.find_products(scratch, text);
            scratch
                .mentions
                .iter()
                .filter(|m| !m.by_link)
                .map(|m| (scratch.norm.to_original(m.start..m.end), m.product))
                .filter(|(span, _)| span.start < span.end)
                .collect()
        })
    }

    /// Normalises `text` into `scratch` and finds the products it names;
    /// true when a near misspelling was rewritten to a catalog word.
    fn find_products(&self, scratch: &mut Scratch, text: &str) -> bool {
        normalize::normalize_into(text, &mut scratch.norm);
        // Products are found once; only a stretch rewrite makes them stale.
        scratch.mentions.clear();
        let link_chars = scratch.norm.link_chars;
        self.matcher
            .find(&scratch.norm.text, link_chars, &mut scratch.mentions);
        let fuzzy = self
            .fuzzy
            .rewrite(&scratch.mentions, &mut scratch.norm, &mut scratch.fuzzy);
        if fuzzy {
            scratch.mentions.clear();
            let link_chars = scratch.norm.link_chars;
            self.matcher
                .find(&scratch.norm.text, link_chars, &mut scratch.mentions);
        }
        fuzzy
    }

    fn parse_with(
        &self,
        scratch: &mut Scratch,
        text: &str,
        current: Option<usize>,
        out: &mut Vec<Intent>,
    ) {
        let fuzzy = self.find_products(scratch, text);
        grammar::read(self, scratch, current, out);
        for intent in out.iter_mut() {
            for r in intent.evidence.iter_mut() {
                *r = scratch.norm.to_original(r.clone());
            }
            intent.evidence.retain(|r| r.start < r.end);
            intent.evidence.sort_by_key(|r| r.start);
            intent.evidence.dedup();
            intent.confidence = intent.confidence.clamp(0.0, 1.0);
            if fuzzy {
                intent.confidence = intent.confidence.min(fuzzy::FUZZY_CONFIDENCE);
            }
        }
    }
}
