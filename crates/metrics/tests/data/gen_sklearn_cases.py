"""Generate sklearn_cases.json: edge cases computed by scikit-learn itself.

Run with scikit-learn 1.9.x installed:

    python crates/metrics/tests/data/gen_sklearn_cases.py

The Rust test `tests/sklearn_cases.rs` replays every case. NaN is written as
null (serde_json cannot read NaN), +inf as the string "inf".
"""

import json
import math
import pathlib
import warnings

import numpy as np
import sklearn
from sklearn import metrics

warnings.simplefilter("ignore")
rng = np.random.default_rng(20240917)


def clean(x):
    if isinstance(x, dict):
        return {k: clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple, np.ndarray)):
        return [clean(v) for v in x]
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        x = float(x)
        if math.isnan(x):
            return None
        if math.isinf(x):
            return "inf" if x > 0 else "-inf"
        return x
    return x


def zd_value(z):
    return {"0": 0.0, "1": 1.0, "nan": np.nan}[z]


classification = []
confusion = []
reports = []
datasets = {}


def dataset(name, y_true, y_pred):
    """Store the labels once; cases refer to them by name."""
    y_true, y_pred = list(y_true), list(y_pred)
    if name in datasets:
        assert datasets[name] == {"y_true": y_true, "y_pred": y_pred}, name
    datasets[name] = {"y_true": y_true, "y_pred": y_pred}
    return name


def add_prf(name, y_true, y_pred, average, zd, labels=None, beta=1.0, pos_label=None):
    case = {
        "data": dataset(name, y_true, y_pred),
        "labels": None if labels is None else list(labels),
        "beta": beta,
        "average": average,
        "pos_label": pos_label,
        "zero_division": zd,
    }
    kwargs = dict(
        beta=beta,
        labels=labels,
        average=None if average == "none" else average,
        zero_division=zd_value(zd),
    )
    if pos_label is not None:
        kwargs["pos_label"] = pos_label
    try:
        p, r, f, s = metrics.precision_recall_fscore_support(y_true, y_pred, **kwargs)
        case["result"] = {"precision": p, "recall": r, "fbeta": f}
        if s is not None:
            case["result"]["support"] = s
    except ValueError as e:
        case["error"] = str(e)
    classification.append(clean(case))


def add_all_averages(name, y_true, y_pred, labels=None, betas=(1.0,)):
    for beta in betas:
        for average in ["micro", "macro", "weighted", "none"]:
            for zd in ["0", "1", "nan"]:
                add_prf(name, y_true, y_pred, average, zd, labels=labels, beta=beta)


def add_confusion(name, y_true, y_pred, labels=None):
    case = {
        "data": dataset(name, y_true, y_pred),
        "labels": None if labels is None else list(labels),
    }
    try:
        case["matrix"] = metrics.confusion_matrix(y_true, y_pred, labels=labels).tolist()
    except ValueError as e:
        case["error"] = str(e)
    confusion.append(clean(case))


def add_report(name, y_true, y_pred, labels=None, digits=2, zd="0"):
    kwargs = dict(labels=labels, digits=digits, zero_division=zd_value(zd))
    text = metrics.classification_report(y_true, y_pred, **kwargs)
    as_dict = metrics.classification_report(y_true, y_pred, output_dict=True, **kwargs)
    reports.append(
        clean(
            {
                "data": dataset(name, y_true, y_pred),
                "labels": None if labels is None else list(labels),
                "digits": digits,
                "zero_division": zd,
                "text": text,
                "dict": as_dict,
            }
        )
    )


# A class never predicted ("d") and, with explicit labels, one never seen ("e").
yt = ["a", "b", "c", "d", "a", "b", "c", "d", "d", "a"]
yp = ["a", "c", "c", "a", "a", "b", "b", "a", "b", "a"]
add_all_averages("never_predicted", yt, yp, betas=(1.0, 0.5, 2.0, 0.0, math.inf))
add_all_averages("never_predicted", yt, yp, labels=["e", "d", "a"])
add_all_averages("never_predicted", yt, yp, labels=["c", "a"])
# No true instance of any requested label: weighted average falls back to the mean.
add_all_averages("zero_weights", ["a", "a", "a"], ["b", "b", "a"], labels=["b"])
# Predictions of a label never true (precision 0, recall undefined).
add_all_averages("never_true", ["a", "a", "b", "b"], ["a", "c", "b", "c"])

