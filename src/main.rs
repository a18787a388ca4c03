use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;

use ftpdeck::cli::{Cli, Command};
use ftpdeck::remote::path::url_suffix;
use ftpdeck::tui::RunOptions;

/// `println!` that never panics: the terminal may be gone (closed window, SIGHUP), and a line
/// nobody can read is no reason to crash.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// `eprintln!` that never panics (see `say!`).
macro_rules! say_err {
    ($($arg:tt)*) => {{
        use std::io::Write;
        let _ = writeln!(std::io::stderr().lock(), $($arg)*);
    }};
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let log = ftpdeck::logging::init();
    let result = match cli.command {
        Some(Command::Serve(args)) => serve(args),
        Some(Command::Get(args)) => {
            return headless(true, &args.paths, args.overwrite, &args.options);
        }
        Some(Command::Put(args)) => {
            return headless(false, &args.paths, args.overwrite, &args.options);
        }
        Some(Command::Sync(args)) => return sync(&args),
        Some(Command::Ls(args)) => return ls(&args),
        Some(Command::Doctor(args)) => return doctor(&args),
        None => run_tui(cli),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            say_err!("ftpdeck: {e:#}");
            if let Some(path) = log {
                say_err!("(log: {})", path.display());
            }
            ExitCode::FAILURE
        }
    }
}

/// `ftpdeck ls REMOTE`.
fn ls(args: &ftpdeck::cli::LsArgs) -> ExitCode {
    let (cfg, common) = headless_setup(&ftpdeck::cli::HeadlessArgs {
        parallel: None,
        quiet: false,
        json: args.json,
        trust_fingerprint: args.trust_fingerprint.clone(),
        active: args.active,
        limit_rate: None,
        verify: None,
        charset: args.charset,
    });
    let how = ftpdeck::headless::ls::LsArgs {
        long: args.long,
        all: args.all,
        mlsd: cfg.network.mlsd,
    };
    ExitCode::from(ftpdeck::headless::ls::ls(&args.remote, how, &common))
}

/// `ftpdeck doctor URL|BOOKMARK`.
fn doctor(args: &ftpdeck::cli::DoctorArgs) -> ExitCode {
    let (cfg, common) = headless_setup(&ftpdeck::cli::HeadlessArgs {
        parallel: None,
        quiet: false,
        json: args.json,
        trust_fingerprint: args.trust_fingerprint.clone(),
        active: false,
        limit_rate: None,
        verify: None,
        charset: None,
    });
    let limit = std::time::Duration::from_secs(args.timeout);
    let configured = cfg.network.timeouts();
    let how = ftpdeck::headless::doctor::DoctorArgs {
        target: args.target.clone(),
        timeouts: ftpdeck::remote::Timeouts {
            connect: configured.connect.min(limit),
            read: configured.read.min(limit),
        },
    };
    ExitCode::from(ftpdeck::headless::doctor::doctor(&how, &common))
}

/// `ftpdeck sync SOURCE DEST`.
fn sync(args: &ftpdeck::cli::SyncArgs) -> ExitCode {
    let (cfg, common) = headless_setup(&args.options);
    let sync_args = ftpdeck::headless::sync::SyncArgs {
        options: ftpdeck::sync::Options {
            compare: args.compare,
            mtime_tolerance: cfg.sync.mtime_tolerance.into(),
            delete: args.delete,
            both: args.both,
            exclude: cfg
                .sync
                .exclude
                .iter()
                .chain(&args.exclude)
                .cloned()
                .collect(),
        },
        dry_run: args.dry_run,
    };
    ExitCode::from(ftpdeck::headless::sync::run(
        &args.source,
        &args.dest,
        &sync_args,
        &common,
        &cfg,
    ))
}

/// `ftpdeck get` / `ftpdeck put`: their exit status is their own (0, 1, 2 or 130).
fn headless(
    get: bool,
    paths: &[String],
    overwrite: Option<ftpdeck::transfer::Resolution>,
    args: &ftpdeck::cli::HeadlessArgs,
) -> ExitCode {
    let (cfg, mut common) = headless_setup(args);
    common.existing = overwrite.unwrap_or(ftpdeck::transfer::Resolution::ResumeElseSkip);
    let code = if get {
        ftpdeck::headless::get(paths, &common, &cfg)
    } else {
        ftpdeck::headless::put(paths, &common, &cfg)
    };
    ExitCode::from(code)
}

