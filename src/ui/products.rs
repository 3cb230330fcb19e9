//! The product queue with inventory, in the order of selling: link number
//! (the platform's), name, price, stock left, sold; the product on air
//! marked, sold-out loud, a flash sale's countdown. A pane on wide screens,
//! an overlay (`p`) on small ones; with the keys on it (`Mode::Products`)
//! its border takes the accent colour and the selected product is lit.

use crate::app::model::{Mode, Model, ProductRow};
use crate::catalog::yuan;
use crate::ui::{centered, i18n, text, theme};
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use ratatui::Frame;

/// Columns of everything but the name and the flag: marker, link, price,
/// left, sold.
const FIXED_WIDTH: usize = 2 + 3 + 1 + 1 + 9 + 6 + 6 + 1;
/// The flag column: "售罄", "LOW", or with a sale running, "秒杀 12:34".
const FLAG_WIDTH: usize = 4;
const SALE_FLAG_WIDTH: usize = 10;
const OVERLAY_WIDTH: u16 = 64;

pub fn render(model: &Model, frame: &mut Frame, area: Rect) {
    let s = i18n::strings(model.language);
    // Lit while the queue is worked, also under a question or prompt about
    // its selected product; its keys are shown only while it has them.
    let focused = model.queue_in_use();
    let mut block = Block::bordered().title(Line::styled(
        format!(" {} ", s.products_title),
        theme::title(),
    ));
    if focused {
        block = block.border_style(theme::on_air());
    }
    if model.mode == Mode::Products {
        let room = usize::from(area.width.saturating_sub(4));
        block = block.title_bottom(Line::styled(
            format!(" {} ", text::truncate(s.queue_keys, room.saturating_sub(2))),
            theme::on_air(),
        ));
    }
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let rows = usize::from(inner.height);
    let width = usize::from(inner.width);
    if rows == 0 {
        return;
    }
    let flag_width = if model.products.iter().any(|p| p.sale.is_some()) {
        SALE_FLAG_WIDTH
    } else {
        FLAG_WIDTH
    };
    let name_width = width.saturating_sub(FIXED_WIDTH + flag_width).max(4);
    let mut lines = vec![Line::styled(
        format!(
            "  {} {} {}{}{}{}",
            text::fit_right("#", 3),
            text::fit(s.col_product, name_width + 1),
            text::fit_right(s.col_price, 9),
            text::fit_right(s.col_left, 6),
            text::fit_right(s.col_sold, 6),
            " ",
        ),
        theme::dim(),
    )];
    // Keep the product the helper is looking at in view on a short pane:
    // the selected one while the keys are here, else the one on air.
    let body = rows - 1;
    let watched = if focused {
        Some(model.queue_selected)
    } else {
        model.on_air
    };
    let place = watched.and_then(|p| model.queue_position(p)).unwrap_or(0);
    let offset = (place + 1).saturating_sub(body);
    lines.extend(
        model
            .queue
            .iter()
            .skip(offset)
            .take(body)
            .filter_map(|&i| Some((i, model.products.get(i)?)))
            .map(|(i, p)| {
                let marks = Marks {
                    on_air: Some(i) == model.on_air,
                    selected: focused && i == model.queue_selected,
                };
                product_line(model, p, marks, name_width)
            }),
    );
    // Products gone from config keep their orders: shown, never on air.
    let room = body.saturating_sub(model.products.len().saturating_sub(offset));
    lines.extend(model.retired.iter().take(room).map(|r| {
        Line::styled(
            format!(
                "  {} {}{}{}{} {}",
                text::fit_right("-", 3),
                text::fit(&r.name, name_width + 1),
                text::fit_right(&yuan(r.price_fen), 9),
                text::fit_right(&r.stock.to_string(), 6),
                text::fit_right(&r.sold.to_string(), 6),
                s.retired
            ),
            theme::dim(),
        )
    }));
    frame.render_widget(Paragraph::new(lines), inner);
}

pub fn render_overlay(model: &Model, frame: &mut Frame, area: Rect) {
    let height = u16::try_from(model.products.len() + model.retired.len())
        .unwrap_or(u16::MAX)
        .saturating_add(3);
    let popup = centered(area, OVERLAY_WIDTH, height);
    crate::ui::clear_overlay(frame, popup);
    render(model, frame, popup);
}

/// How a product's row is marked.
#[derive(Clone, Copy)]
struct Marks {
    on_air: bool,
    /// The queue has the keys and this row is selected.
    selected: bool,
}

fn product_line(model: &Model, p: &ProductRow, marks: Marks, name_width: usize) -> Line<'static> {
    let s = i18n::strings(model.language);
    // The selection takes the first column and the on-air mark the second,
    // so a selected product on air shows both.
    let marker = match (marks.selected, marks.on_air) {
        (true, true) => "▸▶",
        (true, false) => "▸ ",
        (false, true) => "▶ ",
        (false, false) => "  ",
    };
    let style = if marks.on_air {
        theme::on_air()
    } else {
        Style::new()
    };
    let mut spans = vec![
        Span::styled(marker, style),
        Span::styled(text::fit_right(&p.link.to_string(), 3), style),
        Span::raw(" "),
        Span::styled(text::fit_middle(&p.name, name_width + 1), style),
        Span::raw(text::fit_right(&yuan(p.price_fen), 9)),
        Span::styled(
            text::fit_right(&p.for_sale().to_string(), 6),
            if p.for_sale() <= 0 {
                theme::sold_out()
            } else {
                Style::new()
            },
        ),
        Span::raw(text::fit_right(&p.sold.to_string(), 6)),
        Span::raw(" "),
    ];
    let seeded = model.catalog.by_sku(&p.sku).map_or(0, |c| c.stock);
    // A running sale's countdown before the low-stock warning: the farmer
    // calls out the seconds left, and the on-air line warns of stock too.
    if p.for_sale() <= 0 {
        spans.push(Span::styled(s.none_left, theme::sold_out()));
    } else if let Some(sale) = &p.sale {
        spans.push(Span::styled(
            format!(
                "{} {}",
                s.sale,
                text::countdown(sale.ends_at_ms - model.now_ms)
            ),
            theme::short_stock(),
        ));
    } else if p.low(seeded) {
        spans.push(Span::styled(s.low_stock, theme::short_stock()));
    }
    let line = Line::from(spans);
    if marks.selected {
        line.style(theme::selected_row())
    } else {
        line
    }
}
