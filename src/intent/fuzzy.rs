//! Stretch readings (LABELING.md): homophone typos of product words ("小咪"
//! for 小米, "锅吧" for 锅巴), whole messages typed in pinyin ("xiaomi 2
//! dai") and misspelt English product words ("cheries", "oragne"). All rewrite the normalised text into the Chinese the grammar
//! reads, keeping the map back to the original, and the engine then lowers
//! the confidence of what it reads ([`FUZZY_CONFIDENCE`]) so such intents
//! reach the helper flagged and are never auto-confirmed.
//!
//! Everything is derived from the catalog with the `pinyin` crate (toneless
//! readings of product words and units) and `strsim` (edit distance to the
//! catalog's English words), plus short lists of generic chat words in
//! pinyin and English; nothing here names a product.

use super::lexicon::{english_words, COMMON_ENGLISH};
use super::matcher::{word_variants, Mention};
use super::normalize::{normalize, Normalized};
use super::numbers::english_value;
use crate::catalog::Catalog;
use pinyin::{ToPinyin, ToPinyinMulti};
use rustc_hash::{FxHashMap, FxHashSet};
use std::ops::Range;
use std::sync::OnceLock;

/// The highest confidence of an intent read through a typo or pinyin.
pub const FUZZY_CONFIDENCE: f32 = 0.5;

/// Generic chat words as they are typed in pinyin, with the Chinese the
/// lexicon knows: numerals, buy / cancel / change verbs, question words and
/// common selling classifiers.
const CHAT_PINYIN: &[(&str, &str)] = &[
    ("yi", "一"),
    ("er", "二"),
    ("liang", "两"),
    ("san", "三"),
    ("si", "四"),
    ("wu", "五"),
    ("liu", "六"),
    ("qi", "七"),
    ("ba", "八"),
    ("jiu", "九"),
    ("shi", "十"),
    ("yao", "要"),
    ("lai", "来"),
    ("pai", "拍"),
    ("mai", "买"),
    ("xiadan", "下单"),
    ("kou", "扣"),
    ("buyao", "不要"),
    ("zheng", "整"),
    ("le", "了"),
    ("suanle", "算了"),
    ("quxiao", "取消"),
    ("gaicheng", "改成"),
    ("duoshao", "多少"),
    ("duoshaoqian", "多少钱"),
    ("qian", "钱"),
    ("ma", "吗"),
    ("ji", "几"),
    ("dai", "袋"),
    ("he", "盒"),
    ("bao", "包"),
    ("xiang", "箱"),
    ("guan", "罐"),
    ("ping", "瓶"),
    ("jin", "斤"),
    ("fen", "份"),
    ("dan", "单"),
    ("ge", "个"),
];

/// Product words of at most this many characters get a homophone key;
/// at most this many pinyin tokens are joined to find a word.
const MAX_WORD_CHARS: usize = 6;
const _: () = assert!(MAX_WORD_CHARS * 16 <= 128, "reading keys are 128 bits");

/// The ideographs the homophone gate covers (the unified block).
const CJK_FIRST: u32 = 0x4E00;
const CJK_END: u32 = 0xA000;

pub(crate) struct Fuzzy {
    /// Toneless readings of catalog words, as packed syllable ids
    /// ([`reading_key`] of "xiao mi"), to the word as the matcher knows it;
    /// `None` when two products share the reading (then neither is guessed).
    homophones: FxHashMap<u128, Option<String>>,
    /// Word lengths in characters that have a key, longest first.
    lengths: Vec<usize>,
    /// One bit per ideograph of the unified block: whether its reading
    /// starts some catalog word's reading. Keeps ordinary chat to a bit test
    /// per character.
    starts: Vec<u64>,
    /// Pinyin written without spaces ("xiaomi", "dai", "liang") to Chinese.
    pinyin_words: FxHashMap<String, String>,
    /// The catalog's English words (every spelling the matcher reads), at
    /// least [`MIN_TYPO_LETTERS`] long: what a misspelling may be of.
    english: Vec<Box<str>>,
    /// Words a letter token may be without being a misspelling: the
    /// catalog's, the lexicon's and common chat English.
    known_english: FxHashSet<Box<str>>,
}

/// English tokens shorter than this are never taken for misspellings: too
/// many real words lie one letter from a short product word.
const MIN_TYPO_LETTERS: usize = 4;

