//! The settings file (`config.toml` in the user's config dir). A broken setting is reported
//! with its line and the default stays in force; the program always starts.
//!
//! [`Config::default()`] is the one place the defaults are written. The session worker's, the
//! transfer pool's and the TUI's options are made from a `Config` (`from_config`), and the
//! shipped `assets/config.toml` is tested to hold every setting with its default value.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize, Serializer};
use toml::Spanned;

use crate::app::keymap::Keymap;
use crate::remote::Timeouts;
use crate::remote::ops::ListingLimits;
use crate::theme::Theme;
use crate::transfer::Resolution;

/// The commented default file, as `--print-default-config` prints it.
pub const DEFAULT_CONFIG: &str = include_str!("../assets/config.toml");

/// Settings after validation: one part per table of the file, with the file's names and units.
/// `Config::default()` is the one place the defaults are written; the session's and the
/// transfer pool's options are made from it, and the shipped file says the same.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Config {
    pub transfers: TransferSettings,
    pub network: NetworkSettings,
    pub ui: UiSettings,
    pub sync: SyncSettings,
    /// `[theme]`: a palette by name (dark by default), then colour roles one by one.
    #[serde(skip)]
    pub theme: Theme,
    /// `[keys]`: the default bindings with the file's on top.
    #[serde(skip)]
    pub keymap: Keymap,
}

/// `[transfers]`
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TransferSettings {
    /// Transfers running at once, each on its own connection (1 to 16).
    pub parallel: usize,
    /// What to do when a destination exists; `None`: ask.
    #[serde(serialize_with = "overwrite_name")]
    pub overwrite: Option<Resolution>,
    /// Automatic retries after a dropped connection (at most 20).
    pub retries: u32,
    /// Seconds before the first retry; each further one waits twice as long (at most 60).
    pub retry_delay: u64,
    /// Copy buffer in KiB.
    pub buffer_kib: usize,
    /// When downloads are flushed to disk before they get their final name.
    pub durable: crate::safety::local::Durability,
    /// How deep recursive operations may go.
    pub max_depth: usize,
    /// Download speed limit (bytes per second) shared by all transfers; `None`: no limit.
    #[serde(serialize_with = "limit_name")]
    pub limit_down: Option<u64>,
    /// Upload speed limit, as `limit_down`.
    #[serde(serialize_with = "limit_name")]
    pub limit_up: Option<u64>,
    /// When a finished file is checked against the server's digest of it.
    pub verify: crate::transfer::verify::Verify,
}

impl TransferSettings {
    /// Both speed limits.
    pub fn limits(&self) -> crate::transfer::limit::Limits {
        crate::transfer::limit::Limits {
            down: self.limit_down,
            up: self.limit_up,
        }
    }
}

fn limit_name<S: Serializer>(rate: &Option<u64>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&crate::transfer::limit::limit_text(*rate))
}

impl Default for TransferSettings {
    fn default() -> Self {
        TransferSettings {
            parallel: 3,
            overwrite: None,
            retries: 3,
            retry_delay: 1,
            buffer_kib: 256,
            durable: Default::default(),
            max_depth: crate::safety::DEFAULT_MAX_DEPTH,
            limit_down: None,
            limit_up: None,
            verify: Default::default(),
        }
    }
}

/// `[network]`; times in seconds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NetworkSettings {
    pub connect_timeout: u64,
    pub read_timeout: u64,
    /// Send NOOP after this many idle seconds.
    pub keepalive: u64,
    /// Use MLSD when the server offers it (else LIST).
    pub mlsd: bool,
    /// Most entries of one directory listing that are read.
    pub max_listing_entries: usize,
    /// Most MiB of one directory listing that are read.
    pub max_listing_mib: u64,
    /// Transfer connections send a passive-mode data command in the same packet as its
    /// EPSV/PASV, and the checks after an upload together (one round trip each, not two).
    pub pipelining: bool,
}

