//! The embedded FTP server (libunftp): `ftpdeck serve`, `ftpdeck --demo` and the test suite.
//!
//! Its tokio runtime lives on its own thread, here and nowhere else. We accept control
//! connections ourselves and hand each to a fresh libunftp `Server::service`, because libunftp's
//! own `listen` can neither bind port 0 nor report the address it bound.

mod auth;
mod binder;
pub mod fs;
mod session;
mod storage;
pub mod tls;
mod wire;

use std::fmt::Debug;
use std::net::SocketAddr;
use std::ops::RangeInclusive;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use async_trait::async_trait;
use libunftp::ServerBuilder;
use libunftp::notification::{DataEvent, DataListener, EventMeta, PresenceEvent, PresenceListener};
use libunftp::options::{
    ActivePassiveMode, FtpsRequired, Reply, ReplyCode, SiteCommandContext, SiteCommandHandler,
};
use tokio::io::AsyncWriteExt;
use unftp_core::auth::DefaultUser;

pub use auth::LoginPolicy;
use session::Session;
use storage::Storage;

/// Who may log in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerAuth {
    /// `anonymous` or `ftp`, any password.
    Anonymous,
    /// Exactly this user with exactly this password; every other login is refused.
    User { user: String, password: String },
}

/// A callback that receives one human-readable line per login, logout and transfer.
pub type EventSink = Arc<dyn Fn(String) + Send + Sync>;

/// Everything the embedded server needs to know.
#[derive(Clone)]
pub struct ServerConfig {
    pub root: PathBuf,
    /// Address to bind; port 0 picks a free port (see [`ServerHandle::addr`]).
    pub bind: SocketAddr,
    pub auth: ServerAuth,
    pub read_only: bool,
    pub passive_ports: RangeInclusive<u16>,
    pub greeting: &'static str,
    pub on_event: Option<EventSink>,
    /// Offer explicit FTPS (AUTH TLS) with this certificate (see [`tls`]).
    pub tls: Option<Arc<rustls::ServerConfig>>,
    /// Refuse logins and transfers that are not protected by TLS.
    pub require_tls: bool,
    /// Follow symlinks that lead outside the shared directory.
    pub follow_symlinks: bool,
    /// Control connections at once; the next one is told 421 and closed.
    pub max_clients: usize,
    /// A session that sends nothing for this long is closed.
    pub idle_timeout: Duration,
    /// A data connection that moves nothing for this long fails its transfer.
    pub data_timeout: Duration,
    pub login_policy: LoginPolicy,
    /// Bytes per second for each transfer; `None` for as fast as it goes.
    pub rate_limit: Option<u64>,
    /// Test-only: speak file names in this charset on the wire (GBK, Shift_JIS …) instead of
    /// UTF-8, through a relay on loopback; plain FTP only, no MLSD (see `wire`). `None` (the
    /// default) is a normal UTF-8 server.
    #[doc(hidden)]
    pub wire_charset: Option<crate::remote::encoding::Charset>,
}

impl ServerConfig {
    /// A config serving `root` on 127.0.0.1 at a free port, with a fixed user.
    pub fn local(root: impl Into<PathBuf>, auth: ServerAuth) -> Self {
        ServerConfig {
            root: root.into(),
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            auth,
            read_only: false,
            passive_ports: 50000..=50999,
            greeting: "ftpdeck embedded server ready",
            on_event: None,
            tls: None,
            require_tls: false,
            follow_symlinks: false,
            max_clients: 32,
            idle_timeout: Duration::from_secs(300),
            data_timeout: Duration::from_secs(60),
            login_policy: LoginPolicy::default(),
            rate_limit: None,
            wire_charset: None,
        }
    }
}

/// A running server. Dropping it (or calling [`ServerHandle::stop`]) stops the server and closes
/// every session at once.
pub struct ServerHandle {
    addr: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl ServerHandle {
    /// The address the server listens on (with the real port when 0 was asked for).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stop accepting, close all sessions, and wait for the server thread to end.
    pub fn stop(mut self) {
        self.stop_inner();
    }

    /// Block until the server thread ends (it only ends when stopped).
    pub fn wait(mut self) {
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }

    fn stop_inner(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        self.stop_inner();
    }
}

/// Start the server on its own thread; returns once it is listening.
pub fn start(config: ServerConfig) -> std::io::Result<ServerHandle> {
    if !config.root.is_dir() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("{} is not a directory", config.root.display()),
        ));
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("ftp-server")
        .enable_all()
        .build()?;
    let tree = Arc::new(fs::Tree::open(&config.root, config.follow_symlinks)?);
    let listener = rt.block_on(tokio::net::TcpListener::bind(config.bind))?;
    let addr = listener.local_addr()?;
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::Builder::new()
        .name("ftp-server-main".into())
        .spawn(move || {
            rt.block_on(accept_loop(listener, config, tree, rx));
            // Dropping the runtime cancels every session task and closes their sockets.
            rt.shutdown_background();
        })?;
    Ok(ServerHandle {
        addr,
        shutdown: Some(tx),
        thread: Some(thread),
    })
}

/// What every connection shares.
struct Shared {
    config: ServerConfig,
    tree: Arc<fs::Tree>,
    failures: Arc<auth::Failures>,
    clients: AtomicUsize,
}

/// Counts a session for `--max-clients` while it lives.
struct Seat(Arc<Shared>);

