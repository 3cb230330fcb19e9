//! The order book's reports and verbs for scripts and the packing table:
//! `livestall audit`, `livestall sale start|end|list`, and the waitlist of
//! `orders list --status waitlisted`. Reports read the database only.

use crate::catalog::yuan;
use crate::store::{rfc3339_local, AuditRow, Sale, WaitlistRow};
use crate::ui::sanitize::sanitize;
use serde::Serialize;
use std::io::Write;

#[derive(Serialize)]
struct AuditJson<'a> {
    event_id: i64,
    at: String,
    at_ms: i64,
    helper: &'a str,
    action: &'a str,
    msg_id: Option<&'a str>,
    index: Option<u32>,
    order_id: Option<i64>,
    detail: &'a str,
    /// The JSON objects as stored, parsed back so scripts get objects.
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
}

pub fn audit_json(rows: &[AuditRow], out: &mut impl Write) -> anyhow::Result<()> {
    let parse = |text: &Option<String>| {
        text.as_deref()
            .map(|t| serde_json::from_str(t).unwrap_or(serde_json::Value::String(t.into())))
    };
    let list: Vec<AuditJson> = rows
        .iter()
        .map(|r| AuditJson {
            event_id: r.event_id,
            at: rfc3339_local(r.at_ms),
            at_ms: r.at_ms,
            helper: &r.helper,
            action: &r.action,
            msg_id: r.msg_id.as_deref(),
            index: r.index,
            order_id: r.order_id,
            detail: &r.detail,
            before: parse(&r.before),
            after: parse(&r.after),
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &list)?;
    writeln!(out)?;
    Ok(())
}

/// The audit trail as a table: chat-derived text is sanitized like the screen's.
pub fn audit_table(rows: &[AuditRow], out: &mut impl Write) -> anyhow::Result<()> {
    let cells: Vec<[String; 8]> = rows
        .iter()
        .map(|r| {
            [
                r.event_id.to_string(),
                rfc3339_local(r.at_ms),
                sanitize(&r.helper),
                r.action.clone(),
                match (&r.msg_id, r.index) {
                    (Some(m), Some(i)) => sanitize(&format!("{m}#{i}")),
                    _ => String::new(),
                },
                r.order_id.map(|o| o.to_string()).unwrap_or_default(),
                sanitize(r.before.as_deref().unwrap_or("")),
                sanitize(r.after.as_deref().unwrap_or(&r.detail)),
            ]
        })
        .collect();
    super::report::write_table(
        [
            "event", "at", "who", "action", "intent", "order", "before", "after",
        ],
        [true, false, false, false, false, true, false, false],
        &cells,
        out,
    )
}

#[derive(Serialize)]
struct WaitlistJson<'a> {
    place: u32,
    sku: &'a str,
    name: &'a str,
    user: &'a str,
    qty: u32,
    msg_id: &'a str,
    index: u32,
    received_at: String,
    status: &'static str,
}

pub fn waitlist_json(rows: &[WaitlistRow], out: &mut impl Write) -> anyhow::Result<()> {
    let list: Vec<WaitlistJson> = rows
        .iter()
        .map(|r| WaitlistJson {
            place: r.place,
            sku: &r.sku,
            name: &r.name,
            user: &r.user,
            qty: r.qty,
            msg_id: &r.msg_id,
            index: r.index,
            received_at: rfc3339_local(r.received_at_ms),
            status: "waitlisted",
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &list)?;
    writeln!(out)?;
    Ok(())
}

pub fn waitlist_table(rows: &[WaitlistRow], out: &mut impl Write) -> anyhow::Result<()> {
    let cells: Vec<[String; 7]> = rows
        .iter()
        .map(|r| {
            [
                r.place.to_string(),
                r.sku.clone(),
                r.name.clone(),
                sanitize(&r.user),
                r.qty.to_string(),
                rfc3339_local(r.received_at_ms),
                sanitize(&format!("{}#{}", r.msg_id, r.index)),
            ]
        })
        .collect();
    super::report::write_table(
        [
            "place",
            "sku",
            "name",
            "user",
            "qty",
            "received_at",
            "intent",
        ],
        [true, false, false, false, true, false, false],
        &cells,
        out,
    )
}

/// One sale, said in a line (the verbs' answer).
pub fn sale_line(sale: &Sale) -> String {
    format!(
        "flash sale {}: {} x{} at {} until {} ({} sold)",
        sale.sale_id,
        sale.sku,
        sale.qty,
        yuan(sale.price_fen),
        rfc3339_local(sale.ends_at_ms),
        sale.sold
    )
}

pub fn sales_table(sales: &[Sale], now_ms: i64, out: &mut impl Write) -> anyhow::Result<()> {
    let cells: Vec<[String; 8]> = sales
        .iter()
        .map(|s| {
            [
                s.sale_id.to_string(),
                s.sku.clone(),
                s.qty.to_string(),
                yuan(s.price_fen),
                s.sold.to_string(),
                rfc3339_local(s.starts_at_ms),
                rfc3339_local(s.ends_at_ms),
                if s.ends_at_ms > now_ms {
                    "running"
                } else {
                    "ended"
                }
                .to_string(),
            ]
        })
        .collect();
    super::report::write_table(
        [
            "sale",
            "sku",
            "qty",
            "price",
            "sold",
            "starts_at",
            "ends_at",
            "state",
        ],
        [true, false, true, true, true, false, false, false],
        &cells,
        out,
    )
}
