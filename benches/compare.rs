//! ftpdeck against curl and lftp, side by side, in one run, every contender a process as a user
//! runs it: `scripts/bench.sh` (which installs curl, lftp, vsftpd and pyftpdlib when run as
//! root, builds the release binary, runs this bench and then regenerates the README table), or
//! `cargo bench --bench compare`.
//!
//! The bench makes its own fixtures in a temp dir (a big file, a 20,000-entry directory, a tree
//! of 2,000 files), puts them in the root of each server — a private vsftpd when it can run
//! here, the embedded server as `ftpdeck serve DIR`, and pyftpdlib (`python3 -m pyftpdlib`)
//! when it is installed — and runs:
//!
//! 1. the big file down and up: `ftpdeck get|put` against `curl -q` and `lftp get|put`;
//! 2. the tree down and up: `ftpdeck get|put --parallel 4|1` against
//!    `lftp mirror [-R] --parallel=4|1`, and down also the TUI in a pseudo-terminal on `/tree/`
//!    with `[transfers] parallel = 4|1` in its config: `*` selects the top directories, timed
//!    from F5 until every file is on disk under its final name, beside `ftpdeck get`;
//! 3. sync, down and up: `ftpdeck sync --parallel 4` against `lftp mirror [-R] --parallel=4`,
//!    into an empty directory and again with the destination already in step (kept between
//!    runs, checked equal after each);
//! 4. listing the 20,000-entry directory from process start: `curl -q ftp://…/dir/` and
//!    `lftp cls` against `ftpdeck ls` and the ftpdeck TUI started on it in a pseudo-terminal,
//!    until it is drawn; the session worker inside the bench, already connected, is reported
//!    apart;
//! 5. key-to-frame latency of the TUI in a pseudo-terminal, idle, while a big download runs,
//!    and while tree downloads run (one after another, 4 at a time);
//! 6. the TUI's peak resident memory after it shows the 20,000-entry directory;
//! 7. `ftpdeck serve`'s peak resident memory while 50 curl clients download one file at once;
//!
//! and, on vsftpd, counts the commands one tree download sends, by verb (from its log).
//! pyftpdlib takes part in 1, 2 and 4: it is there to set the servers side by side, and the
//! listing goal holds on every server.
//!
//! Every contender is a child process with a private HOME (a temp dir), stdin closed and its
//! output in files, timed from spawn to exit, with the user and system CPU time `wait4`
//! reports. Each contest runs every contender once to warm up, then `BENCH_RUNS` rounds in an
//! order rotated every round; every copy is verified byte for byte and cleaned up outside the
//! timed part. Goals are checked on the first server (vsftpd when it runs), the listing's on
//! every server.
//!
//! Results: `bench/results.json` in the repository (machine, kernel, CPU, tool versions, date,
//! settings, every sample), written only by a complete full-size run; any other run (quick,
//! `BENCH_ONLY`, `BENCH_SERVER`, fewer than 5 runs) writes `bench/results-quick.json`.
//! `cargo bench --bench compare -- --readme` makes the README's table from the file.
//!
//! Environment: `BENCH_QUICK=1` (64 MiB file, 2,000 entries, 200 files, 8 MiB for serve: a
//! smoke run),
//! `BENCH_RUNS=N` (timed runs per contender, default 5), `BENCH_KEYS=N` (keys per latency
//! series, default 200), `BENCH_ONLY=big,tree,sync,list,keys,memory,serve` (a subset of the
//! contests), `BENCH_SERVER=vsftpd|embedded|pyftpdlib` (one server only), `BENCH_KEEP_LOGS=1`
//! (copy vsftpd's log, every command and reply, to `target/bench/vsftpd.log`).
//!
//! The harness's own logic has self-tests: `cargo test --bench compare` (they run whenever the
//! binary is started without `--bench`; `cargo bench --bench compare -- --self-test` also works).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may stop at the first surprise

#[path = "../tests/support/pty.rs"]
mod pty;
#[path = "../tests/support/vsftpd.rs"]
mod vsftpd;

