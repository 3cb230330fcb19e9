//! The command line as people type it: the reading verbs on a mistyped
//! `--db`, and the flags that only make sense together. Runs the real binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod chat_server;
mod common;
use chat_server::chat_server;

fn shop() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/shop-small.toml")
}

fn livestall(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_livestall"))
        .args(args)
        .output()
        .unwrap()
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Runs a reading verb on a database that is not there and checks that it
/// fails with one line naming the path, and leaves no file behind.
fn refuses_missing_database(verb: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let typo = dir.path().join("ordres.db");
    let config = shop();
    let mut args = verb.to_vec();
    args.extend([
        "--config",
        config.to_str().unwrap(),
        "--db",
        typo.to_str().unwrap(),
    ]);
    let out = livestall(&args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{verb:?} succeeded on a missing db");
    assert_eq!(
        stderr.trim_end().lines().count(),
        1,
        "one line of error: {stderr}"
    );
    assert!(
        stderr.contains(typo.to_str().unwrap()),
        "the error names the path: {stderr}"
    );
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(
        files_in(dir.path()),
        Vec::<String>::new(),
        "{verb:?} created files"
    );
}

#[test]
fn inventory_on_a_missing_database_creates_nothing() {
    refuses_missing_database(&["inventory"]);
    refuses_missing_database(&["inventory", "--format", "json"]);
}

#[test]
fn orders_export_on_a_missing_database_creates_nothing() {
    refuses_missing_database(&["orders", "export"]);
    // Not even the output file: there is nothing to put in it.
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("orders.csv");
    refuses_missing_database(&["orders", "export", "--out", csv.to_str().unwrap()]);
    assert!(!csv.exists());
}

#[test]
fn reading_verbs_still_read_an_existing_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("orders.db");
    let catalog = livestall::config::load(&shop()).unwrap().catalog;
    drop(livestall::store::Store::open(&db, &catalog).unwrap());

    let config = shop();
    let common = [
        "--config",
        config.to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
    ];
    let out = livestall(&[&["inventory", "--format", "json"][..], &common].concat());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows.as_array().map(Vec::len), Some(3), "{rows}");

    let out = livestall(&[&["orders", "export"][..], &common].concat());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = String::from_utf8(out.stdout).unwrap();
    assert_eq!(csv.lines().count(), 1, "header only: {csv}");
}

#[test]
fn auto_confirm_without_headless_is_refused_by_the_parser() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("orders.db");
    let config = shop();
    let out = livestall(&[
        "run",
        "--auto-confirm",
        "--config",
        config.to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "a usage error: {stderr}");
    assert!(
        stderr.contains("--headless"),
        "says what is missing: {stderr}"
    );
    assert_eq!(files_in(dir.path()), Vec::<String>::new(), "ran anyway");
}

