//! Reading both trees for a sync: every file and directory by its path relative to the root.
//! Links are left out on both sides (never followed, never copied).

use std::path::Path;

use super::{Item, Tree};
use crate::remote::Connection;
use crate::remote::tree::{self, Visit, WalkError, WalkOptions};

/// The local tree at `root`; `seen` is told the count as it grows.
pub fn scan_local(root: &Path, seen: &mut dyn FnMut(usize)) -> Result<Tree, String> {
    let mut out = Tree::new();
    let mut stack = vec![(root.to_path_buf(), String::new())];
    while let Some((dir, rel)) = stack.pop() {
        let rd = std::fs::read_dir(&dir).map_err(|e| {
            format!(
                "cannot read {}: {}",
                dir.display(),
                crate::local::plain_io_error(&e)
            )
        })?;
        for item in rd {
            let item = item.map_err(|e| e.to_string())?;
            let Ok(name) = item.file_name().into_string() else {
                continue; // not UTF-8: cannot be named on the server the same way
            };
            let Ok(meta) = std::fs::symlink_metadata(item.path()) else {
                continue;
            };
            let path = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            if meta.is_dir() {
                out.insert(
                    path.clone(),
                    Item {
                        dir: true,
                        size: 0,
                        mtime: None,
                    },
                );
                stack.push((item.path(), path));
            } else if meta.is_file() {
                out.insert(
                    path,
                    Item {
                        dir: false,
                        size: meta.len(),
                        mtime: crate::fsutil::mtime_secs(&meta),
                    },
                );
            }
        }
        seen(out.len());
    }
    Ok(out)
}

/// The remote tree at `root` (an absolute path), read by the one tree walk.
pub fn scan_remote(
    conn: &mut Connection,
    root: &str,
    opts: WalkOptions,
    seen: &mut dyn FnMut(usize),
) -> Result<Tree, WalkError> {
    let mut out = Tree::new();
    let prefix = format!("{}/", root.trim_end_matches('/'));
    let rel = |p: &str| p.strip_prefix(&prefix).map(str::to_string);
    tree::walk_tree(conn, root, opts, &|| false, &mut |v| {
        match v {
            Visit::Leaf { link: true, .. } => {}
            Visit::Leaf { path, entry, .. } => {
                if let Some(r) = rel(path) {
                    out.insert(
                        r,
                        Item {
                            dir: false,
                            size: entry.size.unwrap_or(0),
                            mtime: entry.mtime,
                        },
                    );
                }
            }
            Visit::Enter { path } => {
                if let Some(r) = rel(path) {
                    out.insert(
                        r,
                        Item {
                            dir: true,
                            size: 0,
                            mtime: None,
                        },
                    );
                }
            }
            Visit::Leave { .. } => {}
        }
        seen(out.len());
        Ok(())
    })?;
    Ok(out)
}
