//! Long operations on the server as tasks of the transfer pool, against the embedded server
//! (and the lying one for recursive permissions): a 20,000-file delete that browsing does not
//! wait for and that a cancel stops with the rest in place, directory sizes, the viewer's
//! fetch, recursive chmod that leaves links alone.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may stop at the first surprise

mod common;
mod liar;

use std::fs;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use common::engine::Engine;
use common::session::Session;
use common::*;
use ftpdeck::remote::session::SessionOptions;
use ftpdeck::transfer::{Job, Outcome, Task, TransferCmd, TransferEvent};

const T: Duration = Duration::from_secs(60);

/// The next event of the pool, or a failure naming what was awaited.
fn next(rx: &Receiver<TransferEvent>, what: &str) -> TransferEvent {
    rx.recv_timeout(T)
        .unwrap_or_else(|_| panic!("no event while waiting for {what}"))
}

/// Wait for job `id` to end; its outcome and the steps it reported on the way.
fn finish(rx: &Receiver<TransferEvent>, id: u64) -> (Outcome, Vec<(u64, Option<u64>, u64)>) {
    let mut steps = Vec::new();
    loop {
        match next(rx, "the end of the task") {
            TransferEvent::Steps {
                id: got,
                done,
                total,
                bytes,
            } if got == id => steps.push((done, total, bytes)),
            TransferEvent::Finished { id: got, outcome } if got == id => return (outcome, steps),
            _ => {}
        }
    }
}

fn count_files(dir: &std::path::Path) -> usize {
    fs::read_dir(dir).map(|rd| rd.count()).unwrap_or(0)
}

#[test]
fn a_20000_file_delete_lets_browsing_go_on_and_a_cancel_leaves_the_rest() {
    const FILES: u64 = 20_000;
    let tree = tempfile::tempdir().unwrap();
    let root = tree.path();
    fs::create_dir(root.join("big")).unwrap();
    for i in 0..FILES {
        fs::write(root.join(format!("big/file-{i:05}.txt")), b"x").unwrap();
    }
    write(root, "other/a.txt", b"a");
    write(root, "other/b.txt", b"b");
    let server = start_server(root);
    let session = Session::start(SessionOptions::default());
    session.connect(profile(&server)).expect("log in");
    let engine = Engine::new(profile(&server), 2);
    // The same listing with nothing else running, to compare with.
    let asked = Instant::now();
    session
        .list(0, "/other")
        .0
        .expect("listing before the delete");
    let idle = asked.elapsed();

    let id = 7;
    let job = Job::remote_task(id, Task::Delete, "/big", true);
    engine.cmd.send(TransferCmd::Enqueue(vec![job])).unwrap();
    // The whole tree is planned first (entries found), then deleted (done of all).
    let mut planned = false;
    let started = Instant::now();
    let mut deleted_so_far;
    loop {
        match next(&engine.rx, "the delete to get going") {
            TransferEvent::Steps {
                total: None, done, ..
            } => {
                assert!(done <= FILES + 1);
                planned = true;
            }
            TransferEvent::Steps {
                done,
                total: Some(total),
                ..
            } => {
                assert_eq!(total, FILES + 1, "every file and the directory");
                deleted_so_far = done;
                if done >= 500 {
                    break;
                }
            }
            TransferEvent::Finished { outcome, .. } => {
                panic!("the delete ended before browsing was tried: {outcome:?}")
            }
            _ => {}
        }
    }
    assert!(planned, "the planning reported what it found");

    // Browsing the same server while the delete runs: the listing arrives, and the delete is
    // still going when it does.
    let asked = Instant::now();
    let listing = session
        .list(1, "/other")
        .0
        .expect("listing during the delete");
    let took = asked.elapsed();
    let mut names: Vec<_> = listing.entries.iter().map(|e| e.name.clone()).collect();
    names.sort();
    assert_eq!(names, ["a.txt", "b.txt"]);
    while let Ok(e) = engine.rx.try_recv() {
        match e {
            TransferEvent::Finished { outcome, .. } => {
                panic!("the listing waited for the delete to end ({outcome:?})")
            }
            TransferEvent::Steps { done, .. } => deleted_so_far = done,
            _ => {}
        }
    }
    println!(
        "listing /other: {idle:?} with nothing else running, {took:?} during the delete \
         ({deleted_so_far} of {FILES} deleted by then, {:?} in)",
        started.elapsed()
    );

    engine.cmd.send(TransferCmd::Cancel(id)).unwrap();
    let (outcome, steps) = finish(&engine.rx, id);
    assert_eq!(outcome, Outcome::Cancelled);
    let (done, total, _) = *steps.last().expect("a last count at the cancel");
    assert_eq!(total, Some(FILES + 1));
    let left = count_files(&root.join("big"));
    assert!(left > 0, "the cancel came too late to test anything");
    assert_eq!(
        left as u64 + done,
        FILES,
        "the count said at the cancel is what was deleted"
    );
    assert!(root.join("other/a.txt").exists());
}

#[test]
fn a_directory_size_counts_files_dirs_and_bytes() {
    let tree = tempfile::tempdir().unwrap();
    let root = tree.path();
    write(root, "t/a.bin", &[0; 1000]);
    write(root, "t/sub/b.bin", &[0; 24]);
    write(root, "t/sub/deeper/c.bin", &[0; 100_000]);
    fs::create_dir(root.join("t/empty")).unwrap();
    let server = start_server(root);
    let engine = Engine::new(profile(&server), 1);
    let results = engine.run(vec![Job::remote_task(1, Task::Size, "/t", true)]);
    assert_eq!(
        results[0].1,
        Outcome::Sized {
            files: 3,
            dirs: 3,
            bytes: 101_024
        }
    );
}

