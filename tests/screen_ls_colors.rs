//! Names coloured by `LS_COLORS` on ratatui's TestBackend, in both panes: the local pane lists
//! a real temporary directory, the remote one `ls -l` lines as a server sends them.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may stop at the first surprise

use std::path::Path;

use ftpdeck::app::{App, AppConfig, Cmd, Msg, Side};
use ftpdeck::config::Config;
use ftpdeck::local::{LocalCmd, LocalEvent};
use ftpdeck::remote::listing::parse_list_line;
use ftpdeck::remote::session::Listing;
use ftpdeck::remote::{Profile, RemoteCmd, RemoteEvent, Secret};
use ftpdeck::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::{Buffer, Cell};
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier};

const LS: &str = "di=01;34:ln=01;36:ex=01;32:*.tar=01;31:*.rs=38;5;208";
const W: u16 = 140;
const H: u16 = 30;

/// A local directory with a directory, a `.tar`, a `.rs`, a plain file, an executable and a link.
fn local_tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::create_dir(p.join("src")).unwrap();
    for name in ["backup.tar", "main.rs", "notes.txt", "run.sh"] {
        std::fs::write(p.join(name), name).unwrap();
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let exec = std::fs::Permissions::from_mode(0o755);
        std::fs::set_permissions(p.join("run.sh"), exec).unwrap();
        std::os::unix::fs::symlink("notes.txt", p.join("latest")).unwrap();
    }
    dir
}

/// The remote listing: the same kinds, plus a plain file named like a local directory (the
/// temporary `src`), which must not be coloured as one: a remote name is never looked up on
/// the local disk.
fn remote_entries(local: &Path) -> Vec<ftpdeck::entry::Entry> {
    let lines = [
        "drwxr-xr-x 2 u g 4096 Jan 01 2024 releases".to_string(),
        "-rw-r--r-- 1 u g 10 Jan 01 2024 site.tar".to_string(),
        "-rw-r--r-- 1 u g 10 Jan 01 2024 lib.rs".to_string(),
        "-rw-r--r-- 1 u g 10 Jan 01 2024 readme.txt".to_string(),
        "-rwxr-xr-x 1 u g 10 Jan 01 2024 deploy".to_string(),
        "lrwxrwxrwx 1 u g 8 Jan 01 2024 current -> releases".to_string(),
        format!(
            "-rw-r--r-- 1 u g 10 Jan 01 2024 {}",
            local.join("src").display()
        ),
    ];
    lines.iter().map(|l| parse_list_line(l, 0)).collect()
}

/// An app showing `local` and the remote listing, in `config` with `ls_colors` as the
/// environment's `LS_COLORS`.
fn app_in(config: &Config, ls_colors: Option<&str>, local: &Path) -> App {
    let profile = Profile {
        host: "127.0.0.1".into(),
        port: 2121,
        user: "bob".into(),
        password: Some(Secret::new("pw")),
        path: "/pub".into(),
        ..Default::default()
    };
    let mut cfg = AppConfig::from_config(config, local, Some(profile));
    cfg.ls_colors = ls_colors.map(str::to_string);
    let (mut app, cmds) = App::new(cfg);
    app.update(Msg::Resize {
        width: W,
        height: H,
    });
    let (id, path) = cmds
        .iter()
        .find_map(|c| match c {
            Cmd::Local(LocalCmd::List { id, path, .. }) => Some((*id, path.clone())),
            _ => None,
        })
        .unwrap();
    app.update(Msg::Local(LocalEvent::Listed {
        id,
        path,
        result: ftpdeck::local::list_dir(local),
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
            entries: remote_entries(local),
        }),
    }));
    app
}

struct Screen {
    buf: Buffer,
    local: Rect,
    remote: Rect,
}

