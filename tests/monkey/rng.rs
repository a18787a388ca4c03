//! A small deterministic PRNG (xorshift64*) and the random values the monkey is made of.

use ftpdeck::entry::{Entry, EntryKind};

pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        // Zero is xorshift's one fixed point; mix the seed so nearby seeds diverge at once.
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        match (hi - lo).checked_add(1) {
            Some(n) => lo + self.next() % n,
            None => self.next(),
        }
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// Index into `weights`, chosen in proportion to them.
    pub fn weighted(&mut self, weights: impl Iterator<Item = u32> + Clone) -> usize {
        let total: u64 = weights.clone().map(u64::from).sum();
        let mut r = self.next() % total;
        for (i, w) in weights.enumerate() {
            if r < u64::from(w) {
                return i;
            }
            r -= u64::from(w);
        }
        unreachable!("r < total")
    }

    /// Any character: printable ASCII, accented and wide letters, emoji, combining marks,
    /// control characters (C0, DEL, C1), bidi controls, or any scalar value at all.
    pub fn char(&mut self) -> char {
        match self.below(10) {
            0..=3 => char::from(self.range(0x20, 0x7e) as u8),
            4 => *self.pick(&['é', 'ß', 'Σ', 'İ', 'ø', 'ñ', 'Ж']),
            5 => *self.pick(&['日', '本', '語', '한', '🦀', '👍', '\u{1F468}', '\u{200D}']),
            6 => *self.pick(&[
                '\u{301}', '\u{308}', '\u{20DD}', '\u{FE0F}', '\u{202E}', '\u{200B}',
            ]),
            7 => char::from_u32(self.range(0, 0x1f) as u32).unwrap_or('\0'),
            8 => *self.pick(&['\u{7f}', '\u{85}', '\u{9b}', '\u{FFFD}', '\t', '\r', '\n']),
            _ => loop {
                if let Some(c) = char::from_u32(self.range(0, 0x10_FFFF) as u32) {
                    break c;
                }
            },
        }
    }

    pub fn text(&mut self, max: usize) -> String {
        let n = self.below(max + 1);
        (0..n).map(|_| self.char()).collect()
    }

    /// An entry name: plain, unicode, with control characters, odd, or 10,000 characters long.
    pub fn name(&mut self) -> String {
        // Very long names are rare: drawing them is slow in a debug build.
        if self.chance(1) && self.chance(30) {
            return match self.below(3) {
                0 => "x".repeat(10_000),
                1 => (0..10_000).map(|_| self.char()).collect(),
                _ => "界".repeat(2_000),
            };
        }
        match self.below(37) {
            0..=13 => format!(
                "{}{}",
                self.pick(&["file", "dir", "a", "Report", "x", ".hidden"]),
                self.below(30)
            ),
            14..=17 => format!(
                "{}.{}",
                self.pick(&["notes", "photo", "archive.tar", "b"]),
                self.pick(&["txt", "jpg", "gz", "TXT"])
            ),
            18..=29 => self.text(12),
            30..=32 => self
                .pick(&["", ".", "..", "/", "a/b", "*", "?", " ", "-rf", "\u{1b}[2J"])
                .to_string(),
            _ => format!(
                "{} {}",
                self.pick(&["日本語", "Ωμέγα", "🦀 crab", "e\u{301}"]),
                self.below(9)
            ),
        }
    }

    pub fn entry(&mut self) -> Entry {
        let kind = *self.pick(&[
            EntryKind::File,
            EntryKind::File,
            EntryKind::Dir,
            EntryKind::Symlink,
            EntryKind::Unknown,
        ]);
        let mut e = Entry::new(self.name(), kind);
        e.size = match self.below(6) {
            0 => None,
            1 => Some(u64::MAX),
            2 => Some(0),
            _ => Some(self.range(0, 1 << 40)),
        };
        e.mtime = match self.below(6) {
            0 => None,
            1 => Some(*self.pick(&[i64::MIN, i64::MAX, -1, 0])),
            _ => Some(self.range(0, 4_000_000_000) as i64),
        };
        if self.chance(30) {
            e.perms = Some(if self.chance(70) {
                "rwxr-xr-x".into()
            } else {
                self.text(12)
            });
        }
        if kind == EntryKind::Symlink && self.chance(60) {
            e.link_target = Some(self.name());
        }
        e
    }

    /// Entries for a listing: usually a few, sometimes none or many, sometimes with duplicates.
    pub fn entries(&mut self) -> Vec<Entry> {
        let n = match self.below(10) {
            0 => 0,
            1 => self.range(100, 400) as usize,
            _ => self.below(25),
        };
        let mut v: Vec<Entry> = (0..n).map(|_| self.entry()).collect();
        if !v.is_empty() && self.chance(10) {
            let dup = v[self.below(v.len())].clone();
            v.push(dup);
        }
        v
    }

    /// A path: absolute or not, unicode, very long, empty.
    pub fn path(&mut self) -> String {
        match self.below(6) {
            0 => "/".into(),
            1 => String::new(),
            2 => self.name(),
            _ => (0..self.range(1, 4))
                .map(|_| format!("/{}", self.name()))
                .collect(),
        }
    }
}
