//! File digests computed by the server, as its FEAT reply offers them: `HASH` from
//! draft-bryan-ftpext-hash (FEAT `HASH SHA-256*;SHA-1;MD5`, `OPTS HASH SHA-256` chooses,
//! `213 SHA-256 0-49 <hex> name`), the older one-algorithm commands `XSHA256`, `XSHA512`,
//! `XSHA1`, `XMD5` and `XCRC` (`250 <hex>`, `213 <hex>`; proftpd's mod_digest puts a
//! `250-Computing …` line first), and libunftp's `SITE MD5` (`213 <hex>    name`).
//!
//! Replies are untrusted text: every parser here returns `None` for what it cannot read and
//! never panics.

use std::time::Duration;

use suppaftp::{FtpError, Status};

use super::RemoteError;
use super::connect::Connection;

/// A digest algorithm, in the order they are preferred.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Algorithm {
    Sha256,
    Sha512,
    Sha1,
    Md5,
    Crc32,
}

impl Algorithm {
    /// Every algorithm, the preferred first.
    pub const ALL: [Algorithm; 5] = [
        Algorithm::Sha256,
        Algorithm::Sha512,
        Algorithm::Sha1,
        Algorithm::Md5,
        Algorithm::Crc32,
    ];

    /// The IANA name that `HASH` uses (`SHA-256`).
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Sha256 => "SHA-256",
            Algorithm::Sha512 => "SHA-512",
            Algorithm::Sha1 => "SHA-1",
            Algorithm::Md5 => "MD5",
            Algorithm::Crc32 => "CRC32",
        }
    }

    /// Length of the digest in bytes.
    pub fn digest_len(self) -> usize {
        match self {
            Algorithm::Sha256 => 32,
            Algorithm::Sha512 => 64,
            Algorithm::Sha1 => 20,
            Algorithm::Md5 => 16,
            Algorithm::Crc32 => 4,
        }
    }

    /// The one-algorithm command (`XSHA256`).
    pub fn x_command(self) -> &'static str {
        match self {
            Algorithm::Sha256 => "XSHA256",
            Algorithm::Sha512 => "XSHA512",
            Algorithm::Sha1 => "XSHA1",
            Algorithm::Md5 => "XMD5",
            Algorithm::Crc32 => "XCRC",
        }
    }

    /// An algorithm by any of the names servers use (`SHA-256`, `sha256`, `CRC-32`).
    pub fn from_name(name: &str) -> Option<Algorithm> {
        let plain: String = name
            .chars()
            .filter(|c| *c != '-' && *c != '_')
            .flat_map(char::to_uppercase)
            .collect();
        match plain.as_str() {
            "SHA256" => Some(Algorithm::Sha256),
            "SHA512" => Some(Algorithm::Sha512),
            "SHA1" | "SHA" => Some(Algorithm::Sha1),
            "MD5" => Some(Algorithm::Md5),
            "CRC32" | "CRC" => Some(Algorithm::Crc32),
            _ => None,
        }
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

impl std::fmt::Display for Algorithm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A set of algorithms.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Algorithms(u8);

impl Algorithms {
    pub fn insert(&mut self, a: Algorithm) {
        self.0 |= a.bit();
    }

    pub fn contains(self, a: Algorithm) -> bool {
        self.0 & a.bit() != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The members, the preferred first.
    pub fn iter(self) -> impl Iterator<Item = Algorithm> {
        Algorithm::ALL
            .into_iter()
            .filter(move |a| self.contains(*a))
    }

    /// The preferred member.
    pub fn best(self) -> Option<Algorithm> {
        self.iter().next()
    }
}

/// The checksum commands a server's FEAT reply offers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Offer {
    /// The algorithms of the `HASH` line.
    pub hash: Algorithms,
    /// The one marked `*` there: what `HASH` uses until `OPTS HASH` changes it.
    pub hash_default: Option<Algorithm>,
    /// The one-algorithm commands (`XSHA256` …) offered.
    pub x: Algorithms,
    /// `SITE MD5` (libunftp, and so `ftpdeck serve`).
    pub site_md5: bool,
}

impl Offer {
    /// What the lines of a FEAT reply offer (unknown lines and algorithms are ignored).
    pub fn from_feat(text: &str) -> Offer {
        let mut offer = Offer::default();
        for line in text.lines() {
            // Feature lines start with a space; the first and last carry the 211 code.
            let Some(feature) = line.strip_prefix(' ') else {
                continue;
            };
            let mut words = feature.split_whitespace();
            let Some(name) = words.next() else {
                continue;
            };
            let name = name.to_ascii_uppercase();
            match name.as_str() {
                "HASH" => {
                    for item in words.flat_map(|w| w.split(';')) {
                        let (item, default) = match item.strip_suffix('*') {
                            Some(i) => (i, true),
                            None => (item, false),
                        };
                        if let Some(a) = Algorithm::from_name(item) {
                            offer.hash.insert(a);
                            if default {
                                offer.hash_default = Some(a);
                            }
                        }
                    }
                }
                "SITE" => {
                    if words.next().is_some_and(|w| w.eq_ignore_ascii_case("MD5")) {
                        offer.site_md5 = true;
                    }
                }
                _ => {
                    if let Some(a) = Algorithm::ALL.into_iter().find(|a| a.x_command() == name) {
                        offer.x.insert(a);
                    }
                }
            }
        }
        offer
    }

    /// True when nothing is offered.
    pub fn is_empty(&self) -> bool {
        self.hash.is_empty() && self.x.is_empty() && !self.site_md5
    }

    /// The best way to ask: the preferred algorithm, by `HASH` when it offers that one.
    pub fn best(&self) -> Option<Method> {
        let by_hash = self.hash.best();
        let by_x = self.x.best();
        match (by_hash, by_x) {
            (Some(h), Some(x)) if x < h => Some(Method::X(x)),
            (Some(h), _) => Some(Method::Hash(h)),
            (None, Some(x)) => Some(Method::X(x)),
            (None, None) => self.site_md5.then_some(Method::SiteMd5),
        }
    }

    /// The offer in words, for a message: `HASH (SHA-256, MD5), XCRC` or `none`.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if !self.hash.is_empty() {
            let names: Vec<&str> = self.hash.iter().map(Algorithm::name).collect();
            parts.push(format!("HASH ({})", names.join(", ")));
        }
        parts.extend(self.x.iter().map(|a| a.x_command().to_string()));
        if self.site_md5 {
            parts.push("SITE MD5".into());
        }
        if parts.is_empty() {
            "none".into()
        } else {
            parts.join(", ")
        }
    }
}

