//! The fifth stage: intents that amend orders already made. Owns cancels
//! (of the products named in the cancelling clause, else of the sender's
//! own orders), withdrawals by refusal ("小米不要了" with nothing else
//! ordered) and changes (the first number after 改成 / make it is the new
//! total, one change a clause). A change's new total must be a count: not
//! a decimal ("0.5改成1.5"), a name ("4G改成5G"), a range, or a count of
//! some other thing ("变成一个圆", "变成十个问题"); and a change word with
//! an object of its own ("改名") changes nothing.

use super::super::lexicon::{
    Marker, MarkerHit, GENERIC_COUNT_WORDS, OTHER_PERSONS_ZH, POSTPOSED_CANCELS,
};
use super::super::numbers::{NumForm, NumToken, MAX_QTY};
use super::super::{Evidence, Intent, IntentKind};
use super::context::{is_cjk, Ctx, Unit};
use super::mood::Mood;
use super::objects::is_content_at;
use super::quantities::flag_large;
use super::senses::{MentionState, Senses};
use super::verbs::others_subject;

/// The most changes one message makes.
const MAX_CHANGES: usize = 8;

/// Reads the cancels, withdrawals and changes of the message into `out`,
/// marking the mentions and numbers they use in `senses`. Returns whether
/// any was read (a message that amends orders is not also a bare order).
#[inline]
pub(super) fn read(
    ctx: &Ctx<'_>,
    mood: &Mood<'_>,
    senses: &mut Senses<'_>,
    cancel_clauses: &mut Vec<usize>,
    out: &mut Vec<Intent>,
) -> bool {
    let text = ctx.text;
    let hypothetical = mood.hypothetical;
    let state = &mut *senses.state;
    let used_nums = &mut *senses.used_nums;
    let live_markers = || mood.live_markers(ctx);

    // Cancels: products in the cancelling clause, else the sender's own orders.
    let mut handled = false;
    if !hypothetical && mood.has(Marker::Cancel) {
        // The clauses holding a live cancel word, in order (markers are).
        cancel_clauses.clear();
        cancel_clauses.extend(
            live_markers()
                .filter(|m| m.marker == Marker::Cancel && !cancels_its_own(ctx, m))
                .map(|m| ctx.clause(m.start)),
        );
        cancel_clauses.dedup();
        let cancel_clauses: &[usize] = cancel_clauses;
        let cancels_clause = |clause: usize| cancel_clauses.binary_search(&clause).is_ok();
        if let Some(first) =
            live_markers().find(|m| m.marker == Marker::Cancel && !cancels_its_own(ctx, m))
        {
            let before = out.len();
            for (i, m) in ctx.mentions.iter().enumerate() {
                // "算了不要花生糖了", "don't want the pie anymore": a product
                // refused in the cancelling clause is what is cancelled.
                let cancellable = matches!(state[i], MentionState::Live | MentionState::Refused);
                if cancellable && cancels_clause(ctx.clause(m.start)) {
                    state[i] = MentionState::Used;
                    if !out[before..].iter().any(|x| x.product == Some(m.product)) {
                        out.push(Intent {
                            kind: IntentKind::Cancel,
                            product: Some(m.product),
                            qty: None,
                            confidence: 0.9,
                            evidence: smallvec::smallvec![m.start..m.end, first.start..first.end],
                        });
                    }
                }
            }
            if out.len() == before {
                out.push(Intent {
                    kind: IntentKind::Cancel,
                    product: None,
                    qty: None,
                    confidence: 0.85,
                    evidence: smallvec::smallvec![first.start..first.end],
                });
            }
            handled = true;
        }
    }

    let others_live = state.contains(&MentionState::Live);
    if !handled && !hypothetical && !senses.withdrawn.is_empty() && !others_live {
        for &i in senses.withdrawn.iter() {
            let m = ctx.mentions[i];
            if !out.iter().any(|x| x.product == Some(m.product)) {
                out.push(Intent {
                    kind: IntentKind::Cancel,
                    product: Some(m.product),
                    qty: None,
                    confidence: 0.75,
                    evidence: smallvec::smallvec![m.start..m.end],
                });
            }
        }
        handled = true;
    }

    // Change: the first number after 改成 / make it is the new total. Each
    // change word takes the numbers up to the next one ("莲子改成两袋，藕粉
    // 改成一盒" is two changes).
    if !hypothetical && mood.has(Marker::Change) {
        let mut changes = live_markers()
            .filter(|m| m.marker == Marker::Change)
            .peekable();
        let mut changed_clause = None;
        // A chat message makes a few changes at most; the cap keeps a long
        // one linear.
        let mut made = 0;
        while let Some(mk) = changes.next() {
            let limit = changes.peek().map_or(text.len(), |next| next.start);
            // One change a clause: "make it 2 instead of 1".
            if changed_clause == Some(ctx.clause(mk.start))
                || made >= MAX_CHANGES
                || changes_its_own(ctx, mk)
            {
                continue;
            }
            let from = ctx.nums.partition_point(|n| n.start < mk.end);
            let found = ctx
                .nums
                .iter()
                .enumerate()
                .skip(from)
                .take_while(|(_, n)| n.start < limit)
                .find(|(i, n)| {
                    n.start >= mk.end
                        && n.start < limit
                        && !used_nums.contains(i)
                        && n.form != NumForm::Article
                        && !n.slang
                        && (1..=MAX_QTY).contains(&n.value)
                        && !matches!(ctx.unit_at(n.end), Unit::Spec(_))
                        && !counts_something_else(ctx, n)
                });
            if let Some((ni, n)) = found {
                used_nums.push(ni);
                let clause = ctx.clause(mk.start);
                // The product in the changing clause, else the one the sender
                // just named ("苹果要三箱，不对，改成两箱").
                let target = ctx
                    .mentions
                    .iter()
                    .enumerate()
                    .find(|(i, m)| state[*i] == MentionState::Live && ctx.clause(m.start) == clause)
                    .or_else(|| {
                        ctx.mentions
                            .iter()
                            .enumerate()
                            .rev()
                            .find(|(i, m)| state[*i] == MentionState::Live && m.end <= mk.start)
                    });
                let mut evidence: Evidence = smallvec::smallvec![mk.start..mk.end, n.start..n.end];
                let product = target.map(|(i, m)| {
                    state[i] = MentionState::Used;
                    evidence.insert(0, m.start..m.end);
                    m.product
                });
                out.push(Intent {
                    kind: IntentKind::Change,
                    product,
                    qty: Some(n.value as u32),
                    // A new total is a quantity like any other: large ones
                    // reach the helper flagged (found by the fuzzer).
                    confidence: flag_large(
                        if product.is_some() { 0.9 } else { 0.85 },
                        n.value as u32,
                    ),
                    evidence,
                });
                changed_clause = Some(ctx.clause(mk.start));
                made += 1;
                handled = true;
            }
        }
    }
    handled
}

