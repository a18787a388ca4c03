//! Synchronizing the tree, every contender a process: `ftpdeck sync --parallel 4` against
//! `lftp mirror --parallel=4` (`mirror -R` up), into an empty directory, and again when the
//! destination is already in step (a no-op: the destination is kept between runs, checked
//! equal after each, and any file a run rewrote is counted).

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;
use std::rc::Rc;

use super::ctx::{self, Ctx};
use super::fixtures;
use super::report::{Goal, Row};
use super::runner::{Entrant, contest};
use super::servers::Server;
use super::tools::{self, Login};
use super::transfers::tree_label;

const LFTP: &str = "lftp mirror --parallel=4";
const LFTP_UP: &str = "lftp mirror -R --parallel=4";
const OURS: &str = "ftpdeck sync --parallel 4";

/// Where a sync lands: a local directory, or one on the server (its path there too).
struct Dest {
    local: PathBuf,
    remote: String,
}

fn dest(c: &Ctx, server: &Server, down: bool, rel: &str) -> Dest {
    if down {
        Dest {
            local: c.work.join(rel),
            remote: String::new(),
        }
    } else {
        Dest {
            local: server.up().join(rel),
            remote: format!("/up/{rel}"),
        }
    }
}

/// The contender's command that makes `d` like the tree.
fn command(c: &Ctx, login: &Login, lftp: bool, down: bool, d: &Dest) -> Command {
    let tree = c.fx.tree();
    if lftp {
        let m = if down {
            tools::lftp_mirror_command(4, false, "/tree", &d.local.to_string_lossy())
        } else {
            tools::lftp_mirror_command(4, true, &tree.to_string_lossy(), &d.remote)
        };
        return tools::lftp(login, &m);
    }
    let mut cmd = c.ftpdeck(["sync", "--quiet", "--parallel", "4"]);
    if down {
        cmd.arg(login.url("/tree")).arg(&d.local);
    } else {
        cmd.arg(&tree).arg(login.url(&d.remote));
    }
    cmd
}

/// An empty destination directory, made as the server's user when it is on the server.
fn empty(server: &Server, down: bool, d: &Dest) -> Result<(), String> {
    ctx::remove(&d.local)?;
    if down {
        ctx::fresh_dir(&d.local)
    } else {
        let rel = d
            .local
            .strip_prefix(&server.root)
            .map_err(|e| e.to_string())?;
        server.make_dir(&rel.to_string_lossy()).map(|_| ())
    }
}

pub fn sync(c: &Ctx, server: &Server) -> Vec<Row> {
    let mut rows = Vec::new();
    for down in [true, false] {
        rows.extend(full(c, server, down));
        rows.extend(no_op(c, server, down));
    }
    rows
}

fn names(down: bool) -> (&'static str, &'static str) {
    (if down { LFTP } else { LFTP_UP }, OURS)
}

/// Into an empty directory.
fn full(c: &Ctx, server: &Server, down: bool) -> Vec<Row> {
    let login = &server.login;
    let label = tree_label(
        c,
        if down {
            "sync down into an empty dir"
        } else {
            "sync up into an empty dir"
        },
    );
    let d = dest(c, server, down, "sync/tree");
    let d = &d;
    let prepare = || empty(server, down, d);
    let check = || -> Result<(), String> {
        let checked = fixtures::compare_trees(&c.fx.tree(), &d.local);
        ctx::remove(&d.local)?;
        checked.map(|_| ())
    };
    let (lftp_name, ours_name) = names(down);
    let mut entrants = Vec::new();
    if c.have.lftp {
        entrants.push(c.entrant(
            server,
            lftp_name,
            move || command(c, login, true, down, d),
            prepare,
            check,
        ));
    }
    entrants.push(c.entrant(
        server,
        ours_name,
        move || command(c, login, false, down, d),
        prepare,
        check,
    ));
    let outcomes = contest(
        &format!("{label} ({})", server.name),
        c.settings.runs,
        entrants,
    );
    let _ = ctx::remove(&c.work.join("sync"));
    let _ = server.clean_up_dir();
    let goals: &[Goal] = if down {
        &[Goal::SpeedAtLeast(1.3)]
    } else {
        &[]
    };
    outcomes
        .iter()
        .map(|o| {
            let row = o.row(&label, server.name, Some(c.fx.tree_bytes));
            if o.name == ours_name && c.have.lftp {
                row.against(lftp_name, &c.goals(server, goals))
            } else {
                row
            }
        })
        .collect()
}

