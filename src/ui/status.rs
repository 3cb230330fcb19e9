//! The status bar: shop, source connection, chat rate, sales so far, clock.
//! When the source is in trouble the connection says why first ("✗ 拒绝连接
//! ws://… · 3秒后重试"); on a narrow screen the address shortens, then the
//! clock and the retry go, so the word that matters is never the part cut.

use crate::app::model::{Connection, Model, SourceState};
use crate::catalog::yuan;
use crate::chat::outage::{url_forms, Outage};
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

/// How the station stands with the co-op, when it is in one: synced, rows
/// waiting to be pushed, or offline since when (selling from what it
/// holds).
fn coop(model: &Model) -> Option<(String, Style)> {
    use crate::coop::link::CoopStatus;
    let status = model.coop.as_ref()?;
    let style = match status {
        CoopStatus::Connecting => theme::dim(),
        CoopStatus::Synced => Style::new(),
        CoopStatus::Waiting(_) => theme::busy(),
        CoopStatus::Offline { .. } => theme::trouble(),
    };
    Some((
        i18n::coop_status(model.language, status, model.utc_offset_secs),
        style,
    ))
}

/// The status line for a screen `width` columns wide.
fn line(model: &Model, width: usize) -> Line<'static> {
    let s = i18n::strings(model.language);
    let (forms, style) = connection(model);
    // While every source is down (or a replay has finished) no chat
    // arrives: the rate's room goes to saying why.
    let down = !model.sources.is_empty()
        && model
            .sources
            .iter()
            .all(|source| source.is_down() || source.is_finished());
    let rate = (!down).then(|| format!("{} {:.1}{}", s.chat_rate, model.msg_rate, s.per_second));
    let (units, fen) = model.sales_total();
    let sold = format!("{} {} · ¥{}", s.sold, units, yuan(fen));
    let clock = text::clock(model.now_ms, model.utc_offset_secs);
    let shop = format!(" {}", model.shop_name);
    let coop = coop(model);

    let width_of = |connection: &str, clock: bool| {
        let mut used = shop.width() + SEP.width() + connection.width();
        used += coop.as_ref().map_or(0, |(c, _)| SEP.width() + c.width());
        used += rate.as_ref().map_or(0, |r| SEP.width() + r.width());
        used += SEP.width() + sold.width();
        if clock {
            used += SEP.width() + clock_width();
        }
        used
    };
    // The most detailed connection that fits, with the clock if there is
    // room; failing all, the shortest. When a source is down, the shop
    // name is cut to make room for why; otherwise the line's end is.
    let (connection, with_clock) = forms
        .iter()
        .flat_map(|form| [(form, true), (form, false)])
        .find(|(form, clock)| width_of(form, *clock) <= width)
        .map(|(form, clock)| (form.clone(), clock))
        .unwrap_or_else(|| (forms.last().cloned().unwrap_or_default(), false));
    let over = width_of(&connection, with_clock).saturating_sub(width);
    let shop = if model.sources.iter().any(SourceState::is_down) {
        text::truncate(&shop, shop.width().saturating_sub(over).max(2))
    } else {
        shop
    };

    let mut spans = vec![
        Span::styled(shop, theme::title()),
        Span::raw(SEP),
        Span::styled(connection, style),
    ];
    if let Some((words, style)) = coop {
        spans.extend([Span::raw(SEP), Span::styled(words, style)]);
    }
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

/// The connection segment at each level of detail, the most first, and its
/// style. With several sources each has its mark and name (● connected,
/// ○ connecting, ✗ down and why), shortened level by level, the least
/// being a count of each.
fn connection(model: &Model) -> (Vec<String>, Style) {
    let s = i18n::strings(model.language);
    let style = if model.sources.iter().any(SourceState::is_down) {
        theme::trouble()
    } else if model
        .sources
        .iter()
        .all(|source| source.connection == Connection::Connected)
    {
        theme::connected()
    } else {
        theme::on_air()
    };
    match model.sources.as_slice() {
        [] => (vec![format!("○ {}", s.connecting)], theme::on_air()),
        [one] => (source_forms(model, one, None), style),
        several => {
            let each: Vec<Vec<String>> = several
                .iter()
                .map(|source| source_forms(model, source, Some(&sanitize(&source.name))))
                .collect();
            let levels = each.iter().map(Vec::len).max().unwrap_or(1);
            let mut forms: Vec<String> = (0..levels)
                .map(|level| {
                    each.iter()
                        .map(|forms| forms[level.min(forms.len() - 1)].as_str())
                        .collect::<Vec<_>>()
                        .join("  ")
                })
                .collect();
            forms.push(
                several
                    .iter()
                    .map(|source| format!("{}{}", mark(source), sanitize(&source.name)))
                    .collect::<Vec<_>>()
                    .join(" "),
            );
            let count = |of: fn(&SourceState) -> bool| several.iter().filter(|s| of(s)).count();
            let up = count(|s| s.connection == Connection::Connected);
            let trouble = count(SourceState::is_down);
            let mut counted = vec![format!("●{up}")];
            if trouble > 0 {
                counted.push(format!("✗{trouble}"));
            }
            forms.push(counted.join(" "));
            (forms, style)
        }
    }
}