/// A Chinese change word run into a content word is a verb of its own
/// ("改名", "改图"): it sets no new total.
fn changes_its_own(ctx: &Ctx<'_>, m: &MarkerHit) -> bool {
    !ctx.text[m.start..m.end].is_ascii() && is_content_at(ctx, m.end)
}

/// Whether number `n` after a change word is something other than a
/// count of the shop's: a decimal or one end of a range ("0.5改成1.5",
/// "4-8倍"), a name with letters run on ("2D"), or a count whose classifier
/// is followed by a thing of its own ("一个圆", "十个问题", "1个灯牌").
fn counts_something_else(ctx: &Ctx<'_>, n: &NumToken) -> bool {
    let b = ctx.text.as_bytes();
    let joined = |i: usize| {
        b.get(i)
            .is_some_and(|&c| matches!(c, b'.' | b'-' | b'~' | b'/'))
    };
    if n.form == NumForm::Arabic {
        let before_digit = n.start >= 2 && b[n.start - 2].is_ascii_digit();
        let after_digit = b.get(n.end + 1).is_some_and(u8::is_ascii_digit);
        if (n.start >= 1 && joined(n.start - 1) && before_digit) || (joined(n.end) && after_digit) {
            return true;
        }
        if b.get(n.end).is_some_and(u8::is_ascii_alphabetic)
            && ctx.lexicon.english_units.longest(ctx.text, n.end).is_none()
            && !b[n.end..].starts_with(b"x")
        {
            return true;
        }
    }
    let Unit::Selling(len) = ctx.unit_at(n.end) else {
        // "3 goals": an English count of something else.
        let p = ctx.skip_spaces(n.end);
        return p > n.end
            && b.get(p).is_some_and(u8::is_ascii_alphabetic)
            && ctx.clause(p) == ctx.clause(n.start)
            && is_content_at(ctx, p);
    };
    let unit_end = n.end + len;
    let unit = ctx.text[n.end..unit_end].trim_start_matches(' ');
    // In the product's own unit ("改成两袋小米") the count is the product's.
    if ctx.units.longest(unit, 0) == Some(unit.len()) {
        return false;
    }
    let mut p = ctx.skip_spaces(unit_end);
    // Past particles and fillers: "变成一个真正的方块".
    while let Some(m) = ctx.marker_at(p).filter(|m| m.marker == Marker::Filler) {
        p = ctx.skip_spaces(m.end);
    }
    p < ctx.text.len() && ctx.clause(p) == ctx.clause(n.start) && is_content_at(ctx, p)
        || ctx.num_at(p)
}

