//! The session worker against the real embedded server, driven through its channel exactly as
//! the UI drives it.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may stop at the first surprise

mod common;

use std::time::Duration;

use common::session::Session;
use common::*;
use ftpdeck::entry::EntryKind;
use ftpdeck::remote::session::{Listing, SessionOptions};
use ftpdeck::remote::{RemoteCmd, RemoteError, RemoteEvent};

const T: Duration = Duration::from_secs(20);

fn worker(prefer_mlsd: bool) -> Session {
    Session::start(SessionOptions {
        prefer_mlsd,
        ..SessionOptions::default()
    })
}

fn connect(s: &Session, profile: ftpdeck::remote::Profile) -> String {
    s.connect(profile)
        .unwrap_or_else(|e| panic!("connect failed: {e}"))
}

fn list(s: &Session, id: u64, path: &str) -> Result<Listing, RemoteError> {
    s.list(id, path).0
}

/// What `sample_tree` has at its root.
const ROOT_NAMES: [&str; 4] = ["empty", "hello.txt", "sub dir", "日本語.txt"];

/// The names of a listing, sorted.
fn names(listing: &Listing) -> Vec<&str> {
    let mut v: Vec<&str> = listing.entries.iter().map(|e| e.name.as_str()).collect();
    v.sort();
    v
}

fn sample_tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "hello.txt", b"hello world");
    write(dir.path(), "sub dir/inner.bin", &[0u8; 1234]);
    write(dir.path(), "日本語.txt", "こんにちは".as_bytes());
    std::fs::create_dir(dir.path().join("empty")).unwrap();
    dir
}

fn browse(prefer_mlsd: bool) {
    let tree = sample_tree();
    let server = start_server(tree.path());
    let s = worker(prefer_mlsd);
    let home = connect(&s, profile(&server));
    assert_eq!(home, "/");

    let root = list(&s, 1, "/").expect("list /");
    assert_eq!(root.path, "/");
    let mut names: Vec<(String, EntryKind, Option<u64>)> = root
        .entries
        .iter()
        .map(|e| (e.name.clone(), e.kind, e.size))
        .collect();
    names.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(names.len(), 4, "{names:?}");
    assert_eq!(names[0].0, "empty");
    assert_eq!(names[0].1, EntryKind::Dir);
    assert_eq!(names[1], ("hello.txt".into(), EntryKind::File, Some(11)));
    assert_eq!(names[2].0, "sub dir");
    assert_eq!(names[2].1, EntryKind::Dir);
    assert_eq!(names[3], ("日本語.txt".into(), EntryKind::File, Some(15)));
    assert!(root.entries.iter().all(|e| e.mtime.is_some()));

    let sub = list(&s, 2, "/sub dir").expect("enter a directory with a space");
    assert_eq!(sub.path, "/sub dir");
    assert_eq!(sub.entries.len(), 1);
    assert_eq!(sub.entries[0].name, "inner.bin");
    assert_eq!(sub.entries[0].size, Some(1234));

    let empty = list(&s, 3, "/empty").unwrap();
    assert!(empty.entries.is_empty());
    s.cmd.send(RemoteCmd::Shutdown).unwrap();
}

#[test]
fn connect_list_and_enter_with_mlsd() {
    browse(true);
}

#[test]
fn connect_list_and_enter_with_list() {
    browse(false);
}

#[test]
fn a_directory_of_20000_entries() {
    let tree = tempfile::tempdir().unwrap();
    let big = tree.path().join("big");
    std::fs::create_dir(&big).unwrap();
    for i in 0..20_000 {
        std::fs::write(big.join(format!("file-{i:05}.txt")), b"x").unwrap();
    }
    let server = start_server(tree.path());
    for prefer_mlsd in [true, false] {
        let s = worker(prefer_mlsd);
        connect(&s, profile(&server));
        let listing = list(&s, 7, "/big").unwrap();
        assert_eq!(listing.entries.len(), 20_000);
        assert!(
            listing
                .entries
                .iter()
                .all(|e| e.kind == EntryKind::File && e.size == Some(1))
        );
    }
}

#[test]
fn wrong_password_is_a_login_error() {
    let tree = sample_tree();
    let server = start_server(tree.path());
    let s = worker(true);
    let mut p = profile(&server);
    p.password = Some(ftpdeck::remote::Secret::new("wrong"));
    s.cmd.send(RemoteCmd::Connect { profile: p }).unwrap();
    let (error, _) = recv_until(&s.rx, T, |e| match e {
        RemoteEvent::ConnectFailed { error } => Some(error.clone()),
        RemoteEvent::Connected { .. } => panic!("logged in with a wrong password"),
        _ => None,
    });
    assert!(matches!(error, RemoteError::Login { .. }), "{error:?}");
    assert!(error.to_string().contains("530"), "{error}");
    // The worker survives and the right password then works.
    connect(&s, profile(&server));
}

