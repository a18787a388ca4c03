//! A small scripted FTP server that misbehaves on request, for tests. Standard library only
//! (threads and `std::net`), listening on 127.0.0.1 port 0, one scripted behaviour per instance.
//!
//! It speaks enough FTP for suppaftp's client: USER, PASS, TYPE, FEAT, OPTS, SYST, PWD, CWD,
//! CDUP, PASV (EPSV is refused), LIST, NLST, MLSD, SIZE, MDTM, REST, RETR, STOR, MKD, DELE, RMD,
//! NOOP, ABOR and QUIT. Paths are taken literally (no `..` folding), so a client that asks for
//! `/dir/../escape` gets exactly the file registered under that name.
//!
//! Dropping the [`FakeServer`] stops it: every socket it holds is shut down, its accept loop ends
//! and all of its threads are joined.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Upper bound for every blocking socket operation of the server, so no thread can outlive a
/// test by much even if a client leaks a connection.
const SOCKET_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a data command waits for the client's data connection.
const DATA_ACCEPT_DEADLINE: Duration = Duration::from_secs(5);
/// How much of an endless multi-line greeting is sent before giving up.
const ENDLESS_CAP: usize = 2 * 1024 * 1024;
/// Longest command line read from a client.
const MAX_COMMAND: u64 = 8 * 1024;

/// Where a misbehaviour strikes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum At {
    /// The 220 greeting.
    Greeting,
    /// The reply to a command, by its verb (`"CWD"`, `"PWD"`, `"LIST"`...).
    Reply(&'static str),
}

/// The reply after a download whose data connection was closed early.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EarlyReply {
    /// `226`, as if the file were complete.
    Complete,
    /// `426`, transfer aborted.
    Aborted,
}

/// The behaviour of one server instance (a builder: start it with [`Script::start`]).
#[derive(Debug, Clone, Default)]
pub struct Script {
    list: HashMap<String, Vec<Vec<u8>>>,
    mlsd: HashMap<String, Vec<Vec<u8>>>,
    offer_mlst: bool,
    files: HashMap<String, Vec<u8>>,
    drop_control_during_listing: bool,
    close_data_early: Option<(usize, EarlyReply)>,
    stall: Option<At>,
    malformed: Option<At>,
    bad_pasv: bool,
    pasv_ip: Option<Ipv4Addr>,
    endless_greeting: bool,
    endless_listing: bool,
    feat_epsv: bool,
    one_command_per_read: bool,
    /// Uploads to these paths get this reply once their data is in, and are not kept.
    refused_uploads: HashMap<String, String>,
    /// This command line is not answered until [`FakeServer::release`].
    held: Option<String>,
    /// A SIZE that arrives with another command behind it is answered after that one.
    size_answered_last: bool,
    /// A PASV that arrives behind other commands is answered, with the STOR behind it,
    /// before them.
    upload_answered_first: bool,
}

impl Script {
    /// The raw lines (without line ends) LIST sends for the root directory `/`.
    pub fn listing<L: Into<Vec<u8>>>(self, lines: impl IntoIterator<Item = L>) -> Self {
        self.dir_listing("/", lines)
    }

    /// The raw lines LIST sends for directory `path` (which then exists for CWD).
    pub fn dir_listing<L: Into<Vec<u8>>>(
        mut self,
        path: &str,
        lines: impl IntoIterator<Item = L>,
    ) -> Self {
        let lines = lines.into_iter().map(Into::into).collect();
        self.list.insert(path.to_string(), lines);
        self
    }

    /// The raw lines MLSD sends for directory `path`; FEAT then offers MLST.
    pub fn mlsd_listing<L: Into<Vec<u8>>>(
        mut self,
        path: &str,
        lines: impl IntoIterator<Item = L>,
    ) -> Self {
        let lines = lines.into_iter().map(Into::into).collect();
        self.mlsd.insert(path.to_string(), lines);
        self.offer_mlst = true;
        self
    }

    /// A file served by RETR, SIZE and MDTM, under its absolute path (taken literally).
    pub fn file(mut self, path: &str, bytes: impl Into<Vec<u8>>) -> Self {
        self.files.insert(path.to_string(), bytes.into());
        self
    }

