//! Growing one tree on binned data: per-node histograms, histogram
//! subtraction, scikit-learn style feature sampling and split selection.
//!
//! Samples are referred to by row index; bootstrap is a per-row count
//! (`0` = out of bag) that acts as an integer sample weight, exactly as
//! scikit-learn does. `min_samples_*` count distinct rows, impurities use
//! weights.
//!
//! Nodes are processed depth-first from an explicit stack. After a split the
//! smaller child is pushed first and the larger child last, so the larger one
//! is evaluated next while its parent's histograms are still alive: for every
//! feature the parent has a histogram of, the larger child's histogram is
//! `parent - smaller sibling` (built from the smaller sibling's rows), which
//! costs `n_small` instead of `n_large`. Nodes with few rows skip histograms
//! and sort their rows' codes instead.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::binning::{Binned, midpoint};
use super::params::{Criterion, Splitter};
use super::tree::{Node, Tree};

/// Number of histogram slots per feature (codes are `u8`).
const NB: usize = 256;
/// Nodes with at most this many distinct rows use the sort path.
const SMALL_NODE: usize = 96;

/// Target of the fit.
pub(crate) enum Target<'a> {
    /// Class indices in `0..n_classes`.
    Class {
        /// Class index per row.
        y: &'a [u32],
        /// Number of classes.
        n_classes: usize,
    },
    /// Real-valued target.
    Reg {
        /// Target per row.
        y: &'a [f64],
    },
}

/// Resolved growth parameters.
pub(crate) struct GrowConfig {
    pub criterion: Criterion,
    pub splitter: Splitter,
    pub max_depth: usize,
    pub min_samples_split: usize,
    pub min_samples_leaf: usize,
    pub max_features: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Gini,
    Entropy,
    Mse,
}

/// Immutable per-tree context.
struct Ctx<'a> {
    data: &'a Binned,
    cfg: &'a GrowConfig,
    kind: Kind,
    /// Number of classes (1 for regression).
    n_classes: usize,
    /// Statistic slots per bin: classes (or weight, weighted sum) + count if tracked.
    stride: usize,
    /// Whether an unweighted row count slot is kept (needed if min_samples_leaf > 1).
    track: bool,
    yc: &'a [u32],
    yr: &'a [f64],
    /// Weight (bootstrap count) per row.
    wf: Vec<f64>,
    /// Weight times target per row (regression).
    wy: Vec<f64>,
}

impl Ctx<'_> {
    #[inline]
    fn weight(&self, s: &[f64]) -> f64 {
        match self.kind {
            Kind::Mse => s[0],
            _ => s[..self.n_classes].iter().sum(),
        }
    }

    /// Row count (or weight when counts are not tracked; then min_samples_leaf == 1
    /// and only emptiness matters).
    #[inline]
    fn count(&self, s: &[f64]) -> f64 {
        if self.track {
            s[self.stride - 1]
        } else {
            self.weight(s)
        }
    }

    /// Child term of the proxy score; the split maximizes term(left) + term(right).
    /// It equals `-W * impurity` up to a constant for the parent.
    #[inline]
    fn term(&self, s: &[f64]) -> f64 {
        match self.kind {
            Kind::Gini => {
                let c = &s[..self.n_classes];
                let w: f64 = c.iter().sum();
                if w <= 0.0 {
                    return 0.0;
                }
                c.iter().map(|v| v * v).sum::<f64>() / w
            }
            Kind::Entropy => {
                let c = &s[..self.n_classes];
                let w: f64 = c.iter().sum();
                if w <= 0.0 {
                    return 0.0;
                }
                c.iter()
                    .filter(|&&v| v > 0.0)
                    .map(|&v| v * v.ln())
                    .sum::<f64>()
                    - w * w.ln()
            }
            Kind::Mse => {
                if s[0] <= 0.0 {
                    0.0
                } else {
                    s[1] * s[1] / s[0]
                }
            }
        }
    }

    /// Adds row `i` to the statistics slice `s`.
    #[inline]
    fn add_row(&self, s: &mut [f64], i: usize) {
        match self.kind {
            Kind::Mse => {
                s[0] += self.wf[i];
                s[1] += self.wy[i];
            }
            _ => s[self.yc[i] as usize] += self.wf[i],
        }
        if self.track {
            s[self.stride - 1] += 1.0;
        }
    }

    /// Accumulates the histogram of feature column `col` over `rows` into `h`
    /// (which must be zeroed on the feature's bins).
    fn build_hist(&self, h: &mut [f64], col: &[u8], rows: &[u32]) {
        let st = self.stride;
        match (self.kind, self.track) {
            (Kind::Mse, false) => {
                for &i in rows {
                    let i = i as usize;
                    let b = col[i] as usize * 2;
                    h[b] += self.wf[i];
                    h[b + 1] += self.wy[i];
                }
            }
            (Kind::Mse, true) => {
                for &i in rows {
                    let i = i as usize;
                    let b = col[i] as usize * 3;
                    h[b] += self.wf[i];
                    h[b + 1] += self.wy[i];
                    h[b + 2] += 1.0;
                }
            }
            (_, false) => {
                for &i in rows {
                    let i = i as usize;
                    h[col[i] as usize * st + self.yc[i] as usize] += self.wf[i];
                }
            }
            (_, true) => {
                let c = self.n_classes;
                for &i in rows {
                    let i = i as usize;
                    let b = col[i] as usize * st;
                    h[b + self.yc[i] as usize] += self.wf[i];
                    h[b + c] += 1.0;
                }
            }
        }
    }
}

