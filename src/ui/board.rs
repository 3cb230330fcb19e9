//! The broadcaster's board (`livestall board`): the product on air, its
//! price and stock left in big digits, and the latest buyers to read aloud
//! (报单), readable from two metres. Drawn from a plain `BoardView`, so it
//! knows nothing of the database and tests render it on a TestBackend.
//!
//! Top to bottom: the on-air line with the clock; the product's name as a
//! banner; price and stock left in the biggest digits the screen holds (8
//! rows, 4 rows, 4 rows at half width, or plain bold text), a running flash
//! sale under them; the latest buyers, newest first; the totals, small. The
//! digits are the biggest that leave room for three buyers; what height is
//! left goes to more buyers (up to eight), then to spacing. Names stay in
//! plain characters: a terminal cannot draw CJK large reliably.

use crate::catalog::{yuan, Fen};
use crate::config::Language;
use crate::ui::sanitize::sanitize;
use crate::ui::text::countdown;
use crate::ui::{i18n, text, theme};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};
use ratatui::Frame;
use tui_big_text::{BigText, PixelSize};
use unicode_width::UnicodeWidthStr;

/// The most buyers the board lists: about what a broadcaster reads aloud
/// between two glances.
pub const MAX_BUYERS: usize = 8;
/// Fewer buyers than this and the digits get smaller instead.
const MIN_BUYERS: u16 = 3;
/// The stock is drawn at least this many digits wide, so the layout does
/// not jump as 100 becomes 99.
const STOCK_MIN_GLYPHS: usize = 3;
/// Columns between the price and the stock.
const FIGURES_GAP: u16 = 4;
/// At or below this many left the stock turns red: the last few sell the show.
const FEW_LEFT: i64 = 10;

