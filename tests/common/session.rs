//! The session worker driven through its channel, as the UI drives it.

use std::sync::mpsc::{self, Receiver, Sender};
use std::time::Duration;

use ftpdeck::remote::session::{self, Listing, SessionOptions};
use ftpdeck::remote::{Profile, RemoteCmd, RemoteError, RemoteEvent};

use super::recv_until;

/// How long one answer may take.
const ANSWER: Duration = Duration::from_secs(30);

pub struct Session {
    pub cmd: Sender<RemoteCmd>,
    pub rx: Receiver<RemoteEvent>,
}

impl Session {
    pub fn start(options: SessionOptions) -> Session {
        let (tx, rx) = mpsc::channel();
        Session {
            cmd: session::spawn(tx, options),
            rx,
        }
    }

    /// Connect: `Ok(home)` or what the user is told.
    pub fn connect(&self, profile: Profile) -> Result<String, RemoteError> {
        self.cmd.send(RemoteCmd::Connect { profile }).unwrap();
        recv_until(&self.rx, ANSWER, |e| match e {
            RemoteEvent::Connected { home, .. } => Some(Ok(home.clone())),
            RemoteEvent::ConnectFailed { error } => Some(Err(error.clone())),
            _ => None,
        })
        .0
    }

    /// List `path`; also returns the events that came before the answer.
    pub fn list(&self, id: u64, path: &str) -> (Result<Listing, RemoteError>, Vec<RemoteEvent>) {
        self.cmd
            .send(RemoteCmd::List {
                id,
                path: path.into(),
            })
            .unwrap();
        recv_until(&self.rx, ANSWER, |e| match e {
            RemoteEvent::Listed {
                id: got, result, ..
            } if *got == id => Some(result.clone()),
            _ => None,
        })
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.cmd.send(RemoteCmd::Shutdown);
    }
}
