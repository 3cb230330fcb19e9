//! The schema's own constraints, tested through plain SQL that bypasses the
//! store's checks: they are the last line of defence when a bug in the store
//! (or someone with the sqlite3 shell) writes around them. A database is made
//! the way the store makes it (`Store::open` on a catalog), closed, and then
//! written to directly with rusqlite.
//!
//! What each constraint guards: stock never below zero (never oversold), one
//! order per message and product (a replayed message never doubles an
//! order), orders that always name a real product, a positive quantity, a
//! known status and the helper who confirmed them (no confirmed order is lost
//! or unreadable), one intent per message and position.
//!
//! Each test first writes a valid row (so a failure below is the constraint,
//! not a typo in the statement), then changes one thing and expects SQLite to
//! refuse it with the constraint's own message.

mod common;

use livestall::store::Store;
use rusqlite::{Connection, ErrorCode};
use std::path::{Path, PathBuf};

fn orchard() -> livestall::catalog::Catalog {
    common::load_catalog(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/catalog-orchard.toml"),
    )
}

/// A database as the store creates it, closed again, then opened raw with
/// foreign keys on (SQLite leaves them off per connection unless asked; the
/// store asks, so the declared references are what it relies on).
fn fresh_db(dir: &Path) -> (PathBuf, Connection) {
    let path = dir.join("shop.db");
    let opened = Store::open(&path, &orchard()).expect("the store creates the database");
    drop(opened);
    let conn = raw(&path);
    (path, conn)
}

fn raw(path: &Path) -> Connection {
    let conn = Connection::open(path).expect("open the file directly");
    conn.pragma_update(None, "foreign_keys", "ON")
        .expect("foreign keys on");
    conn
}

/// The first schema (v1) exactly as the first release created it: the
/// migrations are append-only, so databases in the wild that started at v1
/// have these tables, and later migrations must not lose their constraints.
const SCHEMA_V1: &str = r#"
CREATE TABLE products (
    sku             TEXT PRIMARY KEY NOT NULL,
    name            TEXT NOT NULL,
    link            INTEGER NOT NULL,
    unit            TEXT NOT NULL DEFAULT '',
    price_fen       INTEGER NOT NULL CHECK (price_fen >= 0),
    stock           INTEGER NOT NULL CHECK (stock >= 0),
    limit_per_buyer INTEGER CHECK (limit_per_buyer IS NULL OR limit_per_buyer >= 0),
    position        INTEGER NOT NULL,
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
    order_id    INTEGER,
    reason      TEXT,
    PRIMARY KEY (msg_id, idx)
);
CREATE INDEX intents_pending ON intents (status, received_at);
CREATE TABLE orders (
    order_id       INTEGER PRIMARY KEY AUTOINCREMENT,
    msg_id         TEXT NOT NULL,
    user           TEXT NOT NULL,
    user_id        TEXT,
    buyer          TEXT NOT NULL,
    sku            TEXT NOT NULL REFERENCES products (sku),
    qty            INTEGER NOT NULL CHECK (qty > 0),
    unit_price_fen INTEGER NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('confirmed', 'cancelled')),
    confirmed_at   INTEGER NOT NULL,
    cancelled_at   INTEGER,
    helper         TEXT NOT NULL,
    UNIQUE (msg_id, sku)
);
CREATE INDEX orders_buyer ON orders (buyer, status, sku);
CREATE INDEX orders_sku ON orders (sku, status);
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
PRAGMA user_version = 1;
"#;

/// A v1 database brought up to date by the store's migrations.
fn migrated_db(dir: &Path) -> (PathBuf, Connection) {
    let path = dir.join("old.db");
    Connection::open(&path)
        .expect("create a v1 file")
        .execute_batch(SCHEMA_V1)
        .expect("v1 schema");
    let opened = Store::open(&path, &orchard()).expect("the store migrates a v1 database");
    drop(opened);
    let conn = raw(&path);
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .expect("user_version");
    assert!(version > 1, "the store did not migrate the v1 database");
    (path, conn)
}

/// Both kinds of database a running shop can have.
fn each_db(check: impl Fn(&str, &Connection)) {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, fresh) = fresh_db(dir.path());
    check("fresh database", &fresh);
    let (_, migrated) = migrated_db(dir.path());
    check("database migrated from v1", &migrated);
}

/// `sql` must be refused as a constraint violation whose message contains `why`.
fn refused(db: &str, conn: &Connection, sql: &str, why: &str) {
    match conn.execute_batch(sql) {
        Ok(()) => panic!("{db}: accepted, but the schema should refuse it ({why}):\n{sql}"),
        Err(e) => {
            assert_eq!(
                e.sqlite_error_code(),
                Some(ErrorCode::ConstraintViolation),
                "{db}: {sql}\nfailed for another reason: {e}"
            );
            assert!(
                e.to_string().contains(why),
                "{db}: {sql}\nrefused, but not for {why:?}: {e}"
            );
        }
    }
}

