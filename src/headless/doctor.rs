//! `ftpdeck doctor URL|BOOKMARK`: probe a server and print what works and the settings to use
//! (`--json`: the report as JSON on stdout). Exit status 0 all good, 1 works with warnings or
//! other settings recommended, 2 cannot connect or log in, or a usage error; 130 after Ctrl-C
//! (between two probes).

use std::io::Write;

use super::{Common, Fatal, creds, parse_remote};
use crate::doctor;

/// What `doctor` is asked.
#[derive(Debug, Clone)]
pub struct DoctorArgs {
    pub target: String,
    /// Time limit of each network step (connect, each reply, each data connection).
    pub timeouts: crate::remote::Timeouts,
}

/// A bookmark's bare name means the bookmark (`NAME` as `NAME:`).
fn as_remote(target: &str) -> String {
    if target.contains("://") || target.contains(':') {
        target.to_string()
    } else {
        format!("{target}:")
    }
}

/// Probe and print; the exit status.
pub fn doctor(args: &DoctorArgs, common: &Common) -> u8 {
    let _ = super::interrupted_flag();
    let prepared = parse_remote(&as_remote(&args.target)).and_then(|r| creds::complete(r, common));
    let mut profile = match prepared {
        Ok(p) => p,
        Err(Fatal(why)) => {
            // A report of its own shape, so a script reads one kind of document.
            let report = doctor::Report {
                server: crate::sanitize::display_name(&args.target),
                fatal: Some(why),
                ..Default::default()
            };
            print(&report, common);
            return report.exit_status();
        }
    };
    if common.active {
        profile.data_mode = crate::remote::DataMode::Active;
    }
    let report = doctor::diagnose(&profile, args.timeouts, &|| {
        super::interrupted_flag().load(std::sync::atomic::Ordering::Relaxed)
    });
    print(&report, common);
    if super::interrupted_flag().load(std::sync::atomic::Ordering::Relaxed) {
        return super::INTERRUPTED;
    }
    report.exit_status()
}

/// The report on stdout (text or JSON), why it stopped on stderr.
fn print(report: &doctor::Report, common: &Common) {
    let mut out = std::io::stdout().lock();
    if common.json {
        let _ = writeln!(out, "{}", doctor::json(report));
    } else {
        for (_, line) in doctor::text_lines(report) {
            let _ = writeln!(out, "{line}");
        }
    }
    let _ = out.flush();
    if let Some(why) = &report.fatal {
        let why = crate::sanitize::display_name(why);
        let _ = writeln!(std::io::stderr().lock(), "ftpdeck: {why}");
    }
}
