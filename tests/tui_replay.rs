//! The screen at the end of a replay (`livestall replay`): the status line
//! says the recording played to its end, not that the chat is down, and
//! the chat pane marks no gap (nothing was missed). A record that could not
//! be written is said once on the notice line. Both languages, small and
//! large screens.

mod tui_support;

use insta::assert_snapshot;
use livestall::app::{ChatEntry, Msg, SourceStatus};
use livestall::chat::record::RecordFailure;
use livestall::chat::Outage;
use livestall::config::Language;
use std::path::Path;
use tui_support::*;

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];

fn finished_replay(language: Language) -> livestall::app::Model {
    let mut m = model(language);
    update(&mut m, connected());
    busy_stream(&mut m);
    let path = Path::new("sessions/2026-12-07.jsonl");
    update(
        &mut m,
        Msg::Source {
            source: 0,
            status: SourceStatus::Disconnected(Outage::finished(path)),
        },
    );
    m
}

#[test]
fn a_finished_replay_says_so_and_marks_no_gap() {
    for (language, name, finished, down) in [
        (Language::Zh, "zh", "■ 回放结束", "断线"),
        (Language::En, "en", "■ replay finished", "disconnected"),
    ] {
        let m = finished_replay(language);
        assert!(
            !m.chat.iter().any(|e| matches!(e, ChatEntry::Gap { .. })),
            "no gap marker"
        );
        for (w, h) in SIZES {
            let shown = screen(&m, w, h);
            assert!(shown.contains(finished), "{shown}");
            assert!(!shown.contains('✗'), "not trouble: {shown}");
            assert!(!shown.contains(down), "{shown}");
            assert_rows_fit(&m, w, h);
            assert_snapshot!(format!("replay_finished_{name}_{w}x{h}"), shown);
        }
    }
}

#[test]
fn a_stopped_record_is_told_on_the_notice_line() {
    for (language, words) in [
        (Language::Zh, "弹幕录制已停止（磁盘已满）"),
        (
            Language::En,
            "chat recording stopped (No space left on device",
        ),
    ] {
        let mut m = model(language);
        busy_stream(&mut m);
        let effects = update(
            &mut m,
            Msg::RecordStopped(RecordFailure {
                path: "/shop/sessions/2026-12-07.jsonl".into(),
                kind: std::io::ErrorKind::StorageFull,
                detail: "No space left on device (os error 28)".into(),
            }),
        );
        assert_eq!(published(&effects).len(), 1, "{effects:?}");
        let shown = screen(&m, 160, 48);
        assert!(shown.contains(words), "{shown}");
        assert_rows_fit(&m, 80, 24);
    }
}