fn accepted(db: &str, conn: &Connection, sql: &str) {
    conn.execute_batch(sql)
        .unwrap_or_else(|e| panic!("{db}: a valid statement was refused: {e}\n{sql}"));
}

/// An order row with one column's value replaced (`None`: column left out).
fn order_insert(msg_id: &str, sku: &str, column: Option<(&str, &str)>) -> String {
    let mut cols = vec![
        ("msg_id", format!("'{msg_id}'")),
        ("user", "'ann'".to_string()),
        ("buyer", "'name:ann'".to_string()),
        ("sku", format!("'{sku}'")),
        ("qty", "2".to_string()),
        ("unit_price_fen", "5990".to_string()),
        ("status", "'confirmed'".to_string()),
        ("confirmed_at", "1700000000000".to_string()),
        ("helper", "'tester'".to_string()),
    ];
    if let Some((name, value)) = column {
        let at = cols
            .iter()
            .position(|(c, _)| *c == name)
            .unwrap_or_else(|| panic!("no column {name} in the test row"));
        if value.is_empty() {
            cols.remove(at);
        } else {
            cols[at].1 = value.to_string();
        }
    }
    let names: Vec<&str> = cols.iter().map(|(c, _)| *c).collect();
    let values: Vec<&str> = cols.iter().map(|(_, v)| v.as_str()).collect();
    format!(
        "INSERT INTO orders ({}) VALUES ({})",
        names.join(", "),
        values.join(", ")
    )
}

#[test]
fn stock_can_never_go_below_zero() {
    each_db(|db, conn| {
        accepted(
            db,
            conn,
            "UPDATE products SET stock = 0 WHERE sku = 'APPLE'",
        );
        refused(
            db,
            conn,
            "UPDATE products SET stock = -1 WHERE sku = 'APPLE'",
            "CHECK constraint failed: stock",
        );
        // The way an oversell would happen: a decrement past zero.
        refused(
            db,
            conn,
            "UPDATE products SET stock = stock - 1 WHERE sku = 'APPLE'",
            "CHECK constraint failed: stock",
        );
        refused(
            db,
            conn,
            "UPDATE products SET stock = NULL WHERE sku = 'APPLE'",
            "NOT NULL constraint failed: products.stock",
        );
        let stock: i64 = conn
            .query_row("SELECT stock FROM products WHERE sku = 'APPLE'", [], |r| {
                r.get(0)
            })
            .expect("stock");
        assert_eq!(stock, 0, "{db}: a refused update changed the stock");
    });
}

#[test]
fn prices_and_limits_are_never_negative() {
    each_db(|db, conn| {
        accepted(
            db,
            conn,
            "UPDATE products SET price_fen = 0, limit_per_buyer = 0 WHERE sku = 'KIWI'",
        );
        refused(
            db,
            conn,
            "UPDATE products SET price_fen = -1 WHERE sku = 'KIWI'",
            "CHECK constraint failed: price_fen",
        );
        refused(
            db,
            conn,
            "UPDATE products SET limit_per_buyer = -1 WHERE sku = 'KIWI'",
            "CHECK constraint failed: limit_per_buyer",
        );
    });
}

#[test]
fn one_message_orders_one_product_once() {
    each_db(|db, conn| {
        accepted(db, conn, &order_insert("m1", "APPLE", None));
        // The same message may order another product...
        accepted(db, conn, &order_insert("m1", "KIWI", None));
        // ...and another message the same product...
        accepted(db, conn, &order_insert("m2", "APPLE", None));
        // ...but a replayed message never orders the same product twice,
        // whatever the rest of the row says.
        refused(
            db,
            conn,
            &order_insert("m1", "APPLE", Some(("qty", "5"))),
            "UNIQUE constraint failed: orders.msg_id, orders.sku",
        );
        refused(
            db,
            conn,
            &order_insert("m1", "APPLE", Some(("status", "'cancelled'"))),
            "UNIQUE constraint failed: orders.msg_id, orders.sku",
        );
    });
}

#[test]
fn an_order_names_a_real_product_and_a_positive_quantity() {
    each_db(|db, conn| {
        accepted(db, conn, &order_insert("m1", "APPLE", Some(("qty", "1"))));
        refused(
            db,
            conn,
            &order_insert("m2", "NO-SUCH-SKU", None),
            "FOREIGN KEY constraint failed",
        );
        // A product that orders name cannot be deleted from under them.
        refused(
            db,
            conn,
            "DELETE FROM products WHERE sku = 'APPLE'",
            "FOREIGN KEY constraint failed",
        );
        for qty in ["0", "-1"] {
            refused(
                db,
                conn,
                &order_insert("m3", "APPLE", Some(("qty", qty))),
                "CHECK constraint failed: qty",
            );
        }
        refused(
            db,
            conn,
            &order_insert("m4", "APPLE", Some(("status", "'pending'"))),
            "CHECK constraint failed: status",
        );
    });
}

