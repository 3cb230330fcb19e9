//! The co-op in the core and on screen: the status bar says how the
//! station stands (synced, rows waiting, offline since when, in both
//! languages), each status is an event line, and a confirm that waits in
//! line for want of stock asks the link for a block.

mod tui_support;

use livestall::app::{Effect, Event, Model, Msg};
use livestall::config::{CoopConfig, Language};
use livestall::coop::link::{CoopStatus, LinkRequest};
use livestall::coop::{CoopError, Reach};
use livestall::store::{Refusal, StoreEvent};
use tui_support::*;

fn coop_model(language: Language) -> Model {
    let mut config = config(language);
    config.coop = Some(CoopConfig {
        url: "postgres://livestall@10.0.0.2/coop".into(),
        password: None,
        station: "王家峪".into(),
        block: 0.1,
    });
    Model::new(&config, "小王")
}

fn offline() -> CoopStatus {
    CoopStatus::Offline {
        since_ms: at(14, 3, 0),
        why: CoopError::Unreachable {
            address: "10.0.0.2:5432".into(),
            why: Reach::Timeout,
        },
        waiting: 12,
    }
}

#[test]
fn the_status_bar_says_how_the_station_stands_with_the_co_op() {
    for (language, words) in [
        (
            Language::Zh,
            [
                "合作社 连接中",
                "合作社 ✓ 已同步",
                "合作社 3 条待同步",
                "✗ 合作社离线 14:03 起 · 12 条待同步",
            ],
        ),
        (
            Language::En,
            [
                "co-op connecting",
                "co-op ✓ synced",
                "co-op 3 waiting",
                "✗ co-op offline since 14:03 · 12 waiting",
            ],
        ),
    ] {
        let mut m = coop_model(language);
        busy_stream(&mut m);
        let first = screen(&m, 160, 48);
        assert!(first.lines().next().unwrap().contains(words[0]), "{first}");
        for (status, says) in [
            (CoopStatus::Synced, words[1]),
            (CoopStatus::Waiting(3), words[2]),
            (offline(), words[3]),
        ] {
            let fx = update(&mut m, Msg::Coop(status.clone()));
            assert!(fx
                .iter()
                .any(|e| matches!(e, Effect::Publish(Event::Coop { .. }))));
            let top = screen(&m, 160, 48).lines().next().unwrap().to_string();
            assert!(top.contains(says), "{says:?} in {top}");
        }
    }
    // Without [coop] the bar says nothing of it (the shop's own name
    // may well end in 合作社).
    let mut m = model(Language::Zh);
    busy_stream(&mut m);
    let top = screen(&m, 160, 48).lines().next().unwrap().to_string();
    assert!(!top.contains("连接中") && !top.contains("同步"), "{top}");
}

#[test]
fn an_offline_status_is_an_event_line_with_its_reason() {
    let event = Event::coop(&offline());
    let line = serde_json::to_value(&event).unwrap();
    assert_eq!(line["event"], "coop");
    assert_eq!(line["state"], "offline");
    assert_eq!(line["waiting"], 12);
    assert_eq!(line["reason"], "unreachable");
    assert!(
        line["detail"].as_str().unwrap().contains("timed out"),
        "{line}"
    );
    let synced = serde_json::to_value(Event::coop(&CoopStatus::Synced)).unwrap();
    assert_eq!(
        synced,
        serde_json::json!({"event": "coop", "state": "synced", "waiting": 0})
    );
}

