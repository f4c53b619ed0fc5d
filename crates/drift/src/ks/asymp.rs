//! Asymptotic p-values of the two-sample statistic, as in scipy's
//! `ks_2samp(method="asymp")`.

use super::Alternative;
use super::kolmogorov::kstwo_sf;

/// The asymptotic p-value for statistic `d` with sample sizes `n1`, `n2`.
///
/// Two-sided: `kstwo.sf(d, round(n1*n2/(n1+n2)))`. One-sided: Hodges'
/// approximation (his Eqn 5.3), which needs `m` to be the larger sample size.
pub(crate) fn asymp_pvalue(n1: u64, n2: u64, d: f64, alternative: Alternative) -> f64 {
    let (a, b) = (n1 as f64, n2 as f64);
    let (m, n) = if a >= b { (a, b) } else { (b, a) };
    let en = m * n / (m + n);
    match alternative {
        Alternative::TwoSided => kstwo_sf(d, en.round_ties_even()),
        Alternative::Less | Alternative::Greater => {
            let z = en.sqrt() * d;
            let expt = -2.0 * (z * z) - 2.0 * z * (m + 2.0 * n) / (m * n * (m + n)).sqrt() / 3.0;
            expt.exp()
        }
    }
}
