//! File operations on the server: plain blocking functions over a connection, run by the
//! session worker. A recursive delete reports progress through a callback.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use suppaftp::Status;

use super::connect::Connection;
use super::{RemoteError, ops, path as rpath};
use crate::entry::EntryKind;
use crate::safety::{self, DirId, Walk, WalkRefusal};

/// A change to make on the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RemoteOp {
    Mkdir {
        path: String,
    },
    /// Refuses an existing `to` (found even when listings hide it) unless `overwrite`.
    Rename {
        from: String,
        to: String,
        overwrite: bool,
    },
    /// Delete files and (recursively) directories: `(path, is_dir)`.
    Delete {
        targets: Vec<(String, bool)>,
    },
    /// `SITE CHMOD` with an octal mode.
    Chmod {
        path: String,
        mode: u32,
    },
    /// Copy a remote file to a local file (at most `max_bytes`), for viewing or editing.
    Fetch {
        path: String,
        to: PathBuf,
        max_bytes: u64,
    },
    /// Replace a remote file with a local one (after editing).
    Store {
        from: PathBuf,
        to: String,
    },
}

/// Settings a file operation needs.
#[derive(Debug, Clone, Copy)]
pub struct OpOptions {
    pub timeout_secs: u64,
    pub prefer_mlsd: bool,
    /// How deep a recursive delete may go.
    pub max_depth: usize,
}

/// Run `op`; `progress(n)` is called as entries are deleted. Returns a message for the user.
pub fn run(
    conn: &mut Connection,
    op: &RemoteOp,
    opts: OpOptions,
    progress: &mut dyn FnMut(usize),
) -> Result<String, RemoteError> {
    let secs = opts.timeout_secs;
    match op {
        RemoteOp::Mkdir { path } => {
            conn.ftp
                .mkdir(path)
                .map_err(|e| RemoteError::from_ftp(e, "creating the directory", secs))?;
            Ok(format!("Created {}", crate::sanitize::display_name(path)))
        }
        RemoteOp::Rename {
            from,
            to,
            overwrite,
        } => {
            // vsftpd hides dotfiles and most servers replace silently: look before renaming.
            if let Some(kind) = ops::probe(conn, to, secs)? {
                if kind == EntryKind::Dir || !overwrite {
                    return Err(RemoteError::Exists {
                        name: rpath::file_name(to).unwrap_or(to).to_string(),
                        dir: kind == EntryKind::Dir,
                    });
                }
            }
            conn.ftp
                .rename(from, to)
                .map_err(|e| RemoteError::from_ftp(e, "renaming", secs))?;
            Ok(format!(
                "Renamed to {}",
                crate::sanitize::display_name(rpath::file_name(to).unwrap_or(to))
            ))
        }
        RemoteOp::Delete { targets } => delete(conn, targets, opts, progress),
        RemoteOp::Chmod { path, mode } => {
            let cmd = format!("SITE CHMOD {mode:o} {path}");
            conn.ftp
                .custom_command(cmd, &[Status::CommandOk])
                .map_err(|e| RemoteError::from_ftp(e, "changing permissions", secs))?;
            Ok(format!("Permissions set to {mode:o}"))
        }
        RemoteOp::Fetch {
            path,
            to,
            max_bytes,
        } => fetch(conn, path, to, *max_bytes, secs),
        RemoteOp::Store { from, to } => store(conn, from, to, secs),
    }
}

/// Most entries a recursive delete plans before it refuses (a listing that never ends).
const MAX_DELETE_ENTRIES: usize = 5_000_000;

/// One step of a delete plan.
enum Removal {
    /// A file, or a link (removed as a link, never followed).
    Entry(String),
    /// A directory, once its contents are gone.
    Dir(String),
}

