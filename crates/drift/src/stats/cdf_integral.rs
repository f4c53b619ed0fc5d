//! The integral of `|F_u - G_v|^p` over the pooled support of two sorted samples
//! (scipy's `_cdf_distance` before its final root), `p` 1 (Wasserstein) or 2
//! (energy).
//!
//! After each pooled value `x` (in order) the ECDFs are constant up to the next
//! pooled value, so `|F_u(x) - G_v(x)|^p * (next - x)` is added (zero between equal
//! values). The samples are cut by value into pieces ([`value_cuts`]) whose sums
//! are added in order; pieces run in parallel, and on one thread
//! [`LANES`] pieces walk in lockstep: a merge step waits on the load its comparison
//! chose, so one walk leaves the core idle most of the time, and independent walks
//! fill it.

use super::merge::{par_map, parallel_parts, value_cuts};

/// Pieces walked in lockstep on one thread.
const LANES: usize = 4;

/// Pieces per thread of the pool (groups of [`LANES`], two groups per thread as
/// pieces differ in work).
const PIECES_PER_THREAD: usize = 2 * LANES;

/// Below this pooled size one piece is walked (no lockstep, no thread hand-off).
const LOCKSTEP_MIN: usize = 1 << 14;

/// The integral over two sorted samples, `p` 1 or 2.
pub(crate) fn cdf_integral(u: &[f64], v: &[f64], p: i32) -> f64 {
    // the square written out: `powi` with a run-time exponent is a library call
    // per step
    match p {
        1 => integral(u, v, f64::abs),
        2 => integral(u, v, |d: f64| d * d),
        _ => integral(u, v, |d: f64| d.powi(p)),
    }
}

fn integral(u: &[f64], v: &[f64], pow: impl Fn(f64) -> f64 + Copy + Sync) -> f64 {
    let total = u.len() + v.len();
    let (short, long) = (u.len().min(v.len()), u.len().max(v.len()));
    let lockstep = total >= LOCKSTEP_MIN && long < 4 * short;
    let parts = if lockstep {
        PIECES_PER_THREAD * rayon::current_num_threads()
    } else {
        parallel_parts(total)
    };
    let cuts = value_cuts(u, v, parts);
    let scale = (1.0 / u.len() as f64, 1.0 / v.len() as f64);
    let walks: Vec<Walk<'_>> = cuts
        .windows(2)
        .map(|w| Walk::new(u, v, w[0], w[1], scale))
        .collect();
    let sums: Vec<f64> = if lockstep {
        let groups: Vec<Vec<Walk<'_>>> = walks.chunks(LANES).map(<[_]>::to_vec).collect();
        par_map(groups, |group| match <[Walk<'_>; LANES]>::try_from(group) {
            Ok(lanes) => walk_lockstep(lanes, pow).to_vec(),
            Err(rest) => rest.into_iter().map(|w| w.run(pow)).collect(),
        })
        .concat()
    } else {
        par_map(walks, |w| w.run(pow))
    };
    sums.iter().sum()
}

/// One piece's walk: `u` and `v` are the piece's values, which follow `i0` and `j0`
/// values of the whole samples; `next` is the first pooled value after the piece
/// (NaN after the last piece), which closes its last interval.
#[derive(Clone, Copy)]
struct Walk<'s> {
    u: &'s [f64],
    v: &'s [f64],
    i: usize,
    j: usize,
    /// Values at or below the current one, of the whole samples, as floats (exact).
    ci: f64,
    cj: f64,
    /// `1 / n` of each whole sample: ECDF values by multiplication (a division per
    /// value would bound the loop); they differ from numpy's `count / n` by at most
    /// an ulp.
    ru: f64,
    rv: f64,
    /// The pooled value just taken (NaN before the first) and the ECDF difference
    /// after it.
    prev: f64,
    diff: f64,
    total: f64,
    next: f64,
}

