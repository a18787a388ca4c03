//! Local faults during transfers: a full disk, a directory where the file should go, an
//! upload source that is gone, a destination that cannot be written. Each failing job is
//! queued together with a good one on a single worker: the failing job must end `Failed` with
//! the operating system's error in plain words, and the good job after it must still arrive
//! intact.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may stop at the first surprise

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::{Duration, Instant};

use common::*;
use ftpdeck::server::ServerHandle;
use ftpdeck::transfer::{
    self, Direction, Job, JobId, Outcome, PoolOptions, TransferCmd, TransferEvent,
};

const T: Duration = Duration::from_secs(30);

/// A server over a temp dir holding `good.bin` and `other.bin`, and a one-worker pool.
struct Setup {
    server_root: tempfile::TempDir,
    local: tempfile::TempDir,
    _server: ServerHandle,
    cmd: Sender<TransferCmd>,
    rx: Receiver<TransferEvent>,
    good: Vec<u8>,
    next: JobId,
}

impl Setup {
    fn new() -> Setup {
        let server_root = tempfile::tempdir().unwrap();
        let good = pseudo_random(300 * 1024 + 7, 11);
        std::fs::write(server_root.path().join("good.bin"), &good).unwrap();
        std::fs::write(
            server_root.path().join("other.bin"),
            pseudo_random(200 * 1024, 12),
        )
        .unwrap();
        let server = start_server(server_root.path());
        let (tx, rx) = mpsc::channel();
        let options = PoolOptions {
            workers: 1,
            retries: 1,
            backoff: Duration::from_millis(100),
            ..PoolOptions::default()
        };
        let cmd = transfer::spawn(tx, options);
        cmd.send(TransferCmd::SetProfile(profile(&server))).unwrap();
        Setup {
            server_root,
            local: tempfile::tempdir().unwrap(),
            _server: server,
            cmd,
            rx,
            good,
            next: 0,
        }
    }

    fn job(&mut self, direction: Direction, remote: &str, local: &Path) -> Job {
        self.next += 1;
        Job {
            batch: 1,
            ..Job::new(self.next, direction, remote, local, false)
        }
    }

    /// A download of `good.bin` into the local dir.
    fn good_job(&mut self) -> Job {
        let target = self.local.path().join("good.bin");
        self.job(Direction::Download, "/good.bin", &target)
    }

    /// Queue the jobs in one go; wait until each has finished. Outcomes in finishing order.
    fn run(&self, jobs: Vec<Job>) -> Vec<(JobId, Outcome)> {
        let mut open: HashMap<JobId, ()> = jobs.iter().map(|j| (j.id, ())).collect();
        self.cmd.send(TransferCmd::Enqueue(jobs)).unwrap();
        let deadline = Instant::now() + T;
        let mut done = Vec::new();
        while !open.is_empty() {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(TransferEvent::Finished { id, outcome }) => {
                    open.remove(&id);
                    done.push((id, outcome));
                }
                Ok(TransferEvent::Conflict { id, .. }) => panic!("job {id} parked on a conflict"),
                Ok(_) => {}
                Err(e) => panic!("jobs {:?} never finished ({e})", open.keys()),
            }
        }
        done
    }

    /// Run `bad` then the good download; check that `bad` failed with an error containing
    /// every one of `words`, and that the good file then arrived byte for byte.
    fn expect_failure_then_good(&mut self, bad: Job, words: &[&str]) -> String {
        let good = self.good_job();
        let (bad_id, good_id) = (bad.id, good.id);
        let results = self.run(vec![bad, good]);
        let order: Vec<JobId> = results.iter().map(|(id, _)| *id).collect();
        assert_eq!(
            order,
            [bad_id, good_id],
            "one worker runs the jobs in order"
        );
        let error = match &results[0].1 {
            Outcome::Failed { error } => error.clone(),
            other => panic!("the faulty job ended {other:?}"),
        };
        eprintln!("error shown: {error}");
        for w in words {
            assert!(
                error.to_string().contains(w),
                "{error:?} does not say {w:?}"
            );
        }
        assert!(
            !error.to_string().contains("os error"),
            "{error:?} is not in plain words"
        );
        assert!(
            matches!(results[1].1, Outcome::Done { .. }),
            "the good job after the failure ended {:?}",
            results[1].1
        );
        let got = std::fs::read(self.local.path().join("good.bin")).unwrap();
        assert!(got == self.good, "good.bin arrived damaged");
        assert!(!self.local.path().join("good.bin.part").exists());
        error.to_string()
    }
}

fn running_as_root() -> bool {
    // The owner of a file we just created is who we are.
    use std::os::unix::fs::MetadataExt;
    let probe = tempfile::NamedTempFile::new().unwrap();
    probe.as_file().metadata().unwrap().uid() == 0
}

/// A tmpfs of `kib` KiB mounted on a fresh directory (root only), unmounted when dropped.
struct TinyFs {
    dir: tempfile::TempDir,
}

impl TinyFs {
    fn mount(kib: u32) -> Result<TinyFs, String> {
        if unsafe { libc::geteuid() } != 0 {
            return Err("mounting a small tmpfs needs root".into());
        }
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let status = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={kib}k"), "tmpfs"])
            .arg(dir.path())
            .status()
            .map_err(|e| format!("cannot run mount: {e}"))?;
        if !status.success() {
            return Err(format!("mount -t tmpfs failed ({status})"));
        }
        Ok(TinyFs { dir })
    }
}

