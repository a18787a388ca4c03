//! The transfer queue that survives a restart: each server's unfinished and failed copies,
//! kept in `queue.json` under the state directory (mode 0600, written atomically), so that
//! the next connection to the same server can offer to resume them.
//!
//! The file is rewritten whenever the unfinished set changes (at most once a second) and
//! once more when ftpdeck quits, so even a `kill -9` loses at most the last second.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::transfer::{Direction, Job, JobId};

/// One copy to do again.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SavedJob {
    pub download: bool,
    pub remote: String,
    pub local: PathBuf,
    #[serde(default)]
    pub is_dir: bool,
    #[serde(default)]
    pub size: Option<u64>,
    #[serde(default)]
    pub mtime: Option<i64>,
    /// A move: the source goes once the copy is confirmed.
    #[serde(default)]
    pub remove_source: bool,
    /// Why it failed, when it did.
    #[serde(default)]
    pub failed: Option<String>,
}

impl SavedJob {
    /// What to save of `job` (`None` for a local path that is not UTF-8, which JSON cannot
    /// carry exactly).
    pub fn of(job: &Job, failed: Option<String>) -> Option<SavedJob> {
        job.local.to_str()?;
        Some(SavedJob {
            download: job.direction == Direction::Download,
            remote: job.remote.clone(),
            local: job.local.clone(),
            is_dir: job.is_dir,
            size: job.size,
            mtime: job.mtime,
            remove_source: job.remove_source,
            failed,
        })
    }

    /// A job that continues this copy: an existing `.part` or smaller destination is
    /// resumed, a destination that is already whole is skipped.
    pub fn job(&self, id: JobId) -> Job {
        let direction = if self.download {
            Direction::Download
        } else {
            Direction::Upload
        };
        let mut job = Job::new(
            id,
            direction,
            self.remote.clone(),
            self.local.clone(),
            self.is_dir,
        );
        job.size = self.size;
        job.mtime = self.mtime;
        job.remove_source = self.remove_source;
        job.on_exists = Some(crate::transfer::Resolution::ResumeElseSkip);
        job
    }
}

/// Every server's saved copies, by the server's label (`user@host:port`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Saved {
    #[serde(default)]
    pub servers: BTreeMap<String, Vec<SavedJob>>,
}

/// `queue.json` in the state directory.
pub fn path() -> Option<PathBuf> {
    crate::safety::kept::state_dir().map(|d| d.join("queue.json"))
}

/// The saved queue at `path`; a missing file is an empty queue, a broken one is an error that
/// says why (the file is then left alone until something new is saved).
pub fn load(path: &Path) -> Result<Saved, String> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map_err(|e| format!("{}: unreadable ({e}); it will be replaced", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Saved::default()),
        Err(e) => Err(format!(
            "{}: {}",
            path.display(),
            crate::local::plain_io_error(&e)
        )),
    }
}

/// Replace `label`'s copies in the file at `path` (none: forget the server), keeping the
/// other servers' as they are.
pub fn save(path: &Path, label: &str, jobs: &[SavedJob]) -> std::io::Result<()> {
    let mut saved = load(path).unwrap_or_default();
    if jobs.is_empty() {
        if saved.servers.remove(label).is_none() && !path.exists() {
            return Ok(());
        }
    } else {
        saved.servers.insert(label.to_string(), jobs.to_vec());
    }
    let text = serde_json::to_vec_pretty(&saved).map_err(std::io::Error::other)?;
    crate::fsutil::write_private_atomic(path, &text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn saved(remote: &str) -> SavedJob {
        SavedJob {
            download: true,
            remote: remote.into(),
            local: PathBuf::from("/tmp/x").join(remote.trim_start_matches('/')),
            is_dir: false,
            size: Some(7),
            mtime: None,
            remove_source: false,
            failed: None,
        }
    }

    #[test]
    fn each_server_keeps_its_own_copies_and_an_empty_list_forgets_the_server() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state/queue.json");
        assert_eq!(load(&path).unwrap(), Saved::default());
        save(&path, "a@h:21", &[saved("/one"), saved("/t\u{e9}l\u{e9}")]).unwrap();
        save(&path, "b@h:21", &[saved("/two")]).unwrap();
        let got = load(&path).unwrap();
        assert_eq!(got.servers["a@h:21"].len(), 2);
        assert_eq!(got.servers["a@h:21"][1].remote, "/t\u{e9}l\u{e9}");
        assert_eq!(got.servers["b@h:21"], vec![saved("/two")]);
        save(&path, "a@h:21", &[]).unwrap();
        let got = load(&path).unwrap();
        assert!(!got.servers.contains_key("a@h:21"));
        assert!(got.servers.contains_key("b@h:21"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
    }

    #[test]
    fn a_broken_file_is_an_error_that_says_so_and_is_replaced_by_the_next_save() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("queue.json");
        std::fs::write(&path, b"{ not json \xff").unwrap();
        let e = load(&path).unwrap_err();
        assert!(e.contains("unreadable"), "{e}");
        save(&path, "a@h:21", &[saved("/one")]).unwrap();
        assert_eq!(load(&path).unwrap().servers["a@h:21"], vec![saved("/one")]);
    }

    #[test]
    fn a_saved_job_comes_back_as_a_resuming_copy() {
        let mut j = Job::new(9, Direction::Upload, "/r/f", "/l/f", false);
        j.size = Some(5);
        j.remove_source = true;
        let s = SavedJob::of(&j, Some("boom".into())).unwrap();
        let back = s.job(3);
        assert_eq!(back.id, 3);
        assert_eq!(back.direction, Direction::Upload);
        assert_eq!((back.remote.as_str(), back.size), ("/r/f", Some(5)));
        assert!(back.remove_source);
        assert_eq!(
            back.on_exists,
            Some(crate::transfer::Resolution::ResumeElseSkip)
        );
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            let odd = std::ffi::OsStr::from_bytes(b"/l/\xff");
            let j = Job::new(1, Direction::Download, "/r", odd, false);
            assert_eq!(SavedJob::of(&j, None), None);
        }
    }
}
