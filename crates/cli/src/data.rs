//! Reading the user's data files, with errors that name the file.

use std::path::Path;

use anyhow::{Context, Result};
use driftwatch_core::{Frame, NumericTypo, Projection, ReadOptions, TableFormat, read_csv};

/// The path that stands for standard input.
pub const STDIN: &str = "-";

/// How messages name standard input.
pub const STDIN_NAME: &str = "standard input";

/// Whether a path argument means standard input.
pub fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == STDIN
}

/// Reads a table file (or standard input for `-`): CSV, Parquet or Arrow IPC, chosen
/// by `options.format` or detected from the file (`driftwatch_columnar::detect`). CSV
/// kinds are inferred unless overridden; Parquet and Arrow kinds come from the schema.
/// Standard input is CSV unless `options.format` names another format (then it goes
/// through a temporary file: `driftwatch_columnar::read_chunks_from_reader`).
pub fn read_frame(path: &Path, options: &ReadOptions) -> Result<Frame> {
    if is_stdin(path) {
        return match options.format {
            None | Some(TableFormat::Csv) => {
                read_csv(std::io::stdin().lock(), STDIN_NAME, options).map_err(anyhow::Error::from)
            }
            Some(_) => driftwatch_columnar::read_chunks_from_reader(
                std::io::stdin().lock(),
                STDIN_NAME,
                options,
                Projection::All,
            )
            .and_then(|chunks| chunks.into_frame(options.allow_empty))
            .map_err(anyhow::Error::from),
        }
        .context("reading data from standard input");
    }
    driftwatch_columnar::read_table(path, options, None)
        .with_context(|| format!("reading data file {}", path.display()))
}

/// Refuses two inputs that both want standard input.
pub fn one_stdin(paths: &[&Path]) -> Result<()> {
    if paths.iter().filter(|p| is_stdin(p)).count() > 1 {
        anyhow::bail!("only one input can be read from standard input ('-')");
    }
    Ok(())
}

/// Columns that are mostly numbers with a few non-numbers, gathered over the input
/// files so that one message names them all: almost always data errors, which would
/// otherwise silently turn the columns into categories.
#[derive(Debug, Default)]
pub struct NumericTypos {
    found: Vec<(String, NumericTypo)>,
}

impl NumericTypos {
    /// Looks for such columns in one file.
    pub fn check(&mut self, frame: &Frame, path: &Path, forced_categorical: &[String]) {
        for t in driftwatch_core::mostly_numeric_columns(frame, forced_categorical) {
            self.found.push((path.display().to_string(), t));
        }
    }

    /// Adds the columns another read found (after this one's, so messages keep the
    /// order of the files).
    pub fn merge(&mut self, other: NumericTypos) {
        self.found.extend(other.found);
    }

    /// An error naming every column found, with the `--categorical` list that reads
    /// them (and the columns already forced) as categories.
    pub fn refuse(self, forced_categorical: &[String]) -> Result<()> {
        if self.found.is_empty() {
            return Ok(());
        }
        let mut names: Vec<String> = forced_categorical.to_vec();
        let list: Vec<String> = self
            .found
            .iter()
            .map(|(path, t)| {
                format!(
                    "{path}: '{}' (row {}: '{}'; {} of {} values are not numbers)",
                    t.column, t.row, t.value, t.non_numbers, t.present
                )
            })
            .collect();
        for (_, t) in &self.found {
            if !names.contains(&t.column) {
                names.push(t.column.clone());
            }
        }
        let one = list.len() == 1;
        anyhow::bail!(
            "{} mostly numbers but also {} text: {}; fix the values, or pass --categorical {} \
             to treat {} as categories",
            if one {
                "this column is"
            } else {
                "these columns are"
            },
            if one { "holds" } else { "hold" },
            list.join(", "),
            names.join(","),
            if one { "it" } else { "them" }
        );
    }
}

/// [`NumericTypos`] for a command that reads one table.
pub fn refuse_numeric_typos(
    frame: &Frame,
    path: &Path,
    forced_categorical: &[String],
) -> Result<()> {
    let mut typos = NumericTypos::default();
    typos.check(frame, path, forced_categorical);
    typos.refuse(forced_categorical)
}

/// Refuses infinite numbers in data a model learns from, naming the first few by
/// column and row (1-based data row): no estimator can use them, and the error the
/// model would raise later names neither.
pub fn refuse_infinite(frame: &Frame, path: &Path) -> Result<()> {
    let mut found = Vec::new();
    let mut total = 0usize;
    for (name, col) in frame.iter() {
        if let driftwatch_core::Column::Numeric(v) = col {
            for (row, x) in v.iter().enumerate().filter(|(_, x)| x.is_infinite()) {
                total += 1;
                if found.len() < driftwatch_drift::columns::MAX_LISTED {
                    found.push(format!("'{name}' row {}: {x}", row + 1));
                }
            }
        }
    }
    if total == 0 {
        return Ok(());
    }
    anyhow::bail!(
        "{}: {total} infinite value{} ({}{}); a model cannot learn from them: fix them or leave \
         the cells empty (missing values are imputed)",
        path.display(),
        if total == 1 { "" } else { "s" },
        found.join(", "),
        if total > found.len() { ", ..." } else { "" }
    );
}

/// Splits `--columns a,b` lists.
pub fn split_list(s: &Option<String>) -> Vec<String> {
    s.as_deref()
        .map(|s| {
            s.split(',')
                .map(str::trim)
                .filter(|x| !x.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// Parses `--delimiter`: one ASCII character, or `tab` / `\t`.
pub fn parse_delimiter(s: &str) -> Result<u8, String> {
    match s {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        _ if s.len() == 1 && s.is_ascii() && s != "\"" => Ok(s.as_bytes()[0]),
        _ => Err(format!(
            "'{s}' is not a delimiter: give one character such as ',' ';' '|', or 'tab'"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiters_parse() {
        assert_eq!(parse_delimiter(";"), Ok(b';'));
        assert_eq!(parse_delimiter("tab"), Ok(b'\t'));
        assert_eq!(parse_delimiter("\\t"), Ok(b'\t'));
        assert!(parse_delimiter(";;").is_err());
        assert!(parse_delimiter("\"").is_err());
    }

    #[test]
    fn every_typo_column_in_one_message() {
        let f = read_csv(
            &b"Ticket,boat,age\n113803,1,22\nA/5 21171,C,38\n2,13,26\n"[..],
            "t.csv",
            &ReadOptions::default(),
        )
        .unwrap();
        let err = refuse_numeric_typos(&f, Path::new("titanic.csv"), &["sex".into()])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("titanic.csv: 'Ticket' (row 2: 'A/5 21171'; 1 of 3 values")
                && err.contains("titanic.csv: 'boat' (row 2: 'C'")
                && err.contains("--categorical sex,Ticket,boat"),
            "{err}"
        );
    }
}
