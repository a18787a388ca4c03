//! The terminal: setup and restore (on every exit path, panics included) and the event loop.
//! This is the only owner of the `Terminal`.

use std::io::{self, Stdout};
use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, Sender};

use crossterm::event::{self, DisableMouseCapture, EnableMouseCapture, Event};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

use crate::app::{App, Cmd, Msg};
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
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            session: SessionOptions::default(),
            pool: PoolOptions::default(),
            mouse: true,
            default_policy: None,
            keymap: Default::default(),
            show_hidden: false,
            startup_warnings: Vec::new(),
        }
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

fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore_terminal();
        tracing::error!("panic: {info}");
        previous(info);
    }));
}

/// Run the TUI until the user quits.
pub fn run(
    local_dir: PathBuf,
    profile: Option<Profile>,
    options: RunOptions,
) -> anyhow::Result<()> {
    install_panic_hook();
    enable_raw_mode()?;
    let guard = TerminalGuard;
    execute!(io::stdout(), EnterAlternateScreen, crossterm::cursor::Hide)?;
    if options.mouse {
        execute!(io::stdout(), EnableMouseCapture)?;
    }
    let mut terminal = Terminal::new(CrosstermBackend::new(io::stdout()))?;
    // Not `terminal.clear()`: that asks the terminal for the cursor position, which some
    // terminals never answer. The first draw paints every cell anyway.
    execute!(
        io::stdout(),
        crossterm::terminal::Clear(crossterm::terminal::ClearType::All)
    )?;

    let (tx, rx) = mpsc::channel::<Msg>();
    spawn_input_thread(tx.clone());
    spawn_ticker(tx.clone());
    let workers = Workers {
        remote: session::spawn(tx.clone(), options.session),
        local: local::spawn(tx.clone()),
        transfer: transfer::spawn(tx.clone(), options.pool.clone()),
    };
    drop(tx);

    let (mut app, cmds) = App::new(local_dir, profile);
    app.default_policy = options.default_policy;
    app.keymap = options.keymap.clone();
    app.local.show_hidden = options.show_hidden;
    app.remote.show_hidden = options.show_hidden;
    if !options.startup_warnings.is_empty() {
        app.status = crate::app::Status {
            text: options.startup_warnings.join(" · "),
            is_error: true,
        };
    }
    let size = terminal.size()?;
    app.update(Msg::Resize {
        width: size.width,
        height: size.height,
    });
    workers.dispatch(cmds);
    event_loop(&mut terminal, &mut app, &rx, &workers)?;
    let _ = workers.remote.send(RemoteCmd::Shutdown);
    let _ = workers.transfer.send(TransferCmd::Shutdown);
    drop(guard);
    Ok(())
}

fn event_loop(
    terminal: &mut Terminal<CrosstermBackend<Stdout>>,
    app: &mut App,
    rx: &Receiver<Msg>,
    workers: &Workers,
) -> anyhow::Result<()> {
    loop {
        terminal.draw(|f| crate::ui::draw(f, app))?;
        let Ok(first) = rx.recv() else { return Ok(()) };
        let mut next = Some(first);
        let mut applied = 0;
        while let Some(msg) = next.take() {
            let cmds = app.update(msg);
            if workers.dispatch(cmds) {
                return Ok(());
            }
            applied += 1;
            if applied < MAX_BATCH {
                next = rx.try_recv().ok();
            }
        }
    }
}

struct Workers {
    remote: Sender<RemoteCmd>,
    local: Sender<LocalCmd>,
    transfer: Sender<TransferCmd>,
}

impl Workers {
    /// Hand commands to their workers; true when the app asked to quit.
    fn dispatch(&self, cmds: Vec<Cmd>) -> bool {
        for cmd in cmds {
            match cmd {
                Cmd::Remote(c) => {
                    let _ = self.remote.send(c);
                }
                Cmd::Local(c) => {
                    let _ = self.local.send(c);
                }
                Cmd::Transfer(c) => {
                    let _ = self.transfer.send(c);
                }
                Cmd::Quit => return true,
            }
        }
        false
    }
}

fn spawn_input_thread(tx: Sender<Msg>) {
    std::thread::Builder::new()
        .name("input".into())
        .spawn(move || {
            let start = std::time::Instant::now();
            loop {
                let msg = match event::read() {
                    Ok(Event::Key(k)) => Msg::Key(k),
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
            }
        })
        .expect("spawn input thread");
}

/// One `Tick` a second: speed samples and coalesced refreshes.
fn spawn_ticker(tx: Sender<Msg>) {
    std::thread::Builder::new()
        .name("ticker".into())
        .spawn(move || {
            while tx.send(Msg::Tick).is_ok() {
                std::thread::sleep(std::time::Duration::from_secs(1));
            }
        })
        .expect("spawn ticker thread");
}