impl<'s> Walk<'s> {
    fn new(
        u: &'s [f64],
        v: &'s [f64],
        (i0, j0): (usize, usize),
        (i1, j1): (usize, usize),
        (ru, rv): (f64, f64),
    ) -> Self {
        let next = match (u.get(i1), v.get(j1)) {
            (Some(&a), Some(&b)) => a.min(b),
            (Some(&a), None) => a,
            (None, Some(&b)) => b,
            (None, None) => f64::NAN,
        };
        Self {
            u: &u[i0..i1],
            v: &v[j0..j1],
            i: 0,
            j: 0,
            ci: i0 as f64,
            cj: j0 as f64,
            ru,
            rv,
            prev: f64::NAN,
            diff: 0.0,
            total: 0.0,
            next,
        }
    }

    /// Takes pooled value `x` (the counts already include it).
    #[inline(always)]
    fn take(&mut self, x: f64, pow: impl Fn(f64) -> f64) {
        if !self.prev.is_nan() {
            self.total += pow(self.diff) * (x - self.prev);
        }
        self.prev = x;
        self.diff = self.ci * self.ru - self.cj * self.rv;
    }

    /// One branch-free merge step; both sides must have a value left.
    #[inline(always)]
    fn merge_step(&mut self, pow: impl Fn(f64) -> f64) {
        let (a, b) = (self.u[self.i], self.v[self.j]);
        let t = a <= b;
        self.i += usize::from(t);
        self.j += usize::from(!t);
        self.ci += f64::from(u8::from(t));
        self.cj += f64::from(u8::from(!t));
        self.take(a.min(b), pow);
    }

    /// [`Walk::merge_step`] once a value was taken (`prev` is a value): the same
    /// arithmetic without the check, and the smaller value picked by the comparison
    /// already made.
    #[inline(always)]
    fn merge_step_after_first(&mut self, pow: impl Fn(f64) -> f64) {
        let (a, b) = (self.u[self.i], self.v[self.j]);
        let t = a <= b;
        let x = if t { a } else { b };
        self.i += usize::from(t);
        self.j += usize::from(!t);
        self.ci += f64::from(u8::from(t));
        self.cj += f64::from(u8::from(!t));
        self.total += pow(self.diff) * (x - self.prev);
        self.prev = x;
        self.diff = self.ci * self.ru - self.cj * self.rv;
    }

    /// Merge steps that are safe without checking: each takes one value.
    fn safe_steps(&self) -> usize {
        (self.u.len() - self.i).min(self.v.len() - self.j)
    }

    /// The rest of the walk alone; returns the piece's sum.
    fn run(mut self, pow: impl Fn(f64) -> f64 + Copy) -> f64 {
        let (short, long) = (
            self.u.len().min(self.v.len()),
            self.u.len().max(self.v.len()),
        );
        if long >= 4 * short {
            self.run_walk(pow);
        } else {
            while self.i < self.u.len() && self.j < self.v.len() {
                self.merge_step(pow);
            }
        }
        self.finish(pow)
    }

    /// Unequal sizes (a window against a large reference): runs of the longer
    /// sample between two values of the shorter one; the run loop's exit is well
    /// predicted.
    fn run_walk(&mut self, pow: impl Fn(f64) -> f64 + Copy) {
        while self.i < self.u.len() && self.j < self.v.len() {
            if self.u[self.i] <= self.v[self.j] {
                let stop = self.v[self.j];
                while self.i < self.u.len() && self.u[self.i] <= stop {
                    self.i += 1;
                    self.ci += 1.0;
                    self.take(self.u[self.i - 1], pow);
                }
            } else {
                let stop = self.u[self.i];
                while self.j < self.v.len() && self.v[self.j] < stop {
                    self.j += 1;
                    self.cj += 1.0;
                    self.take(self.v[self.j - 1], pow);
                }
            }
        }
    }

