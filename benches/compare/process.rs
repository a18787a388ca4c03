//! Run a contender as a process and measure it the same way for everyone: wall time from spawn
//! to exit, and the user and system CPU time the kernel accounted to it (its threads and any
//! children it waited for), from `wait4`.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// One finished run.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// Spawn to exit, seconds.
    pub wall: f64,
    /// CPU seconds in user mode, and in the kernel on its behalf; `None` when not measured
    /// (work done inside the bench process).
    pub cpu: Option<Cpu>,
    /// CPU seconds the server's processes used during the run (`None`: not measured).
    pub server_cpu: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cpu {
    pub user: f64,
    pub sys: f64,
}

impl Cpu {
    pub fn total(&self) -> f64 {
        self.user + self.sys
    }
}

impl Sample {
    /// A time measured inside the bench process (no CPU figure).
    pub fn wall_only(d: Duration) -> Sample {
        Sample {
            wall: d.as_secs_f64(),
            cpu: None,
            server_cpu: None,
        }
    }
}

/// What a finished command left.
pub struct Finished {
    pub sample: Sample,
    pub stdout: Vec<u8>,
}

/// A `timeval` in seconds.
pub fn timeval_secs(tv: libc::timeval) -> f64 {
    tv.tv_sec as f64 + tv.tv_usec as f64 / 1e6
}

/// The CPU times of a `rusage`.
pub fn cpu_of(ru: &libc::rusage) -> Cpu {
    Cpu {
        user: timeval_secs(ru.ru_utime),
        sys: timeval_secs(ru.ru_stime),
    }
}

/// Run `cmd` with stdin closed and stdout and stderr in files (never a terminal or a pipe that
/// could fill up), timed from spawn to exit; killed by its pid at `timeout`. A non-zero exit
/// is an error carrying the first lines of its stderr.
pub fn run(cmd: &mut Command, timeout: Duration) -> Result<Finished, String> {
    let what = format!("{:?}", cmd.get_program());
    let out = tempfile::tempfile().map_err(|e| format!("temp file: {e}"))?;
    let err = tempfile::tempfile().map_err(|e| format!("temp file: {e}"))?;
    let dup = |f: &File| f.try_clone().map_err(|e| format!("dup: {e}"));
    cmd.stdin(Stdio::null())
        .stdout(Stdio::from(dup(&out)?))
        .stderr(Stdio::from(dup(&err)?));
    let start = Instant::now();
    let child = cmd.spawn().map_err(|e| format!("cannot run {what}: {e}"))?;
    // The child holds its own copies of the files; ours are only for reading afterwards.
    let pid = child.id() as libc::pid_t;
    let (done_tx, done_rx) = mpsc::channel::<()>();
    let watchdog = std::thread::spawn(move || {
        if let Err(mpsc::RecvTimeoutError::Timeout) = done_rx.recv_timeout(timeout) {
            // Our own child, by its id; it cannot have been reaped yet (see below), so the id
            // is still its own.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            return true;
        }
        false
    });
    // Wait for the exit without reaping, so that the watchdog can never signal a recycled pid.
    let exited = wait_exited(pid);
    let wall = start.elapsed().as_secs_f64();
    let _ = done_tx.send(());
    let killed = watchdog.join().unwrap_or(false);
    let reaped = exited.and_then(|()| reap(pid));
    drop(child);
    let (status, ru) = reaped.map_err(|e| format!("{what}: {e}"))?;
    if killed {
        return Err(format!(
            "{what} took longer than {timeout:?} and was stopped"
        ));
    }
    if !(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0) {
        let stderr = read_all(err);
        let stderr = String::from_utf8_lossy(&stderr);
        return Err(format!(
            "{what} failed ({}): {}",
            describe_status(status),
            stderr
                .trim()
                .lines()
                .take(5)
                .collect::<Vec<_>>()
                .join(" / ")
        ));
    }
    Ok(Finished {
        sample: Sample {
            wall,
            cpu: Some(cpu_of(&ru)),
            server_cpu: None,
        },
        stdout: read_all(out),
    })
}

fn read_all(mut f: File) -> Vec<u8> {
    let mut buf = Vec::new();
    let _ = f.seek(SeekFrom::Start(0));
    let _ = f.read_to_end(&mut buf);
    buf
}

