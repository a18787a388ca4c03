//! Keys while a dialog is open.

use crossterm::event::{KeyCode, KeyEvent};

use super::dialog::Dialog;
use super::keymap::{Action, Mode};
use super::textfield::FieldOutcome;
use super::{App, Cmd};
use crate::remote::Secret;
use crate::transfer::{Resolution, TransferCmd};

impl App {
    pub(super) fn on_dialog_key(&mut self, key: KeyEvent) -> Vec<Cmd> {
        match self.dialogs.top().cloned() {
            Some(Dialog::Password { .. }) => self.on_password_key(key),
            Some(Dialog::Overwrite { id, apply_to_all }) => {
                self.on_overwrite_key(key, id, apply_to_all)
            }
            Some(Dialog::ConfirmQuit) => match key.code {
                KeyCode::Char('y') | KeyCode::Char('Y') | KeyCode::Enter => {
                    self.dialogs.close_all();
                    self.quit = true;
                    vec![Cmd::Transfer(TransferCmd::CancelAll), Cmd::Quit]
                }
                KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc => {
                    self.dialogs.close_all();
                    vec![]
                }
                _ => vec![],
            },
            Some(Dialog::TrustCert { fingerprint, .. }) => self.on_trust_key(key, fingerprint),
            Some(Dialog::Bookmarks { cursor }) => self.on_bookmarks_key(key, cursor),
            Some(Dialog::Doctor(view)) => self.on_doctor_key(key, view),
            Some(Dialog::Form(form)) => self.on_form_key(key, form),
            Some(Dialog::ConfirmDeleteBookmark { name }) => self.on_delete_bookmark_key(key, name),
            Some(Dialog::Input {
                purpose:
                    super::dialog::InputPurpose::Chmod {
                        recursive: Some(_), ..
                    },
                ..
            }) if key.code == KeyCode::Tab => {
                if let Some(Dialog::Input {
                    purpose:
                        super::dialog::InputPurpose::Chmod {
                            recursive: Some(r), ..
                        },
                    ..
                }) = self.dialogs.top_mut()
                {
                    *r = !*r;
                }
                vec![]
            }
            Some(Dialog::Input { side, purpose, .. }) => match self.dialog_field_key(&key) {
                Some(text) => self.on_input(side, purpose, text),
                None => vec![],
            },
            Some(Dialog::ConfirmDelete { side, targets }) => match key.code {
                KeyCode::Char('y') | KeyCode::Char('Y') | KeyCode::Enter => {
                    self.dialogs.close_all();
                    self.confirm_delete(side, targets)
                }
                KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc => {
                    self.dialogs.close_all();
                    vec![]
                }
                _ => vec![],
            },
            Some(Dialog::ConfirmReplace { side, from, to }) => match key.code {
                KeyCode::Char('o') | KeyCode::Char('y') => {
                    self.dialogs.close_all();
                    self.rename(side, from, to, true)
                }
                KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc => {
                    self.dialogs.close_all();
                    self.info("Not renamed");
                    vec![]
                }
                _ => vec![],
            },
            Some(Dialog::ResumeQueue { .. }) => match key.code {
                KeyCode::Char('y') | KeyCode::Char('Y') | KeyCode::Enter => {
                    self.answer_saved_queue(true)
                }
                KeyCode::Char('n') | KeyCode::Char('N') => self.answer_saved_queue(false),
                KeyCode::Esc => {
                    self.dialogs.close_all();
                    self.info("The unfinished transfers stay saved for the next connection");
                    vec![]
                }
                _ => vec![],
            },
            Some(Dialog::ConfirmUpload { local, remote }) => match key.code {
                KeyCode::Char('y') | KeyCode::Char('Y') | KeyCode::Enter => {
                    self.dialogs.close_all();
                    self.upload_edited(local, remote)
                }
                KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc => {
                    self.dialogs.close_all();
                    self.keep_edit_message(&local);
                    vec![]
                }
                _ => vec![],
            },
            Some(Dialog::Glob { select, .. }) => {
                if let Some(pattern) = self.dialog_field_key(&key) {
                    let n = self
                        .pane_mut(self.browse.focus)
                        .select_glob(&pattern, select);
                    let verb = if select { "Selected" } else { "Unselected" };
                    self.info(format!(
                        "{verb} {} matching {}",
                        crate::words::count(n, "entry", "entries"),
                        crate::words::short(&pattern)
                    ));
                }
                vec![]
            }
            Some(Dialog::SyncOptions) => self.on_sync_options_key(key),
            Some(Dialog::SyncPlan) => self.on_sync_plan_key(key),
            Some(Dialog::ConfirmSyncDelete { .. }) => self.on_confirm_sync_delete_key(key),
            None => vec![],
        }
    }

