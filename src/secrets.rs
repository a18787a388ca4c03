//! Saved passwords, never in `bookmarks.toml`: the OS keyring through `secret-tool` (libsecret)
//! when it answers, else `secrets.toml` (mode 0600, in a 0700 directory); and `password_cmd`.
//! Everything here blocks (up to a timeout): call it off the UI thread.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Mutex, mpsc};
use std::time::{Duration, Instant};

use crate::remote::Secret;

/// How long a keyring call may take: a locked keyring can wait forever for an unlock prompt.
pub const KEYRING_TIMEOUT: Duration = Duration::from_secs(2);

/// `secret-tool` reads at most this many bytes of password (longer ones are cut silently).
const KEYRING_MAX_LEN: usize = 8192;

const FILE_HEADER: &str = "\
# ftpdeck saved passwords: plaintext, readable only by you. Managed by ftpdeck.
# bookmark name = password
";

/// Serialises read-modify-write of the secrets file within the process.
static FILE_LOCK: Mutex<()> = Mutex::new(());

/// Where a password was saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// The OS keyring (Secret Service, via `secret-tool`).
    Keyring,
    /// `secrets.toml`, plaintext readable only by the user: the caller should warn.
    File,
}

/// Save the password of bookmark `name`: in the keyring if it answers, else in the file.
pub fn store(name: &str, secret: &Secret) -> Result<Backend, String> {
    Vault::from_env().store(name, secret)
}

/// The saved password of bookmark `name`, if any.
pub fn lookup(name: &str) -> Result<Option<Secret>, String> {
    Vault::from_env().lookup(name)
}

/// Delete the saved password of bookmark `name` from both places.
pub fn forget(name: &str) -> Result<(), String> {
    Vault::from_env().forget(name)
}

/// Move a saved password to a renamed bookmark; `None` if there was none.
pub fn rename(old: &str, new: &str) -> Result<Option<Backend>, String> {
    Vault::from_env().rename(old, new)
}

/// The directory of `secrets.toml`: `$FTPDECK_SECRETS_DIR`, else `secrets` in the config dir.
pub fn secrets_dir() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("FTPDECK_SECRETS_DIR") {
        return Some(PathBuf::from(p));
    }
    directories::ProjectDirs::from("", "", "ftpdeck").map(|d| d.config_dir().join("secrets"))
}

/// Run a `password_cmd` with `sh -c`; its first output line (without the newline) is the
/// password. A non-zero exit or the timeout is an error with the first line of its stderr.
pub fn run_password_cmd(cmd: &str, timeout: Duration) -> Result<Secret, String> {
    let mut command = Command::new("sh");
    command.arg("-c").arg(cmd);
    let out = match run(command, None, timeout) {
        Ok(out) => out,
        Err(RunError::NotFound) => return Err("cannot run the password command: no sh".into()),
        Err(RunError::Failed(e)) => return Err(format!("cannot run the password command: {e}")),
        Err(RunError::TimedOut { stderr }) => {
            let msg = format!("the password command timed out after {timeout:?}");
            return Err(with_detail(msg, &stderr));
        }
    };
    if !out.status.success() {
        let msg = format!("the password command failed ({})", exit_text(out.status));
        return Err(with_detail(msg, &out.stderr));
    }
    let line = String::from_utf8(out.stdout)
        .map_err(|_| "the password command printed something that is not UTF-8".to_string())?;
    let line = strip_newline(line);
    if line.is_empty() {
        return Err(with_detail(
            "the password command printed no password".into(),
            &out.stderr,
        ));
    }
    Ok(Secret::new(line))
}

/// The two places a password can be saved. The free functions build one from the
/// environment; tests build their own.
struct Vault {
    /// Program and leading arguments standing for `secret-tool`; `None` turns the keyring off.
    keyring: Option<Vec<OsString>>,
    keyring_timeout: Duration,
    /// Directory of `secrets.toml`; `None` when there is no config dir.
    dir: Option<PathBuf>,
}

impl Vault {
    /// `secret-tool` unless `FTPDECK_NO_KEYRING` is set (to anything but "" or "0").
    fn from_env() -> Vault {
        let off = std::env::var_os("FTPDECK_NO_KEYRING").is_some_and(|v| !v.is_empty() && v != "0");
        Vault {
            keyring: (!off).then(|| vec!["secret-tool".into()]),
            keyring_timeout: KEYRING_TIMEOUT,
            dir: secrets_dir(),
        }
    }

