//! Application state and `update`: pure, no I/O. Messages in, commands out.

pub mod browse;
mod chmod;
mod compare;
pub mod connect;
mod copy;
pub mod dialog;
pub mod doctor;
mod events;
pub mod fileops;
pub mod form;
mod inspect;
pub mod keymap;
mod modal;
mod mouse;
pub mod pane;
pub mod resume;
pub mod sync;
pub mod tasks;
pub mod textfield;
pub mod transfers;
pub mod viewer;

use std::collections::VecDeque;
use std::path::PathBuf;

use crossterm::event::{KeyEvent, KeyEventKind, MouseEventKind};

use crate::local::{LocalCmd, LocalEvent};
use crate::remote::{Profile, RemoteCmd, RemoteEvent};
use crate::transfer::{Resolution, TransferCmd, TransferEvent};
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

/// The whole application state: a few parts, each owning its own state.
#[derive(Debug)]
pub struct App {
    /// The two panes and how they are browsed (sort, filter, compare, mouse).
    pub browse: browse::Browse,
    /// The server: connection state, profile, bookmarks.
    pub server: connect::Server,
    /// The task panel: transfers and the other long operations, and what waits on them.
    pub tasks: tasks::Tasks,
    /// Modal dialogs (the topmost has the keyboard) and the help overlay.
    pub dialogs: dialog::Dialogs,
    /// The file viewer (F3), over the panes while open.
    pub viewer: Option<viewer::Viewer>,
    /// Synchronize (F9): its options, scan, plan and run.
    pub sync: sync::SyncPart,
    /// The browsing connection's FTP conversation.
    pub log: ProtocolLog,
    /// Connection doctor runs and the bookmark each is for.
    pub doctor: doctor::DoctorPart,
    /// The short file operation in progress and the scratch files of edits.
    pub files: fileops::Files,
    /// The queue saved for the next run, and what the last run left.
    pub resume: resume::Resume,
    /// Terminal size, for paging and scrolling.
    pub screen: Screen,
    pub keymap: keymap::Keymap,
    pub theme: crate::theme::Theme,
    /// Names coloured by `LS_COLORS` (none: the theme's colours).
    pub names: crate::ls_colors::NameColors,
    pub status: Status,
    pub quit: bool,
    /// Unix seconds, from the last tick.
    pub now: i64,
    /// A warning kept in the status bar (after the newest message) until the first key (startup problems
    /// that the first "Connected" must not wipe out).
    sticky_warning: Option<String>,
    next_id: u64,
    next_batch: u64,
}

/// Everything an `App` is made from: `main` fills it from the config and the command line, the
/// tests from `AppConfig::new` and what they change, so both build the app the same way.
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// The directory the local pane starts in.
    pub local_dir: PathBuf,
    /// Connect to this at start.
    pub profile: Option<Profile>,
    /// Connect to this bookmark at start (when there is no profile); without either, the
    /// bookmark list opens.
    pub start_bookmark: Option<String>,
    pub keymap: keymap::Keymap,
    pub theme: crate::theme::Theme,
    /// `[ui] ls_colors`: colour names by `ls_colors`.
    pub use_ls_colors: bool,
    /// `LS_COLORS` as `main` read it from the environment (tests pass their own).
    pub ls_colors: Option<String>,
    /// What to do with existing destinations without asking (`None`: ask).
    pub default_policy: Option<Resolution>,
    pub show_hidden: bool,
    pub bookmarks: crate::bookmarks::Store,
    /// Why bookmarks.toml could not be read; nothing is saved over it then.
    pub bookmarks_broken: Option<String>,
    /// Where fetched remote files go for editing (a private scratch directory in `main`).
    pub temp_dir: Option<PathBuf>,
    /// Shown in the status bar until the first key (config problems, say).
    pub startup_warnings: Vec<String>,
    /// Unix seconds at start.
    pub now: i64,
    /// Open the bookmark list when there is nothing to connect to (`main` does; most tests
    /// start from a bare app).
    pub bookmarks_at_start: bool,
    /// Synchronize's settings (`[sync]`): exclude patterns to start with, time tolerance.
    pub sync: crate::config::SyncSettings,
    /// Speed limits of the settings.
    pub limits: crate::transfer::limit::Limits,
    /// `--limit-rate`, over the settings' and a bookmark's limits.
    pub cli_limits: crate::transfer::limit::Limits,
    /// What the last run left unfinished (`queue.json`).
    pub saved_queue: crate::queue::Saved,
    /// Save what is unfinished for the next run (not for the demo).
    pub save_queue: bool,
    /// `--charset`, over a bookmark's charset.
    pub cli_charset: Option<crate::remote::encoding::Charset>,
}

