//! `Entry`: the one type both panes show, whether it came from the local disk or an FTP listing.

/// What kind of thing a directory entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntryKind {
    File,
    Dir,
    Symlink,
    /// A listing line we could not parse: shown with its raw text as the name.
    Unknown,
}

/// One row of a pane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The name exactly as the server (or the file system) gave it, decoded as UTF-8
    /// (lossy where needed). Never shown as is: see [`crate::sanitize::display_name`].
    pub name: String,
    pub kind: EntryKind,
    /// Size in bytes, if known.
    pub size: Option<u64>,
    /// Modification time as seconds since the Unix epoch (UTC), if known.
    pub mtime: Option<i64>,
    /// Permission string as shown by `ls -l` (e.g. `rwxr-xr-x`), if known.
    pub perms: Option<String>,
    /// Target of a symbolic link, if this is one and the target is known.
    pub link_target: Option<String>,
    /// The server's MLSD `unique` fact (same value, same file or directory), if offered.
    pub unique: Option<String>,
}

impl Entry {
    /// A plain entry with only a name and kind.
    pub fn new(name: impl Into<String>, kind: EntryKind) -> Self {
        Entry {
            name: name.into(),
            kind,
            size: None,
            mtime: None,
            perms: None,
            link_target: None,
            unique: None,
        }
    }

    /// True for entries that can be opened like a directory.
    pub fn is_dir(&self) -> bool {
        self.kind == EntryKind::Dir
    }

    /// Hidden by the usual Unix convention (a leading dot).
    pub fn is_hidden(&self) -> bool {
        self.name.starts_with('.')
    }
}
