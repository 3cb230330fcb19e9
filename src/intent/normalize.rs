//! Text normalisation for the intent engine: NFKC, case folding, a small
//! traditional→simplified step, emoji and decoration stripping, whitespace
//! collapsing and folding of stammered characters ("要要要" → "要"). Every
//! byte of the normalised text remembers which bytes of the original it came
//! from, so evidence found in the normalised text can be shown in the original.

use std::ops::Range;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// The normalised form of one message plus its map back to the original.
#[derive(Debug, Default, Clone)]
pub struct Normalized {
    /// Normalised text: lower case, simplified, NFKC, no emoji.
    pub text: String,
    /// For each byte of `text`, the original byte range of the char it came from.
    src: Vec<(u32, u32)>,
    run_char: char,
    run_len: u32,
    /// How many ASCII letters the normalisation wrote: most chat has none,
    /// and then no English reading needs to look.
    pub ascii_letters: usize,
    /// Whether the text holds a 链 or 连, which every word for a product
    /// link starts with (链接, 連結): without one no link word is searched for.
    pub link_chars: bool,
    /// Whether a space was written: without one no letter-spacing is looked for.
    spaced: bool,
}

impl Normalized {
    /// Maps a byte range of `text` to the byte range of the original it came
    /// from. Always a valid char-boundary range of the original.
    pub fn to_original(&self, range: Range<usize>) -> Range<usize> {
        if self.src.is_empty() || range.start >= range.end || range.end > self.src.len() {
            return 0..0;
        }
        let start = self.src[range.start].0 as usize;
        let end = self.src[range.end - 1].1 as usize;
        start..end.max(start)
    }

    /// Replaces `range` of the normalised text with `with`, every byte of
    /// which maps to the original text the replaced range came from (the
    /// typo or pinyin the stretch readings rewrote).
    pub fn splice(&mut self, range: Range<usize>, with: &str) {
        if range.start >= range.end || range.end > self.src.len() {
            return;
        }
        let origin = (self.src[range.start].0, self.src[range.end - 1].1);
        self.link_chars |= with.contains('链') || with.contains('连');
        self.text.replace_range(range.clone(), with);
        self.src
            .splice(range, std::iter::repeat_n(origin, with.len()));
    }

    fn push(&mut self, c: char, from: u32, to: u32) {
        if c.is_whitespace() {
            // Collapse whitespace runs into one space.
            if self.text.ends_with(' ') || self.text.is_empty() {
                self.extend_last(to);
                return;
            }
            self.run_char = ' ';
            self.run_len = 1;
            self.spaced = true;
            self.append(' ', from, to);
            return;
        }
        // Stammering ("要要要", "！！！") folds to one char; digits and letters
        // are left alone because "111" and "666" mean different things than "1" and "6".
        if !c.is_ascii_alphanumeric() && c == self.run_char {
            self.run_len += 1;
            match self.run_len {
                2 => self.append(c, from, to),
                3 => {
                    let len = c.len_utf8();
                    let cut = self.text.len() - len;
                    self.text.truncate(cut);
                    self.src.truncate(cut);
                    self.extend_last(to);
                }
                _ => self.extend_last(to),
            }
            return;
        }
        self.run_char = c;
        self.run_len = 1;
        self.append(c, from, to);
    }

    fn append(&mut self, c: char, from: u32, to: u32) {
        self.text.push(c);
        self.src
            .extend(std::iter::repeat_n((from, to), c.len_utf8()));
    }

    /// `push` for a character that is neither whitespace nor a repeat of
    /// the one before: most of chat, so it skips those checks.
    #[inline]
    fn push_plain(&mut self, c: char, from: u32, to: u32) {
        self.run_char = c;
        self.run_len = 1;
        self.append(c, from, to);
    }

    /// Widens the source range of the last char to end at `to`.
    fn extend_last(&mut self, to: u32) {
        let Some(last) = self.text.chars().next_back() else {
            return;
        };
        let n = self.src.len();
        for entry in &mut self.src[n - last.len_utf8()..] {
            entry.1 = to;
        }
    }
}

/// Normalises `input` into a fresh [`Normalized`].
pub fn normalize(input: &str) -> Normalized {
    let mut out = Normalized::default();
    normalize_into(input, &mut out);
    out
}

