//! The worker pool: one queue, N threads with their own connections, cancellation, retries,
//! and the bookkeeping that removes a moved directory once everything in it has arrived.

use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use super::event::{Outcome, TransferEvent};
use super::job::{CHILD_ID_BASE, Job, JobId};
use super::run::{Emit, Running};
use super::worker::Worker;
use crate::remote::connect::{Profile, Timeouts};

/// Commands for the transfer engine.
#[derive(Debug, Clone, PartialEq)]
pub enum TransferCmd {
    /// The server to transfer with (sent when the session connects; workers reconnect).
    SetProfile(Profile),
    Enqueue(Vec<Job>),
    Cancel(JobId),
    CancelAll,
    Shutdown,
    /// Speed limits for every transfer from now on (running ones follow from their next chunk).
    SetLimits(super::limit::Limits),
    /// A connection already logged in with the current profile, for the first worker that needs
    /// one (a headless command hands over the one it checked the paths on: one login fewer).
    Adopt(Spare),
}

/// A logged-in connection handed to the pool (compared by identity).
#[derive(Clone)]
pub struct Spare(Arc<Mutex<Option<crate::remote::connect::Connection>>>);

impl Spare {
    pub fn new(conn: crate::remote::connect::Connection) -> Spare {
        Spare(Arc::new(Mutex::new(Some(conn))))
    }

    fn take(&self) -> Option<crate::remote::connect::Connection> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).take()
    }
}

impl std::fmt::Debug for Spare {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Spare(connection)")
    }
}

impl PartialEq for Spare {
    fn eq(&self, other: &Spare) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// Settings of the pool.
#[derive(Debug, Clone)]
pub struct PoolOptions {
    pub workers: usize,
    pub timeouts: Timeouts,
    /// Automatic retries after a connection problem (each resumes where the last stopped).
    pub retries: u32,
    /// Wait before the first retry; doubled for each further one.
    pub backoff: Duration,
    pub buffer_size: usize,
    pub prefer_mlsd: bool,
    /// fsync each downloaded file before it gets its final name, and its directory after.
    pub durable: crate::safety::local::Durability,
    /// How deep a recursive copy may go.
    pub max_depth: usize,
    /// How much of one listing is read at most.
    pub listing_limits: crate::remote::ops::ListingLimits,
    /// Speed limits until a profile with its own or a `SetLimits` comes.
    pub limits: super::limit::Limits,
    /// When a finished file is checked against the server's digest.
    pub verify: super::verify::Verify,
    /// Send `Started` and `Progress` events. Whoever only counts outcomes (a headless run
    /// without its live line) turns them off: a worker then wakes it once per file, not four
    /// times, which a tree of small files feels.
    pub live_events: bool,
    /// Pipelined commands on the transfer connections (`[network] pipelining`); turned off
    /// for the rest of the pool's life when a server leaves one unanswered.
    pub pipelining: bool,
    /// A thread that does not wait on the events but sleeps (`park`) and takes them when it
    /// wakes: it is unparked when the pool has nothing left to do (every job ended) and when
    /// a conflict waits for an answer. The events themselves then wake nobody, which spares
    /// a context switch per file (a headless run without its live line).
    pub wake_when_idle: Option<std::thread::Thread>,
}

impl PoolOptions {
    /// The pool's part of the settings.
    pub fn from_config(config: &crate::config::Config) -> PoolOptions {
        let (t, n) = (&config.transfers, &config.network);
        PoolOptions {
            workers: t.parallel,
            timeouts: n.timeouts(),
            retries: t.retries,
            backoff: Duration::from_secs(t.retry_delay),
            buffer_size: t.buffer_kib * 1024,
            prefer_mlsd: n.mlsd,
            durable: t.durable,
            max_depth: t.max_depth,
            listing_limits: n.listing_limits(),
            limits: t.limits(),
            verify: t.verify,
            live_events: true,
            pipelining: n.pipelining,
            wake_when_idle: None,
        }
    }
}

impl Default for PoolOptions {
    fn default() -> Self {
        Self::from_config(&crate::config::Config::default())
    }
}

/// Start the pool; events go to `events`.
pub fn spawn<M>(events: Sender<M>, options: PoolOptions) -> Sender<TransferCmd>
where
    M: From<TransferEvent> + Send + 'static,
{
    let shared = Arc::new(Shared {
        limits: super::limit::PoolLimits::new(options.limits),
        base_limits: options.limits,
        state: Mutex::new(State::default()),
        wake: Condvar::new(),
        next_child: AtomicU64::new(CHILD_ID_BASE),
        pipelining: AtomicBool::new(options.pipelining),
        waker: options.wake_when_idle.clone(),
    });
    let emit: Emit = Arc::new(move |e| {
        let _ = events.send(M::from(e));
    });
    for n in 0..options.workers.max(1) {
        let worker = Worker::new(shared.clone(), emit.clone(), options.clone());
        // Without a thread for it the program cannot work at all: stopping is all there is to do.
        #[allow(clippy::expect_used)]
        std::thread::Builder::new()
            .name(format!("transfer-{n}"))
            .spawn(move || worker.run())
            .expect("spawn transfer worker");
    }
    let (tx, rx) = std::sync::mpsc::channel::<TransferCmd>();
    // Without a thread for it the program cannot work at all: stopping is all there is to do.
    #[allow(clippy::expect_used)]
    std::thread::Builder::new()
        .name("transfer-queue".into())
        .spawn(move || {
            for cmd in rx {
                if !shared.command(cmd, &emit) {
                    break;
                }
                // A command may end jobs (a refused copy, a cancel) without a worker.
                shared.wake_if_idle();
            }
            shared.command(TransferCmd::Shutdown, &emit);
        })
        .expect("spawn transfer dispatcher");
    tx
}

/// Directories waiting for an fsync before the worker syncs them even with work queued.
pub(super) const DIRTY_DIRS_BATCH: usize = 64;

/// Removing a moved directory once all of its contents arrived.
#[derive(Debug, Clone)]
pub(super) enum Removal {
    Remote(String),
    Local(PathBuf),
}

pub(super) struct Tree {
    /// The directory job itself (its destination stays claimed until the tree is done).
    pub(super) id: JobId,
    pub(super) parent: Option<JobId>,
    pub(super) pending: usize,
    pub(super) all_ok: bool,
    pub(super) removal: Option<Removal>,
}

#[derive(Default)]
pub(super) struct State {
    pub(super) queue: VecDeque<Job>,
    pub(super) profile: Option<Profile>,
    /// Bumped when the profile changes, so workers reconnect.
    pub(super) generation: u64,
    pub(super) running: HashMap<JobId, Arc<Running>>,
    /// Jobs waiting for the user's answer to a conflict (sent again with a resolution).
    pub(super) parked: HashMap<JobId, Job>,
    pub(super) trees: HashMap<JobId, Tree>,
    /// The destination of every queued, running, parked or unfinished directory job.
    pub(super) claims: crate::safety::Claims,
    pub(super) shutdown: bool,
    /// Connections handed over for the current generation, each for one worker.
    pub(super) spare: Vec<(u64, crate::remote::connect::Connection)>,
}

pub(super) struct Shared {
    /// The limits every transfer pays into.
    pub(super) limits: super::limit::PoolLimits,
    /// The options' limits, which a profile's own override.
    base_limits: super::limit::Limits,
    pub(super) state: Mutex<State>,
    pub(super) wake: Condvar,
    pub(super) next_child: AtomicU64,
    /// Whether new transfer connections pipeline (see [`PoolOptions::pipelining`]).
    pub(super) pipelining: AtomicBool,
    /// See [`PoolOptions::wake_when_idle`].
    waker: Option<std::thread::Thread>,
}

impl Shared {
    /// The state, even after a worker panicked while holding it (the state is plain data that
    /// each step leaves consistent).
    pub(super) fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Unpark [`PoolOptions::wake_when_idle`] if nothing is queued or running. Called after
    /// each job's last event is sent, so the last of them is in before the thread wakes.
    pub(super) fn wake_if_idle(&self) {
        if let Some(t) = &self.waker {
            let idle = {
                let st = self.lock();
                st.queue.is_empty() && st.running.is_empty()
            };
            if idle {
                t.unpark();
            }
        }
    }

