//! The sender's own context for one message, as ../shared/corpus/LABELING.md
//! (second edition) defines it: the sender's open orders and earlier words.
//! Owns the rules that read a message differently because of them:
//!
//! - a cancel or change that names no product needs an order to act on:
//!   with none it is no intent; with one, it is `uncertain` (read below the
//!   auto-confirm line, for the helper to decide) when the sender has said
//!   other things since that order, the order is over ten minutes old, or
//!   the sender has more than one open order;
//! - "再来" or a bare quantity after one's own order, with nothing on air,
//!   orders the product of the sender's latest order;
//! - an order naming no product within two minutes of the sender's own
//!   question about one product ("杏干还有吗" … "来两袋") orders that
//!   product, even when another is on air.
//!
//! A message read without a context is read alone, as before.

use super::suggest::Note;
use super::{Engine, Intent, IntentKind};

/// An open order of the sender's, as the engine needs it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OpenOrder {
    /// Index into the catalog (`None`: a product the catalog no longer has).
    pub product: Option<usize>,
    pub qty: u32,
    /// Seconds before the message.
    pub ago_s: u64,
}

/// One of the sender's earlier messages in this stream.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Said<'a> {
    pub text: &'a str,
    /// Seconds before the message.
    pub ago_s: u64,
}

/// What the sender said and ordered before this message.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SenderContext<'a> {
    pub orders: &'a [OpenOrder],
    /// Oldest first.
    pub history: &'a [Said<'a>],
}

/// An order older than this makes a cancel or change naming no product
/// uncertain (LABELING.md: "more than 10 minutes old").
pub const FRESH_ORDER_S: u64 = 600;

/// How long a question of the sender's makes its product the one a bare
/// order means (LABELING.md: "within two minutes").
pub const ANSWER_WITHIN_S: u64 = 120;

/// The confidence an uncertain reading is given: shown to the helper, never
/// taken by the auto-confirm policy.
pub const UNCERTAIN_CONFIDENCE: f32 = 0.6;

impl SenderContext<'_> {
    /// The sender's latest open order.
    pub fn latest_order(&self) -> Option<&OpenOrder> {
        self.orders.iter().min_by_key(|o| o.ago_s)
    }

    /// Whether a cancel or change naming no product can only be guessed:
    /// which order it means, or whether it means an order at all.
    fn amendment_is_uncertain(&self) -> bool {
        self.latest_order().is_none() || self.amendment_doubt().is_some()
    }

    /// Why a cancel or change naming no product is left to the helper
    /// (`None`: it is not, or the sender has no order).
    pub fn amendment_doubt(&self) -> Option<Note> {
        let latest = self.latest_order()?;
        if self.orders.len() > 1 {
            Some(Note::SeveralOrders)
        } else if latest.ago_s > FRESH_ORDER_S {
            Some(Note::OldOrder)
        } else if self.history.iter().any(|said| said.ago_s < latest.ago_s) {
            Some(Note::SaidMoreSince)
        } else {
            None
        }
    }
}

impl Engine {
    /// The grammar's reading with the sender's context applied (`None`: the
    /// message is read alone, as `parse_into` reads it).
    pub fn parse_in_context(
        &self,
        text: &str,
        current: Option<usize>,
        sender: Option<&SenderContext<'_>>,
        out: &mut Vec<Intent>,
    ) {
        match sender {
            Some(sender) => {
                self.parse_raw(text, current, out);
                self.apply_context(text, current, sender, out);
            }
            None => self.parse_into(text, current, out),
        }
    }

    /// The one product `text` asks about ("杏干还有吗", "辣椒酱辣不辣",
    /// "is the honey raw?"): a question naming one product (in its own
    /// sense) and ordering nothing.
    pub fn asked_about(&self, text: &str) -> Option<usize> {
        let product = self.question_about(text)?;
        self.parse(text, None).is_empty().then_some(product)
    }

