//! End to end: the real binary in a pseudo-terminal, connected to the embedded server; `D`
//! runs the connection doctor in the background and its report opens over the panes.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may stop at the first surprise

mod common;
mod support;

use std::time::Duration;

use common::{PASSWORD, USER, write};
use support::pty::Pty;

const WAIT: Duration = Duration::from_secs(30);

#[test]
fn d_shows_the_doctor_s_report_over_the_panes_and_esc_closes_it() {
    let root = tempfile::tempdir().unwrap();
    write(root.path(), "report.txt", b"twelve bytes");
    let server = common::start_server(root.path());
    let url = format!(
        "ftp://{USER}:{PASSWORD}@127.0.0.1:{}/",
        server.addr().port()
    );

    let pty = Pty::spawn(&[&url], &[], 120, 40);
    pty.wait_for("report.txt", WAIT).expect("connected");
    pty.send(b"D");
    let screen = pty
        .wait_for("Everything works with these settings.", WAIT)
        .expect("the report");
    for words in [
        "Connection doctor: tester@127.0.0.1",
        "EPSV works",
        "PASV works",
        "MLSD works",
    ] {
        assert!(screen.contains(words), "{words:?} missing: {screen}");
    }
    pty.send_esc();
    pty.wait_for_fn(|s| !s.contains("Everything works with these"), WAIT)
        .expect("Esc closes the report");
    pty.send(b"q");
    assert_eq!(pty.wait_exit(WAIT), Some(0));
}
