//! The browsing session worker: a thread that owns the browsing FTP connection.
//!
//! It takes [`RemoteCmd`]s and answers with [`RemoteEvent`]s. A burst of listing requests
//! costs one listing (only the newest runs), idle connections get a NOOP, and a dead control
//! connection is re-established on the next request.

use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use crate::entry::Entry;

use super::RemoteError;
use super::connect::{self, Connection, Profile, Timeouts};
use super::fileops::{self, RemoteOp};
use super::ops;

/// What the UI asks of the session worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RemoteCmd {
    /// Connect (or reconnect) with this profile; answered by `Connected` or `ConnectFailed`.
    Connect { profile: Profile },
    /// List a directory; answered by `Listed` with the same id.
    List { id: u64, path: String },
    /// A short change (mkdir, rename, chmod of one entry); answered by `OpDone` with the same id.
    Op { id: u64, op: RemoteOp },
    /// Log out and end the worker.
    Shutdown,
}

/// A listed directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    /// The directory as the server names it (PWD after CWD).
    pub path: String,
    pub entries: Vec<Entry>,
    /// Why only part of the listing is here (it passed the listing limits).
    pub truncated: Option<String>,
}

/// What the session worker reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RemoteEvent {
    Connecting {
        label: String,
    },
    Connected {
        label: String,
        home: String,
        welcome: String,
        /// How the server computes checksums (`SHA-256 by HASH`), when its FEAT offers one.
        checksum: Option<String>,
    },
    ConnectFailed {
        error: RemoteError,
    },
    /// The control connection died and was re-established without the user's help.
    Reconnected {
        label: String,
    },
    /// The control connection died while idle; the next request reconnects.
    ConnectionLost {
        error: RemoteError,
    },
    Listed {
        id: u64,
        path: String,
        result: Result<Listing, RemoteError>,
    },
    OpDone {
        id: u64,
        result: Result<fileops::Changed, RemoteError>,
    },
}

/// Settings of the session worker.
#[derive(Debug, Clone, Copy)]
pub struct SessionOptions {
    pub timeouts: Timeouts,
    /// Send NOOP after this long without traffic.
    pub keepalive: Duration,
    /// Use MLSD when the server offers it (else always LIST).
    pub prefer_mlsd: bool,
    /// How deep a recursive delete may go.
    pub max_depth: usize,
    /// How much of one listing is read at most.
    pub listing_limits: super::ops::ListingLimits,
}

impl SessionOptions {
    /// The session worker's part of the settings.
    pub fn from_config(config: &crate::config::Config) -> SessionOptions {
        let n = &config.network;
        SessionOptions {
            timeouts: n.timeouts(),
            keepalive: Duration::from_secs(n.keepalive),
            prefer_mlsd: n.mlsd,
            max_depth: config.transfers.max_depth,
            listing_limits: n.listing_limits(),
        }
    }
}

impl Default for SessionOptions {
    fn default() -> Self {
        Self::from_config(&crate::config::Config::default())
    }
}

/// Start the session worker; events go to `events` (converted into the receiver's message type).
pub fn spawn<M>(events: Sender<M>, options: SessionOptions) -> Sender<RemoteCmd>
where
    M: From<RemoteEvent> + Send + 'static,
{
    let (tx, rx) = std::sync::mpsc::channel();
    // Without a thread for it the program cannot work at all: stopping is all there is to do.
    #[allow(clippy::expect_used)]
    std::thread::Builder::new()
        .name(super::protolog::SESSION_THREAD.into())
        .spawn(move || {
            let mut worker = Worker {
                events: Box::new(move |e| events.send(M::from(e)).is_ok()),
                options,
                profile: None,
                conn: None,
                last_traffic: Instant::now(),
            };
            worker.run(rx);
        })
        .expect("spawn session thread");
    tx
}

struct Worker {
    /// Returns false when the receiver is gone (the UI has quit).
    events: Box<dyn Fn(RemoteEvent) -> bool + Send>,
    options: SessionOptions,
    profile: Option<Profile>,
    conn: Option<Connection>,
    last_traffic: Instant,
}

impl Worker {
    fn run(&mut self, rx: Receiver<RemoteCmd>) {
        loop {
            let first = match rx.recv_timeout(self.options.keepalive) {
                Ok(cmd) => cmd,
                Err(RecvTimeoutError::Timeout) => {
                    self.keepalive();
                    continue;
                }
                Err(RecvTimeoutError::Disconnected) => break,
            };
            let mut batch = vec![first];
            batch.extend(rx.try_iter());
            // Only the newest listing of a burst is worth doing: the UI drops the others.
            let last_list = batch
                .iter()
                .rposition(|c| matches!(c, RemoteCmd::List { .. }));
            for (i, cmd) in batch.into_iter().enumerate() {
                let alive = match cmd {
                    RemoteCmd::Shutdown => {
                        if let Some(mut c) = self.conn.take() {
                            let _ = c.ftp.quit();
                        }
                        return;
                    }
                    RemoteCmd::Connect { profile } => self.connect(profile),
                    RemoteCmd::List { id, path } if Some(i) == last_list => self.list(id, path),
                    RemoteCmd::List { .. } => true,
                    RemoteCmd::Op { id, op } => self.op(id, op),
                };
                if !alive {
                    return;
                }
            }
        }
    }

