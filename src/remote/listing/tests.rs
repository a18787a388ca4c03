//! Tests of whole listings and of what every format shares; the helpers here serve the
//! formats' own tests too.

use super::*;

/// 2024-12-01 00:00:00 UTC.
pub(super) const NOW_2024: i64 = 1_733_011_200;
/// 2026-01-05 12:00:00 UTC.
pub(super) const NOW_2026: i64 = 1_767_614_400;

pub(super) fn list(line: &str) -> Entry {
    parse_list_line(line, NOW_2024)
}

pub(super) fn mlsd_line(line: &str) -> Entry {
    parse_mlsd_line(line).unwrap_or_else(|| panic!("not MLSD: {line:?}"))
}

/// Unix seconds of a UTC date and time, straight from chrono.
pub(super) fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> i64 {
    chrono::NaiveDate::from_ymd_opt(y, mo, d)
        .and_then(|date| date.and_hms_opt(h, mi, s))
        .unwrap_or_else(|| panic!("not a date: {y}-{mo}-{d} {h}:{mi}:{s}"))
        .and_utc()
        .timestamp()
}

fn lines(ls: &[&str]) -> Vec<String> {
    ls.iter().map(|s| s.to_string()).collect()
}

#[test]
fn absurd_values_leave_fields_empty() {
    let e = list("-rw-r--r-- 1 u g 99999999999999999999999 Jan 2 2020 big");
    assert_eq!(
        (e.kind, e.name.as_str(), e.size),
        (EntryKind::File, "big", None)
    );
    assert_eq!(
        list("-rw-r--r-- 1 u g 18446744073709551615 Jan 2 2020 max").size,
        Some(u64::MAX)
    );
    let e = list("-rw-r--r-- 1 u g 1 Jan 0 2020 d0");
    assert_eq!((e.name.as_str(), e.mtime), ("d0", None));
    let e = list("-rw-r--r-- 1 u g 1 Jan 2 99999 y");
    assert_eq!((e.name.as_str(), e.mtime), ("y", None));
    let e = list("-rw-r--r-- 1 u g 1 Feb 31 2020 f31");
    assert_eq!((e.name.as_str(), e.mtime), ("f31", None));
    let e = list("-rw-r--r-- 1 u g 1 Jan 2 25:99 t");
    assert_eq!((e.name.as_str(), e.mtime), ("t", None));
    let e = list("13-45-23  03:04PM                12 dos");
    assert_eq!((e.name.as_str(), e.size, e.mtime), ("dos", Some(12), None));
    let e = list("01-02-23  13:04PM                12 pm13");
    assert_eq!((e.name.as_str(), e.mtime), ("pm13", None));
    let e = mlsd_line("type=file;size=99999999999999999999;modify=20241345100000; m");
    assert_eq!((e.name.as_str(), e.size, e.mtime), ("m", None, None));
}

#[test]
fn whole_listings() {
    let ls = lines(&[
        "total 12",
        "drwxr-xr-x 2 u g 4096 Jan 02 2023 .",
        "drwxr-xr-x 9 u g 4096 Jan 02 2023 ..",
        "",
        "   ",
        "-rw-r--r-- 1 u g 12 Nov 24 10:00 a.txt\r",
        "this is garbage",
        "drwxr-xr-x 2 u g 4096 Jan 02 2023 ...",
    ]);
    let got = parse_listing(&ls, ListingFormat::List, NOW_2024);
    let names: Vec<_> = got.iter().map(|e| (e.name.as_str(), e.kind)).collect();
    assert_eq!(
        names,
        [
            ("a.txt", EntryKind::File),
            ("this is garbage", EntryKind::Unknown),
            ("...", EntryKind::Dir)
        ]
    );

    let ml = lines(&[
        "type=cdir;sizd=4096;modify=20240102030405;UNIX.mode=0755; /home/u",
        "type=pdir;modify=20240102030405; ..",
        "type=dir;modify=20240102030405; .",
        "type=file;size=12;modify=20241124100000; a.txt",
        "total 12",
        "garbage line",
    ]);
    let got = parse_listing(&ml, ListingFormat::Mlsd, NOW_2024);
    let names: Vec<_> = got.iter().map(|e| (e.name.as_str(), e.kind)).collect();
    assert_eq!(
        names,
        [
            ("a.txt", EntryKind::File),
            ("total 12", EntryKind::Unknown),
            ("garbage line", EntryKind::Unknown)
        ]
    );
}

#[test]
fn garbage_is_unknown_and_never_panics() {
    for g in [
        "",
        "x",
        "total",
        "-rw-r--r--",
        "-rw-r--r-- 1 u g 1 Jan 2 2020",
        "01-02-23 03:04PM 12",
        "日本語 🦀",
    ] {
        let e = list(g);
        assert_eq!((e.kind, e.name.as_str()), (EntryKind::Unknown, g));
    }
    // A 100 KB line, with and without a valid prefix.
    let long = format!("-rw-r--r-- 1 u g 1 Jan 2 2020 {}", "é ".repeat(50_000));
    assert_eq!(list(&long).name.len(), 150_000);
    let long = "🦀".repeat(25_000);
    assert_eq!(list(&long).kind, EntryKind::Unknown);
    assert!(parse_mlsd_line(&format!("type=file;{}", "a=b;".repeat(25_000))).is_none());

    // Every prefix of valid lines (cut at char boundaries) and pseudo-random junk.
    let samples = [
        "lrwxrwxrwx 1 用户 g 7 Jan 1 10:00 🦀 -> t",
        "01-02-23  12:15AM       <DIR>          Some Dir",
        "type=OS.unix=slink:/t;size=1;modify=20240102030405.1;UNIX.mode=04755; é",
    ];
    for s in samples {
        for (i, _) in s.char_indices() {
            let _ = parse_list_line(&s[..i], NOW_2024);
            let _ = parse_mlsd_line(&s[..i]);
        }
    }
    let alphabet: Vec<char> = " \t;=:-,./<>0123456789drwxlsJanPM<DIR>é🦀\u{FFFD}\r\n\0"
        .chars()
        .collect();
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    for _ in 0..20_000 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let len = (seed % 60) as usize;
        let line: String = (0..len)
            .map(|k| alphabet[((seed >> (k % 50)) as usize + k * 7) % alphabet.len()])
            .collect();
        let _ = parse_listing(std::slice::from_ref(&line), ListingFormat::List, NOW_2024);
        let _ = parse_listing(&[line], ListingFormat::Mlsd, NOW_2024);
    }
}
