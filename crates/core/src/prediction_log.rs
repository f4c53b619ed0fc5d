//! The prediction log: one [`PredictionRecord`] per JSON line. `driftwatch predict --log`
//! and `cargo xtask simulate` write it with [`write_prediction_log`]; `driftwatch
//! monitor` reads it back with [`crate::read_jsonl`].
//!
//! Reading is lenient where logs written by other tools differ: `request_id` may be a
//! string or a number, `timestamp` a number, a numeric string or a date-time string,
//! inputs may be booleans, and fields this type does not know are ignored.

use std::collections::BTreeMap;
use std::io::Write;

use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Number, Value};

use crate::error::{Error, Result};
use crate::frame::{Column, Frame};
use crate::timestamp::parse_datetime;

/// One logged prediction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PredictionRecord {
    /// The request id, to join delayed labels by; a number in JSON is read as its text.
    #[serde(
        default,
        deserialize_with = "request_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub request_id: Option<String>,
    /// When the prediction was made, in seconds since 1970 (fractions kept).
    #[serde(
        default,
        deserialize_with = "timestamp",
        skip_serializing_if = "Option::is_none"
    )]
    pub timestamp: Option<f64>,
    /// The 1-based row of the input file the prediction is for.
    #[serde(
        default,
        deserialize_with = "lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub row: Option<u64>,
    /// The model's inputs by column; `None` (JSON `null`) is a missing value.
    pub input: BTreeMap<String, Option<InputValue>>,
    /// The prediction.
    pub prediction: Prediction,
    /// Class -> probability, when the model gives them (written as `null` otherwise).
    #[serde(default, deserialize_with = "probabilities")]
    pub probabilities: Option<BTreeMap<String, f64>>,
    /// Milliseconds the prediction took (a batch's time divided by its rows).
    #[serde(
        default,
        deserialize_with = "lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub latency_ms: Option<f64>,
    /// The model as `name@version`.
    #[serde(
        default,
        deserialize_with = "lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub model: Option<String>,
}

/// One input value as logged: JSON's own types, so numbers keep their exact text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum InputValue {
    /// `true` / `false`.
    Bool(bool),
    /// A number.
    Number(Number),
    /// Text: categories, and date-times as written.
    Text(String),
}

impl InputValue {
    /// The cell as the CSV reader would see it (the log's inputs are read like a CSV).
    pub fn to_cell(&self) -> String {
        match self {
            InputValue::Bool(b) => b.to_string(),
            InputValue::Number(n) => n.to_string(),
            InputValue::Text(s) => s.clone(),
        }
    }
}

/// A prediction: a class label or a number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Prediction {
    /// A number (a log whose predictions are all numbers reads as regression values).
    Number(Number),
    /// A class label.
    Label(String),
}

impl Prediction {
    /// The prediction as text: the label, or the number as written.
    pub fn to_label(&self) -> String {
        match self {
            Prediction::Number(n) => n.to_string(),
            Prediction::Label(s) => s.clone(),
        }
    }
}

impl PredictionRecord {
    /// The inputs of one row of `frame`: numbers as numbers, other kinds as their text,
    /// missing (and non-finite) values as `None`.
    pub fn input_of(frame: &Frame, row: usize) -> BTreeMap<String, Option<InputValue>> {
        frame
            .iter()
            .map(|(name, col)| {
                let value = match col {
                    _ if col.is_missing(row) => None,
                    Column::Numeric(v) => Number::from_f64(v[row]).map(InputValue::Number),
                    c => Some(InputValue::Text(c.display_value(row))),
                };
                (name.to_string(), value)
            })
            .collect()
    }

    /// One JSON line, without the newline.
    pub fn to_line(&self) -> Result<String> {
        serde_json::to_string(self).map_err(|e| Error::Parse {
            input: "a prediction record".into(),
            message: format!("cannot be written as JSON: {e}"),
        })
    }
}

