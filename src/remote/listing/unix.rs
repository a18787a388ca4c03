//! Unix `ls -l` lines.

use super::text::{is_num, num, num_sat, num_sat_u, split3, tokens};
use super::time::{hh_mm, infer_year, month, timestamp};
use crate::entry::{Entry, EntryKind};

/// The fixed fields of an `ls -l` line are always among its first tokens.
const MAX_UNIX_TOKENS: usize = 16;

pub(super) fn parse_unix(line: &str, now: i64) -> Option<Entry> {
    let (t, n) = tokens::<MAX_UNIX_TOKENS>(line);
    let t = &t[..n];
    let first = &line[t.first()?.0..t.first()?.1];
    let kind = unix_kind(first)?;
    // perms [links] owner [group] size DATE name: find the date, the size is just before it.
    for i in 2..n {
        let Some((mtime, last)) = unix_date(line, t, i, now) else {
            continue;
        };
        let size_tok = &line[t[i - 1].0..t[i - 1].1];
        let sb = size_tok.as_bytes();
        if !sb.iter().any(u8::is_ascii_digit)
            || !sb.iter().all(|c| c.is_ascii_digit() || *c == b',')
        {
            continue;
        }
        // The name is everything after exactly one separator following the date.
        let name = line.get(t[last].1 + 1..).unwrap_or("");
        if name.is_empty() {
            continue;
        }
        let device = matches!(first.as_bytes()[0], b'b' | b'c') || size_tok.contains(',');
        let link = (kind == EntryKind::Symlink)
            .then(|| name.split_once(" -> "))
            .flatten()
            .filter(|(l, _)| !l.is_empty());
        let mut e = Entry::new(link.map_or(name, |(l, _)| l), kind);
        e.link_target = link.map(|(_, target)| target.to_string());
        e.size = if device { None } else { num(size_tok) };
        e.mtime = mtime;
        e.perms = Some(first[1..10].to_string());
        return Some(e);
    }
    None
}

/// `drwxr-xr-x`, `-rw-r--r--@`, `drwxr-xr-x+`, `-rwsr-sr-t.`...
fn unix_kind(tok: &str) -> Option<EntryKind> {
    let b = tok.as_bytes();
    if !(10..=12).contains(&b.len())
        || !b[1..10].iter().all(|c| b"rwxsStTlL-".contains(c))
        || !b[10..].iter().all(|c| b"+@.".contains(c))
    {
        return None;
    }
    match b[0] {
        b'd' => Some(EntryKind::Dir),
        b'l' => Some(EntryKind::Symlink),
        c if c == b'-' || c == b'?' || c.is_ascii_alphabetic() => Some(EntryKind::File),
        _ => None,
    }
}

