//! The first stage: the words and numbers between the product words. Finds
//! the lexicon's markers (verbs, question, past, plan, refusal… words) in
//! the gaps the product words leave, reads a few markers again by what
//! stands after them, and finds the numbers outside both. Owns the rule
//! that product words win over markers and both over numbers, and the
//! early exit for chat that nothing below could read an order into.

use super::super::lexicon::{Lexicon, Marker, MarkerHit, PLAN_TIMES_BEFORE_ZAI};
use super::super::matcher::Mention;
use super::super::numbers::{self, NumToken};
use super::clauses::is_clause_punct;

/// How far back from a 再 a plan's cue is looked for.
const PLAN_LOOKBACK_CHARS: usize = 12;

/// One message's tokens: product words, markers and numbers, each sorted
/// by start and none overlapping another.
#[derive(Clone, Copy)]
pub(super) struct Tokens<'a> {
    pub(super) text: &'a str,
    pub(super) mentions: &'a [Mention],
    pub(super) markers: &'a [MarkerHit],
    pub(super) nums: &'a [NumToken],
}

/// Fills `markers` and `nums` for `text`, whose product words are
/// `mentions`. `None` when the message names no product, holds no number
/// and no verb that acts: nothing later can read an intent into it.
#[inline]
pub(super) fn find<'a>(
    lexicon: &Lexicon,
    text: &'a str,
    mentions: &'a [Mention],
    markers: &'a mut Vec<MarkerHit>,
    nums: &'a mut Vec<NumToken>,
) -> Option<Tokens<'a>> {
    markers.clear();
    nums.clear();
    // Product words win over markers (markers are found only between
    // them), and both over numbers inside them.
    lexicon.find_between(text, mentions.iter().map(|m| (m.start, m.end)), markers);
    plans_before_zai(text, markers);
    refine_markers(text, mentions, markers);
    numbers::scan(text, nums);
    let markers: &[MarkerHit] = markers;
    nums.retain(|n| {
        !overlaps_sorted(mentions, |x| (x.start, x.end), n.start, n.end)
            && !overlaps_sorted(markers, |x| (x.start, x.end), n.start, n.end)
    });
    // Most chat names no product, holds no number and no verb that acts:
    // nothing below can read an intent into it, so stop here.
    let acts = |m: &MarkerHit| {
        matches!(
            m.marker,
            Marker::Buy
                | Marker::BuyIfObject
                | Marker::BuyIfProduct
                | Marker::BuyIfCounted
                | Marker::BoughtIfObject
                | Marker::Kou
                | Marker::Cancel
                | Marker::Change
                | Marker::This
                | Marker::Each
        )
    };
    if mentions.is_empty() && nums.is_empty() && !markers.iter().any(acts) {
        return None;
    }
    Some(Tokens {
        text,
        mentions,
        markers,
        nums,
    })
}

/// Whether `start..end` overlaps an item of `items` (sorted, non-overlapping).
fn overlaps_sorted<T>(
    items: &[T],
    span: impl Fn(&T) -> (usize, usize),
    start: usize,
    end: usize,
) -> bool {
    let i = items.partition_point(|x| span(x).1 <= start);
    items.get(i).is_some_and(|x| span(x).0 < end)
}

/// Words that point at what an English verb acts on.
const DETERMINERS: &[&str] = &["that", "this", "these", "those", "your", "our"];

/// Reads two words by what stands after them: a no-buy word before a product
/// refuses that product, as 不要 does, instead of every order of the
/// message ("don't want the chips, give me 2 honey", "不买小米，买核桃"); an
/// English cancel word before a word that is no marker and no product is a
/// noun, not a withdrawal ("cancel culture"). Look-ups are binary searches:
/// a long message stays linear.
#[inline]
fn refine_markers(text: &str, mentions: &[Mention], markers: &mut Vec<MarkerHit>) {
    let mention_at = |p: usize| mentions.binary_search_by_key(&p, |m| m.start).is_ok();
    for marker in markers.iter_mut() {
        if marker.marker != Marker::NoBuy {
            continue;
        }
        let mut p = marker.end;
        loop {
            let rest = &text[p..];
            let trimmed = rest.trim_start_matches(' ');
            let skipped = ["the ", "my ", "those ", "these "]
                .iter()
                .find(|a| trimmed.starts_with(**a))
                .map_or(0, |a| a.len());
            p += rest.len() - trimmed.len() + skipped;
            if skipped == 0 {
                break;
            }
        }
        if mention_at(p) {
            marker.marker = Marker::Refuse;
        }
    }
    let is_noun = |markers: &[MarkerHit], m: &MarkerHit| {
        if m.marker != Marker::Cancel || !text[m.start..m.end].is_ascii() {
            return false;
        }
        let mut next = m.end + text[m.end..].len() - text[m.end..].trim_start_matches(' ').len();
        // Past determiners to the word they point at ("cancel that order");
        // one ending the clause is the thing itself ("cancel that").
        while let Some(word) = DETERMINERS.iter().find(|w| {
            text[next..].starts_with(**w)
                && !text[next + w.len()..].starts_with(|c: char| c.is_ascii_alphanumeric())
        }) {
            let after = next + word.len();
            let spaced = after + text[after..].len() - text[after..].trim_start_matches(' ').len();
            if spaced == after || !text[spaced..].starts_with(|c: char| c.is_ascii_alphabetic()) {
                return false;
            }
            next = spaced;
        }
        next > m.end
            && text
                .as_bytes()
                .get(next)
                .is_some_and(u8::is_ascii_alphabetic)
            && markers.binary_search_by_key(&next, |n| n.start).is_err()
            && !mention_at(next)
    };
    // "满100减10": 减 after 满 and a sum is a discount, not fewer units.
    for marker in markers.iter_mut() {
        if marker.marker == Marker::NoBuy && &text[marker.start..marker.end] == "减" {
            let before =
                text[..marker.start].trim_end_matches(|c: char| c.is_ascii_digit() || c == ' ');
            if before.len() < marker.start && before.ends_with('满') {
                marker.marker = Marker::Word;
            }
        }
    }
    if !markers.iter().any(|m| is_noun(markers, m)) {
        return;
    }
    let nouns: Vec<usize> = markers
        .iter()
        .filter(|m| is_noun(markers, m))
        .map(|m| m.start)
        .collect();
    markers.retain(|m| nouns.binary_search(&m.start).is_err());
}

