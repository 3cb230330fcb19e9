//! The station's half of the co-op (`crate::coop` is the co-op's): this
//! database's desk name, its outbox (the audit trail, read in order with
//! the orders it touched), and its ledger of the co-op's stock: what it
//! was granted and gave back per product, moved with `products.stock` in
//! one transaction and audited like every other stock move.
//!
//! A product joins the co-op once: its stock here goes to the pool (the
//! co-op seeded it, or another station did) and from then on this desk
//! sells only what it was granted.

use super::schema::{map_err, write_tx};
use super::worker::{log_event, Audit};
use super::StoreError;
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::json;

/// Audit rows and the orders they touched, oldest first: what the co-op
/// has not been told yet.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OutboxBatch {
    pub events: Vec<OutboxEvent>,
    /// Each order a row of `events` names, as it is now (later rows may
    /// have changed it since: the co-op keeps the latest).
    pub orders: Vec<OutboxOrder>,
    /// The helpers' decisions among `events`, for the station's shared
    /// inbox (one decided while the co-op could not be claimed from is
    /// claimed when it is pushed).
    pub decisions: Vec<OutboxDecision>,
}

/// A helper's decision on an intent, with what another laptop needs to
/// keep it decided.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxDecision {
    pub msg_id: String,
    pub idx: i64,
    pub helper: String,
    /// Confirmed (else rejected).
    pub confirmed: bool,
    pub user: String,
    pub kind: String,
    pub sku: Option<String>,
    pub qty: Option<i64>,
    pub at_ms: i64,
}

