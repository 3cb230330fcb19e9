//! The last stage: the order intents, with their confidence and evidence.
//! Owns how sure an order is (a quantity, a buy verb, a unit the product is
//! not sold by), that a product named twice is one order, and when a
//! message with no product named is a bare order for the product on air
//! (it says nothing but an order form: a count, a verb, 扣).

use super::super::lexicon::{Marker, WEAK_ALONE_VERBS};
use super::super::{Evidence, Intent, IntentKind};
use super::binding::Bound;
use super::context::Ctx;
use super::mood::Mood;
use super::products::NamedProduct;
use super::quantities::{flag_large, Qty, Quantities};
use super::verbs::Verbs;

/// An order whose only count was in another measure ("大米来20斤" for rice
/// sold by the bag): the helper must count it.
const FOREIGN_UNIT_CONFIDENCE: f32 = 0.5;

/// The orders of the products named, into `out`; `units` are the products'
/// selling units, by catalog index, and `explicit` a reused list.
#[inline]
pub(super) fn named(
    ctx: &Ctx<'_>,
    bound: &Bound<'_>,
    qtys: &[Qty],
    verbs: &Verbs<'_>,
    units: &[Box<str>],
    explicit: &mut Vec<bool>,
    out: &mut Vec<Intent>,
) {
    let text = ctx.text;
    let has_verb = verbs.any();
    let (each, please) = (bound.each, verbs.please);
    let before = out.len();
    explicit.clear();
    for &NamedProduct {
        start,
        end,
        product,
        qty: qi,
    } in bound.products.iter()
    {
        let mut qty = qi.and_then(|i| qtys.get(i));
        // Units are not converted: "两百斤大米" for rice sold by the bag
        // is a weight, no count of bags. With a buy verb the order
        // stands, for the helper to count.
        let foreign = qty.is_some_and(|q| {
            q.unit.is_some_and(|(a, b)| {
                let unit = &text[a..b];
                unit != &*units[product]
                    && ctx.lexicon.spec_units.longest(unit, 0) == Some(unit.len())
            })
        });
        if foreign {
            qty = None;
        }
        if qty.is_none() && !has_verb && !each && !please {
            continue;
        }
        // The same product named twice ("苹果苹果来两箱") is one order;
        // the mention that carries a quantity wins.
        if let Some(k) = out[before..]
            .iter()
            .position(|x| x.product == Some(product))
        {
            if let (Some(q), false) = (qty, explicit[k]) {
                let prior = &mut out[before + k];
                prior.qty = Some(q.value);
                prior.evidence.push(q.start..q.end);
                prior.confidence = flag_large(prior.confidence, q.value);
                explicit[k] = true;
            }
            continue;
        }
        explicit.push(qty.is_some());
        let value = qty.map_or(1, |q| q.value);
        let mut evidence: Evidence = smallvec::smallvec![start..end];
        if let Some(q) = qty {
            evidence.push(q.start..q.end);
        }
        if let Some(v) = verbs.list.first() {
            evidence.push(v.start..v.end);
        }
        let mut confidence: f32 = match (qty.is_some(), has_verb) {
            (true, true) => 0.95,
            (true, false) => 0.88,
            _ => 0.85,
        };
        confidence = flag_large(confidence, value);
        if foreign {
            confidence = confidence.min(FOREIGN_UNIT_CONFIDENCE);
        }
        out.push(Intent {
            kind: IntentKind::Order,
            product: Some(product),
            qty: Some(value),
            confidence,
            evidence,
        });
    }
}

/// The bare order for the product on air (`on_air`) of a message that
/// named no product, into `out`, when the message says nothing but an
/// order form.
#[inline]
pub(super) fn bare(
    ctx: &Ctx<'_>,
    mood: &Mood<'_>,
    on_air: usize,
    verbs: &Verbs<'_>,
    quantities: &Quantities<'_>,
    out: &mut Vec<Intent>,
) {
    let text = ctx.text;
    let has_verb = verbs.any();
    let verbs = verbs.list;
    let qtys: &[Qty] = quantities.list;
    let (bare_candidate, kou_qty) = (quantities.bare_candidate, quantities.kou);
    let mut covered = quantities.covered;
    for v in verbs {
        covered += v.end - v.start;
    }
    for m in mood.live_markers(ctx) {
        if matches!(
            m.marker,
            Marker::Kou | Marker::Filler | Marker::This | Marker::Each | Marker::PoliteTag
        ) {
            covered += m.end - m.start;
        }
    }
    let meaningful: usize = text
        .chars()
        .filter(|&c| c != ' ' && (c.is_alphanumeric() || matches!(c, '+' | '*' | '#' | '×')))
        .map(char::len_utf8)
        .sum();
    let bare = covered >= meaningful && meaningful > 0;
    let qty = qtys
        .iter()
        .find(|q| q.after_verb)
        .or(qtys.first())
        .copied()
        .or(if bare { bare_candidate } else { None });
    if !(has_verb || (bare && qty.is_some()) || (kou_qty && qty.is_some())) {
        return;
    }
    let value = qty.map_or(1, |q| q.value);
    let mut evidence = Evidence::new();
    if let Some(q) = qty {
        evidence.push(q.start..q.end);
    }
    if let Some(v) = verbs.first() {
        evidence.push(v.start..v.end);
    }
    // "来！", "来吧": a bare 来 is as often "come on" as an order.
    let weak = qty.is_none()
        && verbs
            .iter()
            .all(|v| WEAK_ALONE_VERBS.contains(&&text[v.start..v.end]));
    let mut confidence: f32 = if has_verb && !weak { 0.8 } else { 0.7 };
    confidence = flag_large(confidence, value);
    out.push(Intent {
        kind: IntentKind::Order,
        product: Some(on_air),
        qty: Some(value),
        confidence,
        evidence,
    });
}

