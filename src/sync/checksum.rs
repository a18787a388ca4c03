//! `--compare checksum`: the files both trees have with the same size are hashed on both sides
//! — on the server with the best checksum command its FEAT offers, on several connections at
//! once, and here at the same time — so that the planner tells equal contents from different
//! ones whatever the times say.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use super::{Tree, excluded};
use crate::remote::hash::{self, Algorithm, HashError, Method};
use crate::remote::{Connection, Profile, RemoteError, connect, path as rpath};

/// What the digests said about one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Same,
    Differs,
    /// No digest on one side (the server refused it for this file, or the local copy could not
    /// be read), with why: the file is compared by size and time instead.
    Unknown(String),
}

/// The verdicts by path (relative to the synced roots).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Checksums {
    /// The algorithm both sides used (`None`: nothing was hashed).
    pub algorithm: Option<Algorithm>,
    pub verdicts: BTreeMap<String, Verdict>,
}

impl Checksums {
    /// The verdict on `path`, if it was hashed.
    pub fn get(&self, path: &str) -> Option<&Verdict> {
        self.verdicts.get(path)
    }

    /// The files without a verdict, and why: they are compared by size and time.
    pub fn unknown(&self) -> impl Iterator<Item = (&str, &str)> {
        self.verdicts.iter().filter_map(|(p, v)| match v {
            Verdict::Unknown(why) => Some((p.as_str(), why.as_str())),
            _ => None,
        })
    }
}

/// Why the checksums could not be had.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChecksumError {
    /// The server offers no checksum command; `features` is what its FEAT reply lists.
    #[error(
        "--compare checksum needs the server to compute checksums, and it offers none of HASH, XSHA256, XSHA512, XSHA1, XMD5, XCRC or SITE MD5 (its FEAT reply lists: {}); compare by size and time instead with --compare size-mtime",
        if features.is_empty() { "nothing".to_string() } else { features.join(", ") }
    )]
    NotOffered { features: Vec<String> },
    /// FEAT lists `command`, but the server refuses it whatever the file.
    #[error(
        "--compare checksum: the server lists {command} in its FEAT reply but refuses it ({reply}); compare by size and time instead with --compare size-mtime"
    )]
    CommandRefused { command: String, reply: String },
    #[error("cancelled")]
    Cancelled,
    #[error("{0}")]
    Failed(String),
}

/// What [`checksums`] compares.
#[derive(Debug, Clone, Copy)]
pub struct Job<'a> {
    pub profile: &'a Profile,
    pub local_root: &'a Path,
    /// The remote root, an absolute path.
    pub remote_root: &'a str,
    /// The scanned trees (which one is the source does not matter here).
    pub local: &'a Tree,
    pub remote: &'a Tree,
    /// Patterns left out (as the plan leaves them out).
    pub exclude: &'a [String],
    /// Connections to the server at once (at least one).
    pub workers: usize,
}

/// The files worth hashing: present as files on both sides, the same size, not excluded. Sizes
/// that differ already tell the files apart.
pub fn candidates(local: &Tree, remote: &Tree, exclude: &[String]) -> Vec<(String, u64)> {
    local
        .iter()
        .filter(|(path, l)| {
            !l.dir
                && !excluded(path, false, exclude)
                && remote
                    .get(*path)
                    .is_some_and(|r| !r.dir && r.size == l.size)
        })
        .map(|(path, l)| (path.clone(), l.size))
        .collect()
}

/// Check that the server on `conn` can compute checksums (and get it ready to), before
/// anything is scanned or changed.
pub fn check_offer(conn: &mut Connection) -> Result<Method, ChecksumError> {
    match hash::prepare(conn) {
        Ok(m) => Ok(m),
        Err(HashError::NotOffered) => Err(ChecksumError::NotOffered {
            features: hash::feature_names(conn),
        }),
        Err(e) => Err(ChecksumError::Failed(format!(
            "cannot choose a checksum algorithm: {e}"
        ))),
    }
}

