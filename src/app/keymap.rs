//! Keys -> actions. The table is also what the help overlay and the README list.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Something the user can ask for with a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    SwitchPane,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Open,
    Parent,
    Refresh,
    ToggleHidden,
    CycleSort,
    ReverseSort,
    Copy,
    Move,
    ToggleSelect,
    InvertSelection,
    SelectGlob,
    DeselectGlob,
    ToggleTransfers,
    CancelJob,
    CancelAll,
    RetryJob,
    Help,
    Quit,
}

/// The default bindings, in the order the help overlay shows them: (keys, action, description).
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
    ("s", Action::CycleSort, "sort by name, size, time"),
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
    ("? / F1", Action::Help, "this help"),
    ("q / F10", Action::Quit, "quit"),
];

/// The action bound to a key press, if any.
pub fn action_for(key: &KeyEvent) -> Option<Action> {
    use Action::*;
    if key.modifiers.contains(KeyModifiers::CONTROL) {
        return match key.code {
            KeyCode::Char('c') | KeyCode::Char('q') => Some(Quit),
            KeyCode::Char('r') => Some(Refresh),
            _ => None,
        };
    }
    Some(match key.code {
        KeyCode::Tab | KeyCode::BackTab => SwitchPane,
        KeyCode::Up | KeyCode::Char('k') => Up,
        KeyCode::Down | KeyCode::Char('j') => Down,
        KeyCode::PageUp => PageUp,
        KeyCode::PageDown => PageDown,
        KeyCode::Home | KeyCode::Char('g') => Top,
        KeyCode::End | KeyCode::Char('G') => Bottom,
        KeyCode::Enter | KeyCode::Right | KeyCode::Char('l') => Open,
        KeyCode::Backspace | KeyCode::Left | KeyCode::Char('h') => Parent,
        KeyCode::Char('r') => Refresh,
        KeyCode::Char('.') => ToggleHidden,
        KeyCode::Char('s') => CycleSort,
        KeyCode::Char('S') => ReverseSort,
        KeyCode::F(5) | KeyCode::Char('c') => Copy,
        KeyCode::F(6) | KeyCode::Char('m') => Move,
        KeyCode::Char(' ') | KeyCode::Insert => ToggleSelect,
        KeyCode::Char('*') => InvertSelection,
        KeyCode::Char('+') => SelectGlob,
        KeyCode::Char('-') => DeselectGlob,
        KeyCode::Char('t') => ToggleTransfers,
        KeyCode::Char('x') => CancelJob,
        KeyCode::Char('X') => CancelAll,
        KeyCode::Char('R') => RetryJob,
        KeyCode::Char('?') | KeyCode::F(1) => Help,
        KeyCode::Char('q') | KeyCode::F(10) => Quit,
        _ => return None,
    })
}
