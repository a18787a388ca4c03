//! The parts of `App` on their own: each handles its own messages and says what it needs of the
//! rest of the app as an `Effect`, without reaching into the other parts.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may stop at the first surprise

use ftpdeck::app::browse::Browse;
use ftpdeck::app::dialog::{Dialog, Dialogs};
use ftpdeck::app::keymap::Action;
use ftpdeck::app::tasks::Tasks;
use ftpdeck::app::viewer::Viewer;
use ftpdeck::app::{Effect, Side};
use ftpdeck::entry::{Entry, EntryKind};
use ftpdeck::transfer::{Job, Outcome, Task, TransferEvent};

fn entries(names: &[&str]) -> Vec<Entry> {
    names
        .iter()
        .map(|n| Entry::new(*n, EntryKind::File))
        .collect()
}

#[test]
fn the_browse_part_moves_sorts_and_selects_and_leaves_other_actions_alone() {
    let mut b = Browse::new(Side::Remote);
    b.remote
        .set_listing("/d".into(), entries(&["a", "b", "c"]), None);
    assert_eq!(b.update(Action::Down, 10), Some(Effect::Done));
    assert_eq!(b.remote.current_name().as_deref(), Some("b"));
    assert_eq!(b.update(Action::Bottom, 10), Some(Effect::Done));
    assert_eq!(b.remote.current_name().as_deref(), Some("c"));
    assert_eq!(b.update(Action::ToggleSelect, 10), Some(Effect::Done));
    assert!(b.remote.selected.contains("c"));
    assert!(
        matches!(b.update(Action::CycleSort, 10), Some(Effect::Info(t)) if t.starts_with("Sorted by"))
    );
    assert_eq!(
        b.update(Action::SyncBrowse, 10),
        Some(Effect::Info("Synchronised browsing on".into()))
    );
    // Copying, deleting, connecting: not the panes' own business.
    for a in [
        Action::Copy,
        Action::Delete,
        Action::Bookmarks,
        Action::Quit,
    ] {
        assert_eq!(b.update(a, 10), None, "{a:?}");
    }
    assert!(b.local.entries.is_empty(), "only the focused pane changed");
}

#[test]
fn the_viewer_part_scrolls_and_asks_to_close_or_for_help() {
    let text: String = (0..100).map(|i| format!("line {i}\n")).collect();
    let mut v = Viewer::new("t".into(), text.as_bytes(), false);
    assert_eq!(v.update(Action::PageDown, 10), Some(Effect::Done));
    assert_eq!(v.scroll, 10);
    assert_eq!(v.update(Action::Bottom, 10), Some(Effect::Done));
    assert_eq!(v.scroll, 90);
    assert_eq!(v.update(Action::Close, 10), Some(Effect::Closed));
    assert_eq!(v.update(Action::Help, 10), Some(Effect::Help));
    assert_eq!(v.update(Action::Copy, 10), None);
}

#[test]
fn the_tasks_part_takes_engine_events_and_forgets_answers_for_ended_tasks() {
    let mut t = Tasks::default();
    t.list.add(Job::remote_task(1, Task::Delete, "/x", true));
    t.list.add(Job::remote_task(2, Task::Size, "/y", true));
    t.conflicts.push_back(1);
    let row = t
        .on_event(&TransferEvent::Finished {
            id: 1,
            outcome: Outcome::Deleted { entries: 3 },
        })
        .expect("a known task");
    assert_eq!(row.steps, Some((3, Some(3))));
    assert!(t.conflicts.is_empty());
    assert!(t.update(Action::Down, 5));
    assert_eq!(t.list.cursor, 1);
    assert!(!t.update(Action::Copy, 5));
    t.toggle();
    t.focused = true;
    t.toggle();
    assert!(!t.shown && !t.focused, "a hidden panel has no keyboard");
}

#[test]
fn the_dialogs_part_is_a_stack() {
    let mut d = Dialogs::default();
    assert!(!d.is_open());
    d.show(Dialog::ConfirmQuit);
    d.push(Dialog::Bookmarks { cursor: 0 });
    assert_eq!(d.depth(), 2);
    assert_eq!(d.top(), Some(&Dialog::Bookmarks { cursor: 0 }));
    d.close();
    assert_eq!(
        d.top(),
        Some(&Dialog::ConfirmQuit),
        "the one below comes back"
    );
    d.show(Dialog::Bookmarks { cursor: 1 });
    assert_eq!(d.depth(), 1, "show replaces the dialog that led to it");
    d.close_all();
    assert!(!d.is_open());
}

#[test]
fn the_app_is_built_from_its_config_as_main_builds_it() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use ftpdeck::app::keymap::Mode;
    use ftpdeck::app::{App, AppConfig};
    let text = "[transfers]\noverwrite = \"skip\"\n[ui]\nshow_hidden = true\n[theme]\nname = \"light\"\n[keys]\n\"ctrl-d\" = \"delete\"\n";
    let (config, problems) = ftpdeck::config::parse(text, "t");
    assert!(problems.is_empty(), "{problems:?}");
    let mut ac = AppConfig::from_config(&config, "/tmp", None);
    ac.startup_warnings = vec!["a startup warning".into()];
    let (app, cmds) = App::new(ac);
    assert_eq!(
        app.tasks.default_policy,
        Some(ftpdeck::transfer::Resolution::Skip)
    );
    assert!(app.browse.local.show_hidden && app.browse.remote.show_hidden);
    assert_eq!(app.theme, ftpdeck::theme::Theme::light());
    let ctrl_d = KeyEvent::new(KeyCode::Char('d'), KeyModifiers::CONTROL);
    assert_eq!(
        app.keymap.action_for(Mode::Browser, &ctrl_d),
        Some(Action::Delete)
    );
    assert!(
        app.status.text.contains("a startup warning"),
        "{:?}",
        app.status
    );
    assert_eq!(cmds.len(), 1, "the local listing: {cmds:?}");
}
