//! The one walk of a remote tree, used by recursive delete, recursive chmod, directory sizes
//! and the expansion of directory transfers. Every directory is checked as it is entered by the
//! rules of [`crate::safety::walk`]: links are never followed (also where MLSD shows a linked
//! directory as a plain one — `LIST -a` of the same directory tells), loops and depth are
//! caught, and in a whole-tree walk a name that could escape its directory (`/`, `..`) stops
//! the walk (a transfer refuses such a name alone).

use std::collections::HashSet;

use super::RemoteError;
use super::connect::Connection;
use super::{ops, path as rpath};
use crate::entry::{Entry, EntryKind};
use crate::safety::walk::{self, DirId, Walk, WalkRefusal};
use crate::sanitize::display_name;

/// Settings of a walk.
#[derive(Debug, Clone, Copy)]
pub struct WalkOptions {
    pub prefer_mlsd: bool,
    pub max_depth: usize,
    pub timeout_secs: u64,
}

/// Why a walk stopped before its end.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WalkError {
    #[error(transparent)]
    Remote(#[from] RemoteError),
    #[error("{0}")]
    Refused(WalkRefusal),
    /// A listing line that could not be read: what it hides is unknown.
    #[error("a listing line under {} could not be read ({})", display_name(.dir), display_name(.line))]
    Unreadable { dir: String, line: String },
    /// A name that would lead out of its directory.
    #[error("refusing the odd name {:?} under {}", display_name(.name), display_name(.dir))]
    OddName { dir: String, name: String },
    #[error("cancelled")]
    Cancelled,
}

/// One directory of a walk, entered and checked.
pub struct Level {
    /// Where the server put us (PWD) and the directory's unique id.
    pub here: DirId,
    pub entries: Vec<Entry>,
    /// Names that `LIST -a` shows as links although MLSD called them directories or files.
    links: HashSet<String>,
    walk: Walk,
    /// The listing stopped at the listing limits.
    pub truncated: Option<String>,
}

/// What an entry of a level is to a walk.
pub enum Kind {
    File,
    /// A link (never followed; removed or reported as a link).
    Link,
    /// A directory to enter with this walk.
    Dir(Walk),
    /// A line that could not be read.
    Unreadable,
}

impl Level {
    pub fn kind(&self, e: &Entry) -> Kind {
        match e.kind {
            // A listing may show a link as a plain directory or file: `LIST -a` tells.
            EntryKind::Dir | EntryKind::File if self.links.contains(&e.name) => Kind::Link,
            EntryKind::Dir => Kind::Dir(self.walk.child(self.here.clone(), e.unique.clone())),
            EntryKind::Symlink => Kind::Link,
            EntryKind::File => Kind::File,
            EntryKind::Unknown => Kind::Unreadable,
        }
    }
}

/// What entering a directory came to.
pub enum Entered {
    Dir(Level),
    /// The server put us somewhere else, or back into a directory already on the way: the
    /// entry is a link.
    Link(WalkRefusal),
}

/// The walk of a root the user chose: the ids of the directories above it, so a link back up
/// is caught at once, and its own unique id.
pub fn root(conn: &mut Connection, path: &str, secs: u64) -> Result<Walk, RemoteError> {
    let above = ops::parent_ids(conn, path, secs)?;
    Ok(Walk {
        above: above.len(),
        ancestors: above,
        unique: ops::mlst(conn, path, secs)?.and_then(|e| e.unique),
    })
}

