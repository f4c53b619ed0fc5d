//! Drift over tables read in chunks, in bounded memory: [`FrameSummary`] takes the
//! chunks of a table (any `Iterator<Item = Result<Frame, E>>`: CSV chunks from
//! `driftwatch_core::CsvChunks`, Parquet row groups, ...) and keeps per column what a
//! check needs, then [`FrameSummary::into_reference`] gives the fitted reference and
//! [`DriftReference::report_summary`] checks a summarised current table.
//!
//! What is kept per column:
//! - categorical: counts by label, missing count (exact, as large as the levels);
//! - numeric: the values in their order (exact) while the summaries together fit in
//!   `memory_limit` bytes; when they do not, the largest exact numeric column is
//!   turned into a [`QuantileSketch`] (bounded size, stated error), then the next,
//!   until they fit.
//!
//! An input whose summaries fit the limit gives the same reference and the same report,
//! bit for bit, as reading it whole ([`DriftReference::fit`], [`DriftReference::report`]):
//! the exact values are the column's, and categorical counts add. A sketched column's
//! row says `exact: false` with its `max_cdf_error` (docs/DRIFT.md, "Bounded memory").

use std::collections::BTreeMap;

use ndarray::Array1;
use thiserror::Error as ThisError;

use driftwatch_core::{Column, ColumnKind, Frame};

use crate::Error;
use crate::binpass::ColumnBins;
use crate::columns::check::{View, ViewData, check_column, empty_row, one_sided};
use crate::columns::correction::apply_correction;
use crate::columns::{
    ColumnDrift, ColumnReference, DataIssue, DriftOptions, DriftReference, DriftReport,
    FittedColumn, NumericReference,
};
use crate::sketch::{DEFAULT_LEVEL_CAPACITY, QuantileSketch};

/// Default memory limit of the summaries (512 MiB).
pub const DEFAULT_MEMORY_LIMIT: usize = 512 << 20;

/// Why a streamed table could not be summarised: the chunk source's own error, or a
/// chunk that does not match the first.
#[derive(Debug, ThisError)]
pub enum StreamError<E: std::error::Error + 'static> {
    /// The source of the chunks failed (a parse error, an I/O error).
    #[error(transparent)]
    Read(E),
    /// A chunk lacks a column or changed its kind.
    #[error(transparent)]
    Chunk(#[from] Error),
    /// A column asked for is not in the table.
    #[error(transparent)]
    Column(driftwatch_core::Error),
}

/// What is kept of one column.
#[derive(Debug, Clone)]
enum Kept {
    /// Every value, in order (NaN = missing).
    Values(Vec<f64>),
    /// A sketch of the non-missing values.
    Sketch {
        sketch: Box<QuantileSketch>,
        missing: usize,
    },
    /// Counts by label as read.
    Counts {
        counts: BTreeMap<String, usize>,
        missing: usize,
    },
}

impl Kept {
    fn bytes(&self) -> usize {
        match self {
            Kept::Values(v) => 8 * v.capacity(),
            Kept::Sketch { sketch, .. } => sketch.heap_bytes(),
            Kept::Counts { counts, .. } => counts.keys().map(|k| k.len() + 64).sum(),
        }
    }
}

