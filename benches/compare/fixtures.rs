//! The fixtures every contest works on, and the checks that a copy of them is exact.
//!
//! - `big.bin`: one large file, a pseudo-random 1 MiB block written over and over (fast to make,
//!   incompressible enough, and checkable chunk by chunk without a second copy);
//! - `dir20k/`: a directory of many tiny files, for listings;
//! - `tree/`: many files of mixed sizes a few levels deep (`dNN/sNN/fNNN.dat`);
//! - `ui/`: a few names for the big file (hard links), for the UI contest's downloads.

use std::fs::{self, File};
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

pub const BLOCK: usize = 1 << 20;
pub const MIB: u64 = 1 << 20;

/// How big the fixtures are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sizes {
    pub big: u64,
    pub dir_entries: usize,
    pub tree_files: usize,
    pub tree_bytes: u64,
    /// Names for the big file under `ui/`.
    pub ui_copies: usize,
    /// The file many clients download at once from `ftpdeck serve` (its memory figure).
    pub serve_file: u64,
}

impl Sizes {
    pub const FULL: Sizes = Sizes {
        big: 1024 * MIB,
        dir_entries: 20_000,
        tree_files: 2_000,
        tree_bytes: 100 * MIB,
        ui_copies: 12,
        serve_file: 64 * MIB,
    };
    /// `BENCH_QUICK=1`: a smoke run.
    pub const QUICK: Sizes = Sizes {
        big: 64 * MIB,
        dir_entries: 2_000,
        tree_files: 200,
        tree_bytes: 10 * MIB,
        ui_copies: 60,
        serve_file: 8 * MIB,
    };
}

/// A deterministic pseudo-random block (xorshift64*), the same for the same seed.
pub fn block(seed: u64) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut out = Vec::with_capacity(BLOCK);
    while out.len() < BLOCK {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        out.extend_from_slice(&state.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes());
    }
    out
}

/// Write `size` bytes of `block` repeated.
pub fn write_big(path: &Path, size: u64, block: &[u8]) -> io::Result<()> {
    let mut f = File::create(path)?;
    let mut left = size;
    while left > 0 {
        let n = left.min(block.len() as u64) as usize;
        f.write_all(&block[..n])?;
        left -= n as u64;
    }
    f.sync_all()
}

/// Check that `path` is exactly `size` bytes of `block` repeated (what [`write_big`] wrote).
pub fn check_big(path: &Path, size: u64, block: &[u8]) -> Result<(), String> {
    let len = fs::metadata(path)
        .map_err(|e| format!("{}: {e}", path.display()))?
        .len();
    if len != size {
        return Err(format!("{}: {len} bytes, expected {size}", path.display()));
    }
    let mut f = File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut buf = vec![0u8; block.len()];
    let mut offset = 0u64;
    while offset < size {
        let n = (size - offset).min(block.len() as u64) as usize;
        f.read_exact(&mut buf[..n])
            .map_err(|e| format!("{}: {e}", path.display()))?;
        if buf[..n] != block[..n] {
            return Err(format!(
                "{}: content differs in the MiB at {offset}",
                path.display()
            ));
        }
        offset += n as u64;
    }
    Ok(())
}

/// The name of entry `i` (1-based) of a wide directory of `n` entries: `file-00001.txt`.
pub fn wide_name(i: usize, n: usize) -> String {
    let width = n.to_string().len().max(5);
    format!("file-{i:0width$}.txt")
}

pub fn write_wide_dir(dir: &Path, n: usize) -> io::Result<()> {
    fs::create_dir_all(dir)?;
    for i in 1..=n {
        fs::write(dir.join(wide_name(i, n)), format!("{i}\n"))?;
    }
    Ok(())
}

/// One file of the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeFile {
    pub rel: PathBuf,
    pub size: u64,
    /// Where in the block its content starts.
    pub offset: usize,
}

