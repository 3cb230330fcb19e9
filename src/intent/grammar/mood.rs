//! The third stage: the mood of each clause and of the whole message.
//! Owns which clauses ask something (a question word or particle, 嘛 and
//! 呢 by what stands before them, "A不A", 是…还是), which clauses a past,
//! plan or show word kills beside an ordering clause, and whether the
//! message as a whole is hypothetical, reported, past, planned or a request
//! to be shown: what stops every order it holds.

use super::super::lexicon::{Marker, MarkerHit};
use super::context::{ceil_char_boundary, Ctx, MAX_GLUE_BYTES};
use super::verbs::{has_object, negated_or_reported, object_follows};

/// The mood of one message.
pub(super) struct Mood<'a> {
    /// Per clause: holds no intent (it asks, or a scoped past or plan word
    /// kills it).
    pub(super) dead: &'a [bool],
    /// The kinds of live markers, one bit each ([`Marker::bit`]).
    live_kinds: u32,
    /// A condition outside a question ("要是明天还有"): no intent at all.
    pub(super) hypothetical: bool,
    /// Past, planned, reported, shown-only or refused buying: no order.
    pub(super) orders_killed: bool,
}

impl Mood<'_> {
    /// Whether the clause holding `pos` may hold an intent.
    pub(super) fn live(&self, ctx: &Ctx<'_>, pos: usize) -> bool {
        !self.dead[ctx.clause(pos)]
    }

    /// The markers of live clauses.
    pub(super) fn live_markers<'b>(
        &'b self,
        ctx: &'b Ctx<'_>,
    ) -> impl Iterator<Item = &'b MarkerHit> + 'b {
        ctx.markers.iter().filter(|m| self.live(ctx, m.start))
    }

    /// Whether a live clause holds a marker of kind `k`.
    pub(super) fn has(&self, k: Marker) -> bool {
        self.live_kinds & k.bit() != 0
    }
}

/// Reads the mood of the message in `ctx`, whose "A不A" questions end at
/// `a_not_a`, into the reused lists.
#[inline]
pub(super) fn read<'a>(
    ctx: &Ctx<'_>,
    a_not_a: &[usize],
    dead: &'a mut Vec<bool>,
    asked: &'a mut Vec<bool>,
) -> Mood<'a> {
    questions(ctx, a_not_a, dead);
    asked.clear();
    asked.extend_from_slice(dead);
    scope_kills(ctx, dead);
    let (dead, asked): (&[bool], &[bool]) = (dead, asked);
    let text = ctx.text;
    let live = |pos: usize| !dead[ctx.clause(pos)];
    let live_markers = || ctx.markers.iter().filter(|m| live(m.start));
    // The kinds of live markers, one bit each: asked about many times later.
    let live_kinds: u32 = live_markers().fold(0, |kinds, m| kinds | m.marker.bit());
    let has = |k: Marker| live_kinds & k.bit() != 0;
    // A condition reaches over every clause ("要是明天还有，我再来两瓶"),
    // even one a later order made dead; only a question's does not count.
    let hypothetical = ctx
        .markers
        .iter()
        .any(|m| m.marker == Marker::Hypothetical && !asked[ctx.clause(m.start)]);
    let bought = live_markers().any(|m| m.marker == Marker::BoughtIfObject && has_object(ctx, m));
    // "前面那个大哥拍了十斤": someone else's purchase, reported.
    // (Each look runs from the marker to the end of its clause only.)
    let reported = live_markers().any(|o| {
        let clause = ctx.clause(o.start);
        let from = ctx.markers.partition_point(|v| v.start <= o.start);
        o.marker == Marker::Others
            && ctx.markers[from..]
                .iter()
                .take_while(|v| ctx.clause(v.start) == clause)
                .any(|v| {
                    matches!(v.marker, Marker::Buy | Marker::BoughtIfObject)
                        && (text[v.start..v.end].ends_with('了') || text[v.end..].starts_with('了'))
                })
    });
    let orders_killed = hypothetical
        || reported
        || bought
        || has(Marker::Past)
        || has(Marker::Future)
        || has(Marker::Show)
        || has(Marker::NoBuy);
    Mood {
        dead,
        live_kinds,
        hypothetical,
        orders_killed,
    }
}

/// Clauses that ask something hold no intent: marks them in `dead`.
#[inline]
fn questions(ctx: &Ctx<'_>, a_not_a: &[usize], dead: &mut Vec<bool>) {
    let text = ctx.text;
    dead.clear();
    dead.resize(ctx.cuts.len() + 1, false);
    for m in ctx.markers.iter().filter(|m| m.marker == Marker::Question) {
        let clause = ctx.clause(m.start);
        // 嘛 after an order softens it ("来两包嘛", "改成三袋嘛").
        if &text[m.start..m.end] == "嘛" {
            let start = ctx.clause_start(clause);
            let from = ctx.markers.partition_point(|v| v.start < start);
            let ordered = ctx.markers[from..]
                .iter()
                .take_while(|v| v.start < m.start)
                .any(|v| {
                    matches!(
                        v.marker,
                        Marker::Buy
                            | Marker::BuyIfObject
                            | Marker::BuyIfCounted
                            | Marker::Change
                            | Marker::Kou
                    )
                });
            if ordered {
                continue;
            }
        }
        // 呢 asks after a few words ("小米呢"); after a long statement it
        // only colours it ("我闺女坐月子呢").
        if &text[m.start..m.end] == "呢" {
            let said = text[ctx.clause_start(clause)..m.start]
                .chars()
                .rev()
                .take(5)
                .count();
            let asked = text[m.end..].trim_start_matches(' ').starts_with('?');
            if said > 4 && !asked {
                continue;
            }
        }
        dead[clause] = true;
    }
    for &end in a_not_a {
        dead[ctx.clause(end - 1)] = true;
    }
    // "是5升还是5斤": 是…还是 asks which.
    for i in ctx
        .markers
        .iter()
        .filter(|m| m.marker == Marker::Word && &text[m.start..m.end] == "还是")
        .map(|m| m.start)
    {
        let clause = ctx.clause(i);
        let start = ctx
            .clause_start(clause)
            .max(i.saturating_sub(MAX_GLUE_BYTES));
        let start = ceil_char_boundary(text, start);
        if text[start..i].contains('是') {
            dead[clause] = true;
        }
    }
}

