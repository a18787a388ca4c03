//! End to end: the real binary against the embedded server speaking GBK or Shift_JIS on the
//! wire, with the charset from a bookmark in `bookmarks.toml` and from `--charset`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may stop at the first surprise

mod common;
mod support;

use std::time::Duration;

use common::{PASSWORD, USER, start_server_with, write};
use support::pty::Pty;

const WAIT: Duration = Duration::from_secs(15);

#[test]
fn a_bookmark_with_a_charset_shows_the_names_decoded_and_the_charset_in_the_title() {
    let root = tempfile::tempdir().unwrap();
    write(root.path(), "中文目录/文件.txt", b"x");
    let gbk = ftpdeck::remote::encoding::Charset::parse("gbk").unwrap();
    let server = start_server_with(root.path(), |c| c.wire_charset = Some(gbk));
    let config = tempfile::tempdir().unwrap();
    let port = server.addr().port();
    std::fs::create_dir_all(config.path().join("ftpdeck")).unwrap();
    std::fs::write(
        config.path().join("ftpdeck/bookmarks.toml"),
        format!(
            "[[bookmark]]\nname = \"cn\"\nhost = \"127.0.0.1\"\nport = {port}\nuser = \"{USER}\"\n\
             password_cmd = \"echo {PASSWORD}\"\ncharset = \"GBK\"\n"
        ),
    )
    .unwrap();
    let env = [("XDG_CONFIG_HOME", config.path().to_str().unwrap())];
    let pty = Pty::spawn(&["cn"], &env, 120, 40);
    pty.wait_for("中文目录/", WAIT)
        .expect("the GBK directory name, decoded");
    let screen = pty.screen();
    assert!(
        screen.contains(&format!("{USER}@127.0.0.1:{port}:/ [gbk]")),
        "{screen}"
    );
    // A bookmark from the command line leaves the focus on the local pane: over, then in.
    pty.send_tab();
    pty.send(b"\r");
    pty.wait_for("文件.txt", WAIT).expect("into the directory");
    assert!(
        pty.screen().contains(":/中文目录 [gbk]"),
        "{}",
        pty.screen()
    );
    pty.send(b"q");
    assert_eq!(pty.wait_exit(WAIT), Some(0));
}

#[test]
fn charset_on_the_command_line_and_a_name_it_cannot_write() {
    let root = tempfile::tempdir().unwrap();
    write(root.path(), "テスト.txt", b"x");
    let sjis = ftpdeck::remote::encoding::Charset::parse("shift_jis").unwrap();
    let server = start_server_with(root.path(), |c| c.wire_charset = Some(sjis));
    let url = format!(
        "ftp://{USER}:{PASSWORD}@127.0.0.1:{}/",
        server.addr().port()
    );
    let pty = Pty::spawn(&["--charset", "sjis", &url], &[], 120, 40);
    pty.wait_for("テスト.txt", WAIT)
        .expect("the Shift_JIS name, decoded");
    assert!(pty.screen().contains("[shift_jis]"), "{}", pty.screen());
    // A new directory named in Korean: refused, and nothing reaches the server.
    pty.send(b"n");
    pty.wait_for("New directory", WAIT).expect("the dialog");
    pty.send_str("한국어");
    pty.send_enter();
    pty.wait_for("cannot be written in the server's charset shift_jis", WAIT)
        .expect("the refusal in the status bar");
    assert_eq!(std::fs::read_dir(root.path()).unwrap().count(), 1);
    pty.send(b"q");
    assert_eq!(pty.wait_exit(WAIT), Some(0));
}
