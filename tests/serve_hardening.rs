//! The embedded server (`ftpdeck serve`, `--demo`) facing a share it did not make: what its
//! replies may carry, checked over real control connections.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may stop at the first surprise

mod common;

use common::*;

#[test]
fn a_name_with_a_line_break_cannot_forge_an_entry_in_list_mlsd_or_nlst() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "real.txt", b"real");
    let forged = "evil\r\n-rw-r--r-- 1 0 0 999 Jan 01 00:00 FAKE.txt";
    std::fs::write(dir.path().join(forged), b"x").unwrap();
    std::fs::write(dir.path().join("bell\u{7}.txt"), b"x").unwrap();
    let server = start_server(dir.path());
    let mut conn =
        ftpdeck::remote::connect::connect(&profile(&server), Default::default()).unwrap();

    let list = conn.ftp.list(None).unwrap();
    assert_eq!(list.len(), 1, "LIST: {list:?}");
    assert!(list[0].ends_with(" real.txt"), "{list:?}");
    let nlst = conn.ftp.nlst(None).unwrap();
    assert_eq!(nlst, ["real.txt"], "NLST");
    let mlsd = conn.ftp.mlsd(None).unwrap();
    assert_eq!(mlsd.len(), 1, "MLSD: {mlsd:?}");
    assert!(mlsd[0].ends_with("; real.txt"), "{mlsd:?}");
    // And what a client makes of it.
    let listing = ftpdeck::remote::ops::list_dir(&mut conn, "/", true, 30).unwrap();
    let names: Vec<&str> = listing.entries.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["real.txt"]);
}