# Binary problems.
by_t = ["no", "yes", "yes", "no", "yes", "no", "no", "yes", "yes", "yes"]
by_p = ["no", "yes", "no", "no", "yes", "yes", "no", "no", "yes", "yes"]
for pos in ["yes", "no"]:
    for zd in ["0", "1", "nan"]:
        for beta in [1.0, 0.5, 2.0]:
            add_prf("binary", by_t, by_p, "binary", zd, beta=beta, pos_label=pos)
add_prf("binary_unknown_pos", by_t, by_p, "binary", "0", pos_label="maybe")
add_prf("never_predicted", yt, yp, "binary", "0", pos_label="a")
for zd in ["0", "1", "nan"]:
    # Only one class present and it is not pos_label: all counts zero.
    add_prf("binary_single_class", ["no"] * 4, ["no"] * 4, "binary", zd, pos_label="yes")
    # pos_label present but never predicted / never true.
    add_prf("binary_never_predicted", ["yes", "no", "no"], ["no", "no", "no"], "binary", zd, pos_label="yes")
    add_prf("binary_never_true", ["no", "no", "no"], ["yes", "no", "no"], "binary", zd, pos_label="yes")

# Many classes (> 128) to exercise pairwise summation in the averages.
for n_classes, n in [(9, 200), (40, 600), (150, 1500), (300, 1000)]:
    names = [f"c{i:03d}" for i in range(n_classes)]
    t = rng.integers(0, n_classes, size=n)
    noise = rng.random(n) < 0.35
    p = np.where(noise, rng.integers(0, n_classes, size=n), t)
    t = [names[i] for i in t]
    p = [names[i] for i in p]
    add_all_averages(f"many_{n_classes}", t, p)
    if n_classes <= 40:
        add_confusion(f"many_{n_classes}", t, p)

add_confusion("never_predicted", yt, yp)
add_confusion("never_predicted", yt, yp, labels=["d", "a", "c"])
add_confusion("never_predicted", yt, yp, labels=["e", "a"])
add_confusion("labels_none_in_true", ["a", "b"], ["c", "c"], labels=["c"])

add_report("never_predicted", yt, yp)
add_report("never_predicted", yt, yp, digits=3)
add_report("never_predicted", yt, yp, digits=0)
add_report("never_predicted", yt, yp, labels=["a", "b"])
add_report("never_predicted", yt, yp, labels=["a", "b", "c", "d", "e"])
add_report("never_predicted", yt, yp, zd="1")
add_report("long_names", ["setosa", "versicolor", "virginica-with-a-long-name"] * 3,
           ["setosa", "virginica-with-a-long-name", "versicolor"] * 3)
add_report("binary", by_t, by_p)
add_report("never_predicted", yt, yp, digits=14)

regression = []


def add_regression(name, y_true, y_pred):
    y_true = [float(v) for v in y_true]
    y_pred = [float(v) for v in y_pred]
    regression.append(
        clean(
            {
                "name": name,
                "y_true": y_true,
                "y_pred": y_pred,
                "mse": metrics.mean_squared_error(y_true, y_pred),
                "rmse": metrics.root_mean_squared_error(y_true, y_pred),
                "mae": metrics.mean_absolute_error(y_true, y_pred),
                "r2": metrics.r2_score(y_true, y_pred),
                "mape": metrics.mean_absolute_percentage_error(y_true, y_pred),
            }
        )
    )


for n in [2, 3, 7, 8, 9, 15, 16, 17, 127, 128, 129, 255, 256, 257, 1025]:
    scale = 10 ** rng.uniform(-3, 3)
    t = rng.normal(5.0, 3.0, size=n) * scale
    p = t + rng.normal(0.0, 1.0, size=n) * scale
    add_regression(f"random_{n}", t, p)
add_regression("constant_perfect", [3.0] * 5, [3.0] * 5)
add_regression("constant_imperfect", [3.0] * 5, [3.0, 3.0, 3.5, 3.0, 3.0])
add_regression("zeros_in_truth", [0.0, 1.0, -2.0, 0.0], [0.5, 1.0, -1.0, 0.0])
add_regression("negative_r2", [1.0, 2.0, 3.0], [3.0, 2.0, 1.0])
add_regression("perfect", [1.5, -2.0, 7.25], [1.5, -2.0, 7.25])

out = {
    "generated_by": {"scikit-learn": sklearn.__version__, "numpy": np.__version__},
    "datasets": datasets,
    "classification": classification,
    "confusion": confusion,
    "reports": reports,
    "regression": regression,
}
path = pathlib.Path(__file__).with_name("sklearn_cases.json")
path.write_text(json.dumps(out, allow_nan=False) + "\n")
print(f"wrote {path}: {len(classification)} prf, {len(confusion)} confusion, "
      f"{len(reports)} reports, {len(regression)} regression cases")
