//! The helper's inbox: pending intents, oldest first, one row each (time,
//! buyer, product, quantity, whether stock covers it, confidence, state), the
//! selected row obvious with the message and the reading's evidence under it.
//! With a filter set only its rows show; grouped, each buyer's rows sit
//! together (`app::rows` says which rows and in what order). A buyer with
//! several rows carries a badge: `+2` (two more), or `(3)` on the first row
//! of a group, the rest indented under it.

use crate::app::model::{InboxItem, IntentState, Mode, Model, LOW_CONFIDENCE};
use crate::app::rows;
use crate::intent::suggest::Note;
use crate::intent::IntentKind;
use crate::ui::sanitize::{highlight_segments, sanitize};
use crate::ui::{i18n, text, theme};
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use ratatui::Frame;
use std::collections::HashMap;
use unicode_width::UnicodeWidthStr;

/// The buyer column on a narrow screen; a wide one gives it up to
/// `USER_GROWTH` more, so long names (Douyin's 抖音用户 and ten digits) and
/// a badge fit whole.
const USER_WIDTH: usize = 10;
const USER_GROWTH: usize = 8;
/// Room the state column keeps before the buyer column grows.
const STATE_ROOM_WIDE: usize = 24;
/// Columns of everything but the product name and the state.
const FIXED_WIDTH: usize = 2 + 9 + USER_WIDTH + 1 + 1 + 5 + COVERAGE_WIDTH + 1 + 5 + 1;
const COVERAGE_WIDTH: usize = 6;
/// Room the state column (confirming…, a refusal) gets before names are shortened.
const STATE_ROOM: usize = 12;

