//! The workers' side of the monkey: answers to the commands the app returned (late, twice,
//! or never), and events nobody asked for.

use std::path::PathBuf;

use ftpdeck::app::{Cmd, Msg};
use ftpdeck::local::{LocalCmd, LocalEvent, SaveError, Saved};
use ftpdeck::localops::{LocalError, LocalOp, OpOutput};
use ftpdeck::remote::fileops::Changed;
use ftpdeck::remote::session::Listing;
use ftpdeck::remote::{RemoteCmd, RemoteError, RemoteEvent, Secret};
use ftpdeck::transfer::{FileFacts, Outcome, TransferCmd, TransferEvent};

use super::events::tick;
use super::rng::Rng;
use super::world::World;

/// Where the engine numbers the children of directory jobs (`transfer::job::CHILD_ID_BASE`).
const CHILD_ID_BASE: u64 = 1 << 40;

fn remote_error(rng: &mut Rng) -> RemoteError {
    let t = rng.text(30);
    match rng.below(14) {
        0 => RemoteError::Dns {
            host: rng.name(),
            detail: t,
        },
        1 => RemoteError::Refused { addr: t },
        2 => RemoteError::Timeout {
            secs: rng.next() % 100,
            during: t,
        },
        3 => RemoteError::Login { reply: t },
        4 => RemoteError::Refusal {
            code: rng.range(400, 599) as u32,
            reply: t,
        },
        5 => RemoteError::ConnectionLost { detail: t },
        6 => RemoteError::Protocol { detail: t },
        7 => RemoteError::NotConnected,
        8 => RemoteError::Busy { reply: t },
        9 => RemoteError::DataConnection { detail: t },
        10 => RemoteError::UntrustedCert {
            fingerprint: if rng.chance(70) {
                "ab".repeat(32)
            } else {
                t.clone()
            },
            reason: rng.text(20),
        },
        11 => RemoteError::Tls(t),
        12 => RemoteError::Exists {
            name: t,
            dir: rng.chance(30),
        },
        _ => RemoteError::Other(t),
    }
}

/// The answer a worker would give to `cmd`; `None` for commands nobody answers.
fn answer_to(w: &mut World, cmd: &Cmd) -> Option<Msg> {
    let rng = &mut w.rng;
    Some(match cmd {
        Cmd::Local(LocalCmd::List { id, path }) => {
            let result = if rng.chance(85) {
                let dir = if rng.chance(80) {
                    path.clone()
                } else {
                    PathBuf::from(rng.path())
                };
                Ok((dir, rng.entries()))
            } else {
                Err(rng.text(40))
            };
            Msg::Local(LocalEvent::Listed {
                id: *id,
                path: path.clone(),
                result,
            })
        }
        Cmd::Remote(RemoteCmd::List { id, path }) => {
            let result = if rng.chance(85) {
                let dir = if rng.chance(80) {
                    path.clone()
                } else {
                    rng.path()
                };
                Ok(Listing {
                    path: dir,
                    entries: rng.entries(),
                    truncated: rng.chance(5).then(|| "cut".to_string()),
                })
            } else {
                Err(remote_error(rng))
            };
            Msg::Remote(RemoteEvent::Listed {
                id: *id,
                path: path.clone(),
                result,
            })
        }
        // Reads (for the viewer) mostly succeed, or the viewer would hardly ever open.
        Cmd::Local(LocalCmd::Op { id, op }) => match match op {
            LocalOp::Read { .. } if rng.chance(60) => 3,
            _ => rng.below(4),
        } {
            0 => Msg::Local(LocalEvent::OpProgress {
                id: *id,
                done: rng.below(1000),
            }),
            1 => Msg::Local(LocalEvent::OpDone {
                id: *id,
                result: Err(LocalError::Io {
                    what: "cannot create",
                    path: PathBuf::from(rng.path()),
                    kind: std::io::ErrorKind::PermissionDenied,
                    detail: rng.text(30),
                }),
            }),
            2 => Msg::Local(LocalEvent::OpDone {
                id: *id,
                result: Ok(match rng.below(4) {
                    0 => OpOutput::Created(PathBuf::from(rng.path())),
                    1 => OpOutput::Renamed(PathBuf::from(rng.path())),
                    2 => OpOutput::Deleted(rng.range(0, 1 << 20)),
                    _ => OpOutput::ModeSet(rng.below(0o10000) as u32),
                }),
            }),
            _ => {
                let bytes = (0..rng.below(3000)).map(|_| rng.next() as u8).collect();
                let text = rng.text(400).into_bytes();
                let out = if rng.chance(50) { bytes } else { text };
                Msg::Local(LocalEvent::OpDone {
                    id: *id,
                    result: Ok(OpOutput::Bytes(out)),
                })
            }
        },
        Cmd::Remote(RemoteCmd::Op { id, .. }) => match rng.below(2) {
            0 => Msg::Remote(RemoteEvent::OpDone {
                id: *id,
                result: Err(remote_error(rng)),
            }),
            _ => Msg::Remote(RemoteEvent::OpDone {
                id: *id,
                result: Ok(match rng.below(3) {
                    0 => Changed::Created { path: rng.path() },
                    1 => Changed::Renamed { to: rng.path() },
                    _ => Changed::ModeSet {
                        mode: rng.below(0o10000) as u32,
                    },
                }),
            }),
        },
        Cmd::Remote(RemoteCmd::Connect { profile }) => match rng.below(4) {
            0 => Msg::Remote(RemoteEvent::Connecting {
                label: profile.label(),
            }),
            1 => Msg::Remote(RemoteEvent::ConnectFailed {
                error: remote_error(rng),
            }),
            _ => Msg::Remote(RemoteEvent::Connected {
                label: profile.label(),
                home: rng.path(),
                welcome: rng.text(40),
                // Sometimes a server that hashes: Synchronize then offers a checksum compare.
                checksum: rng.chance(50).then(|| rng.text(30)),
            }),
        },
        Cmd::Local(LocalCmd::LookupSecret { name } | LocalCmd::RunPasswordCmd { name, .. }) => {
            let result = match rng.below(3) {
                0 => Ok(None),
                1 => Err(rng.text(30)),
                _ => Ok(Some(Secret::new(rng.text(10)))),
            };
            Msg::Local(LocalEvent::Secret {
                name: name.clone(),
                result,
            })
        }
        Cmd::Local(_) => {
            let result = match rng.below(4) {
                0 => Ok(Saved::Bookmarks),
                1 => Ok(Saved::Password(ftpdeck::secrets::Backend::Keyring)),
                2 => Ok(Saved::Password(ftpdeck::secrets::Backend::File)),
                _ => Err(SaveError {
                    what: "bookmarks",
                    reason: rng.text(30),
                }),
            };
            Msg::Local(LocalEvent::Saved { result })
        }
        Cmd::Transfer(TransferCmd::Cancel(id)) => Msg::Transfer(TransferEvent::Finished {
            id: *id,
            outcome: Outcome::Cancelled,
        }),
        Cmd::Edit { path, remote } => Msg::Edited {
            path: path.clone(),
            remote: remote.clone(),
            changed: rng.chance(60),
            error: rng.chance(15).then(|| rng.text(30)),
        },
        _ => return None,
    })
}

