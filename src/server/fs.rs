//! The shared directory as the server sees it: every path a client names is resolved here, and
//! nothing outside the share can be reached.
//!
//! Paths are first normalised lexically (`/a/../b` is `b`; a `..` above the root is refused).
//! By default they are then opened through a capability handle on the root (cap-std), which
//! resolves symlinks itself and refuses any that lead outside the share. With
//! `--follow-symlinks` the normalised path is opened from the root as an ordinary path, so links
//! may point anywhere — the user asked for that in so many words.
//!
//! All calls here block; the storage backend runs them on tokio's blocking pool.

use std::ffi::OsString;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::time::SystemTime;

/// What a listing or `SIZE`/`MDTM`/`MLST` reports for one name: always what a client gets when
/// it opens the name, so a symlink shows as the file or directory it leads to.
#[derive(Debug, Clone)]
pub struct Meta {
    pub len: u64,
    pub dir: bool,
    pub file: bool,
    pub modified: Option<SystemTime>,
    pub uid: u32,
    pub gid: u32,
    pub links: u64,
    pub mode: u32,
}

impl Meta {
    fn from_std(m: &std::fs::Metadata) -> Meta {
        use std::os::unix::fs::MetadataExt;
        Meta {
            len: m.len(),
            dir: m.is_dir(),
            file: m.is_file(),
            modified: m.modified().ok(),
            uid: m.uid(),
            gid: m.gid(),
            links: m.nlink(),
            mode: m.mode(),
        }
    }

    fn from_cap(m: &cap_std::fs::Metadata) -> Meta {
        use cap_std::fs::MetadataExt;
        Meta {
            len: m.len(),
            dir: m.is_dir(),
            file: m.is_file(),
            modified: m.modified().ok().map(|t| t.into_std()),
            uid: m.uid(),
            gid: m.gid(),
            links: m.nlink(),
            mode: m.mode(),
        }
    }
}

/// The share's root.
#[derive(Debug)]
pub enum Tree {
    /// Symlinks are followed only while they stay inside the share.
    Capped(cap_std::fs::Dir),
    /// Symlinks are followed wherever they lead (`--follow-symlinks`).
    Open(PathBuf),
}

/// The error for a name that leads outside the share: the same "not available" a missing name
/// gets, so a client learns nothing about what lies outside.
fn outside() -> io::Error {
    io::Error::new(io::ErrorKind::NotFound, "outside the shared directory")
}

/// `path` (as the client named it, relative to the root whatever its leading `/`) as a plain
/// relative path without `.` or `..`; `..` above the root is refused.
pub fn relative(path: &Path) -> io::Result<PathBuf> {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::RootDir | Component::CurDir => {}
            Component::Prefix(_) => return Err(outside()),
            Component::ParentDir => {
                if !out.pop() {
                    return Err(outside());
                }
            }
            Component::Normal(n) => out.push(n),
        }
    }
    Ok(out)
}

fn or_dot(rel: &Path) -> &Path {
    if rel.as_os_str().is_empty() {
        Path::new(".")
    } else {
        rel
    }
}

impl Tree {
    pub fn open(root: &Path, follow_symlinks: bool) -> io::Result<Tree> {
        if follow_symlinks {
            Ok(Tree::Open(root.to_path_buf()))
        } else {
            let dir = cap_std::fs::Dir::open_ambient_dir(root, cap_std::ambient_authority())?;
            Ok(Tree::Capped(dir))
        }
    }

    fn full(root: &Path, rel: &Path) -> PathBuf {
        root.join(rel)
    }

    /// What opening `path` gives (symlinks followed, within the rules above).
    pub fn stat(&self, path: &Path) -> io::Result<Meta> {
        let rel = relative(path)?;
        match self {
            Tree::Capped(d) => d.metadata(or_dot(&rel)).map(|m| Meta::from_cap(&m)),
            Tree::Open(root) => {
                std::fs::metadata(Self::full(root, &rel)).map(|m| Meta::from_std(&m))
            }
        }
        .map_err(escape_is_missing)
    }

