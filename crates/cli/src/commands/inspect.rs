//! `driftwatch inspect` and `driftwatch schema`: read a bundle's header only.

use std::fmt::Write as _;

use anyhow::Result;

use crate::args::{InspectArgs, SchemaArgs};
use crate::bundle;
use crate::output::{Format, emit, print_json};

pub fn run(a: &InspectArgs) -> Result<i32> {
    if a.compare_levels {
        return super::compare_levels::run(a.model.path()?, a.format);
    }
    let h = bundle::header(a.model.path()?)?;
    match a.format {
        Format::Json => print_json(&h)?,
        Format::Text => {
            let mut out = String::new();
            let _ = writeln!(out, "name:          {} {}", h.name, h.version);
            let _ = writeln!(out, "created:       {}", h.created_at);
            let _ = writeln!(out, "format:        v{}", h.format_version);
            if let Some(t) = &h.target {
                let _ = writeln!(out, "target:        {} ({:?})", t.name, t.kind);
                if !t.classes.is_empty() {
                    let _ = writeln!(out, "classes:       {}", t.classes.join(", "));
                }
            }
            let _ = writeln!(out, "train rows:    {}", h.n_train_rows);
            for (k, v) in &h.training_metrics {
                let _ = writeln!(out, "metric:        {k} = {v:.4}");
            }
            let _ = writeln!(out, "inputs:        {}", h.schema.names().join(", "));
            if let Some(d) = &h.description {
                let _ = writeln!(out, "description:   {d}");
            }
            if let Some(o) = &h.owner {
                let _ = writeln!(out, "owner:         {o}");
            }
            let _ = writeln!(
                out,
                "payload:       {} bytes ({:?})",
                h.payload_length, h.compression
            );
            for (k, v) in &h.crate_versions {
                let _ = writeln!(out, "crate:         {k} {v}");
            }
            emit(&out, None, "the bundle's header")?;
        }
    }
    Ok(0)
}

pub fn schema(a: &SchemaArgs) -> Result<i32> {
    let h = bundle::header(a.model.path()?)?;
    if a.native {
        print_json(&h.schema)?;
    } else {
        print_json(&h.schema.to_json_schema())?;
    }
    Ok(0)
}
