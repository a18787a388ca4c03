//! File operations on the server: plain blocking functions over a connection, run by the
//! session worker. A recursive delete reports progress through a callback.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use suppaftp::Status;

use super::connect::Connection;
use super::{RemoteError, ops, path as rpath};
use crate::entry::EntryKind;

/// A change to make on the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RemoteOp {
    Mkdir {
        path: String,
    },
    Rename {
        from: String,
        to: String,
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

/// Run `op`; `progress(n)` is called as entries are deleted. Returns a message for the user.
pub fn run(
    conn: &mut Connection,
    op: &RemoteOp,
    secs: u64,
    prefer_mlsd: bool,
    progress: &mut dyn FnMut(usize),
) -> Result<String, RemoteError> {
    match op {
        RemoteOp::Mkdir { path } => {
            conn.ftp
                .mkdir(path)
                .map_err(|e| RemoteError::from_ftp(e, "creating the directory", secs))?;
            Ok(format!("Created {}", crate::sanitize::display_name(path)))
        }
        RemoteOp::Rename { from, to } => {
            conn.ftp
                .rename(from, to)
                .map_err(|e| RemoteError::from_ftp(e, "renaming", secs))?;
            Ok(format!(
                "Renamed to {}",
                crate::sanitize::display_name(rpath::file_name(to).unwrap_or(to))
            ))
        }
        RemoteOp::Delete { targets } => {
            let mut count = 0;
            for (path, is_dir) in targets {
                if *is_dir {
                    delete_tree(conn, path, secs, prefer_mlsd, &mut count, progress)?;
                } else {
                    ops::remove_file(conn, path, secs)?;
                    count += 1;
                    progress(count);
                }
            }
            Ok(format!(
                "Deleted {count} {}",
                if count == 1 { "entry" } else { "entries" }
            ))
        }
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

/// Depth first: a directory's contents, then the directory.
fn delete_tree(
    conn: &mut Connection,
    dir: &str,
    secs: u64,
    prefer_mlsd: bool,
    count: &mut usize,
    progress: &mut dyn FnMut(usize),
) -> Result<(), RemoteError> {
    let listing = ops::list_dir(conn, dir, prefer_mlsd, secs)?;
    for e in listing.entries {
        if e.name.contains('/') || e.name == ".." || e.name == "." {
            return Err(RemoteError::Other(format!(
                "refusing to delete through the odd name {:?}",
                crate::sanitize::display_name(&e.name)
            )));
        }
        let child = rpath::join(dir, &e.name);
        if e.kind == EntryKind::Dir {
            delete_tree(conn, &child, secs, prefer_mlsd, count, progress)?;
        } else {
            ops::remove_file(conn, &child, secs)?;
            *count += 1;
            progress(*count);
        }
    }
    // Leave the directory before removing it: some servers refuse to remove the cwd.
    let _ = conn.ftp.cwd("/");
    ops::remove_dir(conn, dir, secs)?;
    *count += 1;
    progress(*count);
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
    // Lengths in characters: a multi-byte first character must not be cut in half.
    let chars: Vec<char> = s.chars().collect();
    let perms = match chars.len() {
        9 => &chars[..],
        10 => &chars[1..],
        _ => return Err(format!("{s:?}: use octal (755) or rwx form (rwxr-xr-x)")),
    };
    let mut mode = 0;
    for (i, &c) in perms.iter().enumerate() {
        let expected = ['r', 'w', 'x'][i % 3];
        let bit = 1 << (8 - i);
        match c {
            '-' => {}
            c if c == expected => mode |= bit,
            _ => return Err(format!("{s:?}: use octal (755) or rwx form (rwxr-xr-x)")),
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
        assert_eq!(parse_mode("érwxr-xr-x"), Ok(0o755));
    }
}
