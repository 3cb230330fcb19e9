//! The orders workbook for whoever packs and ships (`orders export --format
//! xlsx`): sheet 1 the orders with the CSV's columns, dates as real Excel
//! dates and money as numbers; sheet 2 a packing list, one row per buyer;
//! sheet 3 per product. Everything that came from chat is written as a text
//! cell, which a spreadsheet shows and never evaluates, whatever it starts
//! with: no formula guard is needed (or added) here, unlike the CSV.

use crate::catalog::Fen;
use crate::store::{OrderRow, ProductStock, ORDERS_CSV_HEADER};
use chrono::{Datelike, TimeZone, Timelike};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet};
use rustc_hash::{FxHashMap, FxHashSet};
use unicode_width::UnicodeWidthStr;

pub const ORDERS_SHEET: &str = "订单 Orders";
pub const PACKING_SHEET: &str = "打包 Packing";
pub const PRODUCTS_SHEET: &str = "商品 Products";

pub const PACKING_HEADER: [&str; 6] = ["user", "user_id", "items", "units", "total", "order_ids"];
pub const PRODUCTS_HEADER: [&str; 7] = [
    "sku",
    "name",
    "unit",
    "orders",
    "units_sold",
    "revenue",
    "stock_left",
];

/// Rows a worksheet holds below its header row.
const MAX_DATA_ROWS: usize = 1_048_575;
/// Excel's limit for one cell's text, in UTF-16 units.
const MAX_CELL_UTF16: usize = 32_767;
/// No column gets wider than this (in character widths): chat text can be long.
const MAX_COLUMN_WIDTH: usize = 50;
const DATE_TIME_FORMAT: &str = "yyyy-mm-dd hh:mm:ss";

/// The workbook as the bytes of an .xlsx file. `rows` are the orders to
/// list (already filtered); the packing list and the per-product sheet count
/// their confirmed ones. `products` gives stock left and the order of sheet 3.
pub fn orders_workbook(rows: &[OrderRow], products: &[ProductStock]) -> anyhow::Result<Vec<u8>> {
    if rows.len() > MAX_DATA_ROWS {
        anyhow::bail!(
            "{} orders are more than one Excel sheet holds ({MAX_DATA_ROWS}); \
             narrow them with --since/--until, or use --format csv",
            rows.len()
        );
    }
    let formats = Formats::new();
    let mut workbook = Workbook::new();
    // Excel's own level: on 100,000 orders a quarter faster than the
    // default 6, for a file an eighth larger.
    workbook.set_zip_compression_level(3);
    // The packing list and the products are small and need only the rows:
    // built beside the big orders sheet, on a second core when there is one.
    let (orders, others) = std::thread::scope(|scope| {
        let others = scope.spawn(|| summary_sheets(rows, products, &formats));
        // Row by row to an unnamed temporary file in the system's temp
        // folder (nothing beside the database): a third of the memory of
        // keeping 1.6 million cells until the save, and faster.
        let orders = workbook
            .add_worksheet_with_constant_memory()
            .map_err(anyhow::Error::from)
            .and_then(|sheet| {
                let header: Vec<&str> = ORDERS_CSV_HEADER.split(',').collect();
                sheet.set_name(ORDERS_SHEET)?;
                write_sheet(sheet, &formats, &header, rows.iter().map(order_cells))
            });
        let others = others
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (orders, others)
    });
    orders?;
    let (packing, per_product) = others?;
    workbook.push_worksheet(packing);
    workbook.push_worksheet(per_product);
    Ok(workbook.save_to_buffer()?)
}

