//! End to end: the real binary in a pseudo-terminal, against `--demo`'s embedded server.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may stop at the first surprise

mod support;

use std::time::Duration;

use support::pty::{Pty, highlighted_in};

const COLS: u16 = 120;
const ROWS: u16 = 40;
/// The right half of the screen: the remote pane.
const REMOTE: std::ops::Range<u16> = COLS / 2..COLS;
/// A deadline, not a delay: generous for a debug build on a busy machine; a passing test takes
/// well under a second.
const WAIT: Duration = Duration::from_secs(10);

/// The text of `row` in the columns `cols`.
fn text_at(screen: &vt100::Screen, row: u16, cols: std::ops::Range<u16>) -> String {
    screen
        .rows(cols.start, cols.end - cols.start)
        .nth(row as usize)
        .unwrap_or_default()
}

/// The remote pane's title, `demo@127.0.0.1:PORT:/path`, with any `(loading…)` suffix.
fn remote_title(screen: &vt100::Screen) -> String {
    let top = text_at(screen, 0, REMOTE);
    let title = top.trim_matches(|c: char| c == '┌' || c == '─' || c == ' ');
    // The sort hint ("[name↑]") is right-aligned in the same border.
    match title.find(" ─") {
        Some(end) => title[..end].trim().to_string(),
        None => title.to_string(),
    }
}

/// The highlighted (cursor) row of the remote pane, which has the focus.
fn remote_cursor(screen: &vt100::Screen) -> Option<String> {
    highlighted_in(screen, REMOTE).into_iter().next()
}

/// Quit with `q`; check the exit status and that the terminal was put back as it was.
fn quit_and_check_restored(pty: &Pty) {
    pty.send(b"q");
    let status = pty.wait_exit(WAIT);
    assert_eq!(status, Some(0), "exit status; screen:\n{}", pty.screen());

    let raw = pty.raw_output();
    let leave = rfind(&raw, b"\x1b[?1049l").expect("the alternate screen was never left");
    let enter = rfind(&raw, b"\x1b[?1049h").expect("the alternate screen was never entered");
    assert!(
        enter < leave,
        "entered the alternate screen again after leaving it"
    );
    // Nothing is drawn after leaving: only control sequences (like show-cursor) may follow.
    let tail = &raw[leave..];
    assert!(
        text_outside_escapes(tail).is_empty(),
        "text written after leaving the alternate screen: {:?}",
        String::from_utf8_lossy(tail)
    );
    let show = rfind(&raw, b"\x1b[?25h").expect("the cursor was never shown again");
    if let Some(hide) = rfind(&raw, b"\x1b[?25l") {
        assert!(hide < show, "the cursor was left hidden");
    }
    pty.with_screen(|s| {
        assert!(!s.alternate_screen(), "still on the alternate screen");
        assert!(!s.hide_cursor(), "cursor still hidden");
    });
}

fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

/// The bytes of `bytes` outside CSI sequences (`ESC [ ... final`), CR and LF excepted.
fn text_outside_escapes(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == 0x1b && bytes.get(i + 1) == Some(&b'[') {
            i += 2;
            while i < bytes.len() && !(0x40..=0x7e).contains(&bytes[i]) {
                i += 1;
            }
            i += 1;
        } else {
            if !matches!(bytes[i], b'\r' | b'\n') {
                out.push(bytes[i]);
            }
            i += 1;
        }
    }
    out
}

