//! The finite-n two-sided one-sample Kolmogorov-Smirnov distribution,
//! `scipy.stats.kstwo`, ported from scipy's `scipy/stats/_ksstats.py`
//! (`kolmogn`: Simard and L'Ecuyer's choice between the Durbin matrix,
//! Pomeranz recursion, Pelz-Good approximation and `2 * smirnov`).

use std::f64::consts::PI;

use super::smirnov::{ldexp, smirnov};

const E128: i32 = 128;
/// 2^128.
const EP128: f64 = 3.402_823_669_209_385e38;
/// 2^-128.
const EM128: f64 = 2.938_735_877_055_719e-39;
const MIN_LOG: f64 = -708.0;

/// Stirling coefficients `B_{2j}/(2j)/(2j-1)` for j = 8, ..., 1.
#[allow(clippy::excessive_precision)]
const STIRLING_COEFFS: [f64; 8] = [
    -2.955065359477124183e-2,
    6.4102564102564102564e-3,
    -1.9175269175269175269e-3,
    8.4175084175084175084e-4,
    -5.952380952380952381e-4,
    7.9365079365079365079e-4,
    -2.7777777777777777778e-3,
    8.3333333333333333333e-2,
];

fn clip_prob(p: f64) -> f64 {
    // Like np.clip, f64::clamp keeps NaN.
    p.clamp(0.0, 1.0)
}

fn select_and_clip(cdfprob: f64, sfprob: f64, cdf: bool) -> f64 {
    clip_prob(if cdf { cdfprob } else { sfprob })
}

/// `log(n! / n**n)` by Stirling's approximation.
fn log_nfactorial_div_n_pow_n(n: f64) -> f64 {
    let rn = 1.0 / n;
    let log_2pi = (2.0 * PI).ln();
    n.ln() / 2.0 - n + log_2pi / 2.0 + rn * super::special::polevl(rn / n, &STIRLING_COEFFS)
}

/// Dense row-major square matrix product `a * b` (size `m`).
fn matmul(a: &[f64], b: &[f64], m: usize) -> Vec<f64> {
    let mut c = vec![0.0; m * m];
    for i in 0..m {
        let crow = &mut c[i * m..(i + 1) * m];
        for k in 0..m {
            let aik = a[i * m + k];
            if aik == 0.0 {
                continue;
            }
            let brow = &b[k * m..(k + 1) * m];
            for (cij, bkj) in crow.iter_mut().zip(brow) {
                *cij += aik * bkj;
            }
        }
    }
    c
}

/// `Pr(D_n <= d)` (or the SF) by the Marsaglia-Tsang-Wang form of Durbin's
/// matrix algorithm.
fn kolmogn_dmtw(n: u64, d: f64, cdf: bool) -> f64 {
    if d >= 1.0 {
        return select_and_clip(1.0, 0.0, cdf);
    }
    let nf = n as f64;
    let nd = nf * d;
    if nd <= 0.5 {
        return select_and_clip(0.0, 1.0, cdf);
    }
    let kf = nd.ceil();
    // 0.5 < nd < n, so k is a small positive integer.
    let k = kf as usize;
    let h = kf - nd;
    let m = 2 * k - 1;

    let mut v: Vec<f64> = (1..=m).map(|j| 1.0 - h.powf(j as f64)).collect();
    let mut w = vec![0.0; m];
    let mut fac = 1.0;
    for j in 1..=m {
        w[j - 1] = fac;
        fac /= j as f64;
        v[j - 1] *= fac;
    }
    let tt = (2.0 * h - 1.0).max(0.0).powf(m as f64) - 2.0 * h.powf(m as f64);
    v[m - 1] = (1.0 + tt) * fac;

    let mut hm = vec![0.0; m * m];
    for i in 1..m {
        for r in (i - 1)..m {
            hm[r * m + i] = w[r - (i - 1)];
        }
    }
    for r in 0..m {
        hm[r * m] = v[r];
    }
    for c in 0..m {
        hm[(m - 1) * m + c] = v[m - 1 - c];
    }

    let mut hpwr = vec![0.0; m * m];
    for i in 0..m {
        hpwr[i * m + i] = 1.0;
    }
    let mut nn = n;
    let mut expnt: i32 = 0;
    let mut hexpnt: i32 = 0;
    while nn > 0 {
        if nn % 2 == 1 {
            hpwr = matmul(&hpwr, &hm, m);
            expnt += hexpnt;
        }
        hm = matmul(&hm, &hm, m);
        hexpnt *= 2;
        if hm[(k - 1) * m + (k - 1)].abs() > EP128 {
            for x in &mut hm {
                *x /= EP128;
            }
            hexpnt += E128;
        }
        nn /= 2;
    }
    let mut p = hpwr[(k - 1) * m + (k - 1)];
    for i in 1..=n {
        p = (i as f64) * p / nf;
        if p.abs() < EM128 {
            p *= EP128;
            expnt -= E128;
        }
    }
    if expnt != 0 {
        p = ldexp(p, expnt);
    }
    select_and_clip(p, 1.0 - p, cdf)
}

