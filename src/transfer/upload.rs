//! One file from the local disk to the server: STOR (or APPE to resume), verified with SIZE,
//! modification time kept with MFMT where the server offers it.

use std::fs;
use std::io::{ErrorKind, Seek, SeekFrom, Write};

use super::copy;
use super::download::{is_newer, modified_secs, open_source};
use super::event::{FileFacts, Outcome};
use super::job::{Job, Resolution, numbered_name};
use super::run::{Ctx, JobError, Run};
use super::verify::{Failure, Verdict};
use crate::remote::connect::Connection;
use crate::remote::{RemoteError, ops, path as rpath};

/// Decided once per job, kept across retries.
pub(super) struct Plan {
    target: String,
    /// Start from zero; false continues from what the server already has.
    fresh: bool,
    size: u64,
    mtime: Option<i64>,
    /// A copy already failed its checksum: the next mismatch is final.
    mismatched: bool,
    /// The local file, opened before its STOR went out ahead (see [`claim_ahead`]).
    opened: Option<fs::File>,
    /// Its STOR went out ahead and was settled without data: the server holds an empty file
    /// of ours there, which a cancel removes. (Where the connection went before the STOR was
    /// answered, nothing is known, and nothing is removed.)
    left_empty: bool,
}

impl Plan {
    /// The STOR sent ahead for `path` was settled without data: if it was this upload's, the
    /// server holds an empty file of ours for it.
    pub(super) fn mark_left_empty(&mut self, path: &str) {
        self.left_empty |= self.target == path;
    }
}

pub(super) fn run(ctx: &mut Ctx, job: &Job, plan: &mut Option<Plan>) -> Result<Run, JobError> {
    if plan.is_none() {
        match prepare(ctx, job)? {
            Ok(p) => *plan = Some(p),
            Err(run) => return Ok(run),
        }
    }
    let Some(p) = plan.as_mut() else {
        return Err(JobError::fatal("internal error: no upload plan"));
    };
    let mut result = execute(ctx, job, p);
    if let Err(Failure::Mismatch(why)) = &result {
        if !p.mismatched {
            // What the server has is not the file: it goes, and the whole file is sent again.
            p.mismatched = true;
            if let Err(e) = ops::remove_file(ctx.conn, &p.target, ctx.secs()) {
                return Err(JobError::fatal(format!(
                    "{why}, and the bad copy could not be deleted from the server: {e}"
                )));
            }
            p.fresh = true;
            (ctx.emit)(super::event::TransferEvent::Retrying {
                id: job.id,
                attempt: 1,
                error: format!("{why}; sending it again from the start"),
            });
            result = execute(ctx, job, p);
        }
    }
    p.fresh = false;
    result.map_err(|f| match f {
        Failure::Job(e) => e,
        Failure::Mismatch(why) => {
            let removed = ops::remove_file(ctx.conn, &p.target, ctx.secs());
            JobError::fatal(match removed {
                Ok(()) => format!("{why} (twice: the upload was deleted from the server)"),
                Err(e) => format!(
                    "{why} (twice), and the bad copy could not be deleted from the server: {e}"
                ),
            })
        }
    })
}

