//! Keeping a local tree and a server in step: scan both sides, compare, and make a plan of
//! actions that changes nothing until it is carried out (as copies and deletes on the pool).

pub mod checksum;
mod scan;

use std::collections::{BTreeMap, BTreeSet};

pub use checksum::{Checksums, Verdict, checksums};
pub use scan::{
    ScanError, Scanned, Seen, scan_both, scan_local, scan_remote, scan_remote_parallel,
};

/// One file or directory of a scanned tree, by its path relative to the root (`a/b.txt`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Item {
    pub dir: bool,
    pub size: u64,
    pub mtime: Option<i64>,
}

/// A scanned tree.
pub type Tree = BTreeMap<String, Item>;

/// What counts as different.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compare {
    /// Size, and modification time within the tolerance (the default).
    SizeMtime,
    Size,
    /// Size, then the contents' digests from both sides ([`checksums`]): equal digests are in
    /// step whatever the times; a file without a digest falls back to size and time.
    Checksum,
}

impl Compare {
    pub fn parse(s: &str) -> Option<Compare> {
        match s {
            "size-mtime" => Some(Compare::SizeMtime),
            "size" => Some(Compare::Size),
            "checksum" => Some(Compare::Checksum),
            _ => None,
        }
    }
}

/// How to compare and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    pub compare: Compare,
    /// Seconds two times may differ and still be the same (servers list minutes or dates).
    pub mtime_tolerance: i64,
    /// Delete what the destination has and the source does not.
    pub delete: bool,
    /// Both ways: newer wins, nothing is deleted.
    pub both: bool,
    /// Patterns (`*.tmp`, `.git/` for a directory) left out on both sides.
    pub exclude: Vec<String>,
}

/// Why a file is copied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    Missing,
    SizeDiffers,
    Newer,
    /// Same size, different digests (`--compare checksum`).
    ChecksumDiffers,
}

/// One action of a plan. Paths are relative to the synced roots.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "action", rename_all = "kebab-case")]
pub enum Action {
    /// Copy a file from the source side to the destination side (in `both` mode: from the
    /// side `to_dest` says).
    Copy {
        path: String,
        size: u64,
        reason: Reason,
        /// True: source to destination; false (both-ways only): destination to source.
        to_dest: bool,
        /// The copied side's modification time (the copy gets it, so the next run finds the
        /// two sides in step).
        #[serde(skip_serializing_if = "Option::is_none")]
        mtime: Option<i64>,
    },
    /// Make a directory that only the other side has.
    Mkdir { path: String, to_dest: bool },
    /// Delete from the destination what the source does not have.
    Delete { path: String, dir: bool },
    /// Both sides changed and nothing tells which is newer (both-ways only): left alone.
    Conflict { path: String },
}

impl Action {
    pub fn path(&self) -> &str {
        match self {
            Action::Copy { path, .. }
            | Action::Mkdir { path, .. }
            | Action::Delete { path, .. }
            | Action::Conflict { path } => path,
        }
    }

    /// One line for `--dry-run`.
    pub fn line(&self) -> String {
        match self {
            Action::Copy {
                path,
                size,
                reason,
                to_dest,
                ..
            } => format!(
                "{} {path} ({}, {})",
                if *to_dest { "copy" } else { "copy back" },
                crate::words::human_size(*size),
                match reason {
                    Reason::Missing => "missing",
                    Reason::SizeDiffers => "size differs",
                    Reason::Newer => "newer",
                    Reason::ChecksumDiffers => "checksum differs",
                }
            ),
            Action::Mkdir { path, .. } => format!("mkdir {path}/"),
            Action::Delete { path, dir } => {
                format!("delete {path}{}", if *dir { "/" } else { "" })
            }
            Action::Conflict { path } => format!("conflict {path} (both changed; left alone)"),
        }
    }
}