/// Sheets 2 and 3: the packing list and the per-product totals.
fn summary_sheets(
    rows: &[OrderRow],
    products: &[ProductStock],
    formats: &Formats,
) -> anyhow::Result<(Worksheet, Worksheet)> {
    let buyers = packing_list(rows);
    let mut packing = Worksheet::new();
    packing.set_name(PACKING_SHEET)?;
    write_sheet(
        &mut packing,
        formats,
        &PACKING_HEADER,
        buyers.iter().map(|b| {
            vec![
                Cell::Text(b.user),
                Cell::Text(b.user_id),
                Cell::Text(&b.items_text),
                Cell::Int(b.units),
                Cell::Money(b.total_fen),
                Cell::Text(&b.order_ids),
            ]
        }),
    )?;

    let totals = product_totals(rows, products);
    let mut per_product = Worksheet::new();
    per_product.set_name(PRODUCTS_SHEET)?;
    write_sheet(
        &mut per_product,
        formats,
        &PRODUCTS_HEADER,
        totals.iter().map(|p| {
            vec![
                Cell::Text(p.sku),
                Cell::Text(p.name),
                Cell::Text(p.unit),
                Cell::Int(p.orders),
                Cell::Int(p.units),
                Cell::Money(p.revenue_fen),
                p.stock.map_or(Cell::Empty, Cell::Int),
            ]
        }),
    )?;
    Ok((packing, per_product))
}

/// Sheet 1's cells for one order, in the CSV's column order.
fn order_cells(row: &OrderRow) -> Vec<Cell<'_>> {
    vec![
        Cell::Int(row.order_id),
        Cell::Text(&row.msg_id),
        Cell::Text(&row.user),
        Cell::Text(&row.sku),
        Cell::Text(&row.name),
        Cell::Int(i64::from(row.qty)),
        Cell::Money(row.unit_price_fen),
        Cell::Money(row.total_fen),
        Cell::Text(&row.status),
        Cell::Time(Some(row.confirmed_at_ms)),
        Cell::Text(&row.helper),
        Cell::Text(&row.unit),
        Cell::Text(&row.text),
        Cell::Time(row.cancelled_at_ms),
        Cell::Time(row.changed_at_ms),
        Cell::Text(&row.buyer),
        Cell::Text(&row.source),
    ]
}

/// One cell's value and how it is shown.
enum Cell<'a> {
    Text(&'a str),
    Int(i64),
    /// Shown in yuan with two decimals; a number, so it sums and sorts.
    Money(Fen),
    /// A local date and time (Unix ms); none is an empty cell.
    Time(Option<i64>),
    Empty,
}

impl Cell<'_> {
    /// Width in character cells as shown (CJK counts two).
    fn width(&self) -> usize {
        match self {
            Cell::Text(s) => s.width(),
            Cell::Int(n) => digits(*n),
            // "-12.50": the yuan, a point and two decimals.
            Cell::Money(fen) => digits(*fen / 100) + 3 + usize::from(-100 < *fen && *fen < 0),
            Cell::Time(Some(_)) => DATE_TIME_FORMAT.len(),
            Cell::Time(None) | Cell::Empty => 0,
        }
    }
}

/// Characters `n` takes written out, the sign included.
fn digits(n: i64) -> usize {
    let magnitude = n
        .unsigned_abs()
        .checked_ilog10()
        .map_or(1, |d| d as usize + 1);
    magnitude + usize::from(n < 0)
}

struct Formats {
    header: Format,
    money: Format,
    time: Format,
}

impl Formats {
    fn new() -> Formats {
        Formats {
            header: Format::new().set_bold(),
            money: Format::new().set_num_format("0.00"),
            time: Format::new().set_num_format(DATE_TIME_FORMAT),
        }
    }
}

