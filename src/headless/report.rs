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

/// Says things on stderr as the run goes.
pub struct Reporter {
    quiet: bool,
    json: bool,
}

impl Reporter {
    pub fn new(common: &Common) -> Reporter {
        Reporter {
            quiet: common.quiet,
            json: common.json,
        }
    }

    pub fn progress(&mut self, _id: u64, _done: u64) {}

    pub fn finished(&mut self, job: &Job, outcome: &Outcome) {
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
        let _ = writeln!(std::io::stderr().lock(), "{line}");
    }

    pub fn summary(&mut self, s: &Summary) {
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
