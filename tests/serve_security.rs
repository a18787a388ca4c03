//! `ftpdeck serve` facing strangers, over raw control connections: nothing outside the shared
//! directory is read or written, symlinks do not lead out, a read-only share refuses every
//! change, and one client cannot take the server from the others.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may stop at the first surprise

mod common;

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use common::raw::Raw;
use common::*;
use ftpdeck::server::LoginPolicy;

/// A temp dir holding `secret.txt` (outside) and `share/` (served) with `inside.txt`.
fn layout() -> tempfile::TempDir {
    let top = tempfile::tempdir().unwrap();
    write(top.path(), "secret.txt", b"outside the share");
    write(top.path(), "share/inside.txt", b"inside");
    write(top.path(), "share/sub/deep.txt", b"deep");
    top
}

#[test]
fn paths_that_climb_out_of_the_share_read_and_create_nothing_outside() {
    let top = layout();
    let share = top.path().join("share");
    let server = start_server_with(&share, |_| {});
    let mut c = Raw::login(server.addr(), USER, PASSWORD);

    for name in [
        "../secret.txt",
        "../../secret.txt",
        "/../secret.txt",
        "sub/../../secret.txt",
        top.path().join("secret.txt").to_str().unwrap(),
    ] {
        let (r, bytes) = c.fetch(&format!("RETR {name}"));
        assert!(r.code >= 500, "RETR {name}: {r:?}");
        assert!(bytes.is_empty(), "RETR {name} sent {bytes:?}");
        let r = c.cmd(&format!("SIZE {name}"));
        assert!(r.code >= 500, "SIZE {name}: {r:?}");
    }
    // `%2e%2e` is a name like any other: it does not mean the parent.
    let (r, _) = c.fetch("RETR %2e%2e/secret.txt");
    assert!(r.code >= 500, "{r:?}");

    for name in ["../planted.txt", "sub/../../planted.txt", "/../planted.txt"] {
        let r = c.store(&format!("STOR {name}"), b"planted");
        assert!(r.code >= 500, "STOR {name}: {r:?}");
        let r = c.cmd(&format!("MKD {name}.d"));
        assert!(r.code >= 500, "MKD {name}.d: {r:?}");
    }
    let r = c.cmd("RNFR inside.txt");
    assert_eq!(r.code, 350, "{r:?}");
    let r = c.cmd("RNTO ../moved.txt");
    assert!(r.code >= 500, "RNTO ../moved.txt: {r:?}");
    let r = c.cmd("DELE ../secret.txt");
    assert!(r.code >= 500, "{r:?}");

    // CWD above the root is refused, and the session stays at the root.
    let r = c.cmd("CWD ..");
    assert!(r.code >= 500, "CWD ..: {r:?}");
    let r = c.cmd("CWD ../..");
    assert!(r.code >= 500, "{r:?}");
    let (_, list) = c.fetch("NLST");
    let list = String::from_utf8(list).unwrap();
    assert!(list.contains("inside.txt"), "{list}");

    let mut names: Vec<String> = std::fs::read_dir(top.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["secret.txt", "share"],
        "nothing was created outside"
    );
    assert_eq!(
        std::fs::read(top.path().join("secret.txt")).unwrap(),
        b"outside the share"
    );
    assert!(
        share.join("inside.txt").exists(),
        "the rename did not happen"
    );
}

