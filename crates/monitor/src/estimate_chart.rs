//! The HTML report's `estimates` section: a chart per monitor and metric of the
//! findings judged by a band learnt from reference chunks: estimated performance
//! ([`FindingKind::Estimate`], method `estimated_<metric>`, from CBPE or DLE) with the
//! realized value where the same monitor reports `realized_<metric>` for the window,
//! and drift statistics that carry `bounds` (a reconstruction error).
//!
//! Each chart draws the value per window, a band of ± 3 sampling errors around it, the
//! bounds as dashed threshold lines and the windows the monitor alerted on in red;
//! under it a table holds the same numbers. [`band_series`] gathers the series (the
//! tests read them), [`section`] writes the section; the page calls it only when there
//! is something to draw.

use std::fmt::Write as _;

use plotters::prelude::*;

use driftwatch_core::{Finding, FindingKind, Status};

use crate::error::{Error, Result};
use crate::report::RunReport;

/// The section id.
pub const SECTION: &str = "estimates";

/// Method prefix of an estimated metric.
pub const ESTIMATED: &str = "estimated_";
/// Method prefix of the realized metric an estimator reports next to its estimate.
pub const REALIZED: &str = "realized_";

/// Sampling errors either side of a value that the band spans.
pub const BAND_SE: f64 = 3.0;

const SIZE: (u32, u32) = (620, 300);
const BLUE: RGBColor = RGBColor(31, 119, 180);
const ORANGE: RGBColor = RGBColor(255, 127, 14);
const RED: RGBColor = RGBColor(214, 39, 40);
const GREY: RGBColor = RGBColor(90, 90, 90);

/// One window's judged value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// The estimate (or the drift statistic).
    pub value: f64,
    /// The thresholds, if any.
    pub lower: Option<f64>,
    /// The thresholds, if any.
    pub upper: Option<f64>,
    /// One standard error of the value, if known.
    pub sampling_error: Option<f64>,
    /// Whether the monitor alerted on it.
    pub alert: bool,
}

/// One chart: a monitor's metric (or statistic, per column) over the windows.
#[derive(Debug, Clone, PartialEq)]
pub struct BandSeries {
    /// The monitor's name.
    pub monitor: String,
    /// The metric (`roc_auc` of `estimated_roc_auc`) or the drift statistic's method.
    pub metric: String,
    /// The column of a per-column statistic.
    pub column: Option<String>,
    /// True for an estimate (with its realized counterpart), false for a drift statistic.
    pub estimate: bool,
    /// Per window: the judged value.
    pub values: Vec<Option<Point>>,
    /// Per window: the realized metric, where the window had labels.
    pub realized: Vec<Option<f64>>,
}

impl BandSeries {
    /// The chart's title.
    pub fn title(&self) -> String {
        let what = if self.estimate {
            format!("estimated {}", self.metric)
        } else {
            self.metric.clone()
        };
        match &self.column {
            Some(c) => format!("{}: {what} ({c})", self.monitor),
            None => format!("{}: {what}", self.monitor),
        }
    }
}

fn point(f: &Finding) -> Point {
    Point {
        value: f.statistic,
        lower: f.bounds.and_then(|b| b.lower),
        upper: f.bounds.and_then(|b| b.upper),
        sampling_error: f.sampling_error,
        alert: f.status == Status::Alert,
    }
}

/// The series of a run, in the order their monitors first report them: every
/// `estimated_<metric>` of an [`FindingKind::Estimate`] finding, with the same
/// monitor's `realized_<metric>` (any kind but an error), and every drift finding that
/// carries `bounds`.
pub fn band_series(r: &RunReport) -> Vec<BandSeries> {
    let n = r.windows.len();
    let mut out: Vec<BandSeries> = Vec::new();
    for (i, w) in r.windows.iter().enumerate() {
        for f in &w.findings {
            let (metric, estimate) = match f.kind {
                FindingKind::Estimate { .. } => match f.method.strip_prefix(ESTIMATED) {
                    Some(m) => (m.to_string(), true),
                    None => (f.method.clone(), true),
                },
                FindingKind::Drift if f.bounds.is_some() => (f.method.clone(), false),
                _ => continue,
            };
            let pos = out
                .iter()
                .position(|s| {
                    s.monitor == f.monitor
                        && s.metric == metric
                        && s.column == f.column
                        && s.estimate == estimate
                })
                .unwrap_or_else(|| {
                    out.push(BandSeries {
                        monitor: f.monitor.clone(),
                        metric,
                        column: f.column.clone(),
                        estimate,
                        values: vec![None; n],
                        realized: vec![None; n],
                    });
                    out.len() - 1
                });
            out[pos].values[i] = Some(point(f));
        }
    }
    for s in out.iter_mut().filter(|s| s.estimate) {
        let method = format!("{REALIZED}{}", s.metric);
        for (i, w) in r.windows.iter().enumerate() {
            s.realized[i] = w
                .findings
                .iter()
                .find(|f| {
                    f.monitor == s.monitor
                        && f.method == method
                        && f.column == s.column
                        && f.kind != FindingKind::Error
                        && f.statistic.is_finite()
                })
                .map(|f| f.statistic);
        }
    }
    out
}