/// `Ok(plan)` to go ahead, or `Err(run)` when there is nothing to send (skip, conflict).
fn prepare(ctx: &mut Ctx, job: &Job) -> Result<Result<Plan, Run>, JobError> {
    let secs = ctx.secs();
    let meta = fs::metadata(&job.local).map_err(|e| match e.kind() {
        ErrorKind::NotFound => JobError::fatal(format!(
            "{} vanished before it was sent",
            job.local.display()
        )),
        _ => JobError::local("cannot read", &job.local, &e),
    })?;
    if meta.is_dir() {
        return Err(JobError::fatal(format!(
            "{} is a directory",
            job.local.display()
        )));
    }
    let size = meta.len();
    let mtime = modified_secs(&meta);
    let source = FileFacts {
        size: Some(size),
        mtime,
        read_only: false,
    };
    let plan = |target: String, fresh| {
        Ok(Ok(Plan {
            target,
            fresh,
            size,
            mtime,
            mismatched: false,
            opened: None,
            left_empty: false,
        }))
    };
    if job.known_absent {
        return plan(job.remote.clone(), true);
    }
    let Some(have) = ops::size(ctx.conn, &job.remote, secs)? else {
        return plan(job.remote.clone(), true);
    };
    // Some servers answer SIZE for a directory too: a file cannot replace one.
    if ctx.conn.ftp.cwd(&job.remote).is_ok() {
        return Err(JobError::fatal(format!(
            "{} is a directory on the server; the file cannot replace it",
            crate::sanitize::display_name(&job.remote)
        )));
    }
    let skip = |reason: &str| {
        Ok(Err(Run::Finished(Outcome::Skipped {
            reason: reason.into(),
        })))
    };
    match job.on_exists {
        None => {
            let existing = FileFacts {
                size: Some(have),
                mtime: ops::mtime(ctx.conn, &job.remote, secs)?,
                read_only: false,
            };
            Ok(Err(Run::Conflict { source, existing }))
        }
        Some(Resolution::Skip) => skip("the destination exists"),
        Some(Resolution::Overwrite) => plan(job.remote.clone(), true),
        Some(Resolution::OverwriteIfNewer) => {
            if is_newer(mtime, ops::mtime(ctx.conn, &job.remote, secs)?) {
                plan(job.remote.clone(), true)
            } else {
                skip("the destination is not older")
            }
        }
        Some(Resolution::Rename) => {
            let dir = rpath::parent(&job.remote).unwrap_or_else(|| "/".into());
            let name = rpath::file_name(&job.remote)
                .unwrap_or_default()
                .to_string();
            for n in 1..10_000 {
                let candidate = rpath::join(&dir, &numbered_name(&name, n));
                if ops::size(ctx.conn, &candidate, secs)?.is_none() {
                    return plan(candidate, true);
                }
            }
            Err(JobError::fatal("no free numbered name for the copy"))
        }
        Some(Resolution::ResumeElseSkip) if have < size => plan(job.remote.clone(), false),
        Some(Resolution::ResumeElseSkip) => skip(super::download::EXISTS_NOT_SMALLER),
        Some(Resolution::Resume) if have == size => skip("the destination is already complete"),
        Some(Resolution::Resume) if have < size => plan(job.remote.clone(), false),
        Some(Resolution::Resume) => plan(job.remote.clone(), true),
    }
}