/// What a [`FrameSummary`] keeps of one column ([`FrameSummary::columns`]).
#[derive(Debug, Clone, Copy)]
pub enum SummaryColumn<'a> {
    /// Every value, in order (NaN = missing).
    Values(&'a [f64]),
    /// A sketch of the non-missing values, and the missing count.
    Sketch(&'a QuantileSketch, usize),
    /// Counts by label, and the missing count.
    Counts(&'a BTreeMap<String, usize>, usize),
}

/// The per-column summary of a table read in chunks (see the module docs).
#[derive(Debug, Clone)]
pub struct FrameSummary {
    wanted: Vec<String>,
    names: Vec<String>,
    kinds: Vec<ColumnKind>,
    kept: Vec<Kept>,
    rows: Vec<usize>,
    memory_limit: usize,
    capacity: usize,
    chunks: usize,
    /// Exact bin counts of sketched columns (`crate::binpass`), by column.
    bins: Vec<(String, ColumnBins)>,
}

impl FrameSummary {
    /// An empty summary of `columns` (every column of the first chunk when empty),
    /// keeping exact values within `memory_limit` bytes.
    #[must_use]
    pub fn new(columns: &[String], memory_limit: usize) -> Self {
        FrameSummary {
            wanted: columns.to_vec(),
            names: Vec::new(),
            kinds: Vec::new(),
            kept: Vec::new(),
            rows: Vec::new(),
            memory_limit,
            capacity: DEFAULT_LEVEL_CAPACITY,
            chunks: 0,
            bins: Vec::new(),
        }
    }

    /// Sketches keep `capacity` items per level (the default suits the default limit;
    /// tests use small ones to sketch small inputs).
    #[must_use]
    pub fn with_sketch_capacity(mut self, capacity: usize) -> Self {
        self.capacity = capacity;
        self
    }

    /// The summary a fitted reference stands for (an engine summarised the table
    /// elsewhere): exact samples as values, sketches kept as sketches (so their rows
    /// say `exact: false`, as the local path's), counts as counts. Reading
    /// [`DriftReference::to_frame`] gives the same summary for exact columns.
    #[must_use]
    pub fn from_reference(reference: DriftReference) -> Self {
        let mut summary = FrameSummary::new(&[], usize::MAX);
        for c in reference.columns {
            let kind = c.kind();
            let kept = match c.reference {
                ColumnReference::Numeric(n) => {
                    let mut values = n.map_or_else(Vec::new, |n| n.sorted.sorted_values().to_vec());
                    values.extend(std::iter::repeat_n(f64::NAN, c.missing));
                    Kept::Values(values)
                }
                ColumnReference::Sketch(sketch) => Kept::Sketch {
                    sketch,
                    missing: c.missing,
                },
                ColumnReference::Categorical { levels, counts } => Kept::Counts {
                    counts: levels
                        .into_iter()
                        .zip(counts)
                        .filter(|(_, k)| *k > 0.0)
                        .map(|(l, k)| (l, k as usize))
                        .collect(),
                    missing: c.missing,
                },
            };
            summary.names.push(c.name);
            summary.kinds.push(kind);
            summary.kept.push(kept);
            summary.rows.push(c.rows);
        }
        summary.chunks = usize::from(!summary.names.is_empty());
        summary
    }

    /// Summarises every chunk of `chunks`.
    ///
    /// # Errors
    /// The source's error, a column asked for that the first chunk lacks, or a later
    /// chunk that lacks a column or changed its kind.
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

    /// Adds one chunk.
    ///
    /// # Errors
    /// As [`FrameSummary::read`].
    pub fn push<E: std::error::Error + 'static>(
        &mut self,
        chunk: &Frame,
    ) -> Result<(), StreamError<E>> {
        if self.chunks == 0 {
            self.names = if self.wanted.is_empty() {
                chunk.names().to_vec()
            } else {
                self.wanted.clone()
            };
            for name in &self.names {
                let col = chunk.column(name).map_err(StreamError::Column)?;
                self.kinds
                    .push(chunk.kind(name).map_err(StreamError::Column)?);
                self.kept.push(match col {
                    Column::Numeric(_) => Kept::Values(Vec::new()),
                    Column::Categorical(_) => Kept::Counts {
                        counts: BTreeMap::new(),
                        missing: 0,
                    },
                });
                self.rows.push(0);
            }
        }
        self.chunks += 1;
        for (j, name) in self.names.iter().enumerate() {
            let first = self.kinds[j];
            let changed = |found: &'static str| Error::ChunkChanged {
                column: name.clone(),
                first: first.as_str(),
                found,
            };
            let col = chunk.column(name).map_err(|_| changed("absent"))?;
            let kind = chunk.kind(name).map_err(StreamError::Column)?;
            // an all-missing boolean chunk reads as categories: same storage, no change
            let empty_boolean = first == ColumnKind::Boolean
                && kind == ColumnKind::Categorical
                && col.missing_count() == col.len();
            if kind != first && !empty_boolean {
                return Err(changed(kind.as_str()).into());
            }
            self.rows[j] += col.len();
            match (&mut self.kept[j], col) {
                (Kept::Values(v), Column::Numeric(x)) => match x.as_slice() {
                    Some(s) => v.extend_from_slice(s),
                    None => v.extend(x.iter().copied()),
                },
                (Kept::Sketch { sketch, missing }, Column::Numeric(x)) => {
                    let x = x.to_vec();
                    *missing += x.iter().filter(|v| v.is_nan()).count();
                    sketch.extend(&x);
                }
                (Kept::Counts { counts, missing }, Column::Categorical(c)) => {
                    let mut n = vec![0usize; c.levels.len()];
                    for code in &c.codes {
                        match code.and_then(|k| n.get_mut(k as usize)) {
                            Some(x) => *x += 1,
                            None => *missing += 1,
                        }
                    }
                    for (l, k) in c.levels.iter().zip(n) {
                        if k > 0 {
                            *counts.entry(l.clone()).or_default() += k;
                        }
                    }
                }
                _ => return Err(changed(col.kind().as_str()).into()),
            }
        }
        self.fit_memory();
        Ok(())
    }

    /// Bytes the summaries hold, about.
    #[must_use]
    pub fn bytes(&self) -> usize {
        self.kept.iter().map(Kept::bytes).sum()
    }

    /// Rows summarised.
    #[must_use]
    pub fn n_rows(&self) -> usize {
        self.rows.first().copied().unwrap_or(0)
    }

    /// Names of the columns whose values are sketched.
    #[must_use]
    pub fn sketched(&self) -> Vec<String> {
        self.names
            .iter()
            .zip(&self.kept)
            .filter(|(_, k)| matches!(k, Kept::Sketch { .. }))
            .map(|(n, _)| n.clone())
            .collect()
    }

    /// Each column with its kind and what is kept of it, without giving the summary up
    /// (`driftwatch drift --format html` draws its histograms from these).
    pub fn columns(&self) -> impl Iterator<Item = (&str, ColumnKind, SummaryColumn<'_>)> {
        self.names
            .iter()
            .zip(&self.kinds)
            .zip(&self.kept)
            .map(|((name, &kind), kept)| {
                let column = match kept {
                    Kept::Values(v) => SummaryColumn::Values(v),
                    Kept::Sketch { sketch, missing } => SummaryColumn::Sketch(sketch, *missing),
                    Kept::Counts { counts, missing } => SummaryColumn::Counts(counts, *missing),
                };
                (name.as_str(), kind, column)
            })
    }

    /// A numeric column's values (NaN = missing) when kept exact, its sketch when
    /// not; `None` for a categorical or absent column.
    pub(crate) fn numeric(&self, name: &str) -> Option<Result<&[f64], &QuantileSketch>> {
        match self.columns().find(|(n, _, _)| *n == name)?.2 {
            SummaryColumn::Values(v) => Some(Ok(v)),
            SummaryColumn::Sketch(sketch, _) => Some(Err(sketch)),
            SummaryColumn::Counts(..) => None,
        }
    }

    /// Replaces the exact bin counts the check uses.
    pub(crate) fn set_bins(&mut self, bins: Vec<(String, ColumnBins)>) {
        self.bins = bins;
    }

    /// Sketches the largest exact numeric columns until the summaries fit the limit.
    fn fit_memory(&mut self) {
        while self.bytes() > self.memory_limit {
            let Some(j) = (0..self.kept.len())
                .filter(|&j| matches!(self.kept[j], Kept::Values(_)))
                .max_by_key(|&j| self.kept[j].bytes())
            else {
                return;
            };
            let Kept::Values(values) =
                std::mem::replace(&mut self.kept[j], Kept::Values(Vec::new()))
            else {
                return;
            };
            let mut sketch = QuantileSketch::new(self.capacity);
            sketch.extend(&values);
            let missing = values.len() - sketch.n as usize;
            self.kept[j] = Kept::Sketch {
                sketch: Box::new(sketch),
                missing,
            };
        }
    }

    /// The fitted reference of the summarised table: exact columns as
    /// [`DriftReference::fit`] gives them (a column with no value as "no usable
    /// value"), sketched ones as sketches.
    #[must_use]
    pub fn into_reference(self) -> DriftReference {
        let columns = self
            .names
            .into_iter()
            .zip(self.kinds)
            .zip(self.kept.into_iter().zip(self.rows))
            .map(|((name, kind), (kept, rows))| {
                let (reference, missing, storage) = match kept {
                    Kept::Values(v) => {
                        let missing = v.iter().filter(|x| x.is_nan()).count();
                        let values: Vec<f64> = v.into_iter().filter(|x| !x.is_nan()).collect();
                        (
                            ColumnReference::Numeric(NumericReference::new(values).ok()),
                            missing,
                            ColumnKind::Numeric,
                        )
                    }
                    Kept::Sketch { sketch, missing } => {
                        let r = if sketch.n == 0 {
                            ColumnReference::Numeric(None)
                        } else {
                            ColumnReference::Sketch(sketch)
                        };
                        (r, missing, ColumnKind::Numeric)
                    }
                    Kept::Counts { counts, missing } => {
                        let (levels, counts) =
                            counts.into_iter().map(|(l, k)| (l, k as f64)).unzip();
                        (
                            ColumnReference::Categorical { levels, counts },
                            missing,
                            ColumnKind::Categorical,
                        )
                    }
                };
                FittedColumn {
                    name,
                    reference,
                    missing,
                    rows,
                    meaning: (kind != storage).then_some(kind),
                }
            })
            .collect();
        DriftReference { columns }
    }
}

