//! Iris golden test: RF(100, seed 42) must classify the held-out rows of
//! scikit-learn's `train_test_split(test_size=0.2, random_state=42)` perfectly.

#![allow(clippy::unwrap_used, clippy::expect_used)]
use driftwatch_models::forest::{
    DecisionTreeClassifier, DecisionTreeParams, ForestParams, RandomForestClassifier,
};
use ndarray::Array2;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/golden");

struct Iris {
    x: Array2<f64>,
    y: Vec<usize>,
    names: Vec<String>,
}

fn load_iris() -> Iris {
    let text = std::fs::read_to_string(format!("{ROOT}/iris.csv")).unwrap();
    let mut rows = Vec::new();
    let mut y = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for line in text.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!(cells.len(), 5);
        for c in &cells[..4] {
            rows.push(c.trim().parse::<f64>().unwrap());
        }
        let species = cells[4].trim().to_string();
        let label = match names.iter().position(|n| *n == species) {
            Some(k) => k,
            None => {
                names.push(species);
                names.len() - 1
            }
        };
        y.push(label);
    }
    let n = y.len();
    Iris {
        x: Array2::from_shape_vec((n, 4), rows).unwrap(),
        y,
        names,
    }
}

/// Extracts the integer array stored under `key` in the reference JSON.
fn json_indices(text: &str, key: &str) -> Vec<usize> {
    let start = text.find(&format!("\"{key}\"")).unwrap();
    let open = start + text[start..].find('[').unwrap();
    let close = open + text[open..].find(']').unwrap();
    text[open + 1..close]
        .split(',')
        .map(|s| s.trim().parse().unwrap())
        .collect()
}

fn split() -> (Vec<usize>, Vec<usize>) {
    let text = std::fs::read_to_string(format!("{ROOT}/iris_reference.json")).unwrap();
    (
        json_indices(&text, "train_indices"),
        json_indices(&text, "test_indices"),
    )
}

fn take(iris: &Iris, idx: &[usize]) -> (Array2<f64>, Vec<usize>) {
    let x = iris.x.select(ndarray::Axis(0), idx);
    let y = idx.iter().map(|&i| iris.y[i]).collect();
    (x, y)
}

fn accuracy(pred: &[usize], y: &[usize]) -> f64 {
    pred.iter().zip(y).filter(|(a, b)| a == b).count() as f64 / y.len() as f64
}

#[test]
fn random_forest_matches_sklearn_accuracy_on_iris() {
    let iris = load_iris();
    assert_eq!(iris.y.len(), 150);
    let (train, test) = split();
    assert_eq!((train.len(), test.len()), (120, 30));
    let (xtr, ytr) = take(&iris, &train);
    let (xte, yte) = take(&iris, &test);
    let params = ForestParams::classifier()
        .with_seed(42)
        .with_oob_score(true);
    let model = RandomForestClassifier::fit(&params, xtr.view(), &ytr, 3)
        .unwrap()
        .with_class_names(iris.names.clone())
        .unwrap();
    let pred = model.predict(xte.view()).unwrap();
    assert_eq!(
        accuracy(&pred, &yte),
        1.0,
        "predictions {pred:?} vs {yte:?}"
    );
    model.validate(4).unwrap();
    assert_eq!(model.n_trees(), 100);
    assert_eq!(model.class_names().unwrap()[0], "setosa");

    // probabilities are distributions and agree with predict
    let proba = model.predict_proba(xte.view()).unwrap();
    for (row, &p) in proba.rows().into_iter().zip(&pred) {
        assert!((row.sum() - 1.0).abs() < 1e-12);
        let argmax = (0..3).fold(0, |b, k| if row[k] > row[b] { k } else { b });
        assert_eq!(argmax, p);
    }
    // single-row path agrees with the batch path
    for (i, row) in xte.rows().into_iter().enumerate() {
        let r = row.to_vec();
        assert_eq!(model.predict_row(&r).unwrap(), pred[i]);
        let mut out = [0.0; 3];
        model.predict_proba_row(&r, &mut out).unwrap();
        for k in 0..3 {
            assert_eq!(out[k], proba[[i, k]]);
        }
    }
    // petal features dominate, as in scikit-learn
    let imp = model.feature_importances();
    assert!((imp.iter().sum::<f64>() - 1.0).abs() < 1e-9);
    assert!(imp[2] + imp[3] > imp[0] + imp[1], "importances {imp:?}");
    let oob = model.oob_score().unwrap();
    assert!(oob > 0.9, "oob {oob}");
}

#[test]
fn entropy_and_extra_trees_also_fit_iris() {
    let iris = load_iris();
    let (train, test) = split();
    let (xtr, ytr) = take(&iris, &train);
    let (xte, yte) = take(&iris, &test);
    for params in [
        ForestParams {
            criterion: driftwatch_models::forest::Criterion::Entropy,
            ..ForestParams::classifier()
        },
        ForestParams::extra_trees_classifier(),
    ] {
        let params = params.with_seed(7);
        let model = RandomForestClassifier::fit(&params, xtr.view(), &ytr, 3).unwrap();
        let acc = accuracy(&model.predict(xte.view()).unwrap(), &yte);
        assert!(acc >= 0.95, "{params:?}: {acc}");
    }
}

#[test]
fn single_tree_fits_training_data_perfectly() {
    let iris = load_iris();
    let params = DecisionTreeParams::classifier();
    let tree = DecisionTreeClassifier::fit(&params, iris.x.view(), &iris.y, 3).unwrap();
    // iris has two identical rows with different species? no: training
    // accuracy of a fully grown tree is limited only by duplicate points
    let acc = accuracy(&tree.predict(iris.x.view()).unwrap(), &iris.y);
    assert!(acc >= 0.99, "{acc}");
    tree.validate(4).unwrap();
}
