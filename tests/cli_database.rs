//! The verbs that work on a database without a screen. The reading ones
//! (`inventory`, `orders list`, `orders export`) never write: no byte of the
//! database changes, no file appears beside it (no write-ahead log, no log
//! file), an edited config changes nothing stored, and `--db` alone is
//! enough. The changing ones (`inventory set/add`, `orders cancel`, `orders
//! set-qty`) commit one change each, stock moved with it, and record who.

mod common;
use common::snapshot;
use livestall::catalog::{Catalog, Product};
use livestall::intent::IntentKind;
use livestall::store::{wait, ConfirmRequest, IntentKey, NewIntent, Store};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn catalog() -> Catalog {
    Catalog::new(vec![Product {
        sku: "MILLET".into(),
        name: "黄小米".into(),
        aliases: vec![],
        link: 1,
        unit: "袋".into(),
        price_fen: 3990,
        stock: 10,
        limit_per_buyer: None,
    }])
}

/// A database with one confirmed order of 2, closed cleanly.
fn database(dir: &Path) -> PathBuf {
    let db = dir.join("shop.db");
    let (store, _) = Store::open(&db, &catalog()).unwrap();
    order(&store, "m1", "李姐", 2);
    drop(store);
    db
}

/// Records and confirms an order of `qty` bags of millet.
fn order(store: &Store, msg_id: &str, user: &str, qty: u32) {
    let key = IntentKey {
        msg_id: msg_id.into(),
        index: 0,
    };
    store.record_intents(vec![NewIntent {
        key: key.clone(),
        source: "json".into(),
        user: user.into(),
        user_id: None,
        text: "小米".into(),
        kind: IntentKind::Order,
        sku: Some("MILLET".into()),
        qty: Some(qty),
        confidence: 0.9,
        received_at_ms: 1,
        note: None,
    }]);
    wait(store.confirm(ConfirmRequest {
        key,
        kind: IntentKind::Order,
        user: user.into(),
        user_id: None,
        sku: Some("MILLET".into()),
        qty: Some(qty),
        helper: "tester".into(),
    }))
    .unwrap();
}

/// Runs livestall in `dir` (which holds no config.toml).
fn livestall(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_livestall"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

fn names(files: &[(String, Vec<u8>)]) -> Vec<&str> {
    files.iter().map(|(n, _)| n.as_str()).collect()
}

fn stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

#[test]
fn reports_from_db_alone_change_no_byte_and_create_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path());
    let before = snapshot(dir.path());
    assert_eq!(names(&before), ["shop.db"], "closed cleanly: no log left");

    let inventory = stdout(&livestall(
        dir.path(),
        &["inventory", "--format", "json", "--db", "shop.db"],
    ));
    let rows: serde_json::Value = serde_json::from_str(&inventory).unwrap();
    assert_eq!(
        (
            rows[0]["sku"].as_str(),
            rows[0]["stock"].as_i64(),
            rows[0]["sold"].as_i64()
        ),
        (Some("MILLET"), Some(8), Some(2))
    );
    let csv = stdout(&livestall(
        dir.path(),
        &["orders", "export", "--db", "shop.db"],
    ));
    assert!(
        csv.contains("李姐") && csv.contains("黄小米") && csv.contains("79.80"),
        "{csv}"
    );
    let elsewhere = tempfile::tempdir().unwrap();
    let book = elsewhere.path().join("orders.xlsx");
    stdout(&livestall(
        dir.path(),
        &[
            "orders",
            "export",
            "--format",
            "xlsx",
            "--since",
            "2000-01-01",
            "--out",
            book.to_str().unwrap(),
            "--db",
            "shop.db",
        ],
    ));
    assert!(
        std::fs::read(&book).unwrap().starts_with(b"PK"),
        "a workbook"
    );

    let after = snapshot(dir.path());
    assert_eq!(names(&after), names(&before), "no file appeared");
    assert!(after == before, "the database's bytes changed");
    assert!(db.exists());
}

#[test]
fn an_edited_config_changes_nothing_a_report_reads() {
    let dir = tempfile::tempdir().unwrap();
    database(dir.path());
    // The same shop with the price edited and the SKU renamed.
    std::fs::write(
        dir.path().join("edited.toml"),
        "[shop]\nname = \"x\"\n[store]\npath = \"shop.db\"\n\
         [[products]]\nsku = \"MILLET-NEW\"\nname = \"新小米\"\nlink = 1\nunit = \"袋\"\nprice = 99\nstock = 500\n",
    )
    .unwrap();
    let before = snapshot(dir.path());
    let inventory = stdout(&livestall(
        dir.path(),
        &["inventory", "--format", "json", "--config", "edited.toml"],
    ));
    let rows: serde_json::Value = serde_json::from_str(&inventory).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(
        rows.len(),
        1,
        "no product appears from the config: {rows:?}"
    );
    assert_eq!(
        (rows[0]["sku"].as_str(), rows[0]["stock"].as_i64()),
        (Some("MILLET"), Some(8))
    );
    assert!(
        snapshot(dir.path()) == before,
        "a report changed the folder"
    );
}

