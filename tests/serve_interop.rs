//! The embedded server (`ftpdeck serve`) with other clients: curl and lftp, where installed
//! (each test prints `skipped: …` without them, and fails under `CI=true`). A large file both
//! ways with a hash check, resume by REST and by APPE, and a tree of 2,000 small files.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may stop at the first surprise

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

fn have(tool: &str) -> bool {
    let found = Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        skip(&format!("{tool} is not installed (apt-get install {tool})"));
    }
    found
}

fn url(server: &server::ServerHandle, path: &str) -> String {
    format!(
        "ftp://{USER}:{PASSWORD}@127.0.0.1:{}/{path}",
        server.addr().port()
    )
}

use ftpdeck::server;

fn curl(args: &[&str]) {
    let out = Command::new("curl")
        .args(["-q", "-s", "-S", "--fail"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "curl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn digest(bytes: &[u8]) -> String {
    ftpdeck::remote::tls::fingerprint(bytes)
}

#[test]
fn curl_moves_a_large_file_both_ways_intact() {
    if !have("curl") {
        return;
    }
    let share = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    // Not a multiple of the server's block size, so the last block is a short one.
    let data = pseudo_random((40 << 20) + 12_345, 11);
    std::fs::write(share.path().join("big.bin"), &data).unwrap();
    let server = start_server(share.path());

    let got = local.path().join("got.bin");
    curl(&["-o", got.to_str().unwrap(), &url(&server, "big.bin")]);
    assert_eq!(digest(&std::fs::read(&got).unwrap()), digest(&data));

    curl(&["-T", got.to_str().unwrap(), &url(&server, "up.bin")]);
    assert_eq!(
        digest(&std::fs::read(share.path().join("up.bin")).unwrap()),
        digest(&data)
    );
}

#[test]
fn curl_resumes_a_download_by_rest_and_an_upload_by_appe() {
    if !have("curl") {
        return;
    }
    let share = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    let data = pseudo_random((3 << 20) + 77, 12);
    std::fs::write(share.path().join("f.bin"), &data).unwrap();
    let server = start_server(share.path());

    // A download cut off after 1 MiB + 5 bytes, continued with REST.
    let part = local.path().join("f.bin");
    std::fs::write(&part, &data[..(1 << 20) + 5]).unwrap();
    curl(&[
        "-C",
        "-",
        "-o",
        part.to_str().unwrap(),
        &url(&server, "f.bin"),
    ]);
    assert_eq!(digest(&std::fs::read(&part).unwrap()), digest(&data));

    // An upload cut off after 700,001 bytes, continued with APPE.
    std::fs::write(share.path().join("u.bin"), &data[..700_001]).unwrap();
    let rest = local.path().join("rest.bin");
    std::fs::write(&rest, &data[700_001..]).unwrap();
    curl(&[
        "--append",
        "-T",
        rest.to_str().unwrap(),
        &url(&server, "u.bin"),
    ]);
    assert_eq!(
        digest(&std::fs::read(share.path().join("u.bin")).unwrap()),
        digest(&data)
    );
}

fn tree(root: &Path, files: usize) {
    for i in 0..files {
        let dir = format!("d{:02}", i % 40);
        let body = pseudo_random(100 + (i * 37) % 3000, i as u64);
        write(root, &format!("{dir}/f{i:04}.txt"), &body);
    }
}

#[test]
fn lftp_mirrors_two_thousand_small_files_down_and_up() {
    if !have("lftp") {
        return;
    }
    let share = tempfile::tempdir().unwrap();
    tree(&share.path().join("tree"), 2000);
    let server = start_server(share.path());
    let home = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    let lftp = |script: String| {
        let out = Command::new("lftp")
            .env("HOME", home.path())
            .arg("-c")
            .arg(script)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "lftp: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let open = format!(
        "set cmd:fail-exit yes; set net:max-retries 1; open -u {USER},{PASSWORD} -p {} 127.0.0.1",
        server.addr().port()
    );
    let down = local.path().join("down");
    lftp(format!(
        "{open}; mirror --parallel=4 tree {}",
        down.display()
    ));
    assert_eq!(snapshot(&down), snapshot(&share.path().join("tree")));

    lftp(format!(
        "{open}; mirror -R --parallel=4 {} back",
        down.display()
    ));
    assert_eq!(snapshot(&share.path().join("back")), snapshot(&down));
    // 2,000 files in 40 directories.
    assert_eq!(snapshot(&down).len(), 2040);
}

/// ftpdeck's own headless client against the embedded server: the same round trips.
#[test]
fn ftpdecks_own_client_moves_a_large_file_resumes_by_rest_and_appe_and_mirrors_a_tree() {
    use common::cli::ftpdeck;
    let share = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let pw = [("FTPDECK_PASSWORD", PASSWORD)];
    let data = pseudo_random((40 << 20) + 999, 13);
    std::fs::write(share.path().join("big.bin"), &data).unwrap();
    tree(&share.path().join("tree"), 2000);
    let server = start_server(share.path());
    let at = |path: &str| format!("ftp://{USER}@127.0.0.1:{}/{path}", server.addr().port());
    let l = local.path().to_str().unwrap();
    let run = |args: &[&str]| {
        let r = ftpdeck(home.path(), args, &pw);
        assert_eq!(r.code, Some(0), "{args:?}: {}", r.stderr);
        r
    };

    // Whole file down and up.
    run(&["get", &at("big.bin"), l]);
    assert_eq!(
        digest(&std::fs::read(local.path().join("big.bin")).unwrap()),
        digest(&data)
    );
    std::fs::create_dir(share.path().join("up")).unwrap();
    run(&[
        "put",
        local.path().join("big.bin").to_str().unwrap(),
        &at("up"),
    ]);
    assert_eq!(
        digest(&std::fs::read(share.path().join("up/big.bin")).unwrap()),
        digest(&data)
    );

    // A shorter local copy is resumed with REST; a shorter server copy with APPE. Each kept
    // part has its first byte changed: only a resume keeps it (a whole copy would not).
    let marked = |len: usize| {
        let mut v = data[..len].to_vec();
        v[0] ^= 0xff;
        v
    };
    let expect = |len: usize| [marked(len), data[len..].to_vec()].concat();
    let cut = (5 << 20) + 3;
    std::fs::write(local.path().join("big.bin"), marked(cut)).unwrap();
    run(&["get", &at("big.bin"), l, "--overwrite", "resume"]);
    let got = std::fs::read(local.path().join("big.bin")).unwrap();
    assert_eq!(digest(&got), digest(&expect(cut)), "resumed by REST");
    let cut = 1_234_567;
    std::fs::write(share.path().join("up/big.bin"), marked(cut)).unwrap();
    std::fs::write(local.path().join("big.bin"), &data).unwrap();
    let big = local.path().join("big.bin");
    run(&[
        "put",
        big.to_str().unwrap(),
        &at("up"),
        "--overwrite",
        "resume",
    ]);
    let put = std::fs::read(share.path().join("up/big.bin")).unwrap();
    assert_eq!(digest(&put), digest(&expect(cut)), "resumed by APPE");

    // 2,000 small files down and back up.
    run(&["get", "--parallel", "4", &at("tree"), l]);
    assert_eq!(
        snapshot(&local.path().join("tree")),
        snapshot(&share.path().join("tree"))
    );
    run(&[
        "put",
        "--parallel",
        "4",
        local.path().join("tree").to_str().unwrap(),
        &at("up"),
    ]);
    assert_eq!(
        snapshot(&share.path().join("up/tree")),
        snapshot(&share.path().join("tree"))
    );
}
