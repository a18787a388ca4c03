//! The local side: listing directories into `Entry`s, on a worker thread so that a huge or slow
//! directory never blocks the UI.

use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;
use std::time::UNIX_EPOCH;

use crate::entry::{Entry, EntryKind};
use crate::localops::{LocalOp, OpOutput};
use crate::remote::Secret;

/// What the UI asks of the local worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocalCmd {
    List {
        id: u64,
        path: PathBuf,
    },
    /// A file operation; answered by `OpDone` (and `OpProgress` meanwhile).
    Op {
        id: u64,
        op: LocalOp,
    },
    /// Remember a trusted certificate for a server (the known-servers file).
    PinCertificate {
        host: String,
        port: u16,
        fingerprint: String,
    },
    /// Write bookmarks.toml (atomically, 0600).
    SaveBookmarks {
        store: Box<crate::bookmarks::Store>,
    },
    /// Save a bookmark's password (keyring, else the 0600 secrets file).
    StoreSecret {
        name: String,
        secret: Secret,
    },
    LookupSecret {
        name: String,
    },
    RunPasswordCmd {
        name: String,
        cmd: String,
    },
    ForgetSecret {
        name: String,
    },
    RenameSecret {
        old: String,
        new: String,
    },
    /// Write `label`'s unfinished transfers into the saved queue (none: forget the server).
    SaveQueue {
        label: String,
        jobs: Vec<crate::queue::SavedJob>,
    },
    /// Copy an edited remote file into the kept-edits directory (answered by `Kept`).
    KeepEdit {
        path: PathBuf,
        remote: String,
    },
    /// The kept copy of an edit that reached the server is no longer needed.
    ForgetKept {
        kept: PathBuf,
    },
    /// Answer once every command sent before this one is done (used before exiting, so that
    /// nothing the user saved is lost).
    Flush(Ack),
}

/// A one-shot answer channel; compares equal to any other so commands stay comparable in tests.
#[derive(Clone)]
pub struct Ack(pub Sender<()>);

impl PartialEq for Ack {
    fn eq(&self, _: &Ack) -> bool {
        true
    }
}

impl Eq for Ack {}

impl std::fmt::Debug for Ack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Ack")
    }
}

/// What the local worker reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocalEvent {
    Listed {
        id: u64,
        /// The requested path.
        path: PathBuf,
        /// The canonical directory and its entries, or the OS error in words.
        result: Result<(PathBuf, Vec<Entry>), String>,
    },
    OpProgress {
        id: u64,
        done: usize,
    },
    OpDone {
        id: u64,
        result: Result<OpOutput, crate::localops::LocalError>,
    },
    /// A bookmark's password: looked up or produced by its command (`None`: none saved).
    Secret {
        name: String,
        result: Result<Option<Secret>, String>,
    },
    /// Free and total bytes of the file system holding the listed directory.
    DiskUsage {
        free: u64,
        total: u64,
    },
    /// An edit was copied to the kept-edits directory (`Ok`: the copy's path).
    Kept {
        path: PathBuf,
        result: Result<PathBuf, String>,
    },
    /// Something was saved, or why it was not.
    Saved {
        result: Result<Saved, SaveError>,
    },
}

/// What was saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Saved {
    Bookmarks,
    /// A password, and where it went.
    Password(crate::secrets::Backend),
}

/// Something could not be saved: what, and the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Could not save {what}: {reason}")]
pub struct SaveError {
    pub what: &'static str,
    pub reason: String,
}

