//! Chat text is hostile: this module makes any string safe to draw, and to
//! keep (sources clean every message at ingestion, before the model, the
//! database or the screen sees it; views clean again at their own width). It drops
//! terminal escape sequences, control characters, bidi overrides, zero-width
//! and tag characters, tames combining-mark floods, folds whitespace to single
//! spaces and caps the length, so one message cannot move the cursor, recolour
//! the screen, reverse a line or break column alignment.

use std::ops::Range;
use unicode_width::UnicodeWidthChar;

/// Longest text kept for display, in characters; chat lines are one row anyway.
pub const MAX_CHARS: usize = 400;
/// Combining marks allowed on one base character (enough for real scripts).
const MAX_COMBINING: usize = 3;

/// Returns `text` made safe for the terminal.
pub fn sanitize(text: &str) -> String {
    clean(text, MAX_CHARS, is_invisible)
        .into_iter()
        .map(|(c, _)| c)
        .collect()
}

/// Returns `text` safe to keep, as sources make every message at ingestion:
/// escape sequences, controls, bidi controls, zero-width and tag characters
/// gone, whitespace folded, combining floods tamed, at most `max_chars`
/// characters. Unlike `sanitize` it keeps what only drawing minds (emoji
/// variation selectors, flags, skin tones): the text stays the buyer's.
pub fn sanitize_capped(text: &str, max_chars: usize) -> String {
    clean(text, max_chars, is_steering)
        .into_iter()
        .map(|(c, _)| c)
        .collect()
}

/// Characters that hide text or steer how the rest reads (the list:
/// controls, bidi embeddings, overrides, isolates and marks, zero-width and
/// tag characters).
fn is_steering(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{00ad}'
            | '\u{061c}'
            | '\u{200b}'..='\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2060}'..='\u{206f}'
            | '\u{feff}'
            | '\u{fff9}'..='\u{fffb}'
            | '\u{e0000}'..='\u{e007f}'
        )
}

/// Splits `text` into (piece, is_evidence) runs, sanitized as a whole: a
/// character is evidence when its source byte lies in one of the `evidence`
/// ranges. Ranges out of bounds or reversed simply match nothing, so a faulty
/// engine can never make drawing fail.
pub fn highlight_segments(text: &str, evidence: &[Range<usize>]) -> Vec<(String, bool)> {
    let mut out: Vec<(String, bool)> = Vec::new();
    for (c, at) in clean(text, MAX_CHARS, is_invisible) {
        let marked = evidence.iter().any(|r| r.contains(&at)) && c != ' ';
        match out.last_mut() {
            Some((run, run_marked)) if *run_marked == marked => run.push(c),
            _ => out.push((c.to_string(), marked)),
        }
    }
    out
}

/// The sanitizer's core: kept characters with the byte offset each came from.
fn clean(text: &str, max_chars: usize, dropped: fn(char) -> bool) -> Vec<(char, usize)> {
    let mut out: Vec<(char, usize)> = Vec::with_capacity(text.len().min(max_chars));
    let mut combining = 0usize;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if out.len() >= max_chars {
            break;
        }
        match c {
            '\u{1b}' => skip_escape(&mut chars),
            // C1 CSI: the 8-bit form of ESC [.
            '\u{9b}' => skip_csi_body(&mut chars),
            '\t' | '\n' | '\r' | '\u{0b}' | '\u{0c}' | '\u{85}' | '\u{2028}' | '\u{2029}' | ' ' => {
                // Runs of whitespace become one space; none at the start.
                if out.last().is_some_and(|&(last, _)| last != ' ') {
                    out.push((' ', at));
                }
                combining = 0;
            }
            c if dropped(c) => {}
            c => {
                if c.width() == Some(0) {
                    // A combining mark: keep a few on a base character, drop the flood.
                    if out.is_empty() || combining >= MAX_COMBINING {
                        continue;
                    }
                    combining += 1;
                } else {
                    combining = 0;
                }
                out.push((c, at));
            }
        }
    }
    if out.last().is_some_and(|&(last, _)| last == ' ') {
        out.pop();
    }
    out
}

