//! End to end, the real binary in a pseudo-terminal against `--demo`: what arrives from
//! outside the keyboard — a paste.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may stop at the first surprise

mod support;

use std::path::Path;
use std::time::Duration;

use support::pty::Pty;

const COLS: u16 = 120;
const ROWS: u16 = 40;
/// A deadline, not a delay: a passing step takes milliseconds.
const WAIT: Duration = Duration::from_secs(15);
/// What a terminal sends around a paste once the program asked for bracketed paste.
const PASTE_START: &[u8] = b"\x1b[200~";
const PASTE_END: &[u8] = b"\x1b[201~";
/// The request to turn bracketed paste on.
const ENABLE_BRACKETED_PASTE: &[u8] = b"\x1b[?2004h";

/// The demo with its scratch tree under `tmp` (TMPDIR) and the local pane on `local`, once
/// both panes show.
fn demo(tmp: &Path, local: &Path, marker: &str) -> Pty {
    let pty = Pty::spawn(
        &["--demo", "--local", local.to_str().unwrap()],
        &[("TMPDIR", tmp.to_str().unwrap())],
        COLS,
        ROWS,
    );
    pty.wait_for_fn(|s| s.contains("README.txt") && s.contains(marker), WAIT)
        .unwrap_or_else(|e| panic!("the demo never showed both panes: {e}"));
    pty
}

/// Paste `text` as a terminal does: line breaks sent as carriage returns (what Enter sends),
/// bracketed only if the program asked for it.
fn paste(pty: &Pty, text: &str) {
    let asked = pty
        .raw_output()
        .windows(ENABLE_BRACKETED_PASTE.len())
        .any(|w| w == ENABLE_BRACKETED_PASTE);
    let mut bytes = Vec::new();
    if asked {
        bytes.extend_from_slice(PASTE_START);
    }
    bytes.extend_from_slice(text.replace('\n', "\r").as_bytes());
    if asked {
        bytes.extend_from_slice(PASTE_END);
    }
    pty.send(&bytes);
}

#[test]
fn a_paste_with_a_line_break_stays_text_in_the_filter_and_moves_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    std::fs::write(local.path().join("precious"), b"keep me").unwrap();
    let pty = demo(tmp.path(), local.path(), "precious");
    pty.send_tab(); // the local pane
    pty.send(b"/");
    pty.wait_for("[filter: ▏", WAIT)
        .expect("/ starts the filter");
    paste(&pty, "precious\nm");
    pty.wait_for("[filter: precious m▏", WAIT)
        .expect("the whole paste is in the filter, its line break a space");
    pty.send_esc();
    pty.wait_for("Filter cleared", WAIT)
        .expect("Esc clears the filter");
    assert_eq!(
        std::fs::read(local.path().join("precious")).unwrap(),
        b"keep me"
    );
    let screen = pty.screen();
    assert!(!screen.contains("Move"), "{screen}");
    assert!(
        pty.wait_exit(Duration::ZERO).is_none(),
        "ftpdeck is still running"
    );
}

#[test]
fn a_malformed_url_or_name_never_prints_its_password() {
    let home = tempfile::tempdir().unwrap();
    for arg in [
        "ftp://bob:S3%ZZCR3T@host/",
        "ftp://bob:S3CR3T@host:0/",
        "bob:S3CR3T@host",
    ] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_ftpdeck"))
            .arg(arg)
            .env("HOME", home.path())
            .env("XDG_CONFIG_HOME", home.path().join("config"))
            .env("FTPDECK_LOG_DIR", home.path().join("log"))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{arg}: {stderr}");
        assert!(stderr.contains("bob:***@host"), "{arg}: {stderr}");
        assert!(!stderr.contains("S3"), "{arg}: {stderr}");
        let log = std::fs::read_to_string(home.path().join("log/ftpdeck.log")).unwrap_or_default();
        assert!(!log.contains("S3"), "{arg}: {log}");
    }
}

/// `ftpdeck-*` directories in `tmp`: this run's scratch dir and the demo's tree.
fn scratch_dirs(tmp: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(tmp)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with("ftpdeck-"))
        .collect();
    names.sort();
    names
}

