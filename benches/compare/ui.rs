//! The real binary in a pseudo-terminal: key-to-frame latency, idle and during a big download,
//! and peak resident memory after a huge listing.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::process::Sample;
use super::pty::Pty;
use super::sysinfo;

pub const COLS: u16 = 120;
pub const ROWS: u16 = 40;
const STARTUP: Duration = Duration::from_secs(30);
/// A key whose frame takes this long has failed, not been slow.
const FRAME_DEADLINE: Duration = Duration::from_secs(5);

/// The row (0-based) of the highlighted entry in the remote (right) pane whose text contains
/// `needle`: the cursor row.
pub fn cursor_row(screen: &vt100::Screen, needle: &str) -> Option<u16> {
    let (rows, cols) = screen.size();
    let (rows, cols) = (rows.get(), cols.get());
    (0..rows).find(|&r| {
        let text: String = (cols / 2..cols)
            .filter_map(|c| screen.cell(r, c))
            .filter(|cell| cell.inverse())
            .map(|cell| cell.contents())
            .collect();
        text.contains(needle)
    })
}

/// The name of the entry under the cursor of the remote (right) pane: the first word of the
/// first row whose reverse-video cells lie there, without the selection marker before it or
/// the type suffix after it (`/` for a directory, `@` for a link). Names with spaces are cut
/// at the first one.
pub fn cursor_name(screen: &vt100::Screen) -> Option<String> {
    let (rows, cols) = screen.size();
    let (rows, cols) = (rows.get(), cols.get());
    (0..rows).find_map(|r| {
        let text: String = (cols / 2..cols)
            .filter_map(|c| screen.cell(r, c))
            .filter(|cell| cell.inverse())
            .map(|cell| cell.contents())
            .collect();
        let text = text
            .trim_start()
            .trim_start_matches(['*', '+', '\u{2260}', '>']);
        let word = text.split_whitespace().next()?;
        let name = word
            .strip_suffix("/@")
            .or_else(|| word.strip_suffix('/'))
            .or_else(|| word.strip_suffix('@'))
            .unwrap_or(word);
        Some(name.to_string())
    })
}

/// A small deterministic jitter (0–7 ms) between keys, so keys land at every phase of the
/// app's 10 Hz progress redraws instead of in step with them.
pub fn jitter(i: usize) -> Duration {
    Duration::from_millis(((i as u64).wrapping_mul(2_654_435_761) >> 7) % 8)
}

/// The samples of one session.
pub struct KeyRun {
    pub idle: Vec<Duration>,
    pub busy: Vec<Duration>,
    /// Downloads started to keep one running through the busy keys.
    pub downloads: usize,
    /// Keys whose frame came after the download had finished (not counted).
    pub discarded: usize,
    /// VmHWM at the end (after the downloads), KiB.
    pub peak_kib: Option<u64>,
}

