//! The connection doctor against real servers: the embedded one (everything works), the
//! scripted misbehaving one in `tests/fake` (no EPSV, a 227 naming a private address), a port
//! nobody listens on and a wrong password; as the binary runs (exit status, text, `--json`)
//! and as the library function the TUI's task calls.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may stop at the first surprise

mod common;
mod fake;

use std::net::Ipv4Addr;
use std::time::Duration;

use common::cli::ftpdeck;
use fake::{FakeServer, unix_file};
use ftpdeck::doctor::{self, Level, Setting};
use ftpdeck::remote::{Profile, Secret, Timeouts};

const TIMEOUTS: Timeouts = Timeouts {
    connect: Duration::from_secs(5),
    read: Duration::from_secs(5),
};

fn embedded() -> (tempfile::TempDir, ftpdeck::server::ServerHandle) {
    let root = tempfile::tempdir().unwrap();
    common::write(root.path(), "report.txt", b"twelve bytes");
    std::fs::create_dir(root.path().join("pub")).unwrap();
    let server = common::start_server(root.path());
    (root, server)
}

fn url(port: u16) -> String {
    format!("ftp://{}@127.0.0.1:{port}/", common::USER)
}

/// `ftpdeck doctor EXTRA… ftp://bob@127.0.0.1:PORT/` with the password `pw` and a private HOME.
fn doctor_on(port: u16, extra: &[&str]) -> common::cli::Run {
    let home = tempfile::tempdir().unwrap();
    let url = format!("ftp://bob@127.0.0.1:{port}/");
    let mut args = vec!["doctor"];
    args.extend_from_slice(extra);
    args.push(&url);
    ftpdeck(home.path(), &args, &[("FTPDECK_PASSWORD", "pw")])
}

/// The report on stdout says `text`.
#[track_caller]
fn says(run: &common::cli::Run, text: &str) {
    assert!(run.stdout.contains(text), "{}", run.stdout);
}

#[test]
fn the_embedded_server_is_all_good_and_every_data_mode_is_named() {
    let (_root, server) = embedded();
    let home = tempfile::tempdir().unwrap();
    let run = ftpdeck(
        home.path(),
        &["doctor", &url(server.addr().port())],
        &[("FTPDECK_PASSWORD", common::PASSWORD)],
    );
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
    for words in [
        "Greeting",
        "Logged in as tester",
        "EPSV works: a listing came (2 entries)",
        "PASV works: a listing came (2 entries)",
        "PORT (active mode) works",
        "MLSD works: 2 lines, 2 understood",
        "LIST works: 2 lines, 2 understood",
        "UTF8 is in FEAT",
        "MDTM report.txt",
        "Everything works with these settings.",
        "data_mode = \"passive\"",
    ] {
        assert!(
            run.stdout.contains(words),
            "{words:?} missing from:\n{}",
            run.stdout
        );
    }
}

