//! `ftpdeck serve` as a user starts it: the URL it prints (with the real port for `:0`), who may
//! log in and with which password source, and anonymous users reading but not writing unless
//! `--anonymous-write` says so. Driven with ftpdeck's own headless client.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may stop at the first surprise

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use common::cli::{command, ftpdeck};
use common::write;

/// A running `ftpdeck serve`, stopped with SIGTERM on drop.
struct Serve {
    child: Child,
    /// The `ftp://…/` (or `ftps://…/`) line it printed.
    url: String,
    /// Everything it printed on stdout before the URL.
    head: Vec<String>,
    stdout: mpsc::Receiver<String>,
    stderr: mpsc::Receiver<String>,
}

impl Serve {
    fn start(home: &Path, args: &[&str], env: &[(&str, &str)]) -> Serve {
        let mut all = vec!["serve"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--bind", "127.0.0.1:0"]);
        let mut child = command(home, &all, env)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, rx) = mpsc::channel();
        let out = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let (etx, stderr) = mpsc::channel();
        let err = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                let _ = etx.send(line);
            }
        });
        let mut head = Vec::new();
        let url = loop {
            let line = rx
                .recv_timeout(Duration::from_secs(20))
                .expect("serve printed no URL");
            let line = line.trim().to_string();
            if line.starts_with("ftp://") || line.starts_with("ftps://") {
                break line;
            }
            head.push(line);
        };
        Serve {
            child,
            url,
            head,
            stdout: rx,
            stderr,
        }
    }

    /// Lines it prints on stdout from now on, until one contains `needle` (that one included).
    fn until(&self, needle: &str) -> Vec<String> {
        let mut seen = Vec::new();
        loop {
            match self.stdout.recv_timeout(Duration::from_secs(20)) {
                Ok(line) => {
                    let done = line.contains(needle);
                    seen.push(line);
                    if done {
                        return seen;
                    }
                }
                Err(_) => panic!("serve never printed {needle:?}; it printed {seen:#?}"),
            }
        }
    }

    /// The URL with a path, e.g. `…/pub`.
    fn at(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    /// What it printed on stderr so far.
    fn warnings(&self) -> String {
        std::iter::from_fn(|| self.stderr.recv_timeout(Duration::from_millis(200)).ok())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        // SAFETY: a signal to our own child.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let _ = self.child.wait();
    }
}

#[test]
fn anonymous_users_read_and_are_refused_writes_unless_anonymous_write_says_so() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "pub/readme.txt", b"hello");
    let share = dir.path().to_str().unwrap();
    let up = tempfile::tempdir().unwrap();
    write(up.path(), "new.txt", b"from a stranger");
    let new = up.path().join("new.txt");
    let anon = [("FTPDECK_PASSWORD", "guest@")];

    let s = Serve::start(home.path(), &[share, "--anonymous"], &[]);
    assert!(s.url.starts_with("ftp://anonymous@127.0.0.1:"), "{}", s.url);
    assert!(
        !s.url.ends_with(":0/"),
        "the real port is printed: {}",
        s.url
    );
    let got = tempfile::tempdir().unwrap();
    let r = ftpdeck(
        home.path(),
        &["get", &s.at("pub/readme.txt"), got.path().to_str().unwrap()],
        &anon,
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(
        std::fs::read(got.path().join("readme.txt")).unwrap(),
        b"hello"
    );
    let r = ftpdeck(
        home.path(),
        &["put", new.to_str().unwrap(), &s.at("pub")],
        &anon,
    );
    assert_eq!(r.code, Some(1), "the upload is refused: {}", r.stderr);
    assert!(!dir.path().join("pub/new.txt").exists());
    assert!(!s.warnings().contains("anonymous users may"));
    drop(s);

    let s = Serve::start(
        home.path(),
        &[share, "--anonymous", "--anonymous-write"],
        &[],
    );
    let r = ftpdeck(
        home.path(),
        &["put", new.to_str().unwrap(), &s.at("pub")],
        &anon,
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(
        std::fs::read(dir.path().join("pub/new.txt")).unwrap(),
        b"from a stranger"
    );
    assert!(
        s.warnings()
            .contains("warning: anonymous users may upload, rename and delete"),
        "said at start"
    );
}

#[test]
fn the_password_comes_from_a_file_or_the_environment_and_on_the_command_line_it_is_warned_about() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "f.txt", b"data");
    let share = dir.path().to_str().unwrap();
    let pwfile = home.path().join("pw");
    std::fs::write(&pwfile, "s3cret pass\n").unwrap();
    let ls =
        |s: &Serve, pw: &str| ftpdeck(home.path(), &["ls", &s.url], &[("FTPDECK_PASSWORD", pw)]);

    let s = Serve::start(
        home.path(),
        &[
            share,
            "--user",
            "bob",
            "--password-file",
            pwfile.to_str().unwrap(),
        ],
        &[],
    );
    assert!(s.url.starts_with("ftp://bob@127.0.0.1:"), "{}", s.url);
    let r = ls(&s, "s3cret pass");
    assert_eq!(
        (r.code, r.stdout.trim()),
        (Some(0), "f.txt"),
        "{}",
        r.stderr
    );
    assert_eq!(
        ls(&s, "wrong").code,
        Some(2),
        "a wrong password is a login error"
    );
    assert!(!s.warnings().contains("--password is visible"));
    drop(s);

    let s = Serve::start(
        home.path(),
        &[share, "--user", "bob"],
        &[("FTPDECK_SERVE_PASSWORD", "from-env")],
    );
    assert_eq!(ls(&s, "from-env").code, Some(0));
    drop(s);

    let s = Serve::start(
        home.path(),
        &[share, "--user", "bob", "--password", "pw"],
        &[],
    );
    assert_eq!(ls(&s, "pw").code, Some(0));
    assert!(
        s.warnings().contains("--password is visible to every user"),
        "warned"
    );
    drop(s);

    // No password anywhere: it does not start, and says which ways there are.
    let r = ftpdeck(
        home.path(),
        &["serve", share, "--user", "bob", "--bind", "127.0.0.1:0"],
        &[],
    );
    assert_ne!(r.code, Some(0));
    assert!(
        r.stderr
            .contains("--password-file FILE or FTPDECK_SERVE_PASSWORD"),
        "{}",
        r.stderr
    );
}

