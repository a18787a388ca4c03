//! The connection form (quick connect, new and edited bookmarks): fields, editing, and
//! turning it into a bookmark.

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::textfield::{FieldOutcome, TextField};
use crate::bookmarks::{Bookmark, PasswordSource};
use crate::remote::{DataMode, Secret, Security};
use crate::transfer::limit::Limits;

/// Field positions.
pub const NAME: usize = 0;
pub const HOST: usize = 1;
pub const PORT: usize = 2;
pub const USER: usize = 3;
pub const PASSWORD: usize = 4;
pub const KEEP: usize = 5;
pub const PASS_CMD: usize = 6;
pub const TLS: usize = 7;
pub const MODE: usize = 8;
pub const REMOTE_DIR: usize = 9;
pub const LOCAL_DIR: usize = 10;
pub const NOTE: usize = 11;
pub const PASV_ADDR: usize = 12;
pub const LIMIT: usize = 13;
pub const CHARSET: usize = 14;

/// The labels, in order; choice fields list their options.
pub const LABELS: [&str; 15] = [
    "Name",
    "Host",
    "Port",
    "User",
    "Password",
    "Keep password",
    "Password command",
    "TLS",
    "Mode",
    "Remote dir",
    "Local dir",
    "Note",
    "Passive address",
    "Speed limit",
    "Charset",
];
const KEEP_CHOICES: [&str; 4] = [
    "ask each time",
    "save (keyring or 0600 file)",
    "run command",
    "none",
];
const TLS_CHOICES: [&str; 3] = ["none", "explicit (AUTH TLS)", "implicit (port 990)"];
const MODE_CHOICES: [&str; 2] = ["passive", "active"];
const PASV_CHOICES: [&str; 2] = [
    "the control connection's (NAT-safe)",
    "the one the server announces",
];

/// The form's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    /// Each field's text and cursor (choice fields hold the index as text).
    pub values: [TextField; 15],
    pub focus: usize,
    /// The bookmark being edited (its name before editing), if any.
    pub editing: Option<String>,
    pub error: Option<String>,
}

/// What a key did to the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormOutcome {
    Editing,
    Connect,
    Save,
    Cancel,
}

impl Form {
    /// An empty quick-connect form.
    pub fn new() -> Form {
        let mut values: [TextField; 15] = Default::default();
        values[PORT] = TextField::new("21");
        for field in [KEEP, TLS, MODE, PASV_ADDR] {
            values[field] = TextField::new("0");
        }
        Form {
            values,
            focus: HOST,
            editing: None,
            error: None,
        }
    }

    /// A form showing `b` (for editing it).
    pub fn from_bookmark(b: &Bookmark) -> Form {
        let mut f = Form::new();
        f.set(NAME, &b.name);
        f.set(HOST, &b.host);
        f.set(PORT, &b.port.to_string());
        f.set(USER, &b.user);
        let (keep, cmd) = match &b.password {
            PasswordSource::Ask => (0, String::new()),
            PasswordSource::Saved => (1, String::new()),
            PasswordSource::Command(c) => (2, c.clone()),
            PasswordSource::None => (3, String::new()),
        };
        f.set(KEEP, &keep.to_string());
        f.set(PASS_CMD, &cmd);
        f.set(TLS, &(b.security as usize).to_string());
        f.set(
            MODE,
            if b.data_mode == DataMode::Active {
                "1"
            } else {
                "0"
            },
        );
        f.set(PASV_ADDR, if b.trust_pasv_address { "1" } else { "0" });
        f.set(REMOTE_DIR, &b.remote_dir);
        if let Some(dir) = &b.local_dir {
            f.set(LOCAL_DIR, &dir.to_string_lossy());
        }
        f.set(NOTE, b.note.as_deref().unwrap_or_default());
        f.set(LIMIT, &limit_field(b.limits));
        if !b.charset.is_auto() {
            f.set(CHARSET, &b.charset.name());
        }
        f.editing = Some(b.name.clone());
        f.focus = NAME;
        f
    }

