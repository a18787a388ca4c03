//! Synchronize in the TUI through `App::update`, with the app's commands carried out by the
//! real transfer pool against the embedded server: the options, the scan as a task, the plan
//! as a checklist (toggle, toggle a kind, filter), the second confirmation for deletes, the run,
//! and the screens a user sees on a `TestBackend`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may stop at the first surprise

mod common;

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::{Duration, Instant};

use common::*;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ftpdeck::app::dialog::Dialog;
use ftpdeck::app::sync::Kind;
use ftpdeck::app::{App, AppConfig, Cmd, Msg};
use ftpdeck::local::{LocalCmd, LocalEvent};
use ftpdeck::remote::session::Listing;
use ftpdeck::remote::{RemoteCmd, RemoteEvent};
use ftpdeck::transfer::{self, PoolOptions, TransferCmd, TransferEvent};

const W: u16 = 140;
const H: u16 = 40;

fn key(c: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

fn typed(app: &mut App, rig: &Rig, text: &str) {
    for c in text.chars() {
        let cmds = app.update(key(KeyCode::Char(c)));
        rig.dispatch(cmds);
    }
}

fn render(app: &App) -> String {
    common::screen::text(app, W, H)
}

/// The app's transfer commands go to a real pool; its listings are answered from the disk
/// (the panes' contents do not matter to a sync, which scans for itself).
struct Rig {
    pool: Sender<TransferCmd>,
    events: Receiver<TransferEvent>,
}

impl Rig {
    fn dispatch(&self, cmds: Vec<Cmd>) {
        for c in cmds {
            if let Cmd::Transfer(t) = c {
                self.pool.send(t).unwrap();
            }
        }
    }

    /// Feed the pool's events to the app until `done` says so.
    fn pump(&self, app: &mut App, what: &str, done: impl Fn(&App) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while !done(app) {
            let left = deadline.saturating_duration_since(Instant::now());
            let ev = self
                .events
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("waiting for {what}; status: {}", app.status.text));
            let cmds = app.update(Msg::Transfer(ev));
            self.dispatch(cmds);
        }
    }
}

/// An app connected to `server` with the local pane in `local` and the remote one in `/`.
fn connected(server: &ftpdeck::server::ServerHandle, local: &Path) -> (App, Rig) {
    connected_with(profile(server), local, None)
}

/// [`connected`], the server's checksum offer as the session reports it.
fn connected_with(
    profile: ftpdeck::remote::Profile,
    local: &Path,
    checksum: Option<String>,
) -> (App, Rig) {
    let (tx, rx) = mpsc::channel();
    let pool = transfer::spawn(
        tx,
        PoolOptions {
            workers: 3,
            ..PoolOptions::default()
        },
    );
    let rig = Rig { pool, events: rx };
    let (mut app, cmds) = App::new(AppConfig::new(local, Some(profile)));
    app.update(Msg::Resize {
        width: W,
        height: H,
    });
    for c in cmds {
        if let Cmd::Local(LocalCmd::List { id, path }) = c {
            app.update(Msg::Local(LocalEvent::Listed {
                id,
                path: path.clone(),
                result: Ok((PathBuf::from(&path), vec![])),
            }));
        }
    }
    let cmds = app.update(Msg::Remote(RemoteEvent::Connected {
        label: "test".into(),
        home: "/".into(),
        welcome: String::new(),
        checksum,
    }));
    let mut rest = Vec::new();
    for c in cmds {
        match c {
            Cmd::Remote(RemoteCmd::List { id, path }) => {
                app.update(Msg::Remote(RemoteEvent::Listed {
                    id,
                    path: path.clone(),
                    result: Ok(Listing {
                        path,
                        truncated: None,
                        entries: vec![],
                    }),
                }));
            }
            other => rest.push(other),
        }
    }
    rig.dispatch(rest);
    (app, rig)
}

fn plan_open(app: &App) -> bool {
    matches!(app.dialogs.top(), Some(Dialog::SyncPlan))
}

