//! Connect flows through `App::update`: bookmarks, passwords, the form, certificate pins.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may stop at the first surprise

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ftpdeck::app::dialog::Dialog;
use ftpdeck::app::{App, AppConfig, Cmd, Msg};
use ftpdeck::bookmarks::{Bookmark, PasswordSource, Store};
use ftpdeck::local::{LocalCmd, LocalEvent};
use ftpdeck::remote::{Profile, RemoteCmd, RemoteError, RemoteEvent, Secret, Security};

fn key(c: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

fn ctrl(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        app.update(key(KeyCode::Char(c)));
    }
}

fn bookmark(name: &str, password: PasswordSource) -> Bookmark {
    Bookmark::from_profile(
        name,
        &Profile {
            host: "ftp.example.org".into(),
            user: "bob".into(),
            ..Profile::default()
        },
    )
    .with_password(password)
}

trait WithPassword {
    fn with_password(self, p: PasswordSource) -> Self;
}

impl WithPassword for Bookmark {
    fn with_password(mut self, p: PasswordSource) -> Self {
        self.password = p;
        self
    }
}

fn app_with(bookmarks: Vec<Bookmark>) -> App {
    let (mut app, _) = App::new(AppConfig::new(PathBuf::from("/tmp"), None));
    app.server.bookmarks = Store {
        bookmarks,
        recent: vec![],
    };
    app.open_bookmarks();
    app
}

/// The bookmarks `cmds` save; a test fails if they save none.
fn saved(cmds: &[Cmd]) -> Box<ftpdeck::bookmarks::Store> {
    cmds.iter()
        .find_map(|c| match c {
            Cmd::Local(LocalCmd::SaveBookmarks { store }) => Some(store.clone()),
            _ => None,
        })
        .expect("saved")
}

fn connect_profile(cmds: &[Cmd]) -> Option<Profile> {
    cmds.iter().find_map(|c| match c {
        Cmd::Remote(RemoteCmd::Connect { profile }) => Some(profile.clone()),
        _ => None,
    })
}

#[test]
fn the_start_screen_lists_bookmarks_and_asks_for_a_password_when_none_is_kept() {
    let mut app = app_with(vec![bookmark("work", PasswordSource::Ask)]);
    assert_eq!(
        app.dialogs.top().cloned(),
        Some(Dialog::Bookmarks { cursor: 0 })
    );
    app.update(key(KeyCode::Down));
    let cmds = app.update(key(KeyCode::Enter));
    assert!(
        connect_profile(&cmds).is_none(),
        "no connect before the password"
    );
    assert!(matches!(
        app.dialogs.top().cloned(),
        Some(Dialog::Password { .. })
    ));
    typed(&mut app, "pw");
    let p = connect_profile(&app.update(key(KeyCode::Enter))).unwrap();
    assert_eq!(
        (p.host.as_str(), p.password),
        ("ftp.example.org", Some(Secret::new("pw")))
    );
}

#[test]
fn a_wrong_password_shows_the_error_and_asks_again() {
    let mut app = app_with(vec![bookmark("work", PasswordSource::Ask)]);
    app.update(key(KeyCode::Down));
    app.update(key(KeyCode::Enter));
    typed(&mut app, "bad");
    app.update(key(KeyCode::Enter));
    app.update(Msg::Remote(RemoteEvent::ConnectFailed {
        error: RemoteError::Login {
            reply: "530 Login incorrect.".into(),
        },
    }));
    assert!(app.status.is_error && app.status.text.contains("530"));
    assert!(
        matches!(app.dialogs.top(), Some(Dialog::Password { error: Some(e), .. }) if e.contains("530"))
    );
}

#[test]
fn a_saved_password_is_looked_up_off_the_ui_thread() {
    let mut app = app_with(vec![bookmark("work", PasswordSource::Saved)]);
    app.update(key(KeyCode::Down));
    let cmds = app.update(key(KeyCode::Enter));
    assert!(
        cmds.contains(&Cmd::Local(LocalCmd::LookupSecret {
            name: "work".into()
        })),
        "{cmds:?}"
    );
    let cmds = app.update(Msg::Local(LocalEvent::Secret {
        name: "work".into(),
        result: Ok(Some(Secret::new("kept"))),
    }));
    assert_eq!(
        connect_profile(&cmds).unwrap().password,
        Some(Secret::new("kept"))
    );

    // Nothing saved after all: ask.
    let mut app = app_with(vec![bookmark("work", PasswordSource::Saved)]);
    app.update(key(KeyCode::Down));
    app.update(key(KeyCode::Enter));
    app.update(Msg::Local(LocalEvent::Secret {
        name: "work".into(),
        result: Ok(None),
    }));
    assert!(matches!(
        app.dialogs.top().cloned(),
        Some(Dialog::Password { .. })
    ));
}

