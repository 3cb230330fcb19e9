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
    let src = c.sources.into_iter().next().unwrap();
    assert_eq!(src.fields.text, ["/text"]);
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
    assert_eq!(c.sources.len(), 1);
}

/// `GOOD` with no `language` line: the locale decides the errors' language.
fn good_without_language() -> String {
    GOOD.replace("language = \"en\"\n", "")
}

fn parse_in(text: &str, locale: &str) -> ConfigError {
    config::parse_with_locale(text, "shop.toml", Path::new("/tmp"), Some(locale)).unwrap_err()
}

#[test]
fn a_chinese_config_is_told_its_mistakes_in_chinese_with_file_line_and_key() {
    let text = GOOD
        .replace("language = \"en\"", "language = \"zh\"")
        .replace("sku = \"B\"", "sku = \"A\"");
    // The file's language wins over an English machine.
    let e = parse_in(&text, "en_US.UTF-8");
    assert_eq!(e.language, Language::Zh);
    let line = text
        .rfind("sku = \"A\"")
        .map(|at| text[..at].matches('\n').count() + 1)
        .unwrap();
    assert_eq!(
        e.to_string(),
        format!(
            "shop.toml 第 {line} 行 products[2].sku：sku \"A\" 重复了（第 {} 行已用过）；每个商品要有自己的 sku",
            line_of(&text, "sku = \"A\"")
        )
    );
    // The English words are kept for English screens and for tests.
    assert!(e.message.contains("duplicate sku"), "{e:?}");
}

#[test]
fn without_a_language_in_the_file_the_locale_decides() {
    let text = good_without_language().replace("stock = 0", "stock = -5");
    let zh = parse_in(&text, "zh_CN.UTF-8");
    assert!(zh.to_string().contains("库存 -5 是负数"), "{zh}");
    let en = parse_in(&text, "en_US.UTF-8");
    assert!(en.to_string().contains("stock -5 is negative"), "{en}");
    assert!(en.to_string().starts_with("shop.toml:"), "{en}");
}

#[test]
fn serde_and_toml_mistakes_are_worded_in_chinese() {
    let zh = |text: String| parse_in(&text, "zh_CN.UTF-8").to_string();
    let base = good_without_language();
    let missing = zh(base.replace("price = 35\n", ""));
    assert!(missing.contains("缺少 `price`"), "{missing}");
    let unknown = zh(base.replace("aliases = [\"米\"]", "alias = [\"米\"]"));
    assert!(unknown.contains("不认识的键 `alias`"), "{unknown}");
    let wrong_type = zh(base.replace("stock = 10", "stock = \"ten\""));
    assert!(
        wrong_type.contains("products[1].stock") && wrong_type.contains("应该是整数"),
        "{wrong_type}"
    );
    let syntax = zh(base.replace("name = \"核桃\"", "name = \"核桃"));
    assert!(
        syntax.contains(" 行 ") && syntax.contains("TOML 格式有误"),
        "{syntax}"
    );
}

/// A file whose TOML does not parse still gets its mistake in the
/// language it asks for: `[shop] language` is read line by line then.
#[test]
fn a_broken_file_still_gets_its_own_language() {
    let text = GOOD.replace("name = \"核桃\"", "name = \"核桃");
    let e = parse_in(&text, "zh_CN.UTF-8");
    assert_eq!(e.language, Language::En, "{e}");
    let text = GOOD
        .replace("language = \"en\"", "language = 'zh'   # 中文")
        .replace("name = \"核桃\"", "name = \"核桃");
    let e = parse_in(&text, "en_US.UTF-8");
    assert_eq!(e.language, Language::Zh, "{e}");
}

#[test]
fn an_unknown_language_is_refused_in_the_locale_s_language() {
    let text = GOOD.replace("language = \"en\"", "language = \"fr\"");
    let e = parse_in(&text, "zh_CN.UTF-8");
    assert_eq!(e.key, "shop.language");
    assert!(e.to_string().contains("不认识的语言 \"fr\""), "{e}");
}

#[test]
fn the_binary_says_config_mistakes_in_the_locale_s_language() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(
        &path,
        good_without_language().replace("stock = 0", "stock = -1"),
    )
    .unwrap();
    for (locale, words) in [
        ("zh_CN.UTF-8", "库存 -1 是负数"),
        ("en_US.UTF-8", "stock -1 is negative"),
    ] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_livestall"))
            .args(["--config", path.to_str().unwrap(), "inventory"])
            .env("LANG", locale)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("bad.toml") && err.contains("products[2].stock") && err.contains(words),
            "{locale}: {err}"
        );
    }
}

