//! Bookmarks and recent connections: `bookmarks.toml` in the config dir, rewritten atomically
//! with mode 0600. There is no field for a password: saved ones live in `secrets`.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Deserializer, Serialize, Serializer, de::Error as _};

use crate::remote::{DataMode, Profile, Secret, Security};

/// How many recent connections are kept.
pub const RECENT_MAX: usize = 10;

/// One save at a time within the process (concurrent writers would share a temp file).
static SAVE_LOCK: Mutex<()> = Mutex::new(());

/// First lines of the file; comments the user adds elsewhere are not kept.
const HEADER: &str = "\
# ftpdeck bookmarks. Managed by ftpdeck; safe to edit by hand while ftpdeck is not running
# (other comments are not kept). Passwords are never stored here: password = \"ask\" | \"saved\"
# (keyring or secrets.toml) | \"none\", or password_cmd = \"command printing the password\".

";

/// Where a bookmark's password comes from when connecting.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum PasswordSource {
    /// Ask at connect time and keep it in memory for the session.
    #[default]
    Ask,
    /// Saved under the bookmark's name in the keyring or the secrets file (see `secrets`).
    Saved,
    /// `password_cmd`: run with `sh -c`, the first line of its output is the password.
    Command(String),
    /// No password: anonymous login, or an empty password.
    None,
}

/// A saved server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bookmark {
    /// Unique in the store; also the key of a saved password.
    pub name: String,
    pub host: String,
    pub port: u16,
    pub user: String,
    pub password: PasswordSource,
    pub security: Security,
    pub data_mode: DataMode,
    /// See `Profile::trust_pasv_address`.
    pub trust_pasv_address: bool,
    /// Start directory; empty means the server's login directory.
    pub remote_dir: String,
    /// Directory the local pane switches to on connect.
    pub local_dir: Option<PathBuf>,
    pub note: Option<String>,
    /// SHA-256 fingerprint (hex) of a certificate the user chose to trust.
    pub pinned_cert: Option<String>,
}

/// A past connection (no password), newest first in `Store::recent`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recent {
    pub host: String,
    pub port: u16,
    pub user: String,
    #[serde(default, with = "security_text")]
    pub security: Security,
    #[serde(default, with = "data_mode_text")]
    pub data_mode: DataMode,
    #[serde(default)]
    pub remote_dir: String,
    /// When, in Unix seconds.
    pub at: i64,
}

/// Everything in `bookmarks.toml`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Store {
    pub bookmarks: Vec<Bookmark>,
    /// At most `RECENT_MAX`, newest first.
    pub recent: Vec<Recent>,
}

/// Why `load` failed; the file is left as it was.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file exists but cannot be read.
    #[error("{}: {}", path.display(), crate::local::plain_io_error(source))]
    Io { path: PathBuf, source: io::Error },
    /// The file is not valid bookmarks TOML; `line` is 1-based.
    #[error("{}:{line}: {message}", path.display())]
    Parse {
        path: PathBuf,
        line: usize,
        message: String,
    },
}

fn is_anonymous(user: &str) -> bool {
    user.is_empty() || user.eq_ignore_ascii_case("anonymous") || user.eq_ignore_ascii_case("ftp")
}

/// The password a profile gets when none was supplied: the anonymous convention, or `None`
/// (the UI asks).
fn implicit_password(user: &str, source_is_none: bool) -> Option<Secret> {
    match (source_is_none, is_anonymous(user)) {
        (true, true) => Some(Secret::new("ftpdeck@")),
        (true, false) => Some(Secret::new("")),
        (false, _) => None,
    }
}

