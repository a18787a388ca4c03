//! The servers side by side in the README: the same clients' copies from each server that ran
//! (vsftpd, the embedded server `ftpdeck serve`, pyftpdlib), and the memory `ftpdeck serve`
//! took with many clients at once.

use super::report::{How, Measure, Report, Row};
use super::table::{cell, contender_label, shorten, time_cell, verdict};

/// The clients whose copies are set side by side, each where it ran on two servers or more.
pub const CLIENTS: &[&str] = &[
    "curl",
    "ftpdeck get",
    "ftpdeck put",
    "lftp mirror --parallel=4",
    "lftp mirror -R --parallel=4",
];

/// The copy contests (`1 GiB download`, `tree of … upload`), not sync or listing: those every
/// server runs.
pub fn is_copy(contest: &str) -> bool {
    contest.ends_with(" download") || contest.ends_with(" upload")
}

/// `embedded` is `ftpdeck serve`.
fn server_label(name: &str) -> String {
    match name {
        "embedded" => "embedded (ftpdeck serve)".into(),
        other => other.into(),
    }
}

/// One line per copy contest and client of [`CLIENTS`] that ran on two servers or more, one
/// column per server (in the order the results have them); empty when there is no such line.
pub fn servers_table(report: &Report) -> String {
    let process: Vec<&Row> = report
        .rows
        .iter()
        .filter(|r| r.how == How::Process && CLIENTS.contains(&r.contender.as_str()))
        .filter(|r| is_copy(&r.contest))
        .filter(|r| matches!(r.measure, Measure::Time { .. } | Measure::Failed(_)))
        .collect();
    let mut servers: Vec<&str> = Vec::new();
    let mut lines: Vec<(&str, &str)> = Vec::new();
    for r in &process {
        if !servers.contains(&r.server.as_str()) {
            servers.push(&r.server);
        }
        let key = (r.contest.as_str(), r.contender.as_str());
        if !lines.contains(&key) {
            lines.push(key);
        }
    }
    let find = |contest: &str, contender: &str, server: &str| {
        process
            .iter()
            .find(|r| r.contest == contest && r.contender == contender && r.server == server)
            .copied()
    };
    lines.retain(|(contest, contender)| {
        servers
            .iter()
            .filter(|s| find(contest, contender, s).is_some())
            .count()
            >= 2
    });
    if lines.is_empty() {
        return String::new();
    }
    let names: Vec<String> = servers.iter().map(|s| server_label(s)).collect();
    let mut out = format!(
        "| Servers side by side | Client | {} |\n|---|---|{}\n",
        names.join(" | "),
        "---:|".repeat(servers.len())
    );
    for (contest, contender) in lines {
        let cells: Vec<String> = servers
            .iter()
            .map(|s| time_cell(find(contest, contender, s)))
            .collect();
        out.push_str(&format!(
            "| {} | {} | {} |\n",
            cell(contest),
            cell(contender),
            cells.join(" | ")
        ));
    }
    out
}

/// A server's own figures (its peak memory with many clients); empty without any.
pub fn server_memory_table(report: &Report) -> String {
    let rows: Vec<&Row> = report
        .rows
        .iter()
        .filter(|r| r.how == How::Server)
        .collect();
    if rows.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "| The server's process | Server | What | Result | Goal |\n|---|---|---|---|---|\n",
    );
    for row in rows {
        let result = match &row.measure {
            Measure::Memory { .. } => row
                .peak_bytes()
                .map_or(String::new(), |b| format!("peak {:.1} MB", b as f64 / 1e6)),
            Measure::Failed(why) => format!("failed: {}", shorten(why, 50)),
            _ => String::new(),
        };
        let goal = row.goal.map_or(String::new(), |g| {
            format!("{} {}", verdict(report.met(row, g, None)), g.describe(None))
        });
        out.push_str(&format!(
            "| {} | {} | {} | {result} | {goal} |\n",
            cell(&row.contest),
            cell(&server_label(&row.server)),
            cell(&contender_label(row))
        ));
    }
    out
}

pub fn tests() -> Vec<super::Case> {
    use super::report::Goal;
    vec![super::case(
        "side_by_side: clients on two servers or more, one column per server; serve memory",
        || {
            let time = |wall: f64| Measure::Time {
                wall: vec![wall],
                user: vec![0.1],
                sys: vec![0.1],
                bytes: Some(1 << 30),
            };
            let row = |contest: &str, server: &str, who: &str, m: Measure| {
                Row::new(contest, server, who, m)
            };
            let mut report = Report::default();
            assert_eq!(servers_table(&report), "");
            assert_eq!(server_memory_table(&report), "");
            report.rows = vec![
                row("1 GiB download", "vsftpd", "curl", time(1.0)),
                row("1 GiB download", "vsftpd", "lftp get", time(1.5)),
                row("1 GiB download", "vsftpd", "ftpdeck get", time(0.5)),
                row("list 20,000-entry dir", "vsftpd", "curl", time(0.2)),
                row("list 20,000-entry dir", "embedded", "curl", time(0.5)),
                row(
                    "tree sync down",
                    "vsftpd",
                    "lftp mirror --parallel=4",
                    time(3.0),
                ),
                row(
                    "tree sync down",
                    "embedded",
                    "lftp mirror --parallel=4",
                    time(4.0),
                ),
                row("1 GiB download", "embedded", "curl", time(4.0)),
                row("1 GiB download", "embedded", "lftp get", time(5.0)),
                row("1 GiB download", "pyftpdlib", "curl", time(2.0)),
                row(
                    "1 GiB download",
                    "pyftpdlib",
                    "ftpdeck get",
                    Measure::Failed("boom".into()),
                ),
                row(
                    "ftpdeck serve memory",
                    "embedded",
                    "ftpdeck serve, 50 curl clients",
                    Measure::Memory {
                        kib: vec![30_000, 40_000],
                    },
                )
                .how(How::Server)
                .goal(Goal::PeakBelowBytes(200_000_000)),
            ];
            let table = servers_table(&report);
            let lines: Vec<&str> = table.lines().collect();
            assert_eq!(
                lines[0],
                "| Servers side by side | Client | vsftpd | embedded (ftpdeck serve) | pyftpdlib |"
            );
            assert_eq!(lines[1], "|---|---|---:|---:|---:|");
            assert_eq!(
                lines[2],
                "| 1 GiB download | curl | 1.00 s (1,074 MB/s) | 4.00 s (268 MB/s) | 2.00 s (537 MB/s) |"
            );
            assert_eq!(
                lines[3],
                "| 1 GiB download | ftpdeck get | 0.500 s (2,147 MB/s) | not run | failed: boom |"
            );
            // lftp get is not among the clients; listing and sync are not copies.
            assert_eq!(lines.len(), 4, "{table}");
            let memory = server_memory_table(&report);
            assert!(
                memory.ends_with(
                    "| ftpdeck serve memory | embedded (ftpdeck serve) | ftpdeck serve, 50 curl \
                     clients | peak 41.0 MB | ✅ peak < 200 MB |\n"
                ),
                "{memory}"
            );
        },
    )]
}
