//! The transfer panel: totals with a speed sparkline, then one row per job.

use crate::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Sparkline};

use super::text::{fit, fit_right, human_size};
use crate::app::App;
use crate::app::transfers::{JobState, JobView, Totals};
use crate::sanitize::display_name;
use crate::transfer::{Direction, Task};
use crate::words::{count, thousands};

pub use crate::words::duration;

/// `12.3 MiB/s`.
pub fn speed(rate: f64) -> String {
    format!("{}/s", human_size(rate.max(0.0) as u64))
}

/// The one-line summary (overall line of the panel, and the status bar when it is hidden).
pub fn summary(t: &Totals) -> String {
    let mut s = if t.running + t.queued + t.waiting == 0 {
        format!("idle · {} done", t.done)
    } else {
        let size = match (t.bytes_left, t.sizes_unknown) {
            (0, true) => "size unknown".to_string(),
            (b, true) => format!("{} and more", human_size(b)),
            (b, false) => human_size(b),
        };
        format!(
            "{} running, {} queued · {} left ({size}) · {} done",
            t.running,
            t.queued,
            count(t.files_left, "file", "files"),
            t.done
        )
    };
    if t.waiting > 0 {
        s.push_str(&format!(", {} waiting for you", t.waiting));
    }
    if t.failed > 0 {
        s.push_str(&format!(", {} failed", t.failed));
    }
    if t.rate > 0.0 {
        s.push_str(&format!(" · {}", speed(t.rate)));
    }
    if let Some(eta) = t.eta() {
        s.push_str(&format!(" · ETA {}", duration(eta)));
    }
    s
}

pub use crate::layout::first_row;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let focused = app.tasks.focused;
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(if focused {
            Style::default().fg(theme.accent)
        } else {
            Style::default().fg(theme.dim)
        })
        .title(match app.tasks.limits.describe() {
            Some(limit) => format!(" Tasks · limit {limit} — {} ", keys_hint(app)),
            None => format!(" Tasks — {} ", keys_hint(app)),
        });
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 {
        return;
    }
    let t = app.tasks.list.totals();
    let spark_w = (inner.width / 4).min(60);
    let text_w = inner.width.saturating_sub(spark_w + 1);
    frame.render_widget(
        Paragraph::new(Line::from(Span::styled(
            fit(&summary(&t), text_w as usize),
            Style::default().add_modifier(Modifier::BOLD),
        ))),
        Rect::new(inner.x, inner.y, text_w, 1),
    );
    let history: Vec<u64> = app.tasks.list.history.iter().copied().collect();
    frame.render_widget(
        Sparkline::default()
            .data(&history)
            .style(Style::default().fg(theme.ok)),
        Rect::new(inner.x + text_w + 1, inner.y, spark_w, 1),
    );
    let rows = inner.height.saturating_sub(1) as usize;
    let first = first_row(app, area);
    let lines: Vec<Line> = app
        .tasks
        .list
        .jobs
        .iter()
        .enumerate()
        .skip(first)
        .take(rows)
        .map(|(i, v)| {
            let mut style = state_style(&v.state, theme);
            if i == app.tasks.list.cursor && focused {
                style = style.add_modifier(Modifier::REVERSED);
            } else if i == app.tasks.list.cursor {
                style = style.bg(theme.dim);
            }
            Line::from(Span::styled(row(v, inner.width as usize), style))
        })
        .collect();
    frame.render_widget(
        Paragraph::new(lines),
        Rect::new(inner.x, inner.y + 1, inner.width, inner.height - 1),
    );
}

