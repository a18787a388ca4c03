//! A text field drawn on one line, with the cursor where it is.

use unicode_width::UnicodeWidthStr;

use super::text::{fit, tail};
use crate::app::textfield::TextField;
use crate::sanitize::display_name;

/// The cursor mark drawn between two characters.
pub const CURSOR: char = '▏';

/// `field` within `width` columns with `▏` at the cursor; a long text scrolls so that the
/// cursor stays in view. `mask` shows every character as `•` (passwords).
pub fn field_line(field: &TextField, mask: bool, width: usize) -> String {
    let shown = |s: &str| {
        if mask {
            "•".repeat(s.chars().count())
        } else {
            display_name(s)
        }
    };
    let (before, after) = field.text().split_at(field.cursor_byte());
    let (before, after) = (shown(before), shown(after));
    if before.width() + 1 + after.width() <= width {
        return format!("{before}{CURSOR}{after}");
    }
    // Keep some of what follows the cursor in view, and as much of what precedes it as fits.
    let after_room = after.width().min(width / 3);
    let before = tail(&before, width.saturating_sub(1 + after_room));
    let rest = width.saturating_sub(before.width() + 1);
    let after = if after.width() <= rest {
        after
    } else {
        fit(&after, rest)
    };
    format!("{before}{CURSOR}{after}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    fn at(text: &str, left: usize) -> TextField {
        let mut f = TextField::new(text);
        for _ in 0..left {
            f.on_key(&KeyEvent::new(KeyCode::Left, KeyModifiers::NONE));
        }
        f
    }

    #[test]
    fn the_cursor_is_drawn_where_it_is() {
        assert_eq!(field_line(&at("abc", 0), false, 20), "abc▏");
        assert_eq!(field_line(&at("abc", 2), false, 20), "a▏bc");
        assert_eq!(field_line(&at("abc", 1), true, 20), "••▏•");
        assert_eq!(field_line(&at("a\u{1b}b", 1), false, 20), "a?▏b");
    }

    #[test]
    fn a_long_text_scrolls_to_keep_the_cursor_in_view() {
        let long = "0123456789".repeat(10);
        let end = field_line(&at(&long, 0), false, 20);
        assert!(end.ends_with("789▏"), "{end}");
        assert!(end.width() <= 20, "{end}");
        let start = field_line(&at(&long, 100), false, 20);
        assert!(start.starts_with("▏0123"), "{start}");
        assert!(start.width() <= 20, "{start}");
        let middle = field_line(&at(&long, 50), false, 20);
        assert!(middle.contains("789▏01"), "{middle}");
        assert!(middle.width() <= 20, "{middle}");
    }
}
