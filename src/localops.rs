//! File operations on the local disk, run by the local worker (never on the UI thread).

use std::path::{Path, PathBuf};

use crate::local::plain_io_error;

/// A change to make on the local disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocalOp {
    Mkdir {
        path: PathBuf,
    },
    /// Refuses to replace an existing entry unless `overwrite` (the user confirmed it).
    Rename {
        from: PathBuf,
        to: PathBuf,
        overwrite: bool,
    },
    /// Files, symlinks (never followed) and whole directory trees.
    Delete {
        targets: Vec<PathBuf>,
    },
    Chmod {
        path: PathBuf,
        mode: u32,
    },
    /// Read at most `max_bytes` of a file (for the viewer).
    Read {
        path: PathBuf,
        max_bytes: u64,
    },
}

/// Why a change on the local disk failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LocalError {
    /// The system refused: `what` was being done to `path`.
    #[error("{what} {}: {detail}", .path.display())]
    Io {
        what: &'static str,
        path: PathBuf,
        kind: std::io::ErrorKind,
        detail: String,
    },
    /// Something is already there, and nothing replaces it without the user's word.
    #[error("{} already exists", .path.display())]
    Exists { path: PathBuf },
    #[error("{0}")]
    Unsupported(&'static str),
}

pub(crate) fn err(what: &'static str, path: &Path, e: &std::io::Error) -> LocalError {
    LocalError::Io {
        what,
        path: path.to_path_buf(),
        kind: e.kind(),
        detail: plain_io_error(e),
    }
}

/// Run `op`; `progress(n)` is called as entries are deleted. Returns a message for the user,
/// or for `Read` the bytes.
pub fn run(op: &LocalOp, progress: &mut dyn FnMut(usize)) -> Result<OpOutput, LocalError> {
    match op {
        LocalOp::Mkdir { path } => std::fs::create_dir(path)
            .map(|()| OpOutput::Created(path.clone()))
            .map_err(|e| err("cannot create", path, &e)),
        LocalOp::Rename {
            from,
            to,
            overwrite,
        } => {
            let exists = || LocalError::Exists { path: to.clone() };
            match std::fs::symlink_metadata(to) {
                Ok(m) if m.is_dir() || !*overwrite => return Err(exists()),
                _ => {}
            }
            let renamed = if *overwrite {
                std::fs::rename(from, to)
            } else {
                crate::safety::local::rename_noreplace(from, to)
            };
            renamed
                .map(|()| OpOutput::Renamed(to.clone()))
                .map_err(|e| match e.kind() {
                    std::io::ErrorKind::AlreadyExists => exists(),
                    _ => err("cannot rename", from, &e),
                })
        }
        LocalOp::Delete { targets } => {
            let mut count = 0;
            for t in targets {
                delete(t, &mut count, progress)?;
            }
            Ok(OpOutput::Deleted(count as u64))
        }
        LocalOp::Chmod { path, mode } => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(path, std::fs::Permissions::from_mode(*mode))
                    .map(|()| OpOutput::ModeSet(*mode))
                    .map_err(|e| err("cannot change permissions of", path, &e))
            }
            #[cfg(not(unix))]
            {
                let _ = (path, mode);
                Err(LocalError::Unsupported(
                    "permissions can only be changed on Unix",
                ))
            }
        }
        LocalOp::Read { path, max_bytes } => {
            use std::io::Read;
            let f = std::fs::File::open(path).map_err(|e| err("cannot read", path, &e))?;
            let mut data = Vec::new();
            f.take(*max_bytes)
                .read_to_end(&mut data)
                .map_err(|e| err("cannot read", path, &e))?;
            Ok(OpOutput::Bytes(data))
        }
    }
}

/// What an operation produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpOutput {
    Created(PathBuf),
    Renamed(PathBuf),
    /// Entries deleted.
    Deleted(u64),
    ModeSet(u32),
    /// The bytes read (for the viewer).
    Bytes(Vec<u8>),
}

impl std::fmt::Display for OpOutput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OpOutput::Created(p) => write!(f, "Created {}", name(p)),
            OpOutput::Renamed(p) => write!(f, "Renamed to {}", name(p)),
            OpOutput::Deleted(n) => write!(
                f,
                "Deleted {}",
                crate::words::count(*n as usize, "entry", "entries")
            ),
            OpOutput::ModeSet(m) => write!(f, "Permissions set to {m:o}"),
            OpOutput::Bytes(b) => write!(f, "Read {}", crate::words::human_size(b.len() as u64)),
        }
    }
}

fn name(p: &Path) -> String {
    crate::sanitize::display_name(
        &p.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
    )
}

fn delete(
    path: &Path,
    count: &mut usize,
    progress: &mut dyn FnMut(usize),
) -> Result<(), LocalError> {
    let mut done = *count as u64;
    let result = delete_tree(path, &|| false, &mut done, &mut |n| progress(n as usize));
    *count = done as usize;
    result.map_err(|stop| match stop {
        Stop::Cancelled => LocalError::Unsupported("cancelled"),
        Stop::Failed(e) => e,
    })
}

/// Why a tree operation stopped early.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    Cancelled,
    Failed(LocalError),
}

