//! Plain blocking operations over a logged-in connection, shared by the session worker and the
//! transfer workers. Each maps suppaftp's errors to a [`RemoteError`].

use suppaftp::{FtpError, Status};

use super::RemoteError;
use super::connect::Connection;
use super::listing::{self, ListingFormat};
use super::session::Listing;
use crate::entry::EntryKind;

/// List `path` (empty: the login directory): CWD there, read PWD, then MLSD (when offered and
/// `prefer_mlsd`) or LIST without an argument, so no server misreads a name with spaces or one
/// starting with `-` as options. The listing is read as a stream and parsed line by line, and
/// stops at the connection's [`ListingLimits`] (a listing that never ends would otherwise eat
/// all memory); `Listing::truncated` then says so.
pub fn list_dir(
    conn: &mut Connection,
    path: &str,
    prefer_mlsd: bool,
    timeout_secs: u64,
) -> Result<Listing, RemoteError> {
    let target = if path.is_empty() {
        conn.home.clone()
    } else {
        path.to_string()
    };
    conn.ftp
        .cwd(&target)
        .map_err(|e| RemoteError::from_ftp(e, "changing directory", timeout_secs))?;
    let cwd = conn
        .ftp
        .pwd()
        .map_err(|e| RemoteError::from_ftp(e, "reading the working directory", timeout_secs))?;
    let (command, format) = if conn.features.mlsd && prefer_mlsd {
        ("MLSD", ListingFormat::Mlsd)
    } else {
        ("LIST", ListingFormat::List)
    };
    let (entries, truncated) = read_listing(conn, command, format, timeout_secs)?;
    Ok(Listing {
        path: cwd,
        entries,
        truncated,
    })
}

/// The names that a `LIST` of the working directory shows as symlinks. Servers whose MLSD
/// reports a symlinked directory as a plain one (pyftpdlib) still show it in `LIST`, so a walk
/// that deletes asks both.
pub fn links_in_cwd(
    conn: &mut Connection,
    timeout_secs: u64,
) -> Result<std::collections::HashSet<String>, RemoteError> {
    let (entries, _) = read_listing(conn, "LIST -a", ListingFormat::List, timeout_secs)?;
    Ok(entries
        .into_iter()
        .filter(|e| e.kind == EntryKind::Symlink)
        .map(|e| e.name)
        .collect())
}

/// How much of one listing is read at most.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListingLimits {
    pub max_entries: usize,
    pub max_bytes: u64,
}

impl Default for ListingLimits {
    fn default() -> Self {
        crate::config::NetworkSettings::default().listing_limits()
    }
}

/// Longest listing line kept whole (a longer one is cut there).
const MAX_LINE: usize = 1024 * 1024;

fn read_listing(
    conn: &mut Connection,
    command: &str,
    format: ListingFormat,
    timeout_secs: u64,
) -> Result<(Vec<crate::entry::Entry>, Option<String>), RemoteError> {
    use std::io::{BufRead, Read};
    let limits = conn.listing_limits;
    let (_, stream) = conn
        .ftp
        .custom_data_command(command, &[Status::AboutToSend, Status::AlreadyOpen])
        .map_err(|e| RemoteError::from_ftp(e, "listing", timeout_secs))?;
    let mut reader = std::io::BufReader::with_capacity(64 * 1024, stream);
    let now = chrono::Utc::now().timestamp();
    let mut entries = Vec::new();
    let mut bytes = 0u64;
    let mut line = Vec::new();
    let mut truncated = None;
    loop {
        line.clear();
        let n = match Read::take(&mut reader, MAX_LINE as u64).read_until(b'\n', &mut line) {
            Ok(n) => n,
            Err(e) => {
                let _ = reader.into_inner().finish();
                return Err(RemoteError::ConnectionLost {
                    detail: format!("{} (during listing)", crate::local::plain_io_error(&e)),
                });
            }
        };
        if n == 0 {
            break;
        }
        bytes += n as u64;
        let text = conn.codec.decode(&line);
        entries.extend(listing::parse_listing(&[text], format, now));
        if entries.len() >= limits.max_entries || bytes >= limits.max_bytes {
            truncated = Some(format!(
                "the listing was cut at {} entries ({}): the server sent more than network.max_listing_entries / max_listing_mib allow",
                entries.len(),
                crate::words::human_size(bytes)
            ));
            break;
        }
    }
    let finished = reader.into_inner().finish();
    match (finished, &truncated) {
        (Ok(()), _) => {}
        // We stopped reading: the server's 426 (or a broken pipe) is expected.
        (Err(suppaftp::FtpError::UnexpectedResponse(_)), Some(_)) => {}
        (Err(e), _) => return Err(RemoteError::from_ftp(e, "listing", timeout_secs)),
    }
    Ok((entries, truncated))
}

