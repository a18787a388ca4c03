//! One file from the server to the local disk: written to `name.part` (never through a link),
//! verified, made durable, then renamed into place. An existing `.part` is resumed with REST.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, UNIX_EPOCH};

use super::copy;
use super::event::{FileFacts, Outcome, TaskError};
use super::job::{Job, Resolution, numbered_name};
use super::run::{Ctx, JobError, Run};
use super::verify::Failure;
use crate::remote::{RemoteError, ops};
use crate::safety::local as safe;

/// Why `ResumeElseSkip` left a file alone.
pub(crate) const EXISTS_NOT_SMALLER: &str =
    "the destination exists and is not smaller (--overwrite overwrite replaces it)";

/// Decided once per job, kept across retries.
pub(super) struct Plan {
    target: PathBuf,
    /// Start from zero (drop any `.part`); false resumes an existing `.part`.
    fresh: bool,
    /// The size the listing or SIZE announced: a hint for progress (the file may have changed).
    expected: Option<u64>,
    /// The mode of the file being replaced, which the new one keeps.
    keep_mode: Option<u32>,
    /// A copy already failed its checksum: the next mismatch is final.
    mismatched: bool,
}

enum Prepared {
    Go(Plan),
    Skip(String),
    Conflict {
        source: FileFacts,
        existing: FileFacts,
    },
}

/// `dir/name` -> `dir/name.part`.
pub fn part_path(target: &Path) -> PathBuf {
    let mut name = target.file_name().unwrap_or_default().to_os_string();
    name.push(".part");
    target.with_file_name(name)
}

pub(super) fn run(ctx: &mut Ctx, job: &Job, plan: &mut Option<Plan>) -> Result<Run, JobError> {
    if plan.is_none() {
        match prepare(ctx, job)? {
            Prepared::Go(p) => *plan = Some(p),
            Prepared::Skip(reason) => return Ok(Run::Finished(Outcome::Skipped { reason })),
            Prepared::Conflict { source, existing } => {
                return Ok(Run::Conflict { source, existing });
            }
        }
    }
    let Some(p) = plan.as_mut() else {
        return Err(JobError::fatal("internal error: no download plan"));
    };
    let mut result = execute(ctx, job, p);
    while let Err(Failure::Mismatch(why)) = &result {
        // The copy is not the file: it goes (and the whole file comes once more).
        let _ = fs::remove_file(part_path(&p.target));
        if p.mismatched {
            break;
        }
        p.mismatched = true;
        p.fresh = true;
        (ctx.emit)(super::event::TransferEvent::Retrying {
            id: job.id,
            attempt: 1,
            error: format!("{why}; downloading it again from the start"),
        });
        result = execute(ctx, job, p);
    }
    let result = result.map_err(|f| match f {
        Failure::Job(e) => e,
        Failure::Mismatch(why) => JobError::fatal(format!(
            "{why} (twice: the download was removed; nothing was kept under {})",
            p.target.display()
        )),
    });
    if !matches!(&result, Err(e) if e.restart_fresh) {
        p.fresh = false; // a retry continues from the .part
    }
    if !matches!(result, Ok(Run::Finished(Outcome::Done { .. }))) {
        // Some servers accept RETR and refuse only once the data connection is open:
        // an empty .part is no progress worth keeping.
        let part = part_path(&p.target);
        if safe::existing(&part).is_ok_and(|m| m.is_some_and(|m| m.is_file() && m.len() == 0)) {
            let _ = fs::remove_file(&part);
        }
    }
    result
}

