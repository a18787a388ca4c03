//! Reaching servers: the bookmark list (also the start screen), the connection form, and
//! connecting to a bookmark with its password asked, looked up or produced by a command.

use crossterm::event::{KeyCode, KeyEvent};

use super::dialog::Dialog;
use super::form::{Form, FormOutcome};
use super::keymap::{Action, Mode};
use super::{App, Cmd, Side};
use crate::bookmarks::{Bookmark, PasswordSource};
use crate::local::LocalCmd;
use crate::remote::{Profile, Secret};
use crate::words::short;

/// The server side: the connection's state, what it was made with, and the bookmarks.
#[derive(Debug)]
pub struct Server {
    pub conn: super::ConnState,
    pub profile: Option<Profile>,
    /// Bookmarks and recent connections (saved by the local worker).
    pub bookmarks: crate::bookmarks::Store,
    /// Why bookmarks.toml could not be read; nothing is saved over it then.
    pub bookmarks_broken: Option<String>,
    /// The bookmark of the current connection, if it came from one.
    pub current_bookmark: Option<String>,
    /// How the connected server computes checksums, if it does (for Synchronize).
    pub checksum: Option<String>,
    /// `--charset`: the charset of every server connected to in this run, over a bookmark's.
    pub cli_charset: Option<crate::remote::encoding::Charset>,
}

impl Default for Server {
    fn default() -> Self {
        Server {
            conn: super::ConnState::NotConnected,
            profile: None,
            bookmarks: Default::default(),
            bookmarks_broken: None,
            current_bookmark: None,
            checksum: None,
            cli_charset: None,
        }
    }
}

/// A row of the bookmark list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListItem {
    New,
    Bookmark(usize),
    Recent(usize),
}

impl App {
    /// The rows of the bookmark list: "New connection…", the bookmarks, the recent connections.
    pub fn list_items(&self) -> Vec<ListItem> {
        let mut items = vec![ListItem::New];
        items.extend((0..self.server.bookmarks.bookmarks.len()).map(ListItem::Bookmark));
        items.extend((0..self.server.bookmarks.recent.len()).map(ListItem::Recent));
        items
    }

    pub fn open_bookmarks(&mut self) {
        self.dialogs.show(Dialog::Bookmarks { cursor: 0 });
    }

    pub(super) fn on_bookmarks_key(&mut self, key: KeyEvent, cursor: usize) -> Vec<Cmd> {
        let items = self.list_items();
        let current = items.get(cursor).copied().unwrap_or(ListItem::New);
        let set = |app: &mut App, c: usize| {
            app.dialogs.show(Dialog::Bookmarks {
                cursor: c.min(items.len().saturating_sub(1)),
            })
        };
        match self.keymap.action_for(Mode::Bookmarks, &key) {
            Some(Action::Up) => set(self, cursor.saturating_sub(1)),
            Some(Action::Down) => set(self, cursor + 1),
            Some(Action::Top) => set(self, 0),
            Some(Action::Bottom) => set(self, usize::MAX),
            Some(Action::Close) => self.dialogs.close_all(),
            Some(Action::Help) => self.dialogs.help = true,
            Some(Action::New) => {
                let form = Form {
                    focus: super::form::NAME,
                    ..Form::new()
                };
                self.dialogs.show(Dialog::Form(Box::new(form)));
            }
            Some(Action::Connect) => match current {
                ListItem::New => self.dialogs.show(Dialog::Form(Box::default())),
                ListItem::Bookmark(i) => {
                    let name = self.server.bookmarks.bookmarks[i].name.clone();
                    self.dialogs.close_all();
                    return self.connect_bookmark(&name);
                }
                ListItem::Recent(i) => {
                    let profile = self.server.bookmarks.recent[i].to_profile();
                    self.dialogs.close_all();
                    self.server.current_bookmark = None;
                    return self.start_connect(profile);
                }
            },
            Some(Action::Edit) => match current {
                ListItem::Bookmark(i) => {
                    let form = Form::from_bookmark(&self.server.bookmarks.bookmarks[i]);
                    self.dialogs.show(Dialog::Form(Box::new(form)));
                }
                ListItem::Recent(i) => {
                    // Start a bookmark from a recent connection.
                    let r = self.server.bookmarks.recent[i].to_profile();
                    let form = Form::from_bookmark(&Bookmark::from_profile("", &r));
                    self.dialogs.show(Dialog::Form(Box::new(Form {
                        editing: None,
                        ..form
                    })));
                }
                ListItem::New => {}
            },
            Some(Action::Doctor) => match current {
                ListItem::Bookmark(i) => return self.doctor_bookmark(i),
                ListItem::Recent(i) => {
                    let profile = self.server.bookmarks.recent[i].to_profile();
                    if profile.password.is_some() {
                        return self.start_doctor(profile, None);
                    }
                    self.error(
                        "The doctor needs the password: connect to it (Enter), then press D",
                    );
                }
                ListItem::New => {}
            },
            Some(Action::Delete) => {
                if let ListItem::Bookmark(i) = current {
                    let name = self.server.bookmarks.bookmarks[i].name.clone();
                    self.dialogs.show(Dialog::ConfirmDeleteBookmark { name });
                }
            }
            _ => {}
        }
        vec![]
    }

