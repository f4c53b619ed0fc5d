//! Exact p-values of the two-sample statistic by lattice-path counting,
//! ported from scipy's `_attempt_exact_2kssamp`,
//! `_compute_prob_outside_square`, `_count_paths_outside_method` and the
//! pythran kernel `_compute_outer_prob_inside_method`.

use super::Alternative;
use super::special::binom;

/// Outcome of scipy's `_attempt_exact_2kssamp`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct ExactAttempt {
    /// Whether the exact computation succeeded (otherwise scipy switches to
    /// the asymptotic method).
    pub success: bool,
    /// The statistic snapped to the lattice, `round(d * lcm) / lcm`, which
    /// scipy reports even when the exact computation then fails.
    pub d: f64,
    /// The p-value (meaningful only on success).
    pub prob: f64,
}

/// Greatest common divisor.
pub(crate) fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// `_attempt_exact_2kssamp(n1, n2, g, d, alternative)`.
pub(crate) fn attempt_exact(
    n1: u64,
    n2: u64,
    g: u64,
    d: f64,
    alternative: Alternative,
) -> ExactAttempt {
    let lcm = (n1 / g) * n2;
    let lcm_f = lcm as f64;
    let h_f = (d * lcm_f).round_ties_even();
    // 0 <= d <= 1, so 0 <= h <= lcm.
    let h = h_f as u64;
    let d = h_f / lcm_f;
    if h == 0 {
        return ExactAttempt {
            success: true,
            d,
            prob: 1.0,
        };
    }
    let prob = match alternative {
        Alternative::TwoSided => {
            if n1 == n2 {
                Some(prob_outside_square(n1, h))
            } else {
                Some(outer_prob_inside_method(n1, n2, g, h))
            }
        }
        Alternative::Less | Alternative::Greater => {
            if n1 == n2 {
                // binom(2n, n-h) / binom(2n, n), evaluated as a product.
                let nf = n1 as f64;
                let mut prob = 1.0;
                for j in 0..h {
                    let jf = j as f64;
                    prob *= (nf - jf) / (nf + jf + 1.0);
                }
                Some(prob)
            } else {
                count_paths_outside_method(n1, n2, g, h).and_then(|num_paths| {
                    let bin = binom((n1 + n2) as f64, n1 as f64);
                    // scipy: a path count above the total, or an infinite
                    // total, is a floating-point failure.
                    if num_paths > bin || !bin.is_finite() {
                        None
                    } else {
                        Some(num_paths / bin)
                    }
                })
            }
        }
    };
    match prob {
        Some(p) if (0.0..=1.0).contains(&p) => ExactAttempt {
            success: true,
            d,
            prob: p,
        },
        Some(p) => ExactAttempt {
            success: false,
            d,
            prob: p,
        },
        None => ExactAttempt {
            success: false,
            d,
            prob: f64::NAN,
        },
    }
}

/// `Pr(D_{n,n} >= h/n)`: the proportion of paths that pass outside the two
/// diagonal lines `x - y = +/-h` (Horner-like alternating sum).
pub(crate) fn prob_outside_square(n: u64, h: u64) -> f64 {
    let mut p = 0.0;
    let nf = n as f64;
    let hf = h as f64;
    // k = floor(n / h), computed in floating point as numpy does.
    let mut k = (nf / hf).floor() as i64;
    while k >= 0 {
        let kh = k as f64 * hf;
        let mut p1 = 1.0;
        for j in 0..h {
            let jf = j as f64;
            p1 = (nf - kh - jf) * p1 / (nf + kh + jf + 1.0);
        }
        p = p1 * (1.0 - p);
        k -= 1;
    }
    2.0 * p
}

