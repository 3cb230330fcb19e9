//! Key bindings as data: a table of (mode, key, modifiers) → `Action`, with
//! the defaults embedded here and room for config to override them later.
//! A key means what the mode on screen says: with an overlay open, the
//! inbox's keys are not bound at all, so nothing is decided on a row the
//! helper cannot see.

use crate::app::model::Mode;
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
    /// Take back the last confirmation or rejection.
    Undo,
    /// Ask to reject every pending intent of the selected row's product.
    RejectProductAll,
    /// Ask to reject every pending intent older than `STALE_MINUTES`.
    RejectStale,
    /// Ask to confirm every sure pending order of the product on air.
    ConfirmOnAirAll,
    /// Type units to add to the stock of the product on air (a restock).
    Restock,
    /// Start a flash sale of the product on air, or end the running one.
    FlashSale,
    /// Show the selected row's buyer's orders (their cart).
    OpenCart,
    /// Choose the selected intent's product from a list.
    OpenPicker,
    /// In a cart: cancel the selected order.
    CancelOrder,
    /// One more / one fewer: of the selected intent in the inbox, of the
    /// selected order in a cart.
    QtyUp,
    QtyDown,
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
    /// Type a filter for the inbox (text, buyer or product), or edit the one set.
    Filter,
    /// Scroll the chat to the selected intent's message and mark it.
    JumpToChat,
    /// Sort the inbox so each buyer's rows sit together, or back.
    GroupByBuyer,
}

/// The modes a binding holds in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Every mode: quitting, the overlays, moving the product on air (the
    /// products overlay shows the queue, so the helper sees what goes on air).
    Any,
    Only(Mode),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    bindings: Vec<(Scope, KeyCode, KeyModifiers, Action)>,
}

const INBOX: Scope = Scope::Only(Mode::Inbox);
const ASK: Scope = Scope::Only(Mode::Ask);
const PRODUCTS: Scope = Scope::Only(Mode::Products);
const CART: Scope = Scope::Only(Mode::Cart);
const ANY: Scope = Scope::Any;