/// Size of a remote file, or `None` when it does not exist (550) or SIZE is not supported.
pub fn size(
    conn: &mut Connection,
    path: &str,
    timeout_secs: u64,
) -> Result<Option<u64>, RemoteError> {
    match conn.ftp.size(path) {
        Ok(n) => Ok(Some(n as u64)),
        Err(FtpError::UnexpectedResponse(_)) | Err(FtpError::BadResponse) => Ok(None),
        Err(e) => Err(RemoteError::from_ftp(
            e,
            "asking the file size",
            timeout_secs,
        )),
    }
}

/// Modification time of a remote file (MDTM), as Unix seconds; `None` when unknown.
pub fn mtime(
    conn: &mut Connection,
    path: &str,
    timeout_secs: u64,
) -> Result<Option<i64>, RemoteError> {
    match conn.ftp.mdtm(path) {
        Ok(t) => Ok(Some(t.and_utc().timestamp())),
        Err(FtpError::UnexpectedResponse(_)) | Err(FtpError::BadResponse) => Ok(None),
        Err(e) => Err(RemoteError::from_ftp(
            e,
            "asking the modification time",
            timeout_secs,
        )),
    }
}

/// Set a remote file's modification time: with MFMT where FEAT offers it, else with
/// `MDTM YYYYMMDDHHMMSS path` (vsftpd's `mdtm_write`), tried once per connection. A server
/// that can do neither keeps its own time (a refusal is not an error).
pub fn set_mtime(
    conn: &mut Connection,
    path: &str,
    secs: i64,
    timeout_secs: u64,
) -> Result<(), RemoteError> {
    let Some(cmd) = mtime_command(conn, path, secs) else {
        return Ok(());
    };
    match conn.ftp.custom_command(cmd, &[Status::File]) {
        Ok(_) => {
            mtime_reply(conn, true);
            Ok(())
        }
        Err(FtpError::UnexpectedResponse(_)) => {
            mtime_reply(conn, false);
            Ok(())
        }
        Err(e) => Err(RemoteError::from_ftp(
            e,
            "setting the modification time",
            timeout_secs,
        )),
    }
}

/// The command that sets `path`'s time to `secs` here, if any (see [`set_mtime`]).
fn mtime_command(conn: &Connection, path: &str, secs: i64) -> Option<String> {
    let stamp = chrono::DateTime::from_timestamp(secs, 0)?.format("%Y%m%d%H%M%S");
    if conn.features.mfmt {
        Some(format!("MFMT {stamp} {path}"))
    } else if conn.mdtm_sets != Some(false) {
        Some(format!("MDTM {stamp} {path}"))
    } else {
        None
    }
}

/// What a reply to [`mtime_command`]'s command teaches about this server.
fn mtime_reply(conn: &mut Connection, accepted: bool) {
    if !conn.features.mfmt && conn.mdtm_sets.is_none() {
        conn.mdtm_sets = Some(accepted);
    }
}

/// [`size`] of `path` and [`set_mtime`] to `secs`, both commands in one write when the
/// connection pipelines (one round trip instead of two); else one after the other.
pub fn size_setting_mtime(
    conn: &mut Connection,
    path: &str,
    secs: i64,
    timeout_secs: u64,
) -> Result<Option<u64>, RemoteError> {
    let cmd = mtime_command(conn, path, secs);
    let Some(cmd) = cmd.filter(|_| conn.ftp.pipelining()) else {
        let size = size(conn, path, timeout_secs)?;
        set_mtime(conn, path, secs, timeout_secs)?;
        return Ok(size);
    };
    let replies = conn
        .ftp
        .pipelined_commands(&[format!("SIZE {path}"), cmd])
        .map_err(|e| RemoteError::from_ftp(e, "asking the file size", timeout_secs))?;
    if replies.len() != 2 {
        return Err(RemoteError::Protocol {
            detail: "a pipelined reply is missing".into(),
        });
    }
    Ok(size_and_time_replies(conn, &replies, Some(secs), true))
}

