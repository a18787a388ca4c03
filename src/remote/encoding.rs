//! File names that are not UTF-8, kept losslessly. Each byte that is not part of valid UTF-8
//! becomes one character of a private-use block (U+F780–U+F7FF) and turns back into the same
//! byte when the name is sent to the server or becomes a local path, so such a file can still
//! be browsed, downloaded and deleted. On screen those characters show as `�`.

use std::ffi::OsString;

/// First character of the escape block: byte `b` (0x80..=0xFF) is `ESCAPE_BASE + b`.
const ESCAPE_BASE: u32 = 0xF700;

/// True for a character standing for a raw byte.
pub fn is_escape(c: char) -> bool {
    (ESCAPE_BASE + 0x80..=ESCAPE_BASE + 0xFF).contains(&(c as u32))
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

/// Bytes -> text, escaping invalid bytes.
pub fn decode(mut bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    loop {
        match std::str::from_utf8(bytes) {
            Ok(s) => {
                out.push_str(s);
                return out;
            }
            Err(e) => {
                let (valid, rest) = bytes.split_at(e.valid_up_to());
                // `valid` is the part the decoder accepted: converting it loses nothing.
                out.push_str(&String::from_utf8_lossy(valid));
                let bad = e.error_len().unwrap_or(rest.len());
                for &b in &rest[..bad] {
                    // ESCAPE_BASE + a byte is a private-use code point, always a char.
                    out.extend(char::from_u32(ESCAPE_BASE + b as u32));
                }
                bytes = &rest[bad..];
            }
        }
    }
}

/// Text -> bytes, turning escapes back into the original bytes.
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

/// The local file name for a remote name: the server's own bytes where it sent non-UTF-8.
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
}
