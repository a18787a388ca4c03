//! Property tests for every parser of text a user types or configures: permission modes, glob
//! patterns, the pane filter, URLs, port ranges, key names, config files, bookmark files,
//! theme colours and overwrite policies. None may panic on any input, and each accepts exactly
//! what it documents.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ftpdeck::app::dialog::glob_match;
use ftpdeck::app::keymap::{KeySpec, parse_key};
use ftpdeck::app::pane::match_rank;
use ftpdeck::bookmarks::{self, LoadError};
use ftpdeck::cli::{parse_port_range, parse_url};
use ftpdeck::remote::Security;
use ftpdeck::remote::fileops::parse_mode;
use ftpdeck::theme::Theme;
use ftpdeck::transfer::Resolution;
use proptest::prelude::*;
use ratatui::style::Color;

use super::{config, wild_char, wild_string};

/// Characters whose case mapping is not one-to-one (final sigma, dotted I, sharp s, Kelvin
/// sign), next to ordinary letters and the glob metacharacters.
fn case_char() -> impl Strategy<Value = char> {
    prop_oneof![
        3 => wild_char(),
        3 => prop::sample::select(vec![
            'a', 'A', 'b', 'B', 'z', 'Z', '.', '*', '?', 'Σ', 'σ', 'ς', 'İ', 'ı', 'i', 'I', 'ß',
            'ẞ', '\u{212A}', 'k', 'K', 'Ω', '\u{2126}', 'é', 'É', '日', '🦀', '\u{301}',
        ]),
    ]
}

fn case_string(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(case_char(), 0..max).prop_map(|v| v.into_iter().collect())
}

// ---------------------------------------------------------------------------------------------
// Permission modes

/// What `parse_mode` promises: 1–4 octal digits, or the nine rwx characters (optionally after
/// one file-type character), around blanks.
fn reference_mode(s: &str) -> Option<u32> {
    let t = s.trim();
    let chars: Vec<char> = t.chars().collect();
    if (1..=4).contains(&chars.len()) && chars.iter().all(|c| ('0'..='7').contains(c)) {
        return u32::from_str_radix(t, 8).ok();
    }
    // The ten-character `ls -l` form starts with a file type character.
    let perms = match chars.len() {
        9 => &chars[..],
        10 if "-dlbcps".contains(chars[0]) => &chars[1..],
        _ => return None,
    };
    let mut mode = 0;
    for (i, &c) in perms.iter().enumerate() {
        if c == ['r', 'w', 'x'][i % 3] {
            mode |= 1 << (8 - i);
        } else if c != '-' {
            return None;
        }
    }
    Some(mode)
}

fn mode_text() -> impl Strategy<Value = String> {
    let perm = prop::sample::select(vec!['r', 'w', 'x', '-', 'r', 'w', 'x', '-', 'z', 'é']);
    prop_oneof![
        2 => wild_string(14),
        2 => "[0-9]{0,6}",
        3 => (prop::option::of(wild_char()), prop::collection::vec(perm, 8..11))
            .prop_map(|(kind, p)| kind.into_iter().chain(p).collect()),
        // A well-formed mode after a multi-byte first character.
        1 => (wild_char(), 0u32..0o1000).prop_map(|(c, m)| format!("{c}{}", rwx(m))),
        1 => (0u32..0o1000, "[ \t]{0,2}", "[ \t]{0,2}")
            .prop_map(|(m, a, b)| format!("{a}{}{b}", rwx(m))),
    ]
}

fn rwx(mode: u32) -> String {
    (0..9)
        .map(|i| {
            if mode & (1 << (8 - i)) != 0 {
                ['r', 'w', 'x'][i % 3]
            } else {
                '-'
            }
        })
        .collect()
}

proptest! {
    #![proptest_config(config(2048))]

    #[test]
    fn parse_mode_accepts_exactly_octal_and_rwx_modes(s in mode_text()) {
        let got = parse_mode(&s).ok();
        prop_assert_eq!(got, reference_mode(&s), "{:?}", s);
    }

    #[test]
    fn parse_mode_reads_back_every_rwx_and_octal_mode(
        mode in 0u32..0o1000,
        kind in prop::sample::select(vec!['-', 'd', 'l', 'b', 'c', 'p', 's']),
    ) {
        prop_assert_eq!(parse_mode(&rwx(mode)), Ok(mode));
        prop_assert_eq!(parse_mode(&format!("{kind}{}", rwx(mode))), Ok(mode));
        prop_assert_eq!(parse_mode(&format!("{mode:o}")), Ok(mode));
        prop_assert_eq!(parse_mode(&format!("{mode:04o}")), Ok(mode));
    }
}

