//! File operations on either pane with the same keys: new directory, rename, delete,
//! permissions, view and edit. The work runs in the workers; this tracks the one in progress.

use std::path::PathBuf;

use super::dialog::{Dialog, InputPurpose};
use super::textfield::TextField;
use super::viewer::Viewer;
use super::{App, Cmd, ConnState, Side};
use crate::entry::EntryKind;
use crate::local::LocalCmd;
use crate::localops::{LocalOp, OpOutput};
use crate::remote::fileops::{Changed, RemoteOp};
use crate::remote::{RemoteCmd, RemoteError};
use crate::sanitize::local_component;
use crate::transfer::{Job, Task};
use crate::words::{NAME_CHARS, short, short_words};

/// The short file operation in progress (one at a time), and the scratch files of edits.
#[derive(Debug)]
pub struct Files {
    pub op: Option<PendingOp>,
    /// A permissions change waiting for the listing that shows its result.
    pub(super) chmod_check: Option<super::chmod::ChmodCheck>,
    /// Edited remote files (scratch copy) and their kept copy in the state directory, until
    /// the edit reaches the server.
    pub kept_edits: std::collections::HashMap<PathBuf, PathBuf>,
    /// Where fetched remote files go for editing.
    pub temp_dir: PathBuf,
    /// Tells this run's temp files apart from another instance's.
    pub session_tag: String,
}

impl Default for Files {
    fn default() -> Self {
        Files {
            op: None,
            chmod_check: None,
            kept_edits: Default::default(),
            temp_dir: std::env::temp_dir(),
            session_tag: std::process::id().to_string(),
        }
    }
}

/// Bytes the viewer reads at most.
pub const VIEW_MAX: u64 = 4 * 1024 * 1024;
/// Size of a remote file that F4 agrees to edit.
pub const EDIT_MAX: u64 = 64 * 1024 * 1024;

/// What happens when the operation in progress ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AfterOp {
    /// Refresh the pane, cursor on this name.
    Refresh(Option<String>),
    /// A rename: refresh with the cursor on `to`; if `to` turned out to exist, ask.
    Rename { from: String, to: String },
    /// Open the viewer on these bytes (local read done).
    View { title: String },
    /// Permissions were changed: refresh, then compare what the listing shows with `asked`.
    CheckChmod { name: String, asked: u32 },
}

/// The file operation in progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingOp {
    pub id: u64,
    pub side: Side,
    pub what: String,
    pub after: AfterOp,
}

impl App {
    pub(super) fn target_path(&self, side: Side, name: &str) -> String {
        super::browse::child_path(side, &self.pane(side).dir, name)
    }

    pub(super) fn busy(&mut self) -> bool {
        if let Some(op) = &self.files.op {
            let what = op.what.clone();
            self.info(format!("Still busy: {what}"));
            return true;
        }
        false
    }

    pub(super) fn remote_ready(&mut self, side: Side) -> bool {
        if side == Side::Remote && self.server.conn != ConnState::Connected {
            self.error("Not connected — press r to reconnect");
            return false;
        }
        !self.pane(side).dir.is_empty()
    }

    pub(super) fn ask_mkdir(&mut self) {
        let side = self.browse.focus;
        if self.remote_ready(side) {
            self.dialogs.show(Dialog::Input {
                side,
                purpose: InputPurpose::Mkdir,
                input: Default::default(),
            });
        }
    }

    pub(super) fn ask_rename(&mut self) {
        let side = self.browse.focus;
        let Some(name) = self.pane(side).current_name() else {
            return;
        };
        if self.remote_ready(side) {
            self.dialogs.show(Dialog::Input {
                side,
                purpose: InputPurpose::Rename { from: name.clone() },
                input: TextField::new(name),
            });
        }
    }

    pub(super) fn ask_chmod(&mut self) {
        let side = self.browse.focus;
        let Some(entry) = self.pane(side).current().cloned() else {
            return;
        };
        if self.remote_ready(side) {
            let current = entry.perms.clone().unwrap_or_default();
            let recursive = (side == Side::Remote && entry.kind == EntryKind::Dir).then_some(false);
            self.dialogs.show(Dialog::Input {
                side,
                purpose: InputPurpose::Chmod {
                    name: entry.name,
                    recursive,
                },
                input: TextField::new(current),
            });
        }
    }

