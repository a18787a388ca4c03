//! Screens rendered with ratatui's TestBackend: what a user would see.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may stop at the first surprise

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ftpdeck::app::Cmd;
use ftpdeck::app::{App, AppConfig, Msg};
use ftpdeck::entry::{Entry, EntryKind};
use ftpdeck::local::{LocalCmd, LocalEvent};
use ftpdeck::remote::session::Listing;
use ftpdeck::remote::{Profile, RemoteCmd, RemoteEvent, Secret};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use unicode_width::UnicodeWidthStr;

fn render(app: &App, w: u16, h: u16) -> Vec<String> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| ftpdeck::ui::draw(f, app, &app.theme)).unwrap();
    let buf = t.backend().buffer().clone();
    (0..h)
        .map(|y| {
            let mut line = String::new();
            let mut x = 0;
            while x < w {
                let sym = buf[(x, y)].symbol();
                line.push_str(sym);
                x += UnicodeWidthStr::width(sym).max(1) as u16;
            }
            line
        })
        .collect()
}

fn file(name: &str, size: u64) -> Entry {
    let mut e = Entry::new(name, EntryKind::File);
    e.size = Some(size);
    e.mtime = Some(1_700_000_000);
    e
}

fn app_with(remote: Vec<Entry>, w: u16, h: u16) -> App {
    let profile = Profile {
        host: "127.0.0.1".into(),
        port: 2121,
        user: "bob".into(),
        password: Some(Secret::new("pw")),
        path: "/pub".into(),
        ..Default::default()
    };
    let (mut app, cmds) = App::new(AppConfig::new(PathBuf::from("/home/bob"), Some(profile)));
    app.update(Msg::Resize {
        width: w,
        height: h,
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
        path: "/home/bob".into(),
        result: Ok((
            PathBuf::from("/home/bob"),
            vec![file("notes.txt", 2048), Entry::new("src", EntryKind::Dir)],
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
            entries: remote,
        }),
    }));
    app
}

/// F5 on the cursor's entry, the engine starting it and reporting `done` of `total` at `rate`
/// bytes per second: the job.
fn f5_running(app: &mut App, done: u64, total: u64, rate: f64) -> ftpdeck::transfer::Job {
    use ftpdeck::transfer::{TransferCmd, TransferEvent};
    let cmds = app.update(Msg::Key(crossterm::event::KeyEvent::new(
        crossterm::event::KeyCode::F(5),
        crossterm::event::KeyModifiers::NONE,
    )));
    let job = cmds
        .iter()
        .find_map(|c| match c {
            Cmd::Transfer(TransferCmd::Enqueue(j)) => Some(j[0].clone()),
            _ => None,
        })
        .expect("F5 queues the entry");
    app.update(Msg::Transfer(TransferEvent::Started { id: job.id }));
    app.update(Msg::Transfer(TransferEvent::Progress {
        id: job.id,
        done,
        total: Some(total),
        rate,
    }));
    job
}

#[test]
fn two_panes_titles_entries_and_status_bar() {
    let mut link = Entry::new("latest", EntryKind::Symlink);
    link.link_target = Some("releases/v2".into());
    let app = app_with(
        vec![
            file("readme.md", 1536),
            Entry::new("releases", EntryKind::Dir),
            link,
        ],
        120,
        30,
    );
    let screen = render(&app, 120, 30);
    let all = screen.join("\n");
    assert!(screen[0].contains("/home/bob"), "{all}");
    assert!(screen[0].contains("bob@127.0.0.1:2121:/pub"), "{all}");
    assert!(all.contains("Name") && all.contains("Size") && all.contains("Modified"));
    assert!(all.contains("src/"), "directories are marked: {all}");
    assert!(
        all.contains("notes.txt") && all.contains("2.0 KiB"),
        "{all}"
    );
    assert!(all.contains("releases/") && all.contains("<DIR>"), "{all}");
    assert!(
        all.contains("latest@ → releases/v2"),
        "symlinks are marked: {all}"
    );
    assert!(all.contains("1.5 KiB"));
    let status = &screen[29];
    assert!(status.contains("connected"), "{status}");
    assert!(status.contains("?:help"), "{status}");
    // Directories first in the remote pane.
    let releases = all.find("releases/").unwrap();
    assert!(releases < all.find("readme.md").unwrap());
}

