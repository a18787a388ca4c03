//! The monkey's world: one app, the terminal it is drawn on, the commands it asked for and not
//! yet answered, and what it was told. `run` drives it and checks the invariants after each step.

use std::collections::{HashSet, VecDeque};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;

use ftpdeck::app::dialog::Dialog;
use ftpdeck::app::{App, AppConfig, Cmd, Msg, Pane};
use ftpdeck::bookmarks::{Bookmark, Recent, Store};
use ftpdeck::local::LocalCmd;
use ftpdeck::remote::{Profile, RemoteCmd, Secret};
use ftpdeck::transfer::{Job, TransferCmd};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::events;
use super::rng::Rng;

/// Events remembered for the report of a failure.
const HISTORY: usize = 20;
/// Commands kept waiting for an answer, oldest dropped first (never answered).
const MAX_OUTSTANDING: usize = 64;

pub struct World {
    pub rng: Rng,
    pub app: App,
    pub width: u16,
    pub height: u16,
    terminal: Terminal<TestBackend>,
    /// Commands the app returned that a worker would answer.
    pub outstanding: Vec<Cmd>,
    /// Answers already given (to give again: duplicated, late).
    pub answered: VecDeque<Msg>,
    /// Every listing id the app issued, per side, and every file-operation id.
    pub local_lists: HashSet<u64>,
    pub remote_lists: HashSet<u64>,
    pub ops: HashSet<u64>,
    /// Jobs the app queued, and the children the monkey said a directory job added.
    pub jobs: Vec<Job>,
    pub job_ids: HashSet<u64>,
    pub next_child: u64,
    pub now: i64,
    pub at_ms: u64,
    history: VecDeque<Msg>,
    pub restarts: usize,
    /// Bits of `STATES` the app has been in.
    reached: u64,
}

/// What a run did.
pub struct Outcome {
    pub steps: usize,
    pub restarts: usize,
    /// States of `STATES` the app was never in.
    pub missed: Vec<&'static str>,
}

/// States the monkey should get the app into, so that it is known to explore beyond the
/// start screen.
pub const STATES: [&str; 23] = [
    "connected",
    "remote entries",
    "local entries",
    "selection",
    "filtering",
    "help",
    "viewer",
    "protocol log",
    "transfer panel with jobs",
    "conflict waiting",
    "file operation running",
    "compare",
    "sync browsing",
    "dialog Password",
    "dialog Overwrite",
    "dialog ConfirmQuit",
    "dialog TrustCert",
    "dialog Input",
    "dialog ConfirmDelete",
    "dialog ConfirmUpload",
    "dialog Bookmarks",
    "dialog Form",
    "dialog Glob",
];

/// The bits of `STATES` that `app` is in now.
fn reached(app: &App) -> u64 {
    let dialog = match app.dialogs.top() {
        None => None,
        Some(Dialog::Password { .. }) => Some(13),
        Some(Dialog::Overwrite { .. }) => Some(14),
        Some(Dialog::ConfirmQuit) => Some(15),
        Some(Dialog::TrustCert { .. }) => Some(16),
        Some(Dialog::Input { .. }) => Some(17),
        Some(Dialog::ConfirmDelete { .. }) => Some(18),
        Some(Dialog::ConfirmUpload { .. }) => Some(19),
        Some(Dialog::Bookmarks { .. }) => Some(20),
        Some(Dialog::Form(_)) => Some(21),
        Some(Dialog::Glob { .. }) => Some(22),
        // A new dialog is a state the list above should name.
        Some(_) => None,
    };
    let flags = [
        app.server.conn == ftpdeck::app::ConnState::Connected,
        !app.browse.remote.entries.is_empty(),
        !app.browse.local.entries.is_empty(),
        !app.browse.local.selected.is_empty() || !app.browse.remote.selected.is_empty(),
        app.browse.filtering.is_some(),
        app.dialogs.help,
        app.viewer.is_some(),
        app.log.shown,
        app.tasks.shown && !app.tasks.list.jobs.is_empty(),
        !app.tasks.conflicts.is_empty(),
        app.files.op.is_some(),
        app.browse.compare_on,
        app.browse.sync_browse,
    ];
    let mut bits = flags
        .iter()
        .enumerate()
        .filter(|(_, on)| **on)
        .fold(0, |b, (i, _)| b | 1 << i);
    if let Some(i) = dialog {
        bits |= 1 << i;
    }
    bits
}

