//! `livestall orders export`: which orders (a window on when they were
//! confirmed, a state), in which format (CSV, or the workbook of
//! `commands::xlsx`) and where they go. It reads through a `Reader` only.

use crate::store::{write_orders_csv, OrderQuery, OrderRow, Reader};
use anyhow::Context;
use chrono::{DateTime, FixedOffset, Local, NaiveDate, NaiveDateTime, TimeZone};
use std::io::{BufWriter, IsTerminal, Write};
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

/// A moment written on the command line, kept as precise as it was written,
/// because a bare day means the whole day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// A local calendar day.
    Day(NaiveDate),
    /// A local wall-clock time.
    Local(NaiveDateTime),
    /// An instant with its offset (RFC 3339).
    Instant(DateTime<FixedOffset>),
}

const WHEN_FORMS: &str = "a local date (2026-12-06), a local date and time \
     (2026-12-06T20:00 or \"2026-12-06 20:00\", seconds optional) \
     or RFC 3339 (2026-12-06T20:00:00+08:00)";

impl When {
    /// Reads `2026-12-06`, `2026-12-06T20:00`, `2026-12-06 20:00` (seconds
    /// optional) or RFC 3339.
    pub fn parse(text: &str) -> Result<When, String> {
        let text = text.trim();
        if let Ok(instant) = DateTime::parse_from_rfc3339(text) {
            return Ok(When::Instant(instant));
        }
        if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            return Ok(When::Day(day));
        }
        for form in [
            "%Y-%m-%dT%H:%M",
            "%Y-%m-%d %H:%M",
            "%Y-%m-%dT%H:%M:%S",
            "%Y-%m-%d %H:%M:%S",
        ] {
            if let Ok(time) = NaiveDateTime::parse_from_str(text, form) {
                return Ok(When::Local(time));
            }
        }
        Err(format!("{text:?} is not a time; give {WHEN_FORMS}"))
    }

    /// The first millisecond it names (a day: its first moment).
    fn start_ms(&self) -> Result<i64, String> {
        match self {
            When::Day(day) => local_ms(day.and_time(chrono::NaiveTime::MIN)),
            When::Local(time) => local_ms(*time),
            When::Instant(instant) => Ok(instant.timestamp_millis()),
        }
    }

    /// Where a window that runs until it ends: a day runs through its last
    /// moment; a time is where the window stops (until 20:00 is before
    /// 20:00), so that one export's `--until` can be the next one's
    /// `--since` with no order in both.
    fn end_ms(&self) -> Result<i64, String> {
        match self {
            When::Day(day) => match day.succ_opt() {
                Some(next) => When::Day(next).start_ms(),
                None => Ok(i64::MAX),
            },
            other => other.start_ms(),
        }
    }
}

/// A local wall-clock time as Unix ms; a time the clock skipped (a
/// daylight-saving jump) is an error, a time it passed twice the first.
fn local_ms(time: NaiveDateTime) -> Result<i64, String> {
    Local
        .from_local_datetime(&time)
        .earliest()
        .map(|t| t.timestamp_millis())
        .ok_or_else(|| format!("{time} does not exist in local time (the clock skipped it)"))
}

/// The query for `--since`, `--until` and `--status` (both ends on the
/// time an order was confirmed).
pub fn order_query(
    since: Option<When>,
    until: Option<When>,
    status: Option<&str>,
) -> anyhow::Result<OrderQuery> {
    let since_ms = since
        .map(|w| w.start_ms())
        .transpose()
        .map_err(|e| anyhow::anyhow!("--since: {e}"))?;
    let before_ms = until
        .map(|w| w.end_ms())
        .transpose()
        .map_err(|e| anyhow::anyhow!("--until: {e}"))?;
    if let (Some(from), Some(to)) = (since_ms, before_ms) {
        if from >= to {
            anyhow::bail!("--since is not before --until: no order could be in between");
        }
    }
    Ok(OrderQuery {
        buyer: None,
        since_ms,
        before_ms,
        status: status.map(str::to_string),
    })
}