/// The config, and the options every headless command shares.
fn headless_setup(
    args: &ftpdeck::cli::HeadlessArgs,
) -> (ftpdeck::config::Config, ftpdeck::headless::Common) {
    let path = ftpdeck::config::config_path();
    let (mut cfg, problems) = ftpdeck::config::load(path.as_deref());
    for p in &problems {
        say_err!("ftpdeck: config: {p}");
    }
    if let Some(v) = args.verify {
        cfg.transfers.verify = v;
    }
    let common = ftpdeck::headless::Common {
        parallel: args
            .parallel
            .map(usize::from)
            .unwrap_or(cfg.transfers.parallel),
        quiet: args.quiet,
        json: args.json,
        trust_fingerprint: args.trust_fingerprint.clone(),
        active: args.active,
        existing: ftpdeck::transfer::Resolution::ResumeElseSkip,
        limit_rate: args.limit_rate,
        charset: args.charset,
    };
    (cfg, common)
}

/// Settings from the config file, with the command line on top.
fn run_options(cli: &Cli) -> RunOptions {
    let (bookmarks, bookmarks_broken) = match ftpdeck::bookmarks::bookmarks_path() {
        Some(p) => match ftpdeck::bookmarks::load(&p) {
            Ok(store) => (store, None),
            Err(e) => (Default::default(), Some(e.to_string())),
        },
        None => (Default::default(), None),
    };
    let path = ftpdeck::config::config_path();
    let (mut cfg, problems) = ftpdeck::config::load(path.as_deref());
    for p in &problems {
        tracing::warn!("config: {p}");
    }
    if let Some(n) = cli.parallel {
        cfg.transfers.parallel = n.into();
    }
    if cli.no_mouse {
        cfg.ui.mouse = false;
    }
    let (saved_queue, queue_broken) = match ftpdeck::queue::path() {
        Some(p) => match ftpdeck::queue::load(&p) {
            Ok(saved) => (saved, None),
            Err(e) => (Default::default(), Some(format!("saved transfers: {e}"))),
        },
        None => (Default::default(), None),
    };
    RunOptions {
        startup_warnings: problems
            .into_iter()
            .chain(kept_edits_notice())
            .chain(queue_broken)
            .chain(
                bookmarks_broken
                    .iter()
                    .map(|e| format!("bookmarks: {e} (left untouched)")),
            )
            .collect(),
        bookmarks,
        bookmarks_broken,
        limit_rate: cli.limit_rate,
        saved_queue,
        charset: cli.charset,
        // The one place LS_COLORS is read (lossy: a name pattern in bad UTF-8 just never matches).
        ls_colors: std::env::var_os("LS_COLORS").map(|v| v.to_string_lossy().into_owned()),
        ..RunOptions::from_config(cfg)
    }
}

/// A reminder of edits kept from earlier sessions (never deleted by ftpdeck).
fn kept_edits_notice() -> Option<String> {
    let kept = ftpdeck::safety::kept::list();
    let dir = ftpdeck::safety::kept::kept_dir()?;
    match kept.len() {
        0 => None,
        1 => Some(format!(
            "1 edit that was not uploaded is kept in {}",
            dir.display()
        )),
        n => Some(format!(
            "{n} edits that were not uploaded are kept in {}",
            dir.display()
        )),
    }
}

