//! The second stage: where the message's clauses end. Owns the cut points:
//! punctuation (and a space between Chinese words), a sentence-final
//! question particle or an "A不A" question with more words after it, and a
//! word for now that starts a clause of its own. Also finds the "A不A"
//! questions themselves, as their ends are cuts.

use super::super::lexicon::{Marker, MarkerHit, NOW_WORDS};
use super::context::is_cjk;
use super::tokens::Tokens;

/// Where one message's clauses end.
#[derive(Clone, Copy)]
pub(super) struct Clauses<'a> {
    /// Byte offsets of the cuts, sorted, no two alike. Clause `i` runs from
    /// cut `i - 1` to cut `i`.
    pub(super) cuts: &'a [usize],
    /// End offsets of the "A不A" questions and clause-final 不 / 没.
    pub(super) a_not_a: &'a [usize],
}

/// Cuts the message of `tokens` into clauses, into the reused lists.
#[inline]
pub(super) fn cut<'a>(
    tokens: &Tokens<'_>,
    cuts: &'a mut Vec<usize>,
    a_not_a: &'a mut Vec<usize>,
) -> Clauses<'a> {
    let Tokens { text, markers, .. } = *tokens;
    clause_puncts(text, cuts);
    // A sentence-final question particle ends its clause even without
    // punctuation: "黑豆好吃吗我买两袋" asks, then orders.
    let particle_cuts = markers.iter().filter(|m| {
        m.marker == Marker::Question
            && matches!(&text[m.start..m.end], "吗" | "呢" | "么")
            && text[m.end..]
                .trim_start_matches(' ')
                .chars()
                .next()
                .is_some_and(|c| !is_clause_punct(c))
    });
    let punct_cuts = cuts.len();
    cuts.extend(particle_cuts.map(|m| m.start));
    // "A不A" asks too ("辣不辣", "好吃不好吃") and ends its clause the same way.
    a_not_a_questions(text, markers, a_not_a);
    for &end in a_not_a.iter() {
        let follows = text[end..]
            .trim_start_matches(' ')
            .chars()
            .next()
            .is_some_and(|c| !is_clause_punct(c));
        if follows {
            cuts.push(end - 1);
        }
    }
    // "…吃完了今年再给我来两瓶": a word for now starts a clause of its own.
    cuts.extend(
        markers
            .iter()
            .filter(|m| m.start > 0 && NOW_WORDS.contains(&&text[m.start..m.end]))
            .map(|m| m.start),
    );
    if cuts.len() > punct_cuts {
        cuts.sort_unstable();
        cuts.dedup();
    }
    Clauses { cuts, a_not_a }
}

/// Clause-ending punctuation (after NFKC, full-width forms are ASCII).
pub(super) fn is_clause_punct(c: char) -> bool {
    matches!(
        c,
        ',' | '.' | '。' | '!' | '?' | ';' | ':' | '、' | '~' | '\n' | '…'
    )
}

/// The byte offsets of clause-ending punctuation in `text`, into `out`:
/// `is_clause_punct` read off the bytes, as that is all ASCII but for three
/// characters led by 0xE2 and 0xE3; every other character is stepped over
/// whole by its lead byte (no decoding of the ideographs between).
#[inline]
fn clause_puncts(text: &str, out: &mut Vec<usize>) {
    out.clear();
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let (punct, len) = match b[i] {
            // A decimal point (39.9) ends nothing.
            b'.' => (
                !(i > 0
                    && b[i - 1].is_ascii_digit()
                    && b.get(i + 1).is_some_and(u8::is_ascii_digit)),
                1,
            ),
            b',' | b'!' | b'?' | b';' | b':' | b'~' | b'\n' => (true, 1),
            // A space between Chinese words, or after a number before one,
            // ends a clause in chat that has no punctuation ("挂面不要了
            // 给我来两袋面粉"); between English words it does not.
            b' ' => (
                i > 0
                    && (b[i - 1] >= 0x80 || b[i - 1].is_ascii_digit())
                    && b.get(i + 1).is_some_and(|&n| n >= 0xC0),
                1,
            ),
            // 、 U+3001 and 。 U+3002
            0xE3 => (b[i + 1] == 0x80 && matches!(b[i + 2], 0x81 | 0x82), 3),
            // … U+2026
            0xE2 => (b[i + 1] == 0x80 && b[i + 2] == 0xA6, 3),
            0x00..=0x7F => (false, 1),
            // (A continuation byte never stands at a character's start.)
            0x80..=0xDF => (false, 1 + usize::from(b[i] >= 0xC0)),
            0xE0..=0xEF => (false, 3),
            _ => (false, 4),
        };
        if punct {
            out.push(i);
        }
        i += len;
    }
}

