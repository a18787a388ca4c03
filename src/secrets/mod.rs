//! Saved passwords, never in `bookmarks.toml`: the OS keyring through `secret-tool` (libsecret)
//! when it answers, else `secrets.toml` (mode 0600, in a 0700 directory); and `password_cmd`.
//! Everything here blocks (up to a timeout): call it off the UI thread.
//!
//! `vault`: which of the two places a password goes to and comes from; `keyring` and `file`:
//! the two places; `password_cmd`: a command that prints the password; `helper`: running a
//! helper program with a deadline.

mod file;
mod helper;
mod keyring;
mod password_cmd;
mod vault;

use std::path::PathBuf;
use std::time::Duration;

pub use password_cmd::run_password_cmd;

use crate::remote::Secret;
use vault::Vault;

/// How long a keyring call may take: a locked keyring can wait forever for an unlock prompt.
pub const KEYRING_TIMEOUT: Duration = Duration::from_secs(2);

/// Where a password was saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// The OS keyring (Secret Service, via `secret-tool`).
    Keyring,
    /// `secrets.toml`, plaintext readable only by the user: the caller should warn.
    File,
}

/// Save the password of bookmark `name`: in the keyring if it answers, else in the file.
pub fn store(name: &str, secret: &Secret) -> Result<Backend, String> {
    Vault::from_env().store(name, secret)
}

/// The saved password of bookmark `name`, if any.
pub fn lookup(name: &str) -> Result<Option<Secret>, String> {
    Vault::from_env().lookup(name)
}

/// Delete the saved password of bookmark `name` from both places.
pub fn forget(name: &str) -> Result<(), String> {
    Vault::from_env().forget(name)
}

/// Move a saved password to a renamed bookmark; `None` if there was none.
pub fn rename(old: &str, new: &str) -> Result<Option<Backend>, String> {
    Vault::from_env().rename(old, new)
}

/// The directory of `secrets.toml`: `$FTPDECK_SECRETS_DIR`, else `secrets` in the config dir.
pub fn secrets_dir() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("FTPDECK_SECRETS_DIR") {
        return Some(PathBuf::from(p));
    }
    directories::ProjectDirs::from("", "", "ftpdeck").map(|d| d.config_dir().join("secrets"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_show_in_debug_output() {
        let secret = Secret::new("hunter2");
        assert_eq!(format!("{secret:?}"), "Secret(***)");
        let profile = crate::bookmarks::Bookmark::from_profile(
            "b",
            &crate::remote::Profile::anonymous("h", 21),
        )
        .to_profile(Some(secret.clone()));
        assert!(!format!("{profile:?}").contains("hunter2"));
        assert!(!format!("{:?}", Some(&secret)).contains("hunter2"));
    }
}
