//! File operations on both sides: new directory, rename, delete (recursive), permissions,
//! fetch and store, and how their failures reach the user.
//!
//! - remote: the session worker against the embedded server (read-write and read-only),
//!   driven through its channel as the UI drives it;
//! - local: `localops::run` and the local worker;
//! - the App: the keys, the dialogs and the commands they produce, and the status bar.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may stop at the first surprise

mod common;

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::Duration;

use common::engine::Engine;
use common::*;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ftpdeck::app::dialog::{Dialog, InputPurpose};
use ftpdeck::app::{App, AppConfig, Cmd, ConnState, Msg, Side};
use ftpdeck::entry::{Entry, EntryKind};
use ftpdeck::local::{self, LocalCmd, LocalEvent};
use ftpdeck::localops::{self, LocalError, LocalOp, OpOutput};
use ftpdeck::remote::fileops::{Changed, RemoteOp};
use ftpdeck::remote::session::{self, Listing, SessionOptions};
use ftpdeck::remote::{Profile, RemoteCmd, RemoteError, RemoteEvent, Secret};
use ftpdeck::server::{self, ServerAuth, ServerConfig, ServerHandle};
use ftpdeck::transfer::{Direction, Job, Outcome, Resolution, Task, TransferCmd, TransferEvent};

const T: Duration = Duration::from_secs(20);

// ----- remote helpers ------------------------------------------------------------------------

fn worker() -> (Sender<RemoteCmd>, Receiver<RemoteEvent>) {
    let (tx, rx) = mpsc::channel();
    (session::spawn(tx, SessionOptions::default()), rx)
}

/// A session worker logged in to `server`. Long operations (delete, fetch, store) go to a
/// pool of transfer workers logged in to the same server, as the app sends them.
fn session_for(server: &ServerHandle) -> (Sender<RemoteCmd>, Receiver<RemoteEvent>) {
    POOL_PROFILE.with(|p| *p.borrow_mut() = Some(profile(server)));
    let (cmd, rx) = worker();
    cmd.send(RemoteCmd::Connect {
        profile: profile(server),
    })
    .unwrap();
    recv_until(&rx, T, |e| match e {
        RemoteEvent::Connected { .. } => Some(()),
        RemoteEvent::ConnectFailed { error } => panic!("connect failed: {error}"),
        _ => None,
    });
    (cmd, rx)
}

thread_local! {
    /// The server of this test's session, for the pool that runs its long operations.
    static POOL_PROFILE: std::cell::RefCell<Option<Profile>> = const { std::cell::RefCell::new(None) };
}

/// What a test asks: a short change on the session, or a long operation on the pool.
#[derive(Debug)]
enum Op {
    Session(RemoteOp),
    /// One delete task per target, as the app queues them.
    Delete(Vec<(String, bool)>),
    /// The viewer's fetch, written to `to` for the test to read.
    Fetch {
        path: String,
        to: PathBuf,
        max_bytes: u64,
    },
    /// The upload of an edited file over the remote one.
    Store {
        from: PathBuf,
        to: String,
    },
}

impl From<RemoteOp> for Op {
    fn from(op: RemoteOp) -> Op {
        Op::Session(op)
    }
}

/// Run `op` as request `id`; its result and the events that came before it (session events,
/// and the pool's for a long operation).
fn run_op(
    cmd: &Sender<RemoteCmd>,
    rx: &Receiver<RemoteEvent>,
    id: u64,
    op: impl Into<Op>,
) -> (
    Result<String, RemoteError>,
    Vec<RemoteEvent>,
    Vec<TransferEvent>,
) {
    let jobs = match op.into() {
        Op::Session(op) => {
            cmd.send(RemoteCmd::Op { id, op }).unwrap();
            let (r, before) = recv_until(rx, T, |e| match e {
                RemoteEvent::OpDone { id: got, result } if *got == id => Some(result.clone()),
                _ => None,
            });
            return (r.map(|c| c.to_string()), before, vec![]);
        }
        Op::Delete(targets) => targets
            .into_iter()
            .enumerate()
            .map(|(i, (p, d))| Job::remote_task(id * 1000 + i as u64, Task::Delete, p, d))
            .collect(),
        Op::Fetch {
            path,
            to,
            max_bytes,
        } => {
            let job = Job::remote_task(id, Task::View { max_bytes }, path, false);
            let (r, events) = pool_run(vec![job]);
            let r = r.map(|outcomes| match &outcomes[0] {
                Outcome::Viewed { data, size } => {
                    std::fs::write(&to, data).unwrap();
                    if size.is_some_and(|s| s > data.len() as u64) {
                        "truncated".to_string()
                    } else {
                        "complete".to_string()
                    }
                }
                other => panic!("a fetch ended {other:?}"),
            });
            return (r, vec![], events);
        }
        Op::Store { from, to } => {
            let job = Job {
                on_exists: Some(Resolution::Overwrite),
                ..Job::new(id, Direction::Upload, to.clone(), from, false)
            };
            let (r, events) = pool_run(vec![job]);
            return (r.map(|_| format!("Saved {to}")), vec![], events);
        }
    };
    let (r, events) = pool_run(jobs);
    let r = r.map(|outcomes| {
        let n: u64 = outcomes
            .iter()
            .map(|o| match o {
                Outcome::Deleted { entries } => *entries,
                other => panic!("a delete ended {other:?}"),
            })
            .sum();
        format!("Deleted {n} {}", if n == 1 { "entry" } else { "entries" })
    });
    (r, vec![], events)
}

/// Run jobs on a pool logged in to this test's server: their outcomes in job order, or the
/// first failure (the server's error where it was one), and every event the pool sent.
fn pool_run(jobs: Vec<Job>) -> (Result<Vec<Outcome>, RemoteError>, Vec<TransferEvent>) {
    let profile = POOL_PROFILE
        .with(|p| p.borrow().clone())
        .expect("session_for first");
    let engine = Engine::new(profile, 3);
    let ids: Vec<u64> = jobs.iter().map(|j| j.id).collect();
    engine.cmd.send(TransferCmd::Enqueue(jobs)).unwrap();
    let mut events = Vec::new();
    let mut ended = std::collections::HashMap::new();
    while ended.len() < ids.len() {
        let e = engine.rx.recv_timeout(T).expect("the pool answers");
        if let TransferEvent::Finished { id, outcome } = &e {
            ended.insert(*id, outcome.clone());
        }
        events.push(e);
    }
    let outcomes: Vec<Outcome> = ids.iter().map(|id| ended[id].clone()).collect();
    for o in &outcomes {
        if let Outcome::Failed { error } = o {
            let e = error
                .remote()
                .cloned()
                .unwrap_or_else(|| RemoteError::Other(error.to_string()));
            return (Err(e), events);
        }
    }
    (Ok(outcomes), events)
}

fn op(cmd: &Sender<RemoteCmd>, rx: &Receiver<RemoteEvent>, id: u64, op: impl Into<Op>) -> String {
    let op = op.into();
    let what = format!("{op:?}");
    run_op(cmd, rx, id, op)
        .0
        .unwrap_or_else(|e| panic!("{what} failed: {e}"))
}

fn op_err(
    cmd: &Sender<RemoteCmd>,
    rx: &Receiver<RemoteEvent>,
    id: u64,
    op: impl Into<Op>,
) -> RemoteError {
    let op = op.into();
    let what = format!("{op:?}");
    match run_op(cmd, rx, id, op).0 {
        Ok(m) => panic!("{what} succeeded ({m}); expected a failure"),
        Err(e) => e,
    }
}

/// The error as a 550-or-other refusal: (code, the text a user sees).
fn refusal(e: &RemoteError) -> (u32, String) {
    match e {
        RemoteError::Refusal { code, .. } => (*code, e.to_string()),
        other => panic!("expected a refusal from the server, got {other:?}"),
    }
}

fn list(cmd: &Sender<RemoteCmd>, rx: &Receiver<RemoteEvent>, id: u64, path: &str) -> Listing {
    cmd.send(RemoteCmd::List {
        id,
        path: path.into(),
    })
    .unwrap();
    recv_until(rx, T, |e| match e {
        RemoteEvent::Listed {
            id: got, result, ..
        } if *got == id => Some(result.clone()),
        _ => None,
    })
    .0
    .unwrap_or_else(|e| panic!("listing {path}: {e}"))
}

fn names(listing: &Listing) -> Vec<String> {
    let mut n: Vec<String> = listing.entries.iter().map(|e| e.name.clone()).collect();
    n.sort();
    n
}

fn mkdir(path: &str) -> RemoteOp {
    RemoteOp::Mkdir { path: path.into() }
}

