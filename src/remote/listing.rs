//! FTP directory-listing parser: MLSD/MLST fact lines, Unix `ls -l` style and DOS/IIS style
//! `LIST` lines.
//!
//! Everything here is pure, allocation-light and panic-free on any input. Names are kept raw
//! (no sanitising): the caller decides how to show them and whether to refuse them.

use crate::entry::{Entry, EntryKind};

/// Which command produced a listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListingFormat {
    Mlsd,
    List,
}

/// A "Mon DD HH:MM" date may lie this far in the future (clock skew, time zones) before we
/// decide it belongs to an earlier year.
const FUTURE_SLACK: i64 = 3 * 86_400;
/// The fixed fields of an `ls -l` line are always among its first tokens.
const MAX_UNIX_TOKENS: usize = 16;
const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// Parse a whole listing. Drops the "total N" header line of `ls -l`, empty lines, and the "."
/// and ".." entries (including MLSD type=cdir / type=pdir). Unparseable lines are kept as
/// Unknown entries (never dropped silently). For Mlsd, a line that is not valid MLSD is also
/// kept as Unknown with the raw line as name.
pub fn parse_listing(lines: &[String], format: ListingFormat, now: i64) -> Vec<Entry> {
    let mut out = Vec::with_capacity(lines.len());
    for raw in lines {
        let line = trim_eol(raw);
        if line.trim_ascii().is_empty() {
            continue;
        }
        let entry = match format {
            ListingFormat::Mlsd => match mlsd(line) {
                Some((_, true)) => continue,
                Some((e, false)) if e.name == "." || e.name == ".." => continue,
                Some((e, false)) => e,
                None => Entry::new(line, EntryKind::Unknown),
            },
            ListingFormat::List => {
                if is_total_line(line) {
                    continue;
                }
                let e = parse_list_line(line, now);
                if e.kind != EntryKind::Unknown && (e.name == "." || e.name == "..") {
                    continue;
                }
                e
            }
        };
        out.push(entry);
    }
    out
}

/// Parse one MLSD/MLST fact line ("type=file;size=12;modify=20240102030405; name").
/// None when the line is not a valid MLSD line.
pub fn parse_mlsd_line(line: &str) -> Option<Entry> {
    mlsd(trim_eol(line)).map(|(e, _)| e)
}

/// Parse one LIST line (Unix `ls -l` style, then DOS/IIS style). Never fails:
/// a line that matches no format becomes Entry { name: <the raw line>, kind: EntryKind::Unknown, .. }.
/// `now` is the current time (unix seconds, UTC) used to infer the year of "Mon DD HH:MM" dates
/// (the date is taken in the latest year that puts it no more than a few days in the future).
pub fn parse_list_line(line: &str, now: i64) -> Entry {
    let line = trim_eol(line);
    parse_unix(line, now)
        .or_else(|| parse_dos(line))
        .unwrap_or_else(|| Entry::new(line, EntryKind::Unknown))
}

// ---------------------------------------------------------------------------------------------
// MLSD

/// The entry, and whether it is the listed directory itself or its parent (cdir/pdir).
fn mlsd(line: &str) -> Option<(Entry, bool)> {
    // MLST replies on the control connection start with one space.
    mlsd_facts(line).or_else(|| line.strip_prefix(' ').and_then(mlsd_facts))
}

fn mlsd_facts(line: &str) -> Option<(Entry, bool)> {
    let mut e = Entry::new(String::new(), EntryKind::Unknown);
    let (mut size, mut sizd, mut dot_dir) = (None, None, false);
    let mut rest = line;
    let name = loop {
        let semi = rest.find(';')?;
        let (key, value) = rest[..semi].split_once('=')?;
        rest = &rest[semi + 1..];
        if key.is_empty() || !key.bytes().all(|b| b.is_ascii_graphic()) {
            return None;
        }
        if key.eq_ignore_ascii_case("type") {
            e.kind = mlsd_type(value, &mut e.link_target, &mut dot_dir);
        } else if key.eq_ignore_ascii_case("size") {
            size = num(value);
        } else if key.eq_ignore_ascii_case("sizd") {
            sizd = num(value);
        } else if key.eq_ignore_ascii_case("modify") {
            e.mtime = parse_modify(value);
        } else if key.eq_ignore_ascii_case("unix.mode") {
            e.perms = mode_to_perms(value);
        } else if key.eq_ignore_ascii_case("unique") && !value.is_empty() {
            e.unique = Some(value.to_ascii_lowercase());
        }
        if let Some(name) = rest.strip_prefix(' ') {
            break name;
        }
    };
    if name.is_empty() {
        return None;
    }
    e.name = name.to_string();
    e.size = size.or(sizd);
    Some((e, dot_dir))
}

