//! The file viewer, drawn over the panes.

use crate::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::app::keymap::Keymap;
use crate::app::viewer::Viewer;

/// The viewer over `area`; its bottom line names the keys as `keymap` binds them.
pub fn draw(frame: &mut Frame, area: Rect, v: &Viewer, keymap: &Keymap, theme: &Theme) {
    let mode = if v.show_hex { "hex" } else { "text" };
    let total = v.lines().len();
    let title = format!(
        " {} — {mode}, line {}/{total}{} ",
        v.title,
        (v.scroll + 1).min(total.max(1)),
        if v.truncated {
            " (only the start of the file)"
        } else {
            ""
        }
    );
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(Style::default().fg(theme.accent))
        .title(Span::styled(
            title,
            Style::default().add_modifier(Modifier::BOLD),
        ))
        .title_bottom(Line::from(format!(" {} ", keys_hint(keymap))).right_aligned());
    let inner = block.inner(area);
    frame.render_widget(Clear, area);
    frame.render_widget(block, area);
    let lines: Vec<Line> = v
        .lines()
        .iter()
        .skip(v.scroll)
        .take(inner.height as usize)
        .map(|l| Line::from(super::text::fit(l, inner.width as usize)))
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

fn keys_hint(keymap: &Keymap) -> String {
    keymap.viewer_hint()
}
