//! The transfer engine driven through its channel, as the UI drives it: queue jobs, wait until
//! each job and every child it spawns has ended.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::{Duration, Instant};

use ftpdeck::remote::Profile;
use ftpdeck::transfer::{
    self, Direction, Job, JobId, Outcome, PoolOptions, TransferCmd, TransferEvent,
};

/// How long a `run` may take.
pub const RUN_DEADLINE: Duration = Duration::from_secs(60);

pub struct Engine {
    pub cmd: Sender<TransferCmd>,
    pub rx: Receiver<TransferEvent>,
    next: JobId,
}

impl Engine {
    /// `workers` workers, retries with a short backoff.
    pub fn new(profile: Profile, workers: usize) -> Engine {
        Engine::with_options(
            profile,
            PoolOptions {
                workers,
                backoff: Duration::from_millis(200),
                ..PoolOptions::default()
            },
        )
    }

    pub fn with_options(profile: Profile, options: PoolOptions) -> Engine {
        let (tx, rx) = mpsc::channel();
        let cmd = transfer::spawn(tx, options);
        cmd.send(TransferCmd::SetProfile(profile)).unwrap();
        Engine { cmd, rx, next: 1 }
    }

    /// A new job with its own id and batch, asking on conflicts.
    pub fn job(&mut self, direction: Direction, remote: &str, local: &Path, is_dir: bool) -> Job {
        self.next += 1;
        job(self.next, direction, remote, local, is_dir)
    }

    /// Queue jobs and wait until each of them and every child ends (a conflict is cancelled and
    /// counts as `Skipped { reason: "conflict" }`); outcomes in finishing order.
    pub fn run(&self, jobs: Vec<Job>) -> Vec<(Job, Outcome)> {
        let mut known: HashMap<JobId, Job> = jobs.iter().map(|j| (j.id, j.clone())).collect();
        let mut open: HashSet<JobId> = known.keys().copied().collect();
        self.cmd.send(TransferCmd::Enqueue(jobs)).unwrap();
        let mut results = Vec::new();
        let mut conflicted = HashSet::new();
        let deadline = Instant::now() + RUN_DEADLINE;
        while !open.is_empty() {
            let event = self
                .rx
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
                .unwrap_or_else(|_| panic!("jobs {open:?} never finished; so far {results:?}"));
            match event {
                TransferEvent::Added { job } => {
                    open.insert(job.id);
                    known.insert(job.id, job);
                }
                TransferEvent::Finished { id, outcome } => {
                    open.remove(&id);
                    let outcome = if conflicted.contains(&id) {
                        Outcome::Skipped {
                            reason: "conflict".into(),
                        }
                    } else {
                        outcome
                    };
                    results.push((known[&id].clone(), outcome));
                }
                TransferEvent::Conflict { id, .. } => {
                    // Nobody answers: the parked job is cancelled, which frees its destination.
                    conflicted.insert(id);
                    self.cmd.send(TransferCmd::Cancel(id)).unwrap();
                }
                _ => {}
            }
        }
        results
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        let _ = self.cmd.send(TransferCmd::Shutdown);
    }
}

/// A job for `id` (its own batch), asking on conflicts, not a move.
pub fn job(id: JobId, direction: Direction, remote: &str, local: &Path, is_dir: bool) -> Job {
    Job::new(id, direction, remote, local, is_dir)
}

/// Every job succeeded.
pub fn assert_all_done(results: &[(Job, Outcome)]) {
    for (job, outcome) in results {
        assert!(
            outcome.is_success(),
            "{:?} {} ended {outcome:?}",
            job.direction,
            job.remote
        );
    }
}