fn rename(from: &str, to: &str) -> RemoteOp {
    RemoteOp::Rename {
        from: from.into(),
        to: to.into(),
        overwrite: false,
    }
}

fn delete(targets: &[(&str, bool)]) -> Op {
    Op::Delete(targets.iter().map(|(p, d)| (p.to_string(), *d)).collect())
}

fn sample_tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "hello.txt", b"hello world");
    write(dir.path(), "other.txt", b"the other file");
    write(dir.path(), "full/inside.txt", b"inside");
    std::fs::create_dir(dir.path().join("empty")).unwrap();
    dir
}

// ----- remote ----------------------------------------------------------------------------------

#[test]
fn remote_mkdir_rename_and_delete_a_file() {
    let tree = sample_tree();
    let root = tree.path();
    let server = start_server(root);
    let (cmd, rx) = session_for(&server);

    assert_eq!(op(&cmd, &rx, 1, mkdir("/new dir")), "Created /new dir");
    assert!(root.join("new dir").is_dir());
    assert_eq!(
        op(&cmd, &rx, 2, mkdir("/new dir/日本語")),
        "Created /new dir/日本語"
    );
    assert!(root.join("new dir/日本語").is_dir());

    assert_eq!(
        op(&cmd, &rx, 3, rename("/hello.txt", "/new dir/moved.txt")),
        "Renamed to moved.txt"
    );
    assert!(!root.join("hello.txt").exists());
    assert_eq!(
        std::fs::read(root.join("new dir/moved.txt")).unwrap(),
        b"hello world"
    );
    // A directory renames too, contents and all.
    assert_eq!(
        op(&cmd, &rx, 4, rename("/full", "/full renamed")),
        "Renamed to full renamed"
    );
    assert_eq!(
        std::fs::read(root.join("full renamed/inside.txt")).unwrap(),
        b"inside"
    );

    assert_eq!(
        op(&cmd, &rx, 5, delete(&[("/new dir/moved.txt", false)])),
        "Deleted 1 entry"
    );
    assert!(!root.join("new dir/moved.txt").exists());
    // An empty directory and a file in one go.
    assert_eq!(
        op(
            &cmd,
            &rx,
            6,
            delete(&[("/empty", true), ("/other.txt", false)])
        ),
        "Deleted 2 entries"
    );
    assert!(!root.join("empty").exists());
    assert!(!root.join("other.txt").exists());

    assert_eq!(
        names(&list(&cmd, &rx, 7, "/")),
        ["full renamed", "new dir"],
        "the listing shows the changes"
    );
}

#[test]
fn remote_recursive_delete_of_a_nested_tree_reports_progress() {
    let tree = tempfile::tempdir().unwrap();
    let root = tree.path();
    write(root, "keep.txt", b"keep");
    // 1200 files in 4 levels of 30 directories, plus empty directories. Progress is throttled
    // to one message per 100 ms, so the delete must take well over that even in a release
    // build on a fast machine: about 1 s in a debug build here, 337 entries took 160 ms.
    let mut files = 0;
    for a in 0..4 {
        for b in 0..30 {
            for f in 0..10 {
                write(
                    root,
                    &format!("tree/level {a}/sub-{b}/file {f}.txt"),
                    format!("{a}{b}{f}").as_bytes(),
                );
                files += 1;
            }
        }
    }
    for e in [
        "tree/empty-1",
        "tree/level 0/empty-2",
        "tree/level 2/sub-3/empty-3",
    ] {
        std::fs::create_dir(root.join(e)).unwrap();
    }
    let dirs = 1 + 4 + 120 + 3;
    let server = start_server(root);
    let (cmd, rx) = session_for(&server);

    let started = std::time::Instant::now();
    let (result, _, before) = run_op(&cmd, &rx, 42, delete(&[("/tree", true)]));
    let took = started.elapsed();
    assert_eq!(result.unwrap(), format!("Deleted {} entries", files + dirs));
    assert!(
        !root.join("tree").exists(),
        "the tree is gone from the disk"
    );
    assert!(root.join("keep.txt").exists(), "and nothing else");

    // The entries deleted so far, once the whole tree is planned (`total` known).
    let progress: Vec<usize> = before
        .iter()
        .filter_map(|e| match e {
            TransferEvent::Steps {
                done,
                total: Some(_),
                ..
            } => Some(*done as usize),
            _ => None,
        })
        .collect();
    assert!(
        !progress.is_empty(),
        "no progress during a delete of {} entries that took {took:?}",
        files + dirs
    );
    assert!(
        progress.windows(2).all(|w| w[0] <= w[1]),
        "progress goes forward: {progress:?}"
    );
    assert!(*progress.last().unwrap() <= files + dirs, "{progress:?}");
    // Throttled to about ten a second: never one per entry.
    let allowed = (took.as_millis() / 100) as usize + 1;
    assert!(
        progress.len() <= allowed,
        "{} progress messages in {took:?}",
        progress.len()
    );
    println!(
        "deleted {} entries in {took:?} with {} progress messages",
        files + dirs,
        progress.len()
    );
    // The session goes on, in the root (the worker left the deleted directory).
    assert_eq!(names(&list(&cmd, &rx, 43, "/")), ["keep.txt"]);
}

#[test]
fn remote_chmod_is_refused_by_the_embedded_server_and_the_session_goes_on() {
    let tree = sample_tree();
    let server = start_server(tree.path());
    let (cmd, rx) = session_for(&server);
    let e = op_err(
        &cmd,
        &rx,
        1,
        RemoteOp::Chmod {
            path: "/hello.txt".into(),
            mode: 0o600,
        },
    );
    // libunftp has no SITE CHMOD: "502 Unknown SITE command", shown as the server says it.
    assert_eq!(refusal(&e), (502, "502 Unknown SITE command".into()));
    assert!(!e.is_connection_lost());
    assert_eq!(names(&list(&cmd, &rx, 2, "/")).len(), 4);
    assert_eq!(op(&cmd, &rx, 3, mkdir("/after")), "Created /after");
}

#[test]
fn remote_failures_are_the_servers_replies_and_the_session_goes_on() {
    let tree = sample_tree();
    let root = tree.path();
    let server = start_server(root);
    let (cmd, rx) = session_for(&server);

    // An existing name: libunftp maps EEXIST to "550 File not found" (its words, not ours).
    let e = op_err(&cmd, &rx, 1, mkdir("/full"));
    assert_eq!(refusal(&e), (550, "550 File not found".into()));
    let e = op_err(&cmd, &rx, 2, mkdir("/hello.txt"));
    assert_eq!(refusal(&e).0, 550);
    assert!(root.join("hello.txt").is_file());
    // A missing parent.
    let e = op_err(&cmd, &rx, 3, mkdir("/no/such/parent"));
    assert_eq!(refusal(&e).0, 550);

    // Renaming a missing file: RNFR is refused.
    let e = op_err(&cmd, &rx, 4, rename("/missing.txt", "/x.txt"));
    assert_eq!(refusal(&e), (550, "550 File not found".into()));
    // A directory onto a directory: refused before the server is asked.
    let e = op_err(&cmd, &rx, 5, rename("/empty", "/full"));
    assert_eq!(
        e,
        RemoteError::Exists {
            name: "full".into(),
            dir: true
        }
    );
    assert!(root.join("empty").is_dir() && root.join("full/inside.txt").is_file());
    // A file onto an existing file: the server (POSIX rename) would replace it without a word,
    // so ftpdeck looks first and reports it; only a confirmed rename replaces it.
    let e = op_err(&cmd, &rx, 6, rename("/other.txt", "/hello.txt"));
    assert_eq!(
        e,
        RemoteError::Exists {
            name: "hello.txt".into(),
            dir: false
        }
    );
    assert!(root.join("other.txt").is_file());
    let confirmed = RemoteOp::Rename {
        from: "/other.txt".into(),
        to: "/hello.txt".into(),
        overwrite: true,
    };
    assert_eq!(op(&cmd, &rx, 16, confirmed), "Renamed to hello.txt");
    assert_eq!(
        std::fs::read(root.join("hello.txt")).unwrap(),
        b"the other file"
    );
    assert!(!root.join("other.txt").exists());

    // Deleting a missing file or directory.
    let e = op_err(&cmd, &rx, 7, delete(&[("/missing.txt", false)]));
    assert_eq!(refusal(&e), (550, "550 File not found".into()));
    let e = op_err(&cmd, &rx, 8, delete(&[("/missing-dir", true)]));
    assert_eq!(refusal(&e).0, 550);
    // Each entry of a batch is a task of its own: one that fails does not stop the others.
    let e = op_err(
        &cmd,
        &rx,
        9,
        delete(&[
            ("/hello.txt", false),
            ("/missing.txt", false),
            ("/empty", true),
        ]),
    );
    assert_eq!(refusal(&e).0, 550);
    assert!(!root.join("hello.txt").exists());
    assert!(!root.join("empty").exists());

    // None of this hurt the connection.
    assert_eq!(names(&list(&cmd, &rx, 10, "/")), ["full"]);
}