pub fn render(model: &Model, frame: &mut Frame, area: Rect) {
    let s = i18n::strings(model.language);
    let order = screen_order(model);
    let filter = model.filter.as_deref().map(sanitize);
    let title = i18n::inbox_title(
        model.language,
        order.len(),
        model.inbox.len(),
        model.inbox_more,
        filter
            .as_deref()
            .filter(|q| !q.is_empty() || model.mode == Mode::Filter),
        model.mode == Mode::Filter,
        model.group_by_buyer,
    );
    let title_room = usize::from(area.width.saturating_sub(2));
    let mut block = Block::bordered().title(Line::styled(
        text::truncate(&format!(" {title} "), title_room),
        theme::title(),
    ));
    if let Some((notice, _)) = &model.notice {
        let words = i18n::notice(model.language, notice);
        let room = usize::from(area.width.saturating_sub(4));
        block = block.title_bottom(Line::styled(
            text::truncate(&format!(" {words} "), room),
            theme::notice(),
        ));
    }
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let rows = usize::from(inner.height);
    let width = usize::from(inner.width);
    if rows == 0 || width == 0 {
        return;
    }
    if order.is_empty() {
        let empty = if model.inbox.is_empty() {
            s.inbox_empty
        } else {
            i18n::filter_none(model.language)
        };
        frame.render_widget(
            Paragraph::new(Line::styled(
                text::truncate(&format!("  {empty}"), width),
                theme::dim(),
            )),
            inner,
        );
        return;
    }

    let mut lines = Vec::with_capacity(rows);
    for shown in visible_rows(model, &order, rows) {
        lines.push(match shown {
            Shown::Header => header(model, width),
            Shown::Item(index, badge) => row(
                model,
                &model.inbox[index],
                Some(index) == model.selected_index(),
                badge,
                width,
            ),
            Shown::Why(index) => why_line(model, &model.inbox[index], width),
        });
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// What one line of the inbox pane shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shown {
    Header,
    /// The row of `inbox[i]`, with its buyer's badge.
    Item(usize, Badge),
    /// The explanation under the selected row.
    Why(usize),
}

/// Screen order: every row, or the filter's, grouped by buyer or not.
fn screen_order(model: &Model) -> Vec<usize> {
    if rows::arranged(model) {
        rows::visible(model)
    } else {
        (0..model.inbox.len()).collect()
    }
}

/// The lines of an inbox pane `rows` high, top down: the column headers
/// when there is room for a row under them, then the rows of `order`,
/// keeping the selected one and the explanation under it in view. The
/// view draws these and the mouse finds its row in them.
fn visible_rows(model: &Model, order: &[usize], rows: usize) -> Vec<Shown> {
    let mut lines = Vec::with_capacity(rows);
    if order.is_empty() || rows == 0 {
        return lines;
    }
    let body = if rows >= 3 {
        lines.push(Shown::Header);
        rows - 1
    } else {
        rows
    };
    let selected = model.selected_index();
    let at = selected
        .and_then(|i| order.iter().position(|&o| o == i))
        .unwrap_or(0);
    let offset = (at + 2).saturating_sub(body);
    let shown = &order[offset..order.len().min(offset + body)];
    let per_buyer = buyer_counts(model, shown);
    for (n, &index) in shown.iter().enumerate() {
        if lines.len() >= rows {
            break;
        }
        let item = &model.inbox[index];
        let buyer = rows::buyer_key(item);
        let count = per_buyer.get(&buyer).copied().unwrap_or(1);
        let badge = if !model.group_by_buyer {
            Badge::More(count - 1)
        } else {
            // The first row of its group on screen heads it.
            let before = (offset + n)
                .checked_sub(1)
                .map(|b| rows::buyer_key(&model.inbox[order[b]]));
            if before == Some(buyer) {
                Badge::Indent
            } else {
                Badge::Group(count)
            }
        };
        lines.push(Shown::Item(index, badge));
        if Some(index) == selected && lines.len() < rows {
            lines.push(Shown::Why(index));
        }
    }
    lines
}

/// The inbox row drawn at screen row `y` of a pane at `area`, if any (for
/// the mouse; the explanation line counts as its row's).
pub fn row_at(model: &Model, area: Rect, y: u16) -> Option<usize> {
    let inner = Block::bordered().inner(area);
    if y < inner.top() || y >= inner.bottom() {
        return None;
    }
    let order = screen_order(model);
    match visible_rows(model, &order, usize::from(inner.height))
        .get(usize::from(y - inner.top()))?
    {
        Shown::Header => None,
        Shown::Item(index, _) | Shown::Why(index) => Some(*index),
    }
}

/// What the buyer column adds to a buyer's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Badge {
    /// Ungrouped: this many other rows of the same buyer (none when 0).
    More(usize),
    /// Grouped, the group's first row: the buyer's rows in all.
    Group(usize),
    /// Grouped, a later row of the group.
    Indent,
}

/// How many rows of the inbox each buyer on screen has, counted over the
/// whole inbox (filtered or not: the helper should see the buyer ordered
/// more than the filter shows), but only for the buyers on screen.
fn buyer_counts<'m>(model: &'m Model, shown: &[usize]) -> HashMap<(bool, &'m str), usize> {
    let mut counts: HashMap<(bool, &str), usize> = shown
        .iter()
        .map(|&i| (rows::buyer_key(&model.inbox[i]), 0))
        .collect();
    for item in &model.inbox {
        if let Some(count) = counts.get_mut(&rows::buyer_key(item)) {
            *count += 1;
        }
    }
    counts
}

/// The buyer column: the name cut in the middle (names that differ at the
/// end stay apart), the badge right-aligned after it.
fn buyer_cell(user: &str, badge: Badge, user_width: usize) -> String {
    let (indent, mark) = match badge {
        Badge::More(0) | Badge::Group(0 | 1) => ("", String::new()),
        Badge::More(more) => ("", format!("+{more}")),
        Badge::Group(all) => ("", format!("({all})")),
        Badge::Indent => ("  ", String::new()),
    };
    let room = user_width
        .saturating_sub(indent.len())
        .saturating_sub(if mark.is_empty() { 0 } else { mark.len() + 1 });
    let name = text::fit_middle(&sanitize(user), room);
    if mark.is_empty() {
        format!("{indent}{name}")
    } else {
        format!("{name} {}", text::fit_right(&mark, user_width - room - 1))
    }
}