/// Characters that draw nothing yet change how the rest draws (or hide text).
fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{00ad}'                  // soft hyphen
            | '\u{061c}'                // Arabic letter mark
            | '\u{115f}' | '\u{1160}'   // Hangul fillers
            | '\u{180e}'                // Mongolian vowel separator
            | '\u{200b}'..='\u{200f}'   // zero-width space/joiners, LRM, RLM
            | '\u{202a}'..='\u{202e}'   // bidi embeddings and overrides
            | '\u{2060}'..='\u{206f}'   // word joiner, invisible operators, bidi isolates
            | '\u{3164}'                // Hangul filler
            | '\u{fe00}'..='\u{fe0f}'   // variation selectors
            | '\u{feff}'                // BOM / zero-width no-break space
            | '\u{fff9}'..='\u{fffb}'   // interlinear annotations
            | '\u{e0000}'..='\u{e007f}' // tag characters
            | '\u{e0100}'..='\u{e01ef}' // variation selectors supplement
            // Regional indicators (flags) and skin-tone modifiers: terminals
            // join them with their neighbour into one glyph of a width the
            // width tables cannot predict, which smears the rows below.
            | '\u{1f1e6}'..='\u{1f1ff}'
            | '\u{1f3fb}'..='\u{1f3ff}'
        )
}

/// Skips the rest of an escape sequence whose ESC was just read.
fn skip_escape(chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>) {
    match chars.next().map(|(_, c)| c) {
        Some('[') => skip_csi_body(chars),
        // OSC, DCS, SOS, PM, APC: strings ended by BEL or ST (ESC \).
        Some(']' | 'P' | 'X' | '^' | '_') => {
            while let Some((_, c)) = chars.next() {
                if c == '\u{07}' || c == '\u{9c}' {
                    break;
                }
                if c == '\u{1b}' {
                    if chars.peek().is_some_and(|&(_, next)| next == '\\') {
                        chars.next();
                    }
                    break;
                }
            }
        }
        // nF sequences: intermediates then one final byte.
        Some(c) if ('\u{20}'..='\u{2f}').contains(&c) => {
            while let Some(&(_, next)) = chars.peek() {
                chars.next();
                if !('\u{20}'..='\u{2f}').contains(&next) {
                    break;
                }
            }
        }
        // Two-character sequences (ESC 7, ESC c, ...): the one character is consumed.
        _ => {}
    }
}

/// Skips CSI parameters and intermediates up to and including the final byte.
fn skip_csi_body(chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>) {
    for (_, c) in chars.by_ref() {
        if ('\u{40}'..='\u{7e}').contains(&c) {
            break;
        }
        if !('\u{20}'..='\u{3f}').contains(&c) {
            // Not a CSI byte: the sequence was malformed; stop swallowing text.
            break;
        }
    }
}

#[cfg(test)]
// Evidence is a list of ranges; one-range lists are the point of these tests.
#[allow(clippy::single_range_in_vec_init)]
mod tests {
    use super::*;
    use unicode_width::UnicodeWidthStr;

    #[test]
    fn plain_text_passes_through() {
        assert_eq!(sanitize("小米来两袋 👍 thanks"), "小米来两袋 👍 thanks");
        assert_eq!(sanitize("café"), "café");
    }

    #[test]
    fn ansi_sequences_are_removed() {
        assert_eq!(sanitize("\x1b[31mred\x1b[0m text"), "red text");
        assert_eq!(sanitize("a\x1b[2J\x1b[Hb"), "ab");
        assert_eq!(sanitize("x\x1b]0;pwned title\x07y"), "xy");
        assert_eq!(
            sanitize("x\x1b]8;;http://e.vil\x1b\\link\x1b]8;;\x1b\\y"),
            "xlinky"
        );
        assert_eq!(sanitize("a\u{9b}31mb"), "ab");
        assert_eq!(sanitize("a\x1b7b\x1b8c"), "abc");
        assert_eq!(sanitize("a\x1b(0b"), "ab");
    }

    #[test]
    fn controls_and_line_breaks_become_at_most_one_space() {
        assert_eq!(sanitize("one\r\ntwo\tthree\x07\x08\x00"), "one two three");
        assert_eq!(sanitize("\r\r\rfake line"), "fake line");
        assert_eq!(sanitize("a\u{7f}b\u{85}c"), "ab c");
    }