/// The two trees: the local one is the source of an upload.
fn trees() -> (tempfile::TempDir, tempfile::TempDir) {
    let local = tempfile::tempdir().unwrap();
    write(local.path(), "new.txt", b"new file");
    write(local.path(), "docs/guide.md", b"# guide, longer now");
    write(local.path(), "docs/deep/n\u{e9}e.txt", b"unicode");
    write(local.path(), "same.txt", b"same");
    write(local.path(), "empty.txt", b"");
    std::fs::create_dir_all(local.path().join("emptydir")).unwrap();
    let remote = tempfile::tempdir().unwrap();
    write(remote.path(), "docs/guide.md", b"# guide");
    write(remote.path(), "old/gone.txt", b"extraneous");
    write(remote.path(), "old/also.txt", b"extraneous too");
    write(remote.path(), "stray.tmp", b"kept: excluded");
    std::fs::copy(
        local.path().join("same.txt"),
        remote.path().join("same.txt"),
    )
    .unwrap();
    // The same time on both sides: "same.txt" is in step.
    let t = std::fs::metadata(local.path().join("same.txt"))
        .unwrap()
        .modified()
        .unwrap();
    std::fs::File::options()
        .write(true)
        .open(remote.path().join("same.txt"))
        .unwrap()
        .set_modified(t)
        .unwrap();
    (local, remote)
}

