//! Synchronize (`F9`, `Ctrl-S`): the options, a scan of both directories as a task of the pool
//! (live counts, cancel with `x`), the plan as a checklist the user edits ([`plan`]), and its
//! run as mkdir, copy and delete tasks ([`run`]). Nothing changes before `Enter` on the plan.

mod plan;
mod run;

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

pub use plan::{Kind, Plan, Row, Tally};
pub use run::SyncRun;

use super::dialog::Dialog;
use super::textfield::{FieldOutcome, TextField};
use super::{App, Cmd, ConnState, Side};
use crate::sync::{Action, Compare, Options, Seen};
use crate::transfer::{Job, JobId, Outcome, Task, TransferCmd};
use crate::words::count;

/// Which way a sync goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Way {
    /// Make the server like the local directory.
    Upload,
    /// Make the local directory like the server.
    Download,
    /// Both ways: the newer copy wins, nothing is deleted.
    Both,
}

impl Way {
    pub const ALL: [Way; 3] = [Way::Upload, Way::Download, Way::Both];

    pub fn label(self) -> &'static str {
        match self {
            Way::Upload => "local → server",
            Way::Download => "server → local",
            Way::Both => "both ways (newer wins, nothing is deleted)",
        }
    }
}

/// What counts as different, as the options dialog offers it (checksum only where the server
/// computes them).
pub const COMPARES: &[(Compare, &str)] = &[
    (Compare::SizeMtime, "size and time"),
    (Compare::Size, "size only"),
    (Compare::Checksum, "checksum"),
];

/// The fields of the options dialog, in Tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Way,
    Compare,
    Delete,
    Exclude,
}

/// The options dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncForm {
    pub local: String,
    pub remote: String,
    pub way: Way,
    pub compare: Compare,
    pub delete: bool,
    /// Exclude patterns, one per line (the config's to start with).
    pub exclude: Vec<TextField>,
    /// The exclude line being edited.
    pub line: usize,
    pub field: Field,
    /// How the server computes checksums (`SHA-256 by HASH`); `None`: it does not, and
    /// checksum is not offered.
    pub checksum: Option<String>,
}

impl SyncForm {
    /// The patterns typed (blank lines left out).
    pub fn patterns(&self) -> Vec<String> {
        self.exclude
            .iter()
            .map(|f| f.text().trim().to_string())
            .filter(|p| !p.is_empty())
            .collect()
    }

    /// The comparisons this server allows.
    pub fn compares(&self) -> Vec<Compare> {
        COMPARES
            .iter()
            .map(|(c, _)| *c)
            .filter(|c| *c != Compare::Checksum || self.checksum.is_some())
            .collect()
    }

    /// The chosen comparison in words.
    pub fn compare_label(&self) -> String {
        let name = COMPARES
            .iter()
            .find(|(c, _)| *c == self.compare)
            .map_or("?", |(_, l)| l);
        match (&self.compare, &self.checksum) {
            (Compare::Checksum, Some(how)) => format!("{name} ({how})"),
            _ => name.to_string(),
        }
    }

    fn cycle(&mut self, step: isize) {
        fn next<T: Copy + PartialEq>(all: &[T], now: T, step: isize) -> T {
            let i = all.iter().position(|x| *x == now).unwrap_or(0) as isize;
            all[(i + step).rem_euclid(all.len() as isize) as usize]
        }
        match self.field {
            Field::Way => self.way = next(&Way::ALL, self.way, step),
            Field::Compare => {
                self.compare = next(&self.compares(), self.compare, step);
            }
            Field::Delete => self.delete = !self.delete,
            Field::Exclude => {}
        }
    }

    fn move_field(&mut self, step: isize) {
        const ORDER: [Field; 4] = [Field::Way, Field::Compare, Field::Delete, Field::Exclude];
        let i = ORDER.iter().position(|f| *f == self.field).unwrap_or(0) as isize;
        self.field = ORDER[(i + step).rem_euclid(4) as usize];
        if self.field == Field::Delete && self.way == Way::Both {
            // Both ways never deletes: nothing to set there.
            self.field = ORDER[(i + 2 * step).rem_euclid(4) as usize];
        }
    }
}

