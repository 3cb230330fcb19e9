//! The order store's speed (issue 8, point 11), on a real database file
//! with WAL and `synchronous=FULL` as the store sets them:
//! - single confirms, each awaited before the next (a helper pressing y):
//!   confirms a second and commit latency percentiles;
//! - auto-confirm bursts, confirms sent without waiting and then all
//!   awaited (the store thread commits them in groups): confirms a second;
//! - a shop of 100,000 orders, built through the store: single confirms on
//!   it, `orders list` and `orders export` over it (through the functions
//!   the verbs call, and the built binary end to end), then single confirms
//!   again once one product holds all its orders (moved there by a direct
//!   UPDATE), since a confirm sums its product's orders.
//!
//! `cargo bench --bench store`, or `cargo bench --bench store -- WORD` for
//! the parts whose name holds WORD (`confirm`, `burst`, `orders`). The
//! databases go to cargo's target tmp folder (a normal disk, not tmpfs:
//! the file system is printed), or to `LIVESTALL_BENCH_DIR`.
//!
//! A plain harness rather than criterion: the figures wanted are
//! percentiles of single commits and whole-run rates against the
//! requirement's floors, printed as such.

use livestall::commands::report::{orders_json, orders_table, OrderFilter};
use livestall::store::{wait, ConfirmRequest, NewIntent, Reader, Store};
use livestall::store::{write_orders_csv, OrderQuery};
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[path = "support/shop.rs"]
mod shop;
use shop::{catalog, order, PRODUCTS};

/// Products in the bench shops: orders spread over them as over a season's
/// catalog (the store sums a product's orders on every confirm).
const SINGLE_CONFIRMS: usize = 2_000;
/// Confirms before the measured ones: the first commits also grow the file.
const WARM_UP: usize = 100;
const BURST: usize = 5_000;
const BURST_ROUNDS: usize = 5;
const BIG_SHOP_ORDERS: usize = 100_000;
/// Single confirms measured on the big shop.
const BIG_SHOP_CONFIRMS: usize = 300;
const READ_RUNS: usize = 7;

fn main() {
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|arg| !arg.starts_with("--"))
        .collect();
    let wanted = |name: &str| only.is_empty() || only.iter().any(|word| name.contains(word));
    let base = std::env::var_os("LIVESTALL_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_TARGET_TMPDIR")));
    std::fs::create_dir_all(&base).expect("bench folder");
    let dir = tempfile::tempdir_in(&base).expect("temp dir");
    println!(
        "store bench in {} ({}), {} cores, SQLite {}, WAL + synchronous=FULL",
        dir.path().display(),
        file_system(dir.path()),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        rusqlite::version(),
    );
    if wanted("single confirms") {
        single_confirms(&dir.path().join("single.db"));
    }
    if wanted("burst confirms") {
        bursts(&dir.path().join("burst.db"));
    }
    if wanted("orders list export") {
        orders_100k(dir.path());
    }
}

/// Records the intents of `orders` and waits until they are written, as the
/// app records every intent before anyone confirms it.
fn record(store: &Store, orders: &[(NewIntent, ConfirmRequest)]) {
    store.record_intents(orders.iter().map(|(intent, _)| intent.clone()).collect());
    wait(store.flush()).expect("intents written");
}

fn single_confirms(path: &Path) {
    let (store, _) = Store::open(path, &catalog()).expect("open store");
    let orders: Vec<_> = (0..WARM_UP + SINGLE_CONFIRMS)
        .map(|n| order("single", n))
        .collect();
    let latencies = one_at_a_time(&store, &orders);
    awaited_figures(
        &format!("single confirms ({SINGLE_CONFIRMS}, each awaited, after {WARM_UP} unmeasured)"),
        &latencies[WARM_UP..],
    );
}

/// Records the intents of `orders`, then confirms them one at a time, each
/// awaited before the next; how long each took from send to answer.
fn one_at_a_time(store: &Store, orders: &[(NewIntent, ConfirmRequest)]) -> Vec<Duration> {
    record(store, orders);
    orders
        .iter()
        .map(|(_, confirm)| {
            let start = Instant::now();
            wait(store.confirm(confirm.clone())).expect("confirmed");
            start.elapsed()
        })
        .collect()
}

