//! Remote (POSIX-style) path arithmetic. Remote paths are always `/`-separated strings.

/// `dir` joined with one entry name.
pub fn join(dir: &str, name: &str) -> String {
    if dir.ends_with('/') {
        format!("{dir}{name}")
    } else {
        format!("{dir}/{name}")
    }
}

/// The parent of `dir`, or `None` at the root.
pub fn parent(dir: &str) -> Option<String> {
    let trimmed = dir.trim_end_matches('/');
    if trimmed.is_empty() {
        return None;
    }
    match trimmed.rfind('/') {
        Some(0) => Some("/".to_string()),
        Some(i) => Some(trimmed[..i].to_string()),
        None => None,
    }
}

/// The last component of `dir` (`"b"` for `/a/b`).
pub fn file_name(dir: &str) -> Option<&str> {
    let trimmed = dir.trim_end_matches('/');
    trimmed.rsplit('/').next().filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_and_parent() {
        assert_eq!(join("/", "a"), "/a");
        assert_eq!(join("/a", "b c"), "/a/b c");
        assert_eq!(parent("/a/b"), Some("/a".into()));
        assert_eq!(parent("/a"), Some("/".into()));
        assert_eq!(parent("/"), None);
        assert_eq!(file_name("/a/b/"), Some("b"));
        assert_eq!(file_name("/"), None);
    }
}
