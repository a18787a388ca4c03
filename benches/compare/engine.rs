//! ftpdeck's side of the contests, without the UI: the transfer engine and the session worker,
//! driven through their channels as the app drives them.

use std::collections::HashSet;
use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use ftpdeck::remote::session::{self, RemoteCmd, RemoteEvent, SessionOptions};
use ftpdeck::remote::{Profile, Secret};
use ftpdeck::transfer::{
    self, Direction, Job, JobId, Outcome, PoolOptions, Resolution, TransferCmd, TransferEvent,
};

use super::tools::Login;

pub fn profile(login: &Login) -> Profile {
    Profile {
        host: "127.0.0.1".into(),
        port: login.port,
        user: login.user.clone(),
        password: Some(Secret::new(login.password.clone())),
        path: String::new(),
        ..Default::default()
    }
}

/// One top-level job (a file, or a directory to copy whole).
pub fn job(id: JobId, direction: Direction, remote: &str, local: &Path, is_dir: bool) -> Job {
    Job {
        on_exists: Some(Resolution::Overwrite),
        ..Job::new(id, direction, remote, local, is_dir)
    }
}

/// Start a pool with `workers` workers and `buffer_size` buffers, run `jobs` and every job they
/// expand into, and time it from the pool's start (connections included, as curl's and lftp's
/// times include theirs) to the last job's end. Any job that does not end done is an error.
pub fn transfer(
    login: &Login,
    workers: usize,
    buffer_size: usize,
    jobs: Vec<Job>,
    timeout: Duration,
) -> Result<Duration, String> {
    let (tx, rx) = mpsc::channel::<TransferEvent>();
    let start = Instant::now();
    let cmd = transfer::spawn(
        tx,
        PoolOptions {
            workers,
            buffer_size,
            ..PoolOptions::default()
        },
    );
    let mut open: HashSet<JobId> = jobs.iter().map(|j| j.id).collect();
    let send = |c| {
        cmd.send(c)
            .map_err(|_| "the transfer engine stopped".to_string())
    };
    send(TransferCmd::SetProfile(profile(login)))?;
    send(TransferCmd::Enqueue(jobs))?;
    let deadline = start + timeout;
    let mut failures = Vec::new();
    let mut retries = 0;
    while !open.is_empty() {
        let left = deadline.saturating_duration_since(Instant::now());
        let event = rx.recv_timeout(left).map_err(|_| {
            let _ = cmd.send(TransferCmd::Shutdown);
            format!("{} jobs still open after {timeout:?}", open.len())
        })?;
        match event {
            TransferEvent::Added { job } => {
                open.insert(job.id);
            }
            TransferEvent::Finished { id, outcome } => {
                open.remove(&id);
                if !matches!(outcome, Outcome::Done { .. } | Outcome::Expanded { .. }) {
                    failures.push(format!("job {id}: {outcome:?}"));
                }
            }
            TransferEvent::Conflict { id, .. } => {
                open.remove(&id);
                failures.push(format!("job {id}: unexpected conflict"));
            }
            TransferEvent::Retrying { .. } => retries += 1,
            _ => {}
        }
    }
    let elapsed = start.elapsed();
    let _ = cmd.send(TransferCmd::Shutdown);
    if !failures.is_empty() {
        return Err(format!(
            "{} jobs failed ({retries} retries), first: {}",
            failures.len(),
            failures[0]
        ));
    }
    Ok(elapsed)
}

/// One listing by the session worker, as the app asks for it.
pub struct Listed {
    /// `List` sent → `Listed` received, on a connection already logged in.
    pub list: Duration,
    /// Worker start → `Connected`, plus `list`: comparable to a whole curl process.
    pub connect_and_list: Duration,
}

pub fn list(
    login: &Login,
    path: &str,
    expected: usize,
    timeout: Duration,
) -> Result<Listed, String> {
    let (tx, rx) = mpsc::channel::<RemoteEvent>();
    let start = Instant::now();
    let cmd = session::spawn(tx, SessionOptions::default());
    let result = (|| {
        let deadline = start + timeout;
        let next = || {
            rx.recv_timeout(deadline.saturating_duration_since(Instant::now()))
                .map_err(|_| format!("no answer from the session worker within {timeout:?}"))
        };
        cmd.send(RemoteCmd::Connect {
            profile: profile(login),
        })
        .map_err(|_| "the session worker stopped")?;
        loop {
            match next()? {
                RemoteEvent::Connected { .. } => break,
                RemoteEvent::ConnectFailed { error } => {
                    return Err(format!("connect failed: {error}"));
                }
                _ => {}
            }
        }
        let connected = start.elapsed();
        let asked = Instant::now();
        cmd.send(RemoteCmd::List {
            id: 1,
            path: path.into(),
        })
        .map_err(|_| "the session worker stopped")?;
        loop {
            if let RemoteEvent::Listed { id: 1, result, .. } = next()? {
                let list = asked.elapsed();
                let listing = result.map_err(|e| format!("listing {path} failed: {e}"))?;
                if listing.entries.len() != expected {
                    return Err(format!(
                        "listed {} entries in {path}, expected {expected}",
                        listing.entries.len()
                    ));
                }
                return Ok(Listed {
                    list,
                    connect_and_list: connected + list,
                });
            }
        }
    })();
    let _ = cmd.send(RemoteCmd::Shutdown);
    result
}
