//! ftpdeck against curl and lftp, side by side, in one run: `cargo bench --bench compare`
//! (or `scripts/bench.sh`, which first installs curl, lftp and vsftpd when run as root).
//!
//! The bench makes its own fixtures in a temp dir (a big file, a 20,000-entry directory, a tree
//! of 2,000 files), puts them in the root of each server (vsftpd when it can run here, and the
//! embedded libunftp server), and runs five contests:
//!
//! 1. one big file, download and upload: the transfer engine (one worker; 64 KiB, 256 KiB and
//!    1 MiB buffers) against `curl`;
//! 2. the tree, download and upload: the engine with 1 and 4 workers against
//!    `lftp mirror --parallel=1|4` (`mirror -R` to upload);
//! 3. listing the 20,000-entry directory: the session worker (`List` → `Listed`, and connect +
//!    list) against a whole `curl ftp://…/dir/` process;
//! 4. key-to-frame latency of the real binary in a pseudo-terminal, idle and while a big
//!    download runs;
//! 5. the binary's peak resident memory after it shows the 20,000-entry directory.
//!
//! Throughput contests run against vsftpd when it is available (the embedded server tops out
//! near 150 MB/s, slower than any client), else against the embedded server with a note.
//! Listings run against both. Each contest runs its contenders in an order rotated every round,
//! verifies every result (sizes and bytes) and cleans up between runs; the table shows medians.
//! Results: a markdown table on stdout and in `target/bench/compare.md`, and
//! `target/bench/compare.json` with the machine and date (`compare-quick.*` for a quick run, so
//! a smoke run never replaces real numbers).
//!
//! Environment: `BENCH_QUICK=1` (64 MiB file, 2,000 entries, 200 files: a smoke run),
//! `BENCH_RUNS=N` (runs per contender, default 3), `BENCH_KEYS=N` (keys per latency series,
//! default 200), `BENCH_ONLY=big,tree,list,keys,memory` (a subset of the contests),
//! `BENCH_SERVER=embedded` (no vsftpd), `BENCH_KEEP_LOGS=1` (copy vsftpd's log, every command
//! and reply, to `target/bench/vsftpd.log`).
//!
//! The harness's own logic has self-tests: `cargo test --bench compare` (they run whenever the
//! binary is started without `--bench`; `cargo bench --bench compare -- --self-test` also works).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may stop at the first surprise

#[path = "../tests/support/pty.rs"]
mod pty;
#[path = "../tests/support/vsftpd.rs"]
mod vsftpd;

#[path = "compare/contests.rs"]
mod contests;
#[path = "compare/engine.rs"]
mod engine;
#[path = "compare/fixtures.rs"]
mod fixtures;
#[path = "compare/json.rs"]
mod json;
#[path = "compare/report.rs"]
mod report;
#[path = "compare/servers.rs"]
mod servers;
#[path = "compare/stats.rs"]
mod stats;
#[path = "compare/sysinfo.rs"]
mod sysinfo;
#[path = "compare/tools.rs"]
mod tools;
#[path = "compare/ui.rs"]
mod ui;

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::time::Duration;

use fixtures::{Fixtures, Sizes};
use json::Json;
use report::{Meta, Report, Row};
use servers::Server;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--self-test") || !args.iter().any(|a| a == "--bench") {
        std::process::exit(self_test());
    }
    bench();
}

/// What this run was asked to do.
struct Settings {
    quick: bool,
    runs: usize,
    keys: usize,
    only: Option<Vec<String>>,
    no_vsftpd: bool,
    sizes: Sizes,
}

impl Settings {
    fn from_env() -> Settings {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let quick = var("BENCH_QUICK").is_some_and(|v| v != "0");
        Settings {
            quick,
            runs: var("BENCH_RUNS")
                .and_then(|v| v.parse().ok())
                .unwrap_or(3)
                .max(1),
            keys: var("BENCH_KEYS")
                .and_then(|v| v.parse().ok())
                .unwrap_or(200)
                .max(2),
            only: var("BENCH_ONLY").map(|v| {
                v.split(',')
                    .map(|s| s.trim().to_ascii_lowercase())
                    .collect()
            }),
            no_vsftpd: var("BENCH_SERVER").is_some_and(|v| v == "embedded"),
            sizes: if quick { Sizes::QUICK } else { Sizes::FULL },
        }
    }

