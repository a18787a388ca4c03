//! The TUI copying the tree, the real binary in a pseudo-terminal: F5 on the tree's top
//! directories, timed from the key until every file is on disk under its final name; and
//! key-to-frame latency while tree downloads run one after the other.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::fixtures;
use super::process::{Cpu, Sample};
use super::pty::Pty;
use super::sysinfo;
use super::ui::{COLS, ROWS, cursor_name, jitter};

/// The F5 key as a terminal sends it.
pub const F5: &[u8] = b"\x1b[15~";
const STARTUP: Duration = Duration::from_secs(30);
/// A key whose frame takes this long has failed, not been slow.
const FRAME_DEADLINE: Duration = Duration::from_secs(5);
/// No file arrived for this long: the copy is stuck (a tree copy takes seconds).
const STALL: Duration = Duration::from_secs(120);
/// Tree downloads started at most while the busy keys are pressed.
const MAX_TREES: usize = 200;

/// The files a copy of a tree must produce (relative path and size, sorted) and the names of
/// its top-level entries, sorted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    pub files: Vec<(PathBuf, u64)>,
    pub top: Vec<String>,
}

impl Expected {
    pub fn of(root: &Path) -> Result<Expected, String> {
        let err = |p: &Path, e: std::io::Error| format!("{}: {e}", p.display());
        let mut files = Vec::new();
        let mut stack = vec![PathBuf::new()];
        while let Some(rel) = stack.pop() {
            let dir = root.join(&rel);
            for entry in std::fs::read_dir(&dir).map_err(|e| err(&dir, e))? {
                let entry = entry.map_err(|e| err(&dir, e))?;
                let meta = entry.metadata().map_err(|e| err(&entry.path(), e))?;
                let child = rel.join(entry.file_name());
                if meta.is_dir() {
                    stack.push(child);
                } else {
                    files.push((child, meta.len()));
                }
            }
        }
        files.sort();
        let mut top: Vec<String> = std::fs::read_dir(root)
            .map_err(|e| err(root, e))?
            .filter_map(|e| Some(e.ok()?.file_name().to_string_lossy().into_owned()))
            .collect();
        top.sort();
        Ok(Expected { files, top })
    }
}

/// Watches a local directory fill up with the expected files. A file counts once it has its
/// final name and its full size (the app writes `NAME.part` and renames it when complete).
///
/// Each look checks the files in order and stops at the first one still missing, so it costs a
/// stat per file that arrived plus one, however many are still to come; files that arrive out
/// of order are counted when the ones before them have arrived. The copy is complete when
/// every file is there.
pub struct Arrivals<'a> {
    root: PathBuf,
    expected: &'a [(PathBuf, u64)],
    /// Files before this index have arrived.
    next: usize,
}

