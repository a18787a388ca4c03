//! What the machine is, and what /proc says about a process.

use std::path::PathBuf;

use super::process::Cpu;

/// The machine the numbers were measured on.
#[derive(Debug, Clone, PartialEq)]
pub struct Machine {
    pub nproc: usize,
    pub cpu: String,
    pub kernel: String,
    pub mem_total_kib: Option<u64>,
}

impl Machine {
    pub fn here() -> Machine {
        let read = |p: &str| std::fs::read_to_string(p).unwrap_or_default();
        Machine {
            nproc: std::thread::available_parallelism().map_or(1, |n| n.get()),
            cpu: cpu_model(&read("/proc/cpuinfo")).unwrap_or_else(|| "unknown".into()),
            kernel: read("/proc/sys/kernel/osrelease").trim().to_string(),
            mem_total_kib: status_kib(&read("/proc/meminfo"), "MemTotal"),
        }
    }
}

/// The 1-minute load average from /proc/loadavg (other work on the machine skews timings).
pub fn load_average() -> Option<f64> {
    parse_loadavg(&std::fs::read_to_string("/proc/loadavg").ok()?)
}

pub fn parse_loadavg(text: &str) -> Option<f64> {
    text.split_whitespace().next()?.parse().ok()
}

/// The first `model name` in /proc/cpuinfo.
pub fn cpu_model(cpuinfo: &str) -> Option<String> {
    cpuinfo.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        (key.trim() == "model name").then(|| value.trim().to_string())
    })
}

/// A `Key:   123 kB` value from /proc/PID/status (or /proc/meminfo), in KiB.
pub fn status_kib(status: &str, key: &str) -> Option<u64> {
    status.lines().find_map(|line| {
        let (k, v) = line.split_once(':')?;
        if k.trim() != key {
            return None;
        }
        let mut parts = v.split_whitespace();
        let n: u64 = parts.next()?.parse().ok()?;
        match parts.next() {
            Some("kB") | None => Some(n),
            _ => None,
        }
    })
}

/// User and system CPU time from /proc/PID/stat (fields 14 and 15, in clock ticks).
pub fn stat_cpu(stat: &str, ticks_per_sec: f64) -> Option<Cpu> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // `rest` starts at field 3 (state): utime is field 14, stime field 15.
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some(Cpu {
        user: utime / ticks_per_sec,
        sys: stime / ticks_per_sec,
    })
}

fn clock_ticks() -> f64 {
    // SAFETY: sysconf only reads a constant.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if ticks > 0 { ticks as f64 } else { 100.0 }
}

/// The CPU time `pid` has used so far.
pub fn cpu_of_pid(pid: u32) -> Option<Cpu> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat_cpu(&stat, clock_ticks())
}

/// A cgroup (v2) of its own for a server: its CPU time counts every process that ran in it,
/// those that have exited too, whoever reaped them. (A forking server's session processes
/// need not be reaped by a process that is still there to be asked, as vsftpd's are not.)
pub struct CpuGroup {
    dir: PathBuf,
}

impl CpuGroup {
    /// A new group under the cgroup2 mount, `ftpdeck-bench-TAG-NAME`: TAG is
    /// `$BENCH_GROUP_TAG` (scripts/bench.sh sets it, to find the groups of an interrupted run),
    /// else this process's id.
    pub fn new(name: &str) -> Result<CpuGroup, String> {
        let mounts = std::fs::read_to_string("/proc/self/mounts").map_err(|e| e.to_string())?;
        let root = cgroup2_mount(&mounts).ok_or("no cgroup2 file system is mounted")?;
        let tag = std::env::var("BENCH_GROUP_TAG")
            .ok()
            .filter(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_alphanumeric()))
            .unwrap_or_else(|| std::process::id().to_string());
        let dir = root.join(format!("ftpdeck-bench-{tag}-{name}"));
        std::fs::create_dir(&dir).map_err(|e| format!("cannot make {}: {e}", dir.display()))?;
        Ok(CpuGroup { dir })
    }

    /// Move `pid` (all its threads) into the group; the processes it starts from now on are
    /// in it too.
    pub fn add(&self, pid: u32) -> Result<(), String> {
        std::fs::write(self.dir.join("cgroup.procs"), pid.to_string())
            .map_err(|e| format!("cannot move {pid} into {}: {e}", self.dir.display()))
    }

    /// CPU seconds (user + system) of everything that has run in the group.
    pub fn cpu_secs(&self) -> Option<f64> {
        let stat = std::fs::read_to_string(self.dir.join("cpu.stat")).ok()?;
        cpu_stat_usage(&stat)
    }
}

impl Drop for CpuGroup {
    /// Remove the group once its processes are gone (they are being killed as it drops).
    fn drop(&mut self) {
        for _ in 0..100 {
            if std::fs::remove_dir(&self.dir).is_ok() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        println!("note: could not remove {}", self.dir.display());
    }
}

/// Where the cgroup2 file system is mounted, from /proc/self/mounts.
pub fn cgroup2_mount(mounts: &str) -> Option<PathBuf> {
    mounts.lines().find_map(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        (fields.get(2) == Some(&"cgroup2")).then(|| PathBuf::from(fields[1]))
    })
}

