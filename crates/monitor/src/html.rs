//! The HTML report: [`render`] (or [`RunReport::render_html`]) is the entry point.
//!
//! One self-contained page (inline SVG drawn with plotters, inline CSS, no script, no
//! network) with the seed notebook's panels, each a `<section>` with a stable id:
//!
//! | id | what |
//! |---|---|
//! | `summary` | the dashboard: period, predictions, accuracy (average, current, trend), drifted features, alerts |
//! | `performance` | a 2x2 grid of accuracy/precision/recall/F1 per window, with the baseline and the alert line (`baseline x ratio`, the monitor's threshold) |
//! | `estimates` | only when a monitor reports them ([`crate::estimate_chart`]): estimated performance per window with its ± 3 sampling-error band, thresholds and the realized value; drift statistics judged by a band |
//! | `drift` | reference vs current histograms per feature, titled with the drift status of that window |
//! | `predictions` | the share of each predicted class per window |
//! | `alerts` | the alert table |
//! | `windows` | the per-window table of the text report |

use std::fmt::Write as _;

use plotters::coord::Shift;
use plotters::prelude::*;

use driftwatch_core::FindingKind;

use crate::alert::AlertState;
use crate::error::{Error, Result};
use crate::histogram::FeatureHistogram;
use crate::report::{RunReport, current_change};
use crate::window_report::{WindowReport, metric_key, span_of};

/// Section ids of the page, in order.
pub const SECTIONS: [&str; 6] = [
    "summary",
    "performance",
    "drift",
    "predictions",
    "alerts",
    "windows",
];

const METRIC_SIZE: (u32, u32) = (620, 300);
pub(crate) const HIST_SIZE: (u32, u32) = (400, 240);
const SHARE_SIZE: (u32, u32) = (1260, 320);
const BLUE: RGBColor = RGBColor(31, 119, 180);
const ORANGE: RGBColor = RGBColor(255, 127, 14);
const GREEN_: RGBColor = RGBColor(44, 160, 44);
const RED_: RGBColor = RGBColor(214, 39, 40);
/// Class colours (matplotlib's tab10, as in the seed notebook).
const TAB10: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// Reference vs current distributions of one window, for the `drift` section.
#[derive(Debug, Clone, PartialEq)]
pub struct Distributions {
    /// Index of the window the current distributions come from.
    pub window: usize,
    /// One histogram per feature.
    pub features: Vec<FeatureHistogram>,
}

impl RunReport {
    /// The self-contained HTML page (see [`crate::html`]); `distributions` fills the
    /// histograms of the drift section. (Here, not in `report.rs`, so that the report
    /// does not depend on its HTML page: `html` -> `report`, one way.)
    pub fn render_html(
        &self,
        distributions: Option<&Distributions>,
        title: &str,
    ) -> Result<String> {
        render(self, distributions, title)
    }
}

/// The page for a run. `distributions` (from [`crate::histogram::histograms`]) fills the
/// drift section; without it the section says that the data was not available.
pub fn render(
    report: &RunReport,
    distributions: Option<&Distributions>,
    title: &str,
) -> Result<String> {
    let mut out = String::with_capacity(256 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><style>{CSS}</style></head><body>\n<h1>{}</h1>\n",
        esc(title),
        esc(title)
    );
    summary_section(&mut out, report);
    performance_section(&mut out, report)?;
    crate::estimate_chart::section(&mut out, report)?;
    drift_section(&mut out, report, distributions)?;
    predictions_section(&mut out, report)?;
    alerts_section(&mut out, report);
    windows_section(&mut out, report);
    out.push_str("<footer>driftwatch monitoring report</footer>\n</body></html>\n");
    Ok(out)
}

