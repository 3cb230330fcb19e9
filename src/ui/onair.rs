//! The on-air line: which product is being presented, its price, stock left
//! and sold, a flash sale's count and countdown, and how many intents wait
//! for the helper.

use crate::app::model::{IntentState, Model};
use crate::catalog::yuan;
use crate::ui::{i18n, text, theme};
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
            let seeded = model.catalog.by_sku(&p.sku).map_or(0, |c| c.stock);
            if p.for_sale() <= 0 {
                spans.push(Span::styled(format!(" {} ", s.sold_out), theme::sold_out()));
            } else if p.low(seeded) {
                spans.push(Span::styled(
                    format!("{} {} ({})", s.left, p.for_sale(), s.low_stock),
                    theme::short_stock(),
                ));
            } else {
                spans.push(Span::raw(format!("{} {}", s.left, p.for_sale())));
            }
            // A running sale before the count sold: on a narrow screen the
            // line is cut at the right, and the countdown is what the farmer
            // calls out.
            if let Some(sale) = &p.sale {
                spans.push(Span::styled(
                    format!(
                        "   {} ¥{} {} {} · {}",
                        s.sale,
                        yuan(sale.price_fen),
                        s.left,
                        sale.left(),
                        text::countdown(sale.ends_at_ms - model.now_ms)
                    ),
                    theme::short_stock(),
                ));
            }
            spans.push(Span::raw(format!("   {} {}", s.sold, p.sold)));
            let waiting = model
                .inbox
                .iter()
                .filter(|item| {
                    model.on_air == item.product
                        && matches!(item.state, IntentState::Waitlisted { .. })
                })
                .count();
            if waiting > 0 {
                spans.push(Span::styled(
                    format!("   {}", i18n::waitlisted(model.language, 0)),
                    theme::short_stock(),
                ));
                spans.push(Span::styled(format!(" {waiting}"), theme::short_stock()));
            }
        }
    }
    spans.push(Span::raw(format!(
        "   {} {}",
        s.pending,
        model.pending_total()
    )));
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