/// Delete `path`: a file, a symlink (removed, never followed) or a whole tree, contents first.
/// `cancelled` is asked before each entry; `done` counts the entries removed, and `progress`
/// is told each new count. A cancel leaves the rest in place.
pub fn delete_tree(
    path: &Path,
    cancelled: &dyn Fn() -> bool,
    done: &mut u64,
    progress: &mut dyn FnMut(u64),
) -> Result<(), Stop> {
    if cancelled() {
        return Err(Stop::Cancelled);
    }
    let meta = std::fs::symlink_metadata(path)
        .map_err(|e| Stop::Failed(err("cannot delete", path, &e)))?;
    if meta.is_dir() {
        let rd = std::fs::read_dir(path).map_err(|e| Stop::Failed(err("cannot read", path, &e)))?;
        for item in rd {
            let item = item.map_err(|e| Stop::Failed(err("cannot read", path, &e)))?;
            delete_tree(&item.path(), cancelled, done, progress)?;
        }
        std::fs::remove_dir(path).map_err(|e| Stop::Failed(err("cannot delete", path, &e)))?;
    } else {
        std::fs::remove_file(path).map_err(|e| Stop::Failed(err("cannot delete", path, &e)))?;
    }
    *done += 1;
    progress(*done);
    Ok(())
}

/// What a local tree holds: files, directories below the root, bytes. Symlinks are not
/// followed and not counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TreeSize {
    pub files: u64,
    pub dirs: u64,
    pub bytes: u64,
}

/// Measure the tree at `path`; `progress` is told the running totals.
pub fn tree_size(
    path: &Path,
    cancelled: &dyn Fn() -> bool,
    progress: &mut dyn FnMut(&TreeSize),
) -> Result<TreeSize, Stop> {
    let mut size = TreeSize::default();
    let mut stack = vec![path.to_path_buf()];
    while let Some(dir) = stack.pop() {
        if cancelled() {
            return Err(Stop::Cancelled);
        }
        let rd = std::fs::read_dir(&dir).map_err(|e| Stop::Failed(err("cannot read", &dir, &e)))?;
        for item in rd {
            let item = item.map_err(|e| Stop::Failed(err("cannot read", &dir, &e)))?;
            let Ok(meta) = std::fs::symlink_metadata(item.path()) else {
                continue; // gone since it was listed
            };
            if meta.is_dir() {
                size.dirs += 1;
                stack.push(item.path());
            } else if meta.is_file() {
                size.files += 1;
                size.bytes = size.bytes.saturating_add(meta.len());
            }
        }
        progress(&size);
    }
    Ok(size)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(r: Result<OpOutput, LocalError>) -> Result<String, String> {
        r.map(|o| o.to_string()).map_err(|e| e.to_string())
    }

    #[test]
    fn mkdir_rename_chmod_delete_and_their_failures() {
        let d = tempfile::tempdir().unwrap();
        let a = d.path().join("a");
        let mut none = |_| {};
        assert_eq!(
            msg(run(&LocalOp::Mkdir { path: a.clone() }, &mut none)).unwrap(),
            "Created a"
        );
        let again = msg(run(&LocalOp::Mkdir { path: a.clone() }, &mut none)).unwrap_err();
        assert!(again.contains("File exists"), "{again}");
        std::fs::write(a.join("f.txt"), b"x").unwrap();
        std::fs::create_dir(d.path().join("b")).unwrap();
        let clash = msg(run(
            &LocalOp::Rename {
                from: a.clone(),
                to: d.path().join("b"),
                overwrite: false,
            },
            &mut none,
        ))
        .unwrap_err();
        assert!(clash.contains("already exists"), "{clash}");
        let c = d.path().join("c");
        assert!(
            msg(run(
                &LocalOp::Rename {
                    from: a.clone(),
                    to: c.clone(),
                    overwrite: false,
                },
                &mut none
            ))
            .is_ok()
        );
        assert!(
            msg(run(
                &LocalOp::Chmod {
                    path: c.join("f.txt"),
                    mode: 0o600
                },
                &mut none
            ))
            .is_ok()
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(c.join("f.txt"))
                    .unwrap()
                    .permissions()
                    .mode()
                    & 0o777,
                0o600
            );
        }
        // A symlink to a directory outside is removed, never followed.
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("keep.txt"), b"keep").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(outside.path(), c.join("link")).unwrap();
        let mut seen = 0;
        let done = msg(run(
            &LocalOp::Delete {
                targets: vec![c.clone()],
            },
            &mut |n| seen = n,
        ))
        .unwrap();
        assert!(!c.exists());
        assert!(outside.path().join("keep.txt").exists());
        assert!(done.starts_with("Deleted"), "{done}");
        assert!(seen >= 2);
        let gone = msg(run(&LocalOp::Delete { targets: vec![c] }, &mut none)).unwrap_err();
        assert!(gone.contains("No such file"), "{gone}");
    }

    #[test]
    fn read_is_capped() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("big");
        std::fs::write(&p, vec![7u8; 1000]).unwrap();
        let out = run(
            &LocalOp::Read {
                path: p,
                max_bytes: 100,
            },
            &mut |_| {},
        )
        .unwrap();
        assert_eq!(out, OpOutput::Bytes(vec![7u8; 100]));
    }
}
