//! Modal dialogs.

use crate::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::text::{format_time, human_size};
use crate::app::App;
use crate::app::dialog::Dialog;
use crate::app::keymap::{Action, Keymap, Mode, key_name};
use crate::app::textfield::TextField;
use crate::app::transfers::JobState;
use crate::sanitize::display_name;
use crate::transfer::FileFacts;

fn hint(text: &str, theme: &Theme) -> Line<'static> {
    Line::from(Span::styled(
        text.to_string(),
        Style::default().fg(theme.dim),
    ))
}

/// A text field's line inside a dialog box at most `w` columns wide.
fn field(area: Rect, input: &TextField, mask: bool, w: u16, theme: &Theme) -> Line<'static> {
    let inner = w.min(area.width).saturating_sub(2) as usize;
    Line::from(Span::styled(
        super::field::field_line(input, mask, inner),
        Style::default().fg(theme.highlight),
    ))
}

fn boxed(frame: &mut Frame, area: Rect, title: &str, lines: Vec<Line>, w: u16, theme: &Theme) {
    let rect = super::centered(area, w, lines.len() as u16 + 2);
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(Style::default().fg(theme.highlight))
                .title(Span::styled(
                    format!(" {title} "),
                    Style::default().add_modifier(Modifier::BOLD),
                )),
        ),
        rect,
    );
}

