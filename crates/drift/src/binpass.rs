//! Exact binned tests on sketched columns, by a second pass over the data.
//!
//! A numeric column too large for the memory limit is a [`QuantileSketch`], and a
//! binned test on it would count its bins from the estimated CDF. But the edges of
//! the Sturges-binned tests (`jensenshannon`, `hellinger`, `kl`, `tvd`) depend only on
//! the pooled count, minimum and maximum, and PSI's on the reference's deciles, all
//! known exactly after the first pass when the reference is exact. So a second pass
//! can count each value into its bin exactly, and the test is then the one of the
//! whole data, bit for bit:
//!
//! 1. [`DriftReference::bin_plan`] (after both summaries exist) says which columns
//!    need counting on which side ([`BinPlan::columns`]) and with which edges; the
//!    sides held exactly in memory (an exact reference, a current column kept whole)
//!    are counted there and then.
//! 2. [`BinPlan::counter`] gives a [`BinCounter`] fed chunk by chunk from a second
//!    read of that side's table; [`BinPlan::add`] takes its counts (and refuses
//!    counts that disagree with the first pass: the file changed).
//!    A side that cannot be read again (standard input, a `.dwr` reference) is
//!    [`BinPlan::cannot_count`]: its bins stay estimated, and the row says why.
//! 3. [`FrameSummary::with_bins`] hands the counts to the check
//!    ([`DriftReference::report_summary`]); a row whose every side was counted has
//!    no `exact: false`.
//!
//! PSI on a sketched reference keeps approximate edges (deciles of the sketch; exact
//! deciles would need the whole sample) and `chi2`/`z` exact value counts (the sketch
//! keeps them up to 1,024 distinct values): neither is planned.

use driftwatch_core::{Column, ColumnKind, Frame};

use crate::Error;
use crate::columns::sketched::{self, Side};
use crate::columns::{ColumnReference, DriftOptions, DriftReference};
use crate::sketch::{DEFAULT_LEVEL_CAPACITY, QuantileSketch};
use crate::stats::psi;
use crate::streaming::{FrameSummary, StreamError};

/// Which table a count is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
}

/// One planned column: its bins and, per side still to count, the non-missing
/// count the first pass saw.
#[derive(Debug, Clone)]
struct Planned {
    name: String,
    bins: ColumnBins,
    pending_reference: Option<u64>,
    pending_current: Option<u64>,
}

impl Planned {
    fn pending(&self, side: BinSide) -> Option<u64> {
        match side {
            BinSide::Reference => self.pending_reference,
            BinSide::Current => self.pending_current,
        }
    }
}

/// Which sketched columns a second pass would make exact, with their edges (see the
/// module docs).
#[derive(Debug, Clone, Default)]
pub struct BinPlan {
    planned: Vec<Planned>,
}

