//! `secrets.toml`: plaintext passwords readable only by the user, for when there is no keyring.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::vault::Vault;

const FILE_HEADER: &str = "\
# ftpdeck saved passwords: plaintext, readable only by you. Managed by ftpdeck.
# bookmark name = password
";

/// Serialises read-modify-write of the secrets file within the process.
static FILE_LOCK: Mutex<()> = Mutex::new(());

impl Vault {
    fn file_path(&self) -> Result<PathBuf, String> {
        self.dir
            .as_ref()
            .map(|d| d.join("secrets.toml"))
            .ok_or_else(|| "there is no config directory to save passwords in".into())
    }

    pub(super) fn file_read(&self) -> Result<BTreeMap<String, String>, String> {
        let path = self.file_path()?;
        read_map(&path)
    }

    /// Read, change with `change` (which says whether it changed anything), write back.
    pub(super) fn file_update(
        &self,
        change: impl FnOnce(&mut BTreeMap<String, String>) -> bool,
    ) -> Result<(), String> {
        let path = self.file_path()?;
        let _guard = FILE_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let mut map = read_map(&path)?;
        if !change(&mut map) {
            return Ok(());
        }
        write_map(&path, &map)
            .map_err(|e| format!("{}: {}", path.display(), crate::local::plain_io_error(&e)))
    }
}

/// The saved passwords; a missing file is none. Errors never quote the file's content.
fn read_map(path: &Path) -> Result<BTreeMap<String, String>, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(e) => {
            return Err(format!(
                "{}: {}",
                path.display(),
                crate::local::plain_io_error(&e)
            ));
        }
    };
    toml::from_str(&text).map_err(|e| {
        let at = e.span().map_or(0, |s| s.start).min(text.len());
        let line = text[..at].matches('\n').count() + 1;
        format!(
            "{}:{line}: cannot read the saved passwords (expected lines like name = \"password\")",
            path.display()
        )
    })
}

/// Write the map (0600, directory 0700); an empty map removes the file.
fn write_map(path: &Path, map: &BTreeMap<String, String>) -> io::Result<()> {
    if map.is_empty() {
        return match std::fs::remove_file(path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        };
    }
    #[cfg(unix)]
    if let Some(dir) = path.parent().filter(|d| d.is_dir()) {
        // Tighten a directory created (or loosened) by someone else; a new one is made 0700.
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    let mut text = String::from(FILE_HEADER);
    text.push_str(
        &toml::to_string(map).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?,
    );
    crate::fsutil::write_private_atomic(path, text.as_bytes())
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;
    use crate::remote::Secret;
    use crate::secrets::Backend;
    use crate::secrets::vault::file_vault;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn the_file_backend_round_trips_in_private_files() {
        let tmp = tempfile::tempdir().unwrap();
        let vault = file_vault(tmp.path());
        let name = "work \"main\" ✓";
        assert_eq!(vault.lookup(name).unwrap(), None);
        assert_eq!(
            vault.store(name, &Secret::new("hunter2 = \"x\"")).unwrap(),
            Backend::File
        );
        assert_eq!(
            vault.store("other", &Secret::new("pw2")).unwrap(),
            Backend::File
        );
        assert_eq!(
            vault.lookup(name).unwrap(),
            Some(Secret::new("hunter2 = \"x\""))
        );
        vault.store(name, &Secret::new("changed")).unwrap();
        assert_eq!(vault.lookup(name).unwrap(), Some(Secret::new("changed")));
        assert_eq!(vault.lookup("nobody").unwrap(), None);

        let dir = tmp.path().join("config/secrets");
        let file = dir.join("secrets.toml");
        assert_eq!(mode(&file), 0o600);
        assert_eq!(mode(&dir), 0o700);
        assert!(
            std::fs::read_to_string(&file)
                .unwrap()
                .starts_with("# ftpdeck saved passwords")
        );
        let files: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
        assert_eq!(files.len(), 1, "no temp files left");

        // A directory someone loosened is tightened on the next write.
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        vault.store("third", &Secret::new("pw3")).unwrap();
        assert_eq!(mode(&dir), 0o700);
    }

    #[test]
    fn a_broken_secrets_file_is_reported_without_its_content_and_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let vault = file_vault(tmp.path());
        let dir = tmp.path().join("config/secrets");
        std::fs::create_dir_all(&dir).unwrap();
        let text = "# x\nwork = 123456\n";
        std::fs::write(dir.join("secrets.toml"), text).unwrap();
        let err = vault.store("other", &Secret::new("pw")).unwrap_err();
        assert!(
            err.contains("secrets.toml:2: ") && !err.contains("123456"),
            "{err}"
        );
        assert!(vault.lookup("work").is_err());
        assert_eq!(
            std::fs::read_to_string(dir.join("secrets.toml")).unwrap(),
            text
        );
    }
}