/// A column of a summary made ready for a check.
enum Ready {
    Column(Column),
    Sketch(Box<QuantileSketch>, usize),
    Counts(BTreeMap<String, usize>, usize),
}

impl DriftReference {
    /// [`DriftReference::report`] on a summarised current table: the same rows for
    /// exact columns, rows from sketches (`exact: false`) for sketched ones.
    #[must_use]
    pub fn report_summary(&self, current: FrameSummary, options: &DriftOptions) -> DriftReport {
        // columns of the current data only: as `report` lists them
        let mut extra = Vec::new();
        for (j, name) in current.names.iter().enumerate() {
            if self.columns.iter().any(|c| &c.name == name) {
                continue;
            }
            let missing = match &current.kept[j] {
                Kept::Values(v) => v.iter().filter(|x| x.is_nan()).count(),
                Kept::Sketch { missing, .. } | Kept::Counts { missing, .. } => *missing,
            };
            extra.push(ColumnDrift {
                issues: vec![DataIssue {
                    kind: "one_sided".into(),
                    status: "alert".into(),
                    message: format!(
                        "column '{name}' is in the current data only; add it to the reference or leave it out of the checked columns"
                    ),
                }],
                note: Some("not in the reference".into()),
                ..empty_row(name, current.kinds[j], 0, missing, f64::NAN)
            });
        }
        let mut columns = self.check_summary(current, options);
        columns.extend(extra);
        DriftReport::from_rows(columns, options)
    }

