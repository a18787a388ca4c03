//! Every key mode takes its keys from its own config table: a walk through the modes that
//! rebinds one action of each through `config::parse`, presses the new key and the old one,
//! and reads the help overlay.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may stop at the first surprise

mod common;

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ftpdeck::app::dialog::Dialog;
use ftpdeck::app::keymap::Mode;
use ftpdeck::app::{App, AppConfig, Cmd, Msg};
use ftpdeck::bookmarks::Bookmark;
use ftpdeck::entry::{Entry, EntryKind};
use ftpdeck::local::{LocalCmd, LocalEvent};
use ftpdeck::localops::OpOutput;
use ftpdeck::remote::session::Listing;
use ftpdeck::remote::{Profile, RemoteCmd, RemoteEvent, Secret};
use ftpdeck::transfer::{FileFacts, Job, Resolution, TransferCmd, TransferEvent};

const W: u16 = 120;
const H: u16 = 40;

fn key(c: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

fn ch(c: char) -> Msg {
    key(KeyCode::Char(c))
}

fn ctrl(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

fn file(name: &str, size: u64) -> Entry {
    let mut e = Entry::new(name, EntryKind::File);
    e.size = Some(size);
    e
}

fn render(app: &App) -> String {
    common::screen::text(app, W, H)
}

/// The key table text for `mode`: `[keys]` or `[keys.<mode>]` with `entries`.
fn table(mode: Mode, entries: &str) -> String {
    format!("[{}]\n{entries}", mode.table())
}

/// Connected with the keys of `config`: local /home/me (docs, a.txt), remote /pub (sub, x.bin,
/// y.bin, z.txt), the remote pane focused.
fn app_with(config: &str) -> App {
    let (cfg, problems) = ftpdeck::config::parse(config, "test");
    assert!(problems.is_empty(), "{problems:?}");
    let profile = Profile {
        host: "127.0.0.1".into(),
        port: 2121,
        user: "bob".into(),
        password: Some(Secret::new("pw")),
        path: "/pub".into(),
        ..Default::default()
    };
    let (mut app, cmds) = App::new(AppConfig::new(PathBuf::from("/home/me"), Some(profile)));
    app.keymap = cfg.keymap;
    app.update(Msg::Resize {
        width: W,
        height: H,
    });
    let local_id = cmds
        .iter()
        .find_map(|c| match c {
            Cmd::Local(LocalCmd::List { id, .. }) => Some(*id),
            _ => None,
        })
        .unwrap();
    app.update(Msg::Local(LocalEvent::Listed {
        id: local_id,
        path: "/home/me".into(),
        result: Ok((
            PathBuf::from("/home/me"),
            vec![file("a.txt", 10), Entry::new("docs", EntryKind::Dir)],
        )),
    }));
    let cmds = app.update(Msg::Remote(RemoteEvent::Connected {
        label: "bob@127.0.0.1:2121".into(),
        home: "/".into(),
        welcome: String::new(),
        checksum: None,
    }));
    let id = cmds
        .iter()
        .find_map(|c| match c {
            Cmd::Remote(RemoteCmd::List { id, .. }) => Some(*id),
            _ => None,
        })
        .unwrap();
    app.update(Msg::Remote(RemoteEvent::Listed {
        id,
        path: "/pub".into(),
        result: Ok(Listing {
            path: "/pub".into(),
            truncated: None,
            entries: vec![
                Entry::new("sub", EntryKind::Dir),
                file("x.bin", 100),
                file("y.bin", 200),
                file("z.txt", 300),
            ],
        }),
    }));
    assert_eq!(app.key_mode(), Some(Mode::Browser));
    app
}

fn enqueued(cmds: &[Cmd]) -> Vec<Job> {
    cmds.iter()
        .flat_map(|c| match c {
            Cmd::Transfer(TransferCmd::Enqueue(jobs)) => jobs.clone(),
            _ => vec![],
        })
        .collect()
}

/// Open `mode` in `app` the way a user does.
fn open(app: &mut App, mode: Mode) {
    match mode {
        Mode::Browser => {}
        Mode::Panel => {
            // Three downloads; the panel focused.
            app.update(key(KeyCode::Down));
            app.update(ch(' '));
            app.update(ch(' '));
            app.update(ch(' '));
            assert_eq!(enqueued(&app.update(key(KeyCode::F(5)))).len(), 3);
            assert!(app.tasks.shown, "a copy shows the panel");
            app.update(key(KeyCode::Tab));
        }
        Mode::Viewer => {
            // The local a.txt, 100 lines.
            app.update(key(KeyCode::Tab));
            app.update(key(KeyCode::End));
            let cmds = app.update(key(KeyCode::F(3)));
            let id = cmds
                .iter()
                .find_map(|c| match c {
                    Cmd::Local(LocalCmd::Op { id, .. }) => Some(*id),
                    _ => None,
                })
                .expect("F3 reads the file");
            let text: String = (0..100).map(|i| format!("line {i}\n")).collect();
            app.update(Msg::Local(LocalEvent::OpDone {
                id,
                result: Ok(OpOutput::Bytes(text.into_bytes())),
            }));
            assert!(app.viewer.is_some());
        }
        Mode::Bookmarks => {
            for name in ["one", "two", "three"] {
                let profile = Profile {
                    host: format!("{name}.example.org"),
                    user: "bob".into(),
                    ..Profile::default()
                };
                app.server
                    .bookmarks
                    .upsert(Bookmark::from_profile(name, &profile));
            }
            app.update(ch('b'));
        }
        Mode::Overwrite => {
            app.update(key(KeyCode::Down));
            let job = enqueued(&app.update(key(KeyCode::F(5)))).remove(0);
            app.update(Msg::Transfer(TransferEvent::Conflict {
                id: job.id,
                source: FileFacts {
                    size: Some(100),
                    mtime: Some(2),
                    read_only: false,
                },
                existing: FileFacts {
                    size: Some(500),
                    mtime: Some(1),
                    read_only: false,
                },
            }));
        }
    }
    assert_eq!(app.key_mode(), Some(mode), "{mode:?} is open");
}

/// Where the cursor (or the scroll) of a list-like mode is.
fn position(app: &App, mode: Mode) -> usize {
    match mode {
        Mode::Browser => app.browse.remote.cursor,
        Mode::Panel => app.tasks.list.cursor,
        Mode::Viewer => app.viewer.as_ref().unwrap().scroll,
        Mode::Bookmarks => match app.dialogs.top().cloned() {
            Some(Dialog::Bookmarks { cursor }) => cursor,
            _ => panic!("the bookmark list closed"),
        },
        Mode::Overwrite => panic!("the overwrite question has no cursor"),
    }
}

/// `"ctrl-n" = "down"` and `"j" = "none"` in `mode`'s table: Ctrl-N moves down, `j` no longer
/// does, `↓` (a default key the table leaves alone) still does.
fn check_rebound_down(mode: Mode) {
    let mut app = app_with(&table(mode, "\"ctrl-n\" = \"down\"\n\"j\" = \"none\"\n"));
    open(&mut app, mode);
    let remote_cursor = app.browse.remote.cursor;
    let start = position(&app, mode);
    app.update(ctrl('n'));
    assert_eq!(
        position(&app, mode),
        start + 1,
        "{mode:?}: Ctrl-N moves down"
    );
    app.update(ch('j'));
    assert_eq!(
        position(&app, mode),
        start + 1,
        "{mode:?}: j was taken away"
    );
    assert_eq!(app.key_mode(), Some(mode), "{mode:?}: j did nothing else");
    app.update(key(KeyCode::Down));
    assert_eq!(
        position(&app, mode),
        start + 2,
        "{mode:?}: the other default key stays"
    );
    if mode != Mode::Browser {
        assert_eq!(
            app.browse.remote.cursor, remote_cursor,
            "{mode:?}: the pane behind did not move"
        );
    }
}

#[test]
fn every_mode_takes_its_keys_from_its_own_config_table() {
    for mode in Mode::ALL {
        match mode {
            Mode::Browser | Mode::Panel | Mode::Viewer => check_rebound_down(mode),
            Mode::Bookmarks => {
                // Close moves from Esc and q to Ctrl-G.
                let config = table(
                    mode,
                    "\"ctrl-g\" = \"close\"\n\"q\" = \"none\"\n\"esc\" = \"none\"\n",
                );
                let mut app = app_with(&config);
                open(&mut app, mode);
                app.update(ch('q'));
                app.update(key(KeyCode::Esc));
                assert_eq!(app.key_mode(), Some(mode), "q and Esc no longer close");
                app.update(ctrl('g'));
                assert!(!app.dialogs.is_open(), "Ctrl-G closes the bookmark list");
                // And moving there still works by the defaults.
                check_rebound_down(mode);
            }
            Mode::Overwrite => {
                // "rename (keep both)" moves from n to k.
                let mut app = app_with(&table(mode, "\"k\" = \"keep-both\"\n\"n\" = \"none\"\n"));
                open(&mut app, mode);
                assert!(render(&app).contains("k rename (keep both)"));
                assert!(enqueued(&app.update(ch('n'))).is_empty());
                assert_eq!(app.key_mode(), Some(mode), "n no longer answers");
                let again = enqueued(&app.update(ch('k')));
                assert_eq!(again.len(), 1, "k answers");
                assert_eq!(again[0].on_exists, Some(Resolution::Rename));
                assert!(!app.dialogs.is_open());
            }
        }
    }
}

#[test]
fn moves_rebound_for_the_panes_leave_the_other_modes_alone() {
    let config = table(Mode::Browser, "\"ctrl-n\" = \"down\"\n\"j\" = \"none\"\n");
    for mode in [Mode::Panel, Mode::Viewer, Mode::Bookmarks] {
        let mut app = app_with(&config);
        open(&mut app, mode);
        let remote_cursor = app.browse.remote.cursor;
        let start = position(&app, mode);
        app.update(ctrl('n'));
        assert_eq!(
            position(&app, mode),
            start,
            "{mode:?}: Ctrl-N is the panes'"
        );
        assert_eq!(app.browse.remote.cursor, remote_cursor, "{mode:?}");
        app.update(ch('j'));
        assert_eq!(position(&app, mode), start + 1, "{mode:?}: j still moves");
    }
}

#[test]
fn the_transfer_panel_keeps_the_panes_other_keys() {
    let mut app = app_with(&table(Mode::Browser, "\"ctrl-x\" = \"cancel-job\"\n"));
    open(&mut app, Mode::Panel);
    let cmds = app.update(ctrl('x'));
    assert!(
        cmds.iter()
            .any(|c| matches!(c, Cmd::Transfer(TransferCmd::Cancel(_)))),
        "{cmds:?}"
    );
    app.update(key(KeyCode::Tab));
    assert_eq!(app.key_mode(), Some(Mode::Browser), "Tab leaves the panel");
}

#[test]
fn the_help_shows_the_keys_of_the_mode_as_the_config_binds_them() {
    for mode in [Mode::Browser, Mode::Panel, Mode::Viewer, Mode::Bookmarks] {
        let title = format!("Keys: {} [{}]", mode.title(), mode.table());
        // Defaults: the help of this mode, without Ctrl-N.
        let mut app = app_with("");
        open(&mut app, mode);
        app.update(ch('?'));
        assert!(app.dialogs.help, "{mode:?}: ? opens the help");
        let screen = render(&app);
        assert!(screen.contains(&title), "{mode:?}: {screen}");
        assert!(!screen.contains("Ctrl-N"), "{mode:?}: {screen}");
        // Ctrl-N added to "down" in this mode's table.
        let mut app = app_with(&table(mode, "\"ctrl-n\" = \"down\"\n"));
        open(&mut app, mode);
        app.update(ch('?'));
        let screen = render(&app);
        assert!(screen.contains(&title), "{mode:?}: {screen}");
        assert!(screen.contains("Ctrl-N / j / ↓"), "{mode:?}: {screen}");
        // Any key closes it, and the mode is as it was.
        app.update(ch('z'));
        assert!(!app.dialogs.help);
        assert_eq!(app.key_mode(), Some(mode));
    }
    // Ctrl-N bound in the viewer only: the panes' help does not show it.
    let mut app = app_with(&table(Mode::Viewer, "\"ctrl-n\" = \"down\"\n"));
    app.update(ch('?'));
    assert!(!render(&app).contains("Ctrl-N"));
}

#[test]
fn the_help_cuts_no_description_short_on_a_160_column_terminal() {
    let mut app = app_with("");
    app.update(ch('?'));
    let screen = common::screen::text(&app, 160, 45);
    for (_, _, what) in Mode::Browser.help() {
        assert!(screen.contains(what), "{what:?} is not whole in\n{screen}");
    }
    assert!(!screen.contains('…'), "{screen}");
    // On a narrow terminal the help still fits the screen, cutting what it must.
    let narrow = common::screen::text(&app, 80, 45);
    assert!(narrow.contains("Keys: "), "{narrow}");
    assert!(narrow.lines().all(|l| l.chars().count() <= 80), "{narrow}");
}

#[test]
fn on_an_80_by_24_terminal_the_help_is_one_column_that_scrolls() {
    let mut app = app_with("");
    app.update(Msg::Resize {
        width: 80,
        height: 24,
    });
    app.update(ch('?'));
    let all = Mode::Browser.help().len();
    let screen = common::screen::text(&app, 80, 24);
    // 21 rows of bindings fit between the frame and the hint.
    assert!(screen.contains(&format!("1–21 of {all}")), "{screen}");
    assert!(screen.contains("switch pane (and task panel)"), "{screen}");
    assert!(screen.contains("scroll · any other key closes"), "{screen}");
    let last = Mode::Browser.help()[all - 1].2;
    assert!(!screen.contains(last), "{screen}");
    app.update(ch('j'));
    assert!(app.dialogs.help, "j scrolls");
    let screen = common::screen::text(&app, 80, 24);
    assert!(screen.contains(&format!("2–22 of {all}")), "{screen}");
    assert!(!screen.contains("switch pane (and task panel)"), "{screen}");
    app.update(key(KeyCode::End));
    let screen = common::screen::text(&app, 80, 24);
    assert!(
        screen.contains(&format!("{}–{all} of {all}", all - 20)),
        "{screen}"
    );
    assert!(screen.contains(last), "{screen}");
    // The wheel scrolls it too.
    let wheel = |app: &mut App, kind: crossterm::event::MouseEventKind| {
        app.update(Msg::Mouse {
            kind,
            column: 40,
            row: 10,
            at_ms: 0,
        });
    };
    wheel(&mut app, crossterm::event::MouseEventKind::ScrollUp);
    let screen = common::screen::text(&app, 80, 24);
    assert!(
        screen.contains(&format!("{}–{} of {all}", all - 23, all - 3)),
        "{screen}"
    );
    wheel(&mut app, crossterm::event::MouseEventKind::ScrollDown);
    wheel(&mut app, crossterm::event::MouseEventKind::ScrollDown);
    assert!(app.dialogs.help, "the wheel does not close it");
    let screen = common::screen::text(&app, 80, 24);
    assert!(
        screen.contains(&format!("{}–{all} of {all}", all - 20)),
        "{screen}"
    );
    // Past the end it stays at the end; Home goes back.
    app.update(key(KeyCode::PageDown));
    app.update(ch('j'));
    assert!(common::screen::text(&app, 80, 24).contains(&format!("{}–{all}", all - 20)));
    app.update(key(KeyCode::Home));
    assert!(common::screen::text(&app, 80, 24).contains(&format!("1–21 of {all}")));
    // Any other key closes it, and the next time it opens at the top.
    app.update(key(KeyCode::End));
    app.update(ch('z'));
    assert!(!app.dialogs.help);
    app.update(ch('?'));
    assert!(common::screen::text(&app, 80, 24).contains(&format!("1–21 of {all}")));
    // Where everything fits, j closes it as any key does.
    app.update(ch('z'));
    app.update(Msg::Resize {
        width: 160,
        height: 45,
    });
    app.update(ch('?'));
    let screen = common::screen::text(&app, 160, 45);
    assert!(!screen.contains(&format!(" of {all} ")), "{screen}");
    app.update(ch('j'));
    assert!(!app.dialogs.help);
}

#[test]
fn hints_follow_the_bindings() {
    let config = "[keys.viewer]\n\"ctrl-w\" = \"close\"\n\"q\" = \"none\"\n[keys.bookmarks]\n\"c\" = \"connect\"\n\"enter\" = \"none\"\n[keys]\n\"ctrl-h\" = \"help\"\n\"?\" = \"none\"\n";
    let mut app = app_with(config);
    let screen = render(&app);
    assert!(screen.contains("F1:help"), "{screen}");
    open(&mut app, Mode::Viewer);
    let screen = render(&app);
    let bottom = screen
        .lines()
        .find(|l| l.contains("text/hex"))
        .expect("the viewer names its keys");
    assert!(
        bottom.contains("g G scroll · x text/hex · ? keys · Esc close"),
        "{screen}"
    );
    app.update(ctrl('w'));
    assert!(app.viewer.is_none(), "Ctrl-W closes the viewer");
    open(&mut app, Mode::Bookmarks);
    let screen = render(&app);
    assert!(screen.contains("c connect · n new"), "{screen}");
}

/// The text of `[table]` in the shipped config, up to the next table.
fn shipped_table(table: &str) -> String {
    let header = format!("\n[{table}]\n");
    let text = ftpdeck::config::DEFAULT_CONFIG;
    let start = text.find(&header).unwrap_or_else(|| panic!("no {header}"));
    let rest = &text[start + header.len()..];
    rest[..rest.find("\n[").unwrap_or(rest.len())].to_string()
}

#[test]
fn the_shipped_config_and_the_readme_name_every_mode_and_action() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    for mode in Mode::ALL {
        let comment = shipped_table(mode.table());
        let words: Vec<&str> = comment
            .split(|c: char| c.is_whitespace() || c == '#' || c == '.' || c == ':')
            .collect();
        for action in mode.actions() {
            assert!(
                words.contains(&action.name()),
                "[{}] of assets/config.toml does not name {:?}",
                mode.table(),
                action.name()
            );
        }
        assert!(
            readme.contains(&format!("[{}]", mode.table())),
            "README names no [{}]",
            mode.table()
        );
    }
}
