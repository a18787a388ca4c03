//! Answers from the session and local workers: connection state, listings, file operations.

use super::dialog::Dialog;
use super::{App, Cmd, ConnState, Side};
use crate::local::LocalEvent;
use crate::remote::{RemoteError, RemoteEvent};
use crate::transfer::TransferCmd;
use crate::words::{NAME_CHARS, short, short_words};

impl App {
    pub(super) fn on_remote(&mut self, event: RemoteEvent) -> Vec<Cmd> {
        match event {
            RemoteEvent::Connecting { label } => {
                self.server.conn = ConnState::Connecting;
                self.info(format!("Connecting to {label}…"));
                vec![]
            }
            RemoteEvent::Connected {
                label,
                home,
                checksum,
                ..
            } => {
                self.server.conn = ConnState::Connected;
                self.server.checksum = checksum;
                self.browse.remote.error = None;
                self.info(format!("Connected to {label}"));
                let mut cmds = Vec::new();
                if let Some(p) = self.server.profile.clone() {
                    cmds.push(Cmd::Transfer(TransferCmd::SetProfile(p.clone())));
                    cmds.push(self.limits_for_server(&p));
                    cmds.extend(self.remember_connection(&p));
                }
                // A reconnect stays where it was; a new connection starts at the profile's
                // path, relative to the login directory unless absolute.
                let start = match &self.server.profile {
                    _ if !self.browse.remote.dir.is_empty() => self.browse.remote.dir.clone(),
                    Some(p) => crate::remote::path::start_dir(&home, &p.path),
                    None => home,
                };
                cmds.push(self.request_remote(start, None));
                self.offer_saved_queue();
                cmds
            }
            RemoteEvent::ConnectFailed { error } => {
                let msg = error.to_string();
                self.server.conn = ConnState::Error(msg.clone());
                self.browse.remote.pending = None;
                if let RemoteError::UntrustedCert {
                    fingerprint,
                    reason,
                } = &error
                {
                    self.dialogs.show(Dialog::TrustCert {
                        fingerprint: fingerprint.clone(),
                        reason: reason.clone(),
                    });
                }
                if matches!(error, RemoteError::Login { .. }) {
                    // Forget the wrong password and ask again.
                    if let Some(p) = self.server.profile.as_mut() {
                        p.password = None;
                        self.dialogs.show(Dialog::Password {
                            label: p.label(),
                            input: Default::default(),
                            error: Some(msg.clone()),
                        });
                    }
                }
                if self.browse.remote.entries.is_empty() {
                    self.browse.remote.error = Some(msg.clone());
                }
                self.error(format!("{msg} — press r to retry"));
                vec![]
            }
            RemoteEvent::Reconnected { label } => {
                self.server.conn = ConnState::Connected;
                self.info(format!(
                    "The connection had dropped; reconnected to {label}"
                ));
                vec![]
            }
            RemoteEvent::ConnectionLost { error } => {
                self.server.conn = ConnState::Error(error.to_string());
                self.error(format!("{error} — press r to reconnect"));
                vec![]
            }
            RemoteEvent::OpDone { id, result } => self.on_remote_op_done(id, result),
            RemoteEvent::Listed { id, result, .. } => {
                let Some(pending) = self.browse.remote.pending.clone().filter(|p| p.id == id)
                else {
                    return vec![]; // a late answer for a directory the user already left
                };
                self.browse.remote.pending = None;
                match result {
                    Ok(listing) => {
                        if let Some(why) = &listing.truncated {
                            let path = crate::sanitize::display_name(&listing.path);
                            self.error(format!("{path}: {why}"));
                        }
                        self.browse.remote.set_listing(
                            listing.path,
                            listing.entries,
                            pending.select.as_deref(),
                        );
                        self.browse.remote.scroll_to_cursor(self.pane_rows());
                        self.check_chmod(Side::Remote);
                        // Compare marks follow both panes, not only the local one.
                        self.refresh_compare();
                        if self.server.conn != ConnState::Connected {
                            self.server.conn = ConnState::Connected;
                        }
                    }
                    Err(error) => {
                        let path = short(&pending.path);
                        if error.is_connection_lost() {
                            self.server.conn = ConnState::Error(error.to_string());
                        }
                        let reason = short_words(&error.to_string(), NAME_CHARS);
                        self.listing_failed(
                            Side::Remote,
                            pending.path,
                            format!("{reason} ({path})"),
                        );
                        self.error(format!("{reason} — cannot open {path}; press r to retry"));
                    }
                }
                vec![]
            }
        }
    }

    pub(super) fn on_local(&mut self, event: LocalEvent) -> Vec<Cmd> {
        match event {
            LocalEvent::OpProgress { id, done } => {
                if let Some(op) = self.files.op.as_ref().filter(|o| o.id == id) {
                    let what = super::fileops::capitalize(&op.what);
                    self.info(format!("{what}… {done} done"));
                }
                vec![]
            }
            LocalEvent::OpDone { id, result } => {
                self.on_op_done(id, result.map_err(|e| e.to_string()))
            }
            LocalEvent::Secret { name, result } => self.on_secret(name, result),
            LocalEvent::Kept { path, result } => {
                match result {
                    Ok(kept) => {
                        self.files.kept_edits.insert(path, kept);
                    }
                    Err(e) => self.error(format!(
                        "Could not keep a copy of your edit in the state directory: {e} — it is only in {}",
                        path.display()
                    )),
                }
                vec![]
            }
            LocalEvent::DiskUsage { free, total } => {
                self.browse.local_disk = Some((free, total));
                vec![]
            }
            LocalEvent::Saved { result } => {
                use crate::local::Saved;
                use crate::secrets::Backend;
                match result {
                    Ok(Saved::Bookmarks) => {}
                    Ok(Saved::Password(Backend::Keyring)) => {
                        self.info("Password saved in the OS keyring")
                    }
                    Ok(Saved::Password(Backend::File)) => self.info(
                        "No OS keyring answered: password saved in a file only you can read (secrets/secrets.toml, mode 0600)",
                    ),
                    Err(e) => self.error(e.to_string()),
                }
                vec![]
            }
            LocalEvent::Listed { id, result, .. } => {
                let Some(pending) = self.browse.local.pending.clone().filter(|p| p.id == id) else {
                    return vec![];
                };
                self.browse.local.pending = None;
                match result {
                    Ok((dir, entries)) => {
                        let dir = dir.to_string_lossy().into_owned();
                        self.browse
                            .local
                            .set_listing(dir, entries, pending.select.as_deref());
                        self.browse.local.scroll_to_cursor(self.pane_rows());
                        self.check_chmod(Side::Local);
                        self.refresh_compare();
                    }
                    Err(e) => {
                        let e = short_words(&e, NAME_CHARS);
                        self.listing_failed(Side::Local, pending.path, e.clone());
                        self.error(format!("Cannot open {e}"));
                    }
                }
                vec![]
            }
        }
    }
}

impl App {
    /// A listing of `side` failed. With nothing shown yet, the pane takes the requested `path`
    /// as its directory (empty, showing `error`), so that Backspace goes to its parent and r
    /// tries again.
    fn listing_failed(&mut self, side: Side, path: String, error: String) {
        let pane = self.pane_mut(side);
        if pane.entries.is_empty() {
            pane.error = Some(error);
            if pane.dir.is_empty() {
                pane.dir = path;
            }
        }
    }
}
