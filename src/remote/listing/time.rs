//! Dates and times in listings: month names, clock times, the year of "Mon DD HH:MM" dates,
//! and validated civil time to unix seconds.

use chrono::{DateTime, Datelike, Month, NaiveDate, NaiveTime};

use super::text::num;

/// A "Mon DD HH:MM" date may lie this far in the future (clock skew, time zones) before we
/// decide it belongs to an earlier year.
const FUTURE_SLACK: i64 = 3 * 86_400;

/// "Jan" .. "Dec", any case, as 1..=12.
pub(super) fn month(tok: &str) -> Option<u64> {
    // chrono also takes the long names ("January"), which `ls` never writes.
    if tok.len() != 3 {
        return None;
    }
    let month: Month = tok.parse().ok()?;
    Some(u64::from(month.number_from_month()))
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
    // A `now` beyond chrono's range (some 262,000 years) is far outside 1..=9999 anyway.
    let year = year_of(now)?;
    let limit = now.saturating_add(FUTURE_SLACK);
    (year - 1..=year + 1)
        .rev()
        .filter_map(|y| timestamp(y, mon, day, h, m, s))
        .find(|&t| t <= limit)
}

/// The year (UTC) of unix time `t`.
pub(super) fn year_of(t: i64) -> Option<i64> {
    DateTime::from_timestamp(t, 0).map(|d| i64::from(d.year()))
}

