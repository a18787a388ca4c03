//! Verified transfers against a scripted server that offers checksums (`tests/liar`: `HASH`
//! with SHA-256, or `XMD5`, computed from the file on disk): a correct digest marks the file
//! verified; a copy that does not match is copied once more from the start; a digest that never
//! matches fails the file and leaves nothing under its name; `verify = "always"` refuses a
//! server without checksums before any data moves; `never` asks nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may stop at the first surprise

mod common;
mod liar;

use std::fs;
use std::path::Path;
use std::time::Duration;

use common::cli::ftpdeck;
use common::engine::Engine;
use common::{pseudo_random, write};
use ftpdeck::remote::hash::Algorithm;
use ftpdeck::transfer::verify::Verify;
use ftpdeck::transfer::{Direction, Outcome, PoolOptions, Resolution};
use liar::LiarServer;

const SIZE: usize = 300_000;

fn engine(server: &LiarServer, verify: Verify) -> Engine {
    Engine::with_options(
        server.profile(),
        PoolOptions {
            workers: 1,
            backoff: Duration::from_millis(50),
            verify,
            ..PoolOptions::default()
        },
    )
}

/// Download `/name` into `dir`, overwriting: its outcome.
fn download(e: &mut Engine, name: &str, dir: &Path) -> Outcome {
    let mut job = e.job(
        Direction::Download,
        &format!("/{name}"),
        &dir.join(name),
        false,
    );
    job.on_exists = Some(Resolution::Overwrite);
    e.run(vec![job]).remove(0).1
}

/// Upload `dir/name` to `/name`, overwriting: its outcome.
fn upload(e: &mut Engine, name: &str, dir: &Path) -> Outcome {
    let mut job = e.job(
        Direction::Upload,
        &format!("/{name}"),
        &dir.join(name),
        false,
    );
    job.on_exists = Some(Resolution::Overwrite);
    e.run(vec![job]).remove(0).1
}

fn verified(o: &Outcome) -> Option<Algorithm> {
    match o {
        Outcome::Done { verified, .. } => *verified,
        other => panic!("not done: {other:?}"),
    }
}

fn count(server: &LiarServer, verb: &str) -> usize {
    server
        .commands()
        .iter()
        .filter(|c| c.split(' ').next() == Some(verb))
        .count()
}

fn failure(o: &Outcome) -> String {
    match o {
        Outcome::Failed { error } => error.to_string(),
        other => panic!("did not fail: {other:?}"),
    }
}

#[test]
fn downloads_and_uploads_are_checked_by_hash_or_xmd5_and_marked_verified() {
    let remote = tempfile::tempdir().unwrap();
    write(remote.path(), "a.bin", &pseudo_random(SIZE, 1));
    let local = tempfile::tempdir().unwrap();
    write(local.path(), "b.bin", &pseudo_random(SIZE, 2));

    let server = LiarServer::builder(remote.path()).hash().start();
    let mut e = engine(&server, Verify::Auto);
    let o = download(&mut e, "a.bin", local.path());
    assert_eq!(verified(&o), Some(Algorithm::Sha256), "{o:?}");
    assert_eq!(
        fs::read(local.path().join("a.bin")).unwrap(),
        pseudo_random(SIZE, 1)
    );
    let o = upload(&mut e, "b.bin", local.path());
    assert_eq!(verified(&o), Some(Algorithm::Sha256), "{o:?}");
    assert_eq!(
        fs::read(remote.path().join("b.bin")).unwrap(),
        pseudo_random(SIZE, 2)
    );
    assert_eq!(count(&server, "HASH"), 2, "{:?}", server.commands());
    drop(e);

    // A server with only the one-algorithm XMD5 command.
    let server = LiarServer::builder(remote.path()).xmd5().start();
    let mut e = engine(&server, Verify::Auto);
    let o = download(&mut e, "b.bin", local.path());
    assert_eq!(verified(&o), Some(Algorithm::Md5), "{o:?}");
    assert_eq!(count(&server, "XMD5"), 1, "{:?}", server.commands());
}

#[test]
fn a_corrupted_download_is_fetched_again_from_the_start_and_then_verified() {
    let remote = tempfile::tempdir().unwrap();
    write(remote.path(), "a.bin", &pseudo_random(SIZE, 3));
    let local = tempfile::tempdir().unwrap();
    // The first RETR sends a changed byte (and answers 226 as if all were well).
    let server = LiarServer::builder(remote.path())
        .hash()
        .corrupt_retrs(1)
        .start();
    let mut e = engine(&server, Verify::Auto);
    let o = download(&mut e, "a.bin", local.path());
    assert_eq!(verified(&o), Some(Algorithm::Sha256), "{o:?}");
    assert_eq!(
        fs::read(local.path().join("a.bin")).unwrap(),
        pseudo_random(SIZE, 3)
    );
    assert_eq!(count(&server, "RETR"), 2, "{:?}", server.commands());
    assert!(!local.path().join("a.bin.part").exists());
}

