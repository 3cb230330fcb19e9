//! Pushing a desk's outbox to the co-op: its audit rows in order, with the
//! orders they touched as they are now, one transaction a batch. Keyed by
//! (station, desk, local number), so a batch pushed again (after a crash,
//! a lost answer, an outage) inserts nothing and moves nothing back; the
//! desk's `pushed_seq` says where the next push starts. Decisions among
//! the rows are claimed in the station's shared inbox as they go
//! (`inbox::register`): one made while the co-op could not be asked.

use super::CoopError;
use crate::store::OutboxBatch;
use tokio_postgres::GenericClient;

/// Where the desk's next push starts: the last audit row the co-op has.
pub async fn pushed_seq(
    client: &impl GenericClient,
    station: &str,
    desk: &str,
) -> Result<i64, CoopError> {
    Ok(client
        .query_opt(
            "SELECT pushed_seq FROM desks WHERE station = $1 AND desk = $2",
            &[&station, &desk],
        )
        .await
        .map_err(CoopError::from_db)?
        .map_or(0, |row| row.get(0)))
}

/// What one push did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pushed {
    /// Audit rows new to the co-op (0 when the batch had been pushed).
    pub events: u64,
    /// The desk's `pushed_seq` after the push.
    pub seq: i64,
}

fn at(ms: i64) -> std::time::SystemTime {
    std::time::UNIX_EPOCH + std::time::Duration::from_millis(ms.max(0) as u64)
}

/// Pushes `batch` (the desk's rows after its `pushed_seq`, oldest first)
/// in one transaction. The desk must be registered.
pub async fn push(
    client: &mut tokio_postgres::Client,
    station: &str,
    desk: &str,
    batch: &OutboxBatch,
) -> Result<Pushed, CoopError> {
    let tx = client.transaction().await.map_err(CoopError::from_db)?;
    let insert_event = tx
        .prepare(
            "INSERT INTO events (station, desk, seq, at, helper, action, msg_id, idx, order_id,
                                 detail, before_state, after_state)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
             ON CONFLICT (station, desk, seq) DO NOTHING",
        )
        .await
        .map_err(CoopError::from_db)?;
    let upsert_order = tx
        .prepare(
            "INSERT INTO orders (station, desk, order_id, msg_id, user_name, user_id, sku, qty,
                                 price_fen, status, helper, confirmed_at, cancelled_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
             ON CONFLICT (station, desk, order_id) DO UPDATE
                SET qty = excluded.qty, status = excluded.status,
                    cancelled_at = excluded.cancelled_at, price_fen = excluded.price_fen",
        )
        .await
        .map_err(CoopError::from_db)?;
    let mut events = 0;
    for e in &batch.events {
        let idx = e.idx.map(|i| i as i32);
        events += tx
            .execute(
                &insert_event,
                &[
                    &station,
                    &desk,
                    &e.seq,
                    &at(e.at_ms),
                    &e.helper,
                    &e.action,
                    &e.msg_id,
                    &idx,
                    &e.order_id,
                    &e.detail,
                    &e.before,
                    &e.after,
                ],
            )
            .await
            .map_err(CoopError::from_db)?;
    }
    for o in &batch.orders {
        let qty = o.qty as i32;
        tx.execute(
            &upsert_order,
            &[
                &station,
                &desk,
                &o.order_id,
                &o.msg_id,
                &o.user,
                &o.user_id,
                &o.sku,
                &qty,
                &o.price_fen,
                &o.status,
                &o.helper,
                &at(o.confirmed_at_ms),
                &o.cancelled_at_ms.map(at),
            ],
        )
        .await
        .map_err(CoopError::from_db)?;
    }
    super::inbox::register(&tx, station, desk, &batch.decisions).await?;
    let last = batch.last_seq().unwrap_or(0);
    let seq: i64 = tx
        .query_one(
            "UPDATE desks SET pushed_seq = GREATEST(pushed_seq, $3), last_seen = now()
              WHERE station = $1 AND desk = $2 RETURNING pushed_seq",
            &[&station, &desk, &last],
        )
        .await
        .map_err(CoopError::from_db)?
        .get(0);
    tx.commit().await.map_err(CoopError::from_db)?;
    Ok(Pushed { events, seq })
}
