//! One worker thread of the pool: takes the next job, runs it on its own connection with
//! retries, reports its events, queues a directory's children and removes moved directories.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use super::event::{Outcome, TransferEvent};
use super::job::{Direction, Job};
use super::pool::{DIRTY_DIRS_BATCH, PoolOptions, Removal, RemovalStep, Shared, Tree};
use super::run::{Ctx, Emit, JobError, Run, Running};
use super::{download, expand, task, upload};
use crate::remote::connect::{self, Connection, Profile};
use crate::remote::{RemoteError, ops};

/// A job as the worker takes it: from the queue, or claimed early by the job before it.
pub(super) struct Claimed {
    pub job: Job,
    pub running: Arc<Running>,
    pub profile: Profile,
    pub generation: u64,
    /// An upload's plan, made when it was claimed (its commands may already be on the wire).
    pub upload: Option<upload::Plan>,
    /// A download's plan, made when it was claimed (its commands may already be on the wire).
    pub download: Option<download::Plan>,
}

impl Claimed {
    /// An empty file of ours was left at `path` by a STOR taken back: if that is this
    /// upload's destination, it may replace it.
    pub fn left_empty_at(claimed: &mut Option<Claimed>, path: &str) {
        if let Some(p) = claimed.as_mut().and_then(|c| c.upload.as_mut()) {
            p.mark_left_empty(path);
        }
    }
}

pub(super) struct Worker {
    shared: Arc<Shared>,
    emit: Emit,
    options: PoolOptions,
    conn: Option<(u64, Connection)>,
    buf: Vec<u8>,
    /// Moved directories whose contents all arrived, to remove after the current job.
    pending_removals: Vec<RemovalStep>,
    /// Directories with renamed-into-place downloads whose entries still need an fsync.
    dirty_dirs: HashSet<PathBuf>,
    /// The pipe downloads splice through, kept from file to file.
    #[cfg(target_os = "linux")]
    pipe: Option<super::splice::Pipe>,
    /// The next job, claimed by the one running (see `upload::claim_ahead` and
    /// `download::claim_ahead`).
    claimed: Option<Claimed>,
}

impl Worker {
    pub(super) fn new(shared: Arc<Shared>, emit: Emit, options: PoolOptions) -> Worker {
        let buf = vec![0; options.buffer_size.max(4096)];
        Worker {
            shared,
            emit,
            options,
            conn: None,
            buf,
            pending_removals: Vec::new(),
            dirty_dirs: HashSet::new(),
            #[cfg(target_os = "linux")]
            pipe: None,
            claimed: None,
        }
    }

