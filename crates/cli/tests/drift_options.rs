//! No option of `driftwatch drift` is ever dropped silently: every test name with every
//! option either changes the output (a statistic, p-value, adjusted p-value, threshold,
//! verdict or the dataset verdict) or is refused with exit 2 and a message naming the
//! flag. A flag added to `drift --help` without an entry here, or a test added to
//! `TestKind::ALL`, is run too (or fails the test), so wiring cannot be forgotten.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{run, text};
use driftwatch_drift::columns::TestKind;
use serde_json::Value;

/// Flags of `drift` that are not test options: where the data is, how to print,
/// when to fail, and per-column configuration.
const NOT_TEST_OPTIONS: &[&str] = &[
    "--reference",
    "--current",
    "--columns",
    "--config",
    "--categorical",
    // read options and the kind override: tests/messy_files.rs checks their effect
    "--delimiter",
    // the input format: tests/parquet.rs checks it reads the same or is refused
    "--input-format",
    "--numerical",
    "--format",
    "--output",
    "--fail-on-drift",
    "--fail-on-data-issue",
    // where the data is summarised: tests/drift_engine.rs checks the same report
    "--engine",
    "--scheduler",
    // reading in bounded memory: tests/reference_cli.rs checks its effect (sketched rows)
    "--memory-limit",
    "--test",
    "--help",
];

/// Every test option with a non-default value, and the run its output is compared
/// with (`None`: the run without the option).
const OPTIONS: &[(&[&str], Option<&[&str]>)] = &[
    (&["--alternative", "less"], None),
    (&["--alternative", "greater"], None),
    (&["--method", "exact"], Some(&["--method", "asymptotic"])),
    (&["--method", "asymptotic"], Some(&["--method", "exact"])),
    (&["--method", "asymp"], Some(&["--method", "exact"])),
    (&["--variant", "right"], None),
    (&["--variant", "continuous"], None),
    (&["--yates"], None),
    (&["--lambda", "log-likelihood"], None),
    (&["--lambda", "freeman-tukey"], None),
    (&["--lambda", "mod-log-likelihood"], None),
    (&["--lambda", "neyman"], None),
    (&["--lambda", "cressie-read"], None),
    (&["--threshold", "0.5"], None),
    (&["--min-effect", "100"], None),
    (&["--correction", "bonferroni"], None),
    (&["--correction", "holm"], None),
    (&["--correction", "bh"], None),
    (&["--drift-share", "1.0"], None),
];

/// x: 8 reference values, the current ones shifted far (every test flags it; no ties,
/// so the exact methods apply); y: the same in both (no test flags it). b / bb: the
/// same for a binary column (a 2 x 2 table, where Yates applies).
const REFERENCE: &str = "x,y,b,bb\n1.1,3,0,0\n2.3,4,0,1\n3.2,5,0,0\n4.7,6,0,1\n5.4,7,0,0\n6.1,8,0,1\n7.9,9,0,0\n8.5,10,1,1\n";
const CURRENT: &str = "x,y,b,bb\n7.15,3,1,0\n8.25,4,1,1\n9.35,5,1,0\n10.45,6,1,1\n11.55,7,1,0\n12.65,8,1,1\n13.75,9,1,0\n14.85,10,0,1\n";

struct Data {
    _dir: tempfile::TempDir,
    reference: PathBuf,
    current: PathBuf,
}

fn data() -> Data {
    let dir = tempfile::tempdir().unwrap();
    let (reference, current) = (dir.path().join("r.csv"), dir.path().join("c.csv"));
    std::fs::write(&reference, REFERENCE).unwrap();
    std::fs::write(&current, CURRENT).unwrap();
    Data {
        _dir: dir,
        reference,
        current,
    }
}

fn drift(d: &Data, test: TestKind, extra: &[&str]) -> Output {
    // the tests on value counts get the binary columns, the others the numeric ones
    let columns = match test {
        TestKind::Chi2 | TestKind::Chi2Gof | TestKind::Z => "b,bb",
        _ => "x,y",
    };
    let (r, c) = (path(&d.reference), path(&d.current));
    let mut args = vec![
        "drift",
        "--reference",
        r,
        "--current",
        c,
        "--columns",
        columns,
        "--test",
        test.as_str(),
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    run(&args)
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// What an option may change: the numbers and verdicts, not the `options` record or
/// notes (an option that only shows up there was not applied).
fn numbers(o: &Output) -> Value {
    let doc: Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(o)));
    let rows: Vec<Value> = doc["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            serde_json::json!([
                r["test"],
                r["statistic"],
                r["p_value"],
                r["p_adjusted"],
                r["threshold"],
                r["drift"]
            ])
        })
        .collect();
    serde_json::json!([
        rows,
        doc["drifted"],
        doc["drift_share"],
        doc["dataset_drift"]
    ])
}

/// The long flags `drift --help` lists.
fn help_flags() -> Vec<String> {
    let o = run(&["drift", "--help"]);
    assert!(o.status.success(), "{}", text(&o));
    let help = String::from_utf8_lossy(&o.stdout).to_string();
    let mut flags: Vec<String> = help
        .split(|c: char| c.is_whitespace() || c == ',' || c == '=')
        .filter(|w| w.starts_with("--") && w.len() > 2)
        .map(|w| {
            w.trim_end_matches(|c: char| !c.is_ascii_alphanumeric())
                .to_string()
        })
        .filter(|w| {
            !w.is_empty()
                && w.chars()
                    .skip(2)
                    .all(|c| c.is_ascii_lowercase() || c == '-')
        })
        .collect();
    flags.sort();
    flags.dedup();
    flags
}

