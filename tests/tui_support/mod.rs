//! Shared fixtures for the TUI tests: a small shop, message builders, and the
//! screen rendered on ratatui's TestBackend as plain text.

#![allow(dead_code)] // each test file uses a different part of the fixture

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use livestall::app::{Effect, Event, Model, Msg};
use livestall::catalog::{Catalog, Product};
use livestall::chat::ChatMessage;
use livestall::config::{Config, FieldMap, Language, ShopConfig, SourceConfig, SourceKind};
use livestall::intent::Engine;
use livestall::store::{Confirmed, IntentKey, OrderAction, StoreEvent, StoreJob};
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::Terminal;
use std::path::PathBuf;
use unicode_width::UnicodeWidthStr;

fn product(
    sku: &str,
    name: &str,
    aliases: &[&str],
    link: u32,
    unit: &str,
    price_fen: i64,
    stock: i64,
) -> Product {
    Product {
        sku: sku.into(),
        name: name.into(),
        aliases: aliases.iter().map(|a| a.to_string()).collect(),
        link,
        unit: unit.into(),
        price_fen,
        stock,
        limit_per_buyer: None,
    }
}

pub fn config(language: Language) -> Config {
    Config {
        path: None,
        shop: ShopConfig {
            name: "武乡小米合作社".into(),
            language,
            bell: false,
        },
        source: Some(SourceConfig {
            kind: SourceKind::Json,
            url: "ws://127.0.0.1:9/".into(),
            fields: FieldMap::default(),
        }),
        store_path: PathBuf::from("livestall.db"),
        catalog: Catalog::new(vec![
            // Aliases as a shop writes them (see config.toml).
            product(
                "millet-5jin",
                "武乡小米",
                &["小米", "millet"],
                1,
                "袋",
                3990,
                300,
            ),
            product(
                "gift-box",
                "小米礼盒",
                &["礼盒", "gift box"],
                2,
                "盒",
                8800,
                50,
            ),
            product(
                "crackers",
                "小米锅巴",
                &["锅巴", "crackers"],
                3,
                "包",
                1280,
                500,
            ),
            product(
                "apricot",
                "武乡杏干",
                &["杏干", "apricots"],
                6,
                "袋",
                2500,
                0,
            ),
            product(
                "walnut",
                "薄皮核桃",
                &["核桃", "walnuts"],
                7,
                "袋",
                4500,
                120,
            ),
        ]),
        keymap: livestall::app::Keymap::default(),
    }
}

pub fn model(language: Language) -> Model {
    Model::new(&config(language), "小王")
}

/// Unix ms for a time of day (UTC), so clocks on screen are fixed.
pub fn at(h: i64, m: i64, s: i64) -> i64 {
    ((h * 60 + m) * 60 + s) * 1000
}

pub fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

pub fn ch(c: char) -> Msg {
    key(KeyCode::Char(c))
}

thread_local! {
    /// The real engine on the fixture's catalog (both languages share it).
    static ENGINE: Engine = Engine::new(&config(Language::Zh).catalog);
}

/// The core's `update`, reading chat with the real engine.
pub fn update(model: &mut Model, msg: Msg) -> Vec<Effect> {
    ENGINE.with(|engine| livestall::app::update(model, engine, msg))
}

/// `update` with an engine of the caller's (a failing one, say).
pub fn update_with(model: &mut Model, engine: &Engine, msg: Msg) -> Vec<Effect> {
    livestall::app::update(model, engine, msg)
}

/// The store jobs among `effects`, in order.
pub fn jobs(effects: &[Effect]) -> Vec<&StoreJob> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Store(job) => Some(job),
            _ => None,
        })
        .collect()
}

/// The events among `effects`, in order.
pub fn published(effects: &[Effect]) -> Vec<&Event> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Publish(event) => Some(event),
            _ => None,
        })
        .collect()
}

pub fn chat(id: &str, user: &str, text: &str, received_at_ms: i64) -> Msg {
    Msg::Chat {
        message: ChatMessage {
            id: id.into(),
            user: user.into(),
            user_id: None,
            text: text.into(),
            ts: None,
        },
        received_at_ms,
    }
}