fn run_tui(cli: Cli) -> anyhow::Result<()> {
    if cli.print_default_config {
        use std::io::Write;
        let _ = std::io::stdout().write_all(ftpdeck::config::DEFAULT_CONFIG.as_bytes());
        return Ok(());
    }
    for dir in ftpdeck::scratch::sweep_stale(&std::env::temp_dir()) {
        tracing::info!("removed {} (left by an ftpdeck that ended)", dir.display());
    }
    if cli.list_bookmarks {
        return list_bookmarks();
    }
    // A directory that cannot be listed would leave the pane with nowhere to go: start in the
    // nearest one that can, and say why.
    let (local, local_note) = match cli.local.clone() {
        Some(dir) => ftpdeck::local::start_dir(&dir, "--local"),
        None => match std::env::current_dir() {
            Ok(dir) => ftpdeck::local::start_dir(&dir, "The current directory"),
            Err(e) => (
                PathBuf::from("/"),
                Some(format!("The current directory is gone ({e}) — showing /")),
            ),
        },
    };
    let mut options = run_options(&cli);
    options.startup_warnings.extend(local_note);
    if cli.demo {
        return run_demo(local, options);
    }
    let profile = match cli.url.as_deref() {
        // Not a URL: the name of a bookmark.
        Some(name) if !name.contains("://") => {
            if !options.bookmarks.bookmarks.iter().any(|b| b.name == name) {
                anyhow::bail!(
                    "no bookmark named {:?} (ftpdeck --list-bookmarks shows them)",
                    ftpdeck::cli::mask_password(name)
                );
            }
            options.start_bookmark = Some(name.to_string());
            return ftpdeck::tui::run(local, None, options);
        }
        Some(url) => {
            let mut profile = ftpdeck::cli::parse_url(url).map_err(anyhow::Error::msg)?;
            if cli.active {
                profile.data_mode = ftpdeck::remote::DataMode::Active;
            }
            if profile.security != ftpdeck::remote::Security::Plain {
                profile.pinned_cert = ftpdeck::known_servers::lookup(&profile.host, profile.port);
            }
            if url.contains('@') && profile.password.is_some() && profile.user != "anonymous" {
                let warning = "The password in the URL is visible in ps and your shell history: \
                               prefer the prompt (leave it out) or a bookmark";
                tracing::warn!("{warning}");
                options.startup_warnings.push(warning.to_string());
            }
            Some(profile)
        }
        None => None,
    };
    ftpdeck::tui::run(local, profile, options)
}

#[cfg(feature = "server")]
fn run_demo(local: PathBuf, options: RunOptions) -> anyhow::Result<()> {
    use ftpdeck::remote::{Profile, Secret};
    use ftpdeck::server::{self, ServerAuth, ServerConfig};

    let tree = ftpdeck::demo::DemoTree::create().context("creating the demo tree")?;
    let mut config = ServerConfig::local(
        tree.root(),
        ServerAuth::User {
            user: "demo".into(),
            password: "demo".into(),
        },
    );
    config.on_event = Some(std::sync::Arc::new(|line| {
        tracing::info!("demo server: {line}")
    }));
    // Only this machine reaches the demo, and its password is printed: mistyping it slows the
    // retry (the delay stays) but never locks the user out.
    config.login_policy.limit = u32::MAX;
    let server = server::start(config).context("starting the demo server")?;
    let addr = server.addr();
    tracing::info!("demo server on {addr}, tree {}", tree.root().display());
    let profile = Profile {
        host: addr.ip().to_string(),
        port: addr.port(),
        user: "demo".into(),
        password: Some(Secret::new("demo")),
        path: "/".into(),
        ..Default::default()
    };
    // The demo's server and tree last one run: nothing is kept for a next one.
    let options = RunOptions {
        saved_queue: Default::default(),
        save_queue: false,
        ..options
    };
    let result = ftpdeck::tui::run(local, Some(profile), options);
    server.stop();
    drop(tree);
    result
}

#[cfg(not(feature = "server"))]
fn run_demo(_local: PathBuf, _options: RunOptions) -> anyhow::Result<()> {
    anyhow::bail!("this build has no embedded server (built without the `server` feature)")
}

