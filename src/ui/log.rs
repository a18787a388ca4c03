//! The protocol log pane: the browsing connection's commands and replies.

use crate::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::app::App;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(Style::default().fg(theme.dim))
        .title(" Protocol log (L hides · wheel scrolls) ");
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let rows = inner.height as usize;
    let end = app.log.lines.len().saturating_sub(app.log.scroll);
    let start = end.saturating_sub(rows);
    let lines: Vec<Line> = app
        .log
        .lines
        .iter()
        .skip(start)
        .take(end - start)
        .map(|l| {
            let style = if l.starts_with('>') {
                Style::default().fg(theme.accent)
            } else if l.starts_with("< 4") || l.starts_with("< 5") {
                Style::default().fg(theme.error)
            } else {
                Style::default()
            };
            Line::from(Span::styled(
                super::text::fit(l, inner.width as usize),
                style,
            ))
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}
