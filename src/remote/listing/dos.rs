//! DOS / IIS `LIST` lines.

use super::text::{num_sat, num_sat_u, split3, tokens};
use super::time::{hh_mm, timestamp};
use crate::entry::{Entry, EntryKind};

/// `01-02-23  03:04PM       <DIR>          Some Dir`, `2023-01-02  15:04  1234 file.txt`.
pub(super) fn parse_dos(line: &str) -> Option<Entry> {
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

fn am_pm(s: &str) -> Option<bool> {
    if s.eq_ignore_ascii_case("am") {
        Some(false)
    } else if s.eq_ignore_ascii_case("pm") {
        Some(true)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::remote::listing::tests::{list, utc};
    use crate::remote::listing::time::year_of;

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
        assert_eq!(e.mtime.and_then(year_of), Some(2069));
        let e = list("01-02-70  03:04PM                12 y70");
        assert_eq!(e.mtime.and_then(year_of), Some(1970));
    }

    #[test]
    fn feb_29_and_impossible_dates() {
        let e = list("02-29-24  10:00AM                7 leap");
        assert_eq!(e.mtime, Some(utc(2024, 2, 29, 10, 0, 0)));
        let e = list("2024-02-29  23:59               7 leap");
        assert_eq!(e.mtime, Some(utc(2024, 2, 29, 23, 59, 0)));
        for bad in [
            "02-29-23  10:00AM",
            "02-29-1900  10:00AM",
            "02-30-24  10:00AM",
            "04-31-24  10:00AM",
            "00-10-24  10:00AM",
            "2024-02-30  10:00",
            "01-01-24  00:00AM",
            "01-01-24  10:60AM",
        ] {
            let e = list(&format!("{bad}                7 f"));
            assert_eq!(
                (e.kind, e.name.as_str(), e.size, e.mtime),
                (EntryKind::File, "f", Some(7), None),
                "{bad}"
            );
        }
    }
}
