//! Names coloured by `LS_COLORS` (parsed by the `lscolors` crate), for both panes.
//!
//! An entry is classified from what its listing says (kind, permission bits, name), never by
//! looking at the disk: a remote name is not a local path, and drawing stays free of I/O.
//! Only what `LS_COLORS` itself sets is used (not the crate's built-in defaults), so an entry it
//! says nothing about keeps the theme's colours, and so does every entry when the value is
//! empty, unset or garbage.

use lscolors::{Indicator, LsColors};
use ratatui::style::{Color, Modifier, Style};

use crate::entry::{Entry, EntryKind};

/// Every indicator `lscolors` knows but `fi`, each set to nothing: put before the user's value,
/// this clears the crate's built-in defaults (`fi=` would also stop regular files falling back
/// to `no`, and the crate has no default for it).
const CLEAR_DEFAULTS: &str = "no=0:di=0:ln=0:pi=0:so=0:do=0:bd=0:cd=0:or=0:su=0:sg=0:st=0:ow=0:\
                              tw=0:ex=0:mi=0:ca=0:mh=0:lc=0:rc=0:ec=0:rs=0:cl=0:";

/// The styles of names by `LS_COLORS`; the default has none (the theme's colours everywhere).
#[derive(Debug, Clone, Default)]
pub struct NameColors {
    ls: Option<LsColors>,
}

impl NameColors {
    /// The styles an `LS_COLORS` value gives. Any text is accepted: what cannot be read is
    /// left out, and an empty value means none.
    pub fn parse(value: &str) -> NameColors {
        if value.trim().is_empty() {
            return NameColors::default();
        }
        NameColors {
            ls: Some(LsColors::from_string(&format!("{CLEAR_DEFAULTS}{value}"))),
        }
    }

    /// The styles for the settings: `value` (the `LS_COLORS` of the environment, if set) when
    /// `enabled` (`[ui] ls_colors`), else none.
    pub fn for_settings(enabled: bool, value: Option<&str>) -> NameColors {
        match value {
            Some(v) if enabled => NameColors::parse(v),
            _ => NameColors::default(),
        }
    }

    /// True when there are styles at all.
    pub fn is_active(&self) -> bool {
        self.ls.is_some()
    }

    /// The style `LS_COLORS` gives the entry's name, if it gives one (a style of nothing, such
    /// as `38;5` without its colour, counts as none).
    pub fn style(&self, entry: &Entry) -> Option<Style> {
        let ls = self.ls.as_ref()?;
        let mode = entry.perms.as_deref().and_then(Mode::parse);
        let style = match entry.kind {
            EntryKind::Unknown => None,
            EntryKind::Symlink => ls.style_for_indicator(Indicator::SymbolicLink),
            // A link to a directory: `ln` if set, else as the directory it leads to.
            EntryKind::Dir
                if entry.link_target.is_some()
                    && ls.has_explicit_style_for(Indicator::SymbolicLink) =>
            {
                ls.style_for_indicator(Indicator::SymbolicLink)
            }
            EntryKind::Dir => ls.style_for_indicator(dir_indicator(ls, mode)),
            EntryKind::File => match file_indicator(ls, mode) {
                Indicator::RegularFile => ls
                    .style_for_str(&entry.name)
                    .or_else(|| ls.style_for_indicator(Indicator::RegularFile)),
                special => ls.style_for_indicator(special),
            },
        }?;
        Some(to_ratatui(style)).filter(|s| *s != Style::default())
    }
}

/// The bits of a listing's permissions (`rwsr-xr-x`, or with the type letter in front).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Mode {
    exec: bool,
    setuid: bool,
    setgid: bool,
    sticky: bool,
    other_write: bool,
}

impl Mode {
    fn parse(perms: &str) -> Option<Mode> {
        let b = perms.as_bytes();
        let b = match b.len() {
            9 => b,
            10 => &b[1..],
            _ => return None,
        };
        Some(Mode {
            exec: [b[2], b[5], b[8]]
                .iter()
                .any(|c| matches!(c, b'x' | b's' | b't')),
            setuid: matches!(b[2], b's' | b'S'),
            setgid: matches!(b[5], b's' | b'S'),
            sticky: matches!(b[8], b't' | b'T'),
            other_write: b[7] == b'w',
        })
    }
}

