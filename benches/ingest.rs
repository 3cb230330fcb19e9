//! What one chat message costs at each stage of ingestion (issue 10,
//! point 6), on the frames `examples/ingest_soak.rs` sends (the same
//! `SimChat` pool, `benches/support/frames.rs`): decoding the JSON frame
//! (`decode_frame`), making it safe (`ingest`), dropping replays
//! (`RecentIds`), the intent engine, and `update` with `Msg::Chat` on a
//! model already full (chat ring and inbox at their bounds, as after a long
//! stream). The decode stage is measured against its honest floor: a typed
//! serde_json decode of the same frame into a struct of id/user/text/ts;
//! and a `serde_json::Value` decode shows how much of `decode_frame` is the
//! generic tree it reads pointers from. Per element = per message.
//! `cargo bench --bench ingest` (under a minute).

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use livestall::app::model::Model;
use livestall::app::{update, Msg};
use livestall::chat::{decode_frame, ingest, ChatMessage, RecentIds};
use livestall::config::{self, FieldMap};
use livestall::intent::Engine;
use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

#[path = "support/frames.rs"]
mod frames;
use frames::Pool;

/// Messages per timed batch.
const N: u64 = 1_000;
const TS: i64 = 1_765_000_000_000;

/// The floor for the decode stage: what any JSON reader must at least do
/// to get the four fields out of the frame.
#[derive(serde::Deserialize)]
#[allow(dead_code)] // decoded to be measured, not read
struct TypedFrame {
    id: String,
    user: String,
    text: String,
    ts: i64,
}

fn frames_from(pool: &Pool, first: u64) -> Vec<String> {
    (first..first + N).map(|seq| pool.frame(seq, TS)).collect()
}

/// The messages the source would hand on (decoded and made safe).
fn messages_from(frames: &[String], fields: &FieldMap) -> Vec<ChatMessage> {
    frames
        .iter()
        .enumerate()
        .filter_map(|(i, f)| decode_frame(f, fields, i as u64).expect("JSON"))
        .filter_map(|mut m| ingest(&mut m).then_some(m))
        .collect()
}

fn chat(message: ChatMessage) -> Msg {
    Msg::Chat {
        source: 0,
        message,
        received_at_ms: TS,
    }
}

fn stages(c: &mut Criterion) {
    let config = config::sample(Path::new("."));
    let engine = Engine::new(&config.catalog);
    let pool = Pool::new(&config.catalog, &engine, 10_000, 1);
    let fields = FieldMap::default();
    let frames = frames_from(&pool, 0);
    let decoded: Vec<ChatMessage> = frames
        .iter()
        .enumerate()
        .filter_map(|(i, f)| decode_frame(f, &fields, i as u64).expect("JSON"))
        .collect();
    let messages = messages_from(&frames, &fields);
    println!(
        "{} frames a batch, {} with chat text, {} readable after ingest; {} of the pool's {} texts hold an intent",
        frames.len(),
        decoded.len(),
        messages.len(),
        pool.with_intents,
        pool.tails.len()
    );

    let mut group = c.benchmark_group("ingest");
    group.throughput(Throughput::Elements(N));
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(3));
    group.sample_size(30);

    group.bench_function("floor_serde_typed", |b| {
        b.iter(|| {
            for f in &frames {
                let typed: TypedFrame = serde_json::from_str(f).expect("JSON");
                black_box(typed);
            }
        })
    });
    group.bench_function("serde_value", |b| {
        b.iter(|| {
            for f in &frames {
                let value: serde_json::Value = serde_json::from_str(f).expect("JSON");
                black_box(value);
            }
        })
    });
    group.bench_function("decode_frame", |b| {
        b.iter(|| {
            for (i, f) in frames.iter().enumerate() {
                black_box(decode_frame(f, &fields, i as u64).expect("JSON"));
            }
        })
    });
    group.bench_function("ingest_sanitise", |b| {
        b.iter_batched(
            || decoded.clone(),
            |mut batch| {
                for m in &mut batch {
                    black_box(ingest(m));
                }
                batch
            },
            BatchSize::LargeInput,
        )
    });
    group.bench_function("dedupe_recent_ids", |b| {
        // Fresh ids every batch, as a live stream has; the set is full
        // (its default capacity) after the first batches.
        let mut seen = RecentIds::default();
        let mut next = 0u64;
        b.iter_batched(
            || {
                next += N;
                (next - N..next)
                    .map(|seq| format!("s{seq}"))
                    .collect::<Vec<_>>()
            },
            |ids| {
                for id in &ids {
                    black_box(seen.insert(id));
                }
                ids
            },
            BatchSize::LargeInput,
        )
    });
    group.bench_function("engine_parse", |b| {
        let mut out = Vec::new();
        b.iter(|| {
            for m in &messages {
                out.clear();
                black_box(engine.parse_guarded(&m.text, Some(0), &mut out));
            }
        })
    });

    // A model as after a long stream: chat ring and inbox at their bounds,
    // the rest of the intents waiting in the database.
    let mut model = Model::new(&config, "bench");
    model.on_air = Some(0);
    update(&mut model, &engine, Msg::Tick(TS));
    let mut next = 0u64;
    let fresh = |next: &mut u64| {
        let first = *next;
        *next += N;
        messages_from(&frames_from(&pool, first), &fields)
    };
    for _ in 0..20 {
        for m in fresh(&mut next) {
            update(&mut model, &engine, chat(m));
        }
    }
    println!(
        "the model before `update` is timed: {} chat lines, {} in the inbox, {} waiting",
        model.chat.len(),
        model.inbox.len(),
        model.inbox_more
    );
    group.bench_function("update_chat", |b| {
        b.iter_batched(
            || fresh(&mut next),
            |batch| {
                let mut effects = 0;
                for m in batch {
                    effects += update(&mut model, &engine, chat(m)).len();
                }
                effects
            },
            BatchSize::LargeInput,
        )
    });
    // Every stage in one thread, without the socket and the channel: what
    // the soak's path costs apart from I/O and waking tasks.
    group.bench_function("all_stages", |b| {
        let mut seen = RecentIds::default();
        b.iter_batched(
            || {
                let first = next;
                next += N;
                frames_from(&pool, first)
            },
            |batch| {
                let mut effects = 0;
                for (i, f) in batch.iter().enumerate() {
                    let Some(mut m) = decode_frame(f, &fields, i as u64).expect("JSON") else {
                        continue;
                    };
                    if !ingest(&mut m) || !seen.insert(&m.id) {
                        continue;
                    }
                    effects += update(&mut model, &engine, chat(m)).len();
                }
                (batch, effects)
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
