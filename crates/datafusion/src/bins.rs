//! `drift_bins(col, counter)`: the engines' counting pass. When a numeric column was
//! summarised by a sketch, the local path reads its file a second time to count the
//! values into the exact bins of the binned tests (and, for PSI on a sketched
//! reference, to select its exact deciles: `driftwatch_drift::binpass`). The engines do
//! the same in a second aggregate query: `counter` is the plan's
//! [`BinCounter`] for that one column as bytes (a literal, so it travels with the plan
//! to Ballista's executors), every partition counts its rows into a copy, the partial
//! states are those counters' bytes, and partitions combine by [`BinCounter::merge`],
//! which adds counts. The result is the merged counter's bytes.

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, AsArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{DataFusionError, Result as DfResult, ScalarValue};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::utils::format_state_name;
use datafusion::logical_expr::{Accumulator, AggregateUDFImpl, Signature, Volatility};
use datafusion::physical_expr::expressions::Literal;
use driftwatch_columnar::column_of_array;
use driftwatch_drift::binpass::BinCounter;

use crate::udaf::external;

/// `drift_bins(col, counter)`: the bytes of `counter` (a [`BinCounter`] of the one
/// column `col`, as [`BinCounter::to_bytes`]) after counting every row of `col`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct DriftBinsUdaf {
    signature: Signature,
}

impl Default for DriftBinsUdaf {
    fn default() -> Self {
        DriftBinsUdaf {
            signature: Signature::any(2, Volatility::Immutable),
        }
    }
}

/// The counter given as the second argument, which must be a binary literal holding a
/// counter of one column.
fn counter_argument(args: &AccumulatorArgs<'_>) -> DfResult<(String, BinCounter)> {
    let bytes = match args
        .exprs
        .get(1)
        .and_then(|e| e.downcast_ref::<Literal>())
        .map(Literal::value)
    {
        Some(
            ScalarValue::Binary(Some(b))
            | ScalarValue::LargeBinary(Some(b))
            | ScalarValue::BinaryView(Some(b)),
        ) => b.clone(),
        _ => {
            return Err(DataFusionError::Plan(
                "drift_bins: the second argument must be a bin counter as a binary literal (BinCounter::to_bytes of one column's counter)".into(),
            ));
        }
    };
    let counter = BinCounter::from_bytes(&bytes).map_err(external)?;
    match counter.column_names().as_slice() {
        [one] => Ok((one.clone(), counter)),
        names => Err(DataFusionError::Plan(format!(
            "drift_bins: the counter counts {} columns ({}), expected one; split it with BinCounter::split",
            names.len(),
            names.join(",")
        ))),
    }
}

impl AggregateUDFImpl for DriftBinsUdaf {
    fn name(&self) -> &str {
        "drift_bins"
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _: &[DataType]) -> DfResult<DataType> {
        Ok(DataType::Binary)
    }
    fn accumulator(&self, args: AccumulatorArgs<'_>) -> DfResult<Box<dyn Accumulator>> {
        let (name, counter) = counter_argument(&args)?;
        Ok(Box::new(BinsAccumulator { name, counter }))
    }
    fn state_fields(&self, args: StateFieldsArgs<'_>) -> DfResult<Vec<FieldRef>> {
        Ok(vec![Arc::new(Field::new(
            format_state_name(args.name, "bins"),
            DataType::Binary,
            true,
        ))])
    }
}

/// The accumulator of `drift_bins`: the counter, counting one column.
#[derive(Debug)]
struct BinsAccumulator {
    name: String,
    counter: BinCounter,
}

impl BinsAccumulator {
    fn bytes(&self) -> DfResult<Vec<u8>> {
        self.counter.to_bytes().map_err(external)
    }
}

impl Accumulator for BinsAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> DfResult<()> {
        let array = values
            .first()
            .ok_or_else(|| DataFusionError::Internal("drift_bins called without input".into()))?;
        let (column, _) =
            column_of_array("a batch of the query", &self.name, array, 0).map_err(external)?;
        self.counter
            .push_column(&self.name, Some(&column))
            .map_err(external)
    }
    fn evaluate(&mut self) -> DfResult<ScalarValue> {
        Ok(ScalarValue::Binary(Some(self.bytes()?)))
    }
    fn size(&self) -> usize {
        std::mem::size_of::<Self>() + self.counter.heap_bytes()
    }
    fn state(&mut self) -> DfResult<Vec<ScalarValue>> {
        Ok(vec![self.evaluate()?])
    }
    fn merge_batch(&mut self, states: &[ArrayRef]) -> DfResult<()> {
        let states = states.first().ok_or_else(|| {
            DataFusionError::Internal("drift_bins: a partial state without fields".into())
        })?;
        let states = cast(states, &DataType::Binary)?;
        for bytes in states.as_binary::<i32>().iter().flatten() {
            let part = BinCounter::from_bytes(bytes).map_err(external)?;
            self.counter.merge(part).map_err(external)?;
        }
        Ok(())
    }
}
