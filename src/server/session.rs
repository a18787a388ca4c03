//! One control connection as the server's log sees it: who, from where.

use std::net::SocketAddr;
use std::sync::Mutex;

use super::EventSink;

/// Shared by the session's storage backend, notifier and authenticator, so every line they
/// print names the same client.
pub struct Session {
    pub peer: SocketAddr,
    user: Mutex<Option<String>>,
    sink: Option<EventSink>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Session({})", self.peer)
    }
}

impl Session {
    pub fn new(peer: SocketAddr, sink: Option<EventSink>) -> Session {
        Session {
            peer,
            user: Mutex::new(None),
            sink,
        }
    }

    pub fn set_user(&self, user: Option<&str>) {
        if let Ok(mut u) = self.user.lock() {
            *u = user.map(str::to_string);
        }
    }

    /// Print one line: `user@address: what` (just the address before a login).
    pub fn say(&self, what: impl AsRef<str>) {
        let Some(sink) = &self.sink else { return };
        let user = self.user.lock().ok().and_then(|u| u.clone());
        let who = match user {
            Some(u) => format!("{u}@{}", self.peer.ip()),
            None => self.peer.to_string(),
        };
        // Names and paths come from the client: no control character reaches the log.
        sink(crate::sanitize::display_name(&format!(
            "{who}: {}",
            what.as_ref()
        )));
    }
}