/// `GOOD` with a `[keys]` table appended.
fn with_keys(keys: &str) -> String {
    format!("{}\n[keys]\n{keys}\n", good_without_language())
}

#[test]
fn keys_replace_the_defaults_of_the_actions_they_name() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use livestall::app::{Action, Mode};
    let text =
        with_keys("confirm = [\"a\", \"ctrl+y\"]\nreject = \"x\"\nquit = [\"Q\", \"ctrl+c\"]");
    let c =
        config::parse_with_locale(&text, "shop.toml", Path::new("/tmp"), Some("zh_CN")).unwrap();
    let on = |mode, code, modifiers| c.keymap.action(mode, &KeyEvent::new(code, modifiers));
    let none = KeyModifiers::NONE;
    assert_eq!(
        on(Mode::Inbox, KeyCode::Char('a'), none),
        Some(Action::Confirm)
    );
    assert_eq!(
        on(Mode::Ask, KeyCode::Char('y'), KeyModifiers::CONTROL),
        Some(Action::Confirm),
        "in every mode confirm is bound in"
    );
    assert_eq!(
        on(Mode::Inbox, KeyCode::Char('y'), none),
        None,
        "default gone"
    );
    assert_eq!(on(Mode::Inbox, KeyCode::Enter, none), None, "default gone");
    assert_eq!(
        on(Mode::Inbox, KeyCode::Char('x'), none),
        Some(Action::Reject)
    );
    assert_eq!(on(Mode::Inbox, KeyCode::Delete, none), None);
    assert_eq!(on(Mode::Cart, KeyCode::Char('Q'), none), Some(Action::Quit));
    assert_eq!(on(Mode::Cart, KeyCode::Char('q'), none), None);
    // Actions not named keep their defaults.
    assert_eq!(
        on(Mode::Inbox, KeyCode::Char('u'), none),
        Some(Action::Undo)
    );
    // Without [keys], the defaults.
    let plain = config::parse_with_locale(GOOD, "shop.toml", Path::new("/tmp"), None).unwrap();
    assert_eq!(plain.keymap, livestall::app::Keymap::default());
}

#[test]
fn an_unknown_action_in_keys_is_named_with_its_line_in_both_languages() {
    let text = with_keys("confirm = \"y\"\nconfrim = \"a\"");
    let line = line_of(&text, "confrim");
    let zh = parse_in(&text, "zh_CN.UTF-8");
    assert_eq!((zh.key.as_str(), zh.line), ("keys.confrim", Some(line)));
    assert!(
        zh.to_string().starts_with(&format!(
            "shop.toml 第 {line} 行 keys.confrim：不认识的操作 \"confrim\""
        )),
        "{zh}"
    );
    assert!(
        zh.to_string().contains("confirm"),
        "lists the actions: {zh}"
    );
    let en = parse_in(&text, "en_US.UTF-8");
    assert!(
        en.to_string().starts_with(&format!(
            "shop.toml:{line}: keys.confrim: unknown action \"confrim\""
        )),
        "{en}"
    );
}

#[test]
fn a_bad_key_name_is_named_with_its_line_in_both_languages() {
    let text = with_keys("quit = [\"q\", \"ctlr+c\"]");
    let line = line_of(&text, "quit =");
    let zh = parse_in(&text, "zh_CN.UTF-8");
    assert_eq!((zh.key.as_str(), zh.line), ("keys.quit", Some(line)));
    assert!(zh.to_string().contains("\"ctlr+c\" 不是按键"), "{zh}");
    let en = parse_in(&text, "en_US.UTF-8");
    assert!(en.to_string().contains("\"ctlr+c\" is not a key"), "{en}");
    let not_text = parse_in(&with_keys("quit = 3"), "en_US.UTF-8");
    assert_eq!(not_text.key, "keys.quit");
    assert!(not_text.message.contains("a key in quotes"), "{not_text}");
}

