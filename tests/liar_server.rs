//! The misbehaving server over a real directory (`tests/liar`) checked on its own, through
//! ftpdeck's connection setup and suppaftp, or through a raw control connection.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may stop at the first surprise

mod liar;

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::fs::symlink;
use std::path::Path;
use std::time::Duration;

use ftpdeck::entry::EntryKind;
use ftpdeck::remote::connect::{Connection, connect};
use ftpdeck::remote::ops::list_dir;
use ftpdeck::remote::{Profile, Secret, Timeouts};
use liar::{LiarServer, Lies, fold};
use suppaftp::FtpError;

/// A tree with the traps: `sub/up -> ..`, `link -> sub`, `flink -> file.txt`, a dotfile.
fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    fs::create_dir(root.join("sub")).unwrap();
    fs::write(root.join("precious.txt"), b"precious data").unwrap();
    fs::write(root.join("file.txt"), b"0123456789").unwrap();
    fs::write(root.join(".x"), b"hidden").unwrap();
    fs::write(root.join("sub/inner.txt"), b"inner").unwrap();
    symlink("..", root.join("sub/up")).unwrap();
    symlink("sub", root.join("link")).unwrap();
    symlink("file.txt", root.join("flink")).unwrap();
    dir
}

fn timeouts() -> Timeouts {
    Timeouts {
        connect: Duration::from_secs(2),
        read: Duration::from_secs(2),
    }
}

fn login(server: &LiarServer) -> Connection {
    let profile = Profile {
        host: "127.0.0.1".into(),
        port: server.port(),
        user: "tester".into(),
        password: Some(Secret::new("secret")),
        ..Default::default()
    };
    connect(&profile, timeouts()).expect("log in to the liar server")
}

fn start(root: &Path, lies: impl FnOnce(Lies) -> Lies) -> (LiarServer, Connection) {
    let server = lies(LiarServer::builder(root)).start();
    let conn = login(&server);
    (server, conn)
}

/// The listing line whose name is `name` (the last word, or the word before ` -> `).
fn line_for<'a>(lines: &'a [String], name: &str) -> Option<&'a str> {
    lines.iter().map(String::as_str).find(|l| {
        let l = l.split(" -> ").next().unwrap_or(l);
        l.rsplit(' ').next() == Some(name)
    })
}

