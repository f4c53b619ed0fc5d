//! `driftwatch inspect` and `driftwatch schema`: read a bundle's header only.

use anyhow::Result;

use crate::args::{InspectArgs, SchemaArgs};
use crate::bundle;
use crate::output::{Format, print_json};

pub fn run(a: &InspectArgs) -> Result<i32> {
    if a.compare_levels {
        return super::compare_levels::run(a.model.path()?, a.format);
    }
    let h = bundle::header(a.model.path()?)?;
    match a.format {
        Format::Json => print_json(&h)?,
        Format::Text => {
            println!("name:          {} {}", h.name, h.version);
            println!("created:       {}", h.created_at);
            println!("format:        v{}", h.format_version);
            if let Some(t) = &h.target {
                println!("target:        {} ({:?})", t.name, t.kind);
                if !t.classes.is_empty() {
                    println!("classes:       {}", t.classes.join(", "));
                }
            }
            println!("train rows:    {}", h.n_train_rows);
            for (k, v) in &h.training_metrics {
                println!("metric:        {k} = {v:.4}");
            }
            println!("inputs:        {}", h.schema.names().join(", "));
            if let Some(d) = &h.description {
                println!("description:   {d}");
            }
            if let Some(o) = &h.owner {
                println!("owner:         {o}");
            }
            println!(
                "payload:       {} bytes ({:?})",
                h.payload_length, h.compression
            );
            for (k, v) in &h.crate_versions {
                println!("crate:         {k} {v}");
            }
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
