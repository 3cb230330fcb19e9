//! Between the products and the orders: whether an order that names no
//! product ("来两袋", "这个我要了", "3") is about the product on air. Owns
//! the rule that a count or a buy verb with an object of its own orders
//! nothing of the shop's: "再来一把", "那你多拍两张照片" count in a
//! classifier the catalog does not sell by, and "再来两瓶" with tea sold by
//! the tin on air counts in the unit of another of the shop's products;
//! "来一个大招", "buy a veneno", "这个小哥哥", "加3个0" have a content word
//! (or a digit) right after the order's last word; "营业声线来一个" has one
//! right before its verb; "这个要8800" has a price beside it; "please win
//! it" makes "it" the object of another verb. A count in a unit the
//! catalog sells by is the product's whatever follows ("拍两只炖汤"), and
//! politeness, addressees, 的-descriptions and words of how the buying is
//! done ("直接拍", "秒杀的来一单") are no objects.

use super::super::lexicon::{Marker, MarkerHit, GENERIC_COUNT_WORDS};
use super::super::numbers::{NumForm, MAX_BARE_QTY};
use super::context::{ceil_char_boundary, is_cjk, Ctx};
use super::mood::Mood;
use super::quantities::{Qty, Quantities};
use super::verbs::{english_word_before, Verbs};

/// Whether no live clause that orders (a buy verb of the sender's, a
/// quantity, 这个, 扣) has an object of its own. `on_air_unit` is the
/// selling unit of the product on air.
#[inline]
pub(super) fn about_the_product(
    ctx: &Ctx<'_>,
    mood: &Mood<'_>,
    verbs: &Verbs<'_>,
    quantities: &Quantities<'_>,
    on_air_unit: Option<&str>,
) -> bool {
    (0..=ctx.cuts.len())
        .filter(|&k| !mood.dead[k])
        .all(|k| !has_object_of_its_own(ctx, verbs, quantities.list, on_air_unit, k))
}

/// Whether clause `k` orders something that is not the product on air.
fn has_object_of_its_own(
    ctx: &Ctx<'_>,
    verbs: &Verbs<'_>,
    qtys: &[Qty],
    on_air_unit: Option<&str>,
    k: usize,
) -> bool {
    let text = ctx.text;
    let start = ctx.clause_start(k);
    let end = ctx
        .cuts
        .get(k)
        .map_or(text.len(), |&c| ceil_char_boundary(text, c))
        .max(start);
    // This clause's share of each sorted list, found by binary search: a
    // long message with many clauses stays linear.
    let qtys = &qtys[qtys.partition_point(|q| q.start < start)..];
    let qtys = &qtys[..qtys.partition_point(|q| q.start < end)];
    let verbs = &verbs.list[verbs.list.partition_point(|v| v.start < start)..];
    let verbs = &verbs[..verbs.partition_point(|v| v.start < end)];
    let markers = &ctx.markers[ctx.markers.partition_point(|m| m.start < start)..];
    let markers = &markers[..markers.partition_point(|m| m.start < end)];
    // The order's words in this clause: from the first to the last.
    let mut span: Option<(usize, usize)> = None;
    let mut widen = |a: usize, b: usize| {
        span = Some(span.map_or((a, b), |(s, e)| (s.min(a), e.max(b))));
    };
    let mut sold_unit = false;
    let mut others_unit = false;
    for q in qtys {
        if let Some((a, b)) = q.unit {
            let unit = &text[a..b];
            let generic = unit.is_ascii() || GENERIC_COUNT_WORDS.contains(&unit);
            if ctx.units.longest(text, a) == Some(b - a) {
                // "再来两瓶" with tea sold by the tin on air: a count of
                // another of the shop's products, which it does not name
                // (unless a count in the tin is there too: "要一只三斤左右的").
                if on_air_unit.is_some_and(|u| u != unit) && !generic {
                    others_unit = true;
                } else {
                    sold_unit = true;
                }
            } else if !generic {
                // "再来一把", "两张照片": a count of something else.
                return true;
            }
        }
        widen(q.start, q.end);
    }
    for v in verbs {
        widen(v.start, v.end);
    }
    for m in markers {
        if matches!(m.marker, Marker::This | Marker::Kou) {
            widen(m.start, m.end);
        }
    }
    let Some((first, _)) = span else {
        return false;
    };
    // "这个要8800", "3000直接拿下": a number beside the verb too large to
    // count the product is what it costs, or something else.
    let counted = |n: usize| qtys.iter().any(|q| q.start <= n && n < q.end);
    let beside_verb = verbs.iter().any(|v| {
        let after = ctx.num_index_at(ctx.skip_spaces(v.end));
        let before = number_ending_at(ctx, v.start);
        [after, before].into_iter().flatten().any(|i| {
            let n = &ctx.nums[i];
            let b = ctx.text.as_bytes();
            // "要3.5": a price or a version.
            let decimal =
                b.get(n.end) == Some(&b'.') && b.get(n.end + 1).is_some_and(u8::is_ascii_digit);
            !n.slang && !counted(n.start) && (n.value > MAX_BARE_QTY || decimal)
        })
    });
    if beside_verb {
        return true;
    }
    // "please win it": "it" is the object of a verb of other content.
    let this_of_another_verb = markers.iter().any(|m| {
        m.marker == Marker::This
            && ctx.text[m.start..m.end].is_ascii()
            && english_word_before(ctx, m.start).is_some_and(|(s, _)| is_content_at(ctx, s))
    });
    if this_of_another_verb {
        return true;
    }
    if sold_unit {
        // "来两袋", "拍两只炖汤": the product's own unit names it.
        return false;
    }
    if others_unit {
        return true;
    }
    // After every order word, not only the last: "两个华子就能拿下".
    let mut word_ends = qtys
        .iter()
        .map(|q| q.end)
        .chain(verbs.iter().map(|v| v.end))
        .chain(
            markers
                .iter()
                .filter(|m| matches!(m.marker, Marker::This | Marker::Kou))
                .map(|m| m.end),
        );
    word_ends.any(|e| {
        content_after(ctx, e, end, |n| {
            qtys.iter().any(|q| q.start <= n && n < q.end)
        })
    }) || content_before(ctx, first)
        || english_verb_of_its_own(ctx, verbs, end)
}