    /// The options of a choice field.
    pub fn choices(field: usize) -> Option<&'static [&'static str]> {
        match field {
            KEEP => Some(&KEEP_CHOICES),
            TLS => Some(&TLS_CHOICES),
            MODE => Some(&MODE_CHOICES),
            PASV_ADDR => Some(&PASV_CHOICES),
            _ => None,
        }
    }

    fn set(&mut self, field: usize, text: &str) {
        self.values[field] = TextField::new(text);
    }

    /// The text of a field.
    pub fn value(&self, field: usize) -> &str {
        self.values[field].text()
    }

    /// The focused field when it takes text (not a choice).
    pub fn text_field_mut(&mut self) -> Option<&mut TextField> {
        Form::choices(self.focus)
            .is_none()
            .then(|| &mut self.values[self.focus])
    }

    fn choice(&self, field: usize) -> usize {
        self.value(field).parse().unwrap_or(0)
    }

    /// What a field shows (masked password, choice label).
    pub fn display(&self, field: usize) -> String {
        match Form::choices(field) {
            Some(c) => format!("◂ {} ▸", c[self.choice(field).min(c.len() - 1)]),
            None if field == PASSWORD => "•".repeat(self.value(field).chars().count()),
            None if field == CHARSET && self.value(field).trim().is_empty() => "auto".into(),
            None => self.value(field).to_string(),
        }
    }

    /// Whether a field matters with the current choices (the password command only with
    /// "run command").
    pub fn relevant(&self, field: usize) -> bool {
        match field {
            PASS_CMD => self.choice(KEEP) == 2,
            PASSWORD => self.choice(KEEP) != 3,
            PASV_ADDR => self.choice(MODE) == 0,
            _ => true,
        }
    }

    fn step(&mut self, forward: bool) {
        for _ in 0..LABELS.len() {
            self.focus = if forward {
                (self.focus + 1) % LABELS.len()
            } else {
                (self.focus + LABELS.len() - 1) % LABELS.len()
            };
            if self.relevant(self.focus) {
                break;
            }
        }
    }

    fn cycle(&mut self, forward: bool) {
        if let Some(c) = Form::choices(self.focus) {
            let n = c.len();
            let i = self.choice(self.focus);
            let next = if forward {
                (i + 1) % n
            } else {
                (i + n - 1) % n
            };
            self.set(self.focus, &next.to_string());
            if self.focus == TLS && next == 2 && self.value(PORT) == "21" {
                self.set(PORT, "990");
            } else if self.focus == TLS && next != 2 && self.value(PORT) == "990" {
                self.set(PORT, "21");
            }
        }
    }

    /// Apply a key: Tab/Up/Down move between fields, Left/Right/Space change a choice, the
    /// text fields edit like every other text field.
    pub fn on_key(&mut self, key: &KeyEvent) -> FormOutcome {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let choice = Form::choices(self.focus).is_some();
        match key.code {
            KeyCode::Char('s') if ctrl => return FormOutcome::Save,
            KeyCode::Char('c') if ctrl => return FormOutcome::Cancel,
            KeyCode::Esc => return FormOutcome::Cancel,
            KeyCode::Enter => return FormOutcome::Connect,
            KeyCode::Tab | KeyCode::Down => self.step(true),
            KeyCode::BackTab | KeyCode::Up => self.step(false),
            KeyCode::Left if choice => self.cycle(false),
            KeyCode::Right | KeyCode::Char(' ') if choice => self.cycle(true),
            _ if choice => {}
            // The port takes digits only; its editing keys still work.
            KeyCode::Char(c) if self.focus == PORT && !ctrl && !c.is_ascii_digit() => {}
            _ => {
                if self.values[self.focus].on_key(key) == FieldOutcome::Ignored {
                    return FormOutcome::Editing;
                }
            }
        }
        self.error = None;
        FormOutcome::Editing
    }

    /// The bookmark the form describes and the password typed (if any); `need_name` for saving.
    pub fn to_bookmark(&self, need_name: bool) -> Result<(Bookmark, Option<Secret>), String> {
        let v: Vec<&str> = self.values.iter().map(TextField::text).collect();
        let host = v[HOST].trim().to_string();
        if host.is_empty() {
            return Err("a host is needed".into());
        }
        let port: u16 = v[PORT]
            .trim()
            .parse()
            .ok()
            .filter(|&p| p != 0)
            .ok_or_else(|| format!("port {:?} is not a number from 1 to 65535", v[PORT]))?;
        let name = v[NAME].trim().to_string();
        if need_name && name.is_empty() {
            return Err("a name is needed to save a bookmark".into());
        }
        let user = match v[USER].trim() {
            "" => "anonymous".to_string(),
            u => u.to_string(),
        };
        let password = match self.choice(KEEP) {
            0 => PasswordSource::Ask,
            1 => PasswordSource::Saved,
            2 if v[PASS_CMD].trim().is_empty() => {
                return Err("the password command is empty".into());
            }
            2 => PasswordSource::Command(v[PASS_CMD].trim().to_string()),
            _ => PasswordSource::None,
        };
        let security = match self.choice(TLS) {
            1 => Security::ExplicitTls,
            2 => Security::ImplicitTls,
            _ => Security::Plain,
        };
        let data_mode = if self.choice(MODE) == 1 {
            DataMode::Active
        } else {
            DataMode::Passive
        };
        let limits = parse_limit_field(v[LIMIT])?;
        let charset = crate::remote::encoding::Charset::parse(v[CHARSET])?;
        let opt = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        let typed = (!v[PASSWORD].is_empty()).then(|| Secret::new(v[PASSWORD]));
        Ok((
            Bookmark {
                name: if name.is_empty() {
                    format!("{user}@{host}")
                } else {
                    name
                },
                host,
                port,
                user,
                password,
                security,
                data_mode,
                trust_pasv_address: self.choice(PASV_ADDR) == 1 && data_mode == DataMode::Passive,
                remote_dir: v[REMOTE_DIR].trim().to_string(),
                local_dir: opt(v[LOCAL_DIR]).map(PathBuf::from),
                note: opt(v[NOTE]),
                pinned_cert: None,
                limits,
                charset,
            },
            typed,
        ))
    }
}

/// The speed-limit field: empty (none), one rate for both directions (`2M`), or `DOWN/UP`
/// (`2M/500K`, `none/1M`).
fn parse_limit_field(text: &str) -> Result<Limits, String> {
    use crate::transfer::limit::parse_limit;
    let bad = |e: String| format!("speed limit: {e} (write 2M, or 2M/500K for down/up)");
    match text.split_once('/') {
        None => parse_limit(text).map(Limits::both).map_err(bad),
        Some((down, up)) => Ok(Limits {
            down: parse_limit(down).map_err(bad)?,
            up: parse_limit(up).map_err(bad)?,
        }),
    }
}

/// The speed-limit field for `limits` (empty without any).
fn limit_field(limits: Limits) -> String {
    use crate::transfer::limit::limit_text;
    match (limits.down, limits.up) {
        (None, None) => String::new(),
        (d, u) if d == u => limit_text(d),
        (d, u) => format!("{}/{}", limit_text(d), limit_text(u)),
    }
}

impl Default for Form {
    fn default() -> Self {
        Form::new()
    }
}
