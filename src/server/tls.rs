//! The server's TLS configurations: from a PEM certificate and key, or a self-signed
//! certificate made for this run (never written to disk).

use std::path::Path;
use std::sync::Arc;

use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

fn build(
    certs: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<Arc<ServerConfig>, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS12, &rustls::version::TLS13])
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| format!("the certificate and key do not go together: {e}"))?;
    // Data connections resume the control connection's session (clients such as vsftpd's
    // users expect it to work).
    config.session_storage = rustls::server::ServerSessionMemoryCache::new(1024);
    Ok(Arc::new(config))
}

/// A configuration from PEM files: a certificate chain and its private key.
pub fn from_files(cert: &Path, key: &Path) -> Result<Arc<ServerConfig>, String> {
    let certs = CertificateDer::pem_file_iter(cert)
        .and_then(|it| it.collect::<Result<Vec<_>, _>>())
        .map_err(|e| format!("{}: {e}", cert.display()))?;
    if certs.is_empty() {
        return Err(format!("{}: no certificate in it", cert.display()));
    }
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| format!("{}: {e}", key.display()))?;
    build(certs, key)
}

/// A self-signed certificate for `names` (host names or addresses), made now, and the SHA-256
/// fingerprint of it (lowercase hex) that clients can pin.
pub fn self_signed(names: Vec<String>) -> Result<(Arc<ServerConfig>, String), String> {
    let ck = rcgen::generate_simple_self_signed(names).map_err(|e| e.to_string())?;
    let der = ck.cert.der().clone();
    let fingerprint = crate::remote::tls::fingerprint(&der);
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(ck.signing_key.serialize_der()));
    Ok((build(vec![der], key)?, fingerprint))
}
