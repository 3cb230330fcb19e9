//! What one look of the broadcaster's board costs (`livestall board` looks
//! twice a second), on a shop of 100 products and 100,000 confirmed orders
//! built through the store, while the store keeps the database open:
//! - a look when nothing was committed (one `PRAGMA data_version`);
//! - a look after a commit (the whole board read again in one transaction:
//!   inventory with sales, units, the last eight orders, the order count);
//! - opening the feed.
//!
//! `cargo run --release --example board_poll` (or without `--release`: the
//! dev profile builds SQLite at -O1, so the figures are of the same order).
//! The database goes to a temporary folder, or to `LIVESTALL_BENCH_DIR`.

use livestall::commands::board::BoardFeed;
use livestall::store::{wait, Store};
use std::time::{Duration, Instant};

#[path = "../benches/support/shop.rs"]
mod shop;
use shop::{catalog, order, PRODUCTS};

const ORDERS: usize = 100_000;
const BURST: usize = 5_000;
const QUIET_LOOKS: usize = 2_000;
const BUSY_LOOKS: usize = 200;

fn main() {
    let base = std::env::var_os("LIVESTALL_BENCH_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let dir = tempfile::tempdir_in(base).expect("temp dir");
    let path = dir.path().join("shop.db");
    let (store, _) = Store::open(&path, &catalog()).expect("store");
    let start = Instant::now();
    for chunk in 0..ORDERS / BURST {
        let orders: Vec<_> = (chunk * BURST..(chunk + 1) * BURST)
            .map(|n| order("m", n))
            .collect();
        store.record_intents(orders.iter().map(|(intent, _)| intent.clone()).collect());
        let replies: Vec<_> = orders
            .into_iter()
            .map(|(_, confirm)| store.confirm(confirm))
            .collect();
        for reply in replies {
            wait(reply).expect("confirmed");
        }
    }
    println!(
        "{ORDERS} orders on {PRODUCTS} products built in {:.1} s",
        start.elapsed().as_secs_f64()
    );

    let opened = Instant::now();
    let mut feed = BoardFeed::open(&path).expect("feed");
    println!(
        "opening the feed (and its first read): {}",
        ms(opened.elapsed())
    );
    assert_eq!(feed.data().orders, ORDERS as u64);

    let mut quiet: Vec<Duration> = (0..QUIET_LOOKS)
        .map(|_| {
            let at = Instant::now();
            assert!(!feed.poll());
            at.elapsed()
        })
        .collect();
    figures("a look when nothing changed", &mut quiet);

    let mut busy: Vec<Duration> = (0..BUSY_LOOKS)
        .map(|n| {
            let (intent, confirm) = order("m", ORDERS + n);
            store.record_intents(vec![intent]);
            wait(store.confirm(confirm)).expect("confirmed");
            let at = Instant::now();
            assert!(feed.poll());
            at.elapsed()
        })
        .collect();
    figures("a look after a commit (the board read again)", &mut busy);
}

fn figures(what: &str, times: &mut [Duration]) {
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q) as usize];
    println!(
        "{what}: median {}, p99 {}, max {} ({} looks)",
        ms(at(0.5)),
        ms(at(0.99)),
        ms(at(1.0)),
        times.len()
    );
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}
