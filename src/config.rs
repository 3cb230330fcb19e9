//! config.toml: the schema, its defaults, and validation that names the file,
//! the line and the key of every mistake and says what would be right.
//!
//! Parsing happens in two steps: serde reads the TOML into `raw` structs whose
//! fields keep their spans, then `validate` checks what serde cannot (unique
//! SKUs and links, non-negative stock, known source kinds) and builds the
//! plain `Config` the rest of the program uses.
//!
//! Every mistake is worded in English and in Chinese, and shown in the
//! language the file asks for in `[shop] language` (read leniently, so a
//! file with a mistake elsewhere is still answered in it), else the one
//! `LANG` names: the screen's language is what the helper reads, and a
//! broken file cannot be trusted to say it (see `error_language`).

use crate::app::keymap::{self, Action, Keymap, Scope};
use crate::catalog::{Catalog, Product};
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

mod coop;
mod record;
pub use coop::{CoopConfig, PASSWORD_VAR as COOP_PASSWORD_VAR};
pub use record::RecordConfig;

/// The sample shop shipped with livestall (the repository's config.toml),
/// used by `livestall demo` when there is no ./config.toml.
pub const SAMPLE_CONFIG: &str = include_str!("../config.toml");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    Zh,
    En,
}

impl Language {
    /// The language from a LANG-style locale string. Chinese unless the locale
    /// names another language: most users are Chinese and their machines are
    /// often left at C/POSIX.
    pub fn from_locale(locale: Option<&str>) -> Language {
        let Some(locale) = locale.map(str::trim).filter(|l| !l.is_empty()) else {
            return Language::Zh;
        };
        let lang = locale
            .split(['_', '.', '@', '-'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        match lang.as_str() {
            "zh" | "c" | "posix" | "" => Language::Zh,
            _ => Language::En,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShopConfig {
    pub name: String,
    pub language: Language,
    /// Ring the terminal bell when an intent arrives into an empty inbox.
    pub bell: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceKind {
    /// A websocket sending one JSON object a frame (relays, the simulator).
    Json,
    /// Bilibili's live danmaku protocol, natively. The host and the token
    /// (`key`) come from Bilibili's signed getDanmuInfo look-up, which the
    /// config gives rather than livestall calling it.
    Bilibili {
        room: u64,
        key: String,
        /// 0 connects anonymously (Bilibili masks the names then).
        uid: u64,
        buvid: Option<String>,
    },
    /// Twitch chat: IRC over websocket, read anonymously.
    Twitch { channel: String },
    /// A recorded session file played back (`livestall replay`).
    Replay {
        path: PathBuf,
        speed: crate::chat::replay::Speed,
    },
}

impl SourceKind {
    /// The kind as the config writes it (and a source's default name).
    pub fn name(&self) -> &'static str {
        match self {
            SourceKind::Json => "json",
            SourceKind::Bilibili { .. } => "bilibili",
            SourceKind::Twitch { .. } => "twitch",
            SourceKind::Replay { .. } => "replay",
        }
    }
}

/// A `[source.fields]` entry as read: its name, its pointers, where they go.
type PointerSlot<'a> = (
    &'static str,
    Option<toml::Spanned<raw::Pointers>>,
    &'a mut Vec<String>,
);

/// Bilibili's public danmaku host, when `[source] url` is not given.
pub const BILIBILI_URL: &str = "wss://broadcastlv.chat.bilibili.com/sub";

/// JSON pointers (RFC 6901) into each frame. Each field is a list tried in
/// order (relays rename fields between versions: `["/text", "/chatmessage"]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldMap {
    pub id: Vec<String>,
    pub user: Vec<String>,
    pub user_id: Vec<String>,
    pub text: Vec<String>,
    pub ts: Vec<String>,
    /// Only frames whose value at the pointer equals the text are chat
    /// (`/type` = "chat"); others (gifts, likes, joins) are skipped.
    pub filter: Option<(String, String)>,
    /// For relays that send the chat message as JSON text inside the frame
    /// (`{"Type":1,"Data":"{\"Content\":…}"}`): the pointer to that text.
    /// The other pointers then read the parsed object; the filter still
    /// reads the frame as sent.
    pub inner: Option<String>,
}

impl Default for FieldMap {
    fn default() -> Self {
        FieldMap {
            id: vec!["/id".into()],
            user: vec!["/user".into()],
            user_id: vec!["/user_id".into()],
            text: vec!["/text".into()],
            ts: vec!["/ts".into()],
            filter: None,
            inner: None,
        }
    }
}

/// The longest source name (it is shown beside every buyer).
pub const SOURCE_NAME_CHARS: usize = 12;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceConfig {
    /// Told in the source's events and stored with its intents and orders;
    /// shown beside the buyer, and prefixed to its message ids (`name:id`),
    /// when several sources feed one run. The kind's name unless given.
    pub name: String,
    pub kind: SourceKind,
    pub url: String,
    pub fields: FieldMap,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The file it was read from (None for the built-in sample).
    pub path: Option<PathBuf>,
    pub shop: ShopConfig,
    /// The chat sources (`[source]`, or `[[sources]]` for several at once).
    /// Empty is fine for `parse`, `orders` and `inventory`, an error for the
    /// commands that read chat.
    pub sources: Vec<SourceConfig>,
    /// `[store] path`, resolved against the config file's folder.
    pub store_path: PathBuf,
    pub catalog: Catalog,
    /// The key bindings: the defaults with `[keys]` applied.
    pub keymap: Keymap,
    /// `[record]`: where received chat is recorded.
    pub record: RecordConfig,
    /// `[coop]`: the co-op database this station shares orders and stock
    /// through; `None` (no table) keeps the station on its own SQLite.
    pub coop: Option<CoopConfig>,
}

impl Config {
    /// Where chat is recorded: `[record] folder`, else `sessions/` beside
    /// the database (`store_path`, which `--db` replaces).
    pub fn record_folder(&self) -> PathBuf {
        self.record.folder.clone().unwrap_or_else(|| {
            self.store_path
                .parent()
                .unwrap_or(Path::new(""))
                .join(crate::chat::record::DEFAULT_FOLDER)
        })
    }

    /// The sources, or an error that says how to add one.
    pub fn require_sources(&self) -> Result<&[SourceConfig], ConfigError> {
        if !self.sources.is_empty() {
            return Ok(&self.sources);
        }
        Err(ConfigError {
            file: self.display_path(),
            line: None,
            key: "source.url".into(),
            message: "no chat source configured; add a [source] table with kind = \"json\" and url = \"ws://…\"".into(),
            message_zh: "没有配置弹幕源；请加一个 [source] 表，写上 kind = \"json\" 和 url = \"ws://…\"".into(),
            language: self.shop.language,
        })
    }

    /// Whether several sources feed the run (then names show and ids are
    /// prefixed with them).
    pub fn several_sources(&self) -> bool {
        self.sources.len() > 1
    }

    fn display_path(&self) -> String {
        self.path
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "(built-in sample config)".into())
    }
}

/// A config mistake: where it is and what would be right.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub file: String,
    /// 1-based line, when the mistake is at a place in the file.
    pub line: Option<usize>,
    /// The dotted key, e.g. `products[3].stock` (products counted from 1).
    pub key: String,
    /// What is wrong and what would be right, in English.
    pub message: String,
    /// The same in Chinese.
    pub message_zh: String,
    /// The language it is shown in (`Display`).
    pub language: Language,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (file, key) = (&self.file, &self.key);
        match (self.language, self.line) {
            (Language::En, Some(line)) => write!(f, "{file}:{line}: {key}: {}", self.message),
            (Language::En, None) if key.is_empty() => write!(f, "{file}: {}", self.message),
            (Language::En, None) => write!(f, "{file}: {key}: {}", self.message),
            (Language::Zh, Some(line)) => {
                write!(f, "{file} 第 {line} 行 {key}：{}", self.message_zh)
            }
            (Language::Zh, None) if key.is_empty() => write!(f, "{file}：{}", self.message_zh),
            (Language::Zh, None) => write!(f, "{file} {key}：{}", self.message_zh),
        }
    }
}

