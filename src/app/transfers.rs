//! The transfer queue as the UI sees it: jobs, their progress, speed and ETA, and the totals.
//! It only records what the engine's events say.

use std::collections::{HashMap, VecDeque};

use crate::transfer::{FileFacts, Job, JobId, Outcome, TransferEvent};

/// Where a job is.
#[derive(Debug, Clone, PartialEq)]
pub enum JobState {
    Queued,
    Running,
    /// A connection problem; retrying (attempt number).
    Retrying(u32),
    /// Waiting for the user to say what to do with an existing destination.
    Conflict {
        source: FileFacts,
        existing: FileFacts,
    },
    Done,
    Skipped(String),
    Cancelled,
    Failed(String),
}

impl JobState {
    /// Still to do (queued, running, retrying or waiting for a decision).
    pub fn is_active(&self) -> bool {
        matches!(
            self,
            JobState::Queued
                | JobState::Running
                | JobState::Retrying(_)
                | JobState::Conflict { .. }
        )
    }
}

/// One row of the transfer panel.
#[derive(Debug, Clone)]
pub struct JobView {
    pub job: Job,
    pub state: JobState,
    pub done: u64,
    pub total: Option<u64>,
    /// Current speed, bytes per second.
    pub rate: f64,
    /// What the engine said about a finished job (a move whose source was kept, say).
    pub note: Option<String>,
    /// Checked against the server's digest with this algorithm.
    pub verified: Option<crate::remote::hash::Algorithm>,
    /// Seconds a running job has gone without a byte (counted on ticks).
    pub stalled_secs: u32,
    /// How far an operation that counts entries is: done, and of how many once known.
    pub steps: Option<(u64, Option<u64>)>,
    /// What a sync scan has seen on each side (local, server).
    pub scanned: Option<(crate::sync::Seen, crate::sync::Seen)>,
    /// `done` at the last tick, to tell a stall.
    done_at_tick: u64,
}

impl JobView {
    /// A copy of one file (not a directory, not an operation on the server).
    pub fn is_file_copy(&self) -> bool {
        self.job.task().is_none() && !self.job.is_dir
    }

    /// Seconds left at the current speed, if it can be told.
    pub fn eta(&self) -> Option<f64> {
        let total = self.total?;
        (self.rate > 0.0).then(|| total.saturating_sub(self.done) as f64 / self.rate)
    }
}

/// Speed samples kept for the sparkline: one a second for a minute.
pub const HISTORY: usize = 60;

/// All jobs the user queued in this session, in order.
#[derive(Debug, Default)]
pub struct Transfers {
    pub jobs: Vec<JobView>,
    index: HashMap<JobId, usize>,
    /// Panel cursor (index into `jobs`).
    pub cursor: usize,
    /// Total speed, bytes per second, sampled on each tick (newest last).
    pub history: VecDeque<u64>,
    /// Bytes moved since the last tick.
    bytes_since_tick: u64,
}

/// The overall line.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Totals {
    pub running: usize,
    pub queued: usize,
    pub waiting: usize,
    pub failed: usize,
    pub done: usize,
    pub files_left: usize,
    pub bytes_left: u64,
    /// Some file left has no known size (so `bytes_left` is a lower bound).
    pub sizes_unknown: bool,
    pub rate: f64,
}

impl Totals {
    pub fn eta(&self) -> Option<f64> {
        (self.rate > 0.0 && self.bytes_left > 0).then(|| self.bytes_left as f64 / self.rate)
    }
}

impl Transfers {
    pub fn get(&self, id: JobId) -> Option<&JobView> {
        self.index.get(&id).map(|&i| &self.jobs[i])
    }

    fn get_mut(&mut self, id: JobId) -> Option<&mut JobView> {
        self.index.get(&id).map(|&i| &mut self.jobs[i])
    }

