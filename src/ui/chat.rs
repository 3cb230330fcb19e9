//! The chat pane: the newest messages that fit, oldest at the top, evidence
//! highlighted and each intent's reading tagged on the right; gap markers
//! where messages may have been missed. Before the source was ever reached
//! it says so instead: what is being tried, why it failed, what to do.
//! The message `g` jumped to is marked (▸, reversed) while its intent is
//! the selected one.

use crate::app::model::{ChatEntry, ChatLine, Connection, Model, Reading, SourceState};
use crate::chat::OutageKind;
use crate::chat::SourceId;
use crate::intent::IntentKind;
use crate::ui::sanitize::{highlight_segments, sanitize};
use crate::ui::{i18n, text, theme};
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

const USER_WIDTH: usize = 12;
/// A source's name beside the buyer, when the run has several.
const SOURCE_WIDTH: usize = 6;
const PREFIX_WIDTH: usize = 1 + 9 + USER_WIDTH + 1;

pub fn render(model: &Model, frame: &mut Frame, area: Rect) {
    let s = i18n::strings(model.language);
    let mut block =
        Block::bordered().title(Line::styled(format!(" {} ", s.chat_title), theme::title()));
    // Never scrolled past the oldest line: a short history fills the pane
    // rather than leaving blank rows under a line scrolled to (PgUp, `g`).
    let rows = usize::from(area.height.saturating_sub(2));
    let scroll = model.chat_scroll.min(model.chat.len().saturating_sub(rows));
    if scroll > 0 {
        block = block.title(Line::styled(
            format!(" {} {} ", scroll, s.chat_paused),
            theme::on_air(),
        ));
    }
    if let Some(masked) = model.masked_sources().next() {
        let room = usize::from(area.width.saturating_sub(4));
        let words = i18n::masked_names(model.language);
        // The words name Bilibili; its source's name is needed only
        // when the run reads more than one Bilibili room.
        let rooms = model
            .sources
            .iter()
            .filter(|s| s.kind == masked.kind)
            .count();
        let words = match rooms > 1 {
            true => format!(" {}: {words} ", sanitize(&masked.name)),
            false => format!(" {words} "),
        };
        block = block.title_bottom(Line::styled(text::truncate(&words, room), theme::dim()));
    }
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let rows = usize::from(inner.height);
    let width = usize::from(inner.width);
    if model.chat.is_empty() {
        frame.render_widget(
            Paragraph::new(empty_lines(model)).wrap(Wrap { trim: false }),
            inner,
        );
        return;
    }
    // `g`'s mark holds while its intent stays selected.
    let marked = model
        .chat_mark
        .as_ref()
        .filter(|key| model.selected_item().is_some_and(|item| &item.key == *key))
        .map(|key| key.msg_id.as_str());
    // Only the entries that fit are built, however long the ring is.
    let end = model.chat.len().saturating_sub(scroll);
    let skip = end.saturating_sub(rows);
    let lines: Vec<Line> = model
        .chat
        .range(skip..end)
        .map(|entry| match entry {
            ChatEntry::Message(line) => {
                let line_marked = marked == Some(line.msg_id.as_str());
                message_line(model, line, line_marked, width)
            }
            ChatEntry::Gap {
                source,
                at_ms,
                reason,
            } => marker(
                model,
                *source,
                *at_ms,
                &format!(
                    "{} ({})",
                    s.gap,
                    sanitize(
                        format!(
                            "{} {}",
                            i18n::outage(model.language, &reason.kind),
                            reason.url
                        )
                        .trim_end()
                    )
                ),
                width,
                theme::gap(),
            ),
            ChatEntry::SkippedReplays {
                source,
                at_ms,
                count,
            } => marker(
                model,
                *source,
                *at_ms,
                &i18n::skipped_replays(model.language, *count),
                width,
                theme::dim(),
            ),
            ChatEntry::Reconnected {
                source,
                at_ms,
                since_ms,
            } => marker(
                model,
                *source,
                *at_ms,
                &i18n::reconnected_after(
                    model.language,
                    &text::clock(*since_ms, model.utc_offset_secs),
                    &text::clock(*at_ms, model.utc_offset_secs),
                ),
                width,
                theme::dim(),
            ),
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

/// A line across the chat where something happened to a source: its time,
/// the source's name when there are several, what happened.
fn marker(
    model: &Model,
    source: SourceId,
    at_ms: i64,
    what: &str,
    width: usize,
    style: Style,
) -> Line<'static> {
    let clock = text::clock(at_ms, model.utc_offset_secs);
    let text = match model.source_tag(source) {
        Some(name) => format!(" ── {clock} {} {what} ──", sanitize(name)),
        None => format!(" ── {clock} {what} ──"),
    };
    Line::styled(text::truncate(&text, width), style)
}

/// An empty chat: waiting for chat once a source is connected; before
/// that, for each source, what is being tried and, once an attempt
/// failed, why and what to do about it.
fn empty_lines(model: &Model) -> Vec<Line<'static>> {
    let s = i18n::strings(model.language);
    let reading = model.sources.iter().any(|source| {
        matches!(
            source.connection,
            Connection::Connected | Connection::Reconnecting { .. }
        )
    });
    let several = model.several_sources();
    let mut lines = Vec::new();
    if reading || model.sources.is_empty() {
        lines.push(Line::styled(format!(" {}", s.chat_empty), theme::dim()));
    }
    for source in &model.sources {
        // While another source reads chat, only one that failed is news.
        if reading && !matches!(source.connection, Connection::NotReached { .. }) {
            continue;
        }
        let mut block = source_lines(model, source);
        if several {
            if let Some(first) = block.first_mut() {
                let name = Span::styled(format!(" [{}]", sanitize(&source.name)), theme::title());
                first.spans.insert(0, name);
            }
        }
        lines.append(&mut block);
    }
    lines
}

/// One source not reached yet: the address being tried, or why it failed.
fn source_lines(model: &Model, source: &SourceState) -> Vec<Line<'static>> {
    let language = model.language;
    match &source.connection {
        Connection::Connecting => vec![Line::styled(
            format!(" {}", i18n::connecting_to(language, &sanitize(&source.url))),
            theme::dim(),
        )],
        Connection::NotReached { reason, at_ms } => {
            let word = i18n::outage(language, &reason.kind);
            let url = if reason.url.is_empty() {
                source.url.clone()
            } else {
                reason.url.clone()
            };
            let [title, address] =
                i18n::not_reached(language, &word, &url, model.config_file.as_deref());
            let mut lines = vec![
                Line::styled(format!(" ✗ {}", sanitize(&title)), theme::trouble()),
                Line::raw(format!("   {}", sanitize(&address))),
                Line::raw(format!(
                    "   {}",
                    i18n::outage_advice(language, &reason.kind)
                )),
            ];
            if matches!(reason.kind, OutageKind::Other | OutageKind::Protocol) {
                // No word of ours says more than the library's here.
                lines.push(Line::styled(
                    format!("   {}", sanitize(&reason.detail)),
                    theme::dim(),
                ));
            }
            let retry = crate::ui::status::retry_words(model, reason, *at_ms);
            lines.push(Line::styled(
                format!("   {}", i18n::not_reached_retry(language, retry.as_deref())),
                theme::dim(),
            ));
            lines
        }
        Connection::Connected | Connection::Reconnecting { .. } => Vec::new(),
    }
}

