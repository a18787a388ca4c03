//! Browsing: keys and the actions they trigger on the panes.

use std::path::Path;

use crossterm::event::{KeyEvent, KeyModifiers};

use super::dialog::Dialog;
use super::keymap::{Action, Mode};
use super::textfield::{FieldOutcome, TextField};
use super::{App, Cmd, ConnState, Side};
use crate::entry::EntryKind;
use crate::remote::path as rpath;
use crate::words::{count, short};

/// The two panes and the ways of moving through them.
#[derive(Debug)]
pub struct Browse {
    pub local: super::Pane,
    pub remote: super::Pane,
    pub focus: Side,
    /// The focused pane's filter is being typed (in this field).
    pub filtering: Option<TextField>,
    /// Entering or leaving a directory in one pane does the same in the other.
    pub sync_browse: bool,
    /// Mark the differences between the two directories.
    pub compare_on: bool,
    pub drag: Option<super::Drag>,
    pub(super) last_click: Option<(Side, String, u64)>,
    /// Free and total bytes where the local pane's directory lives.
    pub local_disk: Option<(u64, u64)>,
    /// Panes (local, remote) that tasks changed and that need a refresh.
    pub(super) dirty: (bool, bool),
}

impl Browse {
    /// The focused pane.
    pub fn focused_mut(&mut self) -> &mut super::Pane {
        match self.focus {
            Side::Local => &mut self.local,
            Side::Remote => &mut self.remote,
        }
    }

    /// Handle a browsing action that changes only the panes (moving, selecting, sorting,
    /// hidden files, synchronised browsing); `None` for any other action. `rows` is how many
    /// entries a pane shows.
    pub fn update(&mut self, action: Action, rows: usize) -> Option<super::Effect> {
        use super::Effect;
        let pane = self.focused_mut();
        match action {
            Action::Up => pane.move_by(-1),
            Action::Down => pane.move_by(1),
            Action::PageUp => pane.move_by(-(rows as isize)),
            Action::PageDown => pane.move_by(rows as isize),
            Action::Top => pane.move_to(0),
            Action::Bottom => pane.move_to(usize::MAX),
            Action::ToggleHidden => pane.toggle_hidden(),
            Action::ToggleSelect => pane.toggle_select_current(),
            Action::InvertSelection => pane.invert_selection(),
            Action::CycleSort => {
                pane.cycle_sort();
                let label = pane.sort.label();
                pane.scroll_to_cursor(rows);
                return Some(Effect::Info(format!("Sorted by {label}")));
            }
            Action::ReverseSort => {
                pane.toggle_reverse();
                let order = if pane.reverse {
                    "descending"
                } else {
                    "ascending"
                };
                pane.scroll_to_cursor(rows);
                return Some(Effect::Info(format!("Sort order {order}")));
            }
            Action::SyncBrowse => {
                self.sync_browse = !self.sync_browse;
                let state = if self.sync_browse { "on" } else { "off" };
                return Some(Effect::Info(format!("Synchronised browsing {state}")));
            }
            _ => return None,
        }
        pane.scroll_to_cursor(rows);
        Some(Effect::Done)
    }

    pub fn new(focus: Side) -> Browse {
        Browse {
            local: super::Pane::new(Side::Local),
            remote: super::Pane::new(Side::Remote),
            focus,
            filtering: None,
            sync_browse: false,
            compare_on: false,
            drag: None,
            last_click: None,
            local_disk: None,
            dirty: (false, false),
        }
    }
}

impl App {
    // ----- keys ------------------------------------------------------------------------------

    /// How far the help can scroll on this screen (0: it all shows).
    pub(super) fn help_max_scroll(&self) -> usize {
        let mode = self.key_mode().unwrap_or(Mode::Browser);
        crate::layout::help_max_scroll(&self.keymap, mode, self.screen.width, self.screen.height)
    }