    /// The context rules on a reading already made (`out`).
    pub fn apply_context(
        &self,
        text: &str,
        current: Option<usize>,
        sender: &SenderContext<'_>,
        out: &mut Vec<Intent>,
    ) {
        // "杏干还有吗" … "来两袋": an order naming no product answers the
        // sender's own recent question, whatever is on air.
        let bare = out.is_empty()
            || out
                .iter()
                .all(|i| i.kind == IntentKind::Order && i.product == current && current.is_some());
        if bare {
            let asked = sender
                .history
                .iter()
                .rev()
                .take_while(|said| said.ago_s <= ANSWER_WITHIN_S)
                .find_map(|said| self.asked_about(said.text));
            if let Some(product) = asked.filter(|&p| Some(p) != current) {
                let mut answer = Vec::new();
                self.parse_into(text, Some(product), &mut answer);
                // Only a reading that is all a bare order of it.
                if !answer.is_empty()
                    && answer
                        .iter()
                        .all(|i| i.kind == IntentKind::Order && i.product == Some(product))
                    && self.parse(text, None).is_empty()
                {
                    *out = answer;
                    return;
                }
            }
        }
        // "再来两袋" after one's own order, nothing on air: read as if the
        // latest order's product were on air, and kept only when that is
        // all the message orders.
        if out.is_empty() && current.is_none() {
            if let Some(product) = sender.latest_order().and_then(|o| o.product) {
                self.parse_into(text, Some(product), out);
                let again = !out.is_empty()
                    && out
                        .iter()
                        .all(|i| i.kind == IntentKind::Order && i.product == Some(product));
                if !again {
                    out.clear();
                }
                return;
            }
        }
        let unnamed_amendment = |i: &Intent| i.kind != IntentKind::Order && i.product.is_none();
        if !out.iter().any(unnamed_amendment) {
            return;
        }
        if sender.orders.is_empty() {
            // Nothing to cancel or change: "算了" about a song.
            out.retain(|i| !unnamed_amendment(i));
            return;
        }
        if sender.amendment_is_uncertain() {
            for intent in out.iter_mut().filter(|i| unnamed_amendment(i)) {
                intent.confidence = intent.confidence.min(UNCERTAIN_CONFIDENCE);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Catalog, Product};

    fn engine() -> Engine {
        let product = |sku: &str, name: &str, link: u32| Product {
            sku: sku.into(),
            name: name.into(),
            aliases: vec![],
            link,
            unit: "袋".into(),
            price_fen: 1000,
            stock: 10,
            limit_per_buyer: None,
        };
        Engine::new(&Catalog::new(vec![
            product("MILLET", "小米", 1),
            product("APRICOT", "杏干", 2),
        ]))
    }

    fn read(text: &str, current: Option<usize>, sender: &SenderContext<'_>) -> Vec<Intent> {
        let mut out = Vec::new();
        engine().parse_in_context(text, current, Some(sender), &mut out);
        out
    }

    const ONE_FRESH: &[OpenOrder] = &[OpenOrder {
        product: Some(1),
        qty: 2,
        ago_s: 60,
    }];

    #[test]
    fn a_cancel_naming_nothing_needs_an_order() {
        let alone = read("算了不要了", None, &SenderContext::default());
        assert!(alone.is_empty(), "{alone:?}");
        let with_order = read(
            "算了不要了",
            None,
            &SenderContext {
                orders: ONE_FRESH,
                history: &[],
            },
        );
        assert_eq!(with_order.len(), 1, "{with_order:?}");
        assert_eq!(with_order[0].kind, IntentKind::Cancel);
        assert!(with_order[0].confidence >= super::super::AUTO_CONFIRM_CONFIDENCE);
    }

    #[test]
    fn words_since_an_old_order_or_two_orders_make_it_uncertain() {
        let said_since = [Said {
            text: "这首歌好听",
            ago_s: 30,
        }];
        let old = [OpenOrder {
            ago_s: 900,
            ..ONE_FRESH[0]
        }];
        let two = [
            ONE_FRESH[0],
            OpenOrder {
                ago_s: 120,
                ..ONE_FRESH[0]
            },
        ];
        for sender in [
            SenderContext {
                orders: ONE_FRESH,
                history: &said_since,
            },
            SenderContext {
                orders: &old,
                history: &[],
            },
            SenderContext {
                orders: &two,
                history: &[],
            },
        ] {
            let read = read("不要了", None, &sender);
            assert_eq!(read.len(), 1, "{sender:?}");
            assert!(read[0].confidence < super::super::AUTO_CONFIRM_CONFIDENCE);
        }
    }

    #[test]
    fn again_after_ones_own_order_orders_its_product() {
        let sender = SenderContext {
            orders: ONE_FRESH,
            history: &[],
        };
        let again = read("再来两袋", None, &sender);
        assert_eq!(again.len(), 1, "{again:?}");
        assert_eq!((again[0].product, again[0].qty), (Some(1), Some(2)));
        // With a product on air, the first edition's reading stands.
        let on_air = read("再来两袋", Some(0), &sender);
        assert_eq!(on_air[0].product, Some(0));
        // And without an order, nothing.
        assert!(read("再来两袋", None, &SenderContext::default()).is_empty());
    }

    #[test]
    fn an_answer_to_ones_own_question_orders_what_was_asked_about() {
        let asked = |ago_s| {
            [Said {
                text: "杏干还有吗",
                ago_s,
            }]
        };
        let recent = asked(30);
        let sender = SenderContext {
            orders: &[],
            history: &recent,
        };
        let answer = read("来两袋", Some(0), &sender);
        assert_eq!(answer.len(), 1, "{answer:?}");
        assert_eq!((answer[0].product, answer[0].qty), (Some(1), Some(2)));
        // Nothing on air: the same.
        assert_eq!(read("2", None, &sender)[0].product, Some(1));
        // A product named in the answer wins; a late answer is read alone.
        assert_eq!(read("小米来两袋", Some(0), &sender)[0].product, Some(0));
        let late = asked(300);
        let sender = SenderContext {
            orders: &[],
            history: &late,
        };
        assert_eq!(read("来两袋", Some(0), &sender)[0].product, Some(0));
        // Praise is no question.
        let praise = [Said {
            text: "杏干真好吃",
            ago_s: 30,
        }];
        let sender = SenderContext {
            orders: &[],
            history: &praise,
        };
        assert_eq!(read("来两袋", Some(0), &sender)[0].product, Some(0));
    }

    #[test]
    fn an_a_not_a_question_is_asked_but_a_product_word_in_another_sense_is_not() {
        let e = engine();
        assert_eq!(e.asked_about("杏干甜不甜"), Some(1));
        assert_eq!(e.asked_about("杏干包邮不"), Some(1));
        assert_eq!(e.asked_about("杏干真好吃"), None);
        // 小米手机 is a phone: no question about the millet.
        assert_eq!(e.asked_about("小米手机好用吗"), None);
        assert_eq!(e.asked_about("小米手机好用吗 小米香不香"), Some(0));
    }

    #[test]
    fn a_named_cancel_is_read_as_before() {
        let named = read("杏干不要了", None, &SenderContext::default());
        assert_eq!(named.len(), 1, "{named:?}");
        assert_eq!(named[0].product, Some(1));
    }
}
