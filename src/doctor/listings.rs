//! The listing probes: MLSD against LIST (how many lines each sends, how many are
//! understood), and the server's clock from the MDTM of a file they listed.

use super::probe::{Limits, secs};
use super::{Level, Report};
use crate::entry::EntryKind;
use crate::remote::connect::Connection;
use crate::remote::ops;
use crate::sanitize::display_name;

/// How many entries of a listing were understood.
fn understood(entries: &[crate::entry::Entry]) -> usize {
    entries
        .iter()
        .filter(|e| e.kind != EntryKind::Unknown)
        .count()
}

pub(super) fn listings(report: &mut Report, conn: &mut Connection, timeouts: Limits<'_>) {
    let secs = secs(timeouts);
    let mut mlsd_entries = None;
    if conn.features.mlsd {
        match ops::list_dir(conn, "", true, secs) {
            Ok(l) => {
                let (n, ok) = (l.entries.len(), understood(&l.entries));
                let level = if ok == n { Level::Ok } else { Level::Warn };
                report.push(
                    "mlsd",
                    level,
                    format!("MLSD works: {}, {ok} understood (exact sizes and UTC times; ftpdeck uses it)", lines(n)),
                );
                mlsd_entries = Some(l.entries);
            }
            Err(e) => report.push(
                "mlsd",
                Level::Warn,
                format!("FEAT offers MLSD, but it fails: {e}"),
            ),
        }
    } else {
        report.push(
            "mlsd",
            Level::Info,
            "MLSD is not offered: ftpdeck reads LIST (times in the server's format, often to the minute)",
        );
    }
    let list_entries = match ops::list_dir(conn, "", false, secs) {
        Ok(l) => {
            let (n, ok) = (l.entries.len(), understood(&l.entries));
            let level = if ok == n { Level::Ok } else { Level::Warn };
            report.push(
                "list",
                level,
                format!("LIST works: {}, {ok} understood", lines(n)),
            );
            l.entries
        }
        Err(e) => {
            report.push("list", Level::Warn, format!("LIST fails: {e}"));
            Vec::new()
        }
    };
    clock(
        report,
        conn,
        &conn.home.clone(),
        &list_entries,
        mlsd_entries.as_deref(),
        secs,
    );
}

/// The server's clock against ours, from the MDTM of a file it listed: MDTM is UTC by the
/// RFC; LIST shows the server's local time.
fn clock(
    report: &mut Report,
    conn: &mut Connection,
    dir: &str,
    list: &[crate::entry::Entry],
    mlsd: Option<&[crate::entry::Entry]>,
    secs: u64,
) {
    let Some(file) = list
        .iter()
        .chain(mlsd.unwrap_or_default())
        .find(|e| e.kind == EntryKind::File)
    else {
        report.push(
            "clock",
            Level::Info,
            "The login directory holds no file: the server's clock was not compared",
        );
        return;
    };
    let path = crate::remote::path::join(dir, &file.name);
    let name = display_name(&file.name);
    let mdtm = match ops::mtime(conn, &path, secs) {
        Ok(Some(t)) => t,
        Ok(None) | Err(_) => {
            report.push(
                "clock",
                Level::Info,
                format!("MDTM {name} gives no time: the server's clock was not compared"),
            );
            return;
        }
    };
    let now = chrono::Utc::now().timestamp();
    let mut notes = Vec::new();
    let mut level = Level::Ok;
    if mdtm > now + 300 {
        level = Level::Warn;
        notes.push(format!(
            "it is {} in our future: the server's clock is ahead of ours (or set to the wrong time zone)",
            span(mdtm - now)
        ));
    }
    let list_time = list
        .iter()
        .find(|e| e.name == file.name)
        .and_then(|e| e.mtime);
    if let Some(t) = list_time {
        let off = t - mdtm;
        if t % 86_400 == 0 && off.abs() < 86_400 {
            notes.push("LIST shows only the date".into());
        } else if off.abs() >= 3600 - 120 {
            if level == Level::Ok {
                level = Level::Info;
            }
            notes.push(format!(
                "LIST shows it {} {} (the server lists its local time, not UTC)",
                span(off.abs()),
                if off > 0 { "later" } else { "earlier" }
            ));
        } else {
            notes.push("LIST agrees".into());
        }
    }
    if let Some(t) = mlsd
        .and_then(|m| m.iter().find(|e| e.name == file.name))
        .and_then(|e| e.mtime)
    {
        if (t - mdtm).abs() > 1 {
            level = level.max(Level::Warn);
            notes.push(format!("MLSD says {} otherwise", span((t - mdtm).abs())));
        } else {
            notes.push("MLSD agrees".into());
        }
    }
    let when = chrono::DateTime::from_timestamp(mdtm, 0)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_default();
    report.push(
        "clock",
        level,
        format!("MDTM {name}: {when}; {}", notes.join("; ")),
    );
}

/// `1 line`, `3 lines`.
fn lines(n: usize) -> String {
    if n == 1 {
        "1 line".into()
    } else {
        format!("{n} lines")
    }
}

/// `3 h 5 min`, `12 min`, `40 s`.
fn span(secs: i64) -> String {
    let (h, m, s) = (secs / 3600, secs % 3600 / 60, secs % 60);
    match (h, m) {
        (0, 0) => format!("{s} s"),
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_read_as_hours_minutes_seconds() {
        assert_eq!(span(3 * 3600 + 300), "3 h 5 min");
        assert_eq!(span(40), "40 s");
        assert_eq!(span(7200), "2 h");
    }
}
