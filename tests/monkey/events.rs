//! What can happen to the app, one random event at a time: keys, the mouse, resizes, ticks,
//! and the workers' answers (in `workers.rs`).
//!
//! Each kind of event is one row of `EVENTS`; a new `Msg` variant is one more row.

use crossterm::event::{
    KeyCode, KeyEvent, KeyEventKind, KeyEventState, KeyModifiers, MediaKeyCode, ModifierKeyCode,
    MouseButton, MouseEventKind,
};
use ftpdeck::app::Msg;
use ftpdeck::app::keymap::{DEFAULT_KEYS, parse_key};

use super::rng::Rng;
use super::workers::{
    answer, answer_again, edited, local_event, protocol_log, remote_event, transfer_event,
};

use super::world::World;

type Gen = fn(&mut World) -> Msg;

/// Every kind of event with its weight.
const EVENTS: &[(u32, Gen)] = &[
    (30, binding_key),
    (14, dialog_key),
    (10, typed_key),
    (3, any_key),
    (1, quit_key),
    (6, mouse),
    (2, resize),
    (4, tick),
    (16, answer),
    (2, answer_again),
    (2, remote_event),
    (2, local_event),
    (8, transfer_event),
    (1, edited),
    (1, protocol_log),
    (1, |w| Msg::WorkerFailed(w.rng.text(20))),
    (2, |w| Msg::Paste(w.rng.text(200))),
    (1, worker_gone),
];

/// A worker that is gone (rare, as in life).
fn worker_gone(w: &mut World) -> Msg {
    use ftpdeck::app::Worker;
    let which = [Worker::Session, Worker::Local, Worker::Transfers];
    Msg::WorkerGone(which[w.rng.below(3)])
}

/// The next event.
pub fn next(w: &mut World) -> Msg {
    let i = w.rng.weighted(EVENTS.iter().map(|(weight, _)| *weight));
    (EVENTS[i].1)(w)
}

// ----- keys ------------------------------------------------------------------------------------

fn modifiers(rng: &mut Rng) -> KeyModifiers {
    match rng.below(12) {
        0 => KeyModifiers::SHIFT,
        1 => KeyModifiers::CONTROL,
        2 => KeyModifiers::ALT,
        3 => KeyModifiers::from_bits_truncate(rng.next() as u8),
        _ => KeyModifiers::NONE,
    }
}

fn press(rng: &mut Rng, code: KeyCode, modifiers: KeyModifiers) -> Msg {
    let kind = match rng.below(20) {
        0 => KeyEventKind::Release,
        1 => KeyEventKind::Repeat,
        _ => KeyEventKind::Press,
    };
    Msg::Key(KeyEvent {
        code,
        modifiers,
        kind,
        state: KeyEventState::NONE,
    })
}

/// A key of the default keymap (not the ones that end the program), sometimes with a stray
/// modifier.
fn binding_key(w: &mut World) -> Msg {
    let spec = loop {
        let (name, _) = w.rng.pick(DEFAULT_KEYS);
        let spec = parse_key(name).expect("default keys parse");
        let quits = matches!(spec.code, KeyCode::Char('q' | 'c' | 'z') if spec.mods.contains(KeyModifiers::CONTROL) || spec.code == KeyCode::Char('q'))
            || spec.code == KeyCode::F(10);
        if !quits {
            break spec;
        }
    };
    let mods = if w.rng.chance(10) {
        spec.mods | modifiers(&mut w.rng)
    } else {
        spec.mods
    };
    press(&mut w.rng, spec.code, mods)
}

/// The keys dialogs, forms and the viewer listen to.
fn dialog_key(w: &mut World) -> Msg {
    const CHARS: &[char] = &[
        'y', 'n', 'o', 'a', 'r', 's', 'u', 'x', 'Y', 'N', 'e', 'd', 'h', 'j', 'k', ' ',
    ];
    const CODES: &[KeyCode] = &[
        KeyCode::Esc,
        KeyCode::Enter,
        KeyCode::Tab,
        KeyCode::BackTab,
        KeyCode::Backspace,
        KeyCode::Delete,
        KeyCode::Up,
        KeyCode::Down,
        KeyCode::Left,
        KeyCode::Right,
        KeyCode::Home,
        KeyCode::End,
        KeyCode::PageUp,
        KeyCode::PageDown,
        KeyCode::F(2),
        KeyCode::F(3),
        KeyCode::F(4),
    ];
    if w.rng.chance(15) {
        let c = *w.rng.pick(&['s', 'u', 'a', 'w', 'k', 'e', 'h', 'l']);
        return press(&mut w.rng, KeyCode::Char(c), KeyModifiers::CONTROL);
    }
    let code = if w.rng.chance(50) {
        KeyCode::Char(*w.rng.pick(CHARS))
    } else {
        *w.rng.pick(CODES)
    };
    press(&mut w.rng, code, KeyModifiers::NONE)
}

