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
}

impl Summary {
    pub fn count(&mut self, job: &Job, outcome: &Outcome) {
        match outcome {
            Outcome::Done { bytes, .. } => {
                self.copied += 1;
                self.bytes += bytes;
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

/// Says things on stderr as the run goes: on a terminal a live line (files, bytes, speed),
/// elsewhere only the finished files.
pub struct Reporter {
    quiet: bool,
    json: bool,
    /// stderr is a terminal: keep a live status line at the bottom.
    live: bool,
    /// Bytes of each running file, and what finished files moved.
    running: std::collections::HashMap<u64, u64>,
    finished_bytes: u64,
    files_done: u64,
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
            started: std::time::Instant::now(),
            last_draw: None,
            shown: false,
        }
    }

    /// A running file got to `done` bytes.
    pub fn progress(&mut self, id: u64, done: u64) {
        self.running.insert(id, done);
        if !self.live {
            return;
        }
        let now = std::time::Instant::now();
        if self
            .last_draw
            .is_some_and(|t| now.duration_since(t) < std::time::Duration::from_millis(100))
        {
            return;
        }
        self.last_draw = Some(now);
        let bytes = self.finished_bytes + self.running.values().sum::<u64>();
        let secs = self.started.elapsed().as_secs_f64().max(0.001);
        let line = format!(
            "{} done, {} running · {} · {}/s",
            self.files_done,
            self.running.len(),
            human_size(bytes),
            human_size((bytes as f64 / secs) as u64)
        );
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
        if let Outcome::Done { bytes, .. } = outcome {
            self.finished_bytes += bytes;
            self.files_done += 1;
        }
        let line = match outcome {
            Outcome::Done { bytes, note, .. } if !self.quiet => {
                let arrow = match job.direction {
                    Direction::Download => "↓",
                    Direction::Upload => "↑",
                };
                let note = note
                    .as_deref()
                    .map(|n| format!(" ({n})"))
                    .unwrap_or_default();
                format!("{arrow} {} {}{note}", path(job), human_size(*bytes))
            }
            Outcome::Skipped { reason } if !self.quiet => {
                format!("skipped {}: {reason}", path(job))
            }
            Outcome::Failed { error } => format!("failed {}: {error}", path(job)),
            _ => return,
        };
        self.erase();
        let _ = writeln!(std::io::stderr().lock(), "{line}");
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
