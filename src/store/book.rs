//! The order book's rules that several writes share, run inside the caller's
//! transaction: the waitlist (first come, first served by message arrival),
//! flash sales (a count at a special price for a time window), and the
//! sync that lets several helpers' runs on one database follow each other.

use super::reader::select_inventory;
use super::schema::{map_err, write_tx, Cached};
use super::worker::{clamp_u32, log_event, Audit};
use super::{
    IntentKey, IntentStatus, NewIntent, Sale, SaleRefusal, SaleStart, StoreError, SyncCursor,
    SyncReport,
};
use crate::intent::suggest::Note;
use crate::intent::IntentKind;
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde_json::json;

/// Where an order stands against the line waiting before it.
pub(super) struct Turn {
    /// Waitlisted orders of the product that arrived before it.
    pub ahead: i64,
    /// What is left for it once those are served, first come first served:
    /// each in arrival order takes its units if they fit in what is left;
    /// one too big for what is left keeps its place without blocking the
    /// smaller ones behind it (it is first for the next stock that fits).
    pub room: i64,
}

/// The order's turn on `sku`'s waitlist with `available` units: the
/// waitlisted intents that arrived before `key` (which is left out, so an
/// offered intent does not wait behind itself) are served first.
pub(super) fn turn(
    tx: &Transaction<'_>,
    sku: &str,
    key: &IntentKey,
    received_at: i64,
    available: i64,
) -> Result<Turn, StoreError> {
    let mut stmt = tx
        .prepare_cached(
            "SELECT MAX(COALESCE(qty, 1), 1) FROM intents
              WHERE sku = ?1 AND status = 'waitlisted'
                AND (received_at, msg_id, idx) < (?2, ?3, ?4)
              ORDER BY received_at, msg_id, idx",
        )
        .map_err(map_err)?;
    let units = stmt
        .query_map(params![sku, received_at, key.msg_id, key.index], |row| {
            row.get::<_, i64>(0)
        })
        .map_err(map_err)?;
    let mut turn = Turn {
        ahead: 0,
        room: available,
    };
    for units in units {
        let units = units.map_err(map_err)?;
        turn.ahead += 1;
        if units <= turn.room {
            turn.room -= units;
        }
    }
    Ok(turn)
}

/// The flash sale of `sku` running at `now`, if any.
pub(super) fn running_sale(
    conn: &Connection,
    sku: &str,
    now: i64,
) -> Result<Option<Sale>, StoreError> {
    conn.row_cached(
        "SELECT sale_id, sku, qty, price_fen, starts_at, ends_at, sold FROM sales
          WHERE sku = ?1 AND ended_at IS NULL AND starts_at <= ?2 AND ends_at > ?2
          ORDER BY sale_id DESC LIMIT 1",
        params![sku, now],
        sale_from_row,
    )
    .optional()
    .map_err(map_err)
}

pub(super) fn sale_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Sale> {
    Ok(Sale {
        sale_id: row.get(0)?,
        sku: row.get(1)?,
        qty: row.get(2)?,
        price_fen: row.get(3)?,
        starts_at_ms: row.get(4)?,
        ends_at_ms: row.get(5)?,
        sold: row.get(6)?,
    })
}

/// Moves a sale's count of units sold by `delta` (an order in it created,
/// changed, cancelled or undone). Orders outside a sale pass `None`. The
/// count stays within the sale's size: a change that grows an order past
/// it keeps the order's price and leaves the count full.
pub(super) fn sale_units(
    tx: &Transaction<'_>,
    sale_id: Option<i64>,
    delta: i64,
) -> Result<(), StoreError> {
    if let Some(sale_id) = sale_id {
        tx.exec_cached(
            "UPDATE sales SET sold = MIN(qty, MAX(0, sold + ?2)) WHERE sale_id = ?1",
            params![sale_id, delta],
        )
        .map_err(map_err)?;
    }
    Ok(())
}

