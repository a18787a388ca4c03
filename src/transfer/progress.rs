//! Progress accounting kept off the hot path: one clock read per buffer, an event at most every
//! 100 ms, and a smoothed current speed.

use std::time::{Duration, Instant};

const INTERVAL: Duration = Duration::from_millis(100);

/// Decides when a progress event is due and what speed to report.
pub struct Throttle {
    start: Instant,
    last: Instant,
    last_done: u64,
    rate: f64,
}

impl Throttle {
    pub fn new(done: u64) -> Self {
        let now = Instant::now();
        Throttle {
            start: now,
            last: now,
            last_done: done,
            rate: 0.0,
        }
    }

    /// `Some(rate)` when an event is due for `done` bytes.
    pub fn tick(&mut self, done: u64) -> Option<f64> {
        let now = Instant::now();
        let dt = now.duration_since(self.last);
        if dt < INTERVAL {
            return None;
        }
        let instant = (done - self.last_done) as f64 / dt.as_secs_f64();
        // Exponential smoothing keeps the number readable without hiding real changes.
        self.rate = if self.rate == 0.0 {
            instant
        } else {
            0.6 * self.rate + 0.4 * instant
        };
        self.last = now;
        self.last_done = done;
        Some(self.rate)
    }

    /// Seconds since the throttle was created.
    pub fn elapsed(&self) -> f64 {
        self.start.elapsed().as_secs_f64()
    }

    /// Average speed since the start, for the final event.
    pub fn average(&self, bytes: u64) -> f64 {
        let secs = self.elapsed();
        if secs > 0.0 { bytes as f64 / secs } else { 0.0 }
    }
}