    #[test]
    fn bidi_and_zero_width_are_removed() {
        assert_eq!(sanitize("abc\u{202e}fed\u{202c}"), "abcfed");
        assert_eq!(sanitize("\u{2066}x\u{2069}"), "x");
        assert_eq!(sanitize("小\u{200b}米\u{feff}"), "小米");
        assert_eq!(sanitize("hi\u{e0041}\u{e0042}"), "hi");
    }

    #[test]
    fn combining_floods_are_capped() {
        let zalgo = format!("a{}b", "\u{0301}".repeat(50));
        let clean = sanitize(&zalgo);
        assert_eq!(clean.chars().count(), 2 + MAX_COMBINING);
        assert_eq!(clean.width(), 2);
        // A leading combining mark has nothing to sit on.
        assert_eq!(sanitize("\u{0301}x"), "x");
    }

    #[test]
    fn long_text_is_capped() {
        let long = "好".repeat(MAX_CHARS * 3);
        assert_eq!(sanitize(&long).chars().count(), MAX_CHARS);
    }

    #[test]
    fn every_output_char_has_a_display_width() {
        let hostile = "\x1b[5m\u{202e}\u{200d}\u{0}\u{1f}x\u{9b}\u{a0}y\u{2028}z";
        let clean = sanitize(hostile);
        assert!(clean.chars().all(|c| c.width().is_some()), "{clean:?}");
        assert!(!clean.chars().any(is_invisible), "{clean:?}");
    }

    #[test]
    fn segments_mark_evidence_and_stay_clean() {
        let text = "我要 6号链接\x1b[31m 拍一个";
        let link = text.find("6号链接").unwrap_or(0);
        let got = highlight_segments(text, &[link..link + "6号链接".len()]);
        assert_eq!(
            got,
            vec![
                ("我要 ".to_string(), false),
                ("6号链接".to_string(), true),
                (" 拍一个".to_string(), false),
            ]
        );
    }

    #[test]
    fn odd_evidence_ranges_cannot_break_segments() {
        let text = "小米来两袋";
        // 6..3 is reversed, 100..200 out of bounds, 1..2 inside 小 but not at its start.
        #[allow(clippy::reversed_empty_ranges)]
        let got = highlight_segments(text, &[6..3, 100..200, 1..2]);
        assert_eq!(got, vec![("小米来两袋".to_string(), false)]);
        let got = highlight_segments(text, &[3..6, 0..100]);
        assert_eq!(got, vec![("小米来两袋".to_string(), true)]);
        assert!(highlight_segments("\x1b[0m", &[0..4]).is_empty());
    }

    proptest::proptest! {
        #[test]
        fn any_text_comes_out_drawable_and_stable(text in "\\PC*|[\\x00-\\x{9f}\\x{200b}-\\x{202e}\\x{2066}-\\x{2069}a小👍 ]*") {
            let clean = sanitize(&text);
            proptest::prop_assert!(clean.chars().all(|c| c.width().is_some() && !is_invisible(c)), "{:?}", clean);
            proptest::prop_assert!(clean.chars().count() <= MAX_CHARS);
            proptest::prop_assert_eq!(sanitize(&clean), clean.clone(), "sanitizing twice changes nothing");
        }

        #[test]
        fn segments_always_join_to_the_sanitized_text(
            text in "[a小 \\x1b\\[0-9m\\r\\x{202e}]{0,40}",
            ranges in proptest::collection::vec((0usize..80, 0usize..80), 0..4),
        ) {
            let evidence: Vec<Range<usize>> = ranges.into_iter().map(|(a, b)| a..b).collect();
            let joined: String = highlight_segments(&text, &evidence).into_iter().map(|(s, _)| s).collect();
            proptest::prop_assert_eq!(joined, sanitize(&text));
        }
    }

    #[test]
    fn flags_and_skin_tones_are_dropped_other_emoji_kept() {
        assert_eq!(sanitize("hello from Canada 🇨🇦"), "hello from Canada");
        assert_eq!(sanitize("👍🏽好"), "👍好");
        assert_eq!(sanitize("小米🌾两袋"), "小米🌾两袋");
    }
}
