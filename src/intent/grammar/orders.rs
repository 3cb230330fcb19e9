//! The last stage: the order intents, with their confidence and evidence.
//! Owns how sure an order is (a quantity, a buy verb, a unit the product is
//! not sold by), that a product named twice is one order, and when a
//! message with no product named is a bare order for the product on air
//! (it says nothing but an order form: a count, a verb, 扣).

use super::super::lexicon::Marker;
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
    let mut confidence: f32 = if has_verb { 0.8 } else { 0.7 };
    confidence = flag_large(confidence, value);
    out.push(Intent {
        kind: IntentKind::Order,
        product: Some(on_air),
        qty: Some(value),
        confidence,
        evidence,
    });
}
