//! Tasks on the local disk that can take long (deleting or measuring a big tree) run on the
//! pool like the others: progress in the task panel, a cancel between two entries.

use super::event::{Outcome, TransferEvent};
use super::job::{Job, Task};
use super::progress::Throttle;
use super::run::{Emit, JobError, Run, Running};
use crate::localops::{self, Stop};

pub(super) fn run(job: &Job, running: &Running, emit: &Emit) -> Result<Run, JobError> {
    let mut throttle = Throttle::new(0);
    let mut report = |done: u64, total: Option<u64>, bytes: u64, last: bool| {
        if throttle.tick(done).is_some() || last {
            emit(TransferEvent::Steps {
                id: job.id,
                done,
                total,
                bytes,
            });
        }
    };
    let cancelled = || running.cancelled();
    let result = match job.task() {
        Some(Task::Delete) => {
            let mut done = 0;
            let r = localops::delete_tree(&job.local, &cancelled, &mut done, &mut |n| {
                report(n, None, 0, false)
            });
            report(done, None, 0, true);
            r.map(|()| Outcome::Deleted { entries: done })
        }
        Some(Task::Size) => {
            let r = localops::tree_size(&job.local, &cancelled, &mut |s| {
                report(s.files, None, s.bytes, false)
            });
            if let Ok(s) = &r {
                report(s.files, None, s.bytes, true);
            }
            r.map(|s| Outcome::Sized {
                files: s.files,
                dirs: s.dirs,
                bytes: s.bytes,
            })
        }
        Some(Task::Mkdirs { paths }) => {
            let mut sorted: Vec<&String> = paths.iter().collect();
            sorted.sort();
            let mut done = 0;
            let mut result = Ok(());
            for p in sorted {
                if cancelled() {
                    result = Err(Stop::Cancelled);
                    break;
                }
                let path = job.local.join(p);
                if let Err(e) = std::fs::create_dir_all(&path) {
                    result = Err(Stop::Failed(localops::err("cannot create", &path, &e)));
                    break;
                }
                done += 1;
                report(done, Some(paths.len() as u64), 0, false);
            }
            report(done, Some(paths.len() as u64), 0, true);
            result.map(|()| Outcome::Made { dirs: done })
        }
        other => {
            return Err(JobError::fatal(format!(
                "not a task for the local disk: {other:?}"
            )));
        }
    };
    match result {
        Ok(o) => Ok(Run::Finished(o)),
        Err(Stop::Cancelled) => Ok(Run::Finished(Outcome::Cancelled)),
        Err(Stop::Failed(e)) => Err(JobError::fatal(e.to_string())),
    }
}