fn mlsd_type(value: &str, target: &mut Option<String>, dot_dir: &mut bool) -> EntryKind {
    let v = value;
    *target = None;
    if v.eq_ignore_ascii_case("file") {
        EntryKind::File
    } else if v.eq_ignore_ascii_case("dir") {
        EntryKind::Dir
    } else if v.eq_ignore_ascii_case("cdir") || v.eq_ignore_ascii_case("pdir") {
        *dot_dir = true;
        EntryKind::Dir
    } else if let Some(link) =
        strip_prefix_ci(v, "os.unix=slink").or_else(|| strip_prefix_ci(v, "os.unix=symlink"))
    {
        *target = link
            .strip_prefix(':')
            .filter(|t| !t.is_empty())
            .map(str::to_string);
        EntryKind::Symlink
    } else if strip_prefix_ci(v, "os.").is_some() {
        // Devices, fifos, sockets... (e.g. "OS.unix=chr-1/3"): not directories.
        EntryKind::File
    } else {
        EntryKind::Unknown
    }
}

/// `YYYYMMDDHHMMSS[.sss]`.
fn parse_modify(v: &str) -> Option<i64> {
    let b = v.as_bytes();
    if b.len() < 14 || !b[..14].iter().all(u8::is_ascii_digit) {
        return None;
    }
    match &b[14..] {
        [] => {}
        [b'.', frac @ ..] if !frac.is_empty() && frac.iter().all(u8::is_ascii_digit) => {}
        _ => return None,
    }
    let d = |r: std::ops::Range<usize>| b[r].iter().fold(0u64, |a, c| a * 10 + u64::from(c - b'0'));
    timestamp(
        d(0..4) as i64,
        d(4..6),
        d(6..8),
        d(8..10),
        d(10..12),
        d(12..14),
    )
}

/// `unix.mode=0755` → `rwxr-xr-x` (with s/S/t/T for the special bits).
fn mode_to_perms(v: &str) -> Option<String> {
    if v.is_empty() || v.len() > 7 || !v.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
        return None;
    }
    let m = v.bytes().fold(0u32, |a, b| a * 8 + u32::from(b - b'0')) & 0o7777;
    let mut s = String::with_capacity(9);
    for (shift, special, ch) in [(6, 0o4000, 's'), (3, 0o2000, 's'), (0, 0o1000, 't')] {
        let bits = (m >> shift) & 7;
        s.push(if bits & 4 != 0 { 'r' } else { '-' });
        s.push(if bits & 2 != 0 { 'w' } else { '-' });
        s.push(match (m & special != 0, bits & 1 != 0) {
            (true, true) => ch,
            (true, false) => ch.to_ascii_uppercase(),
            (false, true) => 'x',
            (false, false) => '-',
        });
    }
    Some(s)
}

// ---------------------------------------------------------------------------------------------
// Unix `ls -l`

