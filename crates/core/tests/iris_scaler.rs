//! StandardScaler on the golden iris split equals scikit-learn's to 1e-12.

use driftwatch_core::preprocessing::StandardScaler;
use driftwatch_core::{ReadOptions, Transformer, read_csv_path};

fn golden(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/golden")
        .join(name)
}

#[test]
fn standard_scaler_matches_scikit_learn_on_iris_train_split() {
    let iris = read_csv_path(&golden("iris.csv"), &ReadOptions::default()).unwrap();
    let reference: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(golden("iris_reference.json")).unwrap())
            .unwrap();
    let train: Vec<usize> = reference["train_indices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap() as usize)
        .collect();
    let features: Vec<String> = iris.names()[..4].to_vec();
    let x = iris.select(&features).unwrap().take_rows(&train).unwrap();
    let mut scaler = StandardScaler::default();
    scaler.fit(&x).unwrap();
    let want = &reference["standard_scaler_on_train"];
    for (key, got) in [
        ("mean", scaler.mean().unwrap()),
        ("scale", scaler.scale().unwrap()),
    ] {
        let want: Vec<f64> = want[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        assert_eq!(got.len(), 4);
        for (g, w) in got.iter().zip(&want) {
            assert!((g - w).abs() <= 1e-12, "{key}: got {g}, want {w}");
        }
    }
}
