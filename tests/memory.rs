//! Memory use: a 200,000-entry directory listed through the session worker into both panes of
//! an `App`, and a 1 GB download through the transfer engine. Peak RSS (VmHWM) and current RSS
//! are reported with `eprintln!` (run with `--nocapture` to see them).
//!
//! The embedded server runs in this process, so its own memory counts too: the numbers are an
//! upper bound for the client. Each ceiling is printed next to what was measured; they sit about
//! 1.5 times above what this test measured on x86-64 Linux (8 times for the download, whose
//! growth is mostly thread stacks), so they catch "holds the whole file in memory" or "copies
//! the listing twice", not small regressions.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may stop at the first surprise

mod common;
mod fake;

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::*;
use fake::FakeServer;
use ftpdeck::app::{App, AppConfig, Cmd, Msg};
use ftpdeck::entry::EntryKind;
use ftpdeck::local::{LocalCmd, LocalEvent};
use ftpdeck::remote::session::{self, SessionOptions};
use ftpdeck::remote::{Profile, RemoteCmd, RemoteEvent, Secret};
use ftpdeck::transfer::{self, Direction, Job, Outcome, PoolOptions, TransferCmd, TransferEvent};

const MB: u64 = 1024 * 1024;
const ENTRIES: usize = 200_000;
const T: Duration = Duration::from_secs(60);
/// Peak growth while listing 200k entries into both panes (measured: 123 MB, server included).
const LISTING_PEAK_MAX: u64 = 180 * MB;
/// Live heap the `App` holds per entry shown (measured: 187 bytes).
const HELD_PER_ENTRY_MAX: u64 = 300;
/// Peak growth during a 1 GB download (measured: 6 MB).
const DOWNLOAD_PEAK_MAX: u64 = 50 * MB;

/// Counts the bytes allocated and not yet freed (the whole process: client and in-process
/// server alike), so that what the `App` itself holds can be told apart from what the
/// allocator keeps around.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded unchanged to the system allocator; only counters are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            LIVE.fetch_add(new_size, Ordering::Relaxed);
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn live_heap() -> u64 {
    LIVE.load(Ordering::Relaxed) as u64
}

/// A field of /proc/self/status in bytes (`VmHWM`, `VmRSS`).
fn status_bytes(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map(|kb| kb * 1024)
        .unwrap_or_else(|| panic!("no {field} in /proc/self/status"))
}

/// Reset the peak (VmHWM) to the current RSS, so that the next peak belongs to what follows.
/// Returns false where the kernel does not allow it (then the peak is the process's so far).
fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / MB as f64)
}

/// Tests in this file measure the one process: never run two at once.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