/// The way [`prepare`] would choose, in words (`SHA-256 by HASH`), or `None` when the server
/// offers no checksum command.
pub fn describe_best(offer: &Offer) -> Option<String> {
    offer
        .best()
        .map(|m| format!("{} by {}", m.algorithm().name(), m.command_name()))
}

/// How a digest is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `HASH path`, after `OPTS HASH` chose the algorithm where needed.
    Hash(Algorithm),
    /// `XSHA256 path` and the like.
    X(Algorithm),
    /// `SITE MD5 path`.
    SiteMd5,
}

impl Method {
    /// The algorithm the digest is computed with.
    pub fn algorithm(self) -> Algorithm {
        match self {
            Method::Hash(a) | Method::X(a) => a,
            Method::SiteMd5 => Algorithm::Md5,
        }
    }

    /// The command's name (`HASH`, `XSHA256`, `SITE MD5`).
    pub fn command_name(self) -> &'static str {
        match self {
            Method::Hash(_) => "HASH",
            Method::X(a) => a.x_command(),
            Method::SiteMd5 => "SITE MD5",
        }
    }

    /// The command line for `path`.
    fn command(self, path: &str) -> String {
        match self {
            Method::Hash(_) => format!("HASH {path}"),
            // These take the first word as the path (proftpd even reads further words as a
            // byte range): quote a path with spaces, which proftpd and others understand.
            Method::X(a) if path.contains(' ') && !path.contains('"') => {
                format!("{} \"{path}\"", a.x_command())
            }
            Method::X(a) => format!("{} {path}", a.x_command()),
            Method::SiteMd5 => format!("SITE MD5 {path}"),
        }
    }
}

