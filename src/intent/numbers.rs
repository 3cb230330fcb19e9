//! Number spans in normalised chat text: Arabic digits, Chinese numerals
//! (一…十, 十二, 二十, 一百, 两/俩/仨), English number words and "a"/"an".
//! This module only finds and values them; whether a number is a quantity
//! (and not slang, a year, a phone number or part of a product spec) is
//! decided in `grammar` with the help of `lexicon`.

/// How a number was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumForm {
    Arabic,
    Chinese,
    /// "one" … "twenty".
    Word,
    /// "a" / "an": one, but only when a unit or product follows.
    Article,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NumToken {
    pub start: usize,
    pub end: usize,
    /// The value as written (saturating; a run of ones keeps its raw value).
    pub value: u64,
    pub form: NumForm,
    /// Arabic digit count (0 for other forms).
    pub digits: u32,
    /// Chat slang that only looks like a number: 666, 88, 520, 1314, 233…
    pub slang: bool,
    /// "111", "1111": a run of ones, meaning one.
    pub ones_run: bool,
    /// 俩 / 仨: numerals that carry their own classifier.
    pub self_counting: bool,
}

/// The largest quantity the engine reads with confidence. Up to
/// [`HARD_MAX_QTY`] a number with a unit ("1000箱") is still reported, but
/// flagged at [`OVER_MAX_CONFIDENCE`] so the helper decides; above that it is
/// not a quantity at all (an order number, a phone number).
pub const MAX_QTY: u64 = 999;
/// Beyond this nothing is a quantity.
pub const HARD_MAX_QTY: u64 = 99_999;
/// Confidence of an intent whose quantity is above [`MAX_QTY`].
pub const OVER_MAX_CONFIDENCE: f32 = 0.2;
/// Quantities above this are read but flagged with low confidence.
pub const SUSPICIOUS_QTY: u64 = 50;
/// A bare number with nothing attached counts only up to this ("要几份扣几").
pub const MAX_BARE_QTY: u64 = 20;

/// Appends every number span of `text` to `out`, in order.
pub fn scan(text: &str, out: &mut Vec<NumToken>) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_digit() {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            let digits = &text[start..i];
            out.push(NumToken {
                start,
                end: i,
                value: digits.bytes().fold(0u64, |v, d| {
                    v.saturating_mul(10).saturating_add(u64::from(d - b'0'))
                }),
                form: NumForm::Arabic,
                digits: (i - start) as u32,
                slang: is_slang(digits),
                ones_run: digits.len() >= 3 && digits.bytes().all(|d| d == b'1'),
                self_counting: false,
            });
            continue;
        }
        if b.is_ascii_alphabetic() {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
                i += 1;
            }
            let boundary_before = start == 0 || !bytes[start - 1].is_ascii_alphanumeric();
            let boundary_after = i == bytes.len() || !bytes[i].is_ascii_digit();
            if boundary_before && boundary_after {
                let word = &text[start..i];
                let found = match word {
                    "a" | "an" => Some((1, NumForm::Article)),
                    _ => english_value(word).map(|v| (v, NumForm::Word)),
                };
                if let Some((value, form)) = found {
                    out.push(NumToken {
                        start,
                        end: i,
                        value,
                        form,
                        digits: 0,
                        slang: false,
                        ones_run: false,
                        self_counting: false,
                    });
                }
            }
            continue;
        }
        if b < 0x80 {
            i += 1;
            continue;
        }
        // Non-ASCII: look for a run of Chinese numeral characters, read off
        // their three UTF-8 bytes (no decoding of the other ideographs).
        if !is_numeral_lead(b) {
            i += utf8_len(b);
            continue;
        }
        let start = i;
        let mut end = i;
        while let Some(c) = numeral_at(bytes, end) {
            if end == start && matches!(c, '千' | '万') {
                break;
            }
            end += 3;
        }
        if end > start {
            let run = &text[start..end];
            if let Some(value) = chinese_value(run) {
                out.push(NumToken {
                    start,
                    end,
                    value,
                    form: NumForm::Chinese,
                    digits: 0,
                    slang: false,
                    ones_run: false,
                    self_counting: run == "俩" || run == "仨",
                });
            }
            i = end;
        } else {
            i += utf8_len(b);
        }
    }
}

/// Every Chinese numeral `scan` reads; all are three bytes in UTF-8.
const NUMERALS: [char; 18] = [
    '零', '〇', '一', '二', '三', '四', '五', '六', '七', '八', '九', '十', '百', '千', '万', '两',
    '俩', '仨',
];

/// A bit for the low six bits of each numeral's last UTF-8 byte: a cheap
/// first test that most ideographs fail (15 of 64 patterns pass).
const NUMERAL_LAST_BYTES: u64 = {
    let mut mask = 0u64;
    let mut k = 0;
    while k < NUMERALS.len() {
        mask |= 1 << (NUMERALS[k] as u32 & 0x3F);
        k += 1;
    }
    mask
};

