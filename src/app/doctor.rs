//! The connection doctor in the TUI: `D` in the panes (the server connected to) or in the
//! bookmark list (the bookmark under the cursor) queues the doctor as a task on the pool; its
//! report opens as a scrollable overlay, where `s` saves the recommended settings into the
//! bookmark.

use crossterm::event::{KeyCode, KeyEvent};

use super::dialog::Dialog;
use super::{App, Cmd};
use crate::bookmarks::PasswordSource;
use crate::local::LocalCmd;
use crate::remote::{Profile, Secret};
use crate::transfer::{Job, JobId, TransferCmd};
use crate::words::short;

/// The report overlay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoctorView {
    pub report: crate::doctor::Report,
    /// The bookmark the probed server came from (where `s` saves).
    pub bookmark: Option<String>,
    /// Lines scrolled from the top.
    pub scroll: usize,
}

/// Columns inside the report overlay on a terminal `width` wide (the overlay leaves two on
/// each side, and has a border).
pub fn overlay_text_width(width: u16) -> usize {
    usize::from(width.saturating_sub(4).max(20).min(width).saturating_sub(2))
}

/// Doctor runs in flight and the bookmark each is for.
#[derive(Debug, Default)]
pub struct DoctorPart {
    pub runs: Vec<(JobId, Option<String>)>,
    /// A bookmark whose password is being looked up (or made by its command) for the doctor.
    pub awaiting_password: Option<String>,
}

impl App {
    /// `D` in the panes: the server connected to (or last tried).
    pub(super) fn doctor_here(&mut self) -> Vec<Cmd> {
        match self.server.profile.clone() {
            Some(p) if p.password.is_some() => {
                let bookmark = self.server.current_bookmark.clone();
                self.start_doctor(p, bookmark)
            }
            Some(_) => {
                self.error("The doctor needs the password: connect first (it is asked then)");
                vec![]
            }
            None => {
                self.error("Not connected — press D on a bookmark in the list (b)");
                vec![]
            }
        }
    }

    /// `D` in the bookmark list on bookmark `i`, its password got the way it says.
    pub(super) fn doctor_bookmark(&mut self, i: usize) -> Vec<Cmd> {
        let Some(b) = self.server.bookmarks.bookmarks.get(i).cloned() else {
            return vec![];
        };
        // The connection made from this bookmark already has its password.
        if self.server.current_bookmark.as_deref() == Some(b.name.as_str()) {
            if let Some(p) = self.server.profile.clone().filter(|p| p.password.is_some()) {
                return self.start_doctor(b.to_profile(p.password), Some(b.name));
            }
        }
        match &b.password {
            PasswordSource::None => {
                let name = b.name.clone();
                self.start_doctor(b.to_profile(None), Some(name))
            }
            PasswordSource::Saved => {
                self.doctor.awaiting_password = Some(b.name.clone());
                self.info("Looking up the saved password…");
                vec![Cmd::Local(LocalCmd::LookupSecret { name: b.name })]
            }
            PasswordSource::Command(cmd) => {
                self.doctor.awaiting_password = Some(b.name.clone());
                self.info("Running the password command…");
                vec![Cmd::Local(LocalCmd::RunPasswordCmd {
                    name: b.name,
                    cmd: cmd.clone(),
                })]
            }
            PasswordSource::Ask => {
                self.error(format!(
                    "{} asks for its password: connect to it (Enter), then press D",
                    short(&b.name)
                ));
                vec![]
            }
        }
    }

    /// The password the doctor waited for; `None` when this secret was not for it.
    pub(super) fn doctor_secret(
        &mut self,
        name: &str,
        result: &Result<Option<Secret>, String>,
    ) -> Option<Vec<Cmd>> {
        if self.doctor.awaiting_password.as_deref() != Some(name) {
            return None;
        }
        self.doctor.awaiting_password = None;
        let b = self.server.bookmarks.find(name).cloned()?;
        Some(match result {
            Ok(Some(secret)) => self.start_doctor(b.to_profile(Some(secret.clone())), Some(b.name)),
            Ok(None) => {
                self.error(format!(
                    "No saved password for {}: connect to it (Enter), then press D",
                    short(name)
                ));
                vec![]
            }
            Err(e) => {
                self.error(format!("Password: {e}"));
                vec![]
            }
        })
    }

