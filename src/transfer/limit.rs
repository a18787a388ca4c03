//! Speed limits: one limiter per direction, shared by every transfer of a pool, so parallel
//! transfers split the limit between them instead of each taking all of it.
//!
//! The limiter keeps one "next free moment" (a virtual schedule, as GCRA does): a transfer that
//! moved `n` bytes books `n / rate` seconds after the end of what was booked before, and waits
//! until its booking ends. Transfers that take turns booking equal chunks get equal shares, an
//! idle limiter lends no burst, and the error over any window is at most one chunk per transfer.
//! Waiting is done in slices of at most [`SLICE`], checking the transfer's cancel flag between
//! them, so a limited transfer still stops within a fraction of a second.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The longest single sleep of a waiting transfer (also the cancel latency it adds).
pub const SLICE: Duration = Duration::from_millis(100);
/// The smallest chunk a limited transfer moves at a time.
const MIN_CHUNK: usize = 1024;
/// Chunks per second at the limit: a chunk is a twentieth of a second's bytes.
const CHUNKS_PER_SEC: u64 = 20;
/// `>` past this removes the limit.
pub const MAX_LIMIT: u64 = 1 << 30;

/// The limits of both directions, in bytes per second; `None` is no limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Limits {
    pub down: Option<u64>,
    pub up: Option<u64>,
}

impl Limits {
    /// The same limit both ways.
    pub fn both(rate: Option<u64>) -> Limits {
        Limits {
            down: rate,
            up: rate,
        }
    }

    /// `self`, with `over`'s limits where it has them.
    pub fn overridden_by(self, over: Limits) -> Limits {
        Limits {
            down: over.down.or(self.down),
            up: over.up.or(self.up),
        }
    }

    /// Half of each limit; a direction without one takes half of its current speed (`now`),
    /// if it moves at all.
    pub fn halved(self, now: Limits) -> Limits {
        let half = |limit: Option<u64>, speed: Option<u64>| {
            limit.or(speed).map(|r| (r / 2).max(MIN_CHUNK as u64))
        };
        Limits {
            down: half(self.down, now.down.filter(|&s| s > 0)),
            up: half(self.up, now.up.filter(|&s| s > 0)),
        }
    }

    /// Twice each limit; one that would pass [`MAX_LIMIT`] is removed.
    pub fn doubled(self) -> Limits {
        let double = |limit: Option<u64>| limit.map(|r| r * 2).filter(|&r| r <= MAX_LIMIT);
        Limits {
            down: double(self.down),
            up: double(self.up),
        }
    }

    /// `↓ 2.0 MiB/s ↑ none`, or `None` without any limit.
    pub fn describe(self) -> Option<String> {
        if self.down.is_none() && self.up.is_none() {
            return None;
        }
        let one = |r: Option<u64>| match r {
            Some(r) => format!("{}/s", crate::words::human_size(r)),
            None => "none".to_string(),
        };
        Some(format!("↓ {} ↑ {}", one(self.down), one(self.up)))
    }
}

/// Where the limiter reads the time and how it waits (a test runs it on a clock of its own).
pub trait Clock: Send + Sync {
    /// Time since some fixed start.
    fn now(&self) -> Duration;
    fn sleep(&self, d: Duration);
}

/// The system's monotonic clock.
pub struct SystemClock(Instant);

impl Clock for SystemClock {
    fn now(&self) -> Duration {
        self.0.elapsed()
    }
    fn sleep(&self, d: Duration) {
        std::thread::sleep(d);
    }
}

/// The limit of one direction.
pub struct Limiter {
    /// Bytes per second; 0 is no limit.
    rate: AtomicU64,
    /// The end of the last booking.
    next_free: Mutex<Duration>,
    clock: Box<dyn Clock>,
}

impl std::fmt::Debug for Limiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Limiter({:?})", self.rate())
    }
}

impl Limiter {
    pub fn new(rate: Option<u64>) -> Limiter {
        Limiter::with_clock(rate, Box::new(SystemClock(Instant::now())))
    }

    pub fn with_clock(rate: Option<u64>, clock: Box<dyn Clock>) -> Limiter {
        Limiter {
            rate: AtomicU64::new(rate.unwrap_or(0)),
            next_free: Mutex::new(Duration::ZERO),
            clock,
        }
    }

    pub fn rate(&self) -> Option<u64> {
        Some(self.rate.load(Ordering::Relaxed)).filter(|&r| r > 0)
    }

    /// Change the limit; transfers already running follow from their next chunk.
    pub fn set_rate(&self, rate: Option<u64>) {
        self.rate.store(rate.unwrap_or(0), Ordering::Relaxed);
    }

    /// How many of `want` bytes to move in one go: all of them without a limit, else a
    /// twentieth of a second's worth.
    pub fn chunk(&self, want: usize) -> usize {
        match self.rate() {
            None => want,
            Some(r) => want.min(((r / CHUNKS_PER_SEC) as usize).max(MIN_CHUNK)),
        }
    }

