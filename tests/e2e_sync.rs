//! End to end: Synchronize (F9, then Ctrl-S) in the real binary against `--demo`, in a
//! pseudo-terminal: the options, the scan, the plan on screen, the run, and a second scan
//! that finds both sides in step.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may stop at the first surprise

mod common;
mod support;

use std::time::Duration;

use support::pty::Pty;

const COLS: u16 = 140;
const ROWS: u16 = 40;
const WAIT: Duration = Duration::from_secs(30);

#[test]
fn f9_plans_downloads_the_whole_demo_tree_and_a_second_scan_is_in_step() {
    let local = tempfile::tempdir().unwrap();
    let pty = Pty::spawn(
        &["--demo", "--local", local.path().to_str().unwrap()],
        &[],
        COLS,
        ROWS,
    );
    pty.wait_for("README.txt", WAIT)
        .expect("the demo root is listed");
    // The remote pane has the focus: F9 offers server → local.
    pty.send(b"\x1b[20~"); // F9
    pty.wait_for("◀ server → local ▶", WAIT)
        .expect("the options dialog");
    pty.send_enter();
    let screen = pty
        .wait_for("nothing changes before Enter", WAIT)
        .expect("the plan");
    assert!(screen.contains("↓ download 261/261"), "{screen}");
    assert!(screen.contains("+ mkdir local 8/8"), "{screen}");
    assert!(screen.contains("[x] + mkdir local"), "{screen}");
    assert_eq!(
        std::fs::read_dir(local.path()).unwrap().count(),
        0,
        "nothing is written before Enter"
    );
    pty.send_enter();
    let screen = pty
        .wait_for("Synchronize done: 261 copied", WAIT)
        .expect("the run's summary");
    assert!(screen.contains("8 directories made"), "{screen}");
    let want = tempfile::tempdir().unwrap();
    ftpdeck::demo::write_tree(want.path()).unwrap();
    assert_eq!(
        common::snapshot(local.path()),
        common::snapshot(want.path()),
        "the local directory is the demo tree"
    );
    pty.send(b"\x13"); // Ctrl-S
    pty.wait_for("◀ server → local ▶", WAIT)
        .expect("the options dialog again");
    pty.send_enter();
    pty.wait_for("Already in step: nothing to do", WAIT)
        .expect("a second scan finds nothing to do");
    pty.send(b"q");
    assert_eq!(pty.wait_exit(WAIT), Some(0), "{}", pty.screen());
}
