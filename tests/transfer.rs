//! The transfer engine against the real embedded server, driven through its channel.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may stop at the first surprise

mod common;

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::engine::{Engine, assert_all_done as all_done, job};
use common::*;
use ftpdeck::transfer::{
    self, Direction, JobId, Outcome, PoolOptions, Resolution, TransferCmd, TransferEvent,
};

const N_ROW: usize = 2000;
const T: Duration = Duration::from_secs(60);

/// The channel of the test that checks the UI stays responsive: engine events and pings.
#[derive(Debug)]
enum TestMsg {
    Transfer(Box<TransferEvent>),
    Ping(Instant),
}

impl From<TransferEvent> for TestMsg {
    fn from(e: TransferEvent) -> Self {
        TestMsg::Transfer(Box::new(e))
    }
}

#[test]
fn single_file_up_and_down_byte_for_byte() {
    let server_root = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    let server = start_server(server_root.path());
    let mut e = Engine::new(profile(&server), 2);
    let data = pseudo_random(3 * 1024 * 1024 + 17, 1);
    std::fs::write(local.path().join("up.bin"), &data).unwrap();
    let up = e.job(
        Direction::Upload,
        "/up.bin",
        &local.path().join("up.bin"),
        false,
    );
    all_done(&e.run(vec![up]));
    assert_eq!(
        std::fs::read(server_root.path().join("up.bin")).unwrap(),
        data
    );

    let down_dir = tempfile::tempdir().unwrap();
    let target = down_dir.path().join("down.bin");
    let down = e.job(Direction::Download, "/up.bin", &target, false);
    all_done(&e.run(vec![down]));
    assert_eq!(std::fs::read(&target).unwrap(), data);
    assert!(!down_dir.path().join("down.bin.part").exists());
}

#[test]
fn trees_with_nested_dirs_unicode_empty_files_and_dirs_round_trip() {
    let server_root = tempfile::tempdir().unwrap();
    let src = tempfile::tempdir().unwrap();
    let tree = src.path().join("project");
    write(&tree, "a.txt", b"alpha");
    write(&tree, "sub/b.bin", &pseudo_random(100_000, 2));
    write(
        &tree,
        "sub/deeper/日本語 ファイル.txt",
        "こんにちは".as_bytes(),
    );
    write(&tree, "sub/deeper/🎉.txt", b"party");
    write(&tree, "empty-file", b"");
    std::fs::create_dir_all(tree.join("empty-dir")).unwrap();
    std::fs::create_dir_all(tree.join("sub/also empty")).unwrap();

    let server = start_server(server_root.path());
    let mut e = Engine::new(profile(&server), 3);
    let up = e.job(Direction::Upload, "/project", &tree, true);
    let results = e.run(vec![up]);
    all_done(&results);
    assert_eq!(
        snapshot(&server_root.path().join("project")),
        snapshot(&tree)
    );

    let dst = tempfile::tempdir().unwrap();
    let down = e.job(
        Direction::Download,
        "/project",
        &dst.path().join("copy"),
        true,
    );
    all_done(&e.run(vec![down]));
    assert_eq!(snapshot(&dst.path().join("copy")), snapshot(&tree));
}

#[test]
fn cancelled_download_keeps_part_and_resumes_to_an_identical_file() {
    let server_root = tempfile::tempdir().unwrap();
    let data = pseudo_random(48 * 1024 * 1024, 3);
    std::fs::write(server_root.path().join("big.bin"), &data).unwrap();
    // 16 MiB/s: the first progress (after 100 ms) comes long before the end.
    let server = start_slow_server(server_root.path(), 16 << 20);
    let mut e = Engine::new(profile(&server), 1);
    let dst = tempfile::tempdir().unwrap();
    let target = dst.path().join("big.bin");
    let job = e.job(Direction::Download, "/big.bin", &target, false);
    e.cmd.send(TransferCmd::Enqueue(vec![job.clone()])).unwrap();
    let mut cancelled_at = None;
    let (outcome, _) = recv_until(&e.rx, T, |m| match m {
        TransferEvent::Progress { done, .. } if cancelled_at.is_none() && *done > 0 => {
            e.cmd.send(TransferCmd::Cancel(job.id)).unwrap();
            cancelled_at = Some(Instant::now());
            None
        }
        TransferEvent::Finished { outcome, .. } => Some(outcome.clone()),
        _ => None,
    });
    assert_eq!(outcome, Outcome::Cancelled);
    assert!(
        cancelled_at.unwrap().elapsed() < Duration::from_secs(1),
        "cancel took too long"
    );
    let part = dst.path().join("big.bin.part");
    let kept = std::fs::metadata(&part).expect(".part kept").len();
    assert!(kept < data.len() as u64);
    assert!(
        !target.exists(),
        "never renamed into place while incomplete"
    );

    // The same copy again resumes from the .part.
    let results = e.run(vec![job]);
    all_done(&results);
    match &results[0].1 {
        Outcome::Done { bytes, .. } => {
            assert_eq!(*bytes, data.len() as u64 - kept, "resumed with REST")
        }
        other => panic!("{other:?}"),
    }
    assert!(std::fs::read(&target).unwrap() == data);
    assert!(!part.exists());
}