fn start_read_only(root: &Path) -> ServerHandle {
    server::start(ServerConfig {
        read_only: true,
        ..ServerConfig::local(
            root,
            ServerAuth::User {
                user: USER.into(),
                password: PASSWORD.into(),
            },
        )
    })
    .expect("start the read-only server")
}

#[test]
fn remote_read_only_server_denies_every_change_with_a_message() {
    let tree = sample_tree();
    let root = tree.path();
    let before = snapshot(root);
    let server = start_read_only(root);
    let (cmd, rx) = session_for(&server);
    let denied = (550, "550 Permission denied".to_string());

    assert_eq!(refusal(&op_err(&cmd, &rx, 1, mkdir("/new"))), denied);
    assert_eq!(
        refusal(&op_err(&cmd, &rx, 2, rename("/hello.txt", "/renamed.txt"))),
        denied
    );
    assert_eq!(
        refusal(&op_err(&cmd, &rx, 3, delete(&[("/hello.txt", false)]))),
        denied
    );
    assert_eq!(
        refusal(&op_err(&cmd, &rx, 4, delete(&[("/full", true)]))),
        denied,
        "a recursive delete stops at the first refusal"
    );
    assert_eq!(
        refusal(&op_err(&cmd, &rx, 5, delete(&[("/empty", true)]))),
        denied
    );
    let edited = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(edited.path(), b"changed").unwrap();
    let e = op_err(
        &cmd,
        &rx,
        6,
        Op::Store {
            from: edited.path().into(),
            to: "/hello.txt".into(),
        },
    );
    assert_eq!(refusal(&e).0, 550, "{e}");
    assert!(e.to_string().contains("Permission denied"), "{e}");
    // Reading still works.
    let local = tempfile::tempdir().unwrap();
    let to = local.path().join("fetched");
    assert_eq!(
        op(
            &cmd,
            &rx,
            7,
            Op::Fetch {
                path: "/hello.txt".into(),
                to: to.clone(),
                max_bytes: 1024,
            },
        ),
        "complete"
    );
    assert_eq!(std::fs::read(&to).unwrap(), b"hello world");
    assert_eq!(snapshot(root), before, "nothing changed on the server");
    assert_eq!(names(&list(&cmd, &rx, 8, "/")).len(), 4);
}

/// What `store_big_to_read_only` leaves: the result, the events before it, and what keeps the
/// server and the session alive.
struct RefusedStore {
    result: Result<String, RemoteError>,
    before: Vec<TransferEvent>,
    tree: tempfile::TempDir,
    _server: ServerHandle,
    cmd: Sender<RemoteCmd>,
    rx: Receiver<RemoteEvent>,
}

/// Store a file big enough that the server's refusal arrives while we are still sending.
fn store_big_to_read_only() -> RefusedStore {
    let tree = sample_tree();
    let server = start_read_only(tree.path());
    let (cmd, rx) = session_for(&server);
    let big = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(big.path(), pseudo_random(8 * 1024 * 1024, 3)).unwrap();
    let (result, _, before) = run_op(
        &cmd,
        &rx,
        1,
        Op::Store {
            from: big.path().into(),
            to: "/big.bin".into(),
        },
    );
    RefusedStore {
        result,
        before,
        tree,
        _server: server,
        cmd,
        rx,
    }
}

#[test]
fn remote_store_of_a_big_file_refused_midway_fails_and_the_session_goes_on() {
    let s = store_big_to_read_only();
    assert!(s.result.is_err(), "{:?}", s.result);
    assert!(!s.tree.path().join("big.bin").exists());
    assert_eq!(names(&list(&s.cmd, &s.rx, 2, "/")).len(), 4);
}

/// Today the user sees "connection lost: Connection reset by peer (os error 104)", the worker
/// drops the control connection, reconnects and uploads all over again (a `Reconnected` event
/// comes first): `store` turns the failed write on the data connection into `ConnectionLost`
/// without reading the server's reply on the control connection.
#[test]
fn remote_store_of_a_big_file_refused_midway_shows_the_servers_reply() {
    let RefusedStore { result, before, .. } = store_big_to_read_only();
    let e = result.unwrap_err();
    assert_eq!(refusal(&e).0, 550, "{e:?}");
    assert!(e.to_string().contains("Permission denied"), "{e}");
    assert!(
        !before
            .iter()
            .any(|e| matches!(e, TransferEvent::Retrying { .. })),
        "the upload was retried on a new connection: {before:?}"
    );
}

#[test]
fn remote_fetch_complete_and_truncated_then_store_back() {
    let tree = tempfile::tempdir().unwrap();
    let root = tree.path();
    let big = pseudo_random(3 * 1024 * 1024 + 17, 7);
    write(root, "big.bin", &big);
    write(root, "small.txt", b"small file\n");
    let server = start_server(root);
    let (cmd, rx) = session_for(&server);
    let local = tempfile::tempdir().unwrap();
    let fetch = |id, path: &str, to: &Path, max_bytes| {
        run_op(
            &cmd,
            &rx,
            id,
            Op::Fetch {
                path: path.into(),
                to: to.into(),
                max_bytes,
            },
        )
        .0
    };

    let whole = local.path().join("whole.bin");
    assert_eq!(
        fetch(1, "/big.bin", &whole, 64 * 1024 * 1024).unwrap(),
        "complete"
    );
    assert_eq!(std::fs::read(&whole).unwrap(), big);
    // A cap of exactly the file's size gets the whole file. It is reported "truncated" today
    // (the loop stops when the cap is reached without looking for the end of the file); either
    // answer is accepted here.
    let exact = local.path().join("exact.txt");
    let r = fetch(2, "/small.txt", &exact, 11).unwrap();
    assert_eq!(std::fs::read(&exact).unwrap(), b"small file\n");
    assert!(r == "complete" || r == "truncated", "{r}");

    // The cap cuts a big file short; the connection stays in step for what follows.
    let head = local.path().join("head.bin");
    assert_eq!(fetch(3, "/big.bin", &head, 100_000).unwrap(), "truncated");
    assert_eq!(std::fs::read(&head).unwrap(), &big[..100_000]);
    assert_eq!(names(&list(&cmd, &rx, 4, "/")), ["big.bin", "small.txt"]);
    let tiny = local.path().join("tiny.txt");
    assert_eq!(fetch(5, "/small.txt", &tiny, 5).unwrap(), "truncated");
    assert_eq!(std::fs::read(&tiny).unwrap(), b"small");
    let again = local.path().join("again.txt");
    assert_eq!(fetch(6, "/small.txt", &again, 1024).unwrap(), "complete");
    assert_eq!(std::fs::read(&again).unwrap(), b"small file\n");

    // Missing remote file: the server's 550.
    let e = fetch(7, "/missing.txt", &local.path().join("m"), 1024).unwrap_err();
    assert_eq!(refusal(&e).0, 550, "{e}");

    // Store the edited copy back, over the original and as a new file.
    std::fs::write(&again, b"edited small file\n").unwrap();
    let store = |id, from: &Path, to: &str| {
        run_op(
            &cmd,
            &rx,
            id,
            Op::Store {
                from: from.into(),
                to: to.into(),
            },
        )
        .0
    };
    assert_eq!(store(8, &again, "/small.txt").unwrap(), "Saved /small.txt");
    assert_eq!(
        std::fs::read(root.join("small.txt")).unwrap(),
        b"edited small file\n"
    );
    assert_eq!(store(9, &whole, "/copy.bin").unwrap(), "Saved /copy.bin");
    assert_eq!(std::fs::read(root.join("copy.bin")).unwrap(), big);
    // A local file that vanished: a message naming it, no upload.
    let gone = local.path().join("gone.txt");
    let e = store(10, &gone, "/gone.txt").unwrap_err();
    assert!(
        matches!(&e, RemoteError::Other(m) if m.contains("gone.txt") && (m.contains("No such file") || m.contains("vanished"))),
        "{e:?}"
    );
    assert!(!root.join("gone.txt").exists());
    assert_eq!(
        names(&list(&cmd, &rx, 11, "/")),
        ["big.bin", "copy.bin", "small.txt"]
    );
}

// ----- local -----------------------------------------------------------------------------------

