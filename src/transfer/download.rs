//! One file from the server to the local disk: written to `name.part`, verified, then renamed
//! into place. An existing `.part` is resumed with REST.

use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, UNIX_EPOCH};

use super::event::{FileFacts, Outcome, TransferEvent};
use super::job::{Job, Resolution, numbered_name};
use super::progress::Throttle;
use super::run::{Ctx, JobError, Run, Stop};
use crate::remote::{RemoteError, ops};

/// Decided once per job, kept across retries.
pub(super) struct Plan {
    target: PathBuf,
    /// Start from zero (drop any `.part`); false resumes an existing `.part`.
    fresh: bool,
    expected: Option<u64>,
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
    let p = plan.as_mut().expect("planned");
    let result = execute(ctx, job, p);
    p.fresh = false; // a retry continues from the .part
    if !matches!(result, Ok(Run::Finished(Outcome::Done { .. }))) {
        // Some servers accept RETR and refuse only once the data connection is open:
        // an empty .part is no progress worth keeping.
        let part = part_path(&p.target);
        if fs::metadata(&part).is_ok_and(|m| m.len() == 0) {
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
    };
    let meta = match fs::symlink_metadata(&job.local) {
        Ok(m) => m,
        Err(e) if e.kind() == ErrorKind::NotFound => {
            return Ok(Prepared::Go(Plan {
                target: job.local.clone(),
                fresh: false,
                expected,
            }));
        }
        Err(e) => return Err(JobError::local("cannot check", &job.local, &e)),
    };
    if meta.is_dir() {
        return Err(JobError::fatal(format!(
            "{} is a directory; the file cannot replace it",
            job.local.display()
        )));
    }
    let existing = FileFacts {
        size: Some(meta.len()),
        mtime: modified_secs(&meta),
    };
    let go = |target: PathBuf, fresh| {
        Ok(Prepared::Go(Plan {
            target,
            fresh,
            expected,
        }))
    };
    match job.on_exists {
        None => Ok(Prepared::Conflict { source, existing }),
        Some(Resolution::Skip) => Ok(Prepared::Skip("the destination exists".into())),
        Some(Resolution::Overwrite) => go(job.local.clone(), true),
        Some(Resolution::OverwriteIfNewer) => {
            if is_newer(source.mtime, existing.mtime) {
                go(job.local.clone(), true)
            } else {
                Ok(Prepared::Skip("the destination is not older".into()))
            }
        }
        Some(Resolution::Rename) => go(free_local_name(&job.local), true),
        Some(Resolution::Resume) => match (existing.size, expected) {
            (Some(have), Some(want)) if have == want => {
                Ok(Prepared::Skip("the destination is already complete".into()))
            }
            (Some(have), Some(want)) if have < want => {
                // Continue the existing file: it becomes the .part we resume.
                fs::rename(&job.local, part_path(&job.local))
                    .map_err(|e| JobError::local("cannot resume", &job.local, &e))?;
                go(job.local.clone(), false)
            }
            _ => go(job.local.clone(), true),
        },
    }
}

fn execute(ctx: &mut Ctx, job: &Job, plan: &Plan) -> Result<Run, JobError> {
    let secs = ctx.secs();
    let part = part_path(&plan.target);
    let mut offset = 0;
    if plan.fresh {
        match fs::remove_file(&part) {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::NotFound => {}
            Err(e) => return Err(JobError::local("cannot replace", &part, &e)),
        }
    } else if let Ok(m) = fs::metadata(&part) {
        if plan.expected.is_some_and(|want| m.len() < want) {
            offset = m.len();
        }
    }
    if offset > 0 {
        ctx.conn.ftp.resume_transfer(offset as usize).ok();
    }
    let mut stream = ctx
        .conn
        .ftp
        .retr_as_stream(&job.remote)
        .map_err(|e| RemoteError::from_ftp(e, "starting the download", secs))?;
    ctx.running
        .set_socket(stream.get_ref().get_ref().try_clone().ok());
    // Opened only once the server agreed to send: a refused download leaves no file behind.
    let mut file = match OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(offset == 0)
        .append(offset > 0)
        .open(&part)
    {
        Ok(f) => f,
        Err(e) => {
            ctx.running.set_socket(None);
            if stream.finish().is_err() {
                ctx.drop_connection = true;
            }
            return Err(JobError::local("cannot write", &part, &e));
        }
    };

    let mut done = offset;
    let mut throttle = Throttle::new(done);
    (ctx.emit)(TransferEvent::Progress {
        id: job.id,
        done,
        total: plan.expected,
        rate: 0.0,
    });
    let copied: Result<(), Stop> = loop {
        if ctx.running.cancelled() {
            break Err(Stop::Cancelled);
        }
        match stream.read(ctx.buf) {
            Ok(0) => break Ok(()),
            Ok(n) => {
                if let Err(e) = file.write_all(&ctx.buf[..n]) {
                    break Err(Stop::Local(e));
                }
                done += n as u64;
                if let Some(rate) = throttle.tick(done) {
                    (ctx.emit)(TransferEvent::Progress {
                        id: job.id,
                        done,
                        total: plan.expected,
                        rate,
                    });
                }
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => break Err(Stop::Remote(e)),
        }
    };
    ctx.running.set_socket(None);
    (ctx.emit)(TransferEvent::Progress {
        id: job.id,
        done,
        total: plan.expected,
        rate: throttle.average(done - offset),
    });
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
                return Err(JobError {
                    message: format!("{err}; kept {} for resume", part.display()),
                    ..JobError::from(err)
                });
            }
        }
        Err(stop) => {
            // Close the data connection and read the server's reply (426 or 226) so the
            // control connection stays in step; if that fails, reconnect next time.
            if stream.finish().is_err() {
                ctx.drop_connection = true;
            }
            return stop.into_result(ctx.running.cancelled(), "cannot write", &part, done);
        }
    }
    if let Some(want) = plan.expected {
        if done < want {
            return Err(JobError::retry(format!(
                "the server sent {done} of {want} bytes; kept {} for resume",
                part.display()
            )));
        }
        if done > want {
            return Err(JobError::fatal(format!(
                "the server sent {done} bytes but announced {want}: the file changed during the transfer"
            )));
        }
    }
    file.flush()
        .and_then(|()| match job.mtime {
            Some(m) if m >= 0 => file.set_modified(UNIX_EPOCH + Duration::from_secs(m as u64)),
            _ => Ok(()),
        })
        .map_err(|e| JobError::local("cannot write", &part, &e))?;
    drop(file);
    fs::rename(&part, &plan.target).map_err(|e| JobError::local("cannot rename", &part, &e))?;
    if job.remove_source {
        ops::remove_file(ctx.conn, &job.remote, secs).map_err(|e| {
            JobError::fatal(format!("copied, but the source could not be deleted: {e}"))
        })?;
    }
    Ok(Run::Finished(Outcome::Done {
        bytes: done - offset,
        secs: throttle.elapsed(),
    }))
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
        .expect("some number is free")
}

/// Open a file for reading with a plain error.
pub(super) fn open_source(path: &Path) -> Result<File, JobError> {
    File::open(path).map_err(|e| JobError::local("cannot read", path, &e))
}