pub(crate) const CSS: &str = "body{font-family:system-ui,sans-serif;margin:20px;color:#222;max-width:1320px}\
h1{font-size:24px}h2{font-size:19px;border-bottom:1px solid #ccc;padding-bottom:4px;margin-top:28px}\
.cards{display:flex;flex-wrap:wrap;gap:12px}.card{border:1px solid #ddd;border-radius:6px;padding:10px 14px;min-width:170px}\
.card .k{font-size:12px;color:#666;text-transform:uppercase}.card .v{font-size:20px;font-weight:600}\
.grid2{display:grid;grid-template-columns:repeat(2,620px);gap:10px}\
.grid3{display:grid;grid-template-columns:repeat(3,400px);gap:10px}\
table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}\
td:first-child,th:first-child,td.l,th.l{text-align:left}th{background:#f4f4f4}\
.HIGH{color:#c00;font-weight:600}.MEDIUM{color:#c60}.LOW{color:#888}.drift{color:#c00}.ok{color:#282}\
footer{margin-top:30px;color:#999;font-size:12px}svg{display:block}";

pub(crate) use driftwatch_core::escape::html as esc;

fn opt(x: Option<f64>) -> String {
    x.map_or_else(|| "n/a".to_string(), |v| format!("{v:.4}"))
}

fn card(out: &mut String, key: &str, value: &str) {
    let _ = write!(
        out,
        "<div class=\"card\"><div class=\"k\">{}</div><div class=\"v\">{}</div></div>",
        esc(key),
        value
    );
}

fn summary_section(out: &mut String, r: &RunReport) {
    let s = &r.summary;
    out.push_str("<section id=\"summary\"><h2>Summary</h2><div class=\"cards\">");
    card(
        out,
        "period",
        &format!(
            "{} .. {}<br><small>{} windows, {} empty</small>",
            esc(&s.period.first),
            esc(&s.period.last),
            s.n_windows,
            s.empty_windows
        ),
    );
    card(out, "predictions", &s.total_predictions.to_string());
    card(out, "average accuracy", &opt(s.average_accuracy));
    card(
        out,
        "current accuracy",
        &format!(
            "{}<br><small>{}</small>",
            opt(s.current_accuracy),
            esc(s.current_window.as_deref().unwrap_or(""))
        ),
    );
    let trend = s.accuracy_trend.as_ref().map_or_else(
        || "n/a".to_string(),
        |t| {
            format!(
                "{}<br><small>{:+.4} per window</small>",
                t.direction, t.slope
            )
        },
    );
    card(out, "accuracy trend", &trend);
    if let Some(l) = &s.latency {
        card(
            out,
            "latency p50 / p95 / p99",
            &format!(
                "{:.2} / {:.2} / {:.2} ms<br><small>{}; worst p99 {:.2} ms ({})</small>",
                l.p50,
                l.p95,
                l.p99,
                esc(&l.window),
                l.max_p99,
                esc(&l.max_p99_window)
            ),
        );
    }
    card(
        out,
        "drifted features",
        &format!(
            "{} / {}<br><small>{} over the period</small>",
            s.drifted_features,
            s.total_features,
            s.drifted_columns_period.len()
        ),
    );
    let by = s
        .alerts_by_severity
        .iter()
        .rev()
        .map(|(sev, n)| format!("<span class=\"{sev}\">{sev} {n}</span>"))
        .collect::<Vec<_>>()
        .join(", ");
    card(
        out,
        "active alerts",
        &format!(
            "{}<br><small>{by}; {} resolved</small>",
            s.active_alerts.len(),
            s.resolved_alerts
        ),
    );
    out.push_str("</div>");
    if !s.detections.is_empty() {
        out.push_str(
            "<table class=\"detections\"><caption>First flagged: per check, the first window of its first alert</caption>\
             <tr><th>check</th><th>first flagged</th><th>what</th><th>alerts</th></tr>",
        );
        for d in &s.detections {
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&d.check),
                esc(d.first_label.as_deref().unwrap_or("not flagged")),
                esc(&d.flagged.join(", ")),
                d.alerts
            );
        }
        out.push_str("</table>");
    }
    if let Some(note) = r.band_note() {
        let _ = write!(out, "<p>Drift thresholds: {}.</p>", esc(&note));
    }
    out.push_str("</section>\n");
}

fn draw_err(chart: &str) -> impl Fn(String) -> Error + '_ {
    move |message| Error::Render {
        chart: chart.to_string(),
        message,
    }
}