fn draw(app: &App) -> Screen {
    let mut t = Terminal::new(TestBackend::new(W, H)).unwrap();
    let buf = t
        .draw(|f| ftpdeck::ui::draw(f, app, &app.theme))
        .unwrap()
        .buffer
        .clone();
    let r = ftpdeck::ui::regions_in(Rect::new(0, 0, W, H), app);
    Screen {
        buf,
        local: r.local.unwrap(),
        remote: r.remote.unwrap(),
    }
}

impl Screen {
    /// The cells of the row in `side`'s pane whose name starts with `text`, from the name's
    /// first character to the pane's border (all names here are ASCII: one cell a character).
    fn row(&self, side: Side, text: &str) -> Vec<&Cell> {
        let area = if side == Side::Local {
            self.local
        } else {
            self.remote
        };
        // The border, then the marker column, then the name.
        let x0 = area.x + 2;
        for y in area.y + 2..area.bottom() {
            let row: String = (x0..area.right())
                .map(|x| self.buf[(x, y)].symbol())
                .collect();
            if row.starts_with(text) {
                return (x0..area.right() - 1).map(|x| &self.buf[(x, y)]).collect();
            }
        }
        panic!("{text:?} is not in the {side:?} pane");
    }

    /// The colours and modifiers of the first cell of `text` in `side`'s pane.
    fn look(&self, side: Side, text: &str) -> (Color, Color, Modifier) {
        let c = self.row(side, text)[0];
        (c.fg, c.bg, c.modifier)
    }
}

fn bold(c: Color) -> (Color, Color, Modifier) {
    (c, Color::Reset, Modifier::BOLD)
}

const PLAIN: (Color, Color, Modifier) = (Color::Reset, Color::Reset, Modifier::empty());

#[test]
fn ls_colors_colour_names_in_both_panes() {
    let tree = local_tree();
    let app = app_in(&Config::default(), Some(LS), tree.path());
    assert_eq!(app.browse.focus, Side::Remote);
    let s = draw(&app);
    let theme = Theme::dark();
    let orange = (Color::Indexed(208), Color::Reset, Modifier::empty());

    // Local: `src/` has the cursor of the unfocused pane (its background), the rest not.
    let (fg, bg, m) = s.look(Side::Local, "src/");
    assert_eq!(
        (fg, bg, m),
        (Color::Blue, theme.dim, Modifier::BOLD),
        "src/"
    );
    assert_eq!(s.look(Side::Local, "backup.tar"), bold(Color::Red));
    assert_eq!(s.look(Side::Local, "main.rs"), orange);
    assert_eq!(s.look(Side::Local, "notes.txt"), PLAIN, "the theme's files");
    #[cfg(unix)]
    {
        assert_eq!(s.look(Side::Local, "run.sh"), bold(Color::Green));
        assert_eq!(s.look(Side::Local, "latest@"), bold(Color::Cyan));
    }
    // Only the name: the padding and the size and time columns keep the terminal's colours.
    let row = s.row(Side::Local, "backup.tar");
    assert!(row[..10].iter().all(|c| c.fg == Color::Red));
    assert!(row[10..].iter().all(|c| c.fg == Color::Reset), "{row:?}");

    // Remote: `releases/` has the focused cursor (reversed).
    assert_eq!(
        s.look(Side::Remote, "releases/"),
        (
            Color::Blue,
            Color::Reset,
            Modifier::BOLD | Modifier::REVERSED
        )
    );
    let row = s.row(Side::Remote, "releases/");
    assert!(
        row.iter().all(|c| c.modifier.contains(Modifier::REVERSED)),
        "the whole cursor row is reversed"
    );
    assert_eq!(s.look(Side::Remote, "site.tar"), bold(Color::Red));
    assert_eq!(s.look(Side::Remote, "lib.rs"), orange);
    assert_eq!(s.look(Side::Remote, "readme.txt"), PLAIN);
    assert_eq!(s.look(Side::Remote, "deploy"), bold(Color::Green));
    assert_eq!(s.look(Side::Remote, "current@"), bold(Color::Cyan));
    // A remote file named like the local directory is a file (not looked up locally).
    let name = tree.path().join("src").display().to_string();
    let shown = &name[..name.len().min(24)]; // a long temporary path is cut short on screen
    assert_eq!(s.look(Side::Remote, shown), PLAIN, "{name}");
}