#[test]
fn what_is_not_a_livestall_database_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("empty.db"), b"").unwrap();
    let newer = dir.path().join("newer.db");
    {
        let conn = rusqlite::Connection::open(&newer).unwrap();
        conn.execute_batch("CREATE TABLE products (sku TEXT); PRAGMA user_version = 99;")
            .unwrap();
    }
    let before = snapshot(dir.path());
    for (db, says) in [
        ("empty.db", "not a livestall database"),
        ("newer.db", "newer livestall"),
        ("missing.db", "no database there"),
    ] {
        for verb in [
            &["inventory", "--db", db][..],
            &["orders", "export", "--db", db][..],
        ] {
            let out = livestall(dir.path(), verb);
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(!out.status.success(), "{verb:?} succeeded");
            assert!(err.contains(says) && err.contains(db), "{verb:?}: {err}");
        }
    }
    assert!(
        snapshot(dir.path()) == before,
        "a refused report changed the folder"
    );
}

#[test]
fn a_report_reads_a_database_a_running_livestall_holds_open() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path());
    // A running screen keeps the database open (its write-ahead log exists).
    let (store, _) = Store::open(&db, &catalog()).unwrap();
    order(&store, "m2", "Tom", 3);
    let files = names(&snapshot(dir.path()))
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>();
    let csv = stdout(&livestall(
        dir.path(),
        &["orders", "export", "--db", "shop.db"],
    ));
    assert!(
        csv.contains("Tom"),
        "the running store's commit is read: {csv}"
    );
    let after: Vec<String> = names(&snapshot(dir.path()))
        .into_iter()
        .map(String::from)
        .collect();
    assert_eq!(after, files);
    drop(store);
}

/// `inventory set` and `inventory add`: a count and a restock on `--db`
/// alone, each committed with who did it; never below zero, never an
/// unknown product, never on a file that is not a livestall database.
#[test]
fn stock_is_set_and_restocked_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    database(dir.path());
    let said = stdout(&livestall(
        dir.path(),
        &[
            "inventory",
            "set",
            "MILLET",
            "3",
            "--helper",
            "小王",
            "--db",
            "shop.db",
        ],
    ));
    assert_eq!(said.trim(), "MILLET: stock 8 -> 3");
    let said = stdout(&livestall(
        dir.path(),
        &["inventory", "add", "MILLET", "20", "--db", "shop.db"],
    ));
    assert_eq!(said.trim(), "MILLET: stock 3 -> 23");
    let said = stdout(&livestall(
        dir.path(),
        &["inventory", "add", "MILLET", "-5", "--db", "shop.db"],
    ));
    assert_eq!(said.trim(), "MILLET: stock 23 -> 18");

    for (args, says) in [
        (&["inventory", "add", "MILLET", "-19"][..], "below zero"),
        (&["inventory", "set", "MILLET", "-1"][..], "below zero"),
        (
            &["inventory", "set", "WALNUT", "5"][..],
            "unknown product WALNUT",
        ),
    ] {
        let out = livestall(dir.path(), &[args, &["--db", "shop.db"]].concat());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success() && err.contains(says),
            "{args:?}: {err}"
        );
    }
    let conn = rusqlite::Connection::open(dir.path().join("shop.db")).unwrap();
    let stock: i64 = conn
        .query_row("SELECT stock FROM products WHERE sku = 'MILLET'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(stock, 18, "refused changes wrote nothing");
    let events: Vec<(String, String, String)> = conn
        .prepare("SELECT helper, action, detail FROM events WHERE action LIKE 'stock%' ORDER BY event_id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        events,
        [
            ("小王".into(), "stock_set".into(), "MILLET 8 -> 3".into()),
            ("helper".into(), "stock_add".into(), "MILLET 3 -> 23".into()),
            (
                "helper".into(),
                "stock_add".into(),
                "MILLET 23 -> 18".into()
            ),
        ]
    );

    std::fs::write(dir.path().join("empty.db"), b"").unwrap();
    let out = livestall(
        dir.path(),
        &["inventory", "set", "MILLET", "1", "--db", "empty.db"],
    );
    assert!(!out.status.success());
    assert_eq!(
        std::fs::read(dir.path().join("empty.db")).unwrap(),
        b"",
        "not migrated"
    );
}

