//! Every mode at every size (issue 9, point 8): with hostile chat (CJK,
//! emoji, bidi marks, controls, 200-character names), each mode is drawn at
//! sizes from 60x20 to 300x80 in both languages (the inbox on the whole
//! grid, every other mode on a sweep of every width and height), and every row must be
//! exactly the screen's width (no wide character split at the right edge,
//! nothing spilling). A resize between every key of a script, and random
//! sizes (proptest), must hold the same.

mod tui_support;

use livestall::app::{Model, Msg};
use livestall::config::Language;
use proptest::prelude::*;
use tui_support::*;

const LANGUAGES: [Language; 2] = [Language::Zh, Language::En];

/// Key scripts that open each mode (and the inbox's own arrangements).
const MODES: [&str; 11] = [
    "",            // inbox
    "?",           // help
    "p",           // products (overlay, or the pane hidden on wide screens)
    "N",           // a bulk question
    "R20",         // a prompt
    "c",           // a cart (loading)
    "e",           // the picker
    "/小米",       // the filter, typing
    "/x<enter>G",  // filtered and grouped
    "jjjg",        // jumped to a chat line
    "/zzz<enter>", // a filter that shows nothing
];

/// The fixture's stream, then chat that tries everything at once.
fn hostile(language: Language) -> Model {
    let mut m = model(language);
    busy_stream(&mut m);
    let long_name = "超长的名字".repeat(40);
    let msgs = vec![
        chat("h1", &long_name, "小米来两袋，核桃一袋", at(14, 32, 10)),
        chat(
            "h2",
            "\u{202e}evil\u{202c}名字",
            "\u{1b}[2J\u{1b}[31m扣1\u{7}",
            at(14, 32, 11),
        ),
        chat(
            "h3",
            "🍎🍎🍎🍎🍎🍎🍎🍎",
            "🎉🎉 礼盒要一个 🎉🎉",
            at(14, 32, 12),
        ),
        chat(
            "h4",
            "x\u{200b}y\u{feff}z",
            &format!("锅巴{}", "两包".repeat(100)),
            at(14, 32, 13),
        ),
        chat(
            "h5",
            "مرحبا",
            "\u{2066}שלום\u{2069} 6号链接拍一个",
            at(14, 32, 14),
        ),
        chat(
            &"i".repeat(200),
            "Tom\r\n\t",
            "walnut x3\u{9b}",
            at(14, 32, 15),
        ),
        Msg::Tick(at(14, 32, 16)),
    ];
    feed(&mut m, msgs);
    m
}

const CORNERS: [(u16, u16); 6] = [
    (60, 20),
    (80, 24),
    (119, 29),
    (120, 30),
    (160, 48),
    (300, 80),
];

/// Widths 60..=300 by 7 columns and heights 20..=80 by 3 rows.
fn widths() -> Vec<u16> {
    (60..=300).step_by(7).collect()
}

fn heights() -> Vec<u16> {
    (20..=80).step_by(3).collect()
}

/// The whole grid of widths and heights (the layout's breakpoints all fall
/// on it or next to a corner).
fn grid() -> Vec<(u16, u16)> {
    let heights = heights();
    let mut sizes = CORNERS.to_vec();
    for width in widths() {
        sizes.extend(heights.iter().map(|&height| (width, height)));
    }
    sizes
}

/// Every width and every height of the grid, each several times, paired
/// differently for each mode (`shift`), and the corners: a sweep that costs
/// a seventh of the grid.
fn sweep(shift: usize) -> Vec<(u16, u16)> {
    let heights = heights();
    let mut sizes = CORNERS.to_vec();
    for (i, width) in widths().into_iter().enumerate() {
        for j in 0..3 {
            sizes.push((width, heights[(i + j * 7 + shift) % heights.len()]));
        }
    }
    sizes
}

#[test]
fn the_inbox_fits_the_whole_grid_in_both_languages() {
    for language in LANGUAGES {
        let m = hostile(language);
        for (width, height) in grid() {
            assert_rows_fit(&m, width, height);
        }
    }
}

#[test]
fn every_mode_fits_every_width_and_height_in_both_languages() {
    for language in LANGUAGES {
        for (shift, keys) in MODES.iter().enumerate() {
            let mut m = hostile(language);
            press(&mut m, keys);
            for (width, height) in sweep(shift) {
                // assert_rows_fit panics with the row when one does not fit.
                assert_rows_fit(&m, width, height);
            }
        }
    }
}

#[test]
fn resizing_between_every_key_keeps_every_row_fitted() {
    let script =
        "jj?<esc>p<esc>/小米<down><enter>Gg<esc>e<down><esc>R2<esc>c<esc>N<esc>G<pgup><end>";
    let keys = parse_keys(script).unwrap();
    let sizes = [
        (60, 20),
        (300, 80),
        (80, 24),
        (119, 29),
        (120, 30),
        (61, 21),
        (160, 48),
        (73, 37),
    ];
    for language in LANGUAGES {
        let mut m = hostile(language);
        for (n, key) in keys.iter().enumerate() {
            update(&mut m, Msg::Key(*key));
            // The shell tells the new size as it changes.
            let (width, height) = sizes[n % sizes.len()];
            update(&mut m, Msg::Resize { width, height });
            assert_rows_fit(&m, width, height);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn random_sizes_fit(
        width in 60u16..=300,
        height in 20u16..=80,
        mode in 0..MODES.len(),
        chinese in any::<bool>(),
    ) {
        let language = if chinese { Language::Zh } else { Language::En };
        let mut m = hostile(language);
        press(&mut m, MODES[mode]);
        assert_rows_fit(&m, width, height);
    }
}
