//! Model cards rendered from a bundle's header alone (the payload is never decoded), as
//! Markdown or self-contained HTML.
//!
//! The card is built once as a list of sections and rendered by either writer, so both
//! formats always say the same thing.

use std::fmt::Write as _;

use driftwatch_core::escape::{html as esc, markdown_cell as md_cell};
use driftwatch_core::{ColumnKind, Observed, ParamValue};

use crate::header::{BundleHeader, Compression, TaskKind};

/// One block of a card section.
enum Block {
    /// A paragraph of plain text.
    Para(String),
    /// `key: value` lines.
    Facts(Vec<(String, String)>),
    /// A table with a header row.
    Table(Vec<String>, Vec<Vec<String>>),
    /// Preformatted text (JSON).
    Code(String),
}

struct Section {
    title: &'static str,
    blocks: Vec<Block>,
}

fn num(v: f64) -> String {
    if v == v.trunc() && v.abs() < 1e15 {
        format!("{v:.1}")
    } else {
        format!("{v:.6}")
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_string()
    }
}

fn param(v: &ParamValue) -> String {
    match v {
        ParamValue::Bool(b) => b.to_string(),
        ParamValue::Int(i) => i.to_string(),
        ParamValue::Float(f) => num(*f),
        ParamValue::Str(s) => s.clone(),
        ParamValue::None => "none".into(),
    }
}

fn sections(h: &BundleHeader) -> Vec<Section> {
    let mut out = Vec::new();

    let mut overview = vec![
        ("Model".to_string(), format!("{} {}", h.name, h.version)),
        (
            "Purpose".to_string(),
            h.description
                .clone()
                .unwrap_or_else(|| "not recorded (train with --description)".into()),
        ),
        (
            "Owner".to_string(),
            h.owner
                .clone()
                .unwrap_or_else(|| "not recorded (train with --owner)".into()),
        ),
        (
            "Trained".to_string(),
            h.created_at
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_else(|_| h.created_at.to_string()),
        ),
        ("Training rows".to_string(), h.n_train_rows.to_string()),
    ];
    match &h.target {
        Some(t) => {
            let kind = match t.kind {
                TaskKind::Classification => "classification",
                TaskKind::Regression => "regression",
            };
            overview.push(("Task".into(), format!("{kind} of `{}`", t.name)));
            if !t.classes.is_empty() {
                overview.push(("Classes".into(), t.classes.join(", ")));
            }
        }
        None => overview.push(("Task".into(), "preprocessing only (no model)".into())),
    }
    let mut steps: Vec<&str> = Vec::new();
    for k in h.parameters.keys() {
        let step = k.split("__").next().unwrap_or(k);
        if !steps.contains(&step) {
            steps.push(step);
        }
    }
    if !steps.is_empty() {
        overview.push(("Pipeline steps".into(), steps.join(", ")));
    }
    out.push(Section {
        title: "Overview",
        blocks: vec![Block::Facts(overview)],
    });

    out.push(Section {
        title: "Metrics",
        blocks: vec![if h.training_metrics.is_empty() {
            Block::Para("No metrics recorded.".into())
        } else {
            Block::Table(
                vec!["metric".into(), "value (held-out data)".into()],
                h.training_metrics
                    .iter()
                    .map(|(k, v)| vec![k.clone(), format!("{v:.4}")])
                    .collect(),
            )
        }],
    });

    let inputs = h
        .schema
        .columns
        .iter()
        .map(|c| {
            let allowed = match c.kind.storage() {
                ColumnKind::Numeric => match (c.min, c.max) {
                    (None, None) => "any".to_string(),
                    (lo, hi) => format!(
                        "{} to {}",
                        lo.map_or("-inf".into(), num),
                        hi.map_or("+inf".into(), num)
                    ),
                },
                _ => c.levels.as_ref().map_or("any".into(), |l| l.join(", ")),
            };
            let observed = match &c.observed {
                Some(Observed::Range { min, max }) => format!("{} to {}", num(*min), num(*max)),
                Some(Observed::Levels(l)) => l.join(", "),
                None => "-".into(),
            };
            vec![
                c.name.clone(),
                c.kind.as_str().into(),
                if c.required { "yes" } else { "no" }.into(),
                if c.nullable { "yes" } else { "no" }.into(),
                observed,
                allowed,
            ]
        })
        .collect();
    out.push(Section {
        title: "Inputs",
        blocks: vec![Block::Table(
            vec![
                "feature".into(),
                "kind".into(),
                "required".into(),
                "missing allowed".into(),
                "observed in training".into(),
                "enforced".into(),
            ],
            inputs,
        )],
    });

    let importances = match &h.feature_importances {
        Some(v) if !v.is_empty() => {
            let mut v = v.clone();
            v.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            let total: f64 = v.iter().map(|(_, x)| x.abs()).sum();
            Block::Table(
                vec!["feature".into(), "importance".into(), "share".into()],
                v.iter()
                    .map(|(n, x)| {
                        let share = if total > 0.0 { x.abs() / total } else { 0.0 };
                        vec![
                            n.clone(),
                            format!("{x:.4}"),
                            format!("{:.1}%", 100.0 * share),
                        ]
                    })
                    .collect(),
            )
        }
        _ => Block::Para("The model does not report feature importances.".into()),
    };
    out.push(Section {
        title: "Feature importances",
        blocks: vec![importances],
    });

    out.push(Section {
        title: "Limitations",
        blocks: vec![Block::Para(h.limitations.clone().unwrap_or_else(|| {
            "None recorded (train with --limitations TEXT to state them).".into()
        }))],
    });

    out.push(Section {
        title: "Parameters",
        blocks: vec![if h.parameters.is_empty() {
            Block::Para("No parameters.".into())
        } else {
            Block::Table(
                vec!["parameter".into(), "value".into()],
                h.parameters
                    .iter()
                    .map(|(k, v)| vec![k.clone(), param(v)])
                    .collect(),
            )
        }],
    });

    let mut provenance = vec![
        (
            "Bundle format".to_string(),
            format!("v{}", h.format_version),
        ),
        (
            "Compression".to_string(),
            match h.compression {
                Compression::None => "none".into(),
                Compression::Zstd { level } => format!("zstd level {level}"),
            },
        ),
        (
            "Payload".to_string(),
            format!("{} bytes, SHA-256 {}", h.payload_length, h.payload_sha256),
        ),
    ];
    provenance.extend(
        h.crate_versions
            .iter()
            .map(|(k, v)| (format!("Crate {k}"), v.clone())),
    );
    out.push(Section {
        title: "Provenance",
        blocks: vec![Block::Facts(provenance)],
    });

    out.push(Section {
        title: "Schema",
        blocks: vec![Block::Code(
            serde_json::to_string_pretty(&h.schema).unwrap_or_else(|e| format!("({e})")),
        )],
    });
    out
}