/// The numeral whose UTF-8 starts at `bytes[p]` (a character boundary of a
/// `str`), if one does.
#[inline]
fn numeral_at(bytes: &[u8], p: usize) -> Option<char> {
    let &[b0, b1, b2] = bytes.get(p..p + 3)? else {
        return None;
    };
    if !is_numeral_lead(b0) || NUMERAL_LAST_BYTES & (1 << (b2 & 0x3F)) == 0 {
        return None;
    }
    // A three-byte lead at a boundary of valid UTF-8: b1 and b2 continue it.
    let cp = (u32::from(b0 & 0x0F) << 12) | (u32::from(b1 & 0x3F) << 6) | u32::from(b2 & 0x3F);
    char::from_u32(cp).filter(|&c| is_chinese_numeral(c))
}

/// Whether `b` leads the UTF-8 of some numeral (〇 0xE3, 一…万 0xE4/0xE5,
/// 百 0xE7, 零 0xE9); other characters are skipped without decoding them.
fn is_numeral_lead(b: u8) -> bool {
    matches!(b, 0xE3 | 0xE4 | 0xE5 | 0xE7 | 0xE9)
}

/// The length of the UTF-8 character that starts with `lead`, a non-ASCII
/// byte at a character boundary of a `str` (a continuation byte, which
/// never stands there, counts 1).
fn utf8_len(lead: u8) -> usize {
    1 + usize::from(lead >= 0xC0) + usize::from(lead >= 0xE0) + usize::from(lead >= 0xF0)
}

fn is_chinese_numeral(c: char) -> bool {
    matches!(
        c,
        '零' | '〇'
            | '一'
            | '二'
            | '三'
            | '四'
            | '五'
            | '六'
            | '七'
            | '八'
            | '九'
            | '十'
            | '百'
            | '千'
            | '万'
            | '两'
            | '俩'
            | '仨'
    )
}

/// Values a run of Chinese numerals with the `chinese-number` crate, after
/// the colloquial forms it does not know (俩 = 2, 仨 = 3): 十二 = 12,
/// 二十 = 20, 一百零五 = 105, 两百 = 200, 三千五 = 3500. `None` for runs that
/// are not one number ("一二", "九九").
pub fn chinese_value(run: &str) -> Option<u64> {
    if run.is_empty() || run.len() > MAX_NUMERAL_BYTES {
        return None;
    }
    // One numeral ("两袋", "来三"), the common case, without the crate.
    let mut chars = run.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        if let Some(v) = single_numeral(c) {
            return Some(v);
        }
    }
    // On the stack: 俩/两 and 仨/三 are all three bytes in UTF-8.
    let mut buf = [0u8; MAX_NUMERAL_BYTES];
    let mut len = 0;
    for c in run.chars() {
        let c = match c {
            '俩' => '两',
            '仨' => '三',
            other => other,
        };
        len += c.encode_utf8(&mut buf[len..]).len();
    }
    let run = std::str::from_utf8(&buf[..len]).ok()?;
    // The crate reads a doubled unit ("十十") as a product; nobody writes one.
    let mut prev = None;
    for c in run.chars() {
        if prev == Some(c) && matches!(c, '十' | '百' | '千' | '万') {
            return None;
        }
        prev = Some(c);
    }
    chinese_number::from_chinese_to_u64_ten_thousand(run).ok()
}

/// The value of a numeral standing alone; `None` for the unit characters
/// (百, 千, 万), which the crate values.
fn single_numeral(c: char) -> Option<u64> {
    Some(match c {
        '零' | '〇' => 0,
        '一' => 1,
        '二' | '两' | '俩' => 2,
        '三' | '仨' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        '十' => 10,
        _ => return None,
    })
}

/// Longer runs of numerals are never a quantity someone typed; they are
/// not valued at all (and cannot cost more than a glance).
const MAX_NUMERAL_BYTES: usize = 16 * 3;

/// "one" … "twenty" (and "a couple" is left alone: too vague to order by).
pub fn english_value(word: &str) -> Option<u64> {
    const WORDS: [&str; 20] = [
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
        "twenty",
    ];
    WORDS
        .iter()
        .position(|w| *w == word)
        .map(|i| i as u64 + 1)
        .or(match word {
            "single" => Some(1),
            "dozen" => Some(12),
            _ => None,
        })
}

