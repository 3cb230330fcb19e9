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