/// Runs a drawing closure on a fresh SVG of `size` and returns the SVG text.
pub(crate) fn svg(
    title: &str,
    size: (u32, u32),
    draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> std::result::Result<(), String>,
) -> Result<String> {
    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, size).into_drawing_area();
        root.fill(&WHITE)
            .map_err(|e| e.to_string())
            .and_then(|()| draw(&root))
            .and_then(|()| root.present().map_err(|e| e.to_string()))
            .map_err(draw_err(title))?;
    }
    Ok(buf)
}

/// The legend box every chart of the page uses.
fn draw_legend<'a>(
    chart: &mut ChartContext<
        'a,
        SVGBackend<'a>,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
    position: SeriesLabelPosition,
) -> std::result::Result<(), String> {
    chart
        .configure_series_labels()
        .position(position)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .draw()
        .map_err(|e| e.to_string())
}

/// A y range that holds every value with a margin.
fn y_range(values: impl Iterator<Item = f64>, floor: Option<f64>) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let pad = ((hi - lo) * 0.1).max(0.01);
    let lo = floor.map_or(lo - pad, |f| (lo - pad).max(f));
    (lo, hi + pad)
}

fn window_labels(r: &RunReport) -> Vec<String> {
    r.windows.iter().map(|w| w.label.clone()).collect()
}

/// The label of the window at an x tick, or nothing between windows.
fn tick_label(labels: &[String], x: f64) -> String {
    if (x - x.round()).abs() > 1e-6 || x < -0.5 {
        return String::new();
    }
    labels.get(x.round() as usize).cloned().unwrap_or_default()
}

/// Baseline and alert line of a metric: from the first finding that has them.
fn baseline_of(windows: &[WindowReport], key: &str) -> Option<(f64, f64)> {
    windows
        .iter()
        .flat_map(|w| &w.findings)
        .find(|f| f.kind.higher_is_better().is_some() && metric_key(f) == key)
        .and_then(|f| f.baseline.map(|b| (b, f.threshold)))
}

fn metric_chart(r: &RunReport, key: &str) -> Result<String> {
    let labels = window_labels(r);
    let values: Vec<Option<f64>> = r
        .windows
        .iter()
        .map(|w| w.metrics.get(key).copied())
        .collect();
    let lines = baseline_of(&r.windows, key);
    let alerted: Vec<bool> = r
        .windows
        .iter()
        .map(|w| {
            r.alerts
                .iter()
                .any(|a| a.covers(w.index) && a.column.is_none() && a.metric == key)
        })
        .collect();
    let n = labels.len().max(1) as f64;
    let (lo, hi) = y_range(
        values
            .iter()
            .flatten()
            .copied()
            .chain(lines.iter().flat_map(|&(b, t)| [b, t])),
        None,
    );
    svg(key, METRIC_SIZE, |root| {
        let e = |e: &dyn std::fmt::Display| e.to_string();
        let mut chart = ChartBuilder::on(root)
            .caption(key, ("sans-serif", 18))
            .margin(8)
            .x_label_area_size(30)
            .y_label_area_size(50)
            .build_cartesian_2d(-0.5..n - 0.5, lo..hi)
            .map_err(|x| e(&x))?;
        chart
            .configure_mesh()
            .x_labels(labels.len().clamp(1, 8))
            .x_label_formatter(&|x| tick_label(&labels, *x))
            .y_label_formatter(&|y| format!("{y:.2}"))
            .light_line_style(WHITE)
            .draw()
            .map_err(|x| e(&x))?;
        if let Some((b, t)) = lines {
            chart
                .draw_series(LineSeries::new(
                    [(-0.5, b), (n - 0.5, b)],
                    GREEN_.stroke_width(2),
                ))
                .map_err(|x| e(&x))?
                .label(format!("baseline {b:.3}"))
                .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], GREEN_.stroke_width(2)));
            if t.is_finite() {
                chart
                    .draw_series(DashedLineSeries::new(
                        [(-0.5, t), (n - 0.5, t)],
                        6,
                        4,
                        RED_.stroke_width(2),
                    ))
                    .map_err(|x| e(&x))?
                    .label(format!("alert line {t:.3}"))
                    .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], RED_.stroke_width(2)));
            }
        }
        // One line per run of windows that have the metric (gaps stay gaps).
        let mut run: Vec<(f64, f64)> = Vec::new();
        let mut first = true;
        for (i, v) in values.iter().enumerate().chain([(values.len(), &None)]) {
            match v {
                Some(v) => run.push((i as f64, *v)),
                None if !run.is_empty() => {
                    let s = chart
                        .draw_series(LineSeries::new(run.drain(..), BLUE.stroke_width(2)))
                        .map_err(|x| e(&x))?;
                    if first {
                        s.label(key.to_string()).legend(|(x, y)| {
                            PathElement::new([(x, y), (x + 16, y)], BLUE.stroke_width(2))
                        });
                        first = false;
                    }
                }
                None => {}
            }
        }
        chart
            .draw_series(values.iter().enumerate().filter_map(|(i, v)| {
                let colour = if alerted[i] { RED_ } else { BLUE };
                v.map(|v| Circle::new((i as f64, v), 3, colour.filled()))
            }))
            .map_err(|x| e(&x))?;
        draw_legend(&mut chart, SeriesLabelPosition::LowerLeft)
    })
}

