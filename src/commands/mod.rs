//! The command-line verbs, as library functions so tests drive them too.
//! src/main.rs only parses arguments and calls these.

pub mod headless;
pub mod parse;
pub mod report;
pub mod sim;
pub mod tui;
