//! Reads the simulator's chat with the engine and prints where they disagree.
use livestall::chat::{SimChat, SimIntent};
use livestall::config;
use livestall::intent::{Engine, IntentKind};
use std::path::Path;

fn main() {
    let path = std::env::args().nth(1).unwrap_or("config.toml".into());
    let c = config::load(Path::new(&path)).unwrap();
    let engine = Engine::new(&c.catalog);
    let mut sim = SimChat::new(&c.catalog, 7);
    let (mut agree, mut total) = (0, 0);
    for _ in 0..5000 {
        let m = sim.next_message();
        let current = m
            .current_sku
            .as_deref()
            .and_then(|s| c.catalog.index_of_sku(s));
        let got: Vec<(String, Option<String>, Option<u32>)> = engine
            .parse(&m.text, current)
            .iter()
            .map(|i| {
                (
                    i.kind.as_str().to_string(),
                    i.product.map(|p| c.catalog.products[p].sku.clone()),
                    if i.kind == IntentKind::Cancel {
                        None
                    } else {
                        i.qty
                    },
                )
            })
            .collect();
        let want: Vec<(String, Option<String>, Option<u32>)> = match &m.intent {
            SimIntent::Order(v) => v
                .iter()
                .map(|o| ("order".to_string(), Some(o.sku.clone()), Some(o.qty)))
                .collect(),
            SimIntent::Cancel { sku } => vec![("cancel".into(), sku.clone(), None)],
            SimIntent::Change { sku, qty } => vec![("change".into(), sku.clone(), Some(*qty))],
            _ => vec![],
        };
        total += 1;
        if got == want {
            agree += 1
        } else {
            println!(
                "{:?} cur={:?} want {:?} got {:?}",
                m.text, m.current_sku, want, got
            );
        }
    }
    println!("agree {agree}/{total}");
}
