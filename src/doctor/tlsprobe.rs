//! A TLS handshake of its own (after `AUTH TLS`, or at once for implicit TLS), to learn the
//! protocol version and the certificate whether or not it is trusted. Nothing secret is sent
//! on this connection: it is closed after the handshake.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::{Arc, Mutex};

use rustls::ClientConfig;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};

use crate::remote::Timeouts;
use crate::remote::tls::{
    self, cert_error_words, fingerprint, normalize_fingerprint, provider_signature_checks,
};

/// What the handshake showed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFacts {
    /// `TLS 1.3`, `TLS 1.2`.
    pub version: String,
    /// SHA-256 of the server's certificate, lowercase hex.
    pub fingerprint: String,
    /// Certificates the server sent (its own and intermediates).
    pub chain: usize,
    /// `None`: trusted (by the system roots, or pinned); else why not.
    pub untrusted: Option<String>,
    /// The pin given matched.
    pub pinned: bool,
}

/// Connect to `addr`, start TLS (`implicit`: from the first byte, else `AUTH TLS` after the
/// greeting) and report. `Err` says in words how far it got.
pub fn handshake(
    addr: SocketAddr,
    host: &str,
    implicit: bool,
    pinned: Option<&str>,
    timeouts: Timeouts,
) -> Result<TlsFacts, String> {
    let mut tcp = TcpStream::connect_timeout(&addr, timeouts.connect)
        .map_err(|e| format!("cannot connect to {addr}: {e}"))?;
    tcp.set_read_timeout(Some(timeouts.read)).ok();
    tcp.set_write_timeout(Some(timeouts.read)).ok();
    if !implicit {
        let mut reader = BufReader::new(tcp.try_clone().map_err(|e| e.to_string())?);
        let (code, _) = read_reply(&mut reader)?;
        if code != 220 {
            return Err(format!("the greeting was {code}, not 220"));
        }
        tcp.write_all(b"AUTH TLS\r\n").map_err(|e| e.to_string())?;
        let (code, text) = read_reply(&mut reader)?;
        if code != 234 {
            return Err(format!(
                "AUTH TLS was refused: {}",
                crate::sanitize::display_name(&text)
            ));
        }
    }
    let seen = Arc::new(Mutex::new(None));
    let provider = tls::provider();
    let verifier = Arc::new(Recorder {
        webpki: tls::system_verifier(&provider),
        pinned: pinned.map(normalize_fingerprint),
        seen: seen.clone(),
        provider: provider.clone(),
    });
    let config = ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| e.to_string())?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    let name = ServerName::try_from(host.to_string())
        .map_err(|e| format!("{host} is not a name TLS can check: {e}"))?;
    let mut conn =
        rustls::ClientConnection::new(Arc::new(config), name).map_err(|e| format!("TLS: {e}"))?;
    while conn.is_handshaking() {
        conn.complete_io(&mut tcp)
            .map_err(|e| format!("the TLS handshake failed: {e}"))?;
    }
    let version = match conn.protocol_version() {
        Some(rustls::ProtocolVersion::TLSv1_3) => "TLS 1.3".to_string(),
        Some(rustls::ProtocolVersion::TLSv1_2) => "TLS 1.2".to_string(),
        Some(v) => format!("{v:?}"),
        None => "unknown".to_string(),
    };
    let chain = conn.peer_certificates().map_or(0, <[_]>::len);
    conn.send_close_notify();
    let _ = conn.complete_io(&mut tcp);
    let Some((fingerprint, pinned, untrusted)) =
        seen.lock().unwrap_or_else(|e| e.into_inner()).take()
    else {
        return Err("the server sent no certificate".into());
    };
    Ok(TlsFacts {
        version,
        fingerprint,
        chain,
        untrusted,
        pinned,
    })
}

/// One FTP reply (multi-line ones to their end): the code and the last line's text.
pub(super) fn read_reply(reader: &mut impl BufRead) -> Result<(u32, String), String> {
    let mut first: Option<String> = None;
    for _ in 0..1000 {
        let mut line = String::new();
        let n = reader
            .read_line(&mut line)
            .map_err(|e| format!("no reply: {e}"))?;
        if n == 0 {
            return Err("the server closed the connection".into());
        }
        let line = line.trim_end().to_string();
        let code = first.get_or_insert_with(|| line.chars().take(3).collect());
        if line.len() >= 4 && line.starts_with(code.as_str()) && line.as_bytes()[3] == b' ' {
            let n = code.parse().map_err(|_| "a malformed reply".to_string())?;
            return Ok((n, line[4..].to_string()));
        }
    }
    Err("a reply that does not end".into())
}

/// The certificate's fingerprint, whether it matched the pin, and why it is not trusted.
type Seen = (String, bool, Option<String>);

/// Records the certificate and whether it would be trusted, and accepts it: this connection
/// only looks (see the module's comment).
#[derive(Debug)]
struct Recorder {
    webpki: Option<Arc<WebPkiServerVerifier>>,
    pinned: Option<String>,
    seen: Arc<Mutex<Option<Seen>>>,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for Recorder {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let fp = fingerprint(end_entity.as_ref());
        let pinned = self.pinned.as_deref() == Some(fp.as_str());
        let verdict = match &self.webpki {
            Some(v) => v
                .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
                .err()
                .map(|e| cert_error_words(&e)),
            None => Some("this system has no root certificates".to_string()),
        };
        *self.seen.lock().unwrap_or_else(|e| e.into_inner()) =
            Some((fp, pinned, verdict.filter(|_| !pinned)));
        Ok(ServerCertVerified::assertion())
    }

    provider_signature_checks!();
}
