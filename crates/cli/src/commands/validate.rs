//! `driftwatch validate`: every schema violation of a data file, with row numbers.

use std::fmt::Write as _;

use anyhow::{Context, Result};
use driftwatch_core::Schema;

use crate::args::ValidateArgs;
use crate::bundle;
use crate::data::read_frame;
use crate::exit;
use crate::output::{Format, emit, print_json};

/// Reads a schema from driftwatch's schema JSON or from a bundle's header.
fn read_schema(path: &std::path::Path) -> Result<Schema> {
    if bundle::is_bundle(path) {
        return Ok(bundle::header(path)?.schema);
    }
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading schema {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| {
        format!(
            "{} is not a driftwatch schema (make one with `driftwatch schema --model M --native`)",
            path.display()
        )
    })
}

pub fn run(a: &ValidateArgs) -> Result<i32> {
    let schema = read_schema(&a.schema)?;
    let read = a.table.read_options(schema.read_options());
    let data = read_frame(&a.data, &read)?;
    let violations = schema.validate(&data);
    let bad_rows = Schema::invalid_rows(&violations);
    match a.format {
        Format::Json => print_json(&serde_json::json!({
            "rows": data.n_rows(),
            "invalid_rows": bad_rows.len(),
            "violations": violations,
        }))?,
        Format::Text => {
            let mut out = String::new();
            for v in &violations {
                let _ = writeln!(out, "{v}");
            }
            let _ = writeln!(
                out,
                "{} rows, {} invalid, {} violations",
                data.n_rows(),
                bad_rows.len(),
                violations.len()
            );
            emit(&out, None, "the violations")?;
        }
    }
    // Exit 1, not 2: the data was read, and it is invalid (2 is for input that cannot
    // be read at all).
    Ok(i32::from(if violations.is_empty() {
        exit::OK
    } else {
        exit::FOUND
    }))
}