/// As `lscolors` classifies a regular file by its mode: the first of `su`, `sg`, `ex` that is
/// set and applies, else a regular file (then its name's suffix decides).
fn file_indicator(ls: &LsColors, mode: Option<Mode>) -> Indicator {
    let Some(m) = mode else {
        return Indicator::RegularFile;
    };
    let set = |i| ls.has_explicit_style_for(i);
    if set(Indicator::Setuid) && m.setuid {
        Indicator::Setuid
    } else if set(Indicator::Setgid) && m.setgid {
        Indicator::Setgid
    } else if set(Indicator::ExecutableFile) && m.exec {
        Indicator::ExecutableFile
    } else {
        Indicator::RegularFile
    }
}

/// As `lscolors` classifies a directory by its mode: `tw`, `ow`, `st`, else `di`.
fn dir_indicator(ls: &LsColors, mode: Option<Mode>) -> Indicator {
    let Some(m) = mode else {
        return Indicator::Directory;
    };
    let set = |i| ls.has_explicit_style_for(i);
    if set(Indicator::StickyAndOtherWritable) && m.sticky && m.other_write {
        Indicator::StickyAndOtherWritable
    } else if set(Indicator::OtherWritable) && m.other_write {
        Indicator::OtherWritable
    } else if set(Indicator::Sticky) && m.sticky {
        Indicator::Sticky
    } else {
        Indicator::Directory
    }
}

fn color(c: lscolors::Color) -> Color {
    use lscolors::Color as L;
    match c {
        L::Black => Color::Black,
        L::Red => Color::Red,
        L::Green => Color::Green,
        L::Yellow => Color::Yellow,
        L::Blue => Color::Blue,
        L::Magenta => Color::Magenta,
        L::Cyan => Color::Cyan,
        L::White => Color::Gray,
        L::BrightBlack => Color::DarkGray,
        L::BrightRed => Color::LightRed,
        L::BrightGreen => Color::LightGreen,
        L::BrightYellow => Color::LightYellow,
        L::BrightBlue => Color::LightBlue,
        L::BrightMagenta => Color::LightMagenta,
        L::BrightCyan => Color::LightCyan,
        L::BrightWhite => Color::White,
        L::Fixed(n) => Color::Indexed(n),
        L::RGB(r, g, b) => Color::Rgb(r, g, b),
    }
}