/// Why a digest could not be had.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HashError {
    /// The server offers none of the commands (FEAT names none of them).
    #[error(
        "the server offers no checksum command (none of HASH, XSHA256, XSHA512, XSHA1, XMD5, XCRC, SITE MD5 in its FEAT reply)"
    )]
    NotOffered,
    /// Refused for this file (missing, unreadable, too large, a name the command cannot take);
    /// the connection is fine and other files may still be asked.
    #[error("{reply}")]
    Refused { code: u32, reply: String },
    /// The command itself was refused (500, 502: not understood, not available), whatever the
    /// file: FEAT offered what the server does not do, or not for this user.
    #[error("{reply}")]
    Unsupported { reply: String },
    /// Answered with success but no digest that could be read; the connection is fine.
    #[error("the checksum reply could not be read: {reply}")]
    Unreadable { reply: String },
    /// The connection failed.
    #[error(transparent)]
    Remote(RemoteError),
}

/// Get `conn` ready to ask digests: the best method its FEAT offers, with `OPTS HASH` sent when
/// `HASH`'s algorithm must change. A server that refuses `OPTS HASH` is asked with its default
/// algorithm, or the next best command.
pub fn prepare(conn: &mut Connection) -> Result<Method, HashError> {
    let offer = conn.features.hash;
    let Some(best) = offer.best() else {
        return Err(HashError::NotOffered);
    };
    let Method::Hash(algorithm) = best else {
        return Ok(best);
    };
    if offer.hash_default == Some(algorithm) {
        return Ok(best);
    }
    let reply = send(conn, &format!("OPTS HASH {}", algorithm.name()), None)?;
    if (200..300).contains(&reply.0) {
        return Ok(best);
    }
    let fallback = Offer {
        hash: Algorithms::default(),
        hash_default: None,
        ..offer
    };
    match (offer.hash_default, fallback.best()) {
        (Some(d), Some(Method::X(x))) if x < d => Ok(Method::X(x)),
        (Some(d), _) => Ok(Method::Hash(d)),
        (None, Some(m)) => Ok(m),
        (None, None) => Err(HashError::Refused {
            code: reply.0,
            reply: reply.1.lines().last().unwrap_or_default().to_string(),
        }),
    }
}

/// The names of the features the server's FEAT reply lists (`EPSV`, `REST STREAM` …), for a
/// message that says what it offers; empty when it lists none or the question fails.
pub fn feature_names(conn: &mut Connection) -> Vec<String> {
    match send(conn, "FEAT", None) {
        Ok((211, text)) => text
            .lines()
            .filter_map(|l| l.strip_prefix(' '))
            .filter_map(|l| l.split_whitespace().next())
            .map(str::to_string)
            .take(40)
            .collect(),
        _ => Vec::new(),
    }
}

/// The digest of the file at `path` (absolute), asked with `method` (from [`prepare`] on this
/// connection). `timeout` bounds the wait for the reply: the server reads the whole file first.
pub fn remote_digest(
    conn: &mut Connection,
    method: Method,
    path: &str,
    timeout: Duration,
) -> Result<(Algorithm, Vec<u8>), HashError> {
    if path.contains(['\r', '\n']) {
        return Err(HashError::Refused {
            code: 0,
            reply: "the name holds a line break, which cannot be sent in a command".into(),
        });
    }
    let (code, text) = send(conn, &method.command(path), Some(timeout))?;
    if !(200..300).contains(&code) {
        let reply = text.lines().last().unwrap_or_default().trim().to_string();
        return Err(match code {
            500 | 502 => HashError::Unsupported { reply },
            _ => HashError::Refused { code, reply },
        });
    }
    match parse_reply(method, &text) {
        Some(bytes) => Ok((method.algorithm(), bytes)),
        None => Err(HashError::Unreadable { reply: text }),
    }
}

