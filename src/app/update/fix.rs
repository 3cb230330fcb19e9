//! Fixing an intent before confirming it: one more or one fewer (`+` /
//! `-`), another product from the picker (`e` / Tab: a link number, part of
//! a name or SKU, or pinyin initials), and, when the engine read a word of
//! the message as the wrong product, teaching it that word (asked, one key).

use super::actionable;
use crate::app::model::*;
use crate::app::msg::Effect;
use crate::intent::{Engine, IntentKind};
use crate::store::{AliasRefusal, LearnedAlias, StoreJob};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use pinyin::ToPinyin;

/// The largest quantity `+` goes to: a slip of the key, not an order of thousands.
const MAX_QTY: u32 = 9_999;

/// One more or one fewer of the selected intent (never below one; a cancel
/// has no quantity to change).
pub(super) fn step_qty(model: &mut Model, step: i64) {
    let Some(item) = model.selected_index().map(|i| &mut model.inbox[i]) else {
        return;
    };
    if item.kind == IntentKind::Cancel || !actionable(&item.state) {
        return;
    }
    let now = i64::from(item.qty.unwrap_or(1));
    let next = (now + step).clamp(1, i64::from(MAX_QTY));
    item.qty = Some(next as u32);
}

/// Opens the picker for the selected intent, the current product first.
pub(super) fn open_picker(model: &mut Model) {
    let Some(item) = model.selected_item() else {
        return;
    };
    if item.kind == IntentKind::Cancel && item.product.is_none() {
        // "算了" names no product and needs none.
        return;
    }
    if !actionable(&item.state) {
        return;
    }
    model.picker = Some(Picker {
        key: item.key.clone(),
        query: String::new(),
        selected: item.product.unwrap_or(0),
    });
    model.mode = Mode::Picker;
}

/// The products `query` picks, in queue order: by link number (digits),
/// else by part of the name or SKU, or by pinyin initials ("xm" for 小米)
/// or whole pinyin ("xiaomi"). An empty query lists every product.
pub fn picker_matches(model: &Model, query: &str) -> Vec<usize> {
    let query = query.trim().to_lowercase();
    model
        .products
        .iter()
        .enumerate()
        .filter(|&(i, p)| {
            if query.is_empty() {
                return true;
            }
            if query.bytes().all(|b| b.is_ascii_digit()) {
                return p.link.to_string().starts_with(&query);
            }
            // Any part of the name: "ht" finds 薄皮核桃 (bpht) as "核桃" does;
            // and the catalog's aliases, the words chat uses for it.
            let named = |name: &str| {
                let (initials, spelled) = pinyin_of(name);
                name.to_lowercase().contains(&query)
                    || initials.contains(&query)
                    || spelled.contains(&query)
            };
            named(&p.name)
                || p.sku.to_lowercase().contains(&query)
                || model
                    .catalog
                    .get(i)
                    .is_some_and(|c| c.aliases.iter().any(|a| named(a)))
        })
        .map(|(i, _)| i)
        .collect()
}

/// A name's pinyin initials and its whole toneless pinyin, other
/// characters (Latin letters, digits) kept as they are, lower case.
fn pinyin_of(name: &str) -> (String, String) {
    let mut initials = String::new();
    let mut spelled = String::new();
    for c in name.chars() {
        match c.to_pinyin() {
            Some(p) => {
                initials.push_str(p.first_letter());
                spelled.push_str(p.plain());
            }
            None if c.is_alphanumeric() => {
                let lower: String = c.to_lowercase().collect();
                initials.push_str(&lower);
                spelled.push_str(&lower);
            }
            None => {}
        }
    }
    (initials, spelled)
}

