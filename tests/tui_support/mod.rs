//! Shared fixtures for the TUI tests: a small shop, message builders, and the
//! screen rendered on ratatui's TestBackend as plain text.

#![allow(dead_code)] // each test file uses a different part of the fixture

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use livestall::app::{update, Effect, Model, Msg, StoreReply};
use livestall::catalog::{Catalog, Product};
use livestall::chat::ChatMessage;
use livestall::config::{Config, FieldMap, Language, ShopConfig, SourceConfig, SourceKind};
use livestall::intent::{Intent, IntentKind};
use livestall::store::{Confirmed, IntentKey, OrderAction};
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::Terminal;
use std::path::PathBuf;
use unicode_width::UnicodeWidthStr;

fn product(sku: &str, name: &str, link: u32, unit: &str, price_fen: i64, stock: i64) -> Product {
    Product {
        sku: sku.into(),
        name: name.into(),
        aliases: Vec::new(),
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
        },
        source: Some(SourceConfig {
            kind: SourceKind::Json,
            url: "ws://127.0.0.1:9/".into(),
            fields: FieldMap::default(),
        }),
        store_path: PathBuf::from("livestall.db"),
        catalog: Catalog::new(vec![
            product("millet-5jin", "武乡小米", 1, "袋", 3990, 300),
            product("gift-box", "小米礼盒", 2, "盒", 8800, 50),
            product("crackers", "小米锅巴", 3, "包", 1280, 500),
            product("apricot", "武乡杏干", 6, "袋", 2500, 0),
            product("walnut", "薄皮核桃", 7, "袋", 4500, 120),
        ]),
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

/// An intent as the engine would give it, with its evidence found in `text`.
pub fn order(product: usize, qty: u32, confidence: f32, text: &str, evidence: &[&str]) -> Intent {
    Intent {
        kind: IntentKind::Order,
        product: Some(product),
        qty: Some(qty),
        confidence,
        evidence: evidence
            .iter()
            .filter_map(|w| text.find(w).map(|start| start..start + w.len()))
            .collect(),
    }
}

pub fn chat(id: &str, user: &str, text: &str, intents: Vec<Intent>, received_at_ms: i64) -> Msg {
    Msg::Chat(
        ChatMessage {
            id: id.into(),
            user: user.into(),
            user_id: None,
            text: text.into(),
            ts: None,
        },
        intents,
        received_at_ms,
    )
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
    Msg::Store(StoreReply::Confirmed(
        intent_key(msg_id, 0),
        Confirmed {
            action: OrderAction::Created,
            order_id,
            sku: sku.into(),
            qty,
            user: user.into(),
            stock_left,
            sold,
        },
    ))
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
        chat("m0", "山西老乡", "主播好！🎉", vec![], at(14, 31, 58)),
        chat(
            "m1",
            "李姐",
            t1,
            vec![order(0, 2, 0.96, t1, &["小米", "两袋"])],
            at(14, 31, 59),
        ),
        chat("m2", "阿强", "包邮吗", vec![], at(14, 32, 0)),
        chat(
            "m3",
            "Tom",
            t3,
            vec![order(4, 2, 0.91, t3, &["2 bags", "walnuts"])],
            at(14, 32, 1),
        ),
        chat(
            "m4",
            "北京吃货小王子",
            t4,
            vec![order(3, 1, 0.97, t4, &["6号链接", "拍一个"])],
            at(14, 32, 2),
        ),
        chat(
            "m5",
            "兰兰",
            t5,
            vec![order(0, 1, 0.52, t5, &["扣1"])],
            at(14, 32, 3),
        ),
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
