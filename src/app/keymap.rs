//! Key bindings as data: a table of (mode, key, modifiers) → `Action`, with
//! the defaults embedded here and the `[keys]` overrides of config.toml
//! applied on top (`with_overrides`), plus the key syntax config uses
//! (`parse_key`). Help and hints read the table, so they show what is bound.
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
    /// Type units to add to the stock of the product on air (in the queue:
    /// of the selected product), a restock.
    Restock,
    /// Start a flash sale of the product on air (in the queue: of the
    /// selected product), or end the running one.
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
    /// Put the product on air after / before it in the order of selling.
    NextProduct,
    PrevProduct,
    /// Small screens: open or close the queue overlay; wide ones: hide or
    /// show the product pane.
    ToggleProducts,
    /// Put the keys on the product queue, or give them back to the inbox.
    FocusProducts,
    /// In the queue: put the selected product on air.
    PutOnAir,
    /// In the queue: move the selected product one place earlier / later
    /// in the order of selling.
    MoveProductUp,
    MoveProductDown,
    /// In the queue: ask to mark the selected product sold out.
    SoldOut,
    /// Scroll the chat back (stops following new messages).
    ChatOlder,
    ChatNewer,
    /// Follow the newest messages again.
    ChatLatest,
    ToggleHelp,
    CloseOverlay,
    Quit,
    /// Open (or close) the orders view: totals, sales charts, carts per buyer.
    OpenOrders,
    /// Open (or close) the waitlist: orders waiting for stock, per product.
    OpenWaitlist,
    /// Show the broadcaster's board full screen; any key goes back.
    ShowBoard,
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
const HELP: Scope = Scope::Only(Mode::Help);
const ANY: Scope = Scope::Any;
const ORDERS: Scope = Scope::Only(Mode::Orders);
const WAITLIST: Scope = Scope::Only(Mode::Waitlist);
const BOARD: Scope = Scope::Only(Mode::Board);

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
    // The help scrolls when it does not fit.
    (HELP, KeyCode::Up, KeyModifiers::NONE, Action::SelectUp),
    (
        HELP,
        KeyCode::Char('k'),
        KeyModifiers::NONE,
        Action::SelectUp,
    ),
    (HELP, KeyCode::Down, KeyModifiers::NONE, Action::SelectDown),
    (
        HELP,
        KeyCode::Char('j'),
        KeyModifiers::NONE,
        Action::SelectDown,
    ),
    // The product queue worked by key (`P`); R and F there are above.
    (
        INBOX,
        KeyCode::Char('P'),
        KeyModifiers::NONE,
        Action::FocusProducts,
    ),
    (
        PRODUCTS,
        KeyCode::Char('P'),
        KeyModifiers::NONE,
        Action::FocusProducts,
    ),
    (PRODUCTS, KeyCode::Up, KeyModifiers::NONE, Action::SelectUp),
    (
        PRODUCTS,
        KeyCode::Char('k'),
        KeyModifiers::NONE,
        Action::SelectUp,
    ),
    (
        PRODUCTS,
        KeyCode::Down,
        KeyModifiers::NONE,
        Action::SelectDown,
    ),
    (
        PRODUCTS,
        KeyCode::Char('j'),
        KeyModifiers::NONE,
        Action::SelectDown,
    ),
    (
        PRODUCTS,
        KeyCode::Enter,
        KeyModifiers::NONE,
        Action::PutOnAir,
    ),
    (
        PRODUCTS,
        KeyCode::Char('K'),
        KeyModifiers::NONE,
        Action::MoveProductUp,
    ),
    (
        PRODUCTS,
        KeyCode::Up,
        KeyModifiers::SHIFT,
        Action::MoveProductUp,
    ),
    (
        PRODUCTS,
        KeyCode::Char('J'),
        KeyModifiers::NONE,
        Action::MoveProductDown,
    ),
    (
        PRODUCTS,
        KeyCode::Down,
        KeyModifiers::SHIFT,
        Action::MoveProductDown,
    ),
    (
        PRODUCTS,
        KeyCode::Char('x'),
        KeyModifiers::NONE,
        Action::SoldOut,
    ),
    // The order book's views (issue 9): o orders, w waitlist, b the board;
    // each key opens its view from the inbox and closes it again.
    (
        INBOX,
        KeyCode::Char('o'),
        KeyModifiers::NONE,
        Action::OpenOrders,
    ),
    (
        ORDERS,
        KeyCode::Char('o'),
        KeyModifiers::NONE,
        Action::OpenOrders,
    ),
    (ORDERS, KeyCode::Up, KeyModifiers::NONE, Action::SelectUp),
    (
        ORDERS,
        KeyCode::Char('k'),
        KeyModifiers::NONE,
        Action::SelectUp,
    ),
    (
        ORDERS,
        KeyCode::Down,
        KeyModifiers::NONE,
        Action::SelectDown,
    ),
    (
        ORDERS,
        KeyCode::Char('j'),
        KeyModifiers::NONE,
        Action::SelectDown,
    ),
    // Enter opens the selected buyer's cart; Esc there comes back.
    (ORDERS, KeyCode::Enter, KeyModifiers::NONE, Action::OpenCart),
    (
        INBOX,
        KeyCode::Char('w'),
        KeyModifiers::NONE,
        Action::OpenWaitlist,
    ),
    (
        WAITLIST,
        KeyCode::Char('w'),
        KeyModifiers::NONE,
        Action::OpenWaitlist,
    ),
    (WAITLIST, KeyCode::Up, KeyModifiers::NONE, Action::SelectUp),
    (
        WAITLIST,
        KeyCode::Char('k'),
        KeyModifiers::NONE,
        Action::SelectUp,
    ),
    (
        WAITLIST,
        KeyCode::Down,
        KeyModifiers::NONE,
        Action::SelectDown,
    ),
    (
        WAITLIST,
        KeyCode::Char('j'),
        KeyModifiers::NONE,
        Action::SelectDown,
    ),
    (
        WAITLIST,
        KeyCode::Char('y'),
        KeyModifiers::NONE,
        Action::Confirm,
    ),
    (
        WAITLIST,
        KeyCode::Char('n'),
        KeyModifiers::NONE,
        Action::Reject,
    ),
    (
        INBOX,
        KeyCode::Char('b'),
        KeyModifiers::NONE,
        Action::ShowBoard,
    ),
    (
        BOARD,
        KeyCode::Char('b'),
        KeyModifiers::NONE,
        Action::ShowBoard,
    ),
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

    /// Gives each configured action its keys instead of its defaults, in
    /// every scope the action is bound in by default. Conflicts are not
    /// resolved here: `conflict` finds them, so config can name them.
    pub fn with_overrides(mut self, overrides: &[(Action, Vec<Key>)]) -> Keymap {
        for (action, keys) in overrides {
            let mut scopes: Vec<Scope> = Vec::new();
            for (scope, ..) in self.bindings.iter().filter(|b| b.3 == *action) {
                if !scopes.contains(scope) {
                    scopes.push(*scope);
                }
            }
            // Each configured key takes the place of the first default, so
            // the table keeps its order (help lists actions in it).
            let at = self.bindings.iter().position(|b| b.3 == *action);
            self.bindings.retain(|b| b.3 != *action);
            let mut added = Vec::new();
            for scope in scopes {
                for key in keys {
                    let binding = (scope, key.code, normalize(key.code, key.modifiers), *action);
                    if !added.contains(&binding) {
                        added.push(binding);
                    }
                }
            }
            let at = at.unwrap_or(self.bindings.len()).min(self.bindings.len());
            self.bindings.splice(at..at, added);
        }
        self
    }

    /// Two different actions on one key where both hold (the same mode, or
    /// one of them in every mode): the first such pair in table order.
    pub fn conflict(&self) -> Option<Conflict> {
        for (i, a) in self.bindings.iter().enumerate() {
            for b in &self.bindings[i + 1..] {
                let overlap = a.0 == b.0 || a.0 == Scope::Any || b.0 == Scope::Any;
                if overlap && a.1 == b.1 && a.2 == b.2 && a.3 != b.3 {
                    let scope = if a.0 == Scope::Any { b.0 } else { a.0 };
                    return Some(Conflict {
                        scope,
                        key: Key {
                            code: a.1,
                            modifiers: a.2,
                        },
                        actions: [a.3, b.3],
                    });
                }
            }
        }
        None
    }

    /// The bindings that hold in `mode`, in table order: the mode's own,
    /// then those of every mode it does not bind otherwise.
    pub fn bindings_in(&self, mode: Mode) -> Vec<(Key, Action)> {
        let own = self
            .bindings
            .iter()
            .filter(|b| b.0 == Scope::Only(mode))
            .map(|b| (Key::new(b.1, b.2), b.3));
        let shadowed = |code: KeyCode, modifiers: KeyModifiers| {
            self.bindings
                .iter()
                .any(|b| b.0 == Scope::Only(mode) && b.1 == code && b.2 == modifiers)
        };
        let any = self
            .bindings
            .iter()
            .filter(|b| b.0 == Scope::Any && !shadowed(b.1, b.2))
            .map(|b| (Key::new(b.1, b.2), b.3));
        own.chain(any).collect()
    }

    /// Every action the table binds somewhere, in table order (config
    /// lists them when an action name is not known).
    pub fn actions(&self) -> Vec<Action> {
        let mut actions = Vec::new();
        for (.., action) in &self.bindings {
            if !actions.contains(action) {
                actions.push(*action);
            }
        }
        actions
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
/// already says it, so SHIFT is ignored for characters (and for BackTab,
/// which is Shift+Tab).
fn normalize(code: KeyCode, modifiers: KeyModifiers) -> KeyModifiers {
    match code {
        KeyCode::Char(_) | KeyCode::BackTab => modifiers - KeyModifiers::SHIFT,
        _ => modifiers,
    }
}

/// One key with its modifiers, as bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub modifiers: KeyModifiers,
}

