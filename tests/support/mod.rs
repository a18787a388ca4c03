//! Helpers shared by the integration tests.

pub mod proftpd;
pub mod pty;
pub mod vsftpd;
