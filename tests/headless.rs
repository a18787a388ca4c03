//! `ftpdeck get`, `put`, `sync` and `ls` as a script runs them: the real binary against the embedded
//! server, with a private HOME; exit statuses, credentials without a prompt, `--json`, and
//! Ctrl-C keeping the `.part`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may stop at the first surprise

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::cli::ftpdeck;
use common::*;

fn url(server: &ftpdeck::server::ServerHandle, path: &str) -> String {
    format!("ftp://{USER}@127.0.0.1:{}{path}", server.addr().port())
}

#[test]
fn get_files_and_trees_then_put_them_back_with_the_password_from_the_environment() {
    let remote = tempfile::tempdir().unwrap();
    write(remote.path(), "a.txt", b"alpha");
    write(remote.path(), "tree/sub/b.bin", &pseudo_random(300_000, 1));
    write(remote.path(), "tree/c d.txt", b"spaced");
    let server = start_server(remote.path());
    let home = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let pw = [("FTPDECK_PASSWORD", PASSWORD)];

    let r = ftpdeck(
        home.path(),
        &[
            "get",
            &url(&server, "/a.txt"),
            &url(&server, "/tree"),
            out.path().to_str().unwrap(),
        ],
        &pw,
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(std::fs::read(out.path().join("a.txt")).unwrap(), b"alpha");
    assert_eq!(
        snapshot(&out.path().join("tree")),
        snapshot(&remote.path().join("tree"))
    );
    let last = r.stderr.lines().last().unwrap();
    assert!(
        last.starts_with("3 copied, 0 skipped, 0 deleted, 0 failed"),
        "{last}"
    );
    assert!(r.stderr.contains("↓ /tree/c d.txt 6 B"), "{}", r.stderr);

    // Back up under another name, as JSON.
    std::fs::rename(out.path().join("tree"), out.path().join("again")).unwrap();
    let r = ftpdeck(
        home.path(),
        &[
            "put",
            out.path().join("again").to_str().unwrap(),
            &url(&server, "/"),
            "--json",
            "--quiet",
        ],
        &pw,
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(r.stderr, "", "--quiet says nothing when all is well");
    let json: serde_json::Value = serde_json::from_str(r.stdout.trim()).unwrap();
    assert_eq!(json["copied"], 2);
    assert_eq!(json["failed"].as_array().unwrap().len(), 0);
    assert_eq!(json["bytes"], 300_006);
    assert_eq!(
        snapshot(&remote.path().join("again")),
        snapshot(&remote.path().join("tree"))
    );
}

#[test]
fn an_existing_destination_is_resumed_when_smaller_else_skipped_unless_overwrite_says() {
    let remote = tempfile::tempdir().unwrap();
    let data = pseudo_random(200_000, 7);
    write(remote.path(), "big.bin", &data);
    write(remote.path(), "same.txt", b"server copy");
    let server = start_server(remote.path());
    let home = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let pw = [("FTPDECK_PASSWORD", PASSWORD)];
    // A local start of big.bin (resumed) and a different same-sized same.txt (skipped).
    std::fs::write(out.path().join("big.bin"), &data[..50_000]).unwrap();
    std::fs::write(out.path().join("same.txt"), b"local  copy").unwrap();
    let get = |extra: &[&str]| {
        let mut args = vec![
            "get".to_string(),
            url(&server, "/big.bin"),
            url(&server, "/same.txt"),
            out.path().to_str().unwrap().to_string(),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        ftpdeck(home.path(), &args, &pw)
    };
    let r = get(&[]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(std::fs::read(out.path().join("big.bin")).unwrap(), data);
    assert_eq!(
        std::fs::read(out.path().join("same.txt")).unwrap(),
        b"local  copy"
    );
    assert!(
        r.stderr
            .contains("the destination exists and is not smaller"),
        "the skip says why: {}",
        r.stderr
    );
    assert!(r.stderr.contains("1 copied, 1 skipped"), "{}", r.stderr);

    let r = get(&["--overwrite", "overwrite"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(
        std::fs::read(out.path().join("same.txt")).unwrap(),
        b"server copy"
    );

    let r = get(&["--overwrite", "sometimes"]);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("skip, overwrite, resume, newer or rename"),
        "{}",
        r.stderr
    );
}

#[test]
fn netrc_gives_the_login_when_the_url_names_no_user() {
    let remote = tempfile::tempdir().unwrap();
    write(remote.path(), "n.txt", b"netrc");
    let server = start_server(remote.path());
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join(".netrc"),
        format!("machine 127.0.0.1 login {USER} password {PASSWORD}\n"),
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let anonymous = format!("ftp://127.0.0.1:{}/n.txt", server.addr().port());
    let r = ftpdeck(
        home.path(),
        &["get", &anonymous, out.path().to_str().unwrap()],
        &[],
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(std::fs::read(out.path().join("n.txt")).unwrap(), b"netrc");
}

#[test]
fn usage_login_and_missing_files_exit_2_and_say_why() {
    let remote = tempfile::tempdir().unwrap();
    write(remote.path(), "a.txt", b"alpha");
    let server = start_server(remote.path());
    let home = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().to_str().unwrap();

    // No password anywhere, and no terminal to ask on.
    let r = ftpdeck(home.path(), &["get", &url(&server, "/a.txt"), dir], &[]);
    assert_eq!(r.code, Some(2));
    assert!(
        r.stderr.contains("FTPDECK_PASSWORD") && r.stderr.contains(".netrc"),
        "{}",
        r.stderr
    );
    // A wrong password.
    let r = ftpdeck(
        home.path(),
        &["get", &url(&server, "/a.txt"), dir],
        &[("FTPDECK_PASSWORD", "wrong")],
    );
    assert_eq!(r.code, Some(2));
    assert!(r.stderr.contains("530"), "{}", r.stderr);
    // Nothing there.
    let pw = [("FTPDECK_PASSWORD", PASSWORD)];
    let r = ftpdeck(home.path(), &["get", &url(&server, "/missing"), dir], &pw);
    assert_eq!(r.code, Some(2));
    assert!(r.stderr.contains("no such file"), "{}", r.stderr);
    // Not a server, not a bookmark.
    let r = ftpdeck(home.path(), &["get", "nowhere:/x", dir], &pw);
    assert_eq!(r.code, Some(2));
    assert!(
        r.stderr.contains("no bookmark named \"nowhere\""),
        "{}",
        r.stderr
    );
    // A usage error from the parser.
    let r = ftpdeck(home.path(), &["put", "only-one"], &pw);
    assert_eq!(r.code, Some(2));
    // Nothing was written.
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0);
}

#[test]
fn an_item_that_fails_exits_1_and_the_others_are_still_done() {
    let remote = tempfile::tempdir().unwrap();
    write(remote.path(), "t/good.txt", b"good");
    // A name no local file may have.
    write(remote.path(), "t/bad\\name.txt", b"bad");
    let server = start_server(remote.path());
    let home = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let r = ftpdeck(
        home.path(),
        &["get", &url(&server, "/t"), out.path().to_str().unwrap()],
        &[("FTPDECK_PASSWORD", PASSWORD)],
    );
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert_eq!(
        std::fs::read(out.path().join("t/good.txt")).unwrap(),
        b"good"
    );
    assert!(r.stderr.contains("failed /t/bad"), "{}", r.stderr);
    let last = r.stderr.lines().last().unwrap();
    assert!(
        last.starts_with("1 copied, 0 skipped, 0 deleted, 1 failed"),
        "{last}"
    );
}

#[test]
fn ctrl_c_stops_with_130_and_keeps_the_part_for_a_resume() {
    let remote = tempfile::tempdir().unwrap();
    // Big enough that the download is still going when the signal comes.
    let big = remote.path().join("big.bin");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(4 << 30).unwrap();
    let server = start_server(remote.path());
    let home = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_ftpdeck"))
        .args([
            "get",
            &url(&server, "/big.bin"),
            out.path().to_str().unwrap(),
        ])
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join(".config"))
        .env("FTPDECK_PASSWORD", PASSWORD)
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let part = out.path().join("big.bin.part");
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::fs::metadata(&part).map_or(true, |m| m.len() == 0) {
        assert!(Instant::now() < deadline, "the download never started");
        std::thread::sleep(Duration::from_millis(10));
    }
    // SAFETY: a signal to our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    assert!(part.exists(), "the .part is kept");
    assert!(
        !out.path().join("big.bin").exists(),
        "no half file under the final name"
    );
}

#[test]
fn a_bookmark_names_the_server_and_its_password_cmd_gives_the_password() {
    use ftpdeck::bookmarks::{Bookmark, PasswordSource, Store};
    let remote = tempfile::tempdir().unwrap();
    write(remote.path(), "pub/b.txt", b"from a bookmark");
    let server = start_server(remote.path());
    let home = tempfile::tempdir().unwrap();
    let mut store = Store::default();
    let mut b = Bookmark::from_profile("work", &profile(&server));
    b.password = PasswordSource::Command(format!("echo {PASSWORD}"));
    b.remote_dir = "pub".into();
    store.upsert(b);
    let file = home.path().join("bookmarks.toml");
    ftpdeck::bookmarks::save(&file, &store).unwrap();
    let out = tempfile::tempdir().unwrap();
    let env = [("FTPDECK_BOOKMARKS", file.to_str().unwrap())];
    // `work:` is the bookmark's own directory; `work:/pub/b.txt` an absolute path.
    for spec in ["work:b.txt", "work:/pub/b.txt"] {
        let r = ftpdeck(
            home.path(),
            &["get", spec, out.path().to_str().unwrap()],
            &env,
        );
        assert_eq!(r.code, Some(0), "{spec}: {}", r.stderr);
        assert_eq!(
            std::fs::read(out.path().join("b.txt")).unwrap(),
            b"from a bookmark"
        );
        std::fs::remove_file(out.path().join("b.txt")).unwrap();
    }
}

#[test]
fn an_untrusted_certificate_stops_with_its_fingerprint_until_the_flag_trusts_it() {
    use ftpdeck::server::{self, ServerAuth, ServerConfig};
    let remote = tempfile::tempdir().unwrap();
    write(remote.path(), "s.txt", b"over TLS");
    let certs = tempfile::tempdir().unwrap();
    let ck = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()]).unwrap();
    let (cert, key) = (certs.path().join("c.pem"), certs.path().join("k.pem"));
    std::fs::write(&cert, ck.cert.pem()).unwrap();
    std::fs::write(&key, ck.signing_key.serialize_pem()).unwrap();
    let mut config = ServerConfig::local(
        remote.path(),
        ServerAuth::User {
            user: USER.into(),
            password: PASSWORD.into(),
        },
    );
    config.tls = Some(server::tls::from_files(&cert, &key).unwrap());
    let server = server::start(config).unwrap();
    let fp = ftpdeck::remote::tls::fingerprint(ck.cert.der());
    let home = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let spec = format!("ftps://{USER}@127.0.0.1:{}/s.txt", server.addr().port());
    let pw = [("FTPDECK_PASSWORD", PASSWORD)];
    let dir = out.path().to_str().unwrap();
    let r = ftpdeck(home.path(), &["get", &spec, dir], &pw);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(r.stderr.contains("--trust-fingerprint"), "{}", r.stderr);
    let shown: String = r.stderr.chars().filter(char::is_ascii_hexdigit).collect();
    assert!(
        shown
            .to_ascii_lowercase()
            .contains(&fp.to_ascii_lowercase()),
        "the fingerprint is shown: {}",
        r.stderr
    );
    assert!(!out.path().join("s.txt").exists());
    let r = ftpdeck(
        home.path(),
        &["get", &spec, dir, "--trust-fingerprint", &fp],
        &pw,
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(
        std::fs::read(out.path().join("s.txt")).unwrap(),
        b"over TLS"
    );
}

#[test]
fn sync_plans_first_copies_what_differs_deletes_only_when_asked_and_then_is_in_step() {
    let remote = tempfile::tempdir().unwrap();
    let server = start_server(remote.path());
    let home = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    write(local.path(), "a.txt", b"alpha");
    write(local.path(), "sub/b.txt", b"beta");
    write(local.path(), "sub/skip.tmp", b"scratch");
    let pw = [("FTPDECK_PASSWORD", PASSWORD)];
    let src = local.path().to_str().unwrap();
    let dst = url(&server, "/site");
    let sync = |extra: &[&str]| {
        let mut args = vec!["sync", src, &dst, "--exclude", "*.tmp"];
        args.extend_from_slice(extra);
        ftpdeck(home.path(), &args, &pw)
    };

    // The plan, and nothing changed.
    let r = sync(&["--dry-run"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(
        r.stdout.lines().collect::<Vec<_>>(),
        [
            "mkdir sub/",
            "copy a.txt (5 B, missing)",
            "copy sub/b.txt (4 B, missing)"
        ]
    );
    assert!(
        !remote.path().join("site/a.txt").exists(),
        "a dry run changes nothing"
    );

    let r = sync(&[]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(
        std::fs::read(remote.path().join("site/a.txt")).unwrap(),
        b"alpha"
    );
    assert_eq!(
        std::fs::read(remote.path().join("site/sub/b.txt")).unwrap(),
        b"beta"
    );
    assert!(
        !remote.path().join("site/sub/skip.tmp").exists(),
        "excluded"
    );
    // Again: nothing to do.
    let r = sync(&["--json"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let json: serde_json::Value = serde_json::from_str(r.stdout.trim()).unwrap();
    assert_eq!(json["copied"], 0, "{}", r.stdout);

    // A changed file and a removed one: without --delete the remote copy stays.
    write(local.path(), "sub/b.txt", b"beta, longer");
    std::fs::remove_file(local.path().join("a.txt")).unwrap();
    let r = sync(&[]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(
        std::fs::read(remote.path().join("site/sub/b.txt")).unwrap(),
        b"beta, longer"
    );
    assert!(
        remote.path().join("site/a.txt").exists(),
        "no --delete, no delete"
    );
    let r = sync(&["--delete", "--dry-run"]);
    assert_eq!(r.stdout.trim(), "delete a.txt");
    let r = sync(&["--delete"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(!remote.path().join("site/a.txt").exists());
    assert!(
        r.stderr.lines().last().unwrap().contains("1 deleted"),
        "{}",
        r.stderr
    );

    // And back down into an empty directory: the same tree.
    let back = tempfile::tempdir().unwrap();
    let down = back.path().join("copy");
    let r = ftpdeck(home.path(), &["sync", &dst, down.to_str().unwrap()], &pw);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(snapshot(&down), snapshot(&remote.path().join("site")));
}

#[test]
fn sync_needs_one_local_and_one_remote_side() {
    let home = tempfile::tempdir().unwrap();
    let r = ftpdeck(home.path(), &["sync", "a", "b"], &[]);
    assert_eq!(r.code, Some(2));
    assert!(
        r.stderr.contains("one local directory and one remote"),
        "{}",
        r.stderr
    );
}

#[test]
fn ls_prints_a_directory_sorted_one_file_long_or_as_json_and_exits_2_for_a_missing_path() {
    let remote = tempfile::tempdir().unwrap();
    write(remote.path(), "d/b.txt", b"bee");
    write(remote.path(), "d/a.txt", b"a");
    write(remote.path(), "d/.hidden", b"h");
    write(remote.path(), "d/sub/x", b"x");
    let server = start_server(remote.path());
    let home = tempfile::tempdir().unwrap();
    let pw = [("FTPDECK_PASSWORD", PASSWORD)];
    let ls = |args: &[&str]| {
        let mut all = vec!["ls"];
        all.extend_from_slice(args);
        ftpdeck(home.path(), &all, &pw)
    };
    let d = url(&server, "/d");
    let r = ls(&[&d]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    // Sorted, directories marked, dot files left out (control characters in names are shown
    // as `?`: see the unit test of `headless::ls::line`).
    assert_eq!(r.lines(), ["a.txt", "b.txt", "sub/"]);
    let r = ls(&["-a", &d]);
    assert_eq!(r.lines()[0], ".hidden");
    let r = ls(&["-l", &url(&server, "/d/b.txt")]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let line = r.lines().join("\n");
    assert!(line.starts_with('-'), "{line}");
    assert!(line.contains(" 3 ") && line.ends_with(" b.txt"), "{line}");
    let r = ls(&["--json", &d]);
    let json: serde_json::Value = serde_json::from_str(r.stdout.trim()).unwrap();
    let names: Vec<&str> = json["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["a.txt", "b.txt", "sub"]);
    assert_eq!(json["entries"][1]["size"], 3);
    assert_eq!(json["entries"][2]["kind"], "dir");
    let r = ls(&[&url(&server, "/nope")]);
    assert_eq!(r.code, Some(2));
    assert!(
        r.stderr
            .contains("/nope: no such file or directory on the server"),
        "{}",
        r.stderr
    );
}

#[test]
fn limit_rate_takes_a_rate_and_refuses_anything_else_before_connecting() {
    let remote = tempfile::tempdir().unwrap();
    write(remote.path(), "a.bin", &pseudo_random(200_000, 3));
    let server = start_server(remote.path());
    let home = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().to_str().unwrap();
    let pw = [("FTPDECK_PASSWORD", PASSWORD)];
    for bad in ["2x", "é1M", "-1", "1e99G", ""] {
        let flag = format!("--limit-rate={bad}");
        let r = ftpdeck(
            home.path(),
            &["get", &flag, &url(&server, "/a.bin"), dir],
            &pw,
        );
        assert_eq!(r.code, Some(2), "{bad:?}: {}", r.stderr);
        assert!(r.stderr.contains("rate"), "{bad:?}: {}", r.stderr);
    }
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0);
    let r = ftpdeck(
        home.path(),
        &["get", "--limit-rate", "1M", &url(&server, "/a.bin"), dir],
        &pw,
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(
        std::fs::read(out.path().join("a.bin")).unwrap(),
        pseudo_random(200_000, 3)
    );
}
