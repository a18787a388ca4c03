//! End to end: new directory, rename and delete with the real keys, in the real binary in a
//! pseudo-terminal against `--demo`, on both panes; each step checked on the screen and on disk.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may stop at the first surprise

mod support;

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;

use support::pty::{Pty, highlighted_in};

const COLS: u16 = 120;
const ROWS: u16 = 40;
const LOCAL: Range<u16> = 0..COLS / 2;
const REMOTE: Range<u16> = COLS / 2..COLS;
/// A deadline, not a delay: a passing step takes milliseconds.
const WAIT: Duration = Duration::from_secs(15);

const F2: &[u8] = b"\x1bOQ";
const F8: &[u8] = b"\x1b[19~";
const CTRL_U: &[u8] = b"\x15";

/// The demo with its scratch tree under `tmp` (TMPDIR) and the local pane on `local`.
fn demo(tmp: &Path, local: &Path) -> Pty {
    std::fs::write(local.join("local-marker.txt"), b"x").unwrap();
    let pty = Pty::spawn(
        &["--demo", "--local", local.to_str().unwrap()],
        &[("TMPDIR", tmp.to_str().unwrap())],
        COLS,
        ROWS,
    );
    pty.wait_for_fn(
        |s| s.contains("README.txt") && s.contains("local-marker.txt"),
        WAIT,
    )
    .unwrap_or_else(|e| panic!("the demo never showed both panes: {e}"));
    pty
}

/// The demo's scratch root: the one `ftpdeck-demo-*` directory in our TMPDIR.
fn demo_root(tmp: &Path) -> PathBuf {
    let roots: Vec<PathBuf> = std::fs::read_dir(tmp)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("ftpdeck-demo-"))
        })
        .collect();
    assert_eq!(roots.len(), 1, "demo roots in {}: {roots:?}", tmp.display());
    assert!(roots[0].join("README.txt").is_file());
    roots[0].clone()
}

/// The entry rows of a pane (between its borders), trimmed.
fn pane_rows(screen: &vt100::Screen, cols: Range<u16>) -> Vec<String> {
    screen
        .rows(cols.start, cols.end - cols.start)
        .skip(1)
        .take(ROWS as usize - 3)
        // The pane ends at its bottom border (the task panel may be below it).
        .take_while(|r| !r.starts_with('└'))
        .map(|r| {
            r.trim_matches(|c: char| c == '│' || c.is_whitespace())
                .to_string()
        })
        .collect()
}

fn status_line(screen: &vt100::Screen) -> String {
    screen
        .rows(0, COLS)
        .nth(ROWS as usize - 1)
        .unwrap_or_default()
}

/// The cursor row of the focused pane in `cols`.
fn cursor_in(screen: &vt100::Screen, cols: Range<u16>) -> Option<String> {
    highlighted_in(screen, cols).into_iter().next()
}

fn dialog_open(screen: &vt100::Screen) -> bool {
    let text = screen.contents();
    text.contains("Enter confirm · Esc cancel") || text.contains("y delete · n / Esc keep")
}

