//! Turning untrusted names (from a server) into something safe to show or to use as a path.

/// A name made safe for the terminal: control characters (C0, DEL, C1) — and with them every
/// escape sequence — are replaced by `?`, so nothing a server sends can drive the terminal.
pub fn display_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_control() {
                '?'
            } else if crate::remote::encoding::is_escape(c) {
                '\u{FFFD}'
            } else {
                c
            }
        })
        .collect()
}

/// A name made usable as part of a local file name: path separators and control characters
/// become `_` (for temp copies and kept edits, whose names only have to be recognisable).
pub fn file_name_part(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c == '/' || c == '\\' || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect()
}

/// Why a remote name cannot become a local file name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnsafeName {
    #[error("empty name")]
    Empty,
    #[error("name {0:?} is a path traversal")]
    Traversal(String),
    #[error("name {0:?} contains a path separator")]
    Separator(String),
    #[error("name {0:?} contains a NUL or control character")]
    Control(String),
}

/// Check that a remote name is a single, harmless path component before it is joined to a
/// local directory: no `/`, `\`, NUL, control characters, and not `.` or `..`.
pub fn local_component(name: &str) -> Result<&str, UnsafeName> {
    if name.is_empty() {
        return Err(UnsafeName::Empty);
    }
    if name == "." || name == ".." {
        return Err(UnsafeName::Traversal(display_name(name)));
    }
    if name.contains('/') || name.contains('\\') {
        return Err(UnsafeName::Separator(display_name(name)));
    }
    if name.chars().any(|c| c.is_control()) {
        return Err(UnsafeName::Control(display_name(name)));
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_never_survive() {
        assert_eq!(display_name("a\x1b[31mred\x07"), "a?[31mred?");
        assert_eq!(display_name("c1\u{9b}2J"), "c1?2J");
        assert_eq!(display_name("日本語 ok"), "日本語 ok");
        // A raw byte kept from a name that is not UTF-8 (see remote::encoding).
        assert_eq!(display_name("caf\u{f7e9}"), "caf\u{FFFD}");
    }

    #[test]
    fn unsafe_components_are_refused() {
        assert!(local_component("..").is_err());
        assert!(local_component("../escape").is_err());
        assert!(local_component("a\\b").is_err());
        assert!(local_component("nul\0").is_err());
        assert!(local_component("").is_err());
        assert_eq!(local_component("..hidden"), Ok("..hidden"));
        assert_eq!(local_component("ok name.txt"), Ok("ok name.txt"));
    }
}
