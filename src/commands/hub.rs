//! `livestall hub`: the county's view over the co-op database, for
//! scripts and for packing at the warehouse: every station's orders (CSV,
//! xlsx or JSON, one row or object an order) and the shared stock (the
//! pool, each station's allocation and sales).

use crate::catalog::yuan;
use crate::config::CoopConfig;
use crate::coop::hub::{self, HubOrder, HubStock};
use crate::coop::Coop;
use crate::store::{csv_text_field, rfc3339_local};
use std::io::Write;

/// The output formats of `hub orders`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrdersFormat {
    Csv,
    Xlsx,
    Json,
}

/// The columns of `hub orders --format csv`; scripts read them by name,
/// and columns are only ever added at the end.
pub const HUB_ORDERS_HEADER: [&str; 11] = [
    "station",
    "order_id",
    "msg_id",
    "user",
    "sku",
    "qty",
    "unit_price",
    "status",
    "confirmed_at",
    "helper",
    "desk",
];

async fn open(config: &CoopConfig) -> anyhow::Result<Coop> {
    Coop::open(config).await.map_err(|e| anyhow::anyhow!("{e}"))
}

/// Every station's orders, oldest first, to `out`.
pub async fn orders(
    config: &CoopConfig,
    format: OrdersFormat,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let coop = open(config).await?;
    let client = coop.client().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let rows = hub::orders(&**client)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    match format {
        OrdersFormat::Csv => orders_csv(&rows, out)?,
        OrdersFormat::Json => {
            let list: Vec<serde_json::Value> = rows.iter().map(order_json).collect();
            serde_json::to_writer_pretty(&mut *out, &list)?;
            writeln!(out)?;
        }
        OrdersFormat::Xlsx => out.write_all(&orders_xlsx(&rows)?)?,
    }
    out.flush()?;
    Ok(())
}

fn order_json(o: &HubOrder) -> serde_json::Value {
    serde_json::json!({
        "station": o.station,
        "order_id": o.order_id,
        "msg_id": o.msg_id,
        "user": o.user,
        "sku": o.sku,
        "qty": o.qty,
        "unit_price": yuan(o.price_fen),
        "status": o.status,
        "confirmed_at": rfc3339_local(o.confirmed_at_ms),
        "helper": o.helper,
        "desk": o.desk,
    })
}

fn order_fields(o: &HubOrder) -> [String; 11] {
    [
        csv_text_field(&o.station),
        o.order_id.to_string(),
        csv_text_field(&o.msg_id),
        csv_text_field(&o.user),
        csv_text_field(&o.sku),
        o.qty.to_string(),
        yuan(o.price_fen),
        csv_text_field(&o.status),
        csv_text_field(&rfc3339_local(o.confirmed_at_ms)),
        csv_text_field(&o.helper),
        csv_text_field(&o.desk),
    ]
}

/// CSV as the station's own export writes it: a BOM for Excel and WPS,
/// CRLF lines, chat text never read as a formula.
pub fn orders_csv(rows: &[HubOrder], out: &mut impl Write) -> std::io::Result<()> {
    out.write_all("\u{feff}".as_bytes())?;
    out.write_all(HUB_ORDERS_HEADER.join(",").as_bytes())?;
    out.write_all(b"\r\n")?;
    for o in rows {
        out.write_all(order_fields(o).join(",").as_bytes())?;
        out.write_all(b"\r\n")?;
    }
    Ok(())
}

fn orders_xlsx(rows: &[HubOrder]) -> anyhow::Result<Vec<u8>> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("orders")?;
    for (col, name) in HUB_ORDERS_HEADER.iter().enumerate() {
        sheet.write_string(0, col as u16, *name)?;
    }
    for (i, o) in rows.iter().enumerate() {
        let row = i as u32 + 1;
        // Text cells stay text: write_string never makes a formula.
        sheet.write_string(row, 0, &o.station)?;
        sheet.write_number(row, 1, o.order_id as f64)?;
        sheet.write_string(row, 2, &o.msg_id)?;
        sheet.write_string(row, 3, &o.user)?;
        sheet.write_string(row, 4, &o.sku)?;
        sheet.write_number(row, 5, f64::from(o.qty))?;
        sheet.write_number(row, 6, o.price_fen as f64 / 100.0)?;
        sheet.write_string(row, 7, &o.status)?;
        sheet.write_string(row, 8, rfc3339_local(o.confirmed_at_ms))?;
        sheet.write_string(row, 9, &o.helper)?;
        sheet.write_string(row, 10, &o.desk)?;
    }
    Ok(book.save_to_buffer()?)
}

