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
        sources: vec![SourceConfig {
            name: "json".into(),
            kind: SourceKind::Json,
            url: "ws://127.0.0.1:9/".into(),
            fields: FieldMap::default(),
        }],
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
        record: Default::default(),
        coop: None,
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
    chat_from(0, id, user, text, received_at_ms)
}

/// A chat message from source `source` (the config's `source`-th).
pub fn chat_from(source: usize, id: &str, user: &str, text: &str, received_at_ms: i64) -> Msg {
    Msg::Chat {
        source,
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
        connected(),
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
    Msg::Source {
        source: 0,
        status: livestall::app::SourceStatus::Disconnected(livestall::chat::Outage {
            kind,
            url: "ws://127.0.0.1:9001/chat".into(),
            detail: "connect failed: IO error: Connection refused (os error 111)".into(),
            retry_in: Some(std::time::Duration::from_secs(3)),
            attempt: 1,
        }),
    }
}

/// The (first) source tells it is connected.
pub fn connected() -> Msg {
    Msg::Source {
        source: 0,
        status: livestall::app::SourceStatus::Connected,
    }
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

// ---------------------------------------------------------------------------
// Key strings (issue 9, item 10), in the style of gitu's
// `snapshot!(ctx, "jj<tab>")`: a script of keys as one string, fed to the
// model through `update`, and a snapshot named after what was pressed.
//
// Plain characters are typed as they are (`jj+/小米`); named keys go in
// angle brackets, with optional `c-` (Ctrl), `s-` (Shift) and `a-` (Alt)
// prefixes: `<enter>` `<esc>` `<tab>` `<s-tab>` `<bs>` `<del>` `<up>`
// `<down>` `<left>` `<right>` `<pgup>` `<pgdn>` `<home>` `<end>` `<space>`
// `<f1>`…`<f12>` `<c-c>`; `<lt>` types a `<`.
// ---------------------------------------------------------------------------

/// The key events a key string stands for, or why it cannot be read.
pub fn parse_keys(keys: &str) -> Result<Vec<KeyEvent>, String> {
    let mut out = Vec::new();
    let mut rest = keys;
    while let Some(c) = rest.chars().next() {
        if c != '<' {
            // As a terminal reports it: an upper-case letter carries Shift.
            let modifiers = if c.is_uppercase() {
                KeyModifiers::SHIFT
            } else {
                KeyModifiers::NONE
            };
            out.push(KeyEvent::new(KeyCode::Char(c), modifiers));
            rest = &rest[c.len_utf8()..];
            continue;
        }
        let close = rest
            .find('>')
            .ok_or_else(|| format!("unclosed '<' in {keys:?} (type a '<' as <lt>)"))?;
        out.push(named_key(&rest[1..close]).map_err(|e| format!("{e} in {keys:?}"))?);
        rest = &rest[close + 1..];
    }
    Ok(out)
}

/// One `<…>` of a key string, without its brackets.
fn named_key(name: &str) -> Result<KeyEvent, String> {
    let mut modifiers = KeyModifiers::NONE;
    let mut base = name;
    loop {
        let (prefix, flag) = match base.get(..2) {
            Some("c-") => ("c-", KeyModifiers::CONTROL),
            Some("s-") => ("s-", KeyModifiers::SHIFT),
            Some("a-") => ("a-", KeyModifiers::ALT),
            _ => break,
        };
        // "<c-->" is Ctrl and '-': a prefix needs something after it.
        if base.len() == prefix.len() {
            break;
        }
        modifiers |= flag;
        base = &base[prefix.len()..];
    }
    let code = match base {
        "enter" | "cr" => KeyCode::Enter,
        "esc" => KeyCode::Esc,
        // Shift-Tab is BackTab with Shift, as crossterm reports it.
        "tab" if modifiers.contains(KeyModifiers::SHIFT) => KeyCode::BackTab,
        "tab" => KeyCode::Tab,
        "backtab" => KeyCode::BackTab,
        "bs" | "backspace" => KeyCode::Backspace,
        "del" | "delete" => KeyCode::Delete,
        "up" => KeyCode::Up,
        "down" => KeyCode::Down,
        "left" => KeyCode::Left,
        "right" => KeyCode::Right,
        "pgup" | "pageup" => KeyCode::PageUp,
        "pgdn" | "pgdown" | "pagedown" => KeyCode::PageDown,
        "home" => KeyCode::Home,
        "end" => KeyCode::End,
        "space" => KeyCode::Char(' '),
        "lt" => KeyCode::Char('<'),
        _ => match base.strip_prefix('f').and_then(|n| n.parse::<u8>().ok()) {
            Some(n @ 1..=12) => KeyCode::F(n),
            _ => {
                let mut chars = base.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => KeyCode::Char(c),
                    _ => return Err(format!("unknown key <{name}>")),
                }
            }
        },
    };
    Ok(KeyEvent::new(code, modifiers))
}

/// Feeds a key string to the model through `update`, collecting every effect.
pub fn press(model: &mut Model, keys: &str) -> Vec<Effect> {
    let events = parse_keys(keys).unwrap_or_else(|e| panic!("{e}"));
    feed(model, events.into_iter().map(Msg::Key))
}

/// A file-name-safe spelling of a key string for snapshot names: letters
/// and digits kept, named keys by name, anything else by its code point.
pub fn key_slug(keys: &str) -> String {
    let mut out = String::new();
    let mut rest = keys;
    while let Some(c) = rest.chars().next() {
        if c == '<' {
            if let Some(close) = rest.find('>') {
                out.push_str(&format!("_{}_", rest[1..close].replace('-', "")));
                rest = &rest[close + 1..];
                continue;
            }
        }
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else {
            out.push_str(&format!("_{:x}_", u32::from(c)));
        }
        rest = &rest[c.len_utf8()..];
    }
    while out.contains("__") {
        out = out.replace("__", "_");
    }
    out.trim_matches('_').to_string()
}

/// A scenario for key scripts: a model, the screen size it is drawn at, and
/// every key pressed so far (snapshots are named after all of them, so two
/// snapshots of one scenario never share a name).
pub struct Ctx {
    pub scenario: &'static str,
    pub model: Model,
    pub size: (u16, u16),
    /// The slugs of the keys pressed and the messages applied so far.
    pub pressed: String,
}

impl Ctx {
    pub fn new(scenario: &'static str, model: Model, size: (u16, u16)) -> Ctx {
        Ctx {
            scenario,
            model,
            size,
            pressed: String::new(),
        }
    }

    /// Presses `keys` and returns the screen as text afterwards.
    pub fn press(&mut self, keys: &str) -> String {
        press(&mut self.model, keys);
        self.pressed.push('_');
        self.pressed.push_str(&key_slug(keys));
        self.screen()
    }

    /// Applies a message that is not a key (a store answer, say); `label`
    /// joins the snapshot names from here on.
    pub fn apply(&mut self, msg: Msg, label: &str) -> Vec<Effect> {
        self.pressed.push('_');
        self.pressed.push_str(&key_slug(label));
        update(&mut self.model, msg)
    }

    pub fn screen(&self) -> String {
        assert_rows_fit(&self.model, self.size.0, self.size.1);
        screen(&self.model, self.size.0, self.size.1)
    }

    /// `scenario_language_WxH_keys`.
    pub fn snapshot_name(&self) -> String {
        let language = match self.model.language {
            Language::Zh => "zh",
            Language::En => "en",
        };
        let keys = match self.pressed.trim_matches('_') {
            "" => "start".to_string(),
            slug => slug.to_string(),
        };
        format!(
            "{}_{language}_{}x{}_{keys}",
            self.scenario, self.size.0, self.size.1
        )
    }
}

/// Presses a key string on a `Ctx`, then snapshots the screen (insta, named
/// after the scenario, language, size and every key pressed so far) and
/// gives the screen back for assertions on the words that matter.
#[macro_export]
macro_rules! snapshot {
    ($ctx:expr, $keys:expr) => {{
        let ctx: &mut $crate::tui_support::Ctx = $ctx;
        let screen = ctx.press($keys);
        insta::assert_snapshot!(ctx.snapshot_name(), screen.clone());
        screen
    }};
}