/// Hash the [`candidates`] on both sides and compare: the server's digests are asked on
/// `job.workers` connections at once while the local files are read here. An empty file needs
/// no digest. `cancelled` is asked between files (and between buffers of a local file);
/// `progress(done, total)` is told each file whose two digests are in. Blocks until all are
/// in: run it on a background thread.
///
/// A file the server refuses (or whose local copy cannot be read) gets [`Verdict::Unknown`];
/// the connections failing, or the server offering no checksum command, is an error.
pub fn checksums(
    job: &Job,
    cancelled: &(dyn Fn() -> bool + Sync),
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Checksums, ChecksumError> {
    let mut first = connect::connect(job.profile, Default::default())
        .map_err(|e| ChecksumError::Failed(e.to_string()))?;
    let method = check_offer(&mut first)?;
    let algorithm = method.algorithm();
    let mut out = Checksums {
        algorithm: Some(algorithm),
        verdicts: BTreeMap::new(),
    };
    let (empty, mut files): (Vec<_>, Vec<_>) = candidates(job.local, job.remote, job.exclude)
        .into_iter()
        .partition(|(_, size)| *size == 0);
    out.verdicts
        .extend(empty.into_iter().map(|(p, _)| (p, Verdict::Same)));
    if files.is_empty() {
        let _ = first.ftp.quit();
        return Ok(out);
    }
    // The biggest last: workers pop from the end, so they start on them and finish together.
    files.sort_by_key(|(path, size)| (*size, std::cmp::Reverse(path.clone())));
    let total = files.len();
    let shared = Mutex::new(Shared {
        queue: files.clone(),
        remote: BTreeMap::new(),
        local: BTreeMap::new(),
        done: 0,
        failure: None,
    });
    let lock = || shared.lock().unwrap_or_else(|e| e.into_inner());
    // Record one side of `path`; tell the progress when both sides are in.
    let record = |path: String, remote_side: bool, result: Result<Vec<u8>, String>| {
        let done = {
            let mut guard = lock();
            let st = &mut *guard;
            let (this, other) = if remote_side {
                (&mut st.remote, &st.local)
            } else {
                (&mut st.local, &st.remote)
            };
            let both = other.contains_key(&path);
            this.insert(path, result);
            if both {
                st.done += 1;
                Some(st.done)
            } else {
                None
            }
        };
        if let Some(done) = done {
            progress(done, total);
        }
    };
    let work = |conn: &mut Connection, mut method: Method| {
        let mut reconnects = 0;
        loop {
            if cancelled() {
                return;
            }
            let next = {
                let mut st = lock();
                if st.failure.is_some() {
                    return;
                }
                st.queue.pop()
            };
            let Some((path, size)) = next else {
                return;
            };
            let remote_path = rpath::join(job.remote_root, &path);
            match hash::remote_digest(conn, method, &remote_path, reply_timeout(size)) {
                Ok((_, bytes)) => record(path, true, Ok(bytes)),
                Err(HashError::Remote(e)) => {
                    // The connection is out of step or gone: a fresh one goes on. A reply that
                    // never came leaves this file without; after a drop it is asked again.
                    if matches!(e, RemoteError::Timeout { .. }) {
                        record(path, true, Err(e.to_string()));
                    } else {
                        lock().queue.push((path, size));
                    }
                    reconnects += 1;
                    let fresh = (reconnects <= 3)
                        .then(|| connect::connect(job.profile, Default::default()).ok())
                        .flatten()
                        .and_then(|mut c| hash::prepare(&mut c).ok().map(|m| (c, m)));
                    match fresh {
                        Some((c, m)) => {
                            *conn = c;
                            method = m;
                        }
                        None => {
                            lock().failure = Some(ChecksumError::Failed(format!(
                                "lost the connection while asking for checksums: {e}"
                            )));
                            return;
                        }
                    }
                }
                Err(HashError::Unsupported { reply }) => {
                    lock().failure = Some(ChecksumError::CommandRefused {
                        command: method.command_name().to_string(),
                        reply,
                    });
                    return;
                }
                Err(e) => record(path, true, Err(format!("the server would not: {e}"))),
            }
        }
    };
    std::thread::scope(|s| {
        s.spawn(|| {
            for (path, _) in files.iter().rev() {
                if cancelled() || lock().failure.is_some() {
                    return;
                }
                let result = local_digest(&job.local_root.join(path), algorithm, cancelled)
                    .map_err(|e| format!("cannot read it here: {e}"));
                record(path.clone(), false, result);
            }
        });
        for _ in 1..job.workers.max(1).min(total) {
            s.spawn(|| {
                // A connection that cannot be made leaves the work to the others.
                let Ok(mut c) = connect::connect(job.profile, Default::default()) else {
                    return;
                };
                if let Ok(m) = hash::prepare(&mut c) {
                    work(&mut c, m);
                }
                let _ = c.ftp.quit();
            });
        }
        work(&mut first, method);
    });
    let _ = first.ftp.quit();
    if cancelled() {
        return Err(ChecksumError::Cancelled);
    }
    let mut st = shared.into_inner().unwrap_or_else(|e| e.into_inner());
    if let Some(failure) = st.failure {
        return Err(failure);
    }
    for (path, _) in files {
        let verdict = match (st.remote.remove(&path), st.local.remove(&path)) {
            (Some(Ok(r)), Some(Ok(l))) if r == l => Verdict::Same,
            (Some(Ok(_)), Some(Ok(_))) => Verdict::Differs,
            (Some(Err(why)), _) | (_, Some(Err(why))) => Verdict::Unknown(why),
            _ => {
                return Err(ChecksumError::Failed(format!(
                    "no checksum came for {}",
                    crate::sanitize::display_name(&path)
                )));
            }
        };
        out.verdicts.insert(path, verdict);
    }
    Ok(out)
}

/// What the hashing threads share.
struct Shared {
    /// Files not yet asked of the server, the next last.
    queue: Vec<(String, u64)>,
    remote: BTreeMap<String, Result<Vec<u8>, String>>,
    local: BTreeMap<String, Result<Vec<u8>, String>>,
    done: usize,
    failure: Option<ChecksumError>,
}

/// How long the server may take to answer for a file of `size` bytes: it reads it all first.
fn reply_timeout(size: u64) -> Duration {
    Duration::from_secs(60 + size / (8 << 20))
}

/// The digest of the local file at `path`, read in large buffers; `cancelled` is asked
/// between them.
pub fn local_digest(
    path: &Path,
    algorithm: Algorithm,
    cancelled: &dyn Fn() -> bool,
) -> Result<Vec<u8>, String> {
    let mut file =
        std::fs::File::open(path).map_err(|e| crate::local::plain_io_error(&e).to_string())?;
    let mut hasher = Hasher::new(algorithm);
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        if cancelled() {
            return Err("cancelled".into());
        }
        let n = match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(crate::local::plain_io_error(&e).to_string()),
        };
        hasher.update(&buf[..n]);
    }
    Ok(hasher.finish())
}

