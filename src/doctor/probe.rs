//! The probes, in order: reach the server and read its greeting, TLS, login and FEAT, each
//! data-connection mode with a real listing (on a connection of its own, so a failed one
//! cannot spoil the next), MLSD against LIST, the clock. Every socket has the doctor's time
//! limits, so a server that stops answering costs one limit per probe, not a hang.

use std::io::{BufReader, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpStream, ToSocketAddrs};

use suppaftp::{FtpError, Mode, Status};

use super::tlsprobe::{self, TlsFacts};
use super::{Level, Report, Setting};
use crate::entry::EntryKind;
use crate::remote::connect::{self, Connection};
use crate::remote::tls::pretty_fingerprint;
use crate::remote::{DataMode, Profile, RemoteError, Security, Timeouts, ops};
use crate::sanitize::display_name;

/// Probe the server `profile` names (its password included) and say what works. `stop` is
/// asked between probes (the TUI's cancel).
pub fn diagnose(profile: &Profile, timeouts: Timeouts, stop: &dyn Fn() -> bool) -> Report {
    let mut report = Report {
        server: profile.label(),
        ..Report::default()
    };
    if let Err(why) = run(&mut report, profile, timeouts, stop) {
        report.fatal = Some(why);
    }
    report
}

fn secs(timeouts: Timeouts) -> u64 {
    timeouts.read.as_secs().max(1)
}

fn run(
    report: &mut Report,
    profile: &Profile,
    timeouts: Timeouts,
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
            timeouts,
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
        match tlsprobe::handshake(addr, &profile.host, false, None, timeouts) {
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

    // Listings and the clock on the first connection, in the mode that works.
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
fn reach(report: &mut Report, profile: &Profile, timeouts: Timeouts) -> Result<SocketAddr, String> {
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

fn login(profile: &Profile, timeouts: Timeouts) -> Result<Connection, RemoteError> {
    connect::connect(profile, timeouts)
}

fn list_home(conn: &mut Connection, timeouts: Timeouts) -> Result<usize, RemoteError> {
    ops::list_dir(conn, "", false, secs(timeouts)).map(|l| l.entries.len())
}

fn probe_epsv(report: &mut Report, passive: &Profile, timeouts: Timeouts, offered: bool) -> bool {
    let result = login(passive, timeouts).and_then(|mut c| {
        c.ftp.set_mode(Mode::ExtendedPassive);
        let n = list_home(&mut c, timeouts);
        let _ = c.ftp.quit();
        n
    });
    match result {
        Ok(n) => {
            report.push(
                "epsv",
                Level::Ok,
                format!("EPSV works: a listing came ({})", entries(n)),
            );
            true
        }
        Err(e) => {
            let (level, then) = if offered {
                (
                    Level::Warn,
                    "FEAT offers it, so ftpdeck's passive mode uses it and fails",
                )
            } else {
                (
                    Level::Info,
                    "FEAT does not offer it, so ftpdeck's passive mode uses PASV",
                )
            };
            report.push("epsv", level, format!("EPSV fails: {e} — {then}"));
            false
        }
    }
}

/// The address inside a 227 reply: `227 Entering Passive Mode (h1,h2,h3,h4,p1,p2)`.
fn pasv_address(text: &str) -> Option<SocketAddr> {
    let inner = text.split_once('(')?.1.split_once(')')?.0;
    let n: Vec<u8> = inner
        .split(',')
        .map(|p| p.trim().parse().ok())
        .collect::<Option<_>>()?;
    let [a, b, c, d, p1, p2] = n[..] else {
        return None;
    };
    Some(SocketAddr::new(
        IpAddr::V4(Ipv4Addr::new(a, b, c, d)),
        u16::from(p1) << 8 | u16::from(p2),
    ))
}

fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || (v4.octets()[0] == 100 && (v4.octets()[1] & 0xc0) == 64)
        }
        IpAddr::V6(v6) => v6.is_loopback() || v6.is_unspecified(),
    }
}

