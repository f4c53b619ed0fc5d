//! Chi-square test of homogeneity on a 2 x K table (reference row, current row).

use statrs::distribution::{ChiSquared, ContinuousCDF};

use crate::Error;

/// Result of a chi-square homogeneity test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Chi2Result {
    /// Pearson's statistic.
    pub statistic: f64,
    /// Upper-tail p-value.
    pub p_value: f64,
    /// Degrees of freedom (K - 1).
    pub dof: usize,
}

/// `scipy.stats.chi2_contingency([reference, current], correction=False)` for counts over
/// the same K categories. Categories empty in both rows are left out (their expected
/// count would be zero, which scipy rejects).
pub fn chi2_homogeneity(reference: &[f64], current: &[f64]) -> Result<Chi2Result, Error> {
    if reference.len() != current.len() {
        return Err(Error::EmptySample { which: "current" });
    }
    let cells: Vec<(f64, f64)> = reference
        .iter()
        .zip(current)
        .map(|(&a, &b)| (a, b))
        .filter(|(a, b)| a + b > 0.0)
        .collect();
    let (ra, rb): (f64, f64) = cells
        .iter()
        .fold((0.0, 0.0), |(x, y), (a, b)| (x + a, y + b));
    if ra == 0.0 {
        return Err(Error::EmptySample { which: "reference" });
    }
    if rb == 0.0 {
        return Err(Error::EmptySample { which: "current" });
    }
    let total = ra + rb;
    let dof = cells.len().saturating_sub(1);
    if dof == 0 {
        return Ok(Chi2Result {
            statistic: 0.0,
            p_value: 1.0,
            dof,
        });
    }
    let statistic: f64 = cells
        .iter()
        .map(|(a, b)| {
            let col = a + b;
            let (ea, eb) = (ra * col / total, rb * col / total);
            (a - ea).powi(2) / ea + (b - eb).powi(2) / eb
        })
        .sum();
    let p_value = ChiSquared::new(dof as f64)
        .map(|d| d.sf(statistic))
        .unwrap_or(f64::NAN);
    Ok(Chi2Result {
        statistic,
        p_value,
        dof,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_table() {
        // scipy.stats.chi2_contingency([[10, 20, 30], [20, 20, 20]], correction=False)
        let r = chi2_homogeneity(&[10.0, 20.0, 30.0], &[20.0, 20.0, 20.0]).unwrap();
        assert!(
            (r.statistic - 5.333333333333333).abs() < 1e-12,
            "{}",
            r.statistic
        );
        assert!(
            (r.p_value - 0.06948345122280154).abs() < 1e-12,
            "{}",
            r.p_value
        );
        assert_eq!(r.dof, 2);
    }

    #[test]
    fn identical_shares_give_zero() {
        let r = chi2_homogeneity(&[1.0, 2.0, 0.0], &[2.0, 4.0, 0.0]).unwrap();
        assert_eq!((r.statistic, r.dof), (0.0, 1));
        assert!((r.p_value - 1.0).abs() < 1e-15);
        assert!(chi2_homogeneity(&[0.0], &[1.0]).is_err());
    }
}
