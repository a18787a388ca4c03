//! Property tests: the listing parsers and the name sanitisers never panic and keep their
//! promises on any input, and connecting to a server that answers with arbitrary reply lines
//! always comes back (Ok or Err) within the timeouts.
//!
//! Case counts are chosen to keep the whole file at a few seconds in a debug build.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may stop at the first surprise

mod fake;
mod strategies;
#[path = "proptest_parsers/typed.rs"]
mod typed;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use fake::{At, FakeServer};
use ftpdeck::entry::{Entry, EntryKind};
use ftpdeck::remote::connect::{self, Profile, Secret, Timeouts};
use ftpdeck::remote::listing::{ListingFormat, parse_list_line, parse_listing, parse_mlsd_line};
use ftpdeck::sanitize::{display_name, local_component};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use strategies::{config, wild_char, wild_string};

/// "Mon DD HH:MM" dates may lie this far in the future before they move to the year before.
const FUTURE_SLACK: i64 = 3 * 86_400;
/// 1950-01-01 .. 2150-01-01: a wide range of plausible "now" values.
const NOW_RANGE: std::ops::Range<i64> = -631_152_000..5_680_281_600;
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

// ---------------------------------------------------------------------------------------------
// Strategies

/// Lines built from the pieces real listings are made of, so that the parsers get deep into
/// their branches (a perms field, a date, a size...) before meeting something odd.
fn token_line() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        6 => prop::sample::select(vec![
            "-rw-r--r--", "drwxr-xr-x", "lrwxrwxrwx", "crw-rw-rw-", "brw-rw----", "-rwsr-sr-T.",
            "drwxr-xr-x+", "?---------", "total", "1", "0", "12", "1,", "4096",
            "18446744073709551615", "18446744073709551616", "99999999999999999999", "Jan",
            "feb", "DEC", "Feb", "0", "00", "29", "31", "32", "2020", "0000", "9999", "10000",
            "10:00", "23:59:60", "24:00", "9:05", "99:99", "1:2", "2024-02-29", "2023-02-29",
            "01-02-23", "12/31/1999", "13-45-23", "03:04PM", "12:15AM", "13:04PM", "AM", "pm",
            "<DIR>", "<dir>", "->", "type=file;", "type=dir;", "type=cdir;", "type=pdir;",
            "size=1;", "sizd=4096;", "modify=20240102030405;", "modify=20240102030405.;",
            "modify=99999999999999;", "unix.mode=07777;", "unix.mode=99;",
            "type=OS.unix=slink:", "type=OS.unix=symlink;", ";", "=", ".", "..", "é", "🦀",
            "\u{1b}[31m", "\0", "\r", "\n",
        ]).prop_map(str::to_string),
        1 => wild_string(12),
    ];
    let sep = prop::sample::select(vec![" ", " ", " ", "  ", "\t", "", "; "]);
    prop::collection::vec((token, sep), 0..14).prop_map(|parts| {
        parts
            .into_iter()
            .flat_map(|(t, s)| [t, s.to_string()])
            .collect()
    })
}

/// Any listing line: wild text, structured junk, or one of the lines a listing may drop.
fn listing_line() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => wild_string(80),
        4 => token_line(),
        1 => prop::sample::select(vec![
            "", " ", "\t", "\r", "\r\n", "\n", "total 12", "TOTAL 0", "total 12 x", "total x",
            " total  3\r\n", ".", "..",
            "drwxr-xr-x 2 u g 4096 Jan 02 2023 .",
            "drwxr-xr-x 9 u g 4096 Jan 02 10:00 ..",
            "drwxr-xr-x 2 u g 4096 Jan 02 2023 ...",
            "-rw-r--r-- 1 u g 5 Jan 02 2023 .\r\n",
            "type=cdir;sizd=4096; /home/u", "TYPE=PDIR; ..", "type=dir; .", "type=dir; ..",
            " type=file;size=1; .", "type=file;size=2; ...", "type=cdir;type=file; x",
            "01-02-23  03:04PM       <DIR>          .",
        ]).prop_map(str::to_string),
    ]
}

