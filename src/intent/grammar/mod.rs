//! Reading one normalised message into order intents, as a pipeline of
//! stages, each in its own file and each handing the next a typed result:
//!
//! 1. [`tokens`]: the markers and numbers between the product words;
//! 2. [`clauses`]: where clauses end;
//! 3. [`mood`]: which clauses ask, and whether the message is hypothetical,
//!    past, planned or reported;
//! 4. [`senses`]: which product words are live, refused or in another sense;
//! 5. [`amendments`]: cancels, withdrawals and changes;
//! 6. [`verbs`]: the sender's buy verbs;
//! 7. [`quantities`]: which numbers are quantities;
//! 8. [`products`]: what product the order is for;
//! 9. [`objects`]: whether an order naming no product is about the product
//!    on air or about something of its own ("再来一把");
//! 10. [`binding`]: which quantity belongs to which product;
//! 11. [`orders`]: the order intents with their confidence and evidence.
//!
//! [`context`] holds the look-ups they share. Rules follow
//! ../shared/corpus/LABELING.md. Everything is linear in the message length
//! apart from small per-token look-arounds; no allocation beyond the
//! reusable scratch lists, which this file hands each stage by name.
//!
//! Each stage's entry, and the helpers a stage calls once a message, are
//! `#[inline]`: in files of their own they land in other codegen units,
//! and called instead of inlined into `read` they cost 2–3% more
//! instructions a message than the one function they were split from.

mod amendments;
mod binding;
mod clauses;
mod context;
mod mood;
mod objects;
mod orders;
mod products;
mod quantities;
mod senses;
#[cfg(test)]
mod testing;
#[cfg(test)]
mod tests;
mod tokens;
mod verbs;

use super::lexicon::MarkerHit;
use super::{Engine, Intent, Scratch};
use products::{NamedProduct, Subject};
use quantities::Qty;
use senses::MentionState;
use std::ops::Range;

/// Lists one reading fills, kept between messages so that reading one
/// allocates nothing once the lists have grown to the chat's size.
#[derive(Debug, Default)]
pub(crate) struct GrammarScratch {
    cuts: Vec<usize>,
    a_not_a: Vec<usize>,
    dead_clauses: Vec<bool>,
    /// The clauses that ask something (dead before the scoped kills).
    asked: Vec<bool>,
    cancel_clauses: Vec<usize>,
    state: Vec<MentionState>,
    used_nums: Vec<usize>,
    spec_spans: Vec<Range<usize>>,
    withdrawn: Vec<usize>,
    verbs: Vec<MarkerHit>,
    qtys: Vec<Qty>,
    /// The products an order names, with their quantities once bound.
    products: Vec<NamedProduct>,
    explicit: Vec<bool>,
}

/// The one product the message in `s.norm` (product mentions in
/// `s.mentions`) asks about: some clause asks (a question word or
/// particle, "?", "A不A", a clause-final 不), and every product word that
/// is not in another sense ("小米手机好用吗" asks about a phone) names that
/// product. The stages up to the senses, as `read` runs them.
pub(crate) fn asked_about(engine: &Engine, s: &mut Scratch) -> Option<usize> {
    let Scratch {
        norm,
        mentions,
        markers,
        nums,
        grammar: g,
        ..
    } = s;
    let tokens = tokens::find(engine.lexicon, &norm.text, mentions, markers, nums)?;
    let clauses = clauses::cut(&tokens, &mut g.cuts, &mut g.a_not_a);
    let ctx = context::Ctx {
        text: tokens.text,
        mentions: tokens.mentions,
        markers: tokens.markers,
        nums: tokens.nums,
        units: &engine.matcher.units,
        english_weights: &engine.matcher.english_weights,
        lexicon: engine.lexicon,
        cuts: clauses.cuts,
    };
    let mood = mood::read(&ctx, clauses.a_not_a, &mut g.dead_clauses, &mut g.asked);
    let senses = senses::read(
        &ctx,
        &mood,
        &mut g.state,
        &mut g.used_nums,
        &mut g.withdrawn,
    );
    let mut named = ctx
        .mentions
        .iter()
        .zip(senses.state.iter())
        .filter(|(_, &state)| state != MentionState::OtherSense)
        .map(|(m, _)| m.product);
    let product = named.next()?;
    let asks = g.asked.iter().any(|&a| a);
    (asks && named.all(|p| p == product)).then_some(product)
}

/// Reads the message in `scratch.norm`, whose product mentions are already
/// in `scratch.mentions`, into `out`.
pub(crate) fn read(
    engine: &Engine,
    s: &mut Scratch,
    current: Option<usize>,
    out: &mut Vec<Intent>,
) {
    let Scratch {
        norm,
        mentions,
        markers,
        nums,
        grammar: g,
        ..
    } = s;
    let GrammarScratch {
        cuts,
        a_not_a,
        dead_clauses,
        asked,
        cancel_clauses,
        state,
        used_nums,
        spec_spans,
        withdrawn,
        verbs,
        qtys,
        products,
        explicit,
    } = g;
    // What the stages need of the engine, by name.
    let lexicon = engine.lexicon;
    let catalog_units = &engine.matcher.units;
    let english_weights = &engine.matcher.english_weights;
    let product_units: &[Box<str>] = &engine.matcher.product_units;
    let current = current.filter(|&c| c < engine.product_count);
    let on_air_unit = current.map(|c| &*product_units[c]);

    let Some(tokens) = tokens::find(lexicon, &norm.text, mentions, markers, nums) else {
        return;
    };
    let clauses = clauses::cut(&tokens, cuts, a_not_a);
    let ctx = context::Ctx {
        text: tokens.text,
        mentions: tokens.mentions,
        markers: tokens.markers,
        nums: tokens.nums,
        units: catalog_units,
        english_weights,
        lexicon,
        cuts: clauses.cuts,
    };
    let mood = mood::read(&ctx, clauses.a_not_a, dead_clauses, asked);
    let mut senses = senses::read(&ctx, &mood, state, used_nums, withdrawn);
    let amended = amendments::read(&ctx, &mood, &mut senses, cancel_clauses, out);
    // A past, planned, reported or hypothetical message may amend orders
    // but makes none.
    if mood.orders_killed {
        return;
    }
    // Only someone else's or negated buy verbs: nothing after them orders.
    let Some(verbs) = verbs::find(&ctx, &mood, verbs) else {
        return;
    };
    let mut quantities =
        quantities::read(&ctx, &mood, senses.used_nums, verbs.list, qtys, spec_spans);
    match products::name(&ctx, &mood, &senses, amended, &verbs, current, products) {
        // 这个 / it with an object of its own: "这个小哥哥", "get it towed".
        Subject::Named(named)
            if named.iter().all(|p| ctx.mention_at(p.start).is_none())
                && !objects::about_the_product(&ctx, &mood, &verbs, &quantities, on_air_unit) => {}
        Subject::Named(named) => {
            let bound = binding::bind(&ctx, &mood, &verbs, product_units, &mut quantities, named);
            orders::named(
                &ctx,
                &bound,
                quantities.list,
                &verbs,
                product_units,
                explicit,
                out,
            );
        }
        Subject::OnAir(on_air) => {
            if objects::about_the_product(&ctx, &mood, &verbs, &quantities, on_air_unit) {
                orders::bare(&ctx, &mood, on_air, &verbs, &quantities, out);
            }
        }
        Subject::Nothing => {}
    }
}
