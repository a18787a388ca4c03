//! Passive data ports: a session may hold only a few at once, and a free port is found
//! whenever the range has one.
//!
//! libunftp binds a listener for every PASV/EPSV and keeps it for 15 s waiting for the client.
//! Its own port choice tries 9 random ports, and nothing limits how many one session holds, so
//! a client sending PASV in a loop took the range from everyone else (425 for about 15 s).
//! Here a session's earlier ports still waiting for their client count against a small limit,
//! and the whole range is searched from a random start.

use std::hash::{BuildHasher, Hasher};
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::ops::RangeInclusive;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use tokio::net::TcpSocket;

/// How long libunftp waits for a client to connect to a passive port.
const ACCEPT_WAIT: Duration = Duration::from_secs(16);

#[derive(Debug)]
pub struct PassiveBinder {
    /// Ports this session was given, with when.
    held: Vec<(SocketAddr, Instant)>,
    /// Ports that may wait for a data connection at once.
    pub limit: usize,
}

impl PassiveBinder {
    pub fn new(limit: usize) -> Self {
        PassiveBinder {
            held: Vec::new(),
            limit,
        }
    }
}

fn socket_for(ip: IpAddr) -> io::Result<TcpSocket> {
    let s = match ip {
        IpAddr::V4(_) => TcpSocket::new_v4()?,
        IpAddr::V6(_) => TcpSocket::new_v6()?,
    };
    s.set_reuseaddr(true)?;
    Ok(s)
}

/// Whether a listener still waits on `addr`: a fresh socket cannot bind it (an accepted
/// connection does not stop the bind, as it shares the listener's SO_REUSEADDR).
fn in_use(addr: SocketAddr) -> bool {
    socket_for(addr.ip()).and_then(|s| s.bind(addr)).is_err()
}

/// Start listening now. Two sessions can bind one port at the same moment (SO_REUSEADDR lets
/// both binds through while neither listens); the second `listen` then fails, and libunftp
/// treats that as the end of the control connection. Listening here finds the clash while
/// another port can still be tried; libunftp's own `listen` on the socket then only sets the
/// backlog again.
fn listens(s: &TcpSocket) -> bool {
    use std::os::fd::AsRawFd;
    // SAFETY: listen(2) on a socket descriptor we own; it touches no memory of ours.
    unsafe { libc::listen(s.as_raw_fd(), 1024) == 0 }
}

#[async_trait]
impl libunftp::options::Binder for PassiveBinder {
    async fn bind(&mut self, ip: IpAddr, ports: RangeInclusive<u16>) -> io::Result<TcpSocket> {
        // Only ports still waiting count (and are kept): the list stays as short as the limit,
        // so a session of thousands of transfers does not test thousands of ports each time.
        self.held
            .retain(|&(addr, at)| at.elapsed() < ACCEPT_WAIT && in_use(addr));
        let busy = self.held.len();
        if busy >= self.limit {
            return Err(io::Error::other(format!(
                "this session already holds {busy} data connections"
            )));
        }
        let (first, last) = (u32::from(*ports.start()), u32::from(*ports.end()));
        if first > last {
            return Err(io::Error::other("empty passive port range"));
        }
        let len = last - first + 1;
        let start = (std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish()
            % u64::from(len)) as u32;
        for i in 0..len {
            let port = first + (start + i) % len;
            let addr = SocketAddr::new(ip, port as u16);
            let s = socket_for(ip)?;
            if s.bind(addr).is_ok() && listens(&s) {
                self.held.push((addr, Instant::now()));
                return Ok(s);
            }
        }
        Err(io::Error::new(
            io::ErrorKind::AddrInUse,
            "every passive port is in use",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use libunftp::options::Binder;

    fn ports() -> RangeInclusive<u16> {
        let base = 46000 + (std::process::id() % 500) as u16 * 4;
        base..=base + 3
    }

    #[tokio::test]
    async fn finished_ports_are_forgotten_and_waiting_ones_are_limited() {
        let ip: IpAddr = [127, 0, 0, 1].into();
        let mut b = PassiveBinder::new(2);
        // A session of many transfers: each port is listened on, then closed.
        for _ in 0..50 {
            let s = b.bind(ip, ports()).await.unwrap();
            drop(s.listen(8).unwrap());
        }
        let s = b.bind(ip, ports()).await.unwrap();
        assert!(b.held.len() <= 1, "{} ports remembered", b.held.len());
        // Ports still waiting count against the limit.
        let first = s.listen(8).unwrap();
        let second = b.bind(ip, ports()).await.unwrap().listen(8).unwrap();
        assert!(b.bind(ip, ports()).await.is_err(), "a third waiting port");
        drop(first);
        assert!(
            b.bind(ip, ports()).await.is_ok(),
            "a freed one is given again"
        );
        drop(second);
    }
}
