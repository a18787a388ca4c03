//! Rules for recursive walks (delete, download, upload): a walk never descends into a link,
//! never enters a directory twice (a loop), never lands outside the directory the user chose,
//! and stops at a depth limit. Servers can hide links — a listing may show a symlinked
//! directory as a plain one — so each directory is checked when it is entered: by the path the
//! server reports (PWD after CWD), by the MLSD `unique` fact where offered, and by depth.

use std::fmt;

/// What identifies a directory: its canonical path and, where known, a unique id (the MLSD
/// `unique` fact on a server, `dev:inode` locally).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DirId {
    pub path: String,
    pub unique: Option<String>,
}

/// Where a job sits in a recursive walk; empty for a job the user started directly.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Walk {
    /// The directories above this one, outermost first: those above the walk's root (where
    /// their ids could be learnt), then those entered on the way here.
    pub ancestors: Vec<DirId>,
    /// How many of `ancestors` lie above the walk's root.
    pub above: usize,
    /// This directory's unique id as its parent's listing gave it.
    pub unique: Option<String>,
}

impl Walk {
    /// The walk one level further down: `me` is the directory just entered, `unique` the
    /// child's id from `me`'s listing.
    pub fn child(&self, me: DirId, unique: Option<String>) -> Walk {
        let mut ancestors = self.ancestors.clone();
        ancestors.push(me);
        Walk {
            ancestors,
            above: self.above,
            unique,
        }
    }

    /// Levels below the root of the walk.
    pub fn depth(&self) -> usize {
        self.ancestors.len().saturating_sub(self.above)
    }

    /// The walk's root (the directory the user chose) has not been entered yet.
    pub fn is_root(&self) -> bool {
        self.depth() == 0
    }
}

/// Why a walk does not go into a directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WalkRefusal {
    /// More levels than the limit: most likely a link loop the server does not show.
    TooDeep { path: String, limit: usize },
    /// The directory is one already on the way here (same id): a link back up.
    Loop { path: String, same_as: String },
    /// Asked for one directory, the server put us in another: the entry is a link.
    Elsewhere { path: String, landed: String },
    /// A symlink (listed as one): not followed.
    Link { path: String },
}

impl fmt::Display for WalkRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::sanitize::display_name as d;
        match self {
            WalkRefusal::TooDeep { path, limit } => write!(
                f,
                "stopped at {}: more than {limit} levels deep, probably a link loop on the server \
                 (transfers.max_depth raises the limit)",
                d(path)
            ),
            WalkRefusal::Loop { path, same_as } => write!(
                f,
                "{} is a link back to {} (the same directory); not followed",
                d(path),
                d(same_as)
            ),
            WalkRefusal::Elsewhere { path, landed } => write!(
                f,
                "{} is a link (the server put us in {}); not followed",
                d(path),
                d(landed)
            ),
            WalkRefusal::Link { path } => write!(f, "{} is a symlink; not followed", d(path)),
        }
    }
}

/// Same path, ignoring trailing slashes.
pub fn same_path(a: &str, b: &str) -> bool {
    let trim = |s: &str| {
        let t = s.trim_end_matches('/');
        if t.is_empty() { "/" } else { t }.to_string()
    };
    trim(a) == trim(b)
}

/// Check a directory the walk has just entered: `asked` is the path it asked for, `landed` what
/// it got (the PWD and unique id). The walk's root may be a link the user chose on purpose
/// (`is_root`): only loops are refused there.
pub fn check_entered(
    walk: &Walk,
    asked: &str,
    landed: &DirId,
    limit: usize,
) -> Result<(), WalkRefusal> {
    check_ids(
        &walk.ancestors,
        walk.depth(),
        walk.is_root(),
        asked,
        landed,
        limit,
    )
}

fn check_ids(
    ancestors: &[DirId],
    depth: usize,
    is_root: bool,
    asked: &str,
    landed: &DirId,
    limit: usize,
) -> Result<(), WalkRefusal> {
    if depth > limit {
        return Err(WalkRefusal::TooDeep {
            path: asked.to_string(),
            limit,
        });
    }
    if let Some(u) = &landed.unique {
        if let Some(a) = ancestors.iter().find(|a| a.unique.as_ref() == Some(u)) {
            return Err(WalkRefusal::Loop {
                path: asked.to_string(),
                same_as: a.path.clone(),
            });
        }
    }
    if let Some(a) = ancestors.iter().find(|a| same_path(&a.path, &landed.path)) {
        return Err(WalkRefusal::Loop {
            path: asked.to_string(),
            same_as: a.path.clone(),
        });
    }
    if !is_root && !same_path(asked, &landed.path) {
        return Err(WalkRefusal::Elsewhere {
            path: asked.to_string(),
            landed: landed.path.clone(),
        });
    }
    Ok(())
}

/// The remote paths from `/` down to `path`'s parent: `/a/b/c` → `/`, `/a`, `/a/b`.
pub fn remote_parents(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = crate::remote::path::parent(path);
    while let Some(p) = cur {
        cur = crate::remote::path::parent(&p);
        out.push(p);
    }
    out.reverse();
    out
}

/// `dev:inode` of a local directory.
#[cfg(unix)]
pub fn local_id(meta: &std::fs::Metadata) -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    Some(format!("{}:{}", meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
pub fn local_id(_meta: &std::fs::Metadata) -> Option<String> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(path: &str, unique: Option<&str>) -> DirId {
        DirId {
            path: path.into(),
            unique: unique.map(str::to_string),
        }
    }

    #[test]
    fn loops_links_and_depth() {
        // Inside a walk rooted at /sub (one directory, `/`, above it).
        let walk = Walk {
            ancestors: vec![id("/", Some("u0")), id("/sub", Some("u1"))],
            above: 1,
            ..Walk::default()
        };
        let check = |asked, landed: DirId| check_entered(&walk, asked, &landed, 64);
        assert_eq!(check("/sub/x", id("/sub/x", Some("u2"))), Ok(()));
        // `sub/up -> ..` on a server with unique facts but a literal PWD.
        assert!(matches!(
            check("/sub/up", id("/sub/up", Some("u0"))),
            Err(WalkRefusal::Loop { .. })
        ));
        // The same link on a server whose PWD is the real path (vsftpd).
        assert!(matches!(
            check("/sub/up", id("/", None)),
            Err(WalkRefusal::Loop { .. })
        ));
        // A link elsewhere on such a server.
        assert!(matches!(
            check("/sub/out", id("/etc", None)),
            Err(WalkRefusal::Elsewhere { .. })
        ));
        assert_eq!(check("/sub/x/", id("/sub/x", None)), Ok(()));
        // The root itself may be a link the user chose; a loop is still a loop.
        let root = Walk {
            ancestors: vec![id("/", Some("u0"))],
            above: 1,
            ..Walk::default()
        };
        assert_eq!(
            check_entered(&root, "/link", &id("/real", None), 64),
            Ok(())
        );
        assert!(check_entered(&root, "/link", &id("/x", Some("u0")), 64).is_err());
        let deep = Walk {
            ancestors: (0..4).map(|i| id(&format!("/d{i}"), None)).collect(),
            above: 1,
            ..Walk::default()
        };
        assert!(matches!(
            check_entered(&deep, "/d9", &id("/d9", None), 2),
            Err(WalkRefusal::TooDeep { limit: 2, .. })
        ));
    }

    #[test]
    fn parents_of_a_remote_path() {
        assert_eq!(remote_parents("/a/b/c"), ["/", "/a", "/a/b"]);
        assert!(remote_parents("/").is_empty());
    }
}
