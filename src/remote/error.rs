//! Failures of remote operations, each with a message a user can act on.

use suppaftp::{FtpError, Status};

/// What went wrong talking to the server.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RemoteError {
    #[error("cannot resolve host {host}: {detail}")]
    Dns { host: String, detail: String },
    #[error("connection to {addr} refused — is an FTP server running there?")]
    Refused { addr: String },
    #[error("timed out after {secs} s {during}")]
    Timeout { secs: u64, during: String },
    #[error("{reply} — check the user name and password")]
    Login { reply: String },
    #[error("{reply}")]
    Refusal { code: u32, reply: String },
    #[error("connection lost: {detail}")]
    ConnectionLost { detail: String },
    /// The server broke the protocol (a malformed or oversized reply): the connection is out of
    /// step and must be re-established.
    #[error("the server broke the FTP protocol: {detail}")]
    Protocol { detail: String },
    #[error("not connected")]
    NotConnected,
    /// The server turned us away at the greeting (421: too many users, shutting down).
    #[error("the server is busy: {reply} — try again later")]
    Busy { reply: String },
    /// The data connection could not be opened or broke; the control connection is fine.
    #[error(
        "the data connection failed: {detail} — if this keeps happening, try the other data mode (passive/active)"
    )]
    DataConnection { detail: String },
    /// The server's certificate is not trusted (self-signed, wrong name, expired, changed).
    #[error(
        "untrusted certificate ({reason}); SHA-256 fingerprint {}",
        super::tls::pretty_fingerprint(fingerprint)
    )]
    UntrustedCert { fingerprint: String, reason: String },
    #[error("TLS failed: {0}")]
    Tls(String),
    /// A rename (or other change) would replace something that exists.
    #[error(
        "{} already exists on the server{}",
        crate::sanitize::display_name(name),
        if *dir { " (a directory)" } else { "" }
    )]
    Exists { name: String, dir: bool },
    /// A name has no form in the server's charset (see `--charset`): nothing was sent.
    #[error(
        "{} cannot be written in the server's charset {charset}: {ch:?} has no {charset} form — choose another name",
        crate::sanitize::display_name(name)
    )]
    Unencodable {
        name: String,
        ch: char,
        charset: String,
    },
    #[error("{0}")]
    Other(String),
}

impl RemoteError {
    /// True when the control connection can no longer be used and must be re-established.
    pub fn is_connection_lost(&self) -> bool {
        matches!(
            self,
            RemoteError::ConnectionLost { .. }
                | RemoteError::Timeout { .. }
                | RemoteError::NotConnected
        )
    }

    /// True when a fresh connection is likely to succeed at once (not after a stall, which
    /// would only cost the user another full timeout).
    pub fn worth_reconnecting(&self) -> bool {
        matches!(
            self,
            RemoteError::ConnectionLost { .. }
                | RemoteError::Protocol { .. }
                | RemoteError::NotConnected
        )
    }

    /// Classify an error from suppaftp that happened while doing `during`.
    pub fn from_ftp(err: FtpError, during: &str, read_timeout_secs: u64) -> RemoteError {
        match err {
            // suppaftp gives up on a reply that goes on and on: it never ended, which is the
            // server's fault, not a dropped connection.
            FtpError::ConnectionError(io) if io.to_string().contains("reply larger than") => {
                RemoteError::Protocol {
                    detail: format!("its reply never ended ({io}, during {during})"),
                }
            }
            FtpError::ConnectionError(io) if super::encoding::unencodable_in(&io).is_some() => {
                match super::encoding::unencodable_in(&io) {
                    Some(e) => RemoteError::Unencodable {
                        name: e.text.clone(),
                        ch: e.ch,
                        charset: e.charset.clone(),
                    },
                    None => RemoteError::Other(io.to_string()),
                }
            }
            FtpError::ConnectionError(io) => match io.kind() {
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => {
                    RemoteError::Timeout {
                        secs: read_timeout_secs,
                        during: during.to_string(),
                    }
                }
                _ => RemoteError::ConnectionLost {
                    detail: format!("{io} (during {during})"),
                },
            },
            FtpError::UnexpectedResponse(resp) => {
                let code = resp.status.code();
                let text = String::from_utf8_lossy(&resp.body).trim().to_string();
                let text = crate::sanitize::display_name(&text);
                if resp.status == Status::NotAvailable {
                    return RemoteError::ConnectionLost { detail: text };
                }
                if resp.status == Status::NotLoggedIn {
                    return RemoteError::Login { reply: text };
                }
                if matches!(
                    resp.status,
                    Status::PassiveMode | Status::ExtendedPassiveMode
                ) {
                    return RemoteError::Other(format!(
                        "the server sent an unusable passive-mode address: {text}"
                    ));
                }
                RemoteError::Refusal { code, reply: text }
            }
            FtpError::BadResponse => RemoteError::Protocol {
                detail: format!("malformed reply (during {during})"),
            },
            other => RemoteError::Other(crate::sanitize::display_name(&other.to_string())),
        }
    }
}