fn parse_unix(line: &str, now: i64) -> Option<Entry> {
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

fn month(tok: &str) -> Option<u64> {
    let pos = MONTHS.iter().position(|m| m.eq_ignore_ascii_case(tok))?;
    Some(pos as u64 + 1)
}

/// `H:MM`, `HH:MM` or `HH:MM:SS`, as raw numbers (not range-checked).
fn hh_mm(tok: &str) -> Option<(u64, u64, u64)> {
    let mut parts = tok.splitn(3, ':');
    let h = parts.next().filter(|p| p.len() <= 2)?;
    let m = parts.next().filter(|p| p.len() == 2)?;
    let s = parts
        .next()
        .map_or(Some("0"), |p| Some(p).filter(|p| p.len() == 2))?;
    Some((num(h)?, num(m)?, num(s)?))
}

/// Pick the latest year (around `now`) that puts "Mon DD HH:MM" no more than
/// [`FUTURE_SLACK`] in the future.
fn infer_year(now: i64, mon: u64, day: u64, h: u64, m: u64, s: u64) -> Option<i64> {
    let year = civil_year(now.div_euclid(86_400));
    let limit = now.saturating_add(FUTURE_SLACK);
    (year - 1..=year + 1)
        .rev()
        .filter_map(|y| timestamp(y, mon, day, h, m, s))
        .find(|&t| t <= limit)
}

// ---------------------------------------------------------------------------------------------
// DOS / IIS

/// `01-02-23  03:04PM       <DIR>          Some Dir`, `2023-01-02  15:04  1234 file.txt`.
fn parse_dos(line: &str) -> Option<Entry> {
    let (t, n) = tokens::<4>(line);
    if n < 3 {
        return None;
    }
    let tok = |k: usize| &line[t[k].0..t[k].1];
    let date = tok(0);
    let sep = *date.as_bytes().iter().find(|c| !c.is_ascii_digit())?;
    let (a, b, c) = split3(date, sep).filter(|_| matches!(sep, b'-' | b'/'))?;
    let (y, mo, d) = if a.len() == 4 { (a, b, c) } else { (c, a, b) };
    let mut year = num_sat(y);
    if y.len() <= 2 {
        year += if year < 70 { 2000 } else { 1900 };
    }
    let (mut time, mut pm) = (tok(1), None);
    // "03:04PM", or "03:04 PM" with the marker as a token of its own.
    let mut size_at = 2;
    let suffix = time
        .len()
        .checked_sub(2)
        .and_then(|k| time.split_at_checked(k));
    if let Some((hm, p)) = suffix.and_then(|(hm, ap)| Some((hm, am_pm(ap)?))) {
        (time, pm) = (hm, Some(p));
    }
    let separate = if pm.is_none() && n == 4 {
        am_pm(tok(2))
    } else {
        None
    };
    if let Some(p) = separate {
        (pm, size_at) = (Some(p), 3);
    }
    let (mut h, mi, s) = hh_mm(time)?;
    let bad_12h = pm.is_some() && !(1..=12).contains(&h);
    if let Some(pm) = pm {
        h = h % 12 + if pm { 12 } else { 0 };
    }
    let mtime = timestamp(year, num_sat_u(mo), num_sat_u(d), h, mi, s).filter(|_| !bad_12h);
    let third = tok(size_at);
    let end = t[size_at].1;
    let mut e = if third.eq_ignore_ascii_case("<dir>") {
        // IIS pads "<DIR>" with spaces: the name starts at the next non-blank.
        Entry::new(line[end..].trim_start_matches([' ', '\t']), EntryKind::Dir)
    } else {
        let digits = third.bytes().filter(u8::is_ascii_digit).count();
        if digits == 0 || !third.bytes().all(|c| c.is_ascii_digit() || c == b',') {
            return None;
        }
        let mut e = Entry::new(line.get(end + 1..).unwrap_or(""), EntryKind::File);
        e.size = third
            .bytes()
            .filter(u8::is_ascii_digit)
            .try_fold(0u64, |a, c| {
                a.checked_mul(10)?.checked_add(u64::from(c - b'0'))
            });
        e
    };
    if e.name.is_empty() {
        return None;
    }
    e.mtime = mtime;
    Some(e)
}

// ---------------------------------------------------------------------------------------------
// Small helpers

fn am_pm(s: &str) -> Option<bool> {
    if s.eq_ignore_ascii_case("am") {
        Some(false)
    } else if s.eq_ignore_ascii_case("pm") {
        Some(true)
    } else {
        None
    }
}

fn trim_eol(line: &str) -> &str {
    let line = line.strip_suffix('\n').unwrap_or(line);
    line.strip_suffix('\r').unwrap_or(line)
}

fn is_total_line(line: &str) -> bool {
    let (t, n) = tokens::<3>(line);
    n == 2
        && line[t[0].0..t[0].1].eq_ignore_ascii_case("total")
        && line.as_bytes()[t[1].0].is_ascii_digit()
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.as_bytes().get(..prefix.len())?;
    // An ASCII prefix that matches ends on a char boundary, so the slice below is safe.
    head.eq_ignore_ascii_case(prefix.as_bytes())
        .then(|| &s[prefix.len()..])
}

/// Byte ranges of the first `N` blank-separated tokens (blank = space or tab, both ASCII, so
/// every range starts and ends on a char boundary), and how many were found.
fn tokens<const N: usize>(s: &str) -> ([(usize, usize); N], usize) {
    let b = s.as_bytes();
    let mut out = [(0, 0); N];
    let (mut n, mut i) = (0, 0);
    while n < N {
        while i < b.len() && matches!(b[i], b' ' | b'\t') {
            i += 1;
        }
        if i == b.len() {
            break;
        }
        let start = i;
        while i < b.len() && !matches!(b[i], b' ' | b'\t') {
            i += 1;
        }
        out[n] = (start, i);
        n += 1;
    }
    (out, n)
}

/// "a-b-c" split on an ASCII separator into three non-empty all-digit parts.
fn split3(s: &str, sep: u8) -> Option<(&str, &str, &str)> {
    let mut it = s.split(char::from(sep));
    let parts = (it.next()?, it.next()?, it.next()?);
    let ok = it.next().is_none() && [parts.0, parts.1, parts.2].iter().all(|p| is_num(p));
    ok.then_some(parts)
}

fn is_num(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// A non-empty all-digit string as u64; None on anything else or on overflow.
fn num(s: &str) -> Option<u64> {
    if !is_num(s) {
        return None;
    }
    s.bytes().try_fold(0u64, |a, c| {
        a.checked_mul(10)?.checked_add(u64::from(c - b'0'))
    })
}

/// Like [`num`] for strings already known to be digits, saturating (absurd values then fail
/// the range checks of [`timestamp`]).
fn num_sat_u(s: &str) -> u64 {
    num(s).unwrap_or(u64::MAX)
}

fn num_sat(s: &str) -> i64 {
    i64::try_from(num_sat_u(s)).unwrap_or(i64::MAX)
}

fn is_leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

/// Validated civil date and time (UTC) → unix seconds. Years 1..=9999 only.
fn timestamp(y: i64, mo: u64, d: u64, h: u64, mi: u64, s: u64) -> Option<i64> {
    let dim = match mo {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => return None,
    };
    if !(1..=9999).contains(&y) || !(1..=dim).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let days = days_from_civil(y, mo as i64, d as i64);
    Some(days * 86_400 + (h * 3600 + mi * 60 + s) as i64)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The year of the day `z` (days since 1970-01-01), inverse of [`days_from_civil`].
fn civil_year(z: i64) -> i64 {
    let z = z.saturating_add(719_468);
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    yoe + era * 400 + i64::from(mp >= 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2024-12-01 00:00:00 UTC.
    const NOW_2024: i64 = 1_733_011_200;
    /// 2026-01-05 12:00:00 UTC.
    const NOW_2026: i64 = 1_767_614_400;

    fn list(line: &str) -> Entry {
        parse_list_line(line, NOW_2024)
    }

    fn mlsd_line(line: &str) -> Entry {
        parse_mlsd_line(line).unwrap_or_else(|| panic!("not MLSD: {line:?}"))
    }

    fn lines(ls: &[&str]) -> Vec<String> {
        ls.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn civil_conversions() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(timestamp(2023, 1, 2, 0, 0, 0), Some(1_672_617_600));
        assert_eq!(timestamp(2000, 2, 29, 12, 0, 0), Some(951_825_600));
        assert_eq!(timestamp(1969, 7, 20, 20, 17, 0), Some(-14_182_980));
        assert_eq!(timestamp(2023, 2, 29, 0, 0, 0), None);
        assert_eq!(timestamp(2023, 13, 1, 0, 0, 0), None);
        assert_eq!(timestamp(2023, 1, 0, 0, 0, 0), None);
        assert_eq!(timestamp(99_999, 1, 1, 0, 0, 0), None);
        assert_eq!(timestamp(2023, 1, 1, 24, 0, 0), None);
        for z in [
            -800_000, -1, 0, 1, 59, 60, 365, 10_957, 19_000, 20_000, 2_000_000,
        ] {
            let y = civil_year(z);
            assert!(
                days_from_civil(y, 1, 1) <= z && z < days_from_civil(y + 1, 1, 1),
                "{z}"
            );
        }
        assert_eq!(civil_year(NOW_2026 / 86_400), 2026);
    }

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
    fn dos_iis() {
        let e = list("01-02-23  03:04PM       <DIR>          Some Dir");
        assert_eq!(
            (e.kind, e.name.as_str(), e.size),
            (EntryKind::Dir, "Some Dir", None)
        );
        assert_eq!(e.mtime, Some(1_672_671_840));
        let e = list("01-02-2023  11:04AM             1234 file name.txt");
        assert_eq!(
            (e.kind, e.name.as_str(), e.size),
            (EntryKind::File, "file name.txt", Some(1234))
        );
        assert_eq!(e.mtime, Some(1_672_657_440));
        let e = list("01-02-23  12:15AM                0 midnight");
        assert_eq!(e.mtime, Some(1_672_618_500));
        let e = list("01-02-23  12:15PM                0 noon");
        assert_eq!(e.mtime, Some(1_672_618_500 + 12 * 3600));
        let e = list("2023-01-02  15:04               42 24h  name ");
        assert_eq!(
            (e.name.as_str(), e.size, e.mtime),
            ("24h  name ", Some(42), Some(1_672_671_840))
        );
        let e = list("2023-01-02  15:04    <DIR>          dir");
        assert_eq!((e.kind, e.name.as_str()), (EntryKind::Dir, "dir"));
        let e = list("01/02/2023  03:04 pm          1,234 commas");
        assert_eq!(
            (e.name.as_str(), e.size, e.mtime),
            ("commas", Some(1234), Some(1_672_671_840))
        );
        let e = list("01/02/2023  03:04pm          1,234 commas");
        assert_eq!(
            (e.name.as_str(), e.size, e.mtime),
            ("commas", Some(1234), Some(1_672_671_840))
        );
        let e = list("01-02-23  03:04PM                12 ../escape");
        assert_eq!((e.kind, e.name.as_str()), (EntryKind::File, "../escape"));
        let e = list("01-02-69  03:04PM                12 y69");
        assert_eq!(e.mtime.map(|t| civil_year(t / 86_400)), Some(2069));
        let e = list("01-02-70  03:04PM                12 y70");
        assert_eq!(e.mtime.map(|t| civil_year(t / 86_400)), Some(1970));
    }

    #[test]
    fn mlsd_servers() {
        // libunftp.
        let e = mlsd_line("type=file;size=12;modify=20241124100000; a.txt");
        assert_eq!(
            (e.kind, e.name.as_str(), e.size),
            (EntryKind::File, "a.txt", Some(12))
        );
        assert_eq!(e.mtime, Some(1_732_442_400));
        // ProFTPD.
        let e = mlsd_line(
            "modify=20240102030405;perm=adfr;size=12;type=file;unique=FD00U4A8;UNIX.group=1000;\
             UNIX.mode=0644;UNIX.owner=1000; notes  v2.txt",
        );
        assert_eq!((e.name.as_str(), e.size), ("notes  v2.txt", Some(12)));
        assert_eq!(
            (e.mtime, e.perms.as_deref()),
            (Some(1_704_164_645), Some("rw-r--r--"))
        );
        let e = mlsd_line(
            "modify=20240102030405;perm=flcdmpe;type=dir;unique=FD00U1;UNIX.mode=02775; shared",
        );
        assert_eq!(
            (e.kind, e.perms.as_deref()),
            (EntryKind::Dir, Some("rwxrwsr-x"))
        );
        let e = mlsd_line(
            "modify=20240102030405;perm=adfr;size=9;type=OS.unix=symlink;UNIX.mode=0777; lnk",
        );
        assert_eq!((e.kind, e.link_target), (EntryKind::Symlink, None));
        // Pure-FTPd.
        let e = mlsd_line(
            "type=OS.unix=slink:/srv/ftp/target dir;size=5;modify=20240102030405;UNIX.mode=0777; ln",
        );
        assert_eq!((e.kind, e.name.as_str()), (EntryKind::Symlink, "ln"));
        assert_eq!(e.link_target.as_deref(), Some("/srv/ftp/target dir"));
        let e = mlsd_line(
            "type=dir;sizd=4096;modify=20240102030405;UNIX.mode=1777;UNIX.uid=0;UNIX.gid=0;unique=803g2a; tmp",
        );
        assert_eq!(
            (e.kind, e.size, e.perms.as_deref()),
            (EntryKind::Dir, Some(4096), Some("rwxrwxrwt"))
        );
        // IIS.
        let e = mlsd_line("Type=dir;Modify=20240102030405.123; Some Dir");
        assert_eq!(
            (e.kind, e.name.as_str(), e.mtime),
            (EntryKind::Dir, "Some Dir", Some(1_704_164_645))
        );
        let e = mlsd_line("TYPE=FILE;SIZE=7;MODIFY=20240102030405.5;PERM=r; a;b; c.txt");
        assert_eq!(
            (e.kind, e.name.as_str(), e.size),
            (EntryKind::File, "a;b; c.txt", Some(7))
        );
        // MLST reply line (leading space), CRLF, unknown and device types.
        assert_eq!(mlsd_line(" type=file;size=1; /pub/x\r\n").name, "/pub/x");
        assert_eq!(
            mlsd_line("type=OS.unix=chr-1/3; null").kind,
            EntryKind::File
        );
        assert_eq!(mlsd_line("x.custom=1; nokind").kind, EntryKind::Unknown);
        assert_eq!(mlsd_line("type=file; ../escape").name, "../escape");
        assert_eq!(mlsd_line("type=file;size=1;  lead").name, " lead");

        for bad in [
            "",
            "hello world",
            "type=file;size=1 x",
            "type=file;",
            "type=file; ",
            "; x",
            "no equals; x",
            "-rw-r--r-- 1 u g 1 Jan 2 2020 a=b; c",
            "type=file;modify=2024; x\u{1F980};",
        ] {
            if bad == "type=file;modify=2024; x\u{1F980};" {
                assert_eq!(parse_mlsd_line(bad).map(|e| e.mtime), Some(None));
                continue;
            }
            assert!(parse_mlsd_line(bad).is_none(), "{bad:?}");
        }
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
}
