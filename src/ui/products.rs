//! The product queue with inventory: link number, name, price, stock left,
//! sold; the product on air marked, sold-out loud. A pane on wide screens, an
//! overlay (`p`) on small ones.

use crate::app::model::{Model, ProductRow};
use crate::catalog::yuan;
use crate::ui::{centered, i18n, text, theme};
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use ratatui::Frame;

/// Columns of everything but the name: marker, link, price, left, sold, flag.
const FIXED_WIDTH: usize = 2 + 3 + 1 + 1 + 9 + 6 + 6 + 1 + 4;
const OVERLAY_WIDTH: u16 = 64;

pub fn render(model: &Model, frame: &mut Frame, area: Rect) {
    let s = i18n::strings(model.language);
    let block = Block::bordered().title(Line::styled(
        format!(" {} ", s.products_title),
        theme::title(),
    ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let rows = usize::from(inner.height);
    let width = usize::from(inner.width);
    if rows == 0 {
        return;
    }
    let name_width = width.saturating_sub(FIXED_WIDTH).max(4);
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
    // Keep the product on air in view on a short pane.
    let body = rows - 1;
    let on_air = model.on_air.unwrap_or(0);
    let offset = (on_air + 1).saturating_sub(body);
    lines.extend(
        model
            .products
            .iter()
            .enumerate()
            .skip(offset)
            .take(body)
            .map(|(i, p)| product_line(model, p, Some(i) == model.on_air, name_width)),
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

fn product_line(model: &Model, p: &ProductRow, on_air: bool, name_width: usize) -> Line<'static> {
    let s = i18n::strings(model.language);
    let (marker, style) = if on_air {
        ("▶ ", theme::on_air())
    } else {
        ("  ", Style::new())
    };
    let mut spans = vec![
        Span::styled(marker, style),
        Span::styled(text::fit_right(&p.link.to_string(), 3), style),
        Span::raw(" "),
        Span::styled(text::fit_middle(&p.name, name_width + 1), style),
        Span::raw(text::fit_right(&yuan(p.price_fen), 9)),
        Span::styled(
            text::fit_right(&p.stock.to_string(), 6),
            if p.stock <= 0 {
                theme::sold_out()
            } else {
                Style::new()
            },
        ),
        Span::raw(text::fit_right(&p.sold.to_string(), 6)),
        Span::raw(" "),
    ];
    let seeded = model.catalog.by_sku(&p.sku).map_or(0, |c| c.stock);
    if p.stock <= 0 {
        spans.push(Span::styled(s.none_left, theme::sold_out()));
    } else if p.low(seeded) {
        spans.push(Span::styled(s.low_stock, theme::short_stock()));
    } else if p.sale.is_some() {
        spans.push(Span::styled(s.sale, theme::short_stock()));
    }
    Line::from(spans)
}