/// `usage_usec` of a cgroup's cpu.stat, in seconds.
pub fn cpu_stat_usage(stat: &str) -> Option<f64> {
    stat.lines().find_map(|line| {
        let usec: f64 = line.strip_prefix("usage_usec ")?.trim().parse().ok()?;
        Some(usec / 1e6)
    })
}

/// How many child processes `pid`'s main thread has now (`None`: the kernel does not say).
pub fn child_count(pid: u32) -> Option<usize> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).ok()?;
    Some(text.split_whitespace().count())
}

/// Peak and current resident memory of `pid`, in KiB.
pub fn memory_kib(pid: u32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    Some((status_kib(&status, "VmHWM")?, status_kib(&status, "VmRSS")?))
}

pub fn tests() -> Vec<super::Case> {
    vec![
        super::case("sysinfo: cpu model from /proc/cpuinfo", || {
            let info = "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) \
                        Processor @ 2.1GHz\nflags\t\t: fpu\n\nprocessor\t: 1\nmodel name\t: other\n";
            assert_eq!(
                cpu_model(info).as_deref(),
                Some("Intel(R) Xeon(R) Processor @ 2.1GHz")
            );
            assert_eq!(cpu_model("processor : 0\n"), None);
        }),
        super::case("sysinfo: VmHWM and MemTotal in KiB", || {
            let status = "Name:\tftpdeck\nVmPeak:\t  500000 kB\nVmHWM:\t   23456 kB\nVmRSS:\t   \
                          20000 kB\nThreads:\t5\n";
            assert_eq!(status_kib(status, "VmHWM"), Some(23_456));
            assert_eq!(status_kib(status, "VmRSS"), Some(20_000));
            assert_eq!(status_kib(status, "VmSwap"), None);
            assert_eq!(status_kib(status, "Threads"), Some(5));
            assert_eq!(
                status_kib("MemTotal:       24579164 kB\n", "MemTotal"),
                Some(24_579_164)
            );
        }),
        super::case("sysinfo: load average", || {
            assert_eq!(parse_loadavg("0.52 0.58 0.59 1/467 12345\n"), Some(0.52));
            assert_eq!(parse_loadavg(""), None);
        }),
        super::case("sysinfo: CPU time from /proc/PID/stat", || {
            let stat = "4242 (ftp deck) S 1 4242 4242 0 -1 4194560 900 0 0 0 250 50 0 0 20 0 5 0";
            let cpu = stat_cpu(stat, 100.0).unwrap();
            assert_eq!((cpu.user, cpu.sys), (2.5, 0.5));
            assert_eq!(stat_cpu("1 (x) S 1", 100.0), None);
            let mine = cpu_of_pid(std::process::id()).unwrap();
            assert!(mine.user >= 0.0 && mine.sys >= 0.0);
        }),
        super::case(
            "sysinfo: a server's CPU group counts processes that exited",
            || {
                let mounts = "proc /proc proc rw 0 0\ncgroup /sys/fs/cgroup/cpu cgroup rw,cpu 0 0\n\
                          cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0\n";
                assert_eq!(
                    cgroup2_mount(mounts),
                    Some(PathBuf::from("/sys/fs/cgroup/unified"))
                );
                assert_eq!(cgroup2_mount("proc /proc proc rw 0 0\n"), None);
                assert_eq!(
                    cpu_stat_usage("usage_usec 2500000\nuser_usec 2000000\nsystem_usec 500000\n"),
                    Some(2.5)
                );
                assert_eq!(cpu_stat_usage("user_usec 1\n"), None);
                let group = match CpuGroup::new("self-test") {
                    Ok(g) => g,
                    Err(why) => {
                        println!("skipped: no CPU group here ({why})");
                        return;
                    }
                };
                // A shell in the group starts a busy child and exits without waiting for it.
                let mut sh = std::process::Command::new("sh")
                    .args([
                        "-c",
                        "read _; (i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done; echo done) &",
                    ])
                    .stdin(std::process::Stdio::piped())
                    .stdout(std::process::Stdio::piped())
                    .spawn()
                    .unwrap();
                group.add(sh.id()).unwrap();
                assert!(child_count(std::process::id()).is_some_and(|n| n >= 1));
                drop(sh.stdin.take());
                sh.wait().unwrap();
                let mut out = String::new();
                std::io::Read::read_to_string(sh.stdout.as_mut().unwrap(), &mut out).unwrap();
                assert_eq!(out, "done\n");
                let used = group.cpu_secs().unwrap();
                assert!(used >= 0.05, "{used}");
            },
        ),
        super::case("sysinfo: this machine can be described", || {
            let m = Machine::here();
            assert!(m.nproc >= 1);
            assert!(!m.kernel.is_empty());
            let me = std::process::id();
            assert!(memory_kib(me).is_some_and(|(hwm, rss)| hwm >= rss && rss > 0));
        }),
    ]
}
