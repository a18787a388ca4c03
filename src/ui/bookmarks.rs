//! The bookmark list and the connection form.

use crate::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use super::text::fit;
use crate::app::App;
use crate::app::form::{Form, LABELS, PASSWORD};
use crate::remote::path::url_suffix;
use crate::remote::{DataMode, Security};
use crate::sanitize::display_name;

fn flags(security: Security, mode: DataMode) -> String {
    let mut s = String::new();
    match security {
        Security::Plain => {}
        Security::ExplicitTls => s.push_str(" [FTPS]"),
        Security::ImplicitTls => s.push_str(" [FTPS implicit]"),
    }
    if mode == DataMode::Active {
        s.push_str(" [active]");
    }
    s
}

pub fn draw_list(frame: &mut Frame, area: Rect, app: &App, cursor: usize, theme: &Theme) {
    let w = area.width.saturating_sub(4).min(90);
    let inner_w = w.saturating_sub(2) as usize;
    let mut lines = Vec::new();
    let items = app.list_items();
    let mut rows: Vec<(String, Style)> = Vec::new();
    for item in &items {
        use crate::app::connect::ListItem;
        let (text, style) = match item {
            ListItem::New => (
                "＋ New connection…".to_string(),
                Style::default().fg(theme.ok),
            ),
            ListItem::Bookmark(i) => {
                let b = &app.server.bookmarks.bookmarks[*i];
                let port = if b.port == 21 {
                    String::new()
                } else {
                    format!(":{}", b.port)
                };
                let mut t = format!(
                    "★ {}  —  {}@{}{port}{}{}",
                    display_name(&b.name),
                    display_name(&b.user),
                    display_name(&b.host),
                    display_name(&url_suffix(&b.remote_dir)),
                    flags(b.security, b.data_mode)
                );
                if let Some(n) = &b.note {
                    t.push_str(&format!("  ({})", display_name(n)));
                }
                (t, Style::default())
            }
            ListItem::Recent(i) => {
                let r = &app.server.bookmarks.recent[*i];
                let port = if r.port == 21 {
                    String::new()
                } else {
                    format!(":{}", r.port)
                };
                (
                    format!(
                        "↺ {}@{}{port}{}{}",
                        display_name(&r.user),
                        display_name(&r.host),
                        display_name(&url_suffix(&r.remote_dir)),
                        flags(r.security, r.data_mode)
                    ),
                    Style::default().fg(theme.dim),
                )
            }
        };
        rows.push((text, style));
    }
    let max_rows = area.height.saturating_sub(8) as usize;
    let first = cursor.saturating_sub(max_rows.saturating_sub(1));
    for (i, (text, style)) in rows.iter().enumerate().skip(first).take(max_rows) {
        let style = if i == cursor {
            style.add_modifier(Modifier::REVERSED)
        } else {
            *style
        };
        lines.push(Line::from(Span::styled(fit(text, inner_w), style)));
        if i == app.server.bookmarks.bookmarks.len()
            && !app.server.bookmarks.recent.is_empty()
            && i + 1 < rows.len()
        {
            lines.push(Line::from(Span::styled(
                fit("─ recent connections ─", inner_w),
                Style::default().fg(theme.dim),
            )));
        }
    }
    if let Some(problem) = &app.server.bookmarks_broken {
        lines.push(Line::from(Span::styled(
            fit(
                &format!("bookmarks.toml is broken (left untouched): {problem}"),
                inner_w,
            ),
            Style::default().fg(theme.error),
        )));
    }
    lines.push(Line::from(""));
    let hint = {
        use crate::app::keymap::{Action::*, Mode};
        super::help::hint(
            &app.keymap,
            Mode::Bookmarks,
            &[
                (&[Connect], "connect"),
                (&[New], "new"),
                (&[Edit], "edit"),
                (&[Delete], "delete"),
                (&[Doctor], "doctor"),
                (&[Help], "keys"),
                (&[Close], "close"),
            ],
        )
    };
    lines.push(Line::from(Span::styled(
        fit(&hint, inner_w),
        Style::default().fg(theme.dim),
    )));
    let h = (lines.len() as u16 + 2).min(area.height);
    let rect = super::centered(area, w, h);
    super::frame_box(frame, rect, theme.accent, "Bookmarks", lines);
}

pub fn draw_form(frame: &mut Frame, area: Rect, form: &Form, theme: &Theme) {
    let w = area.width.saturating_sub(4).min(92);
    let label_w = 18;
    let value_w = (w as usize).saturating_sub(label_w + 4);
    let mut lines = Vec::new();
    for (i, label) in LABELS.iter().enumerate() {
        if !form.relevant(i) {
            continue;
        }
        let focused = i == form.focus;
        let value = if focused && Form::choices(i).is_none() {
            super::field::field_line(&form.values[i], i == PASSWORD, value_w)
        } else {
            display_name(&form.display(i))
        };
        let style = if focused {
            Style::default()
                .fg(theme.highlight)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::default()
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{:>width$}: ", label, width = label_w), style),
            Span::styled(fit(&value, value_w), style),
        ]));
    }
    if let Some(e) = &form.error {
        // A long reason wraps inside the box rather than running off its edge.
        for piece in crate::words::fold(&display_name(e), (w as usize).saturating_sub(2), 2) {
            lines.push(Line::from(Span::styled(
                piece,
                Style::default().fg(theme.error),
            )));
        }
    }
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        "Tab/↑↓ field · Space/←→ choose · Enter connect · Ctrl-S save as bookmark · Esc back",
        Style::default().fg(theme.dim),
    )));
    let title = match &form.editing {
        Some(name) => format!("Edit bookmark {}", display_name(name)),
        None => "Connect".to_string(),
    };
    let rect = super::centered(area, w, lines.len() as u16 + 2);
    super::frame_box(frame, rect, theme.accent, &title, lines);
}
