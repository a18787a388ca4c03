//! Application state and `update`: pure, no I/O. Messages in, commands out.

pub mod dialog;
pub mod keymap;
pub mod pane;

use std::path::{Path, PathBuf};

use crossterm::event::{KeyEvent, KeyEventKind};

use crate::local::{LocalCmd, LocalEvent};
use crate::remote::{Profile, RemoteCmd, RemoteError, RemoteEvent, Secret, path as rpath};
use dialog::{Dialog, InputOutcome};
use keymap::Action;
pub use pane::{Pane, Side, SortKey};

/// Everything that can happen to the app.
#[derive(Debug, Clone)]
pub enum Msg {
    Key(KeyEvent),
    Resize { width: u16, height: u16 },
    Remote(RemoteEvent),
    Local(LocalEvent),
}

impl From<RemoteEvent> for Msg {
    fn from(e: RemoteEvent) -> Self {
        Msg::Remote(e)
    }
}

impl From<LocalEvent> for Msg {
    fn from(e: LocalEvent) -> Self {
        Msg::Local(e)
    }
}

/// Work for the event loop to hand to a worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cmd {
    Remote(RemoteCmd),
    Local(LocalCmd),
    Quit,
}

/// The state of the remote connection as the status bar shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnState {
    NotConnected,
    Connecting,
    Connected,
    Error(String),
}

/// The status bar's message.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Status {
    pub text: String,
    pub is_error: bool,
}

/// The whole application state.
#[derive(Debug)]
pub struct App {
    pub local: Pane,
    pub remote: Pane,
    pub focus: Side,
    pub conn: ConnState,
    pub profile: Option<Profile>,
    pub status: Status,
    pub dialog: Option<Dialog>,
    pub show_help: bool,
    /// Terminal size, for paging and scrolling.
    pub width: u16,
    pub height: u16,
    pub quit: bool,
    next_id: u64,
}

impl App {
    /// A new app showing `local_dir`, connecting to `profile` if given. Returns the commands
    /// that start it (the first listings, the connection).
    pub fn new(local_dir: PathBuf, profile: Option<Profile>) -> (App, Vec<Cmd>) {
        let mut app = App {
            local: Pane::new(Side::Local),
            remote: Pane::new(Side::Remote),
            focus: if profile.is_some() {
                Side::Remote
            } else {
                Side::Local
            },
            conn: ConnState::NotConnected,
            profile: None,
            status: Status::default(),
            dialog: None,
            show_help: false,
            width: 80,
            height: 24,
            quit: false,
            next_id: 0,
        };
        let mut cmds = vec![app.request_local(local_dir.to_string_lossy().into_owned(), None)];
        match profile {
            Some(p) => cmds.extend(app.start_connect(p)),
            None => {
                app.remote.error =
                    Some("Not connected. Start ftpdeck with an ftp:// URL or --demo.".into());
                app.info("Press ? for help, q to quit.");
            }
        }
        (app, cmds)
    }

    /// Apply one message; return the work it asks for.
    pub fn update(&mut self, msg: Msg) -> Vec<Cmd> {
        match msg {
            Msg::Key(key) if key.kind != KeyEventKind::Release => self.on_key(key),
            Msg::Key(_) => vec![],
            Msg::Resize { width, height } => {
                self.width = width;
                self.height = height;
                self.scroll_both();
                vec![]
            }
            Msg::Remote(e) => self.on_remote(e),
            Msg::Local(e) => self.on_local(e),
        }
    }

    pub fn pane(&self, side: Side) -> &Pane {
        match side {
            Side::Local => &self.local,
            Side::Remote => &self.remote,
        }
    }

    fn pane_mut(&mut self, side: Side) -> &mut Pane {
        match side {
            Side::Local => &mut self.local,
            Side::Remote => &mut self.remote,
        }
    }

    /// Rows of entries a pane shows at the current terminal size.
    pub fn pane_rows(&self) -> usize {
        crate::ui::pane_rows(self.height)
    }

    fn info(&mut self, text: impl Into<String>) {
        self.status = Status {
            text: text.into(),
            is_error: false,
        };
    }

    fn error(&mut self, text: impl Into<String>) {
        self.status = Status {
            text: text.into(),
            is_error: true,
        };
    }

    fn next_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    fn scroll_both(&mut self) {
        let rows = self.pane_rows();
        self.local.scroll_to_cursor(rows);
        self.remote.scroll_to_cursor(rows);
    }

    // ----- starting work -------------------------------------------------------------------

