//! The servers the contests run against, each with the fixtures in its root and an empty,
//! writable `up/` for uploads.

use std::path::{Path, PathBuf};

use ftpdeck::server::{self, ServerAuth, ServerConfig, ServerHandle};

use super::fixtures;
use super::tools::Login;
use super::vsftpd::{Vsftpd, VsftpdOptions};

pub struct Server {
    /// `vsftpd` or `embedded`.
    pub name: &'static str,
    pub login: Login,
    /// What the server shows as `/`.
    pub root: PathBuf,
    /// Keeps the server running; dropping it stops the server.
    _embedded: Option<ServerHandle>,
    vsftpd: Option<Vsftpd>,
}

impl Server {
    /// The embedded libunftp server over `root` (fixtures linked in).
    pub fn embedded(root: &Path, fixtures: &Path) -> Result<Server, String> {
        fixtures::link_tree(fixtures, root).map_err(|e| format!("linking the fixtures: {e}"))?;
        std::fs::create_dir_all(root.join("up")).map_err(|e| e.to_string())?;
        let (user, password) = ("bench".to_string(), "bench".to_string());
        let handle = server::start(ServerConfig::local(
            root,
            ServerAuth::User {
                user: user.clone(),
                password: password.clone(),
            },
        ))
        .map_err(|e| format!("the embedded server did not start: {e}"))?;
        Ok(Server {
            name: "embedded",
            login: Login {
                port: handle.addr().port(),
                user,
                password,
            },
            root: root.to_path_buf(),
            _embedded: Some(handle),
            vsftpd: None,
        })
    }

    /// A vsftpd of its own on 127.0.0.1, or `Err(reason)` when this machine cannot run one.
    pub fn vsftpd(fixtures: &Path) -> Result<Server, String> {
        let v = Vsftpd::start(VsftpdOptions::default())?;
        fixtures::link_tree(fixtures, &v.home).map_err(|e| format!("linking the fixtures: {e}"))?;
        v.mkdir("up");
        v.give_to_user();
        Ok(Server {
            name: "vsftpd",
            login: Login {
                port: v.port,
                user: v.user.clone(),
                password: v.password.clone(),
            },
            root: v.home.clone(),
            _embedded: None,
            vsftpd: Some(v),
        })
    }

    /// vsftpd's log (every command and reply), for `BENCH_KEEP_LOGS=1`.
    pub fn log_file(&self) -> Option<&Path> {
        self.vsftpd.as_ref().map(|v| v.log.as_path())
    }

    pub fn up(&self) -> PathBuf {
        self.root.join("up")
    }

    /// Remove whatever an upload left in `up/`.
    pub fn clean_up_dir(&self) -> Result<(), String> {
        fixtures::empty_dir(&self.up())
            .map_err(|e| format!("cleaning {}: {e}", self.up().display()))
    }
}