/// The tree's layout: leaf directories of 20 files, ten leaves per top directory, sizes
/// skewed (many small files, a few up to ~3.5× the mean) and adding up to `total` exactly.
pub fn tree_plan(files: usize, total: u64) -> Vec<TreeFile> {
    let mut state: u64 = 0x005E_ED0F_7EE5;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let weights: Vec<f64> = (0..files).map(|_| 0.05 + next().powi(3)).collect();
    let sum: f64 = weights.iter().sum();
    let mut plan: Vec<TreeFile> = weights
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let leaf = i / 20;
            TreeFile {
                rel: PathBuf::from(format!("d{:02}", leaf / 10))
                    .join(format!("s{:02}", leaf % 10))
                    .join(format!("f{:03}.dat", i % 20)),
                size: ((w / sum) * total as f64).floor() as u64,
                offset: (i * 7919 * 13) % BLOCK,
            }
        })
        .collect();
    let planned: u64 = plan.iter().map(|f| f.size).sum();
    if let Some(last) = plan.last_mut() {
        last.size += total.saturating_sub(planned);
    }
    plan
}

/// The content of a tree file: `size` bytes of the block from `offset`, wrapping around.
pub fn tree_content(file: &TreeFile, block: &[u8]) -> Vec<u8> {
    block
        .iter()
        .cycle()
        .skip(file.offset)
        .take(file.size as usize)
        .copied()
        .collect()
}

pub fn write_tree(root: &Path, plan: &[TreeFile], block: &[u8]) -> io::Result<()> {
    for file in plan {
        let path = root.join(&file.rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        let mut w = BufWriter::new(File::create(&path)?);
        w.write_all(&tree_content(file, block))?;
        w.flush()?;
    }
    Ok(())
}

/// What a verified copy held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Copied {
    pub files: usize,
    pub bytes: u64,
}

/// Check that `actual` holds exactly what `expected` holds: the same directories and files,
/// with the same sizes and bytes. Leftovers (`.part` files, extra entries) are differences too.
pub fn compare_trees(expected: &Path, actual: &Path) -> Result<Copied, String> {
    let want = walk(expected).map_err(|e| format!("{}: {e}", expected.display()))?;
    let have = walk(actual).map_err(|e| format!("{}: {e}", actual.display()))?;
    let missing: Vec<_> = want.iter().filter(|e| !have.contains(e)).take(3).collect();
    let extra: Vec<_> = have.iter().filter(|e| !want.contains(e)).take(3).collect();
    if !missing.is_empty() || !extra.is_empty() {
        return Err(format!(
            "{} differs from {}: missing {missing:?}, extra {extra:?} (first three of each; \
             {} entries expected, {} found)",
            actual.display(),
            expected.display(),
            want.len(),
            have.len()
        ));
    }
    let mut copied = Copied { files: 0, bytes: 0 };
    for (rel, is_dir) in &want {
        if *is_dir {
            continue;
        }
        let bytes = same_file(&expected.join(rel), &actual.join(rel))?;
        copied.files += 1;
        copied.bytes += bytes;
    }
    Ok(copied)
}

/// Every entry under `root` as (relative path, is a directory), sorted.
fn walk(root: &Path) -> io::Result<Vec<(PathBuf, bool)>> {
    let mut out = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        for entry in fs::read_dir(root.join(&rel))? {
            let entry = entry?;
            let child = rel.join(entry.file_name());
            let is_dir = entry.file_type()?.is_dir();
            if is_dir {
                stack.push(child.clone());
            }
            out.push((child, is_dir));
        }
    }
    out.sort();
    Ok(out)
}

/// Compare two files byte for byte; their common size on success.
pub fn same_file(a: &Path, b: &Path) -> Result<u64, String> {
    let open = |p: &Path| File::open(p).map_err(|e| format!("{}: {e}", p.display()));
    let (la, lb) = (
        open(a)?.metadata().map_err(|e| e.to_string())?.len(),
        open(b)?.metadata().map_err(|e| e.to_string())?.len(),
    );
    if la != lb {
        return Err(format!(
            "{}: {lb} bytes, expected {la} (as {})",
            b.display(),
            a.display()
        ));
    }
    let (mut fa, mut fb) = (open(a)?, open(b)?);
    let (mut ba, mut bb) = (vec![0u8; 256 * 1024], vec![0u8; 256 * 1024]);
    let mut left = la;
    while left > 0 {
        let n = left.min(ba.len() as u64) as usize;
        fa.read_exact(&mut ba[..n]).map_err(|e| e.to_string())?;
        fb.read_exact(&mut bb[..n]).map_err(|e| e.to_string())?;
        if ba[..n] != bb[..n] {
            return Err(format!(
                "{}: content differs from {}",
                b.display(),
                a.display()
            ));
        }
        left -= n as u64;
    }
    Ok(la)
}

