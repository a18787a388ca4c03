//! The OS keyring, through `secret-tool` (libsecret).

use std::process::Command;

use super::helper::{Done, RunError, exit_text, run, strip_newline, with_detail};
use super::vault::Vault;
use crate::remote::Secret;

/// `secret-tool` reads at most this many bytes of password (longer ones are cut silently).
const KEYRING_MAX_LEN: usize = 8192;

impl Vault {
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

    pub(super) fn keyring_store(&self, name: &str, secret: &Secret) -> Result<(), String> {
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

    pub(super) fn keyring_lookup(&self, name: &str) -> Result<Option<Secret>, String> {
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

    pub(super) fn keyring_clear(&self, name: &str) -> Result<(), String> {
        let done = self.keyring_run("clear", name, None)?;
        if done.status.success() || done.stderr.is_empty() {
            Ok(())
        } else {
            Err(with_detail(exit_text(done.status), &done.stderr))
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;
    use crate::secrets::Backend;
    use crate::secrets::vault::fake_keyring_vault;

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
}
