//! Long operations on the server as tasks of the pool: delete, recursive permissions, directory
//! size, the viewer's fetch, and the two copies of a remote edit. They show in the task panel
//! with the transfers (cancel, retry) and never hold the browsing connection, so browsing goes
//! on while they run. This is what the app does when one of them ends.

use std::path::PathBuf;

use super::viewer::Viewer;
use super::{App, Cmd, Side};
use crate::remote::path as rpath;
use crate::sanitize::display_name;
use crate::transfer::limit::Limits;
use crate::transfer::{Direction, Job, JobId, Outcome, Resolution, Task, TransferCmd};
use crate::words::human_size;
use crate::words::{NAME_CHARS, count, short, short_words, thousands};

/// The task panel and what waits on it.
#[derive(Debug, Default)]
pub struct Tasks {
    /// Every task of this run, in order, as the engine's events tell them.
    pub list: super::Transfers,
    /// The panel is shown.
    pub shown: bool,
    /// The panel has the keyboard (Tab cycles to it when it is shown).
    pub focused: bool,
    /// Conflicts waiting for the overwrite dialog, oldest first.
    pub conflicts: std::collections::VecDeque<JobId>,
    /// "Apply to all" answers, per batch.
    pub batch_policy: std::collections::HashMap<u64, Resolution>,
    /// What to do with existing destinations without asking (from the config).
    pub default_policy: Option<Resolution>,
    /// The speed limits from the settings and the command line.
    pub base_limits: Limits,
    /// `--limit-rate`, over the settings' and a bookmark's.
    pub cli_limits: Limits,
    /// The speed limits in force (the engine's), as the panel's title shows them.
    pub limits: Limits,
    /// The server (`Profile::label`) whose limits `limits` are; a new one starts from its own.
    pub(super) limits_for: Option<String>,
    /// Copies that are steps of editing a remote file.
    pub(super) edits: std::collections::HashMap<JobId, EditStep>,
}

/// A copy that is one step of editing a remote file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditStep {
    /// The remote file is being downloaded to `path` for the editor.
    Fetching { remote: String, path: PathBuf },
    /// The edited copy at `scratch` is being uploaded back.
    Uploading {
        select: Option<String>,
        scratch: PathBuf,
    },
}

impl Tasks {
    /// Show or hide the panel (a hidden panel has no keyboard).
    pub fn toggle(&mut self) {
        self.shown = !self.shown;
        if !self.shown {
            self.focused = false;
        }
    }

    /// Handle a panel action (moving between tasks; `page` rows at a time). False: not one.
    pub fn update(&mut self, action: super::keymap::Action, page: usize) -> bool {
        use super::keymap::Action;
        let page = page as isize;
        match action {
            Action::Up => self.list.move_by(-1),
            Action::Down => self.list.move_by(1),
            Action::PageUp => self.list.move_by(-page),
            Action::PageDown => self.list.move_by(page),
            Action::Top => self.list.cursor = 0,
            Action::Bottom => self.list.move_by(isize::MAX),
            _ => return false,
        }
        true
    }

    /// Take in an engine event: the task's row, once updated. A task that ended no longer
    /// waits for an answer.
    pub fn on_event(
        &mut self,
        event: &crate::transfer::TransferEvent,
    ) -> Option<super::transfers::JobView> {
        if let crate::transfer::TransferEvent::Finished { id, .. } = event {
            self.conflicts.retain(|c| c != id);
        }
        self.list.apply(event).cloned()
    }
}

impl App {
    /// Queue `task` on the remote `path` (a directory when `is_dir`) and show it in the panel.
    pub(super) fn start_task(&mut self, task: Task, path: String, is_dir: bool) -> Vec<Cmd> {
        let id = self.next_id();
        self.start_tasks(vec![Job::remote_task(id, task, path, is_dir)])
    }

    /// Queue several tasks as one batch.
    pub(super) fn start_tasks(&mut self, mut jobs: Vec<Job>) -> Vec<Cmd> {
        let Some(first) = jobs.first() else {
            return vec![];
        };
        let batch = first.id;
        let quiet = matches!(first.task(), Some(Task::View { .. }));
        let what = match (first.task(), jobs.len()) {
            (Some(Task::Delete), 1) => format!("Deleting {}", short(&first.name())),
            (Some(Task::Delete), n) => format!("Deleting {}", count(n, "entry", "entries")),
            (Some(Task::Chmod { mode }), _) => {
                format!("Setting mode {mode:o} under {}", short(&first.name()))
            }
            (Some(Task::Size), _) => format!("Measuring {}", short(&first.name())),
            _ => format!("Fetching {}", short(&first.name())),
        };
        for j in &mut jobs {
            j.batch = batch;
            self.tasks.list.add(j.clone());
        }
        if !quiet {
            self.tasks.shown = true;
        }
        self.info(format!("{what}… (task panel: t; x cancels)"));
        vec![Cmd::Transfer(TransferCmd::Enqueue(jobs))]
    }

