//! Reading one normalised message: which clauses are questions, which product
//! words are refused or used in another sense, whether the message is past,
//! future or hypothetical, which numbers are quantities and which product
//! each quantity belongs to, and finally the intents with their confidence
//! and evidence. Rules follow ../shared/corpus/LABELING.md.
//!
//! Everything is linear in the message length apart from small per-token
//! look-arounds; no allocation beyond the reusable scratch vectors.

use super::lexicon::{Lexicon, Marker, MarkerHit, PrefixList, NOW_WORDS, PLAN_TIMES_BEFORE_ZAI};
use super::matcher::Mention;
use super::numbers::{
    NumForm, NumToken, HARD_MAX_QTY, MAX_BARE_QTY, MAX_QTY, OVER_MAX_CONFIDENCE, SUSPICIOUS_QTY,
};
use super::{Engine, Evidence, Intent, IntentKind, Scratch};
use std::ops::Range;

/// Lists one reading fills, kept between messages so that reading one
/// allocates nothing once the lists have grown to the chat's size.
#[derive(Debug, Default)]
pub(crate) struct GrammarScratch {
    cuts: Vec<usize>,
    a_not_a: Vec<usize>,
    dead_clauses: Vec<bool>,
    /// The clauses that ask something (dead before the scoped kills).
    asked: Vec<bool>,
    cancel_clauses: Vec<usize>,
    state: Vec<MentionState>,
    used_nums: Vec<usize>,
    spec_spans: Vec<Range<usize>>,
    withdrawn: Vec<usize>,
    verbs: Vec<MarkerHit>,
    qtys: Vec<Qty>,
    /// (start, end, product, index of its quantity in `qtys`)
    products: Vec<(usize, usize, usize, Option<usize>)>,
    explicit: Vec<bool>,
}

/// What became of a product mention.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MentionState {
    Live,
    /// "不要小米": named only to be refused.
    Refused,
    /// "小米手机", "小米14": the word in another sense.
    OtherSense,
    /// Inside a question clause.
    Dead,
    /// Already used by a cancel or change.
    Used,
}

/// A number read as a quantity.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Qty {
    /// Span of the number and its unit ("两袋", "x2").
    pub start: usize,
    pub end: usize,
    /// Span of the unit word alone, when there is one ("袋" of "两袋").
    pub unit: Option<(usize, usize)>,
    /// Right after a buy verb ("来两袋"): the count the sender orders, over
    /// a "+1" agreeing with someone ("楼上+1，我也来两袋").
    pub after_verb: bool,
    pub value: u32,
    pub bound: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Selling(usize),
    Spec(usize),
    None,
}

struct Ctx<'a> {
    text: &'a str,
    mentions: &'a [Mention],
    markers: &'a [MarkerHit],
    nums: &'a [NumToken],
    units: &'a PrefixList,
    english_weights: &'a PrefixList,
    lexicon: &'a Lexicon,
    /// Byte offsets of clause-ending punctuation.
    cuts: &'a [usize],
}