impl Bookmark {
    /// The connection this bookmark describes, with the password the caller obtained (asked,
    /// looked up or from the command); `PasswordSource::None` fills in an empty/anonymous one.
    pub fn to_profile(&self, password: Option<Secret>) -> Profile {
        let none = self.password == PasswordSource::None;
        Profile {
            host: self.host.clone(),
            port: self.port,
            user: self.user.clone(),
            password: password.or_else(|| implicit_password(&self.user, none)),
            path: self.remote_dir.clone(),
            security: self.security,
            data_mode: self.data_mode,
            trust_pasv_address: self.trust_pasv_address,
            pinned_cert: self.pinned_cert.clone(),
        }
    }

    /// A bookmark for `profile`, never copying its password (anonymous users get
    /// `PasswordSource::None`, others `Ask`).
    pub fn from_profile(name: impl Into<String>, profile: &Profile) -> Bookmark {
        Bookmark {
            name: name.into(),
            host: profile.host.clone(),
            port: profile.port,
            user: profile.user.clone(),
            password: if is_anonymous(&profile.user) {
                PasswordSource::None
            } else {
                PasswordSource::Ask
            },
            security: profile.security,
            data_mode: profile.data_mode,
            trust_pasv_address: profile.trust_pasv_address,
            remote_dir: profile.path.clone(),
            local_dir: None,
            note: None,
            pinned_cert: profile.pinned_cert.clone(),
        }
    }
}

impl Recent {
    /// The connection to repeat; the password is asked for again (anonymous users excepted).
    pub fn to_profile(&self) -> Profile {
        Profile {
            host: self.host.clone(),
            port: self.port,
            user: self.user.clone(),
            password: is_anonymous(&self.user).then(|| Secret::new("ftpdeck@")),
            path: self.remote_dir.clone(),
            security: self.security,
            data_mode: self.data_mode,
            ..Profile::default()
        }
    }
}

impl Store {
    /// The bookmark called `name`.
    pub fn find(&self, name: &str) -> Option<&Bookmark> {
        self.bookmarks.iter().find(|b| b.name == name)
    }

    /// Add `bookmark`, or replace the one with the same name (keeping its place).
    pub fn upsert(&mut self, bookmark: Bookmark) {
        match self.bookmarks.iter_mut().find(|b| b.name == bookmark.name) {
            Some(slot) => *slot = bookmark,
            None => self.bookmarks.push(bookmark),
        }
    }

    /// Rename a bookmark (`new` is trimmed). A saved password is keyed by name: move it with
    /// `secrets::rename`.
    pub fn rename(&mut self, old: &str, new: &str) -> Result<(), String> {
        let new = new.trim();
        if new.is_empty() {
            return Err("a bookmark needs a name".into());
        }
        if new != old && self.find(new).is_some() {
            return Err(format!("a bookmark named {new:?} already exists"));
        }
        let b = self
            .bookmarks
            .iter_mut()
            .find(|b| b.name == old)
            .ok_or_else(|| format!("no bookmark named {old:?}"))?;
        b.name = new.to_string();
        Ok(())
    }

    /// Remove and return the bookmark called `name` (its saved password stays until
    /// `secrets::forget`).
    pub fn remove(&mut self, name: &str) -> Option<Bookmark> {
        let i = self.bookmarks.iter().position(|b| b.name == name)?;
        Some(self.bookmarks.remove(i))
    }

    /// Put a connection at the front of `recent` (dropping an older entry for the same
    /// host, port and user) and keep the newest `RECENT_MAX`.
    pub fn remember(&mut self, profile: &Profile, now: i64) {
        self.recent.retain(|r| {
            !(r.host.eq_ignore_ascii_case(&profile.host)
                && r.port == profile.port
                && r.user == profile.user)
        });
        self.recent.insert(
            0,
            Recent {
                host: profile.host.clone(),
                port: profile.port,
                user: profile.user.clone(),
                security: profile.security,
                data_mode: profile.data_mode,
                remote_dir: profile.path.clone(),
                at: now,
            },
        );
        self.recent.truncate(RECENT_MAX);
    }
}

