//! Reading a database without changing it: the verbs that only report
//! (`inventory`, `orders export`, `aliases list`, `parse --db`) open it
//! through a `Reader`, which never creates, migrates, seeds or checkpoints
//! and leaves no file behind. The queries here are also the store thread's,
//! so a report and the screen read the same rows the same way.
//!
//! A reader can also follow a database another program writes (the
//! broadcaster's board): `changed` says whether anything was committed since
//! it last asked, and `recent_orders` and `order_count` are cheap enough to
//! ask twice a second.

use super::book::{running_sale, sale_from_row};
use super::schema::{map_err, open_error, select_learned_aliases, SCHEMA_VERSION};
use super::worker::rfc3339_local;
use super::{
    AuditRow, BuyerTotal, LearnedAlias, OrderQuery, OrderRow, OrdersSummary, ProductStock,
    RecentOrder, Sale, StockRow, StoreError, WaitlistRow,
};
use rusqlite::{params, Connection, OpenFlags};
use std::path::{Path, PathBuf};

/// A read-only view of one livestall database.
pub struct Reader {
    conn: Connection,
    version: i64,
    path: PathBuf,
    /// Opened immutable (nobody had the database open): it reads the file
    /// as it was and never sees a later commit, so `changed` reopens it
    /// once a writer appears.
    immutable: bool,
    /// `PRAGMA data_version` when `changed` last asked.
    seen_data_version: Option<i64>,
}

impl Reader {
    /// Opens the database at `path` for reading. A missing file, a file
    /// that is not a livestall database, or one written by a newer
    /// livestall is an error naming the file.
    pub fn open(path: &Path) -> Result<Reader, StoreError> {
        if !path.is_file() {
            return Err(open_error(path, super::NO_DATABASE));
        }
        let (uri, immutable) = uri(path);
        let conn =
            Connection::open_with_flags(uri, read_flags()).map_err(|e| open_error(path, e))?;
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
        // What a query sorts or groups beyond the page cache stays in
        // memory: a report leaves no temporary file anywhere either.
        conn.pragma_update(None, "temp_store", "MEMORY")
            .map_err(|e| open_error(path, e))?;
        if version == 0 || !has_products {
            return Err(open_error(path, super::NOT_LIVESTALL));
        }
        if version > SCHEMA_VERSION {
            return Err(open_error(
                path,
                format!(
                    "{} (schema {version}, this build knows {SCHEMA_VERSION})",
                    super::WRITTEN_BY_NEWER
                ),
            ));
        }
        Ok(Reader {
            conn,
            version,
            path: path.to_path_buf(),
            immutable,
            seen_data_version: None,
        })
    }

    /// Whether anything may have changed since the last call (true on the
    /// first). Costs one pragma when nothing did: SQLite's `data_version`
    /// moves when another connection commits. A reader opened while nobody
    /// had the database open is reopened once a writer has made its
    /// write-ahead log, since until then it could not see commits at all.
    pub fn changed(&mut self) -> Result<bool, StoreError> {
        if self.immutable && wal_path(&self.path).exists() {
            *self = Reader::open(&self.path)?;
        }
        let now: i64 = self
            .conn
            .pragma_query_value(None, "data_version", |row| row.get(0))
            .map_err(map_err)?;
        if self.seen_data_version == Some(now) {
            return Ok(false);
        }
        self.seen_data_version = Some(now);
        // A newer livestall may have migrated the schema meanwhile.
        self.version = self
            .conn
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .map_err(map_err)?;
        Ok(true)
    }

    /// Runs `read` inside one read transaction, so every query in it sees
    /// the same commit (a confirm between two of them cannot show the new
    /// order beside the old stock).
    pub fn consistent<T>(
        &self,
        read: impl FnOnce(&Reader) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.conn.execute_batch("BEGIN").map_err(map_err)?;
        let result = read(self);
        // A read transaction has nothing to keep: ending it cannot lose anything.
        let _ = self.conn.execute_batch("COMMIT");
        result
    }

