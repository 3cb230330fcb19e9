//! `livestall parse`: JSON lines in, one JSON line of intents out per line in.
//! Reads the catalog only; needs no database and writes nothing.

use crate::catalog::Catalog;
use crate::intent::{Engine, Intent};
use serde::Serialize;
use serde_json::Value;
use std::io::{self, BufRead, Write};

#[derive(Serialize)]
struct IntentOut<'a> {
    kind: &'static str,
    sku: Option<&'a str>,
    qty: Option<u32>,
    confidence: f32,
    /// What the reading rests on, as `[start, end)` byte offsets into `text`.
    evidence: Vec<[usize; 2]>,
}

#[derive(Serialize)]
struct LineOut<'a> {
    id: &'a Value,
    intents: Vec<IntentOut<'a>>,
}

#[derive(Serialize)]
struct ErrorOut<'a> {
    line: u64,
    error: &'a str,
}

/// One input message, or why the line is not one.
pub struct Message<'a> {
    pub id: &'a Value,
    pub text: &'a str,
    pub current: Option<&'a str>,
}

fn read_message(v: &Value) -> Result<Message<'_>, String> {
    let obj = v
        .as_object()
        .ok_or_else(|| "not a JSON object with \"id\" and \"text\"".to_string())?;
    let id = obj
        .get("id")
        .filter(|id| id.is_string() || id.is_number())
        .ok_or_else(|| "missing \"id\" (a string or a number)".to_string())?;
    let text = match obj.get("text") {
        Some(Value::String(s)) => s.as_str(),
        Some(_) => return Err("\"text\" is not a string".into()),
        None => return Err("missing \"text\"".into()),
    };
    let current = match obj.get("current") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.as_str()),
        Some(_) => return Err("\"current\" is not a SKU string".into()),
    };
    Ok(Message { id, text, current })
}

/// Serialises one message's intents in the `parse` output form.
fn intents_out<'a>(catalog: &'a Catalog, intents: &[Intent]) -> Vec<IntentOut<'a>> {
    intents
        .iter()
        .map(|i| IntentOut {
            kind: i.kind.as_str(),
            sku: i
                .product
                .and_then(|p| catalog.get(p))
                .map(|p| p.sku.as_str()),
            qty: i.qty,
            confidence: (i.confidence * 1000.0).round() / 1000.0,
            evidence: i.evidence.iter().map(|r| [r.start, r.end]).collect(),
        })
        .collect()
}

/// Runs the parse loop over `input` to `output`. Every input line gives one
/// output line; lines that are not messages give `{"line": N, "error": ...}`.
pub fn run(
    catalog: &Catalog,
    engine: &Engine,
    input: impl BufRead,
    mut output: impl Write,
) -> io::Result<()> {
    let mut input = input;
    let mut buf = Vec::with_capacity(256);
    let mut line_no: u64 = 0;
    loop {
        buf.clear();
        if input.read_until(b'\n', &mut buf)? == 0 {
            break;
        }
        line_no += 1;
        let line = trim_newline(&buf);
        let result = match serde_json::from_slice::<Value>(line) {
            Err(e) => Err(if std::str::from_utf8(line).is_err() {
                "line is not valid UTF-8".to_string()
            } else if line.iter().all(u8::is_ascii_whitespace) {
                "empty line".to_string()
            } else {
                format!("not JSON: {e}")
            }),
            Ok(v) => match read_message(&v) {
                Err(e) => Err(e),
                Ok(m) => {
                    let current = m.current.and_then(|sku| catalog.index_of_sku(sku));
                    let intents = engine.parse(m.text, current);
                    let out = LineOut {
                        id: m.id,
                        intents: intents_out(catalog, &intents),
                    };
                    serde_json::to_writer(&mut output, &out)?;
                    Ok(())
                }
            },
        };
        if let Err(error) = result {
            serde_json::to_writer(
                &mut output,
                &ErrorOut {
                    line: line_no,
                    error: &error,
                },
            )?;
        }
        output.write_all(b"\n")?;
    }
    output.flush()
}

fn trim_newline(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}
