//! Charset per server: names in GBK or Shift_JIS on the wire, decoded for display and encoded
//! back byte for byte — listed, downloaded, uploaded, renamed and created through the session
//! worker, the transfer pool and the headless commands, against the embedded server speaking
//! that charset. Plus the codec's own properties.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may stop at the first surprise

mod common;

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::sync::{Arc, Mutex};

use common::cli::ftpdeck;
use common::engine::{Engine, assert_all_done};
use common::session::Session;
use common::*;
use ftpdeck::remote::encoding::{self, Charset};
use ftpdeck::remote::fileops::{Changed, RemoteOp};
use ftpdeck::remote::session::SessionOptions;
use ftpdeck::remote::{RemoteCmd, RemoteError, RemoteEvent};
use ftpdeck::server::ServerHandle;
use ftpdeck::transfer::Direction;
use proptest::prelude::*;

fn charset(name: &str) -> Charset {
    Charset::parse(name).unwrap()
}

/// A server over `root` whose names are in `wire` on the wire; its log lines go to the vector.
fn server_speaking(root: &Path, wire: &str) -> (ServerHandle, Arc<Mutex<Vec<String>>>) {
    let log = Arc::new(Mutex::new(Vec::new()));
    let sink = log.clone();
    let wire = charset(wire);
    let server = start_server_with(root, move |c| {
        c.wire_charset = Some(wire);
        c.on_event = Some(Arc::new(move |line| sink.lock().unwrap().push(line)));
    });
    (server, log)
}

fn names(session: &Session, id: u64, path: &str) -> Vec<String> {
    let mut names: Vec<String> = session
        .list(id, path)
        .0
        .unwrap_or_else(|e| panic!("listing {path}: {e}"))
        .entries
        .into_iter()
        .map(|e| e.name)
        .collect();
    names.sort();
    names
}

fn op(session: &Session, id: u64, op: RemoteOp) -> Result<Changed, RemoteError> {
    session.cmd.send(RemoteCmd::Op { id, op }).unwrap();
    recv_until(
        &session.rx,
        std::time::Duration::from_secs(30),
        |e| match e {
            RemoteEvent::OpDone { id: got, result } if *got == id => Some(result.clone()),
            _ => None,
        },
    )
    .0
}

fn session_for(server: &ServerHandle, cs: &str) -> Session {
    let session = Session::start(SessionOptions::default());
    let mut p = profile(server);
    p.charset = charset(cs);
    session.connect(p).unwrap();
    session
}

/// Names of one charset for [`names_are_listed_downloaded_uploaded_renamed_and_created`].
struct Names {
    wire: &'static str,
    encoding: &'static encoding_rs::Encoding,
    dir: &'static str,
    file: &'static str,
    renamed: &'static str,
    newdir: &'static str,
    updir: &'static str,
    upfile: &'static str,
}

#[test]
fn gbk_names_are_listed_downloaded_uploaded_renamed_and_created() {
    names_are_listed_downloaded_uploaded_renamed_and_created(Names {
        wire: "gbk",
        encoding: encoding_rs::GBK,
        dir: "中文目录",
        file: "文件.txt",
        renamed: "改名.txt",
        newdir: "新建",
        updir: "上传",
        upfile: "文档.bin",
    });
}

#[test]
fn shift_jis_names_are_listed_downloaded_uploaded_renamed_and_created() {
    names_are_listed_downloaded_uploaded_renamed_and_created(Names {
        wire: "shift_jis",
        encoding: encoding_rs::SHIFT_JIS,
        dir: "日本語フォルダ",
        file: "ファイル.txt",
        renamed: "名前変更.txt",
        newdir: "新規",
        updir: "アップ",
        upfile: "書類.bin",
    });
}

