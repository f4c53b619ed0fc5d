//! Escaping text for the HTML and Markdown that reports and model cards write: one
//! copy for the crates that render pages (monitor, persist).

/// Text safe inside HTML elements and quoted attributes (`& < > " '`).
#[must_use]
pub fn html(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '&' => o.push_str("&amp;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// Text safe inside a Markdown table cell: pipes escaped, line breaks flattened to
/// spaces (a cell is one line).
#[must_use]
pub fn markdown_cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_markup_and_quotes() {
        assert_eq!(
            html(r#"<b a="1">Tom & 'Jerry'</b>"#),
            "&lt;b a=&quot;1&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/b&gt;"
        );
        assert_eq!(html("plain"), "plain");
    }

    #[test]
    fn markdown_cells_stay_one_cell_on_one_line() {
        assert_eq!(markdown_cell("a|b\r\nc"), "a\\|b  c");
    }
}
