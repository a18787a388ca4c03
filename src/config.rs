//! The settings file (`config.toml` in the user's config dir). A broken setting is reported
//! with its line and the default stays in force; the program always starts.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::app::keymap::Keymap;
use crate::transfer::Resolution;

/// The commented default file, as `--print-default-config` prints it.
pub const DEFAULT_CONFIG: &str = include_str!("../assets/config.toml");

/// Settings after validation.
#[derive(Debug, Clone)]
pub struct Config {
    pub parallel: usize,
    /// `None`: ask.
    pub overwrite: Option<Resolution>,
    pub retries: u32,
    pub buffer_kib: usize,
    /// fsync downloads before they get their final name.
    pub durable: bool,
    /// How deep recursive operations may go.
    pub max_depth: usize,
    pub connect_timeout: u64,
    pub read_timeout: u64,
    pub keepalive: u64,
    pub mlsd: bool,
    /// Most entries and bytes read of one directory listing.
    pub listing_limits: crate::remote::ops::ListingLimits,
    pub mouse: bool,
    pub show_hidden: bool,
    pub keymap: Keymap,
    pub theme: crate::theme::Theme,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            parallel: 3,
            overwrite: None,
            retries: 3,
            buffer_kib: 256,
            durable: true,
            max_depth: crate::safety::DEFAULT_MAX_DEPTH,
            connect_timeout: 10,
            read_timeout: 30,
            keepalive: 60,
            mlsd: true,
            listing_limits: Default::default(),
            mouse: true,
            show_hidden: false,
            keymap: Keymap::default(),
            theme: crate::theme::Theme::dark(),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct RawConfig {
    transfers: RawTransfers,
    network: RawNetwork,
    ui: RawUi,
    keys: toml::Table,
    theme: toml::Table,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct RawTransfers {
    parallel: Option<u16>,
    overwrite: Option<String>,
    retries: Option<u32>,
    buffer_kib: Option<usize>,
    durable: Option<bool>,
    max_depth: Option<usize>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct RawNetwork {
    connect_timeout: Option<u64>,
    read_timeout: Option<u64>,
    keepalive: Option<u64>,
    mlsd: Option<bool>,
    max_listing_entries: Option<usize>,
    max_listing_mib: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct RawUi {
    mouse: Option<bool>,
    show_hidden: Option<bool>,
}

/// Where the config file is: `$FTPDECK_CONFIG`, else `config.toml` in the config dir.
pub fn config_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("FTPDECK_CONFIG") {
        return Some(PathBuf::from(p));
    }
    directories::ProjectDirs::from("", "", "ftpdeck").map(|d| d.config_dir().join("config.toml"))
}

/// Load the config file if it exists. Returns the settings and one message per problem.
pub fn load(path: Option<&Path>) -> (Config, Vec<String>) {
    let Some(path) = path else {
        return (Config::default(), vec![]);
    };
    match std::fs::read_to_string(path) {
        Ok(text) => parse(&text, &path.display().to_string()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => (Config::default(), vec![]),
        Err(e) => (
            Config::default(),
            vec![format!(
                "{}: {}",
                path.display(),
                crate::local::plain_io_error(&e)
            )],
        ),
    }
}

/// 1-based line of byte offset `at` in `text`.
fn line_of(text: &str, at: usize) -> usize {
    text[..at.min(text.len())].matches('\n').count() + 1
}

/// Line of the first line in `text` that defines `key` (quoted or bare) after `[section]`.
fn line_of_key(text: &str, section: &str, key: &str) -> Option<usize> {
    let header = format!("[{section}]");
    let mut in_section = section.is_empty();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.starts_with('[') {
            in_section = t == header;
            continue;
        }
        let lhs = t
            .split('=')
            .next()
            .unwrap_or("")
            .trim()
            .trim_matches('"')
            .trim_matches('\'');
        if in_section && lhs == key {
            return Some(i + 1);
        }
    }
    None
}

/// Line of the `[section]` header in `text`.
fn line_of_table(text: &str, section: &str) -> Option<usize> {
    let header = format!("[{section}]");
    text.lines().position(|l| l.trim() == header).map(|i| i + 1)
}

/// Parse config text; `origin` names it in messages.
pub fn parse(text: &str, origin: &str) -> (Config, Vec<String>) {
    let mut cfg = Config::default();
    let mut problems = Vec::new();
    let raw: RawConfig = match toml::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            let line = e.span().map(|s| line_of(text, s.start)).unwrap_or(0);
            let msg = e.message().trim().to_string();
            problems.push(format!(
                "{origin}:{line}: {msg} — using the default settings"
            ));
            return (cfg, problems);
        }
    };
    let t = raw.transfers;
    if let Some(n) = t.parallel {
        if (1..=16).contains(&n) {
            cfg.parallel = n as usize;
        } else {
            let line = line_of_key(text, "transfers", "parallel").unwrap_or(0);
            problems.push(format!(
                "{origin}:{line}: parallel must be 1 to 16, not {n}"
            ));
        }
    }
    if let Some(o) = t.overwrite {
        if o.trim().eq_ignore_ascii_case("ask") {
            cfg.overwrite = None;
        } else if let Some(r) = Resolution::parse(&o) {
            cfg.overwrite = Some(r);
        } else {
            let line = line_of_key(text, "transfers", "overwrite").unwrap_or(0);
            problems.push(format!(
                "{origin}:{line}: unknown overwrite policy {o:?} (ask, overwrite, resume, skip, rename, overwrite-if-newer)"
            ));
        }
    }
    cfg.retries = t.retries.unwrap_or(cfg.retries).min(20);
    if let Some(b) = t.buffer_kib {
        cfg.buffer_kib = b.clamp(4, 16 * 1024);
    }
    cfg.durable = t.durable.unwrap_or(cfg.durable);
    if let Some(d) = t.max_depth {
        if (1..=4096).contains(&d) {
            cfg.max_depth = d;
        } else {
            let line = line_of_key(text, "transfers", "max_depth").unwrap_or(0);
            problems.push(format!(
                "{origin}:{line}: max_depth must be 1 to 4096, not {d}"
            ));
        }
    }
    let n = raw.network;
    cfg.connect_timeout = n.connect_timeout.unwrap_or(cfg.connect_timeout).max(1);
    cfg.read_timeout = n.read_timeout.unwrap_or(cfg.read_timeout).max(1);
    cfg.keepalive = n.keepalive.unwrap_or(cfg.keepalive).max(5);
    cfg.mlsd = n.mlsd.unwrap_or(cfg.mlsd);
    if let Some(e) = n.max_listing_entries {
        cfg.listing_limits.max_entries = e.max(1000);
    }
    if let Some(m) = n.max_listing_mib {
        cfg.listing_limits.max_bytes = m.clamp(1, 1 << 20) << 20;
    }
    cfg.mouse = raw.ui.mouse.unwrap_or(cfg.mouse);
    cfg.show_hidden = raw.ui.show_hidden.unwrap_or(cfg.show_hidden);
    if let Some(name) = raw.theme.get("name") {
        let line = line_of_key(text, "theme", "name").unwrap_or(0);
        match name.as_str().and_then(crate::theme::Theme::named) {
            Some(t) => cfg.theme = t,
            None => problems.push(format!(
                "{origin}:{line}: theme name must be \"dark\" or \"light\""
            )),
        }
    }
    for (key, value) in raw.theme.iter().filter(|(k, _)| k.as_str() != "name") {
        let line = line_of_key(text, "theme", key).unwrap_or(0);
        let result = match value.as_str() {
            Some(v) => cfg.theme.set(key, v),
            None => Err(format!("the colour for {key:?} must be a string")),
        };
        if let Err(e) = result {
            problems.push(format!("{origin}:{line}: {e}"));
        }
    }
    for p in cfg.keymap.configure(&raw.keys) {
        let line = line_of_key(text, &p.table, &p.key)
            .or_else(|| line_of_table(text, &format!("{}.{}", p.table, p.key)))
            .unwrap_or(0);
        problems.push(format!("{origin}:{line}: {}", p.message));
    }
    (cfg, problems)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::keymap::{Action, Mode};
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    #[test]
    fn the_shipped_default_parses_cleanly() {
        let (cfg, problems) = parse(DEFAULT_CONFIG, "default");
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(cfg.parallel, 3);
        assert_eq!(cfg.overwrite, None);
        assert!(cfg.mouse);
    }

    #[test]
    fn good_settings_and_key_overrides() {
        let text = "[transfers]\nparallel = 5\noverwrite = \"overwrite-if-newer\"\n[ui]\nmouse = false\n[keys]\n\"ctrl-d\" = \"copy\"\n";
        let (cfg, problems) = parse(text, "c");
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(cfg.parallel, 5);
        assert_eq!(cfg.overwrite, Some(Resolution::OverwriteIfNewer));
        assert!(!cfg.mouse);
        let ctrl_d = KeyEvent::new(KeyCode::Char('d'), KeyModifiers::CONTROL);
        assert_eq!(
            cfg.keymap.action_for(Mode::Browser, &ctrl_d),
            Some(Action::Copy)
        );
    }

    #[test]
    fn bad_keys_and_actions_are_reported_with_their_line_and_defaults_stay() {
        let text =
            "[keys]\n\"ctrl-d\" = \"frobnicate\"\n\"hyper-q\" = \"quit\"\n\"x\" = \"copy\"\n";
        let (cfg, problems) = parse(text, "c");
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(
            problems[0].starts_with("c:2:") && problems[0].contains("frobnicate"),
            "{problems:?}"
        );
        assert!(
            problems[1].starts_with("c:3:") && problems[1].contains("hyper-q"),
            "{problems:?}"
        );
        let x = KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE);
        assert_eq!(
            cfg.keymap.action_for(Mode::Browser, &x),
            Some(Action::Copy),
            "valid lines still apply"
        );
        let f5 = KeyEvent::new(KeyCode::F(5), KeyModifiers::NONE);
        assert_eq!(
            cfg.keymap.action_for(Mode::Browser, &f5),
            Some(Action::Copy),
            "defaults stay"
        );
    }

