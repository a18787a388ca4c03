//! End to end: a download cut short by `kill -9` is saved in the queue under the state
//! directory; the next run, on connecting to the same server, offers to resume it, and `y`
//! continues the `.part` to the whole file.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may stop at the first surprise

mod common;
mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{PASSWORD, USER, pseudo_random, start_server, write};
use support::pty::Pty;

const COLS: u16 = 120;
const ROWS: u16 = 40;
const WAIT: Duration = Duration::from_secs(30);
const SIZE: usize = 4 << 20;

/// Poll until `f` holds.
fn wait_until(what: &str, pty: &Pty, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + WAIT;
    while !f() {
        assert!(
            Instant::now() < deadline,
            "{what} never happened; screen:\n{}",
            pty.screen()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn spawn(url: &str, local: &Path, state: &Path, extra: &[&str]) -> Pty {
    let mut args = vec![url, "--local", local.to_str().unwrap()];
    args.extend_from_slice(extra);
    Pty::spawn(
        &args,
        &[("FTPDECK_STATE_DIR", state.to_str().unwrap())],
        COLS,
        ROWS,
    )
}

#[test]
fn a_killed_download_is_offered_again_on_the_next_connection_and_resumes_its_part() {
    let remote = tempfile::tempdir().unwrap();
    let data = pseudo_random(SIZE, 11);
    write(remote.path(), "big.bin", &data);
    let server = start_server(remote.path());
    let local = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    let queue = state.path().join("queue.json");
    let url = format!(
        "ftp://{USER}:{PASSWORD}@127.0.0.1:{}/",
        server.addr().port()
    );
    let target = local.path().join("big.bin");
    let part = local.path().join("big.bin.part");

    // Slowly, so that it is still running when the program is killed.
    let pty = spawn(&url, local.path(), state.path(), &["--limit-rate", "256K"]);
    pty.wait_for("big.bin", WAIT)
        .expect("the remote pane lists");
    pty.send(b"\x1b[15~"); // F5
    wait_until("the queue saved with the download", &pty, || {
        std::fs::read_to_string(&queue).is_ok_and(|q| q.contains("/big.bin"))
    });
    wait_until("part of the file written", &pty, || {
        std::fs::metadata(&part).is_ok_and(|m| m.len() > 0)
    });
    let pid = pty.pid.expect("the program's pid").to_string();
    let killed = std::process::Command::new("kill")
        .args(["-9", &pid])
        .status()
        .unwrap();
    assert!(killed.success());
    assert!(pty.wait_exit(WAIT).is_some(), "{}", pty.screen());
    let kept = std::fs::metadata(&part).unwrap().len();
    assert!(kept > 0 && kept < SIZE as u64, "{kept}");
    assert!(!target.exists());
    drop(pty);

    // The next run, same server: the offer, then the rest of the file.
    let pty = spawn(&url, local.path(), state.path(), &[]);
    // The dialog's last line: the lines above it are drawn by then.
    let screen = pty
        .wait_for("Esc ask next time", WAIT)
        .expect("the resume offer");
    assert!(screen.contains("Resume transfers?"), "{screen}");
    assert!(
        screen.contains("The last run left 1 file (4.0 MiB) unfinished"),
        "{screen}"
    );
    pty.send(b"y");
    wait_until("the whole file", &pty, || {
        std::fs::read(&target).is_ok_and(|d| d == data)
    });
    assert!(!part.exists());
    pty.wait_for("idle · 1 done", WAIT)
        .expect("the panel says it is done");
    // Nothing is left to resume: the server's entry is gone from the saved queue.
    wait_until("the queue emptied", &pty, || {
        std::fs::read_to_string(&queue).is_ok_and(|q| !q.contains("/big.bin"))
    });
    pty.send(b"q");
    assert_eq!(pty.wait_exit(WAIT), Some(0), "{}", pty.screen());
    assert!(!std::fs::read_to_string(&queue).unwrap().contains("big.bin"));
    drop(pty);

    // And a third run offers nothing.
    let pty = spawn(&url, local.path(), state.path(), &[]);
    pty.wait_for("big.bin", WAIT)
        .expect("the remote pane lists");
    pty.wait_for("Connected to", WAIT).unwrap();
    assert!(!pty.screen().contains("Resume transfers?"));
    pty.send(b"q");
    assert_eq!(pty.wait_exit(WAIT), Some(0), "{}", pty.screen());
}
