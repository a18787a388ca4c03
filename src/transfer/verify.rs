//! Checking a finished file against the server's own digest of it (`HASH`, `XSHA256`,
//! `XSHA1`, `XMD5`, `XCRC` as its FEAT reply offers them), as `verify` in the config says.
//!
//! libunftp's `SITE MD5` is not used here: it is the embedded server's, which reads every
//! file again for it, and the issue of a wrong copy is the data path's, which a second
//! reading of the same disk does not tell apart.

use std::path::Path;

use super::run::{Ctx, JobError};
use crate::remote::RemoteError;
use crate::remote::connect::Connection;
use crate::remote::hash::{self, Algorithm, HashError, Method};

/// When a finished file is checked against the server's digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verify {
    /// When the server offers a checksum command; a file it cannot checksum is not checked.
    #[default]
    Auto,
    /// Every file; one that cannot be checked fails (a server without any checksum command
    /// fails every transfer before any data moves).
    Always,
    /// Never.
    Never,
}

impl Verify {
    pub fn parse(s: &str) -> Option<Verify> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Some(Verify::Auto),
            "always" | "true" => Some(Verify::Always),
            "never" | "false" => Some(Verify::Never),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Verify::Auto => "auto",
            Verify::Always => "always",
            Verify::Never => "never",
        }
    }
}

/// What checking one file came to.
#[derive(Debug)]
pub(super) enum Verdict {
    /// The digests match.
    Verified(Algorithm),
    /// Not checked (`never`, or `auto` and the server cannot checksum it).
    Unchecked,
    /// The digests differ: the copy is not the source.
    Mismatch(String),
    /// `always`, and the file could not be checked: why.
    Unverifiable(String),
}

/// The digest method of `conn` for verification, chosen once per connection.
fn method(conn: &mut Connection) -> Result<Method, HashError> {
    if let Some(known) = &conn.verify_method {
        return known.clone();
    }
    let offer = hash::Offer {
        site_md5: false,
        ..conn.features.hash
    };
    let chosen = match offer.best() {
        None => Err(HashError::NotOffered),
        Some(_) => match hash::prepare(conn) {
            Ok(Method::SiteMd5) => Err(HashError::NotOffered),
            other => other,
        },
    };
    conn.verify_method = Some(chosen.clone());
    chosen
}

/// Before any data moves: with `always`, a server that offers no checksum command fails the
/// transfer now rather than after the copy.
pub(super) fn precheck(ctx: &mut Ctx) -> Result<(), JobError> {
    if ctx.options.verify != Verify::Always {
        return Ok(());
    }
    match method(ctx.conn) {
        Ok(_) => Ok(()),
        Err(HashError::Remote(e)) => Err(e.into()),
        Err(e) => Err(JobError::fatal(format!(
            "verify = \"always\", but the server cannot checksum files: {e}"
        ))),
    }
}

/// Whether [`check`] would send no command on this connection (so an upload's commands may
/// go out ahead of the last one's replies): `never`, or `auto` with no checksum to ask for.
pub(super) fn sends_nothing(ctx: &Ctx) -> bool {
    let offer = hash::Offer {
        site_md5: false,
        ..ctx.conn.features.hash
    };
    match ctx.options.verify {
        Verify::Never => true,
        Verify::Always => false,
        Verify::Auto => {
            offer.best().is_none()
                || matches!(&ctx.conn.verify_method, Some(Err(e)) if !matches!(e, HashError::Remote(_)))
        }
    }
}

/// Compare the server's digest of `remote` with ours of `local` (the whole file).
pub(super) fn check(
    ctx: &mut Ctx,
    remote: &str,
    local: &Path,
    size: u64,
) -> Result<Verdict, JobError> {
    let policy = ctx.options.verify;
    if policy == Verify::Never {
        return Ok(Verdict::Unchecked);
    }
    let unverifiable = |why: String| match policy {
        Verify::Always => Ok(Verdict::Unverifiable(why)),
        _ => {
            tracing::info!("not verified: {why}");
            Ok(Verdict::Unchecked)
        }
    };
    let method = match method(ctx.conn) {
        Ok(m) => m,
        Err(HashError::Remote(e)) => return Err(e.into()),
        Err(e) => return unverifiable(e.to_string()),
    };
    // The server reads the whole file before it answers.
    let timeout = std::time::Duration::from_secs(60 + size / (8 << 20));
    let (algorithm, theirs) = match hash::remote_digest(ctx.conn, method, remote, timeout) {
        Ok(d) => d,
        Err(HashError::Remote(e)) => {
            ctx.drop_connection = true;
            return Err(e.into());
        }
        Err(e) => return unverifiable(format!("{}: {e}", method.command_name())),
    };
    let running = ctx.running;
    let ours = match crate::sync::checksum::local_digest(local, algorithm, &|| running.cancelled())
    {
        Ok(d) => d,
        // The caller sees the cancel and says so.
        Err(_) if running.cancelled() => return Ok(Verdict::Unchecked),
        Err(e) => {
            return Err(JobError::fatal(format!(
                "cannot read {} to verify it: {e}",
                local.display()
            )));
        }
    };
    if ours == theirs {
        Ok(Verdict::Verified(algorithm))
    } else {
        Ok(Verdict::Mismatch(format!(
            "{} mismatch: the server's is {}, the copy's {}",
            algorithm.name(),
            hash::hex(&theirs),
            hash::hex(&ours)
        )))
    }
}

/// Why one run of a copy stopped.
pub(super) enum Failure {
    Job(JobError),
    /// The copy's digest differs from the server's (the copy has been removed).
    Mismatch(String),
}

impl From<JobError> for Failure {
    fn from(e: JobError) -> Self {
        Failure::Job(e)
    }
}

impl From<RemoteError> for Failure {
    fn from(e: RemoteError) -> Self {
        Failure::Job(e.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_config_words_parse_and_round_trip() {
        for v in [Verify::Auto, Verify::Always, Verify::Never] {
            assert_eq!(Verify::parse(v.name()), Some(v));
        }
        assert_eq!(Verify::parse(" ALWAYS "), Some(Verify::Always));
        assert_eq!(Verify::parse("false"), Some(Verify::Never));
        assert_eq!(Verify::parse("sometimes"), None);
        assert_eq!(Verify::parse("é"), None);
    }
}
