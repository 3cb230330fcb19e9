//! The screen's frame time (issue 9, point 9): a frame rendered at 200x50
//! (and 80x24) on ratatui's TestBackend, after the run has seen 1,000,000
//! chat messages and holds 1,000 orders waiting for a helper, with the
//! selection deep in the inbox. Views build only the visible rows, so the
//! time must not grow with what was seen. A plain harness that prints
//! percentiles: `cargo bench --bench tui`.

use livestall::app::model::Model;
use livestall::app::{update, Msg};
use livestall::chat::ChatMessage;
use livestall::config;
use livestall::intent::Engine;
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::path::Path;
use std::time::{Duration, Instant};

#[path = "support/chat.rs"]
mod chat;
use chat::CHAT;

const SEEN: usize = 1_000_000;
const PENDING: usize = 1_000;
const FRAMES: usize = 2_000;

fn message(n: usize, text: &str) -> Msg {
    Msg::Chat {
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
    for n in 0..SEEN - PENDING {
        update(&mut model, &engine, message(n, chatter[n % chatter.len()]));
    }
    for n in SEEN - PENDING..SEEN {
        update(&mut model, &engine, message(n, "小米来两袋"));
    }
    println!(
        "fed {SEEN} messages ({} in the inbox, {} chat lines kept) in {:.1} s",
        model.inbox.len(),
        model.chat.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(model.inbox.len() >= PENDING);
    model.selected = model.inbox.len() / 2;

    for (width, height) in [(200u16, 50u16), (80, 24)] {
        let mut terminal = match Terminal::new(TestBackend::new(width, height)) {
            Ok(terminal) => terminal,
            Err(never) => match never {},
        };
        let mut times = Vec::with_capacity(FRAMES);
        for frame in 0..FRAMES {
            // Something changes each frame, as when chat is flowing.
            model.selected = (model.selected + 1) % model.inbox.len();
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
            "frame at {width}x{height} ({FRAMES} frames): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms (p99 ceiling 8 ms: {:.1}x under)",
            percentile(&times, 0.5).as_secs_f64() * 1e3,
            percentile(&times, 0.99).as_secs_f64() * 1e3,
            times.last().map_or(0.0, |t| t.as_secs_f64() * 1e3),
            8.0 / (percentile(&times, 0.99).as_secs_f64() * 1e3),
        );
    }
}