    fn request_local(&mut self, path: String, select: Option<String>) -> Cmd {
        let id = self.next_id();
        self.local.pending = Some(pane::Pending {
            id,
            path: path.clone(),
            select,
        });
        Cmd::Local(LocalCmd::List {
            id,
            path: PathBuf::from(path),
        })
    }

    fn request_remote(&mut self, path: String, select: Option<String>) -> Cmd {
        let id = self.next_id();
        self.remote.pending = Some(pane::Pending {
            id,
            path: path.clone(),
            select,
        });
        Cmd::Remote(RemoteCmd::List { id, path })
    }

    fn request(&mut self, side: Side, path: String, select: Option<String>) -> Vec<Cmd> {
        match side {
            Side::Local => vec![self.request_local(path, select)],
            Side::Remote => {
                if self.conn != ConnState::Connected {
                    return self.reconnect();
                }
                vec![self.request_remote(path, select)]
            }
        }
    }

    fn start_connect(&mut self, profile: Profile) -> Vec<Cmd> {
        let needs_password = profile.password.is_none();
        let label = profile.label();
        self.profile = Some(profile);
        if needs_password {
            self.dialog = Some(Dialog::Password {
                label,
                input: String::new(),
                error: None,
            });
            return vec![];
        }
        self.conn = ConnState::Connecting;
        let profile = self.profile.clone().expect("just set");
        vec![Cmd::Remote(RemoteCmd::Connect { profile })]
    }

    fn reconnect(&mut self) -> Vec<Cmd> {
        match self.profile.clone() {
            Some(p) => self.start_connect(p),
            None => {
                self.error("Not connected: start ftpdeck with an ftp:// URL or --demo");
                vec![]
            }
        }
    }

    // ----- keys ------------------------------------------------------------------------------

    fn on_key(&mut self, key: KeyEvent) -> Vec<Cmd> {
        if self.dialog.is_some() {
            return self.on_dialog_key(key);
        }
        let action = keymap::action_for(&key);
        if self.show_help {
            // Any key closes the help; a quit key still quits.
            self.show_help = false;
            if action != Some(Action::Quit) {
                return vec![];
            }
        }
        match action {
            Some(a) => self.on_action(a),
            None => vec![],
        }
    }

    fn on_action(&mut self, action: Action) -> Vec<Cmd> {
        let rows = self.pane_rows();
        let side = self.focus;
        let pane = self.pane_mut(side);
        match action {
            Action::SwitchPane => self.focus = side.other(),
            Action::Up => pane.move_by(-1),
            Action::Down => pane.move_by(1),
            Action::PageUp => pane.move_by(-(rows as isize)),
            Action::PageDown => pane.move_by(rows as isize),
            Action::Top => pane.move_to(0),
            Action::Bottom => pane.move_to(usize::MAX),
            Action::ToggleHidden => pane.toggle_hidden(),
            Action::CycleSort => {
                pane.cycle_sort();
                let label = pane.sort.label();
                self.info(format!("Sorted by {label}"));
            }
            Action::ReverseSort => {
                pane.toggle_reverse();
                let order = if pane.reverse {
                    "descending"
                } else {
                    "ascending"
                };
                self.info(format!("Sort order {order}"));
            }
            Action::Open => return self.open_current(),
            Action::Parent => return self.go_parent(),
            Action::Refresh => return self.refresh(),
            Action::Help => self.show_help = true,
            Action::Quit => {
                self.quit = true;
                return vec![Cmd::Quit];
            }
        }
        self.pane_mut(side).scroll_to_cursor(rows);
        vec![]
    }

