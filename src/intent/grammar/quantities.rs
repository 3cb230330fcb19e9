//! The seventh stage: which numbers are quantities. Owns the rules that
//! tell a count ("来两袋", "x2", "honey (2)") from a spec ("5斤装", "4个人"),
//! a price ("39.9", "20块钱一斤"), a phone number, a weight of one unit
//! ("一只三斤左右") or a number standing bare, and which counts a 扣 makes
//! an order anywhere in the message. Also owns how large quantities are
//! flagged.

use super::super::lexicon::{Marker, MarkerHit, ORDINAL_PREFIXES};
use super::super::numbers::{
    NumForm, HARD_MAX_QTY, MAX_BARE_QTY, MAX_QTY, OVER_MAX_CONFIDENCE, SUSPICIOUS_QTY,
};
use super::clauses::is_clause_punct;
use super::context::{Ctx, Unit};
use super::mood::Mood;
use super::verbs::is_please;
use std::ops::Range;

/// A number read as a quantity.
#[derive(Debug, Clone, Copy)]
pub(super) struct Qty {
    /// Span of the number and its unit ("两袋", "x2").
    pub start: usize,
    pub end: usize,
    /// Span of the unit word alone, when there is one ("袋" of "两袋").
    pub unit: Option<(usize, usize)>,
    /// Right after a buy verb ("来两袋"): the count the sender orders, over
    /// a "+1" agreeing with someone ("楼上+1，我也来两袋").
    pub after_verb: bool,
    pub value: u32,
    /// Already given to a product.
    pub bound: bool,
}

/// The quantities of one message.
pub(super) struct Quantities<'a> {
    /// The numbers read as quantities, in order; binding marks them bound.
    pub(super) list: &'a mut [Qty],
    /// Spans of numbers read as specs, prices or phone numbers, with their
    /// units: glue between a product and its quantity.
    pub(super) spec: &'a [Range<usize>],
    /// The first number that stands bare: the quantity of a bare order when
    /// the message holds nothing else.
    pub(super) bare_candidate: Option<Qty>,
    /// "扣2" standing apart is an order, whatever else the message says.
    pub(super) kou: bool,
    /// Bytes the quantities and bare numbers cover, to tell a message that
    /// is only an order form from one that says more.
    pub(super) covered: usize,
}