/// "考完试再来买", "过年再订": something to get done or to wait for, then
/// 再 and the buying, is a plan. Adds a plan marker where the clause before
/// a 再 holds 完 (not 完了: "吃完了再来两袋" orders) or ends in a time or
/// event word.
#[inline]
fn plans_before_zai(text: &str, markers: &mut Vec<MarkerHit>) {
    let mut added = false;
    // Every 再 is in a marker (再, 再来, 再加, 再要).
    for k in 0..markers.len() {
        let z = markers[k].start;
        if !text[z..].starts_with('再') {
            continue;
        }
        // A dozen characters back at most: the cue sits near its 再, and a
        // long message stays linear.
        let clause_start = text[..z]
            .char_indices()
            .rev()
            .take(PLAN_LOOKBACK_CHARS)
            .find(|&(_, c)| is_clause_punct(c))
            .map(|(i, c)| i + c.len_utf8())
            .unwrap_or_else(|| {
                text[..z]
                    .char_indices()
                    .rev()
                    .take(PLAN_LOOKBACK_CHARS)
                    .last()
                    .map_or(z, |(i, _)| i)
            });
        let before = &text[clause_start..z];
        let done = before
            .match_indices('完')
            .find(|(i, _)| !before[i + '完'.len_utf8()..].starts_with('了'));
        let plan = done
            .map(|(i, w)| (clause_start + i, clause_start + i + w.len()))
            .or_else(|| {
                let trimmed = before.trim_end_matches(' ');
                PLAN_TIMES_BEFORE_ZAI
                    .iter()
                    .find(|w| trimmed.ends_with(**w))
                    .map(|w| {
                        (
                            clause_start + trimmed.len() - w.len(),
                            clause_start + trimmed.len(),
                        )
                    })
            });
        if let Some((start, end)) = plan {
            if !overlaps_sorted(markers, |m| (m.start, m.end), start, end) {
                markers.push(MarkerHit {
                    start,
                    end,
                    marker: Marker::Future,
                });
                added = true;
            }
        }
    }
    if added {
        markers.sort_unstable_by_key(|m| m.start);
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::Message;
    use super::*;

    const PRODUCTS: &[(&str, &str)] = &[("小米", "袋"), ("藕带", "瓶"), ("核桃", "袋")];

    /// The markers found, as (text, kind).
    fn markers(text: &str) -> Vec<(String, Marker)> {
        let mut message = Message::new(PRODUCTS, text);
        let tokens = message.tokens().expect("something to read");
        tokens
            .markers
            .iter()
            .map(|m| (tokens.text[m.start..m.end].to_string(), m.marker))
            .collect()
    }

    #[test]
    fn a_product_word_wins_over_a_marker_that_would_straddle_it() {
        // 带来 ("bring") would swallow the 带 of 藕带.
        let mut message = Message::new(PRODUCTS, "藕带来两瓶");
        let tokens = message.tokens().expect("something to read");
        let text = tokens.text;
        assert!(tokens.markers.iter().all(|m| m.start >= "藕带".len()));
        assert_eq!(&text[tokens.markers[0].start..tokens.markers[0].end], "来");
        assert_eq!(tokens.nums.len(), 1);
        assert_eq!(tokens.nums[0].value, 2);
    }

    #[test]
    fn chat_with_no_product_number_or_acting_verb_is_not_read() {
        assert!(Message::new(PRODUCTS, "主播好漂亮哈哈哈")
            .tokens()
            .is_none());
        assert!(Message::new(PRODUCTS, "来两袋").tokens().is_some());
        assert!(Message::new(PRODUCTS, "小米").tokens().is_some());
        assert!(Message::new(PRODUCTS, "第3次来").tokens().is_some());
    }

    #[test]
    fn a_no_buy_word_before_a_product_refuses_that_product() {
        assert!(markers("不买小米,买核桃").contains(&("不买".into(), Marker::Refuse)));
        assert!(markers("我不买,小米").contains(&("不买".into(), Marker::NoBuy)));
    }

    #[test]
    fn an_english_cancel_word_before_another_word_is_a_noun() {
        assert!(!markers("cancel culture 小米")
            .iter()
            .any(|(_, k)| *k == Marker::Cancel));
        assert!(markers("cancel 小米")
            .iter()
            .any(|(_, k)| *k == Marker::Cancel));
    }

    #[test]
    fn jian_after_man_and_a_sum_is_a_discount() {
        let found = markers("满100减10");
        assert!(found.contains(&("减".into(), Marker::Word)), "{found:?}");
    }

    #[test]
    fn something_to_finish_before_zai_is_a_plan() {
        let found = markers("考完试再来买小米");
        assert!(found.contains(&("完".into(), Marker::Future)), "{found:?}");
        // 完了 is done already: "吃完了再来两袋" orders.
        let found = markers("吃完了再来两袋小米");
        assert!(
            !found.iter().any(|(_, k)| *k == Marker::Future),
            "{found:?}"
        );
    }
}
