//! A predict request's body as a [`Frame`]: JSON rows (`{"rows": [{col: value}]}`),
//! JSON columns (`{"columns": {col: [values]}}`) or a CSV body (`Content-Type:
//! text/csv`). JSON is turned into CSV text and read by core's CSV reader with the
//! schema's column kinds, so the server reads values exactly as `driftwatch predict`
//! reads a file: one reader, one set of rules. Bodies are hostile: every shape error
//! is a message, never a panic.

use driftwatch_core::{Frame, Schema, read_csv};
use serde_json::{Map, Value};

use crate::error::ApiError;

/// The body's format, from its `Content-Type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `application/json` (also the default when no type is given).
    Json,
    /// `text/csv`.
    Csv,
}

impl Format {
    /// The format named by a `Content-Type` value; other types are refused (415).
    pub fn of(content_type: Option<&str>) -> Result<Self, ApiError> {
        let essence = content_type.map(|c| {
            c.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        });
        match essence.as_deref() {
            None | Some("application/json") => Ok(Format::Json),
            Some("text/csv") => Ok(Format::Csv),
            Some(other) => Err(ApiError::new(
                axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!(
                    "content type '{other}' is not supported: send application/json or text/csv"
                ),
            )),
        }
    }
}

/// Parses a body into a frame of at most `max_rows` rows.
pub fn parse(
    body: &[u8],
    format: Format,
    schema: &Schema,
    max_rows: usize,
) -> Result<Frame, ApiError> {
    let csv = match format {
        Format::Csv => std::str::from_utf8(body)
            .map_err(|_| ApiError::bad_request("the CSV body is not UTF-8"))?
            .to_string(),
        Format::Json => json_to_csv(body, max_rows)?,
    };
    let mut options = schema.read_options();
    // Ids are text even when they look like numbers.
    options.categorical.push(REQUEST_ID.to_string());
    if format == Format::Json {
        // The CSV text is ours: nothing to sniff.
        options.delimiter = Some(b',');
    }
    let frame = read_csv(csv.as_bytes(), "the request", &options)
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    if frame.n_rows() == 0 {
        return Err(ApiError::bad_request("the request has no rows"));
    }
    if frame.n_rows() > max_rows {
        return Err(too_many(frame.n_rows(), max_rows));
    }
    Ok(frame)
}

/// The key (JSON rows), array (JSON columns) or column (CSV) that carries a row's own
/// request id; never read as a model feature.
pub const REQUEST_ID: &str = "request_id";

/// The header that gives a one-row request its id.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// Longest request id accepted.
pub const MAX_ID_LEN: usize = 128;

/// Why `id` cannot be a request id, if it cannot: 1 to [`MAX_ID_LEN`] characters from
/// `A-Z a-z 0-9 . _ : -`, so that it needs no quoting in the labels CSV or a URL.
pub fn check_request_id(id: &str) -> Result<(), String> {
    if id.is_empty() || id.len() > MAX_ID_LEN {
        return Err(format!(
            "request id '{}' must be 1 to {MAX_ID_LEN} characters",
            id.chars().take(MAX_ID_LEN).collect::<String>()
        ));
    }
    if let Some(c) = id
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | ':' | '-')))
    {
        return Err(format!(
            "request id '{id}' has the character {c:?}; use only letters, digits and . _ : -"
        ));
    }
    Ok(())
}

/// Takes the client's request ids out of `frame` (its `request_id` column, or the
/// `X-Request-Id` header for a one-row request): one entry per row, `None` where the
/// server is to choose. Every id is checked and ids are unique within the request;
/// anything else is a 400 naming the row.
pub fn take_request_ids(
    frame: &mut Frame,
    header: Option<&str>,
) -> Result<Vec<Option<String>>, ApiError> {
    let n = frame.n_rows();
    let mut ids = match frame.remove(REQUEST_ID) {
        Ok(column) => column.to_labels(),
        Err(_) => vec![None; n],
    };
    if let Some(h) = header {
        if n != 1 {
            return Err(ApiError::bad_request(format!(
                "the X-Request-Id header names the id of a one-row request; this one has {n} \
                 rows: give each row a \"{REQUEST_ID}\" instead"
            )));
        }
        match ids.first_mut() {
            Some(Some(own)) if own != h => {
                return Err(ApiError::bad_request(format!(
                    "the X-Request-Id header '{h}' and the row's {REQUEST_ID} '{own}' differ"
                )));
            }
            Some(slot) => *slot = Some(h.to_string()),
            None => {}
        }
    }
    let mut seen = std::collections::HashMap::<&str, usize>::new();
    for (i, id) in ids.iter().enumerate() {
        let Some(id) = id else { continue };
        check_request_id(id).map_err(|m| ApiError::bad_request(format!("row {}: {m}", i + 1)))?;
        if let Some(first) = seen.insert(id, i + 1) {
            return Err(ApiError::bad_request(format!(
                "rows {first} and {}: the request id '{id}' is given twice; ids are unique \
                 within a request",
                i + 1
            )));
        }
    }
    Ok(ids)
}

