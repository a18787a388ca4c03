//! Shared helpers for the integration tests: an embedded server over a temp dir, and polling.
#![allow(dead_code)]

use std::path::Path;
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use ftpdeck::remote::{Profile, Secret};
use ftpdeck::server::{self, ServerAuth, ServerConfig, ServerHandle};

pub const USER: &str = "tester";
pub const PASSWORD: &str = "secret";

/// Start the embedded server over `root` on 127.0.0.1 at a free port, user tester/secret.
pub fn start_server(root: &Path) -> ServerHandle {
    server::start(ServerConfig::local(
        root,
        ServerAuth::User {
            user: USER.into(),
            password: PASSWORD.into(),
        },
    ))
    .expect("start embedded server")
}

/// A profile for `server` with the right password.
pub fn profile(server: &ServerHandle) -> Profile {
    Profile {
        host: "127.0.0.1".into(),
        port: server.addr().port(),
        user: USER.into(),
        password: Some(Secret::new(PASSWORD)),
        path: String::new(),
    }
}

/// Receive until `pred` picks a message, failing after `timeout`. Returns the picked value and
/// everything received before it.
pub fn recv_until<T: std::fmt::Debug, R>(
    rx: &Receiver<T>,
    timeout: Duration,
    mut pred: impl FnMut(&T) -> Option<R>,
) -> (R, Vec<T>) {
    let deadline = Instant::now() + timeout;
    let mut seen = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(m) => {
                if let Some(r) = pred(&m) {
                    return (r, seen);
                }
                seen.push(m);
            }
            Err(e) => panic!("no matching message within {timeout:?} ({e}); got {seen:#?}"),
        }
    }
}

/// Write `content` at `root/rel`, creating parents.
pub fn write(root: &Path, rel: &str, content: &[u8]) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, content).unwrap();
}
