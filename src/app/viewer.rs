//! The read-only file viewer: text, or a hex dump for binary files.

/// An open viewer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    pub title: String,
    pub text: Vec<String>,
    pub hex: Vec<String>,
    pub show_hex: bool,
    pub scroll: usize,
    /// Only the start of the file was read.
    pub truncated: bool,
}

impl Viewer {
    /// A viewer on `bytes`; binary content (NUL bytes or invalid UTF-8) opens in hex.
    pub fn new(title: String, bytes: &[u8], truncated: bool) -> Viewer {
        let binary = is_binary(bytes, truncated);
        Viewer {
            title,
            text: text_lines(bytes),
            hex: hex_lines(bytes),
            show_hex: binary,
            scroll: 0,
            truncated,
        }
    }

    /// The lines currently shown (text or hex).
    pub fn lines(&self) -> &[String] {
        if self.show_hex { &self.hex } else { &self.text }
    }

    pub fn scroll_by(&mut self, delta: isize, rows: usize) {
        let max = self.lines().len().saturating_sub(rows.max(1));
        self.scroll = self.scroll.saturating_add_signed(delta).min(max);
    }

    /// Handle a viewer action; `rows` is how many lines it shows. `None`: not a viewer action.
    pub fn update(&mut self, action: super::keymap::Action, rows: usize) -> Option<super::Effect> {
        use super::keymap::Action;
        match action {
            Action::Close => return Some(super::Effect::Closed),
            Action::Help => return Some(super::Effect::Help),
            Action::Up => self.scroll_by(-1, rows),
            Action::Down => self.scroll_by(1, rows),
            Action::PageUp => self.scroll_by(-(rows as isize), rows),
            Action::PageDown => self.scroll_by(rows as isize, rows),
            Action::Top => self.scroll = 0,
            Action::Bottom => self.scroll_by(isize::MAX, rows),
            Action::ToggleHex => self.toggle_hex(),
            _ => return None,
        }
        Some(super::Effect::Done)
    }

    pub fn toggle_hex(&mut self) {
        self.show_hex = !self.show_hex;
        self.scroll = 0;
    }
}

fn is_binary(bytes: &[u8], truncated: bool) -> bool {
    let head = &bytes[..bytes.len().min(64 * 1024)];
    if head.contains(&0) {
        return true;
    }
    match std::str::from_utf8(head) {
        Ok(_) => false,
        // A multi-byte character cut at the end of what we read is still text.
        Err(e) => e.error_len().is_some() || !(truncated || head.len() < bytes.len()),
    }
}

/// Text lines with tabs expanded and every control character made visible as `?`.
fn text_lines(bytes: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(bytes)
        .lines()
        .map(|l| {
            l.replace('\t', "    ")
                .chars()
                .map(|c| if c.is_control() { '?' } else { c })
                .collect()
        })
        .collect()
}

/// `00000000  48 65 6c 6c 6f 0a …  |Hello.|`
fn hex_lines(bytes: &[u8]) -> Vec<String> {
    bytes
        .chunks(16)
        .enumerate()
        .map(|(i, chunk)| {
            let mut hex = String::with_capacity(48);
            for (j, b) in chunk.iter().enumerate() {
                hex.push_str(&format!("{b:02x} "));
                if j == 7 {
                    hex.push(' ');
                }
            }
            let ascii: String = chunk
                .iter()
                .map(|&b| {
                    if b.is_ascii_graphic() || b == b' ' {
                        b as char
                    } else {
                        '.'
                    }
                })
                .collect();
            format!("{:08x}  {hex:<49} |{ascii}|", i * 16)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_binary() {
        let v = Viewer::new("t".into(), b"hello\n\tworld\x1b[31m\n", false);
        assert!(!v.show_hex);
        assert_eq!(v.lines(), ["hello", "    world?[31m"]);
        let v = Viewer::new("b".into(), &[0x89, b'P', b'N', b'G', 0, 1, 2], false);
        assert!(v.show_hex);
        assert!(
            v.lines()[0].starts_with("00000000  89 50 4e 47 00 01 02"),
            "{}",
            v.lines()[0]
        );
        assert!(v.lines()[0].ends_with("|.PNG...|"));
    }

    #[test]
    fn scrolling_stops_at_the_end() {
        let text: Vec<u8> = (0..100)
            .flat_map(|i| format!("line {i}\n").into_bytes())
            .collect();
        let mut v = Viewer::new("t".into(), &text, false);
        v.scroll_by(1000, 10);
        assert_eq!(v.scroll, 90);
        v.scroll_by(-5, 10);
        assert_eq!(v.scroll, 85);
        v.toggle_hex();
        assert_eq!(v.scroll, 0);
    }
}
