//! The terminal: setup and restore (on every exit path, panics included) and the event loop.
//! This is the only owner of the `Terminal`.

use std::io::{self, Stdout};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};

use crossterm::event::{
    self, DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
    Event,
};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

use crate::app::{App, AppConfig, Cmd, Msg, Worker};
use crate::config::Config;
use crate::local::{self, LocalCmd};
use crate::remote::session::{self, SessionOptions};
use crate::remote::{Profile, RemoteCmd};
use crate::transfer::{self, PoolOptions, Resolution, TransferCmd};

/// Everything the TUI is started with besides the start directory and server.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub session: SessionOptions,
    pub pool: PoolOptions,
    pub mouse: bool,
    /// Answer for existing destinations without asking (`None`: ask).
    pub default_policy: Option<Resolution>,
    pub keymap: crate::app::keymap::Keymap,
    pub show_hidden: bool,
    /// Shown in the status bar at start (config problems, say).
    pub startup_warnings: Vec<String>,
    pub bookmarks: crate::bookmarks::Store,
    /// Why bookmarks.toml could not be read (then it is never written).
    pub bookmarks_broken: Option<String>,
    /// Connect to this bookmark at start (`ftpdeck NAME`).
    pub start_bookmark: Option<String>,
    pub theme: crate::theme::Theme,
    /// `[ui] ls_colors`, and `LS_COLORS` as read at start (`None`: unset).
    pub use_ls_colors: bool,
    pub ls_colors: Option<String>,
    /// Synchronize's settings.
    pub sync: crate::config::SyncSettings,
    /// `--limit-rate`: both directions, over the config's and a bookmark's limits.
    pub limit_rate: Option<u64>,
    /// What the last run left unfinished.
    pub saved_queue: crate::queue::Saved,
    /// Save what is unfinished for the next run.
    pub save_queue: bool,
    /// `--charset`: the servers' file-name charset, over a bookmark's.
    pub charset: Option<crate::remote::encoding::Charset>,
}

impl RunOptions {
    /// The settings of `config`, with no warnings, no bookmarks and no bookmark to open.
    pub fn from_config(config: Config) -> RunOptions {
        RunOptions {
            session: SessionOptions::from_config(&config),
            pool: PoolOptions::from_config(&config),
            mouse: config.ui.mouse,
            default_policy: config.transfers.overwrite,
            keymap: config.keymap,
            show_hidden: config.ui.show_hidden,
            startup_warnings: Vec::new(),
            bookmarks: Default::default(),
            bookmarks_broken: None,
            start_bookmark: None,
            theme: config.theme,
            use_ls_colors: config.ui.ls_colors,
            ls_colors: None,
            sync: config.sync,
            limit_rate: None,
            saved_queue: Default::default(),
            save_queue: true,
            charset: None,
        }
    }
}

impl Default for RunOptions {
    fn default() -> Self {
        Self::from_config(Config::default())
    }
}

/// Most messages applied before a redraw, so a burst costs one frame but the screen still
/// moves during a flood.
const MAX_BATCH: usize = 256;

/// Put the terminal back as we found it. Safe to call more than once.
pub fn restore_terminal() {
    let _ = disable_raw_mode();
    let _ = execute!(
        io::stdout(),
        DisableBracketedPaste,
        DisableMouseCapture,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
}

/// Restores the terminal when dropped, so every return path (and unwinding) cleans up.
struct TerminalGuard;

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore_terminal();
    }
}

/// Where a worker thread's panic is reported (the event loop's channel).
static PANIC_SINK: std::sync::OnceLock<std::sync::Mutex<Sender<Msg>>> = std::sync::OnceLock::new();

/// A panic on the UI thread restores the terminal before the message is printed; a panic in a
/// worker thread becomes an error message in the UI (the screen is not torn down, and nothing
/// is printed over it).
fn install_panic_hook(tx: Sender<Msg>) {
    let _ = PANIC_SINK.set(std::sync::Mutex::new(tx));
    std::panic::set_hook(Box::new(move |info| {
        let thread = std::thread::current();
        let name = thread.name().unwrap_or("unnamed");
        tracing::error!("panic in thread {name}: {info}");
        if name == "main" {
            restore_terminal();
            // The terminal may be gone: a failed write must not panic inside the panic.
            use std::io::Write;
            let _ = writeln!(io::stderr().lock(), "ftpdeck crashed: {info}");
            return;
        }
        if let Some(sink) = PANIC_SINK.get() {
            if let Ok(tx) = sink.lock() {
                let _ = tx.send(Msg::WorkerFailed(format!("{name}: {info}")));
            }
        }
    }));
}