/// One prediction call to be logged: what `driftwatch predict --log` and the server
/// both write, so the two logs cannot drift apart.
#[derive(Debug, Clone)]
pub struct LoggedCall<'a> {
    /// The rows as read, before conforming to the schema.
    pub data: &'a Frame,
    /// The model's schema: only the columns it names are logged as inputs.
    pub schema: &'a crate::schema::Schema,
    /// The rows of `data` that were predicted (0-based), in order.
    pub kept: &'a [usize],
    /// One request id per kept row.
    pub ids: &'a [String],
    /// One prediction per kept row.
    pub predictions: Vec<Prediction>,
    /// The kept rows' class probabilities, if the model gives them.
    pub probabilities: Option<&'a crate::traits::Probabilities>,
    /// The call's time per row.
    pub latency_ms: f64,
    /// `name@version` of the model.
    pub model: String,
}

impl LoggedCall<'_> {
    /// The call's log records, stamped with the current time; `row` is the 1-based row
    /// of `data`.
    ///
    /// Errors: lengths of `ids` or `predictions` that do not match `kept`.
    pub fn records(self) -> Result<Vec<PredictionRecord>> {
        if self.ids.len() != self.kept.len() || self.predictions.len() != self.kept.len() {
            return Err(Error::InvalidValue(format!(
                "logging {} rows with {} request ids and {} predictions",
                self.kept.len(),
                self.ids.len(),
                self.predictions.len()
            )));
        }
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs_f64())
            .unwrap_or_default();
        let names: Vec<String> = self
            .data
            .names()
            .iter()
            .filter(|c| self.schema.column(c).is_some())
            .cloned()
            .collect();
        let inputs = self.data.select(&names)?;
        Ok(self
            .kept
            .iter()
            .zip(self.ids)
            .zip(self.predictions)
            .enumerate()
            .map(|(i, ((&row, id), prediction))| PredictionRecord {
                request_id: Some(id.clone()),
                timestamp: Some(now),
                row: Some(row as u64 + 1),
                input: PredictionRecord::input_of(&inputs, row),
                prediction,
                probabilities: self.probabilities.map(|p| {
                    p.classes
                        .iter()
                        .cloned()
                        .zip(p.values.row(i).iter().copied())
                        .collect()
                }),
                latency_ms: Some(self.latency_ms),
                model: Some(self.model.clone()),
            })
            .collect())
    }
}

/// Writes `records` as JSON lines (each ending in a newline) and flushes; `output` names
/// the destination in errors.
pub fn write_prediction_log(
    mut out: impl Write,
    records: &[PredictionRecord],
    output: &str,
) -> Result<()> {
    let io = |source| Error::Io {
        path: output.to_string(),
        source,
    };
    for r in records {
        out.write_all(r.to_line()?.as_bytes()).map_err(io)?;
        out.write_all(b"\n").map_err(io)?;
    }
    out.flush().map_err(io)
}

/// A string, or a number as its text; anything else is no id.
fn request_id<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

/// Seconds since 1970 from a number, a numeric string or a date-time string.
fn timestamp<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<f64>, D::Error> {
    let v = Value::deserialize(d)?;
    let t = match &v {
        Value::Null => return Ok(None),
        Value::Number(x) => x.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok().or_else(|| parse_datetime(s)),
        _ => None,
    };
    t.filter(|t| t.is_finite() && t.abs() < 1e15)
        .map(Some)
        .ok_or_else(|| {
            D::Error::custom(format!(
                "timestamp {v} is not seconds since 1970 or a date-time"
            ))
        })
}

/// The value when it has the field's type, else `None` (older logs wrote what they had).
fn lenient<'de, D: Deserializer<'de>, T: DeserializeOwned>(
    d: D,
) -> std::result::Result<Option<T>, D::Error> {
    Ok(serde_json::from_value(Value::deserialize(d)?).ok())
}