fn probe_pasv(report: &mut Report, profile: &Profile, timeouts: Timeouts) -> bool {
    let passive = Profile {
        data_mode: DataMode::Passive,
        ..profile.clone()
    };
    let mut conn = match login(&passive, timeouts) {
        Ok(c) => c,
        Err(e) => {
            report.push("pasv", Level::Fail, format!("PASV not tried: {e}"));
            return false;
        }
    };
    let peer = conn.ftp.get_ref().peer_addr().ok();
    let announced = match conn.ftp.custom_command("PASV", &[Status::PassiveMode]) {
        Ok(resp) => pasv_address(&String::from_utf8_lossy(&resp.body)),
        Err(FtpError::UnexpectedResponse(resp)) => {
            let text = String::from_utf8_lossy(&resp.body);
            report.push(
                "pasv",
                Level::Fail,
                format!("PASV is refused: {}", display_name(text.trim())),
            );
            let _ = conn.ftp.quit();
            return false;
        }
        Err(e) => {
            report.push("pasv", Level::Fail, format!("PASV gets no answer: {e}"));
            return false;
        }
    };
    let other = match (announced, peer) {
        (Some(a), Some(p)) if a.ip() != p.ip() => Some((a.ip(), p.ip())),
        _ => None,
    };
    conn.ftp.set_mode(Mode::Passive);
    // With another address announced, first what ftpdeck does by default: the control
    // connection's address.
    conn.ftp
        .set_passive_nat_workaround(other.is_some() || !profile.trust_pasv_address);
    let listed = list_home(&mut conn, timeouts);
    let _ = conn.ftp.quit();
    match (listed, other) {
        (Ok(n), None) => {
            report.push(
                "pasv",
                Level::Ok,
                format!("PASV works: a listing came ({})", entries(n)),
            );
            true
        }
        (Ok(n), Some((announced, control))) => {
            report.push(
                "pasv",
                Level::Ok,
                format!(
                    "PASV works through the control connection's address: a listing came ({})",
                    entries(n)
                ),
            );
            let kind = if is_private(announced) {
                "a private address"
            } else {
                "another address"
            };
            report.push(
                "nat",
                Level::Warn,
                format!(
                    "The 227 reply names {kind}, {announced}, while the control connection goes to \
                     {control}: the server is behind NAT (or misconfigured). Data connections must \
                     go to {control}, not to the address the server names"
                ),
            );
            report.recommend(
                Setting::TrustPasvAddress(false),
                Setting::TrustPasvAddress(profile.trust_pasv_address),
                format!("the server names {announced} in 227, which is not where it answers"),
            );
            true
        }
        (Err(e), Some((announced, control))) => {
            // Perhaps the data really is served from the address named.
            let trusted = Profile {
                trust_pasv_address: true,
                ..passive
            };
            let again = login(&trusted, timeouts).and_then(|mut c| {
                c.ftp.set_mode(Mode::Passive);
                let n = list_home(&mut c, timeouts);
                let _ = c.ftp.quit();
                n
            });
            match again {
                Ok(n) => {
                    report.push(
                        "pasv",
                        Level::Ok,
                        format!("PASV works to the address the 227 reply names, {announced} (not {control}): a listing came ({})", entries(n)),
                    );
                    report.recommend(
                        Setting::TrustPasvAddress(true),
                        Setting::TrustPasvAddress(profile.trust_pasv_address),
                        format!("data connections work only to {announced}, the address in 227"),
                    );
                    true
                }
                Err(_) => {
                    report.push(
                        "pasv",
                        Level::Fail,
                        format!(
                            "PASV fails: {e} (both to {control} and to {announced}, named in 227)"
                        ),
                    );
                    false
                }
            }
        }
        (Err(e), None) => {
            report.push("pasv", Level::Fail, format!("PASV fails: {e}"));
            false
        }
    }
}

