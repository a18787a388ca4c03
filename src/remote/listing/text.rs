//! Small lexing helpers shared by the line parsers.

pub(super) fn trim_eol(line: &str) -> &str {
    let line = line.strip_suffix('\n').unwrap_or(line);
    line.strip_suffix('\r').unwrap_or(line)
}

pub(super) fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.as_bytes().get(..prefix.len())?;
    // An ASCII prefix that matches ends on a char boundary, so the slice below is safe.
    head.eq_ignore_ascii_case(prefix.as_bytes())
        .then(|| &s[prefix.len()..])
}

/// Byte ranges of the first `N` blank-separated tokens (blank = space or tab, both ASCII, so
/// every range starts and ends on a char boundary), and how many were found.
pub(super) fn tokens<const N: usize>(s: &str) -> ([(usize, usize); N], usize) {
    let b = s.as_bytes();
    let mut out = [(0, 0); N];
    let (mut n, mut i) = (0, 0);
    while n < N {
        while i < b.len() && matches!(b[i], b' ' | b'\t') {
            i += 1;
        }
        if i == b.len() {
            break;
        }
        let start = i;
        while i < b.len() && !matches!(b[i], b' ' | b'\t') {
            i += 1;
        }
        out[n] = (start, i);
        n += 1;
    }
    (out, n)
}

/// "a-b-c" split on an ASCII separator into three non-empty all-digit parts.
pub(super) fn split3(s: &str, sep: u8) -> Option<(&str, &str, &str)> {
    let mut it = s.split(char::from(sep));
    let parts = (it.next()?, it.next()?, it.next()?);
    let ok = it.next().is_none() && [parts.0, parts.1, parts.2].iter().all(|p| is_num(p));
    ok.then_some(parts)
}

pub(super) fn is_num(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// A non-empty all-digit string as u64; None on anything else or on overflow.
pub(super) fn num(s: &str) -> Option<u64> {
    if !is_num(s) {
        return None;
    }
    s.bytes().try_fold(0u64, |a, c| {
        a.checked_mul(10)?.checked_add(u64::from(c - b'0'))
    })
}

/// Like [`num`] for strings already known to be digits, saturating (absurd values then fail
/// the range checks of [`timestamp`](super::time::timestamp)).
pub(super) fn num_sat_u(s: &str) -> u64 {
    num(s).unwrap_or(u64::MAX)
}

pub(super) fn num_sat(s: &str) -> i64 {
    i64::try_from(num_sat_u(s)).unwrap_or(i64::MAX)
}
