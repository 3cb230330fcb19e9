//! The chat simulator: determinism, orders that reference real products, the
//! on-air walk through the catalog, and a realistic mix.

use livestall::catalog::{Catalog, Product};
use livestall::chat::{SimChat, SimIntent, SimMessage};

fn product(sku: &str, name: &str, aliases: &[&str], link: u32, unit: &str) -> Product {
    Product {
        sku: sku.into(),
        name: name.into(),
        aliases: aliases.iter().map(|a| a.to_string()).collect(),
        link,
        unit: unit.into(),
        price_fen: 1990,
        stock: 100,
        limit_per_buyer: None,
    }
}

fn millet_coop() -> Catalog {
    Catalog::new(vec![
        product(
            "MILLET-5",
            "武乡小米 5斤装",
            &["小米", "黄小米", "millet"],
            1,
            "袋",
        ),
        product("GIFT", "小米礼盒 10斤", &["礼盒", "gift box"], 2, "盒"),
        product("CRACKER", "小米锅巴", &["锅巴", "crackers"], 3, "包"),
        product("APRICOT", "武乡杏干", &["杏干", "dried apricots"], 6, "袋"),
        product("WALNUT", "太行核桃", &["核桃", "walnuts"], 8, "袋"),
    ])
}

/// A shop sharing no word with the one above, one product with no English name.
fn orchard() -> Catalog {
    Catalog::new(vec![
        product("PEAR", "砀山酥梨", &["酥梨", "梨"], 11, "箱"),
        product("HONEY", "Mountain Honey", &["honey", "蜂蜜"], 12, "瓶"),
        product("EGGS", "土鸡蛋", &["鸡蛋", "雞蛋"], 13, "盒"),
    ])
}

fn generate(catalog: &Catalog, seed: u64, n: usize) -> Vec<SimMessage> {
    let mut sim = SimChat::new(catalog, seed);
    (0..n).map(|_| sim.next_message()).collect()
}

#[test]
fn same_seed_same_chat_different_seed_different_chat() {
    let catalog = millet_coop();
    let a = generate(&catalog, 7, 500);
    let b = generate(&catalog, 7, 500);
    assert_eq!(a, b);
    let c = generate(&catalog, 8, 500);
    let same_text = a.iter().zip(&c).filter(|(x, y)| x.text == y.text).count();
    assert!(
        same_text < 250,
        "seeds 7 and 8 share {same_text} of 500 texts"
    );
}

#[test]
fn ids_are_unique() {
    let msgs = generate(&millet_coop(), 1, 2_000);
    let ids: std::collections::HashSet<_> = msgs.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids.len(), msgs.len());
}

/// Every order names a real product by one of its words or its link number,
/// or is a bare order ("扣1", "+2") for the product on air.
fn check_orders_reference_catalog(catalog: &Catalog) {
    let msgs = generate(catalog, 42, 3_000);
    let mut orders = 0;
    for m in &msgs {
        let SimIntent::Order(items) = &m.intent else {
            continue;
        };
        orders += 1;
        assert!(!items.is_empty(), "{m:?}");
        for item in items {
            let p = catalog
                .by_sku(&item.sku)
                .unwrap_or_else(|| panic!("unknown sku in {m:?}"));
            assert!((1..=20).contains(&item.qty), "{m:?}");
            let lower = m.text.to_lowercase();
            let named = std::iter::once(&p.name)
                .chain(p.aliases.iter())
                .any(|w| lower.contains(&w.to_lowercase()))
                || m.text.contains(&p.link.to_string());
            let on_air = m.current_sku.as_deref() == Some(p.sku.as_str());
            assert!(
                named || on_air,
                "order for {} neither names it nor is on air: {m:?}",
                p.sku
            );
        }
    }
    // About 30% orders; allow a wide band, the mix is random.
    let share = orders as f64 / msgs.len() as f64;
    assert!((0.2..0.45).contains(&share), "order share {share}");
}

#[test]
fn orders_reference_real_products() {
    check_orders_reference_catalog(&millet_coop());
    check_orders_reference_catalog(&orchard());
}

