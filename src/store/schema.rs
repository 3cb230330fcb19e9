//! Owns the shape of the database: opening a connection with the pragmas the
//! store relies on, the schema and its migrations (tracked in `user_version`),
//! seeding products from the catalog, and the mapping of SQLite errors to
//! `StoreError`.

use super::{LearnedAlias, SeedReport, StoreError, StoreOptions, Synchronous};
use crate::catalog::Catalog;
use rusqlite::{params, Connection, ErrorCode, OpenFlags, OptionalExtension, TransactionBehavior};
use std::path::Path;

/// Each entry moves the schema from version `index` to `index + 1`. Append
/// only: a database records how many of these it has applied.
const MIGRATIONS: &[&str] = &[
    // v1: products, intents, orders, events.
    r#"
    CREATE TABLE products (
        sku             TEXT PRIMARY KEY NOT NULL,
        name            TEXT NOT NULL,
        link            INTEGER NOT NULL,
        unit            TEXT NOT NULL DEFAULT '',
        price_fen       INTEGER NOT NULL CHECK (price_fen >= 0),
        -- The last line of defence: no transaction can commit a negative stock.
        stock           INTEGER NOT NULL CHECK (stock >= 0),
        limit_per_buyer INTEGER CHECK (limit_per_buyer IS NULL OR limit_per_buyer >= 0),
        position        INTEGER NOT NULL,
        -- 0 once the product is no longer in config; kept because orders name it.
        active          INTEGER NOT NULL DEFAULT 1
    );

    CREATE TABLE intents (
        msg_id      TEXT NOT NULL,
        idx         INTEGER NOT NULL,
        user        TEXT NOT NULL,
        user_id     TEXT,
        text        TEXT NOT NULL DEFAULT '',
        kind        TEXT NOT NULL CHECK (kind IN ('order', 'cancel', 'change')),
        sku         TEXT,
        qty         INTEGER,
        confidence  REAL NOT NULL DEFAULT 0,
        status      TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'confirmed', 'rejected', 'refused')),
        received_at INTEGER NOT NULL,
        decided_at  INTEGER,
        helper      TEXT,
        -- The order a confirmation created, changed or cancelled.
        order_id    INTEGER,
        -- Why it was refused (Refusal::code).
        reason      TEXT,
        PRIMARY KEY (msg_id, idx)
    );
    CREATE INDEX intents_pending ON intents (status, received_at);

    CREATE TABLE orders (
        order_id       INTEGER PRIMARY KEY AUTOINCREMENT,
        msg_id         TEXT NOT NULL,
        user           TEXT NOT NULL,
        user_id        TEXT,
        -- Who the order belongs to for limits, cancels and changes:
        -- 'id:<user_id>' when the platform gives one, else 'name:<user>'.
        buyer          TEXT NOT NULL,
        sku            TEXT NOT NULL REFERENCES products (sku),
        qty            INTEGER NOT NULL CHECK (qty > 0),
        unit_price_fen INTEGER NOT NULL,
        status         TEXT NOT NULL CHECK (status IN ('confirmed', 'cancelled')),
        confirmed_at   INTEGER NOT NULL,
        cancelled_at   INTEGER,
        helper         TEXT NOT NULL,
        -- Replayed chat can never order the same message twice.
        UNIQUE (msg_id, sku)
    );
    CREATE INDEX orders_buyer ON orders (buyer, status, sku);
    CREATE INDEX orders_sku ON orders (sku, status);

    -- Audit trail of what helpers did, for "who confirmed this?".
    CREATE TABLE events (
        event_id INTEGER PRIMARY KEY AUTOINCREMENT,
        at       INTEGER NOT NULL,
        helper   TEXT NOT NULL,
        action   TEXT NOT NULL,
        msg_id   TEXT,
        idx      INTEGER,
        order_id INTEGER,
        detail   TEXT
    );
    "#,
    // v2: phrases helpers taught the engine (issue 3).
    r#"
    CREATE TABLE learned_aliases (
        -- As the chat wrote it; the engine normalises it like catalog aliases.
        phrase     TEXT PRIMARY KEY NOT NULL,
        sku        TEXT NOT NULL REFERENCES products (sku),
        learned_at INTEGER NOT NULL,
        helper     TEXT NOT NULL,
        -- The message it was learned from, when there was one.
        msg_id     TEXT
    );
    "#,
    // v3: the stock the config last said, so that an edit of config stock
    // is reported once, and sales (which move the database's stock away
    // from the config's) are not reported at all. NULL: not known yet.
    r#"
    ALTER TABLE products ADD COLUMN config_stock INTEGER;
    "#,
    // v4 (issue 8): the order book.
    // - intents may be 'waitlisted' (stock could not cover them; first come
    //   first served by arrival), and remember the quantity a confirmed
    //   change replaced, so that the change can be undone. SQLite cannot
    //   alter a CHECK, so the table is rebuilt (no table refers to it).
    // - the events table becomes the audit trail: what a row was before and
    //   after each action, as small JSON objects.
    // - flash sales: a count at a special price for a time window; orders
    //   inside one name it.
    r#"
    CREATE TABLE intents_v4 (
        msg_id      TEXT NOT NULL,
        idx         INTEGER NOT NULL,
        user        TEXT NOT NULL,
        user_id     TEXT,
        text        TEXT NOT NULL DEFAULT '',
        kind        TEXT NOT NULL CHECK (kind IN ('order', 'cancel', 'change')),
        sku         TEXT,
        qty         INTEGER,
        confidence  REAL NOT NULL DEFAULT 0,
        status      TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'confirmed', 'rejected', 'refused', 'waitlisted')),
        received_at INTEGER NOT NULL,
        decided_at  INTEGER,
        helper      TEXT,
        order_id    INTEGER,
        reason      TEXT,
        -- A confirmed change: the order's quantity before it (for undo).
        before_qty  INTEGER,
        PRIMARY KEY (msg_id, idx)
    );
    INSERT INTO intents_v4
        (msg_id, idx, user, user_id, text, kind, sku, qty, confidence, status,
         received_at, decided_at, helper, order_id, reason)
    SELECT msg_id, idx, user, user_id, text, kind, sku, qty, confidence, status,
           received_at, decided_at, helper, order_id, reason
      FROM intents;
    DROP TABLE intents;
    ALTER TABLE intents_v4 RENAME TO intents;
    CREATE INDEX intents_pending ON intents (status, received_at);
    CREATE INDEX intents_waitlist ON intents (sku, status, received_at);

    ALTER TABLE events ADD COLUMN before_state TEXT;
    ALTER TABLE events ADD COLUMN after_state TEXT;
    -- An order's history (when it was last changed, for exports and carts).
    CREATE INDEX events_order ON events (order_id, action, at);

    CREATE TABLE sales (
        sale_id   INTEGER PRIMARY KEY AUTOINCREMENT,
        sku       TEXT NOT NULL REFERENCES products (sku),
        qty       INTEGER NOT NULL CHECK (qty > 0),
        price_fen INTEGER NOT NULL CHECK (price_fen >= 0),
        starts_at INTEGER NOT NULL,
        ends_at   INTEGER NOT NULL,
        -- Set when a helper ends it early.
        ended_at  INTEGER,
        -- Units sold at the sale price: never more than the sale's count.
        sold      INTEGER NOT NULL DEFAULT 0 CHECK (sold >= 0 AND sold <= qty),
        helper    TEXT NOT NULL
    );
    CREATE INDEX sales_sku ON sales (sku, ends_at);

    -- The stream's state that outlives a run (the product on air), one row
    -- a key, so every helper's screen and the board follow it.
    CREATE TABLE shop_state (
        key   TEXT PRIMARY KEY NOT NULL,
        value TEXT NOT NULL,
        at    INTEGER NOT NULL
    );

    -- Units sold and money taken per product, moved with stock in the same
    -- statement (a confirm no longer sums all of a product's orders).
    ALTER TABLE products ADD COLUMN sold INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE products ADD COLUMN revenue_fen INTEGER NOT NULL DEFAULT 0;
    UPDATE products
       SET sold = (SELECT COALESCE(SUM(o.qty), 0) FROM orders o
                    WHERE o.sku = products.sku AND o.status = 'confirmed'),
           revenue_fen = (SELECT COALESCE(SUM(o.qty * o.unit_price_fen), 0) FROM orders o
                           WHERE o.sku = products.sku AND o.status = 'confirmed');
    ALTER TABLE orders ADD COLUMN sale_id INTEGER REFERENCES sales (sale_id);
    "#,
    // v5 (issue 10): several chat sources at once. Each intent and order
    // names the source its message came from (the config's source name);
    // rows from before keep '' (one source, not named).
    r#"
    ALTER TABLE intents ADD COLUMN source TEXT NOT NULL DEFAULT '';
    ALTER TABLE orders ADD COLUMN source TEXT NOT NULL DEFAULT '';
    "#,
    // v6 (issue 11): why an intent waits for a helper (an uncertain reading
    // or a suggestion, `intent::suggest::Note`); NULL for a plain reading.
    r#"
    ALTER TABLE intents ADD COLUMN note TEXT;
    "#,
    // v7 (issue 12): the co-op's stock as this desk holds it. A row is a
    // product that joined the co-op; granted and returned are the co-op's
    // totals as applied here (store::coop).
    r#"
    CREATE TABLE coop_stock (
        sku       TEXT PRIMARY KEY NOT NULL REFERENCES products (sku),
        granted   INTEGER NOT NULL DEFAULT 0 CHECK (granted >= 0),
        returned  INTEGER NOT NULL DEFAULT 0 CHECK (returned >= 0),
        joined_at INTEGER NOT NULL,
        -- The stock it had when it joined: the pool's seed if this station
        -- is the first to bring it to the co-op.
        seed      INTEGER NOT NULL DEFAULT 0
    );
    "#,
    // v8 (issue 12): the co-op's shared inbox. An intent another laptop of
    // this station decided is kept as decided there ('confirmed_elsewhere',
    // 'rejected_elsewhere'; `helper` and `reason` say who and where), so
    // a restart or a late copy of the message never brings it back. A
    // status's CHECK cannot be altered in SQLite: the table is rebuilt.
    r#"
    CREATE TABLE intents_v8 (
        msg_id      TEXT NOT NULL,
        idx         INTEGER NOT NULL,
        user        TEXT NOT NULL,
        user_id     TEXT,
        text        TEXT NOT NULL DEFAULT '',
        kind        TEXT NOT NULL CHECK (kind IN ('order', 'cancel', 'change')),
        sku         TEXT,
        qty         INTEGER,
        confidence  REAL NOT NULL DEFAULT 0,
        status      TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'confirmed', 'rejected', 'refused', 'waitlisted',
                                      'confirmed_elsewhere', 'rejected_elsewhere')),
        received_at INTEGER NOT NULL,
        decided_at  INTEGER,
        helper      TEXT,
        order_id    INTEGER,
        reason      TEXT,
        before_qty  INTEGER,
        source      TEXT NOT NULL DEFAULT '',
        note        TEXT,
        PRIMARY KEY (msg_id, idx)
    );
    INSERT INTO intents_v8
        (msg_id, idx, user, user_id, text, kind, sku, qty, confidence, status,
         received_at, decided_at, helper, order_id, reason, before_qty, source, note)
    SELECT msg_id, idx, user, user_id, text, kind, sku, qty, confidence, status,
           received_at, decided_at, helper, order_id, reason, before_qty, source, note
      FROM intents;
    DROP TABLE intents;
    ALTER TABLE intents_v8 RENAME TO intents;
    CREATE INDEX intents_pending ON intents (status, received_at);
    CREATE INDEX intents_waitlist ON intents (sku, status, received_at);

    -- Stock a helper added to (or took from) a joined product at this
    -- desk (a restock, a count): the desk's own contribution to the
    -- co-op's stock, net, so what it holds is granted + added - returned
    -- - sold, and what it gives back reaches the pool.
    ALTER TABLE coop_stock ADD COLUMN added INTEGER NOT NULL DEFAULT 0;
    "#,
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Maps a SQLite error to what the rest of the program can act on.
pub fn map_err(err: rusqlite::Error) -> StoreError {
    match err.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => {
            StoreError::Locked(err.to_string())
        }
        Some(ErrorCode::DiskFull) => StoreError::DiskFull(err.to_string()),
        Some(ErrorCode::ReadOnly) => StoreError::ReadOnly(err.to_string()),
        // Statement-level refusals: this row, not the database, is the problem.
        Some(ErrorCode::ConstraintViolation)
        | Some(ErrorCode::TypeMismatch)
        | Some(ErrorCode::TooBig)
        | Some(ErrorCode::ParameterOutOfRange) => StoreError::Sqlite(err.to_string()),
        // Errors that are not SQLite's (a bad column read) are ours, per statement.
        None => StoreError::Sqlite(err.to_string()),
        // I/O errors, a read-only or moved file, corruption: the whole database.
        Some(_) => StoreError::Unavailable(err.to_string()),
    }
}

