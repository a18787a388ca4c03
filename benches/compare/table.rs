//! The README's performance table, made from the results file alone:
//! `cargo bench --bench compare -- --readme` reads `bench/results.json` (or, when no full run
//! has been kept yet, `bench/results-quick.json`, labelled a smoke run), prints the table and
//! rewrites README.md between `<!-- bench:start -->` and `<!-- bench:end -->`.

use std::path::{Path, PathBuf};

use super::json::Json;
use super::report::{How, Measure, Meta, Report, Row, fmt_secs};
use super::side_by_side;

pub const START: &str = "<!-- bench:start -->";
pub const END: &str = "<!-- bench:end -->";

/// Where the results live in the repository.
pub fn results_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("bench")
}

/// Which results file the table comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Full,
    Smoke,
}

/// The results file to use: the full run's, else the smoke run's.
pub fn pick(dir: &Path) -> Option<(PathBuf, Source)> {
    let full = dir.join("results.json");
    let quick = dir.join("results-quick.json");
    if full.is_file() {
        Some((full, Source::Full))
    } else if quick.is_file() {
        Some((quick, Source::Smoke))
    } else {
        None
    }
}

/// `--readme`: regenerate the table; returns the exit code.
pub fn regenerate() -> i32 {
    let dir = results_dir();
    let Some((path, source)) = pick(&dir) else {
        eprintln!(
            "no results in {}: run scripts/bench.sh (or BENCH_QUICK=1 scripts/bench.sh) first",
            dir.display()
        );
        return 1;
    };
    let made = std::fs::read_to_string(&path)
        .map_err(|e| format!("{}: {e}", path.display()))
        .and_then(|text| {
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
        })
        .and_then(|value| Report::from_json(&value))
        .map(|(meta, report)| block(&meta, &report, source));
    let table = match made {
        Ok(t) => t,
        Err(why) => {
            eprintln!("cannot read the results: {why}");
            return 1;
        }
    };
    println!("{table}");
    let readme = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let updated = std::fs::read_to_string(&readme)
        .map_err(|e| e.to_string())
        .and_then(|text| replace_between_markers(&text, &table));
    match updated.and_then(|text| std::fs::write(&readme, text).map_err(|e| e.to_string())) {
        Ok(()) => {
            println!(
                "{} updated from {}",
                readme.display(),
                path.strip_prefix(env!("CARGO_MANIFEST_DIR"))
                    .unwrap_or(&path)
                    .display()
            );
            0
        }
        Err(why) => {
            eprintln!("cannot update {}: {why}", readme.display());
            1
        }
    }
}

/// `text` with everything between the markers replaced by `block` (markers kept).
pub fn replace_between_markers(text: &str, block: &str) -> Result<String, String> {
    let start = text
        .find(START)
        .ok_or_else(|| format!("no {START} marker"))?;
    let after_start = start + START.len();
    let end = text[after_start..]
        .find(END)
        .map(|i| after_start + i)
        .ok_or_else(|| format!("no {END} marker after {START}"))?;
    if text[end + END.len()..].contains(START) {
        return Err(format!("more than one {START} marker"));
    }
    Ok(format!(
        "{}\n{}\n{}",
        &text[..after_start],
        block.trim_end(),
        &text[end..]
    ))
}

