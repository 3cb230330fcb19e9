//! Several chat sources on one screen: the status bar names each with its
//! state, the chat names each buyer's source, a drop of one source leaves
//! a gap marker that says which, and its return says which stretch may be
//! missing; events carry the source's name. Chinese and English at 80x24
//! and 160x48 (insta), with the words that matter asserted.

mod tui_support;

use insta::assert_snapshot;
use livestall::app::{Event, Model, Msg, SourceStatus};
use livestall::chat::{Outage, OutageKind};
use livestall::config::{FieldMap, Language, SourceConfig, SourceKind};
use tui_support::*;

fn two_sources(language: Language) -> Model {
    let mut config = config(language);
    config.sources = vec![
        SourceConfig {
            name: "抖音".into(),
            kind: SourceKind::Json,
            url: "ws://127.0.0.1:9001/douyin".into(),
            fields: FieldMap::default(),
        },
        SourceConfig {
            name: "B站".into(),
            kind: SourceKind::Bilibili {
                room: 21_452_505,
                key: String::new(),
                uid: 0,
                buvid: None,
            },
            url: "ws://127.0.0.1:9401/sub".into(),
            fields: FieldMap::default(),
        },
    ];
    Model::new(&config, "小王")
}

fn status(source: usize, status: SourceStatus) -> Msg {
    Msg::Source { source, status }
}

fn lost() -> SourceStatus {
    SourceStatus::Disconnected(Outage {
        kind: OutageKind::Lost,
        url: "ws://127.0.0.1:9401/sub".into(),
        detail: "connection reset".into(),
        retry_in: Some(std::time::Duration::from_millis(800)),
        attempt: 1,
    })
}

/// Both connected, chat from each, then B站 drops and comes back.
fn stream(m: &mut Model) -> Vec<Event> {
    let msgs = vec![
        Msg::Tick(at(14, 31, 50)),
        status(0, SourceStatus::Connected),
        status(1, SourceStatus::Connected),
        chat_from(0, "抖音:1", "抖音用户2231", "小米来两袋", at(14, 31, 55)),
        chat_from(1, "B站:1", "阿**", "核桃来一袋", at(14, 31, 57)),
        Msg::Tick(at(14, 32, 0)),
        status(1, lost()),
        chat_from(0, "抖音:2", "兰兰", "扣1", at(14, 32, 1)),
        Msg::Tick(at(14, 32, 3)),
        status(1, lost()),
        Msg::Tick(at(14, 32, 4)),
        status(1, SourceStatus::Connected),
        status(1, SourceStatus::SkippedReplays(20)),
        Msg::Tick(at(14, 32, 5)),
    ];
    feed(m, msgs)
        .into_iter()
        .filter_map(|e| match e {
            livestall::app::Effect::Publish(event) => Some(event),
            _ => None,
        })
        .collect()
}

#[test]
fn events_name_their_source() {
    let mut m = two_sources(Language::En);
    let events = stream(&mut m);
    assert!(events.contains(&Event::Connected {
        source: "B站".into()
    }));
    let disconnected: Vec<&str> = events
        .iter()
        .filter_map(|e| match e {
            Event::Disconnected { source, .. } => Some(source.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(disconnected, ["B站", "B站"]);
    let intents: Vec<(&str, &str)> = events
        .iter()
        .filter_map(|e| match e {
            Event::Intent { msg_id, source, .. } => Some((msg_id.as_str(), source.as_str())),
            _ => None,
        })
        .collect();
    assert_eq!(
        intents,
        [("抖音:1", "抖音"), ("B站:1", "B站"), ("抖音:2", "抖音")]
    );
    assert!(m.inbox.iter().all(|i| !i.source.is_empty()));
    // The JSON line scripts read.
    let line = serde_json::to_string(&Event::Connected {
        source: "B站".into(),
    })
    .unwrap();
    assert_eq!(line, r#"{"event":"connected","source":"B站"}"#);
}

#[test]
fn the_screen_names_each_source() {
    for language in [Language::Zh, Language::En] {
        for (w, h) in [(80u16, 24u16), (160, 48)] {
            let mut m = two_sources(language);
            stream(&mut m);
            let s = screen(&m, w, h);
            let name = format!(
                "sources_{}_{w}x{h}",
                if language == Language::Zh { "zh" } else { "en" }
            );
            assert_snapshot!(name, s);
            // Each buyer's source beside the name.
            assert!(s.contains("抖音 抖音用户"), "{s}");
            assert!(s.contains("B站  阿**"), "names line up: {s}");
            // The gap is B站's, and its return says what may be missing.
            let (gap, back) = match language {
                Language::Zh => ("B站 断线", "14:32:00–14:32:04"),
                Language::En => ("B站 disconnected", "14:32:00 to 14:32:04"),
            };
            assert!(s.contains(gap), "{s}");
            if w >= 160 {
                assert!(s.contains(back), "{s}");
            }
            // Names are masked on the anonymous Bilibili source.
            let masked = match language {
                Language::Zh => "用户名被打码",
                Language::En => "names are masked",
            };
            assert!(s.contains(masked), "{s}");
            // The selected intent's detail line names its source.
            assert!(s.contains("抖音 抖音用户2231 \""), "{s}");
            assert_rows_fit(&m, w, h);
        }
    }
}

#[test]
fn a_source_down_is_named_in_the_status_bar_while_the_other_reads() {
    for language in [Language::Zh, Language::En] {
        let mut m = two_sources(language);
        feed(
            &mut m,
            vec![
                Msg::Tick(at(14, 31, 50)),
                status(0, SourceStatus::Connected),
                status(1, lost()),
            ],
        );
        let s = screen(&m, 160, 48);
        let first = s.lines().next().unwrap_or_default().to_string();
        assert!(first.contains("● 抖音"), "{first}");
        assert!(first.contains("✗ B站"), "{first}");
        // Never connected in this run: the empty chat says why for B站.
        assert!(s.contains("[B站]"), "{s}");
        assert!(s.contains("127.0.0.1:9401"), "{s}");
    }
}

#[test]
fn a_drop_within_the_second_says_around_when() {
    for (language, words) in [
        (Language::Zh, "14:32:00 前后的弹幕可能漏掉"),
        (Language::En, "messages around 14:32:00 may be missing"),
    ] {
        let mut m = two_sources(language);
        feed(
            &mut m,
            vec![
                Msg::Tick(at(14, 32, 0)),
                status(1, SourceStatus::Connected),
                status(1, lost()),
                status(1, SourceStatus::Connected),
            ],
        );
        let s = screen(&m, 160, 48);
        assert!(s.contains(words), "{s}");
    }
}