    fn send(&self, e: RemoteEvent) -> bool {
        (self.events)(e)
    }

    fn connect(&mut self, profile: Profile) -> bool {
        if let Some(mut c) = self.conn.take() {
            let _ = c.ftp.quit();
        }
        let label = profile.label();
        if !self.send(RemoteEvent::Connecting {
            label: label.clone(),
        }) {
            return false;
        }
        let result = connect::connect(&profile, self.options.timeouts).map(|mut c| {
            c.listing_limits = self.options.listing_limits;
            c
        });
        self.profile = Some(profile);
        match result {
            Ok(conn) => {
                let event = RemoteEvent::Connected {
                    label,
                    home: conn.home.clone(),
                    welcome: conn.welcome.clone(),
                    checksum: crate::remote::hash::describe_best(&conn.features.hash),
                };
                self.conn = Some(conn);
                self.last_traffic = Instant::now();
                self.send(event)
            }
            Err(error) => self.send(RemoteEvent::ConnectFailed { error }),
        }
    }

    /// Make sure there is a live connection, reconnecting with the last profile if needed.
    fn ensure_connected(&mut self) -> Result<(), RemoteError> {
        if self.conn.is_some() {
            return Ok(());
        }
        let Some(profile) = self.profile.clone() else {
            return Err(RemoteError::NotConnected);
        };
        let mut conn = connect::connect(&profile, self.options.timeouts)?;
        conn.listing_limits = self.options.listing_limits;
        self.conn = Some(conn);
        self.send(RemoteEvent::Reconnected {
            label: profile.label(),
        });
        Ok(())
    }

    /// A socket error is reported the same for the control and the data connection: when the
    /// control connection still answers NOOP, it was the data connection, and the session
    /// goes on without a reconnect.
    fn blame_data_connection<T>(
        &mut self,
        result: Result<T, RemoteError>,
    ) -> Result<T, RemoteError> {
        match result {
            Err(RemoteError::ConnectionLost { detail }) => {
                match self.conn.as_mut().map(|c| c.ftp.noop()) {
                    Some(Ok(())) => Err(RemoteError::DataConnection { detail }),
                    _ => Err(RemoteError::ConnectionLost { detail }),
                }
            }
            other => other,
        }
    }

    /// Run `f` on the connection; when the control connection turns out dead (server restart,
    /// idle timeout), reconnect and try once more, transparently.
    fn with_reconnect<T>(
        &mut self,
        mut f: impl FnMut(&mut Connection, u64) -> Result<T, RemoteError>,
    ) -> Result<T, RemoteError> {
        let mut attempt = |me: &mut Self| {
            me.ensure_connected()?;
            let secs = me.options.timeouts.read.as_secs();
            me.last_traffic = Instant::now();
            let conn = me.conn.as_mut().ok_or(RemoteError::NotConnected)?;
            let result = f(conn, secs);
            me.blame_data_connection(result)
        };
        let mut result = attempt(self);
        if matches!(&result, Err(e) if e.worth_reconnecting()) && self.profile.is_some() {
            self.conn = None;
            result = attempt(self);
        }
        if matches!(&result, Err(e) if e.is_connection_lost()) {
            self.conn = None;
        }
        result
    }

    fn list(&mut self, id: u64, path: String) -> bool {
        let prefer_mlsd = self.options.prefer_mlsd;
        let result =
            self.with_reconnect(|conn, secs| ops::list_dir(conn, &path, prefer_mlsd, secs));
        self.send(RemoteEvent::Listed { id, path, result })
    }

    fn op(&mut self, id: u64, op: RemoteOp) -> bool {
        let result = self.with_reconnect(|conn, secs| fileops::run(conn, &op, secs));
        self.send(RemoteEvent::OpDone { id, result })
    }

    fn keepalive(&mut self) {
        let Some(conn) = self.conn.as_mut() else {
            return;
        };
        if self.last_traffic.elapsed() < self.options.keepalive {
            return;
        }
        self.last_traffic = Instant::now();
        if let Err(e) = conn.ftp.noop() {
            let error =
                RemoteError::from_ftp(e, "keep-alive", self.options.timeouts.read.as_secs());
            self.conn = None;
            self.send(RemoteEvent::ConnectionLost { error });
        }
    }
}
