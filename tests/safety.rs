//! Data safety in the transfer engine, against the embedded server: one job per destination,
//! read-only files and modes kept, a copy into a share of itself. Each test checks the disk.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may stop at the first surprise

mod common;

use std::os::unix::fs::PermissionsExt;

use common::engine::Engine;
use common::*;
use ftpdeck::transfer::{Direction, Outcome, Resolution, TransferEvent};

fn mode(path: &std::path::Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn the_same_file_queued_three_times_is_copied_once_and_intact() {
    let remote = tempfile::tempdir().unwrap();
    let data = pseudo_random(3 * 1024 * 1024 + 5, 7);
    write(remote.path(), "big.bin", &data);
    let server = start_server(remote.path());
    let local = tempfile::tempdir().unwrap();
    let mut engine = Engine::new(profile(&server), 3);
    let target = local.path().join("big.bin");
    let jobs: Vec<_> = (0..3)
        .map(|_| engine.job(Direction::Download, "/big.bin", &target, false))
        .collect();
    let results = engine.run(jobs);
    let done = results
        .iter()
        .filter(|(_, o)| matches!(o, Outcome::Done { .. }))
        .count();
    let refused: Vec<_> = results
        .iter()
        .filter_map(|(_, o)| match o {
            Outcome::Skipped { reason } if reason.contains("another transfer") => Some(reason),
            _ => None,
        })
        .collect();
    assert_eq!((done, refused.len()), (1, 2), "{results:?}");
    assert!(refused[0].contains("big.bin"), "{}", refused[0]);
    assert_eq!(std::fs::read(&target).unwrap(), data, "byte for byte");
    assert!(!local.path().join("big.bin.part").exists());

    // Once the first is finished the destination is free again.
    let again = engine.job(Direction::Download, "/big.bin", &target, false);
    let r = engine.run(vec![again]);
    assert!(matches!(r[0].1, Outcome::Skipped { .. }), "{r:?}");
    assert!(!format!("{:?}", r[0].1).contains("another transfer"));
}

#[test]
fn a_directory_queued_twice_writes_each_file_once() {
    let remote = tempfile::tempdir().unwrap();
    for i in 0..40 {
        write(
            remote.path(),
            &format!("tree/f{i}.bin"),
            &pseudo_random(20_000 + i, i as u64),
        );
    }
    let server = start_server(remote.path());
    let local = tempfile::tempdir().unwrap();
    let mut engine = Engine::new(profile(&server), 3);
    let dest = local.path().join("tree");
    let a = engine.job(Direction::Download, "/tree", &dest, true);
    let b = engine.job(Direction::Download, "/tree", &dest, true);
    let results = engine.run(vec![a, b]);
    let refused = results
        .iter()
        .filter(|(_, o)| matches!(o, Outcome::Skipped { reason } if reason.contains("another transfer")))
        .count();
    assert!(
        refused >= 1,
        "the second copy of the tree is refused: {results:?}"
    );
    assert_eq!(snapshot(&dest), snapshot(&remote.path().join("tree")));
}

#[test]
fn a_read_only_destination_is_replaced_only_when_confirmed_and_keeps_its_mode() {
    let remote = tempfile::tempdir().unwrap();
    write(remote.path(), "f.txt", b"new contents");
    let server = start_server(remote.path());
    let local = tempfile::tempdir().unwrap();
    let target = local.path().join("f.txt");
    std::fs::write(&target, b"old").unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o444)).unwrap();
    let mut engine = Engine::new(profile(&server), 1);

    // A policy of "overwrite" is not enough for a read-only file: it asks.
    let mut job = engine.job(Direction::Download, "/f.txt", &target, false);
    job.on_exists = Some(Resolution::Overwrite);
    engine
        .cmd
        .send(ftpdeck::transfer::TransferCmd::Enqueue(vec![job.clone()]))
        .unwrap();
    let (existing, _) = recv_until(
        &engine.rx,
        std::time::Duration::from_secs(20),
        |e| match e {
            TransferEvent::Conflict { existing, .. } => Some(*existing),
            TransferEvent::Finished { outcome, .. } => {
                panic!("finished without asking: {outcome:?}")
            }
            _ => None,
        },
    );
    assert!(existing.read_only);
    assert_eq!(std::fs::read(&target).unwrap(), b"old");

    // The user's own answer for this file replaces it; the mode stays 0444.
    job.replace_read_only = true;
    let r = engine.run(vec![job]);
    assert!(matches!(r[0].1, Outcome::Done { .. }), "{r:?}");
    assert_eq!(std::fs::read(&target).unwrap(), b"new contents");
    assert_eq!(mode(&target), 0o444);
}

#[test]
fn an_overwrite_keeps_the_mode_of_the_replaced_file() {
    let remote = tempfile::tempdir().unwrap();
    write(remote.path(), "run.sh", b"#!/bin/sh\necho new\n");
    let server = start_server(remote.path());
    let local = tempfile::tempdir().unwrap();
    let target = local.path().join("run.sh");
    std::fs::write(&target, b"old").unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o750)).unwrap();
    let mut engine = Engine::new(profile(&server), 1);
    let mut job = engine.job(Direction::Download, "/run.sh", &target, false);
    job.on_exists = Some(Resolution::Overwrite);
    let r = engine.run(vec![job]);
    assert!(matches!(r[0].1, Outcome::Done { .. }), "{r:?}");
    assert_eq!(std::fs::read(&target).unwrap(), b"#!/bin/sh\necho new\n");
    assert_eq!(mode(&target), 0o750);
}