/// The markdown between the markers: a line on where the figures come from, the process
/// table, the terminal table, the in-process figures, the protocol counts and the notes.
pub fn block(meta: &Meta, report: &Report, source: Source) -> String {
    let mut out = String::new();
    let runs = meta
        .setting("runs")
        .and_then(Json::as_num)
        .map_or("?".into(), |n| format!("{n}"));
    let file = match source {
        Source::Full => "bench/results.json",
        Source::Smoke => "bench/results-quick.json",
    };
    if source == Source::Smoke {
        let what = if meta.setting("quick").and_then(Json::as_bool) == Some(false) {
            format!("**Partial run** (some contests or servers only, or {runs} runs)")
        } else {
            format!("**Smoke run** (`BENCH_QUICK=1`: small fixtures, {runs} runs)")
        };
        out.push_str(&format!(
            "{what}: it shows that the table works, not how fast anything is. No complete run \
             is in `bench/results.json` yet.\n\n"
        ));
    }
    let versions: Vec<&str> = ["ftpdeck", "curl", "lftp", "vsftpd"]
        .iter()
        .filter_map(|k| meta.version(k))
        .collect();
    out.push_str(&format!(
        "Generated from `{file}` ({}; {} × {}, Linux {}; {}). Medians of {runs} runs after a \
         warm-up run; time = process start to exit; CPU = user + system time of the process; \
         × = the competitor's time / ftpdeck's (above 1: ftpdeck is faster).\n\n",
        meta.date,
        meta.machine.nproc,
        meta.machine.cpu,
        meta.machine.kernel,
        versions.join(", ")
    ));
    out.push_str(&process_table(report));
    let terminal = terminal_table(report);
    if !terminal.is_empty() {
        out.push('\n');
        out.push_str(&terminal);
    }
    for table in [
        side_by_side::servers_table(report),
        side_by_side::server_memory_table(report),
    ] {
        if !table.is_empty() {
            out.push('\n');
            out.push_str(&table);
        }
    }
    let server_cpu = server_cpu_table(report, meta.machine.nproc);
    if !server_cpu.is_empty() {
        out.push('\n');
        out.push_str(&server_cpu);
    }
    let in_process = in_process_table(report);
    if !in_process.is_empty() {
        out.push('\n');
        out.push_str(&in_process);
    }
    for p in &report.protocol {
        let top: Vec<String> = p
            .counts
            .iter()
            .take(6)
            .map(|(verb, n)| format!("{verb} {n}"))
            .collect();
        out.push_str(&format!(
            "\nCommands sent for the {} ({}, from its log), {}: {} for {} files ({}/file): {}.\n",
            p.contest,
            p.server,
            p.contender,
            p.total(),
            p.files,
            p.per_file().map_or("?".into(), |x| format!("{x:.2}")),
            top.join(", ")
        ));
    }
    if !meta.notes.is_empty() {
        out.push('\n');
        for n in &meta.notes {
            out.push_str(&format!("- {}\n", cell(n)));
        }
    }
    out
}

fn is_ours(row: &Row) -> bool {
    row.contender.starts_with("ftpdeck")
}

/// `1.09 s (985 MB/s)` or `failed: …`.
pub fn time_cell(row: Option<&Row>) -> String {
    let Some(row) = row else {
        return "not run".into();
    };
    if let Measure::Failed(why) = &row.measure {
        return format!("failed: {}", shorten(why, 50));
    }
    let Some(s) = row.median_secs() else {
        return String::new();
    };
    match row.mb_per_s() {
        Some(m) => format!("{} s ({} MB/s)", fmt_secs(s), thousands(m)),
        None => format!("{} s", fmt_secs(s)),
    }
}

fn cpu_cell(row: Option<&Row>) -> String {
    row.and_then(Row::median_cpu)
        .map_or(String::new(), |c| format!("{} s", fmt_secs(c)))
}

pub fn verdict(met: Option<bool>) -> &'static str {
    match met {
        Some(true) => "✅",
        Some(false) => "❌",
        None => "?",
    }
}

/// One line per comparison of an ftpdeck row with a competitor (or per ftpdeck row without
/// one), process and terminal timings only.
pub fn process_table(report: &Report) -> String {
    let mut out = String::from(
        "| Contest | Server | ftpdeck | Time | CPU | Competitor | Time | CPU | × | Goal |\n\
         |---|---|---|---:|---:|---|---:|---:|---:|---|\n",
    );
    for row in report
        .rows
        .iter()
        .filter(|r| match r.measure {
            Measure::Time { .. } => r.how != How::InProcess,
            Measure::Failed(_) => r.how == How::Process,
            _ => false,
        })
        .filter(|r| is_ours(r))
    {
        let ours = [
            cell(&row.contest),
            cell(&row.server),
            cell(&contender_label(row)),
            time_cell(Some(row)),
            cpu_cell(Some(row)),
        ]
        .join(" | ");
        if row.vs.is_empty() {
            out.push_str(&format!("| {ours} |  |  |  |  |  |\n"));
        }
        for v in &row.vs {
            let theirs = report.peer(row, &v.competitor);
            let ratio = report
                .ratio(row, &v.competitor)
                .map_or(String::new(), |r| format!("{r:.2}×"));
            let goals: Vec<String> = v
                .goals
                .iter()
                .map(|&g| {
                    format!(
                        "{} {}",
                        verdict(report.met(row, g, Some(&v.competitor))),
                        g.describe(Some(&v.competitor))
                    )
                })
                .collect();
            out.push_str(&format!(
                "| {ours} | {} | {} | {} | {ratio} | {} |\n",
                cell(&theirs.map_or_else(|| v.competitor.clone(), contender_label)),
                time_cell(theirs),
                cpu_cell(theirs),
                goals.join(" · ")
            ));
        }
    }
    out
}

pub fn contender_label(row: &Row) -> String {
    match &row.note {
        Some(n) => format!("{} ({n})", row.contender),
        None => row.contender.clone(),
    }
}