#[test]
fn wide_and_long_names_keep_columns_aligned() {
    let long = "a-very-long-file-name-that-goes-on-and-on-and-on-and-never-seems-to-end.tar.gz";
    let app = app_with(
        vec![
            file("日本語のファイル名.txt", 10),
            file("🎉🎉 party.txt", 20),
            file(long, 30),
        ],
        120,
        20,
    );
    let screen = render(&app, 120, 20);
    let rows: Vec<&String> = screen
        .iter()
        .filter(|l| l.contains(" B ") && l.contains("2023-"))
        .collect();
    assert_eq!(rows.len(), 3, "{screen:#?}");
    // Every row's size column ends at the same display column on the remote side.
    let right: Vec<&str> = rows
        .iter()
        .map(|l| l.split('│').nth(3).unwrap_or(""))
        .collect();
    let ends: Vec<usize> = right
        .iter()
        .filter(|r| r.contains(" B "))
        .map(|r| UnicodeWidthStr::width(&r[..r.find(" B ").unwrap()]))
        .collect();
    assert!(
        ends.windows(2).all(|w| w[0] == w[1]),
        "misaligned: {right:#?}"
    );
    assert!(
        screen.iter().any(|l| l.contains("…")),
        "long names are cut with an ellipsis"
    );
}

#[test]
fn escape_sequences_in_names_never_reach_the_screen() {
    let app = app_with(vec![file("evil\x1b[2J\x07name", 1)], 120, 20);
    let all = render(&app, 120, 20).join("\n");
    assert!(all.contains("evil?[2J?name"), "{all}");
    assert!(!all.contains('\x1b'));
}

#[test]
fn loading_and_errors_are_shown_in_the_pane() {
    let (app, _) = App::new(AppConfig::new(
        PathBuf::from("/home/bob"),
        Some(Profile::anonymous("127.0.0.1", 21)),
    ));
    let all = render(&app, 100, 12).join("\n");
    assert!(all.contains("(loading…)"), "{all}");
    assert!(all.contains("connecting"), "{all}");

    let (mut app, _) = App::new(AppConfig::new(
        PathBuf::from("/home/bob"),
        Some(Profile::anonymous("127.0.0.1", 21)),
    ));
    app.update(Msg::Remote(RemoteEvent::ConnectFailed {
        error: ftpdeck::remote::RemoteError::Refused {
            addr: "127.0.0.1:21".into(),
        },
    }));
    let all = render(&app, 100, 12).join("\n");
    assert!(all.contains("refused"), "{all}");
    assert!(all.contains("error"), "{all}");
}

#[test]
fn narrow_terminal_shows_one_pane() {
    let app = app_with(vec![file("readme.md", 1)], 60, 20);
    let screen = render(&app, 60, 20);
    let all = screen.join("\n");
    assert!(all.contains("bob@127.0.0.1:2121:/pub"), "{all}");
    assert!(!all.contains("/home/bob"), "only the focused pane: {all}");
}

#[test]
fn help_overlay_lists_the_keys() {
    let mut app = app_with(vec![], 120, 30);
    app.update(Msg::Key(crossterm::event::KeyEvent::new(
        crossterm::event::KeyCode::Char('?'),
        crossterm::event::KeyModifiers::NONE,
    )));
    let all = render(&app, 120, 30).join("\n");
    for k in [
        "Tab",
        "switch pane",
        "Backspace",
        "show/hide hidden",
        "reverse sort",
        "quit",
    ] {
        assert!(all.contains(k), "{k} missing: {all}");
    }
}

