//! End to end: what ftpdeck must never do to a user's files, checked on the disk after driving
//! the real binary in a pseudo-terminal.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may stop at the first surprise

mod common;
mod liar;
mod support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use support::pty::Pty;

const COLS: u16 = 120;
const ROWS: u16 = 40;
const WAIT: Duration = Duration::from_secs(15);
const F4: &[u8] = b"\x1bOS";
const F8: &[u8] = b"\x1b[19~";

/// An "editor" that appends a line to the file it is given.
fn appending_editor(dir: &Path) -> PathBuf {
    let script = dir.join("append-editor.sh");
    std::fs::write(
        &script,
        "#!/bin/sh\nprintf 'my precious edit\\n' >> \"$1\"\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    script
}

#[test]
fn an_edit_the_user_kept_survives_quitting() {
    let tmp = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    let editor = appending_editor(tmp.path());
    let pty = Pty::spawn(
        &["--demo", "--local", local.path().to_str().unwrap()],
        &[
            ("EDITOR", editor.to_str().unwrap()),
            ("VISUAL", editor.to_str().unwrap()),
            ("FTPDECK_STATE_DIR", state.to_str().unwrap()),
            ("TMPDIR", tmp.path().to_str().unwrap()),
        ],
        COLS,
        ROWS,
    );
    pty.wait_for("README.txt", WAIT).expect("the demo root");
    // The root sorts as: 7 directories, README.txt, 🎉 party.txt.
    pty.send(b"G");
    pty.send(b"k");
    pty.send(F4);
    pty.wait_for("Upload the edit?", WAIT)
        .expect("the changed file is offered for upload");
    pty.send(b"n");
    pty.wait_for("your edit is kept in", WAIT)
        .expect("the status says where the edit is kept");
    pty.send(b"q");
    assert_eq!(pty.wait_exit(WAIT), Some(0), "{}", pty.screen());

    let kept: Vec<PathBuf> = std::fs::read_dir(state.join("kept-edits"))
        .expect("the kept-edits directory exists after quitting")
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    let text = std::fs::read_to_string(&kept[0]).unwrap();
    let original = include_str!("../assets/demo/README.txt");
    assert_eq!(text, format!("{original}my precious edit\n"));
    assert!(kept[0].to_string_lossy().ends_with("README.txt"));

    // The next start says the edit is still there.
    let pty = Pty::spawn(
        &["--local", local.path().to_str().unwrap()],
        &[("FTPDECK_STATE_DIR", state.to_str().unwrap())],
        COLS,
        ROWS,
    );
    pty.wait_for("1 edit that was not uploaded is kept in", WAIT)
        .expect("the start-up note lists the kept edit");
    pty.send(b"q"); // closes the bookmark list
    pty.wait_for("Not connected", WAIT)
        .expect("the bookmark list closed");
    pty.send(b"q");
    assert_eq!(pty.wait_exit(WAIT), Some(0), "{}", pty.screen());
    assert!(
        kept[0].is_file(),
        "starting again never deletes a kept edit"
    );
}

/// `/sub/up -> ..` and `/sub/out -> ../other` beside files that must survive.
fn trap() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    common::write(root, "precious.txt", b"precious data");
    common::write(root, "other/keep.txt", b"keep me");
    common::write(root, "sub/inner.txt", b"inner");
    std::os::unix::fs::symlink("..", root.join("sub/up")).unwrap();
    std::os::unix::fs::symlink("../other", root.join("sub/out")).unwrap();
    dir
}

/// Start ftpdeck on `server`, select `sub` in the remote pane, press F8 and confirm; returns the
/// status line once the delete has answered.
fn delete_sub_by_hand(server: &liar::LiarServer, local: &Path) -> (Pty, String) {
    let url = format!("ftp://tester:secret@127.0.0.1:{}/", server.port());
    let pty = Pty::spawn(&["--local", local.to_str().unwrap(), &url], &[], COLS, ROWS);
    pty.wait_for("precious.txt", WAIT)
        .expect("the root is listed");
    // Directories first: other/, sub/.
    pty.send(b"j");
    pty.send(F8);
    pty.wait_for("Delete 1 remote entry", WAIT)
        .expect("the delete asks first");
    pty.send(b"y");
    let status = pty
        .wait_for_fn(
            |s| s.contains("Deleted") || s.contains("nothing was deleted"),
            WAIT,
        )
        .unwrap_or_else(|e| panic!("the delete never answered: {e}"));
    (pty, status)
}

#[test]
fn f8_on_a_tree_with_a_hidden_link_back_up_deletes_only_the_tree() {
    let tree = trap();
    let root = tree.path();
    // pyftpdlib's way: MLSD shows the links as directories, LIST shows them as links.
    let server = liar::LiarServer::builder(root)
        .mlsd_symlinks_as_dirs()
        .mlsd_unique()
        .start();
    let local = tempfile::tempdir().unwrap();
    let (pty, status) = delete_sub_by_hand(&server, local.path());
    assert!(status.contains("Deleted"), "{status}");
    assert!(!root.join("sub").exists());
    assert_eq!(
        std::fs::read(root.join("precious.txt")).unwrap(),
        b"precious data"
    );
    assert_eq!(
        std::fs::read(root.join("other/keep.txt")).unwrap(),
        b"keep me"
    );
    pty.send(b"q");
    assert_eq!(pty.wait_exit(WAIT), Some(0), "{}", pty.screen());
}

#[test]
fn f8_through_a_loop_no_listing_reveals_deletes_nothing_and_says_why() {
    let tree = trap();
    let root = tree.path();
    // Every listing shows the links as directories and PWD is literal: only depth tells.
    let server = liar::LiarServer::builder(root).symlinks_as_dirs().start();
    let local = tempfile::tempdir().unwrap();
    let (pty, status) = delete_sub_by_hand(&server, local.path());
    assert!(status.contains("nothing was deleted"), "{status}");
    assert_eq!(std::fs::read(root.join("sub/inner.txt")).unwrap(), b"inner");
    assert_eq!(
        std::fs::read(root.join("precious.txt")).unwrap(),
        b"precious data"
    );
    assert_eq!(
        std::fs::read(root.join("other/keep.txt")).unwrap(),
        b"keep me"
    );
    pty.send(b"q");
    assert_eq!(pty.wait_exit(WAIT), Some(0), "{}", pty.screen());
}
