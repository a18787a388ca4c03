//! The probes, in order: reach the server and read its greeting, TLS, login and FEAT, each
//! data-connection mode with a real listing (`data.rs`: each on a connection of its own, so a
//! failed one cannot spoil the next), MLSD against LIST and the clock (`listings.rs`). Every
//! socket has the doctor's time limits, so a server that stops answering costs one limit per
//! probe, not a hang.

use std::io::{BufReader, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};

use super::data::{probe_active, probe_epsv, probe_pasv, probe_tls_reuse};
use super::listings::listings;
use super::tlsprobe::{self, TlsFacts};
use super::{Level, Report, Setting};
use crate::remote::connect::{self, Connection};
use crate::remote::tls::pretty_fingerprint;
use crate::remote::{DataMode, Profile, RemoteError, Security, Timeouts, ops};
use crate::sanitize::display_name;

/// Probe the server `profile` names (its password included) and say what works. `stop` is
/// asked between probes (the TUI's cancel).
pub fn diagnose(profile: &Profile, timeouts: Timeouts, stop: &dyn Fn() -> bool) -> Report {
    diagnose_watched(profile, timeouts, stop, &|_| {})
}

/// [`diagnose`], handing each control connection to `watch` as it is made (the pool's cancel
/// shuts it down, so a probe waiting on a silent server ends at once).
pub fn diagnose_watched(
    profile: &Profile,
    timeouts: Timeouts,
    stop: &dyn Fn() -> bool,
    watch: &dyn Fn(Option<TcpStream>),
) -> Report {
    let mut report = Report {
        server: profile.label(),
        ..Report::default()
    };
    let limits = Limits {
        connect: timeouts.connect,
        read: timeouts.read,
        watch,
    };
    if let Err(why) = run(&mut report, profile, limits, stop) {
        report.fatal = Some(why);
    }
    report.recommendations.sort_by_key(|r| match r.setting {
        Setting::DataMode(_) => 0,
        Setting::TrustPasvAddress(_) => 1,
        Setting::Security(_) => 2,
    });
    report
}

/// The time limits of every step, and where each control connection is shown as it is made.
#[derive(Clone, Copy)]
pub(super) struct Limits<'a> {
    pub connect: std::time::Duration,
    pub read: std::time::Duration,
    watch: &'a dyn Fn(Option<TcpStream>),
}

impl Limits<'_> {
    pub fn plain(self) -> Timeouts {
        Timeouts {
            connect: self.connect,
            read: self.read,
        }
    }

    /// Show `conn`'s control socket to the watcher (the pool's cancel).
    pub fn watch(self, conn: &Connection) {
        (self.watch)(conn.ftp.get_ref().try_clone().ok());
    }
}

pub(super) fn secs(timeouts: Limits<'_>) -> u64 {
    timeouts.read.as_secs().max(1)
}

