//! File names on the wire, kept losslessly.
//!
//! A server's names are bytes in some charset: UTF-8 for most servers (the default, `auto`), or
//! one the user names for a server (GBK, Big5, Shift_JIS, EUC-KR, windows-1251 …, see
//! [`Charset`]). They are decoded into text for display and encoded back, byte for byte, for
//! every command that names them.
//!
//! Bytes that are not valid in the charset become one character each of a private-use block
//! (U+F780–U+F7FF) and turn back into the same byte when the name is sent to the server or
//! becomes a local path, so such a file can still be browsed, downloaded and deleted. On screen
//! those characters show as `�`. A name whose valid text itself holds characters of that block
//! keeps their bytes escaped too, so that they cannot be mistaken for raw bytes on the way back.

use std::ffi::OsString;

/// First character of the escape block: byte `b` (0x80..=0xFF) is `ESCAPE_BASE + b`.
const ESCAPE_BASE: u32 = 0xF700;

/// True for a character standing for a raw byte.
pub fn is_escape(c: char) -> bool {
    (ESCAPE_BASE + 0x80..=ESCAPE_BASE + 0xFF).contains(&(c as u32))
}

fn escape(b: u8) -> char {
    // ESCAPE_BASE + a byte is a private-use code point, always a char.
    char::from_u32(ESCAPE_BASE + b as u32).unwrap_or(char::REPLACEMENT_CHARACTER)
}

fn push_escaped_utf8(out: &mut String, c: char) {
    let mut buf = [0; 4];
    for &b in c.encode_utf8(&mut buf).as_bytes() {
        out.push(escape(b));
    }
}

/// The charset a server's file names are in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Charset {
    /// UTF-8 (asked for with `OPTS UTF8 ON` when the server offers it); other bytes kept raw.
    #[default]
    Auto,
    /// A charset the user named (it may be UTF-8 itself).
    Named(&'static encoding_rs::Encoding),
}

impl Charset {
    /// `auto`, or a charset label as browsers know them (`gbk`, `big5`, `shift_jis`, `sjis`,
    /// `euc-kr`, `windows-1251`, `iso-8859-2`, `utf-8` …), case-insensitive.
    pub fn parse(name: &str) -> Result<Charset, String> {
        let name = name.trim();
        if name.is_empty() || name.eq_ignore_ascii_case("auto") {
            return Ok(Charset::Auto);
        }
        let label = match name.to_ascii_lowercase().as_str() {
            "sjis" | "shift-jis" | "cp932" => "shift_jis".to_string(),
            "cp936" => "gbk".to_string(),
            "cp949" | "uhc" => "euc-kr".to_string(),
            "cp950" => "big5".to_string(),
            other => other.to_string(),
        };
        match encoding_rs::Encoding::for_label_no_replacement(label.as_bytes()) {
            Some(enc)
                if enc.is_ascii_compatible()
                    && enc != encoding_rs::X_USER_DEFINED
                    && enc.output_encoding() == enc =>
            {
                Ok(Charset::Named(enc))
            }
            Some(enc) => Err(format!(
                "charset {name:?} ({}) cannot carry FTP commands: choose an ASCII-compatible one",
                enc.name()
            )),
            None => Err(format!(
                "unknown charset {name:?} (try auto, utf-8, gbk, gb18030, big5, shift_jis, euc-jp, euc-kr, windows-1251, windows-1252, iso-8859-2 …)"
            )),
        }
    }

    /// The name as shown and saved: `auto`, or the charset's name in lower case (`shift_jis`).
    pub fn name(&self) -> String {
        match self {
            Charset::Auto => "auto".into(),
            Charset::Named(enc) => enc.name().to_ascii_lowercase(),
        }
    }

    /// True for `auto`.
    pub fn is_auto(&self) -> bool {
        matches!(self, Charset::Auto)
    }

    /// True when names are UTF-8 on the wire (auto or utf-8): then `OPTS UTF8 ON` is sent to a
    /// server that offers it; with another charset it is not.
    pub fn wants_utf8(&self) -> bool {
        match self {
            Charset::Auto => true,
            Charset::Named(enc) => *enc == encoding_rs::UTF_8,
        }
    }

    /// The codec for this charset.
    pub fn codec(self) -> NameCodec {
        NameCodec { charset: self }
    }
}

