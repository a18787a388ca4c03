//! The two places a password can be saved, and which one is used for what.

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use super::{Backend, KEYRING_TIMEOUT, secrets_dir};
use crate::remote::Secret;

/// The two places a password can be saved. The free functions build one from the
/// environment; tests build their own.
pub(super) struct Vault {
    /// Program and leading arguments standing for `secret-tool`; `None` turns the keyring off.
    pub(super) keyring: Option<Vec<OsString>>,
    pub(super) keyring_timeout: Duration,
    /// Directory of `secrets.toml`; `None` when there is no config dir.
    pub(super) dir: Option<PathBuf>,
}

impl Vault {
    /// `secret-tool` unless `FTPDECK_NO_KEYRING` is set (to anything but "" or "0").
    pub(super) fn from_env() -> Vault {
        let off = std::env::var_os("FTPDECK_NO_KEYRING").is_some_and(|v| !v.is_empty() && v != "0");
        Vault {
            keyring: (!off).then(|| vec!["secret-tool".into()]),
            keyring_timeout: KEYRING_TIMEOUT,
            dir: secrets_dir(),
        }
    }

    pub(super) fn store(&self, name: &str, secret: &Secret) -> Result<Backend, String> {
        match self.keyring_store(name, secret) {
            Ok(()) => {
                // The keyring now holds the newest password: drop an older plaintext copy.
                if let Err(e) = self.file_update(|map| map.remove(name).is_some()) {
                    tracing::debug!("keyring saved {name:?}, the secrets file kept a copy: {e}");
                }
                Ok(Backend::Keyring)
            }
            Err(why) => {
                tracing::debug!("keyring unavailable ({why}); saving {name:?} to the file");
                self.file_update(|map| {
                    map.insert(name.to_string(), secret.expose().to_string());
                    true
                })?;
                Ok(Backend::File)
            }
        }
    }

    /// The file first: an entry there is always newer than the keyring's (a keyring save
    /// removes it), and reading it costs no process.
    pub(super) fn lookup(&self, name: &str) -> Result<Option<Secret>, String> {
        let file_error = match self.file_read() {
            Ok(map) => match map.get(name) {
                Some(pw) => return Ok(Some(Secret::new(pw.clone()))),
                None => None,
            },
            Err(e) => Some(e),
        };
        match self.keyring_lookup(name) {
            Ok(Some(secret)) => Ok(Some(secret)),
            Ok(None) => file_error.map_or(Ok(None), Err),
            Err(why) => {
                tracing::debug!("keyring lookup of {name:?} failed: {why}");
                file_error.map_or(Ok(None), Err)
            }
        }
    }

    pub(super) fn forget(&self, name: &str) -> Result<(), String> {
        if let Err(why) = self.keyring_clear(name) {
            tracing::debug!("keyring clear of {name:?} failed: {why}");
        }
        self.file_update(|map| map.remove(name).is_some())
    }

    pub(super) fn rename(&self, old: &str, new: &str) -> Result<Option<Backend>, String> {
        if old == new {
            return Ok(None);
        }
        let Some(secret) = self.lookup(old)? else {
            return Ok(None);
        };
        let backend = self.store(new, &secret)?;
        self.forget(old)?;
        Ok(Some(backend))
    }
}

/// A vault with the keyring turned off and the secrets file under `dir`.
#[cfg(test)]
pub(super) fn file_vault(dir: &std::path::Path) -> Vault {
    Vault {
        keyring: None,
        keyring_timeout: KEYRING_TIMEOUT,
        dir: Some(dir.join("config/secrets")),
    }
}

/// A vault whose "secret-tool" is a shell script in `dir` (run through `sh`, so a file we
/// just wrote is never exec'd: that can fail with ETXTBSY while other tests fork).
#[cfg(test)]
pub(super) fn fake_keyring_vault(dir: &std::path::Path, script: &str) -> Vault {
    let path = dir.join("fake-secret-tool");
    std::fs::write(&path, script).unwrap();
    Vault {
        keyring: Some(vec!["sh".into(), path.into()]),
        keyring_timeout: Duration::from_millis(200),
        dir: Some(dir.join("secrets")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forget_and_rename() {
        let tmp = tempfile::tempdir().unwrap();
        let vault = file_vault(tmp.path());
        vault.forget("never saved").unwrap();
        assert!(
            !tmp.path().join("config").exists(),
            "forgetting nothing writes nothing"
        );

        vault.store("a", &Secret::new("pa")).unwrap();
        vault.store("b", &Secret::new("pb")).unwrap();
        assert_eq!(vault.rename("a", "c").unwrap(), Some(Backend::File));
        assert_eq!(vault.lookup("a").unwrap(), None);
        assert_eq!(vault.lookup("c").unwrap(), Some(Secret::new("pa")));
        assert_eq!(vault.rename("nothing", "x").unwrap(), None);

        vault.forget("c").unwrap();
        assert_eq!(vault.lookup("c").unwrap(), None);
        assert_eq!(vault.lookup("b").unwrap(), Some(Secret::new("pb")));
        vault.forget("b").unwrap();
        let file = tmp.path().join("config/secrets/secrets.toml");
        assert!(!file.exists(), "no passwords, no file");
    }
}