pub(super) fn open_error(path: &Path, reason: impl ToString) -> StoreError {
    StoreError::Open {
        path: path.display().to_string(),
        reason: reason.to_string(),
    }
}

/// Opens (creating if needed) the database file, sets the pragmas and brings
/// the schema up to date.
pub fn open(path: &Path, options: &StoreOptions) -> Result<Connection, StoreError> {
    let flags = if options.create {
        OpenFlags::default()
    } else {
        OpenFlags::default() - OpenFlags::SQLITE_OPEN_CREATE
    };
    let opened = match &options.vfs {
        Some(vfs) => Connection::open_with_flags_and_vfs(path, flags, vfs.as_str()),
        None => Connection::open_with_flags(path, flags),
    };
    let mut conn = opened.map_err(|e| {
        if !options.create && !path.exists() {
            open_error(path, super::NO_DATABASE)
        } else {
            open_error(path, e)
        }
    })?;
    conn.busy_timeout(options.busy_timeout).map_err(map_err)?;
    // journal_mode answers with the mode actually in force; a file system that
    // cannot do WAL answers something else, and we refuse rather than run
    // without the guarantees the contract promises.
    let mode: String = conn
        .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
        .map_err(|e| match map_err(e) {
            StoreError::Sqlite(reason) | StoreError::Unavailable(reason) => {
                open_error(path, reason)
            }
            read_only @ StoreError::ReadOnly(_) => open_error(path, read_only),
            other => other,
        })?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(open_error(
            path,
            format!("the database cannot use WAL mode here (got {mode})"),
        ));
    }
    let synchronous = match options.synchronous {
        Synchronous::Full => "FULL",
        Synchronous::Off => "OFF",
    };
    conn.pragma_update(None, "synchronous", synchronous)
        .map_err(map_err)?;
    conn.pragma_update(None, "foreign_keys", "ON")
        .map_err(map_err)?;
    migrate(&mut conn, path)?;
    Ok(conn)
}

