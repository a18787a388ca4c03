//! End to end: downloading from `--demo` with F5 and with a mouse drag, in a pseudo-terminal.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may stop at the first surprise

mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use support::pty::Pty;

const COLS: u16 = 120;
const ROWS: u16 = 40;
const WAIT: Duration = Duration::from_secs(15);

fn demo(local: &Path) -> Pty {
    let pty = Pty::spawn(
        &["--demo", "--local", local.to_str().unwrap()],
        &[],
        COLS,
        ROWS,
    );
    pty.wait_for("README.txt", WAIT)
        .expect("the demo root is listed");
    pty
}

/// Poll until `path` exists with `expected` contents.
fn wait_for_file(path: &Path, expected: &[u8], pty: &Pty) {
    let deadline = Instant::now() + WAIT;
    loop {
        if std::fs::read(path).is_ok_and(|d| d == expected) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{} never arrived; screen:\n{}",
            path.display(),
            pty.screen()
        );
        std::thread::yield_now();
    }
}

/// Wait until the local pane (the left half of the screen above the transfer panel, which
/// takes the bottom 14 rows at this size) shows `text`.
fn wait_local_pane(pty: &Pty, text: &str) -> Result<(), String> {
    pty.wait_for_screen(
        |s| {
            s.rows(0, COLS / 2)
                .skip(1)
                .take(ROWS as usize - 16)
                .any(|r| r.contains(text))
                .then_some(())
        },
        WAIT,
    )
}

fn quit(pty: &Pty) {
    pty.send(b"q");
    assert_eq!(pty.wait_exit(WAIT), Some(0), "{}", pty.screen());
}

#[test]
fn f5_downloads_the_file_under_the_cursor_and_the_local_pane_shows_it() {
    let local = tempfile::tempdir().unwrap();
    let pty = demo(local.path());
    // The root sorts as: 7 directories, README.txt, 🎉 party.txt. G goes to the last, k one up.
    pty.send(b"G");
    pty.send(b"k");
    pty.send(b"\x1b[15~"); // F5
    wait_for_file(
        &local.path().join("README.txt"),
        include_bytes!("../assets/demo/README.txt"),
        &pty,
    );
    pty.wait_for("idle · 1 done", WAIT)
        .expect("the transfer panel reports it done");
    wait_local_pane(&pty, "199 B").expect("the local pane refreshes after the download");
    assert!(!local.path().join("README.txt.part").exists());
    quit(&pty);
}

#[test]
fn dragging_a_remote_file_onto_the_local_pane_downloads_it() {
    let local = tempfile::tempdir().unwrap();
    let pty = demo(local.path());
    // Screen row 2 is the first entry; 🎉 party.txt is the 9th (index 8): row 10, 1-based 11.
    let (col, row) = (COLS / 2 + 10, 11);
    pty.send(format!("\x1b[<0;{col};{row}M").as_bytes()); // press
    pty.send(format!("\x1b[<32;{};{row}M", col - 20).as_bytes()); // drag
    pty.send(format!("\x1b[<32;{};{}M", 20, 20).as_bytes()); // drag onto the local pane
    pty.send(format!("\x1b[<0;{};{}m", 20, 20).as_bytes()); // release
    wait_for_file(
        &local.path().join("🎉 party.txt"),
        include_bytes!("../assets/demo/🎉 party.txt"),
        &pty,
    );
    pty.wait_for("idle · 1 done", WAIT)
        .expect("the transfer panel reports it done");
    wait_local_pane(&pty, "26 B").expect("the local pane shows the dropped file");
    quit(&pty);
}