fn prepare(ctx: &mut Ctx, job: &Job) -> Result<Prepared, JobError> {
    let name = job
        .local
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    crate::sanitize::local_component(&name)
        .map_err(|e| JobError::fatal(format!("refused: {e}")))?;
    let secs = ctx.secs();
    let expected = match job.size {
        Some(n) => Some(n),
        None => ops::size(ctx.conn, &job.remote, secs)?,
    };
    let source = FileFacts {
        size: expected,
        mtime: job.mtime,
        read_only: false,
    };
    let go = |target: PathBuf, fresh, keep_mode| {
        Ok(Prepared::Go(Plan {
            target,
            fresh,
            expected,
            keep_mode,
            mismatched: false,
        }))
    };
    let meta = match safe::existing(&job.local) {
        Ok(Some(m)) => m,
        Ok(None) => return go(job.local.clone(), false, None),
        Err(e) => return Err(JobError::local("cannot check", &job.local, &e)),
    };
    if meta.is_dir() {
        return Err(JobError::fatal(format!(
            "{} is a directory; the file cannot replace it",
            job.local.display()
        )));
    }
    if !meta.file_type().is_file() {
        // A symlink (or device, fifo) in the destination is never written through or replaced.
        return Err(JobError::local(
            "not replacing",
            &job.local,
            &safe::not_regular(&meta),
        ));
    }
    let read_only = safe::is_read_only(&meta);
    let existing = FileFacts {
        size: Some(meta.len()),
        mtime: modified_secs(&meta),
        read_only,
    };
    let mode = Some(safe::mode_of(&meta));
    let replaces = !matches!(
        job.on_exists,
        None | Some(Resolution::Skip | Resolution::Rename)
    );
    if read_only && replaces && !job.replace_read_only {
        // A read-only file is replaced only when the user says so for this very file.
        return Ok(Prepared::Conflict { source, existing });
    }
    match job.on_exists {
        None => Ok(Prepared::Conflict { source, existing }),
        Some(Resolution::Skip) => Ok(Prepared::Skip("the destination exists".into())),
        Some(Resolution::Overwrite) => go(job.local.clone(), true, mode),
        Some(Resolution::OverwriteIfNewer) => {
            if is_newer(source.mtime, existing.mtime) {
                go(job.local.clone(), true, mode)
            } else {
                Ok(Prepared::Skip("the destination is not older".into()))
            }
        }
        Some(Resolution::Rename) => go(free_local_name(&job.local), true, None),
        Some(Resolution::ResumeElseSkip) if !matches!((existing.size, expected), (Some(have), Some(want)) if have < want) => {
            Ok(Prepared::Skip(EXISTS_NOT_SMALLER.into()))
        }
        Some(Resolution::Resume | Resolution::ResumeElseSkip) => match (existing.size, expected) {
            (Some(have), Some(want)) if have == want => {
                Ok(Prepared::Skip("the destination is already complete".into()))
            }
            (Some(have), Some(want)) if have < want => {
                let part = part_path(&job.local);
                // An older .part of ftpdeck's own gives way; a link or anything else is refused.
                if let Some(m) =
                    safe::existing(&part).map_err(|e| JobError::local("cannot check", &part, &e))?
                {
                    if !m.file_type().is_file() {
                        return Err(JobError::local(
                            "not replacing",
                            &part,
                            &safe::not_regular(&m),
                        ));
                    }
                }
                // Continue the existing file: it becomes the .part we resume.
                fs::rename(&job.local, &part)
                    .map_err(|e| JobError::local("cannot resume", &job.local, &e))?;
                go(job.local.clone(), false, mode)
            }
            _ => go(job.local.clone(), true, mode),
        },
    }
}

