//! The cart overlay (`Mode::Cart`): every order of one buyer, with the total
//! of those still confirmed; a selected order can be cancelled (x) or its
//! quantity changed (+ / -), and `u` takes that back.

use crate::app::model::Model;
use crate::catalog::yuan;
use crate::ui::sanitize::sanitize;
use crate::ui::{centered, i18n, text, theme};
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph};
use ratatui::Frame;

const WIDTH: u16 = 72;

pub fn render(model: &Model, frame: &mut Frame, area: Rect) {
    let Some(cart) = &model.cart else {
        return;
    };
    let s = i18n::strings(model.language);
    let rows = cart.rows.as_deref().unwrap_or(&[]);
    let height = u16::try_from(rows.len().max(1))
        .unwrap_or(u16::MAX)
        .saturating_add(4);
    let popup = centered(area, WIDTH, height);
    let width = usize::from(popup.width.saturating_sub(2));
    let name_width = width.saturating_sub(2 + 6 + 1 + 5 + 10 + 10).max(4);
    let total: i64 = rows
        .iter()
        .filter(|o| o.status == "confirmed")
        .map(|o| o.total_fen)
        .sum();
    let title = format!(
        " {} {} · {} ¥{} ",
        s.cart_title,
        sanitize(&cart.user),
        s.cart_total,
        yuan(total)
    );
    let mut lines = Vec::new();
    match &cart.rows {
        None => lines.push(Line::styled(format!(" {}", s.loading), theme::dim())),
        Some(rows) if rows.is_empty() => {
            lines.push(Line::styled(format!(" {}", s.cart_empty), theme::dim()))
        }
        Some(rows) => {
            // Keep the selected order in view.
            let room = usize::from(popup.height.saturating_sub(3));
            let offset = (cart.selected + 1).saturating_sub(room);
            for (i, order) in rows.iter().enumerate().skip(offset).take(room) {
                let cancelled = order.status != "confirmed";
                let marker = if i == cart.selected { "▸ " } else { "  " };
                let line = format!(
                    "{marker}{}{} {}{}{}",
                    text::fit_right(&format!("#{}", order.order_id), 6),
                    " ",
                    text::fit(&order.name, name_width),
                    text::fit_right(&format!("×{}", order.qty), 5),
                    text::fit_right(
                        &if cancelled {
                            s.order_cancelled.to_string()
                        } else {
                            format!("¥{}", yuan(order.total_fen))
                        },
                        10
                    ),
                );
                let style = if cancelled {
                    theme::dim()
                } else if i == cart.selected {
                    theme::on_air()
                } else {
                    Style::new()
                };
                lines.push(Line::styled(text::truncate(&line, width), style));
            }
        }
    }
    let block = Block::bordered()
        .title(Line::styled(text::truncate(&title, width), theme::title()))
        .title_bottom(Line::styled(format!(" {} ", s.cart_keys), theme::on_air()))
        .border_style(theme::on_air());
    crate::ui::clear_overlay(frame, popup);
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}
