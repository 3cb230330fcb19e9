//! Headless mode's shell: JSON commands in, one per line, and one JSON event
//! line out per event, flushed as it happens. This is the interface other
//! programs (a board, a web page, a script) drive livestall through; the
//! README documents it.
//!
//! Commands: `{"cmd":"on_air","sku":"…"}` or `{"cmd":"on_air","link":N}`
//! (`put_on_air` is the same command),
//! `{"cmd":"confirm","msg_id":"…","index":N}`, `{"cmd":"reject",…}` (index
//! defaults to 0), `{"cmd":"cancel_order","order_id":N}`,
//! `{"cmd":"set_qty","order_id":N,"qty":N}`, `{"cmd":"undo"}`,
//! bulk decisions `{"cmd":"reject_product","sku":"…"}`,
//! `{"cmd":"reject_older","minutes":N}`, `{"cmd":"confirm_on_air"}`, stock
//! `{"cmd":"restock","sku":"…","qty":N}` and `{"cmd":"set_stock",…}`, flash
//! sales `{"cmd":"sale_start","sku":"…","qty":N,"price":"19.9","minutes":N}`
//! and `{"cmd":"sale_end","sku":"…"}`, the order of selling
//! `{"cmd":"move_product","sku":"…","to":N}` (place N, 0 sells first; told
//! as `queue_changed`), `{"cmd":"sold_out","sku":"…"}` (stock set to 0; a
//! product by `sku` or `link` in all of these), `{"cmd":"quit"}`. A line that is not one gets
//! `{"event":"error","line":N,"error":"…"}` and the run goes on. The end of
//! input does not end the run: a signal or `quit` does.

use crate::app::driver::{self, Flush, Session, Shell};
use crate::app::event::Event;
use crate::app::model::Model;
use crate::app::msg::{Command, Msg, ProductRef};
use crate::catalog::parse_yuan;
use crate::store::{IntentKey, StockTo};
use serde_json::Value;
use std::io::{BufRead, Write};
use tokio::sync::mpsc;
use tokio::time::Instant;

/// Command lines read ahead of the driver.
const COMMAND_QUEUE: usize = 64;

/// One line of input: its number and its text (or why it has none).
type InputLine = (u64, Result<String, String>);

struct HeadlessShell<W: Write> {
    lines: mpsc::Receiver<InputLine>,
    out: W,
}

impl<W: Write> Shell for HeadlessShell<W> {
    async fn input(&mut self) -> Option<anyhow::Result<Msg>> {
        loop {
            let (line, text) = self.lines.recv().await?;
            let msg = match text.and_then(|text| read_command(&text)) {
                Ok(None) => continue,
                Ok(Some(command)) => Msg::Command { line, command },
                Err(error) => Msg::BadCommand { line, error },
            };
            return Some(Ok(msg));
        }
    }

    fn input_end_stops(&self) -> bool {
        false
    }

    fn chat_end_stops(&self) -> bool {
        true
    }

    fn publish(&mut self, event: &Event) -> anyhow::Result<()> {
        serde_json::to_writer(&mut self.out, event)?;
        self.out.write_all(b"\n")?;
        self.out.flush()?;
        Ok(())
    }

    fn changed(&mut self) {}

    fn present(&mut self, _model: &Model) -> anyhow::Result<()> {
        Ok(())
    }

    fn wake_at(&self) -> Option<Instant> {
        None
    }
}

/// Reads command lines from `input` on a thread of its own: a blocking read
/// cannot be cancelled, and a thread left blocked on a terminal or an open
/// pipe must not hold up the end of the run (tokio's stdin would).
fn read_lines(input: impl BufRead + Send + 'static) -> mpsc::Receiver<InputLine> {
    let (tx, rx) = mpsc::channel(COMMAND_QUEUE);
    std::thread::Builder::new()
        .name("livestall-commands".into())
        .spawn(move || {
            let mut input = input;
            let mut buf = Vec::new();
            for line in 1u64.. {
                buf.clear();
                match input.read_until(b'\n', &mut buf) {
                    Ok(0) => return,
                    Ok(_) => {}
                    Err(error) => {
                        let _ = tx.blocking_send((line, Err(format!("cannot read: {error}"))));
                        return;
                    }
                }
                let text = String::from_utf8(std::mem::take(&mut buf))
                    .map_err(|_| "line is not valid UTF-8".to_string());
                if tx.blocking_send((line, text)).is_err() {
                    return;
                }
            }
        })
        .expect("cannot start the command reader thread");
    rx
}

