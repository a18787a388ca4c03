//! Keys -> actions: the default table, overridable from the config (`"ctrl-d" = "delete"`).
//! The help overlay and the README list the same table.

mod keys;

use std::collections::HashMap;

use crossterm::event::KeyEvent;

pub use keys::{KeySpec, key_name, parse_key};

macro_rules! actions {
    ($($variant:ident => $name:literal),* $(,)?) => {
        /// Something the user can ask for with a key.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Action { $($variant),* }

        impl Action {
            /// Every action, in the order of the enum.
            pub const ALL: &[Action] = &[$(Action::$variant),*];

            /// The name used in the config file.
            pub fn name(self) -> &'static str {
                match self { $(Action::$variant => $name),* }
            }
        }
    };
}

actions! {
    SwitchPane => "switch-pane",
    Up => "up",
    Down => "down",
    PageUp => "page-up",
    PageDown => "page-down",
    Top => "top",
    Bottom => "bottom",
    Open => "open",
    Parent => "parent",
    Refresh => "refresh",
    ToggleHidden => "toggle-hidden",
    CycleSort => "cycle-sort",
    ReverseSort => "reverse-sort",
    Copy => "copy",
    Move => "move",
    ToggleSelect => "toggle-select",
    InvertSelection => "invert-selection",
    SelectGlob => "select-glob",
    DeselectGlob => "deselect-glob",
    ToggleTransfers => "toggle-transfers",
    CancelJob => "cancel-job",
    CancelAll => "cancel-all",
    RetryJob => "retry-job",
    Mkdir => "mkdir",
    Rename => "rename",
    Delete => "delete",
    Chmod => "chmod",
    View => "view",
    Edit => "edit",
    Filter => "filter",
    SyncBrowse => "sync-browse",
    Compare => "compare",
    ToggleLog => "toggle-log",
    Bookmarks => "bookmarks",
    QuickConnect => "quick-connect",
    Suspend => "suspend",
    Help => "help",
    Quit => "quit",
}

impl Action {
    /// The action a config file names, if any.
    pub fn from_name(name: &str) -> Option<Action> {
        let norm = name.trim().to_ascii_lowercase().replace('_', "-");
        Action::ALL.iter().copied().find(|a| a.name() == norm)
    }
}

/// The default bindings as the help overlay shows them: (keys, action, description).
pub const BINDINGS: &[(&str, Action, &str)] = &[
    (
        "Tab",
        Action::SwitchPane,
        "switch pane (and transfer panel)",
    ),
    ("↑ / k", Action::Up, "move up"),
    ("↓ / j", Action::Down, "move down"),
    ("PgUp / PgDn", Action::PageDown, "page up / down"),
    ("Home / g", Action::Top, "first entry"),
    ("End / G", Action::Bottom, "last entry"),
    ("Enter / → / l", Action::Open, "open directory"),
    ("Backspace / ← / h", Action::Parent, "parent directory"),
    ("r", Action::Refresh, "refresh (reconnect if needed)"),
    (".", Action::ToggleHidden, "show/hide hidden files"),
    (
        "s",
        Action::CycleSort,
        "sort by name, size, time, extension",
    ),
    ("S", Action::ReverseSort, "reverse sort order"),
    (
        "F5 / c",
        Action::Copy,
        "copy to the other pane (upload/download)",
    ),
    ("F6 / m", Action::Move, "move to the other pane"),
    (
        "Space / Insert",
        Action::ToggleSelect,
        "select / unselect, move down",
    ),
    ("*", Action::InvertSelection, "invert selection"),
    ("+ / -", Action::SelectGlob, "select / unselect by pattern"),
    ("t", Action::ToggleTransfers, "show/hide transfer panel"),
    (
        "x",
        Action::CancelJob,
        "cancel the transfer under the panel cursor",
    ),
    ("X", Action::CancelAll, "cancel all transfers"),
    (
        "R",
        Action::RetryJob,
        "retry the failed transfer under the panel cursor",
    ),
    ("F7 / n", Action::Mkdir, "new directory"),
    ("F2", Action::Rename, "rename"),
    (
        "F8 / Delete",
        Action::Delete,
        "delete (directories recursively)",
    ),
    ("p", Action::Chmod, "permissions (octal 755 or rwxr-xr-x)"),
    ("F3", Action::View, "view a file (text or hex)"),
    ("F4", Action::Edit, "edit a file in $EDITOR"),
    (
        "/",
        Action::Filter,
        "filter as you type (Enter keeps, Esc clears)",
    ),
    ("Ctrl-Y", Action::SyncBrowse, "synchronised browsing on/off"),
    ("=", Action::Compare, "compare the two directories"),
    ("L", Action::ToggleLog, "show/hide the protocol log"),
    ("b", Action::Bookmarks, "bookmarks and recent connections"),
    ("o", Action::QuickConnect, "quick connect form"),
    ("Ctrl-Z", Action::Suspend, "suspend (fg to come back)"),
    ("? / F1", Action::Help, "this help"),
    ("q / F10 / Ctrl-C", Action::Quit, "quit"),
];

