//! `livestall hub orders` and `hub stock`, the binary on a real co-op
//! database: every station's orders with the fields scripts read, in CSV
//! and JSON, and the shared stock; without `[coop]` or with a wrong
//! password, a clear error and no file.

mod pg_support;

use livestall::coop::{escrow, push, Coop};
use livestall::store::{OutboxBatch, OutboxEvent, OutboxOrder};
use std::process::Command;

const CONFIG: &str = r#"
[shop]
name = "县中心"
language = "en"

[[products]]
sku = "XM-5J"
name = "太行小米 5斤装"
link = 1
unit = "袋"
price = 39.9
stock = 100
"#;

fn order(order_id: i64, user: &str, qty: i64) -> (OutboxEvent, OutboxOrder) {
    (
        OutboxEvent {
            seq: order_id,
            at_ms: 1_765_000_000_000 + order_id,
            helper: "小李".into(),
            action: "confirmed".into(),
            msg_id: Some(format!("m{order_id}")),
            idx: Some(0),
            order_id: Some(order_id),
            detail: None,
            before: None,
            after: None,
        },
        OutboxOrder {
            order_id,
            msg_id: format!("m{order_id}"),
            user: user.into(),
            user_id: None,
            sku: "XM-5J".into(),
            qty,
            price_fen: 3990,
            status: "confirmed".into(),
            helper: "小李".into(),
            confirmed_at_ms: 1_765_000_000_000 + order_id,
            cancelled_at_ms: None,
        },
    )
}