impl Default for NetworkSettings {
    fn default() -> Self {
        NetworkSettings {
            connect_timeout: 10,
            read_timeout: 30,
            keepalive: 60,
            mlsd: true,
            max_listing_entries: 5_000_000,
            max_listing_mib: 1024,
            pipelining: true,
        }
    }
}

impl NetworkSettings {
    /// The connect and read timeouts.
    pub fn timeouts(&self) -> Timeouts {
        Timeouts {
            connect: Duration::from_secs(self.connect_timeout),
            read: Duration::from_secs(self.read_timeout),
        }
    }

    /// How much of one listing is read at most.
    pub fn listing_limits(&self) -> ListingLimits {
        ListingLimits {
            max_entries: self.max_listing_entries,
            max_bytes: self.max_listing_mib << 20,
        }
    }
}

/// `[ui]`
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UiSettings {
    /// Capture the mouse.
    pub mouse: bool,
    /// Show dot files at start.
    pub show_hidden: bool,
    /// Colour names by `$LS_COLORS` when it is set (else, and where it says nothing, the theme).
    pub ls_colors: bool,
}

impl Default for UiSettings {
    fn default() -> Self {
        UiSettings {
            mouse: true,
            show_hidden: false,
            ls_colors: true,
        }
    }
}

/// `[sync]`
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncSettings {
    /// Seconds two modification times may differ and still count as the same.
    pub mtime_tolerance: u32,
    /// Names left out of every sync (`*.tmp`; `.git/` for a directory), before `--exclude`.
    pub exclude: Vec<String>,
}

impl Default for SyncSettings {
    fn default() -> Self {
        SyncSettings {
            mtime_tolerance: 2,
            exclude: Vec::new(),
        }
    }
}

/// An overwrite policy as the file spells it: `"ask"`, `"overwrite-if-newer"`, ...
fn overwrite_name<S: Serializer>(policy: &Option<Resolution>, s: S) -> Result<S::Ok, S::Error> {
    match policy {
        None => s.serialize_str("ask"),
        Some(r) => s.serialize_str(&r.label().replace(' ', "-")),
    }
}

/// A table of open-ended keys (`[keys]`, `[theme]`), each key and value with its place.
type SpannedTable = BTreeMap<Spanned<String>, Spanned<toml::Value>>;

/// The file as written. Settings that can be refused keep their place in the text, for the
/// line of the message.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct RawConfig {
    transfers: RawTransfers,
    network: RawNetwork,
    ui: RawUi,
    sync: RawSync,
    keys: SpannedTable,
    theme: SpannedTable,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct RawTransfers {
    parallel: Option<Spanned<u16>>,
    overwrite: Option<Spanned<String>>,
    retries: Option<u32>,
    retry_delay: Option<u64>,
    buffer_kib: Option<usize>,
    durable: Option<Spanned<RawDurable>>,
    max_depth: Option<Spanned<usize>>,
    limit_down: Option<Spanned<String>>,
    limit_up: Option<Spanned<String>>,
    verify: Option<Spanned<String>>,
}

