//! The order book's verbs on a real database through the real binary:
//! `sale start|end|list`, `audit`, `orders list --status waitlisted`, and
//! retired products in `inventory`. The reading ones change no byte and
//! create no file; `--db` alone is enough for all of them.

mod common;
use common::snapshot;
use livestall::catalog::{Catalog, Product};
use livestall::intent::IntentKind;
use livestall::store::{wait, ConfirmRequest, IntentKey, NewIntent, Refusal, Store};
use std::path::Path;
use std::process::{Command, Output};

fn product(sku: &str, link: u32, stock: i64) -> Product {
    Product {
        sku: sku.into(),
        name: format!("{sku}名"),
        aliases: vec![],
        link,
        unit: "盒".into(),
        price_fen: 8800,
        stock,
        limit_per_buyer: None,
    }
}

fn order(store: &Store, msg_id: &str, user: &str, sku: &str, qty: u32) -> Result<(), Refusal> {
    let key = IntentKey {
        msg_id: msg_id.into(),
        index: 0,
    };
    wait(store.record(vec![NewIntent {
        key: key.clone(),
        source: "json".into(),
        user: user.into(),
        user_id: None,
        text: "来一盒".into(),
        kind: IntentKind::Order,
        sku: Some(sku.into()),
        qty: Some(qty),
        confidence: 0.9,
        received_at_ms: 1,
        note: None,
    }]))
    .unwrap();
    wait(store.confirm(ConfirmRequest {
        key,
        kind: IntentKind::Order,
        user: user.into(),
        user_id: None,
        sku: Some(sku.into()),
        qty: Some(qty),
        helper: "tester".into(),
    }))
    .map(drop)
}

fn livestall(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_livestall"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn sales_waitlists_audit_and_retired_products_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    {
        let (store, _) = Store::open(
            &db,
            &Catalog::new(vec![product("GIFT", 1, 1), product("OLD", 2, 5)]),
        )
        .unwrap();
        order(&store, "m1", "阿", "GIFT", 1).unwrap();
        assert!(matches!(
            order(&store, "m2", "宝", "GIFT", 1),
            Err(Refusal::Waitlisted { place: 1, .. })
        ));
        order(&store, "m3", "春", "OLD", 2).unwrap();
        order(&store, "m4", "阿", "OLD", 1).unwrap();
    }
    // OLD leaves the config: its order stays, and it is shown as retired.
    drop(Store::open(&db, &Catalog::new(vec![product("GIFT", 1, 1)])).unwrap());

    let started = ok(livestall(
        dir.path(),
        &[
            "sale",
            "start",
            "GIFT",
            "--qty",
            "5",
            "--price",
            "19.9",
            "--minutes",
            "10",
            "--db",
            "shop.db",
            "--helper",
            "小王",
        ],
    ));
    assert!(started.contains("GIFT x5 at 19.90"), "{started}");
    let again = livestall(
        dir.path(),
        &[
            "sale",
            "start",
            "GIFT",
            "--qty",
            "5",
            "--price",
            "19.9",
            "--minutes",
            "10",
            "--db",
            "shop.db",
        ],
    );
    assert!(!again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("already running"),
        "{again:?}"
    );
    let bad_price = livestall(
        dir.path(),
        &[
            "sale",
            "start",
            "GIFT",
            "--qty",
            "5",
            "--price",
            "19.999",
            "--minutes",
            "1",
        ],
    );
    assert!(!bad_price.status.success());

    let before = snapshot(dir.path());
    let inventory: serde_json::Value = serde_json::from_str(&ok(livestall(
        dir.path(),
        &["inventory", "--format", "json", "--db", "shop.db"],
    )))
    .unwrap();
    assert_eq!(inventory[0]["sale"]["price"], "19.90");
    assert_eq!(inventory[0]["retired"], false);
    assert_eq!(
        (
            inventory[1]["sku"].as_str(),
            inventory[1]["retired"].as_bool(),
            inventory[1]["sold"].as_i64()
        ),
        (Some("OLD"), Some(true), Some(3))
    );
    let table = ok(livestall(dir.path(), &["inventory", "--db", "shop.db"]));
    assert!(table.contains("retired"), "{table}");

    let waitlist: serde_json::Value = serde_json::from_str(&ok(livestall(
        dir.path(),
        &[
            "orders",
            "list",
            "--status",
            "waitlisted",
            "--format",
            "json",
            "--db",
            "shop.db",
        ],
    )))
    .unwrap();
    assert_eq!(waitlist.as_array().map(Vec::len), Some(1));
    assert_eq!(
        (
            waitlist[0]["msg_id"].as_str(),
            waitlist[0]["place"].as_u64()
        ),
        (Some("m2"), Some(1))
    );

    let audit: serde_json::Value = serde_json::from_str(&ok(livestall(
        dir.path(),
        &["audit", "--format", "json", "--db", "shop.db"],
    )))
    .unwrap();
    let actions: Vec<(&str, &str)> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["action"].as_str().unwrap(), a["helper"].as_str().unwrap()))
        .collect();
    assert_eq!(
        actions,
        [
            ("created", "tester"),
            ("waitlisted", "tester"),
            ("created", "tester"),
            ("created", "tester"),
            ("sale_started", "小王")
        ]
    );
    assert_eq!(audit[4]["after"]["price_fen"], 1990);
    // Carts: each buyer's orders together, in the order they first bought.
    let carts: serde_json::Value = serde_json::from_str(&ok(livestall(
        dir.path(),
        &[
            "orders", "list", "--by", "buyer", "--format", "json", "--db", "shop.db",
        ],
    )))
    .unwrap();
    let carts: Vec<(&str, u64, &str, &str)> = carts
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["user"].as_str().unwrap(),
                c["units"].as_u64().unwrap(),
                c["total"].as_str().unwrap(),
                c["items"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        carts,
        [
            ("阿", 2, "176.00", "GIFT名 x1, OLD名 x1"),
            ("春", 2, "176.00", "OLD名 x2")
        ]
    );
    let table = ok(livestall(dir.path(), &["audit", "--db", "shop.db"]));
    assert!(
        table.contains("sale_started") && table.contains("小王"),
        "{table}"
    );
    let sales = ok(livestall(dir.path(), &["sale", "list", "--db", "shop.db"]));
    assert!(sales.contains("running"), "{sales}");
    assert!(
        snapshot(dir.path()) == before,
        "a report changed the folder"
    );

    let ended = ok(livestall(
        dir.path(),
        &["sale", "end", "GIFT", "--db", "shop.db"],
    ));
    assert!(ended.starts_with("ended"), "{ended}");
}

