//! `livestall aliases`: the phrases helpers taught the engine (learned when a
//! helper reassigns an intent to another product), listed, added by hand and
//! removed. They live in the database; `livestall parse --db` reads them.

use crate::catalog::Catalog;
use crate::store::{rfc3339_local, wait, LearnedAlias, Store};
use serde::Serialize;
use std::io::Write;

#[derive(Serialize)]
struct AliasJson<'a> {
    phrase: &'a str,
    sku: &'a str,
    name: Option<&'a str>,
    helper: &'a str,
    learned_at: String,
    msg_id: Option<&'a str>,
}

/// One line per alias: phrase, SKU, product name, who taught it and when.
pub fn list_table(
    catalog: &Catalog,
    aliases: &[LearnedAlias],
    out: &mut impl Write,
) -> anyhow::Result<()> {
    if aliases.is_empty() {
        writeln!(out, "no learned aliases")?;
        return Ok(());
    }
    for a in aliases {
        let name = catalog
            .index_of_sku(&a.sku)
            .and_then(|i| catalog.get(i))
            .map_or("(not in config)", |p| p.name.as_str());
        writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}",
            a.phrase,
            a.sku,
            name,
            a.helper,
            rfc3339_local(a.learned_at_ms)
        )?;
    }
    Ok(())
}

/// A JSON list of objects: phrase, sku, name, helper, learned_at, msg_id.
pub fn list_json(
    catalog: &Catalog,
    aliases: &[LearnedAlias],
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let list: Vec<AliasJson> = aliases
        .iter()
        .map(|a| AliasJson {
            phrase: &a.phrase,
            sku: &a.sku,
            name: catalog
                .index_of_sku(&a.sku)
                .and_then(|i| catalog.get(i))
                .map(|p| p.name.as_str()),
            helper: &a.helper,
            learned_at: rfc3339_local(a.learned_at_ms),
            msg_id: a.msg_id.as_deref(),
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &list)?;
    writeln!(out)?;
    Ok(())
}

/// Teaches `phrase` as a name of `sku`; refuses SKUs that are not in config.
pub fn add(
    store: &Store,
    phrase: &str,
    sku: &str,
    helper: &str,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let learned = wait(store.learn_alias(phrase, sku, helper, None))?;
    writeln!(out, "learned: {} → {}", learned.phrase, learned.sku)?;
    Ok(())
}

/// Forgets `phrase`; an unknown phrase is an error, so a typo is noticed.
pub fn remove(
    store: &Store,
    phrase: &str,
    helper: &str,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    if wait(store.forget_alias(phrase, helper))? {
        writeln!(out, "removed: {}", phrase.trim())?;
        Ok(())
    } else {
        anyhow::bail!(
            "no learned alias {:?} (see `livestall aliases`)",
            phrase.trim()
        )
    }
}
