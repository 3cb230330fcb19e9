//! The ninth stage: which quantity belongs to which product. Owns the rules
//! that one quantity with 各 / each goes to every product, that a quantity
//! belongs to the product just before it unless a clause break lies between
//! and it sits right before another, that a product left without one takes
//! it from a later ordering clause that names none, and that a product
//! counted in pieces and in its own selling unit takes the latter.

use super::super::lexicon::{Marker, MarkerHit};
use super::context::Ctx;
use super::mood::Mood;
use super::products::NamedProduct;
use super::quantities::{Qty, Quantities};
use super::verbs::{is_please, Verbs};
use std::ops::Range;

/// The products of an order with their quantities bound.
pub(super) struct Bound<'a> {
    pub(super) products: &'a [NamedProduct],
    /// One quantity for every product ("两袋各", "2 each").
    pub(super) each: bool,
}

/// Binds the quantities to the `products` named; `units` are the
/// products' selling units, by catalog index.
#[inline]
pub(super) fn bind<'a>(
    ctx: &Ctx<'_>,
    mood: &Mood<'_>,
    verbs: &Verbs<'_>,
    units: &[Box<str>],
    quantities: &mut Quantities<'_>,
    products: &'a mut [NamedProduct],
) -> Bound<'a> {
    let qtys = &mut *quantities.list;
    let each = mood.live_markers(ctx).any(|m| m.marker == Marker::Each);
    if each {
        let q = qtys.first().copied();
        for p in products.iter_mut() {
            p.qty = q.map(|_| 0);
        }
    } else {
        bind_quantities(ctx, products, qtys, quantities.spec);
        bind_across_clauses(ctx, products, qtys, verbs.list);
        prefer_own_units(ctx, units, products, qtys);
    }
    Bound { products, each }
}

/// Gives each product at most one quantity. A quantity belongs to the
/// product just before it ("小米一袋小米茶一罐"), unless a clause break lies
/// between and it sits right before another product ("小米，要3包锅巴");
/// English and "要3包锅巴" put it before the product.
#[inline]
fn bind_quantities(
    ctx: &Ctx<'_>,
    products: &mut [NamedProduct],
    qtys: &mut [Qty],
    spec: &[Range<usize>],
) {
    for (qi, slot) in qtys.iter_mut().enumerate() {
        let q = *slot;
        let prev = products
            .partition_point(|p| p.end <= q.start)
            .checked_sub(1);
        let next =
            Some(products.partition_point(|p| p.start < q.end)).filter(|&i| i < products.len());
        let backward = prev.filter(|&i| {
            products[i].qty.is_none() && ctx.is_glue(products[i].end, q.start, spec, true)
        });
        let forward = next.filter(|&i| {
            products[i].qty.is_none() && ctx.is_glue(q.end, products[i].start, spec, false)
        });
        let choice = match (backward, forward) {
            (Some(b), Some(f)) => {
                if ctx.has_cut_between(products[b].end, q.start) {
                    Some(f)
                } else {
                    Some(b)
                }
            }
            (b, f) => b.or(f),
        };
        if let Some(i) = choice {
            products[i].qty = Some(qi);
            slot.bound = true;
        }
    }
}

/// A product still without a quantity takes one from a later clause that
/// has a buy verb (or a please) and names no product of its own
/// ("苹果真好吃，来两箱", "the peanuts look good, 2 jin please").
#[inline]
fn bind_across_clauses(
    ctx: &Ctx<'_>,
    products: &mut [NamedProduct],
    qtys: &mut [Qty],
    verbs: &[MarkerHit],
) {
    // Chat names a handful of products at most; beyond that, skip this
    // look-around rather than go quadratic.
    if products.len() > 16 || qtys.len() > 16 {
        return;
    }
    for pi in 0..products.len() {
        if products[pi].qty.is_some() {
            continue;
        }
        let (p_end, p_clause) = (products[pi].end, ctx.clause(products[pi].start));
        let found = qtys.iter().position(|q| {
            let clause = ctx.clause(q.start);
            !q.bound
                && q.start >= p_end
                && clause != p_clause
                && (verbs.iter().any(|v| ctx.clause(v.start) == clause)
                    || ctx
                        .markers
                        .iter()
                        .any(|m| is_please(ctx.text, m) && ctx.clause(m.start) == clause))
                && !products.iter().any(|p| ctx.clause(p.start) == clause)
        });
        if let Some(qi) = found {
            products[pi].qty = Some(qi);
            qtys[qi].bound = true;
        }
    }
}