/// [`size_setting_mtime`] (only [`size`] when `secs` is `None` or the server has no time
/// command), with the PASV/EPSV and STOR that start the upload of `next` sent in the same
/// write: the server opens the next data port and file without waiting for this side to read
/// the replies. With [`Behind::InOrder`] the upload's replies are still to be read; with
/// [`Behind::TakenBack`] the server answered out of order and the upload was ended without
/// data. Only for a pipelining connection in passive mode.
pub fn size_setting_mtime_then_put(
    conn: &mut Connection,
    path: &str,
    secs: Option<i64>,
    next: &str,
    timeout_secs: u64,
) -> Result<(Option<u64>, suppaftp::Behind), RemoteError> {
    let mut commands = vec![format!("SIZE {path}")];
    let time = secs.and_then(|s| mtime_command(conn, path, s));
    let timed = time.is_some();
    commands.extend(time);
    let (replies, behind) = conn
        .ftp
        .pipelined_commands_then_put(&commands, next)
        .map_err(|e| RemoteError::from_ftp(e, "asking the file size", timeout_secs))?;
    let in_order = behind == suppaftp::Behind::InOrder;
    if in_order && replies.len() != commands.len() {
        return Err(RemoteError::Protocol {
            detail: "a pipelined reply is missing".into(),
        });
    }
    let secs = secs.filter(|_| timed);
    Ok((
        size_and_time_replies(conn, &replies, secs, in_order),
        behind,
    ))
}

/// The size in the replies to SIZE and (when `secs` is given) the command that set the time
/// to `secs`, and what the latter teaches about the server. `all`: there is one reply per
/// command; else only the replies known to be theirs (the positive ones), in any order.
///
/// Some servers (libunftp, which `ftpdeck serve` is built on) answer each command when its
/// work is done, not in the order they came: the reply that is `213 <number>` is SIZE's
/// wherever it is, as no time command answers so (one that echoes the time it set is told
/// apart by that time).
fn size_and_time_replies(
    conn: &mut Connection,
    replies: &[suppaftp::types::Response],
    secs: Option<i64>,
    all: bool,
) -> Option<u64> {
    let stamp = secs
        .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
        .map(|t| t.format("%Y%m%d%H%M%S").to_string())
        .and_then(|t| t.parse::<u64>().ok());
    let is_size = |r: &suppaftp::types::Response| size_in(r).is_some_and(|n| Some(n) != stamp);
    let size_at = if all {
        // In order, SIZE's reply is first unless only the second has its shape.
        match replies {
            [first, second, ..] if !is_size(first) && is_size(second) => Some(1),
            [_, ..] => Some(0),
            [] => None,
        }
    } else {
        // Out of order, two replies of SIZE's shape cannot be told apart: no size then.
        let mut sized = replies.iter().enumerate().filter(|(_, r)| is_size(r));
        match (sized.next(), sized.next()) {
            (Some((i, _)), None) => Some(i),
            _ => None,
        }
    };
    if secs.is_some() {
        // Out of order, only a reply that cannot be SIZE's is surely the time command's.
        let time_reply = replies
            .iter()
            .enumerate()
            .find(|&(i, r)| Some(i) != size_at && (all || !is_size(r)))
            .map(|(_, r)| r);
        // When not one reply is surely its, nothing is learnt.
        if let Some(r) = time_reply {
            mtime_reply(conn, r.status == Status::File);
        }
    }
    size_at.and_then(|i| size_in(&replies[i]))
}

/// The size in a reply to SIZE: `213 <bytes>`, the number last (as suppaftp reads it).
fn size_in(reply: &suppaftp::types::Response) -> Option<u64> {
    if reply.status != Status::File {
        return None;
    }
    reply.as_string().ok().and_then(|body| {
        body.split_whitespace()
            .skip(1)
            .last()
            .and_then(|n| n.parse().ok())
    })
}

/// Create a remote directory; an existing directory is fine.
pub fn ensure_dir(conn: &mut Connection, path: &str, timeout_secs: u64) -> Result<(), RemoteError> {
    make_dir(conn, path, timeout_secs).map(|_| ())
}

/// [`ensure_dir`], saying whether the directory was made now (`true`) or was there.
pub fn make_dir(conn: &mut Connection, path: &str, timeout_secs: u64) -> Result<bool, RemoteError> {
    match conn.ftp.mkdir(path) {
        Ok(()) => Ok(true),
        Err(FtpError::UnexpectedResponse(resp)) => {
            // 550 "exists" and 550 "permission denied" look alike: find out by entering it.
            match conn.ftp.cwd(path) {
                Ok(()) => Ok(false),
                Err(_) => Err(RemoteError::from_ftp(
                    FtpError::UnexpectedResponse(resp),
                    "creating a directory",
                    timeout_secs,
                )),
            }
        }
        Err(e) => Err(RemoteError::from_ftp(
            e,
            "creating a directory",
            timeout_secs,
        )),
    }
}

/// Delete a remote file.
pub fn remove_file(
    conn: &mut Connection,
    path: &str,
    timeout_secs: u64,
) -> Result<(), RemoteError> {
    conn.ftp
        .rm(path)
        .map_err(|e| RemoteError::from_ftp(e, "deleting", timeout_secs))
}