fn facts(f: &FileFacts) -> String {
    let size = f
        .size
        .map(human_size)
        .unwrap_or_else(|| "size unknown".into());
    let time = format_time(f.mtime);
    if time.is_empty() {
        size
    } else {
        format!("{size}, {time}")
    }
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, dialog: &Dialog, theme: &Theme) {
    match dialog {
        Dialog::Password {
            label,
            input,
            error,
        } => {
            let mut lines = vec![
                Line::from(format!("Password for {}:", display_name(label))),
                field(area, input, true, 60, theme),
            ];
            if let Some(e) = error {
                lines.push(Line::from(Span::styled(
                    display_name(e),
                    Style::default().fg(theme.error),
                )));
            }
            lines.push(hint("Enter connect · Esc cancel", theme));
            boxed(frame, area, "Log in", lines, 60, theme);
        }
        Dialog::Overwrite { id, apply_to_all } => {
            let Some(v) = app.tasks.list.get(*id) else {
                return;
            };
            let (source, existing) = match &v.state {
                JobState::Conflict { source, existing } => (*source, *existing),
                _ => (FileFacts::default(), FileFacts::default()),
            };
            let resume = matches!((existing.size, source.size), (Some(e), Some(s)) if e < s);
            let check = if *apply_to_all { "[x]" } else { "[ ]" };
            let mut lines = vec![
                Line::from(format!("{} already exists.", display_name(&v.job.name()))),
                Line::from(format!(
                    "  existing: {}{}",
                    facts(&existing),
                    if existing.read_only {
                        " — read-only"
                    } else {
                        ""
                    }
                )),
                Line::from(format!("  new:      {}", facts(&source))),
                Line::from(""),
            ];
            lines.extend(overwrite_keys(&app.keymap, resume, check, theme));
            boxed(frame, area, "File exists", lines, 72, theme);
        }
        Dialog::ConfirmQuit => {
            let t = app.tasks.list.totals();
            let lines = vec![
                Line::from(format!(
                    "{} still running or queued.",
                    crate::words::count(
                        t.running + t.queued + t.waiting,
                        "transfer is",
                        "transfers are"
                    )
                )),
                Line::from(
                    "Quit and stop them? Partial downloads stay as .part files, and the next",
                ),
                Line::from("connection to this server offers to resume them."),
                hint("y quit · n / Esc stay", theme),
            ];
            boxed(frame, area, "Quit?", lines, 76, theme);
        }
        Dialog::TrustCert {
            fingerprint,
            reason,
        } => {
            let host = app
                .server
                .profile
                .as_ref()
                .map(|p| p.label())
                .unwrap_or_default();
            let pretty = crate::remote::tls::pretty_fingerprint(fingerprint);
            // 48 characters per line (16 bytes as "AB:"); counted in characters so that a
            // fingerprint that is not hex cannot split one.
            let cut = pretty
                .char_indices()
                .nth(48)
                .map_or(pretty.len(), |(i, _)| i);
            let (a, b) = pretty.split_at(cut);
            let lines = vec![
                Line::from(format!(
                    "The certificate of {} is not trusted:",
                    display_name(&host)
                )),
                Line::from(Span::styled(
                    display_name(reason),
                    Style::default().fg(theme.error),
                )),
                Line::from(""),
                Line::from("SHA-256 fingerprint:"),
                Line::from(Span::styled(
                    format!("  {a}"),
                    Style::default().fg(theme.highlight),
                )),
                Line::from(Span::styled(
                    format!("  {}", b.trim_start_matches(':')),
                    Style::default().fg(theme.highlight),
                )),
                Line::from(""),
                Line::from("Compare it with what the server's owner gave you."),
                hint("o trust once · a always trust (pin it) · Esc cancel", theme),
            ];
            boxed(frame, area, "Untrusted certificate", lines, 76, theme);
        }
        Dialog::Input { purpose, input, .. } => {
            use crate::app::dialog::InputPurpose;
            let (title, prompt) = match purpose {
                InputPurpose::Mkdir => (
                    "New directory".to_string(),
                    "Name of the new directory:".to_string(),
                ),
                InputPurpose::Rename { from } => (
                    "Rename".into(),
                    format!("New name for {}:", display_name(from)),
                ),
                InputPurpose::Chmod { name, .. } => (
                    "Permissions".into(),
                    format!("Permissions of {} (755 or rwxr-xr-x):", display_name(name)),
                ),
            };
            let mut lines = vec![Line::from(prompt), field(area, input, false, 64, theme)];
            if let InputPurpose::Chmod {
                recursive: Some(r), ..
            } = purpose
            {
                lines.push(Line::from(if *r {
                    "[x] also everything inside (directories get x where r is set)"
                } else {
                    "[ ] also everything inside — Tab toggles"
                }));
            }
            lines.push(hint(
                "Enter confirm · Esc cancel · Ctrl-A/E start/end · Ctrl-U/K cut",
                theme,
            ));
            boxed(frame, area, &title, lines, 64, theme);
        }
        Dialog::ConfirmDelete { side, targets } => {
            let where_ = match side {
                crate::app::Side::Local => "local",
                crate::app::Side::Remote => "remote",
            };
            let dirs = targets.iter().filter(|(_, d)| *d).count();
            let mut lines = vec![Line::from(format!(
                "Delete {} {where_} entr{}{}?",
                targets.len(),
                if targets.len() == 1 { "y" } else { "ies" },
                if dirs > 0 {
                    format!(
                        " ({dirs} director{} with everything in {})",
                        if dirs == 1 { "y" } else { "ies" },
                        if dirs == 1 { "it" } else { "them" }
                    )
                } else {
                    String::new()
                }
            ))];
            for (name, is_dir) in targets.iter().take(8) {
                let mut n = display_name(name);
                if *is_dir {
                    n.push('/');
                }
                lines.push(Line::from(format!("  {n}")));
            }
            if targets.len() > 8 {
                lines.push(Line::from(format!("  … and {} more", targets.len() - 8)));
            }
            lines.push(hint("y delete · n / Esc keep", theme));
            boxed(frame, area, "Delete", lines, 64, theme);
        }
        Dialog::ConfirmReplace { from, to, .. } => {
            let lines = vec![
                Line::from(format!("{} already exists.", display_name(to))),
                Line::from(format!(
                    "Rename {} to it, replacing the existing file?",
                    display_name(from)
                )),
                hint("o replace it · n / Esc keep both as they are", theme),
            ];
            boxed(frame, area, "Name exists", lines, 64, theme);
        }
        Dialog::ConfirmUpload { remote, .. } => {
            let lines = vec![
                Line::from(format!("You changed {}.", display_name(remote))),
                Line::from("Upload it back to the server, replacing the original?"),
                hint("y upload · n keep only the local copy", theme),
            ];
            boxed(frame, area, "Upload the edit?", lines, 70, theme);
        }
        Dialog::ResumeQueue {
            files,
            dirs,
            bytes,
            failed,
        } => {
            let lines = vec![
                Line::from(format!(
                    "{}.",
                    crate::app::resume::describe(*files, *dirs, *bytes, *failed)
                )),
                Line::from(if *files + *dirs == 1 {
                    "Resume it (a partly copied file continues where it stopped)?"
                } else {
                    "Resume them (a partly copied file continues where it stopped)?"
                }),
                hint("y resume · n forget them · Esc ask next time", theme),
            ];
            boxed(frame, area, "Resume transfers?", lines, 72, theme);
        }
        Dialog::Bookmarks { cursor } => {
            super::bookmarks::draw_list(frame, area, app, *cursor, theme)
        }
        Dialog::Form(form) => super::bookmarks::draw_form(frame, area, form, theme),
        Dialog::ConfirmDeleteBookmark { name } => {
            let lines = vec![
                Line::from(format!("Delete the bookmark {}?", display_name(name))),
                Line::from("Its saved password is forgotten too."),
                hint("y delete · n / Esc keep", theme),
            ];
            boxed(frame, area, "Delete bookmark", lines, 60, theme);
        }
        Dialog::Doctor(view) => super::doctor::draw(frame, area, view, theme),
        Dialog::SyncOptions => {
            if let Some(form) = &app.sync.form {
                super::sync::draw_options(frame, area, form, theme);
            }
        }
        Dialog::SyncPlan => {
            if let Some(plan) = &app.sync.plan {
                super::sync::draw_plan(frame, area, plan, theme);
            }
        }
        Dialog::ConfirmSyncDelete {
            files,
            dirs,
            remote,
        } => {
            if let Some(plan) = &app.sync.plan {
                super::sync::draw_plan(frame, area, plan, theme);
            }
            super::sync::draw_confirm_delete(frame, area, *files, *dirs, *remote, theme);
        }
        Dialog::Glob { select, input } => {
            let verb = if *select { "Select" } else { "Unselect" };
            let lines = vec![
                Line::from(format!("{verb} names matching (* and ? wildcards):")),
                field(area, input, false, 60, theme),
                hint("Enter apply · Esc cancel", theme),
            ];
            boxed(frame, area, verb, lines, 60, theme);
        }
    }
}

