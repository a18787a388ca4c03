//! `ftpdeck --demo`: a scratch copy of the demo tree shipped in `assets/demo`, served by the
//! embedded server. The tree is compiled into the binary, so the demo works from anywhere.

use std::path::{Path, PathBuf};

/// The shipped demo files: (relative path, contents).
const FILES: &[(&str, &[u8])] = &[
    ("README.txt", include_bytes!("../assets/demo/README.txt")),
    (
        "docs/guide.md",
        include_bytes!("../assets/demo/docs/guide.md"),
    ),
    (
        "docs/notes.txt",
        include_bytes!("../assets/demo/docs/notes.txt"),
    ),
    (
        "docs/.hidden-config",
        include_bytes!("../assets/demo/docs/.hidden-config"),
    ),
    (
        "photos/sea.png",
        include_bytes!("../assets/demo/photos/sea.png"),
    ),
    (
        "photos/sunset.png",
        include_bytes!("../assets/demo/photos/sunset.png"),
    ),
    (
        "projects/data.csv",
        include_bytes!("../assets/demo/projects/data.csv"),
    ),
    (
        "projects/ftpdeck/main.rs",
        include_bytes!("../assets/demo/projects/ftpdeck/main.rs"),
    ),
    (
        "a folder with spaces/hello world.txt",
        include_bytes!("../assets/demo/a folder with spaces/hello world.txt"),
    ),
    (
        "日本語/挨拶.txt",
        include_bytes!("../assets/demo/日本語/挨拶.txt"),
    ),
    (
        "🎉 party.txt",
        include_bytes!("../assets/demo/🎉 party.txt"),
    ),
];

/// Number of generated files in `logs/`, enough to show scrolling.
const GENERATED_LOGS: usize = 250;

/// A scratch directory holding the demo tree; removed when dropped.
pub struct DemoTree {
    root: PathBuf,
}

impl DemoTree {
    /// Write the demo tree into a fresh directory under the system temp dir.
    pub fn create() -> std::io::Result<DemoTree> {
        let tree = DemoTree {
            root: crate::scratch::fresh_path("ftpdeck-demo"),
        };
        write_tree(&tree.root)?;
        Ok(tree)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }
}

impl Drop for DemoTree {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// Write the demo files, an empty directory and generated logs under `root`.
pub fn write_tree(root: &Path) -> std::io::Result<()> {
    for (rel, data) in FILES {
        let path = root.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, data)?;
    }
    std::fs::create_dir_all(root.join("empty"))?;
    let logs = root.join("logs");
    std::fs::create_dir_all(&logs)?;
    for i in 1..=GENERATED_LOGS {
        let line = format!("day {i}: all systems nominal\n");
        std::fs::write(logs.join(format!("day-{i}.log")), line.repeat(i))?;
    }
    Ok(())
}
