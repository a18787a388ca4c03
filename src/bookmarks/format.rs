//! The TOML layout of `bookmarks.toml`: what is read, what is written, and the words that
//! stand for enums and password sources.

use crate::transfer::limit::{limit_text, parse_limit};
use std::io;
use std::path::PathBuf;

use serde::{Deserialize, Deserializer, Serialize, Serializer, de::Error as _};

use super::model::{Bookmark, PasswordSource, Recent, Store, is_anonymous};
use crate::remote::{DataMode, Security};

/// First lines of the file; comments the user adds elsewhere are not kept.
const HEADER: &str = "\
# ftpdeck bookmarks. Managed by ftpdeck; safe to edit by hand while ftpdeck is not running
# (other comments are not kept). Passwords are never stored here: password = \"ask\" | \"saved\"
# (keyring or secrets.toml) | \"none\", or password_cmd = \"command printing the password\".

";

/// 1-based line of byte offset `at` in `text`.
fn line_of(text: &[u8], at: usize) -> usize {
    text[..at.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Parse file bytes; errors are (1-based line, message).
pub(super) fn parse(bytes: &[u8]) -> Result<Store, (usize, String)> {
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

/// The whole file: the header, then the store.
pub(super) fn render(store: &Store) -> io::Result<String> {
    let bookmark = store
        .bookmarks
        .iter()
        .map(RawBookmark::from_bookmark)
        .collect::<io::Result<Vec<_>>>()?;
    let file = FileOut {
        bookmark,
        recent: &store.recent,
    };
    let body = toml::to_string(&file)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))?;
    Ok(format!("{HEADER}{body}"))
}

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
    /// `"2M"`, `"500K"`, `"none"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    limit_down: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    limit_up: Option<String>,
    /// The server's file-name charset (`"gbk"`, `"shift_jis"` …); absent means auto.
    #[serde(
        default,
        with = "charset_text",
        skip_serializing_if = "crate::remote::encoding::Charset::is_auto"
    )]
    charset: crate::remote::encoding::Charset,
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
            limit_down: b.limits.down.map(|r| limit_text(Some(r))),
            limit_up: b.limits.up.map(|r| limit_text(Some(r))),
            charset: b.charset,
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
        let limit = |text: Option<String>, key: &str| match text {
            None => Ok(None),
            Some(t) => parse_limit(&t).map_err(|e| format!("bookmark {:?}: {key}: {e}", r.name)),
        };
        let limits = crate::transfer::limit::Limits {
            down: limit(r.limit_down, "limit_down")?,
            up: limit(r.limit_up, "limit_up")?,
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
            limits,
            charset: r.charset,
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
pub(super) mod security_text {
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

/// `Charset` as its name (`"gbk"`), an unknown one refused where it is read.
pub(super) mod charset_text {
    use super::*;
    use crate::remote::encoding::Charset;

    pub fn serialize<S: Serializer>(v: &Charset, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&v.name())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Charset, D::Error> {
        Charset::parse(&String::deserialize(d)?)
            .map_err(|e| D::Error::custom(format!("charset: {e}")))
    }
}

/// `DataMode` as "passive" | "active".
pub(super) mod data_mode_text {
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