    /// Unpark [`PoolOptions::wake_when_idle`] now (an event that needs an answer was sent).
    pub(super) fn wake_now(&self) {
        if let Some(t) = &self.waker {
            t.unpark();
        }
    }

    /// Take the next queued job out of the queue when it is an upload that can start on this
    /// worker's connection without asking the server anything first (its destination is known
    /// to be absent), as `next_job` would take it. See `upload::claim_ahead`.
    pub(super) fn claim_next_upload(
        &self,
        generation: u64,
    ) -> Option<(Job, Arc<Running>, Profile)> {
        self.claim_next(generation, |j| j.is_file_upload() && j.known_absent)
    }

    /// Take the next queued job out of the queue when it is a download whose size the listing
    /// gave (so that it can start without a command first). See `download::claim_ahead`.
    pub(super) fn claim_next_download(
        &self,
        generation: u64,
    ) -> Option<(Job, Arc<Running>, Profile)> {
        self.claim_next(generation, |j| j.is_file_download() && j.size.is_some())
    }

    fn claim_next(
        &self,
        generation: u64,
        fits: impl Fn(&Job) -> bool,
    ) -> Option<(Job, Arc<Running>, Profile)> {
        let mut st = self.lock();
        if st.shutdown || st.generation != generation {
            return None;
        }
        if !fits(st.queue.front()?) {
            return None;
        }
        let profile = st.profile.clone()?;
        let job = st.queue.pop_front()?;
        let running = Arc::new(Running::default());
        st.running.insert(job.id, running.clone());
        Some((job, running, profile))
    }