/// The built-in bindings (issue 2, item 6).
const DEFAULT_BINDINGS: &[(Scope, KeyCode, KeyModifiers, Action)] = &[
    (INBOX, KeyCode::Up, KeyModifiers::NONE, Action::SelectUp),
    (
        INBOX,
        KeyCode::Char('k'),
        KeyModifiers::NONE,
        Action::SelectUp,
    ),
    (INBOX, KeyCode::Down, KeyModifiers::NONE, Action::SelectDown),
    (
        INBOX,
        KeyCode::Char('j'),
        KeyModifiers::NONE,
        Action::SelectDown,
    ),
    (
        INBOX,
        KeyCode::Char('y'),
        KeyModifiers::NONE,
        Action::Confirm,
    ),
    (INBOX, KeyCode::Enter, KeyModifiers::NONE, Action::Confirm),
    (
        INBOX,
        KeyCode::Char('n'),
        KeyModifiers::NONE,
        Action::Reject,
    ),
    (INBOX, KeyCode::Delete, KeyModifiers::NONE, Action::Reject),
    (INBOX, KeyCode::Char('u'), KeyModifiers::NONE, Action::Undo),
    (
        INBOX,
        KeyCode::Char('N'),
        KeyModifiers::NONE,
        Action::RejectProductAll,
    ),
    (
        INBOX,
        KeyCode::Char('O'),
        KeyModifiers::NONE,
        Action::RejectStale,
    ),
    (
        INBOX,
        KeyCode::Char('Y'),
        KeyModifiers::NONE,
        Action::ConfirmOnAirAll,
    ),
    // Stock and sales of the product on air, from the inbox or the queue.
    (
        INBOX,
        KeyCode::Char('R'),
        KeyModifiers::NONE,
        Action::Restock,
    ),
    (
        PRODUCTS,
        KeyCode::Char('R'),
        KeyModifiers::NONE,
        Action::Restock,
    ),
    (
        INBOX,
        KeyCode::Char('F'),
        KeyModifiers::NONE,
        Action::FlashSale,
    ),
    (
        PRODUCTS,
        KeyCode::Char('F'),
        KeyModifiers::NONE,
        Action::FlashSale,
    ),
    (
        INBOX,
        KeyCode::Char('c'),
        KeyModifiers::NONE,
        Action::OpenCart,
    ),
    // Fixing the selected intent before confirming it.
    (INBOX, KeyCode::Char('+'), KeyModifiers::NONE, Action::QtyUp),
    (INBOX, KeyCode::Char('='), KeyModifiers::NONE, Action::QtyUp),
    (
        INBOX,
        KeyCode::Char('-'),
        KeyModifiers::NONE,
        Action::QtyDown,
    ),
    (
        INBOX,
        KeyCode::Char('e'),
        KeyModifiers::NONE,
        Action::OpenPicker,
    ),
    (INBOX, KeyCode::Tab, KeyModifiers::NONE, Action::OpenPicker),
    (CART, KeyCode::Up, KeyModifiers::NONE, Action::SelectUp),
    (
        CART,
        KeyCode::Char('k'),
        KeyModifiers::NONE,
        Action::SelectUp,
    ),
    (CART, KeyCode::Down, KeyModifiers::NONE, Action::SelectDown),
    (
        CART,
        KeyCode::Char('j'),
        KeyModifiers::NONE,
        Action::SelectDown,
    ),
    (
        CART,
        KeyCode::Char('x'),
        KeyModifiers::NONE,
        Action::CancelOrder,
    ),
    (CART, KeyCode::Char('+'), KeyModifiers::NONE, Action::QtyUp),
    (CART, KeyCode::Char('='), KeyModifiers::NONE, Action::QtyUp),
    (
        CART,
        KeyCode::Char('-'),
        KeyModifiers::NONE,
        Action::QtyDown,
    ),
    (CART, KeyCode::Char('u'), KeyModifiers::NONE, Action::Undo),
    // A question: y answers yes, n no (Esc too, as everywhere).
    (ASK, KeyCode::Char('y'), KeyModifiers::NONE, Action::Confirm),
    (ASK, KeyCode::Enter, KeyModifiers::NONE, Action::Confirm),
    (
        ASK,
        KeyCode::Char('n'),
        KeyModifiers::NONE,
        Action::CloseOverlay,
    ),
    (
        ANY,
        KeyCode::Char(']'),
        KeyModifiers::NONE,
        Action::NextProduct,
    ),
    (
        ANY,
        KeyCode::Char('['),
        KeyModifiers::NONE,
        Action::PrevProduct,
    ),
    (
        ANY,
        KeyCode::Char('p'),
        KeyModifiers::NONE,
        Action::ToggleProducts,
    ),
    (
        INBOX,
        KeyCode::PageUp,
        KeyModifiers::NONE,
        Action::ChatOlder,
    ),
    (
        INBOX,
        KeyCode::PageDown,
        KeyModifiers::NONE,
        Action::ChatNewer,
    ),
    (INBOX, KeyCode::End, KeyModifiers::NONE, Action::ChatLatest),
    (
        ANY,
        KeyCode::Char('?'),
        KeyModifiers::NONE,
        Action::ToggleHelp,
    ),
    (ANY, KeyCode::Esc, KeyModifiers::NONE, Action::CloseOverlay),
    (ANY, KeyCode::Char('q'), KeyModifiers::NONE, Action::Quit),
    (ANY, KeyCode::Char('c'), KeyModifiers::CONTROL, Action::Quit),
    // The inbox at speed: filter, jump to the chat line, group by buyer.
    // While the filter is typed, keys go into it (update's filter_key).
    (
        INBOX,
        KeyCode::Char('/'),
        KeyModifiers::NONE,
        Action::Filter,
    ),
    (
        INBOX,
        KeyCode::Char('g'),
        KeyModifiers::NONE,
        Action::JumpToChat,
    ),
    (
        INBOX,
        KeyCode::Char('G'),
        KeyModifiers::NONE,
        Action::GroupByBuyer,
    ),
];