    pub(super) fn ask_delete(&mut self) {
        let side = self.browse.focus;
        let targets: Vec<(String, bool)> = self
            .pane(side)
            .targets()
            .into_iter()
            .filter(|e| e.kind != EntryKind::Unknown)
            .map(|e| (e.name.clone(), e.kind == EntryKind::Dir))
            .collect();
        if targets.is_empty() || !self.remote_ready(side) {
            return;
        }
        self.dialogs.show(Dialog::ConfirmDelete { side, targets });
    }

    /// The input dialog was submitted.
    pub(super) fn on_input(&mut self, side: Side, purpose: InputPurpose, text: String) -> Vec<Cmd> {
        if self.busy() {
            return vec![];
        }
        let text = text.trim().to_string();
        match purpose {
            InputPurpose::Mkdir | InputPurpose::Rename { .. } => {
                if let Err(e) = local_component(&text) {
                    self.error(format!("Not a valid name: {e}"));
                    return vec![];
                }
                // Servers differ (some replace an existing file on rename without a word):
                // never replace a name the directory already has without asking.
                let unchanged = matches!(&purpose, InputPurpose::Rename { from } if *from == text);
                let existing = self.pane(side).entries.iter().find(|e| e.name == text);
                match (existing.map(|e| e.kind), &purpose) {
                    (None, _) => {}
                    _ if unchanged => {}
                    (Some(EntryKind::File | EntryKind::Symlink), InputPurpose::Rename { from }) => {
                        self.dialogs.show(Dialog::ConfirmReplace {
                            side,
                            from: from.clone(),
                            to: text,
                        });
                        return vec![];
                    }
                    _ => {
                        self.error(format!("{} already exists here", short(&text)));
                        return vec![];
                    }
                }
            }
            InputPurpose::Chmod { .. } => {}
        }
        match purpose {
            InputPurpose::Mkdir => {
                let path = self.target_path(side, &text);
                let what = format!("creating {}", short(&text));
                let after = AfterOp::Refresh(Some(text));
                match side {
                    Side::Local => {
                        self.start_local(LocalOp::Mkdir { path: path.into() }, what, after)
                    }
                    Side::Remote => self.start_remote(RemoteOp::Mkdir { path }, what, after),
                }
            }
            InputPurpose::Rename { from } => {
                if from == text {
                    return vec![];
                }
                self.rename(side, from, text, false)
            }
            InputPurpose::Chmod { name, recursive } => {
                self.start_chmod(side, name, &text, recursive == Some(true))
            }
        }
    }

    /// Rename `from` to `to` in `side`'s directory; without `overwrite` an existing `to` (also
    /// one the listing does not show) is never replaced: the user is asked.
    pub(super) fn rename(
        &mut self,
        side: Side,
        from: String,
        to: String,
        overwrite: bool,
    ) -> Vec<Cmd> {
        if self.busy() {
            return vec![];
        }
        let (src, dst) = (self.target_path(side, &from), self.target_path(side, &to));
        let what = format!("renaming {}", short(&from));
        let after = AfterOp::Rename { from, to };
        match side {
            Side::Local => self.start_local(
                LocalOp::Rename {
                    from: src.into(),
                    to: dst.into(),
                    overwrite,
                },
                what,
                after,
            ),
            Side::Remote => self.start_remote(
                RemoteOp::Rename {
                    from: src,
                    to: dst,
                    overwrite,
                },
                what,
                after,
            ),
        }
    }

    pub(super) fn confirm_delete(&mut self, side: Side, targets: Vec<(String, bool)>) -> Vec<Cmd> {
        self.pane_mut(side).selected.clear();
        // Deletes run as tasks, not as the one file operation: nothing to wait for. One task per entry: each shows its progress and can be cancelled alone.
        let jobs = targets
            .iter()
            .map(|(n, d)| {
                let id = self.next_id();
                let path = self.target_path(side, n);
                match side {
                    Side::Local => Job::local_task(id, Task::Delete, path, *d),
                    Side::Remote => Job::remote_task(id, Task::Delete, path, *d),
                }
            })
            .collect();
        self.start_tasks(jobs)
    }

