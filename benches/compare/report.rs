//! The results: one row per contender of a contest, what each is compared with and against
//! which goal, and the verdicts (the file they are kept in is `record.rs`).

use super::json::Json;
use super::stats;
use super::sysinfo::Machine;

/// How a row was measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum How {
    /// A whole process, spawn to exit, with its CPU time.
    Process,
    /// The TUI binary in a pseudo-terminal, from spawn until the screen shows the result.
    Terminal,
    /// Inside the bench process (no process start, no CPU figure): not comparable with the others.
    InProcess,
    /// A server process, read from /proc while clients use it.
    Server,
}

impl How {
    pub fn key(self) -> &'static str {
        match self {
            How::Process => "process",
            How::Terminal => "terminal",
            How::InProcess => "in-process",
            How::Server => "server",
        }
    }

    pub fn from_key(k: &str) -> Option<How> {
        [How::Process, How::Terminal, How::InProcess, How::Server]
            .into_iter()
            .find(|h| h.key() == k)
    }
}

/// What a contender's runs came to.
#[derive(Debug, Clone, PartialEq)]
pub enum Measure {
    /// Seconds per run: wall, and user and system CPU (empty when not measured); `bytes` moved
    /// per run, for MB/s.
    Time {
        wall: Vec<f64>,
        user: Vec<f64>,
        sys: Vec<f64>,
        bytes: Option<u64>,
    },
    /// Key-to-frame latencies, milliseconds.
    Latency { ms: Vec<f64> },
    /// Peak resident memory, KiB, one per run.
    Memory { kib: Vec<u64> },
    /// Could not be measured, and why.
    Failed(String),
}

/// A goal a row is checked against.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Goal {
    /// The competitor's median time / ours at least this.
    SpeedAtLeast(f64),
    /// Our median CPU time below the competitor's (for the same bytes: CPU per GiB below).
    CpuBelow,
    P99BelowMs(f64),
    PeakBelowBytes(u64),
}

impl Goal {
    pub fn describe(&self, competitor: Option<&str>) -> String {
        match *self {
            Goal::SpeedAtLeast(r) => format!("≥ {r:.1}×"),
            Goal::CpuBelow => format!("CPU < {}", competitor.unwrap_or("competitor")),
            Goal::P99BelowMs(ms) => format!("p99 < {ms} ms"),
            Goal::PeakBelowBytes(b) => format!("peak < {} MB", b / 1_000_000),
        }
    }
}

/// Another row of the same contest and server that this one is compared with, and the goals
/// that comparison has.
#[derive(Debug, Clone, PartialEq)]
pub struct Versus {
    pub competitor: String,
    pub goals: Vec<Goal>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub contest: String,
    pub server: String,
    pub contender: String,
    pub how: How,
    /// The command line that was timed, if any.
    pub command: Option<String>,
    pub measure: Measure,
    /// CPU seconds the server used during each run (empty: not measured).
    pub server_cpu: Vec<f64>,
    pub vs: Vec<Versus>,
    /// A goal of the row on its own (latency, memory).
    pub goal: Option<Goal>,
    pub note: Option<String>,
}

impl Row {
    pub fn new(contest: &str, server: &str, contender: &str, measure: Measure) -> Row {
        Row {
            contest: contest.into(),
            server: server.into(),
            contender: contender.into(),
            how: How::Process,
            command: None,
            measure,
            server_cpu: Vec::new(),
            vs: Vec::new(),
            goal: None,
            note: None,
        }
    }

    pub fn how(mut self, how: How) -> Row {
        self.how = how;
        self
    }

    /// Compare with `competitor`, against `goals` (none: the ratio only).
    pub fn against(mut self, competitor: &str, goals: &[Goal]) -> Row {
        self.vs.push(Versus {
            competitor: competitor.into(),
            goals: goals.to_vec(),
        });
        self
    }

    pub fn goal(mut self, goal: Goal) -> Row {
        self.goal = Some(goal);
        self
    }