/// Counts each value of some columns into fixed bins, chunk by chunk.
#[derive(Debug, Clone)]
pub struct BinCounter {
    side: BinSide,
    /// (column, inner edges, counts).
    columns: Vec<(String, Vec<f64>, Vec<u64>)>,
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
            let (a, exact_reference) = match &f.reference {
                ColumnReference::Numeric(Some(n)) => {
                    (Side::of(&n.sketch(DEFAULT_LEVEL_CAPACITY)), Some(n))
                }
                ColumnReference::Sketch(s) => (Side::of(s), None),
                _ => continue,
            };
            let (b, current_values) = match kept {
                // both exact: the exact path, nothing to count
                Ok(_) if exact_reference.is_some() => continue,
                Ok(values) => {
                    let mut s = QuantileSketch::new(DEFAULT_LEVEL_CAPACITY);
                    s.extend(values);
                    (Side::of(&s), Some(values))
                }
                Err(s) => (Side::of(s), None),
            };
            if a.n() == 0 || b.n() == 0 || sketched::as_categories(&a, &b, requested, numerical) {
                continue;
            }
            let test = sketched::resolve(&a, &b, requested);
            let Some(inner) = sketched::exact_edges(&a, &b, exact_reference, test) else {
                continue;
            };
            let pending_reference =
                (exact_reference.is_none() && a.cdf_error() > 0.0).then_some(a.n());
            let mut current = None;
            let mut pending_current = None;
            match current_values {
                Some(values) => current = Some(count(values, &inner).0),
                None if b.cdf_error() > 0.0 => pending_current = Some(b.n()),
                None => {}
            }
            if pending_reference.is_none() && pending_current.is_none() && current.is_none() {
                continue;
            }
            planned.push(Planned {
                name: f.name.clone(),
                bins: ColumnBins {
                    inner,
                    reference: None,
                    current: current.map(|c| c.into_iter().map(|k| k as f64).collect()),
                    notes: Vec::new(),
                },
                pending_reference,
                pending_current,
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
    /// Columns of `side` that a counting pass over that table would make exact
    /// (empty: no pass needed).
    #[must_use]
    pub fn columns(&self, side: BinSide) -> Vec<String> {
        self.planned
            .iter()
            .filter(|p| p.pending(side).is_some())
            .map(|p| p.name.clone())
            .collect()
    }

    /// A counter for the pending columns of `side`.
    #[must_use]
    pub fn counter(&self, side: BinSide) -> BinCounter {
        BinCounter {
            side,
            columns: self
                .planned
                .iter()
                .filter(|p| p.pending(side).is_some())
                .map(|p| {
                    (
                        p.name.clone(),
                        p.bins.inner.clone(),
                        vec![0; p.bins.inner.len() + 1],
                    )
                })
                .collect(),
        }
    }

    /// Takes a finished counter's counts.
    ///
    /// # Errors
    /// [`Error::PassDisagrees`] when a column's count differs from the first pass's
    /// (the table changed between the two reads, or another table was read).
    pub fn add(&mut self, counter: BinCounter) -> Result<(), Error> {
        let side = counter.side;
        for (name, _, counts) in counter.columns {
            let Some(p) = self.planned.iter_mut().find(|p| p.name == name) else {
                continue;
            };
            let Some(first) = p.pending(side) else {
                continue;
            };
            let second: u64 = counts.iter().sum();
            if second != first {
                return Err(Error::PassDisagrees {
                    column: name,
                    side: side.as_str(),
                    first,
                    second,
                });
            }
            let counts = Some(counts.into_iter().map(|k| k as f64).collect());
            match side {
                BinSide::Reference => {
                    p.bins.reference = counts;
                    p.pending_reference = None;
                }
                BinSide::Current => {
                    p.bins.current = counts;
                    p.pending_current = None;
                }
            }
        }
        Ok(())
    }

    /// `side` cannot be read again (`why`): its pending columns keep bins estimated
    /// from the sketch, and their rows say why.
    pub fn cannot_count(&mut self, side: BinSide, why: &str) {
        for p in &mut self.planned {
            if p.pending(side).is_some() {
                p.bins.notes.push(format!(
                    "the bins of the {} are estimated from its sketch: {why}",
                    side.as_str()
                ));
                match side {
                    BinSide::Reference => p.pending_reference = None,
                    BinSide::Current => p.pending_current = None,
                }
            }
        }
    }

    /// The bins by column, for [`FrameSummary::with_bins`].
    pub(crate) fn into_bins(self) -> Vec<(String, ColumnBins)> {
        self.planned.into_iter().map(|p| (p.name, p.bins)).collect()
    }
}

impl BinCounter {
    /// Counts one chunk.
    ///
    /// # Errors
    /// [`Error::ChunkChanged`] when the chunk lacks a counted column or holds it as
    /// categories.
    pub fn push(&mut self, chunk: &Frame) -> Result<(), Error> {
        for (name, inner, counts) in &mut self.columns {
            let changed = |found: &'static str| Error::ChunkChanged {
                column: name.clone(),
                first: ColumnKind::Numeric.as_str(),
                found,
            };
            match chunk.column(name) {
                Ok(Column::Numeric(x)) => {
                    let owned;
                    let values = match x.as_slice() {
                        Some(s) => s,
                        None => {
                            owned = x.to_vec();
                            &owned
                        }
                    };
                    let (got, _) = count(values, inner);
                    counts.iter_mut().zip(got).for_each(|(k, g)| *k += g);
                }
                Ok(other) => return Err(changed(other.kind().as_str())),
                Err(_) => return Err(changed("absent")),
            }
        }
        Ok(())
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
    /// The summary with the exact bin counts of `plan` (after its counting passes),
    /// used by [`DriftReference::report_summary`] and
    /// [`DriftReference::check_summary`] in place of the sketches' estimates.
    #[must_use]
    pub fn with_bins(mut self, plan: BinPlan) -> Self {
        self.set_bins(plan.into_bins());
        self
    }
}