    fn store(&self, name: &str, secret: &Secret) -> Result<Backend, String> {
        match self.keyring_store(name, secret) {
            Ok(()) => {
                // The keyring now holds the newest password: drop an older plaintext copy.
                if let Err(e) = self.file_update(|map| map.remove(name).is_some()) {
                    tracing::debug!("keyring saved {name:?}, the secrets file kept a copy: {e}");
                }
                Ok(Backend::Keyring)
            }
            Err(why) => {
                tracing::debug!("keyring unavailable ({why}); saving {name:?} to the file");
                self.file_update(|map| {
                    map.insert(name.to_string(), secret.expose().to_string());
                    true
                })?;
                Ok(Backend::File)
            }
        }
    }

    /// The file first: an entry there is always newer than the keyring's (a keyring save
    /// removes it), and reading it costs no process.
    fn lookup(&self, name: &str) -> Result<Option<Secret>, String> {
        let file_error = match self.file_read() {
            Ok(map) => match map.get(name) {
                Some(pw) => return Ok(Some(Secret::new(pw.clone()))),
                None => None,
            },
            Err(e) => Some(e),
        };
        match self.keyring_lookup(name) {
            Ok(Some(secret)) => Ok(Some(secret)),
            Ok(None) => file_error.map_or(Ok(None), Err),
            Err(why) => {
                tracing::debug!("keyring lookup of {name:?} failed: {why}");
                file_error.map_or(Ok(None), Err)
            }
        }
    }

    fn forget(&self, name: &str) -> Result<(), String> {
        if let Err(why) = self.keyring_clear(name) {
            tracing::debug!("keyring clear of {name:?} failed: {why}");
        }
        self.file_update(|map| map.remove(name).is_some())
    }

    fn rename(&self, old: &str, new: &str) -> Result<Option<Backend>, String> {
        if old == new {
            return Ok(None);
        }
        let Some(secret) = self.lookup(old)? else {
            return Ok(None);
        };
        let backend = self.store(new, &secret)?;
        self.forget(old)?;
        Ok(Some(backend))
    }

    // ---- keyring ------------------------------------------------------------------------

    /// Run `secret-tool ACTION [--label L] service ftpdeck bookmark NAME`; `Err` means the
    /// keyring is unusable (not installed, no session bus, timed out).
    fn keyring_run(&self, action: &str, name: &str, input: Option<&[u8]>) -> Result<Done, String> {
        let Some((program, leading)) = self.keyring.as_ref().and_then(|k| k.split_first()) else {
            return Err("keyring turned off".into());
        };
        let mut cmd = Command::new(program);
        cmd.args(leading).arg(action);
        if action == "store" {
            cmd.arg("--label").arg(format!("ftpdeck {name}"));
        }
        if name.starts_with('-') {
            cmd.arg("--"); // or GLib's option parser takes the name for an option
        }
        cmd.args(["service", "ftpdeck", "bookmark", name]);
        match run(cmd, input, self.keyring_timeout) {
            Ok(done) => Ok(done),
            Err(RunError::NotFound) => Err("secret-tool is not installed".into()),
            Err(RunError::Failed(e)) => Err(e),
            Err(RunError::TimedOut { .. }) => {
                Err(format!("no answer within {:?}", self.keyring_timeout))
            }
        }
    }

    fn keyring_store(&self, name: &str, secret: &Secret) -> Result<(), String> {
        if secret.expose().len() >= KEYRING_MAX_LEN {
            return Err("the password is too long for secret-tool".into());
        }
        let done = self.keyring_run("store", name, Some(secret.expose().as_bytes()))?;
        if done.status.success() {
            Ok(())
        } else {
            Err(with_detail(exit_text(done.status), &done.stderr))
        }
    }

