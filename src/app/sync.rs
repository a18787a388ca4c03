//! Synchronize (`F9`, `Ctrl-S`): the options, a scan of both directories as a task of the pool
//! (live counts, cancel with `x`), the plan as a checklist the user edits, and its run as
//! mkdir, copy and delete tasks. Nothing changes before `Enter` on the plan.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::dialog::Dialog;
use super::textfield::{FieldOutcome, TextField};
use super::{App, Cmd, ConnState, Side};
use crate::remote::path as rpath;
use crate::sync::{Action, Compare, Options, Reason, Seen};
use crate::transfer::{Direction, Job, JobId, Outcome, Resolution, Task, TransferCmd};
use crate::words::{count, human_size};

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

/// What counts as different, as the options dialog offers it.
pub const COMPARES: &[(Compare, &str)] = &[
    (Compare::SizeMtime, "size and time"),
    (Compare::Size, "size only"),
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

    fn cycle(&mut self, step: isize) {
        fn next<T: Copy + PartialEq>(all: &[T], now: T, step: isize) -> T {
            let i = all.iter().position(|x| *x == now).unwrap_or(0) as isize;
            all[(i + step).rem_euclid(all.len() as isize) as usize]
        }
        match self.field {
            Field::Way => self.way = next(&Way::ALL, self.way, step),
            Field::Compare => {
                let all: Vec<Compare> = COMPARES.iter().map(|(c, _)| *c).collect();
                self.compare = next(&all, self.compare, step);
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

/// What a row of the plan does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Download,
    Upload,
    MkdirLocal,
    MkdirRemote,
    DeleteLocal,
    DeleteRemote,
    Conflict,
}

impl Kind {
    /// The header's order.
    pub const ALL: [Kind; 7] = [
        Kind::Download,
        Kind::Upload,
        Kind::MkdirLocal,
        Kind::MkdirRemote,
        Kind::DeleteLocal,
        Kind::DeleteRemote,
        Kind::Conflict,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Kind::Download => "↓ download",
            Kind::Upload => "↑ upload",
            Kind::MkdirLocal => "+ mkdir local",
            Kind::MkdirRemote => "+ mkdir server",
            Kind::DeleteLocal => "✗ delete local",
            Kind::DeleteRemote => "✗ delete server",
            Kind::Conflict => "! conflict",
        }
    }

    pub fn is_delete(self) -> bool {
        matches!(self, Kind::DeleteLocal | Kind::DeleteRemote)
    }

    /// The kind of directory a row of this kind needs to be there first.
    fn needs(self) -> Option<Kind> {
        match self {
            Kind::Upload | Kind::MkdirRemote => Some(Kind::MkdirRemote),
            Kind::Download | Kind::MkdirLocal => Some(Kind::MkdirLocal),
            _ => None,
        }
    }

    fn of(action: &Action, upload: bool) -> Kind {
        match action {
            Action::Copy { to_dest, .. } if *to_dest == upload => Kind::Upload,
            Action::Copy { .. } => Kind::Download,
            Action::Mkdir { to_dest, .. } if *to_dest == upload => Kind::MkdirRemote,
            Action::Mkdir { .. } => Kind::MkdirLocal,
            Action::Delete { .. } if upload => Kind::DeleteRemote,
            Action::Delete { .. } => Kind::DeleteLocal,
            Action::Conflict { .. } => Kind::Conflict,
        }
    }
}

/// One action of the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub action: Action,
    pub kind: Kind,
    /// Runs on Enter (a conflict never does).
    pub ticked: bool,
}

impl Row {
    pub fn size(&self) -> u64 {
        match self.action {
            Action::Copy { size, .. } => size,
            _ => 0,
        }
    }

    fn is_dir_delete(&self) -> bool {
        matches!(self.action, Action::Delete { dir: true, .. })
    }

    /// Why the row is there, in a word or two.
    pub fn reason(&self) -> &'static str {
        match &self.action {
            Action::Copy { reason, .. } => match reason {
                Reason::Missing => "missing",
                Reason::SizeDiffers => "size differs",
                Reason::Newer => "newer",
                Reason::ChecksumDiffers => "checksum differs",
            },
            Action::Mkdir { .. } => "missing",
            Action::Delete { .. } => "not in source",
            Action::Conflict { .. } => "both changed; left alone",
        }
    }
}

