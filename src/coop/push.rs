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
    // One statement for the rows and one for the orders (a push at 1,000
    // confirms a second carries hundreds): each column goes as an array.
    let e = &batch.events;
    let seqs: Vec<i64> = e.iter().map(|e| e.seq).collect();
    let ats: Vec<std::time::SystemTime> = e.iter().map(|e| at(e.at_ms)).collect();
    let helpers: Vec<&str> = e.iter().map(|e| e.helper.as_str()).collect();
    let actions: Vec<&str> = e.iter().map(|e| e.action.as_str()).collect();
    let msg_ids: Vec<Option<&str>> = e.iter().map(|e| e.msg_id.as_deref()).collect();
    let idxs: Vec<Option<i32>> = e.iter().map(|e| e.idx.map(|i| i as i32)).collect();
    let order_ids: Vec<Option<i64>> = e.iter().map(|e| e.order_id).collect();
    let details: Vec<Option<&str>> = e.iter().map(|e| e.detail.as_deref()).collect();
    let befores: Vec<Option<&str>> = e.iter().map(|e| e.before.as_deref()).collect();
    let afters: Vec<Option<&str>> = e.iter().map(|e| e.after.as_deref()).collect();
    let events = tx
        .execute(
            "INSERT INTO events (station, desk, seq, at, helper, action, msg_id, idx, order_id,
                                 detail, before_state, after_state)
             SELECT $1, $2, t.* FROM unnest($3::int8[], $4::timestamptz[], $5::text[], $6::text[],
                                            $7::text[], $8::int4[], $9::int8[], $10::text[],
                                            $11::text[], $12::text[]) AS t
             ON CONFLICT (station, desk, seq) DO NOTHING",
            &[
                &station, &desk, &seqs, &ats, &helpers, &actions, &msg_ids, &idxs, &order_ids,
                &details, &befores, &afters,
            ],
        )
        .await
        .map_err(CoopError::from_db)?;
    let o = &batch.orders;
    if !o.is_empty() {
        let order_ids: Vec<i64> = o.iter().map(|o| o.order_id).collect();
        let msg_ids: Vec<&str> = o.iter().map(|o| o.msg_id.as_str()).collect();
        let users: Vec<&str> = o.iter().map(|o| o.user.as_str()).collect();
        let user_ids: Vec<Option<&str>> = o.iter().map(|o| o.user_id.as_deref()).collect();
        let skus: Vec<&str> = o.iter().map(|o| o.sku.as_str()).collect();
        let qtys: Vec<i32> = o.iter().map(|o| o.qty as i32).collect();
        let prices: Vec<i64> = o.iter().map(|o| o.price_fen).collect();
        let statuses: Vec<&str> = o.iter().map(|o| o.status.as_str()).collect();
        let helpers: Vec<&str> = o.iter().map(|o| o.helper.as_str()).collect();
        let confirmed: Vec<std::time::SystemTime> =
            o.iter().map(|o| at(o.confirmed_at_ms)).collect();
        let cancelled: Vec<Option<std::time::SystemTime>> =
            o.iter().map(|o| o.cancelled_at_ms.map(at)).collect();
        // The batch names each order once (the outbox dedups them), as an
        // upsert of several rows in one statement needs.
        tx.execute(
            "INSERT INTO orders (station, desk, order_id, msg_id, user_name, user_id, sku, qty,
                                 price_fen, status, helper, confirmed_at, cancelled_at)
             SELECT $1, $2, t.* FROM unnest($3::int8[], $4::text[], $5::text[], $6::text[],
                                            $7::text[], $8::int4[], $9::int8[], $10::text[],
                                            $11::text[], $12::timestamptz[],
                                            $13::timestamptz[]) AS t
             ON CONFLICT (station, desk, order_id) DO UPDATE
                SET qty = excluded.qty, status = excluded.status,
                    cancelled_at = excluded.cancelled_at, price_fen = excluded.price_fen",
            &[
                &station, &desk, &order_ids, &msg_ids, &users, &user_ids, &skus, &qtys, &prices,
                &statuses, &helpers, &confirmed, &cancelled,
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
