//! A word list compiled for leftmost-longest search (product words in
//! `matcher`, the marker vocabulary in `lexicon`), searched by a loop of
//! its own over an Aho-Corasick DFA.
//!
//! Why not `AhoCorasick::find_iter`: a chat message is a dozen bytes, and
//! behind `AhoCorasick` every search goes through a `dyn` automaton, checks
//! its input, and steps each byte through calls that cannot be inlined:
//! about twelve instructions a byte and a hundred a search, most of the
//! engine's cost in these two look-ups. The DFA's own transition functions
//! inline into the loop below, which does exactly what the library's
//! leftmost-longest unanchored search does (`try_find_fwd` with no
//! prefilter), so the matches are the same ones.

use aho_corasick::automaton::Automaton;
use aho_corasick::dfa::DFA;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, Anchored, Input, MatchKind};
use std::ops::Range;

/// Compiled words: a DFA, or for a very large list (whose DFA would take
/// long to build) the library's default automaton.
// Two of these per engine: the DFA kept inline saves a load per search.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Words {
    Dfa(DFA),
    General(AhoCorasick),
}

impl Words {
    /// Leftmost-longest over `patterns`; a DFA when `dfa`. `None` when the
    /// list cannot be compiled (too large), as the library says.
    pub(crate) fn new<I, P>(patterns: I, dfa: bool) -> Option<Words>
    where
        I: IntoIterator<Item = P>,
        P: AsRef<[u8]>,
    {
        if dfa {
            DFA::builder()
                .match_kind(MatchKind::LeftmostLongest)
                .prefilter(false)
                .build(patterns)
                .ok()
                .map(Words::Dfa)
        } else {
            AhoCorasickBuilder::new()
                .match_kind(MatchKind::LeftmostLongest)
                .prefilter(false)
                .build(patterns)
                .ok()
                .map(Words::General)
        }
    }

    /// Calls `found(start, end, pattern index)` for each match in
    /// `text[span]`, left to right, not overlapping.
    #[inline]
    pub(crate) fn each_match(
        &self,
        text: &str,
        span: Range<usize>,
        mut found: impl FnMut(usize, usize, usize),
    ) {
        match self {
            Words::Dfa(dfa) => each_dfa_match(dfa, text.as_bytes(), span, found),
            Words::General(ac) => {
                for m in ac.find_iter(Input::new(text).span(span)) {
                    found(m.start(), m.end(), m.pattern().as_usize());
                }
            }
        }
    }
}

/// The leftmost-longest search loop of aho-corasick's `try_find_fwd`
/// (unanchored, no prefilter, patterns never empty), restarted after each
/// match like its `find_iter`.
#[inline]
fn each_dfa_match(
    dfa: &DFA,
    hay: &[u8],
    span: Range<usize>,
    mut found: impl FnMut(usize, usize, usize),
) {
    let end = span.end.min(hay.len());
    let Ok(start_state) = dfa.start_state(Anchored::No) else {
        return;
    };
    let mut at = span.start;
    while at < end {
        let mut sid = start_state;
        // The longest match so far of this search, as (pattern, end).
        let mut best: Option<(aho_corasick::PatternID, usize)> = None;
        let mut i = at;
        while i < end {
            sid = dfa.next_state(Anchored::No, sid, hay[i]);
            i += 1;
            if dfa.is_special(sid) {
                if dfa.is_dead(sid) {
                    break;
                }
                if dfa.is_match(sid) {
                    best = Some((dfa.match_pattern(sid, 0), i));
                }
            }
        }
        let Some((pattern, match_end)) = best else {
            return;
        };
        let len = dfa.pattern_len(pattern);
        found(match_end - len, match_end, pattern.as_usize());
        at = match_end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The loop finds what the library's own iterator finds.
    #[test]
    fn same_matches_as_the_library() {
        let patterns = [
            "来",
            "再来",
            "来两袋",
            "小米",
            "小米锅巴",
            "ab",
            "abc",
            "bcd",
            "x",
            "来自",
        ];
        let dfa = Words::new(patterns, true).unwrap();
        let general = Words::new(patterns, false).unwrap();
        let texts = [
            "小米锅巴来两袋再来一袋",
            "abcd xabcdx bcd",
            "来自远方来来",
            "",
            "no match here",
            "小米小米锅巴小",
        ];
        for text in texts {
            for span in [0..text.len(), 3.min(text.len())..text.len()] {
                if !text.is_char_boundary(span.start) {
                    continue;
                }
                let mut a = Vec::new();
                let mut b = Vec::new();
                dfa.each_match(text, span.clone(), |s, e, p| a.push((s, e, p)));
                general.each_match(text, span.clone(), |s, e, p| b.push((s, e, p)));
                assert_eq!(a, b, "{text:?} {span:?}");
            }
        }
        let mut a = Vec::new();
        dfa.each_match(
            "小米锅巴来两袋",
            0.."小米锅巴来两袋".len(),
            |s, e, p| a.push((s, e, p)),
        );
        assert_eq!(a, [(0, 12, 4), (12, 21, 2)]);
    }
}
