//! `ftpdeck sync SOURCE DEST`: one side a local directory, the other remote. Both trees are
//! scanned, compared into a plan, and the plan is carried out on the pool (or, with
//! `--dry-run`, printed and nothing changes).

use std::io::Write;
use std::path::PathBuf;

use super::{Common, Fatal, creds, parse_remote, target};
use crate::remote::{connect, ops, path as rpath};
use crate::sync::{self, Action, Options};
use crate::transfer::{Direction, Job, Task};

/// The sync's own options.
#[derive(Debug, Clone)]
pub struct SyncArgs {
    pub options: Options,
    pub dry_run: bool,
}

pub fn run(
    source: &str,
    dest: &str,
    args: &SyncArgs,
    common: &Common,
    config: &crate::config::Config,
) -> u8 {
    let prepared = super::run(common, || prepare(source, dest, args, common));
    let Prepared {
        profile,
        plan,
        upload,
        local_root,
        remote_root,
        mut conn,
        spare,
    } = match prepared {
        Ok(p) => p,
        Err(code) => return code,
    };
    if args.dry_run {
        let _ = conn.ftp.quit();
        for mut c in spare {
            let _ = c.ftp.quit();
        }
        print_plan(&plan, common);
        return super::OK;
    }
    // Directories first (on this side of the pool: they are quick), then copies and deletes.
    let mut jobs = Vec::new();
    // A directory's delete takes its contents: those are not deleted on their own (the plan
    // lists a directory after its contents).
    let deleted_dirs: Vec<String> = plan
        .iter()
        .filter_map(|a| match a {
            Action::Delete { path, dir: true } => Some(path.clone()),
            _ => None,
        })
        .collect();
    let mut next = 0u64;
    let mut id = || {
        next += 1;
        next
    };
    for action in &plan {
        match action {
            Action::Mkdir { path, to_dest } => {
                let remote_side = *to_dest == upload;
                let result = if remote_side {
                    ops::ensure_dir(&mut conn, &rpath::join(&remote_root, path), 30)
                        .map_err(|e| e.to_string())
                } else {
                    std::fs::create_dir_all(local_root.join(path)).map_err(|e| e.to_string())
                };
                if let Err(e) = result {
                    super::report::fatal(&format!("cannot create {path}: {e}"), common);
                    return super::SOME_FAILED;
                }
            }
            Action::Copy {
                path,
                size,
                to_dest,
                reason,
                mtime,
            } => {
                let direction = if *to_dest == upload {
                    Direction::Upload
                } else {
                    Direction::Download
                };
                jobs.push(Job {
                    on_exists: Some(crate::transfer::Resolution::Overwrite),
                    size: Some(*size),
                    mtime: *mtime,
                    // The scan found nothing there: no need to ask the server again.
                    known_absent: *reason == sync::Reason::Missing,
                    ..Job::new(
                        id(),
                        direction,
                        rpath::join(&remote_root, path),
                        local_root.join(path),
                        false,
                    )
                });
            }
            Action::Delete { path, dir } => {
                if deleted_dirs
                    .iter()
                    .any(|d| path.starts_with(&format!("{d}/")))
                {
                    continue;
                }
                jobs.push(if upload {
                    Job::remote_task(id(), Task::Delete, rpath::join(&remote_root, path), *dir)
                } else {
                    Job::local_task(id(), Task::Delete, local_root.join(path), *dir)
                });
            }
            Action::Conflict { path } => {
                let _ = writeln!(
                    std::io::stderr().lock(),
                    "conflict {path}: both sides changed; left alone"
                );
            }
        }
    }
    let mut connections = spare;
    connections.push(conn);
    if jobs.is_empty() {
        for mut c in connections {
            let _ = c.ftp.quit();
        }
        if !common.quiet {
            let _ = writeln!(std::io::stderr().lock(), "already in step");
        }
        let summary = super::Summary::default();
        super::report::Reporter::new(common).summary(&summary);
        return super::OK;
    }
    // The scan's connections carry the copies: no second login.
    super::transfer_all(profile, jobs, connections, common, config)
}

/// A scanned sync, ready to run.
struct Prepared {
    profile: crate::remote::Profile,
    plan: Vec<Action>,
    upload: bool,
    local_root: PathBuf,
    remote_root: String,
    /// The connection the scan began on, and the extra ones it made.
    conn: crate::remote::connect::Connection,
    spare: Vec<crate::remote::connect::Connection>,
}