#[test]
fn the_plan_is_a_checklist_that_changes_nothing_until_enter_and_deletes_ask_once_more() {
    let (local, remote) = trees();
    let server = start_server(remote.path());
    let (mut app, rig) = connected(&server, local.path());
    let before = snapshot(remote.path());

    // F9 from the local pane: local → server by default. Tick "delete", exclude *.tmp.
    app.update(key(KeyCode::Tab));
    let cmds = app.update(key(KeyCode::F(9)));
    rig.dispatch(cmds);
    assert!(matches!(app.dialogs.top(), Some(Dialog::SyncOptions)));
    let screen = render(&app);
    assert!(screen.contains("◀ local → server ▶"), "{screen}");
    for k in [KeyCode::Tab, KeyCode::Tab, KeyCode::Char(' '), KeyCode::Tab] {
        app.update(key(k));
    }
    typed(&mut app, &rig, "*.tmp");
    let screen = render(&app);
    assert!(
        screen.contains("[x] delete what the destination has"),
        "{screen}"
    );
    assert!(screen.contains("*.tmp"), "{screen}");
    let cmds = app.update(key(KeyCode::Enter));
    let scan = cmds.iter().any(|c| {
        matches!(c, Cmd::Transfer(TransferCmd::Enqueue(jobs))
            if matches!(jobs[0].task(), Some(ftpdeck::transfer::Task::SyncScan { upload: true, .. })))
    });
    assert!(scan, "Enter queues the scan as a task");
    rig.dispatch(cmds);
    rig.pump(&mut app, "the plan", plan_open);

    let plan = app.sync.plan.as_ref().unwrap();
    let mut rows: Vec<(Kind, String)> = plan
        .rows
        .iter()
        .map(|r| (r.kind, r.action.path().to_string()))
        .collect();
    rows.sort();
    let want = [
        (Kind::Upload, "docs/deep/n\u{e9}e.txt"),
        (Kind::Upload, "docs/guide.md"),
        (Kind::Upload, "empty.txt"),
        (Kind::Upload, "new.txt"),
        (Kind::MkdirRemote, "docs/deep"),
        (Kind::MkdirRemote, "emptydir"),
        (Kind::DeleteRemote, "old"),
        (Kind::DeleteRemote, "old/also.txt"),
        (Kind::DeleteRemote, "old/gone.txt"),
    ];
    let mut want: Vec<(Kind, String)> = want.iter().map(|(k, p)| (*k, p.to_string())).collect();
    want.sort();
    assert_eq!(rows, want, "same.txt is in step, stray.tmp excluded");
    let screen = render(&app);
    assert!(screen.contains("↑ upload 4/4"), "{screen}");
    assert!(screen.contains("✗ delete server 3/3"), "{screen}");
    assert!(screen.contains("size differs"), "{screen}");
    assert_eq!(
        snapshot(remote.path()),
        before,
        "the scan and the plan change nothing"
    );

    // Filter to the old/ rows; `a` unticks the kind (what is shown of it).
    app.update(key(KeyCode::Char('/')));
    typed(&mut app, &rig, "old");
    app.update(key(KeyCode::Enter));
    let plan = app.sync.plan.as_ref().unwrap();
    assert_eq!(plan.visible.len(), 3);
    app.update(key(KeyCode::Char('a')));
    let plan = app.sync.plan.as_ref().unwrap();
    assert_eq!(plan.tally(Kind::DeleteRemote).ticked, 0);
    let screen = render(&app);
    assert!(screen.contains("(3 of 9 shown)"), "{screen}");
    // Space on old/gone.txt ticks it alone (its directory stays unticked: also.txt stays).
    let at = plan
        .visible
        .iter()
        .position(|&i| plan.rows[i].action.path() == "old/gone.txt")
        .unwrap();
    while app.sync.plan.as_ref().unwrap().cursor < at {
        app.update(key(KeyCode::Down));
    }
    app.update(key(KeyCode::Char(' ')));
    let plan = app.sync.plan.as_ref().unwrap();
    assert_eq!(plan.tally(Kind::DeleteRemote).ticked, 1);
    assert_eq!(plan.ticked_deletes(), (1, 0));
    // Esc clears the filter first; the plan stays.
    app.update(key(KeyCode::Esc));
    assert!(plan_open(&app));
    assert_eq!(app.sync.plan.as_ref().unwrap().visible.len(), 9);
    // Untick the directory "docs/deep": its upload goes with it.
    let plan = app.sync.plan.as_ref().unwrap();
    let at = plan
        .visible
        .iter()
        .position(|&i| plan.rows[i].action.path() == "docs/deep")
        .unwrap();
    while app.sync.plan.as_ref().unwrap().cursor > at {
        app.update(key(KeyCode::Up));
    }
    while app.sync.plan.as_ref().unwrap().cursor < at {
        app.update(key(KeyCode::Down));
    }
    app.update(key(KeyCode::Char(' ')));
    let plan = app.sync.plan.as_ref().unwrap();
    assert_eq!(
        plan.tally(Kind::Upload).ticked,
        3,
        "the file in docs/deep too"
    );

    // Enter: a deletion asks once more, naming how many; n goes back to the plan.
    app.update(key(KeyCode::Enter));
    assert!(matches!(
        app.dialogs.top(),
        Some(Dialog::ConfirmSyncDelete {
            files: 1,
            dirs: 0,
            remote: true
        })
    ));
    let screen = render(&app);
    assert!(
        screen.contains("The plan deletes 1 file on the server."),
        "{screen}"
    );
    app.update(key(KeyCode::Char('n')));
    assert!(plan_open(&app));
    assert_eq!(snapshot(remote.path()), before, "still nothing changed");
    app.update(key(KeyCode::Enter));
    let cmds = app.update(key(KeyCode::Char('y')));
    rig.dispatch(cmds);
    rig.pump(&mut app, "the end of the sync", |a| a.sync.run.is_none());

    assert!(
        app.status.text.starts_with("Synchronize done: 3 copied"),
        "{}",
        app.status.text
    );
    assert!(app.status.text.contains("1 deleted"), "{}", app.status.text);
    let r = remote.path();
    assert_eq!(std::fs::read(r.join("new.txt")).unwrap(), b"new file");
    assert_eq!(
        std::fs::read(r.join("docs/guide.md")).unwrap(),
        b"# guide, longer now"
    );
    assert_eq!(std::fs::read(r.join("empty.txt")).unwrap(), b"");
    assert!(r.join("emptydir").is_dir());
    assert!(!r.join("docs/deep").exists(), "unticked: not made");
    assert!(!r.join("old/gone.txt").exists());
    assert!(r.join("old/also.txt").exists(), "unticked: kept");
    assert!(r.join("stray.tmp").exists(), "excluded: kept");
}

