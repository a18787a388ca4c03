//! `ftpdeck get` and `ftpdeck put`: the task pool without the TUI, for scripts and cron.
//! Progress goes to stderr (one line per finished file, or nothing with `--quiet`), a summary
//! last; `--json` prints the summary as JSON on stdout. Exit status: 0 when everything asked
//! was done, 1 when some items failed, 2 for a usage, connection or login error, 130 after
//! Ctrl-C (`.part` files are kept for a resume).

pub(crate) mod creds;
pub mod doctor;
pub mod ls;
pub(crate) mod report;
pub mod sync;
mod target;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use crate::remote::connect;
use crate::remote::{RemoteError, ops};
use crate::transfer::{self, Direction, Job, PoolOptions, Resolution, TransferCmd, TransferEvent};
pub use report::Summary;
pub use target::{Remote, parse_remote};

/// Exit statuses.
pub const OK: u8 = 0;
pub const SOME_FAILED: u8 = 1;
pub const USAGE: u8 = 2;
pub const INTERRUPTED: u8 = 130;

/// Settings every headless command shares.
#[derive(Debug, Clone)]
pub struct Common {
    pub parallel: usize,
    pub quiet: bool,
    pub json: bool,
    /// Trust a certificate with this SHA-256 fingerprint.
    pub trust_fingerprint: Option<String>,
    pub active: bool,
    /// What to do with an existing destination.
    pub existing: Resolution,
    /// `--limit-rate`: both directions, over the config's and the bookmark's limits.
    pub limit_rate: Option<u64>,
    /// `--charset`: the server's file-name charset, over a bookmark's.
    pub charset: Option<crate::remote::encoding::Charset>,
}

/// A failure that ends the command before any transfer: said on stderr, status 2.
#[derive(Debug)]
pub struct Fatal(pub String);

impl<E: std::fmt::Display> From<E> for Fatal {
    fn from(e: E) -> Self {
        Fatal(e.to_string())
    }
}

/// `ftpdeck get REMOTE... [LOCAL_DIR]`.
pub fn get(paths: &[String], common: &Common, config: &crate::config::Config) -> u8 {
    run(common, || {
        let (remotes, local_dir) = match paths {
            [] => return Err(Fatal("nothing to get: name at least one REMOTE".into())),
            [one] => (vec![one.clone()], PathBuf::from(".")),
            [rest @ .., last] if !target::looks_remote(last) => {
                (rest.to_vec(), PathBuf::from(last))
            }
            all => (all.to_vec(), PathBuf::from(".")),
        };
        if !local_dir.is_dir() {
            return Err(Fatal(format!("{} is not a directory", local_dir.display())));
        }
        let targets = remotes
            .iter()
            .map(|r| parse_remote(r))
            .collect::<Result<Vec<_>, _>>()?;
        let server = target::one_server(&targets)?;
        let mut profile = creds::complete(server, common)?;
        if common.active {
            profile.data_mode = crate::remote::DataMode::Active;
        }
        let mut conn = connect::connect(&profile, Default::default()).map_err(connect_failed)?;
        let secs = 30;
        let mut jobs = Vec::new();
        for (i, t) in targets.iter().enumerate() {
            let path = crate::remote::path::start_dir(&conn.home, &t.path);
            let is_dir = match ops::probe(&mut conn, &path, secs)? {
                Some(crate::entry::EntryKind::Dir) => true,
                Some(_) => false,
                None => {
                    return Err(Fatal(format!(
                        "{}: no such file or directory on the server",
                        crate::sanitize::display_name(&path)
                    )));
                }
            };
            let name = crate::remote::path::file_name(&path).unwrap_or("download");
            let name = crate::sanitize::local_component(name)
                .map_err(|e| Fatal(format!("refusing to write {e}")))?;
            let local = local_dir.join(crate::remote::encoding::local_name(name));
            jobs.push(Job {
                on_exists: Some(common.existing),
                ..Job::new(i as u64 + 1, Direction::Download, path, local, is_dir)
            });
        }
        Ok((profile, jobs, conn))
    })
    .map_or_else(
        |code| code,
        // The connection that checked the paths carries the first transfer: one login.
        |(profile, jobs, conn)| transfer_all(profile, jobs, vec![conn], common, config),
    )
}

/// `ftpdeck put LOCAL... REMOTE_DIR`.
pub fn put(paths: &[String], common: &Common, config: &crate::config::Config) -> u8 {
    run(common, || {
        let [locals @ .., dest] = paths else {
            return Err(Fatal("nothing to put".into()));
        };
        if locals.is_empty() {
            return Err(Fatal(
                "put needs at least one LOCAL file or directory, then the REMOTE_DIR".into(),
            ));
        }
        let t = parse_remote(dest)?;
        let path = t.path.clone();
        let mut profile = creds::complete(t, common)?;
        if common.active {
            profile.data_mode = crate::remote::DataMode::Active;
        }
        let mut conn = connect::connect(&profile, Default::default()).map_err(connect_failed)?;
        let dir = crate::remote::path::start_dir(&conn.home, &path);
        if ops::probe(&mut conn, &dir, 30)? != Some(crate::entry::EntryKind::Dir) {
            return Err(Fatal(format!(
                "{} is not a directory on the server",
                crate::sanitize::display_name(&dir)
            )));
        }
        let mut jobs = Vec::new();
        for (i, l) in locals.iter().enumerate() {
            let local = PathBuf::from(l);
            let meta = std::fs::metadata(&local)
                .map_err(|e| Fatal(format!("{l}: {}", crate::local::plain_io_error(&e))))?;
            let Some(name) = local
                .canonicalize()
                .ok()
                .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            else {
                return Err(Fatal(format!("{l}: has no name to upload under")));
            };
            let remote = crate::remote::path::join(&dir, &name);
            jobs.push(Job {
                on_exists: Some(common.existing),
                size: meta.is_file().then_some(meta.len()),
                ..Job::new(
                    i as u64 + 1,
                    Direction::Upload,
                    remote,
                    local,
                    meta.is_dir(),
                )
            });
        }
        Ok((profile, jobs, conn))
    })
    .map_or_else(
        |code| code,
        |(profile, jobs, conn)| transfer_all(profile, jobs, vec![conn], common, config),
    )
}

