//! Synchronize: the options dialog, the plan checklist and the delete confirmation.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use super::field::field_line;
use super::text::{fit, fit_right, tail};
use crate::app::sync::{Field, Kind, Plan, SyncForm, Way};
use crate::sanitize::display_name;
use crate::theme::Theme;
use crate::words::{count, human_size};

fn dim(text: String, theme: &Theme) -> Line<'static> {
    Line::from(Span::styled(text, Style::default().fg(theme.dim)))
}

pub fn draw_options(frame: &mut Frame, area: Rect, form: &SyncForm, theme: &Theme) {
    let w = area.width.min(78);
    let inner = w.saturating_sub(2) as usize;
    let focus = |f: Field| {
        if form.field == f {
            Style::default()
                .fg(theme.highlight)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::default()
        }
    };
    let compare = form.compare_label();
    let mut lines = vec![
        Line::from(format!(
            "Local   {}",
            tail(&display_name(&form.local), inner.saturating_sub(8))
        )),
        Line::from(format!(
            "Server  {}",
            tail(&display_name(&form.remote), inner.saturating_sub(8))
        )),
        Line::from(""),
        Line::from(vec![
            Span::raw("Direction  "),
            Span::styled(format!("◀ {} ▶", form.way.label()), focus(Field::Way)),
        ]),
        Line::from(vec![
            Span::raw("Compare    "),
            Span::styled(format!("◀ {compare} ▶"), focus(Field::Compare)),
        ]),
        Line::from(Span::styled(
            fit(
                &match &form.checksum {
                    Some(how) => format!("           checksums: this server offers {how}"),
                    None => "           no checksum: this server offers none of HASH, XSHA256, XMD5, XCRC"
                        .to_string(),
                },
                inner,
            ),
            Style::default().fg(theme.dim),
        )),
    ];
    let delete = if form.way == Way::Both {
        "[ ] delete on the destination (never in both-ways mode)".to_string()
    } else {
        format!(
            "[{}] delete what the destination has and the source does not",
            if form.delete { "x" } else { " " }
        )
    };
    lines.push(Line::from(Span::styled(delete, focus(Field::Delete))));
    lines.push(Line::from(Span::styled(
        "Exclude, one pattern per line (*.tmp, .git/ for a directory):",
        focus(Field::Exclude),
    )));
    let shown = 6.min(form.exclude.len());
    let first = form.line.saturating_sub(shown.saturating_sub(1));
    for (i, f) in form.exclude.iter().enumerate().skip(first).take(shown) {
        let text = if form.field == Field::Exclude && i == form.line {
            Span::styled(
                format!("  {}", field_line(f, false, inner.saturating_sub(2))),
                Style::default().fg(theme.highlight),
            )
        } else {
            Span::raw(format!(
                "  {}",
                fit(&display_name(f.text()), inner.saturating_sub(2))
            ))
        };
        lines.push(Line::from(text));
    }
    lines.push(Line::from(""));
    lines.push(dim(
        "Enter scan · Tab / ↑↓ field · ←→ Space change · Esc cancel".into(),
        theme,
    ));
    let rect = super::centered(area, w, lines.len() as u16 + 2);
    super::frame_box(frame, rect, theme.highlight, "Synchronize", lines);
}