fn run(
    report: &mut Report,
    profile: &Profile,
    timeouts: Limits<'_>,
    stop: &dyn Fn() -> bool,
) -> Result<(), String> {
    let stopped = || -> Result<(), String> {
        if stop() {
            Err("stopped".into())
        } else {
            Ok(())
        }
    };
    let addr = reach(report, profile, timeouts)?;
    stopped()?;
    if profile.security != Security::Plain {
        let implicit = profile.security == Security::ImplicitTls;
        match tlsprobe::handshake(
            addr,
            &profile.host,
            implicit,
            profile.pinned_cert.as_deref(),
            timeouts.plain(),
        ) {
            Ok(facts) => {
                report_tls(report, &facts, implicit);
                if let Some(why) = &facts.untrusted {
                    return Err(format!(
                        "untrusted certificate ({why}); SHA-256 fingerprint {} — to trust it, run \
                         again with --trust-fingerprint {} (or answer `a` to the TUI's certificate \
                         question)",
                        pretty_fingerprint(&facts.fingerprint),
                        facts.fingerprint
                    ));
                }
            }
            Err(why) => {
                report.push("tls", Level::Fail, format!("TLS does not start: {why}"));
                return Err(format!("TLS does not start: {why}"));
            }
        }
        stopped()?;
    }

    // The login, as ftpdeck makes it (passive mode, EPSV when offered).
    let passive = Profile {
        data_mode: DataMode::Passive,
        ..profile.clone()
    };
    let mut conn = login(&passive, timeouts).map_err(|e| {
        report.push("login", Level::Fail, e.to_string());
        match e {
            RemoteError::Login { .. } => format!("login refused: {e}"),
            other => format!("cannot log in: {other}"),
        }
    })?;
    report.push(
        "login",
        Level::Ok,
        format!(
            "Logged in as {}; the login directory is {}",
            display_name(&profile.user),
            display_name(&conn.home)
        ),
    );
    let feat = crate::remote::hash::feature_names(&mut conn);
    report_feat(report, &feat, &conn);
    stopped()?;

    if profile.security == Security::Plain && offers_tls(&feat) {
        match tlsprobe::handshake(addr, &profile.host, false, None, timeouts.plain()) {
            Ok(facts) => {
                report.push(
                    "tls",
                    Level::Warn,
                    format!(
                        "The server offers TLS ({}, certificate {}), but this connection is \
                         plain: the password and the files cross the network readable",
                        facts.version,
                        match &facts.untrusted {
                            None => "trusted".to_string(),
                            Some(why) => format!(
                                "not trusted: {why}; SHA-256 {}",
                                pretty_fingerprint(&facts.fingerprint)
                            ),
                        }
                    ),
                );
                report.recommend(
                    Setting::Security(Security::ExplicitTls),
                    Setting::Security(profile.security),
                    "the server speaks TLS (AUTH TLS)",
                );
            }
            Err(why) => report.push(
                "tls",
                Level::Info,
                format!("FEAT offers AUTH TLS, but TLS does not start: {why}"),
            ),
        }
        stopped()?;
    } else if profile.security == Security::Plain {
        report.push(
            "tls",
            Level::Info,
            "No TLS: FEAT does not offer AUTH TLS (password and files cross the network readable)",
        );
    }
    report.recommend(
        Setting::Security(profile.security),
        Setting::Security(profile.security),
        "it works",
    );

    let offered_epsv = conn.features.epsv;
    let epsv = probe_epsv(report, &passive, timeouts, offered_epsv);
    stopped()?;
    let pasv = probe_pasv(report, profile, timeouts);
    stopped()?;
    let active = probe_active(report, profile, timeouts);
    stopped()?;

    // What ftpdeck's passive mode does: EPSV when FEAT offers it, else PASV.
    let passive_works = if offered_epsv { epsv } else { pasv };
    let mode_now = Setting::DataMode(profile.data_mode);
    if passive_works {
        report.recommend(
            Setting::DataMode(DataMode::Passive),
            mode_now,
            if offered_epsv {
                "EPSV works"
            } else {
                "PASV works"
            },
        );
    } else if active {
        report.recommend(
            Setting::DataMode(DataMode::Active),
            mode_now,
            "passive data connections fail, active ones work",
        );
    } else if pasv {
        report.push(
            "data",
            Level::Fail,
            "FEAT offers EPSV, so ftpdeck's passive mode uses it, and EPSV fails; PASV works, but \
             ftpdeck has no setting to prefer it over EPSV, and active mode fails too: listings \
             and transfers will fail (the server's firewall lets PASV's ports through, not EPSV's?)",
        );
    } else {
        report.push(
            "data",
            Level::Fail,
            "No data connection works: listings and transfers will fail (a firewall between \
             here and the server?)",
        );
    }
    if !passive_works && active {
        report.push(
            "data",
            Level::Warn,
            "Passive mode fails where active works: use active mode",
        );
    }
    if report
        .recommendations
        .iter()
        .all(|r| r.setting.key() != "trust_pasv_address")
    {
        report.recommend(
            Setting::TrustPasvAddress(profile.trust_pasv_address),
            Setting::TrustPasvAddress(profile.trust_pasv_address),
            "it works",
        );
    }

    if profile.security != Security::Plain && (passive_works || active) {
        let mode = if passive_works {
            DataMode::Passive
        } else {
            DataMode::Active
        };
        probe_tls_reuse(report, profile, mode, timeouts);
        stopped()?;
    }

    // Listings and the clock on the first connection, in the mode that works, with the
    // passive address the doctor recommends (a bookmark trusting a NAT's 227 would fail here).
    let trust = report
        .recommendations
        .iter()
        .find_map(|r| match r.setting {
            Setting::TrustPasvAddress(t) => Some(t),
            _ => None,
        })
        .unwrap_or(profile.trust_pasv_address);
    conn.ftp.set_passive_nat_workaround(!trust);
    if passive_works || active {
        if !passive_works {
            conn = login(profile, timeouts).map_err(|e| format!("cannot log in again: {e}"))?;
            if profile.data_mode == DataMode::Passive {
                conn.ftp = conn.ftp.active_mode(timeouts.connect);
            }
        }
        listings(report, &mut conn, timeouts);
    }
    let _ = conn.ftp.quit();
    Ok(())
}

