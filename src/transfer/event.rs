//! What the transfer engine reports.

use super::job::{Job, JobId};

/// Size and modification time of one side of a conflict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FileFacts {
    pub size: Option<u64>,
    pub mtime: Option<i64>,
    /// The existing file is read-only (replacing it is asked even when a policy says overwrite).
    pub read_only: bool,
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
    },
    /// A directory job listed its contents and queued a child job for each entry.
    Expanded {
        children: usize,
    },
    Skipped {
        reason: String,
    },
    /// Stopped by the user; partial data is kept for a later resume.
    Cancelled,
    Failed {
        error: String,
    },
}

impl Outcome {
    pub fn is_success(&self) -> bool {
        matches!(self, Outcome::Done { .. } | Outcome::Expanded { .. })
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