#[test]
fn json_output_parses_with_every_check_and_the_recommendations() {
    let (_root, server) = embedded();
    let home = tempfile::tempdir().unwrap();
    let run = ftpdeck(
        home.path(),
        &["doctor", "--json", &url(server.addr().port())],
        &[("FTPDECK_PASSWORD", common::PASSWORD)],
    );
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
    let doc: serde_json::Value =
        serde_json::from_str(run.stdout.trim()).expect("one JSON document");
    assert_eq!(doc["status"], 0);
    assert!(doc["fatal"].is_null());
    let level = |id: &str| {
        doc["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .map(|c| c["level"].as_str().unwrap().to_string())
    };
    for id in [
        "greeting", "login", "feat", "utf8", "epsv", "pasv", "port", "mlsd", "list", "clock",
    ] {
        assert_eq!(level(id).as_deref(), Some("ok"), "{id}: {doc}");
    }
    let recs = doc["recommendations"].as_array().unwrap();
    let mode = recs.iter().find(|r| r["key"] == "data_mode").unwrap();
    assert_eq!(
        (mode["value"].as_str(), mode["change"].as_bool()),
        (Some("passive"), Some(false))
    );
}

#[test]
fn without_epsv_the_report_says_epsv_fails_and_pasv_works() {
    let server = FakeServer::builder()
        .listing([unix_file("a.txt", "3")])
        .file("/a.txt", b"abc".to_vec())
        .start();
    let run = doctor_on(server.port(), &[]);
    says(&run, "EPSV fails: 502 Only PASV here");
    says(&run, "PASV works: a listing came (1 entry)");
    says(&run, "LIST works: 1 line, 1 understood");
    says(&run, "MLSD is not offered");
    says(&run, "PORT (active mode) fails");
    // Passive mode (PASV, since FEAT offers no EPSV) is what ftpdeck does: nothing to change.
    says(&run, "data_mode = \"passive\"");
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
}

#[test]
fn a_227_naming_a_private_address_is_a_nat_warning_with_a_recommendation() {
    let server = FakeServer::builder()
        .pasv_announces(Ipv4Addr::new(10, 0, 0, 5))
        .listing([unix_file("a.txt", "3")])
        .start();
    let run = doctor_on(server.port(), &[]);
    assert_eq!(run.code, Some(1), "{}\n{}", run.stdout, run.stderr);
    says(
        &run,
        "The 227 reply names a private address, 10.0.0.5, while the control connection goes to 127.0.0.1",
    );
    says(&run, "trust_pasv_address = false");

    // A bookmark that trusts the announced address is told to stop.
    let profile = Profile {
        host: "127.0.0.1".into(),
        port: server.port(),
        user: "bob".into(),
        password: Some(Secret::new("pw")),
        trust_pasv_address: true,
        ..Default::default()
    };
    let report = doctor::diagnose(&profile, TIMEOUTS, &|| false);
    assert_eq!(report.check("nat").map(|c| c.level), Some(Level::Warn));
    assert_eq!(report.check("pasv").map(|c| c.level), Some(Level::Ok));
    // The listings go through the recommended address too.
    assert_eq!(
        report.check("list").map(|c| c.level),
        Some(Level::Ok),
        "{report:?}"
    );
    let rec = report
        .changes()
        .find(|r| r.setting == Setting::TrustPasvAddress(false))
        .expect("trust_pasv_address = false recommended");
    assert!(rec.why.contains("10.0.0.5"), "{rec:?}");
    assert_eq!(report.exit_status(), doctor::WARNINGS);
}

#[test]
fn an_unreachable_port_exits_2_saying_the_connection_was_refused() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let home = tempfile::tempdir().unwrap();
    let run = ftpdeck(
        home.path(),
        &["doctor", &format!("ftp://bob@127.0.0.1:{port}/")],
        &[("FTPDECK_PASSWORD", "pw")],
    );
    assert_eq!(run.code, Some(2), "{}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("refused"), "{}", run.stderr);
    says(&run, "Cannot go on");
}

#[test]
fn a_wrong_password_exits_2_naming_the_login() {
    let (_root, server) = embedded();
    let home = tempfile::tempdir().unwrap();
    let run = ftpdeck(
        home.path(),
        &["doctor", "--json", &url(server.addr().port())],
        &[("FTPDECK_PASSWORD", "wrong")],
    );
    assert_eq!(run.code, Some(2), "{}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("login refused: 530"), "{}", run.stderr);
    assert!(
        run.stderr.contains("check the user name and password"),
        "{}",
        run.stderr
    );
    let doc: serde_json::Value = serde_json::from_str(run.stdout.trim()).unwrap();
    assert_eq!(doc["status"], 2);
    assert!(doc["fatal"].as_str().unwrap().contains("530"), "{doc}");
}

#[test]
fn a_bookmark_name_alone_is_the_bookmark_and_an_unknown_one_is_a_usage_error() {
    let home = tempfile::tempdir().unwrap();
    let run = ftpdeck(home.path(), &["doctor", "nosuch"], &[]);
    assert_eq!(run.code, Some(2), "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("no bookmark named \"nosuch\""),
        "{}",
        run.stderr
    );
}

fn embedded_tls() -> (tempfile::TempDir, ftpdeck::server::ServerHandle, String) {
    let root = tempfile::tempdir().unwrap();
    common::write(root.path(), "over-tls.txt", b"secret");
    let (tls, fingerprint) = ftpdeck::server::tls::self_signed(vec!["127.0.0.1".into()]).unwrap();
    let server = common::start_server_with(root.path(), |c| c.tls = Some(tls));
    (root, server, fingerprint)
}

#[test]
fn tls_reports_the_version_and_the_fingerprint_and_an_untrusted_certificate_stops_with_2() {
    let (_root, server, fingerprint) = embedded_tls();
    let home = tempfile::tempdir().unwrap();
    let target = format!(
        "ftps://{}@127.0.0.1:{}/",
        common::USER,
        server.addr().port()
    );
    let env = [("FTPDECK_PASSWORD", common::PASSWORD)];
    let hex = ftpdeck::remote::tls::normalize_fingerprint(&fingerprint);

    let run = ftpdeck(home.path(), &["doctor", &target], &env);
    assert_eq!(run.code, Some(2), "{}\n{}", run.stdout, run.stderr);
    says(&run, "Explicit TLS (AUTH TLS) works: TLS 1.");
    says(&run, "The certificate is not trusted");
    assert!(
        run.stderr.contains(&format!("--trust-fingerprint {hex}")),
        "{}",
        run.stderr
    );

    let run = ftpdeck(
        home.path(),
        &["doctor", &target, "--trust-fingerprint", &fingerprint],
        &env,
    );
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("The certificate is the one trusted (pinned)"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("Data connections work without reusing the control connection's TLS session"),
        "{}",
        run.stdout
    );
    says(&run, "security = \"explicit\"");
}

#[test]
fn a_plain_connection_to_a_server_that_offers_tls_is_told_to_use_it() {
    let (_root, server, _) = embedded_tls();
    let home = tempfile::tempdir().unwrap();
    let run = ftpdeck(
        home.path(),
        &["doctor", "--json", &url(server.addr().port())],
        &[("FTPDECK_PASSWORD", common::PASSWORD)],
    );
    assert_eq!(run.code, Some(1), "{}\n{}", run.stdout, run.stderr);
    let doc: serde_json::Value = serde_json::from_str(run.stdout.trim()).unwrap();
    let tls = doc["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "tls")
        .unwrap();
    assert_eq!(tls["level"], "warn", "{doc}");
    let rec = doc["recommendations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == "security")
        .unwrap();
    assert_eq!(
        (rec["value"].as_str(), rec["change"].as_bool()),
        (Some("explicit"), Some(true))
    );
}

#[test]
fn a_server_that_stops_answering_costs_a_time_limit_per_step_not_a_hang() {
    // Every LIST gets the first digit of a reply, then silence.
    let server = FakeServer::builder()
        .listing([unix_file("a.txt", "3")])
        .stall_mid_reply(fake::At::Reply("LIST"))
        .start();
    let run = doctor_on(server.port(), &["--timeout", "1"]);
    assert_eq!(run.code, Some(1), "{}\n{}", run.stdout, run.stderr);
    says(&run, "PASV fails: timed out after 1 s");
    says(&run, "No data connection works");

    let silent = FakeServer::builder()
        .stall_mid_reply(fake::At::Greeting)
        .start();
    let run = doctor_on(silent.port(), &["--timeout", "1"]);
    assert_eq!(run.code, Some(2), "{}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("sends no greeting"), "{}", run.stderr);
}

#[test]
fn epsv_offered_but_failing_is_a_warning_and_says_why_ftpdeck_s_passive_mode_fails() {
    let server = FakeServer::builder()
        .feat_lists_epsv()
        .listing([unix_file("a.txt", "3")])
        .start();
    let profile = Profile {
        host: "127.0.0.1".into(),
        port: server.port(),
        user: "bob".into(),
        password: Some(Secret::new("pw")),
        ..Default::default()
    };
    let report = doctor::diagnose(&profile, TIMEOUTS, &|| false);
    let epsv = report.check("epsv").unwrap();
    assert_eq!(epsv.level, Level::Warn, "{report:?}");
    assert!(
        epsv.text
            .contains("ftpdeck's passive mode uses it and fails"),
        "{epsv:?}"
    );
    assert_eq!(report.check("pasv").map(|c| c.level), Some(Level::Ok));
    let data = report.check("data").expect("a verdict on data connections");
    assert_eq!(data.level, Level::Fail);
    assert!(data.text.contains("PASV works"), "{data:?}");
    assert_eq!(report.exit_status(), doctor::WARNINGS);
}