/// Starts a flash sale of an active product; one at a time per product.
pub(super) fn start_sale(
    conn: &mut Connection,
    start: &SaleStart,
    now: i64,
) -> Result<Sale, SaleRefusal> {
    if start.qty == 0 || start.minutes == 0 {
        return Err(SaleRefusal::Empty);
    }
    let tx = write_tx(conn)?;
    let known: bool = tx
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM products WHERE sku = ?1 AND active = 1)",
            [&start.sku],
            |row| row.get(0),
        )
        .map_err(map_err)?;
    if !known {
        return Err(SaleRefusal::UnknownProduct(start.sku.clone()));
    }
    if running_sale(&tx, &start.sku, now)?.is_some() {
        return Err(SaleRefusal::AlreadyRunning(start.sku.clone()));
    }
    let ends_at = now.saturating_add(i64::from(start.minutes) * 60_000);
    tx.exec_cached(
        "INSERT INTO sales (sku, qty, price_fen, starts_at, ends_at, helper)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            start.sku,
            start.qty,
            start.price_fen,
            now,
            ends_at,
            start.helper
        ],
    )
    .map_err(map_err)?;
    let sale = Sale {
        sale_id: tx.last_insert_rowid(),
        sku: start.sku.clone(),
        qty: start.qty,
        price_fen: start.price_fen,
        starts_at_ms: now,
        ends_at_ms: ends_at,
        sold: 0,
    };
    log_event(
        &tx,
        Audit::new(now, &start.helper, "sale_started")
            .detail(format!(
                "{} x{} at {} fen for {} min",
                start.sku, start.qty, start.price_fen, start.minutes
            ))
            .change(
                json!({"sale": null}),
                json!({"sale": sale.sale_id, "sku": sale.sku, "qty": sale.qty,
                       "price_fen": sale.price_fen, "ends_at": sale.ends_at_ms}),
            ),
    )?;
    tx.commit().map_err(map_err)?;
    Ok(sale)
}

/// Ends the product's running flash sale now.
pub(super) fn end_sale(
    conn: &mut Connection,
    sku: &str,
    helper: &str,
    now: i64,
) -> Result<Sale, SaleRefusal> {
    let tx = write_tx(conn)?;
    let mut sale =
        running_sale(&tx, sku, now)?.ok_or_else(|| SaleRefusal::NotRunning(sku.to_string()))?;
    tx.exec_cached(
        "UPDATE sales SET ended_at = ?2, ends_at = MIN(ends_at, ?2) WHERE sale_id = ?1",
        params![sale.sale_id, now],
    )
    .map_err(map_err)?;
    sale.ends_at_ms = sale.ends_at_ms.min(now);
    log_event(
        &tx,
        Audit::new(now, helper, "sale_ended")
            .detail(format!("{} sold {} of {}", sku, sale.sold, sale.qty))
            .change(
                json!({"sale": sale.sale_id, "running": true}),
                json!({"sale": sale.sale_id, "running": false, "sold": sale.sold}),
            ),
    )?;
    tx.commit().map_err(map_err)?;
    Ok(sale)
}

/// Intents one sync hands over at most; the rest come with the next one.
const SYNC_BATCH: i64 = 5_000;

/// What changed since `after`: every intent recorded since (by any run on
/// this database) or named by an audit event since, with its status now,
/// and the stock when anything happened. Reads only; cheap when nothing
/// changed (two index look-ups).
pub(super) fn sync(conn: &Connection, after: Option<SyncCursor>) -> Result<SyncReport, StoreError> {
    let now: SyncCursor = conn
        .query_row(
            "SELECT (SELECT COALESCE(MAX(event_id), 0) FROM events),
                    (SELECT COALESCE(MAX(rowid), 0) FROM intents)",
            [],
            |row| {
                Ok(SyncCursor {
                    event_id: row.get(0)?,
                    intent_rowid: row.get(1)?,
                })
            },
        )
        .map_err(map_err)?;
    let Some(after) = after else {
        return Ok(SyncReport {
            cursor: now,
            ..SyncReport::default()
        });
    };
    if now == after {
        return Ok(SyncReport {
            cursor: now,
            ..SyncReport::default()
        });
    }
    // New intent rows in batches; decisions (events) all at once, since an
    // intent named by an event is read as it is now, whatever came between.
    let rowid_until = now.intent_rowid.min(after.intent_rowid + SYNC_BATCH);
    let sql = format!(
        "SELECT {INTENT_COLUMNS} FROM intents
          WHERE (rowid > ?1 AND rowid <= ?2)
             OR (msg_id, idx) IN (SELECT msg_id, idx FROM events
                                   WHERE event_id > ?3 AND msg_id IS NOT NULL)
          ORDER BY received_at, msg_id, idx"
    );
    let mut stmt = conn.prepare_cached(&sql).map_err(map_err)?;
    let rows = stmt
        .query_map(
            params![after.intent_rowid, rowid_until, after.event_id],
            intent_row,
        )
        .map_err(map_err)?;
    let mut intents = Vec::new();
    for row in rows {
        intents.extend(row.map_err(map_err)?);
    }
    Ok(SyncReport {
        cursor: SyncCursor {
            event_id: now.event_id,
            intent_rowid: rowid_until,
        },
        intents,
        inventory: Some(select_inventory(conn)?),
        on_air: on_air(conn)?,
        queue: queue(conn)?,
        undecided: Some(undecided(conn)?),
    })
}

