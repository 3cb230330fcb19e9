//! A broken config gets an error naming the file, the line and the key, and
//! saying what would be right; never a panic.

use livestall::config::{self, ConfigError, Language};
use std::path::Path;

const GOOD: &str = r#"
[shop]
name = "测试合作社"
language = "en"

[source]
kind = "json"
url = "ws://127.0.0.1:9/chat"

[[products]]
sku = "A"
name = "小米"
aliases = ["米"]
link = 1
unit = "袋"
price = 39.9
stock = 10

[[products]]
sku = "B"
name = "核桃"
link = 2
price = 35
stock = 0
limit_per_buyer = 2
"#;

fn load_text(text: &str) -> Result<config::Config, ConfigError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shop.toml");
    std::fs::write(&path, text).unwrap();
    config::load(&path)
}

fn line_of(text: &str, needle: &str) -> usize {
    let at = text.find(needle).expect("needle in text");
    text[..at].matches('\n').count() + 1
}

#[test]
fn good_config_loads_with_defaults() {
    let c = load_text(GOOD).unwrap();
    assert_eq!(c.shop.language, Language::En);
    assert_eq!(c.catalog.len(), 2);
    let a = &c.catalog.products[0];
    assert_eq!((a.price_fen, a.stock, a.link), (3990, 10, 1));
    let b = &c.catalog.products[1];
    assert_eq!(b.price_fen, 3500);
    assert_eq!(b.limit_per_buyer, Some(2));
    assert!(!b.unit.is_empty(), "unit defaults to something sayable");
    let src = c.source.unwrap();
    assert_eq!(src.fields.text, "/text");
    assert!(c.store_path.ends_with("livestall.db"));
    assert!(
        c.store_path.is_absolute() || c.store_path.starts_with(c.path.unwrap().parent().unwrap())
    );
}

#[test]
fn duplicate_sku_names_line_and_key() {
    let text = GOOD.replace("sku = \"B\"", "sku = \"A\"");
    let e = load_text(&text).unwrap_err();
    assert_eq!(e.key, "products[2].sku");
    assert_eq!(
        e.line,
        Some(
            text.rfind("sku = \"A\"")
                .map(|at| text[..at].matches('\n').count() + 1)
                .unwrap()
        )
    );
    assert!(e.message.contains("duplicate sku"), "{e}");
    assert!(e.file.ends_with("shop.toml"));
    let shown = e.to_string();
    assert!(
        shown.contains("shop.toml:") && shown.contains("products[2].sku"),
        "{shown}"
    );
}

#[test]
fn duplicate_link_is_refused() {
    let text = GOOD.replace("link = 2", "link = 1");
    let e = load_text(&text).unwrap_err();
    assert_eq!(e.key, "products[2].link");
    assert_eq!(e.line, Some(line_of(&text, "link = 1\nprice = 35")));
    assert!(e.message.contains("duplicate link 1"), "{e}");
}

#[test]
fn negative_stock_is_refused() {
    let text = GOOD.replace("stock = 0", "stock = -5");
    let e = load_text(&text).unwrap_err();
    assert_eq!(e.key, "products[2].stock");
    assert_eq!(e.line, Some(line_of(&text, "stock = -5")));
    assert!(e.message.contains("negative"), "{e}");
}

#[test]
fn unknown_source_kind_lists_the_kinds() {
    let text = GOOD.replace("kind = \"json\"", "kind = \"douyin\"");
    let e = load_text(&text).unwrap_err();
    assert_eq!(e.key, "source.kind");
    assert_eq!(e.line, Some(line_of(&text, "kind = \"douyin\"")));
    assert!(e.message.contains("\"json\""), "{e}");
}

#[test]
fn missing_field_names_the_product_and_field() {
    let text = GOOD.replace("price = 35\n", "");
    let e = load_text(&text).unwrap_err();
    assert!(e.message.contains("missing field `price`"), "{e}");
    assert!(e.key.starts_with("products[2]"), "{e}");
    assert!(e.line.is_some(), "{e}");
}

#[test]
fn wrong_type_names_the_key() {
    let text = GOOD.replace("stock = 10", "stock = \"ten\"");
    let e = load_text(&text).unwrap_err();
    assert_eq!(e.key, "products[1].stock", "{e}");
    assert_eq!(e.line, Some(line_of(&text, "stock = \"ten\"")));
}

#[test]
fn misspelt_key_is_named() {
    let text = GOOD.replace("aliases = [\"米\"]", "alias = [\"米\"]");
    let e = load_text(&text).unwrap_err();
    assert!(e.message.contains("unknown field `alias`"), "{e}");
    assert_eq!(e.line, Some(line_of(&text, "alias = ")));
}

#[test]
fn toml_syntax_error_has_a_line() {
    let text = GOOD.replace("name = \"核桃\"", "name = \"核桃");
    let e = load_text(&text).unwrap_err();
    assert!(e.line.is_some(), "{e}");
}

#[test]
fn price_with_three_decimals_is_refused() {
    let text = GOOD.replace("price = 39.9", "price = 39.999");
    let e = load_text(&text).unwrap_err();
    assert_eq!(e.key, "products[1].price");
}

#[test]
fn source_url_must_be_websocket() {
    let text = GOOD.replace("ws://127.0.0.1:9/chat", "http://example");
    let e = load_text(&text).unwrap_err();
    assert_eq!(e.key, "source.url");
}

#[test]
fn missing_file_is_named() {
    let e = config::load(Path::new("/nonexistent/livestall.toml")).unwrap_err();
    assert!(e.to_string().contains("/nonexistent/livestall.toml"));
}

#[test]
fn binary_reports_config_error_without_panic() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(&path, GOOD.replace("stock = 0", "stock = -1")).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_livestall"))
        .args(["--config", path.to_str().unwrap(), "inventory"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.toml:") && err.contains("products[2].stock"),
        "{err}"
    );
    assert!(
        !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
        "{err}"
    );
}

#[test]
fn shipped_config_toml_loads() {
    let c = config::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("config.toml")).unwrap();
    assert!(c.catalog.len() >= 6);
    assert!(c.source.is_some());
}