#[test]
fn helper_before_a_verb_is_refused_rather_than_dropped() {
    let out = livestall(&["--helper", "anna", "demo"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("livestall demo --helper"), "{stderr}");
}

/// Polls the database (read-only) until `query`'s first column answers
/// something, or gives up after a while.
fn wait_for_rows(db: &Path, query: &str) -> Vec<String> {
    use rusqlite::{Connection, OpenFlags};
    use std::time::{Duration, Instant};
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(20) {
        let rows =
            Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY).and_then(|conn| {
                let mut stmt = conn.prepare(query)?;
                let rows = stmt.query_map([], |row| row.get::<_, String>(0))?;
                rows.collect::<Result<Vec<String>, _>>()
            });
        if let Ok(rows) = rows {
            if !rows.is_empty() {
                return rows;
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Vec::new()
}

/// Runs a TUI verb on a pseudo-terminal (util-linux `script`), presses `y`
/// once an intent is in, then `q`, and returns the names recorded as the
/// deciding helper. `None` when `script` is not installed.
fn helpers_recorded_by_one_keypress(
    verb: &[&str],
    config: &Path,
    db: &Path,
) -> Option<Vec<String>> {
    use std::io::Write;
    use std::process::Stdio;
    use std::time::Duration;
    if Command::new("script").arg("--version").output().is_err() {
        let _ = writeln!(
            std::io::stderr(),
            "notice: util-linux `script` not found; skipping the TUI --helper test"
        );
        return None;
    }
    let command = format!(
        "stty rows 40 cols 120; exec '{}' {} --config '{}' --db '{}'",
        env!("CARGO_BIN_EXE_livestall"),
        verb.join(" "),
        config.display(),
        db.display()
    );
    let mut child = Command::new("script")
        .args(["-qefc", &command, "/dev/null"])
        .stdin(Stdio::piped())
        // The screen itself is not looked at; the database tells what happened.
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut keys = child.stdin.take().unwrap();
    let pending = wait_for_rows(db, "SELECT msg_id FROM intents WHERE status = 'pending'");
    let helpers = if pending.is_empty() {
        Vec::new()
    } else {
        keys.write_all(b"y").unwrap();
        keys.flush().unwrap();
        wait_for_rows(
            db,
            "SELECT DISTINCT helper FROM intents WHERE helper IS NOT NULL",
        )
    };
    let _ = keys.write_all(b"q");
    let _ = keys.flush();
    // Returns as soon as the screen quits; the limit only catches a hang.
    let status = common::wait_or_kill(&mut child, Duration::from_secs(30));
    assert!(!pending.is_empty(), "no intent reached the database");
    assert!(
        status.is_some_and(|s| s.success()),
        "the screen did not quit cleanly on q: {status:?}"
    );
    Some(helpers)
}

fn shop_with_chat_on(dir: &Path, port: u16) -> PathBuf {
    let shop = std::fs::read_to_string(shop()).unwrap().replace(
        "ws://127.0.0.1:9/chat",
        &format!("ws://127.0.0.1:{port}/chat"),
    );
    let path = dir.join("shop.toml");
    std::fs::write(&path, shop).unwrap();
    path
}

#[test]
fn the_screens_record_the_helper_given_on_the_command_line() {
    const CHAT: &[(&str, &str, &str)] = &[("t1", "李姐", "小米来两袋")];
    let rt = tokio::runtime::Runtime::new().unwrap();
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let port = listener.local_addr().unwrap().port();
    rt.spawn(chat_server(listener, CHAT));

    for (verb, name) in [
        (&["run", "--helper", "anna"][..], "anna"),
        (&["--helper", "bob"][..], "bob"),
        // The demo brings its own simulated chat.
        (&["demo", "--helper", "carol"][..], "carol"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let config = shop_with_chat_on(dir.path(), port);
        let db = dir.path().join("orders.db");
        let Some(helpers) = helpers_recorded_by_one_keypress(verb, &config, &db) else {
            return;
        };
        assert_eq!(helpers, [name], "{verb:?}");
    }
}

/// Runs the binary with stdin.
fn livestall_with_input(args: &[&str], input: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_livestall"))
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn learned_aliases_are_added_listed_used_by_parse_db_and_removed() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    let config = shop();
    let base = [
        "--config",
        config.to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
    ];
    let run = |extra: &[&str]| {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        livestall(&args)
    };
    // Listing a database that does not exist creates nothing.
    assert!(!run(&["aliases"]).status.success());
    assert!(!db.exists());

    let sku = first_sku();
    let added = run(&["aliases", "add", "金谷子", &sku, "--helper", "小王"]);
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let unknown = run(&["aliases", "add", "金谷子", "NO-SUCH-SKU"]);
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("NO-SUCH-SKU"));

    let json = run(&["aliases", "list", "--format", "json"]);
    let list: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(list[0]["phrase"], "金谷子");
    assert_eq!(list[0]["sku"], sku.as_str());
    assert_eq!(list[0]["helper"], "小王");

    let line = "{\"id\":\"m1\",\"user\":\"u\",\"text\":\"金谷子来两袋\"}\n";
    let plain = livestall_with_input(&["--config", config.to_str().unwrap(), "parse"], line);
    let plain: serde_json::Value = serde_json::from_slice(&plain.stdout).unwrap();
    assert_eq!(
        plain["intents"],
        serde_json::json!([]),
        "catalog alone without --db"
    );
    let before = std::fs::read(&db).unwrap();
    let learned = livestall_with_input(&[&base[..], &["parse"]].concat(), line);
    let learned: serde_json::Value = serde_json::from_slice(&learned.stdout).unwrap();
    assert_eq!(learned["intents"][0]["sku"], sku.as_str());
    assert_eq!(learned["intents"][0]["qty"], 2);
    assert_eq!(
        std::fs::read(&db).unwrap(),
        before,
        "parse --db wrote to the database"
    );

    assert!(run(&["aliases", "remove", "金谷子"]).status.success());
    assert!(!run(&["aliases", "remove", "金谷子"]).status.success());
    let empty = run(&["aliases", "list", "--format", "json"]);
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&empty.stdout).unwrap(),
        serde_json::json!([])
    );
}

fn first_sku() -> String {
    let config = livestall::config::load(&shop()).unwrap();
    config.catalog.products[0].sku.clone()
}
