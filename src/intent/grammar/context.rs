//! The look-ups every stage makes over one message: what product word,
//! marker or number starts at an offset, which clause an offset is in, what
//! unit follows a number, and whether a gap between two words is only glue.
//! `Ctx` borrows the message's tokens and clause cuts; it owns nothing and
//! decides nothing.

use super::super::lexicon::{Lexicon, Marker, MarkerHit, PrefixList};
use super::super::matcher::Mention;
use super::super::numbers::NumToken;
use std::ops::Range;

/// The widest gap between a product and its quantity ("小米也再来").
pub(super) const MAX_GLUE_BYTES: usize = 48;

/// What stands right after a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Unit {
    /// A unit the product is sold by (or a count word): the number counts
    /// units. The length runs from the number's end, spaces included.
    Selling(usize),
    /// A measure, a time, a count of something else: the number describes.
    Spec(usize),
    None,
}

pub(super) struct Ctx<'a> {
    pub(super) text: &'a str,
    pub(super) mentions: &'a [Mention],
    pub(super) markers: &'a [MarkerHit],
    pub(super) nums: &'a [NumToken],
    /// The catalog's selling units.
    pub(super) units: &'a PrefixList,
    /// The English weight words, when the catalog sells by weight.
    pub(super) english_weights: &'a PrefixList,
    pub(super) lexicon: &'a Lexicon,
    /// Byte offsets of clause-ending punctuation.
    pub(super) cuts: &'a [usize],
}