/// Resolve and connect; read the greeting (not for implicit TLS, whose greeting comes inside
/// TLS). Returns the address that answered.
fn reach(
    report: &mut Report,
    profile: &Profile,
    timeouts: Limits<'_>,
) -> Result<SocketAddr, String> {
    let addrs: Vec<SocketAddr> = (profile.host.as_str(), profile.port)
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve host {}: {e}", display_name(&profile.host)))?
        .collect();
    let mut last = String::from("no address");
    for addr in addrs {
        match TcpStream::connect_timeout(&addr, timeouts.connect) {
            Ok(stream) => {
                if profile.security == Security::ImplicitTls {
                    report.push("connect", Level::Ok, format!("{addr} accepts connections"));
                    return Ok(addr);
                }
                stream.set_read_timeout(Some(timeouts.read)).ok();
                let mut reader = BufReader::new(stream);
                return match tlsprobe::read_reply(&mut reader) {
                    Ok((220, text)) => {
                        report.push(
                            "greeting",
                            Level::Ok,
                            format!("{addr} greets: 220 {}", display_name(text.trim())),
                        );
                        let _ = reader.get_mut().write_all(b"QUIT\r\n");
                        Ok(addr)
                    }
                    Ok((code, text)) => {
                        let why = format!(
                            "the server turned us away: {code} {}",
                            display_name(text.trim())
                        );
                        report.push("greeting", Level::Fail, why.clone());
                        Err(why)
                    }
                    Err(e) => {
                        let why = format!("{addr} accepts connections but sends no greeting ({e})");
                        report.push("greeting", Level::Fail, why.clone());
                        Err(why)
                    }
                };
            }
            Err(e) => {
                last = match e.kind() {
                    std::io::ErrorKind::ConnectionRefused => {
                        format!("connection to {addr} refused — is an FTP server running there?")
                    }
                    std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => format!(
                        "no answer from {addr} within {} s (a firewall, or the wrong host?)",
                        timeouts.connect.as_secs()
                    ),
                    _ => format!("cannot connect to {addr}: {e}"),
                };
            }
        }
    }
    report.push("connect", Level::Fail, last.clone());
    Err(last)
}

fn report_tls(report: &mut Report, facts: &TlsFacts, implicit: bool) {
    report.push(
        "tls",
        Level::Ok,
        format!(
            "{} works: {} (ftpdeck asks for TLS 1.2 first, so that data connections can reuse \
             the session; servers with only TLS 1.3 get TLS 1.3)",
            if implicit {
                "Implicit TLS"
            } else {
                "Explicit TLS (AUTH TLS)"
            },
            facts.version
        ),
    );
    let fp = pretty_fingerprint(&facts.fingerprint);
    match (&facts.untrusted, facts.pinned) {
        (None, true) => report.push(
            "certificate",
            Level::Ok,
            format!("The certificate is the one trusted (pinned): SHA-256 {fp}"),
        ),
        (None, false) => report.push(
            "certificate",
            Level::Ok,
            format!(
                "The certificate is trusted by this system ({} in the chain): SHA-256 {fp}",
                facts.chain
            ),
        ),
        (Some(why), _) => report.push(
            "certificate",
            Level::Fail,
            format!("The certificate is not trusted: {why}; SHA-256 {fp}"),
        ),
    }
}

fn offers_tls(feat: &[String]) -> bool {
    // `feature_names` keeps the first word: `AUTH` (from `AUTH TLS`) is enough to try.
    feat.iter().any(|f| f.eq_ignore_ascii_case("AUTH"))
}

fn report_feat(report: &mut Report, feat: &[String], conn: &Connection) {
    if feat.is_empty() {
        report.push(
            "feat",
            Level::Info,
            "FEAT lists nothing: the server offers no extensions (no MLSD, EPSV, UTF8)",
        );
    } else {
        let names: Vec<String> = feat.iter().map(|f| display_name(f)).collect();
        report.push("feat", Level::Ok, format!("FEAT: {}", names.join(", ")));
    }
    if conn.features.utf8 {
        report.push(
            "utf8",
            Level::Ok,
            "UTF8 is in FEAT: names are exchanged as UTF-8 (OPTS UTF8 ON is sent)",
        );
    } else {
        report.push(
            "utf8",
            Level::Info,
            "UTF8 is not in FEAT: names that are not ASCII may be in another encoding (ftpdeck \
             keeps their bytes)",
        );
    }
}

pub(super) fn login(profile: &Profile, timeouts: Limits<'_>) -> Result<Connection, RemoteError> {
    let conn = connect::connect(profile, timeouts.plain())?;
    timeouts.watch(&conn);
    Ok(conn)
}

pub(super) fn list_home(conn: &mut Connection, timeouts: Limits<'_>) -> Result<usize, RemoteError> {
    ops::list_dir(conn, "", false, secs(timeouts)).map(|l| l.entries.len())
}

/// `1 entry`, `3 entries`.
pub(super) fn entries(n: usize) -> String {
    if n == 1 {
        "1 entry".into()
    } else {
        format!("{n} entries")
    }
}