#[test]
fn the_viewer_fetch_reads_once_into_memory_and_stops_at_its_limit() {
    let tree = tempfile::tempdir().unwrap();
    let root = tree.path();
    let big = pseudo_random(1_000_000, 5);
    write(root, "big.bin", &big);
    write(root, "small.txt", b"small\n");
    let server = start_server(root);
    let engine = Engine::new(profile(&server), 1);
    let view = |id, path: &str, max_bytes| {
        engine.run(vec![Job::remote_task(
            id,
            Task::View { max_bytes },
            path,
            false,
        )])[0]
            .1
            .clone()
    };
    assert_eq!(
        view(1, "/small.txt", 1024),
        Outcome::Viewed {
            data: b"small\n".to_vec(),
            size: Some(6)
        }
    );
    assert_eq!(
        view(2, "/big.bin", 4096),
        Outcome::Viewed {
            data: big[..4096].to_vec(),
            size: Some(1_000_000)
        },
        "the first bytes, and the whole size to say it is more"
    );
    // The connection stays in step after leaving a download early.
    assert_eq!(
        view(3, "/small.txt", 1024),
        Outcome::Viewed {
            data: b"small\n".to_vec(),
            size: Some(6)
        }
    );
    match view(4, "/missing.txt", 1024) {
        Outcome::Failed { error } => {
            assert!(error.to_string().contains("550"), "{error}");
            assert!(
                error.remote().is_some(),
                "the server's own error: {error:?}"
            );
        }
        other => panic!("expected the server's refusal, got {other:?}"),
    }
    // No temporary file anywhere: nothing was written next to the served files.
    assert_eq!(count_files(root), 2);
}

#[test]
fn a_recursive_chmod_changes_the_tree_keeps_directories_enterable_and_leaves_links() {
    let tree = tempfile::tempdir().unwrap();
    let root = tree.path();
    write(root, "outside.txt", b"outside");
    fs::set_permissions(root.join("outside.txt"), fs::Permissions::from_mode(0o640)).unwrap();
    write(root, "t/a.txt", b"a");
    write(root, "t/sub/b.txt", b"b");
    symlink("../outside.txt", root.join("t/link")).unwrap();
    let server = liar::LiarServer::builder(root).start();
    let engine = Engine::new(server.profile(), 1);
    let results = engine.run(vec![Job::remote_task(
        1,
        Task::Chmod { mode: 0o604 },
        "/t",
        true,
    )]);
    // Two files and two directories; the link is left alone.
    assert_eq!(results[0].1, Outcome::Chmodded { entries: 4 });
    let mode = |p: &str| fs::metadata(root.join(p)).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode("t/a.txt"), 0o604);
    assert_eq!(mode("t/sub/b.txt"), 0o604);
    assert_eq!(mode("t"), 0o705, "directories searchable where readable");
    assert_eq!(mode("t/sub"), 0o705);
    assert_eq!(mode("outside.txt"), 0o640, "the link's target is untouched");
    let chmods: Vec<String> = server
        .commands()
        .into_iter()
        .filter(|c| c.starts_with("SITE CHMOD"))
        .collect();
    assert_eq!(chmods.len(), 4, "{chmods:?}");
    assert!(
        chmods.last().unwrap().ends_with(" /t"),
        "the root last: {chmods:?}"
    );
}

/// A pool with no server: local tasks run anyway.
fn local_pool() -> (
    std::sync::mpsc::Sender<TransferCmd>,
    Receiver<TransferEvent>,
) {
    let (tx, rx) = std::sync::mpsc::channel();
    let cmd = ftpdeck::transfer::spawn(tx, ftpdeck::transfer::PoolOptions::default());
    (cmd, rx)
}

#[test]
fn local_deletes_and_sizes_run_on_the_pool_without_a_server_and_never_follow_links() {
    let tree = tempfile::tempdir().unwrap();
    let root = tree.path();
    write(root, "keep/outside.txt", b"outside");
    for i in 0..300 {
        write(root, &format!("t/d{}/f{i}.txt", i % 7), b"12345");
    }
    symlink(root.join("keep"), root.join("t/link")).unwrap();
    let (cmd, rx) = local_pool();
    cmd.send(TransferCmd::Enqueue(vec![Job::local_task(
        1,
        Task::Size,
        root.join("t"),
        true,
    )]))
    .unwrap();
    let (outcome, steps) = finish(&rx, 1);
    assert_eq!(
        outcome,
        Outcome::Sized {
            files: 300,
            dirs: 7,
            bytes: 1500
        }
    );
    assert_eq!(steps.last().map(|s| (s.0, s.2)), Some((300, 1500)));

    cmd.send(TransferCmd::Enqueue(vec![Job::local_task(
        2,
        Task::Delete,
        root.join("t"),
        true,
    )]))
    .unwrap();
    let (outcome, steps) = finish(&rx, 2);
    // 300 files, 7 directories, the link and the root.
    assert_eq!(outcome, Outcome::Deleted { entries: 309 });
    assert_eq!(steps.last().map(|s| s.0), Some(309));
    assert!(!root.join("t").exists());
    assert_eq!(fs::read(root.join("keep/outside.txt")).unwrap(), b"outside");
    let _ = cmd.send(TransferCmd::Shutdown);
}