/// One running digest of any algorithm.
enum Hasher {
    Ring(ring::digest::Context),
    Md5(md5::Md5),
    Crc32(crc32fast::Hasher),
}

impl Hasher {
    fn new(algorithm: Algorithm) -> Hasher {
        use md5::Digest;
        let ring = |a| Hasher::Ring(ring::digest::Context::new(a));
        match algorithm {
            Algorithm::Sha256 => ring(&ring::digest::SHA256),
            Algorithm::Sha512 => ring(&ring::digest::SHA512),
            Algorithm::Sha1 => ring(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY),
            Algorithm::Md5 => Hasher::Md5(md5::Md5::new()),
            Algorithm::Crc32 => Hasher::Crc32(crc32fast::Hasher::new()),
        }
    }

    fn update(&mut self, data: &[u8]) {
        use md5::Digest;
        match self {
            Hasher::Ring(c) => c.update(data),
            Hasher::Md5(h) => h.update(data),
            Hasher::Crc32(h) => h.update(data),
        }
    }

    fn finish(self) -> Vec<u8> {
        use md5::Digest;
        match self {
            Hasher::Ring(c) => c.finish().as_ref().to_vec(),
            Hasher::Md5(h) => h.finalize().to_vec(),
            // Servers send the CRC as 8 hex digits, most significant first.
            Hasher::Crc32(h) => h.finalize().to_be_bytes().to_vec(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::Item;

    #[test]
    fn local_digests_match_the_known_values_of_each_algorithm() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.txt");
        std::fs::write(&file, b"hello world\n").unwrap();
        let never = || false;
        for (a, want) in [
            (
                Algorithm::Sha256,
                "a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447",
            ),
            (Algorithm::Sha1, "22596363b3de40b06f981fb85d82312e8c0ed511"),
            (Algorithm::Md5, "6f5902ac237024bdd0c176cb93063dc4"),
            (Algorithm::Crc32, "af083b2d"),
        ] {
            assert_eq!(
                hash::hex(&local_digest(&file, a, &never).unwrap()),
                want,
                "{a}"
            );
        }
        assert_eq!(
            local_digest(&file, Algorithm::Sha512, &never)
                .unwrap()
                .len(),
            64
        );
        assert!(local_digest(&dir.path().join("missing"), Algorithm::Md5, &never).is_err());
        assert_eq!(
            local_digest(&file, Algorithm::Md5, &|| true),
            Err("cancelled".to_string())
        );
    }

    #[test]
    fn only_files_of_the_same_size_on_both_sides_are_candidates() {
        let file = |size| Item {
            dir: false,
            size,
            mtime: Some(1),
        };
        let dir = Item {
            dir: true,
            size: 0,
            mtime: None,
        };
        let local: Tree = [
            ("same", file(3)),
            ("bigger", file(4)),
            ("only-here", file(3)),
            ("x.tmp", file(3)),
            ("d", dir),
            ("file-vs-dir", file(0)),
        ]
        .into_iter()
        .map(|(p, i)| (p.to_string(), i))
        .collect();
        let remote: Tree = [
            ("same", file(3)),
            ("bigger", file(3)),
            ("x.tmp", file(3)),
            ("d", dir),
            ("file-vs-dir", dir),
        ]
        .into_iter()
        .map(|(p, i)| (p.to_string(), i))
        .collect();
        assert_eq!(
            candidates(&local, &remote, &["*.tmp".to_string()]),
            [("same".to_string(), 3)]
        );
    }
}
