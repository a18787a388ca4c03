//! Words for messages people read: counts with the right plural, names short enough that the
//! reason next to them stays on screen.

use crate::sanitize::display_name;

/// How many characters of a name a status or error message shows.
pub const NAME_CHARS: usize = 40;

/// `1 entry`, `2 entries`, `20,000 entries`.
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!(
        "{} {}",
        thousands(n as u64),
        if n == 1 { one } else { many }
    )
}

/// `20000` -> `20,000`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `m:ss` or `h:mm:ss`.
pub fn duration(secs: f64) -> String {
    let s = secs.round().max(0.0) as u64;
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

/// Bytes in human units: `512 B`, `1.5 KiB`, `20.0 MiB`.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// `name` for a message: safe for the terminal, at most `NAME_CHARS` characters.
pub fn short(name: &str) -> String {
    short_name(name, NAME_CHARS)
}

/// `name` made safe for the terminal and at most `max` characters long: a longer one keeps its
/// start and its end (the extension) around a `…`.
pub fn short_name(name: &str, max: usize) -> String {
    let shown = display_name(name);
    let n = shown.chars().count();
    if n <= max || max < 3 {
        return shown;
    }
    let tail = (max - 1) / 3;
    let head = max - 1 - tail;
    let start: String = shown.chars().take(head).collect();
    let end: String = shown.chars().skip(n - tail).collect();
    format!("{start}…{end}")
}

/// `text` with every run of more than `max` non-blank characters (a long name or path inside
/// a server's reply) shortened by `short_name`.
pub fn short_words(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len().min(4096));
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        out.push_str(&short_name(word, max));
        word.clear();
    };
    for c in text.chars() {
        if c.is_whitespace() {
            flush(&mut word, &mut out);
            out.push(c);
        } else {
            word.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// `line` in pieces of at most `width` columns, broken at spaces where it can be (a word
/// wider than a line is cut); pieces after the first start with `indent` spaces.
pub fn fold(line: &str, width: usize, indent: usize) -> Vec<String> {
    use unicode_width::UnicodeWidthChar;
    let mut pieces = Vec::new();
    let mut current = String::new();
    let mut used = 0;
    for word in line.split_inclusive(' ') {
        let w: usize = word.chars().map(|c| c.width().unwrap_or(0)).sum();
        if used + w.saturating_sub(usize::from(word.ends_with(' '))) > width && used > indent {
            pieces.push(current.trim_end().to_string());
            current = " ".repeat(indent);
            used = indent;
        }
        for c in word.chars() {
            let cw = c.width().unwrap_or(0);
            if used + cw > width && c != ' ' {
                pieces.push(std::mem::take(&mut current));
                current = " ".repeat(indent);
                used = indent;
            }
            current.push(c);
            used += cw;
        }
    }
    pieces.push(current.trim_end().to_string());
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts() {
        assert_eq!(count(1, "entry", "entries"), "1 entry");
        assert_eq!(count(0, "file", "files"), "0 files");
        assert_eq!(count(2, "transfer", "transfers"), "2 transfers");
    }

    #[test]
    fn long_names_keep_their_start_and_end() {
        let long = format!("{}.txt", "a".repeat(10_000));
        let s = short_name(&long, 40);
        assert_eq!(s.chars().count(), 40);
        assert!(
            s.starts_with("aaaa") && s.ends_with("a.txt") && s.contains('…'),
            "{s}"
        );
        assert_eq!(short_name("x\u{1b}y", 40), "x?y");
        assert_eq!(short_name("short", 40), "short");
        let reply = format!("550 /{long}: No such file");
        let shown = short_words(&reply, 40);
        assert!(
            shown.starts_with("550 /aaa") && shown.ends_with(" No such file"),
            "{shown}"
        );
        assert!(shown.chars().count() < 70, "{shown}");
    }
}
