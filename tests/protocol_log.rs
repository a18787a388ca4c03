//! The protocol log shows the browsing connection's conversation, password masked.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may stop at the first surprise

mod common;

use std::sync::Mutex;
use std::sync::mpsc;
use std::time::Duration;

use common::*;
use ftpdeck::remote::session::{self, SessionOptions};
use ftpdeck::remote::{RemoteCmd, RemoteEvent};

#[test]
fn commands_and_replies_are_logged_and_the_password_is_masked() {
    let (log_tx, log_rx) = mpsc::channel::<String>();
    let log_tx = Mutex::new(log_tx);
    assert!(ftpdeck::remote::protolog::install(Box::new(move |line| {
        let _ = log_tx.lock().unwrap().send(line);
    })));
    let root = tempfile::tempdir().unwrap();
    let server = start_server(root.path());
    let (tx, rx) = mpsc::channel();
    let cmd = session::spawn(tx, SessionOptions::default());
    cmd.send(RemoteCmd::Connect {
        profile: profile(&server),
    })
    .unwrap();
    recv_until(&rx, Duration::from_secs(20), |e| match e {
        RemoteEvent::Connected { .. } => Some(()),
        RemoteEvent::ConnectFailed { error } => panic!("{error}"),
        _ => None,
    });
    let lines: Vec<String> = log_rx.try_iter().collect();
    let all = lines.join("\n");
    assert!(all.contains(&format!("> USER {USER}")), "{all}");
    assert!(all.contains("> PASS ****"), "{all}");
    assert!(!all.contains(PASSWORD), "the password leaked: {all}");
    assert!(lines.iter().any(|l| l.starts_with("< 230")), "{all}");
    assert!(all.contains("> TYPE I"), "{all}");
}