    fn keyring_lookup(&self, name: &str) -> Result<Option<Secret>, String> {
        let done = self.keyring_run("lookup", name, None)?;
        if done.status.success() {
            let pw = String::from_utf8(done.stdout).map_err(|_| "a non-UTF-8 password")?;
            return Ok(Some(Secret::new(strip_newline(pw))));
        }
        // Nothing found is a silent exit 1; errors (no bus, locked) say something.
        if done.status.code() == Some(1) && done.stderr.is_empty() {
            return Ok(None);
        }
        Err(with_detail(exit_text(done.status), &done.stderr))
    }

    fn keyring_clear(&self, name: &str) -> Result<(), String> {
        let done = self.keyring_run("clear", name, None)?;
        if done.status.success() || done.stderr.is_empty() {
            Ok(())
        } else {
            Err(with_detail(exit_text(done.status), &done.stderr))
        }
    }

    // ---- file ---------------------------------------------------------------------------

    fn file_path(&self) -> Result<PathBuf, String> {
        self.dir
            .as_ref()
            .map(|d| d.join("secrets.toml"))
            .ok_or_else(|| "there is no config directory to save passwords in".into())
    }

    fn file_read(&self) -> Result<BTreeMap<String, String>, String> {
        let path = self.file_path()?;
        read_map(&path)
    }

    /// Read, change with `change` (which says whether it changed anything), write back.
    fn file_update(
        &self,
        change: impl FnOnce(&mut BTreeMap<String, String>) -> bool,
    ) -> Result<(), String> {
        let path = self.file_path()?;
        let _guard = FILE_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let mut map = read_map(&path)?;
        if !change(&mut map) {
            return Ok(());
        }
        write_map(&path, &map)
            .map_err(|e| format!("{}: {}", path.display(), crate::local::plain_io_error(&e)))
    }
}

/// The saved passwords; a missing file is none. Errors never quote the file's content.
fn read_map(path: &Path) -> Result<BTreeMap<String, String>, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(e) => {
            return Err(format!(
                "{}: {}",
                path.display(),
                crate::local::plain_io_error(&e)
            ));
        }
    };
    toml::from_str(&text).map_err(|e| {
        let at = e.span().map_or(0, |s| s.start).min(text.len());
        let line = text[..at].matches('\n').count() + 1;
        format!(
            "{}:{line}: cannot read the saved passwords (expected lines like name = \"password\")",
            path.display()
        )
    })
}

/// Write the map (0600, directory 0700); an empty map removes the file.
fn write_map(path: &Path, map: &BTreeMap<String, String>) -> io::Result<()> {
    if map.is_empty() {
        return match std::fs::remove_file(path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        };
    }
    #[cfg(unix)]
    if let Some(dir) = path.parent().filter(|d| d.is_dir()) {
        // Tighten a directory created (or loosened) by someone else; a new one is made 0700.
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    let mut text = String::from(FILE_HEADER);
    text.push_str(
        &toml::to_string(map).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?,
    );
    crate::fsutil::write_private_atomic(path, text.as_bytes())
}

// ---- running a helper program with a deadline -----------------------------------------------

/// A child that exited in time.
struct Done {
    status: ExitStatus,
    /// First line of stdout, newline included.
    stdout: Vec<u8>,
    /// First line of stderr, trimmed and safe to show.
    stderr: String,
}

enum RunError {
    NotFound,
    Failed(String),
    TimedOut { stderr: String },
}

/// Run `cmd` (stdin: `input`, or nothing), waiting at most `timeout`; on timeout the child
/// and everything it started are killed.
fn run(mut cmd: Command, input: Option<&[u8]>, timeout: Duration) -> Result<Done, RunError> {
    cmd.stdin(if input.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    let mut child = cmd.spawn().map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => RunError::NotFound,
        _ => RunError::Failed(crate::local::plain_io_error(&e)),
    })?;
    let deadline = Instant::now() + timeout;
    let stdout = first_line(child.stdout.take());
    let stderr = first_line(child.stderr.take());
    if let (Some(input), Some(mut stdin)) = (input, child.stdin.take()) {
        // Small (a password), so it fits the pipe; a child that exits early is not an error.
        let _ = stdin.write_all(input);
    }
    let stderr_line = |wait: Duration| {
        let line = stderr.recv_timeout(wait).unwrap_or_default();
        crate::sanitize::display_name(String::from_utf8_lossy(&line).trim())
    };
    let mut pause = Duration::from_millis(1);
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) => {}
            Err(e) => {
                kill(&mut child);
                return Err(RunError::Failed(crate::local::plain_io_error(&e)));
            }
        }
        let now = Instant::now();
        if now >= deadline {
            kill(&mut child);
            let stderr = stderr_line(Duration::from_millis(50));
            return Err(RunError::TimedOut { stderr });
        }
        std::thread::sleep(pause.min(deadline - now));
        pause = (pause * 2).min(Duration::from_millis(20));
    };
    // A grandchild may still hold the pipes: wait for the first lines only until the deadline.
    let grace = deadline
        .saturating_duration_since(Instant::now())
        .max(Duration::from_millis(100));
    let stdout = match stdout.recv_timeout(grace) {
        Ok(line) => line,
        Err(mpsc::RecvTimeoutError::Disconnected) => Vec::new(),
        Err(mpsc::RecvTimeoutError::Timeout) => {
            return Err(RunError::TimedOut {
                stderr: stderr_line(Duration::ZERO),
            });
        }
    };
    Ok(Done {
        status,
        stdout,
        stderr: stderr_line(grace),
    })
}