    /// The entries of the directory `path`, each as what a client gets when it opens it.
    /// Names that cannot be opened (a symlink leading outside the share, a broken link) are
    /// left out: listing them would promise something RETR or CWD then refuses.
    pub fn list(&self, path: &Path) -> io::Result<Vec<(OsString, Meta)>> {
        let rel = relative(path)?;
        let mut out = Vec::new();
        match self {
            Tree::Capped(d) => {
                let dir = d.open_dir(or_dot(&rel)).map_err(escape_is_missing)?;
                for entry in dir.entries()? {
                    let Ok(entry) = entry else { continue };
                    let name = entry.file_name();
                    let Ok(ft) = entry.file_type() else { continue };
                    let meta = if ft.is_symlink() {
                        // Followed by cap-std, which refuses a link out of the share.
                        dir.metadata(&name)
                    } else {
                        entry.metadata()
                    };
                    if let Ok(m) = meta {
                        out.push((name, Meta::from_cap(&m)));
                    }
                }
            }
            Tree::Open(root) => {
                for entry in std::fs::read_dir(Self::full(root, &rel))? {
                    let Ok(entry) = entry else { continue };
                    if let Ok(m) = std::fs::metadata(entry.path()) {
                        out.push((entry.file_name(), Meta::from_std(&m)));
                    }
                }
            }
        }
        Ok(out)
    }

    /// Open a file to read.
    pub fn read(&self, path: &Path) -> io::Result<std::fs::File> {
        let rel = relative(path)?;
        let file = match self {
            Tree::Capped(d) => d.open(&rel).map(|f| f.into_std()),
            Tree::Open(root) => std::fs::File::open(Self::full(root, &rel)),
        }
        .map_err(escape_is_missing)?;
        if file.metadata()?.is_dir() {
            return Err(io::Error::from_raw_os_error(libc::EISDIR));
        }
        Ok(file)
    }

    /// Open a file to write, creating it; its contents are kept (the caller truncates to the
    /// restart offset).
    pub fn write(&self, path: &Path) -> io::Result<std::fs::File> {
        let rel = relative(path)?;
        if rel.as_os_str().is_empty() {
            return Err(io::Error::from_raw_os_error(libc::EISDIR));
        }
        match self {
            Tree::Capped(d) => {
                let mut o = cap_std::fs::OpenOptions::new();
                o.write(true).create(true);
                d.open_with(&rel, &o).map(|f| f.into_std())
            }
            Tree::Open(root) => std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(false)
                .open(Self::full(root, &rel)),
        }
        .map_err(escape_is_missing)
    }

    pub fn remove_file(&self, path: &Path) -> io::Result<()> {
        let rel = relative(path)?;
        match self {
            Tree::Capped(d) => d.remove_file(&rel),
            Tree::Open(root) => std::fs::remove_file(Self::full(root, &rel)),
        }
        .map_err(escape_is_missing)
    }

    pub fn create_dir(&self, path: &Path) -> io::Result<()> {
        let rel = relative(path)?;
        match self {
            Tree::Capped(d) => d.create_dir(&rel),
            Tree::Open(root) => std::fs::create_dir(Self::full(root, &rel)),
        }
        .map_err(escape_is_missing)
    }

    pub fn remove_dir(&self, path: &Path) -> io::Result<()> {
        let rel = relative(path)?;
        if rel.as_os_str().is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                "the shared directory itself cannot be removed",
            ));
        }
        match self {
            Tree::Capped(d) => d.remove_dir(&rel),
            Tree::Open(root) => std::fs::remove_dir(Self::full(root, &rel)),
        }
        .map_err(escape_is_missing)
    }

    pub fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        let (from, to) = (relative(from)?, relative(to)?);
        if from.as_os_str().is_empty() || to.as_os_str().is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                "the shared directory itself cannot be renamed",
            ));
        }
        match self {
            Tree::Capped(d) => d.rename(&from, d, &to),
            Tree::Open(root) => std::fs::rename(Self::full(root, &from), Self::full(root, &to)),
        }
        .map_err(escape_is_missing)
    }
}

/// cap-std reports a path that leads out of the share as PermissionDenied ("a path led outside
/// of the filesystem"); the client is told the name is not available, as for a missing one.
fn escape_is_missing(e: io::Error) -> io::Error {
    if e.to_string().contains("outside of the filesystem") {
        outside()
    } else {
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_never_climb_above_the_root() {
        assert_eq!(relative(Path::new("/a/b")).unwrap(), PathBuf::from("a/b"));
        assert_eq!(
            relative(Path::new("a/./b/../c")).unwrap(),
            PathBuf::from("a/c")
        );
        assert_eq!(relative(Path::new("/")).unwrap(), PathBuf::new());
        assert!(relative(Path::new("/..")).is_err());
        assert!(relative(Path::new("a/../../etc/passwd")).is_err());
        // `%2e%2e` is a name, not a parent: it stays inside.
        assert_eq!(
            relative(Path::new("%2e%2e/x")).unwrap(),
            PathBuf::from("%2e%2e/x")
        );
    }
}