/// The plan fills most of the screen: a header with the counts per kind, the filter, the rows.
pub fn draw_plan(frame: &mut Frame, area: Rect, plan: &Plan, theme: &Theme) {
    let rect = Rect {
        height: area.height.saturating_sub(1),
        ..area
    };
    let inner = rect.width.saturating_sub(2) as usize;
    let mut header = Vec::new();
    for kind in Kind::ALL {
        let t = plan.tally(kind);
        if t.rows == 0 {
            continue;
        }
        let mut s = format!("{} {}/{}", kind.label(), t.ticked, t.rows);
        if t.bytes > 0 {
            s.push_str(&format!(" ({})", human_size(t.ticked_bytes)));
        }
        header.push(s);
    }
    let mut lines = vec![Line::from(fit(&header.join(" · "), inner))];
    let filter = if plan.filtering {
        Span::styled(
            format!(
                "Filter: {}",
                field_line(&plan.filter, false, inner.saturating_sub(8))
            ),
            Style::default().fg(theme.highlight),
        )
    } else if plan.filter.text().is_empty() {
        Span::styled(
            format!(
                "{} · here {} · server {}",
                count(plan.rows.len(), "action", "actions"),
                plan.seen.0.words(),
                plan.seen.1.words()
            ),
            Style::default().fg(theme.dim),
        )
    } else {
        Span::raw(format!(
            "Filter: {} ({} of {} shown)",
            display_name(plan.filter.text()),
            plan.visible.len(),
            plan.rows.len()
        ))
    };
    lines.push(Line::from(filter));
    let rows = crate::layout::sync_plan_rows(area.height);
    let size_w = 10;
    let reason_w = 16;
    let path_w = inner.saturating_sub(4 + 16 + size_w + reason_w + 3).max(8);
    for (pos, &i) in plan.visible.iter().enumerate().skip(plan.scroll).take(rows) {
        let r = &plan.rows[i];
        let tick = match (r.kind, r.ticked) {
            (Kind::Conflict, _) => " ! ",
            (_, true) => "[x]",
            (_, false) => "[ ]",
        };
        let mut path = display_name(r.action.path());
        if matches!(
            r.action,
            crate::sync::Action::Mkdir { .. } | crate::sync::Action::Delete { dir: true, .. }
        ) {
            path.push('/');
        }
        let size = if r.size() > 0 || matches!(r.action, crate::sync::Action::Copy { .. }) {
            human_size(r.size())
        } else {
            String::new()
        };
        let text = format!(
            "{tick} {} {} {} {}",
            fit(r.kind.label(), 16),
            fit(&path, path_w),
            fit_right(&size, size_w),
            fit(r.reason(), reason_w)
        );
        let mut style = match r.kind {
            Kind::DeleteLocal | Kind::DeleteRemote => Style::default().fg(theme.error),
            Kind::Conflict => Style::default().fg(theme.highlight),
            _ => Style::default(),
        };
        if !r.ticked && r.kind != Kind::Conflict {
            style = style.fg(theme.dim);
        }
        if pos == plan.cursor {
            style = style.add_modifier(Modifier::REVERSED);
        }
        lines.push(Line::from(Span::styled(fit(&text, inner), style)));
    }
    if plan.visible.is_empty() {
        lines.push(dim("  (no action matches the filter)".into(), theme));
    }
    while lines.len() < rows + 2 {
        lines.push(Line::from(""));
    }
    lines.push(dim(
        fit(
            "Space tick · a all of this kind · / filter · Enter run the ticked · Esc drop the plan",
            inner,
        ),
        theme,
    ));
    let title = format!(
        "Synchronize: {} {} {}",
        tail(&plan.local_root.display().to_string(), inner / 3),
        if plan.both {
            "⇄"
        } else if plan.upload {
            "→"
        } else {
            "←"
        },
        tail(&display_name(&plan.remote_root), inner / 3)
    );
    super::frame_box(frame, rect, theme.highlight, &title, lines);
}

pub fn draw_confirm_delete(
    frame: &mut Frame,
    area: Rect,
    files: usize,
    dirs: usize,
    remote: bool,
    theme: &Theme,
) {
    let what = match (files, dirs) {
        (f, 0) => count(f, "file", "files"),
        (0, d) => count(d, "directory", "directories"),
        (f, d) => format!(
            "{} and {}",
            count(f, "file", "files"),
            count(d, "directory", "directories")
        ),
    };
    let lines = vec![
        Line::from(format!(
            "The plan deletes {what} {}.",
            if remote {
                "on the server"
            } else {
                "in the local directory"
            }
        )),
        Line::from("Run it, deletions included?"),
        dim(
            "y run the plan · n / Esc back to the plan (untick the deletes there)".into(),
            theme,
        ),
    ];
    let rect = super::centered(area, 72, lines.len() as u16 + 2);
    super::frame_box(frame, rect, theme.highlight, "Delete", lines);
}
