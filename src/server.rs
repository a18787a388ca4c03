//! The embedded FTP server (libunftp): `ftpdeck serve`, `ftpdeck --demo` and the test suite.
//!
//! Its tokio runtime lives on its own thread, here and nowhere else. We accept control
//! connections ourselves and hand each to a fresh libunftp `Server::service`, because libunftp's
//! own `listen` can neither bind port 0 nor report the address it bound.

use std::fmt::Debug;
use std::net::SocketAddr;
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;

use async_trait::async_trait;
use libunftp::ServerBuilder;
use libunftp::notification::{DataEvent, DataListener, EventMeta, PresenceEvent, PresenceListener};
use libunftp::options::ActivePassiveMode;
use unftp_core::auth::{AuthenticationError, Authenticator, Credentials, DefaultUser, Principal};
use unftp_core::storage::{self, Fileinfo, StorageBackend};
use unftp_sbe_fs::Filesystem;

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
    /// PEM certificate chain and private key files: offer explicit FTPS (AUTH TLS).
    pub tls: Option<(PathBuf, PathBuf)>,
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
    let listener = rt.block_on(tokio::net::TcpListener::bind(config.bind))?;
    let addr = listener.local_addr()?;
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::Builder::new()
        .name("ftp-server-main".into())
        .spawn(move || {
            rt.block_on(accept_loop(listener, config, rx));
            // Dropping the runtime cancels every session task and closes their sockets.
            rt.shutdown_background();
        })?;
    Ok(ServerHandle {
        addr,
        shutdown: Some(tx),
        thread: Some(thread),
    })
}

async fn accept_loop(
    listener: tokio::net::TcpListener,
    config: ServerConfig,
    mut shutdown: tokio::sync::oneshot::Receiver<()>,
) {
    let config = Arc::new(config);
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => {
                let Ok((stream, peer)) = accepted else { continue };
                stream.set_nodelay(true).ok();
                let config = config.clone();
                tokio::spawn(async move {
                    match build_server(&config) {
                        Ok(server) => {
                            if let Err(e) = server.service(stream).await {
                                tracing::warn!("session from {peer} ended with {e:?}");
                            }
                        }
                        Err(e) => tracing::error!("cannot build FTP server: {e}"),
                    }
                });
            }
        }
    }
}

type Server = libunftp::Server<Storage, DefaultUser>;

fn build_server(config: &ServerConfig) -> Result<Server, libunftp::ServerError> {
    let root = config.root.clone();
    let read_only = config.read_only;
    // The root was checked when the server started; libunftp wants a backend maker that
    // cannot fail, so a root gone since then stops the server with its reason.
    #[allow(clippy::expect_used)]
    let storage = Box::new(move || Storage {
        fs: Filesystem::new(root.clone()).expect("the shared directory is gone"),
        read_only,
    });
    let auth = Arc::new(FixedAuth(config.auth.clone()));
    let mut builder = ServerBuilder::with_authenticator(storage, auth)
        .greeting(config.greeting)
        .passive_ports(config.passive_ports.clone())
        .active_passive_mode(ActivePassiveMode::ActiveAndPassive);
    if let Some((cert, key)) = &config.tls {
        builder = builder.ftps(cert.clone(), key.clone());
    }
    if let Some(sink) = &config.on_event {
        builder = builder
            .notify_presence(Notifier(sink.clone()))
            .notify_data(Notifier(sink.clone()));
    }
    builder.build()
}

/// Accepts exactly the configured login.
#[derive(Debug)]
struct FixedAuth(ServerAuth);

#[async_trait]
impl Authenticator for FixedAuth {
    async fn authenticate(
        &self,
        username: &str,
        creds: &Credentials,
    ) -> Result<Principal, AuthenticationError> {
        match &self.0 {
            ServerAuth::Anonymous if username == "anonymous" || username == "ftp" => {
                Ok(Principal {
                    username: username.to_string(),
                })
            }
            ServerAuth::Anonymous => Err(AuthenticationError::BadUser),
            ServerAuth::User { user, password } => {
                if username != user {
                    return Err(AuthenticationError::BadUser);
                }
                if creds.password.as_deref() != Some(password.as_str()) {
                    return Err(AuthenticationError::BadPassword);
                }
                Ok(Principal {
                    username: username.to_string(),
                })
            }
        }
    }
}

/// Turns libunftp's notifications into one line each for the event sink.
struct Notifier(EventSink);

impl Debug for Notifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Notifier")
    }
}

#[async_trait]
impl PresenceListener for Notifier {
    async fn receive_presence_event(&self, e: PresenceEvent, m: EventMeta) {
        let what = match e {
            PresenceEvent::LoggedIn => "logged in",
            PresenceEvent::LoggedOut => "logged out",
        };
        (self.0)(format!("{} {what}", m.username));
    }
}

