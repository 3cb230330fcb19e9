//! The help overlay (`?`): every key and what it does, in the screen's language.

use crate::app::model::Model;
use crate::ui::{centered, i18n, text, theme};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};
use ratatui::Frame;

const KEYS_WIDTH: usize = 14;

pub fn render(model: &Model, frame: &mut Frame, area: Rect) {
    let s = i18n::strings(model.language);
    let height = u16::try_from(s.help_lines.len())
        .unwrap_or(u16::MAX)
        .saturating_add(5);
    let popup = centered(area, 70, height);
    let block = Block::bordered()
        .title(Line::styled(format!(" {} ", s.help_title), theme::title()))
        .title_bottom(Line::styled(format!(" {} ", s.close_hint), theme::dim()));
    let mut lines: Vec<Line> = s
        .help_lines
        .iter()
        .map(|(keys, what)| {
            Line::from(vec![
                Span::styled(format!(" {}", text::fit(keys, KEYS_WIDTH)), theme::on_air()),
                Span::raw(*what),
            ])
        })
        .collect();
    lines.push(Line::raw(""));
    lines.push(Line::styled(format!(" {}", s.help_footer), theme::dim()));
    crate::ui::clear_overlay(frame, popup);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        popup,
    );
}
