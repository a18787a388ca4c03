//! Modal dialogs.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::app::dialog::Dialog;
use crate::sanitize::display_name;

pub fn draw(frame: &mut Frame, area: Rect, dialog: &Dialog) {
    match dialog {
        Dialog::Password {
            label,
            input,
            error,
        } => {
            let rect = super::centered(area, 60, if error.is_some() { 8 } else { 6 });
            let mut lines = vec![
                Line::from(format!("Password for {}:", display_name(label))),
                Line::from(Span::styled(
                    format!("{}▏", "•".repeat(input.chars().count())),
                    Style::default().fg(Color::Yellow),
                )),
            ];
            if let Some(e) = error {
                lines.push(Line::from(Span::styled(
                    display_name(e),
                    Style::default().fg(Color::LightRed),
                )));
            }
            lines.push(Line::from(Span::styled(
                "Enter connect · Esc cancel",
                Style::default().fg(Color::DarkGray),
            )));
            frame.render_widget(Clear, rect);
            frame.render_widget(
                Paragraph::new(lines).wrap(Wrap { trim: false }).block(
                    Block::default().borders(Borders::ALL).title(Span::styled(
                        " Log in ",
                        Style::default().add_modifier(Modifier::BOLD),
                    )),
                ),
                rect,
            );
        }
    }
}
