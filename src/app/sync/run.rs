//! Running a plan: directories first, then copies and deletes on the pool, and a summary.

use std::collections::HashSet;

use crossterm::event::{KeyCode, KeyEvent};

use super::super::dialog::Dialog;
use super::super::{App, Cmd, Side};
use super::{Kind, Row};
use crate::remote::path as rpath;
use crate::transfer::{Direction, Job, JobId, Outcome, Resolution, Task, TransferCmd};
use crate::words::{count, human_size};

/// A plan being carried out.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SyncRun {
    /// Directories being made; the rest starts when they are.
    pub making: HashSet<JobId>,
    /// Copies and deletes waiting for the directories.
    pub later: Vec<Job>,
    /// Tasks of the run not yet ended.
    pub open: HashSet<JobId>,
    pub copied: usize,
    pub deleted: usize,
    pub made: u64,
    pub skipped: usize,
    pub failed: usize,
    pub cancelled: usize,
    pub bytes: u64,
}

impl App {
    /// Enter on the plan: deletes are confirmed once more, naming how many.
    pub(super) fn confirm_plan(&mut self) -> Vec<Cmd> {
        let Some(plan) = &self.sync.plan else {
            return vec![];
        };
        if !plan.rows.iter().any(|r| r.ticked) {
            self.error(
                "Nothing is ticked: Space ticks a row, a all of its kind, Esc drops the plan",
            );
            return vec![];
        }
        let (files, dirs) = plan.ticked_deletes();
        if files + dirs > 0 {
            self.dialogs.push(Dialog::ConfirmSyncDelete {
                files,
                dirs,
                remote: plan.upload,
            });
            return vec![];
        }
        self.run_plan()
    }

    pub(in crate::app) fn on_confirm_sync_delete_key(&mut self, key: KeyEvent) -> Vec<Cmd> {
        match key.code {
            KeyCode::Char('y') | KeyCode::Char('Y') => self.run_plan(),
            KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc => {
                self.dialogs.close();
                self.info("Nothing deleted or copied; the plan is still open");
                vec![]
            }
            _ => vec![],
        }
    }

    /// Carry out the ticked rows: directories first, then copies and deletes on the pool.
    fn run_plan(&mut self) -> Vec<Cmd> {
        let Some(plan) = self.sync.plan.take() else {
            return vec![];
        };
        self.dialogs.close_all();
        let (mut mk_local, mut mk_remote) = (Vec::new(), Vec::new());
        let mut later = Vec::new();
        let dir_deletes: HashSet<(Kind, &str)> = plan
            .rows
            .iter()
            .filter(|r| r.ticked && r.is_dir_delete())
            .map(|r| (r.kind, r.action.path()))
            .collect();
        let inside_deleted = |r: &Row| {
            let mut p = r.action.path();
            while let Some(i) = p.rfind('/') {
                p = &p[..i];
                if dir_deletes.contains(&(r.kind, p)) {
                    return true;
                }
            }
            false
        };
        for r in plan.rows.iter().filter(|r| r.ticked) {
            let path = r.action.path();
            let remote = rpath::join(&plan.remote_root, path);
            let local = plan.local_root.join(path);
            match r.kind {
                Kind::MkdirLocal => mk_local.push(path.to_string()),
                Kind::MkdirRemote => mk_remote.push(path.to_string()),
                Kind::Upload | Kind::Download => {
                    let direction = if r.kind == Kind::Upload {
                        Direction::Upload
                    } else {
                        Direction::Download
                    };
                    let id = self.next_id();
                    let mtime = match &r.action {
                        crate::sync::Action::Copy { mtime, .. } => *mtime,
                        _ => None,
                    };
                    later.push(Job {
                        on_exists: Some(Resolution::Overwrite),
                        size: Some(r.size()),
                        mtime,
                        // The scan found nothing there: no need to ask the server again.
                        known_absent: matches!(
                            r.action,
                            crate::sync::Action::Copy {
                                reason: crate::sync::Reason::Missing,
                                ..
                            }
                        ),
                        ..Job::new(id, direction, remote, local, false)
                    });
                }
                Kind::DeleteLocal | Kind::DeleteRemote if inside_deleted(r) => {}
                Kind::DeleteRemote => {
                    let id = self.next_id();
                    later.push(Job::remote_task(
                        id,
                        Task::Delete,
                        remote,
                        r.is_dir_delete(),
                    ));
                }
                Kind::DeleteLocal => {
                    let id = self.next_id();
                    later.push(Job::local_task(id, Task::Delete, local, r.is_dir_delete()));
                }
                Kind::Conflict => {}
            }
        }
        let batch = self.next_id();
        for j in &mut later {
            j.batch = batch;
        }
        let mut first = Vec::new();
        if !mk_remote.is_empty() {
            let id = self.next_id();
            first.push(Job::remote_task(
                id,
                Task::Mkdirs { paths: mk_remote },
                plan.remote_root.clone(),
                true,
            ));
        }
        if !mk_local.is_empty() {
            let id = self.next_id();
            first.push(Job::local_task(
                id,
                Task::Mkdirs { paths: mk_local },
                plan.local_root.clone(),
                true,
            ));
        }
        let mut run = SyncRun::default();
        let start = if first.is_empty() {
            std::mem::take(&mut later)
        } else {
            run.making = first.iter().map(|j| j.id).collect();
            run.later = later;
            first
        };
        let n = start.len() + run.later.len();
        run.open = start.iter().chain(&run.later).map(|j| j.id).collect();
        for j in &start {
            self.tasks.list.add(j.clone());
        }
        self.sync.run = Some(run);
        self.tasks.shown = true;
        self.info(format!(
            "Synchronizing: {} (task panel: t; x cancels one, X all)",
            count(n, "task", "tasks")
        ));
        vec![Cmd::Transfer(TransferCmd::Enqueue(start))]
    }

