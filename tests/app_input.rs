//! Typed input through `App::update`: the dialogs' text fields, the filter and pastes.

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ftpdeck::app::{App, Cmd, Msg};
use ftpdeck::entry::{Entry, EntryKind};
use ftpdeck::remote::session::Listing;
use ftpdeck::remote::{Profile, RemoteCmd, RemoteEvent, Secret};

fn key(c: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

fn ctrl(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

fn type_text(app: &mut App, text: &str) -> Vec<Cmd> {
    text.chars()
        .flat_map(|c| app.update(key(KeyCode::Char(c))))
        .collect()
}

/// Connected to a server whose login directory is `home`, with the profile's start `path`;
/// returns the app and the remote directory it asked to list first.
fn connect(home: &str, path: &str) -> (App, Vec<Cmd>) {
    let profile = Profile {
        host: "127.0.0.1".into(),
        port: 2121,
        user: "bob".into(),
        password: Some(Secret::new("pw")),
        path: path.into(),
        ..Default::default()
    };
    let (mut app, _) = App::new(PathBuf::from("/tmp"), Some(profile));
    let cmds = app.update(Msg::Remote(RemoteEvent::Connected {
        label: "bob@127.0.0.1:2121".into(),
        home: home.into(),
        welcome: String::new(),
    }));
    (app, cmds)
}

fn listing_request(cmds: &[Cmd]) -> (u64, String) {
    cmds.iter()
        .find_map(|c| match c {
            Cmd::Remote(RemoteCmd::List { id, path }) => Some((*id, path.clone())),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no remote listing requested in {cmds:?}"))
}

/// Connected and showing `/pub` with `names` (files of 5 bytes, mode rw-r--r--).
fn app_with(names: &[&str]) -> App {
    let (mut app, cmds) = connect("/", "/pub");
    let (id, path) = listing_request(&cmds);
    let entries = names
        .iter()
        .map(|n| {
            let mut e = Entry::new(*n, EntryKind::File);
            e.size = Some(5);
            e.perms = Some("-rw-r--r--".into());
            e
        })
        .collect();
    app.update(Msg::Remote(RemoteEvent::Listed {
        id,
        path: path.clone(),
        result: Ok(Listing { path, entries }),
    }));
    app
}

#[test]
fn a_multibyte_mode_is_refused_not_a_crash() {
    let mut app = app_with(&["b.txt"]);
    app.update(key(KeyCode::Char('p')));
    app.update(ctrl('u'));
    type_text(&mut app, "é12345678");
    let cmds = app.update(key(KeyCode::Enter));
    assert!(cmds.is_empty(), "{cmds:?}");
    assert!(app.status.is_error);
    assert!(
        app.status.text.starts_with("Permissions: "),
        "{}",
        app.status.text
    );
}
