//! What the core remembers of each sender for reading their next message in
//! context (LABELING.md, second edition; `intent::sender`): their last few
//! messages in this stream and their open orders. Bounded: a sender's
//! words are kept for ten minutes, five at most; when too many senders are
//! remembered, those longest silent are forgotten first (their open orders
//! stay: a cancel must find its order).

use crate::intent::sender::{OpenOrder, Said, FRESH_ORDER_S};
use std::collections::{HashMap, VecDeque};

/// Earlier messages kept per sender.
const SAID_KEPT: usize = 5;
/// How long a sender's words are kept (the context rules look back no
/// further than an order's freshness).
const SAID_FOR_MS: i64 = FRESH_ORDER_S as i64 * 1000;
/// Senders whose words are remembered at most.
const SENDERS_KEPT: usize = 20_000;

#[derive(Debug, Clone, Default, PartialEq)]
struct Words {
    /// (when, text), oldest first.
    said: VecDeque<(i64, String)>,
    last_ms: i64,
}

/// One open order as the book keeps it.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Held {
    /// The store's order id (`None`: one another helper confirmed, known
    /// from the sync without its id).
    order_id: Option<i64>,
    product: Option<usize>,
    qty: u32,
    at_ms: i64,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SenderBook {
    /// Whether the open orders are known (the database's came at start):
    /// until then, no sender can be said to have none.
    known: bool,
    words: HashMap<String, Words>,
    orders: HashMap<String, Vec<Held>>,
    /// Which buyer each order is, to end it when it is cancelled.
    owners: HashMap<i64, String>,
}

impl SenderBook {
    pub fn is_known(&self) -> bool {
        self.known
    }

    /// The open orders the database holds, at start.
    pub fn seed(
        &mut self,
        orders: impl IntoIterator<Item = (i64, String, Option<usize>, u32, i64)>,
    ) {
        for (order_id, buyer, product, qty, at_ms) in orders {
            self.ordered(&buyer, Some(order_id), product, qty, at_ms);
        }
        self.known = true;
    }

