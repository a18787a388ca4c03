//! Data safety against a server that lies (`tests/liar`): symlinks shown as directories, a
//! literal or a canonical PWD, no SIZE, a STOR that keeps only part of the file, hidden
//! dotfiles, REST refused or ignored. After each scenario the disk is checked: the files
//! outside the target still exist byte for byte.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may stop at the first surprise

mod common;
mod liar;

use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;
use std::time::Duration;

use common::engine::Engine;
use common::session::Session;
use common::*;
use ftpdeck::remote::fileops::RemoteOp;
use ftpdeck::remote::session::SessionOptions;
use ftpdeck::remote::{Profile, RemoteCmd, RemoteError, RemoteEvent, Timeouts};
use ftpdeck::transfer::{Direction, Job, Outcome, Task};
use liar::{LiarServer, Lies};

/// The trap: `/sub/up -> ..` (the root), `/sub/out -> ../other`, and files outside `sub`.
fn trap() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "precious.txt", b"precious data");
    write(root, "other/keep.txt", b"keep me");
    write(root, "sub/inner.txt", b"inner");
    write(root, "sub/deeper/x.txt", b"x");
    symlink("..", root.join("sub/up")).unwrap();
    symlink("../other", root.join("sub/out")).unwrap();
    dir
}

/// The files outside `sub` are all still there, byte for byte.
fn assert_outside_intact(root: &Path) {
    assert_eq!(
        fs::read(root.join("precious.txt")).unwrap(),
        b"precious data"
    );
    assert_eq!(fs::read(root.join("other/keep.txt")).unwrap(), b"keep me");
}

fn profile(server: &LiarServer) -> Profile {
    server.profile()
}

fn session(server: &LiarServer) -> Session {
    let s = Session::start(SessionOptions {
        timeouts: Timeouts {
            connect: Duration::from_secs(5),
            read: Duration::from_secs(5),
        },
        ..SessionOptions::default()
    });
    s.connect(profile(server)).expect("log in");
    s
}

fn op(s: &Session, id: u64, op: RemoteOp) -> Result<String, RemoteError> {
    s.cmd.send(RemoteCmd::Op { id, op }).unwrap();
    recv_until(&s.rx, Duration::from_secs(60), |e| match e {
        RemoteEvent::OpDone { id: got, result } if *got == id => Some(result.clone()),
        _ => None,
    })
    .0
    .map(|c| c.to_string())
}

/// Delete `/sub` as the app does: a delete task on the transfer pool.
fn delete_sub(server: &LiarServer) -> Result<u64, String> {
    let engine = Engine::new(profile(server), 1);
    let job = Job::remote_task(1, Task::Delete, "/sub", true);
    let results = engine.run(vec![job]);
    match &results[0].1 {
        Outcome::Deleted { entries } => Ok(*entries),
        Outcome::Failed { error } => Err(error.to_string()),
        other => panic!("the delete ended {other:?}"),
    }
}

