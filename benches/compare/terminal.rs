//! The TUI binary in a pseudo-terminal: key-to-frame latency, idle, during a big download and
//! during tree downloads, and peak resident memory after showing the wide directory.

use std::path::Path;
use std::time::Duration;

use super::fixtures;
use super::report::{Goal, How, Measure, Row};
use super::servers::Server;
use super::{Settings, human_bytes, thousands, tui_tree, ui};

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
            )
            .how(How::Terminal);
            let busy = Row::new(
                label,
                server.name,
                &busy_name,
                Measure::Latency { ms: ms(&run.busy) },
            )
            .how(How::Terminal)
            .goal(Goal::P99BelowMs(16.0))
            .note(format!(
                "{} download{}, {} late key{} not counted",
                run.downloads,
                if run.downloads == 1 { "" } else { "s" },
                run.discarded,
                if run.discarded == 1 { "" } else { "s" }
            ));
            for r in [&idle, &busy] {
                if let Some((p50, p99)) = r.p50_p99_ms() {
                    println!("  {}: p50 {p50:.2} ms, p99 {p99:.2} ms", r.contender);
                }
            }
            let mut rows = vec![idle, busy];
            if let Some(kib) = run.peak_kib {
                rows.push(
                    Row::new(
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
                    )
                    .how(How::Terminal),
                );
            }
            rows
        }
        Err(why) => {
            println!("  FAILED: {why}");
            vec![Row::new(label, server.name, "ftpdeck", Measure::Failed(why)).how(How::Terminal)]
        }
    }
}

/// The parallel setting of the tree downloads the keys are pressed during.
pub const TREE_KEYS_PARALLEL: usize = 4;

/// Contest 4, during tree downloads: key-to-frame latency of the real binary on the server's
/// root while it downloads `tree/` (`source` on disk) into `local`, again and again.
pub fn tree_keys(
    s: &Settings,
    server: &Server,
    binary: &Path,
    local: &Path,
    source: &Path,
    base: &Path,
) -> Vec<Row> {
    let label = "key → frame (j/k)";
    let contender = format!(
        "ftpdeck, during a {}-file tree download (parallel {TREE_KEYS_PARALLEL})",
        thousands(s.sizes.tree_files)
    );
    println!(
        "\n## {label} during tree downloads ({}), {} keys",
        server.name, s.keys
    );
    let failed = |why: String| {
        println!("  FAILED: {why}");
        vec![Row::new(label, server.name, &contender, Measure::Failed(why)).how(How::Terminal)]
    };
    let run = tui_tree::Expected::of(source).and_then(|expected| {
        let config = tui_tree::config_home(base, TREE_KEYS_PARALLEL)?;
        tui_tree::keys_during_tree(
            binary,
            &server.login.url("/"),
            local,
            config.path(),
            &expected,
            source,
            s.keys,
        )
    });
    let run = match run {
        Ok(run) => run,
        Err(why) => return failed(why),
    };
    let ms: Vec<f64> = run.busy.iter().map(|d| d.as_secs_f64() * 1000.0).collect();
    let row = Row::new(label, server.name, &contender, Measure::Latency { ms })
        .how(How::Terminal)
        .goal(Goal::P99BelowMs(16.0))
        .note(format!(
            "{} tree download{}, {} late key{} not counted",
            run.trees,
            if run.trees == 1 { "" } else { "s" },
            run.discarded,
            if run.discarded == 1 { "" } else { "s" }
        ));
    if let Some((p50, p99, max)) = row.latency_ms() {
        println!("  p50 {p50:.2} ms, p99 {p99:.2} ms, max {max:.2} ms");
    }
    let mut rows = vec![row];
    if let Some(kib) = run.peak_kib {
        rows.push(
            Row::new(
                "peak memory",
                server.name,
                &format!(
                    "ftpdeck, after {} keys and {} tree download{}",
                    s.keys,
                    run.trees,
                    if run.trees == 1 { "" } else { "s" }
                ),
                Measure::Memory { kib: vec![kib] },
            )
            .how(How::Terminal),
        );
    }
    rows
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
                return vec![
                    Row::new(label, server.name, &contender, Measure::Failed(why))
                        .how(How::Terminal),
                ];
            }
        }
    }
    vec![
        Row::new(label, server.name, &contender, Measure::Memory { kib })
            .how(How::Terminal)
            .goal(Goal::PeakBelowBytes(40_000_000))
            .note("largest VmHWM of the runs"),
    ]
}
