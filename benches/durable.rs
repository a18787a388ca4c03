//! What durable downloads cost: a 2,000-file tree (100 MiB) downloaded by the transfer engine
//! from the embedded server with `transfers.durable` on (fsync of every file before its rename,
//! one fsync per directory after) and off, alternated, 5 runs each after a warm-up.
//!
//! `cargo bench --bench durable` prints the medians and writes them to
//! `benches/results/durable.json` (`BENCH_RUNS` changes the number of runs).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may stop at the first surprise

use std::collections::HashSet;
use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use ftpdeck::remote::{Profile, Secret};
use ftpdeck::server::{self, ServerAuth, ServerConfig};
use ftpdeck::transfer::{self, Direction, Job, Outcome, PoolOptions, TransferCmd, TransferEvent};

const FILES: usize = 2_000;
const TOTAL: usize = 100 * 1024 * 1024;

fn tree(root: &Path) {
    let dir = root.join("tree");
    for i in 0..FILES {
        let sub = dir.join(format!("d{:02}", i % 40));
        std::fs::create_dir_all(&sub).unwrap();
        let size = (TOTAL / FILES) / 2 + (i * 7919) % (TOTAL / FILES);
        let data: Vec<u8> = (0..size).map(|b| (b * 31 + i) as u8).collect();
        std::fs::write(sub.join(format!("f{i:04}.bin")), data).unwrap();
    }
}

fn download(profile: &Profile, dest: &Path, durable: bool) -> Duration {
    use ftpdeck::safety::local::Durability;
    let durable = if durable {
        Durability::Always
    } else {
        Durability::Never
    };
    let _ = std::fs::remove_dir_all(dest);
    let (tx, rx) = mpsc::channel::<TransferEvent>();
    let start = Instant::now();
    let cmd = transfer::spawn(
        tx,
        PoolOptions {
            workers: 4,
            durable,
            ..PoolOptions::default()
        },
    );
    cmd.send(TransferCmd::SetProfile(profile.clone())).unwrap();
    let mut root = Job::new(1, Direction::Download, "/tree", dest, true);
    root.on_exists = Some(transfer::Resolution::Overwrite);
    cmd.send(TransferCmd::Enqueue(vec![root])).unwrap();
    let mut open: HashSet<u64> = [1].into();
    while !open.is_empty() {
        match rx.recv_timeout(Duration::from_secs(300)).expect("progress") {
            TransferEvent::Added { job } => {
                open.insert(job.id);
            }
            TransferEvent::Finished { id, outcome } => {
                assert!(
                    matches!(outcome, Outcome::Done { .. } | Outcome::Expanded { .. }),
                    "{outcome:?}"
                );
                open.remove(&id);
            }
            _ => {}
        }
    }
    let took = start.elapsed();
    let _ = cmd.send(TransferCmd::Shutdown);
    took
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return; // `cargo test --benches` only checks that this builds
    }
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(5);
    let served = tempfile::tempdir().unwrap();
    tree(served.path());
    let server = server::start(ServerConfig::local(
        served.path(),
        ServerAuth::User {
            user: "u".into(),
            password: "p".into(),
        },
    ))
    .unwrap();
    let profile = Profile {
        host: "127.0.0.1".into(),
        port: server.addr().port(),
        user: "u".into(),
        password: Some(Secret::new("p")),
        ..Default::default()
    };
    let work = tempfile::tempdir_in(".").unwrap();
    let dest = work.path().join("tree");
    download(&profile, &dest, true); // warm-up
    let (mut on, mut off) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        on.push(download(&profile, &dest, true).as_secs_f64());
        off.push(download(&profile, &dest, false).as_secs_f64());
    }
    let (m_on, m_off) = (median(on.clone()), median(off.clone()));
    println!(
        "{FILES} files, {} MiB, 4 workers, embedded server: durable {m_on:.2} s, not durable {m_off:.2} s (median of {runs}); cost {:+.1}%",
        TOTAL >> 20,
        (m_on / m_off - 1.0) * 100.0
    );
    let json = format!(
        "{{\n  \"what\": \"{FILES}-file tree ({} MiB) downloaded by the engine, 4 workers, embedded server\",\n  \"date\": \"{}\",\n  \"runs\": {runs},\n  \"durable_s\": {on:?},\n  \"not_durable_s\": {off:?},\n  \"median_durable_s\": {m_on:.3},\n  \"median_not_durable_s\": {m_off:.3}\n}}\n",
        TOTAL >> 20,
        chrono::Utc::now().format("%Y-%m-%d"),
    );
    std::fs::create_dir_all("benches/results").unwrap();
    std::fs::write("benches/results/durable.json", json).unwrap();
}