#[test]
fn on_air_walks_the_catalog_in_order_with_an_order_burst_after_each_switch() {
    let catalog = millet_coop();
    let every = 40;
    let mut sim = SimChat::new(&catalog, 3).with_switch_every(every);
    let msgs: Vec<SimMessage> = (0..every as usize * 10)
        .map(|_| sim.next_message())
        .collect();
    for (i, m) in msgs.iter().enumerate() {
        let expected = &catalog.products[(i / every as usize) % catalog.len()].sku;
        assert_eq!(m.current_sku.as_ref(), Some(expected), "message {i}");
    }
    let is_order = |m: &SimMessage| matches!(m.intent, SimIntent::Order(_));
    let (mut burst, mut burst_orders, mut calm, mut calm_orders) = (0, 0, 0, 0);
    for (i, m) in msgs.iter().enumerate() {
        if i % every as usize <= 7 {
            burst += 1;
            burst_orders += usize::from(is_order(m));
        } else {
            calm += 1;
            calm_orders += usize::from(is_order(m));
        }
    }
    let burst_share = burst_orders as f64 / burst as f64;
    let calm_share = calm_orders as f64 / calm as f64;
    assert!(
        burst_share > calm_share + 0.2,
        "burst {burst_share} vs calm {calm_share}"
    );
}

#[test]
fn pace_follows_the_rate_and_is_faster_in_bursts() {
    let catalog = millet_coop();
    for rate in [2.0, 20.0] {
        let mut sim = SimChat::new(&catalog, 5).with_rate(rate);
        let n = 4_000;
        let total: u64 = (0..n).map(|_| sim.next_message().delay_ms).sum();
        let mean_ms = total as f64 / n as f64;
        let want = 1000.0 / rate;
        assert!(
            (mean_ms - want).abs() < want * 0.15,
            "rate {rate}: mean gap {mean_ms} ms, want ~{want}"
        );
    }
    let mut sim = SimChat::new(&catalog, 5)
        .with_rate(5.0)
        .with_switch_every(40);
    let msgs: Vec<SimMessage> = (0..4_000).map(|_| sim.next_message()).collect();
    let mean = |burst: bool| {
        let gaps: Vec<u64> = msgs
            .iter()
            .enumerate()
            .filter(|(i, _)| (i % 40 <= 7) == burst)
            .map(|(_, m)| m.delay_ms)
            .collect();
        gaps.iter().sum::<u64>() as f64 / gaps.len() as f64
    };
    assert!(
        mean(true) * 2.0 < mean(false),
        "burst {} calm {}",
        mean(true),
        mean(false)
    );
}

#[test]
fn the_mix_is_realistic() {
    let msgs = generate(&millet_coop(), 11, 5_000);
    let count = |f: &dyn Fn(&SimMessage) -> bool| msgs.iter().filter(|m| f(m)).count();
    let cjk = count(&|m| {
        m.text
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
    });
    let english = count(&|m| m.text.split_whitespace().count() >= 2 && m.text.is_ascii());
    let questions = count(&|m| m.intent == SimIntent::Question);
    let cancels = count(&|m| matches!(m.intent, SimIntent::Cancel { .. }));
    let changes = count(&|m| matches!(m.intent, SimIntent::Change { .. }));
    let hostile = count(&|m| m.intent == SimIntent::Hostile);
    let escapes = count(&|m| m.text.contains('\u{1b}'));
    let long = count(&|m| m.text.chars().count() > 2_000);
    let traditional =
        count(&|m| m.text.contains('兩') || m.text.contains('來') || m.text.contains('嗎'));
    let users: std::collections::HashSet<_> = msgs.iter().map(|m| m.user.as_str()).collect();
    let masked = users.iter().filter(|u| u.contains("****")).count();

    assert!(cjk > msgs.len() / 2, "mostly Chinese: {cjk}");
    assert!(english > msgs.len() / 50, "some English: {english}");
    assert!(questions > msgs.len() / 10, "questions: {questions}");
    assert!(
        cancels > 10 && changes > 10,
        "cancels {cancels}, changes {changes}"
    );
    assert!(
        hostile > 10 && hostile < msgs.len() / 20,
        "a few hostile: {hostile}"
    );
    assert!(escapes > 0 && long > 0, "escapes {escapes}, floods {long}");
    assert!(traditional > 0, "some traditional characters");
    assert!(
        users.len() > 30 && masked > 3,
        "{} users, {masked} masked",
        users.len()
    );
}

#[test]
fn an_empty_catalog_still_chats() {
    let msgs = generate(&Catalog::default(), 9, 300);
    assert!(msgs.iter().all(|m| m.current_sku.is_none()));
    assert!(msgs.iter().all(|m| !matches!(
        m.intent,
        SimIntent::Order(_) | SimIntent::Cancel { .. } | SimIntent::Change { .. }
    )));
    assert!(msgs.iter().all(|m| !m.text.is_empty()));
}
