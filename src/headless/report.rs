//! What a headless command says: a line per finished file on stderr (or nothing with
//! `--quiet` but errors), and a summary last — as JSON on stdout with `--json`.

use std::io::Write;

use super::Common;
use crate::transfer::{Direction, Job, Outcome};
use crate::words::human_size;

/// What a run came to.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Summary {
    pub copied: u64,
    pub skipped: u64,
    pub deleted: u64,
    /// One line per failed item: its path and why.
    pub failed: Vec<String>,
    pub bytes: u64,
    pub secs: f64,
    /// Copied files checked against the server's digest.
    pub verified: u64,
}

impl Summary {
    pub fn count(&mut self, job: &Job, outcome: &Outcome) {
        match outcome {
            Outcome::Done {
                bytes, verified, ..
            } => {
                self.copied += 1;
                self.bytes += bytes;
                self.verified += u64::from(verified.is_some());
            }
            Outcome::Skipped { .. } => self.skipped += 1,
            Outcome::Deleted { entries } => self.deleted += entries,
            Outcome::Failed { error } => self.failed.push(format!("{}: {error}", path(job))),
            Outcome::Cancelled => {
                self.failed.push(format!("{}: cancelled", path(job)));
            }
            _ => {}
        }
    }

    /// `3 copied, 1 skipped, 0 deleted, 0 failed, 1.2 MiB in 0.4 s`.
    pub fn line(&self) -> String {
        format!(
            "{} copied, {} skipped, {} deleted, {} failed, {} in {:.1} s",
            self.copied,
            self.skipped,
            self.deleted,
            self.failed.len(),
            human_size(self.bytes),
            self.secs
        )
    }
}

fn path(job: &Job) -> String {
    match job.direction {
        Direction::Download => crate::sanitize::display_name(&job.remote),
        Direction::Upload => crate::sanitize::display_name(&job.local.to_string_lossy()),
    }
}

/// Says things on stderr as the run goes: on a terminal a live line (a bar, files and bytes
/// done of all, speed, time left), elsewhere only the finished files.
pub struct Reporter {
    quiet: bool,
    json: bool,
    /// stderr is a terminal: keep a live status line at the bottom.
    live: bool,
    /// Bytes of each running file, and what finished files moved.
    running: std::collections::HashMap<u64, u64>,
    finished_bytes: u64,
    files_done: u64,
    /// Files to copy and their bytes, as far as known; directories still being read.
    files_total: u64,
    bytes_total: u64,
    /// Directory jobs whose entries have not come yet.
    unread: std::collections::HashSet<u64>,
    /// Files whose size comes with their first progress.
    size_unknown: std::collections::HashSet<u64>,
    started: std::time::Instant,
    last_draw: Option<std::time::Instant>,
    /// The live line is on screen (erase it before printing a line).
    shown: bool,
}

impl Reporter {
    pub fn new(common: &Common) -> Reporter {
        use std::io::IsTerminal;
        Reporter {
            quiet: common.quiet,
            json: common.json,
            live: !common.quiet && std::io::stderr().is_terminal(),
            running: Default::default(),
            finished_bytes: 0,
            files_done: 0,
            files_total: 0,
            bytes_total: 0,
            unread: Default::default(),
            size_unknown: Default::default(),
            started: std::time::Instant::now(),
            last_draw: None,
            shown: false,
        }
    }

    /// It draws the live line, so it wants the running files' progress.
    pub fn is_live(&self) -> bool {
        self.live
    }

    /// A job to wait for: a file counts towards the totals, a directory until it is read.
    pub fn add(&mut self, job: &Job) {
        if job.task().is_some() {
            return;
        }
        if let Some(parent) = job.parent {
            // A directory's entries come together, once it is read.
            self.unread.remove(&parent);
        }
        if job.is_dir {
            self.unread.insert(job.id);
        } else {
            self.files_total += 1;
            match job.size {
                Some(size) => self.bytes_total += size,
                None => {
                    self.size_unknown.insert(job.id);
                }
            }
        }
    }

    /// A running file got to `done` bytes (of `total`, when the server said).
    pub fn progress(&mut self, id: u64, done: u64, total: Option<u64>) {
        if let Some(total) = total {
            if self.size_unknown.remove(&id) {
                self.bytes_total += total;
            }
        }
        self.running.insert(id, done);
        self.draw(false);
    }

    /// The live line, at most ten times a second unless `now`.
    fn draw(&mut self, now: bool) {
        if !self.live {
            return;
        }
        let t = std::time::Instant::now();
        if !now
            && self
                .last_draw
                .is_some_and(|last| t.duration_since(last) < std::time::Duration::from_millis(100))
        {
            return;
        }
        self.last_draw = Some(t);
        let width = crossterm::terminal::size().map_or(80, |(w, _)| w as usize);
        let line = live_line(&Live {
            files_done: self.files_done,
            files_total: self.files_total,
            bytes: self.finished_bytes + self.running.values().sum::<u64>(),
            bytes_total: self.bytes_total,
            listing: self.unread.len() as u64,
            secs: self.started.elapsed().as_secs_f64(),
        });
        let line: String = line.chars().take(width.saturating_sub(1).max(10)).collect();
        let _ = write!(std::io::stderr().lock(), "\r\x1b[2K{line}");
        self.shown = true;
    }

