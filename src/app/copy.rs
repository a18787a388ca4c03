//! Copying and moving between the panes, and following the transfer engine's events:
//! conflicts, failures, and refreshing the panes that changed.

use std::path::Path;

use super::dialog::Dialog;
use super::transfers::JobState;
use super::{App, Cmd, ConnState, Side};
use crate::entry::{Entry, EntryKind};
use crate::remote::path as rpath;
use crate::sanitize::local_component;
use crate::transfer::{Direction, Job, JobId, Outcome, Resolution, TransferCmd, TransferEvent};
use crate::words::human_size;
use crate::words::{NAME_CHARS, count, short, short_words};

impl App {
    /// F5/F6: the selection (or the entry under the cursor) of `side` to the other pane's
    /// directory, or to `dest` when given (a drop on a directory).
    pub(super) fn copy_targets(
        &mut self,
        side: Side,
        remove_source: bool,
        dest: Option<String>,
    ) -> Vec<Cmd> {
        let entries: Vec<Entry> = self.pane(side).targets().into_iter().cloned().collect();
        self.copy_entries(side, entries, remove_source, dest)
    }

    pub(super) fn copy_entries(
        &mut self,
        side: Side,
        entries: Vec<Entry>,
        remove_source: bool,
        dest: Option<String>,
    ) -> Vec<Cmd> {
        if self.server.conn != ConnState::Connected {
            self.error("Not connected: connect to a server before copying (r reconnects)");
            return vec![];
        }
        let src_dir = self.pane(side).dir.clone();
        let dest_dir = dest.unwrap_or_else(|| self.pane(side.other()).dir.clone());
        if src_dir.is_empty() || dest_dir.is_empty() {
            self.error("Both panes need a directory before copying");
            return vec![];
        }
        if entries.is_empty() {
            self.info("Nothing to copy here");
            return vec![];
        }
        self.next_batch += 1;
        let batch = self.next_batch;
        let mut jobs = Vec::new();
        let mut bytes: u64 = 0;
        // One destination, one job: a second copy to the same place would corrupt both. The
        // destinations in use are worked out once, each local parent resolved once, so a
        // selection of thousands costs a lookup per entry, not a pass over every other job.
        let mut parents = crate::safety::claims::Parents::default();
        let mut taken: std::collections::HashSet<crate::safety::Dest> = self
            .tasks
            .list
            .jobs
            .iter()
            .filter(|v| v.state.is_active())
            .filter_map(|v| v.job.dest_cached(&mut parents))
            .collect();
        // Entries left out, with the first reason: said after what was queued, not under it.
        let mut left_out: Vec<String> = Vec::new();
        for e in entries {
            if e.kind == EntryKind::Unknown {
                left_out.push(format!("Skipped an unparseable entry: {}", short(&e.name)));
                continue;
            }
            let (direction, remote, local) = match side {
                Side::Remote => {
                    if let Err(err) = local_component(&e.name) {
                        left_out.push(format!("Refused to download: {err}"));
                        continue;
                    }
                    (
                        Direction::Download,
                        rpath::join(&src_dir, &e.name),
                        Path::new(&dest_dir).join(crate::remote::encoding::local_name(&e.name)),
                    )
                }
                Side::Local => (
                    Direction::Upload,
                    rpath::join(&dest_dir, &e.name),
                    Path::new(&src_dir).join(&e.name),
                ),
            };
            let is_dir = e.kind == EntryKind::Dir;
            let job = Job {
                batch,
                size: if is_dir { None } else { e.size },
                mtime: e.mtime,
                on_exists: self.tasks.default_policy,
                remove_source,
                ..Job::new(self.next_id(), direction, remote, local, is_dir)
            };
            if let Some(dest) = job.dest_cached(&mut parents)
                && let Some(dest) = taken.replace(dest)
            {
                left_out.push(format!(
                    "Already copying to {} — see the task panel (t)",
                    dest.show()
                ));
                continue;
            }
            bytes = bytes.saturating_add(e.size.unwrap_or(0));
            jobs.push(job);
        }
        let left_out = match left_out.as_slice() {
            [] => None,
            [one] => Some(one.clone()),
            [first, rest @ ..] => Some(format!(
                "{first} (and {} more left out)",
                crate::words::thousands(rest.len() as u64)
            )),
        };
        if jobs.is_empty() {
            if let Some(why) = left_out {
                self.error(why);
            }
            return vec![];
        }
        for j in &jobs {
            self.tasks.list.add(j.clone());
        }
        self.pane_mut(side).selected.clear();
        self.tasks.shown = true;
        let verb = if remove_source { "Moving" } else { "Copying" };
        let what = if jobs.len() == 1 {
            short(&jobs[0].name())
        } else {
            count(jobs.len(), "item", "items")
        };
        let queued = format!(
            "{verb} {what} ({}) to {}",
            human_size(bytes),
            short(&dest_dir)
        );
        match left_out {
            Some(why) => self.error(format!("{queued} · {why}")),
            None => self.info(queued),
        }
        vec![Cmd::Transfer(TransferCmd::Enqueue(jobs))]
    }

