//! Copies as users make them, every contender a process: one big file down and up
//! (`ftpdeck get|put` against `curl -q` and `lftp get|put`), and the tree down and up
//! (`ftpdeck get|put --parallel N` against `lftp mirror [-R] --parallel=N`).

use std::cell::RefCell;

use super::ctx::{self, Ctx};
use super::fixtures;
use super::protocol;
use super::report::{Goal, How, Protocol, Row};
use super::runner::{Entrant, contest, entrant};
use super::servers::Server;
use super::tools::{self, lftp_quote};
use super::tui_tree;
use super::{human_bytes, thousands};

/// Contest 1: the big file, download and upload.
pub fn big_file(c: &Ctx, server: &Server) -> Vec<Row> {
    let size = c.settings.sizes.big;
    let login = &server.login;
    let fx = c.fx;
    let mut rows = Vec::new();
    for down in [true, false] {
        let label = format!(
            "{} {}",
            human_bytes(size),
            if down { "download" } else { "upload" }
        );
        let into = c.work.join("big");
        let dest = if down {
            into.join("big.bin")
        } else {
            server.up().join("big.bin")
        };
        let check = || -> Result<(), String> {
            let checked = fixtures::check_big(&dest, size, &fx.block);
            ctx::remove(&dest)?;
            server.clean_up_dir()?;
            checked
        };
        let prepare = || ctx::fresh_dir(&into);
        let big = fx.big();
        let big_str = big.to_string_lossy().into_owned();
        let dest_str = dest.to_string_lossy().into_owned();
        let (lftp_name, ours_name) = if down {
            ("lftp get", "ftpdeck get")
        } else {
            ("lftp put", "ftpdeck put")
        };
        let mut entrants = Vec::new();
        if c.have.curl {
            entrants.push(c.entrant(
                server,
                "curl",
                || {
                    if down {
                        tools::curl_get(login, "/big.bin", &dest)
                    } else {
                        tools::curl_put(login, &big, "/up/big.bin")
                    }
                },
                prepare,
                check,
            ));
        }
        if c.have.lftp {
            entrants.push(c.entrant(
                server,
                lftp_name,
                || {
                    let command = if down {
                        format!("get /big.bin -o {}", lftp_quote(&dest_str))
                    } else {
                        format!("put {} -o /up/big.bin", lftp_quote(&big_str))
                    };
                    tools::lftp(login, &command)
                },
                prepare,
                check,
            ));
        }
        entrants.push(c.entrant(
            server,
            ours_name,
            || {
                let mut cmd = c.ftpdeck([if down { "get" } else { "put" }, "--quiet"]);
                if down {
                    cmd.arg(login.url("/big.bin")).arg(&into);
                } else {
                    cmd.arg(&big).arg(login.url("/up"));
                }
                cmd
            },
            prepare,
            check,
        ));
        let outcomes = contest(
            &format!("{label} ({})", server.name),
            c.settings.runs,
            entrants,
        );
        for o in &outcomes {
            let mut row = o.row(&label, server.name, Some(size));
            if o.name == ours_name {
                let (vs_lftp, vs_curl): (&[Goal], &[Goal]) = if down {
                    (&[Goal::SpeedAtLeast(1.3)], &[Goal::CpuBelow])
                } else {
                    (
                        &[Goal::SpeedAtLeast(1.1)],
                        &[Goal::SpeedAtLeast(1.1), Goal::CpuBelow],
                    )
                };
                if c.have.lftp {
                    row = row.against(lftp_name, &c.goals(server, vs_lftp));
                }
                if c.have.curl {
                    row = row.against("curl", &c.goals(server, vs_curl));
                }
            }
            rows.push(row);
        }
    }
    rows
}

/// The tree contests' label: `tree of 2,000 files (100 MiB) download`.
pub fn tree_label(c: &Ctx, what: &str) -> String {
    format!(
        "tree of {} files ({}) {what}",
        thousands(c.settings.sizes.tree_files),
        human_bytes(c.fx.tree_bytes)
    )
}

/// Contest 2: the tree, download and upload, with 4 connections and with 1.
pub fn tree(c: &Ctx, server: &Server) -> Vec<Row> {
    let login = &server.login;
    let mut rows = Vec::new();
    for down in [true, false] {
        let label = tree_label(c, if down { "download" } else { "upload" });
        let dest_buf = if down {
            c.work.join("tree")
        } else {
            server.up().join("tree")
        };
        let dest = dest_buf.as_path();
        let check = || -> Result<(), String> {
            let checked = fixtures::compare_trees(&c.fx.tree(), dest);
            ctx::remove(dest)?;
            server.clean_up_dir()?;
            checked.map(|_| ())
        };
        let none = || Ok(());
        let expected = if down {
            match tui_tree::Expected::of(&c.fx.tree()) {
                Ok(e) => Some(e),
                Err(why) => {
                    println!("note: the TUI F5 contender cannot run: {why}");
                    None
                }
            }
        } else {
            None
        };
        let mut entrants = Vec::new();
        let verb = if down { "get" } else { "put" };
        for n in [4usize, 1] {
            if c.have.lftp {
                entrants.push(c.entrant(
                    server,
                    &format!(
                        "lftp mirror{} --parallel={n}",
                        if down { "" } else { " -R" }
                    ),
                    move || tools::lftp(login, &mirror(c, down, n, dest)),
                    none,
                    check,
                ));
            }
            entrants.push(c.entrant(
                server,
                &format!("ftpdeck {verb} --parallel {n}"),
                move || ftpdeck_tree(c, login, down, n),
                none,
                check,
            ));
            if let Some(expected) = &expected {
                entrants.push(tui_f5(c, server, n, dest, expected, check));
            }
        }
        let outcomes = contest(
            &format!("{label} ({})", server.name),
            c.settings.runs,
            entrants,
        );
        for o in &outcomes {
            let mut row = o.row(&label, server.name, Some(c.fx.tree_bytes));
            if let Some(n) = o.name.strip_prefix(TUI_F5) {
                row = row
                    .how(How::Terminal)
                    .against(
                        &format!("ftpdeck get --parallel {n}"),
                        &c.goals(server, &[Goal::SpeedAtLeast(0.9)]),
                    )
                    .note("F5 → every file in place; CPU in 10 ms ticks");
            } else if c.have.lftp && o.name.starts_with("ftpdeck") {
                let n = if o.name.ends_with(" 4") { 4 } else { 1 };
                let goal = if n == 4 { 2.0 } else { 1.5 };
                row = row.against(
                    &format!(
                        "lftp mirror{} --parallel={n}",
                        if down { "" } else { " -R" }
                    ),
                    &c.goals(server, &[Goal::SpeedAtLeast(goal)]),
                );
            }
            rows.push(row);
        }
    }
    rows
}

