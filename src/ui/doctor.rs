//! The connection doctor's report: a scrollable overlay, a line per check coloured by how it
//! came out, the recommended settings last.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::app::doctor::DoctorView;
use crate::doctor::Level;
use crate::sanitize::display_name;
use crate::theme::Theme;

pub fn draw(frame: &mut Frame, area: Rect, view: &DoctorView, theme: &Theme) {
    let rect = super::centered(
        area,
        area.width.saturating_sub(4).max(20),
        area.height.saturating_sub(2).max(5),
    );
    let width = crate::app::doctor::overlay_text_width(area.width);
    let lines: Vec<Line> = crate::doctor::wrapped_lines(&view.report, width)
        .into_iter()
        .skip(1) // the heading is the title
        .map(|(level, text)| {
            // Remote text is sanitised where the report is made; this is the last guard.
            let text = display_name(&text);
            let style = match level {
                Some(Level::Ok) => Style::default().fg(theme.ok),
                Some(Level::Warn | Level::Fail) => Style::default().fg(theme.error),
                Some(Level::Info) | None => Style::default(),
            };
            Line::from(Span::styled(text, style))
        })
        .collect();
    let save = match (&view.bookmark, view.report.changes().next()) {
        (Some(b), Some(_)) => format!(" · s save into {}", display_name(b)),
        _ => String::new(),
    };
    let hint = format!(" ↑↓ PgUp PgDn scroll{save} · Esc close ");
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines)
            .scroll((u16::try_from(view.scroll).unwrap_or(u16::MAX), 0))
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_style(Style::default().fg(theme.highlight))
                    .title(Span::styled(
                        format!(" Connection doctor: {} ", display_name(&view.report.server)),
                        Style::default().add_modifier(Modifier::BOLD),
                    ))
                    .title_bottom(Span::styled(hint, Style::default().fg(theme.dim))),
            ),
        rect,
    );
}
