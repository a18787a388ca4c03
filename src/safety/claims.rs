//! One destination, one job: two transfers writing the same file would share its `.part` and
//! corrupt it. Every queued, running or waiting job claims its destination; a second job for a
//! claimed destination is refused.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

/// A path a transfer writes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Dest {
    Local(PathBuf),
    Remote(String),
}

impl Dest {
    /// The local destination, normalised: `.` and `..` folded, and the parent directory resolved
    /// through symlinks where it exists, so two spellings of one file are one claim.
    pub fn local(path: &Path) -> Dest {
        Dest::local_cached(path, &mut Parents::default())
    }

    /// [`Dest::local`], each parent directory resolved once for all the paths given with one
    /// `parents` (the entries of one directory share it).
    pub fn local_cached(path: &Path, parents: &mut Parents) -> Dest {
        let lexical = lexical(path);
        let resolved = match (lexical.parent(), lexical.file_name()) {
            (Some(parent), Some(name)) => {
                let real = parents
                    .0
                    .entry(parent.to_path_buf())
                    .or_insert_with(|| parent.canonicalize().ok());
                match real {
                    Some(p) => p.join(name),
                    None => lexical,
                }
            }
            _ => lexical,
        };
        Dest::Local(resolved)
    }

    /// The remote destination, normalised: repeated and trailing slashes dropped, `.` and `..`
    /// folded.
    pub fn remote(path: &str) -> Dest {
        let mut parts: Vec<&str> = Vec::new();
        for p in path.split('/') {
            match p {
                "" | "." => {}
                ".." => {
                    parts.pop();
                }
                p => parts.push(p),
            }
        }
        let joined = parts.join("/");
        Dest::Remote(if path.starts_with('/') || joined.is_empty() {
            format!("/{joined}")
        } else {
            joined
        })
    }

    /// How the path reads in a message.
    pub fn show(&self) -> String {
        match self {
            Dest::Local(p) => crate::sanitize::display_name(&p.to_string_lossy()),
            Dest::Remote(p) => crate::sanitize::display_name(p),
        }
    }
}

/// Parent directories already resolved (`None`: it could not be, the path stays lexical).
#[derive(Debug, Default)]
pub struct Parents(HashMap<PathBuf, Option<PathBuf>>);

fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Destinations and the job holding each.
#[derive(Debug, Default)]
pub struct Claims {
    held: HashMap<Dest, u64>,
}

impl Claims {
    /// Claim `dest` for job `id`. Claiming again for the same job is fine (a retried or resumed
    /// job); a destination another job holds is refused with that job's id.
    pub fn claim(&mut self, dest: Dest, id: u64) -> Result<(), u64> {
        match self.held.get(&dest) {
            Some(&holder) if holder != id => Err(holder),
            _ => {
                self.held.insert(dest, id);
                Ok(())
            }
        }
    }

    /// Give up every destination job `id` holds.
    pub fn release(&mut self, id: u64) {
        self.held.retain(|_, holder| *holder != id);
    }

    /// Whether anyone holds `dest`.
    pub fn is_held(&self, dest: &Dest) -> bool {
        self.held.contains_key(dest)
    }
}

/// The message for a refused duplicate.
pub fn busy_reason(dest: &Dest) -> String {
    format!(
        "another transfer is already writing {} — wait for it, or cancel it in the transfer panel",
        dest.show()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_job_per_destination() {
        let mut c = Claims::default();
        assert_eq!(c.claim(Dest::remote("/a/b.txt"), 1), Ok(()));
        assert_eq!(
            c.claim(Dest::remote("/a//./b.txt"), 1),
            Ok(()),
            "same job again"
        );
        assert_eq!(c.claim(Dest::remote("//a/x/../b.txt/"), 2), Err(1));
        c.release(1);
        assert_eq!(c.claim(Dest::remote("/a/b.txt"), 2), Ok(()));
        assert!(c.is_held(&Dest::remote("/a/b.txt")));
    }

    #[test]
    fn local_spellings_fold_together() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir(d.path().join("sub")).unwrap();
        let a = Dest::local(&d.path().join("sub/f.txt"));
        let b = Dest::local(&d.path().join("sub/../sub/./f.txt"));
        assert_eq!(a, b);
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(d.path().join("sub"), d.path().join("link")).unwrap();
            assert_eq!(a, Dest::local(&d.path().join("link/f.txt")));
        }
    }
}
