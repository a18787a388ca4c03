//! Command-line definitions and `ftp://` URL parsing.

use std::net::SocketAddr;
use std::ops::RangeInclusive;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::remote::{Profile, Secret, Security};

/// A fast two-pane terminal file manager for FTP.
#[derive(Debug, Parser)]
#[command(
    name = "ftpdeck",
    version,
    about,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Server to open: ftp[s]://[USER[:PASSWORD]@]HOST[:PORT][/PATH], or a bookmark's name
    /// (prefer leaving the password out: you will be asked for it)
    pub url: Option<String>,

    /// Start directory of the local (left) pane
    #[arg(long, value_name = "DIR")]
    pub local: Option<PathBuf>,

    /// Start an embedded FTP server over a scratch copy of a demo tree and connect to it
    #[arg(long, conflicts_with = "url")]
    pub demo: bool,

    /// Transfers running at once, each on its own connection
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=16))]
    pub parallel: Option<u16>,

    /// Limit each direction's speed, shared by all transfers: 500K, 2M, 1G (over the config's
    /// and a bookmark's limits; `<` and `>` still change it)
    #[arg(long, value_name = "RATE", value_parser = parse_rate)]
    pub limit_rate: Option<u64>,

    /// The server's file-name charset: gbk, big5, shift_jis, euc-kr, windows-1251, iso-8859-2,
    /// utf-8 … or auto (UTF-8 when offered, other bytes kept raw); over a bookmark's
    #[arg(long, value_name = "NAME", value_parser = parse_charset)]
    pub charset: Option<crate::remote::encoding::Charset>,

    /// Do not capture the mouse (leaves the terminal's own selection working)
    #[arg(long)]
    pub no_mouse: bool,

    /// Active mode: the server connects to us for data (PORT/EPRT)
    #[arg(long, conflicts_with = "passive")]
    pub active: bool,

    /// Passive mode (the default): we connect to the server for data (EPSV/PASV)
    #[arg(long)]
    pub passive: bool,

    /// Print the saved bookmarks and recent connections, and exit
    #[arg(long)]
    pub list_bookmarks: bool,

    /// Print the commented default config.toml and exit
    #[arg(long)]
    pub print_default_config: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Share a directory over FTP until Ctrl-C
    Serve(ServeArgs),
    /// Download files or directory trees: ftpdeck get REMOTE... [LOCAL_DIR]
    Get(GetArgs),
    /// Upload files or directory trees: ftpdeck put LOCAL... REMOTE_DIR
    Put(PutArgs),
    /// Make DEST like SOURCE (one a local directory, the other remote): ftpdeck sync SOURCE DEST
    Sync(SyncArgs),
    /// List a remote directory (or one file): ftpdeck ls REMOTE
    Ls(LsArgs),
    /// Probe a server and say what works and which settings to use: ftpdeck doctor URL|BOOKMARK
    Doctor(DoctorArgs),
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// ftp[s]://[USER@]HOST[:PORT] or a bookmark's name
    pub target: String,
    /// Print the report as JSON on stdout
    #[arg(long)]
    pub json: bool,
    /// Trust the server's certificate with this SHA-256 fingerprint (hex, colons allowed)
    #[arg(long, value_name = "SHA256")]
    pub trust_fingerprint: Option<String>,
    /// Time limit of each step, in seconds (connecting, each reply, each data connection)
    #[arg(long, value_name = "SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=300))]
    pub timeout: u64,
}

