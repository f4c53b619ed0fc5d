//! `driftwatch plugins`: the registered monitors and stream detectors, sorted by name.

use std::fmt::Write as _;

use anyhow::Result;
use driftwatch_core::registry;

use crate::args::PluginsArgs;
use crate::output::{Format, emit, print_json};

pub fn run(a: &PluginsArgs) -> Result<i32> {
    let monitors = registry::monitors();
    let detectors = registry::detectors();
    match a.format {
        Format::Json => {
            let mut all: Vec<_> = monitors
                .iter()
                .map(|f| (f.name, "monitor", f.description))
                .chain(
                    detectors
                        .iter()
                        .map(|f| (f.name, "detector", f.description)),
                )
                .collect();
            all.sort_by_key(|(name, _, _)| *name);
            print_json(
                &all.iter()
                    .map(|(name, kind, description)| {
                        serde_json::json!({"name": name, "kind": kind, "description": description})
                    })
                    .collect::<Vec<_>>(),
            )?;
        }
        Format::Text => {
            let mut out = String::from("monitors:\n");
            for f in monitors {
                let _ = writeln!(out, "  {:<22} {}", f.name, f.description);
            }
            out.push_str("stream detectors (driftwatch stream --detector NAME[:key=value,...]):\n");
            for f in detectors {
                let _ = writeln!(out, "  {:<22} {}", f.name, f.description);
            }
            emit(&out, None, "the plugin list")?;
        }
    }
    Ok(0)
}
