//! Operations on the server that run as jobs of the pool, on their own connection: a delete, a
//! recursive permissions change, a directory size, a fetch for the viewer. Each reports its
//! progress as steps, stops at a cancel between two commands, and ends with a typed outcome.

use super::copy;
use super::event::{Outcome, TaskError, TransferEvent};
use super::job::{Job, Task};
use super::progress::Throttle;
use super::run::{Ctx, JobError, Run};
use crate::remote::tree::{self, Visit, WalkError, WalkOptions};
use crate::remote::{RemoteError, ops};
use crate::sanitize::display_name;
use crate::words::count;

pub(super) fn run(ctx: &mut Ctx, job: &Job, task: &Task) -> Result<Run, JobError> {
    let outcome = match task {
        Task::Delete => delete(ctx, job),
        Task::Chmod { mode } => chmod(ctx, job, *mode),
        Task::Size => size(ctx, job),
        Task::View { max_bytes } => return view(ctx, job, *max_bytes),
        Task::SyncScan { options, upload } => sync_scan(ctx, job, options, *upload),
        Task::Mkdirs { paths } => mkdirs(ctx, job, paths),
        Task::Doctor { .. } => {
            return Err(JobError::fatal(
                "internal error: the doctor runs on connections of its own",
            ));
        }
        #[cfg(test)]
        Task::Panic => panic!("a job that panics, for the tests"),
    };
    match outcome {
        Ok(o) => Ok(Run::Finished(o)),
        Err(Failure::Cancelled) => Ok(Run::Finished(Outcome::Cancelled)),
        Err(Failure::Error(e)) => Err(e),
    }
}

enum Failure {
    Cancelled,
    Error(JobError),
}

impl From<RemoteError> for Failure {
    fn from(e: RemoteError) -> Self {
        Failure::Error(e.into())
    }
}

fn walk_options(ctx: &Ctx) -> WalkOptions {
    WalkOptions {
        prefer_mlsd: ctx.options.prefer_mlsd,
        max_depth: ctx.options.max_depth,
        timeout_secs: ctx.secs(),
    }
}

/// Steps reported at most ten times a second, plus the last one.
struct Steps<'a> {
    id: u64,
    emit: &'a super::run::Emit,
    throttle: Throttle,
}

impl<'a> Steps<'a> {
    fn new(ctx: &Ctx<'a>, id: u64) -> Self {
        Steps {
            id,
            emit: ctx.emit,
            throttle: Throttle::new(0),
        }
    }

    fn report(&mut self, done: u64, total: Option<u64>, bytes: u64, last: bool) {
        if self.throttle.tick(done).is_some() || last {
            (self.emit)(TransferEvent::Steps {
                id: self.id,
                done,
                total,
                bytes,
            });
        }
    }
}

/// What one step of a planned change does.
enum Step {
    /// A file, or a link (removed as a link, never followed).
    Entry(String),
    /// A directory (after everything in it).
    Dir(String),
}

/// Walk the job's tree on its connection, stopping at its cancel.
fn walk_job(
    ctx: &mut Ctx,
    job: &Job,
    visit: &mut dyn FnMut(Visit) -> Result<(), WalkError>,
) -> Result<(), WalkError> {
    let opts = walk_options(ctx);
    let running = ctx.running;
    tree::walk_tree(ctx.conn, &job.remote, opts, &|| running.cancelled(), visit)
}

/// Walk the tree at `root` (or take the file as it is) into a list of steps, contents before
/// their directory. Nothing is changed.
fn plan(ctx: &mut Ctx, job: &Job, with_links: bool, untouched: &str) -> Result<Vec<Step>, Failure> {
    if !job.is_dir {
        return Ok(vec![Step::Entry(job.remote.clone())]);
    }
    let mut steps = Vec::new();
    let mut progress = Steps::new(ctx, job.id);
    let result = walk_job(ctx, job, &mut |v| {
        match v {
            Visit::Leaf { link: true, .. } if !with_links => {}
            Visit::Leaf { path, .. } => steps.push(Step::Entry(path.to_string())),
            Visit::Enter { .. } => {}
            Visit::Leave { path } => steps.push(Step::Dir(path.to_string())),
        }
        if steps.len() >= MAX_PLANNED {
            return Err(WalkError::Remote(RemoteError::Other(format!(
                "more than {MAX_PLANNED} entries under {}",
                display_name(&job.remote)
            ))));
        }
        progress.report(steps.len() as u64, None, 0, false);
        Ok(())
    });
    match result {
        Ok(()) => {
            progress.report(steps.len() as u64, None, 0, true);
            Ok(steps)
        }
        Err(WalkError::Cancelled) => Err(Failure::Cancelled),
        Err(WalkError::Remote(e)) if e.is_connection_lost() => Err(e.into()),
        Err(WalkError::Remote(e)) => Err(Failure::Error(JobError {
            error: TaskError::RemoteAfter {
                error: e,
                context: untouched.to_string(),
            },
            retryable: false,
            restart_fresh: false,
        })),
        Err(e) => Err(Failure::Error(JobError::fatal(format!("{untouched}: {e}")))),
    }
}