/// Python's `a[start:stop]` bounds for a sequence of length `len`.
fn py_slice(len: usize, start: i64, stop: i64) -> (usize, usize) {
    let len_i = i64::try_from(len).unwrap_or(i64::MAX);
    let norm = |i: i64| -> usize {
        let j = if i < 0 {
            (i + len_i).max(0)
        } else {
            i.min(len_i)
        };
        usize::try_from(j).unwrap_or(0)
    };
    let (a, b) = (norm(start), norm(stop));
    (a, b.max(a))
}

/// Full discrete convolution (`np.convolve(a, v)`).
fn convolve(a: &[f64], v: &[f64]) -> Vec<f64> {
    if a.is_empty() || v.is_empty() {
        return Vec::new();
    }
    let mut out = vec![0.0; a.len() + v.len() - 1];
    for (i, ai) in a.iter().enumerate() {
        for (j, vj) in v.iter().enumerate() {
            out[i + j] += ai * vj;
        }
    }
    out
}

fn pomeranz_j1j2(i: i64, n: i64, ll: i64, ceilf: i64, roundf: i64) -> (i64, i64) {
    let (j1, j2) = if i == 0 {
        (-ll - ceilf - 1, ll + ceilf - 1)
    } else {
        let (ip1div2, ip1mod2) = ((i + 1).div_euclid(2), (i + 1).rem_euclid(2));
        if ip1mod2 == 0 {
            if ip1div2 == n + 1 {
                (n - ll - ceilf - 1, n + ll + ceilf - 1)
            } else {
                (ip1div2 - 1 - ll - roundf - 1, ip1div2 + ll - 1 + ceilf - 1)
            }
        } else {
            (ip1div2 - 1 - ll - 1, ip1div2 + ll + roundf - 1)
        }
    };
    ((j1 + 2).max(0), j2.min(n))
}

/// `Pr(D_n <= x)` (or the SF) by the Pomeranz recursion.
fn kolmogn_pomeranz(n: u64, x: f64, cdf: bool) -> f64 {
    let nf = n as f64;
    let ni = i64::try_from(n).unwrap_or(i64::MAX);
    let t = nf * x;
    let llf = t.floor();
    let ll = llf as i64;
    let f = t - llf;
    let g = f.min(1.0 - f);
    let ceilf = i64::from(f > 0.0);
    let roundf = i64::from(f > 0.5);
    let npwrs = usize::try_from(2 * (ll + 1)).unwrap_or(0);
    let mut gpower = vec![0.0; npwrs];
    let mut twogpower = vec![0.0; npwrs];
    let mut onem2gpower = vec![0.0; npwrs];
    if npwrs > 0 {
        gpower[0] = 1.0;
        twogpower[0] = 1.0;
        onem2gpower[0] = 1.0;
    }
    let mut expnt: i32 = 0;
    let (g_over_n, two_g_over_n, one_minus_two_g_over_n) =
        (g / nf, 2.0 * g / nf, (1.0 - 2.0 * g) / nf);
    for m in 1..npwrs {
        let mf = m as f64;
        gpower[m] = gpower[m - 1] * g_over_n / mf;
        twogpower[m] = twogpower[m - 1] * two_g_over_n / mf;
        onem2gpower[m] = onem2gpower[m - 1] * one_minus_two_g_over_n / mf;
    }

    let mut v0 = vec![0.0; npwrs];
    let mut v1 = vec![0.0; npwrs];
    if npwrs > 0 {
        v1[0] = 1.0;
    }
    let (mut v0s, mut v1s) = (0_i64, 0_i64);
    let (mut j1, mut _j2) = pomeranz_j1j2(0, ni, ll, ceilf, roundf);
    for i in 1..(2 * ni + 2) {
        let k1 = j1;
        std::mem::swap(&mut v0, &mut v1);
        std::mem::swap(&mut v0s, &mut v1s);
        v1.fill(0.0);
        let (nj1, j2) = pomeranz_j1j2(i, ni, ll, ceilf, roundf);
        j1 = nj1;
        _j2 = j2;
        let pwrs = if i == 1 || i == 2 * ni + 1 {
            &gpower
        } else if i % 2 == 1 {
            &twogpower
        } else {
            &onem2gpower
        };
        let ln2 = j2 - k1 + 1;
        if ln2 > 0 {
            let (a0, a1) = py_slice(v0.len(), k1 - v0s, k1 - v0s + ln2);
            let (p0, p1) = py_slice(pwrs.len(), 0, ln2);
            let conv = convolve(&v0[a0..a1], &pwrs[p0..p1]);
            let conv_start = j1 - k1;
            let conv_len = j2 - j1 + 1;
            let (c0, c1) = py_slice(conv.len(), conv_start, conv_start + conv_len);
            let (d0, d1) = py_slice(v1.len(), 0, conv_len);
            let cnt = (c1 - c0).min(d1 - d0);
            v1[d0..d0 + cnt].copy_from_slice(&conv[c0..c0 + cnt]);
            let vmax = v1.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            if 0.0 < vmax && vmax < EM128 {
                for x in &mut v1 {
                    *x *= EP128;
                }
                expnt -= E128;
            }
            v1s = v0s + j1 - k1;
        }
    }
    let idx = ni - v1s;
    let (i0, i1) = py_slice(v1.len(), idx, idx + 1);
    let mut ans = if i1 > i0 { v1[i0] } else { f64::NAN };
    for m in 1..=n {
        if ans.abs() > EP128 {
            ans *= EM128;
            expnt += E128;
        }
        ans *= m as f64;
    }
    if expnt != 0 {
        ans = ldexp(ans, expnt);
    }
    select_and_clip(ans, 1.0 - ans, cdf)
}