    /// Download a remote file to a scratch copy for the editor.
    pub(super) fn start_edit_fetch(&mut self, remote: String, path: PathBuf) -> Vec<Cmd> {
        let id = self.next_id();
        let job = Job {
            on_exists: Some(Resolution::Overwrite),
            ..Job::new(id, Direction::Download, remote.clone(), path.clone(), false)
        };
        self.tasks
            .edits
            .insert(id, EditStep::Fetching { remote, path });
        self.tasks.list.add(job.clone());
        self.info(format!("Fetching {} to edit…", short(&job.name())));
        vec![Cmd::Transfer(TransferCmd::Enqueue(vec![job]))]
    }

    /// Upload an edited scratch copy back over the remote file.
    pub(super) fn upload_edited(&mut self, local: PathBuf, remote: String) -> Vec<Cmd> {
        let id = self.next_id();
        let select = rpath::file_name(&remote).map(str::to_string);
        let job = Job {
            on_exists: Some(Resolution::Overwrite),
            ..Job::new(id, Direction::Upload, remote.clone(), local.clone(), false)
        };
        self.tasks.edits.insert(
            id,
            EditStep::Uploading {
                select,
                scratch: local,
            },
        );
        self.tasks.list.add(job.clone());
        self.info(format!("Uploading {}…", short(&remote)));
        vec![Cmd::Transfer(TransferCmd::Enqueue(vec![job]))]
    }

    /// A copy that was a step of an edit ended.
    pub(super) fn on_edit_step(&mut self, id: JobId, outcome: &Outcome) -> Option<Vec<Cmd>> {
        let step = self.tasks.edits.remove(&id)?;
        let ok = matches!(outcome, Outcome::Done { .. });
        Some(match step {
            EditStep::Fetching { remote, path } if ok => vec![Cmd::Edit {
                path,
                remote: Some(remote),
            }],
            EditStep::Fetching { .. } => vec![],
            EditStep::Uploading { select, scratch } if ok => {
                self.info(format!(
                    "Saved {} on the server",
                    short(select.as_deref().unwrap_or(""))
                ));
                let dir = self.browse.remote.dir.clone();
                let mut cmds = self.request(Side::Remote, dir, select);
                if let Some(kept) = self.files.kept_edits.remove(&scratch) {
                    cmds.push(Cmd::Local(crate::local::LocalCmd::ForgetKept { kept }));
                }
                cmds
            }
            EditStep::Uploading { scratch, .. } => {
                self.keep_edit_message(&scratch);
                vec![]
            }
        })
    }

    /// A task on the server ended: say what it did, and show its result.
    pub(super) fn on_task_finished(&mut self, job: &Job, outcome: &Outcome) -> Vec<Cmd> {
        let name = short(&job.name());
        let steps = self.tasks.list.get(job.id).and_then(|v| v.steps);
        if let Some(Task::Doctor { .. }) = job.task() {
            match outcome {
                Outcome::Diagnosed { report } => self.open_doctor_report(job.id, report),
                Outcome::Failed { error } => {
                    self.forget_doctor(job.id);
                    self.error(format!("Connection doctor: {}", short(&error.to_string())));
                }
                _ => {
                    self.forget_doctor(job.id);
                    self.info("Connection doctor stopped");
                }
            }
            return vec![];
        }
        if let Some(Task::SyncScan { .. }) = job.task() {
            match outcome {
                Outcome::Planned {
                    plan,
                    local,
                    remote,
                    unhashed,
                } => self.open_plan(job, plan.clone(), (*local, *remote), *unhashed),
                _ => self.sync_scan_ended(job.id, outcome),
            }
            return vec![];
        }
        match outcome {
            Outcome::Made { .. } => return vec![],
            Outcome::Deleted { entries } => {
                self.info(format!(
                    "Deleted {name} ({})",
                    count(*entries as usize, "entry", "entries")
                ));
            }
            Outcome::Chmodded { entries } => {
                self.info(format!(
                    "Permissions set on {} under {name}",
                    count(*entries as usize, "entry", "entries")
                ));
            }
            Outcome::Sized { files, dirs, bytes } => {
                self.info(format!(
                    "{name}: {} in {} and {}",
                    human_size(*bytes),
                    count(*files as usize, "file", "files"),
                    count(*dirs as usize, "directory", "directories"),
                ));
                self.show_dir_size(job, *bytes);
                return vec![];
            }
            Outcome::Viewed { data, size } => {
                self.open_viewer(&job.remote, data, *size);
                return vec![];
            }
            Outcome::Cancelled => match (job.task(), steps) {
                (Some(Task::Delete), Some((done, None))) if job.is_local_task() => {
                    self.info(format!(
                        "Delete of {name} cancelled: {} deleted; the rest is still there",
                        count(done as usize, "entry", "entries")
                    ))
                }
                (Some(Task::Delete), Some((done, Some(total)))) => self.info(format!(
                    "Delete of {name} cancelled: {} of {} entries deleted; the rest is still there",
                    thousands(done),
                    thousands(total)
                )),
                (Some(Task::Delete), _) => self.info(format!(
                    "Delete of {name} cancelled before anything was deleted"
                )),
                _ => self.info(format!("{} of {name} cancelled", capitalized(job))),
            },
            Outcome::Failed { error } => {
                self.error(format!(
                    "{} ({} {name}) — R in the task panel retries",
                    short_words(&error.to_string(), NAME_CHARS),
                    job.task().map_or("task", |t| t.label())
                ));
            }
            _ => {}
        }
        if matches!(job.task(), Some(Task::Delete | Task::Chmod { .. })) {
            // What is left (or what changed) shows at once, cursor kept.
            let side = if job.is_local_task() {
                Side::Local
            } else {
                Side::Remote
            };
            let pane = self.pane(side);
            if !pane.dir.is_empty() && pane.pending.is_none() {
                let (dir, keep) = (pane.dir.clone(), pane.current_name());
                return self.request(side, dir, keep);
            }
            match side {
                Side::Local => self.browse.dirty.0 = true,
                Side::Remote => self.browse.dirty.1 = true,
            }
        }
        vec![]
    }