/// The model card as Markdown.
pub fn card_markdown(h: &BundleHeader) -> String {
    let mut s = format!("# Model card: {} {}\n", h.name, h.version);
    for sec in sections(h) {
        let _ = write!(s, "\n## {}\n\n", sec.title);
        for b in sec.blocks {
            match b {
                Block::Para(p) => {
                    let _ = writeln!(s, "{p}");
                }
                Block::Facts(f) => {
                    for (k, v) in f {
                        let _ = writeln!(s, "- **{k}**: {v}");
                    }
                }
                Block::Table(head, rows) => {
                    let _ = writeln!(s, "| {} |", head.join(" | "));
                    let _ = writeln!(s, "|{}", " --- |".repeat(head.len()));
                    for r in rows {
                        let cells: Vec<String> = r.iter().map(|c| md_cell(c)).collect();
                        let _ = writeln!(s, "| {} |", cells.join(" | "));
                    }
                }
                Block::Code(c) => {
                    let _ = writeln!(s, "```json\n{c}\n```");
                }
            }
        }
    }
    s
}

/// The model card as one self-contained HTML page (inline CSS, no scripts).
pub fn card_html(h: &BundleHeader) -> String {
    let title = esc(&format!("Model card: {} {}", h.name, h.version));
    let mut s = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n<style>\nbody{{font-family:system-ui,sans-serif;max-width:960px;margin:2em auto;padding:0 1em;color:#222}}\ntable{{border-collapse:collapse;margin:0.5em 0}}\nth,td{{border:1px solid #ccc;padding:4px 8px;text-align:left}}\nth{{background:#f3f3f3}}\npre{{background:#f6f6f6;padding:1em;overflow:auto}}\ndt{{font-weight:bold}}\n</style>\n</head>\n<body>\n<h1>{title}</h1>\n"
    );
    for sec in sections(h) {
        let _ = writeln!(s, "<section>\n<h2>{}</h2>", esc(sec.title));
        for b in sec.blocks {
            match b {
                Block::Para(p) => {
                    let _ = writeln!(s, "<p>{}</p>", esc(&p));
                }
                Block::Facts(f) => {
                    s.push_str("<dl>\n");
                    for (k, v) in f {
                        let _ = writeln!(s, "<dt>{}</dt><dd>{}</dd>", esc(&k), esc(&v));
                    }
                    s.push_str("</dl>\n");
                }
                Block::Table(head, rows) => {
                    s.push_str("<table>\n<tr>");
                    for c in head {
                        let _ = write!(s, "<th>{}</th>", esc(&c));
                    }
                    s.push_str("</tr>\n");
                    for r in rows {
                        s.push_str("<tr>");
                        for c in r {
                            let _ = write!(s, "<td>{}</td>", esc(&c));
                        }
                        s.push_str("</tr>\n");
                    }
                    s.push_str("</table>\n");
                }
                Block::Code(c) => {
                    let _ = writeln!(s, "<pre><code>{}</code></pre>", esc(&c));
                }
            }
        }
        s.push_str("</section>\n");
    }
    s.push_str("</body>\n</html>\n");
    s
}