fn execute(ctx: &mut Ctx, job: &Job, plan: &Plan) -> Result<Run, Failure> {
    if ctx.running.cancelled() {
        // Cancelled before it started (a RETR sent ahead for it is taken back by the worker).
        return Ok(Run::Finished(Outcome::Cancelled));
    }
    super::verify::precheck(ctx)?;
    let secs = ctx.secs();
    let part = part_path(&plan.target);
    let mut offset = 0;
    if plan.fresh {
        safe::remove_part(&part).map_err(|e| JobError::local("cannot replace", &part, &e))?;
    } else if let Some(m) =
        safe::existing(&part).map_err(|e| JobError::local("cannot check", &part, &e))?
    {
        if !m.file_type().is_file() {
            return Err(JobError::local("not writing", &part, &safe::not_regular(&m)).into());
        }
        if plan.expected.is_some_and(|want| m.len() < want) {
            offset = m.len();
        }
    }
    // This download's PASV/EPSV and RETR may be out already (see `Ctx::send_ahead`); a resume needs
    // REST before them, so those are taken back first.
    let started_ahead = match ctx.conn.retr_ahead.as_deref() {
        Some(a) if a == job.remote && offset == 0 => {
            ctx.conn.retr_ahead = None;
            true
        }
        Some(_) => {
            take_back(ctx.conn)
                .map_err(|e| RemoteError::from_ftp(e, "starting the download", secs))?;
            false
        }
        None => false,
    };
    if offset > 0 {
        let _ = ctx.conn.ftp.resume_transfer(offset as usize);
    }
    let opened = if started_ahead {
        ctx.conn.ftp.retr_sent_ahead()
    } else {
        ctx.conn.ftp.retr_as_stream(&job.remote)
    };
    let mut stream = match opened {
        Ok(s) => s,
        // REST (or RETR after it) refused: the whole file from the start instead.
        Err(suppaftp::FtpError::UnexpectedResponse(r)) if offset > 0 => {
            tracing::info!(
                "resume of {} refused ({}); downloading from the start",
                job.remote,
                r.status.code()
            );
            offset = 0;
            ctx.conn
                .ftp
                .retr_as_stream(&job.remote)
                .map_err(|e| RemoteError::from_ftp(e, "starting the download", secs))?
        }
        Err(e) => return Err(RemoteError::from_ftp(e, "starting the download", secs).into()),
    };
    ctx.running
        .set_socket(stream.get_ref().get_ref().try_clone().ok());
    // Opened only once the server agreed to send: a refused download leaves no file behind.
    let mut file = match safe::open_part(&part, offset > 0) {
        Ok(f) => f,
        Err(e) => {
            ctx.running.set_socket(None);
            if stream.finish().is_err() {
                ctx.drop_connection = true;
            }
            return Err(JobError::local("cannot write", &part, &e).into());
        }
    };

    let started = std::time::Instant::now();
    // Plain FTP on Linux: the kernel moves the data (see `splice`); else the copy loop.
    #[cfg(target_os = "linux")]
    let spliced = match stream.get_ref() {
        suppaftp::DataStream::Tcp(sock) => {
            super::splice::download(ctx, job.id, sock, &mut file, offset, plan.expected)
        }
        _ => super::splice::Spliced::Unsupported(offset),
    };
    #[cfg(target_os = "linux")]
    let (done, copied) = match spliced {
        super::splice::Spliced::Ended(done, result) => (done, result),
        super::splice::Spliced::Unsupported(from) => copy::pump(
            ctx,
            job.id,
            &mut stream,
            &mut file,
            copy::Network::Reader,
            from,
            plan.expected,
            None,
        ),
    };
    #[cfg(not(target_os = "linux"))]
    let (done, copied) = copy::pump(
        ctx,
        job.id,
        &mut stream,
        &mut file,
        copy::Network::Reader,
        offset,
        plan.expected,
        None,
    );
    ctx.running.set_socket(None);
    match copied {
        Ok(()) => {
            if let Err(e) = stream.finish() {
                if ctx.running.cancelled() {
                    ctx.drop_connection = true;
                    return Ok(Run::Finished(Outcome::Cancelled));
                }
                let err = RemoteError::from_ftp(e, "finishing the download", secs);
                if err.is_connection_lost() {
                    ctx.drop_connection = true;
                }
                let keep = JobError::from(err.clone());
                return Err(JobError {
                    error: TaskError::RemoteAfter {
                        error: err,
                        context: format!("kept {} for resume", part.display()),
                    },
                    ..keep
                }
                .into());
            }
        }
        Err(stop) => {
            // Close the data connection and read the server's reply (426 or 226) so the
            // control connection stays in step; if that fails, reconnect next time.
            if stream.finish().is_err() {
                ctx.drop_connection = true;
            }
            return Ok(stop.into_result(
                ctx.running.cancelled(),
                "cannot write",
                &part,
                done,
                secs,
            )?);
        }
    }
    // The server said 226: the data is complete unless its own SIZE says otherwise. The
    // listed size is only a hint (the file may have changed since it was listed).
    let size_confirmed = match plan.expected {
        Some(want) if want == done => Some(done),
        Some(_) => {
            let now = ops::size(ctx.conn, &job.remote, secs)?;
            match now {
                Some(size) if size == done => Some(size),
                Some(size) if offset > 0 && size == done - offset => {
                    // The whole file came although we asked to resume: the server ignored REST.
                    return Err(JobError::restart(format!(
                        "the server ignored the resume offset and sent the whole file; downloading {} again from the start",
                        crate::sanitize::display_name(&job.remote)
                    )).into());
                }
                Some(size) if size > done => {
                    return Err(JobError::retry(format!(
                        "the server sent {done} of {size} bytes; kept {} for resume",
                        part.display()
                    ))
                    .into());
                }
                // Shorter or longer than listed, and no SIZE to tell: the 226 is all we have.
                _ => None,
            }
        }
        None => None,
    };
    if plan.expected == Some(done) && !job.remove_source {
        // Nothing more is asked about this file: the next one can start while it is put in place.
        ctx.send_ahead(claim_ahead, |c| &mut c.retr_ahead);
    }
    file.flush()
        .and_then(|()| match job.mtime {
            Some(m) if m >= 0 => file.set_modified(UNIX_EPOCH + Duration::from_secs(m as u64)),
            _ => Ok(()),
        })
        .map_err(|e| JobError::local("cannot write", &part, &e))?;
    // The server's digest of the file against ours of the whole .part, before it gets the name.
    let checked = match super::verify::check(ctx, &job.remote, &part, done)? {
        _ if ctx.running.cancelled() => return Ok(Run::Finished(Outcome::Cancelled)),
        super::verify::Verdict::Verified(a) => Some(a),
        super::verify::Verdict::Unchecked => None,
        super::verify::Verdict::Mismatch(why) => return Err(Failure::Mismatch(why)),
        super::verify::Verdict::Unverifiable(why) => {
            return Err(JobError::fatal(format!(
                "verify = \"always\", and the copy could not be checked ({why}); kept {} for resume",
                part.display()
            ))
            .into());
        }
    };
    let flushed = safe::commit_part(
        &file,
        &part,
        &plan.target,
        plan.keep_mode,
        ctx.options.durable,
        job.remove_source,
    )
    .map_err(|e| JobError::local("cannot finish", &plan.target, &e))?;
    drop(file);
    if flushed {
        if let Some(dir) = plan.target.parent() {
            ctx.dirty_dirs.insert(dir.to_path_buf());
        }
    }
    let mut note = None;
    if job.remove_source {
        if size_confirmed.is_some() || checked.is_some() {
            ops::remove_file(ctx.conn, &job.remote, secs).map_err(|e| {
                JobError::fatal(format!("copied, but the source could not be deleted: {e}"))
            })?;
        } else {
            note = Some(
                "copied; the source was kept on the server because its size could not be confirmed"
                    .to_string(),
            );
        }
    }
    Ok(Run::Finished(Outcome::Done {
        bytes: done - offset,
        secs: started.elapsed().as_secs_f64(),
        note,
        verified: checked,
    }))
}