    pub(super) fn on_transfer(&mut self, event: TransferEvent) -> Vec<Cmd> {
        let ended = match &event {
            TransferEvent::Finished { id, outcome } => Some((*id, outcome.clone())),
            _ => None,
        };
        let mut cmds = self.on_transfer_event(event);
        // A task of a running sync: counted, and the sync's summary comes last.
        if let Some((id, outcome)) = ended {
            cmds.extend(self.on_sync_step(id, &outcome));
        }
        cmds
    }

    fn on_transfer_event(&mut self, event: TransferEvent) -> Vec<Cmd> {
        let Some(view) = self.tasks.on_event(&event) else {
            return vec![];
        };
        let name = short(&view.job.name());
        let mut cmds = Vec::new();
        match event {
            TransferEvent::Conflict { id, .. } => {
                let read_only = matches!(&view.state, JobState::Conflict { existing, .. } if existing.read_only);
                if let Some(&res) = self
                    .tasks
                    .batch_policy
                    .get(&view.job.batch)
                    .filter(|_| !read_only)
                {
                    return self.resolve_conflict(id, res, false, false);
                }
                self.tasks.conflicts.push_back(id);
                self.open_next_conflict();
            }
            TransferEvent::Retrying { attempt, error, .. } => {
                self.error(format!(
                    "{} ({name}) — retrying ({attempt})",
                    short_words(&error, NAME_CHARS)
                ));
            }
            TransferEvent::Finished { id, outcome } => {
                // Ended while waiting for an answer (a cancel that crossed the conflict):
                // nothing to ask about it any more (the tasks part forgot it already).
                if matches!(self.dialogs.top().cloned(), Some(Dialog::Overwrite { id: d, .. }) if d == id)
                {
                    self.dialogs.close_all();
                    self.open_next_conflict();
                }
                if let Some(cmds) = self.on_edit_step(id, &outcome) {
                    return cmds;
                }
                if view.job.task().is_some() {
                    return self.on_task_finished(&view.job, &outcome);
                }
                match &outcome {
                    Outcome::Done { .. } | Outcome::Expanded { .. } => {
                        if let Outcome::Done { note: Some(n), .. } = &outcome {
                            self.error(format!("{name}: {n}"));
                        }
                        let (dest, src) = match view.job.direction {
                            Direction::Download => (Side::Local, Side::Remote),
                            Direction::Upload => (Side::Remote, Side::Local),
                        };
                        self.mark_dirty(dest);
                        if view.job.remove_source {
                            self.mark_dirty(src);
                        }
                    }
                    Outcome::Failed { error } => self.error(format!(
                        "{} ({name})",
                        short_words(&error.to_string(), NAME_CHARS)
                    )),
                    Outcome::Skipped { reason } if reason.starts_with("another transfer") => {
                        self.error(format!("{reason} ({name})"));
                    }
                    Outcome::Skipped { .. } | Outcome::Cancelled => {}
                    // Only tasks end like these (handled above).
                    Outcome::Deleted { .. }
                    | Outcome::Chmodded { .. }
                    | Outcome::Sized { .. }
                    | Outcome::Viewed { .. }
                    | Outcome::Planned { .. }
                    | Outcome::Made { .. }
                    | Outcome::Diagnosed { .. } => {}
                }
                if !self.tasks.list.has_active() {
                    cmds.extend(self.refresh_dirty());
                    let t = self.tasks.list.totals();
                    if let Outcome::Failed { error } = &outcome {
                        self.error(format!(
                            "{} ({name}) — press R in the transfer panel to retry",
                            short_words(&error.to_string(), NAME_CHARS)
                        ));
                    } else if t.failed > 0 {
                        self.error(format!(
                            "Transfers finished; {} failed — select one in the panel (t, Tab) and press R to retry",
                            count(t.failed, "transfer", "transfers")
                        ));
                    } else if !self.status.is_error {
                        self.info("All transfers finished");
                    }
                    self.tasks.batch_policy.clear();
                }
            }
            TransferEvent::Added { .. }
            | TransferEvent::Started { .. }
            | TransferEvent::Progress { .. }
            | TransferEvent::Steps { .. }
            | TransferEvent::Scanned { .. } => {}
        }
        cmds
    }

