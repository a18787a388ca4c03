//! The `[keys]` tables of the config file: `"key" = "action"` adds a key to an action (the
//! action's other keys stay), `"key" = "none"` takes a key away. `[keys]` is the file panes'
//! table (also `[keys.browser]`), `[keys.<mode>]` the other modes'.

use super::{Action, Keymap, Mode, parse_key};

/// The action name that makes a key do nothing.
pub const UNBIND: &str = "none";

/// What is wrong with one entry of the key tables, and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyProblem {
    /// The table the entry is in: `keys`, `keys.viewer`, ….
    pub table: String,
    /// The entry's key (for a table that names no mode: the table's own name).
    pub key: String,
    pub message: String,
}

impl Keymap {
    /// Apply the config's `[keys]` table and its sub-tables; the entries that cannot be applied
    /// are returned and change nothing.
    pub fn configure(&mut self, keys: &toml::Table) -> Vec<KeyProblem> {
        let mut problems = Vec::new();
        // The file panes' own entries first, then `[keys.browser]` and the other modes.
        for (key, value) in keys.iter().filter(|(_, v)| !v.is_table()) {
            self.configure_entry(Mode::Browser, "keys", key, value, &mut problems);
        }
        for (name, value) in keys {
            let Some(table) = value.as_table() else {
                continue;
            };
            let Some(mode) = Mode::from_name(name) else {
                let names: Vec<&str> = Mode::ALL.iter().map(|m| m.name()).collect();
                problems.push(KeyProblem {
                    table: "keys".into(),
                    key: name.clone(),
                    message: format!(
                        "unknown key table [keys.{name}] (the file panes' keys go in [keys]; the tables are {})",
                        names.join(", ")
                    ),
                });
                continue;
            };
            let table_name = format!("keys.{name}");
            for (key, value) in table {
                self.configure_entry(mode, &table_name, key, value, &mut problems);
            }
        }
        problems
    }

    fn configure_entry(
        &mut self,
        mode: Mode,
        table: &str,
        key: &str,
        value: &toml::Value,
        problems: &mut Vec<KeyProblem>,
    ) {
        let problem = |message: String| KeyProblem {
            table: table.to_string(),
            key: key.to_string(),
            message,
        };
        let Some(name) = value.as_str() else {
            problems.push(problem(format!("the action for {key:?} must be a string")));
            return;
        };
        let spec = match parse_key(key) {
            Ok(s) => s,
            Err(e) => {
                problems.push(problem(e));
                return;
            }
        };
        if name.trim().eq_ignore_ascii_case(UNBIND) {
            self.unbind(mode, spec);
            return;
        }
        let Some(action) = Action::from_name(name) else {
            problems.push(problem(format!("unknown action {name:?}")));
            return;
        };
        if let Err(e) = self.bind(mode, spec, action) {
            problems.push(problem(e));
        }
    }
}

#[cfg(test)]
mod tests {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use super::*;

    fn table(text: &str) -> toml::Table {
        text.parse().unwrap()
    }

    #[test]
    fn per_mode_tables_add_and_remove_keys() {
        let mut km = Keymap::default();
        let problems = km.configure(&table(
            "\"ctrl-d\" = \"delete\"\n[viewer]\n\"ctrl-n\" = \"down\"\n\"j\" = \"none\"\n",
        ));
        assert!(problems.is_empty(), "{problems:?}");
        let ctrl = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL);
        let j = KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE);
        assert_eq!(
            km.action_for(Mode::Browser, &ctrl('d')),
            Some(Action::Delete)
        );
        assert_eq!(km.action_for(Mode::Viewer, &ctrl('n')), Some(Action::Down));
        assert_eq!(km.action_for(Mode::Viewer, &j), None);
        assert_eq!(km.action_for(Mode::Browser, &j), Some(Action::Down));
        assert_eq!(km.action_for(Mode::Browser, &ctrl('n')), None);
    }

    #[test]
    fn problems_name_their_table_and_key() {
        let mut km = Keymap::default();
        let problems = km.configure(&table(
            "[viewr]\n\"x\" = \"down\"\n[viewer]\n\"d\" = \"delete\"\n\"hyper-x\" = \"up\"\n\"y\" = 3\n",
        ));
        let at: Vec<(&str, &str)> = problems
            .iter()
            .map(|p| (p.table.as_str(), p.key.as_str()))
            .collect();
        assert_eq!(
            at,
            [
                ("keys.viewer", "d"),
                ("keys.viewer", "hyper-x"),
                ("keys.viewer", "y"),
                ("keys", "viewr"),
            ],
            "{problems:?}"
        );
        assert!(
            problems[0].message.contains("not an action"),
            "{problems:?}"
        );
        assert!(problems[3].message.contains("viewer"), "{problems:?}");
    }
}
