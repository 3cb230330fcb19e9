//! The screen's frame time (issue 9, point 9): a frame rendered at 200x50
//! (and 80x24) on ratatui's TestBackend, after the run has seen 1,000,000
//! chat messages, confirmed 1,000 orders (the store's answers go through
//! `update`, so the recent orders and the products' sold counters are as a
//! run would have them) and holds 1,000 orders waiting for a helper, with
//! the selection deep in the inbox. Views build only the visible rows, so
//! the time must not grow with what was seen. Cases: the plain inbox, the
//! inbox filtered (`/`), grouped by buyer (`G`), and with a chat line
//! marked (`g`). A plain harness that prints percentiles:
//! `cargo bench --bench tui`.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use livestall::app::model::Model;
use livestall::app::{update, Msg};
use livestall::chat::ChatMessage;
use livestall::config;
use livestall::intent::Engine;
use livestall::store::{Confirmed, OrderAction, StoreEvent};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::path::Path;
use std::time::{Duration, Instant};

#[path = "support/chat.rs"]
mod chat;
use chat::CHAT;

const SEEN: usize = 1_000_000;
const PENDING: usize = 1_000;
const CONFIRMED: usize = 1_000;
const FRAMES: usize = 2_000;

fn message(n: usize, text: &str) -> Msg {
    Msg::Chat {
        source: 0,
        message: ChatMessage {
            id: format!("m{n}"),
            user: format!("抖音用户{}", 1_000_000 + n % 50_000),
            user_id: None,
            text: text.to_string(),
            ts: None,
        },
        received_at_ms: 1_765_000_000_000 + n as i64,
    }
}

/// Sets the model up for a case (filter, grouping, a marked chat line).
type Arrange = fn(&mut Model, &Engine);

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let at = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[at.min(sorted.len() - 1)]
}

fn main() {
    let config = config::sample(Path::new("."));
    let engine = Engine::new(&config.catalog);
    let mut model = Model::new(&config, "bench");
    update(&mut model, &engine, Msg::Tick(1_765_000_000_000));
    // A million messages of chat with no intent in them (greetings,
    // questions), then 1,000 orders waiting for the helper.
    let chatter: Vec<&str> = CHAT
        .iter()
        .copied()
        .filter(|t| engine.parse(t, Some(0)).is_empty())
        .collect();
    assert!(!chatter.is_empty(), "the bench chat has plain messages");
    let started = Instant::now();
    let orders = SEEN - PENDING - CONFIRMED;
    for n in 0..orders {
        update(&mut model, &engine, message(n, chatter[n % chatter.len()]));
        // The orders to be confirmed come spread through the stream.
        if n % (orders / CONFIRMED) == 0 && n / (orders / CONFIRMED) < CONFIRMED {
            let order = n / (orders / CONFIRMED);
            update(
                &mut model,
                &engine,
                message(SEEN + 1_000_000 + order, "小米来两袋"),
            );
        }
    }
    // The store confirms them one by one, as it would have during the run.
    let keys: Vec<_> = model.inbox.iter().map(|item| item.key.clone()).collect();
    assert_eq!(keys.len(), CONFIRMED);
    let product = model.products[0].clone();
    for (n, key) in keys.into_iter().enumerate() {
        let sold = 2 * (n as i64 + 1);
        let done = Confirmed {
            action: OrderAction::Created,
            order_id: n as i64 + 1,
            sku: product.sku.clone(),
            qty: 2,
            before_qty: None,
            user: format!("抖音用户{}", 1_000_000 + n % 50_000),
            stock_left: (product.stock - sold).max(0),
            sold,
            unit_price_fen: product.price_fen,
            revenue_fen: product.price_fen * sold,
        };
        update(
            &mut model,
            &engine,
            Msg::Store(StoreEvent::Confirmed(key, done)),
        );
    }
    for n in orders..SEEN - CONFIRMED {
        update(&mut model, &engine, message(n, "小米来两袋"));
    }
    println!(
        "fed {SEEN} messages ({} confirmed, {} in the inbox, {} recent orders, {} chat lines kept) in {:.1} s",
        model.products[0].sold / 2,
        model.inbox.len(),
        model.recent_orders.len(),
        model.chat.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(model.inbox.len() >= PENDING);
    model.selected = model.inbox.len() / 2;

    let cases: [(&str, (u16, u16), Arrange); 5] = [
        ("plain", (200, 50), |_, _| {}),
        ("plain", (80, 24), |_, _| {}),
        // Ten buyers' names hold "104850".
        ("filtered /104850", (200, 50), |m, _| {
            m.filter = Some("104850".into())
        }),
        ("grouped by buyer", (200, 50), |m, _| {
            m.filter = None;
            m.group_by_buyer = true;
        }),
        ("chat line marked", (200, 50), |m, engine| {
            m.group_by_buyer = false;
            m.selected = m.inbox.len() - 100;
            let g = KeyEvent::new(KeyCode::Char('g'), KeyModifiers::NONE);
            update(m, engine, Msg::Key(g));
            assert!(m.chat_mark.is_some() && m.chat_scroll > 0);
        }),
    ];
    for (case, (width, height), arrange) in cases {
        arrange(&mut model, &engine);
        let mut terminal = match Terminal::new(TestBackend::new(width, height)) {
            Ok(terminal) => terminal,
            Err(never) => match never {},
        };
        let mut times = Vec::with_capacity(FRAMES);
        for frame in 0..FRAMES {
            // Something changes each frame, as when chat is flowing. With
            // a filter set the selection stays on a shown row.
            if model.filter.is_none() {
                model.selected = (model.selected + 1) % model.inbox.len();
            }
            if frame % 10 == 0 {
                update(&mut model, &engine, message(SEEN + frame, "主播好"));
            }
            let start = Instant::now();
            if let Err(never) = terminal.draw(|f| livestall::ui::render(&model, f)) {
                match never {}
            }
            times.push(start.elapsed());
        }
        times.sort();
        println!(
            "frame at {width}x{height}, {case} ({FRAMES} frames): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms (p99 ceiling 8 ms: {:.1}x under)",
            percentile(&times, 0.5).as_secs_f64() * 1e3,
            percentile(&times, 0.99).as_secs_f64() * 1e3,
            times.last().map_or(0.0, |t| t.as_secs_f64() * 1e3),
            8.0 / (percentile(&times, 0.99).as_secs_f64() * 1e3),
        );
    }
}
