//! Exact binned tests on sketched columns, by a second pass over the data.
//!
//! A numeric column too large for the memory limit is a [`QuantileSketch`], and a
//! binned test on it would count its bins from the estimated CDF. But the edges of
//! the Sturges-binned tests (`jensenshannon`, `hellinger`, `kl`, `tvd`) depend only on
//! the pooled count, minimum and maximum, and PSI's on the reference's deciles, known
//! exactly after the first pass when the reference is exact. So a second pass can
//! count each value into its bin exactly, and the test is then the one of the whole
//! data, bit for bit:
//!
//! 1. [`DriftReference::bin_plan`] (after both summaries exist) says which columns
//!    need a read of which side ([`BinPlan::columns`]) and with which edges; the
//!    sides held exactly in memory (an exact reference, a current column kept whole)
//!    need none.
//! 2. [`BinPlan::counter`] gives a [`BinCounter`] fed chunk by chunk from a second
//!    read of that side's table; [`BinPlan::add`] takes its counts (and refuses
//!    counts that disagree with the first pass: the file changed).
//!    A side that cannot be read again (standard input, a `.dwr` reference) is
//!    [`BinPlan::cannot_count`]: its bins stay estimated, and the row says why.
//! 3. [`FrameSummary::with_bins`] counts the current values the summary keeps and
//!    hands the counts to the check ([`DriftReference::report_summary`]); a row whose
//!    every side was counted has no `exact: false`.
//!
//! **PSI on a sketched reference table** is exact too, by the same reads: its edges
//! are `np.quantile(reference, 0.1 i)`, and each needs only the two order statistics
//! around `(n - 1) 0.1 i`. The sketch bounds every rank, so it gives a value bracket
//! per edge that surely holds them ([`crate::select::Brackets`], about
//! `2 max_rank_error` values each); the reference's second read keeps the values
//! inside the brackets and counts those below ([`crate::select::Selector`], in the
//! same [`BinCounter`] as the Sturges columns), which gives the exact order
//! statistics, hence the edges of `psi::decile_edges` on the whole sorted column and
//! the reference's exact counts in them, bit for bit. Then the current's read counts
//! into those edges as for an exact reference ([`BinPlan::columns`] lists the
//! current's PSI columns only once their deciles are found). The kept values are
//! bounded before the read ([`BinPlan::selection_bytes`]); what does not fit
//! [`BinPlan::limit_selection`] keeps estimated deciles, as does a selection whose
//! bracket missed its rank (the sketch's bound did not hold: checked, never assumed)
//! and a `.dwr` reference (its values are not in the file), each row saying why.
//!
//! `chi2`/`z` need exact value counts (the sketch keeps them up to 1,024 distinct
//! values): not planned.

use driftwatch_core::{Column, ColumnKind, Frame};
use serde::{Deserialize, Serialize};

use crate::Error;
use crate::columns::TestKind;
use crate::columns::sketched::{self, Side};
use crate::columns::{ColumnReference, DriftOptions, DriftReference};
use crate::select::{Brackets, SelectError, Selected, Selector};
use crate::sketch::{DEFAULT_LEVEL_CAPACITY, QuantileSketch};
use crate::stats::psi;
use crate::streaming::{FrameSummary, StreamError};

/// Which table a count is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BinSide {
    /// The reference table.
    Reference,
    /// The current table.
    Current,
}

impl BinSide {
    fn as_str(self) -> &'static str {
        match self {
            BinSide::Reference => "reference",
            BinSide::Current => "current data",
        }
    }
}

/// Exact bin counts of one column's binned test, counted apart from its sketches;
/// a side without counts is estimated from its sketch (with the notes saying why).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ColumnBins {
    /// The inner edges (a value on an edge goes right).
    inner: Vec<f64>,
    /// The edges are the reference's exact deciles found by a selection read (PSI on a
    /// sketched reference), and `reference` their exact counts.
    deciles: bool,
    reference: Option<Vec<f64>>,
    current: Option<Vec<f64>>,
    /// Why a side was not counted.
    pub(crate) notes: Vec<String>,
}

impl ColumnBins {
    /// The exact counts of `side` in the bins cut by `inner`, if counted on those
    /// very edges.
    pub(crate) fn counts(&self, side: BinSide, inner: &[f64]) -> Option<&[f64]> {
        if self.inner != inner {
            return None;
        }
        match side {
            BinSide::Reference => self.reference.as_deref(),
            BinSide::Current => self.current.as_deref(),
        }
    }

