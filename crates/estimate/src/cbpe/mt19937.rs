//! NumPy's legacy `RandomState` generator (MT19937) and its `permutation`, just what
//! NannyML's calibration check draws through scikit-learn's `StratifiedShuffleSplit`.

/// MT19937 seeded as `np.random.RandomState(seed)` seeds it (`init_genrand`).
pub struct Mt19937 {
    state: [u32; 624],
    pos: usize,
}

impl Mt19937 {
    /// The generator of `RandomState(seed)`.
    pub fn new(seed: u32) -> Self {
        let mut state = [0u32; 624];
        state[0] = seed;
        for i in 1..624 {
            let prev = state[i - 1];
            state[i] = 1_812_433_253u32
                .wrapping_mul(prev ^ (prev >> 30))
                .wrapping_add(i as u32);
        }
        Mt19937 { state, pos: 624 }
    }

    fn twist(&mut self) {
        for i in 0..624 {
            let y = (self.state[i] & 0x8000_0000) | (self.state[(i + 1) % 624] & 0x7fff_ffff);
            let mut v = self.state[(i + 397) % 624] ^ (y >> 1);
            if y & 1 != 0 {
                v ^= 0x9908_b0df;
            }
            self.state[i] = v;
        }
        self.pos = 0;
    }

    /// The next 32 random bits.
    pub fn next_u32(&mut self) -> u32 {
        if self.pos >= 624 {
            self.twist();
        }
        let mut y = self.state[self.pos];
        self.pos += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }

    /// NumPy's `random_interval`: uniform in `0..=max` by masked rejection.
    fn interval(&mut self, max: usize) -> usize {
        if max == 0 {
            return 0;
        }
        let max = max as u32;
        let mut mask = max;
        for shift in [1, 2, 4, 8, 16] {
            mask |= mask >> shift;
        }
        loop {
            let v = self.next_u32() & mask;
            if v <= max {
                return v as usize;
            }
        }
    }

    /// `RandomState.permutation(n)`: `arange(n)` shuffled by Fisher-Yates from the end.
    pub fn permutation(&mut self, n: usize) -> Vec<usize> {
        let mut v: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            let j = self.interval(i);
            v.swap(i, j);
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permutations_are_numpys() {
        // r = np.random.RandomState(42); r.permutation(10); r.permutation(5)
        let mut r = Mt19937::new(42);
        assert_eq!(r.permutation(10), [8, 1, 5, 0, 7, 2, 9, 4, 3, 6]);
        assert_eq!(r.permutation(5), [1, 0, 3, 4, 2]);
        // The reference MT19937 output for init_genrand(5489): 3499211612 first.
        assert_eq!(Mt19937::new(5489).next_u32(), 3_499_211_612);
    }
}