fn performance_section(out: &mut String, r: &RunReport) -> Result<()> {
    out.push_str("<section id=\"performance\"><h2>Performance per window</h2>");
    let keys = r.table_metrics();
    if keys.is_empty() {
        out.push_str("<p>No metric was measured (no labels, or no performance monitor).</p>");
    } else {
        out.push_str(
            "<p>Solid green: the baseline; dashed red: the alert line (baseline x ratio); red points: windows under an alert.</p><div class=\"grid2\">",
        );
        for k in keys.iter().take(4) {
            out.push_str(&metric_chart(r, k)?);
        }
        out.push_str("</div>");
    }
    out.push_str("</section>\n");
    Ok(())
}

/// The drift verdict of a column in a window: drifted, the first drift finding.
fn drift_status(w: &WindowReport, column: &str) -> (Option<bool>, String) {
    let finding = w.findings.iter().find(|f| {
        f.kind == FindingKind::Drift
            && span_of(&f.monitor).is_none()
            && f.column.as_deref() == Some(column)
    });
    let Some(f) = finding else {
        return (None, "not checked".into());
    };
    let drifted = w.drifted_columns.iter().any(|c| c == column);
    let detail = match f.p_value {
        Some(p) => format!("{} {:.3}, p={p:.2e}", f.method, f.statistic),
        None => format!("{} {:.3}", f.method, f.statistic),
    };
    (Some(drifted), detail)
}

pub(crate) fn histogram_chart(
    h: &FeatureHistogram,
    drifted: Option<bool>,
    detail: &str,
) -> Result<String> {
    let status = match drifted {
        Some(true) => "DRIFT",
        Some(false) => "ok",
        None => "n/a",
    };
    let title = format!("{} - {status} ({detail})", h.column);
    let colour = if drifted == Some(true) { RED_ } else { BLACK };
    let ymax = h
        .reference
        .iter()
        .chain(&h.current)
        .fold(0.0f64, |a, &b| a.max(b))
        .max(0.01)
        * 1.1;
    // Numeric bins sit on their value range; categorical bins on their index.
    let (x0, x1, spans): (f64, f64, Vec<(f64, f64)>) = if h.edges.len() >= 2 {
        let spans = h.edges.windows(2).map(|w| (w[0], w[1])).collect();
        (h.edges[0], h.edges[h.edges.len() - 1], spans)
    } else {
        let n = h.levels.len().max(1) as f64;
        let spans = (0..h.levels.len())
            .map(|i| (i as f64 - 0.4, i as f64 + 0.4))
            .collect();
        (-0.5, n - 0.5, spans)
    };
    let levels = &h.levels;
    svg(&h.column, HIST_SIZE, |root| {
        let e = |e: &dyn std::fmt::Display| e.to_string();
        let mut chart = ChartBuilder::on(root)
            .caption(&title, ("sans-serif", 14).into_font().color(&colour))
            .margin(6)
            .x_label_area_size(24)
            .y_label_area_size(40)
            .build_cartesian_2d(x0..x1, 0.0..ymax)
            .map_err(|x| e(&x))?;
        let mut mesh = chart.configure_mesh();
        mesh.light_line_style(WHITE)
            .y_label_formatter(&|y| format!("{y:.2}"));
        let cat_label = |x: &f64| tick_label(levels, *x);
        if !levels.is_empty() {
            mesh.x_labels(levels.len().min(10))
                .x_label_formatter(&cat_label);
        } else {
            mesh.x_labels(6);
        }
        mesh.draw().map_err(|x| e(&x))?;
        for (shares, c, name) in [
            (&h.reference, BLUE, "reference"),
            (&h.current, ORANGE, "current"),
        ] {
            chart
                .draw_series(
                    spans.iter().zip(shares.iter()).map(|(&(a, b), &v)| {
                        Rectangle::new([(a, 0.0), (b, v)], c.mix(0.45).filled())
                    }),
                )
                .map_err(|x| e(&x))?
                .label(name)
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 12, y + 5)], c.mix(0.45).filled())
                });
        }
        draw_legend(&mut chart, SeriesLabelPosition::UpperRight)
    })
}

