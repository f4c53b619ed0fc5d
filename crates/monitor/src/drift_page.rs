//! The report of one reference-vs-current drift check (`driftwatch drift --format
//! markdown|html`): [`DriftPage`] is the entry point.
//!
//! Per column it shows the test, statistic, p-value, effect size, threshold and
//! verdict, the data findings (missing values, unseen categories...), and in HTML the
//! reference vs current histogram (numeric) or bar chart (categorical), as in the seed
//! notebook's train-vs-current plots. The rows are plain values so this crate does not
//! depend on the drift crate; the CLI fills them from its drift report.

use std::fmt::Write as _;

use crate::error::Result;
use crate::histogram::FeatureHistogram;
use crate::html::{CSS, esc, histogram_chart};
use crate::report::md;

/// Section ids of the HTML page, in order.
pub const SECTIONS: [&str; 3] = ["verdict", "columns", "distributions"];

/// One column's verdict, as the page shows it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DriftPageRow {
    /// The column.
    pub column: String,
    /// `numeric` or `categorical`.
    pub kind: String,
    /// The test that ran (`ks`, `wasserstein_normed`, `chi2`..., `none`).
    pub test: String,
    /// Its statistic, when it ran.
    pub statistic: Option<f64>,
    /// Its p-value (adjusted when a correction was asked for), for tests with one.
    pub p_value: Option<f64>,
    /// The effect size next to the p-value.
    pub effect: Option<f64>,
    /// The threshold the statistic or p-value was judged against.
    pub threshold: f64,
    /// The verdict.
    pub drift: bool,
    /// Missing values in the reference and in the current data.
    pub missing: (usize, usize),
    /// Data findings and notes, one sentence each.
    pub notes: Vec<String>,
}

/// A whole drift check: the rows, the dataset verdict and the distributions.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DriftPage {
    /// Page title, e.g. the two file names.
    pub title: String,
    /// One row per column, in column order.
    pub rows: Vec<DriftPageRow>,
    /// Drifted columns.
    pub drifted: usize,
    /// Columns tested.
    pub total: usize,
    /// Whether the drifted share reached the dataset-drift share.
    pub dataset_drift: bool,
    /// Reference vs current distributions, by column (see
    /// [`crate::histogram::frame_histograms`]); columns without one get none.
    pub histograms: Vec<FeatureHistogram>,
}

fn num(x: Option<f64>, p: bool) -> String {
    match x {
        Some(v) if p => format!("{v:.3e}"),
        Some(v) => format!("{v:.4}"),
        None => "-".into(),
    }
}

impl DriftPageRow {
    fn verdict(&self) -> &'static str {
        if self.drift { "DRIFT" } else { "ok" }
    }

    /// `ks 0.123, p=4.5e-3` for chart titles.
    fn detail(&self) -> String {
        match (self.statistic, self.p_value) {
            (Some(s), Some(p)) => format!("{} {s:.3}, p={p:.2e}", self.test),
            (Some(s), None) => format!("{} {s:.3}", self.test),
            _ => self.test.clone(),
        }
    }
}

impl DriftPage {
    fn verdict_line(&self) -> String {
        format!(
            "{} of {} columns drifted; dataset drift: {}",
            self.drifted,
            self.total,
            if self.dataset_drift { "yes" } else { "no" }
        )
    }

