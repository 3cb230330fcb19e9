//! `orders export` for packing and shipping, through the real binary on a
//! database the real store wrote: the xlsx workbook read back with calamine
//! (orders with real dates, a packing list per buyer, totals per product;
//! Chinese intact, chat text that looks like a formula kept as text), the
//! CSV's new columns after its old ones, the `--since/--until/--status`
//! window, and that exporting changes no byte of the database and leaves no
//! file beside it.
//!
//! The binary runs with `TZ=CST-8` (China, no daylight saving, named by rule
//! so no zone files are needed): local times below are +08:00.

mod common;
use calamine::{open_workbook, Data, Reader, Xlsx};
use common::snapshot;
use livestall::catalog::{Catalog, Product};
use livestall::commands::xlsx::{
    ORDERS_SHEET, PACKING_HEADER, PACKING_SHEET, PRODUCTS_HEADER, PRODUCTS_SHEET,
};
use livestall::intent::IntentKind;
use livestall::store::{
    wait, AmendTo, ConfirmRequest, IntentKey, NewIntent, OrderAmend, Store, ORDERS_CSV_HEADER,
};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const FORMULA_TEXT: &str = "=SUM(A1:A9) 来一袋小米";

fn product(sku: &str, name: &str, unit: &str, price_fen: i64, stock: i64) -> Product {
    Product {
        sku: sku.into(),
        name: name.into(),
        aliases: vec![],
        link: 1,
        unit: unit.into(),
        price_fen,
        stock,
        limit_per_buyer: None,
    }
}

fn catalog() -> Catalog {
    let mut products = vec![
        product("MILLET", "小米", "袋", 3990, 100),
        product("WALNUT", "核桃", "斤", 3500, 50),
        product("HONEY", "蜂蜜", "瓶", 5800, 10),
    ];
    for (link, p) in products.iter_mut().enumerate() {
        p.link = link as u32 + 1;
    }
    Catalog::new(products)
}

/// One chat message: its intents as (kind, sku, qty), recorded, then confirmed.
fn say(
    store: &Store,
    msg_id: &str,
    user: &str,
    user_id: Option<&str>,
    text: &str,
    received_at_ms: i64,
    intents: &[(IntentKind, &str, u32)],
) {
    let key = |index: usize| IntentKey {
        msg_id: msg_id.into(),
        index: index as u32,
    };
    store.record_intents(
        intents
            .iter()
            .enumerate()
            .map(|(index, (kind, sku, qty))| NewIntent {
                key: key(index),
                source: "douyin".into(),
                user: user.into(),
                user_id: user_id.map(str::to_string),
                text: text.into(),
                kind: *kind,
                sku: Some(sku.to_string()),
                qty: Some(*qty),
                confidence: 0.95,
                received_at_ms,
                note: None,
            })
            .collect(),
    );
    for (index, (kind, sku, qty)) in intents.iter().enumerate() {
        wait(store.confirm(ConfirmRequest {
            key: key(index),
            kind: *kind,
            user: user.into(),
            user_id: user_id.map(str::to_string),
            sku: Some(sku.to_string()),
            qty: Some(*qty),
            helper: "小王".into(),
        }))
        .unwrap_or_else(|e| panic!("{msg_id}/{index}: {e}"));
    }
}

/// Unix ms of a local (+08:00) time on December 2026.
fn at(day: u32, hour: u32, minute: u32) -> i64 {
    chrono::DateTime::parse_from_rfc3339(&format!(
        "2026-12-{day:02}T{hour:02}:{minute:02}:00+08:00"
    ))
    .unwrap()
    .timestamp_millis()
}

