//! Hostile and broken servers: the session worker and the transfer engine against the scripted
//! fake server in `tests/fake`, driven through their channels as the UI drives them. Every case
//! checks the exact outcome the user sees, and short timeouts make stalls fail fast.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may stop at the first surprise

mod common;
mod fake;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use common::recv_until;
use common::session::Session;
use fake::{At, FakeServer, many_files, unix_dir, unix_file, unix_line};
use ftpdeck::entry::{Entry, EntryKind};
use ftpdeck::remote::ops::ListingLimits;
use ftpdeck::remote::session::SessionOptions;
use ftpdeck::remote::{Profile, RemoteCmd, RemoteError, RemoteEvent, Secret, Timeouts};
use ftpdeck::sanitize::display_name;
use ftpdeck::transfer::{
    self, Direction, Job, JobId, Outcome, PoolOptions, TransferCmd, TransferEvent,
};

/// Deadline for any one answer; the 2 s network timeouts keep real answers far below it.
const T: Duration = Duration::from_secs(15);
/// `Jan 02 2020 00:00 UTC`, the date of the fake's `ls -l` lines.
const JAN_2_2020: i64 = 1_577_923_200;

fn timeouts() -> Timeouts {
    Timeouts {
        connect: Duration::from_secs(2),
        read: Duration::from_secs(2),
    }
}

fn profile(server: &FakeServer) -> Profile {
    Profile {
        host: "127.0.0.1".into(),
        port: server.port(),
        user: "tester".into(),
        password: Some(Secret::new("secret")),
        path: String::new(),
        ..Default::default()
    }
}

// ---------------------------------------------------------------------------------------------
// Session worker

/// The session worker with short timeouts, so that stalls fail fast.
fn session() -> Session {
    Session::start(SessionOptions {
        timeouts: timeouts(),
        ..SessionOptions::default()
    })
}

fn reconnects(events: &[RemoteEvent]) -> usize {
    events
        .iter()
        .filter(|e| matches!(e, RemoteEvent::Reconnected { .. }))
        .count()
}

