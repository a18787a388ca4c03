//! ftpdeck: a two-pane terminal file manager for FTP.

pub mod app;
pub mod bookmarks;
pub mod cli;
pub mod config;
pub mod demo;
pub mod entry;
pub mod fsutil;
pub mod headless;
pub mod known_servers;
pub mod layout;
pub mod local;
pub mod localops;
pub mod logging;
pub mod netrc;
pub mod remote;
pub mod safety;
pub mod sanitize;
pub mod scratch;
pub mod secrets;
#[cfg(feature = "server")]
pub mod server;
pub mod theme;
pub mod transfer;
pub mod tui;
pub mod ui;
pub mod words;