    /// PSI's exact decile edges of a sketched reference and its exact counts in
    /// them, when a selection read found them.
    pub(crate) fn selected_deciles(&self) -> Option<(&[f64], &[f64])> {
        match (&self.reference, self.deciles) {
            (Some(r), true) => Some((&self.inner, r)),
            _ => None,
        }
    }
}

/// How a planned column's current counts are to be had once its edges are known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CurrentCounts {
    /// Not at all: they are exact from the summary, or stay estimated.
    None,
    /// From the current values the summary keeps ([`FrameSummary::with_bins`]).
    InMemory,
    /// By a counting read of the current table, which saw this many non-missing
    /// values the first time.
    Read(u64),
}

/// One planned column: its bins, the reference pass it waits for (counting into
/// known edges, or selecting PSI's deciles), and how its current counts are had.
#[derive(Debug, Clone)]
struct Planned {
    name: String,
    bins: ColumnBins,
    /// The non-missing count of the reference's first pass, while a reference read
    /// is due.
    pending_reference: Option<u64>,
    /// PSI on a sketched reference: the brackets its deciles are selected in (while
    /// they are not found yet).
    select: Option<Brackets>,
    current: CurrentCounts,
}

impl Planned {
    fn pending(&self, side: BinSide) -> Option<u64> {
        match side {
            BinSide::Reference => self.pending_reference,
            // the current's counts need the edges: after the selection
            BinSide::Current => match (self.current, &self.select) {
                (CurrentCounts::Read(n), None) => Some(n),
                _ => None,
            },
        }
    }

    /// The reference's deciles stay estimated from its sketch (`why`), and so the
    /// current's counts in them are not counted either.
    fn estimate_deciles(&mut self, why: &str) {
        self.bins.notes.push(format!(
            "the deciles and bins of the reference are estimated from its sketch: {why}"
        ));
        self.select = None;
        self.pending_reference = None;
        self.current = CurrentCounts::None;
    }
}

/// Which sketched columns a second pass would make exact, with their edges (see the
/// module docs).
#[derive(Debug, Clone, Default)]
pub struct BinPlan {
    planned: Vec<Planned>,
}

/// Counts each value of some columns into fixed bins, chunk by chunk (and, on the
/// reference, selects the values near PSI's deciles of sketched columns). A query
/// engine counts a table in parts: each part's counter ([`BinCounter::split`] per
/// column, sent as [`BinCounter::to_bytes`]) merges into one ([`BinCounter::merge`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BinCounter {
    side: BinSide,
    /// (column, inner edges, counts).
    columns: Vec<(String, Vec<f64>, Vec<u64>)>,
    /// (column, selector of its deciles' order statistics).
    selectors: Vec<(String, Selector)>,
}

impl DriftReference {
    /// The plan of the counting passes that make the binned tests of sketched columns
    /// exact, for `current` checked with `options` (empty when no column needs one).
    #[must_use]
    pub fn bin_plan(&self, current: &FrameSummary, options: &DriftOptions) -> BinPlan {
        let mut planned = Vec::new();
        for f in &self.columns {
            let Some(kept) = current.numeric(&f.name) else {
                continue;
            };
            let numerical = options.numerical.iter().any(|c| c == &f.name);
            if f.kind() == ColumnKind::Timestamp && !numerical {
                continue;
            }
            let requested = options
                .overrides
                .get(&f.name)
                .and_then(|v| v.test)
                .unwrap_or(options.test);
            let (a, exact_reference, reference_sketch) = match &f.reference {
                ColumnReference::Numeric(Some(n)) => {
                    (Side::of(&n.sketch(DEFAULT_LEVEL_CAPACITY)), Some(n), None)
                }
                ColumnReference::Sketch(s) => (Side::of(s), None, Some(s)),
                _ => continue,
            };
            let (b, current_kept) = match kept {
                // both exact: the exact path, nothing to count
                Ok(_) if exact_reference.is_some() => continue,
                Ok(values) => {
                    let mut s = QuantileSketch::new(DEFAULT_LEVEL_CAPACITY);
                    s.extend(values);
                    (Side::of(&s), true)
                }
                Err(s) => (Side::of(s), false),
            };
            if a.n() == 0 || b.n() == 0 || sketched::as_categories(&a, &b, requested, numerical) {
                continue;
            }
            let test = sketched::resolve(&a, &b, requested);
            let estimated_reference = exact_reference.is_none() && a.cdf_error() > 0.0;
            // PSI's deciles of a compacted reference sketch: selected by the
            // reference read, the edges unknown until then
            let select = match reference_sketch {
                Some(s) if test == TestKind::Psi && estimated_reference => {
                    Some(Brackets::new(s, &psi::decile_positions(a.n() as usize)))
                }
                _ => None,
            };
            let inner = if select.is_some() {
                Vec::new()
            } else {
                match sketched::exact_edges(&a, &b, exact_reference, test) {
                    Some(inner) => inner,
                    None => continue,
                }
            };
            let current = if current_kept {
                CurrentCounts::InMemory
            } else if b.cdf_error() > 0.0 {
                CurrentCounts::Read(b.n())
            } else {
                CurrentCounts::None
            };
            if !estimated_reference && current == CurrentCounts::None {
                continue;
            }
            planned.push(Planned {
                name: f.name.clone(),
                bins: ColumnBins {
                    inner,
                    deciles: select.is_some(),
                    reference: None,
                    current: None,
                    notes: Vec::new(),
                },
                pending_reference: estimated_reference.then_some(a.n()),
                select,
                current,
            });
        }
        BinPlan { planned }
    }
}