/// Exports the orders `query` picks from `reader` as `format`, to the file
/// `out` or else to stdout. `database` is the file `reader` reads, which
/// `--out` must never overwrite.
pub fn export(
    reader: &Reader,
    database: &Path,
    query: &OrderQuery,
    format: Format,
    out: Option<&Path>,
) -> anyhow::Result<()> {
    if let Some(path) = out {
        refuse_the_database(path, database)?;
    }
    // Piped or redirected, stdout is where the user chose to put the file
    // (`> orders.xlsx`, an ssh pipe); a terminal would only show garbage.
    if format == Format::Xlsx && out.is_none() && std::io::stdout().is_terminal() {
        anyhow::bail!(
            "an xlsx workbook is a binary file and cannot be shown on the terminal; \
             give --out FILE (e.g. --out orders.xlsx) or redirect stdout to a file"
        );
    }
    // Everything is read (and the workbook built) before the output is
    // opened: a failed export leaves no empty or half file behind.
    let rows = reader.orders_matching(query)?;
    let output = match format {
        Format::Csv => Output::Csv(rows),
        Format::Xlsx => Output::Bytes(super::xlsx::orders_workbook(&rows, &reader.products()?)?),
    };
    match out {
        Some(path) => {
            let file = std::fs::File::create(path)
                .with_context(|| format!("cannot write {}", path.display()))?;
            let mut file = BufWriter::new(file);
            output
                .write_to(&mut file)
                .and_then(|()| file.flush())
                .with_context(|| format!("cannot write {}", path.display()))
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            output.write_to(&mut stdout)?;
            stdout.flush()?;
            Ok(())
        }
    }
}

enum Output {
    Csv(Vec<OrderRow>),
    Bytes(Vec<u8>),
}

impl Output {
    fn write_to(&self, out: &mut impl Write) -> std::io::Result<()> {
        match self {
            Output::Csv(rows) => write_orders_csv(rows, out),
            Output::Bytes(bytes) => out.write_all(bytes),
        }
    }
}

fn refuse_the_database(out: &Path, database: &Path) -> anyhow::Result<()> {
    let same = match (std::fs::canonicalize(out), std::fs::canonicalize(database)) {
        (Ok(out), Ok(database)) => out == database,
        _ => false,
    };
    if same {
        anyhow::bail!(
            "--out {} is the database itself; give another file",
            out.display()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn when_reads_days_local_times_and_rfc3339() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 6).unwrap();
        let evening = day.and_hms_opt(20, 0, 0).unwrap();
        assert_eq!(When::parse("2026-12-06"), Ok(When::Day(day)));
        assert_eq!(When::parse("2026-12-06T20:00"), Ok(When::Local(evening)));
        assert_eq!(When::parse(" 2026-12-06 20:00 "), Ok(When::Local(evening)));
        assert_eq!(
            When::parse("2026-12-06 20:00:30"),
            Ok(When::Local(day.and_hms_opt(20, 0, 30).unwrap()))
        );
        let instant = When::parse("2026-12-06T20:00:00+08:00").unwrap();
        assert_eq!(instant.start_ms(), Ok(1_796_558_400_000));
        assert_eq!(instant.end_ms(), instant.start_ms());
        for wrong in [
            "yesterday",
            "2026-13-01",
            "06/12/2026",
            "2026-12-06T25:00",
            "",
        ] {
            let err = When::parse(wrong).unwrap_err();
            assert!(err.contains("local date (2026-12-06)"), "{wrong}: {err}");
        }
    }

    #[test]
    fn a_day_runs_through_its_end() {
        let day = When::parse("2026-12-06").unwrap();
        assert_eq!(
            day.end_ms().unwrap() - day.start_ms().unwrap(),
            24 * 3600 * 1000
        );
        let query = order_query(Some(day), Some(day), Some("confirmed")).unwrap();
        assert_eq!(
            query.before_ms.unwrap() - query.since_ms.unwrap(),
            86_400_000
        );
        assert!(order_query(
            When::parse("2026-12-07").ok(),
            When::parse("2026-12-06").ok(),
            None
        )
        .is_err());
    }
}