/// Prints the rate and latency percentiles of awaited confirms against the
/// floors: 200 a second, p99 within 25 ms.
fn awaited_figures(name: &str, latencies: &[Duration]) {
    let total: Duration = latencies.iter().sum();
    let rate = latencies.len() as f64 / total.as_secs_f64();
    let mut sorted = latencies.to_vec();
    sorted.sort();
    let p99 = percentile(&sorted, 0.99);
    println!(
        "{name}: {rate:.0} a second (floor 200: {:.1}x)",
        rate / 200.0
    );
    println!(
        "  commit latency p50 {} p90 {} p99 {} max {} (p99 ceiling 25 ms: {:.1}x under)",
        ms(percentile(&sorted, 0.50)),
        ms(percentile(&sorted, 0.90)),
        ms(p99),
        ms(sorted[sorted.len() - 1]),
        25.0 / (p99.as_secs_f64() * 1e3),
    );
}

fn bursts(path: &Path) {
    let (store, _) = Store::open(path, &catalog()).expect("open store");
    let mut rates = Vec::new();
    for round in 0..BURST_ROUNDS {
        let orders: Vec<_> = (0..BURST)
            .map(|n| order(&format!("burst{round}"), n))
            .collect();
        record(&store, &orders);
        rates.push(BURST as f64 / burst(&store, &orders).as_secs_f64());
    }
    // In order: each round runs on a shop the rounds before have grown.
    let each: Vec<String> = rates.iter().map(|rate| format!("{rate:.0}")).collect();
    rates.sort_by(f64::total_cmp);
    let median = rates[rates.len() / 2];
    println!(
        "auto-confirm bursts ({BURST} sent without waiting, {BURST_ROUNDS} rounds): \
         median {median:.0} a second (floor 5,000: {:.1}x); round by round {}",
        median / 5_000.0,
        each.join(", ")
    );
}

/// Sends every confirm of `orders` without waiting, then waits for every
/// answer; how long from the first send to the last answer.
fn burst(store: &Store, orders: &[(NewIntent, ConfirmRequest)]) -> Duration {
    let start = Instant::now();
    let replies: Vec<_> = orders
        .iter()
        .map(|(_, confirm)| store.confirm(confirm.clone()))
        .collect();
    for reply in replies {
        wait(reply).expect("confirmed");
    }
    start.elapsed()
}

