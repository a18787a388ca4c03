//! Application state and `update`: pure, no I/O. Messages in, commands out.

mod browse;
mod chmod;
mod compare;
pub mod connect;
mod copy;
pub mod dialog;
mod events;
pub mod fileops;
pub mod form;
pub mod keymap;
mod modal;
mod mouse;
pub mod pane;
pub mod tasks;
pub mod textfield;
pub mod transfers;
pub mod viewer;

use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;

use crossterm::event::{KeyEvent, KeyEventKind, MouseEventKind};

use crate::local::{LocalCmd, LocalEvent};
use crate::remote::{Profile, RemoteCmd, RemoteEvent};
use crate::transfer::{JobId, Resolution, TransferCmd, TransferEvent};
use dialog::Dialog;
pub use mouse::Drag;
pub use pane::{Pane, Side, SortKey};
pub use transfers::Transfers;

/// Everything that can happen to the app.
#[derive(Debug, Clone)]
pub enum Msg {
    Key(KeyEvent),
    /// Text pasted into the terminal (bracketed paste): never keys, only text for a field.
    Paste(String),
    Resize {
        width: u16,
        height: u16,
    },
    Remote(RemoteEvent),
    Local(LocalEvent),
    Transfer(TransferEvent),
    /// A mouse event at a cell; `at_ms` is when it happened (for double clicks).
    Mouse {
        kind: MouseEventKind,
        column: u16,
        row: u16,
        at_ms: u64,
    },
    /// About one second passed (speed samples, coalesced pane refreshes); `now` is Unix seconds.
    Tick {
        now: i64,
    },
    /// The external editor closed (`Cmd::Edit`).
    Edited {
        path: PathBuf,
        remote: Option<String>,
        changed: bool,
        error: Option<String>,
    },
    /// A line of the browsing connection's FTP conversation (password masked).
    ProtocolLog(String),
    /// A worker thread panicked (a bug): tell the user, keep going.
    WorkerFailed(String),
    /// A worker is gone (a command could not reach it): nothing it was asked will be answered.
    WorkerGone(Worker),
    /// SIGTERM or SIGHUP: quit now.
    Terminate(i32),
}

impl From<TransferEvent> for Msg {
    fn from(e: TransferEvent) -> Self {
        Msg::Transfer(e)
    }
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

/// The background workers, as the UI names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Worker {
    Session,
    Local,
    Transfers,
}

/// Work for the event loop to hand to a worker.
#[derive(Debug, Clone, PartialEq)]
pub enum Cmd {
    Remote(RemoteCmd),
    Local(LocalCmd),
    Transfer(TransferCmd),
    /// Ctrl-Z: give the terminal back and stop until `fg`.
    Suspend,
    /// Suspend the UI and run `$EDITOR` on `path`; answered by `Msg::Edited`.
    Edit {
        path: PathBuf,
        remote: Option<String>,
    },
    Quit,
}

/// Seconds without a byte before a running transfer shows as stalled.
pub const STALLED_AFTER: u32 = 3;

