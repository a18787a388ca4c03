//! Where `bookmarks.toml` lives, and loading and saving it.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::format::{parse, render};
use super::model::Store;

/// One save at a time within the process (concurrent writers would share a temp file).
static SAVE_LOCK: Mutex<()> = Mutex::new(());

/// Why `load` failed; the file is left as it was.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file exists but cannot be read.
    #[error("{}: {}", path.display(), crate::local::plain_io_error(source))]
    Io { path: PathBuf, source: io::Error },
    /// The file is not valid bookmarks TOML; `line` is 1-based.
    #[error("{}:{line}: {message}", path.display())]
    Parse {
        path: PathBuf,
        line: usize,
        message: String,
    },
}

/// Where the bookmarks live: `$FTPDECK_BOOKMARKS`, else `bookmarks.toml` in the config dir.
pub fn bookmarks_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("FTPDECK_BOOKMARKS") {
        return Some(PathBuf::from(p));
    }
    directories::ProjectDirs::from("", "", "ftpdeck").map(|d| d.config_dir().join("bookmarks.toml"))
}

/// Read the store; a missing file is an empty store.
pub fn load(path: &Path) -> Result<Store, LoadError> {
    let bytes = match fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Store::default()),
        Err(source) => {
            return Err(LoadError::Io {
                path: path.into(),
                source,
            });
        }
    };
    parse(&bytes).map_err(|(line, message)| LoadError::Parse {
        path: path.into(),
        line,
        message,
    })
}