    fn wants(&self, contest: &str) -> bool {
        self.only
            .as_ref()
            .is_none_or(|o| o.iter().any(|c| c == contest))
    }
}

/// `target/` (or `CARGO_TARGET_DIR`).
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
}

/// `1 GiB`, `64 MiB`, `512 KiB`.
fn human_bytes(n: u64) -> String {
    const UNITS: [(u64, &str); 3] = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")];
    for (size, unit) in UNITS {
        if n >= size && n % size == 0 {
            return format!("{} {unit}", n / size);
        }
    }
    for (size, unit) in UNITS {
        if n >= size {
            return format!("{:.1} {unit}", n as f64 / size as f64);
        }
    }
    format!("{n} B")
}

/// `20000` -> `20,000`.
fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn bench() {
    let settings = Settings::from_env();
    let machine = sysinfo::Machine::here();
    println!(
        "ftpdeck compare bench: {} runs per contender{}; {} × {} ({}), kernel {}",
        settings.runs,
        if settings.quick { ", QUICK sizes" } else { "" },
        machine.nproc,
        machine.cpu,
        human_bytes(machine.mem_total_kib.unwrap_or(0) * 1024),
        machine.kernel
    );
    let load_start = sysinfo::load_average();
    if let Some(load) = load_start.filter(|l| *l > 0.5) {
        println!(
            "note: load average {load:.2} before the start: other work on this machine skews timings"
        );
    }
    if settings.runs < 3 {
        println!("note: fewer than 3 runs per contender: medians are rough");
    }
    let mut notes: Vec<String> = Vec::new();
    let mut versions: Vec<(String, String)> = Vec::new();
    let note = |notes: &mut Vec<String>, n: String| {
        println!("note: {n}");
        notes.push(n);
    };

    let curl = tools::version_line("curl");
    let lftp = tools::version_line("lftp");
    for (name, v) in [("curl", &curl), ("lftp", &lftp)] {
        match v {
            Some(line) => versions.push((name.into(), tools::short_version(line))),
            None => note(
                &mut notes,
                format!("{name} is not installed: its contests run without it"),
            ),
        }
    }
    let have = contests::Contenders {
        curl: curl.is_some(),
        lftp: lftp.is_some(),
    };
    let binary = ui::locate_binary();
    let ftpdeck_version = tools::first_line(&binary.to_string_lossy(), &["--version"])
        .unwrap_or_else(|| "ftpdeck".into());
    let git = tools::first_line(
        "git",
        &[
            "-C",
            env!("CARGO_MANIFEST_DIR"),
            "describe",
            "--always",
            "--dirty",
        ],
    );
    versions.push((
        "ftpdeck".into(),
        match git {
            Some(g) => format!("{ftpdeck_version} (git {g})"),
            None => ftpdeck_version,
        },
    ));
    // `vsftpd -v` writes to its standard input; ask the package manager instead.
    if let Some(v) = tools::first_line("dpkg-query", &["-W", "-f=${Version}", "vsftpd"]) {
        versions.push(("vsftpd".into(), format!("vsftpd {v}")));
    }

    let base = tempfile::Builder::new()
        .prefix("ftpdeck-bench-")
        .tempdir()
        .expect("temp dir");
    let fixture_root = base.path().join("fixtures");
    std::fs::create_dir_all(&fixture_root).expect("mkdir fixtures");
    let made = std::time::Instant::now();
    let fx = Fixtures::create(&fixture_root, settings.sizes).expect("create the fixtures");
    println!(
        "fixtures in {:.1} s: {} file, {}-entry directory, tree of {} files ({})",
        made.elapsed().as_secs_f64(),
        human_bytes(settings.sizes.big),
        thousands(settings.sizes.dir_entries),
        thousands(settings.sizes.tree_files),
        human_bytes(fx.tree_bytes)
    );

    let mut servers: Vec<Server> = Vec::new();
    if settings.no_vsftpd {
        note(
            &mut notes,
            "BENCH_SERVER=embedded: vsftpd not started".into(),
        );
    } else {
        match Server::vsftpd(&fixture_root) {
            Ok(s) => {
                println!("vsftpd on 127.0.0.1:{}", s.login.port);
                servers.push(s);
            }
            Err(why) => note(
                &mut notes,
                format!(
                    "vsftpd unavailable ({why}): throughput contests run against the embedded \
                     server, which tops out near 150 MB/s and limits every contender"
                ),
            ),
        }
    }
    let embedded_root = base.path().join("embedded");
    let embedded = Server::embedded(&embedded_root, &fixture_root).expect("embedded server");
    println!("embedded server on 127.0.0.1:{}", embedded.login.port);
    servers.push(embedded);
    let primary = &servers[0];
    versions.push(("primary server".into(), primary.name.into()));

    let work = base.path().join("work");
    std::fs::create_dir_all(&work).expect("mkdir work");
    let lftp_home = base.path().join("lftp-home");
    std::fs::create_dir_all(&lftp_home).expect("mkdir lftp home");
    let mut rows: Vec<Row> = Vec::new();

    if settings.wants("big") {
        rows.extend(contests::big_file(&settings, &fx, primary, &work, &have));
    }
    if settings.wants("tree") {
        rows.extend(contests::tree(
            &settings, &fx, primary, &work, &lftp_home, &have,
        ));
    }
    if settings.wants("list") {
        for server in &servers {
            rows.extend(contests::listing(&settings, server, &have));
        }
    }
    let ui_local = base.path().join("ui-local");
    std::fs::create_dir_all(&ui_local).expect("mkdir ui-local");
    if settings.wants("keys") {
        rows.extend(contests::keys(&settings, primary, &binary, &ui_local));
    }
    if settings.wants("memory") {
        rows.extend(contests::memory(&settings, primary, &binary, &ui_local));
    }

    let load_end = sysinfo::load_average();
    let report = Report { rows };
    let table = report.markdown();
    let meta = Meta {
        date: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        machine,
        settings: vec![
            ("quick".into(), Json::Bool(settings.quick)),
            ("runs".into(), Json::Num(settings.runs as f64)),
            ("keys".into(), Json::Num(settings.keys as f64)),
            ("big_bytes".into(), Json::Num(settings.sizes.big as f64)),
            (
                "dir_entries".into(),
                Json::Num(settings.sizes.dir_entries as f64),
            ),
            (
                "tree_files".into(),
                Json::Num(settings.sizes.tree_files as f64),
            ),
            ("tree_bytes".into(), Json::Num(fx.tree_bytes as f64)),
            ("load_average_at_start".into(), Json::opt_num(load_start)),
            ("load_average_at_end".into(), Json::opt_num(load_end)),
            (
                "only".into(),
                settings
                    .only
                    .as_ref()
                    .map_or(Json::Null, |o| Json::Arr(o.iter().map(Json::str).collect())),
            ),
        ],
        versions,
        notes,
    };
    let out_dir = target_dir().join("bench");
    std::fs::create_dir_all(&out_dir).expect("mkdir target/bench");
    let stem = if settings.quick {
        "compare-quick"
    } else {
        "compare"
    };
    let json_path = out_dir.join(format!("{stem}.json"));
    std::fs::write(&json_path, report.json(&meta).pretty()).expect("write the JSON results");
    let header = format!(
        "ftpdeck vs curl and lftp — {} — {} × {}, kernel {}{}\n\n",
        meta.date,
        meta.machine.nproc,
        meta.machine.cpu,
        meta.machine.kernel,
        if settings.quick {
            " — QUICK sizes"
        } else {
            ""
        }
    );
    let md = format!(
        "{header}{table}\nMedians of {} runs; MB/s = 10^6 bytes/s; × competitor = the competitor's \
         median time / this row's (above 1: faster).\n",
        settings.runs
    );
    std::fs::write(out_dir.join(format!("{stem}.md")), &md).expect("write the markdown table");
    println!("\n{md}");
    for n in &meta.notes {
        println!("note: {n}");
    }
    if std::env::var_os("BENCH_KEEP_LOGS").is_some() {
        for server in &servers {
            if let Some(log) = server.log_file() {
                let kept = out_dir.join(format!("{}.log", server.name));
                match std::fs::copy(log, &kept) {
                    Ok(_) => println!("{} log: {}", server.name, kept.display()),
                    Err(e) => println!("note: cannot keep {}: {e}", log.display()),
                }
            }
        }
    }
    println!("results: {}", json_path.display());
}

