//! The mouse: click to move the cursor, double-click to open, wheel to scroll, and drag an
//! entry (or the selection) onto the other pane to copy it there.

use crossterm::event::{MouseButton, MouseEventKind};

use super::{App, Cmd, Side};
use crate::entry::EntryKind;
use crate::layout::Hit;

/// Two clicks on the same row within this many milliseconds open it.
const DOUBLE_CLICK_MS: u64 = 400;
/// Rows the wheel scrolls per notch.
const WHEEL_ROWS: isize = 3;

/// A press on an entry that may become a drag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drag {
    pub side: Side,
    pub name: String,
    /// The pointer has moved with the button down.
    pub moved: bool,
}

impl App {
    pub(super) fn on_mouse(
        &mut self,
        kind: MouseEventKind,
        column: u16,
        row: u16,
        at_ms: u64,
    ) -> Vec<Cmd> {
        if self.dialogs.help {
            // The wheel scrolls the help where it does not all fit.
            let max = self.help_max_scroll();
            let rows = WHEEL_ROWS.unsigned_abs();
            let now = self.dialogs.help_scroll.min(max);
            self.dialogs.help_scroll = match kind {
                MouseEventKind::ScrollDown => (now + rows).min(max),
                MouseEventKind::ScrollUp => now.saturating_sub(rows),
                _ => now,
            };
            return vec![];
        }
        if self.dialogs.is_open() || self.viewer.is_some() {
            return vec![];
        }
        let hit = crate::layout::hit_test(self, column, row);
        match kind {
            MouseEventKind::Down(MouseButton::Left) => self.on_press(hit, at_ms),
            MouseEventKind::Drag(MouseButton::Left) => {
                if let Some(d) = self.browse.drag.as_mut() {
                    if !d.moved {
                        d.moved = true;
                        self.info("Drop on the other pane to copy there (on a directory: into it)");
                    }
                }
                vec![]
            }
            MouseEventKind::Up(MouseButton::Left) => self.on_release(hit),
            MouseEventKind::ScrollDown => self.on_wheel(hit, WHEEL_ROWS),
            MouseEventKind::ScrollUp => self.on_wheel(hit, -WHEEL_ROWS),
            _ => vec![],
        }
    }

    fn on_press(&mut self, hit: Hit, at_ms: u64) -> Vec<Cmd> {
        match hit {
            Hit::Pane(side, Some(index)) => {
                self.browse.focus = side;
                self.tasks.focused = false;
                let pane = self.pane_mut(side);
                pane.move_to(index);
                let name = pane.current_name().unwrap_or_default();
                let double = matches!(&self.browse.last_click, Some((s, n, t))
                    if *s == side && *n == name && at_ms.saturating_sub(*t) <= DOUBLE_CLICK_MS);
                if double {
                    self.browse.last_click = None;
                    self.browse.drag = None;
                    return self.open_current();
                }
                self.browse.last_click = Some((side, name.clone(), at_ms));
                self.browse.drag = Some(Drag {
                    side,
                    name,
                    moved: false,
                });
            }
            Hit::Pane(side, None) => {
                self.browse.focus = side;
                self.tasks.focused = false;
            }
            Hit::Panel(index) => {
                self.tasks.focused = true;
                if let Some(i) = index {
                    self.tasks.list.cursor = i;
                }
            }
            Hit::Log | Hit::Nothing => {}
        }
        vec![]
    }

    fn on_release(&mut self, hit: Hit) -> Vec<Cmd> {
        let Some(drag) = self.browse.drag.take() else {
            return vec![];
        };
        let Hit::Pane(target, index) = hit else {
            return vec![];
        };
        if !drag.moved || target == drag.side {
            return vec![];
        }
        // Dropped on a directory row: into that directory.
        let dest_pane = self.pane(target);
        let dest = index
            .and_then(|i| dest_pane.view.get(i))
            .map(|&i| &dest_pane.entries[i])
            .filter(|e| e.kind == EntryKind::Dir)
            .map(|e| super::browse::child_path(target, &dest_pane.dir, &e.name));
        let src = self.pane(drag.side);
        let entries = if src.selected.contains(&drag.name) {
            src.targets().into_iter().cloned().collect()
        } else {
            src.entries
                .iter()
                .filter(|e| e.name == drag.name)
                .cloned()
                .collect()
        };
        self.copy_entries(drag.side, entries, false, dest)
    }

    fn on_wheel(&mut self, hit: Hit, delta: isize) -> Vec<Cmd> {
        let rows = self.pane_rows();
        match hit {
            Hit::Pane(side, _) => {
                let pane = self.pane_mut(side);
                pane.move_by(delta);
                pane.scroll_to_cursor(rows);
            }
            Hit::Panel(_) => self.tasks.list.move_by(delta),
            Hit::Log => {
                let max = self.log.lines.len();
                self.log.scroll = self.log.scroll.saturating_add_signed(-delta).min(max);
            }
            Hit::Nothing => {}
        }
        vec![]
    }
}