/// A shop's evening, written by the real store, then put at known times:
/// 1, 2  李姐 (id u1) "小米两袋，核桃一袋"   Dec 5 20:00
/// 3     Tom (no id), a formula-looking text, x1, changed by chat to x3
///       (10:05) and by number to x2 (10:10)  Dec 6 10:00
/// 4     李姐 again, now called 李姐姐          Dec 6 21:30
/// 5     王五 核桃 x3, cancelled at 09:30       Dec 7 09:00
fn database(dir: &Path) -> PathBuf {
    let db = dir.join("shop.db");
    let (store, _) = Store::open(&db, &catalog()).unwrap();
    use IntentKind::{Change, Order};
    say(
        &store,
        "m1",
        "李姐",
        Some("u1"),
        "小米两袋，核桃一袋",
        1,
        &[(Order, "MILLET", 2), (Order, "WALNUT", 1)],
    );
    say(
        &store,
        "m2",
        "Tom",
        None,
        FORMULA_TEXT,
        2,
        &[(Order, "MILLET", 1)],
    );
    say(
        &store,
        "m3",
        "Tom",
        None,
        "改成3袋",
        3,
        &[(Change, "MILLET", 3)],
    );
    say(
        &store,
        "m4",
        "李姐姐",
        Some("u1"),
        "再来一袋小米",
        4,
        &[(Order, "MILLET", 1)],
    );
    say(
        &store,
        "m5",
        "王五",
        None,
        "核桃 x3",
        5,
        &[(Order, "WALNUT", 3)],
    );
    for (order_id, to) in [(3, AmendTo::Qty(2)), (5, AmendTo::Cancel)] {
        wait(store.amend_order(OrderAmend {
            order_id,
            to,
            helper: "小王".into(),
        }))
        .unwrap();
    }
    drop(store);

    let conn = rusqlite::Connection::open(&db).unwrap();
    for (order_id, confirmed_at) in [
        (1, at(5, 20, 0)),
        (2, at(5, 20, 0)),
        (3, at(6, 10, 0)),
        (4, at(6, 21, 30)),
        (5, at(7, 9, 0)),
    ] {
        conn.execute(
            "UPDATE orders SET confirmed_at = ?2 WHERE order_id = ?1",
            [order_id, confirmed_at],
        )
        .unwrap();
    }
    conn.execute(
        "UPDATE orders SET cancelled_at = ?1 WHERE order_id = 5",
        [at(7, 9, 30)],
    )
    .unwrap();
    for (action, when) in [("changed", at(6, 10, 5)), ("order_changed", at(6, 10, 10))] {
        let changed = conn
            .execute(
                "UPDATE events SET at = ?2 WHERE order_id = 3 AND action = ?1",
                rusqlite::params![action, when],
            )
            .unwrap();
        assert_eq!(changed, 1, "one {action} event for order 3");
    }
    drop(conn);
    db
}

/// Runs livestall in `dir` with China's time zone.
fn livestall(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_livestall"))
        .current_dir(dir)
        .env("TZ", "CST-8")
        .args(args)
        .output()
        .unwrap()
}

