//! The connection doctor: probe a server and say, in plain words, what works — greeting and
//! FEAT, TLS (version, certificate), login, each data-connection mode with a real listing, a
//! 227 reply naming another address (NAT), MLSD against LIST, UTF-8, the server's clock — and
//! which settings to use. Plain blocking functions (`diagnose`), run by `ftpdeck doctor` and,
//! as a task on the pool, by the TUI's `D`.

mod data;
mod listings;
mod probe;
mod render;
mod tlsprobe;

pub use probe::{diagnose, diagnose_watched};
pub use render::{json, text_lines, wrapped_lines};

use crate::remote::{DataMode, Security};

/// How one check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Works.
    Ok,
    /// Worth knowing, nothing to do.
    Info,
    /// Works with a caveat, or another setting would be better.
    Warn,
    /// Does not work.
    Fail,
}

impl Level {
    /// The word in the report and the JSON.
    pub fn word(self) -> &'static str {
        match self {
            Level::Ok => "ok",
            Level::Info => "info",
            Level::Warn => "warn",
            Level::Fail => "fail",
        }
    }
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// Stable name for scripts (`epsv`, `pasv`, `nat`, `mlsd` …).
    pub id: &'static str,
    pub level: Level,
    /// What was found, in words (remote text already sanitised).
    pub text: String,
}

/// A setting of a bookmark the doctor can recommend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setting {
    DataMode(DataMode),
    TrustPasvAddress(bool),
    Security(Security),
}

impl Setting {
    /// As `bookmarks.toml` writes it: `data_mode = "active"`.
    pub fn toml(self) -> String {
        match self {
            Setting::DataMode(DataMode::Passive) => "data_mode = \"passive\"".into(),
            Setting::DataMode(DataMode::Active) => "data_mode = \"active\"".into(),
            Setting::TrustPasvAddress(b) => format!("trust_pasv_address = {b}"),
            Setting::Security(s) => format!(
                "security = \"{}\"",
                match s {
                    Security::Plain => "none",
                    Security::ExplicitTls => "explicit",
                    Security::ImplicitTls => "implicit",
                }
            ),
        }
    }

    /// The key alone (`data_mode`), for JSON.
    pub fn key(self) -> &'static str {
        match self {
            Setting::DataMode(_) => "data_mode",
            Setting::TrustPasvAddress(_) => "trust_pasv_address",
            Setting::Security(_) => "security",
        }
    }
}

/// A setting to use, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recommendation {
    pub setting: Setting,
    /// The profile probed has another value (so saving it changes something).
    pub changes: bool,
    pub why: String,
}

/// What the doctor found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Report {
    /// `user@host:port`, as pane titles show it.
    pub server: String,
    pub checks: Vec<Check>,
    pub recommendations: Vec<Recommendation>,
    /// Why the probe could not go on (no connection, refused login): status 2.
    pub fatal: Option<String>,
}

/// Exit statuses of `ftpdeck doctor`.
pub const ALL_GOOD: u8 = 0;
pub const WARNINGS: u8 = 1;
pub const CANNOT_CONNECT: u8 = 2;

impl Report {
    /// 0 all good, 1 works with warnings or changed settings, 2 cannot connect or log in.
    pub fn exit_status(&self) -> u8 {
        if self.fatal.is_some() {
            CANNOT_CONNECT
        } else if self.checks.iter().any(|c| c.level >= Level::Warn)
            || self.recommendations.iter().any(|r| r.changes)
        {
            WARNINGS
        } else {
            ALL_GOOD
        }
    }

    /// The check named `id`.
    pub fn check(&self, id: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.id == id)
    }

    /// The recommendations that change something.
    pub fn changes(&self) -> impl Iterator<Item = &Recommendation> {
        self.recommendations.iter().filter(|r| r.changes)
    }

    /// Write the recommended settings into `bookmark`; how many changed it.
    pub fn apply_to(&self, bookmark: &mut crate::bookmarks::Bookmark) -> usize {
        let mut changed = 0;
        for r in &self.recommendations {
            let before = bookmark.clone();
            match r.setting {
                Setting::DataMode(m) => bookmark.data_mode = m,
                Setting::TrustPasvAddress(t) => bookmark.trust_pasv_address = t,
                Setting::Security(s) => {
                    if bookmark.security != s {
                        // The usual port of the other kind of TLS goes with it.
                        match (s, bookmark.port) {
                            (Security::ImplicitTls, 21) => bookmark.port = 990,
                            (Security::Plain | Security::ExplicitTls, 990) => bookmark.port = 21,
                            _ => {}
                        }
                    }
                    bookmark.security = s;
                }
            }
            if *bookmark != before {
                changed += 1;
            }
        }
        changed
    }

    fn push(&mut self, id: &'static str, level: Level, text: impl Into<String>) {
        self.checks.push(Check {
            id,
            level,
            text: text.into(),
        });
    }

    fn recommend(&mut self, setting: Setting, current: Setting, why: impl Into<String>) {
        if self
            .recommendations
            .iter()
            .any(|r| r.setting.key() == setting.key())
        {
            return;
        }
        self.recommendations.push(Recommendation {
            setting,
            changes: setting != current,
            why: why.into(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_exit_status_follows_the_worst_finding() {
        let mut r = Report::default();
        r.push("greeting", Level::Ok, "hello");
        r.recommend(
            Setting::DataMode(DataMode::Passive),
            Setting::DataMode(DataMode::Passive),
            "works",
        );
        assert_eq!(r.exit_status(), ALL_GOOD);
        r.push("utf8", Level::Info, "no UTF8");
        assert_eq!(r.exit_status(), ALL_GOOD);
        r.recommend(
            Setting::TrustPasvAddress(false),
            Setting::TrustPasvAddress(true),
            "NAT",
        );
        assert_eq!(r.exit_status(), WARNINGS);
        r.fatal = Some("refused".into());
        assert_eq!(r.exit_status(), CANNOT_CONNECT);
    }

    #[test]
    fn applying_a_report_changes_only_what_it_recommends() {
        let profile = crate::remote::Profile {
            host: "h".into(),
            trust_pasv_address: true,
            ..Default::default()
        };
        let mut b = crate::bookmarks::Bookmark::from_profile("b", &profile);
        let mut r = Report::default();
        r.recommend(
            Setting::DataMode(DataMode::Active),
            Setting::DataMode(DataMode::Passive),
            "PASV fails",
        );
        r.recommend(
            Setting::TrustPasvAddress(false),
            Setting::TrustPasvAddress(true),
            "NAT",
        );
        assert_eq!(r.apply_to(&mut b), 2);
        assert_eq!(
            (b.data_mode, b.trust_pasv_address, b.host.as_str()),
            (DataMode::Active, false, "h")
        );
        assert_eq!(r.apply_to(&mut b), 0);
        assert_eq!(
            Setting::Security(Security::ExplicitTls).toml(),
            "security = \"explicit\""
        );
    }
}