/// Counts of the non-missing `values` in the bins cut by `inner` (a value on an edge
/// goes right), and how many were counted.
fn count(values: &[f64], inner: &[f64]) -> (Vec<u64>, u64) {
    let mut counts: Vec<u64> = psi::bin_counts(values, inner)
        .into_iter()
        .map(|k| k as u64)
        .collect();
    // psi::bin_counts puts a NaN (missing) in the first bin: take them out again
    let missing = values.iter().filter(|v| v.is_nan()).count() as u64;
    if let Some(first) = counts.first_mut() {
        *first -= missing;
    }
    let total = counts.iter().sum();
    (counts, total)
}

impl BinPlan {
    /// Columns of `side` that a read of that table would make exact (empty: no read
    /// needed). The current's columns of PSI on a sketched reference are listed once
    /// the reference's read found their deciles.
    #[must_use]
    pub fn columns(&self, side: BinSide) -> Vec<String> {
        self.planned
            .iter()
            .filter(|p| p.pending(side).is_some())
            .map(|p| p.name.clone())
            .collect()
    }

    /// The most bytes the reference's read keeps to find PSI's deciles (8 per value
    /// near a decile; 0 when no PSI column waits for them).
    #[must_use]
    pub fn selection_bytes(&self) -> u64 {
        self.planned
            .iter()
            .filter_map(|p| p.select.as_ref())
            .map(|b| 8 * b.max_kept())
            .sum()
    }

    /// Keeps the selection of PSI's deciles within `bytes`: columns, in order, whose
    /// kept values would not fit what the earlier ones leave keep their deciles
    /// estimated, and their rows say how much memory exact ones need.
    pub fn limit_selection(&mut self, bytes: u64) {
        let mut left = bytes;
        for p in &mut self.planned {
            let Some(b) = &p.select else {
                continue;
            };
            let need = 8 * b.max_kept();
            if need <= left {
                left -= need;
            } else {
                p.estimate_deciles(&format!(
                    "finding them exactly keeps up to {need} bytes of its values near the deciles, more than the {left} bytes the memory limit leaves after the summaries; raise memory_limit (--memory-limit) by {} to find them",
                    need - left
                ));
            }
        }
    }

    /// A counter for the pending columns of `side`.
    #[must_use]
    pub fn counter(&self, side: BinSide) -> BinCounter {
        let pending = || self.planned.iter().filter(|p| p.pending(side).is_some());
        BinCounter {
            side,
            columns: pending()
                .filter(|p| p.select.is_none())
                .map(|p| {
                    (
                        p.name.clone(),
                        p.bins.inner.clone(),
                        vec![0; p.bins.inner.len() + 1],
                    )
                })
                .collect(),
            selectors: pending()
                .filter_map(|p| Some((p.name.clone(), p.select.as_ref()?.selector())))
                .collect(),
        }
    }

