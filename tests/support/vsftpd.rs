//! vsftpd 3.0.x as a third-party test peer: one foreground instance per test on 127.0.0.1.
//!
//! Each [`Vsftpd`] has its own temp dir (config, log, certificate, the empty dir vsftpd insists
//! on, and the user's root), its own listening port and its own passive port range, and is
//! killed (with its per-connection children) on drop. Every instance logs in the same local
//! unix user, [`USER`], created once with `useradd` and given [`PASSWORD`] with `chpasswd`; the
//! config's `local_root` + `chroot_local_user` put that user's `/` at the instance's
//! [`Vsftpd::home`], so instances never see each other's files.
//!
//! Its log (commands, replies, transfers) is printed when a test panics, or always with
//! `FTPDECK_VSFTPD_LOG=1`.
//!
//! [`Vsftpd::start`] returns `Err(reason)` when the machine cannot run vsftpd (not root, binary,
//! PAM file or openssl missing, the user cannot be created); tests hand it to `common::skip`
//! (prints `skipped: <reason>`, or fails under `CI=true`) and return. A vsftpd that is there but does not come up panics instead: that is a bug to see,
//! not a reason to skip. `.ci/install-vsftpd.sh` installs what is needed.
#![allow(dead_code)]

use std::fs;
use std::io::{BufRead, BufReader};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// The local unix user every instance logs in (created on first use, kept afterwards).
pub const USER: &str = "ftpdeckci";
/// Its password (set with `chpasswd` once per test process).
pub const PASSWORD: &str = "ftpdeck-ci-Pw7";

/// How long a starting vsftpd may take to greet on its port.
const START_DEADLINE: Duration = Duration::from_secs(10);

/// What kind of server to start. `Default` is plain FTP, passive only.
#[derive(Debug, Clone, Copy, Default)]
pub struct VsftpdOptions {
    /// Explicit FTPS: `ssl_enable`, `force_local_logins_ssl`, `force_local_data_ssl`,
    /// `require_ssl_reuse=YES`, with a fresh self-signed certificate made by openssl.
    pub tls: bool,
    /// Active mode only: PORT allowed (`port_enable=YES`, `connect_from_port_20=NO`) and PASV
    /// refused (`pasv_enable=NO`), so a passing test proves the client used PORT. When false,
    /// PASV only (`port_enable=NO`).
    pub active: bool,
    /// `local_max_rate` in bytes per second (0: unlimited), to make a transfer last long enough
    /// to be interrupted.
    pub max_rate: u64,
    /// Passive data connections on any free port (`pasv_min_port=0`, vsftpd's default, as on a
    /// server in service) instead of a private range of 40. The bench wants it: 2,000 data
    /// connections a run on 40 ports keep meeting the server's TIME_WAIT sockets of the run
    /// before, and a SYN that one of them turns away costs the client a 1 s retransmission.
    pub any_pasv_port: bool,
}

/// A running vsftpd; killed on drop.
pub struct Vsftpd {
    pub port: u16,
    pub user: String,
    pub password: String,
    /// The user's chroot: a file put here appears at `/` (use [`Vsftpd::put`] or call
    /// [`Vsftpd::give_to_user`] so the server may read and write what the test made as root).
    pub home: PathBuf,
    /// SHA-256 of the DER certificate, lowercase hex without separators (TLS only).
    pub fingerprint: Option<String>,
    /// The config file and vsftpd's log (with the FTP conversation), for diagnosis.
    pub config: PathBuf,
    pub log: PathBuf,
    uid: u32,
    gid: u32,
    child: Child,
    _dir: tempfile::TempDir,
}