// ---------------------------------------------------------------------------------------------
// Glob patterns and the filter

/// Turn `name` into a pattern that must match it: some characters become `?`, some runs `*`.
fn pattern_from(name: &str, marks: &[u8]) -> String {
    let mut out = String::new();
    let mut in_star = false;
    for (i, c) in name.chars().enumerate() {
        match marks.get(i).copied().unwrap_or(0) % 6 {
            0 => out.push('?'),
            1 => {
                if !in_star {
                    out.push('*');
                }
                in_star = true;
                continue;
            }
            _ => out.push(c),
        }
        in_star = false;
    }
    out
}

fn is_subsequence(pattern: &str, name: &str) -> bool {
    let mut it = name.chars();
    pattern.chars().all(|p| it.any(|c| c == p))
}

proptest! {
    #![proptest_config(config(2048))]

    #[test]
    fn glob_matches_what_its_wildcards_cover(
        name in case_string(24),
        marks in prop::collection::vec(any::<u8>(), 24),
        other in case_string(24),
    ) {
        prop_assert!(glob_match("*", &name));
        prop_assert!(glob_match(&name.replace(['*', '?'], "?"), &name), "{:?}", name);
        let pattern = pattern_from(&name, &marks);
        prop_assert!(glob_match(&pattern, &name), "{:?} should match {:?}", pattern, name);
        let (prefix, suffix) = (format!("{pattern}*"), format!("*{pattern}"));
        let (longer, earlier) = (format!("{name}{other}"), format!("{other}{name}"));
        prop_assert!(glob_match(&prefix, &longer), "{:?} should match {:?}", prefix, longer);
        prop_assert!(glob_match(&suffix, &earlier), "{:?} should match {:?}", suffix, earlier);
        // Case does not matter, character by character.
        let upper: String = name.chars().map(|c| c.to_uppercase().next().unwrap_or(c)).collect();
        if upper.chars().count() == name.chars().count() && !name.contains(['*', '?']) {
            let folds = name.chars().zip(upper.chars()).all(|(a, b)| {
                a == b || b.to_lowercase().eq(a.to_lowercase())
            });
            if folds {
                prop_assert!(glob_match(&upper, &name), "{:?} vs {:?}", upper, name);
            }
        }
        // Without wildcards, a pattern matches only a name of the same length.
        if !other.contains(['*', '?']) && glob_match(&other, &name) {
            prop_assert_eq!(other.chars().count(), name.chars().count(), "{:?} {:?}", other, name);
        }
        // One `?` per character: a pattern of n question marks matches names of n characters.
        let n = name.chars().count();
        prop_assert!(glob_match(&"?".repeat(n), &name));
        prop_assert!(!glob_match(&"?".repeat(n + 1), &name));
    }

    #[test]
    fn match_rank_is_substring_then_subsequence(pattern in case_string(8), name in case_string(24)) {
        let want = if name.contains(&pattern) {
            Some(0)
        } else if is_subsequence(&pattern, &name) {
            Some(1)
        } else {
            None
        };
        prop_assert_eq!(match_rank(&pattern, &name), want);
    }
}

// ---------------------------------------------------------------------------------------------
// URLs and port ranges

/// Percent-encode everything but unreserved ASCII.
fn encode(s: &str) -> String {
    ftpdeck::cli::url_user(s)
}

#[derive(Debug, Clone)]
struct UrlParts {
    tls: bool,
    scheme_upper: bool,
    user: Option<(String, Option<String>)>,
    host: String,
    port: Option<u16>,
    segments: Vec<String>,
}

fn url_parts() -> impl Strategy<Value = UrlParts> {
    let host = prop_oneof![
        "[a-z0-9][a-z0-9.-]{0,20}",
        Just("::1".to_string()),
        "[0-9a-f:]{2,12}"
    ];
    let segment = prop::collection::vec(wild_char(), 1..12)
        .prop_map(|v| v.into_iter().filter(|&c| c != '/').collect::<String>())
        .prop_filter("not empty", |s| !s.is_empty());
    (
        any::<bool>(),
        any::<bool>(),
        prop::option::of((wild_string(10), prop::option::of(wild_string(10)))),
        host,
        prop::option::of(any::<u16>()),
        prop::collection::vec(segment, 0..4),
    )
        .prop_map(|(tls, scheme_upper, user, host, port, segments)| UrlParts {
            tls,
            scheme_upper,
            user,
            host,
            port,
            segments,
        })
}