/// A product counted in pieces ("一人一个鸡蛋") that the message also counts
/// in its own selling unit ("给我来三盒") takes the count in its own unit.
#[inline]
fn prefer_own_units(
    ctx: &Ctx<'_>,
    units: &[Box<str>],
    products: &mut [NamedProduct],
    qtys: &mut [Qty],
) {
    // A handful of products at most in chat; beyond, skip this look-around.
    if products.len() > 16 || qtys.len() > 16 {
        return;
    }
    let unit_of = |q: &Qty| q.unit.map(|(a, b)| &ctx.text[a..b]);
    for p in products.iter_mut() {
        let Some(qi) = p.qty else { continue };
        let own = &*units[p.product];
        if own.is_empty() || unit_of(&qtys[qi]).is_none_or(|u| u == own) {
            continue;
        }
        let later = qtys
            .iter()
            .position(|q| !q.bound && q.start > qtys[qi].start && unit_of(q) == Some(own));
        if let Some(qj) = later {
            qtys[qi].bound = false;
            qtys[qj].bound = true;
            p.qty = Some(qj);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::products::{self, Subject};
    use super::super::testing::Message;

    use super::*;

    const PRODUCTS: &[(&str, &str)] = &[("小米", "袋"), ("锅巴", "包"), ("鸡蛋", "盒")];

    /// Each product named in `text` with the text of the quantity bound to
    /// it, and whether one quantity went to each.
    fn bound(text: &str) -> (Vec<(String, Option<String>)>, bool) {
        let mut named = Vec::new();
        let units: Vec<Box<str>> = PRODUCTS.iter().map(|&(_, u)| u.into()).collect();
        Message::new(PRODUCTS, text).through_quantities(|ctx, mood, senses, verbs, mut q| {
            let Subject::Named(named) =
                products::name(ctx, mood, senses, false, verbs, None, &mut named)
            else {
                panic!("no product named in {text}");
            };
            let bound = bind(ctx, mood, verbs, &units, &mut q, named);
            let span = |a: usize, b: usize| ctx.text[a..b].to_string();
            let list = bound
                .products
                .iter()
                .map(|p| {
                    let qty = p.qty.map(|i| span(q.list[i].start, q.list[i].end));
                    (span(p.start, p.end), qty)
                })
                .collect();
            (list, bound.each)
        })
    }

    fn some(product: &str, qty: &str) -> (String, Option<String>) {
        (product.into(), Some(qty.into()))
    }

    #[test]
    fn a_quantity_belongs_to_the_product_just_before_it() {
        assert_eq!(
            bound("小米一袋锅巴两包"),
            (vec![some("小米", "一袋"), some("锅巴", "两包")], false)
        );
    }

    #[test]
    fn across_a_clause_break_it_goes_to_the_product_after_it() {
        assert_eq!(
            bound("小米,要3包锅巴"),
            (vec![("小米".into(), None), some("锅巴", "3包")], false)
        );
    }

    #[test]
    fn each_gives_one_quantity_to_every_product() {
        let (list, each) = bound("小米锅巴各两份");
        assert!(each);
        assert!(list.iter().all(|(_, q)| q.is_some()), "{list:?}");
    }

    #[test]
    fn a_later_ordering_clause_lends_its_quantity() {
        assert_eq!(
            bound("小米真好吃,来两袋"),
            (vec![some("小米", "两袋")], false)
        );
    }

    #[test]
    fn a_product_takes_the_count_in_its_own_unit() {
        assert_eq!(
            bound("一人一个鸡蛋,给我来三盒"),
            (vec![some("鸡蛋", "三盒")], false)
        );
    }
}
