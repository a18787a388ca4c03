//! Running a helper program with a deadline.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A child that exited in time.
pub(super) struct Done {
    pub(super) status: ExitStatus,
    /// First line of stdout, newline included.
    pub(super) stdout: Vec<u8>,
    /// First line of stderr, trimmed and safe to show.
    pub(super) stderr: String,
}

pub(super) enum RunError {
    NotFound,
    Failed(String),
    TimedOut { stderr: String },
}

/// Run `cmd` (stdin: `input`, or nothing), waiting at most `timeout`; on timeout the child
/// and everything it started are killed.
pub(super) fn run(
    mut cmd: Command,
    input: Option<&[u8]>,
    timeout: Duration,
) -> Result<Done, RunError> {
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

pub(super) fn strip_newline(mut s: String) -> String {
    if s.ends_with('\n') {
        s.pop();
        if s.ends_with('\r') {
            s.pop();
        }
    }
    s
}

pub(super) fn exit_text(status: ExitStatus) -> String {
    match status.code() {
        Some(code) => format!("exit status {code}"),
        None => "killed by a signal".into(),
    }
}

pub(super) fn with_detail(msg: String, detail: &str) -> String {
    if detail.is_empty() {
        msg
    } else {
        format!("{msg}: {detail}")
    }
}