/// One character of a message, as the homophone search reads it.
#[derive(Debug, Clone, Copy)]
struct CharInfo {
    /// Byte offset in the normalised text.
    start: usize,
    len: u8,
    /// Syllable id of its toneless reading, 0 for none.
    syllable: u16,
    /// Whether its reading starts some catalog word's reading.
    starts_word: bool,
}

/// Reusable buffers for one rewrite.
#[derive(Default)]
pub(crate) struct FuzzyScratch {
    /// The characters from the first that starts a catalog word's reading.
    chars: Vec<CharInfo>,
    /// Replacements to apply, as (range of the normalised text, new text).
    edits: Vec<(Range<usize>, String)>,
    tokens: Vec<Range<usize>>,
}

impl Fuzzy {
    pub fn new(catalog: &Catalog, learned: &[(&str, usize)]) -> Self {
        let mut homophones: FxHashMap<u128, Option<String>> = FxHashMap::default();
        let mut owner: FxHashMap<u128, usize> = FxHashMap::default();
        // Word lengths (in characters) that have a key.
        let mut lengths: Vec<usize> = Vec::new();
        let table = readings();
        let mut first = vec![false; table.names.len()];
        let mut pinyin_words: FxHashMap<String, String> = CHAT_PINYIN
            .iter()
            .map(|(p, w)| (p.to_string(), w.to_string()))
            .collect();
        let words = catalog
            .products
            .iter()
            .enumerate()
            .flat_map(|(i, p)| {
                std::iter::once(p.name.as_str())
                    .chain(p.aliases.iter().map(String::as_str))
                    .chain(p.name.split_whitespace().take(1))
                    .map(move |w| (w, i))
            })
            .chain(learned.iter().copied());
        for (word, product) in words {
            let word = normalize(word).text;
            // Every reading of a word with heteronyms (人参 is ren shen,
            // though 参 reads can first).
            for syllables in word_readings(&word) {
                let ids: Option<Vec<u16>> = syllables
                    .iter()
                    .map(|s| table.ids.get(s).copied())
                    .collect();
                let Some(ids) = ids else {
                    continue;
                };
                let key = reading_key(&ids);
                match owner.get(&key) {
                    Some(&other) if other != product => {
                        homophones.insert(key, None);
                    }
                    Some(_) => {}
                    None => {
                        owner.insert(key, product);
                        homophones.insert(key, Some(word.clone()));
                        lengths.push(ids.len());
                        first[ids[0] as usize] = true;
                    }
                }
                pinyin_words
                    .entry(syllables.concat())
                    .or_insert_with(|| word.clone());
            }
        }
        // Units are mostly one character (饼, 根), which `reading` leaves out.
        for unit in catalog.products.iter().map(|p| normalize(&p.unit).text) {
            let syllables: Option<Vec<&str>> = unit.chars().map(toneless).collect();
            if let Some(syllables) = syllables.filter(|s| !s.is_empty()) {
                pinyin_words.entry(syllables.concat()).or_insert(unit);
            }
        }
        lengths.sort_unstable_by(|a, b| b.cmp(a));
        lengths.dedup();
        let mut english: Vec<Box<str>> = Vec::new();
        let mut known_english: FxHashSet<Box<str>> = english_words()
            .chain(COMMON_ENGLISH.iter().copied())
            .map(Box::from)
            .collect();
        let catalog_words = catalog
            .products
            .iter()
            .flat_map(|p| std::iter::once(&p.name).chain(&p.aliases))
            .map(String::as_str)
            .chain(learned.iter().map(|(w, _)| *w));
        for word in catalog_words {
            for variant in word_variants(&normalize(word).text) {
                for w in variant.split(|c: char| !c.is_ascii_lowercase()) {
                    if w.len() >= MIN_TYPO_LETTERS {
                        english.push(w.into());
                    }
                    known_english.insert(w.into());
                }
            }
        }
        // Unit words too ("bgas" of lotus seeds), and the chat words an
        // order turns on ("cancle", "plese").
        english.extend(
            super::lexicon::ENGLISH_UNITS
                .iter()
                .chain(&["cancel", "change", "please"])
                .filter(|w| w.len() >= MIN_TYPO_LETTERS)
                .map(|&w| Box::from(w)),
        );
        english.sort_unstable();
        english.dedup();
        let mut starts = vec![0u64; table.by_char.len().div_ceil(64)];
        for (i, &id) in table.by_char.iter().enumerate() {
            if id != 0 && first[id as usize] {
                starts[i / 64] |= 1 << (i % 64);
            }
        }
        Fuzzy {
            homophones,
            lengths,
            starts,
            pinyin_words,
            english,
            known_english,
        }
    }