impl Default for Keymap {
    fn default() -> Self {
        Keymap {
            bindings: DEFAULT_BINDINGS.to_vec(),
        }
    }
}

impl Keymap {
    /// Binds a key in `scope`, replacing what it was bound to there.
    pub fn bind(&mut self, scope: Scope, code: KeyCode, modifiers: KeyModifiers, action: Action) {
        let modifiers = normalize(code, modifiers);
        self.bindings
            .retain(|(s, c, m, _)| !(*s == scope && *c == code && *m == modifiers));
        self.bindings.push((scope, code, modifiers, action));
    }

    /// What `key` asks for in `mode`; a binding for the mode itself wins
    /// over one for every mode.
    pub fn action(&self, mode: Mode, key: &KeyEvent) -> Option<Action> {
        let modifiers = normalize(key.code, key.modifiers);
        let bound = |scope: Scope| {
            self.bindings
                .iter()
                .find(|(s, c, m, _)| *s == scope && *c == key.code && *m == modifiers)
                .map(|(_, _, _, action)| *action)
        };
        bound(Scope::Only(mode)).or_else(|| bound(Scope::Any))
    }

    /// The keys bound to an action in `scope`, for help and hints.
    pub fn keys_for(
        &self,
        scope: Scope,
        action: Action,
    ) -> impl Iterator<Item = (KeyCode, KeyModifiers)> + '_ {
        self.bindings
            .iter()
            .filter(move |(s, _, _, a)| *s == scope && *a == action)
            .map(|(_, c, m, _)| (*c, *m))
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
                map.action(Mode::Inbox, &key(code, mods)),
                Some(want),
                "{code:?} {mods:?}"
            );
        }
        assert_eq!(
            map.action(Mode::Inbox, &key(KeyCode::Char('c'), KeyModifiers::NONE)),
            Some(Action::OpenCart)
        );
        assert_eq!(
            map.action(Mode::Inbox, &key(KeyCode::Char('z'), KeyModifiers::NONE)),
            None
        );
        assert_eq!(
            map.action(Mode::Inbox, &key(KeyCode::Char('x'), KeyModifiers::NONE)),
            None
        );
    }

    #[test]
    fn bind_replaces_an_existing_binding() {
        let mut map = Keymap::default();
        map.bind(
            INBOX,
            KeyCode::Char('y'),
            KeyModifiers::NONE,
            Action::Reject,
        );
        assert_eq!(
            map.action(Mode::Inbox, &key(KeyCode::Char('y'), KeyModifiers::NONE)),
            Some(Action::Reject)
        );
        assert_eq!(map.keys_for(INBOX, Action::Confirm).count(), 1);
        assert_eq!(
            map.keys_for(ASK, Action::Confirm).count(),
            2,
            "y and Enter still answer yes"
        );
    }

    #[test]
    fn inbox_keys_are_unbound_under_an_overlay_and_global_keys_hold() {
        let map = Keymap::default();
        for mode in [Mode::Help, Mode::Products] {
            for code in [
                KeyCode::Char('y'),
                KeyCode::Enter,
                KeyCode::Char('n'),
                KeyCode::Down,
            ] {
                assert_eq!(
                    map.action(mode, &key(code, KeyModifiers::NONE)),
                    None,
                    "{mode:?} {code:?}"
                );
            }
            assert_eq!(
                map.action(mode, &key(KeyCode::Char(']'), KeyModifiers::NONE)),
                Some(Action::NextProduct)
            );
            assert_eq!(
                map.action(mode, &key(KeyCode::Esc, KeyModifiers::NONE)),
                Some(Action::CloseOverlay)
            );
        }
    }
}
