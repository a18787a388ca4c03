//! The data-connection probes: EPSV, PASV (and what its 227 reply names), PORT, and TLS
//! session reuse, each on a fresh login with a real listing.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use suppaftp::{FtpError, Mode, Status};

use super::probe::{Limits, entries, list_home, login};
use super::{Level, Report, Setting};
use crate::remote::connect;
use crate::remote::{DataMode, Profile};
use crate::sanitize::display_name;

pub(super) fn probe_epsv(
    report: &mut Report,
    passive: &Profile,
    timeouts: Limits<'_>,
    offered: bool,
) -> bool {
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

pub(super) fn probe_pasv(report: &mut Report, profile: &Profile, timeouts: Limits<'_>) -> bool {
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

pub(super) fn probe_active(report: &mut Report, profile: &Profile, timeouts: Limits<'_>) -> bool {
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
pub(super) fn probe_tls_reuse(
    report: &mut Report,
    profile: &Profile,
    mode: DataMode,
    timeouts: Limits<'_>,
) {
    let fresh = Profile {
        data_mode: mode,
        ..profile.clone()
    };
    let result =
        connect::connect_without_tls_resumption(&fresh, timeouts.plain()).and_then(|mut c| {
            timeouts.watch(&c);
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
                "Data connections must reuse the control connection's TLS session (without it: {e}); ftpdeck reuses it, on TLS 1.2 where the server allows, whose sessions can be reused any number of times"
            ),
        ),
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
    }
}