/// The default key of every binding, in config syntax.
pub const DEFAULT_KEYS: &[(&str, Action)] = &[
    ("tab", Action::SwitchPane),
    ("backtab", Action::SwitchPane),
    ("up", Action::Up),
    ("k", Action::Up),
    ("down", Action::Down),
    ("j", Action::Down),
    ("pageup", Action::PageUp),
    ("pagedown", Action::PageDown),
    ("home", Action::Top),
    ("g", Action::Top),
    ("end", Action::Bottom),
    ("G", Action::Bottom),
    ("enter", Action::Open),
    ("right", Action::Open),
    ("l", Action::Open),
    ("backspace", Action::Parent),
    ("left", Action::Parent),
    ("h", Action::Parent),
    ("r", Action::Refresh),
    ("ctrl-r", Action::Refresh),
    (".", Action::ToggleHidden),
    ("s", Action::CycleSort),
    ("S", Action::ReverseSort),
    ("f5", Action::Copy),
    ("c", Action::Copy),
    ("f6", Action::Move),
    ("m", Action::Move),
    ("space", Action::ToggleSelect),
    ("insert", Action::ToggleSelect),
    ("*", Action::InvertSelection),
    ("+", Action::SelectGlob),
    ("-", Action::DeselectGlob),
    ("t", Action::ToggleTransfers),
    ("x", Action::CancelJob),
    ("X", Action::CancelAll),
    ("R", Action::RetryJob),
    ("f7", Action::Mkdir),
    ("n", Action::Mkdir),
    ("f2", Action::Rename),
    ("f8", Action::Delete),
    ("delete", Action::Delete),
    ("p", Action::Chmod),
    ("f3", Action::View),
    ("f4", Action::Edit),
    ("/", Action::Filter),
    ("ctrl-y", Action::SyncBrowse),
    ("=", Action::Compare),
    ("L", Action::ToggleLog),
    ("b", Action::Bookmarks),
    ("o", Action::QuickConnect),
    ("?", Action::Help),
    ("f1", Action::Help),
    ("q", Action::Quit),
    ("f10", Action::Quit),
    ("ctrl-z", Action::Suspend),
    ("ctrl-c", Action::Quit),
    ("ctrl-q", Action::Quit),
];

/// The key bindings in force.
#[derive(Debug, Clone)]
pub struct Keymap {
    map: HashMap<KeySpec, Action>,
}

impl Default for Keymap {
    fn default() -> Self {
        let map = DEFAULT_KEYS
            .iter()
            .map(|(k, a)| (parse_key(k).expect("default keys parse"), *a))
            .collect();
        Keymap { map }
    }
}

impl Keymap {
    /// The action bound to a key press, if any.
    pub fn action_for(&self, key: &KeyEvent) -> Option<Action> {
        self.map.get(&KeySpec::of(key)).copied()
    }

    /// Bind `key` to `action`, replacing what it did before.
    pub fn bind(&mut self, key: KeySpec, action: Action) {
        self.map.insert(key, action);
    }

    /// The keys bound to `action`, sorted, as the help shows them.
    pub fn keys_for(&self, action: Action) -> Vec<KeySpec> {
        let mut keys: Vec<KeySpec> = self
            .map
            .iter()
            .filter(|(_, a)| **a == action)
            .map(|(k, _)| *k)
            .collect();
        keys.sort_by_key(key_name);
        keys
    }

    /// The keys column of a help row for `action`: `default` (the table's own wording) while
    /// the bindings are the defaults, else the keys as bound now.
    pub fn help_keys(&self, action: Action, default: &str) -> String {
        let bound = self.keys_for(action);
        let mut defaults: Vec<KeySpec> = DEFAULT_KEYS
            .iter()
            .filter(|(_, a)| *a == action)
            .filter_map(|(k, _)| parse_key(k).ok())
            .collect();
        defaults.sort_by_key(key_name);
        if bound == defaults {
            return default.to_string();
        }
        if bound.is_empty() {
            return "(unbound)".to_string();
        }
        bound.iter().map(key_name).collect::<Vec<_>>().join(" / ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyCode, KeyModifiers};

    fn press(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn defaults_and_shifted_letters() {
        let km = Keymap::default();
        assert_eq!(
            km.action_for(&press(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            Some(Action::Bottom)
        );
        assert_eq!(
            km.action_for(&press(KeyCode::Char('g'), KeyModifiers::NONE)),
            Some(Action::Top)
        );
        assert_eq!(
            km.action_for(&press(KeyCode::F(5), KeyModifiers::NONE)),
            Some(Action::Copy)
        );
        assert_eq!(
            km.action_for(&press(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Some(Action::Quit)
        );
        assert_eq!(
            km.action_for(&press(KeyCode::BackTab, KeyModifiers::SHIFT)),
            Some(Action::SwitchPane)
        );
        assert_eq!(
            km.action_for(&press(KeyCode::Char('z'), KeyModifiers::NONE)),
            None
        );
    }

    #[test]
    fn parse_keys_and_actions() {
        assert_eq!(
            parse_key("ctrl-d"),
            Ok(KeySpec {
                code: KeyCode::Char('d'),
                mods: KeyModifiers::CONTROL
            })
        );
        assert_eq!(parse_key("F12").unwrap().code, KeyCode::F(12));
        assert_eq!(parse_key("shift-x").unwrap().code, KeyCode::Char('X'));
        assert_eq!(parse_key("space").unwrap().code, KeyCode::Char(' '));
        assert!(parse_key("ctrl-").is_err());
        assert!(parse_key("hyper-x").is_err());
        assert!(parse_key("F99").is_err());
        assert_eq!(parse_key("ctrl-backtab"), parse_key("backtab"));
        assert_eq!(Action::from_name("cancel_all"), Some(Action::CancelAll));
        assert_eq!(Action::from_name("frobnicate"), None);
        let mut km = Keymap::default();
        km.bind(parse_key("ctrl-d").unwrap(), Action::Copy);
        assert_eq!(
            km.action_for(&press(KeyCode::Char('d'), KeyModifiers::CONTROL)),
            Some(Action::Copy)
        );
    }
}