impl std::fmt::Display for Charset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name())
    }
}

/// A text that has no form in a server's charset: the command naming it is not sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{text:?} cannot be written in {charset}: {ch:?} has no {charset} form")]
pub struct Unencodable {
    /// The text asked for (a command's argument, or the whole name).
    pub text: String,
    /// The first character that cannot be encoded.
    pub ch: char,
    /// The charset's name.
    pub charset: String,
}

/// Bytes <-> text in a server's charset, losslessly (see the module docs).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NameCodec {
    pub charset: Charset,
}

impl NameCodec {
    /// Bytes -> text; bytes invalid in the charset are escaped.
    pub fn decode(&self, bytes: &[u8]) -> String {
        match self.charset {
            Charset::Named(enc) if enc != encoding_rs::UTF_8 => decode_with(enc, bytes),
            _ => decode(bytes),
        }
    }

    /// Text -> bytes, escapes turned back into their bytes.
    pub fn encode(&self, text: &str) -> Result<Vec<u8>, Unencodable> {
        match self.charset {
            Charset::Named(enc) if enc != encoding_rs::UTF_8 => encode_with(enc, text),
            _ => Ok(encode(text)),
        }
    }
}

impl NameCodec {
    /// Text -> bytes where each character without a form in the charset becomes `?` (for a
    /// server's replies, which must go out whatever they hold).
    pub fn encode_or_replace(&self, text: &str) -> Vec<u8> {
        if let Ok(bytes) = self.encode(text) {
            return bytes;
        }
        let mut out = Vec::with_capacity(text.len());
        let mut buf = [0; 4];
        for c in text.chars() {
            match self.encode(c.encode_utf8(&mut buf)) {
                Ok(bytes) => out.extend_from_slice(&bytes),
                Err(_) => out.push(b'?'),
            }
        }
        out
    }
}

impl suppaftp::Encoding for NameCodec {
    fn decode(&self, bytes: &[u8]) -> String {
        NameCodec::decode(self, bytes)
    }

    fn encode(&self, text: &str) -> std::io::Result<Vec<u8>> {
        NameCodec::encode(self, text).map_err(|mut e| {
            // Report the command's argument, not the verb and line end.
            let line = e.text.trim_end_matches(['\r', '\n']);
            e.text = line
                .split_once(' ')
                .map_or(line, |(_, arg)| arg)
                .to_string();
            std::io::Error::new(std::io::ErrorKind::InvalidInput, e)
        })
    }
}

/// The [`Unencodable`] inside an I/O error made by [`NameCodec`]'s `suppaftp::Encoding`.
pub fn unencodable_in(err: &std::io::Error) -> Option<&Unencodable> {
    err.get_ref()?.downcast_ref::<Unencodable>()
}

/// UTF-8 with invalid bytes escaped (see the module docs).
#[derive(Debug, Clone, Copy, Default)]
pub struct LosslessUtf8;

impl suppaftp::Encoding for LosslessUtf8 {
    fn decode(&self, bytes: &[u8]) -> String {
        decode(bytes)
    }

    fn encode(&self, text: &str) -> std::io::Result<Vec<u8>> {
        Ok(encode(text))
    }
}

/// UTF-8 bytes -> text, escaping invalid bytes (and the bytes of valid characters that fall in
/// the escape block, which would otherwise come back as single bytes).
pub fn decode(mut bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    let push_valid = |out: &mut String, s: &str| {
        if s.chars().any(is_escape) {
            for c in s.chars() {
                if is_escape(c) {
                    push_escaped_utf8(out, c);
                } else {
                    out.push(c);
                }
            }
        } else {
            out.push_str(s);
        }
    };
    loop {
        match std::str::from_utf8(bytes) {
            Ok(s) => {
                push_valid(&mut out, s);
                return out;
            }
            Err(e) => {
                let (valid, rest) = bytes.split_at(e.valid_up_to());
                // `valid` is the part the decoder accepted: converting it loses nothing.
                push_valid(&mut out, &String::from_utf8_lossy(valid));
                let bad = e.error_len().unwrap_or(rest.len());
                for &b in &rest[..bad] {
                    out.push(escape(b));
                }
                bytes = &rest[bad..];
            }
        }
    }
}

