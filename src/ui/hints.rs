//! The key-hints line at the bottom: the full list when it fits, else the short one.

use crate::app::model::Model;
use crate::ui::{i18n, text, theme};
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

pub fn render(model: &Model, frame: &mut Frame, area: Rect) {
    let s = i18n::strings(model.language);
    let width = usize::from(area.width);
    let hints = if model.mode == crate::app::model::Mode::Filter {
        i18n::filter_hints(model.language)
    } else if s.hints.width() < width {
        s.hints
    } else {
        s.hints_short
    };
    let line = Line::styled(text::truncate(&format!(" {hints}"), width), theme::dim());
    frame.render_widget(Paragraph::new(line), area);
}
