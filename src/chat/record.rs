//! The session record: every chat message livestall receives, appended as
//! one JSON line to a file per local day (`2026-12-07.jsonl`) before the
//! core reads it, with the product on air when it arrived. `replay` plays
//! such a file back, `parse` reads it as it is, and the most recent ids in
//! it (`recent_ids`) keep a relay's history from being read twice after a
//! restart.
//!
//! Recording must never cost the chat: a write that fails (a full disk, a
//! folder that cannot be written) stops the recorder, which says why once,
//! and the run goes on without it.
//!
//! A folder is recorded to by one run at a time (a lock file, `.lock`): a
//! second run on the same database at the same time neither records (its
//! lines would double every message) nor takes the first run's ids as read.

use super::ChatMessage;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// The session folder's name beside the database when `[record] folder`
/// does not say otherwise.
pub const DEFAULT_FOLDER: &str = "sessions";
/// What a session file's name ends with.
pub const EXTENSION: &str = "jsonl";
/// Buffered before a write reaches the file; the driver flushes every tick
/// (a quarter second) anyway, so this only bounds a burst.
const BUFFER_BYTES: usize = 64 * 1024;
/// The lock file that makes one run the folder's recorder.
const LOCK_FILE: &str = ".lock";

/// One line of a session file, as written and as read back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// The source's name (empty for the single unnamed source).
    #[serde(default)]
    pub source: String,
    pub id: String,
    #[serde(default)]
    pub user: String,
    #[serde(default)]
    pub user_id: Option<String>,
    pub text: String,
    #[serde(default)]
    pub ts: Option<i64>,
    /// When livestall received it (Unix ms): replay keeps this pace.
    #[serde(default)]
    pub received_at_ms: i64,
    /// The SKU on air when it arrived: bare orders ("扣1") referred to it.
    #[serde(default)]
    pub on_air: Option<String>,
}

impl Record {
    /// The line's message, as a source delivers it.
    pub fn message(&self) -> ChatMessage {
        ChatMessage {
            id: self.id.clone(),
            user: self.user.clone(),
            user_id: self.user_id.clone(),
            text: self.text.clone(),
            ts: self.ts,
        }
    }
}

/// A line as it is written: borrowed, so recording copies nothing.
#[derive(Serialize)]
struct RecordRef<'a> {
    source: &'a str,
    id: &'a str,
    user: &'a str,
    user_id: Option<&'a str>,
    text: &'a str,
    ts: Option<i64>,
    received_at_ms: i64,
    on_air: Option<&'a str>,
}

/// One line of a session file, or `None` when it is not one (a line torn
/// by a power cut, a blank line, something written by hand).
pub fn read_line(line: &[u8]) -> Option<Record> {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    serde_json::from_slice(line).ok()
}

/// The file stem of the local day `ms` falls on: "2026-12-07".
pub fn local_day(ms: i64) -> String {
    use chrono::{Datelike, TimeZone};
    match chrono::Local.timestamp_millis_opt(ms).earliest() {
        Some(t) => format!("{:04}-{:02}-{:02}", t.year(), t.month(), t.day()),
        None => utc_day(ms),
    }
}

/// The file stem of the UTC day `ms` falls on (tests, and a local time
/// that does not exist).
pub fn utc_day(ms: i64) -> String {
    use chrono::Datelike;
    match chrono::DateTime::from_timestamp_millis(ms) {
        Some(t) => format!("{:04}-{:02}-{:02}", t.year(), t.month(), t.day()),
        None => "0000-00-00".into(),
    }
}

/// Why the recorder stopped: where it was writing and what the system said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordFailure {
    /// The file (or the folder) that could not be written.
    pub path: PathBuf,
    pub kind: io::ErrorKind,
    /// The system's words, in English, for the log and headless mode.
    pub detail: String,
}

impl fmt::Display for RecordFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot record chat to {}: {}",
            self.path.display(),
            self.detail
        )
    }
}

impl std::error::Error for RecordFailure {}

/// Appends messages to the day's session file. Owned by the driver, which
/// records each message before `update` reads it and flushes every tick.
pub struct Recorder {
    folder: PathBuf,
    /// The day a message's receive time falls on, as a file stem: local
    /// days in a run, any calendar a test likes.
    day_of: fn(i64) -> String,
    /// The open file: its day and its writer.
    file: Option<(String, BufWriter<File>)>,
    /// Set by the first failure: nothing more is written in this run.
    stopped: bool,
    /// A failure met before any message (the folder could not be made),
    /// told at the first `record` or `flush`.
    untold: Option<RecordFailure>,
    /// Held (locked) while this run records to the folder.
    _lock: Option<File>,
    line: Vec<u8>,
}

