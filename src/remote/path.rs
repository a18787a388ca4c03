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

/// Where a connection starts: a profile's (URL's, bookmark's) `path` resolved against the
/// login directory `home`, as RFC 1738 and curl do. Empty or `/` is the login directory; a
/// relative path is below it; a path starting with `/` is absolute (`//etc` is `/etc`).
pub fn start_dir(home: &str, path: &str) -> String {
    let home = if home.is_empty() { "/" } else { home };
    match path {
        "" | "/" => home.to_string(),
        p if p.starts_with("//") => format!("/{}", p.trim_start_matches('/')),
        p if p.starts_with('/') => p.to_string(),
        p => join(home, p.trim_end_matches('/')),
    }
}

/// A profile's `path` as it is written after the host in a URL: `pub` -> `/pub`,
/// `/etc` -> `//etc`, the login directory -> nothing.
pub fn url_suffix(path: &str) -> String {
    match path {
        "" | "/" => String::new(),
        p if p.starts_with("//") => p.to_string(),
        p => format!("/{p}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_dirs_follow_rfc_1738() {
        assert_eq!(start_dir("/home/u", ""), "/home/u");
        assert_eq!(start_dir("/home/u", "/"), "/home/u");
        assert_eq!(start_dir("/home/u", "pub"), "/home/u/pub");
        assert_eq!(start_dir("/home/u", "pub/x/"), "/home/u/pub/x");
        assert_eq!(start_dir("/", "pub"), "/pub");
        assert_eq!(start_dir("", "pub"), "/pub");
        assert_eq!(
            start_dir("/home/u", "/etc"),
            "/etc",
            "absolute bookmarks still work"
        );
        assert_eq!(start_dir("/home/u", "//etc"), "/etc");
        assert_eq!(start_dir("/home/u", "//"), "/", "the root, explicitly");
        for (path, url) in [("", ""), ("pub", "/pub"), ("/etc", "//etc"), ("//", "//")] {
            assert_eq!(url_suffix(path), url);
        }
    }

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
