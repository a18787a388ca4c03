//! What the machine is, and what /proc says about a process.

use std::path::Path;

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

/// The parent pid from /proc/PID/stat. The command name (field 2) may hold spaces and
/// parentheses, so the fields are counted from the last `)`.
pub fn stat_ppid(stat: &str) -> Option<u32> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace();
    let _state = fields.next()?;
    fields.next()?.parse().ok()
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

/// User + system CPU seconds from /proc/PID/stat, with those of the children it has reaped
/// (fields 14 to 17, in clock ticks): a forking server's sessions count once they are gone.
pub fn stat_cpu_with_reaped(stat: &str, ticks_per_sec: f64) -> Option<f64> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let mut ticks = 0.0;
    for i in 11..=14 {
        ticks += fields.get(i)?.parse::<f64>().ok()?;
    }
    Some(ticks / ticks_per_sec)
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

/// The CPU seconds `pid` and the children it has reaped have used so far.
pub fn cpu_with_reaped_of_pid(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat_cpu_with_reaped(&stat, clock_ticks())
}

/// How many child processes `pid`'s main thread has now (`None`: the kernel does not say).
pub fn child_count(pid: u32) -> Option<usize> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).ok()?;
    Some(text.split_whitespace().count())
}

/// The children of this process that run `program`.
pub fn children_running(program: &Path) -> Vec<u32> {
    let me = std::process::id();
    let want = std::fs::canonicalize(program).unwrap_or_else(|_| program.to_path_buf());
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let mut pids: Vec<u32> = dir
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            stat_ppid(&stat) == Some(me)
                && std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|exe| exe == want)
        })
        .collect();
    pids.sort_unstable();
    pids
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
        super::case("sysinfo: parent pid despite odd command names", || {
            assert_eq!(stat_ppid("1234 (ftpdeck) S 77 1234 1234 0 -1"), Some(77));
            assert_eq!(stat_ppid("1234 (a) b (c)) R 99 1 1"), Some(99));
            assert_eq!(stat_ppid("garbage"), None);
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
            "sysinfo: CPU time with reaped children from /proc/PID/stat",
            || {
                let stat =
                    "4242 (vsftpd) S 1 4242 4242 0 -1 4194560 900 0 0 0 250 50 120 80 20 0 1 0";
                assert_eq!(stat_cpu_with_reaped(stat, 100.0), Some(5.0));
                assert_eq!(
                    stat_cpu_with_reaped("1 (x) S 1 2 3 4 5 6 7 8 9 10 11 12", 100.0),
                    None
                );
                // A child that burns CPU and is reaped adds to our figure; until then we have one.
                let me = std::process::id();
                let before = cpu_with_reaped_of_pid(me).unwrap();
                let mut child = std::process::Command::new("sh")
                    .args(["-c", "i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done"])
                    .spawn()
                    .unwrap();
                assert!(child_count(me).is_some_and(|n| n >= 1));
                child.wait().unwrap();
                let after = cpu_with_reaped_of_pid(me).unwrap();
                assert!(after - before >= 0.05, "{before} → {after}");
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
