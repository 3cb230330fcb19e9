//! What the county's hub reads from the co-op database: every station's
//! orders, the shared stock (pool, each station's allocation and sales),
//! and the stations with their desks (when last seen, how far behind).

use super::CoopError;
use tokio_postgres::GenericClient;

/// One order of any station.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct HubOrder {
    pub station: String,
    pub desk: String,
    pub order_id: i64,
    pub msg_id: String,
    pub user: String,
    pub sku: String,
    pub qty: i32,
    pub price_fen: i64,
    pub status: String,
    pub helper: String,
    /// Unix ms.
    pub confirmed_at_ms: i64,
}

/// One product's shared stock.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct HubStock {
    pub sku: String,
    pub name: String,
    /// Not yet handed to any station.
    pub pool: i64,
    /// Confirmed units across stations (as pushed).
    pub sold: i64,
    pub stations: Vec<StationStock>,
}

/// A station's share of one product.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StationStock {
    pub station: String,
    /// Granted minus returned, over its desks.
    pub allocated: i64,
    pub sold: i64,
}

pub(super) fn ms(at: std::time::SystemTime) -> i64 {
    at.duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// The columns an order is read with, in `order_of`'s order.
const ORDER_COLUMNS: &str =
    "station, desk, order_id, msg_id, user_name, sku, qty, price_fen, status, helper, confirmed_at";

fn order_of(r: &tokio_postgres::Row) -> HubOrder {
    HubOrder {
        station: r.get(0),
        desk: r.get(1),
        order_id: r.get(2),
        msg_id: r.get(3),
        user: r.get(4),
        sku: r.get(5),
        qty: r.get(6),
        price_fen: r.get(7),
        status: r.get(8),
        helper: r.get(9),
        confirmed_at_ms: ms(r.get(10)),
    }
}

/// Every station's orders, oldest first.
pub async fn orders(client: &impl GenericClient) -> Result<Vec<HubOrder>, CoopError> {
    let rows = client
        .query(
            &format!(
                "SELECT {ORDER_COLUMNS} FROM orders ORDER BY confirmed_at, station, desk, order_id"
            ),
            &[],
        )
        .await
        .map_err(CoopError::from_db)?;
    Ok(rows.iter().map(order_of).collect())
}

/// The shared stock of every product, with each station's part.
pub async fn stock(client: &impl GenericClient) -> Result<Vec<HubStock>, CoopError> {
    let products = client
        .query("SELECT sku, name, pool FROM products ORDER BY sku", &[])
        .await
        .map_err(CoopError::from_db)?;
    let parts = client
        .query(
            "SELECT a.sku, a.station, sum(a.granted + a.added - a.returned)::bigint,
                    COALESCE((SELECT sum(o.qty) FROM orders o
                               WHERE o.sku = a.sku AND o.station = a.station
                                 AND o.status = 'confirmed'), 0)::bigint
               FROM allocations a GROUP BY a.sku, a.station ORDER BY a.sku, a.station",
            &[],
        )
        .await
        .map_err(CoopError::from_db)?;
    Ok(products
        .iter()
        .map(|p| {
            let sku: String = p.get(0);
            let stations: Vec<StationStock> = parts
                .iter()
                .filter(|r| r.get::<_, String>(0) == sku)
                .map(|r| StationStock {
                    station: r.get(1),
                    allocated: r.get(2),
                    sold: r.get(3),
                })
                .collect();
            HubStock {
                name: p.get(1),
                pool: p.get(2),
                sold: stations.iter().map(|s| s.sold).sum(),
                stations,
                sku,
            }
        })
        .collect())
}

/// One station as the hub shows it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct HubStation {
    pub station: String,
    /// The SKU its screens have on air.
    pub on_air: Option<String>,
    /// When its link last looked in (Unix ms).
    pub last_seen_ms: i64,
    pub desks: i64,
    /// Audit rows its desks had not pushed yet when they last looked in.
    pub waiting: i64,
    /// Confirmed orders, units and money, as pushed.
    pub orders: i64,
    pub units: i64,
    pub revenue_fen: i64,
}

/// Every station, busiest first.
pub async fn stations(client: &impl GenericClient) -> Result<Vec<HubStation>, CoopError> {
    let rows = client
        .query(
            "SELECT s.station, s.on_air, s.last_seen,
                    (SELECT count(*) FROM desks d WHERE d.station = s.station),
                    (SELECT COALESCE(sum(d.waiting), 0)::bigint FROM desks d
                      WHERE d.station = s.station),
                    COALESCE(o.orders, 0), COALESCE(o.units, 0), COALESCE(o.revenue, 0)
               FROM stations s
               LEFT JOIN (SELECT station, count(*) AS orders, sum(qty)::bigint AS units,
                                 sum(qty * price_fen)::bigint AS revenue
                            FROM orders WHERE status = 'confirmed' GROUP BY station) o
                      ON o.station = s.station
              ORDER BY COALESCE(o.units, 0) DESC, s.station",
            &[],
        )
        .await
        .map_err(CoopError::from_db)?;
    Ok(rows
        .iter()
        .map(|r| HubStation {
            station: r.get(0),
            on_air: r.get(1),
            last_seen_ms: ms(r.get(2)),
            desks: r.get(3),
            waiting: r.get(4),
            orders: r.get(5),
            units: r.get(6),
            revenue_fen: r.get(7),
        })
        .collect())
}

/// A desk's link looked in: when, and how many audit rows the desk has not
/// pushed yet. The station's product on air is shared by its laptops: it
/// becomes `on_air` when `changed_here` (a helper of this desk changed it)
/// or when the station has none yet. Answers the station's product on air.
pub async fn look_in(
    client: &impl GenericClient,
    station: &str,
    desk: &str,
    on_air: Option<&str>,
    changed_here: bool,
    waiting: i64,
) -> Result<Option<String>, CoopError> {
    let station_on_air: Option<String> = client
        .query_one(
            "UPDATE stations SET last_seen = now(),
                    on_air = CASE WHEN $3 OR on_air IS NULL THEN $2 ELSE on_air END
              WHERE station = $1 RETURNING on_air",
            &[&station, &on_air, &changed_here],
        )
        .await
        .map_err(CoopError::from_db)?
        .get(0);
    client
        .execute(
            "UPDATE desks SET last_seen = now(), waiting = $3 WHERE station = $1 AND desk = $2",
            &[&station, &desk, &waiting],
        )
        .await
        .map_err(CoopError::from_db)?;
    Ok(station_on_air)
}

/// The latest `limit` orders of every station, newest first.
pub async fn recent_orders(
    client: &impl GenericClient,
    limit: i64,
) -> Result<Vec<HubOrder>, CoopError> {
    let rows = client
        .query(
            &format!(
                "SELECT {ORDER_COLUMNS} FROM orders
                  ORDER BY confirmed_at DESC, station, desk, order_id DESC LIMIT $1"
            ),
            &[&limit],
        )
        .await
        .map_err(CoopError::from_db)?;
    Ok(rows.iter().map(order_of).collect())
}
