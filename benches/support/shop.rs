//! The shop the store benches and examples/board_poll.rs fill: products
//! and orders made up by number, so a run of any size can be built.

use livestall::catalog::{Catalog, Product};
use livestall::intent::IntentKind;
use livestall::store::{ConfirmRequest, IntentKey, NewIntent};

pub const PRODUCTS: usize = 100;

/// A shop of `PRODUCTS` products with stock no bench order runs out of.
pub fn catalog() -> Catalog {
    Catalog::new(
        (0..PRODUCTS)
            .map(|i| Product {
                sku: format!("P{i:03}"),
                name: format!("产品{i}号 农家小米"),
                aliases: vec![],
                link: i as u32 + 1,
                unit: "袋".into(),
                price_fen: 3990,
                // Enough that no bench order is refused for stock.
                stock: 10_000_000,
                limit_per_buyer: None,
            })
            .collect(),
    )
}

/// The `n`th order of a run: its intent and the helper's confirmation.
pub fn order(run: &str, n: usize) -> (NewIntent, ConfirmRequest) {
    let key = IntentKey {
        msg_id: format!("{run}-{n}"),
        index: 0,
    };
    let user = format!("用户{}", n % 5_000);
    let sku = format!("P{:03}", n % PRODUCTS);
    let qty = 1 + (n % 3) as u32;
    let intent = NewIntent {
        key: key.clone(),
        source: "json".into(),
        user: user.clone(),
        user_id: None,
        text: format!("{sku}来{qty}袋"),
        kind: IntentKind::Order,
        sku: Some(sku.clone()),
        qty: Some(qty),
        confidence: 0.95,
        received_at_ms: 1_700_000_000_000 + n as i64,
        note: None,
    };
    let confirm = ConfirmRequest {
        key,
        kind: IntentKind::Order,
        user,
        user_id: None,
        sku: Some(sku),
        qty: Some(qty),
        helper: "bench".into(),
    };
    (intent, confirm)
}