fn file_name_chars(max: usize) -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[a-zA-Z0-9._-]{1,24}",
        // Spaces anywhere, runs of them, leading and trailing.
        3 => " {0,2}[a-z0-9]{1,6}( {1,3}[a-zA-Z0-9.]{1,6}){0,4} {0,2}",
        // Unicode and control characters, kept raw.
        3 => prop::collection::vec(wild_char(), 1..max).prop_map(|v| v.into_iter().collect()),
        1 => prop::sample::select(vec![
            ".", "..", "...", "-", "->", "a -> b", "\u{1b}[2J\u{1b}[H", "日本語 ファイル.txt",
            "🦀 crab", "name\0nul", "tab\there", "semi;colon; x", "Jan 02 2020 x",
            "-rw-r--r-- 1 u g 1 Jan 1 2020 inner",
        ]).prop_map(str::to_string),
    ]
    // A line end at the very end is the line's, not the name's.
    .prop_filter("no trailing line end", |n| !n.ends_with(['\r', '\n']))
}

#[derive(Debug, Clone)]
enum DateForm {
    /// "Mon DD YYYY".
    Year { y: i32, m: u32, d: u32 },
    /// "Mon DD HH:MM", year inferred from "now".
    Time { m: u32, d: u32, h: u32, mi: u32 },
    /// "YYYY-MM-DD HH:MM".
    Iso {
        y: i32,
        m: u32,
        d: u32,
        h: u32,
        mi: u32,
    },
}

#[derive(Debug, Clone)]
struct UnixLine {
    kind: char,
    perms: String,
    suffix: &'static str,
    links: Option<u32>,
    owner: String,
    group: Option<String>,
    size: u64,
    date: DateForm,
    /// Padding between fields (ls aligns columns).
    pad: [usize; 4],
    name: String,
    target: Option<String>,
}

impl UnixLine {
    fn text(&self) -> String {
        let sp = |n: usize| " ".repeat(n);
        let mut s = format!("{}{}{}", self.kind, self.perms, self.suffix);
        if let Some(l) = self.links {
            s += &format!("{}{l}", sp(self.pad[0]));
        }
        s += &format!("{}{}", sp(self.pad[1]), self.owner);
        if let Some(g) = &self.group {
            s += &format!("{}{g}", sp(self.pad[1]));
        }
        s += &format!("{}{}{}", sp(self.pad[2]), self.size, sp(self.pad[3]));
        s += &match self.date {
            DateForm::Year { y, m, d } => {
                format!("{} {:>2}  {y}", MONTHS[m as usize - 1], d)
            }
            DateForm::Time { m, d, h, mi } => {
                format!("{} {d:02} {h:02}:{mi:02}", MONTHS[m as usize - 1])
            }
            DateForm::Iso { y, m, d, h, mi } => format!("{y:04}-{m:02}-{d:02} {h:02}:{mi:02}"),
        };
        // Exactly one blank after the date: everything after it is the name.
        s.push(' ');
        s += &self.name;
        if let Some(t) = &self.target {
            s += " -> ";
            s += t;
        }
        s
    }
}

