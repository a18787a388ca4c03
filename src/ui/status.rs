//! The status bar: connection state on the left, the last message, key hints on the right.

use crate::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

use super::text::fit;
use crate::app::{App, ConnState};
use crate::sanitize::display_name;

/// The connection state in a word or two.
pub fn state_label(state: &ConnState) -> &'static str {
    match state {
        ConnState::NotConnected => "not connected",
        ConnState::Connecting => "connecting",
        ConnState::Connected => "connected",
        ConnState::Error(_) => "error",
    }
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let state = state_label(&app.server.conn);
    let state_style = match app.server.conn {
        ConnState::Connected => Style::default().fg(theme.badge_text).bg(theme.ok),
        ConnState::Connecting => Style::default().fg(theme.badge_text).bg(theme.highlight),
        ConnState::NotConnected => Style::default().fg(theme.badge_text).bg(theme.dim),
        ConnState::Error(_) => Style::default().fg(theme.badge_text).bg(theme.error),
    };
    let hint = {
        use crate::app::keymap::{Action, Mode};
        let key = |a| app.keymap.hint_key(Mode::Browser, a);
        let mut hint = String::from(if app.browse.sync_browse {
            " SYNC "
        } else {
            " "
        });
        for (k, what) in [(key(Action::Help), "help"), (key(Action::Quit), "quit")] {
            if let Some(k) = k {
                hint.push_str(&format!("{k}:{what} "));
            }
        }
        hint
    };
    let badge = format!(" {state} ");
    let width = area.width as usize;
    let msg_w = width.saturating_sub(badge.width() + hint.width() + 1);
    let msg_style = if app.status.is_error {
        Style::default()
            .fg(theme.error)
            .add_modifier(Modifier::BOLD)
    } else {
        Style::default()
    };
    // With the transfer panel hidden, its summary leads the status line while work is queued.
    let mut text = display_name(&app.status.text);
    if !app.tasks.shown && app.tasks.list.has_active() {
        text = format!(
            "{} | {text}",
            super::transfers::summary(&app.tasks.list.totals())
        );
    }
    let line = Line::from(vec![
        Span::styled(badge, state_style.add_modifier(Modifier::BOLD)),
        Span::raw(" "),
        Span::styled(fit(&text, msg_w), msg_style),
        Span::styled(hint, Style::default().fg(theme.dim)),
    ]);
    frame.render_widget(Paragraph::new(line), area);
}
