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
    /// The `ftp://…/` line it printed.
    url: String,
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
        let url = loop {
            let line = rx
                .recv_timeout(Duration::from_secs(20))
                .expect("serve printed no URL");
            if let Some(u) = line.trim().strip_prefix("ftp://") {
                break format!("ftp://{u}");
            }
        };
        Serve { child, url, stderr }
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