    /// The report as Markdown: a verdict line, one table row per column, then the data
    /// findings.
    pub fn render_markdown(&self) -> String {
        let mut out = format!("# {}\n\n**{}**\n\n", md(&self.title), self.verdict_line());
        out.push_str(
            "| column | kind | test | statistic | p-value | effect | threshold | missing (ref / cur) | status |\n\
             |---|---|---|---:|---:|---:|---:|---:|---|\n",
        );
        for r in &self.rows {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} / {} | {} |",
                md(&r.column),
                r.kind,
                md(&r.test),
                num(r.statistic, false),
                num(r.p_value, true),
                num(r.effect, false),
                num(Some(r.threshold), false),
                r.missing.0,
                r.missing.1,
                if r.drift { "**DRIFT**" } else { "ok" }
            );
        }
        let notes: Vec<(&str, &str)> = self
            .rows
            .iter()
            .flat_map(|r| r.notes.iter().map(move |n| (r.column.as_str(), n.as_str())))
            .collect();
        if !notes.is_empty() {
            out.push_str("\n## Data findings\n\n");
            for (c, n) in notes {
                let _ = writeln!(out, "- **{}**: {}", md(c), md(n));
            }
        }
        out
    }

    /// The report as one self-contained HTML page (inline SVG, no script).
    pub fn render_html(&self) -> Result<String> {
        let mut out = String::with_capacity(64 * 1024);
        let _ = write!(
            out,
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
             <title>{t}</title><style>{CSS}</style></head><body>\n<h1>{t}</h1>\n\
             <section id=\"verdict\"><p><b>{}</b></p></section>\n",
            esc(&self.verdict_line()),
            t = esc(&self.title),
        );
        out.push_str(
            "<section id=\"columns\"><h2>Columns</h2><table><tr><th>column</th><th class=\"l\">kind</th>\
             <th class=\"l\">test</th><th>statistic</th><th>p-value</th><th>effect</th><th>threshold</th>\
             <th>missing (ref / cur)</th><th>status</th><th class=\"l\">findings</th></tr>",
        );
        for r in &self.rows {
            let _ = write!(
                out,
                "<tr><td>{}</td><td class=\"l\">{}</td><td class=\"l\">{}</td><td>{}</td><td>{}</td>\
                 <td>{}</td><td>{}</td><td>{} / {}</td><td class=\"{}\">{}</td>\
                 <td class=\"l\">{}</td></tr>",
                esc(&r.column),
                esc(&r.kind),
                esc(&r.test),
                num(r.statistic, false),
                num(r.p_value, true),
                num(r.effect, false),
                num(Some(r.threshold), false),
                r.missing.0,
                r.missing.1,
                if r.drift { "drift" } else { "ok" },
                r.verdict(),
                esc(&r.notes.join(" ")),
            );
        }
        out.push_str("</table></section>\n");
        out.push_str(
            "<section id=\"distributions\"><h2>Reference vs current</h2>\
             <p>Bars are shares of the non-missing rows; the title gives the test.</p>\
             <div class=\"grid3\">",
        );
        for h in &self.histograms {
            let row = self.rows.iter().find(|r| r.column == h.column);
            let drifted = row.map(|r| r.drift);
            let mut detail = row.map_or_else(|| "not tested".into(), DriftPageRow::detail);
            if h.approximate {
                // a side was read into a quantile sketch: its bars are estimates
                detail.push_str("; bars estimated from a quantile sketch");
            }
            out.push_str(&histogram_chart(h, drifted, &detail)?);
        }
        out.push_str(
            "</div></section>\n<footer>driftwatch drift report</footer>\n</body></html>\n",
        );
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn page() -> DriftPage {
        DriftPage {
            title: "ref.csv vs <today>.csv".into(),
            rows: vec![
                DriftPageRow {
                    column: "age".into(),
                    kind: "numeric".into(),
                    test: "ks".into(),
                    statistic: Some(0.25),
                    p_value: Some(1.5e-6),
                    effect: Some(0.25),
                    threshold: 0.05,
                    drift: true,
                    missing: (0, 3),
                    notes: vec!["missing share 3.0% vs 0.0% in the reference".into()],
                },
                DriftPageRow {
                    column: "colour | hue".into(),
                    kind: "categorical".into(),
                    test: "chi2".into(),
                    statistic: Some(1.0),
                    p_value: Some(0.6),
                    threshold: 0.05,
                    ..Default::default()
                },
            ],
            drifted: 1,
            total: 2,
            dataset_drift: true,
            histograms: vec![FeatureHistogram {
                column: "age".into(),
                edges: vec![0.0, 1.0, 2.0],
                levels: vec![],
                reference: vec![0.5, 0.5],
                current: vec![0.1, 0.9],
                reference_missing: 0,
                current_missing: 3,
                approximate: false,
            }],
        }
    }

    #[test]
    fn markdown_has_a_row_per_column_and_the_findings() {
        let m = page().render_markdown();
        assert!(m.starts_with(
            "# ref.csv vs <today>.csv\n\n**1 of 2 columns drifted; dataset drift: yes**"
        ));
        assert!(
            m.contains(
                "| age | numeric | ks | 0.2500 | 1.500e-6 | 0.2500 | 0.0500 | 0 / 3 | **DRIFT** |"
            ),
            "{m}"
        );
        assert!(
            m.contains("| colour \\| hue | categorical | chi2 | 1.0000 | 6.000e-1 | - |"),
            "{m}"
        );
        assert!(m.contains("- **age**: missing share 3.0%"), "{m}");
    }

    #[test]
    fn html_is_self_contained_with_a_chart_per_histogram() {
        let h = page().render_html().unwrap();
        assert!(h.contains("<title>ref.csv vs &lt;today&gt;.csv</title>"));
        for s in SECTIONS {
            assert!(h.contains(&format!("<section id=\"{s}\">")), "{s}");
        }
        assert_eq!(h.matches("<svg").count(), 1);
        assert!(
            h.contains("age - DRIFT (ks 0.250, p=1.50e-6)"),
            "chart title"
        );
        assert!(h.contains("<td class=\"drift\">DRIFT</td>"));
        assert!(!h.to_lowercase().contains("<script"));
        assert!(!h.contains("http://") || h.contains("http://www.w3.org"));
    }
}
