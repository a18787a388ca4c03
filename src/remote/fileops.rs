//! Short changes on the server, run by the session worker: one or two commands each. Long
//! operations (deletes, recursive changes, fetches) are jobs of the transfer pool.

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
    /// Refuses an existing `to` (found even when listings hide it) unless `overwrite`.
    Rename {
        from: String,
        to: String,
        overwrite: bool,
    },
    /// `SITE CHMOD` with an octal mode, on one entry.
    Chmod {
        path: String,
        mode: u32,
    },
}

/// What a change did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Changed {
    Created { path: String },
    Renamed { to: String },
    ModeSet { mode: u32 },
}

impl std::fmt::Display for Changed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::sanitize::display_name as d;
        match self {
            Changed::Created { path } => write!(f, "Created {}", d(path)),
            Changed::Renamed { to } => {
                write!(f, "Renamed to {}", d(rpath::file_name(to).unwrap_or(to)))
            }
            Changed::ModeSet { mode } => write!(f, "Permissions set to {mode:o}"),
        }
    }
}

/// Run `op` with replies awaited for at most `secs` seconds.
pub fn run(conn: &mut Connection, op: &RemoteOp, secs: u64) -> Result<Changed, RemoteError> {
    match op {
        RemoteOp::Mkdir { path } => {
            conn.ftp
                .mkdir(path)
                .map_err(|e| RemoteError::from_ftp(e, "creating the directory", secs))?;
            Ok(Changed::Created { path: path.clone() })
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
            Ok(Changed::Renamed { to: to.clone() })
        }
        RemoteOp::Chmod { path, mode } => {
            let cmd = format!("SITE CHMOD {mode:o} {path}");
            conn.ftp
                .custom_command(cmd, &[Status::CommandOk])
                .map_err(|e| RemoteError::from_ftp(e, "changing permissions", secs))?;
            Ok(Changed::ModeSet { mode: *mode })
        }
    }
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
