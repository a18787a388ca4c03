//! The other contenders: `curl` and `lftp`, run as a user would run them, each bounded in time.

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Where and how to log in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Login {
    pub port: u16,
    pub user: String,
    pub password: String,
}

impl Login {
    /// `ftp://user:password@127.0.0.1:port` + `path` (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!(
            "ftp://{}:{}@127.0.0.1:{}{}",
            percent_encode(&self.user),
            percent_encode(&self.password),
            self.port,
            path
        )
    }
}

/// Percent-encode everything but unreserved characters (RFC 3986), for URL user info.
pub fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The first line of `program --version`, or `None` when it is not installed.
pub fn version_line(program: &str) -> Option<String> {
    let out = Command::new(program)
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()
        .map(str::to_string)
}

/// The first line a command prints, if it runs and succeeds.
pub fn first_line(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
}

/// `curl 7.88.1 (x86_64-pc-linux-gnu) libcurl/7.88.1 …` -> `curl 7.88.1`;
/// `LFTP | Version 4.9.2 | Copyright …` -> `lftp 4.9.2`.
pub fn short_version(line: &str) -> String {
    if let Some(rest) = line.strip_prefix("LFTP | Version ") {
        let v = rest.split_whitespace().next().unwrap_or("?");
        return format!("lftp {v}");
    }
    let mut words = line.split_whitespace();
    match (words.next(), words.next()) {
        (Some(name), Some(v)) => format!("{name} {v}"),
        (Some(name), None) => name.to_string(),
        _ => line.to_string(),
    }
}

/// What a finished command left.
pub struct Finished {
    pub elapsed: Duration,
    pub stdout: Vec<u8>,
}

/// Run `cmd` (stdin closed, output captured) and time it from spawn to exit. Killed by its pid
/// at `timeout`. Fails on a non-zero exit, with the command's stderr.
pub fn run_timed(cmd: &mut Command, timeout: Duration) -> Result<Finished, String> {
    let what = format!("{:?}", cmd.get_program());
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let start = Instant::now();
    let child = cmd.spawn().map_err(|e| format!("cannot run {what}: {e}"))?;
    let pid = child.id();
    let (done_tx, done_rx) = mpsc::channel::<()>();
    let watchdog = std::thread::spawn(move || {
        if let Err(mpsc::RecvTimeoutError::Timeout) = done_rx.recv_timeout(timeout) {
            // Only our own child, by its id.
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
            return true;
        }
        false
    });
    let out = child.wait_with_output();
    let elapsed = start.elapsed();
    let _ = done_tx.send(());
    let killed = watchdog.join().unwrap_or(false);
    let out = out.map_err(|e| format!("{what}: {e}"))?;
    if killed {
        return Err(format!(
            "{what} took longer than {timeout:?} and was stopped"
        ));
    }
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        return Err(format!(
            "{what} failed ({}): {}",
            out.status,
            stderr
                .trim()
                .lines()
                .take(5)
                .collect::<Vec<_>>()
                .join(" / ")
        ));
    }
    Ok(Finished {
        elapsed,
        stdout: out.stdout,
    })
}

pub fn curl_download(
    login: &Login,
    remote: &str,
    dest: &Path,
    timeout: Duration,
) -> Result<Duration, String> {
    let mut cmd = Command::new("curl");
    cmd.arg("-sS").arg("-o").arg(dest).arg(login.url(remote));
    Ok(run_timed(&mut cmd, timeout)?.elapsed)
}

pub fn curl_upload(
    login: &Login,
    source: &Path,
    remote: &str,
    timeout: Duration,
) -> Result<Duration, String> {
    let mut cmd = Command::new("curl");
    cmd.arg("-sS").arg("-T").arg(source).arg(login.url(remote));
    Ok(run_timed(&mut cmd, timeout)?.elapsed)
}

/// `curl ftp://…/dir/` (LIST); the time and the number of lines.
pub fn curl_list(login: &Login, dir: &str, timeout: Duration) -> Result<(Duration, usize), String> {
    let mut cmd = Command::new("curl");
    cmd.arg("-sS")
        .arg(login.url(&format!("{}/", dir.trim_end_matches('/'))));
    let out = run_timed(&mut cmd, timeout)?;
    let lines = out.stdout.iter().filter(|&&b| b == b'\n').count();
    Ok((out.elapsed, lines))
}

