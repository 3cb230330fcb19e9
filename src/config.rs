//! config.toml: the schema, its defaults, and validation that names the file,
//! the line and the key of every mistake.

use crate::catalog::Catalog;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    Zh,
    En,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShopConfig {
    pub name: String,
    pub language: Language,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// A websocket sending one JSON object a frame (relays, the simulator).
    Json,
}

/// JSON pointers (RFC 6901) into each frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldMap {
    pub id: String,
    pub user: String,
    pub user_id: String,
    pub text: String,
    pub ts: String,
}

impl Default for FieldMap {
    fn default() -> Self {
        FieldMap {
            id: "/id".into(),
            user: "/user".into(),
            user_id: "/user_id".into(),
            text: "/text".into(),
            ts: "/ts".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceConfig {
    pub kind: SourceKind,
    pub url: String,
    pub fields: FieldMap,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The file it was read from (None for the built-in sample).
    pub path: Option<PathBuf>,
    pub shop: ShopConfig,
    pub source: SourceConfig,
    /// Resolved against the config file's folder.
    pub store_path: PathBuf,
    pub catalog: Catalog,
}
