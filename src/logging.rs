//! Logs go to a file under the user's state (or cache) directory, never to the terminal.

use std::path::PathBuf;
use std::sync::Mutex;

/// Where the log file lives: `$FTPDECK_LOG_DIR`, else the platform state dir, else the cache dir.
pub fn log_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("FTPDECK_LOG_DIR") {
        return Some(PathBuf::from(d));
    }
    let dirs = directories::ProjectDirs::from("", "", "ftpdeck")?;
    Some(
        dirs.state_dir()
            .map(PathBuf::from)
            .unwrap_or_else(|| dirs.cache_dir().to_path_buf()),
    )
}

/// Start logging to `ftpdeck.log`; returns the file's path, or `None` if it cannot be opened
/// (then nothing is logged, and nothing reaches the screen either).
pub fn init() -> Option<PathBuf> {
    let dir = log_dir()?;
    std::fs::create_dir_all(&dir).ok()?;
    let path = dir.join("ftpdeck.log");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .ok()?;
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