fn drift_section(out: &mut String, r: &RunReport, d: Option<&Distributions>) -> Result<()> {
    out.push_str("<section id=\"drift\"><h2>Feature distributions: reference vs current</h2>");
    let window = d.and_then(|d| r.windows.iter().find(|w| w.index == d.window));
    match (d, window) {
        (Some(d), Some(w)) if !d.features.is_empty() => {
            let _ = write!(
                out,
                "<p>Current: window {} ({}, {} rows). Bars are shares of the non-missing rows; the title gives the drift test of that window.</p><div class=\"grid3\">",
                w.index,
                esc(&w.label),
                w.n_rows
            );
            for h in &d.features {
                let (drifted, detail) = drift_status(w, &h.column);
                out.push_str(&histogram_chart(h, drifted, &detail)?);
            }
            out.push_str("</div>");
        }
        _ => out.push_str("<p>No feature data was given to the report.</p>"),
    }
    out.push_str("</section>\n");
    Ok(())
}

fn predictions_section(out: &mut String, r: &RunReport) -> Result<()> {
    out.push_str("<section id=\"predictions\"><h2>Predicted class shares per window</h2>");
    let classes: std::collections::BTreeSet<&String> = r
        .windows
        .iter()
        .flat_map(|w| w.class_shares.keys())
        .collect();
    if classes.is_empty() {
        out.push_str("<p>No class predictions (a regression model, or no predictions).</p>");
        out.push_str("</section>\n");
        return Ok(());
    }
    let labels = window_labels(r);
    let n = labels.len().max(1) as f64;
    let chart_svg = svg("class shares", SHARE_SIZE, |root| {
        let e = |e: &dyn std::fmt::Display| e.to_string();
        let mut chart = ChartBuilder::on(root)
            .margin(8)
            .x_label_area_size(30)
            .y_label_area_size(50)
            .build_cartesian_2d(-0.5..n - 0.5, 0.0..1.05)
            .map_err(|x| e(&x))?;
        chart
            .configure_mesh()
            .x_labels(labels.len().clamp(1, 15))
            .x_label_formatter(&|x| tick_label(&labels, *x))
            .y_label_formatter(&|y| format!("{:.0}%", y * 100.0))
            .light_line_style(WHITE)
            .draw()
            .map_err(|x| e(&x))?;
        for (k, class) in classes.iter().enumerate() {
            let c = TAB10[k % TAB10.len()];
            let points: Vec<(f64, f64)> = r
                .windows
                .iter()
                .enumerate()
                .filter_map(|(i, w)| w.class_shares.get(*class).map(|&v| (i as f64, v)))
                .collect();
            chart
                .draw_series(LineSeries::new(points.iter().copied(), c.stroke_width(2)))
                .map_err(|x| e(&x))?
                .label(class.as_str())
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], c.stroke_width(2)));
            chart
                .draw_series(points.iter().map(|&p| Circle::new(p, 3, c.filled())))
                .map_err(|x| e(&x))?;
        }
        draw_legend(&mut chart, SeriesLabelPosition::UpperRight)
    })?;
    out.push_str(&chart_svg);
    out.push_str("</section>\n");
    Ok(())
}

