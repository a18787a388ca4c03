//! Proptest strategies and configuration shared by the property-test suites.
#![allow(dead_code)]

use proptest::prelude::*;

/// Any character, with control characters (C0, DEL, C1), blanks and listing punctuation made
/// much more likely than a uniform pick would make them.
pub fn wild_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => any::<char>(),
        2 => prop::char::range('\0', '\u{1f}'),
        1 => prop::char::range('\u{7f}', '\u{9f}'),
        3 => prop::sample::select(vec![
            ' ', ' ', '\t', ';', '=', ':', '-', ',', '.', '/', '\\', '<', '>', '0', '1', '9', 'd',
            'r', 'w', 'x', 'l', 's', 'é', '🦀', '\u{FFFD}', '\u{202E}', '\r', '\n',
        ]),
    ]
}

/// The same cases on every run (CI must not fail by chance); `PROPTEST_RNG_SEED=<n>` explores
/// others. No regression files are written into the source tree.
pub fn config(cases: u32) -> ProptestConfig {
    let base = ProptestConfig::default();
    let rng_seed = if std::env::var_os("PROPTEST_RNG_SEED").is_some() {
        base.rng_seed
    } else {
        proptest::test_runner::RngSeed::Fixed(0x5eed_f7d3)
    };
    ProptestConfig {
        cases,
        rng_seed,
        failure_persistence: None,
        ..base
    }
}

pub fn wild_string(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(wild_char(), 0..max).prop_map(|v| v.into_iter().collect())
}
