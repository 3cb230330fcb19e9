//! The shared inbox of one station's laptops. Every laptop reads the same
//! chat, so every laptop has the same intents; a decision on one is
//! claimed in the co-op before the laptop acts on it, and the first desk
//! to claim it decides it (`decisions`, keyed by station and intent). Each
//! desk follows the others' decisions in order of their number.
//!
//! Numbers are handed out under a lock per station held to the commit, so
//! a station's decisions become visible in the order of their numbers and
//! a follower that has read up to n never misses a smaller one later.

use super::CoopError;
use crate::intent::IntentKind;
use crate::store::{IntentKey, OutboxDecision, RemoteDecision};
use tokio_postgres::GenericClient;

/// A desk's claim on deciding an intent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub key: IntentKey,
    pub helper: String,
    /// Confirming (else rejecting).
    pub confirmed: bool,
    pub user: String,
    pub kind: IntentKind,
    pub sku: Option<String>,
    pub qty: Option<u32>,
}

/// What the co-op said to a claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClaimAnswer {
    /// This desk decides it (claimed now, or it had claimed it before).
    Won,
    /// Another desk of the station decided it first.
    Lost(RemoteDecision),
}

/// The first key of the lock taken per station while its decisions are
/// written ("livestal" is the migration's).
const DECISIONS_LOCK: i32 = 0x6c73_6463; // "lsdc"

/// Takes the station's decisions lock for the rest of the transaction.
async fn lock_station(
    tx: &tokio_postgres::Transaction<'_>,
    station: &str,
) -> Result<(), CoopError> {
    tx.execute(
        "SELECT pg_advisory_xact_lock($1, hashtext($2))",
        &[&DECISIONS_LOCK, &station],
    )
    .await
    .map_err(CoopError::from_db)?;
    Ok(())
}

const DECISION_COLUMNS: &str =
    "seq, msg_id, intent_index, desk, helper, decision, user_name, kind, sku, qty, at";

fn decision_of(row: &tokio_postgres::Row) -> Option<RemoteDecision> {
    let kind = match row.get::<_, &str>(7) {
        "order" => IntentKind::Order,
        "cancel" => IntentKind::Cancel,
        "change" => IntentKind::Change,
        _ => return None,
    };
    let at: std::time::SystemTime = row.get(10);
    Some(RemoteDecision {
        seq: row.get(0),
        key: IntentKey {
            msg_id: row.get(1),
            index: row.get::<_, i32>(2) as u32,
        },
        desk: row.get(3),
        helper: row.get(4),
        confirmed: row.get::<_, &str>(5) == "confirmed",
        user: row.get(6),
        kind,
        sku: row.get(8),
        qty: row.get::<_, Option<i32>>(9).map(|q| q.max(0) as u32),
        at_ms: super::hub::ms(at),
    })
}

/// Claims deciding `claim.key` for the desk: one transaction, answered
/// with who decides it.
pub async fn claim(
    client: &mut tokio_postgres::Client,
    station: &str,
    desk: &str,
    claim: &Claim,
) -> Result<ClaimAnswer, CoopError> {
    let tx = client.transaction().await.map_err(CoopError::from_db)?;
    lock_station(&tx, station).await?;
    let index = claim.key.index as i32;
    let decision = if claim.confirmed {
        "confirmed"
    } else {
        "rejected"
    };
    let qty = claim.qty.map(|q| q.min(i32::MAX as u32) as i32);
    tx.execute(
        "INSERT INTO decisions (station, msg_id, intent_index, desk, helper, decision,
                                user_name, kind, sku, qty)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (station, msg_id, intent_index) DO NOTHING",
        &[
            &station,
            &claim.key.msg_id,
            &index,
            &desk,
            &claim.helper,
            &decision,
            &claim.user,
            &claim.kind.as_str(),
            &claim.sku,
            &qty,
        ],
    )
    .await
    .map_err(CoopError::from_db)?;
    let row = tx
        .query_one(
            &format!(
                "SELECT {DECISION_COLUMNS} FROM decisions
                  WHERE station = $1 AND msg_id = $2 AND intent_index = $3"
            ),
            &[&station, &claim.key.msg_id, &index],
        )
        .await
        .map_err(CoopError::from_db)?;
    tx.commit().await.map_err(CoopError::from_db)?;
    let winner: &str = row.get(3);
    if winner == desk {
        return Ok(ClaimAnswer::Won);
    }
    decision_of(&row)
        .map(ClaimAnswer::Lost)
        .ok_or_else(|| CoopError::Refused("a decision of an unknown kind".into()))
}