    pub fn with_server_cpu(mut self, secs: &[f64]) -> Row {
        self.server_cpu = secs.to_vec();
        self
    }

    pub fn note(mut self, note: impl Into<String>) -> Row {
        self.note = Some(note.into());
        self
    }

    pub fn median_secs(&self) -> Option<f64> {
        match &self.measure {
            Measure::Time { wall, .. } => stats::median(wall),
            _ => None,
        }
    }

    /// User + system seconds of each run.
    pub fn cpu_samples(&self) -> Vec<f64> {
        match &self.measure {
            Measure::Time { user, sys, .. } => user.iter().zip(sys).map(|(u, s)| u + s).collect(),
            _ => Vec::new(),
        }
    }

    pub fn median_cpu(&self) -> Option<f64> {
        stats::median(&self.cpu_samples())
    }

    pub fn median_server_cpu(&self) -> Option<f64> {
        stats::median(&self.server_cpu)
    }

    pub fn mb_per_s(&self) -> Option<f64> {
        match &self.measure {
            Measure::Time { bytes: Some(b), .. } => self.median_secs().map(|s| *b as f64 / s / 1e6),
            _ => None,
        }
    }

    /// Median CPU seconds per GiB moved.
    pub fn cpu_per_gib(&self) -> Option<f64> {
        match &self.measure {
            Measure::Time { bytes: Some(b), .. } if *b > 0 => {
                Some(self.median_cpu()? * (1u64 << 30) as f64 / *b as f64)
            }
            _ => None,
        }
    }

    pub fn p50_p99_ms(&self) -> Option<(f64, f64)> {
        match &self.measure {
            Measure::Latency { ms } => {
                Some((stats::percentile(ms, 50.0)?, stats::percentile(ms, 99.0)?))
            }
            _ => None,
        }
    }

    /// p50, p99 and the largest latency, in milliseconds.
    pub fn latency_ms(&self) -> Option<(f64, f64, f64)> {
        let (p50, p99) = self.p50_p99_ms()?;
        match &self.measure {
            Measure::Latency { ms } => Some((p50, p99, stats::max(ms)?)),
            _ => None,
        }
    }

    pub fn peak_bytes(&self) -> Option<u64> {
        match &self.measure {
            Measure::Memory { kib } => kib.iter().max().map(|k| k * 1024),
            _ => None,
        }
    }
}

/// How many commands of each verb one run sent (from the server's log).
#[derive(Debug, Clone, PartialEq)]
pub struct Protocol {
    pub contest: String,
    pub server: String,
    pub contender: String,
    pub files: usize,
    /// Verb and count, most frequent first.
    pub counts: Vec<(String, u64)>,
}

impl Protocol {
    pub fn total(&self) -> u64 {
        self.counts.iter().map(|(_, n)| n).sum()
    }

    pub fn per_file(&self) -> Option<f64> {
        (self.files > 0).then(|| self.total() as f64 / self.files as f64)
    }
}

/// All rows, with what compares them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Report {
    pub rows: Vec<Row>,
    pub protocol: Vec<Protocol>,
}

impl Report {
    /// The row of `contender` in the same contest and on the same server as `row`.
    pub fn peer(&self, row: &Row, contender: &str) -> Option<&Row> {
        self.rows.iter().find(|r| {
            r.contest == row.contest && r.server == row.server && r.contender == contender
        })
    }

    /// The competitor's median time over this row's: above 1 means this row is faster.
    pub fn ratio(&self, row: &Row, competitor: &str) -> Option<f64> {
        let theirs = self.peer(row, competitor)?.median_secs()?;
        Some(theirs / row.median_secs()?)
    }

    /// Whether `row` meets `goal` (compared with `competitor` for the comparative goals);
    /// `None` without the figures to tell.
    pub fn met(&self, row: &Row, goal: Goal, competitor: Option<&str>) -> Option<bool> {
        match goal {
            Goal::SpeedAtLeast(r) => Some(self.ratio(row, competitor?)? >= r),
            Goal::CpuBelow => {
                let theirs = self.peer(row, competitor?)?.cpu_per_gib()?;
                Some(row.cpu_per_gib()? < theirs)
            }
            Goal::P99BelowMs(ms) => Some(row.p50_p99_ms()?.1 < ms),
            Goal::PeakBelowBytes(b) => Some(row.peak_bytes()? < b),
        }
    }
}