#[test]
fn a_server_restart_mid_transfer_is_survived_by_the_retry() {
    let server_root = tempfile::tempdir().unwrap();
    let data = pseudo_random(40 * 1024 * 1024, 4);
    std::fs::write(server_root.path().join("big.bin"), &data).unwrap();
    // Slow enough that the server is stopped mid-transfer, not after it.
    let server = start_slow_server(server_root.path(), 16 << 20);
    let addr = server.addr();
    let mut e = Engine::new(profile(&server), 1);
    let dst = tempfile::tempdir().unwrap();
    let target = dst.path().join("big.bin");
    let job = e.job(Direction::Download, "/big.bin", &target, false);
    e.cmd.send(TransferCmd::Enqueue(vec![job])).unwrap();
    let mut server = Some(server);
    let mut restarted = None;
    let (outcome, seen) = recv_until(&e.rx, T, |m| match m {
        TransferEvent::Progress { done, .. } if *done > 0 && server.is_some() => {
            server.take().unwrap().stop();
            None
        }
        TransferEvent::Retrying { .. } if restarted.is_none() => {
            let mut config = ftpdeck::server::ServerConfig::local(
                server_root.path(),
                ftpdeck::server::ServerAuth::User {
                    user: USER.into(),
                    password: PASSWORD.into(),
                },
            );
            config.bind = addr;
            restarted = Some(ftpdeck::server::start(config).expect("restart"));
            None
        }
        TransferEvent::Finished { outcome, .. } => Some(outcome.clone()),
        _ => None,
    });
    assert!(outcome.is_success(), "{outcome:?} after {seen:?}");
    assert!(restarted.is_some(), "the server was stopped mid-transfer");
    assert!(std::fs::read(&target).unwrap() == data);
}

#[test]
fn three_hundred_files_with_three_workers_while_the_ui_stays_responsive() {
    let server_root = tempfile::tempdir().unwrap();
    for i in 0..300 {
        write(
            server_root.path(),
            &format!("many/f{i:03}.txt"),
            &pseudo_random(1000 + i, i as u64),
        );
    }
    let server = start_server(server_root.path());
    // The engine reports into the same channel as other messages, as in the UI.
    let (tx, rx) = mpsc::channel::<TestMsg>();
    let options = PoolOptions {
        workers: 3,
        ..PoolOptions::default()
    };
    let cmd = transfer::spawn(tx.clone(), options);
    cmd.send(TransferCmd::SetProfile(profile(&server))).unwrap();
    let dst = tempfile::tempdir().unwrap();
    let job = job(
        2,
        Direction::Download,
        "/many",
        &dst.path().join("many"),
        true,
    );
    // A message sent while files move is received promptly: progress never floods the channel.
    // One ping is in flight for the whole transfer: the next is sent when the last arrived.
    let (pong_tx, pong_rx) = mpsc::channel::<()>();
    let pinger = std::thread::spawn(move || {
        while tx.send(TestMsg::Ping(Instant::now())).is_ok() && pong_rx.recv().is_ok() {}
    });
    let mut known: HashSet<JobId> = HashSet::from([job.id]);
    cmd.send(TransferCmd::Enqueue(vec![job])).unwrap();
    let mut finished = 0;
    let mut worst = Duration::ZERO;
    let mut pings = 0;
    let deadline = Instant::now() + T;
    while finished < known.len() {
        match rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .expect("progress")
        {
            TestMsg::Ping(at) => {
                worst = worst.max(at.elapsed());
                pings += 1;
                let _ = pong_tx.send(());
            }
            TestMsg::Transfer(e) => match *e {
                TransferEvent::Added { job } => {
                    known.insert(job.id);
                }
                TransferEvent::Finished { outcome, .. } => {
                    assert!(outcome.is_success(), "{outcome:?}");
                    finished += 1;
                }
                _ => {}
            },
        }
    }
    drop(pong_tx);
    pinger.join().unwrap();
    eprintln!("{pings} pings during the transfer, the slowest waited {worst:?}");
    assert!(pings > 1, "{pings} pings answered during the transfer");
    assert_eq!(known.len(), 301);
    assert_eq!(
        snapshot(&dst.path().join("many")),
        snapshot(&server_root.path().join("many"))
    );
    assert!(
        worst < Duration::from_millis(500),
        "a message waited {worst:?}"
    );
}

