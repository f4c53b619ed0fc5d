//! Hyper-parameters set by name, scikit-learn style (`model__n_estimators`).

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A parameter value as it comes from a config file or the command line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ParamValue {
    /// `true` / `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// Text (e.g. `sqrt`, `median`).
    Str(String),
    /// No value (`none`): e.g. unlimited max_depth.
    None,
}

impl ParamValue {
    /// Parses command-line text: `none`/`null`, `true`/`false`, integers, floats, else text.
    pub fn parse(text: &str) -> ParamValue {
        let t = text.trim();
        match t.to_ascii_lowercase().as_str() {
            "none" | "null" => return ParamValue::None,
            "true" => return ParamValue::Bool(true),
            "false" => return ParamValue::Bool(false),
            _ => {}
        }
        if let Ok(i) = t.parse::<i64>() {
            ParamValue::Int(i)
        } else if let Ok(f) = t.parse::<f64>() {
            ParamValue::Float(f)
        } else {
            ParamValue::Str(t.to_string())
        }
    }

    /// A non-negative integer, or an error naming the parameter.
    pub fn as_usize(&self, name: &str) -> Result<usize> {
        match self {
            ParamValue::Int(i) if *i >= 0 => Ok(*i as usize),
            ParamValue::Float(f) if *f >= 0.0 && f.fract() == 0.0 => Ok(*f as usize),
            other => Err(Error::param(
                name,
                format!("expected a non-negative integer, got {other}"),
            )),
        }
    }

    /// An optional non-negative integer (`none` = no limit).
    pub fn as_opt_usize(&self, name: &str) -> Result<Option<usize>> {
        match self {
            ParamValue::None => Ok(None),
            other => other.as_usize(name).map(Some),
        }
    }

    /// A number.
    pub fn as_f64(&self, name: &str) -> Result<f64> {
        match self {
            ParamValue::Int(i) => Ok(*i as f64),
            ParamValue::Float(f) => Ok(*f),
            other => Err(Error::param(
                name,
                format!("expected a number, got {other}"),
            )),
        }
    }

    /// A boolean.
    pub fn as_bool(&self, name: &str) -> Result<bool> {
        match self {
            ParamValue::Bool(b) => Ok(*b),
            other => Err(Error::param(
                name,
                format!("expected true or false, got {other}"),
            )),
        }
    }

    /// Text (numbers are given back as written).
    pub fn as_string(&self) -> String {
        match self {
            ParamValue::Str(s) => s.clone(),
            other => other.to_string(),
        }
    }
}

impl std::fmt::Display for ParamValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ParamValue::Bool(b) => write!(f, "{b}"),
            ParamValue::Int(i) => write!(f, "{i}"),
            ParamValue::Float(x) => write!(f, "{x}"),
            ParamValue::Str(s) => write!(f, "{s}"),
            ParamValue::None => write!(f, "none"),
        }
    }
}

impl From<i64> for ParamValue {
    fn from(v: i64) -> Self {
        ParamValue::Int(v)
    }
}
impl From<i32> for ParamValue {
    fn from(v: i32) -> Self {
        ParamValue::Int(v.into())
    }
}
impl From<usize> for ParamValue {
    fn from(v: usize) -> Self {
        ParamValue::Int(v as i64)
    }
}
impl From<f64> for ParamValue {
    fn from(v: f64) -> Self {
        ParamValue::Float(v)
    }
}
impl From<bool> for ParamValue {
    fn from(v: bool) -> Self {
        ParamValue::Bool(v)
    }
}
impl From<&str> for ParamValue {
    fn from(v: &str) -> Self {
        ParamValue::Str(v.to_string())
    }
}
impl From<Option<usize>> for ParamValue {
    fn from(v: Option<usize>) -> Self {
        v.map_or(ParamValue::None, Into::into)
    }
}

/// Something with named hyper-parameters.
pub trait Params {
    /// The current parameters, by name (for nested components: full `a__b` paths).
    fn get_params(&self) -> Vec<(String, ParamValue)>;
    /// Sets one parameter by name; an unknown name is an [`Error::UnknownParam`].
    fn set_param(&mut self, name: &str, value: &ParamValue) -> Result<()>;
}

/// The error for a name that `params` does not contain.
pub fn unknown_param(path: &str, params: &[(String, ParamValue)], prefix: &str) -> Error {
    Error::UnknownParam {
        path: path.to_string(),
        valid: params
            .iter()
            .map(|(n, _)| format!("{prefix}{n}"))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_command_line_values() {
        assert_eq!(ParamValue::parse("5"), ParamValue::Int(5));
        assert_eq!(ParamValue::parse("0.5"), ParamValue::Float(0.5));
        assert_eq!(ParamValue::parse("None"), ParamValue::None);
        assert_eq!(ParamValue::parse("true"), ParamValue::Bool(true));
        assert_eq!(ParamValue::parse("sqrt"), ParamValue::Str("sqrt".into()));
    }

    #[test]
    fn conversions_check_types() {
        assert_eq!(ParamValue::Int(3).as_usize("n").unwrap(), 3);
        assert!(ParamValue::Int(-3).as_usize("n").is_err());
        assert_eq!(ParamValue::None.as_opt_usize("d").unwrap(), None);
        assert!(ParamValue::Str("x".into()).as_f64("f").is_err());
    }
}
