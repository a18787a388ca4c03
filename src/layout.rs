//! Where each region of the screen goes for the app's terminal size: shared by drawing, paging
//! and the mouse. Pure geometry over the app's state, so the app can use it without drawing.

use ratatui::layout::{Constraint, Direction, Layout, Rect};

use crate::app::{App, Side};

/// Below this width only the focused pane is shown.
pub const TWO_PANE_MIN_WIDTH: u16 = 80;

/// The screen regions.
#[derive(Debug, Clone, Copy)]
pub struct Regions {
    pub local: Option<Rect>,
    pub remote: Option<Rect>,
    pub panel: Option<Rect>,
    pub log: Option<Rect>,
    pub status: Rect,
}

/// Where each region goes for the app's terminal size; shared by paging and the mouse.
pub fn regions(app: &App) -> Regions {
    regions_in(Rect::new(0, 0, app.screen.width, app.screen.height), app)
}

/// Where each region goes in `area`.
pub fn regions_in(area: Rect, app: &App) -> Regions {
    let panel_h = if app.tasks.shown || app.log.shown {
        panel_height(area.height)
    } else {
        0
    };
    let rows = Layout::default()
        .direction(Direction::Vertical)
        .constraints([
            Constraint::Min(1),
            Constraint::Length(panel_h),
            Constraint::Length(1),
        ])
        .split(area);
    let (main, bottom, status) = (rows[0], rows[1], rows[2]);
    // The transfer panel and the protocol log share the bottom band, side by side.
    let (panel, log) = match (app.tasks.shown, app.log.shown) {
        (true, true) => {
            let halves = Layout::default()
                .direction(Direction::Horizontal)
                .constraints([Constraint::Percentage(55), Constraint::Percentage(45)])
                .split(bottom);
            (Some(halves[0]), Some(halves[1]))
        }
        (true, false) => (Some(bottom), None),
        (false, true) => (None, Some(bottom)),
        (false, false) => (None, None),
    };
    if area.width < TWO_PANE_MIN_WIDTH {
        let (local, remote) = match app.browse.focus {
            Side::Local => (Some(main), None),
            Side::Remote => (None, Some(main)),
        };
        return Regions {
            local,
            remote,
            panel,
            log,
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
        panel,
        log,
        status,
    }
}

fn panel_height(height: u16) -> u16 {
    (height / 3).clamp(5, 14).min(height.saturating_sub(6))
}

/// Rows of entries a pane shows (minus its two borders and its column header).
pub fn pane_rows(app: &App) -> usize {
    let r = regions(app);
    let h = r.local.or(r.remote).map(|r| r.height).unwrap_or(0);
    h.saturating_sub(3).max(1) as usize
}

/// Rows of jobs the transfer panel shows at a terminal height (minus borders and the totals line).
pub fn panel_rows(height: u16) -> usize {
    panel_height(height).saturating_sub(3).max(1) as usize
}

/// What is under a screen cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hit {
    /// A pane, and the index (into its visible entries) of the row, if on an entry.
    Pane(Side, Option<usize>),
    /// The transfer panel, and the job row, if on one.
    Panel(Option<usize>),
    Log,
    Nothing,
}

fn inside(r: Rect, column: u16, row: u16) -> bool {
    column >= r.x && column < r.x + r.width && row >= r.y && row < r.y + r.height
}

/// Map a mouse position to what the screen shows there.
pub fn hit_test(app: &App, column: u16, row: u16) -> Hit {
    let r = regions(app);
    for (side, rect) in [(Side::Local, r.local), (Side::Remote, r.remote)] {
        let Some(rect) = rect else { continue };
        if inside(rect, column, row) {
            let pane = app.pane(side);
            let first = rect.y + 2; // border + column header
            let last = rect.y + rect.height.saturating_sub(1);
            let index = (row >= first && row < last)
                .then(|| pane.offset + (row - first) as usize)
                .filter(|&i| i < pane.view.len());
            return Hit::Pane(side, index);
        }
    }
    if let Some(rect) = r.panel {
        if inside(rect, column, row) {
            let first = rect.y + 2; // border + totals line
            let last = rect.y + rect.height.saturating_sub(1);
            let index = (row >= first && row < last)
                .then(|| first_row(app, rect) + (row - first) as usize)
                .filter(|&i| i < app.tasks.list.jobs.len());
            return Hit::Panel(index);
        }
    }
    if r.log.is_some_and(|rect| inside(rect, column, row)) {
        return Hit::Log;
    }
    Hit::Nothing
}

/// Index of the first task row the panel shows in `area`, keeping the cursor visible.
pub fn first_row(app: &App, area: Rect) -> usize {
    let rows = area.height.saturating_sub(3).max(1) as usize;
    app.tasks.list.cursor.saturating_sub(rows - 1)
}

/// Rows of Synchronize's plan list on a screen `height` rows high (the dialog's frame, its
/// header, filter line and key hint, and the status bar aside).
pub fn sync_plan_rows(height: u16) -> usize {
    (height as usize).saturating_sub(6).max(1)
}