/// The number that ends right before `p`, past spaces and words of how
/// or politeness ("3000直接拿下").
fn number_ending_at(ctx: &Ctx<'_>, mut p: usize) -> Option<usize> {
    loop {
        p = ctx.skip_spaces_back(p);
        match ctx.marker_ending_at(p) {
            Some(m) if matches!(m.marker, Marker::Manner | Marker::Filler) => p = m.start,
            _ => break,
        }
    }
    let i = ctx.nums.partition_point(|n| n.end < p);
    ctx.nums.get(i).filter(|n| n.end == p).map(|_| i)
}

/// Whether a content word stands right after the order's last word, past
/// spaces, politeness, particles, English articles and unit words, and
/// numbers that count nothing: "来一个大招", "buy a veneno", "get it
/// towed", "get more coffee", "need more 20+ minute videos".
fn content_after(ctx: &Ctx<'_>, mut p: usize, end: usize, counted: impl Fn(usize) -> bool) -> bool {
    // "加3个0": a count of digits.
    let count_word_before = GENERIC_COUNT_WORDS
        .iter()
        .any(|w| !w.is_ascii() && ctx.text[..p].ends_with(w));
    if count_word_before && ctx.num_at(p) {
        return true;
    }
    loop {
        p = ctx.skip_spaces(p);
        if let Some(m) = ctx.marker_at(p).filter(|m| {
            matches!(
                m.marker,
                Marker::Filler | Marker::PoliteTag | Marker::Question | Marker::Manner
            )
        }) {
            p = m.end;
            continue;
        }
        // Articles, and numbers that are no count of the order's ("来两杯
        // 奶茶": 杯 is no unit of the shop's), stand before the object.
        match ctx.num_index_at(p) {
            Some(i) if ctx.nums[i].form == NumForm::Article || !counted(ctx.nums[i].start) => {
                p = ctx.nums[i].end;
                // "20+": a number and its "or more".
                if ctx.text[p..].starts_with('+') {
                    p += 1;
                }
                continue;
            }
            _ => {}
        }
        // "more", "extra": a measure of the object still to come.
        match ctx.lexicon.english_units.longest(ctx.text, p) {
            Some(len) if p + len < end => p += len,
            _ => break,
        }
    }
    // A classifier right after the verb is its object: "来盒" orders one
    // in the catalog's unit, "来个" one of whatever comes next.
    if ctx.units.longest(ctx.text, p).is_some() {
        return false;
    }
    if let Some(w) = GENERIC_COUNT_WORDS
        .iter()
        .find(|w| ctx.text[p..].starts_with(**w))
    {
        p += w.len();
        // "加3个0": a count of digits.
        if p < end && ctx.num_at(p) {
            return true;
        }
    }
    p < end && is_content_at(ctx, p)
}