impl Key {
    pub fn new(code: KeyCode, modifiers: KeyModifiers) -> Key {
        Key {
            code,
            modifiers: normalize(code, modifiers),
        }
    }
}

/// Two actions bound to one key where both would hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Conflict {
    /// Where they clash (`Any`: in every mode).
    pub scope: Scope,
    pub key: Key,
    pub actions: [Action; 2],
}

/// Named keys as config writes them (lower case; matched ignoring case).
const KEY_NAMES: &[(&str, KeyCode)] = &[
    ("enter", KeyCode::Enter),
    ("return", KeyCode::Enter),
    ("esc", KeyCode::Esc),
    ("escape", KeyCode::Esc),
    ("tab", KeyCode::Tab),
    ("backtab", KeyCode::BackTab),
    ("space", KeyCode::Char(' ')),
    ("up", KeyCode::Up),
    ("down", KeyCode::Down),
    ("left", KeyCode::Left),
    ("right", KeyCode::Right),
    ("pgup", KeyCode::PageUp),
    ("pageup", KeyCode::PageUp),
    ("pgdn", KeyCode::PageDown),
    ("pagedown", KeyCode::PageDown),
    ("home", KeyCode::Home),
    ("end", KeyCode::End),
    ("delete", KeyCode::Delete),
    ("del", KeyCode::Delete),
    ("backspace", KeyCode::Backspace),
    ("insert", KeyCode::Insert),
];