#[test]
fn two_actions_on_one_key_in_one_mode_are_refused_in_both_languages() {
    // n is reject's in the pending list.
    let text = with_keys("undo = \"z\"\nconfirm = [\"y\", \"n\"]");
    let line = line_of(&text, "confirm =");
    let zh = parse_in(&text, "zh_CN.UTF-8");
    assert_eq!((zh.key.as_str(), zh.line), ("keys.confirm", Some(line)));
    assert!(
        zh.to_string()
            .contains("\"n\" 同时绑定了 confirm 和 reject（在待确认列表里）"),
        "{zh}"
    );
    let en = parse_in(&text, "en_US.UTF-8");
    assert!(
        en.to_string()
            .contains("\"n\" is bound to both confirm and reject in the pending list"),
        "{en}"
    );
    // Moving undo away as well makes u confirm's alone.
    let clash = with_keys("confirm = [\"y\", \"u\"]");
    assert!(config::parse_with_locale(&clash, "shop.toml", Path::new("/tmp"), None).is_err());
    let ok = with_keys("confirm = [\"y\", \"u\"]\nundo = \"z\"");
    let ok = config::parse_with_locale(&ok, "shop.toml", Path::new("/tmp"), None);
    assert!(ok.is_ok(), "{ok:?}");
    // A key of every mode clashes with a mode's own.
    let e = parse_in(&with_keys("open_cart = \"q\""), "en_US.UTF-8");
    assert!(e.to_string().contains("open_cart and quit"), "{e}");
}

#[test]
fn the_shell_bell_is_off_unless_asked_for() {
    let plain = config::parse_with_locale(GOOD, "shop.toml", Path::new("/tmp"), None).unwrap();
    assert!(!plain.shop.bell);
    let text = GOOD.replace(
        "name = \"测试合作社\"",
        "name = \"测试合作社\"\nbell = true",
    );
    let rung = config::parse_with_locale(&text, "shop.toml", Path::new("/tmp"), None).unwrap();
    assert!(rung.shop.bell);
}