    /// Close the control connection (and the data connection, after half of the listing)
    /// right after sending 150 for LIST, MLSD or NLST.
    pub fn drop_control_during_listing(mut self) -> Self {
        self.drop_control_during_listing = true;
        self
    }

    /// RETR sends at most `n_bytes` on each data connection, closes it, then replies 226.
    pub fn close_data_early(mut self, n_bytes: usize) -> Self {
        self.close_data_early = Some((n_bytes, EarlyReply::Complete));
        self
    }

    /// Like [`Script::close_data_early`], but the reply is 426.
    pub fn close_data_early_426(mut self, n_bytes: usize) -> Self {
        self.close_data_early = Some((n_bytes, EarlyReply::Aborted));
        self
    }

    /// Send only the first character ("2" or "3") of a reply, then nothing more, keeping the
    /// socket open until the client gives up.
    pub fn stall_mid_reply(mut self, at: At) -> Self {
        self.stall = Some(at);
        self
    }

    /// Answer with a reply line whose code is not a number (`abc hello`).
    pub fn malformed_reply_code(mut self, at: At) -> Self {
        self.malformed = Some(at);
        self
    }

    /// Answer PASV with an out-of-range port byte: `(127,0,0,1,300,1)`.
    pub fn bad_pasv(mut self) -> Self {
        self.bad_pasv = true;
        self
    }

    /// Name `ip` in the 227 reply while listening on 127.0.0.1 (as a server behind NAT does).
    pub fn pasv_announces(mut self, ip: Ipv4Addr) -> Self {
        self.pasv_ip = Some(ip);
        self
    }

    /// LIST and MLSD send file lines that never end (until the client closes the data
    /// connection, or after 4 GB).
    pub fn endless_listing(mut self) -> Self {
        self.endless_listing = true;
        self
    }

    /// Greet with `220-` continuation lines that never end (capped at 2 MB, then close).
    pub fn endless_multiline_reply(mut self) -> Self {
        self.endless_greeting = true;
        self
    }

    /// FEAT lists EPSV, which is still refused (as a server whose firewall passes only PASV's
    /// ports, or a broken one, does).
    pub fn feat_lists_epsv(mut self) -> Self {
        self.feat_epsv = true;
        self
    }

    /// Handle only the first command of what one read brings and drop the rest, as a server
    /// (or a router in between) that cannot take pipelined commands does.
    pub fn one_command_per_read(mut self) -> Self {
        self.one_command_per_read = true;
        self
    }

    /// Take in an upload to `path`, then answer `reply` (say `452 Disk full`) instead of
    /// 226 and keep nothing of it.
    pub fn refuse_upload(mut self, path: &str, reply: &str) -> Self {
        self.refused_uploads
            .insert(path.to_string(), reply.to_string());
        self
    }

    /// Stop at this command line (say `STOR /b.bin`), before answering it, until the test
    /// calls [`FakeServer::release`].
    pub fn hold_at(mut self, line: &str) -> Self {
        self.held = Some(line.to_string());
        self
    }

    /// Answer a SIZE that arrives with another command behind it after that command, as a
    /// server that works on both at once and answers whichever is done first (libunftp) may.
    pub fn size_answered_last(mut self) -> Self {
        self.size_answered_last = true;
        self
    }

    /// Answer a PASV that arrives behind other commands in one write, and the STOR behind it,
    /// before those commands, as libunftp may: it answers each command when its work is done.
    pub fn upload_answered_first(mut self) -> Self {
        self.upload_answered_first = true;
        self
    }

    /// Start serving this script.
    pub fn start(self) -> FakeServer {
        FakeServer::start(self)
    }
}

/// What the server threads share.
struct Shared {
    script: Script,
    /// Files, including those uploaded with STOR.
    files: Mutex<HashMap<String, Vec<u8>>>,
    stop: AtomicBool,
    /// Every socket accepted (control and data), to shut down when the server stops.
    sockets: Mutex<Vec<TcpStream>>,
    threads: Mutex<Vec<JoinHandle<()>>>,
    connections: AtomicUsize,
    log: Mutex<Vec<String>>,
    /// The commands as they came: each inner list arrived together (the first of it found
    /// nothing else waiting, the rest were already in the buffer behind it).
    batches: Mutex<Vec<Vec<String>>>,
    /// Set by [`FakeServer::release`] (or the server stopping): the held command goes on.
    released: Mutex<bool>,
    release: Condvar,
}