/// Validated civil date and time (UTC) → unix seconds. Years 1..=9999 only. Second 60 (a leap
/// second) is accepted and counts as the first second of the next minute, as in unix time.
pub(super) fn timestamp(y: i64, mo: u64, d: u64, h: u64, mi: u64, s: u64) -> Option<i64> {
    if !(1..=9999).contains(&y) || s > 60 {
        return None;
    }
    let small = |v: u64| u32::try_from(v).ok();
    let date = NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, small(mo)?, small(d)?)?;
    // chrono keeps a leap second as second 59 plus extra nanoseconds, which `timestamp` drops:
    // take second 59 and add the leap second back.
    let time = NaiveTime::from_hms_opt(small(h)?, small(mi)?, small(s.min(59))?)?;
    Some(date.and_time(time).and_utc().timestamp() + i64::from(s == 60))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::remote::listing::tests::NOW_2026;

    /// Midnight (UTC) at the start of a valid date.
    fn day(y: i64, mo: u64, d: u64) -> i64 {
        timestamp(y, mo, d, 0, 0, 0).unwrap()
    }

    #[test]
    fn civil_conversions() {
        assert_eq!(timestamp(1970, 1, 1, 0, 0, 0), Some(0));
        assert_eq!(timestamp(2023, 1, 2, 0, 0, 0), Some(1_672_617_600));
        assert_eq!(timestamp(2000, 2, 29, 12, 0, 0), Some(951_825_600));
        assert_eq!(timestamp(1969, 7, 20, 20, 17, 0), Some(-14_182_980));
        assert_eq!(timestamp(1, 1, 1, 0, 0, 0), Some(-62_135_596_800));
        assert_eq!(timestamp(9999, 12, 31, 23, 59, 59), Some(253_402_300_799));
        assert_eq!(timestamp(2023, 2, 29, 0, 0, 0), None);
        assert_eq!(timestamp(2023, 13, 1, 0, 0, 0), None);
        assert_eq!(timestamp(2023, 1, 0, 0, 0, 0), None);
        assert_eq!(timestamp(99_999, 1, 1, 0, 0, 0), None);
        assert_eq!(timestamp(2023, 1, 1, 24, 0, 0), None);
        for (t, y) in [
            (-62_135_596_800, 1),
            (-86_401, 1969),
            (-1, 1969),
            (0, 1970),
            (946_684_799, 1999),
            (946_684_800, 2000),
            (NOW_2026, 2026),
            (253_402_300_799, 9999),
            (253_402_300_800, 10_000),
        ] {
            assert_eq!(year_of(t), Some(y), "{t}");
        }
        assert_eq!(year_of(i64::MAX), None);
        assert_eq!(year_of(i64::MIN), None);
    }

    #[test]
    fn feb_29_only_in_leap_years() {
        assert_eq!(timestamp(2024, 2, 29, 0, 0, 0), Some(1_709_164_800));
        assert_eq!(day(2024, 3, 1) - day(2024, 2, 28), 2 * 86_400);
        assert_eq!(day(2023, 3, 1) - day(2023, 2, 28), 86_400);
        assert!(
            timestamp(2000, 2, 29, 0, 0, 0).is_some(),
            "divisible by 400"
        );
        assert!(timestamp(2400, 2, 29, 0, 0, 0).is_some());
        assert_eq!(timestamp(1900, 2, 29, 0, 0, 0), None, "divisible by 100");
        assert_eq!(timestamp(2100, 2, 29, 0, 0, 0), None);
        assert_eq!(timestamp(2023, 2, 29, 0, 0, 0), None);
        assert_eq!(timestamp(2024, 2, 30, 0, 0, 0), None);
    }

    #[test]
    fn invalid_dates_and_times_are_rejected() {
        let big = 1u64 << 32;
        for (y, mo, d) in [
            (2023, 4, 31),
            (2023, 6, 31),
            (2023, 9, 31),
            (2023, 11, 31),
            (2023, 1, 32),
            (2023, 12, 32),
            (2023, 0, 1),
            (2023, 13, 1),
            (2023, 1, 0),
            (2023, u64::MAX, 1),
            (2023, 1, u64::MAX),
            (2023, big + 1, 1),
            (2023, 1, big + 1),
            (0, 1, 1),
            (-1, 1, 1),
            (10_000, 1, 1),
            (i64::MIN, 1, 1),
            (i64::MAX, 1, 1),
            (i64::from(i32::MAX) + 2024, 1, 1),
        ] {
            assert_eq!(timestamp(y, mo, d, 0, 0, 0), None, "{y}-{mo}-{d}");
        }
        for (h, mi, s) in [
            (24, 0, 0),
            (0, 60, 0),
            (0, 0, 61),
            (u64::MAX, 0, 0),
            (0, u64::MAX, 0),
            (0, 0, u64::MAX),
            (big, 0, 0),
            (0, big + 1, 0),
        ] {
            assert_eq!(timestamp(2023, 1, 1, h, mi, s), None, "{h}:{mi}:{s}");
        }
    }

    #[test]
    fn a_leap_second_is_the_next_minute() {
        assert_eq!(timestamp(2016, 12, 31, 23, 59, 60), Some(day(2017, 1, 1)));
        assert_eq!(
            timestamp(2024, 1, 2, 3, 4, 60),
            timestamp(2024, 1, 2, 3, 5, 0)
        );
        assert_eq!(timestamp(9999, 12, 31, 23, 59, 60), Some(253_402_300_800));
    }

    #[test]
    fn month_names() {
        let names = [
            "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
        ];
        for (k, name) in (1..).zip(names) {
            assert_eq!(month(name), Some(k));
            assert_eq!(month(&name.to_uppercase()), Some(k));
            assert_eq!(month(&(name[..1].to_uppercase() + &name[1..])), Some(k));
        }
        for bad in [
            "",
            "j",
            "ja",
            "janu",
            "January",
            "JUNE",
            "Sept",
            "september",
            "mai",
            "Jan ",
            " Jan",
            "ján",
            "j\u{430}n",
            "1",
        ] {
            assert_eq!(month(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn the_year_of_a_date_without_one() {
        // Dec 31 seen on Jan 2 is last year's.
        let at = infer_year(day(2025, 1, 2), 12, 31, 23, 0, 0);
        assert_eq!(at, timestamp(2024, 12, 31, 23, 0, 0));
        // Jan 1 seen on Dec 30 lies within the slack: next year's...
        let at = infer_year(day(2024, 12, 30), 1, 1, 10, 0, 0);
        assert_eq!(at, timestamp(2025, 1, 1, 10, 0, 0));
        // ...but Jan 3 10:00 is more than three days ahead: this year's.
        let at = infer_year(day(2024, 12, 30), 1, 3, 10, 0, 0);
        assert_eq!(at, timestamp(2024, 1, 3, 10, 0, 0));
        // The limit is inclusive, to the second.
        let now = timestamp(2024, 12, 29, 10, 0, 0).unwrap();
        assert_eq!(
            infer_year(now, 1, 1, 10, 0, 0),
            timestamp(2025, 1, 1, 10, 0, 0)
        );
        assert_eq!(
            infer_year(now + 1, 1, 1, 10, 0, 1),
            timestamp(2025, 1, 1, 10, 0, 1)
        );
        assert_eq!(
            infer_year(now, 1, 1, 10, 0, 1),
            timestamp(2024, 1, 1, 10, 0, 1)
        );
        // Today, and a few hours ahead (clock skew), are this year's.
        let now = timestamp(2024, 6, 15, 12, 0, 0).unwrap();
        assert_eq!(infer_year(now, 6, 15, 12, 0, 0), Some(now));
        assert_eq!(
            infer_year(now, 6, 15, 18, 0, 0),
            timestamp(2024, 6, 15, 18, 0, 0)
        );
        // Near the ends of the range.
        let at = infer_year(day(9999, 12, 31), 1, 1, 0, 0, 0);
        assert_eq!(
            at,
            timestamp(9999, 1, 1, 0, 0, 0),
            "year 10000 is out of range"
        );
        assert_eq!(infer_year(day(1, 6, 1), 12, 31, 0, 0, 0), None, "year 0 is");
    }

    #[test]
    fn feb_29_without_a_year() {
        // In a leap year, this year's.
        let at = infer_year(day(2024, 6, 1), 2, 29, 12, 0, 0);
        assert_eq!(at, timestamp(2024, 2, 29, 12, 0, 0));
        // The year after, last year's.
        let at = infer_year(day(2025, 1, 10), 2, 29, 12, 0, 0);
        assert_eq!(at, timestamp(2024, 2, 29, 12, 0, 0));
        // Just before it, within the slack: the coming one.
        let at = infer_year(day(2028, 2, 27), 2, 29, 12, 0, 0);
        assert_eq!(at, timestamp(2028, 2, 29, 12, 0, 0));
        // Only the year before, this one and the next are tried: two years after a leap year
        // the date has no time (rather than one from years back).
        assert_eq!(infer_year(day(2026, 6, 1), 2, 29, 12, 0, 0), None);
        assert_eq!(infer_year(day(2027, 1, 1), 2, 29, 12, 0, 0), None);
    }

    #[test]
    fn impossible_dates_without_a_year_have_no_time() {
        let now = NOW_2026;
        for (mo, d, h, mi, s) in [
            (2, 30, 0, 0, 0),
            (4, 31, 0, 0, 0),
            (13, 1, 0, 0, 0),
            (0, 1, 0, 0, 0),
            (1, 0, 0, 0, 0),
            (1, 1, 24, 0, 0),
            (1, 1, 0, 60, 0),
            (1, 1, 0, 0, 61),
            (u64::MAX, u64::MAX, u64::MAX, u64::MAX, u64::MAX),
        ] {
            assert_eq!(
                infer_year(now, mo, d, h, mi, s),
                None,
                "{mo} {d} {h}:{mi}:{s}"
            );
        }
        for now in [i64::MIN, i64::MIN + 1, -1, 0, 1, i64::MAX - 1, i64::MAX] {
            let _ = infer_year(now, 12, 31, 23, 59, 60);
            let _ = infer_year(now, 2, 29, 0, 0, 0);
        }
        assert_eq!(infer_year(i64::MAX, 1, 1, 0, 0, 0), None);
        assert_eq!(infer_year(i64::MIN, 1, 1, 0, 0, 0), None);
        assert_eq!(
            infer_year(0, 12, 31, 23, 0, 0),
            timestamp(1969, 12, 31, 23, 0, 0)
        );
    }
}
