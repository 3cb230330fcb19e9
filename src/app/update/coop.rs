//! The co-op's side of `update`: a helper's decision is claimed in the
//! station's shared inbox before this laptop makes it (another laptop of
//! the station may be deciding the same message), the link's answers, and
//! its warnings. Decisions other laptops made reach the inbox through the
//! database's sync, like another helper's on this one.

use super::{answered, remove_item};
use crate::app::event::Event;
use crate::app::model::*;
use crate::app::msg::Effect;
use crate::coop::inbox::{Claim, ClaimAnswer};
use crate::coop::link::{CoopStatus, LinkNews, LinkRequest};
use crate::store::{IntentKey, Refusal, StoreJob};

/// A claim not answered within this long is given up: the laptop decides
/// alone, and the decision is claimed when it is pushed. A helper never
/// waits on a co-op that stopped answering.
pub const CLAIM_WAIT_MS: i64 = 1_500;

/// Decisions are claimed first only while the co-op answers: offline, the
/// laptop decides alone (selling through an outage).
fn claiming(model: &Model) -> bool {
    matches!(
        model.coop,
        Some(CoopStatus::Synced | CoopStatus::Waiting(_))
    )
}

/// Runs `job`, a helper's decision on `key`, now or once this laptop has
/// claimed it.
pub(super) fn decide(model: &mut Model, key: IntentKey, job: StoreJob, fx: &mut Vec<Effect>) {
    let claim = match (&job, model.inbox.iter().find(|item| item.key == key)) {
        (StoreJob::Confirm(req), Some(item)) if claiming(model) => Claim {
            key: key.clone(),
            helper: req.helper.clone(),
            confirmed: true,
            user: item.user.clone(),
            kind: req.kind,
            sku: req.sku.clone(),
            qty: req.qty,
        },
        (StoreJob::Reject { helper, .. }, Some(item)) if claiming(model) => Claim {
            key: key.clone(),
            helper: helper.clone(),
            confirmed: false,
            user: item.user.clone(),
            kind: item.kind,
            sku: item.sku.clone(),
            qty: item.qty,
        },
        _ => {
            fx.push(Effect::Store(job));
            return;
        }
    };
    model.claims.insert(key, (job, model.now_ms));
    fx.push(Effect::Coop(LinkRequest::Claim(claim)));
}

/// What the link said.
pub(super) fn on_news(model: &mut Model, news: LinkNews, fx: &mut Vec<Effect>) {
    match news {
        LinkNews::Claimed { key, answer } => {
            // Not waiting any more (given up on): the link tells a late
            // loss as `Doubled` once the store has both decisions.
            let Some((job, _)) = model.claims.remove(&key) else {
                return;
            };
            match answer {
                Some(ClaimAnswer::Lost(decision)) => {
                    let status = if decision.confirmed {
                        "confirmed_elsewhere"
                    } else {
                        "rejected_elsewhere"
                    };
                    fx.push(Effect::Publish(Event::DecidedElsewhere {
                        msg_id: key.msg_id.clone(),
                        index: key.index,
                        status,
                    }));
                    remove_item(model, &key);
                    model.auto_queue.retain(|k| k != &key);
                    super::book::order_decided(model, &key, false, fx);
                    // Only a helper's own decision is news to them.
                    if !model.auto_in_flight.contains(&key) {
                        let refusal = Refusal::DecidedElsewhere {
                            helper: decision.helper.clone(),
                            decision: decision.decision().to_string(),
                        };
                        model.notice = Some((Notice::Refused(refusal), model.now_ms));
                    }
                    answered(model, &key, fx);
                }
                Some(ClaimAnswer::Won) | None => fx.push(Effect::Store(job)),
            }
        }
        LinkNews::Doubled(rows) => {
            if let Some(first) = rows.first() {
                let sku = first.sku.clone().unwrap_or_default();
                let product = model
                    .products
                    .iter()
                    .find(|p| p.sku == sku)
                    .map_or(sku, |p| p.name.clone());
                model.notice = Some((
                    Notice::DecidedTwice {
                        user: first.user.clone(),
                        product,
                        qty: first.qty.unwrap_or(1),
                        count: rows.len(),
                    },
                    model.now_ms,
                ));
            }
        }
    }
}

/// Claims unanswered for `CLAIM_WAIT_MS`, or all of them when the co-op
/// went out of reach or the run is ending, are decided here alone.
pub(super) fn settle_claims(model: &mut Model, fx: &mut Vec<Effect>) {
    if model.claims.is_empty() {
        return;
    }
    let all = model.quitting || !claiming(model);
    let now = model.now_ms;
    let mut late: Vec<(IntentKey, i64)> = model
        .claims
        .iter()
        .filter(|(_, (_, at))| all || now - at >= CLAIM_WAIT_MS)
        .map(|(key, (_, at))| (key.clone(), *at))
        .collect();
    // In the order they were asked, as the store would have had them.
    late.sort_by_key(|(_, at)| *at);
    for (key, _) in late {
        if let Some((job, _)) = model.claims.remove(&key) {
            fx.push(Effect::Store(job));
        }
    }
}