    /// The context of `buyer`'s message at `now_ms`, into `orders` and
    /// `said` (cleared first; `said` borrows the book's words, so nothing is
    /// copied per message). False while the open orders are not known: the
    /// message is read alone.
    pub fn context<'b>(
        &'b self,
        buyer: &str,
        now_ms: i64,
        orders: &mut Vec<OpenOrder>,
        said: &mut Vec<Said<'b>>,
    ) -> bool {
        orders.clear();
        said.clear();
        if !self.known {
            return false;
        }
        let ago = |at_ms: i64| u64::try_from(now_ms.saturating_sub(at_ms) / 1000).unwrap_or(0);
        if let Some(held) = self.orders.get(buyer) {
            orders.extend(held.iter().map(|h| OpenOrder {
                product: h.product,
                qty: h.qty,
                ago_s: ago(h.at_ms),
            }));
        }
        if let Some(words) = self.words.get(buyer) {
            said.extend(
                words
                    .said
                    .iter()
                    .filter(|(at, _)| now_ms.saturating_sub(*at) <= SAID_FOR_MS)
                    .map(|(at, text)| Said {
                        text,
                        ago_s: ago(*at),
                    }),
            );
        }
        true
    }

    /// `buyer` said `text` at `at_ms` (after it was read).
    pub fn heard(&mut self, buyer: &str, text: &str, at_ms: i64) {
        if !self.words.contains_key(buyer) && self.words.len() >= SENDERS_KEPT {
            self.forget_the_quietest();
        }
        let words = self.words.entry(buyer.to_string()).or_default();
        if words.said.len() == SAID_KEPT {
            words.said.pop_front();
        }
        words.said.push_back((at_ms, text.to_string()));
        words.last_ms = at_ms;
    }

    /// An order of `buyer`'s was confirmed.
    pub fn ordered(
        &mut self,
        buyer: &str,
        order_id: Option<i64>,
        product: Option<usize>,
        qty: u32,
        at_ms: i64,
    ) {
        if let Some(id) = order_id {
            if self.owners.contains_key(&id) {
                return;
            }
            self.owners.insert(id, buyer.to_string());
        }
        self.orders
            .entry(buyer.to_string())
            .or_default()
            .push(Held {
                order_id,
                product,
                qty,
                at_ms,
            });
    }

    /// An order was cancelled: it is no longer open.
    pub fn order_ended(&mut self, order_id: i64) {
        let Some(buyer) = self.owners.remove(&order_id) else {
            return;
        };
        if let Some(held) = self.orders.get_mut(&buyer) {
            held.retain(|h| h.order_id != Some(order_id));
            if held.is_empty() {
                self.orders.remove(&buyer);
            }
        }
    }

    /// An order's quantity changed (or a cancelled one is open again, with
    /// `reopened` and its buyer).
    pub fn order_changed(&mut self, order_id: i64, qty: u32) {
        let Some(buyer) = self.owners.get(&order_id) else {
            return;
        };
        if let Some(h) = self
            .orders
            .get_mut(buyer)
            .and_then(|held| held.iter_mut().find(|h| h.order_id == Some(order_id)))
        {
            h.qty = qty;
        }
    }

    fn forget_the_quietest(&mut self) {
        // A tenth at a time, so the scan is paid rarely.
        let mut quiet: Vec<(i64, String)> = self
            .words
            .iter()
            .map(|(buyer, w)| (w.last_ms, buyer.clone()))
            .collect();
        quiet.sort_unstable();
        for (_, buyer) in quiet.into_iter().take(SENDERS_KEPT / 10) {
            self.words.remove(&buyer);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sender_is_unknown_until_the_orders_are() {
        let mut book = SenderBook::default();
        book.heard("name:阿花", "你好", 1_000);
        assert!(!book.context("name:阿花", 2_000, &mut Vec::new(), &mut Vec::new()));
        book.seed([(7, "name:阿花".to_string(), Some(1), 2, 500)]);
        let (mut orders, mut said) = (Vec::new(), Vec::new());
        assert!(book.context("name:阿花", 61_000, &mut orders, &mut said));
        assert_eq!(orders.len(), 1);
        assert_eq!(orders[0].ago_s, 60);
        assert_eq!(
            said,
            [Said {
                text: "你好",
                ago_s: 60
            }]
        );
    }

    #[test]
    fn a_cancelled_order_is_no_longer_open_and_words_age_out() {
        let mut book = SenderBook::default();
        book.seed([]);
        book.ordered("id:9", Some(3), Some(0), 1, 0);
        book.order_changed(3, 4);
        let mut orders = Vec::new();
        book.context("id:9", 0, &mut orders, &mut Vec::new());
        assert_eq!(orders[0].qty, 4);
        book.order_ended(3);
        book.context("id:9", 0, &mut orders, &mut Vec::new());
        assert!(orders.is_empty());
        for i in 0..8 {
            book.heard("id:9", &format!("m{i}"), i * 1000);
        }
        let mut said = Vec::new();
        book.context("id:9", 8_000, &mut orders, &mut said);
        assert_eq!(said.len(), SAID_KEPT);
        assert_eq!(said[0].text, "m3");
        book.context("id:9", 8_000 + SAID_FOR_MS, &mut orders, &mut said);
        assert!(said.is_empty());
    }

    #[test]
    fn the_quietest_senders_are_forgotten_first() {
        let mut book = SenderBook::default();
        book.seed([]);
        for i in 0..SENDERS_KEPT as i64 {
            book.heard(&format!("name:{i}"), "hi", i);
        }
        book.heard("name:new", "hi", SENDERS_KEPT as i64);
        assert!(book.words.len() <= SENDERS_KEPT);
        assert!(!book.words.contains_key("name:0"));
        assert!(book.words.contains_key("name:new"));
    }
}