impl Drop for TinyFs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg(self.dir.path())
            .status();
    }
}

#[test]
fn disk_full_fails_the_download_and_the_queue_goes_on() {
    // 64 KiB of room for a 200 KiB file.
    let tiny = match TinyFs::mount(64) {
        Ok(t) => t,
        Err(reason) => {
            println!("skipped: {reason}");
            return;
        }
    };
    let mut s = Setup::new();
    let target = tiny.dir.path().join("other.bin");
    let bad = s.job(Direction::Download, "/other.bin", &target);
    let error = s.expect_failure_then_good(bad, &["No space left on device", "other.bin.part"]);
    assert!(error.to_string().starts_with("cannot write"), "{error}");
    assert!(
        std::fs::symlink_metadata(&target).is_err(),
        "nothing may be renamed into place after a failed write"
    );
}

#[test]
fn a_part_file_that_is_a_symlink_is_never_written_through() {
    let dev_full = Path::new("/dev/full");
    if !dev_full.exists() {
        common::skip("no /dev/full");
        return;
    }
    let mut s = Setup::new();
    let target = s.local.path().join("other.bin");
    let part = s.local.path().join("other.bin.part");
    // A planted link where the download's .part goes: following it would write elsewhere.
    std::os::unix::fs::symlink(dev_full, &part).unwrap();
    let bad = s.job(Direction::Download, "/other.bin", &target);
    let error = s.expect_failure_then_good(bad, &["symlink", "other.bin.part"]);
    assert!(
        std::fs::symlink_metadata(&target).is_err(),
        "nothing may be renamed into place after a refused write"
    );
    assert!(
        std::fs::symlink_metadata(&part).is_ok_and(|m| m.file_type().is_symlink()),
        "the link is left as it was: {error}"
    );
    let meta = std::fs::metadata(dev_full).unwrap();
    assert!(
        std::os::unix::fs::FileTypeExt::is_char_device(&meta.file_type()),
        "/dev/full is no longer a device"
    );
}

#[test]
fn a_directory_where_the_download_should_go_fails_with_that_reason() {
    let mut s = Setup::new();
    let target = s.local.path().join("other.bin");
    std::fs::create_dir(&target).unwrap();
    std::fs::write(target.join("keep.txt"), b"mine").unwrap();
    let bad = s.job(Direction::Download, "/other.bin", &target);
    s.expect_failure_then_good(bad, &["is a directory", "other.bin"]);
    assert!(target.is_dir(), "the directory was replaced");
    assert_eq!(std::fs::read(target.join("keep.txt")).unwrap(), b"mine");
    assert!(!s.local.path().join("other.bin.part").exists());
}

#[test]
fn a_directory_where_the_upload_should_go_fails_and_the_queue_goes_on() {
    let mut s = Setup::new();
    std::fs::create_dir(s.server_root.path().join("taken")).unwrap();
    let source = s.local.path().join("up.bin");
    std::fs::write(&source, b"upload me").unwrap();
    let bad = s.job(Direction::Upload, "/taken", &source);
    // The server answers SIZE for a directory too; the engine notices it is one and fails
    // the job at once instead of asking whether to overwrite it.
    let error = s.expect_failure_then_good(bad, &["/taken", "is a directory on the server"]);
    eprintln!("upload onto a directory: {error}");
    assert!(s.server_root.path().join("taken").is_dir());
}

#[test]
fn a_vanished_upload_source_fails_in_plain_words() {
    let mut s = Setup::new();
    // Queued for a file that is gone by the time the worker gets to it.
    let source = s.local.path().join("gone.bin");
    std::fs::write(&source, b"here for a moment").unwrap();
    std::fs::remove_file(&source).unwrap();
    let bad = s.job(Direction::Upload, "/gone.bin", &source);
    s.expect_failure_then_good(bad, &["gone.bin", "vanished"]);
    assert!(
        !s.server_root.path().join("gone.bin").exists(),
        "an upload of nothing created a file on the server"
    );
}

#[test]
fn an_unwritable_destination_fails_in_plain_words() {
    let mut s = Setup::new();
    if running_as_root() {
        // Root ignores permission bits, so a 0500 directory would not stop the write. Use
        // another real failure of the same kind instead: the destination's parent is a file.
        let not_a_dir = s.local.path().join("plain-file");
        std::fs::write(&not_a_dir, b"x").unwrap();
        let target = not_a_dir.join("other.bin");
        let bad = s.job(Direction::Download, "/other.bin", &target);
        s.expect_failure_then_good(bad, &["Not a directory", "other.bin"]);
        assert_eq!(std::fs::read(&not_a_dir).unwrap(), b"x");
    } else {
        use std::os::unix::fs::PermissionsExt;
        let locked = s.local.path().join("locked");
        std::fs::create_dir(&locked).unwrap();
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o500)).unwrap();
        let bad = s.job(Direction::Download, "/other.bin", &locked.join("other.bin"));
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            s.expect_failure_then_good(bad, &["Permission denied", "other.bin"]);
        }));
        // Let the temp dir clean up either way.
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o700)).unwrap();
        if let Err(p) = result {
            std::panic::resume_unwind(p);
        }
        assert_eq!(std::fs::read_dir(&locked).unwrap().count(), 0);
    }
}