/// Send `command` and read its whole reply, whatever the code: (code, text made safe to show).
fn send(
    conn: &mut Connection,
    command: &str,
    timeout: Option<Duration>,
) -> Result<(u32, String), HashError> {
    let previous = match timeout {
        Some(t) => {
            let socket = conn.ftp.get_ref(); // holds the control lock: keep it short
            let previous = socket.read_timeout().ok().flatten();
            socket.set_read_timeout(Some(t)).ok();
            previous
        }
        None => None,
    };
    // Asking for a status no server sends makes suppaftp hand back any reply as "unexpected".
    let result = conn.ftp.custom_command(command, &[Status::RestartMarker]);
    if timeout.is_some() {
        conn.ftp.get_ref().set_read_timeout(previous).ok();
    }
    let secs = timeout.map_or(30, |t| t.as_secs());
    match result {
        Ok(resp) | Err(FtpError::UnexpectedResponse(resp)) => {
            // Line by line, so that the lines survive and nothing else a server sends can.
            let text = String::from_utf8_lossy(&resp.body);
            let lines: Vec<String> = text
                .lines()
                .map(|l| crate::sanitize::display_name(l.trim_end()))
                .collect();
            Ok((resp.status.code(), lines.join("\n")))
        }
        Err(e) => Err(HashError::Remote(RemoteError::from_ftp(
            e,
            "asking for a checksum",
            secs,
        ))),
    }
}

/// The digest in a reply to `method` (all its lines, codes included), or `None`. The last line
/// that holds one counts: a hex word of the algorithm's length, after an optional algorithm
/// name that must be the expected one and an optional byte range (`0-49`), as `HASH` sends.
pub fn parse_reply(method: Method, text: &str) -> Option<Vec<u8>> {
    let algorithm = method.algorithm();
    text.lines()
        .rev()
        .find_map(|line| parse_line(algorithm, line))
}

fn parse_line(algorithm: Algorithm, line: &str) -> Option<Vec<u8>> {
    let line = line.trim();
    // The code and its separator, when the line has them.
    let rest = match line.as_bytes() {
        [a, b, c, sep, ..] if a.is_ascii_digit() && b.is_ascii_digit() && c.is_ascii_digit() => {
            if *sep == b' ' || *sep == b'-' {
                line.get(4..)?
            } else {
                return None;
            }
        }
        _ => line,
    };
    let mut words = rest.split_whitespace().peekable();
    if let Some(named) = words.peek().and_then(|w| Algorithm::from_name(w)) {
        if named != algorithm {
            return None;
        }
        words.next();
    }
    if words.peek().is_some_and(|w| is_range(w)) {
        words.next();
    }
    decode_hex(words.next()?, algorithm.digest_len())
}

/// `start-end` of decimal digits (end may be empty).
fn is_range(word: &str) -> bool {
    match word.split_once('-') {
        Some((start, end)) => {
            !start.is_empty()
                && start.bytes().all(|b| b.is_ascii_digit())
                && end.bytes().all(|b| b.is_ascii_digit())
        }
        None => false,
    }
}

