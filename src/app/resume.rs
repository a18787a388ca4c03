//! The queue that survives a restart (see [`crate::queue`]): what is unfinished is saved as it
//! changes, and the next connection to the same server offers to resume it.

use std::hash::{Hash, Hasher};

use super::dialog::Dialog;
use super::transfers::JobState;
use super::{App, Cmd};
use crate::local::LocalCmd;
use crate::queue::SavedJob;
use crate::transfer::TransferCmd;
use crate::words::{count, human_size};

/// The saved queue as the app knows it.
#[derive(Debug, Default)]
pub struct Resume {
    /// What the last run left, by server label; a server's entry goes once it is resumed or
    /// discarded.
    pub saved: crate::queue::Saved,
    /// The last snapshot written (a hash of it), so that an unchanged queue is not rewritten.
    written: Option<(String, u64)>,
    /// Saving is on (off for the demo).
    enabled: bool,
    /// The servers that have an entry in the file now.
    on_disk: std::collections::HashSet<String>,
}

impl Resume {
    pub fn new(saved: crate::queue::Saved, enabled: bool) -> Resume {
        Resume {
            on_disk: saved.servers.keys().cloned().collect(),
            saved,
            written: None,
            enabled,
        }
    }
}

impl App {
    /// The server label the queue is saved under: the current connection's.
    fn queue_label(&self) -> Option<String> {
        self.server.profile.as_ref().map(|p| p.label())
    }

    /// What to save now for the current server: its copies that are not finished (queued,
    /// running, waiting, failed), and what the last run left that was not resumed yet.
    pub fn queue_snapshot(&self) -> Option<(String, Vec<SavedJob>)> {
        if !self.resume.enabled {
            return None;
        }
        let label = self.queue_label()?;
        let mut jobs: Vec<SavedJob> = self
            .tasks
            .list
            .jobs
            .iter()
            .filter(|v| v.job.task().is_none() && !self.tasks.edits.contains_key(&v.job.id))
            .filter_map(|v| match &v.state {
                s if s.is_active() => SavedJob::of(&v.job, None),
                JobState::Failed(why) => SavedJob::of(&v.job, Some(why.clone())),
                _ => None,
            })
            .collect();
        if let Some(left) = self.resume.saved.servers.get(&label) {
            jobs.extend(left.iter().cloned());
        }
        Some((label, jobs))
    }

    /// On the tick: write the queue when it changed.
    pub(super) fn save_queue_if_changed(&mut self) -> Vec<Cmd> {
        let Some((label, jobs)) = self.queue_snapshot() else {
            return vec![];
        };
        let mut h = std::collections::hash_map::DefaultHasher::new();
        jobs.hash(&mut h);
        let key = (label.clone(), h.finish());
        if self.resume.written.as_ref() == Some(&key) {
            return vec![];
        }
        self.resume.written = Some(key);
        if jobs.is_empty() {
            // Nothing is saved for this server and nothing is to be: no file to touch.
            if !self.resume.on_disk.remove(&label) {
                return vec![];
            }
        } else {
            self.resume.on_disk.insert(label.clone());
        }
        vec![Cmd::Local(LocalCmd::SaveQueue { label, jobs })]
    }

    /// After a connection: offer what the last run left for this server.
    pub(super) fn offer_saved_queue(&mut self) {
        let Some(label) = self.queue_label() else {
            return;
        };
        let Some(left) = self.resume.saved.servers.get(&label) else {
            return;
        };
        if left.is_empty() || self.dialogs.top().is_some() {
            return;
        }
        self.dialogs.show(Dialog::ResumeQueue {
            files: left.iter().filter(|j| !j.is_dir).count(),
            dirs: left.iter().filter(|j| j.is_dir).count(),
            bytes: left.iter().filter_map(|j| j.size).sum(),
            failed: left.iter().filter(|j| j.failed.is_some()).count(),
        });
    }

    /// `y`: queue the saved copies again (resuming their `.part`); `n`: forget them.
    pub(super) fn answer_saved_queue(&mut self, resume: bool) -> Vec<Cmd> {
        self.dialogs.close_all();
        let Some(label) = self.queue_label() else {
            return vec![];
        };
        let left = self.resume.saved.servers.remove(&label).unwrap_or_default();
        if !resume {
            self.info(format!(
                "Forgot {} from the last run",
                count(left.len(), "unfinished transfer", "unfinished transfers")
            ));
            return self.save_queue_if_changed();
        }
        let jobs: Vec<_> = left.iter().map(|s| s.job(self.next_id())).collect();
        for j in &jobs {
            self.tasks.list.add(j.clone());
        }
        self.tasks.shown = true;
        self.info(format!(
            "Resuming {} from the last run",
            count(jobs.len(), "transfer", "transfers")
        ));
        let mut cmds = vec![Cmd::Transfer(TransferCmd::Enqueue(jobs))];
        cmds.extend(self.save_queue_if_changed());
        cmds
    }
}

/// The resume dialog's text.
pub fn describe(files: usize, dirs: usize, bytes: u64, failed: usize) -> String {
    let mut parts = Vec::new();
    if files > 0 {
        parts.push(format!(
            "{} ({})",
            count(files, "file", "files"),
            human_size(bytes)
        ));
    }
    if dirs > 0 {
        parts.push(count(dirs, "directory", "directories"));
    }
    let mut text = format!("The last run left {} unfinished", parts.join(" and "));
    if failed > 0 {
        text.push_str(&format!(" ({failed} of them failed)"));
    }
    text
}