/// Most entries a recursive change plans before it refuses (a listing that never ends).
const MAX_PLANNED: usize = 5_000_000;

/// Delete the job's entry: the whole tree is planned before anything goes (a loop or a depth
/// refusal deletes nothing), then removed contents first. A cancel stops between two commands
/// and leaves the rest in place.
fn delete(ctx: &mut Ctx, job: &Job) -> Result<Outcome, Failure> {
    let steps = plan(ctx, job, true, "nothing was deleted")?;
    let secs = ctx.secs();
    let done = carry_out(
        ctx,
        job,
        steps.iter().collect(),
        "deleting",
        |conn, step| match step {
            Step::Entry(p) => ops::remove_file(conn, p, secs),
            Step::Dir(p) => {
                // Leave the directory before removing it: some servers refuse to remove the cwd.
                let _ = conn.ftp.cwd("/");
                ops::remove_dir(conn, p, secs)
            }
        },
    )?;
    Ok(Outcome::Deleted { entries: done })
}

/// Carry out planned steps one command each, in order: a cancel stops between two, a failure
/// says how far it got (`doing` names the work: "after deleting 3 of 10"). Returns how many
/// were done.
fn carry_out(
    ctx: &mut Ctx,
    job: &Job,
    steps: Vec<&Step>,
    doing: &str,
    mut command: impl FnMut(&mut crate::remote::Connection, &Step) -> Result<(), RemoteError>,
) -> Result<u64, Failure> {
    let total = steps.len() as u64;
    let mut progress = Steps::new(ctx, job.id);
    let mut done = 0;
    for step in steps {
        if ctx.running.cancelled() {
            progress.report(done, Some(total), 0, true);
            return Err(Failure::Cancelled);
        }
        if let Err(e) = command(ctx.conn, step) {
            progress.report(done, Some(total), 0, true);
            let retryable = e.is_connection_lost();
            let error = match total {
                1 => TaskError::Remote(e),
                _ => TaskError::RemoteAfter {
                    error: e,
                    context: format!("after {doing} {done} of {total}"),
                },
            };
            return Err(Failure::Error(JobError {
                error,
                retryable,
                restart_fresh: false,
            }));
        }
        done += 1;
        progress.report(done, Some(total), 0, false);
    }
    progress.report(done, Some(total), 0, true);
    Ok(done)
}

/// The mode a directory gets in a recursive change: the asked mode, searchable wherever it is
/// readable (as `chmod -R u=rwX` does), so `644` on a tree keeps its directories enterable.
pub fn dir_mode(mode: u32) -> u32 {
    mode | ((mode & 0o444) >> 2)
}

/// Set permissions on the job's entry and, for a directory, on everything under it (files get
/// the mode, directories [`dir_mode`]; links are left alone). The tree is read before the
/// first change, and directories are changed last, deepest first, so a mode that locks us out
/// comes after the walk.
fn chmod(ctx: &mut Ctx, job: &Job, mode: u32) -> Result<Outcome, Failure> {
    let steps = plan(ctx, job, false, "nothing was changed")?;
    let secs = ctx.secs();
    let (files, dirs): (Vec<_>, Vec<_>) = steps.iter().partition(|s| matches!(s, Step::Entry(_)));
    let ordered = files.into_iter().chain(dirs).collect();
    let done = carry_out(ctx, job, ordered, "changing", |conn, step| {
        let (path, m) = match step {
            Step::Entry(p) => (p, mode),
            Step::Dir(p) => (p, dir_mode(mode)),
        };
        conn.ftp
            .custom_command(
                format!("SITE CHMOD {m:o} {path}"),
                &[suppaftp::Status::CommandOk],
            )
            .map(|_| ())
            .map_err(|e| RemoteError::from_ftp(e, "changing permissions", secs))
    })?;
    Ok(Outcome::Chmodded { entries: done })
}

