//! Shared helpers for the integration tests: an embedded server over a temp dir, and polling.
#![allow(dead_code)]

pub mod cli;
pub mod engine;
pub mod raw;
pub mod screen;
pub mod session;

use std::path::Path;
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use ftpdeck::remote::{Profile, Secret};
use ftpdeck::server::{self, ServerAuth, ServerConfig, ServerHandle};

pub const USER: &str = "tester";
pub const PASSWORD: &str = "secret";

/// Whether the `CI` variable asks for a run in which nothing may skip (`true` or `1`).
pub fn skips_forbidden(ci: Option<&str>) -> bool {
    matches!(ci.map(str::trim), Some("true" | "1"))
}

/// A test cannot run on this machine (no vsftpd, not root, no openssl…): print why and let the
/// caller return. Under `CI=true` (or `1`) that would hide a suite that never ran, so the test
/// fails with the reason instead.
pub fn skip(reason: &str) {
    if skips_forbidden(std::env::var("CI").ok().as_deref()) {
        panic!("cannot run under CI (a skip would hide it): {reason}");
    }
    eprintln!("skipped: {reason}");
}

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

/// [`start_server`] with its config changed by `tweak` first.
pub fn start_server_with(root: &Path, tweak: impl FnOnce(&mut ServerConfig)) -> ServerHandle {
    let mut config = ServerConfig::local(
        root,
        ServerAuth::User {
            user: USER.into(),
            password: PASSWORD.into(),
        },
    );
    tweak(&mut config);
    server::start(config).expect("start embedded server")
}

/// A server that sends and receives at most `rate` bytes per second per transfer, for tests
/// that must act while a transfer is still running.
pub fn start_slow_server(root: &Path, rate: u64) -> ServerHandle {
    start_server_with(root, |c| c.rate_limit = Some(rate))
}

/// A profile for `server` with the right password.
pub fn profile(server: &ServerHandle) -> Profile {
    Profile {
        host: "127.0.0.1".into(),
        port: server.addr().port(),
        user: USER.into(),
        password: Some(Secret::new(PASSWORD)),
        path: String::new(),
        ..Default::default()
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

/// Every file under `root` as (relative path, contents), directories as (path/, empty), sorted.
pub fn snapshot(root: &Path) -> Vec<(String, Vec<u8>)> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            let rel = p.strip_prefix(base).unwrap().to_string_lossy().into_owned();
            if p.is_dir() {
                out.push((format!("{rel}/"), Vec::new()));
                walk(base, &p, out);
            } else {
                out.push((rel, std::fs::read(&p).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(root, root, &mut out);
    out.sort();
    out
}

/// Deterministic pseudo-random bytes (no RNG crate needed).
pub fn pseudo_random(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407)
        | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}