/// Make `name`, rename it to `renamed`, delete it: on the pane in `cols`, which has the focus.
/// `disk` is the directory the pane shows, `marker` a file always listed in it (proof that the
/// pane's rows are read right when checking that a name is gone). Every step waits for the
/// screen and checks the disk.
fn mkdir_rename_delete(pty: &Pty, cols: Range<u16>, side: &str, disk: &Path, marker: &str) {
    let (name, renamed) = ("e2e-dir", "renamed-dir");

    // n: new directory.
    pty.send(b"n");
    pty.wait_for("Name of the new directory:", WAIT)
        .expect("n opens the new-directory dialog");
    pty.send_str(name);
    pty.wait_for(&format!("{name}▏"), WAIT)
        .expect("the name is typed into the dialog");
    pty.send_enter();
    let status = pty
        .wait_for_screen(
            |s| {
                (!dialog_open(s)
                    && cursor_in(s, cols.clone())
                        .is_some_and(|r| r.starts_with(&format!("{name}/"))))
                .then(|| status_line(s))
            },
            WAIT,
        )
        .unwrap_or_else(|e| panic!("{side}: {name}/ never showed under the cursor:\n{e}"));
    assert!(status.contains("Created"), "{side} status: {status:?}");
    assert!(disk.join(name).is_dir(), "{side}: {name} not on disk");

    // F2: rename, starting from the current name; Ctrl-U clears it.
    pty.send(F2);
    pty.wait_for(&format!("New name for {name}:"), WAIT)
        .expect("F2 opens the rename dialog");
    pty.wait_for(&format!("{name}▏"), WAIT)
        .expect("the rename dialog starts with the current name");
    pty.send(CTRL_U);
    pty.send_str(renamed);
    pty.wait_for(&format!("{renamed}▏"), WAIT)
        .expect("the new name is typed into the dialog");
    pty.send_enter();
    let status = pty
        .wait_for_screen(
            |s| {
                let rows = pane_rows(s, cols.clone());
                (!dialog_open(s)
                    && cursor_in(s, cols.clone())
                        .is_some_and(|r| r.starts_with(&format!("{renamed}/")))
                    && rows.iter().any(|r| r.starts_with(marker))
                    && !rows.iter().any(|r| r.contains(name)))
                .then(|| status_line(s))
            },
            WAIT,
        )
        .unwrap_or_else(|e| panic!("{side}: the rename to {renamed} never showed:\n{e}"));
    assert!(
        status.contains(&format!("Renamed to {renamed}")),
        "{side} status: {status:?}"
    );
    assert!(!disk.join(name).exists(), "{side}: {name} still on disk");
    assert!(disk.join(renamed).is_dir(), "{side}: {renamed} not on disk");

    // Something inside, so the delete is recursive.
    std::fs::write(disk.join(renamed).join("inside.txt"), b"inside").unwrap();

    // F8: delete, with a confirmation naming the entry; y confirms.
    pty.send(F8);
    let dialog = pty
        .wait_for(
            &format!("Delete 1 {side} entry (1 directory with everything in it)?"),
            WAIT,
        )
        .expect("F8 opens the delete confirmation");
    assert!(dialog.contains(&format!("  {renamed}/")), "{dialog}");
    pty.send(b"y");
    let status = pty
        .wait_for_screen(
            |s| {
                let rows = pane_rows(s, cols.clone());
                (!dialog_open(s)
                    && rows.iter().any(|r| r.starts_with(marker))
                    && !rows.iter().any(|r| r.contains(renamed))
                    && cursor_in(s, cols.clone()).is_some()
                    // The pane can be redrawn before the status line says what happened.
                    && status_line(s).contains("Deleted"))
                .then(|| status_line(s))
            },
            WAIT,
        )
        .unwrap_or_else(|e| panic!("{side}: {renamed} never went away:\n{e}"));
    assert!(
        status.contains("Deleted 2 entries") || status.contains("Deleted renamed-dir (2 entries)"),
        "{side} status: {status:?}"
    );
    assert!(
        !disk.join(renamed).exists(),
        "{side}: {renamed} still on disk"
    );
}

fn quit(pty: &Pty) {
    pty.send(b"q");
    assert_eq!(
        pty.wait_exit(WAIT),
        Some(0),
        "exit status; screen:\n{}",
        pty.screen()
    );
}

#[test]
fn remote_pane_new_directory_rename_and_delete() {
    let tmp = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    let pty = demo(tmp.path(), local.path());
    let root = demo_root(tmp.path());
    // The demo starts on the remote pane.
    assert!(
        pty.with_screen(|s| cursor_in(s, REMOTE))
            .is_some_and(|r| r.starts_with("a folder with spaces/")),
        "{}",
        pty.screen()
    );
    mkdir_rename_delete(&pty, REMOTE, "remote", &root, "README.txt");
    // The rest of the demo tree is untouched, and the local side too.
    assert!(root.join("docs/guide.md").is_file());
    let screen = pty.screen();
    for entry in ["docs/", "README.txt", "local-marker.txt"] {
        assert!(screen.contains(entry), "{entry} missing:\n{screen}");
    }
    assert_eq!(std::fs::read_dir(local.path()).unwrap().count(), 1);
    quit(&pty);
    assert!(!root.exists(), "the demo removes its scratch tree on exit");
}

#[test]
fn local_pane_new_directory_rename_and_delete() {
    let tmp = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    let pty = demo(tmp.path(), local.path());
    let root = demo_root(tmp.path());
    let remote_before = std::fs::read_dir(&root).unwrap().count();
    pty.send_tab();
    pty.wait_for_screen(
        |s| cursor_in(s, LOCAL).filter(|r| r.starts_with("local-marker.txt")),
        WAIT,
    )
    .unwrap_or_else(|e| panic!("Tab did not move to the local pane:\n{e}"));
    mkdir_rename_delete(&pty, LOCAL, "local", local.path(), "local-marker.txt");
    assert!(local.path().join("local-marker.txt").is_file());
    assert_eq!(std::fs::read_dir(local.path()).unwrap().count(), 1);
    assert_eq!(std::fs::read_dir(&root).unwrap().count(), remote_before);
    quit(&pty);
}