/// Writes the section when the run has any series; nothing otherwise.
pub fn section(out: &mut String, r: &RunReport) -> Result<()> {
    let series = band_series(r);
    if series.is_empty() {
        return Ok(());
    }
    let _ = write!(
        out,
        "<section id=\"{SECTION}\"><h2>Estimated performance and banded statistics</h2>\
         <p>Blue: the estimate (or statistic) per window, shaded ± {BAND_SE} sampling errors; \
         orange: the realized value where the window had labels; dashed grey: the thresholds \
         learnt from the reference chunks; red points: windows the monitor alerted on.</p>\
         <div class=\"grid2\">"
    );
    for s in &series {
        out.push_str("<div>");
        out.push_str(&chart(r, s)?);
        table(out, r, s);
        out.push_str("</div>");
    }
    out.push_str("</div></section>\n");
    Ok(())
}

fn num(x: Option<f64>) -> String {
    x.filter(|v| v.is_finite())
        .map_or_else(|| "-".to_string(), |v| format!("{v:.4}"))
}

/// The numbers of a chart, folded under it.
fn table(out: &mut String, r: &RunReport, s: &BandSeries) {
    let esc = driftwatch_core::escape::html;
    let _ = write!(
        out,
        "<details><summary>values</summary><table class=\"band\" data-monitor=\"{}\" \
         data-metric=\"{}\"><tr><th class=\"l\">window</th><th>{}</th><th>sampling error</th>\
         <th>lower</th><th>upper</th>{}<th>status</th></tr>",
        esc(&s.monitor),
        esc(&s.metric),
        if s.estimate { "estimated" } else { "value" },
        if s.estimate { "<th>realized</th>" } else { "" },
    );
    for (i, w) in r.windows.iter().enumerate() {
        let p = s.values[i];
        if p.is_none() && s.realized[i].is_none() {
            continue;
        }
        let _ = write!(
            out,
            "<tr><td class=\"l\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>",
            esc(&w.label),
            num(p.map(|p| p.value)),
            num(p.and_then(|p| p.sampling_error)),
            num(p.and_then(|p| p.lower)),
            num(p.and_then(|p| p.upper)),
        );
        if s.estimate {
            let _ = write!(out, "<td>{}</td>", num(s.realized[i]));
        }
        let status = match p {
            Some(p) if p.alert => "<span class=\"drift\">alert</span>",
            Some(_) => "ok",
            None => "-",
        };
        let _ = write!(out, "<td>{status}</td></tr>");
    }
    out.push_str("</table></details>");
}

/// Runs of consecutive windows where `f` gives a value, as `(x, value)` lines.
fn runs<T: Copy>(values: &[Option<T>], f: impl Fn(T) -> Option<f64>) -> Vec<Vec<(f64, f64)>> {
    let mut out = vec![Vec::new()];
    for (i, v) in values.iter().enumerate() {
        match v.and_then(&f).filter(|y| y.is_finite()) {
            Some(y) => out
                .last_mut()
                .into_iter()
                .for_each(|r| r.push((i as f64, y))),
            None => out.push(Vec::new()),
        }
    }
    out.retain(|r| !r.is_empty());
    out
}