/// Marker in `HistSet::slot` for a feature without a histogram.
const NO_SLOT: u32 = u32::MAX;

/// Histograms of one node, keyed by feature.
struct HistSet {
    slot: Vec<u32>,
    feats: Vec<u32>,
    bufs: Vec<Vec<f64>>,
}

impl HistSet {
    fn new(n_features: usize) -> Self {
        Self {
            slot: vec![NO_SLOT; n_features],
            feats: Vec::new(),
            bufs: Vec::new(),
        }
    }

    fn get(&self, f: usize) -> Option<&[f64]> {
        match self.slot[f] {
            NO_SLOT => None,
            s => Some(&self.bufs[s as usize]),
        }
    }

    fn insert(&mut self, f: usize, buf: Vec<f64>) {
        self.slot[f] = self.bufs.len() as u32;
        self.feats.push(f as u32);
        self.bufs.push(buf);
    }

    fn is_empty(&self) -> bool {
        self.feats.is_empty()
    }

    fn clear(&mut self, pool: &mut Vec<Vec<f64>>) {
        for &f in &self.feats {
            self.slot[f as usize] = NO_SLOT;
        }
        self.feats.clear();
        pool.append(&mut self.bufs);
    }
}

/// Occupied bins of a node for one feature, in increasing bin order.
#[derive(Default)]
struct Groups {
    bins: Vec<u8>,
    stats: Vec<f64>,
}

enum FeatEval {
    Constant,
    NoValidSplit,
    Split { score: f64, bin: u8, threshold: f64 },
}

struct Best {
    feature: usize,
    bin: u8,
    threshold: f64,
    score: f64,
}

struct Task {
    node: u32,
    start: usize,
    end: usize,
    depth: usize,
    totals: Vec<f64>,
    consts: Vec<u32>,
    /// Rows of the smaller sibling, whose parent's histograms are in `Grower::parent`.
    derive: Option<(usize, usize)>,
}

struct Grower<'a> {
    ctx: Ctx<'a>,
    rng: &'a mut ChaCha8Rng,
    idx: Vec<u32>,
    scratch: Vec<u32>,
    pool: Vec<Vec<f64>>,
    cur: HistSet,
    parent: HistSet,
    groups: Groups,
    sorted: Vec<(u8, u32)>,
    left_acc: Vec<f64>,
    right_acc: Vec<f64>,
    features: Vec<u32>,
    importances: Vec<f64>,
    tree: Tree,
}