fn lrun(op: LocalOp) -> Result<String, String> {
    localops::run(&op, &mut |_| {})
        .map(|o| match o {
            OpOutput::Bytes(b) => panic!("{} bytes from {op:?}", b.len()),
            o => o.to_string(),
        })
        .map_err(|e| e.to_string())
}

fn mode_of(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::symlink_metadata(p).unwrap().permissions().mode() & 0o7777
}

#[test]
fn local_mkdir_and_its_failures() {
    let d = tempfile::tempdir().unwrap();
    let new = d.path().join("new dir");
    assert_eq!(
        lrun(LocalOp::Mkdir { path: new.clone() }).unwrap(),
        "Created new dir"
    );
    assert!(new.is_dir());
    let e = lrun(LocalOp::Mkdir { path: new.clone() }).unwrap_err();
    assert_eq!(e, format!("cannot create {}: File exists", new.display()));
    // A file of that name.
    let file = d.path().join("a file");
    std::fs::write(&file, b"x").unwrap();
    let e = lrun(LocalOp::Mkdir { path: file.clone() }).unwrap_err();
    assert_eq!(e, format!("cannot create {}: File exists", file.display()));
    assert!(file.is_file());
    // Under a missing parent, and under a file.
    let orphan = d.path().join("missing/child");
    let e = lrun(LocalOp::Mkdir {
        path: orphan.clone(),
    })
    .unwrap_err();
    assert_eq!(
        e,
        format!(
            "cannot create {}: No such file or directory",
            orphan.display()
        )
    );
    let under_file = file.join("child");
    let e = lrun(LocalOp::Mkdir {
        path: under_file.clone(),
    })
    .unwrap_err();
    assert_eq!(
        e,
        format!("cannot create {}: Not a directory", under_file.display())
    );
}

#[test]
fn local_rename_refuses_to_replace_an_existing_entry() {
    let d = tempfile::tempdir().unwrap();
    let a = d.path().join("a.txt");
    let b = d.path().join("b.txt");
    let dir = d.path().join("dir");
    std::fs::write(&a, b"a").unwrap();
    std::fs::write(&b, b"b").unwrap();
    std::fs::create_dir(&dir).unwrap();
    std::os::unix::fs::symlink("nowhere", d.path().join("dangling")).unwrap();

    for target in [b.clone(), dir.clone(), d.path().join("dangling")] {
        let e = lrun(LocalOp::Rename {
            from: a.clone(),
            to: target.clone(),
            overwrite: false,
        })
        .unwrap_err();
        assert_eq!(e, format!("{} already exists", target.display()));
    }
    assert_eq!(std::fs::read(&a).unwrap(), b"a");
    assert_eq!(std::fs::read(&b).unwrap(), b"b");

    let c = d.path().join("c.txt");
    assert_eq!(
        lrun(LocalOp::Rename {
            from: a.clone(),
            to: c.clone(),
            overwrite: false,
        })
        .unwrap(),
        "Renamed to c.txt"
    );
    assert!(!a.exists());
    assert_eq!(std::fs::read(&c).unwrap(), b"a");
    // A directory, with its contents.
    std::fs::write(dir.join("inner"), b"i").unwrap();
    let moved = d.path().join("moved dir");
    assert_eq!(
        lrun(LocalOp::Rename {
            from: dir.clone(),
            to: moved.clone(),
            overwrite: false,
        })
        .unwrap(),
        "Renamed to moved dir"
    );
    assert_eq!(std::fs::read(moved.join("inner")).unwrap(), b"i");
    // A missing source.
    let e = lrun(LocalOp::Rename {
        from: a.clone(),
        to: d.path().join("z"),
        overwrite: false,
    })
    .unwrap_err();
    assert_eq!(
        e,
        format!("cannot rename {}: No such file or directory", a.display())
    );
}

#[test]
fn local_recursive_delete_never_follows_symlinks() {
    let d = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    write(outside.path(), "precious/keep.txt", b"keep");
    write(outside.path(), "keep-file.txt", b"keep");
    let tree = d.path().join("tree");
    let mut files = 0;
    for a in 0..5 {
        for f in 0..60 {
            write(&tree, &format!("level {a}/deeper/f{f}"), b"x");
            files += 1;
        }
    }
    std::fs::create_dir(tree.join("empty")).unwrap();
    // Links to a directory and a file outside, a dangling one, and a read-only file and dir.
    std::os::unix::fs::symlink(outside.path().join("precious"), tree.join("dir link")).unwrap();
    std::os::unix::fs::symlink(outside.path().join("keep-file.txt"), tree.join("file link"))
        .unwrap();
    std::os::unix::fs::symlink("nowhere", tree.join("dangling")).unwrap();
    write(&tree, "ro/readonly.txt", b"r");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(
        tree.join("ro/readonly.txt"),
        std::fs::Permissions::from_mode(0o400),
    )
    .unwrap();
    let entries = files + 3 + 1 + 2 + 5 * 2 + 1; // + links, empty, ro/ and its file, levels, tree
    write(d.path(), "single.txt", b"s");

    let mut seen = Vec::new();
    let out = localops::run(
        &LocalOp::Delete {
            targets: vec![tree.clone(), d.path().join("single.txt")],
        },
        &mut |n| seen.push(n),
    )
    .unwrap();
    assert_eq!(out, OpOutput::Deleted(entries as u64 + 1));
    assert!(!tree.exists() && !d.path().join("single.txt").exists());
    assert_eq!(
        std::fs::read(outside.path().join("precious/keep.txt")).unwrap(),
        b"keep"
    );
    assert_eq!(
        std::fs::read(outside.path().join("keep-file.txt")).unwrap(),
        b"keep"
    );
    assert_eq!(
        seen,
        (1..=entries + 1).collect::<Vec<_>>(),
        "one call per entry"
    );

    // A symlink named as the target is removed itself, not what it points to.
    let link = d.path().join("link to precious");
    std::os::unix::fs::symlink(outside.path().join("precious"), &link).unwrap();
    assert_eq!(
        lrun(LocalOp::Delete {
            targets: vec![link.clone()]
        })
        .unwrap(),
        "Deleted 1 entry"
    );
    assert!(std::fs::symlink_metadata(&link).is_err());
    assert!(outside.path().join("precious/keep.txt").exists());

    // A missing path.
    let missing = d.path().join("missing");
    let e = lrun(LocalOp::Delete {
        targets: vec![missing.clone()],
    })
    .unwrap_err();
    assert_eq!(
        e,
        format!(
            "cannot delete {}: No such file or directory",
            missing.display()
        )
    );
}

/// True when permission bits do not stop us (root, or CAP_DAC_OVERRIDE): found by trying.
fn permissions_are_bypassed(dir: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    let probe = dir.join("probe");
    std::fs::create_dir(&probe).unwrap();
    std::fs::set_permissions(&probe, std::fs::Permissions::from_mode(0o500)).unwrap();
    let bypassed = std::fs::write(probe.join("x"), b"x").is_ok();
    std::fs::set_permissions(&probe, std::fs::Permissions::from_mode(0o700)).unwrap();
    std::fs::remove_dir_all(&probe).unwrap();
    bypassed
}

#[test]
fn local_chmod_and_permission_denied() {
    use std::os::unix::fs::PermissionsExt;
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("f.txt");
    std::fs::write(&f, b"x").unwrap();
    for mode in [0o600, 0o755, 0o4750, 0o000] {
        assert_eq!(
            lrun(LocalOp::Chmod {
                path: f.clone(),
                mode
            })
            .unwrap(),
            format!("Permissions set to {mode:o}")
        );
        assert_eq!(mode_of(&f), mode, "{mode:o}");
    }
    let missing = d.path().join("missing");
    let e = lrun(LocalOp::Chmod {
        path: missing.clone(),
        mode: 0o644,
    })
    .unwrap_err();
    assert_eq!(
        e,
        format!(
            "cannot change permissions of {}: No such file or directory",
            missing.display()
        )
    );

    // A directory made read-only with chmod, then changes inside it.
    let locked = d.path().join("locked");
    std::fs::create_dir(&locked).unwrap();
    std::fs::write(locked.join("inside.txt"), b"i").unwrap();
    lrun(LocalOp::Chmod {
        path: locked.clone(),
        mode: 0o500,
    })
    .unwrap();
    assert_eq!(mode_of(&locked), 0o500);
    let bypassed = permissions_are_bypassed(d.path());
    let mk = lrun(LocalOp::Mkdir {
        path: locked.join("sub"),
    });
    let rn = lrun(LocalOp::Rename {
        from: locked.join("inside.txt"),
        to: locked.join("renamed.txt"),
        overwrite: false,
    });
    let del = lrun(LocalOp::Delete {
        targets: vec![locked.join("renamed.txt"), locked.join("inside.txt")],
    });
    if bypassed {
        // Root: the bits do not apply, everything works (and the user sees the successes).
        println!("running as root: permission bits are bypassed");
        assert_eq!(mk.unwrap(), "Created sub");
        assert_eq!(rn.unwrap(), "Renamed to renamed.txt");
        // The first target exists and goes; the second was renamed away: a failure that stops.
        let e = del.unwrap_err();
        assert!(e.contains("inside.txt: No such file or directory"), "{e}");
        assert!(!locked.join("renamed.txt").exists());
    } else {
        let sub = locked.join("sub");
        assert_eq!(
            mk.unwrap_err(),
            format!("cannot create {}: Permission denied", sub.display())
        );
        assert_eq!(
            rn.unwrap_err(),
            format!(
                "cannot rename {}: Permission denied",
                locked.join("inside.txt").display()
            )
        );
        let e = del.unwrap_err();
        assert!(
            e.contains("No such file") || e.contains("Permission denied"),
            "{e}"
        );
        let e = lrun(LocalOp::Delete {
            targets: vec![locked.join("inside.txt")],
        })
        .unwrap_err();
        assert_eq!(
            e,
            format!(
                "cannot delete {}: Permission denied",
                locked.join("inside.txt").display()
            )
        );
    }
    // Unlock so the temp dir can go.
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o700)).unwrap();
}