fn row(v: &JobView, width: usize) -> String {
    let label = match (v.job.task(), v.job.direction) {
        (Some(t), _) => t.label(),
        (None, Direction::Upload) => "↑",
        (None, Direction::Download) => "↓",
    };
    let mut name = display_name(&v.job.name());
    if v.job.is_dir && !name.ends_with('/') {
        name.push('/');
    }
    let (bar, detail) = match &v.state {
        JobState::Queued => (String::new(), "queued".to_string()),
        JobState::Running | JobState::Retrying(_) if v.job.task().is_some() => {
            let mut d = task_progress(v);
            if let JobState::Retrying(n) = v.state {
                d.push_str(&format!("  retrying ({n})"));
            }
            let bar = match v.steps {
                Some((done, Some(total))) if total > 0 => {
                    progress_bar(done as f64 / total as f64, 20)
                }
                _ => String::new(),
            };
            (bar, d)
        }
        JobState::Running | JobState::Retrying(_) => {
            let pct = v.total.filter(|&t| t > 0).map(|t| v.done as f64 / t as f64);
            let bar = pct.map(|p| progress_bar(p, 20)).unwrap_or_default();
            let mut d = match v.total {
                Some(t) => format!("{} / {}", human_size(v.done), human_size(t)),
                None => human_size(v.done),
            };
            if v.stalled_secs >= crate::app::STALLED_AFTER {
                d.push_str(&format!("  stalled {} s", v.stalled_secs));
            } else {
                if v.rate > 0.0 {
                    d.push_str(&format!("  {}", speed(v.rate)));
                }
                if let Some(eta) = v.eta() {
                    d.push_str(&format!("  ETA {}", duration(eta)));
                }
            }
            if let JobState::Retrying(n) = v.state {
                d.push_str(&format!("  retrying ({n})"));
            }
            (bar, d)
        }
        JobState::Conflict { .. } => (String::new(), "exists — waiting for your answer".into()),
        JobState::Done if v.job.task().is_some() => (progress_bar(1.0, 20), task_done(v)),
        JobState::Done if v.job.is_dir => (String::new(), "listed".into()),
        JobState::Done => (progress_bar(1.0, 20), {
            let mut d = format!("done {}", human_size(v.done));
            if let Some(a) = v.verified {
                d.push_str(&format!(" · verified ({a})"));
            }
            if let Some(n) = &v.note {
                d.push_str(&format!(" — {}", display_name(n)));
            }
            d
        }),
        JobState::Skipped(why) => (String::new(), format!("skipped: {why}")),
        JobState::Cancelled => match v.steps {
            Some((done, Some(total))) if v.job.task().is_some() => (
                String::new(),
                format!(
                    "cancelled after {} of {}",
                    thousands(done),
                    thousands(total)
                ),
            ),
            _ => (String::new(), "cancelled".into()),
        },
        JobState::Failed(e) => (String::new(), format!("failed: {}", display_name(e))),
    };
    let name_w = width.saturating_sub(7 + 23 + 44).max(10);
    let mut s = format!("{label:>6} {} ", fit(&name, name_w));
    s.push_str(&fit(&bar, 22));
    s.push(' ');
    s.push_str(&detail);
    fit_right(&fit(&s, width), width)
}

/// A running task's progress: entries found while it plans, then done of all.
fn task_progress(v: &JobView) -> String {
    if let Some(Task::SyncScan { .. }) = v.job.task() {
        if let Some((done, Some(total))) = v.steps {
            return format!(
                "checksums: {} of {} files",
                thousands(done),
                thousands(total)
            );
        }
        if let Some((l, r)) = v.scanned {
            return format!("here {}; server {}", l.words(), r.words());
        }
    }
    if let Some(Task::Doctor { .. }) = v.job.task() {
        return "probing the server".into();
    }
    let Some(Task::Size) = v.job.task() else {
        return match v.steps {
            None => "starting".into(),
            Some((n, None)) if v.job.is_local_task() => format!("{} deleted", thousands(n)),
            Some((n, None)) => format!("reading the tree: {} found", thousands(n)),
            Some((done, Some(total))) => {
                format!("{} / {} entries", thousands(done), thousands(total))
            }
        };
    };
    let files = v.steps.map_or(0, |(n, _)| n);
    format!(
        "{}, {} so far",
        count(files as usize, "file", "files"),
        human_size(v.done)
    )
}

fn task_done(v: &JobView) -> String {
    let n = v.steps.map_or(0, |(n, _)| n);
    match v.job.task() {
        Some(Task::Delete) => format!("deleted {}", count(n as usize, "entry", "entries")),
        Some(Task::Chmod { mode }) => {
            format!("mode {mode:o} on {}", count(n as usize, "entry", "entries"))
        }
        Some(Task::Size) => format!(
            "{} in {}",
            human_size(v.done),
            count(n as usize, "file", "files")
        ),
        Some(Task::View { .. }) => format!("read {}", human_size(v.done)),
        Some(Task::SyncScan { .. }) => {
            format!("planned {}", count(n as usize, "action", "actions"))
        }
        Some(Task::Mkdirs { .. }) => {
            format!("made {}", count(n as usize, "directory", "directories"))
        }
        Some(Task::Doctor { .. }) => "report shown".into(),
        _ => "done".into(),
    }
}

fn progress_bar(fraction: f64, width: usize) -> String {
    let filled = ((fraction.clamp(0.0, 1.0)) * width as f64).round() as usize;
    format!(
        "[{}{}]",
        "█".repeat(filled),
        "·".repeat(width.saturating_sub(filled))
    )
}

fn state_style(state: &JobState, theme: &Theme) -> Style {
    match state {
        JobState::Failed(_) => Style::default().fg(theme.error),
        JobState::Done => Style::default().fg(theme.ok),
        JobState::Conflict { .. } => Style::default().fg(theme.highlight),
        JobState::Skipped(_) | JobState::Cancelled => Style::default().fg(theme.dim),
        _ => Style::default(),
    }
}

/// The panel's own keys, as the file panes' table binds them (they work from the panes too).
fn keys_hint(app: &App) -> String {
    use crate::app::keymap::{Action::*, Mode};
    super::help::hint(
        &app.keymap,
        Mode::Browser,
        &[
            (&[CancelJob], "cancel"),
            (&[CancelAll], "cancel all"),
            (&[RetryJob], "retry"),
            (&[ToggleTransfers], "hide"),
        ],
    )
}
