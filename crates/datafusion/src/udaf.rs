//! The aggregate functions. Each keeps, per group and partition, the driftwatch
//! reference of the column it has seen (what [`DriftReference::fit`] learns: sorted
//! sample, decile counts, category counts); partial states are that reference as `.dwr`
//! bytes, and partitions combine by [`DriftReference::merge`], which equals fitting on
//! the union. So the SQL answer equals the local one whatever the partitioning.

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, AsArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{DataFusionError, Result as DfResult, ScalarValue};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::utils::format_state_name;
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, Signature, TypeSignature, Volatility,
};
use datafusion::physical_expr::expressions::Literal;
use datafusion::prelude::SessionContext;
use driftwatch_core::{Column, ColumnKind, Frame};
use driftwatch_drift::columns::{
    ColumnDrift, ColumnReference, DriftOptions, DriftReference, FittedColumn, TestKind,
};
use driftwatch_drift::reference_file::{
    DEFAULT_MAX_REFERENCE_BYTES, reference_from_bytes, reference_to_bytes,
};
use driftwatch_drift::sketch::{DEFAULT_LEVEL_CAPACITY, QuantileSketch};
use driftwatch_drift::streaming::FrameSummary;

use driftwatch_columnar::{column_of_array, kind_of};

/// Any error of ours as DataFusion's, so a query fails with our message.
pub(crate) fn external(e: impl std::error::Error + Send + Sync + 'static) -> DataFusionError {
    DataFusionError::External(Box::new(e))
}

fn plan_error(message: String) -> DataFusionError {
    DataFusionError::Plan(message)
}

/// Bytes one state may hold when the query gives no limit (`drift_reference(col)`
/// without its second argument, and the current side of the check functions): 64 MiB,
/// about 8.4 million exact values; a sketch of any row count is far smaller
/// (docs/DISTRIBUTED.md, "State sizes").
pub const DEFAULT_STATE_LIMIT: usize = 64 << 20;

/// The partial summary of one column: what has been fitted so far, plus numeric values
/// not fitted yet (they are sorted once, when the state leaves the partition). Its bytes
/// stay under `limit`: past it, the numeric sample becomes a [`QuantileSketch`] of
/// [`DEFAULT_LEVEL_CAPACITY`] items per level (as the local path's `FrameSummary` does),
/// and later values and merged states go into that sketch.
#[derive(Debug)]
struct Summary {
    name: String,
    kind: ColumnKind,
    fitted: Option<DriftReference>,
    pending: Vec<f64>,
    limit: usize,
}

/// Bytes a fitted column holds, about (what [`Accumulator::size`] reports).
fn column_bytes(c: &FittedColumn) -> usize {
    c.name.capacity()
        + match &c.reference {
            ColumnReference::Numeric(None) => 0,
            ColumnReference::Numeric(Some(n)) => {
                8 * (n.sorted.len() + n.psi_edges.capacity() + n.psi_counts.capacity())
            }
            ColumnReference::Sketch(s) => s.heap_bytes(),
            ColumnReference::Categorical { levels, counts } => {
                levels
                    .iter()
                    .map(|l| l.capacity() + std::mem::size_of::<String>())
                    .sum::<usize>()
                    + 8 * counts.capacity()
            }
        }
}

impl Summary {
    fn new(name: &str, data_type: &DataType, function: &str, limit: usize) -> DfResult<Self> {
        let kind = kind_of(data_type).ok_or_else(|| {
            plan_error(format!(
                "{function}: column '{name}' is {data_type}, which drift cannot compare; \
                 pass a number, string, boolean, date or timestamp column"
            ))
        })?;
        Ok(Summary {
            name: name.to_string(),
            kind,
            fitted: None,
            pending: Vec::new(),
            limit,
        })
    }

    fn fit(&self, column: Column) -> DfResult<DriftReference> {
        let mut frame = Frame::new(vec![(self.name.clone(), column)]).map_err(external)?;
        frame.set_kind(&self.name, self.kind).map_err(external)?;
        DriftReference::fit(&frame, &[]).map_err(external)
    }

    fn is_sketch(&self) -> bool {
        self.fitted.as_ref().is_some_and(DriftReference::has_sketch)
    }