/// Count what a tree holds.
fn size(ctx: &mut Ctx, job: &Job) -> Result<Outcome, Failure> {
    let mut progress = Steps::new(ctx, job.id);
    let (mut files, mut dirs, mut bytes) = (0u64, 0u64, 0u64);
    let result = walk_job(ctx, job, &mut |v| {
        match v {
            Visit::Leaf { entry, link, .. } if !link => {
                files += 1;
                bytes = bytes.saturating_add(entry.size.unwrap_or(0));
            }
            Visit::Enter { .. } => dirs += 1,
            _ => {}
        }
        progress.report(files, None, bytes, false);
        Ok(())
    });
    match result {
        Ok(()) => {
            progress.report(files, None, bytes, true);
            Ok(Outcome::Sized {
                files,
                // The root itself is not one of the directories it holds.
                dirs: dirs.saturating_sub(1),
                bytes,
            })
        }
        Err(WalkError::Cancelled) => Err(Failure::Cancelled),
        Err(WalkError::Remote(e)) => Err(e.into()),
        Err(e) => Err(Failure::Error(JobError::fatal(format!(
            "{} could not be measured: {e}",
            display_name(&job.remote)
        )))),
    }
}

/// Scan both trees of a sync (the server's on several connections at once, the local one
/// meanwhile) and compare them into a plan. Counts go out as they grow; nothing changes.
fn sync_scan(
    ctx: &mut Ctx,
    job: &Job,
    options: &crate::sync::Options,
    upload: bool,
) -> Result<Outcome, Failure> {
    use crate::sync::{Compare, ScanError, Seen, checksum};
    let (id, emit) = (job.id, ctx.emit);
    let by_checksum = options.compare == Compare::Checksum;
    if by_checksum {
        // Before anything is scanned: a server that cannot hash stops the scan at once.
        checksum::check_offer(ctx.conn).map_err(checksum_failure)?;
    }
    let throttle = std::sync::Mutex::new(Throttle::new(0));
    let due = || {
        throttle
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .tick(0)
            .is_some()
    };
    let report = |local: Seen, remote: Seen, last: bool| {
        if due() || last {
            emit(TransferEvent::Scanned { id, local, remote });
        }
    };
    let opts = walk_options(ctx);
    let running = ctx.running;
    let workers = ctx.options.workers.max(1);
    let mut spare = Vec::new();
    let scanned = crate::sync::scan_both(
        ctx.conn,
        ctx.profile,
        &job.local,
        Some(&job.remote),
        opts,
        workers,
        &|| running.cancelled(),
        &|l, r| report(l, r, false),
        &mut spare,
    );
    for mut c in spare {
        let _ = c.ftp.quit();
    }
    let scanned = match scanned {
        Ok(s) => s,
        Err(ScanError::Cancelled) => return Err(Failure::Cancelled),
        Err(ScanError::Failed(e)) => return Err(Failure::Error(JobError::fatal(e))),
    };
    let count = |t: &crate::sync::Tree| {
        let dirs = t.values().filter(|i| i.dir).count() as u64;
        Seen {
            dirs,
            files: t.len() as u64 - dirs,
        }
    };
    let (local, remote) = (count(&scanned.local), count(&scanned.remote));
    report(local, remote, true);
    let (src, dst) = if upload {
        (&scanned.local, &scanned.remote)
    } else {
        (&scanned.remote, &scanned.local)
    };
    // Both ways, same sizes, other times: the contents decide where the server can tell.
    let (doubt_local, doubt_remote) = crate::sync::doubts(&scanned.local, &scanned.remote, options);
    let by_doubt = !doubt_local.is_empty() && ctx.conn.features.hash.best().is_some();
    if !by_checksum && !by_doubt {
        return Ok(Outcome::Planned {
            plan: crate::sync::plan(src, dst, options),
            local,
            remote,
            unhashed: 0,
        });
    }
    let (hash_local, hash_remote) = if by_checksum {
        (&scanned.local, &scanned.remote)
    } else {
        (&doubt_local, &doubt_remote)
    };
    let hashing = checksum::Job {
        profile: ctx.profile,
        local_root: &job.local,
        remote_root: &job.remote,
        local: hash_local,
        remote: hash_remote,
        exclude: &options.exclude,
        workers,
    };
    // Files hashed of those to hash, as the task's steps.
    let progress = |done: usize, total: usize| {
        if due() || done == total {
            emit(TransferEvent::Steps {
                id,
                done: done as u64,
                total: Some(total as u64),
                bytes: 0,
            });
        }
    };
    let sums = match crate::sync::checksums(&hashing, &|| running.cancelled(), &progress) {
        Ok(s) => s,
        Err(e) if by_checksum => return Err(checksum_failure(e)),
        // Only a help for both ways: without it the newer time decides.
        Err(checksum::ChecksumError::Cancelled) => return Err(Failure::Cancelled),
        Err(_) => crate::sync::Checksums::default(),
    };
    Ok(Outcome::Planned {
        plan: crate::sync::plan_with(src, dst, options, &sums),
        local,
        remote,
        unhashed: sums.unknown().count() as u64,
    })
}

