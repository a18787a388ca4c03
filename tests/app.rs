//! `App::update` is pure: feed it messages, check its state and the commands it returns.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may stop at the first surprise

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ftpdeck::app::dialog::Dialog;
use ftpdeck::app::{App, AppConfig, Cmd, ConnState, Msg, Side};
use ftpdeck::entry::{Entry, EntryKind};
use ftpdeck::local::{LocalCmd, LocalEvent};
use ftpdeck::remote::session::Listing;
use ftpdeck::remote::{Profile, RemoteCmd, RemoteError, RemoteEvent, Secret};

fn key(c: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

fn profile(password: Option<&str>) -> Profile {
    Profile {
        host: "127.0.0.1".into(),
        port: 2121,
        user: "bob".into(),
        password: password.map(Secret::new),
        path: "/pub".into(),
        ..Default::default()
    }
}

fn dir(name: &str) -> Entry {
    Entry::new(name, EntryKind::Dir)
}

fn file(name: &str, size: u64) -> Entry {
    let mut e = Entry::new(name, EntryKind::File);
    e.size = Some(size);
    e
}

fn remote_list_id(cmds: &[Cmd]) -> (u64, String) {
    cmds.iter()
        .find_map(|c| match c {
            Cmd::Remote(RemoteCmd::List { id, path }) => Some((*id, path.clone())),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no remote listing requested in {cmds:?}"))
}

fn listed(id: u64, path: &str, entries: Vec<Entry>) -> Msg {
    Msg::Remote(RemoteEvent::Listed {
        id,
        path: path.into(),
        result: Ok(Listing {
            path: path.into(),
            truncated: None,
            entries,
        }),
    })
}

/// An app connected and showing `/pub` with three entries.
fn connected_app() -> App {
    let (mut app, cmds) = App::new(AppConfig::new(
        PathBuf::from("/tmp"),
        Some(profile(Some("pw"))),
    ));
    assert!(cmds.contains(&Cmd::Remote(RemoteCmd::Connect {
        profile: profile(Some("pw"))
    })));
    let cmds = app.update(Msg::Remote(RemoteEvent::Connected {
        label: "bob@127.0.0.1:2121".into(),
        home: "/home/bob".into(),
        welcome: String::new(),
        checksum: None,
    }));
    let (id, path) = remote_list_id(&cmds);
    assert_eq!(path, "/pub", "the URL's path wins over the login directory");
    app.update(listed(
        id,
        "/pub",
        vec![file("b.txt", 5), dir("alpha"), dir("beta")],
    ));
    app
}

#[test]
fn starts_on_the_remote_pane_and_lists_both_sides() {
    let (app, cmds) = App::new(AppConfig::new(
        PathBuf::from("/tmp"),
        Some(profile(Some("pw"))),
    ));
    assert_eq!(app.browse.focus, Side::Remote);
    assert!(
        matches!(&cmds[0], Cmd::Local(LocalCmd::List { path, .. }) if path == &PathBuf::from("/tmp"))
    );
    let (app, _) = App::new(AppConfig::new(PathBuf::from("/tmp"), None));
    assert_eq!(app.browse.focus, Side::Local);
}

#[test]
fn a_user_without_password_is_asked_in_a_masked_prompt() {
    let (mut app, cmds) = App::new(AppConfig::new(PathBuf::from("/tmp"), Some(profile(None))));
    assert!(!cmds.iter().any(|c| matches!(c, Cmd::Remote(_))));
    assert!(matches!(
        app.dialogs.top().cloned(),
        Some(Dialog::Password { .. })
    ));
    // Keys go to the dialog, not to the panes ('q' does not quit here).
    for c in "pq".chars() {
        assert!(app.update(key(KeyCode::Char(c))).is_empty());
    }
    let cmds = app.update(key(KeyCode::Enter));
    assert_eq!(
        cmds,
        vec![Cmd::Remote(RemoteCmd::Connect {
            profile: profile(Some("pq"))
        })]
    );
    assert!(!app.dialogs.is_open());
    assert_eq!(app.server.conn, ConnState::Connecting);
}

#[test]
fn wrong_password_shows_the_error_and_asks_again() {
    let (mut app, _) = App::new(AppConfig::new(
        PathBuf::from("/tmp"),
        Some(profile(Some("bad"))),
    ));
    app.update(Msg::Remote(RemoteEvent::ConnectFailed {
        error: RemoteError::Login {
            reply: "530 Login incorrect".into(),
        },
    }));
    assert!(matches!(app.server.conn, ConnState::Error(_)));
    assert!(app.status.is_error);
    assert!(
        app.status.text.contains("530 Login incorrect"),
        "{:?}",
        app.status
    );
    match app.dialogs.top() {
        Some(Dialog::Password { error: Some(e), .. }) => assert!(e.contains("530")),
        other => panic!("expected the password prompt again, got {other:?}"),
    }
}

#[test]
fn navigation_enter_and_parent() {
    let mut app = connected_app();
    let names: Vec<_> = app
        .browse
        .remote
        .visible()
        .map(|e| e.name.clone())
        .collect();
    assert_eq!(names, ["alpha", "beta", "b.txt"], "directories first");
    app.update(key(KeyCode::Char('j')));
    assert_eq!(app.browse.remote.current().unwrap().name, "beta");
    app.update(key(KeyCode::Char('G')));
    assert_eq!(app.browse.remote.current().unwrap().name, "b.txt");
    app.update(key(KeyCode::Char('g')));
    app.update(key(KeyCode::Down));
    let (id, path) = remote_list_id(&app.update(key(KeyCode::Enter)));
    assert_eq!(path, "/pub/beta");
    assert!(
        app.browse.remote.pending.is_some(),
        "the pane says it is loading"
    );
    app.update(listed(id, "/pub/beta", vec![file("x", 1)]));
    assert_eq!(app.browse.remote.dir, "/pub/beta");
    let (id, path) = remote_list_id(&app.update(key(KeyCode::Backspace)));
    assert_eq!(path, "/pub");
    app.update(listed(
        id,
        "/pub",
        vec![file("b.txt", 5), dir("alpha"), dir("beta")],
    ));
    assert_eq!(
        app.browse.remote.current().unwrap().name,
        "beta",
        "the cursor returns to the directory we came from"
    );
}

#[test]
fn a_late_listing_for_a_directory_already_left_is_dropped() {
    let mut app = connected_app();
    let (old, _) = remote_list_id(&app.update(key(KeyCode::Enter))); // into alpha
    app.update(key(KeyCode::Backspace)); // changed our mind before it answered
    app.update(listed(old, "/pub/alpha", vec![file("stale", 1)]));
    assert_eq!(app.browse.remote.dir, "/pub");
    assert!(app.browse.remote.visible().all(|e| e.name != "stale"));
}

#[test]
fn a_refused_directory_is_an_error_and_we_stay() {
    let mut app = connected_app();
    let (id, _) = remote_list_id(&app.update(key(KeyCode::Enter)));
    app.update(Msg::Remote(RemoteEvent::Listed {
        id,
        path: "/pub/alpha".into(),
        result: Err(RemoteError::Refusal {
            code: 550,
            reply: "550 Permission denied".into(),
        }),
    }));
    assert_eq!(app.browse.remote.dir, "/pub");
    assert!(app.browse.remote.pending.is_none());
    assert!(app.status.is_error);
    assert!(
        app.status.text.contains("550 Permission denied"),
        "{}",
        app.status.text
    );
    assert!(app.status.text.contains("press r"), "{}", app.status.text);
    // r retries the directory we are in.
    let (_, path) = remote_list_id(&app.update(key(KeyCode::Char('r'))));
    assert_eq!(path, "/pub");
}

#[test]
fn r_reconnects_after_a_failure() {
    let mut app = connected_app();
    app.update(Msg::Remote(RemoteEvent::ConnectionLost {
        error: RemoteError::ConnectionLost {
            detail: "421 Timeout".into(),
        },
    }));
    assert!(matches!(app.server.conn, ConnState::Error(_)));
    let cmds = app.update(key(KeyCode::Char('r')));
    assert!(
        matches!(&cmds[..], [Cmd::Remote(RemoteCmd::Connect { .. })]),
        "{cmds:?}"
    );
    // Once connected again it lists the directory we were in.
    let cmds = app.update(Msg::Remote(RemoteEvent::Connected {
        label: String::new(),
        home: "/".into(),
        welcome: String::new(),
        checksum: None,
    }));
    assert_eq!(remote_list_id(&cmds).1, "/pub");
}

#[test]
fn local_pane_and_tab_hidden_sort() {
    let (mut app, cmds) = App::new(AppConfig::new(PathBuf::from("/tmp"), None));
    let id = match &cmds[0] {
        Cmd::Local(LocalCmd::List { id, .. }) => *id,
        other => panic!("{other:?}"),
    };
    app.update(Msg::Local(LocalEvent::Listed {
        id,
        path: "/tmp".into(),
        result: Ok((
            PathBuf::from("/tmp"),
            vec![file(".hidden", 1), file("big", 100), file("small", 2)],
        )),
    }));
    assert_eq!(app.browse.local.visible().count(), 2);
    app.update(key(KeyCode::Char('.')));
    assert_eq!(app.browse.local.visible().count(), 3);
    app.update(key(KeyCode::Char('s'))); // by size
    assert_eq!(app.browse.local.visible().last().unwrap().name, "big");
    app.update(key(KeyCode::Char('S')));
    assert_eq!(app.browse.local.visible().next().unwrap().name, "big");
    app.update(key(KeyCode::Tab));
    assert_eq!(app.browse.focus, Side::Remote);
}

#[test]
fn paging_keeps_the_cursor_visible() {
    let mut app = connected_app();
    app.update(Msg::Resize {
        width: 120,
        height: 24,
    });
    let rows = app.pane_rows();
    let entries = (0..1000).map(|i| file(&format!("f{i}"), i)).collect();
    let (id, _) = remote_list_id(&app.update(key(KeyCode::Char('r'))));
    app.update(listed(id, "/pub", entries));
    app.update(key(KeyCode::PageDown));
    app.update(key(KeyCode::PageDown));
    assert_eq!(app.browse.remote.cursor, 2 * rows);
    assert!(
        app.browse.remote.offset <= app.browse.remote.cursor
            && app.browse.remote.cursor < app.browse.remote.offset + rows
    );
    app.update(key(KeyCode::End));
    assert_eq!(app.browse.remote.cursor, 999);
    assert_eq!(app.browse.remote.offset, 1000 - rows);
}

#[test]
fn q_and_f10_quit_and_help_toggles() {
    let mut app = connected_app();
    app.update(key(KeyCode::Char('?')));
    assert!(app.dialogs.help);
    assert!(app.update(key(KeyCode::Char('z'))).is_empty());
    assert!(!app.dialogs.help);
    assert_eq!(app.update(key(KeyCode::F(10))), vec![Cmd::Quit]);
    let mut app = connected_app();
    assert_eq!(app.update(key(KeyCode::Char('q'))), vec![Cmd::Quit]);
}

/// The directory listed first after connecting with profile `path` to a server whose login
/// directory is `home`.
fn start_dir(home: &str, path: &str) -> String {
    let profile = Profile {
        path: path.into(),
        ..profile(Some("pw"))
    };
    let (mut app, _) = App::new(AppConfig::new(PathBuf::from("/tmp"), Some(profile)));
    let cmds = app.update(Msg::Remote(RemoteEvent::Connected {
        label: "bob@127.0.0.1:2121".into(),
        home: home.into(),
        welcome: String::new(),
        checksum: None,
    }));
    remote_list_id(&cmds).1
}

#[test]
fn the_start_path_is_relative_to_the_login_directory_unless_absolute() {
    assert_eq!(start_dir("/home/u", "pub"), "/home/u/pub");
    assert_eq!(start_dir("/home/u", ""), "/home/u");
    assert_eq!(start_dir("/home/u", "/"), "/home/u");
    assert_eq!(start_dir("/home/u", "//etc"), "/etc");
    assert_eq!(start_dir("/home/u", "/srv/ftp"), "/srv/ftp");
    // As a URL gives them.
    let url = |u: &str| ftpdeck::cli::parse_url(u).unwrap().path;
    assert_eq!(start_dir("/home/u", &url("ftp://h/")), "/home/u");
    assert_eq!(start_dir("/home/u", &url("ftp://h/pub")), "/home/u/pub");
    assert_eq!(start_dir("/home/u", &url("ftp://h/%2Fetc")), "/etc");
}

#[test]
fn a_first_listing_that_fails_still_lets_backspace_go_up() {
    let (mut app, cmds) = App::new(AppConfig::new(PathBuf::from("/srv/locked"), None));
    let Some(Cmd::Local(LocalCmd::List { id, .. })) = cmds.first() else {
        panic!("the local listing comes first: {cmds:?}")
    };
    app.update(Msg::Local(LocalEvent::Listed {
        id: *id,
        path: "/srv/locked".into(),
        result: Err("/srv/locked: Permission denied".into()),
    }));
    assert_eq!(
        app.browse.local.error.as_deref(),
        Some("/srv/locked: Permission denied")
    );
    let cmds = app.update(key(KeyCode::Backspace));
    assert!(
        cmds.iter().any(|c| matches!(c,
            Cmd::Local(LocalCmd::List { path, .. }) if path == &PathBuf::from("/srv"))),
        "{cmds:?}"
    );
}

#[test]
fn a_startup_warning_outlives_the_first_messages_until_a_key() {
    let (mut app, _) = App::new(AppConfig::new(
        PathBuf::from("/tmp"),
        Some(profile(Some("pw"))),
    ));
    app.warn_until_key("--local /x: no such directory — showing /".into());
    app.update(Msg::Remote(RemoteEvent::Connected {
        label: "bob@127.0.0.1:2121".into(),
        home: "/".into(),
        welcome: String::new(),
        checksum: None,
    }));
    assert_eq!(
        app.status.text,
        "Connected to bob@127.0.0.1:2121 · --local /x: no such directory — showing /"
    );
    assert!(app.status.is_error);
    app.update(key(KeyCode::Char('s')));
    assert!(!app.status.text.contains("--local"), "{}", app.status.text);
}
