//! Modal dialogs: they take the keyboard until they are closed.

use std::path::PathBuf;

use super::Side;
use super::textfield::TextField;
use crate::transfer::JobId;

/// The modal dialogs, topmost last (it has the keyboard), and the help overlay.
#[derive(Debug, Default)]
pub struct Dialogs {
    stack: Vec<Dialog>,
    /// The help overlay is shown (over everything).
    pub help: bool,
    /// Rows the help is scrolled down, where it does not all fit.
    pub help_scroll: usize,
}

impl Dialogs {
    /// The dialog that has the keyboard.
    pub fn top(&self) -> Option<&Dialog> {
        self.stack.last()
    }

    pub fn top_mut(&mut self) -> Option<&mut Dialog> {
        self.stack.last_mut()
    }

    pub fn is_open(&self) -> bool {
        !self.stack.is_empty()
    }

    /// Show `d` in place of the dialog that led to it (or on its own).
    pub fn show(&mut self, d: Dialog) {
        self.stack.pop();
        self.stack.push(d);
    }

    /// Open `d` over the current dialog, which comes back when `d` closes.
    pub fn push(&mut self, d: Dialog) {
        self.stack.push(d);
    }

    /// Close the topmost dialog (the one below, if any, has the keyboard again).
    pub fn close(&mut self) -> Option<Dialog> {
        self.stack.pop()
    }

    /// Close every dialog.
    pub fn close_all(&mut self) {
        self.stack.clear();
    }

    /// How many dialogs are open.
    pub fn depth(&self) -> usize {
        self.stack.len()
    }
}

/// What a one-line input dialog is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputPurpose {
    Mkdir,
    Rename {
        from: String,
    },
    /// `recursive` is `Some` for a remote directory: Tab toggles applying the mode to
    /// everything inside it too.
    Chmod {
        name: String,
        recursive: Option<bool>,
    },
}

/// A modal dialog over the panes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dialog {
    /// Masked password entry for `label` (user@host).
    Password {
        label: String,
        input: TextField,
        /// Why we ask again (the last attempt's error).
        error: Option<String>,
    },
    /// The destination of a transfer exists: what now?
    Overwrite { id: JobId, apply_to_all: bool },
    /// Quit although transfers are running?
    ConfirmQuit,
    /// The server's certificate is not trusted: trust it once, always, or cancel.
    TrustCert { fingerprint: String, reason: String },
    /// A name or permissions for a file operation on `side`.
    Input {
        side: Side,
        purpose: InputPurpose,
        input: TextField,
    },
    /// Delete these `(name, is_dir)` entries of `side`?
    ConfirmDelete {
        side: Side,
        targets: Vec<(String, bool)>,
    },
    /// A rename onto a name that exists: replace it?
    ConfirmReplace {
        side: Side,
        from: String,
        to: String,
    },
    /// The edited copy of a remote file changed: upload it back?
    ConfirmUpload { local: PathBuf, remote: String },
    /// The last run left transfers for this server: resume them?
    ResumeQueue {
        files: usize,
        dirs: usize,
        bytes: u64,
        failed: usize,
    },
    /// The bookmark list (also the start screen without a URL).
    Bookmarks { cursor: usize },
    /// The connection form: quick connect, a new or an edited bookmark.
    Form(Box<super::form::Form>),
    /// Delete this bookmark?
    ConfirmDeleteBookmark { name: String },
    /// Select (or unselect) the entries whose names match a glob pattern.
    Glob { select: bool, input: TextField },
    /// Synchronize's options (the form is `App::sync.form`).
    SyncOptions,
    /// Synchronize's plan (`App::sync.plan`).
    SyncPlan,
    /// The connection doctor's report.
    Doctor(Box<super::doctor::DoctorView>),
    /// Run a plan that deletes this many files and directories (on the server when `remote`)?
    ConfirmSyncDelete {
        files: usize,
        dirs: usize,
        remote: bool,
    },
}

impl Dialog {
    /// The dialog's text field that has the keyboard, if any.
    pub fn text_field_mut(&mut self) -> Option<&mut TextField> {
        match self {
            Dialog::Password { input, .. }
            | Dialog::Input { input, .. }
            | Dialog::Glob { input, .. } => Some(input),
            Dialog::Form(form) => form.text_field_mut(),
            _ => None,
        }
    }
}

/// Shell-style glob match: `*` any run, `?` one character, case-insensitive.
pub fn glob_match(pattern: &str, name: &str) -> bool {
    // Character by character: lowercasing a whole string can change its length ('İ' becomes
    // two characters) or depend on context (final sigma), and `?` is one character of the name.
    let same = |a: char, b: char| a == b || a.to_lowercase().eq(b.to_lowercase());
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    let (mut pi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        // A `*` is a wildcard even where the name has a literal '*'.
        if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ni));
            pi += 1;
        } else if pi < p.len() && (p[pi] == '?' || same(p[pi], n[ni])) {
            pi += 1;
            ni += 1;
        } else if let Some((sp, sn)) = star {
            pi = sp + 1;
            ni = sn + 1;
            star = Some((sp, sn + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn globs() {
        assert!(glob_match("*.txt", "notes.TXT"));
        assert!(glob_match("f?le*", "file-1.log"));
        assert!(!glob_match("*.txt", "notes.txt.bak"));
        assert!(glob_match("*", ""));
        assert!(glob_match("a*b*c", "aXXbYYc"));
        assert!(!glob_match("a*b*c", "aXXbYY"));
        assert!(glob_match("?", "İ"));
        assert!(glob_match("*Σ", "ΑΣ"));
        assert!(glob_match("*", "*x"));
    }
}