/// Key-to-frame latency and memory of the binary in a terminal.
pub fn terminal_table(report: &Report) -> String {
    let rows: Vec<&Row> = report
        .rows
        .iter()
        .filter(|r| match r.measure {
            Measure::Latency { .. } | Measure::Memory { .. } | Measure::Failed(_) => {
                r.how == How::Terminal
            }
            Measure::Time { .. } => false,
        })
        .collect();
    if rows.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "| The TUI in a terminal | Server | ftpdeck | Result | Goal |\n|---|---|---|---|---|\n",
    );
    for row in rows {
        let result = match &row.measure {
            Measure::Latency { ms } => match row.latency_ms() {
                Some((p50, p99, max)) => format!(
                    "p50 {p50:.1} ms, p99 {p99:.1} ms, max {max:.1} ms ({} keys)",
                    ms.len()
                ),
                None => String::new(),
            },
            Measure::Memory { .. } => row
                .peak_bytes()
                .map_or(String::new(), |b| format!("peak {:.1} MB", b as f64 / 1e6)),
            Measure::Failed(why) => format!("failed: {}", shorten(why, 50)),
            Measure::Time { .. } => String::new(),
        };
        let goal = row.goal.map_or(String::new(), |g| {
            format!("{} {}", verdict(report.met(row, g, None)), g.describe(None))
        });
        out.push_str(&format!(
            "| {} | {} | {} | {result} | {goal} |\n",
            cell(&row.contest),
            cell(&row.server),
            cell(&contender_label(row))
        ));
    }
    out
}

/// Figures measured inside the bench process: kept apart, they have no process start.
pub fn in_process_table(report: &Report) -> String {
    let rows: Vec<&Row> = report
        .rows
        .iter()
        .filter(|r| r.how == How::InProcess)
        .collect();
    if rows.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "| In-process (no process start; not comparable with the above) | Server | What | Median |\n\
         |---|---|---|---:|\n",
    );
    for row in rows {
        out.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            cell(&row.contest),
            cell(&row.server),
            cell(&contender_label(row)),
            time_cell(Some(row))
        ));
    }
    out
}

/// Client and server CPU side by side, for the first server's rows that measured the server:
/// where a contest's time goes. The CPU both sides used, spread over every core, is a time no
/// run that does that work can beat.
pub fn server_cpu_table(report: &Report, cores: usize) -> String {
    let Some(first) = report.rows.iter().find(|r| !r.server_cpu.is_empty()) else {
        return String::new();
    };
    let cores = cores.max(1);
    let mut out = format!(
        "| Where the time goes | Server | Client | Time | Client CPU | Server CPU | Both / {cores} cores |\n\
         |---|---|---|---:|---:|---:|---:|\n"
    );
    for row in report
        .rows
        .iter()
        .filter(|r| r.server == first.server && !r.server_cpu.is_empty())
    {
        let (Some(client), Some(server)) = (row.median_cpu(), row.median_server_cpu()) else {
            continue;
        };
        let floor = (client + server) / cores as f64;
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} s | {} s | {} s |\n",
            cell(&row.contest),
            cell(&row.server),
            cell(&contender_label(row)),
            time_cell(Some(row)),
            fmt_secs(client),
            fmt_secs(server),
            fmt_secs(floor)
        ));
    }
    out
}

/// `2135.4` -> `2,135`.
fn thousands(x: f64) -> String {
    super::thousands(x.round().max(0.0) as usize)
}

/// A table cell: no pipes or newlines.
pub fn cell(s: &str) -> String {
    s.replace('|', "/").replace('\n', " ")
}

pub fn shorten(s: &str, max: usize) -> String {
    let s = s.replace('\n', " ");
    if s.chars().count() <= max {
        s
    } else {
        format!("{}…", s.chars().take(max).collect::<String>())
    }
}

