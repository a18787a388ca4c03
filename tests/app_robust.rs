//! Regressions the monkey (tests/monkey.rs) found: absurd sizes and times from a server, and
//! odd worker answers, must neither panic in `App::update` nor in `ui::draw`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may stop at the first surprise

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ftpdeck::app::dialog::Dialog;
use ftpdeck::app::pane::Mark;
use ftpdeck::app::{App, AppConfig, Cmd, Msg};
use ftpdeck::entry::{Entry, EntryKind};
use ftpdeck::local::{LocalCmd, LocalEvent};
use ftpdeck::remote::session::Listing;
use ftpdeck::remote::{Profile, RemoteCmd, RemoteError, RemoteEvent, Secret};
use ftpdeck::transfer::{TransferCmd, TransferEvent};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn key(c: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

fn file(name: &str, size: u64, mtime: i64) -> Entry {
    let mut e = Entry::new(name, EntryKind::File);
    e.size = Some(size);
    e.mtime = Some(mtime);
    e
}

/// The screen as text, one string per row.
fn screen(app: &App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| ftpdeck::ui::draw(f, app, &app.theme)).unwrap();
    let buf = t.backend().buffer();
    (0..h)
        .map(|y| (0..w).map(|x| buf[(x, y)].symbol()).collect::<String>() + "\n")
        .collect()
}

/// Connected, the remote pane focused, both panes listed.
fn app_with(local: Vec<Entry>, remote: Vec<Entry>) -> App {
    let profile = Profile {
        host: "h".into(),
        user: "bob".into(),
        password: Some(Secret::new("pw")),
        ..Default::default()
    };
    let (mut app, cmds) = App::new(AppConfig::new(PathBuf::from("/l"), Some(profile)));
    let Some(Cmd::Local(LocalCmd::List { id, .. })) = cmds.first().cloned() else {
        panic!("no local listing in {cmds:?}");
    };
    app.update(Msg::Local(LocalEvent::Listed {
        id,
        path: "/l".into(),
        result: Ok(("/l".into(), local)),
    }));
    let cmds = app.update(Msg::Remote(RemoteEvent::Connected {
        label: "bob@h".into(),
        home: "/r".into(),
        welcome: String::new(),
        checksum: None,
    }));
    let id = cmds
        .iter()
        .find_map(|c| match c {
            Cmd::Remote(RemoteCmd::List { id, .. }) => Some(*id),
            _ => None,
        })
        .expect("remote listing");
    app.update(Msg::Remote(RemoteEvent::Listed {
        id,
        path: "/r".into(),
        result: Ok(Listing {
            path: "/r".into(),
            entries: remote,
            truncated: None,
        }),
    }));
    app
}

#[test]
fn selecting_files_of_absurd_sizes_saturates_the_total_and_draws() {
    let big = vec![file("a", u64::MAX, 0), file("b", u64::MAX, 0)];
    let mut app = app_with(vec![], big);
    app.update(key(KeyCode::Char('*')));
    assert_eq!(app.browse.remote.selection_totals(), (2, u64::MAX));
    assert!(screen(&app, 100, 20).contains("2 selected"));
}

#[test]
fn copying_files_of_absurd_sizes_queues_them_all() {
    let big = vec![file("a", u64::MAX, 0), file("b", u64::MAX, 0)];
    let mut app = app_with(vec![], big);
    app.update(key(KeyCode::Char('*')));
    let cmds = app.update(key(KeyCode::F(5)));
    let queued: usize = cmds
        .iter()
        .map(|c| match c {
            Cmd::Transfer(TransferCmd::Enqueue(jobs)) => jobs.len(),
            _ => 0,
        })
        .sum();
    assert_eq!(queued, 2, "{cmds:?}");
    // The panel's totals add the sizes left without overflowing.
    assert_eq!(app.tasks.list.totals().bytes_left, u64::MAX);
    for j in app.tasks.list.jobs.clone() {
        app.update(Msg::Transfer(TransferEvent::Progress {
            id: j.job.id,
            done: u64::MAX,
            total: None,
            rate: 1.0,
        }));
    }
    app.update(Msg::Tick { now: 1 });
    assert_eq!(app.tasks.list.history.back(), Some(&u64::MAX));
    screen(&app, 100, 30);
}