impl Ctx<'_> {
    fn clause(&self, pos: usize) -> usize {
        self.cuts.partition_point(|&c| c < pos)
    }

    /// Where clause `clause` begins, on a char boundary (a cut made by a
    /// question ending, "辣不辣", falls inside its last character).
    fn clause_start(&self, clause: usize) -> usize {
        let Some(&cut) = clause.checked_sub(1).and_then(|i| self.cuts.get(i)) else {
            return 0;
        };
        ceil_char_boundary(self.text, cut)
    }

    fn skip_spaces(&self, mut pos: usize) -> usize {
        let b = self.text.as_bytes();
        while pos < b.len() && b[pos] == b' ' {
            pos += 1;
        }
        pos
    }

    /// `skip_spaces`, then past English articles and possessives ("not the
    /// candy", "no more of my honey").
    fn skip_articles(&self, pos: usize) -> usize {
        let mut p = self.skip_spaces(pos);
        while let Some(m) = self.marker_at(p).filter(|m| {
            m.marker == Marker::Filler && matches!(&self.text[m.start..m.end], "the" | "my" | "of")
        }) {
            p = self.skip_spaces(m.end);
        }
        p
    }

    fn skip_spaces_back(&self, mut pos: usize) -> usize {
        let b = self.text.as_bytes();
        while pos > 0 && b[pos - 1] == b' ' {
            pos -= 1;
        }
        pos
    }

    fn marker_at(&self, pos: usize) -> Option<&MarkerHit> {
        let i = self.markers.partition_point(|m| m.start < pos);
        self.markers.get(i).filter(|m| m.start == pos)
    }

    fn marker_ending_at(&self, pos: usize) -> Option<&MarkerHit> {
        let i = self.markers.partition_point(|m| m.end < pos);
        self.markers.get(i).filter(|m| m.end == pos)
    }

    fn marker_covering(&self, pos: usize) -> Option<&MarkerHit> {
        let i = self.markers.partition_point(|m| m.end <= pos);
        self.markers.get(i).filter(|m| m.start <= pos)
    }

    fn mention_at(&self, pos: usize) -> Option<usize> {
        let i = self.mentions.partition_point(|m| m.start < pos);
        self.mentions.get(i).filter(|m| m.start == pos).map(|_| i)
    }

    fn num_at(&self, pos: usize) -> bool {
        self.num_index_at(pos).is_some()
    }

    fn num_index_at(&self, pos: usize) -> Option<usize> {
        let i = self.nums.partition_point(|n| n.start < pos);
        self.nums.get(i).filter(|n| n.start == pos).map(|_| i)
    }

    /// The unit right after a number: the catalog's units and selling
    /// classifiers count units; measures and times make it a spec.
    fn unit_at(&self, pos: usize) -> Unit {
        let p = self.skip_spaces(pos);
        let catalog_unit = self.units.longest(self.text, p);
        let selling =
            catalog_unit.or_else(|| self.lexicon.selling_classifiers.longest(self.text, p));
        let spec = self.lexicon.spec_units.longest(self.text, p);
        if let (Some(len), Some(spec)) = (selling, spec) {
            // "4个人", "3个月": the classifier counts something else.
            if spec > len {
                return Unit::Spec(p + spec - pos);
            }
        }
        if let Some(len) = selling {
            // "5斤装", "30枚的": a spec of the product, not a count of it.
            let rest = &self.text[p + len..];
            if rest.starts_with('装') {
                return Unit::Spec(p + len + '装'.len_utf8() - pos);
            }
            return Unit::Selling(p + len - pos);
        }
        if let Some(len) = spec {
            return Unit::Spec(p + len - pos);
        }
        let b = self.text.as_bytes();
        if p == pos
            && matches!(b.get(p), Some(b'x'))
            && !b.get(p + 1).is_some_and(u8::is_ascii_alphanumeric)
        {
            // "3x pecans": the count written before its x.
            return Unit::Selling(1);
        }
        if self.text[p..].starts_with('×') {
            // (Lengths are counted from `pos`, spaces included.)
            return Unit::Selling(p + '×'.len_utf8() - pos);
        }
        if p > pos || b.get(p).is_some_and(u8::is_ascii_alphabetic) {
            let english = self
                .lexicon
                .english_units
                .longest(self.text, p)
                .max(self.english_weights.longest(self.text, p));
            if let Some(len) = english {
                // "one more box of", "2 bags of": a short run of unit words.
                let mut end = p + len;
                for _ in 0..3 {
                    let q = self.skip_spaces(end);
                    match self.lexicon.english_units.longest(self.text, q) {
                        Some(len) if q > end => end = q + len,
                        _ => break,
                    }
                }
                return Unit::Selling(end - pos);
            }
        }
        Unit::None
    }

    /// Whether `pos` starts "的" + a product, perhaps after more counts with
    /// units ("12个一盒的猕猴桃"): the end of that 的 when it does.
    fn describes_product(&self, mut pos: usize) -> Option<usize> {
        for _ in 0..3 {
            if self.text[pos..].starts_with('的') {
                // "一盒的鸡蛋", "10斤一袋的给我来三袋": 的 and more words after.
                let end = pos + '的'.len_utf8();
                let more = self.mention_at(end).is_some()
                    || self.text[end..].chars().next().is_some_and(is_cjk);
                return more.then_some(end);
            }
            let i = self.num_index_at(pos)?;
            let end = self.nums[i].end;
            pos = match self.unit_at(end) {
                Unit::Selling(len) | Unit::Spec(len) => self.skip_spaces(end + len),
                Unit::None => return None,
            };
        }
        None
    }

    /// True when `text[a..b]` holds only spaces, punctuation, markers and
    /// the given extra spans: nothing a reader would take as other content.
    fn is_glue(&self, a: usize, b: usize, extra: &[Range<usize>], markers_ok: bool) -> bool {
        // Words that belong together sit close; a far gap is never glue, and
        // the bound keeps long messages linear.
        if b.saturating_sub(a) > MAX_GLUE_BYTES {
            return false;
        }
        let mut pos = a;
        while pos < b {
            let Some(c) = self.text[pos..].chars().next() else {
                break;
            };
            // Spaces, punctuation and decoration ("红枣///两袋", "【红枣】来两袋").
            if !c.is_alphanumeric() || matches!(c, 'x' | '×') {
                pos += c.len_utf8();
                continue;
            }
            if let Some(r) = extra.iter().find(|r| r.start <= pos && pos < r.end) {
                pos = r.end;
                continue;
            }
            match self.marker_covering(pos) {
                Some(m) if markers_ok || m.marker == Marker::Filler => pos = m.end,
                _ => return false,
            }
        }
        true
    }

    fn has_cut_between(&self, a: usize, b: usize) -> bool {
        let i = self.cuts.partition_point(|&c| c < a);
        self.cuts.get(i).is_some_and(|&c| c < b)
    }
}

/// The most changes one message makes.
const MAX_CHANGES: usize = 8;

/// How far back from a 再 a plan's cue is looked for.
const PLAN_LOOKBACK_CHARS: usize = 12;

/// An order whose only count was in another measure ("大米来20斤" for rice
/// sold by the bag): the helper must count it.
const FOREIGN_UNIT_CONFIDENCE: f32 = 0.5;

/// The widest gap between a product and its quantity ("小米也再来").
const MAX_GLUE_BYTES: usize = 48;

/// The first char boundary of `text` at or after `pos` (a byte offset that
/// may fall inside a character), at most `text.len()`.
fn ceil_char_boundary(text: &str, pos: usize) -> usize {
    (pos..=text.len())
        .find(|&p| text.is_char_boundary(p))
        .unwrap_or(text.len())
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

/// Clause-ending punctuation (after NFKC, full-width forms are ASCII).
pub(crate) fn is_clause_punct(c: char) -> bool {
    matches!(
        c,
        ',' | '.' | '。' | '!' | '?' | ';' | ':' | '、' | '~' | '\n' | '…'
    )
}

/// The byte offsets of clause-ending punctuation in `text`, into `out`:
/// `is_clause_punct` read off the bytes, as that is all ASCII but for three
/// characters led by 0xE2 and 0xE3 (no decoding of the ideographs between).
fn clause_puncts(text: &str, out: &mut Vec<usize>) {
    out.clear();
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let punct = match b[i] {
            // A decimal point (39.9) ends nothing.
            b'.' => {
                !(i > 0
                    && b[i - 1].is_ascii_digit()
                    && b.get(i + 1).is_some_and(u8::is_ascii_digit))
            }
            b',' | b'!' | b'?' | b';' | b':' | b'~' | b'\n' => true,
            // A space between Chinese words, or after a number before one,
            // ends a clause in chat that has no punctuation ("挂面不要了
            // 给我来两袋面粉"); between English words it does not.
            b' ' => {
                i > 0
                    && (b[i - 1] >= 0x80 || b[i - 1].is_ascii_digit())
                    && b.get(i + 1).is_some_and(|&n| n >= 0xC0)
            }
            // 、 U+3001 and 。 U+3002
            0xE3 => b[i + 1] == 0x80 && matches!(b[i + 2], 0x81 | 0x82),
            // … U+2026
            0xE2 => b[i + 1] == 0x80 && b[i + 2] == 0xA6,
            _ => false,
        };
        if punct {
            out.push(i);
        }
        // Continuation bytes (0x80..=0xBF) never match, so a byte step is safe.
        i += 1;
    }
}

