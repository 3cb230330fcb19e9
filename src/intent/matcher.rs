//! Finds products in normalised chat text: names, aliases, the name's head
//! word ("土鸡蛋 30枚" → "土鸡蛋"), English plurals, and link references in
//! every form chat uses (1号链接, 链接1, 1号, #1, link 1, 三号链接). One
//! Aho-Corasick automaton, leftmost-longest, compiled once per catalog, so
//! "小米锅巴" is the cracker and never millet plus something.

use super::lexicon::{ascii_word_boundaries, english_weight_words, PrefixList};
use super::normalize::normalize;
use super::numbers::chinese_value;
use super::words::Words;
use crate::catalog::Catalog;

/// Up to this many product words the automaton is a DFA.
const DFA_MAX_PATTERNS: usize = 1_000;
use rustc_hash::FxHashMap;

/// A product reference found in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mention {
    pub start: usize,
    pub end: usize,
    /// Index into `Catalog::products`.
    pub product: usize,
    /// Named by link number rather than by a word.
    pub by_link: bool,
}

#[derive(Debug, Clone, Copy)]
struct Target {
    /// The product, or [`SHARED_HEAD`].
    product: usize,
    by_link: bool,
}

/// The target of a head word several products' names share ("小米" of
/// "小米 5斤装" and "小米 10斤装"): alone it names none of them; right next
/// to a product word it is part of it ("五斤装小米").
const SHARED_HEAD: usize = usize::MAX;

pub struct Matcher {
    automaton: Option<Words>,
    targets: Vec<Target>,
    /// Link number → product (the first product with that link).
    links: FxHashMap<u32, usize>,
    /// Normalised selling units of the catalog ("袋", "盒", "斤").
    pub units: PrefixList,
    /// English words for the catalog's weight units ("jin" for 斤).
    pub english_weights: PrefixList,
    /// Each product's own normalised selling unit, by catalog index.
    pub product_units: Vec<Box<str>>,
}

impl Matcher {
    pub fn new(catalog: &Catalog) -> Self {
        Matcher::with_learned(catalog, &[])
    }

    /// Like `new`, with phrases helpers taught (phrase, product index). They
    /// come first, so a taught phrase wins over a catalog alias spelled the
    /// same: the helper corrected exactly that reading.
    pub fn with_learned(catalog: &Catalog, learned: &[(&str, usize)]) -> Self {
        let mut patterns: Vec<String> = Vec::new();
        let mut targets: Vec<Target> = Vec::new();
        let mut seen: FxHashMap<String, usize> = FxHashMap::default();
        let mut add = |pattern: String, target: Target| {
            let pattern = pattern.trim().to_string();
            if pattern.is_empty() || seen.contains_key(&pattern) {
                // First come wins: names and aliases are added before link forms.
                return;
            }
            seen.insert(pattern.clone(), patterns.len());
            patterns.push(pattern);
            targets.push(target);
        };
        for &(phrase, product) in learned {
            if product >= catalog.len() {
                continue;
            }
            let target = Target {
                product,
                by_link: false,
            };
            for variant in word_variants(&normalize(phrase).text) {
                add(variant, target);
            }
        }
        // A name's head word ("槐花蜜" of "槐花蜜 500g") that heads several
        // products' names names none of them, unless an alias says so:
        // "槐花蜜来两瓶" is then an order for the one on air.
        let mut heads: FxHashMap<String, usize> = FxHashMap::default();
        for p in &catalog.products {
            let name = normalize(&p.name).text;
            if let Some((head, _)) = name.split_once(' ') {
                *heads.entry(head.to_string()).or_default() += 1;
            }
        }
        let aliases: rustc_hash::FxHashSet<String> = catalog
            .products
            .iter()
            .flat_map(|p| p.aliases.iter().map(|a| normalize(a).text))
            .collect();
        let shared_head = |w: &str| heads.get(w).is_some_and(|&n| n > 1) && !aliases.contains(w);
        for (product, p) in catalog.products.iter().enumerate() {
            let target = Target {
                product,
                by_link: false,
            };
            for word in std::iter::once(&p.name).chain(p.aliases.iter()) {
                for variant in word_variants(&normalize(word).text) {
                    let target = if shared_head(&variant) {
                        Target {
                            product: SHARED_HEAD,
                            by_link: false,
                        }
                    } else {
                        target
                    };
                    add(variant, target);
                }
            }
        }
        // Link numbers are read by a scanner (`find_links`), not as
        // patterns: a dozen written forms per product would make a large
        // catalog's automaton ten times the size of its words.
        let mut links = FxHashMap::default();
        for (product, p) in catalog.products.iter().enumerate() {
            links.entry(p.link).or_insert(product);
        }
        // Chat messages are short: a prefilter's setup costs more than it
        // skips. A shop-sized catalog gets a DFA (fastest search); a very
        // large one the default, which builds in a fraction of the time.
        let automaton = Words::new(&patterns, patterns.len() <= DFA_MAX_PATTERNS);
        let mut units: Vec<String> = catalog
            .products
            .iter()
            .map(|p| normalize(&p.unit).text)
            .filter(|u| !u.is_empty())
            .collect();
        units.sort();
        units.dedup();
        let english_weights = PrefixList::new(
            units
                .iter()
                .flat_map(|u| english_weight_words(u).iter().copied()),
        );
        let units = PrefixList::new(units.iter().map(String::as_str));
        let product_units = catalog
            .products
            .iter()
            .map(|p| normalize(&p.unit).text.into())
            .collect();
        Matcher {
            product_units,

            automaton,
            targets,
            links,
            units,
            english_weights,
        }
    }