/// End offsets of "A不A" questions (辣不辣, 好吃不好吃) that no marker
/// already reads (要不要 is a question marker, 买不买 holds 不买), and of
/// the northern clause-final 不 / 没(有) that make a question of what comes
/// before ("包邮不", "拍两单能送点松子不", "发货了没").
#[inline]
fn a_not_a_questions(text: &str, markers: &[MarkerHit], out: &mut Vec<usize>) {
    out.clear();
    let covered = |i: usize| {
        let k = markers.partition_point(|m| m.end <= i);
        markers.get(k).is_some_and(|m| m.start <= i)
    };
    // 没 / 没有 are markers of their own (Word); 不 is searched for.
    let nots = markers
        .iter()
        .filter(|m| m.marker == Marker::Word && text[m.start..].starts_with('没'))
        .map(|m| (m.start, m.end, false));
    let bus = text
        .match_indices('不')
        .filter(|&(i, _)| !covered(i))
        .map(|(i, w)| (i, i + w.len(), true));
    for (i, end, bu) in bus.chain(nots) {
        let clause_final = text[end..]
            .trim_start_matches(' ')
            .chars()
            .next()
            .is_none_or(is_clause_punct);
        if clause_final && text[..i].chars().next_back().is_some_and(is_cjk) {
            out.push(end);
            continue;
        }
        if !bu {
            continue;
        }
        let (before, after) = (&text[..i], &text[i + '不'.len_utf8()..]);
        // The repeated part: one or two ideographs.
        for n in [2usize, 1] {
            let tail_start = before.char_indices().rev().nth(n - 1).map(|(j, _)| j);
            let Some(j) = tail_start else { continue };
            let a = &before[j..];
            if a.chars().all(is_cjk) && after.starts_with(a) {
                out.push(i + '不'.len_utf8() + a.len());
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{clause_texts, Message};
    use super::*;

    fn clauses_of(text: &str) -> Vec<String> {
        Message::new(&[("小米", "袋"), ("黑豆", "袋")], text).read(|ctx, _| clause_texts(ctx))
    }

    #[test]
    fn punctuation_ends_a_clause_but_a_decimal_point_does_not() {
        assert_eq!(clauses_of("小米39.9,来两袋"), ["小米39.9", "来两袋"]);
        assert_eq!(clauses_of("小米。来两袋!好"), ["小米", "来两袋", "好"]);
    }

    #[test]
    fn a_space_ends_a_clause_between_chinese_words_only() {
        assert_eq!(
            clauses_of("挂面不要了 给我来两袋小米"),
            ["挂面不要了", "给我来两袋小米"]
        );
        assert_eq!(clauses_of("2 bags of 小米"), ["2 bags of 小米"]);
        assert_eq!(clauses_of("来2 小米"), ["来2", "小米"]);
    }

    #[test]
    fn a_question_particle_with_words_after_it_ends_its_clause() {
        assert_eq!(clauses_of("黑豆好吃吗我买两袋"), ["黑豆好吃", "吗我买两袋"]);
        // At the end it needs no cut of its own.
        assert_eq!(clauses_of("黑豆好吃吗"), ["黑豆好吃吗"]);
    }

    #[test]
    fn an_a_not_a_question_is_found_and_ends_its_clause() {
        let mut message = Message::new(&[("黑豆", "袋")], "黑豆辣不辣来两袋");
        let (clauses, a_not_a) = message.read(|ctx, c| (clause_texts(ctx), c.a_not_a.to_vec()));
        assert_eq!(clauses, ["黑豆辣不辣", "来两袋"]);
        assert_eq!(a_not_a, ["黑豆辣不辣".len()]);
        // A clause-final 不 asks too ("包邮不"), and cuts nothing.
        let mut message = Message::new(&[("黑豆", "袋")], "黑豆包邮不");
        let a_not_a = message.read(|_, c| c.a_not_a.to_vec());
        assert_eq!(a_not_a, ["黑豆包邮不".len()]);
        // 不 inside a marker (不要) is no question.
        let mut message = Message::new(&[("黑豆", "袋")], "黑豆不要");
        assert!(message.read(|_, c| c.a_not_a.is_empty()));
    }

    #[test]
    fn a_word_for_now_starts_a_clause() {
        assert_eq!(
            clauses_of("小米吃完了今年再给我来两袋"),
            ["小米吃完了", "今年再给我来两袋"]
        );
    }

    #[test]
    fn clause_punctuation_is_found_from_the_bytes() {
        let text: String = ('\0'..='\u{FFFF}')
            .filter(|c| !c.is_control() || *c == '\n')
            .collect();
        let expected: Vec<usize> = text
            .char_indices()
            .filter(|&(_, c)| is_clause_punct(c))
            .map(|(i, _)| i)
            .collect();
        let mut found = Vec::new();
        clause_puncts(&text, &mut found);
        assert_eq!(found, expected);
        assert_eq!(expected.len(), 11);
    }
}
