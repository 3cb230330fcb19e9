//! Which rows of the inbox are on screen and in what order: the filter
//! (`/`: text, buyer or product) and grouping by buyer (`G`). Shared by
//! `update` (moving the selection, deciding what y/n act on) and the inbox
//! view, so the two can never disagree about what "the selected row" is.
//! Computed from the model on demand (a few thousand rows at most), never
//! cached, so no update can leave a stale copy behind.

use crate::app::model::{InboxItem, Model};
use crate::app::update::picker_matches;
use std::collections::HashMap;

/// How the store and these views tell one buyer from another: the
/// platform's user id when chat gave one, else the name shown.
pub fn buyer_key(item: &InboxItem) -> (bool, &str) {
    match &item.user_id {
        Some(id) => (true, id.as_str()),
        None => (false, item.user.as_str()),
    }
}

/// A filter query made ready to test rows against: lower-cased once, with
/// the products it names (by link number, name, SKU or pinyin) looked up once.
pub struct RowFilter {
    query: String,
    products: Vec<bool>,
}

impl RowFilter {
    /// `None` when no filter is set (an empty query shows every row).
    pub fn new(model: &Model) -> Option<RowFilter> {
        let query = model.filter.as_deref()?.trim();
        if query.is_empty() {
            return None;
        }
        let mut products = vec![false; model.products.len()];
        for index in picker_matches(model, link_number(query).unwrap_or(query)) {
            products[index] = true;
        }
        Some(RowFilter {
            query: query.to_lowercase(),
            products,
        })
    }

    pub fn keeps(&self, item: &InboxItem) -> bool {
        item.product
            .is_some_and(|p| self.products.get(p).copied().unwrap_or(false))
            || item.text.to_lowercase().contains(&self.query)
            || item.user.to_lowercase().contains(&self.query)
    }
}

/// "3", "3号", "3号链接" or "#3" as the link number's digits, the way
/// viewers and helpers say a link.
fn link_number(query: &str) -> Option<&str> {
    let digits = query.trim_start_matches('#');
    let digits = digits.strip_suffix("号链接").unwrap_or(digits);
    let digits = digits.strip_suffix('号').unwrap_or(digits);
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())).then_some(digits)
}

/// Whether the filter or grouping changes what the inbox shows.
pub fn arranged(model: &Model) -> bool {
    model.group_by_buyer
        || model
            .filter
            .as_deref()
            .is_some_and(|q| !q.trim().is_empty())
}

/// Indices into `model.inbox` of the rows on screen, in screen order: the
/// filter's rows, oldest first, or with grouping each buyer's rows together
/// in the order of the buyer's first row.
pub fn visible(model: &Model) -> Vec<usize> {
    let filter = RowFilter::new(model);
    let kept = model
        .inbox
        .iter()
        .enumerate()
        .filter(|(_, item)| filter.as_ref().is_none_or(|f| f.keeps(item)));
    if !model.group_by_buyer {
        return kept.map(|(i, _)| i).collect();
    }
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut group_of: HashMap<(bool, &str), usize> = HashMap::new();
    for (i, item) in kept {
        let at = *group_of.entry(buyer_key(item)).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[at].push(i);
    }
    groups.into_iter().flatten().collect()
}

/// Whether the row at `index` is on screen.
pub fn is_visible(model: &Model, index: usize) -> bool {
    let Some(item) = model.inbox.get(index) else {
        return false;
    };
    RowFilter::new(model).is_none_or(|f| f.keeps(item))
}

/// How many rows of the inbox each buyer has (all of them, filtered or not:
/// the badge tells the helper the buyer ordered more than is shown).
pub fn rows_per_buyer(model: &Model) -> HashMap<(bool, &str), usize> {
    let mut counts = HashMap::new();
    for item in &model.inbox {
        *counts.entry(buyer_key(item)).or_insert(0) += 1;
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::link_number;

    #[test]
    fn link_numbers_are_read_as_viewers_say_them() {
        assert_eq!(link_number("3"), Some("3"));
        assert_eq!(link_number("3号"), Some("3"));
        assert_eq!(link_number("12号链接"), Some("12"));
        assert_eq!(link_number("#7"), Some("7"));
        assert_eq!(link_number("号"), None);
        assert_eq!(link_number("小米3"), None);
    }
}
