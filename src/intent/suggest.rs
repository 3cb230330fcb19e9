//! Suggestions for messages the engine cannot decide, and the notes that say
//! why a reading is left to the helper (LABELING.md, second edition).
//!
//! A suggestion is not an intent: the message is labelled "no intent", and
//! the helper sees a one-key guess, marked as one, that is never confirmed
//! without them. Three kinds:
//! - "同上", "跟楼上一样", "me too", "same": the latest order another buyer
//!   made in chat, which is who "楼上" most likely is, though chat order
//!   cannot say;
//! - an order naming no product with nothing on air ("来两袋", "2"): the
//!   product chat was ordering a moment ago;
//! - a quantity in a weight the product is not sold by ("小米来两斤" for
//!   millet sold by the bag): that product, the number as written, for the
//!   helper to put right.

use super::lexicon::PrefixList;
use super::{normalize, numbers, Engine, Evidence, IntentKind};
use std::ops::Range;
use std::sync::OnceLock;

/// Why a reading or a suggestion waits for the helper.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Note {
    /// A cancel or change naming no product, from a sender who has said
    /// other things since their order.
    SaidMoreSince,
    /// … whose order is over ten minutes old.
    OldOrder,
    /// … who has more than one open order.
    SeveralOrders,
    /// Suggested: "同上" / "same" copies another buyer's latest order.
    SameAsAbove,
    /// Suggested: an order naming no product with nothing on air, read as
    /// the product chat was ordering.
    NothingOnAir,
    /// Suggested: a quantity in a weight the product is not sold by.
    OtherUnit,
}

impl Note {
    pub const ALL: [Note; 6] = [
        Note::SaidMoreSince,
        Note::OldOrder,
        Note::SeveralOrders,
        Note::SameAsAbove,
        Note::NothingOnAir,
        Note::OtherUnit,
    ];

    /// The name events and the database use.
    pub fn as_str(self) -> &'static str {
        match self {
            Note::SaidMoreSince => "said_more_since",
            Note::OldOrder => "old_order",
            Note::SeveralOrders => "several_orders",
            Note::SameAsAbove => "same_as_above",
            Note::NothingOnAir => "nothing_on_air",
            Note::OtherUnit => "other_unit",
        }
    }

    pub fn from_name(name: &str) -> Option<Note> {
        Note::ALL.into_iter().find(|n| n.as_str() == name)
    }

    /// Whether the row is a suggestion (the message was no intent) rather
    /// than an uncertain reading.
    pub fn is_suggestion(self) -> bool {
        matches!(
            self,
            Note::SameAsAbove | Note::NothingOnAir | Note::OtherUnit
        )
    }
}

/// The confidence a suggestion carries: under the auto-confirm line and
/// under the uncertain readings, so it sorts as the least sure thing shown.
pub const SUGGESTION_CONFIDENCE: f32 = 0.4;

/// How long another buyer's order anchors a suggestion ("同上" two minutes
/// later is about something else).
pub const ANCHOR_WITHIN_MS: i64 = 120_000;

/// An order read in chat that a suggestion can lean on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Anchor {
    pub product: usize,
    pub qty: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    pub product: usize,
    pub qty: u32,
    pub note: Note,
    /// What the suggestion rests on, in the original text.
    pub evidence: Evidence,
}

/// Whole messages that mean "the same as the one above". Compared after
/// normalisation with spaces, punctuation and emoji taken out, and a
/// trailing filler ("谢谢", "please") dropped.
const SAME_AS_ABOVE: &[&str] = &[
    "同上",
    "同楼上",
    "跟楼上一样",
    "和楼上一样",
    "跟楼上",
    "我跟楼上一样",
    "我也一样",
    "一样一样",
    "我也要一样的",
    "我也是",
    "楼上加1",
    "楼上+1",
    "metoo",
    "same",
    "samehere",
    "sameforme",
    "ditto",
    "me2",
];

/// Words a "same" may end with that change nothing.
const TRAILING_FILLERS: &[&str] = &[
    "谢谢主播",
    "谢谢",
    "主播",
    "老板",
    "哈哈",
    "please",
    "pls",
    "plz",
    "thanks",
    "thx",
];

