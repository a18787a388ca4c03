//! Writing local files safely: never through a symlink, only over regular files, keeping the
//! mode of a file that is replaced, and durable before the final name appears.

use std::fs::{self, File, Metadata, OpenOptions};
use std::io;
use std::path::Path;

/// The entry at `path` without following a symlink, or `None` when there is nothing.
pub fn existing(path: &Path) -> io::Result<Option<Metadata>> {
    match fs::symlink_metadata(path) {
        Ok(m) => Ok(Some(m)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// What kind of thing a non-regular entry is, for messages.
fn kind_word(meta: &Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_symlink() {
        "a symlink"
    } else if t.is_dir() {
        "a directory"
    } else {
        "not a regular file"
    }
}

/// The error for an entry ftpdeck refuses to write through or over.
pub fn not_regular(meta: &Metadata) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!(
            "it is {}; ftpdeck only writes regular files and never through a link",
            kind_word(meta)
        ),
    )
}

/// Open the `.part` of a download for writing: appended to (resume) or created/truncated
/// (fresh). Refused when it exists and is not a regular file — a planted `name.part` symlink
/// would otherwise send the download to wherever it points. The open itself refuses a link
/// (`O_NOFOLLOW`) and does not block on a FIFO (`O_NONBLOCK`, which a regular file ignores), and
/// what it opened is checked after: no separate look at the name first.
pub fn open_part(part: &Path, append: bool) -> io::Result<File> {
    let mut opts = OpenOptions::new();
    opts.write(true).create(true);
    if append {
        opts.append(true);
    } else {
        opts.truncate(true);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY);
        opts.mode(0o644);
    }
    let file = opts.open(part).map_err(|e| {
        #[cfg(unix)]
        match e.raw_os_error() {
            Some(libc::ELOOP) => {
                return io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "it is a symlink; ftpdeck never writes through a link",
                );
            }
            // A FIFO nobody reads.
            Some(libc::ENXIO) => {
                return io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "it is not a regular file; ftpdeck only writes regular files",
                );
            }
            _ => {}
        }
        e
    })?;
    let meta = file.metadata()?;
    if !meta.file_type().is_file() {
        return Err(not_regular(&meta));
    }
    Ok(file)
}

/// Remove a stale `.part` before a fresh download; only a regular file (or a link, which is
/// removed as a link) is removed, never a directory.
pub fn remove_part(part: &Path) -> io::Result<()> {
    match existing(part)? {
        None => Ok(()),
        Some(m) if m.is_dir() => Err(not_regular(&m)),
        Some(_) => fs::remove_file(part),
    }
}

/// True when the owner cannot write the file (a replace should be confirmed).
pub fn is_read_only(meta: &Metadata) -> bool {
    meta.permissions().readonly()
}

/// The permission bits to give a file that replaces `meta`'s file.
pub fn mode_of(meta: &Metadata) -> u32 {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.permissions().mode() & 0o7777
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        0o644
    }
}

/// When a finished download is flushed to disk before it gets its final name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Durability {
    /// When a crash could lose data: the download replaces a file, or its source is deleted
    /// afterwards (a move). A new copy is not flushed: after a crash it is at worst missing or
    /// shorter (the source is still there, and the next copy or sync finds it so) — never a
    /// replaced file half-written.
    #[default]
    Auto,
    /// Every download (the disk's write speed then bounds every transfer).
    Always,
    /// Never (the system writes the data back in its own time).
    Never,
}

impl Durability {
    /// `auto`, `always`, `never` (also `true` for always and `false` for never).
    pub fn parse(s: &str) -> Option<Durability> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Some(Durability::Auto),
            "always" | "true" => Some(Durability::Always),
            "never" | "false" => Some(Durability::Never),
            _ => None,
        }
    }

    /// Flush a download that `replaces` a file, or whose source is then deleted (`moves`)?
    pub fn flush(self, replaces: bool, moves: bool) -> bool {
        match self {
            Durability::Always => true,
            Durability::Never => false,
            Durability::Auto => replaces || moves,
        }
    }
}

/// Give a finished download its final name: the replaced file's `mode` is applied first, and
/// where `durable` says so (see [`Durability::flush`]; `moves`: the source is deleted next) the
/// data reaches the disk before the rename, so a file under its final name is always complete.
/// Returns whether it flushed: the caller then syncs the directory (batched, see [`sync_dir`]).
pub fn commit_part(
    file: &File,
    part: &Path,
    target: &Path,
    mode: Option<u32>,
    durable: Durability,
    moves: bool,
) -> io::Result<bool> {
    if let Some(mode) = mode {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            file.set_permissions(fs::Permissions::from_mode(mode))?;
        }
        #[cfg(not(unix))]
        let _ = mode;
    }
    // The usual case, a new file that nothing needs flushed: one rename that refuses to
    // replace, instead of a look at the name and a rename.
    if !durable.flush(false, moves) {
        match rename_noreplace(part, target) {
            Ok(()) => return Ok(false),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
    }
    let replaced = existing(target)?;
    if let Some(meta) = &replaced {
        if meta.is_dir() {
            return Err(not_regular(meta));
        }
    }
    let flush = durable.flush(replaced.is_some(), moves);
    if flush {
        file.sync_all()?;
    }
    fs::rename(part, target)?;
    Ok(flush)
}