/// The language config errors are shown in: what the file asks for in
/// `[shop] language` when it says "zh" or "en", else what `lang_env`
/// (LANG) names. The file wins because it is the screen's language, the
/// one the helper chose to read; LANG is only the machine's, often left at
/// C or English on a farm's borrowed laptop.
pub fn error_language(text: Option<&str>, lang_env: Option<&str>) -> Language {
    text.and_then(declared_language)
        .unwrap_or_else(|| Language::from_locale(lang_env))
}

/// `[shop] language` as written, read leniently: from the TOML when it
/// parses, else from a `language = "…"` line under `[shop]`, so a syntax
/// error elsewhere in the file does not lose it.
fn declared_language(text: &str) -> Option<Language> {
    let word = match toml::from_str::<toml::Table>(text) {
        Ok(table) => table.get("shop")?.get("language")?.as_str()?.to_string(),
        Err(_) => scan_shop_language(text)?,
    };
    match word.as_str() {
        "zh" => Some(Language::Zh),
        "en" => Some(Language::En),
        _ => None,
    }
}

fn scan_shop_language(text: &str) -> Option<String> {
    let mut in_shop = false;
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            in_shop = !line.starts_with("[[")
                && line
                    .trim_start_matches('[')
                    .split(']')
                    .next()
                    .map(str::trim)
                    == Some("shop");
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        if in_shop && key.trim() == "language" {
            let value = value.trim();
            let quote = value.chars().next().filter(|c| *c == '"' || *c == '\'')?;
            return value[1..].split(quote).next().map(str::to_string);
        }
    }
    None
}

impl std::error::Error for ConfigError {}

/// Reads and validates a config file.
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
        file: path.display().to_string(),
        line: None,
        key: String::new(),
        message: format!("cannot read the config file: {e}"),
        message_zh: match e.kind() {
            std::io::ErrorKind::NotFound => "找不到这个配置文件".to_string(),
            std::io::ErrorKind::PermissionDenied => "没有权限读这个配置文件".to_string(),
            _ => format!("读不到配置文件：{e}"),
        },
        language: error_language(None, std::env::var("LANG").ok().as_deref()),
    })?;
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut config = parse(&text, &path.display().to_string(), &base)?;
    config.path = Some(path.to_path_buf());
    Ok(config)
}