    /// One second passed: sample the speed, refresh panes that transfers changed.
    pub(super) fn on_tick(&mut self) -> Vec<Cmd> {
        if self.tasks.list.has_active() || self.tasks.list.history.iter().any(|&b| b > 0) {
            self.tasks.list.tick();
        }
        let mut cmds = self.refresh_dirty();
        cmds.extend(self.save_queue_if_changed());
        cmds
    }

    fn mark_dirty(&mut self, side: Side) {
        match side {
            Side::Local => self.browse.dirty.0 = true,
            Side::Remote => self.browse.dirty.1 = true,
        }
    }

    fn refresh_dirty(&mut self) -> Vec<Cmd> {
        let mut cmds = Vec::new();
        for side in [Side::Local, Side::Remote] {
            let flag = match side {
                Side::Local => std::mem::take(&mut self.browse.dirty.0),
                Side::Remote => std::mem::take(&mut self.browse.dirty.1),
            };
            let pane = self.pane(side);
            if !flag || pane.dir.is_empty() || pane.pending.is_some() {
                continue;
            }
            if side == Side::Remote && self.server.conn != ConnState::Connected {
                continue;
            }
            let (dir, keep) = (pane.dir.clone(), pane.current_name());
            cmds.extend(self.request(side, dir, keep));
        }
        cmds
    }

    fn open_next_conflict(&mut self) {
        if self.dialogs.is_open() {
            return;
        }
        while let Some(&id) = self.tasks.conflicts.front() {
            if matches!(
                self.tasks.list.get(id).map(|v| &v.state),
                Some(JobState::Conflict { .. })
            ) {
                self.dialogs.show(Dialog::Overwrite {
                    id,
                    apply_to_all: false,
                });
                return;
            }
            self.tasks.conflicts.pop_front();
        }
    }

    /// Whether "resume" makes sense for a conflict: the destination is smaller than the source.
    pub(super) fn can_resume(&self, id: JobId) -> bool {
        match self.tasks.list.get(id).map(|v| &v.state) {
            Some(JobState::Conflict { source, existing }) => {
                matches!((existing.size, source.size), (Some(e), Some(s)) if e < s)
            }
            _ => false,
        }
    }

