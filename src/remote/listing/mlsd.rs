//! MLSD/MLST fact lines.

use super::text::{num, strip_prefix_ci};
use super::time::timestamp;
use crate::entry::{Entry, EntryKind};

/// The entry, and whether it is the listed directory itself or its parent (cdir/pdir).
pub(super) fn mlsd(line: &str) -> Option<(Entry, bool)> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::remote::listing::parse_mlsd_line;
    use crate::remote::listing::tests::{mlsd_line, utc};

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
    fn feb_29_leap_seconds_and_impossible_dates() {
        let at = |modify: &str| mlsd_line(&format!("type=file;modify={modify}; f")).mtime;
        assert_eq!(at("20240229120000"), Some(utc(2024, 2, 29, 12, 0, 0)));
        assert_eq!(at("20000229000000.5"), Some(utc(2000, 2, 29, 0, 0, 0)));
        // A leap second is the first second of the next minute.
        assert_eq!(at("20161231235960"), Some(utc(2017, 1, 1, 0, 0, 0)));
        assert_eq!(at("00010101000000"), Some(utc(1, 1, 1, 0, 0, 0)));
        assert_eq!(at("99991231235959"), Some(utc(9999, 12, 31, 23, 59, 59)));
        for bad in [
            "20230229000000",
            "21000229000000",
            "20240230000000",
            "20240431000000",
            "20240001000000",
            "20241301000000",
            "20240100000000",
            "00000101000000",
            "20240101240000",
            "20240101006000",
            "20240101000061",
            "99999999999999",
        ] {
            assert_eq!(at(bad), None, "{bad}");
        }
    }
}