/// Delete files and directory trees. The whole plan is made first, walking each tree by the
/// rules of [`crate::safety::walk`] (links are removed as links, never entered; a loop or a
/// tree deeper than the limit stops the delete before anything is removed); then it is carried
/// out, contents before their directory.
fn delete(
    conn: &mut Connection,
    targets: &[(String, bool)],
    opts: OpOptions,
    progress: &mut dyn FnMut(usize),
) -> Result<String, RemoteError> {
    let secs = opts.timeout_secs;
    let mut plan = Vec::new();
    for (path, is_dir) in targets {
        if !*is_dir {
            plan.push(Removal::Entry(path.clone()));
            continue;
        }
        let above = ops::parent_ids(conn, path, secs)?;
        let walk = Walk {
            above: above.len(),
            ancestors: above,
            unique: ops::mlst(conn, path, secs)?.and_then(|e| e.unique),
        };
        plan_tree(conn, path, walk, opts, &mut plan)?;
    }
    let mut count = 0;
    for step in &plan {
        match step {
            Removal::Entry(p) => ops::remove_file(conn, p, secs)?,
            Removal::Dir(p) => {
                // Leave the directory before removing it: some servers refuse to remove the cwd.
                let _ = conn.ftp.cwd("/");
                ops::remove_dir(conn, p, secs)?;
            }
        }
        count += 1;
        progress(count);
    }
    Ok(format!(
        "Deleted {count} {}",
        if count == 1 { "entry" } else { "entries" }
    ))
}

fn plan_tree(
    conn: &mut Connection,
    dir: &str,
    walk: Walk,
    opts: OpOptions,
    plan: &mut Vec<Removal>,
) -> Result<(), RemoteError> {
    let refused = |r: WalkRefusal| RemoteError::Other(format!("nothing was deleted: {r}"));
    let listing = ops::list_dir(conn, dir, opts.prefer_mlsd, opts.timeout_secs)?;
    let here = DirId {
        path: listing.path.clone(),
        unique: walk.unique.clone(),
    };
    match safety::walk::check_entered(&walk, dir, &here, opts.max_depth) {
        Ok(()) if !walk.is_root() || safety::walk::same_path(dir, &here.path) => {}
        // The server put us somewhere else: the entry is a link, removed as a link.
        Ok(()) | Err(WalkRefusal::Elsewhere { .. } | WalkRefusal::Loop { .. }) => {
            tracing::info!(
                "delete: {dir} is a link (entered {}); removing the link only",
                here.path
            );
            plan.push(Removal::Entry(dir.to_string()));
            return Ok(());
        }
        Err(r) => return Err(refused(r)),
    }
    // MLSD may show a symlinked directory as a plain one; LIST of the same directory tells.
    let links = if conn.features.mlsd && opts.prefer_mlsd {
        ops::links_in_cwd(conn, opts.timeout_secs)?
    } else {
        Default::default()
    };
    for e in listing.entries {
        if e.name.contains('/') || e.name == ".." || e.name == "." {
            return Err(RemoteError::Other(format!(
                "nothing was deleted: refusing to delete through the odd name {:?}",
                crate::sanitize::display_name(&e.name)
            )));
        }
        if plan.len() >= MAX_DELETE_ENTRIES {
            return Err(RemoteError::Other(format!(
                "nothing was deleted: more than {MAX_DELETE_ENTRIES} entries under {}",
                crate::sanitize::display_name(dir)
            )));
        }
        let child = rpath::join(dir, &e.name);
        match e.kind {
            EntryKind::Dir if links.contains(&e.name) => plan.push(Removal::Entry(child)),
            EntryKind::Dir => {
                let next = walk.child(here.clone(), e.unique.clone());
                plan_tree(conn, &child, next, opts, plan)?;
            }
            EntryKind::Unknown => {
                return Err(RemoteError::Other(format!(
                    "nothing was deleted: a listing line under {} could not be read ({})",
                    crate::sanitize::display_name(dir),
                    crate::sanitize::display_name(&e.name)
                )));
            }
            // Files, and links (removed as links).
            EntryKind::File | EntryKind::Symlink => plan.push(Removal::Entry(child)),
        }
    }
    plan.push(Removal::Dir(dir.to_string()));
    Ok(())
}

fn fetch(
    conn: &mut Connection,
    path: &str,
    to: &Path,
    max: u64,
    secs: u64,
) -> Result<String, RemoteError> {
    let local_err = |e: std::io::Error| {
        RemoteError::Other(format!(
            "{}: {}",
            to.display(),
            crate::local::plain_io_error(&e)
        ))
    };
    let mut stream = conn
        .ftp
        .retr_as_stream(path)
        .map_err(|e| RemoteError::from_ftp(e, "downloading", secs))?;
    // Created only once the server agreed to send; never through a planted symlink.
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut file = match opts.open(to) {
        Ok(f) => f,
        Err(e) => {
            let _ = stream.finish();
            return Err(local_err(e));
        }
    };
    let mut buf = vec![0u8; 64 * 1024];
    let mut total = 0u64;
    let mut truncated = false;
    loop {
        let n = match stream.read(&mut buf) {
            Ok(n) => n,
            Err(e) => return Err(data_error(stream.finish(), e, "downloading", secs)),
        };
        if n == 0 {
            break;
        }
        if total + n as u64 > max {
            let take = (max - total) as usize;
            file.write_all(&buf[..take]).map_err(local_err)?;
            truncated = true;
            break;
        }
        file.write_all(&buf[..n]).map_err(local_err)?;
        total += n as u64;
    }
    // Stopping early is a cancel: close the data connection and read the server's reply.
    let finished = stream.finish();
    if !truncated {
        finished.map_err(|e| RemoteError::from_ftp(e, "downloading", secs))?;
    }
    Ok(if truncated {
        "truncated".into()
    } else {
        "complete".into()
    })
}