/// Runs the binary as a user who may not write `dir` nor the files in it:
/// as ourselves when we are not root (the folder and file made read-only),
/// as `nobody` through setpriv when we are (root writes anything). `None`
/// when that is not possible here.
fn livestall_without_write(dir: &Path, args: &[&str]) -> Option<Output> {
    use std::os::unix::fs::PermissionsExt;
    let uid = Command::new("id").arg("-u").output().ok()?;
    let root = String::from_utf8_lossy(&uid.stdout).trim() == "0";
    let readable_only = |path: &Path, mode: u32| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap()
    };
    for entry in std::fs::read_dir(dir).unwrap() {
        readable_only(&entry.unwrap().path(), 0o444);
    }
    readable_only(dir, 0o555);
    let mut command = if root {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(env!("CARGO_BIN_EXE_livestall"));
        c
    } else {
        Command::new(env!("CARGO_BIN_EXE_livestall"))
    };
    let out = command.current_dir(dir).args(args).output().ok();
    readable_only(dir, 0o755);
    out
}

#[test]
fn a_read_only_database_is_refused_by_name_and_nothing_changes() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    {
        let (store, _) = Store::open(&db, &Catalog::new(vec![product("GIFT", 1, 5)])).unwrap();
        order(&store, "m1", "阿", "GIFT", 1).unwrap();
    }
    let before = snapshot(dir.path());
    let db_arg = db.to_str().unwrap();
    let Some(out) = livestall_without_write(
        dir.path(),
        &["inventory", "add", "GIFT", "5", "--db", db_arg],
    ) else {
        eprintln!(
            "skipped: cannot run livestall as a user without write access here (no setpriv?)"
        );
        return;
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    if stderr.contains("setpriv") {
        eprintln!("skipped: setpriv cannot switch users here: {stderr}");
        return;
    }
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("read-only") && stderr.contains("shop.db"),
        "names the file and says what is wrong: {stderr}"
    );
    assert!(snapshot(dir.path()) == before, "nothing changed");
    // Reading still works: the orders are there to export and pack.
    let listed = livestall_without_write(dir.path(), &["orders", "list", "--db", db_arg]).unwrap();
    assert!(
        listed.status.success(),
        "{}",
        String::from_utf8_lossy(&listed.stderr)
    );
    assert!(String::from_utf8_lossy(&listed.stdout).contains("GIFT"));
}
