//! The real `ftpdeck` binary as a script runs it: a private HOME (no config, no bookmarks, no
//! `.netrc` unless the test writes one), stdin not a terminal.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime};

/// How a run ended.
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// stdout's lines.
    pub fn lines(&self) -> Vec<&str> {
        self.stdout.lines().collect()
    }
}

/// `ftpdeck ARGS` ready to run with a private HOME and the extra environment `env`.
pub fn command(home: &Path, args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ftpdeck"));
    cmd.args(args)
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_STATE_HOME", home.join(".state"))
        .env_remove("FTPDECK_PASSWORD")
        .env_remove("NETRC")
        .env_remove("FTPDECK_SERVE_PASSWORD")
        .stdin(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

/// Run `ftpdeck ARGS` to the end.
pub fn ftpdeck(home: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let out = command(home, args, env).output().expect("run ftpdeck");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Set the modification time of `path` to `secs` after the epoch.
pub fn set_mtime(path: &Path, secs: u64) {
    std::fs::File::options()
        .write(true)
        .open(path)
        .and_then(|f| f.set_modified(SystemTime::UNIX_EPOCH + Duration::from_secs(secs)))
        .unwrap_or_else(|e| panic!("set the time of {}: {e}", path.display()));
}

/// The modification time of `path`, in seconds after the epoch.
pub fn mtime(path: &Path) -> u64 {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .map(|t| {
            t.duration_since(SystemTime::UNIX_EPOCH)
                .unwrap_or_default()
                .as_secs()
        })
        .unwrap_or_else(|e| panic!("the time of {}: {e}", path.display()))
}