/// Synchronize's state.
#[derive(Debug, Default)]
pub struct SyncPart {
    /// The options dialog.
    pub form: Option<SyncForm>,
    /// The scan running as a task.
    pub scanning: Option<JobId>,
    /// The plan dialog.
    pub plan: Option<Plan>,
    pub run: Option<SyncRun>,
    /// From the config.
    pub exclude: Vec<String>,
    pub mtime_tolerance: i64,
}

impl App {
    /// F9: the options for synchronising the two panes' directories.
    pub(in crate::app) fn open_sync(&mut self) {
        if self.server.conn != ConnState::Connected || self.browse.remote.dir.is_empty() {
            self.error("Synchronize needs a server: connect first (b bookmarks, o quick connect)");
            return;
        }
        if self.sync.scanning.is_some() {
            self.error("A sync scan is running (task panel: t; x cancels it)");
            return;
        }
        if self.sync.run.is_some() {
            self.error("A sync is running; wait for it to end (task panel: t)");
            return;
        }
        let mut exclude: Vec<TextField> = self.sync.exclude.iter().map(TextField::new).collect();
        exclude.push(TextField::default());
        self.sync.form = Some(SyncForm {
            local: self.browse.local.dir.clone(),
            remote: self.browse.remote.dir.clone(),
            way: if self.browse.focus == Side::Remote {
                Way::Download
            } else {
                Way::Upload
            },
            compare: Compare::SizeMtime,
            delete: false,
            exclude,
            line: 0,
            field: Field::Way,
            checksum: self.server.checksum.clone(),
        });
        self.dialogs.show(Dialog::SyncOptions);
    }

    pub(in crate::app) fn on_sync_options_key(&mut self, key: KeyEvent) -> Vec<Cmd> {
        let Some(form) = self.sync.form.as_mut() else {
            self.dialogs.close();
            return vec![];
        };
        let shift_tab = key.code == KeyCode::BackTab
            || (key.code == KeyCode::Tab && key.modifiers.contains(KeyModifiers::SHIFT));
        match key.code {
            KeyCode::Esc => {
                self.sync.form = None;
                self.dialogs.close();
                self.info("Synchronize cancelled; nothing changed");
                return vec![];
            }
            KeyCode::Enter => return self.start_sync_scan(),
            _ if shift_tab => form.move_field(-1),
            KeyCode::Tab => form.move_field(1),
            KeyCode::Up if form.field == Field::Exclude && form.line > 0 => form.line -= 1,
            KeyCode::Up => form.move_field(-1),
            KeyCode::Down if form.field == Field::Exclude => {
                if form.line + 1 < form.exclude.len() {
                    form.line += 1;
                } else if !form.exclude[form.line].text().trim().is_empty() {
                    form.exclude.push(TextField::default());
                    form.line += 1;
                }
            }
            KeyCode::Down => {
                form.move_field(1);
                if form.field == Field::Exclude {
                    form.line = 0;
                }
            }
            KeyCode::Left if form.field != Field::Exclude => form.cycle(-1),
            KeyCode::Right | KeyCode::Char(' ') if form.field != Field::Exclude => form.cycle(1),
            KeyCode::Backspace
                if form.field == Field::Exclude
                    && form.exclude[form.line].text().is_empty()
                    && form.exclude.len() > 1 =>
            {
                form.exclude.remove(form.line);
                form.line = form.line.saturating_sub(1);
            }
            _ if form.field == Field::Exclude => {
                // Enter and Esc are the dialog's (above); the rest edits the line.
                let _: FieldOutcome = form.exclude[form.line].on_key(&key);
            }
            _ => {}
        }
        vec![]
    }

    /// Scan both directories as a task; the plan opens when it is ready.
    fn start_sync_scan(&mut self) -> Vec<Cmd> {
        let Some(form) = self.sync.form.take() else {
            return vec![];
        };
        self.dialogs.close();
        let both = form.way == Way::Both;
        let options = Options {
            compare: form.compare,
            mtime_tolerance: self.sync.mtime_tolerance,
            delete: form.delete && !both,
            both,
            exclude: form.patterns(),
        };
        let upload = form.way != Way::Download;
        let id = self.next_id();
        let job = Job {
            local: PathBuf::from(&form.local),
            ..Job::remote_task(id, Task::SyncScan { options, upload }, form.remote, true)
        };
        self.sync.scanning = Some(id);
        self.tasks.list.add(job.clone());
        self.tasks.shown = true;
        self.info("Scanning both directories… (task panel: t; x cancels; nothing changes yet)");
        vec![Cmd::Transfer(TransferCmd::Enqueue(vec![job]))]
    }

