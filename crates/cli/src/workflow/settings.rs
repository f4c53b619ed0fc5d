//! `path=value` settings (`--set`), as pipeline parameters.

use anyhow::{Context, Result};
use driftwatch_core::ParamValue;

/// Parses `path=value` settings.
pub fn parse_settings(items: &[String]) -> Result<Vec<(String, ParamValue)>> {
    items
        .iter()
        .map(|s| {
            let (k, v) = s
                .split_once('=')
                .with_context(|| format!("'{s}' is not of the form path=value"))?;
            Ok((k.trim().to_string(), ParamValue::parse(v)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_parse_and_reject_malformed_items() {
        let s = parse_settings(&["model__max_depth=none".into(), "x__y = 3".into()]).unwrap();
        assert_eq!(s[0], ("model__max_depth".into(), ParamValue::None));
        assert_eq!(s[1], ("x__y".into(), ParamValue::Int(3)));
        assert!(parse_settings(&["nothing".into()]).is_err());
    }
}
