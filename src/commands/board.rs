//! `livestall board`: the broadcaster's board, full screen in a terminal of
//! its own. Owns following the database and the board's loop: twice a
//! second it asks the database whether anything was committed (by whoever
//! confirms: this machine's screen, another helper's, a headless run),
//! reads again only then, and draws `ui::board` from what it read. It opens
//! the database read-only (waiting, on a terminal, for a database no
//! helper's screen has made yet), writes nothing, creates no file, and logs
//! nowhere: the terminal is its only output. q, Esc or Ctrl-C end it, and so
//! does SIGTERM, with the terminal given back either way.

use crate::app::driver::stop_on_signal;
use crate::config::Language;
use crate::store::{ProductStock, Reader, RecentOrder, StockRow, StoreError};
use crate::ui::board::{BoardView, BuyerView, OnAirView, SaleView, MAX_BUYERS};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use futures_util::{Stream, StreamExt};
use ratatui::backend::Backend;
use ratatui::Terminal;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;
use tokio::sync::watch;

/// How often the board looks at the database: a confirm shows within this.
pub const POLL: Duration = Duration::from_millis(500);

/// What `livestall board` was given.
#[derive(Debug, Clone, PartialEq)]
pub struct BoardSettings {
    pub database: PathBuf,
    pub language: Language,
    /// The shop's name, when a config gave one.
    pub shop_name: Option<String>,
}

/// What the board read at its last successful look.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BoardData {
    /// Products in queue order with stock, sales and money taken.
    pub inventory: Vec<StockRow>,
    /// Products with their units (the inventory does not carry them).
    pub products: Vec<ProductStock>,
    /// The latest confirmed orders, newest first.
    pub recent: Vec<RecentOrder>,
    /// Confirmed orders in all.
    pub orders: u64,
    /// The product on air as the helpers' screens keep it in the database
    /// (`None` before any screen has put one on air).
    pub on_air: Option<String>,
}

/// How many of the latest orders the on-air guess weighs.
const ON_AIR_WINDOW: usize = 5;

/// The product the board shows as on air: the one the helpers' screens put
/// on air (kept in the database, `shop_state`). Before any screen has, the
/// board guesses from the orders: the product most of the latest five
/// confirmed orders are for (a tie goes to the one ordered last), or else
/// the first product in queue order. Not simply the latest order's product:
/// one viewer ordering another link would swap the whole board away from
/// what is being presented.
pub fn product_on_air(data: &BoardData) -> Option<&StockRow> {
    // The helpers' screens keep the product on air in the database: the
    // board shows what they put on air, whoever moved it.
    if let Some(row) = data
        .on_air
        .as_deref()
        .and_then(|sku| data.inventory.iter().find(|row| row.sku == sku))
    {
        return Some(row);
    }
    let window = &data.recent[..data.recent.len().min(ON_AIR_WINDOW)];
    let orders_of = |sku: &str| window.iter().filter(|o| o.sku == sku).count();
    // `recent` is newest first, so the first of the most ordered wins a tie.
    let mut best: Option<(&str, usize)> = None;
    for order in window {
        let count = orders_of(&order.sku);
        if best.is_none_or(|(_, most)| count > most) {
            best = Some((&order.sku, count));
        }
    }
    let most_ordered = best.and_then(|(sku, _)| data.inventory.iter().find(|row| row.sku == sku));
    most_ordered.or_else(|| {
        data.inventory
            .iter()
            .find(|row| !row.retired)
            .or(data.inventory.first())
    })
}

/// One database, followed read-only.
pub struct BoardFeed {
    reader: Reader,
    data: BoardData,
    /// Why the last look failed; the data is the look before it.
    trouble: Option<StoreError>,
}

impl BoardFeed {
    /// Opens the database read-only and reads it once. A missing file, one
    /// that is not a livestall database, or one it cannot read is an error
    /// naming the file.
    pub fn open(path: &std::path::Path) -> Result<BoardFeed, StoreError> {
        let mut feed = BoardFeed {
            reader: Reader::open(path)?,
            data: BoardData::default(),
            trouble: None,
        };
        feed.poll();
        match feed.trouble.take() {
            Some(error) => Err(error),
            None => Ok(feed),
        }
    }