    /// Rewrites homophone typos and pinyin in `norm`, given the product
    /// mentions the matcher found in it. Returns whether it changed anything
    /// (then the mentions are stale and must be found again).
    pub fn rewrite(
        &self,
        mentions: &[Mention],
        norm: &mut Normalized,
        scratch: &mut FuzzyScratch,
    ) -> bool {
        scratch.edits.clear();
        self.find_homophones(mentions, &norm.text, scratch);
        // A near catalog word is firmer evidence than letters that also
        // split into syllables ("longon" is long-o-n, and longan misspelt).
        if scratch.edits.is_empty() && norm.ascii_letters >= MIN_TYPO_LETTERS {
            self.find_misspellings(mentions, &norm.text, scratch);
        }
        if scratch.edits.is_empty() {
            self.find_pinyin(&norm.text, scratch);
        }
        if scratch.edits.is_empty() {
            return false;
        }
        // Right to left, so earlier ranges stay valid.
        for (range, with) in scratch.edits.drain(..).rev() {
            norm.splice(range, &with);
        }
        true
    }

    fn starts_word(&self, c: char) -> bool {
        self.starts_word_at(u32::from(c))
    }

    /// `starts_word` of a code point.
    #[inline]
    fn starts_word_at(&self, cp: u32) -> bool {
        if !(CJK_FIRST..CJK_END).contains(&cp) {
            return false;
        }
        let i = (cp - CJK_FIRST) as usize;
        self.starts[i / 64] & (1 << (i % 64)) != 0
    }

    /// Where the first character that `starts_word` stands in `text`. The
    /// ideographs it can be (U+4E00..U+9FFF) are the three-byte characters
    /// led by 0xE4..=0xE9: only those are decoded, by hand; every other
    /// character is stepped over by its lead byte.
    #[inline]
    fn first_word_start(&self, text: &str) -> Option<usize> {
        let b = text.as_bytes();
        let mut i = 0;
        while i < b.len() {
            let lead = b[i];
            match lead {
                0xE4..=0xE9 => {
                    // A lead byte of valid UTF-8: two continuation bytes follow.
                    let cp = (u32::from(lead & 0x0F) << 12)
                        | (u32::from(b[i + 1] & 0x3F) << 6)
                        | u32::from(b[i + 2] & 0x3F);
                    if self.starts_word_at(cp) {
                        return Some(i);
                    }
                    i += 3;
                }
                0x00..=0xBF => i += 1,
                0xC0..=0xDF => i += 2,
                0xE0..=0xEF => i += 3,
                _ => i += 4,
            }
        }
        None
    }

    fn find_homophones(&self, mentions: &[Mention], text: &str, s: &mut FuzzyScratch) {
        if self.lengths.is_empty() {
            return;
        }
        // Ordinary chat has no character that starts a catalog word's
        // reading: one bit test per character, and nothing more.
        let Some(first) = self.first_word_start(text) else {
            return;
        };
        let table = readings();
        s.chars.clear();
        for (i, c) in text[first..].char_indices() {
            s.chars.push(CharInfo {
                start: first + i,
                len: c.len_utf8() as u8,
                syllable: table.id(c),
                starts_word: self.starts_word(c),
            });
        }
        // Mentions come sorted by start and do not overlap: one cursor
        // walks them along with the windows (no quadratic look-ups).
        let mut next_mention = 0;
        let mut i = 0;
        while i < s.chars.len() {
            let CharInfo {
                start, starts_word, ..
            } = s.chars[i];
            if !starts_word {
                i += 1;
                continue;
            }
            while mentions.get(next_mention).is_some_and(|m| m.end <= start) {
                next_mention += 1;
            }
            let mut taken = 0;
            for &n in &self.lengths {
                let Some(window) = s.chars.get(i..i + n) else {
                    continue;
                };
                let end = window[n - 1].start + usize::from(window[n - 1].len);
                // A word the matcher reads exactly is not a typo, and a
                // window must not eat into one; it may hold a shorter word
                // whole ("黑猪柔" holds 黑猪 and is a typo of 黑猪肉).
                let eats_into = mentions[next_mention.min(mentions.len())..]
                    .iter()
                    .take_while(|m| m.start < end)
                    .any(|m| m.start < start || m.end > end || m.end - m.start == end - start);
                if eats_into {
                    continue;
                }
                if window.iter().any(|ch| ch.syllable == 0) {
                    continue;
                }
                let key = window
                    .iter()
                    .fold(0u128, |key, ch| key << 16 | u128::from(ch.syllable));
                if let Some(Some(word)) = self.homophones.get(&key) {
                    if text[start..end] != **word {
                        s.edits.push((start..end, word.clone()));
                        taken = n;
                        break;
                    }
                }
            }
            i += taken.max(1);
        }
    }

