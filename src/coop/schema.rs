//! The co-op database's schema, versioned like the station's SQLite one:
//! `MIGRATIONS[n]` takes a database from version n to n + 1, each applied
//! in its own transaction under an advisory lock, so stations starting at
//! the same moment migrate it once. A database from a newer livestall is
//! refused, never touched.

use super::CoopError;

/// The version this build writes and reads.
pub const VERSION: i32 = MIGRATIONS.len() as i32;

/// Taken for the whole migration, so two stations never migrate at once.
const MIGRATION_LOCK: i64 = 0x6c69_7665_7374_616c; // "livestal"

/// Each station's local SQLite stays its own store and outbox; this is
/// what the co-op shares. Names of stations and desks are the keys of
/// everything a station pushes: a push repeated changes nothing.
const MIGRATIONS: &[&str] = &[
    // v1: stations and their desks, the stock pool and its allocations,
    // the orders and audit rows pushed, and the shared inbox's decisions.
    r#"
    CREATE TABLE stations (
        station    text PRIMARY KEY,
        first_seen timestamptz NOT NULL DEFAULT now(),
        last_seen  timestamptz NOT NULL DEFAULT now(),
        -- The SKU the station's screens put on air, NULL before any.
        on_air     text
    );

    -- One laptop of a station: its own SQLite file, its own outbox and
    -- allocation. `desk` is made once per local database.
    CREATE TABLE desks (
        station    text NOT NULL REFERENCES stations (station),
        desk       text NOT NULL,
        helper     text NOT NULL DEFAULT '',
        first_seen timestamptz NOT NULL DEFAULT now(),
        last_seen  timestamptz NOT NULL DEFAULT now(),
        -- The last local audit row applied here: a push resumes after it.
        pushed_seq bigint NOT NULL DEFAULT 0 CHECK (pushed_seq >= 0),
        PRIMARY KEY (station, desk)
    );

    -- The co-op's stock of a product not yet handed to any desk. Seeded
    -- once, by the first station that brings the product.
    CREATE TABLE products (
        sku        text PRIMARY KEY,
        name       text NOT NULL,
        unit       text NOT NULL DEFAULT '',
        price_fen  bigint NOT NULL CHECK (price_fen >= 0),
        pool       bigint NOT NULL CHECK (pool >= 0),
        seeded_by  text NOT NULL,
        seeded_at  timestamptz NOT NULL DEFAULT now()
    );

    -- Escrow: what a desk took from the pool and gave back, as totals that
    -- only grow, so a desk can always tell what it holds (granted -
    -- returned - what it sold) and a repeated give-back is a no-op.
    CREATE TABLE allocations (
        station  text NOT NULL,
        desk     text NOT NULL,
        sku      text NOT NULL REFERENCES products (sku),
        granted  bigint NOT NULL DEFAULT 0 CHECK (granted >= 0),
        returned bigint NOT NULL DEFAULT 0 CHECK (returned >= 0 AND returned <= granted),
        PRIMARY KEY (station, desk, sku),
        FOREIGN KEY (station, desk) REFERENCES desks (station, desk)
    );

    -- Every order as its desk last pushed it.
    CREATE TABLE orders (
        station      text NOT NULL,
        desk         text NOT NULL,
        order_id     bigint NOT NULL,
        msg_id       text NOT NULL,
        intent_index integer,
        user_name    text NOT NULL,
        user_id      text,
        sku          text NOT NULL,
        qty          integer NOT NULL CHECK (qty > 0),
        price_fen    bigint NOT NULL,
        status       text NOT NULL CHECK (status IN ('confirmed', 'cancelled')),
        helper       text NOT NULL,
        confirmed_at timestamptz NOT NULL,
        cancelled_at timestamptz,
        PRIMARY KEY (station, desk, order_id),
        FOREIGN KEY (station, desk) REFERENCES desks (station, desk)
    );
    CREATE INDEX orders_by_sku ON orders (sku, status);

    -- Every audit row of every desk, in its desk's order.
    CREATE TABLE events (
        station  text NOT NULL,
        desk     text NOT NULL,
        seq      bigint NOT NULL,
        at       timestamptz NOT NULL,
        helper   text NOT NULL,
        action   text NOT NULL,
        msg_id   text,
        idx      integer,
        order_id bigint,
        detail   text,
        -- What the row changed, as the station's audit trail has it (JSON).
        before_state text,
        after_state  text,
        PRIMARY KEY (station, desk, seq),
        FOREIGN KEY (station, desk) REFERENCES desks (station, desk)
    );

    -- The shared inbox: an intent of a station's chat is decided once,
    -- by whichever desk claims it first.
    CREATE TABLE decisions (
        station      text NOT NULL REFERENCES stations (station),
        msg_id       text NOT NULL,
        intent_index integer NOT NULL,
        desk         text NOT NULL,
        helper       text NOT NULL,
        decision     text NOT NULL CHECK (decision IN ('confirmed', 'rejected')),
        at           timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (station, msg_id, intent_index)
    );
    "#,
    // v2: the shared inbox followed in order (each decision numbered, with
    // what a laptop that never saw the message needs to keep it decided),
    // and each desk's backlog for the hub's lag.
    r#"
    ALTER TABLE decisions ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY;
    ALTER TABLE decisions ADD COLUMN user_name text NOT NULL DEFAULT '';
    ALTER TABLE decisions ADD COLUMN kind text NOT NULL DEFAULT 'order'
        CHECK (kind IN ('order', 'cancel', 'change'));
    ALTER TABLE decisions ADD COLUMN sku text;
    ALTER TABLE decisions ADD COLUMN qty integer;
    CREATE UNIQUE INDEX decisions_in_order ON decisions (station, seq);

    -- Stock a desk's helpers added to a product (a restock, a count), net:
    -- the desk holds granted + added - returned - sold, and gives back at
    -- most granted + added.
    ALTER TABLE allocations ADD COLUMN added bigint NOT NULL DEFAULT 0;
    -- v1's check was named by the server: found by what it says.
    DO $$
    DECLARE found text;
    BEGIN
        SELECT conname INTO found FROM pg_constraint
         WHERE conrelid = 'allocations'::regclass AND contype = 'c'
           AND pg_get_constraintdef(oid) LIKE '%returned <= granted%';
        IF found IS NOT NULL THEN
            EXECUTE format('ALTER TABLE allocations DROP CONSTRAINT %I', found);
        END IF;
    END $$;
    ALTER TABLE allocations ADD CONSTRAINT allocations_returned_held
        CHECK (returned >= 0 AND returned <= granted + added);

    -- Audit rows the desk had not pushed yet, as it last said.
    ALTER TABLE desks ADD COLUMN waiting bigint NOT NULL DEFAULT 0;
    "#,
];