fn alerts_section(out: &mut String, r: &RunReport) {
    out.push_str("<section id=\"alerts\"><h2>Alerts</h2>");
    if r.alerts.is_empty() {
        out.push_str("<p>None.</p></section>\n");
        return;
    }
    out.push_str(
        "<table><tr><th>id</th><th>severity</th><th>state</th><th>what</th><th>value</th>\
         <th>baseline</th><th>change</th><th>p-value</th><th>worst</th><th>first window</th><th>fired at</th><th>last window</th></tr>",
    );
    for a in &r.alerts {
        let state = match a.state {
            AlertState::Active => "active".to_string(),
            AlertState::Resolved => a.resolved_window.map_or_else(
                || "resolved".into(),
                |w| format!("resolved at {}", r.window_label(w)),
            ),
        };
        let _ = write!(
            out,
            "<tr><td>{}</td><td class=\"{}\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&a.id),
            a.severity,
            a.severity,
            state,
            esc(&a.subject()),
            opt(a.value),
            opt(a.baseline),
            current_change(a),
            a.p_value.map_or_else(String::new, |p| format!("{p:.2e}")),
            esc(&a.worst_text().unwrap_or_default()),
            esc(&a.first_label),
            esc(&r.window_label(a.fired_window)),
            esc(&a.last_label),
        );
    }
    out.push_str("</table></section>\n");
}