/// Pelz-Good approximation to `Pr(D_n <= x)` (or the SF).
fn kolmogn_pelz_good(n: u64, x: f64, cdf: bool) -> f64 {
    if x <= 0.0 {
        return select_and_clip(0.0, 1.0, cdf);
    }
    if x >= 1.0 {
        return select_and_clip(1.0, 0.0, cdf);
    }
    let nf = n as f64;
    let pi2 = PI * PI;
    let pi4 = PI.powf(4.0);
    let pi6 = PI.powf(6.0);
    let sqrt2pi = (2.0 * PI).sqrt();
    let sqrt3 = 3.0_f64.sqrt();

    let z = nf.sqrt() * x;
    let (zsquared, zthree, zfour, zsix) = (z.powf(2.0), z.powf(3.0), z.powf(4.0), z.powf(6.0));

    let qlog = -pi2 / 8.0 / zsquared;
    if qlog < MIN_LOG {
        return select_and_clip(0.0, 1.0, cdf);
    }
    let q = qlog.exp();

    let k1a = -zsquared;
    let k1b = pi2 / 4.0;

    let k2a = 6.0 * zsix + 2.0 * zfour;
    let k2b = (2.0 * zfour - 5.0 * zsquared) * pi2 / 4.0;
    let k2c = pi4 * (1.0 - 2.0 * zsquared) / 16.0;

    let k3d = pi6 * (5.0 - 30.0 * zsquared) / 64.0;
    let k3c = pi4 * (-60.0 * zsquared + 212.0 * zfour) / 16.0;
    let k3b = pi2 * (135.0 * zfour - 96.0 * zsix) / 4.0;
    let k3a = -30.0 * zsix - 90.0 * z.powf(8.0);

    let mut kk = [0.0_f64; 4];
    // 0.04 < z and x < 1, so maxk is a small positive integer.
    let maxk = (16.0 * z / PI).ceil() as i64;
    for k in (1..=maxk).rev() {
        let m = 2 * k - 1;
        let msquared = (m * m) as f64;
        let mfour = (m * m * m * m) as f64;
        let msix = (m * m * m * m * m * m) as f64;
        let qpower = q.powf((8 * k) as f64);
        let coeffs = [
            1.0,
            k1a + k1b * msquared,
            k2a + k2b * msquared + k2c * mfour,
            k3a + k3b * msquared + k3c * mfour + k3d * msix,
        ];
        for (kv, c) in kk.iter_mut().zip(coeffs) {
            *kv *= qpower;
            *kv += c;
        }
    }
    let divs = [z, 6.0 * zfour, 72.0 * z.powf(7.0), 6480.0 * z.powf(10.0)];
    for (kv, dv) in kk.iter_mut().zip(divs) {
        *kv *= q;
        *kv *= sqrt2pi;
        *kv /= dv;
    }

    let q = (-pi2 / 2.0 / zsquared).exp();
    let sqrt3z = sqrt3 * z;
    let mut k2sum = 0.0;
    let mut k3sum = 0.0;
    for k in (1..=maxk).rev() {
        let ksquared = (k * k) as f64;
        let kspi = PI * k as f64;
        let qp = q.powf(ksquared);
        k2sum += ksquared * qp;
        k3sum += (sqrt3z + kspi) * (sqrt3z - kspi) * ksquared * qp;
    }
    let k2extra = k2sum * (pi2 * sqrt2pi / (-36.0 * zthree));
    kk[2] += k2extra;
    let k3extra = k3sum * (pi2 * sqrt2pi / (216.0 * zsix));
    kk[3] += k3extra;
    for (i, kv) in kk.iter_mut().enumerate() {
        *kv /= nf.powf(i as f64 / 2.0);
    }
    if !cdf {
        for kv in &mut kk {
            *kv *= -1.0;
        }
        kk[0] += 1.0;
    }
    0.0 + kk[0] + kk[1] + kk[2] + kk[3]
}

