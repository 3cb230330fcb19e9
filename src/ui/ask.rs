//! The question overlay (`Mode::Ask`): a bulk decision said in full, with
//! how many intents it concerns, before y carries it out.

use crate::app::model::{Bulk, Model};
use crate::ui::{centered, i18n, text, theme};
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph};
use ratatui::Frame;

pub fn render(model: &Model, frame: &mut Frame, area: Rect) {
    let Some(bulk) = &model.question else {
        return;
    };
    let product = match bulk {
        Bulk::RejectProduct { product, .. }
        | Bulk::ConfirmOnAir { product, .. }
        | Bulk::EndSale { product }
        | Bulk::SoldOut { product }
        | Bulk::TeachAlias { product, .. } => {
            model.product(Some(*product)).map(|p| p.name.as_str())
        }
        Bulk::RejectOlder { .. } => None,
    };
    let mut lines = i18n::question(model.language, bulk, product.unwrap_or(""));
    if model.inbox_more > 0 && matches!(bulk, Bulk::RejectProduct { .. } | Bulk::RejectOlder { .. })
    {
        lines.push(i18n::also_unloaded(model.language).to_string());
    }
    let popup = centered(area, 72, u16::try_from(lines.len()).unwrap_or(1) + 4);
    let width = usize::from(popup.width.saturating_sub(4));
    let block = Block::bordered()
        .title_bottom(Line::styled(
            format!(" {} ", i18n::question_keys(model.language)),
            theme::on_air(),
        ))
        .border_style(theme::on_air());
    let mut body = vec![Line::raw("")];
    body.extend(
        lines
            .iter()
            .map(|l| Line::raw(format!(" {}", text::truncate(l, width)))),
    );
    crate::ui::clear_overlay(frame, popup);
    frame.render_widget(Paragraph::new(body).block(block), popup);
}