impl Vsftpd {
    /// Start an instance and wait until it greets on its port. `Err(reason)` means "skip".
    pub fn start(opts: VsftpdOptions) -> Result<Vsftpd, String> {
        let (binary, lib_path) = find_binary().ok_or_else(|| {
            "vsftpd is not installed (run .ci/install-vsftpd.sh as root)".to_string()
        })?;
        if !Path::new("/etc/pam.d/vsftpd").exists() {
            return Err("/etc/pam.d/vsftpd is missing (run .ci/install-vsftpd.sh)".into());
        }
        let (uid, gid) = ensure_user()?;
        if opts.tls && !command_works("openssl", &["version"]) {
            return Err("openssl is not installed: no certificate for the FTPS server".into());
        }

        let dir = tempfile::Builder::new()
            .prefix("ftpdeck-vsftpd-")
            .tempdir()
            .map_err(|e| format!("cannot make a temp dir: {e}"))?;
        // The user must be able to walk into its root, which lies inside this dir.
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).expect("chmod");
        let home = dir.path().join("root");
        fs::create_dir(&home).expect("mkdir root");
        std::os::unix::fs::chown(&home, Some(uid), Some(gid)).expect("chown root");
        let empty = dir.path().join("empty");
        fs::create_dir(&empty).expect("mkdir empty");
        let log = dir.path().join("vsftpd.log");
        let config = dir.path().join("vsftpd.conf");

        let fingerprint = if opts.tls {
            Some(make_certificate(dir.path())?)
        } else {
            None
        };