    pub(super) fn on_form_key(&mut self, key: KeyEvent, mut form: Box<Form>) -> Vec<Cmd> {
        let outcome = form.on_key(&key);
        match outcome {
            FormOutcome::Editing => {
                self.dialogs.show(Dialog::Form(form));
                vec![]
            }
            FormOutcome::Cancel => {
                self.open_bookmarks();
                vec![]
            }
            FormOutcome::Connect => match form.to_bookmark(false) {
                Ok((b, typed)) => {
                    self.dialogs.close_all();
                    self.server.current_bookmark = form
                        .editing
                        .clone()
                        .filter(|_| form.editing.as_deref() == Some(b.name.as_str()));
                    let mut cmds = self.go_local_dir(&b);
                    let password = match (&b.password, typed) {
                        (_, Some(p)) => Some(p),
                        (PasswordSource::None, None) => None,
                        (PasswordSource::Ask, None) => None,
                        (PasswordSource::Saved | PasswordSource::Command(_), None) => {
                            // Same as connecting to the bookmark.
                            return match form.editing.clone() {
                                Some(name) => {
                                    cmds.extend(self.connect_bookmark(&name));
                                    cmds
                                }
                                None => {
                                    cmds.extend(self.start_connect(b.to_profile(None)));
                                    cmds
                                }
                            };
                        }
                    };
                    let profile = b.to_profile(password);
                    cmds.extend(self.start_connect(profile));
                    cmds
                }
                Err(e) => {
                    form.error = Some(e);
                    self.dialogs.show(Dialog::Form(form));
                    vec![]
                }
            },
            FormOutcome::Save => match form.to_bookmark(true) {
                Ok((mut b, typed)) => {
                    if let Some(problem) = &self.server.bookmarks_broken {
                        form.error =
                            Some(format!("bookmarks.toml is broken, not saving: {problem}"));
                        self.dialogs.show(Dialog::Form(form));
                        return vec![];
                    }
                    let mut cmds = Vec::new();
                    if let Some(old) = form.editing.as_deref() {
                        if let Some(prev) = self.server.bookmarks.find(old) {
                            b.pinned_cert = prev.pinned_cert.clone();
                        }
                        if old != b.name {
                            if let Err(e) = self.server.bookmarks.rename(old, &b.name) {
                                form.error = Some(e);
                                self.dialogs.show(Dialog::Form(form));
                                return vec![];
                            }
                            cmds.push(Cmd::Local(LocalCmd::RenameSecret {
                                old: old.to_string(),
                                new: b.name.clone(),
                            }));
                        }
                    } else if self.server.bookmarks.find(&b.name).is_some() {
                        form.error = Some(format!("a bookmark named {:?} exists", b.name));
                        self.dialogs.show(Dialog::Form(form));
                        return vec![];
                    }
                    if let (PasswordSource::Saved, Some(secret)) = (&b.password, typed) {
                        cmds.push(Cmd::Local(LocalCmd::StoreSecret {
                            name: b.name.clone(),
                            secret,
                        }));
                    }
                    let name = b.name.clone();
                    self.server.bookmarks.upsert(b);
                    cmds.push(self.save_bookmarks());
                    self.info(format!("Saved bookmark {}", short(&name)));
                    let cursor = 1 + self
                        .server
                        .bookmarks
                        .bookmarks
                        .iter()
                        .position(|x| x.name == name)
                        .unwrap_or(0);
                    self.dialogs.show(Dialog::Bookmarks { cursor });
                    cmds
                }
                Err(e) => {
                    form.error = Some(e);
                    self.dialogs.show(Dialog::Form(form));
                    vec![]
                }
            },
        }
    }

