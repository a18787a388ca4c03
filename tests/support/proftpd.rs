//! proftpd 1.3.x with mod_digest (HASH, XSHA256, XSHA1, XMD5, XCRC) as a test peer: one
//! foreground instance per test on 127.0.0.1, like [`super::vsftpd::Vsftpd`].
//!
//! Each [`Proftpd`] has its own temp dir (config, logs, pid and scoreboard files, the user's
//! root), its own port and passive range, and is killed with its session processes on drop. It
//! logs in the same local unix user as the vsftpd tests ([`super::vsftpd::USER`]), checked
//! against /etc/shadow by mod_auth_unix (no PAM file needed); `DefaultRoot` puts that user's `/`
//! at [`Proftpd::home`].
//!
//! [`Proftpd::start`] returns `Err(reason)` when the machine cannot run it (not root, proftpd
//! or its mod_digest missing): tests hand it to `common::skip`. `.ci/install-proftpd.sh`
//! installs it (as a package, or unpacked under target/proftpd/). Its logs are printed when a
//! test panics.
#![allow(dead_code)]

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Child;

use super::vsftpd::{Launch, PASSWORD, USER, launch};

/// A running proftpd; killed on drop.
pub struct Proftpd {
    pub port: u16,
    pub user: String,
    pub password: String,
    /// The user's root: a file put here appears at `/` (use [`Proftpd::put`]).
    pub home: PathBuf,
    uid: u32,
    gid: u32,
    log_dir: PathBuf,
    child: Child,
    _dir: tempfile::TempDir,
}

impl Proftpd {
    /// Start an instance and wait until it greets on its port. `Err(reason)` means "skip".
    pub fn start() -> Result<Proftpd, String> {
        let (binary, modules, lib_path) = find_binary().ok_or_else(|| {
            "proftpd with mod_digest is not installed (run .ci/install-proftpd.sh as root)"
                .to_string()
        })?;
        let (uid, gid) = super::vsftpd::ensure_user()?;
        let dir = tempfile::Builder::new()
            .prefix("ftpdeck-proftpd-")
            .tempdir()
            .map_err(|e| format!("cannot make a temp dir: {e}"))?;
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).expect("chmod");
        let home = dir.path().join("root");
        fs::create_dir(&home).expect("mkdir root");
        std::os::unix::fs::chown(&home, Some(uid), Some(gid)).expect("chown root");
        let config = dir.path().join("proftpd.conf");
        let output = dir.path().join("proftpd.out");
        let mut last_failure = String::new();
        // A port can be taken between our probe and proftpd's bind: try a few.
        for _ in 0..3 {
            let port = super::vsftpd::free_port();
            let (pasv_min, pasv_max) = super::vsftpd::pasv_range();
            fs::write(
                &config,
                config_text(port, pasv_min, pasv_max, &modules, &home, dir.path()),
            )
            .expect("write proftpd.conf");
            let args = [
                "--nodaemon".as_ref(),
                "--config".as_ref(),
                config.as_os_str(),
            ];
            match launch(&binary, &args, lib_path.as_deref(), &output, port) {
                Ok(child) => {
                    return Ok(Proftpd {
                        port,
                        user: USER.into(),
                        password: PASSWORD.into(),
                        home,
                        uid,
                        gid,
                        log_dir: dir.path().to_path_buf(),
                        child,
                        _dir: dir,
                    });
                }
                Err(Launch::CannotRun(why)) => return Err(why),
                Err(Launch::NoGreeting { why, said }) => {
                    last_failure = format!("{why}; output: {:?}", said.trim());
                    if !said.contains("Address already in use") {
                        break;
                    }
                }
            }
        }
        panic!(
            "proftpd ({}) did not start: {last_failure}\nconfig:\n{}",
            binary.display(),
            fs::read_to_string(&config).unwrap_or_default()
        );
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
        super::vsftpd::give_to(&self.home, self.uid, self.gid);
    }

    /// The server's logs so far (the extended log has every command and its reply code).
    pub fn log_text(&self) -> String {
        ["system.log", "commands.log", "proftpd.out"]
            .iter()
            .map(|f| {
                format!(
                    "--- {f} ---\n{}",
                    fs::read_to_string(self.log_dir.join(f)).unwrap_or_default()
                )
            })
            .collect()
    }

    /// The commands the server logged (`HASH /a.txt` …), in order.
    pub fn commands(&self) -> Vec<String> {
        fs::read_to_string(self.log_dir.join("commands.log"))
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }
}

impl Drop for Proftpd {
    fn drop(&mut self) {
        super::vsftpd::kill_group(&mut self.child);
        if std::thread::panicking() || std::env::var_os("FTPDECK_PROFTPD_LOG").is_some() {
            eprintln!("--- proftpd, port {} ---\n{}", self.port, self.log_text());
        }
    }
}

/// The proftpd binary, the directory holding mod_digest.so, and for a copy unpacked by
/// `.ci/install-proftpd.sh` its library path.
fn find_binary() -> Option<(PathBuf, PathBuf, Option<String>)> {
    let system = (
        PathBuf::from("/usr/sbin/proftpd"),
        PathBuf::from("/usr/lib/proftpd"),
    );
    if system.0.is_file() && system.1.join("mod_digest.so").is_file() {
        return Some((system.0, system.1, None));
    }
    let unpacked = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/proftpd");
    let binary = unpacked.join("usr/sbin/proftpd");
    let modules = unpacked.join("usr/lib/proftpd");
    if !binary.is_file() || !modules.join("mod_digest.so").is_file() {
        return None;
    }
    let libs = super::vsftpd::unpacked_lib_path(&unpacked);
    Some((binary, modules, libs))
}

fn config_text(
    port: u16,
    pasv_min: u16,
    pasv_max: u16,
    modules: &Path,
    home: &Path,
    dir: &Path,
) -> String {
    let d = dir.display();
    format!(
        "\
ServerName \"ftpdeck test proftpd\"
ServerType standalone
Port {port}
DefaultAddress 127.0.0.1
SocketBindTight on
UseIPv6 off
User nobody
Group nogroup
Umask 022
MaxInstances 30
PidFile {d}/proftpd.pid
ScoreboardFile {d}/proftpd.scoreboard
DelayTable none
WtmpLog off
UseLastlog off
UseReverseDNS off
UseSendfile off
SystemLog {d}/system.log
LogFormat commands \"%r %s\"
ExtendedLog {d}/commands.log ALL commands
ModulePath {modules}
LoadModule mod_digest.c
AuthPAM off
AuthOrder mod_auth_unix.c
RequireValidShell off
DefaultRoot {home}
PassivePorts {pasv_min} {pasv_max}
AllowOverwrite on
DigestEngine on
DigestCache off
",
        modules = modules.display(),
        home = home.display(),
    )
}