/// Start the binary on `/ui` (where `f01.bin`… are names for the big file), press `j`/`k`
/// alternately `keys` times idle, then start downloading `f01.bin` with F5 and press them
/// `keys` times more while it runs — starting the next file whenever one finishes, and counting
/// only keys whose frame arrived while a download was running.
pub fn key_latency(
    binary: &Path,
    url: &str,
    local: &Path,
    copies: usize,
    keys: usize,
) -> Result<KeyRun, String> {
    let local_str = local.to_str().ok_or("the local dir is not UTF-8")?;
    let pty = Pty::spawn_program(binary, &[url, "--local", local_str], &[], COLS, ROWS);
    let name = |i: usize| super::fixtures::ui_name(i + 1);
    pty.wait_for_screen(|s| cursor_row(s, &name(0)), STARTUP)
        .map_err(|screen| {
            format!(
                "ftpdeck never showed /ui with {} under the cursor:\n{screen}",
                name(0)
            )
        })?;

    // The cursor moves between file `base` and `base + 1`; a key's frame is the first one
    // that shows the cursor on its new file (wherever the list has scrolled).
    let mut cursor = 0usize;
    let press = |pty: &Pty, cursor: &mut usize, base: usize| -> Result<Duration, String> {
        let (key, to) = if *cursor == base {
            (b"j", base + 1)
        } else {
            (b"k", base)
        };
        let start = Instant::now();
        pty.send(key);
        pty.wait_for_screen(|s| cursor_row(s, &name(to)).map(|_| ()), FRAME_DEADLINE)
            .map_err(|screen| {
                format!(
                    "the cursor never reached {} after {key:?}:\n{screen}",
                    name(to)
                )
            })?;
        *cursor = to;
        Ok(start.elapsed())
    };

    let mut idle = Vec::with_capacity(keys);
    for i in 0..keys {
        idle.push(press(&pty, &mut cursor, 0)?);
        std::thread::sleep(jitter(i));
    }

    let done = |i: usize| local.join(name(i)).exists();
    let started = |i: usize| done(i) || local.join(format!("{}.part", name(i))).exists();
    let mut busy = Vec::with_capacity(keys);
    let mut downloading = 0usize;
    let mut downloads = 0usize;
    let mut discarded = 0usize;
    let mut i = 0usize;
    while busy.len() < keys {
        if downloads == 0 || done(downloading) {
            if downloads > 0 {
                let _ = std::fs::remove_file(local.join(name(downloading)));
                downloading += 1;
            }
            if downloading + 1 >= copies {
                return Err(format!(
                    "{copies} downloads were over before {keys} keys had been timed"
                ));
            }
            // Put the cursor on the file to download, F5, and wait until it has begun.
            if cursor != downloading {
                let base = downloading.min(cursor);
                press(&pty, &mut cursor, base)?;
            }
            pty.send(b"\x1b[15~");
            downloads += 1;
            let deadline = Instant::now() + STARTUP;
            while !started(downloading) {
                if Instant::now() > deadline {
                    return Err(format!(
                        "F5 on {} started no download:\n{}",
                        name(downloading),
                        pty.screen()
                    ));
                }
                std::thread::sleep(Duration::from_millis(1));
            }
        }
        let latency = press(&pty, &mut cursor, downloading)?;
        if done(downloading) {
            discarded += 1;
        } else {
            busy.push(latency);
        }
        std::thread::sleep(jitter(i));
        i += 1;
    }
    // The process on this terminal: another ftpdeck of an earlier contest may still be exiting.
    let peak_kib = pty.pid.and_then(sysinfo::memory_kib).map(|(hwm, _)| hwm);
    drop(pty);
    for i in 0..copies {
        let _ = std::fs::remove_file(local.join(name(i)));
        let _ = std::fs::remove_file(local.join(format!("{}.part", name(i))));
    }
    Ok(KeyRun {
        idle,
        busy,
        downloads,
        discarded,
        peak_kib,
    })
}

/// Start the binary on `url` (a directory of `entries` files named by `name_of`), wait until
/// the listing is drawn, go to its last entry, and read the process's peak resident memory.
pub fn peak_after_listing(
    binary: &Path,
    url: &str,
    local: &Path,
    first: &str,
    last: &str,
) -> Result<(u64, u64), String> {
    let local_str = local.to_str().ok_or("the local dir is not UTF-8")?;
    let pty = Pty::spawn_program(binary, &[url, "--local", local_str], &[], COLS, ROWS);
    pty.wait_for_fn(|s| s.contains(first), STARTUP)
        .map_err(|e| format!("ftpdeck never drew {first}: {e}"))?;
    pty.send(b"G");
    pty.wait_for_fn(|s| s.contains(last), STARTUP)
        .map_err(|e| format!("ftpdeck never drew {last}: {e}"))?;
    // Let the frame and anything it set off settle.
    std::thread::sleep(Duration::from_millis(300));
    let pid = pty.pid.ok_or("cannot find the ftpdeck process")?;
    let mem = sysinfo::memory_kib(pid).ok_or("cannot read /proc/PID/status")?;
    pty.send(b"q");
    let _ = pty.wait_exit(Duration::from_secs(10));
    Ok(mem)
}

