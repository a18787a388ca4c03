//! Test-only: a server whose file names are in another charset on the wire (GBK, Shift_JIS …),
//! as old servers in East Asia and Eastern Europe have them.
//!
//! libunftp reads every path as UTF-8 (lossily), so the control connection goes through a relay
//! on loopback that turns each command line from the charset into UTF-8 (bytes invalid in the
//! charset kept as escapes, see `remote::encoding`) and each reply back into the charset. LIST
//! goes out in the charset from the storage backend. MLSD/MLST are not offered (their names
//! would be UTF-8), and `OPTS UTF8` is refused, as such a server would; the refusal is a line
//! in the session's log.

use std::io;
use std::sync::Arc;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::net::tcp::OwnedWriteHalf;
use tokio::sync::Mutex;

use super::session::Session;
use crate::remote::encoding::NameCodec;

/// Longest command or reply line relayed.
const MAX_LINE: u64 = 64 * 1024;

/// Put a relay between `client` and the stream libunftp gets (returned).
pub async fn relay(
    client: TcpStream,
    codec: NameCodec,
    session: Arc<Session>,
) -> io::Result<TcpStream> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
    let inner = TcpStream::connect(listener.local_addr()?).await?;
    let (for_server, _) = listener.accept().await?;
    inner.set_nodelay(true).ok();
    for_server.set_nodelay(true).ok();
    let (client_read, client_write) = client.into_split();
    let (inner_read, inner_write) = inner.into_split();
    let client_write = Arc::new(Mutex::new(client_write));
    tokio::spawn(commands(
        client_read,
        inner_write,
        client_write.clone(),
        codec,
        session,
    ));
    tokio::spawn(replies(inner_read, client_write, codec));
    Ok(for_server)
}

/// Client -> libunftp: each line from the charset into UTF-8.
async fn commands(
    from: tokio::net::tcp::OwnedReadHalf,
    mut to: OwnedWriteHalf,
    client: Arc<Mutex<OwnedWriteHalf>>,
    codec: NameCodec,
    session: Arc<Session>,
) {
    let mut reader = BufReader::new(from);
    let mut line = Vec::new();
    while next_line(&mut reader, &mut line).await {
        // Telnet framing: a 0xFF byte of a name comes doubled.
        let line = unescape_iac(&line);
        let text = codec.decode(&line);
        if text
            .get(..9)
            .is_some_and(|verb| verb.eq_ignore_ascii_case("OPTS UTF8"))
        {
            session.say(format!(
                "refused {} (names here are {})",
                text.trim_end(),
                codec.charset
            ));
            let reply = format!("504 names on this server are {}\r\n", codec.charset);
            if client
                .lock()
                .await
                .write_all(reply.as_bytes())
                .await
                .is_err()
            {
                break;
            }
            continue;
        }
        if to.write_all(text.as_bytes()).await.is_err() {
            break;
        }
    }
    let _ = to.shutdown().await;
}

/// The next line (at most [`MAX_LINE`] bytes) into `line`; false at the end or on an error.
async fn next_line(
    reader: &mut BufReader<tokio::net::tcp::OwnedReadHalf>,
    line: &mut Vec<u8>,
) -> bool {
    line.clear();
    matches!(reader.take(MAX_LINE).read_until(b'\n', line).await, Ok(n) if n > 0)
}

fn unescape_iac(line: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(line.len());
    let mut i = 0;
    while i < line.len() {
        out.push(line[i]);
        i += if line[i] == 0xFF && line.get(i + 1) == Some(&0xFF) {
            2
        } else {
            1
        };
    }
    out
}

/// libunftp -> client: each reply line into the charset, without MLST/MLSD in FEAT.
async fn replies(
    from: tokio::net::tcp::OwnedReadHalf,
    client: Arc<Mutex<OwnedWriteHalf>>,
    codec: NameCodec,
) {
    let mut reader = BufReader::new(from);
    let mut line = Vec::new();
    while next_line(&mut reader, &mut line).await {
        let text = crate::remote::encoding::decode(&line);
        let feature = text.trim_start().to_ascii_uppercase();
        if text.starts_with(' ') && (feature.starts_with("MLST") || feature.starts_with("MLSD")) {
            continue;
        }
        let bytes = codec.encode_or_replace(&text);
        if client.lock().await.write_all(&bytes).await.is_err() {
            break;
        }
    }
    let _ = client.lock().await.shutdown().await;
}
