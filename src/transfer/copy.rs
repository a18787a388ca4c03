//! The one copy loop for every byte stream (download, upload, viewer fetch): buffer by buffer,
//! cancellation checked between buffers, progress throttled.

use std::io::{ErrorKind, Read, Write};

use super::event::TransferEvent;
use super::job::JobId;
use super::progress::Throttle;
use super::run::{Ctx, Stop};

/// Which side of the copy is the network (its errors are the data connection's).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Network {
    Reader,
    Writer,
}

/// The progress of one byte stream: an event at the start of a resumed one, throttled ones as
/// it goes, and a last one with the average rate (none at all when the pool's `live_events` is off).
pub(super) struct Meter {
    id: JobId,
    live: bool,
    total: Option<u64>,
    start: u64,
    throttle: Throttle,
}

impl Meter {
    pub(super) fn start(ctx: &Ctx, id: JobId, start: u64, total: Option<u64>) -> Meter {
        let m = Meter {
            id,
            live: ctx.options.live_events,
            total,
            start,
            throttle: Throttle::new(start),
        };
        // From zero the consumer knows the start already (`Started`; the job's size), and the
        // next tick or the end brings the real total: one event per file fewer.
        if m.live && start > 0 {
            (ctx.emit)(m.event(start, 0.0));
        }
        m
    }

    fn event(&self, done: u64, rate: f64) -> TransferEvent {
        TransferEvent::Progress {
            id: self.id,
            done,
            total: self.total.map(|t| t.max(done)),
            rate,
        }
    }

    pub(super) fn tick(&mut self, ctx: &Ctx, done: u64) {
        if !self.live {
            return;
        }
        if let Some(rate) = self.throttle.tick(done) {
            (ctx.emit)(self.event(done, rate));
        }
    }

    pub(super) fn end(&self, ctx: &Ctx, done: u64) {
        if !self.live {
            return;
        }
        (ctx.emit)(self.event(done, self.throttle.average(done - self.start)));
    }
}

/// Copy `from` into `to` until the end of `from`, `limit` bytes, a cancel or an error.
/// `done` counts from `start` (a resume offset); progress events go out for job `id` with
/// `total`. Returns the bytes counted (including `start`) and how the loop ended.
#[allow(clippy::too_many_arguments)]
pub(super) fn pump(
    ctx: &mut Ctx,
    id: JobId,
    from: &mut dyn Read,
    to: &mut dyn Write,
    network: Network,
    start: u64,
    total: Option<u64>,
    limit: Option<u64>,
) -> (u64, Result<(), Stop>) {
    let mut done = start;
    let mut meter = Meter::start(ctx, id, start, total);
    let limits = ctx.limits;
    let limiter = match network {
        Network::Reader => &limits.down,
        Network::Writer => &limits.up,
    };
    let result = loop {
        if ctx.running.cancelled() {
            break Err(Stop::Cancelled);
        }
        let room = match limit {
            Some(l) if done >= l => break Ok(()),
            Some(l) => ctx.buf.len().min((l - done) as usize),
            None => ctx.buf.len(),
        };
        let room = limiter.chunk(room);
        let n = match from.read(&mut ctx.buf[..room]) {
            Ok(0) => break Ok(()),
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) if network == Network::Reader => break Err(Stop::Remote(e)),
            Err(e) => break Err(Stop::Local(e)),
        };
        if let Err(e) = to.write_all(&ctx.buf[..n]) {
            break Err(match network {
                Network::Writer => Stop::Remote(e),
                Network::Reader => Stop::Local(e),
            });
        }
        done += n as u64;
        meter.tick(ctx, done);
        limiter.pay(n as u64, &|| ctx.running.cancelled());
    };
    meter.end(ctx, done);
    (done, result)
}