/// Whether `path` (relative, `/`-separated) is excluded: a pattern matches any component's
/// name; one ending in `/` matches directories only.
pub fn excluded(path: &str, dir: bool, patterns: &[String]) -> bool {
    let parts: Vec<&str> = path.split('/').collect();
    patterns.iter().any(|p| {
        let (pat, dirs_only) = match p.strip_suffix('/') {
            Some(d) => (d, true),
            None => (p.as_str(), false),
        };
        parts.iter().enumerate().any(|(i, name)| {
            let is_dir = i + 1 < parts.len() || dir;
            (!dirs_only || is_dir) && crate::app::dialog::glob_match(pat, name)
        })
    })
}

/// Same modification time, within `tolerance`; a time at UTC midnight (a date-only listing)
/// is the same as any time of that day.
fn same_time(a: i64, b: i64, tolerance: i64) -> bool {
    const DAY: i64 = 86_400;
    if a.rem_euclid(DAY) == 0 || b.rem_euclid(DAY) == 0 {
        return a.div_euclid(DAY) == b.div_euclid(DAY);
    }
    // A time listed in minutes: any second of that minute.
    let tolerance = if a % 60 == 0 || b % 60 == 0 {
        tolerance.max(59)
    } else {
        tolerance
    };
    (a - b).abs() <= tolerance
}

/// Compare two scanned trees into a plan: directories to make first, then copies, then deletes
/// (contents before their directory). Without digests, `--compare checksum` compares by size
/// and time: see [`plan_with`].
pub fn plan(source: &Tree, dest: &Tree, opts: &Options) -> Vec<Action> {
    plan_with(source, dest, opts, &Checksums::default())
}

/// The files both ways would copy only because their times differ: present on both sides with
/// one size, not excluded, times apart by more than the tolerance. A copy to a server that
/// cannot set a file's time (no MFMT, no MDTM with a time) gets the upload's time, so without
/// a look at the contents the next run would send it back: where the server computes
/// checksums, these are hashed and equal digests make them in step. The two sub-trees (local,
/// remote) to hash.
pub fn doubts(local: &Tree, remote: &Tree, opts: &Options) -> (Tree, Tree) {
    let (mut l, mut r) = (Tree::new(), Tree::new());
    if !opts.both || opts.compare != Compare::SizeMtime {
        return (l, r);
    }
    for (path, a) in local {
        let Some(b) = remote.get(path) else { continue };
        if a.dir || b.dir || a.size != b.size || excluded(path, false, &opts.exclude) {
            continue;
        }
        if let (Some(x), Some(y)) = (a.mtime, b.mtime) {
            if !same_time(x, y, opts.mtime_tolerance) {
                l.insert(path.clone(), *a);
                r.insert(path.clone(), *b);
            }
        }
    }
    (l, r)
}