/// SIGTERM and SIGHUP end the program cleanly (terminal restored, transfers cancelled).
fn spawn_signal_thread(tx: Sender<Msg>) {
    use signal_hook::consts::{SIGHUP, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGTERM, SIGHUP]) else {
        return;
    };
    // Without a thread for it the program cannot work at all: stopping is all there is to do.
    #[allow(clippy::expect_used)]
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            if let Some(sig) = signals.forever().next() {
                let _ = tx.send(Msg::Terminate(sig));
            }
        })
        .expect("spawn signal thread");
}

/// Run the TUI until the user quits.
pub fn run(
    local_dir: PathBuf,
    profile: Option<Profile>,
    options: RunOptions,
) -> anyhow::Result<()> {
    let guard = TerminalGuard;
    // Never dropped: ratatui's `Drop` prints to stderr when it cannot show the cursor, and
    // printing to a closed terminal panics. `TerminalGuard` restores the terminal instead.
    let mut terminal = std::mem::ManuallyDrop::new(take_terminal(options.mouse)?);

    let (tx, rx) = mpsc::channel::<Msg>();
    install_panic_hook(tx.clone());
    spawn_signal_thread(tx.clone());
    let input = Arc::new(InputControl::default());
    // Input wakes the event loop itself (see `event_loop`); the loop runs on this thread.
    spawn_input_thread(tx.clone(), input.clone(), std::thread::current());
    spawn_ticker(tx.clone());
    {
        let log_tx = std::sync::Mutex::new(tx.clone());
        crate::remote::protolog::install(Box::new(move |line| {
            if let Ok(t) = log_tx.lock() {
                let _ = t.send(Msg::ProtocolLog(line));
            }
        }));
    }
    let workers = Workers {
        remote: session::spawn(tx.clone(), options.session),
        local: local::spawn(tx.clone()),
        transfer: transfer::spawn(tx.clone(), options.pool.clone()),
        events: tx.clone(),
    };
    let own_tx = tx.clone();
    drop(tx);

    // Remote files opened for editing go to a private directory, removed on exit.
    let scratch = crate::scratch::ScratchDir::create();
    let (mut app, cmds) = App::new(AppConfig {
        local_dir,
        profile,
        start_bookmark: options.start_bookmark.clone(),
        keymap: options.keymap.clone(),
        theme: options.theme,
        use_ls_colors: options.use_ls_colors,
        ls_colors: options.ls_colors.clone(),
        default_policy: options.default_policy,
        show_hidden: options.show_hidden,
        bookmarks: options.bookmarks.clone(),
        bookmarks_broken: options.bookmarks_broken.clone(),
        temp_dir: scratch.as_ref().map(|d| d.path().to_path_buf()),
        startup_warnings: options.startup_warnings.clone(),
        now: chrono::Utc::now().timestamp(),
        bookmarks_at_start: true,
        sync: options.sync.clone(),
        limits: options.pool.limits,
        cli_limits: crate::transfer::limit::Limits {
            down: options.limit_rate,
            up: options.limit_rate,
        },
        saved_queue: options.saved_queue.clone(),
        save_queue: options.save_queue,
        cli_charset: options.charset,
    });
    let size = terminal.size()?;
    app.update(Msg::Resize {
        width: size.width,
        height: size.height,
    });
    workers.dispatch(cmds);
    event_loop(
        &mut terminal,
        &mut app,
        &rx,
        &workers,
        &input,
        &own_tx,
        options.mouse,
    )?;
    // What is unfinished is saved for the next run (written by the local worker, waited for
    // just below).
    if let Some((label, jobs)) = app.queue_snapshot() {
        let _ = workers.local.send(LocalCmd::SaveQueue { label, jobs });
    }
    // Let the local worker finish what the user saved (a pinned certificate, say).
    let (ack_tx, ack_rx) = mpsc::channel();
    if workers
        .local
        .send(LocalCmd::Flush(local::Ack(ack_tx)))
        .is_ok()
    {
        let _ = ack_rx.recv_timeout(std::time::Duration::from_secs(3));
    }
    let _ = workers.remote.send(RemoteCmd::Shutdown);
    let _ = workers.transfer.send(TransferCmd::Shutdown);
    drop(guard);
    Ok(())
}

/// The shortest time between two frames that only background news (progress, listings)
/// asks for: a tree of small files sends thousands of events a second, and a frame for each
/// would take the CPU the transfers need. Input is drawn at once.
const BACKGROUND_FRAME: std::time::Duration = std::time::Duration::from_millis(20);

/// Input from the user (or the terminal's size), which gets its frame without waiting.
fn is_input(msg: &Msg) -> bool {
    matches!(
        msg,
        Msg::Key(_) | Msg::Paste(_) | Msg::Resize { .. } | Msg::Mouse { .. }
    )
}