/// The same style in ratatui's terms. "Hidden" (`8`) is left out: a name stays readable.
fn to_ratatui(s: &lscolors::Style) -> Style {
    let mut out = Style::default();
    if let Some(c) = s.foreground {
        out = out.fg(color(c));
    }
    if let Some(c) = s.background {
        out = out.bg(color(c));
    }
    let f = s.font_style;
    for (on, m) in [
        (f.bold, Modifier::BOLD),
        (f.dimmed, Modifier::DIM),
        (f.italic, Modifier::ITALIC),
        (f.underline, Modifier::UNDERLINED),
        (f.slow_blink, Modifier::SLOW_BLINK),
        (f.rapid_blink, Modifier::RAPID_BLINK),
        (f.reverse, Modifier::REVERSED),
        (f.strikethrough, Modifier::CROSSED_OUT),
    ] {
        if on {
            out = out.add_modifier(m);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const LS: &str = "di=01;34:ln=01;36:ex=01;32:*.tar=01;31:*.rs=38;5;208";

    fn file(name: &str, perms: &str) -> Entry {
        let mut e = Entry::new(name, EntryKind::File);
        e.perms = Some(perms.into());
        e
    }

    fn bold(c: Color) -> Style {
        Style::default().fg(c).add_modifier(Modifier::BOLD)
    }

    #[test]
    fn kinds_modes_and_suffixes() {
        let n = NameColors::parse(LS);
        let dir = Entry::new("src", EntryKind::Dir);
        assert_eq!(n.style(&dir), Some(bold(Color::Blue)));
        assert_eq!(
            n.style(&Entry::new("l", EntryKind::Symlink)),
            Some(bold(Color::Cyan))
        );
        let mut dir_link = dir.clone();
        dir_link.link_target = Some("elsewhere".into());
        assert_eq!(n.style(&dir_link), Some(bold(Color::Cyan)));
        assert_eq!(n.style(&file("a.tar", "rw-r--r--")), Some(bold(Color::Red)));
        assert_eq!(
            n.style(&file("main.rs", "rw-r--r--")),
            Some(Style::default().fg(Color::Indexed(208)))
        );
        // Executable by any x, s or t column; an executable's mode wins over its suffix.
        for perms in [
            "rwxr-xr-x",
            "-rwsr-xr-x",
            "rw-r-s---",
            "rw-rw-rwt",
            "rw-r--r-x",
        ] {
            assert_eq!(
                n.style(&file("run.tar", perms)),
                Some(bold(Color::Green)),
                "{perms}"
            );
        }
        for perms in ["rwSr--r--", "rw-r--r-T", "garbage", ""] {
            assert_eq!(
                n.style(&file("plain", perms)),
                None,
                "{perms}: no style, the theme's"
            );
        }
        assert_eq!(n.style(&Entry::new("x", EntryKind::Unknown)), None);
    }

    #[test]
    fn special_modes_and_fallbacks() {
        let n = NameColors::parse("su=37;41:sg=30;43:tw=30;42:ow=34;42:st=37;44:fi=33");
        let colours = |fg, bg| Style::default().fg(fg).bg(bg);
        assert_eq!(
            n.style(&file("x", "rwsr-sr-x")),
            Some(colours(Color::Gray, Color::Red))
        );
        assert_eq!(
            n.style(&file("x", "rwxr-sr-x")),
            Some(colours(Color::Black, Color::Yellow))
        );
        assert_eq!(
            n.style(&file("x", "rwxr-xr-x")),
            Some(Style::default().fg(Color::Yellow)),
            "no ex: a regular file"
        );
        let dir = |perms: &str| {
            let mut e = Entry::new("d", EntryKind::Dir);
            e.perms = Some(perms.into());
            n.style(&e)
        };
        assert_eq!(dir("rwxrwxrwt"), Some(colours(Color::Black, Color::Green)));
        assert_eq!(dir("rwxrwxrwx"), Some(colours(Color::Blue, Color::Green)));
        assert_eq!(dir("rwxr-xr-t"), Some(colours(Color::Gray, Color::Blue)));
        assert_eq!(dir("rwxr-xr-x"), None, "no di: the theme's");
    }

    #[test]
    fn colours_and_modifiers_convert() {
        let n = NameColors::parse(
            "*.a=38;2;1;2;3;48;5;17:*.b=2;3;4;5;7;9:*.c=90;107:*.d=8;31:*.e=1;0;35",
        );
        let s = |name: &str| n.style(&Entry::new(name, EntryKind::File));
        assert_eq!(
            s("x.a"),
            Some(
                Style::default()
                    .fg(Color::Rgb(1, 2, 3))
                    .bg(Color::Indexed(17))
            )
        );
        let all = Modifier::DIM
            | Modifier::ITALIC
            | Modifier::UNDERLINED
            | Modifier::SLOW_BLINK
            | Modifier::REVERSED
            | Modifier::CROSSED_OUT;
        assert_eq!(s("x.b"), Some(Style::default().add_modifier(all)));
        assert_eq!(
            s("x.c"),
            Some(Style::default().fg(Color::DarkGray).bg(Color::White))
        );
        assert_eq!(
            s("x.d"),
            Some(Style::default().fg(Color::Red)),
            "hidden is left out"
        );
        assert_eq!(s("x.e"), Some(Style::default().fg(Color::Magenta)));
    }

    #[test]
    fn empty_garbage_or_disabled_values_give_no_style() {
        let entries = [
            Entry::new("src", EntryKind::Dir),
            Entry::new("l", EntryKind::Symlink),
            file("run", "rwxr-xr-x"),
            file("a.tar", "rw-r--r--"),
        ];
        for value in [
            "",
            "  ",
            "garbage",
            "di",
            "=:::=",
            "di=zz;1:*=",
            "\u{1b}[31m",
            "ex=999",
            "ln=38;5:di=1;0:*.tar=8",
        ] {
            let n = NameColors::parse(value);
            for e in &entries {
                assert_eq!(n.style(e), None, "{value:?} {}", e.name);
            }
        }
        assert!(!NameColors::parse("").is_active());
        assert!(NameColors::for_settings(true, Some(LS)).is_active());
        assert!(!NameColors::for_settings(false, Some(LS)).is_active());
        assert!(!NameColors::for_settings(true, None).is_active());
    }
}
