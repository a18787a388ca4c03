//! What a job function is given and what it gives back: the context (connection, buffer,
//! cancel flag, event sink), the error and the outcome of one run.

use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use super::event::{FileFacts, Outcome, TaskError, TransferEvent};
use super::pool::PoolOptions;
use crate::remote::RemoteError;
use crate::remote::connect::Connection;

pub(super) type Emit = Arc<dyn Fn(TransferEvent) + Send + Sync>;

/// A job being worked on, reachable from the dispatcher to cancel it.
#[derive(Default)]
pub(super) struct Running {
    cancel: AtomicBool,
    /// The data connection, so a cancel can interrupt a blocked read or write at once.
    socket: Mutex<Option<TcpStream>>,
}

impl Running {
    pub fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
        if let Some(s) = self
            .socket
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
        {
            let _ = s.shutdown(std::net::Shutdown::Both);
        }
    }

    /// Remember the data connection of the transfer in progress (or forget it with `None`).
    pub fn set_socket(&self, socket: Option<TcpStream>) {
        *self.socket.lock().unwrap_or_else(|e| e.into_inner()) = socket;
        if self.cancelled() {
            self.cancel();
        }
    }
}

/// A job that failed, and whether trying again (on a new connection) may help.
#[derive(Debug)]
pub(super) struct JobError {
    pub error: TaskError,
    pub retryable: bool,
    /// Try again from zero, not from what is already there (the server ignored an offset).
    pub restart_fresh: bool,
}

impl JobError {
    /// The error in words, for logs and retry notices.
    pub fn message(&self) -> String {
        self.error.to_string()
    }

    pub fn fatal(message: impl Into<String>) -> Self {
        JobError {
            error: TaskError::Other(message.into()),
            retryable: false,
            restart_fresh: false,
        }
    }

    pub fn retry(message: impl Into<String>) -> Self {
        JobError {
            error: TaskError::Other(message.into()),
            retryable: true,
            restart_fresh: false,
        }
    }

    /// Retry from the start.
    pub fn restart(message: impl Into<String>) -> Self {
        JobError {
            restart_fresh: true,
            ..JobError::retry(message)
        }
    }

    pub fn local(what: &str, path: &std::path::Path, e: &std::io::Error) -> Self {
        JobError::fatal(format!(
            "{what} {}: {}",
            path.display(),
            crate::local::plain_io_error(e)
        ))
    }
}

impl From<RemoteError> for JobError {
    fn from(e: RemoteError) -> Self {
        // Data-connection trouble and aborted transfers are worth another try; refusals are not.
        let retryable = e.is_connection_lost()
            || matches!(e, RemoteError::Refusal { code, .. } if matches!(code, 0 | 421 | 425 | 426 | 450 | 451));
        JobError {
            error: TaskError::Remote(e),
            retryable,
            restart_fresh: false,
        }
    }
}

/// Why a copy loop stopped before the end of the data.
pub(super) enum Stop {
    Cancelled,
    /// Reading or writing the local file failed.
    Local(std::io::Error),
    /// The data connection failed.
    Remote(std::io::Error),
}

impl Stop {
    /// The job's result: cancelled (also when the failure came from our own cancel closing
    /// the socket), a local error about `path`, or a retryable data-connection error.
    pub fn into_result(
        self,
        cancelled: bool,
        what: &str,
        path: &std::path::Path,
        done: u64,
        idle_secs: u64,
    ) -> Result<Run, JobError> {
        use std::io::ErrorKind;
        match self {
            Stop::Cancelled => Ok(Run::Finished(Outcome::Cancelled)),
            _ if cancelled => Ok(Run::Finished(Outcome::Cancelled)),
            Stop::Local(e) => Err(JobError::local(what, path, &e)),
            Stop::Remote(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                Err(JobError::retry(format!(
                    "no data for {idle_secs} s after {} — retrying",
                    crate::words::human_size(done)
                )))
            }
            Stop::Remote(e) => Err(JobError::retry(format!(
                "the data connection broke after {}: {}",
                crate::words::human_size(done),
                crate::local::plain_io_error(&e)
            ))),
        }
    }
}

/// What one run of a file job came to.
pub(super) enum Run {
    Finished(Outcome),
    Conflict {
        source: FileFacts,
        existing: FileFacts,
    },
}

/// A transfer claimed to start ahead: its remote path and the commands that start it.
pub(super) type Ahead = (String, Vec<String>);

/// Everything a job function needs.
pub(super) struct Ctx<'a> {
    pub conn: &'a mut Connection,
    pub running: &'a Running,
    pub buf: &'a mut [u8],
    pub emit: &'a Emit,
    pub options: &'a PoolOptions,
    /// The server, for work that opens more connections (a sync scan).
    pub profile: &'a crate::remote::Profile,
    /// Set when the control connection may be out of step (after a cancel, say).
    pub drop_connection: bool,
    /// Directories that got a renamed-into-place file, for the batched fsync.
    pub dirty_dirs: &'a mut std::collections::HashSet<std::path::PathBuf>,
    /// The pool's speed limits.
    pub limits: &'a super::limit::PoolLimits,
    /// The worker's splice pipe (made by the first download that needs it).
    #[cfg(target_os = "linux")]
    pub pipe: &'a mut Option<super::splice::Pipe>,
    /// The pool, to claim the next upload from (see `upload::claim_ahead`).
    pub shared: &'a super::pool::Shared,
    /// The profile generation of [`Self::conn`].
    pub generation: u64,
    /// The job this worker runs next, claimed early.
    pub claimed: &'a mut Option<super::worker::Claimed>,
}

impl<'a> Ctx<'a> {
    pub fn secs(&self) -> u64 {
        self.options.timeouts.read.as_secs()
    }

    /// With pipelining, once every reply about the job running is in and nothing more is to
    /// be asked about it: the next transfer `claim` takes from the queue gets its PASV/EPSV
    /// and data command sent at once, so the server opens its data port and file while this
    /// side finishes the last one. `slot` (the connection's `stor_ahead` or `retr_ahead`) then
    /// names it. A failed write drops the connection: the job before is done, and the next
    /// one starts over on a new connection.
    pub fn send_ahead(
        &mut self,
        claim: fn(&mut Ctx<'a>) -> Option<Ahead>,
        slot: fn(&mut Connection) -> &mut Option<String>,
    ) {
        if !self.conn.ftp.pipelining() {
            return;
        }
        let Some((next, commands)) = claim(self) else {
            return;
        };
        match self.conn.ftp.send_commands(commands) {
            Ok(()) => *slot(self.conn) = Some(next),
            Err(e) => {
                tracing::info!("could not send the next transfer's commands ahead: {e}");
                self.drop_connection = true;
            }
        }
    }
}