impl World {
    pub fn new(seed: u64) -> World {
        let mut w = World {
            rng: Rng::new(seed),
            app: App::new(AppConfig::new(PathBuf::from("/"), None)).0,
            width: 80,
            height: 24,
            terminal: Terminal::new(TestBackend::new(80, 24)).expect("test backend"),
            outstanding: Vec::new(),
            answered: VecDeque::new(),
            local_lists: HashSet::new(),
            remote_lists: HashSet::new(),
            ops: HashSet::new(),
            jobs: Vec::new(),
            job_ids: HashSet::new(),
            next_child: 0,
            now: 1_700_000_000,
            at_ms: 0,
            history: VecDeque::new(),
            restarts: 0,
            reached: 0,
        };
        w.start();
        w
    }

    /// A fresh app: connecting with a password, asking for one, or on the start screen.
    fn start(&mut self) {
        let profile = match self.rng.below(3) {
            0 => None,
            n => Some(Profile {
                host: self
                    .rng
                    .pick(&["127.0.0.1", "ftp.example.org", "::1", "日本.jp"])
                    .to_string(),
                port: self.rng.range(1, 65535) as u16,
                user: self.rng.name(),
                password: (n == 1).then(|| Secret::new(self.rng.text(8))),
                path: self.rng.path(),
                ..Default::default()
            }),
        };
        // Sometimes the last run left transfers for this server: the resume offer comes up.
        let mut saved_queue = ftpdeck::queue::Saved::default();
        if let Some(p) = profile.as_ref().filter(|_| self.rng.below(2) == 0) {
            let jobs = (0..self.rng.range(1, 4))
                .map(|i| ftpdeck::queue::SavedJob {
                    download: i % 2 == 0,
                    remote: self.rng.path(),
                    local: PathBuf::from(self.rng.path()),
                    is_dir: self.rng.below(3) == 0,
                    size: Some(self.rng.range(0, 1 << 30)),
                    mtime: None,
                    remove_source: false,
                    failed: (self.rng.below(2) == 0).then(|| self.rng.text(12)),
                })
                .collect();
            saved_queue.servers.insert(p.label(), jobs);
        }
        let (app, cmds) = App::new(AppConfig {
            saved_queue,
            ..AppConfig::new(PathBuf::from(self.rng.path()), profile)
        });
        self.app = app;
        self.app.server.bookmarks = self.store();
        self.outstanding.clear();
        self.answered.clear();
        self.local_lists.clear();
        self.remote_lists.clear();
        self.ops.clear();
        self.jobs.clear();
        self.job_ids.clear();
        self.app.update(Msg::Resize {
            width: self.width,
            height: self.height,
        });
        self.take(cmds);
    }

    fn store(&mut self) -> Store {
        let bookmarks = (0..self.rng.below(4))
            .map(|i| {
                let p = Profile {
                    host: self.rng.name(),
                    user: self.rng.name(),
                    ..Default::default()
                };
                Bookmark::from_profile(format!("{}{i}", self.rng.name()), &p)
            })
            .collect();
        let recent = (0..self.rng.below(3))
            .map(|_| Recent {
                host: self.rng.name(),
                port: 21,
                user: self.rng.name(),
                security: Default::default(),
                data_mode: Default::default(),
                remote_dir: self.rng.path(),
                charset: Default::default(),
                at: self.rng.range(0, 2_000_000_000) as i64,
            })
            .collect();
        Store { bookmarks, recent }
    }