    /// A message typed in pinyin: every letter token must be pinyin (else it
    /// is English and left alone); runs of tokens that spell a catalog word,
    /// a unit or a chat word become that Chinese, with the spaces between
    /// rewritten pieces and digits dropped ("xiaomi 2 dai" → "小米2袋").
    fn find_pinyin(&self, text: &str, s: &mut FuzzyScratch) {
        if !text.is_ascii() || !text.bytes().any(|b| b.is_ascii_lowercase()) {
            return;
        }
        // Cheap gate first: some letter word must be pinyin we know.
        let known = text
            .split(|c: char| !c.is_ascii_lowercase())
            .any(|w| !w.is_empty() && self.pinyin_words.contains_key(w));
        if !known {
            return;
        }
        ascii_tokens(text, &mut s.tokens);
        let tokens = std::mem::take(&mut s.tokens);
        let letters = |r: &Range<usize>| text.as_bytes()[r.start].is_ascii_lowercase();
        let quantity_x = |r: &Range<usize>| {
            &text[r.clone()] == "x" && text.as_bytes().get(r.end).is_some_and(u8::is_ascii_digit)
        };
        if !tokens
            .iter()
            .filter(|r| letters(r) && !quantity_x(r))
            .all(|r| is_pinyin(&text[r.clone()]))
        {
            s.tokens = tokens;
            return;
        }
        let mut out = String::new();
        let mut any = false;
        // The previous token's end, and whether it was rewritten.
        let mut prev: Option<(usize, bool)> = None;
        let mut i = 0;
        while i < tokens.len() {
            let mut piece: Option<(usize, &String)> = None;
            if letters(&tokens[i]) && !quantity_x(&tokens[i]) {
                let mut joined = String::new();
                for (k, token) in tokens[i..].iter().take(MAX_WORD_CHARS).enumerate() {
                    if !letters(token) {
                        break;
                    }
                    joined.push_str(&text[token.clone()]);
                    if let Some(word) = self.pinyin_words.get(&joined) {
                        piece = Some((k + 1, word));
                    }
                }
            }
            let (taken, rewritten) = match piece {
                Some((n, word)) => {
                    if let Some((_, false)) = prev {
                        out.push(' ');
                    }
                    out.push_str(word);
                    any = true;
                    (n, true)
                }
                None => {
                    // Original spacing between tokens left as they were.
                    if let Some((end, false)) = prev {
                        out.push_str(&text[end..tokens[i].start]);
                    }
                    out.push_str(&text[tokens[i].clone()]);
                    (1, false)
                }
            };
            i += taken;
            prev = Some((tokens[i - 1].end, rewritten));
        }
        if any {
            s.edits.push((0..text.len(), out));
        }
        s.tokens = tokens;
    }

    /// English letter tokens that are no word we know and lie one or two
    /// edits from exactly one catalog word ("cheries" → "cherries") are
    /// rewritten into it. Short tokens allow no substituted letter ("rich"
    /// is not "rice"), only a letter missing, doubled or swapped.
    fn find_misspellings(&self, mentions: &[Mention], text: &str, s: &mut FuzzyScratch) {
        if self.english.is_empty() {
            return;
        }
        let b = text.as_bytes();
        let mut next_mention = 0;
        let mut i = 0;
        while i < b.len() {
            if !b[i].is_ascii_lowercase() {
                i += 1;
                continue;
            }
            let start = i;
            while i < b.len() && b[i].is_ascii_lowercase() {
                i += 1;
            }
            let end = i;
            // A word glued to other letters (an apostrophe, accented
            // letters) is not a clean token.
            let glued = (start > 0 && (b[start - 1] == b'\'' || b[start - 1] >= 0x80))
                || b.get(end).is_some_and(|&c| c == b'\'' || c >= 0x80);
            let token = &text[start..end];
            if glued
                || token.len() < MIN_TYPO_LETTERS
                || self.known_english.contains(token)
                || english_value(token).is_some()
            {
                continue;
            }
            while mentions.get(next_mention).is_some_and(|m| m.end <= start) {
                next_mention += 1;
            }
            if mentions.get(next_mention).is_some_and(|m| m.start < end) {
                continue;
            }
            if let Some(word) = self.nearest_english(token) {
                s.edits.push((start..end, word.to_string()));
            }
        }
    }