    /// The latest `limit` confirmed orders, newest first: a walk back along
    /// the order numbers, as cheap with 100,000 orders as with ten.
    pub fn recent_orders(&self, limit: usize) -> Result<Vec<RecentOrder>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT o.order_id, o.user, o.sku, COALESCE(p.name, o.sku), COALESCE(p.unit, ''),
                        o.qty, o.unit_price_fen, o.confirmed_at
                   FROM orders o LEFT JOIN products p ON p.sku = o.sku
                  WHERE o.status = 'confirmed'
                  ORDER BY o.order_id DESC LIMIT ?1",
            )
            .map_err(map_err)?;
        let rows = stmt
            .query_map([i64::try_from(limit).unwrap_or(i64::MAX)], |row| {
                Ok(RecentOrder {
                    order_id: row.get(0)?,
                    user: row.get(1)?,
                    sku: row.get(2)?,
                    name: row.get(3)?,
                    unit: row.get(4)?,
                    qty: row.get(5)?,
                    unit_price_fen: row.get(6)?,
                    confirmed_at_ms: row.get(7)?,
                })
            })
            .map_err(map_err)?;
        rows.collect::<Result<_, _>>().map_err(map_err)
    }

    /// How many orders are confirmed (not cancelled).
    pub fn order_count(&self) -> Result<u64, StoreError> {
        self.conn
            .prepare_cached("SELECT COUNT(*) FROM orders WHERE status = 'confirmed'")
            .and_then(|mut stmt| stmt.query_row([], |row| row.get(0)))
            .map_err(map_err)
    }

    /// Products in queue order with stock left and units sold, then the
    /// retired ones (no longer in config) that orders still name.
    pub fn inventory(&self) -> Result<Vec<StockRow>, StoreError> {
        let mut rows = select_stock_rows(&self.conn, self.version >= 4)?;
        if self.version >= 4 {
            let now = crate::clock::now_ms();
            for row in &mut rows {
                row.sale = running_sale(&self.conn, &row.sku, now)?;
            }
        }
        Ok(rows)
    }

    /// The product on air as the last run (or another helper) left it.
    pub fn on_air(&self) -> Result<Option<String>, StoreError> {
        if self.version < 4 {
            return Ok(None);
        }
        super::book::on_air(&self.conn)
    }

    /// The audit trail, oldest first: every helper's and every automatic action.
    pub fn audit(&self) -> Result<Vec<AuditRow>, StoreError> {
        select_audit(&self.conn, self.version >= 4)
    }

    /// Intents waiting for stock, in each product's line.
    pub fn waitlist(&self) -> Result<Vec<WaitlistRow>, StoreError> {
        if self.version < 4 {
            return Ok(Vec::new());
        }
        select_waitlist(&self.conn)
    }

    /// Every flash sale, newest first.
    pub fn sales(&self) -> Result<Vec<Sale>, StoreError> {
        if self.version < 4 {
            return Ok(Vec::new());
        }
        let mut stmt = self
            .conn
            .prepare(
                "SELECT sale_id, sku, qty, price_fen, starts_at, ends_at, sold FROM sales
                  ORDER BY sale_id DESC",
            )
            .map_err(map_err)?;
        let rows = stmt.query_map([], sale_from_row).map_err(map_err)?;
        rows.collect::<Result<_, _>>().map_err(map_err)
    }

    /// Every order, oldest first.
    pub fn orders(&self) -> Result<Vec<OrderRow>, StoreError> {
        select_orders(&self.conn)
    }

    /// The orders `query` asks for, oldest first.
    pub fn orders_matching(&self, query: &OrderQuery) -> Result<Vec<OrderRow>, StoreError> {
        select_orders_matching(&self.conn, query)
    }

    /// Every product with its stock left, retired ones last.
    pub fn products(&self) -> Result<Vec<ProductStock>, StoreError> {
        select_products(&self.conn)
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
/// opened immutable instead: read as the file is, creating nothing. Says
/// which it chose (true: immutable).
fn uri(path: &Path) -> (String, bool) {
    let immutable = !wal_path(path).exists();
    let mode = if immutable { "immutable=1" } else { "mode=ro" };
    (
        format!("file:{}?{mode}", percent_encode(&path.to_string_lossy())),
        immutable,
    )
}

/// The write-ahead log SQLite keeps beside `path` while a writer has it open.
fn wal_path(path: &Path) -> PathBuf {
    PathBuf::from(format!("{}-wal", path.display()))
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

/// Products with stock and sales, and the running flash sale of each (the
/// store thread's view: its database is always up to date).
pub(super) fn select_inventory(conn: &Connection) -> Result<Vec<StockRow>, StoreError> {
    let mut rows = select_stock_rows(conn, true)?;
    let now = crate::clock::now_ms();
    for row in &mut rows {
        row.sale = running_sale(conn, &row.sku, now)?;
    }
    Ok(rows)
}

/// Active products in queue order, then retired ones in SKU order. A
/// database from before v4 has no sold and money counters on its products:
/// they are summed from its orders instead.
fn select_stock_rows(conn: &Connection, counters: bool) -> Result<Vec<StockRow>, StoreError> {
    let sql = if counters {
        "SELECT p.sku, p.name, p.link, p.price_fen, p.stock, p.sold, p.active = 0, p.revenue_fen
           FROM products p ORDER BY p.active DESC, p.position, p.sku"
    } else {
        "SELECT p.sku, p.name, p.link, p.price_fen, p.stock,
                (SELECT COALESCE(SUM(o.qty), 0) FROM orders o
                  WHERE o.sku = p.sku AND o.status = 'confirmed'),
                p.active = 0,
                (SELECT COALESCE(SUM(o.qty * o.unit_price_fen), 0) FROM orders o
                  WHERE o.sku = p.sku AND o.status = 'confirmed')
           FROM products p ORDER BY p.active DESC, p.position, p.sku"
    };
    let mut stmt = conn.prepare_cached(sql).map_err(map_err)?;
    let rows = stmt
        .query_map([], |row| {
            Ok(StockRow {
                sku: row.get(0)?,
                name: row.get(1)?,
                link: row.get(2)?,
                price_fen: row.get(3)?,
                stock: row.get(4)?,
                sold: row.get(5)?,
                retired: row.get(6)?,
                revenue_fen: row.get(7)?,
                sale: None,
            })
        })
        .map_err(map_err)?;
    rows.collect::<Result<_, _>>().map_err(map_err)
}

/// Every order, oldest first (the store thread's reading).
pub(super) fn select_orders(conn: &Connection) -> Result<Vec<OrderRow>, StoreError> {
    select_orders_matching(conn, &OrderQuery::default())
}

/// The orders `query` asks for, oldest first, each with its product's name
/// and unit, its chat text and when it was cancelled or last changed: one
/// statement, so an export of 100,000 orders is one pass, not a query an
/// order. The chat text is found through the intents' primary key (msg_id
/// first); the last change by one pass over the events, grouped by order
/// (the events table has no index on order_id).
pub(crate) fn select_orders_matching(
    conn: &Connection,
    query: &OrderQuery,
) -> Result<Vec<OrderRow>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT o.order_id, o.msg_id, o.user, o.sku, COALESCE(p.name, o.sku), o.qty,
                    o.unit_price_fen, o.status, o.confirmed_at, o.helper,
                    COALESCE(p.unit, ''), o.buyer, o.cancelled_at, c.changed_at,
                    -- A message can hold several intents (小米两袋，核桃一袋):
                    -- the one that made this order, else any; they share the text.
                    COALESCE((SELECT i.text FROM intents i
                               WHERE i.msg_id = o.msg_id AND i.kind = 'order' AND i.sku = o.sku
                               LIMIT 1),
                             (SELECT i.text FROM intents i
                               WHERE i.msg_id = o.msg_id ORDER BY i.idx LIMIT 1),
                             ''),
                    o.source
               FROM orders o
               LEFT JOIN products p ON p.sku = o.sku
               LEFT JOIN (SELECT order_id, MAX(at) AS changed_at FROM events
                           WHERE action IN ('order_changed', 'changed') AND order_id IS NOT NULL
                           GROUP BY order_id) c ON c.order_id = o.order_id
              WHERE (?1 IS NULL OR o.confirmed_at >= ?1)
                AND (?2 IS NULL OR o.confirmed_at < ?2)
                AND (?3 IS NULL OR o.status = ?3)
                AND (?4 IS NULL OR o.buyer = ?4)
              ORDER BY o.order_id",
        )
        .map_err(map_err)?;
    let rows = stmt
        .query_map(
            params![query.since_ms, query.before_ms, query.status, query.buyer],
            |row| {
                let qty: u32 = row.get(5)?;
                let unit_price_fen: i64 = row.get(6)?;
                let confirmed_at_ms: i64 = row.get(8)?;
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
                    confirmed_at: rfc3339_local(confirmed_at_ms),
                    helper: row.get(9)?,
                    unit: row.get(10)?,
                    buyer: row.get(11)?,
                    confirmed_at_ms,
                    cancelled_at_ms: row.get(12)?,
                    changed_at_ms: row.get(13)?,
                    text: row.get(14)?,
                    source: row.get(15)?,
                })
            },
        )
        .map_err(map_err)?;
    rows.collect::<Result<_, _>>().map_err(map_err)
}

