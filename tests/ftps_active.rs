//! Explicit FTPS with a self-signed certificate (the trust decision) and active-mode data
//! connections, against the embedded server.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may stop at the first surprise

mod common;

use std::path::Path;
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::Duration;

use common::*;
use ftpdeck::remote::session::{self, SessionOptions};
use ftpdeck::remote::tls::fingerprint;
use ftpdeck::remote::{DataMode, Profile, RemoteCmd, RemoteError, RemoteEvent, Security};
use ftpdeck::server::{self, ServerAuth, ServerConfig, ServerHandle};
use ftpdeck::transfer::{self, Direction, Job, Outcome, PoolOptions, TransferCmd, TransferEvent};

const T: Duration = Duration::from_secs(30);

/// An FTPS-capable embedded server with a fresh self-signed certificate; returns its fingerprint.
fn tls_server(root: &Path, certs: &Path) -> (ServerHandle, String) {
    let ck =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string(), "localhost".to_string()])
            .unwrap();
    let cert = certs.join("cert.pem");
    let key = certs.join("key.pem");
    std::fs::write(&cert, ck.cert.pem()).unwrap();
    std::fs::write(&key, ck.signing_key.serialize_pem()).unwrap();
    let mut config = ServerConfig::local(
        root,
        ServerAuth::User {
            user: USER.into(),
            password: PASSWORD.into(),
        },
    );
    config.tls = Some(server::tls::from_files(&cert, &key).unwrap());
    (server::start(config).unwrap(), fingerprint(ck.cert.der()))
}

fn session() -> (Sender<RemoteCmd>, Receiver<RemoteEvent>) {
    let (tx, rx) = mpsc::channel();
    (session::spawn(tx, SessionOptions::default()), rx)
}

fn connect_result(
    cmd: &Sender<RemoteCmd>,
    rx: &Receiver<RemoteEvent>,
    profile: Profile,
) -> Result<(), RemoteError> {
    cmd.send(RemoteCmd::Connect { profile }).unwrap();
    recv_until(rx, T, |e| match e {
        RemoteEvent::Connected { .. } => Some(Ok(())),
        RemoteEvent::ConnectFailed { error } => Some(Err(error.clone())),
        _ => None,
    })
    .0
}

fn list_names(cmd: &Sender<RemoteCmd>, rx: &Receiver<RemoteEvent>, id: u64) -> Vec<String> {
    cmd.send(RemoteCmd::List {
        id,
        path: "/".into(),
    })
    .unwrap();
    let listing = recv_until(rx, T, |e| match e {
        RemoteEvent::Listed {
            id: got, result, ..
        } if *got == id => Some(result.clone()),
        _ => None,
    })
    .0
    .expect("listing");
    let mut names: Vec<String> = listing.entries.into_iter().map(|e| e.name).collect();
    names.sort();
    names
}

/// Five uploads then five downloads in a row on one connection, checked byte for byte.
fn five_up_five_down(profile: Profile, server_root: &Path) {
    let (tx, rx) = mpsc::channel::<TransferEvent>();
    let cmd = transfer::spawn(
        tx,
        PoolOptions {
            workers: 1,
            ..PoolOptions::default()
        },
    );
    cmd.send(TransferCmd::SetProfile(profile)).unwrap();
    let local = tempfile::tempdir().unwrap();
    let mut jobs = Vec::new();
    for i in 0..5u64 {
        let data = pseudo_random(200_000 + i as usize, i);
        let src = local.path().join(format!("up{i}.bin"));
        std::fs::write(&src, &data).unwrap();
        jobs.push(Job {
            batch: 1,
            ..Job::new(10 + i, Direction::Upload, format!("/up{i}.bin"), src, false)
        });
    }
    let back = tempfile::tempdir().unwrap();
    for i in 0..5u64 {
        jobs.push(Job {
            id: 20 + i,
            direction: Direction::Download,
            local: back.path().join(format!("up{i}.bin")),
            ..jobs[i as usize].clone()
        });
    }
    // Uploads first: one worker takes the queue in order.
    cmd.send(TransferCmd::Enqueue(jobs)).unwrap();
    let mut finished = 0;
    while finished < 10 {
        let (outcome, _) = recv_until(&rx, T, |e| match e {
            TransferEvent::Finished { outcome, .. } => Some(outcome.clone()),
            _ => None,
        });
        assert!(matches!(outcome, Outcome::Done { .. }), "{outcome:?}");
        finished += 1;
    }
    for i in 0..5u64 {
        let expected = pseudo_random(200_000 + i as usize, i);
        assert_eq!(
            std::fs::read(server_root.join(format!("up{i}.bin"))).unwrap(),
            expected
        );
        assert_eq!(
            std::fs::read(back.path().join(format!("up{i}.bin"))).unwrap(),
            expected
        );
    }
    cmd.send(TransferCmd::Shutdown).unwrap();
}

#[test]
fn a_self_signed_certificate_is_refused_with_its_fingerprint_until_pinned() {
    let root = tempfile::tempdir().unwrap();
    write(root.path(), "secret.txt", b"over TLS");
    let certs = tempfile::tempdir().unwrap();
    let (server, fp) = tls_server(root.path(), certs.path());
    let (cmd, rx) = session();
    let mut p = profile(&server);
    p.security = Security::ExplicitTls;
    match connect_result(&cmd, &rx, p.clone()) {
        Err(RemoteError::UntrustedCert {
            fingerprint,
            reason,
        }) => {
            assert_eq!(fingerprint, fp);
            assert!(
                reason.contains("not signed by an authority this system trusts"),
                "the reason in words: {reason}"
            );
        }
        other => panic!("expected an untrusted certificate, got {other:?}"),
    }
    let msg = connect_result(&cmd, &rx, p.clone())
        .unwrap_err()
        .to_string();
    assert!(msg.contains("fingerprint"), "{msg}");

    // Trusting that fingerprint: control and data connections (PROT P) both work.
    p.pinned_cert = Some(fp.clone());
    connect_result(&cmd, &rx, p.clone()).expect("pinned certificate accepted");
    assert_eq!(list_names(&cmd, &rx, 1), ["secret.txt"]);
    five_up_five_down(p.clone(), root.path());

    // A different pin (the certificate changed) is refused again.
    p.pinned_cert = Some("00".repeat(32));
    assert!(matches!(
        connect_result(&cmd, &rx, p),
        Err(RemoteError::UntrustedCert { .. })
    ));
}

#[test]
fn plain_connection_to_a_server_without_tls_fails_clearly_when_tls_is_asked() {
    let root = tempfile::tempdir().unwrap();
    let server = start_server(root.path());
    let (cmd, rx) = session();
    let mut p = profile(&server);
    p.security = Security::ExplicitTls;
    let err = connect_result(&cmd, &rx, p).unwrap_err();
    assert!(matches!(err, RemoteError::Tls(_)), "{err:?}");
    assert!(err.to_string().contains("TLS"), "{err}");
}

#[test]
fn active_mode_lists_and_transfers() {
    let root = tempfile::tempdir().unwrap();
    write(root.path(), "a.txt", b"active");
    let server = start_server(root.path());
    let mut p = profile(&server);
    p.data_mode = DataMode::Active;
    let (cmd, rx) = session();
    connect_result(&cmd, &rx, p.clone()).unwrap();
    assert_eq!(list_names(&cmd, &rx, 1), ["a.txt"]);
    five_up_five_down(p, root.path());
}
