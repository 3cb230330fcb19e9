//! The eighth stage: what product the message orders. Owns the choice
//! between the products named in live clauses, the product a question
//! asked about for a later order clause that names none ("黑豆好吃吗？我买
//! 两袋"), 这个 for the product on air, and a bare order ("来两袋", "扣2")
//! for the product on air when the message named no product at all.

use super::super::lexicon::{Marker, MarkerHit};
use super::context::Ctx;
use super::mood::Mood;
use super::senses::{MentionState, Senses};
use super::verbs::Verbs;

/// A product the order names, and its quantity once bound.
#[derive(Debug, Clone, Copy)]
pub(super) struct NamedProduct {
    /// Span of the word that names it (a product word, 这个).
    pub(super) start: usize,
    pub(super) end: usize,
    /// Index into the catalog.
    pub(super) product: usize,
    /// Index of its quantity in the quantities' list.
    pub(super) qty: Option<usize>,
}

/// What the message's order is for.
pub(super) enum Subject<'a> {
    /// Products it names, in order.
    Named(&'a mut [NamedProduct]),
    /// No product named and nothing else said of one: the product on air.
    OnAir(usize),
    /// No order can be for anything.
    Nothing,
}

/// Names the products of an order into `named`. `amended` is whether a
/// cancel or change was read; `current` the product on air.
#[inline]
pub(super) fn name<'a>(
    ctx: &Ctx<'_>,
    mood: &Mood<'_>,
    senses: &Senses<'_>,
    amended: bool,
    verbs: &Verbs<'_>,
    current: Option<usize>,
    named: &'a mut Vec<NamedProduct>,
) -> Subject<'a> {
    let state: &[MentionState] = senses.state;
    // Products named (or "这个" for the one on air).
    named.clear();
    for (i, m) in ctx.mentions.iter().enumerate() {
        if state[i] == MentionState::Live {
            named.push(NamedProduct {
                start: m.start,
                end: m.end,
                product: m.product,
                qty: None,
            });
        }
    }
    let quiet = !amended && !senses.other_sense && !senses.refused_any;
    if named.is_empty() && quiet && verbs.any() {
        // "黑豆好吃吗？我买两袋": the product asked about is the topic of a
        // later order clause that names none, when the question named one.
        if let Some(topic) = question_topic(ctx, state, verbs.list) {
            named.push(topic);
        }
    }
    if named.is_empty() && quiet {
        if let (Some(cur), Some(this)) = (
            current,
            mood.live_markers(ctx).find(|m| m.marker == Marker::This),
        ) {
            named.push(NamedProduct {
                start: this.start,
                end: this.end,
                product: cur,
                qty: None,
            });
        }
    }
    if !named.is_empty() {
        return Subject::Named(named);
    }
    // No product named: a bare order for the product on air.
    match current {
        Some(cur) if quiet && ctx.mentions.is_empty() => Subject::OnAir(cur),
        _ => Subject::Nothing,
    }
}

/// The product a question clause was about, for a later order clause that
/// names none: only one product asked about, and a buy verb after it.
fn question_topic(
    ctx: &Ctx<'_>,
    state: &[MentionState],
    verbs: &[MarkerHit],
) -> Option<NamedProduct> {
    let mut dead = ctx
        .mentions
        .iter()
        .zip(state)
        .filter(|(_, s)| **s == MentionState::Dead)
        .map(|(m, _)| m);
    let first = dead.next()?;
    let mut last = first;
    for m in dead {
        if m.product != first.product {
            return None;
        }
        last = m;
    }
    let after = verbs
        .iter()
        .any(|v| ctx.clause(v.start) > ctx.clause(last.start));
    after.then_some(NamedProduct {
        start: last.start,
        end: last.end,
        product: last.product,
        qty: None,
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::Message;
    use super::super::{mood, senses, verbs};
    use super::*;

    const PRODUCTS: &[(&str, &str)] = &[("小米", "袋"), ("黑豆", "袋")];
    /// The product on air, for the tests that have one.
    const ON_AIR: usize = 1;

    #[derive(Debug, PartialEq)]
    enum Read {
        /// The words that name the products, with their catalog indices.
        Named(Vec<(String, usize)>),
        OnAir(usize),
        Nothing,
    }

    fn subject(text: &str, amended: bool, current: Option<usize>) -> Read {
        let (mut dead, mut asked) = (Vec::new(), Vec::new());
        let (mut state, mut used, mut withdrawn) = (Vec::new(), Vec::new(), Vec::new());
        let (mut verb_list, mut named) = (Vec::new(), Vec::new());
        Message::new(PRODUCTS, text).read(|ctx, clauses| {
            let mood = mood::read(ctx, clauses.a_not_a, &mut dead, &mut asked);
            let senses = senses::read(ctx, &mood, &mut state, &mut used, &mut withdrawn);
            let verbs = verbs::find(ctx, &mood, &mut verb_list).expect("verbs of the sender");
            match name(ctx, &mood, &senses, amended, &verbs, current, &mut named) {
                Subject::Named(list) => Read::Named(
                    list.iter()
                        .map(|p| (ctx.text[p.start..p.end].to_string(), p.product))
                        .collect(),
                ),
                Subject::OnAir(p) => Read::OnAir(p),
                Subject::Nothing => Read::Nothing,
            }
        })
    }

    #[test]
    fn the_live_product_words_are_named() {
        assert_eq!(
            subject("小米黑豆来两袋", false, Some(ON_AIR)),
            Read::Named(vec![("小米".into(), 0), ("黑豆".into(), 1)])
        );
    }

    #[test]
    fn a_product_asked_about_is_the_topic_of_a_later_order() {
        assert_eq!(
            subject("黑豆好吃吗?我买两袋", false, None),
            Read::Named(vec![("黑豆".into(), 1)])
        );
        // With no buy verb after it, it is only asked about.
        assert_eq!(subject("黑豆好吃吗?两袋", false, None), Read::Nothing);
    }

    #[test]
    fn zhege_names_the_product_on_air() {
        assert_eq!(
            subject("这个来两袋", false, Some(ON_AIR)),
            Read::Named(vec![("这个".into(), ON_AIR)])
        );
    }

    #[test]
    fn an_order_naming_nothing_is_for_the_product_on_air() {
        assert_eq!(subject("来两袋", false, Some(ON_AIR)), Read::OnAir(ON_AIR));
        assert_eq!(subject("来两袋", false, None), Read::Nothing);
        // Not when the message amended an order or refused a product.
        assert_eq!(subject("来两袋", true, Some(ON_AIR)), Read::Nothing);
        assert_eq!(
            subject("不要小米,来两袋", false, Some(ON_AIR)),
            Read::Nothing
        );
    }
}