    pub(super) fn run(mut self) {
        while let Some(Claimed {
            job,
            running,
            profile,
            generation,
            upload,
            download,
        }) = self.next_job()
        {
            if self.options.live_events {
                (self.emit)(TransferEvent::Started { id: job.id });
            }
            // A bug in one job must not take the worker (and the queue behind it) down.
            let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                self.run_job(&job, &running, &profile, generation, upload, download)
            }))
            .unwrap_or_else(|_| {
                self.conn = None;
                Run::Finished(Outcome::Failed {
                    error: crate::transfer::TaskError::Other(
                        "internal error in the transfer worker (see the log file)".into(),
                    ),
                })
            });
            // Commands sent ahead for a job that is not next (it ended before taking them
            // up) are taken back now, not left for the server to wait on.
            if self
                .conn
                .as_ref()
                .is_some_and(|(_, c)| c.stor_ahead.is_some() || c.retr_ahead.is_some())
            {
                let next = self.claimed.as_ref().map(|c| c.job.clone());
                self.settle_ahead_unless(next.as_ref());
            }
            let mut st = self.shared.lock();
            st.running.remove(&job.id);
            let (outcome, removals) = match run {
                Run::Conflict { source, existing } => {
                    st.parked.insert(job.id, job.clone());
                    drop(st);
                    (self.emit)(TransferEvent::Conflict {
                        id: job.id,
                        source,
                        existing,
                    });
                    self.shared.wake_now();
                    continue;
                }
                Run::Finished(outcome) => {
                    if let (Outcome::Expanded { .. }, true) = (&outcome, job.is_tree_copy()) {
                        // Accounting for the directory happens as its children finish.
                        (outcome, None)
                    } else {
                        st.claims.release(job.id);
                        let ok = outcome.is_success();
                        (outcome, Shared::child_finished(&mut st, job.parent, ok))
                    }
                }
            };
            let idle = st.queue.is_empty();
            drop(st);
            if idle || self.dirty_dirs.len() >= DIRTY_DIRS_BATCH {
                self.sync_dirs();
            }
            // Remove moved directories first, so that when the last job of a tree is reported
            // finished the whole move is.
            self.pending_removals.extend(removals);
            self.remove_dirs(&profile, generation);
            (self.emit)(TransferEvent::Finished {
                id: job.id,
                outcome,
            });
            self.shared.wake_if_idle();
        }
        self.sync_dirs();
        if let Some((_, mut c)) = self.conn.take() {
            upload::withdraw_ahead(&mut c, self.options.timeouts.read.as_secs());
            let _ = download::take_back(&mut c);
            let _ = c.ftp.quit();
        }
    }

    /// Make the renames of finished downloads durable: one fsync per directory, batched.
    fn sync_dirs(&mut self) {
        for dir in self.dirty_dirs.drain() {
            if let Err(e) = crate::safety::local::sync_dir(&dir) {
                tracing::warn!("cannot sync directory {}: {e}", dir.display());
            }
        }
    }

    /// Block until there is a job (and a server to do it with); `None` on shutdown.
    fn next_job(&mut self) -> Option<Claimed> {
        let mut st = self.shared.lock();
        if let Some(claimed) = self.claimed.take() {
            if !st.shutdown {
                return Some(claimed);
            }
            st.running.remove(&claimed.job.id);
        }
        loop {
            if st.shutdown {
                return None;
            }
            // Local tasks need no server; everything else waits for one.
            let connected = st.profile.is_some();
            if let Some(pos) = st
                .queue
                .iter()
                .position(|j| connected || !j.needs_connection())
            {
                if let Some(job) = st.queue.remove(pos) {
                    let running = Arc::new(Running::default());
                    st.running.insert(job.id, running.clone());
                    let profile = st.profile.clone().unwrap_or_default();
                    return Some(Claimed {
                        job,
                        running,
                        profile,
                        generation: st.generation,
                        upload: None,
                        download: None,
                    });
                }
            }
            st = self.shared.wake.wait(st).unwrap_or_else(|e| e.into_inner());
        }
    }

    fn connection(
        &mut self,
        profile: &Profile,
        generation: u64,
    ) -> Result<&mut Connection, JobError> {
        if !matches!(&self.conn, Some((g, _)) if *g == generation) {
            self.conn = None;
            let handed = {
                let mut st = self.shared.lock();
                st.spare.retain(|(g, _)| *g == generation);
                st.spare.pop()
            };
            let pipelining = self.shared.pipelining.load(Ordering::Relaxed);
            if let Some((g, mut c)) = handed {
                c.listing_limits = self.options.listing_limits;
                c.ftp.set_pipelining(pipelining);
                self.conn = Some((g, c));
                return match self.conn.as_mut() {
                    Some((_, c)) => Ok(c),
                    None => Err(JobError::fatal("internal error: no connection")),
                };
            }
            let c = connect::connect(profile, self.options.timeouts).map_err(|e| {
                let retryable = !matches!(e, RemoteError::Login { .. } | RemoteError::Dns { .. });
                JobError {
                    error: crate::transfer::TaskError::Remote(e),
                    retryable,
                    restart_fresh: false,
                }
            })?;
            let mut c = c;
            c.listing_limits = self.options.listing_limits;
            c.ftp.set_pipelining(pipelining);
            self.conn = Some((generation, c));
        }
        match self.conn.as_mut() {
            Some((_, c)) => Ok(c),
            None => Err(JobError::fatal("internal error: no connection")),
        }
    }

    /// A server that reads one command per packet leaves a pipelined one unanswered, and the
    /// wait ends in the read timeout: from then on, this pool's connections send one command
    /// at a time (the retry reconnects so).
    fn pipelining_failed(&mut self, e: &JobError, pipelined: bool) {
        let timed_out = matches!(
            &e.error,
            crate::transfer::TaskError::Remote(RemoteError::Timeout { .. })
        );
        if timed_out && pipelined && self.shared.pipelining.swap(false, Ordering::Relaxed) {
            tracing::warn!(
                "the server left a pipelined command unanswered; sending one command at a time from now on"
            );
        }
        if timed_out && pipelined {
            self.conn = None;
        }
    }

    fn run_job(
        &mut self,
        job: &Job,
        running: &Running,
        profile: &Profile,
        generation: u64,
        upload_plan: Option<upload::Plan>,
        download_plan: Option<download::Plan>,
    ) -> Run {
        let result = if job.is_local_task() {
            super::local_task::run(job, running, &self.emit)
        } else if let Some(super::job::Task::Doctor { profile }) = job.task() {
            // Each probe's limit: the configured timeouts, at most 10 s.
            let cap = Duration::from_secs(10);
            let timeouts = crate::remote::Timeouts {
                connect: self.options.timeouts.connect.min(cap),
                read: self.options.timeouts.read.min(cap),
            };
            let report = crate::doctor::diagnose_watched(
                profile,
                timeouts,
                &|| running.cancelled(),
                &|socket| running.set_socket(socket),
            );
            running.set_socket(None);
            if running.cancelled() {
                Ok(Run::Finished(Outcome::Cancelled))
            } else {
                Ok(Run::Finished(Outcome::Diagnosed {
                    report: Box::new(report),
                }))
            }
        } else if let Some(task) = job.task() {
            self.with_retries(job, running, profile, generation, |ctx| {
                task::run(ctx, job, task)
            })
        } else if job.is_dir {
            let mut expansion = None;
            self.with_retries(job, running, profile, generation, |ctx| {
                expansion = Some(expand::expand(ctx, job)?);
                Ok(Run::Finished(Outcome::Expanded { children: 0 }))
            })
            .map(|run| match expansion.take() {
                Some(x) => Run::Finished(Outcome::Expanded {
                    children: self.queue_children(job, x),
                }),
                None => run,
            })
        } else {
            match job.direction {
                Direction::Download => {
                    let mut plan = download_plan;
                    self.with_retries(job, running, profile, generation, |ctx| {
                        download::run(ctx, job, &mut plan)
                    })
                }
                Direction::Upload => {
                    let mut plan = upload_plan;
                    self.with_retries(job, running, profile, generation, |ctx| {
                        upload::run(ctx, job, &mut plan)
                    })
                }
            }
        };
        match result {
            Ok(run) => run,
            Err(e) if running.cancelled() => {
                tracing::info!("job {} cancelled ({})", job.id, e.message());
                Run::Finished(Outcome::Cancelled)
            }
            Err(e) => Run::Finished(Outcome::Failed { error: e.error }),
        }
    }

    /// Run `f` on a connection, retrying with backoff when a connection problem interrupts it.
    fn with_retries(
        &mut self,
        job: &Job,
        running: &Running,
        profile: &Profile,
        generation: u64,
        mut f: impl FnMut(&mut Ctx) -> Result<Run, JobError>,
    ) -> Result<Run, JobError> {
        let mut attempt = 0;
        loop {
            self.settle_ahead_unless(Some(job));
            let result = match self.connection(profile, generation) {
                Ok(_) => {
                    let Some((_, conn)) = self.conn.as_mut() else {
                        return Err(JobError::fatal("internal error: no connection"));
                    };
                    let mut ctx = Ctx {
                        conn,
                        running,
                        buf: &mut self.buf,
                        emit: &self.emit,
                        options: &self.options,
                        profile,
                        drop_connection: false,
                        dirty_dirs: &mut self.dirty_dirs,
                        limits: &self.shared.limits,
                        #[cfg(target_os = "linux")]
                        pipe: &mut self.pipe,
                        shared: &self.shared,
                        generation,
                        claimed: &mut self.claimed,
                    };
                    let r = f(&mut ctx);
                    let pipelined = ctx.conn.ftp.pipelining();
                    if ctx.drop_connection {
                        self.conn = None;
                    }
                    if let Err(e) = &r {
                        self.pipelining_failed(e, pipelined);
                    }
                    r
                }
                Err(e) => Err(e),
            };
            match result {
                Err(e) if e.retryable && attempt < self.options.retries && !running.cancelled() => {
                    attempt += 1;
                    self.conn = None;
                    (self.emit)(TransferEvent::Retrying {
                        id: job.id,
                        attempt,
                        error: e.message(),
                    });
                    let wait = self.options.backoff * 2u32.pow(attempt - 1);
                    let until = Instant::now() + wait;
                    while Instant::now() < until && !running.cancelled() {
                        std::thread::sleep(Duration::from_millis(20).min(wait));
                    }
                }
                other => return other,
            }
        }
    }

    /// Account for a directory's children before any of them can finish, tell the UI about
    /// them, fail the refused ones and queue the rest. Returns how many children there are.
    fn queue_children(&mut self, job: &Job, x: expand::Expansion) -> usize {
        let expand::Expansion {
            children,
            mut refused,
        } = x;
        let total = children.len() + refused.len();
        let mut accepted = Vec::with_capacity(children.len());
        // The destinations before the lock: resolving them reads the disk (once per directory).
        let mut parents = Default::default();
        let dests: Vec<_> = children
            .iter()
            .map(|c| c.dest_cached(&mut parents))
            .collect();
        {
            let mut st = self.shared.lock();
            for (mut c, dest) in children.into_iter().zip(dests) {
                c.id = self.shared.next_child.fetch_add(1, Ordering::Relaxed);
                match super::pool::claim(&mut st, c.id, dest) {
                    Ok(()) => accepted.push(c),
                    Err(reason) => refused.push((c, reason)),
                }
            }
        }
        let children = accepted;
        let removal = job.remove_source.then(|| match job.direction {
            Direction::Download => Removal::Remote(job.remote.clone()),
            Direction::Upload => Removal::Local(job.local.clone()),
        });
        {
            let mut st = self.shared.lock();
            if total == 0 {
                st.claims.release(job.id);
                match removal {
                    Some(removal) => self.pending_removals.push(RemovalStep {
                        removal,
                        parent: job.parent,
                    }),
                    None => {
                        let up = Shared::child_finished(&mut st, job.parent, true);
                        self.pending_removals.extend(up);
                    }
                }
            } else {
                st.trees.insert(
                    job.id,
                    Tree {
                        id: job.id,
                        parent: job.parent,
                        pending: total,
                        all_ok: true,
                        removal,
                    },
                );
            }
        }
        for c in &children {
            (self.emit)(TransferEvent::Added { job: c.clone() });
        }
        for (mut c, reason) in refused {
            if c.id == 0 {
                c.id = self.shared.next_child.fetch_add(1, Ordering::Relaxed);
            }
            (self.emit)(TransferEvent::Added { job: c.clone() });
            (self.emit)(TransferEvent::Finished {
                id: c.id,
                outcome: Outcome::Failed {
                    error: crate::transfer::TaskError::Other(reason),
                },
            });
            let mut st = self.shared.lock();
            let up = Shared::child_finished(&mut st, Some(job.id), false);
            self.pending_removals.extend(up);
        }
        let mut st = self.shared.lock();
        // Depth first: a directory's contents go before the rest of the queue, so a tree
        // arrives directory by directory.
        for c in children.into_iter().rev() {
            st.queue.push_front(c);
        }
        self.shared.wake.notify_all();
        total
    }

    /// Take back a STOR or RETR sent ahead unless `job` is the transfer it was sent for, so
    /// that other commands find the connection in step; if that fails, the connection goes.
    fn settle_ahead_unless(&mut self, job: Option<&Job>) {
        let Some((_, c)) = self.conn.as_mut() else {
            return;
        };
        let is = |ahead: &Option<String>, j: &Job| ahead.as_deref() == Some(j.remote.as_str());
        let for_job = job.is_some_and(|j| {
            (j.is_file_upload() && is(&c.stor_ahead, j))
                || (j.is_file_download() && is(&c.retr_ahead, j))
        });
        if for_job {
            return;
        }
        let settled = upload::take_back(c).map(|left| {
            if let Some(path) = left {
                Claimed::left_empty_at(&mut self.claimed, &path);
            }
        });
        if let Err(e) = settled.and_then(|()| download::take_back(c)) {
            tracing::info!("a transfer started ahead could not be taken back ({e}); reconnecting");
            self.conn = None;
        }
    }

    /// Remove the moved directories whose contents all arrived, innermost first; each removal
    /// then counts in the tree above it, which may free the next one.
    fn remove_dirs(&mut self, profile: &Profile, generation: u64) {
        while let Some(step) = self.pending_removals.pop() {
            let r = &step.removal;
            let result = match r {
                Removal::Local(p) => std::fs::remove_dir(p).map_err(|e| e.to_string()),
                Removal::Remote(p) => {
                    self.settle_ahead_unless(None);
                    let secs = self.options.timeouts.read.as_secs();
                    self.connection(profile, generation)
                        .map_err(|e| e.message())
                        .and_then(|c| ops::remove_dir(c, p, secs).map_err(|e| e.to_string()))
                }
            };
            if let Err(e) = &result {
                tracing::warn!("moving: could not remove the source directory {r:?}: {e}");
            }
            let mut st = self.shared.lock();
            let next = Shared::child_finished(&mut st, step.parent, result.is_ok());
            drop(st);
            self.pending_removals.extend(next);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;
    use std::time::Duration;

    use crate::remote::{Profile, Secret};
    use crate::server::{self, ServerAuth, ServerConfig};
    use crate::transfer::{Direction, Job, Outcome, PoolOptions, Task, TransferCmd, TransferEvent};

    #[test]
    fn a_panicking_job_fails_alone_and_the_jobs_queued_after_it_run() {
        let root = tempfile::tempdir().unwrap();
        std::fs::write(root.path().join("a.txt"), b"after the panic").unwrap();
        let local = tempfile::tempdir().unwrap();
        let srv = server::start(ServerConfig::local(
            root.path(),
            ServerAuth::User {
                user: "u".into(),
                password: "p".into(),
            },
        ))
        .unwrap();
        let (tx, rx) = mpsc::channel::<TransferEvent>();
        // One worker: the jobs after the panic can only run if that worker lives on.
        let pool = crate::transfer::spawn(
            tx,
            PoolOptions {
                workers: 1,
                ..PoolOptions::default()
            },
        );
        pool.send(TransferCmd::SetProfile(Profile {
            host: "127.0.0.1".into(),
            port: srv.addr().port(),
            user: "u".into(),
            password: Some(Secret::new("p")),
            ..Default::default()
        }))
        .unwrap();
        let target = local.path().join("a.txt");
        pool.send(TransferCmd::Enqueue(vec![
            Job::remote_task(1, Task::Panic, "/a.txt", false),
            Job::new(2, Direction::Download, "/a.txt", &target, false),
            Job::remote_task(3, Task::Size, "/", true),
        ]))
        .unwrap();
        let mut ended = std::collections::HashMap::new();
        while ended.len() < 3 {
            match rx
                .recv_timeout(Duration::from_secs(30))
                .expect("the pool goes on")
            {
                TransferEvent::Finished { id, outcome } => {
                    ended.insert(id, outcome);
                }
                _ => continue,
            }
        }
        match &ended[&1] {
            Outcome::Failed { error } => {
                assert!(error.to_string().contains("internal error"), "{error}")
            }
            other => panic!("the panicking job ended {other:?}"),
        }
        assert!(
            matches!(ended[&2], Outcome::Done { bytes: 15, .. }),
            "{:?}",
            ended[&2]
        );
        assert_eq!(std::fs::read(&target).unwrap(), b"after the panic");
        assert!(
            matches!(ended[&3], Outcome::Sized { files: 1, .. }),
            "{:?}",
            ended[&3]
        );
        let _ = pool.send(TransferCmd::Shutdown);
    }
}
