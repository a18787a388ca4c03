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
    Help,
    Quit,
}

/// The default bindings, in the order the help overlay shows them: (keys, action, description).
pub const BINDINGS: &[(&str, Action, &str)] = &[
    ("Tab", Action::SwitchPane, "switch pane"),
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
    ("s", Action::CycleSort, "sort by name, size, time"),
    ("S", Action::ReverseSort, "reverse sort order"),
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
        KeyCode::Char('?') | KeyCode::F(1) => Help,
        KeyCode::Char('q') | KeyCode::F(10) => Quit,
        _ => return None,
    })
}