#[test]
fn transfer_panel_shows_progress_speed_eta_and_totals() {
    use ftpdeck::transfer::Direction;
    let mut app = app_with(vec![file("big.iso", 4 << 20)], 140, 40);
    let job = f5_running(&mut app, 1 << 20, 4 << 20, (1 << 20) as f64);
    assert_eq!(job.direction, Direction::Download);
    app.update(Msg::Tick { now: 0 });
    let all = render(&app, 140, 40).join("\n");
    assert!(all.contains("Tasks — x cancel"), "{all}");
    assert!(all.contains("↓ big.iso"), "{all}");
    assert!(all.contains("1.0 MiB / 4.0 MiB"), "{all}");
    assert!(all.contains("1.0 MiB/s"), "{all}");
    assert!(all.contains("ETA 0:03"), "{all}");
    assert!(
        all.contains("1 running, 0 queued · 1 file left (3.0 MiB)"),
        "{all}"
    );
    assert!(all.contains("█████"), "a progress bar: {all}");

    // Hidden panel: the summary moves to the status bar.
    app.update(Msg::Key(crossterm::event::KeyEvent::new(
        crossterm::event::KeyCode::Char('t'),
        crossterm::event::KeyModifiers::NONE,
    )));
    let screen = render(&app, 140, 40);
    assert!(!screen.join("\n").contains("Transfers —"));
    assert!(screen[39].contains("1 running"), "{}", screen[39]);
}

#[test]
fn less_and_greater_halve_and_double_the_speed_limit_shown_in_the_panel_title() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use ftpdeck::transfer::TransferCmd;
    let mut app = app_with(vec![file("big.iso", 8 << 20)], 140, 40);
    let press = |app: &mut App, c: char| {
        app.update(Msg::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::NONE,
        )))
    };
    // Nothing moving and no limit: `<` has nothing to halve.
    assert!(press(&mut app, '<').is_empty());
    f5_running(&mut app, 1 << 20, 8 << 20, (4 << 20) as f64);
    let all = render(&app, 140, 40).join("\n");
    assert!(
        all.contains(" Tasks — "),
        "no limit, no limit in the title: {all}"
    );
    // `<` halves what is moving now (4 MiB/s down) into a limit of 2 MiB/s.
    let cmds = press(&mut app, '<');
    let sent = cmds.iter().find_map(|c| match c {
        Cmd::Transfer(TransferCmd::SetLimits(l)) => Some(*l),
        _ => None,
    });
    assert_eq!(sent.and_then(|l| l.down), Some(2 << 20));
    assert_eq!(sent.and_then(|l| l.up), None);
    let all = render(&app, 140, 40).join("\n");
    assert!(all.contains("Tasks · limit ↓ 2.0 MiB/s ↑ none"), "{all}");
    assert!(
        all.contains("Speed limit ↓ 2.0 MiB/s"),
        "status line: {all}"
    );
    press(&mut app, '<');
    assert!(
        render(&app, 140, 40)
            .join("\n")
            .contains("limit ↓ 1.0 MiB/s")
    );
    // `>` doubles it back.
    let cmds = press(&mut app, '>');
    assert!(cmds.iter().any(|c| matches!(
        c,
        Cmd::Transfer(TransferCmd::SetLimits(l)) if l.down == Some(2 << 20)
    )));
    assert!(
        render(&app, 140, 40)
            .join("\n")
            .contains("limit ↓ 2.0 MiB/s")
    );
    // Doubling past the ceiling removes the limit.
    for _ in 0..12 {
        press(&mut app, '>');
    }
    let all = render(&app, 140, 40).join("\n");
    assert!(all.contains(" Tasks — "), "{all}");
    assert!(!all.contains("limit ↓"), "{all}");
}