/// Exactly `len` bytes of hex (either case, optionally `0x`-prefixed or quoted), else `None`.
fn decode_hex(word: &str, len: usize) -> Option<Vec<u8>> {
    let word = word.trim_matches('"');
    let word = word
        .strip_prefix("0x")
        .or_else(|| word.strip_prefix("0X"))
        .unwrap_or(word);
    if word.len() != len * 2 || !word.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..len)
        .map(|i| u8::from_str_radix(word.get(i * 2..i * 2 + 2)?, 16).ok())
        .collect()
}

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROFTPD_FEAT: &str = "211-Features:\n CLNT\n EPSV\n HASH CRC32;MD5;SHA-1*;SHA-256;SHA-512;\n MD5\n MDTM\n XCRC\n XMD5\n XSHA\n XSHA1\n XSHA256\n XSHA512\n211 End";

    #[test]
    fn feat_lines_name_the_hash_algorithms_the_default_and_the_x_commands() {
        let offer = Offer::from_feat(PROFTPD_FEAT);
        assert_eq!(offer.hash_default, Some(Algorithm::Sha1));
        assert_eq!(offer.hash.iter().count(), 5);
        assert_eq!(offer.x.iter().count(), 5);
        assert!(!offer.site_md5);
        assert_eq!(offer.best(), Some(Method::Hash(Algorithm::Sha256)));
        assert_eq!(
            offer.describe(),
            "HASH (SHA-256, SHA-512, SHA-1, MD5, CRC32), XSHA256, XSHA512, XSHA1, XMD5, XCRC"
        );

        let libunftp = "211-Extensions supported:\n EPSV\n MDTM\n MLSD\n MLST\n REST STREAM\n SITE MD5\n SIZE\n UTF8\n211 END";
        let offer = Offer::from_feat(libunftp);
        assert_eq!(offer.best(), Some(Method::SiteMd5));
        assert_eq!(offer.describe(), "SITE MD5");

        let vsftpd =
            "211-Features:\n EPRT\n EPSV\n MDTM\n PASV\n REST STREAM\n SIZE\n TVFS\n211 End";
        let offer = Offer::from_feat(vsftpd);
        assert!(offer.is_empty());
        assert_eq!(offer.best(), None);
        assert_eq!(offer.describe(), "none");

        // Only XCRC and XMD5: MD5 is the better one.
        let offer = Offer::from_feat("211-x\n xcrc\n XMD5\n211 End");
        assert_eq!(offer.best(), Some(Method::X(Algorithm::Md5)));
        // A better X command than what HASH offers.
        let offer = Offer::from_feat("211-x\n HASH MD5*\n XSHA256\n211 End");
        assert_eq!(offer.best(), Some(Method::X(Algorithm::Sha256)));
    }

    #[test]
    fn odd_feat_lines_are_ignored() {
        for text in [
            "",
            " ",
            "211 no features",
            " HASH",
            " HASH ;;;*;**;",
            " HASH WHIRLPOOL;TIGER*",
            "HASH SHA-256 (not indented: not a feature line)",
            " SITE",
            " XSHA256X",
            " \u{1F600} XMD5",
        ] {
            let offer = Offer::from_feat(text);
            assert!(offer.is_empty(), "{text:?}: {offer:?}");
        }
        let offer = Offer::from_feat(" hash sha-256 ; md5*");
        assert_eq!(offer.hash_default, Some(Algorithm::Md5));
        assert!(offer.hash.contains(Algorithm::Sha256));
    }

    #[test]
    fn replies_as_real_servers_send_them() {
        let sha256 = "a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447";
        let want = decode_hex(sha256, 32).unwrap();
        let upper = sha256.to_ascii_uppercase();
        for reply in [
            // proftpd mod_digest
            format!("213-Computing SHA-256 digest\n213 SHA-256 0-12 {sha256} /a.txt"),
            format!(
                "213-Computing SHA-256 digest\n213-Computing...\n213 SHA-256 0-12 {sha256} /a b.txt"
            ),
            // the draft's form, and a quoted name
            format!("213 SHA-256 0-49 {sha256} \"file name\""),
            // without the range
            format!("213 SHA-256 {sha256} file"),
        ] {
            assert_eq!(
                parse_reply(Method::Hash(Algorithm::Sha256), &reply),
                Some(want.clone()),
                "{reply}"
            );
        }
        for reply in [
            format!("250-Computing SHA256 digest\n250 {upper}"),
            format!("250 {sha256}"),
            format!("213 {sha256}"),
            format!("250 SHA256 {upper}"),
            format!("250 0x{upper}"),
            format!("250 {sha256} /a.txt"),
        ] {
            assert_eq!(
                parse_reply(Method::X(Algorithm::Sha256), &reply),
                Some(want.clone()),
                "{reply}"
            );
        }
        assert_eq!(
            parse_reply(
                Method::X(Algorithm::Crc32),
                "250-Computing CRC32 digest\n250 AF083B2D"
            ),
            Some(vec![0xaf, 0x08, 0x3b, 0x2d])
        );
        assert_eq!(
            parse_reply(
                Method::SiteMd5,
                "213 6f5902ac237024bdd0c176cb93063dc4    /a.txt"
            ),
            Some(decode_hex("6f5902ac237024bdd0c176cb93063dc4", 16).unwrap())
        );
    }

    #[test]
    fn garbage_replies_give_no_digest() {
        let md5 = "6f5902ac237024bdd0c176cb93063dc4";
        for reply in [
            String::new(),
            "213".into(),
            "213 ".into(),
            "213-".into(),
            "21".into(),
            "2134 x".into(),
            "abc".into(),
            "213 Computing SHA-256 digest".into(),
            // the wrong algorithm named
            format!("213 SHA-1 0-12 {md5} /a.txt"),
            // too short, too long, not hex
            "213 6f5902ac237024bdd0c176cb93063dc".into(),
            format!("213 {md5}0"),
            "213 6f5902ac237024bdd0c176cb93063dcg".into(),
            "213 0x".into(),
            "213 \"\"".into(),
            "213 ééééééééééééééééééééééééééééééééé".into(),
            "213 6f5902ac237024bdd0c176cb93063dc\u{e9}".into(),
            "\u{0}\u{7f}\r\n\r\n".into(),
            "213 0-12".into(),
            "213 MD5 0-12".into(),
            "213 MD5 -12 x".into(),
        ] {
            assert_eq!(
                parse_reply(Method::Hash(Algorithm::Md5), &reply),
                None,
                "{reply:?}"
            );
            assert_eq!(
                parse_reply(Method::X(Algorithm::Md5), &reply),
                None,
                "{reply:?}"
            );
        }
    }

    #[test]
    fn names_with_spaces_are_quoted_for_the_x_commands_only() {
        let m = Method::X(Algorithm::Sha1);
        assert_eq!(m.command("/a b.txt"), "XSHA1 \"/a b.txt\"");
        assert_eq!(m.command("/ab.txt"), "XSHA1 /ab.txt");
        assert_eq!(
            Method::Hash(Algorithm::Sha1).command("/a b.txt"),
            "HASH /a b.txt"
        );
        assert_eq!(Method::SiteMd5.command("/a b"), "SITE MD5 /a b");
    }

    #[test]
    fn algorithm_names_in_their_spellings() {
        for (name, a) in [
            ("SHA-256", Algorithm::Sha256),
            ("sha256", Algorithm::Sha256),
            ("SHA_512", Algorithm::Sha512),
            ("SHA-1", Algorithm::Sha1),
            ("SHA", Algorithm::Sha1),
            ("md5", Algorithm::Md5),
            ("CRC-32", Algorithm::Crc32),
        ] {
            assert_eq!(Algorithm::from_name(name), Some(a), "{name}");
        }
        for name in ["", "-", "SHA-3", "MD4", "ＳＨＡ１", "ß"] {
            assert_eq!(Algorithm::from_name(name), None, "{name}");
        }
        assert_eq!(hex(&[0, 0xab, 0x10]), "00ab10");
    }
}