/// Undecided (pending or waitlisted) intents: a range of the
/// `intents_pending` index each.
pub(super) fn undecided(conn: &Connection) -> Result<u64, StoreError> {
    conn.prepare_cached(
        "SELECT (SELECT COUNT(*) FROM intents WHERE status = 'pending')
              + (SELECT COUNT(*) FROM intents WHERE status = 'waitlisted')",
    )
    .and_then(|mut stmt| stmt.query_row([], |row| row.get::<_, i64>(0)))
    .map(|n| u64::try_from(n).unwrap_or(0))
    .map_err(map_err)
}

/// The oldest `limit` undecided intents in arrival order, and how many
/// there are in all. Each status is read in index order and limited on its
/// own, so a backlog of a hundred thousand costs `limit` rows, not a sort.
pub(super) fn pending_page(
    conn: &Connection,
    limit: usize,
) -> Result<super::PendingPage, StoreError> {
    let sql = format!(
        "SELECT * FROM (
             SELECT * FROM (SELECT {INTENT_COLUMNS} FROM intents WHERE status = 'pending'
                             ORDER BY received_at LIMIT ?1)
             UNION ALL
             SELECT * FROM (SELECT {INTENT_COLUMNS} FROM intents WHERE status = 'waitlisted'
                             ORDER BY received_at LIMIT ?1))
          ORDER BY received_at, msg_id, idx LIMIT ?1"
    );
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let mut stmt = conn.prepare_cached(&sql).map_err(map_err)?;
    let mut rows = Vec::new();
    for row in stmt.query_map([limit], intent_row).map_err(map_err)? {
        if let Some((intent, status)) = row.map_err(map_err)? {
            rows.push(super::PendingIntent {
                intent,
                waitlisted: status == IntentStatus::Waitlisted,
            });
        }
    }
    Ok(super::PendingPage {
        rows,
        undecided: undecided(conn)?,
    })
}

/// The columns `intent_row` reads, in its order.
pub(super) const INTENT_COLUMNS: &str =
    "msg_id, idx, user, user_id, text, kind, sku, qty, confidence, received_at, status, source, note";

/// One intent row read through `INTENT_COLUMNS`; `None` (and a warning) for
/// a kind or status this build does not know.
pub(super) fn intent_row(
    row: &rusqlite::Row<'_>,
) -> rusqlite::Result<Option<(NewIntent, IntentStatus)>> {
    let key = IntentKey {
        msg_id: row.get(0)?,
        index: row.get(1)?,
    };
    let kind: String = row.get(5)?;
    let status: String = row.get(10)?;
    let (Some(kind), Some(status)) = (parse_kind(&kind), IntentStatus::parse(&status)) else {
        tracing::warn!(
            "skipping intent {}#{} of unknown kind {kind} or status {status}",
            key.msg_id,
            key.index
        );
        return Ok(None);
    };
    let qty: Option<i64> = row.get(7)?;
    Ok(Some((
        NewIntent {
            key,
            source: row.get(11)?,
            user: row.get(2)?,
            user_id: row.get(3)?,
            text: row.get(4)?,
            kind,
            sku: row.get(6)?,
            qty: qty.map(clamp_u32),
            confidence: row.get::<_, f64>(8)? as f32,
            received_at_ms: row.get(9)?,
            // A note this build does not know is no note.
            note: row
                .get::<_, Option<String>>(12)?
                .as_deref()
                .and_then(Note::from_name),
        },
        status,
    )))
}

fn parse_kind(kind: &str) -> Option<IntentKind> {
    match kind {
        "order" => Some(IntentKind::Order),
        "cancel" => Some(IntentKind::Cancel),
        "change" => Some(IntentKind::Change),
        _ => None,
    }
}

/// The product on air as the database keeps it (`None` before any run set it).
pub(crate) fn on_air(conn: &Connection) -> Result<Option<String>, StoreError> {
    conn.row_cached(
        "SELECT value FROM shop_state WHERE key = 'on_air'",
        [],
        |row| row.get(0),
    )
    .optional()
    .map_err(map_err)
}

