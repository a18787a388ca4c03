//! The password of a headless command, without a prompt where one can be avoided: the URL, a
//! bookmark (saved password or `password_cmd`), `~/.netrc`, `FTPDECK_PASSWORD`; with none of
//! these and a terminal on stdin, ask once; otherwise fail saying which ways exist.

use std::io::IsTerminal;

use super::{Common, Fatal, Remote};
use crate::bookmarks::PasswordSource;
use crate::remote::{Profile, Secret};

/// The profile of `remote`, with a password (and the trust the command line gives).
pub fn complete(remote: Remote, common: &Common) -> Result<Profile, Fatal> {
    let mut p = remote.profile;
    if let Some(charset) = common.charset {
        p.charset = charset;
    }
    if let Some(fp) = &common.trust_fingerprint {
        p.pinned_cert = Some(fp.trim().replace(':', "").to_ascii_lowercase());
    }
    if let Some(name) = &remote.bookmark {
        if p.password.is_none() {
            p.password = bookmark_password(name)?;
        }
    }
    if !remote.user_given || p.password.is_none() {
        let user = remote.user_given.then_some(p.user.as_str());
        if let Some(login) = crate::netrc::lookup_file(&p.host, user) {
            if let Some(u) = login.login.filter(|_| !remote.user_given) {
                p.user = u;
                p.password = None;
            }
            if let Some(pw) = login.password {
                p.password = Some(Secret::new(pw));
            }
        }
    }
    if p.password.is_none() {
        if let Ok(pw) = std::env::var("FTPDECK_PASSWORD") {
            p.password = Some(Secret::new(pw));
        }
    }
    if p.password.is_none() {
        if std::io::stdin().is_terminal() {
            p.password = Some(Secret::new(prompt(&p.label())?));
        } else {
            return Err(Fatal(format!(
                "no password for {}: give it in the URL, a bookmark (saved password or \
                 password_cmd), ~/.netrc (machine {} login {} password …) or FTPDECK_PASSWORD",
                p.label(),
                p.host,
                p.user
            )));
        }
    }
    Ok(p)
}

fn bookmark_password(name: &str) -> Result<Option<Secret>, Fatal> {
    let store = crate::bookmarks::bookmarks_path()
        .and_then(|p| crate::bookmarks::load(&p).ok())
        .unwrap_or_default();
    let Some(b) = store.bookmarks.iter().find(|b| b.name == name) else {
        return Ok(None);
    };
    match &b.password {
        PasswordSource::Saved => crate::secrets::lookup(name).map_err(Fatal),
        PasswordSource::Command(cmd) => {
            crate::secrets::run_password_cmd(cmd, std::time::Duration::from_secs(30))
                .map(Some)
                .map_err(|e| Fatal(format!("password_cmd of {name}: {e}")))
        }
        PasswordSource::Ask | PasswordSource::None => Ok(None),
    }
}

/// Ask for the password on the terminal, without echo.
fn prompt(label: &str) -> Result<String, Fatal> {
    use std::io::Write;
    let mut err = std::io::stderr();
    let _ = write!(err, "Password for {label}: ");
    let _ = err.flush();
    let fd = libc::STDIN_FILENO;
    // SAFETY: tcgetattr/tcsetattr on stdin with a zeroed termios that tcgetattr fills.
    let mut saved: libc::termios = unsafe { std::mem::zeroed() };
    let have_tty = unsafe { libc::tcgetattr(fd, &mut saved) } == 0;
    if have_tty {
        let mut quiet = saved;
        quiet.c_lflag &= !libc::ECHO;
        // SAFETY: as above.
        unsafe { libc::tcsetattr(fd, libc::TCSANOW, &quiet) };
    }
    let mut line = String::new();
    let read = std::io::stdin().read_line(&mut line);
    if have_tty {
        // SAFETY: restores what tcgetattr read.
        unsafe { libc::tcsetattr(fd, libc::TCSANOW, &saved) };
    }
    let _ = writeln!(err);
    read.map_err(|e| Fatal(format!("cannot read the password: {e}")))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}