    /// Sketches the numeric state when it is a sketch already or has outgrown the limit.
    fn bound(&mut self) -> DfResult<()> {
        if self.kind.storage() == ColumnKind::Numeric
            && (self.is_sketch() || self.size() > self.limit)
        {
            self.sketch()?;
        }
        Ok(())
    }

    /// Turns the fitted sample (if exact) into a sketch and adds the pending values.
    fn sketch(&mut self) -> DfResult<()> {
        let values = std::mem::take(&mut self.pending);
        let mut fitted = match self.fitted.take() {
            Some(f) => f,
            None => self.fit(Column::Numeric(Default::default()))?,
        };
        let [column] = fitted.columns.as_mut_slice() else {
            return Err(DataFusionError::Internal(
                "a drift summary of one column holds several".into(),
            ));
        };
        let mut sketch =
            match std::mem::replace(&mut column.reference, ColumnReference::Numeric(None)) {
                ColumnReference::Sketch(s) => *s,
                ColumnReference::Numeric(n) => n.map_or_else(
                    || QuantileSketch::new(DEFAULT_LEVEL_CAPACITY),
                    |n| n.sketch(DEFAULT_LEVEL_CAPACITY),
                ),
                ColumnReference::Categorical { .. } => {
                    return Err(DataFusionError::Internal(format!(
                        "column '{}' has category counts where a sample was expected",
                        self.name
                    )));
                }
            };
        sketch.extend(&values);
        column.missing += values.iter().filter(|v| v.is_nan()).count();
        column.rows += values.len();
        column.reference = ColumnReference::Sketch(Box::new(sketch));
        self.fitted = Some(fitted);
        Ok(())
    }

    fn absorb(&mut self, mut part: DriftReference) -> DfResult<()> {
        if part.columns.len() != 1 {
            return Err(plan_error(format!(
                "a partial drift state holds {} columns, expected one; states of different functions were mixed",
                part.columns.len()
            )));
        }
        part.columns[0].name.clone_from(&self.name);
        self.fitted = Some(match self.fitted.take() {
            None => part,
            Some(f) => f.merge(&part).map_err(external)?,
        });
        self.bound()
    }

    fn update(&mut self, array: &ArrayRef) -> DfResult<()> {
        let (column, _) =
            column_of_array("a batch of the query", &self.name, array, 0).map_err(external)?;
        match column {
            Column::Numeric(v) => {
                self.pending.extend(v.iter().copied());
                self.bound()?;
            }
            categorical => {
                let part = self.fit(categorical)?;
                self.absorb(part)?;
            }
        }
        Ok(())
    }

    fn merge_states(&mut self, states: &ArrayRef) -> DfResult<()> {
        let states = cast(states, &DataType::Binary)?;
        for bytes in states.as_binary::<i32>().iter().flatten() {
            let part =
                reference_from_bytes(bytes, DEFAULT_MAX_REFERENCE_BYTES).map_err(external)?;
            self.absorb(part)?;
        }
        Ok(())
    }

    /// The reference of everything seen (pending values fitted now).
    fn finish(&mut self) -> DfResult<&DriftReference> {
        if !self.pending.is_empty() || self.fitted.is_none() {
            let column = match self.kind.storage() {
                ColumnKind::Numeric => {
                    Column::Numeric(std::mem::take(&mut self.pending).into_iter().collect())
                }
                _ => Column::Categorical(driftwatch_core::Categorical::default()),
            };
            let part = self.fit(column)?;
            self.absorb(part)?;
        }
        self.fitted
            .as_ref()
            .ok_or_else(|| DataFusionError::Internal("drift summary lost its state".into()))
    }

    fn bytes(&mut self) -> DfResult<Vec<u8>> {
        reference_to_bytes(self.finish()?).map_err(external)
    }

    fn size(&self) -> usize {
        let fitted = self
            .fitted
            .as_ref()
            .map_or(0, |f| f.columns.iter().map(column_bytes).sum::<usize>());
        std::mem::size_of::<Self>() + self.pending.capacity() * 8 + fitted
    }
}