    /// Note what the app asked for: ids it issued, jobs it queued, work to answer later.
    fn take(&mut self, cmds: Vec<Cmd>) {
        for cmd in cmds {
            match &cmd {
                Cmd::Quit => {
                    self.restarts += 1;
                    self.start();
                    return;
                }
                Cmd::Suspend | Cmd::Remote(RemoteCmd::Shutdown) => continue,
                Cmd::Transfer(TransferCmd::Enqueue(jobs)) => {
                    for j in jobs {
                        self.job_ids.insert(j.id);
                        self.jobs.push(j.clone());
                    }
                    continue;
                }
                Cmd::Transfer(TransferCmd::Cancel(_)) => {}
                Cmd::Transfer(_) => continue,
                Cmd::Local(LocalCmd::List { id, .. }) => {
                    self.local_lists.insert(*id);
                }
                Cmd::Remote(RemoteCmd::List { id, .. }) => {
                    self.remote_lists.insert(*id);
                }
                Cmd::Local(LocalCmd::Op { id, .. }) | Cmd::Remote(RemoteCmd::Op { id, .. }) => {
                    self.ops.insert(*id);
                }
                _ => {}
            }
            if self.outstanding.len() == MAX_OUTSTANDING {
                self.outstanding.remove(0);
            }
            self.outstanding.push(cmd);
        }
    }

    /// Feed one message to the app, as the event loop would, and take its commands.
    pub fn feed(&mut self, msg: Msg) {
        if let Msg::Resize { width, height } = msg {
            self.width = width;
            self.height = height;
        }
        if self.history.len() == HISTORY {
            self.history.pop_front();
        }
        self.history.push_back(msg.clone());
        let cmds = self.app.update(msg);
        self.take(cmds);
    }

    fn draw(&mut self) {
        if self.terminal.size().map(|s| (s.width, s.height)).ok() != Some((self.width, self.height))
        {
            self.terminal.backend_mut().resize(self.width, self.height);
        }
        let app = &self.app;
        self.terminal
            .draw(|f| ftpdeck::ui::draw(f, app, &app.theme))
            .expect("drawing on a test backend");
    }

    fn report(&self, seed: u64, replay: &str, step: usize, what: &str) -> String {
        let mut s = format!(
            "monkey: {what}\n  seed {seed}, step {step} (again: {replay}), {} restarts; last events, oldest first:\n",
            self.restarts
        );
        for e in &self.history {
            let mut line = format!("{e:?}");
            if line.len() > 300 {
                let cut = (0..=300)
                    .rev()
                    .find(|&i| line.is_char_boundary(i))
                    .unwrap_or(0);
                line.truncate(cut);
                line.push_str(" …");
            }
            s.push_str(&format!("    {line}\n"));
        }
        s
    }
}

/// Run `steps` random steps from `seed`. Panics with the seed, the step, how to run it again
/// (`replay`) and the last events when the app panics or an invariant breaks.
pub fn run(seed: u64, steps: usize, replay: &str) -> Outcome {
    let mut world = World::new(seed);
    let mut done = 0;
    let result = catch_unwind(AssertUnwindSafe(|| {
        while done < steps {
            let msg = events::next(&mut world);
            world.feed(msg);
            world.draw();
            world.reached |= reached(&world.app);
            check(&world)?;
            done += 1;
        }
        Ok::<(), String>(())
    }));
    match result {
        Ok(Ok(())) => Outcome {
            steps: done,
            restarts: world.restarts,
            missed: STATES
                .iter()
                .enumerate()
                .filter(|(i, _)| world.reached & (1 << i) == 0)
                .map(|(_, name)| *name)
                .collect(),
        },
        Ok(Err(broken)) => panic!(
            "{}",
            world.report(seed, replay, done, &format!("invariant broken: {broken}"))
        ),
        Err(payload) => {
            let msg = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            panic!(
                "{}",
                world.report(seed, replay, done, &format!("panicked: {msg}"))
            )
        }
    }
}