pub fn tests() -> Vec<super::Case> {
    vec![
        super::case("table: generated from a sample results file", || {
            let (meta, report) = super::report::sample();
            // Through the file format, as the generator reads it.
            let text = report.json(&meta).pretty();
            let (meta, report) = Report::from_json(&serde_json::from_str(&text).unwrap()).unwrap();
            let md = block(&meta, &report, Source::Full);
            let lines: Vec<&str> = md.lines().collect();
            assert!(
                lines[0].starts_with("Generated from `bench/results.json` (2026-11-25T12:00:00Z; 2 × Xeon, Linux 6.1; curl 7.88.1, lftp 4.9.2). Medians of 3 runs"),
                "{md}"
            );
            assert!(!md.contains("Smoke run"));
            let row = |needle: &str| {
                lines
                    .iter()
                    .find(|l| l.contains(needle))
                    .unwrap_or_else(|| panic!("no line with {needle:?} in\n{md}"))
                    .to_string()
            };
            assert_eq!(
                row("| lftp get |"),
                "| 1 GiB download | vsftpd | ftpdeck get | 1.20 s (895 MB/s) | 0.200 s | lftp get | 1.70 s (632 MB/s) | 0.800 s | 1.42× | ✅ ≥ 1.3× |"
            );
            assert_eq!(
                row("| curl (curl -q) |"),
                "| 1 GiB download | vsftpd | ftpdeck get | 1.20 s (895 MB/s) | 0.200 s | curl (curl -q) | 1.10 s (976 MB/s) | 0.400 s | 0.92× | ✅ CPU < curl |"
            );
            assert!(
                row("start → drawn").ends_with("| lftp cls | not run |  |  | ? ≥ 1.0× |"),
                "{md}"
            );
            assert!(
                row("ftpdeck get --parallel 4").contains("| failed: not installed at all |"),
                "{md}"
            );
            assert!(
                row("ftpdeck / busy").contains(
                    "p50 10.0 ms, p99 19.8 ms, max 20.0 ms (200 keys) | ❌ p99 < 16 ms |"
                )
            );
            assert!(row("peak memory").contains("peak 31.7 MB | ✅ peak < 40 MB |"));
            assert!(row("already connected").contains("| 0.0500 s |"));
            assert!(
                row("Commands sent").contains("5 for 2 files (2.50/file): PASV 2, RETR 2, USER 1.")
            );
            assert!(row("- load average").contains("1.20"));
            // Server CPU: medians of the runs, and both sides over the 2 cores.
            assert!(md.contains("| Where the time goes | Server | Client | Time | Client CPU | Server CPU | Both / 2 cores |"), "{md}");
            assert_eq!(
                row(
                    "| 1 GiB download | vsftpd | ftpdeck get | 1.20 s (895 MB/s) | 0.200 s | 0.600 s |"
                ),
                "| 1 GiB download | vsftpd | ftpdeck get | 1.20 s (895 MB/s) | 0.200 s | 0.600 s | 0.400 s |"
            );
            assert_eq!(
                row("| 1 GiB download | vsftpd | lftp get | 1.70 s"),
                "| 1 GiB download | vsftpd | lftp get | 1.70 s (632 MB/s) | 0.800 s | 1.00 s | 0.900 s |"
            );
            assert_eq!(
                lines
                    .iter()
                    .filter(|l| l.starts_with("| 1 GiB download | vsftpd | curl"))
                    .count(),
                0,
                "{md}"
            );
            // Competitor rows appear only beside ftpdeck's.
            assert!(
                !lines
                    .iter()
                    .any(|l| l.starts_with("| 1 GiB download | vsftpd | curl"))
            );
            let partial = block(&meta, &report, Source::Smoke);
            assert!(partial.starts_with("**Partial run**"), "{partial}");
            assert!(partial.contains("Generated from `bench/results-quick.json`"));
            let mut quick = meta.clone();
            quick.settings[0].1 = Json::Bool(true);
            let smoke = block(&quick, &report, Source::Smoke);
            assert!(
                smoke.starts_with("**Smoke run** (`BENCH_QUICK=1`"),
                "{smoke}"
            );
        }),
        super::case("table: README markers replaced, the rest kept", || {
            let readme =
                format!("# x\n\n## Performance\n\nprose\n\n{START}\nold\ntable\n{END}\n\nafter\n");
            let new = replace_between_markers(&readme, "| new |\n").unwrap();
            assert_eq!(
                new,
                format!("# x\n\n## Performance\n\nprose\n\n{START}\n| new |\n{END}\n\nafter\n")
            );
            // Idempotent.
            assert_eq!(replace_between_markers(&new, "| new |").unwrap(), new);
            assert!(replace_between_markers("no markers", "x").is_err());
            assert!(replace_between_markers(&format!("{END} {START}"), "x").is_err());
            assert!(replace_between_markers(&format!("{START}{END}{START}{END}"), "x").is_err());
        }),
        super::case("table: the full results win over the smoke run's", || {
            let dir = tempfile::tempdir().unwrap();
            assert_eq!(pick(dir.path()), None);
            std::fs::write(dir.path().join("results-quick.json"), "{}").unwrap();
            assert_eq!(pick(dir.path()).unwrap().1, Source::Smoke);
            std::fs::write(dir.path().join("results.json"), "{}").unwrap();
            assert_eq!(pick(dir.path()).unwrap().1, Source::Full);
        }),
    ]
}