#[cfg(unix)]
#[test]
fn symlinks_out_of_the_share_are_not_listed_read_entered_or_written_through() {
    use std::os::unix::fs::symlink;
    let top = layout();
    let share = top.path().join("share");
    symlink("../secret.txt", share.join("out-link")).unwrap();
    symlink(top.path(), share.join("out-dir")).unwrap();
    symlink("inside.txt", share.join("in-link")).unwrap();
    symlink("sub", share.join("in-dir")).unwrap();
    let server = start_server_with(&share, |_| {});
    let mut c = Raw::login(server.addr(), USER, PASSWORD);

    let (_, list) = c.fetch("LIST");
    let list = String::from_utf8(list).unwrap();
    assert!(!list.contains("out-"), "LIST shows a way out: {list}");
    assert!(!list.contains("->"), "LIST shows a link target: {list}");
    let (_, mlsd) = c.fetch("MLSD");
    let mlsd = String::from_utf8(mlsd).unwrap();
    assert!(!mlsd.contains("out-"), "{mlsd}");
    // A link inside reports what a client gets: the file (its size) or the directory.
    let line = |name: &str| {
        mlsd.lines()
            .find(|l| l.ends_with(&format!(" {name}")))
            .unwrap_or_else(|| panic!("{name} in {mlsd}"))
            .to_string()
    };
    assert!(line("in-link").contains("type=file;size=6;"), "{mlsd}");
    assert!(line("in-dir").contains("type=dir"), "{mlsd}");

    let (r, bytes) = c.fetch("RETR out-link");
    assert!(r.code >= 500 && bytes.is_empty(), "{r:?}");
    let (r, bytes) = c.fetch("RETR out-dir/secret.txt");
    assert!(r.code >= 500 && bytes.is_empty(), "{r:?}");
    let r = c.cmd("CWD out-dir");
    assert!(r.code >= 500, "{r:?}");
    let r = c.store("STOR out-dir/planted.txt", b"planted");
    assert!(r.code >= 500, "{r:?}");
    assert!(!top.path().join("planted.txt").exists());
    let r = c.store("STOR out-link", b"overwritten");
    assert!(r.code >= 500, "{r:?}");
    assert_eq!(
        std::fs::read(top.path().join("secret.txt")).unwrap(),
        b"outside the share"
    );

    let (r, bytes) = c.fetch("RETR in-link");
    assert_eq!((r.code, bytes.as_slice()), (226, &b"inside"[..]), "{r:?}");
    let (r, bytes) = c.fetch("RETR in-dir/deep.txt");
    assert_eq!((r.code, bytes.as_slice()), (226, &b"deep"[..]), "{r:?}");
}

#[cfg(unix)]
#[test]
fn follow_symlinks_serves_what_links_point_to_outside() {
    let top = layout();
    let share = top.path().join("share");
    std::os::unix::fs::symlink("../secret.txt", share.join("out-link")).unwrap();
    let server = start_server_with(&share, |c| c.follow_symlinks = true);
    let mut c = Raw::login(server.addr(), USER, PASSWORD);
    let (_, mlsd) = c.fetch("MLSD");
    let mlsd = String::from_utf8(mlsd).unwrap();
    assert!(mlsd.contains("type=file;size=17;"), "{mlsd}");
    let (r, bytes) = c.fetch("RETR out-link");
    assert_eq!((r.code, bytes.as_slice()), (226, &b"outside the share"[..]));
    // Following links is not climbing: `..` above the root is still refused.
    let (r, _) = c.fetch("RETR ../secret.txt");
    assert!(r.code >= 500, "{r:?}");
}

#[test]
fn a_read_only_share_refuses_every_writing_command_and_changes_nothing() {
    let top = layout();
    let share = top.path().join("share");
    let before = snapshot(&share);
    let server = start_server_with(&share, |c| c.read_only = true);
    let mut c = Raw::login(server.addr(), USER, PASSWORD);
    for line in ["STOR new.txt", "STOR inside.txt", "APPE inside.txt", "STOU"] {
        let r = c.store(line, b"written");
        assert!((550..=553).contains(&r.code), "{line}: {r:?}");
    }
    let r = c.cmd("REST 2");
    assert_eq!(r.code, 350, "{r:?}");
    let r = c.store("STOR inside.txt", b"xx");
    assert!((550..=553).contains(&r.code), "REST+STOR: {r:?}");
    for line in [
        "DELE inside.txt",
        "RMD sub",
        "MKD made",
        "SITE CHMOD 777 inside.txt",
    ] {
        let r = c.cmd(line);
        assert!((550..=553).contains(&r.code), "{line}: {r:?}");
    }
    let r = c.cmd("RNFR inside.txt");
    if r.code == 350 {
        let r = c.cmd("RNTO renamed.txt");
        assert!((550..=553).contains(&r.code), "RNTO: {r:?}");
    } else {
        assert!(r.code >= 500, "RNFR: {r:?}");
    }
    assert_eq!(snapshot(&share), before, "the share is unchanged");
    // Reading still works. (libunftp keeps a REST offset across a refused STOR, so clear it.)
    assert_eq!(c.cmd("REST 0").code, 350);
    let (r, bytes) = c.fetch("RETR inside.txt");
    assert_eq!((r.code, bytes.as_slice()), (226, &b"inside"[..]));
}