#[test]
fn a_confirm_waiting_in_line_asks_the_link_for_a_block() {
    let mut m = coop_model(Language::Zh);
    busy_stream(&mut m);
    // 李姐's "小米来两袋" confirmed, but the desk holds one bag.
    update(&mut m, ch('y'));
    let fx = update(
        &mut m,
        Msg::Store(StoreEvent::Refused(
            intent_key("m1", 0),
            Refusal::Waitlisted { place: 1, left: 1 },
        )),
    );
    let asked: Vec<&LinkRequest> = fx
        .iter()
        .filter_map(|e| match e {
            Effect::Coop(request) => Some(request),
            _ => None,
        })
        .collect();
    assert_eq!(
        asked,
        [&LinkRequest::TopUp {
            sku: "millet-5jin".into(),
            at_least: 1
        }]
    );
    // Without a co-op the line just waits.
    let mut m = model(Language::Zh);
    busy_stream(&mut m);
    update(&mut m, ch('y'));
    let fx = update(
        &mut m,
        Msg::Store(StoreEvent::Refused(
            intent_key("m1", 0),
            Refusal::Waitlisted { place: 1, left: 0 },
        )),
    );
    assert!(!fx.iter().any(|e| matches!(e, Effect::Coop(_))));
}

#[test]
fn a_product_the_desk_does_not_hold_is_for_sale_while_the_pool_has_it() {
    let mut m = coop_model(Language::Zh);
    busy_stream(&mut m);
    // The desk holds none of the walnuts; the co-op's pool has 40.
    let walnut = m.products.iter().position(|p| p.sku == "walnut").unwrap();
    m.products[walnut].stock = 0;
    let before = screen(&m, 160, 48);
    // The product pane's row (right of the inbox).
    let row = |s: &str| {
        s.lines()
            .filter_map(|l| l.split_once("││").map(|(_, pane)| pane.to_string()))
            .find(|pane| pane.contains("薄皮核桃"))
            .unwrap_or_else(|| panic!("{s}"))
    };
    assert!(row(&before).contains("售罄"), "{before}");
    update(
        &mut m,
        Msg::CoopPools(vec![("walnut".into(), 40), ("millet-5jin".into(), 100)]),
    );
    let after = screen(&m, 160, 48);
    assert!(!row(&after).contains("售罄"), "{}", row(&after));
    assert!(row(&after).contains(" 40 "), "{}", row(&after));
    assert_eq!(m.products[walnut].for_sale(), 40);
}

#[test]
fn a_row_waiting_in_line_says_the_co_op_is_offline_when_it_is() {
    for (language, says) in [
        (Language::Zh, "候补第 1 位 · 合作社离线"),
        (Language::En, "waitlist #1 · co-op offline"),
    ] {
        let mut m = coop_model(language);
        busy_stream(&mut m);
        update(&mut m, ch('y'));
        update(
            &mut m,
            Msg::Store(StoreEvent::Refused(
                intent_key("m1", 0),
                Refusal::Waitlisted { place: 1, left: 0 },
            )),
        );
        update(&mut m, Msg::Coop(CoopStatus::Synced));
        let online = screen(&m, 160, 48);
        assert!(!online.contains(says), "{online}");
        update(&mut m, Msg::Coop(offline()));
        let s = screen(&m, 160, 48);
        assert!(s.contains(says), "{says:?} in {s}");
    }
}

/// The claim asked of the link among `effects`.
fn claims(effects: &[Effect]) -> Vec<&livestall::coop::inbox::Claim> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Coop(LinkRequest::Claim(claim)) => Some(claim),
            _ => None,
        })
        .collect()
}

