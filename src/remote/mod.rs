//! Everything FTP on the client side: connecting, the browsing session worker, listings.

pub mod connect;
pub mod encoding;
pub mod error;
pub mod fileops;
pub mod hash;
pub mod listing;
pub mod ops;
pub mod path;
pub mod protolog;
pub mod session;
pub mod tls;
pub mod tree;

pub use connect::{Connection, DataMode, Profile, Secret, Security, Timeouts};
pub use error::RemoteError;
pub use session::{RemoteCmd, RemoteEvent};
