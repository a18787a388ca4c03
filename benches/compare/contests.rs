//! The contests: each runs its contenders in rotating order, verifies and cleans up after every
//! run, and turns the times into report rows.

use std::cell::RefCell;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use ftpdeck::transfer::Direction;

use super::fixtures::{self, Fixtures};
use super::report::{self, Goal, Measure, Row};
use super::servers::Server;
use super::{Settings, engine, human_bytes, stats, thousands, tools, ui};

/// A run that takes this long has failed.
const RUN_TIMEOUT: Duration = Duration::from_secs(600);
const BUFFERS: [(usize, &str); 3] = [
    (64 * 1024, "64 KiB buffer"),
    (256 * 1024, "256 KiB buffer, default"),
    (1024 * 1024, "1 MiB buffer"),
];

/// One contender's runs: returns the time of one verified, cleaned-up run.
pub struct Entrant<'a> {
    name: String,
    run: Box<dyn FnMut() -> Result<Duration, String> + 'a>,
}

pub fn entrant<'a>(
    name: impl Into<String>,
    run: impl FnMut() -> Result<Duration, String> + 'a,
) -> Entrant<'a> {
    Entrant {
        name: name.into(),
        run: Box::new(run),
    }
}

/// Run every entrant `runs` times, in an order rotated each round; a contender that fails
/// once is not run again. Returns each contender's seconds (or its error), in entrant order.
pub fn contest(
    label: &str,
    runs: usize,
    mut entrants: Vec<Entrant>,
) -> Vec<(String, Result<Vec<f64>, String>)> {
    println!("\n## {label}");
    let mut results: Vec<Result<Vec<f64>, String>> =
        entrants.iter().map(|_| Ok(Vec::new())).collect();
    for round in 0..runs {
        for i in stats::rotation(entrants.len(), round) {
            let Ok(samples) = &mut results[i] else {
                continue;
            };
            let e = &mut entrants[i];
            settle();
            match (e.run)() {
                Ok(d) => {
                    println!(
                        "  {label} · {} · run {}/{runs}: {} s",
                        e.name,
                        round + 1,
                        report::fmt_secs(d.as_secs_f64())
                    );
                    samples.push(d.as_secs_f64());
                }
                Err(why) => {
                    println!("  {label} · {} · run {} FAILED: {why}", e.name, round + 1);
                    results[i] = Err(why);
                }
            }
        }
    }
    entrants
        .into_iter()
        .zip(results)
        .map(|(e, r)| (e.name, r))
        .collect()
}

/// Flush dirty pages left by the last run, so its writeback does not land in the next one.
fn settle() {
    let _ = Command::new("sync").status();
}

fn time_measure(result: &Result<Vec<f64>, String>, bytes: Option<u64>) -> Measure {
    match result {
        Ok(secs) => Measure::Time {
            secs: secs.clone(),
            bytes,
        },
        Err(why) => Measure::Failed(why.clone()),
    }
}

/// Remove `path` (file or directory) if it exists.
fn remove(path: &Path) -> Result<(), String> {
    let r = if path.is_dir() {
        std::fs::remove_dir_all(path)
    } else {
        std::fs::remove_file(path)
    };
    match r {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(format!("removing {}: {e}", path.display()))
        }
        _ => Ok(()),
    }
}

/// Which optional contenders are installed.
pub struct Contenders {
    pub curl: bool,
    pub lftp: bool,
}

/// Contest 1: one big file down and up, the engine with three buffer sizes against curl.
pub fn big_file(
    s: &Settings,
    fx: &Fixtures,
    server: &Server,
    work: &Path,
    have: &Contenders,
) -> Vec<Row> {
    let size = s.sizes.big;
    let login = &server.login;
    let mut rows = Vec::new();
    for direction in [Direction::Download, Direction::Upload] {
        let down = direction == Direction::Download;
        let label = format!(
            "{} {}",
            human_bytes(size),
            if down { "download" } else { "upload" }
        );
        // Where the copy lands, and how it is checked and removed.
        let dest = if down {
            work.join("big.bin")
        } else {
            server.up().join("big.bin")
        };
        let verify = |took: Duration| -> Result<Duration, String> {
            let checked = fixtures::check_big(&dest, size, &fx.block);
            remove(&dest)?;
            server.clean_up_dir()?;
            checked.map(|()| took)
        };
        let mut entrants = Vec::new();
        if have.curl {
            entrants.push(entrant("curl", || {
                let took = if down {
                    tools::curl_download(login, "/big.bin", &dest, RUN_TIMEOUT)?
                } else {
                    tools::curl_upload(login, &fx.big(), "/up/big.bin", RUN_TIMEOUT)?
                };
                verify(took)
            }));
        }
        for (buffer, name) in BUFFERS {
            let job = if down {
                engine::job(1, direction, "/big.bin", &dest, false)
            } else {
                engine::job(1, direction, "/up/big.bin", &fx.big(), false)
            };
            entrants.push(entrant(format!("ftpdeck, {name}"), move || {
                verify(engine::transfer(
                    login,
                    1,
                    buffer,
                    vec![job.clone()],
                    RUN_TIMEOUT,
                )?)
            }));
        }
        for (name, result) in contest(&format!("{label} ({})", server.name), s.runs, entrants) {
            let mut row = Row::new(
                &label,
                server.name,
                &name,
                time_measure(&result, Some(size)),
            );
            if name != "curl" && have.curl {
                row = row.against("curl").goal(Goal::SpeedAtLeast(0.95));
            }
            rows.push(row);
        }
    }
    rows
}

