//! Text helpers for rendering: display-width truncation, human sizes, times.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// `s` cut or padded to exactly `width` terminal columns; cut text ends with `…`.
/// Works on display width, so CJK and emoji keep columns aligned.
pub fn fit(s: &str, width: usize) -> String {
    let w = UnicodeWidthStr::width(s);
    if w <= width {
        let mut out = String::with_capacity(s.len() + width - w);
        out.push_str(s);
        out.extend(std::iter::repeat_n(' ', width - w));
        return out;
    }
    if width == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let cw = UnicodeWidthChar::width(c).unwrap_or(0);
        if used + cw > width - 1 {
            break;
        }
        out.push(c);
        used += cw;
    }
    out.push('…');
    used += 1;
    out.extend(std::iter::repeat_n(' ', width - used));
    out
}

/// Right-align `s` in `width` columns (cutting from the left if needed).
pub fn fit_right(s: &str, width: usize) -> String {
    let w = UnicodeWidthStr::width(s);
    if w >= width {
        return fit(s, width);
    }
    format!("{}{s}", " ".repeat(width - w))
}

/// Keep the end of `s` (the interesting part of a long path) within `width` columns.
pub fn tail(s: &str, width: usize) -> String {
    if UnicodeWidthStr::width(s) <= width {
        return s.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut kept: Vec<char> = Vec::new();
    let mut used = 1; // the leading ellipsis
    for c in s.chars().rev() {
        let cw = UnicodeWidthChar::width(c).unwrap_or(0);
        if used + cw > width {
            break;
        }
        kept.push(c);
        used += cw;
    }
    let mut out = String::from("…");
    out.extend(kept.into_iter().rev());
    out
}

pub use crate::words::human_size;

/// A modification time as `YYYY-MM-DD HH:MM` in local time; blank if unknown or absurd.
pub fn format_time(secs: Option<i64>) -> String {
    use chrono::{Local, TimeZone};
    match secs.and_then(|s| Local.timestamp_opt(s, 0).single()) {
        Some(t) => t.format("%Y-%m-%d %H:%M").to_string(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_by_display_width() {
        assert_eq!(fit("abc", 5), "abc  ");
        assert_eq!(fit("abcdef", 4), "abc…");
        // Each CJK character is two columns wide.
        assert_eq!(fit("日本語ファイル", 7), "日本語…");
        assert_eq!(fit("日本語ファイル", 8), "日本語… ");
        assert_eq!(UnicodeWidthStr::width(fit("日本語ファイル", 7).as_str()), 7);
        assert_eq!(UnicodeWidthStr::width(fit("😀😀😀😀", 5).as_str()), 5);
        assert_eq!(fit("x", 0), "");
    }

    #[test]
    fn tail_keeps_the_end() {
        assert_eq!(tail("/very/long/path", 8), "…ng/path");
        assert_eq!(tail("/a", 8), "/a");
    }

    #[test]
    fn sizes() {
        assert_eq!(human_size(0), "0 B");
        assert_eq!(human_size(1023), "1023 B");
        assert_eq!(human_size(1536), "1.5 KiB");
        assert_eq!(human_size(20 * 1024 * 1024), "20.0 MiB");
        assert_eq!(human_size(u64::MAX), "16.0 EiB");
    }
}