/// Grows one tree. `weights[i]` is the number of times row `i` is in the
/// bag (0 = left out); at least one weight must be positive.
pub(crate) fn grow_tree(
    data: &Binned,
    target: &Target<'_>,
    cfg: &GrowConfig,
    weights: &[u32],
    rng: &mut ChaCha8Rng,
) -> Tree {
    let (kind, n_classes, yc, yr): (Kind, usize, &[u32], &[f64]) = match *target {
        Target::Class { y, n_classes } => {
            let kind = if cfg.criterion == Criterion::Entropy {
                Kind::Entropy
            } else {
                Kind::Gini
            };
            (kind, n_classes, y, &[])
        }
        Target::Reg { y } => (Kind::Mse, 1, &[], y),
    };
    let track = cfg.min_samples_leaf > 1;
    let base = if kind == Kind::Mse { 2 } else { n_classes };
    let stride = base + usize::from(track);
    let wf: Vec<f64> = weights.iter().map(|&w| f64::from(w)).collect();
    let wy: Vec<f64> = if kind == Kind::Mse {
        wf.iter().zip(yr).map(|(w, y)| w * y).collect()
    } else {
        Vec::new()
    };
    let idx: Vec<u32> = (0..weights.len() as u32)
        .filter(|&i| weights[i as usize] > 0)
        .collect();
    let nf = data.n_features;
    let ctx = Ctx {
        data,
        cfg,
        kind,
        n_classes,
        stride,
        track,
        yc,
        yr,
        wf,
        wy,
    };
    let mut totals = vec![0.0; stride];
    for &i in &idx {
        ctx.add_row(&mut totals, i as usize);
    }
    let n_outputs = if kind == Kind::Mse { 1 } else { n_classes };
    let n_rows = idx.len();
    let mut g = Grower {
        ctx,
        rng,
        scratch: vec![0; n_rows],
        idx,
        pool: Vec::new(),
        cur: HistSet::new(nf),
        parent: HistSet::new(nf),
        groups: Groups::default(),
        sorted: Vec::new(),
        left_acc: vec![0.0; stride],
        right_acc: vec![0.0; stride],
        features: Vec::with_capacity(nf),
        importances: vec![0.0; nf],
        tree: Tree {
            nodes: vec![Node::leaf(0, 0)],
            values: Vec::new(),
            n_outputs,
            importances: Vec::new(),
            max_depth: 0,
        },
    };
    g.run(Task {
        node: 0,
        start: 0,
        end: n_rows,
        depth: 0,
        totals,
        consts: Vec::new(),
        derive: None,
    });
    let mut imp = std::mem::take(&mut g.importances);
    let sum: f64 = imp.iter().sum();
    if sum > 0.0 {
        imp.iter_mut().for_each(|v| *v /= sum);
    }
    let mut tree = g.tree;
    tree.importances = imp;
    tree.share_leaf_values();
    tree
}