fn execute(ctx: &mut Ctx, job: &Job, plan: &mut Plan) -> Result<Run, Failure> {
    let secs = ctx.secs();
    // Commands sent ahead for this upload are taken up below; any others are settled first.
    let taken_up = match ctx.conn.stor_ahead.as_deref() {
        Some(p) if p == plan.target && plan.fresh && !ctx.running.cancelled() => true,
        Some(_) => {
            if let Some(path) = take_back(ctx.conn).map_err(|e| {
                ctx.drop_connection = true;
                RemoteError::from_ftp(e, "taking back an upload started ahead", secs)
            })? {
                plan.mark_left_empty(&path);
            }
            false
        }
        None => false,
    };
    if ctx.running.cancelled() && plan.left_empty {
        // Nothing of it was sent: the empty file the early STOR made goes again.
        remove_empty(ctx.conn, &plan.target, secs);
        return Ok(Run::Finished(Outcome::Cancelled));
    }
    if !taken_up {
        super::verify::precheck(ctx)?;
    }
    let offset = if taken_up || plan.fresh {
        0
    } else {
        ops::size(ctx.conn, &plan.target, secs)?
            .filter(|&n| n <= plan.size)
            .unwrap_or(0)
    };
    let mut file = match plan.opened.take() {
        Some(f) => f,
        None => open_source(&job.local)?,
    };
    file.seek(SeekFrom::Start(offset))
        .map_err(|e| JobError::local("cannot read", &job.local, &e))?;
    let mut offset = offset;
    let stream = if taken_up {
        ctx.conn.stor_ahead = None;
        ctx.conn.ftp.put_sent_ahead()
    } else if offset > 0 {
        match ctx.conn.ftp.append_with_stream(&plan.target) {
            // APPE refused: send the whole file instead.
            Err(suppaftp::FtpError::UnexpectedResponse(_)) => {
                offset = 0;
                file.seek(SeekFrom::Start(0))
                    .map_err(|e| JobError::local("cannot read", &job.local, &e))?;
                ctx.conn.ftp.put_with_stream(&plan.target)
            }
            other => other,
        }
    } else {
        ctx.conn.ftp.put_with_stream(&plan.target)
    };
    let mut stream = stream.map_err(|e| RemoteError::from_ftp(e, "starting the upload", secs))?;
    // From here on the file on the server is this transfer's, partial or whole.
    plan.left_empty = false;
    ctx.running
        .set_socket(stream.get_ref().get_ref().try_clone().ok());

    let started = std::time::Instant::now();
    // The copy loop, also for plain FTP: `sendfile` moved the bytes with less CPU, but the
    // servers received them more slowly (a 1 GiB upload on loopback: pyftpdlib 1.15–1.49 s
    // against 0.63–0.93 s, ftpdeck serve 0.98–1.14 s against 0.86–1.10 s, vsftpd even).
    let (done, sent) = copy::pump(
        ctx,
        job.id,
        &mut file,
        &mut stream,
        copy::Network::Writer,
        offset,
        Some(plan.size),
        None,
    );
    ctx.running.set_socket(None);
    let _ = stream.flush();
    let finished = stream
        .finish()
        .map_err(|e| RemoteError::from_ftp(e, "finishing the upload", secs));
    if let Err(stop) = sent {
        match finished {
            // The server refused while we were sending (disk full, permission, quota): its
            // reply says why better than the broken socket does, and another try won't help.
            Err(e @ RemoteError::Refusal { code: 500.., .. }) if !ctx.running.cancelled() => {
                return Err(e.into());
            }
            Err(_) => ctx.drop_connection = true,
            Ok(()) => {}
        }
        if ctx.running.cancelled() && done == 0 && job.known_absent && !ctx.drop_connection {
            // Cancelled before a byte of a new file went: the empty file its STOR made goes.
            remove_empty(ctx.conn, &plan.target, secs);
        }
        return Ok(stop.into_result(
            ctx.running.cancelled(),
            "cannot read",
            &job.local,
            done,
            secs,
        )?);
    }
    if let Err(e) = finished {
        if e.is_connection_lost() || !matches!(e, RemoteError::Refusal { .. }) {
            ctx.drop_connection = true;
        }
        if ctx.running.cancelled() {
            return Ok(Run::Finished(Outcome::Cancelled));
        }
        return Err(e.into());
    }
    // What the server really has: SIZE, else MLST, else a fresh listing of the directory.
    // The time is set in the same round trip as SIZE (a copy that turns out short or wrong
    // is sent again anyway).
    let said = match claim_behind(ctx) {
        // The next new file's PASV/EPSV and STOR go out with this file's SIZE: the server
        // opens the next data port and file while these replies travel.
        Some(next) => {
            let (said, behind) =
                ops::size_setting_mtime_then_put(ctx.conn, &plan.target, plan.mtime, &next, secs)?;
            match behind {
                suppaftp::Behind::InOrder => ctx.conn.stor_ahead = Some(next),
                suppaftp::Behind::TakenBack { made_file } => {
                    tracing::info!(
                        "the server answered pipelined commands out of order; \
                         the next uploads wait for every reply of the last"
                    );
                    ctx.conn.reorders = true;
                    if made_file {
                        super::worker::Claimed::left_empty_at(ctx.claimed, &next);
                    }
                }
            }
            said
        }
        None => {
            let said = match plan.mtime {
                Some(m) => ops::size_setting_mtime(ctx.conn, &plan.target, m, secs)?,
                None => ops::size(ctx.conn, &plan.target, secs)?,
            };
            // Where the next upload could have gone behind SIZE, it was tried above.
            if said == Some(done) && ctx.conn.reorders {
                ctx.send_ahead(claim_ahead, |c| &mut c.stor_ahead);
            }
            said
        }
    };
    if said != Some(done) {
        // More is to be asked about this file: the next upload's STOR, if it went out, is
        // taken back first so that the connection is in step.
        let taken = take_back(ctx.conn).map_err(|e| {
            ctx.drop_connection = true;
            RemoteError::from_ftp(e, "taking back an upload started ahead", secs)
        })?;
        if let Some(path) = taken {
            super::worker::Claimed::left_empty_at(ctx.claimed, &path);
        }
    }
    let have =
        ops::confirmed_size_after(ctx.conn, &plan.target, said, ctx.options.prefer_mlsd, secs)?;
    let verified = match have {
        Some(have) if have == done => true,
        Some(have) => {
            return Err(JobError::retry(format!(
                "the server has {} of {} after the upload",
                crate::words::human_size(have),
                crate::words::human_size(done)
            ))
            .into());
        }
        None => false,
    };
    // The file changed while it was read: what was sent is not the file as it is now (nor
    // can it be checked against it).
    let changed = done != plan.size;
    let verdict = if changed {
        Verdict::Unchecked
    } else {
        super::verify::check(ctx, &plan.target, &job.local, done)?
    };
    let checked = match verdict {
        _ if ctx.running.cancelled() => return Ok(Run::Finished(Outcome::Cancelled)),
        Verdict::Verified(a) => Some(a),
        Verdict::Unchecked => None,
        Verdict::Mismatch(why) => return Err(Failure::Mismatch(why)),
        Verdict::Unverifiable(why) => {
            return Err(JobError::fatal(format!(
                "verify = \"always\", and the upload could not be checked ({why})"
            ))
            .into());
        }
    };
    let mut note = changed.then(|| {
        format!(
            "the local file changed while it was sent ({} when it started, {} sent)",
            crate::words::human_size(plan.size),
            crate::words::human_size(done)
        )
    });
    if job.remove_source {
        if (verified || checked.is_some()) && !changed {
            fs::remove_file(&job.local).map_err(|e| {
                JobError::fatal(format!(
                    "copied, but the source could not be deleted: {}",
                    crate::local::plain_io_error(&e)
                ))
            })?;
        } else if !verified {
            note = Some(
                "copied; the source was kept because the server could not confirm the size"
                    .to_string(),
            );
        } else {
            note = note.map(|n| format!("{n}; the source was kept"));
        }
    }
    Ok(Run::Finished(Outcome::Done {
        bytes: done - offset,
        secs: started.elapsed().as_secs_f64(),
        note,
        verified: checked,
    }))
}

