//! Scratch directories under the system temp dir: `ftpdeck-<pid>-<stamp>` for this run's
//! viewed and edited files, `ftpdeck-demo-<pid>-<stamp>` for the demo's tree. Each is removed
//! when its owner drops it; those of processes that died without cleaning up (SIGKILL, power
//! loss) are swept at the next start.

use std::path::{Path, PathBuf};

/// A fresh `prefix-<pid>-<stamp>` name under the temp dir.
pub fn fresh_path(prefix: &str) -> PathBuf {
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    std::env::temp_dir().join(format!("{prefix}-{}-{stamp}", std::process::id()))
}

/// A 0700 directory for this run's temporary copies; removed when dropped.
pub struct ScratchDir(PathBuf);

impl ScratchDir {
    pub fn create() -> Option<ScratchDir> {
        let dir = fresh_path("ftpdeck");
        let mut b = std::fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
        b.create(&dir).ok()?;
        Some(ScratchDir(dir))
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The process id in a scratch directory's name, if the name is one of ours:
/// `ftpdeck-<pid>-<digits>` or `ftpdeck-demo-<pid>-<digits>`.
fn owner_pid(name: &str) -> Option<u32> {
    let rest = name.strip_prefix("ftpdeck-")?;
    let rest = rest.strip_prefix("demo-").unwrap_or(rest);
    let (pid, stamp) = rest.split_once('-')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    (digits(pid) && digits(stamp)).then(|| pid.parse().ok())?
}

/// Whether process `pid` exists (a process we may not signal exists too).
#[cfg(unix)]
fn alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return true;
    };
    if pid <= 0 {
        return true;
    }
    // Signal 0 checks without sending anything.
    let signalled = unsafe { libc::kill(pid, 0) } == 0;
    signalled || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
}

#[cfg(not(unix))]
fn alive(_pid: u32) -> bool {
    true
}

/// Remove the scratch directories in `tmp` whose process is gone, and only those: our own
/// naming, a real directory (not a symlink), owned by this user. Returns what was removed.
pub fn sweep_stale(tmp: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(tmp) else {
        return Vec::new();
    };
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(owner_pid) else {
            continue;
        };
        let Ok(meta) = std::fs::symlink_metadata(entry.path()) else {
            continue;
        };
        #[cfg(unix)]
        let ours = std::os::unix::fs::MetadataExt::uid(&meta) == unsafe { libc::geteuid() };
        #[cfg(not(unix))]
        let ours = true;
        let stale = meta.is_dir() && ours && pid != std::process::id() && !alive(pid);
        if stale && std::fs::remove_dir_all(entry.path()).is_ok() {
            removed.push(entry.path());
        }
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_our_names_are_scratch_directories() {
        assert_eq!(owner_pid("ftpdeck-123-456"), Some(123));
        assert_eq!(owner_pid("ftpdeck-demo-123-456"), Some(123));
        for other in [
            "ftpdeck-pty-abc",
            "ftpdeck-123",
            "ftpdeck-123-",
            "ftpdeck-x-1",
            "ftpdeck-demo-1-2x",
            "ftpdeck-kept-edits",
            "other-123-456",
        ] {
            assert_eq!(owner_pid(other), None, "{other}");
        }
    }

    #[test]
    fn sweeps_the_dead_and_keeps_the_living_and_the_rest() {
        let tmp = tempfile::tempdir().unwrap();
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let dead = child.id();
        child.wait().unwrap();
        let live = std::process::id();
        let make = |name: &str| {
            let p = tmp.path().join(name);
            std::fs::create_dir(&p).unwrap();
            std::fs::write(p.join("f"), b"x").unwrap();
            p
        };
        let stale = make(&format!("ftpdeck-{dead}-1"));
        let stale_demo = make(&format!("ftpdeck-demo-{dead}-2"));
        let mine = make(&format!("ftpdeck-{live}-3"));
        let unrelated = make("ftpdeck-kept-edits");
        let file = tmp.path().join(format!("ftpdeck-{dead}-4"));
        std::fs::write(&file, b"a file, not a scratch dir").unwrap();
        let mut removed = sweep_stale(tmp.path());
        removed.sort();
        assert_eq!(removed, vec![stale.clone(), stale_demo.clone()]);
        assert!(!stale.exists() && !stale_demo.exists());
        assert!(mine.exists() && unrelated.exists() && file.exists());
    }
}
