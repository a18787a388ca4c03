//! One FTP server that a scenario runs against, whichever it is: the embedded server over a
//! temp dir, or a private vsftpd (which runs as its unprivileged user, so what a test writes
//! under its root is handed to that user, and a root-owned 0600 file is one it may not read).
//!
//! Also: running `ftpdeck sync` against a peer, and what to assert on a run.
//!
//! Needs `mod common;` and `mod support;` in the test crate that includes it.
#![allow(dead_code)]

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use ftpdeck::remote::{Profile, Secret};

use crate::common::{self, cli, cli::Run};
use crate::support::vsftpd::{self, Vsftpd, VsftpdOptions};

/// A server under test, with its root on disk.
pub struct Peer {
    /// `embedded` or `vsftpd`, for messages.
    pub name: &'static str,
    pub port: u16,
    pub user: String,
    pub password: String,
    /// What the server shows at `/`.
    pub root: PathBuf,
    /// Its LIST gives a recent file's time as `HH:MM`, without seconds (and it has no MLSD).
    pub lists_minutes: bool,
    /// It computes checksums (FEAT offers SITE MD5 and the like), so both ways compares the
    /// contents of same-sized files whose times differ.
    pub hashes: bool,
    /// The uid and gid the server works as, when that is not us (vsftpd).
    owner: Option<(u32, u32)>,
    _server: Server,
}

enum Server {
    Embedded(ftpdeck::server::ServerHandle, tempfile::TempDir),
    Vsftpd(Vsftpd),
}

impl Peer {
    /// The embedded server (libunftp) over a fresh temp dir, user `tester`.
    pub fn embedded() -> Peer {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().to_path_buf();
        let server = common::start_server(&root);
        Peer {
            name: "embedded",
            port: server.addr().port(),
            user: common::USER.into(),
            password: common::PASSWORD.into(),
            root,
            lists_minutes: false,
            hashes: true,
            owner: None,
            _server: Server::Embedded(server, dir),
        }
    }

    /// A private vsftpd; `Err(reason)` when this machine cannot run one (the caller skips).
    pub fn vsftpd(opts: VsftpdOptions) -> Result<Peer, String> {
        let server = Vsftpd::start(opts)?;
        Ok(Peer {
            name: "vsftpd",
            port: server.port,
            user: server.user.clone(),
            password: server.password.clone(),
            root: server.home.clone(),
            lists_minutes: true,
            hashes: false,
            owner: Some(vsftpd::ensure_user()?),
            _server: Server::Vsftpd(server),
        })
    }

    /// `ftp://USER@127.0.0.1:PORT/path`.
    pub fn url(&self, path: &str) -> String {
        format!("ftp://{}@127.0.0.1:{}/{}", self.user, self.port, path)
    }

    /// `ftp://127.0.0.1:PORT/path`: the login has to come from elsewhere (`~/.netrc`).
    pub fn url_without_user(&self, path: &str) -> String {
        format!("ftp://127.0.0.1:{}/{}", self.port, path)
    }