/// Where the bookmarks live: `$FTPDECK_BOOKMARKS`, else `bookmarks.toml` in the config dir.
pub fn bookmarks_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("FTPDECK_BOOKMARKS") {
        return Some(PathBuf::from(p));
    }
    directories::ProjectDirs::from("", "", "ftpdeck").map(|d| d.config_dir().join("bookmarks.toml"))
}

/// Read the store; a missing file is an empty store.
pub fn load(path: &Path) -> Result<Store, LoadError> {
    let bytes = match fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Store::default()),
        Err(source) => {
            return Err(LoadError::Io {
                path: path.into(),
                source,
            });
        }
    };
    parse(&bytes).map_err(|(line, message)| LoadError::Parse {
        path: path.into(),
        line,
        message,
    })
}

/// Write the store atomically (mode 0600, directory 0700 if created). Refuses to replace a
/// file that does not parse, so a hand-edited file with a typo is never lost.
pub fn save(path: &Path, store: &Store) -> io::Result<()> {
    let mut text = String::from(HEADER);
    text.push_str(&render(store)?);
    let _guard = SAVE_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    if let Ok(Err((line, message))) = fs::read(path).map(|old| parse(&old)) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "{}:{line}: {message} — fix or remove the file; ftpdeck will not overwrite it",
                path.display()
            ),
        ));
    }
    crate::fsutil::write_private_atomic(path, text.as_bytes())
}

/// 1-based line of byte offset `at` in `text`.
fn line_of(text: &[u8], at: usize) -> usize {
    text[..at.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Parse file bytes; errors are (1-based line, message).
fn parse(bytes: &[u8]) -> Result<Store, (usize, String)> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        (
            line_of(bytes, e.valid_up_to()),
            "not valid UTF-8".to_string(),
        )
    })?;
    let file: FileIn = toml::from_str(text).map_err(|e| {
        let line = e.span().map_or(1, |s| line_of(bytes, s.start));
        (line, e.message().trim().to_string())
    })?;
    Ok(Store {
        bookmarks: file.bookmark.into_iter().map(|b| b.0).collect(),
        recent: file.recent,
    })
}

fn render(store: &Store) -> io::Result<String> {
    let bookmark = store
        .bookmarks
        .iter()
        .map(RawBookmark::from_bookmark)
        .collect::<io::Result<Vec<_>>>()?;
    let file = FileOut {
        bookmark,
        recent: &store.recent,
    };
    toml::to_string(&file).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))
}

// ---- the file format -------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileIn {
    #[serde(default)]
    bookmark: Vec<ParsedBookmark>,
    #[serde(default)]
    recent: Vec<Recent>,
}

#[derive(Serialize)]
struct FileOut<'a> {
    bookmark: Vec<RawBookmark>,
    recent: &'a [Recent],
}

#[derive(Deserialize)]
#[serde(try_from = "RawBookmark")]
struct ParsedBookmark(Bookmark);

/// `password` in the file: the word, never the password itself.
#[derive(Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum PasswordWord {
    Ask,
    Saved,
    None,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBookmark {
    name: String,
    host: String,
    port: Option<u16>,
    user: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    password: Option<PasswordWord>,
    #[serde(skip_serializing_if = "Option::is_none")]
    password_cmd: Option<String>,
    #[serde(default, with = "security_text")]
    security: Security,
    #[serde(default, with = "data_mode_text")]
    data_mode: DataMode,
    #[serde(default)]
    trust_pasv_address: bool,
    #[serde(default)]
    remote_dir: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    local_dir: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pinned_cert: Option<String>,
}