/// What `Recorder::claim` found.
pub enum Claim {
    /// This run records to the folder (or will say why it cannot).
    Recorder(Recorder),
    /// Another run holds the folder: this one does not record.
    Busy,
}

impl Recorder {
    /// Records into `folder` (made when the first message comes), one file
    /// per local day.
    pub fn new(folder: impl Into<PathBuf>) -> Recorder {
        Recorder::with_days(folder, local_day)
    }

    /// `new` with the calendar given: `day_of` names the file of a receive time.
    pub fn with_days(folder: impl Into<PathBuf>, day_of: fn(i64) -> String) -> Recorder {
        Recorder {
            folder: folder.into(),
            day_of,
            file: None,
            stopped: false,
            untold: None,
            _lock: None,
            line: Vec::with_capacity(256),
        }
    }

    /// The recorder of a run: makes `folder` and takes its lock. A folder
    /// that cannot be made or locked gives a recorder that says so at its
    /// first use (the run goes on); one locked by another run is `Busy`.
    pub fn claim(folder: impl Into<PathBuf>) -> Claim {
        let mut recorder = Recorder::new(folder);
        let lock_path = recorder.folder.join(LOCK_FILE);
        let locked = std::fs::create_dir_all(&recorder.folder)
            .map_err(|e| (recorder.folder.clone(), e))
            .and_then(|()| {
                OpenOptions::new()
                    .create(true)
                    .truncate(false)
                    .write(true)
                    .open(&lock_path)
                    .map_err(|e| (lock_path.clone(), e))
            })
            .and_then(|file| match file.try_lock() {
                Ok(()) => Ok(Some(file)),
                Err(std::fs::TryLockError::WouldBlock) => Ok(None),
                Err(std::fs::TryLockError::Error(e)) => Err((lock_path.clone(), e)),
            });
        match locked {
            Ok(Some(file)) => recorder._lock = Some(file),
            Ok(None) => {
                tracing::info!(folder = %recorder.folder.display(), "another run records chat to this folder; this one does not");
                return Claim::Busy;
            }
            Err((path, error)) => {
                let failure = recorder.fail(path, &error);
                recorder.untold = Some(failure);
            }
        }
        Claim::Recorder(recorder)
    }

    pub fn folder(&self) -> &Path {
        &self.folder
    }

    /// Whether a failure stopped it.
    pub fn is_stopped(&self) -> bool {
        self.stopped
    }

    /// The session file of `day`.
    pub fn path_of(&self, day: &str) -> PathBuf {
        self.folder.join(format!("{day}.{EXTENSION}"))
    }

    /// Appends `message` as `source` received it at `received_at_ms` with
    /// `on_air` on air. The first failure stops the recorder and is
    /// returned (once); after it every call does nothing.
    pub fn record(
        &mut self,
        source: &str,
        message: &ChatMessage,
        received_at_ms: i64,
        on_air: Option<&str>,
    ) -> Result<(), RecordFailure> {
        if let Some(failure) = self.untold.take() {
            return Err(failure);
        }
        if self.stopped {
            return Ok(());
        }
        let day = (self.day_of)(received_at_ms);
        if self.file.as_ref().is_none_or(|(open, _)| *open != day) {
            self.flush()?;
            let path = self.path_of(&day);
            match open_for_append(&self.folder, &path) {
                Ok(file) => {
                    self.file = Some((day, BufWriter::with_capacity(BUFFER_BYTES, file)));
                }
                Err((at, error)) => return Err(self.fail(at, &error)),
            }
        }
        self.line.clear();
        let record = RecordRef {
            source,
            id: &message.id,
            user: &message.user,
            user_id: message.user_id.as_deref(),
            text: &message.text,
            ts: message.ts,
            received_at_ms,
            on_air,
        };
        serde_json::to_writer(&mut self.line, &record).expect("a record serializes");
        self.line.push(b'\n');
        let written = match self.file.as_mut() {
            Some((_, writer)) => writer.write_all(&self.line),
            None => return Ok(()),
        };
        written.map_err(|error| self.fail_open_file(&error))
    }

    /// Pushes what is buffered to the file (every tick and at the end of a
    /// run). A failure stops the recorder, as in `record`.
    pub fn flush(&mut self) -> Result<(), RecordFailure> {
        if let Some(failure) = self.untold.take() {
            return Err(failure);
        }
        let flushed = match self.file.as_mut() {
            Some((_, writer)) => writer.flush(),
            None => return Ok(()),
        };
        flushed.map_err(|error| self.fail_open_file(&error))
    }

    /// `fail` for a write to the open file.
    fn fail_open_file(&mut self, error: &io::Error) -> RecordFailure {
        let day = self
            .file
            .as_ref()
            .map(|(day, _)| day.clone())
            .unwrap_or_default();
        let path = self.path_of(&day);
        self.fail(path, error)
    }