    /// Takes a finished counter's counts (and, from the reference, the deciles it
    /// selected: a selection that finds no exact deciles leaves them estimated, with
    /// the reason on the row).
    ///
    /// # Errors
    /// [`Error::PassDisagrees`] when a column's count differs from the first pass's
    /// (the table changed between the two reads, or another table was read).
    pub fn add(&mut self, counter: BinCounter) -> Result<(), Error> {
        let side = counter.side;
        let disagrees = |column: String, first: u64, second: u64| Error::PassDisagrees {
            column,
            side: side.as_str(),
            first,
            second,
        };
        for (name, _, counts) in counter.columns {
            let Some(p) = self.planned.iter_mut().find(|p| p.name == name) else {
                continue;
            };
            let Some(first) = p.pending(side) else {
                continue;
            };
            let second: u64 = counts.iter().sum();
            if second != first {
                return Err(disagrees(name, first, second));
            }
            let counts = Some(counts.into_iter().map(|k| k as f64).collect());
            match side {
                BinSide::Reference => {
                    p.bins.reference = counts;
                    p.pending_reference = None;
                }
                BinSide::Current => {
                    p.bins.current = counts;
                    p.current = CurrentCounts::None;
                }
            }
        }
        for (name, selector) in counter.selectors {
            let Some(p) = self.planned.iter_mut().find(|p| p.name == name) else {
                continue;
            };
            let Some(brackets) = p.select.take() else {
                continue;
            };
            p.pending_reference = None;
            match selector.finish().and_then(|s| deciles(&s, brackets.n())) {
                Ok((inner, counts)) => {
                    p.bins.inner = inner;
                    p.bins.reference = Some(counts);
                }
                Err(SelectError::Count { first, second }) => {
                    return Err(disagrees(name, first, second));
                }
                Err(e) => {
                    p.estimate_deciles(&format!("the selection read found no exact deciles: {e}"))
                }
            }
        }
        Ok(())
    }

    /// `side` cannot be read again (`why`): its pending columns keep bins estimated
    /// from the sketch, and their rows say why.
    pub fn cannot_count(&mut self, side: BinSide, why: &str) {
        for p in &mut self.planned {
            if p.pending(side).is_none() {
                continue;
            }
            if side == BinSide::Reference && p.select.is_some() {
                p.estimate_deciles(why);
                continue;
            }
            p.bins.notes.push(format!(
                "the bins of the {} are estimated from its sketch: {why}",
                side.as_str()
            ));
            match side {
                BinSide::Reference => p.pending_reference = None,
                BinSide::Current => p.current = CurrentCounts::None,
            }
        }
    }
}

/// PSI's inner edges and the reference's counts in them, from the order statistics a
/// selection read found among `n` values: `psi::decile_edges` and
/// `psi::bin_counts_sorted` of the whole sorted column, bit for bit.
fn deciles(s: &Selected, n: u64) -> Result<(Vec<f64>, Vec<f64>), SelectError> {
    let n = usize::try_from(n).unwrap_or(usize::MAX);
    let mut missed = None;
    let inner = psi::decile_edges_by(n, |rank| {
        s.order_statistic(rank as u64).unwrap_or_else(|| {
            // `Selector::finish` checked every decile's ranks: not reached
            missed.get_or_insert(rank as u64);
            f64::NAN
        })
    });
    if let Some(rank) = missed {
        return Err(SelectError::Missed { rank });
    }
    let below = inner
        .iter()
        .map(|&e| s.count_below(e).map(|k| k as usize))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((inner, psi::bins_from_below(below, n)))
}

impl BinCounter {
    /// Counts one chunk.
    ///
    /// # Errors
    /// [`Error::ChunkChanged`] when the chunk lacks a counted column or holds it as
    /// categories.
    pub fn push(&mut self, chunk: &Frame) -> Result<(), Error> {
        for name in self.column_names() {
            self.push_column(&name, chunk.column(&name).ok())?;
        }
        Ok(())
    }