#[test]
fn the_hub_lists_every_station_s_orders_and_the_shared_stock() {
    let Some(url) = pg_support::database() else {
        return;
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        for (station, orders) in [
            (
                "王家峪",
                vec![order(1, "阿花", 2), order(2, "=cmd|' /C calc'!A0", 1)],
            ),
            ("砖壁", vec![order(1, "Tom", 3)]),
        ] {
            let coop = Coop::open(&pg_support::coop_config(&url, station))
                .await
                .unwrap();
            let mut client = coop.client().await.unwrap();
            escrow::seed(
                &**client,
                station,
                &[escrow::SeedProduct {
                    sku: "XM-5J".into(),
                    name: "太行小米 5斤装".into(),
                    unit: "袋".into(),
                    price_fen: 3990,
                    stock: 100,
                }],
            )
            .await
            .unwrap();
            escrow::register_desk(&**client, station, "d1", "小李")
                .await
                .unwrap();
            escrow::take_block(&mut client, station, "d1", "XM-5J", 0.1, 1)
                .await
                .unwrap();
            let (events, orders): (Vec<_>, Vec<_>) = orders.into_iter().unzip();
            push::push(
                &mut client,
                station,
                "d1",
                &OutboxBatch {
                    events,
                    orders,
                    decisions: Vec::new(),
                },
            )
            .await
            .unwrap();
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let (server, _) = url.rsplit_once('/').unwrap();
    let database = url.rsplit('/').next().unwrap();
    // The password comes from the environment, not the file.
    let without_password = format!(
        "{}/{database}",
        server.replace(&format!(":{}@", pg_support::PASSWORD), "@")
    );
    let config = dir.path().join("hub.toml");
    std::fs::write(
        &config,
        format!("{CONFIG}\n[coop]\nurl = \"{without_password}\"\nstation = \"县中心\"\n"),
    )
    .unwrap();
    let hub = |args: &[&str], password: &str| {
        Command::new(env!("CARGO_BIN_EXE_livestall"))
            .arg("--config")
            .arg(&config)
            .arg("hub")
            .args(args)
            .env("LIVESTALL_COOP_PASSWORD", password)
            .current_dir(dir.path())
            .output()
            .unwrap()
    };

    let csv = hub(&["orders"], pg_support::PASSWORD);
    assert!(
        csv.status.success(),
        "{}",
        String::from_utf8_lossy(&csv.stderr)
    );
    let csv = String::from_utf8(csv.stdout).unwrap();
    let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(
        lines[0],
        "station,order_id,msg_id,user,sku,qty,unit_price,status,confirmed_at,helper,desk"
    );
    assert_eq!(lines.len(), 4, "{csv}");
    // Oldest first: by the time each was confirmed.
    assert!(
        lines[1].starts_with("王家峪,1,m1,阿花,XM-5J,2,39.90,confirmed,"),
        "{csv}"
    );
    assert!(lines[2].starts_with("砖壁,1,m1,Tom,XM-5J,3,"), "{csv}");
    // A user name that looks like a formula stays text.
    assert!(
        lines[3].starts_with("王家峪,2,m2,'=cmd|' /C calc'!A0,"),
        "{csv}"
    );

    let json = hub(&["orders", "--format", "json"], pg_support::PASSWORD);
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let first = &json[0];
    for field in [
        "station", "order_id", "msg_id", "user", "sku", "qty", "status",
    ] {
        assert!(!first[field].is_null(), "{field} in {first}");
    }
    assert_eq!(json.as_array().unwrap().len(), 3);

    let xlsx_path = dir.path().join("orders.xlsx");
    let xlsx = hub(
        &[
            "orders",
            "--format",
            "xlsx",
            "--out",
            xlsx_path.to_str().unwrap(),
        ],
        pg_support::PASSWORD,
    );
    assert!(xlsx.status.success());
    assert!(
        std::fs::read(&xlsx_path).unwrap().starts_with(b"PK"),
        "a zip: an xlsx workbook"
    );

    let stock = hub(&["stock", "--format", "json"], pg_support::PASSWORD);
    let stock: serde_json::Value = serde_json::from_slice(&stock.stdout).unwrap();
    let millet = &stock[0];
    assert_eq!(millet["sku"], "XM-5J");
    // Seeded once with 100; 王家峪 took 10, 砖壁 9 (a tenth of 90).
    assert_eq!(millet["pool"], 81);
    assert_eq!(millet["sold"], 6);
    let table = hub(&["stock"], pg_support::PASSWORD);
    let table = String::from_utf8(table.stdout).unwrap();
    assert!(
        table.contains("XM-5J") && table.contains("王家峪") && table.contains("砖壁"),
        "{table}"
    );

    // A wrong password: said, and no file made.
    let refused_path = dir.path().join("refused.csv");
    let refused = hub(
        &["orders", "--out", refused_path.to_str().unwrap()],
        "not-it",
    );
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("refused the password"), "{said}");
    assert!(!said.contains("not-it"));
    assert!(!refused_path.exists());

    // Without [coop], the hub says what it needs.
    let alone = dir.path().join("alone.toml");
    std::fs::write(&alone, CONFIG).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_livestall"))
        .args(["--config", alone.to_str().unwrap(), "hub", "stock"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("[coop]"));
}

/// The hub's screen from a view: each station online or offline (since
/// when), the pool and each station's held/sold, the latest orders with
/// names from chat drawn safely, in both languages.
#[test]
fn the_hub_screen_shows_stations_stock_and_the_latest_orders() {
    use livestall::coop::hub::{HubOrder, HubStation, HubStock, StationStock};
    use livestall::ui::hub::{render, HubView};
    use ratatui::backend::TestBackend;
    use ratatui::Terminal;
    let now = 1_765_000_000_000;
    let station = |name: &str, quiet_ms: i64, units: i64| HubStation {
        station: name.into(),
        on_air: Some("XM-5J".into()),
        last_seen_ms: now - quiet_ms,
        desks: 1,
        waiting: 0,
        orders: units,
        units,
        revenue_fen: units * 3990,
    };
    for (language, online, offline) in [
        (livestall::config::Language::Zh, "在线", "离线"),
        (livestall::config::Language::En, "online", "offline"),
    ] {
        let view = HubView {
            language,
            now_ms: now,
            utc_offset_secs: 0,
            stations: vec![station("王家峪", 500, 7), station("砖壁", 60_000, 5)],
            stock: vec![HubStock {
                sku: "XM-5J".into(),
                name: "太行小米 5斤装".into(),
                pool: 0,
                sold: 12,
                stations: vec![
                    StationStock {
                        station: "王家峪".into(),
                        allocated: 7,
                        sold: 7,
                    },
                    StationStock {
                        station: "砖壁".into(),
                        allocated: 6,
                        sold: 5,
                    },
                ],
            }],
            recent: vec![HubOrder {
                station: "砖壁".into(),
                desk: "d1".into(),
                order_id: 5,
                msg_id: "m5".into(),
                user: "evil\u{1b}[31m\u{202e}name".into(),
                sku: "XM-5J".into(),
                qty: 2,
                price_fen: 3990,
                status: "confirmed".into(),
                helper: "Anna".into(),
                confirmed_at_ms: now - 1_000,
            }],
            unreadable: false,
        };
        let mut terminal = Terminal::new(TestBackend::new(100, 24)).unwrap();
        terminal.draw(|frame| render(&view, frame)).unwrap();
        let mut drawn = String::new();
        let mut hidden = false;
        for (i, cell) in terminal.backend().buffer().content.iter().enumerate() {
            if i % 100 == 0 {
                drawn.push('\n');
                hidden = false;
            }
            if !std::mem::take(&mut hidden) {
                drawn.push_str(cell.symbol());
                hidden = unicode_width::UnicodeWidthStr::width(cell.symbol()) > 1;
            }
            assert!(
                !cell
                    .symbol()
                    .chars()
                    .any(|c| c.is_control() || c == '\u{202e}'),
                "{:?}",
                cell.symbol()
            );
        }
        let line_of = |needle: &str| {
            drawn
                .lines()
                .find(|l| l.contains(needle))
                .unwrap_or_else(|| panic!("{needle} in {drawn}"))
                .to_string()
        };
        assert!(line_of("王家峪").contains(online), "{drawn}");
        assert!(line_of("砖壁 ").contains(offline), "{drawn}");
        // The stock row: the pool, then held/sold per station.
        let stock = line_of("0/7");
        assert!(
            stock.contains("太行小米 5斤装") && stock.contains("1/5"),
            "{stock}"
        );
        assert!(drawn.contains("evil"), "{drawn}");
    }
}