#[test]
fn a_delete_never_follows_a_link_the_listing_shows_as_a_directory() {
    // Each server hides the links differently; each way must be seen through.
    type Variant = (&'static str, fn(Lies) -> Lies);
    let variants: [Variant; 5] = [
        ("links listed as links", |l| l),
        ("MLSD shows links as dirs, LIST does not (pyftpdlib)", |l| {
            l.mlsd_symlinks_as_dirs().mlsd()
        }),
        ("MLSD shows links as dirs, with unique facts", |l| {
            l.mlsd_symlinks_as_dirs().mlsd_unique()
        }),
        (
            "every listing shows links as dirs, canonical PWD (vsftpd)",
            |l| l.symlinks_as_dirs().canonical_pwd(),
        ),
        (
            "every listing and MLSD show links as dirs, canonical PWD",
            |l| l.symlinks_as_dirs().canonical_pwd().mlsd(),
        ),
    ];
    for (what, lies) in variants {
        let tree = trap();
        let root = tree.path();
        let server = lies(LiarServer::builder(root)).start();
        let done = delete_sub(&server).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert!(done > 0, "{what}: {done}");
        assert_outside_intact(root);
        assert!(!root.join("sub").exists(), "{what}: sub is gone");
        let dele_outside = server
            .commands()
            .into_iter()
            .filter(|c| c.starts_with("DELE /sub/up/") || c.starts_with("DELE /sub/out/"))
            .collect::<Vec<_>>();
        assert!(dele_outside.is_empty(), "{what}: {dele_outside:?}");
    }
}

#[test]
fn a_delete_through_a_loop_nothing_reveals_stops_before_removing_anything() {
    // Links shown as directories, a literal PWD, no unique facts: only the depth limit tells.
    let tree = trap();
    let root = tree.path();
    let server = LiarServer::builder(root).symlinks_as_dirs().start();
    let msg = delete_sub(&server).expect_err("the delete is refused");
    assert!(msg.contains("nothing was deleted"), "{msg}");
    assert!(msg.contains("64 levels"), "{msg}");
    assert_outside_intact(root);
    assert_eq!(fs::read(root.join("sub/inner.txt")).unwrap(), b"inner");
    assert_eq!(fs::read(root.join("sub/deeper/x.txt")).unwrap(), b"x");
    assert!(
        !server
            .commands()
            .iter()
            .any(|c| c.starts_with("DELE") || c.starts_with("RMD")),
        "nothing may be deleted"
    );
}

#[test]
fn a_download_of_a_tree_does_not_follow_hidden_links_and_ends() {
    for (what, lies) in [
        (
            "unique facts",
            (|l: Lies| l.mlsd_symlinks_as_dirs().mlsd_unique()) as fn(Lies) -> Lies,
        ),
        ("canonical PWD", |l| l.symlinks_as_dirs().canonical_pwd()),
        ("nothing tells", |l| l.symlinks_as_dirs()),
    ] {
        let tree = trap();
        let server = lies(LiarServer::builder(tree.path())).start();
        let local = tempfile::tempdir().unwrap();
        let mut engine = Engine::new(profile(&server), 2);
        let dest = local.path().join("sub");
        let job = engine.job(Direction::Download, "/sub", &dest, true);
        let results = engine.run(vec![job]);
        assert_eq!(
            fs::read(dest.join("inner.txt")).unwrap(),
            b"inner",
            "{what}"
        );
        assert_eq!(fs::read(dest.join("deeper/x.txt")).unwrap(), b"x", "{what}");
        let refusals: Vec<String> = results
            .iter()
            .filter_map(|(_, o)| match o {
                Outcome::Failed { error } => Some(error.to_string()),
                _ => None,
            })
            .collect();
        assert!(!refusals.is_empty(), "{what}: the link is reported");
        if what == "nothing tells" {
            // Bounded by the depth limit, with the reason said.
            assert!(
                refusals.iter().any(|r| r.contains("64 levels")),
                "{what}: {refusals:?}"
            );
        } else {
            assert!(
                !dest.join("up").exists(),
                "{what}: the link back up was followed"
            );
            assert!(
                refusals.iter().any(|r| r.contains("link")),
                "{what}: {refusals:?}"
            );
        }
        assert_outside_intact(tree.path());
    }
}

#[test]
fn a_move_deletes_its_source_only_when_the_copy_is_verified() {
    let data = pseudo_random(100_000, 3);
    // No SIZE, and a STOR that keeps only 1,000 bytes: the fresh listing tells the truth.
    let remote = tempfile::tempdir().unwrap();
    let server = LiarServer::builder(remote.path())
        .no_size()
        .truncate_stor(1000)
        .start();
    let local = tempfile::tempdir().unwrap();
    let src = local.path().join("f.bin");
    fs::write(&src, &data).unwrap();
    let mut engine = Engine::new(profile(&server), 1);
    let mut job = engine.job(Direction::Upload, "/f.bin", &src, false);
    job.remove_source = true;
    let r = engine.run(vec![job]);
    assert!(
        matches!(&r[0].1, Outcome::Failed { error } if error.to_string().contains("after the upload")),
        "{r:?}"
    );
    assert_eq!(fs::read(&src).unwrap(), data, "the source is kept");

    // No SIZE but an honest STOR: verified by the listing, the source goes.
    let remote = tempfile::tempdir().unwrap();
    let server = LiarServer::builder(remote.path()).no_size().start();
    let mut engine = Engine::new(profile(&server), 1);
    let mut job = engine.job(Direction::Upload, "/f.bin", &src, false);
    job.remove_source = true;
    let r = engine.run(vec![job]);
    assert!(matches!(&r[0].1, Outcome::Done { note: None, .. }), "{r:?}");
    assert_eq!(fs::read(remote.path().join("f.bin")).unwrap(), data);
    assert!(!src.exists());

    // Nothing can tell (no SIZE, no MLST, the listing hides the file): kept, and said so.
    fs::write(local.path().join(".hidden.bin"), &data).unwrap();
    let remote = tempfile::tempdir().unwrap();
    let server = LiarServer::builder(remote.path())
        .no_size()
        .hide_dotfiles()
        .start();
    let mut engine = Engine::new(profile(&server), 1);
    let src = local.path().join(".hidden.bin");
    let mut job = engine.job(Direction::Upload, "/.hidden.bin", &src, false);
    job.remove_source = true;
    let r = engine.run(vec![job]);
    assert!(
        matches!(&r[0].1, Outcome::Done { note: Some(n), .. } if n.contains("source was kept")),
        "{r:?}"
    );
    assert_eq!(fs::read(&src).unwrap(), data, "the source is kept");
}

#[test]
fn a_rename_onto_a_hidden_file_asks_instead_of_replacing_it() {
    for (what, lies) in [
        (
            "SIZE tells",
            (|l: Lies| l.hide_dotfiles()) as fn(Lies) -> Lies,
        ),
        ("only LIST -a tells", |l| l.hide_dotfiles().no_size()),
    ] {
        let remote = tempfile::tempdir().unwrap();
        write(remote.path(), "victim.txt", b"victim");
        write(remote.path(), ".dotkeep", b"keep this");
        let server = lies(LiarServer::builder(remote.path())).start();
        let s = session(&server);
        let listed = s.list(1, "/").0.unwrap();
        assert!(
            !listed.entries.iter().any(|e| e.name == ".dotkeep"),
            "{what}: the listing hides it"
        );
        let e = op(
            &s,
            2,
            RemoteOp::Rename {
                from: "/victim.txt".into(),
                to: "/.dotkeep".into(),
                overwrite: false,
            },
        )
        .expect_err("refused");
        assert!(
            matches!(e, RemoteError::Exists { dir: false, .. }),
            "{what}: {e:?}"
        );
        assert_eq!(
            fs::read(remote.path().join(".dotkeep")).unwrap(),
            b"keep this"
        );
        assert_eq!(
            fs::read(remote.path().join("victim.txt")).unwrap(),
            b"victim"
        );
    }
}

#[test]
fn a_resume_the_server_refuses_or_ignores_still_gives_the_whole_file() {
    let data = pseudo_random(300_000, 9);
    for (what, lies) in [
        (
            "REST refused",
            (|l: Lies| l.refuse_rest()) as fn(Lies) -> Lies,
        ),
        ("REST ignored", |l| l.ignore_rest()),
    ] {
        let remote = tempfile::tempdir().unwrap();
        write(remote.path(), "f.bin", &data);
        let server = lies(LiarServer::builder(remote.path())).start();
        let local = tempfile::tempdir().unwrap();
        let target = local.path().join("f.bin");
        // A partial earlier download waiting to be resumed.
        fs::write(local.path().join("f.bin.part"), &data[..100_000]).unwrap();
        let mut engine = Engine::new(profile(&server), 1);
        let job = engine.job(Direction::Download, "/f.bin", &target, false);
        let r = engine.run(vec![job]);
        assert!(matches!(r[0].1, Outcome::Done { .. }), "{what}: {r:?}");
        assert!(
            fs::read(&target).unwrap() == data,
            "{what}: the file is whole"
        );
        assert!(!local.path().join("f.bin.part").exists());
    }
}
