//! Width-aware text fitting for the padding and truncation the views do
//! themselves: CJK and emoji take two columns, so lengths are display widths
//! (unicode-width), never bytes or chars.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// `text` cut to at most `width` columns, with "…" when it was cut.
pub fn truncate(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > width - 1 {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// `text` cut to at most `width` columns by taking out its middle, so names
/// that differ only at the end stay apart ("抖音用户23456" and "抖音用户23789"
/// become "抖音…23456" and "抖音…23789", not both "抖音用户…").
pub fn truncate_middle(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_string();
    }
    if width < 3 {
        return truncate(text, width);
    }
    let room = width - 1;
    let tail_room = room.div_ceil(2);
    let mut tail: Vec<char> = Vec::new();
    let mut used = 0;
    for c in text.chars().rev() {
        let w = c.width().unwrap_or(0);
        if used + w > tail_room {
            break;
        }
        tail.push(c);
        used += w;
    }
    let head_room = room - used;
    let mut out = String::new();
    let mut head_used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if head_used + w > head_room {
            break;
        }
        out.push(c);
        head_used += w;
    }
    out.push('…');
    out.extend(tail.into_iter().rev());
    out
}

/// `truncate_middle`, padded with spaces to exactly `width` columns.
pub fn fit_middle(text: &str, width: usize) -> String {
    let mut out = truncate_middle(text, width);
    let used = out.width();
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(used)));
    out
}

/// `text` cut or padded with spaces to exactly `width` columns.
pub fn fit(text: &str, width: usize) -> String {
    let mut out = truncate(text, width);
    let used = out.width();
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(used)));
    out
}

/// `text` right-aligned in exactly `width` columns (cut when too long).
pub fn fit_right(text: &str, width: usize) -> String {
    let cut = truncate(text, width);
    let pad = width.saturating_sub(cut.width());
    let mut out = " ".repeat(pad);
    out.push_str(&cut);
    out
}

/// Time left as m:ss (h:mm:ss from an hour), rounded up so the last
/// second shows 0:01, never 0:00 while a flash sale still runs.
pub fn countdown(ms: i64) -> String {
    let secs = (ms.max(0) + 999) / 1000;
    let (h, m, s) = (secs / 3600, secs % 3600 / 60, secs % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

/// Formats Unix ms as HH:MM:SS at a fixed UTC offset.
pub fn clock(ms: i64, utc_offset_secs: i32) -> String {
    let secs = ms.div_euclid(1000) + i64::from(utc_offset_secs);
    let day = secs.rem_euclid(86_400);
    format!("{:02}:{:02}:{:02}", day / 3600, day % 3600 / 60, day % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_middle_cut_keeps_names_that_differ_at_the_end_apart() {
        assert_eq!(truncate_middle("抖音用户23456", 10), "抖音…23456");
        assert_eq!(truncate_middle("抖音用户23789", 10), "抖音…23789");
        assert_eq!(truncate_middle("太行小米 5斤装", 6), "太…装");
        assert_eq!(truncate_middle("太行红枣", 6), "太…枣");
        assert_eq!(truncate_middle("李姐", 6), "李姐");
        assert_eq!(fit_middle("Tom from Texas", 9), "Tom …exas");
        for width in 0..12 {
            assert!(truncate_middle("抖音用户23456", width).width() <= width);
        }
    }

    #[test]
    fn fit_counts_display_columns() {
        assert_eq!(fit("李姐", 6), "李姐  ");
        assert_eq!(fit("北京吃货小王", 7), "北京吃…");
        assert_eq!(fit("北京吃货小王", 7).width(), 7);
        assert_eq!(fit("👍ok", 4), "👍ok");
        assert_eq!(fit("Tom", 2), "T…");
        assert_eq!(fit("abc", 0), "");
    }

    #[test]
    fn fit_never_exceeds_the_width_with_wide_chars() {
        for width in 0..12 {
            for text in ["小米来两袋", "a小b米c", "🍎🍎🍎🍎🍎🍎", "plain ascii text"]
            {
                assert_eq!(fit(text, width).width(), width, "{text:?} at {width}");
                assert_eq!(fit_right(text, width).width(), width, "{text:?} at {width}");
            }
        }
    }

    #[test]
    fn clock_applies_the_offset_and_wraps_days() {
        assert_eq!(clock(0, 0), "00:00:00");
        assert_eq!(clock(((14 * 60 + 32) * 60 + 5) * 1000, 0), "14:32:05");
        assert_eq!(clock(0, 8 * 3600), "08:00:00");
        assert_eq!(clock(1000, -3600), "23:00:01");
    }
}