/// Read the first line of `pipe` on a thread, send it, then drain the rest so the writer
/// never blocks or dies of SIGPIPE (`pass show` prints more lines after the password).
fn first_line(pipe: Option<impl Read + Send + 'static>) -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    if let Some(pipe) = pipe {
        std::thread::spawn(move || {
            let mut reader = BufReader::new(pipe);
            let mut line = Vec::new();
            let _ = (&mut reader).take(64 * 1024).read_until(b'\n', &mut line);
            let _ = tx.send(line);
            let _ = io::copy(&mut reader, &mut io::sink());
        });
    }
    rx
}

/// Kill the child's whole process group (it leads one, see `run`), then reap it.
fn kill(child: &mut Child) {
    #[cfg(unix)]
    {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", child.id())])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
    let _ = child.kill();
    let _ = child.wait();
}

fn strip_newline(mut s: String) -> String {
    if s.ends_with('\n') {
        s.pop();
        if s.ends_with('\r') {
            s.pop();
        }
    }
    s
}

fn exit_text(status: ExitStatus) -> String {
    match status.code() {
        Some(code) => format!("exit status {code}"),
        None => "killed by a signal".into(),
    }
}

fn with_detail(msg: String, detail: &str) -> String {
    if detail.is_empty() {
        msg
    } else {
        format!("{msg}: {detail}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    fn file_vault(dir: &Path) -> Vault {
        Vault {
            keyring: None,
            keyring_timeout: KEYRING_TIMEOUT,
            dir: Some(dir.join("config/secrets")),
        }
    }

    /// A vault whose "secret-tool" is a shell script in `dir` (run through `sh`, so a file we
    /// just wrote is never exec'd: that can fail with ETXTBSY while other tests fork).
    fn fake_keyring_vault(dir: &Path, script: &str) -> Vault {
        let path = dir.join("fake-secret-tool");
        std::fs::write(&path, script).unwrap();
        Vault {
            keyring: Some(vec!["sh".into(), path.into()]),
            keyring_timeout: Duration::from_millis(200),
            dir: Some(dir.join("secrets")),
        }
    }

    const WORKING_KEYRING: &str = r#"
here=$(dirname "$0"); mkdir -p "$here/db"
echo "$*" >> "$here/calls"
for a in "$@"; do name=$a; done
case $1 in
  store) cat > "$here/db/$name" ;;
  lookup) [ -f "$here/db/$name" ] || exit 1; cat "$here/db/$name" ;;
  clear) rm -f "$here/db/$name" ;;