/// Structural match of an `ls` date starting at token `i`: "Mon DD HH:MM", "Mon DD YYYY" or
/// "YYYY-MM-DD HH:MM". Returns the time (None when the values are absurd) and the index of the
/// date's last token.
fn unix_date(line: &str, t: &[(usize, usize)], i: usize, now: i64) -> Option<(Option<i64>, usize)> {
    let tok = |k: usize| t.get(k).map(|&(a, b)| &line[a..b]);
    let first = tok(i)?;
    if let Some(mon) = month(first) {
        let day = tok(i + 1).filter(|d| d.len() <= 2)?;
        let day = num(day)?;
        let last = tok(i + 2)?;
        let mtime = if let Some((h, m, s)) = hh_mm(last) {
            infer_year(now, mon, day, h, m, s)
        } else if is_num(last) {
            timestamp(num_sat(last), mon, day, 0, 0, 0)
        } else {
            return None;
        };
        return Some((mtime, i + 2));
    }
    let (y, mo, d) = split3(first, b'-').filter(|(y, _, _)| y.len() == 4)?;
    let (h, m, s) = hh_mm(tok(i + 1)?)?;
    Some((
        timestamp(num_sat(y), num_sat_u(mo), num_sat_u(d), h, m, s),
        i + 1,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::remote::listing::parse_list_line;
    use crate::remote::listing::tests::{NOW_2026, list, utc};

    #[test]
    fn unix_with_year_and_time() {
        let e = list("drwxr-xr-x 2 user group 4096 Jan 02 2023 name");
        assert_eq!(e.kind, EntryKind::Dir);
        assert_eq!(e.name, "name");
        assert_eq!(e.size, Some(4096));
        assert_eq!(e.mtime, Some(1_672_617_600));
        assert_eq!(e.perms.as_deref(), Some("rwxr-xr-x"));
        assert_eq!(e.link_target, None);

        let e = list("-rw-r--r-- 1 0 0 12 Mar 5 14:07 name");
        assert_eq!((e.kind, e.name.as_str()), (EntryKind::File, "name"));
        assert_eq!(e.size, Some(12));
        assert_eq!(e.mtime, Some(1_709_647_620));
        assert_eq!(e.perms.as_deref(), Some("rw-r--r--"));
    }

    #[test]
    fn server_styles() {
        // vsftpd pads its columns.
        let e = list("-rw-r--r--    1 1000     1000           12 Nov 24 10:00 a.txt");
        assert_eq!(
            (e.name.as_str(), e.size, e.mtime),
            ("a.txt", Some(12), Some(1_732_442_400))
        );
        // libunftp.
        let e = list("-rw-r--r-- 1 0 0 12 Nov 24 10:00 a.txt");
        assert_eq!(
            (e.name.as_str(), e.size, e.mtime),
            ("a.txt", Some(12), Some(1_732_442_400))
        );
        // ProFTPD.
        let e = list("drwxr-xr-x   2 ftp      ftp          4096 Jan  2  2023 pub");
        assert_eq!(
            (e.kind, e.name.as_str(), e.mtime),
            (EntryKind::Dir, "pub", Some(1_672_617_600))
        );
        // Pure-FTPd.
        let e = list("-rw-r--r--    1 1000       1000               12 Nov 24 10:00 a.txt");
        assert_eq!((e.name.as_str(), e.size), ("a.txt", Some(12)));
        // No group column.
        let e = list("-rw-r--r-- 1 owner 1234 Jan 2 2020 f");
        assert_eq!((e.name.as_str(), e.size), ("f", Some(1234)));
        // ls --time-style=long-iso.
        let e = list("-rw-r--r-- 1 u g 7 2023-01-02 15:04 iso name");
        assert_eq!(
            (e.name.as_str(), e.mtime),
            ("iso name", Some(1_672_671_840))
        );
        // An owner that looks like a month does not fool the date search.
        let e = list("-rw-r--r-- 1 jan may 5 Jan 2 2020 x");
        assert_eq!((e.name.as_str(), e.size), ("x", Some(5)));
    }

    #[test]
    fn unix_names_with_spaces_and_unicode() {
        assert_eq!(
            list("-rw-r--r-- 1 u g 1 Jan 2 2020 a  b   c").name,
            "a  b   c"
        );
        assert_eq!(
            list("-rw-r--r-- 1 u g 1 Jan 2 2020 trail   ").name,
            "trail   "
        );
        assert_eq!(list("-rw-r--r-- 1 u g 1 Jan 2 2020   lead").name, "  lead");
        assert_eq!(list("-rw-r--r-- 1 u g 1 Jan  2  2020 x").name, "x");
        assert_eq!(
            list("-rw-r--r--\t1\tu\tg\t1\tJan\t2\t2020\ttabbed\tname").name,
            "tabbed\tname"
        );
        assert_eq!(
            list("-rw-r--r-- 1 u g 9 Jan 2 2020 日本語 ファイル.txt").name,
            "日本語 ファイル.txt"
        );
        assert_eq!(
            list("-rw-r--r-- 1 用户 组 9 Jan 2 10:00 🦀 crab 🦀").name,
            "🦀 crab 🦀"
        );
        // Hostile names parse as ordinary entries; sanitising is the caller's job.
        assert_eq!(
            list("-rw-r--r-- 1 u g 1 Jan 2 2020 ../escape").name,
            "../escape"
        );
        let e = list("-rw-r--r-- 1 u g 1 Jan 2 2020 \x1b[31mred\x07");
        assert_eq!(
            (e.kind, e.name.as_str()),
            (EntryKind::File, "\x1b[31mred\x07")
        );
        assert_eq!(
            list("-rw-r--r-- 1 u g 1 Jan 2 2020 bad\u{FFFD}utf8").name,
            "bad\u{FFFD}utf8"
        );
    }

    #[test]
    fn unix_symlinks_devices_and_perm_markers() {
        let e = list("lrwxrwxrwx 1 u g 7 Jan 1 2020 link -> target");
        assert_eq!(e.kind, EntryKind::Symlink);
        assert_eq!(
            (e.name.as_str(), e.link_target.as_deref()),
            ("link", Some("target"))
        );
        let e = list("lrwxrwxrwx 1 u g 7 Jan 1 2020 my link -> ../a b/c");
        assert_eq!(
            (e.name.as_str(), e.link_target.as_deref()),
            ("my link", Some("../a b/c"))
        );
        let e = list("lrwxrwxrwx 1 u g 7 Jan 1 2020 bare");
        assert_eq!(
            (e.kind, e.name.as_str(), e.link_target),
            (EntryKind::Symlink, "bare", None)
        );
        // A "->" in a non-link name is part of the name.
        assert_eq!(list("-rw-r--r-- 1 u g 7 Jan 1 2020 a -> b").name, "a -> b");

        let e = list("crw-rw-rw- 1 root root 1, 3 Jan 1 2020 null");
        assert_eq!(
            (e.kind, e.name.as_str(), e.size),
            (EntryKind::File, "null", None)
        );
        let e = list("brw-rw---- 1 root disk 8,   0 Nov 24 10:00 sda");
        assert_eq!(
            (e.name.as_str(), e.size, e.mtime),
            ("sda", None, Some(1_732_442_400))
        );

        assert_eq!(
            list("drwxr-xr-x+ 2 u g 1 Jan 1 2020 acl").kind,
            EntryKind::Dir
        );
        assert_eq!(list("-rw-r--r--@ 1 u g 1 Jan 1 2020 mac").name, "mac");
        let e = list("-rwsr-sr-T. 1 u g 1 Jan 1 2020 sel");
        assert_eq!(
            (e.name.as_str(), e.perms.as_deref()),
            ("sel", Some("rwsr-sr-T"))
        );
        assert_eq!(
            list("drwxrwxrwt 9 0 0 1 Jan 1 2020 tmp").perms.as_deref(),
            Some("rwxrwxrwt")
        );
        assert_eq!(
            list("prw-r--r-- 1 u g 0 Jan 1 2020 fifo").kind,
            EntryKind::File
        );
    }

    #[test]
    fn year_inference() {
        let e = parse_list_line("-rw-r--r-- 1 u g 1 Dec 30 10:00 old", NOW_2026);
        assert_eq!(e.mtime, Some(1_767_088_800)); // 2025-12-30
        let e = parse_list_line("-rw-r--r-- 1 u g 1 Jan 04 10:00 new", NOW_2026);
        assert_eq!(e.mtime, Some(1_767_520_800)); // 2026-01-04
        let e = parse_list_line("-rw-r--r-- 1 u g 1 Jun 1 08:30 mid", NOW_2026);
        assert_eq!(e.mtime, Some(1_748_766_600)); // 2025-06-01
        // Feb 29 in a non-leap current year goes back to the last leap year.
        let e = parse_list_line("-rw-r--r-- 1 u g 1 Feb 29 10:00 leap", 1_736_467_200); // 2025-01-10
        assert_eq!(e.mtime, Some(1_709_200_800));
        // Absurd "now" values must not panic.
        for now in [i64::MIN, -1, 0, i64::MAX] {
            let e = parse_list_line("-rw-r--r-- 1 u g 1 Dec 30 10:00 x", now);
            assert_eq!(e.name, "x");
        }
    }

    #[test]
    fn dates_without_a_year_around_new_year() {
        let at = |line: &str, now: i64| parse_list_line(line, now).mtime;
        let ls = |date: &str| format!("-rw-r--r-- 1 u g 1 {date} f");
        // Just after midnight on Jan 1: Dec 31 is last year's, Jan 1 (even a minute ahead) this one's.
        let now = utc(2025, 1, 1, 0, 30, 0);
        assert_eq!(
            at(&ls("Dec 31 23:59"), now),
            Some(utc(2024, 12, 31, 23, 59, 0))
        );
        assert_eq!(
            at(&ls("Jan  1 00:29"), now),
            Some(utc(2025, 1, 1, 0, 29, 0))
        );
        assert_eq!(
            at(&ls("Jan  1 00:31"), now),
            Some(utc(2025, 1, 1, 0, 31, 0))
        );
        // On Dec 31, up to three days ahead is next year's; beyond that, this year's.
        let now = utc(2024, 12, 31, 12, 0, 0);
        assert_eq!(
            at(&ls("Jan 03 12:00"), now),
            Some(utc(2025, 1, 3, 12, 0, 0))
        );
        assert_eq!(
            at(&ls("Jan 03 12:01"), now),
            Some(utc(2024, 1, 3, 12, 1, 0))
        );
        assert_eq!(
            at(&ls("Dec 31 11:00"), now),
            Some(utc(2024, 12, 31, 11, 0, 0))
        );
        assert_eq!(
            at(&ls("Dec 31 13:00:05"), now),
            Some(utc(2024, 12, 31, 13, 0, 5))
        );
    }

    #[test]
    fn feb_29_and_impossible_dates() {
        let parse = |date: &str, now: i64| {
            let e = parse_list_line(&format!("-rw-r--r-- 1 u g 7 {date} f"), now);
            assert_eq!(
                (e.kind, e.name.as_str(), e.size),
                (EntryKind::File, "f", Some(7)),
                "{date}"
            );
            e.mtime
        };
        let leap = Some(utc(2024, 2, 29, 10, 0, 0));
        assert_eq!(parse("Feb 29 10:00", utc(2024, 3, 1, 0, 0, 0)), leap);
        assert_eq!(parse("Feb 29 10:00", utc(2025, 2, 28, 0, 0, 0)), leap);
        assert_eq!(
            parse("Feb 29 10:00", utc(2024, 2, 27, 0, 0, 0)),
            leap,
            "within the slack"
        );
        assert_eq!(
            parse("Feb 29 10:00", utc(2026, 6, 1, 0, 0, 0)),
            None,
            "2025-2027 have none"
        );
        assert_eq!(
            parse("Feb 29 2024", NOW_2026),
            Some(utc(2024, 2, 29, 0, 0, 0))
        );
        assert_eq!(
            parse("Feb 29 2000", NOW_2026),
            Some(utc(2000, 2, 29, 0, 0, 0))
        );
        assert_eq!(
            parse("2024-02-29 23:59", NOW_2026),
            Some(utc(2024, 2, 29, 23, 59, 0))
        );
        for bad in [
            "Feb 29 2023",
            "Feb 29 1900",
            "Feb 30 2024",
            "Apr 31 2024",
            "Feb 30 10:00",
            "Jun 31 10:00",
            "Jan 32 2024",
            "Jan 1 0000",
            "Jan 1 10:60",
            "Jan 1 24:00",
            "Jan 1 10:00:61",
            "2023-02-29 10:00",
            "2024-13-01 10:00",
            "2024-00-10 10:00",
            "2024-04-31 10:00",
            "0000-01-01 00:00",
        ] {
            assert_eq!(parse(bad, NOW_2026), None, "{bad}");
        }
    }
}
