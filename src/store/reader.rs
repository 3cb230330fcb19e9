//! Reading a database without changing it: the verbs that only report
//! (`inventory`, `orders export`, `aliases list`, `parse --db`) open it
//! through a `Reader`, which never creates, migrates, seeds or checkpoints
//! and leaves no file behind. The queries here are also the store thread's,
//! so a report and the screen read the same rows the same way.

use super::schema::{map_err, open_error, select_learned_aliases, SCHEMA_VERSION};
use super::worker::rfc3339_local;
use super::{LearnedAlias, OrderRow, StockRow, StoreError};
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};

/// A read-only view of one livestall database.
pub struct Reader {
    conn: Connection,
    version: i64,
}

impl Reader {
    /// Opens the database at `path` for reading. A missing file, a file
    /// that is not a livestall database, or one written by a newer
    /// livestall is an error naming the file.
    pub fn open(path: &Path) -> Result<Reader, StoreError> {
        if !path.is_file() {
            return Err(open_error(
                path,
                "there is no database there (check --db or [store] path)",
            ));
        }
        let conn = Connection::open_with_flags(uri(path), read_flags())
            .map_err(|e| open_error(path, e))?;
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .map_err(|e| open_error(path, e))?;
        let has_products: bool = conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'products')",
                [],
                |row| row.get(0),
            )
            .map_err(|e| open_error(path, e))?;
        if version == 0 || !has_products {
            return Err(open_error(path, "it is not a livestall database"));
        }
        if version > SCHEMA_VERSION {
            return Err(open_error(
                path,
                format!(
                    "it was written by a newer livestall (schema {version}, this build knows {SCHEMA_VERSION})"
                ),
            ));
        }
        Ok(Reader { conn, version })
    }

    /// Products in queue order with stock left and units sold.
    pub fn inventory(&self) -> Result<Vec<StockRow>, StoreError> {
        select_inventory(&self.conn)
    }

    /// Every order, oldest first.
    pub fn orders(&self) -> Result<Vec<OrderRow>, StoreError> {
        select_orders(&self.conn)
    }

    /// Phrases helpers taught; a database from before learned aliases has none.
    pub fn learned_aliases(&self) -> Result<Vec<LearnedAlias>, StoreError> {
        if self.version < 2 {
            return Ok(Vec::new());
        }
        select_learned_aliases(&self.conn)
    }
}

fn read_flags() -> OpenFlags {
    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI
}

/// The URI to open `path` with. While a livestall runs on the database its
/// write-ahead log exists, and a read-only connection shares it. With no
/// log, nobody has the database open; a read-only connection would still
/// create the log and its index beside the file (and leave them), so it is
/// opened immutable instead: read as the file is, creating nothing.
fn uri(path: &Path) -> String {
    let wal = PathBuf::from(format!("{}-wal", path.display()));
    let mode = if wal.exists() {
        "mode=ro"
    } else {
        "immutable=1"
    };
    format!("file:{}?{mode}", percent_encode(&path.to_string_lossy()))
}

/// The path as a URI filename: the characters a URI reserves escaped, and
/// on Windows forward slashes with the drive after `///`.
fn percent_encode(path: &str) -> String {
    #[cfg(windows)]
    let path = {
        let slashed = path.replace('\\', "/");
        if slashed.as_bytes().get(1) == Some(&b':') {
            format!("///{slashed}")
        } else {
            slashed
        }
    };
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        match c {
            '?' | '#' | '%' => out.push_str(&format!("%{:02X}", u32::from(c))),
            _ => out.push(c),
        }
    }
    out
}

pub(super) fn select_inventory(conn: &Connection) -> Result<Vec<StockRow>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT p.sku, p.name, p.link, p.price_fen, p.stock,
                    (SELECT COALESCE(SUM(o.qty), 0) FROM orders o
                      WHERE o.sku = p.sku AND o.status = 'confirmed')
               FROM products p WHERE p.active = 1 ORDER BY p.position",
        )
        .map_err(map_err)?;
    let rows = stmt
        .query_map([], |row| {
            Ok(StockRow {
                sku: row.get(0)?,
                name: row.get(1)?,
                link: row.get(2)?,
                price_fen: row.get(3)?,
                stock: row.get(4)?,
                sold: row.get(5)?,
            })
        })
        .map_err(map_err)?;
    rows.collect::<Result<_, _>>().map_err(map_err)
}

pub(super) fn select_orders(conn: &Connection) -> Result<Vec<OrderRow>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT o.order_id, o.msg_id, o.user, o.sku, COALESCE(p.name, o.sku), o.qty,
                    o.unit_price_fen, o.status, o.confirmed_at, o.helper
               FROM orders o LEFT JOIN products p ON p.sku = o.sku
              ORDER BY o.order_id",
        )
        .map_err(map_err)?;
    let rows = stmt
        .query_map([], |row| {
            let qty: u32 = row.get(5)?;
            let unit_price_fen: i64 = row.get(6)?;
            Ok(OrderRow {
                order_id: row.get(0)?,
                msg_id: row.get(1)?,
                user: row.get(2)?,
                sku: row.get(3)?,
                name: row.get(4)?,
                qty,
                unit_price_fen,
                total_fen: unit_price_fen.saturating_mul(i64::from(qty)),
                status: row.get(7)?,
                confirmed_at: rfc3339_local(row.get(8)?),
                helper: row.get(9)?,
            })
        })
        .map_err(map_err)?;
    rows.collect::<Result<_, _>>().map_err(map_err)
}