/// `drift_reference(col [, state_limit])`: the `.dwr` bytes of the column's driftwatch
/// reference (the same bytes `driftwatch reference build` writes for that one column
/// while it fits). `state_limit` (an integer literal, bytes; default
/// [`DEFAULT_STATE_LIMIT`]) bounds every partial and merged state: a numeric column
/// beyond it is summarised by a quantile sketch. It is an argument, not a setting of
/// the registered function, so it travels with the plan to Ballista's executors.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct DriftReferenceUdaf {
    signature: Signature,
}

impl Default for DriftReferenceUdaf {
    fn default() -> Self {
        DriftReferenceUdaf {
            signature: Signature::one_of(
                vec![TypeSignature::Any(1), TypeSignature::Any(2)],
                Volatility::Immutable,
            ),
        }
    }
}

/// The accumulator of `drift_reference`.
#[derive(Debug)]
struct ReferenceAccumulator(Summary);

impl Accumulator for ReferenceAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> DfResult<()> {
        self.0.update(first(values)?)
    }
    fn evaluate(&mut self) -> DfResult<ScalarValue> {
        Ok(ScalarValue::Binary(Some(self.0.bytes()?)))
    }
    fn size(&self) -> usize {
        self.0.size()
    }
    fn state(&mut self) -> DfResult<Vec<ScalarValue>> {
        Ok(vec![self.evaluate()?])
    }
    fn merge_batch(&mut self, states: &[ArrayRef]) -> DfResult<()> {
        self.0.merge_states(first(states)?)
    }
}

fn first(values: &[ArrayRef]) -> DfResult<&ArrayRef> {
    values
        .first()
        .ok_or_else(|| DataFusionError::Internal("drift function called without input".into()))
}

/// The column an aggregate reads: its name and type.
fn input(args: &AccumulatorArgs<'_>) -> DfResult<(String, DataType)> {
    let field = args
        .expr_fields
        .first()
        .ok_or_else(|| DataFusionError::Internal("drift function without argument".into()))?;
    Ok((field.name().clone(), field.data_type().clone()))
}

impl AggregateUDFImpl for DriftReferenceUdaf {
    fn name(&self) -> &str {
        "drift_reference"
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _: &[DataType]) -> DfResult<DataType> {
        Ok(DataType::Binary)
    }
    fn accumulator(&self, args: AccumulatorArgs<'_>) -> DfResult<Box<dyn Accumulator>> {
        let (name, data_type) = input(&args)?;
        Ok(Box::new(ReferenceAccumulator(Summary::new(
            &name,
            &data_type,
            self.name(),
            state_limit(&args)?,
        )?)))
    }
    fn state_fields(&self, args: StateFieldsArgs<'_>) -> DfResult<Vec<FieldRef>> {
        Ok(vec![Arc::new(Field::new(
            format_state_name(args.name, "reference"),
            DataType::Binary,
            true,
        ))])
    }
}

/// What a check function returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Output {
    /// The report row as JSON (`drift_check`).
    Row,
    /// The statistic of a fixed test (`drift_psi`, ...).
    Statistic(&'static str),
}

/// `drift_check(col, reference [, test])` (the report row of the column as JSON, the
/// test `auto` unless named) and the `drift_psi/js/chi2/ks/wasserstein(col, reference)`
/// family (the statistic). `reference` is `.dwr` bytes: from `drift_reference` of the
/// reference data (a join or a subquery), or a literal.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct DriftCheckUdaf {
    name: &'static str,
    output: Output,
    signature: Signature,
}

impl DriftCheckUdaf {
    /// `drift_check`.
    #[must_use]
    pub fn row() -> Self {
        DriftCheckUdaf {
            name: "drift_check",
            output: Output::Row,
            signature: Signature::one_of(
                vec![TypeSignature::Any(2), TypeSignature::Any(3)],
                Volatility::Immutable,
            ),
        }
    }

    /// `name(col, reference)`: the statistic of `test` (a driftwatch test name).
    #[must_use]
    pub fn statistic(name: &'static str, test: &'static str) -> Self {
        DriftCheckUdaf {
            name,
            output: Output::Statistic(test),
            signature: Signature::any(2, Volatility::Immutable),
        }
    }
}

