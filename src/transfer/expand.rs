//! A directory job becomes one child job per entry (directories again expand when their turn
//! comes). Remote names are checked before they become local paths: a name with `/`, `\`, `..`
//! or a control character is refused, never joined.

use std::fs;
use std::io::ErrorKind;

use super::job::{Direction, Job};
use super::run::{Ctx, JobError};
use crate::entry::EntryKind;
use crate::remote::{ops, path as rpath};
use crate::sanitize::{display_name, local_component};

/// The children of a directory job, and the entries refused with a reason.
pub(super) struct Expansion {
    pub children: Vec<Job>,
    pub refused: Vec<(Job, String)>,
}

pub(super) fn expand(ctx: &mut Ctx, job: &Job) -> Result<Expansion, JobError> {
    match job.direction {
        Direction::Download => expand_download(ctx, job),
        Direction::Upload => expand_upload(ctx, job),
    }
}

fn child(job: &Job) -> Job {
    Job {
        id: 0,
        parent: Some(job.id),
        is_dir: false,
        size: None,
        mtime: None,
        ..job.clone()
    }
}

fn expand_download(ctx: &mut Ctx, job: &Job) -> Result<Expansion, JobError> {
    match fs::symlink_metadata(&job.local) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => {
            return Err(JobError::fatal(format!(
                "{} exists and is not a directory",
                job.local.display()
            )));
        }
        Err(e) if e.kind() == ErrorKind::NotFound => fs::create_dir_all(&job.local)
            .map_err(|e| JobError::local("cannot create", &job.local, &e))?,
        Err(e) => return Err(JobError::local("cannot check", &job.local, &e)),
    }
    let secs = ctx.secs();
    let listing = ops::list_dir(ctx.conn, &job.remote, ctx.options.prefer_mlsd, secs)?;
    let mut x = Expansion {
        children: Vec::new(),
        refused: Vec::new(),
    };
    for e in listing.entries {
        let mut c = child(job);
        c.remote = rpath::join(&job.remote, &e.name);
        c.local = job.local.clone();
        if e.kind == EntryKind::Unknown {
            let reason = format!(
                "skipped an unparseable listing line: {}",
                display_name(&e.name)
            );
            x.refused.push((c, reason));
            continue;
        }
        match local_component(&e.name) {
            Ok(name) => {
                c.local = job.local.join(crate::remote::encoding::local_name(name));
                c.is_dir = e.kind == EntryKind::Dir;
                c.size = e.size;
                c.mtime = e.mtime;
                x.children.push(c);
            }
            Err(err) => x.refused.push((c, format!("refused to write {err}"))),
        }
    }
    Ok(x)
}

fn expand_upload(ctx: &mut Ctx, job: &Job) -> Result<Expansion, JobError> {
    let secs = ctx.secs();
    ops::ensure_dir(ctx.conn, &job.remote, secs)?;
    let rd =
        fs::read_dir(&job.local).map_err(|e| JobError::local("cannot read", &job.local, &e))?;
    let mut x = Expansion {
        children: Vec::new(),
        refused: Vec::new(),
    };
    for item in rd {
        let item = item.map_err(|e| JobError::local("cannot read", &job.local, &e))?;
        let path = item.path();
        let mut c = child(job);
        c.local = path.clone();
        let Some(name) = item.file_name().to_str().map(str::to_string) else {
            let reason = format!("{} is not valid UTF-8; not sent", path.display());
            x.refused.push((c, reason));
            continue;
        };
        c.remote = rpath::join(&job.remote, &name);
        let link = fs::symlink_metadata(&path).map(|m| m.file_type().is_symlink());
        match fs::metadata(&path) {
            Ok(m) if m.is_dir() && link.unwrap_or(false) => {
                let reason = format!(
                    "{} is a symlink to a directory; not followed",
                    path.display()
                );
                x.refused.push((c, reason));
            }
            Ok(m) => {
                c.is_dir = m.is_dir();
                c.size = (!m.is_dir()).then_some(m.len());
                c.mtime = super::download::modified_secs(&m);
                x.children.push(c);
            }
            Err(e) => {
                let reason = format!(
                    "cannot read {}: {}",
                    path.display(),
                    crate::local::plain_io_error(&e)
                );
                x.refused.push((c, reason));
            }
        }
    }
    Ok(x)
}
