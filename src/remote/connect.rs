//! `Profile` -> a logged-in FTP control connection (timeouts, binary mode, FEAT, UTF-8).

use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::Duration;

use suppaftp::types::FileType;
use suppaftp::{FtpError, Mode, RustlsConnector, RustlsFtpStream, Status};

use super::{RemoteError, tls};

/// A password that never shows up in `Debug` output or logs.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }
    /// The password itself; call only where it is sent to the server.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Whether and how the connection is encrypted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Security {
    #[default]
    Plain,
    /// `AUTH TLS` on the normal port (FTPES).
    ExplicitTls,
    /// TLS from the first byte (usually port 990).
    ImplicitTls,
}

/// Who opens the data connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DataMode {
    /// We connect to the server (EPSV when offered, else PASV).
    #[default]
    Passive,
    /// The server connects to us (PORT, or EPRT on IPv6).
    Active,
}

/// Where and how to connect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub host: String,
    pub port: u16,
    pub user: String,
    /// `None` until the user has typed it (the UI asks for it).
    pub password: Option<Secret>,
    /// Start directory; empty means the server's login directory.
    pub path: String,
    pub security: Security,
    pub data_mode: DataMode,
    /// Use the address inside a 227 reply instead of the control connection's peer (off by
    /// default: servers behind NAT announce internal addresses).
    pub trust_pasv_address: bool,
    /// SHA-256 fingerprint (hex) of a certificate the user chose to trust for this server.
    pub pinned_cert: Option<String>,
    /// This server's own speed limits (a bookmark's), over the settings' ones.
    pub limits: crate::transfer::limit::Limits,
    /// The charset of the server's file names (`auto`: UTF-8, other bytes kept raw).
    pub charset: super::encoding::Charset,
}

impl Default for Profile {
    fn default() -> Self {
        Profile {
            host: String::new(),
            port: 21,
            user: "anonymous".into(),
            password: None,
            path: String::new(),
            security: Security::Plain,
            data_mode: DataMode::Passive,
            trust_pasv_address: false,
            pinned_cert: None,
            limits: Default::default(),
            charset: Default::default(),
        }
    }
}

impl Profile {
    /// The anonymous login that `ftp://HOST` means.
    pub fn anonymous(host: impl Into<String>, port: u16) -> Self {
        Profile {
            host: host.into(),
            port,
            user: "anonymous".into(),
            password: Some(Secret::new("ftpdeck@")),
            ..Profile::default()
        }
    }

    /// `user@host` or `user@host:port` when the port is not 21, as pane titles show it.
    pub fn label(&self) -> String {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        if self.port == 21 {
            format!("{}@{}", self.user, host)
        } else {
            format!("{}@{}:{}", self.user, host, self.port)
        }
    }
}

/// Network timeouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    pub connect: Duration,
    pub read: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        crate::config::NetworkSettings::default().timeouts()
    }
}

/// What the server said it can do (from FEAT).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Features {
    pub mlsd: bool,
    pub utf8: bool,
    pub rest_stream: bool,
    pub epsv: bool,
    pub mfmt: bool,
    /// MLSD/MLST report the `unique` fact (after `OPTS MLST` turned it on where needed).
    pub unique: bool,
    /// The checksum commands offered (HASH, XSHA256, XMD5, XCRC, SITE MD5 …).
    pub hash: super::hash::Offer,
}

/// A logged-in control connection.
pub struct Connection {
    pub ftp: RustlsFtpStream,
    pub features: Features,
    /// The login directory (PWD right after login).
    pub home: String,
    pub welcome: String,
    /// How much of one listing is read at most.
    pub listing_limits: super::ops::ListingLimits,
    /// Whether `MDTM time path` sets a file's time here (vsftpd's way, without MFMT): unknown
    /// until tried.
    pub mdtm_sets: Option<bool>,
    /// The checksum command that verifies finished transfers here: chosen once, when the
    /// first file is checked.
    pub verify_method: Option<Result<super::hash::Method, super::hash::HashError>>,
    /// How names are turned into bytes and back on this connection (the profile's charset).
    pub codec: super::encoding::NameCodec,
    /// An upload whose PASV/EPSV and STOR were sent ahead, behind the last file's commands:
    /// its remote path. Until the upload takes them up, their replies are next in line.
    pub stor_ahead: Option<String>,
    /// A download whose PASV/EPSV and RETR were sent ahead, once every reply of the last file
    /// was in: its remote path. Until the download takes them up, their replies are next.
    pub retr_ahead: Option<String>,
    /// The server answered pipelined commands out of order here: the next upload's commands
    /// wait until every reply of the last one is in.
    pub reorders: bool,
}