#[test]
fn the_commented_keys_example_in_config_toml_is_valid() {
    let shipped =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("config.toml")).unwrap();
    let uncommented: String = shipped
        .lines()
        .map(|line| match line.strip_prefix("# ") {
            Some(rest) if rest.starts_with("[keys]") || rest.contains(" = [\"") => rest,
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n");
    assert!(uncommented.contains("\n[keys]\n"), "{uncommented}");
    let c =
        config::parse_with_locale(&uncommented, "config.toml", Path::new("/tmp"), None).unwrap();
    let key = |c| crossterm::event::KeyEvent::new(c, crossterm::event::KeyModifiers::NONE);
    use crossterm::event::KeyCode;
    use livestall::app::{Action, Mode};
    assert_eq!(
        c.keymap.action(Mode::Inbox, &key(KeyCode::Delete)),
        Some(Action::Reject)
    );
    assert_eq!(
        c.keymap.action(Mode::Cart, &key(KeyCode::Char('q'))),
        Some(Action::Quit)
    );
}

#[test]
fn bilibili_and_twitch_sources_and_wss_are_read_and_their_mistakes_named() {
    use livestall::config::SourceKind;
    let source =
        |lines: &str| GOOD.replace("kind = \"json\"\nurl = \"ws://127.0.0.1:9/chat\"", lines);
    // A bilibili room: the public host by default.
    let c = load_text(&source(
        "kind = \"bilibili\"\nroom = 21452505\nkey = \"tok\"",
    ))
    .unwrap();
    let s = c.sources.into_iter().next().unwrap();
    assert_eq!(
        s.kind,
        SourceKind::Bilibili {
            room: 21_452_505,
            key: "tok".into(),
            uid: 0,
            buvid: None
        }
    );
    assert_eq!(s.url, livestall::config::BILIBILI_URL);
    // A twitch channel, lower-cased, on Twitch's wss host.
    let c = load_text(&source("kind = \"twitch\"\nchannel = \"SomeFarm\"")).unwrap();
    let s = c.sources.into_iter().next().unwrap();
    assert_eq!(
        s.kind,
        SourceKind::Twitch {
            channel: "#somefarm".into()
        }
    );
    assert!(s.url.starts_with("wss://"));
    // wss:// relays are fine now.
    let c = load_text(&source(
        "kind = \"json\"\nurl = \"wss://relay.example/chat\"",
    ))
    .unwrap();
    assert_eq!(
        c.sources.into_iter().next().unwrap().url,
        "wss://relay.example/chat"
    );
    // Mistakes name the key and its line.
    let text = source("kind = \"bilibili\"\nkey = \"tok\"");
    let e = load_text(&text).unwrap_err();
    assert_eq!(e.key, "source.room", "{e}");
    let text = source("kind = \"twitch\"\nchannel = \"bad name\\r\\nJOIN #other\"");
    let e = load_text(&text).unwrap_err();
    assert_eq!(e.key, "source.channel", "{e}");
    assert_eq!(e.line, Some(line_of(&text, "channel =")));
    let text = source("kind = \"douyin\"\nurl = \"ws://x\"");
    let e = load_text(&text).unwrap_err();
    assert!(e.to_string().contains("bilibili"), "{e}");
}

#[test]
fn field_pointers_may_be_lists_and_a_filter_keeps_chat_frames() {
    let text = GOOD.replace(
        "url = \"ws://127.0.0.1:9/chat\"",
        "url = \"ws://127.0.0.1:9/chat\"\n[source.fields]\ntext = [\"/chatmessage\", \"/data/chatmessage\"]\nuser = \"/chatname\"\nfilter = { pointer = \"/type\", equals = \"chat\" }",
    );
    let c = load_text(&text).unwrap();
    let f = c.sources.into_iter().next().unwrap().fields;
    assert_eq!(f.text, ["/chatmessage", "/data/chatmessage"]);
    assert_eq!(f.user, ["/chatname"]);
    assert_eq!(f.filter, Some(("/type".to_string(), "chat".to_string())));
    let bad = text.replace("\"/data/chatmessage\"", "\"data.chatmessage\"");
    let e = load_text(&bad).unwrap_err();
    assert_eq!(e.key, "source.fields.text", "{e}");
    assert_eq!(e.line, Some(line_of(&bad, "text = [")));
}

/// `[[sources]]` lists several sources, each named (the kind's name unless
/// given); the single `[source]` table still reads as one source.
#[test]
fn several_sources_are_read_in_order_with_names() {
    use livestall::config::SourceKind;
    let several = r#"
[[sources]]
name = "抖音"
kind = "json"
url = "ws://127.0.0.1:9001/douyin"
fields = { text = ["/content", "/text"], user = "/nickname" }

[[sources]]
kind = "bilibili"
room = 21452505

[[sources]]
name = "twitch-en"
kind = "twitch"
channel = "somefarm"
"#;
    let text = GOOD.replace(
        "[source]\nkind = \"json\"\nurl = \"ws://127.0.0.1:9/chat\"\n",
        several,
    );
    let c = load_text(&text).unwrap();
    let names: Vec<&str> = c.sources.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["抖音", "bilibili", "twitch-en"]);
    assert!(c.several_sources());
    assert_eq!(c.sources[0].fields.text, ["/content", "/text"]);
    assert_eq!(c.sources[0].url, "ws://127.0.0.1:9001/douyin");
    assert!(matches!(
        c.sources[1].kind,
        SourceKind::Bilibili { uid: 0, .. }
    ));
    assert!(matches!(c.sources[2].kind, SourceKind::Twitch { .. }));

    // The single table: one source, named by its kind unless named.
    let c = load_text(GOOD).unwrap();
    assert_eq!(c.sources.len(), 1);
    assert_eq!(c.sources[0].name, "json");
    assert!(!c.several_sources());
    let c = load_text(&GOOD.replace("[source]\n", "[source]\nname = \"快手\"\n")).unwrap();
    assert_eq!(c.sources[0].name, "快手");
}