/// "early need": an English verb with nothing after it in
/// its clause and a word of other content right before it is that word's
/// verb, not an order ("i need", "ok take" order).
fn english_verb_of_its_own(ctx: &Ctx<'_>, verbs: &[MarkerHit], end: usize) -> bool {
    verbs.iter().any(|v| {
        ctx.text[v.start..v.end].is_ascii()
            && ctx.skip_spaces(v.end) >= end
            && english_word_before(ctx, v.start).is_some_and(|(s, _)| is_content_at(ctx, s))
    })
}

/// Whether a Chinese content word stands right before the order's first
/// word, with nothing between: the topic it is about ("营业声线来一个").
fn content_before(ctx: &Ctx<'_>, first: usize) -> bool {
    let Some(c) = ctx.text[..first].chars().next_back() else {
        return false;
    };
    let p = first - c.len_utf8();
    if !is_cjk(c) || !is_content_at(ctx, p) {
        return false;
    }
    // "这箱我要了", "这种来两盆": 这 / 那 and a classifier point at the
    // product on air.
    let demonstrative = ctx.text[..p]
        .chars()
        .next_back()
        .is_some_and(|d| matches!(d, '这' | '那' | '這'))
        && (ctx.units.longest(ctx.text, p).is_some()
            || ctx
                .lexicon
                .selling_classifiers
                .longest(ctx.text, p)
                .is_some()
            || c == '种');
    !demonstrative
}

/// Whether the character at `p` belongs to no product word, marker or
/// number (and, in English, to no unit word): a word of other content.
pub(super) fn is_content_at(ctx: &Ctx<'_>, p: usize) -> bool {
    let Some(c) = ctx.text[p..].chars().next() else {
        return false;
    };
    c.is_alphanumeric()
        && ctx.marker_covering(p).is_none()
        && !covers(ctx.mentions, |m| (m.start, m.end), p)
        && !covers(ctx.nums, |n| (n.start, n.end), p)
        && ctx.lexicon.english_units.longest(ctx.text, p).is_none()
}

/// Whether an item of `items` (sorted, not overlapping) covers `p`.
fn covers<T>(items: &[T], span: impl Fn(&T) -> (usize, usize), p: usize) -> bool {
    let i = items.partition_point(|x| span(x).1 <= p);
    items.get(i).is_some_and(|x| span(x).0 <= p)
}

#[cfg(test)]
mod tests {
    use super::super::testing::Message;
    use super::*;

    const PRODUCTS: &[(&str, &str)] = &[("小米", "袋"), ("鸡蛋", "盒")];

    fn about_product(text: &str) -> bool {
        Message::new(PRODUCTS, text).through_quantities(|ctx, mood, _, verbs, q| {
            about_the_product(ctx, mood, verbs, &q, None)
        })
    }

    /// `about_product` with the millet (sold by the bag) on air.
    fn about_millet(text: &str) -> bool {
        Message::new(PRODUCTS, text).through_quantities(|ctx, mood, _, verbs, q| {
            about_the_product(ctx, mood, verbs, &q, Some("袋"))
        })
    }

    #[test]
    fn a_count_or_verb_with_nothing_else_is_about_the_product() {
        for text in [
            "来两袋",
            "老板来一个",
            "来两袋谢谢",
            "me too, 2 please",
            "来盒",
            "拍两盒送人",
        ] {
            assert!(about_product(text), "{text}");
        }
    }

    #[test]
    fn a_count_of_something_else_is_not() {
        assert!(!about_product("再来一把"));
        assert!(!about_product("那你多拍两张照片"));
    }

    #[test]
    fn a_count_in_another_products_unit_is_not_about_the_one_on_air() {
        assert!(about_millet("再来两袋"));
        assert!(about_millet("再来两个"));
        assert!(!about_millet("再来两盒"));
        // Beside a count in its own unit, the other is what one weighs.
        assert!(about_millet("要一袋两盒大小的"));
    }

    #[test]
    fn a_content_word_after_or_right_before_the_order_is_its_object() {
        for text in [
            "来一个大招",
            "buy a veneno",
            "营业声线来一个",
            "add ron cam",
        ] {
            assert!(!about_product(text), "{text}");
        }
        // After any of its words, not only the last; past a number that
        // counts nothing of the shop's.
        assert!(!about_product("两个华子就能拿下"));
        assert!(!about_product("给我来两杯奶茶"));
        // Not when politeness, a description or a demonstrative stands between.
        assert!(about_product("5斤的来一个"));
        assert!(about_product("这种来两个"));
    }
}
