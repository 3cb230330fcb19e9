//! The benches' typical chat mix through the engine a fixed number of times,
//! for profilers and for instruction counts, which a shared machine's noise
//! does not move the way it moves wall-clock figures:
//!
//! ```text
//! cargo build --release --example chat_mix
//! valgrind --tool=callgrind --toggle-collect='*Engine::parse' \
//!     target/release/examples/chat_mix 500
//! ```
//!
//! and divide the instructions (`I refs`) by the messages it prints.

use livestall::config;
use livestall::intent::Engine;
use std::hint::black_box;
use std::path::Path;

#[path = "../benches/support/chat.rs"]
mod chat;

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .map(|r| r.parse().expect("rounds: a whole number"))
        .unwrap_or(500);
    let config = config::parse(config::SAMPLE_CONFIG, "config.toml", Path::new("."))
        .expect("the sample config parses");
    let engine = Engine::new(&config.catalog);
    let mut intents = 0;
    for _ in 0..rounds {
        for text in chat::CHAT {
            intents += black_box(engine.parse(black_box(text), Some(0))).len();
        }
    }
    println!("{} messages, {intents} intents", rounds * chat::CHAT.len());
}