    fn open_current(&mut self) -> Vec<Cmd> {
        let side = self.focus;
        let pane = self.pane(side);
        let Some(entry) = pane.current() else {
            return vec![];
        };
        use crate::entry::EntryKind;
        match entry.kind {
            EntryKind::Dir | EntryKind::Symlink => {
                let name = entry.name.clone();
                let target = child_path(side, &pane.dir, &name);
                self.request(side, target, None)
            }
            EntryKind::File => {
                let name = crate::sanitize::display_name(&entry.name);
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
        let side = self.focus;
        let dir = self.pane(side).dir.clone();
        let Some(parent) = parent_path(side, &dir) else {
            return vec![];
        };
        let select = file_name(side, &dir);
        self.request(side, parent, select)
    }

    fn refresh(&mut self) -> Vec<Cmd> {
        let side = self.focus;
        if side == Side::Remote && self.conn != ConnState::Connected {
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

    fn on_dialog_key(&mut self, key: KeyEvent) -> Vec<Cmd> {
        let Some(Dialog::Password { input, .. }) = self.dialog.as_mut() else {
            return vec![];
        };
        match dialog::edit_line(input, &key) {
            InputOutcome::Editing => vec![],
            InputOutcome::Cancelled => {
                self.dialog = None;
                self.remote.error = Some("Not connected (password prompt cancelled).".into());
                self.info("Not connected — press r in the remote pane to try again");
                vec![]
            }
            InputOutcome::Submitted(password) => {
                self.dialog = None;
                let Some(mut profile) = self.profile.clone() else {
                    return vec![];
                };
                profile.password = Some(Secret::new(password));
                self.start_connect(profile)
            }
        }
    }

    // ----- worker events ---------------------------------------------------------------------

    fn on_remote(&mut self, event: RemoteEvent) -> Vec<Cmd> {
        match event {
            RemoteEvent::Connecting { label } => {
                self.conn = ConnState::Connecting;
                self.info(format!("Connecting to {label}…"));
                vec![]
            }
            RemoteEvent::Connected { label, home, .. } => {
                self.conn = ConnState::Connected;
                self.remote.error = None;
                self.info(format!("Connected to {label}"));
                let start = match &self.profile {
                    Some(p) if !p.path.is_empty() && self.remote.dir.is_empty() => p.path.clone(),
                    _ if !self.remote.dir.is_empty() => self.remote.dir.clone(),
                    _ => home,
                };
                vec![self.request_remote(start, None)]
            }
            RemoteEvent::ConnectFailed { error } => {
                let msg = error.to_string();
                self.conn = ConnState::Error(msg.clone());
                self.remote.pending = None;
                if matches!(error, RemoteError::Login { .. }) {
                    // Forget the wrong password and ask again.
                    if let Some(p) = self.profile.as_mut() {
                        p.password = None;
                        self.dialog = Some(Dialog::Password {
                            label: p.label(),
                            input: String::new(),
                            error: Some(msg.clone()),
                        });
                    }
                }
                if self.remote.entries.is_empty() {
                    self.remote.error = Some(msg.clone());
                }
                self.error(format!("{msg} — press r to retry"));
                vec![]
            }
            RemoteEvent::Reconnected { label } => {
                self.conn = ConnState::Connected;
                self.info(format!(
                    "The connection had dropped; reconnected to {label}"
                ));
                vec![]
            }
            RemoteEvent::ConnectionLost { error } => {
                self.conn = ConnState::Error(error.to_string());
                self.error(format!("{error} — press r to reconnect"));
                vec![]
            }
            RemoteEvent::Listed { id, result, .. } => {
                let Some(pending) = self.remote.pending.clone().filter(|p| p.id == id) else {
                    return vec![]; // a late answer for a directory the user already left
                };
                self.remote.pending = None;
                match result {
                    Ok(listing) => {
                        self.remote.set_listing(
                            listing.path,
                            listing.entries,
                            pending.select.as_deref(),
                        );
                        self.remote.scroll_to_cursor(self.pane_rows());
                        if self.conn != ConnState::Connected {
                            self.conn = ConnState::Connected;
                        }
                    }
                    Err(error) => {
                        let path = crate::sanitize::display_name(&pending.path);
                        if error.is_connection_lost() {
                            self.conn = ConnState::Error(error.to_string());
                        }
                        if self.remote.entries.is_empty() {
                            self.remote.error = Some(format!("{path}: {error}"));
                        }
                        self.error(format!("Cannot open {path}: {error} — press r to retry"));
                    }
                }
                vec![]
            }
        }
    }

    fn on_local(&mut self, event: LocalEvent) -> Vec<Cmd> {
        match event {
            LocalEvent::Listed { id, result, .. } => {
                let Some(pending) = self.local.pending.clone().filter(|p| p.id == id) else {
                    return vec![];
                };
                self.local.pending = None;
                match result {
                    Ok((dir, entries)) => {
                        let dir = dir.to_string_lossy().into_owned();
                        self.local
                            .set_listing(dir, entries, pending.select.as_deref());
                        self.local.scroll_to_cursor(self.pane_rows());
                    }
                    Err(e) => {
                        if self.local.entries.is_empty() {
                            self.local.error = Some(e.clone());
                        }
                        self.error(format!("Cannot open {e}"));
                    }
                }
                vec![]
            }
        }
    }
}

fn child_path(side: Side, dir: &str, name: &str) -> String {
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