    /// The one catalog word nearest `token` within the allowed edits.
    fn nearest_english(&self, token: &str) -> Option<&str> {
        let max = if token.len() >= 8 { 2 } else { 1 };
        let first = token.as_bytes()[0];
        let from = self.english.partition_point(|w| w.as_bytes()[0] < first);
        let mut best: Option<(usize, &str)> = None;
        let mut tie = false;
        for word in self.english[from..]
            .iter()
            .take_while(|w| w.as_bytes()[0] == first)
        {
            if word.len().abs_diff(token.len()) > max {
                continue;
            }
            let d = strsim::osa_distance(token, word);
            if d > max || (token.len() < 6 && d == 1 && !indel_or_swap(token, word)) {
                continue;
            }
            match best {
                Some((bd, _)) if d > bd => {}
                Some((bd, w)) if d == bd => tie |= w != &**word,
                _ => {
                    best = Some((d, word));
                    tie = false;
                }
            }
        }
        best.filter(|_| !tie).map(|(_, w)| w)
    }
}

/// Whether `a` and `b`, one edit apart, differ by a letter added or
/// dropped or two neighbours swapped (not a letter replaced).
fn indel_or_swap(a: &str, b: &str) -> bool {
    if a.len() != b.len() {
        return true;
    }
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let Some(i) = a.iter().zip(b).position(|(x, y)| x != y) else {
        return false;
    };
    i + 1 < a.len() && a[i] == b[i + 1] && a[i + 1] == b[i]
}

/// A character's toneless reading as chat types it: ü as v ("lv" for 绿,
/// as pinyin keyboards take it), so every reading is plain ASCII.
fn toneless(c: char) -> Option<&'static str> {
    Some(plain_v(c.to_pinyin()?.plain()))
}

fn plain_v(plain: &'static str) -> &'static str {
    match plain {
        "lü" => "lv",
        "lüe" => "lve",
        "nü" => "nv",
        "nüe" => "nve",
        other => other,
    }
}

/// The toneless reading of a word written only in ideographs, one syllable
/// per character; `None` for words with anything else in them or too long.
fn reading(word: &str) -> Option<Vec<&'static str>> {
    let n = word.chars().count();
    if !(2..=MAX_WORD_CHARS).contains(&n) {
        return None;
    }
    word.chars().map(toneless).collect()
}

/// Every toneless reading of such a word, the first readings first, at
/// most [`MAX_READINGS`] of them (heteronyms multiply).
fn word_readings(word: &str) -> Vec<Vec<&'static str>> {
    let Some(first) = reading(word) else {
        return Vec::new();
    };
    let mut out = vec![first];
    for (i, c) in word.chars().enumerate() {
        let Some(multi) = c.to_pinyin_multi() else {
            continue;
        };
        let others: Vec<&'static str> = multi
            .into_iter()
            .map(|p| plain_v(p.plain()))
            .filter(|p| *p != out[0][i])
            .collect();
        let mut more = Vec::new();
        for other in others {
            for r in &out {
                let mut r = r.clone();
                r[i] = other;
                if !out.contains(&r) && !more.contains(&r) {
                    more.push(r);
                }
            }
        }
        out.extend(more);
        out.truncate(MAX_READINGS);
    }
    out
}

/// Readings kept for one catalog word.
const MAX_READINGS: usize = 8;

/// Runs of letters, runs of digits and single other non-space characters.
fn ascii_tokens(text: &str, out: &mut Vec<Range<usize>>) {
    let b = text.as_bytes();
    out.clear();
    let mut i = 0;
    while i < b.len() {
        let start = i;
        if b[i].is_ascii_lowercase() {
            while i < b.len() && b[i].is_ascii_lowercase() {
                i += 1;
            }
        } else if b[i].is_ascii_digit() {
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
        } else {
            i += 1;
            if b[start] == b' ' {
                continue;
            }
        }
        out.push(start..i);
    }
}

