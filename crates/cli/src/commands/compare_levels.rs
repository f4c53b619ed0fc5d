//! `driftwatch inspect --compare-levels`: the size and speed of a bundle's model saved
//! without compression and at zstd levels 3 and 19, measured in memory.

use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result};
use driftwatch_persist::{Compression, SaveOptions};
use serde::Serialize;

use crate::bundle;
use crate::output::{Format, print_json};

/// The levels compared: none, the default and the strongest usual one.
const LEVELS: [Compression; 3] = [
    Compression::None,
    Compression::Zstd { level: 3 },
    Compression::Zstd { level: 19 },
];

#[derive(Debug, Serialize)]
struct Row {
    /// `none`, `zstd-3`, `zstd-19`.
    level: String,
    compression: Compression,
    /// Whole bundle (prelude, header and payload).
    size_bytes: u64,
    /// Encoding in memory: MessagePack, compression, checksums.
    save_ms: f64,
    /// Decoding in memory with every check of a load.
    load_ms: f64,
}

#[derive(Debug, Serialize)]
struct Comparison {
    file: String,
    model: String,
    file_size_bytes: u64,
    file_compression: Compression,
    levels: Vec<Row>,
}

fn label(c: Compression) -> String {
    match c {
        Compression::None => "none".into(),
        Compression::Zstd { level } => format!("zstd-{level}"),
    }
}

fn ms_since(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1e3
}

pub fn run(file: &Path, format: Format) -> Result<i32> {
    let what = || format!("re-encoding model bundle {}", file.display());
    let file_size_bytes = std::fs::metadata(file)
        .with_context(|| format!("reading the size of {}", file.display()))?
        .len();
    let loaded = bundle::load(file)?;
    let b = driftwatch_persist::Bundle {
        header: loaded.header,
        pipeline: loaded.pipeline,
    };
    let mut levels = Vec::with_capacity(LEVELS.len());
    for compression in LEVELS {
        let opts = SaveOptions {
            compression,
            ..SaveOptions::default()
        };
        let start = Instant::now();
        let bytes = driftwatch_persist::reencode(&b, &opts).with_context(what)?;
        let save_ms = ms_since(start);
        let start = Instant::now();
        driftwatch_persist::from_bytes(&bytes).with_context(what)?;
        let load_ms = ms_since(start);
        levels.push(Row {
            level: label(compression),
            compression,
            size_bytes: bytes.len() as u64,
            save_ms,
            load_ms,
        });
    }
    let c = Comparison {
        file: file.display().to_string(),
        model: format!("{}@{}", b.header.name, b.header.version),
        file_size_bytes,
        file_compression: b.header.compression,
        levels,
    };
    match format {
        Format::Json => print_json(&c)?,
        Format::Text => print_text(&c)?,
    }
    Ok(0)
}

fn print_text(c: &Comparison) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{} ({}): {} bytes as saved ({})",
        c.file,
        c.model,
        c.file_size_bytes,
        label(c.file_compression)
    )?;
    writeln!(
        out,
        "{:<9} {:>14} {:>9} {:>10} {:>10}",
        "level", "size (bytes)", "vs none", "save ms", "load ms"
    )?;
    let none = c.levels.first().map_or(1, |r| r.size_bytes.max(1));
    for r in &c.levels {
        writeln!(
            out,
            "{:<9} {:>14} {:>8.1}% {:>10.2} {:>10.2}",
            r.level,
            r.size_bytes,
            100.0 * r.size_bytes as f64 / none as f64,
            r.save_ms,
            r.load_ms
        )?;
    }
    writeln!(
        out,
        "(in memory, one run each: save = encode + compress + checksum, load = every check of a load + decode; {} is not changed)",
        c.file
    )?;
    Ok(())
}
