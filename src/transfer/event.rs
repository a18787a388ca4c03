//! What the transfer engine reports.

use super::job::{Job, JobId};
use crate::remote::RemoteError;

/// Size and modification time of one side of a conflict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FileFacts {
    pub size: Option<u64>,
    pub mtime: Option<i64>,
    /// The existing file is read-only (replacing it is asked even when a policy says overwrite).
    pub read_only: bool,
}

/// Why a job failed: the server's own error where it came from the server.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TaskError {
    #[error("{0}")]
    Remote(RemoteError),
    /// The server's error, after part of the work was done (`context` says how much).
    #[error("{error} ({context})")]
    RemoteAfter { error: RemoteError, context: String },
    /// A local file problem, a refused walk, a copy that could not be verified, a bug.
    #[error("{0}")]
    Other(String),
}

impl From<&str> for TaskError {
    fn from(s: &str) -> Self {
        TaskError::Other(s.to_string())
    }
}

impl From<String> for TaskError {
    fn from(s: String) -> Self {
        TaskError::Other(s)
    }
}

impl TaskError {
    /// The server's error, if it was one.
    pub fn remote(&self) -> Option<&RemoteError> {
        match self {
            TaskError::Remote(e) | TaskError::RemoteAfter { error: e, .. } => Some(e),
            TaskError::Other(_) => None,
        }
    }
}

/// How a job ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Copied; `bytes` moved in this run (less than the size after a resume). `note` says what
    /// the user should know (a move whose source was kept because the copy could not be
    /// verified, say).
    Done {
        bytes: u64,
        secs: f64,
        note: Option<String>,
        /// Checked against the server's digest with this algorithm.
        verified: Option<crate::remote::hash::Algorithm>,
    },
    /// A directory job listed its contents and queued a child job for each entry.
    Expanded {
        children: usize,
    },
    /// A delete removed this many entries (files, links and directories).
    Deleted {
        entries: u64,
    },
    /// A permissions change reached this many entries.
    Chmodded {
        entries: u64,
    },
    /// A directory size: what the tree holds (links not followed, not counted).
    Sized {
        files: u64,
        dirs: u64,
        bytes: u64,
    },
    /// The first bytes of a file for the viewer; `size` is the whole file's when the server
    /// told it.
    Viewed {
        data: Vec<u8>,
        size: Option<u64>,
    },
    /// A sync scan: the plan, and what each side holds.
    Planned {
        plan: Vec<crate::sync::Action>,
        local: crate::sync::Seen,
        remote: crate::sync::Seen,
        /// Files a checksum comparison could not hash (compared by size and time instead).
        unhashed: u64,
    },
    /// Directories made (or found already there).
    Made {
        dirs: u64,
    },
    /// The connection doctor's findings.
    Diagnosed {
        report: Box<crate::doctor::Report>,
    },
    Skipped {
        reason: String,
    },
    /// Stopped by the user; partial data is kept for a later resume.
    Cancelled,
    Failed {
        error: TaskError,
    },
}

impl Outcome {
    pub fn is_success(&self) -> bool {
        matches!(
            self,
            Outcome::Done { .. }
                | Outcome::Expanded { .. }
                | Outcome::Deleted { .. }
                | Outcome::Chmodded { .. }
                | Outcome::Sized { .. }
                | Outcome::Viewed { .. }
                | Outcome::Planned { .. }
                | Outcome::Made { .. }
                | Outcome::Diagnosed { .. }
        )
    }
}

/// Events from the transfer workers. Progress is throttled to about 10 a second per job.
#[derive(Debug, Clone, PartialEq)]
pub enum TransferEvent {
    /// A directory job created a child job.
    Added {
        job: Job,
    },
    Started {
        id: JobId,
    },
    Progress {
        id: JobId,
        done: u64,
        total: Option<u64>,
        /// Current speed in bytes per second.
        rate: f64,
    },
    /// How far an operation that counts items is: entries found while it plans (`total`
    /// unknown), then entries done of `total`; `bytes` where it counts them (a size).
    Steps {
        id: JobId,
        done: u64,
        total: Option<u64>,
        bytes: u64,
    },
    /// What a sync scan has seen so far on each side.
    Scanned {
        id: JobId,
        local: crate::sync::Seen,
        remote: crate::sync::Seen,
    },
    /// A connection problem; the job will be tried again, resuming where it stopped.
    Retrying {
        id: JobId,
        attempt: u32,
        error: String,
    },
    /// The destination exists and the job has no resolution: it waits for one
    /// (send it again with `on_exists` set).
    Conflict {
        id: JobId,
        source: FileFacts,
        existing: FileFacts,
    },
    Finished {
        id: JobId,
        outcome: Outcome,
    },
}
