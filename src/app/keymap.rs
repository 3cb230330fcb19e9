//! Key bindings as data: a table of (key, modifiers) → `Action`, with the
//! defaults embedded here and room for config to override them later.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::{Deserialize, Serialize};

/// What a key asks for, independent of which key it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    SelectUp,
    SelectDown,
    Confirm,
    Reject,
    NextProduct,
    PrevProduct,
    ToggleProducts,
    /// Scroll the chat back (stops following new messages).
    ChatOlder,
    ChatNewer,
    /// Follow the newest messages again.
    ChatLatest,
    ToggleHelp,
    CloseOverlay,
    Quit,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    bindings: Vec<(KeyCode, KeyModifiers, Action)>,
}

/// The built-in bindings (issue 2, item 6).
const DEFAULT_BINDINGS: &[(KeyCode, KeyModifiers, Action)] = &[
    (KeyCode::Up, KeyModifiers::NONE, Action::SelectUp),
    (KeyCode::Char('k'), KeyModifiers::NONE, Action::SelectUp),
    (KeyCode::Down, KeyModifiers::NONE, Action::SelectDown),
    (KeyCode::Char('j'), KeyModifiers::NONE, Action::SelectDown),
    (KeyCode::Char('y'), KeyModifiers::NONE, Action::Confirm),
    (KeyCode::Enter, KeyModifiers::NONE, Action::Confirm),
    (KeyCode::Char('n'), KeyModifiers::NONE, Action::Reject),
    (KeyCode::Delete, KeyModifiers::NONE, Action::Reject),
    (KeyCode::Char(']'), KeyModifiers::NONE, Action::NextProduct),
    (KeyCode::Char('['), KeyModifiers::NONE, Action::PrevProduct),
    (
        KeyCode::Char('p'),
        KeyModifiers::NONE,
        Action::ToggleProducts,
    ),
    (KeyCode::PageUp, KeyModifiers::NONE, Action::ChatOlder),
    (KeyCode::PageDown, KeyModifiers::NONE, Action::ChatNewer),
    (KeyCode::End, KeyModifiers::NONE, Action::ChatLatest),
    (KeyCode::Char('?'), KeyModifiers::NONE, Action::ToggleHelp),
    (KeyCode::Esc, KeyModifiers::NONE, Action::CloseOverlay),
    (KeyCode::Char('q'), KeyModifiers::NONE, Action::Quit),
    (KeyCode::Char('c'), KeyModifiers::CONTROL, Action::Quit),
];

impl Default for Keymap {
    fn default() -> Self {
        Keymap {
            bindings: DEFAULT_BINDINGS.to_vec(),
        }
    }
}

impl Keymap {
    /// Binds a key, replacing whatever it was bound to.
    pub fn bind(&mut self, code: KeyCode, modifiers: KeyModifiers, action: Action) {
        let modifiers = normalize(code, modifiers);
        self.bindings
            .retain(|(c, m, _)| !(*c == code && *m == modifiers));
        self.bindings.push((code, modifiers, action));
    }

    pub fn action(&self, key: &KeyEvent) -> Option<Action> {
        let modifiers = normalize(key.code, key.modifiers);
        self.bindings
            .iter()
            .find(|(c, m, _)| *c == key.code && *m == modifiers)
            .map(|(_, _, action)| *action)
    }

    /// The keys bound to an action, for help and hints.
    pub fn keys_for(&self, action: Action) -> impl Iterator<Item = (KeyCode, KeyModifiers)> + '_ {
        self.bindings
            .iter()
            .filter(move |(_, _, a)| *a == action)
            .map(|(c, m, _)| (*c, *m))
    }
}

/// Terminals differ on whether a typed `?` or `Y` carries SHIFT; the character
/// already says it, so SHIFT is ignored for characters.
fn normalize(code: KeyCode, modifiers: KeyModifiers) -> KeyModifiers {
    match code {
        KeyCode::Char(_) => modifiers - KeyModifiers::SHIFT,
        _ => modifiers,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    #[test]
    fn defaults_cover_the_issue_keys() {
        let map = Keymap::default();
        let cases = [
            (KeyCode::Char('y'), KeyModifiers::NONE, Action::Confirm),
            (KeyCode::Enter, KeyModifiers::NONE, Action::Confirm),
            (KeyCode::Delete, KeyModifiers::NONE, Action::Reject),
            (KeyCode::Char('j'), KeyModifiers::NONE, Action::SelectDown),
            (KeyCode::Char(']'), KeyModifiers::NONE, Action::NextProduct),
            (KeyCode::Char('c'), KeyModifiers::CONTROL, Action::Quit),
            (KeyCode::Char('?'), KeyModifiers::SHIFT, Action::ToggleHelp),
        ];
        for (code, mods, want) in cases {
            assert_eq!(
                map.action(&key(code, mods)),
                Some(want),
                "{code:?} {mods:?}"
            );
        }
        assert_eq!(
            map.action(&key(KeyCode::Char('c'), KeyModifiers::NONE)),
            None
        );
        assert_eq!(
            map.action(&key(KeyCode::Char('x'), KeyModifiers::NONE)),
            None
        );
    }

    #[test]
    fn bind_replaces_an_existing_binding() {
        let mut map = Keymap::default();
        map.bind(KeyCode::Char('y'), KeyModifiers::NONE, Action::Reject);
        assert_eq!(
            map.action(&key(KeyCode::Char('y'), KeyModifiers::NONE)),
            Some(Action::Reject)
        );
        assert_eq!(map.keys_for(Action::Confirm).count(), 1);
    }
}