#[test]
fn a_digest_that_never_matches_fails_the_file_and_nothing_keeps_its_name() {
    let remote = tempfile::tempdir().unwrap();
    write(remote.path(), "a.bin", &pseudo_random(SIZE, 4));
    let local = tempfile::tempdir().unwrap();
    write(local.path(), "a.bin", b"the old local copy");
    write(local.path(), "up.bin", &pseudo_random(SIZE, 5));
    let server = LiarServer::builder(remote.path())
        .hash()
        .wrong_digests(100)
        .start();
    let mut e = engine(&server, Verify::Auto);

    // A download that replaces a local file: the old file stays, no .part is left.
    let o = download(&mut e, "a.bin", local.path());
    let why = failure(&o);
    assert!(why.contains("SHA-256 mismatch"), "{why}");
    assert!(why.contains("twice"), "{why}");
    assert_eq!(count(&server, "RETR"), 2, "{:?}", server.commands());
    assert_eq!(
        fs::read(local.path().join("a.bin")).unwrap(),
        b"the old local copy"
    );
    assert!(!local.path().join("a.bin.part").exists());

    // An upload: sent twice, then the bad copy is deleted from the server.
    let o = upload(&mut e, "up.bin", local.path());
    let why = failure(&o);
    assert!(why.contains("mismatch"), "{why}");
    assert!(why.contains("deleted from the server"), "{why}");
    assert_eq!(count(&server, "STOR"), 2, "{:?}", server.commands());
    assert!(!remote.path().join("up.bin").exists());
    // The local source is untouched.
    assert_eq!(
        fs::read(local.path().join("up.bin")).unwrap(),
        pseudo_random(SIZE, 5)
    );
}

#[test]
fn always_refuses_a_server_without_checksums_before_any_data_and_never_asks_nothing() {
    let remote = tempfile::tempdir().unwrap();
    write(remote.path(), "a.bin", &pseudo_random(SIZE, 6));
    let local = tempfile::tempdir().unwrap();

    let plain = LiarServer::builder(remote.path()).start();
    let mut e = engine(&plain, Verify::Always);
    let why = failure(&download(&mut e, "a.bin", local.path()));
    assert!(why.contains("cannot checksum"), "{why}");
    assert_eq!(count(&plain, "RETR"), 0, "{:?}", plain.commands());
    assert!(!local.path().join("a.bin").exists());
    assert!(!local.path().join("a.bin.part").exists());
    drop(e);
    // `auto` on the same server copies without checking.
    let mut e = engine(&plain, Verify::Auto);
    assert_eq!(verified(&download(&mut e, "a.bin", local.path())), None);
    drop(e);

    let hashing = LiarServer::builder(remote.path()).hash().start();
    let mut e = engine(&hashing, Verify::Never);
    assert_eq!(verified(&download(&mut e, "a.bin", local.path())), None);
    assert_eq!(count(&hashing, "HASH"), 0, "{:?}", hashing.commands());
}

#[test]
fn the_headless_line_of_each_file_says_verified_and_the_json_counts_them() {
    let remote = tempfile::tempdir().unwrap();
    write(remote.path(), "tree/a.bin", &pseudo_random(SIZE, 7));
    write(remote.path(), "tree/b.txt", b"bee");
    let server = LiarServer::builder(remote.path()).hash().start();
    let home = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let url = format!("ftp://tester@127.0.0.1:{}/tree", server.port());
    let pw = [("FTPDECK_PASSWORD", "secret")];
    let r = ftpdeck(
        home.path(),
        &["get", &url, out.path().to_str().unwrap()],
        &pw,
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("↓ /tree/a.bin 293.0 KiB verified (SHA-256)"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("↓ /tree/b.txt 3 B verified (SHA-256)"),
        "{}",
        r.stderr
    );

    let again = tempfile::tempdir().unwrap();
    let r = ftpdeck(
        home.path(),
        &[
            "get",
            "--json",
            "--verify=never",
            &url,
            again.path().to_str().unwrap(),
        ],
        &pw,
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let json: serde_json::Value = serde_json::from_str(r.stdout.trim()).unwrap();
    assert_eq!(json["copied"], 2);
    assert_eq!(json["verified"], 0);
    let r = ftpdeck(
        home.path(),
        &[
            "get",
            "--verify=sometimes",
            &url,
            again.path().to_str().unwrap(),
        ],
        &pw,
    );
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(r.stderr.contains("auto, always or never"), "{}", r.stderr);
}