fn unix_line() -> impl Strategy<Value = UnixLine> {
    let date = prop_oneof![
        (1970i32..2100, 1u32..=12, 1u32..=31).prop_map(|(y, m, d)| DateForm::Year { y, m, d }),
        (1u32..=12, 1u32..=28, 0u32..24, 0u32..60).prop_map(|(m, d, h, mi)| DateForm::Time {
            m,
            d,
            h,
            mi
        }),
        (1970i32..2100, 1u32..=12, 1u32..=31, 0u32..24, 0u32..60)
            .prop_map(|(y, m, d, h, mi)| DateForm::Iso { y, m, d, h, mi }),
    ];
    let perm_char = prop::sample::select(b"rwxsStTlL-".to_vec());
    let size = prop_oneof![any::<u64>(), 0u64..10_000, Just(u64::MAX), Just(0)];
    (
        (
            prop::sample::select(vec!['-', 'd', 'l']),
            prop::collection::vec(perm_char, 9),
            prop::sample::select(vec!["", "", "+", "@", "."]),
            prop::option::weighted(0.8, 1u32..100_000),
            "u[a-z0-9_]{0,8}",
            prop::option::weighted(0.8, "g[a-z0-9_]{0,8}"),
        ),
        (size, date, [1usize..4, 1..3, 1..8, 1..3]),
        (file_name_chars(24), file_name_chars(24)),
    )
        .prop_map(
            |((kind, perms, suffix, links, owner, group), (size, date, pad), (name, target))| {
                let perms = perms.into_iter().map(char::from).collect();
                let (name, target) = if kind == 'l' {
                    // A link's name ends at its first " -> ".
                    let name = match name.split_once(" -> ") {
                        Some((n, _)) if !n.is_empty() => n.to_string(),
                        Some(_) => "link".to_string(),
                        None => name,
                    };
                    // "a ->" followed by " -> " would also split early.
                    let whole = format!("{name} -> ");
                    let name = if whole.find(" -> ") == Some(name.len()) {
                        name
                    } else {
                        "link".to_string()
                    };
                    (name, Some(target))
                } else {
                    (name, None)
                };
                UnixLine {
                    kind,
                    perms,
                    suffix,
                    links,
                    owner,
                    group,
                    size,
                    date,
                    pad,
                    name,
                    target,
                }
            },
        )
}

// ---------------------------------------------------------------------------------------------
// Oracles

fn utc(y: i32, m: u32, d: u32, h: u32, mi: u32) -> Option<i64> {
    Some(
        chrono::NaiveDate::from_ymd_opt(y, m, d)?
            .and_hms_opt(h, mi, 0)?
            .and_utc()
            .timestamp(),
    )
}

/// The line without its line end (one `\n`, then one `\r`), as the parsers see it.
fn strip_eol(line: &str) -> &str {
    let line = line.strip_suffix('\n').unwrap_or(line);
    line.strip_suffix('\r').unwrap_or(line)
}

/// The `total N` header of `ls -l`: exactly two blank-separated words.
fn is_total(line: &str) -> bool {
    let words: Vec<&str> = line.split([' ', '\t']).filter(|w| !w.is_empty()).collect();
    words.len() == 2
        && words[0].eq_ignore_ascii_case("total")
        && words[1].starts_with(|c: char| c.is_ascii_digit())
}

/// An MLSD line whose facts say it is the listed directory or its parent.
fn is_mlsd_dot_dir(line: &str) -> bool {
    let line = line.strip_prefix(' ').unwrap_or(line);
    let facts = line.split_once("; ").map_or(line, |(f, _)| f);
    facts
        .split(';')
        .any(|f| f.eq_ignore_ascii_case("type=cdir") || f.eq_ignore_ascii_case("type=pdir"))
}

/// What `parse_listing` must make of one line: `None` when it may drop it, else the entry.
fn expected_entry(raw: &str, format: ListingFormat, now: i64) -> Option<Entry> {
    let line = strip_eol(raw);
    if line.trim_ascii().is_empty() {
        return None;
    }
    let dot = |e: &Entry| e.name == "." || e.name == "..";
    match format {
        ListingFormat::List => {
            if is_total(line) {
                return None;
            }
            let e = parse_list_line(line, now);
            (e.kind == EntryKind::Unknown || !dot(&e)).then_some(e)
        }
        ListingFormat::Mlsd => match parse_mlsd_line(raw) {
            Some(e) if dot(&e) || is_mlsd_dot_dir(line) => None,
            Some(e) => Some(e),
            None => Some(Entry::new(line, EntryKind::Unknown)),
        },
    }
}

