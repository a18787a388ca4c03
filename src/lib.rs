//! ftpdeck: a two-pane terminal file manager for FTP.

pub mod app;
pub mod cli;
pub mod config;
pub mod demo;
pub mod entry;
pub mod fsutil;
pub mod known_servers;
pub mod local;
pub mod logging;
pub mod remote;
pub mod sanitize;
#[cfg(feature = "server")]
pub mod server;
pub mod transfer;
pub mod tui;
pub mod ui;