/// Weights chat orders in that a catalog may not sell by. A catalog that
/// sells by one of them reads it as its unit, and no suggestion is made.
const WEIGHTS: &[&str] = &[
    "斤", "公斤", "千克", "克", "磅", "kg", "kgs", "kilo", "kilos", "g", "lb", "lbs", "pound",
    "pounds",
];

fn weights() -> &'static PrefixList {
    static WEIGHT_LIST: OnceLock<PrefixList> = OnceLock::new();
    WEIGHT_LIST.get_or_init(|| PrefixList::new(WEIGHTS.iter().copied()))
}

/// Whether `text` (normalised) says only "the same as above".
fn says_same_as_above(text: &str) -> bool {
    let mut bare: String = text
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == '+')
        .collect();
    for filler in TRAILING_FILLERS {
        if bare.len() > filler.len() && bare.ends_with(filler) {
            bare.truncate(bare.len() - filler.len());
            break;
        }
    }
    SAME_AS_ABOVE.contains(&bare.as_str())
}

impl Engine {
    /// What a helper might take a message for that the engine read as no
    /// intent. `anchor` is the latest order another buyer made in chat in
    /// the last two minutes, if any. Call only for a message that read as
    /// nothing.
    pub fn suggest(
        &self,
        text: &str,
        current: Option<usize>,
        anchor: Option<Anchor>,
    ) -> Option<Suggestion> {
        let mut norm = normalize::Normalized::default();
        normalize::normalize_into(text, &mut norm);
        if norm.text.trim().is_empty() {
            return None;
        }
        if let Some(anchor) = anchor.filter(|_| says_same_as_above(&norm.text)) {
            return Some(Suggestion {
                product: anchor.product,
                qty: anchor.qty,
                note: Note::SameAsAbove,
                evidence: std::iter::once(0..text.len()).collect(),
            });
        }
        if let Some(suggestion) = self.other_unit(&norm, current, anchor) {
            return Some(suggestion);
        }
        // Nothing on air: read as if the product chat was ordering were.
        let product = anchor.filter(|_| current.is_none())?.product;
        let read = self.parse(text, Some(product));
        match read.as_slice() {
            [one] if one.kind == IntentKind::Order && one.product == Some(product) => {
                Some(Suggestion {
                    product,
                    qty: one.qty.unwrap_or(1),
                    note: Note::NothingOnAir,
                    evidence: one.evidence.clone(),
                })
            }
            _ => None,
        }
    }