/// Contest 2: the tree down and up, the engine with 1 and 4 workers against lftp mirror.
pub fn tree(
    s: &Settings,
    fx: &Fixtures,
    server: &Server,
    work: &Path,
    lftp_home: &Path,
    have: &Contenders,
) -> Vec<Row> {
    let login = &server.login;
    let mut rows = Vec::new();
    for direction in [Direction::Download, Direction::Upload] {
        let down = direction == Direction::Download;
        let label = format!(
            "tree of {} files ({}) {}",
            thousands(s.sizes.tree_files),
            human_bytes(fx.tree_bytes),
            if down { "download" } else { "upload" }
        );
        let dest = if down {
            work.join("tree")
        } else {
            server.up().join("tree")
        };
        let verify = |took: Duration| -> Result<Duration, String> {
            let checked = fixtures::compare_trees(&fx.tree(), &dest);
            remove(&dest)?;
            server.clean_up_dir()?;
            checked.map(|_| took)
        };
        let mut entrants = Vec::new();
        for n in [1usize, 4] {
            if have.lftp {
                let dest_str = dest.to_string_lossy().into_owned();
                let tree_str = fx.tree().to_string_lossy().into_owned();
                entrants.push(entrant(format!("lftp mirror --parallel={n}"), move || {
                    let took = if down {
                        tools::lftp_mirror(
                            login,
                            n,
                            false,
                            "/tree",
                            &dest_str,
                            lftp_home,
                            RUN_TIMEOUT,
                        )?
                    } else {
                        tools::lftp_mirror(
                            login,
                            n,
                            true,
                            &tree_str,
                            "/up/tree",
                            lftp_home,
                            RUN_TIMEOUT,
                        )?
                    };
                    verify(took)
                }));
            }
            let job = if down {
                engine::job(1, direction, "/tree", &dest, true)
            } else {
                engine::job(1, direction, "/up/tree", &fx.tree(), true)
            };
            let workers = if n == 1 { "1 worker" } else { "4 workers" };
            entrants.push(entrant(format!("ftpdeck, {workers}"), move || {
                verify(engine::transfer(
                    login,
                    n,
                    256 * 1024,
                    vec![job.clone()],
                    RUN_TIMEOUT,
                )?)
            }));
        }
        for (name, result) in contest(&format!("{label} ({})", server.name), s.runs, entrants) {
            let mut row = Row::new(
                &label,
                server.name,
                &name,
                time_measure(&result, Some(fx.tree_bytes)),
            );
            if have.lftp && name.starts_with("ftpdeck") {
                if name.contains("4 workers") {
                    row = row.against("lftp mirror --parallel=4").goal(Goal::Faster);
                } else {
                    row = row.against("lftp mirror --parallel=1");
                }
            }
            rows.push(row);
        }
    }
    rows
}