#[derive(Debug, Args)]
pub struct LsArgs {
    /// ftp[s]://[USER@]HOST[:PORT]/PATH or BOOKMARK:/PATH
    pub remote: String,
    /// Kind, permissions, size and modification time before each name
    #[arg(short, long)]
    pub long: bool,
    /// Also names starting with a dot
    #[arg(short, long)]
    pub all: bool,
    /// Print the entries (raw names, kind, size, mtime, perms) as JSON on stdout
    #[arg(long)]
    pub json: bool,
    /// Trust the server's certificate with this SHA-256 fingerprint (hex, colons allowed)
    #[arg(long, value_name = "SHA256")]
    pub trust_fingerprint: Option<String>,
    /// Active mode: the server connects to us for data (PORT/EPRT)
    #[arg(long)]
    pub active: bool,
    /// The server's file-name charset (gbk, shift_jis, … or auto), over a bookmark's
    #[arg(long, value_name = "NAME", value_parser = parse_charset)]
    pub charset: Option<crate::remote::encoding::Charset>,
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// What to copy from: a local directory, or ftp[s]://… / BOOKMARK:/PATH
    pub source: String,
    /// What to make like it (the other kind)
    pub dest: String,
    /// Also delete what DEST has and SOURCE does not
    #[arg(long, conflicts_with = "both")]
    pub delete: bool,
    /// Print the plan, one line per action, and change nothing
    #[arg(long)]
    pub dry_run: bool,
    /// What counts as different: size-mtime (size, and time within 2 s; minute and date-only
    /// listings are understood), size, or checksum (same-sized files are hashed on both sides;
    /// the server must offer HASH, XSHA256, XSHA1, XMD5, XCRC or SITE MD5)
    #[arg(long, value_name = "HOW", default_value = "size-mtime", value_parser = parse_compare)]
    pub compare: crate::sync::Compare,
    /// Leave out names matching PATTERN (`*.tmp`; `.git/` for a directory); repeatable
    #[arg(long, value_name = "PATTERN")]
    pub exclude: Vec<String>,
    /// Both ways: the newer copy wins, nothing is deleted, a tie is reported and left alone
    #[arg(long)]
    pub both: bool,
    #[command(flatten)]
    pub options: HeadlessArgs,
}

fn parse_compare(s: &str) -> Result<crate::sync::Compare, String> {
    crate::sync::Compare::parse(s).ok_or_else(|| "use size-mtime, size or checksum".to_string())
}

/// Options of the headless commands.
#[derive(Debug, Args)]
pub struct HeadlessArgs {
    /// Transfers running at once, each on its own connection (default: the config's)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=16))]
    pub parallel: Option<u16>,
    /// Print only errors (and the JSON with --json)
    #[arg(long)]
    pub quiet: bool,
    /// Print the summary as JSON on stdout
    #[arg(long)]
    pub json: bool,
    /// Trust the server's certificate with this SHA-256 fingerprint (hex, colons allowed)
    #[arg(long, value_name = "SHA256")]
    pub trust_fingerprint: Option<String>,
    /// Active mode: the server connects to us for data (PORT/EPRT)
    #[arg(long)]
    pub active: bool,
    /// Limit the speed, shared by all transfers: 500K, 2M, 1G (over the config's and a
    /// bookmark's limits)
    #[arg(long, value_name = "RATE", value_parser = parse_rate)]
    pub limit_rate: Option<u64>,
    /// Check each copied file against the server's checksum: auto (when it offers HASH,
    /// XSHA256, XSHA1, XMD5 or XCRC), always (fail what cannot be checked), never
    #[arg(long, value_name = "WHEN", value_parser = parse_verify)]
    pub verify: Option<crate::transfer::verify::Verify>,
    /// The server's file-name charset: gbk, big5, shift_jis, euc-kr, windows-1251, iso-8859-2,
    /// utf-8 … or auto (UTF-8 when offered, other bytes kept raw); over a bookmark's
    #[arg(long, value_name = "NAME", value_parser = parse_charset)]
    pub charset: Option<crate::remote::encoding::Charset>,
}

/// `--verify`: `auto`, `always` or `never`.
pub fn parse_verify(s: &str) -> Result<crate::transfer::verify::Verify, String> {
    crate::transfer::verify::Verify::parse(s)
        .ok_or_else(|| format!("expected auto, always or never, got {s:?}"))
}

/// `--charset NAME`.
pub fn parse_charset(s: &str) -> Result<crate::remote::encoding::Charset, String> {
    crate::remote::encoding::Charset::parse(s)
}

/// `--overwrite`: `skip`, `overwrite`, `resume`, `newer` or `rename`.
pub fn parse_overwrite(s: &str) -> Result<crate::transfer::Resolution, String> {
    use crate::transfer::Resolution;
    match s.trim().to_ascii_lowercase().as_str() {
        "skip" => Ok(Resolution::Skip),
        "overwrite" => Ok(Resolution::Overwrite),
        "resume" => Ok(Resolution::Resume),
        "newer" => Ok(Resolution::OverwriteIfNewer),
        "rename" => Ok(Resolution::Rename),
        _ => Err("use skip, overwrite, resume, newer or rename".to_string()),
    }
}