/// Resolve, connect (with TLS when asked), log in, switch to binary mode, learn the server's
/// features and set up the data-connection mode.
pub fn connect(profile: &Profile, timeouts: Timeouts) -> Result<Connection, RemoteError> {
    let mut attempts = 0;
    loop {
        attempts += 1;
        match connect_once(profile, timeouts, false) {
            // A server that speaks only TLS 1.3: allow it (see `tls::setup` for why 1.2 comes first).
            Err(RemoteError::Tls(msg)) if is_version_mismatch(&msg) => {
                return connect_once(profile, timeouts, true);
            }
            // Garbage in the middle of the TLS handshake: some servers (the embedded libunftp
            // under load, seen in our tests) mishandle the switch to TLS now and then. A fresh
            // connection goes through.
            Err(e) if attempts < 5 && is_handshake_garbage(&e) => {
                tracing::warn!("TLS handshake failed ({e}); connecting again");
            }
            other => return other,
        }
    }
}

/// [`connect`] with TLS session resumption turned off, so each data connection makes a fresh
/// TLS session: the connection doctor asks this way whether the server requires reuse.
pub fn connect_without_tls_resumption(
    profile: &Profile,
    timeouts: Timeouts,
) -> Result<Connection, RemoteError> {
    connect_once_with(profile, timeouts, false, false)
}

fn is_handshake_garbage(e: &RemoteError) -> bool {
    let text = e.to_string();
    text.contains("starting TLS")
        && (text.contains("corrupt message") || text.contains("InvalidContentType"))
}

fn is_version_mismatch(msg: &str) -> bool {
    msg.contains("ProtocolVersion") || msg.contains("incompatible") || msg.contains("version")
}

fn configure_socket(stream: &TcpStream, timeouts: Timeouts) {
    // Commands and replies are small: without this, delayed ACKs add ~40 ms to every exchange.
    stream.set_nodelay(true).ok();
    stream.set_read_timeout(Some(timeouts.read)).ok();
    stream.set_write_timeout(Some(timeouts.read)).ok();
}

fn connect_once(
    profile: &Profile,
    timeouts: Timeouts,
    allow_tls13: bool,
) -> Result<Connection, RemoteError> {
    connect_once_with(profile, timeouts, allow_tls13, true)
}

