//! Interop: the session worker and the transfer engine against vsftpd 3.0.x, a real
//! third-party server (LIST only, no MLSD; 150 before transfers; 426 then 226 on an abort;
//! `require_ssl_reuse` for FTPS). Each test starts its own vsftpd on 127.0.0.1.
//!
//! Needs root and vsftpd (`.ci/install-vsftpd.sh` installs it); without them each test prints
//! `skipped: <reason>` and returns — or fails with the reason under `CI=true`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may stop at the first surprise

mod common;
mod support;

use std::time::{Duration, Instant};

use common::engine::{Engine, assert_all_done};
use common::session::Session;
use common::{pseudo_random, recv_until, snapshot, write};
use ftpdeck::entry::EntryKind;
use ftpdeck::remote::session::{Listing, SessionOptions};
use ftpdeck::remote::{DataMode, Profile, RemoteError, Secret, Security};
use ftpdeck::transfer::{Direction, Job, Outcome, PoolOptions, TransferCmd, TransferEvent};
use support::vsftpd::{Vsftpd, VsftpdOptions};

const T: Duration = Duration::from_secs(60);

/// Start vsftpd, or skip the test saying why (`common::skip`: a failure under CI).
macro_rules! vsftpd_or_skip {
    ($opts:expr) => {
        match Vsftpd::start($opts) {
            Ok(server) => server,
            Err(reason) => {
                common::skip(&reason);
                return;
            }
        }
    };
}

fn profile(server: &Vsftpd) -> Profile {
    Profile {
        host: "127.0.0.1".into(),
        port: server.port,
        user: server.user.clone(),
        password: Some(Secret::new(server.password.clone())),
        ..Profile::default()
    }
}