#[test]
fn the_client_past_max_clients_is_told_421_and_a_freed_seat_is_given_again() {
    let top = layout();
    let server = start_server_with(&top.path().join("share"), |c| c.max_clients = 2);
    let first = Raw::login(server.addr(), USER, PASSWORD);
    let _second = Raw::login(server.addr(), USER, PASSWORD);
    let (mut third, greeting) = Raw::connect(server.addr());
    assert_eq!(greeting.code, 421, "{greeting:?}");
    assert!(greeting.text.contains("takes 2 at once"), "{greeting:?}");
    assert!(third.reply().is_none(), "the connection is closed");

    drop(first);
    // The seat is freed once the server has seen the first client go.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (_c, g) = Raw::connect(server.addr());
        if g.code == 220 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no seat after a client left: {g:?}"
        );
        std::thread::yield_now();
    }
}

#[test]
fn a_silent_session_is_closed_after_the_idle_timeout() {
    let top = layout();
    let server = start_server_with(&top.path().join("share"), |c| {
        c.idle_timeout = Duration::from_secs(1)
    });
    let mut c = Raw::login(server.addr(), USER, PASSWORD);
    // Say nothing: the server speaks (421) and closes, well before the read timeout.
    let started = Instant::now();
    let r = c.reply();
    if let Some(r) = &r {
        // libunftp says 221 "Session timed out. Closing control connection".
        assert!(matches!(r.code, 221 | 421), "{r:?}");
        assert!(r.text.contains("timed out"), "{r:?}");
        assert!(c.reply().is_none(), "closed after the 421");
    }
    assert!(started.elapsed() < Duration::from_secs(15));
}

#[test]
fn failed_logins_are_delayed_and_past_the_limit_even_the_right_password_is_refused() {
    let top = layout();
    let delay = Duration::from_millis(300);
    let server = start_server_with(&top.path().join("share"), |c| {
        c.login_policy = LoginPolicy {
            delay,
            limit: 2,
            window: Duration::from_secs(600),
        }
    });
    let try_login = |password: &str| {
        let (mut c, _) = Raw::connect(server.addr());
        c.cmd(&format!("USER {USER}"));
        let started = Instant::now();
        let r = c.cmd(&format!("PASS {password}"));
        (r, started.elapsed())
    };
    // The right password is answered without the delay's wait.
    let (r, _) = try_login(PASSWORD);
    assert_eq!(r.code, 230);
    for _ in 0..2 {
        let (r, took) = try_login("wrong");
        assert_eq!(r.code, 530, "{r:?}");
        assert!(took >= delay, "a failed login was answered after {took:?}");
    }
    // Two failures from this address: it is locked out, right password or not.
    let (r, took) = try_login(PASSWORD);
    assert_eq!(r.code, 530, "{r:?}");
    assert!(took >= delay);
}

#[test]
fn a_client_sending_pasv_in_a_loop_cannot_take_the_passive_ports_from_others() {
    let top = layout();
    // Ten passive ports in all.
    let base = 47100 + (std::process::id() % 400) as u16 * 10;
    let server = start_server_with(&top.path().join("share"), |c| {
        c.passive_ports = base..=base + 9
    });
    let mut flood = Raw::login(server.addr(), USER, PASSWORD);
    let mut granted = 0;
    for _ in 0..100 {
        let r = flood.cmd("PASV");
        if r.code == 227 {
            granted += 1;
        } else {
            assert_eq!(r.code, 425, "{r:?}");
        }
    }
    assert!(granted <= 4, "one session held {granted} passive ports");
    // Everyone else still gets data connections, again and again.
    let mut other = Raw::login(server.addr(), USER, PASSWORD);
    for _ in 0..12 {
        let (r, bytes) = other.fetch("RETR inside.txt");
        assert_eq!((r.code, bytes.as_slice()), (226, &b"inside"[..]), "{r:?}");
    }
}

