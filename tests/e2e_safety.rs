//! End to end: what ftpdeck must never do to a user's files, checked on the disk after driving
//! the real binary in a pseudo-terminal.

mod support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use support::pty::Pty;

const COLS: u16 = 120;
const ROWS: u16 = 40;
const WAIT: Duration = Duration::from_secs(15);
const F4: &[u8] = b"\x1bOS";

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
