//! Where each region of the screen goes for the app's terminal size: shared by drawing, paging
//! and the mouse. Pure geometry over the app's state, so the app can use it without drawing.

use ratatui::layout::{Constraint, Direction, Layout, Rect};

use unicode_width::UnicodeWidthStr;

use crate::app::keymap::{Keymap, Mode};
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

// ----- the help overlay ---------------------------------------------------------------------

const KEY_W: usize = 22;
/// The narrowest a column is made; a wider one holds its longest line where the screen allows.
const ONE_COLUMN_W: usize = 64;

/// A row of the help overlay: a heading, or keys and what they do.
pub enum HelpRow {
    Heading(String),
    Keys(String, &'static str),
}

/// The rows for `mode`: its own table; the transfer panel also lists the panes' keys that
/// work there (all but the moves).
pub fn help_rows(keymap: &Keymap, mode: Mode) -> Vec<HelpRow> {
    let table = |mode: Mode| {
        mode.help()
            .iter()
            .map(move |(keys, action, what)| (mode, *action, *keys, *what))
    };
    let row =
        |(mode, action, keys, what)| HelpRow::Keys(keymap.help_keys(mode, action, keys), what);
    let mut rows: Vec<HelpRow> = table(mode).map(row).collect();
    if mode == Mode::Panel {
        let b = Mode::Browser;
        rows.push(HelpRow::Heading(format!("{} [{}]", b.title(), b.table())));
        rows.extend(
            table(b)
                .filter(|(_, a, _, _)| !Mode::Panel.accepts(*a))
                .map(row),
        );
    }
    rows
}

/// The narrowest a description gets in a layout of several columns: below it the help is one
/// column that scrolls.
const MIN_DESCRIPTION_W: usize = 40;

/// How the help is laid out on a screen.
#[derive(Debug, Clone, Copy)]
pub struct HelpLayout {
    pub columns: usize,
    /// Rows of bindings shown.
    pub shown: usize,
    pub key_w: usize,
    pub col_w: usize,
    pub width: usize,
    /// The most the rows can be scrolled (0: everything is shown).
    pub max_scroll: usize,
}

pub fn help_layout(rows_of: &[HelpRow], area_w: usize, area_h: usize) -> HelpLayout {
    // Rows for bindings: the screen minus the frame and the closing hint.
    let rows = area_h.saturating_sub(3).max(1);
    // The keys take as much room as the longest of them needs, the descriptions the rest.
    let key_w = rows_of
        .iter()
        .map(|r| match r {
            HelpRow::Keys(keys, _) => keys.width() + 1,
            HelpRow::Heading(_) => 0,
        })
        .max()
        .unwrap_or(0)
        .min(KEY_W);
    // A column as wide as its longest line where the screen has room: a description is cut
    // short only when the terminal is too narrow for it.
    let longest = rows_of
        .iter()
        .map(|r| match r {
            HelpRow::Keys(_, what) => 1 + key_w + what.width() + 1,
            HelpRow::Heading(text) => text.width() + 2,
        })
        .max()
        .unwrap_or(0)
        .max(ONE_COLUMN_W);
    let fit = |columns: usize| {
        let width = (longest * columns + 2).min(area_w);
        let col_w = (width.saturating_sub(2) / columns).max(key_w + 4);
        (width, col_w)
    };
    let mut columns = rows_of.len().div_ceil(rows).max(1);
    let (mut width, mut col_w) = fit(columns);
    if columns > 1 && col_w < key_w + 1 + MIN_DESCRIPTION_W {
        // Too narrow for that many columns to say anything: one column that scrolls.
        columns = 1;
        (width, col_w) = fit(1);
    }
    HelpLayout {
        columns,
        shown: rows_of.len().div_ceil(columns).min(rows),
        key_w,
        col_w,
        width,
        max_scroll: rows_of.len().saturating_sub(rows * columns),
    }
}

/// How far the help of `mode` can be scrolled on a `width` × `height` screen: 0 when it all
/// shows at once.
pub fn help_max_scroll(keymap: &Keymap, mode: Mode, width: u16, height: u16) -> usize {
    help_layout(&help_rows(keymap, mode), width as usize, height as usize).max_scroll
}