fn probe_active(report: &mut Report, profile: &Profile, timeouts: Timeouts) -> bool {
    let active = Profile {
        data_mode: DataMode::Active,
        ..profile.clone()
    };
    let result = login(&active, timeouts).and_then(|mut c| {
        let n = list_home(&mut c, timeouts);
        let _ = c.ftp.quit();
        n
    });
    match result {
        Ok(n) => {
            report.push(
                "port",
                Level::Ok,
                format!(
                    "PORT (active mode) works: the server connected back, a listing came ({})",
                    entries(n)
                ),
            );
            true
        }
        Err(e) => {
            // Active mode is rarely needed: its failure matters only when it is the mode in use.
            let level = if profile.data_mode == DataMode::Active {
                Level::Warn
            } else {
                Level::Info
            };
            report.push(
                "port",
                level,
                format!("PORT (active mode) fails: {e} (a firewall or NAT on this side, or the server refuses it)"),
            );
            false
        }
    }
}

/// Whether a data connection works without resuming the control connection's TLS session
/// (vsftpd's `require_ssl_reuse=YES` refuses it).
fn probe_tls_reuse(report: &mut Report, profile: &Profile, mode: DataMode, timeouts: Timeouts) {
    let fresh = Profile {
        data_mode: mode,
        ..profile.clone()
    };
    let result = connect::connect_without_tls_resumption(&fresh, timeouts).and_then(|mut c| {
        let n = list_home(&mut c, timeouts);
        let _ = c.ftp.quit();
        n
    });
    match result {
        Ok(_) => report.push(
            "tls_reuse",
            Level::Ok,
            "Data connections work without reusing the control connection's TLS session",
        ),
        Err(e) => report.push(
            "tls_reuse",
            Level::Info,
            format!(
                "Data connections must reuse the control connection's TLS session (without it:                  {e}); ftpdeck reuses it, on TLS 1.2 where the server allows, whose sessions                  can be reused any number of times"
            ),
        ),
    }
}

/// How many entries of a listing were understood.
fn understood(entries: &[crate::entry::Entry]) -> usize {
    entries
        .iter()
        .filter(|e| e.kind != EntryKind::Unknown)
        .count()
}

fn listings(report: &mut Report, conn: &mut Connection, timeouts: Timeouts) {
    let secs = secs(timeouts);
    let mut mlsd_entries = None;
    if conn.features.mlsd {
        match ops::list_dir(conn, "", true, secs) {
            Ok(l) => {
                let (n, ok) = (l.entries.len(), understood(&l.entries));
                let level = if ok == n { Level::Ok } else { Level::Warn };
                report.push(
                    "mlsd",
                    level,
                    format!("MLSD works: {}, {ok} understood (exact sizes and UTC times; ftpdeck uses it)", lines(n)),
                );
                mlsd_entries = Some(l.entries);
            }
            Err(e) => report.push(
                "mlsd",
                Level::Warn,
                format!("FEAT offers MLSD, but it fails: {e}"),
            ),
        }
    } else {
        report.push(
            "mlsd",
            Level::Info,
            "MLSD is not offered: ftpdeck reads LIST (times in the server's format, often to the minute)",
        );
    }
    let list_entries = match ops::list_dir(conn, "", false, secs) {
        Ok(l) => {
            let (n, ok) = (l.entries.len(), understood(&l.entries));
            let level = if ok == n { Level::Ok } else { Level::Warn };
            report.push(
                "list",
                level,
                format!("LIST works: {}, {ok} understood", lines(n)),
            );
            l.entries
        }
        Err(e) => {
            report.push("list", Level::Warn, format!("LIST fails: {e}"));
            Vec::new()
        }
    };
    clock(
        report,
        conn,
        &conn.home.clone(),
        &list_entries,
        mlsd_entries.as_deref(),
        secs,
    );
}

