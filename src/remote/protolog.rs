//! The protocol log: the browsing connection's FTP commands and replies as they happen, for
//! the log pane. suppaftp reports them through the `log` crate (`CC OUT: …` / `CC IN: [bytes]`
//! at trace level); this logger picks out those of the session worker's thread, masks the
//! password and hands each line to a sink.

use std::sync::OnceLock;

/// Where protocol lines go.
pub type Sink = Box<dyn Fn(String) + Send + Sync>;

static SINK: OnceLock<Sink> = OnceLock::new();

/// The last line passed on: suppaftp traces the first line of every reply twice.
static LAST: std::sync::Mutex<String> = std::sync::Mutex::new(String::new());

/// The thread whose conversation is shown (the session worker's).
pub const SESSION_THREAD: &str = "ftp-session";

struct ProtocolLogger;

impl log::Log for ProtocolLogger {
    fn enabled(&self, metadata: &log::Metadata) -> bool {
        metadata.target().starts_with("suppaftp")
    }

    fn log(&self, record: &log::Record) {
        if !self.enabled(record.metadata()) {
            return;
        }
        if std::thread::current().name() != Some(SESSION_THREAD) {
            return;
        }
        let Some(sink) = SINK.get() else { return };
        if let Some(line) = protocol_line(&record.args().to_string()) {
            let mut last = LAST.lock().unwrap_or_else(|e| e.into_inner());
            if line.starts_with('<') && *last == line {
                return;
            }
            last.clone_from(&line);
            drop(last);
            sink(line);
        }
    }

    fn flush(&self) {}
}

/// Start capturing; later calls do nothing. Returns false if another logger was already set.
pub fn install(sink: Sink) -> bool {
    if SINK.set(sink).is_err() {
        return true;
    }
    if log::set_logger(&ProtocolLogger).is_err() {
        return false;
    }
    log::set_max_level(log::LevelFilter::Trace);
    true
}

/// Turn suppaftp's trace message into a log line: `> COMMAND` or `< reply`, or `None` for
/// messages that are not part of the conversation.
pub fn protocol_line(msg: &str) -> Option<String> {
    if let Some(cmd) = msg.strip_prefix("CC OUT: ") {
        let shown = match cmd.split_once(' ') {
            Some((verb, _)) if verb.eq_ignore_ascii_case("PASS") => format!("{verb} ****"),
            _ => cmd.to_string(),
        };
        return Some(format!("> {}", crate::sanitize::display_name(&shown)));
    }
    let bytes = msg.strip_prefix("CC IN: ")?;
    let text = decode_byte_list(bytes).map(|b| String::from_utf8_lossy(&b).into_owned())?;
    Some(format!(
        "< {}",
        crate::sanitize::display_name(text.trim_end_matches(['\r', '\n']))
    ))
}

/// `[50, 50, 48, 32]` (a `Vec<u8>` printed with `{:?}`) back into bytes.
fn decode_byte_list(s: &str) -> Option<Vec<u8>> {
    let inner = s.trim().strip_prefix('[')?.strip_suffix(']')?;
    if inner.trim().is_empty() {
        return Some(Vec::new());
    }
    inner
        .split(',')
        .map(|n| n.trim().parse::<u8>().ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::protocol_line;

    #[test]
    fn commands_replies_and_masked_passwords() {
        assert_eq!(
            protocol_line("CC OUT: CWD /pub").as_deref(),
            Some("> CWD /pub")
        );
        assert_eq!(
            protocol_line("CC OUT: PASS hunter2").as_deref(),
            Some("> PASS ****")
        );
        assert_eq!(
            protocol_line("CC OUT: pass hunter2").as_deref(),
            Some("> pass ****")
        );
        assert_eq!(
            protocol_line("CC IN: [50, 50, 48, 32, 104, 105, 13, 10]").as_deref(),
            Some("< 220 hi")
        );
        assert_eq!(
            protocol_line("CC IN: [27, 91, 50, 74]").as_deref(),
            Some("< ?[2J")
        );
        assert_eq!(protocol_line("Reading server response..."), None);
    }
}