fn names_are_listed_downloaded_uploaded_renamed_and_created(n: Names) {
    let remote = tempfile::tempdir().unwrap();
    write(
        remote.path(),
        &format!("{}/{}", n.dir, n.file),
        b"some content",
    );
    let (server, log) = server_speaking(remote.path(), n.wire);

    // Without the charset, the same server's names are bytes of its charset, not what the disk says.
    let plain = Session::start(SessionOptions::default());
    plain.connect(profile(&server)).unwrap();
    let raw = names(&plain, 1, "/");
    assert_eq!(raw.len(), 1);
    assert_ne!(raw[0], n.dir, "the wire really is {}", n.wire);
    assert_eq!(
        encoding::encode(&raw[0]),
        n.encoding.encode(n.dir).0.as_ref()
    );
    drop(plain);

    let session = session_for(&server, n.wire);
    assert_eq!(names(&session, 2, "/"), [n.dir]);
    assert_eq!(names(&session, 3, &format!("/{}", n.dir)), [n.file]);

    // Rename and mkdir: the disk (UTF-8 behind the server) gets the same names.
    let renamed = op(
        &session,
        4,
        RemoteOp::Rename {
            from: format!("/{}/{}", n.dir, n.file),
            to: format!("/{}/{}", n.dir, n.renamed),
            overwrite: false,
        },
    );
    assert!(renamed.is_ok(), "{renamed:?}");
    assert!(remote.path().join(n.dir).join(n.renamed).is_file());
    assert!(
        op(
            &session,
            5,
            RemoteOp::Mkdir {
                path: format!("/{}", n.newdir)
            }
        )
        .is_ok()
    );
    assert!(remote.path().join(n.newdir).is_dir());

    // Download and upload through the transfer pool, on its own connections.
    let local = tempfile::tempdir().unwrap();
    let mut p = profile(&server);
    p.charset = charset(n.wire);
    let mut engine = Engine::new(p, 2);
    let down = engine.job(
        Direction::Download,
        &format!("/{}/{}", n.dir, n.renamed),
        &local.path().join(n.renamed),
        false,
    );
    write(
        local.path(),
        &format!("{}/{}", n.updir, n.upfile),
        &pseudo_random(100_000, 7),
    );
    let up = engine.job(
        Direction::Upload,
        &format!("/{}/{}", n.newdir, n.updir),
        &local.path().join(n.updir),
        true,
    );
    assert_all_done(&engine.run(vec![down, up]));
    assert_eq!(
        std::fs::read(local.path().join(n.renamed)).unwrap(),
        b"some content"
    );
    assert_eq!(
        std::fs::read(remote.path().join(n.newdir).join(n.updir).join(n.upfile)).unwrap(),
        pseudo_random(100_000, 7)
    );
    assert_eq!(
        names(&session, 6, &format!("/{}/{}", n.newdir, n.updir)),
        [n.upfile]
    );

    // With the charset asked for, OPTS UTF8 ON was never sent (the server logs refusing it).
    let log = log.lock().unwrap();
    assert!(log.iter().any(|l| l.contains("logged in")), "{log:?}");
    let refused: Vec<_> = log.iter().filter(|l| l.contains("OPTS UTF8")).collect();
    assert_eq!(refused.len(), 1, "only the auto session asked: {log:?}");
}

#[test]
fn a_name_the_charset_cannot_write_is_refused_and_nothing_reaches_the_server() {
    let remote = tempfile::tempdir().unwrap();
    write(remote.path(), "a.txt", b"a");
    let (server, _log) = server_speaking(remote.path(), "shift_jis");
    let session = session_for(&server, "shift_jis");
    let made = op(
        &session,
        1,
        RemoteOp::Mkdir {
            path: "/한국어".into(),
        },
    );
    match made {
        Err(RemoteError::Unencodable { name, ch, charset }) => {
            assert_eq!(
                (name.as_str(), ch, charset.as_str()),
                ("/한국어", '한', "shift_jis")
            );
        }
        other => panic!("expected Unencodable, got {other:?}"),
    }
    let shown = RemoteError::Unencodable {
        name: "/한국어".into(),
        ch: '한',
        charset: "shift_jis".into(),
    }
    .to_string();
    assert!(
        shown.contains("cannot be written in the server's charset shift_jis"),
        "{shown}"
    );
    assert!(
        !RemoteError::Unencodable {
            name: String::new(),
            ch: 'x',
            charset: String::new()
        }
        .is_connection_lost()
    );
    // Nothing was created, and the connection goes on.
    assert_eq!(std::fs::read_dir(remote.path()).unwrap().count(), 1);
    assert_eq!(names(&session, 2, "/"), ["a.txt"]);
    assert!(
        op(
            &session,
            3,
            RemoteOp::Mkdir {
                path: "/テスト".into()
            }
        )
        .is_ok()
    );
    assert!(remote.path().join("テスト").is_dir());
}

