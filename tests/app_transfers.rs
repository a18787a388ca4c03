//! Copying, conflicts, selection and the mouse, through `App::update` alone.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may stop at the first surprise

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEventKind};
use ftpdeck::app::dialog::Dialog;
use ftpdeck::app::transfers::JobState;
use ftpdeck::app::{App, AppConfig, Cmd, Msg, Side};
use ftpdeck::entry::{Entry, EntryKind};
use ftpdeck::local::{LocalCmd, LocalEvent};
use ftpdeck::remote::session::Listing;
use ftpdeck::remote::{Profile, RemoteCmd, RemoteEvent, Secret};
use ftpdeck::transfer::{
    Direction, FileFacts, Job, Outcome, Resolution, TransferCmd, TransferEvent,
};

fn key(c: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

fn file(name: &str, size: u64) -> Entry {
    let mut e = Entry::new(name, EntryKind::File);
    e.size = Some(size);
    e
}

/// Connected, 120x40, local /home/me with two files, remote /pub with a dir and three files.
fn app() -> App {
    app_saved(Default::default())
}

/// [`app`], started with what a last run left in the saved queue.
fn app_saved(saved: ftpdeck::queue::Saved) -> App {
    app_with(
        saved,
        vec![
            Entry::new("sub", EntryKind::Dir),
            file("x.bin", 100),
            file("y.bin", 200),
            file("z.txt", 300),
        ],
    )
}

/// [`app`] with `saved` as the saved queue and `remote` as the listing of /pub.
fn app_with(saved: ftpdeck::queue::Saved, remote: Vec<Entry>) -> App {
    let profile = Profile {
        host: "127.0.0.1".into(),
        port: 2121,
        user: "bob".into(),
        password: Some(Secret::new("pw")),
        path: "/pub".into(),
        ..Default::default()
    };
    let (mut app, cmds) = App::new(AppConfig {
        saved_queue: saved,
        ..AppConfig::new(PathBuf::from("/home/me"), Some(profile))
    });
    app.update(Msg::Resize {
        width: 120,
        height: 40,
    });
    let local_id = cmds
        .iter()
        .find_map(|c| match c {
            Cmd::Local(LocalCmd::List { id, .. }) => Some(*id),
            _ => None,
        })
        .unwrap();
    app.update(Msg::Local(LocalEvent::Listed {
        id: local_id,
        path: "/home/me".into(),
        result: Ok((
            PathBuf::from("/home/me"),
            vec![file("a.txt", 10), Entry::new("docs", EntryKind::Dir)],
        )),
    }));
    let cmds = app.update(Msg::Remote(RemoteEvent::Connected {
        label: "bob@127.0.0.1:2121".into(),
        home: "/".into(),
        welcome: String::new(),
        checksum: None,
    }));
    assert!(
        cmds.iter()
            .any(|c| matches!(c, Cmd::Transfer(TransferCmd::SetProfile(_))))
    );
    let id = cmds
        .iter()
        .find_map(|c| match c {
            Cmd::Remote(RemoteCmd::List { id, .. }) => Some(*id),
            _ => None,
        })
        .unwrap();
    app.update(Msg::Remote(RemoteEvent::Listed {
        id,
        path: "/pub".into(),
        result: Ok(Listing {
            path: "/pub".into(),
            truncated: None,
            entries: remote,
        }),
    }));
    app
}

fn enqueued(cmds: &[Cmd]) -> Vec<Job> {
    cmds.iter()
        .flat_map(|c| match c {
            Cmd::Transfer(TransferCmd::Enqueue(jobs)) => jobs.clone(),
            _ => vec![],
        })
        .collect()
}

#[test]
fn f5_downloads_the_cursor_entry_into_the_local_directory() {
    let mut app = app();
    app.update(key(KeyCode::Down)); // x.bin
    let jobs = enqueued(&app.update(key(KeyCode::F(5))));
    assert_eq!(jobs.len(), 1);
    let j = &jobs[0];
    assert_eq!(j.direction, Direction::Download);
    assert_eq!(j.remote, "/pub/x.bin");
    assert_eq!(j.local, PathBuf::from("/home/me/x.bin"));
    assert_eq!(j.size, Some(100));
    assert!(!j.remove_source);
    assert!(
        app.tasks.shown,
        "the panel shows itself while work is queued"
    );
    assert_eq!(app.tasks.list.jobs.len(), 1);
}

#[test]
fn a_selection_is_copied_whole_then_cleared_and_the_title_counts_it() {
    let mut app = app();
    app.update(key(KeyCode::Down));
    app.update(key(KeyCode::Char(' '))); // x.bin, cursor to y.bin
    app.update(key(KeyCode::Insert)); // y.bin
    assert_eq!(app.browse.remote.selection_totals(), (2, 300));
    let jobs = enqueued(&app.update(key(KeyCode::Char('m'))));
    assert_eq!(jobs.len(), 2);
    assert!(
        jobs.iter()
            .all(|j| j.remove_source && j.batch == jobs[0].batch)
    );
    assert!(
        app.browse.remote.selected.is_empty(),
        "selection cleared once queued"
    );
    // Upload from the local pane: a directory is copied recursively.
    app.update(key(KeyCode::Tab)); // to the transfer panel
    app.update(key(KeyCode::Tab)); // to local
    assert_eq!(app.browse.focus, Side::Local);
    app.update(key(KeyCode::Char('*')));
    let jobs = enqueued(&app.update(key(KeyCode::Char('c'))));
    assert_eq!(jobs.len(), 2);
    let docs = jobs.iter().find(|j| j.is_dir).unwrap();
    assert_eq!(
        (docs.direction, docs.remote.as_str()),
        (Direction::Upload, "/pub/docs")
    );
}

#[test]
fn glob_selection_dialog() {
    let mut app = app();
    app.update(key(KeyCode::Char('+')));
    assert!(matches!(
        app.dialogs.top().cloned(),
        Some(Dialog::Glob { select: true, .. })
    ));
    app.update(key(KeyCode::Backspace));
    for c in "*.bin".chars() {
        app.update(key(KeyCode::Char(c)));
    }
    app.update(key(KeyCode::Enter));
    assert_eq!(app.browse.remote.selection_totals(), (2, 300));
    app.update(key(KeyCode::Char('-')));
    app.update(key(KeyCode::Backspace));
    for c in "x*".chars() {
        app.update(key(KeyCode::Char(c)));
    }
    app.update(key(KeyCode::Enter));
    assert_eq!(app.browse.remote.selection_totals(), (1, 200));
}

fn conflict(app: &mut App, id: u64, existing: u64, source: u64) {
    app.update(Msg::Transfer(TransferEvent::Conflict {
        id,
        source: FileFacts {
            size: Some(source),
            mtime: Some(2),
            read_only: false,
        },
        existing: FileFacts {
            size: Some(existing),
            mtime: Some(1),
            read_only: false,
        },
    }));
}

#[test]
fn conflicts_ask_and_apply_to_all_answers_the_rest_of_the_batch() {
    let mut app = app();
    app.update(key(KeyCode::Char('*')));
    let jobs = enqueued(&app.update(key(KeyCode::F(5))));
    assert_eq!(jobs.len(), 4);
    conflict(&mut app, jobs[1].id, 10, 100);
    conflict(&mut app, jobs[2].id, 10, 200);
    assert!(
        matches!(app.dialogs.top().cloned(), Some(Dialog::Overwrite { id, .. }) if id == jobs[1].id)
    );
    // 'r' resumes only when the destination is smaller: it is here.
    app.update(key(KeyCode::Char('a')));
    let cmds = app.update(key(KeyCode::Char('r')));
    let again = enqueued(&cmds);
    assert_eq!(
        again.len(),
        2,
        "both waiting jobs of the batch answered at once"
    );
    assert!(
        again
            .iter()
            .all(|j| j.on_exists == Some(Resolution::Resume))
    );
    assert!(!app.dialogs.is_open());
    // A later conflict in the same batch is answered without asking.
    conflict(&mut app, jobs[3].id, 10, 300);
    assert!(!app.dialogs.is_open());
    assert_eq!(
        app.tasks.list.get(jobs[3].id).unwrap().state,
        JobState::Queued
    );
}

#[test]
fn each_answer_of_the_overwrite_dialog() {
    for (k, res) in [
        ('o', Resolution::Overwrite),
        ('s', Resolution::Skip),
        ('n', Resolution::Rename),
        ('u', Resolution::OverwriteIfNewer),
    ] {
        let mut app = app();
        app.update(key(KeyCode::Down));
        let jobs = enqueued(&app.update(key(KeyCode::F(5))));
        conflict(&mut app, jobs[0].id, 500, 100);
        // Resume is not offered when the destination is larger.
        assert!(enqueued(&app.update(key(KeyCode::Char('r')))).is_empty());
        let again = enqueued(&app.update(key(KeyCode::Char(k))));
        assert_eq!(again[0].on_exists, Some(res), "{k}");
        assert!(
            app.tasks.batch_policy.is_empty(),
            "no apply-to-all unless asked"
        );
    }
}

#[test]
fn progress_failure_retry_and_cancel() {
    let mut app = app();
    app.update(key(KeyCode::Down));
    let job = enqueued(&app.update(key(KeyCode::F(5)))).remove(0);
    app.update(Msg::Transfer(TransferEvent::Started { id: job.id }));
    app.update(Msg::Transfer(TransferEvent::Progress {
        id: job.id,
        done: 50,
        total: Some(100),
        rate: 25.0,
    }));
    let v = app.tasks.list.get(job.id).unwrap();
    assert_eq!((v.done, v.eta()), (50, Some(2.0)));
    assert_eq!(app.tasks.list.totals().bytes_left, 50);
    let cmds = app.update(key(KeyCode::Char('x')));
    assert_eq!(cmds, vec![Cmd::Transfer(TransferCmd::Cancel(job.id))]);
    app.update(Msg::Transfer(TransferEvent::Finished {
        id: job.id,
        outcome: Outcome::Failed {
            error: "451 disk full".into(),
        },
    }));
    assert!(app.status.is_error && app.status.text.contains("451 disk full"));
    let again = enqueued(&app.update(key(KeyCode::Char('R'))));
    assert_eq!(again, vec![job.clone()]);
    assert_eq!(app.tasks.list.get(job.id).unwrap().state, JobState::Queued);
    assert_eq!(
        app.update(key(KeyCode::Char('X'))),
        vec![Cmd::Transfer(TransferCmd::CancelAll)]
    );
}

#[test]
fn quitting_with_transfers_running_asks_first() {
    let mut app = app();
    app.update(key(KeyCode::Down));
    app.update(key(KeyCode::F(5)));
    assert!(app.update(key(KeyCode::Char('q'))).is_empty());
    assert_eq!(app.dialogs.top().cloned(), Some(Dialog::ConfirmQuit));
    app.update(key(KeyCode::Esc));
    assert!(!app.dialogs.is_open() && !app.quit);
    app.update(key(KeyCode::Char('q')));
    let cmds = app.update(key(KeyCode::Char('y')));
    assert_eq!(cmds, vec![Cmd::Transfer(TransferCmd::CancelAll), Cmd::Quit]);
}

#[test]
fn finished_downloads_refresh_the_local_pane() {
    let mut app = app();
    app.update(key(KeyCode::Down));
    let job = enqueued(&app.update(key(KeyCode::F(5)))).remove(0);
    let cmds = app.update(Msg::Transfer(TransferEvent::Finished {
        id: job.id,
        outcome: Outcome::Done {
            bytes: 100,
            secs: 0.1,
            note: None,
            verified: None,
        },
    }));
    assert!(
        cmds.iter().any(|c| matches!(c, Cmd::Local(LocalCmd::List { path, .. }) if path == &PathBuf::from("/home/me"))),
        "{cmds:?}"
    );
}

fn mouse(kind: MouseEventKind, column: u16, row: u16, at_ms: u64) -> Msg {
    Msg::Mouse {
        kind,
        column,
        row,
        at_ms,
    }
}

#[test]
fn dragging_a_remote_entry_onto_the_local_pane_downloads_it() {
    let mut app = app();
    // Remote pane starts at column 60; row 2 is the first entry (sub/), row 3 is x.bin.
    app.update(mouse(MouseEventKind::Down(MouseButton::Left), 70, 3, 1000));
    assert_eq!(app.browse.remote.current().unwrap().name, "x.bin");
    app.update(mouse(MouseEventKind::Drag(MouseButton::Left), 40, 3, 1050));
    let jobs = enqueued(&app.update(mouse(MouseEventKind::Up(MouseButton::Left), 20, 10, 1100)));
    assert_eq!(jobs.len(), 1);
    assert_eq!(
        (jobs[0].remote.as_str(), jobs[0].local.clone()),
        ("/pub/x.bin", PathBuf::from("/home/me/x.bin"))
    );

    // Dropped on a directory row: into that directory ("docs" sorts first locally, row 2).
    app.update(mouse(MouseEventKind::Down(MouseButton::Left), 70, 4, 5000)); // y.bin
    app.update(mouse(MouseEventKind::Drag(MouseButton::Left), 30, 2, 5050));
    let jobs = enqueued(&app.update(mouse(MouseEventKind::Up(MouseButton::Left), 10, 2, 5100)));
    assert_eq!(jobs[0].local, PathBuf::from("/home/me/docs/y.bin"));

    // A click without moving is not a drop.
    app.update(mouse(MouseEventKind::Down(MouseButton::Left), 70, 5, 9000));
    assert!(
        enqueued(&app.update(mouse(MouseEventKind::Up(MouseButton::Left), 70, 5, 9050))).is_empty()
    );
}

#[test]
fn click_wheel_and_double_click() {
    let mut app = app();
    app.update(mouse(MouseEventKind::Down(MouseButton::Left), 10, 3, 100));
    assert_eq!(app.browse.focus, Side::Local);
    assert_eq!(app.browse.local.current().unwrap().name, "a.txt");
    app.update(mouse(MouseEventKind::ScrollDown, 70, 10, 200));
    assert_eq!(app.browse.remote.cursor, 3);
    app.update(mouse(MouseEventKind::ScrollUp, 70, 10, 300));
    assert_eq!(app.browse.remote.cursor, 0);
    // Double-click on the remote directory opens it.
    app.update(mouse(MouseEventKind::Down(MouseButton::Left), 70, 2, 1000));
    app.update(mouse(MouseEventKind::Up(MouseButton::Left), 70, 2, 1010));
    let cmds = app.update(mouse(MouseEventKind::Down(MouseButton::Left), 70, 2, 1200));
    assert!(
        cmds.iter()
            .any(|c| matches!(c, Cmd::Remote(RemoteCmd::List { path, .. }) if path == "/pub/sub")),
        "{cmds:?}"
    );
}

#[test]
fn f5_pressed_three_times_queues_the_file_once() {
    let mut app = app();
    app.update(key(KeyCode::Down));
    let first = enqueued(&app.update(key(KeyCode::F(5))));
    assert_eq!(first.len(), 1);
    for _ in 0..2 {
        let cmds = app.update(key(KeyCode::F(5)));
        assert!(
            enqueued(&cmds).is_empty(),
            "a second job for one destination: {cmds:?}"
        );
        assert!(app.status.is_error);
        assert!(
            app.status.text.contains("Already copying"),
            "{}",
            app.status.text
        );
    }
    // Once the first has finished, copying it again is a new job (the engine then asks).
    app.update(Msg::Transfer(TransferEvent::Finished {
        id: first[0].id,
        outcome: Outcome::Done {
            bytes: 100,
            secs: 0.1,
            note: None,
            verified: None,
        },
    }));
    assert_eq!(enqueued(&app.update(key(KeyCode::F(5)))).len(), 1);
}

#[test]
fn a_selection_of_thousands_with_a_name_listed_twice_queues_each_destination_once() {
    // A listing that names a file twice (some servers do, after a rename mid-listing) gives
    // two entries with one destination: the second is refused, every other entry is queued.
    let mut entries: Vec<Entry> = (0..3000)
        .map(|i| file(&format!("f{i:04}.bin"), i))
        .collect();
    entries.push(file("f0042.bin", 42));
    let mut app = app_with(Default::default(), entries);
    assert_eq!(app.browse.focus, Side::Remote);
    app.update(key(KeyCode::Char('*')));
    let jobs = enqueued(&app.update(key(KeyCode::F(5))));
    assert_eq!(jobs.len(), 3000);
    let mut dests: Vec<_> = jobs.iter().map(|j| j.local.clone()).collect();
    dests.sort();
    dests.dedup();
    assert_eq!(dests.len(), 3000, "each destination once");
    // What was queued is said, and so is what was left out and why.
    assert!(app.status.is_error);
    assert!(
        app.status.text.starts_with("Copying 3,000 items")
            && app
                .status
                .text
                .contains("Already copying to /home/me/f0042.bin"),
        "{}",
        app.status.text
    );
    // The same selection again: every destination is taken by a job still queued.
    app.update(key(KeyCode::Char('*')));
    assert!(enqueued(&app.update(key(KeyCode::F(5)))).is_empty());
    assert!(
        app.status
            .text
            .starts_with("Already copying to /home/me/f0000.bin")
            && app.status.text.contains("(and 3,000 more left out)"),
        "{}",
        app.status.text
    );
}

#[test]
fn a_move_whose_copy_could_not_be_verified_says_the_source_was_kept() {
    let mut app = app();
    app.update(key(KeyCode::Down));
    let job = enqueued(&app.update(key(KeyCode::F(6)))).remove(0);
    assert!(job.remove_source);
    let note = "copied; the source was kept on the server because its size could not be confirmed";
    app.update(Msg::Transfer(TransferEvent::Finished {
        id: job.id,
        outcome: Outcome::Done {
            bytes: 100,
            secs: 0.1,
            note: Some(note.into()),
            verified: None,
        },
    }));
    assert!(app.status.is_error);
    assert!(
        app.status.text.contains("source was kept"),
        "{}",
        app.status.text
    );
}

#[test]
fn a_file_waiting_for_a_decision_still_counts_its_size() {
    let mut app = app();
    app.update(key(KeyCode::Char('G')));
    let jobs = enqueued(&app.update(key(KeyCode::F(5))));
    assert_eq!(jobs.len(), 1);
    let size = jobs[0].size.expect("the listing gave the size");
    conflict(&mut app, jobs[0].id, 10, size);
    let t = app.tasks.list.totals();
    assert_eq!((t.waiting, t.files_left), (1, 1));
    assert_eq!((t.bytes_left, t.sizes_unknown), (size, false));
}

#[test]
fn compare_marks_follow_a_remote_directory_change() {
    use ftpdeck::app::pane::Mark;
    let mut app = app();
    app.update(key(KeyCode::Char('=')));
    assert!(app.browse.compare_on);
    assert_eq!(app.browse.local.marks.get("a.txt"), Some(&Mark::OnlyHere));
    // Enter the remote `sub`, which has the same a.txt.
    let cmds = app.update(key(KeyCode::Enter));
    let id = cmds
        .iter()
        .find_map(|c| match c {
            Cmd::Remote(RemoteCmd::List { id, .. }) => Some(*id),
            _ => None,
        })
        .expect("entering sub lists it");
    app.update(Msg::Remote(RemoteEvent::Listed {
        id,
        path: "/pub/sub".into(),
        result: Ok(Listing {
            path: "/pub/sub".into(),
            truncated: None,
            entries: vec![file("a.txt", 10), file("only-remote.txt", 1)],
        }),
    }));
    assert_eq!(app.browse.remote.dir, "/pub/sub");
    assert_eq!(
        app.browse.local.marks.get("a.txt"),
        None,
        "{:?}",
        app.browse.local.marks
    );
    assert_eq!(
        app.browse.remote.marks.get("only-remote.txt"),
        Some(&Mark::OnlyHere)
    );
}

fn saved_queue_cmds(cmds: &[Cmd]) -> Vec<(String, Vec<ftpdeck::queue::SavedJob>)> {
    cmds.iter()
        .filter_map(|c| match c {
            Cmd::Local(LocalCmd::SaveQueue { label, jobs }) => Some((label.clone(), jobs.clone())),
            _ => None,
        })
        .collect()
}

#[test]
fn the_unfinished_queue_is_saved_on_the_tick_when_it_changes_and_emptied_when_done() {
    let mut app = app();
    // Nothing ever queued: no file is written.
    assert!(saved_queue_cmds(&app.update(Msg::Tick { now: 1 })).is_empty());
    let job = enqueued(&app.update(key(KeyCode::F(5)))).remove(0);
    let saved = saved_queue_cmds(&app.update(Msg::Tick { now: 2 }));
    assert_eq!(saved.len(), 1, "{saved:?}");
    assert_eq!(saved[0].0, "bob@127.0.0.1:2121");
    assert_eq!(saved[0].1.len(), 1);
    assert_eq!(saved[0].1[0].remote, job.remote);
    assert!(saved[0].1[0].download);
    // Unchanged: not written again.
    app.update(Msg::Transfer(TransferEvent::Started { id: job.id }));
    assert!(saved_queue_cmds(&app.update(Msg::Tick { now: 3 })).is_empty());
    // A failure stays saved, with its reason.
    app.update(Msg::Transfer(TransferEvent::Finished {
        id: job.id,
        outcome: Outcome::Failed {
            error: ftpdeck::transfer::TaskError::Other("disk full".into()),
        },
    }));
    let saved = saved_queue_cmds(&app.update(Msg::Tick { now: 4 }));
    assert_eq!(saved[0].1[0].failed.as_deref(), Some("disk full"));
    // Retried and done: the server's list is emptied.
    app.update(key(KeyCode::Tab));
    let cmds = app.update(key(KeyCode::Char('R')));
    let again = enqueued(&cmds);
    let id = again.first().map_or(job.id, |j| j.id);
    app.update(Msg::Transfer(TransferEvent::Finished {
        id,
        outcome: Outcome::Done {
            bytes: 100,
            secs: 0.1,
            note: None,
            verified: None,
        },
    }));
    let saved = saved_queue_cmds(&app.update(Msg::Tick { now: 5 }));
    assert_eq!(saved.len(), 1, "{saved:?}");
    assert!(saved[0].1.is_empty(), "{saved:?}");
}

#[test]
fn the_last_runs_queue_is_offered_on_connecting_and_y_resumes_n_forgets_esc_waits() {
    use ftpdeck::queue::{Saved, SavedJob};
    let left = SavedJob {
        download: true,
        remote: "/pub/x.bin".into(),
        local: "/home/me/x.bin".into(),
        is_dir: false,
        size: Some(100),
        mtime: None,
        remove_source: false,
        failed: None,
    };
    let saved = |jobs: Vec<SavedJob>| Saved {
        servers: [("bob@127.0.0.1:2121".to_string(), jobs)].into(),
    };
    let another = Saved {
        servers: [("eve@elsewhere:21".to_string(), vec![left.clone()])].into(),
    };
    // Another server's queue is not offered here.
    assert!(app_saved(another).dialogs.top().is_none());

    let mut app = app_saved(saved(vec![left.clone()]));
    assert!(matches!(
        app.dialogs.top(),
        Some(Dialog::ResumeQueue {
            files: 1,
            bytes: 100,
            ..
        })
    ));
    let jobs = enqueued(&app.update(key(KeyCode::Char('y'))));
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].remote, "/pub/x.bin");
    assert_eq!(
        jobs[0].on_exists,
        Some(ftpdeck::transfer::Resolution::ResumeElseSkip)
    );
    assert!(app.dialogs.top().is_none());

    let mut app = app_saved(saved(vec![left.clone()]));
    let cmds = app.update(key(KeyCode::Char('n')));
    assert!(enqueued(&cmds).is_empty());
    let saved_now = saved_queue_cmds(&cmds);
    assert_eq!(saved_now.len(), 1, "{cmds:?}");
    assert!(saved_now[0].1.is_empty(), "forgotten: {saved_now:?}");

    // Esc: nothing queued, and what was left stays in what is saved.
    let mut app = app_saved(saved(vec![left.clone()]));
    assert!(enqueued(&app.update(key(KeyCode::Esc))).is_empty());
    assert!(app.dialogs.top().is_none());
    let (_, jobs) = app.queue_snapshot().unwrap();
    assert_eq!(jobs, vec![left]);
}