/// Most frequent first, then by name.
pub fn sort_counts(counts: &mut [(String, u64)]) {
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
}

/// Everything around the rows that the JSON records.
#[derive(Debug, Clone, PartialEq)]
pub struct Meta {
    pub date: String,
    pub machine: Machine,
    pub settings: Vec<(String, Json)>,
    pub versions: Vec<(String, String)>,
    pub notes: Vec<String>,
}

impl Meta {
    pub fn setting(&self, key: &str) -> Option<&Json> {
        self.settings.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub fn version(&self, key: &str) -> Option<&str> {
        self.versions
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// Seconds with three significant digits (0.0123, 1.23, 12.3, 123).
pub fn fmt_secs(s: f64) -> String {
    if s >= 100.0 {
        format!("{s:.0}")
    } else if s >= 10.0 {
        format!("{s:.1}")
    } else if s >= 1.0 {
        format!("{s:.2}")
    } else if s >= 0.1 {
        format!("{s:.3}")
    } else {
        format!("{s:.4}")
    }
}

/// A report and its meta data for tests (of this module and the table's).
pub fn sample() -> (Meta, Report) {
    let time = |wall: &[f64], cpu: &[f64], bytes| Measure::Time {
        wall: wall.to_vec(),
        user: cpu.iter().map(|c| c / 2.0).collect(),
        sys: cpu.iter().map(|c| c / 2.0).collect(),
        bytes,
    };
    let gib = Some(1u64 << 30);
    let rows = vec![
        Row::new(
            "1 GiB download",
            "vsftpd",
            "curl",
            time(&[1.0, 1.2, 1.1], &[0.4, 0.4, 0.4], gib),
        )
        .note("curl -q"),
        Row::new(
            "1 GiB download",
            "vsftpd",
            "lftp get",
            time(&[1.6, 1.8, 1.7], &[0.8, 0.8, 0.8], gib),
        )
        .with_server_cpu(&[0.9, 1.1, 1.0]),
        Row::new(
            "1 GiB download",
            "vsftpd",
            "ftpdeck get",
            time(&[1.3, 1.1, 1.2], &[0.2, 0.3, 0.2], gib),
        )
        .with_server_cpu(&[0.7, 0.5, 0.6])
        .against("lftp get", &[Goal::SpeedAtLeast(1.3)])
        .against("curl", &[Goal::CpuBelow]),
        Row::new(
            "list 20,000-entry dir",
            "embedded",
            "ftpdeck (TUI), start → drawn",
            time(&[0.3], &[0.1], None),
        )
        .how(How::Terminal)
        .against("lftp cls", &[Goal::SpeedAtLeast(1.0)]),
        Row::new(
            "list 20,000-entry dir",
            "embedded",
            "ftpdeck session worker, already connected",
            Measure::Time {
                wall: vec![0.05],
                user: vec![],
                sys: vec![],
                bytes: None,
            },
        )
        .how(How::InProcess),
        Row::new(
            "key → frame (j/k)",
            "vsftpd",
            "ftpdeck | busy",
            Measure::Latency {
                ms: (1..=200).map(f64::from).map(|x| x / 10.0).collect(),
            },
        )
        .how(How::Terminal)
        .goal(Goal::P99BelowMs(16.0)),
        Row::new(
            "peak memory",
            "vsftpd",
            "ftpdeck",
            Measure::Memory {
                kib: vec![30_000, 31_000],
            },
        )
        .how(How::Terminal)
        .goal(Goal::PeakBelowBytes(40_000_000)),
        Row::new(
            "tree download",
            "vsftpd",
            "lftp mirror --parallel=4",
            Measure::Failed("not installed\nat all".into()),
        ),
        Row::new(
            "tree download",
            "vsftpd",
            "ftpdeck get --parallel 4",
            time(&[1.0], &[0.5], Some(100 << 20)),
        )
        .against("lftp mirror --parallel=4", &[Goal::SpeedAtLeast(2.0)]),
    ];
    let meta = Meta {
        date: "2026-11-25T12:00:00Z".into(),
        machine: Machine {
            nproc: 2,
            cpu: "Xeon".into(),
            kernel: "6.1".into(),
            mem_total_kib: Some(1000),
        },
        settings: vec![
            ("quick".into(), Json::Bool(false)),
            ("runs".into(), Json::Num(3.0)),
        ],
        versions: vec![
            ("curl".into(), "curl 7.88.1".into()),
            ("lftp".into(), "lftp 4.9.2".into()),
        ],
        notes: vec!["load average 1.20 before the start".into()],
    };
    let protocol = vec![Protocol {
        contest: "tree download".into(),
        server: "vsftpd".into(),
        contender: "ftpdeck get --parallel 4".into(),
        files: 2,
        counts: vec![("PASV".into(), 2), ("RETR".into(), 2), ("USER".into(), 1)],
    }];
    (meta, Report { rows, protocol })
}

pub fn tests() -> Vec<super::Case> {
    vec![
        super::case("report: ratios, CPU and goals", || {
            let (_, r) = sample();
            let ours = &r.rows[2];
            let vs_lftp = r.ratio(ours, "lftp get").unwrap();
            assert!((vs_lftp - 1.7 / 1.2).abs() < 1e-9, "{vs_lftp}");
            assert_eq!(
                r.met(ours, Goal::SpeedAtLeast(1.3), Some("lftp get")),
                Some(true)
            );
            assert_eq!(
                r.met(ours, Goal::SpeedAtLeast(1.5), Some("lftp get")),
                Some(false)
            );
            assert!((ours.median_cpu().unwrap() - 0.2).abs() < 1e-9);
            assert_eq!(r.met(ours, Goal::CpuBelow, Some("curl")), Some(true));
            assert_eq!(
                r.met(&r.rows[0], Goal::CpuBelow, Some("ftpdeck get")),
                Some(false)
            );
            assert_eq!(r.ratio(&r.rows[0], "nobody"), None);
            assert_eq!(
                r.met(&r.rows[3], Goal::SpeedAtLeast(1.0), Some("lftp cls")),
                None
            );
            assert_eq!(r.met(&r.rows[5], Goal::P99BelowMs(16.0), None), Some(false));
            assert_eq!(
                r.met(&r.rows[6], Goal::PeakBelowBytes(40_000_000), None),
                Some(true)
            );
            // A failed competitor gives no verdict.
            assert_eq!(
                r.met(
                    &r.rows[8],
                    Goal::SpeedAtLeast(2.0),
                    Some("lftp mirror --parallel=4")
                ),
                None
            );
        }),
        super::case("report: MB/s, CPU per GiB, percentiles and peaks", || {
            let (_, r) = sample();
            let mbps = r.rows[0].mb_per_s().unwrap();
            assert!((mbps - (1u64 << 30) as f64 / 1.1 / 1e6).abs() < 1e-6);
            assert!((r.rows[8].cpu_per_gib().unwrap() - 0.5 * 10.24).abs() < 1e-9);
            assert_eq!(r.rows[5].p50_p99_ms(), Some((10.0, 19.8)));
            assert_eq!(r.rows[5].latency_ms(), Some((10.0, 19.8, 20.0)));
            assert_eq!(r.rows[6].latency_ms(), None);
            assert_eq!(r.rows[6].peak_bytes(), Some(31_000 * 1024));
        }),
        super::case("report: seconds keep three digits", || {
            assert_eq!(fmt_secs(123.4), "123");
            assert_eq!(fmt_secs(12.34), "12.3");
            assert_eq!(fmt_secs(1.234), "1.23");
            assert_eq!(fmt_secs(0.1234), "0.123");
            assert_eq!(fmt_secs(0.01234), "0.0123");
        }),
    ]
}
