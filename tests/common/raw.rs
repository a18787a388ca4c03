//! A bare FTP control connection for tests that speak the protocol themselves: every command
//! and reply as text, nothing interpreted on the way.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

pub struct Raw {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

/// One reply: its code and all its text (lines joined with `\n`).
#[derive(Debug, Clone)]
pub struct Reply {
    pub code: u16,
    pub text: String,
}

impl Raw {
    /// Connect and read the greeting (or whatever the server says first).
    pub fn connect(addr: SocketAddr) -> (Raw, Reply) {
        let s = TcpStream::connect(addr).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        let mut raw = Raw {
            reader: BufReader::new(s.try_clone().unwrap()),
            writer: s,
        };
        let greeting = raw.reply().expect("a greeting");
        (raw, greeting)
    }

    /// Connect and log in; panics unless the login succeeds.
    pub fn login(addr: SocketAddr, user: &str, password: &str) -> Raw {
        let (mut raw, greeting) = Raw::connect(addr);
        assert_eq!(greeting.code, 220, "{greeting:?}");
        let r = raw.cmd(&format!("USER {user}"));
        assert_eq!(r.code, 331, "{r:?}");
        let r = raw.cmd(&format!("PASS {password}"));
        assert_eq!(r.code, 230, "{r:?}");
        raw
    }

    /// The next reply, or None when the server closed the connection.
    pub fn reply(&mut self) -> Option<Reply> {
        let mut first = String::new();
        if self.reader.read_line(&mut first).ok()? == 0 {
            return None;
        }
        let code: u16 = first.get(..3)?.parse().ok()?;
        let mut text = first.trim_end().to_string();
        if first.as_bytes().get(3) == Some(&b'-') {
            let end = format!("{code} ");
            loop {
                let mut line = String::new();
                if self.reader.read_line(&mut line).ok()? == 0 {
                    break;
                }
                text.push('\n');
                text.push_str(line.trim_end());
                if line.starts_with(&end) {
                    break;
                }
            }
        }
        Some(Reply { code, text })
    }

    pub fn send(&mut self, line: &str) {
        self.writer
            .write_all(format!("{line}\r\n").as_bytes())
            .unwrap();
    }

    /// Send a command and read its reply.
    pub fn cmd(&mut self, line: &str) -> Reply {
        self.send(line);
        self.reply()
            .unwrap_or_else(|| panic!("the server closed the connection after {line:?}"))
    }

    /// EPSV and connect to the port it names.
    pub fn data(&mut self) -> TcpStream {
        let r = self.cmd("EPSV");
        assert_eq!(r.code, 229, "{r:?}");
        let port: u16 = r
            .text
            .split("|||")
            .nth(1)
            .and_then(|rest| rest.split('|').next())
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no port in {r:?}"));
        let peer = self.writer.peer_addr().unwrap();
        let s = TcpStream::connect((peer.ip(), port)).expect("data connection");
        s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        s
    }

    /// Run a command that sends data back (LIST, NLST, MLSD, RETR): its preliminary reply, the
    /// bytes, and its final reply; a refusal comes back with no bytes.
    pub fn fetch(&mut self, line: &str) -> (Reply, Vec<u8>) {
        let mut data = self.data();
        let first = self.cmd(line);
        if first.code >= 400 {
            return (first, Vec::new());
        }
        let mut bytes = Vec::new();
        data.read_to_end(&mut bytes).unwrap();
        let last = self.reply().expect("a final reply");
        (last, bytes)
    }

    /// Store `bytes` with `line` (STOR, APPE, STOU): the final reply (or the refusal).
    pub fn store(&mut self, line: &str, bytes: &[u8]) -> Reply {
        let mut data = self.data();
        let first = self.cmd(line);
        if first.code >= 400 {
            return first;
        }
        data.write_all(bytes).unwrap();
        drop(data);
        self.reply().expect("a final reply")
    }
}
