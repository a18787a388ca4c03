//! The sync's scan of a remote tree: on several connections at once it reads exactly what the
//! one tree walk reads, links left out, also from a server that shows links as directories.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may stop at the first surprise

mod common;
mod liar;

use common::*;
use ftpdeck::remote::tree::WalkOptions;
use ftpdeck::sync::{scan_remote, scan_remote_parallel};

const OPTS: WalkOptions = WalkOptions {
    prefer_mlsd: true,
    max_depth: 64,
    timeout_secs: 30,
};

fn tree_with_links() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for d in 0..40 {
        for f in 0..5 {
            write(
                root,
                &format!("t/d{d}/sub/f{f}.txt"),
                format!("{d}.{f}").as_bytes(),
            );
        }
    }
    write(root, "outside/secret.txt", b"not part of t");
    std::os::unix::fs::symlink("../outside", root.join("t/d3/out")).unwrap();
    std::os::unix::fs::symlink("..", root.join("t/d4/up")).unwrap();
    dir
}

#[test]
fn a_parallel_scan_reads_what_the_walk_reads_and_no_link() {
    let dir = tree_with_links();
    let server = start_server(dir.path());
    let p = profile(&server);
    let mut conn = ftpdeck::remote::connect::connect(&p, Default::default()).unwrap();
    let serial = scan_remote(&mut conn, "/t", OPTS, &mut |_| {}).unwrap();
    let parallel = scan_remote_parallel(&mut conn, &p, "/t", OPTS, 4, &|| false, &|_| {}).unwrap();
    assert_eq!(parallel, serial);
    // 40 directories with a sub each, 200 files; the two links are not there.
    assert_eq!(parallel.values().filter(|i| i.dir).count(), 80);
    let odd: Vec<_> = parallel
        .iter()
        .filter(|(k, i)| !i.dir && !k.ends_with(".txt"))
        .collect();
    assert_eq!(parallel.values().filter(|i| !i.dir).count(), 200, "{odd:?}");
    assert!(
        !parallel
            .keys()
            .any(|k| k.contains("out") || k.contains("up"))
    );
}

#[test]
fn a_parallel_scan_does_not_follow_links_a_server_shows_as_directories() {
    let dir = tree_with_links();
    let server = liar::LiarServer::builder(dir.path())
        .mlsd_symlinks_as_dirs()
        .mlsd()
        .start();
    let p = server.profile();
    let mut conn = ftpdeck::remote::connect::connect(&p, Default::default()).unwrap();
    let parallel = scan_remote_parallel(&mut conn, &p, "/t", OPTS, 3, &|| false, &|_| {}).unwrap();
    assert!(
        !parallel
            .keys()
            .any(|k| k.contains("secret.txt") || k.contains("up/")),
        "{:?}",
        parallel
            .keys()
            .filter(|k| k.contains("d3") || k.contains("d4"))
            .collect::<Vec<_>>()
    );
    let odd: Vec<_> = parallel
        .iter()
        .filter(|(k, i)| !i.dir && !k.ends_with(".txt"))
        .collect();
    assert_eq!(parallel.values().filter(|i| !i.dir).count(), 200, "{odd:?}");
}
