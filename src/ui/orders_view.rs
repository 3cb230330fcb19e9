//! The orders view (`o`, `Mode::Orders`), for whoever watches the money:
//! the totals, orders a minute over the last half hour (a sparkline with
//! local times at its ends), units sold per product (a bar chart with the
//! money beside), and every buyer's cart added up, biggest first (Enter
//! opens one). Figures come from the store's summary (`Model::summary`);
//! the bars from the product rows the model keeps anyway.

use crate::app::model::Model;
use crate::app::update::SALES_MINUTES;
use crate::catalog::yuan;
use crate::ui::sanitize::sanitize;
use crate::ui::{i18n, text, theme};
use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Bar, BarChart, Block, Paragraph, Sparkline};
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

/// From this width the two charts sit side by side above the buyers.
const SIDE_BY_SIDE_MIN_WIDTH: u16 = 110;
/// Product names in the bar chart take at most this many columns.
const BAR_LABEL_MAX: usize = 12;
/// The widest a buyer's name is drawn.
const BUYER_MAX: usize = 36;
const ORDERS_COLUMNS: usize = 7;
const UNITS_COLUMNS: usize = 7;
const TOTAL_COLUMNS: usize = 13;

pub fn render(model: &Model, frame: &mut Frame, area: Rect) {
    let v = i18n::view_strings(model.language);
    let Some(inner) = crate::ui::framed_view(frame, area, v.orders_title, v.orders_keys) else {
        return;
    };

    let [totals_area, rest] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
    render_totals(model, frame, totals_area);
    let shown_products = model.products.len().clamp(1, 8) as u16;
    let (spark_area, bars_area, buyers_area) = if inner.width >= SIDE_BY_SIDE_MIN_WIDTH {
        let charts_height = (rest.height * 2 / 5).clamp(5, shown_products + 2);
        let [charts, buyers] =
            Layout::vertical([Constraint::Length(charts_height), Constraint::Min(0)]).areas(rest);
        let [spark, bars] =
            Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
                .areas(charts);
        (spark, bars, buyers)
    } else {
        let [spark, bars, buyers] = Layout::vertical([
            Constraint::Length(5),
            Constraint::Length((shown_products + 2).min(7)),
            Constraint::Min(0),
        ])
        .areas(rest);
        (spark, bars, buyers)
    };
    render_sales(model, frame, spark_area);
    render_products(model, frame, bars_area);
    render_buyers(model, frame, buyers_area);
}

fn render_totals(model: &Model, frame: &mut Frame, area: Rect) {
    let v = i18n::view_strings(model.language);
    let s = i18n::strings(model.language);
    let line = match &model.summary {
        Some(summary) => format!(
            " {} {} · {} {} · {} ¥{} · {} {}",
            v.orders,
            summary.orders,
            v.units,
            summary.units,
            v.revenue,
            yuan(summary.revenue_fen),
            v.pending,
            model.inbox.len()
        ),
        None => format!(" {}", s.loading),
    };
    frame.render_widget(
        Paragraph::new(text::truncate(&line, usize::from(area.width))).style(theme::title()),
        area,
    );
}