impl Drop for Seat {
    fn drop(&mut self) {
        self.0.clients.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn accept_loop(
    listener: tokio::net::TcpListener,
    config: ServerConfig,
    tree: Arc<fs::Tree>,
    mut shutdown: tokio::sync::oneshot::Receiver<()>,
) {
    let shared = Arc::new(Shared {
        config,
        tree,
        failures: Arc::default(),
        clients: AtomicUsize::new(0),
    });
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => {
                let Ok((stream, peer)) = accepted else { continue };
                stream.set_nodelay(true).ok();
                let shared = shared.clone();
                tokio::spawn(async move { serve_one(shared, stream, peer).await });
            }
        }
    }
}

async fn serve_one(shared: Arc<Shared>, mut stream: tokio::net::TcpStream, peer: SocketAddr) {
    let session = Arc::new(Session::new(peer, shared.config.on_event.clone()));
    let max = shared.config.max_clients;
    if shared.clients.fetch_add(1, Ordering::SeqCst) >= max {
        shared.clients.fetch_sub(1, Ordering::SeqCst);
        session.say(format!(
            "refused: {max} clients already connected (--max-clients)"
        ));
        let reply = format!(
            "421 Too many connections: this server takes {max} at once; try again later\r\n"
        );
        let _ = tokio::time::timeout(Duration::from_secs(5), async {
            let _ = stream.write_all(reply.as_bytes()).await;
            let _ = stream.shutdown().await;
        })
        .await;
        return;
    }
    let _seat = Seat(shared.clone());
    session.say("connected");
    let stream = match shared.config.wire_charset {
        Some(charset) if !charset.wants_utf8() => {
            match wire::relay(stream, charset.codec(), session.clone()).await {
                Ok(s) => s,
                Err(e) => {
                    tracing::error!("cannot start the charset relay: {e}");
                    return;
                }
            }
        }
        _ => stream,
    };
    match build_server(&shared, session.clone()) {
        Ok(server) => {
            if let Err(e) = server.service(stream).await {
                tracing::warn!("session from {peer} ended with {e:?}");
            }
        }
        Err(e) => tracing::error!("cannot build FTP server: {e}"),
    }
    session.say("disconnected");
}

type Server = libunftp::Server<Storage, DefaultUser>;

fn build_server(shared: &Shared, session: Arc<Session>) -> Result<Server, libunftp::ServerError> {
    let config = &shared.config;
    let tree = shared.tree.clone();
    let read_only = config.read_only;
    let data_timeout = config.data_timeout;
    let rate = config.rate_limit;
    let wire = config
        .wire_charset
        .filter(|c| !c.wants_utf8())
        .map(|c| c.codec());
    let storage_session = session.clone();
    let storage = Box::new(move || Storage {
        tree: tree.clone(),
        read_only,
        session: storage_session.clone(),
        data_timeout,
        rate,
        wire,
    });
    let auth = Arc::new(auth::FixedAuth {
        auth: config.auth.clone(),
        policy: config.login_policy.clone(),
        failures: shared.failures.clone(),
        session: session.clone(),
    });
    let read_only_site = ReadOnlySite(session.clone());
    let mut builder = ServerBuilder::with_authenticator(storage, auth)
        .greeting(config.greeting)
        .passive_ports(config.passive_ports.clone())
        .binder(binder::PassiveBinder::new(4))
        .idle_session_timeout(config.idle_timeout.as_secs().max(1))
        .active_passive_mode(ActivePassiveMode::ActiveAndPassive)
        .notify_presence(Notifier(session.clone()))
        .notify_data(Notifier(session));
    if read_only {
        // libunftp has no SITE CHMOD: without this a read-only share would answer 502 (not
        // implemented) instead of saying why nothing may change.
        builder = builder.site_command("CHMOD", read_only_site);
    }
    if let Some(tls) = &config.tls {
        builder = builder.ftps_manual::<PathBuf>(tls.clone());
        if config.require_tls {
            builder = builder.ftps_required(FtpsRequired::All, FtpsRequired::All);
        }
    }
    builder.build()
}

/// `SITE CHMOD` on a read-only share: 550, and a line in the log.
#[derive(Debug)]
struct ReadOnlySite(Arc<Session>);

#[async_trait]
impl SiteCommandHandler<Storage, DefaultUser> for ReadOnlySite {
    async fn handle(&self, ctx: &SiteCommandContext<Storage, DefaultUser>) -> Reply {
        self.0.say(format!(
            "refused SITE {} {} (read-only)",
            ctx.command, ctx.arguments
        ));
        Reply::new(
            ReplyCode::FileError,
            "Permission denied: this share is read-only",
        )
    }
}

/// Turns libunftp's notifications into lines of the session's log. Transfers are reported by
/// the storage backend, which knows how long they took.
struct Notifier(Arc<Session>);

impl Debug for Notifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Notifier")
    }
}

#[async_trait]
impl PresenceListener for Notifier {
    async fn receive_presence_event(&self, e: PresenceEvent, m: EventMeta) {
        match e {
            PresenceEvent::LoggedIn => {
                self.0.set_user(Some(&m.username));
                self.0.say("logged in");
            }
            PresenceEvent::LoggedOut => {
                self.0.say("logged out");
                self.0.set_user(None);
            }
        }
    }
}

#[async_trait]
impl DataListener for Notifier {
    async fn receive_data_event(&self, e: DataEvent, _m: EventMeta) {
        let line = match e {
            DataEvent::Got { .. } | DataEvent::Put { .. } => return,
            DataEvent::Deleted { path } => format!("delete {path}"),
            DataEvent::MadeDir { path } => format!("mkdir {path}"),
            DataEvent::RemovedDir { path } => format!("rmdir {path}"),
            DataEvent::Renamed { from, to } => format!("rename {from} -> {to}"),
        };
        self.0.say(line);
    }
}