#[async_trait]
impl DataListener for Notifier {
    async fn receive_data_event(&self, e: DataEvent, m: EventMeta) {
        let line = match e {
            DataEvent::Got { path, bytes } => format!("download {path} ({bytes} bytes)"),
            DataEvent::Put { path, bytes } => format!("upload {path} ({bytes} bytes)"),
            DataEvent::Deleted { path } => format!("delete {path}"),
            DataEvent::MadeDir { path } => format!("mkdir {path}"),
            DataEvent::RemovedDir { path } => format!("rmdir {path}"),
            DataEvent::Renamed { from, to } => format!("rename {from} -> {to}"),
        };
        (self.0)(format!("{}: {line}", m.username));
    }
}

/// The file-system backend, optionally refusing every change.
#[derive(Debug)]
struct Storage {
    fs: Filesystem,
    read_only: bool,
}

impl Storage {
    fn check_writable(&self) -> storage::Result<()> {
        if self.read_only {
            Err(storage::ErrorKind::PermissionDenied.into())
        } else {
            Ok(())
        }
    }
}

#[async_trait]
impl StorageBackend<DefaultUser> for Storage {
    type Metadata = <Filesystem as StorageBackend<DefaultUser>>::Metadata;

    fn supported_features(&self) -> u32 {
        StorageBackend::<DefaultUser>::supported_features(&self.fs)
    }

    async fn metadata<P: AsRef<Path> + Send + Debug>(
        &self,
        user: &DefaultUser,
        path: P,
    ) -> storage::Result<Self::Metadata> {
        self.fs.metadata(user, path).await
    }

    async fn list<P: AsRef<Path> + Send + Debug>(
        &self,
        user: &DefaultUser,
        path: P,
    ) -> storage::Result<Vec<Fileinfo<PathBuf, Self::Metadata>>>
    where
        Self::Metadata: storage::Metadata,
    {
        // A name with a line break or another control character would forge entries in a
        // LIST, MLSD or NLST reply (`evil\r\n-rw-r--r-- … FAKE.txt`): such names are not shown.
        let mut entries = self.fs.list(user, path).await?;
        entries.retain(|e| {
            let name = e.path.file_name().map(|n| n.to_string_lossy());
            !name.is_some_and(|n| n.chars().any(char::is_control))
        });
        Ok(entries)
    }

    async fn get<P: AsRef<Path> + Send + Debug>(
        &self,
        user: &DefaultUser,
        path: P,
        start_pos: u64,
    ) -> storage::Result<Box<dyn tokio::io::AsyncRead + Send + Sync + Unpin>> {
        self.fs.get(user, path, start_pos).await
    }

    async fn put<
        P: AsRef<Path> + Send + Debug,
        R: tokio::io::AsyncRead + Send + Sync + Unpin + 'static,
    >(
        &self,
        user: &DefaultUser,
        input: R,
        path: P,
        start_pos: u64,
    ) -> storage::Result<u64> {
        self.check_writable()?;
        self.fs.put(user, input, path, start_pos).await
    }

    async fn del<P: AsRef<Path> + Send + Debug>(
        &self,
        user: &DefaultUser,
        path: P,
    ) -> storage::Result<()> {
        self.check_writable()?;
        self.fs.del(user, path).await
    }

    async fn mkd<P: AsRef<Path> + Send + Debug>(
        &self,
        user: &DefaultUser,
        path: P,
    ) -> storage::Result<()> {
        self.check_writable()?;
        self.fs.mkd(user, path).await
    }

    async fn rename<P: AsRef<Path> + Send + Debug>(
        &self,
        user: &DefaultUser,
        from: P,
        to: P,
    ) -> storage::Result<()> {
        self.check_writable()?;
        self.fs.rename(user, from, to).await
    }

    async fn rmd<P: AsRef<Path> + Send + Debug>(
        &self,
        user: &DefaultUser,
        path: P,
    ) -> storage::Result<()> {
        self.check_writable()?;
        self.fs.rmd(user, path).await
    }

    /// unftp-sbe-fs checks a CWD by listing the whole directory, which makes entering a big
    /// directory cost two listings; a metadata check answers the same question.
    async fn cwd<P: AsRef<Path> + Send + Debug>(
        &self,
        user: &DefaultUser,
        path: P,
    ) -> storage::Result<()> {
        use unftp_core::storage::Metadata;
        let meta = self.fs.metadata(user, path).await?;
        if meta.is_dir() {
            Ok(())
        } else {
            Err(storage::ErrorKind::PermanentDirectoryNotAvailable.into())
        }
    }
}