#[derive(Debug, Args)]
pub struct GetArgs {
    /// ftp[s]://[USER@]HOST[:PORT]/PATH or BOOKMARK:/PATH (several: the same server), then
    /// optionally the local directory to download into (default: .)
    #[arg(required = true, value_name = "REMOTE... [LOCAL_DIR]")]
    pub paths: Vec<String>,
    /// An existing destination: skip, overwrite, resume (a smaller one; an equal one is
    /// skipped, a larger one replaced), newer (replace an older one) or rename (keep both).
    /// Default: resume a smaller destination, skip any other.
    #[arg(long, value_name = "POLICY", value_parser = parse_overwrite)]
    pub overwrite: Option<crate::transfer::Resolution>,
    #[command(flatten)]
    pub options: HeadlessArgs,
}

#[derive(Debug, Args)]
pub struct PutArgs {
    /// Local files or directories, then the remote directory (ftp[s]://… or BOOKMARK:/PATH)
    #[arg(required = true, num_args = 2.., value_name = "LOCAL... REMOTE_DIR")]
    pub paths: Vec<String>,
    /// An existing destination: skip, overwrite, resume (a smaller one; an equal one is
    /// skipped, a larger one replaced), newer (replace an older one) or rename (keep both).
    /// Default: resume a smaller destination, skip any other.
    #[arg(long, value_name = "POLICY", value_parser = parse_overwrite)]
    pub overwrite: Option<crate::transfer::Resolution>,
    #[command(flatten)]
    pub options: HeadlessArgs,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Directory to share
    pub dir: PathBuf,
    /// Address to listen on
    #[arg(long, default_value = "127.0.0.1:2121")]
    pub bind: SocketAddr,
    /// The only user allowed to log in (the password from --password-file,
    /// FTPDECK_SERVE_PASSWORD or --password)
    #[arg(long, conflicts_with = "anonymous")]
    pub user: Option<String>,
    /// That user's password (visible to every user of this machine in `ps`: prefer
    /// --password-file or FTPDECK_SERVE_PASSWORD)
    #[arg(long, requires = "user", conflicts_with = "password_file")]
    pub password: Option<String>,
    /// Read that user's password from FILE (its first line)
    #[arg(long, value_name = "FILE", requires = "user")]
    pub password_file: Option<PathBuf>,
    /// Allow anonymous logins (user "anonymous" or "ftp", any password), read-only unless
    /// --anonymous-write
    #[arg(long)]
    pub anonymous: bool,
    /// Let anonymous users upload, make directories, rename and delete
    #[arg(long, requires = "anonymous")]
    pub anonymous_write: bool,
    /// Refuse uploads, deletes, renames and new directories
    #[arg(long)]
    pub read_only: bool,
    /// Offer explicit FTPS (AUTH TLS) with a self-signed certificate made for this run; its
    /// SHA-256 fingerprint is printed so clients can pin it
    #[arg(long, conflicts_with = "tls_cert")]
    pub tls: bool,
    /// PEM certificate (chain) file: offer explicit FTPS with it (needs --tls-key)
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key file for --tls-cert
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Refuse logins and transfers not protected by TLS (with --tls or --tls-cert)
    #[arg(long)]
    pub require_tls: bool,
    /// Port range for passive data connections, e.g. 50000-50100
    #[arg(long, default_value = "50000-50100", value_parser = parse_port_range)]
    pub passive_ports: RangeInclusive<u16>,
    /// Serve what symlinks inside DIR point to even when it lies outside DIR (refused otherwise)
    #[arg(long)]
    pub follow_symlinks: bool,
    /// Clients connected at once; the next one is told 421 and closed
    #[arg(long, value_name = "N", default_value_t = 32, value_parser = clap::value_parser!(u32).range(1..=10000))]
    pub max_clients: u32,
    /// Close a session that sends nothing for this many seconds
    #[arg(long, value_name = "SECS", default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..=86400))]
    pub idle_timeout: u64,
    /// Fail a transfer whose data connection moves nothing for this many seconds
    #[arg(long, value_name = "SECS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=86400))]
    pub data_timeout: u64,
    /// Also write every log line (logins, transfers, refusals) to FILE (appended, mode 0600)
    #[arg(long, value_name = "FILE")]
    pub log: Option<PathBuf>,
    /// Most bytes per second for each transfer: 500K, 2M, 1G (K = 1024), or plain bytes
    #[arg(long, value_name = "RATE", value_parser = parse_rate)]
    pub limit_rate: Option<u64>,
}

