//! Intent engine throughput on typical chat, and catalog compile time.
//! `cargo bench --bench intent`; figures are per message on this machine.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use livestall::catalog::{Catalog, Product};
use livestall::config;
use livestall::intent::Engine;
use std::hint::black_box;
use std::path::Path;

#[path = "support/chat.rs"]
mod chat;
use chat::CHAT;

fn catalog() -> Catalog {
    config::parse(config::SAMPLE_CONFIG, "config.toml", Path::new("."))
        .unwrap()
        .catalog
}

fn big_catalog(n: usize) -> Catalog {
    let products = (0..n)
        .map(|i| Product {
            sku: format!("SKU-{i}"),
            name: format!("产品{i}号 特级"),
            aliases: vec![format!("货{i}"), format!("item {i}"), format!("好物{i}")],
            link: i as u32 + 1,
            unit: "袋".into(),
            price_fen: 1000,
            stock: 10,
            limit_per_buyer: None,
        })
        .collect();
    Catalog::new(products)
}

/// The texts of ../shared/real-chat's files, or none (with a notice).
fn real_chat() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/real-chat");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("real_chat_on_air skipped: {} not found", dir.display());
        return Vec::new();
    };
    let mut files: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|e| e == "jsonl") && !p.ends_with("onair-labels.jsonl")
        })
        .collect();
    files.sort();
    files
        .iter()
        .flat_map(|f| {
            std::fs::read_to_string(f)
                .unwrap_or_default()
                .lines()
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .filter_map(|line| {
            let v: serde_json::Value = serde_json::from_str(&line).ok()?;
            Some(v.get("text")?.as_str()?.to_string())
        })
        .collect()
}

fn parse_typical(c: &mut Criterion) {
    let catalog = catalog();
    let engine = Engine::new(&catalog);
    let mut group = c.benchmark_group("parse");
    group.throughput(Throughput::Elements(CHAT.len() as u64));
    group.bench_function("typical_chat_mix", |b| {
        b.iter(|| {
            for text in CHAT {
                black_box(engine.parse(black_box(text), Some(0)));
            }
        })
    });
    // A simulated stream (livestall's own simulator: greetings, questions,
    // slang and orders in bursts when a product goes on air), with the
    // product on air as the simulated broadcaster had it.
    let mut sim = livestall::chat::sim::SimChat::new(&catalog, 7);
    let stream: Vec<(String, Option<usize>)> = (0..10_000)
        .map(|_| {
            let m = sim.next_message();
            let current = m
                .current_sku
                .as_deref()
                .and_then(|s| catalog.index_of_sku(s));
            (m.text, current)
        })
        .collect();
    group.throughput(Throughput::Elements(stream.len() as u64));
    group.bench_function("simulated_stream", |b| {
        b.iter(|| {
            for (text, current) in &stream {
                black_box(engine.parse(black_box(text), *current));
            }
        })
    });
    // Real viewers' chat (../shared/real-chat, read in place, never copied;
    // skipped where it is absent) with the first product on air: mostly
    // words that order nothing, as a live stream is, where the typical mix
    // above is three fifths orders.
    let real = real_chat();
    if !real.is_empty() {
        group.throughput(Throughput::Elements(real.len() as u64));
        group.bench_function("real_chat_on_air", |b| {
            b.iter(|| {
                for text in &real {
                    black_box(engine.parse(black_box(text), Some(0)));
                }
            })
        });
    }
    let long: String = "主播好小米真香".repeat(20_000 / 7);
    group.throughput(Throughput::Elements(1));
    group.bench_function("message_20k_chars", |b| {
        b.iter(|| black_box(engine.parse(&long, Some(0))))
    });
    // The same length made of what the rules look around for: clauses,
    // pasts and plans, negated verbs, changes, particles, cancels before
    // words, refusals before products. Any per-marker scan of the whole
    // message would show here as a quadratic time.
    let hard: String =
        "上次买过，不来两袋小米嘛，改成2呢是还是再来，不买小米cancel it ".repeat(20_000 / 36);
    assert!(hard.chars().count() >= 19_000);
    group.bench_function("message_20k_chars_rule_dense", |b| {
        b.iter(|| black_box(engine.parse(&hard, Some(0))))
    });
    group.finish();
}

fn compile_catalog(c: &mut Criterion) {
    let mut group = c.benchmark_group("compile");
    for n in [10usize, 1000] {
        let catalog = big_catalog(n);
        group.bench_with_input(BenchmarkId::from_parameter(n), &catalog, |b, cat| {
            b.iter(|| black_box(Engine::new(cat)))
        });
    }
    group.finish();
}

criterion_group!(benches, parse_typical, compile_catalog);
criterion_main!(benches);
