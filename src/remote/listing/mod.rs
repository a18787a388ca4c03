//! FTP directory-listing parser: MLSD/MLST fact lines, Unix `ls -l` style and DOS/IIS style
//! `LIST` lines.
//!
//! Everything here is pure, allocation-light and panic-free on any input. Names are kept raw
//! (no sanitising): the caller decides how to show them and whether to refuse them.
//!
//! `mlsd`, `unix` and `dos` parse one line of their format; `time` turns the dates they find
//! into unix seconds; `text` has the small lexing helpers they share.

mod dos;
mod mlsd;
mod text;
mod time;
mod unix;

use crate::entry::{Entry, EntryKind};
use dos::parse_dos;
use mlsd::mlsd;
use text::{tokens, trim_eol};
use unix::parse_unix;

/// Which command produced a listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListingFormat {
    Mlsd,
    List,
}

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

fn is_total_line(line: &str) -> bool {
    let (t, n) = tokens::<3>(line);
    n == 2
        && line[t[0].0..t[0].1].eq_ignore_ascii_case("total")
        && line.as_bytes()[t[1].0].is_ascii_digit()
}

#[cfg(test)]
mod tests;
