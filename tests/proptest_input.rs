//! Property tests for what people type: the permissions parser and the text field every
//! single-line input uses.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may stop at the first surprise

mod strategies;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ftpdeck::app::textfield::{FieldOutcome, TextField};
use ftpdeck::remote::fileops::parse_mode;
use proptest::prelude::*;
use strategies::{config, wild_string};

/// Strings near the shapes parse_mode accepts (9 or 10 characters, octal digits, rwx-),
/// with wild characters mixed in so the length checks meet multibyte text.
fn mode_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        3 => prop::sample::select(vec!['r', 'w', 'x', '-', '0', '7', 's', 't']),
        1 => strategies::wild_char(),
    ];
    prop::collection::vec(piece, 0..12).prop_map(|v| v.into_iter().collect())
}

proptest! {
    #![proptest_config(config(2048))]

    #[test]
    fn parse_mode_never_panics_and_stays_in_range(s in prop_oneof![wild_string(40), mode_like(), any::<String>()]) {
        if let Ok(mode) = parse_mode(&s) {
            prop_assert!(mode <= 0o7777, "{s:?} -> {mode:o}");
        }
    }

    #[test]
    fn rwx_form_round_trips(mode in 0u32..0o1000) {
        let text: String = (0..9)
            .map(|i| if mode & (1 << (8 - i)) != 0 { ['r', 'w', 'x'][i % 3] } else { '-' })
            .collect();
        prop_assert_eq!(parse_mode(&text), Ok(mode));
        prop_assert_eq!(parse_mode(&format!("-{text}")), Ok(mode));
        prop_assert_eq!(parse_mode(&format!("{mode:o}")), Ok(mode));
    }
}

/// Any key a terminal can deliver to a text field: characters with any modifiers (the
/// readline letters made likely), editing and movement keys, and keys a field ignores.
fn any_key() -> impl Strategy<Value = KeyEvent> {
    let code = prop_oneof![
        4 => strategies::wild_char().prop_map(KeyCode::Char),
        3 => prop::sample::select(vec!['a', 'e', 'b', 'f', 'h', 'w', 'u', 'k', 'd', 'c'])
            .prop_map(KeyCode::Char),
        3 => prop::sample::select(vec![
            KeyCode::Left, KeyCode::Right, KeyCode::Home, KeyCode::End, KeyCode::Backspace,
            KeyCode::Delete, KeyCode::Tab, KeyCode::Up, KeyCode::Down, KeyCode::F(2),
        ]),
    ];
    let modifiers = (0u8..8).prop_map(|bits| {
        let mut m = KeyModifiers::NONE;
        for (bit, flag) in [
            (1, KeyModifiers::CONTROL),
            (2, KeyModifiers::ALT),
            (4, KeyModifiers::SHIFT),
        ] {
            if bits & bit != 0 {
                m |= flag;
            }
        }
        m
    });
    (code, modifiers).prop_map(|(code, modifiers)| KeyEvent::new(code, modifiers))
}

proptest! {
    #![proptest_config(config(1024))]

    #[test]
    fn text_field_keys_never_panic_and_keep_the_cursor_on_a_boundary(
        start in wild_string(20),
        pastes in prop::collection::vec(wild_string(8), 0..3),
        keys in prop::collection::vec(any_key(), 0..60),
    ) {
        let mut field = TextField::new(start.clone());
        prop_assert_eq!(field.cursor(), start.chars().count());
        let controls_at_start = start.chars().filter(|c| c.is_control()).count();
        for p in &pastes {
            field.insert_str(p);
        }
        prop_assert_eq!(field.text().chars().filter(|c| c.is_control()).count(), controls_at_start);
        for key in &keys {
            let before = field.clone();
            let outcome = field.on_key(key);
            let text = field.text();
            prop_assert!(field.cursor() <= text.chars().count(), "{:?} after {:?}", field, key);
            prop_assert!(text.is_char_boundary(field.cursor_byte()));
            prop_assert_eq!(
                field.cursor_byte(),
                text.char_indices().nth(field.cursor()).map_or(text.len(), |(i, _)| i)
            );
            if outcome != FieldOutcome::Editing {
                prop_assert_eq!(&field, &before, "only editing keys change the field");
            }
            // Neither typing nor pasting adds a control character.
            let controls = |t: &str| t.chars().filter(|c| c.is_control()).count();
            prop_assert!(controls(text) <= controls(before.text()));
        }
    }
}

