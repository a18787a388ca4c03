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
    let mut throttle = Throttle::new(done);
    let progress = |done: u64, rate| TransferEvent::Progress {
        id,
        done,
        total: total.map(|t| t.max(done)),
        rate,
    };
    (ctx.emit)(progress(done, 0.0));
    let result = loop {
        if ctx.running.cancelled() {
            break Err(Stop::Cancelled);
        }
        let room = match limit {
            Some(l) if done >= l => break Ok(()),
            Some(l) => ctx.buf.len().min((l - done) as usize),
            None => ctx.buf.len(),
        };
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
        if let Some(rate) = throttle.tick(done) {
            (ctx.emit)(progress(done, rate));
        }
    };
    (ctx.emit)(progress(done, throttle.average(done - start)));
    (done, result)
}