/// 413 for a batch over the row limit.
pub fn too_many(n: usize, max: usize) -> ApiError {
    ApiError::new(
        axum::http::StatusCode::PAYLOAD_TOO_LARGE,
        format!("{n} rows in one request; the limit is {max}"),
    )
}

/// `{"rows": [...]}` or `{"columns": {...}}` as CSV text with a header line.
fn json_to_csv(body: &[u8], max_rows: usize) -> Result<String, ApiError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("the body is not valid JSON: {e}")))?;
    let Value::Object(mut obj) = value else {
        return Err(shape());
    };
    let (names, rows) = match (obj.remove("rows"), obj.remove("columns")) {
        (Some(Value::Array(rows)), None) => from_rows(rows, max_rows)?,
        (None, Some(Value::Object(cols))) => from_columns(cols, max_rows)?,
        _ => return Err(shape()),
    };
    if names.is_empty() {
        return Err(ApiError::bad_request("the request has no columns"));
    }
    let mut out = String::new();
    push_line(&mut out, names.iter().map(String::as_str));
    for row in &rows {
        push_line(&mut out, row.iter().map(String::as_str));
    }
    Ok(out)
}

fn shape() -> ApiError {
    ApiError::bad_request(
        "expected a JSON object with \"rows\" (an array of objects) or \"columns\" \
         (an object of arrays)",
    )
}

/// Rows of objects: the header is every key, in order of first appearance; a key a row
/// lacks is a missing value.
fn from_rows(
    rows: Vec<Value>,
    max_rows: usize,
) -> Result<(Vec<String>, Vec<Vec<String>>), ApiError> {
    if rows.len() > max_rows {
        return Err(too_many(rows.len(), max_rows));
    }
    let mut names: Vec<String> = Vec::new();
    let mut index = std::collections::HashMap::<String, usize>::new();
    let mut cells: Vec<Vec<String>> = Vec::with_capacity(rows.len());
    for (i, row) in rows.into_iter().enumerate() {
        let Value::Object(map) = row else {
            return Err(ApiError::bad_request(format!(
                "row {}: not a JSON object",
                i + 1
            )));
        };
        let mut line = vec![String::new(); names.len()];
        for (k, v) in map {
            let cell = cell(&v)
                .map_err(|m| ApiError::bad_request(format!("row {}, column '{k}': {m}", i + 1)))?;
            let j = *index.entry(k.clone()).or_insert_with(|| {
                names.push(k);
                names.len() - 1
            });
            if j >= line.len() {
                line.resize(j + 1, String::new());
            }
            line[j] = cell;
        }
        cells.push(line);
    }
    for line in &mut cells {
        line.resize(names.len(), String::new());
    }
    Ok((names, cells))
}

/// An object of equally long arrays.
fn from_columns(
    cols: Map<String, Value>,
    max_rows: usize,
) -> Result<(Vec<String>, Vec<Vec<String>>), ApiError> {
    let mut names = Vec::new();
    let mut columns = Vec::new();
    for (k, v) in cols {
        let Value::Array(values) = v else {
            return Err(ApiError::bad_request(format!("column '{k}': not an array")));
        };
        if values.len() > max_rows {
            return Err(too_many(values.len(), max_rows));
        }
        let cells = values
            .iter()
            .enumerate()
            .map(|(i, v)| {
                cell(v)
                    .map_err(|m| ApiError::bad_request(format!("row {}, column '{k}': {m}", i + 1)))
            })
            .collect::<Result<Vec<_>, _>>()?;
        names.push(k);
        columns.push(cells);
    }
    let n = columns.first().map_or(0, Vec::len);
    if let Some((name, c)) = names.iter().zip(&columns).find(|(_, c)| c.len() != n) {
        return Err(ApiError::bad_request(format!(
            "column '{name}' has {} values but '{}' has {n}: columns must be equally long",
            c.len(),
            names[0]
        )));
    }
    let rows = (0..n)
        .map(|i| columns.iter().map(|c| c[i].clone()).collect())
        .collect();
    Ok((names, rows))
}

/// One JSON value as a CSV cell: `null` is missing, arrays and objects are refused.
fn cell(v: &Value) -> Result<String, &'static str> {
    match v {
        Value::Null => Ok(String::new()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Number(n) => Ok(n.to_string()),
        Value::String(s) => Ok(s.clone()),
        Value::Array(_) | Value::Object(_) => Err("an array or object; give a number or a string"),
    }
}

