//! Dates and times in listings: month names, clock times, the year of "Mon DD HH:MM" dates,
//! and validated civil time to unix seconds.

use super::text::num;

/// A "Mon DD HH:MM" date may lie this far in the future (clock skew, time zones) before we
/// decide it belongs to an earlier year.
const FUTURE_SLACK: i64 = 3 * 86_400;
const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

pub(super) fn month(tok: &str) -> Option<u64> {
    let pos = MONTHS.iter().position(|m| m.eq_ignore_ascii_case(tok))?;
    Some(pos as u64 + 1)
}

/// `H:MM`, `HH:MM` or `HH:MM:SS`, as raw numbers (not range-checked).
pub(super) fn hh_mm(tok: &str) -> Option<(u64, u64, u64)> {
    let mut parts = tok.splitn(3, ':');
    let h = parts.next().filter(|p| p.len() <= 2)?;
    let m = parts.next().filter(|p| p.len() == 2)?;
    let s = parts
        .next()
        .map_or(Some("0"), |p| Some(p).filter(|p| p.len() == 2))?;
    Some((num(h)?, num(m)?, num(s)?))
}

/// Pick the latest year (around `now`) that puts "Mon DD HH:MM" no more than
/// [`FUTURE_SLACK`] in the future.
pub(super) fn infer_year(now: i64, mon: u64, day: u64, h: u64, m: u64, s: u64) -> Option<i64> {
    let year = civil_year(now.div_euclid(86_400));
    let limit = now.saturating_add(FUTURE_SLACK);
    (year - 1..=year + 1)
        .rev()
        .filter_map(|y| timestamp(y, mon, day, h, m, s))
        .find(|&t| t <= limit)
}

fn is_leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

/// Validated civil date and time (UTC) → unix seconds. Years 1..=9999 only.
pub(super) fn timestamp(y: i64, mo: u64, d: u64, h: u64, mi: u64, s: u64) -> Option<i64> {
    let dim = match mo {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => return None,
    };
    if !(1..=9999).contains(&y) || !(1..=dim).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let days = days_from_civil(y, mo as i64, d as i64);
    Some(days * 86_400 + (h * 3600 + mi * 60 + s) as i64)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The year of the day `z` (days since 1970-01-01), inverse of [`days_from_civil`].
pub(super) fn civil_year(z: i64) -> i64 {
    let z = z.saturating_add(719_468);
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    yoe + era * 400 + i64::from(mp >= 10)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::remote::listing::tests::NOW_2026;

    #[test]
    fn civil_conversions() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(timestamp(2023, 1, 2, 0, 0, 0), Some(1_672_617_600));
        assert_eq!(timestamp(2000, 2, 29, 12, 0, 0), Some(951_825_600));
        assert_eq!(timestamp(1969, 7, 20, 20, 17, 0), Some(-14_182_980));
        assert_eq!(timestamp(2023, 2, 29, 0, 0, 0), None);
        assert_eq!(timestamp(2023, 13, 1, 0, 0, 0), None);
        assert_eq!(timestamp(2023, 1, 0, 0, 0, 0), None);
        assert_eq!(timestamp(99_999, 1, 1, 0, 0, 0), None);
        assert_eq!(timestamp(2023, 1, 1, 24, 0, 0), None);
        for z in [
            -800_000, -1, 0, 1, 59, 60, 365, 10_957, 19_000, 20_000, 2_000_000,
        ] {
            let y = civil_year(z);
            assert!(
                days_from_civil(y, 1, 1) <= z && z < days_from_civil(y + 1, 1, 1),
                "{z}"
            );
        }
        assert_eq!(civil_year(NOW_2026 / 86_400), 2026);
    }
}