#[test]
fn an_upload_whose_data_connection_goes_silent_fails_and_the_session_carries_on() {
    let top = layout();
    let share = top.path().join("share");
    let server = start_server_with(&share, |c| c.data_timeout = Duration::from_secs(1));
    let mut c = Raw::login(server.addr(), USER, PASSWORD);
    let mut data = c.data();
    let r = c.cmd("STOR stalled.bin");
    assert_eq!(r.code, 150, "{r:?}");
    data.write_all(b"a first part").unwrap();
    // Send nothing more and keep the connection open: the server gives up on its own.
    let r = c
        .reply()
        .expect("a reply without the data connection closing");
    assert!(r.code >= 400, "{r:?}");
    drop(data);
    let (r, bytes) = c.fetch("RETR inside.txt");
    assert_eq!((r.code, bytes.as_slice()), (226, &b"inside"[..]));
}

#[test]
fn a_download_whose_client_stops_reading_fails_and_the_session_carries_on() {
    let top = layout();
    let share = top.path().join("share");
    std::fs::write(share.join("big.bin"), pseudo_random(64 << 20, 7)).unwrap();
    let server = start_server_with(&share, |c| c.data_timeout = Duration::from_secs(1));
    let mut c = Raw::login(server.addr(), USER, PASSWORD);
    let mut data = c.data();
    let r = c.cmd("RETR big.bin");
    assert_eq!(r.code, 150, "{r:?}");
    let mut first = [0u8; 4096];
    data.read_exact(&mut first).unwrap();
    // Read no more: the socket buffers fill and the server's writes stop moving.
    let r = c
        .reply()
        .expect("a reply while the data connection is still open");
    assert!(r.code >= 400, "{r:?}");
    drop(data);
    let (r, bytes) = c.fetch("RETR inside.txt");
    assert_eq!((r.code, bytes.as_slice()), (226, &b"inside"[..]));
}

#[test]
fn limit_rate_holds_each_transfer_to_its_rate_both_ways() {
    let top = layout();
    let share = top.path().join("share");
    let data = pseudo_random(1 << 20, 9);
    std::fs::write(share.join("one.bin"), &data).unwrap();
    // 2 MiB/s: a 1 MiB file cannot take less than half a second either way.
    let server = start_server_with(&share, |c| c.rate_limit = Some(2 << 20));
    let mut c = Raw::login(server.addr(), USER, PASSWORD);
    let started = Instant::now();
    let (r, bytes) = c.fetch("RETR one.bin");
    let took = started.elapsed();
    assert_eq!(r.code, 226, "{r:?}");
    assert!(bytes == data);
    assert!(took >= Duration::from_millis(450), "download took {took:?}");
    let started = Instant::now();
    let r = c.store("STOR back.bin", &data);
    let took = started.elapsed();
    assert_eq!(r.code, 226, "{r:?}");
    assert!(took >= Duration::from_millis(450), "upload took {took:?}");
    assert!(std::fs::read(share.join("back.bin")).unwrap() == data);
}

#[test]
fn every_refusal_is_a_line_in_the_servers_log() {
    use std::sync::{Arc, Mutex};
    let top = layout();
    let lines = Arc::new(Mutex::new(Vec::<String>::new()));
    let sink = lines.clone();
    let server = start_server_with(&top.path().join("share"), |c| {
        c.on_event = Some(Arc::new(move |l| sink.lock().unwrap().push(l)))
    });
    let mut c = Raw::login(server.addr(), USER, PASSWORD);
    assert!(c.store("STOR ../planted.txt", b"x").code >= 500);
    assert!(c.fetch("RETR ../secret.txt").0.code >= 500);
    assert!(c.cmd("DELE missing.txt").code >= 500);
    assert!(c.cmd("MKD sub").code >= 500);
    c.cmd("QUIT");
    let (mut bad, _) = Raw::connect(server.addr());
    bad.cmd(&format!("USER {USER}"));
    assert_eq!(bad.cmd("PASS wrong").code, 530);
    let text = lines.lock().unwrap().join("\n");
    for needle in [
        "upload /../planted.txt refused",
        "download /../secret.txt refused",
        "delete /missing.txt refused",
        "mkdir /sub refused",
        "login as tester refused: wrong password",
    ] {
        assert!(text.contains(needle), "{needle:?} in\n{text}");
    }
}