fn stock(dir: &Path) -> i64 {
    rusqlite::Connection::open(dir.join("shop.db"))
        .unwrap()
        .query_row("SELECT stock FROM products WHERE sku = 'MILLET'", [], |r| {
            r.get(0)
        })
        .unwrap()
}

/// Orders listed (read-only, filtered) and put right by their number:
/// a quantity changed, then the order cancelled, stock following each time.
#[test]
fn orders_are_listed_and_put_right_by_number() {
    let dir = tempfile::tempdir().unwrap();
    database(dir.path());
    let before = snapshot(dir.path());
    let table = stdout(&livestall(
        dir.path(),
        &["orders", "list", "--db", "shop.db"],
    ));
    assert!(
        table.lines().count() == 2 && table.contains("李姐") && table.contains("79.80"),
        "{table}"
    );
    let none = stdout(&livestall(
        dir.path(),
        &[
            "orders", "list", "--db", "shop.db", "--buyer", "Tom", "--format", "json",
        ],
    ));
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&none).unwrap(),
        serde_json::json!([])
    );
    assert!(snapshot(dir.path()) == before, "listing wrote");

    let said = stdout(&livestall(
        dir.path(),
        &[
            "orders", "set-qty", "1", "5", "--helper", "小王", "--db", "shop.db",
        ],
    ));
    assert_eq!(said.trim(), "order 1: MILLET x5; 5 left");
    assert_eq!(stock(dir.path()), 5);
    let out = livestall(
        dir.path(),
        &["orders", "set-qty", "1", "11", "--db", "shop.db"],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("out of stock"),
        "{err}"
    );

    let said = stdout(&livestall(
        dir.path(),
        &["orders", "cancel", "1", "--db", "shop.db"],
    ));
    assert_eq!(
        said.trim(),
        "order 1: cancelled (MILLET x5 back in stock); 10 left"
    );
    assert_eq!(stock(dir.path()), 10);
    for args in [
        &["orders", "cancel", "1"][..],
        &["orders", "set-qty", "1", "2"][..],
        &["orders", "cancel", "7"][..],
    ] {
        let out = livestall(dir.path(), &[args, &["--db", "shop.db"]].concat());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success() && err.contains("no confirmed order"),
            "{args:?}: {err}"
        );
    }
    assert_eq!(stock(dir.path()), 10, "refusals moved no stock");

    let cancelled = stdout(&livestall(
        dir.path(),
        &[
            "orders",
            "list",
            "--db",
            "shop.db",
            "--status",
            "cancelled",
            "--format",
            "json",
        ],
    ));
    let rows: serde_json::Value = serde_json::from_str(&cancelled).unwrap();
    assert_eq!(
        (rows[0]["order_id"].as_i64(), rows[0]["qty"].as_u64()),
        (Some(1), Some(5))
    );
    let conn = rusqlite::Connection::open(dir.path().join("shop.db")).unwrap();
    let events: Vec<(String, String, String)> = conn
        .prepare("SELECT helper, action, detail FROM events WHERE order_id = 1 AND action LIKE 'order_%' ORDER BY event_id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        events,
        [
            (
                "小王".into(),
                "order_changed".into(),
                "MILLET x2 -> x5".into()
            ),
            (
                "helper".into(),
                "order_cancelled".into(),
                "MILLET x5".into()
            ),
        ]
    );
}

#[test]
fn a_chinese_locale_is_told_why_a_database_cannot_be_read_in_chinese() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("empty.db"), b"").unwrap();
    for (db, says) in [
        ("empty.db", "不是 livestall 的数据库"),
        ("missing.db", "没有数据库"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_livestall"))
            .current_dir(dir.path())
            .env("LANG", "zh_CN.UTF-8")
            .args(["inventory", "--db", db])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success());
        assert!(err.contains(says) && err.contains(db), "{db}: {err}");
        // The technical detail stays, for whoever helps.
        assert!(err.contains("详情"), "{db}: {err}");
    }
    // An English locale keeps the English sentence alone.
    let out = Command::new(env!("CARGO_BIN_EXE_livestall"))
        .current_dir(dir.path())
        .env("LANG", "en_US.UTF-8")
        .args(["inventory", "--db", "empty.db"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not a livestall database") && !err.contains("详情"));
}
