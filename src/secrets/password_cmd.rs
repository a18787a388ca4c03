//! `password_cmd`: a command whose first line of output is the password.

use std::process::Command;
use std::time::Duration;

use super::helper::{RunError, exit_text, run, strip_newline, with_detail};
use crate::remote::Secret;

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

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;

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
}