/// The answers of the "file exists" question with the keys `keymap` binds to them (an answer
/// without a key is not offered).
fn overwrite_keys(keymap: &Keymap, resume: bool, check: &str, theme: &Theme) -> Vec<Line<'static>> {
    use Action::*;
    let key = |a| keymap.hint_key(Mode::Overwrite, a);
    let answers: Vec<String> = [
        (Overwrite, "overwrite"),
        (Skip, "skip"),
        (KeepBoth, "rename (keep both)"),
        (OverwriteIfNewer, "overwrite if newer"),
    ]
    .into_iter()
    .filter_map(|(a, what)| key(a).map(|k| format!("{k} {what}")))
    .collect();
    let mut lines = vec![Line::from(answers.join("   "))];
    if let Some(k) = key(Resume).filter(|_| resume) {
        lines.push(Line::from(format!(
            "{k} resume (the existing file is smaller)"
        )));
    }
    if let Some(k) = key(ApplyToAll) {
        lines.push(Line::from(format!(
            "{k} {check} apply to all in this batch"
        )));
    }
    // Skip's other keys (Esc unless the config says otherwise).
    let first_skip = key(Skip);
    let other_skips: Vec<String> = keymap
        .keys_for(Mode::Overwrite, Skip)
        .iter()
        .map(key_name)
        .filter(|k| Some(k) != first_skip.as_ref())
        .collect();
    if !other_skips.is_empty() {
        lines.push(hint(
            &format!("{} skips this file", other_skips.join(" / ")),
            theme,
        ));
    }
    lines
}
