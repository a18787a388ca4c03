//! How long from pressing Enter on a 20,000-entry remote directory until ftpdeck has drawn it,
//! next to `curl` listing the same directory from the same server.
//!
//! `cargo bench --bench listing`. The embedded server runs in this process over a temp dir; the
//! release binary runs in a pseudo-terminal, driven like a user would. Three contenders:
//!
//! - ftpdeck: the key reaching the app, CWD + PWD + MLSD on its already open connection,
//!   parsing, sorting, and the frame reaching the terminal;
//! - the wire floor: the same three commands on an open connection with bare `suppaftp`, no UI,
//!   so `ftpdeck - floor` is what the app itself adds;
//! - curl (when installed): a whole `curl` process, connect, log in, CWD, EPSV, LIST.
//!
//! With the embedded server (libunftp's file-system backend) the server dominates: it stats every
//! entry for the listing and, because its CWD is implemented as a full listing, again for CWD.
//! Set `LISTING_BENCH_RUNS` to change the number of runs (at least 5).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may stop at the first surprise

#[path = "../tests/support/pty.rs"]
mod pty;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ftpdeck::server::{self, ServerAuth, ServerConfig};
use pty::Pty;

const ENTRIES: usize = 20_000;
const DEFAULT_RUNS: usize = 7;
/// Deadlines, not delays: a run that takes this long has failed.
const STARTUP: Duration = Duration::from_secs(30);
const LISTING: Duration = Duration::from_secs(60);

fn main() {
    let runs = std::env::var("LISTING_BENCH_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(DEFAULT_RUNS)
        .max(5);
    let binary = locate_binary();

    let root = tempfile::tempdir().expect("temp dir");
    let big = root.path().join("big");
    std::fs::create_dir(&big).expect("mkdir big");
    for i in 1..=ENTRIES {
        std::fs::write(big.join(format!("file-{i:05}.txt")), format!("{i}\n")).expect("write file");
    }
    let local = tempfile::tempdir().expect("temp dir");
    let server = server::start(ServerConfig::local(
        root.path(),
        ServerAuth::User {
            user: "bench".into(),
            password: "bench".into(),
        },
    ))
    .expect("start the embedded server");
    let addr = server.addr();
    let url = format!("ftp://bench:bench@127.0.0.1:{}/", addr.port());

    let curl = curl_version();
    match &curl {
        Some(v) => println!("curl: {v}"),
        None => println!("note: curl not found; measuring ftpdeck alone"),
    }
    println!(
        "ftpdeck: {}\nlisting {ENTRIES} entries, {runs} runs each after one warm-up, in rotating order",
        binary.display()
    );

    // Warm-up (not counted): the first listing reads the directory from disk.
    let ftpdeck_run = || ftpdeck_enter_to_drawn(&binary, &url, local.path());
    ftpdeck_run();
    wire_floor(addr);
    if curl.is_some() {
        time(|| curl_list(&url));
    }

    let mut ours = Vec::with_capacity(runs);
    let mut floor = Vec::with_capacity(runs);
    let mut theirs = Vec::with_capacity(runs);
    for i in 0..runs {
        // Rotate who goes first, so drift (caches, other load) hits all alike.
        for turn in 0..3 {
            match (i + turn) % 3 {
                0 => ours.push(ftpdeck_run()),
                1 => floor.push(wire_floor(addr)),
                _ if curl.is_some() => theirs.push(time(|| curl_list(&url))),
                _ => {}
            }
        }
    }
    server.stop();
    report(
        runs,
        &ours,
        &floor,
        curl.as_ref().map(|_| theirs.as_slice()),
    );
}

/// The FTP commands ftpdeck sends to open `/big` (CWD, PWD, MLSD), timed on an already logged-in
/// connection, with nothing else: what the server and the wire cost.
fn wire_floor(addr: std::net::SocketAddr) -> Duration {
    let mut ftp = suppaftp::FtpStream::connect(addr).expect("connect");
    ftp.login("bench", "bench").expect("login");
    let start = Instant::now();
    ftp.cwd("/big").expect("CWD");
    ftp.pwd().expect("PWD");
    let lines = ftp.mlsd(None).expect("MLSD");
    let elapsed = start.elapsed();
    assert_eq!(lines.len(), ENTRIES, "MLSD lines");
    let _ = ftp.quit();
    elapsed
}

/// One run: start ftpdeck on the server's root, wait for `big/`, press Enter, and time until
/// the pane shows `/big` loaded with its first file drawn.
fn ftpdeck_enter_to_drawn(binary: &Path, url: &str, local: &Path) -> Duration {
    let local = local.to_str().expect("UTF-8 temp path");
    let pty = Pty::spawn_program(binary, &[url, "--local", local], &[], 120, 40);
    // The root holds only `big/`, so the cursor is on it once the listing is in.
    pty.wait_for_fn(
        |s| s.contains("big/") && s.lines().next().is_some_and(|t| !t.contains("loading")),
        STARTUP,
    )
    .unwrap_or_else(|e| panic!("ftpdeck never listed the root: {e}"));

    let start = Instant::now();
    pty.send_enter();
    pty.wait_for_fn(
        |s| {
            let title = s.lines().next().unwrap_or_default();
            title.contains(":/big ") && !title.contains("loading") && s.contains("file-00001.txt")
        },
        LISTING,
    )
    .unwrap_or_else(|e| panic!("ftpdeck never drew /big: {e}"));
    let elapsed = start.elapsed();

    // Not timed: the whole listing arrived (the last entry is there), then quit cleanly.
    pty.send(b"G");
    pty.wait_for("file-20000.txt", LISTING)
        .unwrap_or_else(|e| panic!("the listing is incomplete: {e}"));
    pty.send(b"q");
    assert_eq!(
        pty.wait_exit(Duration::from_secs(10)),
        Some(0),
        "ftpdeck did not quit cleanly"
    );
    elapsed
}

/// `curl` lists `big/` (a URL ending in `/` is a directory: LIST); returns the number of lines.
fn curl_list(url: &str) -> usize {
    let out = Command::new("curl")
        .args(["-sS", &format!("{url}big/")])
        .stdin(Stdio::null())
        .output()
        .expect("run curl");
    assert!(
        out.status.success(),
        "curl failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout.iter().filter(|&&b| b == b'\n').count()
}

fn time(f: impl FnOnce() -> usize) -> Duration {
    let start = Instant::now();
    let lines = f();
    let elapsed = start.elapsed();
    assert!(
        lines >= ENTRIES,
        "curl listed {lines} lines, expected {ENTRIES}"
    );
    elapsed
}

/// curl's first `--version` line, or `None` when there is no curl.
fn curl_version() -> Option<String> {
    let out = Command::new("curl").arg("--version").output().ok()?;
    out.status.success().then(|| {
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .next()
            .unwrap_or("curl")
            .to_string()
    })
}

/// The release binary. Cargo builds it for `cargo bench` and says where (`CARGO_BIN_EXE_*` is
/// set for benches as for integration tests); otherwise look in the target dir, building it if
/// it is missing.
fn locate_binary() -> PathBuf {
    if let Some(p) = option_env!("CARGO_BIN_EXE_ftpdeck").map(PathBuf::from) {
        if p.is_file() {
            return p;
        }
    }
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest.join("target"));
    let binary = target.join("release").join("ftpdeck");
    if !binary.is_file() {
        println!(
            "{} is missing: running cargo build --release",
            binary.display()
        );
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "--release", "--bin", "ftpdeck"])
            .current_dir(manifest)
            .status()
            .expect("run cargo build --release");
        assert!(status.success(), "cargo build --release failed");
    }
    binary
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Min, median and max of some runs, in milliseconds.
struct Stats {
    min: f64,
    median: f64,
    max: f64,
}