    /// Looks at the database and reads it again if anything was committed
    /// since the last look (or the last look failed). Answers whether the
    /// data changed. A failure keeps the data and is told by `trouble`.
    pub fn poll(&mut self) -> bool {
        let changed = match self.reader.changed() {
            Ok(changed) => changed,
            Err(error) => {
                self.trouble = Some(error);
                return false;
            }
        };
        if !changed && self.trouble.is_none() {
            return false;
        }
        match self.reader.consistent(read) {
            Ok(data) => {
                self.trouble = None;
                let news = data != self.data;
                self.data = data;
                news
            }
            Err(error) => {
                self.trouble = Some(error);
                false
            }
        }
    }

    pub fn data(&self) -> &BoardData {
        &self.data
    }

    pub fn trouble(&self) -> Option<&StoreError> {
        self.trouble.as_ref()
    }

    /// The board as of `now_ms`.
    pub fn view(&self, settings: &BoardSettings, now_ms: i64, utc_offset_secs: i32) -> BoardView {
        board_view(
            &self.data,
            settings,
            now_ms,
            utc_offset_secs,
            self.trouble.is_some(),
        )
    }
}

/// Everything the board shows, in one read transaction.
fn read(reader: &Reader) -> Result<BoardData, StoreError> {
    Ok(BoardData {
        inventory: reader.inventory()?,
        products: reader.products()?,
        recent: reader.recent_orders(MAX_BUYERS)?,
        orders: reader.order_count()?,
        on_air: reader.on_air()?,
    })
}

/// The board's plain view of `data`.
pub fn board_view(
    data: &BoardData,
    settings: &BoardSettings,
    now_ms: i64,
    utc_offset_secs: i32,
    unreadable: bool,
) -> BoardView {
    let on_air = product_on_air(data).map(|row| OnAirView {
        link: row.link,
        name: row.name.clone(),
        unit: data
            .products
            .iter()
            .find(|p| p.sku == row.sku)
            .map(|p| p.unit.clone())
            .unwrap_or_default(),
        price_fen: row.price_fen,
        stock: row.stock,
        sale: row.sale.as_ref().map(|sale| SaleView {
            price_fen: sale.price_fen,
            left: sale.left(),
            ends_at_ms: sale.ends_at_ms,
        }),
    });
    BoardView {
        language: settings.language,
        shop_name: settings.shop_name.clone(),
        now_ms,
        utc_offset_secs,
        on_air,
        buyers: data
            .recent
            .iter()
            .map(|order| BuyerView {
                user: order.user.clone(),
                product: order.name.clone(),
                qty: order.qty,
                at_ms: Some(order.confirmed_at_ms),
            })
            .collect(),
        orders: data.orders,
        revenue_fen: data.inventory.iter().map(|row| row.revenue_fen).sum(),
        unreadable,
    }
}

/// Runs the board on this terminal until q, Esc, Ctrl-C or SIGTERM.
pub async fn run(settings: BoardSettings) -> anyhow::Result<()> {
    // The database first: a wrong --db is said plainly, before the screen
    // changes. Only a file not made yet is waited for, on a terminal: the
    // broadcaster may open the board before a helper starts the shop.
    let feed = match BoardFeed::open(&settings.database) {
        Ok(feed) => Some(feed),
        Err(_) if !settings.database.exists() && std::io::stdout().is_terminal() => None,
        Err(error) => return Err(error.into()),
    };
    if !std::io::stdout().is_terminal() {
        anyhow::bail!("the board draws on a terminal; run `livestall board` in a terminal window");
    }
    let mut terminal = full_screen()?;
    let mut keys = crossterm::event::EventStream::new();
    let stop = stop_on_signal(crate::app::driver::StopSignals::Terminal);
    let result = async {
        let mut feed = match feed {
            Some(feed) => feed,
            None => {
                match wait_for_database(&mut terminal, &settings, &mut keys, stop.clone(), POLL)
                    .await?
                {
                    Some(feed) => feed,
                    None => return Ok(()),
                }
            }
        };
        follow(&mut terminal, &mut feed, &settings, keys, stop, POLL).await
    }
    .await;
    ratatui::restore();
    result
}

/// The terminal taken for a full-screen view (the board, the hub); given
/// back with `ratatui::restore`.
pub(crate) fn full_screen() -> anyhow::Result<ratatui::DefaultTerminal> {
    ratatui::try_init().map_err(|error| {
        // Setup may have stopped half way (raw mode on, no alternate screen).
        ratatui::restore();
        anyhow::Error::new(error).context("cannot set up the terminal")
    })
}

