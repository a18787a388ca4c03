//! `~/.netrc`, the file curl, lftp and ftp read for logins: `machine HOST login USER password
//! PW`, `default` for any other host, `macdef` bodies skipped. Tokens may be on one line or
//! many; a token with spaces is quoted (`"my pass"`, as curl accepts).

use std::path::{Path, PathBuf};

/// One login of the file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Login {
    pub login: Option<String>,
    pub password: Option<String>,
}

/// Where the file is: `$NETRC`, else `~/.netrc`.
pub fn path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("NETRC") {
        return Some(PathBuf::from(p));
    }
    std::env::var_os("HOME").map(|h| Path::new(&h).join(".netrc"))
}

/// The login for `host` in `text`: its `machine` entry, else `default`. When `user` is given,
/// a `machine` entry for another login does not count.
pub fn lookup(text: &str, host: &str, user: Option<&str>) -> Option<Login> {
    let tokens = tokenize(text);
    let mut entries: Vec<(Option<String>, Login)> = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        match tokens[i].as_str() {
            "machine" => {
                entries.push((tokens.get(i + 1).cloned(), Login::default()));
                i += 2;
            }
            "default" => {
                entries.push((None, Login::default()));
                i += 1;
            }
            "login" | "password" | "account" => {
                let value = tokens.get(i + 1).cloned();
                if let Some((_, l)) = entries.last_mut() {
                    match tokens[i].as_str() {
                        "login" => l.login = value,
                        "password" => l.password = value,
                        _ => {}
                    }
                }
                i += 2;
            }
            "macdef" => {
                // A macro runs to the next empty line: skip its body.
                i = skip_macro(&tokens, i);
            }
            _ => i += 1,
        }
    }
    let fits = |l: &Login| user.is_none_or(|u| l.login.as_deref().is_none_or(|x| x == u));
    entries
        .iter()
        .find(|(m, l)| m.as_deref().is_some_and(|m| m.eq_ignore_ascii_case(host)) && fits(l))
        .or_else(|| entries.iter().find(|(m, l)| m.is_none() && fits(l)))
        .map(|(_, l)| l.clone())
}

/// Read the file and look `host` up; `None` when there is no file or no entry.
pub fn lookup_file(host: &str, user: Option<&str>) -> Option<Login> {
    let text = std::fs::read_to_string(path()?).ok()?;
    lookup(&text, host, user)
}

const MACRO_END: &str = "\u{0}macro-end";

/// Words of the file; an empty line is kept as a marker (it ends a `macdef`).
fn tokenize(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            out.push(MACRO_END.to_string());
            continue;
        }
        let mut chars = line.chars().peekable();
        loop {
            while chars.peek().is_some_and(|c| c.is_whitespace()) {
                chars.next();
            }
            let Some(&c) = chars.peek() else { break };
            if c == '#'
                && out
                    .last()
                    .is_none_or(|t| t == MACRO_END || !is_value_key(t))
            {
                break; // a comment to the end of the line
            }
            let mut word = String::new();
            if c == '"' {
                chars.next();
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => word.extend(chars.next()),
                        c => word.push(c),
                    }
                }
            } else {
                while let Some(&c) = chars.peek() {
                    if c.is_whitespace() {
                        break;
                    }
                    word.push(c);
                    chars.next();
                }
            }
            out.push(word);
        }
    }
    out
}

/// A keyword whose next token is a value (which may start with `#`).
fn is_value_key(t: &str) -> bool {
    matches!(t, "machine" | "login" | "password" | "account" | "macdef")
}

fn skip_macro(tokens: &[String], at: usize) -> usize {
    let mut i = at + 2;
    while i < tokens.len() && tokens[i] != MACRO_END {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn machine_then_default_and_the_forms_curl_reads() {
        let text = "\
# my logins
machine ftp.example.com login alice password s3cret
machine other.example.com
  login bob
  password \"with space\"

macdef init
cd /pub
bin

default login anonymous password me@example.com
";
        assert_eq!(
            lookup(text, "ftp.example.com", None),
            Some(Login {
                login: Some("alice".into()),
                password: Some("s3cret".into())
            })
        );
        assert_eq!(
            lookup(text, "OTHER.example.com", None).and_then(|l| l.password),
            Some("with space".into())
        );
        assert_eq!(
            lookup(text, "unknown.host", None).and_then(|l| l.login),
            Some("anonymous".into()),
            "default for the others"
        );
        // A login that does not match the asked user: neither entry is for carol.
        assert_eq!(lookup(text, "ftp.example.com", Some("carol")), None);
        assert_eq!(
            lookup(text, "ftp.example.com", Some("alice")).and_then(|l| l.password),
            Some("s3cret".into())
        );
    }

    #[test]
    fn a_password_starting_with_a_hash_is_a_password() {
        let text = "machine h login u password #notacomment\n";
        assert_eq!(
            lookup(text, "h", None).and_then(|l| l.password),
            Some("#notacomment".into())
        );
    }

    #[test]
    fn odd_input_never_panics() {
        for text in [
            "",
            "machine",
            "login",
            "password",
            "\"",
            "macdef",
            "default login",
        ] {
            let _ = lookup(text, "h", None);
        }
        assert_eq!(lookup("machine h", "h", None), Some(Login::default()));
    }
}
