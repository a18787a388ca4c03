//! The help overlay: the keys of the mode the user is in, as the config binds them, in as
//! many columns as the terminal needs.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use unicode_width::UnicodeWidthStr;

use super::text::fit;
use crate::app::keymap::{Action, Keymap, Mode};
use crate::theme::Theme;

const KEY_W: usize = 22;
/// The narrowest a column is made; a wider one holds its longest line where the screen allows.
const ONE_COLUMN_W: usize = 64;

/// A row of the help: a heading, or keys and what they do.
enum Row {
    Heading(String),
    Keys(String, &'static str),
}

/// The rows for `mode`: its own table; the transfer panel also lists the panes' keys that
/// work there (all but the moves).
fn rows(keymap: &Keymap, mode: Mode) -> Vec<Row> {
    let table = |mode: Mode| {
        mode.help()
            .iter()
            .map(move |(keys, action, what)| (mode, *action, *keys, *what))
    };
    let row = |(mode, action, keys, what)| Row::Keys(keymap.help_keys(mode, action, keys), what);
    let mut rows: Vec<Row> = table(mode).map(row).collect();
    if mode == Mode::Panel {
        let b = Mode::Browser;
        rows.push(Row::Heading(format!("{} [{}]", b.title(), b.table())));
        rows.extend(
            table(b)
                .filter(|(_, a, _, _)| !Mode::Panel.accepts(*a))
                .map(row),
        );
    }
    rows
}

/// The key table of `mode` as `keymap` binds the keys now.
pub fn draw(frame: &mut Frame, area: Rect, keymap: &Keymap, mode: Mode, theme: &Theme) {
    let rows_of = rows(keymap, mode);
    // Rows for bindings: the screen minus the frame and the closing hint.
    let rows = (area.height as usize).saturating_sub(3).max(1);
    let columns = rows_of.len().div_ceil(rows).max(1);
    // The keys take as much room as the longest of them needs, the descriptions the rest.
    let key_w = rows_of
        .iter()
        .map(|r| match r {
            Row::Keys(keys, _) => keys.width() + 1,
            Row::Heading(_) => 0,
        })
        .max()
        .unwrap_or(0)
        .min(KEY_W);
    // A column as wide as its longest line where the screen has room: a description is cut
    // short only when the terminal is too narrow for it.
    let longest = rows_of
        .iter()
        .map(|r| match r {
            Row::Keys(_, what) => 1 + key_w + what.width() + 1,
            Row::Heading(text) => text.width() + 2,
        })
        .max()
        .unwrap_or(0)
        .max(ONE_COLUMN_W);
    let width = (longest * columns + 2).min(area.width as usize);
    let col_w = (width.saturating_sub(2) / columns).max(key_w + 4);
    let used_rows = rows_of.len().div_ceil(columns);
    let accent = Style::default().fg(theme.accent);
    let mut lines: Vec<Line> = (0..used_rows)
        .map(|r| {
            let mut spans = Vec::new();
            for c in 0..columns {
                match rows_of.get(c * used_rows + r) {
                    Some(Row::Keys(keys, what)) => {
                        spans.push(Span::styled(format!(" {}", fit(keys, key_w)), accent));
                        spans.push(Span::raw(fit(what, col_w - key_w - 1)));
                    }
                    Some(Row::Heading(text)) => spans.push(Span::styled(
                        format!(" {}", fit(text, col_w - 1)),
                        accent.add_modifier(Modifier::BOLD),
                    )),
                    None => {}
                }
            }
            Line::from(spans)
        })
        .collect();
    lines.push(Line::from(Span::styled(
        " any key closes this help · fixed: y/n answers, text fields",
        Style::default().fg(theme.dim),
    )));
    let rect = super::centered(area, width as u16, lines.len() as u16 + 2);
    let title = format!(" Keys: {} [{}] ", mode.title(), mode.table());
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
