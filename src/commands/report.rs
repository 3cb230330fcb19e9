//! `livestall orders export` and `livestall inventory`: read-only views of the
//! store for whoever packs and ships, and for scripts.

use crate::catalog::yuan;
use crate::store::{Reader, StockRow};
use serde::Serialize;
use std::io::Write;
use unicode_width::UnicodeWidthStr;

pub fn export_orders_csv(store: &Reader, out: &mut impl Write) -> anyhow::Result<()> {
    let rows = store.orders()?;
    crate::store::write_orders_csv(&rows, out)?;
    out.flush()?;
    Ok(())
}

#[derive(Serialize)]
struct StockJson<'a> {
    sku: &'a str,
    name: &'a str,
    link: u32,
    price: String,
    stock: i64,
    sold: i64,
}

pub fn inventory_json(rows: &[StockRow], out: &mut impl Write) -> anyhow::Result<()> {
    let list: Vec<StockJson> = rows
        .iter()
        .map(|r| StockJson {
            sku: &r.sku,
            name: &r.name,
            link: r.link,
            price: yuan(r.price_fen),
            stock: r.stock,
            sold: r.sold,
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &list)?;
    writeln!(out)?;
    Ok(())
}

/// A plain table aligned by display width, so Chinese names line up.
pub fn inventory_table(rows: &[StockRow], out: &mut impl Write) -> anyhow::Result<()> {
    let header = ["link", "sku", "name", "price", "stock", "sold"];
    let cells: Vec<[String; 6]> = rows
        .iter()
        .map(|r| {
            [
                r.link.to_string(),
                r.sku.clone(),
                r.name.clone(),
                yuan(r.price_fen),
                r.stock.to_string(),
                r.sold.to_string(),
            ]
        })
        .collect();
    let mut widths = header.map(UnicodeWidthStr::width);
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.width());
        }
    }
    let numeric = [true, false, false, true, true, true];
    let line = |cols: &[&str]| {
        let mut s = String::new();
        for (i, c) in cols.iter().enumerate() {
            let pad = " ".repeat(widths[i] - c.width());
            if i > 0 {
                s.push_str("  ");
            }
            if numeric[i] {
                s.push_str(&pad);
                s.push_str(c);
            } else {
                s.push_str(c);
                s.push_str(&pad);
            }
        }
        s.trim_end().to_string()
    };
    writeln!(out, "{}", line(&header))?;
    for row in &cells {
        let cols: Vec<&str> = row.iter().map(String::as_str).collect();
        writeln!(out, "{}", line(&cols))?;
    }
    Ok(())
}
