//! The status bar: shop, source connection, chat rate, sales so far, clock.
//! When the source is in trouble the connection says why first ("✗ 拒绝连接
//! ws://… · 3秒后重试"); on a narrow screen the address shortens, then the
//! clock and the retry go, so the word that matters is never the part cut.

use crate::app::model::{Connection, Model};
use crate::catalog::yuan;
use crate::chat::outage::{url_forms, Outage, OutageKind};
use crate::ui::sanitize::sanitize;
use crate::ui::{i18n, text, theme};
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;
use std::time::Duration;
use unicode_width::UnicodeWidthStr;

const SEP: &str = " │ ";

pub fn render(model: &Model, frame: &mut Frame, area: Rect) {
    let line = line(model, usize::from(area.width));
    frame.render_widget(Paragraph::new(line).style(theme::status_bar()), area);
}

/// The status line for a screen `width` columns wide.
fn line(model: &Model, width: usize) -> Line<'static> {
    let s = i18n::strings(model.language);
    let (forms, style) = connection(model);
    // While the source is down no chat arrives: its room goes to saying why.
    let down = matches!(
        model.connection,
        Connection::NotReached { .. } | Connection::Reconnecting { .. }
    );
    let rate = (!down).then(|| format!("{} {:.1}{}", s.chat_rate, model.msg_rate, s.per_second));
    let (units, fen) = model.sales_total();
    let sold = format!("{} {} · ¥{}", s.sold, units, yuan(fen));
    let clock = text::clock(model.now_ms, model.utc_offset_secs);
    let shop = format!(" {}", model.shop_name);

    let width_of = |connection: &str, clock: bool| {
        let mut used = shop.width() + SEP.width() + connection.width();
        used += rate.as_ref().map_or(0, |r| SEP.width() + r.width());
        used += SEP.width() + sold.width();
        if clock {
            used += SEP.width() + clock_width();
        }
        used
    };
    // The most detailed connection that fits, with the clock if there is
    // room; failing all, the shortest. When the source is down, the shop
    // name is cut to make room for why; otherwise the line's end is.
    let (connection, with_clock) = forms
        .iter()
        .flat_map(|form| [(form, true), (form, false)])
        .find(|(form, clock)| width_of(form, *clock) <= width)
        .map(|(form, clock)| (form.clone(), clock))
        .unwrap_or_else(|| (forms.last().cloned().unwrap_or_default(), false));
    let over = width_of(&connection, with_clock).saturating_sub(width);
    let shop = if down {
        text::truncate(&shop, shop.width().saturating_sub(over).max(2))
    } else {
        shop
    };

    let mut spans = vec![
        Span::styled(shop, theme::title()),
        Span::raw(SEP),
        Span::styled(connection, style),
    ];
    if let Some(rate) = rate {
        spans.extend([Span::raw(SEP), Span::raw(rate)]);
    }
    spans.extend([Span::raw(SEP), Span::raw(sold)]);
    if with_clock {
        spans.extend([Span::raw(SEP), Span::raw(clock)]);
    }
    Line::from(spans)
}

fn clock_width() -> usize {
    "00:00:00".len()
}

/// The connection segment at each level of detail, the most first, and its style.
fn connection(model: &Model) -> (Vec<String>, Style) {
    let s = i18n::strings(model.language);
    match &model.connection {
        Connection::Connecting => (vec![format!("○ {}", s.connecting)], theme::on_air()),
        Connection::Connected => (vec![format!("● {}", s.connected)], theme::connected()),
        // Not trouble: a replay played its recording to the end.
        Connection::Reconnecting { reason, .. } if reason.kind == OutageKind::Finished => (
            vec![format!(
                "■ {}",
                sanitize(&i18n::outage(model.language, &reason.kind))
            )],
            theme::on_air(),
        ),
        Connection::NotReached { reason, at_ms } | Connection::Reconnecting { reason, at_ms } => {
            (trouble(model, reason, *at_ms), theme::trouble())
        }
    }
}

/// "✗ word url · retry", shortened in steps: the address (as written, then
/// host and port), then without the retry, then the word alone.
fn trouble(model: &Model, reason: &Outage, at_ms: i64) -> Vec<String> {
    let word = sanitize(&i18n::outage(model.language, &reason.kind));
    let retry = retry_words(model, reason, at_ms);
    let urls: Vec<String> = if reason.url.is_empty() {
        Vec::new()
    } else {
        url_forms(&sanitize(&reason.url))
    };
    let mut forms = Vec::new();
    if let Some(retry) = &retry {
        forms.extend(urls.iter().map(|url| format!("✗ {word} {url} · {retry}")));
    }
    if let Some(shortest) = urls.last() {
        forms.push(format!("✗ {word} {shortest}"));
    }
    forms.push(format!("✗ {word}"));
    forms
}

/// When an outage told at `at_ms` is retried, counted down from the
/// model's clock: "3秒后重试"; `None` when the source will not retry.
pub(crate) fn retry_words(model: &Model, reason: &Outage, at_ms: i64) -> Option<String> {
    reason.retry_in.map(|after| {
        let due_ms = at_ms.saturating_add(after.as_millis() as i64);
        let left = Duration::from_millis(due_ms.saturating_sub(model.now_ms).max(0) as u64);
        i18n::retry(model.language, left)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::OutageKind;
    use crate::config::{Config, FieldMap, Language, ShopConfig, SourceConfig, SourceKind};

    fn model(language: Language) -> Model {
        let mut config = crate::config::sample(std::path::Path::new("."));
        config.shop = ShopConfig {
            name: "武乡小米合作社".into(),
            language,
            bell: false,
        };
        config.source = Some(SourceConfig {
            kind: SourceKind::Json,
            url: "ws://127.0.0.1:9001/chat".into(),
            fields: FieldMap::default(),
        });
        let config: Config = config;
        let mut model = Model::new(&config, "helper");
        model.now_ms = 1_000;
        model.connection = Connection::NotReached {
            reason: Outage {
                kind: OutageKind::Refused,
                url: "ws://127.0.0.1:9001/chat".into(),
                detail: "connect failed: IO error: Connection refused (os error 111)".into(),
                retry_in: Some(Duration::from_millis(2_500)),
            },
            at_ms: 1_000,
        };
        model
    }

    fn text_of(line: &Line) -> String {
        line.spans.iter().map(|s| s.content.as_ref()).collect()
    }

    #[test]
    fn the_word_that_matters_survives_every_width() {
        for language in [Language::Zh, Language::En] {
            let model = model(language);
            let word = i18n::outage(language, &OutageKind::Refused);
            for width in 30..=140 {
                let shown = text_of(&line(&model, width));
                assert!(shown.contains(&word), "{width}: {shown}");
                if width >= 50 {
                    assert!(shown.width() <= width, "{width}: {shown}");
                }
            }
            let wide = text_of(&line(&model, 140));
            assert!(wide.contains("ws://127.0.0.1:9001/chat"), "{wide}");
            let narrow = text_of(&line(&model, 80));
            assert!(narrow.contains("127.0.0.1:9001"), "{narrow}");
        }
    }

    #[test]
    fn the_retry_counts_down_to_retrying() {
        let mut model = model(Language::Zh);
        assert!(text_of(&line(&model, 140)).contains("3秒后重试"));
        model.now_ms = 3_600;
        assert!(text_of(&line(&model, 140)).contains("重试中…"));
    }
}
