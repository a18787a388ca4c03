//! Property tests for the parsers of text people type: permissions.

mod strategies;

use ftpdeck::remote::fileops::parse_mode;
use proptest::prelude::*;
use strategies::{config, wild_string};

/// Strings near the shapes parse_mode accepts (9 or 10 characters, octal digits, rwx-),
/// with wild characters mixed in so the length checks meet multibyte text.
fn mode_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        3 => prop::sample::select(vec!['r', 'w', 'x', '-', '0', '7', 's', 't']),
        1 => strategies::wild_char(),
    ];
    prop::collection::vec(piece, 0..12).prop_map(|v| v.into_iter().collect())
}

proptest! {
    #![proptest_config(config(2048))]

    #[test]
    fn parse_mode_never_panics_and_stays_in_range(s in prop_oneof![wild_string(40), mode_like(), any::<String>()]) {
        if let Ok(mode) = parse_mode(&s) {
            prop_assert!(mode <= 0o7777, "{s:?} -> {mode:o}");
        }
    }

    #[test]
    fn rwx_form_round_trips(mode in 0u32..0o1000) {
        let text: String = (0..9)
            .map(|i| if mode & (1 << (8 - i)) != 0 { ['r', 'w', 'x'][i % 3] } else { '-' })
            .collect();
        prop_assert_eq!(parse_mode(&text), Ok(mode));
        prop_assert_eq!(parse_mode(&format!("-{text}")), Ok(mode));
        prop_assert_eq!(parse_mode(&format!("{mode:o}")), Ok(mode));
    }
}
