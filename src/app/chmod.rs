//! Permissions (`p`): what was asked, and — once the refreshed listing is in — what the server
//! or the file system really applied, which need not be the same.

use super::fileops::AfterOp;
use super::{App, Cmd, Side};
use crate::localops::LocalOp;
use crate::remote::fileops::{RemoteOp, parse_mode};
use crate::transfer::Task;
use crate::words::short;

/// A permissions change waiting for the refreshed listing to show what was applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChmodCheck {
    pub side: Side,
    pub name: String,
    pub asked: u32,
}

impl App {
    /// The permissions dialog was submitted with `text` for `name` on `side`.
    pub(super) fn start_chmod(
        &mut self,
        side: Side,
        name: String,
        text: &str,
        recursive: bool,
    ) -> Vec<Cmd> {
        let asked = match parse_mode(text) {
            Ok(m) => m,
            Err(e) => {
                self.error(format!("Permissions: {e}"));
                return vec![];
            }
        };
        let path = super::browse::child_path(side, &self.pane(side).dir, &name);
        if recursive {
            return self.start_task(Task::Chmod { mode: asked }, path, true);
        }
        let what = format!("changing permissions of {}", short(&name));
        let after = AfterOp::CheckChmod { name, asked };
        match side {
            Side::Local => self.start_local(
                LocalOp::Chmod {
                    path: path.into(),
                    mode: asked,
                },
                what,
                after,
            ),
            Side::Remote => self.start_remote(RemoteOp::Chmod { path, mode: asked }, what, after),
        }
    }

    /// The change was accepted: say what was asked, and check the listing that follows.
    pub(super) fn chmod_accepted(&mut self, side: Side, name: String, asked: u32) -> Vec<Cmd> {
        self.info(format!(
            "Asked for {} on {}; reading back what was applied…",
            mode_words(asked),
            short(&name)
        ));
        self.files.chmod_check = Some(ChmodCheck {
            side,
            name: name.clone(),
            asked,
        });
        let dir = self.pane(side).dir.clone();
        self.request(side, dir, Some(name))
    }

    /// A listing of `side` arrived: if a permissions change waits for it, report the result.
    pub(super) fn check_chmod(&mut self, side: Side) {
        let Some(check) = self.files.chmod_check.take_if(|c| c.side == side) else {
            return;
        };
        let name = short(&check.name);
        let listed = self
            .pane(side)
            .entries
            .iter()
            .find(|e| e.name == check.name)
            .and_then(|e| e.perms.as_deref())
            .and_then(listed_mode);
        let asked = check.asked;
        match listed {
            None => self.info(format!(
                "Asked for {} on {name}; the listing does not show permissions",
                mode_words(asked)
            )),
            Some((mode, shows_special)) => {
                let compared = if shows_special { asked } else { asked & 0o777 };
                if mode != compared {
                    self.error(format!(
                        "Asked for {} on {name}, but it is {} now",
                        mode_words(asked),
                        mode_words(mode)
                    ));
                } else if asked & 0o7000 != 0 && !shows_special {
                    self.info(format!(
                        "Permissions of {name}: {}; the listing cannot show {}",
                        mode_words(mode),
                        special_bits(asked)
                    ));
                } else {
                    self.info(format!("Permissions of {name}: {}", mode_words(mode)));
                }
            }
        }
    }
}

/// `755 (rwxr-xr-x)`, `4755 (rwsr-xr-x: setuid)`.
pub fn mode_words(mode: u32) -> String {
    let special = if mode & 0o7000 != 0 {
        format!(": {}", special_bits(mode))
    } else {
        String::new()
    };
    format!("{mode:o} ({}{special})", ls_form(mode))
}

fn special_bits(mode: u32) -> String {
    [(0o4000, "setuid"), (0o2000, "setgid"), (0o1000, "sticky")]
        .iter()
        .filter(|(bit, _)| mode & bit != 0)
        .map(|(_, word)| *word)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The nine `rwx` letters, with `s`/`S`/`t`/`T` for the special bits as `ls` shows them.
fn ls_form(mode: u32) -> String {
    let mut s: Vec<char> = crate::local::rwx(mode).chars().collect();
    for (bit, at, set, unset) in [
        (0o4000, 2, 's', 'S'),
        (0o2000, 5, 's', 'S'),
        (0o1000, 8, 't', 'T'),
    ] {
        if mode & bit != 0 {
            s[at] = if s[at] == 'x' { set } else { unset };
        }
    }
    s.into_iter().collect()
}

/// The mode a listing's permissions show (`rwxr-xr-x`, `-rwsr-xr-x`, `drwxrwxrwt`), and whether
/// they show the special bits at all (an `s` or `t` column; a local listing has none).
fn listed_mode(perms: &str) -> Option<(u32, bool)> {
    let chars: Vec<char> = perms.chars().collect();
    let bits = match chars.len() {
        10 => &chars[1..],
        9 => &chars[..],
        _ => return None,
    };
    let mut mode = 0;
    let mut special = false;
    for (i, &c) in bits.iter().enumerate() {
        let bit = 1 << (8 - i);
        let special_bit = [0o4000, 0o2000, 0o1000][i / 3];
        match (i % 3, c) {
            (_, '-') => {}
            (0, 'r') | (1, 'w') | (2, 'x') => mode |= bit,
            (2, 's') if i < 6 => mode |= bit | special_bit,
            (2, 'S') if i < 6 => mode |= special_bit,
            (2, 't') if i == 8 => mode |= bit | special_bit,
            (2, 'T') if i == 8 => mode |= special_bit,
            _ => return None,
        }
        special |= mode & special_bit != 0;
    }
    // A remote `ls -l` listing shows the special bits whenever they are set; a local one never.
    Some((mode, special || chars.len() == 10))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_in_words() {
        assert_eq!(mode_words(0o755), "755 (rwxr-xr-x)");
        assert_eq!(mode_words(0o4755), "4755 (rwsr-xr-x: setuid)");
        assert_eq!(
            mode_words(0o7666),
            "7666 (rwSrwSrwT: setuid, setgid, sticky)"
        );
        assert_eq!(listed_mode("-rwsr-xr-x"), Some((0o4755, true)));
        assert_eq!(listed_mode("drwxrwxrwt"), Some((0o1777, true)));
        assert_eq!(listed_mode("-rwxrwxrwx"), Some((0o777, true)));
        assert_eq!(listed_mode("rwxr-x---"), Some((0o750, false)));
        assert_eq!(listed_mode("rwxr-x--é"), None);
        assert_eq!(listed_mode(""), None);
    }
}