/// One command line; `Ok(None)` for a blank line.
fn read_command(text: &str) -> Result<Option<Command>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let value: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let Value::Object(fields) = value else {
        return Err("a command is a JSON object".into());
    };
    let name = fields
        .get("cmd")
        .and_then(Value::as_str)
        .ok_or("a command needs \"cmd\" (on_air, confirm, reject, undo, quit, …)")?;
    let allowed: &[&str] = match name {
        "on_air" | "put_on_air" | "sold_out" => &["cmd", "sku", "link"],
        "move_product" => &["cmd", "sku", "link", "to"],
        "confirm" | "reject" => &["cmd", "msg_id", "index"],
        "cancel_order" => &["cmd", "order_id"],
        "set_qty" => &["cmd", "order_id", "qty"],
        "reject_product" | "sale_end" => &["cmd", "sku", "link"],
        "reject_older" => &["cmd", "minutes"],
        "restock" | "set_stock" => &["cmd", "sku", "link", "qty"],
        "sale_start" => &["cmd", "sku", "link", "qty", "price", "minutes"],
        "quit" | "undo" | "confirm_on_air" => &["cmd"],
        other => return Err(format!("unknown command {other:?}")),
    };
    // A misspelt key must not fall back to a default and act on another
    // intent ("idx" for "index" would confirm index 0).
    if let Some(key) = fields.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(format!(
            "{name} does not take {key:?} (it takes {})",
            allowed[1..].join(", ")
        )
        .replace("(it takes )", "(it takes nothing else)"));
    }
    let command = match name {
        "on_air" | "put_on_air" => Command::OnAir(product_ref(name, &fields)?),
        "sold_out" => Command::SoldOut(product_ref(name, &fields)?),
        "move_product" => Command::MoveProduct {
            product: product_ref(name, &fields)?,
            to: usize::try_from(whole(name, &fields, "to")?)
                .map_err(|_| format!("{name}: \"to\" is too large"))?,
        },
        "reject_product" => Command::RejectProduct(product_ref(name, &fields)?),
        "sale_end" => Command::SaleEnd(product_ref(name, &fields)?),
        "reject_older" => Command::RejectOlder {
            minutes: small(name, &fields, "minutes")?,
        },
        "confirm_on_air" => Command::ConfirmOnAir,
        "restock" => Command::Stock {
            product: product_ref(name, &fields)?,
            to: StockTo::Add(signed(name, &fields, "qty")?),
        },
        "set_stock" => Command::Stock {
            product: product_ref(name, &fields)?,
            to: StockTo::Set(whole(name, &fields, "qty")?),
        },
        "sale_start" => Command::SaleStart {
            product: product_ref(name, &fields)?,
            qty: small(name, &fields, "qty")?,
            price_fen: match fields.get("price") {
                Some(Value::String(text)) => parse_yuan(text),
                Some(Value::Number(n)) => parse_yuan(&n.to_string()),
                _ => None,
            }
            .ok_or_else(|| format!("{name} needs \"price\" in yuan (like \"19.9\")"))?,
            minutes: small(name, &fields, "minutes")?,
        },
        "confirm" => Command::Confirm(intent_key(name, &fields)?),
        "reject" => Command::Reject(intent_key(name, &fields)?),
        "undo" => Command::Undo,
        "cancel_order" => Command::CancelOrder(whole(name, &fields, "order_id")?),
        "set_qty" => Command::SetQty {
            order_id: whole(name, &fields, "order_id")?,
            qty: u32::try_from(whole(name, &fields, "qty")?)
                .map_err(|_| format!("{name}: \"qty\" is too large"))?,
        },
        _ => Command::Quit,
    };
    Ok(Some(command))
}

/// A product named by `"sku"` (a string) or `"link"` (a number), not both.
fn product_ref(name: &str, fields: &serde_json::Map<String, Value>) -> Result<ProductRef, String> {
    match (fields.get("sku"), fields.get("link")) {
        (Some(Value::String(sku)), None) => Ok(ProductRef::Sku(sku.clone())),
        (None, Some(link)) => Ok(ProductRef::Link(
            link.as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .ok_or("\"link\" is a whole number")?,
        )),
        _ => Err(format!(
            "{name} needs \"sku\" (a string) or \"link\" (a number)"
        )),
    }
}

/// A required whole number that fits 32 bits.
fn small(name: &str, fields: &serde_json::Map<String, Value>, key: &str) -> Result<u32, String> {
    u32::try_from(whole(name, fields, key)?).map_err(|_| format!("{name}: \"{key}\" is too large"))
}

/// A required whole number that may be negative (a restock that takes some away).
fn signed(name: &str, fields: &serde_json::Map<String, Value>, key: &str) -> Result<i64, String> {
    fields
        .get(key)
        .ok_or_else(|| format!("{name} needs \"{key}\" (a whole number)"))?
        .as_i64()
        .ok_or_else(|| format!("{name}: \"{key}\" is a whole number"))
}

/// A required whole number (0 or more) field of a command.
fn whole(name: &str, fields: &serde_json::Map<String, Value>, key: &str) -> Result<i64, String> {
    fields
        .get(key)
        .ok_or_else(|| format!("{name} needs \"{key}\" (a whole number)"))?
        .as_u64()
        .and_then(|n| i64::try_from(n).ok())
        .ok_or_else(|| format!("{name}: \"{key}\" is a whole number"))
}