impl RawBookmark {
    fn from_bookmark(b: &Bookmark) -> io::Result<RawBookmark> {
        let local_dir = match &b.local_dir {
            None => None,
            Some(p) => Some(p.to_str().map(str::to_string).ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("bookmark {:?}: the local directory is not UTF-8", b.name),
                )
            })?),
        };
        let (password, password_cmd) = match &b.password {
            PasswordSource::Ask => (Some(PasswordWord::Ask), None),
            PasswordSource::Saved => (Some(PasswordWord::Saved), None),
            PasswordSource::None => (Some(PasswordWord::None), None),
            PasswordSource::Command(cmd) => (None, Some(cmd.clone())),
        };
        Ok(RawBookmark {
            name: b.name.clone(),
            host: b.host.clone(),
            port: Some(b.port),
            user: Some(b.user.clone()),
            password,
            password_cmd,
            security: b.security,
            data_mode: b.data_mode,
            trust_pasv_address: b.trust_pasv_address,
            remote_dir: b.remote_dir.clone(),
            local_dir,
            note: b.note.clone(),
            pinned_cert: b.pinned_cert.clone(),
        })
    }
}

impl TryFrom<RawBookmark> for ParsedBookmark {
    type Error = String;
    fn try_from(r: RawBookmark) -> Result<Self, String> {
        let user = r.user.unwrap_or_else(|| "anonymous".into());
        let password = match (r.password, r.password_cmd) {
            (None | Some(PasswordWord::Ask), Some(cmd)) => PasswordSource::Command(cmd),
            (Some(_), Some(_)) => {
                return Err(format!(
                    "bookmark {:?}: set password or password_cmd, not both",
                    r.name
                ));
            }
            (Some(PasswordWord::Ask), None) => PasswordSource::Ask,
            (Some(PasswordWord::Saved), None) => PasswordSource::Saved,
            (Some(PasswordWord::None), None) => PasswordSource::None,
            (None, None) if is_anonymous(&user) => PasswordSource::None,
            (None, None) => PasswordSource::Ask,
        };
        let default_port = if r.security == Security::ImplicitTls {
            990
        } else {
            21
        };
        Ok(ParsedBookmark(Bookmark {
            name: r.name,
            host: r.host,
            port: r.port.unwrap_or(default_port),
            user,
            password,
            security: r.security,
            data_mode: r.data_mode,
            trust_pasv_address: r.trust_pasv_address,
            remote_dir: r.remote_dir,
            local_dir: r.local_dir.map(PathBuf::from),
            note: r.note,
            pinned_cert: r.pinned_cert,
        }))
    }
}

impl<'de> Deserialize<'de> for PasswordWord {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // The message must not echo the value: it may be a password typed in by mistake.
        let bad = || {
            D::Error::custom(
                "password must be \"ask\", \"saved\" or \"none\"; this file never holds the \
                 password itself (use password_cmd, or save it from ftpdeck)",
            )
        };
        let word = String::deserialize(d).map_err(|_| bad())?;
        match word.as_str() {
            "ask" => Ok(PasswordWord::Ask),
            "saved" => Ok(PasswordWord::Saved),
            "none" => Ok(PasswordWord::None),
            _ => Err(bad()),
        }
    }
}

/// `Security` as "none" | "explicit" | "implicit".
mod security_text {
    use super::*;

    pub fn serialize<S: Serializer>(v: &Security, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(match v {
            Security::Plain => "none",
            Security::ExplicitTls => "explicit",
            Security::ImplicitTls => "implicit",
        })
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Security, D::Error> {
        match String::deserialize(d)?.as_str() {
            "none" => Ok(Security::Plain),
            "explicit" => Ok(Security::ExplicitTls),
            "implicit" => Ok(Security::ImplicitTls),
            other => Err(D::Error::custom(format!(
                "security must be \"none\", \"explicit\" or \"implicit\", not {other:?}"
            ))),
        }
    }
}

/// `DataMode` as "passive" | "active".
mod data_mode_text {
    use super::*;