/// Writes a bold, frozen header row with an autofilter over the data, then
/// the rows, and sets each column as wide as its widest cell (capped).
fn write_sheet<'a>(
    sheet: &mut Worksheet,
    formats: &Formats,
    header: &[&str],
    rows: impl Iterator<Item = Vec<Cell<'a>>>,
) -> anyhow::Result<()> {
    // The filter button in the header takes about two characters.
    let mut widths: Vec<usize> = header.iter().map(|h| h.width() + 2).collect();
    for (col, name) in header.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, *name, &formats.header)?;
    }
    let mut last_row = 0u32;
    for (index, cells) in rows.enumerate() {
        let row = index as u32 + 1;
        last_row = row;
        for (col, cell) in cells.iter().enumerate() {
            let width = &mut widths[col];
            if *width < MAX_COLUMN_WIDTH {
                *width = (*width).max(cell.width());
            }
            write_cell(sheet, formats, row, col as u16, cell)?;
        }
    }
    for (col, width) in widths.iter().enumerate() {
        sheet.set_column_width(col as u16, (*width).min(MAX_COLUMN_WIDTH) as f64 + 1.0)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, last_row, header.len().saturating_sub(1) as u16)?;
    Ok(())
}

fn write_cell(
    sheet: &mut Worksheet,
    formats: &Formats,
    row: u32,
    col: u16,
    cell: &Cell<'_>,
) -> anyhow::Result<()> {
    match cell {
        Cell::Text(s) => {
            sheet.write_string(row, col, fit_cell(s))?;
        }
        Cell::Int(n) => {
            sheet.write_number(row, col, *n as f64)?;
        }
        Cell::Money(fen) => {
            sheet.write_number_with_format(row, col, *fen as f64 / 100.0, &formats.money)?;
        }
        Cell::Time(Some(ms)) => match excel_local_time(*ms) {
            Some(time) => {
                sheet.write_datetime_with_format(row, col, time, &formats.time)?;
            }
            // Outside Excel's years (1900-9999): say it as text rather than lose it.
            None => {
                sheet.write_string(row, col, crate::store::rfc3339_local(*ms))?;
            }
        },
        Cell::Time(None) | Cell::Empty => {}
    }
    Ok(())
}

/// `ms` as the local wall-clock time Excel shows (Excel dates carry no zone).
fn excel_local_time(ms: i64) -> Option<ExcelDateTime> {
    let local = chrono::Local
        .timestamp_millis_opt(ms)
        .single()?
        .naive_local();
    let year = u16::try_from(local.year()).ok()?;
    // A leap second reads as nanoseconds past 1e9; Excel has no such second.
    let milli = (local.nanosecond() / 1_000_000).min(999) as u16;
    ExcelDateTime::from_ymd(year, local.month() as u8, local.day() as u8)
        .ok()?
        .and_hms_milli(
            local.hour() as u16,
            local.minute() as u8,
            local.second() as u8,
            milli,
        )
        .ok()
}

/// `s`, cut to what one Excel cell holds: a 40,000-character message is
/// chat too, and must not make the whole export fail.
fn fit_cell(s: &str) -> &str {
    // UTF-16 units never outnumber UTF-8 bytes.
    if s.len() <= MAX_CELL_UTF16 {
        return s;
    }
    let mut units = 0;
    for (at, c) in s.char_indices() {
        units += c.len_utf16();
        if units > MAX_CELL_UTF16 {
            return &s[..at];
        }
    }
    s
}

/// One buyer's row of the packing list.
struct Packing<'a> {
    /// The name of the buyer's latest order (a buyer with an id may rename).
    user: &'a str,
    /// The platform's id for the buyer, when it gave one.
    user_id: &'a str,
    /// (sku, name, units), in the order first bought.
    items: Vec<(&'a str, &'a str, i64)>,
    items_text: String,
    units: i64,
    total_fen: Fen,
    order_ids: String,
}

