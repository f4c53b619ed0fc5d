//! Golden test: `ks_2samp` against scipy 1.17's `scipy.stats.ks_2samp` on
//! every case of `fixtures/golden/ks_2samp.json`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use driftwatch_drift::ks::{Alternative, KsMethod, KsReference, ks_2samp};
use serde::Deserialize;

#[derive(Deserialize)]
struct Golden {
    data: Vec<DataSet>,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct DataSet {
    reference: Vec<f64>,
    current: Vec<f64>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    reference_id: usize,
    alternative: Alternative,
    method: KsMethod,
    statistic: f64,
    pvalue: f64,
    statistic_location: f64,
    statistic_sign: i8,
}

const STAT_ATOL: f64 = 1e-12;
const P_RTOL: f64 = 1e-9;
const P_ATOL: f64 = 1e-300;

fn load() -> Golden {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/golden/ks_2samp.json"
    );
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

fn p_close(got: f64, want: f64) -> bool {
    (got - want).abs() <= (P_RTOL * want.abs()).max(P_ATOL)
}

#[test]
fn ks_2samp_matches_scipy_golden() {
    let golden = load();
    assert_eq!(golden.cases.len(), 96, "the fixture should have 96 cases");
    // One KsReference per data set, to exercise the precomputed path too.
    let references: Vec<KsReference> = golden
        .data
        .iter()
        .map(|d| KsReference::new(&d.reference).unwrap())
        .collect();

    let mut failures = Vec::new();
    for case in &golden.cases {
        let data = &golden.data[case.reference_id];
        let r = match ks_2samp(
            &data.reference,
            &data.current,
            case.alternative,
            case.method,
        ) {
            Ok(r) => r,
            Err(e) => {
                failures.push(format!("{}: error {e}", case.name));
                continue;
            }
        };
        let mut bad = Vec::new();
        if (r.statistic - case.statistic).abs() > STAT_ATOL {
            bad.push(format!(
                "statistic {:e} want {:e}",
                r.statistic, case.statistic
            ));
        }
        if !p_close(r.p_value, case.pvalue) {
            bad.push(format!(
                "p {:e} want {:e} (rel {:.1e})",
                r.p_value,
                case.pvalue,
                ((r.p_value - case.pvalue) / case.pvalue).abs()
            ));
        }
        if r.statistic_location != case.statistic_location {
            bad.push(format!(
                "location {} want {}",
                r.statistic_location, case.statistic_location
            ));
        }
        if r.statistic_sign != case.statistic_sign {
            bad.push(format!(
                "sign {} want {}",
                r.statistic_sign, case.statistic_sign
            ));
        }
        // The precomputed-reference path must agree bit for bit.
        let r2 = references[case.reference_id]
            .test(&data.current, case.alternative, case.method)
            .unwrap();
        if r2 != r {
            bad.push(format!(
                "KsReference::test gave {r2:?}, ks_2samp gave {r:?}"
            ));
        }
        if !bad.is_empty() {
            failures.push(format!("{} [{}]: {}", case.name, r.method, bad.join("; ")));
        }
    }
    let n = golden.cases.len();
    assert!(
        failures.is_empty(),
        "{} of {n} golden cases disagree with scipy:\n{}",
        failures.len(),
        failures.join("\n")
    );
    println!("{n} of {n} golden cases agree with scipy");
}

#[test]
fn fallback_case_reports_asymp() {
    // The 3000 x 10000 one-sided exact cases overflow in scipy's path
    // counting and fall back to the asymptotic p-value (keeping the
    // lattice-snapped statistic); the two-sided exact case succeeds.
    let golden = load();
    let data = golden
        .data
        .iter()
        .find(|d| d.reference.len() == 3000 && d.current.len() == 10000)
        .unwrap();
    let r = ks_2samp(
        &data.reference,
        &data.current,
        Alternative::Less,
        KsMethod::Exact,
    )
    .unwrap();
    assert_eq!(r.method, KsMethod::Asymp);
    let r = ks_2samp(
        &data.reference,
        &data.current,
        Alternative::TwoSided,
        KsMethod::Exact,
    )
    .unwrap();
    assert_eq!(r.method, KsMethod::Exact);
    let r = ks_2samp(
        &data.reference,
        &data.current,
        Alternative::TwoSided,
        KsMethod::Auto,
    )
    .unwrap();
    assert_eq!(r.method, KsMethod::Exact);
    let big = golden
        .data
        .iter()
        .find(|d| d.reference.len() == 10001)
        .unwrap();
    let r = ks_2samp(
        &big.reference,
        &big.current,
        Alternative::TwoSided,
        KsMethod::Auto,
    )
    .unwrap();
    assert_eq!(r.method, KsMethod::Asymp);
}
