//! The report as lines of text (the terminal and the TUI's overlay) and as JSON (`--json`).

use super::{Level, Report};
use crate::words::fold;

/// What a check is called in the report.
fn title(id: &str) -> &str {
    match id {
        "connect" => "Connect",
        "greeting" => "Greeting",
        "tls" => "TLS",
        "certificate" => "Certificate",
        "tls_reuse" => "TLS reuse",
        "login" => "Login",
        "feat" => "FEAT",
        "utf8" => "UTF-8",
        "epsv" => "EPSV",
        "pasv" => "PASV",
        "nat" => "NAT",
        "port" => "PORT",
        "data" => "Data",
        "mlsd" => "MLSD",
        "list" => "LIST",
        "clock" => "Clock",
        other => other,
    }
}

/// The mark before a check's line.
pub fn mark(level: Level) -> &'static str {
    match level {
        Level::Ok => "✓",
        Level::Info => "·",
        Level::Warn => "!",
        Level::Fail => "✗",
    }
}

/// The report, one line per check, then the verdict and the recommended settings; each line
/// with the level that colours it (none for headings).
pub fn text_lines(report: &Report) -> Vec<(Option<Level>, String)> {
    let mut out = vec![(None, format!("Connection doctor: {}", report.server))];
    for c in &report.checks {
        // The texts sanitise what the server said; this guards the rest (error messages).
        out.push((
            Some(c.level),
            format!(
                "{} {:<11} {}",
                mark(c.level),
                title(c.id),
                crate::sanitize::display_name(&c.text)
            ),
        ));
    }
    out.push((None, String::new()));
    match &report.fatal {
        Some(why) => out.push((
            Some(Level::Fail),
            format!("Cannot go on: {}", crate::sanitize::display_name(why)),
        )),
        None => {
            let verdict = match report.exit_status() {
                super::ALL_GOOD => (Level::Ok, "Everything works with these settings."),
                _ => (
                    Level::Warn,
                    "It works, with the warnings above; recommended settings:",
                ),
            };
            out.push((Some(verdict.0), verdict.1.to_string()));
            if !report.recommendations.is_empty() {
                if report.exit_status() == super::ALL_GOOD {
                    out.push((None, "Recommended settings (as they are):".into()));
                }
                for r in &report.recommendations {
                    let (level, tag) = if r.changes {
                        (Some(Level::Warn), "change")
                    } else {
                        (None, "keep")
                    };
                    out.push((
                        level,
                        format!("  {:<30} {tag}: {}", r.setting.toml(), r.why),
                    ));
                }
            }
        }
    }
    out
}

/// [`text_lines`] folded to `width` columns at spaces; a check's continuation lines are
/// indented under its text, a recommendation's under its setting.
pub fn wrapped_lines(report: &Report, width: usize) -> Vec<(Option<Level>, String)> {
    let width = width.max(8);
    let mut out = Vec::new();
    for (level, line) in text_lines(report) {
        let mut chars = line.chars();
        let is_check =
            matches!(chars.next(), Some('✓' | '·' | '!' | '✗')) && chars.next() == Some(' ');
        let indent = if is_check { 14 } else { 4 }.min(width / 2);
        for piece in fold(&line, width, indent) {
            out.push((level, piece));
        }
    }
    out
}

/// The report as JSON: `server`, `status` (the exit status), `fatal`, `checks` (id, level,
/// text) and `recommendations` (key, value as in bookmarks.toml, change, why).
pub fn json(report: &Report) -> serde_json::Value {
    let checks: Vec<serde_json::Value> = report
        .checks
        .iter()
        .map(|c| serde_json::json!({"id": c.id, "level": c.level.word(), "text": c.text}))
        .collect();
    let recommendations: Vec<serde_json::Value> = report
        .recommendations
        .iter()
        .map(|r| {
            let toml = r.setting.toml();
            let value = toml
                .split_once(" = ")
                .map(|(_, v)| v.trim_matches('"').to_string())
                .unwrap_or_default();
            serde_json::json!({
                "key": r.setting.key(),
                "value": value,
                "change": r.changes,
                "why": r.why,
            })
        })
        .collect();
    serde_json::json!({
        "server": report.server,
        "status": report.exit_status(),
        "fatal": report.fatal,
        "checks": checks,
        "recommendations": recommendations,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::{Check, Recommendation, Setting};

    #[test]
    fn control_characters_from_the_server_never_reach_the_lines() {
        let report = Report {
            server: "bob@h".into(),
            checks: vec![Check {
                id: "greeting",
                level: Level::Ok,
                text: "220 hi\u{1b}[2J\u{7}there".into(),
            }],
            recommendations: vec![Recommendation {
                setting: Setting::TrustPasvAddress(false),
                changes: true,
                why: "NAT".into(),
            }],
            fatal: None,
        };
        let lines = text_lines(&report);
        assert!(
            lines.iter().all(|(_, l)| !l.chars().any(char::is_control)),
            "{lines:?}"
        );
        assert!(
            lines[1].1.starts_with("✓ Greeting    220 hi?[2J?there"),
            "{lines:?}"
        );
        assert!(
            lines.iter().any(|(_, l)| l.contains("trust_pasv_address = false") && l.contains("change: NAT")),
            "{lines:?}"
        );
        for (_, l) in wrapped_lines(&report, 20) {
            assert!(
                unicode_width::UnicodeWidthStr::width(l.as_str()) <= 20,
                "{l:?}"
            );
        }
        let folded = fold("✓ Greeting    aaa bbb ccc", 18, 14);
        assert_eq!(
            folded,
            [
                "✓ Greeting    aaa",
                "              bbb",
                "              ccc"
            ]
        );
        let doc = json(&report);
        assert_eq!(doc["status"], 1);
        assert_eq!(doc["recommendations"][0]["value"], "false");
    }
}