/// Every product, those in the config first in queue order, then retired ones.
pub(super) fn select_products(conn: &Connection) -> Result<Vec<ProductStock>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT sku, name, unit, price_fen, stock, active FROM products
              ORDER BY active DESC, position, sku",
        )
        .map_err(map_err)?;
    let rows = stmt
        .query_map([], |row| {
            Ok(ProductStock {
                sku: row.get(0)?,
                name: row.get(1)?,
                unit: row.get(2)?,
                price_fen: row.get(3)?,
                stock: row.get(4)?,
                active: row.get(5)?,
            })
        })
        .map_err(map_err)?;
    rows.collect::<Result<_, _>>().map_err(map_err)
}

fn select_audit(conn: &Connection, with_states: bool) -> Result<Vec<AuditRow>, StoreError> {
    let sql = if with_states {
        "SELECT event_id, at, helper, action, msg_id, idx, order_id, COALESCE(detail, ''),
                before_state, after_state
           FROM events ORDER BY event_id"
    } else {
        "SELECT event_id, at, helper, action, msg_id, idx, order_id, COALESCE(detail, ''),
                NULL, NULL
           FROM events ORDER BY event_id"
    };
    let mut stmt = conn.prepare(sql).map_err(map_err)?;
    let rows = stmt
        .query_map([], |row| {
            Ok(AuditRow {
                event_id: row.get(0)?,
                at_ms: row.get(1)?,
                helper: row.get(2)?,
                action: row.get(3)?,
                msg_id: row.get(4)?,
                index: row.get(5)?,
                order_id: row.get(6)?,
                detail: row.get(7)?,
                before: row.get(8)?,
                after: row.get(9)?,
            })
        })
        .map_err(map_err)?;
    rows.collect::<Result<_, _>>().map_err(map_err)
}

