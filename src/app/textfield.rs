//! One single-line text field for every place where text is typed: the filter, the dialogs and
//! the connection form. Readline keys edit; the cursor counts characters, never bytes.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// What a key did to a text field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldOutcome {
    /// The key edited the text or moved the cursor (or was a harmless no-op).
    Editing,
    /// Enter: the text is done.
    Submitted,
    /// Esc or Ctrl-C: give up.
    Cancelled,
    /// Not a text-editing key (Tab, Up, F-keys…): the owner may use it.
    Ignored,
}

/// Text and a cursor position (in characters, `0..=len`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextField {
    text: String,
    cursor: usize,
}

impl TextField {
    /// A field holding `text`, the cursor at its end.
    pub fn new(text: impl Into<String>) -> TextField {
        let text = text.into();
        let cursor = text.chars().count();
        TextField { text, cursor }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// The cursor, in characters from the start.
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    /// The cursor as a byte offset into `text()` (always a character boundary).
    pub fn cursor_byte(&self) -> usize {
        byte_at(&self.text, self.cursor)
    }

    /// Take the text out, leaving the field empty.
    pub fn take(&mut self) -> String {
        self.cursor = 0;
        std::mem::take(&mut self.text)
    }

    /// Insert `s` at the cursor (typed or pasted): this is one line, so line breaks, tabs and
    /// other control characters become spaces.
    pub fn insert_str(&mut self, s: &str) {
        let clean: String = s
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let at = self.cursor_byte();
        self.text.insert_str(at, &clean);
        self.cursor += clean.chars().count();
    }

    fn len(&self) -> usize {
        self.text.chars().count()
    }

    /// Remove the characters `from..to` (character positions) and put the cursor at `from`.
    fn remove(&mut self, from: usize, to: usize) {
        let (a, b) = (byte_at(&self.text, from), byte_at(&self.text, to));
        self.text.replace_range(a..b, "");
        self.cursor = from;
    }

    /// The start of the word before the cursor; `word` tells word characters apart.
    fn word_back(&self, word: fn(char) -> bool) -> usize {
        let chars: Vec<char> = self.text.chars().collect();
        let mut i = self.cursor;
        while i > 0 && !word(chars[i - 1]) {
            i -= 1;
        }
        while i > 0 && word(chars[i - 1]) {
            i -= 1;
        }
        i
    }

    /// The end of the word after the cursor.
    fn word_forward(&self, word: fn(char) -> bool) -> usize {
        let chars: Vec<char> = self.text.chars().collect();
        let mut i = self.cursor;
        while i < chars.len() && !word(chars[i]) {
            i += 1;
        }
        while i < chars.len() && word(chars[i]) {
            i += 1;
        }
        i
    }

    /// Apply a key: Ctrl-A/E/B/F/H/W/U/K/D, Alt-B/F/D, Home/End, Left/Right (Ctrl or Alt for
    /// a word), Backspace, Delete, Enter, Esc; printable characters are inserted.
    pub fn on_key(&mut self, key: &KeyEvent) -> FieldOutcome {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let alt = key.modifiers.contains(KeyModifiers::ALT);
        let len = self.len();
        match key.code {
            KeyCode::Enter => return FieldOutcome::Submitted,
            KeyCode::Esc => return FieldOutcome::Cancelled,
            KeyCode::Char(c) if ctrl => match c.to_ascii_lowercase() {
                'c' => return FieldOutcome::Cancelled,
                'a' => self.cursor = 0,
                'e' => self.cursor = len,
                'b' => self.cursor = self.cursor.saturating_sub(1),
                'f' => self.cursor = (self.cursor + 1).min(len),
                'h' => self.backspace(),
                'd' => self.delete(),
                'w' => self.remove(self.word_back(|c| !c.is_whitespace()), self.cursor),
                'u' => self.remove(0, self.cursor),
                'k' => self.remove(self.cursor, len),
                _ => return FieldOutcome::Ignored,
            },
            KeyCode::Char(c) if alt => match c.to_ascii_lowercase() {
                'b' => self.cursor = self.word_back(char::is_alphanumeric),
                'f' => self.cursor = self.word_forward(char::is_alphanumeric),
                'd' => self.remove(self.cursor, self.word_forward(char::is_alphanumeric)),
                _ => return FieldOutcome::Ignored,
            },
            KeyCode::Char(c) if !c.is_control() => self.insert_str(c.encode_utf8(&mut [0; 4])),
            KeyCode::Left if ctrl || alt => self.cursor = self.word_back(char::is_alphanumeric),
            KeyCode::Right if ctrl || alt => self.cursor = self.word_forward(char::is_alphanumeric),
            KeyCode::Left => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Right => self.cursor = (self.cursor + 1).min(len),
            KeyCode::Home => self.cursor = 0,
            KeyCode::End => self.cursor = len,
            KeyCode::Backspace if ctrl || alt => {
                self.remove(self.word_back(char::is_alphanumeric), self.cursor)
            }
            KeyCode::Backspace => self.backspace(),
            KeyCode::Delete => self.delete(),
            _ => return FieldOutcome::Ignored,
        }
        FieldOutcome::Editing
    }

    fn backspace(&mut self) {
        if self.cursor > 0 {
            self.remove(self.cursor - 1, self.cursor);
        }
    }

    fn delete(&mut self) {
        if self.cursor < self.len() {
            self.remove(self.cursor, self.cursor + 1);
        }
    }
}

/// The byte offset of character `n` of `s` (its length when `n` is past the end).
fn byte_at(s: &str, n: usize) -> usize {
    s.char_indices().nth(n).map_or(s.len(), |(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(f: &mut TextField, code: KeyCode, modifiers: KeyModifiers) -> FieldOutcome {
        f.on_key(&KeyEvent::new(code, modifiers))
    }

    fn ctrl(f: &mut TextField, c: char) {
        press(f, KeyCode::Char(c), KeyModifiers::CONTROL);
    }

    fn alt(f: &mut TextField, c: char) {
        press(f, KeyCode::Char(c), KeyModifiers::ALT);
    }

    #[test]
    fn readline_keys_edit_instead_of_typing_letters() {
        let mut f = TextField::new("hello big world");
        ctrl(&mut f, 'w');
        assert_eq!((f.text(), f.cursor()), ("hello big ", 10));
        ctrl(&mut f, 'h');
        assert_eq!(f.text(), "hello big");
        ctrl(&mut f, 'a');
        assert_eq!(f.cursor(), 0);
        alt(&mut f, 'f');
        assert_eq!(f.cursor(), 5);
        ctrl(&mut f, 'k');
        assert_eq!(f.text(), "hello");
        ctrl(&mut f, 'b');
        ctrl(&mut f, 'b');
        ctrl(&mut f, 'u');
        assert_eq!((f.text(), f.cursor()), ("lo", 0));
        ctrl(&mut f, 'e');
        ctrl(&mut f, 'f');
        assert_eq!(f.cursor(), 2);
        alt(&mut f, 'b');
        assert_eq!(f.cursor(), 0);
        ctrl(&mut f, 'd');
        assert_eq!(f.text(), "o");
    }

    #[test]
    fn typing_and_deleting_in_the_middle_of_multibyte_text() {
        let mut f = TextField::new("é🦀z");
        press(&mut f, KeyCode::Left, KeyModifiers::NONE);
        press(&mut f, KeyCode::Left, KeyModifiers::NONE);
        press(&mut f, KeyCode::Char('x'), KeyModifiers::SHIFT);
        assert_eq!((f.text(), f.cursor(), f.cursor_byte()), ("éx🦀z", 2, 3));
        press(&mut f, KeyCode::Delete, KeyModifiers::NONE);
        press(&mut f, KeyCode::Home, KeyModifiers::NONE);
        press(&mut f, KeyCode::Delete, KeyModifiers::NONE);
        assert_eq!(f.text(), "xz");
        press(&mut f, KeyCode::End, KeyModifiers::NONE);
        press(&mut f, KeyCode::Backspace, KeyModifiers::NONE);
        assert_eq!((f.text(), f.cursor()), ("x", 1));
    }

    #[test]
    fn enter_esc_and_foreign_keys() {
        let mut f = TextField::new("a");
        assert_eq!(
            press(&mut f, KeyCode::Enter, KeyModifiers::NONE),
            FieldOutcome::Submitted
        );
        assert_eq!(
            press(&mut f, KeyCode::Esc, KeyModifiers::NONE),
            FieldOutcome::Cancelled
        );
        assert_eq!(
            press(&mut f, KeyCode::Char('c'), KeyModifiers::CONTROL),
            FieldOutcome::Cancelled
        );
        assert_eq!(
            press(&mut f, KeyCode::Tab, KeyModifiers::NONE),
            FieldOutcome::Ignored
        );
        assert_eq!(
            press(&mut f, KeyCode::Up, KeyModifiers::NONE),
            FieldOutcome::Ignored
        );
        assert_eq!(f.text(), "a");
    }

    #[test]
    fn pasted_line_breaks_become_spaces() {
        let mut f = TextField::new("ab");
        press(&mut f, KeyCode::Left, KeyModifiers::NONE);
        f.insert_str("1\n2\t3\r");
        assert_eq!((f.text(), f.cursor()), ("a1 2 3 b", 7));
    }
}
