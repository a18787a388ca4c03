//! Certificates the user chose to always trust for servers reached by URL (bookmarks keep their
//! own pin): `known_servers.toml` in the config dir, `"host:port" = "sha256 hex"`.

use std::collections::BTreeMap;
use std::path::PathBuf;

/// `$FTPDECK_KNOWN_SERVERS`, else `known_servers.toml` in the config dir.
pub fn path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("FTPDECK_KNOWN_SERVERS") {
        return Some(PathBuf::from(p));
    }
    directories::ProjectDirs::from("", "", "ftpdeck")
        .map(|d| d.config_dir().join("known_servers.toml"))
}

fn key(host: &str, port: u16) -> String {
    format!("{host}:{port}")
}

fn load_map() -> BTreeMap<String, String> {
    path()
        .and_then(|p| std::fs::read_to_string(p).ok())
        .and_then(|t| toml::from_str(&t).ok())
        .unwrap_or_default()
}

/// The pinned fingerprint for a server, if any.
pub fn lookup(host: &str, port: u16) -> Option<String> {
    load_map().remove(&key(host, port))
}

/// Remember `fingerprint` for a server (replacing an older pin).
pub fn pin(host: &str, port: u16, fingerprint: &str) -> Result<(), String> {
    let path = path().ok_or("no config directory")?;
    let mut map = load_map();
    map.insert(key(host, port), fingerprint.to_string());
    let mut text =
        String::from("# Certificates trusted with \"always\" in ftpdeck (SHA-256, hex).\n");
    text.push_str(&toml::to_string(&map).map_err(|e| e.to_string())?);
    crate::fsutil::write_private_atomic(&path, text.as_bytes()).map_err(|e| e.to_string())
}