/// Mirror `src` into `dst` with hard links (copies across file systems): the same fixtures in
/// several server roots without using the disk twice.
pub fn link_tree(src: &Path, dst: &Path) -> io::Result<()> {
    fs::create_dir_all(dst)?;
    for entry in fs::read_dir(src)? {
        let entry = entry?;
        let (from, to) = (entry.path(), dst.join(entry.file_name()));
        if entry.file_type()?.is_dir() {
            link_tree(&from, &to)?;
        } else if fs::hard_link(&from, &to).is_err() {
            fs::copy(&from, &to)?;
        }
    }
    Ok(())
}

/// Remove everything inside `dir`, keeping `dir`.
pub fn empty_dir(dir: &Path) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() && !path.is_symlink() {
            fs::remove_dir_all(&path)?;
        } else {
            fs::remove_file(&path)?;
        }
    }
    Ok(())
}

/// The `i`th (1-based) name of the big file under `ui/`: `f01.bin`; zero-padded so that any
/// sort order lists them in the same order.
pub fn ui_name(i: usize) -> String {
    format!("f{i:02}.bin")
}

/// The fixture set, made once in `root`.
pub struct Fixtures {
    pub root: PathBuf,
    pub block: Vec<u8>,
    pub tree_bytes: u64,
}

impl Fixtures {
    pub fn create(root: &Path, sizes: Sizes) -> io::Result<Fixtures> {
        let block = block(1);
        write_big(&root.join("big.bin"), sizes.big, &block)?;
        write_wide_dir(&root.join("dir20k"), sizes.dir_entries)?;
        let plan = tree_plan(sizes.tree_files, sizes.tree_bytes);
        write_tree(&root.join("tree"), &plan, &block)?;
        let ui = root.join("ui");
        fs::create_dir_all(&ui)?;
        for i in 1..=sizes.ui_copies {
            fs::hard_link(root.join("big.bin"), ui.join(ui_name(i)))?;
        }
        Ok(Fixtures {
            root: root.to_path_buf(),
            block,
            tree_bytes: plan.iter().map(|f| f.size).sum(),
        })
    }

    pub fn big(&self) -> PathBuf {
        self.root.join("big.bin")
    }

    pub fn tree(&self) -> PathBuf {
        self.root.join("tree")
    }
}