#[test]
fn a_password_command_runs_in_the_worker() {
    let mut app = app_with(vec![bookmark(
        "work",
        PasswordSource::Command("pass show ftp".into()),
    )]);
    app.update(key(KeyCode::Down));
    let cmds = app.update(key(KeyCode::Enter));
    assert!(cmds.contains(&Cmd::Local(LocalCmd::RunPasswordCmd {
        name: "work".into(),
        cmd: "pass show ftp".into()
    })));
    let cmds = app.update(Msg::Local(LocalEvent::Secret {
        name: "work".into(),
        result: Err("pass: not found".into()),
    }));
    assert!(connect_profile(&cmds).is_none());
    assert!(app.status.text.contains("pass: not found"));
    assert!(
        matches!(app.dialogs.top().cloned(), Some(Dialog::Password { .. })),
        "asks instead"
    );
}

#[test]
fn the_form_validates_saves_with_ctrl_s_and_keeps_the_password_out_of_the_store() {
    let mut app = app_with(vec![]);
    app.update(key(KeyCode::Char('n')));
    app.update(ctrl('s'));
    match app.dialogs.top() {
        Some(Dialog::Form(f)) => assert!(f.error.as_deref().unwrap().contains("host")),
        other => panic!("{other:?}"),
    }
    typed(&mut app, "home");
    app.update(key(KeyCode::Tab));
    typed(&mut app, "10.9.8.7");
    for _ in 0..2 {
        app.update(key(KeyCode::Tab));
    }
    typed(&mut app, "me");
    app.update(key(KeyCode::Tab));
    typed(&mut app, "s3cret");
    app.update(key(KeyCode::Tab));
    app.update(key(KeyCode::Char(' '))); // keep: save
    app.update(key(KeyCode::Tab));
    app.update(key(KeyCode::Char(' '))); // TLS: explicit
    let cmds = app.update(ctrl('s'));
    assert!(cmds.contains(&Cmd::Local(LocalCmd::StoreSecret {
        name: "home".into(),
        secret: Secret::new("s3cret")
    })));
    let store = saved(&cmds);
    let b = &store.bookmarks[0];
    assert_eq!(
        (b.name.as_str(), b.host.as_str(), b.user.as_str()),
        ("home", "10.9.8.7", "me")
    );
    assert_eq!(
        (b.password.clone(), b.security),
        (PasswordSource::Saved, Security::ExplicitTls)
    );
    assert!(matches!(
        app.dialogs.top().cloned(),
        Some(Dialog::Bookmarks { cursor: 1 })
    ));
}

#[test]
fn deleting_a_bookmark_asks_and_forgets_its_password() {
    let mut app = app_with(vec![bookmark("old", PasswordSource::Saved)]);
    app.update(key(KeyCode::Down));
    app.update(key(KeyCode::Char('d')));
    assert_eq!(
        app.dialogs.top().cloned(),
        Some(Dialog::ConfirmDeleteBookmark { name: "old".into() })
    );
    let cmds = app.update(key(KeyCode::Char('y')));
    assert!(cmds.contains(&Cmd::Local(LocalCmd::ForgetSecret { name: "old".into() })));
    assert!(app.server.bookmarks.bookmarks.is_empty());
}

#[test]
fn always_trusting_a_certificate_pins_it_in_the_bookmark() {
    let mut b = bookmark("tls", PasswordSource::None);
    b.security = Security::ExplicitTls;
    let mut app = app_with(vec![b]);
    app.update(key(KeyCode::Down));
    app.update(key(KeyCode::Enter));
    app.update(Msg::Remote(RemoteEvent::ConnectFailed {
        error: RemoteError::UntrustedCert {
            fingerprint: "ab".repeat(32),
            reason: "self-signed".into(),
        },
    }));
    assert!(matches!(
        app.dialogs.top().cloned(),
        Some(Dialog::TrustCert { .. })
    ));
    let cmds = app.update(key(KeyCode::Char('a')));
    assert_eq!(
        connect_profile(&cmds).unwrap().pinned_cert,
        Some("ab".repeat(32))
    );
    assert_eq!(
        app.server.bookmarks.find("tls").unwrap().pinned_cert,
        Some("ab".repeat(32))
    );
    assert!(
        cmds.iter()
            .any(|c| matches!(c, Cmd::Local(LocalCmd::SaveBookmarks { .. })))
    );
}

#[test]
fn a_successful_connection_is_remembered_without_its_password() {
    let (mut app, _) = App::new(AppConfig::new(
        PathBuf::from("/tmp"),
        Some(Profile {
            host: "h".into(),
            user: "u".into(),
            password: Some(Secret::new("pw")),
            ..Profile::default()
        }),
    ));
    app.update(Msg::Tick { now: 1234 });
    let cmds = app.update(Msg::Remote(RemoteEvent::Connected {
        label: "u@h".into(),
        home: "/".into(),
        welcome: String::new(),
        checksum: None,
    }));
    assert_eq!(app.server.bookmarks.recent.len(), 1);
    assert_eq!(app.server.bookmarks.recent[0].at, 1234);
    assert!(
        cmds.iter()
            .any(|c| matches!(c, Cmd::Local(LocalCmd::SaveBookmarks { .. })))
    );
}

