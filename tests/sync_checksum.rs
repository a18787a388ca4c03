//! `ftpdeck sync --compare checksum` as a script runs it: the real binary against proftpd with
//! mod_digest (HASH with OPTS HASH; `.ci/install-proftpd.sh`), against the embedded server
//! (libunftp's SITE MD5), and against servers that cannot hash: vsftpd offers no command, and
//! the embedded server lists SITE MD5 but refuses it to anonymous users.
//!
//! The proftpd and vsftpd tests need root and the server: without them they print
//! `skipped: <reason>` and return — or fail with the reason under `CI=true`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may stop at the first surprise

mod common;
mod support;

use std::os::unix::fs::PermissionsExt;

use common::cli::{ftpdeck, mtime, set_mtime};
use common::{PASSWORD, USER, snapshot, start_server, write};
use ftpdeck::server::{self, ServerAuth, ServerConfig};
use support::proftpd::Proftpd;
use support::vsftpd::{Vsftpd, VsftpdOptions};

/// A time well in the past (2023-11-14), so that any file written now is newer.
const OLD: u64 = 1_700_000_000;

macro_rules! or_skip {
    ($start:expr) => {
        match $start {
            Ok(server) => server,
            Err(reason) => {
                common::skip(&reason);
                return;
            }
        }
    };
}

