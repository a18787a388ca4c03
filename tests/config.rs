//! The settings as the program gets them: the default file it prints, and the options of the
//! session worker, the transfer pool and the TUI made from a parsed file.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may stop at the first surprise

use std::process::Command;
use std::time::Duration;

use ftpdeck::config::{self, Config};
use ftpdeck::remote::Timeouts;
use ftpdeck::remote::ops::ListingLimits;
use ftpdeck::remote::session::SessionOptions;
use ftpdeck::transfer::PoolOptions;
use ftpdeck::tui::RunOptions;

#[test]
fn the_printed_default_config_reads_back_as_the_defaults() {
    let home = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_ftpdeck"))
        .arg("--print-default-config")
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_STATE_HOME", home.path().join("state"))
        .env("XDG_CACHE_HOME", home.path().join("cache"))
        .env("FTPDECK_LOG_DIR", home.path().join("log"))
        .env_remove("FTPDECK_CONFIG")
        .output()
        .expect("run ftpdeck");
    assert!(out.status.success(), "{out:?}");
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    assert_eq!(text, config::DEFAULT_CONFIG);
    let (cfg, problems) = config::parse(&text, "printed");
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(cfg, Config::default());
}

#[test]
fn the_options_are_made_from_the_settings() {
    let text = "\
[transfers]
parallel = 5
overwrite = \"skip\"
retries = 7
retry_delay = 2
buffer_kib = 64
durable = false
max_depth = 9
[network]
connect_timeout = 4
read_timeout = 6
keepalive = 20
mlsd = false
max_listing_entries = 2000
max_listing_mib = 3
pipelining = false
[ui]
mouse = false
show_hidden = true
";
    let (cfg, problems) = config::parse(text, "c");
    assert!(problems.is_empty(), "{problems:?}");
    let timeouts = Timeouts {
        connect: Duration::from_secs(4),
        read: Duration::from_secs(6),
    };
    let limits = ListingLimits {
        max_entries: 2000,
        max_bytes: 3 << 20,
    };

    let pool = PoolOptions::from_config(&cfg);
    assert_eq!(
        (pool.workers, pool.retries, pool.backoff, pool.buffer_size),
        (5, 7, Duration::from_secs(2), 64 * 1024)
    );
    assert_eq!(
        (pool.durable, pool.max_depth, pool.prefer_mlsd),
        (ftpdeck::safety::local::Durability::Never, 9, false)
    );
    assert_eq!((pool.timeouts, pool.listing_limits), (timeouts, limits));
    assert!(!pool.pipelining);
    assert!(PoolOptions::default().pipelining);

    let session = SessionOptions::from_config(&cfg);
    assert_eq!(
        (session.timeouts, session.keepalive, session.prefer_mlsd),
        (timeouts, Duration::from_secs(20), false)
    );
    assert_eq!((session.max_depth, session.listing_limits), (9, limits));

    let run = RunOptions::from_config(cfg);
    assert_eq!(
        (run.mouse, run.show_hidden, run.default_policy),
        (false, true, Some(ftpdeck::transfer::Resolution::Skip))
    );
}

/// A default written again somewhere (and drifting) shows here.
#[test]
fn the_defaults_of_the_options_are_the_configs() {
    let cfg = Config::default();
    let (pool, from) = (PoolOptions::default(), PoolOptions::from_config(&cfg));
    assert_eq!(format!("{pool:?}"), format!("{from:?}"));
    let (session, from) = (SessionOptions::default(), SessionOptions::from_config(&cfg));
    assert_eq!(format!("{session:?}"), format!("{from:?}"));
    assert_eq!(Timeouts::default(), cfg.network.timeouts());
    assert_eq!(ListingLimits::default(), cfg.network.listing_limits());
}

#[test]
fn durable_takes_auto_always_never_or_the_old_true_false_and_a_bad_word_is_reported() {
    use ftpdeck::safety::local::Durability;
    for (value, want) in [
        ("\"auto\"", Durability::Auto),
        ("\"always\"", Durability::Always),
        ("\"never\"", Durability::Never),
        ("true", Durability::Always),
        ("false", Durability::Never),
    ] {
        let (cfg, problems) = config::parse(&format!("[transfers]\ndurable = {value}\n"), "c");
        assert!(problems.is_empty(), "{value}: {problems:?}");
        assert_eq!(cfg.transfers.durable, want, "{value}");
    }
    let (cfg, problems) = config::parse("[transfers]\n\ndurable = \"sometimes\"\n", "c");
    assert_eq!(cfg.transfers.durable, Durability::Auto, "the default stays");
    let said = format!("{problems:?}");
    assert!(
        said.contains("c:3:") && said.contains("sometimes"),
        "{said}"
    );
}
