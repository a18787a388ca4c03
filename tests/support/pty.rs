//! Drive the real `ftpdeck` binary in a pseudo-terminal and read its screen.
//!
//! A reader thread feeds every byte the program writes into a `vt100::Parser` (and keeps the raw
//! bytes), and wakes anyone waiting for the screen to change, so waits react at once instead of
//! on the next tick of a sleep loop. Every wait has a deadline and fails with a screen dump.
//!
//! The reader also answers the two terminal queries a real terminal answers and vt100 does not:
//! ftpdeck asks for the cursor position at startup (ratatui's `Terminal::clear`) and, without an
//! answer, gives up after 2 s with "The cursor position could not be read".
//!
//! Shared by several test files (`mod support;`) and by `benches/listing.rs` (`#[path]`); not
//! every user needs every helper.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use portable_pty::{Child, ChildKiller, CommandBuilder, PtySize, native_pty_system};

/// Longest sleep between two looks at the screen when no output arrives.
const POLL: Duration = Duration::from_millis(20);

/// What the reader thread shares with the test.
struct Output {
    parser: vt100::Parser,
    raw: Vec<u8>,
    /// The program closed its side of the terminal (it exited).
    eof: bool,
}

struct Shared {
    output: Mutex<Output>,
    /// Notified after every chunk of output and at end of file.
    changed: Condvar,
    /// Tells the reader thread to let go of the terminal (`hang_up`).
    stop: AtomicBool,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Output> {
        // A panicking test thread must not hide the screen from the Drop or the next assertion.
        self.output.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A running program in a pseudo-terminal. The program is killed when this is dropped.
pub struct Pty {
    shared: Arc<Shared>,
    writer: Arc<Mutex<Box<dyn Write + Send>>>,
    child: Mutex<Box<dyn Child + Send + Sync>>,
    killer: Box<dyn ChildKiller + Send + Sync>,
    reader: Option<JoinHandle<()>>,
    /// Keeps the pseudo-terminal open for as long as the program runs (`None` once hung up).
    master: Option<Box<dyn portable_pty::MasterPty + Send>>,
    /// HOME, XDG dirs, log dir and working directory of the program; removed on drop.
    pub home: tempfile::TempDir,
    /// The program's process id.
    pub pid: Option<u32>,
}

impl Pty {
    /// Start the `ftpdeck` binary built for this test with `args` and extra `env`, in a
    /// `cols`×`rows` terminal.
    pub fn spawn(args: &[&str], env: &[(&str, &str)], cols: u16, rows: u16) -> Pty {
        Pty::spawn_program(
            Path::new(env!("CARGO_BIN_EXE_ftpdeck")),
            args,
            env,
            cols,
            rows,
        )
    }

    /// Start `program` (for benches that run another build of the binary).
    ///
    /// The program gets a private HOME, XDG config/state/cache dirs, `FTPDECK_LOG_DIR` and
    /// working directory under one temp dir, and `TERM=xterm-256color`; `env` comes last and
    /// may override any of them.
    pub fn spawn_program(
        program: &Path,
        args: &[&str],
        env: &[(&str, &str)],
        cols: u16,
        rows: u16,
    ) -> Pty {
        let home = tempfile::Builder::new()
            .prefix("ftpdeck-pty-")
            .tempdir()
            .expect("temp dir for the program's HOME");
        let mut cmd = CommandBuilder::new(program);
        cmd.args(args);
        cmd.cwd(home.path());
        cmd.env("TERM", "xterm-256color");
        cmd.env("HOME", home.path());
        for (var, sub) in [
            ("XDG_CONFIG_HOME", "config"),
            ("XDG_STATE_HOME", "state"),
            ("XDG_CACHE_HOME", "cache"),
            ("FTPDECK_LOG_DIR", "log"),
        ] {
            let dir = home.path().join(sub);
            std::fs::create_dir_all(&dir).expect("create temp sub dir");
            cmd.env(var, dir);
        }
        for (k, v) in env {
            cmd.env(k, v);
        }

        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open a pseudo-terminal");
        let child = pair
            .slave
            .spawn_command(cmd)
            .unwrap_or_else(|e| panic!("spawn {}: {e}", program.display()));
        // Only the child may hold the terminal's slave side, so that reading the master ends
        // (EOF / EIO) as soon as the child exits.
        drop(pair.slave);
        let killer = child.clone_killer();
        let pid = child.process_id();
        let mut reader = pair.master.try_clone_reader().expect("pty reader");
        let writer = Arc::new(Mutex::new(pair.master.take_writer().expect("pty writer")));

        let shared = Arc::new(Shared {
            output: Mutex::new(Output {
                parser: vt100::Parser::new(
                    NonZeroU16::new(rows).expect("rows > 0"),
                    NonZeroU16::new(cols).expect("cols > 0"),
                    0,
                ),
                raw: Vec::new(),
                eof: false,
            }),
            changed: Condvar::new(),
            stop: AtomicBool::new(false),
        });
        let master_fd = pair.master.as_raw_fd();
        let reader = {
            let shared = shared.clone();
            let writer = writer.clone();
            std::thread::Builder::new()
                .name("pty-reader".into())
                .spawn(move || {
                    let mut buf = vec![0u8; 64 * 1024];
                    loop {
                        if !readable(master_fd, &shared.stop) {
                            break;
                        }
                        let n = match reader.read(&mut buf) {
                            Ok(0) | Err(_) => break,
                            Ok(n) => n,
                        };
                        let replies = {
                            let mut out = shared.lock();
                            // A query may straddle two reads: look at a few older bytes too.
                            let from = out.raw.len().saturating_sub(8);
                            let new_at = out.raw.len() - from;
                            out.raw.extend_from_slice(&buf[..n]);
                            out.parser.process(&buf[..n]);
                            terminal_replies(&out.raw[from..], new_at, out.parser.screen())
                        };
                        shared.changed.notify_all();
                        if !replies.is_empty() {
                            let mut w = writer.lock().unwrap_or_else(|e| e.into_inner());
                            let _ = w.write_all(&replies);
                            let _ = w.flush();
                        }
                    }
                    shared.lock().eof = true;
                    shared.changed.notify_all();
                })
                .expect("spawn pty reader thread")
        };

        Pty {
            shared,
            writer,
            child: Mutex::new(child),
            killer,
            reader: Some(reader),
            master: Some(pair.master),
            home,
            pid,
        }
    }

    /// The screen's text, rows separated by newlines.
    pub fn screen(&self) -> String {
        self.shared.lock().parser.screen().contents()
    }

    /// The screen's rows, each as text (wide characters take one `char`, trailing blanks cut).
    pub fn rows(&self) -> Vec<String> {
        let out = self.shared.lock();
        let screen = out.parser.screen();
        let (_, cols) = size(screen);
        screen.rows(0, cols).collect()
    }

    /// Run `f` on the current vt100 screen (attributes, cursor, modes). `f` runs under the
    /// screen's lock: it must not call back into this `Pty`.
    pub fn with_screen<T>(&self, f: impl FnOnce(&vt100::Screen) -> T) -> T {
        f(self.shared.lock().parser.screen())
    }

    /// The highlighted rows of the screen (see [`highlighted_rows`]).
    pub fn highlighted(&self) -> Vec<String> {
        self.with_screen(highlighted_rows)
    }

    /// Everything the program has written so far.
    pub fn raw_output(&self) -> Vec<u8> {
        self.shared.lock().raw.clone()
    }

    /// Wait until the screen contains `text`; returns the screen. On timeout the error holds
    /// the screen, so a failed `expect`/`unwrap` shows what was there instead.
    pub fn wait_for(&self, text: &str, timeout: Duration) -> Result<String, String> {
        self.wait_for_fn(|screen| screen.contains(text), timeout)
            .map_err(|e| format!("waiting for {text:?}: {e}"))
    }

    /// Wait until `pred` holds for the screen's text; returns that screen.
    pub fn wait_for_fn(
        &self,
        mut pred: impl FnMut(&str) -> bool,
        timeout: Duration,
    ) -> Result<String, String> {
        self.wait_for_screen(
            |screen| {
                let text = screen.contents();
                pred(&text).then_some(text)
            },
            timeout,
        )
        .map_err(|dump| format!("timed out after {timeout:?}; the screen was:\n{dump}"))
    }

    /// Wait until `f` returns `Some` for the vt100 screen (use it to look at attributes;
    /// `f` runs under the screen's lock and must not call back into this `Pty`).
    /// Checks after every chunk of output and at least every ~20 ms. On timeout the error is the
    /// screen dump (and whether the program had exited).
    pub fn wait_for_screen<T>(
        &self,
        mut f: impl FnMut(&vt100::Screen) -> Option<T>,
        timeout: Duration,
    ) -> Result<T, String> {
        let deadline = Instant::now() + timeout;
        let mut out = self.shared.lock();
        loop {
            if let Some(v) = f(out.parser.screen()) {
                return Ok(v);
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(dump(&out));
            }
            let wait = POLL.min(deadline - now);
            out = self
                .shared
                .changed
                .wait_timeout(out, wait)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// Type raw bytes.
    pub fn send(&self, bytes: &[u8]) {
        let mut w = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        w.write_all(bytes).expect("write to pty");
        w.flush().expect("flush pty");
    }

    /// Type a string.
    pub fn send_str(&self, s: &str) {
        self.send(s.as_bytes());
    }

    pub fn send_enter(&self) {
        self.send(b"\r");
    }

    pub fn send_tab(&self) {
        self.send(b"\t");
    }

    pub fn send_backspace(&self) {
        self.send(b"\x7f");
    }

    pub fn send_esc(&self) {
        self.send(b"\x1b");
    }

    pub fn send_up(&self) {
        self.send(b"\x1b[A");
    }

    pub fn send_down(&self) {
        self.send(b"\x1b[B");
    }

    pub fn send_right(&self) {
        self.send(b"\x1b[C");
    }

    pub fn send_left(&self) {
        self.send(b"\x1b[D");
    }

    /// Resize the terminal (the program gets SIGWINCH) and the screen model with it.
    pub fn resize(&self, cols: u16, rows: u16) {
        let mut out = self.shared.lock();
        out.parser.set_size(
            NonZeroU16::new(rows).expect("rows > 0"),
            NonZeroU16::new(cols).expect("cols > 0"),
        );
        self.master
            .as_ref()
            .expect("the terminal is open")
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("resize the pty");
    }

    /// Wait for the program to exit; its exit code, or `None` if it is still running at the
    /// deadline. After an exit, also waits (within the same deadline) until all its output has
    /// been read, so `raw_output` and `screen` show the very end.
    pub fn wait_exit(&self, timeout: Duration) -> Option<i32> {
        let deadline = Instant::now() + timeout;
        let status = loop {
            if let Ok(Some(status)) = self
                .child
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .try_wait()
            {
                break status;
            }
            let now = Instant::now();
            if now >= deadline {
                return None;
            }
            // No event tells us the child exited, but end of output usually comes with it.
            let out = self.shared.lock();
            if !out.eof {
                let _ = self
                    .shared
                    .changed
                    .wait_timeout(out, POLL.min(deadline - now));
            } else {
                drop(out);
                std::thread::sleep(Duration::from_millis(2).min(deadline - now));
            }
        };
        let mut out = self.shared.lock();
        while !out.eof {
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            out = self
                .shared
                .changed
                .wait_timeout(out, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        Some(status.exit_code() as i32)
    }

    /// Close the terminal as a terminal window that is closed does: the program gets SIGHUP and
    /// every later write to the terminal fails. The screen keeps what was shown until then.
    pub fn hang_up(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
        // Nothing more will be read: waits for output end here.
        self.shared.lock().eof = true;
        // The last descriptors of the master side: the writer, then the master itself.
        *self.writer.lock().unwrap_or_else(|e| e.into_inner()) = Box::new(std::io::sink());
        self.master = None;
    }

    /// The program's log file (under `FTPDECK_LOG_DIR`), empty if there is none.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.home.path().join("log").join("ftpdeck.log"))
            .unwrap_or_default()
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        let mut child = self.child.lock().unwrap_or_else(|e| e.into_inner());
        if let Ok(None) = child.try_wait() {
            let _ = self.killer.kill();
            let _ = child.wait();
        }
        drop(child);
        if let Some(reader) = self.reader.take() {
            // The child is gone, so the reader sees end of file and ends.
            let _ = reader.join();
        }
    }
}

/// Wait until the master side `fd` has output (or end of file) to read; `false` when `stop`
/// was set first. Without a descriptor, reading blocks as before.
fn readable(fd: Option<std::os::fd::RawFd>, stop: &AtomicBool) -> bool {
    let Some(fd) = fd else {
        return true;
    };
    loop {
        if stop.load(Ordering::SeqCst) {
            return false;
        }
        let mut pfd = libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        };
        // Bounded so that `stop` is seen soon; any event (data, hang-up, error) ends the wait.
        if unsafe { libc::poll(&mut pfd, 1, 20) } != 0 {
            return true;
        }
    }
}

/// The text of the reverse-video cells of every row that has some, trimmed: the cursor row of a
/// focused pane, a selected button.
pub fn highlighted_rows(screen: &vt100::Screen) -> Vec<String> {
    let (_, cols) = size(screen);
    highlighted_in(screen, 0..cols)
}

/// Like [`highlighted_rows`], looking only at the columns `cols` (one pane).
pub fn highlighted_in(screen: &vt100::Screen, cols: std::ops::Range<u16>) -> Vec<String> {
    let (rows, _) = size(screen);
    (0..rows)
        .filter_map(|r| {
            let text: String = cols
                .clone()
                .filter_map(|c| screen.cell(r, c))
                .filter(|cell| cell.inverse())
                .map(|cell| cell.contents())
                .collect();
            let text = text.trim();
            (!text.is_empty()).then(|| text.to_string())
        })
        .collect()
}

/// The screen's (rows, cols).
pub fn size(screen: &vt100::Screen) -> (u16, u16) {
    let (rows, cols) = screen.size();
    (rows.get(), cols.get())
}

fn dump(out: &Output) -> String {
    let screen = out.parser.screen();
    let (rows, cols) = size(screen);
    let rule = "-".repeat(cols as usize);
    let mut s = format!("+{rule}+\n");
    for row in screen.rows(0, cols) {
        s.push('|');
        s.push_str(&row);
        s.push('\n');
    }
    s.push_str(&format!("+{rule}+ ({cols}x{rows})"));
    if out.eof {
        s.push_str(" [the program has exited]");
    }
    s
}

/// Answers to the terminal queries a real terminal would answer (vt100 does not), so a program
/// that asks does not sit out its timeout: cursor position (`ESC [ 6 n`) and primary device
/// attributes (`ESC [ c`). `recent` is the tail of the output whose bytes from `new_at` on are
/// the newest chunk; only queries that end in that chunk are answered (once). The cursor position
/// is the one after the whole chunk: a program that asks waits for the answer before writing
/// more, so the query ends its chunk.
fn terminal_replies(recent: &[u8], new_at: usize, screen: &vt100::Screen) -> Vec<u8> {
    const QUERIES: [(&[u8], Option<&[u8]>); 3] = [
        (b"\x1b[6n", None),
        (b"\x1b[c", Some(b"\x1b[?1;2c")),
        (b"\x1b[0c", Some(b"\x1b[?1;2c")),
    ];
    let mut replies = Vec::new();
    for start in 0..recent.len() {
        for (query, reply) in QUERIES {
            if recent[start..].starts_with(query) && start + query.len() > new_at {
                match reply {
                    Some(r) => replies.extend_from_slice(r),
                    None => {
                        let (row, col) = screen.cursor_position();
                        replies
                            .extend_from_slice(format!("\x1b[{};{}R", row + 1, col + 1).as_bytes());
                    }
                }
            }
        }
    }
    replies
}