    /// The values left on one side, then the interval up to `next`.
    fn finish(mut self, pow: impl Fn(f64) -> f64 + Copy) -> f64 {
        while self.i < self.u.len() {
            self.i += 1;
            self.ci += 1.0;
            self.take(self.u[self.i - 1], pow);
        }
        while self.j < self.v.len() {
            self.j += 1;
            self.cj += 1.0;
            self.take(self.v[self.j - 1], pow);
        }
        if !self.next.is_nan() {
            self.take(self.next, pow);
        }
        self.total
    }
}

/// [`LANES`] walks in lockstep while each has values on both sides, then each
/// finishes alone; returns their sums.
fn walk_lockstep(lanes: [Walk<'_>; LANES], pow: impl Fn(f64) -> f64 + Copy) -> [f64; LANES] {
    // Four named locals (not an array walked by a loop), so that each lane's state
    // stays in registers.
    let [mut w0, mut w1, mut w2, mut w3] = lanes;
    // The first value of each lane (no interval before it), then steps that need
    // no check for a previous value.
    for w in [&mut w0, &mut w1, &mut w2, &mut w3] {
        if w.safe_steps() > 0 {
            w.merge_step(pow);
        }
    }
    loop {
        let steps = w0
            .safe_steps()
            .min(w1.safe_steps())
            .min(w2.safe_steps())
            .min(w3.safe_steps());
        if steps == 0 || [&w0, &w1, &w2, &w3].iter().any(|w| w.prev.is_nan()) {
            break;
        }
        for _ in 0..steps {
            w0.merge_step_after_first(pow);
            w1.merge_step_after_first(pow);
            w2.merge_step_after_first(pow);
            w3.merge_step_after_first(pow);
        }
    }
    [w0.run(pow), w1.run(pow), w2.run(pow), w3.run(pow)]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The integral walked group by group, in one piece (the definition).
    fn by_groups(u: &[f64], v: &[f64], p: i32) -> f64 {
        let (nu, nv) = (u.len() as f64, v.len() as f64);
        let (mut cu, mut cv) = (0usize, 0usize);
        let mut prev: Option<f64> = None;
        let mut total = 0.0;
        crate::stats::for_each_group(u, v, |value, a, b| {
            if let Some(p0) = prev {
                total += (cu as f64 / nu - cv as f64 / nv).abs().powi(p) * (value - p0);
            }
            cu += a;
            cv += b;
            prev = Some(value);
        });
        total
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]
        /// Pieces in lockstep and in parallel add up to the definition, with many
        /// ties, unequal sizes and infinities.
        #[test]
        fn pieces_add_up_to_the_whole(
            seed in 1u64..u64::MAX,
            n1 in 1usize..60_000,
            n2 in 1usize..60_000,
            grid in proptest::sample::select(vec![0.0, 4.0, 500.0, 1e9]),
            inf in 0usize..3,
        ) {
            let mut state = seed;
            let mut next = move || {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 11) as f64 / (1u64 << 53) as f64
            };
            let mut draw = |n: usize, shift: f64| -> Vec<f64> {
                let mut x: Vec<f64> = (0..n)
                    .map(|_| {
                        let u = next() + shift;
                        if grid > 0.0 { (u * grid).floor() / grid } else { u }
                    })
                    .collect();
                crate::stats::sort_f64(&mut x);
                x
            };
            let mut u = draw(n1, 0.0);
            let v = draw(n2, 0.05);
            if inf == 1 {
                u[n1 - 1] = f64::INFINITY;
            }
            for p in [1, 2] {
                let (got, want) = (cdf_integral(&u, &v, p), by_groups(&u, &v, p));
                if want.is_nan() || want.is_infinite() {
                    proptest::prop_assert_eq!(got.to_bits(), want.to_bits());
                } else {
                    proptest::prop_assert!((got - want).abs() <= 1e-12 * want, "p={} {} vs {}", p, got, want);
                }
            }
        }
    }
}