    pub(super) fn on_key(&mut self, key: KeyEvent) -> Vec<Cmd> {
        if self.dialogs.help {
            // Where the help does not all fit, the moving keys scroll it.
            let max = self.help_max_scroll();
            let page = (self.screen.height as usize).saturating_sub(4).max(1);
            let plain = key.modifiers.difference(KeyModifiers::SHIFT).is_empty();
            let now = self.dialogs.help_scroll.min(max);
            if let Some(to) = (max > 0 && plain)
                .then(|| super::modal::scrolled(key.code, now, max, page))
                .flatten()
            {
                self.dialogs.help_scroll = to;
                return vec![];
            }
            // Any other key closes the help; a quit key of the panes still quits.
            self.dialogs.help = false;
            self.dialogs.help_scroll = 0;
            let in_panes = matches!(self.key_mode(), Some(Mode::Browser | Mode::Panel));
            if in_panes && self.pane_action(&key) == Some(Action::Quit) {
                return self.quit_or_confirm();
            }
            return vec![];
        }
        if self.dialogs.is_open() {
            return self.on_dialog_key(key);
        }
        if self.viewer.is_some() {
            self.on_viewer_key(key);
            return vec![];
        }
        if self.browse.filtering.is_some() {
            self.on_filter_key(key);
            return vec![];
        }
        match self.pane_action(&key) {
            Some(a) => self.on_action(a),
            None => vec![],
        }
    }

    /// The keymap mode whose keys apply now; `None` while a text field or a question with
    /// fixed keys (y/n, the certificate) has the keyboard.
    pub fn key_mode(&self) -> Option<Mode> {
        match self.dialogs.top() {
            Some(Dialog::Bookmarks { .. }) => Some(Mode::Bookmarks),
            Some(Dialog::Overwrite { .. }) => Some(Mode::Overwrite),
            Some(_) => None,
            None if self.viewer.is_some() => Some(Mode::Viewer),
            None if self.browse.filtering.is_some() => None,
            None if self.tasks.focused => Some(Mode::Panel),
            None => Some(Mode::Browser),
        }
    }

    /// What a key asks of the panes. With the transfer panel focused its own table comes
    /// first; the panes' other keys still work there, but not their moves (the panel moves
    /// by `[keys.panel]` only, so rebinding a move in `[keys]` never moves the panel).
    fn pane_action(&self, key: &KeyEvent) -> Option<Action> {
        if self.tasks.focused {
            if let Some(a) = self.keymap.action_for(Mode::Panel, key) {
                return Some(a);
            }
            return self
                .keymap
                .action_for(Mode::Browser, key)
                .filter(|a| !Mode::Panel.accepts(*a));
        }
        self.keymap.action_for(Mode::Browser, key)
    }

    pub(super) fn on_action(&mut self, action: Action) -> Vec<Cmd> {
        if self.tasks.focused && self.on_panel_action(action) {
            return vec![];
        }
        let rows = self.pane_rows();
        if let Some(effect) = self.browse.update(action, rows) {
            self.apply(effect);
            return vec![];
        }
        let side = self.browse.focus;
        match action {
            Action::SwitchPane => self.switch_focus(),
            Action::SelectGlob | Action::DeselectGlob => {
                self.dialogs.show(Dialog::Glob {
                    select: action == Action::SelectGlob,
                    input: TextField::new("*"),
                });
            }
            Action::Copy => return self.copy_targets(side, false, None),
            Action::Move => return self.copy_targets(side, true, None),
            Action::ToggleTransfers => self.tasks.toggle(),
            Action::CancelJob => return self.cancel_current_job(),
            Action::CancelAll => return self.cancel_all(),
            Action::RetryJob => return self.retry_current_job(),
            Action::HalveLimit => return self.change_limits(false),
            Action::DoubleLimit => return self.change_limits(true),
            Action::Open => return self.open_current(),
            Action::Parent => return self.go_parent(),
            Action::Refresh => return self.refresh(),
            Action::Help => self.dialogs.help = true,
            Action::Quit => return self.quit_or_confirm(),
            Action::Mkdir => self.ask_mkdir(),
            Action::Rename => self.ask_rename(),
            Action::Delete => self.ask_delete(),
            Action::Chmod => self.ask_chmod(),
            Action::DirSize => return self.measure_current(),
            Action::View => return self.view_current(),
            Action::Edit => return self.edit_current(),
            Action::Filter => {
                self.browse.filtering = Some(TextField::new(self.pane(side).filter.clone()));
                self.info("Filter: type to narrow · Enter keeps · Esc clears");
            }
            Action::Compare => self.toggle_compare(),
            Action::Synchronize => self.open_sync(),
            Action::Bookmarks => self.open_bookmarks(),
            Action::Suspend => return vec![Cmd::Suspend],
            Action::QuickConnect => self.dialogs.show(Dialog::Form(Box::default())),
            Action::ToggleLog => self.log.toggle(),
            Action::Doctor => return self.doctor_here(),
            // Handled by the panes themselves (above), or actions of other modes that the
            // panes' table never binds.
            Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::Top
            | Action::Bottom
            | Action::ToggleHidden
            | Action::CycleSort
            | Action::ReverseSort
            | Action::ToggleSelect
            | Action::InvertSelection
            | Action::SyncBrowse
            | Action::Close
            | Action::ToggleHex
            | Action::Connect
            | Action::New
            | Action::Overwrite
            | Action::Resume
            | Action::Skip
            | Action::KeepBoth
            | Action::OverwriteIfNewer
            | Action::ApplyToAll => {}
        }
        self.pane_mut(side).scroll_to_cursor(rows);
        vec![]
    }