#[test]
fn every_flag_is_a_known_test_option_or_not_an_option() {
    let known: Vec<&str> = OPTIONS.iter().map(|(args, _)| args[0]).collect();
    for flag in help_flags() {
        assert!(
            known.contains(&flag.as_str()) || NOT_TEST_OPTIONS.contains(&flag.as_str()),
            "`drift {flag}` is new: add it to OPTIONS (with a value that must change the output or be refused) or to NOT_TEST_OPTIONS"
        );
    }
}

#[test]
fn every_test_with_every_option_changes_the_output_or_is_refused() {
    let d = data();
    let mut failures = Vec::new();
    // two threads: the machine is shared
    let halves: Vec<Vec<TestKind>> = TestKind::ALL
        .chunks(TestKind::ALL.len().div_ceil(2))
        .map(<[TestKind]>::to_vec)
        .collect();
    std::thread::scope(|s| {
        let handles: Vec<_> = halves
            .iter()
            .map(|tests| s.spawn(|| check_tests(&d, tests)))
            .collect();
        for h in handles {
            failures.extend(h.join().unwrap());
        }
    });
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn check_tests(d: &Data, tests: &[TestKind]) -> Vec<String> {
    let mut failures = Vec::new();
    for &test in tests {
        let base = drift(d, test, &[]);
        assert_eq!(base.status.code(), Some(0), "{test}: {}", text(&base));
        let base_doc: Value = serde_json::from_slice(&base.stdout).unwrap();
        // the data makes every test flag the shifted column and only it
        let rows = base_doc["columns"].as_array().unwrap();
        assert_eq!(
            rows[0]["drift"], true,
            "{test} does not flag the shift: {}",
            rows[0]
        );
        assert_eq!(
            rows[1]["drift"], false,
            "{test} flags identical samples: {}",
            rows[1]
        );
        for (args, contrast) in OPTIONS {
            let got = drift(d, test, args);
            let what = format!("--test {test} {}", args.join(" "));
            match got.status.code() {
                Some(2) => {
                    let err = String::from_utf8_lossy(&got.stderr);
                    if !err.contains(args[0]) {
                        failures.push(format!("{what}: refused without naming {}: {err}", args[0]));
                    }
                }
                Some(0) => {
                    let other = match contrast {
                        Some(c) => drift(d, test, c),
                        None => base.clone(),
                    };
                    if other.status.code() != Some(0) {
                        failures.push(format!(
                            "{what}: accepted, but its contrast {contrast:?} was not: {}",
                            text(&other)
                        ));
                    } else if numbers(&got) == numbers(&other) {
                        failures.push(format!(
                            "{what}: accepted and changed nothing (silently dropped)"
                        ));
                    }
                }
                _ => failures.push(format!("{what}: exit {:?}: {}", got.status, text(&got))),
            }
        }
    }
    failures
}

/// The refusals say what to do: the flag, the test, and the tests it applies to.
#[test]
fn refusals_name_the_flag_and_where_it_applies() {
    let d = data();
    for (test, args, needles) in [
        (
            TestKind::Psi,
            &["--alternative", "less"][..],
            &["--alternative less", "psi", "ks, mannwhitney"][..],
        ),
        (TestKind::Ks, &["--yates"], &["--yates", "chi2"]),
        (
            TestKind::Cvm,
            &["--variant", "right"],
            &["--variant", "anderson"],
        ),
        (
            TestKind::Auto,
            &["--method", "exact"],
            &["--method exact needs a named test", "--test"],
        ),
        (
            TestKind::Wasserstein,
            &["--min-effect", "0.1"],
            &["--min-effect", "wasserstein"],
        ),
    ] {
        let o = drift(&d, test, args);
        assert_eq!(o.status.code(), Some(2), "{test} {args:?}: {}", text(&o));
        let err = String::from_utf8_lossy(&o.stderr);
        for n in needles {
            assert!(err.contains(n), "{test} {args:?}: '{n}' not in {err}");
        }
    }
}

/// The rows record what each test took: `--alternative less --method exact` on
/// mannwhitney gives scipy's `mannwhitneyu(ref, cur, alternative='less',
/// method='exact')` and says so.
#[test]
fn rows_record_the_options_applied() {
    let d = data();
    let o = drift(
        &d,
        TestKind::Mannwhitney,
        &["--alternative", "less", "--method", "exact"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
    let x = &doc["columns"][0];
    assert_eq!(x["options"]["alternative"], "less");
    assert_eq!(x["options"]["method"], "exact");
    // scipy: mannwhitneyu(ref_x, cur_x, alternative='less', method='exact')
    assert_eq!(x["statistic"], 3.0);
    assert!(
        (x["p_value"].as_f64().unwrap() - 0.0005439005439005439).abs() < 1e-15,
        "{x}"
    );
    // chi2 with --yates on the 2 x 2 binary table: scipy's chi2_contingency default
    let o = drift(
        &d,
        TestKind::Chi2,
        &["--yates", "--lambda", "log-likelihood"],
    );
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
    let b = &doc["columns"][0];
    assert_eq!(b["options"]["yates"], true);
    assert_eq!(b["options"]["lambda"], "log-likelihood");
    // chi2_contingency([[7, 1], [1, 7]], lambda_="log-likelihood") (correction=True)
    assert!(
        (b["statistic"].as_f64().unwrap() - 6.738227692253865).abs() < 1e-12,
        "{b}"
    );
}
