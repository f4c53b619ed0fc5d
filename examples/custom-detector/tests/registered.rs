//! The plugin runs by its registered name through driftwatch's monitoring engine.

use custom_detector as _;
use driftwatch_core::{Column, Frame, Window};
use driftwatch_monitor::{Engine, EngineConfig, MonitorConfig};

fn window(label: &str, values: Vec<f64>) -> Window {
    Window {
        label: label.into(),
        features: Frame::new(vec![("x".into(), Column::Numeric(values.into()))]).unwrap(),
        ..Default::default()
    }
}

#[test]
fn mean_shift_is_registered_and_fires_through_the_engine() {
    let names: Vec<&str> = driftwatch_core::registry::monitors()
        .iter()
        .map(|f| f.name)
        .collect();
    assert!(names.contains(&"mean_shift"), "{names:?}");

    let mut engine = Engine::from_config(&EngineConfig {
        monitors: vec![MonitorConfig {
            name: "mean_shift".into(),
            config: serde_json::json!({ "z": 3.0 }),
            ..Default::default()
        }],
        ..Default::default()
    })
    .unwrap();
    let reference: Vec<f64> = (0..100).map(|i| (i % 10) as f64).collect();
    engine.fit(&window("reference", reference.clone())).unwrap();
    let shifted: Vec<f64> = reference.iter().map(|v| v + 2.0).collect();
    let reports = engine
        .run(&[window("same", reference), window("shifted", shifted)])
        .unwrap();
    assert!(reports[0].drifted_columns.is_empty());
    assert_eq!(reports[1].drifted_columns, ["x"]);
    let f = &reports[1].findings[0];
    // mean 6.5 vs 4.5, sd 2.8723, n 100: (2 / 0.28723) = 6.963 standard errors
    assert!((f.statistic - 6.963).abs() < 1e-3, "{}", f.statistic);
}
