//! The help overlay: the key table, in as many columns as the terminal needs.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::text::fit;
use crate::app::keymap::BINDINGS;
use crate::theme;

const KEY_W: usize = 22;
const ONE_COLUMN_W: usize = 64;

/// The key table as `keymap` binds the keys now.
pub fn draw(frame: &mut Frame, area: Rect, keymap: &crate::app::keymap::Keymap) {
    // Rows for bindings: the screen minus the frame and the closing hint.
    let rows = (area.height as usize).saturating_sub(4).max(1);
    let columns = BINDINGS.len().div_ceil(rows).max(1);
    let width = (ONE_COLUMN_W * columns + 2).min(area.width as usize);
    let col_w = (width.saturating_sub(2) / columns).max(KEY_W + 4);
    let used_rows = BINDINGS.len().div_ceil(columns);
    let mut lines: Vec<Line> = (0..used_rows)
        .map(|r| {
            let mut spans = Vec::new();
            for c in 0..columns {
                let Some((keys, action, what)) = BINDINGS.get(c * used_rows + r) else {
                    continue;
                };
                let keys = keymap.help_keys(*action, keys);
                spans.push(Span::styled(
                    format!(" {}", fit(&keys, KEY_W)),
                    Style::default().fg(theme::current().accent),
                ));
                spans.push(Span::raw(fit(what, col_w - KEY_W - 1)));
            }
            Line::from(spans)
        })
        .collect();
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        " any key closes this help",
        Style::default().fg(theme::current().dim),
    )));
    let rect = super::centered(area, width as u16, lines.len() as u16 + 2);
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines).block(Block::default().borders(Borders::ALL).title(Span::styled(
            " Keys ",
            Style::default().add_modifier(Modifier::BOLD),
        ))),
        rect,
    );
}
