//! `ftpdeck sync` (the real binary, a private HOME) against the embedded server and against
//! vsftpd, each scenario written once over a [`Peer`]: down, up and both ways with nested,
//! unicode and empty entries; `--dry-run`; `--delete`; a refused file; times listed to the
//! minute; excludes; where the password comes from; Ctrl-C in the middle of a download.
//!
//! The vsftpd tests need root and vsftpd: without them they print `skipped: <reason>` and
//! return — or fail with the reason under `CI=true`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may stop at the first surprise

mod common;
#[path = "support/peer.rs"]
mod peer;
mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::cli::{self, ftpdeck, set_mtime};
use common::{pseudo_random, snapshot, write};
use peer::{Peer, assert_in_step, assert_ran, final_files, minute};
use support::vsftpd::VsftpdOptions;

const HOUR: u64 = 3600;
const EXCLUDES: [&str; 4] = ["--exclude", "*.tmp", "--exclude", "cache/"];

/// One scenario as two tests: `$embedded` against the embedded server, `$vsftpd` against vsftpd.
macro_rules! on_both_servers {
    ($scenario:ident: $embedded:ident, $vsftpd:ident) => {
        #[test]
        fn $embedded() {
            $scenario(&Peer::embedded());
        }

        #[test]
        fn $vsftpd() {
            match Peer::vsftpd(VsftpdOptions::default()) {
                Ok(peer) => $scenario(&peer),
                Err(reason) => common::skip(&reason),
            }
        }
    };
}

/// A scenario's private HOME and local directory, against one peer.
struct Case<'a> {
    peer: &'a Peer,
    home: tempfile::TempDir,
    local: tempfile::TempDir,
}

impl<'a> Case<'a> {
    fn new(peer: &'a Peer) -> Self {
        let home = tempfile::tempdir().unwrap();
        let local = tempfile::tempdir().unwrap();
        Case { peer, home, local }
    }

    fn l(&self) -> &str {
        self.local.path().to_str().unwrap()
    }

    fn sync(&self, args: &[&str]) -> cli::Run {
        peer::sync(self.home.path(), self.peer, args)
    }

    /// Write `rel` in the local directory, with the time `t` when given.
    fn here(&self, rel: &str, content: &[u8], t: Option<u64>) {
        write(self.local.path(), rel, content);
        if let Some(t) = t {
            set_mtime(&self.local.path().join(rel), t);
        }
    }