impl AppConfig {
    /// The defaults of `Config::default()`, showing `local_dir`, connecting to `profile`.
    pub fn new(local_dir: impl Into<PathBuf>, profile: Option<Profile>) -> AppConfig {
        AppConfig::from_config(&crate::config::Config::default(), local_dir, profile)
    }

    /// The app's settings from `config`.
    pub fn from_config(
        config: &crate::config::Config,
        local_dir: impl Into<PathBuf>,
        profile: Option<Profile>,
    ) -> AppConfig {
        AppConfig {
            local_dir: local_dir.into(),
            profile,
            start_bookmark: None,
            keymap: config.keymap.clone(),
            theme: config.theme,
            use_ls_colors: config.ui.ls_colors,
            ls_colors: None,
            default_policy: config.transfers.overwrite,
            show_hidden: config.ui.show_hidden,
            bookmarks: Default::default(),
            bookmarks_broken: None,
            temp_dir: None,
            startup_warnings: Vec::new(),
            now: 0,
            bookmarks_at_start: false,
            limits: config.transfers.limits(),
            cli_limits: Default::default(),
            cli_charset: None,
            sync: config.sync.clone(),
            saved_queue: Default::default(),
            save_queue: true,
        }
    }
}

/// What a part asks of the rest of the app once it has handled a message of its own: the
/// parts talk through these, not through each other's fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Nothing more to do.
    Done,
    /// Tell the user (status bar).
    Info(String),
    /// Show the help overlay.
    Help,
    /// The part closed itself (the viewer).
    Closed,
}

/// The terminal's size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Screen {
    pub width: u16,
    pub height: u16,
}

/// The browsing connection's conversation (passwords masked), newest last.
#[derive(Debug, Default)]
pub struct ProtocolLog {
    pub shown: bool,
    pub lines: VecDeque<String>,
    /// Lines scrolled back from the end.
    pub scroll: usize,
}

impl ProtocolLog {
    /// Show or hide the log, at its end.
    pub fn toggle(&mut self) {
        self.shown = !self.shown;
        self.scroll = 0;
    }

    fn push(&mut self, line: String) {
        if self.lines.len() == PROTOCOL_LOG_LINES {
            self.lines.pop_front();
        }
        self.lines.push_back(line);
    }
}

impl App {
    /// The app `config` describes. Returns the commands that start it (the first listings,
    /// the connection).
    pub fn new(config: AppConfig) -> (App, Vec<Cmd>) {
        let focus = if config.profile.is_some() {
            Side::Remote
        } else {
            Side::Local
        };
        let mut files = fileops::Files::default();
        if let Some(dir) = config.temp_dir {
            files.temp_dir = dir;
        }
        let mut app = App {
            browse: browse::Browse::new(focus),
            server: connect::Server {
                bookmarks: config.bookmarks,
                bookmarks_broken: config.bookmarks_broken,
                cli_charset: config.cli_charset,
                ..connect::Server::default()
            },
            tasks: tasks::Tasks {
                default_policy: config.default_policy,
                base_limits: config.limits,
                cli_limits: config.cli_limits,
                limits: config.limits.overridden_by(config.cli_limits),
                ..tasks::Tasks::default()
            },
            dialogs: dialog::Dialogs::default(),
            viewer: None,
            sync: sync::SyncPart {
                exclude: config.sync.exclude.clone(),
                mtime_tolerance: i64::from(config.sync.mtime_tolerance),
                ..Default::default()
            },
            log: ProtocolLog::default(),
            doctor: Default::default(),
            files,
            resume: resume::Resume::new(config.saved_queue, config.save_queue),
            screen: Screen {
                width: 80,
                height: 24,
            },
            keymap: config.keymap,
            theme: config.theme,
            names: crate::ls_colors::NameColors::for_settings(
                config.use_ls_colors,
                config.ls_colors.as_deref(),
            ),
            status: Status::default(),
            quit: false,
            now: config.now,
            sticky_warning: None,
            next_id: 0,
            next_batch: 0,
        };
        app.browse.local.show_hidden = config.show_hidden;
        app.browse.remote.show_hidden = config.show_hidden;
        let local_dir = config.local_dir.to_string_lossy().into_owned();
        let mut cmds = vec![app.request_local(local_dir, None)];
        match (config.profile, config.start_bookmark) {
            (Some(p), _) => cmds.extend(app.start_connect(p)),
            (None, bookmark) => {
                app.browse.remote.error =
                    Some("Not connected — b: bookmarks, o: quick connect.".into());
                app.info("Press ? for help, q to quit.");
                match bookmark {
                    Some(name) => cmds.extend(app.connect_bookmark(&name)),
                    None if config.bookmarks_at_start => app.open_bookmarks(),
                    None => {}
                }
            }
        }
        if !config.startup_warnings.is_empty() {
            app.warn_until_key(config.startup_warnings.join(" · "));
        }
        (app, cmds)
    }

