//! The status bar: shop, source connection, chat rate, sales so far, clock.

use crate::app::model::{Connection, Model};
use crate::catalog::yuan;
use crate::ui::sanitize::sanitize;
use crate::ui::{i18n, text, theme};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

pub fn render(model: &Model, frame: &mut Frame, area: Rect) {
    let s = i18n::strings(model.language);
    let (connection, connection_style) = match &model.connection {
        Connection::Connecting => (format!("○ {}", s.connecting), theme::on_air()),
        Connection::Connected => (format!("● {}", s.connected), theme::connected()),
        Connection::Reconnecting { reason } => (
            format!(
                "✗ {} ({})",
                s.reconnecting,
                text::truncate(&sanitize(reason), 30)
            ),
            theme::trouble(),
        ),
    };
    let (units, fen) = model.sales_total();
    let sep = " │ ";
    let line = Line::from(vec![
        Span::styled(format!(" {}", model.shop_name), theme::title()),
        Span::raw(sep),
        Span::styled(connection, connection_style),
        Span::raw(sep),
        Span::raw(format!(
            "{} {:.1}{}",
            s.chat_rate, model.msg_rate, s.per_second
        )),
        Span::raw(sep),
        Span::raw(format!("{} {} · ¥{}", s.sold, units, yuan(fen))),
        Span::raw(sep),
        Span::raw(text::clock(model.now_ms, model.utc_offset_secs)),
    ]);
    frame.render_widget(Paragraph::new(line).style(theme::status_bar()), area);
}
