//! Bookmarks, recent connections and the store that holds them, and how they turn into
//! connection profiles.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::format::{charset_text, data_mode_text, security_text};
use crate::remote::{DataMode, Profile, Secret, Security};

/// How many recent connections are kept.
pub const RECENT_MAX: usize = 10;

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
    /// Speed limits while connected to this server, over the settings' ones.
    pub limits: crate::transfer::limit::Limits,
    /// The charset of the server's file names (`auto` by default).
    pub charset: crate::remote::encoding::Charset,
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
    /// The server's file-name charset, when not auto.
    #[serde(
        default,
        with = "charset_text",
        skip_serializing_if = "crate::remote::encoding::Charset::is_auto"
    )]
    pub charset: crate::remote::encoding::Charset,
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

pub(super) fn is_anonymous(user: &str) -> bool {
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
            limits: self.limits,
            charset: self.charset,
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
            limits: profile.limits,
            charset: profile.charset,
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
            charset: self.charset,
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
                charset: profile.charset,
                at: now,
            },
        );
        self.recent.truncate(RECENT_MAX);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bookmarks::fixtures::sample;

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
        assert!(recent.to_profile().charset.is_auto());
        // A recent connection keeps its charset, as a bookmark does.
        assert_eq!(sample().recent[1].to_profile().charset.name(), "big5");
        let work = sample().bookmarks[0].clone();
        assert_eq!(work.to_profile(None).charset.name(), "shift_jis");
        assert_eq!(
            Bookmark::from_profile("w", &work.to_profile(None)).charset,
            work.charset
        );
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