pub use crate::transfer::limit::parse_rate;

/// `"50000-50100"` -> `50000..=50100`.
pub fn parse_port_range(s: &str) -> Result<RangeInclusive<u16>, String> {
    let (a, b) = s
        .split_once('-')
        .ok_or_else(|| format!("expected FIRST-LAST, got {s:?}"))?;
    let a: u16 = a.trim().parse().map_err(|_| format!("bad port {a:?}"))?;
    let b: u16 = b.trim().parse().map_err(|_| format!("bad port {b:?}"))?;
    if a == 0 || a > b {
        return Err(format!("bad port range {s:?}"));
    }
    Ok(a..=b)
}

/// Parse `ftp://[user[:password]@]host[:port][/path]` (or `ftps://` for FTPS: explicit
/// `AUTH TLS`, implicit TLS on port 990), percent-decoding user, password and path.
/// No user means anonymous; a user without a password leaves `password` empty (ask for it).
/// Errors show the URL with its password masked.
pub fn parse_url(url: &str) -> Result<Profile, String> {
    parse_url_parts(url).map_err(|why| format!("{why} in {:?}", mask_password(url)))
}

/// `url` with the password of its `user:password@` part replaced by `***`, for messages.
/// Everything before the last `@` counts as user information, so a password holding `/` or
/// `@` is masked too.
pub fn mask_password(url: &str) -> String {
    let (scheme, rest) = match url.find("://") {
        Some(i) => url.split_at(i + 3),
        None => ("", url),
    };
    let Some(at) = rest.rfind('@') else {
        return url.to_string();
    };
    match rest[..at].find(':') {
        Some(colon) => format!("{scheme}{}:***{}", &rest[..colon], &rest[at..]),
        None => url.to_string(),
    }
}

