//! The county's hub screen (`livestall hub`): every station (online, when
//! last seen, what it has on air, its sales), the shared stock (the pool
//! and each station's part) and the latest orders, drawn from what the
//! hub last read of the co-op database. Names come from chat and from
//! stations: every one is sanitized.

use crate::catalog::yuan;
use crate::config::Language;
use crate::coop::hub::{HubOrder, HubStation, HubStock};
use crate::ui::sanitize::sanitize;
use crate::ui::{i18n, text, theme};
use ratatui::layout::{Constraint, Layout};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Row, Table};
use ratatui::Frame;

/// A station not heard from for this long shows as offline.
pub const OFFLINE_AFTER_MS: i64 = 10_000;

/// Everything the hub shows.
#[derive(Debug, Clone, PartialEq)]
pub struct HubView {
    pub language: Language,
    pub now_ms: i64,
    pub utc_offset_secs: i32,
    pub stations: Vec<HubStation>,
    pub stock: Vec<HubStock>,
    /// Newest first.
    pub recent: Vec<HubOrder>,
    /// The last read failed (the view is the one before).
    pub unreadable: bool,
}

pub fn render(view: &HubView, frame: &mut Frame) {
    let s = i18n::hub_strings(view.language);
    let area = frame.area();
    let [header, stations, stock, recent, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(view.stations.len().max(1) as u16 + 3),
        Constraint::Min(4),
        Constraint::Min(4),
        Constraint::Length(1),
    ])
    .areas(area);

    let clock = text::clock(view.now_ms, view.utc_offset_secs);
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(format!(" {} ", s.title), theme::on_air()),
            Span::raw(format!("  {clock}")),
        ])),
        header,
    );

    let station_rows = view.stations.iter().map(|st| {
        let quiet_ms = view.now_ms - st.last_seen_ms;
        let (state, style) = if quiet_ms < OFFLINE_AFTER_MS && st.waiting > 0 {
            (
                format!("{} · {} {}", s.online, st.waiting, s.behind),
                theme::short_stock(),
            )
        } else if quiet_ms < OFFLINE_AFTER_MS {
            (s.online.to_string(), theme::covered())
        } else {
            let since = text::clock(st.last_seen_ms, view.utc_offset_secs);
            (format!("{} {}", s.offline, since), theme::trouble())
        };
        let on_air = st
            .on_air
            .as_deref()
            .map_or_else(|| "—".to_string(), |sku| name_of(view, sku));
        Row::new(vec![
            Span::raw(sanitize(&st.station)),
            Span::styled(state, style),
            Span::raw(on_air),
            Span::raw(st.orders.to_string()),
            Span::raw(st.units.to_string()),
            Span::raw(format!("¥{}", yuan(st.revenue_fen))),
        ])
    });
    frame.render_widget(
        Table::new(
            station_rows,
            [
                Constraint::Length(14),
                Constraint::Length(16),
                Constraint::Min(12),
                Constraint::Length(7),
                Constraint::Length(7),
                Constraint::Length(12),
            ],
        )
        .header(
            Row::new(vec![
                s.station, s.state, s.on_air, s.orders, s.units, s.money,
            ])
            .style(theme::dim()),
        )
        .block(
            Block::default()
                .borders(Borders::ALL)
                .title(format!(" {} ", s.stations)),
        ),
        stations,
    );

    // One column per station (held/sold), as many as fit.
    let names: Vec<&str> = view.stations.iter().map(|st| st.station.as_str()).collect();
    let mut header_cells = vec![s.product.to_string(), s.pool.to_string()];
    header_cells.extend(names.iter().map(|n| sanitize(n)));
    let stock_rows = view.stock.iter().map(|p| {
        let mut cells = vec![sanitize(&p.name), p.pool.to_string()];
        for name in &names {
            let part = p.stations.iter().find(|x| x.station == *name);
            cells.push(part.map_or_else(
                || "—".to_string(),
                |x| format!("{}/{}", x.allocated - x.sold, x.sold),
            ));
        }
        let style = if p.pool <= 0 && p.stations.iter().all(|x| x.allocated <= x.sold) {
            theme::sold_out()
        } else {
            ratatui::style::Style::new()
        };
        Row::new(cells).style(style)
    });
    let mut widths = vec![Constraint::Min(14), Constraint::Length(8)];
    widths.extend(names.iter().map(|_| Constraint::Length(12)));
    frame.render_widget(
        Table::new(stock_rows, widths)
            .header(Row::new(header_cells).style(theme::dim()))
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .title(format!(" {} ", s.stock)),
            ),
        stock,
    );

    let lines: Vec<Line> = if view.recent.is_empty() {
        vec![Line::styled(format!("  {}", s.none), theme::dim())]
    } else {
        view.recent
            .iter()
            .map(|o| {
                Line::from(vec![
                    Span::styled(
                        format!("{} ", text::clock(o.confirmed_at_ms, view.utc_offset_secs)),
                        theme::dim(),
                    ),
                    Span::raw(format!("{} ", text::fit(&sanitize(&o.station), 10))),
                    Span::styled(
                        format!("{} ", text::fit_middle(&sanitize(&o.user), 16)),
                        theme::user(),
                    ),
                    Span::raw(format!("{} ×{}", name_of(view, &o.sku), o.qty)),
                ])
            })
            .collect()
    };
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .title(format!(" {} ", s.recent)),
        ),
        recent,
    );

    let mut bottom = vec![Span::styled(format!(" {}", s.keys), theme::dim())];
    if view.unreadable {
        bottom.push(Span::styled(
            format!("   {}", s.unreadable),
            theme::trouble(),
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(bottom)), footer);
}

/// A product's name by SKU (the SKU itself when the co-op has no such product).
fn name_of(view: &HubView, sku: &str) -> String {
    view.stock
        .iter()
        .find(|p| p.sku == sku)
        .map_or_else(|| sanitize(sku), |p| sanitize(&p.name))
}