impl Ctx<'_> {
    pub(super) fn clause(&self, pos: usize) -> usize {
        self.cuts.partition_point(|&c| c < pos)
    }

    /// Where clause `clause` begins, on a char boundary (a cut made by a
    /// question ending, "辣不辣", falls inside its last character).
    pub(super) fn clause_start(&self, clause: usize) -> usize {
        let Some(&cut) = clause.checked_sub(1).and_then(|i| self.cuts.get(i)) else {
            return 0;
        };
        ceil_char_boundary(self.text, cut)
    }

    pub(super) fn skip_spaces(&self, mut pos: usize) -> usize {
        let b = self.text.as_bytes();
        while pos < b.len() && b[pos] == b' ' {
            pos += 1;
        }
        pos
    }

    /// `skip_spaces`, then past English articles and possessives ("not the
    /// candy", "no more of my honey").
    /// `pos` past spaces, articles, possessives and demonstratives ("the",
    /// "my", "of", "that", "your"): where an English word's object starts.
    pub(super) fn skip_articles(&self, pos: usize) -> usize {
        let mut p = self.skip_spaces(pos);
        loop {
            if let Some(m) = self.marker_at(p).filter(|m| {
                m.marker == Marker::Filler
                    && matches!(&self.text[m.start..m.end], "the" | "my" | "of")
            }) {
                p = self.skip_spaces(m.end);
                continue;
            }
            let word = self.text[p..]
                .split(|c: char| !c.is_ascii_alphabetic())
                .next()
                .unwrap_or("");
            if !matches!(word, "that" | "this" | "these" | "those" | "your" | "our") {
                return p;
            }
            // One ending its words is the thing itself ("cancel that").
            let after = p + word.len();
            if !self.text[after..].starts_with(' ') {
                return after;
            }
            p = self.skip_spaces(after);
        }
    }

    pub(super) fn skip_spaces_back(&self, mut pos: usize) -> usize {
        let b = self.text.as_bytes();
        while pos > 0 && b[pos - 1] == b' ' {
            pos -= 1;
        }
        pos
    }

    pub(super) fn marker_at(&self, pos: usize) -> Option<&MarkerHit> {
        let i = self.markers.partition_point(|m| m.start < pos);
        self.markers.get(i).filter(|m| m.start == pos)
    }

    pub(super) fn marker_ending_at(&self, pos: usize) -> Option<&MarkerHit> {
        let i = self.markers.partition_point(|m| m.end < pos);
        self.markers.get(i).filter(|m| m.end == pos)
    }

    pub(super) fn marker_covering(&self, pos: usize) -> Option<&MarkerHit> {
        let i = self.markers.partition_point(|m| m.end <= pos);
        self.markers.get(i).filter(|m| m.start <= pos)
    }

    pub(super) fn mention_at(&self, pos: usize) -> Option<usize> {
        let i = self.mentions.partition_point(|m| m.start < pos);
        self.mentions.get(i).filter(|m| m.start == pos).map(|_| i)
    }

    pub(super) fn num_at(&self, pos: usize) -> bool {
        self.num_index_at(pos).is_some()
    }

    pub(super) fn num_index_at(&self, pos: usize) -> Option<usize> {
        let i = self.nums.partition_point(|n| n.start < pos);
        self.nums.get(i).filter(|n| n.start == pos).map(|_| i)
    }

    /// The unit right after a number: the catalog's units and selling
    /// classifiers count units; measures and times make it a spec.
    pub(super) fn unit_at(&self, pos: usize) -> Unit {
        let p = self.skip_spaces(pos);
        let catalog_unit = self.units.longest(self.text, p);
        let selling =
            catalog_unit.or_else(|| self.lexicon.selling_classifiers.longest(self.text, p));
        let spec = self.lexicon.spec_units.longest(self.text, p);
        if let (Some(len), Some(spec)) = (selling, spec) {
            // "4个人", "3个月": the classifier counts something else.
            if spec > len {
                return Unit::Spec(p + spec - pos);
            }
        }
        if let Some(len) = selling {
            // "5斤装", "30枚的": a spec of the product, not a count of it.
            let rest = &self.text[p + len..];
            if rest.starts_with('装') {
                return Unit::Spec(p + len + '装'.len_utf8() - pos);
            }
            return Unit::Selling(p + len - pos);
        }
        if let Some(len) = spec {
            return Unit::Spec(p + len - pos);
        }
        let b = self.text.as_bytes();
        if p == pos
            && matches!(b.get(p), Some(b'x'))
            && !b.get(p + 1).is_some_and(u8::is_ascii_alphanumeric)
        {
            // "3x pecans": the count written before its x.
            return Unit::Selling(1);
        }
        if self.text[p..].starts_with('×') {
            // (Lengths are counted from `pos`, spaces included.)
            return Unit::Selling(p + '×'.len_utf8() - pos);
        }
        if p > pos || b.get(p).is_some_and(u8::is_ascii_alphabetic) {
            let english = self
                .lexicon
                .english_units
                .longest(self.text, p)
                .max(self.english_weights.longest(self.text, p));
            if let Some(len) = english {
                // "one more box of", "2 bags of": a short run of unit words.
                let mut end = p + len;
                for _ in 0..3 {
                    let q = self.skip_spaces(end);
                    match self.lexicon.english_units.longest(self.text, q) {
                        Some(len) if q > end => end = q + len,
                        _ => break,
                    }
                }
                return Unit::Selling(end - pos);
            }
        }
        Unit::None
    }

    /// Whether `pos` starts "的" + a product, perhaps after more counts with
    /// units ("12个一盒的猕猴桃"): the end of that 的 when it does.
    pub(super) fn describes_product(&self, mut pos: usize) -> Option<usize> {
        for _ in 0..3 {
            if self.text[pos..].starts_with('的') {
                // "一盒的鸡蛋", "10斤一袋的给我来三袋": 的 and more words after.
                let end = pos + '的'.len_utf8();
                let more = self.mention_at(end).is_some()
                    || self.text[end..].chars().next().is_some_and(is_cjk);
                return more.then_some(end);
            }
            let i = self.num_index_at(pos)?;
            let end = self.nums[i].end;
            pos = match self.unit_at(end) {
                Unit::Selling(len) | Unit::Spec(len) => self.skip_spaces(end + len),
                Unit::None => return None,
            };
        }
        None
    }

    /// True when `text[a..b]` holds only spaces, punctuation, markers and
    /// the given extra spans: nothing a reader would take as other content.
    pub(super) fn is_glue(
        &self,
        a: usize,
        b: usize,
        extra: &[Range<usize>],
        markers_ok: bool,
    ) -> bool {
        // Words that belong together sit close; a far gap is never glue, and
        // the bound keeps long messages linear.
        if b.saturating_sub(a) > MAX_GLUE_BYTES {
            return false;
        }
        let mut pos = a;
        while pos < b {
            let Some(c) = self.text[pos..].chars().next() else {
                break;
            };
            // Spaces, punctuation and decoration ("红枣///两袋", "【红枣】来两袋").
            if !c.is_alphanumeric() || matches!(c, 'x' | '×') {
                pos += c.len_utf8();
                continue;
            }
            if let Some(r) = extra.iter().find(|r| r.start <= pos && pos < r.end) {
                pos = r.end;
                continue;
            }
            match self.marker_covering(pos) {
                Some(m) if markers_ok || m.marker == Marker::Filler => pos = m.end,
                _ => return false,
            }
        }
        true
    }

    pub(super) fn has_cut_between(&self, a: usize, b: usize) -> bool {
        let i = self.cuts.partition_point(|&c| c < a);
        self.cuts.get(i).is_some_and(|&c| c < b)
    }
}

