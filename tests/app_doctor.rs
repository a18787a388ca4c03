//! The connection doctor in the TUI, through `App::update` and a real task pool: `D` on a
//! bookmark queues a doctor task, the pool probes the scripted server in `tests/fake` (a 227
//! naming a private address), the report shows as an overlay on `TestBackend`, and `s` saves
//! the recommendation into the bookmark. `D` in the panes probes the server connected to.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may stop at the first surprise

mod common;
mod fake;

use std::net::Ipv4Addr;
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use fake::{FakeServer, unix_file};
use ftpdeck::app::dialog::Dialog;
use ftpdeck::app::{App, AppConfig, Cmd, Msg};
use ftpdeck::bookmarks::{Bookmark, PasswordSource, Store};
use ftpdeck::local::LocalCmd;
use ftpdeck::remote::{Profile, RemoteEvent};
use ftpdeck::transfer::{self, Job, PoolOptions, Task, TransferCmd, TransferEvent};

const W: u16 = 120;
const H: u16 = 40;

fn key(c: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

fn ch(c: char) -> Msg {
    key(KeyCode::Char(c))
}

fn doctor_jobs(cmds: &[Cmd]) -> Vec<Job> {
    cmds.iter()
        .flat_map(|c| match c {
            Cmd::Transfer(TransferCmd::Enqueue(jobs)) => jobs.clone(),
            _ => vec![],
        })
        .filter(|j| matches!(j.task(), Some(Task::Doctor { .. })))
        .collect()
}

/// Run `cmds`' transfer commands on a real pool and feed its events to `app` until job `id`
/// finished.
fn run_on_pool(app: &mut App, cmds: Vec<Cmd>, id: u64) {
    let (tx, rx) = mpsc::channel::<TransferEvent>();
    let pool = transfer::spawn(tx, PoolOptions::default());
    for c in cmds {
        if let Cmd::Transfer(t) = c {
            pool.send(t).unwrap();
        }
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let e = rx.recv_timeout(left).expect("the doctor task finishes");
        let done = matches!(&e, TransferEvent::Finished { id: i, .. } if *i == id);
        app.update(Msg::Transfer(e));
        if done {
            break;
        }
    }
    let _ = pool.send(TransferCmd::Shutdown);
}

#[test]
fn d_on_a_bookmark_runs_the_doctor_shows_the_report_and_s_saves_the_recommendation() {
    let server = FakeServer::builder()
        .pasv_announces(Ipv4Addr::new(10, 0, 0, 5))
        .listing([unix_file("a.txt", "3")])
        .start();
    let mut b = Bookmark::from_profile(
        "behind-nat",
        &Profile {
            host: "127.0.0.1".into(),
            port: server.port(),
            user: "bob".into(),
            trust_pasv_address: true,
            ..Profile::default()
        },
    );
    b.password = PasswordSource::None;
    let (mut app, _) = App::new(AppConfig::new(PathBuf::from("/tmp"), None));
    app.update(Msg::Resize {
        width: W,
        height: H,
    });
    app.server.bookmarks = Store {
        bookmarks: vec![b],
        recent: vec![],
    };
    app.open_bookmarks();
    app.update(key(KeyCode::Down)); // from "New connection…" to the bookmark

    let cmds = app.update(ch('D'));
    let jobs = doctor_jobs(&cmds);
    assert_eq!(jobs.len(), 1, "{cmds:?}");
    let Some(Task::Doctor { profile }) = jobs[0].task() else {
        unreachable!()
    };
    assert_eq!(
        (profile.port, profile.trust_pasv_address),
        (server.port(), true)
    );
    assert!(
        app.status
            .text
            .contains("Connection doctor: probing bob@127.0.0.1"),
        "{:?}",
        app.status
    );
    assert!(app.tasks.shown, "the task panel shows the doctor's row");

    run_on_pool(&mut app, cmds, jobs[0].id);
    let Some(Dialog::Doctor(view)) = app.dialogs.top() else {
        panic!("no report: {:?}", app.dialogs.top());
    };
    assert_eq!(view.bookmark.as_deref(), Some("behind-nat"));
    let screen = common::screen::text(&app, W, H);
    assert!(
        screen.contains("Connection doctor: bob@127.0.0.1"),
        "{screen}"
    );
    assert!(screen.contains("NAT"), "{screen}");
    assert!(screen.contains("10.0.0.5"), "{screen}");
    assert!(
        screen.contains("LIST works: 1 line, 1 understood"),
        "{screen}"
    );
    assert!(screen.contains("trust_pasv_address = false"), "{screen}");
    assert!(screen.contains("s save into behind-nat"), "{screen}");

    // Any terminal size draws it.
    for (w, h) in [(1, 1), (10, 3), (40, 12), (300, 100)] {
        common::screen::text(&app, w, h);
    }

    // The report scrolls, and `s` saves into the bookmark.
    app.update(key(KeyCode::Down));
    let Some(Dialog::Doctor(view)) = app.dialogs.top() else {
        panic!("the report closed on ↓");
    };
    assert_eq!(view.scroll, 1);
    let cmds = app.update(ch('s'));
    let saved = cmds
        .iter()
        .find_map(|c| match c {
            Cmd::Local(LocalCmd::SaveBookmarks { store }) => Some(store.clone()),
            _ => None,
        })
        .expect("the bookmarks are saved");
    assert!(!saved.find("behind-nat").unwrap().trust_pasv_address);
    assert!(
        !app.server
            .bookmarks
            .find("behind-nat")
            .unwrap()
            .trust_pasv_address
    );
    assert!(
        app.status.text.contains("trust_pasv_address = false"),
        "{:?}",
        app.status
    );

    // A second `s` has nothing left to change; Esc goes back to the bookmark list.
    assert!(app.update(ch('s')).is_empty());
    app.update(key(KeyCode::Esc));
    assert!(matches!(app.dialogs.top(), Some(Dialog::Bookmarks { .. })));
}

#[test]
fn d_in_the_panes_probes_the_server_connected_to() {
    let root = tempfile::tempdir().unwrap();
    common::write(root.path(), "x.txt", b"x");
    let server = common::start_server(root.path());
    let profile = common::profile(&server);
    let (mut app, _) = App::new(AppConfig::new(PathBuf::from("/tmp"), Some(profile.clone())));
    app.update(Msg::Resize {
        width: W,
        height: H,
    });
    app.update(Msg::Remote(RemoteEvent::Connected {
        label: profile.label(),
        home: "/".into(),
        welcome: String::new(),
        checksum: None,
    }));
    let cmds = app.update(ch('D'));
    let jobs = doctor_jobs(&cmds);
    assert_eq!(jobs.len(), 1, "{cmds:?}");
    run_on_pool(&mut app, cmds, jobs[0].id);
    let Some(Dialog::Doctor(view)) = app.dialogs.top() else {
        panic!("no report: {:?}", app.dialogs.top());
    };
    assert_eq!(
        view.report.exit_status(),
        ftpdeck::doctor::ALL_GOOD,
        "{:?}",
        view.report
    );
    assert!(view.bookmark.is_none());
    let screen = common::screen::text(&app, W, H);
    assert!(screen.contains("EPSV works"), "{screen}");
    assert!(screen.contains("Everything works"), "{screen}");
    // Not from a bookmark: `s` says where to save first, and changes nothing.
    assert!(app.update(ch('s')).is_empty());
    assert!(
        app.status.is_error && app.status.text.contains("bookmark"),
        "{:?}",
        app.status
    );
}

#[test]
fn d_on_a_bookmark_with_a_saved_password_looks_it_up_first_and_then_probes_with_it() {
    let mut b = Bookmark::from_profile(
        "saved",
        &Profile {
            host: "ftp.example.org".into(),
            user: "bob".into(),
            ..Profile::default()
        },
    );
    b.password = PasswordSource::Saved;
    let (mut app, _) = App::new(AppConfig::new(PathBuf::from("/tmp"), None));
    app.server.bookmarks = Store {
        bookmarks: vec![b],
        recent: vec![],
    };
    app.open_bookmarks();
    app.update(key(KeyCode::Down));
    let screen = common::screen::text(&app, W, H);
    assert!(screen.contains("D doctor"), "{screen}");

    let cmds = app.update(ch('D'));
    assert!(
        cmds.iter()
            .any(|c| matches!(c, Cmd::Local(LocalCmd::LookupSecret { name }) if name == "saved")),
        "{cmds:?}"
    );
    assert!(doctor_jobs(&cmds).is_empty());
    let cmds = app.update(Msg::Local(ftpdeck::local::LocalEvent::Secret {
        name: "saved".into(),
        result: Ok(Some(ftpdeck::remote::Secret::new("pw"))),
    }));
    let jobs = doctor_jobs(&cmds);
    assert_eq!(jobs.len(), 1, "{cmds:?}");
    let Some(Task::Doctor { profile }) = jobs[0].task() else {
        unreachable!()
    };
    assert_eq!(profile.password.as_ref().map(|p| p.expose()), Some("pw"));
    // The doctor's password lookup does not connect the panes.
    assert!(
        !cmds.iter().any(|c| matches!(c, Cmd::Remote(_))),
        "{cmds:?}"
    );

    // A bookmark that asks for its password is told how to go on.
    app.server.bookmarks.bookmarks[0].password = PasswordSource::Ask;
    assert!(app.update(ch('D')).is_empty());
    assert!(
        app.status.is_error && app.status.text.contains("connect to it"),
        "{:?}",
        app.status
    );
}

#[test]
fn cancelling_the_doctor_while_a_probe_waits_on_a_silent_server_stops_it_without_a_report() {
    let server = FakeServer::builder()
        .listing([unix_file("a.txt", "3")])
        .stall_mid_reply(fake::At::Reply("LIST"))
        .start();
    let mut b = Bookmark::from_profile(
        "silent",
        &Profile {
            host: "127.0.0.1".into(),
            port: server.port(),
            user: "bob".into(),
            ..Profile::default()
        },
    );
    b.password = PasswordSource::None;
    let (mut app, _) = App::new(AppConfig::new(PathBuf::from("/tmp"), None));
    app.server.bookmarks = Store {
        bookmarks: vec![b],
        recent: vec![],
    };
    app.open_bookmarks();
    app.update(key(KeyCode::Down));
    let cmds = app.update(ch('D'));
    let id = doctor_jobs(&cmds)[0].id;

    let (tx, rx) = mpsc::channel::<TransferEvent>();
    let pool = transfer::spawn(tx, PoolOptions::default());
    for c in cmds {
        if let Cmd::Transfer(t) = c {
            pool.send(t).unwrap();
        }
    }
    // Once a probe's LIST is waiting for its reply, cancel (as `x` in the panel does).
    let deadline = Instant::now() + Duration::from_secs(60);
    while !server.commands().iter().any(|c| c == "LIST") {
        assert!(
            Instant::now() < deadline,
            "no LIST sent: {:?}",
            server.commands()
        );
        if let Ok(e) = rx.recv_timeout(Duration::from_millis(20)) {
            app.update(Msg::Transfer(e));
        }
    }
    pool.send(TransferCmd::Cancel(id)).unwrap();
    let outcome = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left).expect("the doctor ends") {
            TransferEvent::Finished { id: i, outcome } if i == id => {
                app.update(Msg::Transfer(TransferEvent::Finished {
                    id: i,
                    outcome: outcome.clone(),
                }));
                break outcome;
            }
            e => {
                app.update(Msg::Transfer(e));
            }
        }
    };
    let _ = pool.send(TransferCmd::Shutdown);
    assert_eq!(outcome, ftpdeck::transfer::Outcome::Cancelled);
    assert!(!matches!(app.dialogs.top(), Some(Dialog::Doctor(_))));
    assert!(
        app.status.text.contains("Connection doctor stopped"),
        "{:?}",
        app.status
    );
    assert!(app.doctor.runs.is_empty());
}