/// The state limit given as the second argument of `drift_reference` (a positive
/// integer literal), or the default.
fn state_limit(args: &AccumulatorArgs<'_>) -> DfResult<usize> {
    let Some(expr) = args.exprs.get(1) else {
        return Ok(DEFAULT_STATE_LIMIT);
    };
    let limit = match expr.downcast_ref::<Literal>().map(Literal::value) {
        Some(ScalarValue::Int64(Some(n))) => usize::try_from(*n).ok(),
        Some(ScalarValue::UInt64(Some(n))) => usize::try_from(*n).ok(),
        Some(ScalarValue::Int32(Some(n))) => usize::try_from(*n).ok(),
        _ => None,
    };
    limit.filter(|&n| n > 0).ok_or_else(|| {
        plan_error(
            "drift_reference: the second argument must be the state limit in bytes as a positive integer literal, such as 67108864".into(),
        )
    })
}

/// The test named by the third argument of `drift_check`, which must be a literal.
fn test_argument(args: &AccumulatorArgs<'_>) -> DfResult<TestKind> {
    let Some(expr) = args.exprs.get(2) else {
        return Ok(TestKind::Auto);
    };
    let name = match expr.downcast_ref::<Literal>().map(Literal::value) {
        Some(
            ScalarValue::Utf8(Some(s))
            | ScalarValue::LargeUtf8(Some(s))
            | ScalarValue::Utf8View(Some(s)),
        ) => s.clone(),
        _ => {
            return Err(plan_error(
                "drift_check: the third argument must be a test name as a string literal, such as 'ks'".into(),
            ));
        }
    };
    name.parse::<TestKind>()
        .map_err(|e| plan_error(format!("drift_check: {e}")))
}

impl AggregateUDFImpl for DriftCheckUdaf {
    fn name(&self) -> &str {
        self.name
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _: &[DataType]) -> DfResult<DataType> {
        Ok(match self.output {
            Output::Row => DataType::Utf8,
            Output::Statistic(_) => DataType::Float64,
        })
    }
    fn accumulator(&self, args: AccumulatorArgs<'_>) -> DfResult<Box<dyn Accumulator>> {
        let (name, data_type) = input(&args)?;
        let test = match self.output {
            Output::Row => test_argument(&args)?,
            Output::Statistic(t) => t
                .parse::<TestKind>()
                .map_err(|e| plan_error(format!("{}: {e}", self.name)))?,
        };
        let options = DriftOptions {
            test,
            ..Default::default()
        };
        options.check().map_err(|e| {
            plan_error(format!(
                "{}: {}",
                self.name,
                e.render(|o| o.key().to_string())
            ))
        })?;
        Ok(Box::new(CheckAccumulator {
            function: self.name,
            output: self.output,
            options,
            current: Summary::new(&name, &data_type, self.name, DEFAULT_STATE_LIMIT)?,
            reference: None,
        }))
    }
    fn state_fields(&self, args: StateFieldsArgs<'_>) -> DfResult<Vec<FieldRef>> {
        Ok(vec![
            Arc::new(Field::new(
                format_state_name(args.name, "current"),
                DataType::Binary,
                true,
            )),
            Arc::new(Field::new(
                format_state_name(args.name, "reference"),
                DataType::Binary,
                true,
            )),
        ])
    }
}

/// The accumulator of the check functions: the current column's summary and the
/// reference bytes it is checked against.
#[derive(Debug)]
struct CheckAccumulator {
    function: &'static str,
    output: Output,
    options: DriftOptions,
    current: Summary,
    reference: Option<Vec<u8>>,
}

impl CheckAccumulator {
    /// Keeps the first reference seen; a different one is an error (a check compares
    /// one reference).
    fn take_reference(&mut self, array: &ArrayRef) -> DfResult<()> {
        let array = cast(array, &DataType::Binary)?;
        let Some(bytes) = array.as_binary::<i32>().iter().flatten().next() else {
            return Ok(());
        };
        match &self.reference {
            None => self.reference = Some(bytes.to_vec()),
            Some(r) if r.as_slice() == bytes => {}
            Some(_) => {
                return Err(plan_error(format!(
                    "{}: the reference argument differs between rows; pass one reference (drift_reference of the reference data)",
                    self.function
                )));
            }
        }
        Ok(())
    }

