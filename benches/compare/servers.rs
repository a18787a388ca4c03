//! The servers the contests run against, each with the fixtures in its root and an empty,
//! writable `up/` for uploads: a private vsftpd, and the embedded server as users run it
//! (`ftpdeck serve DIR`, a process of its own).

use std::os::unix::fs::MetadataExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use super::fixtures;
use super::tools::{self, Login};
use super::vsftpd::{self, Vsftpd, VsftpdOptions};

pub struct Server {
    /// `vsftpd` or `embedded`.
    pub name: &'static str,
    pub login: Login,
    /// What the server shows as `/`.
    pub root: PathBuf,
    /// The user the server writes files as (what the bench's own files under `up/` get).
    owner: (u32, u32),
    /// Keeps vsftpd running; dropping it stops the server.
    vsftpd: Option<Vsftpd>,
    /// The `ftpdeck serve` process (killed with its process group on drop).
    serve: Option<Child>,
}

impl Server {
    /// `ftpdeck serve ROOT` on a free port of 127.0.0.1 (fixtures linked into `root`), with a
    /// private HOME like every contender.
    pub fn embedded(
        binary: &Path,
        root: &Path,
        fixtures: &Path,
        home: &Path,
    ) -> Result<Server, String> {
        fixtures::link_tree(fixtures, root).map_err(|e| format!("linking the fixtures: {e}"))?;
        std::fs::create_dir_all(root.join("up")).map_err(|e| e.to_string())?;
        let (user, password) = ("bench".to_string(), "bench".to_string());
        let output = root.parent().unwrap_or(root).join("ftpdeck-serve.out");
        let mut last = String::new();
        // A port can be taken between our probe and the server's bind: try a few.
        for _ in 0..3 {
            let port = vsftpd::free_port();
            let (pasv_min, pasv_max) = vsftpd::pasv_range();
            let out = std::fs::File::create(&output).map_err(|e| e.to_string())?;
            let mut cmd = Command::new(binary);
            cmd.arg("serve")
                .arg(root)
                .arg("--bind")
                .arg(format!("127.0.0.1:{port}"))
                .args(["--user", &user])
                .arg("--passive-ports")
                .arg(format!("{pasv_min}-{pasv_max}"))
                .stdin(Stdio::null())
                .stdout(out.try_clone().map_err(|e| e.to_string())?)
                .stderr(out)
                .process_group(0);
            tools::private(&mut cmd, home);
            // Not on the command line, where `ps` would show it (and serve warns).
            cmd.env("FTPDECK_SERVE_PASSWORD", &password);
            let mut child = cmd
                .spawn()
                .map_err(|e| format!("cannot run {} serve: {e}", binary.display()))?;
            match vsftpd::wait_for_greeting(port, &mut child) {
                Ok(()) => {
                    return Ok(Server {
                        name: "embedded",
                        login: Login {
                            port,
                            user,
                            password,
                        },
                        root: root.to_path_buf(),
                        owner: owner_of(&root.join("up")),
                        vsftpd: None,
                        serve: Some(child),
                    });
                }
                Err(why) => {
                    vsftpd::kill_group(&mut child);
                    last = format!(
                        "{why}; output: {:?}",
                        std::fs::read_to_string(&output).unwrap_or_default().trim()
                    );
                }
            }
        }
        Err(format!("ftpdeck serve did not start: {last}"))
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
            owner: owner_of(&v.home.join("up")),
            vsftpd: Some(v),
            serve: None,
        })
    }

    /// vsftpd's log (every command and reply).
    pub fn log_file(&self) -> Option<&Path> {
        self.vsftpd.as_ref().map(|v| v.log.as_path())
    }

    pub fn up(&self) -> PathBuf {
        self.root.join("up")
    }

    /// Make `rel` (under the root) as a directory the server may write into.
    pub fn make_dir(&self, rel: &str) -> Result<PathBuf, String> {
        let dir = self.root.join(rel);
        std::fs::create_dir_all(&dir).map_err(|e| format!("mkdir {}: {e}", dir.display()))?;
        let (uid, gid) = self.owner;
        for d in dir.ancestors().take_while(|d| *d != self.root) {
            std::os::unix::fs::chown(d, Some(uid), Some(gid))
                .map_err(|e| format!("chown {}: {e}", d.display()))?;
        }
        Ok(dir)
    }

    /// Remove whatever an upload left in `up/`.
    pub fn clean_up_dir(&self) -> Result<(), String> {
        fixtures::empty_dir(&self.up())
            .map_err(|e| format!("cleaning {}: {e}", self.up().display()))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(child) = &mut self.serve {
            vsftpd::kill_group(child);
        }
    }
}

fn owner_of(p: &Path) -> (u32, u32) {
    std::fs::metadata(p).map_or((0, 0), |m| (m.uid(), m.gid()))
}
