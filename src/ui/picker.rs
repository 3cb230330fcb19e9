//! The product picker (`Mode::Picker`): the selected intent's message on
//! top, then the products the typed query matches (a link number, part of
//! a name or SKU, pinyin initials), Enter gives the intent the highlighted one.

use crate::app::model::Model;
use crate::app::update::picker_matches;
use crate::catalog::yuan;
use crate::ui::sanitize::sanitize;
use crate::ui::{centered, i18n, text, theme};
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph};
use ratatui::Frame;

const WIDTH: u16 = 64;
/// Products listed at most; the query narrows the rest.
const ROWS: usize = 10;

pub fn render(model: &Model, frame: &mut Frame, area: Rect) {
    let Some(picker) = &model.picker else {
        return;
    };
    let s = i18n::strings(model.language);
    let matches = picker_matches(model, &picker.query);
    let shown = matches.len().clamp(1, ROWS);
    let height = u16::try_from(shown).unwrap_or(1).saturating_add(6);
    let popup = centered(area, WIDTH, height);
    let width = usize::from(popup.width.saturating_sub(2));
    let item = model.inbox.iter().find(|i| i.key == picker.key);
    let mut lines = vec![
        Line::styled(
            format!(
                " {}",
                text::truncate(
                    &item
                        .map(|i| format!("{}: \"{}\"", sanitize(&i.user), sanitize(&i.text)))
                        .unwrap_or_default(),
                    width.saturating_sub(1)
                )
            ),
            theme::dim(),
        ),
        Line::styled(
            format!(
                " > {}▏",
                text::truncate(&sanitize(&picker.query), width.saturating_sub(4))
            ),
            theme::on_air(),
        ),
        Line::raw(""),
    ];
    if matches.is_empty() {
        lines.push(Line::styled(format!(" {}", s.picker_none), theme::dim()));
    }
    let offset = (picker.selected + 1).saturating_sub(ROWS);
    let name_width = width.saturating_sub(2 + 4 + 10 + 2);
    for (row, &index) in matches.iter().enumerate().skip(offset).take(ROWS) {
        let p = &model.products[index];
        let selected = row == picker.selected;
        let line = format!(
            "{}{} {}{}",
            if selected { "▸ " } else { "  " },
            text::fit_right(&p.link.to_string(), 3),
            text::fit(&p.name, name_width),
            text::fit_right(&format!("¥{}", yuan(p.price_fen)), 10),
        );
        let style = if selected {
            theme::on_air()
        } else {
            Style::new()
        };
        lines.push(Line::styled(text::truncate(&line, width), style));
    }
    let block = Block::bordered()
        .title(Line::styled(
            format!(" {} ", s.picker_title),
            theme::title(),
        ))
        .title_bottom(Line::styled(
            format!(" {} ", s.picker_keys),
            theme::on_air(),
        ))
        .border_style(theme::on_air());
    crate::ui::clear_overlay(frame, popup);
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}