    fn erase(&mut self) {
        if self.shown {
            let _ = write!(std::io::stderr().lock(), "\r\x1b[2K");
            self.shown = false;
        }
    }

    pub fn finished(&mut self, job: &Job, outcome: &Outcome) {
        self.running.remove(&job.id);
        self.unread.remove(&job.id);
        match outcome {
            Outcome::Done { bytes, .. } if !job.is_dir => {
                if self.size_unknown.remove(&job.id) {
                    self.bytes_total += bytes;
                }
                self.finished_bytes += bytes;
                self.files_done += 1;
            }
            Outcome::Done { .. } => {}
            // A file not copied leaves the totals.
            _ if !job.is_dir && job.task().is_none() => {
                self.files_total = self.files_total.saturating_sub(1);
                if !self.size_unknown.remove(&job.id) {
                    self.bytes_total = self.bytes_total.saturating_sub(job.size.unwrap_or(0));
                }
            }
            _ => {}
        }
        let line = match outcome {
            Outcome::Done {
                bytes,
                note,
                verified,
                ..
            } if !self.quiet && !job.is_dir => {
                let arrow = match job.direction {
                    Direction::Download => "↓",
                    Direction::Upload => "↑",
                };
                let note = note
                    .as_deref()
                    .map(|n| format!(" ({n})"))
                    .unwrap_or_default();
                let verified = verified
                    .map(|a| format!(" verified ({a})"))
                    .unwrap_or_default();
                Some(format!(
                    "{arrow} {} {}{verified}{note}",
                    path(job),
                    human_size(*bytes)
                ))
            }
            Outcome::Skipped { reason } if !self.quiet => {
                Some(format!("skipped {}: {reason}", path(job)))
            }
            Outcome::Failed { error } => Some(format!("failed {}: {error}", path(job))),
            _ => None,
        };
        if let Some(line) = line {
            self.erase();
            let _ = writeln!(std::io::stderr().lock(), "{line}");
        }
        self.draw(true);
    }

    pub fn summary(&mut self, s: &Summary) {
        self.erase();
        let mut err = std::io::stderr().lock();
        if !s.failed.is_empty() && self.quiet {
            for f in &s.failed {
                let _ = writeln!(err, "failed {f}");
            }
        }
        if !self.quiet {
            let _ = writeln!(err, "{}", s.line());
        }
        if self.json {
            if let Ok(text) = serde_json::to_string(s) {
                let _ = writeln!(std::io::stdout().lock(), "{text}");
            }
        }
    }
}

/// A failure before any transfer.
pub fn fatal(why: &str, common: &Common) {
    let _ = writeln!(std::io::stderr().lock(), "ftpdeck: {why}");
    if common.json {
        let text = serde_json::json!({ "error": why }).to_string();
        let _ = writeln!(std::io::stdout().lock(), "{text}");
    }
}

/// What the live line shows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Live {
    pub files_done: u64,
    pub files_total: u64,
    pub bytes: u64,
    pub bytes_total: u64,
    /// Directories not yet read: the totals may still grow.
    pub listing: u64,
    pub secs: f64,
}

/// `[██████··········]  3/10 files · 1.5 MiB of 5.0 MiB · 12.0 MiB/s · 0:01 left`; while
/// directories are still read, `3/10+ files` and no time left.
pub fn live_line(l: &Live) -> String {
    const BAR: usize = 16;
    let fraction = if l.bytes_total > 0 {
        l.bytes as f64 / l.bytes_total as f64
    } else if l.files_total > 0 {
        l.files_done as f64 / l.files_total as f64
    } else {
        0.0
    };
    let filled = ((fraction.clamp(0.0, 1.0)) * BAR as f64).round() as usize;
    let more = if l.listing > 0 { "+" } else { "" };
    let rate = l.bytes as f64 / l.secs.max(0.001);
    let mut s = format!(
        "[{}{}] {}/{}{more} files · {} of {}{more} · {}/s",
        "█".repeat(filled),
        "·".repeat(BAR - filled),
        crate::words::thousands(l.files_done),
        crate::words::thousands(l.files_total),
        human_size(l.bytes),
        human_size(l.bytes_total),
        human_size(rate as u64),
    );
    if l.listing > 0 {
        s.push_str(&format!(
            " · reading {}",
            crate::words::count(l.listing as usize, "directory", "directories")
        ));
    } else if rate >= 1.0 && l.bytes_total > l.bytes {
        let left = (l.bytes_total - l.bytes) as f64 / rate;
        s.push_str(&format!(" · {} left", crate::words::duration(left)));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_live_line_shows_the_bar_totals_speed_and_time_left() {
        let l = Live {
            files_done: 3,
            files_total: 10,
            bytes: 2 * 1024 * 1024,
            bytes_total: 8 * 1024 * 1024,
            listing: 0,
            secs: 2.0,
        };
        assert_eq!(
            live_line(&l),
            "[████············] 3/10 files · 2.0 MiB of 8.0 MiB · 1.0 MiB/s · 0:06 left"
        );
    }

    #[test]
    fn while_directories_are_read_the_totals_are_lower_bounds_and_no_time_is_guessed() {
        let l = Live {
            files_done: 0,
            files_total: 2,
            bytes: 0,
            bytes_total: 0,
            listing: 3,
            secs: 0.0,
        };
        assert_eq!(
            live_line(&l),
            "[················] 0/2+ files · 0 B of 0 B+ · 0 B/s · reading 3 directories"
        );
    }
}
