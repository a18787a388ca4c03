//! The results: one row per contender of a contest, the markdown table and the JSON file.

use super::json::Json;
use super::stats;
use super::sysinfo::Machine;

/// What a contender's runs came to.
#[derive(Debug, Clone, PartialEq)]
pub enum Measure {
    /// Seconds per run; `bytes` moved per run, for MB/s.
    Time { secs: Vec<f64>, bytes: Option<u64> },
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
    /// At least this fraction of the competitor's speed (its time / ours).
    SpeedAtLeast(f64),
    /// Faster than the competitor (speed ratio above 1).
    Faster,
    P99BelowMs(f64),
    PeakBelowBytes(u64),
}

impl Goal {
    pub fn describe(&self) -> String {
        match *self {
            Goal::SpeedAtLeast(r) => format!("≥ {r:.2}× competitor"),
            Goal::Faster => "faster than competitor".into(),
            Goal::P99BelowMs(ms) => format!("p99 < {ms} ms"),
            Goal::PeakBelowBytes(b) => format!("peak < {} MB", b / 1_000_000),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub contest: String,
    pub server: String,
    pub contender: String,
    pub measure: Measure,
    /// The contender (same contest and server) this row is compared with.
    pub competitor: Option<String>,
    pub goal: Option<Goal>,
    pub note: Option<String>,
}

impl Row {
    pub fn new(contest: &str, server: &str, contender: &str, measure: Measure) -> Row {
        Row {
            contest: contest.into(),
            server: server.into(),
            contender: contender.into(),
            measure,
            competitor: None,
            goal: None,
            note: None,
        }
    }

    pub fn against(mut self, competitor: &str) -> Row {
        self.competitor = Some(competitor.into());
        self
    }

    pub fn goal(mut self, goal: Goal) -> Row {
        self.goal = Some(goal);
        self
    }

    pub fn note(mut self, note: impl Into<String>) -> Row {
        self.note = Some(note.into());
        self
    }

    pub fn median_secs(&self) -> Option<f64> {
        match &self.measure {
            Measure::Time { secs, .. } => stats::median(secs),
            _ => None,
        }
    }

    pub fn mb_per_s(&self) -> Option<f64> {
        match &self.measure {
            Measure::Time { bytes: Some(b), .. } => self.median_secs().map(|s| *b as f64 / s / 1e6),
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

    pub fn peak_bytes(&self) -> Option<u64> {
        match &self.measure {
            Measure::Memory { kib } => kib.iter().max().map(|k| k * 1024),
            _ => None,
        }
    }
}

/// All rows, with what compares them.
pub struct Report {
    pub rows: Vec<Row>,
}

impl Report {
    /// The competitor's median time over this row's: above 1 means this row is faster.
    pub fn ratio(&self, row: &Row) -> Option<f64> {
        let name = row.competitor.as_ref()?;
        let theirs = self
            .rows
            .iter()
            .find(|r| r.contest == row.contest && r.server == row.server && &r.contender == name)?
            .median_secs()?;
        Some(theirs / row.median_secs()?)
    }

    /// Whether another row is compared with this one.
    pub fn is_baseline(&self, row: &Row) -> bool {
        self.rows.iter().any(|r| {
            r.contest == row.contest
                && r.server == row.server
                && r.competitor.as_deref() == Some(row.contender.as_str())
        })
    }

    /// Whether the row meets its goal; `None` without a goal or a result.
    pub fn met(&self, row: &Row) -> Option<bool> {
        match row.goal? {
            Goal::SpeedAtLeast(r) => Some(self.ratio(row)? >= r),
            Goal::Faster => Some(self.ratio(row)? > 1.0),
            Goal::P99BelowMs(ms) => Some(row.p50_p99_ms()?.1 < ms),
            Goal::PeakBelowBytes(b) => Some(row.peak_bytes()? < b),
        }
    }

    pub fn markdown(&self) -> String {
        let mut out = String::from(
            "| Contest | Server | Contender | Median | MB/s | × competitor | Target |\n\
             |---|---|---|---:|---:|---:|---|\n",
        );
        for row in &self.rows {
            let median = match &row.measure {
                Measure::Time { secs, .. } => stats::median(secs)
                    .map(|s| format!("{} s", fmt_secs(s)))
                    .unwrap_or_default(),
                Measure::Latency { .. } => row
                    .p50_p99_ms()
                    .map(|(p50, p99)| format!("p50 {p50:.1} ms, p99 {p99:.1} ms"))
                    .unwrap_or_default(),
                Measure::Memory { .. } => row
                    .peak_bytes()
                    .map(|b| format!("peak {:.1} MB", b as f64 / 1e6))
                    .unwrap_or_default(),
                Measure::Failed(why) => format!("failed: {}", shorten(why, 60)),
            };
            let mbps = row
                .mb_per_s()
                .map(|m| format!("{m:.0}"))
                .unwrap_or_default();
            let ratio = match (self.ratio(row), &row.competitor, &row.measure) {
                (Some(r), _, _) => format!("{r:.2}×"),
                (None, None, Measure::Time { .. }) if self.is_baseline(row) => "baseline".into(),
                _ => String::new(),
            };
            let target = match (row.goal, self.met(row)) {
                (Some(g), Some(true)) => format!("✅ {}", g.describe()),
                (Some(g), Some(false)) => format!("❌ {}", g.describe()),
                (Some(g), None) => format!("? {}", g.describe()),
                (None, _) => String::new(),
            };
            let contender = match &row.note {
                Some(n) => format!("{} ({n})", row.contender),
                None => row.contender.clone(),
            };
            out.push_str(&format!(
                "| {} | {} | {} | {median} | {mbps} | {ratio} | {target} |\n",
                cell(&row.contest),
                cell(&row.server),
                cell(&contender)
            ));
        }
        out
    }

    pub fn json(&self, meta: &Meta) -> Json {
        let rows = self.rows.iter().map(|row| {
            let mut pairs = vec![
                ("contest", Json::str(&row.contest)),
                ("server", Json::str(&row.server)),
                ("contender", Json::str(&row.contender)),
            ];
            match &row.measure {
                Measure::Time { secs, bytes } => {
                    pairs.push(("median_s", Json::opt_num(row.median_secs())));
                    pairs.push(("samples_s", Json::nums(secs)));
                    pairs.push(("bytes", bytes.map_or(Json::Null, |b| Json::Num(b as f64))));
                    pairs.push(("mb_per_s", Json::opt_num(row.mb_per_s())));
                }
                Measure::Latency { ms } => {
                    let (p50, p99) = row.p50_p99_ms().unzip();
                    pairs.push(("p50_ms", Json::opt_num(p50)));
                    pairs.push(("p99_ms", Json::opt_num(p99)));
                    pairs.push(("max_ms", Json::opt_num(stats::max(ms))));
                    pairs.push(("samples", Json::Num(ms.len() as f64)));
                }
                Measure::Memory { kib } => {
                    pairs.push((
                        "peak_bytes",
                        row.peak_bytes().map_or(Json::Null, |b| Json::Num(b as f64)),
                    ));
                    pairs.push((
                        "samples_kib",
                        Json::Arr(kib.iter().map(|&k| Json::Num(k as f64)).collect()),
                    ));
                }
                Measure::Failed(why) => pairs.push(("error", Json::str(why))),
            }
            pairs.push((
                "competitor",
                row.competitor.as_ref().map_or(Json::Null, Json::str),
            ));
            pairs.push(("ratio", Json::opt_num(self.ratio(row))));
            pairs.push((
                "target",
                row.goal.map_or(Json::Null, |g| Json::str(g.describe())),
            ));
            pairs.push(("met", self.met(row).map_or(Json::Null, Json::Bool)));
            pairs.push(("note", row.note.as_ref().map_or(Json::Null, Json::str)));
            Json::obj(pairs)
        });
        Json::obj([
            ("bench", Json::str("compare")),
            ("date", Json::str(&meta.date)),
            (
                "machine",
                Json::obj([
                    ("nproc", Json::Num(meta.machine.nproc as f64)),
                    ("cpu", Json::str(&meta.machine.cpu)),
                    ("kernel", Json::str(&meta.machine.kernel)),
                    (
                        "mem_total_kib",
                        meta.machine
                            .mem_total_kib
                            .map_or(Json::Null, |k| Json::Num(k as f64)),
                    ),
                ]),
            ),
            (
                "settings",
                Json::Obj(
                    meta.settings
                        .iter()
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect(),
                ),
            ),
            (
                "versions",
                Json::Obj(
                    meta.versions
                        .iter()
                        .map(|(k, v)| (k.clone(), Json::str(v)))
                        .collect(),
                ),
            ),
            (
                "notes",
                Json::Arr(meta.notes.iter().map(Json::str).collect()),
            ),
            ("rows", Json::Arr(rows.collect())),
        ])
    }
}

/// Everything around the rows that the JSON records.
pub struct Meta {
    pub date: String,
    pub machine: Machine,
    pub settings: Vec<(String, Json)>,
    pub versions: Vec<(String, String)>,
    pub notes: Vec<String>,
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

/// A table cell: no pipes or newlines.
fn cell(s: &str) -> String {
    s.replace('|', "/").replace('\n', " ")
}

fn shorten(s: &str, max: usize) -> String {
    let s = s.replace('\n', " ");
    if s.chars().count() <= max {
        s
    } else {
        format!("{}…", s.chars().take(max).collect::<String>())
    }
}

fn sample_report() -> Report {
    let time = |secs: &[f64], bytes| Measure::Time {
        secs: secs.to_vec(),
        bytes,
    };
    Report {
        rows: vec![
            Row::new(
                "1 GiB download",
                "vsftpd",
                "curl",
                time(&[2.0, 2.2, 2.1], Some(1 << 30)),
            ),
            Row::new(
                "1 GiB download",
                "vsftpd",
                "ftpdeck",
                time(&[2.4, 2.0, 2.2], Some(1 << 30)),
            )
            .against("curl")
            .goal(Goal::SpeedAtLeast(0.95)),
            Row::new("listing", "embedded", "ftpdeck", time(&[0.3], None))
                .against("curl")
                .goal(Goal::SpeedAtLeast(1.0 / 1.5)),
            Row::new(
                "keys",
                "vsftpd",
                "ftpdeck | busy",
                Measure::Latency {
                    ms: (1..=200).map(f64::from).map(|x| x / 10.0).collect(),
                },
            )
            .goal(Goal::P99BelowMs(16.0)),
            Row::new(
                "memory",
                "vsftpd",
                "ftpdeck",
                Measure::Memory {
                    kib: vec![30_000, 31_000],
                },
            )
            .goal(Goal::PeakBelowBytes(40_000_000)),
            Row::new(
                "tree",
                "vsftpd",
                "lftp",
                Measure::Failed("not installed\nat all".into()),
            ),
        ],
    }
}

pub fn tests() -> Vec<super::Case> {
    vec![
        super::case("report: ratios and targets", || {
            let r = sample_report();
            let ours = &r.rows[1];
            let ratio = r.ratio(ours).unwrap();
            assert!((ratio - 2.1 / 2.2).abs() < 1e-9, "{ratio}");
            assert_eq!(r.met(ours), Some(true));
            assert_eq!(r.ratio(&r.rows[0]), None, "the baseline has no ratio");
            assert_eq!(r.ratio(&r.rows[2]), None, "no curl row for that server");
            assert_eq!(r.met(&r.rows[2]), None);
            assert_eq!(r.met(&r.rows[3]), Some(false), "p99 is 19.8 ms");
        }),
        super::case("report: MB/s, percentiles and peaks", || {
            let r = sample_report();
            let mbps = r.rows[0].mb_per_s().unwrap();
            assert!((mbps - (1u64 << 30) as f64 / 2.1 / 1e6).abs() < 1e-6);
            assert_eq!(r.rows[3].p50_p99_ms(), Some((10.0, 19.8)));
            assert_eq!(r.rows[4].peak_bytes(), Some(31_000 * 1024));
            assert_eq!(r.met(&r.rows[4]), Some(true));
        }),
        super::case("report: markdown table", || {
            let md = sample_report().markdown();
            let lines: Vec<&str> = md.lines().collect();
            assert_eq!(lines.len(), 2 + 6, "{md}");
            assert!(lines[0].starts_with("| Contest | Server | Contender | Median | MB/s |"));
            assert_eq!(
                lines[2],
                "| 1 GiB download | vsftpd | curl | 2.10 s | 511 | baseline |  |"
            );
            assert_eq!(
                lines[3],
                "| 1 GiB download | vsftpd | ftpdeck | 2.20 s | 488 | 0.95× | ✅ ≥ 0.95× competitor |"
            );
            assert!(
                lines[4].ends_with("| 0.300 s |  |  | ? ≥ 0.67× competitor |"),
                "{}",
                lines[4]
            );
            assert!(
                lines[5].contains("| ftpdeck / busy |"),
                "pipes escaped: {}",
                lines[5]
            );
            assert!(
                lines[5].contains("p50 10.0 ms, p99 19.8 ms"),
                "{}",
                lines[5]
            );
            assert!(lines[5].contains("❌ p99 < 16 ms"), "{}", lines[5]);
            assert!(lines[6].contains("peak 31.7 MB"), "{}", lines[6]);
            assert!(lines[6].contains("✅ peak < 40 MB"), "{}", lines[6]);
            assert!(
                lines[7].contains("failed: not installed at all"),
                "{}",
                lines[7]
            );
            // A row nobody is compared with is no baseline (a contest without its competitor).
            let alone = Report {
                rows: vec![Row::new(
                    "x",
                    "s",
                    "ftpdeck",
                    Measure::Time {
                        secs: vec![1.0],
                        bytes: None,
                    },
                )],
            };
            assert!(
                alone
                    .markdown()
                    .contains("| x | s | ftpdeck | 1.00 s |  |  |  |")
            );
        }),
        super::case("report: JSON carries machine, rows and verdicts", || {
            let meta = Meta {
                date: "2026-11-25T12:00:00+00:00".into(),
                machine: Machine {
                    nproc: 2,
                    cpu: "Xeon".into(),
                    kernel: "6.1".into(),
                    mem_total_kib: Some(1000),
                },
                settings: vec![("runs".into(), Json::Num(3.0))],
                versions: vec![("curl".into(), "curl 7.88.1".into())],
                notes: vec!["lftp is not installed: skipped".into()],
            };
            let text = sample_report().json(&meta).pretty();
            for needle in [
                "\"nproc\": 2",
                "\"cpu\": \"Xeon\"",
                "\"kernel\": \"6.1\"",
                "\"date\": \"2026-11-25T12:00:00+00:00\"",
                "\"runs\": 3",
                "\"curl\": \"curl 7.88.1\"",
                "\"samples_s\": [2.4, 2, 2.2]",
                "\"median_s\": 2.2",
                "\"met\": true",
                "\"met\": false",
                "\"p99_ms\": 19.8",
                "\"peak_bytes\": 31744000",
                "\"error\": \"not installed\\nat all\"",
                "\"lftp is not installed: skipped\"",
            ] {
                assert!(text.contains(needle), "{needle} missing from\n{text}");
            }
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