/// A key while the picker is open; false leaves it to the keymap (quit).
pub(super) fn picker_key(model: &mut Model, engine: &Engine, key: &KeyEvent) -> bool {
    if key.modifiers.contains(KeyModifiers::CONTROL) {
        return false;
    }
    let Some(picker) = model.picker.as_mut() else {
        model.mode = Mode::Inbox;
        return true;
    };
    match key.code {
        KeyCode::Esc => close(model),
        KeyCode::Up => picker.selected = picker.selected.saturating_sub(1),
        KeyCode::Down => picker.selected = picker.selected.saturating_add(1),
        KeyCode::Backspace => {
            picker.query.pop();
            picker.selected = 0;
        }
        KeyCode::Char(c) if picker.query.chars().count() < 24 => {
            picker.query.push(c);
            picker.selected = 0;
        }
        KeyCode::Enter => {
            let (query, selected, key) =
                (picker.query.clone(), picker.selected, picker.key.clone());
            let matches = picker_matches(model, &query);
            let chosen = matches
                .get(selected.min(matches.len().saturating_sub(1)))
                .copied();
            close(model);
            if let Some(product) = chosen {
                choose(model, engine, &key, product);
            }
        }
        _ => {}
    }
    // Keep the selection on the list as it narrows.
    if let Some(query) = model.picker.as_ref().map(|p| p.query.clone()) {
        let len = picker_matches(model, &query).len();
        if let Some(picker) = model.picker.as_mut() {
            picker.selected = picker.selected.min(len.saturating_sub(1));
        }
    }
    true
}

fn close(model: &mut Model) {
    model.picker = None;
    model.mode = Mode::Inbox;
}

/// Gives the intent `product`; when the engine had read a word of the
/// message as another product, asks whether to teach it that word.
fn choose(model: &mut Model, engine: &Engine, key: &crate::store::IntentKey, product: usize) {
    let Some(item) = model.inbox.iter_mut().find(|item| &item.key == key) else {
        return;
    };
    if !actionable(&item.state) {
        return;
    }
    let before = item.product;
    item.product = Some(product);
    item.sku = Some(model.products[product].sku.clone());
    if item.kind == IntentKind::Order && item.qty.is_none() {
        item.qty = Some(1);
    }
    let Some(before) = before.filter(|&b| b != product) else {
        return;
    };
    if let Some(phrase) = misread_phrase(engine, item, before) {
        model.question = Some(Bulk::TeachAlias {
            phrase,
            product,
            msg_id: key.msg_id.clone(),
        });
        model.mode = Mode::Ask;
    }
}

/// The words of the message the engine read as `before`, the product the
/// helper just replaced: a name, an alias or a typo of one among the words
/// the reading rests on (never its verb or quantity). `None` when the
/// reading rested on the product on air or a link number.
fn misread_phrase(engine: &Engine, item: &InboxItem, before: usize) -> Option<String> {
    let (span, _) = engine
        .product_words(&item.text)
        .into_iter()
        .find(|(span, product)| {
            *product == before
                && item
                    .evidence
                    .iter()
                    .any(|e| e.start < span.end && span.start < e.end)
        })?;
    let phrase = item.text.get(span)?.trim();
    let numeral = |c: char| c.is_ascii_digit() || "一二两三四五六七八九十百千万零俩仨".contains(c);
    let letters = phrase.chars().filter(|c| c.is_alphanumeric()).count();
    if letters < 2 || phrase.chars().any(numeral) || phrase.contains("链接") {
        return None;
    }
    Some(phrase.to_string())
}

/// The helper said yes: the store learns the phrase (engines built from
/// now on read it: the next start, `parse --db`).
pub(super) fn teach(
    model: &mut Model,
    phrase: String,
    product: usize,
    msg_id: String,
    fx: &mut Vec<Effect>,
) {
    fx.push(Effect::Store(StoreJob::Learn {
        phrase,
        sku: model.products[product].sku.clone(),
        helper: model.helper.clone(),
        msg_id: Some(msg_id),
    }));
}

pub(super) fn learned(model: &mut Model, result: Result<LearnedAlias, AliasRefusal>) {
    let notice = match result {
        Ok(alias) => {
            let name = model
                .products
                .iter()
                .find(|p| p.sku == alias.sku)
                .map_or(alias.sku.clone(), |p| p.name.clone());
            Notice::Learned(alias.phrase, name)
        }
        Err(refusal) => Notice::LearnRefused(refusal.to_string()),
    };
    model.notice = Some((notice, model.now_ms));
}