fn mark(source: &SourceState) -> &'static str {
    if source.is_finished() {
        return "■";
    }
    match source.connection {
        Connection::Connecting => "○",
        Connection::Connected => "●",
        Connection::NotReached { .. } | Connection::Reconnecting { .. } => "✗",
    }
}

/// One source's segment at each level of detail, named when `name` is given.
fn source_forms(model: &Model, source: &SourceState, name: Option<&str>) -> Vec<String> {
    let s = i18n::strings(model.language);
    let named = |word: &str| match name {
        Some(name) => format!("{} {name} {word}", mark(source)),
        None => format!("{} {word}", mark(source)),
    };
    match &source.connection {
        // Not trouble: a replay played its recording to the end.
        Connection::Reconnecting { reason, .. } if source.is_finished() => {
            let word = sanitize(&i18n::outage(model.language, &reason.kind));
            vec![match name {
                Some(name) => format!("■ {name} {word}"),
                None => format!("■ {word}"),
            }]
        }
        Connection::Connecting => vec![named(s.connecting)],
        Connection::Connected => match name {
            Some(name) => vec![format!("● {name}")],
            None => vec![format!("● {}", s.connected)],
        },
        Connection::NotReached { reason, at_ms }
        | Connection::Reconnecting { reason, at_ms, .. } => trouble(model, reason, *at_ms)
            .into_iter()
            .map(|form| match name {
                Some(name) => form.replacen("✗ ", &format!("✗ {name} "), 1),
                None => form,
            })
            .collect(),
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
        let mut words = i18n::retry(model.language, left);
        // The first retry is the usual blip; from the second, how long the
        // source has been trying is worth saying.
        if reason.attempt >= 2 {
            words.push_str(&i18n::attempt(model.language, reason.attempt + 1));
        }
        words
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
        config.sources = vec![SourceConfig {
            name: "json".into(),
            kind: SourceKind::Json,
            url: "ws://127.0.0.1:9001/chat".into(),
            fields: FieldMap::default(),
        }];
        let config: Config = config;
        let mut model = Model::new(&config, "helper");
        model.now_ms = 1_000;
        model.sources[0].connection = Connection::NotReached {
            reason: Outage {
                kind: OutageKind::Refused,
                url: "ws://127.0.0.1:9001/chat".into(),
                detail: "connect failed: IO error: Connection refused (os error 111)".into(),
                retry_in: Some(Duration::from_millis(2_500)),
                attempt: 1,
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

    /// Two sources, one connected and one refused: both named, the down
    /// one says why while there is room, and the line never overflows.
    #[test]
    fn several_sources_each_say_how_they_are() {
        for language in [Language::Zh, Language::En] {
            let mut model = model(language);
            let mut up = SourceState::new(&SourceConfig {
                name: "抖音".into(),
                kind: SourceKind::Json,
                url: "ws://127.0.0.1:9002/chat".into(),
                fields: FieldMap::default(),
            });
            up.connection = Connection::Connected;
            model.sources[0].name = "B站".into();
            model.sources.insert(0, up);
            let word = i18n::outage(language, &OutageKind::Refused);
            let wide = text_of(&line(&model, 160));
            assert!(wide.contains("● 抖音"), "{wide}");
            assert!(wide.contains(&format!("✗ B站 {word}")), "{wide}");
            // The rate stays: one source still brings chat.
            assert!(wide.contains(i18n::strings(language).chat_rate), "{wide}");
            for width in 50..=160 {
                let shown = text_of(&line(&model, width));
                assert!(shown.width() <= width, "{width}: {shown}");
                assert!(shown.contains("✗"), "{width}: {shown}");
            }
        }
    }

    #[test]
    fn a_long_outage_says_which_try_comes_next() {
        let mut model = model(Language::Zh);
        assert!(
            !text_of(&line(&model, 160)).contains("第"),
            "a first failure is a blip"
        );
        if let Connection::NotReached { reason, .. } = &mut model.sources[0].connection {
            reason.attempt = 4;
        }
        let zh = text_of(&line(&model, 160));
        assert!(zh.contains("3秒后重试（第5次）"), "{zh}");
        model.language = Language::En;
        let en = text_of(&line(&model, 160));
        assert!(en.contains("retry in 3 s (try 5)"), "{en}");
    }

    #[test]
    fn the_retry_counts_down_to_retrying() {
        let mut model = model(Language::Zh);
        assert!(text_of(&line(&model, 140)).contains("3秒后重试"));
        model.now_ms = 3_600;
        assert!(text_of(&line(&model, 140)).contains("重试中…"));
    }
}
