//! End to end: create a bookmark in the manager, quit, start again, connect to it from the
//! list — with its password saved (no keyring here: the 0600 secrets file).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may stop at the first surprise

mod common;
mod support;

use std::time::Duration;

use common::{PASSWORD, USER, start_server, write};
use support::pty::Pty;

const WAIT: Duration = Duration::from_secs(15);

#[test]
fn create_a_bookmark_quit_restart_and_connect_from_the_list() {
    let root = tempfile::tempdir().unwrap();
    write(root.path(), "bookmarked.txt", b"here");
    let server = start_server(root.path());
    let config = tempfile::tempdir().unwrap();
    let secrets = config.path().join("secrets");
    let env = [
        ("XDG_CONFIG_HOME", config.path().to_str().unwrap()),
        ("FTPDECK_NO_KEYRING", "1"),
        ("FTPDECK_SECRETS_DIR", secrets.to_str().unwrap()),
    ];

    // No URL: the bookmark list is the start screen.
    let pty = Pty::spawn(&[], &env, 120, 40);
    pty.wait_for("New connection", WAIT)
        .expect("the bookmark list");
    pty.send(b"n");
    pty.wait_for("Keep password", WAIT).expect("the form");
    let port = server.addr().port().to_string();
    // Name, Host, Port (cleared with Ctrl-U), User, Password, Keep password → save.
    for (text, next) in [
        ("work", "\t"),
        ("127.0.0.1", "\t"),
        ("\x15", ""),
        (port.as_str(), "\t"),
        (USER, "\t"),
        (PASSWORD, "\t"),
        (" ", ""),
    ] {
        pty.send(text.as_bytes());
        pty.send(next.as_bytes());
    }
    pty.wait_for("save (keyring", WAIT)
        .expect("keep password: save");
    pty.send(b"\x13"); // Ctrl-S
    pty.wait_for("★ work", WAIT)
        .expect("the new bookmark in the list");
    pty.send(b"\x1b"); // close the list
    pty.wait_for_fn(|s| !s.contains("★ work"), WAIT).unwrap();
    pty.send(b"q");
    assert_eq!(pty.wait_exit(WAIT), Some(0));

    let saved = std::fs::read_to_string(config.path().join("ftpdeck/bookmarks.toml")).unwrap();
    assert!(saved.contains("name = \"work\""), "{saved}");
    assert!(saved.contains("password = \"saved\""), "{saved}");
    assert!(
        !saved.contains(&format!("\"{PASSWORD}\"")),
        "no password in the file: {saved}"
    );

    // Again: pick it from the list; the saved password logs in without asking.
    let pty = Pty::spawn(&[], &env, 120, 40);
    pty.wait_for("★ work", WAIT)
        .expect("the bookmark survives a restart");
    pty.send(b"j\r");
    pty.wait_for("bookmarked.txt", WAIT)
        .expect("connected to the bookmark");
    assert!(pty.screen().contains(&format!("{USER}@127.0.0.1:{port}:/")));
    pty.send(b"q");
    assert_eq!(pty.wait_exit(WAIT), Some(0));

    // And by name from the command line.
    let pty = Pty::spawn(&["work"], &env, 120, 40);
    pty.wait_for("bookmarked.txt", WAIT)
        .expect("ftpdeck NAME connects");
    pty.send(b"q");
    assert_eq!(pty.wait_exit(WAIT), Some(0));
}