/// Chat slang written in digits: runs of 6, 8 or 9 (666, 88, 999: great, bye,
/// long-lasting), 555 (crying), 520/521 (I love you), 1314 (forever),
/// 233… (laughing), 886 (bye), 748 (get lost), 7456 (annoyed).
pub fn is_slang(digits: &str) -> bool {
    let b = digits.as_bytes();
    if b.len() >= 2 && matches!(b[0], b'6' | b'8' | b'9') && b.iter().all(|&d| d == b[0]) {
        return true;
    }
    if b.len() >= 3 && b.iter().all(|&d| d == b'5') {
        return true;
    }
    if b.len() >= 3 && b[0] == b'2' && b[1..].iter().all(|&d| d == b'3') {
        return true;
    }
    matches!(
        digits,
        "520" | "521" | "1314" | "886" | "748" | "7456" | "5201314"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numerals_start_with_the_lead_bytes_the_scanner_looks_for() {
        for c in NUMERALS {
            assert!(is_chinese_numeral(c), "{c}");
            let mut buf = [0u8; 4];
            let lead = c.encode_utf8(&mut buf).as_bytes()[0];
            assert!(is_numeral_lead(lead), "{c}");
            assert_eq!(utf8_len(lead), c.len_utf8());
        }
        for c in ['a', 'é', '€', '😂'] {
            let mut buf = [0u8; 4];
            assert_eq!(
                utf8_len(c.encode_utf8(&mut buf).as_bytes()[0]),
                c.len_utf8()
            );
        }
    }

    #[test]
    fn numerals_read_off_the_bytes_are_exactly_the_numerals() {
        let mut buf = [0u8; 4];
        for c in ('\u{80}'..='\u{FFFF}').chain(['😂', '𠀀']) {
            let bytes = c.encode_utf8(&mut buf).as_bytes();
            assert_eq!(
                numeral_at(bytes, 0),
                is_chinese_numeral(c).then_some(c),
                "{c:?}"
            );
        }
        assert_eq!(numeral_at("一".as_bytes(), 1), None);
        assert_eq!(numeral_at(&"一".as_bytes()[..2], 0), None);
    }

    #[test]
    fn single_numerals_agree_with_the_crate() {
        for c in "零〇一二三四五六七八九十两".chars() {
            let crate_value = chinese_number::from_chinese_to_u64_ten_thousand(c.to_string()).ok();
            assert_eq!(single_numeral(c), crate_value, "{c}");
        }
        assert_eq!(chinese_value("俩"), Some(2));
        assert_eq!(chinese_value("仨"), Some(3));
        assert_eq!(single_numeral('百'), None);
    }

    fn scan_all(text: &str) -> Vec<(String, u64, NumForm)> {
        let mut out = Vec::new();
        scan(text, &mut out);
        out.iter()
            .map(|t| (text[t.start..t.end].to_string(), t.value, t.form))
            .collect()
    }

    #[test]
    fn chinese_numerals_have_their_values() {
        let table = [
            ("一", 1),
            ("两", 2),
            ("俩", 2),
            ("仨", 3),
            ("十", 10),
            ("十二", 12),
            ("二十", 20),
            ("二十五", 25),
            ("一百", 100),
            ("两百", 200),
            ("一百二十", 120),
            ("一百零五", 105),
            ("一万", 10_000),
            ("两万五千", 25_000),
            // Colloquial: the unit after the last digit is implied.
            ("三千五", 3_500),
            ("一百一", 110),
            ("俩", 2),
            ("仨", 3),
            ("俩百", 200),
        ];
        for (run, want) in table {
            assert_eq!(chinese_value(run), Some(want), "{run}");
        }
        for bad in ["一二", "十十", "", "百", "九九", "一一一"] {
            assert_eq!(chinese_value(bad), None, "{bad}");
        }
    }

    #[test]
    fn scan_finds_every_form() {
        assert_eq!(
            scan_all("来两袋x3 two boxes an apple"),
            vec![
                ("两".to_string(), 2, NumForm::Chinese),
                ("3".to_string(), 3, NumForm::Arabic),
                ("two".to_string(), 2, NumForm::Word),
                ("an".to_string(), 1, NumForm::Article),
            ]
        );
        assert_eq!(
            scan_all("link6"),
            vec![("6".to_string(), 6, NumForm::Arabic)]
        );
        assert!(scan_all("bone tone").is_empty());
    }

    #[test]
    fn slang_is_recognised_and_quantities_are_not() {
        for s in [
            "666", "6666", "88", "888888", "999", "520", "1314", "233", "2333333", "555",
        ] {
            assert!(is_slang(s), "{s}");
        }
        for s in ["1", "2", "6", "8", "12", "20", "23", "100", "55"] {
            assert!(!is_slang(s), "{s}");
        }
    }

    #[test]
    fn runs_of_ones_are_flagged() {
        let mut out = Vec::new();
        scan("111 11 1", &mut out);
        let flags: Vec<bool> = out.iter().map(|t| t.ones_run).collect();
        assert_eq!(flags, vec![true, false, false]);
    }

    #[test]
    fn huge_digit_runs_saturate() {
        let mut out = Vec::new();
        scan("99999999999999999999999999", &mut out);
        assert_eq!(out[0].value, u64::MAX);
    }
}
