//! Listing the wide directory, from process start: `ftpdeck ls` against `curl -q
//! ftp://…/dir/` and `lftp cls` (each connects, logs in, lists and exits), and the ftpdeck TUI
//! started on that directory in a pseudo-terminal, timed until the listing is drawn. The
//! session worker inside the bench, on a connection already logged in, runs in the same rounds
//! but is reported apart.

use std::cell::RefCell;

use super::ctx::Ctx;
use super::engine;
use super::fixtures;
use super::process::Sample;
use super::report::{Goal, How, Measure, Row};
use super::runner::{contest, entrant};
use super::servers::Server;
use super::tools;
use super::{thousands, ui};

const TUI: &str = "ftpdeck TUI, start → listing drawn";
const LS: &str = "ftpdeck ls";
const CLS: &str = "lftp cls";
const IN_PROCESS: &str = "ftpdeck session worker, already connected";

fn count_lines(out: &[u8]) -> usize {
    out.iter().filter(|&&b| b == b'\n').count()
}

pub fn listing(c: &Ctx, server: &Server, ui_local: &std::path::Path) -> Vec<Row> {
    let n = c.settings.sizes.dir_entries;
    let label = format!("list {}-entry dir", thousands(n));
    let login = &server.login;
    let expect = |who: &str, lines: usize| {
        if lines == n {
            Ok(())
        } else {
            Err(format!("{who} printed {lines} lines, expected {n}"))
        }
    };
    let url = login.url("/dir20k/");
    let first = fixtures::wide_name(1, n);
    let with_connect = RefCell::new(Vec::new());
    let mut entrants = Vec::new();
    if c.have.curl {
        let make = || tools::curl_list(login, "/dir20k");
        entrants.push(
            entrant("curl", move || {
                let out = c.run(make())?;
                expect("curl", count_lines(&out.stdout))?;
                Ok(out.sample)
            })
            .shows(c.shown(&make(), login)),
        );
    }
    if c.have.lftp {
        let make = || tools::lftp(login, "cls -1 /dir20k/");
        entrants.push(
            entrant(CLS, move || {
                let out = c.run(make())?;
                expect("lftp cls", count_lines(&out.stdout))?;
                Ok(out.sample)
            })
            .shows(c.shown(&make(), login)),
        );
    }
    let make_ls = || {
        let mut cmd = c.ftpdeck(["ls"]);
        cmd.arg(&url);
        cmd
    };
    entrants.push(
        entrant(LS, move || {
            let out = c.run(make_ls())?;
            expect("ftpdeck ls", count_lines(&out.stdout))?;
            Ok(out.sample)
        })
        .shows(c.shown(&make_ls(), login)),
    );
    let mut shown = std::process::Command::new(c.binary);
    shown.arg(&url).arg("--local").arg(ui_local);
    entrants.push(
        entrant(TUI, || {
            ui::time_to_listing(c.binary, &url, ui_local, &first)
        })
        .shows(c.shown(&shown, login)),
    );
    entrants.push(entrant(IN_PROCESS, || {
        let listed = engine::list(login, "/dir20k", n, super::ctx::RUN_TIMEOUT)?;
        with_connect
            .borrow_mut()
            .push(listed.connect_and_list.as_secs_f64());
        Ok(Sample::wall_only(listed.list))
    }));
    let outcomes = contest(
        &format!("{label} ({})", server.name),
        c.settings.runs,
        entrants,
    );
    let mut rows = Vec::new();
    for o in &outcomes {
        if o.name == IN_PROCESS {
            rows.push(o.row(&label, server.name, None).how(How::InProcess));
            if o.result.is_ok() {
                rows.push(
                    Row::new(
                        &label,
                        server.name,
                        "ftpdeck session worker, connect + log in + list",
                        Measure::Time {
                            wall: with_connect.borrow().clone(),
                            user: Vec::new(),
                            sys: Vec::new(),
                            bytes: None,
                        },
                    )
                    .how(How::InProcess),
                );
            }
            continue;
        }
        let mut row = o.row(&label, server.name, None);
        if o.name == TUI {
            row = row
                .how(How::Terminal)
                .note("CPU until then, in 10 ms ticks");
        }
        if o.name == LS || o.name == TUI {
            if c.have.lftp {
                // The issue asks this one of every server of the harness.
                let goals = if o.name == LS {
                    vec![Goal::SpeedAtLeast(1.0)]
                } else {
                    Vec::new()
                };
                row = row.against(CLS, &goals);
            }
            if c.have.curl {
                row = row.against("curl", &[]);
            }
        }
        rows.push(row);
    }
    rows
}
