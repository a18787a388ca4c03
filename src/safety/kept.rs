//! Edits of remote files that have not been uploaded back live in the state directory
//! (`kept-edits/`), never only in a temp dir that is removed on exit: a copy is made as soon as
//! the editor closes with changes, and removed only once the upload succeeded.

use std::path::{Path, PathBuf};

/// `$FTPDECK_STATE_DIR`, else the platform state dir (else the cache dir).
pub fn state_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("FTPDECK_STATE_DIR") {
        return Some(PathBuf::from(d));
    }
    let dirs = directories::ProjectDirs::from("", "", "ftpdeck")?;
    Some(
        dirs.state_dir()
            .map(PathBuf::from)
            .unwrap_or_else(|| dirs.cache_dir().to_path_buf()),
    )
}

/// Where kept edits go.
pub fn kept_dir() -> Option<PathBuf> {
    state_dir().map(|d| d.join("kept-edits"))
}

/// Copy the edited file at `path` (a copy of remote `remote`) into the kept-edits directory;
/// returns the copy's path. The copy is durable before this returns.
pub fn keep(path: &Path, remote: &str) -> std::io::Result<PathBuf> {
    let dir = kept_dir().ok_or_else(|| std::io::Error::other("no state directory"))?;
    keep_in(&dir, path, remote)
}

/// [`keep`] into `dir`.
pub fn keep_in(dir: &Path, path: &Path, remote: &str) -> std::io::Result<PathBuf> {
    let data = std::fs::read(path)?;
    let name = crate::remote::path::file_name(remote).unwrap_or("edit");
    let safe: String = crate::sanitize::file_name_part(name)
        .chars()
        .take(120)
        .collect();
    let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S");
    for n in 0u32.. {
        let file = if n == 0 {
            format!("{stamp}-{safe}")
        } else {
            format!("{stamp}-{n}-{safe}")
        };
        let target = dir.join(file);
        if super::local::existing(&target)?.is_some() {
            continue;
        }
        crate::fsutil::write_private_atomic(&target, &data)?;
        return Ok(target);
    }
    unreachable!("some name is free")
}

/// The kept edits, oldest first.
pub fn list() -> Vec<PathBuf> {
    let Some(dir) = kept_dir() else {
        return Vec::new();
    };
    list_in(&dir)
}

/// [`list`] of `dir`.
pub fn list_in(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| {
                    !p.file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with('.'))
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// Forget a kept copy once its edit reached the server.
pub fn forget(kept: &Path) -> std::io::Result<()> {
    std::fs::remove_file(kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_copies_under_free_names() {
        let d = tempfile::tempdir().unwrap();
        let src = d.path().join("scratch.txt");
        std::fs::write(&src, b"my edit").unwrap();
        let kept = d.path().join("kept");
        let a = keep_in(&kept, &src, "/pub/notes.txt").unwrap();
        let b = keep_in(&kept, &src, "/pub/notes.txt").unwrap();
        assert_ne!(a, b);
        assert!(a.to_string_lossy().ends_with("notes.txt"));
        assert_eq!(std::fs::read(&b).unwrap(), b"my edit");
        assert_eq!(list_in(&kept), {
            let mut v = vec![a.clone(), b];
            v.sort();
            v
        });
        forget(&a).unwrap();
        assert_eq!(list_in(&kept).len(), 1);
    }
}
