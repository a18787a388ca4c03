//! The other contenders: `curl` and `lftp`, run as a user would run them, each bounded in time.

use std::path::Path;
use std::process::{Command, Stdio};

/// Where and how to log in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Login {
    pub port: u16,
    pub user: String,
    pub password: String,
}

impl Login {
    /// `ftp://user:password@127.0.0.1:port` + `path` (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!(
            "ftp://{}:{}@127.0.0.1:{}{}",
            percent_encode(&self.user),
            percent_encode(&self.password),
            self.port,
            path
        )
    }
}

/// Percent-encode everything but unreserved characters (RFC 3986), for URL user info.
pub fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The first line of `program --version`, or `None` when it is not installed.
pub fn version_line(program: &str) -> Option<String> {
    let out = Command::new(program)
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()
        .map(str::to_string)
}

/// The first line a command prints, if it runs and succeeds.
pub fn first_line(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
}

/// The Python that has pyftpdlib (Debian's `python3-pyftpdlib` is for `/usr/bin/python3`,
/// which need not be the `python3` first on the PATH) and what it says it is:
/// `pyftpdlib 1.5.7 (Python 3.11.2)`.
pub fn pyftpdlib_python() -> Option<(std::path::PathBuf, String)> {
    const SAY: &str = "import sys, pyftpdlib; \
                       print('pyftpdlib', pyftpdlib.__ver__, '(Python', sys.version.split()[0] + ')')";
    ["python3", "/usr/bin/python3"]
        .into_iter()
        .find_map(|python| {
            let line = first_line(python, &["-c", SAY])?;
            line.starts_with("pyftpdlib ")
                .then(|| (std::path::PathBuf::from(python), line))
        })
}

/// `curl 7.88.1 (x86_64-pc-linux-gnu) libcurl/7.88.1 …` -> `curl 7.88.1`;
/// `LFTP | Version 4.9.2 | Copyright …` -> `lftp 4.9.2`.
pub fn short_version(line: &str) -> String {
    if let Some(rest) = line.strip_prefix("LFTP | Version ") {
        let v = rest.split_whitespace().next().unwrap_or("?");
        return format!("lftp {v}");
    }
    let mut words = line.split_whitespace();
    match (words.next(), words.next()) {
        (Some(name), Some(v)) => format!("{name} {v}"),
        (Some(name), None) => name.to_string(),
        _ => line.to_string(),
    }
}

/// Give a contender's process a private `HOME` (a temp dir: no user rc file, history or
/// `.netrc` changes its result) and none of the bench's own `XDG_*` or `FTPDECK_*` settings.
pub fn private<'c>(cmd: &'c mut Command, home: &Path) -> &'c mut Command {
    cmd.env("HOME", home);
    for (key, _) in std::env::vars_os() {
        let k = key.to_string_lossy();
        if k.starts_with("XDG_") || k.starts_with("FTPDECK_") || k == "NETRC" || k == "CURL_HOME" {
            cmd.env_remove(&key);
        }
    }
    cmd
}

/// The command line as the results show it: the password masked, the bench's temp dir as
/// `$TMP`, and words with spaces quoted.
pub fn shown(cmd: &Command, password: &str, base: &Path) -> String {
    let base = base.to_string_lossy();
    let program = Path::new(cmd.get_program())
        .file_name()
        .map_or_else(
            || cmd.get_program().to_string_lossy(),
            |n| n.to_string_lossy(),
        )
        .into_owned();
    let mut words = vec![program];
    for arg in cmd.get_args() {
        let mut a = arg.to_string_lossy().into_owned();
        if !base.is_empty() {
            a = a.replace(&*base, "$TMP");
        }
        if !password.is_empty() {
            a = a
                .replace(&format!(":{}@", percent_encode(password)), ":***@")
                .replace(&format!(",{password}"), ",***");
        }
        if a.contains(' ') || a.contains('"') || a.is_empty() {
            a = format!("'{a}'");
        }
        words.push(a);
    }
    words.join(" ")
}

/// `curl -q -sS -o DEST URL` (`-q` first: no `.curlrc`).
pub fn curl_get(login: &Login, remote: &str, dest: &Path) -> Command {
    let mut cmd = Command::new("curl");
    cmd.args(["-q", "-sS", "-o"])
        .arg(dest)
        .arg(login.url(remote));
    cmd
}

/// `curl -q -sS -T SOURCE URL`.
pub fn curl_put(login: &Login, source: &Path, remote: &str) -> Command {
    let mut cmd = Command::new("curl");
    cmd.args(["-q", "-sS", "-T"])
        .arg(source)
        .arg(login.url(remote));
    cmd
}

/// `curl -q -sS ftp://…/dir/` (LIST to stdout).
pub fn curl_list(login: &Login, dir: &str) -> Command {
    let mut cmd = Command::new("curl");
    cmd.args(["-q", "-sS"])
        .arg(login.url(&format!("{}/", dir.trim_end_matches('/'))));
    cmd
}