/// Confirmed orders gathered per buyer (the orders table's `buyer`), buyers
/// in the order of their first order, the same product bought twice summed.
fn packing_list(rows: &[OrderRow]) -> Vec<Packing<'_>> {
    let mut buyers: Vec<Packing> = Vec::new();
    let mut index: FxHashMap<&str, usize> = FxHashMap::default();
    for row in rows.iter().filter(|r| r.status == "confirmed") {
        let at = *index.entry(&row.buyer).or_insert_with(|| {
            buyers.push(Packing {
                user: &row.user,
                user_id: row.buyer.strip_prefix("id:").unwrap_or(""),
                items: Vec::new(),
                items_text: String::new(),
                units: 0,
                total_fen: 0,
                order_ids: String::new(),
            });
            buyers.len() - 1
        });
        let buyer = &mut buyers[at];
        buyer.user = &row.user;
        let qty = i64::from(row.qty);
        match buyer.items.iter_mut().find(|(sku, _, _)| *sku == row.sku) {
            Some(item) => item.2 += qty,
            None => buyer.items.push((&row.sku, &row.name, qty)),
        }
        buyer.units += qty;
        buyer.total_fen = buyer.total_fen.saturating_add(row.total_fen);
        if !buyer.order_ids.is_empty() {
            buyer.order_ids.push_str(", ");
        }
        buyer.order_ids.push_str(&row.order_id.to_string());
    }
    for buyer in &mut buyers {
        buyer.items_text = buyer
            .items
            .iter()
            .map(|(_, name, qty)| format!("{name} x{qty}"))
            .collect::<Vec<_>>()
            .join(", ");
    }
    buyers
}

/// One product's row of sheet 3.
struct ProductTotal<'a> {
    sku: &'a str,
    name: &'a str,
    unit: &'a str,
    orders: i64,
    units: i64,
    revenue_fen: Fen,
    /// None for a product the database no longer has.
    stock: Option<i64>,
}

/// Confirmed orders per product: every product in the config (in queue
/// order, sold or not, for the stock left), then retired products that sold.
fn product_totals<'a>(rows: &'a [OrderRow], products: &'a [ProductStock]) -> Vec<ProductTotal<'a>> {
    let mut totals: Vec<ProductTotal> = Vec::new();
    let mut index: FxHashMap<&str, usize> = FxHashMap::default();
    for p in products {
        index.insert(&p.sku, totals.len());
        totals.push(ProductTotal {
            sku: &p.sku,
            name: &p.name,
            unit: &p.unit,
            orders: 0,
            units: 0,
            revenue_fen: 0,
            stock: Some(p.stock),
        });
    }
    for row in rows.iter().filter(|r| r.status == "confirmed") {
        let at = *index.entry(&row.sku).or_insert_with(|| {
            totals.push(ProductTotal {
                sku: &row.sku,
                name: &row.name,
                unit: &row.unit,
                orders: 0,
                units: 0,
                revenue_fen: 0,
                stock: None,
            });
            totals.len() - 1
        });
        let total = &mut totals[at];
        total.orders += 1;
        total.units += i64::from(row.qty);
        total.revenue_fen = total.revenue_fen.saturating_add(row.total_fen);
    }
    let retired: FxHashSet<&str> = products
        .iter()
        .filter(|p| !p.active)
        .map(|p| p.sku.as_str())
        .collect();
    totals.retain(|t| t.orders > 0 || !retired.contains(t.sku));
    totals
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_are_what_the_cell_shows() {
        for n in [0, 7, 10, 99, 100, -1, -10, 123_456, i64::MIN, i64::MAX] {
            assert_eq!(Cell::Int(n).width(), n.to_string().len(), "{n}");
        }
        for fen in [0, 5, 99, 100, 3990, -5, -99, -100, -1250, 123_456_789] {
            let shown = crate::catalog::yuan(fen);
            assert_eq!(Cell::Money(fen).width(), shown.len(), "{shown}");
        }
        assert_eq!(Cell::Text("小米 x2").width(), 7);
    }

    #[test]
    fn a_cell_keeps_what_excel_can_hold() {
        assert_eq!(fit_cell("小米"), "小米");
        let long = "米".repeat(40_000);
        let cut = fit_cell(&long);
        assert_eq!(cut.chars().count(), MAX_CELL_UTF16);
        // An emoji is two UTF-16 units: never cut in half.
        let emoji = "🌾".repeat(20_000);
        assert_eq!(fit_cell(&emoji).chars().count(), MAX_CELL_UTF16 / 2);
    }
}