    /// [`DriftReference::check`] on a summarised current table (the reference's
    /// columns only, corrected).
    #[must_use]
    pub fn check_summary(&self, current: FrameSummary, options: &DriftOptions) -> Vec<ColumnDrift> {
        let bins = current.bins.clone();
        let mut rows = self.check_summary_rows(&current_ready(current), &bins, options);
        apply_correction(&mut rows, options);
        rows
    }

    fn check_summary_rows(
        &self,
        ready: &(Vec<String>, Vec<Ready>),
        bins: &[(String, ColumnBins)],
        options: &DriftOptions,
    ) -> Vec<ColumnDrift> {
        use rayon::prelude::*;
        let (names, cols) = ready;
        self.columns
            .par_iter()
            .map(|f| match names.iter().position(|n| n == &f.name) {
                Some(j) => {
                    let mut view = match &cols[j] {
                        Ready::Column(c) => View::of(c),
                        Ready::Sketch(s, missing) => View {
                            rows: s.n as usize + missing,
                            missing: *missing,
                            storage: ColumnKind::Numeric,
                            data: ViewData::Sketch(s),
                            bins: None,
                        },
                        Ready::Counts(c, missing) => View {
                            rows: c.values().sum::<usize>() + missing,
                            missing: *missing,
                            storage: ColumnKind::Categorical,
                            data: ViewData::Counts(c),
                            bins: None,
                        },
                    };
                    view.bins = bins.iter().find(|b| b.0 == f.name).map(|b| &b.1);
                    check_column(f, &view, options)
                }
                None => one_sided(f, options),
            })
            .collect()
    }
}