#[test]
fn a_decision_is_claimed_in_the_shared_inbox_before_it_is_made() {
    use livestall::coop::inbox::ClaimAnswer;
    use livestall::coop::link::LinkNews;
    use livestall::store::{RemoteDecision, StoreJob};

    let mut m = coop_model(Language::Zh);
    busy_stream(&mut m);
    update(&mut m, Msg::Coop(CoopStatus::Synced));

    // 李姐's "小米来两袋": y asks the link first, and the store nothing yet.
    let fx = update(&mut m, ch('y'));
    assert!(jobs(&fx).is_empty(), "{fx:?}");
    let asked = claims(&fx);
    assert_eq!(asked.len(), 1, "{fx:?}");
    assert_eq!(asked[0].key, intent_key("m1", 0));
    assert!(asked[0].confirmed);
    assert_eq!((asked[0].user.as_str(), asked[0].qty), ("李姐", Some(2)));

    // This laptop has it: the confirm goes to the store as it would alone.
    let fx = update(
        &mut m,
        Msg::CoopNews(LinkNews::Claimed {
            key: intent_key("m1", 0),
            answer: Some(ClaimAnswer::Won),
        }),
    );
    assert!(
        matches!(jobs(&fx)[..], [StoreJob::Confirm(ref req)] if req.key == intent_key("m1", 0)),
        "{fx:?}"
    );

    // The next row, Tom's walnuts: another laptop's helper was first.
    let fx = update(&mut m, ch('y'));
    let tom = claims(&fx)[0].key.clone();
    let fx = update(
        &mut m,
        Msg::CoopNews(LinkNews::Claimed {
            key: tom.clone(),
            answer: Some(ClaimAnswer::Lost(RemoteDecision {
                seq: 7,
                key: tom.clone(),
                desk: "b".into(),
                helper: "小张".into(),
                confirmed: true,
                user: "Tom".into(),
                kind: livestall::intent::IntentKind::Order,
                sku: Some("walnut".into()),
                qty: Some(2),
                at_ms: at(14, 32, 6),
            })),
        }),
    );
    assert!(jobs(&fx).is_empty(), "nothing decided here: {fx:?}");
    let told = published(&fx);
    assert!(
        told.iter().any(|e| matches!(e, Event::DecidedElsewhere { status: "confirmed_elsewhere", msg_id, .. } if *msg_id == tom.msg_id)),
        "{told:?}"
    );
    assert!(!m.inbox.iter().any(|item| item.key == tom), "the row left");
    let s = screen(&m, 160, 48);
    assert!(s.contains("小张 已在另一台电脑上确认"), "{s}");

    // A claim the co-op does not answer within 1.5 s is decided here.
    let fx = update(&mut m, ch('n'));
    let next = claims(&fx)[0].key.clone();
    assert!(!claims(&fx)[0].confirmed, "a rejection is claimed too");
    let asked_at = m.now_ms;
    assert!(jobs(&update(&mut m, Msg::Tick(asked_at + 1_000))).is_empty());
    let fx = update(&mut m, Msg::Tick(asked_at + 1_600));
    assert!(
        matches!(jobs(&fx)[..], [StoreJob::Reject { ref key, .. }] if *key == next),
        "{fx:?}"
    );
    // Its answer, late, changes nothing.
    let fx = update(
        &mut m,
        Msg::CoopNews(LinkNews::Claimed {
            key: next,
            answer: Some(ClaimAnswer::Won),
        }),
    );
    assert!(jobs(&fx).is_empty(), "{fx:?}");

    // Offline, the laptop decides alone at once.
    update(&mut m, Msg::Coop(offline()));
    let fx = update(&mut m, ch('y'));
    assert!(claims(&fx).is_empty(), "{fx:?}");
    assert_eq!(jobs(&fx).len(), 1, "{fx:?}");
}

#[test]
fn a_message_confirmed_on_two_laptops_while_offline_is_pointed_out() {
    use livestall::coop::link::LinkNews;
    use livestall::store::RemoteDecision;
    for (language, says) in [
        (
            Language::Zh,
            "合作社断线时两台电脑都确认了 李姐 的 武乡小米×2，请核对是否重复",
        ),
        (
            Language::En,
            "both laptops confirmed 李姐's 武乡小米×2 while the co-op was out of reach",
        ),
    ] {
        let mut m = coop_model(language);
        busy_stream(&mut m);
        update(
            &mut m,
            Msg::CoopNews(LinkNews::Doubled(vec![RemoteDecision {
                seq: 3,
                key: intent_key("m1", 0),
                desk: "b".into(),
                helper: "小张".into(),
                confirmed: true,
                user: "李姐".into(),
                kind: livestall::intent::IntentKind::Order,
                sku: Some("millet-5jin".into()),
                qty: Some(2),
                at_ms: at(14, 32, 6),
            }])),
        );
        let s = screen(&m, 200, 48);
        assert!(s.contains(says), "{says:?} in {s}");
    }
}