    fn fail(&mut self, path: PathBuf, error: &io::Error) -> RecordFailure {
        self.stopped = true;
        // What is buffered cannot be written either: dropped without the
        // flush `BufWriter` would try (and fail) on drop.
        if let Some((_, writer)) = self.file.take() {
            let (_file, _lost) = writer.into_parts();
        }
        let failure = RecordFailure {
            path,
            kind: error.kind(),
            detail: error.to_string(),
        };
        tracing::error!(%failure, "chat recording stopped; the run goes on without it");
        failure
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        if let Err(failure) = self.flush() {
            tracing::warn!(%failure, "the end of the chat record was not written");
        }
    }
}

/// Opens `path` in `folder` to append, making the folder. A file whose last
/// line was torn (a power cut mid-write) gets its newline first, so the
/// torn line stays alone and the next one reads.
fn open_for_append(folder: &Path, path: &Path) -> Result<File, (PathBuf, io::Error)> {
    std::fs::create_dir_all(folder).map_err(|e| (folder.to_path_buf(), e))?;
    let at = |e| (path.to_path_buf(), e);
    let mut file = OpenOptions::new()
        .create(true)
        .read(true)
        .append(true)
        .open(path)
        .map_err(at)?;
    let len = file.metadata().map_err(at)?.len();
    if len > 0 {
        let mut last = [0u8];
        file.seek(SeekFrom::Start(len - 1)).map_err(at)?;
        file.read_exact(&mut last).map_err(at)?;
        if last[0] != b'\n' {
            file.write_all(b"\n").map_err(at)?;
        }
    }
    Ok(file)
}

/// The session files in `folder`, oldest first (their names are days).
pub fn session_files(folder: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| {
            path.extension().is_some_and(|e| e == EXTENSION)
                && path
                    .file_stem()
                    .and_then(|s| s.to_str())
                    .is_some_and(is_day_stem)
        })
        .collect();
    files.sort();
    files
}

fn is_day_stem(stem: &str) -> bool {
    let b = stem.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

/// Bytes read from the end of a session file per id wanted: lines are a
/// few hundred bytes, so this holds `limit` of them with room for other
/// sources' lines in between.
const TAIL_BYTES_PER_ID: u64 = 1024;
/// The most read from one file, however many ids are wanted.
const TAIL_BYTES_MAX: u64 = 64 << 20;

/// The ids `source` received most recently, oldest first, at most `limit`:
/// from the last lines of the newest two session files in `folder` (today's
/// and the one before). A torn or unreadable line is skipped; a missing
/// folder is no ids.
pub fn recent_ids(folder: &Path, source: &str, limit: usize) -> Vec<String> {
    let files = session_files(folder);
    let mut newest_first: Vec<String> = Vec::new();
    for path in files.iter().rev().take(2) {
        if newest_first.len() >= limit {
            break;
        }
        let want = limit - newest_first.len();
        match tail_ids(path, source, want) {
            Ok(ids) => newest_first.extend(ids),
            Err(error) => {
                tracing::warn!(path = %path.display(), %error, "cannot read a session file for its ids")
            }
        }
    }
    newest_first.reverse();
    newest_first
}

/// `source`'s ids in the last lines of `path`, newest first, at most `want`.
fn tail_ids(path: &Path, source: &str, want: usize) -> io::Result<Vec<String>> {
    #[derive(Deserialize)]
    struct Ids<'a> {
        #[serde(default, borrow)]
        source: Cow<'a, str>,
        #[serde(borrow)]
        id: Cow<'a, str>,
    }
    let mut file = File::open(path)?;
    let len = file.metadata()?.len();
    let budget = (want as u64)
        .saturating_mul(TAIL_BYTES_PER_ID)
        .min(TAIL_BYTES_MAX);
    let start = len.saturating_sub(budget);
    file.seek(SeekFrom::Start(start))?;
    let mut tail = Vec::with_capacity((len - start) as usize);
    file.take(budget).read_to_end(&mut tail)?;
    let mut lines: Vec<&[u8]> = tail.split(|&b| b == b'\n').collect();
    if start > 0 && !lines.is_empty() {
        // Begun mid-line: the first piece is the end of a line not read.
        lines.remove(0);
    }
    let mut ids = Vec::new();
    for line in lines.into_iter().rev() {
        if ids.len() >= want {
            break;
        }
        let Ok(read) = serde_json::from_slice::<Ids>(line) else {
            continue;
        };
        if read.source == source {
            ids.push(read.id.into_owned());
        }
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_stems_are_recognized() {
        assert!(is_day_stem("2026-12-07"));
        assert!(!is_day_stem("2026-12-7"));
        assert!(!is_day_stem("notes-here"));
        assert_eq!(utc_day(0), "1970-01-01");
        assert_eq!(utc_day(1_796_601_600_000), "2026-12-07");
    }
}