// ---------------------------------------------------------------------------------------------
// Parsers

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn list_line_never_panics(line in prop_oneof![wild_string(200), token_line()], now in any::<i64>()) {
        let e = parse_list_line(&line, now);
        if e.kind == EntryKind::Unknown {
            // Unparseable lines are shown whole, never lost.
            prop_assert_eq!(e.name.as_str(), strip_eol(&line));
        } else {
            prop_assert!(!e.name.is_empty());
        }
    }

    #[test]
    fn mlsd_line_never_panics(line in prop_oneof![wild_string(200), token_line()]) {
        if let Some(e) = parse_mlsd_line(&line) {
            prop_assert!(!e.name.is_empty());
        }
        let _ = parse_mlsd_line(&format!(" {line}"));
    }

    #[test]
    fn listing_drops_only_blank_total_and_dot_lines(
        lines in prop::collection::vec(listing_line(), 0..24),
        now in NOW_RANGE,
        mlsd in any::<bool>(),
    ) {
        let format = if mlsd { ListingFormat::Mlsd } else { ListingFormat::List };
        let got = parse_listing(&lines, format, now);
        let want: Vec<Entry> = lines.iter().filter_map(|l| expected_entry(l, format, now)).collect();
        prop_assert_eq!(got.len(), want.len(), "lines: {:#?}", lines);
        prop_assert_eq!(got, want);
    }

    #[test]
    fn well_formed_unix_lines_keep_name_and_size(l in unix_line(), now in NOW_RANGE) {
        let text = l.text();
        let e = parse_list_line(&text, now);
        let kind = match l.kind {
            'd' => EntryKind::Dir,
            'l' => EntryKind::Symlink,
            _ => EntryKind::File,
        };
        prop_assert_eq!(e.kind, kind, "{:?}", text);
        // The name is kept raw: no trimming, no sanitising.
        prop_assert_eq!(&e.name, &l.name, "{:?}", text);
        prop_assert_eq!(e.size, Some(l.size), "{:?}", text);
        prop_assert_eq!(e.perms.as_deref(), Some(l.perms.as_str()));
        prop_assert_eq!(&e.link_target, &l.target);
        match l.date {
            DateForm::Year { y, m, d } => prop_assert_eq!(e.mtime, utc(y, m, d, 0, 0)),
            DateForm::Iso { y, m, d, h, mi } => prop_assert_eq!(e.mtime, utc(y, m, d, h, mi)),
            DateForm::Time { m, d, h, mi } => {
                let t = e.mtime.ok_or_else(|| TestCaseError::fail(format!("no date: {text:?}")))?;
                // The latest year that puts the date at most FUTURE_SLACK ahead of "now".
                let limit = now + FUTURE_SLACK;
                prop_assert!(t <= limit && t > limit - 366 * 86_400, "{} for now={}", t, now);
                let dt = chrono::DateTime::from_timestamp(t, 0).unwrap().naive_utc();
                let y = chrono::Datelike::year(&dt);
                prop_assert_eq!(Some(t), utc(y, m, d, h, mi));
            }
        }
        // The same line inside a listing, with a CRLF end, comes out the same.
        let listed = parse_listing(&[format!("{text}\r\n")], ListingFormat::List, now);
        if l.name != "." && l.name != ".." {
            prop_assert_eq!(listed, vec![e]);
        }
    }

    #[test]
    fn well_formed_mlsd_lines_keep_name_and_size(
        name in file_name_chars(24),
        size in any::<u64>(),
        dir in any::<bool>(),
        order in Just([0usize, 1, 2, 3]).prop_shuffle(),
        upper in any::<bool>(),
    ) {
        let ty = if dir { "type=dir" } else { "type=file" };
        let facts = [ty.to_string(), format!("size={size}"), "modify=20240102030405".into(), "UNIX.mode=0644".into()];
        let mut line: String = order.iter().map(|&i| format!("{};", facts[i])).collect();
        if upper {
            line = line.to_ascii_uppercase();
        }
        line += " ";
        line += &name;
        let e = parse_mlsd_line(&line).ok_or_else(|| TestCaseError::fail(format!("refused {line:?}")))?;
        prop_assert_eq!(&e.name, &name);
        prop_assert_eq!(e.size, Some(size));
        prop_assert_eq!(e.kind, if dir { EntryKind::Dir } else { EntryKind::File });
        prop_assert_eq!(e.mtime, Some(1_704_164_645));
        prop_assert_eq!(e.perms.as_deref(), Some("rw-r--r--"));
    }

    #[test]
    fn dos_lines_keep_raw_names(name in file_name_chars(24), size in any::<u64>(), dir in any::<bool>()) {
        let name = if name.trim_start_matches([' ', '\t']).is_empty() { format!("x{name}") } else { name };
        let line = if dir {
            format!("01-02-23  03:04PM       <DIR>          {}", name.trim_start_matches([' ', '\t']))
        } else {
            format!("2023-01-02  15:04 {size:>20} {name}")
        };
        let e = parse_list_line(&line, 0);
        if dir {
            prop_assert_eq!((e.kind, e.name.as_str()), (EntryKind::Dir, name.trim_start_matches([' ', '\t'])));
        } else {
            prop_assert_eq!((e.kind, &e.name, e.size), (EntryKind::File, &name, Some(size)), "{:?}", line);
        }
    }
}

