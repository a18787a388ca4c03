//! Compare mode: mark what differs between the two panes' directories.

use std::collections::HashMap;

use super::App;
use super::pane::{Mark, Pane};
use crate::entry::{Entry, EntryKind};

/// Timestamps within this many seconds count as equal (FTP servers often list minutes only).
const SAME_TIME_SLACK: i64 = 60;

impl App {
    pub(super) fn toggle_compare(&mut self) {
        self.browse.compare_on = !self.browse.compare_on;
        if self.browse.compare_on {
            self.refresh_compare();
            let (l, r) = (
                self.browse.local.marks.len(),
                self.browse.remote.marks.len(),
            );
            self.info(format!(
                "Compare: {} and {} differ (+ only here, ≠ size differs, > newer) · = to stop",
                crate::words::count(l, "local entry", "local entries"),
                crate::words::count(r, "remote entry", "remote entries")
            ));
        } else {
            self.browse.local.marks.clear();
            self.browse.remote.marks.clear();
            self.info("Compare off");
        }
    }

    /// Recompute the marks after either listing changed (when compare mode is on).
    pub(super) fn refresh_compare(&mut self) {
        if !self.browse.compare_on {
            return;
        }
        self.browse.local.marks = marks(&self.browse.local, &self.browse.remote);
        self.browse.remote.marks = marks(&self.browse.remote, &self.browse.local);
    }
}

fn marks(this: &Pane, other: &Pane) -> HashMap<String, Mark> {
    let theirs: HashMap<&str, &Entry> =
        other.entries.iter().map(|e| (e.name.as_str(), e)).collect();
    this.entries
        .iter()
        .filter_map(|e| {
            let mark = match theirs.get(e.name.as_str()) {
                None => Mark::OnlyHere,
                Some(o) if e.kind == EntryKind::Dir || o.kind == EntryKind::Dir => return None,
                Some(o) if e.size != o.size => Mark::Differs,
                Some(o) => match (e.mtime, o.mtime) {
                    (Some(a), Some(b)) if a > b.saturating_add(SAME_TIME_SLACK) => Mark::Newer,
                    _ => return None,
                },
            };
            Some((e.name.clone(), mark))
        })
        .collect()
}