fn event_loop(
    terminal: &mut Terminal<CrosstermBackend<Stdout>>,
    app: &mut App,
    rx: &Receiver<Msg>,
    workers: &Workers,
    input: &InputControl,
    tx: &Sender<Msg>,
    mouse: bool,
) -> anyhow::Result<()> {
    loop {
        terminal.draw(|f| crate::ui::draw(f, app, &app.theme))?;
        let drawn = std::time::Instant::now();
        let Ok(first) = rx.recv() else { return Ok(()) };
        let mut next = Some(first);
        let mut applied = 0;
        loop {
            while let Some(msg) = next.take() {
                let urgent = is_input(&msg);
                let cmds = app.update(msg);
                for cmd in workers.dispatch(cmds) {
                    match cmd {
                        Cmd::Quit => return Ok(()),
                        Cmd::Suspend => {
                            // Ctrl-Z: give the terminal back and stop; `fg` continues here.
                            with_terminal_released(terminal, input, mouse, || {
                                let _ = signal_hook::low_level::raise(signal_hook::consts::SIGTSTP);
                            })?;
                        }
                        Cmd::Edit { path, remote } => {
                            let (changed, error) =
                                with_terminal_released(terminal, input, mouse, || {
                                    run_editor(&path)
                                })?;
                            let _ = tx.send(Msg::Edited {
                                path,
                                remote,
                                changed,
                                error,
                            });
                        }
                        _ => {}
                    }
                }
                applied += 1;
                if urgent {
                    // Whatever else is queued waits for the frame after this one.
                    applied = MAX_BATCH;
                }
                if applied < MAX_BATCH {
                    next = rx.try_recv().ok();
                }
            }
            // Only background news so far: gather more of it until the next frame is due.
            // The loop sleeps instead of waiting on the channel, so news queues up without
            // waking it (a tree of small files sends thousands of events a second, and a
            // wake-up for each costs the senders a system call and this thread a switch);
            // the input thread wakes it for a key, a paste, a click or a resize.
            let wait = BACKGROUND_FRAME.saturating_sub(drawn.elapsed());
            if applied >= MAX_BATCH || wait.is_zero() {
                break;
            }
            std::thread::park_timeout(wait);
            match rx.try_recv() {
                Ok(msg) => next = Some(msg),
                Err(mpsc::TryRecvError::Empty) => {}
                Err(mpsc::TryRecvError::Disconnected) => return Ok(()),
            }
        }
    }
}

/// Give the terminal to another program (the editor) and take it back afterwards, redrawing
/// everything.
fn with_terminal_released<T>(
    terminal: &mut Terminal<CrosstermBackend<Stdout>>,
    input: &InputControl,
    mouse: bool,
    f: impl FnOnce() -> T,
) -> anyhow::Result<T> {
    input.pause();
    // Shown now, the old Terminal has nothing to print when it is dropped below.
    let cursor_shown = terminal.show_cursor().is_ok();
    restore_terminal();
    let out = f();
    // A fresh Terminal has no memory of the old screen, so the next draw paints every cell.
    let old = std::mem::replace(terminal, take_terminal(mouse)?);
    if !cursor_shown {
        std::mem::forget(old);
    }
    input.resume();
    Ok(out)
}

/// Raw mode, the alternate screen, bracketed paste (a paste arrives as one event, never as
/// keys that could act) and the mouse if wanted.
fn take_terminal(mouse: bool) -> anyhow::Result<Terminal<CrosstermBackend<Stdout>>> {
    enable_raw_mode()?;
    // Not `terminal.clear()`: that asks the terminal for the cursor position, which some
    // terminals never answer. The first draw paints every cell anyway.
    execute!(
        io::stdout(),
        EnterAlternateScreen,
        crossterm::cursor::Hide,
        EnableBracketedPaste,
        crossterm::terminal::Clear(crossterm::terminal::ClearType::All)
    )?;
    if mouse {
        execute!(io::stdout(), EnableMouseCapture)?;
    }
    Ok(Terminal::new(CrosstermBackend::new(io::stdout()))?)
}

/// Run `$VISUAL`/`$EDITOR` (else `vi`) on `path`: (changed, error).
fn run_editor(path: &std::path::Path) -> (bool, Option<String>) {
    let before = fingerprint(path);
    let editor = std::env::var("VISUAL")
        .or_else(|_| std::env::var("EDITOR"))
        .unwrap_or_else(|_| "vi".into());
    // Through the shell, so an EDITOR with arguments ("code --wait") works.
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("sh")
        .arg(path)
        .status();
    match status {
        Ok(s) if s.success() => (fingerprint(path) != before, None),
        Ok(s) => (false, Some(format!("{editor} exited with {s}"))),
        Err(e) => (false, Some(format!("cannot run {editor}: {e}"))),
    }
}

