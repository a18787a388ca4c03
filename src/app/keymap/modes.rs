//! The key modes: each part of the screen that takes keys has its own table of default
//! bindings and its own help rows, and its own table in the config.

use super::Action;

/// A part of the screen with its own keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// The two file panes (the config's `[keys]` table).
    Browser,
    /// The task panel while it has the focus: moving its cursor.
    Panel,
    /// The file viewer.
    Viewer,
    /// The bookmark list (also the start screen).
    Bookmarks,
    /// The "file exists" question of a transfer.
    Overwrite,
}

/// A help row: the default keys as the table writes them, the action, what it does.
pub type HelpRow = (&'static str, Action, &'static str);

impl Mode {
    /// Every mode, in the order the help and the README list them.
    pub const ALL: [Mode; 5] = [
        Mode::Browser,
        Mode::Panel,
        Mode::Viewer,
        Mode::Bookmarks,
        Mode::Overwrite,
    ];

    pub(super) fn index(self) -> usize {
        self as usize
    }

    /// The mode's name in the config: `[keys.<name>]` (the browser's is also plain `[keys]`).
    pub fn name(self) -> &'static str {
        match self {
            Mode::Browser => "browser",
            Mode::Panel => "panel",
            Mode::Viewer => "viewer",
            Mode::Bookmarks => "bookmarks",
            Mode::Overwrite => "overwrite",
        }
    }

    /// The mode a config table names.
    pub fn from_name(name: &str) -> Option<Mode> {
        let norm = name.trim().to_ascii_lowercase();
        Mode::ALL.into_iter().find(|m| m.name() == norm)
    }

    /// The config table that binds this mode's keys.
    pub fn table(self) -> &'static str {
        match self {
            Mode::Browser => "keys",
            Mode::Panel => "keys.panel",
            Mode::Viewer => "keys.viewer",
            Mode::Bookmarks => "keys.bookmarks",
            Mode::Overwrite => "keys.overwrite",
        }
    }

    /// The mode as the help names it.
    pub fn title(self) -> &'static str {
        match self {
            Mode::Browser => "file panes",
            Mode::Panel => "task panel",
            Mode::Viewer => "viewer",
            Mode::Bookmarks => "bookmark list",
            Mode::Overwrite => "\"file exists\" question",
        }
    }

    /// The default bindings, in config syntax; the first key of an action is the one hints show.
    pub fn defaults(self) -> &'static [(&'static str, Action)] {
        match self {
            Mode::Browser => BROWSER_KEYS,
            Mode::Panel => PANEL_KEYS,
            Mode::Viewer => VIEWER_KEYS,
            Mode::Bookmarks => BOOKMARK_KEYS,
            Mode::Overwrite => OVERWRITE_KEYS,
        }
    }

    /// The help rows, one per action of the mode.
    pub fn help(self) -> &'static [HelpRow] {
        match self {
            Mode::Browser => BROWSER_HELP,
            Mode::Panel => PANEL_HELP,
            Mode::Viewer => VIEWER_HELP,
            Mode::Bookmarks => BOOKMARK_HELP,
            Mode::Overwrite => OVERWRITE_HELP,
        }
    }

    /// The actions this mode does: the ones its default table binds.
    pub fn actions(self) -> impl Iterator<Item = Action> {
        let mut seen = Vec::new();
        for (_, a) in self.defaults() {
            if !seen.contains(a) {
                seen.push(*a);
            }
        }
        seen.into_iter()
    }

    /// Whether `action` means something in this mode.
    pub fn accepts(self, action: Action) -> bool {
        self.defaults().iter().any(|(_, a)| *a == action)
    }
}

/// The file panes' default keys (the `[keys]` table changes them).
pub const BROWSER_KEYS: &[(&str, Action)] = &[
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
    ("<", Action::HalveLimit),
    (">", Action::DoubleLimit),
    ("f7", Action::Mkdir),
    ("n", Action::Mkdir),
    ("f2", Action::Rename),
    ("f8", Action::Delete),
    ("delete", Action::Delete),
    ("p", Action::Chmod),
    ("ctrl-space", Action::DirSize),
    ("#", Action::DirSize),
    ("f3", Action::View),
    ("f4", Action::Edit),
    ("/", Action::Filter),
    ("ctrl-y", Action::SyncBrowse),
    ("=", Action::Compare),
    ("f9", Action::Synchronize),
    ("ctrl-s", Action::Synchronize),
    ("L", Action::ToggleLog),
    ("b", Action::Bookmarks),
    ("o", Action::QuickConnect),
    ("D", Action::Doctor),
    ("?", Action::Help),
    ("f1", Action::Help),
    ("q", Action::Quit),
    ("f10", Action::Quit),
    ("ctrl-z", Action::Suspend),
    ("ctrl-c", Action::Quit),
    ("ctrl-q", Action::Quit),
];