/// Answer one outstanding command (the oldest, the newest or any); often it stays outstanding
/// so that it can be answered again.
pub fn answer(w: &mut World) -> Msg {
    if w.outstanding.is_empty() {
        return tick(w);
    }
    let i = match w.rng.below(4) {
        0 => 0,
        1 => w.outstanding.len() - 1,
        _ => w.rng.below(w.outstanding.len()),
    };
    let cmd = if w.rng.chance(75) {
        w.outstanding.remove(i)
    } else {
        w.outstanding[i].clone()
    };
    match answer_to(w, &cmd) {
        Some(msg) => {
            if w.answered.len() == 32 {
                w.answered.pop_front();
            }
            w.answered.push_back(msg.clone());
            msg
        }
        None => tick(w),
    }
}

/// An answer given before, given again.
pub fn answer_again(w: &mut World) -> Msg {
    if w.answered.is_empty() {
        return answer(w);
    }
    let i = w.rng.below(w.answered.len());
    w.answered[i].clone()
}

/// An id the app may or may not have issued.
fn some_id(rng: &mut Rng) -> u64 {
    match rng.below(3) {
        0 => rng.below(50) as u64,
        1 => u64::MAX,
        _ => rng.next(),
    }
}

/// The session worker, unprompted: connection changes, answers to unknown requests.
pub fn remote_event(w: &mut World) -> Msg {
    let rng = &mut w.rng;
    Msg::Remote(match rng.below(7) {
        0 => RemoteEvent::Connected {
            label: rng.text(20),
            home: rng.path(),
            welcome: rng.text(20),
            checksum: rng.chance(50).then(|| rng.text(30)),
        },
        1 => RemoteEvent::ConnectFailed {
            error: remote_error(rng),
        },
        2 => RemoteEvent::Reconnected {
            label: rng.text(20),
        },
        3 => RemoteEvent::ConnectionLost {
            error: remote_error(rng),
        },
        4 => RemoteEvent::Listed {
            id: some_id(rng),
            path: rng.path(),
            result: Ok(Listing {
                path: rng.path(),
                entries: rng.entries(),
                truncated: None,
            }),
        },
        _ => RemoteEvent::OpDone {
            id: some_id(rng),
            result: Err(remote_error(rng)),
        },
    })
}

