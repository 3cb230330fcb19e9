//! The order-intent engine: a pure function of (chat text, catalog, product on
//! air) to the order intents the text holds. No I/O, no clock, no globals, so
//! the TUI, `parse`, headless mode, benches and fuzzers all share it.
//! The rules it follows are ../shared/corpus/LABELING.md.

use crate::catalog::Catalog;
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
    pub evidence: Vec<Range<usize>>,
}

/// The engine compiled for one catalog. Build once, parse many.
pub struct Engine {
    _private: (),
}

impl Engine {
    pub fn new(_catalog: &Catalog) -> Self {
        Engine { _private: () }
    }

    /// Reads one chat message. `current` is the index of the product on air.
    pub fn parse(&self, _text: &str, _current: Option<usize>) -> Vec<Intent> {
        Vec::new()
    }
}
