//! The help overlay: the keys of the mode the user is in, as the config binds them, in as
//! many columns as the terminal needs.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::text::fit;
use crate::app::keymap::{Action, Keymap, Mode};
use crate::layout::{HelpRow as Row, help_layout, help_rows};
use crate::theme::Theme;

/// The key table of `mode` as `keymap` binds the keys now, `scroll` rows down when it does not
/// all fit.
pub fn draw(
    frame: &mut Frame,
    area: Rect,
    keymap: &Keymap,
    mode: Mode,
    scroll: usize,
    theme: &Theme,
) {
    let rows_of = help_rows(keymap, mode);
    let l = help_layout(&rows_of, area.width as usize, area.height as usize);
    let scroll = scroll.min(l.max_scroll);
    let accent = Style::default().fg(theme.accent);
    let mut lines: Vec<Line> = (0..l.shown)
        .map(|r| {
            let mut spans = Vec::new();
            for c in 0..l.columns {
                match rows_of.get(c * l.shown + r + scroll) {
                    Some(Row::Keys(keys, what)) => {
                        spans.push(Span::styled(format!(" {}", fit(keys, l.key_w)), accent));
                        spans.push(Span::raw(fit(what, l.col_w - l.key_w - 1)));
                    }
                    Some(Row::Heading(text)) => spans.push(Span::styled(
                        format!(" {}", fit(text, l.col_w - 1)),
                        accent.add_modifier(Modifier::BOLD),
                    )),
                    None => {}
                }
            }
            Line::from(spans)
        })
        .collect();
    let hint = if l.max_scroll > 0 {
        " ↓ ↑ j k PgDn PgUp scroll · any other key closes this help"
    } else {
        " any key closes this help · fixed: y/n answers, text fields"
    };
    lines.push(Line::from(Span::styled(
        hint,
        Style::default().fg(theme.dim),
    )));
    let rect = super::centered(area, l.width as u16, lines.len() as u16 + 2);
    let title = if l.max_scroll > 0 {
        format!(
            " Keys: {} [{}] {}–{} of {} ",
            mode.title(),
            mode.table(),
            scroll + 1,
            scroll + l.shown,
            rows_of.len()
        )
    } else {
        format!(" Keys: {} [{}] ", mode.title(), mode.table())
    };
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines).block(Block::default().borders(Borders::ALL).title(Span::styled(
            title,
            Style::default().add_modifier(Modifier::BOLD),
        ))),
        rect,
    );
}

/// A one-line hint of `mode`'s keys as bound now (see [`Keymap::hint`]).
pub fn hint(keymap: &Keymap, mode: Mode, parts: &[(&[Action], &str)]) -> String {
    keymap.hint(mode, parts)
}
