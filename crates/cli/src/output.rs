//! Output formats shared by the subcommands.

use clap::ValueEnum;

/// `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    /// Aligned, human-readable text.
    #[default]
    Text,
    /// One JSON document on stdout (stable, documented in docs/OUTPUT.md).
    Json,
}

/// Prints a value as pretty JSON.
///
/// Written with `writeln!` rather than `println!`, so a closed pipe (`| head`) comes back
/// as an error the binary turns into a quiet exit instead of a panic.
pub fn print_json<T: serde::Serialize>(value: &T) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", serde_json::to_string_pretty(value)?)?;
    Ok(())
}

/// Formats an optional float for tables.
pub fn opt(v: Option<f64>, digits: usize) -> String {
    v.map_or_else(|| "-".to_string(), |x| format!("{x:.digits$}"))
}
