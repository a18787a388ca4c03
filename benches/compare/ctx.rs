//! What every contest needs: the settings, fixtures and binary, the private HOME every
//! contender runs with, and the one way a contender's command is timed.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use super::Settings;
use super::fixtures::Fixtures;
use super::process::{self, Finished, Sample};
use super::report::Goal;
use super::runner::{Entrant, entrant};
use super::servers::Server;
use super::tools::{self, Login};

/// A run that takes this long has failed.
pub const RUN_TIMEOUT: Duration = Duration::from_secs(900);

/// Which optional contenders are installed.
pub struct Contenders {
    pub curl: bool,
    pub lftp: bool,
}

pub struct Ctx<'a> {
    pub settings: &'a Settings,
    pub fx: &'a Fixtures,
    /// `target/release/ftpdeck`.
    pub binary: &'a Path,
    /// Local scratch space for downloads.
    pub work: PathBuf,
    /// The `HOME` of every contender's process.
    pub home: PathBuf,
    /// The bench's temp dir (shown as `$TMP` in command lines).
    pub base: PathBuf,
    pub have: Contenders,
    /// The server whose rows carry the goals (vsftpd when it runs).
    pub primary: &'static str,
}

impl Ctx<'_> {
    /// `ftpdeck ARGS…` (the release binary).
    pub fn ftpdeck<S: AsRef<OsStr>>(&self, args: impl IntoIterator<Item = S>) -> Command {
        let mut cmd = Command::new(self.binary);
        cmd.args(args);
        cmd
    }

    /// Run a contender's command as a process with the private HOME: its wall and CPU time.
    pub fn time(&self, cmd: Command) -> Result<Sample, String> {
        self.run(cmd).map(|f| f.sample)
    }

    /// As [`Ctx::time`], keeping what it printed.
    pub fn run(&self, mut cmd: Command) -> Result<Finished, String> {
        tools::private(&mut cmd, &self.home);
        process::run(&mut cmd, RUN_TIMEOUT)
    }

    pub fn shown(&self, cmd: &Command, login: &Login) -> String {
        tools::shown(cmd, &login.password, &self.base)
    }

    /// `goals` on the primary server, none elsewhere (another server's limits are not ours).
    pub fn goals(&self, server: &Server, goals: &[Goal]) -> Vec<Goal> {
        if server.name == self.primary {
            goals.to_vec()
        } else {
            Vec::new()
        }
    }

    /// A contender that runs `make()`'s command against `server`: `prepare` before it and
    /// `check` after it (verify, then clean up) stay outside the time. The server's CPU time
    /// during the run is recorded with it.
    pub fn entrant<'c>(
        &'c self,
        server: &'c Server,
        name: &str,
        make: impl Fn() -> Command + 'c,
        mut prepare: impl FnMut() -> Result<(), String> + 'c,
        mut check: impl FnMut() -> Result<(), String> + 'c,
    ) -> Entrant<'c> {
        let shown = self.shown(&make(), &server.login);
        entrant(name, move || {
            prepare()?;
            let before = server.cpu_secs();
            let mut sample = self.time(make())?;
            sample.server_cpu = before.zip(server.cpu_secs()).map(|(a, b)| (b - a).max(0.0));
            check()?;
            Ok(sample)
        })
        .shows(shown)
    }
}

/// Remove `path` (file or directory) if it exists.
pub fn remove(path: &Path) -> Result<(), String> {
    let r = if path.is_dir() {
        std::fs::remove_dir_all(path)
    } else {
        std::fs::remove_file(path)
    };
    match r {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(format!("removing {}: {e}", path.display()))
        }
        _ => Ok(()),
    }
}

/// `path` as an empty directory.
pub fn fresh_dir(path: &Path) -> Result<(), String> {
    remove(path)?;
    std::fs::create_dir_all(path).map_err(|e| format!("mkdir {}: {e}", path.display()))
}

/// Every file under `root` with its status-change time: a file written, replaced or given new
/// times gets a new one, a file only read keeps it.
pub fn ctimes(root: &Path) -> Result<BTreeMap<PathBuf, (i64, i64)>, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for entry in entries {
            let entry = entry.map_err(|e| e.to_string())?;
            let meta = entry.metadata().map_err(|e| e.to_string())?;
            if meta.is_dir() {
                stack.push(entry.path());
            } else {
                out.insert(entry.path(), (meta.ctime(), meta.ctime_nsec()));
            }
        }
    }
    Ok(out)
}

/// How many files of `before` are gone or changed in `after`, plus those new in `after`.
pub fn touched(
    before: &BTreeMap<PathBuf, (i64, i64)>,
    after: &BTreeMap<PathBuf, (i64, i64)>,
) -> usize {
    let changed = before
        .iter()
        .filter(|(p, t)| after.get(*p) != Some(t))
        .count();
    let new = after.keys().filter(|p| !before.contains_key(*p)).count();
    changed + new
}

pub fn tests() -> Vec<super::Case> {
    vec![super::case(
        "ctx: files rewritten by a run are counted, files only read are not",
        || {
            let dir = tempfile::tempdir().unwrap();
            let root = dir.path();
            std::fs::create_dir_all(root.join("a/b")).unwrap();
            for f in ["x", "a/y", "a/b/z"] {
                std::fs::write(root.join(f), f).unwrap();
            }
            let before = ctimes(root).unwrap();
            assert_eq!(before.len(), 3);
            let _ = std::fs::read(root.join("a/y")).unwrap();
            assert_eq!(touched(&before, &ctimes(root).unwrap()), 0);
            std::thread::sleep(Duration::from_millis(20));
            std::fs::write(root.join("a/b/z"), "new").unwrap();
            std::fs::write(root.join("w"), "w").unwrap();
            assert_eq!(touched(&before, &ctimes(root).unwrap()), 2);
            fresh_dir(&root.join("a")).unwrap();
            assert_eq!(std::fs::read_dir(root.join("a")).unwrap().count(), 0);
            remove(&root.join("missing")).unwrap();
        },
    )]
}