#[test]
fn several_sources_mistakes_name_their_line() {
    let two = |first: &str, second: &str| {
        GOOD.replace(
            "[source]\nkind = \"json\"\nurl = \"ws://127.0.0.1:9/chat\"\n",
            &format!(
                "[[sources]]\n{first}url = \"ws://127.0.0.1:9/a\"\n\n[[sources]]\n{second}url = \"ws://127.0.0.1:9/b\"\n"
            ),
        )
    };
    // Two sources with one name (here both the kind's default).
    let text = two("", "");
    let e = load_text(&text).unwrap_err();
    assert_eq!(e.key, "sources.name");
    assert_eq!(
        e.line,
        Some(line_of(&text, "url = \"ws://127.0.0.1:9/b\"") - 1)
    );
    assert!(e.message.contains("\"json\""), "{}", e.message);
    let text = two("name = \"a\"\n", "name = \"a\"\n");
    assert_eq!(load_text(&text).unwrap_err().key, "sources.name");
    // A name that cannot be shown or would break ids.
    for bad in ["", "a:b", "x\u{202e}y", "一个非常非常非常长的名字啊"] {
        let text = two(&format!("name = \"{bad}\"\n"), "");
        let e = load_text(&text).unwrap_err();
        assert_eq!(e.key, "sources.name", "{bad:?}");
        let at = format!("name = \"{bad}\"");
        assert_eq!(e.line, Some(line_of(&text, &at)), "{bad:?}");
    }
    // A mistake inside the second source names it and its line.
    let text = two("name = \"a\"\n", "name = \"b\"\nkind = \"youtube\"\n");
    let e = load_text(&text).unwrap_err();
    assert_eq!(e.key, "sources.kind");
    assert_eq!(e.line, Some(line_of(&text, "kind = \"youtube\"")));
    // Both forms at once is a mistake, not a silent choice.
    let text = format!("{GOOD}\n[[sources]]\nurl = \"ws://127.0.0.1:9/b\"\n");
    let e = load_text(&text).unwrap_err();
    assert_eq!(e.key, "source");
    assert!(e.message.contains("[[sources]]"), "{}", e.message);
}

#[test]
fn inner_names_the_json_text_holding_the_message() {
    let text = GOOD.replace(
        "url = \"ws://127.0.0.1:9/chat\"",
        "url = \"ws://127.0.0.1:9/chat\"\n[source.fields]\ninner = \"/Data\"\ntext = \"/Content\"",
    );
    let f = load_text(&text).unwrap().sources.remove(0).fields;
    assert_eq!(f.inner.as_deref(), Some("/Data"));
    assert_eq!(f.text, ["/Content"]);

    for bad_pointer in ["Data", ""] {
        let bad = text.replace("inner = \"/Data\"", &format!("inner = {bad_pointer:?}"));
        let e = load_text(&bad).unwrap_err();
        assert_eq!(e.key, "source.fields.inner", "{e}");
        assert_eq!(e.line, Some(line_of(&bad, "inner =")), "{e}");
        assert!(e.message.contains("/Data"), "says what is right: {e}");
        assert!(e.message_zh.contains("指针"), "{}", e.message_zh);
        assert!(e.file.ends_with("shop.toml"), "{e}");
    }
    let not_text = text.replace("inner = \"/Data\"", "inner = 5");
    let e = load_text(&not_text).unwrap_err();
    assert_eq!(e.line, Some(line_of(&not_text, "inner =")), "{e}");
}

#[test]
fn a_coop_table_is_read_and_its_mistakes_name_line_and_key() {
    let coop =
        "\n[coop]\nurl = \"postgres://coop:s3cret@10.0.0.2:5432/coop\"\nstation = \"王家峪\"\n";
    let c = load_text(&format!("{GOOD}{coop}")).unwrap();
    let read = c.coop.expect("[coop] read");
    assert_eq!(read.station, "王家峪");
    assert_eq!(read.block, livestall::config::CoopConfig::DEFAULT_BLOCK);
    // Its password is never printed.
    assert!(!format!("{read:?}").contains("s3cret"), "{read:?}");
    assert!(load_text(GOOD).unwrap().coop.is_none());

    for (broken, key, says) in [
        (
            coop.replace("postgres://", "mysql://"),
            "coop.url",
            "not a PostgreSQL address",
        ),
        (
            coop.replace("station = \"王家峪\"\n", ""),
            "coop.station",
            "needs this station's name",
        ),
        (
            coop.replace("王家峪", ""),
            "coop.station",
            "cannot be a station's name",
        ),
        (
            format!("{coop}block = 1.5\n"),
            "coop.block",
            "not a share of the pool",
        ),
        (format!("{coop}blocks = 0.2\n"), "coop", "blocks"),
    ] {
        let text = format!("{GOOD}{broken}");
        let e = load_text(&text).unwrap_err();
        assert!(e.key.starts_with(key), "{key}: {e}");
        assert!(e.message.contains(says), "{says}: {e}");
        assert!(e.line.is_some(), "{e}");
        assert!(!e.to_string().contains("s3cret"), "{e}");
    }
    // The url's line is named.
    let text = format!("{GOOD}{}", coop.replace("postgres://", "mysql://"));
    let e = load_text(&text).unwrap_err();
    assert_eq!(e.line, Some(line_of(&text, "url = \"mysql")));
}