impl<'a> Arrivals<'a> {
    pub fn new(root: &Path, expected: &'a [(PathBuf, u64)]) -> Arrivals<'a> {
        Arrivals {
            root: root.to_path_buf(),
            expected,
            next: 0,
        }
    }

    fn arrived(&self, i: usize) -> bool {
        let (rel, size) = &self.expected[i];
        std::fs::symlink_metadata(self.root.join(rel))
            .is_ok_and(|m| m.is_file() && m.len() == *size)
    }

    /// Look again; whether every file has arrived.
    pub fn poll(&mut self) -> bool {
        while self.next < self.expected.len() && self.arrived(self.next) {
            self.next += 1;
        }
        self.complete()
    }

    pub fn complete(&self) -> bool {
        self.next == self.expected.len()
    }

    /// Files known to have arrived (those before the first missing one).
    pub fn counted(&self) -> usize {
        self.next
    }
}

/// Poll until every file has arrived; `Err` with the screen when no file arrives for [`STALL`]
/// or the app reports a failure.
fn wait_complete(pty: &Pty, arrivals: &mut Arrivals) -> Result<(), String> {
    let mut last = (arrivals.counted(), Instant::now());
    let mut looks = 0u64;
    while !arrivals.poll() {
        looks += 1;
        if arrivals.counted() != last.0 {
            last = (arrivals.counted(), Instant::now());
        } else if last.1.elapsed() > STALL {
            return Err(format!(
                "{} of {} files after {STALL:?} without progress:\n{}",
                arrivals.counted(),
                arrivals.expected.len(),
                pty.screen()
            ));
        }
        // The task summary says "N failed" once a copy has failed for good.
        if looks % 200 == 0 && pty.screen().contains(" failed") {
            return Err(format!("a copy failed:\n{}", pty.screen()));
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    Ok(())
}

/// The config file that gives the app `parallel` transfers, in a fresh directory under `base`
/// (used as `XDG_CONFIG_HOME`: the app reads `ftpdeck/config.toml` there).
pub fn config_home(base: &Path, parallel: usize) -> Result<tempfile::TempDir, String> {
    let dir = tempfile::Builder::new()
        .prefix("tui-config-")
        .tempdir_in(base)
        .map_err(|e| format!("temp config dir: {e}"))?;
    let app = dir.path().join("ftpdeck");
    std::fs::create_dir_all(&app).map_err(|e| e.to_string())?;
    std::fs::write(app.join("config.toml"), config_text(parallel)).map_err(|e| e.to_string())?;
    Ok(dir)
}

pub fn config_text(parallel: usize) -> String {
    format!("[transfers]\nparallel = {parallel}\n")
}

/// The binary on `url` with the local pane on `local`, its config from `config_home`.
fn spawn(binary: &Path, url: &str, local: &Path, config_home: &Path) -> Result<Pty, String> {
    let local = local.to_str().ok_or("the local dir is not UTF-8")?;
    let config = config_home.to_str().ok_or("the config dir is not UTF-8")?;
    Ok(Pty::spawn_program(
        binary,
        &[url, "--local", local],
        &[("XDG_CONFIG_HOME", config)],
        COLS,
        ROWS,
    ))
}

fn cpu_since(pid: Option<u32>, before: Option<Cpu>) -> Option<Cpu> {
    let (now, before) = (sysinfo::cpu_of_pid(pid?)?, before?);
    Some(Cpu {
        user: (now.user - before.user).max(0.0),
        sys: (now.sys - before.sys).max(0.0),
    })
}

/// Wait until the task summary says all `files` copies are done and nothing is running.
fn wait_idle(pty: &Pty, files: usize) -> Result<(), String> {
    let text = format!("idle · {files} done");
    pty.wait_for(&text, STARTUP)
        .map(|_| ())
        .map_err(|e| format!("the app never showed {text:?}: {e}"))
}

/// Quit (answering the quit question if transfers were still listed as running).
fn quit(pty: &Pty) {
    pty.send(b"q");
    if pty.wait_exit(Duration::from_secs(5)).is_none() {
        pty.send(b"y");
        let _ = pty.wait_exit(Duration::from_secs(5));
    }
}

/// Start the binary on the remote directory `url` (whose entries are `expected.top`), the
/// local pane on the empty `local`; once the listing is drawn select everything with `*`, then
/// time from the F5 key until every expected file is in `local` under its final name. CPU is
/// the app's over the same span, from /proc (10 ms ticks). F5 asks nothing when no destination
/// exists. Untimed afterwards: the app shows all copies done, and quits.
pub fn f5_tree(
    binary: &Path,
    url: &str,
    local: &Path,
    config_home: &Path,
    expected: &Expected,
) -> Result<Sample, String> {
    let first = expected.top.first().ok_or("the tree is empty")?;
    let pty = spawn(binary, url, local, config_home)?;
    pty.wait_for_screen(
        |s| (cursor_name(s).as_deref() == Some(first.as_str())).then_some(()),
        STARTUP,
    )
    .map_err(|screen| {
        format!("ftpdeck never showed the tree with {first} under the cursor:\n{screen}")
    })?;
    pty.send(b"*");
    pty.wait_for(&format!("[{} selected", expected.top.len()), STARTUP)?;
    let mut arrivals = Arrivals::new(local, &expected.files);
    let cpu_before = pty.pid.and_then(sysinfo::cpu_of_pid);
    let start = Instant::now();
    pty.send(F5);
    wait_complete(&pty, &mut arrivals)?;
    let wall = start.elapsed().as_secs_f64();
    let cpu = cpu_since(pty.pid, cpu_before);
    wait_idle(&pty, expected.files.len())?;
    quit(&pty);
    Ok(Sample {
        wall,
        cpu,
        server_cpu: None,
    })
}

/// The samples of one session of keys during tree downloads.
pub struct TreeKeys {
    pub busy: Vec<Duration>,
    /// Tree downloads started to keep one running through the keys.
    pub trees: usize,
    /// Keys whose frame came after the download had finished (not counted).
    pub discarded: usize,
    /// VmHWM at the end, KiB.
    pub peak_kib: Option<u64>,
}

/// Press `key` and wait for the first frame with the cursor on `to`: the time that took.
fn press(pty: &Pty, key: &[u8], to: &str) -> Result<Duration, String> {
    let start = Instant::now();
    pty.send(key);
    pty.wait_for_screen(
        |s| (cursor_name(s).as_deref() == Some(to)).then_some(()),
        FRAME_DEADLINE,
    )
    .map_err(|screen| format!("the cursor never reached {to} after {key:?}:\n{screen}"))?;
    Ok(start.elapsed())
}

/// Start the binary on the server's root (`root_url`, which holds `tree/`), the local pane on
/// the empty `local`; put the cursor on `tree`, F5 (a download of the whole tree into
/// `local/tree`), and press `j`/`k` `keys` times while it runs, moving the cursor between
/// `tree` and the entry after it. When a download has finished it is checked against
/// `source` and removed (untimed), and the next one starts; only keys whose frame arrived
/// while a download was running count.
pub fn keys_during_tree(
    binary: &Path,
    root_url: &str,
    local: &Path,
    config_home: &Path,
    expected: &Expected,
    source: &Path,
    keys: usize,
) -> Result<TreeKeys, String> {
    let pty = spawn(binary, root_url, local, config_home)?;
    let under = |pty: &Pty| {
        pty.wait_for_screen(cursor_name, STARTUP)
            .map_err(|screen| format!("no cursor in the remote pane:\n{screen}"))
    };
    let mut current = under(&pty)?;
    for _ in 0..16 {
        if current == "tree" {
            break;
        }
        let from = current.clone();
        pty.send(b"j");
        current = pty
            .wait_for_screen(|s| cursor_name(s).filter(|n| *n != from), FRAME_DEADLINE)
            .map_err(|screen| format!("j did not move the cursor from {from}:\n{screen}"))?;
    }
    if current != "tree" {
        return Err(format!(
            "no entry named tree in the root:\n{}",
            pty.screen()
        ));
    }
    pty.send(b"j");
    let after = pty
        .wait_for_screen(|s| cursor_name(s).filter(|n| n != "tree"), FRAME_DEADLINE)
        .map_err(|screen| format!("nothing after tree in the root:\n{screen}"))?;
    press(&pty, b"k", "tree")?;

    let dest = local.join("tree");
    let mut on_tree = true;
    let mut busy = Vec::with_capacity(keys);
    let (mut trees, mut discarded, mut i) = (0usize, 0usize, 0usize);
    let mut arrivals = Arrivals::new(&dest, &expected.files);
    while busy.len() < keys {
        if trees == 0 || arrivals.complete() {
            if trees > 0 {
                fixtures::compare_trees(source, &dest)?;
                wait_idle(&pty, trees * expected.files.len())?;
                super::ctx::remove(&dest)?;
            }
            if trees == MAX_TREES {
                return Err(format!(
                    "{MAX_TREES} tree downloads were over before {keys} keys had been timed"
                ));
            }
            if !on_tree {
                press(&pty, b"k", "tree")?;
                on_tree = true;
            }
            pty.send(F5);
            trees += 1;
            arrivals = Arrivals::new(&dest, &expected.files);
            let deadline = Instant::now() + STARTUP;
            while !dest.exists() {
                if Instant::now() > deadline {
                    return Err(format!("F5 on tree started no download:\n{}", pty.screen()));
                }
                std::thread::sleep(Duration::from_millis(1));
            }
        }
        let (key, to): (&[u8], &str) = if on_tree {
            (b"j", &after)
        } else {
            (b"k", "tree")
        };
        let latency = press(&pty, key, to)?;
        on_tree = !on_tree;
        if arrivals.poll() {
            discarded += 1;
        } else {
            busy.push(latency);
        }
        std::thread::sleep(jitter(i));
        i += 1;
    }
    // Let the last download end before quitting, so nothing is left half-written.
    wait_complete(&pty, &mut arrivals)?;
    let peak_kib = pty.pid.and_then(sysinfo::memory_kib).map(|(hwm, _)| hwm);
    wait_idle(&pty, trees * expected.files.len())?;
    quit(&pty);
    super::ctx::remove(&dest)?;
    Ok(TreeKeys {
        busy,
        trees,
        discarded,
        peak_kib,
    })
}

/// The command line the results show for the TUI on `url` with its local pane on `local`.
pub fn shown_command(binary: &Path, url: &str, local: &Path) -> std::process::Command {
    let mut cmd = std::process::Command::new(binary);
    cmd.arg(url).arg("--local").arg(local);
    cmd
}

pub fn tests() -> Vec<super::Case> {
    vec![
        super::case(
            "tui_tree: arrivals count final names of the right size, in any order",
            || {
                let dir = tempfile::tempdir().unwrap();
                let src = dir.path().join("src");
                fixtures::write_tree(&src, &fixtures::tree_plan(45, 90_000), &fixtures::block(2))
                    .unwrap();
                let expected = Expected::of(&src).unwrap();
                assert_eq!(expected.files.len(), 45);
                assert_eq!(expected.top, vec!["d00".to_string()]);
                assert!(expected.files.windows(2).all(|w| w[0].0 < w[1].0));
                assert_eq!(expected.files.iter().map(|f| f.1).sum::<u64>(), 90_000);
                let dest = dir.path().join("dest");
                let mut arrivals = Arrivals::new(&dest, &expected.files);
                assert!(!arrivals.poll(), "nothing there yet");
                let put = |i: usize, name: &str, len: u64| {
                    let p = dest.join(expected.files[i].0.with_file_name(name));
                    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
                    std::fs::write(p, vec![0u8; len as usize]).unwrap();
                };
                let name = |i: usize| {
                    expected.files[i]
                        .0
                        .file_name()
                        .unwrap()
                        .to_string_lossy()
                        .into_owned()
                };
                // The last file first, a partial file, and one short of its size: none counts
                // while the first is missing, and the short one never does.
                put(44, &name(44), expected.files[44].1);
                put(0, &format!("{}.part", name(0)), expected.files[0].1);
                put(1, &name(1), expected.files[1].1 - 1);
                assert!(!arrivals.poll());
                assert_eq!(arrivals.counted(), 0);
                put(0, &name(0), expected.files[0].1);
                assert!(!arrivals.poll());
                assert_eq!(arrivals.counted(), 1, "stops at the short file");
                for i in 1..44 {
                    put(i, &name(i), expected.files[i].1);
                }
                assert!(arrivals.poll(), "complete once every file is in place");
                assert_eq!(arrivals.counted(), 45);
                assert!(Arrivals::new(&dest, &[]).poll(), "nothing expected");
            },
        ),
        super::case(
            "tui_tree: the app's config sets its parallel transfers",
            || {
                let base = tempfile::tempdir().unwrap();
                let home = config_home(base.path(), 4).unwrap();
                let text =
                    std::fs::read_to_string(home.path().join("ftpdeck/config.toml")).unwrap();
                assert_eq!(text, "[transfers]\nparallel = 4\n");
                let parsed: toml::Table = text.parse().unwrap();
                assert_eq!(parsed["transfers"]["parallel"].as_integer(), Some(4));
            },
        ),
    ]
}