impl OutboxBatch {
    /// The last row's number (the co-op's `pushed_seq` after this batch).
    pub fn last_seq(&self) -> Option<i64> {
        self.events.last().map(|e| e.seq)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct OutboxEvent {
    pub seq: i64,
    pub at_ms: i64,
    pub helper: String,
    pub action: String,
    pub msg_id: Option<String>,
    pub idx: Option<i64>,
    pub order_id: Option<i64>,
    pub detail: Option<String>,
    pub before: Option<String>,
    pub after: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OutboxOrder {
    pub order_id: i64,
    pub msg_id: String,
    pub user: String,
    pub user_id: Option<String>,
    pub sku: String,
    pub qty: i64,
    pub price_fen: i64,
    /// `confirmed` or `cancelled`.
    pub status: String,
    pub helper: String,
    pub confirmed_at_ms: i64,
    pub cancelled_at_ms: Option<i64>,
}

/// One product's stock by this desk's account of the co-op.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerRow {
    pub sku: String,
    /// Units on hand here (what confirms sell from).
    pub stock: i64,
    /// Joined the co-op: the stock is the desk's allocation.
    pub joined: bool,
    /// Totals from the co-op, as applied here.
    pub granted: i64,
    pub returned: i64,
    /// The stock it had when it joined (the pool's seed, if first).
    pub seed: i64,
    /// Net stock helpers added here since it joined (restocks, counts):
    /// the desk's own contribution, a total told to the co-op.
    pub added: i64,
}

/// This database's desk name, made once (random, so two laptops of one
/// station never share one).
pub(super) fn desk(conn: &mut Connection) -> Result<String, StoreError> {
    let known: Option<String> = conn
        .query_row("SELECT value FROM shop_state WHERE key = 'desk'", [], |r| {
            r.get(0)
        })
        .optional()
        .map_err(map_err)?;
    if let Some(desk) = known {
        return Ok(desk);
    }
    let made = format!("{:016x}", rand::random::<u64>());
    let tx = write_tx(conn)?;
    // A concurrent helper's screen may have made one first: theirs stays.
    tx.execute(
        "INSERT INTO shop_state (key, value, at) VALUES ('desk', ?1, ?2) ON CONFLICT (key) DO NOTHING",
        params![made, crate::clock::now_ms()],
    )
    .map_err(map_err)?;
    let desk: String = tx
        .query_row("SELECT value FROM shop_state WHERE key = 'desk'", [], |r| {
            r.get(0)
        })
        .map_err(map_err)?;
    tx.commit().map_err(map_err)?;
    Ok(desk)
}

/// Audit rows after `after`, at most `limit`, with the orders they name.
pub(super) fn outbox(
    conn: &Connection,
    after: i64,
    limit: usize,
) -> Result<OutboxBatch, StoreError> {
    let mut statement = conn
        .prepare_cached(
            "SELECT event_id, at, helper, action, msg_id, idx, order_id, detail, before_state, after_state
               FROM events WHERE event_id > ?1 ORDER BY event_id LIMIT ?2",
        )
        .map_err(map_err)?;
    let events = statement
        .query_map(params![after, limit as i64], |row| {
            Ok(OutboxEvent {
                seq: row.get(0)?,
                at_ms: row.get(1)?,
                helper: row.get(2)?,
                action: row.get(3)?,
                msg_id: row.get(4)?,
                idx: row.get(5)?,
                order_id: row.get(6)?,
                detail: row.get(7)?,
                before: row.get(8)?,
                after: row.get(9)?,
            })
        })
        .map_err(map_err)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(map_err)?;
    let mut ids: Vec<i64> = events.iter().filter_map(|e| e.order_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut orders = Vec::with_capacity(ids.len());
    let mut select = conn
        .prepare_cached(
            "SELECT order_id, msg_id, user, user_id, sku, qty, unit_price_fen, status, helper,
                    confirmed_at, cancelled_at
               FROM orders WHERE order_id = ?1",
        )
        .map_err(map_err)?;
    for id in ids {
        let order = select
            .query_row([id], |row| {
                Ok(OutboxOrder {
                    order_id: row.get(0)?,
                    msg_id: row.get(1)?,
                    user: row.get(2)?,
                    user_id: row.get(3)?,
                    sku: row.get(4)?,
                    qty: row.get(5)?,
                    price_fen: row.get(6)?,
                    status: row.get(7)?,
                    helper: row.get(8)?,
                    confirmed_at_ms: row.get(9)?,
                    cancelled_at_ms: row.get(10)?,
                })
            })
            .optional()
            .map_err(map_err)?;
        orders.extend(order);
    }
    let mut decisions = Vec::new();
    let mut intent = conn
        .prepare_cached("SELECT user, kind, sku, qty FROM intents WHERE msg_id = ?1 AND idx = ?2")
        .map_err(map_err)?;
    for e in &events {
        let (Some(msg_id), Some(idx)) = (&e.msg_id, e.idx) else {
            continue;
        };
        let confirmed = match e.action.as_str() {
            "created" | "cancelled" | "changed" => true,
            "rejected" => false,
            _ => continue,
        };
        let found = intent
            .query_row(params![msg_id, idx], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
            })
            .optional()
            .map_err(map_err)?;
        if let Some((user, kind, sku, qty)) = found {
            decisions.push(OutboxDecision {
                msg_id: msg_id.clone(),
                idx,
                helper: e.helper.clone(),
                confirmed,
                user,
                kind,
                sku,
                qty,
                at_ms: e.at_ms,
            });
        }
    }
    Ok(OutboxBatch {
        events,
        orders,
        decisions,
    })
}

/// How many audit rows come after `after` (the co-op's lag, in rows).
pub(super) fn backlog(conn: &Connection, after: i64) -> Result<i64, StoreError> {
    conn.query_row(
        "SELECT count(*) FROM events WHERE event_id > ?1",
        [after],
        |r| r.get(0),
    )
    .map_err(map_err)
}

/// Every product with its ledger, and the product on air.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ledger {
    pub rows: Vec<LedgerRow>,
    /// The SKU the screens put on air (`None` before any).
    pub on_air: Option<String>,
}

impl Ledger {
    pub fn row(&self, sku: &str) -> Option<&LedgerRow> {
        self.rows.iter().find(|row| row.sku == sku)
    }
}

pub(super) fn ledger(conn: &Connection) -> Result<Ledger, StoreError> {
    Ok(Ledger {
        rows: ledger_rows(conn)?,
        on_air: super::book::on_air(conn)?,
    })
}

/// Every product with its ledger (`joined` false for a product that has
/// not joined the co-op).
fn ledger_rows(conn: &Connection) -> Result<Vec<LedgerRow>, StoreError> {
    let mut statement = conn
        .prepare_cached(
            "SELECT p.sku, p.stock, c.sku IS NOT NULL, COALESCE(c.granted, 0), COALESCE(c.returned, 0),
                    COALESCE(c.seed, 0), COALESCE(c.added, 0)
               FROM products p LEFT JOIN coop_stock c ON c.sku = p.sku
              WHERE p.active = 1 ORDER BY p.position",
        )
        .map_err(map_err)?;
    let rows = statement
        .query_map([], |row| {
            Ok(LedgerRow {
                sku: row.get(0)?,
                stock: row.get(1)?,
                joined: row.get(2)?,
                granted: row.get(3)?,
                returned: row.get(4)?,
                seed: row.get(5)?,
                added: row.get(6)?,
            })
        })
        .map_err(map_err)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(map_err)?;
    Ok(rows)
}

/// Joins `skus` to the co-op (those not joined yet): their stock here goes
/// to the pool, so it is set to 0, audited as `coop_joined`, and kept as
/// the pool's seed should this station be the first to bring it. A station
/// with `[coop]` joins before it sells anything, even before it has
/// reached the co-op: stock it sold alone would be sold again from the
/// pool. Answers the SKUs joined now with the stock they had.
pub(super) fn join(
    conn: &mut Connection,
    skus: &[String],
    helper: &str,
    now: i64,
) -> Result<Vec<(String, i64)>, StoreError> {
    let tx = write_tx(conn)?;
    let mut joined = Vec::new();
    for sku in skus {
        let stock: Option<i64> = tx
            .query_row(
                "SELECT p.stock FROM products p
                  WHERE p.sku = ?1 AND NOT EXISTS (SELECT 1 FROM coop_stock c WHERE c.sku = p.sku)",
                [sku],
                |r| r.get(0),
            )
            .optional()
            .map_err(map_err)?;
        let Some(stock) = stock else { continue };
        tx.execute(
            "INSERT INTO coop_stock (sku, joined_at, seed) VALUES (?1, ?2, ?3)",
            params![sku, now, stock],
        )
        .map_err(map_err)?;
        tx.execute("UPDATE products SET stock = 0 WHERE sku = ?1", [sku])
            .map_err(map_err)?;
        log_event(
            &tx,
            Audit::new(now, helper, "coop_joined")
                .detail(format!("{sku} {stock} -> 0 (to the co-op's pool)"))
                .change(
                    json!({"sku": sku, "stock": stock}),
                    json!({"sku": sku, "stock": 0}),
                ),
        )?;
        joined.push((sku.clone(), stock));
    }
    tx.commit().map_err(map_err)?;
    Ok(joined)
}

/// The co-op granted this desk `granted` units of `sku` in all: what this
/// desk had not counted yet goes onto its stock (audited `coop_granted`).
/// A total already applied, or an older one, changes nothing. Answers the
/// units added.
pub(super) fn grant(
    conn: &mut Connection,
    sku: &str,
    granted: i64,
    helper: &str,
    now: i64,
) -> Result<i64, StoreError> {
    let tx = write_tx(conn)?;
    let known: Option<i64> = tx
        .query_row(
            "SELECT granted FROM coop_stock WHERE sku = ?1",
            [sku],
            |r| r.get(0),
        )
        .optional()
        .map_err(map_err)?;
    let Some(known) = known else {
        return Err(StoreError::Sqlite(format!(
            "{sku} has not joined the co-op"
        )));
    };
    let added = granted - known;
    if added <= 0 {
        return Ok(0);
    }
    let stock: i64 = tx
        .query_row(
            "UPDATE products SET stock = stock + ?2 WHERE sku = ?1 RETURNING stock",
            params![sku, added],
            |r| r.get(0),
        )
        .map_err(map_err)?;
    tx.execute(
        "UPDATE coop_stock SET granted = ?2 WHERE sku = ?1",
        params![sku, granted],
    )
    .map_err(map_err)?;
    log_event(
        &tx,
        Audit::new(now, helper, "coop_granted")
            .detail(format!("{sku} +{added} from the co-op's pool"))
            .change(
                json!({"sku": sku, "stock": stock - added, "granted": known}),
                json!({"sku": sku, "stock": stock, "granted": granted}),
            ),
    )?;
    tx.commit().map_err(map_err)?;
    Ok(added)
}

/// Gives back what this desk holds of `sku` beyond `keep`: its stock goes
/// down and its `returned` total up in one transaction (audited
/// `coop_returned`), before the co-op is told, so the units can never be
/// sold here and there at once. Answers the new `returned` total (tell the
/// co-op that, however often) and the units given back now.
pub(super) fn give_back(
    conn: &mut Connection,
    sku: &str,
    keep: i64,
    helper: &str,
    now: i64,
) -> Result<(i64, i64), StoreError> {
    let tx = write_tx(conn)?;
    let row: Option<(i64, i64)> = tx
        .query_row(
            "SELECT p.stock, c.returned FROM products p JOIN coop_stock c ON c.sku = p.sku WHERE p.sku = ?1",
            [sku],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .map_err(map_err)?;
    let Some((stock, returned)) = row else {
        return Err(StoreError::Sqlite(format!(
            "{sku} has not joined the co-op"
        )));
    };
    let back = (stock - keep.max(0)).max(0);
    if back == 0 {
        return Ok((returned, 0));
    }
    tx.execute(
        "UPDATE products SET stock = stock - ?2 WHERE sku = ?1",
        params![sku, back],
    )
    .map_err(map_err)?;
    tx.execute(
        "UPDATE coop_stock SET returned = returned + ?2 WHERE sku = ?1",
        params![sku, back],
    )
    .map_err(map_err)?;
    log_event(
        &tx,
        Audit::new(now, helper, "coop_returned")
            .detail(format!("{sku} -{back} to the co-op's pool"))
            .change(
                json!({"sku": sku, "stock": stock, "returned": returned}),
                json!({"sku": sku, "stock": stock - back, "returned": returned + back}),
            ),
    )?;
    tx.commit().map_err(map_err)?;
    Ok((returned + back, back))
}

/// A decision another laptop of this station made, as the co-op's shared
/// inbox has it (`crate::coop::inbox`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteDecision {
    /// Its number in the co-op: the desk follows decisions after the last
    /// one it applied.
    pub seq: i64,
    pub key: super::IntentKey,
    pub desk: String,
    pub helper: String,
    /// Confirmed (else rejected).
    pub confirmed: bool,
    pub user: String,
    pub kind: crate::intent::IntentKind,
    pub sku: Option<String>,
    pub qty: Option<u32>,
    pub at_ms: i64,
}

impl RemoteDecision {
    pub fn decision(&self) -> &'static str {
        if self.confirmed {
            "confirmed"
        } else {
            "rejected"
        }
    }
}

