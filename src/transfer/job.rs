//! What a transfer is asked to do.

use std::path::PathBuf;

/// Identifies a job. The UI numbers the jobs it creates; workers number the children of a
/// directory job from [`CHILD_ID_BASE`] up, so the two never collide.
pub type JobId = u64;

/// First id given to jobs created by expanding a directory.
pub const CHILD_ID_BASE: JobId = 1 << 40;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    Upload,
    Download,
}

/// What to do when the destination file already exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Resolution {
    Overwrite,
    /// Continue from the destination's size (when it is smaller than the source).
    Resume,
    Skip,
    /// Write to `name (1).ext` (the first free number).
    Rename,
    /// Overwrite only when the source is newer than the destination; skip otherwise.
    OverwriteIfNewer,
    /// Resume a destination smaller than the source, skip any other (the default of
    /// `ftpdeck get` and `put`; not offered in the TUI's dialog).
    ResumeElseSkip,
}

impl Resolution {
    pub const ALL: [Resolution; 5] = [
        Resolution::Overwrite,
        Resolution::Resume,
        Resolution::Skip,
        Resolution::Rename,
        Resolution::OverwriteIfNewer,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Resolution::Overwrite => "overwrite",
            Resolution::Resume => "resume",
            Resolution::Skip => "skip",
            Resolution::Rename => "rename",
            Resolution::OverwriteIfNewer => "overwrite if newer",
            Resolution::ResumeElseSkip => "resume, else skip",
        }
    }

    /// Parse a config value such as `"overwrite-if-newer"`.
    pub fn parse(s: &str) -> Option<Resolution> {
        let norm = s.trim().to_ascii_lowercase().replace(['_', ' '], "-");
        Resolution::ALL
            .into_iter()
            .find(|r| r.label().replace(' ', "-") == norm)
    }
}

/// What a job does.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum JobKind {
    /// Copy between `remote` and `local` in `direction`: a file, or a tree when `is_dir`.
    #[default]
    Copy,
    /// An operation on the server (`remote`, a tree when `is_dir`), on the job's own connection.
    Remote(Task),
    /// An operation on the local disk (`local`, a tree when `is_dir`): delete or size.
    Local(Task),
}

/// A long operation: on the server, or (delete and size) on the local disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Task {
    /// Delete the entry (a whole tree, planned before anything goes; links as links).
    Delete,
    /// `SITE CHMOD` the entry and, for a directory, everything under it (links are left alone).
    Chmod { mode: u32 },
    /// Count the files, directories and bytes of a tree.
    Size,
    /// Read at most `max_bytes` of a file, for the viewer.
    View { max_bytes: u64 },
    /// Scan the local tree at the job's `local` and the remote one at its `remote` (on several
    /// connections) and compare them into a sync plan; nothing changes. `upload`: the local
    /// tree is the source.
    SyncScan {
        options: crate::sync::Options,
        upload: bool,
    },
    /// Make these directories (paths relative to the job's root on its side), parents first.
    Mkdirs { paths: Vec<String> },
    /// The connection doctor for this server (on connections of its own, not the pool's).
    Doctor {
        profile: Box<crate::remote::Profile>,
    },
    /// A job that panics: proves a failing job fails alone.
    #[cfg(test)]
    Panic,
}

impl Task {
    /// What the task panel calls it.
    pub fn label(&self) -> &'static str {
        match self {
            Task::Delete => "delete",
            Task::Chmod { .. } => "chmod",
            Task::Size => "size",
            Task::View { .. } => "view",
            Task::SyncScan { .. } => "scan",
            Task::Mkdirs { .. } => "mkdir",
            Task::Doctor { .. } => "doctor",
            #[cfg(test)]
            Task::Panic => "panic",
        }
    }
}

/// One unit of work for the pool: a file or a directory to copy, or an operation on the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub id: JobId,
    pub kind: JobKind,
    /// Jobs queued together (one copy command) share a batch; "apply to all" is per batch.
    pub batch: u64,
    /// The directory job this one was expanded from.
    pub parent: Option<JobId>,
    pub direction: Direction,
    /// Remote path: the source of a download, the destination of an upload.
    pub remote: String,
    /// Local path: the destination of a download, the source of an upload.
    pub local: PathBuf,
    pub is_dir: bool,
    /// Source size and modification time, when known from a listing.
    pub size: Option<u64>,
    pub mtime: Option<i64>,
    /// How to treat an existing destination; `None` asks (the job parks with a conflict).
    pub on_exists: Option<Resolution>,
    /// A move: delete the source once the copy is verified complete.
    pub remove_source: bool,
    /// Where the job sits in a recursive copy (empty for one the user started directly).
    pub walk: crate::safety::Walk,
    /// The user confirmed replacing this read-only destination (a policy alone never does).
    pub replace_read_only: bool,
    /// An upload whose destination is known to be missing (its directory was just made by this
    /// copy, or a sync scan found nothing there): it is written without asking the server first.
    pub known_absent: bool,
}

impl Job {
    /// A job for one entry, in its own batch, that asks when the destination exists.
    pub fn new(
        id: JobId,
        direction: Direction,
        remote: impl Into<String>,
        local: impl Into<PathBuf>,
        is_dir: bool,
    ) -> Job {
        Job {
            id,
            kind: JobKind::Copy,
            batch: id,
            parent: None,
            direction,
            remote: remote.into(),
            local: local.into(),
            is_dir,
            size: None,
            mtime: None,
            on_exists: None,
            remove_source: false,
            walk: Default::default(),
            replace_read_only: false,
            known_absent: false,
        }
    }

