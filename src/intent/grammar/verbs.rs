//! The sixth stage: the sender's buy verbs. Owns when a verb orders: 要 /
//! 来 / take only with an object after them, and no verb right after a
//! negation or after someone else's words. A message whose only buy verbs
//! are negated or reported orders nothing. Also owns what counts as an
//! object, which the mood stage asks too (a past 买了 needs one).

use super::super::lexicon::{Marker, MarkerHit, MODALS, OTHER_SUBJECTS};
use super::clauses::is_clause_punct;
use super::context::{is_cjk, Ctx, Unit};
use super::mood::Mood;

/// The sender's buy verbs in one message.
#[derive(Clone, Copy)]
pub(super) struct Verbs<'a> {
    /// The live buy verbs, in order.
    pub(super) list: &'a [MarkerHit],
    /// A live "please" ("link 10 please"): a product and a please ask for it.
    pub(super) please: bool,
}

impl Verbs<'_> {
    pub(super) fn any(&self) -> bool {
        !self.list.is_empty()
    }
}

/// Finds the buy verbs of the clauses `mood` left live, into `list`. `None`
/// when the only buy verbs are someone else's or negated: "我妈说要买两盒",
/// "还没拍两袋", so "两盒猕猴桃" after them orders nothing either.
#[inline]
pub(super) fn find<'a>(
    ctx: &Ctx<'_>,
    mood: &Mood<'_>,
    list: &'a mut Vec<MarkerHit>,
) -> Option<Verbs<'a>> {
    // Buy verbs; 要 / 来 only when an object follows ("我要去上班了" is modal).
    list.clear();
    list.extend(mood.live_markers(ctx).copied().filter(|m| {
        let verb = match m.marker {
            // With an object it was a past purchase and killed orders above.
            Marker::Buy | Marker::BoughtIfObject => true,
            Marker::BuyIfObject | Marker::BuyIfProduct | Marker::BuyIfCounted => {
                object_follows(ctx, m)
            }
            _ => false,
        };
        verb && !negated_or_reported(ctx, m)
    }));
    if list.is_empty()
        && mood.live_markers(ctx).any(|m| {
            matches!(
                m.marker,
                Marker::Buy | Marker::BuyIfObject | Marker::BuyIfCounted | Marker::BuyIfProduct
            ) && negated_or_reported(ctx, m)
        })
    {
        return None;
    }
    let please = mood.live_markers(ctx).any(|m| is_please(ctx.text, m));
    Some(Verbs { list, please })
}

/// A buy verb right after a negation ("没拍", "还没下单", "别买") or after
/// someone's words ("我妈说要买两袋", "主播说扣1", "我妈让我买") is not the
/// sender ordering.
pub(super) fn negated_or_reported(ctx: &Ctx<'_>, v: &MarkerHit) -> bool {
    let start = ctx.clause_start(ctx.clause(v.start));
    let before = ctx.text[start..v.start].trim_end_matches(' ');
    let before = before
        .strip_suffix('要')
        .or_else(|| before.strip_suffix('想'))
        .unwrap_or(before);
    ["没", "不", "别", "说", "让我", "叫我"]
        .iter()
        .any(|w| before.ends_with(w))
        || (ctx.text[v.start..v.end].is_ascii() && others_subject(ctx, v.start))
}

/// Whether the English word at `start` has a subject other than the
/// sender right before it: "we take it", "let's get them", "he sold", or a
/// modal after anyone but "i" ("Tom could get one"; "can i get 2" is the
/// sender's).
pub(super) fn others_subject(ctx: &Ctx<'_>, start: usize) -> bool {
    let Some((s, w)) = english_word_before(ctx, start) else {
        return false;
    };
    if OTHER_SUBJECTS.contains(&w) {
        return true;
    }
    MODALS.contains(&w) && english_word_before(ctx, s).is_some_and(|(_, w)| w != "i")
}

/// The English word that ends right before `end` (past spaces), with its
/// start, unless it belongs to a longer marker ("thank you").
pub(super) fn english_word_before<'t>(ctx: &Ctx<'t>, end: usize) -> Option<(usize, &'t str)> {
    let text = ctx.text;
    let e = ctx.skip_spaces_back(end);
    let head =
        text[..e].trim_end_matches(|c: char| c.is_ascii_alphanumeric() || c == '\'' || c == '’');
    let s = head.len();
    let covered = ctx
        .marker_covering(s)
        .is_some_and(|m| m.start < s || m.end > e);
    (s < e && !covered).then(|| (s, &text[s..e]))
}

pub(super) fn is_please(text: &str, m: &MarkerHit) -> bool {
    m.marker == Marker::Filler && matches!(&text[m.start..m.end], "please" | "pls" | "plz")
}