/// A named self-test.
type Case = (&'static str, fn());

fn case(name: &'static str, test: fn()) -> Case {
    (name, test)
}

/// The harness's own tests; returns the exit code.
fn self_test() -> i32 {
    let tests: Vec<Case> = [
        stats::tests(),
        json::tests(),
        fixtures::tests(),
        report::tests(),
        sysinfo::tests(),
        tools::tests(),
        ui::tests(),
        vec![
            case("compare: human sizes and counts", || {
                assert_eq!(human_bytes(1 << 30), "1 GiB");
                assert_eq!(human_bytes(64 << 20), "64 MiB");
                assert_eq!(human_bytes(100 << 20), "100 MiB");
                assert_eq!(human_bytes(1_500_000), "1.4 MiB");
                assert_eq!(human_bytes(12), "12 B");
                assert_eq!(thousands(20_000), "20,000");
                assert_eq!(thousands(200), "200");
                assert_eq!(thousands(1_234_567), "1,234,567");
            }),
            case("compare: settings from the environment", || {
                let s = Settings {
                    quick: false,
                    runs: 3,
                    keys: 200,
                    only: Some(vec!["big".into(), "list".into()]),
                    no_vsftpd: false,
                    sizes: Sizes::FULL,
                };
                assert!(s.wants("big") && s.wants("list") && !s.wants("keys"));
                assert_eq!(Sizes::FULL.big, 1 << 30);
                assert_eq!(Sizes::QUICK.big, 64 << 20);
                assert_eq!(Sizes::QUICK.dir_entries, 2_000);
                assert_eq!(Sizes::QUICK.tree_files, 200);
            }),
            case(
                "compare: contests rotate, time, and drop a failing contender",
                || {
                    let calls = RefCell::new(Vec::new());
                    let entrants = vec![
                        contests::entrant("a", || {
                            calls.borrow_mut().push("a");
                            Ok(Duration::from_millis(10))
                        }),
                        contests::entrant("b", || {
                            calls.borrow_mut().push("b");
                            Err("broken".into())
                        }),
                        contests::entrant("c", || {
                            calls.borrow_mut().push("c");
                            Ok(Duration::from_millis(30))
                        }),
                    ];
                    let results = contests::contest("self-test", 3, entrants);
                    assert_eq!(*calls.borrow(), ["a", "b", "c", "c", "a", "c", "a"]);
                    assert_eq!(results[0], ("a".into(), Ok(vec![0.01, 0.01, 0.01])));
                    assert_eq!(results[1], ("b".into(), Err("broken".into())));
                    assert_eq!(results[2].1.as_ref().map(Vec::len), Ok(3));
                },
            ),
        ],
    ]
    .concat();
    let (mut passed, mut failed) = (0, 0);
    println!("running {} self-tests of the compare bench", tests.len());
    for (name, test) in tests {
        match std::panic::catch_unwind(test) {
            Ok(()) => {
                passed += 1;
                println!("test {name} ... ok");
            }
            Err(_) => {
                failed += 1;
                println!("test {name} ... FAILED");
            }
        }
    }
    println!("\n{passed} passed, {failed} failed");
    i32::from(failed > 0)
}