/// Claim the next queued download for this connection when its RETR can go out now: its size
/// is known from the listing, its plan is made (a destination that exists is decided as it
/// would be when the job runs), and it starts from zero. Returns its remote path and the
/// commands to send. A claimed download that cannot start ahead is still this worker's next
/// job; it just gets no commands ahead.
fn claim_ahead(ctx: &mut Ctx) -> Option<(String, Vec<String>)> {
    if ctx.claimed.is_some()
        || ctx.conn.retr_ahead.is_some()
        || ctx.conn.stor_ahead.is_some()
        || !super::verify::sends_nothing(ctx)
        || ctx.conn.ftp.retr_commands_ahead("/").is_none()
    {
        return None;
    }
    let (job, running, profile) = ctx.shared.claim_next_download(ctx.generation)?;
    // With the size known, making the plan asks the server nothing.
    let plan = match prepare(ctx, &job) {
        Ok(Prepared::Go(p)) => Some(p),
        _ => None,
    };
    // A `.part` to resume needs REST first; a name that cannot be sent is the job's to report.
    let from_zero = plan
        .as_ref()
        .is_some_and(|p| p.fresh || matches!(safe::existing(&part_path(&p.target)), Ok(None)));
    let commands = (from_zero && !job.remote.contains(['\r', '\n', '\0']))
        .then(|| ctx.conn.ftp.retr_commands_ahead(&job.remote))
        .flatten()
        .map(|c| (job.remote.clone(), c));
    *ctx.claimed = Some(super::worker::Claimed {
        job,
        running,
        profile,
        generation: ctx.generation,
        upload: None,
        download: plan,
    });
    commands
}

/// Take back the RETR sent ahead on `conn`, if any: read its replies and close its data
/// connection at once, so the connection is in step for other commands (an error means the
/// connection must go). Nothing is written locally.
pub(super) fn take_back(
    conn: &mut crate::remote::connect::Connection,
) -> Result<(), suppaftp::FtpError> {
    if conn.retr_ahead.take().is_none() {
        return Ok(());
    }
    // A refusal (550) or the end of a transfer cut short (426) leaves the session in step.
    match conn.ftp.retr_sent_ahead().and_then(|s| s.finish()) {
        Ok(()) | Err(suppaftp::FtpError::UnexpectedResponse(_)) => Ok(()),
        Err(e) => Err(e),
    }
}

/// True when `source` is known to be newer than `dest`.
pub(super) fn is_newer(source: Option<i64>, dest: Option<i64>) -> bool {
    matches!((source, dest), (Some(s), Some(d)) if s > d)
}

pub(super) fn modified_secs(meta: &fs::Metadata) -> Option<i64> {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| d.as_secs() as i64)
}

/// The first `name (n).ext` beside `path` that does not exist.
fn free_local_name(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    (1..)
        .map(|n| path.with_file_name(numbered_name(&name, n)))
        .find(|p| fs::symlink_metadata(p).is_err() && fs::symlink_metadata(part_path(p)).is_err())
        .unwrap_or_else(|| path.with_file_name(format!("{name}.new")))
}

/// Open a file for reading with a plain error.
pub(super) fn open_source(path: &Path) -> Result<File, JobError> {
    File::open(path).map_err(|e| JobError::local("cannot read", path, &e))
}