    /// The report row of the current column against the reference.
    fn row(&mut self) -> DfResult<ColumnDrift> {
        let bytes = self.reference.as_deref().ok_or_else(|| {
            plan_error(format!(
                "{}: no reference: pass drift_reference(col) of the reference data as the second argument",
                self.function
            ))
        })?;
        let reference =
            reference_from_bytes(bytes, DEFAULT_MAX_REFERENCE_BYTES).map_err(external)?;
        let name = self.current.name.clone();
        let column = match reference.columns.as_slice() {
            [one] => one.clone(),
            many => many.iter().find(|c| c.name == name).cloned().ok_or_else(|| {
                plan_error(format!(
                    "{}: the reference holds columns {} but not '{name}'; pass the reference of that column",
                    self.function,
                    reference.names().join(",")
                ))
            })?,
        };
        let mut column = column;
        column.name.clone_from(&name);
        let reference = DriftReference {
            columns: vec![column],
        };
        // a sketched current column stays a sketch (its row says `exact: false`)
        let current = FrameSummary::from_reference(self.current.finish()?.clone());
        reference
            .check_summary(current, &self.options)
            .into_iter()
            .next()
            .ok_or_else(|| DataFusionError::Internal("drift check returned no row".into()))
    }
}

impl Accumulator for CheckAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> DfResult<()> {
        let (Some(current), Some(reference)) = (values.first(), values.get(1)) else {
            return Err(DataFusionError::Internal(format!(
                "{} called with {} arguments",
                self.function,
                values.len()
            )));
        };
        self.take_reference(reference)?;
        self.current.update(current)
    }
    fn evaluate(&mut self) -> DfResult<ScalarValue> {
        let row = self.row()?;
        Ok(match self.output {
            Output::Row => ScalarValue::Utf8(Some(serde_json_row(&row).map_err(external)?)),
            Output::Statistic(_) => ScalarValue::Float64(row.statistic),
        })
    }
    fn size(&self) -> usize {
        self.current.size() + self.reference.as_ref().map_or(0, Vec::len)
    }
    fn state(&mut self) -> DfResult<Vec<ScalarValue>> {
        Ok(vec![
            ScalarValue::Binary(Some(self.current.bytes()?)),
            ScalarValue::Binary(self.reference.clone()),
        ])
    }
    fn merge_batch(&mut self, states: &[ArrayRef]) -> DfResult<()> {
        let (Some(current), Some(reference)) = (states.first(), states.get(1)) else {
            return Err(DataFusionError::Internal(format!(
                "{}: partial state of {} fields, expected 2",
                self.function,
                states.len()
            )));
        };
        self.take_reference(reference)?;
        self.current.merge_states(current)
    }
}

fn serde_json_row(row: &ColumnDrift) -> Result<String, serde_json::Error> {
    serde_json::to_string(row)
}

/// The statistic functions: SQL name and driftwatch test.
pub const STATISTIC_FUNCTIONS: [(&str, &str); 5] = [
    ("drift_psi", "psi"),
    ("drift_js", "jensenshannon"),
    ("drift_chi2", "chi2"),
    ("drift_ks", "ks"),
    ("drift_wasserstein", "wasserstein"),
];

/// Every driftwatch aggregate function, for a context or a function registry (the
/// Ballista executor registers the same list).
#[must_use]
pub fn functions() -> Vec<AggregateUDF> {
    let mut out = vec![
        AggregateUDF::from(DriftReferenceUdaf::default()),
        AggregateUDF::from(DriftCheckUdaf::row()),
        AggregateUDF::from(crate::bins::DriftBinsUdaf::default()),
    ];
    out.extend(
        STATISTIC_FUNCTIONS
            .iter()
            .map(|(name, test)| AggregateUDF::from(DriftCheckUdaf::statistic(name, test))),
    );
    out
}