fn migrate(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(|e| match map_err(e) {
            // "file is not a database" and friends surface on the first read.
            StoreError::Sqlite(reason) | StoreError::Unavailable(reason) => {
                open_error(path, reason)
            }
            read_only @ StoreError::ReadOnly(_) => open_error(path, read_only),
            other => other,
        })?;
    if version > SCHEMA_VERSION {
        return Err(open_error(
            path,
            format!(
                "{} (schema {version}, this build knows {SCHEMA_VERSION})",
                super::WRITTEN_BY_NEWER
            ),
        ));
    }
    for (from, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        let tx = write_tx(conn)?;
        tx.execute_batch(sql).map_err(map_err)?;
        tx.pragma_update(None, "user_version", from as i64 + 1)
            .map_err(map_err)?;
        tx.commit().map_err(map_err)?;
    }
    Ok(())
}

pub fn select_learned_aliases(conn: &Connection) -> Result<Vec<LearnedAlias>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT phrase, sku, learned_at, helper, msg_id FROM learned_aliases ORDER BY learned_at, rowid",
        )
        .map_err(map_err)?;
    let rows = stmt
        .query_map([], |row| {
            Ok(LearnedAlias {
                phrase: row.get(0)?,
                sku: row.get(1)?,
                learned_at_ms: row.get(2)?,
                helper: row.get(3)?,
                msg_id: row.get(4)?,
            })
        })
        .map_err(map_err)?;
    rows.collect::<Result<_, _>>().map_err(map_err)
}