#[test]
fn comparing_times_at_the_end_of_time_does_not_overflow() {
    let local = vec![file("same", 1, i64::MAX), file("newer", 1, i64::MAX)];
    let remote = vec![file("same", 1, i64::MAX), file("newer", 1, 0)];
    let mut app = app_with(local, remote);
    app.update(key(KeyCode::Char('=')));
    assert!(app.browse.compare_on);
    assert_eq!(app.browse.local.marks.get("same"), None);
    assert_eq!(app.browse.local.marks.get("newer"), Some(&Mark::Newer));
}

#[test]
fn a_fingerprint_that_is_not_hex_is_drawn_without_splitting_a_character() {
    let mut app = app_with(vec![], vec![]);
    let fingerprint = "日".repeat(30);
    app.update(Msg::Remote(RemoteEvent::ConnectFailed {
        error: RemoteError::UntrustedCert {
            fingerprint,
            reason: "self-signed".into(),
        },
    }));
    assert!(matches!(
        app.dialogs.top().cloned(),
        Some(Dialog::TrustCert { .. })
    ));
    assert!(screen(&app, 100, 30).contains("self-signed"));
}

#[test]
fn a_job_that_ends_while_its_conflict_is_asked_about_closes_the_question() {
    let files = vec![file("a", 10, 0), file("b", 20, 0)];
    let mut app = app_with(vec![], files);
    app.update(key(KeyCode::Char('*')));
    app.update(key(KeyCode::F(5)));
    let ids: Vec<u64> = app.tasks.list.jobs.iter().map(|v| v.job.id).collect();
    assert_eq!(ids.len(), 2);
    for &id in &ids {
        app.update(Msg::Transfer(TransferEvent::Conflict {
            id,
            source: Default::default(),
            existing: Default::default(),
        }));
    }
    assert_eq!(
        app.dialogs.top().cloned(),
        Some(Dialog::Overwrite {
            id: ids[0],
            apply_to_all: false
        })
    );
    // A cancel sent before the conflict was reported comes back now.
    app.update(Msg::Transfer(TransferEvent::Finished {
        id: ids[0],
        outcome: ftpdeck::transfer::Outcome::Cancelled,
    }));
    assert_eq!(
        app.dialogs.top().cloned(),
        Some(Dialog::Overwrite {
            id: ids[1],
            apply_to_all: false
        }),
        "the next conflict is asked about"
    );
    app.update(Msg::Transfer(TransferEvent::Finished {
        id: ids[1],
        outcome: ftpdeck::transfer::Outcome::Cancelled,
    }));
    assert_eq!(app.dialogs.top().cloned(), None);
    assert!(app.tasks.conflicts.is_empty());
}

#[test]
fn a_worker_that_is_gone_is_reported_and_the_pane_stops_waiting() {
    use ftpdeck::app::Worker;
    let (mut app, _) = App::new(AppConfig::new(PathBuf::from("/"), None));
    // A local listing was asked for at start and will never be answered.
    assert!(app.browse.local.pending.is_some());
    app.update(Msg::WorkerGone(Worker::Local));
    assert!(
        app.browse.local.pending.is_none(),
        "no more \"loading\" forever"
    );
    assert!(app.status.is_error);
    assert!(
        app.status.text.contains("The local file worker stopped"),
        "{}",
        app.status.text
    );
    app.update(Msg::WorkerGone(Worker::Session));
    assert!(matches!(app.server.conn, ftpdeck::app::ConnState::Error(_)));
    assert!(
        app.status.text.contains("restart ftpdeck"),
        "{}",
        app.status.text
    );
}
