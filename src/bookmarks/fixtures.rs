//! A store with one bookmark of each kind, for the tests.

use std::path::PathBuf;

use super::{Bookmark, PasswordSource, Store};
use crate::remote::{DataMode, Profile, Secret, Security};

pub(super) fn sample() -> Store {
    let mut store = Store::default();
    let mut work = Bookmark::from_profile(
        "work \"main\" ✓",
        &Profile {
            host: "ftp.example.com".into(),
            port: 2121,
            user: "alice".into(),
            password: Some(Secret::new("hunter2-secret")),
            path: "/srv/www".into(),
            security: Security::ExplicitTls,
            data_mode: DataMode::Active,
            trust_pasv_address: true,
            pinned_cert: Some("ab".repeat(32)),
            limits: crate::transfer::limit::Limits {
                down: Some(2 << 20),
                up: Some(500 << 10),
            },
            charset: crate::remote::encoding::Charset::parse("shift_jis").unwrap_or_default(),
        },
    );
    work.local_dir = Some(PathBuf::from("/home/alice/site"));
    work.note = Some("deploys go here\nsecond line".into());
    work.password = PasswordSource::Saved;
    store.upsert(work);
    let mut cmd = Bookmark::from_profile("cmd", &Profile::anonymous("10.0.0.1", 990));
    cmd.user = "bob".into();
    cmd.security = Security::ImplicitTls;
    cmd.password = PasswordSource::Command("pass show 'ftp/bob' | head -n1".into());
    store.upsert(cmd);
    store.upsert(Bookmark::from_profile(
        "gnu",
        &Profile::anonymous("ftp.gnu.org", 21),
    ));
    let mut ask = Bookmark::from_profile("ask", &Profile::anonymous("::1", 21));
    ask.user = "carol".into();
    ask.password = PasswordSource::Ask;
    store.upsert(ask);
    store.remember(
        &Profile {
            charset: crate::remote::encoding::Charset::parse("big5").unwrap_or_default(),
            ..Profile::anonymous("ftp.tw.example", 21)
        },
        1_699_000_000,
    );
    store.remember(&Profile::anonymous("ftp.gnu.org", 21), 1_700_000_000);
    store
}
