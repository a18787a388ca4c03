//! Colours: a dark and a light palette (the defaults ship in `assets/`), chosen and overridden
//! in the config's `[theme]` section.

use ratatui::style::Color;
use serde::Deserialize;

/// The colour of each role on screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Theme {
    /// Focused borders, titles, dialog frames.
    #[serde(with = "color")]
    pub accent: Color,
    /// Hints, unfocused borders, empty-pane messages.
    #[serde(with = "color")]
    pub dim: Color,
    #[serde(with = "color")]
    pub dir: Color,
    #[serde(with = "color")]
    pub symlink: Color,
    /// Selected entries, input text, warnings.
    #[serde(with = "color")]
    pub highlight: Color,
    /// Entries that differ from the other pane (compare mode).
    #[serde(with = "color")]
    pub marked: Color,
    #[serde(with = "color")]
    pub error: Color,
    /// Finished transfers, the "connected" badge, the speed sparkline.
    #[serde(with = "color")]
    pub ok: Color,
    /// Text on coloured badges.
    #[serde(with = "color")]
    pub badge_text: Color,
}

/// The shipped palettes.
pub const DARK: &str = include_str!("../assets/theme-dark.toml");
pub const LIGHT: &str = include_str!("../assets/theme-light.toml");

impl Theme {
    /// The shipped dark palette (a unit test parses both shipped palettes).
    #[allow(clippy::expect_used)]
    pub fn dark() -> Theme {
        toml::from_str(DARK).expect("assets/theme-dark.toml parses")
    }

    /// The shipped light palette.
    #[allow(clippy::expect_used)]
    pub fn light() -> Theme {
        toml::from_str(LIGHT).expect("assets/theme-light.toml parses")
    }

    /// A palette by name (`dark` or `light`).
    pub fn named(name: &str) -> Option<Theme> {
        match name.trim().to_ascii_lowercase().as_str() {
            "dark" => Some(Theme::dark()),
            "light" => Some(Theme::light()),
            _ => None,
        }
    }

    /// Set one role from a config key (`dir = "lightblue"`); errors name what is wrong.
    pub fn set(&mut self, role: &str, value: &str) -> Result<(), String> {
        let c: Color = value.parse().map_err(|_| {
            format!("{value:?} is not a colour (a name like \"lightblue\" or \"#rrggbb\")")
        })?;
        let slot = match role {
            "accent" => &mut self.accent,
            "dim" => &mut self.dim,
            "dir" => &mut self.dir,
            "symlink" => &mut self.symlink,
            "highlight" => &mut self.highlight,
            "marked" => &mut self.marked,
            "error" => &mut self.error,
            "ok" => &mut self.ok,
            "badge_text" => &mut self.badge_text,
            _ => return Err(format!("unknown theme colour {role:?}")),
        };
        *slot = c;
        Ok(())
    }
}

impl Default for Theme {
    fn default() -> Self {
        Theme::dark()
    }
}

mod color {
    use ratatui::style::Color;
    use serde::{Deserialize, Deserializer, de::Error};

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Color, D::Error> {
        let s = String::deserialize(d)?;
        s.parse()
            .map_err(|_| D::Error::custom(format!("{s:?} is not a colour")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_palettes_parse_and_differ() {
        assert_ne!(Theme::dark(), Theme::light());
        let mut t = Theme::named("Light").unwrap();
        t.set("dir", "#112233").unwrap();
        assert_eq!(t.dir, Color::Rgb(0x11, 0x22, 0x33));
        assert!(t.set("dirs", "red").is_err());
        assert!(t.set("dir", "not-a-colour").is_err());
    }
}