impl Shared {
    /// Let a command held by [`Script::hold_at`] be answered.
    fn open_the_hold(&self) {
        *lock(&self.released) = true;
        self.release.notify_all();
    }

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

/// A running fake server; stops when dropped.
pub struct FakeServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
}

impl FakeServer {
    /// A builder for the server's behaviour.
    pub fn builder() -> Script {
        Script::default()
    }

    fn start(script: Script) -> FakeServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the fake FTP server");
        let addr = listener.local_addr().expect("local address");
        let files = script.files.clone();
        let shared = Arc::new(Shared {
            script,
            files: Mutex::new(files),
            stop: AtomicBool::new(false),
            sockets: Mutex::new(Vec::new()),
            threads: Mutex::new(Vec::new()),
            connections: AtomicUsize::new(0),
            log: Mutex::new(Vec::new()),
            batches: Mutex::new(Vec::new()),
            released: Mutex::new(false),
            release: Condvar::new(),
        });
        let s = shared.clone();
        let accept = std::thread::Builder::new()
            .name("fake-ftp-accept".into())
            .spawn(move || accept_loop(listener, s))
            .expect("spawn the accept thread");
        FakeServer {
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

    /// How many control connections were accepted so far.
    pub fn connections(&self) -> usize {
        self.shared.connections.load(Ordering::SeqCst)
    }

    /// Every command line received so far, in order, over all connections.
    pub fn commands(&self) -> Vec<String> {
        lock(&self.shared.log).clone()
    }

    /// Let the command stopped by [`Script::hold_at`] be answered (and the ones after it).
    pub fn release(&self) {
        self.shared.open_the_hold();
    }

    /// Every command so far, grouped by what arrived together (see `Shared::batches`).
    pub fn batches(&self) -> Vec<Vec<String>> {
        lock(&self.shared.batches).clone()
    }

    /// A file as the server holds it now (after uploads, say).
    pub fn file(&self, path: &str) -> Option<Vec<u8>> {
        lock(&self.shared.files).get(path).cloned()
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        self.shared.open_the_hold();
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
            .name("fake-ftp-conn".into())
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
    ctrl: BufReader<TcpStream>,
    cwd: String,
    rest: usize,
    pasv: Option<TcpListener>,
}

fn serve(stream: TcpStream, shared: &Shared) -> io::Result<()> {
    stream.set_read_timeout(Some(SOCKET_TIMEOUT))?;
    stream.set_write_timeout(Some(SOCKET_TIMEOUT))?;
    stream.set_nodelay(true)?;
    let mut s = Session {
        shared,
        ctrl: BufReader::new(stream),
        cwd: "/".into(),
        rest: 0,
        pasv: None,
    };
    let script = &shared.script;
    if script.endless_greeting {
        return s.endless_greeting();
    }
    match (&script.stall, &script.malformed) {
        (Some(At::Greeting), _) => return s.stall(),
        (_, Some(At::Greeting)) => s.send("abc hello")?,
        _ => s.send("220 fake FTP server ready")?,
    }
    let mut later: std::collections::VecDeque<String> = Default::default();
    loop {
        let line = match later.pop_front() {
            Some(l) => l,
            None => match s.read_command()? {
                Some(l) => {
                    if script.upload_answered_first {
                        // The whole write, the PASV and STOR in it first.
                        let mut batch = vec![l];
                        while !s.ctrl.buffer().is_empty() {
                            match s.read_command()? {
                                Some(next) => batch.push(next),
                                None => break,
                            }
                        }
                        if let Some(p) = batch.iter().position(|c| c == "PASV").filter(|&p| p > 0) {
                            let upload: Vec<String> =
                                batch.drain(p..(p + 2).min(batch.len())).collect();
                            batch.splice(0..0, upload);
                        }
                        later.extend(batch);
                        later.pop_front().unwrap_or_default()
                    } else if script.size_answered_last
                        && l.starts_with("SIZE ")
                        && !s.ctrl.buffer().is_empty()
                    {
                        // SIZE goes behind the one command after it.
                        match s.read_command()? {
                            Some(next) => {
                                later.push_back(l);
                                next
                            }
                            None => l,
                        }
                    } else {
                        l
                    }
                }
                None => break,
            },
        };
        lock(&shared.log).push(line.clone());
        let (verb, arg) = match line.split_once(' ') {
            Some((v, a)) => (v.to_ascii_uppercase(), a.to_string()),
            None => (line.to_ascii_uppercase(), String::new()),
        };
        if script.held.as_deref() == Some(line.as_str()) {
            let mut released = lock(&shared.released);
            while !*released {
                released = shared
                    .release
                    .wait(released)
                    .unwrap_or_else(|e| e.into_inner());
            }
        }
        if matches!(&script.stall, Some(At::Reply(v)) if v.eq_ignore_ascii_case(&verb)) {
            return s.stall();
        }
        if matches!(&script.malformed, Some(At::Reply(v)) if v.eq_ignore_ascii_case(&verb)) {
            s.send("abc hello")?;
            continue;
        }
        if !s.command(&verb, &arg)? {
            break;
        }
    }
    Ok(())
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
        let alone = self.ctrl.buffer().is_empty();
        let n = (&mut self.ctrl)
            .take(MAX_COMMAND)
            .read_until(b'\n', &mut buf)?;
        if n == 0 {
            return Ok(None);
        }
        if self.shared.script.one_command_per_read {
            let rest = self.ctrl.buffer().len();
            self.ctrl.consume(rest);
        }
        let line = String::from_utf8_lossy(&buf);
        let line = line.trim_end_matches(['\r', '\n']).to_string();
        let mut batches = lock(&self.shared.batches);
        match batches.last_mut() {
            Some(batch) if !alone => batch.push(line.clone()),
            _ => batches.push(vec![line.clone()]),
        }
        Ok(Some(line))
    }

    /// Send the first digit of a reply and nothing more; wait until the client hangs up (or
    /// the server stops, which shuts the socket down).
    fn stall(&mut self) -> io::Result<()> {
        self.ctrl.get_mut().write_all(b"2")?;
        self.ctrl.get_mut().flush()?;
        let _ = io::copy(&mut (&mut self.ctrl).take(1 << 20), &mut io::sink());
        Ok(())
    }

    fn endless_greeting(&mut self) -> io::Result<()> {
        let line = b"220-Welcome! This banner goes on and on and on and never reaches its end\r\n";
        let out = self.ctrl.get_mut();
        let mut sent = 0;
        while sent < ENDLESS_CAP && !self.shared.stopping() {
            if out.write_all(line).is_err() {
                break;
            }
            sent += line.len();
        }
        let _ = out.shutdown(Shutdown::Both);
        Ok(())
    }

    /// Paths are joined, never normalised.
    fn resolve(&self, arg: &str) -> String {
        if arg.is_empty() {
            self.cwd.clone()
        } else if arg.starts_with('/') {
            arg.to_string()
        } else if self.cwd.ends_with('/') {
            format!("{}{arg}", self.cwd)
        } else {
            format!("{}/{arg}", self.cwd)
        }
    }

    fn is_dir(&self, path: &str) -> bool {
        let script = &self.shared.script;
        path == "/" || script.list.contains_key(path) || script.mlsd.contains_key(path)
    }

    /// Handle one command; false ends the session.
    fn command(&mut self, verb: &str, arg: &str) -> io::Result<bool> {
        match verb {
            "USER" => self.send("331 Password required")?,
            "PASS" => self.send("230 Logged in")?,
            "TYPE" => self.send("200 Type set")?,
            "SYST" => self.send("215 UNIX Type: L8")?,
            "OPTS" | "NOOP" => self.send("200 OK")?,
            "FEAT" => self.feat()?,
            "PWD" => {
                let reply = format!("257 \"{}\" is the current directory", self.cwd);
                self.send(&reply)?;
            }
            "CWD" => {
                let path = self.resolve(arg);
                if self.is_dir(&path) {
                    self.cwd = path;
                    self.send("250 Directory changed")?;
                } else {
                    self.send("550 No such directory")?;
                }
            }
            "CDUP" => {
                let parent = match self.cwd.trim_end_matches('/').rfind('/') {
                    Some(0) | None => "/".to_string(),
                    Some(i) => self.cwd[..i].to_string(),
                };
                self.cwd = parent;
                self.send("250 Directory changed")?;
            }
            "PASV" => self.pasv()?,
            "EPSV" | "EPRT" | "PORT" => self.send("502 Only PASV here")?,
            "LIST" | "NLST" | "MLSD" => return self.listing(verb),
            "SIZE" => match lock(&self.shared.files)
                .get(&self.resolve(arg))
                .map(Vec::len)
            {
                Some(n) => self.send(&format!("213 {n}"))?,
                None => self.send("550 No such file")?,
            },
            "MDTM" => {
                if lock(&self.shared.files).contains_key(&self.resolve(arg)) {
                    self.send("213 20200102030405")?;
                } else {
                    self.send("550 No such file")?;
                }
            }
            "REST" => match arg.trim().parse() {
                Ok(n) => {
                    self.rest = n;
                    self.send(&format!("350 Restarting at {n}"))?;
                }
                Err(_) => self.send("501 Bad offset")?,
            },
            "RETR" => self.retr(arg)?,
            "STOR" => self.stor(arg)?,
            "MKD" => {
                let reply = format!("257 \"{}\" created", self.resolve(arg));
                self.send(&reply)?;
            }
            "DELE" => {
                lock(&self.shared.files).remove(&self.resolve(arg));
                self.send("250 Done")?;
            }
            "RMD" => self.send("250 Done")?,
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
        let mut reply =
            String::from("211-Features:\r\n UTF8\r\n SIZE\r\n MDTM\r\n REST STREAM\r\n");
        if self.shared.script.offer_mlst {
            reply.push_str(" MLST type*;size*;modify*;\r\n");
        }
        if self.shared.script.feat_epsv {
            reply.push_str(" EPSV\r\n");
        }
        reply.push_str("211 End");
        self.send(&reply)
    }

    fn pasv(&mut self) -> io::Result<()> {
        self.pasv = None;
        if self.shared.script.bad_pasv {
            return self.send("227 Entering Passive Mode (127,0,0,1,300,1).");
        }
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let port = listener.local_addr()?.port();
        let ip = self.shared.script.pasv_ip.unwrap_or(Ipv4Addr::LOCALHOST);
        let [a, b, c, d] = ip.octets();
        self.pasv = Some(listener);
        let reply = format!(
            "227 Entering Passive Mode ({a},{b},{c},{d},{},{}).",
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
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err(_) => return None,
            }
        }
        None
    }

    fn listing(&mut self, verb: &str) -> io::Result<bool> {
        if self.pasv.is_none() {
            self.send("425 Use PASV first")?;
            return Ok(true);
        }
        let shared = self.shared;
        let script = &shared.script;
        let lines: Vec<Vec<u8>> = match verb {
            "MLSD" if !script.offer_mlst => {
                self.pasv = None;
                self.send("500 MLSD not understood")?;
                return Ok(true);
            }
            "MLSD" => script.mlsd.get(&self.cwd).cloned().unwrap_or_default(),
            _ => script.list.get(&self.cwd).cloned().unwrap_or_default(),
        };
        self.send("150 Here comes the directory listing")?;
        let Some(data) = self.accept_data() else {
            self.send("425 Cannot open the data connection")?;
            return Ok(true);
        };
        if script.drop_control_during_listing {
            let half = lines.len() / 2;
            let _ = write_lines(&data, &lines[..half]);
            let _ = data.shutdown(Shutdown::Both);
            let _ = self.ctrl.get_ref().shutdown(Shutdown::Both);
            return Ok(false);
        }
        if script.endless_listing {
            let sent = write_endless(&data, self.shared);
            let _ = data.shutdown(Shutdown::Both);
            match sent {
                Ok(()) => self.send("226 Transfer complete")?,
                Err(_) => self.send("426 Connection closed; transfer aborted")?,
            }
            return Ok(true);
        }
        let sent = write_lines(&data, &lines);
        let _ = data.shutdown(Shutdown::Both);
        match sent {
            Ok(()) => self.send("226 Transfer complete")?,
            Err(_) => self.send("426 Connection closed; transfer aborted")?,
        }
        Ok(true)
    }

    fn retr(&mut self, arg: &str) -> io::Result<()> {
        let offset = std::mem::take(&mut self.rest);
        let path = self.resolve(arg);
        let Some(bytes) = lock(&self.shared.files).get(&path).cloned() else {
            self.pasv = None;
            return self.send("550 No such file");
        };
        if self.pasv.is_none() {
            return self.send("425 Use PASV first");
        }
        if offset > bytes.len() {
            self.pasv = None;
            return self.send("554 Restart offset beyond the end of the file");
        }
        self.send("150 Opening BINARY mode data connection")?;
        let Some(mut data) = self.accept_data() else {
            return self.send("425 Cannot open the data connection");
        };
        let body = &bytes[offset..];
        let (n, early) = match self.shared.script.close_data_early {
            Some((n, reply)) if n < body.len() => (n, Some(reply)),
            _ => (body.len(), None),
        };
        let sent = data.write_all(&body[..n]).and_then(|()| data.flush());
        let _ = data.shutdown(Shutdown::Both);
        drop(data);
        match (sent, early) {
            (Err(_), _) | (Ok(()), Some(EarlyReply::Aborted)) => {
                self.send("426 Connection closed; transfer aborted")
            }
            (Ok(()), _) => self.send("226 Transfer complete"),
        }
    }

    fn stor(&mut self, arg: &str) -> io::Result<()> {
        let offset = std::mem::take(&mut self.rest);
        let path = self.resolve(arg);
        if self.pasv.is_none() {
            return self.send("425 Use PASV first");
        }
        self.send("150 Ok to send data")?;
        let Some(mut data) = self.accept_data() else {
            return self.send("425 Cannot open the data connection");
        };
        let mut received = Vec::new();
        let result = data.read_to_end(&mut received);
        drop(data);
        if result.is_err() {
            return self.send("426 Connection closed; transfer aborted");
        }
        if let Some(reply) = self.shared.script.refused_uploads.get(&path) {
            return self.send(reply);
        }
        {
            let mut files = lock(&self.shared.files);
            let file = files.entry(path).or_default();
            file.truncate(offset);
            file.extend_from_slice(&received);
        }
        self.send("226 Transfer complete")
    }
}

/// File lines until the client stops reading (or 4 GB, or the server stops).
fn write_endless(data: &TcpStream, shared: &Shared) -> io::Result<()> {
    let mut out = BufWriter::with_capacity(64 * 1024, data);
    let mut sent = 0u64;
    let mut i = 0u64;
    while sent < 4 << 30 && !shared.stopping() {
        let line = unix_file(format!("endless-{i:012}"), "1");
        out.write_all(&line)?;
        out.write_all(b"\r\n")?;
        sent += line.len() as u64 + 2;
        i += 1;
    }
    out.flush()
}

fn write_lines(data: &TcpStream, lines: &[Vec<u8>]) -> io::Result<()> {
    let mut out = BufWriter::with_capacity(64 * 1024, data);
    for line in lines {
        out.write_all(line)?;
        out.write_all(b"\r\n")?;
    }
    out.flush()
}

/// An `ls -l` line for a file: `-rw-r--r-- 1 owner group SIZE Jan 02 2020 NAME`. The size is
/// text, so absurd values can be written.
pub fn unix_file(name: impl AsRef<[u8]>, size: &str) -> Vec<u8> {
    unix_line('-', name.as_ref(), size, "Jan 02  2020")
}

/// An `ls -l` line for a directory.
pub fn unix_dir(name: impl AsRef<[u8]>) -> Vec<u8> {
    unix_line('d', name.as_ref(), "4096", "Jan 02  2020")
}

/// An `ls -l` line with every field chosen: kind char (`-`, `d`, `l`), name, size and date text.
pub fn unix_line(kind: char, name: &[u8], size: &str, date: &str) -> Vec<u8> {
    let perms = if kind == 'd' {
        "rwxr-xr-x"
    } else {
        "rw-r--r--"
    };
    let mut line = format!("{kind}{perms} 1 owner group {size} {date} ").into_bytes();
    line.extend_from_slice(name);
    line
}

/// `n` plain file lines named `file-000000` upwards, each of size 1.
pub fn many_files(n: usize) -> Vec<Vec<u8>> {
    (0..n)
        .map(|i| unix_file(format!("file-{i:06}"), "1"))
        .collect()
}