impl UrlParts {
    fn text(&self, trailing_slash: bool) -> String {
        let scheme = match (self.tls, self.scheme_upper) {
            (false, false) => "ftp://",
            (false, true) => "FTP://",
            (true, false) => "ftps://",
            (true, true) => "FtPs://",
        };
        let user = match &self.user {
            None => String::new(),
            Some((u, None)) => format!("{}@", encode(u)),
            Some((u, Some(p))) => format!("{}:{}@", encode(u), encode(p)),
        };
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        let port = self.port.map(|p| format!(":{p}")).unwrap_or_default();
        let path: String = self
            .segments
            .iter()
            .map(|s| format!("/{}", encode(s)))
            .collect();
        let slash = if trailing_slash { "/" } else { "" };
        format!("{scheme}{user}{host}{port}{path}{slash}")
    }
}

proptest! {
    #![proptest_config(config(2048))]

    #[test]
    fn parse_url_reads_back_every_part(parts in url_parts(), trailing_slash in any::<bool>()) {
        let url = parts.text(trailing_slash);
        let p = parse_url(&url).map_err(|e| TestCaseError::fail(format!("{url:?}: {e}")))?;
        prop_assert_eq!(&p.host, &parts.host);
        let port = parts.port.unwrap_or(21);
        prop_assert_eq!(p.port, port);
        let security = match (parts.tls, port) {
            (false, _) => Security::Plain,
            (true, 990) => Security::ImplicitTls,
            (true, _) => Security::ExplicitTls,
        };
        prop_assert_eq!(p.security, security);
        match &parts.user {
            None => prop_assert_eq!(p.user.as_str(), "anonymous"),
            Some((u, pass)) => {
                prop_assert_eq!(&p.user, u);
                prop_assert_eq!(p.password.as_ref().map(|s| s.expose().to_string()), pass.clone());
            }
        }
        // RFC 1738: the path is relative to the login directory; `ftp://host/` is that
        // directory itself.
        let path: Vec<&str> = parts.segments.iter().map(String::as_str).collect();
        prop_assert_eq!(p.path, path.join("/"), "{:?}", url);
    }

    #[test]
    fn parse_url_never_panics_and_needs_a_scheme_and_host(s in prop_oneof![
        wild_string(40),
        (prop::sample::select(vec!["ftp://", "FTPS://", "ftp:/", "http://", "ftp://é"]), wild_string(30))
            .prop_map(|(a, b)| format!("{a}{b}")),
    ]) {
        if let Ok(p) = parse_url(&s) {
            let lower = s.to_lowercase();
            prop_assert!(lower.starts_with("ftp://") || lower.starts_with("ftps://"), "{:?}", s);
            prop_assert!(!p.host.is_empty(), "{:?}", s);
        }
    }

    #[test]
    fn parse_port_range_accepts_exactly_first_to_last(
        a in any::<u16>(),
        b in any::<u16>(),
        pad in prop::sample::select(vec!["", " ", "  ", "\t"]),
        junk in wild_string(12),
    ) {
        let got = parse_port_range(&format!("{pad}{a}{pad}-{pad}{b}{pad}"));
        if a == 0 || a > b {
            prop_assert!(got.is_err(), "{}-{} accepted", a, b);
        } else {
            prop_assert_eq!(got, Ok(a..=b));
        }
        if let Ok(r) = parse_port_range(&junk) {
            prop_assert!(*r.start() >= 1 && r.start() <= r.end(), "{:?} -> {:?}", junk, r);
            let (x, y) = junk.split_once('-').expect("a range has a dash");
            prop_assert_eq!(x.trim().parse::<u16>().ok(), Some(*r.start()));
            prop_assert_eq!(y.trim().parse::<u16>().ok(), Some(*r.end()));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Key names

fn key_text() -> impl Strategy<Value = String> {
    let prefix = prop::sample::select(vec![
        "",
        "ctrl-",
        "C-",
        "alt-",
        "M-",
        "shift-",
        "Ctrl-Alt-",
        "shift-ctrl-",
    ]);
    let name = prop_oneof![
        3 => wild_char().prop_map(String::from),
        2 => prop::sample::select(vec![
            "enter", "Esc", "TAB", "backtab", "space", "backspace", "del", "Insert", "home", "end",
            "pgup", "PageDown", "up", "down", "left", "right", "f0", "F1", "f12", "f24", "f25",
            "f255", "f256", "F-1", "fé", "", "-", "ctrl-", "shift-", "é",
        ]).prop_map(str::to_string),
        1 => wild_string(8),
    ];
    (prefix, name).prop_map(|(p, n)| format!("{p}{n}"))
}

proptest! {
    #![proptest_config(config(2048))]

    /// Every key a config can name is one that a key press produces (else the binding is dead).
    #[test]
    fn parsed_keys_are_keys_a_press_can_produce(s in key_text()) {
        if let Ok(spec) = parse_key(&s) {
            let press = KeySpec::of(&KeyEvent::new(spec.code, spec.mods));
            prop_assert_eq!(press, spec, "{:?}", s);
        }
    }

    #[test]
    fn single_characters_and_function_keys_parse(c in wild_char(), n in 0u8..=255) {
        prop_assert_eq!(parse_key(&c.to_string()), Ok(KeySpec { code: KeyCode::Char(c), mods: KeyModifiers::NONE }));
        let ctrl = parse_key(&format!("ctrl-{c}"));
        prop_assert_eq!(ctrl, Ok(KeySpec { code: KeyCode::Char(c.to_ascii_lowercase()), mods: KeyModifiers::CONTROL }));
        let f = parse_key(&format!("F{n}"));
        if (1..=24).contains(&n) {
            prop_assert_eq!(f, Ok(KeySpec { code: KeyCode::F(n), mods: KeyModifiers::NONE }));
        } else {
            prop_assert!(f.is_err(), "F{} accepted", n);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Config and bookmark files

/// A TOML basic string holding `s`.
fn toml_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn toml_value() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => wild_string(12).prop_map(|s| toml_str(&s)),
        2 => any::<i64>().prop_map(|n| n.to_string()),
        1 => any::<bool>().prop_map(|b| b.to_string()),
        1 => wild_string(6),
        2 => prop::sample::select(vec![
            "\"overwrite-if-newer\"", "\"ask\"", "\"light\"", "\"#a0b0c0\"", "\"red\"",
            "\"copy\"", "\"quit\"", "0", "17", "3", "[]", "{}", "\"ctrl-é\"",
        ]).prop_map(str::to_string),
    ]
}

fn config_text() -> impl Strategy<Value = String> {
    let section = prop::sample::select(vec!["transfers", "network", "ui", "theme", "keys", "é"]);
    let key = prop_oneof![
        3 => prop::sample::select(vec![
            "parallel", "overwrite", "retries", "buffer_kib", "connect_timeout", "read_timeout",
            "keepalive", "mlsd", "mouse", "show_hidden", "name", "dir", "accent", "ok",
            "\"ctrl-d\"", "\"F5\"", "\"é\"", "\"shift-tab\"",
        ]).prop_map(str::to_string),
        1 => wild_string(6).prop_map(|s| toml_str(&s)),
    ];
    let line = prop_oneof![
        1 => section.prop_map(|s| format!("[{s}]")),
        4 => (key, toml_value()).prop_map(|(k, v)| format!("{k} = {v}")),
        1 => wild_string(20),
    ];
    prop::collection::vec(line, 0..12).prop_map(|l| l.join("\n"))
}

/// `origin:LINE: ...` with LINE within the text (0 when it cannot be told).
fn problem_line(problem: &str, origin: &str) -> Option<usize> {
    problem
        .strip_prefix(origin)?
        .strip_prefix(':')?
        .split(':')
        .next()?
        .parse()
        .ok()
}

proptest! {
    #![proptest_config(config(1024))]

    #[test]
    fn config_text_gives_sane_settings_and_placed_problems(text in prop_oneof![config_text(), wild_string(80)]) {
        let (cfg, problems) = ftpdeck::config::parse(&text, "cfg");
        let (t, n) = (&cfg.transfers, &cfg.network);
        prop_assert!((1..=16).contains(&t.parallel));
        prop_assert!(t.retries <= 20);
        prop_assert!((4..=16 * 1024).contains(&t.buffer_kib));
        prop_assert!(n.connect_timeout >= 1 && n.read_timeout >= 1 && n.keepalive >= 5);
        let lines = text.split('\n').count();
        for p in &problems {
            let line = problem_line(p, "cfg");
            prop_assert!(matches!(line, Some(n) if n <= lines), "{:?} in {:?}", p, text);
        }
    }
}

fn bookmark_text() -> impl Strategy<Value = (String, Vec<String>)> {
    let field = prop_oneof![
        prop::sample::select(vec![
            "host",
            "user",
            "remote_dir",
            "local_dir",
            "note",
            "pinned_cert",
            "password_cmd"
        ])
        .prop_flat_map(|k| wild_string(12).prop_map(move |v| format!("{k} = {}", toml_str(&v)))),
        prop::sample::select(vec![
            "port = 2121",
            "port = 70000",
            "security = \"implicit\"",
            "security = \"é\"",
            "data_mode = \"active\"",
            "password = \"saved\"",
            "password = \"hunter2\"",
            "trust_pasv_address = true",
            "colour = 1",
        ])
        .prop_map(str::to_string),
    ];
    let bookmark = (wild_string(10), prop::collection::vec(field, 0..5));
    prop::collection::vec(bookmark, 0..4).prop_map(|bs| {
        let names = bs.iter().map(|(n, _)| n.clone()).collect();
        let text = bs
            .iter()
            .map(|(name, fields)| {
                format!(
                    "[[bookmark]]\nname = {}\nhost = \"h\"\n{}\n",
                    toml_str(name),
                    fields.join("\n")
                )
            })
            .collect();
        (text, names)
    })
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn bookmark_files_load_or_say_which_line(
        (text, names) in bookmark_text(),
        raw in prop::collection::vec(any::<u8>(), 0..64),
        use_raw in any::<bool>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bookmarks.toml");
        let bytes = if use_raw { raw } else { text.into_bytes() };
        std::fs::write(&path, &bytes).unwrap();
        let lines = bytes.split(|&b| b == b'\n').count();
        match bookmarks::load(&path) {
            Ok(store) => {
                if !use_raw {
                    let got: Vec<_> = store.bookmarks.iter().map(|b| b.name.clone()).collect();
                    prop_assert_eq!(got, names);
                }
                // What loads saves and loads back the same.
                let again = dir.path().join("again.toml");
                bookmarks::save(&again, &store).unwrap();
                prop_assert_eq!(bookmarks::load(&again).unwrap(), store);
            }
            Err(LoadError::Parse { line, message, .. }) => {
                prop_assert!((1..=lines).contains(&line), "line {} of {}: {}", line, lines, message);
                prop_assert!(!message.contains("hunter2"), "the message echoes a password: {}", message);
            }
            Err(e) => prop_assert!(false, "{}", e),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Theme colours and overwrite policies

const ROLES: [&str; 9] = [
    "accent",
    "dim",
    "dir",
    "symlink",
    "highlight",
    "marked",
    "error",
    "ok",
    "badge_text",
];

fn colour_of(t: &Theme, role: &str) -> Color {
    match role {
        "accent" => t.accent,
        "dim" => t.dim,
        "dir" => t.dir,
        "symlink" => t.symlink,
        "highlight" => t.highlight,
        "marked" => t.marked,
        "error" => t.error,
        "ok" => t.ok,
        "badge_text" => t.badge_text,
        _ => unreachable!("not a role: {role}"),
    }
}

proptest! {
    #![proptest_config(config(1024))]

    #[test]
    fn theme_colours_parse_hex_and_refuse_unknown_roles(
        role in prop_oneof![prop::sample::select(ROLES.to_vec()).prop_map(str::to_string), wild_string(8)],
        rgb in any::<(u8, u8, u8)>(),
        value in prop_oneof![wild_string(10), "#[0-9a-fA-F]{0,8}", Just("lightblue".to_string())],
    ) {
        let known = ROLES.contains(&role.as_str());
        let mut theme = Theme::dark();
        let hex = format!("#{:02x}{:02x}{:02X}", rgb.0, rgb.1, rgb.2);
        prop_assert_eq!(theme.set(&role, &hex).is_ok(), known);
        if known {
            prop_assert_eq!(colour_of(&theme, &role), Color::Rgb(rgb.0, rgb.1, rgb.2));
        }
        let before = theme;
        if theme.set(&role, &value).is_err() {
            prop_assert_eq!(theme, before, "a refused colour changes nothing");
        } else {
            prop_assert!(known);
        }
    }

    #[test]
    fn overwrite_policies_parse_in_any_case_and_spelling(
        which in 0..Resolution::ALL.len(),
        upper in prop::collection::vec(any::<bool>(), 20),
        sep in prop::sample::select(vec!["-", "_", " "]),
        pad in prop::sample::select(vec!["", " ", "\t"]),
        junk in wild_string(20),
    ) {
        let r = Resolution::ALL[which];
        let spelled: String = r.label().replace(' ', sep).chars().zip(upper.iter().cycle())
            .map(|(c, &u)| if u { c.to_ascii_uppercase() } else { c })
            .collect();
        prop_assert_eq!(Resolution::parse(&format!("{pad}{spelled}{pad}")), Some(r));
        if let Some(got) = Resolution::parse(&junk) {
            let norm = junk.trim().to_ascii_lowercase().replace(['_', ' '], "-");
            prop_assert_eq!(norm, got.label().replace(' ', "-"));
        }
    }
}