/// Why a checksum comparison could not be made, in the words of the options dialog.
fn checksum_failure(e: crate::sync::checksum::ChecksumError) -> Failure {
    use crate::sync::checksum::ChecksumError;
    let why = match e {
        ChecksumError::Cancelled => return Failure::Cancelled,
        ChecksumError::NotOffered { .. } => {
            "the server computes no checksums (none of HASH, XSHA256, XSHA1, XMD5, XCRC, SITE MD5 \
             in its FEAT reply): compare by size and time"
                .to_string()
        }
        ChecksumError::CommandRefused { command, reply } => {
            format!("the server lists {command} but refuses it ({reply}): compare by size and time")
        }
        ChecksumError::Failed(e) => e,
    };
    Failure::Error(JobError::fatal(why))
}

/// Make directories under the job's remote root, parents first (one that is there is fine).
fn mkdirs(ctx: &mut Ctx, job: &Job, paths: &[String]) -> Result<Outcome, Failure> {
    let mut sorted: Vec<&String> = paths.iter().collect();
    sorted.sort();
    let steps: Vec<Step> = sorted
        .into_iter()
        .map(|p| Step::Dir(crate::remote::path::join(&job.remote, p)))
        .collect();
    let secs = ctx.secs();
    let done = carry_out(
        ctx,
        job,
        steps.iter().collect(),
        "creating",
        |conn, step| match step {
            Step::Dir(p) | Step::Entry(p) => ops::ensure_dir(conn, p, secs),
        },
    )?;
    Ok(Outcome::Made { dirs: done })
}

/// Read the first `max` bytes of a file into memory, once: no temporary file.
fn view(ctx: &mut Ctx, job: &Job, max: u64) -> Result<Run, JobError> {
    let secs = ctx.secs();
    let size = ops::size(ctx.conn, &job.remote, secs)?;
    let mut stream = ctx
        .conn
        .ftp
        .retr_as_stream(&job.remote)
        .map_err(|e| RemoteError::from_ftp(e, "downloading", secs))?;
    ctx.running
        .set_socket(stream.get_ref().get_ref().try_clone().ok());
    let mut data = Vec::with_capacity(size.unwrap_or(64 * 1024).min(max) as usize);
    let (done, copied) = copy::pump(
        ctx,
        job.id,
        &mut stream,
        &mut data,
        copy::Network::Reader,
        0,
        size.map(|s| s.min(max)),
        Some(max),
    );
    ctx.running.set_socket(None);
    let stopped_early = done >= max && size.is_none_or(|s| s > done);
    let finished = stream.finish();
    match copied {
        Err(stop) => {
            if finished.is_err() {
                ctx.drop_connection = true;
            }
            let here = std::path::Path::new(&job.remote);
            return stop.into_result(ctx.running.cancelled(), "cannot read", here, done, secs);
        }
        Ok(()) if stopped_early => {
            // Leaving before the end is an abort: the reply may be 426, or come late.
            if finished.is_err() {
                ctx.drop_connection = true;
            }
        }
        Ok(()) => {
            finished.map_err(|e| RemoteError::from_ftp(e, "downloading", secs))?;
        }
    }
    let size = size.or((!stopped_early).then_some(done));
    tracing::info!(
        "viewer: read {} of {}",
        count(done as usize, "byte", "bytes"),
        display_name(&job.remote)
    );
    Ok(Run::Finished(Outcome::Viewed { data, size }))
}

#[cfg(test)]
mod tests {
    use super::dir_mode;

    #[test]
    fn directories_stay_searchable_where_readable() {
        assert_eq!(dir_mode(0o644), 0o755);
        assert_eq!(dir_mode(0o600), 0o700);
        assert_eq!(dir_mode(0o640), 0o750);
        assert_eq!(dir_mode(0o000), 0o000);
        assert_eq!(dir_mode(0o755), 0o755);
    }
}
