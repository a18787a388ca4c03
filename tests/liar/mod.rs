//! A naive FTP server over a real directory tree, misbehaving on request, for data-safety tests.
//! Standard library only (threads and `std::net`), listening on 127.0.0.1 port 0.
//!
//! Paths are resolved against the session's working directory and `.`/`..` are folded lexically,
//! never above the root; the result is joined to the root on disk. Like a naive server, it then
//! lets the operating system follow symlinks in every path component, so `DELE /sub/up/x` where
//! `up -> ..` removes the root's `x`. That danger is deliberate: the client must not fall for it.
//!
//! It speaks USER, PASS, TYPE, FEAT, OPTS, SYST, PWD, CWD, CDUP, PASV (EPSV, EPRT and PORT are
//! refused), LIST, NLST, MLSD, MLST, SIZE, MDTM, MFMT, REST, RETR, STOR, APPE, MKD, RMD, DELE,
//! RNFR/RNTO, SITE CHMOD, NOOP, ABOR and QUIT; and on request HASH (SHA-256, with OPTS HASH) or
//! XMD5, computed from the file on disk.
//!
//! Dropping the [`LiarServer`] stops it: every socket it holds is shut down, its accept loop ends
//! and all of its threads are joined.
#![allow(dead_code)]

use std::fs::{self, File, Metadata, OpenOptions};
use std::io::{self, BufRead, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Upper bound for every blocking socket operation of the server, so no thread can outlive a
/// test by much even if a client leaks a connection.
const SOCKET_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a data command waits for the client's data connection.
const DATA_ACCEPT_DEADLINE: Duration = Duration::from_secs(5);
/// Longest command line read from a client.
const MAX_COMMAND: u64 = 8 * 1024;

/// The lies one server instance tells (a builder: start it with [`Lies::start`]).
#[derive(Debug, Clone, Default)]
pub struct Lies {
    root: PathBuf,
    symlinks_as_dirs: bool,
    mlsd_symlinks_as_dirs: bool,
    canonical_pwd: bool,
    mlsd: bool,
    mlsd_unique: bool,
    no_size: bool,
    truncate_stor: Option<usize>,
    hide_dotfiles: bool,
    rename_refuses_existing: bool,
    ignore_rest: bool,
    refuse_rest: bool,
    user: Option<(String, String)>,
    /// FEAT offers `HASH SHA-256*;MD5` and HASH answers.
    hash: bool,
    /// FEAT offers `XMD5` and XMD5 answers.
    xmd5: bool,
    /// The first this many HASH/XMD5 replies give a digest that is not the file's.
    wrong_digests: usize,
    /// The first this many RETRs send the file with one byte changed.
    corrupt_retrs: usize,
}

/// Builder methods that turn on one flag each (and maybe more).
macro_rules! flags {
    ($($(#[$doc:meta])* $name:ident => $($field:ident),+;)*) => {
        $($(#[$doc])* pub fn $name(mut self) -> Self {
            $(self.$field = true;)+
            self
        })*
    };
}

impl Lies {
    flags! {
        /// Listings show a symlink as what it points to: `drwxr-xr-x` / `type=dir` for a
        /// directory, a plain file for a file (as pyftpdlib's MLSD does). Without it, LIST shows
        /// `lrwxrwxrwx ... name -> target` and MLSD `type=OS.unix=slink:target`.
        symlinks_as_dirs => symlinks_as_dirs;
        /// Only MLSD/MLST show a symlink as what it points to; LIST shows it as a link (as
        /// pyftpdlib does: its LIST uses lstat, its MLSD stat).
        mlsd_symlinks_as_dirs => mlsd_symlinks_as_dirs;
        /// PWD after CWD reports the directory's real path below the root (as vsftpd does via
        /// getcwd). Without it, PWD reports the lexically folded path the client asked for, such
        /// as `/sub/up` where `up -> ..` (as pyftpdlib does).
        canonical_pwd => canonical_pwd;
        /// FEAT offers `MLST type*;size*;modify*;` and MLSD/MLST answer. Without it (or
        /// [`Lies::mlsd_unique`]) FEAT offers no MLST and MLSD/MLST answer 500.
        mlsd => mlsd;
        /// Like [`Lies::mlsd`], plus a `unique=<dev>g<ino>` fact (hex) of the followed target.
        mlsd_unique => mlsd, mlsd_unique;
        /// SIZE answers `502 Command not implemented` and FEAT does not offer it.
        no_size => no_size;
        /// LIST, NLST and MLSD leave out names starting with `.` unless LIST/NLST get `-a` (as
        /// vsftpd does without force_dot_files). Other commands still reach dotfiles.
        hide_dotfiles => hide_dotfiles;
        /// RNTO onto an existing name answers `553 File exists` (default: POSIX rename replaces).
        rename_refuses_existing => rename_refuses_existing;
        /// REST answers 350, but RETR sends from byte 0 and STOR overwrites from byte 0.
        ignore_rest => ignore_rest;
        /// REST answers `502 Command not implemented` and FEAT does not offer REST STREAM.
        refuse_rest => refuse_rest;
        /// FEAT offers `HASH SHA-256*;MD5` (draft-bryan-ftpext-hash) and HASH answers
        /// `213 SHA-256 0-<last> <hex> <name>` from the file on disk; `OPTS HASH MD5` switches.
        hash => hash;
        /// FEAT offers `XMD5` and XMD5 answers `250 <hex>`.
        xmd5 => xmd5;
    }

    /// The first `n` digest replies (HASH or XMD5, on any connection) are of other data.
    pub fn wrong_digests(mut self, n: usize) -> Self {
        self.wrong_digests = n;
        self
    }

    /// The first `n` downloads (on any connection) send the file with its middle byte changed,
    /// and answer 226 as if all were well.
    pub fn corrupt_retrs(mut self, n: usize) -> Self {
        self.corrupt_retrs = n;
        self
    }

    /// RNTO onto an existing file replaces it silently. That is the default (POSIX rename):
    /// this only states the intent in a test.
    pub fn rename_replaces(mut self) -> Self {
        self.rename_refuses_existing = false;
        self
    }

    /// STOR and APPE write only the first `n` bytes received, discard the rest, and answer 226.
    pub fn truncate_stor(mut self, n: usize) -> Self {
        self.truncate_stor = Some(n);
        self
    }

    /// Accept only this login (530 otherwise); by default any user and password are accepted.
    pub fn user(mut self, name: &str, password: &str) -> Self {
        self.user = Some((name.to_string(), password.to_string()));
        self
    }

    /// Start serving the root directory.
    pub fn start(self) -> LiarServer {
        LiarServer::start(self)
    }
}

/// What the server threads share.
struct Shared {
    lies: Lies,
    /// The root's canonical path, for [`Lies::canonical_pwd`].
    canonical_root: PathBuf,
    stop: AtomicBool,
    /// Every socket accepted (control and data), to shut down when the server stops.
    sockets: Mutex<Vec<TcpStream>>,
    threads: Mutex<Vec<JoinHandle<()>>>,
    connections: AtomicUsize,
    log: Mutex<Vec<String>>,
    /// Digest replies and RETRs so far, for the lies that count them.
    digests: AtomicUsize,
    retrs: AtomicUsize,
}

impl Shared {
    fn stopping(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    /// Keep a handle on `s` so that stopping the server can shut it down.
    fn register(&self, s: &TcpStream) {
        let mut sockets = lock(&self.sockets);
        if self.stopping() {
            let _ = s.shutdown(Shutdown::Both);
        } else if let Ok(c) = s.try_clone() {
            sockets.push(c);
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A running server over a real directory; stops when dropped.
pub struct LiarServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
}

impl LiarServer {
    /// A builder for a server over `root` (which must exist).
    pub fn builder(root: &Path) -> Lies {
        Lies {
            root: root.to_path_buf(),
            ..Lies::default()
        }
    }

    fn start(lies: Lies) -> LiarServer {
        let canonical_root = fs::canonicalize(&lies.root).expect("the server's root exists");
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the liar FTP server");
        let addr = listener.local_addr().expect("local address");
        let shared = Arc::new(Shared {
            lies,
            canonical_root,
            stop: AtomicBool::new(false),
            sockets: Mutex::new(Vec::new()),
            threads: Mutex::new(Vec::new()),
            connections: AtomicUsize::new(0),
            log: Mutex::new(Vec::new()),
            digests: AtomicUsize::new(0),
            retrs: AtomicUsize::new(0),
        });
        let s = shared.clone();
        let accept = std::thread::Builder::new()
            .name("liar-ftp-accept".into())
            .spawn(move || accept_loop(listener, s))
            .expect("spawn the accept thread");
        LiarServer {
            addr,
            shared,
            accept: Some(accept),
        }
    }

    /// The control address (127.0.0.1 and the port picked by the system).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// A profile that logs in to this server (tester/secret).
    #[allow(dead_code)] // not every test binary that has the liar logs in through a profile
    pub fn profile(&self) -> ftpdeck::remote::Profile {
        ftpdeck::remote::Profile {
            host: "127.0.0.1".into(),
            port: self.port(),
            user: "tester".into(),
            password: Some(ftpdeck::remote::Secret::new("secret")),
            ..Default::default()
        }
    }

    /// How many control connections were accepted so far.
    pub fn connections(&self) -> usize {
        self.shared.connections.load(Ordering::SeqCst)
    }

    /// Every command line received so far, in order, over all connections (`PASS ***`).
    pub fn commands(&self) -> Vec<String> {
        lock(&self.shared.log).clone()
    }
}

impl Drop for LiarServer {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        for s in lock(&self.shared.sockets).drain(..) {
            let _ = s.shutdown(Shutdown::Both);
        }
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(t) = self.accept.take() {
            let _ = t.join();
        }
        let threads: Vec<_> = lock(&self.shared.threads).drain(..).collect();
        for t in threads {
            let _ = t.join();
        }
    }
}

fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    for stream in listener.incoming() {
        if shared.stopping() {
            break;
        }
        let Ok(stream) = stream else { continue };
        shared.connections.fetch_add(1, Ordering::SeqCst);
        shared.register(&stream);
        let s = shared.clone();
        let handle = std::thread::Builder::new()
            .name("liar-ftp-conn".into())
            .spawn(move || {
                let _ = serve(stream, &s);
            })
            .expect("spawn a connection thread");
        lock(&shared.threads).push(handle);
    }
}

/// One control connection.
struct Session<'a> {
    shared: &'a Shared,
    lies: &'a Lies,
    ctrl: BufReader<TcpStream>,
    /// Folded, absolute, without a trailing slash except for the root.
    cwd: String,
    user: Option<String>,
    logged_in: bool,
    rest: u64,
    rename_from: Option<PathBuf>,
    pasv: Option<TcpListener>,
    /// HASH's algorithm: SHA-256 until `OPTS HASH MD5`.
    hash_md5: bool,
}

fn serve(stream: TcpStream, shared: &Shared) -> io::Result<()> {
    stream.set_read_timeout(Some(SOCKET_TIMEOUT))?;
    stream.set_write_timeout(Some(SOCKET_TIMEOUT))?;
    stream.set_nodelay(true)?;
    let mut s = Session {
        shared,
        lies: &shared.lies,
        ctrl: BufReader::new(stream),
        cwd: "/".into(),
        user: None,
        logged_in: false,
        rest: 0,
        rename_from: None,
        pasv: None,
        hash_md5: false,
    };
    s.send("220 liar FTP server ready")?;
    while let Some(line) = s.read_command()? {
        let (verb, arg) = match line.split_once(' ') {
            Some((v, a)) => (v.to_ascii_uppercase(), a.to_string()),
            None => (line.to_ascii_uppercase(), String::new()),
        };
        let logged = if verb == "PASS" {
            "PASS ***".into()
        } else {
            line
        };
        lock(&shared.log).push(logged);
        let open = matches!(
            verb.as_str(),
            "USER" | "PASS" | "QUIT" | "FEAT" | "SYST" | "NOOP"
        );
        if !s.logged_in && !open {
            s.send("530 Please log in first")?;
            continue;
        }
        if !s.command(&verb, &arg)? {
            break;
        }
    }
    Ok(())
}

/// Fold `arg` (absolute, or relative to `cwd`) into an absolute path without `.` or `..`; a
/// `..` at the root stays at the root.
pub fn fold(cwd: &str, arg: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    let start = if arg.starts_with('/') { "" } else { cwd };
    for seg in start.split('/').chain(arg.split('/')) {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    format!("/{}", parts.join("/"))
}

impl Session<'_> {
    fn send(&mut self, reply: &str) -> io::Result<()> {
        let out = self.ctrl.get_mut();
        out.write_all(reply.as_bytes())?;
        out.write_all(b"\r\n")?;
        out.flush()
    }

    /// The next command line without its line end; `None` when the client hung up.
    fn read_command(&mut self) -> io::Result<Option<String>> {
        let mut buf = Vec::new();
        let n = (&mut self.ctrl)
            .take(MAX_COMMAND)
            .read_until(b'\n', &mut buf)?;
        if n == 0 {
            return Ok(None);
        }
        let line = String::from_utf8_lossy(&buf);
        Ok(Some(line.trim_end_matches(['\r', '\n']).to_string()))
    }

    /// The folded virtual path of `arg` and where it is on disk.
    fn resolve(&self, arg: &str) -> (String, PathBuf) {
        let virt = fold(&self.cwd, arg);
        let real = self.lies.root.join(virt.trim_start_matches('/'));
        (virt, real)
    }

    fn reply_err(&mut self, e: &io::Error) -> io::Result<()> {
        self.send(&format!("550 {}", e.kind()))
    }

    /// `ok` when `r` succeeded, else 550.
    fn done(&mut self, r: io::Result<()>, ok: &str) -> io::Result<()> {
        match r {
            Ok(()) => self.send(ok),
            Err(e) => self.reply_err(&e),
        }
    }

    /// The metadata of a plain file (following links), or `None` after a 550.
    fn plain_file(&mut self, arg: &str) -> io::Result<Option<Metadata>> {
        match fs::metadata(self.resolve(arg).1) {
            Ok(m) if m.is_file() => Ok(Some(m)),
            Ok(_) => self.send("550 Not a plain file").map(|()| None),
            Err(e) => self.reply_err(&e).map(|()| None),
        }
    }

    /// Handle one command; false ends the session.
    fn command(&mut self, verb: &str, arg: &str) -> io::Result<bool> {
        let lies = self.lies;
        match verb {
            "USER" => {
                self.user = Some(arg.to_string());
                self.logged_in = false;
                self.send("331 Password required")?;
            }
            "PASS" => {
                let ok = match (&lies.user, &self.user) {
                    (None, Some(_)) => true,
                    (Some((u, p)), Some(user)) => u == user && p == arg,
                    (_, None) => false,
                };
                self.logged_in = ok;
                self.send(if ok {
                    "230 Logged in"
                } else {
                    "530 Login incorrect"
                })?;
            }
            "TYPE" => self.send("200 Type set")?,
            "SYST" => self.send("215 UNIX Type: L8")?,
            "OPTS" if lies.hash && arg.to_ascii_uppercase().starts_with("HASH") => {
                match arg[4..].trim().to_ascii_uppercase().as_str() {
                    "" => {}
                    "SHA-256" => self.hash_md5 = false,
                    "MD5" => self.hash_md5 = true,
                    _ => return self.send("501 Unknown algorithm").map(|()| true),
                }
                let name = if self.hash_md5 { "MD5" } else { "SHA-256" };
                self.send(&format!("200 {name}"))?
            }
            "OPTS" | "NOOP" => self.send("200 OK")?,
            "HASH" if lies.hash => self.digest(arg, true)?,
            "XMD5" if lies.xmd5 => self.digest(arg, false)?,
            "FEAT" => self.feat()?,
            "PWD" | "XPWD" => {
                let reply = format!("257 \"{}\" is the current directory", self.cwd);
                self.send(&reply)?;
            }
            "CWD" | "XCWD" => self.cwd(arg)?,
            "CDUP" | "XCUP" => self.cwd("..")?,
            "PASV" => self.pasv_cmd()?,
            "EPSV" | "EPRT" | "PORT" => self.send("502 Only PASV here")?,
            "LIST" | "NLST" | "MLSD" => self.listing(verb, arg)?,
            "MLST" => self.mlst(arg)?,
            "SIZE" if lies.no_size => self.send("502 Command not implemented")?,
            "SIZE" => {
                if let Some(m) = self.plain_file(arg)? {
                    self.send(&format!("213 {}", m.len()))?;
                }
            }
            "MDTM" => {
                if let Some(m) = self.plain_file(arg)? {
                    self.send(&format!("213 {}", stamp(mtime(&m))))?;
                }
            }
            "MFMT" => self.mfmt(arg)?,
            "REST" if lies.refuse_rest => self.send("502 Command not implemented")?,
            "REST" => match arg.trim().parse() {
                Ok(n) => {
                    self.rest = n;
                    self.send(&format!("350 Restarting at {n}"))?;
                }
                Err(_) => self.send("501 Bad offset")?,
            },
            "RETR" => self.retr(arg)?,
            "STOR" | "APPE" => self.stor(arg, verb == "APPE")?,
            "MKD" | "XMKD" => {
                let (virt, real) = self.resolve(arg);
                self.done(fs::create_dir(real), &format!("257 \"{virt}\" created"))?;
            }
            "RMD" | "XRMD" => {
                let r = fs::remove_dir(self.resolve(arg).1);
                self.done(r, "250 Directory removed")?;
            }
            "DELE" => {
                // remove_file removes a link itself, but follows links in the parent components.
                let real = self.resolve(arg).1;
                let r = match fs::symlink_metadata(&real) {
                    Ok(m) if m.is_dir() => Err(io::ErrorKind::IsADirectory.into()),
                    _ => fs::remove_file(&real),
                };
                self.done(r, "250 File removed")?;
            }
            "RNFR" => {
                let real = self.resolve(arg).1;
                let r = fs::symlink_metadata(&real).map(drop);
                self.rename_from = r.is_ok().then_some(real);
                self.done(r, "350 Ready for RNTO")?;
            }
            "RNTO" => self.rnto(arg)?,
            "SITE" => self.site(arg)?,
            "ABOR" => self.send("226 Nothing to abort")?,
            "QUIT" => {
                self.send("221 Bye")?;
                return Ok(false);
            }
            _ => self.send("502 Command not implemented")?,
        }
        Ok(true)
    }

    fn feat(&mut self) -> io::Result<()> {
        let lies = self.lies;
        let mut reply = String::from("211-Features:\r\n UTF8\r\n MDTM\r\n MFMT\r\n");
        if !lies.no_size {
            reply.push_str(" SIZE\r\n");
        }
        if !lies.refuse_rest {
            reply.push_str(" REST STREAM\r\n");
        }
        if lies.hash {
            reply.push_str(" HASH SHA-256*;MD5\r\n");
        }
        if lies.xmd5 {
            reply.push_str(" XMD5\r\n");
        }
        if lies.mlsd_unique {
            reply.push_str(" MLST type*;size*;modify*;unique*;\r\n");
        } else if lies.mlsd {
            reply.push_str(" MLST type*;size*;modify*;\r\n");
        }
        reply.push_str("211 End");
        self.send(&reply)
    }

    fn cwd(&mut self, arg: &str) -> io::Result<()> {
        let (virt, real) = self.resolve(arg);
        match fs::metadata(&real) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => return self.send("550 Not a directory"),
            Err(e) => return self.reply_err(&e),
        }
        self.cwd = if self.lies.canonical_pwd {
            let canon = match fs::canonicalize(&real) {
                Ok(c) => c,
                Err(e) => return self.reply_err(&e),
            };
            match canon.strip_prefix(&self.shared.canonical_root) {
                Ok(rel) => format!("/{}", rel.to_string_lossy()),
                // Outside the root: what getcwd says, which later maps back below the root.
                Err(_) => canon.to_string_lossy().into_owned(),
            }
        } else {
            virt
        };
        self.send("250 Directory changed")
    }

    fn pasv_cmd(&mut self) -> io::Result<()> {
        self.pasv = None;
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let port = listener.local_addr()?.port();
        self.pasv = Some(listener);
        let reply = format!(
            "227 Entering Passive Mode (127,0,0,1,{},{}).",
            port >> 8,
            port & 0xff
        );
        self.send(&reply)
    }

    /// The client's data connection to the listener of the last PASV, waited for with a
    /// deadline (the client connects right after PASV, so it is normally there already).
    fn accept_data(&mut self) -> Option<TcpStream> {
        let listener = self.pasv.take()?;
        listener.set_nonblocking(true).ok()?;
        let deadline = Instant::now() + DATA_ACCEPT_DEADLINE;
        while Instant::now() < deadline && !self.shared.stopping() {
            match listener.accept() {
                Ok((s, _)) => {
                    s.set_nonblocking(false).ok()?;
                    s.set_read_timeout(Some(SOCKET_TIMEOUT)).ok()?;
                    s.set_write_timeout(Some(SOCKET_TIMEOUT)).ok()?;
                    self.shared.register(&s);
                    return Some(s);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    std::thread::sleep(Duration::from_millis(2));
                }
                Err(_) => return None,
            }
        }
        None
    }

    /// 150, the data connection, `send` on it, then 226 (or 425/426).
    fn transfer(&mut self, send: impl FnOnce(&mut TcpStream) -> io::Result<()>) -> io::Result<()> {
        if self.pasv.is_none() {
            return self.send("425 Use PASV first");
        }
        self.send("150 Opening BINARY mode data connection")?;
        let Some(mut data) = self.accept_data() else {
            return self.send("425 Cannot open the data connection");
        };
        let result = send(&mut data).and_then(|()| data.flush());
        let _ = data.shutdown(Shutdown::Both);
        drop(data);
        match result {
            Ok(()) => self.send("226 Transfer complete"),
            Err(_) => self.send("426 Connection closed; transfer aborted"),
        }
    }

    fn listing(&mut self, verb: &str, arg: &str) -> io::Result<()> {
        let lies = self.lies;
        if verb == "MLSD" && !lies.mlsd {
            self.pasv = None;
            return self.send("500 MLSD not understood");
        }
        let mut all = !lies.hide_dotfiles;
        let mut path = arg.trim_start();
        // Leading `-xyz` words are options (not for MLSD); the rest, spaces included, is a path.
        while verb != "MLSD" && path.starts_with('-') {
            let (opts, rest) = path.split_once(' ').unwrap_or((path, ""));
            all |= opts.contains('a');
            path = rest.trim_start();
        }
        let real = self.resolve(path).1;
        let meta = match fs::metadata(&real) {
            Ok(m) => m,
            Err(e) => {
                self.pasv = None;
                return self.reply_err(&e);
            }
        };
        let names = if meta.is_dir() {
            let mut names: Vec<String> = fs::read_dir(&real)?
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| all || !n.starts_with('.'))
                .collect();
            names.sort();
            names.into_iter().map(|n| (real.join(&n), n)).collect()
        } else if verb == "MLSD" {
            self.pasv = None;
            return self.send("501 Not a directory");
        } else {
            let name = real.file_name().map(|n| n.to_string_lossy().into_owned());
            vec![(real.clone(), name.unwrap_or_default())]
        };
        let lines: Vec<String> = names
            .into_iter()
            .filter_map(|(path, name)| match verb {
                "NLST" => Some(name),
                "MLSD" => Some(format!("{} {name}", self.facts(&self.node(&path, true)?))),
                _ => Some(self.ls_line(&self.node(&path, false)?, &name)),
            })
            .collect();
        self.transfer(|data| {
            let mut out = BufWriter::with_capacity(64 * 1024, data);
            for line in &lines {
                out.write_all(line.as_bytes())?;
                out.write_all(b"\r\n")?;
            }
            out.flush()
        })
    }

    /// What listings show of `path`; `None` when even lstat fails.
    fn node(&self, path: &Path, mlsd: bool) -> Option<Node> {
        let lstat = fs::symlink_metadata(path).ok()?;
        let followed = fs::metadata(path).ok();
        let hide = self.lies.symlinks_as_dirs || (mlsd && self.lies.mlsd_symlinks_as_dirs);
        // read_link fails on anything but a link.
        let target = fs::read_link(path).ok().filter(|_| !hide);
        let shown = match target {
            Some(_) => &lstat,
            None => followed.as_ref().unwrap_or(&lstat),
        };
        let kind = match target {
            Some(t) => Kind::Link(t.to_string_lossy().into_owned()),
            None if shown.is_dir() => Kind::Dir,
            None => Kind::File,
        };
        let id = followed.as_ref().unwrap_or(&lstat);
        Some(Node {
            kind,
            size: shown.len(),
            mtime: mtime(shown),
            unique: format!("{:x}g{:x}", id.dev(), id.ino()),
        })
    }

    /// An `ls -l` line.
    fn ls_line(&self, n: &Node, name: &str) -> String {
        let (mode, tail) = match &n.kind {
            Kind::Link(t) => ("lrwxrwxrwx", format!(" -> {t}")),
            Kind::Dir => ("drwxr-xr-x", String::new()),
            Kind::File => ("-rw-r--r--", String::new()),
        };
        let date = list_date(n.mtime);
        format!("{mode} 1 owner group {} {date} {name}{tail}", n.size)
    }

    /// MLSD/MLST facts, ending in `;`.
    fn facts(&self, n: &Node) -> String {
        let kind = match &n.kind {
            Kind::Link(t) => format!("type=OS.unix=slink:{t};"),
            Kind::Dir => "type=dir;".into(),
            Kind::File => format!("type=file;size={};", n.size),
        };
        let unique = match self.lies.mlsd_unique {
            true => format!("unique={};", n.unique),
            false => String::new(),
        };
        format!("{kind}modify={};{unique}", stamp(n.mtime))
    }

    fn mlst(&mut self, arg: &str) -> io::Result<()> {
        if !self.lies.mlsd {
            return self.send("500 MLST not understood");
        }
        let (virt, real) = self.resolve(arg);
        let Some(node) = self.node(&real, true) else {
            return self.send("550 No such file or directory");
        };
        let facts = self.facts(&node);
        self.send(&format!("250-Listing {virt}\r\n {facts} {virt}\r\n250 End"))
    }

    fn mfmt(&mut self, arg: &str) -> io::Result<()> {
        let Some((when, path)) = arg.split_once(' ') else {
            return self.send("501 MFMT needs a time and a path");
        };
        let Some(secs) = parse_stamp(when) else {
            return self.send("501 Bad time");
        };
        let (virt, real) = self.resolve(path);
        let t = UNIX_EPOCH + Duration::from_secs(secs);
        let r = File::options().write(true).open(&real);
        self.done(
            r.and_then(|f| f.set_modified(t)),
            &format!("213 Modify={when}; {virt}"),
        )
    }

    fn retr(&mut self, arg: &str) -> io::Result<()> {
        let offset = std::mem::take(&mut self.rest);
        let offset = if self.lies.ignore_rest { 0 } else { offset };
        let real = self.resolve(arg).1;
        let mut file = match File::open(&real) {
            Ok(f) if f.metadata().is_ok_and(|m| m.is_file()) => f,
            Ok(_) => {
                self.pasv = None;
                return self.send("550 Not a plain file");
            }
            Err(e) => {
                self.pasv = None;
                return self.reply_err(&e);
            }
        };
        file.seek(SeekFrom::Start(offset))?;
        let corrupt = self.shared.retrs.fetch_add(1, Ordering::SeqCst) < self.lies.corrupt_retrs;
        if corrupt {
            let mut bytes = Vec::new();
            file.read_to_end(&mut bytes)?;
            let middle = bytes.len() / 2;
            if let Some(b) = bytes.get_mut(middle) {
                *b ^= 0x5a;
            }
            return self.transfer(|data| data.write_all(&bytes));
        }
        self.transfer(|data| io::copy(&mut file, data).map(drop))
    }

    /// HASH (`by_hash`) or XMD5 of the whole file, read from disk.
    fn digest(&mut self, arg: &str, by_hash: bool) -> io::Result<()> {
        let arg = arg.trim().trim_matches('"');
        let (virt, real) = self.resolve(arg);
        let mut bytes = match fs::read(&real) {
            Ok(b) => b,
            Err(e) => return self.reply_err(&e),
        };
        if self.shared.digests.fetch_add(1, Ordering::SeqCst) < self.lies.wrong_digests {
            bytes.push(b'!');
        }
        let md5 = !by_hash || self.hash_md5;
        let hex: String = if md5 {
            use md5::Digest;
            md5::Md5::digest(&bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect()
        } else {
            ring::digest::digest(&ring::digest::SHA256, &bytes)
                .as_ref()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect()
        };
        if by_hash {
            let name = if md5 { "MD5" } else { "SHA-256" };
            let last = fs::metadata(&real).map_or(0, |m| m.len().saturating_sub(1));
            self.send(&format!("213 {name} 0-{last} {hex} {virt}"))
        } else {
            self.send(&format!("250 {hex}"))
        }
    }

    fn stor(&mut self, arg: &str, append: bool) -> io::Result<()> {
        let offset = std::mem::take(&mut self.rest);
        let offset = if self.lies.ignore_rest { 0 } else { offset };
        let real = self.resolve(arg).1;
        let mut options = OpenOptions::new();
        options.create(true).write(true);
        if append {
            options.append(true);
        } else if offset == 0 {
            options.truncate(true);
        }
        let mut file = match options.open(&real) {
            Ok(f) => f,
            Err(e) => {
                self.pasv = None;
                return self.reply_err(&e);
            }
        };
        if !append && offset > 0 {
            file.set_len(offset)?;
            file.seek(SeekFrom::Start(offset))?;
        }
        let keep = self.lies.truncate_stor.map_or(u64::MAX, |n| n as u64);
        self.transfer(|data| {
            io::copy(&mut (&mut *data).take(keep), &mut file)?;
            io::copy(data, &mut io::sink())?;
            file.flush()
        })
    }

    fn rnto(&mut self, arg: &str) -> io::Result<()> {
        let Some(from) = self.rename_from.take() else {
            return self.send("503 RNFR first");
        };
        let to = self.resolve(arg).1;
        if self.lies.rename_refuses_existing && fs::symlink_metadata(&to).is_ok() {
            return self.send("553 File exists");
        }
        self.done(fs::rename(&from, &to), "250 Renamed")
    }

    fn site(&mut self, arg: &str) -> io::Result<()> {
        let mut words = arg.splitn(3, ' ');
        let sub = words.next().unwrap_or("");
        let (mode, path) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
        let Ok(mode) = u32::from_str_radix(mode, 8) else {
            return self.send("501 SITE CHMOD needs an octal mode and a path");
        };
        if !sub.eq_ignore_ascii_case("CHMOD") {
            return self.send("502 Command not implemented");
        }
        let r = fs::set_permissions(self.resolve(path).1, fs::Permissions::from_mode(mode));
        self.done(r, "200 SITE CHMOD command ok")
    }
}

/// What a listing shows of one name.
struct Node {
    kind: Kind,
    size: u64,
    mtime: u64,
    /// `<dev>g<ino>` of what the name leads to, links followed.
    unique: String,
}

enum Kind {
    Link(String),
    Dir,
    File,
}

/// Modification time as Unix seconds (0 before the epoch).
fn mtime(m: &Metadata) -> u64 {
    m.modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_secs())
}

/// Days since 1970-01-01 -> (year, month 1..=12, day 1..=31), proleptic Gregorian.
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// (year, month, day) -> days since 1970-01-01.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `YYYYMMDDHHMMSS` in UTC.
pub fn stamp(secs: u64) -> String {
    let (y, mo, d) = civil((secs / 86_400) as i64);
    let s = secs % 86_400;
    format!(
        "{y:04}{mo:02}{d:02}{:02}{:02}{:02}",
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

/// `YYYYMMDDHHMMSS` (fractions ignored) -> Unix seconds.
pub fn parse_stamp(text: &str) -> Option<u64> {
    let t = text.split('.').next()?;
    if t.len() != 14 || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = |r: std::ops::Range<usize>| t[r].parse::<u32>().ok();
    let (y, mo, d) = (n(0..4)?, n(4..6)?, n(6..8)?);
    let (h, mi, s) = (n(8..10)?, n(10..12)?, n(12..14)?);
    let days = days_from_civil(i64::from(y), mo, d);
    u64::try_from(days * 86_400 + i64::from(h * 3600 + mi * 60 + s)).ok()
}

/// The `ls -l` date: `Mon DD HH:MM` within half a year of now, `Mon DD  YYYY` otherwise (UTC).
pub fn list_date(secs: u64) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (y, mo, d) = civil((secs / 86_400) as i64);
    let month = MONTHS[mo as usize - 1];
    if now.abs_diff(secs) < 180 * 86_400 {
        let s = secs % 86_400;
        format!("{month} {d:02} {:02}:{:02}", s / 3600, s / 60 % 60)
    } else {
        format!("{month} {d:02}  {y}")
    }
}