/// Keeps the product on air, with the change in the audit trail (only a
/// change: a run putting the same product on air again writes nothing).
pub(super) fn set_on_air(
    conn: &mut Connection,
    sku: &str,
    helper: &str,
    now: i64,
) -> Result<(), StoreError> {
    let before = on_air(conn)?;
    if before.as_deref() == Some(sku) {
        return Ok(());
    }
    put_state(
        conn,
        "on_air",
        sku,
        Audit::new(now, helper, "on_air")
            .detail(sku.to_string())
            .change(json!({"on_air": before}), json!({"on_air": sku})),
    )
}

/// Writes one `shop_state` value and its audit event in one transaction
/// (the event is also what other helpers' syncs notice).
fn put_state(
    conn: &mut Connection,
    key: &str,
    value: &str,
    audit: Audit<'_>,
) -> Result<(), StoreError> {
    let tx = write_tx(conn)?;
    tx.exec_cached(
        "INSERT INTO shop_state (key, value, at) VALUES (?1, ?2, ?3)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, at = excluded.at",
        params![key, value, audit.at()],
    )
    .map_err(map_err)?;
    log_event(&tx, audit)?;
    tx.commit().map_err(map_err)
}

/// The order of selling as the database keeps it: SKUs, first to sell
/// first (`None` before any helper moved a product). A value this build
/// cannot read counts as never set: the catalog's order is a safe default.
pub(crate) fn queue(conn: &Connection) -> Result<Option<Vec<String>>, StoreError> {
    let stored: Option<String> = conn
        .row_cached(
            "SELECT value FROM shop_state WHERE key = 'queue'",
            [],
            |row| row.get(0),
        )
        .optional()
        .map_err(map_err)?;
    Ok(stored.and_then(|text| match serde_json::from_str(&text) {
        Ok(skus) => Some(skus),
        Err(error) => {
            tracing::warn!(%error, "the stored product queue is unreadable; using the catalog's order");
            None
        }
    }))
}

/// Keeps the order of selling (a JSON list of SKUs), with the change in the
/// audit trail; the audit event is also what lets other helpers' syncs see
/// it. Writing the same order again writes nothing.
pub(super) fn set_queue(
    conn: &mut Connection,
    skus: &[String],
    helper: &str,
    now: i64,
) -> Result<(), StoreError> {
    let before = queue(conn)?;
    if before.as_deref() == Some(skus) {
        return Ok(());
    }
    put_state(
        conn,
        "queue",
        &json!(skus).to_string(),
        Audit::new(now, helper, "queue")
            .detail(skus.join(" "))
            .change(json!({"queue": before}), json!({"queue": skus})),
    )
}

/// Orders shown in the recent-orders line at most.
const RECENT: i64 = 50;

/// Where the last run left off: the product on air, the order of selling
/// and the latest orders.
pub(super) fn resume(conn: &Connection) -> Result<super::Resume, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT order_id, user, sku, qty, unit_price_fen, status = 'cancelled'
               FROM orders ORDER BY order_id DESC LIMIT ?1",
        )
        .map_err(map_err)?;
    let rows = stmt
        .query_map([RECENT], |row| {
            Ok(super::RecentRow {
                order_id: row.get(0)?,
                user: row.get(1)?,
                sku: row.get(2)?,
                qty: row.get(3)?,
                unit_price_fen: row.get(4)?,
                cancelled: row.get(5)?,
            })
        })
        .map_err(map_err)?;
    let mut recent: Vec<super::RecentRow> = rows.collect::<Result<_, _>>().map_err(map_err)?;
    recent.reverse();
    Ok(super::Resume {
        on_air: on_air(conn)?,
        queue: queue(conn)?,
        recent,
        open_orders: open_orders(conn, crate::clock::now_ms() - OPEN_FOR_MS)?,
    })
}

/// How far back an order counts as open in this stream for reading a
/// buyer's "不要了": a day's streams, not last week's.
const OPEN_FOR_MS: i64 = 12 * 60 * 60 * 1000;

/// Confirmed orders since `since_ms`, oldest first.
fn open_orders(conn: &Connection, since_ms: i64) -> Result<Vec<super::OpenOrderRow>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT order_id, buyer, sku, qty, confirmed_at FROM orders
              WHERE status = 'confirmed' AND confirmed_at >= ?1 ORDER BY order_id",
        )
        .map_err(map_err)?;
    let rows = stmt
        .query_map([since_ms], |row| {
            Ok(super::OpenOrderRow {
                order_id: row.get(0)?,
                buyer: row.get(1)?,
                sku: row.get(2)?,
                qty: row.get(3)?,
                confirmed_at_ms: row.get(4)?,
            })
        })
        .map_err(map_err)?;
    rows.collect::<Result<_, _>>().map_err(map_err)
}
