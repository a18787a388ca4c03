//! The help overlay: the key table.

use crate::theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::app::keymap::BINDINGS;

pub fn draw(frame: &mut Frame, area: Rect) {
    let h = BINDINGS.len() as u16 + 4;
    let rect = super::centered(area, 56, h);
    let mut lines: Vec<Line> = BINDINGS
        .iter()
        .map(|(keys, _, what)| {
            Line::from(vec![
                Span::styled(
                    format!(" {keys:<20}"),
                    Style::default().fg(theme::current().accent),
                ),
                Span::raw(*what),
            ])
        })
        .collect();
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        " any key closes this help",
        Style::default().fg(theme::current().dim),
    )));
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines).block(Block::default().borders(Borders::ALL).title(Span::styled(
            " Keys ",
            Style::default().add_modifier(Modifier::BOLD),
        ))),
        rect,
    );
}