const BROWSER_HELP: &[HelpRow] = &[
    ("Tab", Action::SwitchPane, "switch pane (and task panel)"),
    ("↑ / k", Action::Up, "move up"),
    ("↓ / j", Action::Down, "move down"),
    ("PgUp", Action::PageUp, "page up"),
    ("PgDn", Action::PageDown, "page down"),
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
    ("+", Action::SelectGlob, "select by pattern"),
    ("-", Action::DeselectGlob, "unselect by pattern"),
    ("t", Action::ToggleTransfers, "show/hide the task panel"),
    (
        "x",
        Action::CancelJob,
        "cancel the task under the panel cursor",
    ),
    ("X", Action::CancelAll, "cancel all tasks"),
    (
        "R",
        Action::RetryJob,
        "retry the failed task under the panel cursor",
    ),
    (
        "<",
        Action::HalveLimit,
        "halve the speed limits (without one: half the current speed)",
    ),
    (
        ">",
        Action::DoubleLimit,
        "double the speed limits (past 1 GiB/s: no limit)",
    ),
    ("F7 / n", Action::Mkdir, "new directory"),
    ("F2", Action::Rename, "rename"),
    (
        "F8 / Delete",
        Action::Delete,
        "delete (directories recursively)",
    ),
    (
        "p",
        Action::Chmod,
        "permissions (755 or rwxr-xr-x; Tab: a whole remote tree)",
    ),
    (
        "Ctrl-Space / #",
        Action::DirSize,
        "size of the directory under the cursor",
    ),
    ("F3", Action::View, "view a file (text or hex)"),
    ("F4", Action::Edit, "edit a file in $EDITOR"),
    (
        "/",
        Action::Filter,
        "filter as you type (Enter keeps, Esc clears)",
    ),
    ("Ctrl-Y", Action::SyncBrowse, "synchronised browsing on/off"),
    ("=", Action::Compare, "compare the two directories"),
    (
        "F9 / Ctrl-S",
        Action::Synchronize,
        "synchronize the two directories (a plan first)",
    ),
    ("L", Action::ToggleLog, "show/hide the protocol log"),
    ("b", Action::Bookmarks, "bookmarks and recent connections"),
    ("o", Action::QuickConnect, "quick connect form"),
    (
        "D",
        Action::Doctor,
        "connection doctor: probe the server, recommend settings",
    ),
    ("Ctrl-Z", Action::Suspend, "suspend (fg to come back)"),
    ("? / F1", Action::Help, "this help"),
    ("q / F10 / Ctrl-C", Action::Quit, "quit"),
];

const PANEL_KEYS: &[(&str, Action)] = &[
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
];

const PANEL_HELP: &[HelpRow] = &[
    ("↑ / k", Action::Up, "previous transfer"),
    ("↓ / j", Action::Down, "next transfer"),
    ("PgUp", Action::PageUp, "page up"),
    ("PgDn", Action::PageDown, "page down"),
    ("Home / g", Action::Top, "first transfer"),
    ("End / G", Action::Bottom, "last transfer"),
];

const VIEWER_KEYS: &[(&str, Action)] = &[
    ("q", Action::Close),
    ("esc", Action::Close),
    ("f3", Action::Close),
    ("f10", Action::Close),
    ("up", Action::Up),
    ("k", Action::Up),
    ("down", Action::Down),
    ("j", Action::Down),
    ("pageup", Action::PageUp),
    ("pagedown", Action::PageDown),
    ("space", Action::PageDown),
    ("g", Action::Top),
    ("home", Action::Top),
    ("G", Action::Bottom),
    ("end", Action::Bottom),
    ("x", Action::ToggleHex),
    ("h", Action::ToggleHex),
    ("?", Action::Help),
    ("f1", Action::Help),
];

const VIEWER_HELP: &[HelpRow] = &[
    ("q / Esc / F3 / F10", Action::Close, "close the viewer"),
    ("↑ / k", Action::Up, "scroll up a line"),
    ("↓ / j", Action::Down, "scroll down a line"),
    ("PgUp", Action::PageUp, "page up"),
    ("PgDn / Space", Action::PageDown, "page down"),
    ("Home / g", Action::Top, "start of the file"),
    ("End / G", Action::Bottom, "end of the file"),
    ("x / h", Action::ToggleHex, "text / hex dump"),
    ("? / F1", Action::Help, "this help"),
];

const BOOKMARK_KEYS: &[(&str, Action)] = &[
    ("enter", Action::Connect),
    ("n", Action::New),
    ("e", Action::Edit),
    ("f4", Action::Edit),
    ("d", Action::Delete),
    ("delete", Action::Delete),
    ("f8", Action::Delete),
    ("D", Action::Doctor),
    ("esc", Action::Close),
    ("q", Action::Close),
    ("up", Action::Up),
    ("k", Action::Up),
    ("down", Action::Down),
    ("j", Action::Down),
    ("home", Action::Top),
    ("g", Action::Top),
    ("end", Action::Bottom),
    ("G", Action::Bottom),
    ("?", Action::Help),
    ("f1", Action::Help),
];

const BOOKMARK_HELP: &[HelpRow] = &[
    (
        "Enter",
        Action::Connect,
        "connect (on \"New connection\": the form)",
    ),
    ("n", Action::New, "new bookmark"),
    ("e / F4", Action::Edit, "edit (a recent one: save it)"),
    ("d / Delete / F8", Action::Delete, "delete the bookmark"),
    (
        "D",
        Action::Doctor,
        "connection doctor: probe the server, recommend settings (s saves them)",
    ),
    ("Esc / q", Action::Close, "close the list"),
    ("↑ / k", Action::Up, "move up"),
    ("↓ / j", Action::Down, "move down"),
    ("Home / g", Action::Top, "first row"),
    ("End / G", Action::Bottom, "last row"),
    ("? / F1", Action::Help, "this help"),
];

const OVERWRITE_KEYS: &[(&str, Action)] = &[
    ("o", Action::Overwrite),
    ("r", Action::Resume),
    ("s", Action::Skip),
    ("esc", Action::Skip),
    ("n", Action::KeepBoth),
    ("u", Action::OverwriteIfNewer),
    ("a", Action::ApplyToAll),
];

const OVERWRITE_HELP: &[HelpRow] = &[
    ("o", Action::Overwrite, "overwrite"),
    ("r", Action::Resume, "resume (the existing file is smaller)"),
    ("s / Esc", Action::Skip, "skip this file"),
    ("n", Action::KeepBoth, "rename (keep both)"),
    ("u", Action::OverwriteIfNewer, "overwrite if newer"),
    ("a", Action::ApplyToAll, "apply to all in this batch"),
];
