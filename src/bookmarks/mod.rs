//! Bookmarks and recent connections: `bookmarks.toml` in the config dir, rewritten atomically
//! with mode 0600. There is no field for a password: saved ones live in `secrets`.
//!
//! `model`: bookmarks, recent connections and the store; `file`: loading and saving it;
//! `format`: the TOML layout of the file.

mod file;
#[cfg(test)]
mod fixtures;
mod format;
mod model;

pub use file::{LoadError, bookmarks_path, load, save};
pub use model::{Bookmark, PasswordSource, RECENT_MAX, Recent, Store};