/// The TUI contender's name, followed by its parallel setting.
const TUI_F5: &str = "ftpdeck TUI F5, parallel ";

/// The TUI in a pseudo-terminal on `/tree/`, its local pane on `dest` (made empty first), with
/// `[transfers] parallel = n` in its config: `*` selects the top directories (the set of files
/// `ftpdeck get URL/tree` fetches), timed from F5 until every file is in `dest`; `check`
/// verifies and cleans up outside the time, as for the other contenders.
fn tui_f5<'c>(
    c: &'c Ctx,
    server: &'c Server,
    n: usize,
    dest: &'c std::path::Path,
    expected: &'c tui_tree::Expected,
    mut check: impl FnMut() -> Result<(), String> + 'c,
) -> Entrant<'c> {
    let url = server.login.url("/tree/");
    let shown = c.shown(
        &tui_tree::shown_command(c.binary, &url, dest),
        &server.login,
    );
    entrant(format!("{TUI_F5}{n}"), move || {
        ctx::fresh_dir(dest)?;
        let config = tui_tree::config_home(&c.base, n)?;
        let sample = tui_tree::f5_tree(c.binary, &url, dest, config.path(), expected)?;
        check()?;
        Ok(sample)
    })
    .shows(format!("{shown}  # [transfers] parallel = {n}; * then F5"))
}

/// lftp's `mirror` of the tree: `/tree` into `dest`, or the fixture tree into `/up/tree`.
fn mirror(c: &Ctx, down: bool, n: usize, dest: &std::path::Path) -> String {
    if down {
        tools::lftp_mirror_command(n, false, "/tree", &dest.to_string_lossy())
    } else {
        tools::lftp_mirror_command(n, true, &c.fx.tree().to_string_lossy(), "/up/tree")
    }
}

/// `ftpdeck get --quiet --parallel N URL/tree WORK` or `ftpdeck put … TREE URL/up`.
fn ftpdeck_tree(c: &Ctx, login: &tools::Login, down: bool, n: usize) -> std::process::Command {
    let n = n.to_string();
    let mut cmd = c.ftpdeck([
        if down { "get" } else { "put" },
        "--quiet",
        "--parallel",
        &n,
    ]);
    if down {
        cmd.arg(login.url("/tree")).arg(&c.work);
    } else {
        cmd.arg(c.fx.tree()).arg(login.url("/up"));
    }
    cmd
}

/// The commands one tree download sends, by verb, for `ftpdeck get --parallel 4` and
/// `lftp mirror --parallel=4` (a run of each outside the contest, vsftpd's log read around it).
pub fn protocol_counts(c: &Ctx, server: &Server) -> Vec<Protocol> {
    let Some(log) = server.log_file() else {
        return Vec::new();
    };
    let login = &server.login;
    let dest = c.work.join("tree");
    let label = tree_label(c, "download");
    let files = c.settings.sizes.tree_files;
    let mut runs: Vec<(String, std::process::Command)> = vec![(
        "ftpdeck get --parallel 4".into(),
        ftpdeck_tree(c, login, true, 4),
    )];
    if c.have.lftp {
        runs.push((
            "lftp mirror --parallel=4".into(),
            tools::lftp(login, &mirror(c, true, 4, &dest)),
        ));
    }
    let found = RefCell::new(Vec::new());
    println!("\n## commands per file, {label} ({})", server.name);
    for (name, cmd) in runs {
        let before = protocol::log_len(log);
        let ran = c.time(cmd).and_then(|_| {
            let checked = fixtures::compare_trees(&c.fx.tree(), &dest);
            ctx::remove(&dest)?;
            checked
        });
        // Let the server's session processes write their last lines.
        std::thread::sleep(std::time::Duration::from_millis(300));
        match ran {
            Ok(_) => {
                let counts = protocol::count_commands(&protocol::log_since(log, before));
                let p = Protocol {
                    contest: label.clone(),
                    server: server.name.into(),
                    contender: name,
                    files,
                    counts,
                };
                println!(
                    "  {}: {} commands, {:.2} per file: {}",
                    p.contender,
                    p.total(),
                    p.per_file().unwrap_or(0.0),
                    p.counts
                        .iter()
                        .map(|(v, n)| format!("{v} {n}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                found.borrow_mut().push(p);
            }
            Err(why) => println!("  {name} FAILED: {why}"),
        }
    }
    found.into_inner()
}