pub fn intent_key(msg_id: &str, index: u32) -> IntentKey {
    IntentKey {
        msg_id: msg_id.into(),
        index,
    }
}

pub fn confirmed(
    msg_id: &str,
    order_id: i64,
    sku: &str,
    qty: u32,
    user: &str,
    stock_left: i64,
    sold: i64,
) -> Msg {
    Msg::Store(StoreEvent::Confirmed(
        intent_key(msg_id, 0),
        Confirmed {
            action: OrderAction::Created,
            order_id,
            sku: sku.into(),
            qty,
            before_qty: None,
            user: user.into(),
            stock_left,
            sold,
            // At the test shop's price (no flash sale in these scripts).
            unit_price_fen: price_of(sku),
            revenue_fen: price_of(sku) * sold,
        },
    ))
}

fn price_of(sku: &str) -> i64 {
    config(Language::Zh)
        .catalog
        .by_sku(sku)
        .map_or(0, |p| p.price_fen)
}

/// Runs messages through `update`, collecting every effect.
pub fn feed(model: &mut Model, msgs: impl IntoIterator<Item = Msg>) -> Vec<Effect> {
    msgs.into_iter().flat_map(|m| update(model, m)).collect()
}

/// A lively stream: a few orders among questions and noise, connected, ticked.
pub fn busy_stream(model: &mut Model) {
    let t1 = "小米来两袋";
    let t3 = "2 bags of walnuts please";
    let t4 = "6号链接拍一个";
    let t5 = "扣1";
    let msgs = vec![
        Msg::Source(livestall::app::SourceStatus::Connected),
        chat("m0", "山西老乡", "主播好！🎉", at(14, 31, 58)),
        chat("m1", "李姐", t1, at(14, 31, 59)),
        chat("m2", "阿强", "包邮吗", at(14, 32, 0)),
        chat("m3", "Tom", t3, at(14, 32, 1)),
        chat("m4", "北京吃货小王子", t4, at(14, 32, 2)),
        chat("m5", "兰兰", t5, at(14, 32, 3)),
        Msg::Tick(at(14, 32, 5)),
    ];
    feed(model, msgs);
}

/// The model drawn on a `width` x `height` TestBackend.
pub fn draw(model: &Model, width: u16, height: u16) -> Buffer {
    // TestBackend cannot fail: its error type is uninhabited.
    let mut terminal = match Terminal::new(TestBackend::new(width, height)) {
        Ok(terminal) => terminal,
        Err(never) => match never {},
    };
    if let Err(never) = terminal.draw(|frame| livestall::ui::render(model, frame)) {
        match never {}
    }
    terminal.backend().buffer().clone()
}