/// `execute` and `query_row` through the connection's statement cache: the
/// store runs the same few statements for every decision, and preparing
/// them anew each time was a fifth of a confirm's cost.
pub(super) trait Cached {
    fn exec_cached<P: rusqlite::Params>(&self, sql: &str, params: P) -> rusqlite::Result<usize>;
    fn row_cached<T, P, F>(&self, sql: &str, params: P, f: F) -> rusqlite::Result<T>
    where
        P: rusqlite::Params,
        F: FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>;
}

impl Cached for Connection {
    fn exec_cached<P: rusqlite::Params>(&self, sql: &str, params: P) -> rusqlite::Result<usize> {
        self.prepare_cached(sql)?.execute(params)
    }

    fn row_cached<T, P, F>(&self, sql: &str, params: P, f: F) -> rusqlite::Result<T>
    where
        P: rusqlite::Params,
        F: FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    {
        self.prepare_cached(sql)?.query_row(params, f)
    }
}

/// An IMMEDIATE transaction takes the write lock up front, so waiting for
/// another writer goes through the busy timeout instead of failing half-way
/// with a snapshot that cannot be upgraded.
pub fn write_tx(conn: &mut Connection) -> Result<rusqlite::Transaction<'_>, StoreError> {
    conn.transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(map_err)
}

