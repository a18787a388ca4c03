//! A directory job becomes one child job per entry (directories again expand when their turn
//! comes). Remote names are checked before they become local paths: a name with `/`, `\`, `..`
//! or a control character is refused, never joined. Every directory entered is checked by the
//! walk rules of [`crate::safety::walk`]: links are not followed, loops and depth are caught.

use std::fs;
use std::io::ErrorKind;

use super::job::{Direction, Job};
use super::run::{Ctx, JobError};
use crate::remote::tree::{self, Entered, Kind, WalkError, WalkOptions};
use crate::remote::{ops, path as rpath};
use crate::safety::walk::{self, DirId, WalkRefusal};
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
        replace_read_only: false,
        known_absent: false,
        ..job.clone()
    }
}

fn refusal(r: WalkRefusal) -> JobError {
    JobError::fatal(r.to_string())
}

fn expand_download(ctx: &mut Ctx, job: &Job) -> Result<Expansion, JobError> {
    let secs = ctx.secs();
    let mut w = job.walk.clone();
    if w.is_root() && w.ancestors.is_empty() {
        // The ids of the directories above the root, so a link back up is caught at once.
        w = tree::root(ctx.conn, &job.remote, secs)?;
    }
    let opts = WalkOptions {
        prefer_mlsd: ctx.options.prefer_mlsd,
        max_depth: ctx.options.max_depth,
        timeout_secs: secs,
    };
    // The root may be a link the user chose; inside the tree links are never followed.
    let level = match tree::enter(ctx.conn, &job.remote, &w, opts, true) {
        Ok(Entered::Dir(level)) => level,
        Ok(Entered::Link(r)) => return Err(refusal(r)),
        Err(WalkError::Remote(e)) => return Err(e.into()),
        Err(e) => return Err(JobError::fatal(e.to_string())),
    };
    if let Some(why) = &level.truncated {
        return Err(JobError::fatal(format!(
            "the listing of {} is incomplete ({why}); nothing under it was copied",
            display_name(&job.remote)
        )));
    }
    // Only once the server side is known to be safe to walk.
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
    let mut x = Expansion {
        children: Vec::new(),
        refused: Vec::new(),
    };
    for e in &level.entries {
        let mut c = child(job);
        c.remote = rpath::join(&job.remote, &e.name);
        c.local = job.local.clone();
        let next = match level.kind(e) {
            Kind::Unreadable => {
                let reason = format!(
                    "skipped an unparseable listing line: {}",
                    display_name(&e.name)
                );
                x.refused.push((c, reason));
                continue;
            }
            Kind::Link => {
                let reason = WalkRefusal::Link {
                    path: c.remote.clone(),
                }
                .to_string();
                x.refused.push((c, reason));
                continue;
            }
            Kind::Dir(next) => Some(next),
            Kind::File => None,
        };
        match local_component(&e.name) {
            Ok(name) => {
                c.local = job.local.join(crate::remote::encoding::local_name(name));
                c.is_dir = next.is_some();
                c.size = e.size;
                c.mtime = e.mtime;
                if let Some(next) = next {
                    c.walk = next;
                }
                x.children.push(c);
            }
            Err(err) => x.refused.push((c, format!("refused to write {err}"))),
        }
    }
    Ok(x)
}

fn expand_upload(ctx: &mut Ctx, job: &Job) -> Result<Expansion, JobError> {
    let secs = ctx.secs();
    let w = &job.walk;
    // The root may be a link the user chose; inside the tree links are never followed.
    let meta =
        fs::metadata(&job.local).map_err(|e| JobError::local("cannot read", &job.local, &e))?;
    let here = DirId {
        path: job.local.to_string_lossy().into_owned(),
        unique: walk::local_id(&meta),
    };
    walk::check_entered(w, &here.path, &here, ctx.options.max_depth).map_err(refusal)?;
    // Read the directory before its copy is made: when the destination lies inside the tree
    // (a copy into a share of itself) the copy's own new directory is not part of the walk.
    let items: Vec<fs::DirEntry> = fs::read_dir(&job.local)
        .and_then(|rd| rd.collect::<Result<_, _>>())
        .map_err(|e| JobError::local("cannot read", &job.local, &e))?;
    // A directory made just now holds nothing its files could replace.
    let made = ops::make_dir(ctx.conn, &job.remote, secs)?;
    let mut x = Expansion {
        children: Vec::new(),
        refused: Vec::new(),
    };
    for item in items {
        let path = item.path();
        let mut c = child(job);
        c.local = path.clone();
        let Some(name) = item.file_name().to_str().map(str::to_string) else {
            let reason = format!("{} is not valid UTF-8; not sent", path.display());
            x.refused.push((c, reason));
            continue;
        };
        c.remote = rpath::join(&job.remote, &name);
        let shown = path.to_string_lossy().into_owned();
        match fs::symlink_metadata(&path) {
            Ok(m) if m.file_type().is_symlink() => {
                x.refused
                    .push((c, WalkRefusal::Link { path: shown }.to_string()));
            }
            Ok(m) if m.is_dir() => {
                c.is_dir = true;
                c.walk = w.child(here.clone(), walk::local_id(&m));
                x.children.push(c);
            }
            Ok(m) if m.is_file() => {
                c.size = Some(m.len());
                c.mtime = super::download::modified_secs(&m);
                c.known_absent = made;
                x.children.push(c);
            }
            Ok(_) => {
                let reason = format!("{} is not a regular file; not sent", display_name(&shown));
                x.refused.push((c, reason));
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