#[test]
fn a_200k_entry_directory_in_both_panes() {
    let _serial = serial();
    // Creating 200,000 files for the embedded server takes ~8 s and listing them ~15 s in a
    // debug build (libunftp stats each one): the scripted fake server sends the same LIST
    // output from memory.
    let server = FakeServer::builder()
        .dir_listing("/huge", fake::many_files(ENTRIES))
        .start();
    let (tx, rx) = mpsc::channel::<Msg>();
    let worker = session::spawn(tx, SessionOptions::default());
    let local_dir = PathBuf::from("/");
    let profile = Profile {
        host: "127.0.0.1".into(),
        port: server.port(),
        user: "tester".into(),
        password: Some(Secret::new("secret")),
        ..Profile::default()
    };
    let (mut app, cmds) = App::new(AppConfig::new(local_dir.clone(), Some(profile)));
    let local_id = cmds
        .iter()
        .find_map(|c| match c {
            Cmd::Local(LocalCmd::List { id, .. }) => Some(*id),
            _ => None,
        })
        .expect("the app asks for the local listing");
    for c in cmds {
        if let Cmd::Remote(r) = c {
            worker.send(r).unwrap();
        }
    }
    let (list_cmd, _) = recv_until(&rx, T, |m| match m {
        Msg::Remote(RemoteEvent::Connected { .. }) => Some(m.clone()),
        Msg::Remote(RemoteEvent::ConnectFailed { error }) => panic!("connect failed: {error}"),
        _ => None,
    });
    let remote_id = app
        .update(list_cmd)
        .into_iter()
        .find_map(|c| match c {
            Cmd::Remote(RemoteCmd::List { id, .. }) => Some(id),
            _ => None,
        })
        .expect("the app asks for the remote listing once connected");

    let (hwm0, rss0) = (status_bytes("VmHWM"), status_bytes("VmRSS"));
    let reset = reset_peak();
    eprintln!(
        "before listing: VmRSS {}, VmHWM {} (peak reset: {reset})",
        mb(rss0),
        mb(hwm0)
    );

    let started = Instant::now();
    worker
        .send(RemoteCmd::List {
            id: remote_id,
            path: "/huge".into(),
        })
        .unwrap();
    // Taken by value (not through `recv_until`, which would clone 200,000 entries).
    let deadline = Instant::now() + T;
    let listed = loop {
        match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(m @ Msg::Remote(RemoteEvent::Listed { id, .. })) if id == remote_id => break m,
            Ok(_) => {}
            Err(e) => panic!("no listing within {T:?}: {e}"),
        }
    };
    let listed_in = started.elapsed();
    let entries = match &listed {
        Msg::Remote(RemoteEvent::Listed { result, .. }) => {
            result.as_ref().expect("listing").entries.clone()
        }
        _ => unreachable!(),
    };
    assert_eq!(entries.len(), ENTRIES);
    assert!(entries.iter().all(|e| e.kind == EntryKind::File));
    // The fake sends the names in order, as `ls` does; a local directory comes in readdir
    // order, so the local pane gets the same entries shuffled (and sorts them for real).
    let mut shuffled = entries;
    let mut x = 0x9e37_79b9_7f4a_7c15_u64;
    for i in (1..shuffled.len()).rev() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        shuffled.swap(i, (x % (i as u64 + 1)) as usize);
    }
    let started = Instant::now();
    app.update(listed);
    let remote_in = started.elapsed();
    let started = Instant::now();
    app.update(Msg::Local(LocalEvent::Listed {
        id: local_id,
        path: local_dir.clone(),
        result: Ok((local_dir, shuffled)),
    }));
    let local_in = started.elapsed();
    assert_eq!(
        app.browse.local.current().map(|e| e.name.as_str()),
        Some("file-000000")
    );
    assert_eq!(app.browse.remote.entries.len(), ENTRIES);
    assert_eq!(app.browse.remote.view.len(), ENTRIES);
    assert_eq!(app.browse.local.entries.len(), ENTRIES);
    assert_eq!(app.browse.local.view.len(), ENTRIES);

    // One frame, as the UI would paint it.
    let started = Instant::now();
    let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(160, 50)).unwrap();
    term.draw(|f| ftpdeck::ui::draw(f, &app, &app.theme))
        .unwrap();
    let drawn_in = started.elapsed();

    let (hwm1, rss1) = (status_bytes("VmHWM"), status_bytes("VmRSS"));
    let peak_growth = hwm1.saturating_sub(if reset { rss0 } else { hwm0 });
    eprintln!(
        "listed {ENTRIES} entries in {listed_in:?}, App::update took {remote_in:?} (remote, \
         names in order) and {local_in:?} (local, shuffled); \
         drew a frame in {drawn_in:?}"
    );
    eprintln!(
        "after: VmRSS {} (+{}), VmHWM {} (peak growth +{}); target: peak growth under {}",
        mb(rss1),
        mb(rss1.saturating_sub(rss0)),
        mb(hwm1),
        mb(peak_growth),
        mb(LISTING_PEAK_MAX)
    );
    let _ = worker.send(RemoteCmd::Shutdown);
    drop(term);
    drop(server);
    let with_app = live_heap();
    drop(app);
    let without_app = live_heap();
    let held = with_app.saturating_sub(without_app);
    let per_entry = held / (2 * ENTRIES as u64);
    eprintln!(
        "the App holds {} of live heap for 2 x {ENTRIES} entries ({per_entry} bytes an entry; \
         target: under {HELD_PER_ENTRY_MAX}); VmRSS after dropping it {} (the allocator keeps \
         freed pages)",
        mb(held),
        mb(status_bytes("VmRSS"))
    );
    // At least the entries themselves: the counter sees what the app holds.
    let entry_size = std::mem::size_of::<ftpdeck::entry::Entry>() as u64;
    assert!(
        per_entry >= entry_size,
        "{per_entry} bytes an entry counted, an Entry alone is {entry_size}"
    );
    assert!(
        per_entry < HELD_PER_ENTRY_MAX,
        "the App holds {per_entry} bytes an entry"
    );
    assert!(
        peak_growth < LISTING_PEAK_MAX,
        "listing 200k entries into both panes grew the peak by {}",
        mb(peak_growth)
    );
}