/// The local worker, unprompted.
pub fn local_event(w: &mut World) -> Msg {
    let names: Vec<String> = w
        .app
        .server
        .bookmarks
        .bookmarks
        .iter()
        .map(|b| b.name.clone())
        .collect();
    let rng = &mut w.rng;
    Msg::Local(match rng.below(6) {
        0 => LocalEvent::Listed {
            id: some_id(rng),
            path: PathBuf::from(rng.path()),
            result: Ok((PathBuf::from(rng.path()), rng.entries())),
        },
        1 => {
            let (a, b) = (rng.next() >> rng.below(64), rng.next() >> rng.below(64));
            LocalEvent::DiskUsage { free: a, total: b }
        }
        2 => LocalEvent::Saved {
            result: Err(SaveError {
                what: "the password",
                reason: rng.text(20),
            }),
        },
        3 => {
            let name = if !names.is_empty() && rng.chance(70) {
                rng.pick(&names).clone()
            } else {
                rng.name()
            };
            LocalEvent::Secret {
                name,
                result: Ok(Some(Secret::new(rng.text(8)))),
            }
        }
        4 => LocalEvent::OpDone {
            id: some_id(rng),
            result: Ok(OpOutput::Created(PathBuf::from(rng.text(10)))),
        },
        _ => LocalEvent::OpProgress {
            id: some_id(rng),
            done: rng.below(10),
        },
    })
}

fn facts(rng: &mut Rng) -> FileFacts {
    FileFacts {
        size: rng.chance(80).then(|| rng.range(0, 1 << 34)),
        mtime: rng.chance(80).then(|| rng.range(0, 4_000_000_000) as i64),
        read_only: rng.chance(20),
    }
}

/// The transfer engine: events for the jobs the app queued (and children of them), or for
/// jobs nobody queued.
pub fn transfer_event(w: &mut World) -> Msg {
    let known = !w.jobs.is_empty() && w.rng.chance(92);
    let job = known.then(|| w.jobs[w.rng.below(w.jobs.len())].clone());
    let rng = &mut w.rng;
    let id = job.as_ref().map_or_else(|| some_id(rng), |j| j.id);
    let event = match rng.below(12) {
        0 if job.is_some() => {
            let mut child = job.clone().expect("known");
            w.next_child += 1;
            child.id = CHILD_ID_BASE + w.next_child;
            child.parent = Some(id);
            child.is_dir = rng.chance(20);
            child.remote = format!("{}/{}", child.remote, rng.name());
            child.local = child.local.join(rng.name());
            child.size = rng.chance(80).then(|| rng.range(0, 1 << 34));
            w.job_ids.insert(child.id);
            w.jobs.push(child.clone());
            TransferEvent::Added { job: child }
        }
        0 | 1 => TransferEvent::Started { id },
        2..=5 => {
            let size = job.as_ref().and_then(|j| j.size).unwrap_or(1 << 20);
            TransferEvent::Progress {
                id,
                done: rng.range(0, size.saturating_mul(2).max(1)),
                total: if rng.chance(80) { Some(size) } else { None },
                rate: *rng.pick(&[0.0, 1.0, 1e6, 3.5e9, 1e300]),
            }
        }
        6 if rng.chance(50) => TransferEvent::Steps {
            id,
            done: rng.range(0, 1 << 20),
            total: rng.chance(50).then(|| rng.range(0, 1 << 20)),
            bytes: rng.range(0, 1 << 40),
        },
        6 => TransferEvent::Retrying {
            id,
            attempt: rng.range(1, 5) as u32,
            error: rng.text(30),
        },
        7 | 8 => TransferEvent::Conflict {
            id,
            source: facts(rng),
            existing: facts(rng),
        },
        _ => {
            let outcome = match rng.below(10) {
                0 => Outcome::Done {
                    bytes: rng.range(0, 1 << 34),
                    secs: rng.range(0, 100) as f64 / 7.0,
                    note: rng.chance(20).then(|| "the source was kept".to_string()),
                    verified: rng
                        .chance(50)
                        .then_some(ftpdeck::remote::hash::Algorithm::Sha256),
                },
                1 => Outcome::Expanded {
                    children: rng.below(10),
                },
                2 => Outcome::Skipped {
                    reason: rng.text(20),
                },
                3 => Outcome::Cancelled,
                4 => Outcome::Deleted {
                    entries: rng.range(0, 1 << 20),
                },
                5 => Outcome::Sized {
                    files: rng.range(0, 1 << 20),
                    dirs: rng.range(0, 1 << 10),
                    bytes: rng.range(0, 1 << 40),
                },
                6 => Outcome::Viewed {
                    data: rng.text(200).into_bytes(),
                    size: rng.chance(50).then(|| rng.range(0, 1 << 34)),
                },
                7 => Outcome::Chmodded {
                    entries: rng.range(0, 1000),
                },
                _ => Outcome::Failed {
                    error: rng.text(30).into(),
                },
            };
            TransferEvent::Finished { id, outcome }
        }
    };
    Msg::Transfer(event)
}

pub fn edited(w: &mut World) -> Msg {
    let rng = &mut w.rng;
    Msg::Edited {
        path: PathBuf::from(rng.path()),
        remote: rng.chance(50).then(|| rng.path()),
        changed: rng.chance(50),
        error: rng.chance(20).then(|| rng.text(20)),
    }
}

pub fn protocol_log(w: &mut World) -> Msg {
    let line = if w.rng.chance(50) {
        "y".repeat(20_000)
    } else {
        w.rng.text(60)
    };
    Msg::ProtocolLog(line)
}
