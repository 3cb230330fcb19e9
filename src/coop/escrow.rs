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
    /// Net units the desk's helpers added (restocks, counts).
    pub added: i64,
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
/// never more than the pool. One statement, so one round trip: the pool
/// row is locked only while the server runs it (desks taking at once
/// queue), never across the network, where a partition could leave it
/// held; and the CHECK keeps the pool from going negative whatever a
/// caller asks. A lost answer is no loss: the grant is in the desk's
/// `granted` total, which the desk reads when it reconnects.
pub async fn take_block(
    client: &mut tokio_postgres::Client,
    station: &str,
    desk: &str,
    sku: &str,
    share: f64,
    at_least: i64,
) -> Result<Grant, CoopError> {
    let row = client
        .query_opt(
            "WITH p AS (SELECT pool FROM products WHERE sku = $1 FOR UPDATE),
                  n AS (SELECT LEAST(p.pool, GREATEST(CEIL(p.pool * $4::float8)::bigint, $5::bigint, 1)) AS taken,
                               p.pool AS pool
                          FROM p),
                  taken AS (UPDATE products SET pool = products.pool - n.taken FROM n
                             WHERE products.sku = $1 RETURNING products.pool AS left_over),
                  granted AS (INSERT INTO allocations (station, desk, sku, granted)
                              SELECT $2, $3, $1, n.taken FROM n
                              ON CONFLICT (station, desk, sku)
                              DO UPDATE SET granted = allocations.granted + excluded.granted
                              RETURNING granted)
             SELECT n.taken, granted.granted, taken.left_over FROM n, granted, taken",
            &[&sku, &station, &desk, &share, &at_least],
        )
        .await
        .map_err(CoopError::from_db)?
        .ok_or_else(|| CoopError::Refused(format!("the co-op has no product {sku}")))?;
    Ok(Grant {
        taken: row.get(0),
        granted: row.get(1),
        pool: row.get(2),
    })
}

/// The desk gave units of `sku` back, its `returned` total now `returned`:
/// the pool gets whatever the co-op had not counted yet. Idempotent: the
/// same total again moves nothing, a smaller one (an older message) too;
/// more than was ever granted is refused by the CHECK. One statement,
/// like [`take_block`]. Returns the units this call put back in the pool.
pub async fn give_back(
    client: &mut tokio_postgres::Client,
    station: &str,
    desk: &str,
    sku: &str,
    returned: i64,
) -> Result<i64, CoopError> {
    let row = client
        .query_opt(
            "WITH a AS (SELECT returned FROM allocations
                         WHERE station = $1 AND desk = $2 AND sku = $3 FOR UPDATE),
                  d AS (SELECT GREATEST($4 - a.returned, 0) AS back FROM a),
                  counted AS (UPDATE allocations SET returned = GREATEST(allocations.returned, $4)
                               WHERE station = $1 AND desk = $2 AND sku = $3 RETURNING 1),
                  pooled AS (UPDATE products SET pool = pool + d.back FROM d
                              WHERE products.sku = $3 AND d.back > 0 RETURNING 1)
             SELECT d.back FROM d",
            &[&station, &desk, &sku, &returned],
        )
        .await
        .map_err(CoopError::from_db)?;
    Ok(row.map_or(0, |r| r.get(0)))
}

/// The desk's helpers added `added` units of `sku` in all (net, since it
/// joined): the co-op counts them as held by the desk, so they can be
/// given back to the pool. A total, so telling it again changes nothing.
pub async fn set_added(
    client: &impl GenericClient,
    station: &str,
    desk: &str,
    sku: &str,
    added: i64,
) -> Result<(), CoopError> {
    client
        .execute(
            "INSERT INTO allocations (station, desk, sku, added) VALUES ($1, $2, $3, $4)
             ON CONFLICT (station, desk, sku) DO UPDATE SET added = excluded.added",
            &[&station, &desk, &sku, &added],
        )
        .await
        .map_err(CoopError::from_db)?;
    Ok(())
}

/// The desk's allocations by the co-op's account, by SKU.
pub async fn allocations(
    client: &impl GenericClient,
    station: &str,
    desk: &str,
) -> Result<Vec<(String, Allocation)>, CoopError> {
    let rows = client
        .query(
            "SELECT sku, granted, returned, added FROM allocations
              WHERE station = $1 AND desk = $2 ORDER BY sku",
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
                    added: row.get(3),
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