/// Count and bytes of one kind: all of them, and the ticked ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tally {
    pub rows: usize,
    pub ticked: usize,
    pub bytes: u64,
    pub ticked_bytes: u64,
}

/// The plan, as a checklist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub rows: Vec<Row>,
    /// The rows the filter shows (indices into `rows`).
    pub visible: Vec<usize>,
    /// Cursor, an index into `visible`.
    pub cursor: usize,
    /// First visible row on screen.
    pub scroll: usize,
    pub filter: TextField,
    /// The filter has the keyboard.
    pub filtering: bool,
    /// The local tree is the source (also in both-ways mode).
    pub upload: bool,
    pub both: bool,
    pub local_root: PathBuf,
    pub remote_root: String,
    /// What each side holds.
    pub seen: (Seen, Seen),
    index: HashMap<(Kind, String), usize>,
}

impl Plan {
    pub fn new(
        actions: Vec<Action>,
        upload: bool,
        both: bool,
        local_root: PathBuf,
        remote_root: String,
        seen: (Seen, Seen),
    ) -> Plan {
        let rows: Vec<Row> = actions
            .into_iter()
            .map(|action| {
                let kind = Kind::of(&action, upload);
                Row {
                    action,
                    kind,
                    ticked: kind != Kind::Conflict,
                }
            })
            .collect();
        let index = rows
            .iter()
            .enumerate()
            .map(|(i, r)| ((r.kind, r.action.path().to_string()), i))
            .collect();
        let mut plan = Plan {
            visible: Vec::new(),
            rows,
            cursor: 0,
            scroll: 0,
            filter: TextField::default(),
            filtering: false,
            upload,
            both,
            local_root,
            remote_root,
            seen,
            index,
        };
        plan.refilter();
        plan
    }

    /// The row under the cursor.
    pub fn current(&self) -> Option<&Row> {
        self.visible.get(self.cursor).map(|&i| &self.rows[i])
    }

    pub fn tally(&self, kind: Kind) -> Tally {
        let mut t = Tally::default();
        for r in self.rows.iter().filter(|r| r.kind == kind) {
            t.rows += 1;
            t.bytes += r.size();
            if r.ticked {
                t.ticked += 1;
                t.ticked_bytes += r.size();
            }
        }
        t
    }

    /// Files and directories the ticked deletes remove.
    pub fn ticked_deletes(&self) -> (usize, usize) {
        let ticked = self.rows.iter().filter(|r| r.ticked && r.kind.is_delete());
        let dirs = ticked.clone().filter(|r| r.is_dir_delete()).count();
        (ticked.count() - dirs, dirs)
    }

    fn refilter(&mut self) {
        let needle = self.filter.text().to_lowercase();
        self.visible = (0..self.rows.len())
            .filter(|&i| {
                needle.is_empty() || self.rows[i].action.path().to_lowercase().contains(&needle)
            })
            .collect();
        self.cursor = self.cursor.min(self.visible.len().saturating_sub(1));
    }

    fn move_by(&mut self, step: isize) {
        let last = self.visible.len().saturating_sub(1) as isize;
        self.cursor = (self.cursor as isize + step).clamp(0, last.max(0)) as usize;
    }

    /// Keep the cursor on screen in a list `rows` high.
    pub fn scroll_to_cursor(&mut self, rows: usize) {
        let rows = rows.max(1);
        if self.cursor < self.scroll {
            self.scroll = self.cursor;
        } else if self.cursor >= self.scroll + rows {
            self.scroll = self.cursor + 1 - rows;
        }
    }

    /// Tick or untick the row under the cursor (what it depends on, or what depends on it,
    /// follows).
    pub fn toggle_current(&mut self) {
        let Some(&i) = self.visible.get(self.cursor) else {
            return;
        };
        if self.rows[i].kind == Kind::Conflict {
            return;
        }
        let on = !self.rows[i].ticked;
        self.rows[i].ticked = on;
        self.settle(on);
    }