/// `exit status 3`, `signal 9`.
pub fn describe_status(status: libc::c_int) -> String {
    if libc::WIFEXITED(status) {
        format!("exit status {}", libc::WEXITSTATUS(status))
    } else if libc::WIFSIGNALED(status) {
        format!("signal {}", libc::WTERMSIG(status))
    } else {
        format!("status {status:#x}")
    }
}

/// Block until `pid` has exited, leaving it a zombie (`WNOWAIT`).
fn wait_exited(pid: libc::pid_t) -> Result<(), String> {
    loop {
        // SAFETY: `info` is a plain C struct the kernel fills in.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        let r = unsafe {
            libc::waitid(
                libc::P_PID,
                pid as libc::id_t,
                &mut info,
                libc::WEXITED | libc::WNOWAIT,
            )
        };
        if r == 0 {
            return Ok(());
        }
        let e = std::io::Error::last_os_error();
        if e.kind() != std::io::ErrorKind::Interrupted {
            return Err(format!("waitid: {e}"));
        }
    }
}

/// Reap `pid`: its wait status and resource usage.
fn reap(pid: libc::pid_t) -> Result<(libc::c_int, libc::rusage), String> {
    loop {
        let mut status: libc::c_int = 0;
        // SAFETY: `ru` is a plain C struct the kernel fills in.
        let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut ru) };
        if r == pid {
            return Ok((status, ru));
        }
        let e = std::io::Error::last_os_error();
        if e.kind() != std::io::ErrorKind::Interrupted {
            return Err(format!("wait4: {e}"));
        }
    }
}

pub fn tests() -> Vec<super::Case> {
    vec![
        super::case("process: rusage times in seconds", || {
            let tv = |s, us| libc::timeval {
                tv_sec: s,
                tv_usec: us,
            };
            assert_eq!(timeval_secs(tv(2, 500_000)), 2.5);
            assert_eq!(timeval_secs(tv(0, 1)), 1e-6);
            // SAFETY: an all-zero rusage is valid.
            let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
            ru.ru_utime = tv(1, 250_000);
            ru.ru_stime = tv(0, 750_000);
            let cpu = cpu_of(&ru);
            assert_eq!(
                cpu,
                Cpu {
                    user: 1.25,
                    sys: 0.75
                }
            );
            assert_eq!(cpu.total(), 2.0);
        }),
        super::case("process: wait statuses described", || {
            // Exit status 3 is 0x0300; killed by signal 9 is 0x0009.
            assert_eq!(describe_status(0x0300), "exit status 3");
            assert_eq!(describe_status(9), "signal 9");
        }),
        super::case(
            "process: runs are timed with their CPU, output kept, failures and overruns reported",
            || {
                let ok = run(
                    Command::new("sh").args(["-c", "echo hi; echo noise >&2"]),
                    Duration::from_secs(10),
                )
                .unwrap();
                assert_eq!(ok.stdout, b"hi\n");
                assert!(ok.sample.wall > 0.0 && ok.sample.wall < 10.0);
                // A busy loop of its own: user time shows up, and never exceeds what could run.
                let busy = run(
                    Command::new("sh")
                        .args(["-c", "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done"]),
                    Duration::from_secs(60),
                )
                .unwrap();
                let cpu = busy.sample.cpu.unwrap();
                assert!(cpu.user > 0.0, "{cpu:?}");
                let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
                assert!(
                    cpu.total() <= busy.sample.wall * cores as f64 + 0.02,
                    "{cpu:?} in {} s",
                    busy.sample.wall
                );
                let err = run(
                    Command::new("sh").args(["-c", "echo broken >&2; exit 3"]),
                    Duration::from_secs(10),
                )
                .err()
                .unwrap();
                assert!(err.contains("broken"), "{err}");
                assert!(err.contains("exit status 3"), "{err}");
                let start = Instant::now();
                let err = run(Command::new("sleep").arg("30"), Duration::from_millis(200))
                    .err()
                    .unwrap();
                assert!(err.contains("stopped"), "{err}");
                assert!(start.elapsed() < Duration::from_secs(10));
                assert!(
                    run(
                        &mut Command::new("/nonexistent/tool"),
                        Duration::from_secs(1)
                    )
                    .is_err()
                );
            },
        ),
    ]
}