#[test]
fn bytes_invalid_in_the_charset_survive_listing_download_and_rename() {
    let remote = tempfile::tempdir().unwrap();
    // 0xFE followed by '.' is no GBK character: the byte must come back as it was.
    let raw_name = OsStr::from_bytes(b"raw\xfe.bin");
    std::fs::write(remote.path().join(raw_name), b"raw bytes").unwrap();
    let (server, _log) = server_speaking(remote.path(), "gbk");
    let session = session_for(&server, "gbk");
    let listed = names(&session, 1, "/");
    assert_eq!(listed.len(), 1);
    let name = &listed[0];
    assert!(name.starts_with("raw") && name.ends_with(".bin"));
    assert_eq!(name.chars().filter(|&c| encoding::is_escape(c)).count(), 1);
    assert_eq!(ftpdeck::sanitize::display_name(name), "raw\u{FFFD}.bin");

    let local = tempfile::tempdir().unwrap();
    let mut p = profile(&server);
    p.charset = charset("gbk");
    let mut engine = Engine::new(p, 1);
    let target = local.path().join(encoding::local_name(name));
    let job = engine.job(Direction::Download, &format!("/{name}"), &target, false);
    assert_all_done(&engine.run(vec![job]));
    assert_eq!(
        std::fs::read(local.path().join(raw_name)).unwrap(),
        b"raw bytes"
    );

    let to = format!("/{}", name.replace(".bin", "-2.bin"));
    let renamed = op(
        &session,
        2,
        RemoteOp::Rename {
            from: format!("/{name}"),
            to,
            overwrite: false,
        },
    );
    assert!(renamed.is_ok(), "{renamed:?}");
    assert!(
        remote
            .path()
            .join(OsStr::from_bytes(b"raw\xfe-2.bin"))
            .is_file()
    );
}

#[test]
fn size_mdtm_pwd_dele_and_rmd_name_gbk_paths_byte_for_byte() {
    use ftpdeck::remote::{connect, ops};
    let remote = tempfile::tempdir().unwrap();
    write(remote.path(), "目录/文件.txt", b"12345");
    let (server, _log) = server_speaking(remote.path(), "gbk");
    let mut p = profile(&server);
    p.charset = charset("gbk");
    let mut conn = connect::connect(&p, Default::default()).unwrap();
    assert!(!conn.features.mlsd, "the GBK server offers no MLSD");
    assert_eq!(ops::size(&mut conn, "/目录/文件.txt", 30), Ok(Some(5)));
    assert!(matches!(
        ops::mtime(&mut conn, "/目录/文件.txt", 30),
        Ok(Some(_))
    ));
    // PWD comes back in GBK and is decoded.
    conn.ftp.cwd("/目录").unwrap();
    assert_eq!(conn.ftp.pwd().unwrap(), "/目录");
    // SITE CHMOD goes out in GBK too (this server has no SITE CHMOD: refused, not garbled).
    let chmod = ftpdeck::remote::fileops::run(
        &mut conn,
        &RemoteOp::Chmod {
            path: "/目录/文件.txt".into(),
            mode: 0o644,
        },
        30,
    );
    assert!(
        matches!(chmod, Err(RemoteError::Refusal { .. })),
        "{chmod:?}"
    );
    assert!(matches!(
        ops::remove_file(&mut conn, "/目录/문서.txt", 30),
        Err(RemoteError::Unencodable { .. })
    ));
    ops::remove_file(&mut conn, "/目录/文件.txt", 30).unwrap();
    ops::remove_dir(&mut conn, "/目录", 30).unwrap();
    assert_eq!(std::fs::read_dir(remote.path()).unwrap().count(), 0);
}

fn url(server: &ServerHandle, path: &str) -> String {
    format!("ftp://{USER}@127.0.0.1:{}{path}", server.addr().port())
}