    /// Write `rel` on the server, with the time `t` when given.
    fn there(&self, rel: &str, content: &[u8], t: Option<u64>) {
        self.peer.write(rel, content);
        if let Some(t) = t {
            self.peer.set_mtime(rel, t);
        }
    }
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The paths of a snapshot, joined with `, ` (directories end in `/`).
fn paths(snap: &[(String, Vec<u8>)]) -> String {
    let p: Vec<&str> = snap.iter().map(|(p, _)| p.as_str()).collect();
    p.join(", ")
}

fn sync_down_then_up_copies_the_tree_and_a_second_run_is_in_step(peer: &Peer) {
    let files: [(&str, Vec<u8>); 6] = [
        ("docs/naïve résumé.txt", "résumé, ünïcödé".into()),
        ("docs/deep/er/still deeper.txt", b"nested".into()),
        ("empty.txt", Vec::new()),
        ("top.txt", b"top".into()),
        ("ñ/ü.bin", pseudo_random(150_000, 11)),
        ("ñ/日本語/空.txt", Vec::new()),
    ];
    for (rel, content) in &files {
        peer.write(&format!("tree/{rel}"), content);
    }
    for dir in ["void", "nest/ed/deep"] {
        peer.mkdir(&format!("tree/{dir}"));
    }
    let case = Case::new(peer);
    let local = case.local.path().join("down"); // not there yet
    let down = [&peer.url("tree"), s(&local)];
    let r = case.sync(&down);
    assert_ran(&r, 0, "6 copied, 0 skipped, 0 deleted, 0 failed");
    assert_eq!(snapshot(&local), snapshot(&peer.path("tree")));
    assert!(local.join("nest/ed/deep").is_dir() && local.join("void").is_dir());
    assert_in_step(&case.sync(&down), "down");

    // And up, into a directory the server does not have yet.
    let up = [s(&local), &peer.url("up")];
    assert_ran(
        &case.sync(&up),
        0,
        "6 copied, 0 skipped, 0 deleted, 0 failed",
    );
    assert_eq!(snapshot(&peer.path("up")), snapshot(&local));
    assert_in_step(&case.sync(&up), "up");
}

on_both_servers!(sync_down_then_up_copies_the_tree_and_a_second_run_is_in_step:
    embedded_sync_down_then_up_copies_nested_unicode_and_empty_entries_and_a_second_run_is_in_step,
    vsftpd_sync_down_then_up_copies_nested_unicode_and_empty_entries_and_a_second_run_is_in_step);

fn sync_both_ways_newer_wins_nothing_is_deleted_and_a_second_run_is_in_step(peer: &Peer) {
    let case = Case::new(peer);
    // Files made a while ago, as a user's are; what changed since, an hour ago.
    let (before, changed) = (Some(minute(5 * HOUR)), Some(minute(HOUR)));
    case.here("docs/naïve résumé.txt", "résumé".as_bytes(), before);
    case.here("empty here.txt", b"", before);
    std::fs::create_dir_all(case.local.path().join("void here/nested")).unwrap();
    case.there("both/ñ/ü.bin", &pseudo_random(1000, 5), before);
    case.there("both/ñ/empty.bin", b"", before);
    peer.mkdir("both/void there");
    case.here("shared/mine.txt", b"edited here, longer", changed);
    case.there("both/shared/mine.txt", b"old", before);
    case.here("shared/theirs.txt", b"old", before);
    case.there("both/shared/theirs.txt", b"edited there, longer", changed);
    case.here("shared/same.txt", b"same", before);
    case.there("both/shared/same.txt", b"same", before);
    let url = peer.url("both");
    let both = |extra: &[&str]| case.sync(&[&[case.l(), &url, "--both"][..], extra].concat());

    let r = both(&["--dry-run"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(
        r.lines(),
        [
            "mkdir docs/",
            "mkdir void here/",
            "mkdir void here/nested/",
            "mkdir void there/",
            "mkdir ñ/",
            "copy docs/naïve résumé.txt (8 B, missing)",
            "copy empty here.txt (0 B, missing)",
            "copy shared/mine.txt (19 B, newer)",
            "copy back shared/theirs.txt (20 B, newer)",
            "copy back ñ/empty.bin (0 B, missing)",
            "copy back ñ/ü.bin (1000 B, missing)",
        ]
    );
    assert_ran(&both(&[]), 0, "6 copied, 0 skipped, 0 deleted, 0 failed");
    let ends = snapshot(case.local.path());
    assert_eq!(ends, snapshot(&peer.path("both")), "the trees end equal");
    assert_eq!(
        paths(&ends),
        "docs/, docs/naïve résumé.txt, empty here.txt, shared/, shared/mine.txt, \
         shared/same.txt, shared/theirs.txt, void here/, void here/nested/, void there/, ñ/, \
         ñ/empty.bin, ñ/ü.bin",
        "nothing deleted on either side"
    );
    let read = |rel: &str| std::fs::read(case.local.path().join(rel)).unwrap();
    assert_eq!(read("shared/mine.txt"), b"edited here, longer");
    assert_eq!(read("shared/theirs.txt"), b"edited there, longer");
    assert_in_step(&both(&[]), "both ways");
}

on_both_servers!(sync_both_ways_newer_wins_nothing_is_deleted_and_a_second_run_is_in_step:
    embedded_sync_both_ways_newer_wins_nothing_is_deleted_the_trees_end_equal_and_a_second_run_is_in_step,
    vsftpd_sync_both_ways_newer_wins_nothing_is_deleted_the_trees_end_equal_and_a_second_run_is_in_step);

fn dry_run_names_exactly_the_changed_paths_and_changes_nothing(peer: &Peer) {
    let case = Case::new(peer);
    let l = case.local.path();
    // Two trees in step (same contents, same times), then changes on both sides.
    let t = Some(minute(3 * HOUR));
    for (rel, content) in [
        ("a.txt", "alpha"),
        ("sub/b.txt", "beta"),
        ("ñ/c.txt", "γάμμα"),
    ] {
        case.here(rel, content.as_bytes(), t);
        case.there(&format!("site/{rel}"), content.as_bytes(), t);
    }
    case.here("sub/b.txt", b"beta, longer", None);
    case.here("new dir/ñew.txt", b"new", None);
    std::fs::create_dir(l.join("new empty")).unwrap();
    peer.write("site/extra.txt", b"extra");
    let before = (snapshot(l), snapshot(&peer.path("site")));
    let url = peer.url("site");
    let dry = |args: &[&str]| {
        let r = case.sync(&[args, &["--dry-run"]].concat());
        assert_eq!(r.code, Some(0), "{args:?}: {}", r.stderr);
        let after = (snapshot(l), snapshot(&peer.path("site")));
        assert_eq!(after, before, "{args:?} changed nothing");
        r
    };
    let mut up = vec![
        "mkdir new dir/",
        "mkdir new empty/",
        "copy new dir/ñew.txt (3 B, missing)",
        "copy sub/b.txt (12 B, size differs)",
    ];
    let r = dry(&[case.l(), &url]);
    assert_eq!(r.lines(), up);
    assert!(
        r.stderr.contains("4 actions (dry run: nothing changed)"),
        "{}",
        r.stderr
    );
    up.push("delete extra.txt");
    assert_eq!(dry(&[case.l(), &url, "--delete"]).lines(), up);

    let r = dry(&[case.l(), &url, "--delete", "--json"]);
    let json: serde_json::Value = serde_json::from_str(r.stdout.trim()).unwrap();
    let plan: Vec<String> = (json["plan"].as_array().unwrap().iter())
        .map(|a| {
            format!(
                "{} {}",
                a["action"].as_str().unwrap(),
                a["path"].as_str().unwrap()
            )
        })
        .collect();
    let want =
        "mkdir new dir, mkdir new empty, copy new dir/ñew.txt, copy sub/b.txt, delete extra.txt";
    assert_eq!(plan.join(", "), want);
    assert_eq!(json["plan"][3]["reason"], "size-differs", "{json}");

    // The other way: the server's tree is the source.
    assert_eq!(
        dry(&[&url, case.l(), "--delete"]).lines(),
        [
            "copy extra.txt (5 B, missing)",
            "copy sub/b.txt (4 B, size differs)",
            "delete new empty/",
            "delete new dir/ñew.txt",
            "delete new dir/",
        ]
    );
}

on_both_servers!(dry_run_names_exactly_the_changed_paths_and_changes_nothing:
    embedded_dry_run_names_exactly_the_changed_paths_as_lines_and_json_and_changes_nothing,
    vsftpd_dry_run_names_exactly_the_changed_paths_as_lines_and_json_and_changes_nothing);

fn delete_removes_only_what_the_source_lacks_and_never_excluded_entries(peer: &Peer) {
    let case = Case::new(peer);
    let t = Some(minute(3 * HOUR));
    for rel in ["a.txt", "sub/b.txt", "keep/in source.txt"] {
        case.here(rel, rel.as_bytes(), t);
        case.there(&format!("site/{rel}"), rel.as_bytes(), t);
    }
    case.here("new.txt", b"new", None);
    case.here("local.tmp", b"excluded here", None);
    case.here("cache/local.bin", b"excluded here", None);
    let extraneous = ["old.txt", "gone/1/2/3/4/5/6/7/8/x.txt", "sub/stale.txt"];
    let excluded = ["draft.tmp", "cache/blob.bin", "sub/cache/inner.txt"];
    for rel in extraneous.iter().chain(&excluded) {
        peer.write(&format!("site/{rel}"), b"on the server only");
    }
    let url = peer.url("site");
    let mut want = snapshot(&peer.path("site"));
    want.push(("new.txt".into(), b"new".to_vec()));
    want.sort();

    let keep = [&[case.l(), &url][..], &EXCLUDES].concat();
    assert_ran(
        &case.sync(&keep),
        0,
        "1 copied, 0 skipped, 0 deleted, 0 failed",
    );
    assert_eq!(
        snapshot(&peer.path("site")),
        want,
        "without --delete nothing goes"
    );

    let delete = [&keep[..], &["--delete"]].concat();
    let r = case.sync(&delete);
    want.retain(|(p, _)| !extraneous.contains(&p.as_str()) && !p.starts_with("gone/"));
    let after = snapshot(&peer.path("site"));
    assert_eq!(after, want, "only the extraneous files went: {}", r.stderr);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stderr.contains(" deleted, 0 failed"), "{}", r.stderr);
    assert_eq!(
        paths(&want),
        "a.txt, cache/, cache/blob.bin, draft.tmp, keep/, keep/in source.txt, new.txt, sub/, \
         sub/b.txt, sub/cache/, sub/cache/inner.txt"
    );
    assert_in_step(&case.sync(&delete), "--delete");
}

on_both_servers!(delete_removes_only_what_the_source_lacks_and_never_excluded_entries:
    embedded_delete_removes_only_extraneous_files_never_excluded_ones_or_those_in_the_source,
    vsftpd_delete_removes_only_extraneous_files_never_excluded_ones_or_those_in_the_source);

fn a_sync_down_with_delete_removes_a_deep_local_tree_once_and_exits_0(peer: &Peer) {
    let case = Case::new(peer);
    let t = Some(minute(3 * HOUR));
    case.there("site/kept.txt", b"on both", t);
    case.here("kept.txt", b"on both", t);
    // A deep local tree the server does not have: its delete takes its contents, which are
    // not deleted again on their own.
    for rel in [
        "stale/1/2/3/4/5/6/x.txt",
        "stale/1/y.txt",
        "stale/z.txt",
        "old.txt",
    ] {
        case.here(rel, b"only here", None);
    }
    let url = peer.url("site");
    let r = case.sync(&[&url, case.l(), "--delete", "--dry-run"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(
        r.stdout.lines().any(|l| l == "delete stale/"),
        "{}",
        r.stdout
    );
    let r = case.sync(&[&url, case.l(), "--delete"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stderr.contains(" deleted, 0 failed"), "{}", r.stderr);
    assert_eq!(paths(&snapshot(case.local.path())), "kept.txt");
    assert_in_step(&case.sync(&[&url, case.l(), "--delete"]), "--delete again");
}

on_both_servers!(a_sync_down_with_delete_removes_a_deep_local_tree_once_and_exits_0:
    embedded_a_sync_down_with_delete_removes_a_deep_local_tree_once_and_exits_0,
    vsftpd_a_sync_down_with_delete_removes_a_deep_local_tree_once_and_exits_0);

fn excluded_entries_are_neither_copied_nor_deleted(peer: &Peer) {
    let case = Case::new(peer);
    for rel in [
        "keep.txt",
        "draft.tmp",
        "cache/big.bin",
        "sub/note.tmp",
        "sub/cache/inner.txt",
        "sub/real.txt",
        "notes/cache", // a file: `cache/` excludes directories only
    ] {
        peer.write(&format!("src/{rel}"), rel.as_bytes());
    }
    for rel in ["local.tmp", "cache/mine.bin", "stale.txt"] {
        case.here(rel, b"local", None);
    }
    let url = peer.url("src");
    let args = [&[&url, case.l(), "--delete"][..], &EXCLUDES].concat();
    let r = case.sync(&[&args[..], &["--dry-run"]].concat());
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(
        r.lines(),
        [
            "mkdir notes/",
            "mkdir sub/",
            "copy keep.txt (8 B, missing)",
            "copy notes/cache (11 B, missing)",
            "copy sub/real.txt (12 B, missing)",
            "delete stale.txt",
        ]
    );
    assert_ran(
        &case.sync(&args),
        0,
        "3 copied, 0 skipped, 1 deleted, 0 failed",
    );
    let want = [
        ("cache/", ""),
        ("cache/mine.bin", "local"),
        ("keep.txt", "keep.txt"),
        ("local.tmp", "local"),
        ("notes/", ""),
        ("notes/cache", "notes/cache"),
        ("sub/", ""),
        ("sub/real.txt", "sub/real.txt"),
    ];
    let want = want.map(|(p, c)| (p.to_string(), c.as_bytes().to_vec()));
    assert_eq!(snapshot(case.local.path()), want);
    assert_in_step(&case.sync(&args), "excludes");
}

on_both_servers!(excluded_entries_are_neither_copied_nor_deleted:
    embedded_excluded_files_and_directories_are_neither_copied_nor_deleted,
    vsftpd_excluded_files_and_directories_are_neither_copied_nor_deleted);

fn a_refused_file_exits_1_and_the_rest_is_copied(peer: &Peer) {
    peer.write("t/good.txt", b"good");
    peer.write("t/sub/also.bin", &pseudo_random(5000, 9));
    let (refused, why) = peer.write_unsendable("t");
    let case = Case::new(peer);
    let r = case.sync(&[&peer.url("t"), case.l()]);
    assert_ran(&r, 1, "2 copied, 0 skipped, 0 deleted, 1 failed");
    let failed: Vec<&str> = r
        .stderr
        .lines()
        .filter(|l| l.starts_with("failed "))
        .collect();
    assert_eq!(failed.len(), 1, "{}", r.stderr);
    let named = failed[0].starts_with(&format!("failed /{refused}: "));
    assert!(named && failed[0].contains(why), "{why}: {}", r.stderr);
    let mut want = snapshot(&peer.path("t"));
    want.retain(|(p, _)| format!("t/{p}") != refused);
    let got = snapshot(case.local.path());
    assert_eq!(got, want, "the rest, and nothing of the refused file");
}

on_both_servers!(a_refused_file_exits_1_and_the_rest_is_copied:
    embedded_a_file_with_no_possible_local_name_exits_1_is_named_on_stderr_and_the_rest_is_copied,
    vsftpd_a_file_the_server_may_not_read_exits_1_is_named_on_stderr_and_the_rest_is_copied);

fn times_as_the_server_lists_them_make_no_second_copy(peer: &Peer) {
    let case = Case::new(peer);
    // 37 s past a minute two hours ago: "recent", so vsftpd lists HH:MM and drops the 37 s.
    let t = minute(2 * HOUR) + 37;
    for (rel, here) in [("exact.txt", t), ("later.txt", t + 600)] {
        case.here(rel, b"same contents", Some(here));
        case.there(&format!("m/{rel}"), b"same contents", Some(t));
    }
    case.here("tree/ñ.txt", b"written now", None);
    case.here("tree/deeper/x.bin", &pseudo_random(3000, 2), None);

    let when = chrono::DateTime::from_timestamp(t as i64, 0).unwrap();
    let listing = peer.listing("/m");
    let line = listing.iter().find(|l| l.ends_with("exact.txt")).unwrap();
    let (shown, says) = if peer.lists_minutes {
        (
            line.ends_with(&when.format(" %H:%M exact.txt").to_string()),
            "minutes",
        )
    } else {
        (
            line.contains(&when.format("modify=%Y%m%d%H%M%S;").to_string()),
            "seconds",
        )
    };
    assert!(shown, "{} lists {says}: {line}", peer.name);

    let url = peer.url("m");
    let dry = |args: &[&str]| {
        let r = case.sync(&[args, &["--dry-run"]].concat());
        assert_eq!(r.code, Some(0), "{args:?}: {}", r.stderr);
        r.stdout
    };
    let up = "mkdir tree/\nmkdir tree/deeper/\ncopy later.txt (13 B, newer)\n\
              copy tree/deeper/x.bin (2.9 KiB, missing)\ncopy tree/ñ.txt (11 B, missing)\n";
    assert_eq!(dry(&[case.l(), &url]), up, "exact.txt is in step");
    // Both ways, a server that hashes shows later.txt has the same contents: in step.
    let both = if peer.hashes {
        up.replace("copy later.txt (13 B, newer)\n", "")
    } else {
        up.to_string()
    };
    assert_eq!(dry(&[case.l(), &url, "--both"]), both, "both ways too");
    assert_eq!(dry(&[&url, case.l()]), "", "nothing on the server is newer");

    // Up, then the same again; down into a new directory, then the same again.
    assert_ran(&case.sync(&[case.l(), &url]), 0, "3 copied, 0 skipped");
    assert_in_step(&case.sync(&[case.l(), &url]), "up again");
    let back = tempfile::tempdir().unwrap();
    let back = back.path();
    assert_ran(&case.sync(&[&url, s(back)]), 0, "4 copied, 0 skipped");
    assert_eq!(snapshot(back), snapshot(&peer.path("m")));
    assert_in_step(&case.sync(&[&url, s(back)]), "down again");
}

on_both_servers!(times_as_the_server_lists_them_make_no_second_copy:
    embedded_lists_seconds_and_a_repeated_sync_up_or_down_copies_nothing,
    vsftpd_lists_minutes_and_a_repeated_sync_up_or_down_copies_nothing);

fn the_login_comes_from_netrc_or_the_environment_and_without_either_stops(peer: &Peer) {
    peer.write("c/n.txt", b"netrc");
    let work = tempfile::tempdir().unwrap();
    // ~/.netrc, and a URL naming no user.
    let home = tempfile::tempdir().unwrap();
    let netrc = home.path().join(".netrc");
    let line = format!(
        "machine 127.0.0.1 login {} password {}\n",
        peer.user, peer.password
    );
    std::fs::write(&netrc, line).unwrap();
    std::fs::set_permissions(&netrc, std::fs::Permissions::from_mode(0o600)).unwrap();
    let via_netrc = work.path().join("via netrc");
    let anonymous = peer.url_without_user("c");
    let r = ftpdeck(home.path(), &["sync", &anonymous, s(&via_netrc)], &[]);
    assert_ran(&r, 0, "1 copied");
    assert_eq!(std::fs::read(via_netrc.join("n.txt")).unwrap(), b"netrc");

    // FTPDECK_PASSWORD, the user in the URL, no ~/.netrc; up this time.
    let bare = tempfile::tempdir().unwrap();
    let r = peer::sync(bare.path(), peer, &[s(&via_netrc), &peer.url("c2")]);
    assert_ran(&r, 0, "1 copied");
    assert_eq!(std::fs::read(peer.path("c2/n.txt")).unwrap(), b"netrc");

    // Neither, and no terminal to ask on: nothing happens, and the ways are named.
    let nowhere = work.path().join("nowhere");
    let args = ["sync", &peer.url("c"), s(&nowhere)];
    let r = ftpdeck(bare.path(), &args, &[]);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    for way in [
        "in the URL",
        "password_cmd",
        "~/.netrc (machine 127.0.0.1",
        "FTPDECK_PASSWORD",
    ] {
        assert!(r.stderr.contains(way), "{way}: {}", r.stderr);
    }
    let r = ftpdeck(bare.path(), &args, &[("FTPDECK_PASSWORD", "wrong")]);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(r.stderr.contains("530"), "a wrong one: {}", r.stderr);
    assert!(!nowhere.exists(), "nothing was made");
}

on_both_servers!(the_login_comes_from_netrc_or_the_environment_and_without_either_stops:
    embedded_sync_logs_in_from_netrc_or_ftpdeck_password_and_without_either_exits_2_naming_the_ways,
    vsftpd_sync_logs_in_from_netrc_or_ftpdeck_password_and_without_either_exits_2_naming_the_ways);

fn ctrl_c_mid_download_exits_130_and_leaves_no_partial_final_file(peer: &Peer) {
    peer.write("big/a.txt", b"small");
    peer.write("big/ñ/b.bin", &pseudo_random(20_000, 4));
    peer.write_sparse("big/huge.bin", 4 << 30);
    let case = Case::new(peer);
    let l = case.local.path();
    let args = ["sync", &peer.url("big"), case.l()];
    let mut child = cli::command(case.home.path(), &args, &peer.password_env())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let part = l.join("huge.bin.part");
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::fs::metadata(&part).map_or(true, |m| m.len() == 0) {
        let running = child.try_wait().unwrap().is_none();
        assert!(running, "ftpdeck ended before the download began");
        assert!(Instant::now() < deadline, "the download never started");
        std::thread::sleep(Duration::from_millis(10));
    }
    // SAFETY: a signal to our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    let kept = std::fs::metadata(&part).expect("the .part is kept").len();
    assert!(kept > 0 && kept < 4 << 30, "{kept} bytes in the .part");
    assert!(
        !l.join("huge.bin").exists(),
        "no half file under the final name"
    );
    for rel in final_files(l) {
        let here = std::fs::read(l.join(&rel)).unwrap();
        let there = std::fs::read(peer.path(&format!("big/{rel}"))).unwrap();
        assert!(
            here == there,
            "{rel} is whole ({} of {} bytes)",
            here.len(),
            there.len()
        );
    }
}

#[test]
fn embedded_ctrl_c_during_a_sync_download_exits_130_keeps_the_part_and_no_final_file_is_partial() {
    ctrl_c_mid_download_exits_130_and_leaves_no_partial_final_file(&Peer::embedded());
}

#[test]
fn vsftpd_ctrl_c_during_a_rate_limited_sync_download_exits_130_keeps_the_part_and_no_final_file_is_partial()
 {
    let opts = VsftpdOptions {
        max_rate: 1 << 20,
        ..Default::default()
    };
    match Peer::vsftpd(opts) {
        Ok(peer) => ctrl_c_mid_download_exits_130_and_leaves_no_partial_final_file(&peer),
        Err(reason) => common::skip(&reason),
    }
}