/// `kolmogn(n, x, cdf)`: the CDF (or SF) of the two-sided one-sample
/// Kolmogorov-Smirnov statistic `D_n` (Simard & L'Ecuyer 2011).
pub(crate) fn kolmogn(n: u64, x: f64, cdf: bool) -> f64 {
    if n == 0 || x.is_nan() {
        return f64::NAN;
    }
    if x >= 1.0 {
        return select_and_clip(1.0, 0.0, cdf);
    }
    if x <= 0.0 {
        return select_and_clip(0.0, 1.0, cdf);
    }
    let nf = n as f64;
    let t = nf * x;
    if t <= 1.0 {
        // Ruben-Gambino: 1/2n <= x <= 1/n
        if t <= 0.5 {
            return select_and_clip(0.0, 1.0, cdf);
        }
        let prob = if n <= 140 {
            let mut p = 1.0;
            for i in 1..=n {
                p *= (i as f64) * (1.0 / nf) * (2.0 * t - 1.0);
            }
            p
        } else {
            (log_nfactorial_div_n_pow_n(nf) + nf * (2.0 * t - 1.0).ln()).exp()
        };
        return select_and_clip(prob, 1.0 - prob, cdf);
    }
    if t >= nf - 1.0 {
        // Ruben-Gambino
        let prob = 2.0 * (1.0 - x).powf(nf);
        return select_and_clip(1.0 - prob, prob, cdf);
    }
    let ni = i64::try_from(n).unwrap_or(i64::MAX);
    if x >= 0.5 {
        // Exact: 2 * smirnov
        let prob = 2.0 * smirnov(ni, x);
        return select_and_clip(1.0 - prob, prob, cdf);
    }

    let nxsquared = t * x;
    if n <= 140 {
        if nxsquared <= 0.754693 {
            let prob = kolmogn_dmtw(n, x, true);
            return select_and_clip(prob, 1.0 - prob, cdf);
        }
        if nxsquared <= 4.0 {
            let prob = kolmogn_pomeranz(n, x, true);
            return select_and_clip(prob, 1.0 - prob, cdf);
        }
        // Miller approximation of 2*smirnov
        let prob = 2.0 * smirnov(ni, x);
        return select_and_clip(1.0 - prob, prob, cdf);
    }

    // The CDF and SF have different cutoffs on nxsquared.
    if !cdf {
        if nxsquared >= 370.0 {
            return 0.0;
        }
        if nxsquared >= 2.2 {
            let prob = 2.0 * smirnov(ni, x);
            return clip_prob(prob);
        }
        // Fall through and compute the SF as 1.0 - CDF.
    }
    let cdfprob = if nxsquared >= 18.0 {
        1.0
    } else if n <= 100_000 && nf * x.powf(1.5) <= 1.4 {
        kolmogn_dmtw(n, x, true)
    } else {
        kolmogn_pelz_good(n, x, true)
    };
    select_and_clip(cdfprob, 1.0 - cdfprob, cdf)
}