    /// Appends the product mentions of `text` to `out`, in order and not
    /// overlapping: leftmost first, the longest of those starting together.
    /// `link_chars`: whether the text may hold a word for a link (it has a
    /// 链 or 连; [`Normalized::link_chars`](super::normalize::Normalized)).
    pub fn find(&self, text: &str, link_chars: bool, out: &mut Vec<Mention>) {
        let first = out.len();
        if let Some(ac) = &self.automaton {
            ac.each_match(text, 0..text.len(), |start, end, pattern| {
                if !ascii_word_boundaries(text, start, end) {
                    return;
                }
                let target = self.targets[pattern];
                let prev = out[first..].last_mut().filter(|p| p.end == start);
                match (target.product == SHARED_HEAD, prev) {
                    // A shared head right after a product word, or a
                    // product word right after a shared head: one mention.
                    (true, Some(p)) if p.product != SHARED_HEAD => p.end = end,
                    (false, Some(p)) if p.product == SHARED_HEAD => {
                        p.end = end;
                        p.product = target.product;
                        p.by_link = target.by_link;
                    }
                    _ => out.push(Mention {
                        start,
                        end,
                        product: target.product,
                        by_link: target.by_link,
                    }),
                }
            });
            if out[first..].iter().any(|m| m.product == SHARED_HEAD) {
                let mut keep = first;
                for i in first..out.len() {
                    if out[i].product != SHARED_HEAD {
                        out[keep] = out[i];
                        keep += 1;
                    }
                }
                out.truncate(keep);
            }
        }
        let words = out.len();
        self.find_links(text, link_chars, out);
        if out.len() > words && words > first {
            // Merge the two sorted runs, dropping whatever overlaps an
            // earlier (or equally early and longer) mention.
            out[first..].sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
            let mut keep = first;
            for i in first..out.len() {
                if keep > first && out[i].start < out[keep - 1].end {
                    continue;
                }
                out[keep] = out[i];
                keep += 1;
            }
            out.truncate(keep);
        }
    }

