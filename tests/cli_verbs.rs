//! The command line as people type it: the reading verbs on a mistyped
//! `--db`, and the flags that only make sense together. Runs the real binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

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
