//! Logs go to a file under the user's state (or cache) directory, never to the terminal.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Where the log file lives: `$FTPDECK_LOG_DIR`, else the platform state dir, else the cache
/// dir; and whether the directory is ftpdeck's own (then it is kept private, mode 0700).
fn log_dir() -> Option<(PathBuf, bool)> {
    if let Some(d) = std::env::var_os("FTPDECK_LOG_DIR") {
        let dir = PathBuf::from(d);
        // A directory the user named may be shared: private only if we create it.
        let ours = !dir.exists();
        return Some((dir, ours));
    }
    let dirs = directories::ProjectDirs::from("", "", "ftpdeck")?;
    let dir = dirs
        .state_dir()
        .map(PathBuf::from)
        .unwrap_or_else(|| dirs.cache_dir().to_path_buf());
    Some((dir, true))
}

/// Open (append to) `dir/ftpdeck.log` with mode 0600, also when it existed with another mode;
/// `own_dir` makes the directory 0700 too. Logs hold host names, user names and paths.
pub fn open_log(dir: &Path, own_dir: bool) -> std::io::Result<(PathBuf, File)> {
    crate::fsutil::create_private_dir(dir)?;
    let path = dir.join("ftpdeck.log");
    let mut opts = std::fs::OpenOptions::new();
    opts.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        opts.mode(0o600);
        let file = opts.open(&path)?;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        if own_dir {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
        }
        Ok((path, file))
    }
    #[cfg(not(unix))]
    {
        let _ = own_dir;
        Ok((path.clone(), opts.open(&path)?))
    }
}

/// Start logging to `ftpdeck.log`; returns the file's path, or `None` if it cannot be opened
/// (then nothing is logged, and nothing reaches the screen either).
pub fn init() -> Option<PathBuf> {
    let (dir, own_dir) = log_dir()?;
    let (path, file) = open_log(&dir, own_dir).ok()?;
    let level = std::env::var("FTPDECK_LOG")
        .ok()
        .and_then(|l| l.parse().ok())
        .unwrap_or(tracing::Level::INFO);
    tracing_subscriber::fmt()
        .with_writer(Mutex::new(file))
        .with_ansi(false)
        .with_max_level(level)
        .try_init()
        .ok()?;
    Some(path)
}

#[cfg(test)]
#[cfg(unix)]
mod tests {
    use super::open_log;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &std::path::Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn the_log_is_private_also_when_it_existed_readable() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("state");
        std::fs::create_dir(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        let old = dir.join("ftpdeck.log");
        std::fs::write(&old, "old line\n").unwrap();
        std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o644)).unwrap();
        let (path, _) = open_log(&dir, true).unwrap();
        assert_eq!((mode(&path), mode(&dir)), (0o600, 0o700));
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "old line\n",
            "appended, not truncated"
        );

        // A directory the user named is left as it is; the file is private anyway.
        let shared = tmp.path().join("shared");
        std::fs::create_dir(&shared).unwrap();
        std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o755)).unwrap();
        let (path, _) = open_log(&shared, false).unwrap();
        assert_eq!((mode(&path), mode(&shared)), (0o600, 0o755));

        let fresh = tmp.path().join("a/b");
        let (path, _) = open_log(&fresh, true).unwrap();
        assert_eq!((mode(&path), mode(&fresh)), (0o600, 0o700));
    }
}