/// Send `signal` to the program and wait for it to exit.
fn signal_and_wait(pty: &Pty, signal: i32) {
    let pid = pty.pid.expect("the child's pid") as i32;
    assert_eq!(unsafe { libc::kill(pid, signal) }, 0);
    assert!(
        pty.wait_exit(WAIT).is_some(),
        "still running after signal {signal}"
    );
}

#[test]
fn sigterm_and_sighup_leave_no_scratch_directory_behind() {
    for signal in [libc::SIGTERM, libc::SIGHUP] {
        let tmp = tempfile::tempdir().unwrap();
        let local = tempfile::tempdir().unwrap();
        std::fs::write(local.path().join("marker.txt"), b"x").unwrap();
        let pty = demo(tmp.path(), local.path(), "marker.txt");
        let dirs = scratch_dirs(tmp.path());
        assert_eq!(dirs.len(), 2, "scratch dir and demo tree: {dirs:?}");
        signal_and_wait(&pty, signal);
        assert_eq!(
            scratch_dirs(tmp.path()),
            Vec::<String>::new(),
            "signal {signal}"
        );
    }
}

#[test]
fn closing_the_terminal_ends_ftpdeck_without_a_panic() {
    let tmp = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    std::fs::write(local.path().join("marker.txt"), b"x").unwrap();
    let mut pty = demo(tmp.path(), local.path(), "marker.txt");
    let dirs = scratch_dirs(tmp.path());
    assert_eq!(dirs.len(), 2, "scratch dir and demo tree: {dirs:?}");
    pty.hang_up();
    assert!(
        pty.wait_exit(WAIT).is_some(),
        "ftpdeck is still running after its terminal closed"
    );
    assert_eq!(scratch_dirs(tmp.path()), Vec::<String>::new());
    let log = pty.log();
    assert!(log.contains("demo server on"), "the log was written: {log}");
    assert!(!log.contains("panic"), "{log}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = std::fs::metadata(pty.home.path().join("log/ftpdeck.log")).unwrap();
        assert_eq!(
            meta.permissions().mode() & 0o777,
            0o600,
            "the log is private"
        );
    }
}

#[test]
fn scratch_directories_of_ended_runs_are_swept_at_start() {
    let tmp = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    std::fs::write(local.path().join("marker.txt"), b"x").unwrap();
    let mut gone = std::process::Command::new("true").spawn().unwrap();
    let dead = gone.id();
    gone.wait().unwrap();
    for name in [
        format!("ftpdeck-{dead}-1"),
        format!("ftpdeck-demo-{dead}-2"),
    ] {
        std::fs::create_dir(tmp.path().join(&name)).unwrap();
        std::fs::write(tmp.path().join(&name).join("left.txt"), b"x").unwrap();
    }
    // Not ours to remove: a live process's directory and other names.
    let live = format!("ftpdeck-{}-3", std::process::id());
    for name in [live.as_str(), "ftpdeck-kept", "unrelated"] {
        std::fs::create_dir(tmp.path().join(name)).unwrap();
    }
    let pty = demo(tmp.path(), local.path(), "marker.txt");
    let dirs = scratch_dirs(tmp.path());
    assert!(
        !dirs.iter().any(|d| d.contains(&format!("-{dead}-"))),
        "{dirs:?}"
    );
    assert!(
        dirs.contains(&live) && dirs.contains(&"ftpdeck-kept".to_string()),
        "{dirs:?}"
    );
    assert!(tmp.path().join("unrelated").is_dir());
    signal_and_wait(&pty, libc::SIGTERM);
}

#[test]
fn a_local_directory_that_does_not_exist_starts_in_its_nearest_parent() {
    let tmp = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    std::fs::write(local.path().join("marker.txt"), b"x").unwrap();
    let missing = local.path().join("gone/deeper");
    let pty = Pty::spawn(
        &["--demo", "--local", missing.to_str().unwrap()],
        &[("TMPDIR", tmp.path().to_str().unwrap())],
        COLS,
        ROWS,
    );
    pty.wait_for_fn(
        |s| s.contains("marker.txt") && s.contains("gone/deeper: no such directory"),
        WAIT,
    )
    .unwrap_or_else(|e| panic!("no fallback to the parent, or no word why: {e}"));
    signal_and_wait(&pty, libc::SIGTERM);
}
