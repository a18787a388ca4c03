//! Plain-FTP downloads on Linux without copying through user space: the data socket is spliced
//! into a pipe and the pipe into the `.part` file, so the kernel moves the pages and ftpdeck
//! only counts them. Cancellation, progress and errors behave as in [`super::copy::pump`]; a
//! file system or socket that cannot do it hands the rest back to the copy loop. (Uploads go
//! through the copy loop: `sendfile` was slower, see `upload.rs`.)

use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

use super::copy::Meter;
use super::job::JobId;
use super::run::{Ctx, Stop};

/// Bytes asked of the socket at a time (also the pipe's size, where the system allows).
const CHUNK: usize = 1 << 20;

/// How a splice ended.
pub(super) enum Spliced {
    /// The copy ended (as [`super::copy::pump`] says it).
    Ended(u64, Result<(), Stop>),
    /// Splicing is not possible here: go on with the copy loop from this many bytes (whatever
    /// was spliced is in the file).
    Unsupported(u64),
}

/// A pipe to splice through: its read end as a file (for the by-hand fallback) and its write
/// end. A worker keeps one from download to download, as long as each leaves it empty.
pub(super) struct Pipe {
    out: std::fs::File,
    input: OwnedFd,
}

fn pipe() -> std::io::Result<Pipe> {
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two descriptors pipe2 writes.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: pipe2 succeeded: both are open descriptors that nothing else owns.
    let fds = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    // A bigger pipe moves more per call; the default (64 KiB) still works.
    // SAFETY: F_SETPIPE_SZ on a pipe descriptor we own.
    unsafe { libc::fcntl(fds.1.as_raw_fd(), libc::F_SETPIPE_SZ, CHUNK as libc::c_int) };
    Ok(Pipe {
        out: std::fs::File::from(fds.0),
        input: fds.1,
    })
}

/// `splice(2)` from `from` to `to`, `len` bytes at most, retried after a signal.
fn splice(from: i32, to: i32, len: usize) -> std::io::Result<usize> {
    loop {
        // SAFETY: both are open descriptors; null offsets use (and move) the files' positions.
        let n = unsafe {
            libc::splice(
                from,
                std::ptr::null_mut(),
                to,
                std::ptr::null_mut(),
                len,
                libc::SPLICE_F_MOVE | libc::SPLICE_F_MORE,
            )
        };
        if n >= 0 {
            return Ok(n as usize);
        }
        let e = std::io::Error::last_os_error();
        if e.kind() != std::io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

fn unsupported(e: &std::io::Error) -> bool {
    matches!(e.raw_os_error(), Some(libc::EINVAL | libc::ENOSYS))
}

/// Move the data socket `from` into `to` until the server closes it, as
/// [`super::copy::pump`] would with `from` as the network reader (no byte limit). The worker's
/// pipe is used (or made) and kept for the next file only when this one ends well: after an
/// error it may still hold data.
pub(super) fn download(
    ctx: &mut Ctx,
    id: JobId,
    from: &std::net::TcpStream,
    to: &mut std::fs::File,
    start: u64,
    total: Option<u64>,
) -> Spliced {
    let mut pipe = match ctx.pipe.take() {
        Some(p) => p,
        None => match pipe() {
            Ok(p) => p,
            Err(_) => return Spliced::Unsupported(start),
        },
    };
    let Pipe {
        out: pipe_out,
        input: pipe_in,
    } = &mut pipe;
    let mut done = start;
    let mut meter = Meter::start(ctx, id, start, total);
    let (sock, file) = (from.as_raw_fd(), to.as_raw_fd());
    let result = loop {
        if ctx.running.cancelled() {
            break Err(Stop::Cancelled);
        }
        let n = match splice(sock, pipe_in.as_raw_fd(), ctx.limits.down.chunk(CHUNK)) {
            Ok(0) => break Ok(()),
            Ok(n) => n,
            Err(e) if done == start && unsupported(&e) => return Spliced::Unsupported(done),
            Err(e) => break Err(Stop::Remote(e)),
        };
        // Everything in the pipe goes to the file before the next read from the socket.
        let mut left = n;
        let mut fell_back = false;
        while left > 0 {
            match splice(pipe_out.as_raw_fd(), file, left) {
                Ok(0) => {
                    let e = std::io::Error::from(std::io::ErrorKind::WriteZero);
                    return Spliced::Ended(done, Err(Stop::Local(e)));
                }
                Ok(m) => left -= m,
                Err(e) if unsupported(&e) => {
                    // The file system cannot take a splice: empty the pipe by hand.
                    while left > 0 {
                        let room = ctx.buf.len().min(left);
                        match pipe_out.read(&mut ctx.buf[..room]) {
                            Ok(0) => break,
                            Ok(k) => {
                                if let Err(e) = to.write_all(&ctx.buf[..k]) {
                                    return Spliced::Ended(done, Err(Stop::Local(e)));
                                }
                                left -= k;
                            }
                            Err(e) => return Spliced::Ended(done, Err(Stop::Local(e))),
                        }
                    }
                    fell_back = true;
                }
                Err(e) => return Spliced::Ended(done + (n - left) as u64, Err(Stop::Local(e))),
            }
        }
        done += n as u64;
        if fell_back {
            return Spliced::Unsupported(done);
        }
        meter.tick(ctx, done);
        ctx.limits.down.pay(n as u64, &|| ctx.running.cancelled());
    };
    meter.end(ctx, done);
    if result.is_ok() {
        // Every early return above drops the pipe: it may still hold data.
        *ctx.pipe = Some(pipe);
    }
    Spliced::Ended(done, result)
}