/// Reads a key as config writes it: one character (case counts: `"Y"` is
/// Shift+Y), or a name (`enter`, `esc`, `pgup`, `f5`, …), after any of
/// `ctrl+`, `alt+`, `shift+`. `None` when it is neither.
pub fn parse_key(text: &str) -> Option<Key> {
    let mut rest = text;
    let mut modifiers = KeyModifiers::NONE;
    loop {
        let lower = rest.to_ascii_lowercase();
        let (modifier, len) = if lower.starts_with("ctrl+") {
            (KeyModifiers::CONTROL, 5)
        } else if lower.starts_with("alt+") {
            (KeyModifiers::ALT, 4)
        } else if lower.starts_with("shift+") {
            (KeyModifiers::SHIFT, 6)
        } else {
            break;
        };
        // "ctrl++" is Ctrl and the plus key; a lone "+" is the plus key.
        if rest.len() == len - 1 {
            break;
        }
        modifiers |= modifier;
        rest = &rest[len..];
    }
    let mut chars = rest.chars();
    let code = match (chars.next(), chars.next()) {
        (Some(c), None) if !c.is_control() => {
            // Shift+y is written "Y" in the key's own character.
            if modifiers.contains(KeyModifiers::SHIFT) && c.is_lowercase() {
                let mut upper = c.to_uppercase();
                match (upper.next(), upper.next()) {
                    (Some(u), None) => KeyCode::Char(u),
                    _ => KeyCode::Char(c),
                }
            } else {
                KeyCode::Char(c)
            }
        }
        _ => {
            let lower = rest.to_ascii_lowercase();
            if let Some(&(_, code)) = KEY_NAMES.iter().find(|(name, _)| *name == lower) {
                code
            } else if let Some(n) = lower.strip_prefix('f').and_then(|n| n.parse::<u8>().ok()) {
                if !(1..=12).contains(&n) {
                    return None;
                }
                KeyCode::F(n)
            } else {
                return None;
            }
        }
    };
    // Shift+Tab is what terminals send as BackTab.
    let code = if code == KeyCode::Tab && modifiers.contains(KeyModifiers::SHIFT) {
        KeyCode::BackTab
    } else {
        code
    };
    Some(Key::new(code, modifiers))
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
    fn the_defaults_bind_no_key_twice() {
        assert_eq!(Keymap::default().conflict(), None);
    }

    #[test]
    fn config_key_syntax() {
        let k = |code, modifiers| Some(Key::new(code, modifiers));
        let none = KeyModifiers::NONE;
        assert_eq!(parse_key("y"), k(KeyCode::Char('y'), none));
        assert_eq!(parse_key("Y"), k(KeyCode::Char('Y'), none));
        assert_eq!(parse_key("shift+y"), k(KeyCode::Char('Y'), none));
        assert_eq!(parse_key("Enter"), k(KeyCode::Enter, none));
        assert_eq!(parse_key("pgdn"), k(KeyCode::PageDown, none));
        assert_eq!(parse_key("f12"), k(KeyCode::F(12), none));
        assert_eq!(parse_key("space"), k(KeyCode::Char(' '), none));
        assert_eq!(parse_key("+"), k(KeyCode::Char('+'), none));
        assert_eq!(
            parse_key("ctrl++"),
            k(KeyCode::Char('+'), KeyModifiers::CONTROL)
        );
        assert_eq!(
            parse_key("ctrl+c"),
            k(KeyCode::Char('c'), KeyModifiers::CONTROL)
        );
        assert_eq!(
            parse_key("Ctrl+Alt+left"),
            k(KeyCode::Left, KeyModifiers::CONTROL | KeyModifiers::ALT)
        );
        assert_eq!(parse_key("shift+tab"), k(KeyCode::BackTab, none));
        assert_eq!(parse_key("确"), k(KeyCode::Char('确'), none));
        for bad in ["", "ctrl+", "enterr", "f13", "f0", "yy", "hyper+x", "\u{7}"] {
            assert_eq!(parse_key(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_configured_action_replaces_its_defaults_in_each_of_its_modes() {
        let map = Keymap::default().with_overrides(&[(
            Action::Confirm,
            vec![parse_key("a").unwrap(), parse_key("ctrl+y").unwrap()],
        )]);
        let y = key(KeyCode::Char('y'), KeyModifiers::NONE);
        let a = key(KeyCode::Char('a'), KeyModifiers::NONE);
        assert_eq!(map.action(Mode::Inbox, &y), None);
        assert_eq!(map.action(Mode::Inbox, &a), Some(Action::Confirm));
        assert_eq!(map.action(Mode::Ask, &a), Some(Action::Confirm));
        assert_eq!(
            map.action(Mode::Ask, &key(KeyCode::Char('y'), KeyModifiers::CONTROL)),
            Some(Action::Confirm)
        );
        assert_eq!(
            map.action(Mode::Inbox, &key(KeyCode::Enter, KeyModifiers::NONE)),
            None
        );
        assert_eq!(map.conflict(), None);
        // n is reject's in the inbox: confirming with it clashes there.
        let map =
            Keymap::default().with_overrides(&[(Action::Confirm, vec![parse_key("n").unwrap()])]);
        let conflict = map.conflict().unwrap();
        assert_eq!(conflict.scope, INBOX);
        assert!(conflict.actions.contains(&Action::Reject));
        // q in the inbox would hide quit, which holds everywhere.
        let map =
            Keymap::default().with_overrides(&[(Action::OpenCart, vec![parse_key("q").unwrap()])]);
        assert_eq!(map.conflict().map(|c| c.scope), Some(INBOX));
    }

    #[test]
    fn bindings_in_a_mode_hide_what_the_mode_rebinds() {
        let map = Keymap::default();
        let ask = map.bindings_in(Mode::Ask);
        assert!(ask.contains(&(
            Key::new(KeyCode::Char('n'), KeyModifiers::NONE),
            Action::CloseOverlay
        )));
        assert!(ask.contains(&(
            Key::new(KeyCode::Char('q'), KeyModifiers::NONE),
            Action::Quit
        )));
        assert!(!ask.iter().any(|(_, a)| *a == Action::Reject));
    }

    #[test]
    fn inbox_keys_are_unbound_under_an_overlay_and_global_keys_hold() {
        let map = Keymap::default();
        for mode in [Mode::Help, Mode::Products] {
            // (↓ scrolls the help; Enter puts the queue's product on air.)
            for code in [KeyCode::Char('y'), KeyCode::Char('n'), KeyCode::Delete] {
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

    #[test]
    fn the_queue_has_its_own_keys() {
        let map = Keymap::default();
        let cases = [
            (KeyCode::Enter, KeyModifiers::NONE, Action::PutOnAir),
            (KeyCode::Down, KeyModifiers::NONE, Action::SelectDown),
            (KeyCode::Char('k'), KeyModifiers::NONE, Action::SelectUp),
            (
                KeyCode::Char('K'),
                KeyModifiers::SHIFT,
                Action::MoveProductUp,
            ),
            (KeyCode::Up, KeyModifiers::SHIFT, Action::MoveProductUp),
            (
                KeyCode::Char('J'),
                KeyModifiers::NONE,
                Action::MoveProductDown,
            ),
            (KeyCode::Down, KeyModifiers::SHIFT, Action::MoveProductDown),
            (KeyCode::Char('x'), KeyModifiers::NONE, Action::SoldOut),
            (KeyCode::Char('R'), KeyModifiers::NONE, Action::Restock),
            (KeyCode::Char('F'), KeyModifiers::NONE, Action::FlashSale),
            (
                KeyCode::Char('P'),
                KeyModifiers::SHIFT,
                Action::FocusProducts,
            ),
            (KeyCode::Esc, KeyModifiers::NONE, Action::CloseOverlay),
        ];
        for (code, mods, want) in cases {
            assert_eq!(
                map.action(Mode::Products, &key(code, mods)),
                Some(want),
                "{code:?} {mods:?}"
            );
        }
        assert_eq!(
            map.action(Mode::Inbox, &key(KeyCode::Char('P'), KeyModifiers::NONE)),
            Some(Action::FocusProducts)
        );
        // Moving products is the queue's alone: the inbox's J and K are free.
        assert_eq!(
            map.action(Mode::Inbox, &key(KeyCode::Char('K'), KeyModifiers::NONE)),
            None
        );
    }
}