#[cfg(test)]
mod tests {
    use super::super::binding;
    use super::super::products::{self, Subject};
    use super::super::testing::Message;
    use super::*;

    /// 斤 is a selling unit here (of 花生), so "20斤" counts.
    const PRODUCTS: &[(&str, &str)] = &[("小米", "袋"), ("核桃", "袋"), ("花生", "斤")];
    const ON_AIR: usize = 1;

    /// An order read, as (product, qty, confidence, evidence texts).
    type Read = (Option<usize>, Option<u32>, f32, Vec<String>);

    /// The orders of `text`, the earlier stages run as `read` runs them.
    fn orders(text: &str) -> Vec<Read> {
        let (mut products, mut explicit, mut out) = (Vec::new(), Vec::new(), Vec::new());
        let units: Vec<Box<str>> = PRODUCTS.iter().map(|&(_, u)| u.into()).collect();
        let mut message = Message::new(PRODUCTS, text);
        let evidence = message.through_quantities(|ctx, mood, senses, verbs, mut q| {
            match products::name(ctx, mood, senses, false, verbs, Some(ON_AIR), &mut products) {
                Subject::Named(list) => {
                    let bound = binding::bind(ctx, mood, verbs, &units, &mut q, list);
                    named(ctx, &bound, q.list, verbs, &units, &mut explicit, &mut out);
                }
                Subject::OnAir(p) => bare(ctx, mood, p, verbs, &q, &mut out),
                Subject::Nothing => {}
            }
            out.iter()
                .map(|i| {
                    let mut spans: Vec<_> = i.evidence.iter().cloned().collect();
                    spans.sort_by_key(|r| r.start);
                    spans.into_iter().map(|r| ctx.text[r].to_string()).collect()
                })
                .collect::<Vec<Vec<String>>>()
        });
        out.iter()
            .zip(evidence)
            .map(|(i, e)| (i.product, i.qty, i.confidence, e))
            .collect()
    }

    fn words(w: &[&str]) -> Vec<String> {
        w.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn an_order_with_a_quantity_and_a_verb_is_surest() {
        assert_eq!(
            orders("小米来两袋"),
            [(Some(0), Some(2), 0.95, words(&["小米", "来", "两袋"]))]
        );
        assert_eq!(
            orders("小米两袋"),
            [(Some(0), Some(2), 0.88, words(&["小米", "两袋"]))]
        );
    }

    #[test]
    fn a_product_named_twice_is_one_order_with_the_quantity_it_was_given() {
        let read = orders("小米小米来两袋");
        assert_eq!(read.len(), 1, "{read:?}");
        assert_eq!((read[0].0, read[0].1), (Some(0), Some(2)));
    }

    #[test]
    fn a_count_in_a_foreign_measure_leaves_the_count_to_the_helper() {
        // Rice sold by the bag, ordered by the jin.
        assert_eq!(
            orders("小米来20斤"),
            [(
                Some(0),
                Some(1),
                FOREIGN_UNIT_CONFIDENCE,
                words(&["小米", "来"])
            )]
        );
    }

    #[test]
    fn a_bare_order_is_for_the_product_on_air_when_nothing_else_is_said() {
        assert_eq!(
            orders("来两袋"),
            [(Some(ON_AIR), Some(2), 0.8, words(&["来", "两袋"]))]
        );
        assert_eq!(orders("3"), [(Some(ON_AIR), Some(3), 0.7, words(&["3"]))]);
        assert_eq!(orders("主播我家孩子3岁了 3"), []);
    }

    #[test]
    fn a_bare_lai_alone_is_below_the_auto_confirm_line() {
        assert_eq!(
            orders("来!"),
            [(Some(ON_AIR), Some(1), 0.7, words(&["来"]))]
        );
        assert_eq!(
            orders("我要"),
            [(Some(ON_AIR), Some(1), 0.8, words(&["我要"]))]
        );
    }
}
