//! The recent-orders line: the latest confirmed orders, newest first, as many
//! as fit.

use crate::app::model::Model;
use crate::catalog::yuan;
use crate::store::OrderAction;
use crate::ui::sanitize::sanitize;
use crate::ui::{i18n, text, theme};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

pub fn render(model: &Model, frame: &mut Frame, area: Rect) {
    let s = i18n::strings(model.language);
    let label = format!(" {}  ", s.recent_orders);
    let room = usize::from(area.width).saturating_sub(label.width());
    let mut body = String::new();
    for order in model.recent_orders.iter().rev() {
        let user = sanitize(&order.user);
        let item = match order.action {
            OrderAction::Cancelled => {
                format!(
                    "#{} {} {} {}",
                    order.order_id, user, order.name, s.order_cancelled
                )
            }
            OrderAction::Created | OrderAction::Changed | OrderAction::Reopened => format!(
                "#{} {} {}×{} ¥{}",
                order.order_id,
                user,
                order.name,
                order.qty,
                yuan(order.total_fen)
            ),
        };
        let next = if body.is_empty() {
            item
        } else {
            format!("{body} · {item}")
        };
        if next.width() > room {
            body.push_str(" · …");
            break;
        }
        body = next;
    }
    if body.is_empty() {
        body = s.no_orders.to_string();
    }
    let line = Line::from(vec![
        Span::styled(label, theme::title()),
        Span::raw(text::truncate(&body, room)),
    ]);
    frame.render_widget(Paragraph::new(line), area);
}
