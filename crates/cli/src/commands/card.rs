//! `driftwatch card`: a model card (Markdown or HTML) from a bundle's header.

use anyhow::Result;

use crate::args::{CardArgs, CardFormat};
use crate::bundle;
use crate::output::emit;

pub fn run(a: &CardArgs) -> Result<i32> {
    let h = bundle::header(a.model.path()?)?;
    let text = match a.format {
        CardFormat::Markdown => driftwatch_persist::card_markdown(&h),
        CardFormat::Html => driftwatch_persist::card_html(&h),
    };
    emit(&text, a.output.as_deref(), "the model card")?;
    Ok(0)
}