fn check_pane(p: &Pane, issued: &HashSet<u64>) -> Result<(), String> {
    let side = p.side;
    if p.view.is_empty() {
        if p.cursor != 0 {
            return Err(format!("{side:?}: cursor {} in an empty view", p.cursor));
        }
    } else if p.cursor >= p.view.len() {
        return Err(format!(
            "{side:?}: cursor {} of {} shown",
            p.cursor,
            p.view.len()
        ));
    }
    if p.offset > p.cursor {
        return Err(format!(
            "{side:?}: offset {} after cursor {}",
            p.offset, p.cursor
        ));
    }
    let mut seen = vec![false; p.entries.len()];
    for &i in &p.view {
        if i >= p.entries.len() || std::mem::replace(&mut seen[i], true) {
            return Err(format!(
                "{side:?}: view index {i} of {} entries (or twice)",
                p.entries.len()
            ));
        }
    }
    if !p.selected.is_empty() {
        let names: HashSet<&str> = p.entries.iter().map(|e| e.name.as_str()).collect();
        if let Some(n) = p.selected.iter().find(|n| !names.contains(n.as_str())) {
            return Err(format!("{side:?}: selected {n:?} is not an entry"));
        }
    }
    if let Some(pending) = &p.pending {
        if !issued.contains(&pending.id) {
            return Err(format!(
                "{side:?}: pending id {} was never issued",
                pending.id
            ));
        }
    }
    Ok(())
}

/// What must hold after every step.
pub fn check(w: &World) -> Result<(), String> {
    let app = &w.app;
    check_pane(&app.browse.local, &w.local_lists)?;
    check_pane(&app.browse.remote, &w.remote_lists)?;
    if let Some(op) = &app.files.op {
        if !w.ops.contains(&op.id) {
            return Err(format!("operation id {} was never issued", op.id));
        }
    }
    let t = &app.tasks.list;
    let mut ids = HashSet::new();
    for v in &t.jobs {
        if !ids.insert(v.job.id) {
            return Err(format!("job {} is in the panel twice", v.job.id));
        }
        if !w.job_ids.contains(&v.job.id) {
            return Err(format!("job {} was never queued", v.job.id));
        }
        if t.get(v.job.id).map(|g| g.job.id) != Some(v.job.id) {
            return Err(format!("job {} is not found by its id", v.job.id));
        }
    }
    if !t.jobs.is_empty() && t.cursor >= t.jobs.len() || t.jobs.is_empty() && t.cursor != 0 {
        return Err(format!(
            "panel cursor {} of {} jobs",
            t.cursor,
            t.jobs.len()
        ));
    }
    if t.history.len() > ftpdeck::app::transfers::HISTORY {
        return Err(format!("{} speed samples kept", t.history.len()));
    }
    if let Some(id) = app.tasks.conflicts.iter().find(|id| t.get(**id).is_none()) {
        return Err(format!("conflict for unknown job {id}"));
    }
    match app.dialogs.top() {
        Some(Dialog::Overwrite { id, .. }) if !t.get(*id).is_some_and(|v| v.state.is_active()) => {
            return Err(format!(
                "overwrite dialog for job {id}, which is over or unknown"
            ));
        }
        Some(Dialog::Bookmarks { cursor }) if *cursor >= app.list_items().len() => {
            return Err(format!(
                "bookmark cursor {cursor} of {}",
                app.list_items().len()
            ));
        }
        Some(Dialog::Form(f)) if f.focus >= f.values.len() => {
            return Err(format!("form focus {}", f.focus));
        }
        _ => {}
    }
    if app.log.lines.len() > ftpdeck::app::PROTOCOL_LOG_LINES {
        return Err(format!("{} log lines kept", app.log.lines.len()));
    }
    if app.log.scroll > app.log.lines.len() {
        return Err(format!(
            "log scrolled {} of {} lines",
            app.log.scroll,
            app.log.lines.len()
        ));
    }
    if (app.screen.width, app.screen.height) != (w.width, w.height) {
        return Err(format!(
            "app thinks the terminal is {}x{}",
            app.screen.width, app.screen.height
        ));
    }
    Ok(())
}