#[path = "compare/ctx.rs"]
mod ctx;
#[path = "compare/engine.rs"]
mod engine;
#[path = "compare/fixtures.rs"]
mod fixtures;
#[path = "compare/json.rs"]
mod json;
#[path = "compare/listings.rs"]
mod listings;
#[path = "compare/process.rs"]
mod process;
#[path = "compare/protocol.rs"]
mod protocol;
#[path = "compare/record.rs"]
mod record;
#[path = "compare/report.rs"]
mod report;
#[path = "compare/runner.rs"]
mod runner;
#[path = "compare/serve_memory.rs"]
mod serve_memory;
#[path = "compare/servers.rs"]
mod servers;
#[path = "compare/settings.rs"]
mod settings;
#[path = "compare/side_by_side.rs"]
mod side_by_side;
#[path = "compare/stats.rs"]
mod stats;
#[path = "compare/sync.rs"]
mod sync;
#[path = "compare/sysinfo.rs"]
mod sysinfo;
#[path = "compare/table.rs"]
mod table;
#[path = "compare/terminal.rs"]
mod terminal;
#[path = "compare/tools.rs"]
mod tools;
#[path = "compare/transfers.rs"]
mod transfers;
#[path = "compare/tui_tree.rs"]
mod tui_tree;
#[path = "compare/ui.rs"]
mod ui;

use std::path::{Path, PathBuf};