#[test]
fn local_worker_answers_ops_by_id() {
    let (tx, rx) = mpsc::channel::<LocalEvent>();
    let local = local::spawn(tx);
    let d = tempfile::tempdir().unwrap();
    let send = |id, op| local.send(LocalCmd::Op { id, op }).unwrap();
    let done = |id: u64| {
        recv_until(&rx, T, |e| match e {
            LocalEvent::OpDone { id: got, result } if *got == id => Some(result.clone()),
            _ => None,
        })
        .0
    };
    send(
        1,
        LocalOp::Mkdir {
            path: d.path().join("made"),
        },
    );
    assert_eq!(done(1).unwrap(), OpOutput::Created(d.path().join("made")));
    for i in 0..400 {
        write(d.path(), &format!("made/d{}/f{i}", i % 7), b"x");
    }
    send(
        2,
        LocalOp::Delete {
            targets: vec![d.path().join("made")],
        },
    );
    assert_eq!(done(2).unwrap(), OpOutput::Deleted(408));
    assert!(!d.path().join("made").exists());
    send(
        3,
        LocalOp::Rename {
            from: d.path().join("made"),
            to: d.path().join("x"),
            overwrite: false,
        },
    );
    assert!(
        done(3)
            .unwrap_err()
            .to_string()
            .contains("No such file or directory")
    );
    write(d.path(), "r.bin", &[9u8; 5000]);
    send(
        4,
        LocalOp::Read {
            path: d.path().join("r.bin"),
            max_bytes: 1000,
        },
    );
    assert_eq!(done(4).unwrap(), OpOutput::Bytes(vec![9u8; 1000]));
}

// ----- the App ---------------------------------------------------------------------------------

fn key(c: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

fn ctrl(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        assert!(
            app.update(key(KeyCode::Char(c))).is_empty(),
            "typing {c:?} asked for work"
        );
    }
}

fn dir(name: &str) -> Entry {
    Entry::new(name, EntryKind::Dir)
}

fn file(name: &str, size: u64) -> Entry {
    let mut e = Entry::new(name, EntryKind::File);
    e.size = Some(size);
    e.perms = Some("rw-r--r--".into());
    e
}

fn app_profile() -> Profile {
    Profile {
        host: "127.0.0.1".into(),
        port: 2121,
        user: "bob".into(),
        password: Some(Secret::new("pw")),
        path: "/pub".into(),
        ..Default::default()
    }
}

const LOCAL_DIR: &str = "/home/bob/work";

fn remote_entries() -> Vec<Entry> {
    vec![file("b.txt", 5), dir("alpha"), dir("beta")]
}

fn local_entries() -> Vec<Entry> {
    vec![file("notes.txt", 3), dir("src")]
}

fn remote_listed(id: u64, entries: Vec<Entry>) -> Msg {
    Msg::Remote(RemoteEvent::Listed {
        id,
        path: "/pub".into(),
        result: Ok(Listing {
            path: "/pub".into(),
            truncated: None,
            entries,
        }),
    })
}

fn local_listed(id: u64, entries: Vec<Entry>) -> Msg {
    Msg::Local(LocalEvent::Listed {
        id,
        path: LOCAL_DIR.into(),
        result: Ok((PathBuf::from(LOCAL_DIR), entries)),
    })
}

