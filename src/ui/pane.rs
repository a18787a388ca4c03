//! A pane: title with the path, a column header and the visible window of entries.

use crate::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::text::{fit, fit_right, format_time, human_size, tail};
use crate::app::{App, Side};
use crate::entry::{Entry, EntryKind};
use crate::sanitize::display_name;
use unicode_width::UnicodeWidthStr;

const SIZE_W: usize = 10;
const TIME_W: usize = 16;
/// Columns of the title a filter may take.
const FILTER_W: usize = 30;

/// The pane's title in three parts — a label (`user@host:`), the path, and hints (selection,
/// loading) — so that a narrow pane can shorten the path and keep the rest.
pub fn title_parts(app: &App, side: Side) -> (String, String, String) {
    let pane = app.pane(side);
    let loading_first = pane.dir.is_empty();
    let shown = match &pane.pending {
        Some(p) if loading_first => p.path.as_str(),
        _ => pane.dir.as_str(),
    };
    let label = match (side, &app.server.profile) {
        (Side::Remote, Some(p)) => format!("{}:", p.label()),
        (Side::Remote, None) => "remote".to_string(),
        (Side::Local, _) => String::new(),
    };
    let mut path = display_name(shown);
    let mut hints = String::new();
    match (side, &app.server.profile) {
        // Names are decoded from another charset: say which.
        (Side::Remote, Some(p)) if !p.charset.is_auto() => {
            hints.push_str(&format!(" [{}]", p.charset.name()));
        }
        _ => {}
    }
    if let Some(p) = &pane.pending {
        if !loading_first && p.path != pane.dir {
            path = format!("{path} → {}", display_name(&p.path));
        }
        hints.push_str(" (loading…)");
    }
    let typing = app
        .browse
        .filtering
        .as_ref()
        .filter(|_| app.browse.focus == side);
    if !pane.filter.is_empty() || typing.is_some() {
        let filter = match typing {
            Some(field) => super::field::field_line(field, false, FILTER_W),
            None => tail(&display_name(&pane.filter), FILTER_W),
        };
        hints.push_str(&format!(" [filter: {filter}, {} shown]", pane.view.len()));
    }
    let (count, bytes) = pane.selection_totals();
    if count > 0 {
        hints.push_str(&format!(" [{count} selected, {}]", human_size(bytes)));
    }
    (label, path, hints)
}