#[test]
fn an_order_keeps_who_when_what_and_for_how_much() {
    each_db(|db, conn| {
        accepted(db, conn, &order_insert("m0", "APPLE", None));
        for (i, column) in [
            "msg_id",
            "user",
            "buyer",
            "sku",
            "qty",
            "unit_price_fen",
            "status",
            "confirmed_at",
            "helper",
        ]
        .into_iter()
        .enumerate()
        {
            let msg = format!("n{i}");
            let why = format!("NOT NULL constraint failed: orders.{column}");
            refused(
                db,
                conn,
                &order_insert(&msg, "APPLE", Some((column, "NULL"))),
                &why,
            );
            // Left out entirely, no default fills it in.
            refused(
                db,
                conn,
                &order_insert(&msg, "APPLE", Some((column, ""))),
                &why,
            );
        }
    });
}

#[test]
fn one_intent_per_message_and_position() {
    each_db(|db, conn| {
        let intent = |idx: u32, kind: &str, status: &str| {
            format!(
                "INSERT INTO intents (msg_id, idx, user, kind, status, received_at)
                 VALUES ('m1', {idx}, 'ann', {kind}, {status}, 1700000000000)"
            )
        };
        accepted(db, conn, &intent(0, "'order'", "'pending'"));
        accepted(db, conn, &intent(1, "'cancel'", "'confirmed'"));
        refused(
            db,
            conn,
            &intent(0, "'order'", "'pending'"),
            "UNIQUE constraint failed: intents.msg_id, intents.idx",
        );
        refused(
            db,
            conn,
            &intent(2, "'refund'", "'pending'"),
            "CHECK constraint failed: kind",
        );
        refused(
            db,
            conn,
            &intent(3, "'order'", "'maybe'"),
            "CHECK constraint failed: status",
        );
        refused(
            db,
            conn,
            &intent(4, "NULL", "'pending'"),
            "NOT NULL constraint failed: intents.kind",
        );
    });
}

#[test]
fn learned_aliases_name_a_real_product() {
    // Learned aliases came with v2, so a v1 database has them only through
    // the migration.
    each_db(|db, conn| {
        accepted(
            db,
            conn,
            "INSERT INTO learned_aliases (phrase, sku, learned_at, helper)
             VALUES ('红富士', 'APPLE', 0, 'tester')",
        );
        refused(
            db,
            conn,
            "INSERT INTO learned_aliases (phrase, sku, learned_at, helper)
             VALUES ('红富士', 'KIWI', 0, 'tester')",
            "UNIQUE constraint failed: learned_aliases.phrase",
        );
        refused(
            db,
            conn,
            "INSERT INTO learned_aliases (phrase, sku, learned_at, helper)
             VALUES ('金猕猴', 'NO-SUCH-SKU', 0, 'tester')",
            "FOREIGN KEY constraint failed",
        );
    });
}

/// A v1 shop that has been selling: the v4 migration rebuilds the intents
/// table and adds the products' sold and money counters; every intent keeps
/// its decision and the counters start from the orders already there.
#[test]
fn a_selling_v1_database_keeps_its_intents_and_counts_its_sales() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch(SCHEMA_V1).unwrap();
    conn.execute_batch(
        "INSERT INTO products (sku, name, link, price_fen, stock, position)
              VALUES ('apple', 'Apple', 1, 500, 7, 0);
         INSERT INTO intents (msg_id, idx, user, kind, sku, qty, status, received_at, order_id)
              VALUES ('m1', 0, 'ann', 'order', 'apple', 2, 'confirmed', 1, 1),
                     ('m2', 0, 'bob', 'order', 'apple', 1, 'confirmed', 2, 2),
                     ('m3', 0, 'cy', 'order', 'apple', 4, 'pending', 3, NULL);
         INSERT INTO orders (msg_id, user, buyer, sku, qty, unit_price_fen, status,
                             confirmed_at, helper)
              VALUES ('m1', 'ann', 'name:ann', 'apple', 2, 500, 'confirmed', 1, 'h'),
                     ('m2', 'bob', 'name:bob', 'apple', 1, 450, 'cancelled', 2, 'h');",
    )
    .unwrap();
    drop(conn);
    drop(Store::open(&path, &orchard()).expect("migrates"));
    let conn = raw(&path);
    let (sold, revenue): (i64, i64) = conn
        .query_row(
            "SELECT sold, revenue_fen FROM products WHERE sku = 'apple'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(
        (sold, revenue),
        (2, 1000),
        "the cancelled order is not counted"
    );
    let statuses: Vec<(String, String)> = conn
        .prepare("SELECT msg_id, status FROM intents ORDER BY msg_id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        statuses,
        [
            ("m1".to_string(), "confirmed".to_string()),
            ("m2".to_string(), "confirmed".to_string()),
            ("m3".to_string(), "pending".to_string())
        ]
    );
    // The new state is allowed, an unknown one still is not.
    accepted(
        "migrated",
        &conn,
        "UPDATE intents SET status = 'waitlisted' WHERE msg_id = 'm3'",
    );
    refused(
        "migrated",
        &conn,
        "UPDATE intents SET status = 'lost' WHERE msg_id = 'm3'",
        "CHECK constraint failed",
    );
}