    /// `FTPDECK_PASSWORD` for this server, as the environment of a run.
    pub fn password_env(&self) -> [(&'static str, &str); 1] {
        [("FTPDECK_PASSWORD", self.password.as_str())]
    }

    /// `root/rel` on disk.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    /// Write `content` at `rel` (parents made), owned by the server's user.
    pub fn write(&self, rel: &str, content: &[u8]) {
        common::write(&self.root, rel, content);
        self.own(rel);
    }

    /// Make the directory `rel` (and parents), owned by the server's user.
    pub fn mkdir(&self, rel: &str) {
        std::fs::create_dir_all(self.path(rel)).expect("mkdir -p");
        self.own(rel);
    }

    /// A sparse file of `len` bytes of zeros at `rel`: large, and costing no disk.
    pub fn write_sparse(&self, rel: &str, len: u64) {
        self.write(rel, b"");
        let f = std::fs::File::options()
            .write(true)
            .open(self.path(rel))
            .expect("open");
        f.set_len(len).expect("set_len");
    }

    /// A file at `rel` that the server lists and refuses to send: root's and 0600 where the
    /// server is not root (vsftpd); where it is (the embedded server), its name has a
    /// backslash, which no local file name may have. Returns its path and what the failure
    /// says.
    pub fn write_unsendable(&self, dir: &str) -> (String, &'static str) {
        if self.owner.is_some() {
            let rel = format!("{dir}/locked.bin");
            self.write(&rel, b"root only");
            std::os::unix::fs::chown(self.path(&rel), Some(0), Some(0)).expect("chown root");
            std::fs::set_permissions(self.path(&rel), std::fs::Permissions::from_mode(0o600))
                .expect("chmod 600");
            (rel, "550 ")
        } else {
            let rel = format!("{dir}/bad\\name.txt");
            self.write(&rel, b"no local name");
            (rel, "contains a path separator")
        }
    }

    /// Set the modification time of `rel` to `secs` after the epoch.
    pub fn set_mtime(&self, rel: &str, secs: u64) {
        common::cli::set_mtime(&self.path(rel), secs);
    }

    /// What the server lists for the directory `dir` (absolute), the way ftpdeck reads it:
    /// LIST lines for vsftpd, MLSD facts for the embedded server.
    pub fn listing(&self, dir: &str) -> Vec<String> {
        let profile = Profile {
            host: "127.0.0.1".into(),
            port: self.port,
            user: self.user.clone(),
            password: Some(Secret::new(self.password.as_str())),
            ..Default::default()
        };
        let mut conn = ftpdeck::remote::connect::connect(&profile, Default::default())
            .unwrap_or_else(|e| panic!("connect to {}: {e}", self.name));
        let lines = if self.lists_minutes {
            conn.ftp.list(Some(dir))
        } else {
            conn.ftp.mlsd(Some(dir))
        };
        let _ = conn.ftp.quit();
        lines.unwrap_or_else(|e| panic!("list {dir} on {}: {e}", self.name))
    }

    /// Hand `rel` and the directories above it (below the root) to the server's user; nothing
    /// else, so that a file kept from it stays so.
    fn own(&self, rel: &str) {
        let Some((uid, gid)) = self.owner else {
            return;
        };
        let mut p = self.root.clone();
        for part in Path::new(rel).components() {
            p.push(part);
            std::os::unix::fs::lchown(&p, Some(uid), Some(gid)).expect("chown");
        }
    }
}

/// `ftpdeck sync ARGS` with a private `home` and `peer`'s password in the environment.
pub fn sync(home: &Path, peer: &Peer, args: &[&str]) -> Run {
    let mut all = vec!["sync"];
    all.extend_from_slice(args);
    cli::ftpdeck(home, &all, &peer.password_env())
}

/// The run exited with `code` and its summary (stderr's last line) starts with `summary`.
pub fn assert_ran(r: &Run, code: i32, summary: &str) {
    assert_eq!(r.code, Some(code), "{}", r.stderr);
    let last = r.stderr.lines().last().unwrap_or("");
    assert!(last.starts_with(summary), "{summary}: {}", r.stderr);
}

/// Exit 0, nothing copied, deleted or failed, and the run says it was in step.
pub fn assert_in_step(r: &Run, what: &str) {
    assert!(r.stderr.contains("already in step"), "{what}: {}", r.stderr);
    assert_ran(r, 0, "0 copied, 0 skipped, 0 deleted, 0 failed");
}

/// `ago` seconds before now, on a whole minute: what a listing to the minute shows exactly.
pub fn minute(ago: u64) -> u64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::SystemTime::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    let t = now - ago;
    t - t % 60
}

/// Every file under `root` that is not a `.part`, relative, without reading any.
pub fn final_files(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(dir).expect("read_dir") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_none_or(|x| x != "part") {
                let rel = p.strip_prefix(root).expect("under root");
                out.push(rel.to_string_lossy().into_owned());
            }
        }
    }
    out
}
