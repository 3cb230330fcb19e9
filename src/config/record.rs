//! The config of recording and replaying chat: the `[record]` table and a
//! `kind = "replay"` source's `path` and `speed`, read with spans like the
//! rest of the file so a mistake names its line and key.

use super::{ConfigError, SourceKind};
use crate::chat::replay::Speed;
use serde::Deserialize;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// `[record]` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRecord {
    pub enabled: Option<bool>,
    pub folder: Option<Spanned<String>>,
}

/// Where and whether received chat is recorded (see `chat::record`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordConfig {
    /// Record every received message (default true).
    pub enabled: bool,
    /// `[record] folder`, resolved against the config file's folder; `None`
    /// is `sessions/` beside the database (`Config::record_folder`).
    pub folder: Option<PathBuf>,
}

impl Default for RecordConfig {
    fn default() -> Self {
        RecordConfig {
            enabled: true,
            folder: None,
        }
    }
}

/// Builds one error at a span; the file's `error_at`.
pub(super) type ErrAt<'a> = &'a dyn Fn(Range<usize>, String, String, String) -> ConfigError;

pub(super) fn read_record(
    raw: Option<RawRecord>,
    base: &Path,
    err: ErrAt<'_>,
) -> Result<RecordConfig, ConfigError> {
    let Some(raw) = raw else {
        return Ok(RecordConfig::default());
    };
    let folder = match raw.folder {
        None => None,
        Some(folder) => {
            let written = folder.get_ref().trim();
            if written.is_empty() {
                return Err(err(
                    folder.span(),
                    "record.folder".into(),
                    "folder is empty; write e.g. folder = \"sessions\", or leave it out for sessions/ beside the database".into(),
                    "folder 是空的；请写，例如 folder = \"sessions\"，或者不写（默认是数据库旁边的 sessions/）".into(),
                ));
            }
            Some(base.join(written))
        }
    };
    Ok(RecordConfig {
        enabled: raw.enabled.unwrap_or(true),
        folder,
    })
}

/// A `kind = "replay"` source: its `path` (required, against the config's
/// folder) and `speed` (a number, 0 or "max" for as fast as it goes).
pub(super) fn replay_kind(
    path: Option<&Spanned<String>>,
    speed: Option<&Spanned<toml::Value>>,
    table: Range<usize>,
    base: &Path,
    err: ErrAt<'_>,
) -> Result<SourceKind, ConfigError> {
    let Some(path) = path.filter(|p| !p.get_ref().trim().is_empty()) else {
        let at = path.map_or(table, |p| p.span());
        return Err(err(
            at,
            "source.path".into(),
            "a replay source needs its recording: path = \"sessions/2026-12-07.jsonl\"".into(),
            "回放弹幕源要写录制文件：path = \"sessions/2026-12-07.jsonl\"".into(),
        ));
    };
    let speed = match speed {
        None => Speed::default(),
        Some(value) => {
            let read = match value.get_ref() {
                toml::Value::Float(x) => Speed::from_factor(*x),
                toml::Value::Integer(n) => Speed::from_factor(*n as f64),
                toml::Value::String(word) => word.parse().ok(),
                _ => None,
            };
            read.ok_or_else(|| {
                err(
                    value.span(),
                    "source.speed".into(),
                    format!(
                        "speed {} is not a speed; write a number above 0 (1 plays as recorded, 10 ten times faster) or \"max\"",
                        value.get_ref()
                    ),
                    format!(
                        "speed {} 不是有效的速度；请写大于 0 的数（1 是原速，10 是十倍速）或 \"max\"（最快）",
                        value.get_ref()
                    ),
                )
            })?
        }
    };
    Ok(SourceKind::Replay {
        path: base.join(path.get_ref().trim()),
        speed,
    })
}