impl Grower<'_> {
    fn run(&mut self, root: Task) {
        let mut stack = vec![root];
        while let Some(task) = stack.pop() {
            let depth = task.depth;
            self.tree.max_depth = self.tree.max_depth.max(depth as u32);
            let best = if self.is_leaf(&task) {
                None
            } else {
                self.find_split(&task)
            };
            if task.derive.is_some() {
                self.parent.clear(&mut self.pool);
            }
            let Some(best) = best else {
                self.cur.clear(&mut self.pool);
                self.make_leaf(task.node as usize, &task.totals);
                continue;
            };
            // partition rows (stable, keeps row order within each child)
            let col = self.ctx.data.column(best.feature);
            let (start, end) = (task.start, task.end);
            let mut l = start;
            let mut r = 0usize;
            for k in start..end {
                let i = self.idx[k];
                if col[i as usize] <= best.bin {
                    self.idx[l] = i;
                    l += 1;
                } else {
                    self.scratch[r] = i;
                    r += 1;
                }
            }
            self.idx[l..end].copy_from_slice(&self.scratch[..r]);
            let mut lt = vec![0.0; self.ctx.stride];
            for &i in &self.idx[start..l] {
                self.ctx.add_row(&mut lt, i as usize);
            }
            let rt: Vec<f64> = task.totals.iter().zip(&lt).map(|(t, a)| t - a).collect();
            let gain = self.ctx.term(&lt) + self.ctx.term(&rt) - self.ctx.term(&task.totals);
            if gain > 0.0 {
                self.importances[best.feature] += gain;
            }
            let n = task.node as usize;
            let left_id = self.tree.nodes.len() as u32;
            self.tree.nodes[n] = Node::split(best.feature as u32, best.threshold, left_id);
            // placeholders until the children are split or made leaves
            self.tree.nodes.push(Node::leaf(left_id, 0));
            self.tree.nodes.push(Node::leaf(left_id + 1, 0));
            let consts = std::mem::take(&mut self.features);
            let left = Task {
                node: left_id,
                start,
                end: l,
                depth: depth + 1,
                totals: lt,
                consts: Vec::new(),
                derive: None,
            };
            let right = Task {
                node: left_id + 1,
                start: l,
                end,
                depth: depth + 1,
                totals: rt,
                consts: Vec::new(),
                derive: None,
            };
            let (mut small, mut large) = if l - start <= end - l {
                (left, right)
            } else {
                (right, left)
            };
            small.consts = consts.clone();
            large.consts = consts;
            if !self.cur.is_empty() {
                large.derive = Some((small.start, small.end));
                std::mem::swap(&mut self.cur, &mut self.parent);
            }
            stack.push(small);
            stack.push(large);
        }
    }

    fn is_leaf(&self, t: &Task) -> bool {
        let n = t.end - t.start;
        let cfg = self.ctx.cfg;
        if t.depth >= cfg.max_depth || n < cfg.min_samples_split || n < 2 * cfg.min_samples_leaf {
            return true;
        }
        match self.ctx.kind {
            Kind::Mse => {
                let rows = &self.idx[t.start..t.end];
                let y0 = self.ctx.yr[rows[0] as usize];
                rows.iter().all(|&i| self.ctx.yr[i as usize] == y0)
            }
            _ => {
                t.totals[..self.ctx.n_classes]
                    .iter()
                    .filter(|&&c| c > 0.0)
                    .count()
                    <= 1
            }
        }
    }

    fn make_leaf(&mut self, n: usize, totals: &[f64]) {
        let row = (self.tree.values.len() / self.tree.n_outputs.max(1)) as u32;
        match self.ctx.kind {
            Kind::Mse => self.tree.values.push(totals[1] / totals[0]),
            _ => {
                let c = &totals[..self.ctx.n_classes];
                let w: f64 = c.iter().sum();
                self.tree.values.extend(c.iter().map(|v| v / w));
            }
        }
        self.tree.nodes[n] = Node::leaf(n as u32, row);
    }

    /// scikit-learn's feature sampling: draw features without replacement
    /// until `max_features` non-constant ones were evaluated (features found
    /// constant do not count and are passed down as known constants).
    /// Leaves the node's constant features in `self.features[..n]`.
    fn find_split(&mut self, t: &Task) -> Option<Best> {
        let nf = self.ctx.data.n_features;
        self.features.clear();
        self.features.extend_from_slice(&t.consts);
        let n_known = t.consts.len();
        {
            let mut is_const = vec![false; nf];
            for &c in &t.consts {
                is_const[c as usize] = true;
            }
            self.features
                .extend((0..nf as u32).filter(|&f| !is_const[f as usize]));
        }
        let max_features = self.ctx.cfg.max_features;
        let mut f_i = nf;
        let mut n_drawn_const = 0usize;
        let mut n_found_const = 0usize;
        let mut n_total_const = n_known;
        let mut n_visited = 0usize;
        let mut best: Option<Best> = None;
        while f_i > n_total_const
            && (n_visited < max_features || n_visited <= n_found_const + n_drawn_const)
        {
            n_visited += 1;
            let f_j = self.rng.random_range(n_drawn_const..f_i - n_found_const);
            if f_j < n_known {
                self.features.swap(n_drawn_const, f_j);
                n_drawn_const += 1;
                continue;
            }
            let f_j = f_j + n_found_const;
            let f = self.features[f_j] as usize;
            match self.eval_feature(t, f) {
                FeatEval::Constant => {
                    self.features.swap(f_j, n_total_const);
                    n_found_const += 1;
                    n_total_const += 1;
                }
                other => {
                    f_i -= 1;
                    self.features.swap(f_i, f_j);
                    if let FeatEval::Split {
                        score,
                        bin,
                        threshold,
                    } = other
                        && best.as_ref().is_none_or(|b| score > b.score)
                    {
                        best = Some(Best {
                            feature: f,
                            bin,
                            threshold,
                            score,
                        });
                    }
                }
            }
        }
        self.features.truncate(n_total_const);
        best
    }

    /// Collects the occupied bins of feature `f` in the node into `self.groups`
    /// (histogram path with subtraction for large nodes, sort path for small
    /// ones) and evaluates the split(s).
    fn eval_feature(&mut self, t: &Task, f: usize) -> FeatEval {
        let ctx = &self.ctx;
        let st = ctx.stride;
        let col = ctx.data.column(f);
        let rows = &self.idx[t.start..t.end];
        self.groups.bins.clear();
        self.groups.stats.clear();
        if rows.len() <= SMALL_NODE {
            self.sorted.clear();
            self.sorted
                .extend(rows.iter().map(|&i| (col[i as usize], i)));
            self.sorted.sort_unstable_by_key(|p| p.0);
            for &(b, i) in &self.sorted {
                if self.groups.bins.last() != Some(&b) {
                    self.groups.bins.push(b);
                    self.groups.stats.extend(std::iter::repeat_n(0.0, st));
                }
                let len = self.groups.stats.len();
                ctx.add_row(&mut self.groups.stats[len - st..], i as usize);
            }
        } else {
            let nb = ctx.data.n_bins(f);
            let len = nb * st;
            let mut buf = self.pool.pop().unwrap_or_else(|| vec![0.0; NB * st]);
            buf[..len].fill(0.0);
            match (t.derive, self.parent.get(f)) {
                (Some((s0, s1)), Some(ph)) => {
                    ctx.build_hist(&mut buf, col, &self.idx[s0..s1]);
                    for (b, p) in buf[..len].iter_mut().zip(&ph[..len]) {
                        *b = p - *b;
                    }
                }
                _ => ctx.build_hist(&mut buf, col, rows),
            }
            for b in 0..nb {
                let s = &buf[b * st..(b + 1) * st];
                if ctx.weight(s) > 0.0 {
                    self.groups.bins.push(b as u8);
                    self.groups.stats.extend_from_slice(s);
                }
            }
            self.cur.insert(f, buf);
        }
        if self.groups.bins.len() <= 1 {
            return FeatEval::Constant;
        }
        match ctx.cfg.splitter {
            Splitter::Best => self.eval_best(f, &t.totals),
            Splitter::Random => self.eval_random(f, &t.totals),
        }
    }

    fn eval_best(&mut self, f: usize, totals: &[f64]) -> FeatEval {
        let ctx = &self.ctx;
        let st = ctx.stride;
        let msl = ctx.cfg.min_samples_leaf as f64;
        let n_total = ctx.count(totals);
        let left = &mut self.left_acc;
        let right = &mut self.right_acc;
        left.fill(0.0);
        let g = &self.groups;
        let mut best: Option<(f64, usize)> = None;
        for k in 0..g.bins.len() - 1 {
            for (a, s) in left.iter_mut().zip(&g.stats[k * st..(k + 1) * st]) {
                *a += s;
            }
            let nl = ctx.count(left);
            if nl < msl {
                continue;
            }
            if n_total - nl < msl {
                break;
            }
            for ((r, t), l) in right.iter_mut().zip(totals).zip(left.iter()) {
                *r = t - l;
            }
            let score = ctx.term(left) + ctx.term(right);
            if best.is_none_or(|(b, _)| score > b) {
                best = Some((score, k));
            }
        }
        match best {
            None => FeatEval::NoValidSplit,
            Some((score, k)) => FeatEval::Split {
                score,
                bin: g.bins[k],
                threshold: ctx.data.threshold_between(
                    f,
                    g.bins[k] as usize,
                    g.bins[k + 1] as usize,
                ),
            },
        }
    }

    /// Extra-trees split: one threshold drawn uniformly between the node's
    /// smallest and largest value (as far as the bins tell), mapped to the bin
    /// boundary it falls into.
    fn eval_random(&mut self, f: usize, totals: &[f64]) -> FeatEval {
        let ctx = &self.ctx;
        let st = ctx.stride;
        let g = &self.groups;
        let ng = g.bins.len();
        let lo_v = &ctx.data.bin_lo[f];
        let hi_v = &ctx.data.bin_hi[f];
        let lo = lo_v[g.bins[0] as usize];
        let hi = hi_v[g.bins[ng - 1] as usize];
        let u: f64 = self.rng.random();
        let mut t = lo + (hi - lo) * u;
        if t >= hi || t < lo {
            t = lo;
        }
        // groups entirely <= t go left; a group whose bin straddles t goes
        // to the side holding most of the bin's range
        let mut k = 0usize;
        while k < ng {
            let b = g.bins[k] as usize;
            let left_side = hi_v[b] <= t || (lo_v[b] <= t && t >= midpoint(lo_v[b], hi_v[b]));
            if !left_side {
                break;
            }
            k += 1;
        }
        let k = k.clamp(1, ng - 1);
        let (a, b) = (g.bins[k - 1] as usize, g.bins[k] as usize);
        let threshold = if hi_v[a] <= t && t < lo_v[b] {
            t
        } else {
            midpoint(hi_v[a], lo_v[b])
        };
        let left = &mut self.left_acc;
        let right = &mut self.right_acc;
        left.fill(0.0);
        for s in g.stats[..k * st].chunks_exact(st) {
            for (a, v) in left.iter_mut().zip(s) {
                *a += v;
            }
        }
        for ((r, t), l) in right.iter_mut().zip(totals).zip(left.iter()) {
            *r = t - l;
        }
        let msl = ctx.cfg.min_samples_leaf as f64;
        if ctx.count(left) < msl || ctx.count(right) < msl {
            return FeatEval::NoValidSplit;
        }
        FeatEval::Split {
            score: ctx.term(left) + ctx.term(right),
            bin: g.bins[k - 1],
            threshold,
        }
    }
}
