//! Key names: what a key press is (`KeySpec`), how the config names one (`parse_key`) and how
//! the help shows one (`key_name`).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// A key with the modifiers that matter (Shift is folded into the character itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeySpec {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl KeySpec {
    /// The spec of a pressed key.
    pub fn of(key: &KeyEvent) -> KeySpec {
        let mut mods = key.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT);
        let code = match key.code {
            KeyCode::Char(c) if mods.contains(KeyModifiers::CONTROL) => {
                KeyCode::Char(c.to_ascii_lowercase())
            }
            KeyCode::BackTab => {
                mods = KeyModifiers::NONE;
                KeyCode::BackTab
            }
            other => other,
        };
        KeySpec { code, mods }
    }
}

/// Parse `"ctrl-d"`, `"alt-x"`, `"F5"`, `"shift-tab"`, `"enter"`, `"space"`, `"x"`, `"X"`, `"?"`.
pub fn parse_key(s: &str) -> Result<KeySpec, String> {
    let mut mods = KeyModifiers::NONE;
    let mut rest = s;
    loop {
        let lower = rest.to_ascii_lowercase();
        if let Some(r) = lower
            .strip_prefix("ctrl-")
            .or_else(|| lower.strip_prefix("c-"))
        {
            mods |= KeyModifiers::CONTROL;
            rest = &rest[rest.len() - r.len()..];
        } else if let Some(r) = lower
            .strip_prefix("alt-")
            .or_else(|| lower.strip_prefix("m-"))
        {
            mods |= KeyModifiers::ALT;
            rest = &rest[rest.len() - r.len()..];
        } else if lower.starts_with("shift-") && rest.len() > 6 {
            let r = &rest[6..];
            if r.eq_ignore_ascii_case("tab") {
                return Ok(KeySpec {
                    code: KeyCode::BackTab,
                    mods: KeyModifiers::NONE,
                });
            }
            let mut chars = r.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => {
                    return Ok(KeySpec {
                        code: KeyCode::Char(c.to_ascii_uppercase()),
                        mods,
                    });
                }
                _ => return Err(format!("unknown key {s:?}")),
            }
        } else {
            break;
        }
    }
    let mut chars = rest.chars();
    let code = match (chars.next(), chars.next()) {
        (Some(c), None) => {
            if mods.contains(KeyModifiers::CONTROL) {
                KeyCode::Char(c.to_ascii_lowercase())
            } else {
                KeyCode::Char(c)
            }
        }
        _ => {
            let lower = rest.to_ascii_lowercase();
            match lower.as_str() {
                "enter" | "return" => KeyCode::Enter,
                "esc" | "escape" => KeyCode::Esc,
                "tab" => KeyCode::Tab,
                "backtab" => {
                    // A press of BackTab carries no modifiers that matter (`KeySpec::of`).
                    mods = KeyModifiers::NONE;
                    KeyCode::BackTab
                }
                "space" => KeyCode::Char(' '),
                "backspace" => KeyCode::Backspace,
                "delete" | "del" => KeyCode::Delete,
                "insert" | "ins" => KeyCode::Insert,
                "home" => KeyCode::Home,
                "end" => KeyCode::End,
                "pageup" | "pgup" => KeyCode::PageUp,
                "pagedown" | "pgdn" => KeyCode::PageDown,
                "up" => KeyCode::Up,
                "down" => KeyCode::Down,
                "left" => KeyCode::Left,
                "right" => KeyCode::Right,
                f if f.starts_with('f') => match f[1..].parse::<u8>() {
                    Ok(n) if (1..=24).contains(&n) => KeyCode::F(n),
                    _ => return Err(format!("unknown key {s:?}")),
                },
                _ => return Err(format!("unknown key {s:?}")),
            }
        }
    };
    Ok(KeySpec { code, mods })
}

/// A key as a person reads it: `Ctrl-D`, `F5`, `Space`, `↑`, `x`.
pub fn key_name(k: &KeySpec) -> String {
    let mut s = String::new();
    if k.mods.contains(KeyModifiers::CONTROL) {
        s.push_str("Ctrl-");
    }
    if k.mods.contains(KeyModifiers::ALT) {
        s.push_str("Alt-");
    }
    match k.code {
        KeyCode::Char(' ') => s.push_str("Space"),
        KeyCode::Char(c) if !s.is_empty() => s.extend(c.to_uppercase()),
        KeyCode::Char(c) => s.push(c),
        KeyCode::F(n) => s.push_str(&format!("F{n}")),
        KeyCode::Enter => s.push_str("Enter"),
        KeyCode::Esc => s.push_str("Esc"),
        KeyCode::Tab => s.push_str("Tab"),
        KeyCode::BackTab => s.push_str("Shift-Tab"),
        KeyCode::Backspace => s.push_str("Backspace"),
        KeyCode::Delete => s.push_str("Delete"),
        KeyCode::Insert => s.push_str("Insert"),
        KeyCode::Home => s.push_str("Home"),
        KeyCode::End => s.push_str("End"),
        KeyCode::PageUp => s.push_str("PgUp"),
        KeyCode::PageDown => s.push_str("PgDn"),
        KeyCode::Up => s.push('↑'),
        KeyCode::Down => s.push('↓'),
        KeyCode::Left => s.push('←'),
        KeyCode::Right => s.push('→'),
        other => s.push_str(&format!("{other:?}")),
    }
    s
}