/// Make the renames in `dir` durable.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Rename `from` to `to` only if nothing is at `to` (atomically where the system can).
pub fn rename_noreplace(from: &Path, to: &Path) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::ffi::OsStrExt;
        let (Ok(a), Ok(b)) = (
            std::ffi::CString::new(from.as_os_str().as_bytes()),
            std::ffi::CString::new(to.as_os_str().as_bytes()),
        ) else {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "NUL in a path"));
        };
        // SAFETY: both are valid NUL-terminated paths; AT_FDCWD makes them relative to the cwd.
        let rc = unsafe {
            libc::renameat2(
                libc::AT_FDCWD,
                a.as_ptr(),
                libc::AT_FDCWD,
                b.as_ptr(),
                libc::RENAME_NOREPLACE,
            )
        };
        if rc == 0 {
            return Ok(());
        }
        let e = io::Error::last_os_error();
        // File systems without RENAME_NOREPLACE: check, then rename.
        if !matches!(e.raw_os_error(), Some(libc::EINVAL) | Some(libc::ENOSYS)) {
            return Err(e);
        }
    }
    if existing(to)?.is_some() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            "the new name exists",
        ));
    }
    fs::rename(from, to)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    #[cfg(unix)]
    fn a_part_that_is_a_symlink_is_refused_and_the_target_untouched() {
        let d = tempfile::tempdir().unwrap();
        let victim = d.path().join("victim");
        std::fs::write(&victim, b"precious").unwrap();
        let part = d.path().join("f.part");
        std::os::unix::fs::symlink(&victim, &part).unwrap();
        for append in [true, false] {
            let e = open_part(&part, append).unwrap_err();
            assert!(e.to_string().contains("symlink"), "{e}");
        }
        assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
        assert!(remove_part(&part).is_ok(), "a link is removed as a link");
        assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
    }

    #[test]
    #[cfg(unix)]
    fn commit_keeps_the_replaced_mode() {
        use std::os::unix::fs::PermissionsExt;
        let d = tempfile::tempdir().unwrap();
        let target = d.path().join("f");
        std::fs::write(&target, b"old").unwrap();
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o444)).unwrap();
        let mode = mode_of(&std::fs::metadata(&target).unwrap());
        let part = d.path().join("f.part");
        let mut f = open_part(&part, false).unwrap();
        f.write_all(b"new").unwrap();
        commit_part(&f, &part, &target, Some(mode), Durability::Always, false).unwrap();
        let meta = std::fs::metadata(&target).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o444);
        assert_eq!(std::fs::read(&target).unwrap(), b"new");
    }

    #[test]
    fn auto_flushes_a_download_that_replaces_a_file_or_moves_one_and_not_a_new_copy() {
        let d = tempfile::tempdir().unwrap();
        let commit = |name: &str, durable: Durability, moves: bool| {
            let target = d.path().join(name);
            let part = d.path().join(format!("{name}.part"));
            let mut f = open_part(&part, false).unwrap();
            f.write_all(b"new").unwrap();
            let flushed = commit_part(&f, &part, &target, None, durable, moves).unwrap();
            assert_eq!(std::fs::read(&target).unwrap(), b"new");
            assert!(!part.exists());
            flushed
        };
        assert!(!commit("a", Durability::Auto, false), "a new copy");
        assert!(
            commit("a", Durability::Auto, false),
            "a copy that replaces one"
        );
        assert!(commit("b", Durability::Auto, true), "a move");
        assert!(commit("c", Durability::Always, false));
        assert!(!commit("c", Durability::Never, true));
        assert_eq!(Durability::parse(" Always "), Some(Durability::Always));
        assert_eq!(Durability::parse("false"), Some(Durability::Never));
        assert_eq!(Durability::parse("sometimes"), None);
    }

    #[test]
    #[cfg(unix)]
    fn a_part_that_is_a_fifo_is_refused_at_once_instead_of_blocking_the_worker() {
        let d = tempfile::tempdir().unwrap();
        let part = d.path().join("f.part");
        let c = std::ffi::CString::new(part.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
        for append in [true, false] {
            let e = open_part(&part, append).unwrap_err();
            assert!(e.to_string().contains("not a regular file"), "{e}");
        }
        use std::os::unix::fs::FileTypeExt;
        assert!(
            std::fs::symlink_metadata(&part)
                .unwrap()
                .file_type()
                .is_fifo()
        );
    }

    #[test]
    fn a_download_never_replaces_a_directory_of_its_name_and_keeps_its_part() {
        let d = tempfile::tempdir().unwrap();
        let target = d.path().join("f");
        std::fs::create_dir(&target).unwrap();
        std::fs::write(target.join("inside"), b"kept").unwrap();
        let part = d.path().join("f.part");
        let mut f = open_part(&part, false).unwrap();
        f.write_all(b"new").unwrap();
        for durable in [Durability::Auto, Durability::Always, Durability::Never] {
            let e = commit_part(&f, &part, &target, None, durable, false).unwrap_err();
            assert!(e.to_string().contains("directory"), "{durable:?}: {e}");
            assert_eq!(std::fs::read(&part).unwrap(), b"new");
            assert_eq!(std::fs::read(target.join("inside")).unwrap(), b"kept");
        }
    }

    #[test]
    fn rename_never_replaces() {
        let d = tempfile::tempdir().unwrap();
        let (a, b) = (d.path().join("a"), d.path().join("b"));
        std::fs::write(&a, b"a").unwrap();
        std::fs::write(&b, b"b").unwrap();
        assert!(rename_noreplace(&a, &b).is_err());
        assert_eq!(std::fs::read(&b).unwrap(), b"b");
        let c = d.path().join("c");
        rename_noreplace(&a, &c).unwrap();
        assert_eq!(std::fs::read(&c).unwrap(), b"a");
    }
}