/// Contest 3: listing the wide directory, the session worker against a whole curl process.
pub fn listing(s: &Settings, server: &Server, have: &Contenders) -> Vec<Row> {
    let n = s.sizes.dir_entries;
    let label = format!("list {}-entry dir", thousands(n));
    let login = &server.login;
    let with_connect = RefCell::new(Vec::new());
    let mut entrants = Vec::new();
    if have.curl {
        entrants.push(entrant("curl", || {
            let (took, lines) = tools::curl_list(login, "/dir20k", RUN_TIMEOUT)?;
            if lines != n {
                return Err(format!("curl listed {lines} lines, expected {n}"));
            }
            Ok(took)
        }));
    }
    entrants.push(entrant("ftpdeck, List → Listed", || {
        let listed = engine::list(login, "/dir20k", n, RUN_TIMEOUT)?;
        with_connect
            .borrow_mut()
            .push(listed.connect_and_list.as_secs_f64());
        Ok(listed.list)
    }));
    let results = contest(&format!("{label} ({})", server.name), s.runs, entrants);
    let mut rows = Vec::new();
    for (name, result) in results {
        let mut row = Row::new(&label, server.name, &name, time_measure(&result, None));
        if name != "curl" && have.curl {
            row = row.against("curl").goal(Goal::SpeedAtLeast(1.0 / 1.5));
        }
        let ok = result.is_ok();
        rows.push(row);
        if name.starts_with("ftpdeck") && ok {
            let mut row = Row::new(
                &label,
                server.name,
                "ftpdeck, connect + log in + List",
                Measure::Time {
                    secs: with_connect.borrow().clone(),
                    bytes: None,
                },
            );
            if have.curl {
                row = row.against("curl");
            }
            rows.push(row);
        }
    }
    rows
}

/// Contest 4: key-to-frame latency of the real binary, idle and during a big download.
pub fn keys(s: &Settings, server: &Server, binary: &Path, local: &Path) -> Vec<Row> {
    let label = "key → frame (j/k)";
    let busy_name = format!("ftpdeck, during a {} download", human_bytes(s.sizes.big));
    println!("\n## {label} ({}), {} keys each", server.name, s.keys);
    let url = server.login.url("/ui/");
    match ui::key_latency(binary, &url, local, s.sizes.ui_copies, s.keys) {
        Ok(run) => {
            let ms = |v: &[Duration]| v.iter().map(|d| d.as_secs_f64() * 1000.0).collect();
            let idle = Row::new(
                label,
                server.name,
                "ftpdeck, idle",
                Measure::Latency { ms: ms(&run.idle) },
            );
            let busy = Row::new(
                label,
                server.name,
                &busy_name,
                Measure::Latency { ms: ms(&run.busy) },
            )
            .goal(Goal::P99BelowMs(16.0))
            .note(format!(
                "{} download{}, {} late keys not counted",
                run.downloads,
                if run.downloads == 1 { "" } else { "s" },
                run.discarded
            ));
            for r in [&idle, &busy] {
                if let Some((p50, p99)) = r.p50_p99_ms() {
                    println!("  {}: p50 {p50:.2} ms, p99 {p99:.2} ms", r.contender);
                }
            }
            let mut rows = vec![idle, busy];
            if let Some(kib) = run.peak_kib {
                rows.push(Row::new(
                    "peak memory",
                    server.name,
                    &format!(
                        "ftpdeck, after {} keys and {} {} download{}",
                        2 * s.keys,
                        run.downloads,
                        human_bytes(s.sizes.big),
                        if run.downloads == 1 { "" } else { "s" }
                    ),
                    Measure::Memory { kib: vec![kib] },
                ));
            }
            rows
        }
        Err(why) => {
            println!("  FAILED: {why}");
            vec![Row::new(
                label,
                server.name,
                "ftpdeck",
                Measure::Failed(why),
            )]
        }
    }
}

/// Contest 5: peak resident memory after showing the wide directory.
pub fn memory(s: &Settings, server: &Server, binary: &Path, local: &Path) -> Vec<Row> {
    let n = s.sizes.dir_entries;
    let label = "peak memory";
    let contender = format!("ftpdeck, {}-entry dir shown", thousands(n));
    println!("\n## {label} ({})", server.name);
    let url = server.login.url("/dir20k/");
    let (first, last) = (fixtures::wide_name(1, n), fixtures::wide_name(n, n));
    let mut kib = Vec::new();
    for run in 1..=s.runs {
        match ui::peak_after_listing(binary, &url, local, &first, &last) {
            Ok((hwm, rss)) => {
                println!("  run {run}/{}: VmHWM {hwm} KiB, VmRSS {rss} KiB", s.runs);
                kib.push(hwm);
            }
            Err(why) => {
                println!("  run {run} FAILED: {why}");
                return vec![Row::new(
                    label,
                    server.name,
                    &contender,
                    Measure::Failed(why),
                )];
            }
        }
    }
    vec![
        Row::new(label, server.name, &contender, Measure::Memory { kib })
            .goal(Goal::PeakBelowBytes(40_000_000))
            .note("largest VmHWM of the runs"),
    ]
}
