//! Modal dialogs: they take the keyboard until they are closed.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// A modal dialog over the panes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dialog {
    /// Masked password entry for `label` (user@host).
    Password {
        label: String,
        input: String,
        /// Why we ask again (the last attempt's error).
        error: Option<String>,
    },
}

/// What a key did to a text input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputOutcome {
    Editing,
    Submitted(String),
    Cancelled,
}

/// Single-line text editing shared by every input dialog.
pub fn edit_line(input: &mut String, key: &KeyEvent) -> InputOutcome {
    match key.code {
        KeyCode::Enter => InputOutcome::Submitted(std::mem::take(input)),
        KeyCode::Esc => InputOutcome::Cancelled,
        KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => {
            InputOutcome::Cancelled
        }
        KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
            input.clear();
            InputOutcome::Editing
        }
        KeyCode::Backspace => {
            input.pop();
            InputOutcome::Editing
        }
        KeyCode::Char(c) if !c.is_control() => {
            input.push(c);
            InputOutcome::Editing
        }
        _ => InputOutcome::Editing,
    }
}
