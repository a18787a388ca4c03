//! Reading both trees for a sync: every file and directory by its path relative to the root.
//! Links are left out on both sides (never followed, never copied).

use std::path::Path;

use super::{Item, Tree};
use crate::remote::Connection;
use crate::remote::tree::{self, Visit, WalkError, WalkOptions};

/// What a scan has seen so far on one side.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Seen {
    pub dirs: u64,
    pub files: u64,
}

impl Seen {
    /// `12 directories, 3,400 files`.
    pub fn words(self) -> String {
        format!(
            "{}, {}",
            crate::words::count(self.dirs as usize, "directory", "directories"),
            crate::words::count(self.files as usize, "file", "files")
        )
    }

    fn add(&mut self, item: &Item) {
        if item.dir {
            self.dirs += 1;
        } else {
            self.files += 1;
        }
    }
}

/// Why a scan stopped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScanError {
    #[error("cancelled")]
    Cancelled,
    #[error("{0}")]
    Failed(String),
}

impl From<String> for ScanError {
    fn from(s: String) -> Self {
        ScanError::Failed(s)
    }
}

/// The local tree at `root`; `seen` is told the counts as they grow (after each directory),
/// `cancelled` is asked as often.
pub fn scan_local(
    root: &Path,
    cancelled: &dyn Fn() -> bool,
    seen: &mut dyn FnMut(Seen),
) -> Result<Tree, ScanError> {
    let mut out = Tree::new();
    let mut counts = Seen::default();
    let mut stack = vec![(root.to_path_buf(), String::new())];
    while let Some((dir, rel)) = stack.pop() {
        if cancelled() {
            return Err(ScanError::Cancelled);
        }
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
            let entry = if meta.is_dir() {
                stack.push((item.path(), path.clone()));
                Item {
                    dir: true,
                    size: 0,
                    mtime: None,
                }
            } else if meta.is_file() {
                Item {
                    dir: false,
                    size: meta.len(),
                    mtime: crate::fsutil::mtime_secs(&meta),
                }
            } else {
                continue;
            };
            counts.add(&entry);
            out.insert(path, entry);
        }
        seen(counts);
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

/// The remote tree at `root`, listed on `first` and `workers - 1` more connections to
/// `profile` at once (each directory by one of them, by the same rules as the one tree walk).
/// `seen` is told the counts as they grow; `cancelled` is asked between two directories.
pub fn scan_remote_parallel(
    first: &mut Connection,
    profile: &crate::remote::Profile,
    root: &str,
    opts: WalkOptions,
    workers: usize,
    cancelled: &(dyn Fn() -> bool + Sync),
    seen: &(dyn Fn(Seen) + Sync),
) -> Result<Tree, ScanError> {
    let mut spare = Vec::new();
    let tree = scan_remote_keeping(
        first, profile, root, opts, workers, cancelled, seen, &mut spare,
    );
    for mut c in spare {
        let _ = c.ftp.quit();
    }
    tree
}

/// [`scan_remote_parallel`], the extra connections kept in `spare` for what comes next (a
/// pool adopts them: no second login). An extra connection is only made while more
/// directories wait than connections are busy or starting, so a small tree costs one login.
#[allow(clippy::too_many_arguments)]
pub fn scan_remote_keeping(
    first: &mut Connection,
    profile: &crate::remote::Profile,
    root: &str,
    opts: WalkOptions,
    workers: usize,
    cancelled: &(dyn Fn() -> bool + Sync),
    seen: &(dyn Fn(Seen) + Sync),
    spare: &mut Vec<Connection>,
) -> Result<Tree, ScanError> {
    use std::sync::{Condvar, Mutex};
    use tree::{Entered, Kind};

    struct State {
        queue: Vec<(String, crate::safety::Walk)>,
        busy: usize,
        tree: Tree,
        counts: Seen,
        error: Option<ScanError>,
        /// Extra connections being made.
        starting: usize,
    }
    let walk = tree::root(first, root, opts.timeout_secs).map_err(|e| e.to_string())?;
    let state = Mutex::new(State {
        queue: vec![(root.to_string(), walk)],
        busy: 0,
        tree: Tree::new(),
        counts: Seen::default(),
        error: None,
        starting: 0,
    });
    let wake = Condvar::new();
    let prefix = format!("{}/", root.trim_end_matches('/'));
    let lock = || state.lock().unwrap_or_else(|e| e.into_inner());
    let work = |conn: &mut Connection| loop {
        let (dir, walk) = {
            let mut st = lock();
            loop {
                if st.error.is_none() && cancelled() {
                    st.error = Some(ScanError::Cancelled);
                }
                if st.error.is_some() {
                    wake.notify_all();
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
            Err(e) => st.error = Some(ScanError::Failed(e)),
            Ok(None) => {}
            Ok(Some(level)) => {
                for e in &level.entries {
                    if e.name.contains('/') || e.name == ".." || e.name == "." || e.name.is_empty()
                    {
                        st.error = Some(ScanError::Failed(format!(
                            "refusing the odd name {:?} under {}",
                            crate::sanitize::display_name(&e.name),
                            crate::sanitize::display_name(&dir)
                        )));
                        break;
                    }
                    let path = crate::remote::path::join(&dir, &e.name);
                    let Some(rel) = path.strip_prefix(&prefix).map(str::to_string) else {
                        continue;
                    };
                    match level.kind(e) {
                        Kind::File => {
                            st.counts.files += 1;
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
                            st.counts.dirs += 1;
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
                            st.error = Some(ScanError::Failed(format!(
                                "a listing line under {} could not be read",
                                crate::sanitize::display_name(&dir)
                            )));
                            break;
                        }
                    }
                }
                seen(st.counts);
            }
        }
        wake.notify_all();
    };
    // Wait until directories pile up (then connect and help), or the scan ends.
    let needed = || {
        let mut st = lock();
        loop {
            if st.error.is_some() || (st.queue.is_empty() && st.busy == 0) {
                return false;
            }
            if st.queue.len() > st.starting {
                st.starting += 1;
                return true;
            }
            st = wake.wait(st).unwrap_or_else(|e| e.into_inner());
        }
    };
    std::thread::scope(|s| {
        let helpers: Vec<_> = (1..workers.max(1))
            .map(|_| {
                s.spawn(|| {
                    if !needed() {
                        return None;
                    }
                    // A connection that cannot be made leaves the work to the others.
                    let made = crate::remote::connect::connect(profile, Default::default());
                    lock().starting -= 1;
                    wake.notify_all();
                    let mut c = made.ok()?;
                    work(&mut c);
                    Some(c)
                })
            })
            .collect();
        work(first);
        for h in helpers {
            if let Ok(Some(c)) = h.join() {
                spare.push(c);
            }
        }
    });
    let st = state.into_inner().unwrap_or_else(|e| e.into_inner());
    match st.error {
        Some(e) => Err(e),
        None => Ok(st.tree),
    }
}

/// Both trees of a sync.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scanned {
    pub local: Tree,
    pub remote: Tree,
}

/// Scan the local tree at `local_root` (an absent one is empty) and the remote tree at
/// `remote_root` (`None`: not there, empty) at the same time, the remote one on `workers`
/// connections. `seen` is told both sides' counts (local, remote) as they grow.
///
/// The extra connections the remote scan made are left in `spare`, logged in.
#[allow(clippy::too_many_arguments)]
pub fn scan_both(
    first: &mut Connection,
    profile: &crate::remote::Profile,
    local_root: &Path,
    remote_root: Option<&str>,
    opts: WalkOptions,
    workers: usize,
    cancelled: &(dyn Fn() -> bool + Sync),
    seen: &(dyn Fn(Seen, Seen) + Sync),
    spare: &mut Vec<Connection>,
) -> Result<Scanned, ScanError> {
    use std::sync::Mutex;
    let counts = Mutex::new((Seen::default(), Seen::default()));
    let update = |local: Option<Seen>, remote: Option<Seen>| {
        let mut c = counts.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(l) = local {
            c.0 = l;
        }
        if let Some(r) = remote {
            c.1 = r;
        }
        seen(c.0, c.1);
    };
    // A failure on one side stops the other.
    let failed = std::sync::atomic::AtomicBool::new(false);
    let stop = || cancelled() || failed.load(std::sync::atomic::Ordering::Relaxed);
    let (local, remote) = std::thread::scope(|s| {
        let local = s.spawn(|| {
            let r = if local_root.is_dir() {
                scan_local(local_root, &stop, &mut |n| update(Some(n), None))
            } else {
                Ok(Tree::new())
            };
            if r.is_err() {
                failed.store(true, std::sync::atomic::Ordering::Relaxed);
            }
            r
        });
        let remote = match remote_root {
            Some(root) => scan_remote_keeping(
                first,
                profile,
                root,
                opts,
                workers,
                &stop,
                &|n| update(None, Some(n)),
                spare,
            ),
            None => Ok(Tree::new()),
        };
        if remote.is_err() {
            failed.store(true, std::sync::atomic::Ordering::Relaxed);
        }
        let local = local
            .join()
            .unwrap_or_else(|_| Err(ScanError::Failed("the local scan failed".into())));
        (local, remote)
    });
    // A real failure says more than the stop it caused on the other side.
    match (local, remote) {
        (Ok(local), Ok(remote)) => Ok(Scanned { local, remote }),
        (Err(ScanError::Failed(e)), _) => Err(ScanError::Failed(e)),
        (_, Err(ScanError::Failed(e))) => Err(ScanError::Failed(format!("the server: {e}"))),
        _ => Err(ScanError::Cancelled),
    }
}
