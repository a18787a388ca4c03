//! Medians and percentiles of a handful of samples.

/// The median: the middle sample, or the mean of the two middle ones. `None` for no samples.
pub fn median(samples: &[f64]) -> Option<f64> {
    let v = sorted(samples);
    let n = v.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(v[n / 2]),
        _ => Some((v[n / 2 - 1] + v[n / 2]) / 2.0),
    }
}

/// The `p`th percentile (0–100) by the nearest-rank method: the smallest sample with at least
/// `p`% of the samples at or below it. With 200 samples, p99 is the second largest.
pub fn percentile(samples: &[f64], p: f64) -> Option<f64> {
    let v = sorted(samples);
    if v.is_empty() {
        return None;
    }
    let rank = ((p.clamp(0.0, 100.0) / 100.0) * v.len() as f64).ceil() as usize;
    Some(v[rank.clamp(1, v.len()) - 1])
}

pub fn min(samples: &[f64]) -> Option<f64> {
    sorted(samples).first().copied()
}

pub fn max(samples: &[f64]) -> Option<f64> {
    sorted(samples).last().copied()
}

fn sorted(samples: &[f64]) -> Vec<f64> {
    let mut v: Vec<f64> = samples.iter().copied().filter(|x| x.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    v
}

/// The order in which round `round` runs `n` contenders: rotated by one each round, so each
/// contender goes first, second, … equally often and drift (caches, writeback) hits all alike.
pub fn rotation(n: usize, round: usize) -> Vec<usize> {
    (0..n).map(|k| (round + k) % n.max(1)).collect()
}

pub fn tests() -> Vec<super::Case> {
    vec![
        super::case("stats: median of odd and even counts", || {
            assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
            assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
            assert_eq!(median(&[7.0]), Some(7.0));
            assert_eq!(median(&[]), None);
        }),
        super::case("stats: nearest-rank percentiles", || {
            let v: Vec<f64> = (1..=200).map(f64::from).collect();
            assert_eq!(percentile(&v, 50.0), Some(100.0));
            assert_eq!(percentile(&v, 99.0), Some(198.0));
            assert_eq!(percentile(&v, 100.0), Some(200.0));
            assert_eq!(percentile(&v, 0.0), Some(1.0));
            assert_eq!(percentile(&[5.0], 99.0), Some(5.0));
            assert_eq!(percentile(&[], 50.0), None);
            // Unsorted input, non-finite samples ignored.
            assert_eq!(percentile(&[3.0, f64::NAN, 1.0, 2.0], 50.0), Some(2.0));
        }),
        super::case("stats: min and max", || {
            assert_eq!(min(&[2.0, 0.5, 9.0]), Some(0.5));
            assert_eq!(max(&[2.0, 0.5, 9.0]), Some(9.0));
        }),
        super::case("stats: each contender leads one round in turn", || {
            assert_eq!(rotation(3, 0), vec![0, 1, 2]);
            assert_eq!(rotation(3, 1), vec![1, 2, 0]);
            assert_eq!(rotation(3, 2), vec![2, 0, 1]);
            assert_eq!(rotation(3, 3), vec![0, 1, 2]);
            assert_eq!(rotation(1, 5), vec![0]);
        }),
    ]
}