/// Start the local worker.
pub fn spawn<M>(events: Sender<M>) -> Sender<LocalCmd>
where
    M: From<LocalEvent> + Send + 'static,
{
    let (tx, rx) = std::sync::mpsc::channel::<LocalCmd>();
    // Without a thread for it the program cannot work at all: stopping is all there is to do.
    #[allow(clippy::expect_used)]
    std::thread::Builder::new()
        .name("local-fs".into())
        .spawn(move || {
            while let Ok(first) = rx.recv() {
                let mut batch = vec![first];
                batch.extend(rx.try_iter());
                // Coalesce a burst of listings into the newest one; everything else runs.
                let last_list = batch
                    .iter()
                    .rposition(|c| matches!(c, LocalCmd::List { .. }));
                for (i, cmd) in batch.into_iter().enumerate() {
                    match cmd {
                        LocalCmd::List { id, path } if Some(i) == last_list => {
                            let result = list_dir(&path);
                            let usage = result.as_ref().ok().and_then(|(dir, _)| disk_usage(dir));
                            if events
                                .send(M::from(LocalEvent::Listed { id, path, result }))
                                .is_err()
                            {
                                return;
                            }
                            if let Some((free, total)) = usage {
                                let _ = events.send(M::from(LocalEvent::DiskUsage { free, total }));
                            }
                        }
                        LocalCmd::List { .. } => {}
                        LocalCmd::Op { id, op } => {
                            let mut last = std::time::Instant::now();
                            let mut progress = |done: usize| {
                                if last.elapsed() >= std::time::Duration::from_millis(100) {
                                    last = std::time::Instant::now();
                                    let _ =
                                        events.send(M::from(LocalEvent::OpProgress { id, done }));
                                }
                            };
                            let result = crate::localops::run(&op, &mut progress);
                            if events
                                .send(M::from(LocalEvent::OpDone { id, result }))
                                .is_err()
                            {
                                return;
                            }
                        }
                        LocalCmd::SaveBookmarks { store } => {
                            let result = crate::bookmarks::bookmarks_path()
                                .ok_or_else(|| "no config directory".to_string())
                                .and_then(|p| {
                                    crate::bookmarks::save(&p, &store).map_err(|e| e.to_string())
                                })
                                .map(|()| Saved::Bookmarks)
                                .map_err(|reason| SaveError {
                                    what: "bookmarks",
                                    reason,
                                });
                            if events.send(M::from(LocalEvent::Saved { result })).is_err() {
                                return;
                            }
                        }
                        LocalCmd::StoreSecret { name, secret } => {
                            let result = crate::secrets::store(&name, &secret)
                                .map(Saved::Password)
                                .map_err(|reason| SaveError {
                                    what: "the password",
                                    reason,
                                });
                            if events.send(M::from(LocalEvent::Saved { result })).is_err() {
                                return;
                            }
                        }
                        LocalCmd::LookupSecret { name } => {
                            let result = crate::secrets::lookup(&name);
                            if events
                                .send(M::from(LocalEvent::Secret { name, result }))
                                .is_err()
                            {
                                return;
                            }
                        }
                        LocalCmd::RunPasswordCmd { name, cmd } => {
                            let timeout = std::time::Duration::from_secs(30);
                            let result = crate::secrets::run_password_cmd(&cmd, timeout).map(Some);
                            if events
                                .send(M::from(LocalEvent::Secret { name, result }))
                                .is_err()
                            {
                                return;
                            }
                        }
                        LocalCmd::ForgetSecret { name } => {
                            if let Err(e) = crate::secrets::forget(&name) {
                                tracing::warn!("cannot forget the saved password: {e}");
                            }
                        }
                        LocalCmd::RenameSecret { old, new } => {
                            if let Err(e) = crate::secrets::rename(&old, &new) {
                                tracing::warn!("cannot move the saved password: {e}");
                            }
                        }
                        LocalCmd::KeepEdit { path, remote } => {
                            let result = crate::safety::kept::keep(&path, &remote)
                                .map_err(|e| plain_io_error(&e));
                            if events
                                .send(M::from(LocalEvent::Kept { path, result }))
                                .is_err()
                            {
                                return;
                            }
                        }
                        LocalCmd::SaveQueue { label, jobs } => {
                            let saved = crate::queue::path()
                                .ok_or_else(|| std::io::Error::other("no state directory"))
                                .and_then(|p| crate::queue::save(&p, &label, &jobs));
                            if let Err(e) = saved {
                                tracing::warn!("cannot save the transfer queue: {e}");
                            }
                        }
                        LocalCmd::ForgetKept { kept } => {
                            if let Err(e) = crate::safety::kept::forget(&kept) {
                                tracing::warn!(
                                    "cannot remove the kept edit {}: {e}",
                                    kept.display()
                                );
                            }
                        }
                        LocalCmd::Flush(Ack(ack)) => {
                            let _ = ack.send(());
                        }
                        LocalCmd::PinCertificate {
                            host,
                            port,
                            fingerprint,
                        } => {
                            if let Err(e) = crate::known_servers::pin(&host, port, &fingerprint) {
                                tracing::warn!("cannot save the trusted certificate: {e}");
                            }
                        }
                    }
                }
            }
        })
        .expect("spawn local worker");
    tx
}

/// List `path` (following it if it is a symlink) into entries; symlinks to directories are
/// listed as directories with their target kept.
pub fn list_dir(path: &Path) -> Result<(PathBuf, Vec<Entry>), String> {
    let canonical = path
        .canonicalize()
        .map_err(|e| format!("{}: {}", path.display(), plain_io_error(&e)))?;
    let rd = std::fs::read_dir(&canonical)
        .map_err(|e| format!("{}: {}", canonical.display(), plain_io_error(&e)))?;
    let mut entries = Vec::new();
    for item in rd.flatten() {
        entries.push(entry_for(
            &item.path(),
            item.file_name().to_string_lossy().into_owned(),
        ));
    }
    Ok((canonical, entries))
}

