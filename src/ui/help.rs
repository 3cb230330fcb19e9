//! The help overlay (`?`): every key of the mode it was opened from and what
//! it does, in the screen's language, read from the keymap (so configured
//! keys show). One column when it fits; two side by side on a wide screen;
//! else one column that scrolls (↑↓, the wheel) and says there is more.

use crate::app::keymap::Action;
use crate::app::model::{Mode, Model};
use crate::ui::{centered, i18n, layout, text, theme};
use ratatui::layout::{Alignment, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

/// The widest the keys column gets; longer lists of keys are cut.
const KEYS_MAX: usize = 20;
/// The widest one column of the help gets.
const COLUMN_MAX: usize = 72;
/// The blank line and the footer under the keys.
const FOOTER_ROWS: usize = 2;

/// One line of the help: an action's keys and what it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub action: Action,
    /// Its keys as their caps read, e.g. `y / 回车`.
    pub keys: String,
    pub what: &'static str,
}

/// The mode whose keys the help lists.
fn listed_mode(model: &Model) -> Mode {
    if model.mode == Mode::Help {
        model.help_under
    } else {
        model.mode
    }
}

/// Every action bound in the listed mode, in the keymap's order, with all
/// its keys there.
pub fn entries(model: &Model) -> Vec<Entry> {
    let language = model.language;
    let mode = listed_mode(model);
    let mut entries: Vec<Entry> = Vec::new();
    for (key, action) in model.keymap.bindings_in(mode) {
        if mode.takes_typing() && !crate::ui::hints::reaches_keymap_while_typing(key) {
            continue;
        }
        let name = i18n::key_name(language, key);
        match entries.iter_mut().find(|e| e.action == action) {
            Some(entry) => {
                entry.keys.push_str(" / ");
                entry.keys.push_str(&name);
            }
            None => entries.push(Entry {
                action,
                keys: name,
                what: i18n::action_help(language, action),
            }),
        }
    }
    entries
}

/// Where the help goes on a screen and how its entries are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Placement {
    popup: Rect,
    /// 1 or 2 columns of entries.
    columns: usize,
    /// Entries shown per column.
    rows: usize,
    key_width: usize,
    column_width: usize,
    footer: bool,
}

fn place(area: Rect, entries: &[Entry], footer: &str) -> Placement {
    let key_width = entries
        .iter()
        .map(|e| e.keys.width())
        .max()
        .unwrap_or(1)
        .min(KEYS_MAX)
        + 2;
    let what_width = entries.iter().map(|e| e.what.width()).max().unwrap_or(1);
    let column_width = (1 + key_width + what_width + 1)
        .max(footer.width() + 2)
        .min(COLUMN_MAX);
    let n = entries.len().max(1);
    let inner_height = usize::from(area.height.saturating_sub(2));
    let footer = inner_height >= FOOTER_ROWS + 3 && !footer.is_empty();
    let room = inner_height - if footer { FOOTER_ROWS } else { 0 };
    let (columns, rows) = if n <= room {
        (1, n)
    } else if n.div_ceil(2) <= room && usize::from(area.width) >= 2 * column_width + 3 {
        (2, n.div_ceil(2))
    } else {
        (1, room)
    };
    let width = columns * column_width + 2 + (columns - 1);
    let height = rows + if footer { FOOTER_ROWS } else { 0 } + 2;
    let popup = centered(
        area,
        u16::try_from(width).unwrap_or(u16::MAX),
        u16::try_from(height).unwrap_or(u16::MAX),
    );
    Placement {
        popup,
        columns,
        rows,
        key_width,
        column_width: column_width.min(usize::from(popup.width.saturating_sub(2))),
        footer,
    }
}

/// How far the help can scroll on the screen the model was told of (every
/// entry but one when no screen has said).
pub fn max_scroll(model: &Model) -> usize {
    let entries = entries(model);
    let screen = layout::screen_of(model);
    if screen.is_empty() {
        return entries.len().saturating_sub(1);
    }
    let placed = place(screen, &entries, i18n::strings(model.language).help_footer);
    entries.len().saturating_sub(placed.rows * placed.columns)
}

pub fn render(model: &Model, frame: &mut Frame, area: Rect) {
    let s = i18n::strings(model.language);
    let entries = entries(model);
    let placed = place(area, &entries, s.help_footer);
    let scroll = model
        .help_scroll
        .min(entries.len().saturating_sub(placed.rows * placed.columns));
    let shown = scroll + placed.rows * placed.columns;

    let mut block = Block::bordered()
        .title(Line::styled(format!(" {} ", s.help_title), theme::title()))
        .title_bottom(Line::styled(
            format!(" {} ", crate::ui::hints::close_words(model)),
            theme::dim(),
        ));
    if scroll > 0 {
        block = block.title(
            Line::styled(format!(" {} ", s.help_more_above), theme::on_air())
                .alignment(Alignment::Right),
        );
    }
    if shown < entries.len() {
        block = block.title_bottom(
            Line::styled(format!(" {} ", s.help_more), theme::on_air()).alignment(Alignment::Right),
        );
    }

    let what_width = placed.column_width.saturating_sub(placed.key_width + 1);
    let cell = |entry: &Entry| -> Vec<Span<'static>> {
        let what = text::truncate(entry.what, what_width);
        let pad = what_width.saturating_sub(what.width());
        vec![
            Span::styled(
                format!(" {}", text::fit(&entry.keys, placed.key_width)),
                theme::on_air(),
            ),
            Span::raw(what),
            Span::raw(" ".repeat(pad)),
        ]
    };
    let mut lines: Vec<Line> = (0..placed.rows)
        .map(|row| {
            let mut spans = Vec::new();
            for column in 0..placed.columns {
                let index = scroll + column * placed.rows + row;
                if let Some(entry) = entries.get(index) {
                    if column > 0 {
                        spans.push(Span::raw(" "));
                    }
                    spans.extend(cell(entry));
                }
            }
            Line::from(spans)
        })
        .collect();
    if placed.footer {
        lines.push(Line::raw(""));
        let room = usize::from(placed.popup.width.saturating_sub(3));
        lines.push(Line::styled(
            format!(" {}", text::truncate(s.help_footer, room)),
            theme::dim(),
        ));
    }
    crate::ui::clear_overlay(frame, placed.popup);
    frame.render_widget(Paragraph::new(lines).block(block), placed.popup);
}
