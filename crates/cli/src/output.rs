//! Output formats shared by the subcommands, and the one place that writes to the
//! terminal: commands hand their text to [`emit`], [`print_json`] or [`note`].

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

/// `--format` of the commands that render reports (`monitor`, `drift`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ReportFormat {
    /// Aligned, human-readable text.
    #[default]
    Text,
    /// One JSON document (schema: docs/report-schema.json for `monitor`).
    Json,
    /// A Markdown document (tables), for tickets and wikis.
    Markdown,
    /// One self-contained HTML page with inline SVG charts (no network).
    Html,
}

impl ReportFormat {
    /// The format a report file's extension names (`.html`, `.json`, `.md`, `.txt`).
    pub fn from_extension(path: &std::path::Path) -> Option<Self> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "html" | "htm" => Some(Self::Html),
            "json" => Some(Self::Json),
            "md" | "markdown" => Some(Self::Markdown),
            "txt" | "text" => Some(Self::Text),
            _ => None,
        }
    }
}

/// Writes `text` to `path`, or prints it when there is no path (a closed pipe is an
/// error, not a panic).
pub fn emit(text: &str, path: Option<&std::path::Path>, what: &str) -> anyhow::Result<()> {
    use anyhow::Context;
    use std::io::Write;
    match path {
        Some(p) => {
            std::fs::write(p, text).with_context(|| format!("writing {what} to {}", p.display()))
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())?;
            if !text.ends_with('\n') {
                out.write_all(b"\n")?;
            }
            Ok(())
        }
    }
}

/// A message for the user on standard error (a skipped row, a file written): kept off
/// standard output, which carries the command's result.
pub fn note(message: &str) {
    use std::io::Write;
    // Nothing sensible is left to do when standard error itself is closed.
    let _ = writeln!(std::io::stderr().lock(), "{message}");
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_formats_follow_the_extension() {
        use std::path::Path;
        assert_eq!(
            ReportFormat::from_extension(Path::new("r.HTML")),
            Some(ReportFormat::Html)
        );
        assert_eq!(
            ReportFormat::from_extension(Path::new("a/r.md")),
            Some(ReportFormat::Markdown)
        );
        assert_eq!(
            ReportFormat::from_extension(Path::new("r.json")),
            Some(ReportFormat::Json)
        );
        assert_eq!(ReportFormat::from_extension(Path::new("r.csv")), None);
        assert_eq!(ReportFormat::from_extension(Path::new("report")), None);
    }
}
