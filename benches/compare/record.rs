//! The results file, `bench/results.json`: every sample of every row, the machine, versions,
//! settings and notes — written by the bench, read back by the README table's generator (which
//! recomputes every ratio and verdict from the samples rather than trusting the file's).

use serde_json::Value;

use super::json::Json;
use super::report::{Goal, How, Measure, Meta, Protocol, Report, Row, Versus, sort_counts};
use super::stats;
use super::sysinfo::Machine;

impl Goal {
    pub fn to_json(self) -> Json {
        let (kind, value) = match self {
            Goal::SpeedAtLeast(r) => ("speed_at_least", Json::Num(r)),
            Goal::CpuBelow => ("cpu_below", Json::Null),
            Goal::P99BelowMs(ms) => ("p99_below_ms", Json::Num(ms)),
            Goal::PeakBelowBytes(b) => ("peak_below_bytes", Json::Num(b as f64)),
        };
        Json::obj([("kind", Json::str(kind)), ("value", value)])
    }

    pub fn from_json(v: &Value) -> Result<Goal, String> {
        let num = || {
            v["value"]
                .as_f64()
                .ok_or_else(|| format!("goal without a value: {v}"))
        };
        match v["kind"].as_str() {
            Some("speed_at_least") => Ok(Goal::SpeedAtLeast(num()?)),
            Some("cpu_below") => Ok(Goal::CpuBelow),
            Some("p99_below_ms") => Ok(Goal::P99BelowMs(num()?)),
            Some("peak_below_bytes") => Ok(Goal::PeakBelowBytes(num()? as u64)),
            _ => Err(format!("unknown goal {v}")),
        }
    }
}

impl Report {
    pub fn json(&self, meta: &Meta) -> Json {
        let rows = self.rows.iter().map(|row| self.row_json(row));
        let protocol = self.protocol.iter().map(|p| {
            Json::obj([
                ("contest", Json::str(&p.contest)),
                ("server", Json::str(&p.server)),
                ("contender", Json::str(&p.contender)),
                ("files", Json::Num(p.files as f64)),
                ("total", Json::Num(p.total() as f64)),
                ("per_file", Json::opt_num(p.per_file())),
                (
                    "commands",
                    Json::Obj(
                        p.counts
                            .iter()
                            .map(|(verb, n)| (verb.clone(), Json::Num(*n as f64)))
                            .collect(),
                    ),
                ),
            ])
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
            ("settings", Json::Obj(meta.settings.clone())),
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
            ("protocol", Json::Arr(protocol.collect())),
        ])
    }