/// The buyer column's width at `width`: its narrow width, grown by what the
/// product names and the state leave over.
fn user_width(model: &Model, width: usize) -> usize {
    let spare = width.saturating_sub(FIXED_WIDTH + name_width(model, width) + STATE_ROOM_WIDE);
    USER_WIDTH + spare.min(USER_GROWTH)
}

/// The product column's width: as wide as the longest name needs, leaving
/// the state its room.
fn name_width(model: &Model, width: usize) -> usize {
    let longest = model
        .products
        .iter()
        .map(|p| p.name.width())
        .max()
        .unwrap_or(6);
    longest
        .min(width.saturating_sub(FIXED_WIDTH + STATE_ROOM))
        .max(6)
}

/// The column headers, aligned with `row`.
fn header(model: &Model, width: usize) -> Line<'static> {
    let s = i18n::strings(model.language);
    let name_width = name_width(model, width);
    let user_width = user_width(model, width);
    let text = format!(
        "  {}{} {} {}{} {}  {}",
        text::fit(s.col_time, 9),
        text::fit(s.col_buyer, user_width),
        text::fit(s.col_product, name_width),
        text::fit(s.col_qty, 5),
        text::fit(s.col_stock, COVERAGE_WIDTH),
        text::fit_right(s.col_sure, 5),
        s.col_state,
    );
    Line::styled(text::truncate(&text, width), theme::dim())
}

fn row(
    model: &Model,
    item: &InboxItem,
    selected: bool,
    badge: Badge,
    width: usize,
) -> Line<'static> {
    let s = i18n::strings(model.language);
    let name_width = name_width(model, width);
    let user_width = user_width(model, width);
    let state_width = width.saturating_sub(FIXED_WIDTH + name_width + user_width - USER_WIDTH);
    let product = model.product(item.product);
    let name = match (product, &item.sku) {
        (Some(p), _) => p.name.as_str(),
        (None, Some(sku)) => sku.as_str(),
        (None, None) => "—",
    };
    let qty = match (item.kind, item.qty) {
        (IntentKind::Cancel, _) | (_, None) => String::new(),
        (_, Some(q)) => format!("×{q}"),
    };
    let (coverage, coverage_style) = match item.kind {
        IntentKind::Cancel => (s.cancel.to_string(), theme::dim()),
        IntentKind::Change => (s.change_to.to_string(), theme::dim()),
        IntentKind::Order => match product {
            None => (s.no_product.to_string(), theme::failed()),
            Some(p) if p.for_sale() <= 0 => (s.none_left.to_string(), theme::sold_out()),
            Some(p) if p.for_sale() < i64::from(item.qty.unwrap_or(1)) => {
                (s.short.to_string(), theme::short_stock())
            }
            Some(_) => (s.covered.to_string(), theme::covered()),
        },
    };
    let percent = (item.confidence.clamp(0.0, 1.0) * 100.0).round() as u32;
    let low = item.confidence < LOW_CONFIDENCE;
    let (state, state_style) = match &item.state {
        IntentState::Pending => (String::new(), Style::new()),
        IntentState::Confirming => (s.confirming.to_string(), theme::busy()),
        IntentState::Rejecting => (s.rejecting.to_string(), theme::busy()),
        IntentState::Failed(notice) => (
            format!("✗ {}", i18n::notice(model.language, notice)),
            theme::failed(),
        ),
        IntentState::Waitlisted { place } => {
            let line = i18n::waitlisted(model.language, *place);
            // In a co-op out of reach, the line waits on the co-op, not on
            // stock: say so.
            let offline = matches!(
                model.coop,
                Some(crate::coop::link::CoopStatus::Offline { .. })
            );
            let text = if offline {
                format!("{line} · {}", i18n::coop_offline(model.language))
            } else {
                line
            };
            (text, theme::short_stock())
        }
        IntentState::Offered => (s.offered.to_string(), theme::covered()),
        IntentState::Waiting { .. } => (s.waiting_for_order.to_string(), theme::busy()),
    };
    let marker = if selected { "▸ " } else { "  " };
    let line = Line::from(vec![
        Span::raw(marker),
        Span::styled(
            format!(
                "{} ",
                text::clock(item.received_at_ms, model.utc_offset_secs)
            ),
            theme::dim(),
        ),
        Span::styled(buyer_cell(&item.user, badge, user_width), theme::user()),
        Span::raw(" "),
        Span::raw(text::fit_middle(name, name_width)),
        Span::raw(" "),
        Span::raw(text::fit(&qty, 5)),
        Span::styled(text::fit(&coverage, COVERAGE_WIDTH), coverage_style),
        Span::raw(" "),
        // The flag follows the number so the % signs stay in one column.
        if item.note.is_some_and(Note::is_suggestion) {
            Span::styled(
                text::fit_right(i18n::suggestion_mark(model.language), 4) + " ",
                theme::low_confidence(),
            )
        } else if low {
            Span::styled(format!("{percent:>3}%?"), theme::low_confidence())
        } else {
            Span::raw(format!("{percent:>3}% "))
        },
        Span::raw(" "),
        Span::styled(text::truncate(&state, state_width), state_style),
    ]);
    if selected {
        line.style(theme::selected_row())
    } else {
        line
    }
}