#[test]
fn two_thousand_files_in_a_row_on_one_connection() {
    let server_root = tempfile::tempdir().unwrap();
    for i in 0..N_ROW {
        write(
            server_root.path(),
            &format!("row/{i:04}"),
            format!("{i}").as_bytes(),
        );
    }
    let server = start_server(server_root.path());
    let mut e = Engine::new(profile(&server), 1);
    let dst = tempfile::tempdir().unwrap();
    let job = e.job(Direction::Download, "/row", &dst.path().join("row"), true);
    let results = e.run(vec![job]);
    all_done(&results);
    assert_eq!(results.len(), N_ROW + 1);
    assert_eq!(snapshot(&dst.path().join("row")).len(), N_ROW);
}

/// Set up a conflict (destination exists, older and smaller) and apply `resolution`.
fn download_conflict(
    resolution: Option<Resolution>,
    dest: &[u8],
    dest_age_secs: u64,
) -> (Outcome, PathBuf, tempfile::TempDir) {
    let server_root = tempfile::tempdir().unwrap();
    std::fs::write(server_root.path().join("f.txt"), b"0123456789").unwrap();
    let server = start_server(server_root.path());
    let mut e = Engine::new(profile(&server), 1);
    let dst = tempfile::tempdir().unwrap();
    let target = dst.path().join("f.txt");
    std::fs::write(&target, dest).unwrap();
    let past = std::time::SystemTime::now() - Duration::from_secs(dest_age_secs);
    std::fs::File::options()
        .write(true)
        .open(&target)
        .unwrap()
        .set_modified(past)
        .unwrap();
    let mut job = e.job(Direction::Download, "/f.txt", &target, false);
    job.on_exists = resolution;
    job.mtime = Some(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64
            - 3600,
    );
    let outcome = e.run(vec![job]).remove(0).1;
    (outcome, target, dst)
}

#[test]
fn overwrite_policies_for_downloads() {
    // No policy: the job parks with a conflict and nothing is touched.
    let (o, t, _d) = download_conflict(None, b"old", 7200);
    assert_eq!(
        o,
        Outcome::Skipped {
            reason: "conflict".into()
        }
    );
    assert_eq!(std::fs::read(t).unwrap(), b"old");

    let (o, t, _d) = download_conflict(Some(Resolution::Overwrite), b"old", 7200);
    assert!(o.is_success());
    assert_eq!(std::fs::read(t).unwrap(), b"0123456789");

    let (o, t, _d) = download_conflict(Some(Resolution::Skip), b"old", 7200);
    assert!(matches!(o, Outcome::Skipped { .. }));
    assert_eq!(std::fs::read(t).unwrap(), b"old");

    let (o, t, d) = download_conflict(Some(Resolution::Rename), b"old", 7200);
    assert!(o.is_success());
    assert_eq!(std::fs::read(&t).unwrap(), b"old");
    assert_eq!(
        std::fs::read(d.path().join("f (1).txt")).unwrap(),
        b"0123456789"
    );

    // Resume continues a smaller destination that holds the start of the file.
    let (o, t, _d) = download_conflict(Some(Resolution::Resume), b"01234", 7200);
    assert_eq!(
        o,
        Outcome::Done {
            bytes: 5,
            secs: match o {
                Outcome::Done { secs, .. } => secs,
                _ => 0.0,
            },
            note: None,
            verified: None,
        }
    );
    assert_eq!(std::fs::read(t).unwrap(), b"0123456789");

    // Source (1 h old) is newer than a 2 h old destination: overwritten; not newer than a fresh one: skipped.
    let (o, t, _d) = download_conflict(Some(Resolution::OverwriteIfNewer), b"old", 7200);
    assert!(o.is_success());
    assert_eq!(std::fs::read(t).unwrap(), b"0123456789");
    let (o, t, _d) = download_conflict(Some(Resolution::OverwriteIfNewer), b"old", 0);
    assert!(matches!(o, Outcome::Skipped { .. }), "{o:?}");
    assert_eq!(std::fs::read(t).unwrap(), b"old");
}

