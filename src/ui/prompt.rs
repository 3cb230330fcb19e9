//! The prompt overlay (`Mode::Prompt`): one line typed for a restock or a
//! flash sale of the product on air, with what to type and why the last
//! Enter was not taken.

use crate::app::model::{Model, PromptError, PromptFor};
use crate::ui::sanitize::sanitize;
use crate::ui::{centered, i18n, text, theme};
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph};
use ratatui::Frame;

pub fn render(model: &Model, frame: &mut Frame, area: Rect) {
    let Some(prompt) = &model.prompt else {
        return;
    };
    let s = i18n::strings(model.language);
    let (product, ask) = match prompt.purpose {
        PromptFor::Restock(p) => (p, s.prompt_restock),
        PromptFor::Sale(p) => (p, s.prompt_sale),
    };
    let product = model.product(Some(product));
    let title = product
        .map(|p| format!(" {} · {} {} ", p.name, s.left, p.for_sale()))
        .unwrap_or_default();
    let popup = centered(area, 72, 7);
    let width = usize::from(popup.width.saturating_sub(4));
    let error = match prompt.error {
        Some(PromptError::Stock) => s.prompt_bad_stock,
        Some(PromptError::Sale) => s.prompt_bad_sale,
        None => "",
    };
    let body = vec![
        Line::raw(format!(" {}", text::truncate(ask, width))),
        Line::raw(""),
        Line::styled(
            format!(
                " > {}▏",
                text::truncate(&sanitize(&prompt.input), width.saturating_sub(3))
            ),
            theme::on_air(),
        ),
        Line::styled(
            format!(" {}", text::truncate(error, width)),
            theme::failed(),
        ),
    ];
    let block = Block::bordered()
        .title(Line::styled(text::truncate(&title, width), theme::title()))
        .title_bottom(Line::styled(
            format!(" {} ", s.prompt_keys),
            theme::on_air(),
        ))
        .border_style(theme::on_air());
    crate::ui::clear_overlay(frame, popup);
    frame.render_widget(Paragraph::new(body).block(block), popup);
}