use ctx::{Contenders, Ctx};
use fixtures::Fixtures;
use json::Json;
use report::{Meta, Report};
use servers::Server;
use settings::Settings;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--readme") {
        std::process::exit(table::regenerate());
    }
    if args.iter().any(|a| a == "--self-test") || !args.iter().any(|a| a == "--bench") {
        std::process::exit(self_test());
    }
    bench();
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
        "ftpdeck compare bench: a warm-up and {} timed runs per contender{}; {} × {} ({}), kernel {}",
        settings.runs,
        if settings.quick { ", QUICK sizes" } else { "" },
        machine.nproc,
        machine.cpu,
        human_bytes(machine.mem_total_kib.unwrap_or(0) * 1024),
        machine.kernel
    );
    let load_start = sysinfo::load_average();
    let mut notes: Vec<String> = Vec::new();
    let note = |notes: &mut Vec<String>, n: String| {
        println!("note: {n}");
        notes.push(n);
    };
    if let Some(load) = load_start.filter(|l| *l > 0.5) {
        note(
            &mut notes,
            format!(
                "load average {load:.2} at the start: other work on this machine skews timings"
            ),
        );
    }
    if settings.runs < 3 {
        println!("note: fewer than 3 runs per contender: medians are rough");
    }
    // Where the files were (set by scripts/bench.sh).
    let file_system = std::env::var("BENCH_FS_NOTE")
        .ok()
        .filter(|n| !n.is_empty());
    if let Some(n) = &file_system {
        note(&mut notes, n.clone());
    }
    let mut versions: Vec<(String, String)> = Vec::new();

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
    let home = base.path().join("home");
    std::fs::create_dir_all(&home).expect("mkdir the contenders' HOME");

    let mut servers: Vec<Server> = Vec::new();
    if settings.wants_server("vsftpd") {
        match Server::vsftpd(&fixture_root) {
            Ok(s) => {
                println!("vsftpd on 127.0.0.1:{}", s.login.port);
                servers.push(s);
            }
            Err(why) => note(
                &mut notes,
                format!(
                    "vsftpd unavailable ({why}): the embedded server, which limits every \
                     client, is the only one"
                ),
            ),
        }
    }
    if settings.wants_server("embedded") {
        let root = base.path().join("embedded");
        match Server::embedded(&binary, &root, &fixture_root, &home) {
            Ok(s) => {
                println!("ftpdeck serve on 127.0.0.1:{}", s.login.port);
                servers.push(s);
            }
            Err(why) => note(&mut notes, format!("embedded server unavailable: {why}")),
        }
    }
    if settings.wants_server("pyftpdlib") {
        match tools::pyftpdlib_python() {
            Some((python, version)) => {
                let root = base.path().join("pyftpdlib");
                match Server::pyftpdlib(&python, &root, &fixture_root) {
                    Ok(s) => {
                        println!("{version} on 127.0.0.1:{}", s.login.port);
                        versions.push(("pyftpdlib".into(), version));
                        servers.push(s);
                    }
                    Err(why) => note(&mut notes, format!("pyftpdlib unavailable: {why}")),
                }
            }
            None => note(
                &mut notes,
                "pyftpdlib is not installed (python3-pyftpdlib): its rows are left out".into(),
            ),
        }
    }
    let Some(primary) = servers.first() else {
        println!("no server could be started: nothing to measure");
        std::process::exit(1);
    };
    versions.push(("primary server".into(), primary.name.into()));

    let work = base.path().join("work");
    std::fs::create_dir_all(&work).expect("mkdir work");
    let ui_local = base.path().join("ui-local");
    std::fs::create_dir_all(&ui_local).expect("mkdir ui-local");
    let c = Ctx {
        settings: &settings,
        fx: &fx,
        binary: &binary,
        work,
        home,
        base: base.path().to_path_buf(),
        have: Contenders {
            curl: curl.is_some(),
            lftp: lftp.is_some(),
        },
        primary: primary.name,
    };
    let mut report = Report::default();
    for server in &servers {
        if settings.wants("big") {
            report.rows.extend(transfers::big_file(&c, server));
        }
        if settings.wants("tree") {
            report.rows.extend(transfers::tree(&c, server));
            report
                .protocol
                .extend(transfers::protocol_counts(&c, server));
        }
        if settings.wants("list") {
            report.rows.extend(listings::listing(&c, server, &ui_local));
        }
        // pyftpdlib is there to set the servers side by side: the copies and the listing.
        if server.name == "pyftpdlib" {
            continue;
        }
        if settings.wants("sync") {
            report.rows.extend(sync::sync(&c, server));
        }
    }
    if settings.wants("serve") && settings.wants_server("embedded") {
        report.rows.extend(serve_memory::serve_memory(&c));
    }
    if settings.wants("keys") {
        report
            .rows
            .extend(terminal::keys(&settings, primary, &binary, &ui_local));
        let tree_local = base.path().join("ui-tree-local");
        std::fs::create_dir_all(&tree_local).expect("mkdir ui-tree-local");
        report.rows.extend(terminal::tree_keys(
            &settings,
            primary,
            &binary,
            &tree_local,
            &fx.tree(),
            base.path(),
        ));
    }
    if settings.wants("memory") {
        report
            .rows
            .extend(terminal::memory(&settings, primary, &binary, &ui_local));
    }

    let load_end = sysinfo::load_average();
    if let Some(load) = load_end.filter(|l| *l > 1.5) {
        note(
            &mut notes,
            format!("load average {load:.2} at the end: other work on this machine skews timings"),
        );
    }
    let meta = Meta {
        date: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        machine,
        settings: vec![
            ("quick".into(), Json::Bool(settings.quick)),
            ("complete".into(), Json::Bool(settings.is_full())),
            ("runs".into(), Json::Num(settings.runs as f64)),
            ("warm_up_runs".into(), Json::Num(1.0)),
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
            (
                "servers".into(),
                Json::Arr(servers.iter().map(|s| Json::str(s.name)).collect()),
            ),
            (
                "file_system".into(),
                file_system.as_deref().map_or(Json::Null, Json::str),
            ),
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
    let dir = table::results_dir();
    std::fs::create_dir_all(&dir).expect("mkdir bench/");
    let json_path = dir.join(settings.results_file());
    std::fs::write(&json_path, report.json(&meta).pretty()).expect("write the JSON results");
    let source = if settings.is_full() {
        table::Source::Full
    } else {
        table::Source::Smoke
    };
    println!("\n{}", table::block(&meta, &report, source));
    let log_dir = target_dir().join("bench");
    if std::env::var_os("BENCH_KEEP_LOGS").is_some() {
        std::fs::create_dir_all(&log_dir).expect("mkdir target/bench");
        for server in &servers {
            if let Some(log) = server.log_file() {
                let kept = log_dir.join(format!("{}.log", server.name));
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
        record::tests(),
        table::tests(),
        side_by_side::tests(),
        runner::tests(),
        settings::tests(),
        process::tests(),
        protocol::tests(),
        ctx::tests(),
        sysinfo::tests(),
        tools::tests(),
        ui::tests(),
        tui_tree::tests(),
        serve_memory::tests(),
        vec![case("compare: human sizes and counts", || {
            assert_eq!(human_bytes(1 << 30), "1 GiB");
            assert_eq!(human_bytes(64 << 20), "64 MiB");
            assert_eq!(human_bytes(100 << 20), "100 MiB");
            assert_eq!(human_bytes(1_500_000), "1.4 MiB");
            assert_eq!(human_bytes(12), "12 B");
            assert_eq!(thousands(20_000), "20,000");
            assert_eq!(thousands(200), "200");
            assert_eq!(thousands(1_234_567), "1,234,567");
        })],
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