/// Normalises `input` into `out`, reusing its buffers.
pub fn normalize_into(input: &str, out: &mut Normalized) {
    out.text.clear();
    out.src.clear();
    out.text.reserve(input.len());
    out.src.reserve(input.len());
    out.run_char = '\0';
    out.run_len = 0;
    out.ascii_letters = 0;
    out.link_chars = false;
    out.spaced = false;
    // Offsets are kept as u32; longer inputs are cut (a chat message never is).
    let limit = input.len().min(u32::MAX as usize / 2);
    let bytes = input.as_bytes();
    let t2s = t2s_table();
    let mut i = 0;
    while i < limit {
        // Most of Chinese chat is ideographs of U+4E00..U+9FFF (three bytes
        // led by 0xE4..=0xE9) that the table leaves as they are: those are
        // copied as they came, byte for byte, without decoding the char and
        // encoding it back.
        if let Some(c) = common_ideograph(bytes, i) {
            let (from, to) = (i as u32, i as u32 + 3);
            let s = t2s[(u32::from(c) - T2S_FIRST) as usize];
            out.link_chars |= matches!(s, '链' | '连');
            if s == out.run_char {
                out.push(s, from, to);
            } else if s == c {
                out.run_char = c;
                out.run_len = 1;
                out.text.push_str(&input[i..i + 3]);
                out.src.extend_from_slice(&[(from, to); 3]);
            } else {
                out.push_plain(s, from, to);
            }
            i += 3;
            continue;
        }
        let Some(c) = input[i..].chars().next() else {
            break;
        };
        let from = i as u32;
        let to = (i + c.len_utf8()) as u32;
        i += c.len_utf8();
        if c.is_ascii_alphanumeric() {
            // Letters and digits never stammer-fold (see `push`).
            out.ascii_letters += usize::from(c.is_ascii_alphabetic());
            out.push_plain(c.to_ascii_lowercase(), from, to);
        } else if c.is_ascii() {
            if c.is_ascii_control() && !c.is_ascii_whitespace() {
                continue;
            }
            out.push(c, from, to);
        } else if let Some(a) = fullwidth_ascii(c) {
            // Full-width punctuation and letters ("！", "，", "ｘ２"): what
            // NFKC gives, without asking it.
            let a = a.to_ascii_lowercase();
            out.ascii_letters += usize::from(a.is_ascii_alphabetic());
            if a.is_ascii_alphanumeric() {
                out.push_plain(a, from, to);
            } else {
                out.push(a, from, to);
            }
        } else if let Some(d) = other_script_digit(c) {
            out.push(char::from(b'0' + d), from, to);
        } else if let Some(v) = roman_numeral(c) {
            // NFKC would give "II"; chat means the number.
            if v >= 10 {
                out.push(char::from(b'0' + v / 10), from, to);
            }
            out.push(char::from(b'0' + v % 10), from, to);
        } else if is_decoration(c) || is_combining_mark(c) {
            // Standalone combining marks (zalgo stacks, decomposed accents)
            // only decorate the letter before them.
            continue;
        } else {
            for d in std::iter::once(c).nfkc() {
                if is_decoration(d) {
                    continue;
                }
                for l in d.to_lowercase() {
                    out.push(to_simplified(l), from, to);
                }
            }
        }
    }
    if out.spaced && !out.text.is_ascii() && out.text.as_bytes().contains(&b' ') {
        join_spaced_ideographs(out);
    }
}

/// "红 枣 两 袋": every ideograph spaced from the next. Such letter-spaced
/// text is read with the spaces between ideographs taken out; ordinary
/// chat, where spaces part words ("挂面不要了 给我来两袋"), is left alone.
fn join_spaced_ideographs(out: &mut Normalized) {
    let mut spaced = 0;
    let mut prev_ideograph = false;
    let mut prev_space_after_ideograph = false;
    for c in out.text.chars() {
        let ideograph = is_cjk_ideograph(c);
        if ideograph && prev_ideograph {
            return; // two ideographs side by side: words, not spacing
        }
        if ideograph && prev_space_after_ideograph {
            spaced += 1;
        }
        prev_space_after_ideograph = c == ' ' && prev_ideograph;
        prev_ideograph = ideograph;
    }
    if spaced < 2 {
        return;
    }
    let old_text = std::mem::take(&mut out.text);
    let old_src = std::mem::take(&mut out.src);
    let mut prev: Option<char> = None;
    let mut chars = old_text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let next = chars.peek().map(|&(_, n)| n);
        let between =
            c == ' ' && prev.is_some_and(is_cjk_ideograph) && next.is_some_and(is_cjk_ideograph);
        if !between {
            out.text.push(c);
            out.src.extend_from_slice(&old_src[i..i + c.len_utf8()]);
        }
        prev = Some(c);
    }
}

