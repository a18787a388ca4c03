//! Speed limits in the transfer engine, against the real embedded server: a limit shared
//! fairly between parallel transfers, a profile's own limit, a live change, and a cancel that
//! still works while a transfer waits for the limit. (The limiter's accuracy over a timed window
//! is checked on a clock of its own in `src/transfer/limit.rs`.)

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may stop at the first surprise

mod common;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use common::engine::{Engine, assert_all_done as all_done};
use common::*;
use ftpdeck::transfer::limit::Limits;
use ftpdeck::transfer::{Direction, JobId, Outcome, PoolOptions, TransferCmd, TransferEvent};

const T: Duration = Duration::from_secs(60);
const MIB: u64 = 1 << 20;

#[test]
fn parallel_downloads_share_a_bookmark_limit_fairly_and_hold_it() {
    let root = tempfile::tempdir().unwrap();
    let size = 3 * MIB / 2;
    let files: Vec<Vec<u8>> = (0..2).map(|i| pseudo_random(size as usize, i)).collect();
    for (i, data) in files.iter().enumerate() {
        write(root.path(), &format!("f{i}.bin"), data);
    }
    let server = start_server(root.path());
    // The limit is the profile's own (a bookmark's): the pool's options have none.
    let limit = MIB;
    let mut p = profile(&server);
    p.limits = Limits {
        down: Some(limit),
        up: None,
    };
    let mut e = Engine::new(p, 2);
    let dst = tempfile::tempdir().unwrap();
    let jobs: Vec<_> = (0..2)
        .map(|i| {
            let name = format!("f{i}.bin");
            e.job(
                Direction::Download,
                &format!("/{name}"),
                &dst.path().join(&name),
                false,
            )
        })
        .collect();
    let started = Instant::now();
    e.cmd.send(TransferCmd::Enqueue(jobs.clone())).unwrap();
    let mut done: HashMap<JobId, u64> = HashMap::new();
    let mut last_rate: HashMap<JobId, f64> = HashMap::new();
    let mut finished = Vec::new();
    let mut other_at_first_finish = None;
    recv_until(&e.rx, T, |m| {
        match m {
            TransferEvent::Progress {
                id, done: d, rate, ..
            } => {
                done.insert(*id, *d);
                last_rate.insert(*id, *rate);
            }
            TransferEvent::Finished { id, outcome } => {
                assert!(matches!(outcome, Outcome::Done { .. }), "{outcome:?}");
                if finished.is_empty() {
                    let other = jobs.iter().find(|j| j.id != *id).unwrap().id;
                    other_at_first_finish = Some(done.get(&other).copied().unwrap_or(0));
                }
                finished.push(*id);
            }
            _ => {}
        }
        (finished.len() == 2).then_some(())
    });
    let elapsed = started.elapsed();
    for (i, data) in files.iter().enumerate() {
        assert!(std::fs::read(dst.path().join(format!("f{i}.bin"))).unwrap() == *data);
    }
    // Fair: when one is complete, the other is most of the way too.
    let other = other_at_first_finish.unwrap();
    assert!(
        other >= size * 3 / 4,
        "the other transfer had {other} of {size} bytes when the first ended"
    );
    // Held: 3 MiB at 1 MiB/s cannot take less than about 3 s, and the two transfers' own
    // average speeds add up to the limit.
    assert!(
        elapsed >= Duration::from_millis(2700),
        "3 MiB at 1 MiB/s took {elapsed:?}"
    );
    let together: f64 = last_rate.values().sum();
    assert!(
        together <= limit as f64 * 1.15,
        "average speeds {last_rate:?} add up to more than the limit"
    );
}

#[test]
fn a_limited_upload_stops_within_a_second_of_a_cancel() {
    let root = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    let data = pseudo_random(4 * MIB as usize, 9);
    write(local.path(), "up.bin", &data);
    let server = start_server(root.path());
    let mut e = Engine::with_options(
        profile(&server),
        PoolOptions {
            workers: 1,
            limits: Limits::both(Some(64 * 1024)),
            ..PoolOptions::default()
        },
    );
    let job = e.job(
        Direction::Upload,
        "/up.bin",
        &local.path().join("up.bin"),
        false,
    );
    e.cmd.send(TransferCmd::Enqueue(vec![job.clone()])).unwrap();
    let mut cancelled_at = None;
    let (outcome, _) = recv_until(&e.rx, T, |m| match m {
        TransferEvent::Progress { done, .. } if cancelled_at.is_none() && *done > 0 => {
            e.cmd.send(TransferCmd::Cancel(job.id)).unwrap();
            cancelled_at = Some(Instant::now());
            None
        }
        TransferEvent::Finished { outcome, .. } => Some(outcome.clone()),
        _ => None,
    });
    assert_eq!(outcome, Outcome::Cancelled);
    let took = cancelled_at.unwrap().elapsed();
    assert!(took < Duration::from_secs(1), "the cancel took {took:?}");
    let on_server = std::fs::metadata(root.path().join("up.bin")).map(|m| m.len());
    assert!(
        on_server.map_or(true, |n| n < data.len() as u64),
        "a cancelled upload never completes"
    );
}

#[test]
fn lifting_the_limit_mid_transfer_speeds_up_the_running_one() {
    let root = tempfile::tempdir().unwrap();
    let data = pseudo_random(3 * MIB as usize, 4);
    write(root.path(), "big.bin", &data);
    let server = start_server(root.path());
    // 3 MiB at 128 KiB/s would take 24 s.
    let mut e = Engine::with_options(
        profile(&server),
        PoolOptions {
            workers: 1,
            limits: Limits::both(Some(128 * 1024)),
            ..PoolOptions::default()
        },
    );
    let dst = tempfile::tempdir().unwrap();
    let target = dst.path().join("big.bin");
    let job = e.job(Direction::Download, "/big.bin", &target, false);
    e.cmd.send(TransferCmd::Enqueue(vec![job.clone()])).unwrap();
    let mut lifted_at: Option<(Instant, u64)> = None;
    let (outcome, _) = recv_until(&e.rx, T, |m| match m {
        TransferEvent::Progress { done, .. } if lifted_at.is_none() && *done > 0 => {
            e.cmd
                .send(TransferCmd::SetLimits(Limits::default()))
                .unwrap();
            lifted_at = Some((Instant::now(), *done));
            None
        }
        TransferEvent::Finished { outcome, .. } => Some(outcome.clone()),
        _ => None,
    });
    let (at, done_then) = lifted_at.unwrap();
    assert!(
        done_then < data.len() as u64 / 2,
        "the limit held before it was lifted"
    );
    all_done(&[(job, outcome)]);
    let rest = at.elapsed();
    assert!(
        rest < Duration::from_secs(8),
        "the rest took {rest:?}: the lifted limit still held"
    );
    assert!(std::fs::read(&target).unwrap() == data);
}