#[test]
fn a_file_checked_against_the_servers_digest_says_verified_in_the_panel() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use ftpdeck::remote::hash::Algorithm;
    use ftpdeck::transfer::{Outcome, TransferCmd, TransferEvent};
    let mut app = app_with(vec![file("a.iso", 4096), file("b.iso", 4096)], 140, 40);
    let mut ids = Vec::new();
    for _ in 0..2 {
        let cmds = app.update(Msg::Key(KeyEvent::new(KeyCode::F(5), KeyModifiers::NONE)));
        ids.extend(cmds.iter().find_map(|c| match c {
            Cmd::Transfer(TransferCmd::Enqueue(j)) => Some(j[0].id),
            _ => None,
        }));
        app.update(Msg::Key(KeyEvent::new(KeyCode::Down, KeyModifiers::NONE)));
    }
    for (id, verified) in ids.iter().zip([Some(Algorithm::Sha256), None]) {
        app.update(Msg::Transfer(TransferEvent::Finished {
            id: *id,
            outcome: Outcome::Done {
                bytes: 4096,
                secs: 0.1,
                note: None,
                verified,
            },
        }));
    }
    let screen = render(&app, 140, 40);
    let row = |name: &str| {
        screen
            .iter()
            .find(|l| l.contains(&format!("↓ {name}")))
            .cloned()
            .unwrap_or_else(|| panic!("no row for {name}: {}", screen.join("\n")))
    };
    assert!(
        row("a.iso").contains("done 4.0 KiB · verified (SHA-256)"),
        "{}",
        row("a.iso")
    );
    assert!(row("b.iso").contains("done 4.0 KiB"), "{}", row("b.iso"));
    assert!(!row("b.iso").contains("verified"), "{}", row("b.iso"));
}

#[test]
fn a_long_form_error_wraps_inside_the_form() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let (mut app, _) = App::new(AppConfig::new(PathBuf::from("/tmp"), None));
    app.update(Msg::Resize {
        width: 80,
        height: 40,
    });
    app.open_bookmarks();
    let key = |c: KeyCode| Msg::Key(KeyEvent::new(c, KeyModifiers::NONE));
    app.update(key(KeyCode::Char('n')));
    for c in "x".chars() {
        app.update(key(KeyCode::Char(c)));
    }
    app.update(key(KeyCode::Tab));
    for c in "h.example".chars() {
        app.update(key(KeyCode::Char(c)));
    }
    // Back, wrapping, to the speed limit (the field before the charset, the last).
    for _ in 0..3 {
        app.update(key(KeyCode::BackTab));
    }
    for c in "2M/é".chars() {
        app.update(key(KeyCode::Char(c)));
    }
    app.update(Msg::Key(KeyEvent::new(
        KeyCode::Char('s'),
        KeyModifiers::CONTROL,
    )));
    let screen = render(&app, 80, 40);
    let all = screen.join("\n");
    assert!(all.contains("speed limit:"), "{all}");
    // The end of the reason is on screen too, on a line of its own inside the box.
    assert!(all.contains("for down/up)"), "{all}");
    let error_rows: Vec<_> = screen
        .iter()
        .filter(|l| l.contains("speed limit:") || l.contains("for down/up)"))
        .collect();
    assert!(error_rows.len() >= 2, "{error_rows:?}");
    for row in error_rows {
        assert!(row.trim_end().ends_with('│'), "inside the box: {row:?}");
    }
}

#[test]
fn help_on_a_small_terminal_shows_whole_descriptions_and_scrolls_to_the_rest() {
    let mut app = app_with(vec![], 100, 24);
    let press = |app: &mut App, code: KeyCode| {
        app.update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    };
    press(&mut app, KeyCode::F(1));
    let all = render(&app, 100, 24).join("\n");
    // Too small for columns that say anything: one column, each line whole.
    assert!(all.contains("switch pane (and task panel)"), "{all}");
    assert!(!all.contains("q / F10"), "{all}");
    assert!(all.contains("scroll · any other key closes"), "{all}");
    press(&mut app, KeyCode::End);
    let all = render(&app, 100, 24).join("\n");
    assert!(all.contains("q / F10 / Ctrl-C  quit"), "{all}");
    assert!(app.dialogs.help);
    press(&mut app, KeyCode::Esc);
    assert!(!app.dialogs.help);
}