#[test]
fn proftpd_hash_copies_same_sized_changed_files_and_leaves_equal_contents_whatever_the_times() {
    let server = or_skip!(Proftpd::start());
    let home = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    let l = local.path();
    // Same contents, the local copy years older: in step by checksum.
    write(l, "same.txt", b"same contents");
    set_mtime(&l.join("same.txt"), OLD);
    server.put("same.txt", b"same contents");
    set_mtime(&server.path("same.txt"), OLD + 86_400 * 400);
    // Same size, other contents, the local copy older: size-mtime would leave them alone.
    write(l, "changed.txt", b"local version");
    server.put("changed.txt", b"server versn!");
    let unicode = "dir with space/naïve ünïcode.txt";
    write(l, unicode, "café".as_bytes());
    server.put(unicode, "cafe!".as_bytes());
    for f in ["changed.txt", unicode] {
        set_mtime(&l.join(f), OLD);
    }
    // The server may not read this one: compared by size and time instead (local older: kept).
    write(l, "locked.bin", b"1234");
    set_mtime(&l.join("locked.bin"), OLD);
    server.put("locked.bin", b"abcd");
    std::fs::set_permissions(
        server.path("locked.bin"),
        std::fs::Permissions::from_mode(0o000),
    )
    .unwrap();
    write(l, "new.txt", b"new");
    let url = format!("ftp://{}@127.0.0.1:{}/", server.user, server.port);
    let pw = [("FTPDECK_PASSWORD", server.password.as_str())];
    let src = l.to_str().unwrap();
    let sync = |extra: &[&str]| {
        let mut args = vec!["sync", src, url.as_str()];
        args.extend_from_slice(extra);
        ftpdeck(home.path(), &args, &pw)
    };

    let r = sync(&["--dry-run"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(r.lines(), ["copy new.txt (3 B, missing)"], "size-mtime");

    let r = sync(&["--dry-run", "--compare", "checksum"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(
        r.lines(),
        [
            "copy changed.txt (13 B, checksum differs)",
            "copy dir with space/naïve ünïcode.txt (5 B, checksum differs)",
            "copy new.txt (3 B, missing)",
        ]
    );
    assert!(
        r.stderr
            .contains("no checksum for locked.bin: the server would not: 550"),
        "{}",
        r.stderr
    );
    let commands = server.commands();
    // proftpd logs OPTS HASH by its handler's name, OPTS_HASH.
    for want in [
        "OPTS_HASH SHA-256 200",
        "HASH /changed.txt 213",
        "HASH /dir with space/naïve ünïcode.txt 213",
    ] {
        assert!(
            commands.iter().any(|c| c == want),
            "{want} in {commands:#?}"
        );
    }

    let r = sync(&["--compare", "checksum"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(
        r.stderr.lines().last().unwrap().starts_with("3 copied"),
        "{}",
        r.stderr
    );
    for f in ["changed.txt", unicode, "new.txt"] {
        assert_eq!(
            std::fs::read(server.path(f)).unwrap(),
            std::fs::read(l.join(f)).unwrap(),
            "{f}"
        );
    }
    assert_eq!(
        mtime(&server.path("same.txt")),
        OLD + 86_400 * 400,
        "same.txt was not sent again"
    );
    // The copies now have other times than the originals, and the same digests.
    let r = sync(&["--compare", "checksum"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stderr.contains("already in step"), "{}", r.stderr);
}

#[test]
fn proftpd_both_ways_a_differing_file_goes_the_way_the_newer_time_says_and_a_tie_is_a_conflict() {
    let server = or_skip!(Proftpd::start());
    let home = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    let l = local.path();
    let both = |name: &str, here: &[u8], there: &[u8], here_t: u64, there_t: u64| {
        write(l, name, here);
        set_mtime(&l.join(name), here_t);
        server.put(name, there);
        set_mtime(&server.path(name), there_t);
    };
    both("here-newer.txt", b"mine", b"old!", OLD + 1000, OLD);
    both("there-newer.txt", b"old!", b"them", OLD, OLD + 1000);
    both("tie.txt", b"left", b"rght", OLD, OLD);
    both("same.txt", b"same", b"same", OLD, OLD + 5000);
    let url = format!("ftp://{}@127.0.0.1:{}/", server.user, server.port);
    let pw = [("FTPDECK_PASSWORD", server.password.as_str())];
    let args = |extra: &'static [&'static str]| {
        let mut a = vec!["sync", l.to_str().unwrap(), url.as_str()];
        a.extend(["--both", "--compare", "checksum"]);
        a.extend_from_slice(extra);
        a
    };
    let r = ftpdeck(home.path(), &args(&["--dry-run"]), &pw);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(
        r.lines(),
        [
            "copy here-newer.txt (4 B, checksum differs)",
            "copy back there-newer.txt (4 B, checksum differs)",
            "conflict tie.txt (both changed; left alone)",
        ]
    );
    let r = ftpdeck(home.path(), &args(&[]), &pw);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("conflict tie.txt: both sides changed; left alone"),
        "{}",
        r.stderr
    );
    assert_eq!(
        std::fs::read(server.path("here-newer.txt")).unwrap(),
        b"mine"
    );
    assert_eq!(std::fs::read(l.join("there-newer.txt")).unwrap(), b"them");
    assert_eq!(std::fs::read(l.join("tie.txt")).unwrap(), b"left");
    assert_eq!(std::fs::read(server.path("tie.txt")).unwrap(), b"rght");
    assert_eq!(mtime(&l.join("same.txt")), OLD, "same.txt untouched here");
    assert_eq!(mtime(&server.path("same.txt")), OLD + 5000, "and there");
}

#[test]
fn the_embedded_servers_site_md5_tells_a_same_sized_changed_file_from_an_equal_one() {
    let remote = tempfile::tempdir().unwrap();
    let r = remote.path();
    write(r, "same.bin", &common::pseudo_random(100_000, 3));
    write(r, "changed.bin", &common::pseudo_random(100_000, 4));
    write(r, "sub/empty.txt", b"");
    let server = start_server(r);
    let home = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    let l = local.path();
    // The local copies are newer: a download by size and time would keep every one.
    write(l, "same.bin", &common::pseudo_random(100_000, 3));
    write(l, "changed.bin", &common::pseudo_random(100_000, 5));
    write(l, "sub/empty.txt", b"");
    for f in ["same.bin", "changed.bin", "sub/empty.txt"] {
        set_mtime(&r.join(f), OLD);
    }
    let url = format!("ftp://{USER}@127.0.0.1:{}/", server.addr().port());
    let pw = [("FTPDECK_PASSWORD", PASSWORD)];
    let dst = l.to_str().unwrap();
    let sync = |extra: &[&str]| {
        let mut args = vec!["sync", url.as_str(), dst, "--compare", "checksum"];
        args.extend_from_slice(extra);
        ftpdeck(home.path(), &args, &pw)
    };
    let r2 = ftpdeck(home.path(), &["sync", &url, dst, "--dry-run"], &pw);
    assert_eq!(r2.code, Some(0), "{}", r2.stderr);
    assert!(r2.lines().is_empty(), "size-mtime: {}", r2.stdout);

    let run = sync(&["--dry-run"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(
        run.lines(),
        ["copy changed.bin (97.7 KiB, checksum differs)"]
    );
    let run = sync(&["--json", "--dry-run"]);
    let json: serde_json::Value = serde_json::from_str(run.stdout.trim()).unwrap();
    assert_eq!(json["plan"][0]["reason"], "checksum-differs", "{json}");

    let run = sync(&[]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(snapshot(l), snapshot(r));
    let run = sync(&[]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.stderr.contains("already in step"), "{}", run.stderr);
}

#[test]
fn vsftpd_offers_no_checksum_so_checksum_stops_with_status_2_before_changing_anything() {
    let server = or_skip!(Vsftpd::start(VsftpdOptions::default()));
    server.put("a.txt", b"server");
    let home = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    write(local.path(), "a.txt", b"local!");
    write(local.path(), "new/b.txt", b"b");
    let before_local = snapshot(local.path());
    let before_remote = snapshot(&server.home);
    let url = format!("ftp://{}@127.0.0.1:{}/", server.user, server.port);
    let pw = [("FTPDECK_PASSWORD", server.password.as_str())];
    for extra in [&["--dry-run"][..], &[]] {
        let mut args = vec![
            "sync",
            local.path().to_str().unwrap(),
            url.as_str(),
            "--compare",
            "checksum",
        ];
        args.extend_from_slice(extra);
        let r = ftpdeck(home.path(), &args, &pw);
        assert_eq!(r.code, Some(2), "{extra:?}: {}", r.stderr);
        assert!(r.stdout.is_empty(), "no plan: {}", r.stdout);
        for want in [
            "offers none of HASH, XSHA256, XSHA512, XSHA1, XMD5, XCRC or SITE MD5",
            "its FEAT reply lists: ",
            "EPSV",
            "--compare size-mtime",
        ] {
            assert!(r.stderr.contains(want), "{want}: {}", r.stderr);
        }
    }
    assert_eq!(snapshot(local.path()), before_local);
    assert_eq!(snapshot(&server.home), before_remote);
}

#[test]
fn a_server_that_lists_site_md5_but_refuses_it_stops_checksum_with_status_2() {
    // libunftp lists SITE MD5 to everyone and answers it only to logged-in accounts.
    let remote = tempfile::tempdir().unwrap();
    write(remote.path(), "a.txt", b"server");
    let server = server::start(ServerConfig::local(remote.path(), ServerAuth::Anonymous)).unwrap();
    let home = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    write(local.path(), "a.txt", b"local!");
    let url = format!("ftp://anonymous@127.0.0.1:{}/", server.addr().port());
    let r = ftpdeck(
        home.path(),
        &[
            "sync",
            &url,
            local.path().to_str().unwrap(),
            "--compare",
            "checksum",
        ],
        &[("FTPDECK_PASSWORD", "guest@")],
    );
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("lists SITE MD5 in its FEAT reply but refuses it"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("--compare size-mtime"), "{}", r.stderr);
    assert_eq!(
        std::fs::read(local.path().join("a.txt")).unwrap(),
        b"local!"
    );
}