fn connect_once_with(
    profile: &Profile,
    timeouts: Timeouts,
    allow_tls13: bool,
    resume_tls: bool,
) -> Result<Connection, RemoteError> {
    let read_secs = timeouts.read.as_secs();
    let addrs: Vec<SocketAddr> = (profile.host.as_str(), profile.port)
        .to_socket_addrs()
        .map_err(|e| RemoteError::Dns {
            host: profile.host.clone(),
            detail: e.to_string(),
        })?
        .collect();
    if addrs.is_empty() {
        return Err(RemoteError::Dns {
            host: profile.host.clone(),
            detail: "no address".into(),
        });
    }
    let tls = (profile.security != Security::Plain).then(|| {
        let mut t = tls::setup(profile.pinned_cert.as_deref(), allow_tls13);
        if !resume_tls {
            let mut config = (*t.config).clone();
            config.resumption = rustls::client::Resumption::disabled();
            t.config = std::sync::Arc::new(config);
        }
        t
    });
    let tls_error = |e: FtpError, during: &str| -> RemoteError {
        if let Some(problem) = tls
            .as_ref()
            .and_then(|t| t.problem.lock().unwrap_or_else(|e| e.into_inner()).take())
        {
            return RemoteError::UntrustedCert {
                fingerprint: problem.fingerprint,
                reason: problem.reason,
            };
        }
        match e {
            FtpError::SecureError(msg) => RemoteError::Tls(msg),
            FtpError::UnexpectedResponse(resp) => RemoteError::Tls(format!(
                "the server refused TLS: {}",
                crate::sanitize::display_name(String::from_utf8_lossy(&resp.body).trim())
            )),
            other => RemoteError::from_ftp(other, during, read_secs),
        }
    };
    let stream = connect_any(&addrs, timeouts.connect)?;
    let mut ftp = if profile.security == Security::ImplicitTls {
        // suppaftp opens the implicit-TLS socket itself; the probe above bounds the wait for an
        // unreachable host by our connect timeout.
        let addr = stream
            .peer_addr()
            .map_err(|e| RemoteError::Other(e.to_string()))?;
        drop(stream);
        let config = tls_config(&tls)?;
        let ftp = RustlsFtpStream::connect_secure_implicit(
            addr,
            RustlsConnector::from(config),
            &profile.host,
        )
        .map_err(|e| tls_error(e, "starting TLS"))?;
        {
            let socket = ftp.get_ref(); // holds the control lock: keep it short
            configure_socket(&socket, timeouts);
        }
        ftp
    } else {
        configure_socket(&stream, timeouts);
        RustlsFtpStream::connect_with_stream(stream).map_err(|e| {
            match RemoteError::from_ftp(e, "waiting for the greeting", read_secs) {
                // 421 at the door: too many users, or the server is going down.
                RemoteError::ConnectionLost { detail } if detail.starts_with("421") => {
                    RemoteError::Busy { reply: detail }
                }
                other => other,
            }
        })?
    };
    let codec = profile.charset.codec();
    ftp.set_encoding(codec);
    let welcome = ftp
        .get_welcome_msg()
        .map(crate::sanitize::display_name)
        .unwrap_or_default();
    if profile.security == Security::ExplicitTls {
        let config = tls_config(&tls)?;
        ftp = ftp
            .into_secure(RustlsConnector::from(config), &profile.host)
            .map_err(|e| tls_error(e, "starting TLS"))?;
    }
    let data_timeouts = timeouts;
    ftp = ftp.passive_stream_builder(move |addr| {
        let s = TcpStream::connect_timeout(&addr, data_timeouts.connect)
            .map_err(FtpError::ConnectionError)?;
        configure_socket(&s, data_timeouts);
        Ok(s)
    });

    let password = profile.password.as_ref().map(Secret::expose).unwrap_or("");
    ftp.login(profile.user.as_str(), password).map_err(|e| {
        match RemoteError::from_ftp(e, "logging in", read_secs) {
            RemoteError::Refusal { reply, .. } => RemoteError::Login { reply },
            other => other,
        }
    })?;
    ftp.transfer_type(FileType::Binary)
        .map_err(|e| RemoteError::from_ftp(e, "setting binary mode", read_secs))?;

    let features = read_features(&mut ftp, read_secs)?;
    if features.utf8 && profile.charset.wants_utf8() {
        // Some servers need this before they send UTF-8 names; a refusal changes nothing.
        match ftp.opts("UTF8", Some("ON")) {
            Ok(()) | Err(FtpError::UnexpectedResponse(_)) => {}
            Err(e) => return Err(RemoteError::from_ftp(e, "enabling UTF-8", read_secs)),
        }
    }
    match profile.data_mode {
        // The listener binds on the control connection's local address.
        DataMode::Active => ftp = ftp.active_mode(timeouts.connect),
        DataMode::Passive => {
            // Servers behind NAT announce an internal address in 227: by default use the
            // control connection's peer instead (curl does the same).
            ftp.set_passive_nat_workaround(!profile.trust_pasv_address);
            if features.epsv {
                ftp.set_mode(Mode::ExtendedPassive);
            }
        }
    }
    let home = ftp
        .pwd()
        .map_err(|e| RemoteError::from_ftp(e, "reading the working directory", read_secs))?;
    Ok(Connection {
        ftp,
        features,
        home,
        welcome,
        listing_limits: Default::default(),
        mdtm_sets: None,
        verify_method: None,
        codec,
        stor_ahead: None,
        retr_ahead: None,
        reorders: false,
    })
}