/// The screen as text: one line a row, cells hidden under wide characters
/// left out, trailing spaces trimmed.
pub fn screen(model: &Model, width: u16, height: u16) -> String {
    let buffer = draw(model, width, height);
    let mut out = String::new();
    for row in buffer.content.chunks(usize::from(width)) {
        let mut line = String::new();
        let mut hidden = 0usize;
        for cell in row {
            if hidden > 0 {
                hidden -= 1;
                continue;
            }
            let symbol = cell.symbol();
            line.push_str(symbol);
            hidden = symbol.width().saturating_sub(1);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Every row of the screen is exactly `width` columns wide (nothing spills or
/// falls short because of wide characters).
pub fn assert_rows_fit(model: &Model, width: u16, height: u16) {
    let buffer = draw(model, width, height);
    for (y, row) in buffer.content.chunks(usize::from(width)).enumerate() {
        let mut columns = 0usize;
        let mut hidden = 0usize;
        for cell in row {
            if hidden > 0 {
                hidden -= 1;
                continue;
            }
            let w = cell.symbol().width().max(1);
            columns += w;
            hidden = w - 1;
        }
        assert_eq!(
            columns,
            usize::from(width),
            "row {y} is {columns} columns wide"
        );
    }
}

/// The source tells it is not connected, for `kind`, on the fixture's
/// url, retrying in 3 s.
pub fn source_down(kind: livestall::chat::OutageKind) -> Msg {
    Msg::Source(livestall::app::SourceStatus::Disconnected(
        livestall::chat::Outage {
            kind,
            url: "ws://127.0.0.1:9001/chat".into(),
            detail: "connect failed: IO error: Connection refused (os error 111)".into(),
            retry_in: Some(std::time::Duration::from_secs(3)),
        },
    ))
}

// ---- The order book's views (orders, waitlist, board): fixtures. ----

/// The store's row for a fixture product with `stock` left and `sold` sold.
pub fn stock_row(sku: &str, stock: i64, sold: i64) -> livestall::store::StockRow {
    let config = config(Language::Zh);
    let p = config.catalog.by_sku(sku).expect("a fixture product");
    livestall::store::StockRow {
        sku: sku.into(),
        name: p.name.clone(),
        link: p.link,
        price_fen: p.price_fen,
        stock,
        sold,
        revenue_fen: p.price_fen * sold,
        retired: false,
        sale: None,
    }
}

/// Three apricot orders (sold out) put on the waitlist by the store in
/// arrival order (兰兰 ×2, 阿强 ×1, 抖音用户2958316704 ×3), then one apricot
/// restocked: the first does not fit and keeps its place, the second is
/// offered, the third waits. Ticked at 14:40.
pub fn waitlisted_shop(model: &mut Model) {
    let orders = [
        ("w1", "兰兰", "杏干来两袋", at(14, 35, 1)),
        ("w2", "阿强", "杏干一袋", at(14, 35, 9)),
        ("w3", "抖音用户2958316704", "杏干三袋", at(14, 36, 30)),
    ];
    for (place, (id, user, text, when)) in orders.into_iter().enumerate() {
        feed(model, [chat(id, user, text, when)]);
        update(
            model,
            Msg::Store(StoreEvent::Refused(
                intent_key(id, 0),
                livestall::store::Refusal::Waitlisted {
                    place: place as u32 + 1,
                    left: 0,
                },
            )),
        );
    }
    update(
        model,
        Msg::Store(StoreEvent::Inventory(vec![stock_row("apricot", 1, 150)])),
    );
    update(model, Msg::Tick(at(14, 40, 0)));
}

/// What the store would answer for the orders view at `now_ms`: a lively
/// half hour ending in the minute of `now_ms`, and four buyers.
pub fn orders_summary(now_ms: i64) -> Msg {
    let since_ms = livestall::app::update::window_start(now_ms);
    let per_minute: Vec<u32> = (0..livestall::app::update::SALES_MINUTES)
        .map(|m| [0, 1, 3, 2, 5, 8, 4, 2, 0, 6][m as usize % 10])
        .collect();
    let buyer = |buyer: &str, user: &str, orders: u64, units: i64, total_fen: i64| {
        livestall::store::BuyerTotal {
            buyer: buyer.into(),
            user: user.into(),
            orders,
            units,
            total_fen,
        }
    };
    Msg::Store(StoreEvent::OrdersSummary(Ok(
        livestall::store::OrdersSummary {
            since_ms,
            orders: 126,
            units: 301,
            revenue_fen: 421_560,
            buyer_count: 4,
            buyers: vec![
                buyer("name:北京吃货小王子", "北京吃货小王子", 5, 12, 47_880),
                buyer("id:u1", "李姐", 3, 6, 23_940),
                buyer("name:Tom", "Tom\u{202e}evil", 1, 2, 9_000),
                buyer("id:d2958316704", "抖音用户2958316704", 1, 1, 3_990),
            ],
            per_minute,
        },
    )))
}

/// The shop after a few confirmed orders: the busy stream, 李姐's and
/// Tom's orders confirmed (stock and sales follow), ticked at 14:32:06.
pub fn shop_with_orders(model: &mut Model) {
    busy_stream(model);
    feed(
        model,
        [
            confirmed("m1", 125, "millet-5jin", 2, "李姐", 298, 88),
            confirmed("m3", 126, "walnut", 2, "Tom", 118, 2),
            Msg::Store(StoreEvent::Inventory(vec![
                stock_row("gift-box", 50, 0),
                stock_row("crackers", 498, 2),
                stock_row("apricot", 0, 150),
            ])),
            Msg::Tick(at(14, 32, 6)),
        ],
    );
}