/// [`plan`], with the digests [`checksums`] found deciding for files of the same size (when
/// `opts.compare` is [`Compare::Checksum`], and for the [`doubts`] of both ways).
pub fn plan_with(source: &Tree, dest: &Tree, opts: &Options, sums: &Checksums) -> Vec<Action> {
    let keep = |path: &str, item: &Item| !excluded(path, item.dir, &opts.exclude);
    let mut mkdirs = Vec::new();
    let mut copies = Vec::new();
    let mut deletes = Vec::new();
    let paths: BTreeSet<&String> = source.keys().chain(dest.keys()).collect();
    for path in paths {
        let (s, d) = (source.get(path), dest.get(path));
        match (s, d) {
            (Some(s), _) if !keep(path, s) => {}
            (_, Some(d)) if !keep(path, d) => {}
            (Some(s), None) if s.dir => mkdirs.push(Action::Mkdir {
                path: path.clone(),
                to_dest: true,
            }),
            (Some(s), None) => copies.push(Action::Copy {
                path: path.clone(),
                size: s.size,
                reason: Reason::Missing,
                to_dest: true,
                mtime: s.mtime,
            }),
            (None, Some(d)) if opts.both && d.dir => mkdirs.push(Action::Mkdir {
                path: path.clone(),
                to_dest: false,
            }),
            (None, Some(d)) if opts.both => copies.push(Action::Copy {
                path: path.clone(),
                size: d.size,
                reason: Reason::Missing,
                to_dest: false,
                mtime: d.mtime,
            }),
            (None, Some(d)) if opts.delete => deletes.push(Action::Delete {
                path: path.clone(),
                dir: d.dir,
            }),
            (None, _) => {}
            (Some(s), Some(d)) if s.dir && d.dir => {}
            (Some(s), Some(d)) if s.dir != d.dir => {
                // A file on one side, a directory on the other: never replaced silently.
                copies.push(Action::Conflict { path: path.clone() });
            }
            (Some(s), Some(d)) => {
                if let Some(a) = compare_files(path, s, d, opts, sums.get(path)) {
                    copies.push(a);
                }
            }
        }
    }
    // A directory that holds an excluded entry stays (with it); the rest of its contents go.
    if !deletes.is_empty() && !opts.exclude.is_empty() {
        let mut keep_dirs = BTreeSet::new();
        for path in dest.iter().filter(|(p, d)| !keep(p, d)).map(|(p, _)| p) {
            let mut p = path.as_str();
            while let Some(i) = p.rfind('/') {
                p = &p[..i];
                keep_dirs.insert(p.to_string());
            }
        }
        deletes.retain(
            |a| !matches!(a, Action::Delete { path, dir: true } if keep_dirs.contains(path)),
        );
    }
    // Deepest first, so a directory goes after its contents.
    deletes.sort_by(|a, b| b.path().cmp(a.path()));
    let mut out = mkdirs;
    out.extend(copies);
    out.extend(deletes);
    out
}