/// Brings the co-op database to [`VERSION`]; refuses one a newer
/// livestall wrote. Returns the version found before migrating.
pub async fn migrate(client: &mut tokio_postgres::Client) -> Result<i32, CoopError> {
    let tx = client.transaction().await.map_err(CoopError::from_db)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await
        .map_err(CoopError::from_db)?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS livestall_schema (version integer NOT NULL)")
        .await
        .map_err(CoopError::from_db)?;
    let found: i32 = match tx
        .query_opt("SELECT version FROM livestall_schema", &[])
        .await
        .map_err(CoopError::from_db)?
    {
        Some(row) => row.get(0),
        None => {
            tx.execute("INSERT INTO livestall_schema (version) VALUES (0)", &[])
                .await
                .map_err(CoopError::from_db)?;
            0
        }
    };
    if found > VERSION {
        return Err(CoopError::NewerSchema {
            found,
            known: VERSION,
        });
    }
    for (from, sql) in MIGRATIONS.iter().enumerate().skip(found.max(0) as usize) {
        tx.batch_execute(sql).await.map_err(CoopError::from_db)?;
        tx.execute(
            "UPDATE livestall_schema SET version = $1",
            &[&(from as i32 + 1)],
        )
        .await
        .map_err(CoopError::from_db)?;
    }
    tx.commit().await.map_err(CoopError::from_db)?;
    Ok(found)
}
