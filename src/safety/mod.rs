//! Where ftpdeck may write or delete. Every rule that keeps a user's files safe lives here, and
//! every operation that writes or deletes goes through it rather than checking on its own:
//!
//! - [`claims`]: one destination path has at most one transfer job at a time;
//! - [`local`]: local writes never follow a symlink, stay inside the destination, keep the mode
//!   of a file they replace, and are durable before they get their final name;
//! - [`walk`]: recursive walks (delete, download, upload) never descend into a symlink, detect
//!   loops and stop at a depth limit;
//! - [`kept`]: edits the user chose to keep live in the state directory, never in a temp dir.

pub mod claims;
pub mod kept;
pub mod local;
pub mod walk;

pub use claims::{Claims, Dest};
pub use walk::{DirId, Walk, WalkRefusal};

/// Default for how deep a recursive operation may go (`transfers.max_depth`).
pub const DEFAULT_MAX_DEPTH: usize = 64;