/// The title within `width` columns: the path loses its start first, then the label.
fn title_fitted(app: &App, side: Side, width: usize) -> String {
    let (label, path, hints) = title_parts(app, side);
    let fixed = label.width() + hints.width();
    if fixed + 8 <= width {
        return format!("{label}{}{hints}", tail(&path, width - fixed));
    }
    tail(&format!("{label}{path}{hints}"), width)
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, side: Side, theme: &Theme) {
    let pane = app.pane(side);
    let focused = app.browse.focus == side;
    let border = if focused {
        Style::default().fg(theme.accent)
    } else {
        Style::default().fg(theme.dim)
    };
    let inner_w = area.width.saturating_sub(2) as usize;
    let sort_hint = format!(
        "[{}{}{}]",
        pane.sort.label(),
        if pane.reverse { "↓" } else { "↑" },
        if pane.show_hidden { " .*" } else { "" }
    );
    let title_text = title_fitted(app, side, inner_w.saturating_sub(sort_hint.width() + 4));
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(border)
        .title(Line::from(Span::styled(
            format!(" {title_text} "),
            if focused {
                Style::default().add_modifier(Modifier::BOLD)
            } else {
                Style::default()
            },
        )))
        .title(Line::from(format!(" {sort_hint} ")).right_aligned());
    let block = match (side, app.browse.local_disk) {
        (Side::Local, Some((free, total))) => block.title_bottom(
            Line::from(format!(
                " {} free of {} ",
                human_size(free),
                human_size(total)
            ))
            .right_aligned(),
        ),
        _ => block,
    };
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 || inner.width == 0 {
        return;
    }

    let (name_w, show_size, show_time) = columns(inner_w.saturating_sub(1));
    let mut lines = Vec::with_capacity(inner.height as usize);
    let mut header = format!(" {}", fit("Name", name_w));
    if show_size {
        header.push(' ');
        header.push_str(&fit_right("Size", SIZE_W));
    }
    if show_time {
        header.push(' ');
        header.push_str(&fit("Modified", TIME_W));
    }
    lines.push(Line::from(Span::styled(
        header,
        Style::default().add_modifier(Modifier::UNDERLINED | Modifier::BOLD),
    )));

    let rows = (inner.height as usize).saturating_sub(1);
    if pane.view.is_empty() {
        let msg = if let Some(err) = &pane.error {
            display_name(err)
        } else if pane.pending.is_some() {
            "Loading…".to_string()
        } else if pane.entries.is_empty() {
            "(empty directory)".to_string()
        } else if !pane.filter.is_empty() {
            "(no entry matches the filter — Esc in the filter clears it)".to_string()
        } else {
            "(only hidden files — press . to show them)".to_string()
        };
        let style = if pane.error.is_some() {
            Style::default().fg(theme.error)
        } else {
            Style::default().fg(theme.dim)
        };
        lines.push(Line::from(Span::styled(fit(&msg, inner_w), style)));
    }
    for (i, entry) in pane.visible().enumerate().skip(pane.offset).take(rows) {
        let selected = pane.selected.contains(&entry.name);
        let theme_style = entry_style(entry, theme);
        // LS_COLORS colours the name only (as `ls` does); the theme the whole row.
        let (mut name_style, mut style) = match app.names.style(entry) {
            Some(ls) => (ls, Style::default()),
            None => (theme_style, theme_style),
        };
        let marked = !selected && pane.marks.contains_key(&entry.name);
        for s in [&mut name_style, &mut style] {
            *s = row_state(*s, selected, marked, i == pane.cursor, focused, theme);
        }
        let marker = match (selected, pane.marks.get(&entry.name)) {
            (true, _) => "*",
            (false, Some(crate::app::pane::Mark::OnlyHere)) => "+",
            (false, Some(crate::app::pane::Mark::Differs)) => "≠",
            (false, Some(crate::app::pane::Mark::Newer)) => ">",
            (false, None) => " ",
        };
        let (name, rest) = row_text(
            entry,
            pane.measured.get(&entry.name).copied(),
            name_w,
            show_size,
            show_time,
        );
        let shown = name.trim_end_matches(' ');
        lines.push(Line::from(vec![
            Span::styled(marker, style),
            Span::styled(shown.to_string(), name_style),
            Span::styled(format!("{}{rest}", &name[shown.len()..]), style),
        ]));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// Column widths for an inner width: (name width, show size, show time).
fn columns(inner_w: usize) -> (usize, bool, bool) {
    if inner_w >= 20 + SIZE_W + TIME_W + 2 {
        (inner_w - SIZE_W - TIME_W - 2, true, true)
    } else if inner_w > 12 + SIZE_W {
        (inner_w - SIZE_W - 1, true, false)
    } else {
        (inner_w, false, false)
    }
}

/// A row's style on top of its colours: selected, compare mark, cursor.
fn row_state(
    style: Style,
    selected: bool,
    marked: bool,
    cursor: bool,
    focused: bool,
    theme: &Theme,
) -> Style {
    let mut style = style;
    if selected {
        style = style.fg(theme.highlight).add_modifier(Modifier::BOLD);
    }
    if cursor {
        style = if !focused {
            style.bg(theme.dim)
        } else if style.add_modifier.contains(Modifier::REVERSED) {
            // A name LS_COLORS already reverses: the cursor turns it back.
            style.remove_modifier(Modifier::REVERSED)
        } else {
            style.add_modifier(Modifier::REVERSED)
        };
    }
    if marked {
        style = style.fg(theme.marked);
    }
    style
}

/// A row's name column (fitted to `name_w`) and the columns after it.
fn row_text(
    entry: &Entry,
    measured: Option<u64>,
    name_w: usize,
    show_size: bool,
    show_time: bool,
) -> (String, String) {
    let mut name = display_name(&entry.name);
    match entry.kind {
        EntryKind::Dir if entry.link_target.is_some() => name.push_str("/@"),
        EntryKind::Dir => name.push('/'),
        EntryKind::Symlink => name.push('@'),
        _ => {}
    }
    if let (EntryKind::Symlink, Some(t)) = (entry.kind, &entry.link_target) {
        name = format!("{name} → {}", display_name(t));
    }
    let name = fit(&name, name_w);
    let mut s = String::new();
    if show_size {
        let size = match (entry.kind, entry.size) {
            (EntryKind::Dir, _) => measured.map_or_else(|| "<DIR>".to_string(), human_size),
            (_, Some(n)) => human_size(n),
            (_, None) => String::new(),
        };
        s.push(' ');
        s.push_str(&fit_right(&size, SIZE_W));
    }
    if show_time {
        s.push(' ');
        s.push_str(&fit(&format_time(entry.mtime), TIME_W));
    }
    (name, s)
}

fn entry_style(entry: &Entry, theme: &Theme) -> Style {
    match entry.kind {
        EntryKind::Dir => Style::default().fg(theme.dir).add_modifier(Modifier::BOLD),
        EntryKind::Symlink => Style::default().fg(theme.symlink),
        EntryKind::Unknown => Style::default().fg(theme.highlight),
        EntryKind::File => Style::default(),
    }
}