/// `scipy.stats.kstwo.sf(d, n)` for a float `n` (as scipy's `ks_2samp`
/// passes `np.round(en)`): NaN unless `n` is a positive integer, 1 at or
/// below the support's lower end `0.5/n`, 0 at or above 1.
pub(crate) fn kstwo_sf(d: f64, n: f64) -> f64 {
    if d.is_nan() || n.is_nan() || !(n >= 1.0 && n == n.round_ties_even()) || n.is_infinite() {
        return f64::NAN;
    }
    let lower = 0.5 / n;
    if d <= lower {
        return 1.0;
    }
    if d >= 1.0 {
        return 0.0;
    }
    // n is a positive integer below 2^64 here (n >= 1, finite).
    kolmogn(n as u64, d, false)
}

/// `scipy.stats.kstwo.cdf(d, n)` for a float `n`: NaN unless `n` is a
/// positive integer, 0 at or below `0.5/n`, 1 at or above 1.
pub(crate) fn kstwo_cdf(d: f64, n: f64) -> f64 {
    if d.is_nan() || n.is_nan() || !(n >= 1.0 && n == n.round_ties_even()) || n.is_infinite() {
        return f64::NAN;
    }
    if d <= 0.5 / n {
        return 0.0;
    }
    if d >= 1.0 {
        return 1.0;
    }
    kolmogn(n as u64, d, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(got: f64, want: f64) -> bool {
        (got - want).abs() <= (1e-12 * want.abs()).max(1e-300)
    }

    #[test]
    fn kstwo_matches_scipy_in_every_regime() {
        // (regime, n, x, scipy.stats.kstwo.sf(x, n), .cdf(x, n)), scipy 1.17.1.
        let cases: &[(&str, u32, f64, f64, f64)] = &[
            ("ruben-gambino low", 50, 0.015, 1.0, 3.041409320171343e-36),
            ("ruben-gambino low n>140", 1000, 0.0007, 1.0, 0.0),
            (
                "ruben-gambino high",
                10,
                0.95,
                1.9531250000000172e-13,
                0.9999999999998047,
            ),
            (
                "x >= 0.5 (2*smirnov)",
                30,
                0.6,
                7.392006292214292e-11,
                0.9999999999260799,
            ),
            (
                "dmtw n<=140",
                100,
                0.05,
                0.9532159710635725,
                0.0467840289364275,
            ),
            (
                "pomeranz",
                100,
                0.15,
                0.019839242125643017,
                0.980160757874357,
            ),
            (
                "pomeranz 2",
                37,
                0.3,
                0.0018926051289456236,
                0.9981073948710544,
            ),
            (
                "2*smirnov n<=140",
                120,
                0.25,
                4.283039195002836e-07,
                0.9999995716960804,
            ),
            (
                "dmtw n>140",
                10000,
                0.003,
                0.9999892575789189,
                1.0742421081074768e-05,
            ),
            (
                "pelz-good",
                10000,
                0.0125,
                0.08713399697832902,
                0.912866003021671,
            ),
            (
                "pelz-good n>1e5",
                500000,
                0.0015,
                0.21034190155828947,
                0.7896580984417105,
            ),
            (
                "smirnov sf n>140",
                2308,
                0.04,
                0.0012052741360393188,
                0.9987947258812511,
            ),
            (
                "smirnov sf long sum",
                500000,
                0.004,
                2.2445978493851467e-07,
                0.9999997755402149,
            ),
            ("sf zero nx^2>=370", 100000, 0.07, 0.0, 1.0),
        ];
        for &(name, n, x, sf, cdf) in cases {
            let n = f64::from(n);
            let (gs, gc) = (kstwo_sf(x, n), kstwo_cdf(x, n));
            assert!(close(gs, sf), "{name}: sf({x}, {n}) = {gs:e}, scipy {sf:e}");
            assert!(
                close(gc, cdf),
                "{name}: cdf({x}, {n}) = {gc:e}, scipy {cdf:e}"
            );
        }
    }

    #[test]
    fn kstwo_support_edges() {
        assert_eq!(kstwo_sf(0.0, 10.0), 1.0);
        assert_eq!(kstwo_sf(0.05, 10.0), 1.0); // 0.05 = 0.5 / n
        assert_eq!(kstwo_sf(1.0, 10.0), 0.0);
        assert_eq!(kstwo_cdf(1.0, 10.0), 1.0);
        assert!(kstwo_sf(0.5, 0.0).is_nan());
        assert!(kstwo_sf(0.5, 2.5).is_nan());
        assert!(kstwo_sf(f64::NAN, 3.0).is_nan());
    }
}