/// Size, modification time and a hash of the contents.
fn fingerprint(path: &std::path::Path) -> Option<(u64, std::time::SystemTime, u64)> {
    use std::hash::{Hash, Hasher};
    let meta = std::fs::metadata(path).ok()?;
    let data = std::fs::read(path).ok()?;
    let mut h = std::collections::hash_map::DefaultHasher::new();
    data.hash(&mut h);
    Some((meta.len(), meta.modified().ok()?, h.finish()))
}

/// Lets the event loop stop the input thread from reading the terminal while another program
/// (the editor) owns it.
#[derive(Default)]
struct InputControl {
    paused: AtomicBool,
    parked: AtomicBool,
}

impl InputControl {
    fn pause(&self) {
        self.paused.store(true, Ordering::SeqCst);
        // The input thread polls in short slices; wait until it has stopped reading.
        let deadline = std::time::Instant::now() + INPUT_SLICE * 10;
        while !self.parked.load(Ordering::SeqCst) && std::time::Instant::now() < deadline {
            std::thread::yield_now();
        }
    }

    fn resume(&self) {
        self.paused.store(false, Ordering::SeqCst);
    }
}

/// How long the input thread waits for input before checking whether it should pause.
const INPUT_SLICE: std::time::Duration = std::time::Duration::from_millis(50);

struct Workers {
    remote: Sender<RemoteCmd>,
    local: Sender<LocalCmd>,
    transfer: Sender<TransferCmd>,
    /// Where a worker that is gone is reported (a send to it failed).
    events: Sender<Msg>,
}

impl Workers {
    /// Hand commands to their workers; returns those the event loop itself must carry out.
    fn dispatch(&self, cmds: Vec<Cmd>) -> Vec<Cmd> {
        let mut own = Vec::new();
        for cmd in cmds {
            match cmd {
                Cmd::Remote(c) => {
                    if self.remote.send(c).is_err() {
                        let _ = self.events.send(Msg::WorkerGone(Worker::Session));
                    }
                }
                Cmd::Local(c) => {
                    if self.local.send(c).is_err() {
                        let _ = self.events.send(Msg::WorkerGone(Worker::Local));
                    }
                }
                Cmd::Transfer(c) => {
                    if self.transfer.send(c).is_err() {
                        let _ = self.events.send(Msg::WorkerGone(Worker::Transfers));
                    }
                }
                other => own.push(other),
            }
        }
        own
    }
}

fn spawn_input_thread(
    tx: Sender<Msg>,
    control: Arc<InputControl>,
    event_loop: std::thread::Thread,
) {
    // Without a thread for it the program cannot work at all: stopping is all there is to do.
    #[allow(clippy::expect_used)]
    std::thread::Builder::new()
        .name("input".into())
        .spawn(move || {
            let start = std::time::Instant::now();
            loop {
                if control.paused.load(Ordering::SeqCst) {
                    control.parked.store(true, Ordering::SeqCst);
                    std::thread::sleep(INPUT_SLICE);
                    continue;
                }
                control.parked.store(false, Ordering::SeqCst);
                match event::poll(INPUT_SLICE) {
                    Ok(false) => continue,
                    Ok(true) => {}
                    Err(e) => {
                        tracing::error!("terminal input failed: {e}");
                        return;
                    }
                }
                let msg = match event::read() {
                    Ok(Event::Key(k)) => Msg::Key(k),
                    Ok(Event::Paste(text)) => Msg::Paste(text),
                    Ok(Event::Resize(width, height)) => Msg::Resize { width, height },
                    Ok(Event::Mouse(m)) => Msg::Mouse {
                        kind: m.kind,
                        column: m.column,
                        row: m.row,
                        at_ms: start.elapsed().as_millis() as u64,
                    },
                    Ok(_) => continue,
                    Err(e) => {
                        tracing::error!("terminal input failed: {e}");
                        return;
                    }
                };
                if tx.send(msg).is_err() {
                    return;
                }
                // The event loop may be gathering background news without listening to the
                // channel: input must not wait for the next frame.
                event_loop.unpark();
            }
        })
        .expect("spawn input thread");
}

/// One `Tick` a second: speed samples and coalesced refreshes.
fn spawn_ticker(tx: Sender<Msg>) {
    // Without a thread for it the program cannot work at all: stopping is all there is to do.
    #[allow(clippy::expect_used)]
    std::thread::Builder::new()
        .name("ticker".into())
        .spawn(move || {
            while tx
                .send(Msg::Tick {
                    now: chrono::Utc::now().timestamp(),
                })
                .is_ok()
            {
                std::thread::sleep(std::time::Duration::from_secs(1));
            }
        })
        .expect("spawn ticker thread");
}
