//! `livestall parse` end to end in process (JSON lines in, JSON lines out,
//! through the real `commands::parse::run`) beside the floors it is measured
//! against, on the same lines:
//!
//! - `typed_floor` (the honest one, issue 11): each line decoded into a
//!   struct of `id`, `user`, `text`, `current`, borrowing from the line
//!   where serde can, and `{"id":…,"intents":[]}` written back: what any
//!   program reading these lines and answering each must at least do;
//! - `value_floor` (the slower one, issue 3): each line decoded into a
//!   `serde_json::Value` tree and written back.
//!
//! `cargo bench --bench parse_io`; the ratio is the floor's time over
//! `livestall_parse`'s.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use livestall::config;
use livestall::intent::Engine;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::hint::black_box;
use std::io::Write;
use std::path::Path;

#[path = "support/chat.rs"]
mod chat;
use chat::CHAT;

/// Lines shaped like a lively stream's chat, with ids, users and sometimes
/// the product on air, as a relay would send them.
fn lines(n: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for i in 0..n {
        let text = CHAT[i % CHAT.len()];
        let current = if i % 3 == 0 {
            ",\"current\":\"XM-5J\""
        } else {
            ""
        };
        writeln!(
            out,
            "{{\"id\":\"m{i}\",\"user\":\"用户{}\",\"text\":{}{current}}}",
            i % 97,
            serde_json::to_string(text).unwrap()
        )
        .unwrap();
    }
    out
}

/// The typed floor's input line: every field `parse` reads for a plain
/// message, borrowed from the line unless it holds escapes.
#[derive(Deserialize)]
struct Line<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(borrow)]
    #[allow(dead_code)] // read as `parse` reads it, then not needed
    user: Option<Cow<'a, str>>,
    #[serde(borrow)]
    text: Cow<'a, str>,
    #[serde(default, borrow)]
    current: Option<Cow<'a, str>>,
}

/// The typed floor's answer: the id and no intents.
#[derive(Serialize)]
struct Answer<'a> {
    id: &'a str,
    intents: [u32; 0],
}

fn parse_io(c: &mut Criterion) {
    let config = config::parse(config::SAMPLE_CONFIG, "config.toml", Path::new(".")).unwrap();
    let engine = Engine::new(&config.catalog);
    let n = 10_000;
    let input = lines(n);
    let mut group = c.benchmark_group("parse_io");
    group.throughput(Throughput::Elements(n as u64));
    group.bench_function("typed_floor", |b| {
        let mut out = Vec::with_capacity(input.len() * 2);
        b.iter(|| {
            out.clear();
            for line in input.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
                let line: Line = serde_json::from_slice(line).unwrap();
                black_box((&line.text, &line.current));
                let answer = Answer {
                    id: &line.id,
                    intents: [],
                };
                serde_json::to_writer(&mut out, &answer).unwrap();
                out.push(b'\n');
            }
            black_box(out.len())
        })
    });
    // The slower floor the README compared with before issue 11.
    group.bench_function("value_floor", |b| {
        let mut out = Vec::with_capacity(input.len() * 2);
        b.iter(|| {
            out.clear();
            for line in input.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
                let value: serde_json::Value = serde_json::from_slice(line).unwrap();
                serde_json::to_writer(&mut out, &value).unwrap();
                out.push(b'\n');
            }
            black_box(out.len())
        })
    });
    group.bench_function("livestall_parse", |b| {
        let mut out = Vec::with_capacity(input.len() * 2);
        b.iter(|| {
            out.clear();
            livestall::commands::parse::run(&config.catalog, &engine, &input[..], &mut out)
                .unwrap();
            black_box(out.len())
        })
    });
    group.finish();
}

criterion_group!(benches, parse_io);
criterion_main!(benches);