    /// Tab: local -> remote -> transfer panel (when shown) -> local.
    fn switch_focus(&mut self) {
        if self.tasks.focused {
            self.tasks.focused = false;
            self.browse.focus = Side::Local;
        } else if self.browse.focus == Side::Remote && self.tasks.shown {
            self.tasks.focused = true;
        } else {
            self.browse.focus = self.browse.focus.other();
        }
    }

    /// Keys that move within the transfer panel when it has the focus; true if handled.
    fn on_panel_action(&mut self, action: Action) -> bool {
        let page = crate::layout::panel_rows(self.screen.height);
        self.tasks.update(action, page)
    }

    pub(super) fn quit_or_confirm(&mut self) -> Vec<Cmd> {
        if self.tasks.list.has_active() {
            self.dialogs.show(Dialog::ConfirmQuit);
            return vec![];
        }
        self.quit = true;
        vec![Cmd::Quit]
    }

    pub(super) fn open_current(&mut self) -> Vec<Cmd> {
        let side = self.browse.focus;
        let pane = self.pane(side);
        let Some(entry) = pane.current() else {
            return vec![];
        };
        use crate::entry::EntryKind;
        match entry.kind {
            EntryKind::Dir | EntryKind::Symlink => {
                let name = entry.name.clone();
                let target = child_path(side, &pane.dir, &name);
                let mut cmds = self.request(side, target, None);
                if self.browse.sync_browse {
                    cmds.extend(self.follow_into(side.other(), &name));
                }
                cmds
            }
            EntryKind::File => {
                let name = short(&entry.name);
                self.info(format!("{name} is a file"));
                vec![]
            }
            EntryKind::Unknown => {
                self.error("This listing line could not be parsed; it cannot be opened");
                vec![]
            }
        }
    }

    fn go_parent(&mut self) -> Vec<Cmd> {
        let side = self.browse.focus;
        // While a directory is still loading, going back means staying where we are:
        // forget the pending listing (its answer will be dropped).
        if self.pane(side).pending.is_some() && !self.pane(side).dir.is_empty() {
            self.pane_mut(side).pending = None;
            self.info("Stayed in this directory");
            return vec![];
        }
        let dir = self.pane(side).dir.clone();
        let Some(parent) = parent_path(side, &dir) else {
            return vec![];
        };
        let select = file_name(side, &dir);
        let mut cmds = self.request(side, parent, select);
        if self.browse.sync_browse {
            cmds.extend(self.follow_up(side.other()));
        }
        cmds
    }

    /// Synchronised browsing: enter `name` in `side` too, when it has such a directory.
    fn follow_into(&mut self, side: Side, name: &str) -> Vec<Cmd> {
        let pane = self.pane(side);
        let exists = pane
            .entries
            .iter()
            .any(|e| e.name == name && e.kind == EntryKind::Dir);
        if !exists || (side == Side::Remote && self.server.conn != ConnState::Connected) {
            return vec![];
        }
        let target = child_path(side, &pane.dir, name);
        self.request(side, target, None)
    }