impl Stats {
    fn of(samples: &[Duration]) -> Stats {
        let mut v: Vec<f64> = samples.iter().copied().map(ms).collect();
        v.sort_by(f64::total_cmp);
        let n = v.len();
        let median = if n % 2 == 1 {
            v[n / 2]
        } else {
            (v[n / 2 - 1] + v[n / 2]) / 2.0
        };
        Stats {
            min: v[0],
            median,
            max: v[n - 1],
        }
    }

    fn row(&self, label: &str) -> String {
        format!(
            "| {label} | {:.0} ms | {:.0} ms | {:.0} ms |",
            self.min, self.median, self.max
        )
    }

    fn json(&self) -> String {
        format!(
            "{{\"min_ms\":{:.2},\"median_ms\":{:.2},\"max_ms\":{:.2}}}",
            self.min, self.median, self.max
        )
    }
}

fn report(runs: usize, ours: &[Duration], floor: &[Duration], theirs: Option<&[Duration]>) {
    let ours = Stats::of(ours);
    let floor = Stats::of(floor);
    let theirs = theirs.map(Stats::of);
    println!();
    println!("| {ENTRIES} entries, {runs} runs each | min | median | max |");
    println!("|---|---:|---:|---:|");
    println!("{}", ours.row("ftpdeck: Enter → listing drawn"));
    println!("{}", floor.row("wire floor: CWD + PWD + MLSD, no UI"));
    if let Some(t) = &theirs {
        println!("{}", t.row("curl: connect, log in, CWD, LIST"));
        println!(
            "| ratio ftpdeck / curl | {:.2}× | {:.2}× | |",
            ours.min / t.min,
            ours.median / t.median
        );
    }
    println!();
    println!(
        "ftpdeck − wire floor: {:+.0} ms (medians), {:+.0} ms (minimums); the floor's own spread \
         is {:.0} ms",
        ours.median - floor.median,
        ours.min - floor.min,
        floor.max - floor.min
    );
    let (curl, ratio) = match &theirs {
        Some(t) => (t.json(), format!("{:.3}", ours.median / t.median)),
        None => ("null".to_string(), "null".to_string()),
    };
    println!(
        "{{\"bench\":\"listing\",\"entries\":{ENTRIES},\"runs\":{runs},\"ftpdeck\":{},\
         \"floor\":{},\"curl\":{curl},\"ratio_median\":{ratio}}}",
        ours.json(),
        floor.json()
    );
}