    /// Tick every shown row of the current row's kind, or untick them all when all are ticked.
    pub fn toggle_kind(&mut self) {
        let Some(kind) = self.current().map(|r| r.kind) else {
            return;
        };
        if kind == Kind::Conflict {
            return;
        }
        let shown: Vec<usize> = self
            .visible
            .iter()
            .copied()
            .filter(|&i| self.rows[i].kind == kind)
            .collect();
        let on = shown.iter().any(|&i| !self.rows[i].ticked);
        for i in shown {
            self.rows[i].ticked = on;
        }
        self.settle(on);
    }

    /// Make the ticks consistent after a change to `on`: a ticked copy or directory has its
    /// parent directories made too, and a ticked directory delete takes everything in it;
    /// after unticking, what needs an unticked directory, and a directory delete that would
    /// take an unticked entry, are unticked.
    fn settle(&mut self, on: bool) {
        let ancestors = |path: &str| -> Vec<String> {
            let mut out = Vec::new();
            let mut p = path;
            while let Some(i) = p.rfind('/') {
                p = &p[..i];
                out.push(p.to_string());
            }
            out
        };
        if on {
            let mut tick = Vec::new();
            let dir_deletes: HashSet<(Kind, String)> = self
                .rows
                .iter()
                .filter(|r| r.ticked && r.is_dir_delete())
                .map(|r| (r.kind, r.action.path().to_string()))
                .collect();
            for (i, r) in self.rows.iter().enumerate() {
                let path = r.action.path();
                if r.ticked {
                    if let Some(dir) = r.kind.needs() {
                        for a in ancestors(path) {
                            if let Some(&j) = self.index.get(&(dir, a)) {
                                tick.push(j);
                            }
                        }
                    }
                } else if r.kind.is_delete()
                    && ancestors(path)
                        .into_iter()
                        .any(|a| dir_deletes.contains(&(r.kind, a)))
                {
                    tick.push(i);
                }
            }
            for j in tick {
                self.rows[j].ticked = true;
            }
        } else {
            let mut untick = Vec::new();
            let off_dirs: HashSet<(Kind, String)> = self
                .rows
                .iter()
                .filter(|r| !r.ticked && matches!(r.kind, Kind::MkdirLocal | Kind::MkdirRemote))
                .map(|r| (r.kind, r.action.path().to_string()))
                .collect();
            for (i, r) in self.rows.iter().enumerate() {
                let path = r.action.path();
                if r.ticked {
                    if let Some(dir) = r.kind.needs() {
                        if ancestors(path)
                            .into_iter()
                            .any(|a| off_dirs.contains(&(dir, a)))
                        {
                            untick.push(i);
                        }
                    }
                } else if r.kind.is_delete() {
                    for a in ancestors(path) {
                        if let Some(&j) = self.index.get(&(r.kind, a)) {
                            untick.push(j);
                        }
                    }
                }
            }
            for j in untick {
                self.rows[j].ticked = false;
            }
        }
    }
}

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
    pub(super) fn open_sync(&mut self) {
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
        });
        self.dialogs.show(Dialog::SyncOptions);
    }

    pub(super) fn on_sync_options_key(&mut self, key: KeyEvent) -> Vec<Cmd> {
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
    pub(super) fn open_plan(&mut self, job: &Job, actions: Vec<Action>, seen: (Seen, Seen)) {
        if self.sync.scanning == Some(job.id) {
            self.sync.scanning = None;
        }
        let Some(Task::SyncScan { options, upload }) = job.task() else {
            return;
        };
        let sides = format!("here {}; on the server {}", seen.0.words(), seen.1.words());
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
    pub(super) fn sync_scan_ended(&mut self, id: JobId, outcome: &Outcome) {
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

    pub(super) fn on_sync_plan_key(&mut self, key: KeyEvent) -> Vec<Cmd> {
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

    /// Enter on the plan: deletes are confirmed once more, naming how many.
    fn confirm_plan(&mut self) -> Vec<Cmd> {
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

    pub(super) fn on_confirm_sync_delete_key(&mut self, key: KeyEvent) -> Vec<Cmd> {
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
                    later.push(Job {
                        on_exists: Some(Resolution::Overwrite),
                        size: Some(r.size()),
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
    pub(super) fn on_sync_step(&mut self, id: JobId, outcome: &Outcome) -> Vec<Cmd> {
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
