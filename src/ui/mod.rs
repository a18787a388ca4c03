//! Rendering: a pure function of `&App`. One file per region.

mod dialog;
mod help;
mod pane;
mod status;
pub mod text;

use ratatui::Frame;
use ratatui::layout::{Constraint, Direction, Layout, Rect};

use crate::app::{App, Side};

/// Below this width only the focused pane is shown.
pub const TWO_PANE_MIN_WIDTH: u16 = 80;

/// Rows of entries a pane shows when the terminal is `height` rows tall
/// (minus the status bar, the pane's two borders and its column header).
pub fn pane_rows(height: u16) -> usize {
    height.saturating_sub(4).max(1) as usize
}

/// The screen regions for a terminal of `area`.
pub struct Regions {
    pub local: Option<Rect>,
    pub remote: Option<Rect>,
    pub status: Rect,
}

/// Where each region goes; shared by drawing and (later) mouse hit-testing.
pub fn regions(area: Rect, focus: Side) -> Regions {
    let rows = Layout::default()
        .direction(Direction::Vertical)
        .constraints([Constraint::Min(1), Constraint::Length(1)])
        .split(area);
    let (main, status) = (rows[0], rows[1]);
    if area.width < TWO_PANE_MIN_WIDTH {
        let (local, remote) = match focus {
            Side::Local => (Some(main), None),
            Side::Remote => (None, Some(main)),
        };
        return Regions {
            local,
            remote,
            status,
        };
    }
    let cols = Layout::default()
        .direction(Direction::Horizontal)
        .constraints([Constraint::Percentage(50), Constraint::Percentage(50)])
        .split(main);
    Regions {
        local: Some(cols[0]),
        remote: Some(cols[1]),
        status,
    }
}

/// Paint the whole screen.
pub fn draw(frame: &mut Frame, app: &App) {
    let r = regions(frame.area(), app.focus);
    if let Some(area) = r.local {
        pane::draw(frame, area, app, Side::Local);
    }
    if let Some(area) = r.remote {
        pane::draw(frame, area, app, Side::Remote);
    }
    status::draw(frame, r.status, app);
    if app.show_help {
        help::draw(frame, frame.area());
    }
    if let Some(d) = &app.dialog {
        dialog::draw(frame, frame.area(), d);
    }
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
