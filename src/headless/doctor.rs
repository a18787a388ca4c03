//! `ftpdeck doctor URL|BOOKMARK`: probe a server and print what works and the settings to use
//! (`--json`: the report as JSON on stdout). Exit status 0 all good, 1 works with warnings or
//! other settings recommended, 2 cannot connect or log in, or a usage error.

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
    let prepared = super::run(common, || {
        let remote = parse_remote(&as_remote(&args.target))?;
        let profile = creds::complete(remote, common)?;
        Ok::<_, Fatal>(profile)
    });
    let mut profile = match prepared {
        Ok(p) => p,
        Err(code) => return code,
    };
    if common.active {
        profile.data_mode = crate::remote::DataMode::Active;
    }
    let report = doctor::diagnose(&profile, args.timeouts, &|| {
        super::interrupted_flag().load(std::sync::atomic::Ordering::Relaxed)
    });
    let mut out = std::io::stdout().lock();
    if common.json {
        let _ = writeln!(out, "{}", doctor::json(&report));
    } else {
        for (_, line) in doctor::text_lines(&report) {
            let _ = writeln!(out, "{line}");
        }
    }
    let _ = out.flush();
    if let Some(why) = &report.fatal {
        let why = crate::sanitize::display_name(why);
        let _ = writeln!(std::io::stderr().lock(), "ftpdeck: {why}");
    }
    report.exit_status()
}