#[test]
fn checksum_is_offered_where_the_server_hashes_and_copies_only_the_same_sized_file_that_differs() {
    const OLD: u64 = 1_700_000_000;
    let (local, remote) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (l, r) = (local.path(), remote.path());
    write(l, "same.bin", &pseudo_random(50_000, 3));
    write(l, "changed.bin", &pseudo_random(50_000, 5));
    write(l, "sub/empty.txt", b"");
    write(r, "same.bin", &pseudo_random(50_000, 3));
    write(r, "changed.bin", &pseudo_random(50_000, 4));
    write(r, "sub/empty.txt", b"");
    // The server's copies are older: by size and time every file would go up.
    for f in ["same.bin", "changed.bin", "sub/empty.txt"] {
        common::cli::set_mtime(&r.join(f), OLD);
    }
    let server = start_server(r);
    // What the session would report: the embedded server's FEAT, read on a real connection.
    let conn = ftpdeck::remote::connect::connect(&profile(&server), Default::default()).unwrap();
    let offer = ftpdeck::remote::hash::describe_best(&conn.features.hash);
    assert_eq!(offer.as_deref(), Some("MD5 by SITE MD5"));
    let (mut app, rig) = connected_with(profile(&server), l, offer);

    app.update(key(KeyCode::Tab));
    app.update(key(KeyCode::F(9)));
    let screen = render(&app);
    assert!(
        screen.contains("checksums: this server offers MD5 by SITE MD5"),
        "{screen}"
    );
    // Down to Compare; Right twice: size only, then checksum.
    for k in [KeyCode::Down, KeyCode::Right, KeyCode::Right] {
        app.update(key(k));
    }
    let screen = render(&app);
    assert!(
        screen.contains("◀ checksum (MD5 by SITE MD5) ▶"),
        "{screen}"
    );
    let cmds = app.update(key(KeyCode::Enter));
    rig.dispatch(cmds);
    rig.pump(&mut app, "the plan", plan_open);
    let plan = app.sync.plan.as_ref().unwrap();
    let rows: Vec<(Kind, &str, &str)> = plan
        .rows
        .iter()
        .map(|row| (row.kind, row.action.path(), row.reason()))
        .collect();
    assert_eq!(
        rows,
        [(Kind::Upload, "changed.bin", "checksum differs")],
        "equal contents stay, whatever the times"
    );
    let screen = render(&app);
    assert!(screen.contains("checksum differs"), "{screen}");
    rig.dispatch(app.update(key(KeyCode::Enter)));
    rig.pump(&mut app, "the run", |a| a.sync.run.is_none());
    assert_eq!(snapshot(r), snapshot(l));
    assert!(
        app.status.text.starts_with("Synchronize done: 1 copied"),
        "{}",
        app.status.text
    );
}

