//! How much memory `ftpdeck serve` needs with many clients at once: [`CLIENTS`] curl processes
//! download the same file together from a fresh server, and the server's peak resident memory
//! (VmHWM in /proc/PID/status) is read once they are done. A figure set beside a target, not an
//! assertion: the bench goes on whatever it is.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::Barrier;

use super::ctx::{self, Ctx};
use super::fixtures;
use super::report::{Goal, How, Measure, Row};
use super::servers::Server;
use super::{human_bytes, sysinfo, tools};

pub const CLIENTS: usize = 50;
/// The peak the figure is compared with.
pub const TARGET_BYTES: u64 = 200_000_000;
/// Passive port ranges of 40 for the server: room for every client's data connection.
const PASV_SLOTS: usize = 5;
pub const LABEL: &str = "ftpdeck serve memory";

pub fn serve_memory(c: &Ctx) -> Vec<Row> {
    let size = c.settings.sizes.serve_file;
    let contender = format!(
        "ftpdeck serve, {CLIENTS} curl clients downloading one {} file at once",
        human_bytes(size)
    );
    println!("\n## {LABEL}: {contender}");
    let failed = |why: String| {
        println!("  FAILED: {why}");
        vec![Row::new(LABEL, "embedded", &contender, Measure::Failed(why)).how(How::Server)]
    };
    if !c.have.curl {
        return failed("curl is not installed".into());
    }
    let dir = c.base.join("serve-memory");
    let files = dir.join("files");
    if let Err(e) = std::fs::create_dir_all(&files)
        .and_then(|()| fixtures::write_big(&files.join("mem.bin"), size, &c.fx.block))
    {
        return failed(format!("making the file: {e}"));
    }
    let (mut peaks, mut before) = (Vec::new(), Vec::new());
    let mut shown = None;
    for run in 1..=c.settings.runs {
        let root = dir.join(format!("root-{run}"));
        let result = one_run(c, &root, &files, size, &mut shown);
        let _ = ctx::remove(&root);
        match result {
            Ok((idle, peak)) => {
                println!(
                    "  run {run}/{}: VmHWM {peak} KiB ({idle} KiB before the clients)",
                    c.settings.runs
                );
                peaks.push(peak);
                before.push(idle);
            }
            Err(why) => return failed(why),
        }
    }
    let _ = ctx::remove(&dir);
    let idle_mb = before
        .iter()
        .max()
        .map_or(0.0, |k| (*k * 1024) as f64 / 1e6);
    let mut row = Row::new(
        LABEL,
        "embedded",
        &contender,
        Measure::Memory { kib: peaks },
    )
    .how(How::Server)
    .goal(Goal::PeakBelowBytes(TARGET_BYTES))
    .note(format!(
        "VmHWM of the serve process, largest of the runs; {idle_mb:.1} MB before the clients"
    ));
    row.command = shown;
    vec![row]
}

/// A fresh server on `root` (the file linked in), every client at once, then the server's
/// VmHWM: (before the clients, after them), KiB.
fn one_run(
    c: &Ctx,
    root: &Path,
    files: &Path,
    size: u64,
    shown: &mut Option<String>,
) -> Result<(u64, u64), String> {
    let server = Server::embedded_with(c.binary, root, files, &c.home, PASV_SLOTS)?;
    let pid = server.pid().ok_or("no ftpdeck serve process")?;
    let hwm = || {
        sysinfo::memory_kib(pid)
            .map(|(hwm, _)| hwm)
            .ok_or_else(|| format!("cannot read /proc/{pid}/status"))
    };
    let idle = hwm()?;
    let login = &server.login;
    let make = || {
        let mut cmd = Command::new("curl");
        cmd.args(["-q", "-sS", "--max-time", "600", "-o", "/dev/null"])
            .args(["-w", "%{size_download}"])
            .arg(login.url("/mem.bin"));
        tools::private(&mut cmd, &c.home);
        cmd
    };
    shown.get_or_insert_with(|| {
        format!(
            "{} × {CLIENTS} at once",
            tools::shown(&make(), &login.password, &c.base)
        )
    });
    // Every client thread waits at the barrier, so that the processes start together.
    let start = Barrier::new(CLIENTS);
    let outputs: Vec<Result<Output, String>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..CLIENTS)
            .map(|_| {
                s.spawn(|| {
                    let mut cmd = make();
                    cmd.stdin(Stdio::null());
                    start.wait();
                    cmd.output().map_err(|e| format!("cannot run curl: {e}"))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err("a client thread panicked".into()))
            })
            .collect()
    });
    let results: Vec<Result<String, String>> = outputs
        .into_iter()
        .map(|o| {
            let o = o?;
            if o.status.success() {
                Ok(String::from_utf8_lossy(&o.stdout).into_owned())
            } else {
                Err(String::from_utf8_lossy(&o.stderr).trim().to_string())
            }
        })
        .collect();
    check_clients(&results, size)?;
    let peak = hwm()?;
    Ok((idle, peak))
}

/// Every client exited 0 and says (`-w %{size_download}`) that it got `size` bytes; else how
/// many did not, and the first reason.
pub fn check_clients(results: &[Result<String, String>], size: u64) -> Result<(), String> {
    let bad: Vec<String> = results
        .iter()
        .filter_map(|r| match r {
            Ok(out) if out.trim().parse::<u64>() == Ok(size) => None,
            Ok(out) => Some(format!("got {} bytes, not {size}", out.trim())),
            Err(why) => Some(why.clone()),
        })
        .collect();
    match bad.first() {
        None => Ok(()),
        Some(first) => Err(format!(
            "{} of {} clients failed; the first: {first}",
            bad.len(),
            results.len()
        )),
    }
}

pub fn tests() -> Vec<super::Case> {
    vec![super::case(
        "serve_memory: every client must report the whole file",
        || {
            let ok = |s: &str| Ok::<String, String>(s.into());
            assert_eq!(check_clients(&[ok("1024"), ok("1024\n")], 1024), Ok(()));
            let err = check_clients(&[ok("1024"), ok("512"), Err("curl: (28)".into())], 1024)
                .unwrap_err();
            assert!(err.starts_with("2 of 3 clients failed"), "{err}");
            assert!(err.contains("got 512 bytes, not 1024"), "{err}");
            assert!(check_clients(&[ok("")], 1).is_err());
            assert_eq!(check_clients(&[], 1), Ok(()));
        },
    )]
}