    /// The measured size of a directory shows in the pane while it lists that directory.
    fn show_dir_size(&mut self, job: &Job, bytes: u64) {
        if job.is_local_task() {
            let (Some(parent), Some(name)) = (job.local.parent(), job.local.file_name()) else {
                return;
            };
            if parent == std::path::Path::new(&self.browse.local.dir) {
                let name = name.to_string_lossy().into_owned();
                self.browse.local.measured.insert(name, bytes);
            }
            return;
        }
        let path = &job.remote;
        let (Some(parent), Some(name)) = (rpath::parent(path), rpath::file_name(path)) else {
            return;
        };
        if crate::safety::walk::same_path(&parent, &self.browse.remote.dir) {
            self.browse.remote.measured.insert(name.to_string(), bytes);
        }
    }

    fn open_viewer(&mut self, path: &str, data: &[u8], size: Option<u64>) {
        let title = display_name(path);
        let partial = size.is_some_and(|s| s > data.len() as u64);
        self.viewer = Some(Viewer::new(title, data, partial));
        match size {
            Some(s) if partial => self.info(format!(
                "Showing the first {} of {} (the viewer reads {} at most) · {}",
                human_size(data.len() as u64),
                human_size(s),
                human_size(super::fileops::VIEW_MAX),
                self.keymap.viewer_hint()
            )),
            _ => self.info(format!("Viewer: {}", self.keymap.viewer_hint())),
        }
    }
}

fn capitalized(job: &Job) -> &'static str {
    match job.task() {
        Some(Task::Chmod { .. }) => "Permissions change",
        Some(Task::Size) => "Measuring",
        Some(Task::View { .. }) => "Fetching",
        _ => "Task",
    }
}

impl App {
    /// The limits for a connection to `p`: the same server keeps what `<`/`>` made of them,
    /// another starts from its bookmark's over the settings'. The engine is told either way
    /// (a new profile resets its limits).
    pub(super) fn limits_for_server(&mut self, p: &crate::remote::Profile) -> Cmd {
        let label = p.label();
        if self.tasks.limits_for.as_deref() != Some(label.as_str()) {
            self.tasks.limits = (self.tasks.base_limits)
                .overridden_by(p.limits)
                .overridden_by(self.tasks.cli_limits);
            self.tasks.limits_for = Some(label);
        }
        Cmd::Transfer(TransferCmd::SetLimits(self.tasks.limits))
    }

    /// `<` / `>`: halve or double the speed limits, for running transfers too.
    pub(super) fn change_limits(&mut self, faster: bool) -> Vec<Cmd> {
        let before = self.tasks.limits;
        let after = if faster {
            before.doubled()
        } else {
            before.halved(self.tasks.list.speeds())
        };
        if after == before {
            self.info(if faster {
                "No speed limit to raise"
            } else {
                "No speed limit, and nothing moving to slow down"
            });
            return vec![];
        }
        self.tasks.limits = after;
        match after.describe() {
            Some(d) => self.info(format!("Speed limit {d}")),
            None => self.info("No speed limit"),
        }
        vec![Cmd::Transfer(TransferCmd::SetLimits(after))]
    }
}