/// Reads the numbers of live clauses that no earlier stage used
/// (`used_nums`) into quantities, given the sender's buy verbs.
#[inline]
pub(super) fn read<'a>(
    ctx: &Ctx<'_>,
    mood: &Mood<'_>,
    used_nums: &[usize],
    verbs: &[MarkerHit],
    qtys: &'a mut Vec<Qty>,
    spec_spans: &'a mut Vec<Range<usize>>,
) -> Quantities<'a> {
    let text = ctx.text;
    let live = |pos: usize| mood.live(ctx, pos);
    spec_spans.clear();
    qtys.clear();
    let mut bare_candidate: Option<Qty> = None;
    // "扣2" standing apart is an order, whatever else the message says.
    let mut kou_qty = false;
    let mut covered = 0usize;
    for (ni, n) in ctx.nums.iter().enumerate() {
        if used_nums.contains(&ni) || !live(n.start) {
            continue;
        }
        let unit = ctx.unit_at(n.end);
        if let Unit::Spec(len) = unit {
            spec_spans.push(n.start..n.end + len);
            continue;
        }
        if n.form == NumForm::Arabic && n.digits >= 7 && !n.ones_run {
            // A phone or order number (a run of ones is still "1").
            spec_spans.push(n.start..n.end);
            continue;
        }
        let b = text.as_bytes();
        let decimal = n.form == NumForm::Arabic
            && ((b.get(n.end) == Some(&b'.') && b.get(n.end + 1).is_some_and(u8::is_ascii_digit))
                || (n.start >= 2 && b[n.start - 1] == b'.' && b[n.start - 2].is_ascii_digit()));
        let negative = n.form == NumForm::Arabic
            && n.start >= 1
            && b[n.start - 1] == b'-'
            && !(n.start >= 2 && b[n.start - 2].is_ascii_alphanumeric());
        if decimal || negative {
            // Prices (39.9) and "-1" (one less) are not quantities.
            spec_spans.push(n.start..n.end);
            continue;
        }
        if ORDINAL_PREFIXES
            .iter()
            .any(|w| text[..n.start].ends_with(w))
        {
            // "第二件半价", "周5": an ordinal or a day, not a count.
            spec_spans.push(n.start..n.end);
            continue;
        }
        let before = ctx.skip_spaces_back(n.start);
        let prev = text[..before].chars().next_back();
        let prev2 = text[..before - prev.map_or(0, char::len_utf8)]
            .chars()
            .next_back();
        let x_prefix = matches!(prev, Some('×' | '*'))
            || (prev == Some('x') && !prev2.is_some_and(|c| c.is_ascii_alphabetic()));
        let plus_prefix = prev == Some('+');
        let prefix_len = if x_prefix || plus_prefix {
            prev.map_or(0, char::len_utf8)
        } else {
            0
        };
        let after_decimal = {
            // "39.9一袋": digits, a point, digits, right before.
            let head = text[..before].trim_end_matches(|c: char| c.is_ascii_digit());
            head.len() < before
                && head.ends_with('.')
                && head[..head.len() - 1].ends_with(|c: char| c.is_ascii_digit())
        };
        if (matches!(prev, Some('块' | '元' | '钱')) || after_decimal)
            && matches!(unit, Unit::Selling(_))
        {
            // "20块钱一斤", "5元一袋", "39.9一袋": a price per unit, not a count.
            spec_spans.push(n.start..n.end);
            continue;
        }
        let marker_before = ctx.marker_ending_at(before).filter(|m| live(m.start));
        let kou = marker_before.is_some_and(|m| m.marker == Marker::Kou);
        let verb_before = marker_before.is_some_and(|m| {
            matches!(m.marker, Marker::Buy | Marker::Each | Marker::Change)
                || (m.marker == Marker::BuyIfObject && verbs.iter().any(|v| v.start == m.start))
        });
        // "honey (2)", "【红枣】两袋": brackets between do not part them.
        let before_brackets = text[..before]
            .trim_end_matches([' ', '(', '[', '【', '「', '《', ')', ']', '】', '」', '》']);
        let after_mention = ctx
            .mentions
            .binary_search_by_key(&before_brackets.len(), |m| m.end)
            .is_ok();
        let (has_unit, unit_end) = match unit {
            Unit::Selling(len) => (true, n.end + len),
            _ => (false, n.end),
        };
        let next = ctx.skip_spaces(unit_end);
        if has_unit && n.value == 1 {
            // "土鸡一只三斤左右", "一袋5斤": one unit and what it weighs.
            // (A measure even where the catalog sells by it: 斤. And only
            // with another count after it: "要一只三斤左右的" is one.)
            let weighs = ctx.num_index_at(next).is_some_and(|j| {
                let p = ctx.skip_spaces(ctx.nums[j].end);
                ctx.lexicon.spec_units.longest(text, p).is_some() && ctx.nums.len() > j + 1
            });
            if weighs {
                spec_spans.push(n.start..next);
                continue;
            }
        }
        if has_unit {
            if let Some(end) = ctx.describes_product(next) {
                // "30枚一盒的鸡蛋来三盒": counts before 的 describe the product.
                spec_spans.push(n.start..end);
                continue;
            }
        }
        let mention_after = ctx.mention_at(next).is_some();
        // "2 each", "两袋各": the same quantity for every product named.
        let each_after = ctx
            .marker_at(next)
            .is_some_and(|m| m.marker == Marker::Each);
        let closed = next + text[next..].len()
            - text[next..]
                .trim_start_matches([')', ']', '】', '」', '》', ' '])
                .len();
        // "2 please", "three pls": a count asked for.
        let please_after = ctx.marker_at(next).is_some_and(|m| is_please(text, m));
        let at_end = closed >= text.len()
            || text[closed..].chars().next().is_some_and(is_clause_punct)
            || ctx.has_cut_between(unit_end, next)
            || ctx
                .marker_at(next)
                .is_some_and(|m| m.marker == Marker::Filler);

        let attached = match n.form {
            NumForm::Article => has_unit || mention_after,
            NumForm::Word => {
                has_unit
                    || mention_after
                    || verb_before
                    || x_prefix
                    || plus_prefix
                    || each_after
                    || please_after
            }
            NumForm::Chinese => {
                has_unit
                    || n.self_counting
                    || each_after
                    || mention_after
                    || ((verb_before || after_mention || kou) && at_end)
            }
            NumForm::Arabic => {
                !n.slang
                    && (has_unit
                        || x_prefix
                        || plus_prefix
                        || kou
                        || verb_before
                        || mention_after
                        || each_after
                        || please_after
                        || (after_mention && at_end))
            }
        };
        let mut value = n.value;
        if n.ones_run && !has_unit {
            value = 1;
        }
        let cap = if has_unit || x_prefix {
            HARD_MAX_QTY
        } else {
            MAX_BARE_QTY
        };
        let start = if prefix_len > 0 {
            before - prefix_len
        } else {
            n.start
        };
        if attached && (1..=cap).contains(&value) {
            // Standing on its own ("大二学生党 扣2"), not talked about
            // ("大家快扣1", "主播说扣1就行").
            // "加两箱", "扣两单": with a unit it is an order form anywhere.
            kou_qty |= kou && has_unit;
            kou_qty |= kou
                && at_end
                && marker_before.is_some_and(|m| {
                    text[..m.start]
                        .chars()
                        .next_back()
                        .is_none_or(|c| c == ' ' || is_clause_punct(c))
                });
            covered += unit_end - start;
            qtys.push(Qty {
                start,
                end: unit_end,
                unit: has_unit.then(|| (ctx.skip_spaces(n.end), unit_end)),
                after_verb: verb_before,
                value: value as u32,
                bound: false,
            });
        } else if matches!(n.form, NumForm::Arabic | NumForm::Word)
            && !n.slang
            && (1..=MAX_BARE_QTY).contains(&value)
        {
            covered += n.end - n.start;
            bare_candidate.get_or_insert(Qty {
                start: n.start,
                end: n.end,
                unit: None,
                after_verb: false,
                value: value as u32,
                bound: false,
            });
        }
    }
    Quantities {
        list: qtys,
        spec: spec_spans,
        bare_candidate,
        kou: kou_qty,
        covered,
    }
}