    /// Apply a command; false once shut down.
    fn command(&self, cmd: TransferCmd, emit: &Emit) -> bool {
        let mut st = self.lock();
        match cmd {
            TransferCmd::SetProfile(p) => {
                self.limits.set(self.base_limits.overridden_by(p.limits));
                st.profile = Some(p);
                st.generation += 1;
                st.spare.clear();
            }
            TransferCmd::SetLimits(l) => self.limits.set(l),
            TransferCmd::Adopt(spare) => {
                if let Some(c) = spare.take() {
                    let generation = st.generation;
                    st.spare.push((generation, c));
                }
            }
            TransferCmd::Enqueue(jobs) => {
                let mut refused = Vec::new();
                drop(st);
                let mut parents = Default::default();
                let dests: Vec<_> = jobs.iter().map(|j| j.dest_cached(&mut parents)).collect();
                let mut st = self.lock();
                for (job, dest) in jobs.into_iter().zip(dests) {
                    st.parked.remove(&job.id);
                    match claim(&mut st, job.id, dest) {
                        Ok(()) => st.queue.push_back(job),
                        Err(reason) => refused.push((job, reason)),
                    }
                }
                if !refused.is_empty() {
                    let mut removals = Vec::new();
                    for (job, _) in &refused {
                        removals.extend(Self::child_finished(&mut st, job.parent, false));
                    }
                    drop(st);
                    for (job, reason) in refused {
                        emit(TransferEvent::Finished {
                            id: job.id,
                            outcome: Outcome::Skipped { reason },
                        });
                    }
                    log_dropped_removals(removals);
                    self.wake.notify_all();
                    return true;
                }
            }
            TransferCmd::Cancel(id) => {
                let queued = st.queue.iter().position(|j| j.id == id);
                let job = match queued {
                    Some(pos) => st.queue.remove(pos),
                    None => st.parked.remove(&id),
                };
                if let Some(job) = job {
                    st.claims.release(job.id);
                    let removals = Self::child_finished(&mut st, job.parent, false);
                    drop(st);
                    emit(TransferEvent::Finished {
                        id,
                        outcome: Outcome::Cancelled,
                    });
                    log_dropped_removals(removals);
                    return true;
                }
                if let Some(r) = st.running.get(&id) {
                    r.cancel();
                }
            }
            TransferCmd::CancelAll => {
                let mut queued: Vec<Job> = st.queue.drain(..).collect();
                queued.extend(std::mem::take(&mut st.parked).into_values());
                for job in &queued {
                    st.claims.release(job.id);
                }
                for r in st.running.values() {
                    r.cancel();
                }
                let mut removals = Vec::new();
                for job in &queued {
                    removals.extend(Self::child_finished(&mut st, job.parent, false));
                }
                drop(st);
                for job in queued {
                    emit(TransferEvent::Finished {
                        id: job.id,
                        outcome: Outcome::Cancelled,
                    });
                }
                log_dropped_removals(removals);
                return true;
            }
            TransferCmd::Shutdown => {
                st.shutdown = true;
                for r in st.running.values() {
                    r.cancel();
                }
                self.wake.notify_all();
                return false;
            }
        }
        self.wake.notify_all();
        true
    }

    /// A job under `parent` ended: count it in the trees above it. The climb stops at the first
    /// moved directory whose contents all arrived: its removal is returned, and the tree above
    /// it is told only once the removal is done (so a parent is never removed before its
    /// children, even when two workers finish them at once).
    pub(super) fn child_finished(
        st: &mut State,
        parent: Option<JobId>,
        ok: bool,
    ) -> Option<RemovalStep> {
        let mut current = parent;
        let mut ok = ok;
        while let Some(id) = current {
            let Some(tree) = st.trees.get_mut(&id) else {
                break;
            };
            tree.all_ok &= ok;
            tree.pending = tree.pending.saturating_sub(1);
            if tree.pending > 0 {
                break;
            }
            let Some(tree) = st.trees.remove(&id) else {
                break;
            };
            st.claims.release(tree.id);
            if let (true, Some(removal)) = (tree.all_ok, tree.removal) {
                return Some(RemovalStep {
                    removal,
                    parent: tree.parent,
                });
            }
            ok = tree.all_ok;
            current = tree.parent;
        }
        None
    }
}

/// Claim `dest`, the destination of job `id` (if it writes one: [`Job::dest`], found before
/// the lock is taken, since it may read the disk); the refusal says who holds it.
pub(super) fn claim(
    st: &mut State,
    id: JobId,
    dest: Option<crate::safety::Dest>,
) -> Result<(), String> {
    match dest {
        Some(dest) => st
            .claims
            .claim(dest.clone(), id)
            .map_err(|_| crate::safety::claims::busy_reason(&dest)),
        None => Ok(()),
    }
}

/// A moved directory to remove, and the tree to tell once it is gone.
#[derive(Debug)]
pub(super) struct RemovalStep {
    pub(super) removal: Removal,
    pub(super) parent: Option<JobId>,
}

pub(super) fn log_dropped_removals(removals: impl IntoIterator<Item = RemovalStep>) {
    for r in removals {
        tracing::warn!("not removing {:?}: its transfer was cancelled", r.removal);
    }
}