/// The proportion of lattice paths from (0, 0) to (m, n) that do not stay
/// strictly inside `|x/m - y/n| < h/lcm(m, n)` (Hodges' inside method,
/// computing 1 - p directly as in Viehmann 2021).
pub(crate) fn outer_prob_inside_method(m: u64, n: u64, g: u64, h: u64) -> f64 {
    let (m, n) = if m < n { (n, m) } else { (m, n) };
    // Sample sizes are at most isize::MAX, so these fit in i64.
    let to_i = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    let (m, n, g, h) = (to_i(m), to_i(n), to_i(g), to_i(h));
    let mg = m / g;
    let ng = n / g;
    let (mgf, hf) = (mg as f64, h as f64);

    let mut minj: i64 = 0;
    let mut maxj: i64 = ((hf / mgf).ceil() as i64).min(n + 1);
    let mut curlen = maxj - minj;
    let len_a = (2 * maxj + 2).min(n + 1);
    let len_a_us = usize::try_from(len_a).unwrap_or(0);
    let mut a = vec![1.0_f64; len_a_us];
    let idx = |i: i64| usize::try_from(i).unwrap_or(usize::MAX);
    for v in a.iter_mut().take(idx(maxj)).skip(idx(minj)) {
        *v = 0.0;
    }
    for i in 1..=m {
        let lastminj = minj;
        let lastlen = curlen;
        minj = ((((ng * i - h) as f64) / mgf).floor() as i64 + 1).max(0);
        minj = minj.min(n);
        maxj = ((((ng * i + h) as f64) / mgf).ceil() as i64).min(n + 1);
        if maxj <= minj {
            return 1.0;
        }
        let fi = i as f64;
        let mut val = if minj == 0 { 0.0 } else { 1.0 };
        for jj in 0..(maxj - minj) {
            let j = jj + minj;
            let Some(&prev) = a.get(idx(jj + minj - lastminj)) else {
                return f64::NAN;
            };
            val = (prev * fi + val * j as f64) / (fi + j as f64);
            if let Some(slot) = a.get_mut(idx(jj)) {
                *slot = val;
            }
        }
        curlen = maxj - minj;
        if lastlen > curlen {
            let lo = idx(maxj - minj).min(a.len());
            let hi = idx(maxj - minj + (lastlen - curlen)).min(a.len());
            for v in &mut a[lo..hi] {
                *v = 1.0;
            }
        }
    }
    a.get(idx(maxj - minj - 1)).copied().unwrap_or(f64::NAN)
}

/// The number of lattice paths from (0, 0) to (m, n) that pass below the
/// diagonal `m*y <= n*x - h*g` somewhere (Hodges' outside method).
///
/// Returns `None` where scipy hits a floating-point overflow or invalid
/// operation (it then falls back to the asymptotic method); the first
/// non-finite intermediate stops the computation.
pub(crate) fn count_paths_outside_method(m: u64, n: u64, g: u64, h: u64) -> Option<f64> {
    let (m, n) = if m < n { (n, m) } else { (m, n) };
    let to_i = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    let (m, n, g, h) = (to_i(m), to_i(n), to_i(g), to_i(h));
    let mg = m / g;
    let ng = n / g;

    // Wherever n*x/m + ng*h crosses an integer.
    let lxj = n + (mg - h).div_euclid(mg);
    if lxj <= 0 {
        let b = binom((m + n) as f64, n as f64);
        return b.is_finite().then_some(b);
    }
    let xj: Vec<i64> = (0..lxj)
        .map(|j| (h + mg * j + ng - 1).div_euclid(ng))
        .collect();
    let lxj_us = xj.len();
    let mut b = vec![0.0_f64; lxj_us];
    b[0] = 1.0;
    for j in 1..lxj_us {
        let ji = j as i64;
        let mut bj = binom((xj[j] + ji) as f64, ji as f64);
        if !bj.is_finite() {
            return None;
        }
        for i in 0..j {
            let ii = i as i64;
            let bin = binom((xj[j] - xj[i] + ji - ii) as f64, (ji - ii) as f64);
            bj -= bin * b[i];
            if !bj.is_finite() {
                return None;
            }
        }
        b[j] = bj;
    }
    let mut num_paths = 0.0;
    for (j, &bj) in b.iter().enumerate() {
        let ji = j as i64;
        let bin = binom(((m - xj[j]) + (n - ji)) as f64, (n - ji) as f64);
        num_paths += bj * bin;
        if !num_paths.is_finite() {
            return None;
        }
    }
    Some(num_paths)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gcd_works() {
        assert_eq!(gcd(3000, 10000), 1000);
        assert_eq!(gcd(7, 5), 1);
        assert_eq!(gcd(20000, 15000), 5000);
    }

    #[test]
    fn square_small() {
        // ks_2samp([1], [2]) exact: p = 1.
        assert_eq!(prob_outside_square(1, 1), 1.0);
    }
}