fn status(e: FtpError) -> u32 {
    match e {
        FtpError::UnexpectedResponse(r) => r.status.code(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// A raw control connection, logged in; `cmd` sends one line and returns the reply lines.
struct Raw(BufReader<TcpStream>);

impl Raw {
    fn open(server: &LiarServer, user: &str, pass: &str) -> (Raw, String) {
        let s = TcpStream::connect(server.addr()).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
        let mut raw = Raw(BufReader::new(s));
        assert!(raw.reply().starts_with("220"));
        raw.cmd(&format!("USER {user}"));
        let answer = raw.cmd(&format!("PASS {pass}"));
        (raw, answer)
    }

    fn reply(&mut self) -> String {
        let mut all = String::new();
        loop {
            let mut line = String::new();
            self.0.read_line(&mut line).unwrap();
            all.push_str(&line);
            let b = line.as_bytes();
            if line.is_empty() || (b.len() > 3 && b[3] == b' ' && b[0].is_ascii_digit()) {
                return all;
            }
        }
    }

    fn cmd(&mut self, line: &str) -> String {
        self.0
            .get_mut()
            .write_all(format!("{line}\r\n").as_bytes())
            .unwrap();
        self.reply()
    }
}

#[test]
fn fold_stays_below_the_root() {
    assert_eq!(fold("/", ".."), "/");
    assert_eq!(fold("/a/b", "../c/./d"), "/a/c/d");
    assert_eq!(fold("/a", "/x/../../y"), "/y");
    assert_eq!(fold("/a/b", ""), "/a/b");
    assert_eq!(fold("/", "a//b/"), "/a/b");
}

#[test]
fn default_lists_symlinks_as_links() {
    let dir = tree();
    let (_server, mut conn) = start(dir.path(), |l| l.mlsd());
    let lines = conn.ftp.list(None).unwrap();
    let link = line_for(&lines, "link").expect("link listed");
    assert!(
        link.starts_with('l') && link.ends_with("link -> sub"),
        "{link}"
    );
    assert!(line_for(&lines, "sub").unwrap().starts_with('d'));
    let file = line_for(&lines, "file.txt").unwrap();
    assert!(file.starts_with("-rw-r--r-- 1 owner group 10 "), "{file}");
    let mlsd = conn.ftp.mlsd(None).unwrap();
    assert!(
        mlsd.iter()
            .any(|l| l.starts_with("type=OS.unix=slink:sub;") && l.ends_with(" link"))
    );
    assert!(
        mlsd.iter()
            .any(|l| l.starts_with("type=file;size=10;modify=") && l.ends_with(" file.txt"))
    );
}

#[test]
fn symlinks_as_dirs_hides_the_links() {
    let dir = tree();
    let (_server, mut conn) = start(dir.path(), |l| l.symlinks_as_dirs().mlsd());
    let lines = conn.ftp.list(None).unwrap();
    let link = line_for(&lines, "link").unwrap();
    assert!(
        link.starts_with("drwxr-xr-x") && !link.contains("->"),
        "{link}"
    );
    let flink = line_for(&lines, "flink").unwrap();
    assert!(flink.starts_with("-rw-r--r-- 1 owner group 10 "), "{flink}");
    let mlsd = conn.ftp.mlsd(Some("sub")).unwrap();
    assert!(
        mlsd.iter()
            .any(|l| l.starts_with("type=dir;") && l.ends_with(" up")),
        "{mlsd:?}"
    );
}

#[test]
fn ftpdeck_parses_both_listing_styles() {
    let dir = tree();
    // An mtime far in the past (year-style LIST date) and one today (time-style).
    let old = std::time::UNIX_EPOCH + Duration::from_secs(1_577_934_245); // 2020-01-02 03:04:05
    fs::File::options()
        .write(true)
        .open(dir.path().join("file.txt"))
        .unwrap()
        .set_modified(old)
        .unwrap();
    let kinds = |lies: fn(Lies) -> Lies, mlsd: bool| {
        let (_server, mut conn) = start(dir.path(), lies);
        let listing = list_dir(&mut conn, "/", mlsd, 2).unwrap();
        assert_eq!(listing.path, "/");
        let kind = |name: &str| {
            let e = listing.entries.iter().find(|e| e.name == name);
            e.unwrap_or_else(|| panic!("{name} in {:?}", listing.entries))
                .clone()
        };
        let file = kind("file.txt");
        assert_eq!((file.size, file.kind), (Some(10), EntryKind::File));
        let want = if mlsd { 1_577_934_245 } else { 1_577_923_200 }; // LIST: the day only
        assert_eq!(file.mtime, Some(want), "mlsd {mlsd}");
        let recent = kind("precious.txt").mtime.unwrap();
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
        assert!(
            (now.unwrap().as_secs() as i64 - recent).abs() < 120,
            "mlsd {mlsd}"
        );
        (kind("link").kind, kind("sub").kind)
    };
    assert_eq!(kinds(|l| l, false), (EntryKind::Symlink, EntryKind::Dir));
    assert_eq!(
        kinds(|l| l.mlsd(), true),
        (EntryKind::Symlink, EntryKind::Dir)
    );
    let as_dirs = (EntryKind::Dir, EntryKind::Dir);
    assert_eq!(kinds(|l| l.symlinks_as_dirs(), false), as_dirs);
    assert_eq!(kinds(|l| l.symlinks_as_dirs().mlsd(), true), as_dirs);
}

#[test]
fn pwd_is_literal_by_default_and_canonical_on_request() {
    let dir = tree();
    let (_server, mut conn) = start(dir.path(), |l| l);
    conn.ftp.cwd("sub/up").unwrap();
    assert_eq!(conn.ftp.pwd().unwrap(), "/sub/up");
    conn.ftp.cwd("..").unwrap();
    assert_eq!(conn.ftp.pwd().unwrap(), "/sub");
    conn.ftp.cwd("../../..").unwrap();
    assert_eq!(conn.ftp.pwd().unwrap(), "/");

    let (_server, mut conn) = start(dir.path(), |l| l.canonical_pwd());
    conn.ftp.cwd("/sub/up").unwrap();
    assert_eq!(conn.ftp.pwd().unwrap(), "/");
    conn.ftp.cwd("link").unwrap();
    assert_eq!(conn.ftp.pwd().unwrap(), "/sub");
    assert_eq!(status(conn.ftp.cwd("file.txt").unwrap_err()), 550);
}

#[test]
fn dele_through_a_parent_link_deletes_the_real_file() {
    let dir = tree();
    let (_server, mut conn) = start(dir.path(), |l| l);
    conn.ftp.rm("/sub/up/precious.txt").unwrap();
    assert!(!dir.path().join("precious.txt").exists());
    // DELE of a link removes the link, not its target; DELE of a directory is refused.
    conn.ftp.rm("flink").unwrap();
    assert!(dir.path().join("file.txt").exists());
    assert_eq!(status(conn.ftp.rm("sub").unwrap_err()), 550);
    assert_eq!(status(conn.ftp.rmdir("sub").unwrap_err()), 550);
    assert_eq!(status(conn.ftp.mkdir("sub").unwrap_err()), 550);
}

#[test]
fn no_size_answers_502() {
    let dir = tree();
    let (server, mut conn) = start(dir.path(), |l| l.no_size());
    assert!(!conn.features.mlsd);
    assert_eq!(status(conn.ftp.size("file.txt").unwrap_err()), 502);
    assert_eq!(status(conn.ftp.mlsd(None).unwrap_err()), 500);
    let commands = server.commands();
    assert_eq!(commands[..2], ["USER tester", "PASS ***"]);
    assert!(commands.contains(&"SIZE file.txt".to_string()));
}

#[test]
fn truncate_stor_keeps_n_bytes_and_says_226() {
    let dir = tree();
    let (_server, mut conn) = start(dir.path(), |l| l.truncate_stor(4));
    let sent = conn
        .ftp
        .put_file("up.bin", &mut &b"abcdefghij"[..])
        .unwrap();
    assert_eq!(sent, 10);
    assert_eq!(fs::read(dir.path().join("up.bin")).unwrap(), b"abcd");
    conn.ftp.append_file("up.bin", &mut &b"XYZWV"[..]).unwrap();
    assert_eq!(fs::read(dir.path().join("up.bin")).unwrap(), b"abcdXYZW");
}

#[test]
fn hide_dotfiles_from_listings_only() {
    let dir = tree();
    let (_server, mut conn) = start(dir.path(), |l| l.hide_dotfiles().mlsd());
    assert!(line_for(&conn.ftp.list(None).unwrap(), ".x").is_none());
    assert!(!conn.ftp.nlst(None).unwrap().contains(&".x".to_string()));
    assert!(
        !conn
            .ftp
            .mlsd(None)
            .unwrap()
            .iter()
            .any(|l| l.ends_with(" .x"))
    );
    assert!(line_for(&conn.ftp.list(Some("-a")).unwrap(), ".x").is_some());
    assert_eq!(conn.ftp.size(".x").unwrap(), 6);
    conn.ftp.rename(".x", ".y").unwrap();
    assert!(dir.path().join(".y").exists());
}

#[test]
fn unique_facts_see_through_links() {
    let dir = tree();
    let (_server, mut conn) = start(dir.path(), |l| l.mlsd_unique());
    let unique = |fact: String| {
        let u = fact
            .split(';')
            .find(|f| f.starts_with("unique="))
            .map(str::to_string);
        u.unwrap_or_else(|| panic!("no unique fact in {fact}"))
    };
    let root = unique(conn.ftp.mlst(Some("/")).unwrap());
    assert_eq!(root, unique(conn.ftp.mlst(Some("/sub/up")).unwrap()));
    assert_ne!(root, unique(conn.ftp.mlst(Some("/sub")).unwrap()));
    let mlsd = conn.ftp.mlsd(Some("/sub")).unwrap();
    let up = mlsd.iter().find(|l| l.ends_with(" up")).unwrap();
    assert!(
        up.starts_with("type=OS.unix=slink:..;") && up.contains(&root),
        "{up}"
    );
}

#[test]
fn rest_honoured_ignored_or_refused() {
    let dir = tree();
    let read_from = |conn: &mut Connection, offset: usize| {
        conn.ftp.resume_transfer(offset).unwrap();
        let mut stream = conn.ftp.retr_as_stream("file.txt").unwrap();
        let mut buf = Vec::new();
        stream.read_to_end(&mut buf).unwrap();
        stream.finish().unwrap();
        buf
    };
    let (_server, mut conn) = start(dir.path(), |l| l);
    assert_eq!(read_from(&mut conn, 6), b"6789");
    conn.ftp.resume_transfer(3).unwrap();
    conn.ftp.put_file("file.txt", &mut &b"xy"[..]).unwrap();
    assert_eq!(fs::read(dir.path().join("file.txt")).unwrap(), b"012xy");

    let (_server, mut conn) = start(dir.path(), |l| l.ignore_rest());
    assert_eq!(read_from(&mut conn, 3), b"012xy");
    conn.ftp.resume_transfer(3).unwrap();
    conn.ftp.put_file("file.txt", &mut &b"ab"[..]).unwrap();
    assert_eq!(fs::read(dir.path().join("file.txt")).unwrap(), b"ab");

    let (_server, mut conn) = start(dir.path(), |l| l.refuse_rest());
    assert!(!conn.features.rest_stream);
    conn.ftp.resume_transfer(1).unwrap(); // suppaftp sends REST right before RETR
    assert_eq!(
        status(conn.ftp.retr_as_stream("file.txt").err().unwrap()),
        502
    );
}

#[test]
fn rename_replaces_or_refuses() {
    let dir = tree();
    let (_server, mut conn) = start(dir.path(), |l| l.rename_refuses_existing());
    assert_eq!(
        status(conn.ftp.rename("file.txt", "precious.txt").unwrap_err()),
        553
    );
    let (_server, mut conn) = start(dir.path(), |l| l.rename_replaces());
    conn.ftp.rename("file.txt", "precious.txt").unwrap();
    assert_eq!(
        fs::read(dir.path().join("precious.txt")).unwrap(),
        b"0123456789"
    );
}

#[test]
fn raw_commands() {
    let dir = tree();
    let server = LiarServer::builder(dir.path()).user("ann", "pw").start();
    let (_raw, answer) = Raw::open(&server, "ann", "wrong");
    assert!(answer.starts_with("530"), "{answer}");
    let (mut raw, answer) = Raw::open(&server, "ann", "pw");
    assert!(answer.starts_with("230"), "{answer}");
    let feat = raw.cmd("FEAT");
    assert!(feat.contains(" SIZE\r\n") && !feat.contains("EPSV") && !feat.contains("MLST"));
    assert!(raw.cmd("EPSV").starts_with("502"));
    assert!(raw.cmd("PORT 127,0,0,1,4,1").starts_with("502"));
    assert!(raw.cmd("MDTM file.txt").starts_with("213 20"));
    assert!(raw.cmd("MFMT 20200102030405 file.txt").starts_with("213"));
    assert!(
        raw.cmd("MDTM /sub/up/file.txt")
            .starts_with("213 20200102030405")
    );
    assert!(raw.cmd("SITE CHMOD 600 file.txt").starts_with("200"));
    let mode = fs::metadata(dir.path().join("file.txt")).unwrap();
    assert_eq!(
        std::os::unix::fs::PermissionsExt::mode(&mode.permissions()) & 0o777,
        0o600
    );
    assert!(raw.cmd("CDUP").starts_with("250"));
    assert!(raw.cmd("PWD").starts_with("257 \"/\""));
    assert!(raw.cmd("RETR nothing").starts_with("550"));
    assert!(raw.cmd("QUIT").starts_with("221"));
    assert_eq!(server.connections(), 2);
}
