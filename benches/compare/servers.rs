//! The servers the contests run against, each with the fixtures in its root and an empty,
//! writable `up/` for uploads: a private vsftpd, the embedded server as users run it
//! (`ftpdeck serve DIR`, a process of its own), and pyftpdlib (`python3 -m pyftpdlib`).

use std::os::unix::fs::MetadataExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use super::fixtures;
use super::sysinfo;
use super::tools::{self, Login};
use super::vsftpd::{self, Vsftpd, VsftpdOptions};

pub struct Server {
    /// `vsftpd`, `embedded` or `pyftpdlib`.
    pub name: &'static str,
    pub login: Login,
    /// What the server shows as `/`.
    pub root: PathBuf,
    /// The user the server writes files as (what the bench's own files under `up/` get).
    owner: (u32, u32),
    /// Keeps vsftpd running; dropping it stops the server.
    vsftpd: Option<Vsftpd>,
    /// The `ftpdeck serve` or pyftpdlib process (killed with its process group on drop).
    process: Option<Child>,
    /// The cgroup the server's processes run in, for their CPU time (removed after them).
    cpu_group: Option<sysinfo::CpuGroup>,
}

/// A CPU group holding `pid`, or `None` (and why, printed) when this machine cannot make one.
fn cpu_group(server: &str, pid: u32) -> Option<sysinfo::CpuGroup> {
    let made = sysinfo::CpuGroup::new(server).and_then(|g| g.add(pid).map(|()| g));
    match made {
        Ok(g) => Some(g),
        Err(why) => {
            println!("note: no CPU figures for {server}: {why}");
            None
        }
    }
}

/// `slots` consecutive ranges of [`vsftpd::pasv_range`] as one: room for more data
/// connections at once than one range has.
pub fn pasv_span(slots: usize) -> (u16, u16) {
    loop {
        let first = vsftpd::pasv_range();
        let mut last = first;
        let mut contiguous = true;
        for _ in 1..slots {
            let next = vsftpd::pasv_range();
            contiguous &= next.0 == last.1 + 1;
            last = next;
        }
        // The ranges wrap around after a few hundred; the next try does not.
        if contiguous {
            return (first.0, last.1);
        }
    }
}