    /// Carry out what a part asked of the rest of the app.
    fn apply(&mut self, effect: Effect) {
        match effect {
            Effect::Done => {}
            Effect::Info(text) => self.info(text),
            Effect::Help => self.dialogs.help = true,
            Effect::Closed => self.viewer = None,
        }
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
                self.screen = Screen { width, height };
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
                self.log.push(line);
                vec![]
            }
        }
    }

    pub fn pane(&self, side: Side) -> &Pane {
        match side {
            Side::Local => &self.browse.local,
            Side::Remote => &self.browse.remote,
        }
    }

    fn pane_mut(&mut self, side: Side) -> &mut Pane {
        match side {
            Side::Local => &mut self.browse.local,
            Side::Remote => &mut self.browse.remote,
        }
    }

    /// Rows of entries a pane shows at the current terminal size.
    pub fn pane_rows(&self) -> usize {
        crate::layout::pane_rows(self)
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
                self.browse.remote.pending = None;
                if self
                    .files
                    .op
                    .as_ref()
                    .is_some_and(|o| o.side == Side::Remote)
                {
                    self.files.op = None;
                }
                self.server.conn = ConnState::Error("the FTP session worker stopped".into());
                "The FTP session worker stopped"
            }
            Worker::Local => {
                self.browse.local.pending = None;
                if self
                    .files
                    .op
                    .as_ref()
                    .is_some_and(|o| o.side == Side::Local)
                {
                    self.files.op = None;
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
        self.browse.local.scroll_to_cursor(rows);
        self.browse.remote.scroll_to_cursor(rows);
    }

    // ----- starting work -------------------------------------------------------------------

    fn request_local(&mut self, path: String, select: Option<String>) -> Cmd {
        let id = self.next_id();
        self.browse.local.pending = Some(pane::Pending {
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
        self.browse.remote.pending = Some(pane::Pending {
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
                if self.server.conn != ConnState::Connected {
                    return self.reconnect();
                }
                vec![self.request_remote(path, select)]
            }
        }
    }

    pub(super) fn start_connect(&mut self, mut profile: Profile) -> Vec<Cmd> {
        if let Some(charset) = self.server.cli_charset {
            profile.charset = charset;
        }
        let needs_password = profile.password.is_none();
        let label = profile.label();
        self.server.profile = Some(profile.clone());
        if needs_password {
            self.dialogs.show(Dialog::Password {
                label,
                input: Default::default(),
                error: None,
            });
            return vec![];
        }
        self.server.conn = ConnState::Connecting;
        vec![Cmd::Remote(RemoteCmd::Connect { profile })]
    }

    fn reconnect(&mut self) -> Vec<Cmd> {
        match self.server.profile.clone() {
            Some(p) => self.start_connect(p),
            None => {
                self.error("Not connected — press b for bookmarks or o to connect");
                vec![]
            }
        }
    }
}
