//! `driftwatch card`: Markdown and HTML model cards from a trained bundle.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod bundle_common;

use bundle_common::{root, run, s, text, train};

#[test]
fn markdown_and_html_cards_show_the_header() {
    let dir = tempfile::tempdir().unwrap();
    let model = train(
        dir.path(),
        "iris.dwm",
        &[
            "--description",
            "Classify iris species from flower measurements",
            "--owner",
            "botany-team@example.com",
            "--limitations",
            "Only three species; measurements in cm <from one garden>",
        ],
    );
    let o = run(&["card", s(&model)]);
    assert!(o.status.success(), "{}", text(&o));
    let md = String::from_utf8(o.stdout).unwrap();
    assert!(md.starts_with("# Model card: iris 1.0.0\n"), "{md}");
    for want in [
        "- **Purpose**: Classify iris species from flower measurements",
        "- **Owner**: botany-team@example.com",
        "- **Training rows**: 120",
        "- **Task**: classification of `species`",
        "- **Classes**: setosa, versicolor, virginica",
        "| accuracy | 1.0000 |",
        "## Limitations\n\nOnly three species; measurements in cm <from one garden>",
        "| model__n_estimators | 20 |",
        "## Feature importances",
        "## Schema\n\n```json",
    ] {
        assert!(md.contains(want), "missing {want:?} in\n{md}");
    }
    // Inputs with kinds and observed ranges (iris: sepal_length 4.3 to 7.9).
    let header = std::fs::read_to_string(root().join("fixtures/golden/iris.csv")).unwrap();
    let first = header
        .lines()
        .next()
        .unwrap()
        .split(',')
        .next()
        .unwrap()
        .to_string();
    let line = md
        .lines()
        .find(|l| l.starts_with(&format!("| {first} |")))
        .unwrap_or_else(|| panic!("no input row for {first}:\n{md}"));
    assert!(line.contains("| numeric |"), "{line}");
    assert!(line.contains("4.3 to 7.9"), "{line}");

    let html_path = dir.path().join("card.html");
    let o = run(&[
        "card",
        s(&model),
        "--format",
        "html",
        "--out",
        s(&html_path),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let html = std::fs::read_to_string(&html_path).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<h1>Model card: iris 1.0.0</h1>"));
    // Escaped, never raw markup from the header.
    assert!(html.contains("&lt;from one garden&gt;"), "{html}");
    assert!(!html.contains("<from one garden>"));
    assert!(html.contains("<td>accuracy</td><td>1.0000</td>"));
    assert!(!html.contains("<script"));

    // No limitations given: the card says how to add them.
    let plain = train(dir.path(), "plain.dwm", &[]);
    let o = run(&["card", s(&plain)]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("None recorded (train with --limitations"));
    // A non-bundle is a clear error.
    let o = run(&["card", s(&root().join("fixtures/golden/iris.csv"))]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("not a driftwatch bundle"), "{}", text(&o));
}