    pub(super) fn on_delete_bookmark_key(&mut self, key: KeyEvent, name: String) -> Vec<Cmd> {
        match key.code {
            KeyCode::Char('y') | KeyCode::Char('Y') => {
                self.server.bookmarks.remove(&name);
                self.info(format!("Deleted bookmark {}", short(&name)));
                self.open_bookmarks();
                vec![
                    Cmd::Local(LocalCmd::ForgetSecret { name }),
                    self.save_bookmarks(),
                ]
            }
            KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc => {
                self.open_bookmarks();
                vec![]
            }
            _ => vec![],
        }
    }

    /// Connect to the bookmark `name`, getting its password the way the bookmark says.
    pub fn connect_bookmark(&mut self, name: &str) -> Vec<Cmd> {
        let Some(b) = self.server.bookmarks.find(name).cloned() else {
            self.error(format!("No bookmark named {}", short(name)));
            return vec![];
        };
        self.server.current_bookmark = Some(b.name.clone());
        let mut cmds = self.go_local_dir(&b);
        match &b.password {
            PasswordSource::Ask | PasswordSource::None => {
                cmds.extend(self.start_connect(b.to_profile(None)));
            }
            PasswordSource::Saved => {
                self.server.profile = Some(b.to_profile(None));
                self.info("Looking up the saved password…");
                cmds.push(Cmd::Local(LocalCmd::LookupSecret {
                    name: b.name.clone(),
                }));
            }
            PasswordSource::Command(cmd) => {
                self.server.profile = Some(b.to_profile(None));
                self.info("Running the password command…");
                cmds.push(Cmd::Local(LocalCmd::RunPasswordCmd {
                    name: b.name.clone(),
                    cmd: cmd.clone(),
                }));
            }
        }
        cmds
    }

    /// A saved password (or the password command's output) arrived, or could not be had.
    pub(super) fn on_secret(
        &mut self,
        name: String,
        result: Result<Option<Secret>, String>,
    ) -> Vec<Cmd> {
        if let Some(cmds) = self.doctor_secret(&name, &result) {
            return cmds;
        }
        if self.server.current_bookmark.as_deref() != Some(name.as_str()) {
            return vec![];
        }
        let Some(mut profile) = self.server.profile.clone() else {
            return vec![];
        };
        match result {
            Ok(Some(secret)) => {
                profile.password = Some(secret);
                self.start_connect(profile)
            }
            Ok(None) => {
                self.info("No saved password: type it");
                profile.password = None;
                self.start_connect(profile)
            }
            Err(e) => {
                self.error(format!("Password: {e}"));
                profile.password = None;
                self.start_connect(profile)
            }
        }
    }

    fn go_local_dir(&mut self, b: &Bookmark) -> Vec<Cmd> {
        match &b.local_dir {
            Some(dir) => self.request(Side::Local, dir.to_string_lossy().into_owned(), None),
            None => vec![],
        }
    }

    /// The save command for the current store (or nothing if the file on disk is broken).
    pub(super) fn save_bookmarks(&mut self) -> Cmd {
        Cmd::Local(LocalCmd::SaveBookmarks {
            store: Box::new(self.server.bookmarks.clone()),
        })
    }

    /// Remember a successful connection among the recent ones.
    pub(super) fn remember_connection(&mut self, profile: &Profile) -> Option<Cmd> {
        if self.server.bookmarks_broken.is_some() {
            return None;
        }
        self.server.bookmarks.remember(profile, self.now);
        Some(self.save_bookmarks())
    }

    /// "Always trust" a certificate: pin it in the bookmark, or in the known-servers file.
    pub(super) fn pin_certificate(&mut self, profile: &Profile, fingerprint: String) -> Cmd {
        if let Some(name) = self.server.current_bookmark.clone() {
            if let Some(mut b) = self.server.bookmarks.find(&name).cloned() {
                b.pinned_cert = Some(fingerprint);
                self.server.bookmarks.upsert(b);
                return self.save_bookmarks();
            }
        }
        Cmd::Local(LocalCmd::PinCertificate {
            host: profile.host.clone(),
            port: profile.port,
            fingerprint,
        })
    }
}