    /// Record newly queued jobs.
    pub fn add(&mut self, job: Job) {
        if let Some(v) = self.get_mut(job.id) {
            v.state = JobState::Queued;
            v.job = job;
            return;
        }
        self.index.insert(job.id, self.jobs.len());
        let total = if job.is_dir { None } else { job.size };
        self.jobs.push(JobView {
            job,
            state: JobState::Queued,
            done: 0,
            total,
            rate: 0.0,
            note: None,
            verified: None,
            stalled_secs: 0,
            steps: None,
            scanned: None,
            done_at_tick: 0,
        });
    }

    /// Apply an engine event; returns the job it concerns, if known.
    pub fn apply(&mut self, event: &TransferEvent) -> Option<&JobView> {
        let id = match event {
            TransferEvent::Added { job } => {
                self.add(job.clone());
                return self.get(job.id);
            }
            TransferEvent::Started { id }
            | TransferEvent::Progress { id, .. }
            | TransferEvent::Steps { id, .. }
            | TransferEvent::Scanned { id, .. }
            | TransferEvent::Retrying { id, .. }
            | TransferEvent::Conflict { id, .. }
            | TransferEvent::Finished { id, .. } => *id,
        };
        let mut moved = 0;
        {
            let v = self.get_mut(id)?;
            match event {
                TransferEvent::Started { .. } => v.state = JobState::Running,
                TransferEvent::Progress {
                    done, total, rate, ..
                } => {
                    moved = done.saturating_sub(v.done);
                    v.done = *done;
                    v.total = *total;
                    v.rate = *rate;
                    if !matches!(v.state, JobState::Retrying(_)) {
                        v.state = JobState::Running;
                    }
                }
                TransferEvent::Steps {
                    done, total, bytes, ..
                } => {
                    v.steps = Some((*done, *total));
                    v.done = *bytes;
                    if !matches!(v.state, JobState::Retrying(_)) {
                        v.state = JobState::Running;
                    }
                }
                TransferEvent::Scanned { local, remote, .. } => {
                    v.scanned = Some((*local, *remote));
                    if !matches!(v.state, JobState::Retrying(_)) {
                        v.state = JobState::Running;
                    }
                }
                TransferEvent::Retrying { attempt, .. } => {
                    v.state = JobState::Retrying(*attempt);
                    v.rate = 0.0;
                }
                TransferEvent::Conflict {
                    source, existing, ..
                } => {
                    v.state = JobState::Conflict {
                        source: *source,
                        existing: *existing,
                    };
                }
                TransferEvent::Finished { outcome, .. } => {
                    v.rate = 0.0;
                    if let Outcome::Done { note, verified, .. } = outcome {
                        v.note.clone_from(note);
                        v.verified = *verified;
                    }
                    v.state = match outcome {
                        Outcome::Done { .. } | Outcome::Expanded { .. } => {
                            if let Some(t) = v.total {
                                v.done = t;
                            }
                            JobState::Done
                        }
                        Outcome::Deleted { entries } | Outcome::Chmodded { entries } => {
                            v.steps = Some((*entries, Some(*entries)));
                            JobState::Done
                        }
                        Outcome::Sized { files, bytes, .. } => {
                            v.steps = Some((*files, Some(*files)));
                            v.done = *bytes;
                            JobState::Done
                        }
                        Outcome::Viewed { data, .. } => {
                            v.done = data.len() as u64;
                            JobState::Done
                        }
                        Outcome::Planned {
                            plan,
                            local,
                            remote,
                            ..
                        } => {
                            v.scanned = Some((*local, *remote));
                            v.steps = Some((plan.len() as u64, Some(plan.len() as u64)));
                            JobState::Done
                        }
                        Outcome::Made { dirs } => {
                            v.steps = Some((*dirs, Some(*dirs)));
                            JobState::Done
                        }
                        Outcome::Diagnosed { .. } => JobState::Done,
                        Outcome::Skipped { reason } => JobState::Skipped(reason.clone()),
                        Outcome::Cancelled => JobState::Cancelled,
                        Outcome::Failed { error } => JobState::Failed(error.to_string()),
                    };
                }
                TransferEvent::Added { .. } => unreachable!("handled above"),
            }
        }
        self.bytes_since_tick = self.bytes_since_tick.saturating_add(moved);
        self.get(id)
    }