#[test]
fn a_checksum_command_the_server_lists_but_refuses_ends_the_scan_with_why_and_changes_nothing() {
    // libunftp lists SITE MD5 to everyone and answers it only to logged-in accounts.
    let (local, remote) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    write(local.path(), "a.txt", b"local!");
    write(remote.path(), "a.txt", b"server");
    let config =
        ftpdeck::server::ServerConfig::local(remote.path(), ftpdeck::server::ServerAuth::Anonymous);
    let server = ftpdeck::server::start(config).unwrap();
    let anonymous = ftpdeck::remote::Profile {
        user: "anonymous".into(),
        password: Some(ftpdeck::remote::Secret::new("guest@")),
        ..profile(&server)
    };
    let conn = ftpdeck::remote::connect::connect(&anonymous, Default::default()).unwrap();
    let offer = ftpdeck::remote::hash::describe_best(&conn.features.hash);
    let (mut app, rig) = connected_with(anonymous, local.path(), offer);
    app.update(key(KeyCode::F(9)));
    for k in [KeyCode::Down, KeyCode::Right, KeyCode::Right] {
        app.update(key(k));
    }
    rig.dispatch(app.update(key(KeyCode::Enter)));
    assert!(app.sync.scanning.is_some());
    rig.pump(&mut app, "the scan's end", |a| a.sync.scanning.is_none());
    assert!(app.sync.plan.is_none());
    let status = &app.status.text;
    assert!(
        status.starts_with("Sync scan failed: the server lists SITE MD5 but refuses it"),
        "{status}"
    );
    assert!(status.contains("compare by size and time"), "{status}");
    assert_eq!(
        std::fs::read(local.path().join("a.txt")).unwrap(),
        b"local!"
    );
    assert_eq!(
        std::fs::read(remote.path().join("a.txt")).unwrap(),
        b"server"
    );
}

#[test]
fn a_server_without_checksums_is_not_offered_them() {
    let (local, remote) = trees();
    let server = start_server(remote.path());
    let (mut app, _rig) = connected(&server, local.path());
    app.update(key(KeyCode::F(9)));
    let screen = render(&app);
    assert!(
        screen.contains("no checksum: this server offers none of HASH"),
        "{screen}"
    );
    app.update(key(KeyCode::Down));
    for want in ["size only", "size and time", "size only"] {
        app.update(key(KeyCode::Right));
        let screen = render(&app);
        assert!(screen.contains(&format!("◀ {want} ▶")), "{screen}");
    }
}

#[test]
fn esc_drops_the_plan_and_a_second_scan_of_trees_in_step_says_so() {
    let (local, remote) = trees();
    let server = start_server(remote.path());
    let (mut app, rig) = connected(&server, local.path());
    let before = snapshot(remote.path());
    app.update(key(KeyCode::Tab));
    rig.dispatch(app.update(key(KeyCode::F(9))));
    let cmds = app.update(key(KeyCode::Enter));
    rig.dispatch(cmds);
    rig.pump(&mut app, "the plan", plan_open);
    app.update(key(KeyCode::Esc));
    assert!(app.dialogs.top().is_none());
    assert!(app.sync.plan.is_none());
    assert_eq!(app.status.text, "Plan dropped; nothing changed");
    assert_eq!(snapshot(remote.path()), before);

    // Run it all (no deletes by default: no second question), then scan again.
    rig.dispatch(app.update(key(KeyCode::F(9))));
    rig.dispatch(app.update(key(KeyCode::Enter)));
    rig.pump(&mut app, "the plan", plan_open);
    let cmds = app.update(key(KeyCode::Enter));
    assert!(
        !matches!(app.dialogs.top(), Some(Dialog::ConfirmSyncDelete { .. })),
        "nothing to delete: no second question"
    );
    rig.dispatch(cmds);
    rig.pump(&mut app, "the end of the sync", |a| a.sync.run.is_none());
    assert!(
        app.status.text.starts_with("Synchronize done: 4 copied"),
        "{}",
        app.status.text
    );
    assert!(remote.path().join("old/gone.txt").exists());
    rig.dispatch(app.update(key(KeyCode::F(9))));
    rig.dispatch(app.update(key(KeyCode::Enter)));
    rig.pump(&mut app, "the second scan", |a| a.sync.scanning.is_none());
    assert!(
        app.status
            .text
            .starts_with("Already in step: nothing to do"),
        "{}",
        app.status.text
    );
    assert!(!plan_open(&app));
}

#[test]
fn synchronize_without_a_server_says_what_to_do() {
    let local = tempfile::tempdir().unwrap();
    let (mut app, _) = App::new(AppConfig::new(local.path(), None));
    app.update(key(KeyCode::F(9)));
    assert!(app.dialogs.top().is_none());
    assert!(
        app.status.text.contains("Synchronize needs a server"),
        "{}",
        app.status.text
    );
}