/// Remove an (empty) remote directory.
pub fn remove_dir(conn: &mut Connection, path: &str, timeout_secs: u64) -> Result<(), RemoteError> {
    conn.ftp
        .rmdir(path)
        .map_err(|e| RemoteError::from_ftp(e, "removing a directory", timeout_secs))
}

/// The MLST facts of one path, when the server offers MLST; `None` when it does not, or the
/// path does not exist.
pub fn mlst(
    conn: &mut Connection,
    path: &str,
    timeout_secs: u64,
) -> Result<Option<crate::entry::Entry>, RemoteError> {
    if !conn.features.mlsd {
        return Ok(None);
    }
    match conn.ftp.mlst(Some(path)) {
        Ok(line) => Ok(listing::parse_mlsd_line(&line)),
        Err(FtpError::UnexpectedResponse(_)) | Err(FtpError::BadResponse) => Ok(None),
        Err(e) => Err(RemoteError::from_ftp(
            e,
            "asking about a file",
            timeout_secs,
        )),
    }
}

/// The size of `path` as the server has it now, asked three ways: SIZE, else MLST, else a fresh
/// listing of its directory. `None` when no way tells (the size cannot be confirmed).
pub fn confirmed_size(
    conn: &mut Connection,
    path: &str,
    prefer_mlsd: bool,
    timeout_secs: u64,
) -> Result<Option<u64>, RemoteError> {
    let said = size(conn, path, timeout_secs)?;
    confirmed_size_after(conn, path, said, prefer_mlsd, timeout_secs)
}

/// [`confirmed_size`] once SIZE has `said` what it knows.
pub fn confirmed_size_after(
    conn: &mut Connection,
    path: &str,
    said: Option<u64>,
    prefer_mlsd: bool,
    timeout_secs: u64,
) -> Result<Option<u64>, RemoteError> {
    if let Some(n) = said {
        return Ok(Some(n));
    }
    if let Some(n) = mlst(conn, path, timeout_secs)?.and_then(|e| e.size) {
        return Ok(Some(n));
    }
    let (Some(dir), Some(name)) = (super::path::parent(path), super::path::file_name(path)) else {
        return Ok(None);
    };
    let listing = list_dir(conn, &dir, prefer_mlsd, timeout_secs)?;
    Ok(listing
        .entries
        .iter()
        .find(|e| e.name == name && e.kind == EntryKind::File)
        .and_then(|e| e.size))
}

/// What is at `path` on the server, found even where listings hide it (dotfiles on vsftpd):
/// SIZE, MLST, CWD, then `LIST -a` of its directory. `None` when nothing is there.
pub fn probe(
    conn: &mut Connection,
    path: &str,
    timeout_secs: u64,
) -> Result<Option<EntryKind>, RemoteError> {
    // CWD first: some servers answer SIZE for a directory too.
    match conn.ftp.cwd(path) {
        Ok(()) => return Ok(Some(EntryKind::Dir)),
        Err(FtpError::UnexpectedResponse(_)) => {}
        Err(e) => return Err(RemoteError::from_ftp(e, "checking a name", timeout_secs)),
    }
    if size(conn, path, timeout_secs)?.is_some() {
        return Ok(Some(EntryKind::File));
    }
    if let Some(e) = mlst(conn, path, timeout_secs)? {
        return Ok(Some(e.kind));
    }
    let (Some(dir), Some(name)) = (super::path::parent(path), super::path::file_name(path)) else {
        return Ok(None);
    };
    conn.ftp
        .cwd(&dir)
        .map_err(|e| RemoteError::from_ftp(e, "checking a name", timeout_secs))?;
    let lines = match conn.ftp.list(Some("-a")) {
        Ok(lines) => lines,
        Err(FtpError::UnexpectedResponse(_)) => return Ok(None),
        Err(e) => return Err(RemoteError::from_ftp(e, "checking a name", timeout_secs)),
    };
    let now = chrono::Utc::now().timestamp();
    Ok(listing::parse_listing(&lines, ListingFormat::List, now)
        .into_iter()
        .find(|e| e.name == name)
        .map(|e| e.kind))
}

/// The ids of the directories from `/` down to `path`'s parent, for loop detection in a walk
/// rooted at `path` (MLST `unique` where offered; the path alone otherwise).
pub fn parent_ids(
    conn: &mut Connection,
    path: &str,
    timeout_secs: u64,
) -> Result<Vec<crate::safety::DirId>, RemoteError> {
    let mut out = Vec::new();
    for p in crate::safety::walk::remote_parents(path) {
        let unique = if conn.features.unique {
            mlst(conn, &p, timeout_secs)?.and_then(|e| e.unique)
        } else {
            None
        };
        out.push(crate::safety::DirId { path: p, unique });
    }
    Ok(out)
}
