//! The replay source: a recorded session file (see `record`) played back as
//! a chat source, at the pace it was received divided by a speed, with the
//! product on air put on air again where it changed. Rehearsals, training a
//! new helper, reproducing what a run read: the core cannot tell it from
//! the live chat. It ends when the file ends, saying so (`Finished`).

use super::outage::{Outage, OutageKind};
use super::record::read_line;
use super::SourceEvent;
use std::fmt;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

/// How fast a recording plays.
#[derive(Debug, Clone, Copy)]
pub enum Speed {
    /// As fast as the app takes the messages.
    Max,
    /// The recorded pace divided by this (2.0 plays twice as fast). Finite
    /// and above 0.
    Times(f64),
}

impl PartialEq for Speed {
    fn eq(&self, other: &Speed) -> bool {
        match (self, other) {
            (Speed::Max, Speed::Max) => true,
            (Speed::Times(a), Speed::Times(b)) => a.to_bits() == b.to_bits(),
            _ => false,
        }
    }
}

// Times is never NaN (`from_factor` refuses it), so equality is total.
impl Eq for Speed {}

impl Speed {
    /// A factor as the config or the command line gives it: 0 is as fast as
    /// possible; negative, infinite or NaN is no speed.
    pub fn from_factor(factor: f64) -> Option<Speed> {
        if factor == 0.0 {
            Some(Speed::Max)
        } else if factor.is_finite() && factor > 0.0 {
            Some(Speed::Times(factor))
        } else {
            None
        }
    }
}

impl Default for Speed {
    fn default() -> Speed {
        Speed::Times(1.0)
    }
}

impl fmt::Display for Speed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Speed::Max => f.write_str("max"),
            Speed::Times(x) => write!(f, "{x}"),
        }
    }
}

impl FromStr for Speed {
    type Err = String;

    /// "max", or a number (0 means max): `--speed 10`.
    fn from_str(text: &str) -> Result<Speed, String> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("max") {
            return Ok(Speed::Max);
        }
        text.parse::<f64>()
            .ok()
            .and_then(Speed::from_factor)
            .ok_or_else(|| {
                format!("{text:?} is not a speed; write a number like 1, 10 or 0.5, or max")
            })
    }
}

/// Plays the session file at `path` as a source: `Connected`, then each
/// recorded message at its pace (an `OnAir` before it when the product on
/// air changed), then `Disconnected` with `OutageKind::Finished`. Stops
/// early when `shutdown` turns true or nobody listens.
pub async fn run_replay(
    path: PathBuf,
    speed: Speed,
    tx: mpsc::Sender<SourceEvent>,
    mut shutdown: watch::Receiver<bool>,
) {
    // A local file read a line at a time: each read is a copy out of the
    // page cache, far below what would need a blocking thread.
    let file = match std::fs::File::open(&path) {
        Ok(file) => file,
        Err(error) => {
            tracing::error!(path = %path.display(), %error, "cannot read the recording");
            let outage = Outage {
                kind: OutageKind::Other,
                url: path.display().to_string(),
                detail: format!("cannot read the recording: {error}"),
                retry_in: None,
                attempt: 0,
            };
            let _ = tx.send(SourceEvent::Disconnected(outage)).await;
            return;
        }
    };
    if !send(&tx, &mut shutdown, SourceEvent::Connected).await {
        return;
    }
    let mut reader = BufReader::new(file);
    let mut line = Vec::with_capacity(512);
    let started = Instant::now();
    let mut first_ms: Option<i64> = None;
    let mut on_air: Option<String> = None;
    let mut unreadable: u64 = 0;
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) => break,
            Ok(_) => {}
            Err(error) => {
                tracing::warn!(path = %path.display(), %error, "the recording could not be read to its end");
                break;
            }
        }
        let Some(record) = read_line(&line) else {
            if !line.iter().all(u8::is_ascii_whitespace) {
                unreadable += 1;
            }
            continue;
        };
        if let Speed::Times(factor) = speed {
            let first = *first_ms.get_or_insert(record.received_at_ms);
            let offset_ms = record.received_at_ms.saturating_sub(first).max(0) as f64 / factor;
            let due = started + Duration::from_secs_f64(offset_ms / 1000.0);
            tokio::select! {
                biased;
                _ = shutdown.wait_for(|&stop| stop) => return,
                _ = tokio::time::sleep_until(due) => {}
            }
        }
        if record.on_air.is_some() && record.on_air != on_air {
            on_air = record.on_air.clone();
            let sku = record.on_air.clone().unwrap_or_default();
            if !send(&tx, &mut shutdown, SourceEvent::OnAir(sku)).await {
                return;
            }
        }
        let mut message = record.message();
        // A recording is chat like any other: a file edited by hand (or by
        // someone else) is read as hostile as the live chat was.
        if !super::ingest(&mut message) {
            continue;
        }
        if !send(&tx, &mut shutdown, SourceEvent::Message(message)).await {
            return;
        }
    }
    if unreadable > 0 {
        tracing::warn!(path = %path.display(), unreadable, "skipped lines of the recording that are not messages");
    }
    tracing::info!(path = %path.display(), "replay finished");
    let _ = send(
        &tx,
        &mut shutdown,
        SourceEvent::Disconnected(Outage::finished(&path)),
    )
    .await;
}

/// Sends `event`, giving up when shutdown is asked for; false when the run
/// is over (stopped, or nobody listens).
async fn send(
    tx: &mpsc::Sender<SourceEvent>,
    shutdown: &mut watch::Receiver<bool>,
    event: SourceEvent,
) -> bool {
    tokio::select! {
        biased;
        _ = shutdown.wait_for(|&stop| stop) => false,
        sent = tx.send(event) => sent.is_ok(),
    }
}

impl Outage {
    /// A replay played its recording to the end: nothing will follow, and
    /// nothing was missed.
    pub fn finished(path: &Path) -> Outage {
        Outage {
            kind: OutageKind::Finished,
            url: path.display().to_string(),
            detail: "replay finished".into(),
            retry_in: None,
            attempt: 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speeds_read_as_written() {
        assert_eq!("max".parse::<Speed>(), Ok(Speed::Max));
        assert_eq!("0".parse::<Speed>(), Ok(Speed::Max));
        assert_eq!("10".parse::<Speed>(), Ok(Speed::Times(10.0)));
        assert_eq!(" 0.5 ".parse::<Speed>(), Ok(Speed::Times(0.5)));
        for bad in ["-1", "fast", "inf", "NaN", ""] {
            assert!(bad.parse::<Speed>().is_err(), "{bad}");
        }
    }
}