fn prepare(source: &str, dest: &str, args: &SyncArgs, common: &Common) -> Result<Prepared, Fatal> {
    let (remote_spec, local, upload) =
        match (target::looks_remote(source), target::looks_remote(dest)) {
            (false, true) => (dest, source, true),
            (true, false) => (source, dest, false),
            _ => {
                return Err(Fatal(
                    "sync needs one local directory and one remote (ftp://… or BOOKMARK:/path)"
                        .into(),
                ));
            }
        };
    let t = parse_remote(remote_spec)?;
    let path = t.path.clone();
    let mut profile = creds::complete(t, common)?;
    if common.active {
        profile.data_mode = crate::remote::DataMode::Active;
    }
    let local_root = PathBuf::from(local);
    if upload && !local_root.is_dir() {
        return Err(Fatal(format!("{local} is not a directory")));
    }
    let mut conn = connect::connect(&profile, Default::default()).map_err(super::connect_failed)?;
    if args.options.compare == sync::Compare::Checksum {
        sync::checksum::check_offer(&mut conn)?; // before anything is scanned or changed
    }
    let remote_root = rpath::start_dir(&conn.home, &path);
    let quiet = common.quiet;
    let remote_kind = ops::probe(&mut conn, &remote_root, 30)?;
    match remote_kind {
        Some(crate::entry::EntryKind::Dir) => {}
        None if upload => {}
        None => {
            return Err(Fatal(format!(
                "{}: no such directory on the server",
                crate::sanitize::display_name(&remote_root)
            )));
        }
        Some(_) => {
            return Err(Fatal(format!(
                "{} is a file on the server, not a directory",
                crate::sanitize::display_name(&remote_root)
            )));
        }
    }
    if !local_root.is_dir() {
        std::fs::create_dir_all(&local_root)
            .map_err(|e| Fatal(format!("cannot create {local}: {e}")))?;
    }
    // Both sides at once, the server on several connections; a count every 1,000 entries.
    let last = std::sync::Mutex::new(0u64);
    let seen = |l: sync::Seen, r: sync::Seen| {
        let n = l.dirs + l.files + r.dirs + r.files;
        let mut last = last.lock().unwrap_or_else(|e| e.into_inner());
        if !quiet && n / 1000 > *last / 1000 {
            *last = n;
            let _ = writeln!(
                std::io::stderr().lock(),
                "scanning: {} here, {} on the server",
                l.words(),
                r.words()
            );
        }
    };
    let opts = crate::remote::tree::WalkOptions {
        prefer_mlsd: true,
        max_depth: crate::safety::DEFAULT_MAX_DEPTH,
        timeout_secs: 30,
    };
    let exists = remote_kind.is_some().then_some(remote_root.as_str());
    let interrupted = super::interrupted_flag();
    let cancelled = || interrupted.load(std::sync::atomic::Ordering::Relaxed);
    let mut spare = Vec::new();
    let scanned = sync::scan_both(
        &mut conn,
        &profile,
        &local_root,
        exists,
        opts,
        common.parallel,
        &cancelled,
        &seen,
        &mut spare,
    )
    .map_err(|e| match e {
        sync::ScanError::Cancelled => Fatal("interrupted while scanning".into()),
        sync::ScanError::Failed(e) => Fatal(format!("reading the trees: {e}")),
    })?;
    if upload && remote_kind.is_none() {
        ops::ensure_dir(&mut conn, &remote_root, 30)?;
    }
    let (local_tree, remote_tree) = (scanned.local, scanned.remote);
    let (src, dst) = if upload {
        (&local_tree, &remote_tree)
    } else {
        (&remote_tree, &local_tree)
    };
    let plan = if args.options.compare == sync::Compare::Checksum {
        let sums = checksums(
            &profile,
            &local_root,
            &remote_root,
            &local_tree,
            &remote_tree,
            args,
            common,
        )?;
        sync::plan_with(src, dst, &args.options, &sums)
    } else {
        let (doubt_local, doubt_remote) = sync::doubts(&local_tree, &remote_tree, &args.options);
        let can_hash = conn.features.hash.best().is_some();
        if doubt_local.is_empty() || !can_hash {
            sync::plan(src, dst, &args.options)
        } else {
            // Both ways, same sizes, other times: the contents decide where the server can tell.
            match checksums(
                &profile,
                &local_root,
                &remote_root,
                &doubt_local,
                &doubt_remote,
                args,
                common,
            ) {
                Ok(sums) => sync::plan_with(src, dst, &args.options, &sums),
                Err(Fatal(why)) => {
                    if !common.quiet {
                        let _ = writeln!(
                            std::io::stderr().lock(),
                            "no checksums ({why}); the newer time decides"
                        );
                    }
                    sync::plan(src, dst, &args.options)
                }
            }
        }
    };
    Ok(Prepared {
        profile,
        plan,
        upload,
        local_root,
        remote_root,
        conn,
        spare,
    })
}

/// `--compare checksum`: the digests of the files both sides have with one size, each file
/// without one said on stderr (it is compared by size and time).
fn checksums(
    profile: &crate::remote::Profile,
    local_root: &std::path::Path,
    remote_root: &str,
    local_tree: &sync::Tree,
    remote_tree: &sync::Tree,
    args: &SyncArgs,
    common: &Common,
) -> Result<sync::Checksums, Fatal> {
    let job = sync::checksum::Job {
        profile,
        local_root,
        remote_root,
        local: local_tree,
        remote: remote_tree,
        exclude: &args.options.exclude,
        workers: common.parallel,
    };
    let quiet = common.quiet;
    let progress = |done: usize, total: usize| {
        if !quiet && done % 100 == 0 {
            let _ = writeln!(
                std::io::stderr().lock(),
                "comparing checksums: {done} of {total} files"
            );
        }
    };
    let sums = sync::checksums(&job, &|| false, &progress)?;
    if !quiet {
        let mut err = std::io::stderr().lock();
        for (path, why) in sums.unknown() {
            let _ = writeln!(
                err,
                "no checksum for {}: {why}; compared by size and time",
                crate::sanitize::display_name(path)
            );
        }
    }
    Ok(sums)
}

fn print_plan(plan: &[Action], common: &Common) {
    if common.json {
        let text = serde_json::json!({ "plan": plan }).to_string();
        let _ = writeln!(std::io::stdout().lock(), "{text}");
        return;
    }
    let mut out = std::io::stdout().lock();
    for a in plan {
        let _ = writeln!(out, "{}", a.line());
    }
    if !common.quiet {
        let _ = writeln!(
            std::io::stderr().lock(),
            "{} (dry run: nothing changed)",
            crate::words::count(plan.len(), "action", "actions")
        );
    }
}