/// Decimal digits of other scripts (Arabic-Indic ٢, Persian ۲, Devanagari
/// २, Thai ๒…): each block is ten code points from its zero. NFKC leaves
/// them alone, so they are mapped here to ASCII digits.
fn other_script_digit(c: char) -> Option<u8> {
    const ZEROS: &[u32] = &[
        0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6,
        0x0D66, 0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0,
        0x1A80, 0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0,
        0xAA50, 0xABF0,
    ];
    let cp = u32::from(c);
    let i = ZEROS.partition_point(|&z| z <= cp).checked_sub(1)?;
    let d = cp - ZEROS[i];
    (d < 10).then_some(d as u8)
}

/// Roman numerals Ⅰ…Ⅻ and ⅰ…ⅻ (one code point each) as their value.
fn roman_numeral(c: char) -> Option<u8> {
    match u32::from(c) {
        cp @ 0x2160..=0x216B => Some((cp - 0x2160 + 1) as u8),
        cp @ 0x2170..=0x217B => Some((cp - 0x2170 + 1) as u8),
        _ => None,
    }
}

/// The ASCII character a full-width form (U+FF01…U+FF5E) stands for, as NFKC
/// maps it.
fn fullwidth_ascii(c: char) -> Option<char> {
    let cp = u32::from(c);
    (0xFF01..=0xFF5E)
        .contains(&cp)
        .then(|| char::from((cp - 0xFEE0) as u8))
}

/// The ideograph of U+4E00..U+9FFF that starts at `bytes[i]`, if one does
/// (`bytes` is valid UTF-8 and `i` a char boundary).
#[inline]
fn common_ideograph(bytes: &[u8], i: usize) -> Option<char> {
    let lead = *bytes.get(i)?;
    if !(0xE4..=0xE9).contains(&lead) {
        return None;
    }
    let (b1, b2) = (*bytes.get(i + 1)?, *bytes.get(i + 2)?);
    let cp = (u32::from(lead & 0x0F) << 12) | (u32::from(b1 & 0x3F) << 6) | u32::from(b2 & 0x3F);
    char::from_u32(cp).filter(|&c| is_cjk_ideograph(c))
}

fn is_cjk_ideograph(c: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&c)
}

/// Emoji, pictographs, dingbats, arrows, variation selectors, joiners and
/// control characters: decoration that carries no order meaning.
pub fn is_decoration(c: char) -> bool {
    matches!(c,
        '\u{1F000}'..='\u{1FAFF}'
        | '\u{2600}'..='\u{27BF}'
        | '\u{2B00}'..='\u{2BFF}'
        | '\u{2190}'..='\u{21FF}'
        | '\u{2300}'..='\u{23FF}'
        | '\u{25A0}'..='\u{25FF}'
        | '\u{FE00}'..='\u{FE0F}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{FEFF}' | '\u{00AD}' | '\u{180E}'
        | '\u{2060}'..='\u{206F}'
        | '\u{20E3}'
        | '\u{3030}' | '\u{303D}' | '\u{3297}' | '\u{3299}'
        | '\u{E0000}'..='\u{E007F}'
        | '\u{E000}'..='\u{F8FF}')
        || (c.is_control() && !c.is_whitespace())
}

/// Traditional → simplified, one character at a time, with OpenCC's t2s
/// dictionaries (ferrous-opencc; Apache-2.0 code and data). A per-character
/// table keeps normalisation allocation-free and the byte map back to the
/// original one-to-one; OpenCC's phrase rules only matter for words that
/// never name a product or a quantity ("乾隆").
pub fn to_simplified(c: char) -> char {
    let cp = u32::from(c);
    if !(T2S_FIRST..T2S_END).contains(&cp) {
        return c;
    }
    t2s_table()[(cp - T2S_FIRST) as usize]
}

/// The ideograph blocks the table covers: CJK Extension A and the unified
/// ideographs, where every traditional character chat uses lives.
const T2S_FIRST: u32 = 0x3400;
const T2S_END: u32 = 0xA000;

static T2S_TABLE: std::sync::OnceLock<Box<[char]>> = std::sync::OnceLock::new();

