//! The `livestall` binary: argument parsing and wiring only. Everything it
//! calls lives in the library (src/lib.rs).

use anyhow::Context;
use clap::error::ErrorKind;
use clap::parser::ValueSource;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use livestall::commands::tui::Screen;
use livestall::config::{self, Config};
use livestall::store::{
    AmendTo, OrderAmend, Reader, SaleStart, SeedReport, StockChange, StockTo, Store, StoreOptions,
};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "livestall",
    version,
    about = "Live-stream order desk: chat in, confirmed orders out."
)]
struct Cli {
    /// The shop's config file.
    #[arg(long, global = true, value_name = "PATH")]
    config: Option<PathBuf>,
    /// The order database (overrides [store] path).
    #[arg(long, global = true, value_name = "PATH")]
    db: Option<PathBuf>,
    /// The name recorded as the confirming helper on the `livestall` screen.
    #[arg(long, default_value = "helper")]
    helper: String,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// The TUI on a built-in simulated chat: zero setup.
    Demo {
        /// The name recorded as the confirming helper.
        #[arg(long, default_value = "helper")]
        helper: String,
    },
    /// A simulated live chat as a websocket server (JSON frames {"id","user","text","ts"}).
    Sim {
        #[arg(long, default_value = "127.0.0.1:9001")]
        listen: String,
        /// Messages per second, on average.
        #[arg(long, default_value_t = 5.0)]
        rate: f64,
        /// Stop after this many messages.
        #[arg(long)]
        count: Option<u64>,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Read JSON lines {"id","user","text","current"?} on stdin (a session file as it is:
    /// "on_air" is read as "current"); print their intents.
    /// With --db, phrases learned in that database are read too (read-only).
    Parse,
    /// Phrases helpers taught the engine: list (default), add, remove.
    Aliases {
        #[command(subcommand)]
        action: Option<AliasesCommand>,
    },
    /// Run on the configured source without the TUI.
    Run {
        /// No UI: JSON event lines on stdout.
        #[arg(long)]
        headless: bool,
        /// Confirm every intent as it arrives (stock and limits still apply;
        /// low-confidence guesses such as a bare number stay pending).
        // Only headless confirms by itself; on the TUI it would be ignored,
        // so clap refuses it there instead.
        #[arg(long, requires = "headless")]
        auto_confirm: bool,
        /// The name recorded as the confirming helper.
        #[arg(long, default_value = "helper")]
        helper: String,
    },
    /// Play a recorded session file (sessions/2026-12-07.jsonl) as the
    /// chat: the same screen (or headless mode), at the recorded pace.
    /// Orders go to a scratch database unless --db names one.
    Replay {
        /// The session file (one JSON line per message, as livestall records them).
        file: PathBuf,
        /// How fast: 1 as recorded, 10 ten times faster, max (or 0) as fast as it goes.
        #[arg(long, default_value = "1", value_parser = parse_speed)]
        speed: livestall::chat::replay::Speed,
        /// No UI: JSON event lines on stdout; ends when the recording does.
        #[arg(long)]
        headless: bool,
        /// The name recorded as the confirming helper.
        #[arg(long, default_value = "helper")]
        helper: String,
    },
    /// Orders in the database.
    Orders {
        #[command(subcommand)]
        action: OrdersCommand,
    },
    /// The audit trail: every helper's and every automatic action, with
    /// what it changed (reads the database only).
    Audit {
        #[arg(long, value_enum, default_value_t = InventoryFormat::Table)]
        format: InventoryFormat,
    },
    /// Flash sales (秒杀): start, end, list.
    Sale {
        #[command(subcommand)]
        action: SaleCommand,
    },
    /// The broadcaster's board: the product on air, its price and stock
    /// left in big digits, and the latest buyers, following the database
    /// live (read-only; q, Esc or Ctrl-C quits).
    Board,
    /// The county's view over the co-op database (`[coop]` in the config):
    /// every station's orders, and the shared stock with each station's
    /// allocation.
    Hub {
        /// Without one: the hub's screen (stations, shared stock, the latest
        /// orders, read again every second; q quits).
        #[command(subcommand)]
        action: Option<HubCommand>,
    },
    /// Stock left and sold, per product; `set` and `add` change stock.
    Inventory {
        #[command(subcommand)]
        action: Option<InventoryCommand>,
        #[arg(long, value_enum, default_value_t = InventoryFormat::Table)]
        format: InventoryFormat,
    },
}

#[derive(Subcommand)]
enum HubCommand {
    /// Every station's orders, oldest first: one row (csv, xlsx) or object
    /// (json) an order, with station, order_id, msg_id, user, sku, qty and
    /// status among its fields.
    Orders {
        #[arg(long, value_enum, default_value_t = HubOrdersFormat::Csv)]
        format: HubOrdersFormat,
        /// Write to this file instead of stdout.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// The shared stock: each product's pool, and each station's
    /// allocation and sales.
    Stock {
        #[arg(long, value_enum, default_value_t = InventoryFormat::Table)]
        format: InventoryFormat,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum HubOrdersFormat {
    Csv,
    Xlsx,
    Json,
}

#[derive(Subcommand)]
enum SaleCommand {
    /// Sell N units of SKU at price P (yuan) for M minutes; orders inside
    /// the sale carry its price.
    Start {
        sku: String,
        #[arg(long)]
        qty: u32,
        /// The sale price in yuan, like 19.9.
        #[arg(long, value_parser = parse_price)]
        price: i64,
        #[arg(long)]
        minutes: u32,
        /// Recorded as who started it.
        #[arg(long, default_value = "helper")]
        helper: String,
    },
    /// End the running flash sale of SKU now.
    End {
        sku: String,
        /// Recorded as who ended it.
        #[arg(long, default_value = "helper")]
        helper: String,
    },
    /// Every flash sale, newest first (reads the database only).
    List,
}

fn parse_speed(text: &str) -> Result<livestall::chat::replay::Speed, String> {
    text.parse()
}

fn parse_price(text: &str) -> Result<i64, String> {
    livestall::catalog::parse_yuan(text)
        .ok_or_else(|| format!("{text:?} is not a price in yuan (like 19.9)"))
}

#[derive(Subcommand)]
enum InventoryCommand {
    /// Set the stock of SKU to N (a count of what is really there).
    Set {
        sku: String,
        #[arg(allow_negative_numbers = true)]
        n: i64,
        /// Recorded as who changed it.
        #[arg(long, default_value = "helper")]
        helper: String,
    },
    /// Add N to the stock of SKU (a restock; a negative N takes some away).
    Add {
        sku: String,
        #[arg(allow_negative_numbers = true)]
        n: i64,
        /// Recorded as who changed it.
        #[arg(long, default_value = "helper")]
        helper: String,
    },
}

#[derive(Subcommand)]
enum OrdersCommand {
    /// Orders, one line each, oldest first (reads the database only).
    List {
        #[arg(long, value_enum, default_value_t = InventoryFormat::Table)]
        format: InventoryFormat,
        /// Only this buyer's orders (the name chat showed).
        #[arg(long, value_name = "NAME")]
        buyer: Option<String>,
        /// Only orders of this product.
        #[arg(long)]
        sku: Option<String>,
        #[arg(long, value_enum)]
        status: Option<OrderStatus>,
        /// Group by buyer: one cart a line (orders, units, total, items).
        #[arg(long, value_enum, value_name = "buyer")]
        by: Option<GroupBy>,
    },
    /// Cancel confirmed order ORDER_ID; its units go back to stock.
    Cancel {
        order_id: i64,
        /// Recorded as who cancelled it.
        #[arg(long, default_value = "helper")]
        helper: String,
    },
    /// Set the quantity of confirmed order ORDER_ID (0 cancels it); stock
    /// moves by the difference.
    SetQty {
        order_id: i64,
        qty: u32,
        /// Recorded as who changed it.
        #[arg(long, default_value = "helper")]
        helper: String,
    },
    /// Orders, one row each: CSV (UTF-8 with BOM, for Excel and WPS), or an
    /// xlsx workbook with a packing list per buyer and totals per product.
    Export {
        #[arg(long, value_enum, default_value_t = ExportFormat::Csv)]
        format: ExportFormat,
        /// Write here instead of stdout (xlsx on a terminal needs it).
        #[arg(long, value_name = "PATH")]
        out: Option<PathBuf>,
        /// Only orders confirmed from then on: 2026-12-06, 2026-12-06T20:00,
        /// "2026-12-06 20:00" (local time) or RFC 3339.
        #[arg(long, value_name = "WHEN", value_parser = livestall::commands::export::When::parse)]
        since: Option<livestall::commands::export::When>,
        /// Only orders confirmed before then; a date means through the end
        /// of that day.
        #[arg(long, value_name = "WHEN", value_parser = livestall::commands::export::When::parse)]
        until: Option<livestall::commands::export::When>,
        #[arg(long, value_enum)]
        status: Option<OrderStatus>,
    },
}

#[derive(Subcommand)]
enum AliasesCommand {
    /// Every learned alias: phrase, SKU, product, who taught it, when.
    List {
        #[arg(long, value_enum, default_value_t = InventoryFormat::Table)]
        format: InventoryFormat,
    },
    /// Teach PHRASE as a name of the product SKU.
    Add {
        phrase: String,
        sku: String,
        /// Recorded as who taught it.
        #[arg(long, default_value = "helper")]
        helper: String,
    },
    /// Forget a learned PHRASE.
    Remove {
        phrase: String,
        /// Recorded as who removed it.
        #[arg(long, default_value = "helper")]
        helper: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum OrderStatus {
    Confirmed,
    Cancelled,
    /// Intents waiting for stock, in each product's line (not orders yet).
    Waitlisted,
}

impl OrderStatus {
    fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Confirmed => "confirmed",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::Waitlisted => "waitlisted",
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum GroupBy {
    Buyer,
}

#[derive(Clone, Copy, ValueEnum)]
enum ExportFormat {
    Csv,
    Xlsx,
}

#[derive(Clone, Copy, ValueEnum)]
enum InventoryFormat {
    Table,
    Json,
}

fn main() -> ExitCode {
    let cli = parse_args();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        // `livestall orders export | head` is fine: a closed pipe ends the run quietly.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            // A plain sentence for people, not a backtrace; written so that
            // a terminal closed under the run (SIGHUP) cannot panic it.
            let _ = writeln!(std::io::stderr().lock(), "{}", error_words(&e));
            ExitCode::FAILURE
        }
    }
}

/// `Cli::parse`, plus the one rule clap cannot say: `--helper` before a verb
/// belongs to the bare `livestall` screen, and a verb that confirms takes its
/// own, so `livestall --helper X demo` is refused rather than the name
/// silently dropped.
fn parse_args() -> Cli {
    let mut command = Cli::command();
    let matches = command.get_matches_mut();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.format(&mut command).exit(),
    };
    let helper_given = matches.value_source("helper") == Some(ValueSource::CommandLine);
    if helper_given && cli.command.is_some() {
        command
            .error(
                ErrorKind::ArgumentConflict,
                "--helper goes after the verb (`livestall demo --helper NAME`, \
                 `livestall run --helper NAME`); before it, it is for the bare `livestall` screen",
            )
            .exit();
    }
    cli
}

/// The language of this run's messages: the config's once it is read,
/// else the machine's locale.
static LANGUAGE: std::sync::OnceLock<config::Language> = std::sync::OnceLock::new();

fn language() -> config::Language {
    *LANGUAGE.get().unwrap_or(&config::error_language(
        None,
        std::env::var("LANG").ok().as_deref(),
    ))
}

/// A failed run said in the shop's language: the store's errors and
/// refusals in the words the screen uses (the technical detail after, for
/// whoever helps); config errors are worded in their language already.
fn error_words(e: &anyhow::Error) -> String {
    let language = language();
    let said = e.chain().find_map(|cause| {
        if let Some(error) = cause.downcast_ref::<livestall::store::StoreError>() {
            return Some(livestall::ui::i18n::store_error(language, error));
        }
        cause
            .downcast_ref::<livestall::store::Refusal>()
            .map(|refusal| livestall::ui::i18n::refusal(language, refusal))
    });
    match (language, said) {
        (config::Language::Zh, Some(words)) => format!("livestall：{words}（详情：{e:#}）"),
        _ => format!("livestall: {e:#}"),
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn load_config(path: Option<&Path>) -> anyhow::Result<Config> {
    let given = path.is_some();
    let path = path.unwrap_or(Path::new("config.toml"));
    if !given && !path.exists() {
        // No file to ask for a language: the machine's locale decides.
        match config::error_language(None, std::env::var("LANG").ok().as_deref()) {
            config::Language::En => anyhow::bail!(
                "no config.toml in this folder; give your shop's config with --config PATH \
                 (config.toml in the livestall repository is a sample), or try `livestall demo`"
            ),
            config::Language::Zh => anyhow::bail!(
                "这个文件夹里没有 config.toml；请用 --config 路径 指定你店铺的配置文件\
                 （livestall 仓库里的 config.toml 是个样例），或者先试试 `livestall demo`"
            ),
        }
    }
    let config = config::load(path)?;
    let _ = LANGUAGE.set(config.shop.language);
    Ok(config)
}

/// The verbs that take orders create the database on first use. The seed
/// report goes to the screen of the TUI verbs (stderr is hidden behind it).
fn open_store(config: &Config, db: Option<&Path>) -> anyhow::Result<(Store, SeedReport)> {
    open_store_with(config, db, &StoreOptions::default())
}

/// `open_store` for the verbs without a screen: stock notes go to stderr.
fn open_store_noting(config: &Config, db: Option<&Path>) -> anyhow::Result<Store> {
    let (store, report) = open_store(config, db)?;
    print_stock_notes(&report);
    Ok(store)
}

fn print_stock_notes(report: &SeedReport) {
    for (sku, in_config, in_db) in &report.stock_differs {
        eprintln!(
            "livestall: note: {sku}: config says stock {in_config}, the database has {in_db}; keeping the database's (it owns stock after the first run)"
        );
    }
}

/// The reading verbs (`orders export`, `inventory`) only look at orders that
/// exist: a mistyped `--db` must be an error, not a fresh empty database that
/// reads as "no orders".
fn open_existing_store(config: &Config, db: Option<&Path>) -> anyhow::Result<Store> {
    let options = StoreOptions {
        create: false,
        ..StoreOptions::default()
    };
    let (store, report) = open_store_with(config, db, &options)?;
    print_stock_notes(&report);
    Ok(store)
}

fn open_store_with(
    config: &Config,
    db: Option<&Path>,
    options: &StoreOptions,
) -> anyhow::Result<(Store, SeedReport)> {
    let path = db
        .map(Path::to_path_buf)
        .unwrap_or_else(|| config.store_path.clone());
    let (store, report) = Store::open_with(&path, &config.catalog, options)?;
    for (sku, in_config, in_db) in &report.stock_differs {
        tracing::warn!(
            sku,
            in_config,
            in_db,
            "config stock differs from the database; the database owns stock"
        );
    }
    Ok((store, report))
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let config_path = cli.config.as_deref();
    let db = cli.db.as_deref();
    match cli.command {
        None => {
            let config = with_db(load_config(config_path)?, db);
            let _log = livestall::logging::to_file(&log_path_beside(&config, db))?;
            let (store, seed) = open_store(&config, db)?;
            let screen = Screen {
                helper: cli.helper,
                seed,
            };
            runtime()?.block_on(livestall::commands::tui::run_live(config, store, screen))
        }
        Some(Command::Demo { helper }) => {
            let config = match config_path {
                Some(p) => load_config(Some(p))?,
                None if Path::new("config.toml").exists() => load_config(None)?,
                None => config::sample(Path::new(".")),
            };
            // A throwaway database unless --db: the demo must not touch real orders.
            let scratch = tempfile::tempdir().context("cannot make a scratch folder")?;
            let db_path = db
                .map(Path::to_path_buf)
                .unwrap_or_else(|| scratch.path().join("demo.db"));
            let _log = livestall::logging::to_file(&db_path.with_extension("log"))?;
            let (store, seed) = open_store(&config, Some(&db_path))?;
            let screen = Screen { helper, seed };
            runtime()?.block_on(livestall::commands::tui::run_demo(config, store, screen))
        }
        Some(Command::Sim {
            listen,
            rate,
            count,
            seed,
        }) => {
            let config = match config_path {
                Some(p) => load_config(Some(p))?,
                None if Path::new("config.toml").exists() => load_config(None)?,
                None => config::sample(Path::new(".")),
            };
            let _log = livestall::logging::to_stderr();
            runtime()?.block_on(livestall::commands::sim::run(
                &listen, config, rate, count, seed,
            ))
        }
        Some(Command::Parse) => {
            let config = load_config(config_path)?;
            // With --db, the phrases helpers taught that database too (read
            // only); without, the catalog alone (never the config's store).
            let engine = match db {
                Some(path) => {
                    let learned = livestall::store::Reader::open(path)?.learned_aliases()?;
                    livestall::intent::Engine::with_learned(
                        &config.catalog,
                        learned.iter().map(|a| (a.phrase.as_str(), a.sku.as_str())),
                    )
                }
                None => livestall::intent::Engine::new(&config.catalog),
            };
            let stdin = std::io::stdin().lock();
            // Big buffered writes for piped chat; a person typing at a
            // terminal sees each answer as soon as the line is in.
            let flush = livestall::commands::parse::Flush::for_input(&stdin);
            let stdout = std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
            livestall::commands::parse::run_with(&config.catalog, &engine, stdin, stdout, flush)?;
            Ok(())
        }
        Some(Command::Run {
            headless,
            auto_confirm,
            helper,
        }) => {
            let config = with_db(load_config(config_path)?, db);
            let _log = livestall::logging::to_file(&log_path_beside(&config, db))?;
            if headless {
                let store = open_store_noting(&config, db)?;
                let opts = livestall::commands::headless::HeadlessOptions {
                    auto_confirm,
                    helper,
                };
                runtime()?.block_on(livestall::commands::headless::run(config, store, opts))
            } else {
                let (store, seed) = open_store(&config, db)?;
                let screen = Screen { helper, seed };
                runtime()?.block_on(livestall::commands::tui::run_live(config, store, screen))
            }
        }
        Some(Command::Replay {
            file,
            speed,
            headless,
            helper,
        }) => {
            let mut config = load_config(config_path)?;
            let opened = std::fs::File::open(&file).and_then(|f| f.metadata());
            match opened {
                Err(error) => anyhow::bail!(unreadable_recording(&file, &error)),
                Ok(meta) if meta.is_dir() => anyhow::bail!(unreadable_recording(
                    &file,
                    &std::io::ErrorKind::IsADirectory.into()
                )),
                Ok(_) => {}
            }
            config.sources = vec![config::SourceConfig {
                name: "replay".into(),
                url: file.display().to_string(),
                kind: config::SourceKind::Replay { path: file, speed },
                fields: config::FieldMap::default(),
            }];
            // A replay is not chat received: recording it would mix it
            // into the day's record (and its ids into the next run's).
            config.record.enabled = false;
            // Rehearsals and reproductions must not touch real orders.
            let scratch = tempfile::tempdir().context("cannot make a scratch folder")?;
            let db_path = db
                .map(Path::to_path_buf)
                .unwrap_or_else(|| scratch.path().join("replay.db"));
            let _log = livestall::logging::to_file(&db_path.with_extension("log"))?;
            if headless {
                let store = open_store_noting(&config, Some(&db_path))?;
                let opts = livestall::commands::headless::HeadlessOptions {
                    auto_confirm: false,
                    helper,
                };
                runtime()?.block_on(livestall::commands::headless::run(config, store, opts))
            } else {
                let (store, seed) = open_store(&config, Some(&db_path))?;
                let screen = Screen { helper, seed };
                runtime()?.block_on(livestall::commands::tui::run_live(config, store, screen))
            }
        }
        Some(Command::Orders {
            action:
                OrdersCommand::Export {
                    format,
                    out,
                    since,
                    until,
                    status,
                },
        }) => {
            use livestall::commands::export;
            if let Some(OrderStatus::Waitlisted) = status {
                anyhow::bail!(
                    "waitlisted intents are not orders yet, so they are not exported; \
                     `livestall orders list --status waitlisted` lists them"
                );
            }
            let query = export::order_query(since, until, status.map(OrderStatus::as_str))?;
            let database = db_path(config_path, db)?;
            let reader = Reader::open(&database)?;
            let format = match format {
                ExportFormat::Csv => export::Format::Csv,
                ExportFormat::Xlsx => export::Format::Xlsx,
            };
            export::export(&reader, &database, &query, format, out.as_deref())
        }
        Some(Command::Orders {
            action:
                OrdersCommand::List {
                    format,
                    buyer,
                    sku,
                    status,
                    by,
                },
        }) => {
            if let Some(OrderStatus::Waitlisted) = status {
                let mut rows = open_reader(config_path, db)?.waitlist()?;
                rows.retain(|r| {
                    buyer.as_ref().is_none_or(|b| *b == r.user)
                        && sku.as_ref().is_none_or(|s| *s == r.sku)
                });
                let mut stdout = std::io::stdout().lock();
                return match format {
                    InventoryFormat::Table => {
                        livestall::commands::book::waitlist_table(&rows, &mut stdout)
                    }
                    InventoryFormat::Json => {
                        livestall::commands::book::waitlist_json(&rows, &mut stdout)
                    }
                };
            }
            let filter = livestall::commands::report::OrderFilter {
                buyer,
                sku,
                status: status.map(|s| s.as_str().to_string()),
            };
            let mut rows = open_reader(config_path, db)?.orders()?;
            rows.retain(|row| filter.keeps(row));
            // Buffered: a listing of 100,000 orders is 100,000 lines.
            let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
            use livestall::commands::report::{carts_json, carts_table, orders_json, orders_table};
            match (by, format) {
                (Some(GroupBy::Buyer), InventoryFormat::Table) => carts_table(&rows, &mut stdout),
                (Some(GroupBy::Buyer), InventoryFormat::Json) => carts_json(&rows, &mut stdout),
                (None, InventoryFormat::Table) => orders_table(&rows, &mut stdout),
                (None, InventoryFormat::Json) => orders_json(&rows, &mut stdout),
            }?;
            Ok(std::io::Write::flush(&mut stdout)?)
        }
        Some(Command::Orders {
            action: OrdersCommand::Cancel { order_id, helper },
        }) => amend_order(config_path, db, order_id, AmendTo::Cancel, helper),
        Some(Command::Orders {
            action:
                OrdersCommand::SetQty {
                    order_id,
                    qty,
                    helper,
                },
        }) => amend_order(config_path, db, order_id, AmendTo::Qty(qty), helper),
        Some(Command::Aliases { action }) => {
            use livestall::commands::aliases;
            let config = load_config(config_path)?;
            let mut stdout = std::io::stdout().lock();
            match action.unwrap_or(AliasesCommand::List {
                format: InventoryFormat::Table,
            }) {
                AliasesCommand::List { format } => {
                    let list = open_reader(config_path, db)?.learned_aliases()?;
                    match format {
                        InventoryFormat::Table => {
                            aliases::list_table(&config.catalog, &list, &mut stdout)
                        }
                        InventoryFormat::Json => {
                            aliases::list_json(&config.catalog, &list, &mut stdout)
                        }
                    }
                }
                AliasesCommand::Add {
                    phrase,
                    sku,
                    helper,
                } => {
                    let store = open_store_noting(&config, db)?;
                    aliases::add(&store, &phrase, &sku, &helper, &mut stdout)
                }
                AliasesCommand::Remove { phrase, helper } => {
                    let store = open_existing_store(&config, db)?;
                    aliases::remove(&store, &phrase, &helper, &mut stdout)
                }
            }
        }
        Some(Command::Inventory {
            action: Some(action),
            format: _,
        }) => {
            let (sku, to, helper) = match action {
                InventoryCommand::Set { sku, n, helper } => (sku, StockTo::Set(n), helper),
                InventoryCommand::Add { sku, n, helper } => (sku, StockTo::Add(n), helper),
            };
            let store = open_for_change(config_path, db)?;
            let done = livestall::store::wait(store.change_stock(StockChange { sku, to, helper }))?;
            println!("{}: stock {} -> {}", done.sku, done.before, done.after);
            Ok(())
        }
        Some(Command::Audit { format }) => {
            let rows = open_reader(config_path, db)?.audit()?;
            let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
            match format {
                InventoryFormat::Table => {
                    livestall::commands::book::audit_table(&rows, &mut stdout)
                }
                InventoryFormat::Json => livestall::commands::book::audit_json(&rows, &mut stdout),
            }?;
            Ok(std::io::Write::flush(&mut stdout)?)
        }
        Some(Command::Sale { action }) => match action {
            SaleCommand::Start {
                sku,
                qty,
                price,
                minutes,
                helper,
            } => {
                let store = open_for_change(config_path, db)?;
                let sale = livestall::store::wait(store.start_sale(SaleStart {
                    sku,
                    qty,
                    price_fen: price,
                    minutes,
                    helper,
                }))?;
                println!("{}", livestall::commands::book::sale_line(&sale));
                Ok(())
            }
            SaleCommand::End { sku, helper } => {
                let store = open_for_change(config_path, db)?;
                let sale = livestall::store::wait(store.end_sale(&sku, &helper))?;
                println!("ended {}", livestall::commands::book::sale_line(&sale));
                Ok(())
            }
            SaleCommand::List => {
                let sales = open_reader(config_path, db)?.sales()?;
                let mut stdout = std::io::stdout().lock();
                livestall::commands::book::sales_table(
                    &sales,
                    livestall::clock::now_ms(),
                    &mut stdout,
                )
            }
        },
        Some(Command::Board) => {
            // The config gives the language and the shop's name; with --db
            // alone there is none to read, and LANG says the language.
            let config = match (config_path, db) {
                (None, Some(_)) => None,
                (path, _) => Some(load_config(path)?),
            };
            let settings = livestall::commands::board::BoardSettings {
                database: db_path(config_path, db)?,
                language: config.as_ref().map_or_else(
                    || config::Language::from_locale(std::env::var("LANG").ok().as_deref()),
                    |c| c.shop.language,
                ),
                shop_name: config.map(|c| c.shop.name),
            };
            runtime()?.block_on(livestall::commands::board::run(settings))
        }
        Some(Command::Hub { action }) => {
            let config = load_config(config_path)?;
            let Some(coop) = config.coop.clone() else {
                anyhow::bail!(
                    "{} has no [coop] table: the hub reads the co-op database it names",
                    config
                        .path
                        .as_deref()
                        .unwrap_or(Path::new("config.toml"))
                        .display()
                );
            };
            let runtime = runtime()?;
            match action {
                None => runtime.block_on(livestall::commands::hub::screen(
                    &coop,
                    config.shop.language,
                )),
                Some(HubCommand::Orders { format, out }) => {
                    use livestall::commands::hub::OrdersFormat;
                    let format = match format {
                        HubOrdersFormat::Csv => OrdersFormat::Csv,
                        HubOrdersFormat::Xlsx => OrdersFormat::Xlsx,
                        HubOrdersFormat::Json => OrdersFormat::Json,
                    };
                    // Everything is read before the file is made: a
                    // co-op that cannot be reached leaves no empty file.
                    let mut bytes = Vec::new();
                    runtime
                        .block_on(livestall::commands::hub::orders(&coop, format, &mut bytes))?;
                    match out {
                        Some(path) => std::fs::write(&path, bytes)
                            .with_context(|| format!("cannot write {}", path.display()))?,
                        None => std::io::stdout().lock().write_all(&bytes)?,
                    }
                    Ok(())
                }
                Some(HubCommand::Stock { format }) => {
                    let mut stdout = std::io::stdout().lock();
                    runtime.block_on(livestall::commands::hub::stock(
                        &coop,
                        matches!(format, InventoryFormat::Json),
                        &mut stdout,
                    ))
                }
            }
        }
        Some(Command::Inventory {
            action: None,
            format,
        }) => {
            let rows = open_reader(config_path, db)?.inventory()?;
            let mut stdout = std::io::stdout().lock();
            match format {
                InventoryFormat::Table => {
                    livestall::commands::report::inventory_table(&rows, &mut stdout)
                }
                InventoryFormat::Json => {
                    livestall::commands::report::inventory_json(&rows, &mut stdout)
                }
            }
        }
    }
}

/// The database a reading verb reports on, opened read-only: `--db` alone
/// is enough (the database holds names, prices and stock); without it, the
/// config is read only to find `[store] path`.
fn open_reader(config_path: Option<&Path>, db: Option<&Path>) -> anyhow::Result<Reader> {
    Ok(Reader::open(&db_path(config_path, db)?)?)
}

/// `--db`, or else the config's `[store] path` (the config is read for nothing else).
fn db_path(config_path: Option<&Path>, db: Option<&Path>) -> anyhow::Result<PathBuf> {
    Ok(match db {
        Some(path) => path.to_path_buf(),
        None => load_config(config_path)?.store_path,
    })
}

/// `orders cancel` and `orders set-qty`: one committed change, said on stdout.
fn amend_order(
    config_path: Option<&Path>,
    db: Option<&Path>,
    order_id: i64,
    to: AmendTo,
    helper: String,
) -> anyhow::Result<()> {
    let store = open_for_change(config_path, db)?;
    let done = livestall::store::wait(store.amend_order(OrderAmend {
        order_id,
        to,
        helper,
    }))?;
    let what = match done.action {
        livestall::store::OrderAction::Cancelled => {
            format!("cancelled ({} x{} back in stock)", done.sku, done.qty)
        }
        _ => format!("{} x{}", done.sku, done.qty),
    };
    println!("order {order_id}: {what}; {} left", done.stock_left);
    Ok(())
}

/// The database for a helper's change (stock, an order): `--db` alone is enough, and products
/// are not brought in line with the config (nothing is taken from it but
/// `[store] path` when there is no `--db`). Never created.
fn open_for_change(config_path: Option<&Path>, db: Option<&Path>) -> anyhow::Result<Store> {
    let path = db_path(config_path, db)?;
    // Checked read-only first: opening to write would migrate an empty or
    // foreign file into a livestall database.
    Reader::open(&path)?;
    let options = StoreOptions {
        create: false,
        seed: false,
        ..StoreOptions::default()
    };
    let (store, _) = Store::open_with(&path, &livestall::catalog::Catalog::new(vec![]), &options)?;
    Ok(store)
}

/// `--db` replaces `[store] path`: the chat record's default folder
/// (`sessions/` beside the database) follows it.
fn with_db(mut config: Config, db: Option<&Path>) -> Config {
    if let Some(db) = db {
        config.store_path = db.to_path_buf();
    }
    config
}

/// A recording `livestall replay` cannot open, in one line in the run's language.
fn unreadable_recording(file: &Path, error: &std::io::Error) -> String {
    let file = file.display();
    match (language(), error.kind()) {
        (config::Language::Zh, std::io::ErrorKind::NotFound) => {
            format!("找不到录制文件 {file}")
        }
        (config::Language::Zh, std::io::ErrorKind::PermissionDenied) => {
            format!("没有权限读录制文件 {file}")
        }
        (config::Language::Zh, std::io::ErrorKind::IsADirectory) => {
            format!("{file} 是文件夹，不是录制文件")
        }
        (config::Language::Zh, _) => format!("读不了录制文件 {file}"),
        (config::Language::En, _) => format!("cannot read the recording {file}: {error}"),
    }
}

/// The log goes beside the database, never to the screen.
fn log_path_beside(config: &Config, db: Option<&Path>) -> PathBuf {
    db.map(Path::to_path_buf)
        .unwrap_or_else(|| config.store_path.clone())
        .with_extension("log")
}