/// `durable = "auto"`, or the older `durable = true`/`false`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RawDurable {
    Flag(bool),
    Word(String),
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
    pipelining: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct RawUi {
    mouse: Option<bool>,
    show_hidden: Option<bool>,
    ls_colors: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct RawSync {
    mtime_tolerance: Option<Spanned<u32>>,
    exclude: Option<Vec<String>>,
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

/// The entries of an open-ended table in the order the file has them.
fn in_file_order(table: SpannedTable) -> Vec<(Spanned<String>, Spanned<toml::Value>)> {
    let mut entries: Vec<_> = table.into_iter().collect();
    entries.sort_by_key(|(key, _)| key.span().start);
    entries
}

/// The line of `key` in the table whose header is on `from` (for entries of a nested table,
/// whose own places the parser does not keep): the first line after it that defines `key`.
fn line_in_table(text: &str, from: usize, key: &str) -> Option<usize> {
    for (i, line) in text.lines().enumerate().skip(from) {
        let t = line.trim();
        if t.starts_with('[') {
            return None;
        }
        let lhs = t.split('=').next().unwrap_or("").trim();
        if lhs.trim_matches('"').trim_matches('\'') == key {
            return Some(i + 1);
        }
    }
    None
}

/// Parse config text; `origin` names it in messages, which come in the order of their lines.
pub fn parse(text: &str, origin: &str) -> (Config, Vec<String>) {
    let mut cfg = Config::default();
    // (line, what): the line where `span` starts.
    let mut problems: Vec<(usize, String)> = Vec::new();
    let at = |span: Range<usize>, what: String| (line_of(text, span.start), what);
    let raw: RawConfig = match toml::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            let line = e.span().map(|s| line_of(text, s.start)).unwrap_or(0);
            let msg = e.message().trim();
            let problem = format!("{origin}:{line}: {msg} — using the default settings");
            return (cfg, vec![problem]);
        }
    };
    let t = raw.transfers;
    if let Some(n) = t.parallel {
        match *n.get_ref() {
            v @ 1..=16 => cfg.transfers.parallel = v.into(),
            v => problems.push(at(n.span(), format!("parallel must be 1 to 16, not {v}"))),
        }
    }
    if let Some(o) = t.overwrite {
        let name = o.get_ref();
        if name.trim().eq_ignore_ascii_case("ask") {
            cfg.transfers.overwrite = None;
        } else if let Some(r) = Resolution::parse(name) {
            cfg.transfers.overwrite = Some(r);
        } else {
            problems.push(at(
                o.span(),
                format!(
                    "unknown overwrite policy {name:?} (ask, overwrite, resume, skip, rename, overwrite-if-newer)"
                ),
            ));
        }
    }
    cfg.transfers.retries = t.retries.unwrap_or(cfg.transfers.retries).min(20);
    cfg.transfers.retry_delay = t.retry_delay.unwrap_or(cfg.transfers.retry_delay).min(60);
    if let Some(b) = t.buffer_kib {
        cfg.transfers.buffer_kib = b.clamp(4, 16 * 1024);
    }
    if let Some(d) = t.durable {
        let word = match d.get_ref() {
            RawDurable::Flag(true) => "always".to_string(),
            RawDurable::Flag(false) => "never".to_string(),
            RawDurable::Word(w) => w.clone(),
        };
        match crate::safety::local::Durability::parse(&word) {
            Some(v) => cfg.transfers.durable = v,
            None => problems.push(at(
                d.span(),
                format!("durable must be \"auto\", \"always\" or \"never\", not {word:?}"),
            )),
        }
    }
    if let Some(v) = t.verify {
        match crate::transfer::verify::Verify::parse(v.get_ref()) {
            Some(v) => cfg.transfers.verify = v,
            None => problems.push(at(
                v.span(),
                format!(
                    "verify must be \"auto\", \"always\" or \"never\", not {:?}",
                    v.get_ref()
                ),
            )),
        }
    }
    if let Some(d) = t.max_depth {
        match *d.get_ref() {
            v @ 1..=4096 => cfg.transfers.max_depth = v,
            v => problems.push(at(
                d.span(),
                format!("max_depth must be 1 to 4096, not {v}"),
            )),
        }
    }
    for (raw, slot, key) in [
        (t.limit_down, &mut cfg.transfers.limit_down, "limit_down"),
        (t.limit_up, &mut cfg.transfers.limit_up, "limit_up"),
    ] {
        if let Some(r) = raw {
            match crate::transfer::limit::parse_limit(r.get_ref()) {
                Ok(v) => *slot = v,
                Err(e) => problems.push(at(r.span(), format!("{key}: {e}"))),
            }
        }
    }
    let n = raw.network;
    cfg.network.connect_timeout = n
        .connect_timeout
        .unwrap_or(cfg.network.connect_timeout)
        .max(1);
    cfg.network.read_timeout = n.read_timeout.unwrap_or(cfg.network.read_timeout).max(1);
    cfg.network.keepalive = n.keepalive.unwrap_or(cfg.network.keepalive).max(5);
    cfg.network.mlsd = n.mlsd.unwrap_or(cfg.network.mlsd);
    cfg.network.pipelining = n.pipelining.unwrap_or(cfg.network.pipelining);
    if let Some(e) = n.max_listing_entries {
        cfg.network.max_listing_entries = e.max(1000);
    }
    if let Some(m) = n.max_listing_mib {
        cfg.network.max_listing_mib = m.clamp(1, 1 << 20);
    }
    cfg.ui.mouse = raw.ui.mouse.unwrap_or(cfg.ui.mouse);
    cfg.ui.show_hidden = raw.ui.show_hidden.unwrap_or(cfg.ui.show_hidden);
    cfg.ui.ls_colors = raw.ui.ls_colors.unwrap_or(cfg.ui.ls_colors);
    if let Some(t) = raw.sync.mtime_tolerance {
        match *t.get_ref() {
            v @ 0..=86_400 => cfg.sync.mtime_tolerance = v,
            v => problems.push(at(
                t.span(),
                format!("mtime_tolerance must be 0 to 86400 seconds, not {v}"),
            )),
        }
    }
    if let Some(ex) = raw.sync.exclude {
        cfg.sync.exclude = ex;
    }
    if let Some(name) = raw.theme.get("name") {
        match name.get_ref().as_str().and_then(Theme::named) {
            Some(t) => cfg.theme = t,
            None => problems.push(at(
                name.span(),
                "theme name must be \"dark\" or \"light\"".into(),
            )),
        }
    }
    for (key, value) in in_file_order(raw.theme) {
        if key.get_ref() == "name" {
            continue;
        }
        let result = match value.get_ref().as_str() {
            Some(v) => cfg.theme.set(key.get_ref(), v),
            None => Err(format!(
                "the colour for {:?} must be a string",
                key.get_ref()
            )),
        };
        if let Err(e) = result {
            problems.push(at(key.span(), e));
        }
    }
    // Where each `[keys]` entry and `[keys.MODE]` table is, for the messages.
    let places: BTreeMap<String, usize> = raw
        .keys
        .keys()
        .map(|k| (k.get_ref().clone(), line_of(text, k.span().start)))
        .collect();
    let keys: toml::Table = raw
        .keys
        .into_iter()
        .map(|(k, v)| (k.into_inner(), v.into_inner()))
        .collect();
    for p in cfg.keymap.configure(&keys) {
        let line = match p.table.strip_prefix("keys.") {
            None => places.get(&p.key).copied(),
            Some(mode) => places
                .get(mode)
                .and_then(|&header| line_in_table(text, header, &p.key)),
        }
        .unwrap_or(0);
        problems.push((line, p.message));
    }
    problems.sort_by_key(|(line, _)| *line);
    let problems = problems
        .into_iter()
        .map(|(line, what)| format!("{origin}:{line}: {what}"))
        .collect();
    (cfg, problems)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::keymap::{Action, Mode};
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use std::collections::BTreeSet;

    #[test]
    fn the_shipped_default_parses_to_the_defaults() {
        let (cfg, problems) = parse(DEFAULT_CONFIG, "default");
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(cfg, Config::default());
    }

    /// `table.key` for each setting of each table (and the name of a top-level value).
    fn setting_paths(file: &toml::Table) -> BTreeSet<String> {
        file.iter()
            .flat_map(|(name, value)| match value.as_table() {
                Some(table) => table.keys().map(|key| format!("{name}.{key}")).collect(),
                None => vec![name.clone()],
            })
            .collect()
    }

    #[test]
    fn the_shipped_default_has_every_setting_and_no_other() {
        let shipped: toml::Table = toml::from_str(DEFAULT_CONFIG).unwrap();
        let defaults = toml::Table::try_from(Config::default()).unwrap();
        let mut settings = setting_paths(&defaults);
        // The open-ended tables: the palette by name, and no bindings beyond the defaults.
        settings.insert("theme.name".into());
        // Each mode's own (empty) table of bindings, shown for the user to fill.
        for mode in crate::app::keymap::Mode::ALL {
            if mode != crate::app::keymap::Mode::Browser {
                settings.insert(format!("keys.{}", mode.name()));
            }
        }
        assert_eq!(setting_paths(&shipped), settings);
        let tables: BTreeSet<&str> = shipped.keys().map(String::as_str).collect();
        let expected = BTreeSet::from(["transfers", "network", "ui", "sync", "theme", "keys"]);
        assert_eq!(tables, expected);
        assert_eq!(shipped["theme"]["name"].as_str(), Some("dark"));
    }

    #[test]
    fn serialised_settings_read_back_the_same() {
        let mut cfg = Config::default();
        cfg.transfers.overwrite = Some(Resolution::OverwriteIfNewer);
        cfg.transfers.retry_delay = 7;
        cfg.transfers.limit_down = Some(3 << 20);
        cfg.network.max_listing_mib = 3;
        cfg.ui.show_hidden = true;
        let text = toml::to_string(&cfg).unwrap();
        assert_eq!(parse(&text, "c"), (cfg, vec![]), "{text}");
    }

    #[test]
    fn good_settings_and_key_overrides() {
        let text = "[transfers]\nparallel = 5\noverwrite = \"overwrite-if-newer\"\n[ui]\nmouse = false\n[keys]\n\"ctrl-d\" = \"copy\"\n";
        let (cfg, problems) = parse(text, "c");
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(cfg.transfers.parallel, 5);
        assert_eq!(cfg.transfers.overwrite, Some(Resolution::OverwriteIfNewer));
        assert!(!cfg.ui.mouse);
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
    fn verify_and_the_speed_limits_take_their_words_and_report_others_with_the_line() {
        let text = "[transfers]\nverify = \"always\"\nlimit_down = \"2M\"\nlimit_up = \"none\"\n";
        let (cfg, problems) = parse(text, "c");
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            cfg.transfers.verify,
            crate::transfer::verify::Verify::Always
        );
        assert_eq!(cfg.transfers.limits().down, Some(2 << 20));
        assert_eq!(cfg.transfers.limits().up, None);
        let text = "[transfers]\nlimit_up = \"fast\"\nverify = \"sometimes é\"\n";
        let (cfg, problems) = parse(text, "c");
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].starts_with("c:2:"), "{problems:?}");
        assert!(
            problems[1].starts_with("c:3:") && problems[1].contains("verify must be"),
            "{problems:?}"
        );
        assert_eq!(cfg.transfers, TransferSettings::default());
    }

    #[test]
    fn lines_come_from_where_the_parser_found_the_setting() {
        // Layouts a line-by-line scan would miss: a spaced header with a comment, dotted keys,
        // an inline table, a quoted key.
        let text = "[ keys ] # bindings\n\"ctrl-d\" = \"frobnicate\"\n[transfers]\nmax_depth = 0\n";
        let (_, problems) = parse(text, "c");
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].starts_with("c:2:"), "{problems:?}");
        assert!(problems[1].starts_with("c:4:"), "{problems:?}");
        let text = "transfers.parallel = 99\nkeys = { x = \"nope\" }\n\n[theme]\n\"dir\" = 5\n";
        let (_, problems) = parse(text, "c");
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[0].starts_with("c:1:"), "{problems:?}");
        assert!(problems[1].starts_with("c:2:"), "{problems:?}");
        assert!(problems[2].starts_with("c:5:"), "{problems:?}");
    }

    #[test]
    fn problems_come_in_file_order() {
        let text = "[keys]\nx = \"nope\"\na = \"nope\"\n[transfers]\nparallel = 0\n";
        let (_, problems) = parse(text, "c");
        let lines: Vec<&str> = problems.iter().map(|p| &p[..4]).collect();
        assert_eq!(lines, ["c:2:", "c:3:", "c:5:"], "{problems:?}");
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
        assert_eq!(cfg.transfers.parallel, 3);
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