/// Orders a minute as a sparkline as wide as the pane allows (each minute
/// repeated to fill it), with the local times of its first and last minute.
fn render_sales(model: &Model, frame: &mut Frame, area: Rect) {
    let per_minute: &[u32] = model
        .summary
        .as_ref()
        .map_or(&[], |summary| &summary.per_minute);
    let peak = per_minute.iter().copied().max().unwrap_or(0);
    let title = i18n::sales_a_minute(model.language, SALES_MINUTES, u64::from(peak));
    let block = Block::bordered().title(Line::styled(
        text::truncate(
            &format!(" {title} "),
            usize::from(area.width.saturating_sub(2)),
        ),
        theme::title(),
    ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(summary) = &model.summary else {
        return;
    };
    if inner.height < 2 || inner.width == 0 || summary.per_minute.is_empty() {
        return;
    }
    let [spark_area, labels_area] =
        Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
    let columns = usize::from(inner.width);
    // The newest minutes when the pane is narrower than the window.
    let shown = summary.per_minute.len().min(columns);
    let first = summary.per_minute.len() - shown;
    let repeat = (columns / shown).max(1);
    let data: Vec<u64> = summary.per_minute[first..]
        .iter()
        .flat_map(|&n| std::iter::repeat_n(u64::from(n), repeat))
        .collect();
    frame.render_widget(
        Sparkline::default()
            .data(&data)
            .max(u64::from(peak.max(1)))
            .style(theme::covered()),
        spark_area,
    );
    let minute_clock = |minute: usize| {
        let at = summary.since_ms + i64::try_from(minute).unwrap_or(0) * 60_000;
        text::clock(at, model.utc_offset_secs)[..5].to_string()
    };
    let used = data.len().min(columns);
    let left = minute_clock(first);
    let right = minute_clock(summary.per_minute.len() - 1);
    let labels = if used > left.width() + right.width() {
        format!("{left}{}", text::fit_right(&right, used - left.width()))
    } else {
        text::fit_right(&right, used)
    };
    frame.render_widget(
        Paragraph::new(text::truncate(&labels, columns)).style(theme::dim()),
        labels_area,
    );
}

/// Units sold per product, best sellers first, the money beside each bar.
fn render_products(model: &Model, frame: &mut Frame, area: Rect) {
    let v = i18n::view_strings(model.language);
    let block = Block::bordered().title(Line::styled(
        text::truncate(
            &format!(" {} ", v.per_product),
            usize::from(area.width.saturating_sub(2)),
        ),
        theme::title(),
    ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    let mut products: Vec<_> = model.products.iter().collect();
    // Stable: products that sold alike keep their queue order.
    products.sort_by_key(|p| std::cmp::Reverse(p.sold));
    products.truncate(usize::from(inner.height));
    let name_width = products
        .iter()
        .map(|p| sanitize(&p.name).width())
        .max()
        .unwrap_or(0)
        .min(BAR_LABEL_MAX)
        .min(usize::from(inner.width) / 4);
    // Units and money go in the label, not over the bar, so every bar's
    // length is its own.
    let bars: Vec<Bar> = products
        .iter()
        .map(|p| {
            let sold = u64::try_from(p.sold).unwrap_or(0);
            let label = format!(
                "{}{}{}",
                text::fit(&sanitize(&p.name), name_width),
                text::fit_right(&sold.to_string(), UNITS_COLUMNS),
                text::fit_right(&format!("¥{}", yuan(p.revenue_fen)), TOTAL_COLUMNS),
            );
            let label = text::truncate(&label, usize::from(inner.width) * 2 / 3);
            Bar::default()
                .label(Line::raw(label))
                .value(sold)
                .text_value(String::new())
        })
        .collect();
    let max = products
        .iter()
        .map(|p| u64::try_from(p.sold).unwrap_or(0))
        .max()
        .unwrap_or(0)
        .max(1);
    frame.render_widget(
        BarChart::default()
            .direction(Direction::Horizontal)
            .data(ratatui::widgets::BarGroup::default().bars(&bars))
            .bar_width(1)
            .bar_gap(0)
            .max(max)
            .bar_style(theme::covered())
            .value_style(theme::title()),
        inner,
    );
}

/// Every buyer's confirmed orders added up, biggest first; the selected
/// one is kept in view.
fn render_buyers(model: &Model, frame: &mut Frame, area: Rect) {
    let v = i18n::view_strings(model.language);
    let s = i18n::strings(model.language);
    let mut title = format!(" {} ", v.buyers);
    if let Some(summary) = &model.summary {
        if summary.buyer_count > summary.buyers.len() as u64 {
            title = format!(
                " {} · {} ",
                v.buyers,
                i18n::buyers_shown(model.language, summary.buyers.len(), summary.buyer_count)
            );
        }
    }
    let block = Block::bordered().title(Line::styled(
        text::truncate(&title, usize::from(area.width.saturating_sub(2))),
        theme::title(),
    ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    let width = usize::from(inner.width);
    // Capped, so on a wide screen the figures stay beside the names.
    let name_width = width
        .saturating_sub(2 + 1 + ORDERS_COLUMNS + UNITS_COLUMNS + TOTAL_COLUMNS)
        .min(BUYER_MAX);
    let row = |marker: &str, name: &str, orders: &str, units: &str, total: &str| {
        let line = format!(
            "{marker}{} {}{}{}",
            text::fit_middle(name, name_width),
            text::fit_right(orders, ORDERS_COLUMNS),
            text::fit_right(units, UNITS_COLUMNS),
            text::fit_right(total, TOTAL_COLUMNS),
        );
        text::truncate(&line, width)
    };
    let mut lines = vec![Line::styled(
        row("  ", v.col_buyer, v.col_orders, v.col_units, v.col_total),
        theme::dim(),
    )];
    let room = usize::from(inner.height).saturating_sub(1);
    match &model.summary {
        None => lines.push(Line::styled(format!(" {}", s.loading), theme::dim())),
        Some(summary) if summary.buyers.is_empty() => {
            lines.push(Line::styled(format!(" {}", v.no_orders), theme::dim()))
        }
        Some(summary) => {
            let selected = model.orders_view.as_ref().map_or(0, |view| view.selected);
            let offset = (selected + 1).saturating_sub(room);
            for (i, buyer) in summary.buyers.iter().enumerate().skip(offset).take(room) {
                let chosen = i == selected;
                let line = row(
                    if chosen { "▸ " } else { "  " },
                    &sanitize(&buyer.user),
                    &buyer.orders.to_string(),
                    &buyer.units.to_string(),
                    &format!("¥{}", yuan(buyer.total_fen)),
                );
                let style = if chosen {
                    theme::selected_row()
                } else {
                    Style::new()
                };
                lines.push(Line::styled(line, style));
            }
        }
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