fn orders_100k(dir: &Path) {
    let path = dir.join("shop-100k.db");
    // Built through the store (intents recorded, then confirmed in bursts),
    // so the file holds what a real season leaves: orders, intents, events.
    let (store, _) = Store::open(&path, &catalog()).expect("open store");
    let start = Instant::now();
    let mut rates = Vec::new();
    for chunk in 0..BIG_SHOP_ORDERS / BURST {
        let orders: Vec<_> = (chunk * BURST..(chunk + 1) * BURST)
            .map(|n| order("season", n))
            .collect();
        record(&store, &orders);
        rates.push(BURST as f64 / burst(&store, &orders).as_secs_f64());
    }
    let built = start.elapsed();
    println!(
        "{BIG_SHOP_ORDERS} orders built through the store (recorded, then confirmed \
         in bursts of {BURST}) in {:.1} s; the first burst {:.0} a second, the last \
         (on {} orders a product) {:.0}",
        built.as_secs_f64(),
        rates[0],
        BIG_SHOP_ORDERS / PRODUCTS,
        rates[rates.len() - 1],
    );
    drop(store);
    println!(
        "  the file is {:.0} MB",
        std::fs::metadata(&path).map_or(0, |m| m.len()) as f64 / 1e6
    );

    let mut listing = Vec::new();
    read_runs("orders list (table), in process, into memory", || {
        listing.clear();
        let mut rows = Reader::open(&path).expect("reader").orders().expect("rows");
        rows.retain(|row| OrderFilter::default().keeps(row));
        assert_eq!(rows.len(), BIG_SHOP_ORDERS);
        orders_table(&rows, &mut listing).expect("table");
    });
    read_runs("orders list --format json, in process, into memory", || {
        listing.clear();
        let mut rows = Reader::open(&path).expect("reader").orders().expect("rows");
        rows.retain(|row| OrderFilter::default().keeps(row));
        orders_json(&rows, &mut listing).expect("json");
    });
    let csv = dir.join("orders.csv");
    read_runs("orders export (CSV), in process, to a file", || {
        let reader = Reader::open(&path).expect("reader");
        let rows = reader
            .orders_matching(&OrderQuery::default())
            .expect("rows");
        let mut out = BufWriter::new(std::fs::File::create(&csv).expect("csv file"));
        write_orders_csv(&rows, &mut out).expect("export");
    });
    let lines = std::fs::read(&csv)
        .expect("csv")
        .split(|&b| b == b'\n')
        .filter(|line| !line.is_empty())
        .count();
    assert_eq!(lines, BIG_SHOP_ORDERS + 1, "header and one line an order");

    let db = path.to_string_lossy().into_owned();
    let listed = dir.join("orders.txt");
    read_runs(
        "livestall orders list --db (the binary, stdout to a file)",
        || {
            let out = std::fs::File::create(&listed).expect("list file");
            livestall_verb(&["orders", "list", "--db", &db], Stdio::from(out));
        },
    );
    let csv_path = csv.to_string_lossy().into_owned();
    read_runs("livestall orders export --db --out (the binary)", || {
        livestall_verb(
            &["orders", "export", "--db", &db, "--out", &csv_path],
            Stdio::null(),
        );
    });
    let xlsx_path = dir.join("orders.xlsx").to_string_lossy().into_owned();
    read_runs(
        "livestall orders export --format xlsx --out (the binary)",
        || {
            livestall_verb(
                &[
                    "orders", "export", "--format", "xlsx", "--db", &db, "--out", &xlsx_path,
                ],
                Stdio::null(),
            );
        },
    );

    // A confirm sums its product's orders (`sold`): on a big shop it costs
    // more than on a fresh one.
    let (store, _) = Store::open(&path, &catalog()).expect("reopen store");
    let more: Vec<_> = (0..BIG_SHOP_CONFIRMS)
        .map(|n| order("season-single", n))
        .collect();
    awaited_figures(
        &format!(
            "single confirms on that shop ({BIG_SHOP_CONFIRMS}, each awaited, \
             {} orders a product)",
            BIG_SHOP_ORDERS / PRODUCTS
        ),
        &one_at_a_time(&store, &more),
    );
    drop(store);
    // Every order moved to one product (a direct UPDATE of the store's
    // file): a shop that sells one thing for years.
    rusqlite::Connection::open(&path)
        .expect("connection")
        .execute("UPDATE orders SET sku = 'P000'", [])
        .expect("one product");
    let (store, _) = Store::open(&path, &catalog()).expect("reopen store");
    let more: Vec<_> = (0..BIG_SHOP_CONFIRMS)
        .map(|n| {
            let (mut intent, mut confirm) = order("one-product", n);
            intent.sku = Some("P000".into());
            confirm.sku = Some("P000".into());
            (intent, confirm)
        })
        .collect();
    awaited_figures(
        &format!(
            "single confirms when one product has all {BIG_SHOP_ORDERS} orders \
             ({BIG_SHOP_CONFIRMS}, each awaited)"
        ),
        &one_at_a_time(&store, &more),
    );
}

/// Runs a built `livestall` verb to its end.
fn livestall_verb(args: &[&str], stdout: Stdio) {
    let status = Command::new(env!("CARGO_BIN_EXE_livestall"))
        .args(args)
        .stdout(stdout)
        .status()
        .expect("livestall runs");
    assert!(status.success(), "livestall {args:?}: {status}");
}

/// Times `run` READ_RUNS times and prints the spread against the 1 s ceiling.
fn read_runs(name: &str, mut run: impl FnMut()) {
    let mut times: Vec<Duration> = (0..READ_RUNS)
        .map(|_| {
            let start = Instant::now();
            run();
            start.elapsed()
        })
        .collect();
    times.sort();
    let median = times[times.len() / 2];
    println!(
        "{name}: median {} (fastest {}, slowest {} of {READ_RUNS}; ceiling 1 s: {:.1}x under)",
        ms(median),
        ms(times[0]),
        ms(times[times.len() - 1]),
        1.0 / median.as_secs_f64(),
    );
}

/// Nearest-rank percentile of sorted durations.
fn percentile(sorted: &[Duration], q: f64) -> Duration {
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

/// The file system `path` is on (Linux: the longest mount point above it
/// in /proc/self/mounts), so the figures say what kind of disk they are.
fn file_system(path: &Path) -> String {
    let Ok(mounts) = std::fs::read_to_string("/proc/self/mounts") else {
        return "file system unknown".into();
    };
    let path = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    mounts
        .lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let (device, mount, kind) = (fields.next()?, fields.next()?, fields.next()?);
            path.starts_with(mount)
                .then(|| (mount.len(), format!("{kind} on {device}")))
        })
        .max_by_key(|(len, _)| *len)
        .map_or_else(|| "file system unknown".into(), |(_, fs)| fs)
}