/// The server's clock against ours, from the MDTM of a file it listed: MDTM is UTC by the
/// RFC; LIST shows the server's local time.
fn clock(
    report: &mut Report,
    conn: &mut Connection,
    dir: &str,
    list: &[crate::entry::Entry],
    mlsd: Option<&[crate::entry::Entry]>,
    secs: u64,
) {
    let Some(file) = list
        .iter()
        .chain(mlsd.unwrap_or_default())
        .find(|e| e.kind == EntryKind::File)
    else {
        report.push(
            "clock",
            Level::Info,
            "The login directory holds no file: the server's clock was not compared",
        );
        return;
    };
    let path = crate::remote::path::join(dir, &file.name);
    let name = display_name(&file.name);
    let mdtm = match ops::mtime(conn, &path, secs) {
        Ok(Some(t)) => t,
        Ok(None) | Err(_) => {
            report.push(
                "clock",
                Level::Info,
                format!("MDTM {name} gives no time: the server's clock was not compared"),
            );
            return;
        }
    };
    let now = chrono::Utc::now().timestamp();
    let mut notes = Vec::new();
    let mut level = Level::Ok;
    if mdtm > now + 300 {
        level = Level::Warn;
        notes.push(format!(
            "it is {} in our future: the server's clock is ahead of ours (or set to the wrong time zone)",
            span(mdtm - now)
        ));
    }
    let list_time = list
        .iter()
        .find(|e| e.name == file.name)
        .and_then(|e| e.mtime);
    if let Some(t) = list_time {
        let off = t - mdtm;
        if t % 86_400 == 0 && off.abs() < 86_400 {
            notes.push("LIST shows only the date".into());
        } else if off.abs() >= 3600 - 120 {
            if level == Level::Ok {
                level = Level::Info;
            }
            notes.push(format!(
                "LIST shows it {} {} (the server lists its local time, not UTC)",
                span(off.abs()),
                if off > 0 { "later" } else { "earlier" }
            ));
        } else {
            notes.push("LIST agrees".into());
        }
    }
    if let Some(t) = mlsd
        .and_then(|m| m.iter().find(|e| e.name == file.name))
        .and_then(|e| e.mtime)
    {
        if (t - mdtm).abs() > 1 {
            level = level.max(Level::Warn);
            notes.push(format!("MLSD says {} otherwise", span((t - mdtm).abs())));
        } else {
            notes.push("MLSD agrees".into());
        }
    }
    let when = chrono::DateTime::from_timestamp(mdtm, 0)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_default();
    report.push(
        "clock",
        level,
        format!("MDTM {name}: {when}; {}", notes.join("; ")),
    );
}

fn entries(n: usize) -> String {
    if n == 1 {
        "1 entry".into()
    } else {
        format!("{n} entries")
    }
}

fn lines(n: usize) -> String {
    if n == 1 {
        "1 line".into()
    } else {
        format!("{n} lines")
    }
}

/// `3 h 5 min`, `12 min`, `40 s`.
fn span(secs: i64) -> String {
    let (h, m, s) = (secs / 3600, secs % 3600 / 60, secs % 60);
    match (h, m) {
        (0, 0) => format!("{s} s"),
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pasv_replies_give_their_address() {
        assert_eq!(
            pasv_address("Entering Passive Mode (10,0,0,5,195,80)."),
            Some("10.0.0.5:50000".parse().unwrap())
        );
        assert_eq!(pasv_address("Entering Passive Mode (1,2,3)"), None);
        assert_eq!(pasv_address("no parentheses"), None);
        assert!(is_private("10.1.2.3".parse().unwrap()));
        assert!(is_private("100.64.0.1".parse().unwrap()));
        assert!(!is_private("192.0.2.1".parse().unwrap()));
        assert_eq!(span(3 * 3600 + 300), "3 h 5 min");
        assert_eq!(span(40), "40 s");
    }
}