    fn row_json(&self, row: &Row) -> Json {
        let mut pairs = vec![
            ("contest", Json::str(&row.contest)),
            ("server", Json::str(&row.server)),
            ("contender", Json::str(&row.contender)),
            ("how", Json::str(row.how.key())),
            (
                "command",
                row.command.as_ref().map_or(Json::Null, Json::str),
            ),
        ];
        match &row.measure {
            Measure::Time {
                wall,
                user,
                sys,
                bytes,
            } => {
                pairs.push(("median_wall_s", Json::opt_num(row.median_secs())));
                pairs.push(("median_cpu_s", Json::opt_num(row.median_cpu())));
                pairs.push(("wall_s", Json::nums(wall)));
                pairs.push(("cpu_s", Json::nums(&row.cpu_samples())));
                pairs.push(("user_s", Json::nums(user)));
                pairs.push(("sys_s", Json::nums(sys)));
                pairs.push(("bytes", bytes.map_or(Json::Null, |b| Json::Num(b as f64))));
                pairs.push(("mb_per_s", Json::opt_num(row.mb_per_s())));
                pairs.push(("cpu_s_per_gib", Json::opt_num(row.cpu_per_gib())));
                if !row.server_cpu.is_empty() {
                    pairs.push((
                        "median_server_cpu_s",
                        Json::opt_num(row.median_server_cpu()),
                    ));
                    pairs.push(("server_cpu_s", Json::nums(&row.server_cpu)));
                }
            }
            Measure::Latency { ms } => {
                let (p50, p99) = row.p50_p99_ms().unzip();
                pairs.push(("p50_ms", Json::opt_num(p50)));
                pairs.push(("p99_ms", Json::opt_num(p99)));
                pairs.push(("max_ms", Json::opt_num(stats::max(ms))));
                pairs.push(("latency_ms", Json::nums(ms)));
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
        let vs = row.vs.iter().map(|v| {
            let goals = v.goals.iter().map(|&g| {
                Json::obj([
                    ("goal", g.to_json()),
                    ("text", Json::str(g.describe(Some(&v.competitor)))),
                    (
                        "met",
                        self.met(row, g, Some(&v.competitor))
                            .map_or(Json::Null, Json::Bool),
                    ),
                ])
            });
            Json::obj([
                ("competitor", Json::str(&v.competitor)),
                ("ratio", Json::opt_num(self.ratio(row, &v.competitor))),
                ("goals", Json::Arr(goals.collect())),
            ])
        });
        pairs.push(("vs", Json::Arr(vs.collect())));
        pairs.push(("goal", row.goal.map_or(Json::Null, Goal::to_json)));
        pairs.push((
            "goal_met",
            row.goal
                .and_then(|g| self.met(row, g, None))
                .map_or(Json::Null, Json::Bool),
        ));
        pairs.push(("note", row.note.as_ref().map_or(Json::Null, Json::str)));
        Json::obj(pairs)
    }

    /// Read back what [`Report::json`] wrote (the verdicts are recomputed, not trusted).
    pub fn from_json(v: &Value) -> Result<(Meta, Report), String> {
        let text = |v: &Value, k: &str| -> Result<String, String> {
            v[k].as_str()
                .map(str::to_string)
                .ok_or_else(|| format!("no string {k:?} in {v}"))
        };
        let nums = |v: &Value, k: &str| -> Vec<f64> {
            v[k].as_array()
                .map(|a| a.iter().filter_map(Value::as_f64).collect())
                .unwrap_or_default()
        };
        let opt_text = |v: &Value, k: &str| v[k].as_str().map(str::to_string);
        let m = &v["machine"];
        let meta = Meta {
            date: text(v, "date")?,
            machine: Machine {
                nproc: m["nproc"].as_u64().unwrap_or(0) as usize,
                cpu: text(m, "cpu")?,
                kernel: text(m, "kernel")?,
                mem_total_kib: m["mem_total_kib"].as_u64(),
            },
            settings: v["settings"]
                .as_object()
                .map(|o| {
                    o.iter()
                        .map(|(k, v)| (k.clone(), Json::from_value(v)))
                        .collect()
                })
                .unwrap_or_default(),
            versions: v["versions"]
                .as_object()
                .map(|o| {
                    o.iter()
                        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
                        .collect()
                })
                .unwrap_or_default(),
            notes: v["notes"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default(),
        };
        let mut rows = Vec::new();
        for r in v["rows"].as_array().ok_or("no rows")? {
            let measure = if let Some(why) = r["error"].as_str() {
                Measure::Failed(why.into())
            } else if r.get("wall_s").is_some() {
                Measure::Time {
                    wall: nums(r, "wall_s"),
                    user: nums(r, "user_s"),
                    sys: nums(r, "sys_s"),
                    bytes: r["bytes"].as_u64(),
                }
            } else if r.get("latency_ms").is_some() {
                Measure::Latency {
                    ms: nums(r, "latency_ms"),
                }
            } else if r.get("samples_kib").is_some() {
                Measure::Memory {
                    kib: nums(r, "samples_kib").iter().map(|&k| k as u64).collect(),
                }
            } else {
                return Err(format!("a row without figures: {r}"));
            };
            let mut vs = Vec::new();
            for x in r["vs"].as_array().into_iter().flatten() {
                let goals = x["goals"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|g| Goal::from_json(&g["goal"]))
                    .collect::<Result<Vec<_>, _>>()?;
                vs.push(Versus {
                    competitor: text(x, "competitor")?,
                    goals,
                });
            }
            rows.push(Row {
                contest: text(r, "contest")?,
                server: text(r, "server")?,
                contender: text(r, "contender")?,
                how: How::from_key(&text(r, "how")?).ok_or("unknown \"how\"")?,
                command: opt_text(r, "command"),
                measure,
                server_cpu: nums(r, "server_cpu_s"),
                vs,
                goal: match &r["goal"] {
                    Value::Null => None,
                    g => Some(Goal::from_json(g)?),
                },
                note: opt_text(r, "note"),
            });
        }
        let mut protocol = Vec::new();
        for p in v["protocol"].as_array().into_iter().flatten() {
            let mut counts: Vec<(String, u64)> = p["commands"]
                .as_object()
                .map(|o| {
                    o.iter()
                        .map(|(k, n)| (k.clone(), n.as_u64().unwrap_or(0)))
                        .collect()
                })
                .unwrap_or_default();
            sort_counts(&mut counts);
            protocol.push(Protocol {
                contest: text(p, "contest")?,
                server: text(p, "server")?,
                contender: text(p, "contender")?,
                files: p["files"].as_u64().unwrap_or(0) as usize,
                counts,
            });
        }
        Ok((meta, Report { rows, protocol }))
    }
}

pub fn tests() -> Vec<super::Case> {
    vec![super::case(
        "report: JSON keeps every sample and reads back the same",
        || {
            let (meta, report) = super::report::sample();
            let text = report.json(&meta).pretty();
            for needle in [
                "\"nproc\": 2",
                "\"cpu\": \"Xeon\"",
                "\"kernel\": \"6.1\"",
                "\"date\": \"2026-11-25T12:00:00Z\"",
                "\"runs\": 3",
                "\"curl\": \"curl 7.88.1\"",
                "\"wall_s\": [1.3, 1.1, 1.2]",
                "\"cpu_s\": [0.2, 0.3, 0.2]",
                "\"user_s\": [0.1, 0.15, 0.1]",
                "\"median_wall_s\": 1.2",
                "\"median_cpu_s\": 0.2",
                "\"server_cpu_s\": [0.7, 0.5, 0.6]",
                "\"median_server_cpu_s\": 0.6",
                "\"how\": \"in-process\"",
                "\"met\": true",
                "\"goal_met\": false",
                "\"p99_ms\": 19.8",
                "\"peak_bytes\": 31744000",
                "\"error\": \"not installed\\nat all\"",
                "\"RETR\": 2",
                "\"per_file\": 2.5",
            ] {
                assert!(text.contains(needle), "{needle} missing from\n{text}");
            }
            let value: Value = serde_json::from_str(&text).unwrap();
            let (meta2, report2) = Report::from_json(&value).unwrap();
            assert_eq!(meta2, meta);
            assert_eq!(report2, report);
            assert!(Report::from_json(&serde_json::json!({"date": "x"})).is_err());
        },
    )]
}