#[cfg(feature = "server")]
fn serve(args: ftpdeck::cli::ServeArgs) -> anyhow::Result<()> {
    use ftpdeck::server::{self, ServerAuth, ServerConfig};

    let auth = match (args.user, args.anonymous) {
        (Some(user), false) => ServerAuth::User {
            password: serve_password(&user, args.password, args.password_file.as_deref())?,
            user,
        },
        (None, true) => ServerAuth::Anonymous,
        _ => anyhow::bail!(
            "choose who may log in: --user U (with --password-file FILE or FTPDECK_SERVE_PASSWORD), or --anonymous"
        ),
    };
    let root = args
        .dir
        .canonicalize()
        .with_context(|| format!("{}", args.dir.display()))?;
    anyhow::ensure!(root.is_dir(), "{} is not a directory", root.display());
    let anonymous = matches!(auth, ServerAuth::Anonymous);
    // Strangers read; they write only when asked for in so many words.
    let read_only = args.read_only || (anonymous && !args.anonymous_write);
    let (who, user) = match &auth {
        ServerAuth::Anonymous => ("anonymous logins".to_string(), "anonymous".to_string()),
        ServerAuth::User { user, .. } => (format!("user {user}"), user.clone()),
    };
    let (tls, fingerprint) = match (&args.tls_cert, &args.tls_key, args.tls) {
        (Some(cert), Some(key), _) => {
            let config = server::tls::from_files(cert, key).map_err(anyhow::Error::msg)?;
            (Some(config), None)
        }
        (_, _, true) => {
            let mut names = vec!["localhost".to_string(), "127.0.0.1".to_string()];
            if !args.bind.ip().is_unspecified() && !args.bind.ip().is_loopback() {
                names.push(args.bind.ip().to_string());
            }
            let (config, fp) = server::tls::self_signed(names).map_err(anyhow::Error::msg)?;
            (Some(config), Some(fp))
        }
        _ => (None, None),
    };
    anyhow::ensure!(
        !args.require_tls || tls.is_some(),
        "--require-tls needs --tls (a self-signed certificate) or --tls-cert and --tls-key"
    );
    let log = match &args.log {
        Some(path) => Some(std::sync::Mutex::new(open_log(path)?)),
        None => None,
    };
    let mut config = ServerConfig::local(root.clone(), auth);
    config.bind = args.bind;
    config.read_only = read_only;
    config.passive_ports = args.passive_ports;
    config.greeting = "ftpdeck serve ready";
    config.require_tls = args.require_tls;
    config.tls = tls.clone();
    config.follow_symlinks = args.follow_symlinks;
    config.max_clients = args.max_clients as usize;
    config.idle_timeout = std::time::Duration::from_secs(args.idle_timeout);
    config.data_timeout = std::time::Duration::from_secs(args.data_timeout);
    config.rate_limit = args.limit_rate;
    config.on_event = Some(std::sync::Arc::new(move |line| {
        let line = format!(
            "{} {line}",
            chrono::Local::now().format("%Y-%m-%d %H:%M:%S")
        );
        say!("{line}");
        if let Some(file) = &log
            && let Ok(mut f) = file.lock()
        {
            use std::io::Write;
            let _ = writeln!(f, "{line}");
        }
    }));
    let server =
        server::start(config).with_context(|| format!("cannot listen on {}", args.bind))?;
    let addr = server.addr();
    say!(
        "Serving {} ({who}{}{}) — Ctrl-C stops",
        root.display(),
        if read_only { ", read-only" } else { "" },
        match (tls.is_some(), args.require_tls) {
            (true, true) => ", TLS required",
            (true, false) => ", TLS offered",
            _ => "",
        }
    );
    for url in serve_urls(addr, &user, tls.is_some()) {
        say!("  {url}");
    }
    if let Some(fp) = &fingerprint {
        say!(
            "  TLS certificate (self-signed, made now): SHA-256 fingerprint {}",
            ftpdeck::remote::tls::pretty_fingerprint(fp)
        );
        say!("  pin it with: ftpdeck ls --trust-fingerprint {fp} URL");
    }
    if addr.ip().is_unspecified() {
        say_err!(
            "ftpdeck: warning: listening on every address: {} is reachable from the network",
            root.display()
        );
    }
    if anonymous && args.anonymous_write && !args.read_only {
        say_err!(
            "ftpdeck: warning: anonymous users may upload, rename and delete in {}",
            root.display()
        );
    }
    if args.follow_symlinks {
        say_err!(
            "ftpdeck: warning: --follow-symlinks: symlinks in {} are served even where they lead outside it",
            root.display()
        );
    }
    wait_for_termination()?;
    say!("Stopping.");
    server.stop();
    Ok(())
}

