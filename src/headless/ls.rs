//! `ftpdeck ls REMOTE`: what a directory holds (or one file), for scripts — the same listing
//! code as the panes (MLSD where offered, else LIST; Unix, DOS and MLSD lines). Names are
//! printed sanitised, one per line, directories with a trailing `/`; `--long` adds kind,
//! permissions, size and time; `--json` prints the entries with their raw names.

use std::io::Write;

use super::{Common, Fatal, connect_failed, creds, parse_remote, run};
use crate::entry::{Entry, EntryKind};
use crate::remote::{connect, ops, path as rpath};

/// How `ls` prints.
#[derive(Debug, Clone, Copy, Default)]
pub struct LsArgs {
    pub long: bool,
    /// Names starting with `.` too.
    pub all: bool,
    pub mlsd: bool,
}

/// List `remote`; the exit status.
pub fn ls(remote: &str, args: LsArgs, common: &Common) -> u8 {
    let listed = run(common, || {
        let t = parse_remote(remote)?;
        let path = t.path.clone();
        let mut profile = creds::complete(t, common)?;
        if common.active {
            profile.data_mode = crate::remote::DataMode::Active;
        }
        let mut conn = connect::connect(&profile, Default::default()).map_err(connect_failed)?;
        let target = rpath::start_dir(&conn.home, &path);
        let secs = 30;
        let listing = match ops::probe(&mut conn, &target, secs)? {
            Some(EntryKind::Dir) => ops::list_dir(&mut conn, &target, args.mlsd, secs)?,
            Some(_) => {
                // One file: its line from its directory's listing.
                let dir = rpath::parent(&target).unwrap_or_else(|| "/".into());
                let name = rpath::file_name(&target).unwrap_or_default().to_string();
                let mut l = ops::list_dir(&mut conn, &dir, args.mlsd, secs)?;
                l.entries.retain(|e| e.name == name);
                if l.entries.is_empty() {
                    l.entries.push(Entry::new(name, EntryKind::File));
                }
                l
            }
            None => {
                return Err(Fatal(format!(
                    "{}: no such file or directory on the server",
                    crate::sanitize::display_name(&target)
                )));
            }
        };
        let _ = conn.ftp.quit();
        Ok(listing)
    });
    let listing = match listed {
        Ok(l) => l,
        Err(code) => return code,
    };
    let mut entries: Vec<&Entry> = listing
        .entries
        .iter()
        .filter(|e| e.name != "." && e.name != "..")
        .filter(|e| args.all || !e.name.starts_with('.'))
        .collect();
    entries.sort_by(|a, b| a.name.cmp(&b.name));
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let written = if common.json {
        let list: Vec<serde_json::Value> = entries.iter().map(|e| json(e)).collect();
        let doc = serde_json::json!({
            "path": listing.path,
            "entries": list,
            "truncated": listing.truncated.is_some(),
        });
        writeln!(out, "{doc}")
    } else {
        entries
            .iter()
            .try_for_each(|e| writeln!(out, "{}", line(e, args.long)))
    }
    .and_then(|()| out.flush());
    if written.is_err() {
        // A closed pipe (`ftpdeck ls … | head`) is not worth a message.
        return super::OK;
    }
    if let Some(why) = &listing.truncated {
        let _ = writeln!(
            std::io::stderr().lock(),
            "ftpdeck: listing cut short: {why}"
        );
        return super::SOME_FAILED;
    }
    super::OK
}

fn kind_word(k: EntryKind) -> &'static str {
    match k {
        EntryKind::File => "file",
        EntryKind::Dir => "dir",
        EntryKind::Symlink => "link",
        EntryKind::Unknown => "unknown",
    }
}

fn json(e: &Entry) -> serde_json::Value {
    serde_json::json!({
        "name": e.name,
        "kind": kind_word(e.kind),
        "size": e.size,
        "mtime": e.mtime,
        "perms": e.perms,
        "link_target": e.link_target,
    })
}

/// `docs/`, or with `long`: `d rwxr-xr-x        4096 2026-12-02 14:56 docs/`.
pub fn line(e: &Entry, long: bool) -> String {
    let mut name = crate::sanitize::display_name(&e.name);
    if e.kind == EntryKind::Dir {
        name.push('/');
    }
    if !long {
        return name;
    }
    let kind = match e.kind {
        EntryKind::File => '-',
        EntryKind::Dir => 'd',
        EntryKind::Symlink => 'l',
        EntryKind::Unknown => '?',
    };
    let perms = e.perms.as_deref().unwrap_or("---------");
    let size = e.size.map_or_else(|| "-".to_string(), |s| s.to_string());
    let time = e
        .mtime
        .and_then(|t| chrono::DateTime::from_timestamp(t, 0))
        .map_or_else(
            || "-".to_string(),
            |t| t.format("%Y-%m-%d %H:%M").to_string(),
        );
    let mut s = format!(
        "{kind}{} {size:>12} {time:>16} {name}",
        crate::sanitize::display_name(perms)
    );
    if let Some(target) = &e.link_target {
        s.push_str(" -> ");
        s.push_str(&crate::sanitize::display_name(target));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_line_has_kind_perms_size_time_and_a_sanitised_name() {
        let e = Entry {
            size: Some(4096),
            mtime: Some(1_796_223_360),
            perms: Some("rwxr-xr-x".into()),
            ..Entry::new("do\u{1b}[2Jcs", EntryKind::Dir)
        };
        let l = line(&e, true);
        assert!(!l.contains('\u{1b}'), "{l:?}");
        assert!(
            l.starts_with("drwxr-xr-x         4096 2026-12-02 14:56 do"),
            "{l}"
        );
        assert!(l.ends_with("cs/"), "{l}");
        assert_eq!(line(&Entry::new("a.txt", EntryKind::File), false), "a.txt");
    }
}