#[test]
fn the_form_can_opt_into_the_announced_passive_address() {
    let mut app = app_with(vec![]);
    app.update(key(KeyCode::Char('n')));
    typed(&mut app, "nat");
    app.update(key(KeyCode::Tab));
    typed(&mut app, "h.example");
    // Back from the host field, wrapping past the charset and the speed limit, lands on the
    // passive address.
    for _ in 0..4 {
        app.update(key(KeyCode::BackTab));
    }
    app.update(key(KeyCode::Char(' ')));
    let cmds = app.update(ctrl('s'));
    let store = saved(&cmds);
    assert!(
        store.bookmarks[0].trust_pasv_address,
        "{:?}",
        store.bookmarks[0]
    );
}

#[test]
fn the_form_saves_a_speed_limit_and_refuses_a_malformed_one() {
    let mut app = app_with(vec![]);
    app.update(key(KeyCode::Char('n')));
    typed(&mut app, "slow");
    app.update(key(KeyCode::Tab));
    typed(&mut app, "h.example");
    // Back from the host field, wrapping: the speed limit comes before the charset, the last.
    for _ in 0..3 {
        app.update(key(KeyCode::BackTab));
    }
    typed(&mut app, "2x/é");
    let cmds = app.update(ctrl('s'));
    assert!(
        !cmds
            .iter()
            .any(|c| matches!(c, Cmd::Local(LocalCmd::SaveBookmarks { .. }))),
        "a malformed limit must not be saved"
    );
    for _ in 0..4 {
        app.update(key(KeyCode::Backspace));
    }
    typed(&mut app, "2M/500K");
    let cmds = app.update(ctrl('s'));
    let store = saved(&cmds);
    assert_eq!(store.bookmarks[0].limits.down, Some(2 * 1024 * 1024));
    assert_eq!(store.bookmarks[0].limits.up, Some(500 * 1024));
}

#[test]
fn the_form_saves_a_charset_and_refuses_an_unknown_one() {
    let mut app = app_with(vec![]);
    app.update(key(KeyCode::Char('n')));
    typed(&mut app, "jp");
    app.update(key(KeyCode::Tab));
    typed(&mut app, "h.example");
    // Back from the host field, wrapping: the charset is the last field.
    for _ in 0..2 {
        app.update(key(KeyCode::BackTab));
    }
    typed(&mut app, "klingon");
    let cmds = app.update(ctrl('s'));
    assert!(
        !cmds
            .iter()
            .any(|c| matches!(c, Cmd::Local(LocalCmd::SaveBookmarks { .. }))),
        "an unknown charset must not be saved"
    );
    for _ in 0.."klingon".len() {
        app.update(key(KeyCode::Backspace));
    }
    typed(&mut app, "SJIS");
    let cmds = app.update(ctrl('s'));
    let store = saved(&cmds);
    assert_eq!(store.bookmarks[0].charset.name(), "shift_jis");
    // Editing it again shows the charset's name.
    let form = ftpdeck::app::form::Form::from_bookmark(&store.bookmarks[0]);
    assert_eq!(form.value(ftpdeck::app::form::CHARSET), "shift_jis");
    // An empty field is auto.
    let mut empty = ftpdeck::app::form::Form::new();
    empty.focus = ftpdeck::app::form::HOST;
    assert_eq!(empty.display(ftpdeck::app::form::CHARSET), "auto");
}

#[test]
fn the_command_line_charset_goes_over_the_bookmarks() {
    let mut b = Bookmark::from_profile("jp", &Profile::anonymous("h.example", 21));
    b.charset = ftpdeck::remote::encoding::Charset::parse("gbk").unwrap();
    // Without --charset the bookmark's own is used.
    let mut config = AppConfig::new(PathBuf::from("/tmp"), None);
    config.bookmarks = Store {
        bookmarks: vec![b.clone()],
        recent: vec![],
    };
    config.start_bookmark = Some("jp".into());
    let (_, cmds) = App::new(config.clone());
    let profile = connect_profile(&cmds).expect("connects");
    assert_eq!(profile.charset.name(), "gbk");
    // With it, --charset wins.
    config.cli_charset = Some(ftpdeck::remote::encoding::Charset::parse("sjis").unwrap());
    let (_, cmds) = App::new(config);
    let profile = connect_profile(&cmds).expect("connects");
    assert_eq!(profile.charset.name(), "shift_jis");
}
