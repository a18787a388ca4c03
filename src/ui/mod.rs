//! Rendering: a pure function of `&App` and the `Theme` it is drawn in. One file per region.

mod bookmarks;
mod dialog;
mod doctor;
mod field;
mod help;
mod log;
mod pane;
mod status;
mod sync;
pub mod text;
mod transfers;
mod viewer;

use ratatui::Frame;
use ratatui::layout::Rect;

use crate::app::{App, Side};
use crate::theme::Theme;

pub use crate::layout::{
    Hit, Regions, TWO_PANE_MIN_WIDTH, hit_test, pane_rows, panel_rows, regions, regions_in,
};

/// Paint the whole screen in `theme`'s colours.
pub fn draw(frame: &mut Frame, app: &App, theme: &Theme) {
    let r = regions_in(frame.area(), app);
    if let Some(area) = r.local {
        pane::draw(frame, area, app, Side::Local, theme);
    }
    if let Some(area) = r.remote {
        pane::draw(frame, area, app, Side::Remote, theme);
    }
    if let Some(area) = r.panel {
        transfers::draw(frame, area, app, theme);
    }
    if let Some(area) = r.log {
        log::draw(frame, area, app, theme);
    }
    if let Some(v) = &app.viewer {
        let area = frame.area();
        viewer::draw(
            frame,
            Rect::new(0, 0, area.width, area.height.saturating_sub(1)),
            v,
            &app.keymap,
            theme,
        );
    }
    status::draw(frame, r.status, app, theme);
    if let Some(d) = app.dialogs.top() {
        dialog::draw(frame, frame.area(), app, d, theme);
    }
    // Over any dialog: the help opens from the bookmark list too, and the next key closes it.
    if app.dialogs.help {
        let mode = app.key_mode().unwrap_or(crate::app::keymap::Mode::Browser);
        help::draw(
            frame,
            frame.area(),
            &app.keymap,
            mode,
            app.dialogs.help_scroll,
            theme,
        );
    }
}

/// `lines` in a bordered box at `rect` (cleared first) titled `title`, its border in `border`.
fn frame_box(
    frame: &mut Frame,
    rect: Rect,
    border: ratatui::style::Color,
    title: &str,
    lines: Vec<ratatui::text::Line>,
) {
    use ratatui::style::{Modifier, Style};
    use ratatui::text::Span;
    use ratatui::widgets::{Block, Borders, Clear, Paragraph};
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(Style::default().fg(border))
                .title(Span::styled(
                    format!(" {title} "),
                    Style::default().add_modifier(Modifier::BOLD),
                )),
        ),
        rect,
    );
}

/// A rectangle of at most `w`×`h` centred in `area`.
fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}