/// List `dir` and check where that led. A root that turns out to be a link is reported as
/// one only when `root_may_be_link` is false (a transfer may start from a link the user chose).
pub fn enter(
    conn: &mut Connection,
    dir: &str,
    w: &Walk,
    opts: WalkOptions,
    root_may_be_link: bool,
) -> Result<Entered, WalkError> {
    let listing = ops::list_dir(conn, dir, opts.prefer_mlsd, opts.timeout_secs)?;
    let here = DirId {
        path: listing.path.clone(),
        unique: w.unique.clone(),
    };
    match walk::check_entered(w, dir, &here, opts.max_depth) {
        Ok(()) if !w.is_root() || root_may_be_link || walk::same_path(dir, &here.path) => {}
        Ok(()) => {
            return Ok(Entered::Link(WalkRefusal::Elsewhere {
                path: dir.to_string(),
                landed: here.path,
            }));
        }
        Err(r @ (WalkRefusal::Elsewhere { .. } | WalkRefusal::Loop { .. })) => {
            return Ok(Entered::Link(r));
        }
        Err(r) => return Err(WalkError::Refused(r)),
    }
    // MLSD may show a symlinked directory as a plain one; LIST of the same directory tells.
    let links = if conn.features.mlsd && opts.prefer_mlsd {
        ops::links_in_cwd(conn, opts.timeout_secs)?
    } else {
        Default::default()
    };
    Ok(Entered::Dir(Level {
        here,
        entries: listing.entries,
        links,
        walk: w.clone(),
        truncated: listing.truncated,
    }))
}

/// What a tree walk meets, in order: a directory's entry before its contents, its leaving
/// after them.
pub enum Visit<'a> {
    /// A file, or a link (never followed).
    Leaf {
        path: &'a str,
        entry: &'a Entry,
        link: bool,
    },
    Enter {
        path: &'a str,
    },
    Leave {
        path: &'a str,
    },
}

/// Walk the tree under `root` depth first, calling `visit` for everything in it; `cancelled`
/// is asked before each directory. A root that is a link is visited as a leaf.
pub fn walk_tree(
    conn: &mut Connection,
    root_path: &str,
    opts: WalkOptions,
    cancelled: &dyn Fn() -> bool,
    visit: &mut dyn FnMut(Visit) -> Result<(), WalkError>,
) -> Result<(), WalkError> {
    let w = root(conn, root_path, opts.timeout_secs)?;
    walk_dir(conn, root_path, &w, None, opts, cancelled, visit)
}

fn walk_dir(
    conn: &mut Connection,
    dir: &str,
    w: &Walk,
    entry: Option<&Entry>,
    opts: WalkOptions,
    cancelled: &dyn Fn() -> bool,
    visit: &mut dyn FnMut(Visit) -> Result<(), WalkError>,
) -> Result<(), WalkError> {
    if cancelled() {
        return Err(WalkError::Cancelled);
    }
    let level = match enter(conn, dir, w, opts, false)? {
        Entered::Dir(level) => level,
        Entered::Link(r) => {
            tracing::info!("walk: {dir} is a link ({r}); not entered");
            let fallback;
            let entry = match entry {
                Some(e) => e,
                None => {
                    fallback = Entry::new(rpath::file_name(dir).unwrap_or(dir), EntryKind::Symlink);
                    &fallback
                }
            };
            return visit(Visit::Leaf {
                path: dir,
                entry,
                link: true,
            });
        }
    };
    if let Some(why) = &level.truncated {
        return Err(WalkError::Remote(RemoteError::Other(format!(
            "the listing of {} is incomplete ({why})",
            display_name(dir)
        ))));
    }
    for e in &level.entries {
        if e.name.contains('/') || e.name == ".." || e.name == "." || e.name.is_empty() {
            return Err(WalkError::OddName {
                dir: dir.to_string(),
                name: e.name.clone(),
            });
        }
    }
    visit(Visit::Enter { path: dir })?;
    for e in &level.entries {
        let child = rpath::join(dir, &e.name);
        match level.kind(e) {
            Kind::Dir(next) => walk_dir(conn, &child, &next, Some(e), opts, cancelled, visit)?,
            Kind::File => visit(Visit::Leaf {
                path: &child,
                entry: e,
                link: false,
            })?,
            Kind::Link => visit(Visit::Leaf {
                path: &child,
                entry: e,
                link: true,
            })?,
            Kind::Unreadable => {
                return Err(WalkError::Unreadable {
                    dir: dir.to_string(),
                    line: e.name.clone(),
                });
            }
        }
    }
    visit(Visit::Leave { path: dir })
}