#[test]
fn demo_browse_into_docs_and_back_then_quit() {
    let local = tempfile::tempdir().unwrap();
    std::fs::write(local.path().join("local-marker.txt"), b"x").unwrap();
    let local_dir = local.path().to_str().unwrap();
    let pty = Pty::spawn(&["--demo", "--local", local_dir], &[], COLS, ROWS);

    // Both panes are up: the remote root is listed, the local start directory too.
    let (screen, title) = pty
        .wait_for_screen(
            |s| {
                let text = s.contents();
                let title = remote_title(s);
                let ready = title.starts_with("demo@127.0.0.1:")
                    && !title.contains("loading")
                    && text.contains("README.txt")
                    && text.contains("local-marker.txt");
                ready.then_some((text, title))
            },
            WAIT,
        )
        .unwrap_or_else(|e| panic!("the demo never showed both panes:\n{e}"));
    for entry in [
        "docs/",
        "logs/",
        "README.txt",
        "日本語/",
        "🎉 party.txt",
        "local-marker.txt",
    ] {
        assert!(screen.contains(entry), "{entry} missing from\n{screen}");
    }
    let port: u16 = title
        .strip_prefix("demo@127.0.0.1:")
        .and_then(|t| t.strip_suffix(":/"))
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("remote title {title:?} is not demo@127.0.0.1:PORT:/"));
    // The local pane's title is its directory (the tail of it, when long).
    let local_title = pty.with_screen(|s| text_at(s, 0, 0..COLS / 2));
    let base = local.path().file_name().unwrap().to_str().unwrap();
    assert!(
        local_title.contains(base),
        "local title {local_title:?}, expected {local_dir}"
    );

    // The sorted root starts `a folder with spaces/`, `docs/`: one step down is docs.
    let first = pty.with_screen(remote_cursor);
    assert!(
        first
            .as_deref()
            .is_some_and(|r| r.starts_with("a folder with spaces/")),
        "cursor on {first:?}, expected the first entry"
    );
    pty.send(b"j");
    pty.wait_for_screen(
        |s| remote_cursor(s).filter(|r| r.starts_with("docs/")),
        WAIT,
    )
    .unwrap_or_else(|e| panic!("the cursor never reached docs/:\n{e}"));

    pty.send_enter();
    let docs_title = format!("demo@127.0.0.1:{port}:/docs");
    let screen = pty
        .wait_for_screen(
            |s| {
                let text = s.contents();
                (remote_title(s) == docs_title
                    && text.contains("guide.md")
                    && text.contains("notes.txt"))
                .then_some(text)
            },
            WAIT,
        )
        .unwrap_or_else(|e| panic!("docs/ never opened as {docs_title}:\n{e}"));
    assert!(
        !screen.contains(".hidden-config"),
        "hidden files are shown by default:\n{screen}"
    );

    pty.send_backspace();
    let root_title = format!("demo@127.0.0.1:{port}:/");
    pty.wait_for_screen(
        |s| {
            (remote_title(s) == root_title)
                .then(|| remote_cursor(s))
                .flatten()
                .filter(|r| r.starts_with("docs/"))
        },
        WAIT,
    )
    .unwrap_or_else(|e| panic!("Backspace did not return to / with the cursor on docs/:\n{e}"));

    // The arrow keys move the cursor too.
    pty.send_down();
    pty.wait_for_screen(
        |s| remote_cursor(s).filter(|r| r.starts_with("empty/")),
        WAIT,
    )
    .unwrap_or_else(|e| panic!("Down did not move to empty/:\n{e}"));
    pty.send_up();
    pty.wait_for_screen(
        |s| remote_cursor(s).filter(|r| r.starts_with("docs/")),
        WAIT,
    )
    .unwrap_or_else(|e| panic!("Up did not move back to docs/:\n{e}"));

    quit_and_check_restored(&pty);
}

#[test]
fn refused_connection_shows_in_status_bar_and_quits() {
    let pty = Pty::spawn(&["ftp://nobody:wrong@127.0.0.1:1/"], &[], COLS, ROWS);
    let status = pty
        .wait_for_screen(
            |s| Some(text_at(s, ROWS - 1, 0..COLS)).filter(|line| line.contains("refused")),
            WAIT,
        )
        .unwrap_or_else(|e| panic!("no 'refused' in the status bar:\n{e}"));
    assert!(
        status.contains("127.0.0.1:1"),
        "status bar {status:?} does not name the address"
    );
    quit_and_check_restored(&pty);
}

#[test]
fn sigterm_restores_the_terminal_and_exits() {
    let local = tempfile::tempdir().unwrap();
    let pty = Pty::spawn(
        &["--demo", "--local", local.path().to_str().unwrap()],
        &[],
        COLS,
        ROWS,
    );
    pty.wait_for("README.txt", WAIT).expect("the demo is up");
    let pid = pty.pid.expect("the child's pid");
    let status = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(pty.wait_exit(WAIT), Some(0), "a clean exit on SIGTERM");
    pty.with_screen(|s| {
        assert!(!s.alternate_screen(), "still on the alternate screen");
        assert!(!s.hide_cursor(), "cursor still hidden");
    });
}
