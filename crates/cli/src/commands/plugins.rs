//! `driftwatch plugins`: the registered monitors, sorted by name.

use anyhow::Result;
use driftwatch_core::registry;

use crate::args::PluginsArgs;
use crate::output::{Format, print_json};

pub fn run(a: &PluginsArgs) -> Result<i32> {
    let monitors = registry::monitors();
    match a.format {
        Format::Json => print_json(
            &monitors
                .iter()
                .map(|f| serde_json::json!({"name": f.name, "kind": "monitor", "description": f.description}))
                .collect::<Vec<_>>(),
        )?,
        Format::Text => {
            for f in monitors {
                println!("{:<22} {}", f.name, f.description);
            }
        }
    }
    Ok(0)
}
