//! Scenario data: the golden iris split, and a seeded synthetic manufacturing plant.

use std::path::Path;

use anyhow::{Context, Result};
use driftwatch_core::{Categorical, Column, Frame, ReadOptions, read_csv_path};
use ndarray::Array1;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};

/// Iris features and labels split as in `iris_reference.json`.
pub struct IrisSplit {
    /// Training features.
    pub x_train: Frame,
    /// Training labels.
    pub y_train: Vec<String>,
    /// Test features.
    pub x_test: Frame,
    /// Test labels.
    pub y_test: Vec<String>,
}

/// Reads iris and the golden split from `fixtures/golden/`.
pub fn iris(root: &Path) -> Result<IrisSplit> {
    let golden = root.join("fixtures/golden");
    let data = read_csv_path(&golden.join("iris.csv"), &ReadOptions::default())?;
    let reference: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(golden.join("iris_reference.json"))
            .context("reading fixtures/golden/iris_reference.json")?,
    )?;
    let indices = |key: &str| -> Result<Vec<usize>> {
        reference[key]
            .as_array()
            .with_context(|| format!("iris_reference.json has no {key}"))?
            .iter()
            .map(|v| v.as_u64().map(|i| i as usize).context("bad index"))
            .collect()
    };
    let (train, test) = (indices("train_indices")?, indices("test_indices")?);
    let mut features = data.clone();
    let species = features.remove("species")?.to_labels();
    let labels = |rows: &[usize]| -> Vec<String> {
        rows.iter()
            .map(|&r| species[r].clone().unwrap_or_default())
            .collect()
    };
    Ok(IrisSplit {
        x_train: features.take_rows(&train)?,
        y_train: labels(&train),
        x_test: features.take_rows(&test)?,
        y_test: labels(&test),
    })
}

/// Adds `N(0, sigma)` noise in scaled units to every column: `x + e * scale[j]`, which
/// is what adding the noise after a StandardScaler does.
pub fn add_scaled_noise(
    x: &Frame,
    scale: &[f64],
    sigma: f64,
    rng: &mut ChaCha8Rng,
) -> Result<Frame> {
    let normal = Normal::new(0.0, sigma.max(0.0)).context("noise sigma")?;
    let mut out = Frame::default();
    for ((name, col), s) in x.iter().zip(scale) {
        let Column::Numeric(v) = col else {
            anyhow::bail!("column {name} is not numeric");
        };
        let noisy: Array1<f64> = v.mapv(|a| a + normal.sample(rng) * s);
        out.push(name, Column::Numeric(noisy))?;
    }
    Ok(out)
}

/// Sensor reading biases applied to a day's batch.
#[derive(Debug, Clone, Copy, Default)]
pub struct SensorBias {
    /// Added to temperature readings.
    pub temperature: f64,
    /// Added to vibration readings.
    pub vibration: f64,
}

/// One batch of plant data: readings (what the model sees) and the defect label, which
/// depends on the true process values, not on biased readings.
pub fn manufacturing(
    rows: usize,
    bias: SensorBias,
    invalid_share: f64,
    rng: &mut ChaCha8Rng,
) -> Result<(Frame, Vec<String>)> {
    let n = |m: f64, s: f64| Normal::new(m, s).context("normal");
    let (temp, pres, speed, hum, vib) = (
        n(200.0, 25.0)?,
        n(100.0, 12.0)?,
        n(50.0, 8.0)?,
        n(45.0, 10.0)?,
        n(0.5, 0.12)?,
    );
    let machines = ["A", "B", "C"];
    let shifts = ["day", "evening", "night"];
    let mut cols: [Vec<f64>; 5] = Default::default();
    let (mut machine, mut shift, mut defect) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..rows {
        let t = temp.sample(rng);
        let p = pres.sample(rng);
        let s = speed.sample(rng);
        let h = hum.sample(rng);
        let v = vib.sample(rng).max(0.0);
        let m = machines[rng.random_range(0..3)];
        let sh = shifts[rng.random_range(0..3)];
        // The true process: hot, high-pressure, fast, vibrating runs fail more; machine C
        // and the night shift add risk.
        let z = -2.0
            + 0.15 * (t - 200.0)
            + 0.12 * (p - 100.0)
            + 0.10 * (s - 50.0)
            + 15.0 * (v - 0.5)
            + if m == "C" { 2.0 } else { 0.0 }
            + if sh == "night" { 1.2 } else { 0.0 };
        let prob = 1.0 / (1.0 + (-z).exp());
        defect.push(if rng.random::<f64>() < prob { "1" } else { "0" }.to_string());
        let mut t_read = t + bias.temperature;
        if rng.random::<f64>() < invalid_share {
            t_read = 999.0; // a sensor glitch, outside the valid 100..300 range
        }
        let h_read = if rng.random::<f64>() < 0.03 {
            f64::NAN
        } else {
            h
        };
        // Readings as the sensors report them: two decimals (vibration three).
        let round = |x: f64, k: f64| (x * k).round() / k;
        let readings = [
            round(t_read, 100.0),
            round(p, 100.0),
            round(s, 100.0),
            round(h_read, 100.0),
            round(v + bias.vibration, 1000.0),
        ];
        for (c, x) in cols.iter_mut().zip(readings) {
            c.push(x);
        }
        machine.push(m);
        shift.push(sh);
    }
    let names = ["temperature", "pressure", "speed", "humidity", "vibration"];
    let mut f = Frame::default();
    for (name, c) in names.iter().zip(cols) {
        f.push(*name, Column::Numeric(Array1::from(c)))?;
    }
    f.push(
        "machine_type",
        Column::Categorical(Categorical::from_labels(machine.iter().map(|m| Some(*m)))),
    )?;
    f.push(
        "shift",
        Column::Categorical(Categorical::from_labels(shift.iter().map(|s| Some(*s)))),
    )?;
    Ok((f, defect))
}

/// A seeded generator for a scenario stream.
pub fn rng(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manufacturing_is_seeded_and_labels_depend_on_the_process() {
        let (a, ya) = manufacturing(500, SensorBias::default(), 0.0, &mut rng(1)).unwrap();
        let (b, yb) = manufacturing(500, SensorBias::default(), 0.0, &mut rng(1)).unwrap();
        // NaN != NaN, so compare the frames as the CSV text they write.
        let csv = |f: &Frame| {
            let mut out = Vec::new();
            driftwatch_core::write_csv(f, &mut out, "mem").unwrap();
            out
        };
        assert_eq!(csv(&a), csv(&b));
        assert_eq!(ya, yb);
        let share = ya.iter().filter(|y| *y == "1").count() as f64 / 500.0;
        assert!((0.15..0.6).contains(&share), "defect share {share}");
        assert!(a.column("humidity").unwrap().missing_count() > 0);
    }

    #[test]
    fn iris_split_has_golden_sizes() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let s = iris(&root).unwrap();
        assert_eq!((s.x_train.n_rows(), s.x_test.n_rows()), (120, 30));
        assert_eq!(s.x_train.n_cols(), 4);
    }
}