proptest! {
    // Long lines cost more to generate than to parse: fewer cases.
    #![proptest_config(config(6))]

    #[test]
    fn long_lines_never_panic(
        body in prop::collection::vec(wild_char(), 5_000..30_000),
        prefix in prop::sample::select(vec!["", "-rw-r--r-- 1 u g 1 Jan 2 2020 ", "type=file;size=1; ", "01-02-23  03:04PM  12 "]),
        now in any::<i64>(),
    ) {
        let line: String = prefix.chars().chain(body).collect();
        let e = parse_list_line(&line, now);
        prop_assert!(!e.name.is_empty() || line.is_empty());
        let _ = parse_mlsd_line(&line);
        let many = line.split('\n').map(str::to_string).collect::<Vec<_>>();
        let _ = parse_listing(&many, ListingFormat::List, now);
        let _ = parse_listing(&many, ListingFormat::Mlsd, now);
    }
}

// ---------------------------------------------------------------------------------------------
// Sanitising

proptest! {
    #![proptest_config(config(1024))]

    #[test]
    fn display_name_shows_no_control_character(name in prop_oneof![wild_string(120), any::<String>()]) {
        let shown = display_name(&name);
        prop_assert!(!shown.chars().any(char::is_control), "{:?} -> {:?}", name, shown);
        // One character shown per character received, the printable ones unchanged; a raw byte
        // kept from a name that was not UTF-8 shows as U+FFFD.
        prop_assert_eq!(shown.chars().count(), name.chars().count());
        for (a, b) in name.chars().zip(shown.chars()) {
            let escape = ftpdeck::remote::encoding::is_escape(a);
            let shown_escape = b == char::REPLACEMENT_CHARACTER;
            prop_assert!((a == b && !escape) || (a.is_control() && b == '?') || (escape && shown_escape));
        }
    }

    #[test]
    fn local_component_refuses_paths_and_traversal(
        name in prop_oneof![
            wild_string(20),
            file_name_chars(16),
            Just(".".to_string()),
            Just("..".to_string()),
            // A safe-looking name with one dangerous character somewhere.
            ("[a-z.]{0,6}", prop::sample::select(vec!['/', '\\', '\0']), "[a-z.]{0,6}")
                .prop_map(|(a, c, b)| format!("{a}{c}{b}")),
        ]
    ) {
        match local_component(&name) {
            Ok(kept) => {
                prop_assert_eq!(kept, name.as_str());
                prop_assert!(!name.is_empty());
                prop_assert!(name != "." && name != "..");
                prop_assert!(!name.contains(['/', '\\', '\0']), "{:?} accepted", name);
                prop_assert!(!name.chars().any(char::is_control), "{:?} accepted", name);
            }
            Err(e) => {
                let dangerous = name.is_empty()
                    || name == "."
                    || name == ".."
                    || name.contains(['/', '\\'])
                    || name.chars().any(char::is_control);
                prop_assert!(dangerous, "{:?} refused: {}", name, e);
                // The error is shown to the user: nothing in it may drive the terminal.
                prop_assert!(!e.to_string().chars().any(char::is_control));
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Reply handling

fn short_timeouts() -> Timeouts {
    Timeouts {
        connect: Duration::from_secs(2),
        read: Duration::from_millis(300),
    }
}

fn profile_for(port: u16) -> Profile {
    Profile {
        host: "127.0.0.1".into(),
        port,
        user: "tester".into(),
        password: Some(Secret::new("secret")),
        ..Profile::default()
    }
}

/// Connect on another thread and wait a bounded time: Ok(welcome) or Err(error text). A
/// connect that neither returns nor fails within `limit` is a test failure.
fn connect_bounded(port: u16, limit: Duration) -> Result<Result<String, String>, String> {
    let (tx, rx) = mpsc::channel();
    let started = Instant::now();
    let handle = std::thread::spawn(move || {
        let result = connect::connect(&profile_for(port), short_timeouts())
            .map(|c| c.welcome)
            .map_err(|e| e.to_string());
        let _ = tx.send(result);
    });
    match rx.recv_timeout(limit) {
        Ok(result) => {
            handle.join().map_err(|_| "connect panicked".to_string())?;
            Ok(result)
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            let _ = handle.join();
            Err("connect panicked".into())
        }
        Err(mpsc::RecvTimeoutError::Timeout) => Err(format!(
            "connect still running after {:?}",
            started.elapsed()
        )),
    }
}

/// The commands `connect` sends, in order, after the greeting.
const LOGIN_VERBS: [&str; 6] = ["USER", "PASS", "TYPE", "FEAT", "OPTS", "PWD"];

/// A one-connection server that answers like a normal server, except that the reply at
/// `stage` (0 = the greeting, 1.. = the replies to [`LOGIN_VERBS`]) is `line`, sent raw; after
/// it the server either hangs up or goes on answering normally.
fn odd_reply_server(
    stage: usize,
    line: Vec<u8>,
    hang_up: bool,
) -> (u16, std::thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        let Ok((stream, _)) = listener.accept() else {
            return;
        };
        stream.set_read_timeout(Some(Duration::from_secs(5))).ok();
        stream.set_write_timeout(Some(Duration::from_secs(5))).ok();
        let mut out = stream.try_clone().unwrap();
        let mut input = BufReader::new(stream.take(64 * 1024));
        let send_odd = |out: &mut TcpStream| -> bool {
            let _ = out.write_all(&line);
            if hang_up {
                let _ = out.shutdown(Shutdown::Both);
            }
            !hang_up
        };
        if stage == 0 {
            if !send_odd(&mut out) {
                return;
            }
        } else if out.write_all(b"220 ready\r\n").is_err() {
            return;
        }
        // Bounded: connect sends six commands (and maybe QUIT).
        for n in 1..=16 {
            let mut cmd = String::new();
            match input.read_line(&mut cmd) {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            let verb = cmd
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_ascii_uppercase();
            if n == stage {
                if !send_odd(&mut out) {
                    return;
                }
                continue;
            }
            let reply: &[u8] = match verb.as_str() {
                "USER" => b"331 Password required\r\n",
                "PASS" => b"230 Logged in\r\n",
                "TYPE" | "OPTS" | "NOOP" => b"200 OK\r\n",
                "FEAT" => b"211-Features:\r\n UTF8\r\n SIZE\r\n211 End\r\n",
                "PWD" => b"257 \"/\" is the current directory\r\n",
                "QUIT" => {
                    let _ = out.write_all(b"221 Bye\r\n");
                    return;
                }
                _ => b"502 Not implemented\r\n",
            };
            if out.write_all(reply).is_err() {
                return;
            }
        }
    });
    (port, handle)
}

/// A reply line: a plausible code with odd text, odd codes, raw bytes, long or multi-line.
fn reply_line() -> impl Strategy<Value = Vec<u8>> {
    let code = prop_oneof![
        (100u16..700).prop_map(|c| c.to_string()),
        prop::sample::select(vec![
            "220", "230", "331", "211", "257", "200", "421", "530", "000", "999"
        ])
        .prop_map(str::to_string),
        "[0-9a-z ]{0,4}",
    ];
    let sep = prop::sample::select(vec![" ", "-", "", "  ", "\t"]);
    let text = prop_oneof![
        wild_string(60).prop_map(String::into_bytes),
        prop::collection::vec(any::<u8>(), 0..80),
        Just(b"\"".to_vec()),
        Just(b"\"\"".to_vec()),
        Just(b"\"/a\"b\"".to_vec()),
        (1usize..20_000).prop_map(|n| vec![b'x'; n]),
    ];
    let end = prop::sample::select(vec![
        "\r\n",
        "\r\n",
        "\n",
        "",
        "\r\n220 ok\r\n",
        "\r\n 211 x\r\n",
    ]);
    (code, sep, text, end).prop_map(|(c, s, t, e)| {
        let mut v = c.into_bytes();
        v.extend_from_slice(s.as_bytes());
        v.extend(t);
        v.extend_from_slice(e.as_bytes());
        v
    })
}

proptest! {
    // Each case starts a server and may wait out one 300 ms read timeout.
    #![proptest_config(ProptestConfig { max_shrink_iters: 16, ..config(32) })]

    #[test]
    fn connect_survives_any_reply(
        stage in 0usize..=LOGIN_VERBS.len(),
        line in reply_line(),
        hang_up in any::<bool>(),
    ) {
        let (port, server) = odd_reply_server(stage, line.clone(), hang_up);
        let result = connect_bounded(port, Duration::from_secs(10)).map_err(TestCaseError::fail)?;
        server.join().map_err(|_| TestCaseError::fail("server thread panicked"))?;
        // Whatever the server said, what the user is shown cannot drive the terminal.
        let shown = match &result {
            Ok(welcome) => welcome,
            Err(error) => error,
        };
        prop_assert!(!shown.chars().any(char::is_control), "{:?} -> {:?}", String::from_utf8_lossy(&line), shown);
    }
}

/// The scripted misbehaviours of the fake server, at every step of the login: each ends in
/// an error, quickly.
#[test]
fn connect_fails_cleanly_on_every_scripted_misbehaviour() {
    let mut scripts = vec![(
        "endless greeting".to_string(),
        FakeServer::builder().endless_multiline_reply(),
    )];
    let places =
        std::iter::once(At::Greeting).chain(["USER", "PASS", "TYPE", "FEAT", "PWD"].map(At::Reply));
    for at in places {
        scripts.push((
            format!("malformed at {at:?}"),
            FakeServer::builder().malformed_reply_code(at.clone()),
        ));
        scripts.push((
            format!("stall at {at:?}"),
            FakeServer::builder().stall_mid_reply(at),
        ));
    }
    for (what, script) in scripts {
        let server = script.start();
        let result = connect_bounded(server.port(), Duration::from_secs(10))
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        let error = result.expect_err(&what);
        assert!(!error.chars().any(char::is_control), "{what}: {error:?}");
        eprintln!("{what}: {error}");
    }
}

/// RFC 2389: a server without extensions may answer FEAT with one line, `211 no-features`.
/// (suppaftp's own `feat()` waits for a further line after it, stalling the login until the
/// read timeout: `connect` must not rely on it.)
#[test]
fn single_line_feat_reply_does_not_stall_the_login() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let Ok((stream, _)) = listener.accept() else {
            return;
        };
        stream.set_read_timeout(Some(Duration::from_secs(5))).ok();
        let mut out = stream.try_clone().unwrap();
        let mut input = BufReader::new(stream);
        let _ = out.write_all(b"220 ready\r\n");
        for _ in 0..16 {
            let mut cmd = String::new();
            if !matches!(input.read_line(&mut cmd), Ok(n) if n > 0) {
                return;
            }
            let verb = cmd
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_ascii_uppercase();
            let reply: &[u8] = match verb.as_str() {
                "USER" => b"331 Password required\r\n",
                "PASS" => b"230 Logged in\r\n",
                "FEAT" => b"211 No features\r\n",
                "PWD" => b"257 \"/\"\r\n",
                "QUIT" => return,
                _ => b"200 OK\r\n",
            };
            let _ = out.write_all(reply);
        }
    });
    let started = Instant::now();
    let result = connect_bounded(port, Duration::from_secs(10)).unwrap();
    let took = started.elapsed();
    let _ = server.join();
    eprintln!("single-line FEAT: {result:?} after {took:?}");
    assert!(
        matches!(&result, Ok(welcome) if welcome.contains("ready")),
        "login failed or lost the greeting: {result:?}"
    );
    assert!(
        took < Duration::from_millis(250),
        "the login waited out the read timeout ({took:?})"
    );
}