    pub(super) fn start_local(&mut self, op: LocalOp, what: String, after: AfterOp) -> Vec<Cmd> {
        let id = self.next_id();
        self.info(format!("{}…", capitalize(&what)));
        self.files.op = Some(PendingOp {
            id,
            side: Side::Local,
            what,
            after,
        });
        vec![Cmd::Local(LocalCmd::Op { id, op })]
    }

    pub(super) fn start_remote(&mut self, op: RemoteOp, what: String, after: AfterOp) -> Vec<Cmd> {
        let id = self.next_id();
        self.info(format!("{}…", capitalize(&what)));
        self.files.op = Some(PendingOp {
            id,
            side: Side::Remote,
            what,
            after,
        });
        vec![Cmd::Remote(RemoteCmd::Op { id, op })]
    }

    pub(super) fn on_remote_op_done(
        &mut self,
        id: u64,
        result: Result<crate::remote::fileops::Changed, RemoteError>,
    ) -> Vec<Cmd> {
        if let (Err(RemoteError::Exists { dir: false, .. }), Some(op)) = (&result, &self.files.op) {
            if let (true, AfterOp::Rename { from, to }) = (op.id == id, &op.after) {
                // A file the listing did not show (a dotfile on vsftpd): ask before replacing.
                self.dialogs.show(Dialog::ConfirmReplace {
                    side: Side::Remote,
                    from: from.clone(),
                    to: to.clone(),
                });
                self.files.op = None;
                self.info("That name exists on the server");
                return vec![];
            }
        }
        let result = result
            .map(|c| match c {
                Changed::Created { path } => OpOutput::Created(path.into()),
                Changed::Renamed { to } => OpOutput::Renamed(to.into()),
                Changed::ModeSet { mode } => OpOutput::ModeSet(mode),
            })
            .map_err(|e| {
                if e.is_connection_lost() {
                    self.server.conn = ConnState::Error(e.to_string());
                }
                e.to_string()
            });
        self.on_op_done(id, result)
    }

    pub(super) fn on_op_done(&mut self, id: u64, result: Result<OpOutput, String>) -> Vec<Cmd> {
        let Some(op) = self.files.op.take_if(|o| o.id == id) else {
            return vec![];
        };
        let output = match result {
            Ok(o) => o,
            Err(e) => {
                // The reason first: a long name must not push it off the status line.
                self.error(format!("{} ({})", short_words(&e, NAME_CHARS), op.what));
                // A partly done delete changed the directory too.
                let dir = self.pane(op.side).dir.clone();
                let keep = self.pane(op.side).current_name();
                return self.request(op.side, dir, keep);
            }
        };
        let output_text = output.to_string();
        match (op.after, output) {
            (AfterOp::Rename { to, .. }, OpOutput::Renamed(_)) => {
                self.info(output_text);
                let dir = self.pane(op.side).dir.clone();
                self.request(op.side, dir, Some(to))
            }
            (AfterOp::Refresh(select), _) => {
                self.info(output_text);
                let dir = self.pane(op.side).dir.clone();
                let keep = select.or_else(|| self.pane(op.side).current_name());
                self.request(op.side, dir, keep)
            }
            (AfterOp::CheckChmod { name, asked }, OpOutput::ModeSet(_)) => {
                self.chmod_accepted(op.side, name, asked)
            }
            (AfterOp::View { title }, OpOutput::Bytes(bytes)) => {
                let truncated = bytes.len() as u64 >= VIEW_MAX;
                self.viewer = Some(Viewer::new(title, &bytes, truncated));
                self.info(format!("Viewer: {}", self.keymap.viewer_hint()));
                vec![]
            }
            (_, _) => vec![],
        }
    }
}

pub(super) fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