/// Decisions of the station's other desks after number `after`, oldest
/// first, at most `limit`.
pub async fn decided_since(
    client: &impl GenericClient,
    station: &str,
    desk: &str,
    after: i64,
    limit: i64,
) -> Result<Vec<RemoteDecision>, CoopError> {
    let rows = client
        .query(
            &format!(
                "SELECT {DECISION_COLUMNS} FROM decisions
                  WHERE station = $1 AND seq > $2 AND desk <> $3
                  ORDER BY seq LIMIT $4"
            ),
            &[&station, &after, &desk, &limit],
        )
        .await
        .map_err(CoopError::from_db)?;
    Ok(rows.iter().filter_map(decision_of).collect())
}

/// Claims, inside a push's transaction, the decisions the desk made while
/// it could not claim them (a decision claimed already stays its
/// claimer's). Answers how many were new.
pub async fn register(
    tx: &tokio_postgres::Transaction<'_>,
    station: &str,
    desk: &str,
    decisions: &[OutboxDecision],
) -> Result<u64, CoopError> {
    if decisions.is_empty() {
        return Ok(0);
    }
    lock_station(tx, station).await?;
    // One statement for the batch (a push at 1,000 confirms a second
    // carries hundreds): the rows go as arrays.
    let msg_ids: Vec<&str> = decisions.iter().map(|d| d.msg_id.as_str()).collect();
    let indexes: Vec<i32> = decisions.iter().map(|d| d.idx as i32).collect();
    let helpers: Vec<&str> = decisions.iter().map(|d| d.helper.as_str()).collect();
    let verdicts: Vec<&str> = decisions
        .iter()
        .map(|d| if d.confirmed { "confirmed" } else { "rejected" })
        .collect();
    let users: Vec<&str> = decisions.iter().map(|d| d.user.as_str()).collect();
    let kinds: Vec<&str> = decisions.iter().map(|d| d.kind.as_str()).collect();
    let skus: Vec<Option<&str>> = decisions.iter().map(|d| d.sku.as_deref()).collect();
    let qtys: Vec<Option<i32>> = decisions
        .iter()
        .map(|d| d.qty.map(|q| q.clamp(0, i32::MAX as i64) as i32))
        .collect();
    let ats: Vec<std::time::SystemTime> = decisions
        .iter()
        .map(|d| std::time::UNIX_EPOCH + std::time::Duration::from_millis(d.at_ms.max(0) as u64))
        .collect();
    tx.execute(
        "INSERT INTO decisions (station, msg_id, intent_index, desk, helper, decision,
                                user_name, kind, sku, qty, at)
         SELECT $1, m, i, $2, h, d, u, k, s, q, a
           FROM unnest($3::text[], $4::int4[], $5::text[], $6::text[], $7::text[], $8::text[],
                       $9::text[], $10::int4[], $11::timestamptz[]) AS t(m, i, h, d, u, k, s, q, a)
         ON CONFLICT (station, msg_id, intent_index) DO NOTHING",
        &[
            &station, &desk, &msg_ids, &indexes, &helpers, &verdicts, &users, &kinds, &skus, &qtys,
            &ats,
        ],
    )
    .await
    .map_err(CoopError::from_db)
}
