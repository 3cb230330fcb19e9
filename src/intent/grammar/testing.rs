//! Test support for the stage tests: one message normalised, its product
//! words found by a real matcher over a small catalog, and run through the
//! first stages, so each test can feed a stage its typed input alone.

use super::super::lexicon::{Lexicon, MarkerHit};
use super::super::matcher::{Matcher, Mention};
use super::super::normalize::{normalize_into, Normalized};
use super::super::numbers::NumToken;
use super::clauses::{self, Clauses};
use super::context::Ctx;
use super::mood::{self, Mood};
use super::quantities::{self, Quantities};
use super::senses::{self, Senses};
use super::tokens::{self, Tokens};
use super::verbs::{self, Verbs};
use crate::catalog::{Catalog, Product};

/// A catalog of (name, selling unit) products, links 1, 2, …
pub(super) fn catalog(products: &[(&str, &str)]) -> Catalog {
    Catalog::new(
        products
            .iter()
            .zip(1..)
            .map(|(&(name, unit), link)| Product {
                sku: name.into(),
                name: name.into(),
                aliases: Vec::new(),
                link,
                unit: unit.into(),
                price_fen: 100,
                stock: 1,
                limit_per_buyer: None,
            })
            .collect(),
    )
}

/// One message and the lists the stages fill for it.
pub(super) struct Message {
    pub(super) text: String,
    matcher: Matcher,
    mentions: Vec<Mention>,
    markers: Vec<MarkerHit>,
    nums: Vec<NumToken>,
    cuts: Vec<usize>,
    a_not_a: Vec<usize>,
}

impl Message {
    /// `text` normalised, with the product words of `products` found in it.
    pub(super) fn new(products: &[(&str, &str)], text: &str) -> Message {
        let matcher = Matcher::new(&catalog(products));
        let mut norm = Normalized::default();
        normalize_into(text, &mut norm);
        let mut mentions = Vec::new();
        matcher.find(&norm.text, norm.link_chars, &mut mentions);
        Message {
            text: norm.text,
            matcher,
            mentions,
            markers: Vec::new(),
            nums: Vec::new(),
            cuts: Vec::new(),
            a_not_a: Vec::new(),
        }
    }

    /// The tokens stage alone.
    pub(super) fn tokens(&mut self) -> Option<Tokens<'_>> {
        tokens::find(
            Lexicon::shared(),
            &self.text,
            &self.mentions,
            &mut self.markers,
            &mut self.nums,
        )
    }

    /// Runs the tokens and clauses stages (the message must hold something
    /// to read) and hands their result to `f`.
    pub(super) fn read<R>(&mut self, f: impl FnOnce(&Ctx<'_>, Clauses<'_>) -> R) -> R {
        let tokens = tokens::find(
            Lexicon::shared(),
            &self.text,
            &self.mentions,
            &mut self.markers,
            &mut self.nums,
        )
        .expect("a message with something to read");
        let clauses = clauses::cut(&tokens, &mut self.cuts, &mut self.a_not_a);
        let ctx = Ctx {
            text: tokens.text,
            mentions: tokens.mentions,
            markers: tokens.markers,
            nums: tokens.nums,
            units: &self.matcher.units,
            english_weights: &self.matcher.english_weights,
            lexicon: Lexicon::shared(),
            cuts: clauses.cuts,
        };
        f(&ctx, clauses)
    }
}

impl Message {
    /// Runs the stages through the quantities as `read` runs them and hands
    /// their results to `f`, for a test of a later stage.
    pub(super) fn through_quantities<R>(
        &mut self,
        f: impl FnOnce(&Ctx<'_>, &Mood<'_>, &Senses<'_>, &Verbs<'_>, Quantities<'_>) -> R,
    ) -> R {
        let (mut dead, mut asked) = (Vec::new(), Vec::new());
        let (mut state, mut used, mut withdrawn) = (Vec::new(), Vec::new(), Vec::new());
        let (mut verb_list, mut qtys, mut specs) = (Vec::new(), Vec::new(), Vec::new());
        self.read(|ctx, clauses| {
            let mood = mood::read(ctx, clauses.a_not_a, &mut dead, &mut asked);
            let senses = senses::read(ctx, &mood, &mut state, &mut used, &mut withdrawn);
            let verbs = verbs::find(ctx, &mood, &mut verb_list).expect("verbs of the sender");
            let q = quantities::read(
                ctx,
                &mood,
                senses.used_nums,
                verbs.list,
                &mut qtys,
                &mut specs,
            );
            f(ctx, &mood, &senses, &verbs, q)
        })
    }
}

/// The text of each clause of `ctx`, trimmed of spaces and punctuation.
pub(super) fn clause_texts(ctx: &Ctx<'_>) -> Vec<String> {
    (0..=ctx.cuts.len())
        .map(|i| {
            let start = ctx.clause_start(i);
            let end = ctx
                .cuts
                .get(i)
                .map_or(ctx.text.len(), |&c| c.max(start))
                .min(ctx.text.len());
            let end = (end..=ctx.text.len())
                .find(|&e| ctx.text.is_char_boundary(e))
                .unwrap_or(ctx.text.len());
            ctx.text[start..end]
                .trim_matches(|c: char| c == ' ' || clauses::is_clause_punct(c))
                .to_string()
        })
        .collect()
}
