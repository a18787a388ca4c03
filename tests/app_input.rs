//! Typed input through `App::update`: the dialogs' text fields, the filter and pastes.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may stop at the first surprise

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ftpdeck::app::{App, AppConfig, Cmd, Msg};
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
    let (mut app, _) = App::new(AppConfig::new(PathBuf::from("/tmp"), Some(profile)));
    let cmds = app.update(Msg::Remote(RemoteEvent::Connected {
        label: "bob@127.0.0.1:2121".into(),
        home: home.into(),
        welcome: String::new(),
        checksum: None,
    }));
    (app, cmds)
}

/// The id of the file operation `cmds` start.
fn op_id(cmds: &[Cmd]) -> u64 {
    cmds.iter()
        .find_map(|c| match c {
            Cmd::Remote(RemoteCmd::Op { id, .. }) => Some(*id),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no operation in {cmds:?}"))
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
        result: Ok(Listing {
            path,
            entries,
            truncated: None,
        }),
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

fn alt(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::ALT))
}

/// The text and cursor of the open dialog's field.
fn dialog_field(app: &mut App) -> (String, usize) {
    let shown = format!("{:?}", app.dialogs.top().cloned());
    let field = app
        .dialogs
        .top_mut()
        .and_then(|d| d.text_field_mut())
        .unwrap_or_else(|| panic!("no text field in {shown}"));
    (field.text().to_string(), field.cursor())
}

#[test]
fn ctrl_keys_edit_the_filter_instead_of_typing_letters() {
    let mut app = app_with(&["alpha.txt", "beta.txt", "gamma.log"]);
    app.update(key(KeyCode::Char('/')));
    type_text(&mut app, "zz txt");
    assert_eq!(app.browse.remote.filter, "zz txt");
    app.update(ctrl('w'));
    assert_eq!(app.browse.remote.filter, "zz ");
    app.update(ctrl('u'));
    assert_eq!(
        app.browse.remote.filter, "",
        "Ctrl-U cut the text, it did not type a u"
    );
    type_text(&mut app, "lph");
    app.update(ctrl('a'));
    type_text(&mut app, "a");
    app.update(ctrl('e'));
    app.update(ctrl('h'));
    assert_eq!(app.browse.remote.filter, "alp");
    assert_eq!(
        app.browse.remote.current_name().as_deref(),
        Some("alpha.txt")
    );
    // Moving the cursor does not re-filter or move the pane's cursor.
    app.update(key(KeyCode::Down));
    app.update(key(KeyCode::Left));
    assert_eq!(app.browse.filtering.as_ref().map(|f| f.cursor()), Some(2));
    app.update(key(KeyCode::Enter));
    assert!(app.browse.filtering.is_none());
    assert_eq!(app.browse.remote.filter, "alp");
}

#[test]
fn the_dialogs_edit_with_readline_keys() {
    let mut app = app_with(&["old name.txt"]);
    app.update(key(KeyCode::F(2)));
    assert_eq!(dialog_field(&mut app), ("old name.txt".into(), 12));
    app.update(alt('b'));
    app.update(alt('b'));
    assert_eq!(dialog_field(&mut app).1, 4);
    app.update(ctrl('k'));
    type_text(&mut app, "file");
    app.update(key(KeyCode::Home));
    app.update(key(KeyCode::Delete));
    type_text(&mut app, "O");
    assert_eq!(dialog_field(&mut app), ("Old file".into(), 1));
    let cmds = app.update(key(KeyCode::Enter));
    assert!(
        cmds.iter().any(|c| matches!(c,
            Cmd::Remote(RemoteCmd::Op { op: ftpdeck::remote::fileops::RemoteOp::Rename { to, .. }, .. })
            if to == "/pub/Old file")),
        "{cmds:?}"
    );

    // The glob dialog starts with "*": Ctrl-U cuts it.
    app.update(key(KeyCode::Char('+')));
    app.update(ctrl('u'));
    type_text(&mut app, "x");
    assert_eq!(dialog_field(&mut app), ("x".into(), 1));
}

#[test]
fn the_password_prompt_edits_and_submits_what_was_typed() {
    let profile = Profile {
        host: "h".into(),
        user: "bob".into(),
        ..Default::default()
    };
    let (mut app, _) = App::new(AppConfig::new(PathBuf::from("/tmp"), Some(profile)));
    type_text(&mut app, "secrXt");
    app.update(key(KeyCode::Left));
    app.update(key(KeyCode::Backspace));
    type_text(&mut app, "e");
    let cmds = app.update(key(KeyCode::Enter));
    let password = cmds.iter().find_map(|c| match c {
        Cmd::Remote(RemoteCmd::Connect { profile }) => profile.password.clone(),
        _ => None,
    });
    assert_eq!(password, Some(Secret::new("secret")));
}

#[test]
fn form_text_fields_edit_and_choice_fields_still_cycle() {
    let (mut app, _) = App::new(AppConfig::new(PathBuf::from("/tmp"), None));
    app.update(key(KeyCode::Char('o')));
    type_text(&mut app, "example.org");
    app.update(ctrl('w'));
    type_text(&mut app, "ftp.example.org");
    app.update(key(KeyCode::Home));
    app.update(key(KeyCode::Right));
    app.update(key(KeyCode::Right));
    app.update(key(KeyCode::Right));
    type_text(&mut app, "2");
    assert_eq!(dialog_field(&mut app), ("ftp2.example.org".into(), 4));
    app.update(key(KeyCode::Tab)); // port: digits only, editing keys work
    app.update(ctrl('u'));
    type_text(&mut app, "2x1");
    assert_eq!(dialog_field(&mut app).0, "21");
    // Down to the TLS choice (user, password, keep; the password command is skipped): Right
    // cycles it (and moves the port to 990).
    for _ in 0..4 {
        app.update(key(KeyCode::Down));
    }
    app.update(key(KeyCode::Right));
    app.update(key(KeyCode::Right));
    let Some(ftpdeck::app::dialog::Dialog::Form(form)) = app.dialogs.top() else {
        panic!("{:?}", app.dialogs.top().cloned())
    };
    assert_eq!(form.focus, ftpdeck::app::form::TLS);
    assert_eq!(form.value(ftpdeck::app::form::TLS), "2");
    assert_eq!(form.value(ftpdeck::app::form::PORT), "990");
    assert_eq!(form.value(ftpdeck::app::form::HOST), "ftp2.example.org");
}

#[test]
fn a_paste_into_the_filter_is_text_not_keys() {
    let mut app = app_with(&["precious", "other"]);
    app.update(key(KeyCode::Char('/')));
    let cmds = app.update(Msg::Paste("precious\nm".into()));
    assert!(cmds.is_empty(), "{cmds:?}");
    assert!(
        app.browse.filtering.is_some(),
        "the filter is still being typed"
    );
    assert_eq!(
        app.browse.remote.filter, "precious m",
        "the line break became a space"
    );
    assert!(!app.dialogs.is_open());
    assert!(app.tasks.list.jobs.is_empty());
}

#[test]
fn a_paste_into_a_dialog_inserts_at_the_cursor() {
    let mut app = app_with(&["b.txt"]);
    app.update(key(KeyCode::Char('n')));
    type_text(&mut app, "ab");
    app.update(key(KeyCode::Left));
    app.update(Msg::Paste("1\t2\r\n".into()));
    assert_eq!(dialog_field(&mut app), ("a1 2  b".into(), 6));
}

#[test]
fn a_paste_outside_a_text_field_does_nothing_but_say_so() {
    let mut app = app_with(&["precious", "other"]);
    let before = (app.browse.remote.cursor, app.browse.remote.selected.len());
    let cmds = app.update(Msg::Paste("jjm q".into()));
    assert!(cmds.is_empty(), "{cmds:?}");
    assert!(!app.dialogs.is_open() && !app.quit);
    assert_eq!(
        (app.browse.remote.cursor, app.browse.remote.selected.len()),
        before
    );
    assert_eq!(
        app.status.text,
        "Paste ignored: no text field has the focus"
    );
}

/// Answer the pending operation with success and the listing that follows with `perms` for
/// `name`; returns the status text after each step.
fn chmod_round_trip(app: &mut App, name: &str, perms: &str) -> (String, String) {
    let id = op_id(&app.update(key(KeyCode::Enter)));
    let cmds = app.update(Msg::Remote(RemoteEvent::OpDone {
        id,
        result: Ok(ftpdeck::remote::fileops::Changed::ModeSet { mode: 0o7777 }),
    }));
    let asked = app.status.text.clone();
    let (id, path) = listing_request(&cmds);
    let mut e = Entry::new(name, EntryKind::File);
    e.perms = Some(perms.into());
    app.update(Msg::Remote(RemoteEvent::Listed {
        id,
        path: path.clone(),
        result: Ok(Listing {
            path,
            entries: vec![e],
            truncated: None,
        }),
    }));
    (asked, app.status.text.clone())
}

#[test]
fn permissions_report_what_was_asked_and_what_the_server_applied() {
    let mut app = app_with(&["b.txt"]);
    app.update(key(KeyCode::Char('p')));
    app.update(ctrl('u'));
    type_text(&mut app, "7777");
    let (asked, applied) = chmod_round_trip(&mut app, "b.txt", "-rwxrwxrwx");
    assert_eq!(
        asked,
        "Asked for 7777 (rwsrwsrwt: setuid, setgid, sticky) on b.txt; reading back what was applied…"
    );
    assert_eq!(
        applied,
        "Asked for 7777 (rwsrwsrwt: setuid, setgid, sticky) on b.txt, but it is 777 (rwxrwxrwx) now"
    );
    assert!(app.status.is_error);

    app.update(key(KeyCode::Char('p')));
    app.update(ctrl('u'));
    type_text(&mut app, "rwxr-x---");
    let (_, applied) = chmod_round_trip(&mut app, "b.txt", "-rwxr-x---");
    assert_eq!(applied, "Permissions of b.txt: 750 (rwxr-x---)");
    assert!(!app.status.is_error);
}

#[test]
fn a_huge_name_leaves_the_reason_in_view() {
    let long = format!("{}.txt", "n".repeat(10_000));
    let mut app = app_with(&[&long]);
    app.update(key(KeyCode::F(2)));
    type_text(&mut app, "x");
    let id = op_id(&app.update(key(KeyCode::Enter)));
    app.update(Msg::Remote(RemoteEvent::OpDone {
        id,
        result: Err(ftpdeck::remote::RemoteError::Refusal {
            code: 550,
            reply: format!("550 /pub/{long}: Permission denied"),
        }),
    }));
    let text = &app.status.text;
    assert!(text.starts_with("550 /pub/nnn"), "{text}");
    assert!(text.contains(": Permission denied (renaming nnn"), "{text}");
    assert!(
        text.chars().count() < 120,
        "{} characters",
        text.chars().count()
    );
}

#[test]
fn counts_agree_with_their_nouns() {
    let mut app = app_with(&["one.txt", "two.log"]);
    app.update(key(KeyCode::Char('/')));
    type_text(&mut app, "one");
    app.update(key(KeyCode::Enter));
    assert!(
        app.status.text.starts_with("Filter kept: 1 entry "),
        "{}",
        app.status.text
    );
    app.update(key(KeyCode::Char('/')));
    app.update(key(KeyCode::Esc));
    app.update(key(KeyCode::Char('+')));
    app.update(ctrl('u'));
    type_text(&mut app, "*.log");
    app.update(key(KeyCode::Enter));
    assert_eq!(app.status.text, "Selected 1 entry matching *.log");
}

#[test]
fn the_form_refuses_port_zero() {
    let (mut app, _) = App::new(AppConfig::new(PathBuf::from("/tmp"), None));
    app.update(key(KeyCode::Char('o')));
    type_text(&mut app, "example.org");
    app.update(key(KeyCode::Tab));
    app.update(ctrl('u'));
    type_text(&mut app, "0");
    let cmds = app.update(key(KeyCode::Enter));
    assert!(cmds.is_empty(), "{cmds:?}");
    let Some(ftpdeck::app::dialog::Dialog::Form(form)) = app.dialogs.top() else {
        panic!("{:?}", app.dialogs.top().cloned())
    };
    assert_eq!(
        form.error.as_deref(),
        Some(r#"port "0" is not a number from 1 to 65535"#)
    );
}