/// The shared stock as a table or JSON.
pub async fn stock(config: &CoopConfig, json: bool, out: &mut impl Write) -> anyhow::Result<()> {
    let coop = open(config).await?;
    let client = coop.client().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let rows = hub::stock(&**client)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if json {
        serde_json::to_writer_pretty(&mut *out, &rows)?;
        writeln!(out)?;
    } else {
        stock_table(&rows, out)?;
    }
    out.flush()?;
    Ok(())
}

/// One line a product (pool and sold), then a line a station holding it.
pub fn stock_table(rows: &[HubStock], out: &mut impl Write) -> std::io::Result<()> {
    writeln!(
        out,
        "{:<12} {:>8} {:>8} {:>8}",
        "sku / station", "pool", "held", "sold"
    )?;
    for p in rows {
        let held: i64 = p.stations.iter().map(|s| s.allocated - s.sold).sum();
        writeln!(
            out,
            "{:<12} {:>8} {:>8} {:>8}  {}",
            p.sku, p.pool, held, p.sold, p.name
        )?;
        for s in &p.stations {
            // Padded by display width: station names are often Chinese.
            let name = crate::sanitize::sanitize(&s.station);
            let pad = 10usize.saturating_sub(unicode_width::UnicodeWidthStr::width(name.as_str()));
            writeln!(
                out,
                "  {name}{} {:>8} {:>8} {:>8}",
                " ".repeat(pad),
                "",
                s.allocated - s.sold,
                s.sold
            )?;
        }
    }
    Ok(())
}

/// How often the hub's screen reads the co-op.
pub const HUB_POLL: std::time::Duration = std::time::Duration::from_secs(1);

/// How many of the latest orders the screen lists.
const RECENT: i64 = 12;

/// Reads what the hub's screen shows; `None` when the co-op could not be
/// read (the screen keeps the last view and says so).
pub async fn read_view(
    coop: &Coop,
    language: crate::config::Language,
) -> Option<crate::ui::hub::HubView> {
    let client = coop.client().await.ok()?;
    let stations = hub::stations(&**client).await.ok()?;
    let stock = hub::stock(&**client).await.ok()?;
    let recent = hub::recent_orders(&**client, RECENT).await.ok()?;
    Some(crate::ui::hub::HubView {
        language,
        now_ms: crate::clock::now_ms(),
        utc_offset_secs: chrono::Local::now().offset().local_minus_utc(),
        stations,
        stock,
        recent,
        unreadable: false,
    })
}

/// `livestall hub`: the county's screen over the co-op database, read
/// again every second, until q, Esc, Ctrl-C or SIGTERM.
pub async fn screen(config: &CoopConfig, language: crate::config::Language) -> anyhow::Result<()> {
    use std::io::IsTerminal;
    // The co-op first: a wrong password or address is said plainly,
    // before the screen changes.
    let coop = open(config).await?;
    if !std::io::stdout().is_terminal() {
        anyhow::bail!("the hub's screen draws on a terminal; `livestall hub orders` and `hub stock` write for scripts");
    }
    let mut view = read_view(&coop, language)
        .await
        .ok_or_else(|| anyhow::anyhow!("the co-op database could not be read"))?;
    let mut terminal = super::board::full_screen()?;
    let mut keys = crossterm::event::EventStream::new();
    let stop = crate::app::driver::stop_on_signal(crate::app::driver::StopSignals::Terminal);
    let result: anyhow::Result<Option<()>> = async {
        terminal.draw(|frame| crate::ui::hub::render(&view, frame))?;
        // Keys are looked at four times a second; the co-op is read once a
        // second, between them.
        let mut next = tokio::time::Instant::now() + HUB_POLL;
        loop {
            // A quarter second of keys (or a stop); `None` means quit.
            let woke = super::board::beat(
                &mut keys,
                stop.clone(),
                std::time::Duration::from_millis(250),
                |_| Ok(Some(())),
            )
            .await?;
            if woke.is_none() {
                return Ok(None);
            }
            if tokio::time::Instant::now() >= next {
                next = tokio::time::Instant::now() + HUB_POLL;
                match read_view(&coop, language).await {
                    Some(fresh) => view = fresh,
                    None => {
                        view.unreadable = true;
                        view.now_ms = crate::clock::now_ms();
                    }
                }
            }
            terminal.draw(|frame| crate::ui::hub::render(&view, frame))?;
        }
    }
    .await;
    ratatui::restore();
    result.map(drop)
}
