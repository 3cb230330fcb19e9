//! Measures the intent engine on a labelled corpus:
//!
//! ```text
//! cargo run -q --example intent_parse -- CATALOG.toml < messages.jsonl > out.jsonl
//! python3 ../shared/corpus/score.py messages.jsonl out.jsonl
//! ```
//!
//! Reads a catalog TOML (the config's `[[products]]`) and JSON lines
//! `{"id","text","current"?}` on stdin; prints `{"id","intents":[...]}` per line.

use livestall::catalog::{Catalog, Product};
use livestall::intent::Engine;
use std::io::{BufRead, BufWriter, Write};

#[derive(serde::Deserialize)]
struct CatalogFile {
    #[serde(default)]
    products: Vec<ProductEntry>,
}

#[derive(serde::Deserialize)]
struct ProductEntry {
    sku: String,
    name: String,
    #[serde(default)]
    aliases: Vec<String>,
    link: u32,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    price: f64,
    #[serde(default)]
    stock: i64,
    limit_per_buyer: Option<u32>,
}

/// Loads the `[[products]]` of a config-style TOML file; price yuan → fen.
fn load_catalog(path: &str) -> anyhow::Result<Catalog> {
    let text = std::fs::read_to_string(path)?;
    let file: CatalogFile = toml::from_str(&text)?;
    Ok(Catalog::new(
        file.products
            .into_iter()
            .map(|p| Product {
                sku: p.sku,
                name: p.name,
                aliases: p.aliases,
                link: p.link,
                unit: p.unit,
                price_fen: (p.price * 100.0).round() as i64,
                stock: p.stock,
                limit_per_buyer: p.limit_per_buyer,
            })
            .collect(),
    ))
}

fn main() -> anyhow::Result<()> {
    let path = std::env::args()
        .nth(1)
        .ok_or_else(|| anyhow::anyhow!("usage: intent_parse CATALOG.toml < messages.jsonl"))?;
    let catalog = load_catalog(&path)?;
    let engine = Engine::new(&catalog);
    let stdin = std::io::stdin();
    let mut out = BufWriter::new(std::io::stdout().lock());
    for (n, line) in stdin.lock().lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let msg: serde_json::Value = match serde_json::from_str(&line) {
            Ok(v) => v,
            Err(e) => {
                writeln!(
                    out,
                    "{}",
                    serde_json::json!({"line": n + 1, "error": e.to_string()})
                )?;
                continue;
            }
        };
        let Some(text) = msg.get("text").and_then(|t| t.as_str()) else {
            writeln!(
                out,
                "{}",
                serde_json::json!({"line": n + 1, "error": "no text"})
            )?;
            continue;
        };
        let current = msg
            .get("current")
            .and_then(|c| c.as_str())
            .and_then(|sku| catalog.index_of_sku(sku));
        let intents: Vec<serde_json::Value> = engine
            .parse(text, current)
            .iter()
            .map(|i| {
                serde_json::json!({
                    "kind": i.kind.as_str(),
                    "sku": i.product.and_then(|p| catalog.get(p)).map(|p| p.sku.as_str()),
                    "qty": i.qty,
                    "confidence": i.confidence,
                })
            })
            .collect();
        let id = msg.get("id").cloned().unwrap_or(serde_json::Value::Null);
        writeln!(out, "{}", serde_json::json!({"id": id, "intents": intents}))?;
    }
    out.flush()?;
    Ok(())
}