    pub(super) fn start_doctor(&mut self, profile: Profile, bookmark: Option<String>) -> Vec<Cmd> {
        let id = self.next_id();
        let label = profile.label();
        let job = Job::doctor(id, profile);
        self.tasks.list.add(job.clone());
        self.tasks.shown = true;
        self.doctor.runs.push((id, bookmark));
        self.info(format!(
            "Connection doctor: probing {}… (task panel: t; x cancels)",
            short(&label)
        ));
        vec![Cmd::Transfer(TransferCmd::Enqueue(vec![job]))]
    }

    /// A doctor task ended with its report: show it.
    pub(super) fn open_doctor_report(&mut self, id: JobId, report: &crate::doctor::Report) {
        let bookmark = self
            .doctor
            .runs
            .iter()
            .position(|(i, _)| *i == id)
            .and_then(|at| self.doctor.runs.remove(at).1);
        let verdict = match (report.fatal.as_deref(), report.exit_status()) {
            (Some(why), _) => format!("Connection doctor: cannot go on — {}", short(why)),
            (None, crate::doctor::ALL_GOOD) => "Connection doctor: everything works".to_string(),
            (None, _) => "Connection doctor: works, with warnings".to_string(),
        };
        self.info(verdict);
        self.dialogs.push(Dialog::Doctor(Box::new(DoctorView {
            report: report.clone(),
            bookmark,
            scroll: 0,
        })));
    }

    /// A doctor task that ended without a report (cancelled, failed) is forgotten.
    pub(super) fn forget_doctor(&mut self, id: JobId) {
        self.doctor.runs.retain(|(i, _)| *i != id);
    }

    /// Keys of the report overlay (fixed: moves, `s` save, `Esc`/`q`/`Enter` close).
    pub(super) fn on_doctor_key(&mut self, key: KeyEvent, mut view: Box<DoctorView>) -> Vec<Cmd> {
        let width = overlay_text_width(self.screen.width);
        let lines = crate::doctor::wrapped_lines(&view.report, width).len();
        let page = usize::from(self.screen.height.saturating_sub(8)).max(1);
        let last = lines.saturating_sub(1);
        match key.code {
            KeyCode::Esc | KeyCode::Char('q') | KeyCode::Enter => {
                self.dialogs.close();
                return vec![];
            }
            KeyCode::Char('s') => return self.save_doctor_settings(&view),
            code => {
                let code = match code {
                    KeyCode::Char(' ') => KeyCode::PageDown,
                    KeyCode::Char('g') => KeyCode::Home,
                    KeyCode::Char('G') => KeyCode::End,
                    other => other,
                };
                match super::modal::scrolled(code, view.scroll, last, page) {
                    Some(to) => view.scroll = to,
                    None => return vec![],
                }
            }
        }
        self.dialogs.close();
        self.dialogs.push(Dialog::Doctor(view));
        vec![]
    }

    /// `s`: the recommended settings into the bookmark (and the connection made from it).
    fn save_doctor_settings(&mut self, view: &DoctorView) -> Vec<Cmd> {
        if view.report.fatal.is_some() {
            self.error("The doctor could not go on: nothing to save");
            return vec![];
        }
        let Some(name) = view.bookmark.clone() else {
            self.error(
                "Not a bookmark's server: save it as a bookmark first (o, then Ctrl-S), then run D again",
            );
            return vec![];
        };
        if let Some(why) = &self.server.bookmarks_broken {
            self.error(format!(
                "bookmarks.toml is broken, not saved: {}",
                short(why)
            ));
            return vec![];
        }
        let Some(mut b) = self.server.bookmarks.find(&name).cloned() else {
            self.error(format!("No bookmark named {} any more", short(&name)));
            return vec![];
        };
        let changed = view.report.apply_to(&mut b);
        if changed == 0 {
            self.info(format!(
                "{} already has the recommended settings",
                short(&name)
            ));
            return vec![];
        }
        if self.server.current_bookmark.as_deref() == Some(name.as_str()) {
            if let Some(p) = &mut self.server.profile {
                p.data_mode = b.data_mode;
                p.trust_pasv_address = b.trust_pasv_address;
                p.security = b.security;
                p.port = b.port;
            }
        }
        let what: Vec<String> = view.report.changes().map(|r| r.setting.toml()).collect();
        self.server.bookmarks.upsert(b);
        self.info(format!("Saved into {}: {}", short(&name), what.join(", ")));
        vec![self.save_bookmarks()]
    }
}