    /// Link references: 3号链接, 3号宝贝, 3号, 链接3, #3, # 3, link 3, link3,
    /// link #3, no.3, 三号链接, 链接三. Only numbers that are links of the
    /// catalog count; "3号" that is a day of the month does not.
    fn find_links(&self, text: &str, link_chars: bool, out: &mut Vec<Mention>) {
        const PREFIXES: &[&str] = &[
            "link #", "link ", "link", "链接", "连结", "链结", "no.", "# ", "#",
        ];
        const SUFFIXES: &[&str] = &["号链接", "号连结", "号链结", "号宝贝", "号"];
        if self.links.is_empty() {
            return;
        }
        let b = text.as_bytes();
        // Chinese numerals name a link only beside 链接; without it, only
        // digits can start a link, and the scan jumps from digit to digit.
        // (The normaliser noted whether 链 or 连 occurs at all: most chat
        // has neither, and then no substring search runs.)
        let chinese_links = link_chars && LINK_WORDS.iter().any(|w| text.contains(w));
        let mut taken_to = 0;
        let mut i = 0;
        while i < b.len() {
            if !chinese_links {
                match b[i..].iter().position(u8::is_ascii_digit) {
                    Some(d) => i += d,
                    None => break,
                }
            }
            // Byte steps are safe: digits are ASCII, and the numerals' lead
            // bytes (0xE4, 0xE5) never occur inside another character.
            let lead = b[i];
            let (run_end, value) = if lead.is_ascii_digit() {
                let end = i + b[i..].iter().take_while(|d| d.is_ascii_digit()).count();
                (end, text[i..end].parse::<u32>().ok())
            } else if chinese_links
                && matches!(lead, 0xE4 | 0xE5)
                && text[i..].chars().next().is_some_and(is_link_numeral)
            {
                let end = i + text[i..]
                    .chars()
                    .take_while(|&c| is_link_numeral(c))
                    .map(char::len_utf8)
                    .sum::<usize>();
                // Chinese numerals name a link only next to 链接 (三号链接,
                // 链接三); other runs ("两袋") are not valued at all.
                let beside_link = LINK_WORDS.iter().any(|w| text[..i].ends_with(w))
                    || (text[end..].starts_with('号')
                        && LINK_WORDS
                            .iter()
                            .any(|w| text[end + '号'.len_utf8()..].starts_with(w)));
                let value = beside_link
                    .then(|| chinese_value(&text[i..end]))
                    .flatten()
                    .and_then(|v| u32::try_from(v).ok());
                (end, value)
            } else {
                i += 1;
                continue;
            };
            let (start, end) = (i, run_end);
            i = run_end;
            let Some(&product) = value.and_then(|v| self.links.get(&v)) else {
                continue;
            };
            let chinese = !b[start].is_ascii_digit();
            let prefix = PREFIXES
                .iter()
                .filter(|p| !chinese || LINK_WORDS.contains(p))
                .find(|p| {
                    // "link" must start a word ("unlink3" is not a link).
                    text[..start].ends_with(**p) && {
                        let s = start - p.len();
                        !(b[s].is_ascii_alphanumeric() && s > 0 && b[s - 1].is_ascii_alphanumeric())
                    }
                });
            let span = if let Some(p) = prefix {
                Some((start - p.len(), end))
            } else {
                SUFFIXES
                    .iter()
                    .filter(|s| {
                        !chinese || (s.len() > "号".len() && LINK_WORDS.contains(&&s["号".len()..]))
                    })
                    .find(|s| text[end..].starts_with(**s))
                    .map(|s| (start, end + s.len()))
                    .filter(|&(s, e)| !is_date(text, s, e))
            };
            // "1号链接2袋": the 链接 belongs to the link before, not to "链接2".
            if let Some((start, end)) = span.filter(|&(s, _)| s >= taken_to) {
                taken_to = end;
                out.push(Mention {
                    start,
                    end,
                    product,
                    by_link: true,
                });
            }
        }
    }
}

/// The word for a product link: mainland 链接, Taiwan's 連結 (连结 once
/// simplified) and the mixed 鏈結.
const LINK_WORDS: &[&str] = &["链接", "连结", "链结"];

/// Chinese numerals a link number is written with (三号链接, 十二号链接).
fn is_link_numeral(c: char) -> bool {
    matches!(
        c,
        '一' | '二' | '两' | '三' | '四' | '五' | '六' | '七' | '八' | '九' | '十'
    )
}

/// Whether a bare "N号" is a day of the month or part of an address rather
/// than a link: after 月 ("3月8号"), before what happens on a day ("10号发
/// 工资", "15号到", "8号生日", "20号之前"), or before a building, a door or
/// a street ("3号楼", "18号院", "5号门"). "3号链接" and "#3" are always links.
fn is_date(text: &str, start: usize, end: usize) -> bool {
    const PLACE_WORDS: &[&str] = &[
        "楼", "院", "门", "栋", "幢", "单元", "室", "房", "铺", "店", "街", "路", "巷", "弄", "村",
        "组", "线", "床", "桌", "座", "车厢", "窗口", "仓",
    ];
    const DAY_WORDS: &[&str] = &[
        "发工资",
        "发钱",
        "发货",
        "到货",
        "到",
        "生日",
        "前",
        "后",
        "之前",
        "以前",
        "以后",
        "之后",
        "那天",
        "当天",
        "左右",
        "晚上",
        "上午",
        "下午",
        "中午",
        "早上",
        "开始",
        "截止",
    ];
    if !text[start..end].ends_with('号') {
        return false;
    }
    text[..start].ends_with('月')
        || DAY_WORDS.iter().any(|w| text[end..].starts_with(w))
        || PLACE_WORDS.iter().any(|w| text[end..].starts_with(w))
}

