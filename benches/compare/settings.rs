//! What a run was asked to do: the `BENCH_*` environment, and which results file it may write.

use super::fixtures::Sizes;

/// What this run was asked to do.
pub struct Settings {
    pub quick: bool,
    pub runs: usize,
    pub keys: usize,
    pub only: Option<Vec<String>>,
    /// `BENCH_SERVER`: `vsftpd`, `embedded` or `pyftpdlib` alone.
    pub server: Option<String>,
    pub sizes: Sizes,
}

/// Timed runs per contender in a run whose results may replace `bench/results.json`.
pub const FULL_RUNS: usize = 5;

impl Settings {
    pub fn from_env() -> Settings {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let quick = var("BENCH_QUICK").is_some_and(|v| v != "0");
        Settings {
            quick,
            runs: var("BENCH_RUNS")
                .and_then(|v| v.parse().ok())
                .unwrap_or(FULL_RUNS)
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
            server: var("BENCH_SERVER").map(|v| v.trim().to_ascii_lowercase()),
            sizes: if quick { Sizes::QUICK } else { Sizes::FULL },
        }
    }

    pub fn wants(&self, contest: &str) -> bool {
        self.only
            .as_ref()
            .is_none_or(|o| o.iter().any(|c| c == contest))
    }

    pub fn wants_server(&self, name: &str) -> bool {
        self.server.as_deref().is_none_or(|s| s == name)
    }

    /// A complete full-size run: the only kind that writes `bench/results.json`.
    pub fn is_full(&self) -> bool {
        !self.quick && self.only.is_none() && self.server.is_none() && self.runs >= FULL_RUNS
    }

    /// The results file this run writes.
    pub fn results_file(&self) -> &'static str {
        if self.is_full() {
            "results.json"
        } else {
            "results-quick.json"
        }
    }
}

pub fn tests() -> Vec<super::Case> {
    vec![super::case(
        "compare: settings, and which file a run may write",
        || {
            let mut s = Settings {
                quick: false,
                runs: FULL_RUNS,
                keys: 200,
                only: None,
                server: None,
                sizes: Sizes::FULL,
            };
            assert!(s.wants("big") && s.wants("sync") && s.wants_server("embedded"));
            assert_eq!(s.results_file(), "results.json");
            s.runs = 2;
            assert_eq!(s.results_file(), "results-quick.json", "too few runs");
            s.runs = FULL_RUNS;
            s.only = Some(vec!["big".into(), "list".into()]);
            assert!(s.wants("big") && s.wants("list") && !s.wants("keys"));
            assert_eq!(s.results_file(), "results-quick.json", "a part only");
            s.only = None;
            s.server = Some("vsftpd".into());
            assert!(s.wants_server("vsftpd") && !s.wants_server("embedded"));
            assert_eq!(s.results_file(), "results-quick.json", "one server only");
            s.server = None;
            s.quick = true;
            assert_eq!(s.results_file(), "results-quick.json");
            assert_eq!(Sizes::FULL.big, 1 << 30);
            assert_eq!(Sizes::FULL.tree_files, 2_000);
            assert_eq!(Sizes::QUICK.big, 64 << 20);
            assert_eq!(Sizes::QUICK.dir_entries, 2_000);
            assert_eq!(Sizes::QUICK.tree_files, 200);
            assert_eq!(Sizes::FULL.serve_file, 64 << 20);
            assert_eq!(Sizes::QUICK.serve_file, 8 << 20);
        },
    )]
}
