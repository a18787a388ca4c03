//! Looking into files: the viewer (F3), editing (F4) and directory sizes. Remote reads run as
//! tasks of the pool (one fetch straight into memory for the viewer, a copy for the editor);
//! nothing here waits on the browsing connection.

use std::path::PathBuf;

use super::dialog::Dialog;
use super::fileops::{AfterOp, EDIT_MAX, VIEW_MAX};
use super::{App, Cmd, Side};
use crate::entry::EntryKind;
use crate::local::LocalCmd;
use crate::localops::LocalOp;
use crate::sanitize::display_name;
use crate::transfer::{Job, Task};

impl App {
    /// Ctrl-Space: measure the remote directory under the cursor, as a task.
    pub(super) fn measure_current(&mut self) -> Vec<Cmd> {
        let side = self.browse.focus;
        let Some(entry) = self.pane(side).current().cloned() else {
            return vec![];
        };
        if entry.kind != EntryKind::Dir || entry.name == ".." {
            self.info("Ctrl-Space measures a directory: put the cursor on one");
            return vec![];
        }
        if !self.remote_ready(side) {
            return vec![];
        }
        let path = self.target_path(side, &entry.name);
        let id = self.next_id();
        self.start_tasks(vec![match side {
            Side::Local => Job::local_task(id, Task::Size, path, true),
            Side::Remote => Job::remote_task(id, Task::Size, path, true),
        }])
    }

    /// F3: a read-only viewer (text, or hex for binary); remote files are fetched first.
    pub(super) fn view_current(&mut self) -> Vec<Cmd> {
        let side = self.browse.focus;
        let Some(entry) = self.pane(side).current().cloned() else {
            return vec![];
        };
        if entry.kind == EntryKind::Dir {
            return self.open_current();
        }
        if self.busy() || !self.remote_ready(side) {
            return vec![];
        }
        let path = self.target_path(side, &entry.name);
        let title = display_name(&path);
        match side {
            Side::Local => self.start_local(
                LocalOp::Read {
                    path: path.into(),
                    max_bytes: VIEW_MAX,
                },
                format!("reading {title}"),
                AfterOp::View { title },
            ),
            // Streamed once into memory on a connection of its own: no temporary file.
            Side::Remote => self.start_task(
                crate::transfer::Task::View {
                    max_bytes: VIEW_MAX,
                },
                path,
                false,
            ),
        }
    }

    /// F4: edit in $EDITOR; a remote file is downloaded first and uploaded back if changed.
    pub(super) fn edit_current(&mut self) -> Vec<Cmd> {
        let side = self.browse.focus;
        let Some(entry) = self.pane(side).current().cloned() else {
            return vec![];
        };
        if entry.kind == EntryKind::Dir || self.busy() || !self.remote_ready(side) {
            return vec![];
        }
        let path = self.target_path(side, &entry.name);
        match side {
            Side::Local => vec![Cmd::Edit {
                path: path.into(),
                remote: None,
            }],
            Side::Remote => {
                if entry.size.is_some_and(|s| s > EDIT_MAX) {
                    self.error("That file is too big to edit here (64 MiB at most)");
                    return vec![];
                }
                let tmp = self.temp_file(&entry.name);
                self.start_edit_fetch(path, tmp)
            }
        }
    }

    /// The editor closed; `changed` says whether the file differs from before.
    pub(super) fn on_edited(
        &mut self,
        path: PathBuf,
        remote: Option<String>,
        changed: bool,
        error: Option<String>,
    ) -> Vec<Cmd> {
        if let Some(e) = error {
            self.error(format!("Editor: {e}"));
            return vec![];
        }
        match (remote, changed) {
            (None, true) => {
                self.info("Saved");
                let keep = self.browse.local.current_name();
                let dir = self.browse.local.dir.clone();
                self.request(Side::Local, dir, keep)
            }
            (None, false) | (Some(_), false) => {
                self.info("No changes");
                vec![]
            }
            (Some(remote), true) => {
                // Kept outside the temp dir at once: whatever happens next, the edit survives.
                let keep = Cmd::Local(LocalCmd::KeepEdit {
                    path: path.clone(),
                    remote: remote.clone(),
                });
                self.dialogs.show(Dialog::ConfirmUpload {
                    local: path,
                    remote,
                });
                vec![keep]
            }
        }
    }

    /// "Not uploaded": where the edit is kept.
    pub(super) fn keep_edit_message(&mut self, local: &std::path::Path) {
        match self.files.kept_edits.get(local) {
            Some(kept) => {
                let kept = kept.display().to_string();
                self.info(format!("Not uploaded; your edit is kept in {kept}"));
            }
            None => self.info(format!(
                "Not uploaded; your edit is being kept in {}",
                crate::safety::kept::kept_dir()
                    .map(|d| d.display().to_string())
                    .unwrap_or_else(|| local.display().to_string())
            )),
        }
    }

    fn temp_file(&mut self, name: &str) -> PathBuf {
        let safe = crate::sanitize::file_name_part(name);
        let id = self.next_id();
        self.files
            .temp_dir
            .join(format!("ftpdeck-{}-{id}-{safe}", self.files.session_tag))
    }
}
