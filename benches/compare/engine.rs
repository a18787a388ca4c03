//! The session worker inside the bench process, driven through its channels as the app drives
//! it: the listing figure on a connection already logged in (reported apart from the process
//! figures, since it has no process start).

use std::sync::mpsc;
use std::time::{Duration, Instant};

use ftpdeck::remote::session::{self, RemoteCmd, RemoteEvent, SessionOptions};
use ftpdeck::remote::{Profile, Secret};

use super::tools::Login;

pub fn profile(login: &Login) -> Profile {
    Profile {
        host: "127.0.0.1".into(),
        port: login.port,
        user: login.user.clone(),
        password: Some(Secret::new(login.password.clone())),
        path: String::new(),
        ..Default::default()
    }
}

/// One listing by the session worker, as the app asks for it.
pub struct Listed {
    /// `List` sent → `Listed` received, on a connection already logged in.
    pub list: Duration,
    /// Worker start → `Connected`, plus `list` (still inside the bench: no process start).
    pub connect_and_list: Duration,
}

pub fn list(
    login: &Login,
    path: &str,
    expected: usize,
    timeout: Duration,
) -> Result<Listed, String> {
    let (tx, rx) = mpsc::channel::<RemoteEvent>();
    let start = Instant::now();
    let cmd = session::spawn(tx, SessionOptions::default());
    let result = (|| {
        let deadline = start + timeout;
        let next = || {
            rx.recv_timeout(deadline.saturating_duration_since(Instant::now()))
                .map_err(|_| format!("no answer from the session worker within {timeout:?}"))
        };
        cmd.send(RemoteCmd::Connect {
            profile: profile(login),
        })
        .map_err(|_| "the session worker stopped")?;
        loop {
            match next()? {
                RemoteEvent::Connected { .. } => break,
                RemoteEvent::ConnectFailed { error } => {
                    return Err(format!("connect failed: {error}"));
                }
                _ => {}
            }
        }
        let connected = start.elapsed();
        let asked = Instant::now();
        cmd.send(RemoteCmd::List {
            id: 1,
            path: path.into(),
        })
        .map_err(|_| "the session worker stopped")?;
        loop {
            if let RemoteEvent::Listed { id: 1, result, .. } = next()? {
                let list = asked.elapsed();
                let listing = result.map_err(|e| format!("listing {path} failed: {e}"))?;
                if listing.entries.len() != expected {
                    return Err(format!(
                        "listed {} entries in {path}, expected {expected}",
                        listing.entries.len()
                    ));
                }
                return Ok(Listed {
                    list,
                    connect_and_list: connected + list,
                });
            }
        }
    })();
    let _ = cmd.send(RemoteCmd::Shutdown);
    result
}
