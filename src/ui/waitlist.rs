//! The waitlist view (`w`, `Mode::Waitlist`): per product in queue order,
//! the orders waiting for its stock in line order (place, buyer, quantity,
//! since when), those stock covers now marked as offered (`y` confirms
//! them, `n` rejects any). Rows are `Model::waitlist_rows`; only the
//! visible ones are drawn.

use crate::app::model::{Model, WaitRow};
use crate::ui::sanitize::sanitize;
use crate::ui::{i18n, text, theme};
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

const PLACE_COLUMNS: usize = 6;
const QTY_COLUMNS: usize = 6;
const SINCE_COLUMNS: usize = 10;
/// The widest a buyer's name is drawn.
const BUYER_MAX: usize = 30;

/// A line of the list: a product's heading, or one waiting order.
enum Entry {
    Product { product: usize, waiting: usize },
    Row(usize),
}

pub fn render(model: &Model, frame: &mut Frame, area: Rect) {
    let v = i18n::view_strings(model.language);
    let rows = model.waitlist_rows();
    let title = format!("{} ({})", v.waitlist_title, rows.len());
    let Some(inner) = crate::ui::framed_view(frame, area, &title, v.waitlist_keys) else {
        return;
    };
    let width = usize::from(inner.width);
    let state_width = [v.waiting, v.offered, v.col_state]
        .iter()
        .map(|w| w.width())
        .max()
        .unwrap_or(0);
    let fixed = 2 + PLACE_COLUMNS + 2 + QTY_COLUMNS + SINCE_COLUMNS + 2 + state_width;
    // Names take what is left, up to a width that keeps a row readable
    // in one sweep of the eye on a wide screen.
    let buyer_width = width.saturating_sub(fixed).min(BUYER_MAX);
    let columns = |marker: &str, place: &str, buyer: &str, qty: &str, since: &str, state: &str| {
        let line = format!(
            "{marker}{}  {}{}{}  {}",
            text::fit_right(place, PLACE_COLUMNS),
            text::fit_middle(buyer, buyer_width),
            text::fit_right(qty, QTY_COLUMNS),
            text::fit_right(since, SINCE_COLUMNS),
            state,
        );
        text::truncate(&line, width)
    };
    let mut lines = vec![Line::styled(
        columns(
            "  ",
            v.col_place,
            i18n::strings(model.language).col_buyer,
            v.col_qty,
            v.col_since,
            v.col_state,
        ),
        theme::dim(),
    )];
    if rows.is_empty() {
        lines.push(Line::styled(format!(" {}", v.waitlist_empty), theme::dim()));
        frame.render_widget(Paragraph::new(lines), inner);
        return;
    }

    let entries = entries(&rows);
    let selected = model.waitlist_selected.min(rows.len() - 1);
    let selected_at = entries
        .iter()
        .position(|e| matches!(e, Entry::Row(i) if *i == selected))
        .unwrap_or(0);
    let room = usize::from(inner.height).saturating_sub(1);
    // Keep the selected row in view, with its product's heading when it fits.
    let offset = (selected_at + 1).saturating_sub(room);
    for entry in entries.iter().skip(offset).take(room) {
        lines.push(match entry {
            Entry::Product { product, waiting } => {
                let p = &model.products[*product];
                let heading = format!(
                    " {} {}  {}",
                    i18n::link(model.language, p.link),
                    sanitize(&p.name),
                    i18n::waiting_for(model.language, p.available(), *waiting)
                );
                Line::styled(text::truncate(&heading, width), theme::title())
            }
            Entry::Row(i) => {
                let row = rows[*i];
                let item = &model.inbox[row.item];
                let chosen = *i == selected;
                let line = columns(
                    if chosen { "▸ " } else { "  " },
                    &row.place.to_string(),
                    &sanitize(&item.user),
                    &format!("×{}", item.qty.unwrap_or(1).max(1)),
                    &text::clock(item.received_at_ms, model.utc_offset_secs),
                    if row.offered { v.offered } else { v.waiting },
                );
                let style = match (chosen, row.offered) {
                    (true, _) => theme::selected_row(),
                    (false, true) => theme::covered(),
                    (false, false) => Style::new(),
                };
                Line::styled(line, style)
            }
        });
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// The rows with a heading before each product's line.
fn entries(rows: &[WaitRow]) -> Vec<Entry> {
    let mut out = Vec::with_capacity(rows.len() + 8);
    for (i, row) in rows.iter().enumerate() {
        if i == 0 || rows[i - 1].product != row.product {
            let waiting = rows[i..]
                .iter()
                .take_while(|r| r.product == row.product)
                .count();
            out.push(Entry::Product {
                product: row.product,
                waiting,
            });
        }
        out.push(Entry::Row(i));
    }
    out
}