/// Start the binary on `url` and time it until the listing is drawn (the first entry shows;
/// the session worker hands the whole listing over in one message, so the rest has arrived).
/// CPU is the process's own until then, from /proc. Then it is told to quit.
pub fn time_to_listing(
    binary: &Path,
    url: &str,
    local: &Path,
    first: &str,
) -> Result<Sample, String> {
    let local_str = local.to_str().ok_or("the local dir is not UTF-8")?;
    let start = Instant::now();
    let pty = Pty::spawn_program(binary, &[url, "--local", local_str], &[], COLS, ROWS);
    let drawn = pty.wait_for_fn(|s| s.contains(first), STARTUP);
    let wall = start.elapsed().as_secs_f64();
    let cpu = pty.pid.and_then(sysinfo::cpu_of_pid);
    pty.send(b"q");
    let _ = pty.wait_exit(Duration::from_secs(10));
    drawn.map_err(|e| format!("ftpdeck never drew {first}: {e}"))?;
    Ok(Sample {
        wall,
        cpu,
        server_cpu: None,
    })
}

/// The release binary: `CARGO_BIN_EXE_ftpdeck` (cargo builds it for benches), else the target
/// dir's, built if missing.
pub fn locate_binary() -> PathBuf {
    if let Some(p) = option_env!("CARGO_BIN_EXE_ftpdeck").map(PathBuf::from) {
        if p.is_file() {
            return p;
        }
    }
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let binary = super::target_dir().join("release").join("ftpdeck");
    if !binary.is_file() {
        println!(
            "{} is missing: running cargo build --release",
            binary.display()
        );
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let status = std::process::Command::new(cargo)
            .args(["build", "--release", "--bin", "ftpdeck"])
            .current_dir(manifest)
            .status()
            .expect("run cargo build --release");
        assert!(status.success(), "cargo build --release failed");
    }
    binary
}

pub fn tests() -> Vec<super::Case> {
    vec![
        super::case("ui: the cursor row is found in the right pane only", || {
            let mut parser = vt100::Parser::new(
                std::num::NonZeroU16::new(6).unwrap(),
                std::num::NonZeroU16::new(40).unwrap(),
                0,
            );
            // Row 1: f1.bin highlighted on the left; row 3: f2.bin highlighted on the right;
            // row 2: f1.bin plain on the right.
            parser.process(b"\x1b[2;1H\x1b[7m f1.bin \x1b[0m");
            parser.process(b"\x1b[3;21H f1.bin ");
            parser.process(b"\x1b[4;21H\x1b[7m f2.bin     \x1b[0m");
            let screen = parser.screen();
            assert_eq!(cursor_row(screen, "f2.bin"), Some(3));
            assert_eq!(cursor_row(screen, "f1.bin"), None);
            assert_eq!(cursor_name(screen).as_deref(), Some("f2.bin"));
            parser.process(b"\x1b[4;21H\x1b[7m*tree/ <DIR> \x1b[0m");
            assert_eq!(cursor_name(parser.screen()).as_deref(), Some("tree"));
            parser.process(b"\x1b[4;21H\x1b[7m link@  \x1b[0m     ");
            assert_eq!(cursor_name(parser.screen()).as_deref(), Some("link"));
            parser.process(b"\x1b[4;21H\x1b[0m             ");
            assert_eq!(cursor_name(parser.screen()), None);
        }),
        super::case("ui: key jitter stays small and varies", || {
            let gaps: Vec<Duration> = (0..64).map(jitter).collect();
            assert!(gaps.iter().all(|g| *g < Duration::from_millis(8)));
            let distinct: std::collections::HashSet<_> = gaps.iter().collect();
            assert!(distinct.len() >= 6, "{gaps:?}");
        }),
    ]
}