/// Write the store atomically (mode 0600, directory 0700 if created). Refuses to replace a
/// file that does not parse, so a hand-edited file with a typo is never lost.
pub fn save(path: &Path, store: &Store) -> io::Result<()> {
    let text = render(store)?;
    let _guard = SAVE_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    if let Ok(Err((line, message))) = fs::read(path).map(|old| parse(&old)) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "{}:{line}: {message} — fix or remove the file; ftpdeck will not overwrite it",
                path.display()
            ),
        ));
    }
    crate::fsutil::write_private_atomic(path, text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bookmarks::fixtures::sample;
    use crate::bookmarks::{Bookmark, PasswordSource};
    use crate::remote::{Profile, Secret, Security};

    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn round_trip_keeps_everything_in_readable_toml() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bookmarks.toml");
        let store = sample();
        save(&path, &store).unwrap();
        assert_eq!(load(&path).unwrap(), store);
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("# ftpdeck bookmarks. Managed by ftpdeck; safe to edit"));
        for expected in [
            "[[bookmark]]",
            "security = \"explicit\"",
            "security = \"implicit\"",
            "security = \"none\"",
            "data_mode = \"active\"",
            "data_mode = \"passive\"",
            "password = \"saved\"",
            "password = \"none\"",
            "password = \"ask\"",
            "password_cmd = ",
            "charset = \"shift_jis\"",
            "charset = \"big5\"",
            "[[recent]]",
        ] {
            assert!(text.contains(expected), "{expected} missing in:\n{text}");
        }
        // Saving what was loaded changes nothing.
        save(&path, &load(&path).unwrap()).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), text);
    }

    #[test]
    fn a_missing_file_is_an_empty_store_and_hand_written_entries_get_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bookmarks.toml");
        assert_eq!(load(&path).unwrap(), Store::default());
        fs::write(
            &path,
            "[[bookmark]]\nname = \"a\"\nhost = \"h\"\n\n[[bookmark]]\nname = \"b\"\nhost = \"h\"\nuser = \"me\"\nsecurity = \"implicit\"\n",
        )
        .unwrap();
        let store = load(&path).unwrap();
        let a = store.find("a").unwrap();
        assert_eq!((a.port, a.user.as_str()), (21, "anonymous"));
        assert_eq!(a.password, PasswordSource::None);
        let b = store.find("b").unwrap();
        assert_eq!((b.port, b.security), (990, Security::ImplicitTls));
        assert_eq!(b.password, PasswordSource::Ask);
    }

    #[test]
    fn the_file_is_0600_and_a_new_directory_0700() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new/config/bookmarks.toml");
        save(&path, &sample()).unwrap();
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(path.parent().unwrap()), 0o700);
        // A file that was readable by others is replaced by a private one.
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        save(&path, &Store::default()).unwrap();
        assert_eq!(mode(&path), 0o600);
        assert_eq!(
            entries(path.parent().unwrap()),
            ["bookmarks.toml"],
            "no temp file left"
        );
    }

    #[test]
    fn a_save_killed_mid_write_leaves_the_old_file_intact() {
        use std::os::unix::process::ExitStatusExt;
        // In the child process this test runs itself in: just save, and be killed doing it.
        if let Some(path) = std::env::var_os("FTPDECK_TEST_DOOMED_SAVE") {
            let _ = save(Path::new(&path), &Store::default());
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bookmarks.toml");
        save(&path, &sample()).unwrap();
        let before = fs::read(&path).unwrap();

        // `ulimit -f 0`: the first byte written to a file kills the saving process, as a crash
        // or power cut would (this works as root too, unlike a read-only directory).
        // This test's name as the harness knows it: its module path without the crate.
        let me = concat!(
            module_path!(),
            "::a_save_killed_mid_write_leaves_the_old_file_intact"
        );
        let me = me.split_once("::").map_or(me, |(_, path)| path);
        let status = std::process::Command::new("sh")
            .arg("-c")
            .arg("ulimit -f 0; exec \"$0\" --exact \"$1\"")
            .arg(std::env::current_exe().unwrap())
            .arg(me)
            .env("FTPDECK_TEST_DOOMED_SAVE", &path)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .unwrap();
        assert_eq!(status.signal(), Some(25), "killed by SIGXFSZ: {status:?}");
        assert_eq!(fs::read(&path).unwrap(), before, "the old file is intact");
        let names = entries(dir.path());
        assert_eq!(
            names.len(),
            2,
            "the dead save left its temp file: {names:?}"
        );

        // Nothing reads the stray temp file, and the next save works.
        assert_eq!(load(&path).unwrap(), sample());
        let mut changed = sample();
        changed.remove("gnu");
        save(&path, &changed).unwrap();
        assert_eq!(load(&path).unwrap(), changed);
    }

    #[test]
    fn a_broken_file_is_reported_with_its_line_and_kept_byte_for_byte() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bookmarks.toml");
        let text = "# mine\n[[bookmark]]\nname = \"x\"\nhost = \"h\"\nport = \n";
        fs::write(&path, text).unwrap();
        let err = load(&path).unwrap_err();
        assert!(matches!(err, LoadError::Parse { line: 5, .. }), "{err:?}");
        let shown = err.to_string();
        assert!(
            shown.starts_with(&format!("{}:5: ", path.display())),
            "{shown}"
        );
        // Saving over it is refused, so the user's edits survive.
        let refused = save(&path, &sample()).unwrap_err();
        assert!(refused.to_string().contains(":5: "), "{refused}");
        assert_eq!(fs::read(&path).unwrap(), text.as_bytes());
        assert_eq!(entries(dir.path()), ["bookmarks.toml"]);

        // Bytes: the last one is not UTF-8.
        let cases: [(&[u8], usize, &str); 6] = [
            (
                b"[[bookmark]]\nname = \"x\"\nhost = \"h\"\nsecurity = \"tls\"\n",
                4,
                "security must be",
            ),
            (
                b"[[bookmark]]\nname = \"x\"\nhost = \"h\"\nremote_dri = \"/\"\n",
                4,
                "remote_dri",
            ),
            (b"\n[[recent]]\nhost = \"h\"\n", 2, "missing field"),
            (b"[[bookmark]]\nname = \"x\"\nhost = \"h\"\npassword = \"saved\"\npassword_cmd = \"c\"\n", 1, "not both"),
            (b"a = 1\n\n\xff\n", 3, "UTF-8"),
            (
                b"[[bookmark]]\nname = \"x\"\nhost = \"h\"\n\ncharset = \"klingon\"\n",
                5,
                "unknown charset \"klingon\"",
            ),
        ];
        for (text, line, needle) in cases {
            fs::write(&path, text).unwrap();
            let err = load(&path).unwrap_err();
            let text = String::from_utf8_lossy(text);
            let LoadError::Parse {
                line: got, message, ..
            } = &err
            else {
                panic!("{err:?}")
            };
            assert_eq!(*got, line, "{text:?}: {err}");
            assert!(message.contains(needle), "{text:?}: {err}");
        }
    }

    #[test]
    fn passwords_never_reach_the_file_or_its_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bookmarks.toml");
        let profile = Profile {
            host: "h".into(),
            user: "alice".into(),
            password: Some(Secret::new("s3cret-pw")),
            ..Profile::default()
        };
        let mut store = Store::default();
        store.upsert(Bookmark::from_profile("b", &profile));
        store.remember(&profile, 1);
        save(&path, &store).unwrap();
        assert!(!fs::read_to_string(&path).unwrap().contains("s3cret-pw"));
        assert_eq!(
            load(&path).unwrap().bookmarks[0].to_profile(None).password,
            None
        );

        // A password typed into the file by mistake is refused without being repeated.
        fs::write(
            &path,
            "[[bookmark]]\nname = \"b\"\nhost = \"h\"\npassword = \"s3cret-pw\"\n",
        )
        .unwrap();
        let err = load(&path).unwrap_err().to_string();
        assert!(
            err.contains(":4: password must be") && !err.contains("s3cret"),
            "{err}"
        );
    }
}