fn select_waitlist(conn: &Connection) -> Result<Vec<WaitlistRow>, StoreError> {
    let mut stmt = conn
        .prepare(
            "SELECT i.msg_id, i.idx, i.user, i.sku, COALESCE(p.name, i.sku),
                    MAX(COALESCE(i.qty, 1), 1), i.received_at
               FROM intents i LEFT JOIN products p ON p.sku = i.sku
              WHERE i.status = 'waitlisted'
              ORDER BY i.sku, i.received_at, i.msg_id, i.idx",
        )
        .map_err(map_err)?;
    let rows = stmt
        .query_map([], |row| {
            Ok(WaitlistRow {
                place: 0,
                msg_id: row.get(0)?,
                index: row.get(1)?,
                user: row.get(2)?,
                sku: row.get::<_, Option<String>>(3)?.unwrap_or_default(),
                name: row.get(4)?,
                qty: row.get(5)?,
                received_at_ms: row.get(6)?,
            })
        })
        .map_err(map_err)?;
    let mut out: Vec<WaitlistRow> = rows.collect::<Result<_, _>>().map_err(map_err)?;
    // Places count from 1 within each product's line.
    let mut place = 0;
    for i in 0..out.len() {
        place = if i > 0 && out[i - 1].sku == out[i].sku {
            place + 1
        } else {
            1
        };
        out[i].place = place;
    }
    Ok(out)
}