/// Under the selected row: why it failed and what to do next, then the
/// buyer's whole name and the message itself with the words the reading
/// rests on highlighted, and the product it was read as.
fn why_line(model: &Model, item: &InboxItem, width: usize) -> Line<'static> {
    let mut spans = vec![Span::raw("    ")];
    let mut room = width.saturating_sub(4);
    if let IntentState::Failed(notice) = &item.state {
        let mut reason = format!("✗ {}", i18n::notice(model.language, notice));
        if let Some(next) = i18n::next_step(model.language, notice) {
            reason.push_str(&format!(" · {next}"));
        }
        let reason = text::truncate(&format!("{reason}  "), room);
        room = room.saturating_sub(reason.width());
        spans.push(Span::styled(reason, theme::failed()));
    }
    // Why it waits for the helper: uncertain, or only a suggestion.
    if let Some(note) = item.note {
        let unit = model.product(item.product).map_or("", |p| p.unit.as_str());
        let why = text::truncate(
            &format!("{}  ", i18n::note(model.language, note, unit)),
            room,
        );
        room = room.saturating_sub(why.width());
        spans.push(Span::styled(why, theme::low_confidence()));
    }
    // The buyer's source when several feed the run, the whole name (the
    // column may have cut it), then the message.
    let mut message = Vec::new();
    if model.several_sources() && !item.source.is_empty() {
        message.push(Span::styled(
            format!("{} ", sanitize(&item.source)),
            theme::source(),
        ));
    }
    message.extend([
        Span::styled(sanitize(&item.user), theme::user()),
        Span::styled(" \"", theme::dim()),
    ]);
    for (part, highlighted) in highlight_segments(&item.text, &item.evidence) {
        let style = if highlighted {
            theme::evidence()
        } else {
            theme::dim()
        };
        message.push(Span::styled(part, style));
    }
    message.push(Span::styled("\"", theme::dim()));
    if let Some(p) = model.product(item.product) {
        message.push(Span::styled(format!("  → {}", p.name), theme::dim()));
    }
    // Cut to the room left, keeping the styles of what fits.
    for span in message {
        if room == 0 {
            break;
        }
        let cut = text::truncate(&span.content, room);
        room = room.saturating_sub(cut.width());
        let ended = cut != span.content;
        spans.push(Span::styled(cut, span.style));
        if ended {
            break;
        }
    }
    Line::from(spans)
}