/// Appends one CSV line, every field quoted (so commas, quotes and newlines are data).
fn push_line<'a>(out: &mut String, fields: impl Iterator<Item = &'a str>) {
    for (i, f) in fields.enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('"');
        out.push_str(&f.replace('"', "\"\""));
        out.push('"');
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema() -> Schema {
        Schema {
            columns: Vec::new(),
        }
    }

    #[test]
    fn rows_and_columns_give_the_same_frame() -> Result<(), ApiError> {
        let a = parse(
            br#"{"rows": [{"x": 1, "c": "a,\"b"}, {"x": 2.5}]}"#,
            Format::Json,
            &schema(),
            10,
        )?;
        let b = parse(
            br#"{"columns": {"x": [1, 2.5], "c": ["a,\"b", null]}}"#,
            Format::Json,
            &schema(),
            10,
        )?;
        assert_eq!(a.n_rows(), 2);
        assert_eq!(b.n_rows(), 2);
        assert_eq!(
            a.column("c").map(|c| c.display_value(0)).ok(),
            Some("a,\"b".to_string())
        );
        assert_eq!(
            b.column("x").map(|c| c.display_value(1)).ok(),
            a.column("x").map(|c| c.display_value(1)).ok()
        );
        Ok(())
    }

    #[test]
    fn hostile_bodies_are_messages() {
        for body in [
            &b"{"[..],
            b"[]",
            b"{\"rows\": 3}",
            b"{\"rows\": [1]}",
            b"{\"rows\": [{\"x\": [1]}]}",
            b"{\"rows\": []}",
            b"{\"rows\": [{\"x\": 1e999}]}",
            b"{\"columns\": {\"x\": [1], \"y\": [1, 2]}}",
            b"\xff",
        ] {
            let e = parse(body, Format::Json, &schema(), 10).err();
            assert!(e.is_some_and(|e| e.status.is_client_error()), "{body:?}");
        }
        let e = parse(
            br#"{"rows": [{"x": 1}, {"x": 2}]}"#,
            Format::Json,
            &schema(),
            1,
        )
        .err();
        assert_eq!(e.map(|e| e.status.as_u16()), Some(413));
    }

    #[test]
    fn client_request_ids_are_taken_out_of_the_rows_and_checked() -> Result<(), ApiError> {
        let mut f = parse(
            br#"{"rows": [{"x": 1, "request_id": "a-1"}, {"x": 2}, {"x": 3, "request_id": 7}]}"#,
            Format::Json,
            &schema(),
            10,
        )?;
        let ids = take_request_ids(&mut f, None)?;
        assert_eq!(ids, [Some("a-1".into()), None, Some("7".into())]);
        assert_eq!(f.names(), ["x"]);

        let mut f = parse(b"x,request_id\n1,0042\n", Format::Csv, &schema(), 10)?;
        assert_eq!(take_request_ids(&mut f, None)?, [Some("0042".into())]);
        let mut f = parse(br#"{"rows": [{"x": 1}]}"#, Format::Json, &schema(), 10)?;
        assert_eq!(take_request_ids(&mut f, Some("h.1"))?, [Some("h.1".into())]);

        let status = |body: &[u8], header: Option<&str>| {
            parse(body, Format::Json, &schema(), 10)
                .and_then(|mut f| take_request_ids(&mut f, header))
                .err()
                .map(|e| (e.status.as_u16(), e.message))
        };
        let dup = status(
            br#"{"rows": [{"x": 1, "request_id": "a"}, {"x": 2, "request_id": "a"}]}"#,
            None,
        );
        assert!(dup.is_some_and(|(s, m)| s == 400 && m.contains("rows 1 and 2")));
        let bad = status(br#"{"rows": [{"x": 1, "request_id": "a b"}]}"#, None);
        assert!(bad.is_some_and(|(s, m)| s == 400 && m.contains("row 1")));
        let long = format!(
            r#"{{"rows": [{{"x": 1, "request_id": "{}"}}]}}"#,
            "a".repeat(129)
        );
        assert!(status(long.as_bytes(), None).is_some());
        assert!(status(br#"{"rows": [{"x": 1}, {"x": 2}]}"#, Some("h")).is_some());
        assert!(status(br#"{"rows": [{"x": 1, "request_id": "r"}]}"#, Some("h")).is_some());
        Ok(())
    }

    #[test]
    fn request_id_rules() {
        assert!(check_request_id("661fdf5edbfab-1").is_ok());
        assert!(check_request_id("order:42_b.7").is_ok());
        assert!(check_request_id(&"a".repeat(MAX_ID_LEN)).is_ok());
        for bad in ["", "a,b", "a\"b", "é", "a\nb", "x/y"] {
            assert!(check_request_id(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn content_types() {
        assert_eq!(Format::of(None).ok(), Some(Format::Json));
        assert_eq!(
            Format::of(Some("text/csv; charset=utf-8")).ok(),
            Some(Format::Csv)
        );
        assert_eq!(
            Format::of(Some("text/xml"))
                .err()
                .map(|e| e.status.as_u16()),
            Some(415)
        );
    }
}
