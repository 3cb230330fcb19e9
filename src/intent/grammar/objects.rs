//! Between the products and the orders: whether an order that names no
//! product ("来两袋", "这个我要了", "3") is about the product on air. Owns
//! the rule that a count or a buy verb with an object of its own orders
//! nothing of the shop's: "再来一把", "那你多拍两张照片" count in a
//! classifier the catalog does not sell by, and "再来两瓶" with tea sold by
//! the tin on air counts in the unit of another of the shop's products; "来一个大招", "buy a veneno",
//! "这个小哥哥" have a content word right after the order's last word;
//! "营业声线来一个" has one right before its verb. A count in a unit the
//! catalog sells by is the product's whatever follows ("拍两只炖汤"), and
//! politeness, addressees, 的-descriptions and words of how the buying is
//! done ("直接拍", "秒杀的来一单") are no objects.

use super::super::lexicon::{Marker, GENERIC_COUNT_WORDS};
use super::super::numbers::NumForm;
use super::context::{ceil_char_boundary, is_cjk, Ctx};
use super::mood::Mood;
use super::quantities::{Qty, Quantities};
use super::verbs::Verbs;

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
}

/// Whether a content word stands right after the order's last word, past
/// spaces, politeness, particles and English articles: "来一个大招",
/// "buy a veneno", "get it towed".
fn content_after(ctx: &Ctx<'_>, mut p: usize, end: usize, counted: impl Fn(usize) -> bool) -> bool {
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
                p = ctx.nums[i].end
            }
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
    }
    p < end && is_content_at(ctx, p)
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