    /// Count `n` bytes just moved, and wait until they fit the limit (or `cancelled` says
    /// stop). Without a limit this returns at once.
    pub fn pay(&self, n: u64, cancelled: &dyn Fn() -> bool) {
        let Some(rate) = self.rate() else { return };
        let until = {
            let mut next = self.next_free.lock().unwrap_or_else(|e| e.into_inner());
            let cost = Duration::from_secs_f64(n as f64 / rate as f64);
            *next = (*next).max(self.clock.now()) + cost;
            *next
        };
        loop {
            if cancelled() {
                return;
            }
            let now = self.clock.now();
            if now >= until {
                return;
            }
            self.clock.sleep((until - now).min(SLICE));
        }
    }
}

/// The limiters of a pool.
#[derive(Debug)]
pub struct PoolLimits {
    pub down: Limiter,
    pub up: Limiter,
}

impl PoolLimits {
    pub fn new(limits: Limits) -> PoolLimits {
        PoolLimits {
            down: Limiter::new(limits.down),
            up: Limiter::new(limits.up),
        }
    }

    pub fn set(&self, limits: Limits) {
        self.down.set_rate(limits.down);
        self.up.set_rate(limits.up);
    }
}

/// `"2M"` -> 2 MiB per second; `K`, `M`, `G` are powers of 1024, a bare number is bytes.
pub fn parse_rate(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let (digits, unit) = match t
        .char_indices()
        .find(|(_, c)| !c.is_ascii_digit() && *c != '.')
    {
        Some((i, _)) => (&t[..i], t[i..].trim()),
        None => (t, ""),
    };
    let n: f64 = digits
        .parse()
        .map_err(|_| format!("expected a rate like 500K, 2M or 1G, got {s:?}"))?;
    let mult: u64 = match unit
        .to_ascii_uppercase()
        .trim_end_matches("/S")
        .trim_end_matches('B')
    {
        "" => 1,
        "K" | "KI" => 1 << 10,
        "M" | "MI" => 1 << 20,
        "G" | "GI" => 1 << 30,
        _ => return Err(format!("unknown unit in {s:?} (use K, M or G)")),
    };
    let bytes = n * mult as f64;
    if !(1.0..=1e15).contains(&bytes) {
        return Err(format!("rate out of range: {s:?}"));
    }
    Ok(bytes as u64)
}

/// A limit as the config and bookmarks write it: a rate, or `"none"` / `"0"` / `""` for none.
pub fn parse_limit(s: &str) -> Result<Option<u64>, String> {
    let t = s.trim();
    if t.is_empty() || t == "0" || t.eq_ignore_ascii_case("none") {
        return Ok(None);
    }
    parse_rate(t).map(Some)
}