    /// Feed a key to the open dialog's text field. Enter closes the dialog and returns the
    /// text; Esc closes it too (then `self.dialogs.top().cloned()` is `None` and the result is `None`).
    fn dialog_field_key(&mut self, key: &KeyEvent) -> Option<String> {
        let field = self.dialogs.top_mut()?.text_field_mut()?;
        match field.on_key(key) {
            FieldOutcome::Submitted => {
                let text = field.take();
                self.dialogs.close_all();
                Some(text)
            }
            FieldOutcome::Cancelled => {
                self.dialogs.close_all();
                None
            }
            FieldOutcome::Editing | FieldOutcome::Ignored => None,
        }
    }

    fn on_password_key(&mut self, key: KeyEvent) -> Vec<Cmd> {
        match self.dialog_field_key(&key) {
            Some(password) => {
                let Some(mut profile) = self.server.profile.clone() else {
                    return vec![];
                };
                profile.password = Some(Secret::new(password));
                self.start_connect(profile)
            }
            None if !self.dialogs.is_open() => {
                self.browse.remote.error =
                    Some("Not connected (password prompt cancelled).".into());
                self.info("Not connected — press r in the remote pane to try again");
                vec![]
            }
            None => vec![],
        }
    }

    fn on_trust_key(&mut self, key: KeyEvent, fingerprint: String) -> Vec<Cmd> {
        let always = match key.code {
            KeyCode::Char('o') => false,
            KeyCode::Char('a') => true,
            KeyCode::Esc => {
                self.dialogs.close_all();
                self.browse.remote.error =
                    Some("Not connected: the server's certificate was not trusted.".into());
                self.info("Not connected — press r to be asked again");
                return vec![];
            }
            _ => return vec![],
        };
        self.dialogs.close_all();
        let Some(mut profile) = self.server.profile.clone() else {
            return vec![];
        };
        profile.pinned_cert = Some(fingerprint.clone());
        let mut cmds = Vec::new();
        if always {
            cmds.push(self.pin_certificate(&profile, fingerprint));
        }
        cmds.extend(self.start_connect(profile));
        cmds
    }

    fn on_overwrite_key(&mut self, key: KeyEvent, id: u64, apply_to_all: bool) -> Vec<Cmd> {
        let resolution = match self.keymap.action_for(Mode::Overwrite, &key) {
            Some(Action::Overwrite) => Resolution::Overwrite,
            Some(Action::Resume) if self.can_resume(id) => Resolution::Resume,
            Some(Action::Skip) => Resolution::Skip,
            Some(Action::KeepBoth) => Resolution::Rename,
            Some(Action::OverwriteIfNewer) => Resolution::OverwriteIfNewer,
            Some(Action::ApplyToAll) => {
                self.dialogs.show(Dialog::Overwrite {
                    id,
                    apply_to_all: !apply_to_all,
                });
                return vec![];
            }
            _ => return vec![],
        };
        self.dialogs.close_all();
        self.resolve_conflict(id, resolution, apply_to_all, true)
    }
}

/// Where a fixed-key overlay that shows `page` lines at a time goes for `code`, scrolled `now`
/// lines of at most `last`: the arrows, `j`/`k`, `PgUp`/`PgDn`, `Home`/`End`. `None`: not a
/// moving key.
pub(super) fn scrolled(code: KeyCode, now: usize, last: usize, page: usize) -> Option<usize> {
    let to = match code {
        KeyCode::Up | KeyCode::Char('k') => now.saturating_sub(1),
        KeyCode::Down | KeyCode::Char('j') => now + 1,
        KeyCode::PageUp => now.saturating_sub(page),
        KeyCode::PageDown => now + page,
        KeyCode::Home => 0,
        KeyCode::End => last,
        _ => return None,
    };
    Some(to.min(last))
}