fn entry_for(path: &Path, name: String) -> Entry {
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return Entry::new(name, EntryKind::Unknown);
    };
    let mut entry = Entry::new(name, EntryKind::File);
    let mut meta_for_size = meta.clone();
    if meta.file_type().is_symlink() {
        entry.kind = EntryKind::Symlink;
        entry.link_target = std::fs::read_link(path)
            .ok()
            .map(|t| t.to_string_lossy().into_owned());
        if let Ok(target) = std::fs::metadata(path) {
            if target.is_dir() {
                entry.kind = EntryKind::Dir;
            }
            meta_for_size = target;
        }
    } else if meta.is_dir() {
        entry.kind = EntryKind::Dir;
    }
    if !meta_for_size.is_dir() {
        entry.size = Some(meta_for_size.len());
    }
    entry.mtime = meta_for_size
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| d.as_secs() as i64);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        entry.perms = Some(rwx(meta_for_size.permissions().mode()));
    }
    entry
}

/// Free (for unprivileged users) and total bytes of the file system holding `dir`.
#[cfg(unix)]
pub fn disk_usage(dir: &Path) -> Option<(u64, u64)> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(dir.as_os_str().as_bytes()).ok()?;
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: `c` is a valid NUL-terminated path and `st` a properly sized out-parameter.
    if unsafe { libc::statvfs(c.as_ptr(), &mut st) } != 0 {
        return None;
    }
    let unit = st.f_frsize as u64;
    Some((st.f_bavail as u64 * unit, st.f_blocks as u64 * unit))
}

#[cfg(not(unix))]
pub fn disk_usage(_dir: &Path) -> Option<(u64, u64)> {
    None
}

/// `0o755` -> `rwxr-xr-x`.
pub fn rwx(mode: u32) -> String {
    let mut s = String::with_capacity(9);
    for shift in [6, 3, 0] {
        let bits = (mode >> shift) & 7;
        s.push(if bits & 4 != 0 { 'r' } else { '-' });
        s.push(if bits & 2 != 0 { 'w' } else { '-' });
        s.push(if bits & 1 != 0 { 'x' } else { '-' });
    }
    s
}

/// Where the local pane starts: `dir` (named `what` in messages, such as `--local`) if it can
/// be listed, else its nearest ancestor that can, with the reason for the status bar.
pub fn start_dir(dir: &Path, what: &str) -> (PathBuf, Option<String>) {
    let abs = if dir.is_absolute() {
        dir.to_path_buf()
    } else {
        std::env::current_dir()
            .unwrap_or_else(|_| PathBuf::from("/"))
            .join(dir)
    };
    let why = match std::fs::read_dir(&abs) {
        Ok(_) => return (abs, None),
        Err(e) => match e.kind() {
            std::io::ErrorKind::NotFound => "no such directory".to_string(),
            std::io::ErrorKind::NotADirectory => "not a directory".to_string(),
            std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
            _ => plain_io_error(&e),
        },
    };
    let fallback = abs
        .ancestors()
        .skip(1)
        .find(|p| std::fs::read_dir(p).is_ok())
        .map_or_else(|| PathBuf::from("/"), Path::to_path_buf);
    let note = format!(
        "{what} {}: {why} — showing {}",
        crate::words::short(&abs.to_string_lossy()),
        crate::words::short(&fallback.to_string_lossy())
    );
    (fallback, Some(note))
}

/// An OS error in plain words, without Rust's "(os error 13)" suffix.
pub fn plain_io_error(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_files_dirs_and_symlinks() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.txt"), b"hello").unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(dir.path().join("sub"), dir.path().join("link")).unwrap();
        let (_, mut entries) = list_dir(dir.path()).unwrap();
        entries.sort_by(|a, b| a.name.cmp(&b.name));
        assert_eq!(entries[0].name, "a.txt");
        assert_eq!(entries[0].size, Some(5));
        assert_eq!(entries[1].name, "link");
        assert_eq!(entries[1].kind, EntryKind::Dir);
        assert!(entries[1].link_target.is_some());
        assert_eq!(entries[2].kind, EntryKind::Dir);
    }

    #[test]
    fn missing_directory_is_an_error_in_words() {
        let err = list_dir(Path::new("/definitely/not/here")).unwrap_err();
        assert!(err.contains("No such file or directory"), "{err}");
    }

    #[test]
    fn disk_usage_of_the_temp_dir() {
        let (free, total) = disk_usage(&std::env::temp_dir()).expect("statvfs works");
        assert!(total > 0 && free <= total);
    }

    #[test]
    fn the_start_dir_falls_back_to_the_nearest_listable_parent() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        assert_eq!(start_dir(&root, "--local"), (root.clone(), None));
        let (dir, note) = start_dir(&root.join("missing/deeper"), "--local");
        assert_eq!(dir, root);
        let note = note.unwrap();
        assert!(note.starts_with("--local "), "{note}");
        assert!(
            note.contains("missing/deeper: no such directory — showing "),
            "{note}"
        );
        std::fs::write(root.join("file"), b"x").unwrap();
        let (dir, note) = start_dir(&root.join("file"), "--local");
        assert_eq!(dir, root);
        assert!(note.unwrap().contains("file: not a directory"));
    }

    #[test]
    fn rwx_strings() {
        assert_eq!(rwx(0o755), "rwxr-xr-x");
        assert_eq!(rwx(0o640), "rw-r-----");
    }
}