    pub fn serialize<S: Serializer>(v: &DataMode, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(match v {
            DataMode::Passive => "passive",
            DataMode::Active => "active",
        })
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DataMode, D::Error> {
        match String::deserialize(d)?.as_str() {
            "passive" => Ok(DataMode::Passive),
            "active" => Ok(DataMode::Active),
            other => Err(D::Error::custom(format!(
                "data_mode must be \"passive\" or \"active\", not {other:?}"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Store {
        let mut store = Store::default();
        let mut work = Bookmark::from_profile(
            "work \"main\" ✓",
            &Profile {
                host: "ftp.example.com".into(),
                port: 2121,
                user: "alice".into(),
                password: Some(Secret::new("hunter2-secret")),
                path: "/srv/www".into(),
                security: Security::ExplicitTls,
                data_mode: DataMode::Active,
                trust_pasv_address: true,
                pinned_cert: Some("ab".repeat(32)),
            },
        );
        work.local_dir = Some(PathBuf::from("/home/alice/site"));
        work.note = Some("deploys go here\nsecond line".into());
        work.password = PasswordSource::Saved;
        store.upsert(work);
        let mut cmd = Bookmark::from_profile("cmd", &Profile::anonymous("10.0.0.1", 990));
        cmd.user = "bob".into();
        cmd.security = Security::ImplicitTls;
        cmd.password = PasswordSource::Command("pass show 'ftp/bob' | head -n1".into());
        store.upsert(cmd);
        store.upsert(Bookmark::from_profile(
            "gnu",
            &Profile::anonymous("ftp.gnu.org", 21),
        ));
        let mut ask = Bookmark::from_profile("ask", &Profile::anonymous("::1", 21));
        ask.user = "carol".into();
        ask.password = PasswordSource::Ask;
        store.upsert(ask);
        store.remember(&Profile::anonymous("ftp.gnu.org", 21), 1_700_000_000);
        store
    }

    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn round_trip_keeps_everything_in_readable_toml() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bookmarks.toml");
        let store = sample();
        save(&path, &store).unwrap();
        assert_eq!(load(&path).unwrap(), store);
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("# ftpdeck bookmarks. Managed by ftpdeck; safe to edit"));
        for expected in [
            "[[bookmark]]",
            "security = \"explicit\"",
            "security = \"implicit\"",
            "security = \"none\"",
            "data_mode = \"active\"",
            "data_mode = \"passive\"",
            "password = \"saved\"",
            "password = \"none\"",
            "password = \"ask\"",
            "password_cmd = ",
            "[[recent]]",
        ] {
            assert!(text.contains(expected), "{expected} missing in:\n{text}");
        }
        // Saving what was loaded changes nothing.
        save(&path, &load(&path).unwrap()).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), text);
    }

    #[test]
    fn a_missing_file_is_an_empty_store_and_hand_written_entries_get_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bookmarks.toml");
        assert_eq!(load(&path).unwrap(), Store::default());
        fs::write(
            &path,
            "[[bookmark]]\nname = \"a\"\nhost = \"h\"\n\n[[bookmark]]\nname = \"b\"\nhost = \"h\"\nuser = \"me\"\nsecurity = \"implicit\"\n",
        )
        .unwrap();
        let store = load(&path).unwrap();
        let a = store.find("a").unwrap();
        assert_eq!((a.port, a.user.as_str()), (21, "anonymous"));
        assert_eq!(a.password, PasswordSource::None);
        let b = store.find("b").unwrap();
        assert_eq!((b.port, b.security), (990, Security::ImplicitTls));
        assert_eq!(b.password, PasswordSource::Ask);
    }

    #[test]
    fn the_file_is_0600_and_a_new_directory_0700() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new/config/bookmarks.toml");
        save(&path, &sample()).unwrap();
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(path.parent().unwrap()), 0o700);
        // A file that was readable by others is replaced by a private one.
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        save(&path, &Store::default()).unwrap();
        assert_eq!(mode(&path), 0o600);
        assert_eq!(
            entries(path.parent().unwrap()),
            ["bookmarks.toml"],
            "no temp file left"
        );
    }

