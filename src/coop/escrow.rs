//! The co-op's stock as escrow: a pool per product, and each desk's
//! allocation of it as two totals that only grow (granted, returned).
//!
//! A desk sells only what it holds (granted − returned − what it sold), in
//! its own SQLite store, so it never asks the co-op before a sale and no
//! unit is sold twice however the network behaves. This file is the
//! co-op's half: seeding the pool once, taking a block from it in one
//! statement's transaction (row-locked, never below zero), and giving units
//! back idempotently (the desk says its new `returned` total; a repeat
//! moves nothing).

use super::CoopError;
use tokio_postgres::GenericClient;

/// A product as a station brings it to the co-op: the first station to
/// bring it seeds the pool with `stock`; later ones change nothing.
#[derive(Debug, Clone, PartialEq)]
pub struct SeedProduct {
    pub sku: String,
    pub name: String,
    pub unit: String,
    pub price_fen: i64,
    pub stock: i64,
}

/// What a desk holds of a product by the co-op's account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Allocation {
    pub granted: i64,
    pub returned: i64,
}

/// The answer to a request for a block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grant {
    /// Units taken from the pool by this request (0: the pool is empty).
    pub taken: i64,
    /// The desk's `granted` total after it.
    pub granted: i64,
    /// What is left in the pool.
    pub pool: i64,
}

/// Makes sure the desk has its row (a station may have several desks).
pub async fn register_desk(
    client: &impl GenericClient,
    station: &str,
    desk: &str,
    helper: &str,
) -> Result<(), CoopError> {
    client
        .execute(
            "INSERT INTO stations (station) VALUES ($1) ON CONFLICT (station) DO UPDATE SET last_seen = now()",
            &[&station],
        )
        .await
        .map_err(CoopError::from_db)?;
    client
        .execute(
            "INSERT INTO desks (station, desk, helper) VALUES ($1, $2, $3)
             ON CONFLICT (station, desk) DO UPDATE SET helper = excluded.helper, last_seen = now()",
            &[&station, &desk, &helper],
        )
        .await
        .map_err(CoopError::from_db)?;
    Ok(())
}

/// Seeds the pool with the products not in the co-op yet (the first
/// station to bring a product sets its stock; later ones change nothing).
/// Returns the SKUs this call seeded.
pub async fn seed(
    client: &impl GenericClient,
    station: &str,
    products: &[SeedProduct],
) -> Result<Vec<String>, CoopError> {
    let mut seeded = Vec::new();
    for p in products {
        let inserted = client
            .execute(
                "INSERT INTO products (sku, name, unit, price_fen, pool, seeded_by)
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (sku) DO NOTHING",
                &[
                    &p.sku,
                    &p.name,
                    &p.unit,
                    &p.price_fen,
                    &p.stock.max(0),
                    &station,
                ],
            )
            .await
            .map_err(CoopError::from_db)?;
        if inserted == 1 {
            seeded.push(p.sku.clone());
        }
    }
    Ok(seeded)
}

/// Takes a block of `sku` from the pool for the desk: `share` of what is
/// left, at least `at_least` (a confirm waiting on it) and at least one,
/// never more than the pool. The pool row is locked for the transaction,
/// so desks taking at once queue, and the CHECK keeps it from going
/// negative whatever a caller asks.
pub async fn take_block(
    client: &mut tokio_postgres::Client,
    station: &str,
    desk: &str,
    sku: &str,
    share: f64,
    at_least: i64,
) -> Result<Grant, CoopError> {
    let tx = client.transaction().await.map_err(CoopError::from_db)?;
    let pool: i64 = tx
        .query_opt(
            "SELECT pool FROM products WHERE sku = $1 FOR UPDATE",
            &[&sku],
        )
        .await
        .map_err(CoopError::from_db)?
        .map(|row| row.get(0))
        .ok_or_else(|| CoopError::Refused(format!("the co-op has no product {sku}")))?;
    let wanted = ((pool as f64 * share).ceil() as i64).max(at_least).max(1);
    let taken = wanted.min(pool);
    let granted: i64 = tx
        .query_one(
            "INSERT INTO allocations (station, desk, sku, granted) VALUES ($1, $2, $3, $4)
             ON CONFLICT (station, desk, sku) DO UPDATE SET granted = allocations.granted + excluded.granted
             RETURNING granted",
            &[&station, &desk, &sku, &taken],
        )
        .await
        .map_err(CoopError::from_db)?
        .get(0);
    tx.execute(
        "UPDATE products SET pool = pool - $2 WHERE sku = $1",
        &[&sku, &taken],
    )
    .await
    .map_err(CoopError::from_db)?;
    tx.commit().await.map_err(CoopError::from_db)?;
    Ok(Grant {
        taken,
        granted,
        pool: pool - taken,
    })
}

/// The desk gave units of `sku` back, its `returned` total now `returned`:
/// the pool gets whatever the co-op had not counted yet. Idempotent: the
/// same total again moves nothing, a smaller one (an older message) too.
/// Returns the units this call put back in the pool.
pub async fn give_back(
    client: &mut tokio_postgres::Client,
    station: &str,
    desk: &str,
    sku: &str,
    returned: i64,
) -> Result<i64, CoopError> {
    let tx = client.transaction().await.map_err(CoopError::from_db)?;
    let before: Option<i64> = tx
        .query_opt(
            "SELECT returned FROM allocations WHERE station = $1 AND desk = $2 AND sku = $3 FOR UPDATE",
            &[&station, &desk, &sku],
        )
        .await
        .map_err(CoopError::from_db)?
        .map(|row| row.get(0));
    let Some(before) = before else {
        return Ok(0);
    };
    let back = returned - before;
    if back <= 0 {
        return Ok(0);
    }
    // The CHECK (returned <= granted) refuses a desk giving back more
    // than it was ever given.
    tx.execute(
        "UPDATE allocations SET returned = $4 WHERE station = $1 AND desk = $2 AND sku = $3",
        &[&station, &desk, &sku, &returned],
    )
    .await
    .map_err(CoopError::from_db)?;
    tx.execute(
        "UPDATE products SET pool = pool + $2 WHERE sku = $1",
        &[&sku, &back],
    )
    .await
    .map_err(CoopError::from_db)?;
    tx.commit().await.map_err(CoopError::from_db)?;
    Ok(back)
}

/// The desk's allocations by the co-op's account, by SKU.
pub async fn allocations(
    client: &impl GenericClient,
    station: &str,
    desk: &str,
) -> Result<Vec<(String, Allocation)>, CoopError> {
    let rows = client
        .query(
            "SELECT sku, granted, returned FROM allocations WHERE station = $1 AND desk = $2 ORDER BY sku",
            &[&station, &desk],
        )
        .await
        .map_err(CoopError::from_db)?;
    Ok(rows
        .iter()
        .map(|row| {
            (
                row.get(0),
                Allocation {
                    granted: row.get(1),
                    returned: row.get(2),
                },
            )
        })
        .collect())
}

/// What the pool has of each product, by SKU.
pub async fn pools(client: &impl GenericClient) -> Result<Vec<(String, i64)>, CoopError> {
    let rows = client
        .query("SELECT sku, pool FROM products ORDER BY sku", &[])
        .await
        .map_err(CoopError::from_db)?;
    Ok(rows.iter().map(|row| (row.get(0), row.get(1))).collect())
}