/// [`claim_ahead`] before this upload's SIZE is answered, for its commands to go out with
/// SIZE's: only on a pipelining connection whose server has not answered out of order.
/// Returns the claimed upload's remote path.
fn claim_behind(ctx: &mut Ctx) -> Option<String> {
    if !ctx.conn.ftp.pipelining() || ctx.conn.reorders {
        return None;
    }
    claim_ahead(ctx).map(|(next, _)| next)
}

/// Claim the next queued upload for this connection when its STOR can go out now: its
/// destination is known to be absent, its local file opens, and nothing about this upload's
/// end needs another command (see [`super::verify::sends_nothing`]).
/// Returns its remote path and the commands to send. A claimed upload whose file does not
/// open is still this worker's next job; it just gets no commands ahead.
fn claim_ahead(ctx: &mut Ctx) -> Option<(String, Vec<String>)> {
    if ctx.claimed.is_some()
        || ctx.conn.stor_ahead.is_some()
        || !super::verify::sends_nothing(ctx)
        || ctx.conn.ftp.put_commands_ahead("/").is_none()
    {
        return None;
    }
    let (job, running, profile) = ctx.shared.claim_next_upload(ctx.generation)?;
    let plan = plan_ahead(&job);
    let commands = plan
        .as_ref()
        .and_then(|p| ctx.conn.ftp.put_commands_ahead(&p.target));
    let target = plan.as_ref().map(|p| p.target.clone());
    *ctx.claimed = Some(super::worker::Claimed {
        job,
        running,
        profile,
        generation: ctx.generation,
        upload: plan,
        download: None,
    });
    Some((target?, commands?))
}

/// The plan of a claimed upload whose destination is known to be absent: its local file open,
/// its size and time read. `None` when that fails (the job then reports it as it runs).
fn plan_ahead(job: &Job) -> Option<Plan> {
    let file = fs::File::open(&job.local).ok()?;
    let meta = file.metadata().ok()?;
    let target = job.remote.clone();
    // A name that cannot be sent as it is (the job reports that itself).
    if !meta.is_file() || target.contains(['\r', '\n', '\0']) {
        return None;
    }
    Some(Plan {
        target,
        fresh: true,
        size: meta.len(),
        mtime: modified_secs(&meta),
        mismatched: false,
        opened: Some(file),
        left_empty: false,
    })
}

/// Take back the STOR sent ahead on `conn`, if any: read its replies and finish it without
/// data, so the connection is in step for other commands. The server is left with an empty
/// file; on success its path is returned (an error means the connection must go).
pub(super) fn take_back(conn: &mut Connection) -> Result<Option<String>, suppaftp::FtpError> {
    let Some(path) = conn.stor_ahead.take() else {
        return Ok(None);
    };
    conn.ftp.put_sent_ahead()?.finish()?;
    Ok(Some(path))
}

/// On a connection that goes away: take back the STOR sent ahead and remove the empty file
/// it made, so that nothing is left on the server for a file that was never sent.
pub(super) fn withdraw_ahead(conn: &mut Connection, secs: u64) {
    if let Ok(Some(path)) = take_back(conn) {
        remove_empty(conn, &path, secs);
    }
}

/// Remove the empty file a STOR of ours made for an upload that sent nothing.
fn remove_empty(conn: &mut Connection, path: &str, secs: u64) {
    if let Err(e) = ops::remove_file(conn, path, secs) {
        tracing::warn!("cannot remove the empty file of an upload that sent nothing: {e}");
    }
}