/// A cancel word with an object of its own cancels nothing of the shop's:
/// a content word right after it ("取消关注", "cancel my netflix") or right
/// before it ("这局算了", "这首歌算了").
/// The order itself ("那单取消", "鄰居那份取消") is no object of its own.
/// Nor does one whose subject is someone else ("你赶紧退了吧", "they
/// cancelled"), or an English one that follows its verb right after a
/// word of other content ("play anymore", "got cancelled";
/// "nah cancel it" still cancels).
fn cancels_its_own(ctx: &Ctx<'_>, m: &MarkerHit) -> bool {
    let text = ctx.text;
    let clause_start = ctx.clause_start(ctx.clause(m.start));
    if text[m.start..m.end].is_ascii() {
        let before = ctx.skip_spaces_back(m.start);
        let word_start = text[..before]
            .trim_end_matches(|c: char| c.is_ascii_alphanumeric())
            .len();
        if others_subject(ctx, m.start)
            || (POSTPOSED_CANCELS.contains(&&text[m.start..m.end])
                && word_start < before
                && word_start >= clause_start
                && is_content_at(ctx, word_start))
        {
            return true;
        }
    } else if text[clause_start..m.start].contains(OTHER_PERSONS_ZH) {
        return true;
    }
    // English words part at spaces ("cancel my netflix"); a space between
    // Chinese words ends the clause ("不要了 吃不完").
    let after = if text[m.start..m.end].is_ascii() {
        ctx.skip_articles(m.end)
    } else {
        m.end
    };
    if is_content_at(ctx, after) {
        return true;
    }
    let Some(c) = text[..m.start].chars().next_back() else {
        return false;
    };
    let p = m.start - c.len_utf8();
    let the_order = GENERIC_COUNT_WORDS.contains(&&text[p..m.start])
        || ctx.units.longest(text, p) == Some(m.start - p);
    if !is_cjk(c) || !is_content_at(ctx, p) || the_order {
        return false;
    }
    // A thing pointed at (这局, 这首歌, 这个皮肤, 那把) or put before the verb
    // by 把 (把静音取消), not a product word the catalog spells only in
    // longer names ("苹果不要了") nor 它 (the order: "把它取消").
    let mut q = p;
    let mut classifier = false;
    for _ in 0..4 {
        let Some(d) = text[..q].chars().next_back() else {
            return false;
        };
        q -= d.len_utf8();
        if matches!(d, '这' | '那' | '這') {
            return true;
        }
        if d == '把' && q >= clause_start && !classifier {
            return !matches!(&text[q + d.len_utf8()..m.start], "它" | "它们");
        }
        // One classifier between a demonstrative and its noun (这个皮肤).
        if !classifier && DEMONSTRATED_BY.contains(&d) {
            classifier = true;
            continue;
        }
        if classifier || !is_content_at(ctx, q) {
            return false;
        }
    }
    false
}