/// Quote a word for lftp's command line.
pub fn lftp_quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The commands lftp runs: settings that keep a failure from hanging or being ignored, plain
/// FTP (no AUTH TLS attempt, as for the other contenders), then `command`.
pub fn lftp_script(command: &str) -> String {
    format!(
        "set cmd:fail-exit yes; set ftp:ssl-allow no; set net:max-retries 2; \
         set net:reconnect-interval-base 1; set net:timeout 30; {command}; quit"
    )
}

/// `mirror [-R] --parallel=N SOURCE TARGET`: download (remote source, local target) or, with
/// `reverse`, upload (local source, remote target).
pub fn lftp_mirror_command(parallel: usize, reverse: bool, source: &str, target: &str) -> String {
    format!(
        "mirror{} --parallel={parallel} {} {}",
        if reverse { " -R" } else { "" },
        lftp_quote(source),
        lftp_quote(target)
    )
}

/// `lftp -u USER,PASSWORD -p PORT -e "…; COMMAND; quit" 127.0.0.1`.
pub fn lftp(login: &Login, command: &str) -> Command {
    let mut cmd = Command::new("lftp");
    cmd.arg("-u")
        .arg(format!("{},{}", login.user, login.password))
        .arg("-p")
        .arg(login.port.to_string())
        .arg("-e")
        .arg(lftp_script(command))
        .arg("127.0.0.1");
    cmd
}

pub fn tests() -> Vec<super::Case> {
    vec![
        super::case("tools: URLs percent-encode the login", || {
            let login = Login {
                port: 2121,
                user: "bench".into(),
                password: "p@ss:w/rd".into(),
            };
            assert_eq!(
                login.url("/big.bin"),
                "ftp://bench:p%40ss%3Aw%2Frd@127.0.0.1:2121/big.bin"
            );
            assert_eq!(percent_encode("a-b_c.d~9"), "a-b_c.d~9");
        }),
        super::case("tools: version lines shortened", || {
            assert_eq!(
                short_version(
                    "curl 7.88.1 (x86_64-pc-linux-gnu) libcurl/7.88.1 OpenSSL/3.0.17 zlib/1.2.13"
                ),
                "curl 7.88.1"
            );
            assert_eq!(
                short_version(
                    "LFTP | Version 4.9.2 | Copyright (c) 1996-2020 Alexander V. Lukyanov"
                ),
                "lftp 4.9.2"
            );
            assert_eq!(short_version("vsftpd"), "vsftpd");
        }),
        super::case("tools: lftp scripts", || {
            let down = lftp_script(&lftp_mirror_command(4, false, "/tree", "/tmp/x/tree"));
            assert!(down.starts_with("set cmd:fail-exit yes;"), "{down}");
            assert!(
                down.ends_with("mirror --parallel=4 \"/tree\" \"/tmp/x/tree\"; quit"),
                "{down}"
            );
            let up = lftp_mirror_command(1, true, "/tmp/a \"b\"", "/up/tree");
            assert_eq!(
                up,
                "mirror -R --parallel=1 \"/tmp/a \\\"b\\\"\" \"/up/tree\""
            );
        }),
        super::case(
            "tools: commands shown with the password masked and the temp dir short",
            || {
                let login = Login {
                    port: 2121,
                    user: "bench".into(),
                    password: "p@ss".into(),
                };
                let base = Path::new("/tmp/ftpdeck-bench-x1");
                let cmd = curl_get(&login, "/big.bin", &base.join("work/big.bin"));
                assert_eq!(
                    shown(&cmd, &login.password, base),
                    "curl -q -sS -o $TMP/work/big.bin ftp://bench:***@127.0.0.1:2121/big.bin"
                );
                let cmd = lftp(&login, "cls -1 /dir20k/");
                let text = shown(&cmd, &login.password, base);
                assert!(
                    text.starts_with("lftp -u bench,*** -p 2121 -e 'set "),
                    "{text}"
                );
                assert!(text.ends_with("cls -1 /dir20k/; quit' 127.0.0.1"), "{text}");
            },
        ),
        super::case(
            "tools: contenders get a private HOME and no FTPDECK_ settings",
            || {
                let mut cmd = Command::new("env");
                private(&mut cmd, Path::new("/tmp/private-home"));
                let envs: Vec<_> = cmd.get_envs().collect();
                assert!(envs.contains(&(
                    std::ffi::OsStr::new("HOME"),
                    Some(std::ffi::OsStr::new("/tmp/private-home"))
                )));
                assert!(
                    envs.iter()
                        .all(|(k, v)| !k.to_string_lossy().starts_with("FTPDECK_") || v.is_none())
                );
            },
        ),
    ]
}