#[test]
fn headless_ls_get_and_put_take_charset_and_refuse_an_unknown_one() {
    let remote = tempfile::tempdir().unwrap();
    write(remote.path(), "テスト/ファイル.txt", b"sjis content");
    let (server, _log) = server_speaking(remote.path(), "shift_jis");
    let home = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().to_str().unwrap();
    let pw = [("FTPDECK_PASSWORD", PASSWORD)];

    let r = ftpdeck(
        home.path(),
        &["ls", "--charset", "sjis", &url(&server, "/テスト")],
        &pw,
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stdout.contains("ファイル.txt"), "{}", r.stdout);

    let r = ftpdeck(
        home.path(),
        &["get", "--charset=shift_jis", &url(&server, "/テスト"), dir],
        &pw,
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(
        std::fs::read(out.path().join("テスト/ファイル.txt")).unwrap(),
        b"sjis content"
    );

    write(out.path(), "アップ.txt", b"up");
    let r = ftpdeck(
        home.path(),
        &[
            "put",
            "--charset",
            "shift_jis",
            out.path().join("アップ.txt").to_str().unwrap(),
            &url(&server, "/テスト"),
        ],
        &pw,
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(
        std::fs::read(remote.path().join("テスト/アップ.txt")).unwrap(),
        b"up"
    );

    // A local name Shift_JIS cannot write: that file fails (status 1) and names why; the
    // server gets nothing under a wrong name.
    write(out.path(), "한.txt", b"ko");
    let r = ftpdeck(
        home.path(),
        &[
            "put",
            "--charset",
            "shift_jis",
            out.path().join("한.txt").to_str().unwrap(),
            &url(&server, "/テスト"),
        ],
        &pw,
    );
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("cannot be written in the server's charset shift_jis"),
        "{}",
        r.stderr
    );
    let mut there: Vec<_> = std::fs::read_dir(remote.path().join("テスト"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    there.sort();
    assert_eq!(there, ["アップ.txt", "ファイル.txt"]);

    // sync both ways with the charset: a second run finds the trees in step.
    let tree = tempfile::tempdir().unwrap();
    write(tree.path(), "日本/データ.bin", &pseudo_random(5_000, 2));
    let local_tree = tree.path().to_str().unwrap();
    let r = ftpdeck(
        home.path(),
        &[
            "sync",
            "--charset",
            "sjis",
            local_tree,
            &url(&server, "/同期"),
        ],
        &pw,
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(
        std::fs::read(remote.path().join("同期/日本/データ.bin")).unwrap(),
        pseudo_random(5_000, 2)
    );
    let r = ftpdeck(
        home.path(),
        &[
            "sync",
            "--dry-run",
            "--charset",
            "sjis",
            local_tree,
            &url(&server, "/同期"),
        ],
        &pw,
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(
        r.stdout.trim().is_empty(),
        "nothing left to do: {}",
        r.stdout
    );

    for args in [
        vec!["ls", "--charset", "klingon", "ftp://127.0.0.1/"],
        vec!["get", "--charset=utf-16", "ftp://127.0.0.1/a", dir],
        vec!["--charset", "nope", "ftp://127.0.0.1/"],
    ] {
        let r = ftpdeck(home.path(), &args, &pw);
        assert_eq!(r.code, Some(2), "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains("charset"), "{args:?}: {}", r.stderr);
    }
}

/// Charsets the property tests go through.
const CHARSETS: [&str; 10] = [
    "auto",
    "utf-8",
    "gbk",
    "gb18030",
    "big5",
    "shift_jis",
    "euc-jp",
    "euc-kr",
    "windows-1251",
    "iso-8859-2",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn any_bytes_decode_and_encode_back_identically(
        bytes in prop::collection::vec(any::<u8>(), 0..40),
        which in 0..CHARSETS.len(),
    ) {
        let codec = charset(CHARSETS[which]).codec();
        let text = codec.decode(&bytes);
        prop_assert_eq!(codec.encode(&text), Ok(bytes.clone()), "{} {:?}", CHARSETS[which], text);
    }

    #[test]
    fn typed_names_encode_then_decode_to_themselves(
        name in "[a-z0-9 ._中文字テスト한국어ЖжŁł€-]{0,20}",
        which in 0..CHARSETS.len(),
    ) {
        let codec = charset(CHARSETS[which]).codec();
        match codec.encode(&name) {
            Ok(bytes) => prop_assert_eq!(codec.decode(&bytes), name),
            Err(e) => {
                // Refused only for a character the charset really has no form for.
                let mut buf = [0; 4];
                prop_assert!(codec.encode(e.ch.encode_utf8(&mut buf)).is_err());
                prop_assert!(name.contains(e.ch));
            }
        }
    }

    #[test]
    fn any_charset_name_is_parsed_or_refused_without_a_panic(name in any::<String>()) {
        match Charset::parse(&name) {
            // What is shown and saved reads back as the same charset.
            Ok(c) => prop_assert_eq!(Charset::parse(&c.name()), Ok(c)),
            Err(e) => prop_assert!(e.contains("charset"), "{}", e),
        }
    }
}
