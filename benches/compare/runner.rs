//! The contest loop: a warm-up run of every contender, then `runs` rounds in an order rotated
//! every round. Each run is one verified, cleaned-up copy; only the time the contender itself
//! took counts (verifying and cleaning happen outside it).

use std::process::Command;

use super::process::Sample;
use super::report::{self, How, Measure};
use super::stats;

/// One contender: `run` returns the sample of one verified, cleaned-up run.
pub struct Entrant<'a> {
    pub name: String,
    /// The command line, as the results show it.
    pub command: Option<String>,
    run: Box<dyn FnMut() -> Result<Sample, String> + 'a>,
}

pub fn entrant<'a>(
    name: impl Into<String>,
    run: impl FnMut() -> Result<Sample, String> + 'a,
) -> Entrant<'a> {
    Entrant {
        name: name.into(),
        command: None,
        run: Box::new(run),
    }
}

impl Entrant<'_> {
    pub fn shows(mut self, command: impl Into<String>) -> Self {
        self.command = Some(command.into());
        self
    }
}

/// What one contender's runs came to.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub name: String,
    pub command: Option<String>,
    pub result: Result<Vec<Sample>, String>,
}

impl Outcome {
    /// The timed samples as a report measure (`bytes` moved per run, for MB/s).
    pub fn measure(&self, bytes: Option<u64>) -> Measure {
        match &self.result {
            Ok(samples) => Measure::Time {
                wall: samples.iter().map(|s| s.wall).collect(),
                user: samples
                    .iter()
                    .filter_map(|s| s.cpu)
                    .map(|c| c.user)
                    .collect(),
                sys: samples
                    .iter()
                    .filter_map(|s| s.cpu)
                    .map(|c| c.sys)
                    .collect(),
                bytes,
            },
            Err(why) => Measure::Failed(why.clone()),
        }
    }

    /// A process row of `contest` on `server`.
    pub fn row(&self, contest: &str, server: &str, bytes: Option<u64>) -> report::Row {
        let mut row = report::Row::new(contest, server, &self.name, self.measure(bytes));
        row.how = How::Process;
        row.command = self.command.clone();
        if let Ok(samples) = &self.result {
            let server: Option<Vec<f64>> = samples.iter().map(|s| s.server_cpu).collect();
            row.server_cpu = server.unwrap_or_default();
        }
        row
    }
}

/// Run every entrant once to warm up (not counted), then `runs` times in an order rotated each
/// round; a contender that fails once is not run again. Results in entrant order.
pub fn contest(label: &str, runs: usize, mut entrants: Vec<Entrant>) -> Vec<Outcome> {
    println!("\n## {label}");
    let mut results: Vec<Result<Vec<Sample>, String>> =
        entrants.iter().map(|_| Ok(Vec::new())).collect();
    let warm_up = (0..entrants.len()).map(|i| (None, i));
    let rounds = (0..runs).flat_map(|round| {
        stats::rotation(entrants.len(), round)
            .into_iter()
            .map(move |i| (Some(round), i))
    });
    let order: Vec<(Option<usize>, usize)> = warm_up.chain(rounds).collect();
    for (round, i) in order {
        let Ok(samples) = &mut results[i] else {
            continue;
        };
        let e = &mut entrants[i];
        let run = match round {
            Some(r) => format!("run {}/{runs}", r + 1),
            None => "warm-up".to_string(),
        };
        settle();
        match (e.run)() {
            Ok(sample) => {
                let cpu = sample.cpu.map_or(String::new(), |c| {
                    format!(
                        ", CPU {} s (user {}, sys {})",
                        report::fmt_secs(c.total()),
                        report::fmt_secs(c.user),
                        report::fmt_secs(c.sys)
                    )
                });
                println!(
                    "  {label} · {} · {run}: {} s{cpu}",
                    e.name,
                    report::fmt_secs(sample.wall)
                );
                if round.is_some() {
                    samples.push(sample);
                }
            }
            Err(why) => {
                println!("  {label} · {} · {run} FAILED: {why}", e.name);
                results[i] = Err(why);
            }
        }
    }
    entrants
        .into_iter()
        .zip(results)
        .map(|(e, result)| Outcome {
            name: e.name,
            command: e.command,
            result,
        })
        .collect()
}

/// Flush dirty pages left by the last run, so its writeback does not land in the next one.
fn settle() {
    let _ = Command::new("sync").status();
}

pub fn tests() -> Vec<super::Case> {
    use std::cell::RefCell;
    use std::time::Duration;
    vec![super::case(
        "runner: a warm-up, then rotated rounds; a failing contender is dropped",
        || {
            let calls = RefCell::new(Vec::new());
            let sample = |ms: u64| Sample::wall_only(Duration::from_millis(ms));
            let entrants = vec![
                entrant("a", || {
                    calls.borrow_mut().push("a");
                    Ok(sample(10))
                })
                .shows("a --fast"),
                entrant("b", || {
                    calls.borrow_mut().push("b");
                    Err("broken".into())
                }),
                entrant("c", || {
                    calls.borrow_mut().push("c");
                    Ok(sample(30))
                }),
            ];
            let results = contest("self-test", 3, entrants);
            // Warm-up a b c; rounds: a (b) c, (b) c a, c a.
            assert_eq!(
                *calls.borrow(),
                ["a", "b", "c", "a", "c", "c", "a", "c", "a"]
            );
            assert_eq!(results[0].name, "a");
            assert_eq!(results[0].command.as_deref(), Some("a --fast"));
            assert_eq!(
                results[0].result,
                Ok(vec![sample(10), sample(10), sample(10)])
            );
            assert_eq!(results[1].result, Err("broken".into()));
            assert_eq!(results[2].result.as_ref().map(Vec::len), Ok(3));
            match results[0].measure(Some(5)) {
                Measure::Time {
                    wall,
                    user,
                    sys,
                    bytes,
                } => {
                    assert_eq!(wall, vec![0.01, 0.01, 0.01]);
                    assert!(user.is_empty() && sys.is_empty());
                    assert_eq!(bytes, Some(5));
                }
                other => panic!("{other:?}"),
            }
            assert_eq!(results[1].measure(None), Measure::Failed("broken".into()));
        },
    )]
}