/// Toneless readings of the unified ideographs, from the `pinyin` crate,
/// indexed once per process: every engine's gate and every pinyin check
/// reuse it instead of asking the crate again.
struct Readings {
    /// Per ideograph (code point - CJK_FIRST): its syllable's id, 0 for none.
    by_char: Box<[u16]>,
    /// Syllable names by id (id 0 unused).
    names: Vec<&'static str>,
    ids: FxHashMap<&'static str, u16>,
}

fn readings() -> &'static Readings {
    static READINGS: OnceLock<Readings> = OnceLock::new();
    READINGS.get_or_init(|| {
        let mut names = vec![""];
        let mut ids: FxHashMap<&'static str, u16> = FxHashMap::default();
        let by_char = (CJK_FIRST..CJK_END)
            .map(|cp| {
                let Some(name) = char::from_u32(cp).and_then(toneless) else {
                    return 0;
                };
                if !name.bytes().all(|b| b.is_ascii_lowercase()) {
                    return 0;
                }
                *ids.entry(name).or_insert_with(|| {
                    names.push(name);
                    (names.len() - 1) as u16
                })
            })
            .collect();
        Readings {
            by_char,
            names,
            ids,
        }
    })
}

impl Readings {
    /// The syllable id of one character's toneless reading (0 for none),
    /// from the table (ideographs of the unified block) or the crate (the rest).
    fn id(&self, c: char) -> u16 {
        let cp = u32::from(c);
        if (CJK_FIRST..CJK_END).contains(&cp) {
            self.by_char[(cp - CJK_FIRST) as usize]
        } else if c.is_ascii() {
            0
        } else {
            toneless(c)
                .and_then(|p| self.ids.get(p).copied())
                .unwrap_or(0)
        }
    }
}

/// A word's reading as one hash key: its syllable ids, 16 bits each (a word
/// has at most [`MAX_WORD_CHARS`] syllables, so they fit in 128 bits).
fn reading_key(ids: &[u16]) -> u128 {
    ids.iter().fold(0, |key, &id| key << 16 | u128::from(id))
}

/// Whether a letter token splits into pinyin syllables ("xiaomi" = xiao mi).
fn is_pinyin(token: &str) -> bool {
    const MAX: usize = 63;
    let ids = &readings().ids;
    let n = token.len();
    if n == 0 || n > MAX || !token.bytes().all(|b| b.is_ascii_lowercase()) {
        return false;
    }
    let mut ok = [false; MAX + 1];
    ok[0] = true;
    for end in 1..=n {
        ok[end] = (end.saturating_sub(6)..end)
            .any(|start| ok[start] && ids.contains_key(&token[start..end]));
    }
    ok[n]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pinyin_tokens_are_recognised_and_english_is_not() {
        for p in ["xiaomi", "liang", "dai", "hetao", "duoshao", "zhuang", "er"] {
            assert!(is_pinyin(p), "{p}");
        }
        for e in ["bags", "please", "sold", "walnuts", "hi", "ok", "x"] {
            assert!(!is_pinyin(e), "{e}");
        }
    }

    #[test]
    fn the_first_word_start_is_found_off_the_bytes_as_by_decoding() {
        let config = crate::config::parse(
            crate::config::SAMPLE_CONFIG,
            "config.toml",
            std::path::Path::new("."),
        )
        .expect("the sample config parses");
        let fuzzy = Fuzzy::new(&config.catalog, &[]);
        let by_decoding = |text: &str| {
            text.char_indices()
                .find(|&(_, c)| fuzzy.starts_word(c))
                .map(|(i, _)| i)
        };
        let ideographs = ('\u{4000}'..='\u{A100}').step_by(7);
        let text: String = ['a', 'é', '€', '😂', '〇', '\u{9FFF}', '\u{A000}']
            .into_iter()
            .chain(ideographs)
            .collect();
        let mut starts = 0;
        for (i, _) in text.char_indices() {
            let found = fuzzy.first_word_start(&text[i..]);
            assert_eq!(found, by_decoding(&text[i..]), "from {i}");
            starts += usize::from(found == Some(0));
        }
        assert!(starts > 0, "some ideograph starts a catalog word");
        for text in ["", "主播好！", "xiaomi 2 bags", "小米来两袋"] {
            assert_eq!(fuzzy.first_word_start(text), by_decoding(text), "{text}");
        }
    }

    #[test]
    fn readings_of_words() {
        assert_eq!(reading("小米"), Some(vec!["xiao", "mi"]));
        assert_eq!(reading("小"), None);
        assert_eq!(reading("小米x"), None);
    }
}
