//! End to end: an FTPS server with a self-signed certificate; the trust prompt shows the
//! fingerprint, `o` trusts it once, `a` pins it so the next start connects without asking.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may stop at the first surprise

mod common;
mod support;

use std::time::Duration;

use common::{PASSWORD, USER, write};
use ftpdeck::server::{self, ServerAuth, ServerConfig};
use support::pty::Pty;

const WAIT: Duration = Duration::from_secs(15);

#[test]
fn the_trust_prompt_shows_the_fingerprint_and_pins_it_on_always() {
    let root = tempfile::tempdir().unwrap();
    write(root.path(), "over-tls.txt", b"secret");
    let certs = tempfile::tempdir().unwrap();
    let ck = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()]).unwrap();
    std::fs::write(certs.path().join("c.pem"), ck.cert.pem()).unwrap();
    std::fs::write(certs.path().join("k.pem"), ck.signing_key.serialize_pem()).unwrap();
    let mut config = ServerConfig::local(
        root.path(),
        ServerAuth::User {
            user: USER.into(),
            password: PASSWORD.into(),
        },
    );
    config.tls = Some(
        server::tls::from_files(&certs.path().join("c.pem"), &certs.path().join("k.pem")).unwrap(),
    );
    let server = server::start(config).unwrap();
    let url = format!(
        "ftps://{USER}:{PASSWORD}@127.0.0.1:{}/",
        server.addr().port()
    );
    let fp =
        ftpdeck::remote::tls::pretty_fingerprint(&ftpdeck::remote::tls::fingerprint(ck.cert.der()));
    let known = tempfile::tempdir().unwrap();
    let known_file = known.path().join("known_servers.toml");
    let env = [("FTPDECK_KNOWN_SERVERS", known_file.to_str().unwrap())];

    let pty = Pty::spawn(&[&url], &env, 120, 40);
    let screen = pty.wait_for("fingerprint", WAIT).expect("the trust prompt");
    assert!(
        screen.contains(&fp[..47]),
        "the fingerprint is shown: {screen}"
    );
    pty.send(b"a");
    pty.wait_for("over-tls.txt", WAIT)
        .expect("connected after trusting");
    pty.send(b"q");
    assert_eq!(pty.wait_exit(WAIT), Some(0));
    let saved = std::fs::read_to_string(&known_file).expect("pinned");
    assert!(
        saved.contains(&ftpdeck::remote::tls::fingerprint(ck.cert.der())),
        "{saved}"
    );

    // Next start: no question asked.
    let pty = Pty::spawn(&[&url], &env, 120, 40);
    pty.wait_for("over-tls.txt", WAIT)
        .expect("pinned certificate accepted");
    assert!(!pty.screen().contains("Untrusted"));
    pty.send(b"q");
    assert_eq!(pty.wait_exit(WAIT), Some(0));
}