#[test]
fn overwrite_policies_for_uploads() {
    let server_root = tempfile::tempdir().unwrap();
    let server = start_server(server_root.path());
    let mut e = Engine::new(profile(&server), 1);
    let local = tempfile::tempdir().unwrap();
    let src = local.path().join("f.txt");
    std::fs::write(&src, b"0123456789").unwrap();
    let remote = server_root.path().join("f.txt");
    let mut go = |resolution: Option<Resolution>, existing: &[u8]| {
        std::fs::write(&remote, existing).unwrap();
        let mut job = e.job(Direction::Upload, "/f.txt", &src, false);
        job.on_exists = resolution;
        e.run(vec![job]).remove(0).1
    };
    assert_eq!(
        go(None, b"old"),
        Outcome::Skipped {
            reason: "conflict".into()
        }
    );
    assert_eq!(std::fs::read(&remote).unwrap(), b"old");
    assert!(go(Some(Resolution::Overwrite), b"old").is_success());
    assert_eq!(std::fs::read(&remote).unwrap(), b"0123456789");
    assert!(matches!(
        go(Some(Resolution::Skip), b"old"),
        Outcome::Skipped { .. }
    ));
    assert_eq!(std::fs::read(&remote).unwrap(), b"old");
    assert!(matches!(
        go(Some(Resolution::Resume), b"01234"),
        Outcome::Done { bytes: 5, .. }
    ));
    assert_eq!(std::fs::read(&remote).unwrap(), b"0123456789");
    assert!(go(Some(Resolution::Rename), b"old").is_success());
    assert_eq!(
        std::fs::read(server_root.path().join("f (1).txt")).unwrap(),
        b"0123456789"
    );
    assert_eq!(std::fs::read(&remote).unwrap(), b"old");
    // The local file was just written, the remote one too: not newer, so skipped.
    assert!(matches!(
        go(Some(Resolution::OverwriteIfNewer), b"old"),
        Outcome::Skipped { .. }
    ));
}

#[test]
fn move_deletes_sources_only_after_verified_copies() {
    let server_root = tempfile::tempdir().unwrap();
    write(server_root.path(), "dir/a.txt", b"a");
    write(server_root.path(), "dir/sub/b.txt", b"b");
    let server = start_server(server_root.path());
    let mut e = Engine::new(profile(&server), 2);
    let dst = tempfile::tempdir().unwrap();
    let mut job = e.job(Direction::Download, "/dir", &dst.path().join("dir"), true);
    job.remove_source = true;
    all_done(&e.run(vec![job]));
    assert_eq!(
        std::fs::read(dst.path().join("dir/sub/b.txt")).unwrap(),
        b"b"
    );
    assert!(
        !server_root.path().join("dir").exists(),
        "the moved tree is gone from the server"
    );

    let local = tempfile::tempdir().unwrap();
    write(local.path(), "up/x.txt", b"x");
    let mut job = e.job(Direction::Upload, "/up", &local.path().join("up"), true);
    job.remove_source = true;
    all_done(&e.run(vec![job]));
    assert_eq!(
        std::fs::read(server_root.path().join("up/x.txt")).unwrap(),
        b"x"
    );
    assert!(!local.path().join("up").exists());
}

