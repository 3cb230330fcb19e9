//! `livestall inventory` and `livestall orders list`: read-only views of the
//! store for the people at the stall and for scripts (`orders export` is
//! `commands::export`).

use crate::catalog::yuan;
use crate::store::{OrderRow, StockRow};
use serde::Serialize;
use std::io::Write;
use unicode_width::UnicodeWidthStr;

#[derive(Serialize)]
struct StockJson<'a> {
    sku: &'a str,
    name: &'a str,
    link: u32,
    price: String,
    stock: i64,
    sold: i64,
    /// No longer in config; kept because orders name it.
    retired: bool,
    sale: Option<SaleJson>,
}

#[derive(Serialize)]
struct SaleJson {
    qty: u32,
    price: String,
    sold: u32,
    ends_at: String,
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
            retired: r.retired,
            sale: r.sale.as_ref().map(|s| SaleJson {
                qty: s.qty,
                price: yuan(s.price_fen),
                sold: s.sold,
                ends_at: crate::store::rfc3339_local(s.ends_at_ms),
            }),
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &list)?;
    writeln!(out)?;
    Ok(())
}

/// A plain table aligned by display width, so Chinese names line up.
pub fn inventory_table(rows: &[StockRow], out: &mut impl Write) -> anyhow::Result<()> {
    let cells: Vec<[String; 7]> = rows
        .iter()
        .map(|r| {
            let note = if r.retired {
                "retired (not in config)".to_string()
            } else if let Some(sale) = &r.sale {
                format!(
                    "flash sale: {} at {}, {} left",
                    sale.qty,
                    yuan(sale.price_fen),
                    sale.left()
                )
            } else if r.stock <= 0 {
                "SOLD OUT".to_string()
            } else {
                String::new()
            };
            [
                if r.retired {
                    "-".to_string()
                } else {
                    r.link.to_string()
                },
                r.sku.clone(),
                r.name.clone(),
                yuan(r.price_fen),
                r.stock.to_string(),
                r.sold.to_string(),
                note,
            ]
        })
        .collect();
    write_table(
        ["link", "sku", "name", "price", "stock", "sold", "note"],
        [true, false, false, true, true, true, false],
        &cells,
        out,
    )
}

/// Which orders `orders list` shows.
#[derive(Debug, Default)]
pub struct OrderFilter {
    /// The buyer's name as chat showed it.
    pub buyer: Option<String>,
    pub sku: Option<String>,
    /// "confirmed" or "cancelled".
    pub status: Option<String>,
}

impl OrderFilter {
    pub fn keeps(&self, row: &OrderRow) -> bool {
        self.buyer.as_ref().is_none_or(|b| *b == row.user)
            && self.sku.as_ref().is_none_or(|s| *s == row.sku)
            && self.status.as_ref().is_none_or(|s| *s == row.status)
    }
}

#[derive(Serialize)]
struct OrderJson<'a> {
    order_id: i64,
    msg_id: &'a str,
    user: &'a str,
    sku: &'a str,
    name: &'a str,
    qty: u32,
    unit_price: String,
    total: String,
    status: &'a str,
    confirmed_at: &'a str,
    helper: &'a str,
}