    /// One second passed: record a speed sample.
    pub fn tick(&mut self) {
        if self.history.len() == HISTORY {
            self.history.pop_front();
        }
        self.history.push_back(self.bytes_since_tick);
        self.bytes_since_tick = 0;
        for v in &mut self.jobs {
            if v.state == JobState::Running && v.is_file_copy() && v.done == v.done_at_tick {
                v.stalled_secs += 1;
                if v.stalled_secs >= crate::app::STALLED_AFTER {
                    v.rate = 0.0; // no speed or ETA while nothing moves
                }
            } else {
                v.stalled_secs = 0;
                v.done_at_tick = v.done;
            }
        }
    }

    /// The current speed of each direction (bytes per second), over its running copies.
    pub fn speeds(&self) -> crate::transfer::limit::Limits {
        let mut down = 0.0;
        let mut up = 0.0;
        for v in &self.jobs {
            if v.state == JobState::Running && v.is_file_copy() {
                match v.job.direction {
                    crate::transfer::Direction::Download => down += v.rate,
                    crate::transfer::Direction::Upload => up += v.rate,
                }
            }
        }
        let speed = |r: f64| Some(r as u64).filter(|&r| r > 0);
        crate::transfer::limit::Limits {
            down: speed(down),
            up: speed(up),
        }
    }

    pub fn totals(&self) -> Totals {
        let mut t = Totals::default();
        for v in &self.jobs {
            match v.state {
                JobState::Running | JobState::Retrying(_) => t.running += 1,
                JobState::Queued => t.queued += 1,
                JobState::Conflict { .. } => t.waiting += 1,
                JobState::Failed(_) => t.failed += 1,
                JobState::Done if !v.job.is_dir || v.job.task().is_some() => t.done += 1,
                _ => {}
            }
            if v.state.is_active() && v.is_file_copy() {
                t.files_left += 1;
                // Before a job starts (queued, or waiting for a decision) its size is the
                // one the listing or the conflict reported.
                let size = v.total.or(v.job.size).or(match &v.state {
                    JobState::Conflict { source, .. } => source.size,
                    _ => None,
                });
                match size {
                    Some(n) => t.bytes_left = t.bytes_left.saturating_add(n.saturating_sub(v.done)),
                    None => t.sizes_unknown = true,
                }
                t.rate += v.rate;
            }
        }
        t
    }

    pub fn has_active(&self) -> bool {
        self.jobs.iter().any(|v| v.state.is_active())
    }

    /// Ids of the active jobs (for cancelling a directory with everything in it).
    pub fn descendants(&self, id: JobId) -> Vec<JobId> {
        let mut out = vec![id];
        let mut i = 0;
        while i < out.len() {
            let parent = out[i];
            out.extend(
                self.jobs
                    .iter()
                    .filter(|v| v.job.parent == Some(parent))
                    .map(|v| v.job.id),
            );
            i += 1;
        }
        out
    }

    /// The job under the panel cursor.
    pub fn current(&self) -> Option<&JobView> {
        self.jobs.get(self.cursor)
    }

    pub fn move_by(&mut self, delta: isize) {
        if self.jobs.is_empty() {
            return;
        }
        self.cursor = self
            .cursor
            .saturating_add_signed(delta)
            .min(self.jobs.len() - 1);
    }

    /// Forget finished jobs (keeps active ones and failures to retry).
    pub fn clear_finished(&mut self) {
        self.jobs
            .retain(|v| v.state.is_active() || matches!(v.state, JobState::Failed(_)));
        self.index = self
            .jobs
            .iter()
            .enumerate()
            .map(|(i, v)| (v.job.id, i))
            .collect();
        self.cursor = self.cursor.min(self.jobs.len().saturating_sub(1));
    }
}