/// Quote a word for lftp's command line.
pub fn lftp_quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The commands lftp runs for one mirror: settings that keep a failure from hanging or being
/// ignored, plain FTP (no AUTH TLS attempt, as for the other contenders), then the mirror.
pub fn lftp_script(parallel: usize, reverse: bool, source: &str, target: &str) -> String {
    format!(
        "set cmd:fail-exit yes; set ftp:ssl-allow no; set net:max-retries 2; \
         set net:reconnect-interval-base 1; set net:timeout 30; \
         mirror{} --parallel={parallel} {} {}; quit",
        if reverse { " -R" } else { "" },
        lftp_quote(source),
        lftp_quote(target)
    )
}

/// `lftp -e "mirror [-R] --parallel=N SOURCE TARGET; quit"`: download (remote source, local
/// target) or, with `reverse`, upload (local source, remote target).
pub fn lftp_mirror(
    login: &Login,
    parallel: usize,
    reverse: bool,
    source: &str,
    target: &str,
    home: &Path,
    timeout: Duration,
) -> Result<Duration, String> {
    let mut cmd = Command::new("lftp");
    cmd.arg("-u")
        .arg(format!("{},{}", login.user, login.password))
        .arg("-p")
        .arg(login.port.to_string())
        .arg("-e")
        .arg(lftp_script(parallel, reverse, source, target))
        .arg("127.0.0.1")
        // A private HOME: no user rc file, no history written into the real one.
        .env("HOME", home);
    Ok(run_timed(&mut cmd, timeout)?.elapsed)
}

pub fn tests() -> Vec<super::Case> {
    vec![
        super::case("tools: URLs percent-encode the login", || {
            let login = Login {
                port: 2121,
                user: "bench".into(),
                password: "p@ss:w/rd".into(),
            };
            assert_eq!(
                login.url("/big.bin"),
                "ftp://bench:p%40ss%3Aw%2Frd@127.0.0.1:2121/big.bin"
            );
            assert_eq!(percent_encode("a-b_c.d~9"), "a-b_c.d~9");
        }),
        super::case("tools: version lines shortened", || {
            assert_eq!(
                short_version(
                    "curl 7.88.1 (x86_64-pc-linux-gnu) libcurl/7.88.1 OpenSSL/3.0.17 zlib/1.2.13"
                ),
                "curl 7.88.1"
            );
            assert_eq!(
                short_version(
                    "LFTP | Version 4.9.2 | Copyright (c) 1996-2020 Alexander V. Lukyanov"
                ),
                "lftp 4.9.2"
            );
            assert_eq!(short_version("vsftpd"), "vsftpd");
        }),
        super::case("tools: lftp mirror scripts", || {
            let down = lftp_script(4, false, "/tree", "/tmp/x/tree");
            assert!(down.starts_with("set cmd:fail-exit yes;"), "{down}");
            assert!(
                down.ends_with("mirror --parallel=4 \"/tree\" \"/tmp/x/tree\"; quit"),
                "{down}"
            );
            let up = lftp_script(1, true, "/tmp/a \"b\"", "/up/tree");
            assert!(
                up.ends_with("mirror -R --parallel=1 \"/tmp/a \\\"b\\\"\" \"/up/tree\"; quit"),
                "{up}"
            );
        }),
        super::case(
            "tools: commands are timed, failures and overruns reported",
            || {
                let ok = run_timed(
                    Command::new("sh").args(["-c", "echo hi"]),
                    Duration::from_secs(10),
                )
                .unwrap();
                assert_eq!(ok.stdout, b"hi\n");
                let err = run_timed(
                    Command::new("sh").args(["-c", "echo broken >&2; exit 3"]),
                    Duration::from_secs(10),
                )
                .err()
                .unwrap();
                assert!(err.contains("broken"), "{err}");
                let start = Instant::now();
                let err = run_timed(Command::new("sleep").arg("30"), Duration::from_millis(200))
                    .err()
                    .unwrap();
                assert!(err.contains("stopped"), "{err}");
                assert!(start.elapsed() < Duration::from_secs(10));
                assert!(
                    run_timed(
                        &mut Command::new("/nonexistent/tool"),
                        Duration::from_secs(1)
                    )
                    .is_err()
                );
            },
        ),
    ]
}