pub fn orders_json(rows: &[OrderRow], out: &mut impl Write) -> anyhow::Result<()> {
    let list: Vec<OrderJson> = rows
        .iter()
        .map(|r| OrderJson {
            order_id: r.order_id,
            msg_id: &r.msg_id,
            user: &r.user,
            sku: &r.sku,
            name: &r.name,
            qty: r.qty,
            unit_price: yuan(r.unit_price_fen),
            total: yuan(r.total_fen),
            status: &r.status,
            confirmed_at: &r.confirmed_at,
            helper: &r.helper,
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &list)?;
    writeln!(out)?;
    Ok(())
}

/// Orders as a table for the terminal: buyers' names are chat text, so they
/// are sanitized like the screen's.
pub fn orders_table(rows: &[OrderRow], out: &mut impl Write) -> anyhow::Result<()> {
    use crate::ui::sanitize::sanitize;
    let cells: Vec<[String; 8]> = rows
        .iter()
        .map(|r| {
            [
                r.order_id.to_string(),
                sanitize(&r.user),
                r.sku.clone(),
                r.name.clone(),
                r.qty.to_string(),
                yuan(r.total_fen),
                r.status.clone(),
                r.confirmed_at.clone(),
            ]
        })
        .collect();
    write_table(
        [
            "order",
            "user",
            "sku",
            "name",
            "qty",
            "total",
            "status",
            "confirmed_at",
        ],
        [true, false, false, false, true, true, false, false],
        &cells,
        out,
    )
}

/// Writes `cells` under `header`, each column as wide as its widest cell
/// (display width), numbers right-aligned.
pub(crate) fn write_table<const N: usize>(
    header: [&str; N],
    numeric: [bool; N],
    cells: &[[String; N]],
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let mut widths = header.map(UnicodeWidthStr::width);
    for row in cells {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.width());
        }
    }
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
    for row in cells {
        let cols: Vec<&str> = row.iter().map(String::as_str).collect();
        writeln!(out, "{}", line(&cols))?;
    }
    Ok(())
}

/// One buyer's orders together (a cart): per source, by platform user id
/// when the platform gives one, else by name, as the store tells buyers apart.
#[derive(Debug, Serialize)]
pub struct Cart<'a> {
    /// `id:<user id>` or `name:<user>`.
    pub buyer: &'a str,
    /// The name the buyer used last.
    pub user: &'a str,
    pub orders: usize,
    pub units: u64,
    /// Confirmed orders only.
    pub total: String,
    /// "小米 x2, 核桃 x1" of the confirmed orders.
    pub items: String,
    pub order_ids: Vec<i64>,
    #[serde(skip)]
    total_fen: i64,
}

/// Groups orders into carts, in the order each buyer first bought.
pub fn carts(rows: &[OrderRow]) -> Vec<Cart<'_>> {
    let mut carts: Vec<Cart> = Vec::new();
    let mut index: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for row in rows {
        let at = *index.entry(&row.buyer).or_insert_with(|| {
            carts.push(Cart {
                buyer: &row.buyer,
                user: &row.user,
                orders: 0,
                units: 0,
                total: String::new(),
                items: String::new(),
                order_ids: Vec::new(),
                total_fen: 0,
            });
            carts.len() - 1
        });
        let cart = &mut carts[at];
        cart.user = &row.user;
        cart.orders += 1;
        cart.order_ids.push(row.order_id);
        if row.status == "confirmed" {
            cart.units += u64::from(row.qty);
            cart.total_fen = cart.total_fen.saturating_add(row.total_fen);
            if !cart.items.is_empty() {
                cart.items.push_str(", ");
            }
            cart.items.push_str(&format!("{} x{}", row.name, row.qty));
        }
    }
    for cart in &mut carts {
        cart.total = yuan(cart.total_fen);
    }
    carts
}

pub fn carts_json(rows: &[OrderRow], out: &mut impl Write) -> anyhow::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &carts(rows))?;
    writeln!(out)?;
    Ok(())
}

/// Carts as a table; names are chat text, sanitized like the screen's.
pub fn carts_table(rows: &[OrderRow], out: &mut impl Write) -> anyhow::Result<()> {
    use crate::ui::sanitize::sanitize;
    let cells: Vec<[String; 5]> = carts(rows)
        .iter()
        .map(|c| {
            [
                sanitize(c.user),
                c.orders.to_string(),
                c.units.to_string(),
                c.total.clone(),
                sanitize(&c.items),
            ]
        })
        .collect();
    write_table(
        ["buyer", "orders", "units", "total", "items"],
        [false, true, true, true, false],
        &cells,
        out,
    )
}