/// One expected entry: raw name, what the terminal shows, kind, size, mtime.
type Expected = (String, &'static str, EntryKind, Option<u64>, Option<i64>);

fn check_entries(entries: &[Entry], expected: &[Expected]) {
    assert_eq!(entries.len(), expected.len(), "{entries:#?}");
    for (e, (name, shown, kind, size, mtime)) in entries.iter().zip(expected) {
        assert_eq!(&e.name, name, "raw name");
        assert_eq!(display_name(&e.name), *shown, "displayed name of {name:?}");
        assert!(
            !display_name(&e.name).chars().any(char::is_control),
            "{name:?} shows a control character"
        );
        assert_eq!(
            (e.kind, e.size, e.mtime),
            (*kind, *size, *mtime),
            "{name:?}"
        );
    }
}

#[test]
fn hostile_names_in_a_list_listing_come_back_raw_and_display_sanitised() {
    let lines = vec![
        unix_file("\x1b[31mred\x1b[0m", "5"),
        unix_file("\x1b]0;pwned\x07", "5"),
        unix_file("c1\u{9b}2J", "5"),
        unix_dir("\x1b[1mdir"),
        unix_file("../escape", "5"),
        unix_file("a/b", "5"),
        unix_file("a\\b", "5"),
        unix_file(b"nul\0name", "5"),
        unix_file(b"bad\xffname", "5"),
        unix_file("cr\rmid", "5"),
        unix_file("huge", "99999999999999999999999"),
        unix_file("max", "18446744073709551615"),
        unix_line('-', b"feb31", "1", "Feb 31  2020"),
        unix_line('-', b"year99999", "1", "Jan  2 99999"),
        unix_line('-', b"t2599", "1", "Jan  2 25:99"),
        unix_dir(".."),
        unix_dir("."),
        b"\x1b[2J total garbage".to_vec(),
    ];
    let server = FakeServer::builder().listing(lines).start();
    let s = session();
    s.connect(profile(&server)).expect("connect");
    let (result, _) = s.list(1, "/");
    let listing = result.expect("list /");
    assert_eq!(listing.path, "/");
    let f = |n: &str, shown, size| {
        (
            n.to_string(),
            shown,
            EntryKind::File,
            size,
            Some(JAN_2_2020),
        )
    };
    check_entries(
        &listing.entries,
        &[
            f("\x1b[31mred\x1b[0m", "?[31mred?[0m", Some(5)),
            f("\x1b]0;pwned\x07", "?]0;pwned?", Some(5)),
            f("c1\u{9b}2J", "c1?2J", Some(5)),
            (
                "\x1b[1mdir".into(),
                "?[1mdir",
                EntryKind::Dir,
                Some(4096),
                Some(JAN_2_2020),
            ),
            f("../escape", "../escape", Some(5)),
            f("a/b", "a/b", Some(5)),
            f("a\\b", "a\\b", Some(5)),
            f("nul\0name", "nul?name", Some(5)),
            // The invalid byte is kept (escaped, so it can be sent back) and shown as U+FFFD.
            f("bad\u{F7FF}name", "bad\u{FFFD}name", Some(5)),
            f("cr\rmid", "cr?mid", Some(5)),
            f("huge", "huge", None),
            f("max", "max", Some(u64::MAX)),
            ("feb31".into(), "feb31", EntryKind::File, Some(1), None),
            (
                "year99999".into(),
                "year99999",
                EntryKind::File,
                Some(1),
                None,
            ),
            ("t2599".into(), "t2599", EntryKind::File, Some(1), None),
            (
                "\x1b[2J total garbage".into(),
                "?[2J total garbage",
                EntryKind::Unknown,
                None,
                None,
            ),
        ],
    );
    assert!(server.commands().iter().any(|c| c == "LIST"));
}

#[test]
fn hostile_names_in_an_mlsd_listing_come_back_raw_and_display_sanitised() {
    let fact = |name: &[u8]| {
        let mut l = b"type=file;size=5;modify=20200102000000; ".to_vec();
        l.extend_from_slice(name);
        l
    };
    let lines = vec![
        b"type=cdir;modify=20200102000000; /".to_vec(),
        b"type=pdir;modify=20200102000000; ..".to_vec(),
        fact(b"\x1b[31mred\x1b[0m"),
        fact(b"../escape"),
        b"type=dir;modify=20200102000000; a/b".to_vec(),
        fact(b"a\\b"),
        fact(b"nul\0name"),
        fact(b"bad\xffname"),
        b"type=file;size=99999999999999999999;modify=20241345100000; absurd".to_vec(),
        b"\x1b[2J garbage".to_vec(),
    ];
    let server = FakeServer::builder().mlsd_listing("/", lines).start();
    let s = session();
    s.connect(profile(&server)).expect("connect");
    let listing = s.list(1, "/").0.expect("list /");
    let f = |n: &str, shown| {
        (
            n.to_string(),
            shown,
            EntryKind::File,
            Some(5),
            Some(JAN_2_2020),
        )
    };
    check_entries(
        &listing.entries,
        &[
            f("\x1b[31mred\x1b[0m", "?[31mred?[0m"),
            f("../escape", "../escape"),
            ("a/b".into(), "a/b", EntryKind::Dir, None, Some(JAN_2_2020)),
            f("a\\b", "a\\b"),
            f("nul\0name", "nul?name"),
            f("bad\u{F7FF}name", "bad\u{FFFD}name"),
            ("absurd".into(), "absurd", EntryKind::File, None, None),
            (
                "\x1b[2J garbage".into(),
                "?[2J garbage",
                EntryKind::Unknown,
                None,
                None,
            ),
        ],
    );
    let commands = server.commands();
    assert!(commands.iter().any(|c| c == "MLSD"), "{commands:?}");
    assert!(!commands.iter().any(|c| c == "LIST"), "{commands:?}");
}

#[test]
fn a_listing_of_200000_entries_and_100_kb_lines_parses() {
    let mut lines = many_files(200_000);
    let long_name = "x".repeat(100_000);
    lines.push(unix_file(&long_name, "7"));
    let garbage = "z".repeat(100_000);
    lines.push(garbage.clone().into_bytes());
    let server = FakeServer::builder().listing(lines).start();
    let s = session();
    s.connect(profile(&server)).expect("connect");
    let listing = s.list(1, "/").0.expect("list /");
    let entries = &listing.entries;
    assert_eq!(entries.len(), 200_002);
    for (i, e) in entries[..200_000].iter().enumerate() {
        assert_eq!(e.name, format!("file-{i:06}"));
        assert_eq!((e.kind, e.size), (EntryKind::File, Some(1)));
    }
    assert_eq!(entries[200_000].name, long_name);
    assert_eq!(
        (entries[200_000].kind, entries[200_000].size),
        (EntryKind::File, Some(7))
    );
    assert_eq!(entries[200_001].name, garbage);
    assert_eq!(entries[200_001].kind, EntryKind::Unknown);
}

#[test]
fn a_listing_that_never_ends_stops_at_the_limit_and_says_so() {
    let server = FakeServer::builder().endless_listing().start();
    let s = Session::start(SessionOptions {
        timeouts: timeouts(),
        listing_limits: ListingLimits {
            max_entries: 50_000,
            max_bytes: 1 << 30,
        },
        ..SessionOptions::default()
    });
    s.connect(profile(&server)).expect("connect");
    let listing = s.list(1, "/").0.expect("a cut listing, not an error");
    assert_eq!(listing.entries.len(), 50_000);
    assert_eq!(listing.entries[49_999].name, "endless-000000049999");
    let why = listing.truncated.expect("the listing says it was cut");
    assert!(why.contains("cut at 50000 entries"), "{why}");
    // The session goes on: the next listing (cut again) arrives too.
    let again = s.list(2, "/").0.expect("the session is still usable");
    assert_eq!(again.entries.len(), 50_000);

    // The byte limit cuts too.
    let s = Session::start(SessionOptions {
        timeouts: timeouts(),
        listing_limits: ListingLimits {
            max_entries: usize::MAX,
            max_bytes: 1 << 20,
        },
        ..SessionOptions::default()
    });
    s.connect(profile(&server)).expect("connect");
    let listing = s.list(3, "/").0.expect("a cut listing");
    assert!(listing.truncated.is_some());
    let n = listing.entries.len();
    assert!(
        (10_000..30_000).contains(&n),
        "about 1 MiB of 60-byte lines: {n}"
    );
}

#[test]
fn control_connection_dropped_mid_listing_is_connection_lost_after_one_reconnect() {
    let server = FakeServer::builder()
        .listing(many_files(10))
        .drop_control_during_listing()
        .start();
    let s = session();
    s.connect(profile(&server)).expect("connect");
    let (result, before) = s.list(1, "/");
    let err = result.expect_err("the listing cannot succeed");
    assert!(err.is_connection_lost(), "{err:?}");
    assert_eq!(
        err.to_string(),
        "connection lost: connection closed before the response (during listing)"
    );
    // One transparent reconnect, which met the same fate.
    assert_eq!(reconnects(&before), 1, "{before:?}");
    assert_eq!(server.connections(), 2);
}

#[test]
fn a_stall_mid_reply_times_out_within_seconds() {
    let server = FakeServer::builder()
        .listing(many_files(3))
        .stall_mid_reply(At::Reply("CWD"))
        .start();
    let s = session();
    s.connect(profile(&server)).expect("connect");
    let started = Instant::now();
    let (result, before) = s.list(1, "/");
    let elapsed = started.elapsed();
    assert_eq!(
        result,
        Err(RemoteError::Timeout {
            secs: 2,
            during: "changing directory".into()
        })
    );
    assert_eq!(
        result.unwrap_err().to_string(),
        "timed out after 2 s changing directory"
    );
    // One 2 s read timeout: a stalled server is not worth a transparent reconnect, which
    // would only make the user wait a second full timeout.
    assert_eq!(reconnects(&before), 0, "{before:?}");
    assert!(elapsed < Duration::from_secs(4), "took {elapsed:?}");
}

#[test]
fn a_stall_mid_greeting_fails_the_connect_with_a_timeout() {
    let server = FakeServer::builder().stall_mid_reply(At::Greeting).start();
    let s = session();
    let started = Instant::now();
    let err = s
        .connect(profile(&server))
        .expect_err("no greeting, no session");
    assert_eq!(
        err,
        RemoteError::Timeout {
            secs: 2,
            during: "waiting for the greeting".into()
        }
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn a_bad_pasv_reply_is_an_error_not_a_hang() {
    let server = FakeServer::builder()
        .listing(many_files(3))
        .bad_pasv()
        .start();
    let s = session();
    s.connect(profile(&server)).expect("connect");
    let started = Instant::now();
    let (result, before) = s.list(1, "/");
    let err = result.expect_err("no data connection, no listing");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    // The control connection is still in step: no reconnect, and it is not reported lost.
    assert!(!err.is_connection_lost(), "{err:?}");
    assert_eq!(reconnects(&before), 0);
    assert!(
        err.to_string().contains("(127,0,0,1,300,1)"),
        "the message should show the bad address: {err}"
    );
    // The worker survives and answers the next request the same way.
    let (again, _) = s.list(2, "/");
    assert_eq!(again.unwrap_err(), err);
    assert_eq!(server.connections(), 1);
}

#[test]
fn a_malformed_reply_code_in_the_greeting_fails_the_connect() {
    let server = FakeServer::builder()
        .malformed_reply_code(At::Greeting)
        .start();
    let s = session();
    let err = s
        .connect(profile(&server))
        .expect_err("a greeting without a code");
    assert_eq!(
        err,
        RemoteError::Protocol {
            detail: "malformed reply (during waiting for the greeting)".into()
        }
    );
}

#[test]
fn a_malformed_reply_code_to_a_command_fails_the_listing() {
    let server = FakeServer::builder()
        .listing(many_files(3))
        .malformed_reply_code(At::Reply("CWD"))
        .start();
    let s = session();
    s.connect(profile(&server)).expect("connect");
    let (result, before) = s.list(1, "/");
    assert_eq!(
        result,
        Err(RemoteError::Protocol {
            detail: "malformed reply (during changing directory)".into()
        })
    );
    assert_eq!(reconnects(&before), 1, "{before:?}");
}

#[test]
fn an_endless_multiline_greeting_is_refused() {
    let server = FakeServer::builder().endless_multiline_reply().start();
    let s = session();
    let started = Instant::now();
    let err = s
        .connect(profile(&server))
        .expect_err("an endless greeting");
    assert_eq!(
        err,
        RemoteError::Protocol {
            detail: "its reply never ended (the server sent a reply larger than 262144 bytes, \
                     during waiting for the greeting)"
                .into()
        }
    );
    assert!(err.to_string().contains("reply never ended"), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn a_pasv_reply_naming_another_address_still_lists() {
    let server = FakeServer::builder()
        .listing(many_files(5))
        .pasv_announces(std::net::Ipv4Addr::new(127, 0, 0, 2))
        .start();
    // Nothing listens on 127.0.0.2: the fake's sockets are bound to 127.0.0.1 only, so only the
    // passive NAT workaround (using the control connection's peer address) can reach them.
    let elsewhere = std::net::SocketAddr::from(([127, 0, 0, 2], server.port()));
    assert!(std::net::TcpStream::connect_timeout(&elsewhere, Duration::from_secs(1)).is_err());
    let s = session();
    s.connect(profile(&server)).expect("connect");
    let listing = s
        .list(1, "/")
        .0
        .expect("list / through the control peer's address");
    assert_eq!(listing.entries.len(), 5);
}

#[test]
fn trusting_the_announced_pasv_address_is_an_opt_in_that_really_uses_it() {
    let server = FakeServer::builder()
        .listing(many_files(5))
        .pasv_announces(std::net::Ipv4Addr::new(127, 0, 0, 2))
        .start();
    let s = session();
    let mut p = profile(&server);
    p.trust_pasv_address = true;
    s.cmd.send(RemoteCmd::Connect { profile: p }).unwrap();
    recv_until(&s.rx, T, |e| match e {
        RemoteEvent::Connected { .. } => Some(()),
        RemoteEvent::ConnectFailed { error } => panic!("{error}"),
        _ => None,
    });
    // The data connection goes to 127.0.0.2 as announced, where nothing listens.
    let err = s
        .list(1, "/")
        .0
        .expect_err("nothing listens at the announced address");
    assert!(
        !err.is_connection_lost(),
        "the control connection is fine: {err:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Transfer engine

struct Engine {
    cmd: Sender<TransferCmd>,
    rx: Receiver<TransferEvent>,
    next: JobId,
}

/// Everything a run reported.
struct Run {
    /// Every job seen (queued and added), by id.
    jobs: HashMap<JobId, Job>,
    outcomes: HashMap<JobId, Outcome>,
    events: Vec<TransferEvent>,
}

impl Run {
    /// Each retry announced: the job and the error that caused it.
    fn retries(&self) -> Vec<(JobId, String)> {
        self.events
            .iter()
            .filter_map(|e| match e {
                TransferEvent::Retrying { id, error, .. } => Some((*id, error.clone())),
                _ => None,
            })
            .collect()
    }
}

impl Engine {
    fn start(server: &FakeServer) -> Engine {
        let (tx, rx) = mpsc::channel();
        let options = PoolOptions {
            workers: 1,
            timeouts: timeouts(),
            retries: 1,
            backoff: Duration::from_millis(50),
            ..PoolOptions::default()
        };
        let cmd = transfer::spawn(tx, options);
        cmd.send(TransferCmd::SetProfile(profile(server))).unwrap();
        Engine { cmd, rx, next: 0 }
    }

    fn download(&mut self, remote: &str, local: &Path, is_dir: bool) -> Job {
        self.next += 1;
        Job {
            batch: 1,
            ..Job::new(self.next, Direction::Download, remote, local, is_dir)
        }
    }

    /// An upload to a destination known to be absent (as a tree upload into a directory it
    /// made, or a sync's missing file, has it).
    fn upload_new(&mut self, local: &Path, remote: &str) -> Job {
        self.next += 1;
        new_upload(self.next, local, remote)
    }

    /// Queue `jobs` and wait until each of them and every child has finished.
    fn run(&self, jobs: Vec<Job>) -> Run {
        self.cmd.send(TransferCmd::Enqueue(jobs.clone())).unwrap();
        self.wait(jobs)
    }

    /// Wait until each of `jobs` (queued already) and every child has finished.
    fn wait(&self, jobs: Vec<Job>) -> Run {
        let mut run = Run {
            jobs: jobs.iter().map(|j| (j.id, j.clone())).collect(),
            outcomes: HashMap::new(),
            events: Vec::new(),
        };
        let mut open: HashSet<JobId> = run.jobs.keys().copied().collect();
        let deadline = Instant::now() + T;
        while !open.is_empty() {
            let left = deadline.saturating_duration_since(Instant::now());
            let event = self.rx.recv_timeout(left).unwrap_or_else(|_| {
                panic!("jobs {open:?} never finished; events: {:#?}", run.events)
            });
            match &event {
                TransferEvent::Added { job } => {
                    open.insert(job.id);
                    run.jobs.insert(job.id, job.clone());
                }
                TransferEvent::Finished { id, outcome } => {
                    open.remove(id);
                    run.outcomes.insert(*id, outcome.clone());
                }
                TransferEvent::Conflict { id, .. } => panic!("unexpected conflict for job {id}"),
                _ => {}
            }
            run.events.push(event);
        }
        run
    }
}

/// Every path under `root`, relative, sorted (directories end with `/`).
fn tree(root: &Path) -> Vec<String> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            let rel = p.strip_prefix(base).unwrap().to_string_lossy().into_owned();
            if std::fs::symlink_metadata(&p).unwrap().is_dir() {
                out.push(format!("{rel}/"));
                walk(base, &p, out);
            } else {
                out.push(rel);
            }
        }
    }
    let mut out = Vec::new();
    walk(root, root, &mut out);
    out.sort();
    out
}

fn pseudo_random(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(6_364_136_223_846_793_005) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

#[test]
fn a_directory_download_refuses_unsafe_names_and_writes_nothing_outside() {
    let evil = "\x1b[31mevil";
    let server = FakeServer::builder()
        .dir_listing(
            "/dir",
            vec![
                unix_dir("."),
                unix_dir(".."),
                unix_file("normal.txt", "5"),
                unix_file("../escape", "7"),
                unix_file("a/b", "2"),
                unix_dir("../up"),
                unix_file("a\\b", "2"),
                unix_file(evil, "4"),
            ],
        )
        .file("/dir/normal.txt", "hello")
        .file("/dir/../escape", "ESCAPED")
        .file("/dir/a/b", "AB")
        .file("/dir/a\\b", "AB")
        .file(&format!("/dir/{evil}"), "EVIL")
        .start();
    let root = tempfile::tempdir().unwrap();
    let dest = root.path().join("dest");
    let mut e = Engine::start(&server);
    let job = e.download("/dir", &dest, true);
    let run = e.run(vec![job.clone()]);

    assert_eq!(run.outcomes[&job.id], Outcome::Expanded { children: 6 });
    let mut by_remote: HashMap<String, Outcome> = HashMap::new();
    for (id, outcome) in &run.outcomes {
        if *id != job.id {
            by_remote.insert(run.jobs[id].remote.clone(), outcome.clone());
        }
    }
    // "." and ".." are the directory itself and its parent: the listing parser drops them, so
    // they never become jobs at all.
    let mut remotes: Vec<&str> = by_remote.keys().map(String::as_str).collect();
    remotes.sort();
    let evil_remote = format!("/dir/{evil}");
    let mut want = vec![
        "/dir/normal.txt",
        "/dir/../escape",
        "/dir/a/b",
        "/dir/../up",
        "/dir/a\\b",
        evil_remote.as_str(),
    ];
    want.sort();
    assert_eq!(remotes, want);
    assert!(
        matches!(by_remote["/dir/normal.txt"], Outcome::Done { bytes: 5, .. }),
        "{:?}",
        by_remote["/dir/normal.txt"]
    );
    let refused = |remote: &str, error: &str| {
        assert_eq!(
            by_remote[remote],
            Outcome::Failed {
                error: ftpdeck::transfer::TaskError::Other(error.into())
            },
            "{remote:?}"
        );
    };
    refused(
        "/dir/../escape",
        r#"refused to write name "../escape" contains a path separator"#,
    );
    refused(
        "/dir/a/b",
        r#"refused to write name "a/b" contains a path separator"#,
    );
    refused(
        "/dir/../up",
        r#"refused to write name "../up" contains a path separator"#,
    );
    refused(
        "/dir/a\\b",
        r#"refused to write name "a\\b" contains a path separator"#,
    );
    refused(
        &evil_remote,
        r#"refused to write name "?[31mevil" contains a NUL or control character"#,
    );
    // Each refused entry was announced (Added) before it was reported failed.
    for (i, event) in run.events.iter().enumerate() {
        if let TransferEvent::Finished { id, .. } = event {
            if *id != job.id {
                let added = run.events[..i]
                    .iter()
                    .any(|e| matches!(e, TransferEvent::Added { job } if job.id == *id));
                assert!(added, "job {id} finished without being added");
            }
        }
    }

    // Nothing outside the destination, exactly the safe file inside it.
    assert_eq!(tree(root.path()), ["dest/", "dest/normal.txt"]);
    assert_eq!(std::fs::read(dest.join("normal.txt")).unwrap(), b"hello");
    // The refused names were never even asked for.
    let retrs: Vec<String> = server
        .commands()
        .into_iter()
        .filter(|c| c.starts_with("RETR"))
        .collect();
    assert_eq!(retrs, ["RETR /dir/normal.txt"]);
}

fn early_close(reply_426: bool) {
    let data = pseudo_random(100_000, 7);
    let builder = FakeServer::builder().file("/big.bin", data.clone());
    let server = if reply_426 {
        builder.close_data_early_426(10_000)
    } else {
        builder.close_data_early(10_000)
    }
    .start();
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("big.bin");
    let part: PathBuf = dir.path().join("big.bin.part");
    let mut e = Engine::start(&server);
    let job = e.download("/big.bin", &target, false);
    let run = e.run(vec![job.clone()]);

    // Each try gets 10 000 bytes: the retry resumes from the .part (REST 10000) and the
    // connection breaks again, so after the one retry 20 000 of 100 000 bytes are there.
    let (first, last) = if reply_426 {
        let m = format!(
            "426 Connection closed; transfer aborted (kept {} for resume)",
            part.display()
        );
        (m.clone(), m)
    } else {
        let m = |n| {
            format!(
                "the server sent {n} of 100000 bytes; kept {} for resume",
                part.display()
            )
        };
        (m(10_000), m(20_000))
    };
    let retries: Vec<&TransferEvent> = run
        .events
        .iter()
        .filter(|e| matches!(e, TransferEvent::Retrying { .. }))
        .collect();
    assert_eq!(
        retries,
        [&TransferEvent::Retrying {
            id: job.id,
            attempt: 1,
            error: first
        }]
    );
    match &run.outcomes[&job.id] {
        Outcome::Failed { error } => assert_eq!(error.to_string(), last),
        other => panic!("expected a failure, got {other:?}"),
    }
    assert!(!target.exists(), "a short download was renamed into place");
    assert_eq!(std::fs::read(&part).unwrap(), &data[..20_000]);
    assert_eq!(tree(dir.path()), ["big.bin.part"]);
    let commands = server.commands();
    assert!(commands.iter().any(|c| c == "REST 10000"), "{commands:?}");
    assert_eq!(server.connections(), 2);
}

#[test]
fn a_data_connection_closed_early_with_226_fails_and_keeps_the_part() {
    early_close(false);
}

#[test]
fn a_data_connection_closed_early_with_426_fails_and_keeps_the_part() {
    early_close(true);
}

#[test]
fn a_pasv_reply_naming_another_address_still_downloads() {
    let data = pseudo_random(300_000, 9);
    let server = FakeServer::builder()
        .file("/nat.bin", data.clone())
        .pasv_announces(std::net::Ipv4Addr::new(127, 0, 0, 2))
        .start();
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("nat.bin");
    let mut e = Engine::start(&server);
    let job = e.download("/nat.bin", &target, false);
    let run = e.run(vec![job.clone()]);
    assert!(
        matches!(run.outcomes[&job.id], Outcome::Done { bytes: 300_000, .. }),
        "{:?}",
        run.outcomes[&job.id]
    );
    assert_eq!(std::fs::read(&target).unwrap(), data);
    assert_eq!(tree(dir.path()), ["nat.bin"]);
    assert_eq!(run.retries(), [], "{:?}", run.events);
}

/// `/a.bin` and `/b.bin` with contents `a` and `b` on a server scripted by `script`, downloaded
/// by a one-worker pool into a new directory.
fn two_downloads(
    script: fake::Script,
    a: &[u8],
    b: &[u8],
) -> (FakeServer, tempfile::TempDir, [Job; 2], Run) {
    let server = script.file("/a.bin", a).file("/b.bin", b).start();
    let dir = tempfile::tempdir().unwrap();
    let mut e = Engine::start(&server);
    let ja = e.download("/a.bin", &dir.path().join("a.bin"), false);
    let jb = e.download("/b.bin", &dir.path().join("b.bin"), false);
    let run = e.run(vec![ja.clone(), jb.clone()]);
    (server, dir, [ja, jb], run)
}

/// A download's PASV and RETR go out in one packet (pipelining); a server that reads only the
/// first command leaves RETR unanswered. That costs one read timeout: the retry reconnects,
/// and from then on the pool sends one command at a time, so the next file has no wait.
#[test]
fn a_server_that_drops_pipelined_commands_costs_one_timeout_then_gets_one_at_a_time() {
    let a = pseudo_random(50_000, 11);
    let b = pseudo_random(70_000, 12);
    let (server, dir, [ja, jb], run) =
        two_downloads(FakeServer::builder().one_command_per_read(), &a, &b);
    for (job, bytes) in [(&ja, 50_000), (&jb, 70_000)] {
        assert!(
            matches!(run.outcomes[&job.id], Outcome::Done { bytes: n, .. } if n == bytes),
            "{:?}",
            run.outcomes[&job.id]
        );
    }
    assert_eq!(std::fs::read(dir.path().join("a.bin")).unwrap(), a);
    assert_eq!(std::fs::read(dir.path().join("b.bin")).unwrap(), b);
    assert_eq!(tree(dir.path()), ["a.bin", "b.bin"]);
    let retries = run.retries();
    assert_eq!(retries.len(), 1, "{retries:?}");
    assert_eq!(retries[0].0, ja.id);
    assert!(retries[0].1.contains("timed out"), "{retries:?}");
    // The dropped RETR never reached the server; each file was asked for once, in lock-step.
    let commands = server.commands();
    let retrs: Vec<&String> = commands.iter().filter(|c| c.starts_with("RETR")).collect();
    assert_eq!(retrs, ["RETR /a.bin", "RETR /b.bin"], "{commands:?}");
    assert_eq!(server.connections(), 2, "{commands:?}");
}

/// A refused EPSV has the RETR sent behind it answered too (425): both replies are read, so
/// the error is EPSV's and the same connection serves the next file with replies in step.
#[test]
fn a_refused_epsv_with_retr_pipelined_behind_it_leaves_the_session_in_step() {
    let (a, b) = (pseudo_random(1_000, 13), pseudo_random(2_000, 14));
    let (server, dir, [ja, jb], run) =
        two_downloads(FakeServer::builder().feat_lists_epsv(), &a, &b);
    for job in [&ja, &jb] {
        match &run.outcomes[&job.id] {
            Outcome::Failed { error } => {
                assert!(error.to_string().contains("502 Only PASV here"), "{error}")
            }
            other => panic!("expected EPSV's refusal, got {other:?}"),
        }
    }
    assert_eq!(run.retries(), [], "{:?}", run.events);
    let commands = server.commands();
    let sent: Vec<&String> = commands
        .iter()
        .filter(|c| c.starts_with("EPSV") || c.starts_with("RETR") || c.starts_with("SIZE"))
        .collect();
    assert_eq!(
        sent,
        [
            "SIZE /a.bin",
            "EPSV",
            "RETR /a.bin",
            "SIZE /b.bin",
            "EPSV",
            "RETR /b.bin"
        ],
        "{commands:?}"
    );
    assert_eq!(server.connections(), 1, "{commands:?}");
    assert_eq!(tree(dir.path()), Vec::<String>::new());
}

/// Job `id`: an upload to a destination known to be absent.
fn new_upload(id: JobId, local: &Path, remote: &str) -> Job {
    Job {
        batch: 1,
        known_absent: true,
        ..Job::new(id, Direction::Upload, remote, local, false)
    }
}

/// `a.bin`, `b.bin`, `c.bin` of different sizes in a new local directory, uploaded to `/` as
/// new files by a one-worker pool on a server scripted by `script`.
fn three_uploads(script: fake::Script) -> (FakeServer, [Vec<u8>; 3], [Job; 3], Run) {
    let server = script.start();
    let dir = tempfile::tempdir().unwrap();
    let data = [
        pseudo_random(40_000, 21),
        pseudo_random(70_001, 22),
        pseudo_random(1, 23),
    ];
    let mut e = Engine::start(&server);
    let jobs = ["a", "b", "c"].map(|n| {
        let local = dir.path().join(format!("{n}.bin"));
        std::fs::write(&local, &data[n.as_bytes()[0] as usize - b'a' as usize]).unwrap();
        e.upload_new(&local, &format!("/{n}.bin"))
    });
    let run = e.run(jobs.to_vec());
    (server, data, jobs, run)
}

/// Every one of `three_uploads`' files was reported done with all its bytes, and the server
/// holds each one as it was sent.
fn all_arrived_whole(server: &FakeServer, data: &[Vec<u8>; 3], jobs: &[Job; 3], run: &Run) {
    for (job, bytes) in jobs.iter().zip(data) {
        assert!(
            matches!(run.outcomes[&job.id], Outcome::Done { bytes: n, .. } if n == bytes.len() as u64),
            "{:?}",
            run.outcomes[&job.id]
        );
        assert_eq!(server.file(&job.remote).as_deref(), Some(&bytes[..]));
    }
}

/// The jobs whose `Finished` event waits (see `Gated`); each test holds its own job ids.
static HELD: (Mutex<Vec<JobId>>, Condvar) = (Mutex::new(Vec::new()), Condvar::new());

/// Hold the worker that reports job `id` finished until [`release`].
fn hold(id: JobId) {
    HELD.0.lock().unwrap().push(id);
}

fn release(id: JobId) {
    HELD.0.lock().unwrap().retain(|h| *h != id);
    HELD.1.notify_all();
}

/// An event as the pool sends it, except that the `Finished` event of a job [`hold`] holds
/// waits for its [`release`]: the worker is held right after that transfer is done.
struct Gated(TransferEvent);

impl From<TransferEvent> for Gated {
    fn from(e: TransferEvent) -> Gated {
        if let TransferEvent::Finished { id, .. } = &e {
            let mut held = HELD.0.lock().unwrap();
            while held.contains(id) {
                held = HELD.1.wait(held).unwrap();
            }
        }
        Gated(e)
    }
}

/// A one-worker pool on `server` whose events are [`Gated`].
fn gated_pool(server: &FakeServer) -> (Sender<TransferCmd>, Receiver<Gated>) {
    let (tx, rx) = mpsc::channel::<Gated>();
    let cmd = transfer::spawn(
        tx,
        PoolOptions {
            workers: 1,
            timeouts: timeouts(),
            ..PoolOptions::default()
        },
    );
    cmd.send(TransferCmd::SetProfile(profile(server))).unwrap();
    (cmd, rx)
}

/// Wait until the server has been sent `command`.
fn wait_for_command(server: &FakeServer, command: &str, why: &str) {
    let deadline = Instant::now() + T;
    while !server.commands().iter().any(|c| c == command) {
        assert!(
            Instant::now() < deadline,
            "{why}: no {command:?} in {:?}",
            server.commands()
        );
        std::thread::yield_now();
    }
}

/// The outcomes of the next `n` jobs to finish.
fn outcomes(rx: &Receiver<Gated>, n: usize) -> HashMap<JobId, Outcome> {
    let mut ended = HashMap::new();
    while ended.len() < n {
        if let TransferEvent::Finished { id, outcome } = rx.recv_timeout(T).expect("jobs end").0 {
            ended.insert(id, outcome);
        }
    }
    ended
}

/// On one connection, the next new file's PASV and STOR go out as soon as the last file's
/// SIZE has confirmed it, before that file is even reported finished, so the server opens
/// the next data port and file while the client finishes the last one; every file still
/// arrives whole and each one is checked by its SIZE.
#[test]
fn the_next_new_files_stor_goes_out_before_the_last_upload_is_reported_finished() {
    let server = FakeServer::builder().start();
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (pseudo_random(40_000, 41), pseudo_random(70_001, 42));
    std::fs::write(dir.path().join("a.bin"), &a).unwrap();
    std::fs::write(dir.path().join("b.bin"), &b).unwrap();
    let (cmd, rx) = gated_pool(&server);
    let ja = new_upload(1, &dir.path().join("a.bin"), "/a.bin");
    let jb = new_upload(2, &dir.path().join("b.bin"), "/b.bin");
    hold(ja.id);
    cmd.send(TransferCmd::Enqueue(vec![ja.clone(), jb.clone()]))
        .unwrap();
    // The worker is held in reporting a's end: b's STOR must be out already.
    wait_for_command(
        &server,
        "STOR /b.bin",
        "b's STOR did not go out while a was being reported",
    );
    release(ja.id);
    let ended = outcomes(&rx, 2);
    for (job, bytes) in [(&ja, &a), (&jb, &b)] {
        assert!(
            matches!(ended[&job.id], Outcome::Done { bytes: n, .. } if n == bytes.len() as u64),
            "{:?}",
            ended[&job.id]
        );
        assert_eq!(server.file(&job.remote).as_deref(), Some(&bytes[..]));
    }
    let commands = server.commands();
    let sent: Vec<&String> = commands
        .iter()
        .filter(|c| c.starts_with("STOR") || c.starts_with("SIZE") || c.starts_with("PASV"))
        .collect();
    assert_eq!(
        sent,
        [
            "PASV",
            "STOR /a.bin",
            "SIZE /a.bin",
            "PASV",
            "STOR /b.bin",
            "SIZE /b.bin"
        ],
        "{commands:?}"
    );
    assert_eq!(server.connections(), 1, "{commands:?}");
    let _ = cmd.send(TransferCmd::Shutdown);
}

/// A download whose size the listing gave, as a tree's children have it.
fn sized_download(id: JobId, remote: &str, local: &Path, size: usize) -> Job {
    Job {
        batch: 1,
        size: Some(size as u64),
        ..Job::new(id, Direction::Download, remote, local, false)
    }
}

/// `a.bin`, `b.bin` and `c.bin` on a fake server scripted by `script`, and one-worker
/// download jobs (ids from `first_id`) into a new local directory.
fn three_downloads(
    script: fake::Script,
    first_id: JobId,
) -> (FakeServer, tempfile::TempDir, [Vec<u8>; 3], [Job; 3]) {
    let data = [
        pseudo_random(40_000, 51),
        pseudo_random(70_001, 52),
        pseudo_random(3, 53),
    ];
    let server = script
        .file("/a.bin", data[0].clone())
        .file("/b.bin", data[1].clone())
        .file("/c.bin", data[2].clone())
        .start();
    let dir = tempfile::tempdir().unwrap();
    let jobs = [0, 1, 2].map(|i| {
        let name = ["a.bin", "b.bin", "c.bin"][i];
        sized_download(
            first_id + i as u64,
            &format!("/{name}"),
            &dir.path().join(name),
            data[i].len(),
        )
    });
    (server, dir, data, jobs)
}

/// Each of `jobs` ended done with all its bytes, and its local file holds them.
fn all_downloaded_whole(ended: &HashMap<JobId, Outcome>, jobs: &[Job], data: &[Vec<u8>]) {
    for (job, bytes) in jobs.iter().zip(data) {
        assert!(
            matches!(ended[&job.id], Outcome::Done { bytes: n, .. } if n == bytes.len() as u64),
            "{:?}",
            ended[&job.id]
        );
        assert_eq!(std::fs::read(&job.local).unwrap(), *bytes);
    }
}

/// On one connection, the next download's PASV and RETR go out as soon as the last file's
/// transfer is confirmed, before that file is put in place and reported, so the server opens
/// the next data port and file meanwhile; every file still arrives whole, on one connection.
#[test]
fn the_next_download_goes_out_before_the_last_one_is_reported_finished() {
    let (server, dir, data, jobs) = three_downloads(FakeServer::builder(), 201);
    let (cmd, rx) = gated_pool(&server);
    hold(jobs[0].id);
    cmd.send(TransferCmd::Enqueue(jobs.to_vec())).unwrap();
    // The worker is held in reporting a's end: b's RETR must be out already.
    wait_for_command(
        &server,
        "RETR /b.bin",
        "b's RETR did not go out while a was being reported",
    );
    release(jobs[0].id);
    let ended = outcomes(&rx, 3);
    all_downloaded_whole(&ended, &jobs, &data);
    let commands = server.commands();
    let sent: Vec<&String> = commands
        .iter()
        .filter(|c| c.starts_with("RETR") || c.starts_with("PASV") || c.starts_with("SIZE"))
        .collect();
    assert_eq!(
        sent,
        [
            "PASV",
            "RETR /a.bin",
            "PASV",
            "RETR /b.bin",
            "PASV",
            "RETR /c.bin"
        ],
        "{commands:?}"
    );
    assert_eq!(server.connections(), 1, "{commands:?}");
    assert_eq!(tree(dir.path()), ["a.bin", "b.bin", "c.bin"]);
    let _ = cmd.send(TransferCmd::Shutdown);
}

/// A download whose RETR went out ahead and which is cancelled before it starts: its
/// transfer is taken back without writing anything (no file, no `.part`), and the file after
/// it arrives whole on the same connection.
#[test]
fn a_download_sent_ahead_and_cancelled_writes_nothing_and_the_next_one_arrives_whole() {
    let (server, dir, data, jobs) = three_downloads(FakeServer::builder(), 211);
    let (cmd, rx) = gated_pool(&server);
    hold(jobs[0].id);
    cmd.send(TransferCmd::Enqueue(jobs.to_vec())).unwrap();
    wait_for_command(&server, "RETR /b.bin", "b's RETR did not go out ahead");
    cmd.send(TransferCmd::Cancel(jobs[1].id)).unwrap();
    release(jobs[0].id);
    let ended = outcomes(&rx, 3);
    assert!(
        matches!(ended[&jobs[1].id], Outcome::Cancelled),
        "{:?}",
        ended[&jobs[1].id]
    );
    for i in [0, 2] {
        assert!(
            matches!(ended[&jobs[i].id], Outcome::Done { bytes: n, .. } if n == data[i].len() as u64),
            "{:?}",
            ended[&jobs[i].id]
        );
        assert_eq!(std::fs::read(&jobs[i].local).unwrap(), data[i]);
    }
    assert_eq!(tree(dir.path()), ["a.bin", "c.bin"]);
    let commands = server.commands();
    assert_eq!(
        commands.iter().filter(|c| *c == "RETR /b.bin").count(),
        1,
        "{commands:?}"
    );
    assert_eq!(server.connections(), 1, "{commands:?}");
    let _ = cmd.send(TransferCmd::Shutdown);
}

/// The file after the first has a `.part` left from an earlier try: it is not sent ahead
/// (a resume needs `REST` first), resumes from where the `.part` ends, and arrives whole.
#[test]
fn a_download_that_resumes_its_part_is_not_sent_ahead_and_resumes_with_rest() {
    let (server, dir, data, jobs) = three_downloads(FakeServer::builder(), 221);
    std::fs::write(dir.path().join("b.bin.part"), &data[1][..30_000]).unwrap();
    let (cmd, rx) = gated_pool(&server);
    cmd.send(TransferCmd::Enqueue(jobs.to_vec())).unwrap();
    let ended = outcomes(&rx, 3);
    for (job, bytes) in jobs.iter().zip(&data) {
        assert!(ended[&job.id].is_success(), "{:?}", ended[&job.id]);
        assert_eq!(std::fs::read(&job.local).unwrap(), *bytes);
    }
    assert!(
        matches!(ended[&jobs[1].id], Outcome::Done { bytes: n, .. } if n == 40_001),
        "b resumed after its 30,000 bytes: {:?}",
        ended[&jobs[1].id]
    );
    let commands = server.commands();
    let b = commands.iter().position(|c| c == "RETR /b.bin").unwrap();
    assert_eq!(commands[b - 1], "REST 30000", "{commands:?}");
    assert_eq!(
        commands.iter().filter(|c| *c == "RETR /b.bin").count(),
        1,
        "{commands:?}"
    );
    assert_eq!(server.connections(), 1, "{commands:?}");
    assert_eq!(tree(dir.path()), ["a.bin", "b.bin", "c.bin"]);
    let _ = cmd.send(TransferCmd::Shutdown);
}

/// A thread that takes the pool's events only when it wakes (`wake_when_idle`), as a headless
/// run without its live line does: it parks without a timeout, and the pool must wake it
/// once `run` has made every job end, with every event in. Returns the outcomes.
fn taken_by_a_parked_thread(
    server: &FakeServer,
    workers: usize,
    run: impl FnOnce(&Sender<TransferCmd>) -> usize + Send + 'static,
) -> HashMap<JobId, Outcome> {
    let (done_tx, done_rx) = mpsc::channel();
    let profile = profile(server);
    std::thread::spawn(move || {
        let (tx, rx) = mpsc::channel::<TransferEvent>();
        let cmd = transfer::spawn(
            tx,
            PoolOptions {
                workers,
                timeouts: timeouts(),
                live_events: false,
                wake_when_idle: Some(std::thread::current()),
                ..PoolOptions::default()
            },
        );
        let n = run(&cmd);
        cmd.send(TransferCmd::SetProfile(profile)).unwrap();
        let mut ended = HashMap::new();
        while ended.len() < n {
            match rx.try_recv() {
                Ok(TransferEvent::Finished { id, outcome }) => {
                    ended.insert(id, outcome);
                }
                Ok(_) => {}
                Err(mpsc::TryRecvError::Empty) => std::thread::park(),
                Err(mpsc::TryRecvError::Disconnected) => break,
            }
        }
        let _ = cmd.send(TransferCmd::Shutdown);
        let _ = done_tx.send(ended);
    });
    done_rx
        .recv_timeout(T)
        .expect("the parked thread was not woken when every job had ended")
}

/// The pool wakes a thread that sleeps until it is done, once the last of several parallel
/// downloads has ended, and every outcome is in by then.
#[test]
fn a_thread_that_sleeps_until_the_pool_is_done_is_woken_with_every_outcome_in() {
    let (server, _dir, data, jobs) = three_downloads(FakeServer::builder(), 231);
    let queued = jobs.to_vec();
    let ended = taken_by_a_parked_thread(&server, 2, move |cmd| {
        cmd.send(TransferCmd::Enqueue(queued)).unwrap();
        3
    });
    all_downloaded_whole(&ended, &jobs, &data);
}

/// Jobs that end without a worker (cancelled while queued, before any server was set) wake
/// the sleeping thread too.
#[test]
fn jobs_cancelled_in_the_queue_wake_a_thread_that_sleeps_until_the_pool_is_done() {
    let (server, _dir, _data, jobs) = three_downloads(FakeServer::builder(), 241);
    let queued = jobs.to_vec();
    let ended = taken_by_a_parked_thread(&server, 1, move |cmd| {
        let ids: Vec<JobId> = queued.iter().map(|j| j.id).collect();
        cmd.send(TransferCmd::Enqueue(queued)).unwrap();
        for id in ids {
            cmd.send(TransferCmd::Cancel(id)).unwrap();
        }
        3
    });
    for job in &jobs {
        assert!(matches!(ended[&job.id], Outcome::Cancelled), "{ended:?}");
        assert!(!job.local.exists());
    }
    assert!(server.commands().iter().all(|c| !c.starts_with("RETR")));
}

/// The server refuses an upload once its data is in (a full disk): nothing goes out behind a
/// refused file, the next file is sent whole, and the refused one fails with the server's
/// words, with nothing of it kept.
#[test]
fn a_refused_upload_fails_alone_and_the_next_new_file_arrives_whole() {
    let (server, data, jobs, run) =
        three_uploads(FakeServer::builder().refuse_upload("/a.bin", "452 Disk full"));
    match &run.outcomes[&jobs[0].id] {
        Outcome::Failed { error } => {
            assert!(error.to_string().contains("452 Disk full"), "{error}")
        }
        other => panic!("the refused upload ended {other:?}"),
    }
    assert_eq!(server.file("/a.bin"), None);
    for (job, bytes) in jobs[1..].iter().zip(&data[1..]) {
        assert!(
            matches!(run.outcomes[&job.id], Outcome::Done { bytes: n, .. } if n == bytes.len() as u64),
            "{:?}",
            run.outcomes[&job.id]
        );
        assert_eq!(server.file(&job.remote).as_deref(), Some(&bytes[..]));
    }
    // The refusal is final (no retry), and b and c each got one STOR, c's sent ahead.
    let stors: Vec<String> = server
        .commands()
        .into_iter()
        .filter(|c| c.starts_with("STOR"))
        .collect();
    assert_eq!(stors, ["STOR /a.bin", "STOR /b.bin", "STOR /c.bin"]);
    assert_eq!(run.retries(), [], "{:?}", run.events);
    assert_eq!(server.connections(), 1, "{:?}", server.commands());
}

/// A new file whose STOR went out ahead, cancelled before a byte of it was sent (the server
/// holds that STOR's reply until the cancel is in): no empty file is left on the server, the
/// file before it arrives whole and the one after it too.
#[test]
fn a_new_upload_cancelled_before_its_first_byte_leaves_no_empty_file_behind() {
    let server = FakeServer::builder().hold_at("STOR /b.bin").start();
    let dir = tempfile::tempdir().unwrap();
    let (a, b, c) = (
        pseudo_random(40_000, 31),
        pseudo_random(70_000, 32),
        pseudo_random(5_000, 33),
    );
    for (name, bytes) in [("a.bin", &a), ("b.bin", &b), ("c.bin", &c)] {
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    let mut e = Engine::start(&server);
    let ja = e.upload_new(&dir.path().join("a.bin"), "/a.bin");
    let jb = e.upload_new(&dir.path().join("b.bin"), "/b.bin");
    let jc = e.upload_new(&dir.path().join("c.bin"), "/c.bin");
    let jobs = vec![ja.clone(), jb.clone(), jc.clone()];
    e.cmd.send(TransferCmd::Enqueue(jobs.clone())).unwrap();
    let deadline = Instant::now() + T;
    while !server.commands().iter().any(|c| c == "STOR /b.bin") {
        assert!(Instant::now() < deadline, "{:?}", server.commands());
        std::thread::yield_now();
    }
    e.cmd.send(TransferCmd::Cancel(jb.id)).unwrap();
    // The pool takes commands in order: a second upload to c's destination is refused at once,
    // and once that is reported the cancel is in, before the server may answer b's STOR.
    let barrier = new_upload(99, &dir.path().join("c.bin"), "/c.bin");
    e.cmd.send(TransferCmd::Enqueue(vec![barrier])).unwrap();
    let mut early = HashMap::new();
    loop {
        match e
            .rx
            .recv_timeout(T)
            .expect("the second upload to c is refused")
        {
            TransferEvent::Finished { id: 99, .. } => break,
            TransferEvent::Finished { id, outcome } => {
                early.insert(id, outcome);
            }
            _ => {}
        }
    }
    server.release();
    let left = jobs.into_iter().filter(|j| !early.contains_key(&j.id));
    let mut run = e.wait(left.collect());
    run.outcomes.extend(early);
    for (job, bytes) in [(&ja, &a), (&jc, &c)] {
        assert!(
            matches!(run.outcomes[&job.id], Outcome::Done { bytes: n, .. } if n == bytes.len() as u64),
            "{:?}",
            run.outcomes[&job.id]
        );
        assert_eq!(server.file(&job.remote).as_deref(), Some(&bytes[..]));
    }
    assert!(
        matches!(run.outcomes[&jb.id], Outcome::Cancelled),
        "{:?}",
        run.outcomes[&jb.id]
    );
    let commands = server.commands();
    assert_eq!(server.file("/b.bin"), None, "{commands:?}");
    let stors = commands.iter().filter(|c| *c == "STOR /b.bin").count();
    assert_eq!(stors, 1, "{commands:?}");
}

/// On one connection to a server that answers in order, the next new file's PASV and STOR
/// go out in the same write as the last file's SIZE and time command: the server opens the
/// next data port and file without waiting for the client to read the last replies. Each
/// file is still confirmed by its own SIZE.
#[test]
fn the_next_new_files_stor_goes_out_in_the_same_write_as_the_last_files_size() {
    let (server, data, jobs, run) = three_uploads(FakeServer::builder());
    all_arrived_whole(&server, &data, &jobs, &run);
    let batches = server.batches();
    for (last, next) in [("/a.bin", "/b.bin"), ("/b.bin", "/c.bin")] {
        let batch = batches
            .iter()
            .find(|b| b.first().map(String::as_str) == Some(format!("SIZE {last}").as_str()))
            .unwrap_or_else(|| panic!("no write starts with SIZE {last}: {batches:?}"));
        assert!(
            batch.ends_with(&["PASV".to_string(), format!("STOR {next}")]),
            "{batches:?}"
        );
    }
    assert_eq!(run.retries(), [], "{:?}", run.events);
}

/// A server that answers the PASV and STOR sent behind a file's SIZE before the SIZE (as
/// libunftp does): that early upload is ended without data and sent again in full, the
/// last file is still confirmed by its SIZE, nothing is retried, and the connection no
/// longer sends an upload behind other commands.
#[test]
fn a_server_that_answers_the_next_upload_first_still_gets_every_file_whole() {
    let (server, data, jobs, run) = three_uploads(FakeServer::builder().upload_answered_first());
    all_arrived_whole(&server, &data, &jobs, &run);
    assert_eq!(run.retries(), [], "{:?}", run.events);
    let commands = server.commands();
    assert!(
        !commands
            .iter()
            .any(|c| c.starts_with("LIST") || c.starts_with("MLS")),
        "every file confirmed by SIZE: {commands:?}"
    );
    // One connection throughout, and only its first try sent an upload behind a SIZE.
    assert_eq!(commands.iter().filter(|c| c.starts_with("USER")).count(), 1);
    let behind = server
        .batches()
        .into_iter()
        .filter(|b| b.iter().any(|c| c.starts_with("SIZE")) && b.iter().any(|c| c == "PASV"))
        .count();
    assert_eq!(behind, 1, "{:?}", server.batches());
    // b's early STOR came and went; its second STOR sent it whole.
    assert_eq!(
        commands.iter().filter(|c| *c == "STOR /b.bin").count(),
        2,
        "{commands:?}"
    );
}

/// A server that answers an upload's pipelined SIZE after the time command behind it (as
/// libunftp may): the size is still read from SIZE's reply, so the upload is confirmed
/// without a listing, and the refused time command is not sent again.
#[test]
fn an_upload_whose_size_is_answered_after_the_time_command_is_still_confirmed_by_size() {
    let (server, data, jobs, run) = three_uploads(FakeServer::builder().size_answered_last());
    all_arrived_whole(&server, &data, &jobs, &run);
    let commands = server.commands();
    // The first file's SIZE and MDTM came together and were answered MDTM first.
    let a = commands.iter().position(|c| c == "SIZE /a.bin").unwrap();
    assert!(commands[a - 1].starts_with("MDTM "), "{commands:?}");
    assert!(
        !commands
            .iter()
            .any(|c| c.starts_with("LIST") || c.starts_with("MLS")),
        "{commands:?}"
    );
    assert_eq!(
        commands.iter().filter(|c| c.starts_with("MDTM ")).count(),
        1
    );
    assert_eq!(run.retries(), [], "{:?}", run.events);
}
