//! The on-air line: which product is being presented, its price, stock left
//! and sold, and how many intents wait for the helper.

use crate::app::model::Model;
use crate::catalog::yuan;
use crate::ui::{i18n, theme};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

pub fn render(model: &Model, frame: &mut Frame, area: Rect) {
    let s = i18n::strings(model.language);
    let mut spans = vec![Span::styled(format!(" {} ▶ ", s.on_air), theme::on_air())];
    match model.on_air_product() {
        None => spans.push(Span::styled(s.nothing_on_air, theme::dim())),
        Some(p) => {
            spans.push(Span::styled(
                format!("{} {}", i18n::link(model.language, p.link), p.name),
                theme::on_air(),
            ));
            spans.push(Span::raw(format!("  ¥{}/{}   ", yuan(p.price_fen), p.unit)));
            if p.stock <= 0 {
                spans.push(Span::styled(format!(" {} ", s.sold_out), theme::sold_out()));
            } else {
                spans.push(Span::raw(format!("{} {}", s.left, p.stock)));
            }
            spans.push(Span::raw(format!("   {} {}", s.sold, p.sold)));
        }
    }
    spans.push(Span::raw(format!("   {} {}", s.pending, model.inbox.len())));
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