/// Text -> UTF-8 bytes, turning escapes back into the original bytes.
pub fn encode(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        if is_escape(c) {
            out.push((c as u32 - ESCAPE_BASE) as u8);
        } else {
            let mut buf = [0; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        }
    }
    out
}

/// Longest byte sequence of one character in the accepted charsets (GB18030's four bytes).
const MAX_CHAR_BYTES: usize = 4;

/// Bytes in `enc` -> text. Each character is taken only where its bytes decode to it *and* it
/// encodes back to exactly those bytes; anything else is escaped byte by byte, so encoding the
/// result gives back the input whatever it was.
fn decode_with(enc: &'static encoding_rs::Encoding, bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            // The accepted charsets are ASCII-compatible.
            out.push(b as char);
            i += 1;
            continue;
        }
        match one_char(enc, &bytes[i..]) {
            Some((len, text)) => {
                out.push_str(&text);
                i += len;
            }
            None => {
                out.push(escape(b));
                i += 1;
            }
        }
    }
    out
}

/// The shortest prefix of `rest` that is one character of `enc` and encodes back to itself.
fn one_char(enc: &'static encoding_rs::Encoding, rest: &[u8]) -> Option<(usize, String)> {
    for len in 1..=rest.len().min(MAX_CHAR_BYTES) {
        let piece = &rest[..len];
        let mut decoder = enc.new_decoder_without_bom_handling();
        let mut text = String::with_capacity(32);
        let (result, read) = decoder.decode_to_string_without_replacement(piece, &mut text, true);
        if result != encoding_rs::DecoderResult::InputEmpty || read != len || text.is_empty() {
            continue;
        }
        if text.chars().any(|c| is_escape(c) || (c as u32) < 0x80) {
            continue;
        }
        let (back, _, unmappable) = enc.encode(&text);
        if !unmappable && &*back == piece {
            return Some((len, text));
        }
    }
    None
}

/// Text -> bytes in `enc`, escapes back to their bytes; the first character without a form in
/// `enc` is an error.
fn encode_with(enc: &'static encoding_rs::Encoding, text: &str) -> Result<Vec<u8>, Unencodable> {
    let mut out = Vec::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut Vec<u8>| -> Result<(), Unencodable> {
        if run.is_empty() {
            return Ok(());
        }
        let (bytes, _, unmappable) = enc.encode(run);
        if unmappable {
            let ch = run
                .chars()
                .find(|c| enc.encode(c.encode_utf8(&mut [0; 4])).2)
                .unwrap_or(char::REPLACEMENT_CHARACTER);
            return Err(Unencodable {
                text: text.to_string(),
                ch,
                charset: enc.name().to_ascii_lowercase(),
            });
        }
        out.extend_from_slice(&bytes);
        run.clear();
        Ok(())
    };
    for c in text.chars() {
        if is_escape(c) {
            flush(&mut run, &mut out)?;
            out.push((c as u32 - ESCAPE_BASE) as u8);
        } else {
            run.push(c);
        }
    }
    flush(&mut run, &mut out)?;
    Ok(out)
}