/// The password for `serve --user`: `--password-file`, else `FTPDECK_SERVE_PASSWORD`, else
/// `--password` (with a warning: `ps` shows it).
#[cfg(feature = "server")]
fn serve_password(
    user: &str,
    given: Option<String>,
    file: Option<&std::path::Path>,
) -> anyhow::Result<String> {
    let password = match (given, file) {
        (_, Some(f)) => {
            let text =
                std::fs::read_to_string(f).with_context(|| format!("reading {}", f.display()))?;
            text.lines().next().unwrap_or_default().to_string()
        }
        (Some(p), None) => {
            say_err!(
                "ftpdeck: warning: --password is visible to every user of this machine (ps); use --password-file FILE or FTPDECK_SERVE_PASSWORD"
            );
            p
        }
        (None, None) => match std::env::var("FTPDECK_SERVE_PASSWORD") {
            Ok(p) => p,
            Err(_) => anyhow::bail!(
                "--user {user} needs a password: --password-file FILE or FTPDECK_SERVE_PASSWORD (or --password, which ps shows)"
            ),
        },
    };
    anyhow::ensure!(
        !password.is_empty(),
        "the password for --user {user} is empty"
    );
    Ok(password)
}

/// `serve --log FILE`: appended to, created 0600.
#[cfg(feature = "server")]
fn open_log(path: &std::path::Path) -> anyhow::Result<std::fs::File> {
    let mut o = std::fs::OpenOptions::new();
    o.append(true).create(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    o.open(path)
        .with_context(|| format!("cannot open the log file {}", path.display()))
}

/// Where to connect: the bound address, or for an address that means "all of them",
/// the loopback one and a note.
#[cfg(feature = "server")]
fn serve_urls(addr: std::net::SocketAddr, user: &str, tls: bool) -> Vec<String> {
    let user = ftpdeck::cli::url_user(user);
    let scheme = if tls { "ftps" } else { "ftp" };
    let host = |ip: std::net::IpAddr| match ip {
        std::net::IpAddr::V6(v6) => format!("[{v6}]"),
        v4 => v4.to_string(),
    };
    if addr.ip().is_unspecified() {
        let local = if addr.is_ipv6() {
            std::net::IpAddr::V6(std::net::Ipv6Addr::LOCALHOST)
        } else {
            std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST)
        };
        vec![
            format!("{scheme}://{user}@{}:{}/", host(local), addr.port()),
            format!(
                "{scheme}://{user}@<this machine's address>:{}/ from elsewhere",
                addr.port()
            ),
        ]
    } else {
        vec![format!(
            "{scheme}://{user}@{}:{}/",
            host(addr.ip()),
            addr.port()
        )]
    }
}

#[cfg(not(feature = "server"))]
fn serve(_args: ftpdeck::cli::ServeArgs) -> anyhow::Result<()> {
    anyhow::bail!("this build has no embedded server (built without the `server` feature)")
}

/// Block until Ctrl-C, SIGTERM or SIGHUP.
#[cfg(feature = "server")]
fn wait_for_termination() -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let mut term = signal(SignalKind::terminate())?;
            let mut hup = signal(SignalKind::hangup())?;
            tokio::select! {
                r = tokio::signal::ctrl_c() => r,
                _ = term.recv() => Ok(()),
                _ = hup.recv() => Ok(()),
            }
        }
        #[cfg(not(unix))]
        {
            tokio::signal::ctrl_c().await
        }
    })?;
    Ok(())
}

/// `--list-bookmarks`: one line per bookmark, then the recent connections.
fn list_bookmarks() -> anyhow::Result<()> {
    use ftpdeck::remote::{DataMode, Security};
    let path = ftpdeck::bookmarks::bookmarks_path().context("no config directory")?;
    let store = ftpdeck::bookmarks::load(&path).map_err(|e| anyhow::anyhow!("{e}"))?;
    if store.bookmarks.is_empty() {
        say!(
            "No bookmarks yet ({}). Start ftpdeck and press b, then n.",
            path.display()
        );
    }
    for b in &store.bookmarks {
        let tls = match b.security {
            Security::Plain => "",
            Security::ExplicitTls => " ftps",
            Security::ImplicitTls => " ftps-implicit",
        };
        let mode = if b.data_mode == DataMode::Active {
            " active"
        } else {
            ""
        };
        let charset = if b.charset.is_auto() {
            String::new()
        } else {
            format!(" charset={}", b.charset.name())
        };
        say!(
            "{}\t{}@{}:{}{}{tls}{mode}{charset}",
            b.name,
            b.user,
            b.host,
            b.port,
            url_suffix(&b.remote_dir)
        );
    }
    for r in &store.recent {
        say!(
            "(recent)\t{}@{}:{}{}",
            r.user,
            r.host,
            r.port,
            url_suffix(&r.remote_dir)
        );
    }
    Ok(())
}
