//! End to end: a headless command whose stderr is a terminal keeps a live line (a bar, files
//! and bytes done of all, speed) at the bottom, prints one line per finished file above it,
//! and leaves only the lines and the summary when it ends.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may stop at the first surprise

mod common;
mod support;

use std::time::Duration;

use common::*;
use support::pty::Pty;

#[test]
fn get_on_a_terminal_draws_a_live_line_with_totals_and_ends_with_the_summary_alone() {
    let remote = tempfile::tempdir().unwrap();
    for (i, name) in ["tree/a.bin", "tree/docs/b.bin", "tree/docs/deep/c.bin"]
        .iter()
        .enumerate()
    {
        write(remote.path(), name, &pseudo_random(300_000, i as u64));
    }
    let server = start_server(remote.path());
    let local = tempfile::tempdir().unwrap();
    let url = format!("ftp://{USER}@127.0.0.1:{}/tree", server.addr().port());
    let pty = Pty::spawn(
        &["get", &url, local.path().to_str().unwrap()],
        &[("FTPDECK_PASSWORD", PASSWORD)],
        120,
        20,
    );
    assert_eq!(
        pty.wait_exit(Duration::from_secs(60)),
        Some(0),
        "{}",
        pty.screen()
    );
    let raw = String::from_utf8_lossy(&pty.raw_output()).into_owned();
    // The live line is drawn over itself (carriage return, erase line) and counts up to the
    // totals once every directory is read.
    assert!(raw.contains("\r\x1b[2K["), "no live line drawn: {raw:?}");
    assert!(
        raw.contains("] 3/3 files · 878.9 KiB of 878.9 KiB"),
        "the line reaches the totals: {raw:?}"
    );
    // What stays on screen: a line per file and the summary; the live line was erased.
    let screen = pty.screen();
    for name in ["a.bin", "b.bin", "c.bin"] {
        assert!(screen.contains(name), "{screen}");
    }
    assert!(
        screen.contains("3 copied, 0 skipped, 0 deleted, 0 failed, 878.9 KiB in"),
        "{screen}"
    );
    assert!(
        !screen.contains(" files · "),
        "the live line is gone: {screen}"
    );
    assert!(
        snapshot(&local.path().join("tree")) == snapshot(&remote.path().join("tree")),
        "the tree arrived whole"
    );
}