    #[test]
    fn a_save_killed_mid_write_leaves_the_old_file_intact() {
        use std::os::unix::process::ExitStatusExt;
        // In the child process this test runs itself in: just save, and be killed doing it.
        if let Some(path) = std::env::var_os("FTPDECK_TEST_DOOMED_SAVE") {
            let _ = save(Path::new(&path), &Store::default());
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bookmarks.toml");
        save(&path, &sample()).unwrap();
        let before = fs::read(&path).unwrap();

        // `ulimit -f 0`: the first byte written to a file kills the saving process, as a crash
        // or power cut would (this works as root too, unlike a read-only directory).
        let status = std::process::Command::new("sh")
            .arg("-c")
            .arg("ulimit -f 0; exec \"$0\" --exact bookmarks::tests::a_save_killed_mid_write_leaves_the_old_file_intact")
            .arg(std::env::current_exe().unwrap())
            .env("FTPDECK_TEST_DOOMED_SAVE", &path)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .unwrap();
        assert_eq!(status.signal(), Some(25), "killed by SIGXFSZ: {status:?}");
        assert_eq!(fs::read(&path).unwrap(), before, "the old file is intact");
        let names = entries(dir.path());
        assert_eq!(
            names.len(),
            2,
            "the dead save left its temp file: {names:?}"
        );

        // Nothing reads the stray temp file, and the next save works.
        assert_eq!(load(&path).unwrap(), sample());
        let mut changed = sample();
        changed.remove("gnu");
        save(&path, &changed).unwrap();
        assert_eq!(load(&path).unwrap(), changed);
    }

    #[test]
    fn a_broken_file_is_reported_with_its_line_and_kept_byte_for_byte() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bookmarks.toml");
        let text = "# mine\n[[bookmark]]\nname = \"x\"\nhost = \"h\"\nport = \n";
        fs::write(&path, text).unwrap();
        let err = load(&path).unwrap_err();
        assert!(matches!(err, LoadError::Parse { line: 5, .. }), "{err:?}");
        let shown = err.to_string();
        assert!(
            shown.starts_with(&format!("{}:5: ", path.display())),
            "{shown}"
        );
        // Saving over it is refused, so the user's edits survive.
        let refused = save(&path, &sample()).unwrap_err();
        assert!(refused.to_string().contains(":5: "), "{refused}");
        assert_eq!(fs::read(&path).unwrap(), text.as_bytes());
        assert_eq!(entries(dir.path()), ["bookmarks.toml"]);

        // Bytes: the last one is not UTF-8.
        let cases: [(&[u8], usize, &str); 5] = [
            (
                b"[[bookmark]]\nname = \"x\"\nhost = \"h\"\nsecurity = \"tls\"\n",
                4,
                "security must be",
            ),
            (
                b"[[bookmark]]\nname = \"x\"\nhost = \"h\"\nremote_dri = \"/\"\n",
                4,
                "remote_dri",
            ),
            (b"\n[[recent]]\nhost = \"h\"\n", 2, "missing field"),
            (b"[[bookmark]]\nname = \"x\"\nhost = \"h\"\npassword = \"saved\"\npassword_cmd = \"c\"\n", 1, "not both"),
            (b"a = 1\n\n\xff\n", 3, "UTF-8"),
        ];
        for (text, line, needle) in cases {
            fs::write(&path, text).unwrap();
            let err = load(&path).unwrap_err();
            let text = String::from_utf8_lossy(text);
            let LoadError::Parse {
                line: got, message, ..
            } = &err
            else {
                panic!("{err:?}")
            };
            assert_eq!(*got, line, "{text:?}: {err}");
            assert!(message.contains(needle), "{text:?}: {err}");
        }
    }

    #[test]
    fn passwords_never_reach_the_file_or_its_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bookmarks.toml");
        let profile = Profile {
            host: "h".into(),
            user: "alice".into(),
            password: Some(Secret::new("s3cret-pw")),
            ..Profile::default()
        };
        let mut store = Store::default();
        store.upsert(Bookmark::from_profile("b", &profile));
        store.remember(&profile, 1);
        save(&path, &store).unwrap();
        assert!(!fs::read_to_string(&path).unwrap().contains("s3cret-pw"));
        assert_eq!(
            load(&path).unwrap().bookmarks[0].to_profile(None).password,
            None
        );

