use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;

fn press(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
    KeyEvent::new(code, mods)
}

fn char_key(c: char) -> KeyEvent {
    press(KeyCode::Char(c), KeyModifiers::NONE)
}

#[test]
fn defaults_and_shifted_letters() {
    let km = Keymap::default();
    let b = Mode::Browser;
    assert_eq!(
        km.action_for(b, &press(KeyCode::Char('G'), KeyModifiers::SHIFT)),
        Some(Action::Bottom)
    );
    assert_eq!(km.action_for(b, &char_key('g')), Some(Action::Top));
    assert_eq!(
        km.action_for(b, &press(KeyCode::F(5), KeyModifiers::NONE)),
        Some(Action::Copy)
    );
    assert_eq!(
        km.action_for(b, &press(KeyCode::Char('c'), KeyModifiers::CONTROL)),
        Some(Action::Quit)
    );
    assert_eq!(
        km.action_for(b, &press(KeyCode::BackTab, KeyModifiers::SHIFT)),
        Some(Action::SwitchPane)
    );
    assert_eq!(km.action_for(b, &char_key('z')), None);
}

#[test]
fn each_mode_has_its_own_defaults() {
    let km = Keymap::default();
    assert_eq!(
        km.action_for(Mode::Viewer, &char_key('q')),
        Some(Action::Close)
    );
    assert_eq!(
        km.action_for(Mode::Viewer, &char_key('x')),
        Some(Action::ToggleHex)
    );
    assert_eq!(
        km.action_for(Mode::Bookmarks, &char_key('d')),
        Some(Action::Delete)
    );
    assert_eq!(
        km.action_for(Mode::Overwrite, &char_key('n')),
        Some(Action::KeepBoth)
    );
    assert_eq!(km.action_for(Mode::Panel, &char_key('q')), None);
    assert_eq!(
        km.action_for(Mode::Panel, &char_key('j')),
        Some(Action::Down)
    );
}

#[test]
fn parse_keys_and_actions() {
    assert_eq!(
        parse_key("ctrl-d"),
        Ok(KeySpec {
            code: KeyCode::Char('d'),
            mods: KeyModifiers::CONTROL
        })
    );
    assert_eq!(parse_key("F12").unwrap().code, KeyCode::F(12));
    assert_eq!(parse_key("shift-x").unwrap().code, KeyCode::Char('X'));
    assert_eq!(parse_key("space").unwrap().code, KeyCode::Char(' '));
    assert!(parse_key("ctrl-").is_err());
    assert!(parse_key("hyper-x").is_err());
    assert!(parse_key("F99").is_err());
    assert_eq!(parse_key("ctrl-backtab"), parse_key("backtab"));
    assert_eq!(Action::from_name("cancel_all"), Some(Action::CancelAll));
    assert_eq!(Action::from_name("frobnicate"), None);
    let mut km = Keymap::default();
    km.bind(Mode::Browser, parse_key("ctrl-d").unwrap(), Action::Copy)
        .unwrap();
    assert_eq!(
        km.action_for(
            Mode::Browser,
            &press(KeyCode::Char('d'), KeyModifiers::CONTROL)
        ),
        Some(Action::Copy)
    );
}

#[test]
fn a_binding_changes_only_its_own_mode() {
    let mut km = Keymap::default();
    let ctrl_n = parse_key("ctrl-n").unwrap();
    km.bind(Mode::Browser, ctrl_n, Action::Down).unwrap();
    km.unbind(Mode::Browser, parse_key("j").unwrap());
    let ctrl_n_press = press(KeyCode::Char('n'), KeyModifiers::CONTROL);
    assert_eq!(
        km.action_for(Mode::Browser, &ctrl_n_press),
        Some(Action::Down)
    );
    assert_eq!(km.action_for(Mode::Browser, &char_key('j')), None);
    for mode in [Mode::Panel, Mode::Viewer, Mode::Bookmarks] {
        assert_eq!(km.action_for(mode, &ctrl_n_press), None, "{mode:?}");
        assert_eq!(
            km.action_for(mode, &char_key('j')),
            Some(Action::Down),
            "{mode:?}"
        );
    }
}

#[test]
fn a_mode_refuses_actions_it_does_not_have() {
    let mut km = Keymap::default();
    let err = km
        .bind(Mode::Viewer, parse_key("d").unwrap(), Action::Delete)
        .unwrap_err();
    assert!(
        err.contains("[keys.viewer]") && err.contains("toggle-hex"),
        "{err}"
    );
    assert!(
        km.bind(Mode::Browser, parse_key("d").unwrap(), Action::ToggleHex)
            .is_err()
    );
    assert_eq!(km.action_for(Mode::Viewer, &char_key('d')), None);
}

#[test]
fn every_mode_has_a_help_row_per_action_naming_only_keys_that_do_it() {
    for mode in Mode::ALL {
        for action in mode.actions() {
            assert!(
                mode.help().iter().any(|(_, a, _)| *a == action),
                "{mode:?}: no help row for {action:?}"
            );
        }
        let km = Keymap::default();
        for (keys, action, _) in mode.help() {
            assert!(mode.accepts(*action), "{mode:?}: {action:?} has no key");
            let bound: Vec<String> = km.keys_for(mode, *action).iter().map(key_name).collect();
            for name in keys.split(" / ") {
                assert!(
                    bound.iter().any(|b| b == name),
                    "{mode:?}: the help names {name:?} for {action:?}, bound: {bound:?}"
                );
            }
        }
    }
}

#[test]
fn help_keys_and_hints_follow_the_bindings() {
    let mut km = Keymap::default();
    let v = Mode::Viewer;
    assert_eq!(
        km.help_keys(v, Action::Close, "q / Esc / F3 / F10"),
        "q / Esc / F3 / F10"
    );
    assert_eq!(km.hint_key(v, Action::Close).as_deref(), Some("q"));
    km.unbind(v, parse_key("q").unwrap());
    assert_eq!(
        km.help_keys(v, Action::Close, "q / Esc / F3 / F10"),
        "Esc / F10 / F3"
    );
    assert_eq!(km.hint_key(v, Action::Close).as_deref(), Some("Esc"));
    km.bind(v, parse_key("ctrl-w").unwrap(), Action::ToggleHex)
        .unwrap();
    for k in ["x", "h"] {
        km.unbind(v, parse_key(k).unwrap());
    }
    assert_eq!(km.hint_key(v, Action::ToggleHex).as_deref(), Some("Ctrl-W"));
    km.unbind(v, parse_key("ctrl-w").unwrap());
    assert_eq!(km.hint_key(v, Action::ToggleHex), None);
    assert_eq!(km.help_keys(v, Action::ToggleHex, "x / h"), "(unbound)");
}

#[test]
fn mode_names_and_tables() {
    for mode in Mode::ALL {
        assert_eq!(Mode::from_name(mode.name()), Some(mode));
        assert!(mode.table().starts_with("keys"));
    }
    assert_eq!(Mode::from_name("Viewer"), Some(Mode::Viewer));
    assert_eq!(Mode::from_name("dialogs"), None);
}

#[test]
fn every_default_key_of_every_mode_parses() {
    for mode in Mode::ALL {
        for (k, a) in mode.defaults() {
            assert!(parse_key(k).is_ok(), "{mode:?}: {k:?} for {a:?}");
        }
    }
}