/// The spellings a catalog word is matched by: as written, without its
/// spaces, a Chinese name's head word, and an English word's plural or
/// singular (an alias "cherries" also reads "cherry").
pub(crate) fn word_variants(word: &str) -> Vec<String> {
    let mut out = vec![word.to_string()];
    if word.contains(' ') {
        out.push(word.replace(' ', ""));
        let head = word.split(' ').next().unwrap_or("");
        let is_cjk = !head.is_ascii();
        if is_cjk && head.chars().count() >= 2 && !head.chars().any(|c| c.is_ascii_digit()) {
            out.push(head.to_string());
        }
    }
    let ascii_word = !word.is_empty() && word.bytes().all(|b| b.is_ascii_alphabetic() || b == b' ');
    if ascii_word && !word.ends_with('s') {
        if word.ends_with('x') || word.ends_with("ch") || word.ends_with("sh") {
            out.push(format!("{word}es"));
        } else if let Some(stem) = word.strip_suffix('y') {
            out.push(format!("{stem}ies"));
        } else {
            out.push(format!("{word}s"));
            if word.ends_with('o') {
                out.push(format!("{word}es"));
            }
        }
    } else if ascii_word && word.len() > 3 && !word.ends_with("ss") && !word.ends_with("us") {
        if let Some(stem) = word.strip_suffix("ies") {
            out.push(format!("{stem}y"));
            out.push(format!("{stem}ie"));
        } else if let Some(stem) = word
            .strip_suffix("es")
            .filter(|s| s.ends_with(['x', 'o']) || s.ends_with("ch") || s.ends_with("sh"))
        {
            out.push(stem.to_string());
        } else if let Some(stem) = word.strip_suffix('s') {
            out.push(stem.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Product;

    fn product(sku: &str, name: &str, aliases: &[&str], link: u32) -> Product {
        Product {
            sku: sku.into(),
            name: name.into(),
            aliases: aliases.iter().map(|a| a.to_string()).collect(),
            link,
            unit: "袋".into(),
            price_fen: 100,
            stock: 1,
            limit_per_buyer: None,
        }
    }

    fn catalog() -> Catalog {
        Catalog::new(vec![
            product("A", "高粱米 5斤装", &["高粱"], 1),
            product("B", "高粱饼", &["饼"], 2),
            product("C", "Sea Salt", &["salt", "peach"], 12),
        ])
    }

    fn found(text: &str) -> Vec<(String, &'static str)> {
        let cat = catalog();
        let m = Matcher::new(&cat);
        let mut out = Vec::new();
        m.find(text, text.contains(['链', '连']), &mut out);
        let skus = ["A", "B", "C"];
        out.iter()
            .map(|x| (text[x.start..x.end].to_string(), skus[x.product]))
            .collect()
    }

    #[test]
    fn longest_name_wins() {
        assert_eq!(found("高粱饼两袋"), vec![("高粱饼".into(), "B")]);
        assert_eq!(found("高粱米两袋"), vec![("高粱米".into(), "A")]);
    }

    #[test]
    fn link_forms_resolve() {
        for text in [
            "1号链接",
            "链接1",
            "1号",
            "#1",
            "link 1",
            "一号链接",
            "1号拍两单",
        ] {
            assert_eq!(found(text).first().map(|f| f.1), Some("A"), "{text}");
        }
        assert_eq!(found("#12 x2").first().map(|f| f.1), Some("C"));
        assert_eq!(found("十二号链接").first().map(|f| f.1), Some("C"));
        for text in ["link #1", "link1", "no.1", "# 1", "1号宝贝", "链接一"] {
            assert_eq!(found(text).first().map(|f| f.1), Some("A"), "{text}");
        }
    }

    #[test]
    fn link_references_take_their_whole_form_once() {
        // The 链接 of "1号链接" is not also the start of "链接12".
        let spans: Vec<String> = found("1号链接12袋").into_iter().map(|f| f.0).collect();
        assert_eq!(spans, ["1号链接"]);
        assert!(found("unlink1").is_empty());
        assert!(found("3月1号").is_empty(), "a day of the month");
        assert!(found("99号链接").is_empty(), "no such link");
    }

    #[test]
    fn link_numbers_are_not_read_inside_longer_numbers() {
        assert!(found("11号").is_empty());
        assert!(found("链接13").is_empty());
    }

    #[test]
    fn english_words_need_boundaries_and_get_plurals() {
        assert_eq!(found("two peaches"), vec![("peaches".into(), "C")]);
        assert!(found("salty").is_empty());
        assert_eq!(found("sea salt x2")[0].1, "C");
    }

    #[test]
    fn empty_catalog_matches_nothing() {
        let m = Matcher::new(&Catalog::default());
        let mut out = Vec::new();
        m.find("小米两袋", false, &mut out);
        assert!(out.is_empty());
    }
}