    /// Counts a part of one column (`None`: the chunk lacks it).
    ///
    /// # Errors
    /// [`Error::ChunkChanged`] when the column is absent or holds categories.
    pub fn push_column(&mut self, name: &str, column: Option<&Column>) -> Result<(), Error> {
        let changed = |found: &'static str| Error::ChunkChanged {
            column: name.to_string(),
            first: ColumnKind::Numeric.as_str(),
            found,
        };
        let x = match column {
            Some(Column::Numeric(x)) => x,
            Some(other) => return Err(changed(other.kind().as_str())),
            None => return Err(changed("absent")),
        };
        let owned;
        let values = match x.as_slice() {
            Some(s) => s,
            None => {
                owned = x.to_vec();
                &owned
            }
        };
        for (_, inner, counts) in self.columns.iter_mut().filter(|c| c.0 == name) {
            let (got, _) = count(values, inner);
            counts.iter_mut().zip(got).for_each(|(k, g)| *k += g);
        }
        for (_, s) in self.selectors.iter_mut().filter(|c| c.0 == name) {
            s.push(values);
        }
        Ok(())
    }

    /// The columns it counts or selects in, in order, each once.
    #[must_use]
    pub fn column_names(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for name in self
            .columns
            .iter()
            .map(|c| &c.0)
            .chain(self.selectors.iter().map(|c| &c.0))
        {
            if !names.contains(name) {
                names.push(name.clone());
            }
        }
        names
    }

    /// Bytes its edges, counts and kept values hold, about (what an engine's
    /// accumulator reports as its size).
    #[must_use]
    pub fn heap_bytes(&self) -> usize {
        let counted: usize = self
            .columns
            .iter()
            .map(|(name, inner, counts)| name.len() + 8 * (inner.len() + counts.len()))
            .sum();
        let selected: usize = self
            .selectors
            .iter()
            .map(|(name, s)| name.len() + 8 * s.kept())
            .sum();
        counted + selected
    }

    /// One counter per column (what an engine's per-column aggregate counts).
    #[must_use]
    pub fn split(self) -> Vec<BinCounter> {
        let names = self.column_names();
        names
            .iter()
            .map(|name| BinCounter {
                side: self.side,
                columns: self
                    .columns
                    .iter()
                    .filter(|c| &c.0 == name)
                    .cloned()
                    .collect(),
                selectors: self
                    .selectors
                    .iter()
                    .filter(|c| &c.0 == name)
                    .cloned()
                    .collect(),
            })
            .collect()
    }

    /// Adds the counts of `other`, a counter of another part of the same table made
    /// from the same plan; a column only `other` counts is taken as it is (so the
    /// per-column counters of [`BinCounter::split`] merge back into one).
    ///
    /// # Errors
    /// [`Error::CountersDiffer`] when a column is counted on other edges, selected in
    /// other brackets, or the sides differ.
    pub fn merge(&mut self, other: BinCounter) -> Result<(), Error> {
        let differ = |column: &str| Error::CountersDiffer {
            column: column.to_string(),
        };
        if other.side != self.side {
            let name = other.column_names().into_iter().next().unwrap_or_default();
            return Err(differ(&name));
        }
        for (name, inner, counts) in other.columns {
            match self.columns.iter_mut().find(|c| c.0 == name) {
                None => self.columns.push((name, inner, counts)),
                Some(mine) if mine.1 == inner && mine.2.len() == counts.len() => {
                    mine.2.iter_mut().zip(counts).for_each(|(k, o)| *k += o);
                }
                Some(_) => return Err(differ(&name)),
            }
        }
        for (name, selector) in other.selectors {
            match self.selectors.iter_mut().find(|c| c.0 == name) {
                None => self.selectors.push((name, selector)),
                Some(mine) => {
                    if !mine.1.merge(selector) {
                        return Err(differ(&name));
                    }
                }
            }
        }
        Ok(())
    }

    /// The counter as bytes (MessagePack), to travel as a query's literal or partial
    /// state.
    ///
    /// # Errors
    /// [`Error::CounterBytes`] when it cannot be encoded.
    pub fn to_bytes(&self) -> Result<Vec<u8>, Error> {
        rmp_serde::to_vec(self).map_err(|e| Error::CounterBytes(e.to_string()))
    }

    /// A counter from [`BinCounter::to_bytes`].
    ///
    /// # Errors
    /// [`Error::CounterBytes`] when the bytes are not a counter (another version's,
    /// or damaged).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        rmp_serde::from_slice(bytes).map_err(|e| Error::CounterBytes(e.to_string()))
    }

    /// Counts every chunk of `chunks`.
    ///
    /// # Errors
    /// The source's error, or as [`BinCounter::push`].
    pub fn read<E, I>(mut self, chunks: I) -> Result<Self, StreamError<E>>
    where
        E: std::error::Error + 'static,
        I: IntoIterator<Item = Result<Frame, E>>,
    {
        for chunk in chunks {
            self.push(&chunk.map_err(StreamError::Read)?)?;
        }
        Ok(self)
    }
}

impl FrameSummary {
    /// The summary with the exact bin counts of `plan` (after its reads; the current
    /// values it keeps are counted here), used by [`DriftReference::report_summary`]
    /// and [`DriftReference::check_summary`] in place of the sketches' estimates.
    #[must_use]
    pub fn with_bins(mut self, plan: BinPlan) -> Self {
        let mut bins = Vec::with_capacity(plan.planned.len());
        for mut p in plan.planned {
            if p.select.is_some() || p.pending_reference.is_some() {
                p.bins.notes.push(
                    "the bins of the reference are estimated from its sketch: it was not read a second time"
                        .into(),
                );
            }
            if p.current == CurrentCounts::InMemory
                && p.select.is_none()
                && let Some(Ok(values)) = self.numeric(&p.name)
            {
                let counts = count(values, &p.bins.inner).0;
                p.bins.current = Some(counts.into_iter().map(|k| k as f64).collect());
            }
            bins.push((p.name, p.bins));
        }
        self.set_bins(bins);
        self
    }
}
