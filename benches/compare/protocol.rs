//! How many FTP commands of each verb a contender sends, read from vsftpd's protocol log
//! (`log_ftp_protocol=YES`): one run of each contender is logged on its own, then counted.

use std::collections::BTreeMap;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

/// The verb of each `FTP command` line of a vsftpd log, counted, most frequent first:
/// `… [pid 12] [user] FTP command: Client "127.0.0.1", "RETR d00/f000.dat"` counts one RETR.
pub fn count_commands(log: &str) -> Vec<(String, u64)> {
    const MARK: &str = "FTP command: Client \"";
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    for line in log.lines() {
        let Some(at) = line.find(MARK) else {
            continue;
        };
        let rest = &line[at + MARK.len()..];
        let Some(sep) = rest.find("\", \"") else {
            continue;
        };
        let command = rest[sep + 4..].trim_end().trim_end_matches('"');
        let verb = command
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        if !verb.is_empty() {
            *counts.entry(verb).or_default() += 1;
        }
    }
    let mut counts: Vec<(String, u64)> = counts.into_iter().collect();
    super::report::sort_counts(&mut counts);
    counts
}

/// The length of the log now, to read what one run adds.
pub fn log_len(log: &Path) -> u64 {
    std::fs::metadata(log).map_or(0, |m| m.len())
}

/// What the log gained since `offset`.
pub fn log_since(log: &Path, offset: u64) -> String {
    let mut text = String::new();
    if let Ok(mut f) = std::fs::File::open(log) {
        if f.seek(SeekFrom::Start(offset)).is_ok() {
            let mut bytes = Vec::new();
            let _ = f.read_to_end(&mut bytes);
            text = String::from_utf8_lossy(&bytes).into_owned();
        }
    }
    text
}

pub fn tests() -> Vec<super::Case> {
    vec![super::case(
        "protocol: commands counted by verb from a vsftpd log",
        || {
            let log = "\
Tue Dec  2 14:47:07 2026 [pid 2] CONNECT: Client \"127.0.0.1\"
Tue Dec  2 14:47:07 2026 [pid 2] FTP response: Client \"127.0.0.1\", \"220 ready\"
Tue Dec  2 14:47:07 2026 [pid 2] FTP command: Client \"127.0.0.1\", \"USER ftpdeckci\"
Tue Dec  2 14:47:07 2026 [pid 2] FTP command: Client \"127.0.0.1\", \"PASS <password>\"
Tue Dec  2 14:47:07 2026 [pid 1] [ftpdeckci] OK LOGIN: Client \"127.0.0.1\"
Tue Dec  2 14:47:07 2026 [pid 3] [ftpdeckci] FTP command: Client \"127.0.0.1\", \"PASV\"
Tue Dec  2 14:47:07 2026 [pid 3] [ftpdeckci] FTP command: Client \"127.0.0.1\", \"RETR a \\\"b\\\".dat\"
Tue Dec  2 14:47:07 2026 [pid 3] [ftpdeckci] FTP command: Client \"127.0.0.1\", \"pasv\"
Tue Dec  2 14:47:07 2026 [pid 3] [ftpdeckci] FTP command: Client \"127.0.0.1\", \"RETR c.dat\"
Tue Dec  2 14:47:07 2026 [pid 3] [ftpdeckci] FTP command: Client \"127.0.0.1\", \"RETR d.dat\"
Tue Dec  2 14:47:07 2026 [pid 3] [ftpdeckci] OK DOWNLOAD: Client \"127.0.0.1\", \"/d.dat\", 5 bytes
";
            assert_eq!(
                count_commands(log),
                vec![
                    ("RETR".to_string(), 3),
                    ("PASV".to_string(), 2),
                    ("PASS".to_string(), 1),
                    ("USER".to_string(), 1),
                ]
            );
            assert!(count_commands("").is_empty());
            let dir = tempfile::tempdir().unwrap();
            let p = dir.path().join("log");
            std::fs::write(&p, "one\n").unwrap();
            let at = log_len(&p);
            std::fs::write(&p, "one\ntwo\n").unwrap();
            assert_eq!(log_since(&p, at), "two\n");
        },
    )]
}