/// The first char boundary of `text` at or after `pos` (a byte offset that
/// may fall inside a character), at most `text.len()`.
pub(super) fn ceil_char_boundary(text: &str, pos: usize) -> usize {
    (pos..=text.len())
        .find(|&p| text.is_char_boundary(p))
        .unwrap_or(text.len())
}

pub(super) fn is_cjk(c: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&c)
}

#[cfg(test)]
mod tests {
    use super::super::testing::Message;
    use super::*;

    const PRODUCTS: &[(&str, &str)] = &[("小米", "袋"), ("鸡蛋", "盒")];

    /// The unit after the first number of `text`, as its text (from the
    /// number's end) and whether it counts units.
    fn unit_after_number(text: &str) -> Option<(String, bool)> {
        Message::new(PRODUCTS, text).read(|ctx, _| {
            let end = ctx.nums[0].end;
            match ctx.unit_at(end) {
                Unit::Selling(len) => Some((ctx.text[end..end + len].to_string(), true)),
                Unit::Spec(len) => Some((ctx.text[end..end + len].to_string(), false)),
                Unit::None => None,
            }
        })
    }

    #[test]
    fn a_unit_counts_units_or_describes() {
        assert_eq!(unit_after_number("小米两袋"), Some(("袋".into(), true)));
        // A classifier that counts something else, a pack size, a measure.
        assert_eq!(
            unit_after_number("4个人吃小米"),
            Some(("个人".into(), false))
        );
        assert_eq!(unit_after_number("小米5袋装"), Some(("袋装".into(), false)));
        assert_eq!(unit_after_number("小米5斤"), Some(("斤".into(), false)));
        assert_eq!(unit_after_number("3x 小米"), Some(("x".into(), true)));
        assert_eq!(
            unit_after_number("2 bags of 小米"),
            Some((" bags of".into(), true))
        );
        assert_eq!(unit_after_number("小米2"), None);
    }

    #[test]
    fn counts_before_de_and_a_product_describe_it() {
        Message::new(PRODUCTS, "30枚一盒的鸡蛋来三盒").read(|ctx, _| {
            let after_first = ctx.skip_spaces(ctx.nums[0].end + "枚".len());
            assert_eq!(ctx.describes_product(after_first), Some("30枚一盒的".len()));
            assert_eq!(ctx.describes_product(ctx.nums[2].start), None);
        });
    }

    #[test]
    fn glue_is_only_spaces_punctuation_and_markers() {
        Message::new(PRODUCTS, "小米【来】两袋 小米真香两袋").read(|ctx, _| {
            let after_first = ctx.mentions[0].end;
            let first_count = ctx.nums[0].start;
            assert!(ctx.is_glue(after_first, first_count, &[], true));
            assert!(!ctx.is_glue(after_first, first_count, &[], false));
            let after_second = ctx.mentions[1].end;
            assert!(!ctx.is_glue(after_second, ctx.nums[1].start, &[], true));
        });
    }
}