/// The longest window of minutes the orders view may ask for (a day): a
/// wrong request cannot make the store allocate without bound.
const SUMMARY_MAX_MINUTES: u32 = 24 * 60;
/// How far before the window the walk back along the order numbers goes
/// on: helpers' machines whose clocks disagree by less than this may
/// confirm out of time order without an order being missed.
const CLOCK_SLACK_MS: i64 = 60_000;

/// The orders view's figures, in two reads: the last minutes' orders by a
/// walk back along the order numbers (given in confirming order, so the
/// walk reads only the window's rows, as cheap with 100,000 orders as with
/// ten: no index on time is needed), and every buyer's totals grouped on
/// the buyer index. Cancelled orders count nowhere; a changed order counts
/// at its quantity now.
pub(crate) fn select_orders_summary(
    conn: &Connection,
    since_ms: i64,
    minutes: u32,
    top: usize,
) -> Result<OrdersSummary, StoreError> {
    let mut per_minute = vec![0u32; minutes.min(SUMMARY_MAX_MINUTES) as usize];
    let mut stmt = conn
        .prepare_cached(
            "SELECT confirmed_at, status = 'confirmed' FROM orders ORDER BY order_id DESC",
        )
        .map_err(map_err)?;
    let mut rows = stmt.query([]).map_err(map_err)?;
    while let Some(row) = rows.next().map_err(map_err)? {
        let at: i64 = row.get(0).map_err(map_err)?;
        let confirmed: bool = row.get(1).map_err(map_err)?;
        if at < since_ms.saturating_sub(CLOCK_SLACK_MS) {
            break;
        }
        if !confirmed || at < since_ms {
            continue;
        }
        let minute = usize::try_from((at - since_ms) / 60_000).unwrap_or(usize::MAX);
        if let Some(count) = per_minute.get_mut(minute) {
            *count += 1;
        }
    }

    let mut stmt = conn
        .prepare_cached(
            // SQLite takes a bare column beside MAX() from the row holding
            // the maximum: the name on the buyer's latest order.
            "SELECT buyer, user, MAX(order_id), COUNT(*), SUM(qty), SUM(qty * unit_price_fen)
               FROM orders WHERE status = 'confirmed'
              GROUP BY buyer",
        )
        .map_err(map_err)?;
    let buyers = stmt
        .query_map([], |row| {
            Ok(BuyerTotal {
                buyer: row.get(0)?,
                user: row.get(1)?,
                orders: row.get(3)?,
                units: row.get(4)?,
                total_fen: row.get(5)?,
            })
        })
        .map_err(map_err)?;
    let mut summary = OrdersSummary {
        since_ms,
        per_minute,
        ..OrdersSummary::default()
    };
    let mut all = Vec::new();
    for buyer in buyers {
        let buyer = buyer.map_err(map_err)?;
        summary.orders += buyer.orders;
        summary.units += buyer.units;
        summary.revenue_fen = summary.revenue_fen.saturating_add(buyer.total_fen);
        all.push(buyer);
    }
    summary.buyer_count = all.len() as u64;
    all.sort_by(|a, b| {
        b.total_fen
            .cmp(&a.total_fen)
            .then(b.units.cmp(&a.units))
            .then_with(|| a.buyer.cmp(&b.buyer))
    });
    all.truncate(top);
    summary.buyers = all;
    Ok(summary)
}