fn succeeded(out: Output) -> Output {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A sheet as rows of cells, the header first.
fn sheet(path: &Path, name: &str) -> Vec<Vec<Data>> {
    let mut book: Xlsx<_> = open_workbook(path).unwrap();
    let range = book.worksheet_range(name).unwrap();
    assert_eq!(range.start(), Some((0, 0)), "{name} starts at A1");
    range.rows().map(<[Data]>::to_vec).collect()
}

fn text(cell: &Data) -> &str {
    match cell {
        Data::String(s) => s,
        Data::Empty => "",
        other => panic!("not text: {other:?}"),
    }
}

fn number(cell: &Data) -> f64 {
    match cell {
        Data::Float(n) => *n,
        Data::Int(n) => *n as f64,
        other => panic!("not a number: {other:?}"),
    }
}

/// A date cell as the local time it shows, "2026-12-05 20:00:00".
fn date(cell: &Data) -> String {
    let Data::DateTime(when) = cell else {
        panic!("not a date: {cell:?}");
    };
    assert!(when.is_datetime(), "{when:?}");
    // Excel's day 0 is 1899-12-30 (day 60 being its phantom 1900-02-29).
    let epoch = chrono::NaiveDate::from_ymd_opt(1899, 12, 30)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    let ms = (when.as_f64() * 86_400_000.0).round() as i64;
    (epoch + chrono::Duration::milliseconds(ms))
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

fn column(header: &[Data], name: &str) -> usize {
    header
        .iter()
        .position(|h| text(h) == name)
        .unwrap_or_else(|| panic!("no column {name}"))
}

#[test]
fn the_workbook_has_orders_a_packing_list_and_products() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = tempfile::tempdir().unwrap();
    database(dir.path());
    let book = out_dir.path().join("订单.xlsx");
    let before = snapshot(dir.path());
    succeeded(livestall(
        dir.path(),
        &[
            "orders",
            "export",
            "--format",
            "xlsx",
            "--out",
            book.to_str().unwrap(),
            "--db",
            "shop.db",
        ],
    ));
    assert!(
        snapshot(dir.path()) == before,
        "the export changed the database's folder"
    );

    let names = open_workbook::<Xlsx<_>, _>(&book).unwrap().sheet_names();
    assert_eq!(names, [ORDERS_SHEET, PACKING_SHEET, PRODUCTS_SHEET]);

    // Sheet 1: the CSV's columns, every order (cancelled ones too).
    let orders = sheet(&book, ORDERS_SHEET);
    let header = &orders[0];
    let header_names: Vec<&str> = header.iter().map(text).collect();
    assert_eq!(
        header_names,
        ORDERS_CSV_HEADER.split(',').collect::<Vec<_>>()
    );
    assert_eq!(orders.len(), 6, "a header and five orders");
    let cell = |order_id: usize, name: &str| &orders[order_id][column(header, name)];
    for (order_id, row) in orders.iter().enumerate().skip(1) {
        assert_eq!(number(&row[0]), order_id as f64);
    }
    assert_eq!(text(cell(1, "name")), "小米");
    assert_eq!(text(cell(1, "unit")), "袋");
    assert_eq!(text(cell(1, "user")), "李姐");
    assert_eq!(text(cell(1, "buyer")), "id:u1");
    assert_eq!(text(cell(1, "helper")), "小王");
    assert_eq!(number(cell(1, "qty")), 2.0);
    assert_eq!(number(cell(1, "unit_price")), 39.9);
    assert_eq!(number(cell(1, "total")), 79.8);
    assert_eq!(date(cell(1, "confirmed_at")), "2026-12-05 20:00:00");
    assert_eq!(text(cell(1, "text")), "小米两袋，核桃一袋");
    // The second intent of the same message made order 2: the same text.
    assert_eq!(text(cell(2, "text")), "小米两袋，核桃一袋");
    assert_eq!(text(cell(2, "unit")), "斤");
    // Tom's order keeps the text it was ordered with, not the change's.
    assert_eq!(text(cell(3, "text")), FORMULA_TEXT);
    assert_eq!(text(cell(3, "buyer")), "name:Tom");
    assert_eq!(number(cell(3, "qty")), 2.0);
    assert_eq!(date(cell(3, "changed_at")), "2026-12-06 10:10:00");
    assert_eq!(cell(3, "cancelled_at"), &Data::Empty);
    assert_eq!(text(cell(5, "status")), "cancelled");
    assert_eq!(date(cell(5, "cancelled_at")), "2026-12-07 09:30:00");
    assert_eq!(cell(5, "changed_at"), &Data::Empty);

    // No cell anywhere is a formula: chat text stays text.
    let mut workbook: Xlsx<_> = open_workbook(&book).unwrap();
    for name in [ORDERS_SHEET, PACKING_SHEET, PRODUCTS_SHEET] {
        let formulas = workbook.worksheet_formula(name).unwrap();
        assert!(
            formulas.used_cells().all(|(_, _, f)| f.is_empty()),
            "{name} has a formula"
        );
    }

    // Sheet 2: one row per buyer with confirmed orders, in order of their
    // first order; 李姐 renamed herself, 王五 cancelled.
    let packing = sheet(&book, PACKING_SHEET);
    let header: Vec<&str> = packing[0].iter().map(text).collect();
    assert_eq!(header, PACKING_HEADER);
    let rows: Vec<(String, String, String, f64, f64, String)> = packing[1..]
        .iter()
        .map(|r| {
            (
                text(&r[0]).to_string(),
                text(&r[1]).to_string(),
                text(&r[2]).to_string(),
                number(&r[3]),
                number(&r[4]),
                text(&r[5]).to_string(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (
                "李姐姐".into(),
                "u1".into(),
                "小米 x3, 核桃 x1".into(),
                4.0,
                154.7,
                "1, 2, 4".into()
            ),
            (
                "Tom".into(),
                "".into(),
                "小米 x2".into(),
                2.0,
                79.8,
                "3".into()
            ),
        ]
    );

    // Sheet 3: every product, sold or not, with the stock left now.
    let products = sheet(&book, PRODUCTS_SHEET);
    let header: Vec<&str> = products[0].iter().map(text).collect();
    assert_eq!(header, PRODUCTS_HEADER);
    let rows: Vec<(String, String, String, [f64; 4])> = products[1..]
        .iter()
        .map(|r| {
            (
                text(&r[0]).to_string(),
                text(&r[1]).to_string(),
                text(&r[2]).to_string(),
                [number(&r[3]), number(&r[4]), number(&r[5]), number(&r[6])],
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (
                "MILLET".into(),
                "小米".into(),
                "袋".into(),
                [3.0, 5.0, 199.5, 95.0]
            ),
            (
                "WALNUT".into(),
                "核桃".into(),
                "斤".into(),
                [1.0, 1.0, 35.0, 49.0]
            ),
            (
                "HONEY".into(),
                "蜂蜜".into(),
                "瓶".into(),
                [0.0, 0.0, 0.0, 10.0]
            ),
        ]
    );
}

/// The order ids a CSV export lists.
fn csv_order_ids(out: &Output) -> Vec<String> {
    let csv = String::from_utf8(out.stdout.clone()).unwrap();
    csv.trim_start_matches('\u{feff}')
        .split("\r\n")
        .skip(1)
        .filter(|l| !l.is_empty())
        .map(|l| l.split(',').next().unwrap().to_string())
        .collect()
}

#[test]
fn since_until_and_status_pick_the_orders_in_both_formats() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = tempfile::tempdir().unwrap();
    database(dir.path());
    let before = snapshot(dir.path());
    for (window, want) in [
        (&[][..], &["1", "2", "3", "4", "5"][..]),
        // A bare date on both ends: that whole day.
        (
            &["--since", "2026-12-06", "--until", "2026-12-06"][..],
            &["3", "4"][..],
        ),
        // A time: from it on (inclusive) / before it.
        (&["--since", "2026-12-06T10:00"][..], &["3", "4", "5"][..]),
        (&["--since", "2026-12-06 10:01"][..], &["4", "5"][..]),
        (&["--until", "2026-12-06T10:00"][..], &["1", "2"][..]),
        (
            &["--since", "2026-12-06T02:00:00Z"][..],
            &["3", "4", "5"][..],
        ),
        (&["--until", "2026-12-05T20:00:00+08:00"][..], &[][..]),
        (&["--status", "cancelled"][..], &["5"][..]),
        (
            &["--status", "confirmed", "--since", "2026-12-06"][..],
            &["3", "4"][..],
        ),
    ] {
        let csv = succeeded(livestall(
            dir.path(),
            &[&["orders", "export", "--db", "shop.db"][..], window].concat(),
        ));
        assert_eq!(csv_order_ids(&csv), want, "csv {window:?}");

        let book = out_dir.path().join("window.xlsx");
        succeeded(livestall(
            dir.path(),
            &[
                &[
                    "orders",
                    "export",
                    "--db",
                    "shop.db",
                    "--format",
                    "xlsx",
                    "--out",
                    book.to_str().unwrap(),
                ][..],
                window,
            ]
            .concat(),
        ));
        let ids: Vec<String> = sheet(&book, ORDERS_SHEET)[1..]
            .iter()
            .map(|r| number(&r[0]).to_string())
            .collect();
        assert_eq!(ids, want, "xlsx {window:?}");
    }
    // The packing list of Dec 6 holds only that day's confirmed orders.
    let book = out_dir.path().join("day.xlsx");
    succeeded(livestall(
        dir.path(),
        &[
            "orders",
            "export",
            "--db",
            "shop.db",
            "--format",
            "xlsx",
            "--since",
            "2026-12-06",
            "--until",
            "2026-12-06",
            "--out",
            book.to_str().unwrap(),
        ],
    ));
    let packing = sheet(&book, PACKING_SHEET);
    let items: Vec<(&str, &str)> = packing[1..]
        .iter()
        .map(|r| (text(&r[0]), text(&r[2])))
        .collect();
    assert_eq!(items, [("Tom", "小米 x2"), ("李姐姐", "小米 x1")]);

    for (args, says) in [
        (&["--since", "yesterday"][..], "local date (2026-12-06)"),
        (&["--until", "2026-12-32"][..], "RFC 3339"),
        (
            &["--since", "2026-12-07", "--until", "2026-12-06"][..],
            "--since is not before --until",
        ),
        (&["--status", "pending"][..], "confirmed, cancelled"),
    ] {
        let out = livestall(
            dir.path(),
            &[&["orders", "export", "--db", "shop.db"][..], args].concat(),
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} succeeded");
        assert!(err.contains(says), "{args:?}: {err}");
    }
    assert!(
        snapshot(dir.path()) == before,
        "an export changed the database's folder"
    );
}

#[test]
fn the_csv_keeps_its_columns_and_adds_the_new_ones_at_the_end() {
    let dir = tempfile::tempdir().unwrap();
    database(dir.path());
    let out = succeeded(livestall(
        dir.path(),
        &["orders", "export", "--db", "shop.db"],
    ));
    let csv = String::from_utf8(out.stdout).unwrap();
    let mut lines = csv.trim_start_matches('\u{feff}').split("\r\n");
    assert_eq!(
        lines.next(),
        Some(
            "order_id,msg_id,user,sku,name,qty,unit_price,total,status,confirmed_at,helper,\
             unit,text,cancelled_at,changed_at,buyer,source"
        )
    );
    let rows: Vec<&str> = lines.filter(|l| !l.is_empty()).collect();
    assert_eq!(
        rows[0],
        "1,m1,李姐,MILLET,小米,2,39.90,79.80,confirmed,2026-12-05T20:00:00+08:00,小王,\
         袋,小米两袋，核桃一袋,,,id:u1,douyin"
    );
    // Chat text that looks like a formula is guarded, as user names are.
    assert_eq!(
        rows[2],
        "3,m2,Tom,MILLET,小米,2,39.90,79.80,confirmed,2026-12-06T10:00:00+08:00,小王,\
         袋,'=SUM(A1:A9) 来一袋小米,,2026-12-06T10:10:00+08:00,name:Tom,douyin"
    );
    assert_eq!(
        rows[4],
        "5,m5,王五,WALNUT,核桃,3,35.00,105.00,cancelled,2026-12-07T09:00:00+08:00,小王,\
         斤,核桃 x3,2026-12-07T09:30:00+08:00,,name:王五,douyin"
    );
}

#[test]
fn xlsx_goes_to_a_pipe_and_never_over_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path());
    let before = snapshot(dir.path());
    // Piped (not a terminal): the workbook's bytes on stdout.
    let out = succeeded(livestall(
        dir.path(),
        &["orders", "export", "--format", "xlsx", "--db", "shop.db"],
    ));
    assert!(out.stdout.starts_with(b"PK\x03\x04"), "a zip file");
    let book =
        calamine::open_workbook_from_rs::<Xlsx<_>, _>(std::io::Cursor::new(out.stdout)).unwrap();
    assert_eq!(book.sheet_names().len(), 3);

    for format in ["csv", "xlsx"] {
        let out = livestall(
            dir.path(),
            &[
                "orders",
                "export",
                "--format",
                format,
                "--db",
                "shop.db",
                "--out",
                "./shop.db",
            ],
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success() && err.contains("is the database itself"),
            "{format}: {err}"
        );
    }
    assert!(snapshot(dir.path()) == before, "the database was touched");
    assert!(db.exists());
}

/// On a terminal, the workbook's bytes would be garbage: refused with what to
/// do instead. Needs util-linux's `script` for a terminal; skipped without it.
#[test]
fn xlsx_on_a_terminal_asks_for_out() {
    if !Path::new("/usr/bin/script").exists() {
        eprintln!("skipped: no /usr/bin/script to give livestall a terminal");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    database(dir.path());
    let before = snapshot(dir.path());
    let command = format!(
        "{} orders export --format xlsx --db shop.db",
        env!("CARGO_BIN_EXE_livestall")
    );
    let out = Command::new("/usr/bin/script")
        .current_dir(dir.path())
        .args(["-qec", &command, "/dev/null"])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "{said}");
    assert!(said.contains("give --out FILE"), "{said}");
    assert!(!said.contains("PK"), "no workbook bytes on the terminal");
    assert!(snapshot(dir.path()) == before);
}
