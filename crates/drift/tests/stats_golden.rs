//! Every statistic of `driftwatch_drift::stats` against the scipy / numpy values in
//! `fixtures/golden/{numeric,categorical}_two_sample.json` (relative 1e-9).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use driftwatch_drift::chi2::chi2_homogeneity;
use driftwatch_drift::ks::Alternative;
use driftwatch_drift::stats::anderson::AndersonVariant;
use driftwatch_drift::stats::{
    PValueMethod, anderson, cvm, energy, jensenshannon, mannwhitney, proportions, psi, wasserstein,
};
use serde_json::Value;

fn load(name: &str) -> Vec<Value> {
    let path = format!(
        "{}/../../fixtures/golden/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    doc["cases"].as_array().unwrap().clone()
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

#[track_caller]
fn close(label: &str, got: f64, want: f64) {
    let tol = 1e-9 * got.abs().max(want.abs());
    assert!(
        (got - want).abs() <= tol || (got.abs() < 1e-300 && want.abs() < 1e-300),
        "{label}: got {got:e}, want {want:e} (rel {:e})",
        ((got - want) / want).abs()
    );
}

#[test]
fn numeric_statistics_match_scipy() {
    for (i, c) in load("numeric_two_sample.json").iter().enumerate() {
        let (r, x) = (floats(&c["reference"]), floats(&c["current"]));
        let l = |s: &str| format!("case {i} {s}");
        close(
            &l("wasserstein"),
            wasserstein::wasserstein_distance(&r, &x).unwrap(),
            c["wasserstein_distance"].as_f64().unwrap(),
        );
        close(
            &l("wasserstein_normed"),
            wasserstein::wasserstein_normed(&r, &x).unwrap(),
            c["wasserstein_normed"].as_f64().unwrap(),
        );
        close(
            &l("energy"),
            energy::energy_distance(&r, &x).unwrap(),
            c["energy_distance"].as_f64().unwrap(),
        );
        let t = cvm::cramervonmises_2samp(&r, &x, PValueMethod::Asymptotic).unwrap();
        let g = &c["cramervonmises_2samp_asymptotic"];
        close(
            &l("cvm statistic"),
            t.statistic,
            g["statistic"].as_f64().unwrap(),
        );
        // every case, the tiny p-values too (there scipy's p is 1 - a sum near 1, so
        // this needs the terms to the bit: AMOS's Bessel K and cephes' lgam ports)
        close(&l("cvm p"), t.p_value, g["pvalue"].as_f64().unwrap());
        close(
            &l("anderson"),
            anderson::anderson_ksamp(&r, &x, AndersonVariant::Midrank).unwrap(),
            c["anderson_ksamp_midrank_statistic"].as_f64().unwrap(),
        );
        let t = mannwhitney::mannwhitneyu(&r, &x, Alternative::TwoSided, PValueMethod::Asymptotic)
            .unwrap();
        let g = &c["mannwhitneyu_two_sided_asymptotic"];
        close(
            &l("mwu statistic"),
            t.statistic,
            g["statistic"].as_f64().unwrap(),
        );
        close(&l("mwu p"), t.p_value, g["pvalue"].as_f64().unwrap());
        let mut sorted = r.clone();
        sorted.sort_by(f64::total_cmp);
        let edges = psi::decile_edges(&sorted);
        for (e, w) in edges.iter().zip(floats(&c["psi_bin_edges_inner"])) {
            close(&l("psi edge"), *e, w);
        }
        close(
            &l("psi"),
            psi::psi(&r, &x).unwrap(),
            c["psi_decile_bins_floor_1e-4"].as_f64().unwrap(),
        );
        let mut pooled = r.clone();
        pooled.extend(&x);
        pooled.sort_by(f64::total_cmp);
        let e = jensenshannon::sturges_edges(pooled[0], pooled[pooled.len() - 1], pooled.len());
        assert_eq!(
            e.len() - 1,
            c["sturges_bin_count"].as_u64().unwrap() as usize,
            "{}",
            l("sturges bins")
        );
        close(
            &l("jensenshannon"),
            jensenshannon::jensenshannon_numeric(&r, &x).unwrap(),
            c["jensenshannon_sturges_pooled"].as_f64().unwrap(),
        );
    }
}

#[test]
fn categorical_statistics_match_scipy() {
    for (i, c) in load("categorical_two_sample.json").iter().enumerate() {
        let cats: Vec<String> = c["categories"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect();
        let count = |side: &str| -> Vec<f64> {
            let vals: Vec<&str> = c[side]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap())
                .collect();
            cats.iter()
                .map(|k| vals.iter().filter(|v| **v == k).count() as f64)
                .collect()
        };
        let (r, x) = (count("reference"), count("current"));
        let t = chi2_homogeneity(&r, &x).unwrap();
        let g = &c["chi2_contingency_no_correction"];
        close(
            &format!("case {i} chi2"),
            t.statistic,
            g["statistic"].as_f64().unwrap(),
        );
        close(
            &format!("case {i} chi2 p"),
            t.p_value,
            g["pvalue"].as_f64().unwrap(),
        );
        close(
            &format!("case {i} js"),
            jensenshannon::jensenshannon(&r, &x),
            c["jensenshannon_category_proportions"].as_f64().unwrap(),
        );
        if let Some(z) = c.get("z_test_two_proportions") {
            let k = cats
                .iter()
                .position(|k| k == z["category"].as_str().unwrap())
                .unwrap();
            let (nr, nx) = (r.iter().sum::<f64>(), x.iter().sum::<f64>());
            let t = proportions::z_test(r[k], nr, x[k], nx).unwrap();
            close(
                &format!("case {i} z"),
                t.statistic,
                z["statistic"].as_f64().unwrap(),
            );
            close(
                &format!("case {i} z p"),
                t.p_value,
                z["pvalue"].as_f64().unwrap(),
            );
        }
    }
}