#[test]
fn text_fields_show_the_cursor_where_it_is() {
    let mut app = app_with(vec![file("report.txt", 1)], 100, 24);
    let press = |app: &mut App, code: KeyCode| {
        app.update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    };
    press(&mut app, KeyCode::F(2));
    for _ in 0..4 {
        press(&mut app, KeyCode::Left);
    }
    let screen = render(&app, 100, 24).join("\n");
    assert!(screen.contains("report▏.txt"), "{screen}");

    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('/'));
    for c in "rept".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    press(&mut app, KeyCode::Left);
    let screen = render(&app, 100, 24).join("\n");
    assert!(screen.contains("[filter: rep▏t, "), "{screen}");
}

#[test]
fn a_filter_without_a_match_says_so() {
    let mut app = app_with(vec![file("report.txt", 1)], 100, 24);
    app.update(Msg::Key(KeyEvent::new(
        KeyCode::Char('/'),
        KeyModifiers::NONE,
    )));
    app.update(Msg::Key(KeyEvent::new(
        KeyCode::Char('Q'),
        KeyModifiers::NONE,
    )));
    let screen = render(&app, 100, 24).join("\n");
    assert!(screen.contains("no entry matches the filter"), "{screen}");
    assert!(!screen.contains("only hidden files"), "{screen}");
}

#[test]
fn a_transfer_without_data_shows_stalled_and_the_seconds_since_the_last_byte() {
    use ftpdeck::transfer::TransferEvent;
    let mut app = app_with(vec![file("big.iso", 4 << 20)], 140, 40);
    let job = f5_running(&mut app, 1 << 20, 4 << 20, (1 << 20) as f64);
    for now in 0..2 {
        app.update(Msg::Tick { now });
    }
    let moving = render(&app, 140, 40).join("\n");
    assert!(
        moving.contains("1.0 MiB/s") && !moving.contains("stalled"),
        "{moving}"
    );
    for now in 2..5 {
        app.update(Msg::Tick { now });
    }
    let all = render(&app, 140, 40).join("\n");
    assert!(all.contains("stalled 4 s"), "{all}");
    assert!(!all.contains("ETA"), "no ETA while nothing moves: {all}");
    // Bytes again: the speed comes back.
    app.update(Msg::Transfer(TransferEvent::Progress {
        id: job.id,
        done: 2 << 20,
        total: Some(4 << 20),
        rate: (1 << 20) as f64,
    }));
    app.update(Msg::Tick { now: 6 });
    assert!(!render(&app, 140, 40).join("\n").contains("stalled"));
}

#[test]
fn the_help_shows_the_keys_as_the_config_binds_them() {
    use ftpdeck::app::keymap::{Action, Mode, parse_key};
    let mut app = app_with(vec![file("a.txt", 1)], 160, 50);
    let b = Mode::Browser;
    app.keymap
        .bind(b, parse_key("ctrl-d").unwrap(), Action::Delete)
        .unwrap();
    app.keymap
        .bind(b, parse_key("x").unwrap(), Action::Copy)
        .unwrap();
    app.update(Msg::Key(KeyEvent::new(
        KeyCode::Char('?'),
        KeyModifiers::NONE,
    )));
    let all = render(&app, 160, 50).join("\n");
    assert!(all.contains("Ctrl-D / Delete / F8"), "{all}");
    assert!(all.contains("F5 / c / x"), "{all}");
    assert!(
        all.contains("(unbound)"),
        "x no longer cancels a transfer: {all}"
    );
    // Untouched rows keep the table's wording.
    assert!(all.contains("Enter / → / l"), "{all}");
}