/// Postposed refusal is a Chinese pattern ("小米不要"); English "millet no" is not.
fn mk_is_cjk_word(text: &str, mk: &MarkerHit) -> bool {
    !text[mk.start..mk.end].is_ascii()
}

/// Reads the message in `scratch.norm`, whose product mentions are already
/// in `scratch.mentions`, into `out`.
pub(crate) fn read(
    engine: &Engine,
    s: &mut Scratch,
    current: Option<usize>,
    out: &mut Vec<Intent>,
) {
    let Scratch {
        norm,
        mentions,
        markers,
        nums,
        grammar: g,
        ..
    } = s;
    let GrammarScratch {
        cuts,
        a_not_a,
        dead_clauses,
        asked,
        cancel_clauses,
        state,
        used_nums,
        spec_spans,
        withdrawn,
        verbs,
        qtys,
        products,
        explicit,
    } = g;
    let text = norm.text.as_str();
    markers.clear();
    nums.clear();
    // Product words win over markers (markers are found only between
    // them), and both over numbers inside them.
    let mentions: &[Mention] = mentions;
    engine
        .lexicon
        .find_between(text, mentions.iter().map(|m| (m.start, m.end)), markers);
    plans_before_zai(text, markers);
    refine_markers(text, mentions, markers);
    super::numbers::scan(text, nums);
    let markers: &[MarkerHit] = markers;
    nums.retain(|n| {
        !overlaps_sorted(mentions, |x| (x.start, x.end), n.start, n.end)
            && !overlaps_sorted(markers, |x| (x.start, x.end), n.start, n.end)
    });
    let current = current.filter(|&c| c < engine.product_count);
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
        return;
    }
    let nums: &[NumToken] = nums;

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
    let a_not_a: &[usize] = a_not_a;
    for &end in a_not_a {
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
    let ctx = Ctx {
        text,
        mentions,
        markers,
        nums,
        units: &engine.matcher.units,
        english_weights: &engine.matcher.english_weights,
        lexicon: engine.lexicon,
        cuts,
    };

    // Clauses that ask something hold no intent.
    dead_clauses.clear();
    dead_clauses.resize(ctx.cuts.len() + 1, false);
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
        dead_clauses[clause] = true;
    }
    for &end in a_not_a {
        dead_clauses[ctx.clause(end - 1)] = true;
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
            dead_clauses[clause] = true;
        }
    }
    asked.clear();
    asked.extend_from_slice(dead_clauses);
    let asked: &[bool] = asked;
    scope_kills(&ctx, dead_clauses);
    let dead_clauses: &[bool] = dead_clauses;
    let live = |pos: usize| !dead_clauses[ctx.clause(pos)];

    state.clear();
    state.extend(ctx.mentions.iter().map(|m| {
        if live(m.start) {
            MentionState::Live
        } else {
            MentionState::Dead
        }
    }));
    used_nums.clear();
    spec_spans.clear();
    let mut other_sense = false;

    // Other senses: 小米手机, 小米粥, 小米su7, 小米14.
    for (i, m) in ctx.mentions.iter().enumerate() {
        if m.by_link
            || text[..m.end]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_ascii())
        {
            continue;
        }
        let rest = &text[m.end..];
        // "小米粉条": a product word right before another is a list, even
        // when the next one starts like a head word (粉).
        let next_is_product = ctx.mention_at(m.end).is_some();
        let sense = if next_is_product {
            false
        } else if engine
            .lexicon
            .non_product_heads
            .longest(text, m.end)
            .is_some()
        {
            true
        } else if rest.as_bytes().first().is_some_and(u8::is_ascii_alphabetic) {
            let b = rest.as_bytes();
            let quantity_prefix = b[0] == b'x' && b.get(1).is_none_or(|c| !c.is_ascii_alphabetic());
            !quantity_prefix
        } else if let Some(ni) = ctx.num_index_at(m.end) {
            let n = ctx.nums[ni];
            // "苹果13" is a phone; "莲子39.9" is a price.
            let b = text.as_bytes();
            let price =
                b.get(n.end) == Some(&b'.') && b.get(n.end + 1).is_some_and(u8::is_ascii_digit);
            // "大果85的": a size, not a model.
            let size = text[n.end..].starts_with('的');
            let model = n.form == NumForm::Arabic
                && n.value >= 10
                && !price
                && !size
                && ctx.unit_at(n.end) == Unit::None;
            if model {
                used_nums.push(ni);
            }
            model
        } else {
            false
        };
        if sense {
            state[i] = MentionState::OtherSense;
            other_sense = true;
        }
    }

    // Refusals: 不要小米 / no millet, and 小米不要. "不要小米了" and "小米不要"
    // withdraw the product when nothing else is ordered.
    let mut refused_any = false;
    withdrawn.clear();
    for mk in ctx.markers.iter().filter(|m| m.marker == Marker::Refuse) {
        if let Some(i) = ctx.mention_at(ctx.skip_articles(mk.end)) {
            if state[i] == MentionState::Live {
                state[i] = MentionState::Refused;
                let after = ctx.skip_spaces(ctx.mentions[i].end);
                if text[after..].starts_with(['了', '啦', '喇']) {
                    withdrawn.push(i);
                }
            }
            refused_any = true;
        } else if let Ok(i) = ctx
            .mentions
            .binary_search_by_key(&ctx.skip_spaces_back(mk.start), |m| m.end)
        {
            let next = ctx.skip_spaces(mk.end);
            let ends_clause = text[next..].chars().next().is_none_or(is_clause_punct);
            if state[i] == MentionState::Live && (!mk_is_cjk_word(text, mk) || !ends_clause) {
                // "小米不要太好吃" praises; only a clause-final 不要 refuses.
                continue;
            }
            if state[i] == MentionState::Live {
                state[i] = MentionState::Refused;
                withdrawn.push(i);
            }
            refused_any = true;
        }
    }

    let live_markers = || ctx.markers.iter().filter(|m| live(m.start));
    // The kinds of live markers, one bit each: asked about many times below.
    let live_kinds: u32 = live_markers().fold(0, |kinds, m| kinds | m.marker.bit());
    let has = |k: Marker| live_kinds & k.bit() != 0;
    // A condition reaches over every clause ("要是明天还有，我再来两瓶"),
    // even one a later order made dead; only a question's does not count.
    let hypothetical = ctx
        .markers
        .iter()
        .any(|m| m.marker == Marker::Hypothetical && !asked[ctx.clause(m.start)]);
    let bought = live_markers().any(|m| m.marker == Marker::BoughtIfObject && has_object(&ctx, m));
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

    // Cancels: products in the cancelling clause, else the sender's own orders.
    let mut handled = false;
    if !hypothetical && has(Marker::Cancel) {
        // The clauses holding a live cancel word, in order (markers are).
        cancel_clauses.clear();
        cancel_clauses.extend(
            live_markers()
                .filter(|m| m.marker == Marker::Cancel)
                .map(|m| ctx.clause(m.start)),
        );
        cancel_clauses.dedup();
        let cancel_clauses: &[usize] = cancel_clauses;
        let cancels_clause = |clause: usize| cancel_clauses.binary_search(&clause).is_ok();
        if let Some(first) = live_markers().find(|m| m.marker == Marker::Cancel) {
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
    if !handled && !hypothetical && !withdrawn.is_empty() && !others_live {
        for &i in withdrawn.iter() {
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
    if !hypothetical && has(Marker::Change) {
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
            if changed_clause == Some(ctx.clause(mk.start)) || made >= MAX_CHANGES {
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

    if orders_killed {
        return;
    }

    // Buy verbs; 要 / 来 only when an object follows ("我要去上班了" is modal).
    verbs.clear();
    verbs.extend(live_markers().copied().filter(|m| {
        let verb = match m.marker {
            // With an object it was a past purchase and killed orders above.
            Marker::Buy | Marker::BoughtIfObject => true,
            Marker::BuyIfObject | Marker::BuyIfProduct | Marker::BuyIfCounted => {
                object_follows(&ctx, m)
            }
            _ => false,
        };
        verb && !negated_or_reported(&ctx, m)
    }));
    let verbs: &[MarkerHit] = verbs;
    let has_verb = !verbs.is_empty();
    // "我妈说要买两盒", "还没拍两袋": the only buy verbs are someone else's
    // or negated, so "两盒猕猴桃" after them orders nothing either.
    if !has_verb
        && live_markers().any(|m| {
            matches!(
                m.marker,
                Marker::Buy | Marker::BuyIfObject | Marker::BuyIfCounted | Marker::BuyIfProduct
            ) && negated_or_reported(&ctx, m)
        })
    {
        return;
    }
    // "link 10 please": a product and a please ask for it.
    let please = live_markers().any(|m| is_please(text, m));

    // Quantities.
    qtys.clear();
    let mut bare_candidate: Option<Qty> = None;
    // "扣2" standing apart is an order, whatever else the message says.
    let mut kou_qty = false;
    let mut covered = 0usize;
    for (ni, n) in ctx.nums.iter().enumerate() {
        if used_nums.contains(&ni) || !live(n.start) {
            continue;
        }
        let unit = ctx.unit_at(n.end);
        if let Unit::Spec(len) = unit {
            spec_spans.push(n.start..n.end + len);
            continue;
        }
        if n.form == NumForm::Arabic && n.digits >= 7 && !n.ones_run {
            // A phone or order number (a run of ones is still "1").
            spec_spans.push(n.start..n.end);
            continue;
        }
        let b = text.as_bytes();
        let decimal = n.form == NumForm::Arabic
            && ((b.get(n.end) == Some(&b'.') && b.get(n.end + 1).is_some_and(u8::is_ascii_digit))
                || (n.start >= 2 && b[n.start - 1] == b'.' && b[n.start - 2].is_ascii_digit()));
        let negative = n.form == NumForm::Arabic
            && n.start >= 1
            && b[n.start - 1] == b'-'
            && !(n.start >= 2 && b[n.start - 2].is_ascii_alphanumeric());
        if decimal || negative {
            // Prices (39.9) and "-1" (one less) are not quantities.
            spec_spans.push(n.start..n.end);
            continue;
        }
        let before = ctx.skip_spaces_back(n.start);
        let prev = text[..before].chars().next_back();
        let prev2 = text[..before - prev.map_or(0, char::len_utf8)]
            .chars()
            .next_back();
        let x_prefix = matches!(prev, Some('×' | '*'))
            || (prev == Some('x') && !prev2.is_some_and(|c| c.is_ascii_alphabetic()));
        let plus_prefix = prev == Some('+');
        let prefix_len = if x_prefix || plus_prefix {
            prev.map_or(0, char::len_utf8)
        } else {
            0
        };
        let after_decimal = {
            // "39.9一袋": digits, a point, digits, right before.
            let head = text[..before].trim_end_matches(|c: char| c.is_ascii_digit());
            head.len() < before
                && head.ends_with('.')
                && head[..head.len() - 1].ends_with(|c: char| c.is_ascii_digit())
        };
        if (matches!(prev, Some('块' | '元' | '钱')) || after_decimal)
            && matches!(unit, Unit::Selling(_))
        {
            // "20块钱一斤", "5元一袋", "39.9一袋": a price per unit, not a count.
            spec_spans.push(n.start..n.end);
            continue;
        }
        let marker_before = ctx.marker_ending_at(before).filter(|m| live(m.start));
        let kou = marker_before.is_some_and(|m| m.marker == Marker::Kou);
        let verb_before = marker_before.is_some_and(|m| {
            matches!(m.marker, Marker::Buy | Marker::Each | Marker::Change)
                || (m.marker == Marker::BuyIfObject && verbs.iter().any(|v| v.start == m.start))
        });
        // "honey (2)", "【红枣】两袋": brackets between do not part them.
        let before_brackets = text[..before]
            .trim_end_matches([' ', '(', '[', '【', '「', '《', ')', ']', '】', '」', '》']);
        let after_mention = ctx
            .mentions
            .binary_search_by_key(&before_brackets.len(), |m| m.end)
            .is_ok();
        let (has_unit, unit_end) = match unit {
            Unit::Selling(len) => (true, n.end + len),
            _ => (false, n.end),
        };
        let next = ctx.skip_spaces(unit_end);
        if has_unit && n.value == 1 {
            // "土鸡一只三斤左右", "一袋5斤": one unit and what it weighs.
            // (A measure even where the catalog sells by it: 斤. And only
            // with another count after it: "要一只三斤左右的" is one.)
            let weighs = ctx.num_index_at(next).is_some_and(|j| {
                let p = ctx.skip_spaces(ctx.nums[j].end);
                ctx.lexicon.spec_units.longest(text, p).is_some() && ctx.nums.len() > j + 1
            });
            if weighs {
                spec_spans.push(n.start..next);
                continue;
            }
        }
        if has_unit {
            if let Some(end) = ctx.describes_product(next) {
                // "30枚一盒的鸡蛋来三盒": counts before 的 describe the product.
                spec_spans.push(n.start..end);
                continue;
            }
        }
        let mention_after = ctx.mention_at(next).is_some();
        // "2 each", "两袋各": the same quantity for every product named.
        let each_after = ctx
            .marker_at(next)
            .is_some_and(|m| m.marker == Marker::Each);
        let closed = next + text[next..].len()
            - text[next..]
                .trim_start_matches([')', ']', '】', '」', '》', ' '])
                .len();
        // "2 please", "three pls": a count asked for.
        let please_after = ctx.marker_at(next).is_some_and(|m| is_please(text, m));
        let at_end = closed >= text.len()
            || text[closed..].chars().next().is_some_and(is_clause_punct)
            || ctx.has_cut_between(unit_end, next)
            || ctx
                .marker_at(next)
                .is_some_and(|m| m.marker == Marker::Filler);

        let attached = match n.form {
            NumForm::Article => has_unit || mention_after,
            NumForm::Word => {
                has_unit
                    || mention_after
                    || verb_before
                    || x_prefix
                    || plus_prefix
                    || each_after
                    || please_after
            }
            NumForm::Chinese => {
                has_unit
                    || n.self_counting
                    || each_after
                    || mention_after
                    || ((verb_before || after_mention || kou) && at_end)
            }
            NumForm::Arabic => {
                !n.slang
                    && (has_unit
                        || x_prefix
                        || plus_prefix
                        || kou
                        || verb_before
                        || mention_after
                        || each_after
                        || please_after
                        || (after_mention && at_end))
            }
        };
        let mut value = n.value;
        if n.ones_run && !has_unit {
            value = 1;
        }
        let cap = if has_unit || x_prefix {
            HARD_MAX_QTY
        } else {
            MAX_BARE_QTY
        };
        let start = if prefix_len > 0 {
            before - prefix_len
        } else {
            n.start
        };
        if attached && (1..=cap).contains(&value) {
            // Standing on its own ("大二学生党 扣2"), not talked about
            // ("大家快扣1", "主播说扣1就行").
            // "加两箱", "扣两单": with a unit it is an order form anywhere.
            kou_qty |= kou && has_unit;
            kou_qty |= kou
                && at_end
                && marker_before.is_some_and(|m| {
                    text[..m.start]
                        .chars()
                        .next_back()
                        .is_none_or(|c| c == ' ' || is_clause_punct(c))
                });
            covered += unit_end - start;
            qtys.push(Qty {
                start,
                end: unit_end,
                unit: has_unit.then(|| (ctx.skip_spaces(n.end), unit_end)),
                after_verb: verb_before,
                value: value as u32,
                bound: false,
            });
        } else if matches!(n.form, NumForm::Arabic | NumForm::Word)
            && !n.slang
            && (1..=MAX_BARE_QTY).contains(&value)
        {
            covered += n.end - n.start;
            bare_candidate.get_or_insert(Qty {
                start: n.start,
                end: n.end,
                unit: None,
                after_verb: false,
                value: value as u32,
                bound: false,
            });
        }
    }

    // Products named (or "这个" for the one on air).
    products.clear();
    for (i, m) in ctx.mentions.iter().enumerate() {
        if state[i] == MentionState::Live {
            products.push((m.start, m.end, m.product, None));
        }
    }
    if products.is_empty() && !handled && !other_sense && !refused_any && has_verb {
        // "黑豆好吃吗？我买两袋": the product asked about is the topic of a
        // later order clause that names none, when the question named one.
        if let Some(topic) = question_topic(&ctx, state, verbs) {
            products.push(topic);
        }
    }
    if products.is_empty() && !handled && !other_sense && !refused_any {
        if let (Some(cur), Some(this)) =
            (current, live_markers().find(|m| m.marker == Marker::This))
        {
            products.push((this.start, this.end, cur, None));
        }
    }

    if !products.is_empty() {
        let each = live_markers().any(|m| m.marker == Marker::Each);
        if each {
            let q = qtys.first().copied();
            for p in products.iter_mut() {
                p.3 = q.map(|_| 0);
            }
        } else {
            bind_quantities(&ctx, products, qtys, spec_spans);
            bind_across_clauses(&ctx, products, qtys, verbs);
            prefer_own_units(&ctx, &engine.matcher.product_units, products, qtys);
        }
        let before = out.len();
        explicit.clear();
        for &(start, end, product, qi) in products.iter() {
            let mut qty = qi.and_then(|i| qtys.get(i));
            // Units are not converted: "两百斤大米" for rice sold by the bag
            // is a weight, no count of bags. With a buy verb the order
            // stands, for the helper to count.
            let foreign = qty.is_some_and(|q| {
                q.unit.is_some_and(|(a, b)| {
                    let unit = &text[a..b];
                    unit != &*engine.matcher.product_units[product]
                        && engine.lexicon.spec_units.longest(unit, 0) == Some(unit.len())
                })
            });
            if foreign {
                qty = None;
            }
            if qty.is_none() && !has_verb && !each && !please {
                continue;
            }
            // The same product named twice ("苹果苹果来两箱") is one order;
            // the mention that carries a quantity wins.
            if let Some(k) = out[before..]
                .iter()
                .position(|x| x.product == Some(product))
            {
                if let (Some(q), false) = (qty, explicit[k]) {
                    let prior = &mut out[before + k];
                    prior.qty = Some(q.value);
                    prior.evidence.push(q.start..q.end);
                    prior.confidence = flag_large(prior.confidence, q.value);
                    explicit[k] = true;
                }
                continue;
            }
            explicit.push(qty.is_some());
            let value = qty.map_or(1, |q| q.value);
            let mut evidence: Evidence = smallvec::smallvec![start..end];
            if let Some(q) = qty {
                evidence.push(q.start..q.end);
            }
            if let Some(v) = verbs.first() {
                evidence.push(v.start..v.end);
            }
            let mut confidence: f32 = match (qty.is_some(), has_verb) {
                (true, true) => 0.95,
                (true, false) => 0.88,
                _ => 0.85,
            };
            confidence = flag_large(confidence, value);
            if foreign {
                confidence = confidence.min(FOREIGN_UNIT_CONFIDENCE);
            }
            out.push(Intent {
                kind: IntentKind::Order,
                product: Some(product),
                qty: Some(value),
                confidence,
                evidence,
            });
        }
        return;
    }

    // No product named: a bare order for the product on air.
    let Some(cur) = current else { return };
    if handled || other_sense || refused_any || !ctx.mentions.is_empty() {
        return;
    }
    for v in verbs {
        covered += v.end - v.start;
    }
    for m in live_markers() {
        if matches!(
            m.marker,
            Marker::Kou | Marker::Filler | Marker::This | Marker::Each | Marker::PoliteTag
        ) {
            covered += m.end - m.start;
        }
    }
    let meaningful: usize = text
        .chars()
        .filter(|&c| c != ' ' && (c.is_alphanumeric() || matches!(c, '+' | '*' | '#' | '×')))
        .map(char::len_utf8)
        .sum();
    let bare = covered >= meaningful && meaningful > 0;
    let qty = qtys
        .iter()
        .find(|q| q.after_verb)
        .or(qtys.first())
        .copied()
        .or(if bare { bare_candidate } else { None });
    if !(has_verb || (bare && qty.is_some()) || (kou_qty && qty.is_some())) {
        return;
    }
    let value = qty.map_or(1, |q| q.value);
    let mut evidence = Evidence::new();
    if let Some(q) = qty {
        evidence.push(q.start..q.end);
    }
    if let Some(v) = verbs.first() {
        evidence.push(v.start..v.end);
    }
    let mut confidence: f32 = if has_verb { 0.8 } else { 0.7 };
    confidence = flag_large(confidence, value);
    out.push(Intent {
        kind: IntentKind::Order,
        product: Some(cur),
        qty: Some(value),
        confidence,
        evidence,
    });
}

/// Reads two words by what stands after them: a no-buy word before a product
/// refuses that product, as 不要 does, instead of every order of the
/// message ("don't want the chips, give me 2 honey", "不买小米，买核桃"); an
/// English cancel word before a word that is no marker and no product is a
/// noun, not a withdrawal ("cancel culture"). Look-ups are binary searches:
/// a long message stays linear.
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
        let next = m.end + text[m.end..].len() - text[m.end..].trim_start_matches(' ').len();
        m.marker == Marker::Cancel
            && text[m.start..m.end].is_ascii()
            && next > m.end
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

/// A product counted in pieces ("一人一个鸡蛋") that the message also counts
/// in its own selling unit ("给我来三盒") takes the count in its own unit.
fn prefer_own_units(
    ctx: &Ctx<'_>,
    units: &[Box<str>],
    products: &mut [(usize, usize, usize, Option<usize>)],
    qtys: &mut [Qty],
) {
    // A handful of products at most in chat; beyond, skip this look-around.
    if products.len() > 16 || qtys.len() > 16 {
        return;
    }
    let unit_of = |q: &Qty| q.unit.map(|(a, b)| &ctx.text[a..b]);
    for p in products.iter_mut() {
        let Some(qi) = p.3 else { continue };
        let own = &*units[p.2];
        if own.is_empty() || unit_of(&qtys[qi]).is_none_or(|u| u == own) {
            continue;
        }
        let later = qtys
            .iter()
            .position(|q| !q.bound && q.start > qtys[qi].start && unit_of(q) == Some(own));
        if let Some(qj) = later {
            qtys[qi].bound = false;
            qtys[qj].bound = true;
            p.3 = Some(qj);
        }
    }
}

/// A buy verb right after a negation ("没拍", "还没下单", "别买") or after
/// someone's words ("我妈说要买两袋", "主播说扣1", "我妈让我买") is not the
/// sender ordering.
fn negated_or_reported(ctx: &Ctx<'_>, v: &MarkerHit) -> bool {
    let start = ctx.clause_start(ctx.clause(v.start));
    let before = ctx.text[start..v.start].trim_end_matches(' ');
    let before = before
        .strip_suffix('要')
        .or_else(|| before.strip_suffix('想'))
        .unwrap_or(before);
    ["没", "不", "别", "说", "让我", "叫我"]
        .iter()
        .any(|w| before.ends_with(w))
}

fn is_please(text: &str, m: &MarkerHit) -> bool {
    m.marker == Marker::Filler && matches!(&text[m.start..m.end], "please" | "pls" | "plz")
}

/// A product still without a quantity takes one from a later clause that
/// has a buy verb (or a please) and names no product of its own
/// ("苹果真好吃，来两箱", "the peanuts look good, 2 jin please").
fn bind_across_clauses(
    ctx: &Ctx<'_>,
    products: &mut [(usize, usize, usize, Option<usize>)],
    qtys: &mut [Qty],
    verbs: &[MarkerHit],
) {
    // Chat names a handful of products at most; beyond that, skip this
    // look-around rather than go quadratic.
    if products.len() > 16 || qtys.len() > 16 {
        return;
    }
    for pi in 0..products.len() {
        if products[pi].3.is_some() {
            continue;
        }
        let (p_end, p_clause) = (products[pi].1, ctx.clause(products[pi].0));
        let found = qtys.iter().position(|q| {
            let clause = ctx.clause(q.start);
            !q.bound
                && q.start >= p_end
                && clause != p_clause
                && (verbs.iter().any(|v| ctx.clause(v.start) == clause)
                    || ctx
                        .markers
                        .iter()
                        .any(|m| is_please(ctx.text, m) && ctx.clause(m.start) == clause))
                && !products.iter().any(|p| ctx.clause(p.0) == clause)
        });
        if let Some(qi) = found {
            products[pi].3 = Some(qi);
            qtys[qi].bound = true;
        }
    }
}

/// Large quantities reach the helper flagged: above [`SUSPICIOUS_QTY`] at
/// half confidence, above [`MAX_QTY`] at [`OVER_MAX_CONFIDENCE`].
fn flag_large(confidence: f32, value: u32) -> f32 {
    let value = u64::from(value);
    if value > MAX_QTY {
        OVER_MAX_CONFIDENCE
    } else if value > SUSPICIOUS_QTY {
        confidence * 0.5
    } else {
        confidence
    }
}

/// 要 / 来 / take are buy verbs only with an object: a number, a product,
/// 这个, a unit, or nothing more to say ("我要", "这个我要了").
fn object_follows(ctx: &Ctx<'_>, m: &MarkerHit) -> bool {
    let p = ctx.skip_spaces(m.end);
    if m.marker == Marker::BuyIfProduct {
        return ctx.mention_at(p).is_some();
    }
    if m.marker == Marker::BuyIfCounted {
        // "冲两只", not "冲一勺" (a spoonful stirred in).
        return ctx.mention_at(p).is_some()
            || ctx
                .num_index_at(p)
                .is_some_and(|i| matches!(ctx.unit_at(ctx.nums[i].end), Unit::Selling(_)));
    }
    let Some(c) = ctx.text[p..].chars().next() else {
        return true;
    };
    if is_clause_punct(c) {
        return true;
    }
    if ctx.mention_at(p).is_some() {
        return true;
    }
    if let Some(i) = ctx.num_index_at(p) {
        // "来两句", "再来一遍": a count of something else is no object.
        return !matches!(ctx.unit_at(ctx.nums[i].end), Unit::Spec(_));
    }
    if c == '了' {
        // "要了" is taking it; "来了" is arriving.
        return !ctx.text[m.start..m.end].ends_with('来');
    }
    if c == 'x' && ctx.text[p + 1..].starts_with(|d: char| d.is_ascii_digit()) {
        return true;
    }
    if let Some(next) = ctx.marker_at(p) {
        return match next.marker {
            Marker::This | Marker::Buy | Marker::Each => true,
            // "我要买两袋", not "我要抢福袋": the next verb needs its object.
            Marker::BuyIfObject => object_follows(ctx, next),
            Marker::Filler => matches!(
                &ctx.text[next.start..next.end],
                "谢谢"
                    | "谢谢主播"
                    | "吧"
                    | "嘞"
                    | "啊"
                    | "呀"
                    | "哦"
                    | "please"
                    | "pls"
                    | "plz"
                    | "thanks"
                    | "thank you"
                    | "thx"
                    | "the"
                    | "me"
            ),
            _ => false,
        };
    }
    selling_unit_object(ctx, p)
}

/// A classifier right after a verb is its object ("来袋小米", "来盒") only
/// when it stands as a word: "来支持", "来包装" are other words that start
/// with a classifier character.
fn selling_unit_object(ctx: &Ctx<'_>, p: usize) -> bool {
    let Unit::Selling(len) = ctx.unit_at(p) else {
        return false;
    };
    let q = p + len;
    match ctx.text[q..].chars().next() {
        None => true,
        Some(c) if c == ' ' || is_clause_punct(c) || !is_cjk(c) => true,
        Some(_) => {
            ctx.mention_at(q).is_some()
                || ctx
                    .marker_at(q)
                    .is_some_and(|m| matches!(m.marker, Marker::Filler | Marker::PoliteTag))
        }
    }
}

fn is_cjk(c: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&c)
}

/// End offsets of "A不A" questions (辣不辣, 好吃不好吃) that no marker
/// already reads (要不要 is a question marker, 买不买 holds 不买), and of
/// the northern clause-final 不 / 没(有) that make a question of what comes
/// before ("包邮不", "拍两单能送点松子不", "发货了没").
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

/// 买了 with a thing bought after it: a number, a product, 这个 or a unit.
fn has_object(ctx: &Ctx<'_>, m: &MarkerHit) -> bool {
    let p = ctx.skip_spaces(m.end);
    p < ctx.text.len()
        && (ctx.mention_at(p).is_some()
            || ctx.num_at(p)
            || ctx.marker_at(p).is_some_and(|n| n.marker == Marker::This)
            || selling_unit_object(ctx, p))
}

/// The product a question clause was about, for a later order clause that
/// names none: only one product asked about, and a buy verb after it.
fn question_topic(
    ctx: &Ctx<'_>,
    state: &[MentionState],
    verbs: &[MarkerHit],
) -> Option<(usize, usize, usize, Option<usize>)> {
    let mut dead = ctx
        .mentions
        .iter()
        .zip(state)
        .filter(|(_, s)| **s == MentionState::Dead)
        .map(|(m, _)| m);
    let first = dead.next()?;
    let mut last = first;
    for m in dead {
        if m.product != first.product {
            return None;
        }
        last = m;
    }
    let after = verbs
        .iter()
        .any(|v| ctx.clause(v.start) > ctx.clause(last.start));
    after.then_some((last.start, last.end, last.product, None))
}

/// Gives each product at most one quantity. A quantity belongs to the
/// product just before it ("小米一袋小米茶一罐"), unless a clause break lies
/// between and it sits right before another product ("小米，要3包锅巴");
/// English and "要3包锅巴" put it before the product.
fn bind_quantities(
    ctx: &Ctx<'_>,
    products: &mut [(usize, usize, usize, Option<usize>)],
    qtys: &mut [Qty],
    spec: &[Range<usize>],
) {
    for (qi, slot) in qtys.iter_mut().enumerate() {
        let q = *slot;
        let prev = products.partition_point(|p| p.1 <= q.start).checked_sub(1);
        let next = Some(products.partition_point(|p| p.0 < q.end)).filter(|&i| i < products.len());
        let backward = prev.filter(|&i| {
            products[i].3.is_none() && ctx.is_glue(products[i].1, q.start, spec, true)
        });
        let forward = next
            .filter(|&i| products[i].3.is_none() && ctx.is_glue(q.end, products[i].0, spec, false));
        let choice = match (backward, forward) {
            (Some(b), Some(f)) => {
                if ctx.has_cut_between(products[b].1, q.start) {
                    Some(f)
                } else {
                    Some(b)
                }
            }
            (b, f) => b.or(f),
        };
        if let Some(i) = choice {
            products[i].3 = Some(qi);
            slot.bound = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::catalog::{Catalog, Product};
    use crate::intent::Engine;

    #[test]
    fn clause_punctuation_is_found_from_the_bytes() {
        let text: String = ('\0'..='\u{FFFF}')
            .filter(|c| !c.is_control() || *c == '\n')
            .collect();
        let expected: Vec<usize> = text
            .char_indices()
            .filter(|&(_, c)| super::is_clause_punct(c))
            .map(|(i, _)| i)
            .collect();
        let mut found = Vec::new();
        super::clause_puncts(&text, &mut found);
        assert_eq!(found, expected);
        assert_eq!(expected.len(), 11);
    }

    fn product(name: &str, unit: &str, link: u32) -> Product {
        Product {
            sku: name.into(),
            name: name.into(),
            aliases: Vec::new(),
            link,
            unit: unit.into(),
            price_fen: 100,
            stock: 1,
            limit_per_buyer: None,
        }
    }

    fn read(catalog: &Catalog, text: &str) -> Vec<(String, u32)> {
        Engine::new(catalog)
            .parse(text, None)
            .iter()
            .map(|i| {
                let sku = i.product.and_then(|p| catalog.get(p));
                (
                    sku.map_or("-".into(), |p| p.sku.clone()),
                    i.qty.unwrap_or(0),
                )
            })
            .collect()
    }

    #[test]
    fn a_product_word_before_another_is_a_list_not_another_sense() {
        // 粉 is a head word ("绿豆粉" the dish), but here it starts 粉丝.
        let catalog = Catalog::new(vec![product("绿豆", "袋", 1), product("粉丝", "把", 2)]);
        assert_eq!(
            read(&catalog, "绿豆粉丝各两份"),
            vec![("绿豆".into(), 2), ("粉丝".into(), 2)]
        );
        assert!(read(&catalog, "绿豆粉好喝").is_empty());
    }

    #[test]
    fn a_typo_of_a_longer_word_may_hold_a_shorter_one_whole() {
        // "麻拉香肠" holds 香肠 spelt right; read whole it is 麻辣香肠 misspelt.
        let catalog = Catalog::new(vec![product("香肠", "斤", 1), product("麻辣香肠", "斤", 2)]);
        assert_eq!(read(&catalog, "麻拉香肠两斤"), vec![("麻辣香肠".into(), 2)]);
        assert_eq!(read(&catalog, "香肠两斤"), vec![("香肠".into(), 2)]);
    }

    #[test]
    fn pinyin_reads_every_reading_of_a_heteronym_and_v_for_u_umlaut() {
        // 参 reads can first; 人参 is ren shen. 绿 is lü, typed lv.
        let catalog = Catalog::new(vec![product("人参片", "盒", 1), product("绿豆", "斤", 2)]);
        assert_eq!(
            read(&catalog, "renshen pian liang he"),
            vec![("人参片".into(), 2)]
        );
        assert_eq!(read(&catalog, "lvdou 2 jin"), vec![("绿豆".into(), 2)]);
        assert_eq!(read(&catalog, "绿逗两斤"), vec![("绿豆".into(), 2)]);
    }

    #[test]
    fn a_marker_never_straddles_a_product_word() {
        // 带来 ("bring") would swallow the 来 after the product 藕带.
        let catalog = Catalog::new(vec![product("藕带", "瓶", 1)]);
        assert_eq!(read(&catalog, "藕带来两瓶"), vec![("藕带".into(), 2)]);
    }

    #[test]
    fn weight_words_count_only_for_catalogs_selling_by_weight() {
        let by_jin = Catalog::new(vec![product("蒜", "斤", 1)]);
        assert_eq!(read(&by_jin, "3 jin of 蒜"), vec![("蒜".into(), 3)]);
        let by_bag = Catalog::new(vec![product("蒜", "袋", 1)]);
        assert_eq!(read(&by_bag, "要3 jin of 蒜"), vec![("蒜".into(), 1)]);
    }
}