fn intent_key(name: &str, fields: &serde_json::Map<String, Value>) -> Result<IntentKey, String> {
    let msg_id = fields
        .get("msg_id")
        .and_then(Value::as_str)
        .ok_or_else(|| format!("{name} needs \"msg_id\" (a string)"))?;
    let index = match fields.get("index") {
        None => 0,
        Some(index) => index
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| format!("{name}: \"index\" is a whole number"))?,
    };
    Ok(IntentKey {
        msg_id: msg_id.to_string(),
        index,
    })
}

/// Runs `session` headless: commands read from `input`, event lines written
/// to `output`. Ends on `quit` or the session's stop, after the store has
/// committed what it was given, or with an error when it has not within the
/// session's bound.
pub async fn run(
    session: Session,
    input: impl BufRead + Send + 'static,
    output: impl Write,
) -> anyhow::Result<()> {
    let mut shell = HeadlessShell {
        lines: read_lines(input),
        out: output,
    };
    let (ran, flush, _) = driver::run(session, &mut shell).await;
    ran?;
    match flush {
        Flush::Done => Ok(()),
        Flush::Failed(error) => Err(error.into()),
        Flush::TimedOut(within) => anyhow::bail!(
            "the database did not finish writing within {} s; intents detected last may be \
             missing from it (replaying the chat records them again)",
            within.as_secs()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(msg_id: &str, index: u32) -> IntentKey {
        IntentKey {
            msg_id: msg_id.into(),
            index,
        }
    }

    #[test]
    fn commands_read_as_documented() {
        let cases = [
            (
                r#"{"cmd":"on_air","sku":"MILLET"}"#,
                Command::OnAir(ProductRef::Sku("MILLET".into())),
            ),
            (
                r#"{"cmd":"on_air","link":3}"#,
                Command::OnAir(ProductRef::Link(3)),
            ),
            (
                r#"{"cmd":"confirm","msg_id":"m1","index":1}"#,
                Command::Confirm(key("m1", 1)),
            ),
            (
                r#" {"cmd":"reject","msg_id":"m2"} "#,
                Command::Reject(key("m2", 0)),
            ),
            (r#"{"cmd":"quit"}"#, Command::Quit),
            (
                r#"{"cmd":"put_on_air","link":2}"#,
                Command::OnAir(ProductRef::Link(2)),
            ),
            (
                r#"{"cmd":"move_product","sku":"HONEY","to":0}"#,
                Command::MoveProduct {
                    product: ProductRef::Sku("HONEY".into()),
                    to: 0,
                },
            ),
            (
                r#"{"cmd":"sold_out","link":3}"#,
                Command::SoldOut(ProductRef::Link(3)),
            ),
            (r#"{"cmd":"undo"}"#, Command::Undo),
            (
                r#"{"cmd":"cancel_order","order_id":12}"#,
                Command::CancelOrder(12),
            ),
            (
                r#"{"cmd":"set_qty","order_id":12,"qty":3}"#,
                Command::SetQty {
                    order_id: 12,
                    qty: 3,
                },
            ),
        ];
        for (line, want) in cases {
            assert_eq!(read_command(line), Ok(Some(want)), "{line}");
        }
        assert_eq!(read_command("  \r\n"), Ok(None));
    }

    #[test]
    fn bad_commands_say_what_is_wrong() {
        let cases = [
            ("{", "not JSON"),
            ("[1]", "JSON object"),
            (r#"{"msg_id":"m1"}"#, "needs \"cmd\""),
            (r#"{"cmd":"dance"}"#, "unknown command \"dance\""),
            (r#"{"cmd":"on_air"}"#, "on_air needs"),
            (r#"{"cmd":"on_air","sku":"A","link":1}"#, "on_air needs"),
            (r#"{"cmd":"on_air","link":-1}"#, "whole number"),
            (r#"{"cmd":"confirm"}"#, "confirm needs \"msg_id\""),
            (
                r#"{"cmd":"reject","msg_id":"m1","idx":7}"#,
                "reject does not take \"idx\" (it takes msg_id, index)",
            ),
            (r#"{"cmd":"quit","now":true}"#, "(it takes nothing else)"),
            (
                r#"{"cmd":"on_air","sku":"A","name":"x"}"#,
                "it takes sku, link",
            ),
            (
                r#"{"cmd":"cancel_order"}"#,
                "cancel_order needs \"order_id\"",
            ),
            (r#"{"cmd":"set_qty","order_id":1}"#, "set_qty needs \"qty\""),
            (
                r#"{"cmd":"move_product","sku":"A"}"#,
                "move_product needs \"to\"",
            ),
            (
                r#"{"cmd":"move_product","sku":"A","to":-1}"#,
                "\"to\" is a whole number",
            ),
            (r#"{"cmd":"sold_out"}"#, "sold_out needs"),
            (
                r#"{"cmd":"set_qty","order_id":1,"qty":-2}"#,
                "\"qty\" is a whole number",
            ),
            (
                r#"{"cmd":"confirm","msg_id":"m","index":"x"}"#,
                "whole number",
            ),
        ];
        for (line, want) in cases {
            let got = read_command(line).expect_err(line);
            assert!(got.contains(want), "{line}: {got}");
        }
    }
}