        // A password typed into the file by mistake is refused without being repeated.
        fs::write(
            &path,
            "[[bookmark]]\nname = \"b\"\nhost = \"h\"\npassword = \"s3cret-pw\"\n",
        )
        .unwrap();
        let err = load(&path).unwrap_err().to_string();
        assert!(
            err.contains(":4: password must be") && !err.contains("s3cret"),
            "{err}"
        );
    }

    #[test]
    fn profiles_convert_without_passwords() {
        let b = sample().find("cmd").cloned().unwrap();
        let p = b.to_profile(Some(Secret::new("pw")));
        assert_eq!(p.password, Some(Secret::new("pw")));
        assert_eq!((p.port, p.security), (990, Security::ImplicitTls));
        assert_eq!(
            Bookmark::from_profile("cmd", &p).password,
            PasswordSource::Ask
        );
        // PasswordSource::None means "send the anonymous/empty password", not "ask".
        let gnu = sample().find("gnu").cloned().unwrap();
        assert_eq!(gnu.to_profile(None).password, Some(Secret::new("ftpdeck@")));
        let mut empty = gnu.clone();
        empty.user = "kiosk".into();
        assert_eq!(empty.to_profile(None).password, Some(Secret::new("")));
        let recent = &sample().recent[0];
        assert_eq!(recent.to_profile().label(), "anonymous@ftp.gnu.org");
    }

    #[test]
    fn remember_keeps_the_newest_ten_without_duplicates() {
        let mut store = Store::default();
        for i in 0..12 {
            store.remember(&Profile::anonymous(format!("host{i}"), 21), i);
        }
        assert_eq!(store.recent.len(), RECENT_MAX);
        assert_eq!(store.recent[0].host, "host11");
        assert_eq!(store.recent[9].host, "host2");
        let mut again = Profile::anonymous("HOST5", 21);
        again.path = "/pub".into();
        store.remember(&again, 100);
        assert_eq!(store.recent.len(), RECENT_MAX);
        assert_eq!(
            (store.recent[0].host.as_str(), store.recent[0].at),
            ("HOST5", 100)
        );
        assert_eq!(store.recent[0].remote_dir, "/pub");
        assert_eq!(
            store
                .recent
                .iter()
                .filter(|r| r.host.eq_ignore_ascii_case("host5"))
                .count(),
            1
        );
        // Another user or port is another entry.
        store.remember(&Profile::anonymous("HOST5", 2121), 101);
        assert_eq!(store.recent.iter().filter(|r| r.host == "HOST5").count(), 2);
    }

    #[test]
    fn upsert_rename_and_remove() {
        let mut store = sample();
        let mut gnu = store.find("gnu").cloned().unwrap();
        gnu.port = 2121;
        store.upsert(gnu);
        assert_eq!(store.bookmarks.len(), 4);
        assert_eq!(store.bookmarks[2].port, 2121, "replaced in place");

        assert!(
            store
                .rename("gnu", "cmd")
                .unwrap_err()
                .contains("already exists")
        );
        assert!(store.rename("gnu", "  ").is_err());
        assert!(
            store
                .rename("nope", "x")
                .unwrap_err()
                .contains("no bookmark")
        );
        store.rename("gnu", "gnu").unwrap();
        store.rename("gnu", " GNU mirror ").unwrap();
        assert!(store.find("gnu").is_none());
        assert_eq!(store.find("GNU mirror").unwrap().port, 2121);

        assert_eq!(store.remove("GNU mirror").unwrap().host, "ftp.gnu.org");
        assert!(store.remove("GNU mirror").is_none());
        assert_eq!(store.bookmarks.len(), 3);
    }
}
