//! Keys -> actions, one table per mode (file panes, transfer panel, viewer, bookmark list,
//! "file exists" question), each with defaults the config can change (`[keys]` for the file
//! panes, `[keys.viewer]` and so on for the others). The help overlay and the README list the
//! same tables.

mod config;
mod keys;
mod modes;

use std::collections::HashMap;

use crossterm::event::KeyEvent;

pub use config::{KeyProblem, UNBIND};
pub use keys::{KeySpec, key_name, parse_key};
pub use modes::{BROWSER_KEYS, HelpRow, Mode};

/// The file panes' default keys, in config syntax (the monkey test presses them).
pub const DEFAULT_KEYS: &[(&str, Action)] = BROWSER_KEYS;

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
    DirSize => "dir-size",
    View => "view",
    Edit => "edit",
    Filter => "filter",
    SyncBrowse => "sync-browse",
    Compare => "compare",
    Synchronize => "synchronize",
    ToggleLog => "toggle-log",
    Bookmarks => "bookmarks",
    QuickConnect => "quick-connect",
    Doctor => "doctor",
    Suspend => "suspend",
    HalveLimit => "halve-limit",
    DoubleLimit => "double-limit",
    Help => "help",
    Quit => "quit",
    // The viewer and the bookmark list.
    Close => "close",
    ToggleHex => "toggle-hex",
    Connect => "connect",
    New => "new",
    // The "file exists" question.
    Overwrite => "overwrite",
    Resume => "resume",
    Skip => "skip",
    KeepBoth => "keep-both",
    OverwriteIfNewer => "overwrite-if-newer",
    ApplyToAll => "apply-to-all",
}

impl Action {
    /// The action a config file names, if any.
    pub fn from_name(name: &str) -> Option<Action> {
        let norm = name.trim().to_ascii_lowercase().replace('_', "-");
        Action::ALL.iter().copied().find(|a| a.name() == norm)
    }
}

/// The key bindings in force, per mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    maps: [HashMap<KeySpec, Action>; Mode::ALL.len()],
}

impl Default for Keymap {
    fn default() -> Self {
        let maps = Mode::ALL.map(|mode| {
            mode.defaults()
                .iter()
                // The default tables are constants of this file; a unit test parses every one.
                .filter_map(|(k, a)| parse_key(k).ok().map(|spec| (spec, *a)))
                .collect()
        });
        Keymap { maps }
    }
}

impl Keymap {
    fn map(&self, mode: Mode) -> &HashMap<KeySpec, Action> {
        &self.maps[mode.index()]
    }

    /// The action a key press asks for in `mode`, if any.
    pub fn action_for(&self, mode: Mode, key: &KeyEvent) -> Option<Action> {
        self.map(mode).get(&KeySpec::of(key)).copied()
    }

    /// Bind `key` to `action` in `mode`, replacing what the key did there; the action's other
    /// keys stay. Refused when the mode has no such action.
    pub fn bind(&mut self, mode: Mode, key: KeySpec, action: Action) -> Result<(), String> {
        if !mode.accepts(action) {
            let names: Vec<&str> = mode.actions().map(Action::name).collect();
            return Err(format!(
                "{:?} is not an action of the {} ([{}] has: {})",
                action.name(),
                mode.title(),
                mode.table(),
                names.join(" ")
            ));
        }
        self.maps[mode.index()].insert(key, action);
        Ok(())
    }

    /// Make `key` do nothing in `mode`; returns what it did.
    pub fn unbind(&mut self, mode: Mode, key: KeySpec) -> Option<Action> {
        self.maps[mode.index()].remove(&key)
    }

    /// The keys bound to `action` in `mode`, sorted as the help shows them.
    pub fn keys_for(&self, mode: Mode, action: Action) -> Vec<KeySpec> {
        let mut keys: Vec<KeySpec> = self
            .map(mode)
            .iter()
            .filter(|(_, a)| **a == action)
            .map(|(k, _)| *k)
            .collect();
        keys.sort_by_key(key_name);
        keys
    }

    /// The keys column of a help row for `action` in `mode`: `default` (the table's own
    /// wording) while the bindings are the defaults, else the keys as bound now.
    pub fn help_keys(&self, mode: Mode, action: Action, default: &str) -> String {
        let bound = self.keys_for(mode, action);
        let mut defaults: Vec<KeySpec> = mode
            .defaults()
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

    /// The one key a short hint names for `action` in `mode`: its first default key while that
    /// is still bound to it, else the first key bound to it; `None` when nothing is.
    /// A one-line hint of `mode`'s keys as bound now: `"q close · x text/hex"`. An action
    /// bound to no key is left out; a part with several actions (`↑ ↓ PgUp PgDn scroll`)
    /// names the first key of each.
    pub fn hint(&self, mode: Mode, parts: &[(&[Action], &str)]) -> String {
        parts
            .iter()
            .filter_map(|(actions, what)| {
                let keys: Vec<String> = actions
                    .iter()
                    .filter_map(|a| self.hint_key(mode, *a))
                    .collect();
                (!keys.is_empty()).then(|| format!("{} {what}", keys.join(" ")))
            })
            .collect::<Vec<_>>()
            .join(" · ")
    }

    /// The viewer's keys, for its bottom line and the status bar.
    pub fn viewer_hint(&self) -> String {
        use Action::*;
        self.hint(
            Mode::Viewer,
            &[
                (&[Up, Down, PageUp, PageDown, Top, Bottom], "scroll"),
                (&[ToggleHex], "text/hex"),
                (&[Help], "keys"),
                (&[Close], "close"),
            ],
        )
    }

    pub fn hint_key(&self, mode: Mode, action: Action) -> Option<String> {
        let map = self.map(mode);
        mode.defaults()
            .iter()
            .filter(|(_, a)| *a == action)
            .filter_map(|(k, _)| parse_key(k).ok())
            .find(|k| map.get(k) == Some(&action))
            .or_else(|| self.keys_for(mode, action).into_iter().next())
            .map(|k| key_name(&k))
    }
}

#[cfg(test)]
mod tests;