#[test]
fn selected_and_cursor_rows_stay_visible_over_ls_colors() {
    let tree = local_tree();
    let mut app = app_in(&Config::default(), Some(LS), tree.path());
    app.browse.remote.selected.insert("site.tar".into());
    let s = draw(&app);
    let theme = app.theme;
    // A selected name has the theme's selection colour, not its LS_COLORS one.
    assert_eq!(
        s.look(Side::Remote, "site.tar"),
        bold(theme.highlight),
        "selected"
    );
    // A name LS_COLORS reverses itself is turned back under the focused cursor.
    let reversing = "di=07;34";
    let app = app_in(&Config::default(), Some(reversing), tree.path());
    let s = draw(&app);
    let (fg, _, m) = s.look(Side::Remote, "releases/");
    assert_eq!(fg, Color::Blue);
    assert!(!m.contains(Modifier::REVERSED), "{m:?}");
    let (_, bg, m) = s.look(Side::Local, "src/");
    assert!(m.contains(Modifier::REVERSED), "reversed by LS_COLORS");
    assert_eq!(bg, theme.dim, "the unfocused cursor's background");
}

/// The theme's look of the names: directories in its colour and bold, files plain.
fn assert_theme_colours(s: &Screen, theme: &Theme, what: &str) {
    let (fg, bg, m) = s.look(Side::Local, "src/");
    assert_eq!(
        (fg, bg, m),
        (theme.dir, theme.dim, Modifier::BOLD),
        "{what}"
    );
    for name in ["backup.tar", "main.rs", "notes.txt"] {
        assert_eq!(s.look(Side::Local, name), PLAIN, "{what}: {name}");
    }
    assert_eq!(
        s.look(Side::Remote, "releases/"),
        (theme.dir, Color::Reset, Modifier::BOLD | Modifier::REVERSED),
        "{what}"
    );
    for name in ["site.tar", "lib.rs", "readme.txt", "deploy"] {
        assert_eq!(s.look(Side::Remote, name), PLAIN, "{what}: {name}");
    }
    assert_eq!(
        s.look(Side::Remote, "current@").0,
        theme.symlink,
        "{what}: link"
    );
    // The whole row in the theme's colour, as before LS_COLORS.
    let row = s.row(Side::Remote, "releases/");
    assert!(row.iter().all(|c| c.fg == theme.dir), "{what}");
}

#[test]
fn ls_colors_off_in_the_config_gives_the_theme() {
    let tree = local_tree();
    let (config, problems) = ftpdeck::config::parse("[ui]\nls_colors = false\n", "c");
    assert!(problems.is_empty(), "{problems:?}");
    assert!(!config.ui.ls_colors);
    let app = app_in(&config, Some(LS), tree.path());
    assert_theme_colours(&draw(&app), &app.theme, "ls_colors = false");
    // And on by default: the same value colours the names.
    let app = app_in(&Config::default(), Some(LS), tree.path());
    assert_eq!(draw(&app).look(Side::Remote, "site.tar"), bold(Color::Red));
}

#[test]
fn unset_empty_or_garbage_ls_colors_give_the_theme() {
    let tree = local_tree();
    let long: String = (0..20_000).map(|i| format!("*.a{i}=zz;{i}:")).collect();
    let values = [
        None,
        Some(""),
        Some("garbage"),
        Some("di=zz;1:*.tar:ex=999:ln=38;5"),
        Some("\u{1b}[01;34m:::==:=*"),
        Some(long.as_str()),
    ];
    for value in values {
        let app = app_in(&Config::default(), value, tree.path());
        assert_theme_colours(
            &draw(&app),
            &app.theme,
            &format!("{:?}", value.map(|v| &v[..v.len().min(20)])),
        );
    }
}