/// The local file name for a remote name: the server's own bytes where it sent bytes invalid in
/// its charset (the text itself as UTF-8).
pub fn local_name(name: &str) -> OsString {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStringExt;
        OsString::from_vec(encode(name))
    }
    #[cfg(not(unix))]
    {
        OsString::from(name.replace(is_escape, "\u{FFFD}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(name: &str) -> NameCodec {
        Charset::parse(name).expect("known charset").codec()
    }

    #[test]
    fn round_trips_any_bytes() {
        let latin1 = b"caf\xe9 \xff.txt";
        let text = decode(latin1);
        assert_eq!(text.chars().filter(|&c| is_escape(c)).count(), 2);
        assert!(text.starts_with("caf") && text.ends_with(".txt"));
        assert_eq!(encode(&text), latin1);
        assert_eq!(decode("日本語 ok".as_bytes()), "日本語 ok");
        assert_eq!(encode("日本語 ok"), "日本語 ok".as_bytes());
        // A cut multi-byte character at the end is escaped too, and comes back.
        let cut = &"é".as_bytes()[..1];
        assert_eq!(encode(&decode(cut)), cut);
    }

    #[test]
    fn a_valid_character_of_the_escape_block_keeps_its_bytes() {
        // U+F7A0 is valid UTF-8 (EF 9E A0): it must not come back as the single byte A0.
        let name = "a\u{F7A0}b".as_bytes();
        assert_eq!(encode(&decode(name)), name);
        assert_eq!(
            named("utf-8").encode(&named("utf-8").decode(name)),
            Ok(name.to_vec())
        );
    }

    #[test]
    fn gbk_and_shift_jis_names_decode_and_encode_back() {
        let gbk = named("gbk");
        let bytes = b"\xd6\xd0\xce\xc4.txt"; // 中文.txt
        assert_eq!(gbk.decode(bytes), "中文.txt");
        assert_eq!(gbk.encode("中文.txt").as_deref(), Ok(&bytes[..]));
        let sjis = named("sjis");
        let bytes = b"\x83e\x83X\x83g.txt"; // テスト.txt (trail bytes in the ASCII range)
        assert_eq!(sjis.decode(bytes), "テスト.txt");
        assert_eq!(sjis.encode("テスト.txt").as_deref(), Ok(&bytes[..]));
        // A lead byte without its trail is kept raw, the next byte read as itself.
        let cut = b"\x83/x";
        let text = sjis.decode(cut);
        assert!(text.ends_with("/x") && is_escape(text.chars().next().unwrap_or('a')));
        assert_eq!(sjis.encode(&text).as_deref(), Ok(&cut[..]));
    }

    #[test]
    fn a_character_without_a_form_is_refused() {
        let err = named("shift_jis")
            .encode("RETR 中文 한국어.txt\r\n")
            .unwrap_err();
        assert_eq!(err.ch, '한');
        assert_eq!(err.charset, "shift_jis");
        let io = suppaftp::Encoding::encode(&named("gbk"), "DELE ok/한.txt\r\n").unwrap_err();
        let inner = unencodable_in(&io).expect("an Unencodable inside");
        assert_eq!(inner.text, "ok/한.txt");
        assert!(named("windows-1251").encode("файл.txt").is_ok());
        assert!(named("windows-1251").encode("ファイル").is_err());
    }

    #[test]
    fn charset_names() {
        assert_eq!(Charset::parse("auto"), Ok(Charset::Auto));
        assert_eq!(Charset::parse(""), Ok(Charset::Auto));
        assert_eq!(Charset::parse("GBK").map(|c| c.name()), Ok("gbk".into()));
        assert_eq!(
            Charset::parse("SJIS").map(|c| c.name()),
            Ok("shift_jis".into())
        );
        assert_eq!(
            Charset::parse("euc-kr").map(|c| c.name()),
            Ok("euc-kr".into())
        );
        assert_eq!(
            Charset::parse("cp1251").map(|c| c.name()),
            Ok("windows-1251".into())
        );
        assert_eq!(
            Charset::parse("latin2").map(|c| c.name()),
            Ok("iso-8859-2".into())
        );
        for (label, name) in [
            ("cp932", "shift_jis"),
            ("cp949", "euc-kr"),
            ("gb2312", "gbk"),
            ("GB18030", "gb18030"),
            ("big5", "big5"),
            ("euc-jp", "euc-jp"),
            ("latin1", "windows-1252"),
            ("iso-8859-1", "windows-1252"),
            ("iso-8859-9", "windows-1254"),
            ("iso-8859-16", "iso-8859-16"),
            ("windows-1258", "windows-1258"),
            ("koi8-r", "koi8-r"),
            ("koi8-u", "koi8-u"),
            ("macintosh", "macintosh"),
            ("ibm866", "ibm866"),
            (" UTF8 ", "utf-8"),
        ] {
            assert_eq!(
                Charset::parse(label).map(|c| c.name()),
                Ok(name.into()),
                "{label}"
            );
        }
        assert!(Charset::parse("klingon").is_err());
        assert!(Charset::parse("utf-16le").is_err());
        assert!(Charset::parse("iso-2022-jp").is_err());
        assert!(Charset::parse("x-user-defined").is_err());
        assert!(Charset::parse("utf-8").is_ok_and(|c| c.wants_utf8()));
        assert!(!Charset::parse("gbk").is_ok_and(|c| c.wants_utf8()));
        assert!(Charset::Auto.wants_utf8());
    }
}