/// The board before the shop's database exists: says what it waits for and
/// looks for the file every `every`; the feed once it opens, `None` when
/// the board was quit first. A file that appears but is not a livestall
/// database (or not yet a whole one) is looked at again, never written.
pub async fn wait_for_database<B, K>(
    terminal: &mut Terminal<B>,
    settings: &BoardSettings,
    keys: &mut K,
    stop: watch::Receiver<bool>,
    every: Duration,
) -> anyhow::Result<Option<BoardFeed>>
where
    B: Backend,
    B::Error: Send + Sync + 'static,
    K: Stream<Item = std::io::Result<Event>> + Unpin,
{
    // The whole path: "shop.db" alone does not say which folder is watched.
    let path = std::path::absolute(&settings.database)
        .unwrap_or_else(|_| settings.database.clone())
        .display()
        .to_string();
    beat(keys, stop, every, |_| {
        if settings.database.exists() {
            if let Ok(feed) = BoardFeed::open(&settings.database) {
                return Ok(Some(feed));
            }
        }
        terminal.draw(|frame| crate::ui::board::render_waiting(settings.language, &path, frame))?;
        Ok(None)
    })
    .await
}

/// Why the board's loop woke.
pub(crate) enum Beat {
    Tick,
    Resize,
}

/// The board's one loop: calls `on` every `every` and on a resize until it
/// answers `Some`, which `beat` returns; `None` on a quitting key, when
/// `stop` turns true or its sender goes.
pub(crate) async fn beat<K, T>(
    keys: &mut K,
    mut stop: watch::Receiver<bool>,
    every: Duration,
    mut on: impl FnMut(Beat) -> anyhow::Result<Option<T>>,
) -> anyhow::Result<Option<T>>
where
    K: Stream<Item = std::io::Result<Event>> + Unpin,
{
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut keys_open = true;
    loop {
        let woke = tokio::select! {
            biased;
            changed = stop.changed() => {
                if changed.is_err() || *stop.borrow() {
                    return Ok(None);
                }
                continue;
            }
            key = keys.next(), if keys_open => match key {
                Some(Ok(Event::Key(key))) if quits(&key) => return Ok(None),
                Some(Ok(Event::Resize(..))) => Beat::Resize,
                Some(Ok(_)) => continue,
                Some(Err(error)) => return Err(error.into()),
                None => {
                    keys_open = false;
                    continue;
                }
            },
            _ = ticks.tick() => Beat::Tick,
        };
        if let Some(done) = on(woke)? {
            return Ok(Some(done));
        }
    }
}

/// The board's loop on any terminal (tests give a TestBackend): looks at
/// the database every `every` and draws (the clock and a sale's countdown
/// move even when nothing else does); ends on a quitting key, when `stop`
/// turns true or its sender goes.
pub async fn follow<B, K>(
    terminal: &mut Terminal<B>,
    feed: &mut BoardFeed,
    settings: &BoardSettings,
    mut keys: K,
    stop: watch::Receiver<bool>,
    every: Duration,
) -> anyhow::Result<()>
where
    B: Backend,
    B::Error: Send + Sync + 'static,
    K: Stream<Item = std::io::Result<Event>> + Unpin,
{
    beat(&mut keys, stop, every, |woke| {
        if let Beat::Tick = woke {
            feed.poll();
        }
        draw(terminal, feed, settings)?;
        Ok(None::<()>)
    })
    .await?;
    Ok(())
}

fn draw<B>(
    terminal: &mut Terminal<B>,
    feed: &BoardFeed,
    settings: &BoardSettings,
) -> anyhow::Result<()>
where
    B: Backend,
    B::Error: Send + Sync + 'static,
{
    let offset = chrono::Local::now().offset().local_minus_utc();
    let view = feed.view(settings, crate::clock::now_ms(), offset);
    terminal.draw(|frame| crate::ui::board::render(&view, frame))?;
    Ok(())
}

/// q, Esc and Ctrl-C end the board (it needs no other key).
pub(crate) fn quits(key: &KeyEvent) -> bool {
    key.kind == KeyEventKind::Press
        && match key.code {
            KeyCode::Char('q') | KeyCode::Char('Q') | KeyCode::Esc => true,
            KeyCode::Char('c') => key.modifiers.contains(KeyModifiers::CONTROL),
            _ => false,
        }
}