fn remote_list_request(cmds: &[Cmd]) -> (u64, String) {
    cmds.iter()
        .find_map(|c| match c {
            Cmd::Remote(RemoteCmd::List { id, path }) => Some((*id, path.clone())),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no remote listing requested in {cmds:?}"))
}

fn local_list_request(cmds: &[Cmd]) -> (u64, PathBuf) {
    cmds.iter()
        .find_map(|c| match c {
            Cmd::Local(LocalCmd::List { id, path }) => Some((*id, path.clone())),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no local listing requested in {cmds:?}"))
}

/// Connected, both panes listed, the remote pane focused (cursor on `alpha`).
fn ready_app() -> App {
    let (mut app, cmds) = App::new(AppConfig::new(
        PathBuf::from(LOCAL_DIR),
        Some(app_profile()),
    ));
    let (lid, _) = local_list_request(&cmds);
    app.update(local_listed(lid, local_entries()));
    let cmds = app.update(Msg::Remote(RemoteEvent::Connected {
        label: "bob@127.0.0.1:2121".into(),
        home: "/".into(),
        welcome: String::new(),
        checksum: None,
    }));
    let (rid, path) = remote_list_request(&cmds);
    assert_eq!(path, "/pub");
    app.update(remote_listed(rid, remote_entries()));
    app.update(Msg::Resize {
        width: 120,
        height: 40,
    });
    assert_eq!(app.browse.focus, Side::Remote);
    assert_eq!(app.browse.remote.current().unwrap().name, "alpha");
    app
}

fn remote_op(cmds: &[Cmd]) -> (u64, RemoteOp) {
    match cmds {
        [Cmd::Remote(RemoteCmd::Op { id, op })] => (*id, op.clone()),
        other => panic!("expected one remote op, got {other:?}"),
    }
}

fn local_op(cmds: &[Cmd]) -> (u64, LocalOp) {
    match cmds {
        [Cmd::Local(LocalCmd::Op { id, op })] => (*id, op.clone()),
        other => panic!("expected one local op, got {other:?}"),
    }
}

/// The screen as text lines.
fn render(app: &App) -> Vec<String> {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    let (w, h) = (app.screen.width, app.screen.height);
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| ftpdeck::ui::draw(f, app, &app.theme)).unwrap();
    let buf = t.backend().buffer().clone();
    (0..h)
        .map(|y| (0..w).map(|x| buf[(x, y)].symbol()).collect::<String>())
        .collect()
}

#[test]
fn app_new_directory_on_the_remote_pane() {
    let mut app = ready_app();
    assert!(app.update(key(KeyCode::Char('n'))).is_empty());
    assert!(matches!(
        app.dialogs.top(),
        Some(Dialog::Input {
            side: Side::Remote,
            purpose: InputPurpose::Mkdir,
            input,
        }) if input.is_empty()
    ));
    type_text(&mut app, "new one");
    let (id, op) = remote_op(&app.update(key(KeyCode::Enter)));
    assert_eq!(
        op,
        RemoteOp::Mkdir {
            path: "/pub/new one".into()
        }
    );
    assert!(!app.dialogs.is_open());
    assert!(app.files.op.is_some());
    assert!(!app.status.is_error);
    assert!(
        app.status.text.contains("Creating new one"),
        "{:?}",
        app.status
    );

    // Done: the pane is listed again with the cursor on the new directory.
    let cmds = app.update(Msg::Remote(RemoteEvent::OpDone {
        id,
        result: Ok(Changed::Created {
            path: "/pub/new one".into(),
        }),
    }));
    assert!(app.files.op.is_none());
    assert_eq!(app.status.text, "Created new one");
    let (lid, path) = remote_list_request(&cmds);
    assert_eq!(path, "/pub");
    let mut entries = remote_entries();
    entries.push(dir("new one"));
    app.update(remote_listed(lid, entries));
    assert_eq!(app.browse.remote.current().unwrap().name, "new one");

    // F7 does the same.
    app.update(key(KeyCode::F(7)));
    assert!(matches!(
        app.dialogs.top(),
        Some(Dialog::Input {
            purpose: InputPurpose::Mkdir,
            ..
        })
    ));
    // Esc cancels without work.
    assert!(app.update(key(KeyCode::Esc)).is_empty());
    assert!(!app.dialogs.is_open() && app.files.op.is_none());
}

#[test]
fn app_new_directory_on_the_local_pane() {
    let mut app = ready_app();
    app.update(key(KeyCode::Tab));
    assert_eq!(app.browse.focus, Side::Local);
    app.update(key(KeyCode::Char('n')));
    type_text(&mut app, "build");
    let (id, op) = local_op(&app.update(key(KeyCode::Enter)));
    assert_eq!(
        op,
        LocalOp::Mkdir {
            path: Path::new(LOCAL_DIR).join("build")
        }
    );
    let cmds = app.update(Msg::Local(LocalEvent::OpDone {
        id,
        result: Ok(OpOutput::Created(Path::new(LOCAL_DIR).join("build"))),
    }));
    let (lid, path) = local_list_request(&cmds);
    assert_eq!(path, Path::new(LOCAL_DIR));
    let mut entries = local_entries();
    entries.push(dir("build"));
    app.update(local_listed(lid, entries));
    assert_eq!(app.browse.local.current().unwrap().name, "build");
    assert_eq!(app.status.text, "Created build");
}

#[test]
fn app_rename_starts_with_the_current_name() {
    let mut app = ready_app();
    assert!(app.update(key(KeyCode::F(2))).is_empty());
    match app.dialogs.top() {
        Some(Dialog::Input {
            side: Side::Remote,
            purpose: InputPurpose::Rename { from },
            input,
        }) => {
            assert_eq!(from, "alpha");
            assert_eq!(input.text(), "alpha");
        }
        other => panic!("expected the rename dialog, got {other:?}"),
    }
    assert!(
        render(&app).iter().any(|l| l.contains("alpha")),
        "the dialog shows the name"
    );
    // Editing the end of the name.
    app.update(key(KeyCode::Backspace));
    type_text(&mut app, "-2");
    let (_, op) = remote_op(&app.update(key(KeyCode::Enter)));
    assert_eq!(op, rename("/pub/alpha", "/pub/alph-2"));

    // Ctrl-U clears it for a new name (local pane this time).
    let mut app = ready_app();
    app.update(key(KeyCode::Tab));
    app.update(key(KeyCode::Char('j'))); // src/, notes.txt: directories first
    assert_eq!(app.browse.local.current().unwrap().name, "notes.txt");
    app.update(key(KeyCode::F(2)));
    app.update(ctrl('u'));
    type_text(&mut app, "todo.md");
    let (id, op) = local_op(&app.update(key(KeyCode::Enter)));
    assert_eq!(
        op,
        LocalOp::Rename {
            from: Path::new(LOCAL_DIR).join("notes.txt"),
            to: Path::new(LOCAL_DIR).join("todo.md"),
            overwrite: false,
        }
    );
    // The local worker refuses to replace: the message is an error in the status bar.
    app.update(Msg::Local(LocalEvent::OpDone {
        id,
        result: Err(LocalError::Exists {
            path: Path::new(LOCAL_DIR).join("todo.md"),
        }),
    }));
    assert!(app.status.is_error);
    assert_eq!(
        app.status.text,
        format!("{LOCAL_DIR}/todo.md already exists (renaming notes.txt)")
    );

    // Submitting the same name does nothing.
    let mut app = ready_app();
    app.update(key(KeyCode::F(2)));
    assert!(app.update(key(KeyCode::Enter)).is_empty());
    assert!(app.files.op.is_none() && !app.dialogs.is_open());
}

#[test]
fn app_delete_asks_naming_the_entries_then_deletes_the_selection() {
    let mut app = ready_app();
    assert!(app.update(key(KeyCode::F(8))).is_empty());
    assert_eq!(
        app.dialogs.top().cloned(),
        Some(Dialog::ConfirmDelete {
            side: Side::Remote,
            targets: vec![("alpha".into(), true)],
        })
    );
    let screen = render(&app);
    assert!(
        screen.iter().any(|l| l.contains("Delete 1 remote entry")),
        "{screen:#?}"
    );
    assert!(screen.iter().any(|l| l.contains("alpha/")), "{screen:#?}");
    // n keeps it.
    assert!(app.update(key(KeyCode::Char('n'))).is_empty());
    assert!(!app.dialogs.is_open() && app.files.op.is_none());

    // Select alpha and b.txt (Space moves down), then Delete (the key) and y.
    app.update(key(KeyCode::Char(' '))); // alpha, now on beta
    app.update(key(KeyCode::Down)); // b.txt
    app.update(key(KeyCode::Char(' ')));
    app.update(key(KeyCode::Delete));
    let Some(Dialog::ConfirmDelete { side, targets }) = app.dialogs.top().cloned() else {
        panic!(
            "expected the delete confirmation, got {:?}",
            app.dialogs.top().cloned()
        );
    };
    assert_eq!(side, Side::Remote);
    let mut sorted = targets.clone();
    sorted.sort();
    assert_eq!(sorted, [("alpha".into(), true), ("b.txt".into(), false)]);
    let screen = render(&app).join("\n");
    assert!(screen.contains("Delete 2 remote entries"), "{screen}");
    assert!(
        screen.contains("alpha/") && screen.contains("b.txt"),
        "{screen}"
    );
    // One task per entry on the pool, shown in the task panel; browsing is not held up.
    let jobs = match app.update(key(KeyCode::Char('y'))).as_slice() {
        [Cmd::Transfer(TransferCmd::Enqueue(jobs))] => jobs.clone(),
        other => panic!("expected delete tasks, got {other:?}"),
    };
    let mut sent: Vec<(String, bool)> = jobs
        .iter()
        .map(|j| {
            assert_eq!(j.task(), Some(&Task::Delete));
            (j.remote.clone(), j.is_dir)
        })
        .collect();
    sent.sort();
    assert_eq!(
        sent,
        [("/pub/alpha".into(), true), ("/pub/b.txt".into(), false)]
    );
    assert!(
        app.browse.remote.selected.is_empty(),
        "the selection is used up"
    );
    assert!(app.files.op.is_none(), "the pane is free for browsing");
    assert!(app.tasks.shown, "the task panel shows the deletes");
    let alpha = jobs.iter().find(|j| j.is_dir).unwrap().id;
    let file = jobs.iter().find(|j| !j.is_dir).unwrap().id;
    // Progress shows in the task panel; the end refreshes the pane.
    app.update(Msg::Transfer(TransferEvent::Started { id: alpha }));
    app.update(Msg::Transfer(TransferEvent::Steps {
        id: alpha,
        done: 7,
        total: Some(20_000),
        bytes: 0,
    }));
    let screen = render(&app).join("\n");
    assert!(screen.contains("7 / 20,000 entries"), "{screen}");
    let cmds = app.update(Msg::Transfer(TransferEvent::Finished {
        id: alpha,
        outcome: Outcome::Deleted { entries: 8 },
    }));
    assert_eq!(app.status.text, "Deleted alpha (8 entries)");
    assert_eq!(remote_list_request(&cmds).1, "/pub");
    app.update(remote_listed(
        remote_list_request(&cmds).0,
        remote_entries(),
    ));
    // A cancelled one says how far it got.
    app.update(Msg::Transfer(TransferEvent::Steps {
        id: file,
        done: 0,
        total: Some(1),
        bytes: 0,
    }));
    app.update(Msg::Transfer(TransferEvent::Finished {
        id: file,
        outcome: Outcome::Cancelled,
    }));
    assert!(
        app.status
            .text
            .contains("cancelled: 0 of 1 entries deleted"),
        "{:?}",
        app.status
    );

    // The local pane: F8 then Enter (also confirms).
    let mut app = ready_app();
    app.update(key(KeyCode::Tab));
    app.update(key(KeyCode::F(8)));
    assert_eq!(
        app.dialogs.top().cloned(),
        Some(Dialog::ConfirmDelete {
            side: Side::Local,
            targets: vec![("src".into(), true)],
        })
    );
    assert!(render(&app).join("\n").contains("Delete 1 local entry"));
    let job = queued_task(&app.update(key(KeyCode::Enter)));
    assert_eq!(job.task(), Some(&Task::Delete));
    assert!(job.is_local_task());
    assert_eq!(job.local, Path::new(LOCAL_DIR).join("src"));
    assert!(job.is_dir);
}

#[test]
fn app_failed_operations_show_the_error_and_refresh() {
    let mut app = ready_app();
    app.update(key(KeyCode::Char('n')));
    type_text(&mut app, "x");
    let (id, _) = remote_op(&app.update(key(KeyCode::Enter)));
    // A late answer for another id changes nothing.
    assert!(
        app.update(Msg::Remote(RemoteEvent::OpDone {
            id: id + 100,
            result: Ok(Changed::Created { path: "x".into() }),
        }))
        .is_empty()
    );
    assert!(app.files.op.is_some());
    let cmds = app.update(Msg::Remote(RemoteEvent::OpDone {
        id,
        result: Err(RemoteError::Refusal {
            code: 550,
            reply: "550 Permission denied".into(),
        }),
    }));
    assert!(app.status.is_error);
    assert_eq!(app.status.text, "550 Permission denied (creating x)");
    assert!(app.files.op.is_none());
    assert_eq!(
        app.server.conn,
        ConnState::Connected,
        "a refusal is not a lost link"
    );
    // The pane is listed again (a partly done delete changes it too), cursor kept.
    let (lid, path) = remote_list_request(&cmds);
    assert_eq!(path, "/pub");
    app.update(remote_listed(lid, remote_entries()));
    assert_eq!(app.browse.remote.current().unwrap().name, "alpha");
    let screen = render(&app);
    assert!(
        screen[screen.len() - 1].contains("550 Permission denied (creating x)"),
        "{screen:#?}"
    );

    // SITE CHMOD refused by the server.
    app.update(key(KeyCode::Char('G'))); // b.txt
    app.update(key(KeyCode::Char('p')));
    match app.dialogs.top() {
        Some(Dialog::Input {
            purpose:
                InputPurpose::Chmod {
                    name,
                    recursive: None,
                },
            input,
            ..
        }) => {
            assert_eq!(name, "b.txt");
            assert_eq!(
                input.text(),
                "rw-r--r--",
                "starts with the current permissions"
            );
        }
        other => panic!("expected the permissions dialog, got {other:?}"),
    }
    app.update(ctrl('u'));
    type_text(&mut app, "640");
    let (id, op) = remote_op(&app.update(key(KeyCode::Enter)));
    assert_eq!(
        op,
        RemoteOp::Chmod {
            path: "/pub/b.txt".into(),
            mode: 0o640
        }
    );
    app.update(Msg::Remote(RemoteEvent::OpDone {
        id,
        result: Err(RemoteError::Refusal {
            code: 502,
            reply: "502 Unknown SITE command".into(),
        }),
    }));
    assert!(app.status.is_error);
    assert_eq!(
        app.status.text,
        "502 Unknown SITE command (changing permissions of b.txt)"
    );

    // A lost connection during an operation marks the connection as broken.
    app.update(key(KeyCode::Char('n')));
    type_text(&mut app, "y");
    let (id, _) = remote_op(&app.update(key(KeyCode::Enter)));
    let cmds = app.update(Msg::Remote(RemoteEvent::OpDone {
        id,
        result: Err(RemoteError::ConnectionLost {
            detail: "reset by peer".into(),
        }),
    }));
    assert!(app.status.is_error);
    assert_eq!(
        app.status.text,
        "connection lost: reset by peer (creating y)"
    );
    // The refresh that follows finds the link down and reconnects at once.
    assert_eq!(app.server.conn, ConnState::Connecting);
    assert!(
        cmds.iter()
            .any(|c| matches!(c, Cmd::Remote(RemoteCmd::Connect { .. }))),
        "refreshing reconnects: {cmds:?}"
    );

    // Local failures too.
    let mut app = ready_app();
    app.update(key(KeyCode::Tab));
    app.update(key(KeyCode::F(7)));
    type_text(&mut app, "src");
    // A name the pane already shows is refused before anything is asked of the disk.
    assert!(app.update(key(KeyCode::Enter)).is_empty());
    assert!(app.status.is_error);
    assert_eq!(app.status.text, "src already exists here");
    // One that appeared since the listing: the OS error is shown.
    app.update(key(KeyCode::F(7)));
    type_text(&mut app, "fresh");
    let (id, _) = local_op(&app.update(key(KeyCode::Enter)));
    app.update(Msg::Local(LocalEvent::OpDone {
        id,
        result: Err(LocalError::Io {
            what: "cannot create",
            path: Path::new(LOCAL_DIR).join("fresh"),
            kind: std::io::ErrorKind::AlreadyExists,
            detail: "File exists".into(),
        }),
    }));
    assert!(app.status.is_error);
    assert_eq!(
        app.status.text,
        format!("cannot create {LOCAL_DIR}/fresh: File exists (creating fresh)")
    );
}

#[test]
fn app_invalid_names_are_refused_without_a_command() {
    for side in [Side::Remote, Side::Local] {
        for (name, why) in [
            ("a/b", "path separator"),
            ("..", "path traversal"),
            (".", "path traversal"),
            ("", "empty name"),
            ("   ", "empty name"),
            ("a\\b", "path separator"),
        ] {
            let mut app = ready_app();
            if side == Side::Local {
                app.update(key(KeyCode::Tab));
            }
            app.update(key(KeyCode::Char('n')));
            type_text(&mut app, name);
            let cmds = app.update(key(KeyCode::Enter));
            assert!(cmds.is_empty(), "{side:?} mkdir {name:?} -> {cmds:?}");
            assert!(app.files.op.is_none());
            assert!(app.status.is_error, "{side:?} {name:?}: {:?}", app.status);
            assert!(
                app.status.text.starts_with("Not a valid name") && app.status.text.contains(why),
                "{side:?} {name:?}: {:?}",
                app.status
            );
            // And as a rename target.
            app.update(key(KeyCode::F(2)));
            app.update(ctrl('u'));
            type_text(&mut app, name);
            assert!(
                app.update(key(KeyCode::Enter)).is_empty(),
                "{side:?} rename to {name:?}"
            );
            assert!(app.status.text.contains(why), "{:?}", app.status);
        }
    }
    // Bad permissions.
    let mut app = ready_app();
    app.update(key(KeyCode::Char('p')));
    app.update(ctrl('u'));
    type_text(&mut app, "999");
    assert!(app.update(key(KeyCode::Enter)).is_empty());
    assert!(app.status.is_error);
    assert!(
        app.status.text.starts_with("Permissions:"),
        "{:?}",
        app.status
    );
}

#[test]
fn app_one_operation_at_a_time_and_not_while_disconnected() {
    let mut app = ready_app();
    app.update(key(KeyCode::Char('n')));
    type_text(&mut app, "first");
    let (id, _) = remote_op(&app.update(key(KeyCode::Enter)));
    app.update(key(KeyCode::Char('n')));
    type_text(&mut app, "second");
    assert!(app.update(key(KeyCode::Enter)).is_empty());
    assert!(
        app.status.text.contains("Still busy: creating first"),
        "{:?}",
        app.status
    );
    // A delete is a task of the pool: it does not wait for the short operation.
    app.update(key(KeyCode::F(8)));
    let job = queued_task(&app.update(key(KeyCode::Char('y'))));
    assert_eq!(job.task(), Some(&Task::Delete));
    assert_eq!(app.files.op.as_ref().map(|o| o.id), Some(id));

    let mut app = ready_app();
    app.update(Msg::Remote(RemoteEvent::ConnectionLost {
        error: RemoteError::ConnectionLost {
            detail: "421 Timeout".into(),
        },
    }));
    for k in [KeyCode::Char('n'), KeyCode::F(2), KeyCode::F(8)] {
        assert!(app.update(key(k)).is_empty());
        assert!(
            !app.dialogs.is_open(),
            "{k:?} opened {:?}",
            app.dialogs.top().cloned()
        );
        assert!(app.status.is_error);
        assert!(
            app.status.text.contains("Not connected"),
            "{:?}",
            app.status
        );
    }
    // The local pane still works.
    app.update(key(KeyCode::Tab));
    app.update(key(KeyCode::Char('n')));
    type_text(&mut app, "offline");
    let (_, op) = local_op(&app.update(key(KeyCode::Enter)));
    assert_eq!(
        op,
        LocalOp::Mkdir {
            path: Path::new(LOCAL_DIR).join("offline")
        }
    );
}

#[test]
fn app_rename_onto_an_existing_name_asks_and_only_then_replaces() {
    let mut app = ready_app();
    // The cursor is on "alpha"; "b.txt" is a file the listing shows.
    let ctrl_u = KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL);
    let mut app2 = ready_app();
    app2.update(key(KeyCode::Char('G'))); // b.txt (files after directories)
    app2.update(key(KeyCode::F(2)));
    app2.update(Msg::Key(ctrl_u));
    type_text(&mut app2, "alpha");
    assert!(
        app2.update(key(KeyCode::Enter)).is_empty(),
        "a directory of that name: refused"
    );
    assert!(
        app2.status.text.contains("already exists"),
        "{}",
        app2.status.text
    );

    // A name the listing does not show (a dotfile on vsftpd): the server says it exists.
    app.update(key(KeyCode::F(2)));
    app.update(Msg::Key(ctrl_u));
    type_text(&mut app, ".hidden");
    let (id, op) = remote_op(&app.update(key(KeyCode::Enter)));
    assert_eq!(op, rename("/pub/alpha", "/pub/.hidden"));
    let cmds = app.update(Msg::Remote(RemoteEvent::OpDone {
        id,
        result: Err(RemoteError::Exists {
            name: ".hidden".into(),
            dir: false,
        }),
    }));
    assert!(cmds.is_empty());
    assert!(
        matches!(app.dialogs.top(), Some(Dialog::ConfirmReplace { to, .. }) if to == ".hidden"),
        "{:?}",
        app.dialogs.top().cloned()
    );
    assert!(
        render(&app)
            .iter()
            .any(|l| l.contains("replacing the existing file"))
    );
    // n keeps both.
    assert!(app.update(key(KeyCode::Char('n'))).is_empty());
    assert!(!app.dialogs.is_open());
    // Asked again and confirmed: now the rename may replace.
    app.update(Msg::Remote(RemoteEvent::OpDone {
        id,
        result: Err(RemoteError::Exists {
            name: ".hidden".into(),
            dir: false,
        }),
    }));
    app.update(key(KeyCode::F(2)));
    app.update(Msg::Key(ctrl_u));
    type_text(&mut app, ".hidden");
    let (id, _) = remote_op(&app.update(key(KeyCode::Enter)));
    app.update(Msg::Remote(RemoteEvent::OpDone {
        id,
        result: Err(RemoteError::Exists {
            name: ".hidden".into(),
            dir: false,
        }),
    }));
    let (_, op) = remote_op(&app.update(key(KeyCode::Char('o'))));
    assert_eq!(
        op,
        RemoteOp::Rename {
            from: "/pub/alpha".into(),
            to: "/pub/.hidden".into(),
            overwrite: true,
        }
    );
}

/// The one job a key queued on the pool.
fn queued_task(cmds: &[Cmd]) -> Job {
    match cmds {
        [Cmd::Transfer(TransferCmd::Enqueue(jobs))] if jobs.len() == 1 => jobs[0].clone(),
        other => panic!("expected one queued task, got {other:?}"),
    }
}

#[test]
fn app_view_of_a_remote_file_is_one_fetch_into_memory_and_a_big_file_says_its_size() {
    let mut app = ready_app();
    app.update(key(KeyCode::Char('G'))); // b.txt
    let job = queued_task(&app.update(key(KeyCode::F(3))));
    assert_eq!(
        job.task(),
        Some(&Task::View {
            max_bytes: ftpdeck::app::fileops::VIEW_MAX
        })
    );
    assert_eq!(job.remote, "/pub/b.txt");
    assert!(app.files.op.is_none(), "browsing is not held");
    app.update(Msg::Transfer(TransferEvent::Finished {
        id: job.id,
        outcome: Outcome::Viewed {
            data: b"hello".to_vec(),
            size: Some(5),
        },
    }));
    let viewer = app.viewer.as_ref().expect("the viewer opens");
    assert!(!viewer.truncated);
    assert!(render(&app).join("\n").contains("hello"));
    app.update(key(KeyCode::Char('q')));
    assert!(app.viewer.is_none());

    // A file larger than the viewer reads: the first part, and the whole size said.
    let job = queued_task(&app.update(key(KeyCode::F(3))));
    app.update(Msg::Transfer(TransferEvent::Finished {
        id: job.id,
        outcome: Outcome::Viewed {
            data: vec![b'a'; 1024],
            size: Some(3 * 1024 * 1024 * 1024),
        },
    }));
    assert!(app.viewer.as_ref().expect("the viewer opens").truncated);
    assert!(
        app.status.text.contains("1.0 KiB of 3.0 GiB"),
        "{:?}",
        app.status
    );
}

#[test]
fn app_directory_size_is_a_task_and_shows_in_the_pane() {
    let mut app = ready_app(); // cursor on alpha
    let job = queued_task(&app.update(Msg::Key(KeyEvent::new(
        KeyCode::Char(' '),
        KeyModifiers::CONTROL,
    ))));
    assert_eq!(job.task(), Some(&Task::Size));
    assert_eq!((job.remote.as_str(), job.is_dir), ("/pub/alpha", true));
    assert!(app.tasks.shown, "the task panel shows it");
    app.update(Msg::Transfer(TransferEvent::Started { id: job.id }));
    app.update(Msg::Transfer(TransferEvent::Steps {
        id: job.id,
        done: 1234,
        total: None,
        bytes: 5 * 1024 * 1024,
    }));
    let screen = render(&app).join("\n");
    assert!(screen.contains("1,234 files, 5.0 MiB so far"), "{screen}");
    app.update(Msg::Transfer(TransferEvent::Finished {
        id: job.id,
        outcome: Outcome::Sized {
            files: 2000,
            dirs: 10,
            bytes: 7 * 1024 * 1024,
        },
    }));
    assert!(
        app.status
            .text
            .contains("7.0 MiB in 2,000 files and 10 directories"),
        "{:?}",
        app.status
    );
    assert_eq!(
        app.browse.remote.measured.get("alpha"),
        Some(&(7 * 1024 * 1024))
    );
    let screen = render(&app).join("\n");
    let row = screen.lines().find(|l| l.contains("alpha/")).unwrap();
    assert!(row.contains("7.0 MiB"), "the pane shows the size: {row}");
    // `#` does the same; a file is not measured.
    app.update(key(KeyCode::Char('G')));
    assert!(app.update(key(KeyCode::Char('#'))).is_empty());
    assert!(app.status.text.contains("measures a directory"));
}

#[test]
fn app_permissions_of_a_remote_directory_can_apply_to_the_whole_tree() {
    let mut app = ready_app(); // cursor on alpha
    app.update(key(KeyCode::Char('p')));
    let screen = render(&app).join("\n");
    assert!(screen.contains("[ ] also everything inside"), "{screen}");
    app.update(key(KeyCode::Tab));
    let screen = render(&app).join("\n");
    assert!(screen.contains("[x] also everything inside"), "{screen}");
    app.update(ctrl('u'));
    type_text(&mut app, "750");
    let job = queued_task(&app.update(key(KeyCode::Enter)));
    assert_eq!(job.task(), Some(&Task::Chmod { mode: 0o750 }));
    assert_eq!((job.remote.as_str(), job.is_dir), ("/pub/alpha", true));
    let cmds = app.update(Msg::Transfer(TransferEvent::Finished {
        id: job.id,
        outcome: Outcome::Chmodded { entries: 31 },
    }));
    assert!(
        app.status
            .text
            .contains("Permissions set on 31 entries under alpha"),
        "{:?}",
        app.status
    );
    assert_eq!(
        remote_list_request(&cmds).1,
        "/pub",
        "the pane shows the result"
    );

    // Without Tab it is one SITE CHMOD on the session, as before.
    let mut app = ready_app();
    app.update(key(KeyCode::Char('p')));
    app.update(ctrl('u'));
    type_text(&mut app, "750");
    let (_, op) = remote_op(&app.update(key(KeyCode::Enter)));
    assert_eq!(
        op,
        RemoteOp::Chmod {
            path: "/pub/alpha".into(),
            mode: 0o750
        }
    );
}

#[test]
fn app_a_failed_delete_is_retried_from_the_task_panel() {
    let mut app = ready_app(); // cursor on alpha
    app.update(key(KeyCode::F(8)));
    let job = queued_task(&app.update(key(KeyCode::Char('y'))));
    app.update(Msg::Transfer(TransferEvent::Finished {
        id: job.id,
        outcome: Outcome::Failed {
            error: ftpdeck::transfer::TaskError::Remote(RemoteError::ConnectionLost {
                detail: "reset".into(),
            }),
        },
    }));
    assert!(app.status.is_error);
    assert!(
        app.status.text.contains("R in the task panel retries"),
        "{:?}",
        app.status
    );
    // Into the panel (Tab from the remote pane), R: the same delete again.
    app.update(key(KeyCode::Tab));
    assert!(
        app.tasks.focused,
        "Tab from the remote pane goes to the panel"
    );
    let again = queued_task(&app.update(key(KeyCode::Char('R'))));
    assert_eq!(again, job);
}