    /// The scan ended with a plan: show it (or say there is nothing to do).
    pub(in crate::app) fn open_plan(
        &mut self,
        job: &Job,
        actions: Vec<Action>,
        seen: (Seen, Seen),
        unhashed: u64,
    ) {
        if self.sync.scanning == Some(job.id) {
            self.sync.scanning = None;
        }
        let Some(Task::SyncScan { options, upload }) = job.task() else {
            return;
        };
        let mut sides = format!("here {}; on the server {}", seen.0.words(), seen.1.words());
        if unhashed > 0 {
            sides.push_str(&format!(
                "; {} without a checksum, compared by size and time",
                count(unhashed as usize, "file", "files")
            ));
        }
        if actions.is_empty() {
            self.info(format!("Already in step: nothing to do ({sides})"));
            return;
        }
        let plan = Plan::new(
            actions,
            *upload,
            options.both,
            job.local.clone(),
            job.remote.clone(),
            seen,
        );
        self.info(format!(
            "The plan: {}; nothing changes before Enter ({sides})",
            count(plan.rows.len(), "action", "actions")
        ));
        self.sync.plan = Some(plan);
        self.dialogs.push(Dialog::SyncPlan);
    }

    /// The scan did not end with a plan.
    pub(in crate::app) fn sync_scan_ended(&mut self, id: JobId, outcome: &Outcome) {
        if self.sync.scanning != Some(id) {
            return;
        }
        self.sync.scanning = None;
        match outcome {
            Outcome::Cancelled => self.info("Sync scan cancelled; nothing changed"),
            Outcome::Failed { error } => self.error(format!(
                "Sync scan failed: {} — nothing changed",
                crate::words::short_words(&error.to_string(), 120)
            )),
            _ => {}
        }
    }

    pub(in crate::app) fn on_sync_plan_key(&mut self, key: KeyEvent) -> Vec<Cmd> {
        let rows = self.plan_rows();
        let Some(plan) = self.sync.plan.as_mut() else {
            self.dialogs.close();
            return vec![];
        };
        if plan.filtering {
            match key.code {
                KeyCode::Esc => {
                    plan.filter = TextField::default();
                    plan.filtering = false;
                    plan.refilter();
                }
                KeyCode::Enter | KeyCode::Down | KeyCode::Up => plan.filtering = false,
                _ => {
                    plan.filter.on_key(&key);
                    plan.cursor = 0;
                    plan.refilter();
                }
            }
            plan.scroll_to_cursor(rows);
            return vec![];
        }
        match key.code {
            KeyCode::Esc if !plan.filter.text().is_empty() => {
                // The first Esc clears the filter, the next drops the plan.
                plan.filter = TextField::default();
                plan.refilter();
            }
            KeyCode::Esc => {
                self.sync.plan = None;
                self.dialogs.close();
                self.info("Plan dropped; nothing changed");
                return vec![];
            }
            KeyCode::Enter => return self.confirm_plan(),
            KeyCode::Char(' ') | KeyCode::Insert => {
                plan.toggle_current();
                plan.move_by(1);
            }
            KeyCode::Char('a') => plan.toggle_kind(),
            KeyCode::Char('/') => plan.filtering = true,
            KeyCode::Up | KeyCode::Char('k') => plan.move_by(-1),
            KeyCode::Down | KeyCode::Char('j') => plan.move_by(1),
            KeyCode::PageUp => plan.move_by(-(rows as isize)),
            KeyCode::PageDown => plan.move_by(rows as isize),
            KeyCode::Home | KeyCode::Char('g') => plan.cursor = 0,
            KeyCode::End | KeyCode::Char('G') => plan.move_by(isize::MAX / 2),
            _ => {}
        }
        plan.scroll_to_cursor(rows);
        vec![]
    }

    /// Rows of the plan list on screen (the dialog's frame, header, filter and hint aside).
    pub fn plan_rows(&self) -> usize {
        crate::layout::sync_plan_rows(self.screen.height)
    }
}