/// (name, kind, size) of each entry, sorted by name.
fn entries(listing: &Listing) -> Vec<(String, EntryKind, Option<u64>)> {
    let mut v: Vec<_> = listing
        .entries
        .iter()
        .map(|e| (e.name.clone(), e.kind, e.size))
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

/// The sample tree every browsing test lists.
fn put_sample_tree(server: &Vsftpd) {
    server.put("hello.txt", b"hello world");
    server.put("name with spaces.txt", b"spaced out");
    server.put("日本語 ファイル.txt", "こんにちは".as_bytes());
    server.put("sub dir/inner.bin", &[7u8; 1234]);
    server.mkdir("empty");
}

/// Connect, list `/`, enter a directory whose name has a space, list an empty one.
fn browse(server: &Vsftpd, profile: Profile) {
    let s = Session::start(SessionOptions::default());
    let home = s.connect(profile).expect("connect");
    assert_eq!(home, "/", "the chroot is the login directory");

    let root = s.list(1, "/").0.expect("list /");
    assert_eq!(root.path, "/");
    let want = vec![
        ("empty".to_string(), EntryKind::Dir, None),
        ("hello.txt".to_string(), EntryKind::File, Some(11)),
        (
            "name with spaces.txt".to_string(),
            EntryKind::File,
            Some(10),
        ),
        ("sub dir".to_string(), EntryKind::Dir, None),
        ("日本語 ファイル.txt".to_string(), EntryKind::File, Some(15)),
    ];
    let got: Vec<_> = entries(&root)
        .into_iter()
        .map(|(n, k, s)| (n, k, if k == EntryKind::Dir { None } else { s }))
        .collect();
    assert_eq!(got, want, "listing of / from {}", server.port);
    assert!(
        root.entries.iter().all(|e| e.mtime.is_some()),
        "every LIST line has a date: {:?}",
        root.entries
    );
    // Files were written moments ago: LIST's "Mon DD HH:MM" form must land near now.
    let now = chrono::Utc::now().timestamp();
    let hello = root.entries.iter().find(|e| e.name == "hello.txt").unwrap();
    let age = now - hello.mtime.unwrap();
    assert!(
        (-120..=86_400).contains(&age),
        "hello.txt mtime {age} s ago"
    );

    let sub = s
        .list(2, "/sub dir")
        .0
        .expect("enter a directory with a space");
    assert_eq!(sub.path, "/sub dir");
    assert_eq!(
        entries(&sub),
        [("inner.bin".to_string(), EntryKind::File, Some(1234))]
    );

    let empty = s.list(3, "/empty").0.expect("list an empty directory");
    assert!(empty.entries.is_empty(), "{:?}", empty.entries);

    let missing = s.list(4, "/no such dir").0;
    assert!(
        matches!(&missing, Err(RemoteError::Refusal { code: 550, .. })),
        "{missing:?}"
    );
    // The connection is still in step after the refusal.
    assert_eq!(s.list(5, "/").0.expect("list / again").entries.len(), 5);
}

// ---- the transfer engine ----

/// The shared engine driver, with one retry (vsftpd answers at once).
fn engine(profile: Profile, workers: usize) -> Engine {
    Engine::with_options(
        profile,
        PoolOptions {
            workers,
            retries: 1,
            backoff: Duration::from_millis(200),
            ..PoolOptions::default()
        },
    )
}

/// Sizes of the five files: empty, tiny, around one buffer, and several buffers.
const FIVE_SIZES: [usize; 5] = [0, 1, 256 * 1024 + 3, 1024 * 1024 + 7, 3 * 1024 * 1024 + 17];

/// Five uploads, then five downloads of the same files, in a row on one worker (one
/// connection), each checked byte for byte on the other side.
fn five_up_five_down(server: &Vsftpd, profile: Profile) {
    let mut e = engine(profile, 1);
    let local = tempfile::tempdir().unwrap();
    let data: Vec<Vec<u8>> = FIVE_SIZES
        .iter()
        .enumerate()
        .map(|(i, &n)| pseudo_random(n, 100 + i as u64))
        .collect();
    let mut ups = Vec::new();
    for (i, bytes) in data.iter().enumerate() {
        let src = local.path().join(format!("f{i}.bin"));
        std::fs::write(&src, bytes).unwrap();
        ups.push(e.job(Direction::Upload, &format!("/up/f{i}.bin"), &src, false));
    }
    server.mkdir("up");
    let results = e.run(ups);
    assert_eq!(results.len(), 5);
    assert_all_done(&results);
    for (i, bytes) in data.iter().enumerate() {
        let got = std::fs::read(server.path(&format!("up/f{i}.bin"))).unwrap();
        assert!(
            got == *bytes,
            "upload {i}: {} bytes, want {}",
            got.len(),
            bytes.len()
        );
    }

    let back = tempfile::tempdir().unwrap();
    let downs: Vec<Job> = (0..5)
        .map(|i| {
            e.job(
                Direction::Download,
                &format!("/up/f{i}.bin"),
                &back.path().join(format!("f{i}.bin")),
                false,
            )
        })
        .collect();
    let results = e.run(downs);
    assert_eq!(results.len(), 5);
    assert_all_done(&results);
    for (i, bytes) in data.iter().enumerate() {
        let got = std::fs::read(back.path().join(format!("f{i}.bin"))).unwrap();
        assert!(
            got == *bytes,
            "download {i}: {} bytes, want {}",
            got.len(),
            bytes.len()
        );
        assert!(!back.path().join(format!("f{i}.bin.part")).exists());
    }
}

// ---- the tests ----

/// Run the first interop test again in a child process with `CI` set to `ci` (or unset);
/// its exit status and everything it printed.
fn rerun_first_test(ci: Option<&str>) -> (bool, String) {
    let mut cmd = std::process::Command::new(std::env::current_exe().unwrap());
    cmd.args([
        "--exact",
        "vsftpd_lists_with_list_names_with_spaces_and_utf8",
        "--nocapture",
    ]);
    match ci {
        Some(v) => cmd.env("CI", v),
        None => cmd.env_remove("CI"),
    };
    let out = cmd.output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn under_ci_a_missing_vsftpd_fails_the_test_instead_of_skipping_it() {
    assert!(common::skips_forbidden(Some("true")) && common::skips_forbidden(Some("1")));
    assert!(!common::skips_forbidden(Some("false")) && !common::skips_forbidden(None));
    let available = Vsftpd::start(VsftpdOptions::default()).map(drop);
    let (ci_ok, ci_out) = rerun_first_test(Some("true"));
    let (plain_ok, plain_out) = rerun_first_test(None);
    match available {
        Ok(()) => assert!(ci_ok && plain_ok, "{ci_out}\n{plain_out}"),
        Err(reason) => {
            assert!(!ci_ok, "under CI the test must fail: {ci_out}");
            assert!(ci_out.contains(&reason), "the reason is given: {ci_out}");
            assert!(plain_ok, "a plain run skips: {plain_out}");
            assert!(
                plain_out.contains(&format!("skipped: {reason}")),
                "{plain_out}"
            );
        }
    }
}

#[test]
fn vsftpd_lists_with_list_names_with_spaces_and_utf8() {
    let server = vsftpd_or_skip!(VsftpdOptions::default());
    put_sample_tree(&server);
    browse(&server, profile(&server));
}

#[test]
fn vsftpd_wrong_password_is_a_login_error() {
    let server = vsftpd_or_skip!(VsftpdOptions::default());
    let mut p = profile(&server);
    p.password = Some(Secret::new("not the password"));
    let error = Session::start(SessionOptions::default())
        .connect(p)
        .expect_err("logged in with a wrong password");
    assert!(matches!(error, RemoteError::Login { .. }), "{error:?}");
    assert!(error.to_string().contains("530"), "{error}");
}

#[test]
fn vsftpd_five_uploads_and_five_downloads_in_a_row() {
    let server = vsftpd_or_skip!(VsftpdOptions::default());
    five_up_five_down(&server, profile(&server));
}

#[test]
fn vsftpd_directory_tree_round_trip() {
    let server = vsftpd_or_skip!(VsftpdOptions::default());
    let src = tempfile::tempdir().unwrap();
    let tree = src.path().join("project");
    write(&tree, "a.txt", b"alpha");
    write(&tree, "sub/b.bin", &pseudo_random(300_000, 2));
    write(
        &tree,
        "sub/deeper/日本語 ファイル.txt",
        "こんにちは".as_bytes(),
    );
    write(&tree, "sub/deeper/🎉.txt", b"party");
    write(&tree, "with space/c d.txt", b"spaces");
    write(&tree, "empty-file", b"");
    std::fs::create_dir_all(tree.join("empty-dir")).unwrap();
    std::fs::create_dir_all(tree.join("sub/also empty")).unwrap();

    let mut e = engine(profile(&server), 2);
    let up = e.job(Direction::Upload, "/project", &tree, true);
    assert_all_done(&e.run(vec![up]));
    assert_eq!(snapshot(&server.path("project")), snapshot(&tree));

    let dst = tempfile::tempdir().unwrap();
    let down = e.job(
        Direction::Download,
        "/project",
        &dst.path().join("copy"),
        true,
    );
    assert_all_done(&e.run(vec![down]));
    assert_eq!(snapshot(&dst.path().join("copy")), snapshot(&tree));
}

#[test]
fn vsftpd_cancelled_download_resumes_to_an_identical_file() {
    // 8 MiB at 8 MiB/s: the first progress event (after 100 ms) comes well before the end.
    let server = vsftpd_or_skip!(VsftpdOptions {
        max_rate: 8 * 1024 * 1024,
        ..VsftpdOptions::default()
    });
    let data = pseudo_random(8 * 1024 * 1024, 3);
    server.put("big.bin", &data);
    let mut e = engine(profile(&server), 1);
    let dst = tempfile::tempdir().unwrap();
    let target = dst.path().join("big.bin");
    let job = e.job(Direction::Download, "/big.bin", &target, false);
    e.cmd.send(TransferCmd::Enqueue(vec![job.clone()])).unwrap();
    let mut cancelled_at = None;
    let (outcome, seen) = recv_until(&e.rx, T, |ev| match ev {
        TransferEvent::Progress { done, .. } if cancelled_at.is_none() && *done > 0 => {
            e.cmd.send(TransferCmd::Cancel(job.id)).unwrap();
            cancelled_at = Some(Instant::now());
            None
        }
        TransferEvent::Finished { outcome, .. } => Some(outcome.clone()),
        _ => None,
    });
    let cancel_took = cancelled_at
        .expect("a progress event before the end")
        .elapsed();
    assert_eq!(outcome, Outcome::Cancelled, "after {seen:?}");
    assert!(
        cancel_took < Duration::from_secs(2),
        "cancel took {cancel_took:?}"
    );
    let part = dst.path().join("big.bin.part");
    let kept = std::fs::metadata(&part).expect(".part kept").len();
    assert!(kept > 0 && kept < data.len() as u64, "kept {kept}");
    assert!(
        !target.exists(),
        "never renamed into place while incomplete"
    );

    // Queued again, the job continues from the .part with REST.
    let results = e.run(vec![job]);
    assert_all_done(&results);
    match &results[0].1 {
        Outcome::Done { bytes, .. } => {
            assert!(*bytes < data.len() as u64, "moved {bytes}: not resumed");
            assert_eq!(*bytes, data.len() as u64 - kept, "resumed from the .part");
        }
        other => panic!("{other:?}"),
    }
    assert!(
        std::fs::read(&target).unwrap() == data,
        "resumed file differs"
    );
    assert!(!part.exists());
    assert!(
        server.log_text().contains(&format!("REST {kept}")),
        "the second run sent REST {kept}"
    );
}

#[test]
fn vsftpd_active_mode_lists_and_transfers() {
    // PASV is off on this server: everything must go through PORT.
    let server = vsftpd_or_skip!(VsftpdOptions {
        active: true,
        ..VsftpdOptions::default()
    });
    put_sample_tree(&server);
    let p = Profile {
        data_mode: DataMode::Active,
        ..profile(&server)
    };
    browse(&server, p.clone());
    five_up_five_down(&server, p);
    let log = server.log_text();
    assert!(log.contains("\"PORT "), "the client used PORT");
    assert!(
        !log.contains("\"PASV\"") && !log.contains("\"EPSV\""),
        "no passive mode on an active-mode profile"
    );
}

#[test]
fn vsftpd_explicit_ftps_with_a_pinned_certificate_and_session_reuse() {
    let server = vsftpd_or_skip!(VsftpdOptions {
        tls: true,
        ..VsftpdOptions::default()
    });
    put_sample_tree(&server);
    let fp = server
        .fingerprint
        .clone()
        .expect("a TLS server has a fingerprint");

    // This server refuses logins without TLS.
    let plain = Session::start(SessionOptions::default()).connect(profile(&server));
    assert!(
        matches!(&plain, Err(RemoteError::Login { reply }) if reply.contains("530")),
        "{plain:?}"
    );

    // Self-signed: refused, with the fingerprint the user is asked to trust.
    let mut p = Profile {
        security: Security::ExplicitTls,
        ..profile(&server)
    };
    match Session::start(SessionOptions::default()).connect(p.clone()) {
        Err(RemoteError::UntrustedCert { fingerprint, .. }) => assert_eq!(fingerprint, fp),
        other => panic!("expected an untrusted certificate, got {other:?}"),
    }

    // Pinned: control and data connections (PROT P, with vsftpd's require_ssl_reuse) work,
    // including five uploads in a row (TLS 1.3's single-use tickets would fail the third).
    p.pinned_cert = Some(fp);
    browse(&server, p.clone());
    five_up_five_down(&server, p);
    let log = server.log_text();
    assert!(
        log.contains("\"PROT P\""),
        "data connections were protected"
    );
}

#[test]
fn vsftpd_a_name_that_is_not_utf8_is_listed_and_downloaded_with_its_bytes() {
    use std::os::unix::ffi::OsStrExt;
    let server = vsftpd_or_skip!(VsftpdOptions::default());
    std::fs::create_dir_all(server.path("latin1")).unwrap();
    let raw_name = std::ffi::OsStr::from_bytes(b"caf\xe9.txt");
    std::fs::write(server.path("latin1").join(raw_name), b"latin-1 name").unwrap();
    server.give_to_user();

    let mut e = engine(profile(&server), 1);
    let dst = tempfile::tempdir().unwrap();
    let down = e.job(
        Direction::Download,
        "/latin1",
        &dst.path().join("latin1"),
        true,
    );
    assert_all_done(&e.run(vec![down]));
    let got = std::fs::read(dst.path().join("latin1").join(raw_name))
        .expect("the file arrives under the server's own bytes");
    assert_eq!(got, b"latin-1 name");
}

#[test]
fn vsftpd_tasks_measure_view_chmod_and_delete_a_tree_and_leave_links_alone() {
    use ftpdeck::transfer::Task;
    use std::os::unix::fs::PermissionsExt;
    let server = vsftpd_or_skip!(VsftpdOptions::default());
    let src = tempfile::tempdir().unwrap();
    let tree = src.path().join("t");
    write(&tree, "a.txt", b"alpha");
    write(&tree, "sub/b.bin", &pseudo_random(300_000, 4));
    write(&tree, "sub/deeper/c d.txt", b"spaces");
    let mut e = engine(profile(&server), 2);
    let up = e.job(Direction::Upload, "/t", &tree, true);
    assert_all_done(&e.run(vec![up]));
    // A link inside the tree to a file outside it, as the server's own user could make it.
    server.put("outside.txt", b"outside");
    std::fs::set_permissions(
        server.path("outside.txt"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    std::os::unix::fs::symlink(server.path("outside.txt"), server.path("t/link")).unwrap();

    let run = |e: &Engine, job: Job| e.run(vec![job]).remove(0).1;
    assert_eq!(
        run(&e, Job::remote_task(101, Task::Size, "/t", true)),
        Outcome::Sized {
            files: 3,
            dirs: 2,
            bytes: 5 + 300_000 + 6
        },
        "the link is not counted"
    );
    assert_eq!(
        run(
            &e,
            Job::remote_task(102, Task::View { max_bytes: 3 }, "/t/a.txt", false)
        ),
        Outcome::Viewed {
            data: b"alp".to_vec(),
            size: Some(5)
        }
    );
    assert_eq!(
        run(
            &e,
            Job::remote_task(103, Task::Chmod { mode: 0o640 }, "/t", true)
        ),
        Outcome::Chmodded { entries: 6 },
        "three files and three directories"
    );
    let mode = |rel: &str| {
        std::fs::symlink_metadata(server.path(rel))
            .unwrap()
            .permissions()
            .mode()
            & 0o777
    };
    assert_eq!(mode("t/a.txt"), 0o640);
    assert_eq!(mode("t/sub/deeper/c d.txt"), 0o640);
    assert_eq!(mode("t/sub"), 0o750);
    assert_eq!(mode("outside.txt"), 0o644, "the link's target is untouched");
    // Back to something the server's user may delete, then delete the whole tree.
    assert_eq!(
        run(
            &e,
            Job::remote_task(104, Task::Chmod { mode: 0o644 }, "/t", true)
        ),
        Outcome::Chmodded { entries: 6 }
    );
    assert_eq!(
        run(&e, Job::remote_task(105, Task::Delete, "/t", true)),
        Outcome::Deleted { entries: 7 },
        "three files, the link and three directories"
    );
    assert!(!server.path("t").exists());
    assert_eq!(
        std::fs::read(server.path("outside.txt")).unwrap(),
        b"outside"
    );
}

#[test]
fn the_doctor_finds_that_vsftpd_wants_tls_session_reuse_and_that_ftps_works() {
    let server = vsftpd_or_skip!(VsftpdOptions {
        tls: true,
        ..Default::default()
    });
    let home = tempfile::tempdir().unwrap();
    let url = format!("ftps://{}@127.0.0.1:{}/", server.user, server.port);
    let fp = server.fingerprint.clone().unwrap();
    let run = common::cli::ftpdeck(
        home.path(),
        &["doctor", "--json", "--trust-fingerprint", &fp, &url],
        &[("FTPDECK_PASSWORD", server.password.as_str())],
    );
    let doc: serde_json::Value = serde_json::from_str(run.stdout.trim())
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", run.stdout, run.stderr));
    assert_eq!(run.code, doc["status"].as_i64().map(|s| s as i32), "{doc}");
    assert!(doc["fatal"].is_null(), "{doc}");
    let check = |id: &str| {
        doc["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .map(|c| {
                (
                    c["level"].as_str().unwrap().to_string(),
                    c["text"].as_str().unwrap().to_string(),
                )
            })
            .unwrap_or_else(|| panic!("no {id} check: {doc}"))
    };
    let (level, text) = check("tls_reuse");
    assert_eq!(level, "info", "{text}");
    assert!(text.contains("must reuse"), "{text}");
    let (level, text) = check("pasv");
    assert_eq!(level, "ok", "{text}");
    let (level, text) = check("login");
    assert_eq!(level, "ok", "{text}");
    // vsftpd lists with LIST only.
    let (level, text) = check("list");
    assert_eq!(level, "ok", "{text}");
}