/// 要 / 来 / take are buy verbs only with an object: a number, a product,
/// 这个, a unit, or nothing more to say ("我要", "这个我要了").
pub(super) fn object_follows(ctx: &Ctx<'_>, m: &MarkerHit) -> bool {
    let p = ctx.skip_spaces(m.end);
    if m.marker == Marker::BuyIfProduct {
        return ctx.mention_at(p).is_some();
    }
    if m.marker == Marker::BuyIfCounted {
        // "冲两只", not "冲一勺" (a spoonful stirred in).
        return ctx.mention_at(p).is_some()
            || ctx
                .num_index_at(p)
                .is_some_and(|i| matches!(ctx.unit_at(ctx.nums[i].end), Unit::Selling(_)));
    }
    let Some(c) = ctx.text[p..].chars().next() else {
        return true;
    };
    if is_clause_punct(c) {
        return true;
    }
    if ctx.mention_at(p).is_some() {
        return true;
    }
    if let Some(i) = ctx.num_index_at(p) {
        // "来两句", "再来一遍": a count of something else is no object.
        return !matches!(ctx.unit_at(ctx.nums[i].end), Unit::Spec(_));
    }
    if c == '了' {
        // "要了" is taking it; "来了" is arriving.
        return !ctx.text[m.start..m.end].ends_with('来');
    }
    if c == 'x' && ctx.text[p + 1..].starts_with(|d: char| d.is_ascii_digit()) {
        return true;
    }
    if let Some(next) = ctx.marker_at(p) {
        return match next.marker {
            Marker::This | Marker::Buy | Marker::Each => true,
            // "我要买两袋", not "我要抢福袋": the next verb needs its object.
            Marker::BuyIfObject => object_follows(ctx, next),
            Marker::Filler => matches!(
                &ctx.text[next.start..next.end],
                "谢谢"
                    | "谢谢主播"
                    | "吧"
                    | "嘞"
                    | "啊"
                    | "呀"
                    | "哦"
                    | "please"
                    | "pls"
                    | "plz"
                    | "thanks"
                    | "thank you"
                    | "thx"
                    | "the"
                    | "me"
            ),
            _ => false,
        };
    }
    selling_unit_object(ctx, p)
}

/// A classifier right after a verb is its object ("来袋小米", "来盒") only
/// when it stands as a word: "来支持", "来包装" are other words that start
/// with a classifier character.
fn selling_unit_object(ctx: &Ctx<'_>, p: usize) -> bool {
    let Unit::Selling(len) = ctx.unit_at(p) else {
        return false;
    };
    let q = p + len;
    match ctx.text[q..].chars().next() {
        None => true,
        Some(c) if c == ' ' || is_clause_punct(c) || !is_cjk(c) => true,
        Some(_) => {
            ctx.mention_at(q).is_some()
                || ctx
                    .marker_at(q)
                    .is_some_and(|m| matches!(m.marker, Marker::Filler | Marker::PoliteTag))
        }
    }
}

/// 买了 with a thing bought after it: a number, a product, 这个 or a unit.
pub(super) fn has_object(ctx: &Ctx<'_>, m: &MarkerHit) -> bool {
    let p = ctx.skip_spaces(m.end);
    p < ctx.text.len()
        && (ctx.mention_at(p).is_some()
            || ctx.num_at(p)
            || ctx.marker_at(p).is_some_and(|n| n.marker == Marker::This)
            || selling_unit_object(ctx, p))
}

#[cfg(test)]
mod tests {
    use super::super::mood;
    use super::super::testing::Message;
    use super::*;

    const PRODUCTS: &[(&str, &str)] = &[("小米", "袋"), ("猕猴桃", "盒")];

    /// The buy verbs of `text` and its please, `None` when its only verbs
    /// are negated or reported.
    fn verbs_of(text: &str) -> Option<(Vec<String>, bool)> {
        let (mut dead, mut asked, mut list) = (Vec::new(), Vec::new(), Vec::new());
        Message::new(PRODUCTS, text).read(|ctx, clauses| {
            let mood = mood::read(ctx, clauses.a_not_a, &mut dead, &mut asked);
            let verbs = find(ctx, &mood, &mut list)?;
            let words = verbs
                .list
                .iter()
                .map(|m| ctx.text[m.start..m.end].to_string());
            Some((words.collect(), verbs.please))
        })
    }

    #[test]
    fn yao_orders_only_with_an_object() {
        assert_eq!(verbs_of("我要两袋小米"), Some((vec!["我要".into()], false)));
        assert_eq!(verbs_of("我要"), Some((vec!["我要".into()], false)));
        assert_eq!(verbs_of("我要去上班了,小米"), Some((vec![], false)));
    }

    #[test]
    fn a_negated_or_reported_verb_leaves_no_order() {
        assert_eq!(verbs_of("我妈说要买两盒猕猴桃"), None);
        assert_eq!(verbs_of("还没拍两袋"), None);
        assert_eq!(verbs_of("别买小米"), None);
    }

    #[test]
    fn please_asks_for_it() {
        assert_eq!(verbs_of("link 1 please"), Some((vec![], true)));
    }

    #[test]
    fn a_classifier_after_a_verb_is_its_object_only_as_a_word() {
        let ordered = |text: &str| verbs_of(text).is_some_and(|(v, _)| !v.is_empty());
        assert!(ordered("来袋小米"));
        assert!(!ordered("来支持一下小米"));
    }
}