    /// A task on the server for `path` (a directory when `is_dir`).
    pub fn remote_task(id: JobId, task: Task, path: impl Into<String>, is_dir: bool) -> Job {
        Job {
            kind: JobKind::Remote(task),
            ..Job::new(id, Direction::Download, path, PathBuf::new(), is_dir)
        }
    }

    /// A task on the local disk for `path` (a directory when `is_dir`).
    pub fn local_task(id: JobId, task: Task, path: impl Into<PathBuf>, is_dir: bool) -> Job {
        Job {
            kind: JobKind::Local(task),
            ..Job::new(id, Direction::Upload, String::new(), path, is_dir)
        }
    }

    /// The task this job is, if it is one (not a copy).
    pub fn task(&self) -> Option<&Task> {
        match &self.kind {
            JobKind::Remote(t) | JobKind::Local(t) => Some(t),
            JobKind::Copy => None,
        }
    }

    /// A task on the local disk (it needs no connection).
    pub fn is_local_task(&self) -> bool {
        matches!(self.kind, JobKind::Local(_))
    }

    /// The connection doctor for `profile`: a task that makes its own connections.
    pub fn doctor(id: JobId, profile: crate::remote::Profile) -> Job {
        let label = profile.label();
        Job::remote_task(
            id,
            Task::Doctor {
                profile: Box::new(profile),
            },
            label,
            false,
        )
    }

    /// Whether the job runs on a connection of the pool (to the pool's server).
    pub fn needs_connection(&self) -> bool {
        !self.is_local_task() && !matches!(self.task(), Some(Task::Doctor { .. }))
    }

    /// An upload of one file (not a directory, not a task).
    pub fn is_file_upload(&self) -> bool {
        self.direction == Direction::Upload && !self.is_dir && self.kind == JobKind::Copy
    }

    /// A download of one file (not a directory, not a task).
    pub fn is_file_download(&self) -> bool {
        self.direction == Direction::Download && !self.is_dir && self.kind == JobKind::Copy
    }

    /// A directory copy (it expands into child jobs).
    pub fn is_tree_copy(&self) -> bool {
        self.is_dir && self.kind == JobKind::Copy
    }

    /// The path this job writes, which no other job may write at the same time (`None` for a
    /// task that only reads).
    pub fn dest(&self) -> Option<crate::safety::Dest> {
        self.dest_cached(&mut Default::default())
    }

    /// [`Job::dest`], with the local parent directories resolved once per `parents`.
    pub fn dest_cached(
        &self,
        parents: &mut crate::safety::claims::Parents,
    ) -> Option<crate::safety::Dest> {
        use crate::safety::Dest;
        match (&self.kind, self.direction) {
            (JobKind::Copy, Direction::Download) => Some(Dest::local_cached(&self.local, parents)),
            (JobKind::Copy, Direction::Upload) => Some(crate::safety::Dest::remote(&self.remote)),
            (JobKind::Remote(Task::Delete | Task::Chmod { .. }), _) => {
                Some(crate::safety::Dest::remote(&self.remote))
            }
            (JobKind::Local(Task::Delete), _) => Some(Dest::local_cached(&self.local, parents)),
            (JobKind::Remote(_) | JobKind::Local(_), _) => None,
        }
    }

    /// The entry's name (last path component of the source).
    pub fn name(&self) -> String {
        if self.is_local_task() {
            return self
                .local
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| self.local.to_string_lossy().into_owned());
        }
        if self.task().is_some() {
            return crate::remote::path::file_name(&self.remote)
                .unwrap_or("/")
                .to_string();
        }
        match self.direction {
            Direction::Download => crate::remote::path::file_name(&self.remote)
                .unwrap_or("/")
                .to_string(),
            Direction::Upload => self
                .local
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| self.local.to_string_lossy().into_owned()),
        }
    }
}

/// `report.pdf` -> `report (n).pdf`; `archive.tar.gz` -> `archive (n).tar.gz`; `.bashrc` -> `.bashrc (n)`.
pub fn numbered_name(name: &str, n: u32) -> String {
    let split = name
        .char_indices()
        .skip(1) // a leading dot is part of the stem
        .find(|&(_, c)| c == '.')
        .map(|(i, _)| i);
    match split {
        Some(i) => format!("{} ({n}){}", &name[..i], &name[i..]),
        None => format!("{name} ({n})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_names() {
        assert_eq!(numbered_name("report.pdf", 1), "report (1).pdf");
        assert_eq!(numbered_name("archive.tar.gz", 2), "archive (2).tar.gz");
        assert_eq!(numbered_name(".bashrc", 1), ".bashrc (1)");
        assert_eq!(numbered_name("README", 3), "README (3)");
    }

    #[test]
    fn resolutions_parse_from_config_words() {
        assert_eq!(
            Resolution::parse("overwrite-if-newer"),
            Some(Resolution::OverwriteIfNewer)
        );
        assert_eq!(Resolution::parse("Skip"), Some(Resolution::Skip));
        assert_eq!(Resolution::parse("ask"), None);
    }
}