    /// Send a parked job again with the user's answer (and, with "apply to all", every other
    /// waiting job of its batch). `confirmed` is an answer the user gave in the dialog (which
    /// may replace a read-only file), not a policy.
    pub(super) fn resolve_conflict(
        &mut self,
        id: JobId,
        res: Resolution,
        apply_to_all: bool,
        confirmed: bool,
    ) -> Vec<Cmd> {
        let Some(view) = self.tasks.list.get(id) else {
            return vec![];
        };
        let batch = view.job.batch;
        let mut ids = vec![id];
        if apply_to_all {
            self.tasks.batch_policy.insert(batch, res);
            ids.extend(self.tasks.conflicts.iter().copied().filter(|&c| {
                c != id && self.tasks.list.get(c).is_some_and(|v| v.job.batch == batch)
            }));
        }
        self.tasks.conflicts.retain(|c| !ids.contains(c));
        let mut jobs = Vec::new();
        for jid in ids {
            let Some(v) = self.tasks.list.get(jid) else {
                continue;
            };
            if !matches!(v.state, JobState::Conflict { .. }) {
                continue;
            }
            let mut job = v.job.clone();
            job.on_exists = Some(res);
            // Only the file the dialog showed: every read-only file is asked about on its own.
            job.replace_read_only = confirmed && jid == id && res != Resolution::Skip;
            self.tasks.list.add(job.clone());
            jobs.push(job);
        }
        self.open_next_conflict();
        vec![Cmd::Transfer(TransferCmd::Enqueue(jobs))]
    }

    pub(super) fn cancel_current_job(&mut self) -> Vec<Cmd> {
        let Some(view) = self.tasks.list.current() else {
            self.info("No transfer to cancel");
            return vec![];
        };
        let ids: Vec<JobId> = self
            .tasks
            .list
            .descendants(view.job.id)
            .into_iter()
            .filter(|&id| self.tasks.list.get(id).is_some_and(|v| v.state.is_active()))
            .collect();
        if ids.is_empty() {
            self.info("That transfer is not running");
            return vec![];
        }
        let mut cmds = Vec::new();
        for id in ids {
            // A parked job waits in the engine too: it frees its destination there.
            self.cancel_parked(id);
            cmds.push(Cmd::Transfer(TransferCmd::Cancel(id)));
        }
        cmds
    }

    pub(super) fn cancel_all(&mut self) -> Vec<Cmd> {
        let parked: Vec<JobId> = self.tasks.conflicts.drain(..).collect();
        for id in parked {
            self.cancel_parked(id);
        }
        if matches!(self.dialogs.top().cloned(), Some(Dialog::Overwrite { .. })) {
            self.dialogs.close_all();
        }
        self.info("Cancelling all transfers");
        vec![Cmd::Transfer(TransferCmd::CancelAll)]
    }

    /// A job waiting for a conflict decision is not in the engine: cancel it here.
    fn cancel_parked(&mut self, id: JobId) -> bool {
        if !matches!(
            self.tasks.list.get(id).map(|v| &v.state),
            Some(JobState::Conflict { .. })
        ) {
            return false;
        }
        self.tasks.list.apply(&TransferEvent::Finished {
            id,
            outcome: Outcome::Cancelled,
        });
        self.tasks.conflicts.retain(|&c| c != id);
        if matches!(self.dialogs.top().cloned(), Some(Dialog::Overwrite { id: d, .. }) if d == id) {
            self.dialogs.close_all();
            self.open_next_conflict();
        }
        true
    }

    pub(super) fn retry_current_job(&mut self) -> Vec<Cmd> {
        let Some(view) = self.tasks.list.current() else {
            return vec![];
        };
        if !matches!(view.state, JobState::Failed(_) | JobState::Cancelled) {
            self.info("Only a failed or cancelled task can be retried");
            return vec![];
        }
        let job = view.job.clone();
        self.info(format!("Retrying {}", short(&job.name())));
        self.tasks.list.add(job.clone());
        vec![Cmd::Transfer(TransferCmd::Enqueue(vec![job]))]
    }
}