#[test]
fn a_missing_remote_file_fails_cleanly_and_the_queue_goes_on() {
    let server_root = tempfile::tempdir().unwrap();
    std::fs::write(server_root.path().join("ok.txt"), b"fine").unwrap();
    let server = start_server(server_root.path());
    let mut e = Engine::new(profile(&server), 1);
    let dst = tempfile::tempdir().unwrap();
    let bad = e.job(
        Direction::Download,
        "/missing.txt",
        &dst.path().join("missing.txt"),
        false,
    );
    let good = e.job(
        Direction::Download,
        "/ok.txt",
        &dst.path().join("ok.txt"),
        false,
    );
    let results = e.run(vec![bad, good]);
    let by_name: HashMap<String, Outcome> =
        results.into_iter().map(|(j, o)| (j.remote, o)).collect();
    assert!(
        matches!(&by_name["/missing.txt"], Outcome::Failed { error } if error.to_string().contains("550")),
        "{by_name:?}"
    );
    assert!(by_name["/ok.txt"].is_success());
    assert!(!dst.path().join("missing.txt").exists());
    assert!(!dst.path().join("missing.txt.part").exists());
}

/// Every event one tree download sends, with `live_events` as given, until all its files end.
fn tree_events(
    server: &ftpdeck::server::ServerHandle,
    live: bool,
    dst: &std::path::Path,
) -> Vec<TransferEvent> {
    let (tx, rx) = mpsc::channel::<TransferEvent>();
    let options = PoolOptions {
        workers: 2,
        live_events: live,
        ..PoolOptions::default()
    };
    let cmd = transfer::spawn(tx, options);
    cmd.send(TransferCmd::SetProfile(profile(server))).unwrap();
    let top = job(2, Direction::Download, "/mixed", dst, true);
    let mut open: HashSet<JobId> = HashSet::from([top.id]);
    cmd.send(TransferCmd::Enqueue(vec![top])).unwrap();
    let mut events = Vec::new();
    let deadline = Instant::now() + T;
    while !open.is_empty() {
        let e = rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .expect("the tree download never ended");
        match &e {
            TransferEvent::Added { job } => {
                open.insert(job.id);
            }
            TransferEvent::Finished { id, outcome } => {
                assert!(outcome.is_success(), "{outcome:?}");
                open.remove(id);
            }
            _ => {}
        }
        events.push(e);
    }
    let _ = cmd.send(TransferCmd::Shutdown);
    events
}

#[test]
fn without_live_events_a_tree_sends_one_event_per_file_and_arrives_whole() {
    let server_root = tempfile::tempdir().unwrap();
    // Small files and ones of several splice chunks, so a worker's pipe carries file after file.
    for i in 0..40u64 {
        let size = if i % 8 == 0 {
            2_500_000 + i as usize
        } else {
            300 * i as usize
        };
        write(
            server_root.path(),
            &format!("mixed/d{}/f{i:02}", i % 3),
            &pseudo_random(size, i),
        );
    }
    let server = start_server(server_root.path());
    let kinds = |events: &[TransferEvent], f: fn(&TransferEvent) -> bool| {
        events.iter().filter(|e| f(e)).count()
    };
    let quiet_dst = tempfile::tempdir().unwrap();
    let quiet = tree_events(&server, false, &quiet_dst.path().join("mixed"));
    let live_dst = tempfile::tempdir().unwrap();
    let live = tree_events(&server, true, &live_dst.path().join("mixed"));
    for (dst, _) in [(&quiet_dst, &quiet), (&live_dst, &live)] {
        assert_eq!(
            snapshot(&dst.path().join("mixed")),
            snapshot(&server_root.path().join("mixed"))
        );
    }
    let started = |e: &TransferEvent| matches!(e, TransferEvent::Started { .. });
    let progress = |e: &TransferEvent| matches!(e, TransferEvent::Progress { .. });
    let finished = |e: &TransferEvent| matches!(e, TransferEvent::Finished { .. });
    assert_eq!(kinds(&quiet, started), 0);
    assert_eq!(kinds(&quiet, progress), 0);
    // 40 files, 3 subdirectories and the top directory.
    assert_eq!(kinds(&quiet, finished), 44);
    assert_eq!(kinds(&live, finished), 44);
    assert_eq!(kinds(&live, started), 44);
    assert!(
        kinds(&live, progress) >= 40,
        "at least the end of each file"
    );
}