/// A data connection failed mid-transfer: the server's reply (a refusal such as 550 or 552)
/// says why better than the socket error does; only without a reply is the connection lost.
fn data_error(
    finished: Result<(), suppaftp::FtpError>,
    io: std::io::Error,
    during: &str,
    secs: u64,
) -> RemoteError {
    match finished {
        Err(e @ suppaftp::FtpError::UnexpectedResponse(_)) => {
            RemoteError::from_ftp(e, during, secs)
        }
        Ok(()) => RemoteError::Other(format!("the transfer was interrupted: {io}")),
        Err(_) => RemoteError::ConnectionLost {
            detail: format!("{io} (during {during})"),
        },
    }
}

fn store(conn: &mut Connection, from: &Path, to: &str, secs: u64) -> Result<String, RemoteError> {
    let mut file = std::fs::File::open(from).map_err(|e| {
        RemoteError::Other(format!(
            "{}: {}",
            from.display(),
            crate::local::plain_io_error(&e)
        ))
    })?;
    let mut stream = conn
        .ftp
        .put_with_stream(to)
        .map_err(|e| RemoteError::from_ftp(e, "uploading", secs))?;
    if let Err(e) = std::io::copy(&mut file, &mut stream) {
        return Err(data_error(stream.finish(), e, "uploading", secs));
    }
    stream
        .finish()
        .map_err(|e| RemoteError::from_ftp(e, "uploading", secs))?;
    Ok(format!("Saved {}", crate::sanitize::display_name(to)))
}

/// `"755"`, `"0644"` or `"rwxr-xr-x"` -> the mode bits.
pub fn parse_mode(s: &str) -> Result<u32, String> {
    let s = s.trim();
    if !s.is_empty() && s.len() <= 4 && s.chars().all(|c| ('0'..='7').contains(&c)) {
        return u32::from_str_radix(s, 8).map_err(|e| e.to_string());
    }
    let bad = || format!("{s:?}: use octal (755) or rwx form (rwxr-xr-x)");
    // Counted in characters, not bytes: typed text may be any Unicode.
    let mut chars: Vec<char> = s.chars().collect();
    // `ls -l` form: the first of ten characters is the file type.
    if chars.len() == 10 && "-dlbcps".contains(chars[0]) {
        chars.remove(0);
    }
    if chars.len() != 9 {
        return Err(bad());
    }
    let mut mode = 0;
    for (i, c) in chars.into_iter().enumerate() {
        let expected = ['r', 'w', 'x'][i % 3];
        let bit = 1 << (8 - i);
        match c {
            '-' => {}
            c if c == expected => mode |= bit,
            _ => return Err(bad()),
        }
    }
    Ok(mode)
}

#[cfg(test)]
mod tests {
    use super::parse_mode;

    #[test]
    fn modes() {
        assert_eq!(parse_mode("755"), Ok(0o755));
        assert_eq!(parse_mode("0644"), Ok(0o644));
        assert_eq!(parse_mode("rwxr-x---"), Ok(0o750));
        assert_eq!(parse_mode("-rw-r--r--"), Ok(0o644));
        assert!(parse_mode("999").is_err());
        assert!(parse_mode("rwxrwxrwz").is_err());
        assert!(parse_mode("").is_err());
        assert!(parse_mode("é12345678").is_err());
    }

    #[test]
    fn multibyte_input_is_an_error_not_a_panic() {
        // 10 bytes, 9 characters: slicing bytes used to panic inside "é".
        assert!(parse_mode("é12345678").is_err());
        assert!(parse_mode("érwxr-xr-x").is_err());
        assert!(parse_mode("-rwxr-xr-é").is_err());
    }
}