#[test]
fn tls_with_a_certificate_made_at_start_prints_its_fingerprint_and_a_pinned_client_connects() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "f.txt", b"data");
    let share = dir.path().to_str().unwrap();
    let pw = [("FTPDECK_PASSWORD", "pw")];
    let env = [("FTPDECK_SERVE_PASSWORD", "pw")];

    let s = Serve::start(
        home.path(),
        &[share, "--user", "bob", "--tls", "--require-tls"],
        &env,
    );
    assert!(s.url.starts_with("ftps://bob@127.0.0.1:"), "{}", s.url);
    assert!(s.head[0].contains("TLS required"), "{:?}", s.head);
    let lines = s.until("pin it with");
    let fp = lines
        .last()
        .and_then(|l| l.split("--trust-fingerprint ").nth(1))
        .and_then(|rest| rest.split_whitespace().next())
        .expect("the fingerprint to pin")
        .to_string();
    assert_eq!(fp.len(), 64, "SHA-256 in hex: {fp}");
    assert!(
        lines.iter().any(|l| l.contains("SHA-256 fingerprint")
            && l.contains(&ftpdeck::remote::tls::pretty_fingerprint(&fp))),
        "{lines:#?}"
    );

    // Not pinned: the client stops and names the same fingerprint.
    let r = ftpdeck(home.path(), &["ls", &s.url], &pw);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(r.stderr.contains(&fp), "{}", r.stderr);
    // Pinned: it lists over TLS.
    let r = ftpdeck(
        home.path(),
        &["ls", "--trust-fingerprint", &fp, &s.url],
        &pw,
    );
    assert_eq!(
        (r.code, r.stdout.trim()),
        (Some(0), "f.txt"),
        "{}",
        r.stderr
    );
    // Plain FTP is refused by --require-tls.
    let plain = s.url.replacen("ftps://", "ftp://", 1);
    let r = ftpdeck(home.path(), &["ls", &plain], &pw);
    assert_eq!(r.code, Some(2), "a plain login is refused: {}", r.stdout);
}

#[test]
fn every_login_transfer_and_refusal_is_a_line_on_stdout_and_in_the_log_file() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "f.txt", b"data");
    let share = dir.path().to_str().unwrap();
    let log = home.path().join("serve.log");
    let s = Serve::start(
        home.path(),
        &[share, "--anonymous", "--log", log.to_str().unwrap()],
        &[],
    );
    let anon = [("FTPDECK_PASSWORD", "guest@")];
    let got = tempfile::tempdir().unwrap();
    let r = ftpdeck(
        home.path(),
        &["get", &s.at("f.txt"), got.path().to_str().unwrap()],
        &anon,
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let up = home.path().join("up.txt");
    std::fs::write(&up, b"x").unwrap();
    let r = ftpdeck(home.path(), &["put", up.to_str().unwrap(), &s.url], &anon);
    assert_eq!(r.code, Some(1), "{}", r.stderr);

    let shown = s.until("refused upload");
    let joined = shown.join("\n");
    assert!(
        joined.contains("anonymous@127.0.0.1: logged in"),
        "{joined}"
    );
    assert!(
        joined.contains("anonymous@127.0.0.1: download /f.txt: 4 bytes in "),
        "{joined}"
    );
    assert!(
        joined.contains("refused upload /up.txt (read-only)"),
        "{joined}"
    );
    // The log file has the same lines, and only its owner can read it.
    let text = std::fs::read_to_string(&log).unwrap();
    for line in shown.iter().filter(|l| l.contains("download /f.txt")) {
        assert!(text.contains(line.trim()), "{line} in {text}");
    }
    assert!(text.contains("refused upload /up.txt"), "{text}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&log).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}