/// FEAT, read to the end of the reply whatever its shape. (suppaftp's `feat()` waits for more
/// lines after a one-line `211` reply, stalling until the read timeout.) Asking for a status no
/// server sends makes suppaftp read the whole reply and hand it back as "unexpected".
fn read_features(ftp: &mut RustlsFtpStream, read_secs: u64) -> Result<Features, RemoteError> {
    let resp = match ftp.custom_command("FEAT", &[Status::RestartMarker]) {
        Ok(resp) | Err(FtpError::UnexpectedResponse(resp)) => resp,
        Err(e) => return Err(RemoteError::from_ftp(e, "reading features", read_secs)),
    };
    if resp.status != Status::System {
        return Ok(Features::default()); // 500/502: no FEAT, no extensions
    }
    let text = String::from_utf8_lossy(&resp.body);
    let names: Vec<String> = text
        .lines()
        .filter(|l| l.starts_with(' '))
        .filter_map(|l| l.split_whitespace().next())
        .map(|w| w.to_ascii_uppercase())
        .collect();
    let has = |k: &str| names.iter().any(|n| n == k);
    let unique = enable_unique_fact(ftp, &text);
    Ok(Features {
        mlsd: has("MLST") || has("MLSD"),
        utf8: has("UTF8"),
        rest_stream: has("REST"),
        epsv: has("EPSV"),
        mfmt: has("MFMT"),
        unique,
        hash: super::hash::Offer::from_feat(&text),
    })
}

/// Whether MLSD will carry the `unique` fact (dev/inode), which lets recursive walks recognise
/// a directory reached twice through a link the listing does not show. Servers that offer it
/// without sending it by default (`unique` without `*` in FEAT) are asked for it.
fn enable_unique_fact(ftp: &mut RustlsFtpStream, feat: &str) -> bool {
    let Some(line) = feat
        .lines()
        .map(str::trim)
        .find(|l| l.len() > 5 && l[..5].eq_ignore_ascii_case("MLST "))
    else {
        return false;
    };
    let facts: Vec<(String, bool)> = line[5..]
        .split(';')
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .map(|f| {
            (
                f.trim_end_matches('*').to_ascii_lowercase(),
                f.ends_with('*'),
            )
        })
        .collect();
    match facts.iter().find(|(name, _)| name == "unique") {
        None => false,
        Some((_, true)) => true,
        Some((_, false)) => {
            let wanted = ["type", "size", "modify", "perm", "unix.mode", "unique"];
            let list: String = facts
                .iter()
                .filter(|(n, _)| wanted.contains(&n.as_str()))
                .map(|(n, _)| format!("{n};"))
                .collect();
            ftp.opts("MLST", Some(&list)).is_ok()
        }
    }
}

/// The TLS settings made for a TLS profile.
fn tls_config(
    tls: &Option<super::tls::TlsSetup>,
) -> Result<std::sync::Arc<rustls::ClientConfig>, RemoteError> {
    tls.as_ref()
        .map(|t| t.config.clone())
        .ok_or_else(|| RemoteError::Tls("internal error: no TLS settings".into()))
}

fn connect_any(addrs: &[SocketAddr], timeout: Duration) -> Result<TcpStream, RemoteError> {
    let mut last = None;
    for addr in addrs {
        match TcpStream::connect_timeout(addr, timeout) {
            Ok(s) => return Ok(s),
            Err(e) => last = Some((addr, e)),
        }
    }
    let Some((addr, e)) = last else {
        return Err(RemoteError::Other(
            "the host name resolved to no address".into(),
        ));
    };
    Err(match e.kind() {
        std::io::ErrorKind::ConnectionRefused => RemoteError::Refused {
            addr: addr.to_string(),
        },
        std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => RemoteError::Timeout {
            secs: timeout.as_secs(),
            during: format!("connecting to {addr}"),
        },
        _ => RemoteError::Other(format!("cannot connect to {addr}: {e}")),
    })
}
