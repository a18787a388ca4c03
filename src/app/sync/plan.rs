//! The plan of a sync as a checklist: its rows, their ticks (kept consistent) and the filter.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use super::super::textfield::TextField;
use crate::sync::{Action, Reason, Seen};

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

    pub(super) fn is_dir_delete(&self) -> bool {
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

    pub(super) fn refilter(&mut self) {
        let needle = self.filter.text().to_lowercase();
        self.visible = (0..self.rows.len())
            .filter(|&i| {
                needle.is_empty() || self.rows[i].action.path().to_lowercase().contains(&needle)
            })
            .collect();
        self.cursor = self.cursor.min(self.visible.len().saturating_sub(1));
    }

    pub(super) fn move_by(&mut self, step: isize) {
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