/// Everything the board shows, as plain data: built from the database by
/// `commands::board`, or by hand in tests.
#[derive(Debug, Clone, PartialEq)]
pub struct BoardView {
    pub language: Language,
    /// The shop's name, when a config gave one.
    pub shop_name: Option<String>,
    /// Unix milliseconds: the clock and the flash sale's countdown.
    pub now_ms: i64,
    pub utc_offset_secs: i32,
    /// None when the database has no products.
    pub on_air: Option<OnAirView>,
    /// The latest confirmed orders, newest first; the board lists up to `MAX_BUYERS`.
    pub buyers: Vec<BuyerView>,
    /// Confirmed orders and the money they took.
    pub orders: u64,
    pub revenue_fen: Fen,
    /// The last read failed: what is shown is the read before it.
    pub unreadable: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OnAirView {
    pub link: u32,
    pub name: String,
    pub unit: String,
    pub price_fen: Fen,
    pub stock: i64,
    /// A flash sale, shown while `now_ms` is before its end.
    pub sale: Option<SaleView>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SaleView {
    pub price_fen: Fen,
    /// Units left at the sale price.
    pub left: u32,
    pub ends_at_ms: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BuyerView {
    /// As chat gave it: sanitized when drawn.
    pub user: String,
    pub product: String,
    pub qty: u32,
    /// When it was confirmed; `None` when the source does not say (the
    /// helper's screen, `b`), and the time column is left out.
    pub at_ms: Option<i64>,
}

/// How big the price and stock are drawn. A glyph of the 8x8 font takes
/// `glyph()` cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DigitSize {
    Full,
    HalfHeight,
    Quadrant,
    Plain,
}

impl DigitSize {
    const LARGEST_FIRST: [DigitSize; 4] = [
        DigitSize::Full,
        DigitSize::HalfHeight,
        DigitSize::Quadrant,
        DigitSize::Plain,
    ];

    /// (columns, rows) of one glyph.
    fn glyph(self) -> (u16, u16) {
        match self {
            DigitSize::Full => (8, 8),
            DigitSize::HalfHeight => (8, 4),
            DigitSize::Quadrant => (4, 4),
            DigitSize::Plain => (1, 1),
        }
    }

    fn pixels(self) -> Option<PixelSize> {
        match self {
            DigitSize::Full => Some(PixelSize::Full),
            DigitSize::HalfHeight => Some(PixelSize::HalfHeight),
            DigitSize::Quadrant => Some(PixelSize::Quadrant),
            DigitSize::Plain => None,
        }
    }

    /// Columns `text` takes at this size.
    fn columns(self, text: &str) -> u16 {
        let columns = match self {
            DigitSize::Plain => text.width(),
            _ => text.chars().count() * usize::from(self.glyph().0),
        };
        u16::try_from(columns).unwrap_or(u16::MAX)
    }
}

/// The two figures in big digits: what one unit costs now (a flash sale's
/// price while it runs) and how many are left (None: sold out).
struct Figures {
    price: String,
    stock: Option<String>,
}

impl Figures {
    fn of(product: &OnAirView, sale: Option<&SaleView>) -> Figures {
        let price_fen = sale.map_or(product.price_fen, |s| s.price_fen);
        Figures {
            price: format!("¥{}", yuan(price_fen)),
            stock: (product.stock > 0).then(|| product.stock.to_string()),
        }
    }

    /// Columns of the stock's column at `size` (the sold-out box, when sold out).
    fn stock_columns(&self, size: DigitSize, sold_out_words: &str) -> u16 {
        let digits = self.stock.as_deref().unwrap_or("");
        let glyphs = digits.chars().count().max(STOCK_MIN_GLYPHS);
        let columns = match size {
            DigitSize::Plain => u16::try_from(glyphs).unwrap_or(u16::MAX),
            _ => u16::try_from(glyphs)
                .unwrap_or(u16::MAX)
                .saturating_mul(size.glyph().0),
        };
        if self.stock.is_none() {
            let words = u16::try_from(sold_out_words.width()).unwrap_or(u16::MAX);
            columns.max(words.saturating_add(4))
        } else {
            columns
        }
    }

    fn columns(&self, size: DigitSize, sold_out_words: &str) -> u16 {
        size.columns(&self.price)
            .saturating_add(FIGURES_GAP)
            .saturating_add(self.stock_columns(size, sold_out_words))
    }
}

/// Rows of everything but the digits and the buyers: the on-air line, the
/// name, the labels over the digits, the buyers' title and the totals.
const FIXED_ROWS: u16 = 5;

/// Where everything goes on a screen of a given size.
#[derive(Debug)]
struct Plan {
    size: DigitSize,
    top_margin: u16,
    gap_after_header: u16,
    name_rows: u16,
    gap_after_name: u16,
    sale_rows: u16,
    gap_before_buyers: u16,
    buyer_rows: u16,
    /// 2 double-spaces the buyers when there is room.
    buyer_step: u16,
}

impl Plan {
    fn new(area: Rect, figures: Option<&Figures>, sale: bool, sold_out_words: &str) -> Plan {
        let sale_rows = u16::from(sale);
        let fits = |size: DigitSize| {
            let wide_enough = figures
                .is_none_or(|f| f.columns(size, sold_out_words).saturating_add(2) <= area.width);
            let rows = FIXED_ROWS + size.glyph().1 + sale_rows + MIN_BUYERS;
            wide_enough && rows <= area.height
        };
        let size = DigitSize::LARGEST_FIRST
            .into_iter()
            .find(|&size| fits(size))
            .unwrap_or(DigitSize::Plain);
        let mut spare = area
            .height
            .saturating_sub(FIXED_ROWS + size.glyph().1 + sale_rows);
        let buyer_rows = spare.min(MAX_BUYERS as u16);
        spare -= buyer_rows;
        let mut take = |rows: u16| {
            if spare >= rows {
                spare -= rows;
                rows
            } else {
                0
            }
        };
        let gap_after_header = take(1);
        let gap_after_name = take(1);
        let gap_before_buyers = take(1);
        // A three-row banner reads from further away than one line.
        let name_rows = 1 + take(2);
        let buyer_step = if buyer_rows > 0 && take(buyer_rows) > 0 {
            2
        } else {
            1
        };
        Plan {
            size,
            top_margin: spare / 2,
            gap_after_header,
            name_rows,
            gap_after_name,
            sale_rows,
            gap_before_buyers,
            buyer_rows,
            buyer_step,
        }
    }
}

pub fn render(view: &BoardView, frame: &mut Frame) {
    let area = frame.area();
    render_in(view, area, frame.buffer_mut());
}

/// Draws the board into `area` of `buf`.
pub fn render_in(view: &BoardView, area: Rect, buf: &mut Buffer) {
    let s = i18n::board_strings(view.language);
    let sale = view
        .on_air
        .as_ref()
        .and_then(|p| p.sale.as_ref())
        .filter(|sale| sale.ends_at_ms > view.now_ms);
    let figures = view.on_air.as_ref().map(|p| Figures::of(p, sale));
    let plan = Plan::new(area, figures.as_ref(), sale.is_some(), s.sold_out);

    let mut y = area.y;
    let mut next = |rows: u16| {
        let at = Rect::new(area.x, y, area.width, rows).intersection(area);
        y = y.saturating_add(rows);
        at
    };
    let header = next(1);
    next(plan.top_margin + plan.gap_after_header);
    let name = next(plan.name_rows);
    next(plan.gap_after_name);
    let labels = next(1);
    let digits = next(plan.size.glyph().1);
    let sale_line = next(plan.sale_rows);
    next(plan.gap_before_buyers);
    let buyers_title = next(1);
    let buyers = next(plan.buyer_rows * plan.buyer_step);
    let footer = Rect::new(area.x, area.bottom().saturating_sub(1), area.width, 1);

    render_header(view, header, buf);
    match (&view.on_air, &figures) {
        (Some(product), Some(figures)) => {
            let sold_out = (product.stock <= 0).then_some(s.sold_out);
            render_name(&product.name, sold_out, name, buf);
            render_figures(
                view.language,
                product,
                figures,
                sale.is_some(),
                plan.size,
                labels,
                digits,
                buf,
            );
            if let Some(sale) = sale {
                render_sale(view, product, sale, sale_line, buf);
            }
        }
        _ => {
            Paragraph::new(s.nothing_on_air)
                .style(theme::dim())
                .centered()
                .render(digits, buf);
        }
    }
    render_buyers(view, plan.buyer_step, buyers_title, buyers, buf);
    render_footer(view, footer, buf);
}

/// The board before the shop's database exists: what it waits for, the
/// file it looks at, and what to check if it never comes.
pub fn render_waiting(language: Language, database: &str, frame: &mut Frame) {
    let s = i18n::board_strings(language);
    let area = frame.area();
    let lines = vec![
        Line::styled(s.waiting, theme::title()),
        Line::raw(""),
        Line::styled(sanitize(database), theme::on_air()),
        Line::raw(""),
        Line::styled(s.waiting_why, theme::dim()),
        Line::raw(""),
        Line::styled(s.quit, theme::dim()),
    ];
    let height = (lines.len() as u16 + 2).min(area.height);
    let top = area.y + area.height.saturating_sub(height) / 2;
    Paragraph::new(lines)
        .centered()
        .wrap(ratatui::widgets::Wrap { trim: true })
        .render(
            Rect::new(area.x, top, area.width, area.bottom().saturating_sub(top)),
            frame.buffer_mut(),
        );
}

fn render_header(view: &BoardView, area: Rect, buf: &mut Buffer) {
    let s = i18n::board_strings(view.language);
    let link = view
        .on_air
        .as_ref()
        .map_or_else(|| "—".to_string(), |p| i18n::link(view.language, p.link));
    let on_air = format!(" {} ▶ {link} ", s.on_air);
    let clock = text::clock(view.now_ms, view.utc_offset_secs);
    let right = match &view.shop_name {
        Some(shop) => format!("{}  {clock} ", sanitize(shop)),
        None => format!("{clock} "),
    };
    // The clock and the shop's name give way to the on-air words.
    let room = usize::from(area.width).saturating_sub(on_air.width() + 1);
    Paragraph::new(Span::styled(on_air, theme::on_air())).render(area, buf);
    Paragraph::new(Span::styled(
        text::fit_right(&right, room.min(right.width())),
        theme::title(),
    ))
    .right_aligned()
    .render(area, buf);
}

/// The product's name on a banner across the screen, red and saying so
/// when it is sold out.
fn render_name(name: &str, sold_out: Option<&str>, area: Rect, buf: &mut Buffer) {
    if area.height == 0 {
        return;
    }
    let (words, style) = match sold_out {
        Some(sold_out) => (
            format!("{} · {sold_out}", sanitize(name)),
            theme::sold_out(),
        ),
        None => (sanitize(name), theme::board_name()),
    };
    buf.set_style(area, style);
    let middle = Rect::new(area.x, area.y + area.height / 2, area.width, 1);
    let room = usize::from(area.width).saturating_sub(4);
    Paragraph::new(text::truncate(&words, room))
        .style(style)
        .centered()
        .render(middle, buf);
}

#[allow(clippy::too_many_arguments)]
fn render_figures(
    language: Language,
    product: &OnAirView,
    figures: &Figures,
    on_sale: bool,
    size: DigitSize,
    labels: Rect,
    digits: Rect,
    buf: &mut Buffer,
) {
    let s = i18n::board_strings(language);
    let price_columns = size.columns(&figures.price);
    let stock_columns = figures.stock_columns(size, s.sold_out);
    let used = price_columns + FIGURES_GAP + stock_columns;
    // Free columns: a third left of the price, a third between, a third right.
    let free = digits.width.saturating_sub(used);
    let price_x = digits.x + free / 3;
    let stock_x = price_x + price_columns + FIGURES_GAP + free / 3;
    let price_area =
        Rect::new(price_x, digits.y, price_columns, digits.height).intersection(digits);
    let stock_area =
        Rect::new(stock_x, digits.y, stock_columns, digits.height).intersection(digits);

    let (price_label, price_style) = if on_sale {
        (s.sale_price.to_string(), theme::board_sale())
    } else {
        (
            format!("{} / {}", s.price, sanitize(&product.unit)),
            theme::title(),
        )
    };
    label(&price_label, price_style, price_area.x, labels, buf);
    label(s.left, theme::title(), stock_area.x, labels, buf);

    let price_style = if on_sale {
        theme::on_air()
    } else {
        theme::board_price()
    };
    big(&figures.price, price_style, size, price_area, buf);
    match &figures.stock {
        Some(stock) => {
            let style = if product.stock <= FEW_LEFT {
                theme::short_stock()
            } else {
                theme::board_stock()
            };
            big(stock, style, size, stock_area, buf);
        }
        None => {
            buf.set_style(stock_area, theme::sold_out());
            let middle = Rect::new(
                stock_area.x,
                stock_area.y + stock_area.height / 2,
                stock_area.width,
                1,
            );
            Paragraph::new(s.sold_out)
                .style(theme::sold_out())
                .centered()
                .render(middle.intersection(stock_area), buf);
        }
    }
}

fn label(words: &str, style: Style, x: u16, row: Rect, buf: &mut Buffer) {
    let at = Rect::new(x, row.y, row.right().saturating_sub(x), 1).intersection(row);
    let room = usize::from(at.width);
    Paragraph::new(Span::styled(text::truncate(words, room), style)).render(at, buf);
}

/// `figure` in big digits (tui-big-text's 8x8 font) or, on the smallest
/// screens, in plain bold characters.
fn big(figure: &str, style: Style, size: DigitSize, area: Rect, buf: &mut Buffer) {
    match size.pixels() {
        Some(pixels) => BigText::builder()
            .pixel_size(pixels)
            .style(style)
            .lines(vec![Line::from(figure.to_string())])
            .build()
            .render(area, buf),
        None => Paragraph::new(Span::styled(figure.to_string(), style)).render(area, buf),
    }
}

fn render_sale(
    view: &BoardView,
    product: &OnAirView,
    sale: &SaleView,
    area: Rect,
    buf: &mut Buffer,
) {
    let left = u32::try_from(product.stock.max(0))
        .unwrap_or(u32::MAX)
        .min(sale.left);
    let line = i18n::board_sale(
        view.language,
        left,
        &sanitize(&product.unit),
        &countdown(sale.ends_at_ms - view.now_ms),
        &yuan(product.price_fen),
    );
    let line = format!(" {line} ");
    let width = u16::try_from(line.width())
        .unwrap_or(u16::MAX)
        .min(area.width);
    let at = Rect::new(
        area.x + (area.width - width) / 2,
        area.y,
        width,
        area.height,
    );
    Paragraph::new(text::truncate(&line, usize::from(width)))
        .style(theme::board_sale())
        .render(at, buf);
}

fn render_buyers(view: &BoardView, step: u16, title: Rect, area: Rect, buf: &mut Buffer) {
    let s = i18n::board_strings(view.language);
    let width = usize::from(area.width);
    // No time column when no buyer has a time (and the rows centre without it).
    let timed = view.buyers.is_empty() || view.buyers.iter().any(|b| b.at_ms.is_some());
    let show_time = width >= 60 && timed;
    let name_width = (width / 4).clamp(10, 22);
    let qty_width = 6;
    let time_width = if show_time { 10 } else { 0 };
    let product_width = width
        .saturating_sub(3 + name_width + 2 + qty_width + time_width + 1)
        .min(28);
    // The rows as one block in the middle: on a wide screen the quantity
    // stays next to the name it belongs to.
    let row_width = 3 + name_width + 2 + product_width + qty_width + time_width;
    let x = area.x + u16::try_from(width.saturating_sub(row_width) / 2).unwrap_or(0);
    let from_x = |row: Rect| Rect::new(x, row.y, row.right().saturating_sub(x), row.height);
    if title.height > 0 {
        Paragraph::new(Line::from(vec![
            Span::raw(" "),
            Span::styled(s.buyers, theme::title()),
        ]))
        .render(from_x(title), buf);
    }
    if view.buyers.is_empty() {
        Paragraph::new(format!("   {}", s.no_buyers))
            .style(theme::dim())
            .render(from_x(Rect { height: 1, ..area }).intersection(area), buf);
        return;
    }
    let rows = usize::from(area.height / step.max(1));
    for (i, buyer) in view.buyers.iter().take(rows.min(MAX_BUYERS)).enumerate() {
        let y = area.y + u16::try_from(i).unwrap_or(u16::MAX) * step;
        let newest = i == 0;
        let (marker, name_style, rest_style) = if newest {
            (" ▶ ", theme::board_newest(), theme::board_newest())
        } else {
            ("   ", theme::user(), Style::new())
        };
        let mut spans = vec![
            Span::styled(marker, theme::board_newest()),
            Span::styled(keep_end(&sanitize(&buyer.user), name_width), name_style),
            Span::raw("  "),
            Span::styled(
                text::fit(&sanitize(&buyer.product), product_width),
                rest_style,
            ),
            Span::styled(
                text::fit_right(&format!("×{}", buyer.qty), qty_width),
                theme::board_newest(),
            ),
        ];
        if show_time {
            let clock = buyer
                .at_ms
                .map(|at| text::clock(at, view.utc_offset_secs))
                .unwrap_or_default();
            spans.push(Span::styled(
                text::fit_right(&clock, time_width),
                theme::dim(),
            ));
        }
        let row = Rect::new(x, y, area.right().saturating_sub(x), 1);
        Paragraph::new(Line::from(spans)).render(row, buf);
    }
}

/// `name` in exactly `width` columns; a name too long loses its middle,
/// not its end: chat's default names differ only at the end
/// (抖音用户2958316704, 用户****05), and the broadcaster must tell them apart.
fn keep_end(name: &str, width: usize) -> String {
    if name.width() <= width || width < 3 {
        return text::fit(name, width);
    }
    let char_width = |c: char| unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
    let mut tail: Vec<char> = Vec::new();
    let mut tail_width = 0;
    for c in name.chars().rev() {
        if tail_width + char_width(c) > width / 2 {
            break;
        }
        tail.push(c);
        tail_width += char_width(c);
    }
    // The head gets what the tail and the "…" leave.
    let head_room = width - 1 - tail_width;
    let mut out = String::new();
    let mut head_width = 0;
    for c in name.chars() {
        if head_width + char_width(c) > head_room {
            break;
        }
        out.push(c);
        head_width += char_width(c);
    }
    out.push('…');
    out.extend(tail.into_iter().rev());
    text::fit(&out, width)
}

fn render_footer(view: &BoardView, area: Rect, buf: &mut Buffer) {
    let s = i18n::board_strings(view.language);
    let totals = format!(
        " {} {} · ¥{}",
        s.orders,
        view.orders,
        yuan(view.revenue_fen)
    );
    Paragraph::new(totals.clone())
        .style(theme::dim())
        .render(area, buf);
    if view.unreadable {
        let room = usize::from(area.width).saturating_sub(totals.width() + 2);
        Paragraph::new(text::truncate(&format!("{} ", s.unreadable), room))
            .style(theme::trouble())
            .right_aligned()
            .render(area, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_names_keep_their_distinguishing_end() {
        let a = keep_end("抖音用户2958316704", 14);
        let b = keep_end("抖音用户2958399999", 14);
        assert_eq!(a.width(), 14);
        assert_ne!(a, b);
        assert!(a.trim_end().ends_with("316704"), "{a}");
        assert_eq!(keep_end("李姐", 6), "李姐  ");
        for width in 0..20 {
            assert_eq!(keep_end("抖音用户2958316704", width).width(), width);
        }
    }

    #[test]
    fn the_countdown_never_shows_zero_while_running() {
        assert_eq!(countdown(1), "0:01");
        assert_eq!(countdown(60_000), "1:00");
        assert_eq!(countdown(8 * 60_000 + 1), "8:01");
        assert_eq!(countdown(3_600_000 + 61_000), "1:01:01");
        assert_eq!(countdown(-5), "0:00");
    }

    #[test]
    fn digits_are_the_biggest_that_leave_room_for_three_buyers() {
        let figures = Figures {
            price: "¥39.90".into(),
            stock: Some("294".into()),
        };
        let plan = |w, h| Plan::new(Rect::new(0, 0, w, h), Some(&figures), false, "售罄");
        assert_eq!(plan(160, 48).size, DigitSize::Full);
        assert_eq!(plan(160, 48).buyer_rows, MAX_BUYERS as u16);
        assert_eq!(plan(80, 24).size, DigitSize::Full);
        assert_eq!(plan(80, 24).buyer_rows, MAX_BUYERS as u16);
        assert_eq!(plan(80, 16).buyer_rows, 3);
        assert_eq!(plan(80, 14).size, DigitSize::HalfHeight);
        assert_eq!(plan(80, 14).buyer_rows, 5);
        assert_eq!(plan(60, 24).size, DigitSize::Quadrant);
        assert_eq!(plan(30, 12).size, DigitSize::Plain);
    }
}