/// One no-op contender: the first call brings its own destination in step with its own full
/// sync (untimed); every run after that is timed on the in-step tree and checked.
fn no_op_entrant<'c>(
    c: &'c Ctx,
    server: &'c Server,
    down: bool,
    lftp: bool,
    d: &'c Dest,
    rewritten: &'c RefCell<BTreeMap<String, usize>>,
) -> Entrant<'c> {
    let login = &server.login;
    let (lftp_name, ours_name) = names(down);
    let name = if lftp { lftp_name } else { ours_name };
    let ready = Rc::new(Cell::new(false));
    let before = Rc::new(RefCell::new(BTreeMap::new()));
    let before_check = Rc::clone(&before);
    c.entrant(
        server,
        name,
        move || command(c, login, lftp, down, d),
        move || {
            if !ready.get() {
                empty(server, down, d)?;
                c.time(command(c, login, lftp, down, d))
                    .map_err(|e| format!("bringing the destination in step: {e}"))?;
                fixtures::compare_trees(&c.fx.tree(), &d.local)?;
                *before.borrow_mut() = ctx::ctimes(&d.local)?;
                ready.set(true);
            }
            Ok(())
        },
        move || {
            fixtures::compare_trees(&c.fx.tree(), &d.local)?;
            let after = ctx::ctimes(&d.local)?;
            let n = ctx::touched(&before_check.borrow(), &after);
            let mut seen = rewritten.borrow_mut();
            let most = seen.entry(name.to_string()).or_default();
            *most = (*most).max(n);
            // The next run is measured against what this one left.
            *before_check.borrow_mut() = after;
            Ok(())
        },
    )
}

/// The destination already in step.
fn no_op(c: &Ctx, server: &Server, down: bool) -> Vec<Row> {
    let label = tree_label(
        c,
        if down {
            "sync down, already in step"
        } else {
            "sync up, already in step"
        },
    );
    let (lftp_name, ours_name) = names(down);
    let d_lftp = dest(c, server, down, "noop-lftp/tree");
    let d_ours = dest(c, server, down, "noop-ftpdeck/tree");
    let rewritten = RefCell::new(BTreeMap::new());
    let mut entrants = Vec::new();
    if c.have.lftp {
        entrants.push(no_op_entrant(c, server, down, true, &d_lftp, &rewritten));
    }
    entrants.push(no_op_entrant(c, server, down, false, &d_ours, &rewritten));
    let outcomes = contest(
        &format!("{label} ({})", server.name),
        c.settings.runs,
        entrants,
    );
    for d in [&d_lftp, &d_ours] {
        if let Some(parent) = d.local.parent() {
            let _ = ctx::remove(parent);
        }
    }
    let files = c.settings.sizes.tree_files;
    let rewritten = rewritten.into_inner();
    outcomes
        .iter()
        .map(|o| {
            let mut row = o.row(&label, server.name, None);
            if let Some(&n) = rewritten.get(&o.name) {
                row = row.note(if n == 0 {
                    "no file rewritten".to_string()
                } else {
                    format!("rewrote up to {n} of {files} files a run")
                });
            }
            if o.name == ours_name && c.have.lftp {
                row = row.against(lftp_name, &c.goals(server, &[Goal::SpeedAtLeast(1.0)]));
            }
            row
        })
        .collect()
}
