//! livestall: a live-stream order desk. Reads live chat, picks out order
//! intents, lets a helper confirm them, and keeps confirmed orders in SQLite.

pub mod app;
pub mod catalog;
pub mod chat;
pub mod clock;
pub mod commands;
pub mod config;
pub mod coop;
pub mod intent;
pub mod logging;
pub mod sanitize;
pub mod store;
pub mod ui;