/// The same app drawn in two palettes, alternately, on one terminal in one thread: every
/// frame has the colours of the theme passed to that draw and none of the other's, so nothing
/// of one draw's theme is left behind for the next.
#[test]
fn each_draw_uses_the_theme_it_is_given() {
    use ftpdeck::app::Side;
    use ftpdeck::theme::Theme;
    use ratatui::layout::Rect;
    use ratatui::style::Color;

    let (w, h) = (120, 30);
    let mut app = app_with(vec![file("readme.md", 1536)], w, h);
    // The app's own palette is neither of the two drawn: only the argument counts.
    let own = Color::Rgb(1, 2, 3);
    let mut own_theme = Theme::dark();
    for role in [
        "accent",
        "dim",
        "dir",
        "symlink",
        "highlight",
        "marked",
        "error",
        "ok",
        "badge_text",
    ] {
        own_theme.set(role, "#010203").unwrap();
    }
    app.theme = own_theme;

    let dark = Theme::dark();
    let light = Theme::light();
    for role in [
        |t: &Theme| t.accent,
        |t: &Theme| t.dim,
        |t: &Theme| t.dir,
        |t: &Theme| t.ok,
        |t: &Theme| t.badge_text,
    ] {
        assert_ne!(
            role(&dark),
            role(&light),
            "the palettes differ where it is checked"
        );
    }
    let r = ftpdeck::ui::regions_in(Rect::new(0, 0, w, h), &app);
    let (focused, other) = match app.browse.focus {
        Side::Local => (r.local.unwrap(), r.remote.unwrap()),
        Side::Remote => (r.remote.unwrap(), r.local.unwrap()),
    };
    let local = r.local.unwrap();

    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    for (round, theme) in [&dark, &light, &dark, &light, &light, &dark]
        .into_iter()
        .enumerate()
    {
        let buf = t
            .draw(|f| ftpdeck::ui::draw(f, &app, theme))
            .unwrap()
            .buffer
            .clone();
        let which = if theme == &dark { "dark" } else { "light" };
        let at = |x, y| &buf[(x, y)];
        assert_eq!(
            at(focused.x, focused.y).fg,
            theme.accent,
            "{which} #{round}"
        );
        assert_eq!(at(other.x, other.y).fg, theme.dim, "{which} #{round}");
        let badge = at(r.status.x, r.status.y);
        assert_eq!(
            (badge.fg, badge.bg),
            (theme.badge_text, theme.ok),
            "the connected badge, {which} #{round}"
        );
        // The local pane's `src/` directory (the pane's cells are one column each).
        let src = (local.y..local.bottom())
            .find_map(|y| {
                let row: String = (local.x..local.right())
                    .map(|x| at(x, y).symbol())
                    .collect();
                row.find("src/")
                    .map(|i| (local.x + row[..i].chars().count() as u16, y))
            })
            .expect("src/ is on screen");
        assert_eq!(at(src.0, src.1).fg, theme.dir, "{which} #{round}");
        // Every colour on screen is one of this theme's roles (or the terminal's own).
        let roles = [
            theme.accent,
            theme.dim,
            theme.dir,
            theme.symlink,
            theme.highlight,
            theme.marked,
            theme.error,
            theme.ok,
            theme.badge_text,
            Color::Reset,
        ];
        for y in 0..h {
            for x in 0..w {
                let c = at(x, y);
                assert!(
                    c.fg != own && c.bg != own,
                    "the app's own palette is not used"
                );
                assert!(
                    roles.contains(&c.fg) && roles.contains(&c.bg),
                    "({x},{y}) {:?} on {:?} is not of the {which} palette (#{round})",
                    c.fg,
                    c.bg
                );
            }
        }
    }
}

#[test]
fn the_remote_title_names_a_charset_that_is_not_auto() {
    let mut app = app_with(vec![file("テスト.txt", 10)], 120, 30);
    let screen = render(&app, 120, 30);
    assert!(!screen[0].contains("[auto]"), "{}", screen[0]);
    if let Some(p) = app.server.profile.as_mut() {
        p.charset = ftpdeck::remote::encoding::Charset::parse("sjis").unwrap();
    }
    let screen = render(&app, 120, 30);
    assert!(
        screen[0].contains("bob@127.0.0.1:2121:/pub [shift_jis]"),
        "{}",
        screen[0]
    );
    assert!(screen.join("\n").contains("テスト.txt"));
}