#[test]
fn uploading_a_directory_into_a_share_of_itself_copies_it_once() {
    // The server shares `share`; `share/project` is uploaded to `/project/project`, which is
    // `share/project/project` on disk: inside the very tree being read.
    let share = tempfile::tempdir().unwrap();
    write(share.path(), "project/a.txt", b"a");
    write(share.path(), "project/sub/b.txt", b"b");
    let server = start_server(share.path());
    let mut engine = Engine::new(profile(&server), 2);
    let src = share.path().join("project");
    let job = engine.job(Direction::Upload, "/project/project", &src, true);
    let results = engine.run(vec![job]);
    let copy = share.path().join("project/project");
    assert_eq!(std::fs::read(copy.join("a.txt")).unwrap(), b"a");
    assert_eq!(std::fs::read(copy.join("sub/b.txt")).unwrap(), b"b");
    assert!(
        !copy.join("project").exists(),
        "the copy was copied into itself: {results:?}"
    );
    assert!(
        results.iter().all(|(_, o)| o.is_success()),
        "nothing fails, nothing is refused: {results:?}"
    );
}

#[test]
fn symlinks_inside_an_uploaded_tree_are_not_followed() {
    let remote = tempfile::tempdir().unwrap();
    let server = start_server(remote.path());
    let local = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    write(outside.path(), "secret.txt", b"not for the server");
    write(local.path(), "tree/ok.txt", b"ok");
    std::os::unix::fs::symlink(outside.path(), local.path().join("tree/out-dir")).unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("secret.txt"),
        local.path().join("tree/out-file"),
    )
    .unwrap();
    let mut engine = Engine::new(profile(&server), 1);
    let job = engine.job(Direction::Upload, "/tree", &local.path().join("tree"), true);
    let results = engine.run(vec![job]);
    assert_eq!(
        std::fs::read(remote.path().join("tree/ok.txt")).unwrap(),
        b"ok"
    );
    assert!(!remote.path().join("tree/out-dir").exists());
    assert!(!remote.path().join("tree/out-file").exists());
    let links = results
        .iter()
        .filter(|(_, o)| matches!(o, Outcome::Failed { error } if error.to_string().contains("symlink; not followed")))
        .count();
    assert_eq!(links, 2, "{results:?}");
}

#[test]
fn a_moved_tree_is_removed_from_the_server_whatever_order_its_parts_finish_in() {
    // Many sibling directories on four workers: a parent's removal must wait for every
    // child directory's removal, whichever worker finishes which.
    let remote = tempfile::tempdir().unwrap();
    for d in 0..30 {
        for f in 0..3 {
            write(remote.path(), &format!("tree/d{d}/sub/f{f}.txt"), b"x");
        }
    }
    let server = start_server(remote.path());
    let local = tempfile::tempdir().unwrap();
    let mut engine = Engine::new(profile(&server), 4);
    let mut job = engine.job(
        Direction::Download,
        "/tree",
        &local.path().join("tree"),
        true,
    );
    job.remove_source = true;
    let results = engine.run(vec![job]);
    assert!(results.iter().all(|(_, o)| o.is_success()), "{results:?}");
    assert_eq!(
        std::fs::read(local.path().join("tree/d29/sub/f2.txt")).unwrap(),
        b"x"
    );
    assert!(
        !remote.path().join("tree").exists(),
        "left on the server: {:?}",
        snapshot(remote.path())
    );
}

#[test]
fn resuming_over_an_old_part_continues_the_destination_but_never_a_linked_part() {
    let remote = tempfile::tempdir().unwrap();
    write(remote.path(), "f.bin", b"0123456789");
    let server = start_server(remote.path());
    let local = tempfile::tempdir().unwrap();
    let target = local.path().join("f.bin");
    let part = local.path().join("f.bin.part");
    let mut engine = Engine::new(profile(&server), 1);

    // A stale .part of our own gives way to the destination the user chose to resume.
    std::fs::write(&target, b"01234").unwrap();
    std::fs::write(&part, b"zz").unwrap();
    let mut job = engine.job(Direction::Download, "/f.bin", &target, false);
    job.on_exists = Some(Resolution::Resume);
    let r = engine.run(vec![job]);
    assert!(matches!(r[0].1, Outcome::Done { bytes: 5, .. }), "{r:?}");
    assert_eq!(std::fs::read(&target).unwrap(), b"0123456789");

    // A .part that is a link is refused, and both files stay as they were.
    let outside = tempfile::tempdir().unwrap();
    let victim = outside.path().join("victim");
    std::fs::write(&victim, b"precious").unwrap();
    std::fs::write(&target, b"01234").unwrap();
    std::os::unix::fs::symlink(&victim, &part).unwrap();
    let mut job = engine.job(Direction::Download, "/f.bin", &target, false);
    job.on_exists = Some(Resolution::Resume);
    let r = engine.run(vec![job]);
    assert!(
        matches!(&r[0].1, Outcome::Failed { error } if error.to_string().contains("symlink")),
        "{r:?}"
    );
    assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
    assert_eq!(std::fs::read(&target).unwrap(), b"01234");
}