    /// Synchronised browsing: go up in `side` too.
    fn follow_up(&mut self, side: Side) -> Vec<Cmd> {
        let dir = self.pane(side).dir.clone();
        if side == Side::Remote && self.server.conn != ConnState::Connected {
            return vec![];
        }
        match parent_path(side, &dir) {
            Some(parent) => {
                let select = file_name(side, &dir);
                self.request(side, parent, select)
            }
            None => vec![],
        }
    }

    fn on_filter_key(&mut self, key: KeyEvent) {
        use crossterm::event::KeyCode;
        let side = self.browse.focus;
        let Some(field) = self.browse.filtering.as_mut() else {
            return;
        };
        match field.on_key(&key) {
            FieldOutcome::Submitted => {
                self.browse.filtering = None;
                let n = self.pane(side).view.len();
                self.info(format!(
                    "Filter kept: {} (/ to change, Esc in the filter clears)",
                    count(n, "entry", "entries")
                ));
            }
            FieldOutcome::Cancelled => {
                self.browse.filtering = None;
                self.apply_filter("");
                self.info("Filter cleared");
            }
            FieldOutcome::Editing => self.filter_changed(),
            FieldOutcome::Ignored if matches!(key.code, KeyCode::Up | KeyCode::Down) => {
                let delta = if key.code == KeyCode::Up { -1 } else { 1 };
                let rows = self.pane_rows();
                let pane = self.pane_mut(side);
                pane.move_by(delta);
                pane.scroll_to_cursor(rows);
            }
            FieldOutcome::Ignored => {}
        }
    }

    /// The filter field's text changed (typed or pasted): narrow the focused pane.
    pub(super) fn filter_changed(&mut self) {
        if let Some(text) = self.browse.filtering.as_ref().map(|f| f.text().to_string()) {
            self.apply_filter(&text);
        }
    }

    fn apply_filter(&mut self, text: &str) {
        let rows = self.pane_rows();
        let pane = self.pane_mut(self.browse.focus);
        if pane.filter != text {
            pane.set_filter(text);
            pane.scroll_to_cursor(rows);
        }
    }

    /// A paste goes into the text field that has the focus, as text; anywhere else it does
    /// nothing (pasted text must never become commands).
    pub(super) fn on_paste(&mut self, text: &str) {
        if let Some(dialog) = self.dialogs.top_mut() {
            if let Some(field) = dialog.text_field_mut() {
                field.insert_str(text);
                if let Dialog::Form(form) = dialog {
                    form.error = None;
                }
                return;
            }
        } else if self.viewer.is_none() {
            if let Some(field) = self.browse.filtering.as_mut() {
                field.insert_str(text);
                self.filter_changed();
                return;
            }
        }
        self.info("Paste ignored: no text field has the focus");
    }

    fn on_viewer_key(&mut self, key: KeyEvent) {
        let rows = self.pane_rows().max(1);
        let action = self.keymap.action_for(Mode::Viewer, &key);
        let (Some(v), Some(action)) = (self.viewer.as_mut(), action) else {
            return;
        };
        if let Some(effect) = v.update(action, rows) {
            self.apply(effect);
        }
    }

    pub(super) fn refresh(&mut self) -> Vec<Cmd> {
        let side = self.browse.focus;
        if side == Side::Remote && self.server.conn != ConnState::Connected {
            return self.reconnect();
        }
        let pane = self.pane(side);
        let dir = pane.dir.clone();
        let keep = pane.current_name();
        if dir.is_empty() {
            return vec![];
        }
        self.request(side, dir, keep)
    }
}

pub(super) fn child_path(side: Side, dir: &str, name: &str) -> String {
    match side {
        Side::Remote => rpath::join(dir, name),
        Side::Local => Path::new(dir).join(name).to_string_lossy().into_owned(),
    }
}

fn parent_path(side: Side, dir: &str) -> Option<String> {
    match side {
        Side::Remote => rpath::parent(dir),
        Side::Local => Path::new(dir)
            .parent()
            .map(|p| p.to_string_lossy().into_owned()),
    }
}

fn file_name(side: Side, dir: &str) -> Option<String> {
    match side {
        Side::Remote => rpath::file_name(dir).map(str::to_string),
        Side::Local => Path::new(dir)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned()),
    }
}