/// Inserts new products with their config stock and makes everything but
/// stock follow config. Stock differences are reported, never applied.
pub fn seed(conn: &mut Connection, catalog: &Catalog) -> Result<SeedReport, StoreError> {
    let tx = write_tx(conn)?;
    let mut report = SeedReport::default();
    tx.execute("UPDATE products SET active = 0", [])
        .map_err(map_err)?;
    for (position, product) in catalog.products.iter().enumerate() {
        let stock_in_db: Option<(i64, Option<i64>)> = tx
            .query_row(
                "SELECT stock, config_stock FROM products WHERE sku = ?1",
                [&product.sku],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()
            .map_err(map_err)?;
        match stock_in_db {
            None => {
                tx.execute(
                    "INSERT INTO products
                         (sku, name, link, unit, price_fen, stock, limit_per_buyer, position,
                          active, config_stock)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 1, ?6)",
                    params![
                        product.sku,
                        product.name,
                        product.link,
                        product.unit,
                        product.price_fen,
                        product.stock,
                        product.limit_per_buyer,
                        position as i64,
                    ],
                )
                .map_err(map_err)?;
                report.seeded.push(product.sku.clone());
            }
            Some((stock, config_stock)) => {
                tx.execute(
                    "UPDATE products
                        SET name = ?2, link = ?3, unit = ?4, price_fen = ?5,
                            limit_per_buyer = ?6, position = ?7, active = 1,
                            config_stock = ?8
                      WHERE sku = ?1",
                    params![
                        product.sku,
                        product.name,
                        product.link,
                        product.unit,
                        product.price_fen,
                        product.limit_per_buyer,
                        position as i64,
                        product.stock,
                    ],
                )
                .map_err(map_err)?;
                // Reported once per edit of the config's stock; a database
                // from before v3 learns the config's stock silently.
                let edited = config_stock.is_some_and(|was| was != product.stock);
                if edited && stock != product.stock {
                    report
                        .stock_differs
                        .push((product.sku.clone(), product.stock, stock));
                }
            }
        }
    }
    tx.commit().map_err(map_err)?;
    Ok(report)
}