proptest! {
    #![proptest_config(config(1024))]

    #[test]
    fn urls_never_panic_and_errors_never_show_the_password(
        user in "[a-z]{1,8}",
        password in prop_oneof![wild_string(12), "[A-Z0-9%/@:]{1,12}"],
        rest in prop_oneof![wild_string(30), any::<String>()],
    ) {
        // A password marked so that any piece of it in a message is easy to spot.
        let secret = format!("Q{password}Q");
        let url = format!("ftp://{user}:{secret}@{rest}");
        match ftpdeck::cli::parse_url(&url) {
            Ok(p) => prop_assert!(!p.path.contains(&secret)),
            Err(e) => prop_assert!(!e.contains(&secret), "{e}"),
        }
        let _ = ftpdeck::cli::parse_url(&rest);
        let _ = ftpdeck::cli::mask_password(&rest);
    }

    #[test]
    fn start_dirs_are_absolute(home in wild_string(20), path in wild_string(20)) {
        let home = format!("/{home}");
        prop_assert!(ftpdeck::remote::path::start_dir(&home, &path).starts_with('/'));
    }

    #[test]
    fn short_names_keep_to_their_length(name in any::<String>(), max in 3usize..80) {
        let s = ftpdeck::words::short_name(&name, max);
        prop_assert!(s.chars().count() <= max, "{s:?}");
        prop_assert!(!s.chars().any(char::is_control));
        let _ = ftpdeck::words::short_words(&name, max);
    }
}

/// Rates as people write them, and near misses.
fn rate_like() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9]{0,6}(\\.[0-9]{0,3})?[kKmMgGiIbB/sS]{0,4}",
        "[0-9 ]{0,4}[KMG]?/[0-9 ]{0,4}[KMG]?",
        wild_string(12),
    ]
}

proptest! {
    #![proptest_config(config(1024))]

    #[test]
    fn rates_limits_and_verify_words_never_panic_and_stay_in_range(s in rate_like()) {
        if let Ok(r) = ftpdeck::transfer::limit::parse_rate(&s) {
            prop_assert!(r >= 1);
        }
        if let Ok(Some(r)) = ftpdeck::transfer::limit::parse_limit(&s) {
            let back = ftpdeck::transfer::limit::limit_text(Some(r));
            prop_assert_eq!(ftpdeck::transfer::limit::parse_limit(&back), Ok(Some(r)), "{}", back);
        }
        let _ = ftpdeck::transfer::verify::Verify::parse(&s);
        let _ = ftpdeck::cli::parse_verify(&s);
    }
}

proptest! {
    #![proptest_config(config(96))]

    /// Whatever is typed into each field of the bookmark form, Ctrl-S either saves a bookmark
    /// or keeps the form open saying why; nothing panics.
    #[test]
    fn any_text_in_every_bookmark_field_saves_or_says_why(
        texts in prop::collection::vec(prop_oneof![wild_string(16), rate_like()], 15),
    ) {
        use ftpdeck::app::{App, AppConfig, Cmd, Msg};
        use ftpdeck::app::dialog::Dialog;
        let key = |c: KeyCode| Msg::Key(KeyEvent::new(c, KeyModifiers::NONE));
        let (mut app, _) = App::new(AppConfig::new(std::path::PathBuf::from("/tmp"), None));
        app.open_bookmarks();
        app.update(key(KeyCode::Char('n')));
        for text in &texts {
            for c in text.chars() {
                app.update(key(KeyCode::Char(c)));
            }
            app.update(key(KeyCode::Tab));
        }
        let cmds = app.update(Msg::Key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL)));
        let saved = cmds.iter().any(|c| matches!(c, Cmd::Local(ftpdeck::local::LocalCmd::SaveBookmarks { .. })));
        let open = matches!(app.dialogs.top(), Some(Dialog::Form(_)));
        prop_assert!(saved != open, "saved {} and the form open {}", saved, open);
        if let Some(Dialog::Form(form)) = app.dialogs.top() {
            prop_assert!(form.error.is_some(), "the form stays open without saying why");
        }
    }
}
