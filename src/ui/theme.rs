//! Colours and emphasis, in one place: the selected row obvious, sold-out
//! loud, low confidence flagged, evidence highlighted. Views ask for roles,
//! never for raw colours.

use ratatui::style::{Color, Modifier, Style};

pub fn title() -> Style {
    Style::new().add_modifier(Modifier::BOLD)
}

pub fn status_bar() -> Style {
    Style::new().fg(Color::Black).bg(Color::Cyan)
}

pub fn connected() -> Style {
    Style::new().fg(Color::Green).add_modifier(Modifier::BOLD)
}

pub fn trouble() -> Style {
    Style::new().fg(Color::Red).add_modifier(Modifier::BOLD)
}

pub fn on_air() -> Style {
    Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD)
}

pub fn selected_row() -> Style {
    Style::new()
        .fg(Color::Black)
        .bg(Color::LightYellow)
        .add_modifier(Modifier::BOLD)
}

/// The chat line `g` jumped to.
pub fn marked_chat() -> Style {
    Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
}

pub fn sold_out() -> Style {
    Style::new()
        .fg(Color::White)
        .bg(Color::Red)
        .add_modifier(Modifier::BOLD)
}

pub fn short_stock() -> Style {
    Style::new()
        .fg(Color::LightRed)
        .add_modifier(Modifier::BOLD)
}

pub fn covered() -> Style {
    Style::new().fg(Color::Green)
}

pub fn low_confidence() -> Style {
    Style::new().fg(Color::Magenta).add_modifier(Modifier::BOLD)
}

pub fn busy() -> Style {
    Style::new().fg(Color::Cyan).add_modifier(Modifier::ITALIC)
}

pub fn failed() -> Style {
    Style::new().fg(Color::Red)
}

pub fn dim() -> Style {
    Style::new().fg(Color::DarkGray)
}

pub fn user() -> Style {
    Style::new().fg(Color::LightBlue)
}

/// Which source a buyer wrote on, when several feed the run.
pub fn source() -> Style {
    Style::new().fg(Color::Magenta)
}

pub fn evidence() -> Style {
    Style::new()
        .fg(Color::Yellow)
        .add_modifier(Modifier::UNDERLINED)
}

pub fn reading() -> Style {
    Style::new().fg(Color::Yellow)
}

pub fn notice() -> Style {
    Style::new().fg(Color::White).bg(Color::Red)
}

pub fn gap() -> Style {
    Style::new().fg(Color::Red).add_modifier(Modifier::BOLD)
}

// The broadcaster's board: read from two metres, so fewer colours and bolder.

pub fn board_name() -> Style {
    Style::new()
        .fg(Color::Black)
        .bg(Color::Yellow)
        .add_modifier(Modifier::BOLD)
}

pub fn board_price() -> Style {
    Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD)
}

pub fn board_stock() -> Style {
    Style::new()
        .fg(Color::LightGreen)
        .add_modifier(Modifier::BOLD)
}

pub fn board_sale() -> Style {
    Style::new()
        .fg(Color::White)
        .bg(Color::Magenta)
        .add_modifier(Modifier::BOLD)
}

pub fn board_newest() -> Style {
    Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD)
}