/// Run the preparation; a failure is said and becomes status 2 (130 after Ctrl-C).
pub(crate) fn run<T>(common: &Common, prepare: impl FnOnce() -> Result<T, Fatal>) -> Result<T, u8> {
    let _ = interrupted_flag();
    prepare().map_err(|Fatal(why)| {
        report::fatal(&why, common);
        if interrupted_flag().load(Ordering::Relaxed) {
            INTERRUPTED
        } else {
            USAGE
        }
    })
}

/// Set by SIGINT or SIGTERM (the handlers are installed on the first call).
pub(crate) fn interrupted_flag() -> Arc<AtomicBool> {
    static FLAG: std::sync::OnceLock<Arc<AtomicBool>> = std::sync::OnceLock::new();
    FLAG.get_or_init(|| {
        let flag = Arc::new(AtomicBool::new(false));
        for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
            let _ = signal_hook::flag::register(sig, flag.clone());
        }
        flag
    })
    .clone()
}

/// Run the jobs on the pool until each (and everything under it) ended, or Ctrl-C; the pool
/// adopts `connections` (logged in with `profile`) before it makes its own.
pub(crate) fn transfer_all(
    profile: crate::remote::Profile,
    jobs: Vec<Job>,
    connections: Vec<connect::Connection>,
    common: &Common,
    config: &crate::config::Config,
) -> u8 {
    let stop = interrupted_flag();
    let (tx, rx) = mpsc::channel::<TransferEvent>();
    let mut reporter = report::Reporter::new(common);
    // Without the live line nothing needs each event at once: this thread sleeps until the
    // pool is done (or a conflict asks), and takes the events then (see `wake_when_idle`).
    let quiet = !reporter.is_live();
    let options = PoolOptions {
        workers: common.parallel.max(1),
        live_events: !quiet,
        wake_when_idle: quiet.then(std::thread::current),
        ..PoolOptions::from_config(config)
    };
    let pool = transfer::spawn(tx, options);
    let _ = pool.send(TransferCmd::SetProfile(profile));
    if let Some(rate) = common.limit_rate {
        let limits = crate::transfer::limit::Limits::both(Some(rate));
        let _ = pool.send(TransferCmd::SetLimits(limits));
    }
    for c in connections {
        let _ = pool.send(TransferCmd::Adopt(transfer::Spare::new(c)));
    }
    let mut open: std::collections::HashMap<u64, Job> =
        jobs.iter().map(|j| (j.id, j.clone())).collect();
    let _ = pool.send(TransferCmd::Enqueue(jobs));
    let started = Instant::now();
    let mut summary = Summary::default();
    for j in open.values() {
        reporter.add(j);
    }
    let mut cancelled = false;
    while !open.is_empty() {
        if stop.load(Ordering::Relaxed) && !cancelled {
            cancelled = true;
            let _ = pool.send(TransferCmd::CancelAll);
        }
        let event = if quiet {
            match rx.try_recv() {
                Ok(e) => e,
                Err(mpsc::TryRecvError::Empty) => {
                    // Woken when the pool is idle or a conflict asks; Ctrl-C is seen within
                    // the timeout.
                    std::thread::park_timeout(Duration::from_millis(200));
                    continue;
                }
                Err(mpsc::TryRecvError::Disconnected) => break,
            }
        } else {
            match rx.recv_timeout(Duration::from_millis(200)) {
                Ok(e) => e,
                Err(mpsc::RecvTimeoutError::Timeout) => continue,
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
        };
        match event {
            TransferEvent::Added { job } => {
                reporter.add(&job);
                open.insert(job.id, job);
            }
            TransferEvent::Progress {
                id, done, total, ..
            } => reporter.progress(id, done, total),
            TransferEvent::Conflict { id, .. } => {
                // Only a read-only destination asks even with a policy: never replaced here.
                summary.failed.push(format!(
                    "{}: the destination is read-only; not replaced",
                    open.get(&id).map(job_path).unwrap_or_default()
                ));
                let _ = pool.send(TransferCmd::Cancel(id));
                open.remove(&id);
            }
            TransferEvent::Finished { id, outcome } => {
                if let Some(job) = open.remove(&id) {
                    summary.count(&job, &outcome);
                    reporter.finished(&job, &outcome);
                }
            }
            _ => {}
        }
    }
    let _ = pool.send(TransferCmd::Shutdown);
    summary.secs = started.elapsed().as_secs_f64();
    reporter.summary(&summary);
    if cancelled {
        INTERRUPTED
    } else if summary.failed.is_empty() {
        OK
    } else {
        SOME_FAILED
    }
}

/// The path a job is about, as the user named it.
fn job_path(job: &Job) -> String {
    match job.direction {
        Direction::Download => crate::sanitize::display_name(&job.remote),
        Direction::Upload => job.local.display().to_string(),
    }
}

/// A connection that failed, in words that say what to do.
pub(crate) fn connect_failed(e: RemoteError) -> Fatal {
    match &e {
        RemoteError::UntrustedCert { fingerprint, .. } => Fatal(format!(
            "{e}\n  to trust this certificate, run again with --trust-fingerprint {fingerprint}"
        )),
        _ => Fatal(e.to_string()),
    }
}