/// Large quantities reach the helper flagged: above [`SUSPICIOUS_QTY`] at
/// half confidence, above [`MAX_QTY`] at [`OVER_MAX_CONFIDENCE`].
pub(super) fn flag_large(confidence: f32, value: u32) -> f32 {
    let value = u64::from(value);
    if value > MAX_QTY {
        OVER_MAX_CONFIDENCE
    } else if value > SUSPICIOUS_QTY {
        confidence * 0.5
    } else {
        confidence
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::Message;

    use super::*;

    const PRODUCTS: &[(&str, &str)] = &[("小米", "袋"), ("土鸡", "只")];

    /// What the quantities stage reads in `text`: each quantity's text and
    /// value, the specs' texts, and the bare candidate's value.
    struct Read {
        qtys: Vec<(String, u32)>,
        specs: Vec<String>,
        bare: Option<u32>,
        kou: bool,
    }

    fn quantities_of(text: &str) -> Read {
        Message::new(PRODUCTS, text).through_quantities(|ctx, _, _, _, q| {
            let span = |a: usize, b: usize| ctx.text[a..b].to_string();
            Read {
                qtys: q
                    .list
                    .iter()
                    .map(|q| (span(q.start, q.end), q.value))
                    .collect(),
                specs: q.spec.iter().map(|r| span(r.start, r.end)).collect(),
                bare: q.bare_candidate.map(|q| q.value),
                kou: q.kou,
            }
        })
    }

    #[test]
    fn a_number_with_a_selling_unit_is_a_quantity() {
        let read = quantities_of("小米来两袋");
        assert_eq!(read.qtys, [("两袋".into(), 2)]);
        assert!(read.specs.is_empty());
        assert_eq!(quantities_of("小米x3").qtys, [("x3".into(), 3)]);
    }

    #[test]
    fn specs_prices_and_phone_numbers_are_no_quantities() {
        assert_eq!(quantities_of("小米5斤来两袋").specs, ["5斤"]);
        assert_eq!(quantities_of("小米5袋装来两袋").specs, ["5袋装"]);
        assert_eq!(quantities_of("小米39.9一袋").qtys, []);
        // "20块钱一袋": a price per unit, not a count of one.
        let read = quantities_of("小米20块钱一袋");
        assert_eq!(
            (read.qtys, read.specs),
            (vec![], vec!["20块".into(), "一".into()])
        );
        assert_eq!(quantities_of("小米 13812345678").specs, ["13812345678"]);
    }

    #[test]
    fn one_unit_and_what_it_weighs_is_a_spec() {
        let read = quantities_of("土鸡一只三斤左右来两只");
        assert_eq!(read.qtys, [("两只".into(), 2)]);
        assert_eq!(read.specs.len(), 2, "{:?}", read.specs);
    }

    #[test]
    fn a_number_standing_bare_is_only_a_candidate() {
        let read = quantities_of("3");
        assert_eq!((read.qtys.len(), read.bare), (0, Some(3)));
    }

    #[test]
    fn kou_with_a_count_standing_apart_is_an_order_form() {
        assert!(quantities_of("扣2").kou);
        assert!(!quantities_of("大家快扣2").kou);
    }

    #[test]
    fn large_quantities_are_flagged() {
        assert_eq!(flag_large(0.9, 2), 0.9);
        assert_eq!(flag_large(0.9, SUSPICIOUS_QTY as u32 + 1), 0.45);
        assert_eq!(flag_large(0.9, MAX_QTY as u32 + 1), OVER_MAX_CONFIDENCE);
    }
}