/// "上次的柿饼吃完了，再来两盒", "挂面先来两袋 面粉等我儿子回来再买": a
/// clause about the past, a plan, a request to show or a purchase already
/// made holds no order, but another clause that orders on its own terms
/// (a buy verb, not negated, in a clause free of such words) still does.
/// Such clauses then count as dead, like a question's, so what they name
/// can still be the order's topic. With no ordering clause beside them they
/// keep killing every order of the message.
fn scope_kills(ctx: &Ctx<'_>, dead: &mut [bool]) {
    let kills = |m: &MarkerHit| match m.marker {
        Marker::Past | Marker::Future | Marker::Show => true,
        Marker::BoughtIfObject => has_object(ctx, m),
        _ => false,
    };
    if !ctx
        .markers
        .iter()
        .any(|m| kills(m) && !dead[ctx.clause(m.start)])
    {
        return;
    }
    // Rare path (a past, plan or show word is there): a list is fine.
    let mut killed = vec![false; dead.len()];
    for m in ctx.markers.iter().filter(|m| kills(m)) {
        killed[ctx.clause(m.start)] = true;
    }
    let orders_elsewhere = ctx.markers.iter().any(|v| {
        let clause = ctx.clause(v.start);
        if dead[clause] || killed[clause] {
            return false;
        }
        // "先看看，不着急买": a negated verb orders nothing.
        let clause_start = ctx.clause_start(clause);
        // (Near the verb only: a long clause stays linear.)
        let near = clause_start.max(v.start.saturating_sub(MAX_GLUE_BYTES));
        let near = ceil_char_boundary(ctx.text, near);
        let from = ctx.markers.partition_point(|m| m.start < near);
        let negated = ctx.text[near..v.start].contains(['不', '没', '别'])
            || ctx.markers[from..]
                .iter()
                .take_while(|m| m.start < v.start)
                .any(|m| matches!(m.marker, Marker::Refuse | Marker::NoBuy));
        !negated
            && !negated_or_reported(ctx, v)
            && match v.marker {
                Marker::Buy => true,
                Marker::BuyIfObject | Marker::BuyIfProduct | Marker::BuyIfCounted => {
                    object_follows(ctx, v)
                }
                _ => false,
            }
    });
    if orders_elsewhere {
        for (d, k) in dead.iter_mut().zip(&killed) {
            *d |= *k;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::Message;
    use super::*;

    const PRODUCTS: &[(&str, &str)] = &[("小米", "袋"), ("黑豆", "袋")];

    /// (dead per clause, hypothetical, orders killed) of `text`.
    fn mood_of(text: &str) -> (Vec<bool>, bool, bool) {
        let (mut dead, mut asked) = (Vec::new(), Vec::new());
        Message::new(PRODUCTS, text).read(|ctx, clauses| {
            let mood = read(ctx, clauses.a_not_a, &mut dead, &mut asked);
            (mood.dead.to_vec(), mood.hypothetical, mood.orders_killed)
        })
    }

    fn dead(text: &str) -> Vec<bool> {
        mood_of(text).0
    }

    #[test]
    fn a_question_kills_its_own_clause_only() {
        assert_eq!(dead("黑豆好吃吗?来两袋小米"), [true, false]);
        assert_eq!(dead("黑豆好吃吗我买两袋"), [true, false]);
        assert_eq!(dead("来两袋小米"), [false]);
    }

    #[test]
    fn ma_after_an_order_softens_it() {
        assert_eq!(dead("小米来两包嘛"), [false]);
        assert_eq!(dead("小米好吃嘛"), [true]);
    }

    #[test]
    fn ne_asks_after_a_few_words_only() {
        assert_eq!(dead("小米呢"), [true]);
        assert_eq!(dead("我闺女坐月子在家吃小米呢"), [false]);
    }

    #[test]
    fn a_clause_final_bu_and_a_not_a_ask() {
        assert_eq!(dead("小米包邮不"), [true]);
        assert_eq!(dead("小米辣不辣"), [true]);
        assert_eq!(dead("小米不辣"), [false]);
    }

    #[test]
    fn shi_before_haishi_asks_which() {
        assert_eq!(dead("小米是5斤还是10斤"), [true]);
        assert_eq!(dead("小米还是来两袋"), [false]);
    }

    #[test]
    fn a_past_clause_beside_an_ordering_clause_dies_alone() {
        // Alone, the past word kills every order of the message instead.
        let (dead, _, killed) = mood_of("上次的小米吃完了");
        assert_eq!((dead, killed), (vec![false], true));
        let (dead, _, killed) = mood_of("上次买的小米吃完了,再来两袋黑豆");
        assert_eq!((dead, killed), (vec![true, false], false));
    }

    #[test]
    fn a_condition_outside_a_question_stops_every_order() {
        let (_, hypothetical, killed) = mood_of("要是明天还有,我再来两袋小米");
        assert!(hypothetical && killed);
        let (_, hypothetical, killed) = mood_of("来两袋小米");
        assert!(!hypothetical && !killed);
    }
}