    /// A task ended: count it for the sync it belongs to, start what waited for directories,
    /// and at the end refresh both panes and sum up.
    pub(in crate::app) fn on_sync_step(&mut self, id: JobId, outcome: &Outcome) -> Vec<Cmd> {
        let Some(run) = self.sync.run.as_mut() else {
            return vec![];
        };
        if !run.open.remove(&id) {
            return vec![];
        }
        let made_dirs = run.making.remove(&id);
        match outcome {
            Outcome::Done { bytes, .. } => {
                run.copied += 1;
                run.bytes += bytes;
            }
            Outcome::Deleted { entries } => run.deleted += *entries as usize,
            Outcome::Made { dirs } => run.made += dirs,
            Outcome::Skipped { .. } => run.skipped += 1,
            Outcome::Cancelled => run.cancelled += 1,
            Outcome::Failed { .. } => run.failed += 1,
            _ => {}
        }
        let mut cmds = Vec::new();
        if made_dirs && run.making.is_empty() && !run.later.is_empty() {
            if run.cancelled > 0 {
                // The directories were cancelled: so is what needed them.
                run.cancelled += run.later.len();
                for j in run.later.drain(..) {
                    run.open.remove(&j.id);
                }
            } else {
                let later = std::mem::take(&mut run.later);
                for j in &later {
                    self.tasks.list.add(j.clone());
                }
                cmds.push(Cmd::Transfer(TransferCmd::Enqueue(later)));
            }
        }
        let Some(run) = self.sync.run.as_ref() else {
            return cmds;
        };
        if !run.open.is_empty() {
            return cmds;
        }
        let mut parts = vec![format!("{} copied ({})", run.copied, human_size(run.bytes))];
        if run.made > 0 {
            parts.push(count(
                run.made as usize,
                "directory made",
                "directories made",
            ));
        }
        if run.deleted > 0 {
            parts.push(format!("{} deleted", run.deleted));
        }
        if run.skipped > 0 {
            parts.push(format!("{} skipped", run.skipped));
        }
        if run.cancelled > 0 {
            parts.push(format!("{} cancelled", run.cancelled));
        }
        let failed = run.failed;
        self.sync.run = None;
        if failed > 0 {
            parts.push(format!("{failed} failed"));
            self.error(format!(
                "Synchronize done: {} — select a failed task in the panel (t, Tab) and press R to retry",
                parts.join(", ")
            ));
        } else {
            self.info(format!("Synchronize done: {}", parts.join(", ")));
        }
        for side in [Side::Local, Side::Remote] {
            let pane = self.pane(side);
            if !pane.dir.is_empty() {
                let (dir, keep) = (pane.dir.clone(), pane.current_name());
                cmds.extend(self.request(side, dir, keep));
            }
        }
        cmds
    }
}