fn download_job(remote: &str, local: &Path) -> Job {
    Job::new(1, Direction::Download, remote, local, false)
}

#[test]
fn a_1gb_download_does_not_grow_memory() {
    let _serial = serial();
    const SIZE: u64 = 1 << 30;
    let root = tempfile::tempdir().unwrap();
    // Sparse on the server side (reads as zeros, costs no disk); the client writes it all.
    std::fs::File::create(root.path().join("big.bin"))
        .unwrap()
        .set_len(SIZE)
        .unwrap();
    let server = start_server(root.path());
    let dst = tempfile::tempdir().unwrap();
    let target = dst.path().join("big.bin");

    let (tx, rx) = mpsc::channel();
    let pool = transfer::spawn(
        tx,
        PoolOptions {
            workers: 1,
            ..PoolOptions::default()
        },
    );
    pool.send(TransferCmd::SetProfile(profile(&server)))
        .unwrap();

    let (hwm0, rss0) = (status_bytes("VmHWM"), status_bytes("VmRSS"));
    let reset = reset_peak();
    eprintln!(
        "before download: VmRSS {}, VmHWM {} (peak reset: {reset})",
        mb(rss0),
        mb(hwm0)
    );
    let started = Instant::now();
    pool.send(TransferCmd::Enqueue(vec![download_job(
        "/big.bin", &target,
    )]))
    .unwrap();
    let mut max_rss = rss0;
    let mut samples = 0;
    let (outcome, _) = recv_until(&rx, T, |e| match e {
        TransferEvent::Progress { .. } => {
            max_rss = max_rss.max(status_bytes("VmRSS"));
            samples += 1;
            None
        }
        TransferEvent::Finished { outcome, .. } => Some(outcome.clone()),
        _ => None,
    });
    let took = started.elapsed();
    assert!(matches!(outcome, Outcome::Done { .. }), "{outcome:?}");
    assert_eq!(std::fs::metadata(&target).unwrap().len(), SIZE);
    let (hwm1, rss1) = (status_bytes("VmHWM"), status_bytes("VmRSS"));
    let peak_growth = hwm1.saturating_sub(if reset { rss0 } else { hwm0 });
    eprintln!(
        "downloaded 1 GB in {took:?} ({:.0} MB/s); VmRSS {} -> {} (max sampled {} over {samples} \
         progress events); VmHWM {} (peak growth +{}; target: under {})",
        SIZE as f64 / MB as f64 / took.as_secs_f64(),
        mb(rss0),
        mb(rss1),
        mb(max_rss),
        mb(hwm1),
        mb(peak_growth),
        mb(DOWNLOAD_PEAK_MAX)
    );
    let _ = pool.send(TransferCmd::Shutdown);
    std::fs::remove_file(&target).unwrap();
    // A copy that buffered the file would grow by a gigabyte; buffers are a few hundred KB.
    assert!(
        peak_growth < DOWNLOAD_PEAK_MAX,
        "a 1 GB download grew the peak by {}",
        mb(peak_growth)
    );
}