/// Lines of the protocol log kept in memory.
pub const PROTOCOL_LOG_LINES: usize = 2000;

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
    pub transfers: Transfers,
    pub show_transfers: bool,
    /// The transfer panel has the keyboard (Tab cycles to it when it is shown).
    pub panel_focus: bool,
    /// Conflicts waiting for the overwrite dialog, oldest first.
    pub conflicts: VecDeque<JobId>,
    /// "Apply to all" answers, per batch.
    pub batch_policy: HashMap<u64, Resolution>,
    /// What to do with existing destinations without asking (from the config).
    pub default_policy: Option<Resolution>,
    pub drag: Option<Drag>,
    pub keymap: keymap::Keymap,
    last_click: Option<(Side, String, u64)>,
    /// The file operation in progress.
    pub op: Option<fileops::PendingOp>,
    pub viewer: Option<viewer::Viewer>,
    /// The focused pane's filter is being typed (in this field).
    pub filtering: Option<textfield::TextField>,
    /// Entering or leaving a directory in one pane does the same in the other.
    pub sync_browse: bool,
    /// Mark the differences between the two directories.
    pub compare_on: bool,
    pub show_log: bool,
    /// The browsing connection's conversation, newest last.
    pub protocol_log: VecDeque<String>,
    /// Lines scrolled back from the end of the log.
    pub log_scroll: usize,
    /// Where fetched remote files go for viewing and editing.
    pub temp_dir: PathBuf,
    /// Tells this run's temp files apart from another instance's.
    pub session_tag: String,
    /// Bookmarks and recent connections (saved by the local worker).
    pub bookmarks: crate::bookmarks::Store,
    /// Why bookmarks.toml could not be read; nothing is saved over it then.
    pub bookmarks_broken: Option<String>,
    /// The bookmark of the current connection, if it came from one.
    pub current_bookmark: Option<String>,
    /// Unix seconds, from the last tick.
    pub now: i64,
    pub theme: crate::theme::Theme,
    /// Free and total bytes where the local pane's directory lives.
    pub local_disk: Option<(u64, u64)>,
    /// Edited remote files (scratch copy) and their kept copy in the state directory, until
    /// the edit reaches the server.
    pub kept_edits: HashMap<PathBuf, PathBuf>,
    /// A warning kept in the status bar (after the newest message) until the first key (startup problems
    /// that the first "Connected" must not wipe out).
    sticky_warning: Option<String>,
    /// Copies that are steps of editing a remote file.
    edits: HashMap<JobId, tasks::EditStep>,
    /// A permissions change waiting for the listing that shows its result.
    chmod_check: Option<chmod::ChmodCheck>,
    /// Panes (local, remote) that transfers changed and that need a refresh.
    dirty: (bool, bool),
    next_id: u64,
    next_batch: u64,
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
            transfers: Transfers::default(),
            show_transfers: false,
            panel_focus: false,
            conflicts: VecDeque::new(),
            batch_policy: HashMap::new(),
            default_policy: None,
            drag: None,
            keymap: keymap::Keymap::default(),
            last_click: None,
            dirty: (false, false),
            chmod_check: None,
            edits: HashMap::new(),
            sticky_warning: None,
            op: None,
            bookmarks: Default::default(),
            bookmarks_broken: None,
            current_bookmark: None,
            now: 0,
            local_disk: None,
            kept_edits: HashMap::new(),
            theme: crate::theme::Theme::dark(),
            viewer: None,
            filtering: None,
            sync_browse: false,
            compare_on: false,
            show_log: false,
            protocol_log: VecDeque::new(),
            log_scroll: 0,
            temp_dir: std::env::temp_dir(),
            session_tag: std::process::id().to_string(),
            next_id: 0,
            next_batch: 0,
        };
        let mut cmds = vec![app.request_local(local_dir.to_string_lossy().into_owned(), None)];
        match profile {
            Some(p) => cmds.extend(app.start_connect(p)),
            None => {
                app.remote.error = Some("Not connected — b: bookmarks, o: quick connect.".into());
                app.info("Press ? for help, q to quit.");
            }
        }
        (app, cmds)
    }

    /// Apply one message; return the work it asks for.
    pub fn update(&mut self, msg: Msg) -> Vec<Cmd> {
        match msg {
            Msg::Key(key) if key.kind != KeyEventKind::Release => {
                self.sticky_warning = None;
                self.on_key(key)
            }
            Msg::Key(_) => vec![],
            Msg::Paste(text) => {
                self.on_paste(&text);
                vec![]
            }
            Msg::Resize { width, height } => {
                self.width = width;
                self.height = height;
                self.scroll_both();
                vec![]
            }
            Msg::Remote(e) => self.on_remote(e),
            Msg::Local(e) => self.on_local(e),
            Msg::Transfer(e) => self.on_transfer(e),
            Msg::Mouse {
                kind,
                column,
                row,
                at_ms,
            } => self.on_mouse(kind, column, row, at_ms),
            Msg::Tick { now } => {
                self.now = now;
                self.on_tick()
            }
            Msg::Edited {
                path,
                remote,
                changed,
                error,
            } => self.on_edited(path, remote, changed, error),
            Msg::WorkerFailed(what) => {
                self.error(format!(
                    "Internal error in {what} — please report it (log file); restart ftpdeck if something stops working"
                ));
                vec![]
            }
            Msg::WorkerGone(worker) => {
                self.on_worker_gone(worker);
                vec![]
            }
            Msg::Terminate(_) => {
                self.quit = true;
                vec![Cmd::Transfer(TransferCmd::CancelAll), Cmd::Quit]
            }
            Msg::ProtocolLog(line) => {
                if self.protocol_log.len() == PROTOCOL_LOG_LINES {
                    self.protocol_log.pop_front();
                }
                self.protocol_log.push_back(line);
                vec![]
            }
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
        crate::ui::pane_rows(self)
    }

    fn info(&mut self, text: impl Into<String>) {
        self.set_status(text.into(), false);
    }

    fn error(&mut self, text: impl Into<String>) {
        self.set_status(text.into(), true);
    }

    fn set_status(&mut self, text: String, is_error: bool) {
        self.status = match &self.sticky_warning {
            // The news first: the warning must not push it off the line.
            Some(w) => Status {
                text: format!("{text} · {w}"),
                is_error: true,
            },
            None => Status { text, is_error },
        };
    }

    /// Show `text` as a warning that stays in the status bar, after any newer message, until a
    /// key is pressed.
    pub fn warn_until_key(&mut self, text: String) {
        self.sticky_warning = None;
        self.error(text.clone());
        self.sticky_warning = Some(text);
    }

    /// A worker is gone: stop waiting for its answers, and say so.
    fn on_worker_gone(&mut self, worker: Worker) {
        let what = match worker {
            Worker::Session => {
                self.remote.pending = None;
                if self.op.as_ref().is_some_and(|o| o.side == Side::Remote) {
                    self.op = None;
                }
                self.conn = ConnState::Error("the FTP session worker stopped".into());
                "The FTP session worker stopped"
            }
            Worker::Local => {
                self.local.pending = None;
                if self.op.as_ref().is_some_and(|o| o.side == Side::Local) {
                    self.op = None;
                }
                "The local file worker stopped"
            }
            Worker::Transfers => "The transfer engine stopped",
        };
        self.error(format!(
            "{what} (a bug — see the log file); restart ftpdeck to go on"
        ));
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

    pub(super) fn request(&mut self, side: Side, path: String, select: Option<String>) -> Vec<Cmd> {
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

    pub(super) fn start_connect(&mut self, profile: Profile) -> Vec<Cmd> {
        let needs_password = profile.password.is_none();
        let label = profile.label();
        self.profile = Some(profile);
        if needs_password {
            self.dialog = Some(Dialog::Password {
                label,
                input: Default::default(),
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
                self.error("Not connected — press b for bookmarks or o to connect");
                vec![]
            }
        }
    }
}