    /// "小米来两斤" for millet sold by the bag: read with the product's own
    /// unit in the weight's place, and suggested when that reads as one
    /// order of it.
    fn other_unit(
        &self,
        norm: &normalize::Normalized,
        current: Option<usize>,
        anchor: Option<Anchor>,
    ) -> Option<Suggestion> {
        let mut nums = Vec::new();
        numbers::scan(&norm.text, &mut nums);
        let (number, unit) = nums.iter().find_map(|n| {
            let at = n.end + usize::from(norm.text[n.end..].starts_with(' '));
            let len = weights().longest(&norm.text, at)?;
            // A weight the catalog sells by is a unit the engine reads.
            let word = &norm.text[at..at + len];
            (self.matcher.units.longest(word, 0) != Some(len))
                .then_some((n.start..n.end, at..at + len))
        })?;
        let mut mentions = Vec::new();
        self.matcher
            .find(&norm.text, norm.link_chars, &mut mentions);
        let product = match mentions.first() {
            Some(first) if mentions.iter().all(|m| m.product == first.product) => first.product,
            Some(_) => return None,
            None => current.or(anchor.map(|a| a.product))?,
        };
        let own_unit = self.matcher.product_units.get(product)?;
        let mut rewritten = String::with_capacity(norm.text.len() + own_unit.len());
        rewritten.push_str(&norm.text[..unit.start]);
        rewritten.push_str(own_unit);
        rewritten.push_str(&norm.text[unit.end..]);
        let read = self.parse(&rewritten, Some(product));
        match read.as_slice() {
            [one] if one.kind == IntentKind::Order && one.product == Some(product) => {
                let written: Range<usize> = number.start..unit.end;
                Some(Suggestion {
                    product,
                    qty: one.qty.unwrap_or(1),
                    note: Note::OtherUnit,
                    evidence: std::iter::once(norm.to_original(written)).collect(),
                })
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Catalog, Product};

    fn product(sku: &str, name: &str, link: u32, unit: &str) -> Product {
        Product {
            sku: sku.into(),
            name: name.into(),
            aliases: vec![],
            link,
            unit: unit.into(),
            price_fen: 1000,
            stock: 10,
            limit_per_buyer: None,
        }
    }

    fn engine() -> Engine {
        Engine::new(&Catalog::new(vec![
            product("MILLET", "小米", 1, "袋"),
            product("APRICOT", "杏干", 2, "盒"),
        ]))
    }

    const APRICOT_2: Anchor = Anchor { product: 1, qty: 2 };

    #[test]
    fn same_as_above_copies_the_anchor_and_needs_one() {
        let engine = engine();
        for text in [
            "同上",
            "同上！",
            "跟楼上一样 谢谢",
            "Same",
            "me too!!",
            "ditto 🙏",
        ] {
            assert!(engine.parse(text, None).is_empty(), "{text} is no intent");
            let s = engine.suggest(text, None, Some(APRICOT_2)).expect(text);
            assert_eq!(
                (s.product, s.qty, s.note),
                (1, 2, Note::SameAsAbove),
                "{text}"
            );
            assert_eq!(
                engine.suggest(text, None, None),
                None,
                "{text} without an anchor"
            );
        }
        // Words around it make it something else.
        for text in ["同上次一样好吃", "same old stream", "我也是这么想的"] {
            assert_eq!(engine.suggest(text, None, Some(APRICOT_2)), None, "{text}");
        }
    }

    #[test]
    fn an_order_naming_nothing_with_nothing_on_air_leans_on_chat() {
        let engine = engine();
        let s = engine.suggest("来两盒", None, Some(APRICOT_2)).unwrap();
        assert_eq!((s.product, s.qty, s.note), (1, 2, Note::NothingOnAir));
        // Not when something is on air (the engine read it, or chose not
        // to), nor without a recent order, nor for chat that orders nothing.
        assert_eq!(engine.suggest("来两盒", Some(0), Some(APRICOT_2)), None);
        assert_eq!(engine.suggest("来两盒", None, None), None);
        assert_eq!(engine.suggest("这首歌好听", None, Some(APRICOT_2)), None);
        assert_eq!(engine.suggest("杏干多少钱", None, Some(APRICOT_2)), None);
    }

    #[test]
    fn a_weight_the_product_is_not_sold_by_is_suggested_as_written() {
        let engine = engine();
        let text = "小米来两斤";
        assert!(engine.parse(text, None).is_empty());
        let s = engine.suggest(text, None, None).unwrap();
        assert_eq!((s.product, s.qty, s.note), (0, 2, Note::OtherUnit));
        assert_eq!(&text[s.evidence[0].clone()], "两斤");
        // The product on air, when the message names none.
        let s = engine.suggest("要3公斤", Some(1), None).unwrap();
        assert_eq!((s.product, s.qty), (1, 3));
        // A question or a past purchase stays what it is.
        assert_eq!(engine.suggest("小米两斤多少钱", None, None), None);
        assert_eq!(engine.suggest("上次买了两斤小米", None, None), None);
        // A catalog that sells by the 斤 reads it: nothing to suggest.
        let by_weight = Engine::new(&Catalog::new(vec![
            product("MILLET", "小米", 1, "袋"),
            product("PEAR", "梨", 2, "斤"),
        ]));
        assert!(!by_weight.parse("梨来两斤", None).is_empty());
        assert_eq!(by_weight.suggest("梨来两斤", None, None), None);
        // Nothing named, nothing on air: no product to suggest.
        assert_eq!(engine.suggest("来两斤", None, None), None);
    }

    #[test]
    fn notes_keep_their_names() {
        for note in Note::ALL {
            assert_eq!(Note::from_name(note.as_str()), Some(note));
        }
        assert!(Note::SameAsAbove.is_suggestion());
        assert!(!Note::OldOrder.is_suggestion());
    }
}