/// Start `cmd` (a server listening on 127.0.0.1:`port`) in its own process group, its output
/// in `output`, and wait for its greeting.
fn launch(mut cmd: Command, port: u16, output: &Path) -> Result<Child, String> {
    let out = std::fs::File::create(output).map_err(|e| e.to_string())?;
    cmd.stdin(Stdio::null())
        .stdout(out.try_clone().map_err(|e| e.to_string())?)
        .stderr(out)
        .process_group(0);
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot run {:?}: {e}", cmd.get_program()))?;
    match vsftpd::wait_for_greeting(port, &mut child) {
        Ok(()) => Ok(child),
        Err(why) => {
            vsftpd::kill_group(&mut child);
            Err(format!(
                "{why}; output: {:?}",
                std::fs::read_to_string(output).unwrap_or_default().trim()
            ))
        }
    }
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
        Server::embedded_with(binary, root, fixtures, home, 1)
    }

    /// As [`Server::embedded`], with `slots` × 40 passive ports.
    pub fn embedded_with(
        binary: &Path,
        root: &Path,
        fixtures: &Path,
        home: &Path,
        slots: usize,
    ) -> Result<Server, String> {
        fixtures::link_tree(fixtures, root).map_err(|e| format!("linking the fixtures: {e}"))?;
        std::fs::create_dir_all(root.join("up")).map_err(|e| e.to_string())?;
        let (user, password) = ("bench".to_string(), "bench".to_string());
        let output = root.parent().unwrap_or(root).join("ftpdeck-serve.out");
        let mut last = String::new();
        // A port can be taken between our probe and the server's bind: try a few.
        for _ in 0..3 {
            let port = vsftpd::free_port();
            let (pasv_min, pasv_max) = pasv_span(slots);
            let mut cmd = Command::new(binary);
            cmd.arg("serve")
                .arg(root)
                .arg("--bind")
                .arg(format!("127.0.0.1:{port}"))
                .args(["--user", &user])
                // The memory contest connects 50 clients at once (the default allows 32).
                .args(["--max-clients", "128"])
                .arg("--passive-ports")
                .arg(format!("{pasv_min}-{pasv_max}"));
            tools::private(&mut cmd, home);
            // Not on the command line, where `ps` would show it (and serve warns).
            cmd.env("FTPDECK_SERVE_PASSWORD", &password);
            match launch(cmd, port, &output) {
                Ok(child) => {
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
                        cpu_group: cpu_group("embedded", child.id()),
                        process: Some(child),
                    });
                }
                Err(why) => last = why,
            }
        }
        Err(format!("ftpdeck serve did not start: {last}"))
    }

    /// `PYTHON -m pyftpdlib` on a free port of 127.0.0.1, serving `root` (fixtures linked into
    /// it) with write access for one user: `-i 127.0.0.1 -p PORT -w -u USER -P PASSWORD -d ROOT
    /// -r MIN-MAX`, its log (a line per command) in a file.
    pub fn pyftpdlib(python: &Path, root: &Path, fixtures: &Path) -> Result<Server, String> {
        fixtures::link_tree(fixtures, root).map_err(|e| format!("linking the fixtures: {e}"))?;
        std::fs::create_dir_all(root.join("up")).map_err(|e| e.to_string())?;
        let (user, password) = ("bench".to_string(), "bench".to_string());
        let output = root.parent().unwrap_or(root).join("pyftpdlib.out");
        let mut last = String::new();
        for _ in 0..3 {
            let port = vsftpd::free_port();
            let (pasv_min, pasv_max) = vsftpd::pasv_range();
            let mut cmd = Command::new(python);
            cmd.args(["-m", "pyftpdlib", "-i", "127.0.0.1", "-p"])
                .arg(port.to_string())
                .args(["-w", "-u", &user, "-P", &password, "-d"])
                .arg(root)
                .arg("-r")
                .arg(format!("{pasv_min}-{pasv_max}"));
            match launch(cmd, port, &output) {
                Ok(child) => {
                    return Ok(Server {
                        name: "pyftpdlib",
                        login: Login {
                            port,
                            user,
                            password,
                        },
                        root: root.to_path_buf(),
                        owner: owner_of(&root.join("up")),
                        vsftpd: None,
                        cpu_group: cpu_group("pyftpdlib", child.id()),
                        process: Some(child),
                    });
                }
                Err(why) => last = why,
            }
        }
        Err(format!("pyftpdlib did not start: {last}"))
    }

    /// The server's process id, when it is a process of ours (`ftpdeck serve`, pyftpdlib).
    pub fn pid(&self) -> Option<u32> {
        self.process.as_ref().map(Child::id)
    }

    /// A vsftpd of its own on 127.0.0.1, or `Err(reason)` when this machine cannot run one.
    pub fn vsftpd(fixtures: &Path) -> Result<Server, String> {
        let v = Vsftpd::start(VsftpdOptions {
            any_pasv_port: true,
            ..VsftpdOptions::default()
        })?;
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
            cpu_group: cpu_group("vsftpd", v.pid()),
            vsftpd: Some(v),
            process: None,
        })
    }

    /// The CPU seconds the server's processes have used so far (those of its cgroup, exited
    /// session processes included), read once it is idle: no vsftpd session process left and
    /// the figure still for two reads 20 ms apart (at most 3 s of waiting). `None` without a
    /// cgroup.
    pub fn cpu_secs(&self) -> Option<f64> {
        let group = self.cpu_group.as_ref()?;
        let listener = self.vsftpd.as_ref().map(Vsftpd::pid);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
        let mut last = None;
        loop {
            let now = group.cpu_secs()?;
            let idle = listener.is_none_or(|pid| sysinfo::child_count(pid) == Some(0));
            if (idle && last == Some(now)) || std::time::Instant::now() > deadline {
                return Some(now);
            }
            last = idle.then_some(now);
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
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
        if let Some(child) = &mut self.process {
            vsftpd::kill_group(child);
        }
    }
}

fn owner_of(p: &Path) -> (u32, u32) {
    std::fs::metadata(p).map_or((0, 0), |m| (m.uid(), m.gid()))
}