/// An object of class -> probability (non-numbers dropped); anything else is none.
fn probabilities<'de, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<BTreeMap<String, f64>>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Object(m) => Some(
            m.into_iter()
                .filter_map(|(k, v)| Some((k, v.as_f64()?)))
                .collect(),
        ),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_logged_call_keeps_the_schema_inputs_of_the_predicted_rows() {
        let data = crate::reader::read_csv(
            "x,extra\n1.5,a\nbad,b\n2.5,c\n".as_bytes(),
            "rows.csv",
            &crate::reader::ReadOptions {
                lenient: true,
                ..Default::default()
            },
        )
        .unwrap();
        let schema = crate::schema::Schema::infer(&data.select(&["x".to_string()]).unwrap());
        let proba = crate::traits::Probabilities {
            classes: vec!["no".into(), "yes".into()],
            values: ndarray::array![[0.25, 0.75], [0.5, 0.5]],
        };
        let call = |ids: &[String]| {
            LoggedCall {
                data: &data,
                schema: &schema,
                kept: &[0, 2],
                ids,
                predictions: vec![
                    Prediction::Label("yes".into()),
                    Prediction::Label("no".into()),
                ],
                probabilities: Some(&proba),
                latency_ms: 0.5,
                model: "m@1".into(),
            }
            .records()
        };
        let e = call(&["a".to_string()]).unwrap_err().to_string();
        assert!(e.contains("2 rows with 1 request ids"), "{e}");
        let records = call(&["a".to_string(), "b".to_string()]).unwrap();
        assert_eq!(records.len(), 2);
        // File rows 1 and 3, only the schema's column, the kept rows' probabilities.
        assert_eq!(records[1].row, Some(3));
        assert_eq!(records[1].request_id.as_deref(), Some("b"));
        assert_eq!(records[1].input.keys().collect::<Vec<_>>(), ["x"]);
        assert_eq!(records[1].probabilities.as_ref().unwrap()["yes"], 0.5);
        assert_eq!(records[0].model.as_deref(), Some("m@1"));
    }

    fn record() -> PredictionRecord {
        PredictionRecord {
            request_id: Some("req-1".into()),
            timestamp: Some(1_709_251_200.25),
            row: Some(1),
            input: BTreeMap::from([
                ("x".into(), Some(InputValue::Number(Number::from(3)))),
                ("c".into(), Some(InputValue::Text("a".into()))),
                ("gone".into(), None),
            ]),
            prediction: Prediction::Label("yes".into()),
            probabilities: Some(BTreeMap::from([("yes".into(), 0.75), ("no".into(), 0.25)])),
            latency_ms: Some(0.5),
            model: Some("m@1".into()),
        }
    }

    #[test]
    fn writes_the_documented_fields() {
        let json: Value = serde_json::from_str(&record().to_line().unwrap()).unwrap();
        assert_eq!(json["request_id"], "req-1");
        assert_eq!(json["timestamp"], 1_709_251_200.25);
        assert_eq!(json["row"], 1);
        assert_eq!(json["input"]["x"], 3);
        assert_eq!(json["input"]["gone"], Value::Null);
        assert_eq!(json["prediction"], "yes");
        assert_eq!(json["probabilities"]["no"], 0.25);
        assert_eq!(json["latency_ms"], 0.5);
        assert_eq!(json["model"], "m@1");
        // No probabilities: written as null, as `predict --log` always did.
        let bare = PredictionRecord {
            probabilities: None,
            ..record()
        };
        let json: Value = serde_json::from_str(&bare.to_line().unwrap()).unwrap();
        assert_eq!(json["probabilities"], Value::Null);
    }

    #[test]
    fn reads_what_older_logs_and_other_tools_wrote() {
        let line = r#"{"request_id":7,"timestamp":"2024-03-01T00:00:00Z","row":"x",
            "input":{"b":true,"n":null},"prediction":2.5,"probabilities":"none",
            "latency_ms":"fast","day":3}"#;
        let r: PredictionRecord = serde_json::from_str(line).unwrap();
        assert_eq!(r.request_id.as_deref(), Some("7"));
        assert_eq!(r.timestamp, Some(1_709_251_200.0));
        assert_eq!((r.row, r.latency_ms, r.probabilities), (None, None, None));
        assert_eq!(r.input["b"], Some(InputValue::Bool(true)));
        assert_eq!(r.input["n"], None);
        assert_eq!(r.prediction.to_label(), "2.5");
        let bad = r#"{"timestamp":"monday","input":{},"prediction":1}"#;
        let e = serde_json::from_str::<PredictionRecord>(bad).unwrap_err();
        assert!(e.to_string().contains("not seconds since 1970"), "{e}");
    }

    #[test]
    fn inputs_of_a_frame_row() {
        let frame = Frame::new(vec![
            (
                "x".into(),
                Column::Numeric([1.5, f64::NAN].into_iter().collect()),
            ),
            (
                "c".into(),
                Column::Categorical(crate::Categorical::from_labels([Some("a"), None])),
            ),
        ])
        .unwrap();
        let row0 = PredictionRecord::input_of(&frame, 0);
        assert_eq!(row0["x"], Number::from_f64(1.5).map(InputValue::Number));
        assert_eq!(row0["c"], Some(InputValue::Text("a".into())));
        let row1 = PredictionRecord::input_of(&frame, 1);
        assert_eq!((&row1["x"], &row1["c"]), (&None, &None));
    }

    fn input_value() -> impl Strategy<Value = Option<InputValue>> {
        prop_oneof![
            Just(None),
            any::<bool>().prop_map(|b| Some(InputValue::Bool(b))),
            any::<i64>().prop_map(|i| Some(InputValue::Number(Number::from(i)))),
            (-1_000_000i64..1_000_000)
                .prop_filter_map("finite", |k| Number::from_f64(k as f64 / 1024.0))
                .prop_map(|n| Some(InputValue::Number(n))),
            "[a-z ]{1,8}".prop_map(|s| Some(InputValue::Text(s))),
        ]
    }

    prop_compose! {
        fn records()(
            request_id in proptest::option::of("[A-Za-z0-9-]{1,12}"),
            timestamp in proptest::option::of((0i64..4_000_000_000).prop_map(|s| s as f64 / 4.0)),
            row in proptest::option::of(1u64..1_000_000),
            input in proptest::collection::btree_map("[a-z_]{1,6}", input_value(), 1..5),
            label in "[a-z]{1,6}",
            probabilities in proptest::option::of(
                proptest::collection::btree_map("[a-z]{1,4}", (0u32..=64).prop_map(|k| f64::from(k) / 64.0), 1..4),
            ),
            latency_ms in proptest::option::of((0u32..100_000).prop_map(|k| f64::from(k) / 128.0)),
            model in proptest::option::of("[a-z]{1,5}@[0-9]"),
        ) -> PredictionRecord {
            PredictionRecord {
                request_id,
                timestamp,
                row,
                input,
                prediction: Prediction::Label(label),
                probabilities,
                latency_ms,
                model,
            }
        }
    }

    proptest! {
        /// What is written reads back as the same record, line by line and through the
        /// log reader.
        #[test]
        fn records_round_trip(rs in proptest::collection::vec(records(), 1..6)) {
            let mut out = Vec::new();
            write_prediction_log(&mut out, &rs, "log.jsonl").unwrap();
            let text = String::from_utf8(out).unwrap();
            let back: Vec<PredictionRecord> = text
                .lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect();
            prop_assert_eq!(&back, &rs);
            let log = crate::read_jsonl(text.as_bytes(), "log.jsonl", &Default::default()).unwrap();
            let ids: Vec<Option<String>> = rs.iter().map(|r| r.request_id.clone()).collect();
            prop_assert_eq!(log.request_ids, ids);
            let labels: Vec<String> = rs.iter().map(|r| r.prediction.to_label()).collect();
            prop_assert_eq!(log.predictions, crate::Target::Labels(labels));
        }
    }
}
