//! What a headless command names on the server: `ftp://…`/`ftps://…` (the TUI's URL rules)
//! or `BOOKMARK:/path` (a bookmark's name, then an optional path).

use super::Fatal;
use crate::remote::Profile;

/// A server and a path on it (relative to the login directory unless it starts with `/`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remote {
    pub profile: Profile,
    pub path: String,
    /// The bookmark it came from.
    pub bookmark: Option<String>,
    /// The URL named a user (else netrc may say who logs in).
    pub user_given: bool,
}

/// `ftp://…`, `ftps://…` or `NAME:…`.
pub fn looks_remote(s: &str) -> bool {
    s.contains("://") || bookmark_part(s).is_some()
}

/// `NAME:path` -> (`NAME`, `path`), for a name that is not a Windows-like drive or a path.
fn bookmark_part(s: &str) -> Option<(&str, &str)> {
    let (name, path) = s.split_once(':')?;
    (!name.is_empty() && !name.contains('/') && !name.starts_with('.')).then_some((name, path))
}

pub fn parse_remote(spec: &str) -> Result<Remote, Fatal> {
    if spec.contains("://") {
        let mut profile = crate::cli::parse_url(spec).map_err(Fatal)?;
        let path = std::mem::take(&mut profile.path);
        let authority = spec.split_once("://").map(|(_, r)| r).unwrap_or("");
        let authority = authority.split('/').next().unwrap_or("");
        if profile.security != crate::remote::Security::Plain {
            profile.pinned_cert = crate::known_servers::lookup(&profile.host, profile.port);
        }
        return Ok(Remote {
            profile,
            path,
            bookmark: None,
            user_given: authority.contains('@'),
        });
    }
    let Some((name, path)) = bookmark_part(spec) else {
        return Err(Fatal(format!(
            "{spec:?} is not a server: use ftp://HOST/PATH, ftps://HOST/PATH or BOOKMARK:/PATH"
        )));
    };
    let store = crate::bookmarks::bookmarks_path()
        .and_then(|p| crate::bookmarks::load(&p).ok())
        .unwrap_or_default();
    let Some(b) = store.bookmarks.iter().find(|b| b.name == name) else {
        return Err(Fatal(format!(
            "no bookmark named {name:?} (ftpdeck --list-bookmarks shows them)"
        )));
    };
    let mut profile = b.to_profile(None);
    // A relative path is under the bookmark's own directory, as `host:path` is under the home
    // directory for scp.
    let start = std::mem::take(&mut profile.path);
    let path = match path {
        "" => start,
        p if p.starts_with('/') || start.is_empty() => p.to_string(),
        p => format!("{}/{p}", start.trim_end_matches('/')),
    };
    Ok(Remote {
        profile,
        path,
        bookmark: Some(b.name.clone()),
        user_given: true,
    })
}

/// Every remote of one command is on the same server (one login for all).
pub fn one_server(targets: &[Remote]) -> Result<Remote, Fatal> {
    let first = targets
        .first()
        .ok_or_else(|| Fatal("no server named".into()))?;
    let same = |t: &Remote| {
        t.profile.host == first.profile.host
            && t.profile.port == first.profile.port
            && t.profile.user == first.profile.user
    };
    if !targets.iter().all(same) {
        return Err(Fatal(
            "all REMOTEs of one command must be on the same server, as the same user".into(),
        ));
    }
    Ok(first.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remotes_and_locals_are_told_apart() {
        assert!(looks_remote("ftp://h/x"));
        assert!(looks_remote("work:/pub"));
        assert!(looks_remote("work:"));
        assert!(!looks_remote("./a:b"));
        assert!(!looks_remote("dir/a:b"));
        assert!(!looks_remote("plain"));
        assert!(!looks_remote(":x"));
    }

    #[test]
    fn a_url_keeps_its_path_and_says_whether_it_named_a_user() {
        let r = parse_remote("ftp://alice@h:2121/pub/x").unwrap();
        assert_eq!(
            (r.profile.user.as_str(), r.path.as_str(), r.user_given),
            ("alice", "pub/x", true)
        );
        let r = parse_remote("ftp://h//abs").unwrap();
        assert_eq!((r.path.as_str(), r.user_given), ("/abs", false));
        assert!(parse_remote("nonsense").is_err());
    }
}