fn current_ready(s: FrameSummary) -> (Vec<String>, Vec<Ready>) {
    let ready = s
        .kept
        .into_iter()
        .map(|k| match k {
            Kept::Values(v) => Ready::Column(Column::Numeric(Array1::from(v))),
            Kept::Sketch { sketch, missing } => Ready::Sketch(sketch, missing),
            Kept::Counts { counts, missing } => Ready::Counts(counts, missing),
        })
        .collect();
    (s.names, ready)
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftwatch_core::{CsvChunks, ReadOptions, read_csv};

    /// A table with numeric (many and few values, missing), categorical, boolean and
    /// timestamp columns.
    fn table(n: usize, shift: usize) -> String {
        let mut t = String::from("x,k,c,b,t,g\n");
        for i in 0..n {
            let j = i + shift;
            let x = if i.is_multiple_of(11) {
                "NA".to_string()
            } else {
                format!("{}", ((j * 7919) % 100_003) as f64 / 10.0)
            };
            t.push_str(&format!(
                "{x},{},{},{},2024-01-01 00:{:02}:00,{}\n",
                j % 4,
                ["a", "b", "c", ""][j % 4],
                if j.is_multiple_of(3) { "true" } else { "False" },
                j % 60,
                (j * 31) % 97
            ));
        }
        t
    }

    fn summary(text: &str, chunk: usize, limit: usize) -> FrameSummary {
        let chunks =
            CsvChunks::new(text.as_bytes(), "t.csv", &ReadOptions::default(), chunk).unwrap();
        FrameSummary::new(&[], limit)
            .with_sketch_capacity(256)
            .read(chunks)
            .unwrap()
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]
        /// Within the memory limit, any chunk size gives the whole-file reference and
        /// report exactly.
        #[test]
        fn chunked_exact_results_equal_whole_file_results(n in 1usize..400, chunk in 1usize..500, shift in 0usize..50, test in 0usize..6) {
            let (r, c) = (table(n, 0), table(n / 2 + 1, shift));
            let whole_r = read_csv(r.as_bytes(), "r.csv", &ReadOptions::default()).unwrap();
            let whole_c = read_csv(c.as_bytes(), "c.csv", &ReadOptions::default()).unwrap();
            let fitted = DriftReference::fit(&whole_r, &[]).unwrap();
            let streamed = summary(&r, chunk, usize::MAX).into_reference();
            proptest::prop_assert_eq!(&streamed, &fitted);
            let o = DriftOptions {
                test: ["auto", "ks", "psi", "wasserstein", "chi2", "jensenshannon"][test].parse().unwrap(),
                ..Default::default()
            };
            let want = fitted.report(&whole_c, &o).unwrap();
            let got = streamed.report_summary(summary(&c, chunk, usize::MAX), &o);
            proptest::prop_assert_eq!(
                serde_json::to_string(&got).unwrap(),
                serde_json::to_string(&want).unwrap()
            );
        }
    }

    #[test]
    fn over_the_limit_columns_are_sketched_with_a_stated_bound() {
        let (r, c) = (table(20_000, 0), table(15_000, 3));
        let s = summary(&r, 4096, 64 << 10);
        assert!(
            s.sketched().contains(&"x".to_string()),
            "{:?}",
            s.sketched()
        );
        assert!(s.bytes() <= 64 << 10, "{}", s.bytes());
        let reference = s.into_reference();
        assert!(reference.has_sketch());
        assert_eq!(reference.validate(), Ok(()));
        let o = DriftOptions {
            test: "ks".parse().unwrap(),
            ..Default::default()
        };
        let got = reference.report_summary(summary(&c, 4096, 64 << 10), &o);
        let exact = DriftReference::fit(
            &read_csv(r.as_bytes(), "r", &ReadOptions::default()).unwrap(),
            &[],
        )
        .unwrap()
        .report(
            &read_csv(c.as_bytes(), "c", &ReadOptions::default()).unwrap(),
            &o,
        )
        .unwrap();
        let (x, want) = (&got.columns[0], &exact.columns[0]);
        assert_eq!(x.column, "x");
        assert_eq!(x.exact, Some(false));
        let e = x.max_cdf_error.unwrap();
        assert!(e > 0.0 && e < 0.1, "{e}");
        assert!((x.statistic.unwrap() - want.statistic.unwrap()).abs() <= e);
        assert_eq!(
            (x.n_reference, x.missing_reference),
            (want.n_reference, want.missing_reference)
        );
        // k has 4 values: exact value counts keep it exact though it was sketched
        assert_eq!(got.columns[1].exact, None);
        assert_eq!(got.columns[1].statistic, exact.columns[1].statistic);
        // categorical and boolean counts stay exact
        assert_eq!(got.columns[2].statistic, exact.columns[2].statistic);
        assert_eq!(got.columns[3].statistic, exact.columns[3].statistic);
    }

    /// A sketched column with infinities carries the same `infinite_values` finding,
    /// with the same exact counts, as the whole-sample check.
    #[test]
    fn sketched_rows_count_infinities_exactly() {
        let with_inf = |t: String, every: usize, inf: &str| -> String {
            t.lines()
                .enumerate()
                .map(|(i, l)| match l.split_once(',') {
                    Some((_, rest)) if i > 0 && i % every == 0 => format!("{inf},{rest}\n"),
                    _ => format!("{l}\n"),
                })
                .collect()
        };
        let r = with_inf(table(20_000, 0), 997, "inf");
        let c = with_inf(table(15_000, 3), 1_499, "-inf");
        let o = DriftOptions {
            test: "ks".parse().unwrap(),
            ..Default::default()
        };
        let got = summary(&r, 4096, 64 << 10)
            .into_reference()
            .report_summary(summary(&c, 4096, 64 << 10), &o);
        let frame = |t: &str| read_csv(t.as_bytes(), "t", &ReadOptions::default()).unwrap();
        let want = DriftReference::fit(&frame(&r), &[])
            .unwrap()
            .report(&frame(&c), &o)
            .unwrap();
        let (x, exact) = (&got.columns[0], &want.columns[0]);
        assert_eq!(x.exact, Some(false), "{x:?}");
        let finding = |row: &ColumnDrift| {
            row.issues
                .iter()
                .find(|i| i.kind == "infinite_values")
                .map(|i| i.message.clone())
        };
        let message = finding(x).expect("a sketched row names its infinities");
        assert_eq!(Some(message.clone()), finding(exact));
        assert!(
            message.contains("20 infinite value(s) in the reference and 10 in the current"),
            "{message}"
        );
        assert_eq!(finding(&got.columns[1]), None);
    }

    /// A reference turned back into a summary checks as the table it was fitted on
    /// (exact columns) and keeps its sketches (their rows stay `exact: false`).
    #[test]
    fn from_reference_checks_as_the_table_and_keeps_sketches() {
        let (r, c) = (table(300, 0), table(200, 7));
        let frame = |t: &str| read_csv(t.as_bytes(), "t.csv", &ReadOptions::default()).unwrap();
        let fitted = DriftReference::fit(&frame(&r), &[]).unwrap();
        let o = DriftOptions::default();
        let current = DriftReference::fit(&frame(&c), &[]).unwrap();
        let got = fitted.report_summary(FrameSummary::from_reference(current), &o);
        let want = fitted.report(&frame(&c), &o).unwrap();
        assert_eq!(
            serde_json::to_string(&got).unwrap(),
            serde_json::to_string(&want).unwrap()
        );
        let sketched = summary(&table(20_000, 3), 4096, 64 << 10).into_reference();
        assert!(sketched.has_sketch());
        let back = FrameSummary::from_reference(sketched.clone());
        let names: Vec<String> = sketched
            .columns
            .iter()
            .filter(|c| c.reference.is_sketch())
            .map(|c| c.name.clone())
            .collect();
        assert!(names.contains(&"x".to_string()), "{names:?}");
        assert_eq!(back.sketched(), names);
        assert_eq!(back.n_rows(), 20_000);
        assert_eq!(back.into_reference(), sketched);
    }

    #[test]
    fn columns_show_what_is_kept() {
        let s = summary("x,c\n1,a\nNA,b\n2,a\n", 2, usize::MAX);
        let cols: Vec<_> = s.columns().collect();
        assert_eq!(cols.len(), 2);
        let (name, kind, SummaryColumn::Values(v)) = cols[0] else {
            panic!("x is kept exactly");
        };
        assert_eq!(
            (name, kind, v.len(), v[2]),
            ("x", ColumnKind::Numeric, 3, 2.0)
        );
        assert!(v[1].is_nan());
        let ("c", ColumnKind::Categorical, SummaryColumn::Counts(counts, 0)) = cols[1] else {
            panic!("c is counted");
        };
        assert_eq!(counts.get("a"), Some(&2));
        let big = summary(&table(5_000, 0), 1024, 4 << 10);
        assert!(
            big.columns()
                .any(|(n, _, c)| n == "x"
                    && matches!(c, SummaryColumn::Sketch(s, 455) if s.n == 4545))
        );
    }

    #[test]
    fn a_later_chunk_of_another_kind_is_an_error() {
        let a = read_csv("x\n1\n".as_bytes(), "a", &ReadOptions::default()).unwrap();
        let b = read_csv("x\nq\n".as_bytes(), "b", &ReadOptions::default()).unwrap();
        let chunks: Vec<Result<Frame, std::io::Error>> = vec![Ok(a), Ok(b)];
        let e = FrameSummary::new(&[], usize::MAX).read(chunks).unwrap_err();
        assert_eq!(
            e.to_string(),
            "column 'x' is numeric in the first chunk but categorical in a later one; read every chunk with the same columns and kinds (list the column as categorical)"
        );
    }
}