/// Registers driftwatch's aggregate functions on `ctx` (`drift_reference`,
/// `drift_check`, the statistic family and `drift_bins`).
pub fn register(ctx: &SessionContext) {
    for f in functions() {
        ctx.register_udaf(f);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use datafusion::arrow::array::{BinaryArray, Float64Array};

    /// Values with many distinct numbers (a sketch of them is approximate).
    fn values(n: usize, seed: u64) -> Vec<f64> {
        let mut s = seed;
        (0..n)
            .map(|i| {
                s = s
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                if i % 50 == 0 {
                    f64::NAN
                } else {
                    (s >> 11) as f64 / (1u64 << 40) as f64
                }
            })
            .collect()
    }

    fn summary(limit: usize) -> Summary {
        Summary::new("x", &DataType::Float64, "drift_reference", limit).unwrap()
    }

    /// Whatever the partitioning, every partial state and the merged one stay within
    /// the limit (in memory, and as shipped bytes up to MessagePack's 9 bytes per
    /// 8-byte value), count every row, and turn to a sketch once the data outgrows it.
    #[test]
    fn states_stay_within_the_limit_for_any_partitioning() {
        let limit = 1 << 20;
        let all = values(300_000, 7);
        for (n, partitions) in [
            (1_000, 1),
            (50_000, 1),
            (50_000, 3),
            (300_000, 1),
            (300_000, 2),
            (300_000, 3),
            (300_000, 5),
        ] {
            let data = &all[..n];
            let mut states = Vec::new();
            for p in 0..partitions {
                let mut s = summary(limit);
                let part = &data[n * p / partitions..n * (p + 1) / partitions];
                for batch in part.chunks(8192) {
                    let array: ArrayRef = Arc::new(Float64Array::from(batch.to_vec()));
                    s.update(&array).unwrap();
                    assert!(s.size() <= limit, "{n} rows, {partitions}: {}", s.size());
                }
                let bytes = s.bytes().unwrap();
                assert!(s.size() <= limit, "{}", s.size());
                assert!(bytes.len() <= limit / 8 * 9 + 4096, "{}", bytes.len());
                states.push(bytes);
            }
            let mut merged = summary(limit);
            let array: ArrayRef = Arc::new(BinaryArray::from_iter_values(states.iter()));
            merged.merge_states(&array).unwrap();
            assert!(merged.size() <= limit, "{}", merged.size());
            let reference = merged.finish().unwrap().clone();
            let column = &reference.columns[0];
            assert_eq!(column.rows, n);
            assert_eq!(column.missing, data.iter().filter(|v| v.is_nan()).count());
            // 8 bytes per exact value: beyond limit / 8 values the state is a sketch
            assert_eq!(column.reference.is_sketch(), n * 8 > limit, "{n} rows");
            let shipped = reference_to_bytes(&reference).unwrap().len();
            assert!(shipped <= limit / 8 * 9 + 4096, "{shipped}");
        }
    }

    /// The shipped bytes of a sketched state by row count (docs/DISTRIBUTED.md, "State
    /// sizes"): `cargo test -p driftwatch-datafusion --lib -- --ignored --nocapture`.
    #[test]
    #[ignore = "measurement: prints sketch state sizes up to 1e7 values"]
    fn sketch_state_bytes() {
        for n in [100_000usize, 1_000_000, 10_000_000] {
            let mut s = summary(1 << 20);
            let mut done = 0;
            let mut seed = 11;
            while done < n {
                let batch = values(65_536.min(n - done), seed);
                seed += 1;
                done += batch.len();
                let array: ArrayRef = Arc::new(Float64Array::from(batch));
                s.update(&array).unwrap();
            }
            let bytes = s.bytes().unwrap().len();
            let e = match &s.finish().unwrap().columns[0].reference {
                ColumnReference::Sketch(k) => k.max_cdf_error(),
                _ => 0.0,
            };
            println!("| {n} | {bytes} | {} | {e:.2e} |", s.size());
            assert!(bytes < 2 << 20, "{bytes}");
        }
    }

    /// Under the limit the state is the exact reference: the local fit's, byte for byte.
    #[test]
    fn small_states_are_the_exact_reference() {
        let data = values(5_000, 3);
        let mut s = summary(DEFAULT_STATE_LIMIT);
        let array: ArrayRef = Arc::new(Float64Array::from(data.clone()));
        s.update(&array).unwrap();
        let frame = Frame::new(vec![(
            "x".into(),
            Column::Numeric(data.into_iter().collect()),
        )])
        .unwrap();
        let want = reference_to_bytes(&DriftReference::fit(&frame, &[]).unwrap()).unwrap();
        assert_eq!(s.bytes().unwrap(), want);
    }
}