fn windows_section(out: &mut String, r: &RunReport) {
    out.push_str("<section id=\"windows\"><h2>Windows</h2><table><tr>");
    let (header, rows) = r.table();
    for h in &header {
        let _ = write!(out, "<th>{}</th>", esc(h));
    }
    out.push_str("</tr>");
    for row in rows {
        out.push_str("<tr>");
        for c in row {
            let _ = write!(out, "<td>{}</td>", esc(&c));
        }
        out.push_str("</tr>");
    }
    out.push_str("</table></section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alert::AlertPolicy;
    use crate::alert::tests::{ks, metric};

    fn run() -> RunReport {
        let windows: Vec<WindowReport> = [1.0, 0.96, 0.9, 0.85, 0.99]
            .iter()
            .enumerate()
            .map(|(i, &acc)| {
                let mut w = WindowReport::from_findings(
                    i,
                    format!("day <{}>", i + 1),
                    30,
                    vec![
                        metric("perf", "accuracy", acc, 1.0),
                        metric("perf", "f1_weighted", acc, 1.0),
                        ks("x", if acc < 0.95 { 0.001 } else { 0.5 }),
                    ],
                );
                w.class_shares = [("a".to_string(), acc), ("b".to_string(), 1.0 - acc)].into();
                w
            })
            .collect();
        let alerts = AlertPolicy::default().evaluate(&windows);
        RunReport::new(windows, alerts)
    }

    /// Estimates of a (hand-made) CBPE monitor get their section between performance
    /// and drift; a page without them has none.
    #[test]
    fn estimates_are_charted_when_reported() {
        let html = render(&crate::estimate_chart::tests::report(), None, "t").unwrap();
        let at = |id: &str| html.find(&format!("<section id=\"{id}\"")).unwrap();
        assert!(at("performance") < at("estimates") && at("estimates") < at("drift"));
        assert!(html.contains("cbpe: estimated roc_auc") && html.contains("realized"));
        assert!(
            !render(&run(), None, "t")
                .unwrap()
                .contains("id=\"estimates\"")
        );
        // `DRIFTWATCH_ESTIMATES_PAGE=/tmp/p.html cargo test -p driftwatch-monitor --lib
        // estimates_are_charted` writes a whole page with them, for `cargo xtask render`.
        if let Some(path) = std::env::var_os("DRIFTWATCH_ESTIMATES_PAGE") {
            let mut r = crate::estimate_chart::tests::report();
            for (i, w) in r.windows.iter_mut().enumerate() {
                let acc = 0.9 - 0.01 * i as f64;
                w.findings.push(metric("performance", "accuracy", acc, 0.9));
                w.metrics = [("accuracy".to_string(), acc)].into();
                w.class_shares = [("a".to_string(), 0.5), ("b".to_string(), 0.5)].into();
            }
            let d = Distributions {
                window: 0,
                features: vec![FeatureHistogram {
                    column: "x".into(),
                    edges: vec![0.0, 1.0, 2.0],
                    levels: vec![],
                    reference: vec![0.5, 0.5],
                    current: vec![0.2, 0.8],
                    reference_missing: 0,
                    current_missing: 0,
                    approximate: false,
                }],
            };
            std::fs::write(path, render(&r, Some(&d), "estimates").unwrap()).unwrap();
        }
    }

    #[test]
    fn page_has_every_section_and_no_script() {
        let r = run();
        let d = Distributions {
            window: 3,
            features: vec![FeatureHistogram {
                column: "x".into(),
                edges: vec![0.0, 1.0, 2.0],
                levels: vec![],
                reference: vec![0.5, 0.5],
                current: vec![0.2, 0.8],
                reference_missing: 0,
                current_missing: 0,
                approximate: false,
            }],
        };
        let html = render(&r, Some(&d), "iris <30 days>").unwrap();
        for s in SECTIONS {
            assert!(html.contains(&format!("<section id=\"{s}\">")), "{s}");
        }
        assert!(!html.to_lowercase().contains("<script"));
        assert!(html.contains("<title>iris &lt;30 days&gt;</title>"));
        // Two metric panels (accuracy, f1_weighted), one histogram, one share chart.
        assert_eq!(html.matches("<svg").count(), 4);
        assert!(html.contains("baseline 1.000"), "baseline legend");
        assert!(html.contains("alert line 0.950"), "alert line legend");
        assert!(
            html.contains("x - DRIFT (ks 0.300, p=1.00e-3)"),
            "drift title"
        );
        assert!(html.contains("day &lt;4&gt;"), "labels are escaped");
        assert!(html.contains("<td>accuracy-w2</td>"), "alert table");
        assert!(html.len() < 1_000_000);
    }

    #[test]
    fn page_without_data_says_so() {
        let r = RunReport::new(Vec::new(), Vec::new());
        let html = render(&r, None, "empty").unwrap();
        assert!(html.contains("No metric was measured"));
        assert!(html.contains("No feature data was given"));
        assert!(html.contains("No class predictions"));
        assert_eq!(html.matches("<svg").count(), 0);
    }

    /// The size budget: 30 windows x 20 features (four metric panels, 20
    /// histograms, three classes) stays under 1 MB.
    #[test]
    fn thirty_windows_by_twenty_features_is_under_one_megabyte() {
        let windows: Vec<WindowReport> = (0..30)
            .map(|i| {
                let acc = 1.0 - 0.004 * i as f64;
                let mut findings: Vec<_> = ["accuracy", "precision", "recall", "f1"]
                    .iter()
                    .map(|m| metric("perf", m, acc, 1.0))
                    .collect();
                findings
                    .extend((0..20).map(|j| ks(&format!("feature_{j:02}"), 0.2 / (1 + i) as f64)));
                let mut w =
                    WindowReport::from_findings(i, format!("day {}", i + 1), 3334, findings);
                w.class_shares = [("a", 0.3), ("b", 0.3), ("c", 0.4)]
                    .map(|(c, v)| (c.to_string(), v))
                    .into();
                w
            })
            .collect();
        let alerts = AlertPolicy::default().evaluate(&windows);
        let r = RunReport::new(windows, alerts);
        let d = Distributions {
            window: 29,
            features: (0..20)
                .map(|j| FeatureHistogram {
                    column: format!("feature_{j:02}"),
                    edges: (0..=20).map(|k| k as f64 / 4.0).collect(),
                    levels: vec![],
                    reference: vec![0.05; 20],
                    current: (0..20).map(|k| k as f64 / 190.0).collect(),
                    reference_missing: 0,
                    current_missing: 0,
                    approximate: false,
                })
                .collect(),
        };
        let html = render(&r, Some(&d), "30 x 20").unwrap();
        assert_eq!(html.matches("<svg").count(), 4 + 20 + 1);
        assert!(html.len() < 1_000_000, "{} bytes", html.len());
    }
}
