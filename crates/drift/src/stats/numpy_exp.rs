//! `numpy.exp` for float64 arrays as numpy 2.x computes it on x86-64 CPUs with
//! AVX-512 (SKX and later): Intel's SVML `exp8_ha`, here in scalar form, operation by
//! operation. It differs from the C library's `exp` in the last bit for about one
//! argument in twenty, which is enough to move scipy results that are the last bits
//! of a sum near 1 (the Cramér-von Mises p-value of `cvm`).
//!
//! The algorithm: `N = x log2(e)` truncated to 4 fractional bits (a fused multiply-add
//! rounding toward zero onto a shifter constant), `r = x - N ln 2` in two fused steps,
//! `exp(x) = 2^floor(N) * T(j) * (1 + p(r))` with `T(j) = 2^(j/16)` in two parts and a
//! degree-6 polynomial `p`. Arguments at or beyond +-707.7 (where SVML calls its
//! scalar routine for overflow and underflow) use the C library's `exp`.

/// `2^(j/16)`, j = 0..15 (SVML's table `Th`).
const TH: [u64; 16] = [
    0x3ff0000000000000,
    0x3ff0b5586cf9890f,
    0x3ff172b83c7d517b,
    0x3ff2387a6e756238,
    0x3ff306fe0a31b715,
    0x3ff3dea64c123422,
    0x3ff4bfdad5362a27,
    0x3ff5ab07dd485429,
    0x3ff6a09e667f3bcd,
    0x3ff7a11473eb0187,
    0x3ff8ace5422aa0db,
    0x3ff9c49182a3f090,
    0x3ffae89f995ad3ad,
    0x3ffc199bdd85529c,
    0x3ffd5818dcfba487,
    0x3ffea4afa2a490da,
];

/// The low parts of `2^(j/16)` relative to `TH` (SVML's table `Tlr`).
const TLR: [u64; 16] = [
    0x0,
    0x3c979aa65d837b6d,
    0xbc801b15eaa59348,
    0x3c968efde3a8a894,
    0x3c834d754db0abb6,
    0x3c859f48a72a4c6d,
    0x3c7690cebb7aafb0,
    0x3c9063e1e21c5409,
    0xbc93b3efbf5e2228,
    0xbc7b32dcb94da51d,
    0x3c8db72fc1f0eab4,
    0x3c71affc2b91ce27,
    0x3c8c1a7792cb3387,
    0x3c736eae30af0cb3,
    0x3c74a385a63d07a7,
    0xbc8ff7128fd391f0,
];

const LOG2E: u64 = 0x3ff71547652b82fe;
/// `1.5 * 2^48` plus the exponent bias in its low bits: its ulp is 1/16.
const SHIFTER: u64 = 0x42f8000000003ff0;
const LN2_HI: u64 = 0x3fe62e42fefa39ef;
const LN2_LO: u64 = 0x3c7abc9e3b39803f;
/// Clears the top exponent bit: keeps `|r| < 2` whatever happens.
const R_MASK: u64 = 0xbfffffffffffffff;
const C: [u64; 6] = [
    0x3fefffffffffff70,
    0x3fe000000000d008,
    0x3fc5555553939732,
    0x3fa55557242d68fe,
    0x3f81101cbbc265c0,
    0x3f57411836940c04,
];
/// Beyond this |x| SVML calls its scalar routine.
const THRESHOLD: u64 = 0x40861da04cbafe44;

/// `a * b + c` rounded toward zero (for a positive result), as `vfmadd {rz-sae}`.
fn fma_toward_zero(a: f64, b: f64, c: f64) -> f64 {
    let r = a.mul_add(b, c);
    // the exact error V - r of the nearest rounding, from exact pieces:
    // a*b = ph + pl, ph + c = s + e1, V - r = (s - r) + e1 + pl
    let ph = a * b;
    let pl = a.mul_add(b, -ph);
    let s = ph + c;
    let bb = s - ph;
    let e1 = (ph - (s - bb)) + (c - bb);
    let t1 = s - r; // exact: s and r are within a few ulps
    let below = if t1 != 0.0 { t1 < 0.0 } else { e1 + pl < 0.0 };
    if below && r > 0.0 {
        f64::from_bits(r.to_bits() - 1) // r was rounded up: step toward zero
    } else {
        r
    }
}

/// `numpy.exp(x)` on an AVX-512 CPU (see the module documentation).
pub(crate) fn numpy_exp(x: f64) -> f64 {
    if x.is_nan() || x.abs() >= f64::from_bits(THRESHOLD) {
        return x.exp();
    }
    let shifter = f64::from_bits(SHIFTER);
    let t = fma_toward_zero(x, f64::from_bits(LOG2E), shifter);
    let n = t - shifter;
    let j = (t.to_bits() & 15) as usize;
    let r = (-n).mul_add(f64::from_bits(LN2_HI), x);
    let r = (-f64::from_bits(LN2_LO)).mul_add(n, r);
    let r = f64::from_bits(r.to_bits() & R_MASK);
    let c = C.map(f64::from_bits);
    let r2 = r * r;
    let p56 = c[5].mul_add(r, c[4]);
    let p34 = c[3].mul_add(r, c[2]);
    let p12 = c[1].mul_add(r, c[0]);
    let p36 = r2.mul_add(p56, p34);
    let p16 = r2.mul_add(p36, p12);
    let p = p16.mul_add(r, f64::from_bits(TLR[j]));
    let th = f64::from_bits(TH[j]);
    let res = th.mul_add(p, th);
    // scalef: times 2^floor(N), exact (|x| < 707.7 keeps 2^floor(N) normal)
    let k = n.floor() as i64; // in -1021..=1021 below the threshold
    res * f64::from_bits(((k + 1023) as u64) << 52)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_numpy_on_avx512() {
        // numpy 2.4.6 np.exp on an AVX-512 CPU; the first four differ from glibc's exp
        let cases: &[(f64, f64)] = &[
            (-11.607952383662994, 9.093484556670693e-06),
            (-14.771423365043827, 3.844610455703297e-07),
            (-5.845608059498666, 0.002892575319938707),
            (-29.589765184867446, 1.4103544052603907e-13),
            (-0.004127033542893391, 0.9958814709565647),
            (-15.5, 1.8553913626159784e-07),
            (3.0, 20.085536923187668),
        ];
        for &(x, want) in cases {
            assert_eq!(numpy_exp(x), want, "exp({x})");
        }
    }
}