/// The width of the sources' names column: the widest name, at most
/// `SOURCE_WIDTH`, so the buyers line up whichever source each is on.
fn source_column(model: &Model) -> usize {
    model
        .sources
        .iter()
        .map(|source| sanitize(&source.name).width())
        .max()
        .unwrap_or(0)
        .min(SOURCE_WIDTH)
}

fn message_line(model: &Model, line: &ChatLine, marked: bool, width: usize) -> Line<'static> {
    // A suggestion is marked as one, in the flag's colour: the message is
    // no intent.
    let (tag, tag_style) = match &line.suggestion {
        Some(suggested) => (
            reading_tag(model, std::slice::from_ref(suggested)).replacen(
                "→ ",
                &format!("→ {} ", i18n::suggestion_mark(model.language)),
                1,
            ),
            theme::low_confidence(),
        ),
        None => (reading_tag(model, &line.readings), theme::reading()),
    };
    // The tag gets up to a third of the row; the message gets the rest.
    let tag_width = if tag.is_empty() {
        0
    } else {
        tag.width().min(width / 3) + 1
    };
    // With several sources, each buyer's source (cut to a few columns).
    let source = model
        .source_tag(line.source)
        .map(|name| format!("{} ", text::fit(&sanitize(name), source_column(model))));
    let source_width = source.as_ref().map_or(0, |s| s.width());
    let text_width = width.saturating_sub(PREFIX_WIDTH + source_width + tag_width);
    let mut spans = vec![Span::styled(
        format!(
            "{}{} ",
            if marked { "▸" } else { " " },
            text::clock(line.received_at_ms, model.utc_offset_secs)
        ),
        theme::dim(),
    )];
    if let Some(source) = source {
        spans.push(Span::styled(source, theme::source()));
    }
    spans.extend([
        // Cut in the middle: "抖音用户1234567" and "抖音用户1234589" stay apart.
        Span::styled(
            text::fit_middle(&sanitize(&line.user), USER_WIDTH),
            theme::user(),
        ),
        Span::raw(" "),
    ]);
    let mut used = 0;
    for (piece, marked) in &highlight_segments(&line.text, &line.evidence) {
        let room = text_width.saturating_sub(used);
        if room == 0 {
            break;
        }
        let cut = text::truncate(piece, room);
        used += cut.width();
        let style = if *marked {
            theme::evidence()
        } else {
            Style::new()
        };
        spans.push(Span::styled(cut, style));
    }
    if !tag.is_empty() {
        spans.push(Span::raw(" ".repeat(text_width.saturating_sub(used) + 1)));
        spans.push(Span::styled(
            text::truncate(&tag, tag_width.saturating_sub(1)),
            tag_style,
        ));
    }
    let line = Line::from(spans);
    if marked {
        line.style(theme::marked_chat())
    } else {
        line
    }
}

fn reading_tag(model: &Model, readings: &[Reading]) -> String {
    let s = i18n::strings(model.language);
    let parts: Vec<String> = readings
        .iter()
        .map(|r| {
            let name = model.product(r.product).map(|p| p.name.as_str());
            match (r.kind, name, r.qty) {
                (IntentKind::Order, Some(name), qty) => format!("{name} ×{}", qty.unwrap_or(1)),
                (IntentKind::Order, None, _) => s.no_product.to_string(),
                (IntentKind::Cancel, name, _) => format!("{} {}", s.cancel, name.unwrap_or(""))
                    .trim_end()
                    .to_string(),
                (IntentKind::Change, name, qty) => format!(
                    "{} {}{}",
                    name.unwrap_or(""),
                    s.change_to,
                    qty.map(|q| format!(" {q}")).unwrap_or_default()
                )
                .trim_start()
                .to_string(),
            }
        })
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("→ {}", parts.join(", "))
    }
}