esac
"#;

    #[test]
    fn the_file_backend_round_trips_in_private_files() {
        let tmp = tempfile::tempdir().unwrap();
        let vault = file_vault(tmp.path());
        let name = "work \"main\" ✓";
        assert_eq!(vault.lookup(name).unwrap(), None);
        assert_eq!(
            vault.store(name, &Secret::new("hunter2 = \"x\"")).unwrap(),
            Backend::File
        );
        assert_eq!(
            vault.store("other", &Secret::new("pw2")).unwrap(),
            Backend::File
        );
        assert_eq!(
            vault.lookup(name).unwrap(),
            Some(Secret::new("hunter2 = \"x\""))
        );
        vault.store(name, &Secret::new("changed")).unwrap();
        assert_eq!(vault.lookup(name).unwrap(), Some(Secret::new("changed")));
        assert_eq!(vault.lookup("nobody").unwrap(), None);

        let dir = tmp.path().join("config/secrets");
        let file = dir.join("secrets.toml");
        assert_eq!(mode(&file), 0o600);
        assert_eq!(mode(&dir), 0o700);
        assert!(
            std::fs::read_to_string(&file)
                .unwrap()
                .starts_with("# ftpdeck saved passwords")
        );
        let files: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
        assert_eq!(files.len(), 1, "no temp files left");

        // A directory someone loosened is tightened on the next write.
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        vault.store("third", &Secret::new("pw3")).unwrap();
        assert_eq!(mode(&dir), 0o700);
    }

    #[test]
    fn forget_and_rename() {
        let tmp = tempfile::tempdir().unwrap();
        let vault = file_vault(tmp.path());
        vault.forget("never saved").unwrap();
        assert!(
            !tmp.path().join("config").exists(),
            "forgetting nothing writes nothing"
        );

        vault.store("a", &Secret::new("pa")).unwrap();
        vault.store("b", &Secret::new("pb")).unwrap();
        assert_eq!(vault.rename("a", "c").unwrap(), Some(Backend::File));
        assert_eq!(vault.lookup("a").unwrap(), None);
        assert_eq!(vault.lookup("c").unwrap(), Some(Secret::new("pa")));
        assert_eq!(vault.rename("nothing", "x").unwrap(), None);

        vault.forget("c").unwrap();
        assert_eq!(vault.lookup("c").unwrap(), None);
        assert_eq!(vault.lookup("b").unwrap(), Some(Secret::new("pb")));
        vault.forget("b").unwrap();
        let file = tmp.path().join("config/secrets/secrets.toml");
        assert!(!file.exists(), "no passwords, no file");
    }

    #[test]
    fn a_broken_secrets_file_is_reported_without_its_content_and_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let vault = file_vault(tmp.path());
        let dir = tmp.path().join("config/secrets");
        std::fs::create_dir_all(&dir).unwrap();
        let text = "# x\nwork = 123456\n";
        std::fs::write(dir.join("secrets.toml"), text).unwrap();
        let err = vault.store("other", &Secret::new("pw")).unwrap_err();
        assert!(
            err.contains("secrets.toml:2: ") && !err.contains("123456"),
            "{err}"
        );
        assert!(vault.lookup("work").is_err());
        assert_eq!(
            std::fs::read_to_string(dir.join("secrets.toml")).unwrap(),
            text
        );
    }

    #[test]
    fn the_keyring_is_used_through_secret_tool_and_replaces_a_file_copy() {
        let tmp = tempfile::tempdir().unwrap();
        let mut vault = fake_keyring_vault(tmp.path(), WORKING_KEYRING);
        // Saved while the keyring was away...
        let keyring = vault.keyring.take();
        assert_eq!(
            vault.store("work", &Secret::new("old")).unwrap(),
            Backend::File
        );
        // ...and again once it is back: the plaintext copy goes.
        vault.keyring = keyring;
        assert_eq!(
            vault.store("work", &Secret::new("pw 1")).unwrap(),
            Backend::Keyring
        );
        assert!(!tmp.path().join("secrets/secrets.toml").exists());
        assert_eq!(
            std::fs::read_to_string(tmp.path().join("db/work")).unwrap(),
            "pw 1",
            "the password goes on stdin, without a newline"
        );
        assert_eq!(vault.lookup("work").unwrap(), Some(Secret::new("pw 1")));
        assert_eq!(vault.lookup("other").unwrap(), None);
        vault.forget("work").unwrap();
        assert_eq!(vault.lookup("work").unwrap(), None);
        vault.store("-x", &Secret::new("dash")).unwrap();
        let calls = std::fs::read_to_string(tmp.path().join("calls")).unwrap();
        let calls: Vec<&str> = calls.lines().collect();
        assert_eq!(
            calls,
            [
                "store --label ftpdeck work service ftpdeck bookmark work",
                "lookup service ftpdeck bookmark work",
                "lookup service ftpdeck bookmark other",
                "clear service ftpdeck bookmark work",
                "lookup service ftpdeck bookmark work",
                "store --label ftpdeck -x -- service ftpdeck bookmark -x",
            ]
        );
    }

    #[test]
    fn a_failing_keyring_falls_back_to_the_file() {
        let tmp = tempfile::tempdir().unwrap();
        let vault = fake_keyring_vault(
            tmp.path(),
            "echo 'secret-tool: Cannot autolaunch D-Bus without X11 $DISPLAY' >&2; exit 1",
        );
        assert_eq!(
            vault.store("work", &Secret::new("pw")).unwrap(),
            Backend::File
        );
        assert_eq!(vault.lookup("work").unwrap(), Some(Secret::new("pw")));
        assert_eq!(vault.lookup("other").unwrap(), None);
        vault.forget("work").unwrap();
        assert_eq!(vault.lookup("work").unwrap(), None);
        // Not installed at all.
        let mut vault = vault;
        vault.keyring = Some(vec!["/nonexistent/secret-tool".into()]);
        assert_eq!(
            vault.store("work", &Secret::new("pw")).unwrap(),
            Backend::File
        );
    }

    #[test]
    fn a_hanging_keyring_is_killed_after_its_timeout() {
        let tmp = tempfile::tempdir().unwrap();
        let fifo = tmp.path().join("fifo");
        assert!(
            Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .unwrap()
                .success()
        );
        // Opening a FIFO nobody writes to blocks, like a keyring waiting for an unlock prompt.
        let vault = fake_keyring_vault(tmp.path(), "cat \"$(dirname \"$0\")/fifo\"");
        let start = Instant::now();
        assert_eq!(
            vault.store("work", &Secret::new("pw")).unwrap(),
            Backend::File
        );
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "{:?}",
            start.elapsed()
        );
        assert_eq!(vault.lookup("work").unwrap(), Some(Secret::new("pw")));
    }

    #[test]
    fn password_cmd_gives_its_first_line() {
        let t = Duration::from_secs(10);
        let pw = run_password_cmd("printf 'pa ss\\nuser: bob\\nurl: x\\n'", t).unwrap();
        assert_eq!(pw.expose(), "pa ss");
        assert_eq!(
            run_password_cmd("printf 'pw\\r\\n'", t).unwrap().expose(),
            "pw"
        );
        assert_eq!(run_password_cmd("printf nonl", t).unwrap().expose(), "nonl");
        // A long tail after the first line must not kill the command with SIGPIPE.
        let pw = run_password_cmd("echo first; seq 1 200000", t).unwrap();
        assert_eq!(pw.expose(), "first");
        let err = run_password_cmd("true", t).unwrap_err();
        assert!(err.contains("no password"), "{err}");
    }

    #[test]
    fn password_cmd_failures_carry_the_first_line_of_stderr() {
        let t = Duration::from_secs(10);
        let err = run_password_cmd(
            "echo pw; echo 'gpg: decryption failed' >&2; echo more >&2; exit 3",
            t,
        )
        .unwrap_err();
        assert_eq!(
            err,
            "the password command failed (exit status 3): gpg: decryption failed"
        );
        let err = run_password_cmd("printf '\\033[2Jbad\\n' >&2; exit 1", t).unwrap_err();
        assert!(
            err.ends_with(": ?[2Jbad"),
            "escape sequences are defused: {err}"
        );
    }

    #[test]
    fn password_cmd_times_out() {
        let start = Instant::now();
        let err =
            run_password_cmd("echo waiting >&2; sleep 5", Duration::from_millis(200)).unwrap_err();
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "{:?}",
            start.elapsed()
        );
        assert_eq!(err, "the password command timed out after 200ms: waiting");
    }

    #[test]
    fn secrets_never_show_in_debug_output() {
        let secret = Secret::new("hunter2");
        assert_eq!(format!("{secret:?}"), "Secret(***)");
        let profile = crate::bookmarks::Bookmark::from_profile(
            "b",
            &crate::remote::Profile::anonymous("h", 21),
        )
        .to_profile(Some(secret.clone()));
        assert!(!format!("{profile:?}").contains("hunter2"));
        assert!(!format!("{:?}", Some(&secret)).contains("hunter2"));
    }
}