/// A limit as [`parse_limit`] reads it back.
pub fn limit_text(rate: Option<u64>) -> String {
    match rate {
        None => "none".into(),
        Some(r) if r % (1 << 20) == 0 => format!("{}M", r >> 20),
        Some(r) if r % (1 << 10) == 0 => format!("{}K", r >> 10),
        Some(r) => r.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::AtomicBool;

    /// Something to run when the virtual clock reaches a moment.
    type Hook = Option<(Duration, Box<dyn FnMut() + Send>)>;

    /// A clock that only moves when somebody sleeps on it; `at` runs a hook at a moment.
    #[derive(Clone, Default)]
    struct Virtual {
        now: Arc<Mutex<Duration>>,
        hook: Arc<Mutex<Hook>>,
    }

    impl Clock for Virtual {
        fn now(&self) -> Duration {
            *self.now.lock().unwrap()
        }
        fn sleep(&self, d: Duration) {
            assert!(d <= SLICE, "one sleep of {d:?}, more than a slice");
            let now = {
                let mut now = self.now.lock().unwrap();
                *now += d;
                *now
            };
            let mut hook = self.hook.lock().unwrap();
            if hook.as_ref().is_some_and(|(at, _)| now >= *at) {
                let (_, mut f) = hook.take().unwrap();
                f();
            }
        }
    }

    impl Virtual {
        fn advance(&self, d: Duration) {
            *self.now.lock().unwrap() += d;
        }
    }

    fn limiter(rate: u64) -> (Limiter, Virtual) {
        let clock = Virtual::default();
        (
            Limiter::with_clock(Some(rate), Box::new(clock.clone())),
            clock,
        )
    }

    /// Transfers that take turns moving a chunk as fast as the limiter lets them, for `window`
    /// of virtual time; each one's bytes. `read_time` is what reading a chunk costs.
    fn run(l: &Limiter, clock: &Virtual, transfers: usize, window: Duration) -> Vec<u64> {
        let mut bytes = vec![0u64; transfers];
        let never = || false;
        'window: loop {
            for b in bytes.iter_mut() {
                if clock.now() >= window {
                    break 'window;
                }
                let n = l.chunk(256 * 1024) as u64;
                *b += n;
                l.pay(n, &never);
            }
        }
        bytes
    }

    #[test]
    fn one_transfer_holds_the_limit_within_five_percent_over_ten_seconds() {
        for rate in [10 * 1024, 2 << 20, 50 << 20] {
            let (l, clock) = limiter(rate);
            let got = run(&l, &clock, 1, Duration::from_secs(10))[0] as f64;
            let want = rate as f64 * 10.0;
            assert!(
                (got - want).abs() / want < 0.05,
                "{rate} B/s: {got} bytes in 10 s, want {want}"
            );
        }
    }

    #[test]
    fn parallel_transfers_share_the_limit_fairly_and_together_hold_it() {
        let rate = 1 << 20;
        let (l, clock) = limiter(rate);
        let got = run(&l, &clock, 3, Duration::from_secs(10));
        let total: u64 = got.iter().sum();
        let want = rate as f64 * 10.0;
        assert!((total as f64 - want).abs() / want < 0.05, "{got:?}");
        let (min, max) = (got.iter().min().unwrap(), got.iter().max().unwrap());
        assert!(
            (*max - *min) as f64 / *max as f64 <= 0.02,
            "unfair shares: {got:?}"
        );
    }

    #[test]
    fn an_idle_limiter_lends_no_burst() {
        let (l, clock) = limiter(100 * 1024);
        clock.advance(Duration::from_secs(60));
        let start = clock.now();
        let got = run(&l, &clock, 1, start + Duration::from_secs(10))[0] as f64;
        assert!(
            got <= 100.0 * 1024.0 * 10.5,
            "{got} bytes after a long idle"
        );
    }

    #[test]
    fn a_cancel_ends_the_wait_within_one_slice() {
        // A 1 KiB/s limit and a 64 KiB chunk already moved: a 64 s wait, cancelled after 2 s.
        let (l, clock) = limiter(1024);
        let cancel = Arc::new(AtomicBool::new(false));
        let flag = cancel.clone();
        *clock.hook.lock().unwrap() = Some((
            Duration::from_secs(2),
            Box::new(move || flag.store(true, Ordering::Relaxed)),
        ));
        l.pay(64 * 1024, &|| cancel.load(Ordering::Relaxed));
        let waited = clock.now();
        assert!(cancel.load(Ordering::Relaxed));
        assert!(
            waited <= Duration::from_secs(2) + SLICE,
            "returned {waited:?} after the start"
        );
    }

    #[test]
    fn a_changed_limit_applies_from_the_next_chunk() {
        let (l, clock) = limiter(1 << 20);
        run(&l, &clock, 1, Duration::from_secs(1));
        l.set_rate(Some(4 << 20));
        let start = clock.now();
        let got = run(&l, &clock, 1, start + Duration::from_secs(10))[0] as f64;
        let want = (4 << 20) as f64 * 10.0;
        assert!((got - want).abs() / want < 0.05, "{got}");
        l.set_rate(None);
        let before = clock.now();
        l.pay(1 << 30, &|| false);
        assert_eq!(clock.now(), before, "no limit: no wait");
        assert_eq!(l.chunk(12345), 12345);
    }

    #[test]
    fn halving_and_doubling() {
        let none = Limits::default();
        let busy = Limits {
            down: Some(8 << 20),
            up: None,
        };
        // No limit and no traffic: nothing to halve.
        assert_eq!(none.halved(none), none);
        // No limit: half the current speed of the direction that moves.
        assert_eq!(
            none.halved(busy),
            Limits {
                down: Some(4 << 20),
                up: None
            }
        );
        let l = Limits::both(Some(2 << 20));
        assert_eq!(l.halved(busy), Limits::both(Some(1 << 20)));
        assert_eq!(l.doubled(), Limits::both(Some(4 << 20)));
        assert_eq!(Limits::both(Some(MAX_LIMIT)).doubled(), none);
        assert_eq!(
            Limits::both(Some(1024)).halved(none),
            Limits::both(Some(1024))
        );
        assert_eq!(none.describe(), None);
        assert_eq!(busy.describe().as_deref(), Some("↓ 8.0 MiB/s ↑ none"));
    }

    #[test]
    fn limits_as_text() {
        assert_eq!(parse_limit("none"), Ok(None));
        assert_eq!(parse_limit("0"), Ok(None));
        assert_eq!(parse_limit(" "), Ok(None));
        assert_eq!(parse_limit("2M"), Ok(Some(2 << 20)));
        assert!(parse_limit("fast").is_err());
        for r in [None, Some(2 << 20), Some(500 * 1024), Some(1000)] {
            assert_eq!(parse_limit(&limit_text(r)), Ok(r));
        }
    }
}