/// The built-in sample shop, with its database in `base`.
pub fn sample(base: &Path) -> Config {
    parse(SAMPLE_CONFIG, "(built-in sample config)", base)
        .expect("the shipped config.toml is valid (tested)")
}

/// Parses config text; `file` names it in errors, `base` resolves `[store] path`.
pub fn parse(text: &str, file: &str, base: &Path) -> Result<Config, ConfigError> {
    parse_with_locale(text, file, base, std::env::var("LANG").ok().as_deref())
}

/// `parse` with the locale given rather than read from `LANG`.
pub fn parse_with_locale(
    text: &str,
    file: &str,
    base: &Path,
    lang_env: Option<&str>,
) -> Result<Config, ConfigError> {
    let language = error_language(Some(text), lang_env);
    let raw: raw::File =
        toml::from_str(text).map_err(|e| from_toml_error(&e, text, file, language))?;
    validate(raw, text, file, base, lang_env, language)
}

mod raw {
    //! The file as written, with spans, before validation.
    use serde::Deserialize;
    use toml::Spanned;

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct File {
        pub shop: Option<Shop>,
        pub source: Option<Spanned<Source>>,
        pub sources: Option<Vec<Spanned<Source>>>,
        pub store: Option<Store>,
        pub record: Option<super::record::RawRecord>,
        pub coop: Option<toml::Spanned<super::coop::RawCoop>>,
        #[serde(default)]
        pub products: Vec<Spanned<Product>>,
        /// Action name → a key or a list of keys.
        pub keys: Option<std::collections::BTreeMap<String, Spanned<toml::Value>>>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Shop {
        pub name: Option<String>,
        pub language: Option<Spanned<String>>,
        pub bell: Option<bool>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Source {
        /// Shown beside the buyer when there are several sources.
        pub name: Option<Spanned<String>>,
        pub kind: Option<Spanned<String>>,
        pub url: Option<Spanned<String>>,
        pub fields: Option<Fields>,
        /// bilibili: the room id, the token, the user id and the browser id.
        pub room: Option<Spanned<i64>>,
        pub key: Option<Spanned<String>>,
        pub uid: Option<Spanned<i64>>,
        pub buvid: Option<Spanned<String>>,
        /// twitch: the channel.
        pub channel: Option<Spanned<String>>,
        /// replay: the recording and how fast it plays.
        pub path: Option<Spanned<String>>,
        pub speed: Option<Spanned<toml::Value>>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Fields {
        pub id: Option<Spanned<Pointers>>,
        pub user: Option<Spanned<Pointers>>,
        pub user_id: Option<Spanned<Pointers>>,
        pub text: Option<Spanned<Pointers>>,
        pub ts: Option<Spanned<Pointers>>,
        /// `filter = { pointer = "/type", equals = "chat" }`
        pub filter: Option<Spanned<Filter>>,
        /// `inner = "/Data"`: the chat message is JSON text at this pointer.
        pub inner: Option<Spanned<String>>,
    }

    /// One pointer, or a list tried in order.
    #[derive(Deserialize)]
    #[serde(untagged)]
    pub enum Pointers {
        One(String),
        Many(Vec<String>),
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Filter {
        pub pointer: String,
        pub equals: String,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Store {
        pub path: Option<String>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Product {
        pub sku: Spanned<String>,
        pub name: Spanned<String>,
        #[serde(default)]
        pub aliases: Vec<Spanned<String>>,
        pub link: Spanned<i64>,
        pub unit: Option<Spanned<String>>,
        pub price: Spanned<f64>,
        pub stock: Spanned<i64>,
        pub limit_per_buyer: Option<Spanned<i64>>,
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// toml's errors carry a span and a message; turn them into our form, finding
/// the key from the message (`missing field`, `unknown field`) or the line.
fn from_toml_error(e: &toml::de::Error, text: &str, file: &str, language: Language) -> ConfigError {
    let line = e.span().map(|s| line_of(text, s.start));
    // serde speaks Rust types; farmers' helpers speak numbers and text.
    let message = e
        .message()
        .trim()
        .replace("expected f64", "expected a number, e.g. 39.9")
        .replace("expected i64", "expected a whole number, e.g. 10")
        .replace("expected a string", "expected text in quotes");
    let key = e.span().map(|s| key_at(text, s)).unwrap_or_default();
    let hint = if message.starts_with("unknown field") {
        " (check the spelling; see the config reference in README.md)"
    } else if message.starts_with("missing field") {
        " (every [[products]] needs sku, name, link, price and stock)"
    } else {
        ""
    };
    ConfigError {
        file: file.into(),
        line,
        key,
        message: format!("{message}{hint}"),
        message_zh: toml_message_zh(e.message().trim()),
        language,
    }
}

/// toml's and serde's words for a mistake, in Chinese: the shapes a config
/// goes wrong in are named; anything else keeps toml's words after ours.
fn toml_message_zh(message: &str) -> String {
    let quoted = |rest: &str| rest.split('`').nth(1).unwrap_or("").to_string();
    if let Some(rest) = message.strip_prefix("missing field") {
        return format!(
            "缺少 `{}`（每个 [[products]] 都要有 sku、name、link、price 和 stock）",
            quoted(rest)
        );
    }
    if let Some(rest) = message.strip_prefix("unknown field") {
        return format!(
            "不认识的键 `{}`（检查拼写；见 README.md 的配置说明）",
            quoted(rest)
        );
    }
    if message.starts_with("invalid type") {
        let expected = if message.ends_with("expected i64") {
            "应该是整数，例如 10"
        } else if message.ends_with("expected f64") {
            "应该是数字，例如 39.9"
        } else if message.ends_with("expected a string") {
            "应该是带引号的文字，例如 \"小米\""
        } else if message.ends_with("expected a boolean") {
            "应该是 true 或 false"
        } else if message.ends_with("expected a sequence") {
            "应该是方括号里的列表，例如 [\"小米\", \"millet\"]"
        } else {
            "类型不对"
        };
        return format!("写法不对：{expected}");
    }
    format!("TOML 格式有误（{message}）")
}

/// The table path and key written at a span: `[[products]]` number and the
/// `key =` on that line, e.g. `products[2].price`.
fn key_at(text: &str, span: Range<usize>) -> String {
    let start = span.start.min(text.len());
    let mut table = String::new();
    let mut array_counts: std::collections::HashMap<String, usize> = Default::default();
    let mut offset = 0;
    let mut key_here = String::new();
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim();
        if offset > start {
            break;
        }
        if let Some(name) = trimmed
            .strip_prefix("[[")
            .and_then(|t| t.split("]]").next())
        {
            let name = name.trim().to_string();
            let n = array_counts.entry(name.clone()).or_default();
            *n += 1;
            table = format!("{name}[{n}]");
        } else if let Some(name) = trimmed.strip_prefix('[').and_then(|t| t.split(']').next()) {
            table = name.trim().to_string();
        }
        key_here = trimmed
            .split_once('=')
            .map(|(k, _)| k.trim().trim_matches('"').to_string())
            .filter(|k| !k.starts_with('['))
            .unwrap_or_default();
        offset += line.len();
    }
    match (table.is_empty(), key_here.is_empty()) {
        (true, _) => key_here,
        (false, true) => table,
        (false, false) => format!("{table}.{key_here}"),
    }
}

/// Builds the config errors of one file: each names the file, the line of
/// the offending span, the key, and says what is wrong in both languages.
fn error_at<'t>(
    text: &'t str,
    file: &'t str,
    language: Language,
) -> impl Fn(Range<usize>, String, String, String) -> ConfigError + 't {
    move |span, key, message, message_zh| ConfigError {
        file: file.into(),
        line: Some(line_of(text, span.start)),
        key,
        message,
        message_zh,
        language,
    }
}

fn validate(
    raw: raw::File,
    text: &str,
    file: &str,
    base: &Path,
    lang_env: Option<&str>,
    language: Language,
) -> Result<Config, ConfigError> {
    let err = error_at(text, file, language);

    let shop = match raw.shop {
        Some(s) => {
            let language = match &s.language {
                None => Language::from_locale(lang_env),
                Some(l) => match l.get_ref().as_str() {
                    "zh" => Language::Zh,
                    "en" => Language::En,
                    other => {
                        return Err(err(
                            l.span(),
                            "shop.language".into(),
                            format!("unknown language {other:?}; use \"zh\" or \"en\""),
                            format!("不认识的语言 {other:?}；请写 \"zh\"（中文）或 \"en\"（英文）"),
                        ))
                    }
                },
            };
            ShopConfig {
                name: s.name.unwrap_or_else(|| "livestall".into()),
                language,
                bell: s.bell.unwrap_or(false),
            }
        }
        None => ShopConfig {
            name: "livestall".into(),
            language: Language::from_locale(lang_env),
            bell: false,
        },
    };

    let keymap = match raw.keys {
        None => Keymap::default(),
        Some(keys) => read_keys(keys, text, file, language)?,
    };

    let sources = match (raw.source, raw.sources) {
        (None, None) => Vec::new(),
        (Some(one), None) => vec![read_source(one, "source", base, text, file, language)?],
        (Some(one), Some(_)) => {
            return Err(err(
                one.span(),
                "source".into(),
                "both [source] and [[sources]]: keep one; [[sources]] lists several".into(),
                "同时写了 [source] 和 [[sources]]：只留一种；多个弹幕源用 [[sources]]".into(),
            ))
        }
        (None, Some(list)) => {
            if list.is_empty() {
                return Err(ConfigError {
                    file: file.into(),
                    line: None,
                    key: "sources".into(),
                    message: "sources = [] lists no chat source; add [[sources]] tables".into(),
                    message_zh: "sources = [] 里没有弹幕源；请加 [[sources]] 表".into(),
                    language,
                });
            }
            let mut sources: Vec<SourceConfig> = Vec::with_capacity(list.len());
            for one in list {
                let at = one.span();
                let source = read_source(one, "sources", base, text, file, language)?;
                if sources.iter().any(|s| s.name == source.name) {
                    let name = &source.name;
                    return Err(err(
                        at,
                        "sources.name".into(),
                        format!("two sources are named {name:?}; give each its own name = \"…\" (it is shown beside the buyer)"),
                        format!("有两个弹幕源都叫 {name:?}；请给每个写上自己的 name = \"…\"（显示在买家旁边）"),
                    ));
                }
                sources.push(source);
            }
            sources
        }
    };

    let record = record::read_record(raw.record, base, &err)?;
    let coop = coop::read_coop(raw.coop, &err)?;

    let store_path = base.join(
        raw.store
            .and_then(|s| s.path)
            .unwrap_or_else(|| "livestall.db".into()),
    );

    let mut products: Vec<Product> = Vec::with_capacity(raw.products.len());
    let mut sku_lines: std::collections::HashMap<String, usize> = Default::default();
    let mut link_lines: std::collections::HashMap<i64, usize> = Default::default();
    for (i, spanned) in raw.products.into_iter().enumerate() {
        let n = i + 1;
        let p = spanned.into_inner();
        let key = |k: &str| format!("products[{n}].{k}");
        let sku = p.sku.get_ref().trim().to_string();
        if sku.is_empty() {
            return Err(err(
                p.sku.span(),
                key("sku"),
                "sku is empty; give each product a short code like \"MILLET-5\"".into(),
                "sku 是空的；给每个商品一个简短的编号，例如 \"MILLET-5\"".into(),
            ));
        }
        if let Some(first) = sku_lines.insert(sku.clone(), line_of(text, p.sku.span().start)) {
            return Err(err(
                p.sku.span(),
                key("sku"),
                format!("duplicate sku {sku:?} (first used on line {first}); each product needs its own sku"),
                format!("sku {sku:?} 重复了（第 {first} 行已用过）；每个商品要有自己的 sku"),
            ));
        }
        let name = p.name.get_ref().trim().to_string();
        if name.is_empty() {
            return Err(err(
                p.name.span(),
                key("name"),
                "name is empty".into(),
                "商品名称 name 是空的".into(),
            ));
        }
        let link = *p.link.get_ref();
        if !(1..=9999).contains(&link) {
            return Err(err(
                p.link.span(),
                key("link"),
                format!(
                    "link {link} is out of range; link numbers are whole numbers from 1 to 9999"
                ),
                format!("链接号 {link} 超出范围；链接号是 1 到 9999 的整数"),
            ));
        }
        if let Some(first) = link_lines.insert(link, line_of(text, p.link.span().start)) {
            return Err(err(
                p.link.span(),
                key("link"),
                format!("duplicate link {link} (first used on line {first}); each product needs its own link number"),
                format!("链接号 {link} 重复了（第 {first} 行已用过）；每个商品要有自己的链接号"),
            ));
        }
        let price = *p.price.get_ref();
        if !price.is_finite() || !(0.0..=10_000_000.0).contains(&price) {
            return Err(err(
                p.price.span(),
                key("price"),
                format!("price {price} is not a valid amount of yuan; write e.g. price = 39.9"),
                format!("价格 {price} 不是有效的金额（元）；请写，例如 price = 39.9"),
            ));
        }
        let price_fen = (price * 100.0).round() as i64;
        if ((price * 100.0) - price_fen as f64).abs() > 1e-6 {
            return Err(err(
                p.price.span(),
                key("price"),
                format!("price {price} has more than two decimals; yuan go to the fen (0.01)"),
                format!("价格 {price} 超过两位小数；金额最小到分（0.01 元）"),
            ));
        }
        let stock = *p.stock.get_ref();
        if stock < 0 {
            return Err(err(
                p.stock.span(),
                key("stock"),
                format!("stock {stock} is negative; write 0 for sold out"),
                format!("库存 {stock} 是负数；卖完了请写 0"),
            ));
        }
        let limit_per_buyer = match p.limit_per_buyer {
            None => None,
            Some(l) => {
                let v = *l.get_ref();
                if !(1..=u32::MAX as i64).contains(&v) {
                    return Err(err(
                        l.span(),
                        key("limit_per_buyer"),
                        format!(
                            "limit_per_buyer {v} must be at least 1; leave it out for no limit"
                        ),
                        format!("限购 limit_per_buyer {v} 至少是 1；不限购就不写这一项"),
                    ));
                }
                Some(v as u32)
            }
        };
        let mut aliases = Vec::with_capacity(p.aliases.len());
        for a in p.aliases {
            let v = a.get_ref().trim();
            if v.is_empty() {
                return Err(err(
                    a.span(),
                    key("aliases"),
                    "an alias is empty".into(),
                    "有一个别名是空的".into(),
                ));
            }
            aliases.push(v.to_string());
        }
        let unit = p
            .unit
            .map(|u| u.into_inner().trim().to_string())
            .filter(|u| !u.is_empty())
            .unwrap_or_else(|| "件".into());
        products.push(Product {
            sku,
            name,
            aliases,
            link: link as u32,
            unit,
            price_fen,
            stock,
            limit_per_buyer,
        });
    }
    if products.is_empty() {
        return Err(ConfigError {
            file: file.into(),
            line: None,
            key: "products".into(),
            message: "no products; add at least one [[products]] table with sku, name, link, price and stock".into(),
            message_zh: "没有商品；请至少加一个 [[products]] 表，写上 sku、name、link、price 和 stock".into(),
            language,
        });
    }

    Ok(Config {
        path: None,
        shop,
        sources,
        store_path,
        catalog: Catalog::new(products),
        keymap,
        record,
        coop,
    })
}

/// One `[source]` table or one of `[[sources]]` (`table` names it in errors).
fn read_source(
    spanned: toml::Spanned<raw::Source>,
    table: &str,
    base: &Path,
    text: &str,
    file: &str,
    language: Language,
) -> Result<SourceConfig, ConfigError> {
    let err = error_at(text, file, language);
    let span = spanned.span();
    let s = spanned.into_inner();
    let kind_name = s
        .kind
        .as_ref()
        .map(|k| k.get_ref().as_str())
        .unwrap_or("json");
    let kind = match kind_name {
        "json" => SourceKind::Json,
        "bilibili" => {
            let Some(room) = &s.room else {
                return Err(err(
                    span.clone(),
                    format!("{table}.room"),
                    "a bilibili source needs its room: room = 21452505 (the long room id)".into(),
                    "bilibili 弹幕源要写房间号：room = 21452505（长房间号）".into(),
                ));
            };
            let room = u64::try_from(*room.get_ref())
                .ok()
                .filter(|&r| r > 0)
                .ok_or_else(|| {
                    err(
                        room.span(),
                        format!("{table}.room"),
                        format!("room {} is not a room id", room.get_ref()),
                        format!("房间号 {} 不对", room.get_ref()),
                    )
                })?;
            let uid = match &s.uid {
                None => 0,
                Some(uid) => u64::try_from(*uid.get_ref()).map_err(|_| {
                    err(
                        uid.span(),
                        format!("{table}.uid"),
                        format!("uid {} is not a user id", uid.get_ref()),
                        format!("uid {} 不对", uid.get_ref()),
                    )
                })?,
            };
            SourceKind::Bilibili {
                room,
                key: s
                    .key
                    .as_ref()
                    .map(|k| k.get_ref().trim().to_string())
                    .unwrap_or_default(),
                uid,
                buvid: s
                    .buvid
                    .as_ref()
                    .map(|b| b.get_ref().trim().to_string())
                    .filter(|b| !b.is_empty()),
            }
        }
        "twitch" => {
            let Some(channel) = &s.channel else {
                return Err(err(
                    span.clone(),
                    format!("{table}.channel"),
                    "a twitch source needs its channel: channel = \"somefarm\"".into(),
                    "twitch 弹幕源要写频道：channel = \"somefarm\"".into(),
                ));
            };
            match crate::chat::twitch::normalize_channel(channel.get_ref()) {
                Ok(name) => SourceKind::Twitch { channel: name },
                Err(e) => {
                    return Err(err(
                        channel.span(),
                        format!("{table}.channel"),
                        e.to_string(),
                        e.zh().to_string(),
                    ))
                }
            }
        }
        "replay" => {
            record::replay_kind(s.path.as_ref(), s.speed.as_ref(), span.clone(), base, &err)?
        }
        other => {
            let at = s.kind.as_ref().map_or(span.clone(), |k| k.span());
            return Err(err(
                at,
                format!("{table}.kind"),
                format!("unknown source kind {other:?}; the kinds are: \"json\", \"bilibili\", \"twitch\", \"replay\""),
                format!("不认识的弹幕源类型 {other:?}；可用的类型有：\"json\"、\"bilibili\"、\"twitch\"、\"replay\""),
            ));
        }
    };
    let default_url = match &kind {
        SourceKind::Json => None,
        SourceKind::Bilibili { .. } => Some(BILIBILI_URL.to_string()),
        SourceKind::Twitch { .. } => Some(crate::chat::twitch::DEFAULT_URL.to_string()),
        // Where a replay reads from, for the status line.
        SourceKind::Replay { path, .. } => Some(path.display().to_string()),
    };
    let url = match (s.url, default_url) {
        (None, Some(url)) => url,
        (None, None) => {
            return Err(err(
                span,
                format!("{table}.url"),
                "missing url; write e.g. url = \"ws://127.0.0.1:9001/chat\"".into(),
                "缺少 url；请写上，例如 url = \"ws://127.0.0.1:9001/chat\"".into(),
            ))
        }
        (Some(u), _) => {
            let v = u.get_ref().trim();
            if !(v.starts_with("ws://") || v.starts_with("wss://")) {
                return Err(err(
                    u.span(),
                    format!("{table}.url"),
                    format!("{v:?} is not a websocket address; it must start with ws:// or wss://"),
                    format!("{v:?} 不是 websocket 地址；要以 ws:// 或 wss:// 开头"),
                ));
            }
            v.to_string()
        }
    };
    let mut fields = FieldMap::default();
    if let Some(f) = s.fields {
        let slots: [PointerSlot<'_>; 5] = [
            ("id", f.id, &mut fields.id),
            ("user", f.user, &mut fields.user),
            ("user_id", f.user_id, &mut fields.user_id),
            ("text", f.text, &mut fields.text),
            ("ts", f.ts, &mut fields.ts),
        ];
        for (name, value, slot) in slots {
            let Some(v) = value else { continue };
            let at = v.span();
            let pointers = match v.into_inner() {
                raw::Pointers::One(p) => vec![p],
                raw::Pointers::Many(list) => list,
            };
            if let Some(bad) = pointers
                .iter()
                .find(|p| !(p.is_empty() || p.starts_with('/')))
            {
                return Err(err(
                    at,
                    format!("{table}.fields.{name}"),
                    format!(
                        "{bad:?} is not a JSON pointer; pointers start with '/', e.g. \"/data/{name}\""
                    ),
                    format!("{bad:?} 不是 JSON 指针；指针以 '/' 开头，例如 \"/data/{name}\""),
                ));
            }
            *slot = pointers;
        }
        if let Some(filter) = f.filter {
            let at = filter.span();
            let filter = filter.into_inner();
            if !filter.pointer.starts_with('/') {
                return Err(err(
                    at,
                    format!("{table}.fields.filter"),
                    format!(
                        "{:?} is not a JSON pointer; write e.g. filter = {{ pointer = \"/type\", equals = \"chat\" }}",
                        filter.pointer
                    ),
                    format!(
                        "{:?} 不是 JSON 指针；例如 filter = {{ pointer = \"/type\", equals = \"chat\" }}",
                        filter.pointer
                    ),
                ));
            }
            fields.filter = Some((filter.pointer, filter.equals));
        }
        if let Some(inner) = f.inner {
            let at = inner.span();
            let inner = inner.into_inner();
            if !inner.starts_with('/') {
                return Err(err(
                    at,
                    format!("{table}.fields.inner"),
                    format!(
                        "{inner:?} is not a JSON pointer; write the pointer to the text holding the message, e.g. inner = \"/Data\""
                    ),
                    format!(
                        "{inner:?} 不是 JSON 指针；请写装着消息的那段文字的指针，例如 inner = \"/Data\""
                    ),
                ));
            }
            fields.inner = Some(inner);
        }
    }
    let name = match s.name {
        None => kind.name().to_string(),
        Some(name) => {
            let at = name.span();
            let name = name.into_inner();
            let name = name.trim();
            let readable = crate::sanitize::sanitize_capped(name, SOURCE_NAME_CHARS);
            if name.is_empty() || readable != name || name.contains(':') {
                return Err(err(
                    at,
                    format!("{table}.name"),
                    format!("{name:?} cannot name a source: write a short plain name such as \"douyin\" or \"B站\" (at most {SOURCE_NAME_CHARS} characters, no ':')"),
                    format!("{name:?} 不能做弹幕源的名字：请写一个简短的名字，例如 \"抖音\" 或 \"B站\"（最多 {SOURCE_NAME_CHARS} 个字，不要有 ':'）"),
                ));
            }
            name.to_string()
        }
    };
    Ok(SourceConfig {
        name,
        kind,
        url,
        fields,
    })
}

/// `[keys]`: each action named by its snake_case name, given one key or a
/// list; its keys replace its defaults wherever it is bound by default.
/// Unknown actions, unreadable keys and two actions on one key where both
/// would hold are mistakes, named at their line.
fn read_keys(
    keys: std::collections::BTreeMap<String, toml::Spanned<toml::Value>>,
    text: &str,
    file: &str,
    language: Language,
) -> Result<Keymap, ConfigError> {
    let err = error_at(text, file, language);
    let defaults = Keymap::default();
    let names = || {
        defaults
            .actions()
            .iter()
            .map(|a| action_name(*a))
            .collect::<Vec<_>>()
            .join(", ")
    };
    // In file order, so the first mistake told is the first in the file.
    let mut entries: Vec<_> = keys.into_iter().collect();
    entries.sort_by_key(|(_, value)| value.span().start);
    let mut overrides: Vec<(Action, Vec<keymap::Key>)> = Vec::new();
    let mut lines: Vec<(Action, Range<usize>)> = Vec::new();
    for (name, value) in entries {
        let span = value.span();
        let key = format!("keys.{name}");
        let action = toml::Value::String(name.clone())
            .try_into::<Action>()
            .ok()
            .filter(|a| defaults.actions().contains(a));
        let Some(action) = action else {
            return Err(err(
                span,
                key,
                format!("unknown action {name:?}; the actions are: {}", names()),
                format!("不认识的操作 {name:?}；可用的操作有：{}", names()),
            ));
        };
        let written: Vec<&toml::Value> = match value.get_ref() {
            toml::Value::Array(items) => items.iter().collect(),
            one => vec![one],
        };
        let mut parsed = Vec::with_capacity(written.len());
        for item in written {
            let Some(word) = item.as_str() else {
                return Err(err(
                    span,
                    key,
                    "expected a key in quotes or a list of them, e.g. [\"y\", \"enter\"]".into(),
                    "应该是带引号的按键或它们的列表，例如 [\"y\", \"enter\"]".into(),
                ));
            };
            let Some(k) = keymap::parse_key(word) else {
                return Err(err(
                    span,
                    key,
                    format!("{word:?} is not a key; write one character (\"y\", \"Y\" is Shift+Y) or a name (enter, esc, tab, backtab, space, up, down, left, right, pgup, pgdn, home, end, delete, backspace, f1 … f12), after any of ctrl+, alt+, shift+"),
                    format!("{word:?} 不是按键；请写一个字符（\"y\"，\"Y\" 是 Shift+Y）或按键名（enter、esc、tab、backtab、space、up、down、left、right、pgup、pgdn、home、end、delete、backspace、f1 … f12），前面可加 ctrl+、alt+、shift+"),
                ));
            };
            parsed.push(k);
        }
        overrides.push((action, parsed));
        lines.push((action, span));
    }
    let map = defaults.clone().with_overrides(&overrides);
    if let Some(conflict) = map.conflict() {
        // Named at the configured action's line (the later one when both are).
        let (action, span) = lines
            .iter()
            .rev()
            .find(|(a, _)| conflict.actions.contains(a))
            .cloned()
            .unwrap_or((conflict.actions[0], 0..0));
        let other = conflict
            .actions
            .into_iter()
            .find(|a| *a != action)
            .unwrap_or(action);
        let key_text = key_text(conflict.key);
        let (mode_en, mode_zh) = scope_words(conflict.scope);
        return Err(err(
            span,
            format!("keys.{}", action_name(action)),
            format!(
                "{key_text:?} is bound to both {} and {} {mode_en}; give one of them another key",
                action_name(action),
                action_name(other)
            ),
            format!(
                "{key_text:?} 同时绑定了 {} 和 {}（{mode_zh}）；请给其中一个换个键",
                action_name(action),
                action_name(other)
            ),
        ));
    }
    Ok(map)
}

/// An action's name as config writes it.
fn action_name(action: Action) -> String {
    toml::Value::try_from(action)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| format!("{action:?}"))
}

/// A key as config writes it, for errors about it.
fn key_text(key: keymap::Key) -> String {
    use crossterm::event::{KeyCode, KeyModifiers};
    let mut out = String::new();
    for (modifier, word) in [
        (KeyModifiers::CONTROL, "ctrl+"),
        (KeyModifiers::ALT, "alt+"),
        (KeyModifiers::SHIFT, "shift+"),
    ] {
        if key.modifiers.contains(modifier) {
            out.push_str(word);
        }
    }
    match key.code {
        KeyCode::Char(' ') => out.push_str("space"),
        KeyCode::Char(c) => out.push(c),
        KeyCode::F(n) => out.push_str(&format!("f{n}")),
        KeyCode::PageUp => out.push_str("pgup"),
        KeyCode::PageDown => out.push_str("pgdn"),
        other => out.push_str(&format!("{other:?}").to_ascii_lowercase()),
    }
    out
}

/// Where a key clash holds, in English and in Chinese.
fn scope_words(scope: Scope) -> (String, String) {
    use crate::app::model::Mode;
    let Scope::Only(mode) = scope else {
        return ("in every mode".into(), "所有界面".into());
    };
    let (en, zh) = match mode {
        Mode::Inbox => ("the pending list", "待确认列表"),
        Mode::Help => ("the help", "帮助"),
        Mode::Products => ("the product list", "商品列表"),
        Mode::Ask => ("a question", "确认提问"),
        Mode::Prompt => ("a typed line", "输入框"),
        Mode::Cart => ("a buyer's orders", "买家订单"),
        Mode::Picker => ("the product picker", "选商品"),
        Mode::Orders => ("the orders view", "订单总览"),
        Mode::Waitlist => ("the waitlist", "候补队列"),
        Mode::Board => ("the board", "主播看板"),
        Mode::Filter => ("the inbox filter", "筛选输入"),
    };
    (format!("in {en}"), format!("在{zh}里"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_from_locale() {
        assert_eq!(Language::from_locale(Some("zh_CN.UTF-8")), Language::Zh);
        assert_eq!(Language::from_locale(Some("en_US.UTF-8")), Language::En);
        assert_eq!(Language::from_locale(Some("de_DE")), Language::En);
        assert_eq!(Language::from_locale(Some("C.UTF-8")), Language::Zh);
        assert_eq!(Language::from_locale(None), Language::Zh);
    }

    #[test]
    fn shipped_sample_is_valid() {
        let c = parse(SAMPLE_CONFIG, "config.toml", Path::new("/tmp")).unwrap();
        assert!(c.catalog.len() >= 6);
        assert_eq!(c.store_path, Path::new("/tmp/livestall.db"));
    }

    #[test]
    fn the_shop_language_is_found_in_a_file_that_does_not_parse() {
        let broken = "[shop]\nname = \"x\"\nlanguage = \"en\" # English\n[[products]]\nsku = \"A";
        assert_eq!(declared_language(broken), Some(Language::En));
        let elsewhere = "[source]\nlanguage = \"en\"\n[shop]\nname = \"x\nprice = ";
        assert_eq!(declared_language(elsewhere), None, "only [shop]'s");
        assert_eq!(
            error_language(Some("[shop]\nname = 3"), Some("en_US")),
            Language::En
        );
        assert_eq!(
            error_language(Some("[shop]\nlanguage = \"zh\""), Some("en_US")),
            Language::Zh
        );
    }

    #[test]
    fn key_at_names_array_tables() {
        let text = "[shop]\nname = \"x\"\n[[products]]\nsku = \"A\"\n[[products]]\nsku = \"B\"\nprice = \"x\"\n";
        let at = text
            .find("\"x\"\n\n")
            .unwrap_or(text.rfind("\"x\"").unwrap());
        assert_eq!(key_at(text, at..at + 3), "products[2].price");
    }
}