/// Typing: any character, with random modifiers now and then.
fn typed_key(w: &mut World) -> Msg {
    let c = w.rng.char();
    let mods = if w.rng.chance(20) {
        modifiers(&mut w.rng)
    } else {
        KeyModifiers::NONE
    };
    press(&mut w.rng, KeyCode::Char(c), mods)
}

/// Every other key a terminal can report.
fn any_key(w: &mut World) -> Msg {
    let code = match w.rng.below(8) {
        0 => KeyCode::F(w.rng.range(1, 24) as u8),
        1 => KeyCode::F(w.rng.next() as u8),
        2 => *w.rng.pick(&[
            KeyCode::Null,
            KeyCode::CapsLock,
            KeyCode::ScrollLock,
            KeyCode::NumLock,
            KeyCode::PrintScreen,
            KeyCode::Pause,
            KeyCode::Menu,
            KeyCode::KeypadBegin,
            KeyCode::Insert,
        ]),
        3 => KeyCode::Media(*w.rng.pick(&[
            MediaKeyCode::Play,
            MediaKeyCode::Stop,
            MediaKeyCode::MuteVolume,
        ])),
        4 => KeyCode::Modifier(*w.rng.pick(&[
            ModifierKeyCode::LeftShift,
            ModifierKeyCode::RightControl,
            ModifierKeyCode::LeftAlt,
        ])),
        5 => KeyCode::Char(char::from_u32(w.rng.range(0, 0x1f) as u32).unwrap_or('\0')),
        _ => KeyCode::Char(w.rng.char()),
    };
    let mods = modifiers(&mut w.rng);
    press(&mut w.rng, code, mods)
}

/// The keys that end the program (rare, or the monkey would mostly watch restarts).
fn quit_key(w: &mut World) -> Msg {
    let (code, mods) = *w.rng.pick(&[
        (KeyCode::Char('q'), KeyModifiers::NONE),
        (KeyCode::F(10), KeyModifiers::NONE),
        (KeyCode::Char('c'), KeyModifiers::CONTROL),
        (KeyCode::Char('q'), KeyModifiers::CONTROL),
        (KeyCode::Char('z'), KeyModifiers::CONTROL),
    ]);
    if w.rng.chance(5) {
        return Msg::Terminate(15);
    }
    press(&mut w.rng, code, mods)
}

// ----- mouse, size, time -------------------------------------------------------------------------

fn mouse(w: &mut World) -> Msg {
    let button = *w.rng.pick(&[
        MouseButton::Left,
        MouseButton::Left,
        MouseButton::Left,
        MouseButton::Right,
        MouseButton::Middle,
    ]);
    let kind = match w.rng.below(9) {
        0..=2 => MouseEventKind::Down(button),
        3 | 4 => MouseEventKind::Up(button),
        5 => MouseEventKind::Drag(button),
        6 => MouseEventKind::Moved,
        _ => *w.rng.pick(&[
            MouseEventKind::ScrollDown,
            MouseEventKind::ScrollUp,
            MouseEventKind::ScrollLeft,
            MouseEventKind::ScrollRight,
        ]),
    };
    let (column, row) = if w.rng.chance(95) {
        (
            w.rng.below(w.width as usize + 1) as u16,
            w.rng.below(w.height as usize + 1) as u16,
        )
    } else {
        (w.rng.next() as u16, w.rng.next() as u16)
    };
    // Clicks come fast (double clicks) or slow; sometimes the clock steps back.
    w.at_ms = match w.rng.below(10) {
        0 => w.at_ms.saturating_sub(1000),
        1..=5 => w.at_ms + w.rng.range(0, 300),
        _ => w.at_ms + w.rng.range(300, 5000),
    };
    Msg::Mouse {
        kind,
        column,
        row,
        at_ms: w.at_ms,
    }
}

fn resize(w: &mut World) -> Msg {
    // Mostly ordinary terminals; big ones are rare because each frame costs its cells.
    let (width, height) = match w.rng.below(100) {
        0..=2 => (w.rng.range(1, 4) as u16, w.rng.range(1, 4) as u16),
        3 | 4 => (w.rng.range(1, 300) as u16, w.rng.range(1, 100) as u16),
        5 => (w.rng.range(200, 300) as u16, w.rng.range(60, 100) as u16),
        6..=20 => (w.rng.range(1, 30) as u16, w.rng.range(1, 10) as u16),
        _ => (w.rng.range(30, 120) as u16, w.rng.range(8, 40) as u16),
    };
    Msg::Resize { width, height }
}

pub fn tick(w: &mut World) -> Msg {
    w.now += match w.rng.below(20) {
        0 => -3600,
        1 => 86_400 * 400,
        _ => 1,
    };
    Msg::Tick { now: w.now }
}