fn chart(r: &RunReport, s: &BandSeries) -> Result<String> {
    let title = s.title();
    let labels: Vec<String> = r.windows.iter().map(|w| w.label.clone()).collect();
    let n = labels.len().max(1) as f64;
    let band = |p: Point, sign: f64| p.sampling_error.map(|se| p.value + sign * BAND_SE * se);
    let all = s
        .values
        .iter()
        .flatten()
        .flat_map(|&p| [Some(p.value), p.lower, p.upper, band(p, 1.0), band(p, -1.0)])
        .chain(s.realized.iter().copied())
        .flatten()
        .filter(|v| v.is_finite());
    let (lo, hi) = all.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    let (lo, hi) = if lo.is_finite() {
        let pad = ((hi - lo) * 0.1).max(0.01);
        (lo - pad, hi + pad)
    } else {
        (0.0, 1.0)
    };
    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, SIZE).into_drawing_area();
        let e = |e: &dyn std::fmt::Display| e.to_string();
        let draw = || -> std::result::Result<(), String> {
            root.fill(&WHITE).map_err(|x| e(&x))?;
            let mut chart = ChartBuilder::on(&root)
                .caption(&title, ("sans-serif", 16))
                .margin(8)
                .x_label_area_size(30)
                .y_label_area_size(55)
                .build_cartesian_2d(-0.5..n - 0.5, lo..hi)
                .map_err(|x| e(&x))?;
            let tick = |x: &f64| {
                if (x - x.round()).abs() > 1e-6 || *x < -0.5 {
                    return String::new();
                }
                labels.get(x.round() as usize).cloned().unwrap_or_default()
            };
            chart
                .configure_mesh()
                .x_labels(labels.len().clamp(1, 6))
                .x_label_formatter(&tick)
                .y_label_formatter(&|y| format!("{y:.3}"))
                .light_line_style(WHITE)
                .draw()
                .map_err(|x| e(&x))?;
            // The ± 3 SE band, one polygon per run of windows with a sampling error.
            let upper = runs(&s.values, |p| band(p, 1.0));
            let lower = runs(&s.values, |p| band(p, -1.0));
            for (u, l) in upper.iter().zip(&lower) {
                let mut poly = u.clone();
                poly.extend(l.iter().rev());
                chart
                    .draw_series([Polygon::new(poly, BLUE.mix(0.15).filled())])
                    .map_err(|x| e(&x))?;
            }
            // The thresholds, dashed.
            let mut labelled = false;
            for side in [|p: Point| p.lower, |p: Point| p.upper] {
                for line in runs(&s.values, side) {
                    // A lone window's threshold as a short segment.
                    let line = if line.len() == 1 {
                        let (x, y) = line[0];
                        vec![(x - 0.3, y), (x + 0.3, y)]
                    } else {
                        line
                    };
                    let series = chart
                        .draw_series(DashedLineSeries::new(line, 6, 4, GREY.stroke_width(2)))
                        .map_err(|x| e(&x))?;
                    if !labelled {
                        series.label("thresholds").legend(|(x, y)| {
                            PathElement::new([(x, y), (x + 16, y)], GREY.stroke_width(2))
                        });
                        labelled = true;
                    }
                }
            }
            let name = if s.estimate { "estimated" } else { "value" };
            for (k, line) in runs(&s.values, |p| Some(p.value)).into_iter().enumerate() {
                let series = chart
                    .draw_series(LineSeries::new(line, BLUE.stroke_width(2)))
                    .map_err(|x| e(&x))?;
                if k == 0 {
                    series.label(name).legend(|(x, y)| {
                        PathElement::new([(x, y), (x + 16, y)], BLUE.stroke_width(2))
                    });
                }
            }
            for (k, line) in runs(&s.realized, Some).into_iter().enumerate() {
                chart
                    .draw_series(line.iter().map(|&p| Circle::new(p, 3, ORANGE.filled())))
                    .map_err(|x| e(&x))?;
                let series = chart
                    .draw_series(LineSeries::new(line, ORANGE.stroke_width(2)))
                    .map_err(|x| e(&x))?;
                if k == 0 {
                    series.label("realized").legend(|(x, y)| {
                        PathElement::new([(x, y), (x + 16, y)], ORANGE.stroke_width(2))
                    });
                }
            }
            chart
                .draw_series(s.values.iter().enumerate().filter_map(|(i, p)| {
                    let p = (*p)?;
                    p.value.is_finite().then(|| {
                        let colour = if p.alert { RED } else { BLUE };
                        Circle::new(
                            (i as f64, p.value),
                            if p.alert { 4 } else { 3 },
                            colour.filled(),
                        )
                    })
                }))
                .map_err(|x| e(&x))?;
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::LowerLeft)
                .background_style(WHITE.mix(0.85))
                .border_style(BLACK.mix(0.3))
                .draw()
                .map_err(|x| e(&x))?;
            root.present().map_err(|x| e(&x))
        };
        draw().map_err(|message| Error::Render {
            chart: title.clone(),
            message,
        })?;
    }
    Ok(buf)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::window_report::WindowReport;
    use driftwatch_core::{Bounds, Severity};

    fn estimate(value: f64, alert: bool) -> Finding {
        Finding {
            bounds: Some(Bounds {
                lower: Some(0.9),
                upper: Some(1.0),
            }),
            sampling_error: Some(0.01),
            status: if alert { Status::Alert } else { Status::Ok },
            severity: alert.then_some(Severity::Medium),
            ..Finding::new(
                FindingKind::Estimate {
                    higher_is_better: true,
                },
                "cbpe",
                "estimated_roc_auc",
                value,
            )
        }
    }

    /// Four windows of hand-made CBPE and PCA findings: realized values for the first
    /// two (labels arrived), an alert in the last.
    pub(crate) fn report() -> RunReport {
        let est = [0.95, 0.94, 0.93, 0.85];
        let windows = est
            .iter()
            .enumerate()
            .map(|(i, &v)| {
                let mut f = vec![estimate(v, v < 0.9)];
                if i < 2 {
                    f.push(Finding::new(
                        FindingKind::Info,
                        "cbpe",
                        "realized_roc_auc",
                        v + 0.01,
                    ));
                }
                f.push(Finding {
                    bounds: Some(Bounds {
                        lower: None,
                        upper: Some(1.2),
                    }),
                    status: if i == 3 { Status::Alert } else { Status::Ok },
                    ..Finding::new(
                        FindingKind::Drift,
                        "pca_reconstruction",
                        "reconstruction_error",
                        1.0 + 0.1 * i as f64,
                    )
                });
                // Not charted: a drift finding without bounds.
                f.push(Finding::new(FindingKind::Drift, "feature_drift", "ks", 0.1));
                WindowReport::from_findings(
                    i,
                    format!("rows {}..{}", i * 500, i * 500 + 500),
                    500,
                    f,
                )
            })
            .collect();
        RunReport::new(windows, Vec::new())
    }

    #[test]
    fn series_pair_estimates_with_realized_values() {
        let s = band_series(&report());
        assert_eq!(s.len(), 2);
        assert_eq!(
            (s[0].monitor.as_str(), s[0].metric.as_str()),
            ("cbpe", "roc_auc")
        );
        assert!(s[0].estimate);
        assert_eq!(
            s[0].values
                .iter()
                .map(|p| p.unwrap().value)
                .collect::<Vec<_>>(),
            [0.95, 0.94, 0.93, 0.85]
        );
        assert_eq!(s[0].realized, [Some(0.96), Some(0.95), None, None]);
        assert_eq!(
            s[0].values
                .iter()
                .map(|p| p.unwrap().alert)
                .collect::<Vec<_>>(),
            [false, false, false, true]
        );
        assert_eq!(s[0].values[0].unwrap().sampling_error, Some(0.01));
        assert_eq!(s[1].metric, "reconstruction_error");
        assert!(!s[1].estimate);
        assert_eq!(s[1].values[3].unwrap().upper, Some(1.2));
        assert_eq!(s[1].realized, [None; 4]);
    }

    #[test]
    fn the_section_draws_each_series_with_its_legend_and_numbers() {
        let mut out = String::new();
        section(&mut out, &report()).unwrap();
        assert!(out.starts_with("<section id=\"estimates\">"));
        assert_eq!(out.matches("<svg").count(), 2);
        for text in [
            "cbpe: estimated roc_auc",
            "estimated",
            "realized",
            "thresholds",
        ] {
            assert!(out.contains(text), "{text}");
        }
        // The band: a filled polygon per chart.
        assert!(out.matches("<polygon").count() >= 1);
        // The numbers: estimate, sampling error, bounds, realized, status.
        assert!(
            out.contains("<td class=\"l\">rows 0..500</td><td>0.9500</td><td>0.0100</td><td>0.9000</td><td>1.0000</td><td>0.9600</td><td>ok</td>"),
            "{out}"
        );
        assert!(out.contains("<td>0.8500</td><td>0.0100</td><td>0.9000</td><td>1.0000</td><td>-</td><td><span class=\"drift\">alert</span>"));
        let mut none = String::new();
        section(&mut none, &RunReport::new(Vec::new(), Vec::new())).unwrap();
        assert!(none.is_empty());
    }
}