        // A port can be taken between our probe and vsftpd's bind: try a few.
        let mut last_failure = String::new();
        for _ in 0..3 {
            let port = free_port();
            let (pasv_min, pasv_max) = if opts.any_pasv_port {
                (0, 0)
            } else {
                pasv_range()
            };
            let text = config_text(&ConfigArgs {
                port,
                pasv_min,
                pasv_max,
                opts,
                home: &home,
                empty: &empty,
                log: &log,
                dir: dir.path(),
            });
            fs::write(&config, text).expect("write vsftpd.conf");
            let output = dir.path().join("vsftpd.out");
            let launched = launch(
                &binary,
                &[config.as_os_str()],
                lib_path.as_deref(),
                &output,
                port,
            );
            match launched {
                Ok(child) => {
                    return Ok(Vsftpd {
                        port,
                        user: USER.into(),
                        password: PASSWORD.into(),
                        home,
                        fingerprint,
                        config,
                        log,
                        uid,
                        gid,
                        child,
                        _dir: dir,
                    });
                }
                Err(Launch::CannotRun(why)) => return Err(why),
                Err(Launch::NoGreeting { why, said }) => {
                    last_failure = format!("{why}; output: {:?}", said.trim());
                    if !said.contains("could not bind listening") {
                        break;
                    }
                }
            }
        }
        panic!(
            "vsftpd ({}) did not start: {last_failure}\nconfig:\n{}",
            binary.display(),
            fs::read_to_string(&config).unwrap_or_default()
        );
    }

    /// The listening process's id (sessions are its children).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The server's address.
    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from((Ipv4Addr::LOCALHOST, self.port))
    }

    /// `home/rel` on disk.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.home.join(rel.trim_start_matches('/'))
    }

    /// Write `content` at `home/rel` (parents created), owned by the test user.
    pub fn put(&self, rel: &str, content: &[u8]) {
        let p = self.path(rel);
        fs::create_dir_all(p.parent().expect("parent")).expect("mkdir -p");
        fs::write(&p, content).expect("write");
        self.give_to_user();
    }

    /// Create the directory `home/rel` (and parents), owned by the test user.
    pub fn mkdir(&self, rel: &str) {
        fs::create_dir_all(self.path(rel)).expect("mkdir -p");
        self.give_to_user();
    }

    /// Hand everything under `home` to the test user (after the test made files as root).
    pub fn give_to_user(&self) {
        give_to(&self.home, self.uid, self.gid);
    }

    /// vsftpd's log so far (commands, replies, transfers, TLS notes).
    pub fn log_text(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Vsftpd {
    fn drop(&mut self) {
        kill_group(&mut self.child);
        if std::env::var_os("FTPDECK_VSFTPD_LOG").is_some() {
            eprintln!(
                "--- vsftpd log, port {} ---\n{}",
                self.port,
                self.log_text()
            );
        } else if std::thread::panicking() {
            let log = self.log_text();
            let tail: Vec<&str> = log.lines().rev().take(60).collect();
            eprintln!(
                "--- vsftpd log (last {} lines) ---\n{}",
                tail.len(),
                tail.into_iter().rev().collect::<Vec<_>>().join("\n")
            );
        }
    }
}

/// Why [`launch`] gave up.
pub enum Launch {
    /// The binary could not be run at all: a reason to skip.
    CannotRun(String),
    /// It ran but did not greet on its port (and was killed): what went wrong, what it printed.
    NoGreeting { why: String, said: String },
}

/// Run `binary ARGS` in its own process group (so that [`kill_group`] ends its session
/// processes too), its output in `output`, and wait for its greeting on `port`.
pub fn launch(
    binary: &Path,
    args: &[&std::ffi::OsStr],
    lib_path: Option<&str>,
    output: &Path,
    port: u16,
) -> Result<Child, Launch> {
    let out = fs::File::create(output).expect("create the server's output file");
    let mut cmd = Command::new(binary);
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(out.try_clone().expect("dup"))
        .stderr(out)
        .process_group(0);
    if let Some(p) = lib_path {
        cmd.env("LD_LIBRARY_PATH", p);
    }
    let mut child = cmd
        .spawn()
        .map_err(|e| Launch::CannotRun(format!("cannot run {}: {e}", binary.display())))?;
    match wait_for_greeting(port, &mut child) {
        Ok(()) => Ok(child),
        Err(why) => {
            kill_group(&mut child);
            let said = fs::read_to_string(output).unwrap_or_default();
            Err(Launch::NoGreeting { why, said })
        }
    }
}

/// Hand `p` and everything under it to `uid`:`gid`.
pub fn give_to(p: &Path, uid: u32, gid: u32) {
    let meta = fs::symlink_metadata(p).expect("stat");
    if meta.uid() != uid || meta.gid() != gid {
        std::os::unix::fs::lchown(p, Some(uid), Some(gid)).expect("chown");
    }
    if meta.is_dir() {
        for e in fs::read_dir(p).expect("read_dir") {
            give_to(&e.expect("entry").path(), uid, gid);
        }
    }
}

/// Kill vsftpd and every session process it forked (they share its process group).
pub fn kill_group(child: &mut Child) {
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{}", child.id())])
        .stderr(Stdio::null())
        .status();
    let _ = child.kill();
    let _ = child.wait();
}

/// The vsftpd binary and, for a copy unpacked by `.ci/install-vsftpd.sh`, its library path.
fn find_binary() -> Option<(PathBuf, Option<String>)> {
    if let Some(p) = std::env::var_os("FTPDECK_VSFTPD") {
        return Some((PathBuf::from(p), None));
    }
    for p in [
        "/usr/sbin/vsftpd",
        "/usr/local/sbin/vsftpd",
        "/usr/bin/vsftpd",
    ] {
        if Path::new(p).is_file() {
            return Some((PathBuf::from(p), None));
        }
    }
    let unpacked = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/vsftpd");
    let binary = unpacked.join("usr/sbin/vsftpd");
    if !binary.is_file() {
        return None;
    }
    Some((binary, unpacked_lib_path(&unpacked)))
}

/// `LD_LIBRARY_PATH` for the libraries of packages unpacked (`dpkg -x`) under `unpacked`.
pub fn unpacked_lib_path(unpacked: &Path) -> Option<String> {
    let libs: Vec<String> = [
        "usr/lib/x86_64-linux-gnu",
        "lib/x86_64-linux-gnu",
        "usr/lib/aarch64-linux-gnu",
        "lib/aarch64-linux-gnu",
        "usr/lib",
        "lib",
    ]
    .iter()
    .map(|d| unpacked.join(d))
    .filter(|d| d.is_dir())
    .map(|d| d.to_string_lossy().into_owned())
    .collect();
    (!libs.is_empty()).then(|| libs.join(":"))
}

fn command_works(cmd: &str, args: &[&str]) -> bool {
    Command::new(cmd)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn is_root() -> bool {
    fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// `(uid, gid)` of `user` from /etc/passwd.
fn lookup_user(user: &str) -> Option<(u32, u32)> {
    let passwd = fs::read_to_string("/etc/passwd").ok()?;
    let line = passwd.lines().find(|l| l.split(':').next() == Some(user))?;
    let f: Vec<&str> = line.split(':').collect();
    Some((f.get(2)?.parse().ok()?, f.get(3)?.parse().ok()?))
}

/// The home directory of `user` from /etc/passwd.
fn lookup_home(user: &str) -> Option<String> {
    let passwd = fs::read_to_string("/etc/passwd").ok()?;
    let line = passwd.lines().find(|l| l.split(':').next() == Some(user))?;
    line.split(':').nth(5).map(str::to_string)
}

/// Create the test user if needed and set its password, once per process.
pub fn ensure_user() -> Result<(u32, u32), String> {
    static USER_IDS: OnceLock<Result<(u32, u32), String>> = OnceLock::new();
    USER_IDS
        .get_or_init(|| {
            if !is_root() {
                return Err(format!(
                    "not root: cannot create the local user {USER} that vsftpd logs in"
                ));
            }
            if lookup_user(USER).is_none() {
                // The shell must be listed in /etc/shells (the PAM file checks it). vsftpd
                // enters the home before `local_root`, so it must exist: `/` always does.
                let out = Command::new("useradd")
                    .args(["--no-create-home", "--home-dir", "/"])
                    .args([
                        "--shell",
                        "/bin/sh",
                        "--comment",
                        "ftpdeck interop tests",
                        USER,
                    ])
                    .output()
                    .map_err(|e| format!("cannot run useradd: {e}"))?;
                // Another test process may have created it meanwhile: look again below.
                if !out.status.success() && lookup_user(USER).is_none() {
                    return Err(format!(
                        "useradd {USER} failed: {}",
                        String::from_utf8_lossy(&out.stderr).trim()
                    ));
                }
            }
            if !lookup_home(USER).is_some_and(|h| Path::new(&h).is_dir()) {
                let _ = Command::new("usermod").args(["--home", "/", USER]).output();
            }
            let mut chpasswd = Command::new("chpasswd")
                .stdin(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .map_err(|e| format!("cannot run chpasswd: {e}"))?;
            {
                use std::io::Write;
                let mut stdin = chpasswd.stdin.take().expect("stdin");
                writeln!(stdin, "{USER}:{PASSWORD}").map_err(|e| e.to_string())?;
            }
            let out = chpasswd.wait_with_output().map_err(|e| e.to_string())?;
            if !out.status.success() {
                return Err(format!(
                    "chpasswd failed: {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                ));
            }
            lookup_user(USER).ok_or_else(|| format!("user {USER} not in /etc/passwd"))
        })
        .clone()
}

/// A self-signed end-entity certificate for 127.0.0.1 in `dir`; returns its SHA-256
/// fingerprint (of the DER form), lowercase hex without separators.
fn make_certificate(dir: &Path) -> Result<String, String> {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes"])
        .args(["-keyout", "key.pem", "-out", "cert.pem", "-days", "7"])
        .args(["-subj", "/CN=127.0.0.1"])
        .args(["-addext", "subjectAltName=IP:127.0.0.1"])
        .args(["-addext", "basicConstraints=critical,CA:FALSE"])
        .output()
        .map_err(|e| format!("cannot run openssl: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "openssl req failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let out = Command::new("openssl")
        .current_dir(dir)
        .args([
            "x509",
            "-in",
            "cert.pem",
            "-noout",
            "-fingerprint",
            "-sha256",
        ])
        .output()
        .map_err(|e| format!("cannot run openssl: {e}"))?;
    // "sha256 Fingerprint=AB:CD:..." -> "abcd..."
    let text = String::from_utf8_lossy(&out.stdout);
    let hex: String = text
        .split_once('=')
        .map(|(_, h)| h)
        .unwrap_or("")
        .chars()
        .filter(char::is_ascii_hexdigit)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if !out.status.success() || hex.len() != 64 {
        return Err(format!("openssl x509 -fingerprint said {text:?}"));
    }
    Ok(hex)
}

/// A port that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .expect("bind 127.0.0.1:0")
        .port()
}

/// 40 passive ports below Linux's ephemeral range (32768 and up), so client sockets never take
/// them, and different for each instance of this process. vsftpd picks a random one per PASV
/// and tries another when it is busy.
pub fn pasv_range() -> (u16, u16) {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let slot = (std::process::id().wrapping_mul(7).wrapping_add(n)) % 300;
    let min = 20000 + (slot as u16) * 40;
    (min, min + 39)
}

struct ConfigArgs<'a> {
    port: u16,
    pasv_min: u16,
    pasv_max: u16,
    opts: VsftpdOptions,
    home: &'a Path,
    empty: &'a Path,
    log: &'a Path,
    dir: &'a Path,
}

fn yes(b: bool) -> &'static str {
    if b { "YES" } else { "NO" }
}

fn config_text(a: &ConfigArgs) -> String {
    let mut c = format!(
        "\
listen=YES
listen_ipv6=NO
listen_address=127.0.0.1
listen_port={port}
background=NO
seccomp_sandbox=NO
isolate=NO
isolate_network=NO
anonymous_enable=NO
local_enable=YES
write_enable=YES
local_umask=022
pam_service_name=vsftpd
chroot_local_user=YES
allow_writeable_chroot=YES
local_root={home}
secure_chroot_dir={empty}
pasv_enable={pasv}
pasv_min_port={pasv_min}
pasv_max_port={pasv_max}
port_enable={active}
connect_from_port_20=NO
local_max_rate={rate}
delay_failed_login=0
syslog_enable=NO
vsftpd_log_file={log}
xferlog_enable=YES
xferlog_std_format=NO
dual_log_enable=NO
log_ftp_protocol=YES
",
        port = a.port,
        home = a.home.display(),
        empty = a.empty.display(),
        pasv = yes(!a.opts.active),
        pasv_min = a.pasv_min,
        pasv_max = a.pasv_max,
        active = yes(a.opts.active),
        rate = a.opts.max_rate,
        log = a.log.display(),
    );
    if a.opts.tls {
        // vsftpd 3.0.3's default cipher list (DES-CBC3-SHA) is nothing rustls speaks.
        c.push_str(&format!(
            "\
ssl_enable=YES
rsa_cert_file={cert}
rsa_private_key_file={key}
force_local_logins_ssl=YES
force_local_data_ssl=YES
require_ssl_reuse=YES
ssl_ciphers=HIGH
debug_ssl=YES
",
            cert = a.dir.join("cert.pem").display(),
            key = a.dir.join("key.pem").display(),
        ));
    }
    c
}

/// Poll the port until the server (vsftpd, proftpd) answers with its 220 greeting (or exits, or the deadline passes).
pub fn wait_for_greeting(port: u16, child: &mut Child) -> Result<(), String> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let deadline = Instant::now() + START_DEADLINE;
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("the server exited with {status}"));
        }
        if let Ok(stream) = TcpStream::connect_timeout(&addr, Duration::from_millis(200)) {
            stream
                .set_read_timeout(Some(Duration::from_secs(5)))
                .expect("timeout");
            let mut line = String::new();
            let _ = BufReader::new(stream).read_line(&mut line);
            if line.starts_with("220") {
                return Ok(());
            }
            return Err(format!("port {port} answered {:?}", line.trim()));
        }
        if Instant::now() >= deadline {
            return Err(format!(
                "nothing listened on {addr} within {START_DEADLINE:?}"
            ));
        }
        // Not listening yet: a connection attempt is refused at once, so pace the polling.
        std::thread::sleep(Duration::from_millis(10));
    }
}
