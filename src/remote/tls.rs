//! TLS for explicit and implicit FTPS: certificates checked against the system roots, or a
//! pinned SHA-256 fingerprint the user chose to trust. An untrusted certificate is reported with
//! its fingerprint so the UI can ask.

use std::sync::{Arc, Mutex};

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, RootCertStore};

/// Why the server's certificate was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertProblem {
    /// SHA-256 of the server's certificate, lowercase hex.
    pub fingerprint: String,
    pub reason: String,
}

/// A client config plus the slot where its verifier reports a rejected certificate.
pub struct TlsSetup {
    pub config: Arc<ClientConfig>,
    pub problem: Arc<Mutex<Option<CertProblem>>>,
}

/// SHA-256 of DER bytes as lowercase hex.
pub fn fingerprint(der: &[u8]) -> String {
    ring::digest::digest(&ring::digest::SHA256, der)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `AB:CD:…` for display (the word "fingerprint" goes before it).
pub fn pretty_fingerprint(hex: &str) -> String {
    hex.as_bytes()
        .chunks(2)
        .map(|c| String::from_utf8_lossy(c).to_uppercase())
        .collect::<Vec<_>>()
        .join(":")
}

/// Lowercase hex without separators, so pins compare whatever way they were written.
pub fn normalize_fingerprint(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_hexdigit())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

pub(crate) fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A config for one connection (control and data connections share it, so data connections
/// resume the control connection's TLS session, as vsftpd's `require_ssl_reuse` demands).
///
/// TLS 1.2 unless `allow_tls13`: with TLS 1.3's single-use tickets, uploads after the second
/// one fail against servers that require session reuse, because a STOR's data connection
/// never reads the new ticket. TLS 1.2 session IDs can be reused any number of times.
pub fn setup(pinned: Option<&str>, allow_tls13: bool) -> TlsSetup {
    let provider = provider();
    let webpki = system_verifier(&provider);
    let problem = Arc::new(Mutex::new(None));
    let verifier = Arc::new(Verifier {
        webpki,
        pinned: pinned.map(normalize_fingerprint),
        problem: problem.clone(),
        provider: provider.clone(),
    });
    let versions: &[&'static rustls::SupportedProtocolVersion] = if allow_tls13 {
        &[&rustls::version::TLS13, &rustls::version::TLS12]
    } else {
        &[&rustls::version::TLS12]
    };
    // ring offers TLS 1.2 and 1.3, the only versions asked for (a unit test builds both).
    #[allow(clippy::expect_used)]
    let config = ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(versions)
        .expect("ring supports TLS 1.2 and 1.3")
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    TlsSetup {
        config: Arc::new(config),
        problem,
    }
}

/// Why a certificate was refused, in words a user can act on (rustls names its cases, such
/// as `CaUsedAsEndEntity`, for programmers).
pub fn cert_error_words(e: &rustls::Error) -> String {
    use rustls::CertificateError as C;
    let rustls::Error::InvalidCertificate(c) = e else {
        return e.to_string();
    };
    let words = match c {
        C::UnknownIssuer => {
            "the certificate is not signed by an authority this system trusts (self-signed or a private CA)"
        }
        C::NotValidForName | C::NotValidForNameContext { .. } => {
            "the certificate is for another host name"
        }
        C::Expired | C::ExpiredContext { .. } => "the certificate has expired",
        C::NotValidYet | C::NotValidYetContext { .. } => {
            "the certificate is not valid yet (is this computer's clock right?)"
        }
        C::Revoked => "the certificate has been revoked",
        C::BadEncoding => "the certificate is malformed",
        C::BadSignature => "the certificate's signature does not verify",
        C::InvalidPurpose | C::InvalidPurposeContext { .. } => {
            "the certificate is not meant for a server"
        }
        C::UnsupportedSignatureAlgorithmContext { .. }
        | C::UnsupportedSignatureAlgorithmForPublicKeyContext { .. } => {
            "the certificate is signed with an algorithm ftpdeck does not support"
        }
        // webpki's own cases arrive as `Other`, known only by name.
        other if format!("{other:?}").contains("CaUsedAsEndEntity") => {
            "the server's certificate is a CA certificate, not a server certificate"
        }
        other => return format!("the certificate was refused ({other:?})"),
    };
    words.to_string()
}

/// The signature checks of a [`ServerCertVerifier`] that has a `provider` field: rustls's own,
/// with that provider's algorithms (every verifier here checks signatures the same way).
macro_rules! provider_signature_checks {
    () => {
        fn verify_tls12_signature(
            &self,
            message: &[u8],
            cert: &rustls::pki_types::CertificateDer<'_>,
            dss: &rustls::DigitallySignedStruct,
        ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
            rustls::crypto::verify_tls12_signature(
                message,
                cert,
                dss,
                &self.provider.signature_verification_algorithms,
            )
        }

        fn verify_tls13_signature(
            &self,
            message: &[u8],
            cert: &rustls::pki_types::CertificateDer<'_>,
            dss: &rustls::DigitallySignedStruct,
        ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
            rustls::crypto::verify_tls13_signature(
                message,
                cert,
                dss,
                &self.provider.signature_verification_algorithms,
            )
        }

        fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
            self.provider
                .signature_verification_algorithms
                .supported_schemes()
        }
    };
}
pub(crate) use provider_signature_checks;

/// The system's root certificates as a verifier with `provider` (`None` when it has none).
pub(crate) fn system_verifier(provider: &Arc<CryptoProvider>) -> Option<Arc<WebPkiServerVerifier>> {
    let mut roots = RootCertStore::empty();
    for cert in rustls_native_certs::load_native_certs().certs {
        let _ = roots.add(cert);
    }
    WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .build()
        .ok()
}

#[derive(Debug)]
struct Verifier {
    /// `None` when the system has no root certificates.
    webpki: Option<Arc<WebPkiServerVerifier>>,
    pinned: Option<String>,
    problem: Arc<Mutex<Option<CertProblem>>>,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let fp = fingerprint(end_entity.as_ref());
        if self.pinned.as_deref() == Some(fp.as_str()) {
            return Ok(ServerCertVerified::assertion());
        }
        let result = match &self.webpki {
            Some(v) => {
                v.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
            }
            None => Err(rustls::Error::General("no system root certificates".into())),
        };
        if let Err(e) = &result {
            let reason = match &self.pinned {
                Some(_) => format!("the certificate changed since you trusted it ({e})"),
                None => cert_error_words(e),
            };
            *self.problem.lock().unwrap_or_else(|e| e.into_inner()) = Some(CertProblem {
                fingerprint: fp,
                reason,
            });
        }
        result
    }

    provider_signature_checks!();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certificate_errors_in_words() {
        use rustls::{CertificateError as C, Error};
        let words = |c: C| cert_error_words(&Error::InvalidCertificate(c));
        assert_eq!(
            words(C::UnknownIssuer),
            "the certificate is not signed by an authority this system trusts (self-signed or a private CA)"
        );
        assert_eq!(
            words(C::NotValidForName),
            "the certificate is for another host name"
        );
        assert_eq!(words(C::Expired), "the certificate has expired");
        let ca = rustls::OtherError(std::sync::Arc::new(webpki_ca_error()));
        assert_eq!(
            words(C::Other(ca)),
            "the server's certificate is a CA certificate, not a server certificate"
        );
    }

    /// An error whose debug form is webpki's `CaUsedAsEndEntity`, as rustls passes it on.
    fn webpki_ca_error() -> impl std::error::Error + Send + Sync {
        #[derive(Debug)]
        struct CaUsedAsEndEntity;
        impl std::fmt::Display for CaUsedAsEndEntity {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("CaUsedAsEndEntity")
            }
        }
        impl std::error::Error for CaUsedAsEndEntity {}
        CaUsedAsEndEntity
    }

    #[test]
    fn fingerprints_normalise_and_print() {
        let fp = fingerprint(b"hello");
        assert_eq!(fp.len(), 64);
        assert_eq!(normalize_fingerprint(&pretty_fingerprint(&fp)), fp);
        assert!(pretty_fingerprint("abcd").starts_with("AB:CD"));
    }
}
