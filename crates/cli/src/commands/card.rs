//! `driftwatch card`: a model card (Markdown or HTML) from a bundle's header.

use anyhow::{Context, Result};

use crate::args::{CardArgs, CardFormat};
use crate::bundle;

pub fn run(a: &CardArgs) -> Result<i32> {
    let h = bundle::header(a.model.path()?)?;
    let text = match a.format {
        CardFormat::Markdown => driftwatch_persist::card_markdown(&h),
        CardFormat::Html => driftwatch_persist::card_html(&h),
    };
    match &a.output {
        Some(p) => std::fs::write(p, text).with_context(|| format!("writing {}", p.display()))?,
        None => print!("{text}"),
    }
    Ok(0)
}