    #[test]
    fn mode_tables_bind_their_own_keys_and_problems_have_their_line() {
        let text = "[keys]\n\"ctrl-d\" = \"delete\"\n[keys.viewer]\n\"ctrl-n\" = \"down\"\n\"j\" = \"none\"\n\"d\" = \"delete\"\n[keys.viewr]\n\"x\" = \"up\"\n";
        let (cfg, problems) = parse(text, "c");
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(
            problems[0].starts_with("c:6:") && problems[0].contains("keys.viewer"),
            "{problems:?}"
        );
        assert!(
            problems[1].starts_with("c:7:") && problems[1].contains("viewr"),
            "{problems:?}"
        );
        let ctrl_n = KeyEvent::new(KeyCode::Char('n'), KeyModifiers::CONTROL);
        let j = KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE);
        assert_eq!(
            cfg.keymap.action_for(Mode::Viewer, &ctrl_n),
            Some(Action::Down)
        );
        assert_eq!(cfg.keymap.action_for(Mode::Viewer, &j), None);
        assert_eq!(cfg.keymap.action_for(Mode::Browser, &j), Some(Action::Down));
        assert_eq!(cfg.keymap.action_for(Mode::Browser, &ctrl_n), None);
    }

    #[test]
    fn themes_by_name_and_by_colour() {
        let (cfg, problems) = parse("[theme]\nname = \"light\"\ndir = \"#102030\"\n", "c");
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(cfg.theme.dir, ratatui::style::Color::Rgb(0x10, 0x20, 0x30));
        assert_eq!(cfg.theme.accent, crate::theme::Theme::light().accent);
        let (cfg, problems) = parse("[theme]\nname = \"neon\"\ndirs = \"red\"\n", "c");
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(
            problems[0].starts_with("c:2:") && problems[1].starts_with("c:3:"),
            "{problems:?}"
        );
        assert_eq!(cfg.theme, crate::theme::Theme::dark(), "defaults stay");
    }

    #[test]
    fn syntax_errors_and_unknown_settings_keep_all_defaults() {
        let (cfg, problems) = parse("[transfers]\nparallel = \n", "c");
        assert_eq!(cfg.parallel, 3);
        assert!(problems[0].starts_with("c:2:"), "{problems:?}");
        let (_, problems) = parse("\n[ui]\ncolour = 1\n", "c");
        assert!(
            problems[0].starts_with("c:3:") && problems[0].contains("colour"),
            "{problems:?}"
        );
        let (_, problems) = parse(
            "[transfers]\nparallel = 99\noverwrite = \"sometimes\"\n",
            "c",
        );
        assert_eq!(problems.len(), 2);
    }
}