/// What applying other laptops' decisions did here.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AppliedDecisions {
    /// Intents now decided elsewhere (undecided here before, or not seen).
    pub applied: Vec<super::IntentKey>,
    /// Intents this desk confirmed too (both decided while the co-op could
    /// not be reached): the helper should look at the buyer's orders.
    pub doubled: Vec<RemoteDecision>,
}

/// The last co-op decision this desk applied (0 before any).
pub(super) fn decisions_seen(conn: &Connection) -> Result<i64, StoreError> {
    conn.query_row(
        "SELECT value FROM shop_state WHERE key = 'coop_decisions_seen'",
        [],
        |r| r.get::<_, String>(0),
    )
    .optional()
    .map_err(map_err)
    .map(|seen| seen.and_then(|s| s.parse().ok()).unwrap_or(0))
}

/// Applies decisions other laptops of this station made, in one
/// transaction with the number of the last one: an intent still undecided
/// here (or not seen yet: a late copy of the message then finds it
/// decided) becomes decided elsewhere, audited, so this database's other
/// screens and the inbox's sync follow it.
pub(super) fn decided_elsewhere(
    conn: &mut Connection,
    rows: &[RemoteDecision],
    followed: bool,
    now: i64,
) -> Result<AppliedDecisions, StoreError> {
    let tx = write_tx(conn)?;
    let mut done = AppliedDecisions::default();
    {
        let mut upsert = tx
            .prepare_cached(
                "INSERT INTO intents (msg_id, idx, user, kind, sku, qty, received_at, status,
                                      decided_at, helper, reason)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?7, ?9, ?10)
                 ON CONFLICT (msg_id, idx) DO UPDATE
                    SET status = excluded.status, decided_at = excluded.decided_at,
                        helper = excluded.helper, reason = excluded.reason
                  WHERE intents.status IN ('pending', 'waitlisted', 'refused')",
            )
            .map_err(map_err)?;
        let mut local = tx
            .prepare_cached("SELECT status FROM intents WHERE msg_id = ?1 AND idx = ?2")
            .map_err(map_err)?;
        for row in rows {
            let status = format!("{}_elsewhere", row.decision());
            let reason = format!("desk {}", row.desk);
            let changed = upsert
                .execute(params![
                    row.key.msg_id,
                    row.key.index,
                    row.user,
                    row.kind.as_str(),
                    row.sku,
                    row.qty,
                    row.at_ms,
                    status,
                    row.helper,
                    reason
                ])
                .map_err(map_err)?;
            if changed > 0 {
                log_event(
                    &tx,
                    Audit::new(now, &row.helper, "decided_elsewhere")
                        .intent(&row.key)
                        .detail(format!("{} on desk {}", row.decision(), row.desk))
                        .change(
                            json!({"intent": "pending"}),
                            json!({"intent": status, "desk": row.desk}),
                        ),
                )?;
                done.applied.push(row.key.clone());
            } else if row.confirmed {
                let here: Option<String> = local
                    .query_row(params![row.key.msg_id, row.key.index], |r| r.get(0))
                    .optional()
                    .map_err(map_err)?;
                if here.as_deref() == Some("confirmed") {
                    done.doubled.push(row.clone());
                }
            }
        }
    }
    if let Some(last) = rows.iter().map(|r| r.seq).max().filter(|_| followed) {
        tx.execute(
            "INSERT INTO shop_state (key, value, at) VALUES ('coop_decisions_seen', ?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value, at = excluded.at
              WHERE CAST(shop_state.value AS INTEGER) < CAST(excluded.value AS INTEGER)",
            params![last.to_string(), now],
        )
        .map_err(map_err)?;
    }
    tx.commit().map_err(map_err)?;
    Ok(done)
}
