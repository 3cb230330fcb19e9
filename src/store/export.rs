//! Order exports for spreadsheets: CSV that Excel and WPS open with Chinese
//! intact (UTF-8 BOM) and that can never smuggle a formula in from chat text.

use super::{rfc3339_local, OrderRow};
use crate::catalog::yuan;
use std::io::{self, Write};

/// The columns, in order. Scripts read the first eleven by position, so
/// columns are only ever added at the end.
pub const ORDERS_CSV_HEADER: &str =
    "order_id,msg_id,user,sku,name,qty,unit_price,total,status,confirmed_at,helper,\
     unit,text,cancelled_at,changed_at,buyer,source";

/// Writes every row, after a BOM and the header. Fields are quoted when they
/// hold a comma, quote or line break; text starting like a formula gets a
/// leading apostrophe, because user names, message ids and the text come
/// from chat.
pub fn write_orders_csv(rows: &[OrderRow], out: &mut impl Write) -> io::Result<()> {
    out.write_all("\u{feff}".as_bytes())?;
    out.write_all(ORDERS_CSV_HEADER.as_bytes())?;
    out.write_all(b"\r\n")?;
    for row in rows {
        let fields = [
            row.order_id.to_string(),
            text_field(&row.msg_id),
            text_field(&row.user),
            text_field(&row.sku),
            text_field(&row.name),
            row.qty.to_string(),
            yuan(row.unit_price_fen),
            yuan(row.total_fen),
            text_field(&row.status),
            text_field(&row.confirmed_at),
            text_field(&row.helper),
            text_field(&row.unit),
            text_field(&row.text),
            text_field(&row.cancelled_at_ms.map(rfc3339_local).unwrap_or_default()),
            text_field(&row.changed_at_ms.map(rfc3339_local).unwrap_or_default()),
            text_field(&row.buyer),
            text_field(&row.source),
        ];
        out.write_all(fields.join(",").as_bytes())?;
        // RFC 4180 line ends; Excel reads them everywhere.
        out.write_all(b"\r\n")?;
    }
    out.flush()
}

/// One free-text cell: formula-guarded, then quoted as needed.
pub fn text_field(value: &str) -> String {
    let guarded = if starts_like_formula(value) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    quote(&guarded)
}

/// Spreadsheets evaluate cells starting with these (OWASP "CSV injection");
/// tab and carriage return are on the list because some apps strip them first.
fn starts_like_formula(value: &str) -> bool {
    matches!(
        value.chars().next(),
        Some('=' | '+' | '-' | '@' | '\t' | '\r' | '＝' | '＋' | '－' | '＠')
    )
}

fn quote(value: &str) -> String {
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_and_guard() {
        assert_eq!(text_field("plain 小米"), "plain 小米");
        assert_eq!(text_field("a,b"), "\"a,b\"");
        assert_eq!(text_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(text_field("two\nlines"), "\"two\nlines\"");
        assert_eq!(text_field("=1+1"), "'=1+1");
        assert_eq!(text_field("-2"), "'-2");
        assert_eq!(text_field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(
            text_field("=HYPERLINK(\"x\",\"y\")"),
            "\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\""
        );
        assert_eq!(text_field("a=b"), "a=b");
    }
}
