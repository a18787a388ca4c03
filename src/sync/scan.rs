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

/// The remote tree at `root`, listed on `workers` connections at once (each directory by one
/// of them, by the same rules as the one tree walk). `seen` is told the count as it grows.
pub fn scan_remote_parallel(
    profile: &crate::remote::Profile,
    root: &str,
    opts: WalkOptions,
    workers: usize,
    seen: &(dyn Fn(usize) + Sync),
) -> Result<Tree, String> {
    use std::sync::{Condvar, Mutex};
    use tree::{Entered, Kind};

    struct State {
        queue: Vec<(String, crate::safety::Walk)>,
        busy: usize,
        tree: Tree,
        error: Option<String>,
    }
    let mut first =
        crate::remote::connect::connect(profile, Default::default()).map_err(|e| e.to_string())?;
    let walk = tree::root(&mut first, root, opts.timeout_secs).map_err(|e| e.to_string())?;
    let state = Mutex::new(State {
        queue: vec![(root.to_string(), walk)],
        busy: 0,
        tree: Tree::new(),
        error: None,
    });
    let wake = Condvar::new();
    let prefix = format!("{}/", root.trim_end_matches('/'));
    let lock = || state.lock().unwrap_or_else(|e| e.into_inner());
    let work = |conn: &mut Connection| loop {
        let (dir, walk) = {
            let mut st = lock();
            loop {
                if st.error.is_some() {
                    return;
                }
                if let Some(next) = st.queue.pop() {
                    st.busy += 1;
                    break next;
                }
                if st.busy == 0 {
                    wake.notify_all();
                    return;
                }
                st = wake.wait(st).unwrap_or_else(|e| e.into_inner());
            }
        };
        let result = match tree::enter(conn, &dir, &walk, opts, false) {
            Ok(Entered::Dir(level)) => match &level.truncated {
                Some(why) => Err(format!(
                    "the listing of {} is incomplete ({why})",
                    crate::sanitize::display_name(&dir)
                )),
                None => Ok(Some(level)),
            },
            Ok(Entered::Link(_)) => Ok(None), // a link: not entered, not synced
            Err(e) => Err(e.to_string()),
        };
        let mut st = lock();
        st.busy -= 1;
        match result {
            Err(e) => st.error = Some(e),
            Ok(None) => {}
            Ok(Some(level)) => {
                for e in &level.entries {
                    if e.name.contains('/') || e.name == ".." || e.name == "." || e.name.is_empty()
                    {
                        st.error = Some(format!(
                            "refusing the odd name {:?} under {}",
                            crate::sanitize::display_name(&e.name),
                            crate::sanitize::display_name(&dir)
                        ));
                        break;
                    }
                    let path = crate::remote::path::join(&dir, &e.name);
                    let Some(rel) = path.strip_prefix(&prefix).map(str::to_string) else {
                        continue;
                    };
                    match level.kind(e) {
                        Kind::File => {
                            st.tree.insert(
                                rel,
                                Item {
                                    dir: false,
                                    size: e.size.unwrap_or(0),
                                    mtime: e.mtime,
                                },
                            );
                        }
                        Kind::Dir(next) => {
                            st.tree.insert(
                                rel,
                                Item {
                                    dir: true,
                                    size: 0,
                                    mtime: None,
                                },
                            );
                            st.queue.push((path, next));
                        }
                        Kind::Link => {}
                        Kind::Unreadable => {
                            st.error = Some(format!(
                                "a listing line under {} could not be read",
                                crate::sanitize::display_name(&dir)
                            ));
                            break;
                        }
                    }
                }
                seen(st.tree.len());
            }
        }
        wake.notify_all();
    };
    std::thread::scope(|s| {
        for _ in 1..workers.max(1) {
            s.spawn(|| {
                // A connection that cannot be made leaves the work to the others.
                if let Ok(mut c) = crate::remote::connect::connect(profile, Default::default()) {
                    work(&mut c);
                    let _ = c.ftp.quit();
                }
            });
        }
        work(&mut first);
    });
    let _ = first.ftp.quit();
    let st = state.into_inner().unwrap_or_else(|e| e.into_inner());
    match st.error {
        Some(e) => Err(e),
        None => Ok(st.tree),
    }
}