/// Built once per process by asking OpenCC about every character of the
/// covered blocks (a few milliseconds in a release build).
fn t2s_table() -> &'static [char] {
    T2S_TABLE.get_or_init(|| {
        use ferrous_opencc::{config::BuiltinConfig, OpenCC};
        let mut table: Vec<char> = (T2S_FIRST..T2S_END)
            .map(|cp| char::from_u32(cp).unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect();
        match OpenCC::from_config(BuiltinConfig::T2s) {
            Ok(converter) => {
                let mut buf = [0u8; 4];
                for slot in table.iter_mut() {
                    let converted = converter.convert(slot.encode_utf8(&mut buf));
                    let mut chars = converted.chars();
                    if let (Some(simplified), None) = (chars.next(), chars.next()) {
                        *slot = simplified;
                    }
                }
            }
            // The embedded dictionaries are part of the binary; this cannot
            // happen short of a broken build, and chat still reads without it.
            Err(error) => tracing::error!(
                %error,
                "OpenCC t2s is unavailable: traditional characters stay as they are"
            ),
        }
        table.into_boxed_slice()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_forms_map_as_nfkc_maps_them() {
        for cp in 0xFF01..=0xFF5E {
            let c = char::from_u32(cp).unwrap();
            let nfkc: String = std::iter::once(c).nfkc().collect();
            assert_eq!(
                fullwidth_ascii(c).map(String::from),
                Some(nfkc),
                "U+{cp:04X}"
            );
        }
        assert_eq!(fullwidth_ascii('a'), None);
        assert_eq!(normalize("ＸＬ，２袋！").text, "xl,2袋!");
    }

    #[test]
    fn traditional_characters_become_simplified() {
        let cases = [
            ("乾貨紅棗", "干货红枣"),
            ("核桃兩斤，麵包三個", "核桃两斤,面包三个"),
            ("發貨後說一聲", "发货后说一声"),
            ("蜂蜜來一罐", "蜂蜜来一罐"),
            ("鬱", "郁"),
        ];
        for (input, want) in cases {
            assert_eq!(normalize(input).text, want, "input {input:?}");
        }
        // Simplified text and other scripts are left alone.
        assert_eq!(
            normalize("小米来两袋，核桃一斤").text,
            "小米来两袋,核桃一斤"
        );
        assert_eq!(to_simplified('a'), 'a');
        assert_eq!(to_simplified('小'), '小');
        assert_eq!(to_simplified('\u{20000}'), '\u{20000}');
    }

    #[test]
    fn normalises_the_forms_chat_uses() {
        let cases = [
            ("來兩袋小米", "来两袋小米"),
            ("紅棗ｘ２", "红枣x2"),
            ("＋２", "+2"),
            ("SOLD #9", "sold #9"),
            ("🌰核桃x2🌰", "核桃x2"),
            ("❤️❤️锅巴三包❤️❤️", "锅巴三包"),
            ("要要要锅巴五包", "要锅巴五包"),
            ("谢谢", "谢谢"),
            ("扣1！！！", "扣1!"),
            ("a   b", "a b"),
            ("111", "111"),
            ("上週買了兩盒禮盒", "上周买了两盒礼盒"),
            ("＃４来两盒", "#4来两盒"),
            ("小̶̷米̀́来҉两̴袋", "小米来两袋"),
            ("\u{202e}小米\u{202c}\u{feff}", "小米"),
            ("来٢袋", "来2袋"),
            ("۳ bags", "3 bags"),
            ("来Ⅱ袋ⅻ", "来2袋12"),
        ];
        for (input, want) in cases {
            assert_eq!(normalize(input).text, want, "input {input:?}");
        }
    }

    #[test]
    fn maps_ranges_back_to_the_original() {
        let input = "🌰核桃ｘ２";
        let n = normalize(input);
        let start = n.text.find("核桃").unwrap_or(0);
        let r = n.to_original(start..start + "核桃".len());
        assert_eq!(&input[r], "核桃");
        let x = n.text.find('x').unwrap_or(0);
        let r = n.to_original(x..n.text.len());
        assert_eq!(&input[r], "ｘ２");
    }

    #[test]
    fn folded_run_maps_to_the_whole_run() {
        let input = "要要要锅巴";
        let n = normalize(input);
        assert_eq!(&input[n.to_original(0..3)], "要要要");
    }

    #[test]
    fn empty_and_bad_ranges_are_empty() {
        let n = normalize("");
        assert_eq!(n.to_original(0..3), 0..0);
        let n = normalize("ab");
        assert_eq!(n.to_original(1..9), 0..0);
    }
}