pub fn tests() -> Vec<super::Case> {
    vec![
        super::case("fixtures: the block is deterministic and varied", || {
            let (a, b) = (block(1), block(1));
            assert_eq!(a.len(), BLOCK);
            assert_eq!(a, b);
            assert_ne!(a, block(2));
            let mut seen = [false; 256];
            for &x in &a {
                seen[x as usize] = true;
            }
            assert!(seen.iter().all(|&s| s), "every byte value occurs");
        }),
        super::case(
            "fixtures: big file written and checked, corruption found",
            || {
                let dir = tempfile::tempdir().unwrap();
                let p = dir.path().join("big.bin");
                let blk = block(1);
                let size = 2 * BLOCK as u64 + 12_345;
                write_big(&p, size, &blk).unwrap();
                assert_eq!(fs::metadata(&p).unwrap().len(), size);
                check_big(&p, size, &blk).unwrap();
                assert!(check_big(&p, size + 1, &blk).is_err(), "size mismatch");
                let mut data = fs::read(&p).unwrap();
                data[BLOCK + 7] ^= 1;
                fs::write(&p, &data).unwrap();
                let err = check_big(&p, size, &blk).unwrap_err();
                assert!(err.contains("1048576"), "{err}");
            },
        ),
        super::case("fixtures: wide directory names sort and scale", || {
            assert_eq!(wide_name(1, 20_000), "file-00001.txt");
            assert_eq!(wide_name(20_000, 20_000), "file-20000.txt");
            assert_eq!(wide_name(7, 2_000), "file-00007.txt");
            assert_eq!(wide_name(1, 200_000), "file-000001.txt");
            let dir = tempfile::tempdir().unwrap();
            write_wide_dir(&dir.path().join("w"), 30).unwrap();
            assert_eq!(fs::read_dir(dir.path().join("w")).unwrap().count(), 30);
        }),
        super::case(
            "fixtures: tree plan is deterministic, sums exactly, a few levels deep",
            || {
                let plan = tree_plan(2_000, 100 * MIB);
                assert_eq!(plan, tree_plan(2_000, 100 * MIB));
                assert_eq!(plan.len(), 2_000);
                assert_eq!(plan.iter().map(|f| f.size).sum::<u64>(), 100 * MIB);
                let mean = 100 * MIB / 2_000;
                let small = plan.iter().filter(|f| f.size < mean).count();
                assert!(small > 1_000, "mostly small files: {small}");
                assert!(plan.iter().all(|f| f.size > 0));
                assert!(plan.iter().map(|f| f.size).max().unwrap() > 2 * mean);
                assert_eq!(plan[0].rel, PathBuf::from("d00/s00/f000.dat"));
                assert_eq!(plan[1_999].rel, PathBuf::from("d09/s09/f019.dat"));
                let quick = tree_plan(200, 10 * MIB);
                assert_eq!(quick.iter().map(|f| f.size).sum::<u64>(), 10 * MIB);
                assert_eq!(quick[199].rel, PathBuf::from("d00/s09/f019.dat"));
            },
        ),
        super::case("fixtures: tree content wraps around the block", || {
            let blk: Vec<u8> = (0..BLOCK).map(|i| (i % 251) as u8).collect();
            let f = TreeFile {
                rel: "x".into(),
                size: 10,
                offset: BLOCK - 3,
            };
            let c = tree_content(&f, &blk);
            assert_eq!(c.len(), 10);
            assert_eq!(&c[..3], &blk[BLOCK - 3..]);
            assert_eq!(&c[3..], &blk[..7]);
        }),
        super::case(
            "fixtures: tree comparison finds missing, extra and changed files",
            || {
                let dir = tempfile::tempdir().unwrap();
                let (a, b) = (dir.path().join("a"), dir.path().join("b"));
                let blk = block(3);
                let plan = tree_plan(45, 300_000);
                write_tree(&a, &plan, &blk).unwrap();
                link_tree(&a, &b).unwrap();
                let ok = compare_trees(&a, &b).unwrap();
                assert_eq!(
                    ok,
                    Copied {
                        files: 45,
                        bytes: 300_000
                    }
                );
                // A leftover partial file is a difference.
                fs::write(b.join("d00/s00/f000.dat.part"), b"x").unwrap();
                assert!(compare_trees(&a, &b).unwrap_err().contains("extra"));
                fs::remove_file(b.join("d00/s00/f000.dat.part")).unwrap();
                // Changed content (a new file, not the hard link's shared inode).
                let victim = b.join("d00/s01/f003.dat");
                let mut data = fs::read(&victim).unwrap();
                fs::remove_file(&victim).unwrap();
                data[0] ^= 0xff;
                fs::write(&victim, &data).unwrap();
                assert!(
                    compare_trees(&a, &b)
                        .unwrap_err()
                        .contains("content differs")
                );
                fs::remove_file(&victim).unwrap();
                assert!(compare_trees(&a, &b).unwrap_err().contains("missing"));
                empty_dir(&b).unwrap();
                assert_eq!(fs::read_dir(&b).unwrap().count(), 0);
            },
        ),
        super::case("fixtures: the whole set, quick-sized", || {
            let dir = tempfile::tempdir().unwrap();
            let sizes = Sizes {
                big: 3 * MIB + 5,
                dir_entries: 50,
                tree_files: 40,
                tree_bytes: MIB,
                ui_copies: 2,
                serve_file: MIB,
            };
            let fx = Fixtures::create(dir.path(), sizes).unwrap();
            check_big(&fx.big(), sizes.big, &fx.block).unwrap();
            check_big(&dir.path().join("ui/f02.bin"), sizes.big, &fx.block).unwrap();
            assert_eq!(ui_name(12), "f12.bin");
            assert_eq!(fs::read_dir(dir.path().join("dir20k")).unwrap().count(), 50);
            assert_eq!(fx.tree_bytes, MIB);
            assert_eq!(compare_trees(&fx.tree(), &fx.tree()).unwrap().files, 40);
        }),
    ]
}