/// Classifiers a demonstrative counts a noun with ("这个皮肤", "那首歌").
const DEMONSTRATED_BY: &[char] = &[
    '个', '首', '局', '把', '张', '部', '款', '套', '条', '只', '位', '种',
];

#[cfg(test)]
mod tests {
    use super::super::testing::Message;
    use super::super::{mood, senses};
    use super::*;

    const PRODUCTS: &[(&str, &str)] = &[("小米", "袋"), ("核桃", "袋")];

    /// An intent read, as (kind, product, qty, confidence).
    type Read = (IntentKind, Option<usize>, Option<u32>, f32);

    /// The amendments read in `text`, and whether any was.
    fn amendments(text: &str) -> (Vec<Read>, bool) {
        let (mut dead, mut asked) = (Vec::new(), Vec::new());
        let (mut state, mut used, mut withdrawn) = (Vec::new(), Vec::new(), Vec::new());
        let (mut cancel_clauses, mut out) = (Vec::new(), Vec::new());
        let handled = Message::new(PRODUCTS, text).read(|ctx, clauses| {
            let mood = mood::read(ctx, clauses.a_not_a, &mut dead, &mut asked);
            let mut senses = senses::read(ctx, &mood, &mut state, &mut used, &mut withdrawn);
            read(ctx, &mood, &mut senses, &mut cancel_clauses, &mut out)
        });
        let read = out
            .iter()
            .map(|i| (i.kind, i.product, i.qty, i.confidence))
            .collect();
        (read, handled)
    }

    use IntentKind::*;

    #[test]
    fn a_cancel_cancels_the_products_of_its_clause_else_the_senders_orders() {
        assert_eq!(
            amendments("取消订单"),
            (vec![(Cancel, None, None, 0.85)], true)
        );
        assert_eq!(
            amendments("取消小米"),
            (vec![(Cancel, Some(0), None, 0.9)], true)
        );
    }

    #[test]
    fn a_cancel_word_with_an_object_of_its_own_cancels_nothing() {
        for text in ["取消关注", "这局算了", "这首歌算了", "cancel my netflix"] {
            assert_eq!(amendments(text), (vec![], false), "{text}");
        }
        // The order itself, a conjunction or a clause after: still a cancel.
        for text in ["刚才那单取消一下", "那算了", "不要了 吃不完", "cancel"] {
            assert_eq!(
                amendments(text).0,
                vec![(Cancel, None, None, 0.85)],
                "{text}"
            );
        }
    }

    #[test]
    fn a_final_refusal_with_nothing_else_ordered_withdraws() {
        assert_eq!(
            amendments("不要小米了"),
            (vec![(Cancel, Some(0), None, 0.75)], true)
        );
        // Beside another product still live it only refuses.
        assert_eq!(amendments("不要小米了,核桃来两袋"), (vec![], false));
    }

    #[test]
    fn each_change_word_takes_the_first_number_after_it() {
        assert_eq!(
            amendments("小米改成两袋,核桃改成一袋"),
            (
                vec![
                    (Change, Some(0), Some(2), 0.9),
                    (Change, Some(1), Some(1), 0.9)
                ],
                true
            )
        );
        assert_eq!(
            amendments("改成3袋"),
            (vec![(Change, None, Some(3), 0.85)], true)
        );
    }

    #[test]
    fn a_condition_amends_nothing() {
        assert_eq!(amendments("要是有货就取消小米"), (vec![], false));
    }
}