/// `parse_url` without the URL in its errors (they name the part that is wrong, never its text).
fn parse_url_parts(url: &str) -> Result<Profile, String> {
    let lower = url.to_ascii_lowercase();
    let (rest, tls) = if lower.starts_with("ftp://") {
        (&url[6..], false)
    } else if lower.starts_with("ftps://") {
        (&url[7..], true)
    } else if url.contains("://") {
        return Err("unsupported URL scheme (use ftp:// or ftps://)".into());
    } else {
        return Err("not an ftp:// or ftps:// URL".into());
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let (userinfo, hostport) = match authority.rfind('@') {
        Some(i) => (Some(&authority[..i]), &authority[i + 1..]),
        None => (None, authority),
    };
    let (host, port) = split_host_port(hostport)?;
    if host.is_empty() {
        return Err("no host".into());
    }
    let mut profile = match userinfo {
        None => Profile::anonymous(host, port),
        Some(info) => {
            let (user, password) = match info.split_once(':') {
                Some((u, p)) => (u, Some(p)),
                None => (info, None),
            };
            let password = password
                .map(|p| percent_decode(p).map_err(|why| format!("{why} in the password")))
                .transpose()?;
            Profile {
                host,
                port,
                user: percent_decode(user).map_err(|why| format!("{why} in the user name"))?,
                password: password.map(Secret::new),
                path: String::new(),
                ..Default::default()
            }
        }
    };
    profile.security = match (tls, profile.port) {
        (false, _) => Security::Plain,
        (true, 990) => Security::ImplicitTls,
        (true, _) => Security::ExplicitTls,
    };
    let path = strip_typecode(path)?;
    profile.path = url_path(path).map_err(|why| format!("{why} in the path"))?;
    Ok(profile)
}

/// The path without RFC 1738's `;type=` typecode at its end: `i` (binary, what ftpdeck always
/// uses) and `d` (a directory) are accepted; `a` (ASCII, with line ends rewritten) is refused,
/// as ftpdeck copies files byte for byte. A `;` that is part of a name is sent as `%3B`.
fn strip_typecode(path: &str) -> Result<&str, String> {
    let Some(at) = path.rfind(';') else {
        return Ok(path);
    };
    let (before, code) = (&path[..at], &path[at + 1..]);
    if code.contains('/') {
        return Ok(path);
    }
    let Some(kind) = code
        .get(..5)
        .filter(|k| k.eq_ignore_ascii_case("type="))
        .map(|_| &code[5..])
    else {
        return Ok(path);
    };
    match kind {
        "i" | "I" | "d" | "D" => Ok(before),
        "a" | "A" => Err(
            "ASCII mode (;type=a) is not supported: ftpdeck copies files byte for \
                          byte (drop ;type=a, or write the ; as %3B if it is part of the name)"
                .into(),
        ),
        _ => Err(
            "unknown ;type= (RFC 1738 has a, i and d; write a ; that is part of a name \
                  as %3B)"
                .into(),
        ),
    }
}

/// The URL's path as `Profile::path` (see `remote::path::start_dir`): RFC 1738 makes it
/// relative to the login directory (`/pub` -> `pub`); `//abs` or `/%2Fabs` is absolute.
fn url_path(path: &str) -> Result<String, String> {
    let relative = path.strip_prefix('/').unwrap_or(path);
    let decoded = percent_decode(relative)?;
    if decoded.starts_with('/') {
        // Absolute; the root stays "//" (a bare "/" would mean the login directory).
        let trimmed = decoded.trim_end_matches('/');
        return Ok(if trimmed.is_empty() {
            "//".into()
        } else {
            trimmed.to_string()
        });
    }
    Ok(decoded.trim_end_matches('/').to_string())
}

fn split_host_port(hostport: &str) -> Result<(String, u16), String> {
    let port = |p: &str| match p.parse::<u16>() {
        Ok(0) | Err(_) => Err("bad port (use 1 to 65535)".to_string()),
        Ok(n) => Ok(n),
    };
    if let Some(rest) = hostport.strip_prefix('[') {
        let (host, after) = rest
            .split_once(']')
            .ok_or_else(|| "unclosed [ around the host".to_string())?;
        let port = match after.strip_prefix(':') {
            Some(p) => port(p)?,
            None if after.is_empty() => 21,
            None => return Err("unexpected text after the host".into()),
        };
        return Ok((host.to_string(), port));
    }
    match hostport.rsplit_once(':') {
        Some((h, p)) => Ok((h.to_string(), port(p)?)),
        None => Ok((hostport.to_string(), 21)),
    }
}

/// `user` for the user-info part of a URL: every byte but RFC 3986's unreserved characters
/// percent-encoded (what [`percent_decode`] reads back).
pub fn url_user(user: &str) -> String {
    user.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Decode `%XX` escapes (UTF-8). A `%` not followed by two hex digits is an error; errors
/// never quote the text (it may be a password).
pub fn percent_decode(s: &str) -> Result<String, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| "bad percent escape (% needs two hex digits)".to_string())?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| "percent escapes that are not UTF-8".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_user_is_encoded_so_that_it_decodes_back() {
        for user in ["alice", "a@b c:d/é", "%41"] {
            let e = url_user(user);
            assert!(!e.contains(['@', ':', '/', ' ']), "{e}");
            assert_eq!(percent_decode(&e).unwrap(), user);
        }
    }

    #[test]
    fn full_url() {
        let p = parse_url("ftp://bob:s%40cret@example.org:2121/some/dir%20x/").unwrap();
        assert_eq!(p.host, "example.org");
        assert_eq!(p.port, 2121);
        assert_eq!(p.user, "bob");
        assert_eq!(p.password, Some(Secret::new("s@cret")));
        assert_eq!(p.path, "some/dir x", "relative to the login directory");
    }

    #[test]
    fn anonymous_and_prompted() {
        let p = parse_url("ftp://example.org").unwrap();
        assert_eq!(
            (p.user.as_str(), p.port, p.path.as_str()),
            ("anonymous", 21, "")
        );
        assert!(p.password.is_some());
        let p = parse_url("ftp://alice@[::1]:21/").unwrap();
        assert_eq!((p.user.as_str(), p.host.as_str()), ("alice", "::1"));
        assert_eq!(p.password, None);
        assert_eq!(p.path, "", "ftp://host/ is the login directory");
    }

    #[test]
    fn rates_read_like_curls_limit_rate() {
        assert_eq!(parse_rate("500K"), Ok(500 * 1024));
        assert_eq!(parse_rate("2M"), Ok(2 << 20));
        assert_eq!(parse_rate("1.5m"), Ok(3 << 19));
        assert_eq!(parse_rate("1G"), Ok(1 << 30));
        assert_eq!(parse_rate("4096"), Ok(4096));
        assert_eq!(parse_rate("2MB/s"), Ok(2 << 20));
        for bad in ["", "fast", "2X", "0", "-1M", "é12345678", "1e400", "1.2.3M"] {
            assert!(parse_rate(bad).is_err(), "{bad:?}");
        }
    }

    /// Each URL of `cases` parses to its profile path.
    fn assert_paths(cases: &[(&str, &str)]) {
        for (url, want) in cases {
            assert_eq!(parse_url(url).unwrap().path, *want, "{url}");
        }
    }

    #[test]
    fn url_paths_follow_rfc_1738() {
        assert_paths(&[
            ("ftp://h/pub", "pub"),
            ("ftp://h/pub/", "pub"),
            ("ftp://h//etc", "/etc"),
            ("ftp://h/%2Fetc/x/", "/etc/x"),
            ("ftp://h/%2F", "//"),
            ("ftp://h//", "//"),
            ("ftp://h", ""),
        ]);
    }

    #[test]
    fn rfc_1738_typecodes_end_the_path() {
        assert_paths(&[
            ("ftp://h/pub/f.iso;type=i", "pub/f.iso"),
            ("ftp://h/pub/f.iso;TYPE=I", "pub/f.iso"),
            ("ftp://h/pub;type=d", "pub"),
            ("ftp://h/pub/;type=d", "pub"),
            ("ftp://h/;type=d", ""),
            ("ftp://h//etc;type=d", "/etc"),
            // A ; that is part of a name: encoded, or not followed by type=.
            ("ftp://h/a%3Btype=i", "a;type=i"),
            ("ftp://h/a;b", "a;b"),
            ("ftp://h/x;type=i/y", "x;type=i/y"),
        ]);
        let e = parse_url("ftp://bob:pw@h/f.txt;type=a").unwrap_err();
        assert!(e.contains("ASCII mode") && e.contains("bob:***@h"), "{e}");
        for url in ["ftp://h/f;type=x", "ftp://h/f;type=", "ftp://h/f;type=é"] {
            let e = parse_url(url).unwrap_err();
            assert!(e.contains("unknown ;type="), "{url}: {e}");
        }
    }

    #[test]
    fn ftps_urls() {
        let p = parse_url("ftps://alice@example.org/x").unwrap();
        assert_eq!((p.security, p.port), (Security::ExplicitTls, 21));
        let p = parse_url("ftps://example.org:990").unwrap();
        assert_eq!(p.security, Security::ImplicitTls);
        assert_eq!(
            parse_url("ftp://h").unwrap().data_mode,
            crate::remote::DataMode::Passive
        );
    }

    #[test]
    fn bad_urls() {
        assert!(parse_url("http://x").unwrap_err().contains("scheme"));
        assert!(parse_url("ftp://host:99999").is_err());
        assert!(parse_url("ftp://u@/x").is_err());
        assert!(parse_url("ftp://h/%zz").is_err());
        assert!(parse_url("ftp://h:0/").unwrap_err().contains("bad port"));
    }

    #[test]
    fn errors_never_show_the_password() {
        for url in [
            "ftp://bob:S3%ZZCR3T@host/",
            "ftp://bob:S3CR3T@host:99999/",
            "http://bob:S3CR3T@host/",
            "ftp://bob:S3/CR3T@host/",
            "ftp://bob:S3CR3T@/x",
            "ftp://bob:S3CR3T@[::1/",
            "ftp://bob:S3%FFCR3T@host/",
        ] {
            let e = parse_url(url).unwrap_err();
            assert!(!e.contains("S3") && !e.contains("CR3T"), "{url} -> {e}");
            assert!(e.contains("bob:***@"), "{url} -> {e}");
        }
        assert_eq!(
            parse_url("ftp://bob:S3%ZZCR3T@host/").unwrap_err(),
            r#"bad percent escape (% needs two hex digits) in the password in "ftp://bob:***@host/""#
        );
        assert_eq!(mask_password("ftp://bob@host/"), "ftp://bob@host/");
        assert_eq!(mask_password("bob:pw@host"), "bob:***@host");
    }

    #[test]
    fn port_ranges() {
        assert_eq!(parse_port_range("50000-50100"), Ok(50000..=50100));
        assert!(parse_port_range("5-1").is_err());
    }
}