#[test]
fn unreachable_host_is_refused() {
    let s = worker(true);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener); // nothing listens there now
    let p = ftpdeck::remote::Profile {
        host: "127.0.0.1".into(),
        port,
        ..ftpdeck::remote::Profile::anonymous("x", 21)
    };
    s.cmd.send(RemoteCmd::Connect { profile: p }).unwrap();
    let (error, _) = recv_until(&s.rx, T, |e| match e {
        RemoteEvent::ConnectFailed { error } => Some(error.clone()),
        _ => None,
    });
    assert!(matches!(error, RemoteError::Refused { .. }), "{error:?}");
}

#[test]
fn missing_directory_is_a_550_and_the_session_goes_on() {
    let tree = sample_tree();
    let server = start_server(tree.path());
    let s = worker(true);
    connect(&s, profile(&server));
    let err = list(&s, 1, "/no/such/dir").unwrap_err();
    assert!(
        matches!(err, RemoteError::Refusal { code: 550, .. }),
        "{err:?}"
    );
    assert!(!err.is_connection_lost());
    assert_eq!(names(&list(&s, 2, "/").unwrap()), ROOT_NAMES);
}

#[test]
fn server_stopped_mid_session_then_restarted() {
    let tree = sample_tree();
    let server = start_server(tree.path());
    let addr = server.addr();
    let s = worker(true);
    connect(&s, profile(&server));
    assert_eq!(names(&list(&s, 1, "/").unwrap()), ROOT_NAMES);

    server.stop();
    let err = list(&s, 2, "/").unwrap_err();
    assert!(
        err.is_connection_lost() || matches!(err, RemoteError::Refused { .. }),
        "{err:?}"
    );

    // Same address again: the next request reconnects without being asked to.
    let mut config = ftpdeck::server::ServerConfig::local(
        tree.path(),
        ftpdeck::server::ServerAuth::User {
            user: USER.into(),
            password: PASSWORD.into(),
        },
    );
    config.bind = addr;
    let _server = ftpdeck::server::start(config).expect("restart on the same port");
    s.cmd
        .send(RemoteCmd::List {
            id: 3,
            path: "/sub dir".into(),
        })
        .unwrap();
    let (result, before) = recv_until(&s.rx, T, |e| match e {
        RemoteEvent::Listed { id: 3, result, .. } => Some(result.clone()),
        _ => None,
    });
    assert_eq!(result.unwrap().entries.len(), 1);
    assert!(
        before
            .iter()
            .any(|e| matches!(e, RemoteEvent::Reconnected { .. })),
        "{before:?}"
    );
}

#[test]
fn a_burst_of_listings_is_answered_for_the_newest() {
    let tree = sample_tree();
    let server = start_server(tree.path());
    let s = worker(true);
    connect(&s, profile(&server));
    for id in 1..=20 {
        s.cmd
            .send(RemoteCmd::List {
                id,
                path: "/".into(),
            })
            .unwrap();
    }
    let (_, before) = recv_until(&s.rx, T, |e| match e {
        RemoteEvent::Listed { id: 20, .. } => Some(()),
        _ => None,
    });
    // Some of the 19 older requests may have started before the burst arrived; most are dropped.
    let answered = before
        .iter()
        .filter(|e| matches!(e, RemoteEvent::Listed { .. }))
        .count();
    assert!(answered < 19, "every listing of the burst ran: {answered}");
}

#[test]
fn a_421_greeting_says_the_server_is_busy() {
    use std::io::Write;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        s.write_all(b"421 Too many users, try later\r\n").unwrap();
    });
    let s = worker(true);
    let p = ftpdeck::remote::Profile {
        host: "127.0.0.1".into(),
        port,
        ..ftpdeck::remote::Profile::anonymous("x", 21)
    };
    s.cmd.send(RemoteCmd::Connect { profile: p }).unwrap();
    let (error, _) = recv_until(&s.rx, T, |e| match e {
        RemoteEvent::ConnectFailed { error } => Some(error.clone()),
        _ => None,
    });
    server.join().unwrap();
    assert!(matches!(error, RemoteError::Busy { .. }), "{error:?}");
    assert!(
        error.to_string().contains("busy") && error.to_string().contains("421"),
        "{error}"
    );
}