fn compare_files(
    path: &str,
    s: &Item,
    d: &Item,
    opts: &Options,
    verdict: Option<&Verdict>,
) -> Option<Action> {
    let same_size = s.size == d.size;
    // The digests decide for files of one size; without a verdict, size and time do.
    let digests_differ = match (opts.compare, verdict) {
        // Equal digests are equal files, whatever the times say (both ways asks for them when
        // times differ, see [`doubts`]).
        (_, Some(Verdict::Same)) if same_size => return None,
        (Compare::Checksum, Some(Verdict::Differs)) => same_size,
        _ => false,
    };
    let times = (s.mtime, d.mtime);
    let same_mtime = match times {
        (Some(a), Some(b)) => same_time(a, b, opts.mtime_tolerance),
        _ => true, // nothing to compare: the size decides
    };
    let copy = |reason, to_dest: bool, size| Action::Copy {
        path: path.to_string(),
        size,
        reason,
        to_dest,
        mtime: if to_dest { s.mtime } else { d.mtime },
    };
    if opts.both {
        if !digests_differ && same_size && (opts.compare == Compare::Size || same_mtime) {
            return None;
        }
        // The newer side wins; times that do not tell make a conflict.
        let reason = if digests_differ {
            Reason::ChecksumDiffers
        } else {
            Reason::Newer
        };
        return match times {
            (Some(a), Some(b)) if !same_time(a, b, opts.mtime_tolerance) && a > b => {
                Some(copy(reason, true, s.size))
            }
            (Some(a), Some(b)) if !same_time(a, b, opts.mtime_tolerance) && b > a => {
                Some(copy(reason, false, d.size))
            }
            _ => Some(Action::Conflict {
                path: path.to_string(),
            }),
        };
    }
    if !same_size {
        return Some(copy(Reason::SizeDiffers, true, s.size));
    }
    if digests_differ {
        return Some(copy(Reason::ChecksumDiffers, true, s.size));
    }
    if opts.compare != Compare::Size && !same_mtime {
        if let (Some(a), Some(b)) = times {
            if a > b {
                return Some(copy(Reason::Newer, true, s.size));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(size: u64, mtime: i64) -> Item {
        Item {
            dir: false,
            size,
            mtime: Some(mtime),
        }
    }

    const DIR: Item = Item {
        dir: true,
        size: 0,
        mtime: None,
    };

    fn opts() -> Options {
        Options {
            compare: Compare::SizeMtime,
            mtime_tolerance: 2,
            delete: false,
            both: false,
            exclude: vec![],
        }
    }

    #[test]
    fn both_ways_doubts_only_same_sized_files_whose_times_differ_and_equal_digests_settle_them() {
        let t = 1_700_000_000;
        let local: Tree = [
            ("same.txt".to_string(), file(5, t)),
            ("later.txt".to_string(), file(5, t + 600)),
            ("bigger.txt".to_string(), file(9, t + 600)),
            ("x.tmp".to_string(), file(5, t + 600)),
        ]
        .into();
        let remote: Tree = [
            ("same.txt".to_string(), file(5, t + 1)),
            ("later.txt".to_string(), file(5, t)),
            ("bigger.txt".to_string(), file(5, t)),
            ("x.tmp".to_string(), file(5, t)),
        ]
        .into();
        let both = Options {
            both: true,
            exclude: vec!["*.tmp".into()],
            ..opts()
        };
        let (l, r) = doubts(&local, &remote, &both);
        assert_eq!(l.keys().collect::<Vec<_>>(), ["later.txt"]);
        assert_eq!(r.keys().collect::<Vec<_>>(), ["later.txt"]);
        assert!(
            doubts(&local, &remote, &opts()).0.is_empty(),
            "one way: none"
        );
        let mut sums = Checksums::default();
        sums.verdicts.insert("later.txt".into(), Verdict::Same);
        let paths: Vec<String> = plan_with(&local, &remote, &both, &sums)
            .iter()
            .map(|a| a.path().to_string())
            .collect();
        assert_eq!(paths, ["bigger.txt"], "later.txt holds the same bytes");
    }

    fn tree(items: &[(&str, Item)]) -> Tree {
        items.iter().map(|(p, i)| (p.to_string(), *i)).collect()
    }

    #[test]
    fn a_plan_copies_what_is_missing_differs_or_is_newer_and_deletes_only_when_asked() {
        let t = 1_700_000_123;
        let src = tree(&[
            ("a.txt", file(1, t)),
            ("same.txt", file(5, t)),
            ("bigger.txt", file(9, t)),
            ("newer.txt", file(5, t + 100)),
            ("sub", DIR),
            ("sub/x", file(3, t)),
            ("skew.txt", file(5, t + 1)),
        ]);
        let dst = tree(&[
            ("same.txt", file(5, t)),
            ("bigger.txt", file(8, t)),
            ("newer.txt", file(5, t)),
            ("skew.txt", file(5, t)),
            ("old", DIR),
            ("old/y", file(1, t)),
        ]);
        let p = plan(&src, &dst, &opts());
        let lines: Vec<String> = p.iter().map(Action::line).collect();
        assert_eq!(
            lines,
            [
                "mkdir sub/",
                "copy a.txt (1 B, missing)",
                "copy bigger.txt (9 B, size differs)",
                "copy newer.txt (5 B, newer)",
                "copy sub/x (3 B, missing)",
            ]
        );
        let p = plan(
            &src,
            &dst,
            &Options {
                delete: true,
                ..opts()
            },
        );
        let deletes: Vec<String> = p
            .iter()
            .filter(|a| matches!(a, Action::Delete { .. }))
            .map(Action::line)
            .collect();
        assert_eq!(deletes, ["delete old/y", "delete old/"], "contents first");
    }

    #[test]
    fn minute_and_date_only_listings_do_not_make_every_file_look_changed() {
        let local = 1_700_000_123; // 2023-11-14 22:15:23
        assert!(same_time(local, local - 23, 2), "listed to the minute");
        let midnight = local - local.rem_euclid(86_400);
        assert!(same_time(local, midnight, 2), "listed as a date");
        assert!(!same_time(local, local - 86_400, 2));
        assert!(!same_time(local, local - 5, 2));
    }

    #[test]
    fn both_ways_newer_wins_nothing_is_deleted_and_a_tie_is_a_conflict() {
        let t = 1_700_000_123;
        let a = tree(&[
            ("l.txt", file(1, t)),
            ("both", file(2, t + 100)),
            ("tie", file(1, t)),
        ]);
        let b = tree(&[
            ("r.txt", file(1, t)),
            ("both", file(3, t)),
            ("tie", file(2, t)),
        ]);
        let p = plan(
            &a,
            &b,
            &Options {
                both: true,
                delete: true,
                ..opts()
            },
        );
        let lines: Vec<String> = p.iter().map(Action::line).collect();
        assert_eq!(
            lines,
            [
                "copy both (2 B, newer)",
                "copy l.txt (1 B, missing)",
                "copy back r.txt (1 B, missing)",
                "conflict tie (both changed; left alone)",
            ]
        );
    }

    #[test]
    fn digests_decide_for_files_of_one_size_and_times_only_pick_the_direction() {
        let t = 1_700_000_123;
        let src = tree(&[
            ("same-old", file(5, t - 1000)),
            ("differs", file(5, t)),
            ("differs-newer-dest", file(5, t)),
            ("unknown-newer", file(5, t + 100)),
            ("bigger", file(9, t)),
        ]);
        let dst = tree(&[
            ("same-old", file(5, t)),
            ("differs", file(5, t)),
            ("differs-newer-dest", file(5, t + 100)),
            ("unknown-newer", file(5, t)),
            ("bigger", file(8, t)),
        ]);
        let sums = Checksums {
            algorithm: Some(crate::remote::hash::Algorithm::Sha256),
            verdicts: [
                ("same-old", Verdict::Same),
                ("differs", Verdict::Differs),
                ("differs-newer-dest", Verdict::Differs),
                ("unknown-newer", Verdict::Unknown("550".into())),
            ]
            .into_iter()
            .map(|(p, v)| (p.to_string(), v))
            .collect(),
        };
        let checksum = Options {
            compare: Compare::Checksum,
            ..opts()
        };
        let lines = |o: &Options| -> Vec<String> {
            plan_with(&src, &dst, o, &sums)
                .iter()
                .map(Action::line)
                .collect()
        };
        assert_eq!(
            lines(&checksum),
            [
                "copy bigger (9 B, size differs)",
                "copy differs (5 B, checksum differs)",
                "copy differs-newer-dest (5 B, checksum differs)",
                "copy unknown-newer (5 B, newer)",
            ]
        );
        let both = Options {
            both: true,
            ..checksum.clone()
        };
        assert_eq!(
            lines(&both),
            [
                "conflict bigger (both changed; left alone)",
                "conflict differs (both changed; left alone)",
                "copy back differs-newer-dest (5 B, checksum differs)",
                "copy unknown-newer (5 B, newer)",
            ]
        );
        // Without digests, checksum compares as size-mtime does.
        assert_eq!(
            plan(&src, &dst, &checksum),
            plan(&src, &dst, &opts()),
            "plan without digests"
        );
    }

    #[test]
    fn excludes_match_names_and_directories() {
        let ex = vec!["*.tmp".to_string(), ".git/".to_string()];
        assert!(excluded("a/b.tmp", false, &ex));
        assert!(excluded(".git/config", false, &ex));
        assert!(excluded(".git", true, &ex));
        assert!(
            !excluded(".git", false, &ex),
            "a file named .git is not the directory"
        );
        assert!(!excluded("src/main.rs", false, &ex));
    }

    #[test]
    fn a_delete_keeps_a_directory_that_holds_an_excluded_entry() {
        let src = tree(&[]);
        let dir = Item {
            dir: true,
            size: 0,
            mtime: None,
        };
        let dst = tree(&[
            ("logs", dir),
            ("logs/a.log", file(1, 0)),
            ("logs/b.txt", file(1, 0)),
            ("old", dir),
            ("old/c.txt", file(1, 0)),
        ]);
        let o = Options {
            delete: true,
            exclude: vec!["*.log".into()],
            ..opts()
        };
        let lines: Vec<String> = plan(&src, &dst, &o).iter().map(Action::line).collect();
        assert_eq!(
            lines,
            ["delete old/c.txt", "delete old/", "delete logs/b.txt"],
            "logs/ stays with its excluded a.log"
        );
    }
}
